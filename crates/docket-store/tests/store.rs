//! One behaviour, two databases: every test here runs against SQLite and against a fresh
//! PostgreSQL database (`DOCKET_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`). PostgreSQL tests fail when the server is
//! missing; they are never skipped.

use std::sync::atomic::{AtomicU32, Ordering};

use std::ops::ControlFlow;

use docket_core::{
    ActorId, CaseId, DateOfBirth, DecisionOutcome, Event, EventBody, EventId, IdempotencyKey, NameOrder, Person,
    PersonId, PersonName, ProtectionEnd, ProtectionKind, Rule, Sex, Source, StayKind, TimeZone, Timestamp,
};
use docket_store::migrations::{StepState, StepStatus};
use docket_store::persons::PersonOutcome;
use docket_store::{Appended, Expected, ImportOutcome, Rejection, Store, StoreError};

enum Db {
    Sqlite { _dir: tempfile::TempDir, url: String },
    Postgres { admin_url: String, url: String, name: String },
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn admin_url() -> String {
    std::env::var("DOCKET_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

impl Db {
    fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("docket.db").display());
        Db::Sqlite { _dir: dir, url }
    }

    fn postgres() -> Db {
        let admin_url = admin_url();
        let name = format!(
            "docket_test_{}_{}_{}",
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

    fn url(&self) -> &str {
        match self {
            Db::Sqlite { url, .. } | Db::Postgres { url, .. } => url,
        }
    }

    fn store(&self) -> Store {
        let mut s = Store::open_or_create(self.url()).expect("open store");
        s.migrate().expect("migrate");
        s
    }

    /// Runs SQL behind the store's back, as an operator with database access could.
    fn raw(&self, sql: &str) {
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

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(mod $name {
            #[test]
            fn sqlite() {
                super::$name(&super::Db::sqlite());
            }
            #[test]
            fn postgres() {
                super::$name(&super::Db::postgres());
            }
        })*
    };
}

on_both!(
    migrations_are_idempotent,
    a_new_database_records_every_step_with_its_checksum,
    a_step_whose_record_was_changed_is_refused_naming_both_checksums,
    a_step_missing_from_the_record_is_refused,
    steps_applied_before_checksums_were_recorded_are_unknown_not_trusted,
    a_database_from_a_newer_program_is_refused_and_its_step_shown,
    imported_events_read_back_unchanged,
    resending_an_event_is_a_no_op_that_reports_the_stored_one,
    a_key_reused_with_other_content_is_rejected_naming_both_events,
    expected_versions_guard_concurrent_writers,
    refused_events_are_not_stored,
    a_bad_row_does_not_stop_the_batch,
    an_event_id_already_stored_is_rejected_and_the_rest_kept,
    rebuild_gives_identical_projections_and_repairs_drift,
    persons_round_trip,
    a_batch_of_persons_is_judged_as_its_persons_one_at_a_time,
    concurrent_appends_lose_nothing,
    events_recorded_in_the_future_are_rejected,
    a_refusal_keeps_its_rules_through_the_store,
    a_citizenship_claim_protects_every_case_of_the_person,
    a_case_cannot_contradict_its_persons_identity,
    the_bulk_scan_reports_a_bad_row_and_can_stop,
    stored_version_1_events_are_read_by_upcasting,
    migrating_rebuilds_projections_of_another_format,
    a_copy_covers_every_table_of_the_schema,
);

/// `Store::copy_to` lists the tables it copies: a table added to the schema and not to the
/// copy (nor said not to be copied) would be lost by every copy.
fn a_copy_covers_every_table_of_the_schema(db: &Db) {
    let mut s = db.store();
    assert_eq!(s.tables_not_copied().expect("tables"), Vec::<String>::new());
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("valid time")
}

/// How the tests record persons.
fn rec() -> docket_store::persons::Recording {
    docket_store::persons::Recording { at: "2026-11-23T12:00:00Z".into(), by: "clerk".into(), reason: "test".into() }
}

fn person(id: &str) -> Person {
    let today = docket_core::Date::parse("2026-11-23").expect("date");
    Person {
        id: PersonId::parse(id).expect("id"),
        a_number: Some(docket_core::ANumber::parse("A-123-456-789").expect("a-number")),
        name: PersonName::new("María José", "García López", NameOrder::GivenFirst).expect("name"),
        aliases: vec![PersonName::new("Maria", "Garcia", NameOrder::GivenFirst).expect("alias")],
        date_of_birth: DateOfBirth::parse("1990-07-XX", today).expect("dob"),
        sex: Sex::Female,
        nationality: Some(docket_core::Country::parse("GTM").expect("country")),
        documents: vec![],
    }
}

/// Event `n` of `case`, with a unique id per (case, n).
fn ev(case: &str, n: u32, at: &str, body: EventBody) -> Event {
    let case_no: u128 = case.bytes().fold(0u128, |a, b| a * 31 + u128::from(b)) & 0xffff_ffff;
    Event {
        id: EventId::from_u128((case_no << 32) | u128::from(n)),
        case_id: CaseId::parse(case).expect("case"),
        effective_at: ts(at),
        recorded_at: ts("2026-01-01T00:00:00Z"),
        recorded_by: ActorId::parse("tester").expect("actor"),
        source: Source::Import,
        reference: Some(format!("doc-{n}")),
        idempotency_key: IdempotencyKey::parse(&format!("{case}-{n}")).expect("key"),
        body,
    }
}

fn history(case: &str, person: &str) -> Vec<Event> {
    vec![
        ev(
            case,
            1,
            "2025-01-06T09:00:00-05:00",
            EventBody::CaseOpened {
                person_id: PersonId::parse(person).expect("person"),
                a_number: None,
                time_zone: Some(TimeZone::parse("America/New_York").expect("zone")),
            },
        ),
        ev(case, 2, "2025-01-07T09:00:00-05:00", EventBody::NoticeToAppearServed),
        ev(case, 3, "2025-01-08T09:00:00-05:00", EventBody::NoticeToAppearFiled),
        ev(
            case,
            4,
            "2025-03-04T10:00:00-05:00",
            EventBody::DecisionIssued {
                outcome: DecisionOutcome::RemovalOrdered,
                time_zone: None,
                country_protection: None,
            },
        ),
    ]
}

fn removal(case: &str, n: u32, at: &str) -> Event {
    ev(case, n, at, EventBody::RemovalCarriedOut { country: None })
}

/// The rejection of an outcome, or a panic naming what it was instead.
fn rejection(o: &ImportOutcome) -> &Rejection {
    match o {
        ImportOutcome::Rejected(r) => r,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// A file's permission bits.
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).unwrap_or_else(|e| panic!("`{}`: {e}", p.display())).permissions().mode() & 0o777
}

#[test]
fn a_new_sqlite_database_and_its_wal_and_shared_memory_are_readable_by_their_owner_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("docket.db");
    let mut s = Store::open_or_create(&format!("sqlite://{}", path.display())).expect("create");
    s.migrate().expect("migrate");
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    s.import(&history("C-1", "P-1")).expect("import");
    // While the store is open, SQLite keeps the WAL and shared-memory files beside the database.
    let files = ["docket.db", "docket.db-wal", "docket.db-shm"].map(|n| dir.path().join(n));
    let wider: Vec<String> =
        files.iter().filter(|p| mode(p) != 0o600).map(|p| format!("`{}` is {:o}", p.display(), mode(p))).collect();
    assert!(wider.is_empty(), "each file is 0600: {}", wider.join(", "));
}

#[test]
fn opening_a_sqlite_database_that_is_not_there_creates_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("docket.db");
    let err = Store::open(&format!("sqlite://{}", path.display())).expect_err("no database");
    assert!(matches!(err, StoreError::NoDatabase { .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("no database exists at `{}`", path.display()));
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
    assert!(left.is_empty(), "nothing is created: {left:?}");
    // Only `open_or_create` creates one, and then `open` finds it.
    Store::open_or_create(&format!("sqlite://{}", path.display())).expect("create");
    Store::open(&format!("sqlite://{}", path.display())).expect("open");
}

fn stored_count(outcomes: &[ImportOutcome]) -> usize {
    outcomes.iter().filter(|o| matches!(o, ImportOutcome::Stored { .. })).count()
}

fn migrations_are_idempotent(db: &Db) {
    let mut s = db.store();
    assert_eq!(s.migrate().expect("second migrate"), docket_store::SCHEMA_VERSION);
    s.check_schema().expect("schema current");
    let mut fresh = Store::open(db.url()).expect("open");
    fresh.check_schema().expect("schema visible to a new connection");
}

/// The migration steps, by their fixed names.
const STEP_NAMES: [&str; 7] = [
    "events_and_projections",
    "audit_ledger",
    "ledger_leaf_chunks",
    "citizenship_and_store_meta",
    "person_versions_and_ledger_keys",
    "adopted_policies",
    "departure_feed",
];

fn states(steps: &[StepStatus]) -> Vec<(i64, StepState)> {
    steps.iter().map(|s| (s.version, s.state)).collect()
}

fn status(s: &mut Store) -> Vec<StepStatus> {
    s.migration_status().expect("migration status")
}

fn a_new_database_records_every_step_with_its_checksum(db: &Db) {
    let mut s = db.store();
    let steps = status(&mut s);
    assert_eq!(steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), STEP_NAMES);
    for step in &steps {
        assert_eq!(step.state, StepState::Applied, "{step:?}");
        assert!(step.applied_at.as_deref().is_some_and(|t| Timestamp::parse(t).is_ok()), "{step:?}");
        let expected = step.expected_checksum.as_deref().expect("a checksum of this program's step");
        assert!(expected.len() == 64 && expected.bytes().all(|b| b.is_ascii_hexdigit()), "{step:?}");
        assert_eq!(step.recorded_checksum.as_deref(), Some(expected), "recorded as applied: {step:?}");
        assert_eq!(step.recorded_name, None, "recorded under its own name: {step:?}");
    }
    let distinct: std::collections::HashSet<_> = steps.iter().map(|s| s.expected_checksum.clone()).collect();
    assert_eq!(distinct.len(), steps.len(), "each step has its own checksum");
    // Another connection, and a second migration, find the same.
    assert_eq!(status(&mut Store::open(db.url()).expect("open")), steps);
    s.migrate().expect("migrate again");
    assert_eq!(status(&mut s), steps);
}

/// What an edited migration looks like to a database that applied it: a recorded checksum
/// that is not this program's. Refused on open and by a migration, naming the step and both
/// checksums; nothing is written.
fn a_step_whose_record_was_changed_is_refused_naming_both_checksums(db: &Db) {
    let mut s = db.store();
    let expected = status(&mut s)[2].expected_checksum.clone().expect("expected");
    let forged = "0".repeat(64);
    db.raw(&format!("UPDATE schema_migrations SET checksum = '{forged}' WHERE version = 3"));
    let mut s = Store::open(db.url()).expect("open");
    let err = s.check_schema().expect_err("refused on open");
    match &err {
        StoreError::MigrationChanged { version, name, recorded, expected: e } => {
            assert_eq!((*version, name.as_str(), recorded, e), (3, "ledger_leaf_chunks", &forged, &expected));
        }
        other => panic!("expected MigrationChanged, got {other:?}"),
    }
    let message = err.to_string();
    for part in ["schema migration 3 ", "`ledger_leaf_chunks`", &forged, &expected] {
        assert!(message.contains(part), "`{part}` in: {message}");
    }
    assert_eq!(s.migrate().expect_err("refused by a migration").to_string(), message);
    use StepState::*;
    assert_eq!(
        states(&status(&mut s)),
        [(1, Applied), (2, Applied), (3, Changed), (4, Applied), (5, Applied), (6, Applied), (7, Applied)]
    );
    let changed = &status(&mut s)[2];
    assert_eq!(
        (changed.recorded_checksum.as_ref(), changed.expected_checksum.as_ref()),
        (Some(&forged), Some(&expected))
    );
    // The record put back as it was is accepted again: the refusal wrote nothing.
    db.raw(&format!("UPDATE schema_migrations SET checksum = '{expected}' WHERE version = 3"));
    s.check_schema().expect("accepted");
}

fn a_step_missing_from_the_record_is_refused(db: &Db) {
    db.store();
    db.raw("DELETE FROM schema_migrations WHERE version = 2");
    let mut s = Store::open(db.url()).expect("open");
    let err = s.check_schema().expect_err("refused on open");
    assert!(matches!(&err, StoreError::MigrationMissing { version: 2, name } if name == "audit_ledger"), "{err:?}");
    assert!(matches!(s.migrate(), Err(StoreError::MigrationMissing { version: 2, .. })));
    use StepState::*;
    assert_eq!(
        states(&status(&mut s)),
        [(1, Applied), (2, Missing), (3, Applied), (4, Applied), (5, Applied), (6, Applied), (7, Applied)]
    );
}

/// A database at schema 5 whose `schema_migrations` has only `version` and `applied_at`, as
/// every database had before checksums were recorded: it opens, each step is unknown (what it
/// applied cannot be checked: schema 5 itself gained a table after databases had applied
/// it), and a migration adds the columns without vouching for what came before.
fn steps_applied_before_checksums_were_recorded_are_unknown_not_trusted(db: &Db) {
    db.store();
    db.raw("ALTER TABLE schema_migrations DROP COLUMN name; ALTER TABLE schema_migrations DROP COLUMN checksum;");
    let mut s = Store::open(db.url()).expect("open");
    s.check_schema().expect("not refused: nothing recorded contradicts this program");
    let unknown = status(&mut s);
    assert_eq!(unknown.iter().map(|s| s.state).collect::<Vec<_>>(), [StepState::Unknown; 7]);
    for step in &unknown {
        assert!(step.applied_at.is_some() && step.expected_checksum.is_some(), "{step:?}");
        assert_eq!(step.recorded_checksum, None, "{step:?}");
    }
    assert_eq!(s.migrate().expect("migrate"), docket_store::SCHEMA_VERSION);
    s.check_schema().expect("current");
    assert_eq!(status(&mut s), unknown, "the columns are there now, and still nothing is vouched for");
    // The columns were added: a recorded checksum is compared again.
    db.raw("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 4");
    assert!(matches!(s.check_schema(), Err(StoreError::MigrationChanged { version: 4, .. })));
}

fn a_database_from_a_newer_program_is_refused_and_its_step_shown(db: &Db) {
    db.store();
    db.raw(
        "INSERT INTO schema_migrations (version, applied_at, name, checksum)
         VALUES (8, '2027-01-01 00:00:00', 'future_step', 'abc')",
    );
    let mut s = Store::open(db.url()).expect("open");
    assert!(matches!(s.check_schema(), Err(StoreError::SchemaTooNew { found: 8 })));
    assert!(matches!(s.migrate(), Err(StoreError::SchemaTooNew { found: 8 })));
    let steps = status(&mut s);
    let newer = steps.last().expect("steps");
    assert_eq!(
        (newer.version, newer.name.as_str(), newer.state, newer.recorded_checksum.as_deref(), &newer.expected_checksum),
        (8, "future_step", StepState::Unrecognized, Some("abc"), &None)
    );
    assert!(steps[..7].iter().all(|s| s.state == StepState::Applied));
}

fn imported_events_read_back_unchanged(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let events = history("C-1", "P-1");
    let outcomes = s.import(&events).expect("import");
    assert_eq!(stored_count(&outcomes), 4, "{outcomes:?}");
    let back = s.events(&CaseId::parse("C-1").expect("case")).expect("read");
    assert_eq!(back, events);
    let summary = s.summary(&CaseId::parse("C-1").expect("case")).expect("summary").expect("present");
    assert_eq!(summary.version, 4);
    assert_eq!(summary.appeal_deadline.as_ref().map(|d| d.due.to_string()), Some("2025-04-03".into()));
    assert_eq!(s.stats().expect("stats"), docket_store::Stats { persons: 1, cases: 1, events: 4 });
}

fn resending_an_event_is_a_no_op_that_reports_the_stored_one(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let events = history("C-1", "P-1");
    s.import(&events).expect("import");
    // The same event re-sent after a timeout, with an id and a recording time minted anew:
    // nothing changes, and the stored event is reported.
    let mut again = events[3].clone();
    again.id = EventId::from_u128(999);
    again.recorded_at = again.recorded_at.plus_seconds(60);
    match s.append(again, Expected::Version(0)).expect("append") {
        Appended::AlreadyStored { event } => assert_eq!(*event, events[3]),
        other => panic!("expected AlreadyStored, got {other:?}"),
    }
    let outcomes = s.import(&events).expect("re-import");
    assert!(outcomes.iter().all(|o| matches!(o, ImportOutcome::Duplicate { .. })), "{outcomes:?}");
    assert_eq!(s.stats().expect("stats").events, 4);
}

fn a_key_reused_with_other_content_is_rejected_naming_both_events(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let events = history("C-1", "P-1");
    s.import(&events).expect("import");
    let mut other = events[3].clone();
    other.id = EventId::from_u128(999);
    other.body =
        EventBody::DecisionIssued { outcome: DecisionOutcome::Terminated, time_zone: None, country_protection: None };
    match s.append(other.clone(), Expected::Any) {
        Err(StoreError::Rejected { field, reason, .. }) => {
            assert_eq!(field, "idempotency_key");
            assert!(reason.contains(&other.id.to_string()), "{reason}");
            assert!(reason.contains(&events[3].id.to_string()), "{reason}");
            assert!(reason.contains("the event's fields"), "{reason}");
        }
        got => panic!("expected a rejection, got {got:?}"),
    }
    // The same within one batch: the second holder of a key is rejected, the first stored.
    let mut first = events[3].clone();
    first.case_id = CaseId::parse("C-2").expect("case");
    let mut batch = history("C-2", "P-1")[..3].to_vec();
    first.idempotency_key = IdempotencyKey::parse("C-2-shared").expect("key");
    first.id = EventId::from_u128(1000);
    let mut second = first.clone();
    second.id = EventId::from_u128(1001);
    second.effective_at = second.effective_at.plus_seconds(3600);
    batch.push(first);
    batch.push(second);
    let outcomes = s.import(&batch).expect("batch");
    assert!(matches!(outcomes[3], ImportOutcome::Stored { .. }), "{outcomes:?}");
    match &outcomes[4] {
        ImportOutcome::Rejected(r) => {
            assert_eq!(r.field(), "idempotency_key");
            assert!(r.reason().contains("effective_at"), "{}", r.reason());
            assert!(r.reason().contains(&EventId::from_u128(1000).to_string()), "{}", r.reason());
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(s.stats().expect("stats").events, 8);
}

fn expected_versions_guard_concurrent_writers(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let events = history("C-1", "P-1");
    assert_eq!(s.append(events[0].clone(), Expected::NoStream).expect("open"), Appended::Stored { version: 1 });
    let err = s.append(events[1].clone(), Expected::NoStream).expect_err("stream exists");
    assert!(matches!(err, StoreError::Conflict { found: 1, .. }), "{err}");
    let err = s.append(events[1].clone(), Expected::Version(5)).expect_err("wrong version");
    assert!(err.to_string().contains("expected to have version 5 but has 1"), "{err}");
    assert_eq!(
        s.append(events[1].clone(), Expected::Version(1)).expect("right version"),
        Appended::Stored { version: 2 }
    );
    assert_eq!(s.append(events[2].clone(), Expected::Any).expect("any"), Appended::Stored { version: 3 });
}

fn refused_events_are_not_stored(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    s.import(&history("C-1", "P-1")).expect("import");
    // Inside the appeal window the automatic stay forbids removal; and the order is not final.
    let removal = removal("C-1", 5, "2025-03-10T10:00:00-05:00");
    let err = s.append(removal, Expected::Any).expect_err("refused");
    let msg = err.to_string();
    assert!(msg.contains("not final until 2025-04-04"), "{msg}");
    assert_eq!(s.stats().expect("stats").events, 4);
}

fn a_bad_row_does_not_stop_the_batch(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1"), person("P-2")], &rec()).expect("persons");
    let mut batch = history("C-1", "P-1");
    batch.extend(history("C-2", "P-404"));
    batch.extend(history("C-3", "P-2"));
    // A stay granted to C-3, then removal attempted during it.
    batch.push(ev(
        "C-3",
        5,
        "2025-03-05T10:00:00-05:00",
        EventBody::ProtectionGranted {
            protection: ProtectionKind::Stay(StayKind::Judicial),
            from: ts("2025-03-05T10:00:00-05:00"),
            until: ProtectionEnd::Indefinite,
        },
    ));
    batch.push(removal("C-3", 6, "2025-05-05T10:00:00-05:00"));
    let outcomes = s.import(&batch).expect("import");
    // C-2's person is unknown: its opening is rejected and so is everything after it.
    let r = rejection(&outcomes[4]);
    assert!(r.field() == "person_id" && r.reason().contains("P-404"), "{r}");
    assert!(rejection(&outcomes[5]).reason().contains("has not been opened"));
    let r = rejection(&outcomes[13]);
    assert_eq!(r.refusal().map(|r| r.rule()), Some(Rule::JudicialStay), "{r}");
    assert_eq!(stored_count(&outcomes), 9);
    assert_eq!(s.stats().expect("stats"), docket_store::Stats { persons: 2, cases: 2, events: 9 });
}

fn an_event_id_already_stored_is_rejected_and_the_rest_kept(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1"), person("P-2")], &rec()).expect("persons");
    let first = history("C-1", "P-1");
    s.import(&first).expect("import");
    let mut second = history("C-2", "P-2");
    second[2].id = first[0].id; // collides with a stored event of another case
    second.push(second[3].clone()); // and a duplicate key inside the batch
    let outcomes = s.import(&second).expect("import");
    assert_eq!(rejection(&outcomes[2]).field(), "event_id", "{outcomes:?}");
    // Without the filed NTA, the decision is refused; the re-sent decision is refused the same way.
    assert!(rejection(&outcomes[3]).reason().contains("notice to appear"));
    assert_eq!(stored_count(&outcomes), 2);
    assert_eq!(s.stats().expect("stats").events, 6);
}

fn rebuild_gives_identical_projections_and_repairs_drift(db: &Db) {
    let mut s = db.store();
    let persons: Vec<Person> = (0..30).map(|i| person(&format!("P-{i}"))).collect();
    s.store_persons(&persons, &rec()).expect("persons");
    let mut batch = Vec::new();
    for i in 0..30 {
        batch.extend(history(&format!("C-{i}"), &format!("P-{i}")));
    }
    s.import(&batch).expect("import");
    let before = summaries(&mut s);
    let report = s.rebuild(&mut |_| {}).expect("rebuild");
    assert_eq!((report.cases, report.events, report.differing_count), (30, 120, 0));
    assert_eq!(summaries(&mut s), before);

    db.raw("UPDATE case_projection SET summary = replace(summary, '2025-04-03', '2025-05-03') WHERE case_id = 'C-7'");
    db.raw("DELETE FROM case_projection WHERE case_id = 'C-8'");
    let drifted = summaries(&mut s);
    // A check reports the drift and writes nothing, however often it runs.
    for _ in 0..2 {
        let check = s.check_projections(&mut |_| {}).expect("check");
        assert_eq!((check.cases, check.differing.clone()), (30, vec!["C-7".to_owned(), "C-8".to_owned()]));
        assert_eq!(summaries(&mut s), drifted);
    }
    let report = s.rebuild(&mut |_| {}).expect("rebuild");
    assert_eq!(report.differing, vec!["C-7".to_owned(), "C-8".to_owned()]);
    assert_eq!(summaries(&mut s), before);
    assert_eq!(s.check_projections(&mut |_| {}).expect("check").differing_count, 0);
}

fn summaries(s: &mut Store) -> Vec<String> {
    let mut out = Vec::new();
    s.scan_summaries(&mut |sum| {
        out.push(docket_store::projection::encode(&sum.expect("every stored projection decodes")));
        ControlFlow::Continue(())
    })
    .expect("scan");
    out
}

fn persons_round_trip(db: &Db) {
    let mut s = db.store();
    let p = person("P-1");
    s.store_persons(std::slice::from_ref(&p), &rec()).expect("persons");
    assert_eq!(s.person(&p.id).expect("read"), Some(p.clone()));
    let mut changed = p.clone();
    changed.sex = Sex::Unknown;
    changed.a_number = None;
    // An import neither replaces a stored identity nor drops a field of it.
    let outcome = s.store_persons(&[p.clone(), changed.clone()], &rec()).expect("import again");
    assert_eq!(
        outcome,
        [
            PersonOutcome::Unchanged,
            PersonOutcome::Differs { field: "a_number", stored: "A123456789".into(), given: String::new() }
        ]
    );
    assert_eq!(s.person(&p.id).expect("read"), Some(p.clone()));
    // A correction is the next version; the first is kept.
    let corrected =
        docket_store::persons::Recording { by: "officer.b".into(), reason: "birth certificate".into(), ..rec() };
    let outcome = s.correct_persons(&[changed.clone(), person("P-9")], &corrected).expect("correct");
    assert_eq!(outcome, [PersonOutcome::Stored { version: 2 }, PersonOutcome::Unknown]);
    assert_eq!(s.person(&p.id).expect("read"), Some(changed.clone()));
    let versions = s.person_versions(&p.id).expect("versions");
    assert_eq!(
        versions.iter().map(|v| (v.version, v.person.clone(), v.reason.as_str())).collect::<Vec<_>>(),
        [(1, p.clone(), "test"), (2, changed, "birth certificate")]
    );
    assert_eq!(s.ledger_head().expect("head").0, 2, "each version is a ledger leaf");
    assert_eq!(s.person(&PersonId::parse("P-0").expect("id")).expect("read"), None);
}

/// A batch of persons is judged as its persons would be one at a time, in order: the same
/// outcomes, versions, `persons` rows and ledger (so the same leaves, row ids and payloads in
/// the same order). The batches are larger than one lookup of stored versions and mix new,
/// unchanged and differing persons, and persons given twice.
fn a_batch_of_persons_is_judged_as_its_persons_one_at_a_time(db: &Db) {
    let other = match db {
        Db::Sqlite { .. } => Db::sqlite(),
        Db::Postgres { .. } => Db::postgres(),
    };
    if let Db::Postgres { name, .. } = &other {
        // A thousand one-person transactions: not each waiting for its WAL flush.
        other.raw(&format!("ALTER DATABASE {name} SET synchronous_commit = off"));
    }
    let (mut batched, mut single) = (db.store(), other.store());
    let id = |i: usize| format!("P-{i:05}");
    let stored: Vec<Person> = (0..600).map(|i| person(&id(i))).collect();
    for s in [&mut batched, &mut single] {
        s.store_persons(&stored, &rec()).expect("persons");
    }
    let differing = |i: usize| Person { sex: Sex::Male, ..person(&id(i)) };
    // From the highest id down, so that the batch is not in id order.
    let mut batch = Vec::new();
    for i in (0..700).rev() {
        match i % 5 {
            0 => batch.push(person(&id(i))),
            1 => batch.push(differing(i)),
            2 => batch.push(person(&id(1000 + i))),
            // A new person given twice, the second time as given first, then otherwise.
            3 => batch.extend([person(&id(2000 + i)), person(&id(2000 + i)), differing(2000 + i)]),
            _ => batch.extend([differing(3000 + i), person(&id(3000 + i))]),
        }
    }
    let corrections = vec![differing(1), person(&id(1)), person(&id(5)), differing(5), person(&id(9999))];
    let correcting = docket_store::persons::Recording { reason: "birth certificate".into(), ..rec() };
    let outcomes = batched.store_persons(&batch, &rec()).expect("batch");
    let one_at_a_time: Vec<PersonOutcome> =
        batch.iter().flat_map(|p| single.store_persons(std::slice::from_ref(p), &rec()).expect("one")).collect();
    assert_eq!(outcomes, one_at_a_time);
    let count = |o: &[PersonOutcome], f: fn(&PersonOutcome) -> bool| o.iter().filter(|x| f(x)).count();
    assert_eq!(
        (
            count(&outcomes, |o| matches!(o, PersonOutcome::Stored { version: 1 })),
            count(&outcomes, |o| matches!(o, PersonOutcome::Unchanged)),
            count(&outcomes, |o| matches!(o, PersonOutcome::Differs { .. })),
        ),
        (460, 260, 400)
    );
    let corrected = batched.correct_persons(&corrections, &correcting).expect("corrections");
    let corrected_singly: Vec<PersonOutcome> = corrections
        .iter()
        .flat_map(|p| single.correct_persons(std::slice::from_ref(p), &correcting).expect("one"))
        .collect();
    assert_eq!(corrected, corrected_singly);
    assert_eq!(
        corrected,
        [
            PersonOutcome::Stored { version: 2 },
            PersonOutcome::Stored { version: 3 },
            PersonOutcome::Unchanged,
            PersonOutcome::Stored { version: 2 },
            PersonOutcome::Unknown
        ]
    );
    for i in (0..700).chain(1000..1700).chain(2000..2700).chain(3000..3700) {
        let pid = PersonId::parse(&id(i)).expect("id");
        assert_eq!(batched.person(&pid).expect("read"), single.person(&pid).expect("read"), "{pid}");
        assert_eq!(batched.person_versions(&pid).expect("read"), single.person_versions(&pid).expect("read"), "{pid}");
    }
    assert_eq!(batched.person(&PersonId::parse(&id(1)).expect("id")).expect("read"), Some(person(&id(1))));
    assert_eq!(batched.ledger_head().expect("head"), single.ledger_head().expect("head"));
    assert_eq!(batched.ledger_head().expect("head").0, 600 + 460 + 3);
}

fn concurrent_appends_lose_nothing(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    s.import(&history("C-1", "P-1")[..3]).expect("import");
    // Four writers each schedule hearings on the same case at once; every one must land,
    // each at its own version.
    let threads: Vec<_> = (0..4)
        .map(|w| {
            let url = db.url().to_owned();
            std::thread::spawn(move || {
                let mut s = Store::open(&url).expect("open");
                for k in 0..5 {
                    let n = 100 + w * 10 + k;
                    let e = ev(
                        "C-1",
                        n,
                        "2025-02-01T09:00:00-05:00",
                        EventBody::HearingScheduled {
                            kind: docket_core::HearingKind::Master,
                            at: ts("2025-06-01T09:00:00-05:00"),
                        },
                    );
                    s.append(e, Expected::Any).expect("append");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("writer");
    }
    let events = s.events(&CaseId::parse("C-1").expect("case")).expect("events");
    assert_eq!(events.len(), 23);
    assert_eq!(s.summary(&CaseId::parse("C-1").expect("case")).expect("summary").expect("present").version, 23);
}

fn events_recorded_in_the_future_are_rejected(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let mut events = history("C-1", "P-1");
    // A custody event dated 2150: recorded "then" and taking effect "then" is still a claim
    // about the future, which no record can make.
    let mut future = ev("C-1", 5, "2150-01-06T09:00:00-05:00", EventBody::CustodyBegan);
    future.recorded_at = ts("2150-01-06T09:00:00-05:00");
    events.push(future);
    let outcomes = s.import(&events).expect("import");
    let r = rejection(&outcomes[4]);
    assert!(r.field() == "recorded_at" && r.reason().contains("future"), "{r}");
    assert_eq!(stored_count(&outcomes), 4);
}

/// A refusal reaches the caller as a typed `Refusal`, every rule named, most specific first;
/// a caller can tell it from a failure worth retrying.
fn a_refusal_keeps_its_rules_through_the_store(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let mut events = history("C-1", "P-1");
    events.push(ev(
        "C-1",
        5,
        "2025-03-20T11:00:00-04:00",
        EventBody::AppealFiled { by: docket_core::Appellant::Respondent, late_filing_basis: None },
    ));
    s.import(&events).expect("import");
    let err = s.append(removal("C-1", 6, "2025-05-01T12:00:00-04:00"), Expected::Any).expect_err("refused");
    let StoreError::Refused { refusal, case, .. } = &err else { panic!("expected a refusal, got {err:?}") };
    assert_eq!(case, "C-1");
    let rules: Vec<Rule> = refusal.rules().collect();
    assert_eq!(rules, vec![Rule::AutomaticStayPendingAppeal, Rule::NoFinalOrder], "{refusal}");
    assert!(err.to_string().contains("8 CFR 1003.6(a)"), "{err}");
    assert!(!err.is_retryable(), "a refusal is final, not worth retrying");
}

/// A claim to US citizenship is about the person: raised in one case, it stops enforcement in
/// another of the person's cases, in the same batch or a later one, until resolved.
fn a_citizenship_claim_protects_every_case_of_the_person(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let mut batch = history("C-1", "P-1");
    batch.extend(history("C-2", "P-1"));
    batch.push(ev("C-2", 5, "2025-03-05T10:00:00-05:00", EventBody::CitizenshipClaimRaised));
    batch.push(ev("C-1", 5, "2025-03-06T10:00:00-05:00", EventBody::CustodyBegan));
    let outcomes = s.import(&batch).expect("import");
    let r = rejection(&outcomes[9]);
    assert_eq!(r.refusal().map(|r| r.rule()), Some(Rule::CitizenshipClaimPending), "{r}");
    assert!(r.reason().contains("`C-2`"), "the refusal names the case of the claim: {r}");
    // A later batch sees the stored claim.
    let err = s.append(removal("C-1", 6, "2025-05-01T12:00:00-04:00"), Expected::Any).expect_err("refused");
    assert!(err.to_string().contains("a claim of the person to US citizenship is pending (case `C-2`)"), "{err}");
    // Resolved against the person, the claim no longer bars the other case.
    s.append(
        ev(
            "C-2",
            6,
            "2025-04-10T10:00:00-04:00",
            EventBody::CitizenshipClaimResolved { finding: docket_core::CitizenshipFinding::NotCitizen },
        ),
        Expected::Any,
    )
    .expect("resolved");
    s.append(removal("C-1", 7, "2025-05-01T12:00:00-04:00"), Expected::Any).expect("removal now lawful");
}

/// An event that contradicts the person's record is refused: an A-number not the person's, a
/// case opened before the person was born, a departure before the case began.
fn a_case_cannot_contradict_its_persons_identity(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let open = |case: &str, at: &str, a: Option<&str>| {
        ev(
            case,
            1,
            at,
            EventBody::CaseOpened {
                person_id: PersonId::parse("P-1").expect("person"),
                a_number: a.map(|a| docket_core::ANumber::parse(a).expect("A-number")),
                time_zone: Some(TimeZone::parse("America/Chicago").expect("zone")),
            },
        )
    };
    let outcomes = s
        .import(&[
            open("C-1", "2025-01-06T09:00:00-06:00", Some("A999999999")),
            open("C-2", "1989-01-06T09:00:00-06:00", None),
            open("C-3", "2025-01-06T09:00:00-06:00", Some("A123456789")),
            ev(
                "C-3",
                2,
                "2025-02-06T09:00:00-06:00",
                EventBody::DepartureVerified {
                    departed_on: docket_core::Date::parse("2024-12-01").expect("date"),
                    evidence: None,
                },
            ),
        ])
        .expect("import");
    assert_eq!(rejection(&outcomes[0]).refusal().map(|r| r.rule()), Some(Rule::ANumberMismatch));
    assert_eq!(rejection(&outcomes[1]).refusal().map(|r| r.rule()), Some(Rule::ImpossibleDate));
    assert!(matches!(outcomes[2], ImportOutcome::Stored { .. }), "{:?}", outcomes[2]);
    assert!(rejection(&outcomes[3]).reason().contains("before the case was opened"), "{:?}", outcomes[3]);
}

/// The bulk scan goes on past a row it cannot decode, reporting it, and stops when asked.
fn the_bulk_scan_reports_a_bad_row_and_can_stop(db: &Db) {
    let mut s = db.store();
    let persons: Vec<Person> = (0..5).map(|i| person(&format!("P-{i}"))).collect();
    s.store_persons(&persons, &rec()).expect("persons");
    let batch: Vec<Event> = (0..5).flat_map(|i| history(&format!("C-{i}"), &format!("P-{i}"))).collect();
    s.import(&batch).expect("import");
    db.raw("UPDATE case_projection SET summary = '{not json' WHERE case_id = 'C-2'");
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    s.scan_summaries(&mut |r| {
        match r {
            Ok(sum) => good.push(sum.case_id.to_string()),
            Err(e) => bad.push(e.to_string()),
        }
        ControlFlow::Continue(())
    })
    .expect("the scan completes");
    assert_eq!(good, ["C-0", "C-1", "C-3", "C-4"]);
    assert_eq!(bad.len(), 1);
    assert!(bad[0].contains("`C-2`"), "the error names the row: {}", bad[0]);
    let mut seen = 0;
    s.scan_summaries(&mut |_| {
        seen += 1;
        if seen == 2 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    })
    .expect("stopped scan");
    assert_eq!(seen, 2);
}

/// Events stored in the version-1 layout are read by upcasting, never rewritten: what version
/// 1 could not say is unknown, and the rules fail closed on it.
fn stored_version_1_events_are_read_by_upcasting(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    s.import(&history("C-1", "P-1")[..3]).expect("import");
    let grant = ev(
        "C-1",
        4,
        "2025-01-09T09:00:00-05:00",
        EventBody::ProtectionGranted {
            protection: ProtectionKind::Tps,
            from: ts("2025-01-09T09:00:00-05:00"),
            until: ProtectionEnd::At(ts("2025-06-01T00:00:00-04:00")),
        },
    );
    s.import(&[grant]).expect("grant");
    // Rewrite the stored payload as version 1 wrote it: no `until` meant "open-ended" then.
    db.raw(
        "UPDATE events SET schema_version = 1,
            payload = replace(replace(payload, '\"schema_version\":2', '\"schema_version\":1'), ',\"until\":\"2025-06-01T00:00:00-04:00\"', '')
         WHERE version = 4",
    );
    let events = s.events(&CaseId::parse("C-1").expect("case")).expect("read v1");
    let EventBody::ProtectionGranted { until, .. } = &events[3].body else { panic!("{:?}", events[3]) };
    assert_eq!(*until, ProtectionEnd::Unknown, "a v1 grant without an end has an unknown end");
    let report = s.rebuild(&mut |_| {}).expect("rebuild");
    assert_eq!(report.differing, vec!["C-1".to_owned()], "the projection follows the upcast reading");
    let summary = s.summary(&CaseId::parse("C-1").expect("case")).expect("summary").expect("present");
    assert!(summary.protections.iter().any(|p| p.end_unknown), "{:?}", summary.protections);
}

/// A database whose projections were written in an older format has them rebuilt when it is
/// migrated, so that new facts (the `citizenship` column, met deadlines) are never read stale.
fn migrating_rebuilds_projections_of_another_format(db: &Db) {
    let mut s = db.store();
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let mut events = history("C-1", "P-1");
    events.push(ev("C-1", 5, "2025-03-05T10:00:00-05:00", EventBody::CitizenshipClaimRaised));
    s.import(&events).expect("import");
    db.raw("UPDATE case_projection SET citizenship = 'no_claim', summary = '{}'; DELETE FROM store_meta");
    let mut again = Store::open(db.url()).expect("open");
    again.migrate().expect("migrate");
    let sum = again.summary(&CaseId::parse("C-1").expect("case")).expect("summary").expect("present");
    assert_eq!(sum.citizenship, docket_core::CitizenshipStatus::Pending);
    s.store_persons(&[person("P-1")], &rec()).expect("persons");
    let err = s
        .append(ev("C-1", 6, "2025-05-05T10:00:00-04:00", EventBody::Arrested), Expected::Any)
        .expect_err("claim pending");
    assert!(matches!(&err, StoreError::Refused { refusal, .. } if refusal.rule() == Rule::CitizenshipClaimPending));
}

mod ledger_tamper {
    //! Tamper tests: change the database behind Docket's back, as an operator with write
    //! access could, and `verify_ledger` must say what changed.

    use super::*;
    use docket_store::departures::{NewDeparture, Outcome, Placed, ReviewDecision};

    fn key() -> docket_ledger::SigningKey {
        docket_ledger::SigningKey::from_seed("docket-test", &[7; 32]).expect("key")
    }

    fn checkpoint(s: &mut Store) {
        let key = key();
        let (size, root) = s.ledger_head().expect("head");
        let note = docket_ledger::Checkpoint::new("docket.ledger/test", size, root).expect("checkpoint").sign(&key);
        s.add_checkpoint(&note, &key.verifier_key()).expect("store checkpoint");
    }

    fn verify(s: &mut Store) -> docket_store::ledger::VerifyReport {
        s.verify_ledger(&key().verifier_key(), &mut |_| {}).expect("verify runs")
    }

    /// A database with 12 cases (48 events) under a signed checkpoint.
    fn setup(db: &Db) -> Store {
        let mut s = db.store();
        let persons: Vec<Person> = (0..12).map(|i| person(&format!("P-{i}"))).collect();
        s.store_persons(&persons, &rec()).expect("persons");
        let mut batch = Vec::new();
        for i in 0..12 {
            batch.extend(history(&format!("C-{i}"), &format!("P-{i}")));
        }
        s.import(&batch).expect("import");
        checkpoint(&mut s);
        let r = verify(&mut s);
        // 12 persons' identities, then 48 events.
        assert_eq!(
            (r.leaves, r.person_versions, r.persons, r.discrepancy_count),
            (60, 12, 12, 0),
            "{:?}",
            r.discrepancies
        );
        s
    }

    /// Runs SQL with text parameters behind the store's back.
    fn raw(db: &Db, sql_sqlite: &str, sql_pg: &str, args: &[&str]) {
        match db {
            Db::Sqlite { url, .. } => {
                let c = rusqlite::Connection::open(url.trim_start_matches("sqlite://")).expect("open");
                c.execute(sql_sqlite, rusqlite::params_from_iter(args)).expect("raw sql");
            }
            Db::Postgres { url, .. } => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect();
                c.execute(sql_pg, &params).expect("raw sql");
            }
        }
    }

    fn payload(s: &mut Store, case: &str, version: usize) -> String {
        let events = s.events(&CaseId::parse(case).expect("case")).expect("events");
        docket_store::wire::WireEvent::from_event(&events[version - 1]).event_id.expect("id");
        serde_json::to_string(&docket_store::wire::WireEvent::from_event(&events[version - 1])).expect("json")
    }

    fn assert_caught(r: &docket_store::ledger::VerifyReport, needle: &str) {
        assert!(r.discrepancy_count > 0, "tampering went unnoticed");
        assert!(
            r.discrepancies.iter().any(|d| d.what.contains(needle)),
            "expected `{needle}` in {:?}",
            r.discrepancies
        );
    }

    fn another(db: &Db) -> Db {
        match db {
            Db::Sqlite { .. } => Db::sqlite(),
            Db::Postgres { .. } => Db::postgres(),
        }
    }

    fn outside(s: &mut Store, source: &str) -> docket_store::ledger::TrustedCheckpoint {
        let note = s.checkpoints().expect("checkpoints").pop().expect("a checkpoint").note;
        docket_store::ledger::TrustedCheckpoint { source: source.into(), note }
    }

    fn verify_trusting(
        s: &mut Store,
        trusted: &[docket_store::ledger::TrustedCheckpoint],
    ) -> docket_store::ledger::VerifyReport {
        s.verify_ledger_trusting(&[(0, key().verifier_key())], trusted, &mut |_| {}).expect("verify runs")
    }

    /// What the database alone cannot show, a checkpoint kept outside it does: its stored
    /// checkpoints deleted, the whole ledger rewritten with every hash recomputed, the
    /// database rolled back to an earlier state.
    pub(super) fn checkpoints_held_outside_catch_deletion_rewrite_and_rollback(db: &Db) {
        let mut s = setup(db);
        let first = outside(&mut s, "cp-60");
        let r = verify_trusting(&mut s, std::slice::from_ref(&first));
        assert_eq!(
            (r.discrepancy_count, r.trusted_checked, r.latest_trusted),
            (0, 1, Some(60)),
            "{:?}",
            r.discrepancies
        );
        // Grow, and keep the newer checkpoint outside too.
        let persons: Vec<Person> = (12..14).map(|i| person(&format!("P-{i}"))).collect();
        s.store_persons(&persons, &rec()).expect("persons");
        s.import(&(12..14).flat_map(|i| history(&format!("C-{i}"), &format!("P-{i}"))).collect::<Vec<_>>())
            .expect("import");
        checkpoint(&mut s);
        let second = outside(&mut s, "cp-70");
        let both = [first.clone(), second.clone()];
        assert_eq!(verify_trusting(&mut s, &both).discrepancy_count, 0);

        // Deleted checkpoints: the database alone shows nothing wrong.
        raw(db, "DELETE FROM ledger_checkpoints", "DELETE FROM ledger_checkpoints", &[]);
        assert_eq!(verify(&mut s).discrepancy_count, 0, "the database alone cannot tell");
        let r = verify_trusting(&mut s, &both);
        assert_caught(
            &r,
            "the checkpoint at size 60 held outside the database (cp-60) is not among the database's checkpoints: deleted",
        );
        assert_caught(
            &r,
            "the checkpoint at size 70 held outside the database (cp-70) is not among the database's checkpoints: deleted",
        );

        // A rollback: a database in the state of the first checkpoint, consistent in itself.
        let earlier = another(db);
        let mut e = setup(&earlier);
        assert_eq!(
            e.ledger_head().expect("head").1,
            docket_ledger::Checkpoint::from_note(first.note.as_bytes(), &key().verifier_key())
                .expect("note")
                .root()
                .to_owned()
        );
        assert_eq!(verify(&mut e).discrepancy_count, 0, "the database alone cannot tell");
        assert_caught(
            &verify_trusting(&mut e, &both),
            "the checkpoint at size 70 held outside the database (cp-70) is beyond its 60 stored leaves: the ledger was rolled back",
        );

        // A rewrite with every hash recomputed: the same docket with one person's name changed
        // at the start, signed anew.
        let forged = another(db);
        let mut f = forged.store();
        let mut people: Vec<Person> = (0..12).map(|i| person(&format!("P-{i}"))).collect();
        people[3].name = PersonName::new("Mario", "García López", NameOrder::GivenFirst).expect("name");
        f.store_persons(&people, &rec()).expect("persons");
        f.import(&(0..12).flat_map(|i| history(&format!("C-{i}"), &format!("P-{i}"))).collect::<Vec<_>>())
            .expect("import");
        checkpoint(&mut f);
        assert_eq!(verify(&mut f).discrepancy_count, 0, "the database alone cannot tell");
        assert_caught(
            &verify_trusting(&mut f, std::slice::from_ref(&first)),
            "the tree of the first 60 leaves does not match the checkpoint held outside the database for that size (cp-60): the ledger was rewritten",
        );
    }

    /// A person's identity is a ledger record: changing, adding or removing it behind Docket's
    /// back is caught, and so is rewriting a recorded version.
    pub(super) fn tampering_with_a_persons_identity_is_caught(db: &Db) {
        let mut s = setup(db);
        let clean = |s: &mut Store| assert_eq!(verify(s).discrepancy_count, 0, "{:?}", verify(s).discrepancies);
        // The name and the date of birth, as an insider would change them.
        raw(
            db,
            "UPDATE persons SET given_names = ?1 WHERE person_id = ?2",
            "UPDATE persons SET given_names = $1 WHERE person_id = $2",
            &["Mario", "P-3"],
        );
        assert_caught(
            &verify(&mut s),
            "person `P-3`'s stored `given_names` is `Mario` but their latest recorded version (1) says `María José`",
        );
        raw(
            db,
            "UPDATE persons SET given_names = ?1 WHERE person_id = ?2",
            "UPDATE persons SET given_names = $1 WHERE person_id = $2",
            &["María José", "P-3"],
        );
        clean(&mut s);
        raw(
            db,
            "UPDATE persons SET date_of_birth = ?1 WHERE person_id = ?2",
            "UPDATE persons SET date_of_birth = $1 WHERE person_id = $2",
            &["1991-07-XX", "P-4"],
        );
        assert_caught(
            &verify(&mut s),
            "person `P-4`'s stored `date_of_birth` is `1991-07` but their latest recorded version (1) says `1990-07`",
        );
        raw(
            db,
            "UPDATE persons SET date_of_birth = ?1 WHERE person_id = ?2",
            "UPDATE persons SET date_of_birth = $1 WHERE person_id = $2",
            &["1990-07-XX", "P-4"],
        );
        clean(&mut s);
        // The recorded version rewritten to match: its leaf gives it away.
        let payload = s.person_versions(&PersonId::parse("P-5").expect("id")).expect("versions");
        assert_eq!(payload.len(), 1);
        raw(
            db,
            "UPDATE person_versions SET payload = replace(payload, ?1, ?2) WHERE person_id = ?3",
            "UPDATE person_versions SET payload = replace(payload, $1, $2) WHERE person_id = $3",
            &["\"1990-07\"", "\"1991-07\"", "P-5"],
        );
        raw(
            db,
            "UPDATE persons SET date_of_birth = ?1 WHERE person_id = ?2",
            "UPDATE persons SET date_of_birth = $1 WHERE person_id = $2",
            &["1991-07-XX", "P-5"],
        );
        assert_caught(&verify(&mut s), "version 1 of person `P-5`");
        assert_caught(&verify(&mut s), "does not match its leaf: modified");
        raw(
            db,
            "UPDATE person_versions SET payload = replace(payload, ?1, ?2) WHERE person_id = ?3",
            "UPDATE person_versions SET payload = replace(payload, $1, $2) WHERE person_id = $3",
            &["\"1991-07\"", "\"1990-07\"", "P-5"],
        );
        raw(
            db,
            "UPDATE persons SET date_of_birth = ?1 WHERE person_id = ?2",
            "UPDATE persons SET date_of_birth = $1 WHERE person_id = $2",
            &["1990-07-XX", "P-5"],
        );
        clean(&mut s);
        // A person inserted outside Docket, and one deleted.
        raw(
            db,
            "INSERT INTO persons SELECT 'P-forged', a_number, given_names, family_names, name_order, given_folded, family_folded, aliases, date_of_birth, sex, nationality, passport_number, passport_country, passport_expiry FROM persons WHERE person_id = ?1",
            "INSERT INTO persons SELECT 'P-forged', a_number, given_names, family_names, name_order, given_folded, family_folded, aliases, date_of_birth, sex, nationality, passport_number, passport_country, passport_expiry FROM persons WHERE person_id = $1",
            &["P-1"],
        );
        assert_caught(
            &verify(&mut s),
            "person `P-forged` is stored with no recorded version of their identity: inserted outside Docket",
        );
        raw(db, "DELETE FROM persons WHERE person_id = ?1", "DELETE FROM persons WHERE person_id = $1", &["P-forged"]);
        raw(db, "DELETE FROM persons WHERE person_id = ?1", "DELETE FROM persons WHERE person_id = $1", &["P-2"]);
        assert_caught(&verify(&mut s), "person `P-2` has recorded versions");
    }

    pub(super) fn every_event_has_a_proof_and_the_log_only_grows(db: &Db) {
        let mut s = setup(db);
        // Grow the log past a few powers of two, checkpointing along the way.
        let persons: Vec<Person> = (12..40).map(|i| person(&format!("P-{i}"))).collect();
        s.store_persons(&persons, &rec()).expect("persons");
        for chunk in (12..40).collect::<Vec<_>>().chunks(7) {
            let batch: Vec<Event> = chunk.iter().flat_map(|i| history(&format!("C-{i}"), &format!("P-{i}"))).collect();
            s.import(&batch).expect("import");
            checkpoint(&mut s);
        }
        let cp = s.checkpoints().expect("checkpoints").pop().expect("latest");
        // 40 persons' identities and 160 events.
        assert_eq!(cp.size, 200);
        let vkey = key().verifier_key();
        for i in 0..40 {
            for e in s.events(&CaseId::parse(&format!("C-{i}")).expect("case")).expect("events") {
                let p = s.prove_event(&e.id).expect("prove").expect("event is in the ledger");
                docket_ledger::verify_inclusion(
                    &docket_ledger::leaf_hash(&p.leaf),
                    p.leaf_index,
                    p.size,
                    &p.path,
                    &cp.root,
                )
                .unwrap_or_else(|err| panic!("leaf {}: {err}", p.leaf_index));
            }
        }
        let sizes: Vec<u64> = s.checkpoints().expect("checkpoints").iter().map(|c| c.size).collect();
        for old in 1..=200 {
            let (old_root, new_root, proof) = s.consistency(old, 200).expect("consistency");
            assert_eq!(new_root, cp.root);
            docket_ledger::verify_consistency(old, 200, &old_root, &new_root, &proof)
                .unwrap_or_else(|err| panic!("{old} -> 200: {err}"));
        }
        for c in s.checkpoints().expect("checkpoints") {
            docket_ledger::Checkpoint::from_note(c.note.as_bytes(), &vkey).expect("signed");
        }
        assert!(sizes.len() >= 5, "{sizes:?}");
        assert_eq!(verify(&mut s).discrepancy_count, 0);
    }

    /// What one view shows — a case and the person in it — is recorded as reads together:
    /// consecutive rows and leaves, each verified against its row.
    pub(super) fn the_reads_of_one_view_are_recorded_together(db: &Db) {
        let mut s = setup(db);
        let officer = docket_core::ActorId::parse("officer.a").expect("actor");
        let (case, person) = (CaseId::parse("C-3").expect("case"), PersonId::parse("P-3").expect("person"));
        let before = s.ledger_head().expect("head").0;
        let read = [docket_store::AccessedRecord::Case(&case), docket_store::AccessedRecord::Person(&person)];
        let ids = s
            .record_accesses(&officer, docket_core::AccessPurpose::CaseWork, &read, ts("2026-11-23T10:00:00Z"))
            .expect("logged");
        assert_eq!((ids.len(), ids[1] - ids[0]), (2, 1), "{ids:?}");
        assert_eq!(s.ledger_head().expect("head").0, before + 2);
        let case_reads = s.accesses(docket_store::AccessedRecord::Case(&case)).expect("reads");
        let person_reads = s.accesses(docket_store::AccessedRecord::Person(&person)).expect("reads");
        assert_eq!((case_reads[0].0, person_reads[0].0), (ids[0], ids[1]));
        checkpoint(&mut s);
        let r = verify(&mut s);
        assert_eq!((r.accesses, r.discrepancy_count), (2, 0), "{:?}", r.discrepancies);
    }

    pub(super) fn reads_are_leaves_and_altering_them_is_caught(db: &Db) {
        let mut s = setup(db);
        let officer = docket_core::ActorId::parse("officer.a").expect("actor");
        let case = CaseId::parse("C-3").expect("case");
        let t = ts("2026-11-23T10:00:00Z");
        for purpose in [docket_core::AccessPurpose::CaseWork, docket_core::AccessPurpose::CounselRequest] {
            s.record_access(&officer, purpose, docket_store::AccessedRecord::Case(&case), t).expect("logged");
        }
        let reads = s.accesses(docket_store::AccessedRecord::Case(&case)).expect("reads");
        assert_eq!(reads.iter().map(|(_, a)| a.purpose.as_str()).collect::<Vec<_>>(), ["case_work", "counsel_request"]);
        checkpoint(&mut s);
        let r = verify(&mut s);
        assert_eq!((r.leaves, r.accesses, r.discrepancy_count), (62, 2, 0), "{:?}", r.discrepancies);
        let alter = "UPDATE access_log SET purpose = 'oversight' WHERE purpose = 'counsel_request'";
        raw(db, alter, alter, &[]);
        assert_caught(&verify(&mut s), "officer.a read case `C-3`");
    }

    pub(super) fn disclosures_are_leaves_and_altering_them_is_caught(db: &Db) {
        let mut s = setup(db);
        let row = docket_store::ledger::DisclosureRow {
            person_id: "P-3".into(),
            disclosed_at: "2026-11-23T10:00:00Z".into(),
            recipient_name: "Counsel of record".into(),
            recipient_address: "1 Court St\nSuite 2".into(),
            purpose: "representation".into(),
            nature: "case timeline".into(),
            law_enforcement: false,
            recorded_by: "officer.a".into(),
            packet_sha256: "00".repeat(32),
        };
        let id = s.record_disclosure(&row).expect("recorded");
        let person = PersonId::parse("P-3").expect("person");
        assert_eq!(s.disclosures(&person).expect("accounting"), vec![(id, row)]);
        checkpoint(&mut s);
        let r = verify(&mut s);
        assert_eq!((r.disclosures, r.discrepancy_count), (1, 0), "{:?}", r.discrepancies);
        let alter = "UPDATE disclosures SET recipient_address = 'elsewhere'";
        raw(db, alter, alter, &[]);
        assert_caught(&verify(&mut s), "disclosure 1 of person `P-3` to Counsel of record");
        let erase = "DELETE FROM disclosures";
        raw(db, erase, erase, &[]);
        assert_caught(&verify(&mut s), "disclosure 1 (ledger leaf 60) is missing: deleted");
    }

    pub(super) fn policy(n: u32) -> docket_store::ledger::PolicyRow {
        let text = format!("policy ids-{n}\nversion {n}.0\nkind priority\n\npermit (principal, action, resource);\n");
        docket_store::ledger::PolicyRow {
            policy_id: format!("ids-{n}"),
            version: format!("{n}.0"),
            kind: "priority".into(),
            effective_at: "2027-01-01T00:00:00Z".into(),
            sha256: docket_store::ledger::policy_sha256(&text),
            adopted_by: "director".into(),
            adopted_at: "2026-11-23T10:00:00Z".into(),
            text,
        }
    }

    pub(super) fn policies_are_leaves_and_altering_them_is_caught(db: &Db) {
        let mut s = setup(db);
        let row = policy(1);
        let id = s.record_policy(&row).expect("adopted");
        assert_eq!(s.policies().expect("policies"), vec![(id, row.clone())]);
        assert!(s.record_policy(&row).is_err(), "a policy id and version is adopted once");
        checkpoint(&mut s);
        let r = verify(&mut s);
        assert_eq!((r.policies, r.discrepancy_count), (1, 0), "{:?}", r.discrepancies);
        // Provable: the proof's leaf is the documented encoding of the row.
        let proof = s.prove(docket_store::ledger::LeafRef::Policy(id)).expect("prove").expect("a proof");
        assert_eq!(proof.proof.leaf, docket_store::ledger::policy_leaf(id, &row));
        assert!(proof.proof.leaf.starts_with(b"docket-leaf/1 policy\n1\n{\"policy_id\":\"ids-1\""));
        assert!(s.prove(docket_store::ledger::LeafRef::Policy(id + 1)).expect("prove").is_none());
        // The text and its hash changed together still differ from the leaf.
        let forged = "permit (principal, action, resource) when { true };";
        let alter = format!(
            "UPDATE policies SET text = '{forged}', sha256 = '{}'",
            docket_store::ledger::policy_sha256(forged)
        );
        raw(db, &alter, &alter, &[]);
        assert_caught(
            &verify(&mut s),
            "policy 1 (`ids-1` version `1.0`, ledger leaf 60) does not match its leaf: modified",
        );
        let erase = "DELETE FROM policies";
        raw(db, erase, erase, &[]);
        assert_caught(&verify(&mut s), "policy 1 (ledger leaf 60) is missing: deleted");
    }

    fn act(kind: &str, subject: &str, detail: &str) -> docket_store::ledger::DepartureActRow {
        docket_store::ledger::DepartureActRow {
            kind: kind.into(),
            at: "2026-12-07T10:00:00Z".into(),
            actor: "feed.departures".into(),
            subject: subject.into(),
            detail: detail.into(),
        }
    }

    fn departure(key: &str, outcome: Outcome, review: bool) -> NewDeparture {
        NewDeparture {
            key: key.into(),
            received_at: "2026-12-07T10:00:00Z".into(),
            departed_on: "2026-12-06".into(),
            port: "IAH".into(),
            payload: format!("{{\"record_id\":\"{key}\"}}"),
            outcome,
            purge_after: (outcome == Outcome::Unmatched).then(|| "2026-12-10T10:00:00Z".into()),
            review: review.then(|| act("review_opened", key, r#"{"candidates":[{"person_id":"P-1"}]}"#)),
        }
    }

    fn count(s: &mut Store, outcome: &str) -> i64 {
        s.departure_counts("2026-12-01", "2026-12-31")
            .expect("counts")
            .iter()
            .filter(|c| c.outcome == outcome)
            .map(|c| c.n)
            .sum()
    }

    pub(super) fn departures_are_kept_once_reviewed_and_purged_on_the_record(db: &Db) {
        let mut s = setup(db);
        let rows = [
            departure("cbp/A1", Outcome::Verified, false),
            departure("cbp/A2", Outcome::Review, true),
            departure("cbp/A3", Outcome::Unmatched, false),
        ];
        let placed = s.store_departures(&rows).expect("stored");
        let Placed::Stored { review: Some(item) } = placed[1] else { panic!("a review item: {placed:?}") };
        assert_eq!(placed[0], Placed::Stored { review: None });
        // At least once: the same records again change nothing.
        assert_eq!(s.store_departures(&rows).expect("again"), vec![Placed::AlreadyStored; 3]);
        assert_eq!((count(&mut s, "received"), count(&mut s, "review"), count(&mut s, "unmatched")), (3, 1, 1));
        let open = s.review_items(true).expect("queue");
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].id, open[0].record.as_ref().map(|r| r.key.as_str())), (item, Some("cbp/A2")));
        // A rejection is an act of record; a second decision on the item is refused.
        let reject = ReviewDecision {
            review: item,
            act: act("review_rejected", &docket_store::departures::review_subject(item), r#"{"reason":"twin"}"#),
            outcome: Outcome::Unmatched,
            purge_after: Some("2026-12-10T12:00:00Z".into()),
        };
        assert!(s.decide_review(&reject).expect("decided").is_some());
        assert_eq!(s.decide_review(&reject).expect("decided again"), None, "an item is decided once");
        assert!(s.review_items(true).expect("queue").is_empty());
        assert_eq!((count(&mut s, "review"), count(&mut s, "unmatched")), (0, 2));
        // Nothing is due before the window ends; then both unmatched records go, the verified stays.
        let purge = act("purged", "departure_records", r#"{"window_hours":72}"#);
        assert_eq!(s.purge_departures("2026-12-09T00:00:00Z", &purge).expect("purge").records, 0);
        let purged = s.purge_departures("2026-12-11T00:00:00Z", &purge).expect("purge");
        assert_eq!(purged.records, 2);
        assert!(s.departure("cbp/A2").expect("read").is_none() && s.departure("cbp/A3").expect("read").is_none());
        assert_eq!(s.departure("cbp/A1").expect("read").map(|d| d.outcome), Some(Outcome::Verified));
        assert_eq!((count(&mut s, "purged"), count(&mut s, "received")), (2, 3), "the counts outlive the records");
        let acts = s.departure_acts("purged", None).expect("acts");
        assert_eq!(acts.len(), 1);
        assert!(acts[0].1.detail.contains("\"records\":2") && acts[0].1.detail.contains(&purged.sha256));
        let all = s.review_items(false).expect("items");
        assert!(all[0].decided.is_some() && all[0].record.is_none(), "the rejected record went with the purge");
        // Three acts (opened, rejected, purged), each a leaf; altering one is caught.
        checkpoint(&mut s);
        let r = verify(&mut s);
        assert_eq!((r.departure_acts, r.discrepancy_count), (3, 0), "{:?}", r.discrepancies);
        let alter = "UPDATE departure_acts SET detail = '{\"records\":0}' WHERE kind = 'purged'";
        raw(db, alter, alter, &[]);
        assert_caught(
            &verify(&mut s),
            "departure act 3 (`purged` of `departure_records`, ledger leaf 62) does not match its leaf: modified",
        );
        let erase = "DELETE FROM departure_acts WHERE kind = 'review_rejected'";
        raw(db, erase, erase, &[]);
        assert_caught(&verify(&mut s), "departure act 2 (ledger leaf 61) is missing: deleted");
    }

    /// A typed SQL value, so that one statement runs on both databases (`$1`, `$2`, ... in
    /// order of first appearance, which SQLite numbers as PostgreSQL does).
    #[derive(Debug, Clone, PartialEq)]
    enum V {
        I(i64),
        T(String),
        B(Vec<u8>),
    }

    impl V {
        fn int(&self) -> i64 {
            match self {
                V::I(i) => *i,
                other => panic!("not an integer: {other:?}"),
            }
        }
    }

    /// Runs SQL behind the store's back; returns the rows of a query, each column read as
    /// `types` says (`i`nteger, `t`ext, `b`lob).
    fn sql(db: &Db, statement: &str, args: &[V], types: &str) -> Vec<Vec<V>> {
        match db {
            Db::Sqlite { url, .. } => {
                let c = rusqlite::Connection::open(url.trim_start_matches("sqlite://")).expect("open");
                let params: Vec<rusqlite::types::Value> = args
                    .iter()
                    .map(|a| match a {
                        V::I(i) => rusqlite::types::Value::Integer(*i),
                        V::T(t) => rusqlite::types::Value::Text(t.clone()),
                        V::B(b) => rusqlite::types::Value::Blob(b.clone()),
                    })
                    .collect();
                let mut q = c.prepare(statement).expect("prepare");
                let mut rows = q.query(rusqlite::params_from_iter(params)).expect("run");
                let mut out = Vec::new();
                while let Some(r) = rows.next().expect("row") {
                    out.push(
                        types
                            .chars()
                            .enumerate()
                            .map(|(i, t)| match t {
                                'i' => V::I(r.get(i).expect("int")),
                                't' => V::T(r.get(i).expect("text")),
                                _ => V::B(r.get(i).expect("blob")),
                            })
                            .collect(),
                    );
                }
                out
            }
            Db::Postgres { url, .. } => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                let params: Vec<Box<dyn postgres::types::ToSql + Sync>> = args
                    .iter()
                    .map(|a| -> Box<dyn postgres::types::ToSql + Sync> {
                        match a {
                            V::I(i) => Box::new(*i),
                            V::T(t) => Box::new(t.clone()),
                            V::B(b) => Box::new(b.clone()),
                        }
                    })
                    .collect();
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
                c.query(statement, &refs)
                    .expect("run")
                    .iter()
                    .map(|r| {
                        types
                            .chars()
                            .enumerate()
                            .map(|(i, t)| match t {
                                'i' => V::I(r.try_get::<_, i64>(i).unwrap_or_else(|_| i64::from(r.get::<_, i16>(i)))),
                                't' => V::T(r.get(i)),
                                _ => V::B(r.get(i)),
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }

    fn exec(db: &Db, statement: &str, args: &[V]) {
        sql(db, statement, args, "");
    }

    /// Keys of a table, in order.
    fn keys(db: &Db, query: &str) -> Vec<i64> {
        sql(db, query, &[], "i").into_iter().map(|r| r[0].int()).collect()
    }

    /// A database with events, reads and disclosures interleaved in its ledger, under a
    /// signed checkpoint: 12 cases, 4 reads and a disclosure, then 4 more cases (69 leaves).
    fn setup_with_audit(db: &Db) -> Store {
        let mut s = setup(db);
        let officer = docket_core::ActorId::parse("officer.a").expect("actor");
        let t = ts("2026-11-23T10:00:00Z");
        for (i, purpose) in [
            docket_core::AccessPurpose::CaseWork,
            docket_core::AccessPurpose::CounselRequest,
            docket_core::AccessPurpose::Oversight,
            docket_core::AccessPurpose::CaseWork,
        ]
        .into_iter()
        .enumerate()
        {
            let case = CaseId::parse(&format!("C-{i}")).expect("case");
            s.record_access(&officer, purpose, docket_store::AccessedRecord::Case(&case), t).expect("logged");
        }
        s.record_disclosure(&docket_store::ledger::DisclosureRow {
            person_id: "P-3".into(),
            disclosed_at: "2026-11-23T10:00:00Z".into(),
            recipient_name: "Counsel of record".into(),
            recipient_address: "1 Court St".into(),
            purpose: "representation".into(),
            nature: "case timeline".into(),
            law_enforcement: false,
            recorded_by: "officer.a".into(),
            packet_sha256: "00".repeat(32),
        })
        .expect("disclosed");
        s.record_policy(&policy(1)).expect("adopted");
        s.record_policy(&policy(2)).expect("adopted");
        let persons: Vec<Person> = (12..16).map(|i| person(&format!("P-{i}"))).collect();
        s.store_persons(&persons, &rec()).expect("persons");
        let batch: Vec<Event> = (12..16).flat_map(|i| history(&format!("C-{i}"), &format!("P-{i}"))).collect();
        s.import(&batch).expect("import");
        checkpoint(&mut s);
        let r = verify(&mut s);
        assert_eq!(
            (r.leaves, r.accesses, r.disclosures, r.policies, r.discrepancy_count),
            (87, 4, 1, 2, 0),
            "{:?}",
            r.discrepancies
        );
        s
    }

    /// What a trial changes, and how to put it back.
    struct Tampering {
        what: String,
        undo: Vec<(String, Vec<V>)>,
    }

    /// Text and blob columns an operator could edit, by table: (table, key column, column, type).
    const EDITABLE: &[(&str, &str, &str, char)] = &[
        ("events", "position", "payload", 't'),
        ("events", "position", "case_id", 't'),
        ("events", "position", "event_id", 't'),
        ("events", "position", "event_type", 't'),
        ("events", "position", "effective_at", 't'),
        ("events", "position", "recorded_at", 't'),
        ("events", "position", "idempotency_key", 't'),
        ("events", "position", "leaf_index", 'i'),
        ("access_log", "id", "actor", 't'),
        ("access_log", "id", "purpose", 't'),
        ("access_log", "id", "record_id", 't'),
        ("access_log", "id", "at", 't'),
        ("disclosures", "id", "recipient_name", 't'),
        ("disclosures", "id", "recipient_address", 't'),
        ("disclosures", "id", "purpose", 't'),
        ("policies", "id", "text", 't'),
        ("policies", "id", "sha256", 't'),
        ("policies", "id", "effective_at", 't'),
        ("policies", "id", "version", 't'),
        ("policies", "id", "adopted_by", 't'),
        ("ledger_leaf_chunks", "chunk", "leaf_hashes", 'b'),
        ("ledger_leaf_chunks", "chunk", "records", 'b'),
        ("ledger_nodes", "idx", "hash", 'b'),
        // `id` is a 32-bit integer on PostgreSQL; the tests bind 64-bit keys.
        ("ledger_size", "CAST(id AS BIGINT)", "size", 'i'),
    ];

    /// Tables whose rows can be deleted, inserted (as a copy of a row under a new key) or
    /// swapped: (table, key column, the columns a swap exchanges).
    const TABLES: &[(&str, &str, &str)] = &[
        ("events", "position", "payload"),
        ("access_log", "id", "actor, purpose, record_kind, record_id, at"),
        ("disclosures", "id", "recipient_name, recipient_address, purpose"),
        ("policies", "id", "effective_at, text, sha256"),
        ("ledger_leaf_chunks", "chunk", "leaf_hashes, records"),
    ];

    fn flip_byte(v: &V, at: u64) -> V {
        match v {
            V::T(t) => {
                let mut b = t.clone().into_bytes();
                let i = (at % b.len() as u64) as usize;
                // Stay inside ASCII so the text stays valid UTF-8 and still changes.
                b[i] = if b[i] == b'x' {
                    b'y'
                } else if b[i].is_ascii() {
                    b'x'
                } else {
                    b[i]
                };
                V::T(String::from_utf8(b).expect("utf-8"))
            }
            V::B(b) => {
                let mut b = b.clone();
                let i = (at % b.len() as u64) as usize;
                b[i] ^= 1 << (at % 8);
                V::B(b)
            }
            V::I(i) => V::I(i ^ 1),
        }
    }

    /// One random change to the database: a byte of a row, a row deleted, a row inserted,
    /// two rows swapped, in any table that holds an event, an audit row or the ledger.
    fn tamper(db: &Db, next: &mut impl FnMut(u64) -> u64) -> Tampering {
        match next(4) {
            0 => loop {
                // Half the time the event's payload, the record itself; else any column.
                let pick = if next(2) == 0 { 0 } else { next(EDITABLE.len() as u64) as usize };
                let (table, key, column, ty) = EDITABLE[pick];
                let ks = keys(db, &format!("SELECT {key} FROM {table} ORDER BY {key}"));
                let k = ks[next(ks.len() as u64) as usize];
                let level = if table == "ledger_nodes" { " AND level = 4" } else { "" };
                let select = format!("SELECT {column} FROM {table} WHERE {key} = $1{level}");
                let Some(row) = sql(db, &select, &[V::I(k)], &ty.to_string()).pop() else { continue };
                let changed = flip_byte(&row[0], next(u64::MAX));
                if changed == row[0] {
                    continue;
                }
                let update = format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2{level}");
                exec(db, &update, &[changed, V::I(k)]);
                return Tampering {
                    what: format!("one byte of {table}.{column} at {key} {k} changed"),
                    undo: vec![(update, vec![row[0].clone(), V::I(k)])],
                };
            },
            1 => {
                let (table, key, _) = TABLES[next(TABLES.len() as u64) as usize];
                let ks = keys(db, &format!("SELECT {key} FROM {table} ORDER BY {key}"));
                let k = ks[next(ks.len() as u64) as usize];
                exec(db, &format!("INSERT INTO gone_{table} SELECT * FROM {table} WHERE {key} = $1"), &[V::I(k)]);
                exec(db, &format!("DELETE FROM {table} WHERE {key} = $1"), &[V::I(k)]);
                Tampering {
                    what: format!("{table} row {key} {k} deleted"),
                    undo: vec![
                        (format!("INSERT INTO {table} SELECT * FROM gone_{table}"), vec![]),
                        (format!("DELETE FROM gone_{table}"), vec![]),
                    ],
                }
            }
            2 => {
                let (table, key, _) = TABLES[next(TABLES.len() as u64) as usize];
                let ks = keys(db, &format!("SELECT {key} FROM {table} ORDER BY {key}"));
                let k = ks[next(ks.len() as u64) as usize];
                let new = ks.last().copied().unwrap_or(0) + 1 + next(3) as i64;
                // A copy of a stored row under a new key; an event also under a new id and
                // version, as a forger must to get past the unique keys.
                let insert = match table {
                    "events" => "INSERT INTO events SELECT CAST($1 AS BIGINT), event_id || '-forged', case_id, version + 100, event_type,
                                 schema_version, effective_at, recorded_at, idempotency_key || '-forged', payload, leaf_index
                                 FROM events WHERE position = $2"
                        .to_owned(),
                    "access_log" => "INSERT INTO access_log SELECT CAST($1 AS BIGINT), at, actor, purpose, record_kind, record_id FROM access_log WHERE id = $2".to_owned(),
                    "disclosures" => "INSERT INTO disclosures SELECT CAST($1 AS BIGINT), person_id, disclosed_at, recipient_name, recipient_address, purpose, nature, law_enforcement, recorded_by, packet_sha256 FROM disclosures WHERE id = $2".to_owned(),
                    "policies" => "INSERT INTO policies SELECT CAST($1 AS BIGINT), policy_id, version || '-forged', kind, effective_at, text, sha256, adopted_by, adopted_at FROM policies WHERE id = $2".to_owned(),
                    _ => "INSERT INTO ledger_leaf_chunks SELECT CAST($1 AS BIGINT), leaf_hashes, records FROM ledger_leaf_chunks WHERE chunk = $2".to_owned(),
                };
                exec(db, &insert, &[V::I(new), V::I(k)]);
                Tampering {
                    what: format!("{table} row {key} {k} copied as {new}"),
                    undo: vec![(format!("DELETE FROM {table} WHERE {key} = $1"), vec![V::I(new)])],
                }
            }
            _ => loop {
                let (table, key, columns) = TABLES[next(TABLES.len() as u64) as usize];
                let ks = keys(db, &format!("SELECT {key} FROM {table} ORDER BY {key}"));
                if ks.len() < 2 {
                    continue;
                }
                let a = ks[next(ks.len() as u64) as usize];
                let b = loop {
                    let b = ks[next(ks.len() as u64) as usize];
                    if b != a {
                        break b;
                    }
                };
                let names: Vec<&str> = columns.split(", ").collect();
                let types: String = names
                    .iter()
                    .map(|c| if c.contains("leaf_hashes") || *c == "records" { 'b' } else { 't' })
                    .collect();
                let select = format!("SELECT {columns} FROM {table} WHERE {key} = $1");
                let ra = sql(db, &select, &[V::I(a)], &types).pop().expect("row a");
                let rb = sql(db, &select, &[V::I(b)], &types).pop().expect("row b");
                if ra == rb {
                    continue;
                }
                let set: Vec<String> = names.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
                let update = format!("UPDATE {table} SET {} WHERE {key} = ${}", set.join(", "), names.len() + 1);
                let with = |row: &[V], k: i64| -> Vec<V> { row.iter().cloned().chain([V::I(k)]).collect() };
                exec(db, &update, &with(&rb, a));
                exec(db, &update, &with(&ra, b));
                return Tampering {
                    what: format!("{table} rows {a} and {b} swapped"),
                    undo: vec![(update.clone(), with(&ra, a)), (update, with(&rb, b))],
                };
            },
        }
    }

    pub(super) fn every_tampering_is_caught(db: &Db) {
        let mut s = setup_with_audit(db);
        for (table, _, _) in TABLES {
            exec(db, &format!("CREATE TABLE gone_{table} AS SELECT * FROM {table} WHERE 1 = 0"), &[]);
        }
        // Deterministic pseudo-random trials over kinds of change, tables, rows and bytes.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n.max(1)
        };
        for trial in 0..200 {
            let t = tamper(db, &mut next);
            let r = verify(&mut s);
            assert!(r.discrepancy_count > 0, "trial {trial}: {} went unnoticed", t.what);
            for (statement, args) in &t.undo {
                exec(db, statement, args);
            }
            let r = verify(&mut s);
            assert_eq!(r.discrepancy_count, 0, "trial {trial}: after undoing {}: {:?}", t.what, r.discrepancies);
        }
    }

    pub(super) fn tampering_is_reported_for_what_it_is(db: &Db) {
        let mut s = setup(db);
        let event = |case: &str, version: i64| {
            sql(
                db,
                "SELECT position FROM events WHERE case_id = $1 AND version = $2",
                &[V::T(case.into()), V::I(version)],
                "i",
            )[0][0]
                .int()
        };
        // A byte of an event.
        let p = event("C-4", 2);
        let original = payload(&mut s, "C-4", 2);
        let changed = flip_byte(&V::T(original.clone()), 17);
        exec(db, "UPDATE events SET payload = $1 WHERE position = $2", &[changed, V::I(p)]);
        assert_caught(&verify(&mut s), "case `C-4`, version 2; ledger leaf 29) does not match its leaf: modified");
        exec(db, "UPDATE events SET payload = $1 WHERE position = $2", &[V::T(original), V::I(p)]);
        // A row deleted, and a row inserted outside Docket.
        let p = event("C-3", 2);
        exec(db, &format!("CREATE TABLE gone AS SELECT * FROM events WHERE position = {p}"), &[]);
        exec(db, "CREATE TABLE forged AS SELECT * FROM gone", &[]);
        exec(db, "DELETE FROM events WHERE position = $1", &[V::I(p)]);
        assert_caught(&verify(&mut s), &format!("event at position {p} (ledger leaf 25) is missing: deleted"));
        exec(db, "INSERT INTO events SELECT * FROM gone", &[]);
        assert_eq!(verify(&mut s).discrepancy_count, 0, "restored");
        exec(
            db,
            "UPDATE forged SET position = 1000, event_id = 'e-forged', version = 99, idempotency_key = 'forged'",
            &[],
        );
        exec(db, "INSERT INTO events SELECT * FROM forged", &[]);
        assert_caught(
            &verify(&mut s),
            "event at position 1000 (case `C-3`, version 99) is not in the ledger: inserted outside Docket",
        );
        exec(db, "DELETE FROM events WHERE position = 1000", &[]);
        // The event's own leaf index, which `prove` relies on.
        let p = event("C-5", 1);
        exec(db, "UPDATE events SET leaf_index = 3 WHERE position = $1", &[V::I(p)]);
        assert_caught(&verify(&mut s), "is ledger leaf 32 but its row names leaf 3: altered");
        exec(db, "UPDATE events SET leaf_index = 32 WHERE position = $1", &[V::I(p)]);
        // A forger who also rewrites the leaf hash is caught by the signed checkpoint.
        let chunk = sql(db, "SELECT leaf_hashes FROM ledger_leaf_chunks WHERE chunk = 0", &[], "b").remove(0).remove(0);
        let V::B(hashes) = chunk.clone() else { unreachable!() };
        let forged: Vec<u8> = [&hashes[..5 * 32], &hashes[..32], &hashes[6 * 32..]].concat();
        exec(db, "UPDATE ledger_leaf_chunks SET leaf_hashes = $1 WHERE chunk = 0", &[V::B(forged)]);
        assert_caught(&verify(&mut s), "does not match the signed checkpoint");
        exec(db, "UPDATE ledger_leaf_chunks SET leaf_hashes = $1 WHERE chunk = 0", &[chunk]);
        // A stored node, which proofs are built from.
        exec(
            db,
            "UPDATE ledger_nodes SET hash = (SELECT hash FROM ledger_nodes WHERE level = 4 AND idx = 1) WHERE level = 4 AND idx = 0",
            &[],
        );
        assert_caught(&verify(&mut s), "stored tree node at level 4, index 0 does not match leaves 0..15: altered");
    }
}

mod outside_checkpoints_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::checkpoints_held_outside_catch_deletion_rewrite_and_rollback(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::checkpoints_held_outside_catch_deletion_rewrite_and_rollback(&super::Db::postgres());
    }
}

mod person_tamper_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::tampering_with_a_persons_identity_is_caught(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::tampering_with_a_persons_identity_is_caught(&super::Db::postgres());
    }
}

mod ledger_tamper_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::every_tampering_is_caught(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::every_tampering_is_caught(&super::Db::postgres());
    }
}

mod ledger_tamper_reported_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::tampering_is_reported_for_what_it_is(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::tampering_is_reported_for_what_it_is(&super::Db::postgres());
    }
}

mod ledger_proofs_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::every_event_has_a_proof_and_the_log_only_grows(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::every_event_has_a_proof_and_the_log_only_grows(&super::Db::postgres());
    }
}

mod ledger_reads_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::reads_are_leaves_and_altering_them_is_caught(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::reads_are_leaves_and_altering_them_is_caught(&super::Db::postgres());
    }
}

mod ledger_reads_of_one_view_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::the_reads_of_one_view_are_recorded_together(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::the_reads_of_one_view_are_recorded_together(&super::Db::postgres());
    }
}

mod ledger_departures_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::departures_are_kept_once_reviewed_and_purged_on_the_record(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::departures_are_kept_once_reviewed_and_purged_on_the_record(&super::Db::postgres());
    }
}

mod ledger_policies_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::policies_are_leaves_and_altering_them_is_caught(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::policies_are_leaves_and_altering_them_is_caught(&super::Db::postgres());
    }
}

mod ledger_disclosures_on {
    #[test]
    fn sqlite() {
        super::ledger_tamper::disclosures_are_leaves_and_altering_them_is_caught(&super::Db::sqlite());
    }
    #[test]
    fn postgres() {
        super::ledger_tamper::disclosures_are_leaves_and_altering_them_is_caught(&super::Db::postgres());
    }
}

mod schema_2 {
    //! Databases written at schema version 2 (every leaf a row of `ledger_leaves`), as that
    //! version of Docket left them (`tests/data/schema-v2/`), brought up to date: their
    //! ledgers must verify against the checkpoints signed back then, prove their events, and
    //! keep growing.

    use super::*;

    fn load(db: &Db) -> docket_ledger::VerifierKey {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/schema-v2");
        let (file, key) = match db {
            Db::Sqlite { .. } => {
                ("sqlite.sql", "docket-d8f0ee91+54ff75c7+AZzJFqpJM+w/Y3Z1fAOcevjg87w87suEH+agtND8g9lw")
            }
            Db::Postgres { .. } => {
                ("postgres.sql", "docket-f0e64b66+9820a509+Ab7j9prKuaAZFiWAim4jZo0PDlTmkv2wLCrxP4elcT3j")
            }
        };
        db.raw(&std::fs::read_to_string(format!("{dir}/{file}")).expect("fixture"));
        docket_ledger::VerifierKey::from_text(key).expect("verifier key")
    }

    fn verify(s: &mut Store, key: &docket_ledger::VerifierKey) -> docket_store::ledger::VerifyReport {
        s.verify_ledger(key, &mut |_| {}).expect("verify runs")
    }

    fn migrates_with_its_ledger_intact(db: &Db) {
        let key = load(db);
        let mut s = Store::open(db.url()).expect("open");
        assert_eq!(s.migrate().expect("migrate"), docket_store::SCHEMA_VERSION);
        let r = verify(&mut s, &key);
        assert_eq!(
            (
                r.leaves,
                r.events,
                r.accesses,
                r.disclosures,
                r.person_versions,
                r.checkpoints_checked,
                r.discrepancy_count
            ),
            // The fixture's 12 persons are taken into the ledger after its 77 leaves.
            (89, 73, 3, 1, 12, 4, 0),
            "{:?}",
            r.discrepancies
        );
        // Every event still has its proof against the checkpoint signed before the migration.
        let latest = s.checkpoints().expect("checkpoints").pop().expect("latest");
        let mut cases = std::collections::BTreeSet::new();
        for i in 0..12 {
            let case = CaseId::parse(&format!("C{i:09}")).expect("case");
            for e in s.events(&case).expect("events") {
                let p = s.prove_event(&e.id).expect("prove").expect("in the ledger");
                assert_eq!(p.checkpoint, latest);
                docket_ledger::verify_inclusion(
                    &docket_ledger::leaf_hash(&p.leaf),
                    p.leaf_index,
                    p.size,
                    &p.path,
                    &latest.root,
                )
                .unwrap_or_else(|err| panic!("event {} (leaf {}): {err}", e.id, p.leaf_index));
                cases.insert(case.clone());
            }
        }
        assert_eq!(cases.len(), 12);
        // The ledger grows from its partial last chunk, and the old tree is a prefix of the new.
        let persons: Vec<Person> = (0..3).map(|i| person(&format!("P-new-{i}"))).collect();
        s.store_persons(&persons, &rec()).expect("persons");
        let batch: Vec<Event> = (0..3).flat_map(|i| history(&format!("C-new-{i}"), &format!("P-new-{i}"))).collect();
        assert_eq!(stored_count(&s.import(&batch).expect("import")), 12);
        let officer = ActorId::parse("officer.b").expect("actor");
        let case = CaseId::parse("C-new-1").expect("case");
        s.record_access(
            &officer,
            docket_core::AccessPurpose::CaseWork,
            docket_store::AccessedRecord::Case(&case),
            ts("2026-12-01T09:00:00Z"),
        )
        .expect("read logged");
        let r = verify(&mut s, &key);
        assert_eq!((r.leaves, r.events, r.accesses, r.discrepancy_count), (105, 85, 4, 0), "{:?}", r.discrepancies);
        let (old_root, new_root, proof) = s.consistency(77, 105).expect("consistency");
        assert_eq!(old_root, latest.root);
        docket_ledger::verify_consistency(77, 105, &old_root, &new_root, &proof).expect("the old tree is a prefix");
        assert_eq!(s.ledger_head().expect("head"), (105, new_root));
    }

    fn a_damaged_ledger_is_refused_not_migrated(db: &Db) {
        load(db);
        db.raw("DELETE FROM ledger_leaves WHERE leaf_index = 41");
        let mut s = Store::open(db.url()).expect("open");
        let err = s.migrate().expect_err("a ledger with a leaf missing is not converted").to_string();
        assert!(err.contains("leaf 41 is missing"), "{err}");
        // Nothing changed: the database is still at schema version 2, its leaves in place.
        assert!(matches!(s.check_schema(), Err(StoreError::NotInitialized { found: 2 })));
    }

    fn events_from_before_the_ledger_become_its_leaves(db: &Db) {
        load(db);
        // Back to schema version 1: events only, as before the ledger existed.
        db.raw(
            "DROP TABLE ledger_leaves; DROP TABLE ledger_nodes; DROP TABLE ledger_size; DROP TABLE access_log;
             DROP TABLE disclosures; DROP TABLE ledger_checkpoints; DELETE FROM schema_migrations WHERE version = 2;",
        );
        let mut s = Store::open(db.url()).expect("open");
        assert_eq!(s.migrate().expect("migrate"), docket_store::SCHEMA_VERSION);
        let key = docket_ledger::SigningKey::from_seed("docket-test", &[7; 32]).expect("key");
        let r = verify(&mut s, &key.verifier_key());
        assert_eq!(
            (r.leaves, r.events, r.person_versions, r.discrepancy_count),
            (85, 73, 12, 0),
            "{:?}",
            r.discrepancies
        );
        // In position order: the first event is leaf 0, the last leaf 72; the persons follow.
        let first = s.events(&CaseId::parse("C000000000").expect("case")).expect("events")[0].id;
        let err = s.prove_event(&first).map(|_| ()).expect_err("no checkpoint yet").to_string();
        assert!(err.contains("no checkpoint"), "{err}");
        let (size, root) = s.ledger_head().expect("head");
        let note = docket_ledger::Checkpoint::new("docket.ledger/test", size, root).expect("checkpoint").sign(&key);
        s.add_checkpoint(&note, &key.verifier_key()).expect("checkpoint");
        assert_eq!(s.prove_event(&first).expect("prove").expect("in the ledger").leaf_index, 0);
    }

    /// A real database at schema 2, from before checksums were recorded: its two steps are
    /// unknown, the three after pending; migrating applies those with their checksums.
    fn a_database_at_schema_2_shows_its_pending_steps(db: &Db) {
        load(db);
        let mut s = Store::open(db.url()).expect("open");
        assert!(matches!(s.check_schema(), Err(StoreError::NotInitialized { found: 2 })));
        let before = status(&mut s);
        use StepState::*;
        assert_eq!(
            states(&before),
            [(1, Unknown), (2, Unknown), (3, Pending), (4, Pending), (5, Pending), (6, Pending), (7, Pending)]
        );
        let when = match db {
            Db::Sqlite { .. } => "2026-12-04T11:38:17Z",
            Db::Postgres { .. } => "2026-12-04T11:38:22Z",
        };
        assert_eq!(before[0].applied_at.as_deref(), Some(when));
        for step in &before[2..] {
            assert_eq!((step.applied_at.as_ref(), step.recorded_checksum.as_ref()), (None, None), "{step:?}");
            assert!(step.expected_checksum.is_some(), "{step:?}");
        }
        assert_eq!(s.migrate().expect("migrate"), docket_store::SCHEMA_VERSION);
        s.check_schema().expect("current");
        let after = status(&mut s);
        assert_eq!(
            states(&after),
            [(1, Unknown), (2, Unknown), (3, Applied), (4, Applied), (5, Applied), (6, Applied), (7, Applied)]
        );
        assert_eq!(after[0].applied_at, before[0].applied_at, "the earlier record is kept as it was");
        for (b, a) in before[2..].iter().zip(&after[2..]) {
            assert_eq!(a.recorded_checksum, b.expected_checksum, "{a:?}");
        }
    }

    on_both!(
        a_database_at_schema_2_shows_its_pending_steps,
        migrates_with_its_ledger_intact,
        a_damaged_ledger_is_refused_not_migrated,
        events_from_before_the_ledger_become_its_leaves,
    );
}
