//! Importing persons (CSV) and events (JSON lines) from any reader: parse, store in batches,
//! and account for every row — stored, already stored, or rejected with its source, line,
//! field and reason, handed to the caller's [`ImportSink`] (a rejects file, a dead-letter
//! subject, an HTTP response).

use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use docket_core::{ActorId, Date, Event, EventId, Person};
use docket_store::persons::{PersonOutcome, Recording};
use docket_store::wire::{FieldError, PERSON_COLUMNS, PersonRow, parse_event_line};
use docket_store::{ImportOutcome, Store, StoreError};
use serde::Serialize;

use crate::lines::{CsvLine, Lines, bounded};
use crate::{App, AppError, StoreManager};

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportConfig {
    /// Events per database transaction.
    pub batch_size: usize,
    /// Today's date, bounding dates of birth.
    pub today: Date,
    /// How a batch is tried again when the database connection is lost or busy.
    pub retry: Retry,
    /// Who imports: recorded with every person stored (an import of persons needs one).
    pub actor: Option<ActorId>,
}

impl ImportConfig {
    /// Batches of `batch_size`, dates of birth bounded by `today`, the default [`Retry`], no
    /// actor (set [`ImportConfig::actor`] to import persons).
    pub fn new(batch_size: usize, today: Date) -> ImportConfig {
        ImportConfig { batch_size, today, retry: Retry::default(), actor: None }
    }
}

/// How often, and after how long, a batch whose transaction failed for a reason that may pass
/// (a lost connection, a busy database: [`StoreError::is_retryable`]) is tried again on a new
/// connection. Trying again is safe: a batch either committed whole or not at all, and an
/// event committed by an attempt whose answer was lost is found by its idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts after the first.
    pub retries: u32,
    /// The wait before the first retry; each later wait is twice the one before.
    pub first_delay: Duration,
}

impl Default for Retry {
    /// Five retries over about six seconds (0.2, 0.4, 0.8, 1.6 and 3.2 s).
    fn default() -> Retry {
        Retry { retries: 5, first_delay: Duration::from_millis(200) }
    }
}

/// What kind of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Persons, CSV.
    Persons,
    /// Events, JSON lines.
    Events,
}

/// Something to import: its name (shown in reports and rejects), its kind, its bytes.
pub struct ImportSource {
    /// The name it is reported under (a file's path, a message subject).
    pub name: String,
    /// What it holds.
    pub kind: SourceKind,
    /// Its size in bytes, if known (for progress).
    pub size: Option<u64>,
    reader: Box<dyn Read + Send>,
}

impl std::fmt::Debug for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportSource").field("name", &self.name).field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl ImportSource {
    /// A source reading from `reader`.
    pub fn new(
        name: impl Into<String>,
        kind: SourceKind,
        size: Option<u64>,
        reader: impl Read + Send + 'static,
    ) -> Self {
        ImportSource { name: name.into(), kind, size, reader: Box::new(reader) }
    }

    /// A file, its kind told by its extension: `.csv` persons, `.jsonl` or `.ndjson` events.
    pub fn open(path: &Path) -> Result<ImportSource, AppError> {
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => SourceKind::Persons,
            Some("jsonl" | "ndjson") => SourceKind::Events,
            _ => {
                return Err(AppError::Invalid {
                    field: path.display().to_string(),
                    reason: "expected a persons file (`.csv`) or an events file (`.jsonl`)".into(),
                });
            }
        };
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(AppError::io(format!("cannot read `{name}`")))?;
        let size = file.metadata().ok().map(|m| m.len());
        Ok(ImportSource::new(name, kind, size, file))
    }
}

/// Counts for one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    /// The source's name.
    pub path: String,
    /// Its kind.
    pub kind: SourceKind,
    /// Data rows read.
    pub rows: u64,
    /// Rows stored.
    pub stored: u64,
    /// Rows already stored (same idempotency key, or a person stored as given).
    pub duplicates: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// The source.
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// The field at fault (`type` for a refusal by the case's rules).
    pub field: String,
    /// Why.
    pub reason: String,
    /// For a refusal by the case's rules, the most specific rule that barred the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// The row as read.
    pub record: String,
}

