//! Black-box tests of the `docket` binary: run as a user would, in a temporary directory
//! against a temporary SQLite file, and judged by exit status, output and files written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const AS_OF_DATE: &str = "2026-11-01";
const AS_OF: &str = "2026-11-01T00:00:00Z";

/// What a run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    #[track_caller]
    fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "exit status\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

/// A scratch directory with a database URL in it: a SQLite file in the directory, or a
/// fresh PostgreSQL database dropped with it.
struct Scratch {
    dir: tempfile::TempDir,
    db: String,
    /// For PostgreSQL: the server's URL for the test database, and the database's name.
    postgres: Option<(String, String)>,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = format!("sqlite://{}", dir.path().join("docket.db").display());
        Scratch { dir, db, postgres: None }
    }

    /// A fresh PostgreSQL database (`DOCKET_TEST_POSTGRES_URL`, default
    /// `postgres://postgres@127.0.0.1:5432/test`). Fails when the server is missing.
    fn postgres() -> Scratch {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let admin = std::env::var("DOCKET_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let name = format!(
            "docket_cli_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let mut c = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("PostgreSQL is required for these tests and is not reachable at {admin}: {e}"));
        // Two statements: a multi-statement string runs as one transaction, which DROP DATABASE refuses.
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop a leftover database");
        c.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin.clone());
        let dir = tempfile::tempdir().expect("temp dir");
        Scratch { dir, db: format!("{base}/{name}"), postgres: Some((admin, name)) }
    }

    /// The key file `init` makes when no `--ledger-key` is given: beside a SQLite database,
    /// else in the working directory.
    fn default_key(&self) -> PathBuf {
        match self.postgres {
            Some(_) => self.path("docket-ledger.key"),
            None => self.path("docket.db.ledger-key"),
        }
    }

    /// The checkpoint directory beside the default key.
    fn default_checkpoints(&self) -> PathBuf {
        self.default_key().with_extension("checkpoints")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `docket --db URL ARGS...` in the scratch directory, as the actor `officer.test`
    /// (`DOCKET_ACTOR`: on the command line, `--actor` is refused by the commands that
    /// record nothing under a name).
    fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--db", self.db.as_str()];
        all.extend_from_slice(args);
        self.run_env(Stdio::piped(), &all, Some("officer.test"))
    }

    /// Runs `docket ARGS...` in the scratch directory, with no `--db`.
    fn run_bare(&self, args: &[&str]) -> Run {
        self.run_to(Stdio::piped(), args)
    }

    /// Runs `docket ARGS...` in the scratch directory, with no `--db`, its standard output
    /// going to `stdout` (what the run printed there is not kept).
    fn run_to(&self, stdout: Stdio, args: &[&str]) -> Run {
        self.run_env(stdout, args, None)
    }

    fn run_env(&self, stdout: Stdio, args: &[&str], actor: Option<&str>) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
        match actor {
            Some(a) => cmd.env("DOCKET_ACTOR", a),
            None => cmd.env_remove("DOCKET_ACTOR"),
        };
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("DOCKET_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|c| c.wait_with_output())
            .expect("the docket binary runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `init`, then `synth` of 300 cases into `out/`: returns (persons.csv, events.jsonl).
    fn synthetic(&self) -> (PathBuf, PathBuf) {
        self.run(&["init"]).expect_code(0);
        let out = self.path("out");
        self.run_bare(&["synth", "--cases", "300", "--seed", "5", "--as-of", AS_OF_DATE, "--out", s(&out)])
            .expect_code(0);
        (out.join("persons.csv"), out.join("events.jsonl"))
    }

    /// `synthetic`, imported: returns (persons.csv, events.jsonl).
    fn imported(&self) -> (PathBuf, PathBuf) {
        let (persons, events) = self.synthetic();
        self.run(&["import", s(&persons), s(&events), "--rejects", s(&self.path("rejects.jsonl"))]).expect_code(0);
        (persons, events)
    }

    /// Events stored, as `rebuild` counts them (it folds every stored event).
    fn events_stored(&self) -> u64 {
        let r = self.run(&["--json", "rebuild"]);
        r.expect_code(0);
        r.json()["events"].as_u64().expect("rebuild reports `events`")
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("cannot read `{}`: {e}", p.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(p: &Path, lines: &[String]) {
    std::fs::write(p, lines.join("\n") + "\n").unwrap_or_else(|e| panic!("cannot write `{}`: {e}", p.display()));
}

fn object(line: &str) -> serde_json::Map<String, Value> {
    match serde_json::from_str(line) {
        Ok(Value::Object(o)) => o,
        other => panic!("not a JSON object: {other:?}"),
    }
}

fn str_of<'a>(o: &'a serde_json::Map<String, Value>, field: &str) -> &'a str {
    o.get(field).and_then(Value::as_str).unwrap_or_else(|| panic!("no string `{field}` in {o:?}"))
}

/// The events of each case, as (case id, its line indexes in the file), in file order.
fn events_by_case(events: &[String]) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, l) in events.iter().enumerate() {
        let case = str_of(&object(l), "case_id").to_owned();
        match out.iter_mut().find(|(c, _)| *c == case) {
            Some((_, idx)) => idx.push(i),
            None => out.push((case, vec![i])),
        }
    }
    out
}

fn file_report<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["files"]
        .as_array()
        .expect("`files` is an array")
        .iter()
        .find(|f| f["kind"] == kind)
        .unwrap_or_else(|| panic!("no `{kind}` file in {report}"))
}

fn count(v: &Value, field: &str) -> u64 {
    v[field].as_u64().unwrap_or_else(|| panic!("no count `{field}` in {v}"))
}

#[test]
fn a_synthetic_docket_imports_cleanly_and_importing_it_again_stores_nothing_new() {
    let t = Scratch::new();
    let (persons, events) = t.synthetic();
    let person_rows = lines(&persons).len() - 1;
    let event_rows = lines(&events).len();
    assert_eq!(person_rows, 300, "one person per case");
    assert!(event_rows > 600, "300 cases should have more than {event_rows} events");
    let rejects = t.path("rejects.jsonl");

    let first = t.run(&["import", s(&persons), s(&events), "--rejects", s(&rejects)]);
    first.expect_code(0);
    assert!(!rejects.exists(), "a clean import writes no rejects file");
    for (path, n) in [(&persons, person_rows), (&events, event_rows)] {
        let summary = format!("{}: {n} rows, {n} stored, 0 already stored, 0 rejected", path.display());
        assert!(first.stdout.contains(&summary), "expected `{summary}` in:\n{}", first.stdout);
    }
    assert_eq!(t.events_stored(), event_rows as u64);

    let again = t.run(&["--json", "import", s(&persons), s(&events), "--rejects", s(&rejects)]);
    again.expect_code(0);
    let report = again.json();
    let ev = file_report(&report, "events");
    assert_eq!(count(ev, "rows"), event_rows as u64);
    assert_eq!(count(ev, "duplicates"), event_rows as u64, "every event is reported as already stored");
    assert_eq!(count(ev, "stored"), 0);
    assert_eq!(count(ev, "rejected"), 0);
    let pe = file_report(&report, "persons");
    assert_eq!(count(pe, "rows"), person_rows as u64);
    assert_eq!(count(pe, "rejected"), 0);
    // A person row identical to the stored person is reported as already stored.
    assert_eq!(count(pe, "stored"), 0);
    assert_eq!(count(pe, "duplicates"), person_rows as u64);
    assert_eq!(report["rejects_file"], Value::Null);
    assert!(!rejects.exists(), "nothing rejected the second time either");
    assert_eq!(t.events_stored(), event_rows as u64, "the second import stored no event");

    let r = t.run(&["--json", "report", "--as-of", AS_OF]);
    r.expect_code(0);
    assert_eq!(r.json()["cases"], 300);
}

#[test]
fn synth_output_is_a_function_of_its_arguments() {
    let t = Scratch::new();
    let synth = |dir: &str, seed: &str| {
        let out = t.path(dir);
        t.run_bare(&["synth", "--cases", "300", "--seed", seed, "--as-of", AS_OF_DATE, "--out", s(&out)])
            .expect_code(0);
        let read = |name: &str| std::fs::read(out.join(name)).expect("synth wrote the file");
        (read("persons.csv"), read("events.jsonl"))
    };
    let a = synth("a", "5");
    let b = synth("b", "5");
    let c = synth("c", "6");
    assert!(a.0 == b.0, "persons.csv differs between two runs with the same arguments");
    assert!(a.1 == b.1, "events.jsonl differs between two runs with the same arguments");
    assert!(a.0 != c.0, "persons.csv is the same for seeds 5 and 6");
    assert!(a.1 != c.1, "events.jsonl is the same for seeds 5 and 6");
}

/// `synth --departures-variant` changes the departures only: the same persons and events, and
/// under `twins` more of the travellers are twins of a docket person than by default.
#[test]
fn the_departures_variant_changes_the_departures_only() {
    let t = Scratch::new();
    let synth = |dir: &str, variant: &str| {
        let out = t.path(dir);
        let args = ["synth", "--cases", "2000", "--seed", "3", "--as-of", AS_OF_DATE, "--departures", "2000"];
        t.run_bare(&[&args[..], &["--departures-variant", variant, "--out", s(&out)]].concat()).expect_code(0);
        let read = |name: &str| std::fs::read_to_string(out.join(name)).expect("synth wrote the file");
        let twins = read("departures-truth.csv").lines().filter(|l| l.contains(",twin,")).count();
        (read("persons.csv"), read("events.jsonl"), read("departures.jsonl"), twins)
    };
    let default = synth("default", "default");
    let twins = synth("twins", "twins");
    assert!(default.0 == twins.0 && default.1 == twins.1, "the docket differs between variants");
    assert!(default.2 != twins.2, "the departures are the same under `twins`");
    assert!(twins.3 > 2 * default.3.max(1), "twins: {} under `twins`, {} by default", twins.3, default.3);
}

/// A rejected row as the test expects it: line, field, and a fragment of the reason.
struct Expected {
    file: PathBuf,
    line: u64,
    field: &'static str,
    reason: String,
}

