//! The PostgreSQL backend: one connection; large batches go in with binary `COPY`.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use docket_core::{ANumber, CaseId, CaseState, CaseSummary, DateOfBirth, Event, EventId, Person, PersonId};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::Type;
use postgres::{Client, GenericClient, NoTls, Transaction};

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

/// Batches smaller than this are inserted row by row; larger ones are copied.
const COPY_THRESHOLD: usize = 64;

pub(crate) struct Postgres {
    client: Client,
}

impl Postgres {
    pub fn connect(url: &str) -> Result<Postgres, StoreError> {
        Ok(Postgres { client: Client::connect(url, NoTls)? })
    }
}

fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Postgres(pe) if pe.code() == Some(&SqlState::UNIQUE_VIOLATION))
}

struct TxLoader<'a, 'c> {
    tx: &'a mut Transaction<'c>,
}

impl Loader for TxLoader<'_, '_> {
    fn load_streams(&mut self, cases: &[&CaseId]) -> Result<HashMap<CaseId, Vec<Event>>, StoreError> {
        let ids: Vec<&str> = cases.iter().map(|c| c.as_str()).collect();
        let existing: Vec<String> = self
            .tx
            // Row locks serialize writers of the same case; a new case has no row to lock, so
            // two first writers collide on (case_id, version) instead and one plans again.
            .query("SELECT case_id FROM case_projection WHERE case_id = ANY($1) ORDER BY case_id FOR UPDATE", &[&ids])?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out: HashMap<CaseId, Vec<Event>> = HashMap::new();
        if existing.is_empty() {
            return Ok(out);
        }
        let rows = self.tx.query(
            "SELECT position, case_id, payload FROM events WHERE case_id = ANY($1) ORDER BY case_id, version",
            &[&existing],
        )?;
        for r in rows {
            let e = decode_event(r.get(2), r.get(0))?;
            out.entry(e.case_id.clone()).or_default().push(e);
        }
        Ok(out)
    }

    fn persons(&mut self, persons: &[&PersonId], lock: bool) -> Result<HashMap<PersonId, StoredIdentity>, StoreError> {
        let ids: Vec<&str> = persons.iter().map(|p| p.as_str()).collect();
        // The row locks serialize writers of one person (in person order, so two writers cannot
        // deadlock on them): a claim to citizenship on one case and an enforcement action on
        // another take turns, and the second sees the first. Persons read only for their
        // identity are not locked: a lock writes the row's header, which an import would pay
        // for every case it opens.
        let sql = if lock {
            "SELECT person_id, date_of_birth, a_number FROM persons WHERE person_id = ANY($1) ORDER BY person_id FOR UPDATE"
        } else {
            "SELECT person_id, date_of_birth, a_number FROM persons WHERE person_id = ANY($1)"
        };
        let rows = self.tx.query(sql, &[&ids])?;
        let today = crate::today();
        let mut found: HashMap<&str, StoredIdentity> = HashMap::new();
        for r in &rows {
            let dob: &str = r.get(1);
            let a_number: Option<&str> = r.get(2);
            found.insert(
                r.get(0),
                StoredIdentity {
                    date_of_birth: DateOfBirth::parse(dob, today).ok(),
                    a_number: a_number.and_then(|a| ANumber::parse(a).ok()),
                },
            );
        }
        Ok(persons.iter().filter_map(|p| found.remove(p.as_str()).map(|i| ((*p).clone(), i))).collect())
    }

    fn citizenship_claims(&mut self, persons: &[&PersonId]) -> Result<Vec<CaseSummary>, StoreError> {
        let ids: Vec<&str> = persons.iter().map(|p| p.as_str()).collect();
        self.tx
            .query(
                "SELECT case_id, summary FROM case_projection
                 WHERE person_id = ANY($1) AND citizenship IN ('pending', 'citizen') ORDER BY case_id",
                &[&ids],
            )?
            .iter()
            .map(|r| decode_summary(r.get(1), r.get(0)))
            .collect()
    }

    fn event_ids_exist(&mut self, ids: &[EventId]) -> Result<HashSet<EventId>, StoreError> {
        let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let rows = self.tx.query("SELECT event_id FROM events WHERE event_id = ANY($1)", &[&texts])?;
        let found: HashSet<String> = rows.iter().map(|r| r.get(0)).collect();
        Ok(ids.iter().filter(|id| found.contains(&id.to_string())).copied().collect())
    }
}

const EVENT_TYPES: [Type; 11] = [
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
];
/// The binary COPY types of the projection's columns, in `PROJECTION_COLUMNS` order.
const PROJECTION_TYPES: [Type; 7] =
    [Type::TEXT, Type::TEXT, Type::INT8, Type::BOOL, Type::TEXT, Type::TEXT, Type::TEXT];

fn write_projections(tx: &mut Transaction<'_>, projections: &[CaseSummary]) -> Result<(), StoreError> {
    if projections.is_empty() {
        return Ok(());
    }
    let names = projection_sql::names();
    tx.batch_execute(&format!(
        "CREATE TEMP TABLE IF NOT EXISTS projection_stage ({}) ON COMMIT DELETE ROWS",
        projection_sql::definitions(true)
    ))?;
    copy_projections(tx, "projection_stage", projections.iter().map(ProjectionRow::of))?;
    tx.batch_execute(&format!(
        "INSERT INTO case_projection ({names}) SELECT {names} FROM projection_stage {};
         TRUNCATE projection_stage",
        projection_sql::on_conflict_update()
    ))?;
    Ok(())
}

fn copy_projections(
    tx: &mut Transaction<'_>,
    table: &str,
    rows: impl Iterator<Item = ProjectionRow>,
) -> Result<(), StoreError> {
    let sink = tx.copy_in(&format!("COPY {table} ({}) FROM STDIN (FORMAT binary)", projection_sql::names()))?;
    let mut w = BinaryCopyInWriter::new(sink, &PROJECTION_TYPES);
    for r in rows {
        w.write(&r.pg_values())?;
    }
    w.finish()?;
    Ok(())
}

/// The ledger's tables inside one PostgreSQL transaction.
struct Rows<'a, 'c> {
    tx: std::cell::RefCell<&'a mut Transaction<'c>>,
}

fn hash_col(v: Option<Vec<u8>>) -> Option<docket_ledger::Hash> {
    v.and_then(|b| ledger::to_hash(&b))
}

impl NodeRows for Rows<'_, '_> {
    type Error = postgres::Error;

    fn size(&self) -> Result<u64, Self::Error> {
        Ok(self.tx.borrow_mut().query_one("SELECT size FROM ledger_size WHERE id = 1", &[])?.get::<_, i64>(0) as u64)
    }

    fn chunk(&self, chunk: u64) -> Result<Option<Chunk>, Self::Error> {
        let row = self
            .tx
            .borrow_mut()
            .query_opt("SELECT leaf_hashes, records FROM ledger_leaf_chunks WHERE chunk = $1", &[&(chunk as i64)])?;
        Ok(row.map(|r| Chunk { hashes: r.get(0), records: r.get(1) }))
    }

    fn put_chunks(&mut self, chunks: &[(u64, Chunk)]) -> Result<(), Self::Error> {
        let numbers: Vec<i64> = chunks.iter().map(|c| c.0 as i64).collect();
        let hashes: Vec<&[u8]> = chunks.iter().map(|c| &c.1.hashes[..]).collect();
        let records: Vec<&[u8]> = chunks.iter().map(|c| &c.1.records[..]).collect();
        self.tx.borrow_mut().execute(
            "INSERT INTO ledger_leaf_chunks (chunk, leaf_hashes, records)
                 SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])
             ON CONFLICT (chunk) DO UPDATE SET leaf_hashes = excluded.leaf_hashes, records = excluded.records",
            &[&numbers, &hashes, &records],
        )?;
        Ok(())
    }

    fn node(&self, level: u8, index: u64) -> Result<Option<docket_ledger::Hash>, Self::Error> {
        let row = self.tx.borrow_mut().query_opt(
            "SELECT hash FROM ledger_nodes WHERE level = $1 AND idx = $2",
            &[&i16::from(level), &(index as i64)],
        )?;
        Ok(hash_col(row.map(|r| r.get(0))))
    }

    fn put_nodes(&mut self, nodes: &[(u8, u64, docket_ledger::Hash)]) -> Result<(), Self::Error> {
        let levels: Vec<i16> = nodes.iter().map(|n| i16::from(n.0)).collect();
        let idx: Vec<i64> = nodes.iter().map(|n| n.1 as i64).collect();
        let hashes: Vec<&[u8]> = nodes.iter().map(|n| &n.2[..]).collect();
        self.tx.borrow_mut().execute(
            "INSERT INTO ledger_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])",
            &[&levels, &idx, &hashes],
        )?;
        Ok(())
    }

    fn set_size(&mut self, size: u64) -> Result<(), Self::Error> {
        self.tx.borrow_mut().execute("UPDATE ledger_size SET size = $1 WHERE id = 1", &[&(size as i64)])?;
        Ok(())
    }
}

