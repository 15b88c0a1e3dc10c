//! Witness cosignatures: C2SP `tlog-cosignature`, `cosignature/v1` with Ed25519.
//!
//! A witness keeps the largest checkpoint of a log it has seen and cosigns a new one only if
//! the log proves it consistent with that one. Its cosignature says: as of this time, this is
//! the largest consistent tree I have seen of this log. A checkpoint cosigned by a witness
//! that the log's operator does not control cannot be quietly replaced by a rewritten log,
//! even by someone who holds the log's own key. Formats, byte for byte:
//!
//! * key id: the first 4 bytes of `SHA-256(name || 0x0A || 0x04 || public key)`;
//! * verifier key text: `<name>+<key id, 8 hex digits>+<base64(0x04 || public key)>`;
//! * signing key text: `PRIVATE+KEY+<name>+<key id>+<base64(0x04 || 32-byte seed)>`;
//! * signed message: `cosignature/v1\n`, `time <seconds since the epoch, decimal>\n`, then the
//!   checkpoint's whole note text (body and extension lines, not its signatures);
//! * signature line, appended to the checkpoint's signatures:
//!   `— <name> <base64(key id || timestamp (8 bytes, big-endian) || Ed25519 signature)>`.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::Signer as _;
use rand_core::TryCryptoRng;
use sha2::{Digest, Sha256};

use crate::checkpoint::{
    CheckpointError, MAX_SIGNATURES, SIGNATURE_PREFIX, check_key_name, has_control_character, hex, is_valid_key_name,
    key_of_type, parse_key_id, read_skey_text, skey_text, split_key_text,
};

/// Signature type byte of Ed25519 `cosignature/v1` in C2SP signed notes.
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

/// The key id of a witness's Ed25519 key.
pub fn witness_key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([b'\n', ALG_COSIGNATURE_V1])
        .chain_update(public_key)
        .finalize();
    let mut id = [0; 4];
    id.copy_from_slice(&digest[..4]);
    id
}

/// The message a cosignature signs: the header line, the time line, the note text.
fn signed_message(timestamp: u64, text: &str) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{text}")
}

/// A witness's cosigning key. Its `Debug` shows the name and key id only.
#[derive(Clone)]
pub struct WitnessKey {
    name: String,
    key: ed25519_dalek::SigningKey,
    id: [u8; 4],
}

impl WitnessKey {
    /// A new random key named `name` (a schema-less URL that names the witness).
    pub fn generate<R>(name: &str, rng: &mut R) -> Result<Self, CheckpointError>
    where
        R: TryCryptoRng + ?Sized,
    {
        check_key_name(name)?;
        let mut seed = [0u8; 32];
        rng.try_fill_bytes(&mut seed).map_err(|error| CheckpointError::RandomSource { message: error.to_string() })?;
        Self::from_seed(name, &seed)
    }