impl Reject {
    /// A reject whose field name and reason quote at most a bounded prefix of any value.
    pub(crate) fn new(
        file: &str,
        line: u64,
        field: &str,
        reason: &str,
        rule: Option<&'static str>,
        record: String,
    ) -> Reject {
        let field = if field.chars().count() > 64 {
            format!("{}…", field.chars().take(64).collect::<String>())
        } else {
            field.to_owned()
        };
        Reject { file: file.to_owned(), line, field, reason: bounded(reason), rule, record }
    }
}

/// Where an import's rows go besides the store: rejected rows, committed event ids, progress.
pub trait ImportSink {
    /// A row was rejected; called in line order within each source.
    fn rejected(&mut self, reject: &Reject) -> Result<(), AppError>;
    /// These events' transaction has committed: only now may they be reported stored.
    fn committed(&mut self, _stored: &[EventId]) -> Result<(), AppError> {
        Ok(())
    }
    /// `bytes` of source `name` have been read (of `size`, if known).
    fn progress(&mut self, _name: &str, _bytes: u64, _size: Option<u64>) {}
}

/// Counts for a whole import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// Per source, in import order (persons first).
    pub files: Vec<SourceReport>,
    /// The first rejects, for display.
    pub first_rejects: Vec<Reject>,
    /// Seconds spent.
    pub seconds: f64,
}

impl ImportReport {
    /// Rows rejected in all.
    pub fn rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }

    /// Events stored in all.
    pub fn events_stored(&self) -> u64 {
        self.files.iter().filter(|f| f.kind == SourceKind::Events).map(|f| f.stored).sum()
    }

    /// Rows read in all.
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }
}

/// Rejects on their way to the sink, the first few kept for the report.
struct Rejects<'a> {
    sink: &'a mut dyn ImportSink,
    first: Vec<Reject>,
}

impl Rejects<'_> {
    fn add(&mut self, r: Reject) -> Result<(), AppError> {
        self.sink.rejected(&r)?;
        if self.first.len() < 20 {
            self.first.push(r);
        }
        Ok(())
    }
}

/// The import's database connection, taken from the application's pool and replaced when it
/// is lost.
struct Connection<'a> {
    app: &'a App,
    store: Option<r2d2::PooledConnection<StoreManager>>,
    retry: Retry,
}

/// A batch's transaction could not be completed, even tried again.
struct GaveUp {
    attempts: u32,
    error: AppError,
}

impl Connection<'_> {
    /// Runs `op` (one transaction) on the connection; when it fails for a reason that may pass,
    /// waits and runs it again on a new connection. Returns its result and whether it had to
    /// be tried again.
    fn run<T>(&mut self, mut op: impl FnMut(&mut Store) -> Result<T, StoreError>) -> Result<(T, bool), GaveUp> {
        let mut delay = self.retry.first_delay;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = match &mut self.store {
                Some(store) => op(store).map_err(AppError::from),
                None => self.app.store().and_then(|store| op(self.store.insert(store)).map_err(AppError::from)),
            };
            match result {
                Ok(t) => return Ok((t, attempt > 1)),
                Err(error) if error.is_retryable() && attempt <= self.retry.retries => {
                    // A connection that failed is not used again, lost or not: the pool
                    // discards it if it is broken and keeps it if it is not.
                    self.store = None;
                    std::thread::sleep(delay);
                    delay = delay.saturating_mul(2);
                }
                Err(error) => return Err(GaveUp { attempts: attempt, error }),
            }
        }
    }
}