/// Stores new persons (or, for a correction, new versions of stored ones) in the caller's
/// transaction: each written version is a `person_versions` row and a ledger leaf, and the
/// `persons` row becomes it. The ledger lock is taken first, so that two writers of the same
/// person judge it one after the other.
fn write_persons(
    tx: &mut Transaction<'_>,
    persons: &[Person],
    correction: bool,
    rec: &crate::persons::Recording,
) -> Result<Vec<crate::persons::PersonOutcome>, StoreError> {
    lock_ledger(tx)?;
    let mut ids: Vec<&str> = persons.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut stored = HashMap::new();
    // One index probe per id, newest version first. (`person_id = ANY($1)` with DISTINCT ON
    // was planned as a parallel scan of the whole table, filtered: every batch read every
    // version stored before it.)
    for r in tx.query(
        "SELECT v.id, v.payload FROM unnest($1::text[]) AS given (person_id)
         CROSS JOIN LATERAL (SELECT id, payload FROM person_versions p WHERE p.person_id = given.person_id
                             ORDER BY version DESC LIMIT 1) v",
        &[&ids],
    )? {
        let v = crate::persons::decode(r.get(1), r.get(0))?;
        stored.insert(v.person.id.clone(), (v.person, v.version));
    }
    let (outcomes, writes) = crate::persons::plan(persons, stored, correction, rec);
    if writes.is_empty() {
        return Ok(outcomes);
    }
    // The sequence is named once, not once per row (`pg_get_serial_sequence` per row took a
    // tenth of the server's time); ascending, the ids are those the rows would take one by one.
    let mut row_ids: Vec<i64> = tx
        .query(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('person_versions', 'id')::regclass AS seq)
             SELECT nextval(s.seq) FROM s, generate_series(1, $1::bigint)",
            &[&(writes.len() as i64)],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    row_ids.sort_unstable();
    {
        let sink = tx.copy_in("COPY person_versions (id, person_id, version, payload) FROM STDIN (FORMAT binary)")?;
        let mut w = BinaryCopyInWriter::new(sink, &[Type::INT8, Type::TEXT, Type::INT8, Type::TEXT]);
        for (id, v) in row_ids.iter().zip(&writes) {
            w.write(&[id, &v.person.id.as_str(), &(v.version as i64), &v.payload])?;
        }
        w.finish()?;
    }
    // The latest version of each person written is their row, all of them in one statement.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, v) in writes.iter().enumerate() {
        last.insert(v.person.id.as_str(), i);
    }
    let mut columns: [Vec<Option<&str>>; 14] = Default::default();
    for (i, v) in writes.iter().enumerate() {
        if last.get(v.person.id.as_str()) == Some(&i) {
            for (column, value) in columns.iter_mut().zip(person_columns(&v.row, v.person)) {
                column.push(value);
            }
        }
    }
    let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
        columns.iter().map(|c| c as &(dyn postgres::types::ToSql + Sync)).collect();
    tx.execute(
        "INSERT INTO persons SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
            $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
            $14::text[])
         ON CONFLICT (person_id) DO UPDATE SET a_number = excluded.a_number, given_names = excluded.given_names,
            family_names = excluded.family_names, name_order = excluded.name_order, given_folded = excluded.given_folded,
            family_folded = excluded.family_folded, aliases = excluded.aliases, date_of_birth = excluded.date_of_birth,
            sex = excluded.sex, nationality = excluded.nationality, passport_number = excluded.passport_number,
            passport_country = excluded.passport_country, passport_expiry = excluded.passport_expiry",
        &params,
    )?;
    let leaves: Vec<NewLeaf> = row_ids
        .iter()
        .zip(&writes)
        .map(|(id, v)| NewLeaf::new(LeafKind::Person, *id, &crate::persons::person_leaf(*id, &v.payload)))
        .collect();
    // INVARIANT: a person's version, its leaf and the `persons` row are committed together.
    append_leaves(tx, &leaves)?;
    Ok(outcomes)
}

/// Takes the persons stored before schema 5 into the ledger: version 1 of each, as found.
fn ledger_stored_persons(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    let rec = crate::migration_recording();
    let mut found = Vec::new();
    for r in tx.query(&format!("{PERSON_SELECT} ORDER BY person_id"), &[])? {
        found.push(person_from_columns(person_columns_at(&r, 0))?);
    }
    for page in found.chunks(50_000) {
        write_persons(tx, page, false, &rec)?;
    }
    Ok(())
}

/// Appends leaves in the caller's transaction, which holds the ledger lock (`lock_ledger`).
fn append_leaves(tx: &mut Transaction<'_>, leaves: &[NewLeaf]) -> Result<u64, StoreError> {
    ledger::append(Rows { tx: std::cell::RefCell::new(tx) }, leaves)
}

/// Serializes writers of the ledger: one appender at a time, in commit order. Returns the
/// ledger's size, which cannot change until the transaction ends.
fn lock_ledger(tx: &mut Transaction<'_>) -> Result<i64, StoreError> {
    Ok(tx.query_one("SELECT size FROM ledger_size WHERE id = 1 FOR UPDATE", &[])?.get(0))
}

