//! Importing persons (CSV) and events (JSON lines) from any reader: parse, store in batches,
//! and account for every row — stored, already stored, or rejected with its source, line,
//! field and reason, handed to the caller's [`ImportSink`] (a rejects file, a dead-letter
//! subject, an HTTP response).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use docket_core::{Date, Event, EventId, Person};
use docket_store::wire::{FieldError, PERSON_COLUMNS, PersonRow, parse_event_line};
use docket_store::{ImportOutcome, Store};
use serde::Serialize;

use crate::AppError;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportConfig {
    /// Events per database transaction.
    pub batch_size: usize,
    /// Today's date, bounding dates of birth.
    pub today: Date,
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

/// Imports `sources`: persons sources first, then events sources, each in the given order.
pub(crate) fn import(
    store: &mut Store,
    mut sources: Vec<ImportSource>,
    cfg: &ImportConfig,
    sink: &mut dyn ImportSink,
) -> Result<ImportReport, AppError> {
    let started = std::time::Instant::now();
    sources.sort_by_key(|s| s.kind);
    let mut reports = Vec::new();
    let mut first = Vec::new();
    for source in sources {
        let mut rejects = Rejects { sink: &mut *sink, first: std::mem::take(&mut first) };
        let report = match source.kind {
            SourceKind::Persons => import_persons(store, source, cfg, &mut rejects)?,
            SourceKind::Events => import_events(store, source, cfg, &mut rejects)?,
        };
        first = rejects.first;
        reports.push(report);
    }
    Ok(ImportReport { files: reports, first_rejects: first, seconds: started.elapsed().as_secs_f64() })
}

/// A reader that counts the bytes read through it, for progress.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A record written back as one CSV line, quoted as needed.
fn csv_line(record: &csv::StringRecord) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing into memory cannot fail.
    let _ = w.write_record(record);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end().to_owned()
}

/// A parsed persons row: its line number, its text, and the person or why it is not one.
type ParsedPerson = (u64, String, Result<Person, FieldError>);

fn import_persons(
    store: &mut Store,
    source: ImportSource,
    cfg: &ImportConfig,
    rejects: &mut Rejects<'_>,
) -> Result<SourceReport, AppError> {
    let ImportSource { name, kind, size, reader } = source;
    let read = Arc::new(AtomicU64::new(0));
    let counting = Counting { inner: reader, read: Arc::clone(&read) };
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(BufReader::with_capacity(1 << 20, counting));
    let headers = reader
        .headers()
        .map_err(|e| AppError::Invalid {
            field: format!("{name} line 1"),
            reason: format!("cannot read the header: {e}"),
        })?
        .clone();
    if let Some(missing) = ["person_id", "given_names", "family_names", "date_of_birth"]
        .into_iter()
        .find(|c| !headers.iter().any(|h| h == *c))
    {
        return Err(AppError::Invalid {
            field: format!("{name} line 1"),
            reason: format!("missing column `{missing}` (expected columns: {})", PERSON_COLUMNS.join(", ")),
        });
    }
    if let Some(unknown) = headers.iter().find(|h| !PERSON_COLUMNS.contains(h)) {
        return Err(AppError::Invalid {
            field: format!("{name} line 1"),
            reason: format!("unknown column `{unknown}` (expected columns: {})", PERSON_COLUMNS.join(", ")),
        });
    }
    let mut report = SourceReport { path: name.clone(), kind, rows: 0, stored: 0, duplicates: 0, rejected: 0 };
    let batch_size = cfg.batch_size.max(1);
    let today = cfg.today;
    // Parsing and validating (name folding, dates) runs on its own thread while the previous
    // batch is written.
    let (tx, rx) = mpsc::sync_channel::<Vec<ParsedPerson>>(2);
    std::thread::scope(|scope| -> Result<(), AppError> {
        scope.spawn(move || {
            let mut batch = Vec::with_capacity(batch_size);
            let mut record = csv::StringRecord::new();
            loop {
                let line = reader.position().line();
                let parsed = match reader.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let person = record
                            .deserialize::<PersonRow>(Some(&headers))
                            .map_err(|e| FieldError { field: "(record)".into(), reason: e.to_string() })
                            .and_then(|row| row.to_person(today));
                        // The row's text is kept only for the rejects.
                        let raw = if person.is_err() { csv_line(&record) } else { String::new() };
                        (line, raw, person)
                    }
                    Err(e) => {
                        (line, String::new(), Err(FieldError { field: "(record)".into(), reason: e.to_string() }))
                    }
                };
                batch.push(parsed);
                if batch.len() >= batch_size {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                    if tx.send(full).is_err() {
                        return;
                    }
                }
            }
            let _ = tx.send(batch);
        });
        for batch in rx {
            let mut persons = Vec::with_capacity(batch.len());
            for (line, raw, parsed) in batch {
                report.rows += 1;
                match parsed {
                    Ok(p) => persons.push(p),
                    Err(e) => {
                        report.rejected += 1;
                        rejects.add(Reject {
                            file: name.clone(),
                            line,
                            field: e.field,
                            reason: e.reason,
                            rule: None,
                            record: raw,
                        })?;
                    }
                }
            }
            let written = store.upsert_persons(&persons)?;
            report.stored += written;
            report.duplicates += persons.len() as u64 - written;
            rejects.sink.progress(&name, read.load(Ordering::Relaxed), size);
        }
        Ok(())
    })?;
    Ok(report)
}

