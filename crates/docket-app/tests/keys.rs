//! The ledger's keys: the first to sign is recorded, only the current key signs, a rotation
//! is signed by both keys and recorded, and a verifier that trusts either key checks every
//! checkpoint with the key of its period. A key an insider adds without the current key's
//! signature is refused.

mod common;

use common::{Db, PERSONS, import, line};
use docket_app::checkpoints::CheckpointDir;
use docket_ledger::SigningKey;

fn key(name: &str, seed: u8) -> SigningKey {
    SigningKey::from_seed(name, &[seed; 32]).expect("key")
}

fn events(from: u32, to: u32) -> String {
    (from..to)
        .map(|i| {
            let person = if i % 2 == 0 { "P-1" } else { "P-2" };
            line(
                i,
                &format!("K-{i}"),
                "case_opened",
                "2025-05-20T10:00:00-04:00",
                &format!(r#","person_id":"{person}""#),
            ) + "\n"
        })
        .collect()
}

fn rotation_is_signed_by_both_keys_and_each_key_verifies_its_period(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    let dir = tempfile::tempdir().expect("dir");
    let outside = CheckpointDir::new(dir.path().join("cps"));
    let (a, b) = (key("docket-a", 1), key("docket-b", 2));
    import(&app, PERSONS, &events(1, 20));
    app.sign_checkpoint(&a, &outside).expect("the first key to sign is recorded");
    let at = app.rotate_key(&a, &b, &outside).expect("rotated");
    assert_eq!(at, 2 + 19, "two persons and 19 events");
    import(&app, PERSONS, &events(20, 40));
    let err = app.sign_checkpoint(&a, &outside).expect_err("a retired key signs nothing").to_string();
    assert!(err.contains("is not the ledger's current key"), "{err}");
    app.sign_checkpoint(&b, &outside).expect("the new key signs");
    // One checkpoint by the old key at the rotation (signed once, kept once), one by the new.
    // Whichever key the verifier trusts, it reaches the other through the rotation.
    for trusted in [&a, &b] {
        let periods = app.key_periods(&trusted.verifier_key()).expect("a valid chain");
        assert_eq!(periods.iter().map(|(from, _)| *from).collect::<Vec<_>>(), [0, at]);
        let held = docket_app::checkpoints::load_trusted(outside.path()).expect("held");
        let r = app.with_store(|s| s.verify_ledger_trusting(&periods, &held, &mut |_| {})).expect("verify");
        assert_eq!((r.discrepancy_count, r.checkpoints_checked, r.trusted_checked), (0, 2, 2), "{:?}", r.discrepancies);
    }
    // The old key alone cannot check what the new one signed: the periods matter.
    let alone = app.with_store(|s| s.verify_ledger(&a.verifier_key(), &mut |_| {})).expect("verify");
    assert!(alone.discrepancy_count > 0);
    // A key the ledger never had is refused, and so is one an insider adds without the
    // current key's signature.
    let c = key("docket-c", 3);
    let err = app.key_periods(&c.verifier_key()).expect_err("unknown").to_string();
    assert!(err.contains("is not one of this ledger's keys"), "{err}");
    let forged = docket_ledger::sign_note(
        &format!("docket-key-rotation/1\n{}\n{}\n40\n", b.verifier_key(), c.verifier_key()),
        &c,
    )
    .expect("note");
    db.raw(&format!(
        "INSERT INTO ledger_keys (verifier_key, from_size, recorded_at, rotation) VALUES ('{}', 40, 'now', '{}')",
        c.verifier_key(),
        forged
    ));
    let err = app.key_periods(&a.verifier_key()).expect_err("forged rotation").to_string();
    assert!(err.contains(&format!("is not signed by `{}`", b.verifier_key())), "{err}");
}

on_both!(rotation_is_signed_by_both_keys_and_each_key_verifies_its_period);
