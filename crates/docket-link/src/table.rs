//! Rows read from CSV and normalized once, stored row by row.
//!
//! Both tables of a link job live in one [`Records`]: table A's rows first, then table B's, so
//! that term frequencies, blocking keys and comparisons see one numbering. Every value a level or
//! a key needs (canonical name tokens, sorted tokens, phonetic codes, date parts) is computed
//! here, so the pair loop does no normalization.

use crate::fx::FxHashMap;
use std::io::Read;

use crate::normalize::{self, NameRules};
use crate::settings::{ColumnKind, FieldDef, Settings};

/// A CSV file that cannot be linked at all.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file could not be opened or read.
    #[error("cannot read `{file}`: {source}")]
    Io {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// The header is missing or lacks a column the settings use.
    #[error("`{file}`: {message}")]
    Header {
        /// The file.
        file: String,
        /// What is missing.
        message: String,
    },
    /// The name tables named in the settings are malformed.
    #[error("{0}")]
    Tables(String),
}

/// A row that was skipped or a value that was read as missing, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowIssue {
    /// The file.
    pub file: String,
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// The column concerned, if one.
    pub column: Option<String>,
    /// What is wrong.
    pub reason: String,
    /// Whether the row was skipped (otherwise only the value was read as missing).
    pub skipped: bool,
}

/// Date parts; 0 means unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ymd {
    /// Year, 0 if unknown.
    pub year: u16,
    /// Month 1–12, 0 if unknown.
    pub month: u8,
    /// Day 1–31, 0 if unknown.
    pub day: u8,
}

/// Slots per field in a record: the canonical text, the sorted tokens, and the extra bytes
/// (phonetic codes for names and text, `YYYYMMDD` of the valid date parts for dates).
const SLOTS: usize = 3;

/// Normalized records stored row by row: every value a pair comparison needs of one record is
/// in one contiguous stretch of `text`, so comparing a pair touches a few places in memory,
/// not a few per field. Record `i` has `SLOTS * fields + 1` offsets in `offsets` (relative to
/// `starts[i]`) marking its slots. The text is a `String`, so slots are `&str` without
/// revalidating UTF-8 on every access.
#[derive(Debug)]
struct Rows {
    text: String,
    starts: Vec<u64>,
    offsets: Vec<u16>,
    per_record: usize,
}

impl Rows {
    fn new(fields: usize) -> Rows {
        Rows { text: String::new(), starts: vec![0], offsets: Vec::new(), per_record: SLOTS * fields + 1 }
    }

    #[inline]
    fn slot(&self, i: usize, k: usize) -> &str {
        let base = self.starts[i] as usize;
        let o = &self.offsets[i * self.per_record + k..i * self.per_record + k + 2];
        self.text.get(base + usize::from(o[0])..base + usize::from(o[1])).unwrap_or_default()
    }

    fn append(&mut self, other: &Rows) {
        let base = self.text.len() as u64;
        self.text.push_str(&other.text);
        self.starts.extend(other.starts[1..].iter().map(|s| s + base));
        self.offsets.extend_from_slice(&other.offsets);
    }

    fn clear(&mut self) {
        self.text.clear();
        self.starts.truncate(1);
        self.offsets.clear();
    }
}

/// Builds one record's slots.
struct RecordWriter<'a> {
    rows: &'a mut Rows,
    start: usize,
}

impl RecordWriter<'_> {
    fn begin(rows: &mut Rows) -> RecordWriter<'_> {
        let start = rows.text.len();
        RecordWriter { rows, start }
    }

    /// Adds the next slot (cut at a character boundary so a record stays under 64 KiB).
    fn slot(&mut self, value: &str) {
        let used = self.rows.text.len() - self.start;
        self.rows.offsets.push(used as u16);
        let room = 60_000usize.saturating_sub(used);
        let mut take = value.len().min(room);
        while !value.is_char_boundary(take) {
            take -= 1;
        }
        self.rows.text.push_str(&value[..take]);
    }

    fn finish(self) {
        self.rows.offsets.push((self.rows.text.len() - self.start) as u16);
        self.rows.starts.push(self.rows.text.len() as u64);
    }
}

