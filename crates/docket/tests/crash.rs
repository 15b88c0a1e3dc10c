//! Crash test: kill `docket import` with SIGKILL at many moments. After each kill, every
//! event the import had reported as stored (its commit log) is in the database exactly once,
//! and `docket ledger verify` finds the ledger intact; a final import completes the rest.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn docket(dir: &Path, db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["--db", db])
        .env("DOCKET_ACTOR", "crash.test")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("docket runs")
}

fn stored_ids(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).expect("open");
    let mut q = c.prepare("SELECT event_id FROM events").expect("query");
    q.query_map([], |r| r.get(0)).expect("rows").collect::<Result<_, _>>().expect("ids")
}

#[test]
fn sigkill_during_import_loses_nothing_reported_and_leaves_the_ledger_verifiable() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let db_path = dir.join("docket.db");
    let db = format!("sqlite://{}", db_path.display());
    assert!(docket(dir, &db, &["init"]).status.success());
    let data = dir.join("data");
    let synth = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["synth", "--cases", "3000", "--seed", "9", "--as-of", "2026-11-01", "--out", "data"])
        .current_dir(dir)
        .output()
        .expect("docket runs");
    assert!(synth.status.success());
    assert!(docket(dir, &db, &["import", "data/persons.csv"]).status.success());
    let events_file = data.join("events.jsonl");
    let total = std::fs::read_to_string(&events_file).expect("events").lines().count();
    let log = dir.join("commit.log");

    // How long a whole import takes here, timed on a copy of the database: a release build
    // imports these events in a fraction of what a debug build needs, so fixed kill moments
    // found the import already finished in one build and not in the other.
    let probe = dir.join("probe.db");
    rusqlite::Connection::open(&db_path)
        .expect("open")
        .execute("VACUUM INTO ?1", [probe.to_str().expect("utf-8 path")])
        .expect("copy the database");
    let start = Instant::now();
    let whole = docket(
        dir,
        &format!("sqlite://{}", probe.display()),
        &[
            "--ledger-key",
            &format!("{}.ledger-key", db_path.display()),
            "--checkpoint-dir",
            "probe-checkpoints",
            "import",
            "--batch-size",
            "250",
            "--rejects",
            "probe-rejects.jsonl",
            "data/events.jsonl",
        ],
    );
    assert!(whole.status.success(), "{}", String::from_utf8_lossy(&whole.stderr));
    let whole = start.elapsed();

    // Kill moments spread from almost at once to a quarter of a whole import: each trial
    // resumes what the last one left, and at most a quarter of the work is done before each
    // kill, so at least the first four trials kill a running import.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut kills = 0;
    for trial in 0..10 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let delay = whole.mul_f64((1 + x % 25) as f64 / 100.0);
        let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
            .args(["--db", &db, "import", "--batch-size", "250", "--rejects", "rejects.jsonl"])
            .args(["--commit-log", "commit.log", "data/events.jsonl"])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("import starts");
        std::thread::sleep(delay);
        if child.try_wait().expect("status").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        child.wait().expect("reaped");

        let stored = stored_ids(&db_path);
        let unique: HashSet<&String> = stored.iter().collect();
        assert_eq!(unique.len(), stored.len(), "trial {trial}: an event is stored twice");
        let reported = std::fs::read_to_string(&log).unwrap_or_default();
        for id in reported.lines() {
            assert!(unique.contains(&id.to_owned()), "trial {trial}: event {id} was reported stored but is missing");
        }
        let v = docket(dir, &db, &["ledger", "verify"]);
        assert!(
            v.status.success(),
            "trial {trial} (killed after {delay:?}): verify failed\n{}",
            String::from_utf8_lossy(&v.stdout)
        );
    }
    assert!(
        kills >= 3,
        "only {kills} of 10 imports were still running when killed (a whole import took {whole:?}); the test did not test"
    );

    // Finishing the import stores the rest, each event once, and the ledger still verifies.
    let done = docket(dir, &db, &["import", "--rejects", "rejects.jsonl", "data/events.jsonl"]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert_eq!(stored_ids(&db_path).len(), total);
    let v = docket(dir, &db, &["--json", "ledger", "verify"]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    let report: serde_json::Value = serde_json::from_slice(&v.stdout).expect("json");
    assert_eq!(report["events"].as_u64(), Some(total as u64));
    assert_eq!(report["discrepancies"], 0);
}