impl Postgres {
    fn with_log<T>(
        &mut self,
        f: impl FnOnce(&docket_ledger::Log<Nodes<Rows<'_, '_>>>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tx = self.client.transaction()?;
        let out = {
            let log = docket_ledger::Log::new(Nodes { rows: Rows { tx: std::cell::RefCell::new(&mut tx) } });
            f(&log)?
        };
        tx.commit()?;
        Ok(out)
    }

    fn import_once(
        &mut self,
        events: &[Event],
        expected: Option<Expected>,
        check_ids: bool,
    ) -> Result<Vec<ImportOutcome>, StoreError> {
        let mut tx = self.client.transaction()?;
        let plan = plan::plan(events, &mut TxLoader { tx: &mut tx }, expected, check_ids)?;
        let row = |i: usize, version: u64| {
            let e: &Event = &events[i];
            (
                e.id.to_string(),
                e.case_id.to_string(),
                version as i64,
                e.body.type_name(),
                i32::from(docket_core::EVENT_SCHEMA_VERSION),
                e.effective_at.to_string(),
                e.recorded_at.to_string(),
                e.idempotency_key.to_string(),
            )
        };
        const COLUMNS: &str = "position, event_id, case_id, version, event_type, schema_version, effective_at, recorded_at, idempotency_key, payload, leaf_index";
        // Positions are taken under the ledger lock, so leaf order and position order agree,
        // and the k-th event stored is leaf `first_leaf + k`.
        let size = lock_ledger(&mut tx)?;
        let first_leaf = ledger::KEPT.then_some(size);
        let leaf_index = |k: usize| first_leaf.map(|f| f + k as i64);
        let positions: Vec<i64> = if plan.inserts.is_empty() {
            Vec::new()
        } else {
            // The sequence named once, as for persons' versions (per row it took a tenth of
            // the server's time there); ascending, the positions are those the rows would
            // take one by one.
            let mut positions: Vec<i64> = tx
                .query(
                    "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('events', 'position')::regclass AS seq)
                     SELECT nextval(s.seq) FROM s, generate_series(1, $1::bigint)",
                    &[&(plan.inserts.len() as i64)],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            positions.sort_unstable();
            positions
        };
        let payloads: Vec<String> = plan.inserts.iter().map(|&(i, _)| encode_event(&events[i])).collect();
        // The leaves are hashed on a second thread while this one sends the rows.
        std::thread::scope(|scope| -> Result<(), StoreError> {
            let hashing = ledger::KEPT.then(|| {
                scope.spawn(|| {
                    ledger::event_leaves(plan.inserts.iter().enumerate().map(|(k, &(i, version))| {
                        (positions[k], events[i].case_id.as_str(), version as i64, payloads[k].as_str())
                    }))
                })
            });
            if plan.inserts.len() < COPY_THRESHOLD {
                let stmt = tx.prepare(&format!(
                    "INSERT INTO events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                ))?;
                for (k, &(i, v)) in plan.inserts.iter().enumerate() {
                    let r = row(i, v);
                    tx.execute(
                        &stmt,
                        &[&positions[k], &r.0, &r.1, &r.2, &r.3, &r.4, &r.5, &r.6, &r.7, &payloads[k], &leaf_index(k)],
                    )?;
                }
            } else {
                let sink = tx.copy_in(&format!("COPY events ({COLUMNS}) FROM STDIN (FORMAT binary)"))?;
                let mut w = BinaryCopyInWriter::new(sink, &EVENT_TYPES);
                for (k, &(i, v)) in plan.inserts.iter().enumerate() {
                    let r = row(i, v);
                    w.write(&[
                        &positions[k],
                        &r.0,
                        &r.1,
                        &r.2,
                        &r.3,
                        &r.4,
                        &r.5,
                        &r.6,
                        &r.7,
                        &payloads[k],
                        &leaf_index(k),
                    ])?;
                }
                w.finish()?;
            }
            write_projections(&mut tx, &plan.projections)?;
            if let Some(hashing) = hashing {
                let leaves = hashing.join().map_err(|_| StoreError::Ledger("the hashing thread failed".into()))?;
                // INVARIANT: the ledger leaf is written in the same transaction as its event.
                append_leaves(&mut tx, &leaves)?;
            }
            Ok(())
        })?;
        tx.commit()?;
        Ok(plan.outcomes)
    }
}

/// Schema 2 to 3: the rows of `ledger_leaves` become chunk rows (same leaf hashes, so the
/// tree and its checkpoints are unchanged) and each event's row gets its leaf index.
fn migrate_leaves_to_chunks(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    let size = lock_ledger(tx)?;
    let mut leaves = ledger::V2Leaves::default();
    let portal =
        tx.bind("SELECT leaf_index, kind, record_ref, leaf_hash FROM ledger_leaves ORDER BY leaf_index", &[])?;
    loop {
        let rows = tx.query_portal(&portal, 65_536)?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            leaves.push(r.get(0), r.get(1), r.get(2), r.get(3))?;
        }
        Rows { tx: std::cell::RefCell::new(tx) }.put_chunks(&leaves.take_full())?;
    }
    drop(portal);
    Rows { tx: std::cell::RefCell::new(tx) }.put_chunks(&leaves.finish(size as u64)?)?;
    tx.batch_execute(
        "UPDATE events SET leaf_index = l.leaf_index FROM ledger_leaves l
             WHERE l.kind = 'event' AND l.record_ref = events.position;
         DROP TABLE ledger_leaves;",
    )?;
    Ok(())
}

/// Appends a leaf for every stored event, in position order (a database from before the
/// ledger existed).
fn ledger_stored_events(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    lock_ledger(tx)?;
    // A page of events at a time, so that a large database is not read into memory at once.
    let mut after = i64::MIN;
    loop {
        let batch = tx.query(
            "SELECT position, case_id, version, payload FROM events WHERE position > $1 ORDER BY position LIMIT 50000",
            &[&after],
        )?;
        let Some(last) = batch.last() else { return Ok(()) };
        after = last.get(0);
        let leaves = ledger::event_leaves(batch.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))));
        let first = append_leaves(tx, &leaves)? as i64;
        let positions: Vec<i64> = leaves.iter().map(|l| l.reference).collect();
        let indexes: Vec<i64> = (first..first + leaves.len() as i64).collect();
        tx.execute(
            "UPDATE events SET leaf_index = u.leaf FROM unnest($1::bigint[], $2::bigint[]) AS u(position, leaf)
             WHERE events.position = u.position",
            &[&positions, &indexes],
        )?;
    }
}

/// PostgreSQL's words for the placeholders of the migration steps' SQL.
pub(crate) const DIALECT: migrations::Dialect = migrations::Dialect {
    words: &[
        ("{pk}", "BIGSERIAL PRIMARY KEY"),
        ("{bool}", "BOOLEAN"),
        ("{blob}", "BYTEA"),
        ("{leaf_pk}", "BIGINT PRIMARY KEY"),
        ("{row_pk}", "BIGSERIAL PRIMARY KEY"),
        ("{chunk_pk}", "BIGINT PRIMARY KEY"),
        ("{without_rowid}", ""),
    ],
};