/// The records of a link or dedupe job, normalized.
#[derive(Debug)]
pub struct Records {
    /// Record ids, as given.
    pub ids: Vec<String>,
    /// Rows of table A (the first `a_len` records); in dedupe mode, every record.
    pub a_len: usize,
    /// Rows skipped and values read as missing.
    pub issues: Vec<RowIssue>,
    /// Issues not listed because there were too many, per file.
    pub issues_not_listed: u64,
    rows: Rows,
}

/// At most this many issues are listed per file; the rest are counted.
const ISSUES_LISTED: usize = 200;

impl Records {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Number of table B records (0 in dedupe mode).
    pub fn b_len(&self) -> usize {
        self.ids.len() - self.a_len
    }

    /// Field `f` of record `i`: names as canonical tokens joined by one space, dates as their
    /// eight digits; empty when missing.
    #[inline]
    pub fn text(&self, f: usize, i: usize) -> &str {
        self.rows.slot(i, SLOTS * f)
    }

    /// Names and text: the tokens of field `f` of record `i`, sorted, joined by one space.
    #[inline]
    pub fn sorted(&self, f: usize, i: usize) -> &str {
        self.rows.slot(i, SLOTS * f + 1)
    }

    /// Names and text: Double Metaphone codes, primary then alternate, four bytes each,
    /// zero-padded.
    #[inline]
    pub fn phonetic(&self, f: usize, i: usize) -> [u8; 8] {
        let mut code = [0u8; 8];
        let s = self.rows.slot(i, SLOTS * f + 2).as_bytes();
        code[..s.len().min(8)].copy_from_slice(&s[..s.len().min(8)]);
        code
    }

    /// Dates: the parts of field `f` of record `i`.
    #[inline]
    pub fn date(&self, f: usize, i: usize) -> Ymd {
        match self.rows.slot(i, SLOTS * f + 2).as_bytes() {
            [y @ .., m0, m1, d0, d1] if y.len() == 4 => {
                let n = |d: &[u8]| d.iter().fold(0u16, |n, &c| n * 10 + u16::from(c.wrapping_sub(b'0') % 10));
                Ymd { year: n(y), month: n(&[*m0, *m1]) as u8, day: n(&[*d0, *d1]) as u8 }
            }
            _ => Ymd::default(),
        }
    }

    /// Appends the records of `other` (normalized with the same settings).
    pub fn append(&mut self, other: Records) {
        self.ids.extend(other.ids);
        self.rows.append(&other.rows);
        self.issues.extend(other.issues);
        self.issues_not_listed += other.issues_not_listed;
    }

    /// Reads table A and, when linking, table B, normalizing every field.
    pub fn read(settings: &Settings, files: &[&std::path::Path]) -> Result<Records, TableError> {
        let mut readers = Vec::new();
        for path in files {
            let name = path.display().to_string();
            let file = std::fs::File::open(path).map_err(|source| TableError::Io { file: name.clone(), source })?;
            let size = file.metadata().map(|m| m.len()).ok();
            readers.push((name, std::io::BufReader::with_capacity(1 << 20, file), size));
        }
        let mut records = Records::empty(settings);
        records.read_tables(settings, readers)?;
        Ok(records)
    }

    /// Reads CSV text from each `(name, reader)`: table A, then table B when linking.
    pub fn from_readers<R: Read>(settings: &Settings, tables: Vec<(String, R)>) -> Result<Records, TableError> {
        let mut out = Records::empty(settings);
        out.read_tables(settings, tables.into_iter().map(|(name, r)| (name, r, None)).collect())?;
        Ok(out)
    }

    fn read_tables<R: Read>(
        &mut self,
        settings: &Settings,
        tables: Vec<(String, R, Option<u64>)>,
    ) -> Result<(), TableError> {
        let names = name_rules(settings)?;
        let single = tables.len() == 1;
        // Each file is told the bytes of the files still to read, itself included, so that the
        // first sizes the storage for all of them: growing it later would copy what is stored
        // into memory that has to be faulted in afresh.
        let sizes: Vec<Option<u64>> = tables.iter().map(|t| t.2).collect();
        for (n, (name, reader, size)) in tables.into_iter().enumerate() {
            let with_later = sizes[n..].iter().try_fold(0u64, |sum, s| s.map(|s| sum + s));
            self.append_csv(settings, &names, &name, reader, size.zip(with_later))?;
            if n == 0 || single {
                self.a_len = self.ids.len();
            }
        }
        Ok(())
    }

