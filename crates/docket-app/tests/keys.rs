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

/// Signers of the old key and a rotation at the same time: each checkpoint of the old key is
/// of a size the rotation covers, each later one is refused, and the whole ledger verifies.
/// (Before the signing lock, a signer that had found the old key current could store its
/// checkpoint beyond the size the new key took over at, which `verify` then failed.)
fn signers_racing_a_rotation_leave_every_checkpoint_in_its_keys_period(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    let dir = tempfile::tempdir().expect("dir");
    let outside = CheckpointDir::new(dir.path().join("cps"));
    let (a, b) = (key("docket-a", 1), key("docket-b", 2));
    import(&app, PERSONS, &events(1, 3));
    app.sign_checkpoint(&a, &outside).expect("the first key");
    let refused = std::sync::atomic::AtomicUsize::new(0);
    let rotated = std::thread::scope(|s| {
        for w in 0..2u32 {
            let (app, a, outside, refused) = (&app, &a, &outside, &refused);
            s.spawn(move || {
                for round in 0..25u32 {
                    let from = 1000 + w * 10_000 + round * 2;
                    import(app, PERSONS, &events(from, from + 2));
                    match app.sign_checkpoint(a, outside) {
                        Ok(_) => {}
                        Err(e) if e.to_string().contains("is not the ledger's current key") => {
                            refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Err(e) => panic!("signing failed: {e}"),
                    }
                }
            });
        }
        let rotation = s.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            app.rotate_key(&a, &b, &outside).expect("rotated")
        });
        rotation.join().expect("the rotation thread")
    });
    import(&app, PERSONS, &events(3, 5));
    app.sign_checkpoint(&b, &outside).expect("the new key signs what came after");
    let periods = app.key_periods(&b.verifier_key()).expect("a valid chain");
    assert_eq!(periods.iter().map(|(from, _)| *from).collect::<Vec<_>>(), [0, rotated]);
    let held = docket_app::checkpoints::load_trusted(outside.path()).expect("held");
    let r = app.with_store(|s| s.verify_ledger_trusting(&periods, &held, &mut |_| {})).expect("verify");
    assert_eq!(r.discrepancy_count, 0, "{:?}", r.discrepancies);
    let cps = app.with_store(|s| s.checkpoints()).expect("checkpoints");
    for cp in &cps {
        let by_old = cp.note.contains(&format!("— {} ", a.name()));
        assert_eq!(by_old, cp.size <= rotated, "checkpoint at {} (rotation at {rotated}):\n{}", cp.size, cp.note);
    }
    assert!(cps.iter().any(|c| c.size > rotated), "the new key signed after the rotation");
}

on_both!(signers_racing_a_rotation_leave_every_checkpoint_in_its_keys_period);