    /// The key named `name` with the 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, CheckpointError> {
        check_key_name(name)?;
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        let id = witness_key_id(name, key.verifying_key().as_bytes());
        Ok(Self { name: name.to_owned(), key, id })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key id>+<base64(0x04 || seed)>`.
    pub fn from_skey_text(text: &str) -> Result<Self, CheckpointError> {
        read_skey_text(text, ALG_COSIGNATURE_V1, Self::from_seed, |k| k.id)
    }

    /// The key as text. This is the private key: store it as a secret, never log it.
    pub fn to_skey_text(&self) -> String {
        skey_text(&self.name, &self.id, ALG_COSIGNATURE_V1, &self.key)
    }

    /// The witness's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The matching verifier key.
    pub fn verifier_key(&self) -> WitnessVerifierKey {
        WitnessVerifierKey { name: self.name.clone(), key: self.key.verifying_key(), id: self.id }
    }

    /// `note` (a signed checkpoint, already checked by the caller) with this witness's
    /// cosignature at `timestamp` appended to its signatures.
    pub fn cosign(&self, note: &str, timestamp: u64) -> Result<String, CheckpointError> {
        if timestamp > i64::MAX as u64 {
            return Err(CheckpointError::InvalidNoteText { reason: "a cosignature's time must be below 2^63" });
        }
        let (text, _) = split_note(note)?;
        let signature = self.key.sign(signed_message(timestamp, text).as_bytes());
        let mut blob = Vec::with_capacity(4 + 8 + 64);
        blob.extend_from_slice(&self.id);
        blob.extend_from_slice(&timestamp.to_be_bytes());
        blob.extend_from_slice(&signature.to_bytes());
        Ok(format!("{note}{SIGNATURE_PREFIX}{} {}\n", self.name, BASE64.encode(&blob)))
    }
}

impl fmt::Debug for WitnessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WitnessKey").field("name", &self.name).field("key_id", &hex(&self.id)).finish_non_exhaustive()
    }
}

/// A witness's public key, which checks its cosignatures. Displays as its text form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessVerifierKey {
    name: String,
    key: ed25519_dalek::VerifyingKey,
    id: [u8; 4],
}

impl WitnessVerifierKey {
    /// Parses `<name>+<hex key id>+<base64(0x04 || public key)>`.
    pub fn from_text(text: &str) -> Result<Self, CheckpointError> {
        let malformed = |reason| CheckpointError::MalformedVerifierKey { reason };
        let (name, stated_id, key) = split_key_text(text).ok_or(malformed("expected `<name>+<key id>+<key>`"))?;
        check_key_name(name)?;
        let stated_id = parse_key_id(stated_id).ok_or(malformed("key id is not 8 hex digits"))?;
        let key = BASE64.decode(key).map_err(|_| malformed("key is not base64"))?;
        let public_key: &[u8; 32] = key_of_type(ALG_COSIGNATURE_V1, &key, malformed)?
            .try_into()
            .map_err(|_| malformed("key is not 32 bytes"))?;
        let computed_id = witness_key_id(name, public_key);
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

    /// The witness's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for WitnessVerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = Vec::with_capacity(33);
        key.push(ALG_COSIGNATURE_V1);
        key.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, hex(&self.id), BASE64.encode(&key))
    }
}

/// A note's text (through the empty line's first newline) and its signature lines.
fn split_note(note: &str) -> Result<(&str, Vec<&str>), CheckpointError> {
    let malformed = |reason| CheckpointError::MalformedNote { reason };
    if has_control_character(note) {
        return Err(malformed("contains a control character other than newline"));
    }
    let split = note.rfind("\n\n").ok_or(malformed("no empty line before the signatures"))?;
    let (text, signatures) = (&note[..=split], &note[split + 2..]);
    let signatures = signatures.strip_suffix('\n').ok_or(malformed("signatures missing or not ended by a newline"))?;
    let lines: Vec<&str> = signatures.split('\n').collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(CheckpointError::TooManySignatures { limit: MAX_SIGNATURES });
    }
    Ok((text, lines))
}

/// The time of `key`'s cosignature on `note` (seconds since the epoch), after checking it.
/// Other signature lines are ignored; a cosignature by `key` that does not verify rejects
/// the note. This checks the witness's statement only: open the note with the log's key
/// too ([`crate::open_note`]).
pub fn verify_cosignature(note: &[u8], key: &WitnessVerifierKey) -> Result<u64, CheckpointError> {
    let malformed = |reason| CheckpointError::MalformedNote { reason };
    let note = std::str::from_utf8(note).map_err(|_| malformed("not valid UTF-8"))?;
    let (text, lines) = split_note(note)?;
    let mut found = None;
    for line in lines {
        let line = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(malformed("signature line does not start with an em dash and a space"))?;
        let (name, blob) = line.split_once(' ').ok_or(malformed("signature line has no signature"))?;
        if !is_valid_key_name(name) {
            return Err(malformed("signature line has an invalid key name"));
        }
        let blob = BASE64.decode(blob).map_err(|_| malformed("signature is not base64"))?;
        if name != key.name || blob.len() < 4 || blob[..4] != key.id {
            continue;
        }
        let invalid = || CheckpointError::InvalidSignature { name: name.to_owned() };
        if blob.len() != 4 + 8 + 64 {
            return Err(invalid());
        }
        let timestamp = u64::from_be_bytes(blob[4..12].try_into().map_err(|_| invalid())?);
        let signature = ed25519_dalek::Signature::from_slice(&blob[12..]).map_err(|_| invalid())?;
        key.key.verify_strict(signed_message(timestamp, text).as_bytes(), &signature).map_err(|_| invalid())?;
        found = Some(timestamp);
    }
    found.ok_or_else(|| CheckpointError::NoSignatureByKey { name: key.name.clone(), key_id: hex(&key.id) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Checkpoint, SigningKey, open_note};

    fn note() -> (SigningKey, String) {
        let log = SigningKey::from_seed("docket.example/ledger", &[1; 32]).expect("key");
        let cp = Checkpoint::new("docket.example/ledger", 20852163, [7; 32]).expect("checkpoint");
        (log.clone(), cp.sign(&log))
    }

    #[test]
    fn a_cosignature_verifies_and_leaves_the_logs_signature_valid() {
        let (log, note) = (note().0, note().1);
        let w = WitnessKey::from_seed("witness.example/w1", &[2; 32]).expect("key");
        let cosigned = w.cosign(&note, 1_679_315_147).expect("cosign");
        assert!(cosigned.starts_with(&note), "a line is appended, nothing changed");
        assert_eq!(verify_cosignature(cosigned.as_bytes(), &w.verifier_key()).expect("verifies"), 1_679_315_147);
        open_note(cosigned.as_bytes(), &log.verifier_key()).expect("the log's signature still verifies");
        // The key's text forms round-trip.
        let vk = WitnessVerifierKey::from_text(&w.verifier_key().to_string()).expect("vkey");
        assert_eq!(vk, w.verifier_key());
        let again = WitnessKey::from_skey_text(&w.to_skey_text()).expect("skey");
        assert_eq!(again.verifier_key(), w.verifier_key());
    }

    #[test]
    fn an_altered_checkpoint_time_or_key_is_refused() {
        let note = note().1;
        let w = WitnessKey::from_seed("witness.example/w1", &[2; 32]).expect("key");
        let cosigned = w.cosign(&note, 100).expect("cosign");
        let altered = cosigned.replacen("20852163", "20852164", 1);
        assert!(matches!(
            verify_cosignature(altered.as_bytes(), &w.verifier_key()),
            Err(CheckpointError::InvalidSignature { .. })
        ));
        // Another time in the blob: the signature covers the time.
        let line = cosigned.lines().last().expect("line");
        let blob = BASE64.decode(line.rsplit_once(' ').expect("blob").1).expect("b64");
        let mut other = blob.clone();
        other[11] ^= 1;
        let forged = cosigned.replace(&BASE64.encode(&blob), &BASE64.encode(&other));
        assert!(verify_cosignature(forged.as_bytes(), &w.verifier_key()).is_err());
        // Another witness's key finds no cosignature of its own.
        let other_witness = WitnessKey::from_seed("witness.example/w2", &[3; 32]).expect("key");
        assert!(matches!(
            verify_cosignature(cosigned.as_bytes(), &other_witness.verifier_key()),
            Err(CheckpointError::NoSignatureByKey { .. })
        ));
        // A log key is not a witness key: the type byte differs.
        let log_vkey = SigningKey::from_seed("witness.example/w1", &[2; 32]).expect("key").verifier_key_text();
        assert!(matches!(
            WitnessVerifierKey::from_text(&log_vkey),
            Err(CheckpointError::UnsupportedAlgorithm { algorithm: 1, expected: 4 })
        ));
    }

    /// The C2SP document's key id rule, checked by hand: SHA-256(name || 0x0A || 0x04 || key).
    #[test]
    fn the_key_id_uses_the_cosignature_type_byte() {
        let w = WitnessKey::from_seed("w", &[9; 32]).expect("key");
        let pk = w.key.verifying_key().to_bytes();
        let mut input = b"w\n\x04".to_vec();
        input.extend_from_slice(&pk);
        assert_eq!(w.id, Sha256::digest(&input)[..4]);
        assert_ne!(w.id, crate::key_id("w", &pk), "not the log key's id");
    }
}