    /// One record from its raw values, one per [`Settings::columns`] entry in that order (a value
    /// not given is missing), normalized on this thread: for records that arrive one at a time,
    /// where starting threads would cost more than the work. A value that cannot be read is read
    /// as missing and listed in `issues` (file `incoming`, line 1).
    pub fn from_values(settings: &Settings, names: &NameRules, id: &str, values: &[&str]) -> Records {
        let mut raw = RawChunk::new(settings.columns.len());
        raw.push(1, (0..settings.columns.len()).map(|k| values.get(k).copied().unwrap_or("")));
        let mut out = Records::empty(settings);
        out.issues = normalize_rows(&mut out.rows, settings, names, "incoming", &raw);
        out.ids.push(id.to_owned());
        out.a_len = 1;
        out
    }

    /// Records with no rows, shaped by `settings`.
    pub fn empty(settings: &Settings) -> Records {
        Records {
            ids: Vec::new(),
            a_len: 0,
            issues: Vec::new(),
            issues_not_listed: 0,
            rows: Rows::new(settings.fields.len()),
        }
    }

    /// Appends the rows of one CSV file (with a header). `size`, when known: the length in
    /// bytes of the file, and of the file together with any read after it into the same
    /// records; it sizes the storage up front.
    pub fn append_csv(
        &mut self,
        settings: &Settings,
        names: &NameRules,
        file: &str,
        reader: impl Read,
        size: Option<(u64, u64)>,
    ) -> Result<(), TableError> {
        let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let header = csv
            .headers()
            .map_err(|e| TableError::Header { file: file.to_owned(), message: format!("cannot read the header: {e}") })?
            .clone();
        let find = |name: &str| header.iter().position(|h| h.trim() == name);
        let Some(id_at) = find(&settings.id_column) else {
            return Err(TableError::Header {
                file: file.to_owned(),
                message: format!("no column `{}` (the id column) in the header", settings.id_column),
            });
        };
        let mut at = Vec::new();
        for (c, _) in &settings.columns {
            match find(c) {
                Some(i) => at.push(i),
                None => {
                    return Err(TableError::Header {
                        file: file.to_owned(),
                        message: format!("no column `{c}` in the header (the settings compare or block on it)"),
                    });
                }
            }
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        let listed_before = self.issues.len();
        let mut reading = Reading {
            records: self,
            file,
            listed_before,
            seen: FxHashMap::default(),
            seen_exactly: FxHashMap::default(),
            pending: std::collections::BTreeMap::new(),
            next: 0,
            expected: None,
        };
        // The rows are parsed here while `threads` workers normalize the chunks parsed before;
        // the chunks come back in any order and are stored in the order of the file. A fixed
        // set of buffers goes round, so reading a file touches little fresh memory beyond what
        // it keeps.
        let (jobs, job_queue) = std::sync::mpsc::sync_channel::<Job>(threads);
        let job_queue = std::sync::Mutex::new(job_queue);
        let (done_tx, done) = std::sync::mpsc::channel::<Done>();
        std::thread::scope(|s| {
            for _ in 0..threads {
                let (job_queue, done_tx) = (&job_queue, done_tx.clone());
                s.spawn(move || {
                    loop {
                        let next = job_queue.lock().map(|q| q.recv());
                        let Ok(Ok(Job { seq, raw, mut rows })) = next else { break };
                        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            rows.clear();
                            normalize_rows(&mut rows, settings, names, file, &raw)
                        }));
                        if done_tx.send(Done { seq, raw, rows, issues: outcome }).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            let buffers = || (RawChunk::new(at.len()), Rows::new(settings.fields.len()));
            let mut free: Vec<(RawChunk, Rows)> = (0..threads * 2 + 1).map(|_| buffers()).collect();
            let (mut raw, mut rows) = buffers();
            let mut seq = 0usize;
            let mut record = csv::StringRecord::new();
            let width = header.len();
            loop {
                let line = csv.position().line() + 1;
                let more = match csv.read_record(&mut record) {
                    Ok(more) => more,
                    Err(e) => {
                        let line = e.position().map_or(line, |p| p.line());
                        let reason = match e.kind() {
                            csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
                            _ => format!("malformed row: {e}"),
                        };
                        reading.issue(RowIssue { file: file.to_owned(), line, column: None, reason, skipped: true });
                        continue;
                    }
                };
                if more {
                    let line = record.position().map_or(line, |p| p.line());
                    if reading.accept(settings, &record, width, id_at, line) {
                        raw.push(line, at.iter().map(|&k| &record[k]));
                    }
                }
                if raw.len() == CHUNK || (!more && raw.len() > 0) {
                    if seq == 0 {
                        // The rows still to come, from the bytes the first chunk took.
                        let per_row = csv.position().byte() as f64 / (raw.len() as f64).max(1.0);
                        let rows = |bytes: u64| (bytes as f64 / per_row.max(1.0) * 1.02) as usize;
                        if let Some((file, with_later)) = size {
                            reading.expected = Some(rows(with_later));
                            reading.seen.reserve(rows(file));
                            reading.records.ids.reserve(rows(with_later));
                        }
                    }
                    if jobs.send(Job { seq, raw, rows }).is_err() {
                        break;
                    }
                    seq += 1;
                    (raw, rows) = match free.pop() {
                        Some(b) => b,
                        None => {
                            // Every buffer is out: wait for a worker to bring one back.
                            let Ok(d) = done.recv() else { break };
                            reading.arrived(d, &mut free);
                            free.pop().unwrap_or_else(buffers)
                        }
                    };
                    raw.clear();
                }
                if !more {
                    break;
                }
            }
            drop(jobs);
            for d in done {
                reading.arrived(d, &mut free);
            }
        });
        reading.finish();
        Ok(())
    }

    /// Makes room for `more` records as long as `sample`'s on average.
    fn reserve(&mut self, more: usize, sample: &Rows) {
        let text = sample.text.len().div_ceil(sample.starts.len().saturating_sub(1).max(1));
        self.rows.starts.reserve(more);
        self.rows.offsets.reserve(more * self.rows.per_record);
        self.rows.text.reserve(more * text);
    }
}

/// Rows per chunk handed to a normalizing worker.
const CHUNK: usize = 8192;

/// Parsed rows waiting to be normalized: the settings' columns of each row, back to back.
struct RawChunk {
    text: String,
    /// The end of each value in `text`, `width` per row.
    ends: Vec<u32>,
    lines: Vec<u64>,
    width: usize,
}

impl RawChunk {
    fn new(width: usize) -> RawChunk {
        RawChunk { text: String::new(), ends: Vec::new(), lines: Vec::new(), width }
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.lines.clear();
    }

    fn push<'a>(&mut self, line: u64, values: impl Iterator<Item = &'a str>) {
        for v in values {
            self.text.push_str(v);
            self.ends.push(self.text.len() as u32);
        }
        self.lines.push(line);
    }

    /// Row `r`'s value of column `k` (the settings' order).
    fn value(&self, r: usize, k: usize) -> &str {
        let i = r * self.width + k;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..self.ends[i] as usize).unwrap_or_default()
    }
}

