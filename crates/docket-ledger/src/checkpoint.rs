//! Signed checkpoints: a C2SP `tlog-checkpoint` body in a C2SP `signed-note`,
//! signed with Ed25519.
//!
//! A checkpoint commits the log to one tree size and root; the signature
//! makes that commitment attributable. Formats, byte for byte:
//!
//! * checkpoint body: `<origin>\n<size in decimal>\n<base64 root>\n`, then
//!   optional non-empty extension lines, each ending in `\n`;
//! * signed note: the body, an empty line, then one line per signature,
//!   `— <key name> <base64(key id (4 bytes) || Ed25519 signature (64 bytes))>\n`
//!   where `—` is U+2014 and the signature is over the body's exact bytes;
//! * key id: the first 4 bytes of `SHA-256(key name || 0x0A || 0x01 || public key)`;
//! * verifier key text: `<name>+<key id, 8 hex digits>+<base64(0x01 || public key)>`;
//! * signing key text: `PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte seed)>`.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::Signer as _;
use rand_core::TryCryptoRng;
use sha2::{Digest, Sha256};

use crate::hash::Hash;

/// Signature type byte of Ed25519 in C2SP signed notes.
const ALG_ED25519: u8 = 0x01;
/// What starts every signature line: an em dash (U+2014) and a space.
pub(crate) const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// What starts the text of a signing key.
pub(crate) const SIGNING_KEY_PREFIX: &str = "PRIVATE+KEY+";
/// Most signature lines a note may carry (C2SP asks for at least 16).
pub(crate) const MAX_SIGNATURES: usize = 100;

/// What can go wrong with keys, notes and checkpoints.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// A key name is empty or has a space, a plus sign or a control character.
    #[error("key name `{name}` is empty or contains a space, a plus sign or a control character")]
    InvalidKeyName {
        /// The rejected name.
        name: String,
    },
    /// A verifier key's text is not `<name>+<hex id>+<base64 key>`.
    #[error("malformed verifier key: {reason}")]
    MalformedVerifierKey {
        /// What is wrong.
        reason: &'static str,
    },
    /// A signing key's text is not `PRIVATE+KEY+<name>+<hex id>+<base64 seed>`.
    /// The message never quotes the key.
    #[error("malformed signing key: {reason}")]
    MalformedSigningKey {
        /// What is wrong.
        reason: &'static str,
    },
    /// A key of another signature type than the one expected: Ed25519 (0x01) for a log's
    /// key, Ed25519 cosignature/v1 (0x04) for a witness's.
    #[error("unsupported signature type 0x{algorithm:02x} where 0x{expected:02x} is expected")]
    UnsupportedAlgorithm {
        /// The signature type byte.
        algorithm: u8,
        /// The one expected.
        expected: u8,
    },
    /// A key's stated id is not the one its name and public key give.
    #[error("key `{name}` states key id {stated} but its public key gives {computed}")]
    KeyIdMismatch {
        /// The key name.
        name: String,
        /// The id written in the key text.
        stated: String,
        /// The id computed from the name and public key.
        computed: String,
    },
    /// The random number generator failed while generating a key.
    #[error("random number generator failed: {message}")]
    RandomSource {
        /// The generator's error message.
        message: String,
    },
    /// Text to be signed is not a valid note text.
    #[error("cannot sign note text: {reason}")]
    InvalidNoteText {
        /// What is wrong.
        reason: &'static str,
    },
    /// A signed note does not have the signed-note format.
    #[error("malformed note: {reason}")]
    MalformedNote {
        /// What is wrong.
        reason: &'static str,
    },
    /// A signed note carries more signature lines than accepted.
    #[error("note has more than {limit} signatures")]
    TooManySignatures {
        /// The most accepted.
        limit: usize,
    },
    /// A signature by the trusted key does not verify: the note was altered
    /// or the signature forged.
    #[error("signature by `{name}` does not verify")]
    InvalidSignature {
        /// The key name.
        name: String,
    },
    /// No signature line is by the trusted key (same name and key id).
    #[error("note has no signature by key `{name}` with key id {key_id}")]
    NoSignatureByKey {
        /// The trusted key's name.
        name: String,
        /// The trusted key's id, in hex.
        key_id: String,
    },
    /// A checkpoint origin is empty or has a control character.
    #[error("checkpoint origin `{origin}` is empty or contains a control character")]
    InvalidOrigin {
        /// The rejected origin (control characters escaped).
        origin: String,
    },
    /// A checkpoint extension line is empty or has a control character.
    #[error("checkpoint extension line `{line}` is empty or contains a control character")]
    InvalidExtension {
        /// The rejected line (control characters escaped).
        line: String,
    },
    /// A signed note's text is not a checkpoint body.
    #[error("malformed checkpoint, line {line}: {reason}")]
    MalformedCheckpoint {
        /// Line number in the note text, from 1.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Key id of an Ed25519 key in a C2SP signed note: the first 4 bytes of
/// `SHA-256(name || 0x0A || 0x01 || public_key)`.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([b'\n', ALG_ED25519])
        .chain_update(public_key)
        .finalize();
    let mut id = [0; 4];
    id.copy_from_slice(&digest[..4]);
    id
}

