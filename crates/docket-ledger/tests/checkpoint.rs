//! Signed checkpoints: round trips, tamper detection, key handling, and
//! known answers from outside this crate.
//!
//! No test prints a generated private key: comparisons of key texts use
//! `assert!` with a message that does not quote them.

use docket_ledger::{
    Checkpoint, CheckpointError, Log, MemoryStore, SigningKey, VerifierKey, key_id, leaf_hash, open_note, sign_note,
    verify_inclusion, verify_note,
};
use rand_core::{TryCryptoRng, TryRng};

const ORIGIN: &str = "docket.example.gov/ledger";

fn generated_key(name: &str) -> SigningKey {
    SigningKey::generate(name, &mut getrandom::SysRng).expect("system randomness")
}

fn checkpoint(size: u64) -> Checkpoint {
    let mut log = Log::new(MemoryStore::new());
    for i in 0..size {
        log.append(format!("event {i}").as_bytes()).expect("append");
    }
    Checkpoint::new(ORIGIN, size, log.root(size).expect("root")).expect("valid checkpoint")
}

#[test]
fn a_signed_checkpoint_verifies_and_round_trips() {
    let key = generated_key(ORIGIN);
    for size in [0, 1, 7, 1_000] {
        let checkpoint = checkpoint(size);
        let note = checkpoint.sign(&key);
        assert!(note.starts_with(&checkpoint.body()));
        assert!(note.contains("\n\n\u{2014} docket.example.gov/ledger "));
        let opened = verify_note(&note, &key.verifier_key_text()).expect("verifies");
        assert_eq!(opened, checkpoint);
    }
}

#[test]
fn the_note_has_the_c2sp_layout() {
    let key = generated_key(ORIGIN);
    let root = [0xab; 32];
    let note = Checkpoint::new(ORIGIN, 42, root).expect("valid checkpoint").sign(&key);
    let (body, signature) = note.split_once("\n\n").expect("empty line");
    assert_eq!(body, "docket.example.gov/ledger\n42\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=");
    let line = signature.strip_suffix('\n').expect("final newline");
    let blob = line.strip_prefix("\u{2014} docket.example.gov/ledger ").expect("signature line prefix");
    use base64::Engine as _;
    let blob = base64::engine::general_purpose::STANDARD.decode(blob).expect("base64");
    assert_eq!(blob.len(), 4 + 64);
    assert_eq!(blob[..4], key.key_id());
}

#[test]
fn changing_any_bit_of_the_note_makes_it_fail() {
    let key = generated_key(ORIGIN);
    let vkey = key.verifier_key_text();
    let note = checkpoint(1_234).sign(&key).into_bytes();
    let mut rejected = 0;
    for byte in 0..note.len() {
        for bit in 0..8 {
            let mut tampered = note.clone();
            tampered[byte] ^= 1 << bit;
            assert!(verify_note(&tampered, &vkey).is_err(), "flipping bit {bit} of byte {byte} went unnoticed");
            rejected += 1;
        }
    }
    assert_eq!(rejected, note.len() * 8);
    // Removing or adding a byte anywhere fails too.
    for cut in 0..note.len() {
        let mut shorter = note.clone();
        shorter.remove(cut);
        assert!(verify_note(&shorter, &vkey).is_err(), "removing byte {cut}");
        let mut longer = note.clone();
        longer.insert(cut, b'0');
        assert!(verify_note(&longer, &vkey).is_err(), "inserting at {cut}");
    }
}

#[test]
fn a_note_signed_by_another_key_fails() {
    let key = generated_key(ORIGIN);
    let note = checkpoint(3).sign(&key);
    let same_name = generated_key(ORIGIN);
    assert!(matches!(
        verify_note(&note, &same_name.verifier_key_text()),
        Err(CheckpointError::NoSignatureByKey { .. })
    ));
    let other_name = generated_key("docket.example.gov/other");
    assert!(matches!(
        verify_note(&note, &other_name.verifier_key_text()),
        Err(CheckpointError::NoSignatureByKey { .. })
    ));
}

