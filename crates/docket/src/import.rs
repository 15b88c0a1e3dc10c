//! Importing persons (CSV) and events (JSONL): parse, store in batches, and account for
//! every row — stored, duplicate, or rejected with file, line, field and reason.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Context, Result, bail};
use docket_core::{Date, Event, Person};
use docket_store::wire::{FieldError, PERSON_COLUMNS, PersonRow, parse_event_line};
use docket_store::{ImportOutcome, Store};
use serde::Serialize;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportConfig {
    /// Events per database transaction.
    pub batch_size: usize,
    /// Where to write rejected rows (JSON lines).
    pub rejects: PathBuf,
    /// Today's date, bounding dates of birth.
    pub today: Date,
    /// If set, the id of every stored event is appended to this file as soon as its batch
    /// has committed (one per line, flushed per batch): what the import has reported stored.
    pub commit_log: Option<PathBuf>,
}

/// What kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Persons, CSV.
    Persons,
    /// Events, JSON lines.
    Events,
}

/// Counts for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Its kind.
    pub kind: FileKind,
    /// Data rows read.
    pub rows: u64,
    /// Rows stored.
    pub stored: u64,
    /// Rows already stored (same idempotency key).
    pub duplicates: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// One rejected row.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    /// The file.
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// The field at fault.
    pub field: String,
    /// Why.
    pub reason: String,
    /// The row as read.
    pub record: String,
}

/// Counts for a whole import.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// Per file, in import order (persons first).
    pub files: Vec<FileReport>,
    /// The rejects file, if anything was rejected.
    pub rejects_file: Option<PathBuf>,
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
        self.files.iter().filter(|f| f.kind == FileKind::Events).map(|f| f.stored).sum()
    }
}

struct Rejects {
    path: PathBuf,
    out: Option<std::io::BufWriter<File>>,
    first: Vec<Reject>,
}

impl Rejects {
    fn add(&mut self, r: Reject) -> Result<()> {
        if self.out.is_none() {
            let f = File::create(&self.path)
                .with_context(|| format!("cannot create rejects file `{}`", self.path.display()))?;
            self.out = Some(std::io::BufWriter::new(f));
        }
        if let Some(out) = self.out.as_mut() {
            serde_json::to_writer(&mut *out, &r)?;
            out.write_all(b"\n")?;
        }
        if self.first.len() < 20 {
            self.first.push(r);
        }
        Ok(())
    }
}

/// The kind of a file, from its extension.
pub fn kind_of(path: &Path) -> Result<FileKind> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => Ok(FileKind::Persons),
        Some("jsonl") | Some("ndjson") => Ok(FileKind::Events),
        _ => bail!("`{}`: expected a persons file (`.csv`) or an events file (`.jsonl`)", path.display()),
    }
}