/// Reads a private key's text, `PRIVATE+KEY+<name>+<hex key id>+<base64(alg || seed)>`, for a
/// key of type `alg`: `make` builds the key from its name and seed, and the id it has (`id`)
/// must be the one the text states. Signing keys and witness keys differ only in `alg`.
pub(crate) fn read_skey_text<K>(
    text: &str,
    alg: u8,
    make: impl FnOnce(&str, &[u8; 32]) -> Result<K, CheckpointError>,
    id: impl FnOnce(&K) -> [u8; 4],
) -> Result<K, CheckpointError> {
    let malformed = |reason| CheckpointError::MalformedSigningKey { reason };
    let rest = text.strip_prefix(SIGNING_KEY_PREFIX).ok_or(malformed("does not start with `PRIVATE+KEY+`"))?;
    let (name, stated_id, key) = split_key_text(rest).ok_or(malformed("expected `<name>+<key id>+<key>`"))?;
    check_key_name(name)?;
    let stated_id = parse_key_id(stated_id).ok_or(malformed("key id is not 8 hex digits"))?;
    let key = BASE64.decode(key).map_err(|_| malformed("key is not base64"))?;
    let seed: &[u8; 32] =
        key_of_type(alg, &key, malformed)?.try_into().map_err(|_| malformed("key is not 32 bytes"))?;
    let k = make(name, seed)?;
    let computed = id(&k);
    if computed != stated_id {
        return Err(CheckpointError::KeyIdMismatch {
            name: name.to_owned(),
            stated: hex(&stated_id),
            computed: hex(&computed),
        });
    }
    Ok(k)
}

/// A private key's text, as [`read_skey_text`] reads it.
pub(crate) fn skey_text(name: &str, id: &[u8; 4], alg: u8, key: &ed25519_dalek::SigningKey) -> String {
    let mut bytes = Vec::with_capacity(33);
    bytes.push(alg);
    bytes.extend_from_slice(key.as_bytes());
    format!("{SIGNING_KEY_PREFIX}{name}+{}+{}", hex(id), BASE64.encode(&bytes))
}

/// A log's signing key: a key name and an Ed25519 key.
///
/// Its `Debug` output shows the name and key id only; the private key leaves
/// the value only through [`to_skey_text`](Self::to_skey_text).
#[derive(Clone)]
pub struct SigningKey {
    name: String,
    key: ed25519_dalek::SigningKey,
    id: [u8; 4],
}

impl SigningKey {
    /// A new random key named `name` (by C2SP's recommendation, a schema-less
    /// URL such as `docket.example.gov/ledger`, usually the log's origin).
    pub fn generate<R>(name: &str, rng: &mut R) -> Result<Self, CheckpointError>
    where
        R: TryCryptoRng + ?Sized,
    {
        check_key_name(name)?;
        let mut seed = [0u8; 32];
        rng.try_fill_bytes(&mut seed).map_err(|error| CheckpointError::RandomSource { message: error.to_string() })?;
        Self::from_seed(name, &seed)
    }

