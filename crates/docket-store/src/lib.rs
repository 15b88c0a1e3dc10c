//! Docket's persistence: an append-only event store with case projections, on SQLite (the
//! embedded default) and PostgreSQL, behind one interface.
//!
//! Events are appended per case stream with optimistic concurrency (an expected version) and
//! idempotency (a second event with the same key in a case is not stored again; the stored
//! one is reported). Each append decides the events against the case's rules
//! ([`docket_core::decide`]) and writes the events and the case projection in one
//! transaction. The store knows nothing of HTTP.
//!
//! ```
//! use docket_store::Store;
//!
//! let mut store = Store::open("sqlite::memory:").unwrap();
//! store.migrate().unwrap();
//! assert_eq!(store.stats().unwrap().events, 0);
//! ```

mod copy;
pub use copy::CopyReport;
pub mod departures;
pub mod ledger;
pub mod migrations;
pub mod persons;
mod pg;
mod plan;
pub mod projection;
mod sqlite;

/// The event and person formats the store keeps its rows in (the `docket-wire` crate).
pub use docket_wire as wire;

use std::fmt;
use std::ops::ControlFlow;

use docket_core::{CaseId, CaseSummary, Event, EventId, Person, PersonId, Refusal};
use thiserror::Error;

/// The schema version this program writes. Migrations bring older databases up to it.
pub const SCHEMA_VERSION: i64 = 7;

/// What a writer expects of a case stream before its append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Whatever the stream holds.
    Any,
    /// The case has no events yet.
    NoStream,
    /// The stream holds exactly this many events.
    Version(u64),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Any => f.write_str("any version"),
            Expected::NoStream => f.write_str("no events"),
            Expected::Version(v) => write!(f, "version {v}"),
        }
    }
}

/// Errors of the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// There is no SQLite database at the path, and opening one does not create it.
    #[error("no database exists at `{path}`")]
    NoDatabase {
        /// The path.
        path: String,
    },
    /// The SQLite database file could not be created.
    #[error("cannot create the database file `{path}`")]
    CreateFile {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database URL is not one the store can open.
    #[error("unsupported database url `{0}`: expected `sqlite://PATH`, `sqlite::memory:` or `postgres://...`")]
    Url(String),
    /// SQLite failed.
    #[error("sqlite")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("postgres")]
    Postgres(#[from] postgres::Error),
    /// The stream was not at the expected version.
    #[error("case `{case}` was expected to have {expected} but has {found} events")]
    Conflict {
        /// The case.
        case: String,
        /// What the writer expected.
        expected: Expected,
        /// The stored version.
        found: u64,
    },
    /// The case's rules refused the event: every rule that bars it, with its citation.
    #[error("event `{event}` of case `{case}` refused: {refusal}")]
    Refused {
        /// The case.
        case: String,
        /// The event.
        event: String,
        /// The rules that bar it.
        refusal: Refusal,
    },
    /// A field of the event cannot be stored as it is (an unknown person, an event id already
    /// used, a recording time in the future).
    #[error("event `{event}` of case `{case}` rejected in field `{field}`: {reason}")]
    Rejected {
        /// The case.
        case: String,
        /// The event.
        event: String,
        /// The field at fault.
        field: String,
        /// Why.
        reason: String,
    },
    /// A stored row could not be read back.
    #[error("stored {what} `{key}` cannot be read: {reason}")]
    Corrupt {
        /// Which kind of row.
        what: &'static str,
        /// Its key.
        key: String,
        /// Why.
        reason: String,
    },
    /// The database was written by a newer program.
    #[error("the database schema is version {found}, newer than this program's {SCHEMA_VERSION}")]
    SchemaTooNew {
        /// The stored version.
        found: i64,
    },
    /// A schema migration step the database records as applied has another checksum than
    /// this program's step of that version: the step, or the record, was changed since.
    #[error(
        "schema migration {version} `{name}` was applied with checksum {recorded}, but this program's step {version} \
         has checksum {expected}: the step or its record was changed after it was applied, so the database's schema \
         may not be the one this program expects"
    )]
    MigrationChanged {
        /// The step's version.
        version: i64,
        /// This program's name for it.
        name: String,
        /// The checksum the database recorded.
        recorded: String,
        /// This program's checksum of the step.
        expected: String,
    },
    /// A schema migration step is not recorded as applied, though a later one is.
    #[error(
        "schema migration {version} `{name}` is not recorded as applied, though a later one is: the record of migrations was altered"
    )]
    MigrationMissing {
        /// The step's version.
        version: i64,
        /// This program's name for it.
        name: String,
    },
    /// The ledger could not be read or extended.
    #[error("ledger: {0}")]
    Ledger(String),
    /// The database has not been initialized, or was initialized by an older program and
    /// not migrated since.
    #[error("the database is at schema version {found}, not {SCHEMA_VERSION}: it must be initialized or migrated")]
    NotInitialized {
        /// The stored version.
        found: i64,
    },
}

impl StoreError {
    /// Whether trying the same operation again may succeed: the database was busy, the
    /// connection failed, or a concurrent writer won a race. A refusal by the rules, a
    /// rejected field, a conflict of versions or a corrupt row is not retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
                matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            }
            StoreError::Postgres(e) => {
                use postgres::error::SqlState;
                e.is_closed()
                    || e.code().is_none_or(|c| {
                        *c == SqlState::T_R_SERIALIZATION_FAILURE
                            || *c == SqlState::T_R_DEADLOCK_DETECTED
                            || *c == SqlState::ADMIN_SHUTDOWN
                            || *c == SqlState::CANNOT_CONNECT_NOW
                            || c.code().starts_with("08")
                    })
            }
            _ => false,
        }
    }
}

/// What happened to one event of an import batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Stored at this stream version.
    Stored {
        /// The case's version after this event.
        version: u64,
    },
    /// Not stored: an event with the same idempotency key is already in the case.
    Duplicate {
        /// The stored event with that key.
        stored: EventId,
    },
    /// Not stored: rejected, and why.
    Rejected(Rejection),
}

/// Why an event of a batch was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The case's rules refused it; the refusal names every rule that bars it.
    Refused(Refusal),
    /// A field cannot be stored as it is.
    Field {
        /// The field at fault.
        field: String,
        /// Why.
        reason: String,
    },
}

impl Rejection {
    /// The field at fault: `type` for a refusal by the rules.
    pub fn field(&self) -> &str {
        match self {
            Rejection::Refused(_) => "type",
            Rejection::Field { field, .. } => field,
        }
    }

    /// Why, in words.
    pub fn reason(&self) -> String {
        match self {
            Rejection::Refused(r) => r.to_string(),
            Rejection::Field { reason, .. } => reason.clone(),
        }
    }

    /// The refusal, if the rules refused the event.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Rejection::Refused(r) => Some(r),
            Rejection::Field { .. } => None,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: {}", self.field(), self.reason())
    }
}

