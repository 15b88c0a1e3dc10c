//! One behaviour, two databases: a temporary SQLite file and a fresh PostgreSQL database per
//! test (`DOCKET_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`). The
//! PostgreSQL tests fail when the server is missing; they are never skipped.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use docket_app::{App, AppConfig, ImportConfig, ImportSink, ImportSource, Reject, SourceKind};
use docket_core::{Date, EventId, Timestamp};

pub enum Db {
    Sqlite { _dir: tempfile::TempDir, url: String },
    Postgres { admin_url: String, url: String, name: String },
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Db {
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("docket.db").display());
        Db::Sqlite { _dir: dir, url }
    }

    pub fn postgres() -> Db {
        let admin_url = std::env::var("DOCKET_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let name = format!(
            "docket_app_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
        );
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap_or_else(|e| {
            panic!("PostgreSQL is required for these tests and is not reachable at {admin_url}: {e}")
        });
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
        let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin_url.clone());
        Db::Postgres { url: format!("{base}/{name}"), admin_url, name }
    }

    pub fn url(&self) -> &str {
        match self {
            Db::Sqlite { url, .. } | Db::Postgres { url, .. } => url,
        }
    }

    /// An initialized database's application, its clock fixed at `now`.
    pub fn app(&self, now: &str) -> App {
        App::init(self.url()).expect("init");
        let t = ts(now);
        App::open(self.url(), AppConfig::default()).expect("open").with_clock(move || t)
    }

    /// Runs SQL behind the application's back, as an operator with database access could.
    pub fn raw(&self, sql: &str) {
        match self {
            Db::Sqlite { url, .. } => {
                let c = rusqlite::Connection::open(url.trim_start_matches("sqlite://")).expect("open sqlite");
                c.execute_batch(sql).expect("raw sql");
            }
            Db::Postgres { url, .. } => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                c.batch_execute(sql).expect("raw sql");
            }
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Db::Postgres { admin_url, name, .. } = self {
            if let Ok(mut admin) = postgres::Client::connect(admin_url, postgres::NoTls) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Declares a test module per function, running it on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(mod $name {
            #[test]
            fn sqlite() {
                super::$name(&super::common::Db::sqlite());
            }
            #[test]
            fn postgres() {
                super::$name(&super::common::Db::postgres());
            }
        })*
    };
}

pub fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("valid time")
}

/// An import sink that keeps everything in memory.
#[derive(Default)]
pub struct Collect {
    pub rejects: Vec<Reject>,
    pub committed: Vec<EventId>,
}

impl ImportSink for Collect {
    fn rejected(&mut self, reject: &Reject) -> Result<(), docket_app::AppError> {
        self.rejects.push(reject.clone());
        Ok(())
    }

    fn committed(&mut self, stored: &[EventId]) -> Result<(), docket_app::AppError> {
        self.committed.extend_from_slice(stored);
        Ok(())
    }
}

/// Batches of 100, an actor who imports.
pub fn config() -> ImportConfig {
    let mut cfg = ImportConfig::new(100, Date::parse("2026-12-01").expect("date"));
    cfg.actor = Some(docket_core::ActorId::parse("clerk.import").expect("actor"));
    cfg
}

/// Imports `persons` (CSV text) and `events` (JSON lines) from memory.
pub fn import(app: &App, persons: &str, events: &str) -> (docket_app::ImportReport, Collect) {
    import_bytes(app, persons.as_bytes(), events.as_bytes())
}

/// Imports `persons` (CSV) and `events` (JSON lines) given as bytes, which need not be UTF-8.
pub fn import_bytes(app: &App, persons: &[u8], events: &[u8]) -> (docket_app::ImportReport, Collect) {
    let mut sink = Collect::default();
    let sources = vec![
        ImportSource::new("events.jsonl", SourceKind::Events, None, std::io::Cursor::new(events.to_owned())),
        ImportSource::new("persons.csv", SourceKind::Persons, None, std::io::Cursor::new(persons.to_owned())),
    ];
    let cfg = config();
    let report = app.import(sources, &cfg, &mut sink).expect("import runs");
    (report, sink)
}

pub const PERSONS: &str = "\
person_id,a_number,given_names,family_names,name_order,aliases,date_of_birth,sex,nationality,passport_number,passport_country,passport_expiry
P-1,A111111111,Ana,Uno,,,1990-01-01,F,SLV,,,
P-2,A222222222,Ben,Dos,,,1985-05-05,M,GTM,,,
";

/// One event line of case `case`, number `n`.
pub fn line(n: u32, case: &str, ty: &str, at: &str, extra: &str) -> String {
    format!(
        r#"{{"event_id":"00000000-0000-4000-8000-{n:012}","case_id":"{case}","type":"{ty}","effective_at":"{at}","recorded_at":"{at}","recorded_by":"clerk","source":"officer","idempotency_key":"k{n}"{extra}}}"#
    )
}
