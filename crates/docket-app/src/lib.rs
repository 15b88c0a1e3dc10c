//! Docket's application layer: the use cases every shell shares — the command line today, the
//! HTTP service and the departure-feed consumer next. A use case with a legal duty attached
//! lives here once, so that no shell can forget it:
//!
//! - a read of a case, a timeline or a person states who reads and why ([`ReadContext`]), and
//!   its ledger leaf is committed before anything is returned;
//! - a disclosure outside the agency records the fields 5 U.S.C. 552a(c) requires and the
//!   SHA-256 of a versioned packet ([`packet`]) after the packet is staged and before it is
//!   released ([`delivery`]): a packet that cannot be written is never counted as disclosed;
//! - the accounting of disclosures leaves out law-enforcement disclosures when it is the
//!   person's own (552a(c)(3));
//! - an officer's event is decided by the case's rules, and a refusal comes back typed, with
//!   every rule that bars it ([`AppError::Refused`]).
//!
//! [`App`] holds a pool of database connections (`r2d2`, one [`docket_store::Store`] per
//! connection, each used by one call at a time), so one `App` serves many callers at once.
//!
//! ```
//! use docket_app::{App, AppConfig, ReadContext};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let url = format!("sqlite://{}", dir.path().join("docket.db").display());
//! App::init(&url).unwrap();
//! let app = App::open(&url, AppConfig::default()).unwrap();
//! let ctx = ReadContext::new(Some("officer.a"), Some("case_work")).unwrap();
//! let err = app.read_case(&ctx, "C-404", None).unwrap_err();
//! assert_eq!(err.to_string(), "no case `C-404`");
//! assert!(ReadContext::new(Some("officer.a"), None).is_err(), "a read needs a purpose");
//!
//! // A database in memory is created with the schema, and is one connection.
//! let scratch = App::open("sqlite::memory:", AppConfig::default()).unwrap();
//! assert_eq!(scratch.report(None, 30).unwrap().cases, 0);
//! ```

pub mod checkpoints;
pub mod delivery;
pub mod departure_report;
pub mod departures;
pub mod error;
pub mod feed;
pub mod gates;
pub mod import;
pub mod keys;
mod lines;
pub mod matching;
pub use lines::MAX_LINE_BYTES;
pub mod packet;
pub mod policies;
pub mod views;
pub mod witness;

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use docket_core::{
    AccessPurpose, ActorId, CaseId, CaseState, DocketReport, Event, EventId, PersonFacts, PersonId, Timestamp,
};
use docket_store::{AccessedRecord, Appended, Expected, Store, StoreError};

use base64::Engine as _;
pub use docket_store::ledger::LeafRef;
pub use error::AppError;
pub use import::{ImportConfig, ImportReport, ImportSink, ImportSource, Reject, Retry, SourceKind, SourceReport};
use views::{
    AccountingView, CaseView, DisclosureView, PersonCase, PersonView, ReportView, TimelineView, UnreadableCase,
};

/// Who reads a person's record, and why: required for every read, and recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadContext {
    /// Who reads.
    pub actor: ActorId,
    /// Why, from the fixed list.
    pub purpose: AccessPurpose,
}

impl ReadContext {
    /// The context of a read, from what a request gave: both are required.
    pub fn new(actor: Option<&str>, purpose: Option<&str>) -> Result<ReadContext, AppError> {
        let purpose = match purpose.map(str::trim).filter(|p| !p.is_empty()) {
            None => return Err(AppError::PurposeRequired { what: "a record".into() }),
            Some(p) => AccessPurpose::parse(p)?,
        };
        Ok(ReadContext { actor: actor_id(actor, "reading a record")?, purpose })
    }
}

/// The acting person's id, refused when absent or malformed.
pub fn actor_id(actor: Option<&str>, what: &str) -> Result<ActorId, AppError> {
    match actor.map(str::trim).filter(|a| !a.is_empty()) {
        None => Err(AppError::ActorRequired { what: what.to_owned() }),
        Some(a) => ActorId::parse(a).map_err(|e| AppError::Invalid { field: "actor".into(), reason: e.to_string() }),
    }
}

/// The database URL as it may be shown: a password in it replaced by `***`
/// (`postgres://user:***@host/db`).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        _ => url.to_owned(),
    }
}

/// How the application layer holds its database connections.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Most connections open at once (calls beyond wait for one). An in-memory SQLite
    /// database (`sqlite::memory:`) is one connection whatever this says, created with the
    /// schema when it is opened.
    pub max_connections: u32,
    /// How long a call waits for a connection before failing (retryably).
    pub connection_timeout: Duration,
}

impl Default for AppConfig {
    fn default() -> AppConfig {
        AppConfig { max_connections: 4, connection_timeout: Duration::from_secs(30) }
    }
}

/// Opens [`Store`]s for the pool and checks them.
#[derive(Debug)]
struct StoreManager {
    url: String,
}

impl r2d2::ManageConnection for StoreManager {
    type Connection = Store;
    type Error = StoreError;

    fn connect(&self) -> Result<Store, StoreError> {
        let mut s = Store::open(&self.url)?;
        if self.url == IN_MEMORY {
            // A database in memory lives and dies with its one connection: it starts empty.
            s.migrate()?;
        } else {
            s.check_schema()?;
        }
        Ok(s)
    }

    fn is_valid(&self, store: &mut Store) -> Result<(), StoreError> {
        store.check_schema()
    }

    fn has_broken(&self, store: &mut Store) -> bool {
        store.is_broken()
    }
}

/// The URL of a SQLite database in memory: one connection, created with the schema.
const IN_MEMORY: &str = "sqlite::memory:";

/// A clock: the instant "now" for reads, disclosures and reports.
type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// A request to disclose a person's record outside the agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureRequest {
    /// Whose record.
    pub person_id: String,
    /// To whom.
    pub recipient: String,
    /// Their address.
    pub address: String,
    /// Why.
    pub purpose: String,
    /// What is disclosed.
    pub nature: String,
    /// A disclosure to a law-enforcement agency under 5 U.S.C. 552a(b)(7).
    pub law_enforcement: bool,
}

/// A disclosure made: its number in the accounting, and the packet's hash (the packet itself
/// went to the [`delivery::PacketDelivery`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosed {
    /// The disclosure's number.
    pub id: i64,
    /// The packet's SHA-256, as recorded.
    pub packet_sha256: String,
    /// How many cases the packet holds.
    pub cases: usize,
}