/// The columns of `schema_migrations`; none where there is no such table.
fn migration_columns(client: &mut impl GenericClient) -> Result<Vec<String>, StoreError> {
    Ok(client
        .query(
            "SELECT attname::TEXT FROM pg_attribute
             WHERE attrelid = to_regclass('schema_migrations') AND attnum > 0 AND NOT attisdropped",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// The rows of `schema_migrations`, NULL standing for the columns its table may predate.
fn recorded_migrations(client: &mut impl GenericClient) -> Result<Vec<migrations::Recorded>, StoreError> {
    let columns = migration_columns(client)?;
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let column = |c: &str| if columns.iter().any(|have| have == c) { c.to_owned() } else { "NULL::TEXT".to_owned() };
    let rows = client.query(
        &format!(
            "SELECT version::BIGINT, {}, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), {}
             FROM schema_migrations ORDER BY version",
            column("name"),
            column("checksum")
        ),
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| migrations::Recorded { version: r.get(0), name: r.get(1), applied_at: r.get(2), checksum: r.get(3) })
        .collect())
}

const PERSON_SELECT: &str = "SELECT person_id, a_number, given_names, family_names, name_order, given_folded, family_folded, aliases, date_of_birth, sex, nationality, passport_number, passport_country, passport_expiry FROM persons";

/// An `access_log` row from its columns `at, actor, purpose, record_kind, record_id`.
fn access_row(a: &postgres::Row, from: usize) -> ledger::AccessRow {
    ledger::AccessRow {
        at: a.get(from),
        actor: a.get(from + 1),
        purpose: a.get(from + 2),
        record_kind: a.get(from + 3),
        record_id: a.get(from + 4),
    }
}

/// A `persons` row's 14 columns, from column `at` on.
fn person_columns_at(r: &postgres::Row, at: usize) -> [Option<String>; 14] {
    let mut c: [Option<String>; 14] = Default::default();
    for (i, slot) in c.iter_mut().enumerate() {
        *slot = r.get(at + i);
    }
    c
}

impl Backend for Postgres {
    fn is_broken(&self) -> bool {
        self.client.is_closed()
    }

    fn schema_version(&mut self) -> Result<i64, StoreError> {
        let has: bool = self.client.query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?.get(0);
        if !has {
            return Ok(0);
        }
        Ok(self.client.query_one("SELECT coalesce(max(version), 0)::BIGINT FROM schema_migrations", &[])?.get(0))
    }

    fn migrate(&mut self) -> Result<i64, StoreError> {
        let mut tx = self.client.transaction()?;
        // Two processes migrating at once take turns.
        tx.execute("SELECT pg_advisory_xact_lock(7302514)", &[])?;
        // A table from before steps had identities gains the columns; its rows keep NULL there,
        // as what they applied is not known.
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), name TEXT, checksum TEXT)",
        )?;
        // Only where missing: an ALTER TABLE would lock out every reader of the table until
        // the migration commits.
        let columns = migration_columns(&mut tx)?;
        for column in ["name", "checksum"] {
            if !columns.iter().any(|c| c == column) {
                tx.batch_execute(&format!("ALTER TABLE schema_migrations ADD COLUMN {column} TEXT"))?;
            }
        }
        let recorded = recorded_migrations(&mut tx)?;
        let current = migrations::latest(&recorded);
        if current > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { found: current });
        }
        migrations::check(&migrations::status(&DIALECT, recorded))?;
        for step in migrations::after(current) {
            tx.batch_execute(&step.sql(&DIALECT))?;
            // INVARIANT: the code run here is what the step's code tag in `migrations::STEPS`
            // names: a change that makes it write anything else for the same data changes the
            // tag, and so the step's checksum.
            match step.version {
                3 => {
                    migrate_leaves_to_chunks(&mut tx)?;
                    if current < 2 {
                        // Events stored before the ledger existed become its first leaves, in
                        // order. Only then: at schema 2 every event already has its leaf, and one
                        // without is for `verify` to report, not for a migration to take in.
                        ledger_stored_events(&mut tx)?;
                    }
                }
                5 => ledger_stored_persons(&mut tx)?,
                _ => {}
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                &[&step.version, &step.name, &step.checksum(&DIALECT)],
            )?;
        }
        tx.commit()?;
        self.schema_version()
    }

    fn dialect(&self) -> &'static migrations::Dialect {
        &DIALECT
    }

    fn recorded_migrations(&mut self) -> Result<Vec<migrations::Recorded>, StoreError> {
        recorded_migrations(&mut self.client)
    }

    fn projection_format(&mut self) -> Result<i64, StoreError> {
        let row = self.client.query_opt("SELECT value FROM store_meta WHERE key = 'projection_format'", &[])?;
        Ok(row.and_then(|r| r.get::<_, String>(0).parse().ok()).unwrap_or(0))
    }

    fn set_projection_format(&mut self, format: i64) -> Result<(), StoreError> {
        self.client.execute(
            "INSERT INTO store_meta (key, value) VALUES ('projection_format', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&format.to_string()],
        )?;
        Ok(())
    }

    fn import(&mut self, events: &[Event], expected: Option<Expected>) -> Result<Vec<ImportOutcome>, StoreError> {
        let mut attempt = 0;
        loop {
            match self.import_once(events, expected, attempt > 0) {
                // A concurrent writer took a version, or an event id is already stored: plan
                // again against what is now committed, checking ids.
                Err(e) if is_unique_violation(&e) && attempt < 8 => attempt += 1,
                other => return other,
            }
        }
    }

    fn write_persons(
        &mut self,
        persons: &[Person],
        correction: bool,
        rec: &crate::persons::Recording,
    ) -> Result<Vec<crate::persons::PersonOutcome>, StoreError> {
        let mut tx = self.client.transaction()?;
        let outcomes = write_persons(&mut tx, persons, correction, rec)?;
        tx.commit()?;
        Ok(outcomes)
    }

    fn person_versions(&mut self, id: &PersonId) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(self
            .client
            .query("SELECT id, payload FROM person_versions WHERE person_id = $1 ORDER BY version", &[&id.as_str()])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn scan_person_heads(&mut self, f: &mut crate::PersonHeads<'_>) -> Result<(), StoreError> {
        let cols = PERSON_SELECT.trim_start_matches("SELECT ").split(" FROM").next().unwrap_or_default();
        let cols = cols.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
        let mut tx = self.client.transaction()?;
        let portal = tx.bind(
            &format!(
                "WITH latest AS (
                     SELECT DISTINCT ON (person_id) person_id, id, payload FROM person_versions
                     ORDER BY person_id, version DESC)
                 SELECT coalesce(p.person_id, l.person_id), p.person_id IS NOT NULL, {cols}, l.id, l.payload
                 FROM persons p FULL OUTER JOIN latest l ON l.person_id = p.person_id
                 ORDER BY 1"
            ),
            &[],
        )?;
        loop {
            let rows = tx.query_portal(&portal, 10_000)?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let row = r.get::<_, bool>(1).then(|| person_columns_at(&r, 2));
                let latest = r.get::<_, Option<i64>>(16).map(|id| (id, r.get(17)));
                f(r.get(0), row, latest);
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn person(&mut self, id: &PersonId) -> Result<Option<Person>, StoreError> {
        let row = self.client.query_opt(&format!("{PERSON_SELECT} WHERE person_id = $1"), &[&id.as_str()])?;
        row.map(|r| person_from_columns(person_columns_at(&r, 0))).transpose()
    }

    fn events(&mut self, case: &CaseId) -> Result<Vec<Event>, StoreError> {
        self.client
            .query("SELECT position, payload FROM events WHERE case_id = $1 ORDER BY version", &[&case.as_str()])?
            .iter()
            .map(|r| decode_event(r.get(1), r.get(0)))
            .collect()
    }

    fn event_by_key(&mut self, case: &CaseId, key: &str) -> Result<Option<Event>, StoreError> {
        let row = self.client.query_opt(
            "SELECT position, payload FROM events WHERE case_id = $1 AND idempotency_key = $2",
            &[&case.as_str(), &key],
        )?;
        row.map(|r| decode_event(r.get(1), r.get(0))).transpose()
    }

    fn summary(&mut self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
        let row = self.client.query_opt("SELECT summary FROM case_projection WHERE case_id = $1", &[&case.as_str()])?;
        row.map(|r| decode_summary(r.get(0), case.as_str())).transpose()
    }

    fn scan_summaries(
        &mut self,
        f: &mut dyn FnMut(Result<CaseSummary, StoreError>) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        let portal = tx.bind("SELECT case_id, summary FROM case_projection ORDER BY case_id", &[])?;
        'scan: loop {
            let rows = tx.query_portal(&portal, 10_000)?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                // A row that cannot be decoded is reported to `f`, which decides whether to go on.
                if f(decode_summary(r.get(1), r.get(0))).is_break() {
                    break 'scan;
                }
            }
        }
        drop(portal);
        tx.commit()?;
        Ok(())
    }

    fn scan_dates_of_birth(&mut self, f: &mut dyn FnMut(&str, &str)) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        let portal = tx.bind("SELECT person_id, date_of_birth FROM persons", &[])?;
        loop {
            let rows = tx.query_portal(&portal, 10_000)?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                f(r.get(0), r.get(1));
            }
        }
        drop(portal);
        tx.commit()?;
        Ok(())
    }

    fn cases_of_person(&mut self, person: &PersonId) -> Result<Vec<CaseId>, StoreError> {
        self.client
            .query("SELECT case_id FROM case_projection WHERE person_id = $1 ORDER BY case_id", &[&person.as_str()])?
            .iter()
            .map(|r| {
                let c: &str = r.get(0);
                CaseId::parse(c).map_err(|e| StoreError::Corrupt {
                    what: "case id",
                    key: c.into(),
                    reason: e.to_string(),
                })
            })
            .collect()
    }

    fn rebuild(&mut self, repair: bool, progress: &mut dyn FnMut(u64)) -> Result<RebuildReport, StoreError> {
        let mut tx = self.client.transaction()?;
        // A repair keeps writers out while it replaces the projections; a check reads one
        // snapshot and lets them be.
        let start = if repair {
            "LOCK TABLE events IN SHARE MODE;"
        } else {
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;"
        };
        tx.batch_execute(&format!(
            "{start}
             DROP TABLE IF EXISTS rebuilt; CREATE TEMP TABLE rebuilt ({})",
            projection_sql::definitions(true)
        ))?;
        let mut report = RebuildReport::default();
        let portal = tx.bind("SELECT position, case_id, payload FROM events ORDER BY case_id, version", &[])?;
        let mut current: Option<String> = None;
        let mut state = CaseState::default();
        let mut pending: Vec<ProjectionRow> = Vec::new();
        loop {
            let rows = tx.query_portal(&portal, 20_000)?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let case: &str = r.get(1);
                if current.as_deref() != Some(case) {
                    if let Some(s) = state.summary() {
                        pending.push(ProjectionRow::of(&s));
                    }
                    state = CaseState::default();
                    current = Some(case.to_owned());
                }
                state.apply(&decode_event(r.get(2), r.get(0))?);
                report.events += 1;
            }
            report.cases += pending.len() as u64;
            copy_projections(&mut tx, "rebuilt", pending.drain(..))?;
            progress(report.events);
        }
        if let Some(s) = state.summary() {
            report.cases += 1;
            copy_projections(&mut tx, "rebuilt", std::iter::once(ProjectionRow::of(&s)))?;
        }
        let ids: Vec<String> = tx
            .query(
                &format!(
                    "SELECT coalesce(a.case_id, b.case_id) FROM case_projection a FULL JOIN rebuilt b ON a.case_id = b.case_id
                     WHERE a.case_id IS NULL OR b.case_id IS NULL OR {}
                     ORDER BY 1",
                    projection_sql::differ("a", "b", true)
                ),
                &[],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        report.differing_count = ids.len() as u64;
        report.differing = ids.into_iter().take(20).collect();
        if repair && report.differing_count > 0 {
            let names = projection_sql::names();
            tx.batch_execute(&format!(
                "DELETE FROM case_projection;
                 INSERT INTO case_projection ({names}) SELECT {names} FROM rebuilt"
            ))?;
        }
        tx.batch_execute("DROP TABLE rebuilt")?;
        tx.commit()?;
        Ok(report)
    }

    fn stats(&mut self) -> Result<Stats, StoreError> {
        let mut count =
            |sql: &str| -> Result<u64, StoreError> { Ok(self.client.query_one(sql, &[])?.get::<_, i64>(0) as u64) };
        Ok(Stats {
            persons: count("SELECT count(*) FROM persons")?,
            cases: count("SELECT count(*) FROM case_projection")?,
            events: count("SELECT count(*) FROM events")?,
        })
    }

    fn ledger_size(&mut self) -> Result<u64, StoreError> {
        Ok(self.client.query_one("SELECT size FROM ledger_size WHERE id = 1", &[])?.get::<_, i64>(0) as u64)
    }

    fn ledger_root(&mut self, size: u64) -> Result<docket_ledger::Hash, StoreError> {
        self.with_log(|log| log.root(size).map_err(ledger_err))
    }

    fn inclusion_proof(&mut self, index: u64, size: u64) -> Result<Vec<docket_ledger::Hash>, StoreError> {
        self.with_log(|log| log.inclusion_proof(index, size).map_err(ledger_err))
    }

    fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<docket_ledger::Hash>, StoreError> {
        self.with_log(|log| log.consistency_proof(old, new).map_err(ledger_err))
    }

    fn event_leaf(&mut self, id: &EventId) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let row = self.client.query_opt(
            "SELECT leaf_index, position, case_id, version, payload FROM events WHERE event_id = $1",
            &[&id.to_string()],
        )?;
        row.map(|r| {
            let leaf: i64 = r.get::<_, Option<i64>>(0).ok_or_else(|| ledger::no_leaf(id))?;
            Ok((leaf as u64, ledger::event_leaf(r.get(1), r.get(2), r.get(3), r.get(4))))
        })
        .transpose()
    }

    fn leaf_record(&mut self, kind: LeafKind, key: i64) -> Result<Option<ledger::LeafRecord>, StoreError> {
        let record = match kind {
            LeafKind::Access => self
                .client
                .query_opt("SELECT at, actor, purpose, record_kind, record_id FROM access_log WHERE id = $1", &[&key])?
                .map(|a| ledger::LeafRecord::of_access(key, &access_row(&a, 0))),
            LeafKind::Disclosure => self
                .client
                .query_opt(
                    "SELECT id, person_id, disclosed_at, recipient_name, recipient_address, purpose, nature,
                            law_enforcement, recorded_by, packet_sha256 FROM disclosures WHERE id = $1",
                    &[&key],
                )?
                .map(|r| ledger::LeafRecord::of_disclosure(key, &disclosure_from(r.get(1), |i| r.get(i - 11)))),
            LeafKind::Person => self
                .client
                .query_opt("SELECT person_id, payload FROM person_versions WHERE id = $1", &[&key])?
                .map(|r| ledger::LeafRecord::of_person_version(key, r.get(0), r.get(1))),
            LeafKind::Policy => self
                .client
                .query_opt(&format!("SELECT {POLICY_COLUMNS} FROM policies WHERE id = $1"), &[&key])?
                .map(|r| ledger::LeafRecord::of_policy(key, &policy_row(&r, 0))),
            LeafKind::DepartureAct => self
                .client
                .query_opt(&format!("SELECT {ACT_COLUMNS} FROM departure_acts WHERE id = $1"), &[&key])?
                .map(|r| ledger::LeafRecord::of_departure_act(key, &act_row(&r, 0))),
            LeafKind::Event => None,
        };
        Ok(record)
    }

    fn checkpoints(&mut self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        Ok(self
            .client
            .query("SELECT size, root, note FROM ledger_checkpoints ORDER BY size", &[])?
            .iter()
            .map(checkpoint_from)
            .collect())
    }

    fn scan_export(
        &mut self,
        person: &mut dyn FnMut([Option<String>; 14]) -> Result<(), StoreError>,
        event: &mut dyn FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // One snapshot, read through portals so that a large docket is not held in memory.
        let mut tx =
            self.client.build_transaction().isolation_level(postgres::IsolationLevel::RepeatableRead).start()?;
        let portal = tx.bind(&format!("{PERSON_SELECT} ORDER BY person_id"), &[])?;
        loop {
            let rows = tx.query_portal(&portal, 10_000)?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                person(person_columns_at(&r, 0))?;
            }
        }
        let portal = tx.bind("SELECT payload FROM events ORDER BY position", &[])?;
        loop {
            let rows = tx.query_portal(&portal, 10_000)?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                event(r.get(0))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn ledger_keys(&mut self) -> Result<Vec<ledger::LedgerKey>, StoreError> {
        read_ledger_keys(&mut self.client)
    }

    fn sign_locked(
        &mut self,
        f: &mut dyn FnMut(&ledger::SigningView) -> Option<ledger::SigningWrites>,
    ) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        // One signer at a time, until this transaction ends. Appends go on: a checkpoint of
        // the size read here stays true as the ledger grows, and only the keys decide who
        // signs which size.
        tx.batch_execute("LOCK TABLE ledger_keys IN EXCLUSIVE MODE")?;
        let size = tx.query_one("SELECT size FROM ledger_size WHERE id = 1", &[])?.get::<_, i64>(0) as u64;
        let root = {
            let log = docket_ledger::Log::new(Nodes { rows: Rows { tx: std::cell::RefCell::new(&mut tx) } });
            log.root(size).map_err(ledger_err)?
        };
        let last_checkpoint = tx
            .query_opt("SELECT size, root, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1", &[])?
            .map(|r| checkpoint_from(&r));
        let view = ledger::SigningView { keys: read_ledger_keys(&mut tx)?, size, root, last_checkpoint };
        // INVARIANT: what the signer decided from `view` is stored before the lock is released.
        let Some(writes) = f(&view) else { return Ok(()) };
        for k in &writes.keys {
            tx.execute(
                "INSERT INTO ledger_keys (verifier_key, from_size, recorded_at, rotation) VALUES ($1, $2, $3, $4)",
                &[&k.verifier_key, &(k.from_size as i64), &k.recorded_at, &k.rotation],
            )?;
        }
        if let Some(cp) = &writes.checkpoint {
            insert_checkpoint(&mut tx, cp)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn add_checkpoint(&mut self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        insert_checkpoint(&mut self.client, cp)
    }

    fn scan_leaves(&mut self, emit: &mut dyn FnMut(LeafBatch) -> Result<(), StoreError>) -> Result<(), StoreError> {
        // Chunks are read through a portal; the rows each batch of chunks records are fetched
        // by key, a query per kind per batch.
        let mut tx = self.client.transaction()?;
        let portal = tx.bind("SELECT chunk, leaf_hashes, records FROM ledger_leaf_chunks ORDER BY chunk", &[])?;
        loop {
            let rows = tx.query_portal(&portal, (LeafBatch::LEAVES as u64 / ledger::LEAVES_PER_CHUNK) as i32)?;
            if rows.is_empty() {
                break;
            }
            let mut out = LeafBatch::new();
            let mut batch = Vec::with_capacity(rows.len());
            let mut keys: [Vec<i64>; 6] = Default::default();
            for r in &rows {
                let number = r.get::<_, i64>(0) as u64;
                let leaves = Chunk { hashes: r.get(1), records: r.get(2) }.leaves();
                if let Ok(leaves) = &leaves {
                    for l in leaves {
                        match l.kind {
                            Ok(LeafKind::Event) => keys[0].push(l.reference),
                            Ok(LeafKind::Access) => keys[1].push(l.reference),
                            Ok(LeafKind::Disclosure) => keys[2].push(l.reference),
                            Ok(LeafKind::Person) => keys[3].push(l.reference),
                            Ok(LeafKind::Policy) => keys[4].push(l.reference),
                            Ok(LeafKind::DepartureAct) => keys[5].push(l.reference),
                            Err(_) => {}
                        }
                    }
                }
                batch.push((number, leaves));
            }
            let mut events: HashMap<i64, ledger::EventRow> = HashMap::with_capacity(keys[0].len());
            for r in tx.query(
                &format!("SELECT position, {} FROM events WHERE position = ANY($1)", ledger::EVENT_COLUMNS),
                &[&keys[0]],
            )? {
                let mut text = [ledger::Span::default(); 7];
                for (k, span) in text.iter_mut().enumerate() {
                    *span = out.keep(r.get::<_, &str>(4 + k).as_bytes());
                }
                let e = ledger::EventRow {
                    version: r.get(1),
                    schema_version: i64::from(r.get::<_, i32>(2)),
                    leaf_index: r.get(3),
                    text,
                };
                events.insert(r.get(0), e);
            }
            let mut accesses: HashMap<i64, ledger::AccessRow> = tx
                .query(
                    "SELECT id, at, actor, purpose, record_kind, record_id FROM access_log WHERE id = ANY($1)",
                    &[&keys[1]],
                )?
                .into_iter()
                .map(|r| (r.get(0), access_row(&r, 1)))
                .collect();
            let mut disclosures: HashMap<i64, ledger::DisclosureRow> = tx
                .query(
                    "SELECT id, person_id, disclosed_at, recipient_name, recipient_address, purpose, nature,
                            law_enforcement, recorded_by, packet_sha256 FROM disclosures WHERE id = ANY($1)",
                    &[&keys[2]],
                )?
                .into_iter()
                .map(|r| (r.get(0), disclosure_from(r.get(1), |i| r.get(i - 11))))
                .collect();
            let mut persons: HashMap<i64, (String, i64, String)> = tx
                .query("SELECT id, person_id, version, payload FROM person_versions WHERE id = ANY($1)", &[&keys[3]])?
                .into_iter()
                .map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3))))
                .collect();
            let mut policies: HashMap<i64, ledger::PolicyRow> = tx
                .query(&format!("SELECT id, {POLICY_COLUMNS} FROM policies WHERE id = ANY($1)"), &[&keys[4]])?
                .into_iter()
                .map(|r| (r.get(0), policy_row(&r, 1)))
                .collect();
            let mut acts: HashMap<i64, ledger::DepartureActRow> = tx
                .query(&format!("SELECT id, {ACT_COLUMNS} FROM departure_acts WHERE id = ANY($1)"), &[&keys[5]])?
                .into_iter()
                .map(|r| (r.get(0), act_row(&r, 1)))
                .collect();
            for (number, leaves) in batch {
                let leaves = match leaves {
                    Ok(leaves) => leaves,
                    Err(why) => {
                        out.rows.push(Scanned::Malformed { chunk: number, why });
                        continue;
                    }
                };
                for (k, leaf) in leaves.into_iter().enumerate() {
                    // A row is handed to the first leaf that names it (a second is a forgery,
                    // and finds its row already taken, as if missing: it is reported either way).
                    let record = match leaf.kind {
                        Ok(LeafKind::Event) => events.remove(&leaf.reference).map(Record::Event),
                        Ok(LeafKind::Access) => accesses.remove(&leaf.reference).map(|a| Record::Access(Box::new(a))),
                        Ok(LeafKind::Disclosure) => {
                            disclosures.remove(&leaf.reference).map(|d| Record::Disclosure(Box::new(d)))
                        }
                        Ok(LeafKind::Person) => persons.remove(&leaf.reference).map(|p| Record::Person(Box::new(p))),
                        Ok(LeafKind::Policy) => policies.remove(&leaf.reference).map(|p| Record::Policy(Box::new(p))),
                        Ok(LeafKind::DepartureAct) => {
                            acts.remove(&leaf.reference).map(|a| Record::DepartureAct(Box::new(a)))
                        }
                        Err(_) => None,
                    }
                    .unwrap_or(Record::Missing);
                    let index = number * ledger::LEAVES_PER_CHUNK + k as u64;
                    out.rows.push(Scanned::Leaf(LeafRow { index, leaf, record }));
                }
            }
            emit(out)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn scan_chunks(&mut self, f: &mut dyn FnMut(u64, Chunk) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        let portal = tx.bind("SELECT chunk, leaf_hashes, records FROM ledger_leaf_chunks ORDER BY chunk", &[])?;
        loop {
            let rows = tx.query_portal(&portal, 4096)?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                f(r.get::<_, i64>(0) as u64, Chunk { hashes: r.get(1), records: r.get(2) })?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn scan_nodes(&mut self, f: &mut dyn FnMut(u8, u64, Vec<u8>)) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        let portal = tx.bind("SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx", &[])?;
        loop {
            let rows = tx.query_portal(&portal, 20_000)?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                f(r.get::<_, i16>(0) as u8, r.get::<_, i64>(1) as u64, r.get(2));
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn record_count(&mut self, kind: LeafKind) -> Result<u64, StoreError> {
        Ok(self.client.query_one(ledger::count_sql(kind), &[])?.get::<_, i64>(0) as u64)
    }

    fn unnamed_records(&mut self, kind: LeafKind, named: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        let mut tx = self.client.transaction()?;
        let portal = tx.bind(ledger::describe_sql(kind), &[])?;
        let mut out = Vec::new();
        loop {
            let rows = tx.query_portal(&portal, 20_000)?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let key: i64 = r.get(0);
                if named.binary_search(&key).is_err() {
                    out.push((key, r.get(1)));
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn record_disclosure(&mut self, d: &ledger::DisclosureRow) -> Result<i64, StoreError> {
        let mut tx = self.client.transaction()?;
        lock_ledger(&mut tx)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO disclosures (person_id, disclosed_at, recipient_name, recipient_address, purpose, nature,
                     law_enforcement, recorded_by, packet_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    &d.person_id,
                    &d.disclosed_at,
                    &d.recipient_name,
                    &d.recipient_address,
                    &d.purpose,
                    &d.nature,
                    &d.law_enforcement.to_string(),
                    &d.recorded_by,
                    &d.packet_sha256,
                ],
            )?
            .get(0);
        // INVARIANT: the disclosure and its ledger leaf are committed together.
        append_leaves(&mut tx, &[NewLeaf::new(LeafKind::Disclosure, id, &ledger::disclosure_leaf(id, d))])?;
        tx.commit()?;
        Ok(id)
    }

    fn record_policy(&mut self, p: &ledger::PolicyRow) -> Result<i64, StoreError> {
        let mut tx = self.client.transaction()?;
        lock_ledger(&mut tx)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO policies (policy_id, version, kind, effective_at, text, sha256, adopted_by, adopted_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[&p.policy_id, &p.version, &p.kind, &p.effective_at, &p.text, &p.sha256, &p.adopted_by, &p.adopted_at],
            )?
            .get(0);
        // INVARIANT: the policy and its ledger leaf are committed together.
        append_leaves(&mut tx, &[NewLeaf::new(LeafKind::Policy, id, &ledger::policy_leaf(id, p))])?;
        tx.commit()?;
        Ok(id)
    }

    fn store_departures(&mut self, rows: &[departures::NewDeparture]) -> Result<Vec<departures::Placed>, StoreError> {
        let mut tx = self.client.transaction()?;
        let reviews = rows.iter().any(|r| r.review.is_some());
        if reviews {
            lock_ledger(&mut tx)?;
        }
        let mut placed = Vec::with_capacity(rows.len());
        let mut leaves = Vec::new();
        for d in rows {
            let inserted = tx.execute(
                "INSERT INTO departure_records (record_key, received_at, departed_on, port, payload, outcome, purge_after)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (record_key) DO NOTHING",
                &[&d.key, &d.received_at, &d.departed_on, &d.port, &d.payload, &d.outcome.name(), &d.purge_after],
            )?;
            if inserted == 0 {
                placed.push(departures::Placed::AlreadyStored);
                continue;
            }
            for (day, port, outcome, n) in departures::counts_of(d) {
                bump(&mut tx, &day, &port, outcome, n)?;
            }
            let review = match &d.review {
                Some(act) => {
                    let (id, leaf) = insert_act(&mut tx, act)?;
                    tx.execute("UPDATE departure_records SET review_act = $1 WHERE record_key = $2", &[&id, &d.key])?;
                    leaves.push(leaf);
                    Some(id)
                }
                None => None,
            };
            placed.push(departures::Placed::Stored { review });
        }
        // INVARIANT: a review item's opening act and its leaf are committed together.
        if !leaves.is_empty() {
            append_leaves(&mut tx, &leaves)?;
        }
        tx.commit()?;
        Ok(placed)
    }

    fn departure(&mut self, key: &str) -> Result<Option<departures::StoredDeparture>, StoreError> {
        self.client
            .query_opt(&format!("SELECT {DEPARTURE_COLUMNS} FROM departure_records WHERE record_key = $1"), &[&key])?
            .map(|r| departure_row(&r))
            .transpose()
    }

    fn decide_review(&mut self, d: &departures::ReviewDecision) -> Result<Option<i64>, StoreError> {
        let mut tx = self.client.transaction()?;
        lock_ledger(&mut tx)?;
        let subject = departures::review_subject(d.review);
        let decided = tx.query_opt(
            "SELECT id FROM departure_acts WHERE subject = $1 AND kind IN ('review_accepted', 'review_rejected')",
            &[&subject],
        )?;
        let record = tx.query_opt(
            &format!("SELECT {DEPARTURE_COLUMNS} FROM departure_records WHERE review_act = $1 FOR UPDATE"),
            &[&d.review],
        )?;
        let Some(record) = record.filter(|_| decided.is_none()) else {
            return Ok(None);
        };
        let record = departure_row(&record)?;
        let (id, leaf) = insert_act(&mut tx, &d.act)?;
        tx.execute(
            "UPDATE departure_records SET outcome = $1, purge_after = $2 WHERE record_key = $3",
            &[&d.outcome.name(), &d.purge_after, &record.key],
        )?;
        bump(&mut tx, &record.departed_on, &record.port, departures::Outcome::Review.name(), -1)?;
        bump(&mut tx, &record.departed_on, &record.port, d.outcome.name(), 1)?;
        // INVARIANT: the decision and its leaf are committed together.
        append_leaves(&mut tx, &[leaf])?;
        tx.commit()?;
        Ok(Some(id))
    }

    fn purge_departures(&mut self, now: &str, act: &ledger::DepartureActRow) -> Result<departures::Purged, StoreError> {
        let mut tx = self.client.transaction()?;
        lock_ledger(&mut tx)?;
        let due = tx.query(
            "SELECT record_key, payload, departed_on, port FROM departure_records
                 WHERE purge_after IS NOT NULL AND purge_after <= $1 ORDER BY record_key FOR UPDATE",
            &[&now],
        )?;
        let rows: Vec<(String, String, String, String)> =
            due.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
        let sha256 = departures::removed_sha256(rows.iter().map(|r| (r.0.as_str(), r.1.as_str())));
        if rows.is_empty() {
            return Ok(departures::Purged { records: 0, act: None, sha256 });
        }
        let mut per: std::collections::BTreeMap<(&str, &str), i64> = std::collections::BTreeMap::new();
        for r in &rows {
            *per.entry((r.2.as_str(), r.3.as_str())).or_default() += 1;
        }
        for ((day, port), n) in per {
            bump(&mut tx, day, port, "purged", n)?;
        }
        let keys: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        tx.execute("DELETE FROM departure_records WHERE record_key = ANY($1)", &[&keys])?;
        let act = departures::purge_act(act, rows.len() as u64, &sha256);
        let (id, leaf) = insert_act(&mut tx, &act)?;
        // INVARIANT: the deletion and the act recording it are committed together.
        append_leaves(&mut tx, &[leaf])?;
        tx.commit()?;
        Ok(departures::Purged { records: rows.len() as u64, act: Some(id), sha256 })
    }

    fn departure_counts(&mut self, from: &str, to: &str) -> Result<Vec<departures::CountRow>, StoreError> {
        Ok(self
            .client
            .query(
                "SELECT day, port, outcome, n FROM departure_counts WHERE day >= $1 AND day <= $2
                     ORDER BY day, port, outcome",
                &[&from, &to],
            )?
            .iter()
            .map(|r| departures::CountRow { day: r.get(0), port: r.get(1), outcome: r.get(2), n: r.get(3) })
            .collect())
    }

    fn record_departure_act(&mut self, act: &ledger::DepartureActRow) -> Result<i64, StoreError> {
        let mut tx = self.client.transaction()?;
        lock_ledger(&mut tx)?;
        let (id, leaf) = insert_act(&mut tx, act)?;
        append_leaves(&mut tx, &[leaf])?;
        tx.commit()?;
        Ok(id)
    }

    fn departure_acts(
        &mut self,
        kind: &str,
        subject: Option<&str>,
    ) -> Result<Vec<(i64, ledger::DepartureActRow)>, StoreError> {
        Ok(self
            .client
            .query(
                &format!(
                    "SELECT id, {ACT_COLUMNS} FROM departure_acts WHERE kind = $1 AND ($2::TEXT IS NULL OR subject = $2)
                         ORDER BY id"
                ),
                &[&kind, &subject],
            )?
            .iter()
            .map(|r| (r.get(0), act_row(r, 1)))
            .collect())
    }

    fn policies(&mut self) -> Result<Vec<(i64, ledger::PolicyRow)>, StoreError> {
        Ok(self
            .client
            .query(&format!("SELECT id, {POLICY_COLUMNS} FROM policies ORDER BY id"), &[])?
            .iter()
            .map(|r| (r.get(0), policy_row(r, 1)))
            .collect())
    }

    fn disclosures(&mut self, person_id: &str) -> Result<Vec<(i64, ledger::DisclosureRow)>, StoreError> {
        Ok(self
            .client
            .query(
                "SELECT id, person_id, disclosed_at, recipient_name, recipient_address, purpose, nature, law_enforcement,
                        recorded_by, packet_sha256 FROM disclosures WHERE person_id = $1 ORDER BY id",
                &[&person_id],
            )?
            .iter()
            .map(|r| (r.get(0), disclosure_from(r.get(1), |i| r.get(i - 11))))
            .collect())
    }

    fn record_accesses(&mut self, reads: &[ledger::AccessRow]) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.client.transaction()?;
        lock_ledger(&mut tx)?;
        let mut ids = Vec::with_capacity(reads.len());
        let mut leaves = Vec::with_capacity(reads.len());
        for a in reads {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO access_log (at, actor, purpose, record_kind, record_id) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[&a.at, &a.actor, &a.purpose, &a.record_kind, &a.record_id],
                )?
                .get(0);
            ids.push(id);
            leaves.push(NewLeaf::new(LeafKind::Access, id, &ledger::access_leaf(id, a)));
        }
        // INVARIANT: the access rows and their ledger leaves are committed together.
        append_leaves(&mut tx, &leaves)?;
        tx.commit()?;
        Ok(ids)
    }

    fn table_names(&mut self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .client
            .query("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename", &[])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn row_count(&mut self, table: &crate::copy::Table) -> Result<u64, StoreError> {
        let n: i64 = self.client.query_one(&format!("SELECT count(*) FROM {}", table.name), &[])?.get(0);
        Ok(n as u64)
    }

    fn scan_tables(
        &mut self,
        tables: &[crate::copy::Table],
        f: &mut crate::copy::RowSink<'_>,
    ) -> Result<(), StoreError> {
        // One snapshot for every table, read through portals a batch at a time.
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        for table in tables {
            let portal =
                tx.bind(&format!("SELECT {} FROM {} ORDER BY {}", table.column_list(), table.name, table.order), &[])?;
            loop {
                let rows = tx.query_portal(&portal, crate::copy::BATCH as i32)?;
                let done = rows.len() < crate::copy::BATCH;
                if !rows.is_empty() {
                    f(table, rows.iter().map(|r| copy_cells(r, table)).collect::<Result<_, _>>()?)?;
                }
                if done {
                    break;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn begin_load(&mut self) -> Result<(), StoreError> {
        self.client.batch_execute("BEGIN; DELETE FROM ledger_size; DELETE FROM store_meta;")?;
        Ok(())
    }

    fn load_rows(&mut self, table: &crate::copy::Table, rows: &[Vec<crate::copy::Cell>]) -> Result<(), StoreError> {
        let types: Vec<Type> = table.columns.iter().map(|(_, k)| copy_type(*k)).collect();
        let sink = self.client.copy_in(&format!(
            "COPY {} ({}) FROM STDIN (FORMAT binary)",
            table.name,
            table.column_list()
        ))?;
        let mut w = BinaryCopyInWriter::new(sink, &types);
        for row in rows {
            let values = row
                .iter()
                .zip(table.columns)
                .map(|(c, (column, kind))| copy_value(c, *kind, table.name, column))
                .collect::<Result<Vec<_>, _>>()?;
            let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
            w.write(&refs)?;
        }
        w.finish()?;
        Ok(())
    }

    fn finish_load(&mut self, commit: bool) -> Result<(), StoreError> {
        if !commit {
            self.client.batch_execute("ROLLBACK")?;
            return Ok(());
        }
        for t in crate::copy::TABLES {
            if let Some(c) = t.serial {
                // The next id drawn must follow the copied ones.
                self.client.execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{0}', '{c}'), COALESCE((SELECT MAX({c}) FROM {0}), 0) + 1, false)",
                        t.name
                    ),
                    &[],
                )?;
            }
        }
        self.client.batch_execute("COMMIT")?;
        Ok(())
    }

    fn accesses(&mut self, record_kind: &str, record_id: &str) -> Result<Vec<(i64, ledger::AccessRow)>, StoreError> {
        Ok(self
            .client
            .query(
                "SELECT id, at, actor, purpose, record_kind, record_id FROM access_log
                 WHERE record_kind = $1 AND record_id = $2 ORDER BY id",
                &[&record_kind, &record_id],
            )?
            .iter()
            .map(|r| (r.get(0), access_row(r, 1)))
            .collect())
    }
}

/// A disclosure row from columns `13..=20` of `get` (the person id is column 12).
fn disclosure_from(person_id: String, get: impl Fn(usize) -> String) -> ledger::DisclosureRow {
    ledger::DisclosureRow {
        person_id,
        disclosed_at: get(13),
        recipient_name: get(14),
        recipient_address: get(15),
        purpose: get(16),
        nature: get(17),
        law_enforcement: get(18) == "true",
        recorded_by: get(19),
        packet_sha256: get(20),
    }
}

fn read_ledger_keys(c: &mut impl GenericClient) -> Result<Vec<ledger::LedgerKey>, StoreError> {
    Ok(c.query(
        "SELECT verifier_key, from_size, recorded_at, rotation FROM ledger_keys ORDER BY from_size, recorded_at",
        &[],
    )?
    .iter()
    .map(|r| ledger::LedgerKey {
        verifier_key: r.get(0),
        from_size: r.get::<_, i64>(1) as u64,
        recorded_at: r.get(2),
        rotation: r.get(3),
    })
    .collect())
}

/// A `ledger_checkpoints` row of (size, root, note).
fn checkpoint_from(r: &postgres::Row) -> StoredCheckpoint {
    let size: i64 = r.get(0);
    let root: Vec<u8> = r.get(1);
    StoredCheckpoint { size: size as u64, root: ledger::to_hash(&root).unwrap_or([0; 32]), note: r.get(2) }
}

fn insert_checkpoint(c: &mut impl GenericClient, cp: &StoredCheckpoint) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO ledger_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, now()::text)
         ON CONFLICT (size) DO NOTHING",
        &[&(cp.size as i64), &&cp.root[..], &cp.note],
    )?;
    Ok(())
}

fn copy_type(kind: crate::copy::Kind) -> Type {
    use crate::copy::Kind;
    match kind {
        Kind::I16 => Type::INT2,
        Kind::I32 => Type::INT4,
        Kind::I64 => Type::INT8,
        Kind::Text => Type::TEXT,
        Kind::Bytes => Type::BYTEA,
        Kind::Bool => Type::BOOL,
    }
}

/// A row's values as PostgreSQL gives them, by the copied table's column types.
fn copy_cells(r: &postgres::Row, table: &crate::copy::Table) -> Result<Vec<crate::copy::Cell>, StoreError> {
    use crate::copy::{Cell, Kind};
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::I16 => r.try_get::<_, Option<i16>>(i)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
                Kind::I32 => r.try_get::<_, Option<i32>>(i)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
                Kind::I64 => r.try_get::<_, Option<i64>>(i)?.map_or(Cell::Null, Cell::Int),
                Kind::Bool => r.try_get::<_, Option<bool>>(i)?.map_or(Cell::Null, Cell::Bool),
                Kind::Text => r.try_get::<_, Option<String>>(i)?.map_or(Cell::Null, Cell::Text),
                Kind::Bytes => r.try_get::<_, Option<Vec<u8>>>(i)?.map_or(Cell::Null, Cell::Bytes),
            })
        })
        .collect()
}