/// A parsed line: its number, its text, and the event or why it is not one.
type ParsedLine = (u64, String, Result<Event, FieldError>);

fn import_events(
    store: &mut Store,
    source: ImportSource,
    cfg: &ImportConfig,
    rejects: &mut Rejects<'_>,
) -> Result<SourceReport, AppError> {
    let ImportSource { name, kind, size, reader } = source;
    let mut report = SourceReport { path: name.clone(), kind, rows: 0, stored: 0, duplicates: 0, rejected: 0 };
    let batch_size = cfg.batch_size.max(1);
    // Parsing runs on its own thread while the previous batch is written.
    let (tx, rx) = mpsc::sync_channel::<std::io::Result<(Vec<ParsedLine>, u64)>>(2);
    std::thread::scope(|scope| -> Result<(), AppError> {
        scope.spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, reader);
            let mut line_no = 0u64;
            let mut bytes = 0u64;
            let mut batch = Vec::with_capacity(batch_size);
            loop {
                let mut text = String::new();
                match reader.read_line(&mut text) {
                    Ok(0) => break,
                    Ok(n) => {
                        bytes += n as u64;
                        line_no += 1;
                        let trimmed = text.trim_end_matches(['\n', '\r']);
                        if trimmed.trim().is_empty() {
                            continue;
                        }
                        let parsed = parse_event_line(trimmed);
                        text.truncate(trimmed.len());
                        batch.push((line_no, text, parsed));
                        if batch.len() >= batch_size {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                            if tx.send(Ok((full, bytes))).is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
            let _ = tx.send(Ok((batch, bytes)));
        });
        for msg in rx {
            let (batch, bytes) = msg.map_err(AppError::io(format!("cannot read `{name}`")))?;
            let mut events = Vec::with_capacity(batch.len());
            let mut lines = Vec::with_capacity(batch.len());
            let mut bad = Vec::new();
            for (line, text, parsed) in batch {
                report.rows += 1;
                match parsed {
                    Ok(e) => {
                        events.push(e);
                        lines.push((line, text));
                    }
                    Err(e) => bad.push(Reject {
                        file: name.clone(),
                        line,
                        field: e.field,
                        reason: e.reason,
                        rule: None,
                        record: text,
                    }),
                }
            }
            let outcomes = if events.is_empty() { Vec::new() } else { store.import(&events)? };
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
                    ImportOutcome::Rejected(r) => bad.push(Reject {
                        file: name.clone(),
                        line,
                        field: r.field().to_owned(),
                        reason: r.reason(),
                        rule: r.refusal().map(|r| r.rule().name()),
                        record: text,
                    }),
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
    })?;
    Ok(report)
}
