//! The SQLite backend: one connection, WAL journal, one immediate transaction per write.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use docket_core::{ANumber, CaseId, CaseSummary, DateOfBirth, Event, EventId, Person, PersonId};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::departures;
use crate::ledger::{
    self, Chunk, LeafBatch, LeafKind, LeafRow, NewLeaf, NodeRows, Nodes, Record, Scanned, StoredCheckpoint,
};
use crate::migrations;
use crate::plan::{self, Loader, StoredIdentity};
use crate::{
    Backend, Expected, ImportOutcome, ProjectionRow, RebuildReport, SCHEMA_VERSION, Stats, StoreError, decode_event,
    decode_summary, encode_event, ledger_err, person_columns, person_from_columns, projection_sql,
};

pub(crate) struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    /// Opens the database at `path`, which must exist: a reader never leaves an empty
    /// database behind where there was none.
    pub fn open(path: &str) -> Result<Sqlite, StoreError> {
        if !std::path::Path::new(path).exists() {
            return Err(StoreError::NoDatabase { path: path.to_owned() });
        }
        // Without SQLITE_OPEN_CREATE, a file removed since the check is an error, not a new
        // database. PATH is a file's path, never a `file:` URI.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Sqlite::configure(Connection::open_with_flags(path, flags)?)
    }

    /// Opens the database at `path`, creating it if there is none.
    pub fn open_or_create(path: &str) -> Result<Sqlite, StoreError> {
        // SQLite would create a missing database with the umask's mode (0644 as a rule), and
        // its WAL and shared-memory files take the mode of the database file: so the file is
        // made first, owner-only, and SQLite finds it there (an empty file is an empty
        // database).
        match docket_wire::owner_only::create_new(std::path::Path::new(path)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(StoreError::CreateFile { path: path.to_owned(), source }),
        }
        Sqlite::open(path)
    }

    pub fn open_memory() -> Result<Sqlite, StoreError> {
        Sqlite::configure(Connection::open_in_memory()?)
    }

    fn configure(conn: Connection) -> Result<Sqlite, StoreError> {
        // WAL with synchronous=NORMAL is durable against process crashes (the case the
        // crash tests exercise) and loses at most the last transactions on power loss.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -262_144)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoint every 64 MiB of WAL rather than every 4 MiB: bulk imports rewrite the
        // same interior pages many times between checkpoints, and each checkpoint copies them.
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
        // Read the database file through memory mapping rather than read() copies (SQLite
        // caps this at its compile-time maximum): whole-ledger scans are dominated by them.
        conn.pragma_update(None, "mmap_size", 1_i64 << 34)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        Ok(Sqlite { conn })
    }
}

fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) if f.code == ErrorCode::ConstraintViolation)
}

struct TxLoader<'a, 'c> {
    tx: &'a Transaction<'c>,
}

impl Loader for TxLoader<'_, '_> {
    fn load_streams(&mut self, cases: &[&CaseId]) -> Result<HashMap<CaseId, Vec<Event>>, StoreError> {
        let mut exists = self.tx.prepare_cached("SELECT version FROM case_projection WHERE case_id = ?1")?;
        let mut load =
            self.tx.prepare_cached("SELECT position, payload FROM events WHERE case_id = ?1 ORDER BY version")?;
        let mut out = HashMap::new();
        for c in cases {
            let v: Option<i64> = exists.query_row([c.as_str()], |r| r.get(0)).optional()?;
            if v.is_none() {
                continue;
            }
            let mut rows = load.query([c.as_str()])?;
            let mut events = Vec::new();
            while let Some(r) = rows.next()? {
                let pos: i64 = r.get(0)?;
                let payload: String = r.get(1)?;
                events.push(decode_event(&payload, pos)?);
            }
            out.insert((*c).clone(), events);
        }
        Ok(out)
    }

    fn persons(&mut self, persons: &[&PersonId], _lock: bool) -> Result<HashMap<PersonId, StoredIdentity>, StoreError> {
        // The immediate transaction already serializes every writer.
        let mut q = self.tx.prepare_cached("SELECT date_of_birth, a_number FROM persons WHERE person_id = ?1")?;
        let today = crate::today();
        let mut out = HashMap::new();
        for p in persons {
            let row: Option<(String, Option<String>)> =
                q.query_row([p.as_str()], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            if let Some((dob, a_number)) = row {
                out.insert(
                    (*p).clone(),
                    StoredIdentity {
                        date_of_birth: DateOfBirth::parse(&dob, today).ok(),
                        a_number: a_number.and_then(|a| ANumber::parse(&a).ok()),
                    },
                );
            }
        }
        Ok(out)
    }

    fn citizenship_claims(&mut self, persons: &[&PersonId]) -> Result<Vec<CaseSummary>, StoreError> {
        let mut q = self.tx.prepare_cached(
            "SELECT case_id, summary FROM case_projection WHERE person_id = ?1 AND citizenship IN ('pending', 'citizen')",
        )?;
        let mut out = Vec::new();
        for p in persons {
            let mut rows = q.query([p.as_str()])?;
            while let Some(r) = rows.next()? {
                let case: String = r.get(0)?;
                out.push(decode_summary(&r.get::<_, String>(1)?, &case)?);
            }
        }
        Ok(out)
    }

    fn event_ids_exist(&mut self, ids: &[EventId]) -> Result<HashSet<EventId>, StoreError> {
        let mut q = self.tx.prepare_cached("SELECT 1 FROM events WHERE event_id = ?1")?;
        let mut out = HashSet::new();
        for id in ids {
            if q.exists([id.to_string()])? {
                out.insert(*id);
            }
        }
        Ok(out)
    }
}

/// The ledger's tables on one SQLite connection (inside the caller's transaction).
struct Rows<'a> {
    conn: &'a Connection,
}

fn hash_col(v: Option<Vec<u8>>) -> Option<docket_ledger::Hash> {
    v.and_then(|b| ledger::to_hash(&b))
}

impl NodeRows for Rows<'_> {
    type Error = rusqlite::Error;

    fn size(&self) -> Result<u64, Self::Error> {
        self.conn
            .prepare_cached("SELECT size FROM ledger_size WHERE id = 1")?
            .query_row([], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
    }

    fn chunk(&self, chunk: u64) -> Result<Option<Chunk>, Self::Error> {
        let mut q = self.conn.prepare_cached("SELECT leaf_hashes, records FROM ledger_leaf_chunks WHERE chunk = ?1")?;
        q.query_row([chunk as i64], |r| Ok(Chunk { hashes: r.get(0)?, records: r.get(1)? })).optional()
    }

    fn put_chunks(&mut self, chunks: &[(u64, Chunk)]) -> Result<(), Self::Error> {
        let mut q = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO ledger_leaf_chunks (chunk, leaf_hashes, records) VALUES (?1, ?2, ?3)",
        )?;
        for (number, c) in chunks {
            q.execute(params![*number as i64, &c.hashes, &c.records])?;
        }
        Ok(())
    }

    fn node(&self, level: u8, index: u64) -> Result<Option<docket_ledger::Hash>, Self::Error> {
        let mut q = self.conn.prepare_cached("SELECT hash FROM ledger_nodes WHERE level = ?1 AND idx = ?2")?;
        Ok(hash_col(q.query_row(params![i64::from(level), index as i64], |r| r.get(0)).optional()?))
    }

    fn put_nodes(&mut self, nodes: &[(u8, u64, docket_ledger::Hash)]) -> Result<(), Self::Error> {
        let mut q = self.conn.prepare_cached("INSERT INTO ledger_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")?;
        for (level, index, hash) in nodes {
            q.execute(params![i64::from(*level), *index as i64, &hash[..]])?;
        }
        Ok(())
    }

    fn set_size(&mut self, size: u64) -> Result<(), Self::Error> {
        self.conn.prepare_cached("UPDATE ledger_size SET size = ?1 WHERE id = 1")?.execute([size as i64])?;
        Ok(())
    }
}

/// Appends leaves in the caller's (immediate, so write-locked) transaction.
fn append_leaves(conn: &Connection, leaves: &[NewLeaf]) -> Result<u64, StoreError> {
    ledger::append(Rows { conn }, leaves)
}