    /// The key named `name` with the 32-byte Ed25519 seed (RFC 8032 secret key).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, CheckpointError> {
        check_key_name(name)?;
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        let id = key_id(name, key.verifying_key().as_bytes());
        Ok(Self { name: name.to_owned(), key, id })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`,
    /// checking the key id against the derived public key.
    pub fn from_skey_text(text: &str) -> Result<Self, CheckpointError> {
        read_skey_text(text, ALG_ED25519, Self::from_seed, |k| k.id)
    }

    /// The key as `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`.
    /// This is the private key: store it as a secret, never log it.
    pub fn to_skey_text(&self) -> String {
        skey_text(&self.name, &self.id, ALG_ED25519, &self.key)
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> [u8; 4] {
        self.id
    }

    /// The matching verifier key.
    pub fn verifier_key(&self) -> VerifierKey {
        VerifierKey { name: self.name.clone(), key: self.key.verifying_key(), id: self.id }
    }

    /// The matching verifier key as text, `<name>+<hex key id>+<base64(0x01 || public key)>`:
    /// what the log publishes so that anyone can check its checkpoints.
    pub fn verifier_key_text(&self) -> String {
        self.verifier_key().to_string()
    }

    /// The signature line for `text`, which must already be a valid note text.
    fn signature_line(&self, text: &str) -> String {
        let signature = self.key.sign(text.as_bytes());
        let mut blob = Vec::with_capacity(4 + 64);
        blob.extend_from_slice(&self.id);
        blob.extend_from_slice(&signature.to_bytes());
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, BASE64.encode(&blob))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("name", &self.name).field("key_id", &hex(&self.id)).finish_non_exhaustive()
    }
}

/// A public key that checks a log's signed notes: a key name, a key id and
/// an Ed25519 public key. Displays as its text form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    key: ed25519_dalek::VerifyingKey,
    id: [u8; 4],
}

impl VerifierKey {
    /// Parses `<name>+<hex key id>+<base64(0x01 || public key)>`, checking
    /// the key id against the name and public key.
    pub fn from_text(text: &str) -> Result<Self, CheckpointError> {
        let malformed = |reason| CheckpointError::MalformedVerifierKey { reason };
        let (name, stated_id, key) = split_key_text(text).ok_or(malformed("expected `<name>+<key id>+<key>`"))?;
        check_key_name(name)?;
        let stated_id = parse_key_id(stated_id).ok_or(malformed("key id is not 8 hex digits"))?;
        let key = BASE64.decode(key).map_err(|_| malformed("key is not base64"))?;
        let public_key: &[u8; 32] =
            typed_key(&key, malformed)?.try_into().map_err(|_| malformed("key is not 32 bytes"))?;
        let computed_id = key_id(name, public_key);
        if computed_id != stated_id {
            return Err(CheckpointError::KeyIdMismatch {
                name: name.to_owned(),
                stated: hex(&stated_id),
                computed: hex(&computed_id),
            });
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(public_key)
            .map_err(|_| malformed("key is not an Ed25519 public key"))?;
        Ok(Self { name: name.to_owned(), key, id: computed_id })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> [u8; 4] {
        self.id
    }

    /// The 32-byte Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = Vec::with_capacity(33);
        key.push(ALG_ED25519);
        key.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, hex(&self.id), BASE64.encode(&key))
    }
}

/// Signs `text` as a C2SP signed note: the text, an empty line, one
/// signature line. The text must be non-empty, end with a newline and have
/// no control characters other than newlines.
pub fn sign_note(text: &str, key: &SigningKey) -> Result<String, CheckpointError> {
    let invalid = |reason| CheckpointError::InvalidNoteText { reason };
    if !text.ends_with('\n') {
        return Err(invalid("text must be non-empty and end with a newline"));
    }
    if has_control_character(text) {
        return Err(invalid("text contains a control character other than newline"));
    }
    Ok(format!("{text}\n{}", key.signature_line(text)))
}

/// Opens a C2SP signed note with a trusted key: checks the format and that
/// a signature by `key` (same name and key id) verifies, and returns the
/// signed text.
///
/// Signatures by other keys (witnesses, a rotated key) are ignored, as C2SP
/// requires; any signature by `key` that fails rejects the note.
pub fn open_note<'n>(note: &'n [u8], key: &VerifierKey) -> Result<&'n str, CheckpointError> {
    let malformed = |reason| CheckpointError::MalformedNote { reason };
    let note = std::str::from_utf8(note).map_err(|_| malformed("not valid UTF-8"))?;
    if has_control_character(note) {
        return Err(malformed("contains a control character other than newline"));
    }
    let split = note.rfind("\n\n").ok_or(malformed("no empty line before the signatures"))?;
    let (text, signatures) = (&note[..=split], &note[split + 2..]);
    let signatures = signatures.strip_suffix('\n').ok_or(malformed("signatures missing or not ended by a newline"))?;
    let mut verified = false;
    for (count, line) in signatures.split('\n').enumerate() {
        if count == MAX_SIGNATURES {
            return Err(CheckpointError::TooManySignatures { limit: MAX_SIGNATURES });
        }
        let line = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(malformed("signature line does not start with an em dash and a space"))?;
        let (name, blob) = line.split_once(' ').ok_or(malformed("signature line has no signature"))?;
        if !is_valid_key_name(name) {
            return Err(malformed("signature line has an invalid key name"));
        }
        let blob = BASE64.decode(blob).map_err(|_| malformed("signature is not base64"))?;
        if blob.len() < 5 {
            return Err(malformed("signature is shorter than a key id and one byte"));
        }
        let (id, signature) = blob.split_at(4);
        if name != key.name || id != key.id {
            continue;
        }
        let invalid = || CheckpointError::InvalidSignature { name: name.to_owned() };
        let signature = ed25519_dalek::Signature::from_slice(signature).map_err(|_| invalid())?;
        key.key.verify_strict(text.as_bytes(), &signature).map_err(|_| invalid())?;
        verified = true;
    }
    if !verified {
        return Err(CheckpointError::NoSignatureByKey { name: key.name.clone(), key_id: hex(&key.id) });
    }
    Ok(text)
}

/// A C2SP checkpoint: the log's origin, a tree size and the root at that size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint of the log `origin` (a non-empty line; by C2SP's
    /// recommendation a schema-less URL, usually the signing key's name) at
    /// `size` leaves with root `root`.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        let origin = origin.into();
        if origin.is_empty() || origin.chars().any(char::is_control) {
            return Err(CheckpointError::InvalidOrigin { origin: origin.escape_debug().to_string() });
        }
        Ok(Self { origin, size, root, extensions: Vec::new() })
    }

    /// The same checkpoint with extension lines after the root (opaque to
    /// this crate; C2SP advises against them as monitors cannot audit them).
    pub fn with_extensions(mut self, lines: Vec<String>) -> Result<Self, CheckpointError> {
        if let Some(line) = lines.iter().find(|line| line.is_empty() || line.chars().any(char::is_control)) {
            return Err(CheckpointError::InvalidExtension { line: line.escape_debug().to_string() });
        }
        self.extensions = lines;
        Ok(self)
    }

    /// The log's origin line.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root hash at [`size`](Self::size).
    pub fn root(&self) -> &Hash {
        &self.root
    }

    /// Extension lines, usually none.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// The checkpoint body: `<origin>\n<size>\n<base64 root>\n`, then any
    /// extension lines.
    pub fn body(&self) -> String {
        let mut body = format!("{}\n{}\n{}\n", self.origin, self.size, BASE64.encode(self.root));
        for line in &self.extensions {
            body.push_str(line);
            body.push('\n');
        }
        body
    }

    /// Parses a checkpoint body. Strict: the size has no sign and no leading
    /// zero, the root is canonical base64 of exactly 32 bytes.
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        let malformed = |line, reason| CheckpointError::MalformedCheckpoint { line, reason };
        let text = text.strip_suffix('\n').ok_or(malformed(1, "text does not end with a newline"))?;
        let mut lines = text.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(malformed(1, "origin is empty"));
        }
        let size = lines.next().ok_or(malformed(2, "tree size is missing"))?;
        let size = parse_decimal(size)
            .ok_or(malformed(2, "tree size is not a decimal number without leading zeros that fits 64 bits"))?;
        let root = lines.next().ok_or(malformed(3, "root hash is missing"))?;
        let root: Hash = BASE64
            .decode(root)
            .ok()
            .and_then(|root| root.try_into().ok())
            .ok_or(malformed(3, "root hash is not base64 of 32 bytes"))?;
        let mut extensions = Vec::new();
        for (number, line) in (4..).zip(lines) {
            if line.is_empty() {
                return Err(malformed(number, "extension line is empty"));
            }
            extensions.push(line.to_owned());
        }
        Self::new(origin, size, root)?.with_extensions(extensions)
    }

    /// Signs the checkpoint: the whole signed note, ready to publish.
    pub fn sign(&self, key: &SigningKey) -> String {
        let body = self.body();
        // The body is a valid note text by construction: it ends with a
        // newline and `new` and `with_extensions` refuse control characters.
        let signature = key.signature_line(&body);
        format!("{body}\n{signature}")
    }

    /// Opens a signed checkpoint note with a trusted key (see [`open_note`])
    /// and parses its body.
    pub fn from_note(note: &[u8], key: &VerifierKey) -> Result<Self, CheckpointError> {
        Self::parse_body(open_note(note, key)?)
    }
}

/// Verifies a signed checkpoint note against a verifier key given as text
/// (`<name>+<hex key id>+<base64(0x01 || public key)>`) and returns the
/// checkpoint. Any change to the note's signed text or to the trusted
/// signature line makes it fail.
///
/// It does not check the origin: compare [`Checkpoint::origin`] with the log
/// you expect.
pub fn verify_note(note: impl AsRef<[u8]>, vkey_text: &str) -> Result<Checkpoint, CheckpointError> {
    let key = VerifierKey::from_text(vkey_text)?;
    Checkpoint::from_note(note.as_ref(), &key)
}

pub(crate) fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+' || c < ' ')
}

pub(crate) fn check_key_name(name: &str) -> Result<(), CheckpointError> {
    if is_valid_key_name(name) {
        Ok(())
    } else {
        Err(CheckpointError::InvalidKeyName { name: name.escape_debug().to_string() })
    }
}

pub(crate) fn has_control_character(text: &str) -> bool {
    text.chars().any(|c| c < ' ' && c != '\n')
}

/// Splits `<name>+<key id>+<key>`; the base64 key may itself contain `+`.
pub(crate) fn split_key_text(text: &str) -> Option<(&str, &str, &str)> {
    let (name, rest) = text.split_once('+')?;
    let (id, key) = rest.split_once('+')?;
    Some((name, id, key))
}

/// The key bytes after the signature type byte, which must be Ed25519's.
fn typed_key(key: &[u8], malformed: impl Fn(&'static str) -> CheckpointError) -> Result<&[u8], CheckpointError> {
    key_of_type(ALG_ED25519, key, malformed)
}

/// The key bytes after the signature type byte, which must be `algorithm`.
pub(crate) fn key_of_type(
    algorithm: u8,
    key: &[u8],
    malformed: impl Fn(&'static str) -> CheckpointError,
) -> Result<&[u8], CheckpointError> {
    match key.split_first() {
        Some((&a, key)) if a == algorithm => Ok(key),
        Some((&found, _)) => Err(CheckpointError::UnsupportedAlgorithm { algorithm: found, expected: algorithm }),
        None => Err(malformed("key is empty")),
    }
}

pub(crate) fn parse_key_id(text: &str) -> Option<[u8; 4]> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok().map(u32::to_be_bytes)
}

pub(crate) fn parse_decimal(text: &str) -> Option<u64> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