/// A value for a column of `kind`; a value that does not fit is the source's corruption.
fn copy_value(
    c: &crate::copy::Cell,
    kind: crate::copy::Kind,
    table: &str,
    column: &str,
) -> Result<Box<dyn postgres::types::ToSql + Sync>, StoreError> {
    use crate::copy::{Cell, Kind};
    let wrong = || StoreError::Corrupt {
        what: "copied value",
        key: format!("{table}.{column}"),
        reason: format!("{c:?} does not fit a {kind:?} column"),
    };
    Ok(match (kind, c) {
        (Kind::I16, Cell::Null) => Box::new(None::<i16>),
        (Kind::I32, Cell::Null) => Box::new(None::<i32>),
        (Kind::I64, Cell::Null) => Box::new(None::<i64>),
        (Kind::Bool, Cell::Null) => Box::new(None::<bool>),
        (Kind::Text, Cell::Null) => Box::new(None::<String>),
        (Kind::Bytes, Cell::Null) => Box::new(None::<Vec<u8>>),
        (Kind::I16, Cell::Int(i)) => Box::new(i16::try_from(*i).map_err(|_| wrong())?),
        (Kind::I32, Cell::Int(i)) => Box::new(i32::try_from(*i).map_err(|_| wrong())?),
        (Kind::I64, Cell::Int(i)) => Box::new(*i),
        (Kind::Bool, Cell::Bool(b)) => Box::new(*b),
        (Kind::Bool, Cell::Int(i)) => Box::new(*i != 0),
        (Kind::Text, Cell::Text(t)) => Box::new(t.clone()),
        (Kind::Bytes, Cell::Bytes(b)) => Box::new(b.clone()),
        _ => return Err(wrong()),
    })
}
/// The columns of `policies` that make a [`ledger::PolicyRow`], in its order.
const POLICY_COLUMNS: &str = "policy_id, version, kind, effective_at, sha256, adopted_by, adopted_at, text";