/// Imports `sources`: persons sources first, then events sources, each in the given order.
pub(crate) fn import(
    app: &App,
    mut sources: Vec<ImportSource>,
    cfg: &ImportConfig,
    sink: &mut dyn ImportSink,
) -> Result<ImportReport, AppError> {
    let started = std::time::Instant::now();
    let mut db = Connection { app, store: Some(app.store()?), retry: cfg.retry };
    sources.sort_by_key(|s| s.kind);
    let mut reports = Vec::new();
    let mut first = Vec::new();
    for source in sources {
        let mut rejects = Rejects { sink: &mut *sink, first: std::mem::take(&mut first) };
        let mut report = SourceReport {
            path: source.name.clone(),
            kind: source.kind,
            rows: 0,
            stored: 0,
            duplicates: 0,
            rejected: 0,
        };
        let result = match source.kind {
            SourceKind::Persons => import_persons(&mut db, source, cfg, &mut rejects, &mut report),
            SourceKind::Events => import_events(&mut db, source, cfg, &mut rejects, &mut report),
        };
        first = rejects.first;
        match result {
            Ok(()) => reports.push(report),
            Err(Stopped::Other(e)) => return Err(e),
            Err(Stopped::Database { line, gave_up }) => {
                let file = report.path.clone();
                reports.push(report);
                return Err(AppError::ImportInterrupted {
                    file,
                    line,
                    attempts: gave_up.attempts,
                    source: Box::new(gave_up.error),
                    report: Box::new(ImportReport {
                        files: reports,
                        first_rejects: first,
                        seconds: started.elapsed().as_secs_f64(),
                    }),
                });
            }
        }
    }
    Ok(ImportReport { files: reports, first_rejects: first, seconds: started.elapsed().as_secs_f64() })
}

/// Why a source's import stopped early.
enum Stopped {
    /// A batch's transaction failed for good: the batch starting at `line` was not stored
    /// (nor anything after it).
    Database { line: u64, gave_up: GaveUp },
    /// Anything else: a source that cannot be read, a sink that cannot be written.
    Other(AppError),
}

impl From<AppError> for Stopped {
    fn from(e: AppError) -> Stopped {
        Stopped::Other(e)
    }
}

/// A parsed line: its number, its text as read, and what it parsed to or why it is not one.
type Parsed<T> = (u64, String, Result<T, FieldError>);

/// A batch of parsed lines with the bytes read so far, or the error that ended the reading.
type Batch<T> = std::io::Result<(Vec<Parsed<T>>, u64)>;

/// Reads `lines` to their end, parses each line that is not blank with `parse`, and sends the
/// lines in batches of `batch_size`. Each physical line is one row: a line that is not valid
/// text is one reject, and the next line is read as if nothing had happened; an error of the
/// source itself ends the stream. Stops early when the receiver is gone.
fn send_batches<R: std::io::BufRead, T>(
    mut lines: Lines<R>,
    batch_size: usize,
    tx: &mpsc::SyncSender<Batch<T>>,
    mut parse: impl FnMut(&str) -> Result<T, FieldError>,
) {
    let mut batch = Vec::with_capacity(batch_size);
    loop {
        let line = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        let parsed = match line.text {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => {
                let parsed = parse(&text);
                (line.number, text, parsed)
            }
            Err(u) => (line.number, u.record, Err(FieldError { field: "(record)".into(), reason: u.reason })),
        };
        batch.push(parsed);
        if batch.len() >= batch_size {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
            if tx.send(Ok((full, lines.bytes_read()))).is_err() {
                return;
            }
        }
    }
    let _ = tx.send(Ok((batch, lines.bytes_read())));
}