/// An inclusion proof of one leaf of the ledger (RFC 9162), in base64.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProofView {
    /// The leaf's index.
    pub leaf_index: u64,
    /// The size of the tree of the checkpoint the proof is for.
    pub tree_size: u64,
    /// The leaf bytes: only for a read with a purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf: Option<String>,
    /// The leaf hash, `SHA-256(0x00 || leaf)`.
    pub leaf_hash: String,
    /// The audit path.
    pub path: Vec<String>,
    /// The signed checkpoint.
    pub checkpoint: String,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ExportReport {
    /// Persons written.
    pub persons: u64,
    /// Events written.
    pub events: u64,
}

/// What a copy of the database wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CopyView {
    /// The target, its password hidden.
    pub target: String,
    /// Rows written per table, in the order copied.
    pub tables: Vec<(String, u64)>,
    /// Rows written in all.
    pub rows: u64,
}

/// Which cases a list holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only cases at this stage.
    pub stage: Option<docket_core::Stage>,
    /// Only cases with a deadline falling due within this many days.
    pub due_within_days: Option<i32>,
    /// At most this many rows (the count of all that match is given too).
    pub limit: usize,
}

impl CaseFilter {
    fn describe(&self, t: Timestamp) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.stage {
            parts.push(format!("stage={}", s.name()));
        }
        if let Some(d) = self.due_within_days {
            parts.push(format!("due_within_days={d}"));
        }
        parts.push(format!("as_of={t}"));
        parts.join(",")
    }
}

/// A list of cases.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseListView {
    /// The instant the stages and deadlines are as of.
    pub as_of: String,
    /// The filter, as recorded with the read.
    pub filter: String,
    /// How many cases match (the list may hold fewer: its limit).
    pub matching: u64,
    /// The cases, by case id.
    pub cases: Vec<views::CaseListRow>,
    /// Projections that could not be read (listed, not counted).
    pub unreadable: Vec<UnreadableCase>,
}

/// What became of an officer's event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Stored; the case is now at this version.
    Stored {
        /// The case's version.
        version: u64,
    },
    /// An event with the same idempotency key was already stored; nothing was written.
    AlreadyStored {
        /// The stored event's id.
        event_id: EventId,
    },
}

/// The application: a pool of connections to one database, and the use cases over it.
#[derive(Clone)]
pub struct App {
    pool: r2d2::Pool<StoreManager>,
    url: String,
    clock: Clock,
    /// Adopted policies as loaded, shared by every clone.
    policies: Arc<policies::Loaded>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("url", &self.url).finish_non_exhaustive()
    }
}

fn parse_case(id: &str) -> Result<CaseId, AppError> {
    CaseId::parse(id).map_err(|e| AppError::Invalid { field: "case id".into(), reason: e.to_string() })
}

fn parse_person(id: &str) -> Result<PersonId, AppError> {
    PersonId::parse(id).map_err(|e| AppError::Invalid { field: "person id".into(), reason: e.to_string() })
}

impl App {
    /// Creates the database at `url`, or migrates it to this program's schema; returns the
    /// schema version.
    pub fn init(url: &str) -> Result<i64, AppError> {
        // INVARIANT: the one use case that creates a database; every other opens an existing one.
        let mut s = Store::open_or_create(url)?;
        Ok(s.migrate()?)
    }

    /// Where each schema migration step stands in the database at `url`, which must exist:
    /// applied (with this program's checksum), pending, changed since it was applied, or
    /// applied before checksums were recorded. Writes nothing, and describes a database that
    /// [`App::open`] refuses.
    pub fn migration_status(url: &str) -> Result<Vec<docket_store::migrations::StepStatus>, AppError> {
        Ok(Store::open(url)?.migration_status()?)
    }

    /// Opens the database at `url`, which must exist ([`App::init`] creates it) and be at this
    /// program's schema.
    pub fn open(url: &str, config: AppConfig) -> Result<App, AppError> {
        // One connection first, so that a wrong URL or an old schema is reported as itself
        // (the pool would only time out).
        if url != IN_MEMORY {
            let mut first = Store::open(url)?;
            first.check_schema()?;
        }
        let max = if url == IN_MEMORY { 1 } else { config.max_connections.max(1) };
        let pool = r2d2::Pool::builder()
            .max_size(max)
            .min_idle(Some(1))
            .connection_timeout(config.connection_timeout)
            .build(StoreManager { url: url.to_owned() })
            .map_err(|e| AppError::Pool(e.to_string()))?;
        Ok(App { pool, url: url.to_owned(), clock: Arc::new(docket_store::now), policies: Arc::default() })
    }

    /// The same application with another clock (for tests and replays).
    pub fn with_clock(mut self, clock: impl Fn() -> Timestamp + Send + Sync + 'static) -> App {
        self.clock = Arc::new(clock);
        self
    }