/// A chunk sent to a worker, with the buffer its rows are normalized into.
struct Job {
    seq: usize,
    raw: RawChunk,
    rows: Rows,
}

/// A chunk normalized (or the panic that stopped its worker).
struct Done {
    seq: usize,
    raw: RawChunk,
    rows: Rows,
    issues: std::thread::Result<Vec<RowIssue>>,
}

/// The state of reading one file on the parsing thread.
struct Reading<'a> {
    records: &'a mut Records,
    file: &'a str,
    listed_before: usize,
    /// Ids seen, by hash: the index of the id in `records.ids` and its line.
    seen: FxHashMap<u64, (usize, u64)>,
    /// Ids whose hash another id already has, exactly.
    seen_exactly: FxHashMap<String, u64>,
    /// Normalized chunks that arrived before an earlier one.
    pending: std::collections::BTreeMap<usize, Done>,
    next: usize,
    /// The rows the file is expected to hold, until the storage is sized for them.
    expected: Option<usize>,
}

impl Reading<'_> {
    fn issue(&mut self, i: RowIssue) {
        if self.records.issues.len() - self.listed_before < ISSUES_LISTED {
            self.records.issues.push(i);
        } else {
            self.records.issues_not_listed += 1;
        }
    }

    /// Whether the row is to be linked (its id is then added to the records); otherwise the
    /// row is listed as skipped.
    fn accept(
        &mut self,
        settings: &Settings,
        record: &csv::StringRecord,
        width: usize,
        id_at: usize,
        line: u64,
    ) -> bool {
        let skip = |column: Option<&String>, reason: String| RowIssue {
            file: self.file.to_owned(),
            line,
            column: column.cloned(),
            reason,
            skipped: true,
        };
        if record.len() != width {
            let i = skip(None, format!("the row has {} fields, the header {width}", record.len()));
            self.issue(i);
            return false;
        }
        let id = record[id_at].trim();
        if id.is_empty() {
            let i = skip(Some(&settings.id_column), "the id is empty".into());
            self.issue(i);
            return false;
        }
        let index = self.records.ids.len();
        let first = match self.seen.entry(crate::fx::hash_str(id)) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert((index, line));
                None
            }
            std::collections::hash_map::Entry::Occupied(e) => {
                let (other, first) = *e.get();
                if self.records.ids[other] == id {
                    Some(first)
                } else {
                    // Two ids with one hash: the exact map decides.
                    match self.seen_exactly.entry(id.to_owned()) {
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(line);
                            None
                        }
                        std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                    }
                }
            }
        };
        if let Some(first) = first {
            let i = skip(Some(&settings.id_column), format!("id `{id}` is not unique (first seen on line {first})"));
            self.issue(i);
            return false;
        }
        self.records.ids.push(id.to_owned());
        true
    }

    /// Stores the chunks that are next in the file's order; their buffers go back to `free`.
    fn arrived(&mut self, d: Done, free: &mut Vec<(RawChunk, Rows)>) {
        self.pending.insert(d.seq, d);
        while let Some(d) = self.pending.remove(&self.next) {
            self.next += 1;
            if let Some(rows) = self.expected.take() {
                // Sized once, from the file's first chunk: normalized text is two to three
                // times as long as the CSV it came from.
                self.records.reserve(rows.saturating_sub(d.rows.starts.len() - 1), &d.rows);
            }
            let issues = d.issues.unwrap_or_else(|p| std::panic::resume_unwind(p));
            self.records.rows.append(&d.rows);
            for i in issues {
                if self.records.issues.len() < ISSUES_LISTED * 4 {
                    self.records.issues.push(i);
                } else {
                    self.records.issues_not_listed += 1;
                }
            }
            free.push((d.raw, d.rows));
        }
    }

    /// Caps the skipped rows listed for the file.
    fn finish(self) {
        let listed = self.records.issues.len() - self.listed_before;
        if listed > ISSUES_LISTED {
            self.records.issues_not_listed += (listed - ISSUES_LISTED) as u64;
            self.records.issues.truncate(self.listed_before + ISSUES_LISTED);
        }
    }
}