fn import_persons(
    db: &mut Connection<'_>,
    source: ImportSource,
    cfg: &ImportConfig,
    rejects: &mut Rejects<'_>,
    report: &mut SourceReport,
) -> Result<(), Stopped> {
    let ImportSource { name, size, reader, .. } = source;
    let Some(actor) = &cfg.actor else {
        return Err(Stopped::Other(AppError::ActorRequired { what: format!("storing the persons of `{name}`") }));
    };
    let rec =
        Recording { at: db.app.now().to_string(), by: actor.to_string(), reason: format!("imported from `{name}`") };
    let mut lines = Lines::new(BufReader::with_capacity(1 << 20, reader));
    let header_error =
        |line: u64, reason: String| Stopped::Other(AppError::Invalid { field: format!("{name} line {line}"), reason });
    // The header is the first line that is not blank.
    let (header_line, headers) = loop {
        let Some(line) = lines.next_line().map_err(AppError::io(format!("cannot read `{name}`")))? else {
            return Err(header_error(
                1,
                format!("the file is empty: expected the header {}", PERSON_COLUMNS.join(",")),
            ));
        };
        match line.text {
            Ok(t) if t.trim().is_empty() => continue,
            Ok(t) => match CsvLine::new().split(&t) {
                Ok(h) => break (line.number, h),
                Err(e) => return Err(header_error(line.number, format!("cannot read the header: {e}"))),
            },
            Err(u) => return Err(header_error(line.number, format!("cannot read the header: it {}", u.reason))),
        }
    };
    if let Some(missing) = ["person_id", "given_names", "family_names", "date_of_birth"]
        .into_iter()
        .find(|c| !headers.iter().any(|h| h == *c))
    {
        return Err(header_error(
            header_line,
            format!("missing column `{missing}` (expected columns: {})", PERSON_COLUMNS.join(", ")),
        ));
    }
    if let Some(unknown) = headers.iter().find(|h| !PERSON_COLUMNS.contains(h)) {
        return Err(header_error(
            header_line,
            format!("unknown column `{unknown}` (expected columns: {})", PERSON_COLUMNS.join(", ")),
        ));
    }
    let batch_size = cfg.batch_size.max(1);
    let today = cfg.today;
    // Reading, splitting and validating (name folding, dates) runs on its own thread while the
    // previous batch is written. Each physical line is one row: a line that cannot be read or
    // split is one reject, and the next line is read as if nothing had happened.
    let (tx, rx) = mpsc::sync_channel::<Batch<Person>>(2);
    std::thread::scope(|scope| -> Result<(), Stopped> {
        scope.spawn(move || {
            let mut splitter = CsvLine::new();
            send_batches(lines, batch_size, &tx, |text| {
                let record = splitter.split(text).map_err(|reason| FieldError { field: "(record)".into(), reason })?;
                if record.len() != headers.len() {
                    return Err(FieldError {
                        field: "(record)".into(),
                        reason: format!("has {} fields; the header has {}", record.len(), headers.len()),
                    });
                }
                record
                    .deserialize::<PersonRow>(Some(&headers))
                    .map_err(|e| FieldError { field: "(record)".into(), reason: e.to_string() })?
                    .to_person(today)
            });
        });
        for msg in rx {
            let (batch, bytes) = msg.map_err(AppError::io(format!("cannot read `{name}`")))?;
            let mut persons = Vec::with_capacity(batch.len());
            let mut lines = Vec::with_capacity(batch.len());
            let mut bad = Vec::new();
            let first_line = batch.first().map_or(0, |b| b.0);
            for (line, raw, parsed) in batch {
                report.rows += 1;
                match parsed {
                    Ok(p) => {
                        persons.push(p);
                        lines.push((line, raw));
                    }
                    Err(e) => bad.push(Reject::new(&name, line, &e.field, &e.reason, None, raw)),
                }
            }
            let (outcomes, _) = db
                .run(|s| s.store_persons(&persons, &rec))
                .map_err(|gave_up| Stopped::Database { line: first_line, gave_up })?;
            for ((outcome, (line, raw)), p) in outcomes.into_iter().zip(lines).zip(&persons) {
                match outcome {
                    PersonOutcome::Stored { .. } => report.stored += 1,
                    PersonOutcome::Unchanged => report.duplicates += 1,
                    PersonOutcome::Differs { field, stored, given } => bad.push(Reject::new(
                        &name,
                        line,
                        field,
                        &format!(
                            "person `{}` is stored with {field} `{stored}`, not `{given}`: an import does not change a stored identity; a change is a correction, made with its reason and the actor (5 U.S.C. 552a(d))",
                            p.id
                        ),
                        None,
                        raw,
                    )),
                    PersonOutcome::Unknown => {
                        bad.push(Reject::new(&name, line, "person_id", "not stored (a correction only)", None, raw))
                    }
                }
            }
            bad.sort_by_key(|r| r.line);
            report.rejected += bad.len() as u64;
            for r in bad {
                rejects.add(r)?;
            }
            rejects.sink.progress(&name, bytes, size);
        }
        Ok(())
    })
}