impl Sqlite {
    /// Runs `write` (one transaction) with `synchronous=FULL`: WAL with the connection's usual
    /// `NORMAL` is durable against a crash of the process but may lose the last commits to a
    /// power loss; this commit syncs the WAL to disk before it returns.
    fn synced<T>(&mut self, write: impl FnOnce(&mut Self) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let written = write(self);
        let restored = self.conn.pragma_update(None, "synchronous", "NORMAL");
        let t = written?;
        restored?;
        Ok(t)
    }

    fn record_accesses_synced(&mut self, reads: &[ledger::AccessRow]) -> Result<Vec<i64>, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut ids = Vec::with_capacity(reads.len());
        let mut leaves = Vec::with_capacity(reads.len());
        for a in reads {
            tx.execute(
                "INSERT INTO access_log (at, actor, purpose, record_kind, record_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![a.at, a.actor, a.purpose, a.record_kind, a.record_id],
            )?;
            let id = tx.last_insert_rowid();
            ids.push(id);
            leaves.push(NewLeaf::new(LeafKind::Access, id, &ledger::access_leaf(id, a)));
        }
        // INVARIANT: the access rows and their ledger leaves are committed together.
        append_leaves(&tx, &leaves)?;
        tx.commit()?;
        Ok(ids)
    }

    fn record_disclosure_synced(&mut self, d: &ledger::DisclosureRow) -> Result<i64, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO disclosures (person_id, disclosed_at, recipient_name, recipient_address, purpose, nature,
                 law_enforcement, recorded_by, packet_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                d.person_id,
                d.disclosed_at,
                d.recipient_name,
                d.recipient_address,
                d.purpose,
                d.nature,
                d.law_enforcement.to_string(),
                d.recorded_by,
                d.packet_sha256
            ],
        )?;
        let id = tx.last_insert_rowid();
        // INVARIANT: the disclosure and its ledger leaf are committed together.
        append_leaves(&tx, &[NewLeaf::new(LeafKind::Disclosure, id, &ledger::disclosure_leaf(id, d))])?;
        tx.commit()?;
        Ok(id)
    }

    fn record_policy_synced(&mut self, p: &ledger::PolicyRow) -> Result<i64, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO policies (policy_id, version, kind, effective_at, text, sha256, adopted_by, adopted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![p.policy_id, p.version, p.kind, p.effective_at, p.text, p.sha256, p.adopted_by, p.adopted_at],
        )?;
        let id = tx.last_insert_rowid();
        // INVARIANT: the policy and its ledger leaf are committed together.
        append_leaves(&tx, &[NewLeaf::new(LeafKind::Policy, id, &ledger::policy_leaf(id, p))])?;
        tx.commit()?;
        Ok(id)
    }

    fn read_log(&self) -> docket_ledger::Log<Nodes<Rows<'_>>> {
        docket_ledger::Log::new(Nodes { rows: Rows { conn: &self.conn } })
    }

    fn import_once(
        &mut self,
        events: &[Event],
        expected: Option<Expected>,
        check_ids: bool,
    ) -> Result<Vec<ImportOutcome>, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let plan = plan::plan(events, &mut TxLoader { tx: &tx }, expected, check_ids)?;
        // The immediate transaction holds SQLite's write lock: nothing else can store an event
        // or grow the ledger until it ends, so positions and leaf indexes are known before the
        // rows are written, and the leaves are hashed on a second thread meanwhile.
        let first_position: i64 =
            tx.query_row("SELECT coalesce(max(position), 0) + 1 FROM events", [], |r| r.get(0))?;
        let first_leaf = if ledger::KEPT { Some(Rows { conn: &tx }.size()? as i64) } else { None };
        let payloads: Vec<String> = plan.inserts.iter().map(|&(i, _)| encode_event(&events[i])).collect();
        std::thread::scope(|scope| -> Result<(), StoreError> {
            let hashing = ledger::KEPT.then(|| {
                scope.spawn(|| {
                    ledger::event_leaves(plan.inserts.iter().zip(&payloads).enumerate().map(
                        |(k, (&(i, version), p))| {
                            (first_position + k as i64, events[i].case_id.as_str(), version as i64, p.as_str())
                        },
                    ))
                })
            });
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (position, event_id, case_id, version, event_type, schema_version, effective_at, recorded_at, idempotency_key, payload, leaf_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for (k, (&(i, version), payload)) in plan.inserts.iter().zip(&payloads).enumerate() {
                let e = &events[i];
                insert.execute(params![
                    first_position + k as i64,
                    e.id.to_string(),
                    e.case_id.as_str(),
                    version as i64,
                    e.body.type_name(),
                    i64::from(docket_core::EVENT_SCHEMA_VERSION),
                    e.effective_at.to_string(),
                    e.recorded_at.to_string(),
                    e.idempotency_key.as_str(),
                    payload,
                    first_leaf.map(|f| f + k as i64),
                ])?;
            }
            write_projections(&tx, &plan.projections)?;
            if let Some(hashing) = hashing {
                let leaves = hashing.join().map_err(|_| StoreError::Ledger("the hashing thread failed".into()))?;
                // INVARIANT: the ledger leaf is written in the same transaction as its event.
                append_leaves(&tx, &leaves)?;
            }
            Ok(())
        })?;
        tx.commit()?;
        Ok(plan.outcomes)
    }
}

/// Schema 2 to 3: the rows of `ledger_leaves` become chunk rows (same leaf hashes, so the
/// tree and its checkpoints are unchanged) and each event's row gets its leaf index.
fn migrate_leaves_to_chunks(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut leaves = ledger::V2Leaves::default();
    let mut rows = Rows { conn: tx };
    {
        let mut q =
            tx.prepare("SELECT leaf_index, kind, record_ref, leaf_hash FROM ledger_leaves ORDER BY leaf_index")?;
        let mut stored = q.query([])?;
        while let Some(r) = stored.next()? {
            let kind: String = r.get(1)?;
            let hash: Vec<u8> = r.get(3)?;
            leaves.push(r.get(0)?, &kind, r.get(2)?, &hash)?;
            // Each chunk as it fills, so the table is never held in memory.
            rows.put_chunks(&leaves.take_full())?;
        }
    }
    let size = rows.size()?;
    rows.put_chunks(&leaves.finish(size)?)?;
    tx.execute_batch(
        "UPDATE events SET leaf_index = l.leaf_index FROM ledger_leaves l
             WHERE l.kind = 'event' AND l.record_ref = events.position;
         DROP TABLE ledger_leaves;",
    )?;
    Ok(())
}