#[test]
fn a_forged_signature_under_the_trusted_key_id_fails() {
    use base64::Engine as _;
    let base64 = base64::engine::general_purpose::STANDARD;
    let key = generated_key(ORIGIN);
    let forger = SigningKey::from_seed(ORIGIN, &[9; 32]).expect("key");
    let body = checkpoint(3).body();
    // The forger's signature, relabelled with the trusted key's name and id.
    let forged = sign_note(&body, &forger).expect("sign");
    let (_, line) = forged.rsplit_once("\n\n").expect("empty line");
    let encoded = line.trim_end().rsplit_once(' ').expect("signature").1;
    let mut blob = base64.decode(encoded).expect("base64");
    blob[..4].copy_from_slice(&key.key_id());
    let forged = format!("{body}\n\u{2014} {ORIGIN} {}\n", base64.encode(&blob));
    assert!(matches!(verify_note(&forged, &key.verifier_key_text()), Err(CheckpointError::InvalidSignature { .. })));
}

#[test]
fn signatures_by_unknown_keys_are_ignored() {
    let key = generated_key(ORIGIN);
    let witness = generated_key("witness.example.org");
    let body = checkpoint(5).body();
    let note = sign_note(&body, &key).expect("sign");
    let witnessed = sign_note(&body, &witness).expect("sign");
    let witness_line = witnessed.split_once("\n\n").expect("empty line").1;
    let cosigned = format!("{note}{witness_line}");
    let opened = verify_note(&cosigned, &key.verifier_key_text()).expect("verifies");
    assert_eq!(opened.size(), 5);
    assert!(matches!(verify_note(&witnessed, &key.verifier_key_text()), Err(CheckpointError::NoSignatureByKey { .. })));
}

#[test]
fn key_texts_round_trip() {
    let key = generated_key(ORIGIN);
    let skey = key.to_skey_text();
    assert!(skey.starts_with("PRIVATE+KEY+docket.example.gov/ledger+"));
    let parsed = SigningKey::from_skey_text(&skey).expect("parses");
    assert!(parsed.to_skey_text() == skey, "signing key text changed in a round trip");
    assert_eq!(parsed.verifier_key_text(), key.verifier_key_text());
    let vkey = VerifierKey::from_text(&key.verifier_key_text()).expect("parses");
    assert_eq!(vkey, key.verifier_key());
    assert_eq!(vkey.to_string(), key.verifier_key_text());
    assert_eq!(vkey.name(), ORIGIN);
    assert_eq!(vkey.key_id(), key.key_id());
}

#[test]
fn private_keys_stay_out_of_debug_output_and_errors() {
    let key = generated_key(ORIGIN);
    let skey = key.to_skey_text();
    // `PRIVATE+KEY+<name>+<id>+<base64>`, where the base64 may contain `+`.
    let rest = skey.strip_prefix("PRIVATE+KEY+").expect("prefix");
    let (_name, rest) = rest.split_once('+').expect("name");
    let (_id, secret_part) = rest.split_once('+').expect("id");
    let debug = format!("{key:?}");
    assert!(!debug.contains(secret_part), "Debug shows the private key");
    assert!(debug.contains(ORIGIN));
    // A key id that does not match: the error names the key, not the secret.
    let wrong_id = format!("PRIVATE+KEY+{ORIGIN}+00000000+{secret_part}");
    let error = SigningKey::from_skey_text(&wrong_id).expect_err("wrong id");
    assert!(matches!(error, CheckpointError::KeyIdMismatch { .. }));
    assert!(!error.to_string().contains(secret_part), "error quotes the private key");
    for malformed in [
        format!("PRIVATE+KEY+{ORIGIN}+nothex!!+{secret_part}"),
        format!("PRIVATE+KEY+{ORIGIN}"),
        format!("PRIVATE+KEY+{ORIGIN}+00000000+{}", &secret_part[1..]),
        skey.replace("PRIVATE", "PUBLIC"),
    ] {
        let error = SigningKey::from_skey_text(&malformed).expect_err("malformed");
        let message = error.to_string();
        assert!(!message.contains(secret_part), "error quotes the private key");
        assert!(!message.contains(&secret_part[1..]), "error quotes the private key");
    }
}

