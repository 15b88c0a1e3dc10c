//! A PostgreSQL connection lost in the middle of an import: the server ends the import's
//! session (as a restart or an operator's `pg_terminate_backend` does) after its first batch
//! has committed. The import tries the failed batch again on a new connection and loses
//! nothing; told not to try again, it stops with an error that says what was stored, and
//! running it again stores the rest.

mod common;

use common::{Collect, Db, PERSONS, line};
use docket_app::{App, AppError, ImportConfig, ImportSink, ImportSource, Reject, Retry, SourceKind};
use docket_core::EventId;

/// `n` cases of one event each, the first of their person.
fn events(n: u32) -> String {
    (1..=n)
        .map(|i| {
            let person = if i % 2 == 0 { "P-1" } else { "P-2" };
            let case = format!("C-{i:05}");
            line(i, &case, "case_opened", "2025-05-20T10:00:00-04:00", &format!(r#","person_id":"{person}""#)) + "\n"
        })
        .collect()
}

/// Ends every other session on the test's database once the first batch has committed.
struct Terminator<'a> {
    db: &'a Db,
    inner: Collect,
    done: bool,
}

impl ImportSink for Terminator<'_> {
    fn rejected(&mut self, reject: &Reject) -> Result<(), AppError> {
        self.inner.rejected(reject)
    }

    fn committed(&mut self, stored: &[EventId]) -> Result<(), AppError> {
        self.inner.committed(stored)?;
        if !self.done {
            self.done = true;
            let Db::Postgres { admin_url, name, .. } = self.db else { panic!("a PostgreSQL test") };
            let mut admin = postgres::Client::connect(admin_url, postgres::NoTls).expect("admin connection");
            let ended = admin
                .query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                    &[name],
                )
                .expect("terminate");
            assert!(!ended.is_empty(), "the import's session was found and ended");
        }
        Ok(())
    }
}

fn sources(events: &str) -> Vec<ImportSource> {
    vec![
        ImportSource::new("events.jsonl", SourceKind::Events, None, std::io::Cursor::new(events.to_owned())),
        ImportSource::new("persons.csv", SourceKind::Persons, None, std::io::Cursor::new(PERSONS.to_owned())),
    ]
}

fn config(retries: u32) -> ImportConfig {
    let mut cfg = common::config();
    cfg.retry = Retry { retries, first_delay: std::time::Duration::from_millis(50) };
    cfg
}

fn stored_events(app: &App) -> u64 {
    app.with_store(|s| s.stats()).expect("stats").events
}

#[test]
fn a_lost_connection_is_retried_and_nothing_is_lost() {
    let db = Db::postgres();
    let app = db.app("2026-12-01T12:00:00Z");
    let mut sink = Terminator { db: &db, inner: Collect::default(), done: false };
    let report = app.import(sources(&events(450)), &config(5), &mut sink).expect("the import survives");
    assert!(sink.done, "a session was ended mid-import");
    let ev = report.files.iter().find(|f| f.kind == SourceKind::Events).expect("events");
    assert_eq!((ev.rows, ev.stored, ev.duplicates, ev.rejected), (450, 450, 0, 0));
    assert_eq!(sink.inner.committed.len(), 450, "every stored event was reported committed once");
    assert_eq!(stored_events(&app), 450);
    // One ledger leaf per person and per event: the batch that failed left nothing behind.
    assert_eq!(app.with_store(|s| s.ledger_head()).expect("ledger").0, 2 + 450);
}

#[test]
fn an_import_that_cannot_reconnect_says_what_it_stored_and_a_rerun_stores_the_rest() {
    let db = Db::postgres();
    let app = db.app("2026-12-01T12:00:00Z");
    let mut sink = Terminator { db: &db, inner: Collect::default(), done: false };
    let err = app.import(sources(&events(450)), &config(0), &mut sink).expect_err("no retry allowed");
    let message = err.to_string();
    let AppError::ImportInterrupted { file, line, attempts, report, source } = err else {
        panic!("an interrupted import: {message}")
    };
    assert!(source.is_retryable(), "a lost connection may pass: {source}");
    assert_eq!((file.as_str(), line, attempts), ("events.jsonl", 101, 1));
    let ev = report.files.iter().find(|f| f.kind == SourceKind::Events).expect("events");
    assert_eq!((ev.rows, ev.stored, ev.duplicates, ev.rejected), (200, 100, 0, 0), "read up to the failed batch");
    assert!(
        message.contains("in the batch from line 101")
            && message.contains("`events.jsonl`: 200 row(s) read, 100 stored, 0 already stored, 0 rejected")
            && message.contains("`persons.csv`: 2 row(s) read, 2 stored"),
        "{message}"
    );
    assert_eq!(stored_events(&app), 100, "exactly what the error says");
    // Run again: the first batch is already stored, the rest is stored now.
    let (report, _) = common::import(&app, PERSONS, &events(450));
    let ev = report.files.iter().find(|f| f.kind == SourceKind::Events).expect("events");
    assert_eq!((ev.stored, ev.duplicates), (350, 100));
    assert_eq!(stored_events(&app), 450);
}