/// The result of a single append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// The event was stored; the case is now at `version`.
    Stored {
        /// The case's version after the event.
        version: u64,
    },
    /// An event with the same idempotency key was already stored; nothing was written.
    AlreadyStored {
        /// The stored event.
        event: Box<Event>,
    },
}

/// A record whose read is logged.
#[derive(Debug, Clone, Copy)]
pub enum AccessedRecord<'a> {
    /// A case.
    Case(&'a CaseId),
    /// A person.
    Person(&'a PersonId),
    /// A list of cases, named by its filter (the list shows case ids and stages, no person).
    Cases(&'a str),
    /// The whole docket, every person and event (an export), named by what was done.
    Docket(&'a str),
    /// A departure record, by its key (`source/record_id`).
    Departure(&'a str),
    /// The departure review queue, or one item of it (`R-<id>`), with the records and candidates shown.
    Review(&'a str),
}

/// Row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Persons stored.
    pub persons: u64,
    /// Cases with at least one event.
    pub cases: u64,
    /// Events stored.
    pub events: u64,
}

/// What a rebuild of the projections found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RebuildReport {
    /// Cases whose projection was recomputed.
    pub cases: u64,
    /// Events folded.
    pub events: u64,
    /// Cases whose stored projection differed from the recomputed one (first few ids).
    pub differing: Vec<String>,
    /// How many differed in all.
    pub differing_count: u64,
}

/// The operations every backend provides. Each call is one transaction.
/// Called per person id by `Backend::scan_person_heads`: the id, its `persons` row's columns
/// (if any), its latest version's row id and payload (if any).
pub(crate) type PersonHeads<'a> = dyn FnMut(String, Option<[Option<String>; 14]>, Option<(i64, String)>) + 'a;

pub(crate) trait Backend: Send {
    /// Whether the connection is known to be lost (a closed PostgreSQL client).
    fn is_broken(&self) -> bool {
        false
    }
    fn migrate(&mut self) -> Result<i64, StoreError>;
    fn schema_version(&mut self) -> Result<i64, StoreError>;
    /// The backend's words for the placeholders of the migration steps' SQL.
    fn dialect(&self) -> &'static migrations::Dialect;
    /// The rows of `schema_migrations` (none where there is no such table), with NULL name
    /// and checksum where the table predates those columns. Writes nothing.
    fn recorded_migrations(&mut self) -> Result<Vec<migrations::Recorded>, StoreError>;
    fn import(&mut self, events: &[Event], expected: Option<Expected>) -> Result<Vec<ImportOutcome>, StoreError>;
    fn write_persons(
        &mut self,
        persons: &[Person],
        correction: bool,
        rec: &persons::Recording,
    ) -> Result<Vec<persons::PersonOutcome>, StoreError>;
    /// Every stored version of a person, in version order: (row id, payload).
    fn person_versions(&mut self, id: &PersonId) -> Result<Vec<(i64, String)>, StoreError>;
    /// Every person id found in `persons` or `person_versions`, in id order, with its
    /// `persons` row (if any) and its latest version's row id and payload (if any).
    fn scan_person_heads(&mut self, f: &mut PersonHeads<'_>) -> Result<(), StoreError>;
    fn person(&mut self, id: &PersonId) -> Result<Option<Person>, StoreError>;
    fn events(&mut self, case: &CaseId) -> Result<Vec<Event>, StoreError>;
    fn event_by_key(&mut self, case: &CaseId, key: &str) -> Result<Option<Event>, StoreError>;
    fn summary(&mut self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError>;
    fn scan_summaries(
        &mut self,
        f: &mut dyn FnMut(Result<CaseSummary, StoreError>) -> ControlFlow<()>,
    ) -> Result<(), StoreError>;
    /// The projection format the stored projections were written in (0 before it was kept).
    fn projection_format(&mut self) -> Result<i64, StoreError>;
    fn set_projection_format(&mut self, format: i64) -> Result<(), StoreError>;
    fn cases_of_person(&mut self, person: &PersonId) -> Result<Vec<CaseId>, StoreError>;
    /// Every stored person's id and date of birth, as stored.
    fn scan_dates_of_birth(&mut self, f: &mut dyn FnMut(&str, &str)) -> Result<(), StoreError>;
    /// Recomputes every projection from the events; replaces the stored ones if any differs
    /// and `repair`, else only reports.
    fn rebuild(&mut self, repair: bool, progress: &mut dyn FnMut(u64)) -> Result<RebuildReport, StoreError>;
    fn stats(&mut self) -> Result<Stats, StoreError>;
    fn ledger_size(&mut self) -> Result<u64, StoreError>;
    fn ledger_root(&mut self, size: u64) -> Result<docket_ledger::Hash, StoreError>;
    fn inclusion_proof(&mut self, index: u64, size: u64) -> Result<Vec<docket_ledger::Hash>, StoreError>;
    fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<docket_ledger::Hash>, StoreError>;
    fn event_leaf(&mut self, id: &EventId) -> Result<Option<(u64, Vec<u8>)>, StoreError>;
    fn checkpoints(&mut self) -> Result<Vec<ledger::StoredCheckpoint>, StoreError>;
    /// Every person's stored identity, by id, then every event's stored payload, by position.
    fn scan_export(
        &mut self,
        person: &mut dyn FnMut([Option<String>; 14]) -> Result<(), StoreError>,
        event: &mut dyn FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    fn ledger_keys(&mut self) -> Result<Vec<ledger::LedgerKey>, StoreError>;
    /// Calls `f` once with the ledger's keys, head and newest checkpoint, read under a lock
    /// that one signer holds at a time, and stores what it returns before the lock is
    /// released (nothing when it returns `None`).
    fn sign_locked(
        &mut self,
        f: &mut dyn FnMut(&ledger::SigningView) -> Option<ledger::SigningWrites>,
    ) -> Result<(), StoreError>;
    /// The leaf bytes of the row `key` of `kind` (not events), with the case and the person
    /// it is about.
    fn leaf_record(&mut self, kind: ledger::LeafKind, key: i64) -> Result<Option<ledger::LeafRecord>, StoreError>;
    fn add_checkpoint(&mut self, cp: &ledger::StoredCheckpoint) -> Result<(), StoreError>;
    /// Every leaf in order with the row it records, in batches (one read of the ledger for
    /// `verify`).
    fn scan_leaves(
        &mut self,
        emit: &mut dyn FnMut(ledger::LeafBatch) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Every chunk row of leaves, in order, as stored.
    fn scan_chunks(
        &mut self,
        f: &mut dyn FnMut(u64, ledger::Chunk) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Every stored node hash (levels from `ledger::LOWEST_STORED_LEVEL` up), by level and index.
    fn scan_nodes(&mut self, f: &mut dyn FnMut(u8, u64, Vec<u8>)) -> Result<(), StoreError>;
    /// Rows in the table of a kind of leaf.
    fn record_count(&mut self, kind: ledger::LeafKind) -> Result<u64, StoreError>;
    /// Rows of a kind whose keys are not in `named` (sorted), with a few words on each.
    fn unnamed_records(&mut self, kind: ledger::LeafKind, named: &[i64]) -> Result<Vec<(i64, String)>, StoreError>;
    fn record_disclosure(&mut self, d: &ledger::DisclosureRow) -> Result<i64, StoreError>;
    /// Stores an adopted policy and its leaf in one transaction (durably, as a disclosure).
    fn record_policy(&mut self, p: &ledger::PolicyRow) -> Result<i64, StoreError>;
    /// Every adopted policy, by row id.
    fn policies(&mut self) -> Result<Vec<(i64, ledger::PolicyRow)>, StoreError>;
    fn disclosures(&mut self, person_id: &str) -> Result<Vec<(i64, ledger::DisclosureRow)>, StoreError>;
    /// The names of the schema's tables.
    fn table_names(&mut self) -> Result<Vec<String>, StoreError>;
    /// Rows in `table`, one of [`copy::TABLES`].
    fn row_count(&mut self, table: &copy::Table) -> Result<u64, StoreError>;
    /// Every row of each of `tables`, in its order, in batches, all read in one snapshot.
    fn scan_tables(&mut self, tables: &[copy::Table], f: &mut copy::RowSink<'_>) -> Result<(), StoreError>;
    /// Opens the transaction a copy writes in, emptying the rows `migrate` wrote (the ledger's
    /// size, the store's settings).
    fn begin_load(&mut self) -> Result<(), StoreError>;
    fn load_rows(&mut self, table: &copy::Table, rows: &[Vec<copy::Cell>]) -> Result<(), StoreError>;
    /// Commits the copy (sequences moved past the copied ids first), or rolls it back.
    fn finish_load(&mut self, commit: bool) -> Result<(), StoreError>;
    /// Stores the reads and their leaves in one transaction (durably); their ids in order.
    fn record_accesses(&mut self, reads: &[ledger::AccessRow]) -> Result<Vec<i64>, StoreError>;
    fn accesses(&mut self, record_kind: &str, record_id: &str) -> Result<Vec<(i64, ledger::AccessRow)>, StoreError>;
    /// Stores departure records in one transaction, each once by its key, with their counts and
    /// any review item's opening act and leaf.
    fn store_departures(&mut self, rows: &[departures::NewDeparture]) -> Result<Vec<departures::Placed>, StoreError>;
    fn departure(&mut self, key: &str) -> Result<Option<departures::StoredDeparture>, StoreError>;
    /// Records a decision on an open review item: its act and leaf, the record's outcome and
    /// the counts, in one transaction (durably). `None` when the item is not open.
    fn decide_review(&mut self, d: &departures::ReviewDecision) -> Result<Option<i64>, StoreError>;
    /// Deletes the records whose `purge_after` is at or before `now`, counting them as purged
    /// and recording `act` (its detail completed with the count and hash) in one transaction.
    fn purge_departures(&mut self, now: &str, act: &ledger::DepartureActRow) -> Result<departures::Purged, StoreError>;
    fn departure_counts(&mut self, from: &str, to: &str) -> Result<Vec<departures::CountRow>, StoreError>;
    /// Records one act and its leaf (durably).
    fn record_departure_act(&mut self, act: &ledger::DepartureActRow) -> Result<i64, StoreError>;
    /// The acts of a kind, in order; with `subject`, only those about it.
    fn departure_acts(
        &mut self,
        kind: &str,
        subject: Option<&str>,
    ) -> Result<Vec<(i64, ledger::DepartureActRow)>, StoreError>;
}

pub(crate) fn ledger_err<E: std::fmt::Display>(e: docket_ledger::LedgerError<E>) -> StoreError {
    StoreError::Ledger(e.to_string())
}

/// A Docket database.
pub struct Store {
    backend: Box<dyn Backend>,
    url: String,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("url", &self.url).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens an existing database: `sqlite://PATH`, `sqlite::memory:`, or a
    /// `postgres://`/`postgresql://` URL. A SQLite file that is not there is
    /// [`StoreError::NoDatabase`], and is not created. Does not create or migrate the schema.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, sqlite::Sqlite::open)
    }

    /// Opens a database as [`Store::open`] does, creating a SQLite file that is not there
    /// (readable by its owner alone; its WAL and shared-memory files take its mode). Does not
    /// create or migrate the schema.
    pub fn open_or_create(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, sqlite::Sqlite::open_or_create)
    }

    fn open_with(url: &str, open_file: fn(&str) -> Result<sqlite::Sqlite, StoreError>) -> Result<Store, StoreError> {
        let backend: Box<dyn Backend> = if url == "sqlite::memory:" {
            Box::new(sqlite::Sqlite::open_memory()?)
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Box::new(open_file(path)?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Box::new(pg::Postgres::connect(url)?)
        } else {
            return Err(StoreError::Url(url.to_owned()));
        };
        Ok(Store { backend, url: url.to_owned() })
    }

    /// The URL this store was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the connection is known to be lost: a pool discards such a store rather than
    /// hand it out again.
    pub fn is_broken(&self) -> bool {
        self.backend.is_broken()
    }

    /// Creates the schema or brings it up to [`SCHEMA_VERSION`]; returns the version. Stored
    /// projections written in another format than this program's ([`projection::FORMAT`]) are
    /// rebuilt from the events; the events themselves are never rewritten.
    pub fn migrate(&mut self) -> Result<i64, StoreError> {
        let version = self.backend.migrate()?;
        if self.backend.projection_format()? != projection::FORMAT {
            self.backend.rebuild(true, &mut |_| {})?;
            self.backend.set_projection_format(projection::FORMAT)?;
        }
        Ok(version)
    }

    /// Fails unless the schema is at this program's version, each applied step as this
    /// program has it: a step recorded with another checksum is
    /// [`StoreError::MigrationChanged`], one missing below a later one
    /// [`StoreError::MigrationMissing`]. A step applied before checksums were recorded is
    /// not refused ([`migrations::StepState::Unknown`], which [`Store::migration_status`]
    /// reports).
    pub fn check_schema(&mut self) -> Result<(), StoreError> {
        let recorded = self.backend.recorded_migrations()?;
        let version = migrations::latest(&recorded);
        if version > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { found: version });
        }
        migrations::check(&migrations::status(self.backend.dialect(), recorded))?;
        if version < SCHEMA_VERSION {
            return Err(StoreError::NotInitialized { found: version });
        }
        Ok(())
    }

    /// Every migration step of this program, and any other the database records, in version
    /// order: when each was applied, the recorded and the expected checksum, and where it
    /// stands. Refuses nothing and writes nothing, so that it can describe a database that
    /// is refused.
    pub fn migration_status(&mut self) -> Result<Vec<migrations::StepStatus>, StoreError> {
        let recorded = self.backend.recorded_migrations()?;
        Ok(migrations::status(self.backend.dialect(), recorded))
    }

    /// Appends one event to its case. A re-sent event (same case, same idempotency key, same
    /// content) is not stored again and the stored one is returned; the same key with other
    /// content is [`StoreError::Rejected`] in field `idempotency_key`; a stream not at `expected` is a
    /// [`StoreError::Conflict`]; an event the case's rules refuse is [`StoreError::Refused`].
    pub fn append(&mut self, event: Event, expected: Expected) -> Result<Appended, StoreError> {
        let outcome = self.backend.import(std::slice::from_ref(&event), Some(expected))?;
        match outcome.into_iter().next() {
            Some(ImportOutcome::Stored { version }) => Ok(Appended::Stored { version }),
            Some(ImportOutcome::Duplicate { .. }) => {
                let stored = self.backend.event_by_key(&event.case_id, event.idempotency_key.as_str())?;
                let stored = stored.ok_or_else(|| StoreError::Corrupt {
                    what: "event",
                    key: event.idempotency_key.to_string(),
                    reason: "reported as stored but not found".into(),
                })?;
                Ok(Appended::AlreadyStored { event: Box::new(stored) })
            }
            Some(ImportOutcome::Rejected(Rejection::Refused(refusal))) => {
                Err(StoreError::Refused { case: event.case_id.to_string(), event: event.id.to_string(), refusal })
            }
            Some(ImportOutcome::Rejected(Rejection::Field { field, reason })) => Err(StoreError::Rejected {
                case: event.case_id.to_string(),
                event: event.id.to_string(),
                field,
                reason,
            }),
            None => Err(StoreError::Corrupt { what: "event", key: event.id.to_string(), reason: "no outcome".into() }),
        }
    }

    /// Appends a batch in one transaction: each event is stored, found to be a duplicate, or
    /// rejected with the field and reason; rejected events do not stop the others. Events of
    /// a case must come in stream order.
    pub fn import(&mut self, events: &[Event]) -> Result<Vec<ImportOutcome>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        self.backend.import(events, None)
    }

    /// Stores new persons, each as its version 1 and a ledger leaf, in one transaction. A
    /// person stored already exactly as given is `Unchanged`; another identity under a stored
    /// id is `Differs` and not stored: changing an identity is a correction.
    pub fn store_persons(
        &mut self,
        persons: &[Person],
        rec: &persons::Recording,
    ) -> Result<Vec<persons::PersonOutcome>, StoreError> {
        if persons.is_empty() {
            return Ok(Vec::new());
        }
        self.backend.write_persons(persons, false, rec)
    }

    /// Corrects stored persons (5 U.S.C. 552a(d) amendment): each that differs from its
    /// latest version is stored as the next version, with `rec`'s actor and reason, and a
    /// ledger leaf; earlier versions are kept. A person not stored is `Unknown`.
    pub fn correct_persons(
        &mut self,
        persons: &[Person],
        rec: &persons::Recording,
    ) -> Result<Vec<persons::PersonOutcome>, StoreError> {
        if persons.is_empty() {
            return Ok(Vec::new());
        }
        self.backend.write_persons(persons, true, rec)
    }

    /// Every stored version of a person's identity, oldest first.
    pub fn person_versions(&mut self, id: &PersonId) -> Result<Vec<persons::PersonVersion>, StoreError> {
        self.backend.person_versions(id)?.into_iter().map(|(row, payload)| persons::decode(&payload, row)).collect()
    }

    /// One person's record.
    pub fn person(&mut self, id: &PersonId) -> Result<Option<Person>, StoreError> {
        self.backend.person(id)
    }

    /// A case's events in stream order.
    pub fn events(&mut self, case: &CaseId) -> Result<Vec<Event>, StoreError> {
        self.backend.events(case)
    }

    /// A case's stored projection.
    pub fn summary(&mut self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
        self.backend.summary(case)
    }

    /// Every case's projection, in case-id order: the bulk read policies use. `f` gets each
    /// case's projection, or a [`StoreError::Corrupt`] naming a row that cannot be decoded (the
    /// scan goes on past it), and may stop the scan by returning [`ControlFlow::Break`].
    pub fn scan_summaries(
        &mut self,
        f: &mut dyn FnMut(Result<CaseSummary, StoreError>) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        self.backend.scan_summaries(f)
    }

    /// Every stored person's date of birth, by person: what whole-docket answers under an
    /// agency policy need of the persons (a person's age is a fact a policy may use). A date
    /// that cannot be read is the store's corruption, named.
    pub fn dates_of_birth(
        &mut self,
    ) -> Result<std::collections::HashMap<PersonId, docket_core::DateOfBirth>, StoreError> {
        let today = today();
        let mut out = std::collections::HashMap::new();
        let mut bad = None;
        self.backend.scan_dates_of_birth(&mut |id, dob| match (
            PersonId::parse(id),
            docket_core::DateOfBirth::parse(dob, today),
        ) {
            (Ok(p), Ok(d)) => {
                out.insert(p, d);
            }
            (Err(e), _) => bad = bad.take().or(Some((id.to_owned(), e.to_string()))),
            (_, Err(e)) => bad = bad.take().or(Some((id.to_owned(), e.to_string()))),
        })?;
        match bad {
            Some((key, reason)) => Err(StoreError::Corrupt { what: "person's date of birth", key, reason }),
            None => Ok(out),
        }
    }

    /// The cases concerning a person.
    pub fn cases_of_person(&mut self, person: &PersonId) -> Result<Vec<CaseId>, StoreError> {
        self.backend.cases_of_person(person)
    }

    /// Recomputes every projection from the events, reporting those that differed from what
    /// was stored, and stores the recomputed ones. `progress` is called with events folded.
    pub fn rebuild(&mut self, progress: &mut dyn FnMut(u64)) -> Result<RebuildReport, StoreError> {
        self.backend.rebuild(true, progress)
    }

    /// Recomputes every case projection from the events and reports those that differ from
    /// the stored ones (altered, inserted, deleted), writing nothing: the check `verify`
    /// makes of the data Docket derives, which the ledger does not hold.
    pub fn check_projections(&mut self, progress: &mut dyn FnMut(u64)) -> Result<RebuildReport, StoreError> {
        self.backend.rebuild(false, progress)
    }

    /// Row counts.
    pub fn stats(&mut self) -> Result<Stats, StoreError> {
        self.backend.stats()
    }

    /// The ledger's size and root now.
    pub fn ledger_head(&mut self) -> Result<(u64, docket_ledger::Hash), StoreError> {
        let size = self.backend.ledger_size()?;
        Ok((size, self.backend.ledger_root(size)?))
    }

    /// How many leaves the ledger holds: one read of one row, so cheap enough to poll for
    /// whether anything was recorded since.
    pub fn ledger_size(&mut self) -> Result<u64, StoreError> {
        self.backend.ledger_size()
    }

    /// Stores a signed checkpoint after checking that it matches the ledger.
    pub fn add_checkpoint(
        &mut self,
        note: &str,
        key: &docket_ledger::VerifierKey,
    ) -> Result<ledger::StoredCheckpoint, StoreError> {
        let cp = docket_ledger::Checkpoint::from_note(note.as_bytes(), key)
            .map_err(|e| StoreError::Ledger(e.to_string()))?;
        let root = self.backend.ledger_root(cp.size())?;
        if &root != cp.root() {
            return Err(StoreError::Ledger(format!(
                "checkpoint root for size {} does not match the ledger",
                cp.size()
            )));
        }
        let stored = ledger::StoredCheckpoint { size: cp.size(), root, note: note.to_owned() };
        self.backend.add_checkpoint(&stored)?;
        Ok(stored)
    }

    /// Every person (their current identity), by id, then every event as stored, in the
    /// order it was stored: what an import into another database needs to rebuild the same
    /// docket. Stops at the first error `person` or `event` returns.
    pub fn export(
        &mut self,
        person: &mut dyn FnMut(Person) -> Result<(), StoreError>,
        event: &mut dyn FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.backend.scan_export(&mut |cols| person(person_from_columns(cols)?), event)
    }

    /// Copies this whole database, row for row, into `target`, which must be freshly
    /// migrated and hold nothing (no person, event, leaf, checkpoint or key): the copy's
    /// ledger is the same tree, so the source's checkpoints and keys verify it. The source is
    /// read in one snapshot and the target written in one transaction; `progress` is given
    /// the rows written so far.
    pub fn copy_to(&mut self, target: &mut Store, progress: &mut dyn FnMut(u64)) -> Result<CopyReport, StoreError> {
        for table in copy::TABLES {
            let n = target.backend.row_count(table)?;
            // `migrate` writes the ledger's size (0) and the store's settings; nothing else.
            let allowed = match table.name {
                "ledger_size" | "store_meta" => true,
                _ => n == 0,
            };
            if !allowed || table.name == "ledger_size" && target.backend.ledger_size()? != 0 {
                return Err(StoreError::Ledger(format!(
                    "the target database is not empty: `{}` holds {n} row(s); a copy goes into a new database only",
                    table.name
                )));
            }
        }
        let mut report = CopyReport::default();
        let mut written = 0u64;
        target.backend.begin_load()?;
        let copied = self.backend.scan_tables(copy::TABLES, &mut |table, rows| {
            target.backend.load_rows(table, &rows)?;
            match report.tables.last_mut() {
                Some((name, n)) if name == table.name => *n += rows.len() as u64,
                _ => report.tables.push((table.name.to_owned(), rows.len() as u64)),
            }
            written += rows.len() as u64;
            progress(written);
            Ok(())
        });
        // INVARIANT: all of the copy or none of it.
        target.backend.finish_load(copied.is_ok())?;
        copied?;
        Ok(report)
    }

    /// The names of the database's tables, with those a copy leaves out and why: for the test
    /// that every table is copied or said not to be.
    pub fn tables_not_copied(&mut self) -> Result<Vec<String>, StoreError> {
        let copied: Vec<&str> =
            copy::TABLES.iter().map(|t| t.name).chain(copy::NOT_COPIED.iter().map(|(t, _)| *t)).collect();
        Ok(self.backend.table_names()?.into_iter().filter(|t| !copied.contains(&t.as_str())).collect())
    }

    /// The ledger's verifier keys, in the order they took over.
    pub fn ledger_keys(&mut self) -> Result<Vec<ledger::LedgerKey>, StoreError> {
        self.backend.ledger_keys()
    }

    /// Signs under the ledger's signing lock: `f` is given the recorded keys, the ledger's
    /// size and root and its newest checkpoint, all read under the lock, and returns what to
    /// store (keys, a checkpoint) with its answer; these are stored before the lock is
    /// released, or nothing is when `f` fails.
    ///
    /// The lock is what makes a key's period hold: a signer that finds key K current and
    /// signs size N, and a rotation that hands over from K at size S, are one after the
    /// other, so a checkpoint of K never lands beyond the size its successor took over at.
    /// SQLite takes its write lock (appends wait); PostgreSQL locks `ledger_keys` against
    /// other signers only (appends go on: a checkpoint of the size read stays true as the
    /// ledger grows).
    pub fn signing<T, E: From<StoreError>>(
        &mut self,
        mut f: impl FnMut(&ledger::SigningView) -> Result<(ledger::SigningWrites, T), E>,
    ) -> Result<T, E> {
        let mut answer: Option<Result<T, E>> = None;
        self.backend.sign_locked(&mut |view| match f(view) {
            Ok((writes, t)) => {
                answer = Some(Ok(t));
                Some(writes)
            }
            Err(e) => {
                answer = Some(Err(e));
                None
            }
        })?;
        answer.unwrap_or_else(|| Err(StoreError::Ledger("the signer was not called".into()).into()))
    }

    /// Stored checkpoints, by size.
    pub fn checkpoints(&mut self) -> Result<Vec<ledger::StoredCheckpoint>, StoreError> {
        self.backend.checkpoints()
    }

    /// An inclusion proof for an event against the latest checkpoint. None if no such event.
    pub fn prove_event(&mut self, id: &EventId) -> Result<Option<ledger::EventProof>, StoreError> {
        let Some((leaf_index, leaf)) = self.backend.event_leaf(id)? else { return Ok(None) };
        let Some(checkpoint) = self.backend.checkpoints()?.pop() else {
            return Err(StoreError::Ledger("no checkpoint has been signed yet".into()));
        };
        if leaf_index >= checkpoint.size {
            return Err(StoreError::Ledger(format!(
                "event `{id}` is leaf {leaf_index}, newer than the latest checkpoint (size {}): sign a new checkpoint first",
                checkpoint.size
            )));
        }
        let path = self.backend.inclusion_proof(leaf_index, checkpoint.size)?;
        docket_ledger::verify_inclusion(
            &docket_ledger::leaf_hash(&leaf),
            leaf_index,
            checkpoint.size,
            &path,
            &checkpoint.root,
        )
        .map_err(|e| StoreError::Ledger(format!("the stored tree does not prove event `{id}`: {e}")))?;
        Ok(Some(ledger::EventProof { leaf_index, leaf, size: checkpoint.size, path, checkpoint }))
    }

    /// An inclusion proof of any leaf — an event, a read, a disclosure, a version of a
    /// person's identity — against the latest checkpoint, with the leaf's bytes and what it is
    /// about (`None`: no such record).
    pub fn prove(&mut self, leaf: ledger::LeafRef<'_>) -> Result<Option<ledger::LeafProof>, StoreError> {
        use ledger::{LeafKind, LeafRef};
        let (kind, key, what) = match leaf {
            LeafRef::Event(id) => {
                let Some(p) = self.prove_event(id)? else { return Ok(None) };
                // The leaf names the case on its third line (docs/ledger.md).
                let case = String::from_utf8_lossy(&p.leaf).lines().nth(2).map(str::to_owned);
                let person = match case.as_deref().map(CaseId::parse) {
                    Some(Ok(c)) => self.summary(&c)?.and_then(|s| s.person_id.map(|p| p.to_string())),
                    _ => None,
                };
                return Ok(Some(ledger::LeafProof { proof: p, case, person }));
            }
            LeafRef::Read(id) => (LeafKind::Access, id, format!("read {id}")),
            LeafRef::Disclosure(id) => (LeafKind::Disclosure, id, format!("disclosure {id}")),
            LeafRef::Policy(id) => (LeafKind::Policy, id, format!("policy {id}")),
            LeafRef::PersonVersion(person, version) => {
                let rows = self.backend.person_versions(person)?;
                let Some(row) = rows.get((version as usize).wrapping_sub(1)).map(|(id, _)| *id) else {
                    return Ok(None);
                };
                (LeafKind::Person, row, format!("version {version} of person `{person}`"))
            }
        };
        let Some(record) = self.backend.leaf_record(kind, key)? else { return Ok(None) };
        let mut index = None;
        self.backend.scan_chunks(&mut |number, chunk| {
            if index.is_none() {
                if let Ok(leaves) = chunk.leaves() {
                    index = leaves
                        .iter()
                        .position(|l| l.kind == Ok(kind) && l.reference == key)
                        .map(|k| number * ledger::LEAVES_PER_CHUNK + k as u64);
                }
            }
            Ok(())
        })?;
        let Some(leaf_index) = index else {
            return Err(StoreError::Ledger(format!("{what} has no ledger leaf: verify the ledger")));
        };
        let checkpoint = self.latest_checkpoint_covering(leaf_index, &what)?;
        let path = self.backend.inclusion_proof(leaf_index, checkpoint.size)?;
        docket_ledger::verify_inclusion(
            &docket_ledger::leaf_hash(&record.leaf),
            leaf_index,
            checkpoint.size,
            &path,
            &checkpoint.root,
        )
        .map_err(|e| StoreError::Ledger(format!("the stored tree does not prove {what}: {e}")))?;
        Ok(Some(ledger::LeafProof {
            proof: ledger::EventProof { leaf_index, leaf: record.leaf, size: checkpoint.size, path, checkpoint },
            case: record.case,
            person: record.person,
        }))
    }

    fn latest_checkpoint_covering(
        &mut self,
        leaf_index: u64,
        what: &str,
    ) -> Result<ledger::StoredCheckpoint, StoreError> {
        let Some(checkpoint) = self.backend.checkpoints()?.pop() else {
            return Err(StoreError::Ledger("no checkpoint has been signed yet".into()));
        };
        if leaf_index >= checkpoint.size {
            return Err(StoreError::Ledger(format!(
                "{what} is leaf {leaf_index}, newer than the latest checkpoint (size {}): sign a new checkpoint first",
                checkpoint.size
            )));
        }
        Ok(checkpoint)
    }

    /// A consistency proof between two sizes, with both roots.
    pub fn consistency(
        &mut self,
        old: u64,
        new: u64,
    ) -> Result<(docket_ledger::Hash, docket_ledger::Hash, Vec<docket_ledger::Hash>), StoreError> {
        let size = self.backend.ledger_size()?;
        if old == 0 || old > new || new > size {
            return Err(StoreError::Ledger(format!("sizes must satisfy 0 < OLD <= NEW <= {size} (the ledger's size)")));
        }
        let proof = self.backend.consistency_proof(old, new)?;
        Ok((self.backend.ledger_root(old)?, self.backend.ledger_root(new)?, proof))
    }

    /// Records that `actor` read a record for `purpose`, as a ledger leaf in the same
    /// transaction. Call it before showing the record: if it fails, the read must not happen.
    pub fn record_access(
        &mut self,
        actor: &docket_core::ActorId,
        purpose: docket_core::AccessPurpose,
        record: AccessedRecord<'_>,
        at: docket_core::Timestamp,
    ) -> Result<i64, StoreError> {
        let ids = self.record_accesses(actor, purpose, &[record], at)?;
        ids.first().copied().ok_or_else(|| StoreError::Ledger("no read was recorded".into()))
    }

    /// Records that `actor` read several records for `purpose` at once (a case and the
    /// person it shows), each an access row and a ledger leaf, all in one transaction: one
    /// durable commit for what one view shows. Returns their ids, in order.
    pub fn record_accesses(
        &mut self,
        actor: &docket_core::ActorId,
        purpose: docket_core::AccessPurpose,
        records: &[AccessedRecord<'_>],
        at: docket_core::Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<ledger::AccessRow> = records
            .iter()
            .map(|record| {
                let (record_kind, record_id) = match *record {
                    AccessedRecord::Case(c) => ("case", c.as_str()),
                    AccessedRecord::Person(p) => ("person", p.as_str()),
                    AccessedRecord::Cases(filter) => ("cases", filter),
                    AccessedRecord::Docket(what) => ("docket", what),
                    AccessedRecord::Departure(key) => ("departure", key),
                    AccessedRecord::Review(what) => ("review", what),
                };
                ledger::AccessRow {
                    at: at.to_string(),
                    actor: actor.to_string(),
                    purpose: purpose.name().to_owned(),
                    record_kind: record_kind.to_owned(),
                    record_id: record_id.to_owned(),
                }
            })
            .collect();
        self.backend.record_accesses(&rows)
    }

    /// Records a disclosure outside the agency, as a ledger leaf in the same transaction.
    pub fn record_disclosure(&mut self, d: &ledger::DisclosureRow) -> Result<i64, StoreError> {
        self.backend.record_disclosure(d)
    }

    /// Records the adoption of a policy: its row and its ledger leaf in one transaction,
    /// committed durably before this returns. Returns the row's id (`policy/ID` in the ledger).
    /// A policy id and version already adopted is refused by the database (`UNIQUE`).
    pub fn record_policy(&mut self, p: &ledger::PolicyRow) -> Result<i64, StoreError> {
        self.backend.record_policy(p)
    }

    /// Every adopted policy, in the order adopted, with its row id.
    pub fn policies(&mut self) -> Result<Vec<(i64, ledger::PolicyRow)>, StoreError> {
        self.backend.policies()
    }

    /// The accounting of disclosures of one person's record, oldest first.
    pub fn disclosures(&mut self, person: &PersonId) -> Result<Vec<(i64, ledger::DisclosureRow)>, StoreError> {
        self.backend.disclosures(person.as_str())
    }

    /// Stores departure records with what the feed decided, each once by its key (a second
    /// time is [`departures::Placed::AlreadyStored`] and changes nothing), in one transaction
    /// with their counts and, for a record sent to review, the item's opening act and leaf.
    pub fn store_departures(
        &mut self,
        rows: &[departures::NewDeparture],
    ) -> Result<Vec<departures::Placed>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        self.backend.store_departures(rows)
    }

    /// A stored departure record by its key (`source/record_id`), unless purged.
    pub fn departure(&mut self, key: &str) -> Result<Option<departures::StoredDeparture>, StoreError> {
        self.backend.departure(key)
    }

    /// Records a reviewer's decision on an open item, durably: the act and its leaf, the
    /// record's new outcome and the counts. `None` when the item is not open (decided before,
    /// or never opened).
    pub fn decide_review(&mut self, d: &departures::ReviewDecision) -> Result<Option<i64>, StoreError> {
        self.backend.decide_review(d)
    }

    /// Deletes the departure records due for deletion at `now`, leaving their counts, and
    /// records the purge as an act of record (how many, the window, a hash of what went).
    pub fn purge_departures(
        &mut self,
        now: &str,
        act: &ledger::DepartureActRow,
    ) -> Result<departures::Purged, StoreError> {
        self.backend.purge_departures(now, act)
    }

    /// The departure counts of days `from..=to` (dates), by day, port and outcome.
    pub fn departure_counts(&mut self, from: &str, to: &str) -> Result<Vec<departures::CountRow>, StoreError> {
        self.backend.departure_counts(from, to)
    }

    /// Records an act of the departure feed (a model adopted, say) and its leaf, durably.
    pub fn record_departure_act(&mut self, act: &ledger::DepartureActRow) -> Result<i64, StoreError> {
        self.backend.record_departure_act(act)
    }

    /// The departure acts of `kind`, oldest first; with `subject`, only those about it.
    pub fn departure_acts(
        &mut self,
        kind: &str,
        subject: Option<&str>,
    ) -> Result<Vec<(i64, ledger::DepartureActRow)>, StoreError> {
        self.backend.departure_acts(kind, subject)
    }

    /// The review items, oldest first: with `open_only`, those not yet decided.
    pub fn review_items(&mut self, open_only: bool) -> Result<Vec<departures::ReviewItem>, StoreError> {
        let mut decided: std::collections::HashMap<String, (i64, ledger::DepartureActRow)> =
            std::collections::HashMap::new();
        for kind in ["review_accepted", "review_rejected"] {
            for (id, act) in self.backend.departure_acts(kind, None)? {
                decided.insert(act.subject.clone(), (id, act));
            }
        }
        let mut items = Vec::new();
        for (id, opened) in self.backend.departure_acts("review_opened", None)? {
            let decision = decided.remove(&departures::review_subject(id));
            if open_only && decision.is_some() {
                continue;
            }
            let record = self.backend.departure(&opened.subject)?;
            items.push(departures::ReviewItem { id, opened, decided: decision, record });
        }
        Ok(items)
    }

    /// The recorded reads of one record, oldest first.
    pub fn accesses(&mut self, record: AccessedRecord<'_>) -> Result<Vec<(i64, ledger::AccessRow)>, StoreError> {
        match record {
            AccessedRecord::Case(c) => self.backend.accesses("case", c.as_str()),
            AccessedRecord::Person(p) => self.backend.accesses("person", p.as_str()),
            AccessedRecord::Cases(filter) => self.backend.accesses("cases", filter),
            AccessedRecord::Docket(what) => self.backend.accesses("docket", what),
            AccessedRecord::Departure(key) => self.backend.accesses("departure", key),
            AccessedRecord::Review(what) => self.backend.accesses("review", what),
        }
    }

    /// [`Store::verify_ledger`] with the ledger's keys, each for its period (the size it took
    /// over from, in order: [`ledger::open_checkpoint`]), and checks the checkpoints held
    /// outside the database, `trusted`, too: each must be signed with the key of its period, be among the stored checkpoints, and
    /// match the tree recomputed from the leaves at its size, which must be reached. A
    /// rewrite hidden by deleting the stored checkpoints, and a rollback, are found so.
    pub fn verify_ledger_trusting(
        &mut self,
        keys: &[(u64, docket_ledger::VerifierKey)],
        trusted: &[ledger::TrustedCheckpoint],
        progress: &mut dyn FnMut(u64),
    ) -> Result<ledger::VerifyReport, StoreError> {
        ledger::verify(self.backend.as_mut(), keys, trusted, progress)
    }

    /// Recomputes the ledger from the stored leaves and the stored events, and checks every
    /// stored checkpoint (signature with `key`, root against the recomputed tree). Finds
    /// modified, deleted, inserted and reordered events and ledger rows.
    pub fn verify_ledger(
        &mut self,
        key: &docket_ledger::VerifierKey,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ledger::VerifyReport, StoreError> {
        ledger::verify(self.backend.as_mut(), &[(0, key.clone())], &[], progress)
    }
}

pub(crate) fn decode_event(payload: &str, position: i64) -> Result<Event, StoreError> {
    wire::parse_stored_event(payload).map_err(|e| StoreError::Corrupt {
        what: "event at position",
        key: position.to_string(),
        reason: e.to_string(),
    })
}

pub(crate) fn encode_event(e: &Event) -> String {
    // Strings, numbers and options only: serialization cannot fail.
    serde_json::to_string(&wire::WireEvent::from_event(e)).unwrap_or_default()
}

pub(crate) fn decode_summary(json: &str, case: &str) -> Result<CaseSummary, StoreError> {
    projection::decode(json).map_err(|e| StoreError::Corrupt {
        what: "projection of case",
        key: case.into(),
        reason: e.0,
    })
}

/// Now, in UTC, from the system clock.
pub fn now() -> docket_core::Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    // INVARIANT: the system clock is within 1800..2200; the epoch is the fallback otherwise.
    docket_core::Timestamp::from_unix(secs, 0)
        .or_else(|_| docket_core::Timestamp::from_unix(0, 0))
        .unwrap_or_else(|_| unreachable!())
}

/// Today's date in UTC, from the system clock.
pub fn today() -> docket_core::Date {
    now().local_date()
}

pub(crate) fn decode_person(row: wire::PersonRow) -> Result<Person, StoreError> {
    let key = row.person_id.clone();
    row.to_person(today()).map_err(|e| StoreError::Corrupt { what: "person", key, reason: e.to_string() })
}

/// SQL shared by both backends, with `{pk}` for the event position column's definition and
/// `{bool}` for the boolean type.
pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE persons (
    person_id TEXT PRIMARY KEY,
    a_number TEXT,
    given_names TEXT NOT NULL,
    family_names TEXT NOT NULL,
    name_order TEXT NOT NULL,
    given_folded TEXT NOT NULL,
    family_folded TEXT NOT NULL,
    aliases TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    sex TEXT NOT NULL,
    nationality TEXT,
    passport_number TEXT,
    passport_country TEXT,
    passport_expiry TEXT
);
CREATE INDEX persons_a_number ON persons (a_number);
CREATE INDEX persons_family_folded ON persons (family_folded);
CREATE TABLE events (
    position {pk},
    event_id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (case_id, version),
    UNIQUE (case_id, idempotency_key)
);
CREATE TABLE case_projection (
    case_id TEXT PRIMARY KEY,
    person_id TEXT,
    version BIGINT NOT NULL,
    detained {bool} NOT NULL,
    final_at TEXT,
    summary TEXT NOT NULL
);
CREATE INDEX case_projection_person ON case_projection (person_id);
";

/// Schema 4: the projection's `citizenship` column (claims to citizenship are about the
/// person, so the rules look them up across a person's cases; the person index now covers
/// it, so a projection write still maintains one index besides its key) and a table of the
/// store's own settings, where the format of the stored projections is kept.
pub(crate) const SCHEMA_V4: &str = "
ALTER TABLE case_projection ADD COLUMN citizenship TEXT NOT NULL DEFAULT 'no_claim';
DROP INDEX case_projection_person;
CREATE INDEX case_projection_person ON case_projection (person_id, citizenship);
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

/// Schema 5: every version of a person's identity, each a ledger leaf (`persons` keeps the
/// latest, for lookups), and the ledger's verifier keys, each with the first tree size it
/// signs and, for a key that replaced another, the rotation statement both keys signed.
/// `{pk}` is the row id's definition.
pub(crate) const SCHEMA_V5: &str = "
CREATE TABLE person_versions (
    id {pk},
    person_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (person_id, version)
);
CREATE TABLE ledger_keys (
    verifier_key TEXT PRIMARY KEY,
    from_size BIGINT NOT NULL,
    recorded_at TEXT NOT NULL,
    rotation TEXT
);
";

/// Schema 6: agency policies adopted as acts of record. Each row is a ledger leaf
/// (`ledger::policy_leaf`), written in the same transaction; a policy id and version are
/// adopted once. `{pk}` is the row id's definition.
pub(crate) const SCHEMA_V6: &str = "
CREATE TABLE policies (
    id {pk},
    policy_id TEXT NOT NULL,
    version TEXT NOT NULL,
    kind TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    adopted_by TEXT NOT NULL,
    adopted_at TEXT NOT NULL,
    UNIQUE (policy_id, version)
);
";

/// How the migration to schema 5 records the persons it finds: version 1 of each, as found.
pub(crate) fn migration_recording() -> persons::Recording {
    persons::Recording {
        at: now().to_string(),
        by: "docket.migration".into(),
        reason: "stored before identities were ledger records (schema 5); taken in as found".into(),
    }
}

/// The person row's columns as stored, in `persons` table order: `r` is `p` as its
/// persons-CSV row (built once per person written, for its payload and these columns).
pub(crate) fn person_columns<'a>(r: &'a wire::PersonRow, p: &'a Person) -> [Option<&'a str>; 14] {
    let opt = |s: &'a String| (!s.is_empty()).then_some(s.as_str());
    [
        Some(&r.person_id),
        opt(&r.a_number),
        Some(&r.given_names),
        Some(&r.family_names),
        Some(&r.name_order),
        Some(p.name.given().map(|g| g.folded()).unwrap_or_default()),
        Some(p.name.family().map(|f| f.folded()).unwrap_or_default()),
        Some(&r.aliases),
        Some(&r.date_of_birth),
        Some(&r.sex),
        opt(&r.nationality),
        opt(&r.passport_number),
        opt(&r.passport_country),
        opt(&r.passport_expiry),
    ]
}

pub(crate) fn person_from_columns(c: [Option<String>; 14]) -> Result<Person, StoreError> {
    let [
        person_id,
        a_number,
        given_names,
        family_names,
        name_order,
        _,
        _,
        aliases,
        date_of_birth,
        sex,
        nationality,
        passport_number,
        passport_country,
        passport_expiry,
    ] = c.map(Option::unwrap_or_default);
    decode_person(wire::PersonRow {
        person_id,
        a_number,
        given_names,
        family_names,
        name_order,
        aliases,
        date_of_birth,
        sex,
        nationality,
        passport_number,
        passport_country,
        passport_expiry,
    })
}

/// The columns of `case_projection`, defined once: the projection JSON and, beside it, what
/// SQL filters on without decoding it. Both backends build their statements from this list,
/// and bind [`ProjectionRow`]'s values in this order.
pub(crate) const PROJECTION_COLUMNS: [(&str, &str, &str); 7] = [
    // (name, SQLite type, PostgreSQL type)
    ("case_id", "TEXT PRIMARY KEY", "TEXT PRIMARY KEY"),
    ("person_id", "TEXT", "TEXT"),
    ("version", "BIGINT NOT NULL", "BIGINT NOT NULL"),
    ("detained", "INTEGER NOT NULL", "BOOLEAN NOT NULL"),
    ("final_at", "TEXT", "TEXT"),
    ("citizenship", "TEXT NOT NULL", "TEXT NOT NULL"),
    ("summary", "TEXT NOT NULL", "TEXT NOT NULL"),
];

/// SQL fragments over [`PROJECTION_COLUMNS`].
pub(crate) mod projection_sql {
    use super::PROJECTION_COLUMNS;

    /// `case_id, person_id, ...`
    pub fn names() -> String {
        PROJECTION_COLUMNS.iter().map(|c| c.0).collect::<Vec<_>>().join(", ")
    }

    /// Column definitions for a table like `case_projection`.
    pub fn definitions(postgres: bool) -> String {
        PROJECTION_COLUMNS
            .iter()
            .map(|(n, sqlite, pg)| format!("{n} {}", if postgres { pg } else { sqlite }))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `?1, ?2, ...` or `$1, $2, ...`.
    pub fn placeholders(postgres: bool) -> String {
        (1..=PROJECTION_COLUMNS.len())
            .map(|i| if postgres { format!("${i}") } else { format!("?{i}") })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `ON CONFLICT (case_id) DO UPDATE SET person_id = excluded.person_id, ...`
    pub fn on_conflict_update() -> String {
        let set: Vec<String> = PROJECTION_COLUMNS[1..].iter().map(|c| format!("{0} = excluded.{0}", c.0)).collect();
        format!("ON CONFLICT (case_id) DO UPDATE SET {}", set.join(", "))
    }

    /// A condition true when rows `a` and `b` differ in any column.
    pub fn differ(a: &str, b: &str, postgres: bool) -> String {
        let op = if postgres { "IS DISTINCT FROM" } else { "IS NOT" };
        PROJECTION_COLUMNS[1..].iter().map(|c| format!("{a}.{0} {op} {b}.{0}", c.0)).collect::<Vec<_>>().join(" OR ")
    }
}

/// One `case_projection` row, its values in [`PROJECTION_COLUMNS`] order.
pub(crate) struct ProjectionRow {
    pub case_id: String,
    pub person_id: Option<String>,
    pub version: i64,
    pub detained: bool,
    pub final_at: Option<String>,
    pub citizenship: &'static str,
    pub summary: String,
}

impl ProjectionRow {
    pub fn of(s: &CaseSummary) -> ProjectionRow {
        ProjectionRow {
            case_id: s.case_id.to_string(),
            person_id: s.person_id.as_ref().map(ToString::to_string),
            version: s.version as i64,
            detained: s.detained_since.is_some(),
            final_at: s.final_order.as_ref().map(|f| f.at.to_string()),
            citizenship: projection::citizenship_name(s.citizenship),
            summary: projection::encode(s),
        }
    }

    pub fn sqlite_values(&self) -> [&dyn rusqlite::ToSql; 7] {
        [
            &self.case_id,
            &self.person_id,
            &self.version,
            &self.detained,
            &self.final_at,
            &self.citizenship,
            &self.summary,
        ]
    }

    pub fn pg_values(&self) -> [&(dyn postgres::types::ToSql + Sync); 7] {
        [
            &self.case_id,
            &self.person_id,
            &self.version,
            &self.detained,
            &self.final_at,
            &self.citizenship,
            &self.summary,
        ]
    }
}