/// A policy row from [`POLICY_COLUMNS`] starting at column `at`.
/// The columns of `departure_acts` that make a [`ledger::DepartureActRow`], in its order.
const ACT_COLUMNS: &str = "kind, at, actor, subject, detail";

fn act_row(r: &postgres::Row, at: usize) -> ledger::DepartureActRow {
    ledger::DepartureActRow {
        kind: r.get(at),
        at: r.get(at + 1),
        actor: r.get(at + 2),
        subject: r.get(at + 3),
        detail: r.get(at + 4),
    }
}

/// The columns of `departure_records` that make a [`departures::StoredDeparture`].
const DEPARTURE_COLUMNS: &str = "record_key, received_at, departed_on, port, payload, outcome, review_act, purge_after";

fn departure_row(r: &postgres::Row) -> Result<departures::StoredDeparture, StoreError> {
    let outcome: String = r.get(5);
    Ok(departures::StoredDeparture {
        key: r.get(0),
        received_at: r.get(1),
        departed_on: r.get(2),
        port: r.get(3),
        payload: r.get(4),
        outcome: departures::Outcome::from_name(&outcome).ok_or_else(|| StoreError::Corrupt {
            what: "departure record",
            key: r.get(0),
            reason: format!("unknown outcome `{outcome}`"),
        })?,
        review: r.get(6),
        purge_after: r.get(7),
    })
}

