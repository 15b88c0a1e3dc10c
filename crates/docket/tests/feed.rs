//! The departure feed from NATS JetStream, end to end, on both databases: `docket departures
//! consume` killed with SIGKILL at 20 random moments and its NATS server killed and restarted
//! mid-stream. In the end no acknowledged record is lost (every record is stored, the rest are
//! dead letters with their reason), nothing is recorded twice (events, review items, counts),
//! `ledger verify` passes, and a person imported while the consumer runs is matchable within a
//! minute without a restart.
//!
//! The test runs a NATS server of its own (`nats-server -js` on a free port, its store in a
//! temporary directory) so that it may kill it; it fails, never skips, without `nats-server`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// `nats-server`: on the path, else where Debian's package puts it.
fn nats_server_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file());
    let binary = on_path.unwrap_or_else(|| PathBuf::from("/usr/sbin/nats-server"));
    assert!(binary.is_file(), "this test needs `nats-server` (Debian's package `nats-server`; `.ci/run` installs it)");
    binary
}

/// A NATS server of the test's own, on `port` with its store in `dir`; killed when dropped.
struct Nats {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Nats {
    fn start(port: u16, dir: &Path) -> Nats {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("nats.log")).expect("log");
        let child = Command::new(nats_server_binary())
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd", s(dir)])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "nats-server did not listen on {port} within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        Nats { child, port, dir: dir.to_owned() }
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// SIGKILL, then a new server on the same port and store.
    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        *self = Nats::start(self.port, &self.dir.clone());
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// The database under test: a SQLite file, or a fresh PostgreSQL database.
enum Db {
    Sqlite(PathBuf),
    Postgres { admin: String, name: String, url: String },
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Db::Postgres { admin, name, .. } = self {
            if let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

impl Db {
    fn sqlite(dir: &Path, name: &str) -> Db {
        Db::Sqlite(dir.join(name))
    }

    /// A fresh database on `DOCKET_TEST_POSTGRES_URL` (default the local `test`); fails when
    /// the server is missing.
    fn postgres(tag: &str) -> Db {
        let admin = std::env::var("DOCKET_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let name = format!("docket_feed_test_{}_{tag}", std::process::id());
        let mut c = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("PostgreSQL is required for this test and is not reachable at {admin}: {e}"));
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop a leftover database");
        c.batch_execute(&format!("CREATE DATABASE {name}")).expect("create the test database");
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin.clone());
        Db::Postgres { url: format!("{base}/{name}"), admin, name }
    }

    fn url(&self) -> String {
        match self {
            Db::Sqlite(path) => format!("sqlite://{}", path.display()),
            Db::Postgres { url, .. } => url.clone(),
        }
    }

    /// The rows of a query of two text columns.
    fn pairs(&self, sql: &str) -> Vec<(String, String)> {
        match self {
            Db::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).expect("open the database");
                let mut q = c.prepare(sql).expect("prepare");
                q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("query").collect::<Result<_, _>>().expect("rows")
            }
            Db::Postgres { url, .. } => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                c.query(sql, &[]).expect("query").iter().map(|r| (r.get(0), r.get(1))).collect()
            }
        }
    }

    fn count(&self, sql: &str) -> u64 {
        let n = self.pairs(&format!("SELECT CAST(({sql}) AS TEXT), ''"));
        n[0].0.parse().expect("a count")
    }

    /// Every departure record stored, by key, with its outcome.
    fn outcomes(&self) -> BTreeMap<String, String> {
        self.pairs("SELECT record_key, outcome FROM departure_records").into_iter().collect()
    }
}

fn docket(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["--db", db])
        .args(args)
        .env("DOCKET_ACTOR", "feed.test")
        .current_dir(dir)
        .output()
        .expect("docket runs")
}