/// The name tables of a job: the built-in ones or those a settings file names.
pub enum Names {
    /// The tables compiled in.
    Builtin(&'static NameRules),
    /// Tables read from files.
    Own(Box<NameRules>),
}

impl std::ops::Deref for Names {
    type Target = NameRules;
    fn deref(&self) -> &NameRules {
        match self {
            Names::Builtin(r) => r,
            Names::Own(r) => r,
        }
    }
}

/// The name tables the settings name, or the built-in ones.
pub fn name_rules(settings: &Settings) -> Result<Names, TableError> {
    if settings.particles_file.is_none() && settings.equivalences_file.is_none() {
        return NameRules::builtin().map(Names::Builtin).map_err(|e| TableError::Tables(e.to_string()));
    }
    let read = |p: &Option<std::path::PathBuf>, builtin: &'static str| -> Result<String, TableError> {
        match p {
            None => Ok(builtin.to_owned()),
            Some(p) => {
                std::fs::read_to_string(p).map_err(|source| TableError::Io { file: p.display().to_string(), source })
            }
        }
    };
    let particles = read(&settings.particles_file, normalize::BUILTIN_PARTICLES)?;
    let equivalences = read(&settings.equivalences_file, normalize::BUILTIN_EQUIVALENCES)?;
    NameRules::from_files(&particles, &equivalences)
        .map(|r| Names::Own(Box::new(r)))
        .map_err(|e| TableError::Tables(e.to_string()))
}