#[test]
fn bad_rows_are_rejected_with_file_line_and_field_and_every_other_row_is_stored() {
    let t = Scratch::new();
    let (persons, events) = t.synthetic();
    let mut ev = lines(&events);
    let original_events = ev.len();
    let mut pe = lines(&persons);
    let cases = events_by_case(&ev);
    let types =
        |idx: &[usize]| -> Vec<String> { idx.iter().map(|&i| str_of(&object(&ev[i]), "type").to_owned()).collect() };
    // Corrupt the last event of three cases: nothing later in a case depends on its last event.
    let with_history: Vec<&(String, Vec<usize>)> = cases.iter().filter(|(_, idx)| idx.len() >= 3).collect();
    let last = |k: usize| *with_history[k].1.last().expect("cases have events");
    let (bad_json, bad_time, unknown_field) = (last(0), last(1), last(2));
    // And add a removal to a fourth case that has no decision: the rules refuse it.
    let undecided = with_history[3..]
        .iter()
        .find(|(_, idx)| {
            types(idx).iter().all(|t| {
                !matches!(
                    t.as_str(),
                    "decision_issued"
                        | "case_closed"
                        | "removal_carried_out"
                        | "departure_verified"
                        | "citizenship_claim_raised"
                )
            })
        })
        .map(|(c, _)| c.clone())
        .expect("some synthetic case has no decision yet");

    ev[bad_json] = ev[bad_json][..40].to_owned();
    let mut o = object(&ev[bad_time]);
    o.insert("effective_at".into(), "2026-10-01T25:00:00Z".into());
    ev[bad_time] = Value::Object(o).to_string();
    let mut o = object(&ev[unknown_field]);
    o.insert("gps_location".into(), "40.7128,-74.0060".into());
    ev[unknown_field] = Value::Object(o).to_string();
    let event = |n: u32, case: &str, ty: &str, extra: &str| {
        format!(
            r#"{{"event_id":"00000000-0000-4000-8000-{n:012}","case_id":"{case}","type":"{ty}","effective_at":"2026-11-01T12:00:00-05:00","recorded_at":"2026-11-01T12:00:00-05:00","recorded_by":"test","source":"officer","idempotency_key":"test-{n}"{extra}}}"#
        )
    };
    ev.push(event(1, "C900000000", "notice_to_appear_served", ""));
    let not_opened = ev.len();
    ev.push(event(2, "C900000000", "case_opened", r#","person_id":"P000000000""#));
    ev.push(event(3, &undecided, "removal_carried_out", ""));
    let refused_removal = ev.len();
    pe.push("P999999999,A12345,Test,Person,given_first,,1980-01-01,M,MEX,,,".into());

    let bad_persons = t.path("persons-bad.csv");
    let bad_events = t.path("events-bad.jsonl");
    write_lines(&bad_persons, &pe);
    write_lines(&bad_events, &ev);
    let rejects = t.path("rejects.jsonl");
    let run = t.run(&["--json", "import", s(&bad_persons), s(&bad_events), "--rejects", s(&rejects)]);
    run.expect_code(4);

    let expected = [
        Expected { file: bad_events.clone(), line: bad_json as u64 + 1, field: "(record)", reason: "JSON".into() },
        Expected {
            file: bad_events.clone(),
            line: bad_time as u64 + 1,
            field: "effective_at",
            reason: "`2026-10-01T25:00:00Z` is not a timestamp".into(),
        },
        Expected {
            file: bad_events.clone(),
            line: unknown_field as u64 + 1,
            field: "gps_location",
            reason: "is not a field of any event type".into(),
        },
        Expected {
            file: bad_events.clone(),
            line: not_opened as u64,
            field: "type",
            reason: "case `C900000000` has not been opened".into(),
        },
        Expected {
            file: bad_events.clone(),
            line: refused_removal as u64,
            field: "type",
            reason: "no administratively final order of removal".into(),
        },
        Expected {
            file: bad_persons.clone(),
            line: 302,
            field: "a_number",
            reason: "`A12345` is not an A-number".into(),
        },
    ];
    let got: Vec<serde_json::Map<String, Value>> = lines(&rejects).iter().map(|l| object(l)).collect();
    let key = |file: &str, line: u64, field: &str| (file.to_owned(), line, field.to_owned());
    let got_keys: BTreeSet<_> = got
        .iter()
        .map(|r| key(str_of(r, "file"), r["line"].as_u64().expect("line is a number"), str_of(r, "field")))
        .collect();
    let want_keys: BTreeSet<_> = expected.iter().map(|e| key(s(&e.file), e.line, e.field)).collect();
    assert_eq!(got_keys, want_keys, "rejects (file, line, field)");
    assert_eq!(got.len(), expected.len(), "one reject per bad row");
    for e in &expected {
        let r = got
            .iter()
            .find(|r| r["line"] == e.line && str_of(r, "file") == s(&e.file))
            .expect("every expected reject is present");
        let reason = str_of(r, "reason");
        assert!(reason.contains(&e.reason), "line {}: reason `{reason}` lacks `{}`", e.line, e.reason);
        let source = if e.file == bad_events { &ev } else { &pe };
        assert_eq!(str_of(r, "record"), source[e.line as usize - 1], "line {}: the record is the line as read", e.line);
    }

    let report = run.json();
    let evr = file_report(&report, "events");
    assert_eq!(count(evr, "rows"), ev.len() as u64);
    assert_eq!(count(evr, "rejected"), 5);
    assert_eq!(count(evr, "stored"), ev.len() as u64 - 5, "every other event is stored");
    let per = file_report(&report, "persons");
    assert_eq!((count(per, "rows"), count(per, "stored"), count(per, "rejected")), (301, 300, 1));
    // The three corrupted lines are lost; the new case's opening is stored.
    assert_eq!(t.events_stored(), original_events as u64 - 3 + 1);
    let later = "2026-11-02T00:00:00Z";
    let opened = t.run(&["--json", "case", "show", "C900000000", "--as-of", later, "--purpose", "case_work"]);
    opened.expect_code(0);
    assert_eq!(opened.json()["stage"], "encountered", "the case opened after the refused event exists");
    // As of an instant before its opening, the case did not exist yet: nothing later shows.
    let before = t.run(&["--json", "case", "show", "C900000000", "--as-of", AS_OF, "--purpose", "case_work"]);
    assert_eq!(before.json()["stage"], "not_yet_opened");
}

#[test]
fn case_show_and_timeline_describe_a_case_and_name_an_unknown_one() {
    let t = Scratch::new();
    let (_, events) = t.imported();
    let ev = lines(&events);
    let cases = events_by_case(&ev);

    let json = t.run(&["--json", "case", "show", "C000000001", "--as-of", AS_OF, "--purpose", "case_work"]);
    json.expect_code(0);
    let shown = json.json();
    assert_eq!(shown["case_id"], "C000000001");
    let stage = shown["stage"].as_str().expect("`stage` is a string").to_owned();
    let text = t.run(&["case", "show", "C000000001", "--as-of", AS_OF, "--purpose", "case_work"]);
    text.expect_code(0);
    assert!(
        text.stdout.contains(&format!("Stage as of {AS_OF}: {stage}")),
        "the text names the stage `{stage}`:\n{}",
        text.stdout
    );

    // Stages that follow from the events alone.
    let types = |idx: &[usize]| -> Vec<String> {
        idx.iter().map(|&i| str_of(&object(&ev[i]), "type").to_owned()).collect::<Vec<_>>()
    };
    let only_opened = cases.iter().find(|(_, idx)| types(idx) == ["case_opened"]).expect("a case only opened");
    let removed =
        cases.iter().find(|(_, idx)| types(idx).iter().any(|t| t == "removal_carried_out")).expect("a removed case");
    for ((case, _), want) in [(only_opened, "encountered"), (removed, "removed")] {
        let r = t.run(&["--json", "case", "show", case, "--as-of", AS_OF, "--purpose", "case_work"]);
        r.expect_code(0);
        assert_eq!(r.json()["stage"], want, "stage of `{case}`");
    }

    let (case, idx) = cases.iter().find(|(c, _)| c == "C000000001").expect("case C000000001 is in the file");
    let want_ids: Vec<String> = idx.iter().map(|&i| str_of(&object(&ev[i]), "event_id").to_owned()).collect();
    let timeline = t.run(&["--json", "case", "timeline", case, "--purpose", "case_work"]);
    timeline.expect_code(0);
    let got_ids: Vec<String> = timeline
        .json()
        .as_array()
        .expect("the timeline is an array")
        .iter()
        .map(|e| e["event_id"].as_str().expect("events have ids").to_owned())
        .collect();
    assert_eq!(got_ids, want_ids, "the timeline lists the case's events in order");
    let text = t.run(&["case", "timeline", case, "--purpose", "case_work"]);
    text.expect_code(0);
    for id in &want_ids {
        assert!(text.stdout.contains(id.as_str()), "the text timeline lists event {id}");
    }
    let numbered = text.stdout.lines().filter(|l| l.trim_start().split(' ').next().is_some_and(is_number)).count();
    assert_eq!(numbered, want_ids.len(), "one numbered line per event:\n{}", text.stdout);

    for args in [["case", "show", "C999999999"], ["case", "timeline", "C999999999"]] {
        let mut with_purpose = args.to_vec();
        with_purpose.extend(["--purpose", "case_work"]);
        let r = t.run(&with_purpose);
        assert_ne!(r.code, 0, "`{}` of an unknown case succeeded", args.join(" "));
        assert!(r.stderr.contains("`C999999999`"), "the error names the case:\n{}", r.stderr);
        // Without a purpose nothing is read, not even whether the case exists.
        let r = t.run(&args);
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("`--purpose`") && !r.stderr.contains("C999999999"), "{}", r.stderr);
    }
}

fn is_number(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn rebuild_finds_tampered_projections_names_them_and_repairs_them() {
    let t = Scratch::new();
    t.imported();
    let report = || {
        let r = t.run(&["--json", "report", "--as-of", AS_OF]);
        r.expect_code(0);
        r.json()
    };
    let before = report();

    let clean = t.run(&["rebuild"]);
    clean.expect_code(0);
    assert!(clean.stdout.contains("all identical"), "a fresh import's projections are as rebuilt:\n{}", clean.stdout);

    {
        // An operator with write access to the file, behind Docket's back.
        let c = rusqlite::Connection::open(t.path("docket.db")).expect("open the database file");
        for sql in [
            "DELETE FROM case_projection WHERE case_id = 'C000000007'",
            "UPDATE case_projection SET detained = 1 - detained WHERE case_id = 'C000000042'",
        ] {
            assert_eq!(c.execute(sql, []).expect("tamper"), 1, "`{sql}` changed one row");
        }
    }
    assert_ne!(report()["cases"], before["cases"], "the report reads the tampered projections");

    let found = t.run(&["--json", "rebuild"]);
    found.expect_code(3);
    let r = found.json();
    assert_eq!(r["differing"], 2, "two projections were tampered with");
    let named: Vec<&str> = r["first_differing"].as_array().expect("ids").iter().filter_map(Value::as_str).collect();
    assert_eq!(named, ["C000000007", "C000000042"]);
    assert_eq!(report(), before, "after the rebuild the report is what it was before the tampering");

    let text = t.run(&["rebuild"]);
    text.expect_code(0);
    assert!(text.stdout.contains("all identical"), "the second rebuild finds nothing:\n{}", text.stdout);
}

#[test]
fn the_report_counts_every_case_once() {
    let t = Scratch::new();
    t.imported();
    let r = t.run(&["--json", "report", "--as-of", AS_OF]);
    r.expect_code(0);
    let report = r.json();
    assert_eq!(report["cases"], 300);
    let by_stage: u64 =
        report["by_stage"].as_object().expect("`by_stage` is an object").values().filter_map(Value::as_u64).sum();
    assert_eq!(by_stage, 300, "every case is in exactly one stage");
    assert!(count(&report, "open_cases") <= 300);
    let text = t.run(&["report", "--as-of", AS_OF]);
    text.expect_code(0);
    assert!(text.stdout.contains("300 cases"), "{}", text.stdout);
}

#[test]
fn demo_synthesizes_imports_and_summarizes() {
    let t = Scratch::new();
    let r = t.run_bare(&["demo", "--cases", "2000", "--dir", s(&t.path("demo"))]);
    r.expect_code(0);
    assert!(r.stdout.contains("Cases by stage"), "{}", r.stdout);
    assert!(r.stdout.contains("Synthesized 2000 cases"), "{}", r.stdout);
    assert!(r.stdout.contains("0 rows rejected"), "{}", r.stdout);
    assert!(t.path("demo/docket.db").exists(), "the demo database is kept for `case show`");
    assert_owner_only(&[t.path("demo/docket.db"), t.path("demo/persons.csv"), t.path("demo/events.jsonl")]);
}

#[test]
fn a_persons_file_without_a_required_column_or_of_an_unknown_kind_is_refused() {
    let t = Scratch::new();
    t.run(&["init"]).expect_code(0);
    let persons = t.path("persons.csv");
    write_lines(
        &persons,
        &["person_id,a_number,given_names,family_names,sex".into(), "P1,A123456789,Ana,Lopez,F".into()],
    );
    let r = t.run(&["import", s(&persons), "--rejects", s(&t.path("rejects.jsonl"))]);
    r.expect_code(1);
    assert!(r.stderr.contains("missing column `date_of_birth`"), "the error names the column:\n{}", r.stderr);

    let notes = t.path("cases.txt");
    write_lines(&notes, &["C1".into()]);
    let r = t.run(&["import", s(&notes)]);
    r.expect_code(1);
    assert!(r.stderr.contains("cases.txt"), "the error names the file:\n{}", r.stderr);
    assert!(r.stderr.contains("`.csv`") && r.stderr.contains("`.jsonl`"), "and the kinds accepted:\n{}", r.stderr);

    let conn = rusqlite::Connection::open(t.path("docket.db")).expect("open the database file");
    let stored: i64 = conn.query_row("SELECT count(*) FROM persons", [], |r| r.get(0)).expect("count persons");
    assert_eq!(stored, 0, "a refused file stores nothing");
}

#[test]
fn commands_on_a_database_never_initialized_say_to_run_init() {
    let t = Scratch::new();
    // A database file with no schema in it (an empty file is an empty SQLite database).
    std::fs::write(t.path("docket.db"), "").expect("write");
    std::fs::write(t.path("events.jsonl"), "").expect("write");
    for args in [vec!["report"], vec!["rebuild"], vec!["case", "show", "C000000001"], vec!["import", "events.jsonl"]] {
        let r = t.run(&args);
        assert_eq!(r.code, 1, "`{}` on an empty database\nstderr:\n{}", args.join(" "), r.stderr);
        assert!(r.stderr.contains("run `docket init`"), "`{}` says what to do:\n{}", args.join(" "), r.stderr);
    }
}

#[test]
fn migrate_status_lists_every_step_and_a_changed_one_is_refused_by_every_command() {
    let t = Scratch::new();
    let names = [
        "events_and_projections",
        "audit_ledger",
        "ledger_leaf_chunks",
        "citizenship_and_store_meta",
        "person_versions_and_ledger_keys",
        "adopted_policies",
        "departure_feed",
    ];
    // A database file with no schema yet: every step pending.
    std::fs::write(t.path("docket.db"), "").expect("write");
    let pending = t.run(&["--json", "migrate", "status"]);
    pending.expect_code(0);
    let j = pending.json();
    assert_eq!((j["schema_version"].as_i64(), j["program_schema_version"].as_i64()), (Some(0), Some(7)), "{j}");
    let steps = j["steps"].as_array().expect("steps");
    assert_eq!(steps.iter().map(|s| s["state"].as_str().unwrap_or("?")).collect::<Vec<_>>(), ["pending"; 7]);
    let text = t.run(&["migrate", "status"]);
    text.expect_code(0);
    assert!(text.stdout.contains("7 step(s) pending: `docket init` applies them"), "{}", text.stdout);

    t.run(&["init"]).expect_code(0);
    let text = t.run(&["migrate", "status"]);
    text.expect_code(0);
    assert!(text.stdout.starts_with(&format!("database `{}` is at schema version 7", t.db)), "{}", text.stdout);
    for name in names {
        let line =
            text.stdout.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{name} in:\n{}", text.stdout));
        assert!(line.contains(" applied ") && line.contains(", checksum "), "{line}");
    }
    let j = t.run(&["--json", "migrate", "status"]).expect_code(0).json();
    let steps = j["steps"].as_array().expect("steps");
    assert_eq!(steps.iter().map(|s| s["name"].as_str().unwrap_or("?")).collect::<Vec<_>>(), names);
    for step in steps {
        assert_eq!(step["state"], "applied", "{step}");
        assert!(step["expected_checksum"].as_str().is_some_and(|c| c.len() == 64), "{step}");
        assert_eq!(step["recorded_checksum"], step["expected_checksum"], "{step}");
    }
    let expected = steps[3]["expected_checksum"].as_str().expect("checksum").to_owned();

    // What an edited step looks like to a database that applied it.
    let conn = rusqlite::Connection::open(t.path("docket.db")).expect("open");
    conn.execute("UPDATE schema_migrations SET checksum = 'ffff0000' WHERE version = 4", []).expect("edit");
    drop(conn);
    let changed = t.run(&["migrate", "status"]);
    changed.expect_code(1);
    let line = changed.stdout.lines().find(|l| l.contains("citizenship_and_store_meta")).expect("step 4");
    assert!(line.contains("CHANGED") && line.contains("ffff0000") && line.contains(&expected), "{line}");
    assert!(
        changed.stdout.contains(
            "refused: step 4 `citizenship_and_store_meta` is changed; this program will neither open nor migrate"
        ),
        "{}",
        changed.stdout
    );
    let j = t.run(&["--json", "migrate", "status"]).expect_code(1).json();
    assert_eq!(
        (j["steps"][3]["state"].as_str(), j["steps"][3]["recorded_checksum"].as_str()),
        (Some("changed"), Some("ffff0000"))
    );
    for args in [vec!["report"], vec!["init"], vec!["case", "show", "C000000001", "--purpose", "case_work"]] {
        let r = t.run(&args);
        assert_eq!(r.code, 1, "`{}`\nstderr:\n{}", args.join(" "), r.stderr);
        for part in ["schema migration 4 `citizenship_and_store_meta`", "ffff0000", &expected, "migrate status"] {
            assert!(r.stderr.contains(part), "`{}` names `{part}`:\n{}", args.join(" "), r.stderr);
        }
    }
}

/// The fenced blocks of `docs/formats.md` in the given language.
fn fenced(doc: &str, lang: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_end()) {
            (None, l) if l == format!("```{lang}") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_examples_in_the_formats_document_are_what_docket_does() {
    let doc = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/formats.md"))
        .expect("docs/formats.md");
    let csv = fenced(&doc, "csv");
    let json = fenced(&doc, "json");
    assert_eq!(
        (csv.len(), json.len()),
        (1, 3),
        "one persons example, one events example, one rejects example, one departure record"
    );
    let (persons, events, rejects) = (&csv[0], &json[0], &json[1]);
    // The departure record is one the departure reader takes (as of the day after it).
    let today = docket_core::Date::parse("2026-12-07").expect("date");
    let departure = docket_store::wire::departure::parse_departure_line(json[2].trim(), today);
    assert!(departure.is_ok(), "the departure example: {departure:?}");

    let t = Scratch::new();
    t.run(&["init"]).expect_code(0);
    std::fs::write(t.path("persons.csv"), persons).expect("write");
    std::fs::write(t.path("events.jsonl"), events).expect("write");
    t.run(&["import", "persons.csv", "events.jsonl", "--rejects", "first.jsonl"]).expect_code(0);

    // The rejects example comes from the same files with the rejected rows added.
    let t = Scratch::new();
    t.run(&["init"]).expect_code(0);
    let mut persons = persons.clone();
    let mut events = events.clone();
    let mut added: Vec<_> = rejects.lines().map(object).collect();
    added.sort_by_key(|r| r["line"].as_u64());
    for r in &added {
        let target = if str_of(r, "file") == "persons.csv" { &mut persons } else { &mut events };
        target.push_str(str_of(r, "record"));
        target.push('\n');
        assert_eq!(Some(target.lines().count() as u64), r["line"].as_u64(), "the example's line numbers add up");
    }
    std::fs::write(t.path("persons.csv"), persons).expect("write");
    std::fs::write(t.path("events.jsonl"), events).expect("write");
    t.run(&["import", "persons.csv", "events.jsonl", "--rejects", "rejects.jsonl"]).expect_code(4);
    let got: Vec<Value> = lines(&t.path("rejects.jsonl")).iter().map(|l| Value::Object(object(l))).collect();
    let want: Vec<Value> = rejects.lines().map(|l| Value::Object(object(l))).collect();
    assert_eq!(got, want, "the rejects example in docs/formats.md");
}

#[test]
fn the_ledger_proves_events_and_catches_tampering() {
    let t = Scratch::new();
    t.imported();
    // The key was created by `init`, is readable by its owner only, and is never printed.
    let key_file = t.path("docket.db.ledger-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).expect("key file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "key file mode");
    }
    let secret = std::fs::read_to_string(&key_file).expect("key");
    for args in [&["init"][..], &["ledger", "key"], &["ledger", "checkpoint"], &["ledger", "verify"]] {
        let r = t.run(args);
        assert!(!r.stdout.contains("PRIVATE") && !r.stdout.contains(secret.trim()), "{args:?} printed the private key");
    }
    let v = t.run(&["--json", "ledger", "verify"]);
    v.expect_code(0);
    assert_eq!(v.json()["discrepancies"], 0);
    let leaves = v.json()["leaves"].as_u64().expect("leaves");
    let persons = v.json()["person_versions"].as_u64().expect("person versions");
    assert_eq!(persons, v.json()["persons"].as_u64().expect("persons"), "one version of each person");
    assert!(persons > 0);
    assert_eq!(leaves, t.events_stored() + persons);

    // A proof for an event verifies against the signed checkpoint with the public key alone.
    let vkey_text = t.run(&["ledger", "key"]).stdout.trim().to_owned();
    let conn = rusqlite::Connection::open(t.path("docket.db")).expect("open");
    let event_id: String =
        conn.query_row("SELECT event_id FROM events WHERE position = 42", [], |r| r.get(0)).expect("event");
    let b64 = |v: &Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.decode(v.as_str().expect("base64 text")).expect("base64")
    };
    let reads = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM access_log", [], |r| r.get(0)).expect("reads")
    };
    // Without a purpose the proof holds the leaf's hash alone, and nothing is read.
    let before = reads(&conn);
    let bare = t.run(&["--json", "ledger", "prove", &event_id]);
    bare.expect_code(0);
    let bare = bare.json()["proof"].clone();
    assert!(bare.get("leaf").is_none(), "no payload without a purpose: {bare}");
    assert_eq!(reads(&conn), before);
    // With one, the leaf's bytes, after a logged read of the case and its person.
    let p = t.run(&["--json", "ledger", "prove", &event_id, "--purpose", "oversight"]);
    p.expect_code(0);
    let p = p.json()["proof"].clone();
    assert_eq!(reads(&conn), before + 2, "the case and the person were read");
    let checkpoint =
        docket_ledger::verify_note(p["checkpoint"].as_str().expect("note"), &vkey_text).expect("checkpoint verifies");
    let path: Vec<Vec<u8>> = p["path"].as_array().expect("path").iter().map(b64).collect();
    let leaf = b64(&p["leaf"]);
    assert_eq!(b64(&bare["leaf_hash"]), docket_ledger::leaf_hash(&leaf).to_vec());
    docket_ledger::verify_inclusion(
        &docket_ledger::leaf_hash(&leaf),
        p["leaf_index"].as_u64().expect("index"),
        checkpoint.size(),
        &path,
        checkpoint.root(),
    )
    .expect("the proof verifies");
    // Every kind of leaf has a proof: a read, a version of a person's identity.
    t.run(&["ledger", "checkpoint"]).expect_code(0);
    let person: String = conn.query_row("SELECT person_id FROM persons LIMIT 1", [], |r| r.get(0)).expect("person");
    for leaf_ref in ["read/1".to_owned(), format!("person/{person}/1")] {
        let p = t.run(&["--json", "ledger", "prove", &leaf_ref, "--purpose", "oversight"]);
        p.expect_code(0);
        let p = p.json()["proof"].clone();
        let checkpoint = docket_ledger::verify_note(p["checkpoint"].as_str().expect("note"), &vkey_text).expect("note");
        let path: Vec<Vec<u8>> = p["path"].as_array().expect("path").iter().map(b64).collect();
        let leaf = b64(&p["leaf"]);
        let kind = if leaf_ref.starts_with("read") { "access" } else { "person" };
        assert!(leaf.starts_with(format!("docket-leaf/1 {kind}\n").as_bytes()), "{leaf_ref}");
        docket_ledger::verify_inclusion(
            &docket_ledger::leaf_hash(&leaf),
            p["leaf_index"].as_u64().expect("index"),
            checkpoint.size(),
            &path,
            checkpoint.root(),
        )
        .unwrap_or_else(|e| panic!("{leaf_ref}: {e}"));
    }
    let bad = t.run(&["ledger", "prove", "not-an-event-id"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("`not-an-event-id`"), "{}", bad.stderr);
    let unknown = t.run(&["ledger", "prove", "00000000-0000-0000-0000-000000000000"]);
    assert_ne!(unknown.code, 0);
    assert!(unknown.stderr.contains("no event `00000000-0000-0000-0000-000000000000`"), "{}", unknown.stderr);
    let unknown = t.run(&["ledger", "prove", "disclosure/999"]);
    assert_ne!(unknown.code, 0);
    assert!(unknown.stderr.contains("no disclosure `999`"), "{}", unknown.stderr);
    let backwards = t.run(&["ledger", "consistency", "20", "10"]);
    assert_ne!(backwards.code, 0);
    assert!(backwards.stderr.contains("0 < OLD <= NEW"), "{}", backwards.stderr);
    let c = t.run(&["--json", "ledger", "consistency", "10", &leaves.to_string()]);
    c.expect_code(0);
    let proof: Vec<Vec<u8>> = c.json()["proof"].as_array().expect("proof").iter().map(b64).collect();
    docket_ledger::verify_consistency(10, leaves, &b64(&c.json()["old_root"]), checkpoint.root(), &proof)
        .expect("the log only grew");

    // One byte of one stored event changed behind Docket's back: verify fails and says where.
    conn.execute("UPDATE events SET payload = replace(payload, '\"source\":\"import\"', '\"source\":\"officer\"') WHERE position = 42", [])
        .expect("tamper");
    let v = t.run(&["ledger", "verify"]);
    v.expect_code(5);
    assert!(v.stdout.contains("event at position 42"), "{}", v.stdout);
}

#[test]
fn every_read_of_a_case_needs_a_purpose_and_is_in_the_ledger() {
    let t = Scratch::new();
    t.imported();
    let r = t.run(&["case", "show", "C000000001"]);
    assert_ne!(r.code, 0, "a read without a purpose must be refused");
    assert!(r.stderr.contains("needs a stated purpose") && r.stderr.contains("counsel_request"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing of the record is shown: {}", r.stdout);
    // A purpose off the list is a usage error, and the list is in the message and in --help.
    let r = t.run(&["case", "timeline", "C000000001", "--purpose", "curiosity"]);
    r.expect_code(2);
    assert!(r.stderr.contains("curiosity") && r.stderr.contains("privacy_act_request"), "{}", r.stderr);

    let before = t.run(&["--json", "ledger", "verify"]).json()["leaves"].as_u64().expect("leaves");
    t.run(&["case", "show", "C000000001", "--purpose", "counsel_request"]).expect_code(0);
    t.run(&["case", "timeline", "C000000002", "--purpose", "oversight"]).expect_code(0);
    let v = t.run(&["--json", "ledger", "verify"]);
    v.expect_code(0);
    // The case view and the timeline show the person's identity: each a read of the case and
    // of the person.
    assert_eq!(v.json()["leaves"].as_u64(), Some(before + 4), "each read is a leaf");

    let conn = rusqlite::Connection::open(t.path("docket.db")).expect("open");
    let person: String = conn
        .query_row("SELECT record_id FROM access_log WHERE record_kind = 'person'", [], |r| r.get(0))
        .expect("the person read is logged");
    let shown = t.run(&["--json", "case", "show", "C000000001", "--purpose", "case_work"]).json();
    assert_eq!(shown["person"]["person_id"].as_str(), Some(person.as_str()), "the logged person is the one shown");
    conn.execute("DELETE FROM access_log WHERE id > 3", []).expect("forget the extra reads");
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT actor, purpose, record_id FROM access_log WHERE record_kind = 'case' ORDER BY id")
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        rows,
        vec![
            ("officer.test".into(), "counsel_request".into(), "C000000001".into()),
            ("officer.test".into(), "oversight".into(), "C000000002".into()),
        ]
    );
    // Rewriting who read the record is caught.
    conn.execute("UPDATE access_log SET actor = 'someone.else' WHERE record_id = 'C000000001'", []).expect("tamper");
    let v = t.run(&["ledger", "verify"]);
    v.expect_code(5);
    assert!(v.stdout.contains("someone.else read case `C000000001`"), "{}", v.stdout);
    // Erasing a read is caught too.
    conn.execute("DELETE FROM access_log WHERE record_id = 'C000000002'", []).expect("tamper");
    let v = t.run(&["ledger", "verify"]);
    assert!(v.stdout.contains("is missing: deleted"), "{}", v.stdout);
}

#[test]
fn every_read_of_a_person_needs_a_purpose_and_is_in_the_ledger() {
    let t = Scratch::new();
    t.imported();
    let case = t.run(&["--json", "case", "show", "C000000001", "--purpose", "case_work"]).json();
    let person = case["person"]["person_id"].as_str().expect("the case has a person record").to_owned();

    let r = t.run(&["person", "show", &person]);
    assert_ne!(r.code, 0, "a read without a purpose must be refused");
    assert!(r.stderr.contains("needs a stated purpose"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing of the record is shown: {}", r.stdout);
    let r = t.run(&["person", "show", "P999999998", "--purpose", "case_work"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("no person `P999999998`"), "{}", r.stderr);

    let before = t.run(&["--json", "ledger", "verify"]).json()["leaves"].as_u64().expect("leaves");
    let shown = t.run(&["--json", "person", "show", &person, "--purpose", "privacy_act_request"]);
    shown.expect_code(0);
    let shown = shown.json();
    assert_eq!(shown["name"], case["person"]["name"]);
    let cases: Vec<&str> =
        shown["cases"].as_array().expect("cases").iter().filter_map(|c| c["case_id"].as_str()).collect();
    assert!(cases.contains(&"C000000001"), "the person's cases are listed: {cases:?}");
    let text = t.run(&["person", "show", &person, "--purpose", "privacy_act_request"]);
    assert!(text.stdout.contains(&format!("Person {person}")) && text.stdout.contains("C000000001"), "{}", text.stdout);
    let v = t.run(&["--json", "ledger", "verify"]);
    v.expect_code(0);
    assert_eq!(v.json()["leaves"].as_u64(), Some(before + 2), "each read is a leaf");

    let conn = rusqlite::Connection::open(t.path("docket.db")).expect("open");
    let reads: i64 = conn
        .query_row(
            "SELECT count(*) FROM access_log WHERE record_kind = 'person' AND record_id = ?1 AND purpose = 'privacy_act_request'",
            [&person],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(reads, 2);
    conn.execute("UPDATE access_log SET purpose = 'oversight' WHERE purpose = 'privacy_act_request'", [])
        .expect("tamper");
    let v = t.run(&["ledger", "verify"]);
    v.expect_code(5);
    assert!(v.stdout.contains(&format!("read person `{person}`")), "{}", v.stdout);
}

#[test]
fn disclosures_are_accounted_for_and_bound_to_their_packets() {
    use sha2::Digest as _;
    let t = Scratch::new();
    t.imported();
    let packet = t.path("packet.json");
    let r = t.run(&[
        "disclose",
        "P000000003",
        "--recipient",
        "Office of the Inspector General",
        "--address",
        "245 Murray Lane SW\nWashington, DC 20528",
        "--purpose",
        "audit of case handling",
        "--out",
        s(&packet),
    ]);
    r.expect_code(0);
    let bytes = std::fs::read(&packet).expect("packet written");
    let sha: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let p: Value = serde_json::from_slice(&bytes).expect("packet is JSON");
    assert_eq!(p["person"]["person_id"], "P000000003");
    assert!(p["cases"][0]["timeline"].as_array().is_some_and(|t| !t.is_empty()), "the packet holds the timeline");
    assert!(p["cases"][0]["state"]["stage"].is_string(), "and the legal state");
    t.run(&[
        "disclose",
        "P000000003",
        "--recipient",
        "County Sheriff",
        "--address",
        "1 Main St",
        "--purpose",
        "warrant check",
        "--law-enforcement",
        "--out",
        s(&t.path("packet2.json")),
    ])
    .expect_code(0);

    // A disclosure without a recipient is refused, and nothing is recorded or written.
    let blank = t.run(&[
        "disclose",
        "P000000003",
        "--recipient",
        " ",
        "--address",
        "1 Main St",
        "--purpose",
        "x",
        "--out",
        s(&t.path("blank.json")),
    ]);
    assert_ne!(blank.code, 0);
    assert!(blank.stderr.contains("`--recipient` must not be empty"), "{}", blank.stderr);
    assert!(!t.path("blank.json").exists());

    // Oversight reads the whole accounting.
    let all = t.run(&["--json", "disclosures", "P000000003", "--purpose", "oversight"]);
    all.expect_code(0);
    let all = all.json();
    assert_eq!(all["law_enforcement_withheld"], false);
    let all = &all["disclosures"];
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    assert_eq!(all[0]["recipient_name"], "Office of the Inspector General");
    assert_eq!(all[0]["recipient_address"], "245 Murray Lane SW\nWashington, DC 20528");
    assert_eq!(all[0]["purpose"], "audit of case handling");
    assert_eq!(all[0]["packet_sha256"], sha.as_str());
    assert_eq!(all[1]["law_enforcement_b7"], true);
    // Given to the person (asked so, or read for their Privacy Act request or their counsel), the
    // accounting leaves out (b)(7) disclosures, as 5 U.S.C. 552a(c)(3) allows.
    for args in [
        &["--purpose", "oversight", "--for-the-person"][..],
        &["--purpose", "privacy_act_request"],
        &["--purpose", "counsel_request"],
    ] {
        let mut all_args = vec!["--json", "disclosures", "P000000003"];
        all_args.extend_from_slice(args);
        let for_person = t.run(&all_args).json();
        assert_eq!(for_person["law_enforcement_withheld"], true, "{args:?}");
        assert_eq!(
            for_person["disclosures"].as_array().map(Vec::len),
            Some(1),
            "{args:?}: (b)(7) disclosures are withheld from the person"
        );
    }
    assert_ne!(t.run(&["disclosures", "P000000003"]).code, 0, "reading the accounting needs a purpose too");

    let v = t.run(&["ledger", "verify"]);
    v.expect_code(0);
    let conn = rusqlite::Connection::open(t.path("docket.db")).expect("open");
    conn.execute("UPDATE disclosures SET recipient_name = 'Nobody' WHERE id = 2", []).expect("tamper");
    let v = t.run(&["ledger", "verify"]);
    v.expect_code(5);
    assert!(v.stdout.contains("disclosure 2 of person `P000000003` to Nobody"), "{}", v.stdout);
}

/// Checkpoints are kept outside the database too, and `ledger verify` holds the database to
/// them: deleting the stored checkpoints, or rolling the database back, fails verification.
#[test]
fn checkpoints_held_outside_the_database_catch_deletion_and_rollback() {
    let t = Scratch::new();
    t.imported();
    let kept = t.path("docket.db.checkpoints");
    let files: Vec<_> = std::fs::read_dir(&kept).expect("checkpoint directory").collect();
    assert_eq!(files.len(), 2, "one for init, one for the import");
    // A copy of the database as it is now, for the rollback.
    let earlier = t.path("earlier.db");
    std::fs::copy(t.path("docket.db"), &earlier).expect("copy");
    // Grow: a read, then a checkpoint.
    t.run(&["case", "show", "C000000001", "--purpose", "case_work"]).expect_code(0);
    t.run(&["ledger", "checkpoint"]).expect_code(0);
    let v = t.run(&["--json", "ledger", "verify"]);
    v.expect_code(0);
    assert_eq!((v.json()["trusted_checked"].as_u64(), v.json()["discrepancies"].as_u64()), (Some(3), Some(0)));
    let listed = t.run(&["--json", "ledger", "checkpoints"]);
    listed.expect_code(0);
    let listed = listed.json()["checkpoints"].as_array().expect("checkpoints").clone();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["tree_size"], 0, "the empty ledger, signed at init");
    assert!(listed[2]["key"].as_str().is_some_and(|k| k.starts_with("docket-")), "{listed:?}");

    // The stored checkpoints deleted: clean for the database alone, caught with the files.
    rusqlite::Connection::open(t.path("docket.db"))
        .expect("open")
        .execute("DELETE FROM ledger_checkpoints", [])
        .expect("delete");
    let alone = t.run(&["--json", "--checkpoint-dir", "nowhere", "ledger", "verify"]);
    assert_eq!(alone.json()["discrepancies"], 0, "the database alone cannot tell");
    let v = t.run(&["ledger", "verify"]);
    v.expect_code(5);
    assert!(v.stdout.contains("is not among the database's checkpoints: deleted"), "{}", v.stdout);

    // The database rolled back to the copy: consistent in itself, behind the newest file.
    std::fs::copy(&earlier, t.path("docket.db")).expect("roll back");
    let _ = std::fs::remove_file(t.path("docket.db-wal"));
    let _ = std::fs::remove_file(t.path("docket.db-shm"));
    let newest = std::fs::read_dir(&kept).expect("dir").filter_map(|e| e.ok().map(|e| e.path())).max().expect("a file");
    let alone = t.run(&["--json", "--checkpoint-dir", "nowhere", "ledger", "verify"]);
    assert_eq!(alone.json()["discrepancies"], 0, "the database alone cannot tell");
    let v = t.run(&["ledger", "verify", "--trusted", s(&newest)]);
    v.expect_code(5);
    assert!(v.stdout.contains("the ledger was rolled back"), "{}", v.stdout);
}

/// A command that must sign and cannot says so and fails; `init` never makes a new key for a
/// ledger that has checkpoints.
fn a_missing_key_is_an_error_and_init_does_not_replace_it(t: Scratch) {
    let (persons, events) = t.synthetic();
    let key = t.default_key();
    std::fs::rename(&key, t.path("elsewhere.key")).expect("move the key");
    let r = t.run(&["import", s(&persons), s(&events), "--rejects", s(&t.path("rejects.jsonl"))]);
    r.expect_code(1);
    assert!(r.stdout.contains("300 stored"), "the summary is printed: {}", r.stdout);
    assert!(r.stderr.contains("no checkpoint was signed") && r.stderr.contains("cannot read it"), "{}", r.stderr);
    let r = t.run(&["init"]);
    r.expect_code(1);
    assert!(r.stderr.contains("a new key would leave them unverifiable"), "{}", r.stderr);
    assert!(!key.exists(), "no new key was made");
    // With the key given, the import's rows are bound by a checkpoint.
    let checkpoints = t.default_checkpoints();
    t.run(&["--ledger-key", "elsewhere.key", "--checkpoint-dir", s(&checkpoints), "ledger", "checkpoint"])
        .expect_code(0);
    t.run(&["--ledger-key", "elsewhere.key", "--checkpoint-dir", s(&checkpoints), "ledger", "verify"]).expect_code(0);
}

#[test]
fn a_missing_key_is_an_error_and_init_does_not_replace_it_sqlite() {
    a_missing_key_is_an_error_and_init_does_not_replace_it(Scratch::new());
}

#[test]
fn a_missing_key_is_an_error_and_init_does_not_replace_it_postgres() {
    a_missing_key_is_an_error_and_init_does_not_replace_it(Scratch::postgres());
}

/// A password in the database URL is never echoed, in output or in errors.
#[test]
fn a_database_password_is_never_shown() {
    let t = Scratch::new();
    for args in [&["report"][..], &["init"], &["ledger", "verify"]] {
        let mut all = vec!["--db", "postgres://docket:hunter2@127.0.0.1:1/docket"];
        all.extend_from_slice(args);
        let r = t.run_bare(&all);
        assert_ne!(r.code, 0);
        assert!(!r.stdout.contains("hunter2") && !r.stderr.contains("hunter2"), "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("postgres://docket:***@127.0.0.1:1/docket"), "{args:?}: {}", r.stderr);
    }
}

/// A case projection altered behind Docket's back makes `report` print a false figure; `ledger
/// verify` recomputes the projections from the events and fails until `rebuild` repairs them.
#[test]
fn verify_finds_an_altered_projection_and_rebuild_repairs_it() {
    let t = Scratch::new();
    t.imported();
    t.run(&["ledger", "verify"]).expect_code(0);
    let conn = rusqlite::Connection::open(t.path("docket.db")).expect("open");
    conn.execute("UPDATE case_projection SET detained = 1 - detained WHERE case_id = 'C000000003'", [])
        .expect("tamper");
    let v = t.run(&["--json", "ledger", "verify"]);
    v.expect_code(5);
    assert_eq!(v.json()["projections_differing"], 1);
    assert_eq!(v.json()["first_differing_projections"][0], "C000000003");
    let v = t.run(&["ledger", "verify"]);
    assert!(v.stdout.contains("1 of 300 case projections differ from the events (C000000003)"), "{}", v.stdout);
    // `rebuild` says it replaced drifted projections (exit status 3), and verify is clean again.
    t.run(&["rebuild"]).expect_code(3);
    t.run(&["ledger", "verify"]).expect_code(0);
}

/// A file's permission bits.
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).unwrap_or_else(|e| panic!("`{}`: {e}", p.display())).permissions().mode() & 0o777
}

#[track_caller]
fn assert_owner_only(paths: &[PathBuf]) {
    let wider: Vec<String> =
        paths.iter().filter(|p| mode(p) != 0o600).map(|p| format!("`{}` is {:o}", p.display(), mode(p))).collect();
    assert!(
        wider.is_empty(),
        "files holding personal data must be readable by their owner alone: {}",
        wider.join(", ")
    );
}

#[test]
fn files_that_hold_personal_data_are_readable_by_their_owner_alone() {
    let t = Scratch::new();
    let (persons, events) = t.synthetic();
    // SQLite deletes the WAL and shared-memory files when the last connection closes: one held
    // open here keeps them while `docket` writes through them.
    let held = rusqlite::Connection::open(t.path("docket.db")).expect("open the database");
    let _: i64 = held.query_row("SELECT count(*) FROM persons", [], |r| r.get(0)).expect("read it");
    // A synthetic docket written over a world-readable one is owner-only too.
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&persons, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let out = t.path("out");
    t.run_bare(&["synth", "--cases", "300", "--seed", "5", "--as-of", AS_OF_DATE, "--out", s(&out)]).expect_code(0);
    let bad = t.path("bad.jsonl");
    write_lines(&bad, &["not an event".into()]);
    let (rejects, commits) = (t.path("rejects.jsonl"), t.path("commits.log"));
    let import = [s(&persons), s(&events), s(&bad), "--rejects", s(&rejects), "--commit-log", s(&commits)];
    t.run(&[&["import"][..], &import].concat()).expect_code(4);
    let packet = t.path("packet.json");
    t.run(&["disclose", "P000000003", "--recipient", "R", "--address", "A", "--purpose", "P", "--out", s(&packet)])
        .expect_code(0);
    let (wal, shm) = (t.path("docket.db-wal"), t.path("docket.db-shm"));
    assert!(wal.exists() && shm.exists(), "the WAL and shared-memory files are there to be judged");
    assert_owner_only(&[
        t.path("docket.db"),
        wal,
        shm,
        t.path("docket.db.ledger-key"),
        persons,
        events,
        rejects,
        commits,
        packet,
    ]);
    drop(held);
}

#[test]
fn a_command_where_there_is_no_database_creates_none_and_says_how_to_make_one() {
    let t = Scratch::new();
    std::fs::write(t.path("events.jsonl"), "").expect("write");
    let commands: [&[&str]; 14] = [
        &["report"],
        &["migrate", "status"],
        &["case", "show", "C000000001", "--purpose", "case_work"],
        &["case", "timeline", "C000000001", "--purpose", "case_work"],
        &["person", "show", "P000000001", "--purpose", "case_work"],
        &["disclosures", "P000000001", "--purpose", "oversight"],
        &["disclose", "P000000001", "--recipient", "R", "--address", "A", "--purpose", "P", "--out", "p.json"],
        &["rebuild"],
        &["ledger", "verify"],
        &["ledger", "prove", "0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"],
        &["ledger", "consistency", "1", "2"],
        &["ledger", "checkpoint"],
        &["ledger", "key"],
        &["import", "events.jsonl"],
    ];
    for args in commands {
        // No `--db`: the default, `docket.db` in the working directory.
        let r = t.run_env(Stdio::piped(), args, Some("officer.test"));
        assert_eq!(r.code, 1, "`{}`\nstderr:\n{}", args.join(" "), r.stderr);
        assert!(
            r.stderr.contains("no database exists at `docket.db`") && r.stderr.contains("docket init"),
            "`{}` says there is no database and how to make one:\n{}",
            args.join(" "),
            r.stderr
        );
        let mut left: Vec<String> = std::fs::read_dir(t.dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["events.jsonl"], "`{}` created files", args.join(" "));
    }
}

#[test]
fn output_that_cannot_be_written_fails_the_command_and_a_closed_pipe_does_not() {
    let t = Scratch::new();
    t.imported();
    let full = || Stdio::from(std::fs::OpenOptions::new().write(true).open("/dev/full").expect("open /dev/full"));
    let reads: [&[&str]; 3] =
        [&["report"], &["--json", "report"], &["case", "timeline", "C000000001", "--purpose", "case_work"]];
    for args in reads {
        let all = [&["--db", t.db.as_str()][..], args].concat();
        let r = t.run_env(full(), &all, Some("officer.test"));
        assert_eq!(r.code, 1, "`{}` to a full device\nstderr:\n{}", args.join(" "), r.stderr);
        assert!(
            r.stderr.contains("standard output") && r.stderr.contains("No space left on device"),
            "`{}` says what failed:\n{}",
            args.join(" "),
            r.stderr
        );
    }
    // A reader that stops reading (`docket report | head -1`) is no error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["--db", t.db.as_str(), "report"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the docket binary runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "quietly: {}", String::from_utf8_lossy(&out.stderr));
}

/// Runs `docket disclose` of person P000000003 with the packet to `out`.
fn disclose(t: &Scratch, out: &Path) -> Run {
    t.run(&[
        "disclose",
        "P000000003",
        "--recipient",
        "County Court",
        "--address",
        "1 Main St",
        "--purpose",
        "subpoena",
        "--out",
        s(out),
    ])
}

/// The disclosures of P000000003 in its accounting, read for oversight.
fn accounted(t: &Scratch) -> Vec<Value> {
    let r = t.run(&["--json", "disclosures", "P000000003", "--purpose", "oversight"]);
    r.expect_code(0);
    r.json()["disclosures"].as_array().cloned().expect("`disclosures` is an array")
}

/// The ledger's size (verifying it adds no leaf).
fn ledger_leaves(t: &Scratch) -> u64 {
    let r = t.run(&["--json", "ledger", "verify"]);
    r.expect_code(0);
    r.json()["leaves"].as_u64().expect("`leaves`")
}

/// The names in the scratch directory that start with a dot (a temporary file left behind).
fn hidden_files(t: &Scratch) -> Vec<String> {
    std::fs::read_dir(t.dir.path())
        .expect("list the scratch directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn a_packet_that_cannot_be_written_is_not_a_disclosure() {
    let t = Scratch::new();
    t.imported();
    std::fs::write(t.path("notes.txt"), "a file, not a directory").expect("write");
    let leaves = ledger_leaves(&t);
    for out in [t.path("nowhere/packet.json"), t.path("notes.txt/packet.json")] {
        let r = disclose(&t, &out);
        assert_eq!(r.code, 1, "a packet to `{}` cannot be written\nstderr:\n{}", out.display(), r.stderr);
        assert!(r.stderr.contains("nothing was disclosed"), "the error says nothing was disclosed:\n{}", r.stderr);
        assert_eq!(ledger_leaves(&t), leaves, "no disclosure leaf for a packet to `{}`", out.display());
    }
    assert_eq!(accounted(&t), Vec::<Value>::new(), "the accounting lists no disclosure that did not happen");
    assert_eq!(hidden_files(&t), Vec::<String>::new(), "no temporary packet is left behind");
}

#[test]
fn a_packet_never_overwrites_a_file() {
    use sha2::Digest as _;
    let t = Scratch::new();
    t.imported();
    let earlier = t.path("packet.json");
    std::fs::write(&earlier, "an earlier packet").expect("write");
    let leaves = ledger_leaves(&t);
    let r = disclose(&t, &earlier);
    assert_eq!(r.code, 1, "stderr:\n{}", r.stderr);
    assert!(r.stderr.contains("already exists"), "the error says why:\n{}", r.stderr);
    assert!(r.stderr.contains("nothing was disclosed"), "and that nothing was disclosed:\n{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&earlier).expect("read"), "an earlier packet", "the file is untouched");
    assert_eq!(ledger_leaves(&t), leaves, "nothing is recorded");
    assert_eq!(accounted(&t), Vec::<Value>::new());

    // A repeated `--out` keeps the first packet, and the accounting the first disclosure only.
    let fresh = t.path("packet-2.json");
    disclose(&t, &fresh).expect_code(0);
    let first = std::fs::read(&fresh).expect("the packet is written");
    let again = disclose(&t, &fresh);
    assert_eq!(again.code, 1, "stderr:\n{}", again.stderr);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert!(std::fs::read(&fresh).expect("read") == first, "the first packet is untouched");
    let sha: String = sha2::Sha256::digest(&first).iter().map(|b| format!("{b:02x}")).collect();
    let listed = accounted(&t);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["packet_sha256"], sha.as_str(), "the one accounted for is the packet written");
    assert_eq!(hidden_files(&t), Vec::<String>::new(), "no temporary packet is left behind");
}

/// Each outcome has its own exit status, and under `--json` an error is JSON too.
#[test]
fn exit_statuses_are_distinct_and_errors_under_json_are_json() {
    let t = Scratch::new();
    let usage = t.run(&["report", "--no-such-option"]);
    usage.expect_code(2);
    let usage = t.run(&["--json", "report", "--no-such-option"]);
    usage.expect_code(2);
    let e: Value = serde_json::from_str(usage.stderr.trim()).expect("a JSON error");
    assert_eq!((e["error"]["kind"].as_str(), e["error"]["exit_status"].as_u64()), (Some("usage"), Some(2)));
    assert!(e["error"]["causes"][0].as_str().is_some_and(|c| c.contains("--no-such-option")), "{e}");
    // No database: a failure (1), in JSON under --json, with the cause.
    let none = t.run(&["--json", "report"]);
    none.expect_code(1);
    let e: Value = serde_json::from_str(none.stderr.trim()).expect("a JSON error");
    assert_eq!(e["error"]["kind"], "failed");
    assert!(e["error"].to_string().contains("no database exists"), "{e}");
    assert!(none.stdout.is_empty());
    // Help is not an error.
    t.run(&["--json", "report", "--help"]).expect_code(0);
}

/// `ledger rotate-key` replaces the key: later imports sign with the new one, earlier
/// checkpoints still verify, and a verifier holding only the old verifier key checks it all.
#[test]
fn a_rotated_key_signs_what_follows_and_the_old_key_still_verifies() {
    let t = Scratch::new();
    let (persons, events) = t.imported();
    let old = t.run(&["ledger", "key"]).stdout.trim().to_owned();
    let r = t.run(&["--json", "ledger", "rotate-key"]);
    r.expect_code(0);
    let retired = PathBuf::from(r.json()["retired_key_file"].as_str().expect("retired file"));
    assert!(retired.exists(), "the old key is kept");
    let new = t.run(&["ledger", "key"]).stdout.trim().to_owned();
    assert_ne!(old, new);
    // Nothing new: the rotation's checkpoint stands. After a read, the new key signs.
    let _ = (persons, events);
    t.run(&["ledger", "checkpoint"]).expect_code(0);
    t.run(&["case", "show", "C000000001", "--purpose", "case_work"]).expect_code(0);
    t.run(&["ledger", "checkpoint"]).expect_code(0);
    let listed = t.run(&["--json", "ledger", "checkpoints"]).json()["checkpoints"].clone();
    let keys: Vec<&str> = listed.as_array().expect("list").iter().filter_map(|c| c["key"].as_str()).collect();
    assert!(keys.len() >= 3 && keys[0] != keys[keys.len() - 1], "signed by both keys: {keys:?}");
    t.run(&["ledger", "verify"]).expect_code(0);
    t.run(&["ledger", "verify", "--vkey", &old]).expect_code(0);
    // The retired key signs nothing any more.
    let r = t.run(&["--ledger-key", s(&retired), "ledger", "checkpoint"]);
    r.expect_code(1);
    assert!(r.stderr.contains("is not the ledger's current key"), "{}", r.stderr);
}

/// `export` writes the docket in the formats `import` reads: imported into a new database it
/// gives the same cases, events and persons. It is a logged read, and never writes over files.
#[test]
fn an_exported_docket_imports_into_a_new_database_unchanged() {
    let t = Scratch::new();
    t.imported();
    let r = t.run(&["export", "--out", "moved"]);
    r.expect_code(1);
    assert!(r.stderr.contains("purpose"), "{}", r.stderr);
    let r = t.run(&["--json", "export", "--out", "moved", "--purpose", "data_correction"]);
    r.expect_code(0);
    assert_eq!(r.json()["persons"], 300);
    assert_eq!(mode(&t.path("moved/persons.csv")), 0o600);
    t.run(&["export", "--out", "moved", "--purpose", "data_correction"]).expect_code(1);
    // Into a new SQLite database, and into PostgreSQL: the way a docket moves between them.
    let pg = Scratch::postgres();
    for other in [format!("sqlite://{}", t.path("other.db").display()), pg.db.clone()] {
        let on = |args: &[&str]| {
            let mut all = vec!["--db", other.as_str()];
            all.extend_from_slice(args);
            t.run_env(Stdio::piped(), &all, Some("officer.test"))
        };
        on(&["init"]).expect_code(0);
        let imported =
            on(&["--json", "import", "moved/persons.csv", "moved/events.jsonl", "--rejects", "moved.rejects"]);
        imported.expect_code(0);
        let a = t.run(&["--json", "report", "--as-of", AS_OF]).json();
        let b = on(&["--json", "report", "--as-of", AS_OF]).json();
        assert_eq!(a, b, "the same docket in {other}");
        for case in ["C000000007", "C000000123"] {
            let args = ["--json", "case", "show", case, "--purpose", "oversight", "--as-of", AS_OF];
            let (a, b) = (t.run(&args).json(), on(&args).json());
            assert!(a["stage"].is_string() && a["events_recorded"].as_u64().is_some_and(|n| n > 0), "{a}");
            assert_eq!(a, b, "case {case} reads the same in {other}");
        }
        on(&["ledger", "verify"]).expect_code(0);
    }
}

/// The subcommands `--help` lists, nested ones included (`case show`, `ledger verify`...).
fn subcommands(t: &Scratch, prefix: &[&str]) -> Vec<Vec<String>> {
    let help = t.run_bare(&[prefix, &["--help"]].concat()).stdout;
    let mut out = Vec::new();
    let mut listing = false;
    for line in help.lines() {
        if line.starts_with("Commands:") {
            listing = true;
            continue;
        }
        if listing {
            let Some(name) = line.strip_prefix("  ").and_then(|l| l.split_whitespace().next()) else { break };
            if name == "help" {
                continue;
            }
            let path: Vec<&str> = [prefix, &[name]].concat();
            let nested = subcommands(t, &path);
            if nested.is_empty() {
                out.push(path.iter().map(|s| s.to_string()).collect());
            } else {
                out.extend(nested);
            }
        }
    }
    out
}

/// Every subcommand: `--help` works, an unknown option is a usage error (2), in JSON under
/// `--json`, and in an empty folder no command but `init` creates a database.
#[test]
fn every_subcommand_answers_help_usage_errors_and_json_errors_alike() {
    let t = Scratch::new();
    let all = subcommands(&t, &[]);
    assert!(all.len() >= 20, "{all:?}");
    for cmd in &all {
        let cmd: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let help = t.run_bare(&[&cmd[..], &["--help"]].concat());
        assert_eq!(help.code, 0, "{cmd:?} --help: {}", help.stderr);
        assert!(help.stdout.contains("Usage:"), "{cmd:?}");
        let wrong = t.run_bare(&[&["--json"], &cmd[..], &["--no-such-option"]].concat());
        assert_eq!(wrong.code, 2, "{cmd:?}: {}", wrong.stderr);
        let e: Value = serde_json::from_str(wrong.stderr.trim())
            .unwrap_or_else(|err| panic!("{cmd:?}: not a JSON error ({err}): {}", wrong.stderr));
        assert_eq!(e["error"]["kind"], "usage", "{cmd:?}");
        assert!(wrong.stdout.is_empty(), "{cmd:?}");
    }
    assert!(!t.path("docket.db").exists(), "no command created a database");
}

/// A global option given to a command that does not use it is a usage error, not ignored.
#[test]
fn options_a_command_does_not_use_are_refused() {
    let t = Scratch::new();
    for args in [
        &["--db", "postgres://x@127.0.0.1:1/x", "demo", "--cases", "10", "--dir", "d"][..],
        &["--db", "nonsense://x", "synth", "--cases", "10", "--out", "s"],
        &["--actor", "someone", "link-data", "--kind", "febrl", "--out", "l"],
        &["--ledger-key", "k", "synth", "--cases", "10", "--out", "s"],
        // Commands that record nothing under a name, or sign and verify nothing.
        &["--actor", "someone", "report"],
        &["--actor", "someone", "rebuild"],
        &["--actor", "someone", "init"],
        &["--actor", "someone", "ledger", "verify"],
        &["--actor", "someone", "ledger", "prove", "read/1"],
        &["--actor", "someone", "migrate", "status"],
        &["--ledger-key", "k", "case", "show", "C000000001", "--purpose", "case_work"],
        &["--checkpoint-dir", "c", "report"],
        &["--ledger-key", "k", "ledger", "consistency", "1", "2"],
        &["--ledger-key", "k", "evaluate", "--purpose", "oversight"],
        &["--checkpoint-dir", "c", "worklist", "blocked", "--purpose", "case_work"],
        &["--ledger-key", "k", "policy", "adopt", "p.cedar", "--effective", "2027-01-01T00:00:00Z"],
    ] {
        let r = t.run_bare(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("means nothing to"), "{args:?}: {}", r.stderr);
    }
    assert!(!t.path("d").exists() && !t.path("s").exists() && !t.path("l").exists(), "nothing was written");
    assert!(!t.path("docket.db").exists(), "no database was made");
    // Where it means something, it is taken: a proof with a purpose records a read by the actor.
    t.run(&["init"]).expect_code(0);
    let r = t.run_bare(&["--actor", "someone", "ledger", "prove", "read/1", "--purpose", "oversight"]);
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains("means nothing to"), "{}", r.stderr);
}

/// `case show` gives each action's gate; `evaluate` counts them over the docket and
/// `worklist` lists cases by what they wait for, each one logged read; what one says of a case
/// the others agree with.
#[test]
fn gates_evaluation_and_worklists_agree_and_each_is_one_logged_read() {
    let t = Scratch::new();
    t.imported();
    let before = ledger_leaves(&t);
    let e = t.run(&["--json", "evaluate", "--purpose", "oversight", "--as-of", AS_OF]);
    e.expect_code(0);
    assert_eq!(ledger_leaves(&t), before + 1, "one read of the docket");
    let e = e.json();
    assert_eq!(e["cases"], 300);
    assert_eq!(e["recorded_as"], format!("evaluate,as_of={AS_OF}"));
    let actions = e["actions"].as_array().expect("actions");
    let names: Vec<&str> = actions.iter().map(|a| a["action"].as_str().expect("name")).collect();
    assert_eq!(names, ["arrest", "detain", "continue_detention", "transfer", "remove", "release"]);
    for a in actions {
        assert_eq!(count(a, "allowed") + count(a, "denied"), 300, "{a}");
        let most = a["by_rule"].as_array().expect("rules").iter().map(|r| count(r, "cases")).max().unwrap_or(0);
        assert!(most <= count(a, "denied"), "no rule denies more cases than are denied: {a}");
    }
    let text = t.run(&["evaluate", "--purpose", "oversight", "--as-of", AS_OF]);
    text.expect_code(0);
    assert!(text.stdout.contains("Gates of 300 cases") && text.stdout.contains("no_final_order"), "{}", text.stdout);
    assert_eq!(t.run(&["evaluate", "--as-of", AS_OF]).code, 1, "a read of the docket states its purpose");

    // Every case ready for removal is one whose own view allows removal.
    let ready = t.run(&["--json", "worklist", "removal-ready", "--purpose", "case_work", "--as-of", AS_OF]);
    ready.expect_code(0);
    let ready = ready.json();
    let removable = actions[4]["allowed"].as_u64().expect("count");
    let rows = ready["rows"].as_array().expect("rows");
    assert!(!rows.is_empty() && count(&ready, "matching") <= removable, "{ready}");
    for row in rows.iter().take(3) {
        let case = row["case_id"].as_str().expect("case id");
        let v = t.run(&["--json", "case", "show", case, "--purpose", "case_work", "--as-of", AS_OF]);
        v.expect_code(0);
        let v = v.json();
        assert_eq!(v["gates"]["actions"][4]["action"], "remove");
        assert_eq!(v["gates"]["actions"][4]["decision"], "allow", "{case}: {}", v["gates"]);
        // Ready: to the designated country, with a valid travel document that country issued.
        let designated = &v["designated_country"]["country"];
        assert!(designated.is_string(), "{case}: {v}");
        assert_eq!(&v["gates"]["actions"][4]["destination"], designated, "{case}");
        assert_eq!(&v["travel_document"]["issuing_country"], designated, "{case}");
        assert_eq!(v["travel_document"]["valid"], true, "{case}");
        let items: Vec<&str> =
            row["items"].as_array().expect("items").iter().filter_map(|i| i["rule"].as_str()).collect();
        assert_eq!(items[1..], ["designated_country", "travel_document"], "{case}: {row}");
    }
    // Every blocked case names its blockers, each with its rule; the text says the same.
    let blocked = t.run(&["--json", "worklist", "blocked", "--purpose", "case_work", "--as-of", AS_OF, "--limit", "5"]);
    blocked.expect_code(0);
    let blocked = blocked.json();
    let rows = blocked["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 5);
    assert!(count(&blocked, "matching") + count(&ready, "matching") <= 300);
    for row in rows {
        let items = row["items"].as_array().expect("items");
        assert!(!items.is_empty() && items.iter().all(|i| i["rule"].is_string()), "{row}");
        let case = row["case_id"].as_str().expect("case id");
        let v = t.run(&["--json", "case", "show", case, "--purpose", "case_work", "--as-of", AS_OF]).json();
        assert_eq!(v["gates"]["actions"][4]["decision"], "deny", "{case}")
    }
    let first = rows[0]["case_id"].as_str().expect("case id");
    let text = t.run(&["worklist", "blocked", "--purpose", "case_work", "--as-of", AS_OF, "--limit", "5"]);
    assert!(text.stdout.contains(first) && text.stdout.contains("the first 5 shown"), "{}", text.stdout);
    // Deadlines fall within the days asked for.
    let soon =
        t.run(&["--json", "worklist", "deadlines", "--within", "20", "--purpose", "case_work", "--as-of", AS_OF]);
    soon.expect_code(0);
    for row in soon.json()["rows"].as_array().expect("rows") {
        for item in row["items"].as_array().expect("items") {
            let due = item["due"].as_str().expect("a due date");
            assert!(("2026-10-31".."2026-11-22").contains(&due), "{row}");
        }
    }
    let before = ledger_leaves(&t);
    t.run(&["worklist", "deadlines", "--purpose", "case_work"]).expect_code(0);
    assert_eq!(ledger_leaves(&t), before + 1, "one read per worklist");
    assert_eq!(t.run(&["worklist", "tiers", "--purpose", "case_work"]).code, 2, "not a worklist");
    let within = t.run(&["worklist", "blocked", "--within", "5", "--purpose", "case_work"]);
    assert_eq!(within.code, 2, "`--within` bounds deadlines alone: {}", within.stderr);
    assert!(within.stderr.contains("means nothing"), "{}", within.stderr);
    let shown = t.run(&["case", "show", first, "--purpose", "case_work", "--as-of", AS_OF]);
    assert!(shown.stdout.contains("Gates (statutory layer") && shown.stdout.contains("remove"), "{}", shown.stdout);
    assert!(shown.stdout.contains("Country of removal: "), "{}", shown.stdout);
}

/// Adopting a policy records its text under its header's name as a ledger leaf, provable and
/// verified; the same version again, or a header missing a field, is refused.
#[test]
fn a_policy_is_adopted_once_as_a_provable_ledger_record() {
    let t = Scratch::new();
    t.run(&["init"]).expect_code(0);
    let text = std::fs::read_to_string(policy_file("every-final-order-alike")).expect("shipped");
    std::fs::write(t.path("p.cedar"), &text).expect("write");
    let r = t.run(&["--json", "policy", "adopt", "p.cedar", "--effective", "2027-01-01T00:00:00-05:00"]);
    r.expect_code(0);
    let v = r.json();
    assert_eq!(
        (v["leaf"].as_str(), v["policy_id"].as_str(), v["kind"].as_str()),
        (Some("policy/1"), Some("every-final-order-alike"), Some("priority"))
    );
    assert_eq!(
        (v["adopted_by"].as_str(), v["effective_at"].as_str()),
        (Some("officer.test"), Some("2027-01-01T00:00:00-05:00"))
    );
    let again = t.run(&["policy", "adopt", "p.cedar", "--effective", "2027-02-01T00:00:00Z"]);
    again.expect_code(1);
    assert!(again.stderr.contains("already adopted (policy/1)"), "{}", again.stderr);
    std::fs::write(t.path("q.cedar"), text.replace("// kind: priority\n", "")).expect("write");
    let missing = t.run(&["policy", "adopt", "q.cedar", "--effective", "2027-02-01T00:00:00Z"]);
    missing.expect_code(1);
    assert!(missing.stderr.contains("no `// kind: ...` line"), "{}", missing.stderr);
    assert_eq!(t.run(&["policy", "adopt", "p.cedar", "--effective", "soon"]).code, 1, "an instant is required");
    t.run(&["ledger", "checkpoint"]).expect_code(0);
    let proof = t.run(&["--json", "ledger", "prove", "policy/1"]);
    proof.expect_code(0);
    use base64::Engine as _;
    let leaf = base64::engine::general_purpose::STANDARD
        .decode(proof.json()["proof"]["leaf"].as_str().expect("the leaf, which holds no one's data"))
        .expect("base64");
    assert!(leaf.starts_with(b"docket-leaf/1 policy\n1\n{\"policy_id\":\"every-final-order-alike\""));
    let verified = t.run(&["--json", "ledger", "verify"]);
    verified.expect_code(0);
    assert_eq!(verified.json()["policies"], 1);
    assert_eq!(t.run(&["ledger", "prove", "policy/2"]).code, 1, "no such policy");
}

/// A shipped policy file, in the repository.
fn policy_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../docket-policy/policies/{name}.cedar"))
}

/// `policy check` validates a file against the schema (errors with line and column), `policy
/// test` runs tests as data, `policy diff` says what another policy would move (one logged
/// read); once a priority policy is adopted, `evaluate`, the priority worklist and `case show`
/// give tiers with their reasons.
#[test]
fn policies_are_checked_tested_compared_and_rank_the_docket_once_adopted() {
    let t = Scratch::new();
    t.imported();
    let path = |name: &str| policy_file(name).display().to_string();
    let checked = t.run_bare(&["policy", "check", &path("dhs-2021-guidelines")]);
    checked.expect_code(0);
    assert!(checked.stdout.contains("valid against the schema of adjudicated facts"), "{}", checked.stdout);
    assert!(checked.stdout.contains("m_military_service (mitigating)"), "{}", checked.stdout);
    // A protected trait is not in the schema: refused, with the place.
    let text = std::fs::read_to_string(policy_file("every-final-order-alike")).expect("shipped");
    std::fs::write(
        t.path("bad.cedar"),
        text.replace("when { resource.final_order }", "when { resource.ethnicity == \"x\" }"),
    )
    .expect("write");
    let bad = t.run_bare(&["policy", "check", "bad.cedar"]);
    bad.expect_code(1);
    assert!(bad.stderr.contains("bad.cedar:14:") && bad.stderr.contains("`ethnicity` is not a fact"), "{}", bad.stderr);
    assert_eq!(t.run_bare(&["--db", "sqlite://x.db", "policy", "check", "bad.cedar"]).code, 2, "no database is read");
    // Tests as data: the shipped ones pass; a wrong expectation fails, exit status 1.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docket-policy/policies");
    let tests = t.run_bare(&["policy", "test", &dir.display().to_string()]);
    tests.expect_code(0);
    assert!(tests.stdout.contains(" passed, 0 failed"), "{}", tests.stdout);
    std::fs::create_dir(t.path("mine")).expect("dir");
    std::fs::write(t.path("mine/p.cedar"), &text).expect("write");
    std::fs::write(
        t.path("mine/p.test.toml"),
        "policy = \"every-final-order-alike\"\n\n[[case]]\nname = \"wrong on purpose\"\nfacts = { final_order = true }\ntier = \"none\"\nreasons = []\n",
    )
    .expect("write");
    let failing = t.run_bare(&["policy", "test", "mine"]);
    failing.expect_code(1);
    assert!(failing.stdout.contains("FAIL") && failing.stdout.contains("0 passed, 1 failed"), "{}", failing.stdout);
    // A diff over the docket: one logged read, with its purpose.
    assert_eq!(t.run(&["policy", "diff", &path("dhs-2014-priorities"), &path("every-final-order-alike")]).code, 1);
    let before = ledger_leaves(&t);
    let diff = t.run(&[
        "--json",
        "policy",
        "diff",
        &path("dhs-2014-priorities"),
        &path("every-final-order-alike"),
        "--purpose",
        "oversight",
        "--as-of",
        AS_OF,
    ]);
    diff.expect_code(0);
    assert_eq!(ledger_leaves(&t), before + 1);
    let d = diff.json();
    let cases = d["cases"].as_u64().expect("cases");
    assert!(cases > 0 && d["tier_changed"].as_u64().expect("changed") <= cases, "{d}");
    assert_eq!(
        d["recorded_as"],
        format!("policy_diff,old=dhs-2014-priorities 1,new=every-final-order-alike 1,as_of={AS_OF}")
    );
    let text_diff = t.run(&[
        "policy",
        "diff",
        &path("dhs-2014-priorities"),
        &path("dhs-2021-guidelines"),
        "--purpose",
        "oversight",
    ]);
    text_diff.expect_code(0);
    assert!(text_diff.stdout.contains("dhs-2014-priorities 1 -> dhs-2021-guidelines 1 over"), "{}", text_diff.stdout);
    // Adopted, the policy ranks the docket: counted by evaluate, listed by tier, shown per case.
    t.run(&["policy", "adopt", &path("dhs-2014-priorities"), "--effective", "2026-01-01T00:00:00Z"]).expect_code(0);
    let e = t.run(&["--json", "evaluate", "--purpose", "oversight", "--as-of", AS_OF]);
    e.expect_code(0);
    let p = &e.json()["priority"];
    assert_eq!(p["policy"]["leaf"], "policy/1");
    let in_tiers: u64 = p["tiers"].as_array().expect("tiers").iter().map(|t| t["cases"].as_u64().expect("n")).sum();
    assert_eq!(in_tiers + p["no_tier"].as_u64().expect("none"), e.json()["cases"].as_u64().expect("cases"));
    let w = t.run(&["--json", "worklist", "priority", "--purpose", "case_work", "--as-of", AS_OF, "--limit", "20"]);
    w.expect_code(0);
    let rows = w.json()["rows"].as_array().expect("rows").clone();
    assert!(!rows.is_empty(), "final orders are priority 3 under the 2014 memorandum");
    let tiers = ["priority_1", "priority_2", "priority_3"];
    let rank: Vec<usize> = rows.iter().map(|r| tiers.iter().position(|t| r["tier"] == *t).expect("a tier")).collect();
    assert!(rank.windows(2).all(|w| w[0] <= w[1]), "the highest tier first: {rank:?}");
    let first = rows[0]["case_id"].as_str().expect("case");
    let shown = t.run(&["case", "show", first, "--purpose", "case_work", "--as-of", AS_OF]);
    shown.expect_code(0);
    assert!(shown.stdout.contains("Priority under `dhs-2014-priorities` version `1` (policy/1):"), "{}", shown.stdout);
    t.run(&["worklist", "review", "--purpose", "case_work", "--as-of", AS_OF]).expect_code(0);
}

/// Garbage where a checkpoint file or a correction is expected: a clear error, nothing stored.
#[test]
fn a_garbage_trusted_checkpoint_or_correction_is_refused_clearly() {
    let t = Scratch::new();
    t.imported();
    std::fs::write(t.path("garbage.checkpoint"), "not a note\n\u{0}\u{1}").expect("write");
    let v = t.run(&["ledger", "verify", "--trusted", "garbage.checkpoint"]);
    v.expect_code(5);
    assert!(v.stdout.contains("the checkpoint held outside the database (garbage.checkpoint)"), "{}", v.stdout);
    let before = t.run(&["--json", "ledger", "verify"]).json()["leaves"].clone();
    for (set, needle) in
        [("given_names", "FIELD=VALUE"), ("voter_id=1", "voter_id"), ("date_of_birth=1990-13-45", "date_of_birth")]
    {
        let r = t.run(&["person", "correct", "P000000001", "--set", set, "--reason", "test"]);
        r.expect_code(1);
        assert!(r.stderr.contains(needle), "{set}: {}", r.stderr);
    }
    assert_eq!(t.run(&["--json", "ledger", "verify"]).json()["leaves"], before, "nothing was recorded");
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            if let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// An insider who holds the ledger's key rewrites the whole ledger, signs the rewrite and
/// replaces the signer's checkpoint files: the database and those files agree, so `verify`
/// with them passes. A witness holds its own cosigned checkpoints: it refuses to cosign the
/// rewrite, and a verifier that requires its cosignature finds the rewrite.
fn a_witness_catches_a_rewrite_by_the_key_holder(t: Scratch) {
    let (persons, events) = t.imported();
    let log_key = t.run(&["ledger", "key"]).stdout.trim().to_owned();
    let w = t.run_bare(&["--json", "witness", "init", "--dir", "w", "--name", "witness.test/w1"]);
    w.expect_code(0);
    let wkey = w.json()["verifier_key"].as_str().expect("key").to_owned();
    assert_eq!(mode(&t.path("w/witness.key")), 0o600);
    let first = t.run(&["--json", "witness", "cosign", "--dir", "w", "--log-key", &log_key]);
    first.expect_code(0);
    let (n1, held) = (first.json()["tree_size"].as_u64().expect("size"), first.json()["previous_size"].clone());
    assert_eq!(held, 0, "the first checkpoint is taken on trust");
    t.run(&["case", "show", "C000000001", "--purpose", "case_work"]).expect_code(0);
    t.run(&["ledger", "checkpoint"]).expect_code(0);
    let second = t.run(&["--json", "witness", "cosign", "--dir", "w", "--log-key", &log_key]).json();
    assert_eq!(second["previous_size"].as_u64(), Some(n1));
    assert!(second["tree_size"].as_u64().is_some_and(|n| n > n1), "{second}");
    let again = t.run(&["--json", "witness", "cosign", "--dir", "w", "--log-key", &log_key]).json();
    assert_eq!(again["already"], true, "the same checkpoint is not cosigned twice");
    let trusted = ["ledger", "verify", "--trusted", "w/cosigned", "--witness", wkey.as_str()];
    t.run(&trusted).expect_code(0);

    // The rewrite: the database made anew, the same files imported by another actor (every
    // person's version records who stored it), the same reads, signed with the same key; the
    // signer's checkpoint directory replaced to match.
    match &t.postgres {
        None => {
            for f in ["docket.db", "docket.db-wal", "docket.db-shm"] {
                let _ = std::fs::remove_file(t.path(f));
            }
        }
        Some(_) => {
            let mut c = postgres::Client::connect(&t.db, postgres::NoTls).expect("connect");
            c.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public").expect("wipe");
        }
    }
    std::fs::remove_dir_all(t.default_checkpoints()).expect("replace the signer's files");
    t.run(&["init"]).expect_code(0);
    let mut args = vec!["--db", t.db.as_str(), "import", s(&persons), s(&events)];
    args.extend(["--rejects", "rejects-again.jsonl"]);
    t.run_env(Stdio::piped(), &args, Some("insider.test")).expect_code(0);
    for _ in 0..2 {
        t.run(&["case", "show", "C000000001", "--purpose", "case_work"]).expect_code(0);
    }
    t.run(&["ledger", "checkpoint"]).expect_code(0);
    t.run(&["ledger", "verify"]).expect_code(0);

    let refused = t.run(&["witness", "cosign", "--dir", "w", "--log-key", &log_key]);
    refused.expect_code(1);
    assert!(refused.stderr.contains("it was rewritten"), "{}", refused.stderr);
    let v = t.run(&trusted);
    v.expect_code(5);
    assert!(v.stdout.contains("rewritten") || v.stdout.contains("does not match"), "{}", v.stdout);
    // Nothing was cosigned for the rewrite; and requiring a witness that cosigned nothing held
    // is a failure too.
    assert_eq!(std::fs::read_dir(t.path("w/cosigned")).expect("dir").count(), 2);
    t.run_bare(&["witness", "init", "--dir", "w2", "--name", "witness.test/w2"]).expect_code(0);
    let other = t.run_bare(&["witness", "key", "--dir", "w2"]).stdout.trim().to_owned();
    t.run(&["ledger", "verify", "--witness", other.as_str()]).expect_code(5);
}

#[test]
fn a_witness_catches_a_rewrite_by_the_key_holder_sqlite() {
    a_witness_catches_a_rewrite_by_the_key_holder(Scratch::new());
}

#[test]
fn a_witness_catches_a_rewrite_by_the_key_holder_postgres() {
    a_witness_catches_a_rewrite_by_the_key_holder(Scratch::postgres());
}

/// `copy` moves a docket between SQLite and PostgreSQL with its whole ledger: the copy
/// verifies with the source's key and the checkpoints held outside the source, and its
/// accounting of disclosures and identity history are the source's.
#[test]
fn a_copy_keeps_the_ledger_and_the_accounting_across_backends() {
    let t = Scratch::new();
    t.imported();
    t.run(&["person", "correct", "P000000002", "--set", "given_names=Corrected", "--reason", "typo"]).expect_code(0);
    let d = ["disclose", "P000000002", "--recipient", "Counsel", "--address", "1 Main St"];
    t.run(&[&d[..], &["--purpose", "routine use 7: counsel", "--out", "packet.json"]].concat()).expect_code(0);
    t.run(&["ledger", "rotate-key"]).expect_code(0);
    t.run(&["case", "show", "C000000001", "--purpose", "case_work"]).expect_code(0);
    t.run(&["ledger", "checkpoint"]).expect_code(0);
    let pg = Scratch::postgres();
    let r = t.run(&["copy", "--to", &pg.db]);
    r.expect_code(1);
    assert!(r.stderr.contains("purpose"), "{}", r.stderr);
    let r = t.run(&["--json", "copy", "--to", &pg.db, "--purpose", "data_correction"]);
    r.expect_code(0);
    assert!(r.json()["rows"].as_u64().is_some_and(|n| n > 1000), "{}", r.stdout);
    // Into a database that holds something: refused, nothing written.
    let again = t.run(&["copy", "--to", &pg.db, "--purpose", "data_correction"]);
    again.expect_code(1);
    assert!(again.stderr.contains("not empty"), "{}", again.stderr);

    // The copy's ledger is the source's: verified with the source's key and checkpoints.
    let (key, cps) = (t.default_key(), t.default_checkpoints());
    let sqlite_copy = format!("sqlite://{}", t.path("back.db").display());
    for target in [pg.db.as_str(), sqlite_copy.as_str()] {
        if target == sqlite_copy {
            // And back from PostgreSQL into a new SQLite file.
            let r = t.run_env(
                Stdio::piped(),
                &["--db", pg.db.as_str(), "copy", "--to", target, "--purpose", "data_correction"],
                Some("officer.test"),
            );
            r.expect_code(0);
        }
        let on = |args: &[&str]| {
            let mut all = vec!["--db", target];
            all.extend_from_slice(args);
            t.run_env(Stdio::piped(), &all, Some("officer.test"))
        };
        let v = on(&["--json", "--ledger-key", s(&key), "--checkpoint-dir", s(&cps), "ledger", "verify"]);
        v.expect_code(0);
        assert!(v.json()["trusted_checked"].as_u64().is_some_and(|n| n >= 3), "{}", v.stdout);
        assert!(v.json()["disclosures"] == 1 && v.json()["person_versions"].as_u64() == Some(301), "{}", v.stdout);
        let args = ["--json", "disclosures", "P000000002", "--purpose", "privacy_act_request"];
        assert_eq!(on(&args).json()["disclosures"], t.run(&args).json()["disclosures"], "the accounting moved");
        let args = ["--json", "person", "show", "P000000002", "--purpose", "privacy_act_request"];
        assert_eq!(on(&args).json()["history"], t.run(&args).json()["history"], "the identity's history moved");
        // New records in the copy get new ids after the copied ones, and the source's key signs.
        on(&["case", "show", "C000000002", "--purpose", "case_work"]).expect_code(0);
        on(&[
            "--ledger-key",
            s(&key),
            "--checkpoint-dir",
            s(&t.path(&format!("cps-{}", target.len()))),
            "ledger",
            "checkpoint",
        ])
        .expect_code(0);
        on(&["--ledger-key", s(&key), "--checkpoint-dir", s(&cps), "ledger", "verify"]).expect_code(0);
    }
}

/// The departure feed as a user runs it: a synthetic docket and a day of its departures,
/// the model fitted and put in force, the day ingested twice (the second time changes
/// nothing), a review item accepted and one rejected (each once, a blank reason refused),
/// unmatched records purged with the purge in the ledger, the report's figures adding up to
/// what was done, a verification withdrawn (a blank reason refused, and a second withdrawal
/// refused by the rule), and `ledger verify` clean.
fn departure_feed_from_file(t: &Scratch) {
    t.run(&["init"]).expect_code(0);
    let out = t.path("out");
    let synth =
        t.run_bare(&["--json", "synth", "--cases", "1500", "--seed", "11", "--departures", "1500", "--out", s(&out)]);
    let refused = synth.expect_code(0).json()["departures"]["refused_by_the_reader"].as_u64().expect("refused");
    let read = 1500 - refused;
    t.run(&["import", s(&out.join("persons.csv")), s(&out.join("events.jsonl"))]).expect_code(0);
    let departures = out.join("departures.jsonl");
    let truth: std::collections::HashMap<String, (String, String)> =
        std::fs::read_to_string(out.join("departures-truth.csv"))
            .expect("truth")
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                Some((format!("synth.manifest/{}", f.first()?), (f.get(1)?.to_string(), f.get(2)?.to_string())))
            })
            .collect();
    // Ingest before any model is in force: refused, naming what to do.
    let none = t.run(&["departures", "ingest", s(&departures)]);
    assert_ne!(none.code, 0);
    assert!(none.stderr.contains("fit one first"), "{}", none.stderr);
    let fit = t.run(&["--json", "departures", "fit", s(&departures)]).expect_code(0).json();
    assert!(fit["model"].as_str().is_some_and(|m| m.starts_with("persons:sha256:")), "{fit}");
    assert_eq!(fit["rejected"], refused, "the records the reader refuses, as generated: {fit}");
    let (proposals, indexed) = (t.path("proposals.tsv"), t.path("indexed.txt"));
    let first = t.run(&[
        "--json",
        "departures",
        "ingest",
        "--retention-hours",
        "0",
        "--proposals-out",
        s(&proposals),
        "--indexed-out",
        s(&indexed),
        s(&departures),
    ]);
    let first = first.expect_code(0).json();
    assert_eq!(first["records"], read);
    // What blocking proposed, a line per record, and the persons indexed.
    assert_eq!(lines(&proposals).len() as u64, read);
    assert_eq!(Some(lines(&indexed).len() as u64), first["persons_indexed"].as_u64());
    assert_owner_only(&[proposals.clone(), indexed.clone()]);
    assert!(first["persons_indexed"].as_u64().is_some_and(|n| n > 0 && n <= 1500), "{first}");
    let decisions = first["decisions"].as_array().expect("decisions");
    let verified: Vec<&Value> = decisions.iter().filter(|d| d["outcome"] == "verified").collect();
    let reviews: Vec<&Value> = decisions.iter().filter(|d| d["outcome"] == "review").collect();
    assert!(!verified.is_empty() && !reviews.is_empty(), "{first}");
    // A clear match is the traveller's own record, and it names its evidence.
    for d in &verified {
        let (who, person) = &truth[d["record"].as_str().expect("record")];
        assert_eq!((who.as_str(), d["candidates"][0]["person_id"].as_str()), ("match", Some(person.as_str())), "{d}");
        assert!(d["candidates"][0]["probability"].as_f64().is_some_and(|p| p >= 0.999), "{d}");
        assert!(!d["cases"].as_array().expect("cases").is_empty());
    }
    // The case shows the departure with its evidence, and the gates deny pursuit.
    let case = verified[0]["cases"][0].as_str().expect("case");
    let timeline = t.run(&["case", "timeline", case, "--purpose", "case_work"]);
    timeline.expect_code(0);
    assert!(
        timeline.stdout.contains("\"decision\":\"clear\"") && timeline.stdout.contains("\"model\":\"persons:sha256:")
    );
    let shown = t.run(&["--json", "case", "show", case, "--purpose", "case_work"]).expect_code(0).stdout.clone();
    assert!(shown.contains("already_left"), "{shown}");
    // At least once: the same day again changes nothing.
    let again = t.run(&["--json", "departures", "ingest", s(&departures)]).expect_code(0).json();
    assert_eq!(again["outcomes"], serde_json::json!({"already_stored": read}), "{again}");
    // The queue, an item accepted (on the traveller's own record if one is there) and one rejected.
    let queue = t.run(&["--json", "review", "list", "--purpose", "case_work"]).expect_code(0).json();
    assert_eq!(queue.as_array().map(Vec::len), Some(reviews.len()));
    let of_match = reviews.iter().find(|d| truth[d["record"].as_str().unwrap_or_default()].0 == "match");
    let accept = of_match.unwrap_or(&reviews[0]);
    let accept_id = accept["review"].as_i64().expect("review id").to_string();
    let person = &truth[accept["record"].as_str().unwrap_or_default()].1;
    let mut args = vec!["--json", "review", "accept", &accept_id, "--reason", "documents agree"];
    if of_match.is_some() {
        args.extend(["--person", person.as_str()]);
    }
    let accepted = t.run(&args).expect_code(0).json();
    assert_eq!(accepted["outcome"], "verified");
    t.run(&["review", "accept", &accept_id, "--reason", "twice"]).expect_code(1);
    let mut rejected = 0;
    if let Some(other) = reviews.iter().find(|d| d["review"] != accept["review"]) {
        let id = other["review"].as_i64().expect("review id").to_string();
        // A decision states its reason: a blank one is refused, naming the option.
        let blank = t.run(&["review", "reject", &id, "--reason", "  "]);
        assert_eq!(blank.code, 1, "{}", blank.stderr);
        assert!(blank.stderr.contains("`--reason`") && blank.stderr.contains("empty"), "{}", blank.stderr);
        t.run(&["review", "reject", &id, "--reason", "another person", "--retention-hours", "0"]).expect_code(0);
        let item = t.run(&["--json", "review", "show", &id, "--purpose", "case_work"]).expect_code(0).json();
        assert_eq!(item["state"], "rejected");
        rejected = 1;
    }
    // Unmatched records (kept 0 hours here) are purged, leaving counts.
    let purged = t.run(&["--json", "departures", "purge"]).expect_code(0).json();
    let purged = purged["records"].as_u64().expect("records purged");
    assert!(purged > 1000, "{purged}");
    // The report: what the feed did, by day and port, adds up to what was done above.
    let report = t.run(&["--json", "departures", "report"]).expect_code(0).json();
    let totals = &report["totals"];
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or_else(|| panic!("`{k}` in {v}"));
    let in_review = reviews.len() as u64 - 1 - rejected;
    assert_eq!(
        ["received", "verified", "in_review", "unmatched", "purged"].map(|k| n(totals, k)),
        [read, verified.len() as u64 + 1, in_review, read - verified.len() as u64 - 1 - in_review, purged],
        "{totals}"
    );
    let days = report["days"].as_array().expect("days");
    assert!(days.len() > 1, "{report}");
    for k in ["received", "verified", "in_review", "unmatched", "purged"] {
        assert_eq!(days.iter().map(|d| n(d, k)).sum::<u64>(), n(totals, k), "`{k}` by day and port");
    }
    for d in days {
        assert_eq!(n(d, "received"), n(d, "verified") + n(d, "in_review") + n(d, "unmatched"), "{d}");
    }
    // The case figures: each case in one line of its part, and the recall of the model in force
    // beside those with no departure recorded.
    let (vd, fo) = (&report["voluntary_departure"], &report["final_order"]);
    let vd_lines =
        ["on_time", "late", "not_recorded", "still_within_period", "removed", "closed_otherwise"].map(|k| n(vd, k));
    assert_eq!(vd_lines.iter().sum::<u64>(), n(vd, "cases"), "{vd}");
    assert!(n(vd, "on_time") + n(vd, "late") > 0 && n(vd, "not_recorded") > 0, "{vd}");
    let fo_lines = ["departed", "removed", "no_departure_recorded", "closed_otherwise"].map(|k| n(fo, k));
    assert_eq!(fo_lines.iter().sum::<u64>(), n(fo, "cases"), "{fo}");
    assert!(n(fo, "departed") > 0 && n(fo, "no_departure_recorded") > 0, "{fo}");
    assert_eq!(fo["model"], fit["model"]);
    assert_eq!(fo["estimated_recall"], fit["estimated_recall"], "the estimate recorded with the model");
    let (clear, all) = (fo["estimated_recall"]["clear"].as_f64(), fo["estimated_recall"]["with_review"].as_f64());
    assert!(
        clear.zip(all).is_some_and(|(c, a)| 0.0 < c && c <= a && a <= 1.0),
        "estimated recall {}",
        fo["estimated_recall"]
    );
    let text = t.run(&["departures", "report"]).expect_code(0).stdout.clone();
    for words in ["in review", "departed on time", "still within the period", "suspected still in the country"] {
        assert!(text.contains(words), "`{words}` in:\n{text}");
    }
    assert!(text.contains(&format!("estimated recall {:.1}%", all.unwrap_or_default() * 100.0)), "{text}");
    // A window of one day of departure holds that day's rows only.
    let day = days[0]["day"].as_str().expect("day");
    let one = t.run(&["--json", "departures", "report", "--from", day, "--to", day]).expect_code(0).json();
    assert!(one["days"].as_array().expect("days").iter().all(|d| d["day"] == day), "{one}");
    let bad = t.run(&["departures", "report", "--from", "2026-13-01"]);
    assert!(bad.code != 0 && bad.stderr.contains("`--from`"), "{}", bad.stderr);

    // A verification found wrong is withdrawn: a reason is required, and the case is then no
    // longer departure-verified (and counted with those of no departure recorded).
    let shown = t.run(&["--json", "case", "show", case, "--purpose", "case_work"]).expect_code(0).json();
    let is_final = shown["final_order"]["final_now"] == true;
    let blank = t.run(&["departures", "withdraw", case, "--reason", ""]);
    assert_eq!(blank.code, 1, "{}", blank.stderr);
    assert!(blank.stderr.contains("`--reason`") && blank.stderr.contains("empty"), "{}", blank.stderr);
    let withdrawn = t
        .run(&["--json", "departures", "withdraw", case, "--reason", "the record was another traveller's"])
        .expect_code(0)
        .json();
    assert_eq!(withdrawn["case"], case);
    let timeline = t.run(&["case", "timeline", case, "--purpose", "case_work"]).expect_code(0).stdout.clone();
    assert!(timeline.contains("departure_verification_withdrawn") && timeline.contains("officer.test"), "{timeline}");
    let shown = t.run(&["--json", "case", "show", case, "--purpose", "case_work"]).expect_code(0).stdout.clone();
    assert!(!shown.contains("already_left"), "{shown}");
    let after = t.run(&["--json", "departures", "report"]).expect_code(0).json();
    let moved = u64::from(is_final);
    assert_eq!(
        (n(&after["final_order"], "departed"), n(&after["final_order"], "no_departure_recorded")),
        (n(fo, "departed") - moved, n(fo, "no_departure_recorded") + moved),
        "case {case} (final: {is_final})"
    );
    assert_eq!(after["totals"], report["totals"], "the feed's counts say what it decided");
    let again = t.run(&["departures", "withdraw", case, "--reason", "twice"]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("no verified departure stands to withdraw"), "{}", again.stderr);
    let verify = t.run(&["--json", "ledger", "verify"]).expect_code(0).json();
    assert_eq!(verify["discrepancies"], 0, "{verify}");
    assert!(verify["departure_acts"].as_u64().is_some_and(|n| n as usize >= reviews.len() + 3), "{verify}");
}

#[test]
fn departure_feed_from_file_on_sqlite() {
    departure_feed_from_file(&Scratch::new());
}

#[test]
fn departure_feed_from_file_on_postgres() {
    departure_feed_from_file(&Scratch::postgres());
}