fn import_events(
    db: &mut Connection<'_>,
    source: ImportSource,
    cfg: &ImportConfig,
    rejects: &mut Rejects<'_>,
    report: &mut SourceReport,
) -> Result<(), Stopped> {
    let ImportSource { name, size, reader, .. } = source;
    let batch_size = cfg.batch_size.max(1);
    // Parsing runs on its own thread while the previous batch is written.
    let (tx, rx) = mpsc::sync_channel::<Batch<Event>>(2);
    std::thread::scope(|scope| -> Result<(), Stopped> {
        scope.spawn(move || {
            let lines = Lines::new(BufReader::with_capacity(1 << 20, reader));
            send_batches(lines, batch_size, &tx, parse_event_line);
        });
        for msg in rx {
            let (batch, bytes) = msg.map_err(AppError::io(format!("cannot read `{name}`")))?;
            let mut events = Vec::with_capacity(batch.len());
            let mut lines = Vec::with_capacity(batch.len());
            let mut bad = Vec::new();
            let first_line = batch.first().map_or(0, |b| b.0);
            for (line, text, parsed) in batch {
                report.rows += 1;
                match parsed {
                    Ok(e) => {
                        events.push(e);
                        lines.push((line, text));
                    }
                    Err(e) => bad.push(Reject::new(&name, line, &e.field, &e.reason, None, text)),
                }
            }
            let (mut outcomes, retried) = if events.is_empty() {
                (Vec::new(), false)
            } else {
                db.run(|s| s.import(&events)).map_err(|gave_up| Stopped::Database { line: first_line, gave_up })?
            };
            if retried {
                // An attempt may have committed before its connection was lost: the retry then
                // finds those events under their own ids, stored by this import.
                for (e, o) in events.iter().zip(&mut outcomes) {
                    if matches!(o, ImportOutcome::Duplicate { stored } if *stored == e.id) {
                        *o = ImportOutcome::Stored { version: 0 };
                    }
                }
            }
            // The batch has committed: only now may it be reported as stored.
            let stored: Vec<EventId> = events
                .iter()
                .zip(&outcomes)
                .filter(|(_, o)| matches!(o, ImportOutcome::Stored { .. }))
                .map(|(e, _)| e.id)
                .collect();
            rejects.sink.committed(&stored)?;
            for (outcome, (line, text)) in outcomes.into_iter().zip(lines) {
                match outcome {
                    ImportOutcome::Stored { .. } => report.stored += 1,
                    ImportOutcome::Duplicate { .. } => report.duplicates += 1,
                    ImportOutcome::Rejected(r) => bad.push(Reject::new(
                        &name,
                        line,
                        r.field(),
                        &r.reason(),
                        r.refusal().map(|r| r.rule().name()),
                        text,
                    )),
                }
            }
            // Parse errors and refusals are found at different steps; report them in file order.
            bad.sort_by_key(|r| r.line);
            report.rejected += bad.len() as u64;
            for r in bad {
                rejects.add(r)?;
            }
            rejects.sink.progress(&name, bytes, size);
        }
        Ok(())
    })
}