/// Inserts an act and returns its id and leaf (the caller appends the leaf in the same
/// transaction).
fn insert_act(tx: &mut Transaction<'_>, a: &ledger::DepartureActRow) -> Result<(i64, NewLeaf), StoreError> {
    let id: i64 = tx
        .query_one(
            "INSERT INTO departure_acts (kind, at, actor, subject, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&a.kind, &a.at, &a.actor, &a.subject, &a.detail],
        )?
        .get(0);
    Ok((id, NewLeaf::new(LeafKind::DepartureAct, id, &ledger::departure_act_leaf(id, a))))
}

fn bump(tx: &mut Transaction<'_>, day: &str, port: &str, outcome: &str, n: i64) -> Result<(), StoreError> {
    tx.execute(departures::BUMP_COUNT, &[&day, &port, &outcome, &n])?;
    Ok(())
}

fn policy_row(r: &postgres::Row, at: usize) -> ledger::PolicyRow {
    ledger::PolicyRow {
        policy_id: r.get(at),
        version: r.get(at + 1),
        kind: r.get(at + 2),
        effective_at: r.get(at + 3),
        sha256: r.get(at + 4),
        adopted_by: r.get(at + 5),
        adopted_at: r.get(at + 6),
        text: r.get(at + 7),
    }
}