fn ok(out: Output, what: &str) -> Value {
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// A docket with its model in force: `init`, the persons and events given, `departures fit`.
fn docket_with_model(dir: &Path, db: &str, persons: &Path, events: &Path, departures: &Path) -> String {
    ok(docket(dir, db, &["init"]), "init");
    ok(docket(dir, db, &["import", s(persons), s(events)]), "import");
    let fit = ok(docket(dir, db, &["--json", "departures", "fit", s(departures)]), "departures fit");
    fit["model"].as_str().expect("the model's version").to_owned()
}

/// A running `docket departures consume`, its standard error in a file.
struct Consumer {
    child: Child,
    log: PathBuf,
}

impl Consumer {
    fn start(dir: &Path, db: &str, nats: &str, refresh_seconds: u64, n: u32) -> Consumer {
        let log = dir.join(format!("consumer-{n}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_docket"))
            .args(["--db", db, "--json", "departures", "consume", "--nats", nats, "--batch", "16"])
            .args(["--refresh-seconds", &refresh_seconds.to_string()])
            .env("DOCKET_ACTOR", "feed.test")
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("the consumer's log"))
            .spawn()
            .expect("the consumer starts");
        Consumer { child, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_ready(&mut self) {
        wait_for("the consumer to start consuming", Duration::from_secs(60), || {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the consumer exited with {status}:\n{}", self.log());
            }
            self.log().contains("docket: consuming stream")
        });
    }

    fn sigkill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM: it finishes its batch, acks it and prints what it did.
    fn stop(self) -> Value {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs").success());
        let out = self.child.wait_with_output().expect("the consumer exits");
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(out.status.success(), "the consumer stopped with {}:\n{log}", out.status);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("its report: {e}\n{log}"))
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The synthetic day: the departure lines by record key, the persons' and events' files split
/// into what is imported before the feed starts and one person (with their cases) imported
/// while it runs, and that person's departure record.
struct Day {
    lines: Vec<(String, String)>,
    late_record: String,
    late_person: String,
}

fn split_for_a_late_person(out: &Path, person: &str) -> Day {
    let persons = std::fs::read_to_string(out.join("persons.csv")).expect("persons");
    let (mut early, mut late) = (String::new(), String::new());
    for (i, line) in persons.lines().enumerate() {
        if i == 0 {
            early.push_str(line);
            early.push('\n');
            late.push_str(line);
            late.push('\n');
        } else if line.split(',').next() == Some(person) {
            late.push_str(line);
            late.push('\n');
        } else {
            early.push_str(line);
            early.push('\n');
        }
    }
    std::fs::write(out.join("persons-early.csv"), early).expect("write");
    std::fs::write(out.join("persons-late.csv"), late).expect("write");
    let events = std::fs::read_to_string(out.join("events.jsonl")).expect("events");
    let parsed: Vec<Value> = events.lines().map(|l| serde_json::from_str(l).expect("an event")).collect();
    let cases: BTreeSet<&str> = parsed
        .iter()
        .filter(|e| e["type"] == "case_opened" && e["person_id"] == person)
        .filter_map(|e| e["case_id"].as_str())
        .collect();
    assert!(!cases.is_empty(), "person {person} has a case");
    let (mut early, mut late) = (String::new(), String::new());
    for (line, e) in events.lines().zip(&parsed) {
        let to = if e["case_id"].as_str().is_some_and(|c| cases.contains(c)) { &mut late } else { &mut early };
        to.push_str(line);
        to.push('\n');
    }
    std::fs::write(out.join("events-early.jsonl"), early).expect("write");
    std::fs::write(out.join("events-late.jsonl"), late).expect("write");
    let mut lines = Vec::new();
    let mut late_record = String::new();
    for line in std::fs::read_to_string(out.join("departures.jsonl")).expect("departures").lines() {
        let v: Value = serde_json::from_str(line).expect("a departure line");
        let key = format!("{}/{}", v["source"].as_str().unwrap_or(""), v["record_id"].as_str().unwrap_or(""));
        lines.push((key, line.to_owned()));
    }
    let truth = std::fs::read_to_string(out.join("departures-truth.csv")).expect("truth");
    for row in truth.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        if f.get(1) == Some(&"match") && f.get(2) == Some(&person) {
            late_record = format!("synth.manifest/{}", f[0]);
        }
    }
    assert!(!late_record.is_empty(), "person {person} travels");
    Day { lines, late_record, late_person: person.to_owned() }
}

/// Departure records of the day: enough that 20 consumers killed at random moments are still
/// deciding it.
const DEPARTURES: u64 = 40_000;

fn the_feed_loses_nothing(db: Db) {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let dir = tmp.path();
    let out = dir.join("out");
    let synth = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args([
            "--json",
            "synth",
            "--cases",
            "1500",
            "--seed",
            "11",
            "--departures",
            &DEPARTURES.to_string(),
            "--out",
            s(&out),
        ])
        .current_dir(dir)
        .output()
        .expect("synth runs");
    let synth = ok(synth, "synth");
    let refused = synth["departures"]["refused_by_the_reader"].as_u64().expect("refused");
    let departures = out.join("departures.jsonl");

    // A person who, with the whole docket imported, is a clear match: imported only while the
    // consumer runs.
    let probe = Db::sqlite(dir, "probe.db").url();
    docket_with_model(dir, &probe, &out.join("persons.csv"), &out.join("events.jsonl"), &departures);
    let all = ok(docket(dir, &probe, &["--json", "departures", "ingest", s(&departures)]), "probe ingest");
    // The clearest of the clear matches, so that a model fitted without that person still
    // finds it clear.
    let weight = |d: &Value| d["candidates"][0]["weight"].as_f64().unwrap_or(f64::MIN);
    let person = all["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .filter(|d| d["outcome"] == "verified")
        .max_by(|a, b| weight(a).total_cmp(&weight(b)))
        .and_then(|d| d["candidates"][0]["person_id"].as_str())
        .expect("a clear match")
        .to_owned();
    let day = split_for_a_late_person(&out, &person);
    let (early_persons, early_events) = (out.join("persons-early.csv"), out.join("events-early.jsonl"));

    // The reference: the same docket and the same day through `departures ingest`.
    let reference_db = Db::sqlite(dir, "reference.db");
    let reference_model = docket_with_model(dir, &reference_db.url(), &early_persons, &early_events, &departures);
    ok(docket(dir, &reference_db.url(), &["--json", "departures", "ingest", s(&departures)]), "reference ingest");
    let mut reference = reference_db.outcomes();
    reference.remove(&day.late_record);

    let url = db.url();
    let model = docket_with_model(dir, &url, &early_persons, &early_events, &departures);
    assert_eq!(model, reference_model, "the fit is deterministic");
    let nats_dir = dir.join("nats");
    std::fs::create_dir_all(&nats_dir).expect("nats dir");
    let mut nats = Nats::start(free_port(), &nats_dir);

    // The first consumer creates the stream; then the day is published, with three messages
    // that are no records among it, but not the late person's record.
    let mut n = 0;
    let mut consumer = Consumer::start(dir, &url, &nats.url(), 3600, n);
    consumer.wait_ready();
    consumer.sigkill();
    let garbage = ["not json at all".to_owned(), "{\"record_id\":\"G1\"}".to_owned(), "[1,2,3]".to_owned()];
    let mut payloads: Vec<String> =
        day.lines.iter().filter(|(k, _)| *k != day.late_record).map(|(_, l)| l.clone()).collect();
    for (i, g) in garbage.iter().enumerate() {
        payloads.insert(500 * (i + 1), g.clone());
    }
    docket_feed::publish_blocking(&nats.url(), "departures.test", payloads).expect("the day is published");
    let expected = reference.len() as u64;
    assert_eq!(expected, DEPARTURES - refused - 1);
    n += 1;
    let mut consumer = Consumer::start(dir, &url, &nats.url(), 3600, n);
    let started = Instant::now();

    // SIGKILL at 20 random moments, most of them while a consumer is deciding (every fifth
    // while it is still starting); before the sixteenth, the server restarted under a running
    // consumer.
    let stored = || db.count("SELECT count(*) FROM departure_records");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut deciding = 0;
    let mut last = 0;
    for trial in 0..20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if trial % 5 != 4 {
            consumer.wait_ready();
        }
        std::thread::sleep(Duration::from_millis(50 + x % 400));
        if trial == 15 {
            let before = stored();
            nats.restart();
            wait_for("records decided after the server's restart", Duration::from_secs(60), || {
                stored() > before || stored() == expected
            });
        }
        consumer.sigkill();
        let now = stored();
        assert!(now >= last, "trial {trial}: stored records went from {last} to {now}");
        if now > last && now < expected {
            deciding += 1;
        }
        eprintln!("trial {trial}: {now} of {expected} stored at {:?}", started.elapsed());
        last = now;
        n += 1;
        consumer = Consumer::start(dir, &url, &nats.url(), 3600, n);
    }
    assert!(deciding >= 10, "only {deciding} of 20 kills came while records were decided: the test did not test");

    // The last consumer decides the rest: every record stored, and the three that are no
    // records (and those the reader refuses) dead letters with their reason.
    consumer.wait_ready();
    wait_for("every record decided", Duration::from_secs(180), || stored() == expected);
    wait_for("the dead letters", Duration::from_secs(30), || {
        docket_feed::stream_messages_blocking(&nats.url(), "DEPARTURES_DEAD").unwrap_or(0) == refused + 3
    });
    consumer.stop();

    // A person imported while a consumer runs is matched within a minute, without a restart.
    n += 1;
    let mut consumer = Consumer::start(dir, &url, &nats.url(), 2, n);
    consumer.wait_ready();
    let late_line = day.lines.iter().find(|(k, _)| *k == day.late_record).map(|(_, l)| l.clone()).expect("line");
    let indexed =
        |line: &str, prefix: &str| -> Option<u64> { line.strip_prefix(prefix)?.split(' ').next()?.parse().ok() };
    let at_start = consumer.log().lines().find_map(|l| indexed(l, "docket: ")).expect("the first index's size");
    ok(docket(dir, &url, &["import", s(&out.join("persons-late.csv")), s(&out.join("events-late.jsonl"))]), "import");
    let imported = Instant::now();
    wait_for("the index rebuilt with the person imported", Duration::from_secs(60), || {
        consumer.log().lines().filter_map(|l| indexed(l, "docket: index rebuilt, ")).any(|n| n > at_start)
    });
    let took = imported.elapsed();
    docket_feed::publish_blocking(&nats.url(), "departures.test", [late_line]).expect("published");
    wait_for("the late person's record", Duration::from_secs(30), || stored() == expected + 1);
    let report = consumer.stop();
    let late = db.outcomes().remove(&day.late_record);
    let why = db.pairs(&format!(
        "SELECT subject, detail FROM departure_acts WHERE kind = 'review_opened' AND subject = '{}'",
        day.late_record
    ));
    assert_eq!(late.as_deref(), Some("verified"), "{} of {}: {report}\n{why:?}", day.late_record, day.late_person);
    assert!(took < Duration::from_secs(60), "matchable {took:?} after the import");
    assert!(report["index_rebuilds"].as_u64().is_some_and(|r| r >= 1), "{report}");

    // Every record of the day decided once: the records are the file ingest's (which of them
    // are clear may differ, since each consumer builds its index anew, without the persons
    // whose departure was verified meanwhile); each verified one has its events, each review
    // its one item, and the counts count each record once, whatever came twice.
    let decided = db.outcomes();
    let keys = |m: &BTreeMap<String, String>| m.keys().filter(|k| **k != day.late_record).cloned().collect::<Vec<_>>();
    assert_eq!(keys(&decided), keys(&reference), "the records stored are the day's");
    let of = |outcome: &str| decided.values().filter(|o| *o == outcome).count() as u64;
    let verified_keys = db.count(
        "SELECT count(DISTINCT idempotency_key) FROM events WHERE event_type = 'departure_verified' \
         AND idempotency_key LIKE 'departure:%'",
    );
    if verified_keys != of("verified") {
        let with_events: BTreeSet<String> = db
            .pairs("SELECT DISTINCT idempotency_key, '' FROM events WHERE event_type = 'departure_verified' AND idempotency_key LIKE 'departure:%'")
            .into_iter()
            .map(|(k, _)| k.replacen("departure:", "", 1).replacen(':', "/", 1))
            .collect();
        let odd: Vec<_> = with_events
            .iter()
            .filter(|k| decided.get(*k).map(String::as_str) != Some("verified"))
            .map(|k| {
                let acts = db.pairs(&format!("SELECT kind, detail FROM departure_acts WHERE subject = '{k}'"));
                (k.clone(), decided.get(k).cloned(), acts)
            })
            .collect();
        panic!("verifications whose record is not verified: {odd:#?}");
    }
    let twice = db.pairs(
        "SELECT case_id, idempotency_key FROM events WHERE idempotency_key LIKE 'departure:%' \
         GROUP BY case_id, idempotency_key HAVING count(*) > 1",
    );
    assert!(twice.is_empty(), "events recorded twice: {twice:?}");
    let items = db.pairs(
        "SELECT subject, CAST(count(*) AS TEXT) FROM departure_acts WHERE kind = 'review_opened' GROUP BY subject",
    );
    assert_eq!(items.len() as u64, of("review"), "one review item per record in review");
    assert!(items.iter().all(|(_, n)| n == "1"), "a review item opened twice: {items:?}");
    for outcome in ["received", "verified", "review", "unmatched"] {
        let counted =
            db.count(&format!("SELECT COALESCE(SUM(n), 0) FROM departure_counts WHERE outcome = '{outcome}'"));
        let stored = if outcome == "received" { decided.len() as u64 } else { of(outcome) };
        assert_eq!(counted, stored, "the `{outcome}` count");
    }
    let verify = ok(docket(dir, &url, &["--json", "ledger", "verify"]), "ledger verify");
    assert_eq!(verify["discrepancies"], 0, "{verify}");
}

#[test]
fn the_consumer_killed_at_20_moments_and_a_server_restart_lose_nothing_on_sqlite() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    the_feed_loses_nothing(Db::sqlite(tmp.path(), "docket.db"));
}

#[test]
fn the_consumer_killed_at_20_moments_and_a_server_restart_lose_nothing_on_postgres() {
    the_feed_loses_nothing(Db::postgres("loses_nothing"));
}