/// Normalizes the rows of `raw` into `out`; returns the values read as missing.
fn normalize_rows(out: &mut Rows, settings: &Settings, names: &NameRules, file: &str, raw: &RawChunk) -> Vec<RowIssue> {
    let mut issues = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    let mut scratch = String::new();
    let mut joined = String::new();
    for (r, line) in raw.lines.iter().enumerate() {
        let mut blob = RecordWriter::begin(out);
        for def in &settings.fields {
            let value = if let [col] = def.columns[..] {
                raw.value(r, col)
            } else {
                joined.clear();
                for &col in &def.columns {
                    joined.push_str(raw.value(r, col));
                    joined.push(' ');
                }
                joined.as_str()
            };
            let problem = push_value(&mut blob, def, value, names, &mut tokens, &mut scratch);
            if let (Some(reason), [_]) = (problem, &def.columns[..]) {
                issues.push(RowIssue {
                    file: file.to_owned(),
                    line: *line,
                    column: Some(def.name.clone()),
                    reason,
                    skipped: false,
                });
            }
        }
        blob.finish();
    }
    issues
}

/// `tokens` joined by single spaces, into `out`.
fn join_tokens(out: &mut String, tokens: &[String]) {
    out.clear();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(t);
    }
}

/// Appends one normalized value's three slots; returns why it was read as missing, if it was.
fn push_value(
    blob: &mut RecordWriter<'_>,
    def: &FieldDef,
    raw: &str,
    names: &NameRules,
    tokens: &mut Vec<String>,
    scratch: &mut String,
) -> Option<String> {
    let mut problem = None;
    let kind = def.kind;
    match kind {
        ColumnKind::Name | ColumnKind::Text => {
            tokens.clear();
            if kind == ColumnKind::Name {
                names.tokens(raw, tokens);
            } else {
                normalize::fold_into(raw, scratch);
                tokens.extend(scratch.split(' ').filter(|t| !t.is_empty()).map(str::to_owned));
            }
            join_tokens(scratch, tokens);
            blob.slot(scratch);
            let mut code = String::new();
            if def.phonetic && !tokens.is_empty() {
                let squashed: String = tokens.concat();
                let (p, s) = crate::phonetic::double_metaphone(&squashed);
                // Four ASCII bytes each, NUL-padded.
                for part in [p, s] {
                    let part: String = part.chars().filter(char::is_ascii).take(4).collect();
                    code.push_str(&part);
                    code.extend(std::iter::repeat_n('\0', 4 - part.len()));
                }
            }
            tokens.sort_unstable();
            join_tokens(scratch, tokens);
            blob.slot(scratch);
            blob.slot(&code);
        }
        ColumnKind::Date => {
            let t = raw.trim();
            let (digits, ymd) = if t.is_empty() {
                (String::new(), Ymd::default())
            } else {
                match normalize::parse_date(t) {
                    Some(d) => (
                        d.digits().to_owned(),
                        Ymd { year: d.year().unwrap_or(0), month: d.month().unwrap_or(0), day: d.day().unwrap_or(0) },
                    ),
                    None => {
                        problem = Some(format!("`{t}` is not a date (YYYY-MM-DD or YYYYMMDD); read as missing"));
                        (String::new(), Ymd::default())
                    }
                }
            };
            blob.slot(&digits);
            blob.slot("");
            blob.slot(&format!("{:04}{:02}{:02}", ymd.year.min(9999), ymd.month, ymd.day));
        }
        ColumnKind::Document => {
            blob.slot(&normalize::normalize_document(raw));
            blob.slot("");
            blob.slot("");
        }
        ColumnKind::Digits => {
            scratch.clear();
            scratch.extend(raw.chars().filter(char::is_ascii_digit));
            if scratch.is_empty() && !raw.trim().is_empty() {
                problem = Some(format!("`{}` has no digits; read as missing", raw.trim()));
            }
            blob.slot(scratch);
            blob.slot("");
            blob.slot("");
        }
    }
    problem
}