    /// The database URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Now, by the application's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    fn store(&self) -> Result<r2d2::PooledConnection<StoreManager>, AppError> {
        self.pool.get().map_err(|e| AppError::Pool(e.to_string()))
    }

    /// Runs `f` with a connection of the pool: for operations with no duty of their own
    /// (verification, proofs, statistics, rebuilds).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> Result<T, AppError> {
        let mut store = self.store()?;
        Ok(f(&mut store)?)
    }

    /// Records a read in the ledger: called before anything of the record is returned.
    fn log_read(&self, store: &mut Store, ctx: &ReadContext, record: AccessedRecord<'_>) -> Result<(), AppError> {
        // INVARIANT: the read is a committed ledger leaf before the record leaves this layer.
        store.record_access(&ctx.actor, ctx.purpose, record, self.now())?;
        Ok(())
    }

    /// A case as of `as_of` (default now): the fold of the events in effect then, and nothing
    /// later. The case view shows the person's identity, so it is a read of the person's record
    /// too; both reads are in the ledger before the view is returned.
    pub fn read_case(&self, ctx: &ReadContext, case_id: &str, as_of: Option<Timestamp>) -> Result<CaseView, AppError> {
        let case = parse_case(case_id)?;
        let t = as_of.unwrap_or_else(|| self.now());
        let mut store = self.store()?;
        let Some(stored) = store.summary(&case)? else {
            return Err(AppError::NotFound { what: "case", id: case_id.to_owned() });
        };
        let events = store.events(&case)?;
        let total = events.len() as u64;
        let in_effect: Vec<Event> = events.into_iter().filter(|e| e.effective_at <= t).collect();
        let state = CaseState::from_events(&in_effect);
        // Before the case was opened, the stored projection still says whose case it is.
        let person_id = state.person_id.clone().or(stored.person_id);
        let person = match &person_id {
            Some(p) => store.person(p)?,
            None => None,
        };
        // INVARIANT: the read of the case, and of the person it shows, are committed ledger
        // leaves before anything is returned: one transaction, one durable commit.
        let mut read = vec![AccessedRecord::Case(&case)];
        if let Some(p) = &person {
            read.push(AccessedRecord::Person(&p.id));
        }
        store.record_accesses(&ctx.actor, ctx.purpose, &read, self.now())?;
        let Some(summary) = state.summary() else {
            return Ok(CaseView::not_yet_opened(&case, total, t, person.as_ref(), person_id.as_ref()));
        };
        let facts = match &person_id {
            Some(p) => person_facts_at(&mut store, p, &case, t)?,
            None => PersonFacts::default(),
        };
        // To the designated country, or to a country not stated where none is designated.
        let bars = summary.bars_to_removal(t, &facts, summary.designated_country.map(|(c, _)| c));
        let mut view = CaseView::build(&state, &summary, &in_effect, total, person.as_ref(), t, &bars);
        let adopted = store.policies()?;
        let agency = policies::loaded_in_force(&adopted, policies::PolicyKind::Gate, t, &self.policies)?;
        view.gates =
            Some(gates::CaseGatesView::of(&summary, &facts, t, agency.as_ref().map(|(v, p)| (v.clone(), &**p)))?);
        if let Some((v, p)) = policies::loaded_in_force(&adopted, policies::PolicyKind::Priority, t, &self.policies)? {
            view.priority = Some(gates::CasePriorityView::of(&summary, &facts, t, (v, &p))?);
        }
        Ok(view)
    }

    /// Every event of a case, in order; the read is in the ledger first.
    pub fn read_timeline(&self, ctx: &ReadContext, case_id: &str) -> Result<TimelineView, AppError> {
        let case = parse_case(case_id)?;
        let mut store = self.store()?;
        let Some(summary) = store.summary(&case)? else {
            return Err(AppError::NotFound { what: "case", id: case_id.to_owned() });
        };
        self.log_read(&mut store, ctx, AccessedRecord::Case(&case))?;
        // The timeline shows the person's id and A-number: a read of their record too.
        if let Some(person) = &summary.person_id {
            self.log_read(&mut store, ctx, AccessedRecord::Person(person))?;
        }
        let events = store.events(&case)?;
        Ok(TimelineView::of(case.as_str(), &events))
    }

    /// The cases that match `filter` as of `as_of` (default now), by case id: each with its
    /// stage, version, and next deadline. The list names no person; it is still a read of the
    /// docket with a purpose, recorded first (one leaf, naming the filter).
    pub fn list_cases(
        &self,
        ctx: &ReadContext,
        filter: &CaseFilter,
        as_of: Option<Timestamp>,
    ) -> Result<CaseListView, AppError> {
        let t = as_of.unwrap_or_else(|| self.now());
        let described = filter.describe(t);
        let mut store = self.store()?;
        self.log_read(&mut store, ctx, AccessedRecord::Cases(&described))?;
        let mut rows = Vec::new();
        let mut matching = 0u64;
        let mut unreadable = Vec::new();
        store.scan_summaries(&mut |s| {
            let s = match s {
                Ok(s) => s,
                Err(e) => {
                    unreadable.push(UnreadableCase { error: e.to_string() });
                    return ControlFlow::Continue(());
                }
            };
            let stage = s.stage_at(t);
            if filter.stage.is_some_and(|want| want != stage) {
                return ControlFlow::Continue(());
            }
            let horizon = filter.due_within_days.unwrap_or(36_500);
            let next = s.deadlines_within(t, horizon).first().map(|d| views::DeadlineRow {
                due: d.due.to_string(),
                rule: d.rule.name(),
                citation: d.rule.citation(),
            });
            if filter.due_within_days.is_some() && next.is_none() {
                return ControlFlow::Continue(());
            }
            matching += 1;
            if rows.len() < filter.limit {
                rows.push(views::CaseListRow {
                    case_id: s.case_id.to_string(),
                    stage: stage.name(),
                    version: s.version,
                    next_deadline: next,
                });
            }
            ControlFlow::Continue(())
        })?;
        Ok(CaseListView { as_of: t.to_string(), filter: described, matching, cases: rows, unreadable })
    }

    /// Every action's gate on every case as of `as_of` (default now), counted: per action, how
    /// many cases allow and deny it, and by which rules of the statutory gate and of the agency
    /// gate policy in force; and, under the priority policy in force, how many cases are in
    /// each tier and go to supervisor review. Read from the stored projections, with each
    /// person's claims to US citizenship in all their cases; the agency policies are answered
    /// over the docket's facts as columns by their compiled plans. The answer names no person
    /// or case, yet it reads the whole docket: one access of the docket, with its purpose,
    /// recorded first.
    pub fn evaluate(&self, ctx: &ReadContext, as_of: Option<Timestamp>) -> Result<gates::EvaluationView, AppError> {
        let t = as_of.unwrap_or_else(|| self.now());
        let recorded_as = format!("evaluate,as_of={t}");
        let mut store = self.store()?;
        let adopted = store.policies()?;
        let agency = policies::loaded_in_force(&adopted, policies::PolicyKind::Gate, t, &self.policies)?;
        let ranking = policies::loaded_in_force(&adopted, policies::PolicyKind::Priority, t, &self.policies)?;
        self.log_read(&mut store, ctx, AccessedRecord::Docket(&recorded_as))?;
        let mut claims = all_claims(&mut store)?;
        let columns = agency.is_some() || ranking.is_some();
        if columns {
            claims.dates_of_birth = store.dates_of_birth()?;
        }
        let mut tallies: [gates::Tally; 6] = Default::default();
        let mut cases = 0u64;
        let mut unreadable = Vec::new();
        let mut docket = gates::Docket::default();
        store.scan_summaries(&mut |s| {
            match s {
                Ok(s) => {
                    cases += 1;
                    let facts = claims.facts_for(&s);
                    let allowed = gates::tally_case(&s, &facts, t, &mut tallies);
                    if columns {
                        docket.push(&s, &facts, t, allowed);
                    }
                }
                Err(e) => unreadable.push(UnreadableCase { error: e.to_string() }),
            }
            ControlFlow::Continue(())
        })?;
        let mut actions: Vec<gates::ActionCount> =
            tallies.into_iter().zip(gates::ACTION_NAMES).map(|(tally, name)| tally.view(name)).collect();
        if let Some((_, p)) = &agency {
            gates::add_agency_gate(p, &docket, &mut actions)?;
        }
        let priority = match ranking {
            Some((v, p)) => Some(gates::priority_count(v, &p, &docket)?),
            None => None,
        };
        Ok(gates::EvaluationView {
            as_of: t.to_string(),
            recorded_as,
            layer: if agency.is_some() { "statutory+agency" } else { "statutory" },
            removal_destination: "designated",
            agency_policy_in_force: agency.map(|(v, _)| v),
            cases,
            actions,
            priority,
            unreadable,
        })
    }

    /// A worklist as of `as_of` (default now): deadlines coming due, cases ready for removal,
    /// or every other open case with what blocks its removal ([`gates::WorklistKind`]). One
    /// read of the docket's cases with its purpose, recorded first, naming the request.
    pub fn worklist(
        &self,
        ctx: &ReadContext,
        request: &gates::WorklistRequest,
        as_of: Option<Timestamp>,
    ) -> Result<gates::WorklistView, AppError> {
        if request.within_days < 0 {
            return Err(AppError::Invalid {
                field: "within".into(),
                reason: "a number of days ahead, 0 or more".into(),
            });
        }
        let t = as_of.unwrap_or_else(|| self.now());
        let mut recorded_as = format!("worklist={}", request.kind.name());
        if request.kind == gates::WorklistKind::Deadlines {
            recorded_as.push_str(&format!(",within_days={}", request.within_days));
        }
        recorded_as.push_str(&format!(",as_of={t}"));
        let mut store = self.store()?;
        if matches!(request.kind, gates::WorklistKind::Priority | gates::WorklistKind::Review) {
            return self.priority_worklist(&mut store, ctx, request, t);
        }
        self.log_read(&mut store, ctx, AccessedRecord::Cases(&recorded_as))?;
        let claims = all_claims(&mut store)?;
        let mut rows = Vec::new();
        let mut matching = 0u64;
        let mut unreadable = Vec::new();
        let by_due = request.kind == gates::WorklistKind::Deadlines;
        store.scan_summaries(&mut |s| {
            let s = match s {
                Ok(s) => s,
                Err(e) => {
                    unreadable.push(UnreadableCase { error: e.to_string() });
                    return ControlFlow::Continue(());
                }
            };
            if let Some(row) = gates::worklist_row(request.kind, &s, &claims.facts_for(&s), t, request.within_days) {
                matching += 1;
                // Rows by case id come in the scan's order: only the first `limit` are kept.
                // Rows by due date are all kept, then sorted.
                if by_due || rows.len() < request.limit {
                    rows.push(row);
                }
            }
            ControlFlow::Continue(())
        })?;
        if by_due {
            rows.sort_by(|(a, ra), (b, rb)| a.cmp(b).then_with(|| ra.case_id.cmp(&rb.case_id)));
            rows.truncate(request.limit);
        } else {
            rows.sort_by(|(_, a), (_, b)| a.case_id.cmp(&b.case_id));
        }
        Ok(gates::WorklistView {
            kind: request.kind,
            as_of: t.to_string(),
            recorded_as,
            matching,
            rows: rows.into_iter().map(|(_, r)| r).collect(),
            unreadable,
        })
    }

    /// The priority worklists: the open cases in a tier of the priority policy in force (or,
    /// for `review`, those it routes to a supervisor), the highest tier first and then by case
    /// id, each with every rule that counted and the events behind it. The docket is ranked by
    /// the policy's compiled plan; the rows shown are answered again one by one, with their
    /// events. With no priority policy in force, nothing is read and the request is refused.
    fn priority_worklist(
        &self,
        store: &mut Store,
        ctx: &ReadContext,
        request: &gates::WorklistRequest,
        t: Timestamp,
    ) -> Result<gates::WorklistView, AppError> {
        let adopted = store.policies()?;
        let Some((view, policy)) =
            policies::loaded_in_force(&adopted, policies::PolicyKind::Priority, t, &self.policies)?
        else {
            return Err(AppError::Invalid {
                field: "worklist".into(),
                reason: format!(
                    "no priority policy is in force at {t}: `docket policy adopt FILE --effective T` adopts one"
                ),
            });
        };
        let recorded_as = format!("worklist={},policy={},as_of={t}", request.kind.name(), view.leaf);
        self.log_read(store, ctx, AccessedRecord::Cases(&recorded_as))?;
        let (docket, claims, unreadable) = docket_facts(store, t, |s| s.open_at(t))?;
        let ranked =
            docket_policy::priority_batch(&policy, &docket.cols, gates::threads()).map_err(gates::answer_error)?;
        let mut on: Vec<usize> = (0..docket.ids.len())
            .filter(|&i| match request.kind {
                gates::WorklistKind::Review => ranked.supervisor_review.get(i),
                _ => ranked.tiers[i] != docket_policy::BatchPriority::NO_TIER,
            })
            .collect();
        let matching = on.len() as u64;
        on.sort_by(|&a, &b| ranked.tiers[a].cmp(&ranked.tiers[b]).then_with(|| docket.ids[a].cmp(&docket.ids[b])));
        on.truncate(request.limit);
        let mut rows = Vec::with_capacity(on.len());
        for i in on {
            let case = parse_case(&docket.ids[i])?;
            let Some(s) = store.summary(&case)? else { continue };
            let facts = claims.facts_for(&s);
            let answer = docket_policy::priority(&policy, &s, &facts, t).map_err(gates::answer_error)?;
            rows.push(gates::WorklistRow::of_priority(&s, t, &answer));
        }
        Ok(gates::WorklistView { kind: request.kind, as_of: t.to_string(), recorded_as, matching, rows, unreadable })
    }

    /// Adopts a policy: records its text as given, its SHA-256, who adopts it and from what
    /// instant it is in force, as a ledger leaf committed before this returns. The file must
    /// load: its header names it (id, version, kind, the date it bears), its rules validate
    /// against the schema of adjudicated facts ([`policies::check`]); `file` names it in the
    /// errors. A policy id and version already adopted is refused, as is an instant before the
    /// date the policy bears.
    pub fn adopt_policy(
        &self,
        actor: &ActorId,
        file: &str,
        text: &str,
        effective_at: Timestamp,
    ) -> Result<policies::PolicyView, AppError> {
        let policy = policies::load(file, text)?;
        if effective_at.local_date() < policy.effective {
            return Err(AppError::Invalid {
                field: "effective".into(),
                reason: format!(
                    "{effective_at} is before the date `{}` version `{}` bears ({})",
                    policy.id, policy.version, policy.effective
                ),
            });
        }
        let mut store = self.store()?;
        if let Some((id, _)) =
            store.policies()?.into_iter().find(|(_, p)| p.policy_id == policy.id && p.version == policy.version)
        {
            return Err(AppError::Invalid {
                field: "policy".into(),
                reason: format!(
                    "`{}` version `{}` is already adopted (policy/{id}); a change is a new version",
                    policy.id, policy.version
                ),
            });
        }
        let row = docket_store::ledger::PolicyRow {
            policy_id: policy.id.clone(),
            version: policy.version.clone(),
            kind: policies::PolicyKind::from(policy.kind).name().to_owned(),
            effective_at: effective_at.to_string(),
            sha256: docket_store::ledger::policy_sha256(text),
            adopted_by: actor.to_string(),
            adopted_at: self.now().to_string(),
            text: text.to_owned(),
        };
        let id = store.record_policy(&row)?;
        Ok(policies::PolicyView::of(id, &row))
    }

    /// What adopting `new` in place of `old` (both priority or both gate policies, given as
    /// `(file, text)`) would change on the docket as of `as_of` (default now): how many cases
    /// change tier, supervisor review or an action's agency gate, grouped by move and by the
    /// rule that explains it, with examples. It reads the whole docket: one access of the
    /// docket, with its purpose, recorded first.
    pub fn diff_policies(
        &self,
        ctx: &ReadContext,
        old: (&str, &str),
        new: (&str, &str),
        as_of: Option<Timestamp>,
    ) -> Result<policies::PolicyDiffView, AppError> {
        let t = as_of.unwrap_or_else(|| self.now());
        let (a, b) = (policies::load(old.0, old.1)?, policies::load(new.0, new.1)?);
        if a.kind != b.kind {
            return Err(AppError::Invalid {
                field: "policy".into(),
                reason: format!(
                    "`{}` is a {} policy and `{}` a {} policy: a diff compares two of a kind",
                    a.id,
                    policies::PolicyKind::from(a.kind).name(),
                    b.id,
                    policies::PolicyKind::from(b.kind).name()
                ),
            });
        }
        let recorded_as = format!("policy_diff,old={} {},new={} {},as_of={t}", a.id, a.version, b.id, b.version);
        let mut store = self.store()?;
        self.log_read(&mut store, ctx, AccessedRecord::Docket(&recorded_as))?;
        let (docket, _, unreadable) = docket_facts(&mut store, t, |_| true)?;
        let diff = docket_policy::diff(&a, &b, &docket.cols, Some(&docket.ids), gates::threads())
            .map_err(gates::answer_error)?;
        Ok(policies::PolicyDiffView { as_of: t.to_string(), recorded_as, diff, unreadable })
    }

    /// The policy of `kind` in force at `t`: of those adopted, the one that took effect last
    /// at or before `t` (of two effective at the same instant, the one adopted later).
    pub fn policy_in_force(
        &self,
        kind: policies::PolicyKind,
        t: Timestamp,
    ) -> Result<Option<policies::PolicyView>, AppError> {
        Ok(policies::in_force(&self.store()?.policies()?, kind, t))
    }

    /// Writes the whole docket — every person's current identity as a persons CSV and every
    /// event as stored, in the order stored, as JSON lines — in the formats `import` reads,
    /// so that importing both into an empty database (another backend, say) rebuilds it. It
    /// is a read of every record, with a purpose, recorded first. The ledger is not exported:
    /// the new database's ledger starts with the import, and corrections made to identities
    /// keep only their latest version.
    pub fn export(
        &self,
        ctx: &ReadContext,
        persons: &mut dyn std::io::Write,
        events: &mut dyn std::io::Write,
    ) -> Result<ExportReport, AppError> {
        let mut store = self.store()?;
        self.log_read(&mut store, ctx, AccessedRecord::Docket(&format!("export,as_of={}", self.now())))?;
        let mut report = ExportReport { persons: 0, events: 0 };
        // The header always, then one row per person (serde writes no header of its own).
        let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(persons);
        let io = |e: std::io::Error| StoreError::Ledger(format!("cannot write the export: {e}"));
        csv.write_record(docket_store::wire::PERSON_COLUMNS).map_err(|e| io(e.into()))?;
        store.export(
            &mut |p| {
                csv.serialize(docket_store::wire::PersonRow::from_person(&p)).map_err(|e| io(e.into()))?;
                report.persons += 1;
                Ok(())
            },
            &mut |payload| {
                events.write_all(payload.as_bytes()).and_then(|()| events.write_all(b"\n")).map_err(io)?;
                report.events += 1;
                Ok(())
            },
        )?;
        csv.flush().map_err(AppError::io("cannot write the persons export"))?;
        events.flush().map_err(AppError::io("cannot write the events export"))?;
        Ok(report)
    }

    /// Copies the whole database, row for row, into a new one at `target` (made here; for
    /// PostgreSQL, an empty database): persons with every version of their identities,
    /// events, projections, and the ledger as it stands with its reads, disclosures,
    /// checkpoints and keys, so that the copy verifies with the source's key and
    /// checkpoints. The way to move a docket between SQLite and PostgreSQL without losing
    /// its audit trail or its accounting of disclosures. A read of every record, recorded
    /// first (so the copy holds its own read).
    pub fn copy_to(
        &self,
        ctx: &ReadContext,
        target: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<CopyView, AppError> {
        let mut store = self.store()?;
        self.log_read(&mut store, ctx, AccessedRecord::Docket(&format!("copy,as_of={}", self.now())))?;
        App::init(target)?;
        let mut to = Store::open(target)?;
        let r = store.copy_to(&mut to, progress)?;
        Ok(CopyView { target: redact(target), rows: r.tables.iter().map(|(_, n)| n).sum(), tables: r.tables })
    }

    /// A person's identity as recorded and their cases with their stage as of `as_of`
    /// (default now); the read is in the ledger first.
    pub fn read_person(
        &self,
        ctx: &ReadContext,
        person_id: &str,
        as_of: Option<Timestamp>,
    ) -> Result<PersonView, AppError> {
        let id = parse_person(person_id)?;
        let t = as_of.unwrap_or_else(|| self.now());
        let mut store = self.store()?;
        let Some(person) = store.person(&id)? else {
            return Err(AppError::NotFound { what: "person", id: person_id.to_owned() });
        };
        self.log_read(&mut store, ctx, AccessedRecord::Person(&id))?;
        let mut cases = Vec::new();
        for case in store.cases_of_person(&id)? {
            if let Some(s) = store.summary(&case)? {
                cases.push(PersonCase { case_id: case.to_string(), stage: s.stage_at(t).name(), version: s.version });
            }
        }
        let history = views::IdentityVersionView::list(&store.person_versions(&id)?);
        Ok(PersonView::of(&person, cases, history, t))
    }

    /// The accounting of disclosures of a person's record (5 U.S.C. 552a(c)), oldest first.
    /// Given to the person or their counsel — asked `for_the_person`, or read for a Privacy
    /// Act request or counsel's request — it leaves out disclosures to law enforcement under
    /// 552a(b)(7), as 552a(c)(3) allows. The read is in the ledger first.
    pub fn accounting(
        &self,
        ctx: &ReadContext,
        person_id: &str,
        for_the_person: bool,
    ) -> Result<AccountingView, AppError> {
        let id = parse_person(person_id)?;
        let mut store = self.store()?;
        if store.person(&id)?.is_none() {
            return Err(AppError::NotFound { what: "person", id: person_id.to_owned() });
        }
        self.log_read(&mut store, ctx, AccessedRecord::Person(&id))?;
        let withheld =
            for_the_person || matches!(ctx.purpose, AccessPurpose::PrivacyActRequest | AccessPurpose::CounselRequest);
        let disclosures = store
            .disclosures(&id)?
            .into_iter()
            .filter(|(_, d)| !(withheld && d.law_enforcement))
            .map(|(n, d)| DisclosureView {
                id: n,
                date: d.disclosed_at,
                nature: d.nature,
                purpose: d.purpose,
                recipient_name: d.recipient_name,
                recipient_address: d.recipient_address,
                law_enforcement_b7: d.law_enforcement,
                recorded_by: d.recorded_by,
                packet_sha256: d.packet_sha256,
            })
            .collect();
        Ok(AccountingView { person_id: id.to_string(), law_enforcement_withheld: withheld, disclosures })
    }

    /// Discloses a person's record outside the agency: builds the packet (the person's
    /// identity and every case's timeline and legal state, format [`packet::FORMAT`]), stages
    /// it with `delivery`, records the disclosure — date, nature, purpose, recipient's name
    /// and address, the packet's SHA-256 — as a ledger leaf, and releases the packet.
    ///
    /// A packet that cannot be staged is [`AppError::NotDisclosed`], and nothing is recorded;
    /// a disclosure that cannot be recorded has its packet discarded. A packet that cannot be
    /// released once its disclosure is recorded is [`AppError::NotReleased`]: the disclosure
    /// stays in the accounting, and the packet, with the recorded hash, is kept where it was
    /// staged (the error says where), never thrown away.
    pub fn disclose(
        &self,
        actor: &ActorId,
        request: &DisclosureRequest,
        delivery: &mut dyn delivery::PacketDelivery,
    ) -> Result<Disclosed, AppError> {
        let id = parse_person(&request.person_id)?;
        for (field, value) in [
            ("recipient", &request.recipient),
            ("address", &request.address),
            ("purpose", &request.purpose),
            ("nature", &request.nature),
        ] {
            if value.trim().is_empty() {
                return Err(AppError::Invalid {
                    field: field.into(),
                    reason: "must not be empty: 5 U.S.C. 552a(c)(1) requires it in the accounting".into(),
                });
            }
        }
        let mut store = self.store()?;
        let Some(person) = store.person(&id)? else {
            return Err(AppError::NotFound { what: "person", id: request.person_id.clone() });
        };
        let t = self.now();
        let mut cases = Vec::new();
        for case in store.cases_of_person(&id)? {
            if let Some(record) = packet::CaseRecord::of(&store.events(&case)?, t) {
                cases.push(record);
            }
        }
        let p = packet::Packet {
            format: packet::FORMAT,
            disclosed_at: t.to_string(),
            disclosed_by: actor.to_string(),
            recipient: packet::Recipient { name: request.recipient.clone(), address: request.address.clone() },
            purpose: request.purpose.clone(),
            nature: request.nature.clone(),
            law_enforcement_b7: request.law_enforcement,
            person: packet::PersonRecord::of(&person),
            cases,
        };
        let bytes = p.to_bytes();
        let sha = packet::sha256_hex(&bytes);
        let row = docket_store::ledger::DisclosureRow {
            person_id: id.to_string(),
            disclosed_at: t.to_string(),
            recipient_name: request.recipient.clone(),
            recipient_address: request.address.clone(),
            purpose: request.purpose.clone(),
            nature: request.nature.clone(),
            law_enforcement: request.law_enforcement,
            recorded_by: actor.to_string(),
            packet_sha256: sha.clone(),
        };
        // INVARIANT: a disclosure is recorded only once its packet is staged (so a packet that
        // cannot be written is never counted as disclosed), and the packet is released only
        // once its disclosure is recorded, durably.
        delivery.stage(&bytes).map_err(|e| AppError::NotDisclosed { source: Box::new(e) })?;
        let n = match store.record_disclosure(&row) {
            Ok(n) => n,
            Err(e) => {
                delivery.discard();
                return Err(e.into());
            }
        };
        delivery.release().map_err(|e| AppError::NotReleased {
            id: n,
            packet_sha256: sha.clone(),
            source: Box::new(e),
        })?;
        Ok(Disclosed { id: n, packet_sha256: sha, cases: p.cases.len() })
    }

    /// Records one officer's event: decided by the case's rules, stored with its ledger leaf.
    /// A refusal is [`AppError::Refused`] with every rule that bars the event; a re-sent event
    /// (same case and idempotency key) changes nothing.
    pub fn record_event(&self, event: Event, expected: Expected) -> Result<Recorded, AppError> {
        let mut store = self.store()?;
        Ok(match store.append(event, expected)? {
            Appended::Stored { version } => Recorded::Stored { version },
            Appended::AlreadyStored { event } => Recorded::AlreadyStored { event_id: event.id },
        })
    }

    /// Corrects a person's identity (5 U.S.C. 552a(d) amendment): `changes` are persons-CSV
    /// fields and their new values (an empty value clears an optional field), `reason` why.
    /// The corrected identity is stored as the next version, with the actor and reason, and a
    /// ledger leaf; earlier versions are kept. Returns the new version and the fields changed.
    pub fn correct_person(
        &self,
        actor: &ActorId,
        person_id: &str,
        changes: &[(String, String)],
        reason: &str,
    ) -> Result<(u64, Vec<&'static str>), AppError> {
        let id = parse_person(person_id)?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 1000 || reason.chars().any(char::is_control) {
            return Err(AppError::Invalid {
                field: "reason".into(),
                reason: "a correction states its reason: 1 to 1,000 characters on one line".into(),
            });
        }
        if changes.is_empty() {
            return Err(AppError::Invalid { field: "changes".into(), reason: "nothing to correct was given".into() });
        }
        let mut store = self.store()?;
        let Some(current) = store.person(&id)? else {
            return Err(AppError::NotFound { what: "person", id: person_id.to_owned() });
        };
        let mut row = docket_store::wire::PersonRow::from_person(&current);
        for (field, value) in changes {
            let slot = match field.as_str() {
                "a_number" => &mut row.a_number,
                "given_names" => &mut row.given_names,
                "family_names" => &mut row.family_names,
                "name_order" => &mut row.name_order,
                "aliases" => &mut row.aliases,
                "date_of_birth" => &mut row.date_of_birth,
                "sex" => &mut row.sex,
                "nationality" => &mut row.nationality,
                "passport_number" => &mut row.passport_number,
                "passport_country" => &mut row.passport_country,
                "passport_expiry" => &mut row.passport_expiry,
                other => {
                    return Err(AppError::Invalid {
                        field: other.to_owned(),
                        reason: format!(
                            "not a field of a person's identity that can be corrected (one of {})",
                            docket_store::wire::PERSON_COLUMNS[1..].join(", ")
                        ),
                    });
                }
            };
            value.clone_into(slot);
        }
        let corrected = row
            .to_person(self.now().local_date())
            .map_err(|e| AppError::Invalid { field: e.field, reason: e.reason })?;
        let changed = docket_store::persons::differences(&current, &corrected);
        if changed.is_empty() {
            return Err(AppError::Invalid {
                field: "changes".into(),
                reason: format!("person `{id}` is already recorded so: nothing would change"),
            });
        }
        let rec = docket_store::persons::Recording {
            at: self.now().to_string(),
            by: actor.to_string(),
            reason: reason.to_owned(),
        };
        match store.correct_persons(std::slice::from_ref(&corrected), &rec)?.pop() {
            Some(docket_store::persons::PersonOutcome::Stored { version }) => Ok((version, changed)),
            Some(docket_store::persons::PersonOutcome::Unknown) => {
                Err(AppError::NotFound { what: "person", id: person_id.to_owned() })
            }
            _ => Err(AppError::Invalid {
                field: "changes".into(),
                reason: format!("person `{id}` is already recorded so: nothing would change"),
            }),
        }
    }

    /// Imports persons and events from `sources`, rejected rows and committed events going to
    /// `sink`. Every row is accounted for; nothing already stored is lost.
    pub fn import(
        &self,
        sources: Vec<ImportSource>,
        config: &ImportConfig,
        sink: &mut dyn ImportSink,
    ) -> Result<ImportReport, AppError> {
        import::import(self, sources, config, sink)
    }

    /// The supervisor's report as of `as_of` (default now), deadlines looked for `horizon_days`
    /// ahead. A projection that cannot be read is listed, not counted, and the rest are.
    pub fn report(&self, as_of: Option<Timestamp>, horizon_days: i32) -> Result<ReportView, AppError> {
        let t = as_of.unwrap_or_else(|| self.now());
        let mut report = DocketReport::new(t, horizon_days);
        let mut unreadable = Vec::new();
        self.store()?.scan_summaries(&mut |s| {
            match s {
                Ok(s) => report.add(&s),
                Err(e) => unreadable.push(UnreadableCase { error: e.to_string() }),
            }
            ControlFlow::Continue(())
        })?;
        report.finish();
        Ok(ReportView::of(&report, unreadable))
    }

    /// Replaces the ledger's signing key `old` (the current one) by `new` from the ledger's
    /// present size: `old` first signs a checkpoint of the ledger as it is, then the rotation
    /// statement, signed by both keys, is recorded with `new`. Checkpoints up to that size
    /// verify with `old`, later ones with `new`; a verifier that trusts either reaches the
    /// other through the statement. Returns the rotation's tree size.
    ///
    /// The last checkpoint of `old` and the hand-over are one step under the ledger's signing
    /// lock, so a signer using `old` at the same time either signs before it (a size the
    /// rotation covers) or is refused after it.
    pub fn rotate_key(
        &self,
        old: &docket_ledger::SigningKey,
        new: &docket_ledger::SigningKey,
        outside: &checkpoints::CheckpointDir,
    ) -> Result<u64, AppError> {
        let now = self.now().to_string();
        self.store()?.signing(|view| {
            let (mut writes, last) = self.checkpoint_step(view, old, outside)?;
            writes.keys.push(docket_store::ledger::LedgerKey {
                verifier_key: new.verifier_key_text(),
                from_size: last.size,
                recorded_at: now.clone(),
                rotation: Some(keys::rotation_note(old, new, last.size)?),
            });
            Ok((writes, last.size))
        })
    }

    /// The ledger's verifier keys with their periods, checked as a chain from `trusted`
    /// ([`keys::key_periods`]).
    pub fn key_periods(
        &self,
        trusted: &docket_ledger::VerifierKey,
    ) -> Result<Vec<(u64, docket_ledger::VerifierKey)>, AppError> {
        let recorded = self.store()?.ledger_keys()?;
        keys::key_periods(&recorded, trusted)
    }

    /// An inclusion proof of a leaf against the latest checkpoint. Its bytes hold the data of
    /// a case or a person (an event's payload, a read's subject, a disclosure, an identity),
    /// so they are returned only to a read with a purpose, recorded first as a read of the
    /// case and the person concerned; without one, the proof carries the leaf's hash alone,
    /// which shows nothing of anyone.
    pub fn prove(&self, leaf: LeafRef<'_>, ctx: Option<&ReadContext>) -> Result<ProofView, AppError> {
        let mut store = self.store()?;
        let Some(p) = store.prove(leaf)? else {
            let (what, id) = match leaf {
                LeafRef::Event(id) => ("event", id.to_string()),
                LeafRef::Read(id) => ("read", id.to_string()),
                LeafRef::Disclosure(id) => ("disclosure", id.to_string()),
                LeafRef::PersonVersion(person, version) => {
                    ("version of a person", format!("{person} version {version}"))
                }
                LeafRef::Policy(id) => ("adopted policy", id.to_string()),
            };
            return Err(AppError::NotFound { what, id });
        };
        let leaf_bytes = match ctx {
            // A policy's leaf is the policy as adopted: it holds no one's data.
            _ if matches!(leaf, LeafRef::Policy(_)) => {
                Some(base64::engine::general_purpose::STANDARD.encode(&p.proof.leaf))
            }
            Some(ctx) => {
                if let Some(case) = p.case.as_deref().map(parse_case).transpose()? {
                    self.log_read(&mut store, ctx, AccessedRecord::Case(&case))?;
                }
                if let Some(person) = p.person.as_deref().map(parse_person).transpose()? {
                    self.log_read(&mut store, ctx, AccessedRecord::Person(&person))?;
                }
                Some(base64::engine::general_purpose::STANDARD.encode(&p.proof.leaf))
            }
            None => None,
        };
        let b64 = |h: &[u8]| base64::engine::general_purpose::STANDARD.encode(h);
        Ok(ProofView {
            leaf_index: p.proof.leaf_index,
            tree_size: p.proof.size,
            leaf: leaf_bytes,
            leaf_hash: b64(&docket_ledger::leaf_hash(&p.proof.leaf)),
            path: p.proof.path.iter().map(|h| b64(h)).collect(),
            checkpoint: p.proof.checkpoint.note,
        })
    }

    /// Signs a checkpoint of the ledger as it is now with `key`, stores it and returns it.
    /// Only the ledger's current key signs (the first key to sign is recorded as the first),
    /// checked under the ledger's signing lock ([`docket_store::Store::signing`]).
    pub fn sign_checkpoint(
        &self,
        key: &docket_ledger::SigningKey,
        outside: &checkpoints::CheckpointDir,
    ) -> Result<docket_store::ledger::StoredCheckpoint, AppError> {
        self.store()?.signing(|view| self.checkpoint_step(view, key, outside))
    }

    /// What signing the ledger as `view` shows it with `key` stores: the key, if it is the
    /// first; the new checkpoint, if the newest one is not already of this size and root.
    /// Refused when `key` is not the ledger's current key. The checkpoint is kept outside the
    /// database first.
    fn checkpoint_step(
        &self,
        view: &docket_store::ledger::SigningView,
        key: &docket_ledger::SigningKey,
        outside: &checkpoints::CheckpointDir,
    ) -> Result<(docket_store::ledger::SigningWrites, docket_store::ledger::StoredCheckpoint), AppError> {
        let mut writes = docket_store::ledger::SigningWrites::default();
        match view.keys.last() {
            None => writes.keys.push(docket_store::ledger::LedgerKey {
                verifier_key: key.verifier_key_text(),
                from_size: 0,
                recorded_at: self.now().to_string(),
                rotation: None,
            }),
            Some(current) if current.verifier_key == key.verifier_key_text() => {}
            Some(current) => {
                return Err(AppError::Key {
                    path: key.name().to_owned(),
                    reason: format!(
                        "is not the ledger's current key `{}` (since tree size {}): only the current key signs",
                        current.verifier_key, current.from_size
                    ),
                });
            }
        }
        // Nothing new since the last checkpoint (just after a rotation, say): it stands, and
        // is kept outside if it was not yet.
        if let Some(last) = view.last_checkpoint.as_ref().filter(|c| c.size == view.size && c.root == view.root) {
            outside.keep(last)?;
            return Ok((writes, last.clone()));
        }
        let note = docket_ledger::Checkpoint::new(keys::origin(key), view.size, view.root)
            .map_err(|e| AppError::Key { path: key.name().to_owned(), reason: e.to_string() })?
            .sign(key);
        let cp = docket_store::ledger::StoredCheckpoint { size: view.size, root: view.root, note };
        // INVARIANT: a checkpoint is kept outside the database before the database stores it,
        // so that every stored checkpoint has a copy the database cannot reach.
        outside.keep(&cp)?;
        writes.checkpoint = Some(cp.clone());
        Ok((writes, cp))
    }
}