#[test]
fn key_id_matches_an_independent_computation() {
    // RFC 8032 §7.1 TEST 1: secret key 9d61b1…7f60, public key d75a98…511a.
    // The key id and verifier key text were computed apart from this crate,
    // with Python's standard library:
    //   import hashlib, base64
    //   pub = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    //   hashlib.sha256(b"docket.example/ledger\n\x01" + pub).hexdigest()[:8]  # '39960693'
    //   base64.b64encode(b"\x01" + pub)  # b'AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea'
    let secret = hex32("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let public = hex32("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert_eq!(key_id("docket.example/ledger", &public), [0x39, 0x96, 0x06, 0x93]);
    let key = SigningKey::from_seed("docket.example/ledger", &secret).expect("key");
    assert_eq!(key.verifier_key().public_key(), public);
    assert_eq!(key.verifier_key_text(), "docket.example/ledger+39960693+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea");
}

/// The example key and note of Go's reference implementation of signed
/// notes (golang.org/x/mod/sumdb/note, BSD-3-Clause), reproduced byte for
/// byte: Ed25519 signatures are deterministic. This key is a published test
/// key, not a secret.
#[test]
fn notes_match_the_go_reference_implementation() {
    const SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const NOTE: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n\
                        \n\
                        \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    let key = SigningKey::from_skey_text(SKEY).expect("Go's example key");
    assert_eq!(key.verifier_key_text(), VKEY);
    assert_eq!(sign_note(TEXT, &key).expect("sign"), NOTE);
    let vkey = VerifierKey::from_text(VKEY).expect("Go's example verifier key");
    assert_eq!(open_note(NOTE.as_bytes(), &vkey).expect("opens"), TEXT);
}

#[test]
fn malformed_checkpoint_bodies_are_refused_even_when_signed() {
    let key = generated_key(ORIGIN);
    let vkey = key.verifier_key_text();
    let root = "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=";
    let cases = [
        (format!("{ORIGIN}\n042\n{root}\n"), 2),
        (format!("{ORIGIN}\n+42\n{root}\n"), 2),
        (format!("{ORIGIN}\n-1\n{root}\n"), 2),
        (format!("{ORIGIN}\n18446744073709551616\n{root}\n"), 2),
        (format!("{ORIGIN}\n\n{root}\n"), 2),
        (format!("{ORIGIN}\n42\n"), 3),
        (format!("{ORIGIN}\n42\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw==\n"), 3),
        (format!("{ORIGIN}\n42\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6t=\n"), 3),
        (format!("{ORIGIN}\n42\n{root}\n\nextension\n"), 4),
        (format!("\n42\n{root}\n"), 1),
    ];
    for (body, line) in cases {
        let note = sign_note(&body, &key).expect("sign");
        match verify_note(&note, &vkey) {
            Err(CheckpointError::MalformedCheckpoint { line: got, .. }) => {
                assert_eq!(got, line, "{body:?}");
            }
            other => panic!("{body:?} gave {other:?}"),
        }
    }
    let size_max = format!("{ORIGIN}\n18446744073709551615\n{root}\n");
    let note = sign_note(&size_max, &key).expect("sign");
    assert_eq!(verify_note(&note, &vkey).expect("valid").size(), u64::MAX);
}

#[test]
fn extension_lines_are_signed_and_kept() {
    let key = generated_key(ORIGIN);
    let checkpoint = checkpoint(9).with_extensions(vec!["timestamp 1700000000".to_owned()]).expect("valid extension");
    let note = checkpoint.sign(&key);
    let opened = verify_note(&note, &key.verifier_key_text()).expect("verifies");
    assert_eq!(opened.extensions(), ["timestamp 1700000000"]);
    assert_eq!(opened, checkpoint);
    assert!(checkpoint.clone().with_extensions(vec![String::new()]).is_err());
    assert!(checkpoint.with_extensions(vec!["a\nb".to_owned()]).is_err());
}

#[test]
fn invalid_names_origins_and_texts_are_refused() {
    for name in ["", "has space", "has+plus", "tab\there", "nbsp\u{a0}here"] {
        assert!(matches!(SigningKey::from_seed(name, &[1; 32]), Err(CheckpointError::InvalidKeyName { .. })));
    }
    for origin in ["", "two\nlines", "bell\u{7}"] {
        assert!(matches!(Checkpoint::new(origin, 1, [0; 32]), Err(CheckpointError::InvalidOrigin { .. })));
    }
    let key = SigningKey::from_seed(ORIGIN, &[1; 32]).expect("key");
    for text in ["", "no final newline", "carriage\r\nreturn\n"] {
        assert!(matches!(sign_note(text, &key), Err(CheckpointError::InvalidNoteText { .. })));
    }
}

#[test]
fn malformed_verifier_keys_are_refused() {
    let key = SigningKey::from_seed(ORIGIN, &[1; 32]).expect("key");
    let vkey = key.verifier_key_text();
    let (name_and_id, encoded) = vkey.rsplit_once('+').expect("parts");
    let (_, id) = name_and_id.split_once('+').expect("parts");
    assert!(matches!(
        VerifierKey::from_text(&format!("other.example+{id}+{encoded}")),
        Err(CheckpointError::KeyIdMismatch { .. })
    ));
    assert!(matches!(
        VerifierKey::from_text(&format!("{ORIGIN}+{id}")),
        Err(CheckpointError::MalformedVerifierKey { .. })
    ));
    assert!(matches!(
        VerifierKey::from_text(&format!("{ORIGIN}+{id}+AAAA")),
        Err(CheckpointError::UnsupportedAlgorithm { algorithm: 0, expected: 1 })
    ));
    assert!(matches!(
        VerifierKey::from_text(&format!("{ORIGIN}+{id}+AQ==")),
        Err(CheckpointError::MalformedVerifierKey { .. })
    ));
    assert!(matches!(
        VerifierKey::from_text(&format!("{ORIGIN}++{id}{encoded}")),
        Err(CheckpointError::MalformedVerifierKey { .. })
    ));
}

/// A random source that always fails, to check the error path.
struct BrokenRng;

#[derive(Debug, thiserror::Error)]
#[error("entropy pool unplugged")]
struct Unplugged;

impl TryRng for BrokenRng {
    type Error = Unplugged;
    fn try_next_u32(&mut self) -> Result<u32, Unplugged> {
        Err(Unplugged)
    }
    fn try_next_u64(&mut self) -> Result<u64, Unplugged> {
        Err(Unplugged)
    }
    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Unplugged> {
        Err(Unplugged)
    }
}

impl TryCryptoRng for BrokenRng {}

#[test]
fn a_failing_random_source_is_reported() {
    match SigningKey::generate(ORIGIN, &mut BrokenRng) {
        Err(CheckpointError::RandomSource { message }) => {
            assert_eq!(message, "entropy pool unplugged");
        }
        other => panic!("expected a random source error, got {:?}", other.map(|k| k.name().to_owned())),
    }
}

#[test]
fn an_outside_party_checks_a_leaf_against_a_signed_checkpoint() {
    let key = generated_key(ORIGIN);
    let mut log = Log::new(MemoryStore::new());
    for i in 0..100 {
        log.append(format!("record {i} read by officer 7").as_bytes()).expect("append");
    }
    let note = Checkpoint::new(ORIGIN, 100, log.root(100).expect("root")).expect("valid").sign(&key);
    let proof = log.inclusion_proof(42, 100).expect("proof");

    // The auditor holds only the note, the verifier key, the leaf and the proof.
    let checkpoint = verify_note(&note, &key.verifier_key_text()).expect("verifies");
    let leaf = leaf_hash(b"record 42 read by officer 7");
    verify_inclusion(&leaf, 42, checkpoint.size(), &proof, checkpoint.root()).expect("leaf 42 is in the log");
    let forged = leaf_hash(b"record 42 read by officer 8");
    assert!(verify_inclusion(&forged, 42, checkpoint.size(), &proof, checkpoint.root()).is_err());
}

fn hex32(text: &str) -> [u8; 32] {
    let mut bytes = [0; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex");
    }
    bytes
}