/// Imports `files` (persons files first, then events files, each in the given order).
/// `progress` is called with bytes read so far of the current file and its size.
pub fn import_files(
    store: &mut Store,
    files: &[PathBuf],
    cfg: &ImportConfig,
    progress: &mut dyn FnMut(&Path, u64, u64),
) -> Result<ImportReport> {
    let started = std::time::Instant::now();
    let mut kinds = Vec::new();
    for f in files {
        kinds.push((kind_of(f)?, f.clone()));
    }
    kinds.sort_by_key(|(k, _)| *k == FileKind::Events);
    // The rejects file describes this run only: one left by an earlier run would mislead.
    match std::fs::remove_file(&cfg.rejects) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("cannot replace rejects file `{}`", cfg.rejects.display()));
        }
        _ => {}
    }
    let mut rejects = Rejects { path: cfg.rejects.clone(), out: None, first: Vec::new() };
    let mut commit_log = match &cfg.commit_log {
        None => None,
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .with_context(|| format!("cannot open commit log `{}`", p.display()))?,
        )),
    };
    let mut reports = Vec::new();
    for (kind, path) in kinds {
        let report = match kind {
            FileKind::Persons => import_persons(store, &path, cfg, &mut rejects, progress)?,
            FileKind::Events => import_events(store, &path, cfg, &mut rejects, commit_log.as_mut(), progress)?,
        };
        reports.push(report);
    }
    if let Some(out) = rejects.out.as_mut() {
        out.flush()?;
    }
    Ok(ImportReport {
        files: reports,
        rejects_file: rejects.out.is_some().then(|| rejects.path.clone()),
        first_rejects: rejects.first,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn open(path: &Path) -> Result<(File, u64)> {
    let f = File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((f, size))
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
type ParsedPerson = (u64, String, std::result::Result<Person, FieldError>);

fn import_persons(
    store: &mut Store,
    path: &Path,
    cfg: &ImportConfig,
    rejects: &mut Rejects,
    progress: &mut dyn FnMut(&Path, u64, u64),
) -> Result<FileReport> {
    let (file, size) = open(path)?;
    let name = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(BufReader::with_capacity(1 << 20, file));
    let headers = reader.headers().with_context(|| format!("`{name}`: cannot read the header line"))?.clone();
    if let Some(missing) = ["person_id", "given_names", "family_names", "date_of_birth"]
        .into_iter()
        .find(|c| !headers.iter().any(|h| h == *c))
    {
        bail!("`{name}` line 1: missing column `{missing}` (expected columns: {})", PERSON_COLUMNS.join(", "));
    }
    if let Some(unknown) = headers.iter().find(|h| !PERSON_COLUMNS.contains(h)) {
        bail!("`{name}` line 1: unknown column `{unknown}` (expected columns: {})", PERSON_COLUMNS.join(", "));
    }
    let mut report =
        FileReport { path: path.to_owned(), kind: FileKind::Persons, rows: 0, stored: 0, duplicates: 0, rejected: 0 };
    let batch_size = cfg.batch_size;
    let today = cfg.today;
    // Parsing and validating (name folding, dates) runs on its own thread while the previous
    // batch is written.
    let (tx, rx) = mpsc::sync_channel::<(Vec<ParsedPerson>, u64)>(2);
    std::thread::scope(|scope| -> Result<()> {
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
                        // The row's text is kept only for the rejects file.
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
                    if tx.send((full, reader.position().byte())).is_err() {
                        return;
                    }
                }
            }
            let _ = tx.send((batch, reader.position().byte()));
        });
        for (batch, bytes) in rx {
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
                            record: raw,
                        })?;
                    }
                }
            }
            let written = store.upsert_persons(&persons).with_context(|| format!("`{name}`: storing persons"))?;
            report.stored += written;
            report.duplicates += persons.len() as u64 - written;
            progress(path, bytes, size);
        }
        Ok(())
    })?;
    Ok(report)
}

/// A parsed line: its number, its text, and the event or why it is not one.
type ParsedLine = (u64, String, std::result::Result<Event, FieldError>);

fn import_events(
    store: &mut Store,
    path: &Path,
    cfg: &ImportConfig,
    rejects: &mut Rejects,
    mut commit_log: Option<&mut std::io::BufWriter<File>>,
    progress: &mut dyn FnMut(&Path, u64, u64),
) -> Result<FileReport> {
    let (file, size) = open(path)?;
    let name = path.display().to_string();
    let mut report =
        FileReport { path: path.to_owned(), kind: FileKind::Events, rows: 0, stored: 0, duplicates: 0, rejected: 0 };
    let batch_size = cfg.batch_size;
    // Parsing runs on its own thread while the previous batch is written.
    let (tx, rx) = mpsc::sync_channel::<std::io::Result<(Vec<ParsedLine>, u64)>>(2);
    std::thread::scope(|scope| -> Result<()> {
        scope.spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, file);
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
            let (batch, bytes) = msg.with_context(|| format!("cannot read `{name}`"))?;
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
                    Err(e) => {
                        bad.push(Reject { file: name.clone(), line, field: e.field, reason: e.reason, record: text })
                    }
                }
            }
            let outcomes = store.import(&events).with_context(|| format!("`{name}`: storing events"))?;
            // The batch has committed: only now may it be reported as stored.
            if let Some(log) = commit_log.as_deref_mut() {
                for (e, o) in events.iter().zip(&outcomes) {
                    if matches!(o, ImportOutcome::Stored { .. }) {
                        writeln!(log, "{}", e.id)?;
                    }
                }
                log.flush()?;
            }
            for (outcome, (line, text)) in outcomes.into_iter().zip(lines) {
                match outcome {
                    ImportOutcome::Stored { .. } => report.stored += 1,
                    ImportOutcome::Duplicate { .. } => report.duplicates += 1,
                    ImportOutcome::Rejected { field, reason } => {
                        bad.push(Reject { file: name.clone(), line, field, reason, record: text });
                    }
                }
            }
            // Parse errors and refusals are found at different steps; report them in file order.
            bad.sort_by_key(|r| r.line);
            report.rejected += bad.len() as u64;
            for r in bad {
                rejects.add(r)?;
            }
            progress(path, bytes, size);
        }
        Ok(())
    })?;
    Ok(report)
}