/// Appends a leaf for every stored event, in position order (a database from before the
/// ledger existed).
fn ledger_stored_events(tx: &Transaction<'_>) -> Result<(), StoreError> {
    // A page of events at a time, so that a large database is not read into memory at once.
    let mut page = tx.prepare(
        "SELECT position, case_id, version, payload FROM events WHERE position > ?1 ORDER BY position LIMIT 50000",
    )?;
    let mut set = tx.prepare("UPDATE events SET leaf_index = ?1 WHERE position = ?2")?;
    let mut after = i64::MIN;
    loop {
        let events: Vec<(i64, String, i64, String)> =
            page.query_map([after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
        let Some(last) = events.last() else { return Ok(()) };
        after = last.0;
        let leaves = ledger::event_leaves(events.iter().map(|(p, c, v, d)| (*p, c.as_str(), *v, d.as_str())));
        let first = append_leaves(tx, &leaves)?;
        for (k, leaf) in leaves.iter().enumerate() {
            set.execute([first as i64 + k as i64, leaf.reference])?;
        }
    }
}

/// Stores new persons (or, for a correction, new versions of stored ones) in the caller's
/// transaction: each written version is a `person_versions` row and a ledger leaf, and the
/// `persons` row becomes it.
fn write_persons(
    tx: &Transaction<'_>,
    persons: &[Person],
    correction: bool,
    rec: &crate::persons::Recording,
) -> Result<Vec<crate::persons::PersonOutcome>, StoreError> {
    let stored = latest_versions(tx, persons)?;
    let (outcomes, writes) = crate::persons::plan(persons, stored, correction, rec);
    if writes.is_empty() {
        return Ok(outcomes);
    }
    let mut insert =
        tx.prepare_cached("INSERT INTO person_versions (person_id, version, payload) VALUES (?1, ?2, ?3)")?;
    let mut upsert = tx.prepare_cached(PERSON_UPSERT)?;
    let mut leaves = Vec::with_capacity(writes.len());
    for w in &writes {
        insert.execute(params![w.person.id.as_str(), w.version as i64, w.payload])?;
        let id = tx.last_insert_rowid();
        leaves.push(NewLeaf::new(LeafKind::Person, id, &crate::persons::person_leaf(id, &w.payload)));
        upsert.execute(rusqlite::params_from_iter(person_columns(&w.row, w.person)))?;
    }
    // INVARIANT: a person's version, its leaf and the `persons` row are committed together.
    append_leaves(tx, &leaves)?;
    Ok(outcomes)
}

/// How many person ids one lookup of latest versions binds.
const IDS_PER_LOOKUP: usize = 500;

/// The latest stored version of each of `persons` that has one: one query per
/// [`IDS_PER_LOOKUP`] ids rather than one per person.
fn latest_versions(tx: &Transaction<'_>, persons: &[Person]) -> Result<HashMap<PersonId, (Person, u64)>, StoreError> {
    let by_id: HashMap<&str, &PersonId> = persons.iter().map(|p| (p.id.as_str(), &p.id)).collect();
    let mut ids: Vec<&str> = by_id.keys().copied().collect();
    // In id order, the lookups walk the index from left to right.
    ids.sort_unstable();
    // Every lookup binds the same number of ids (the last chunk repeats its last id), so one
    // prepared statement serves them all. SQLite takes a bare column of an aggregate query
    // with max() from the row that holds the maximum: each id's latest version.
    let mut latest = tx.prepare_cached(&format!(
        "SELECT person_id, id, payload, max(version) FROM person_versions WHERE person_id IN ({}) GROUP BY person_id",
        vec!["?"; IDS_PER_LOOKUP].join(", ")
    ))?;
    let mut stored = HashMap::new();
    for chunk in ids.chunks(IDS_PER_LOOKUP) {
        let padded = chunk.iter().chain(std::iter::repeat(chunk.last().unwrap_or(&""))).take(IDS_PER_LOOKUP);
        let mut rows = latest.query(rusqlite::params_from_iter(padded))?;
        while let Some(r) = rows.next()? {
            let person_id: String = r.get(0)?;
            let id: i64 = r.get(1)?;
            let v = crate::persons::decode(&r.get::<_, String>(2)?, id)?;
            if let Some(&key) = by_id.get(person_id.as_str()) {
                stored.insert(key.clone(), (v.person, v.version));
            }
        }
    }
    Ok(stored)
}

/// Writes a person's `persons` row, the latest version of their identity.
const PERSON_UPSERT: &str = "INSERT INTO persons (person_id, a_number, given_names, family_names, name_order, given_folded, family_folded, aliases, date_of_birth, sex, nationality, passport_number, passport_country, passport_expiry)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
     ON CONFLICT (person_id) DO UPDATE SET a_number = excluded.a_number, given_names = excluded.given_names,
        family_names = excluded.family_names, name_order = excluded.name_order, given_folded = excluded.given_folded,
        family_folded = excluded.family_folded, aliases = excluded.aliases, date_of_birth = excluded.date_of_birth,
        sex = excluded.sex, nationality = excluded.nationality, passport_number = excluded.passport_number,
        passport_country = excluded.passport_country, passport_expiry = excluded.passport_expiry";

/// Takes the persons stored before schema 5 into the ledger: version 1 of each, as found.
fn ledger_stored_persons(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let rec = crate::migration_recording();
    let mut q = tx.prepare(&format!("{PERSON_SELECT} ORDER BY person_id"))?;
    let mut found = Vec::new();
    let mut rows = q.query([])?;
    while let Some(r) = rows.next()? {
        found.push(person_from_columns(person_columns_at(r, 0)?)?);
    }
    for page in found.chunks(50_000) {
        write_persons(tx, page, false, &rec)?;
    }
    Ok(())
}

fn write_projections(tx: &Transaction<'_>, projections: &[CaseSummary]) -> Result<(), StoreError> {
    let mut upsert = tx.prepare_cached(&format!(
        "INSERT INTO case_projection ({}) VALUES ({}) {}",
        projection_sql::names(),
        projection_sql::placeholders(false),
        projection_sql::on_conflict_update()
    ))?;
    for s in projections {
        upsert.execute(ProjectionRow::of(s).sqlite_values().as_slice())?;
    }
    Ok(())
}

/// SQLite's words for the placeholders of the migration steps' SQL.
pub(crate) const DIALECT: migrations::Dialect = migrations::Dialect {
    words: &[
        ("{pk}", "INTEGER PRIMARY KEY"),
        ("{bool}", "INTEGER"),
        ("{blob}", "BLOB"),
        ("{leaf_pk}", "INTEGER PRIMARY KEY"),
        ("{row_pk}", "INTEGER PRIMARY KEY"),
        ("{chunk_pk}", "INTEGER PRIMARY KEY"),
        ("{without_rowid}", " WITHOUT ROWID"),
    ],
};

/// The columns of `schema_migrations`; none where there is no such table.
fn migration_columns(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut q = conn.prepare("SELECT name FROM pragma_table_info('schema_migrations')")?;
    let columns = q.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(columns)
}

/// The rows of `schema_migrations`, NULL standing for the columns its table may predate.
fn recorded_migrations(conn: &Connection) -> Result<Vec<migrations::Recorded>, StoreError> {
    let columns = migration_columns(conn)?;
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let column = |c: &str| if columns.iter().any(|have| have == c) { c.to_owned() } else { "NULL".to_owned() };
    let mut q = conn.prepare(&format!(
        "SELECT version, {}, coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', applied_at), applied_at), {} FROM schema_migrations ORDER BY version",
        column("name"),
        column("checksum")
    ))?;
    let rows = q
        .query_map([], |r| {
            Ok(migrations::Recorded { version: r.get(0)?, name: r.get(1)?, applied_at: r.get(2)?, checksum: r.get(3)? })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn read_ledger_keys(conn: &Connection) -> Result<Vec<ledger::LedgerKey>, StoreError> {
    let mut q = conn.prepare(
        "SELECT verifier_key, from_size, recorded_at, rotation FROM ledger_keys ORDER BY from_size, recorded_at",
    )?;
    Ok(q.query_map([], |r| {
        Ok(ledger::LedgerKey {
            verifier_key: r.get(0)?,
            from_size: r.get::<_, i64>(1)? as u64,
            recorded_at: r.get(2)?,
            rotation: r.get(3)?,
        })
    })?
    .collect::<Result<_, _>>()?)
}

/// Stored checkpoints, in the order (and limit) `order` gives.
fn read_checkpoints(conn: &Connection, order: &str) -> Result<Vec<StoredCheckpoint>, StoreError> {
    let mut q = conn.prepare(&format!("SELECT size, root, note FROM ledger_checkpoints {order}"))?;
    let rows: Vec<(i64, Vec<u8>, String)> =
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(size, root, note)| StoredCheckpoint {
            size: size as u64,
            root: ledger::to_hash(&root).unwrap_or([0; 32]),
            note,
        })
        .collect())
}

fn insert_checkpoint(conn: &Connection, cp: &StoredCheckpoint) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO ledger_checkpoints (size, root, note, created_at) VALUES (?1, ?2, ?3, datetime('now'))
         ON CONFLICT (size) DO NOTHING",
        params![cp.size as i64, &cp.root[..], cp.note],
    )?;
    Ok(())
}

const PERSON_SELECT: &str = "SELECT person_id, a_number, given_names, family_names, name_order, given_folded, family_folded, aliases, date_of_birth, sex, nationality, passport_number, passport_country, passport_expiry FROM persons";

/// An `access_log` row from its columns `at, actor, purpose, record_kind, record_id`.
fn access_row(a: &rusqlite::Row<'_>, from: usize) -> rusqlite::Result<ledger::AccessRow> {
    Ok(ledger::AccessRow {
        at: a.get(from)?,
        actor: a.get(from + 1)?,
        purpose: a.get(from + 2)?,
        record_kind: a.get(from + 3)?,
        record_id: a.get(from + 4)?,
    })
}

/// A `persons` row's 14 columns, from column `at` on.
fn person_columns_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<[Option<String>; 14]> {
    let mut c: [Option<String>; 14] = Default::default();
    for (i, slot) in c.iter_mut().enumerate() {
        *slot = r.get(at + i)?;
    }
    Ok(c)
}

impl Backend for Sqlite {
    fn schema_version(&mut self) -> Result<i64, StoreError> {
        let has_table: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            [],
            |r| r.get(0),
        )?;
        if !has_table {
            return Ok(0);
        }
        Ok(self.conn.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<i64, StoreError> {
        // One immediate transaction: a second process migrating at the same time waits, then
        // finds the work done; a failure leaves the database as it was.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, name TEXT, checksum TEXT)",
        )?;
        // A table from before steps had identities gains the columns; its rows keep NULL there,
        // as what they applied is not known.
        let columns = migration_columns(&tx)?;
        for column in ["name", "checksum"] {
            if !columns.iter().any(|c| c == column) {
                tx.execute_batch(&format!("ALTER TABLE schema_migrations ADD COLUMN {column} TEXT"))?;
            }
        }
        let recorded = recorded_migrations(&tx)?;
        let current = migrations::latest(&recorded);
        if current > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { found: current });
        }
        migrations::check(&migrations::status(&DIALECT, recorded))?;
        for step in migrations::after(current) {
            tx.execute_batch(&step.sql(&DIALECT))?;
            // INVARIANT: the code run here is what the step's code tag in `migrations::STEPS`
            // names: a change that makes it write anything else for the same data changes the
            // tag, and so the step's checksum.
            match step.version {
                3 => {
                    migrate_leaves_to_chunks(&tx)?;
                    if current < 2 {
                        // Events stored before the ledger existed become its first leaves, in
                        // order. Only then: at schema 2 every event already has its leaf, and one
                        // without is for `verify` to report, not for a migration to take in.
                        ledger_stored_events(&tx)?;
                    }
                }
                5 => ledger_stored_persons(&tx)?,
                _ => {}
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at, name, checksum) VALUES (?1, datetime('now'), ?2, ?3)",
                params![step.version, step.name, step.checksum(&DIALECT)],
            )?;
        }
        tx.commit()?;
        self.schema_version()
    }

    fn dialect(&self) -> &'static migrations::Dialect {
        &DIALECT
    }

    fn recorded_migrations(&mut self) -> Result<Vec<migrations::Recorded>, StoreError> {
        recorded_migrations(&self.conn)
    }

    fn projection_format(&mut self) -> Result<i64, StoreError> {
        let value: Option<String> = self
            .conn
            .query_row("SELECT value FROM store_meta WHERE key = 'projection_format'", [], |r| r.get(0))
            .optional()?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    fn set_projection_format(&mut self, format: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO store_meta (key, value) VALUES ('projection_format', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [format.to_string()],
        )?;
        Ok(())
    }

    fn import(&mut self, events: &[Event], expected: Option<Expected>) -> Result<Vec<ImportOutcome>, StoreError> {
        match self.import_once(events, expected, false) {
            // An event id already stored under another case or key: plan again, checking ids.
            Err(e) if is_unique_violation(&e) => self.import_once(events, expected, true),
            other => other,
        }
    }

    fn write_persons(
        &mut self,
        persons: &[Person],
        correction: bool,
        rec: &crate::persons::Recording,
    ) -> Result<Vec<crate::persons::PersonOutcome>, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcomes = write_persons(&tx, persons, correction, rec)?;
        tx.commit()?;
        Ok(outcomes)
    }

    fn person_versions(&mut self, id: &PersonId) -> Result<Vec<(i64, String)>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached("SELECT id, payload FROM person_versions WHERE person_id = ?1 ORDER BY version")?;
        Ok(q.query_map([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?)
    }

    fn scan_person_heads(&mut self, f: &mut crate::PersonHeads<'_>) -> Result<(), StoreError> {
        // Two scans in id order, merged here: SQLite ran the join of `persons` with each
        // person's latest version as a nested loop (hours at 100,000 persons).
        let tx = self.conn.transaction()?;
        {
            let mut persons = tx.prepare(&format!("{PERSON_SELECT} ORDER BY person_id"))?;
            let mut versions =
                tx.prepare("SELECT person_id, id, payload FROM person_versions ORDER BY person_id, version")?;
            let mut prows = persons.query([])?;
            let mut vrows = versions.query([])?;
            let next_person = |rows: &mut rusqlite::Rows<'_>| -> Result<Option<[Option<String>; 14]>, StoreError> {
                let Some(r) = rows.next()? else { return Ok(None) };
                Ok(Some(person_columns_at(r, 0)?))
            };
            let next_version = |rows: &mut rusqlite::Rows<'_>| -> Result<Option<(String, i64, String)>, StoreError> {
                let Some(r) = rows.next()? else { return Ok(None) };
                Ok(Some((r.get(0)?, r.get(1)?, r.get(2)?)))
            };
            let mut person = next_person(&mut prows)?;
            let mut version = next_version(&mut vrows)?;
            loop {
                // The latest version of the next person id among the versions.
                let latest_id = version.as_ref().map(|v| v.0.clone());
                let pid = person.as_ref().and_then(|c| c[0].clone());
                let id = match (&pid, &latest_id) {
                    (None, None) => break,
                    (Some(p), None) => p.clone(),
                    (None, Some(v)) => v.clone(),
                    (Some(p), Some(v)) => p.min(v).clone(),
                };
                let mut latest = None;
                while version.as_ref().is_some_and(|v| v.0 == id) {
                    latest = version.take().map(|(_, row, payload)| (row, payload));
                    version = next_version(&mut vrows)?;
                }
                let row = if pid.as_deref() == Some(id.as_str()) {
                    let row = person.take();
                    person = next_person(&mut prows)?;
                    row
                } else {
                    None
                };
                f(id, row, latest);
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn person(&mut self, id: &PersonId) -> Result<Option<Person>, StoreError> {
        let mut q = self.conn.prepare_cached(&format!("{PERSON_SELECT} WHERE person_id = ?1"))?;
        let cols = q.query_row([id.as_str()], |r| person_columns_at(r, 0)).optional()?;
        cols.map(person_from_columns).transpose()
    }

    fn events(&mut self, case: &CaseId) -> Result<Vec<Event>, StoreError> {
        let mut q =
            self.conn.prepare_cached("SELECT position, payload FROM events WHERE case_id = ?1 ORDER BY version")?;
        let mut rows = q.query([case.as_str()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(decode_event(&r.get::<_, String>(1)?, r.get(0)?)?);
        }
        Ok(out)
    }

    fn event_by_key(&mut self, case: &CaseId, key: &str) -> Result<Option<Event>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached("SELECT position, payload FROM events WHERE case_id = ?1 AND idempotency_key = ?2")?;
        let row: Option<(i64, String)> =
            q.query_row([case.as_str(), key], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        row.map(|(pos, payload)| decode_event(&payload, pos)).transpose()
    }

    fn summary(&mut self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
        let mut q = self.conn.prepare_cached("SELECT summary FROM case_projection WHERE case_id = ?1")?;
        let json: Option<String> = q.query_row([case.as_str()], |r| r.get(0)).optional()?;
        json.map(|j| decode_summary(&j, case.as_str())).transpose()
    }

    fn scan_summaries(
        &mut self,
        f: &mut dyn FnMut(Result<CaseSummary, StoreError>) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        let mut q = self.conn.prepare("SELECT case_id, summary FROM case_projection ORDER BY case_id")?;
        let mut rows = q.query([])?;
        while let Some(r) = rows.next()? {
            let case: String = r.get(0)?;
            // A row that cannot be decoded is reported to `f`, which decides whether to go on.
            let summary = r.get::<_, String>(1).map_err(StoreError::from).and_then(|j| decode_summary(&j, &case));
            if f(summary).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn scan_dates_of_birth(&mut self, f: &mut dyn FnMut(&str, &str)) -> Result<(), StoreError> {
        let mut q = self.conn.prepare_cached("SELECT person_id, date_of_birth FROM persons")?;
        let mut rows = q.query([])?;
        while let Some(r) = rows.next()? {
            let (id, dob): (String, String) = (r.get(0)?, r.get(1)?);
            f(&id, &dob);
        }
        Ok(())
    }

    fn cases_of_person(&mut self, person: &PersonId) -> Result<Vec<CaseId>, StoreError> {
        let mut q =
            self.conn.prepare_cached("SELECT case_id FROM case_projection WHERE person_id = ?1 ORDER BY case_id")?;
        let ids: Vec<String> = q.query_map([person.as_str()], |r| r.get(0))?.collect::<Result<_, _>>()?;
        ids.iter()
            .map(|c| {
                CaseId::parse(c).map_err(|e| StoreError::Corrupt {
                    what: "case id",
                    key: c.clone(),
                    reason: e.to_string(),
                })
            })
            .collect()
    }

    fn rebuild(&mut self, repair: bool, progress: &mut dyn FnMut(u64)) -> Result<RebuildReport, StoreError> {
        // A check only reads (one snapshot); a repair writes, so it holds the write lock.
        let behavior = if repair { TransactionBehavior::Immediate } else { TransactionBehavior::Deferred };
        let tx = self.conn.transaction_with_behavior(behavior)?;
        tx.execute_batch(&format!(
            "DROP TABLE IF EXISTS temp.rebuilt; CREATE TEMP TABLE rebuilt ({});",
            projection_sql::definitions(false)
        ))?;
        let mut report = RebuildReport::default();
        {
            let mut insert = tx.prepare(&format!(
                "INSERT INTO temp.rebuilt ({}) VALUES ({})",
                projection_sql::names(),
                projection_sql::placeholders(false)
            ))?;
            let mut flush = |state: &docket_core::CaseState, report: &mut RebuildReport| -> Result<(), StoreError> {
                if let Some(s) = state.summary() {
                    insert.execute(ProjectionRow::of(&s).sqlite_values().as_slice())?;
                    report.cases += 1;
                }
                Ok(())
            };
            let mut q = tx.prepare("SELECT position, case_id, payload FROM events ORDER BY case_id, version")?;
            let mut rows = q.query([])?;
            let mut current: Option<String> = None;
            let mut state = docket_core::CaseState::default();
            while let Some(r) = rows.next()? {
                let case: String = r.get(1)?;
                if current.as_deref() != Some(case.as_str()) {
                    flush(&state, &mut report)?;
                    state = docket_core::CaseState::default();
                    current = Some(case);
                }
                state.apply(&decode_event(&r.get::<_, String>(2)?, r.get(0)?)?);
                report.events += 1;
                if report.events % 100_000 == 0 {
                    progress(report.events);
                }
            }
            flush(&state, &mut report)?;
        }
        progress(report.events);
        {
            let mut diff = tx.prepare(&format!(
                "SELECT coalesce(a.case_id, b.case_id) FROM case_projection a FULL JOIN temp.rebuilt b ON a.case_id = b.case_id
                 WHERE a.case_id IS NULL OR b.case_id IS NULL OR {}
                 ORDER BY 1",
                projection_sql::differ("a", "b", false)
            ))?;
            let ids: Vec<String> = diff.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            report.differing_count = ids.len() as u64;
            report.differing = ids.into_iter().take(20).collect();
        }
        if repair && report.differing_count > 0 {
            let names = projection_sql::names();
            tx.execute_batch(&format!(
                "DELETE FROM case_projection;
                 INSERT INTO case_projection ({names}) SELECT {names} FROM temp.rebuilt;"
            ))?;
        }
        tx.execute_batch("DROP TABLE temp.rebuilt")?;
        tx.commit()?;
        Ok(report)
    }

    fn stats(&mut self) -> Result<Stats, StoreError> {
        let count =
            |sql: &str| -> Result<u64, StoreError> { Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        Ok(Stats {
            persons: count("SELECT count(*) FROM persons")?,
            cases: count("SELECT count(*) FROM case_projection")?,
            events: count("SELECT count(*) FROM events")?,
        })
    }

    fn ledger_size(&mut self) -> Result<u64, StoreError> {
        Ok(Rows { conn: &self.conn }.size()?)
    }

    fn ledger_root(&mut self, size: u64) -> Result<docket_ledger::Hash, StoreError> {
        self.read_log().root(size).map_err(ledger_err)
    }

    fn inclusion_proof(&mut self, index: u64, size: u64) -> Result<Vec<docket_ledger::Hash>, StoreError> {
        self.read_log().inclusion_proof(index, size).map_err(ledger_err)
    }

    fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<docket_ledger::Hash>, StoreError> {
        self.read_log().consistency_proof(old, new).map_err(ledger_err)
    }

    fn event_leaf(&mut self, id: &EventId) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached("SELECT leaf_index, position, case_id, version, payload FROM events WHERE event_id = ?1")?;
        let row: Option<(Option<i64>, i64, String, i64, String)> = q
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .optional()?;
        row.map(|(leaf, position, case, version, payload)| {
            let leaf = leaf.ok_or_else(|| ledger::no_leaf(id))?;
            Ok((leaf as u64, ledger::event_leaf(position, &case, version, &payload)))
        })
        .transpose()
    }

    fn leaf_record(&mut self, kind: LeafKind, key: i64) -> Result<Option<ledger::LeafRecord>, StoreError> {
        let record = match kind {
            LeafKind::Access => self
                .conn
                .query_row(
                    "SELECT at, actor, purpose, record_kind, record_id FROM access_log WHERE id = ?1",
                    [key],
                    |a| access_row(a, 0),
                )
                .optional()?
                .map(|a| ledger::LeafRecord::of_access(key, &a)),
            LeafKind::Disclosure => self
                .conn
                .query_row(
                    "SELECT person_id, disclosed_at, recipient_name, recipient_address, purpose, nature,
                            law_enforcement, recorded_by, packet_sha256 FROM disclosures WHERE id = ?1",
                    [key],
                    |d| {
                        let person: String = d.get(0)?;
                        disclosure_from(person, |i| d.get(i - 12))
                    },
                )
                .optional()?
                .map(|d| ledger::LeafRecord::of_disclosure(key, &d)),
            LeafKind::Person => self
                .conn
                .query_row("SELECT person_id, payload FROM person_versions WHERE id = ?1", [key], |p| {
                    Ok((p.get::<_, String>(0)?, p.get::<_, String>(1)?))
                })
                .optional()?
                .map(|(person, payload)| ledger::LeafRecord::of_person_version(key, person, &payload)),
            LeafKind::Policy => self
                .conn
                .query_row(&format!("SELECT {POLICY_COLUMNS} FROM policies WHERE id = ?1"), [key], policy_row)
                .optional()?
                .map(|p| ledger::LeafRecord::of_policy(key, &p)),
            LeafKind::DepartureAct => self
                .conn
                .query_row(&format!("SELECT {ACT_COLUMNS} FROM departure_acts WHERE id = ?1"), [key], |r| act_row(r, 0))
                .optional()?
                .map(|a| ledger::LeafRecord::of_departure_act(key, &a)),
            LeafKind::Event => None,
        };
        Ok(record)
    }

    fn checkpoints(&mut self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        read_checkpoints(&self.conn, "ORDER BY size")
    }

    fn scan_export(
        &mut self,
        person: &mut dyn FnMut([Option<String>; 14]) -> Result<(), StoreError>,
        event: &mut dyn FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // One read transaction: persons and events of one snapshot.
        let tx = self.conn.transaction()?;
        {
            let mut q = tx.prepare(&format!("{PERSON_SELECT} ORDER BY person_id"))?;
            let mut rows = q.query([])?;
            while let Some(r) = rows.next()? {
                person(person_columns_at(r, 0)?)?;
            }
            let mut q = tx.prepare("SELECT payload FROM events ORDER BY position")?;
            let mut rows = q.query([])?;
            while let Some(r) = rows.next()? {
                event(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn ledger_keys(&mut self) -> Result<Vec<ledger::LedgerKey>, StoreError> {
        read_ledger_keys(&self.conn)
    }

    fn sign_locked(
        &mut self,
        f: &mut dyn FnMut(&ledger::SigningView) -> Option<ledger::SigningWrites>,
    ) -> Result<(), StoreError> {
        // The write lock: no leaf is appended and no other signer reads the keys until this
        // transaction ends.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let size = Rows { conn: &tx }.size()?;
        let view = ledger::SigningView {
            keys: read_ledger_keys(&tx)?,
            size,
            root: docket_ledger::Log::new(Nodes { rows: Rows { conn: &tx } }).root(size).map_err(ledger_err)?,
            last_checkpoint: read_checkpoints(&tx, "ORDER BY size DESC LIMIT 1")?.pop(),
        };
        // INVARIANT: what the signer decided from `view` is stored before the lock is released.
        let Some(writes) = f(&view) else { return Ok(()) };
        for k in &writes.keys {
            tx.execute(
                "INSERT INTO ledger_keys (verifier_key, from_size, recorded_at, rotation) VALUES (?1, ?2, ?3, ?4)",
                params![k.verifier_key, k.from_size as i64, k.recorded_at, k.rotation],
            )?;
        }
        if let Some(cp) = &writes.checkpoint {
            insert_checkpoint(&tx, cp)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn add_checkpoint(&mut self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        insert_checkpoint(&self.conn, cp)
    }

    fn scan_leaves(&mut self, emit: &mut dyn FnMut(LeafBatch) -> Result<(), StoreError>) -> Result<(), StoreError> {
        // One connection, so one snapshot: the ranges are read in turn while the checking
        // thread works on the previous batch. (Two readers on connections of their own were
        // tried: on two cores they gained nothing measurable and cost more system time.)
        for range in chunk_ranges(&self.conn)? {
            emit(scan_range(&self.conn, range)?)?;
        }
        Ok(())
    }

    fn scan_chunks(&mut self, f: &mut dyn FnMut(u64, Chunk) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut q = self.conn.prepare("SELECT chunk, leaf_hashes, records FROM ledger_leaf_chunks ORDER BY chunk")?;
        let mut rows = q.query([])?;
        while let Some(r) = rows.next()? {
            f(r.get::<_, i64>(0)? as u64, Chunk { hashes: r.get(1)?, records: r.get(2)? })?;
        }
        Ok(())
    }

    fn scan_nodes(&mut self, f: &mut dyn FnMut(u8, u64, Vec<u8>)) -> Result<(), StoreError> {
        let mut q = self.conn.prepare("SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx")?;
        let mut rows = q.query([])?;
        while let Some(r) = rows.next()? {
            f(r.get::<_, i64>(0)? as u8, r.get::<_, i64>(1)? as u64, r.get(2)?);
        }
        Ok(())
    }

    fn record_count(&mut self, kind: LeafKind) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(ledger::count_sql(kind), [], |r| r.get::<_, i64>(0))? as u64)
    }

    fn unnamed_records(&mut self, kind: LeafKind, named: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        let mut q = self.conn.prepare(ledger::describe_sql(kind))?;
        let mut rows = q.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let key: i64 = r.get(0)?;
            if named.binary_search(&key).is_err() {
                out.push((key, r.get(1)?));
            }
        }
        Ok(out)
    }

    fn record_disclosure(&mut self, d: &ledger::DisclosureRow) -> Result<i64, StoreError> {
        // A disclosure's packet is released once this returns, so its commit must survive a
        // power loss too.
        self.synced(|s| s.record_disclosure_synced(d))
    }

    fn record_policy(&mut self, p: &ledger::PolicyRow) -> Result<i64, StoreError> {
        // Gates and priorities name the policy in force from this commit on: it must survive a
        // power loss, as a disclosure must.
        self.synced(|s| s.record_policy_synced(p))
    }

    fn store_departures(&mut self, rows: &[departures::NewDeparture]) -> Result<Vec<departures::Placed>, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut placed = Vec::with_capacity(rows.len());
        let mut leaves = Vec::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO departure_records (record_key, received_at, departed_on, port, payload, outcome, purge_after)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (record_key) DO NOTHING",
            )?;
            for d in rows {
                let inserted = insert.execute(params![
                    d.key,
                    d.received_at,
                    d.departed_on,
                    d.port,
                    d.payload,
                    d.outcome.name(),
                    d.purge_after
                ])?;
                if inserted == 0 {
                    placed.push(departures::Placed::AlreadyStored);
                    continue;
                }
                for (day, port, outcome, n) in departures::counts_of(d) {
                    bump(&tx, &day, &port, outcome, n)?;
                }
                let review = match &d.review {
                    Some(act) => {
                        let (id, leaf) = insert_act(&tx, act)?;
                        tx.execute(
                            "UPDATE departure_records SET review_act = ?1 WHERE record_key = ?2",
                            params![id, d.key],
                        )?;
                        leaves.push(leaf);
                        Some(id)
                    }
                    None => None,
                };
                placed.push(departures::Placed::Stored { review });
            }
        }
        // INVARIANT: a review item's opening act and its leaf are committed together.
        if !leaves.is_empty() {
            append_leaves(&tx, &leaves)?;
        }
        tx.commit()?;
        Ok(placed)
    }

    fn departure(&mut self, key: &str) -> Result<Option<departures::StoredDeparture>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {DEPARTURE_COLUMNS} FROM departure_records WHERE record_key = ?1"),
                [key],
                departure_cells,
            )
            .optional()?
            .map(departure_of)
            .transpose()
    }

    fn decide_review(&mut self, d: &departures::ReviewDecision) -> Result<Option<i64>, StoreError> {
        self.synced(|s| {
            let tx = s.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let subject = departures::review_subject(d.review);
            let decided: Option<i64> = tx
                .query_row(
                    "SELECT id FROM departure_acts WHERE subject = ?1 AND kind IN ('review_accepted', 'review_rejected')",
                    [&subject],
                    |r| r.get(0),
                )
                .optional()?;
            let record = tx
                .query_row(
                    &format!("SELECT {DEPARTURE_COLUMNS} FROM departure_records WHERE review_act = ?1"),
                    [d.review],
                    departure_cells,
                )
                .optional()?;
            let Some(record) = record.filter(|_| decided.is_none()) else {
                return Ok(None);
            };
            let record = departure_of(record)?;
            let (id, leaf) = insert_act(&tx, &d.act)?;
            tx.execute(
                "UPDATE departure_records SET outcome = ?1, purge_after = ?2 WHERE record_key = ?3",
                params![d.outcome.name(), d.purge_after, record.key],
            )?;
            bump(&tx, &record.departed_on, &record.port, departures::Outcome::Review.name(), -1)?;
            bump(&tx, &record.departed_on, &record.port, d.outcome.name(), 1)?;
            // INVARIANT: the decision and its leaf are committed together.
            append_leaves(&tx, &[leaf])?;
            tx.commit()?;
            Ok(Some(id))
        })
    }

    fn purge_departures(&mut self, now: &str, act: &ledger::DepartureActRow) -> Result<departures::Purged, StoreError> {
        self.synced(|s| {
            let tx = s.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let rows: Vec<(String, String, String, String)> = tx
                .prepare(
                    "SELECT record_key, payload, departed_on, port FROM departure_records
                         WHERE purge_after IS NOT NULL AND purge_after <= ?1 ORDER BY record_key",
                )?
                .query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?;
            let sha256 = departures::removed_sha256(rows.iter().map(|r| (r.0.as_str(), r.1.as_str())));
            if rows.is_empty() {
                return Ok(departures::Purged { records: 0, act: None, sha256 });
            }
            let mut per: std::collections::BTreeMap<(&str, &str), i64> = std::collections::BTreeMap::new();
            for r in &rows {
                *per.entry((r.2.as_str(), r.3.as_str())).or_default() += 1;
            }
            for ((day, port), n) in per {
                bump(&tx, day, port, "purged", n)?;
            }
            {
                let mut delete = tx.prepare_cached("DELETE FROM departure_records WHERE record_key = ?1")?;
                for r in &rows {
                    delete.execute([&r.0])?;
                }
            }
            let act = departures::purge_act(act, rows.len() as u64, &sha256);
            let (id, leaf) = insert_act(&tx, &act)?;
            // INVARIANT: the deletion and the act recording it are committed together.
            append_leaves(&tx, &[leaf])?;
            tx.commit()?;
            Ok(departures::Purged { records: rows.len() as u64, act: Some(id), sha256 })
        })
    }

    fn departure_counts(&mut self, from: &str, to: &str) -> Result<Vec<departures::CountRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT day, port, outcome, n FROM departure_counts WHERE day >= ?1 AND day <= ?2
                     ORDER BY day, port, outcome",
            )?
            .query_map([from, to], |r| {
                Ok(departures::CountRow { day: r.get(0)?, port: r.get(1)?, outcome: r.get(2)?, n: r.get(3)? })
            })?
            .collect::<Result<_, _>>()?)
    }

    fn record_departure_act(&mut self, act: &ledger::DepartureActRow) -> Result<i64, StoreError> {
        self.synced(|s| {
            let tx = s.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (id, leaf) = insert_act(&tx, act)?;
            append_leaves(&tx, &[leaf])?;
            tx.commit()?;
            Ok(id)
        })
    }

    fn departure_acts(
        &mut self,
        kind: &str,
        subject: Option<&str>,
    ) -> Result<Vec<(i64, ledger::DepartureActRow)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT id, {ACT_COLUMNS} FROM departure_acts WHERE kind = ?1 AND (?2 IS NULL OR subject = ?2) ORDER BY id"
            ))?
            .query_map(params![kind, subject], |r| Ok((r.get(0)?, act_row(r, 1)?)))?
            .collect::<Result<_, _>>()?)
    }

    fn policies(&mut self) -> Result<Vec<(i64, ledger::PolicyRow)>, StoreError> {
        let mut q = self.conn.prepare_cached(&format!("SELECT id, {POLICY_COLUMNS} FROM policies ORDER BY id"))?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, policy_row_at(r, 1)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn disclosures(&mut self, person_id: &str) -> Result<Vec<(i64, ledger::DisclosureRow)>, StoreError> {
        let mut q = self.conn.prepare(
            "SELECT id, person_id, disclosed_at, recipient_name, recipient_address, purpose, nature, law_enforcement,
                    recorded_by, packet_sha256 FROM disclosures WHERE person_id = ?1 ORDER BY id",
        )?;
        let mut rows = q.query([person_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let person: String = r.get(1)?;
            out.push((id, disclosure_from(person, |i| r.get(i - 11))?));
        }
        Ok(out)
    }

    fn record_accesses(&mut self, reads: &[ledger::AccessRow]) -> Result<Vec<i64>, StoreError> {
        // The record is shown once this returns, so the read's entry must survive a power
        // loss too, as a disclosure's does.
        self.synced(|s| s.record_accesses_synced(reads))
    }

    fn table_names(&mut self) -> Result<Vec<String>, StoreError> {
        let mut q = self.conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?;
        Ok(q.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
    }

    fn row_count(&mut self, table: &crate::copy::Table) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(&format!("SELECT count(*) FROM {}", table.name), [], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn scan_tables(
        &mut self,
        tables: &[crate::copy::Table],
        f: &mut crate::copy::RowSink<'_>,
    ) -> Result<(), StoreError> {
        // One read transaction: every table of one snapshot (WAL keeps it while writers go on).
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        for table in tables {
            let mut q =
                tx.prepare(&format!("SELECT {} FROM {} ORDER BY {}", table.column_list(), table.name, table.order))?;
            let mut rows = q.query([])?;
            let mut batch = Vec::with_capacity(crate::copy::BATCH);
            while let Some(r) = rows.next()? {
                batch.push(copy_cells(r, table)?);
                if batch.len() == crate::copy::BATCH {
                    f(table, std::mem::take(&mut batch))?;
                }
            }
            if !batch.is_empty() {
                f(table, batch)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn begin_load(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE; DELETE FROM ledger_size; DELETE FROM store_meta;")?;
        Ok(())
    }

    fn load_rows(&mut self, table: &crate::copy::Table, rows: &[Vec<crate::copy::Cell>]) -> Result<(), StoreError> {
        let marks = (1..=table.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let mut insert = self.conn.prepare_cached(&format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            table.name,
            table.column_list()
        ))?;
        for row in rows {
            insert.execute(rusqlite::params_from_iter(row.iter().map(copy_value)))?;
        }
        Ok(())
    }

    fn finish_load(&mut self, commit: bool) -> Result<(), StoreError> {
        self.conn.execute_batch(if commit { "COMMIT" } else { "ROLLBACK" })?;
        Ok(())
    }

    fn accesses(&mut self, record_kind: &str, record_id: &str) -> Result<Vec<(i64, ledger::AccessRow)>, StoreError> {
        let mut q = self.conn.prepare(
            "SELECT id, at, actor, purpose, record_kind, record_id FROM access_log
             WHERE record_kind = ?1 AND record_id = ?2 ORDER BY id",
        )?;
        Ok(q.query_map([record_kind, record_id], |r| Ok((r.get(0)?, access_row(r, 1)?)))?.collect::<Result<_, _>>()?)
    }
}

/// The stored chunks in ranges of [`LeafBatch::LEAVES`] leaves: `[first, end)` chunk numbers,
/// in order, each holding the same number of stored chunk rows whatever their numbers are.
fn chunk_ranges(conn: &Connection) -> Result<Vec<(i64, i64)>, StoreError> {
    let per_range = LeafBatch::LEAVES / ledger::LEAVES_PER_CHUNK as usize;
    let mut q = conn.prepare("SELECT chunk FROM ledger_leaf_chunks ORDER BY chunk")?;
    let numbers: Vec<i64> = q.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(numbers.chunks(per_range).map(|c| (c[0], c[c.len() - 1].saturating_add(1))).collect())
}

/// Reads the leaves of the chunks numbered `[first, end)` with the rows they record.
///
/// Event leaves are appended in event position order, so the leaves and the events are
/// walked side by side, each in its own key order: two sequential scans instead of a B-tree
/// descent into `events` per leaf. A leaf whose event is not the next one in that order (a
/// reordered or forged leaf) is looked up by position instead, so the result is the same
/// whatever was done to the tables. Access and disclosure rows are few and looked up.
fn scan_range(conn: &Connection, (first, end): (i64, i64)) -> Result<LeafBatch, StoreError> {
    let mut chunks = conn.prepare_cached(
        "SELECT chunk, leaf_hashes, records FROM ledger_leaf_chunks WHERE chunk >= ?1 AND chunk < ?2 ORDER BY chunk",
    )?;
    let mut events = conn.prepare_cached(&format!(
        "SELECT position, {} FROM events WHERE position >= ?1 ORDER BY position",
        ledger::EVENT_COLUMNS
    ))?;
    let mut event_at =
        conn.prepare_cached(&format!("SELECT {} FROM events WHERE position = ?1", ledger::EVENT_COLUMNS))?;
    let mut access_at =
        conn.prepare_cached("SELECT at, actor, purpose, record_kind, record_id FROM access_log WHERE id = ?1")?;
    let mut disclosure_at = conn.prepare_cached(
        "SELECT person_id, disclosed_at, recipient_name, recipient_address, purpose, nature,
                law_enforcement, recorded_by, packet_sha256 FROM disclosures WHERE id = ?1",
    )?;
    let mut person_at = conn.prepare_cached("SELECT person_id, version, payload FROM person_versions WHERE id = ?1")?;
    let mut policy_at = conn.prepare_cached(&format!("SELECT {POLICY_COLUMNS} FROM policies WHERE id = ?1"))?;
    let mut act_at = conn.prepare_cached(&format!("SELECT {ACT_COLUMNS} FROM departure_acts WHERE id = ?1"))?;
    // The event's columns from `at` on, its text kept in `batch`.
    fn event_row(e: &rusqlite::Row<'_>, at: usize, batch: &mut LeafBatch) -> rusqlite::Result<ledger::EventRow> {
        let mut text = [ledger::Span::default(); 7];
        for (k, span) in text.iter_mut().enumerate() {
            *span = batch.keep(e.get_ref(at + 3 + k)?.as_bytes_or_null()?.unwrap_or_default());
        }
        Ok(ledger::EventRow { version: e.get(at)?, schema_version: e.get(at + 1)?, leaf_index: e.get(at + 2)?, text })
    }
    let mut batch = LeafBatch::new();
    let stored: Vec<(u64, Result<Vec<ledger::StoredLeaf>, String>)> = chunks
        .query_map([first, end], |r| {
            Ok((r.get::<_, i64>(0)? as u64, Chunk { hashes: r.get(1)?, records: r.get(2)? }.leaves()))
        })?
        .collect::<Result<_, _>>()?;
    // The event cursor starts at the range's first event leaf; its row is read ahead.
    let start = stored
        .iter()
        .filter_map(|(_, leaves)| leaves.as_ref().ok())
        .flatten()
        .find(|l| l.kind == Ok(LeafKind::Event))
        .map_or(i64::MAX, |l| l.reference);
    let mut cursor = events.query([start])?;
    let mut next_event: Option<(i64, ledger::EventRow)> = None;
    let mut events_done = false;
    for (number, leaves) in stored {
        let leaves = match leaves {
            Ok(leaves) => leaves,
            Err(why) => {
                batch.rows.push(Scanned::Malformed { chunk: number, why });
                continue;
            }
        };
        for (k, leaf) in leaves.into_iter().enumerate() {
            let reference = leaf.reference;
            let record = match leaf.kind {
                Ok(LeafKind::Event) => {
                    // Advance the event cursor to the first position at or after the reference.
                    while !events_done && next_event.as_ref().is_none_or(|e| e.0 < reference) {
                        match cursor.next()? {
                            Some(e) => next_event = Some((e.get(0)?, event_row(e, 1, &mut batch)?)),
                            None => {
                                events_done = true;
                                next_event = None;
                            }
                        }
                    }
                    match &next_event {
                        Some(e) if e.0 == reference => next_event.take().map(|(_, e)| e),
                        // Not in order: the position is looked up, whatever it is.
                        _ => event_at.query_row([reference], |e| event_row(e, 0, &mut batch)).optional()?,
                    }
                    .map_or(Record::Missing, Record::Event)
                }
                Ok(LeafKind::Access) => access_at
                    .query_row([reference], |a| access_row(a, 0))
                    .optional()?
                    .map_or(Record::Missing, |a| Record::Access(Box::new(a))),
                Ok(LeafKind::Person) => person_at
                    .query_row([reference], |p| Ok((p.get(0)?, p.get(1)?, p.get(2)?)))
                    .optional()?
                    .map_or(Record::Missing, |p| Record::Person(Box::new(p))),
                Ok(LeafKind::Disclosure) => disclosure_at
                    .query_row([reference], |d| {
                        let person: String = d.get(0)?;
                        disclosure_from(person, |i| d.get(i - 12))
                    })
                    .optional()?
                    .map_or(Record::Missing, |d| Record::Disclosure(Box::new(d))),
                Ok(LeafKind::Policy) => policy_at
                    .query_row([reference], policy_row)
                    .optional()?
                    .map_or(Record::Missing, |p| Record::Policy(Box::new(p))),
                Ok(LeafKind::DepartureAct) => act_at
                    .query_row([reference], |r| act_row(r, 0))
                    .optional()?
                    .map_or(Record::Missing, |a| Record::DepartureAct(Box::new(a))),
                Err(_) => Record::Missing,
            };
            let index = number * ledger::LEAVES_PER_CHUNK + k as u64;
            batch.rows.push(Scanned::Leaf(LeafRow { index, leaf, record }));
        }
    }
    Ok(batch)
}

/// The columns of `departure_acts` that make a [`ledger::DepartureActRow`], in its order.
const ACT_COLUMNS: &str = "kind, at, actor, subject, detail";

fn act_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<ledger::DepartureActRow> {
    Ok(ledger::DepartureActRow {
        kind: r.get(at)?,
        at: r.get(at + 1)?,
        actor: r.get(at + 2)?,
        subject: r.get(at + 3)?,
        detail: r.get(at + 4)?,
    })
}

/// The columns of `departure_records` that make a [`departures::StoredDeparture`].
const DEPARTURE_COLUMNS: &str = "record_key, received_at, departed_on, port, payload, outcome, review_act, purge_after";

type DepartureCells = (String, String, String, String, String, String, Option<i64>, Option<String>);

fn departure_cells(r: &rusqlite::Row<'_>) -> rusqlite::Result<DepartureCells> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

fn departure_of(c: DepartureCells) -> Result<departures::StoredDeparture, StoreError> {
    let (key, received_at, departed_on, port, payload, outcome, review, purge_after) = c;
    let outcome = departures::Outcome::from_name(&outcome).ok_or_else(|| StoreError::Corrupt {
        what: "departure record",
        key: key.clone(),
        reason: format!("unknown outcome `{outcome}`"),
    })?;
    Ok(departures::StoredDeparture { key, received_at, departed_on, port, payload, outcome, review, purge_after })
}

/// Inserts an act and returns its id and leaf (the caller appends the leaf in the same
/// transaction).
fn insert_act(tx: &Connection, a: &ledger::DepartureActRow) -> Result<(i64, NewLeaf), StoreError> {
    tx.execute(
        "INSERT INTO departure_acts (kind, at, actor, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![a.kind, a.at, a.actor, a.subject, a.detail],
    )?;
    let id = tx.last_insert_rowid();
    Ok((id, NewLeaf::new(LeafKind::DepartureAct, id, &ledger::departure_act_leaf(id, a))))
}

fn bump(tx: &Connection, day: &str, port: &str, outcome: &str, n: i64) -> Result<(), StoreError> {
    tx.prepare_cached(&departures::BUMP_COUNT.replace('$', "?"))?.execute(params![day, port, outcome, n])?;
    Ok(())
}

/// The columns of `policies` that make a [`ledger::PolicyRow`], in its order.
const POLICY_COLUMNS: &str = "policy_id, version, kind, effective_at, sha256, adopted_by, adopted_at, text";

/// A policy row from [`POLICY_COLUMNS`] at the start of the row.
fn policy_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ledger::PolicyRow> {
    policy_row_at(r, 0)
}

/// A policy row from [`POLICY_COLUMNS`] starting at column `at`.
fn policy_row_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<ledger::PolicyRow> {
    Ok(ledger::PolicyRow {
        policy_id: r.get(at)?,
        version: r.get(at + 1)?,
        kind: r.get(at + 2)?,
        effective_at: r.get(at + 3)?,
        sha256: r.get(at + 4)?,
        adopted_by: r.get(at + 5)?,
        adopted_at: r.get(at + 6)?,
        text: r.get(at + 7)?,
    })
}

/// A disclosure row from columns `13..=20` of `get` (the person id is column 12).
fn disclosure_from(
    person_id: String,
    get: impl Fn(usize) -> rusqlite::Result<String>,
) -> rusqlite::Result<ledger::DisclosureRow> {
    Ok(ledger::DisclosureRow {
        person_id,
        disclosed_at: get(13)?,
        recipient_name: get(14)?,
        recipient_address: get(15)?,
        purpose: get(16)?,
        nature: get(17)?,
        law_enforcement: get(18)? == "true",
        recorded_by: get(19)?,
        packet_sha256: get(20)?,
    })
}

/// A row's values as SQLite gives them, by the copied table's column types.
fn copy_cells(r: &rusqlite::Row<'_>, table: &crate::copy::Table) -> rusqlite::Result<Vec<crate::copy::Cell>> {
    use crate::copy::{Cell, Kind};
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::I16 | Kind::I32 | Kind::I64 => r.get::<_, Option<i64>>(i)?.map_or(Cell::Null, Cell::Int),
                Kind::Bool => r.get::<_, Option<bool>>(i)?.map_or(Cell::Null, Cell::Bool),
                Kind::Text => r.get::<_, Option<String>>(i)?.map_or(Cell::Null, Cell::Text),
                Kind::Bytes => r.get::<_, Option<Vec<u8>>>(i)?.map_or(Cell::Null, Cell::Bytes),
            })
        })
        .collect()
}

fn copy_value(c: &crate::copy::Cell) -> rusqlite::types::Value {
    use crate::copy::Cell;
    use rusqlite::types::Value;
    match c {
        Cell::Null => Value::Null,
        Cell::Int(i) => Value::Integer(*i),
        Cell::Bool(b) => Value::Integer(i64::from(*b)),
        Cell::Text(t) => Value::Text(t.clone()),
        Cell::Bytes(b) => Value::Blob(b.clone()),
    }
}