/// Every claim to US citizenship in the docket, by person, from the stored projections: what
/// each case's gates need to know of the person's other cases.
fn all_claims(store: &mut Store) -> Result<gates::Claims, AppError> {
    let mut claims = gates::Claims::default();
    store.scan_summaries(&mut |s| {
        if let Ok(s) = s {
            claims.add(&s);
        }
        ControlFlow::Continue(())
    })?;
    Ok(claims)
}

/// The adjudicated facts at `t` of every case `keep` takes, as the agency policies read them
/// (with each person's claims in all their cases and date of birth), the claims, and the
/// projections that could not be read.
fn docket_facts(
    store: &mut Store,
    t: Timestamp,
    keep: impl Fn(&docket_core::CaseSummary) -> bool,
) -> Result<(gates::Docket, gates::Claims, Vec<UnreadableCase>), AppError> {
    let mut claims = all_claims(store)?;
    claims.dates_of_birth = store.dates_of_birth()?;
    let mut docket = gates::Docket::default();
    let mut unreadable = Vec::new();
    store.scan_summaries(&mut |s| {
        match s {
            Ok(s) if keep(&s) => docket.push(&s, &claims.facts_for(&s), t, 0),
            Ok(_) => {}
            Err(e) => unreadable.push(UnreadableCase { error: e.to_string() }),
        }
        ControlFlow::Continue(())
    })?;
    Ok((docket, claims, unreadable))
}

/// What is known of the person beyond `case`, as of `t`: their identity, and the claims to US
/// citizenship in their other cases then.
fn person_facts_at(store: &mut Store, person: &PersonId, case: &CaseId, t: Timestamp) -> Result<PersonFacts, AppError> {
    let mut facts = PersonFacts::default();
    if let Some(p) = store.person(person)? {
        facts.date_of_birth = Some(p.date_of_birth);
        facts.a_number = p.a_number;
    }
    for other in store.cases_of_person(person)?.into_iter().filter(|c| c != case) {
        let events: Vec<Event> = store.events(&other)?.into_iter().filter(|e| e.effective_at <= t).collect();
        if let Some(claim) = CaseState::from_events(&events).citizenship_claim {
            facts.claims_elsewhere.push((other, claim));
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod redact_tests {
    #[test]
    fn a_password_is_never_shown() {
        assert_eq!(super::redact("postgres://app:s3cr3t@db:5432/docket"), "postgres://app:***@db:5432/docket");
        assert_eq!(
            super::redact("postgresql://app:p@ss@db/x?sslmode=require"),
            "postgresql://app:***@db/x?sslmode=require"
        );
        assert_eq!(super::redact("postgres://postgres@127.0.0.1:5432/test"), "postgres://postgres@127.0.0.1:5432/test");
        assert_eq!(super::redact("sqlite://docket.db"), "sqlite://docket.db");
    }
}
