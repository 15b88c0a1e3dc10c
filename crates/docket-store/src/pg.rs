//! The PostgreSQL backend: one connection; large batches go in with binary `COPY`.

use std::collections::{HashMap, HashSet};

use docket_core::{CaseId, CaseState, CaseSummary, Event, EventId, Person, PersonId};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::Type;
use postgres::{Client, NoTls, Transaction};

use crate::ledger::{self, NodeRows, Nodes, StoredCheckpoint};
use crate::plan::{self, Loader};
use crate::{
    Backend, Expected, ImportOutcome, LeafRow, ProjectionRow, RebuildReport, SCHEMA_V1, SCHEMA_VERSION, Stats,
    StoreError, decode_event, decode_summary, encode_event, ledger_err, person_columns, person_from_columns,
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

    fn persons_exist(&mut self, persons: &[&PersonId]) -> Result<HashSet<PersonId>, StoreError> {
        let ids: Vec<&str> = persons.iter().map(|p| p.as_str()).collect();
        let rows = self.tx.query("SELECT person_id FROM persons WHERE person_id = ANY($1)", &[&ids])?;
        let found: HashSet<&str> = rows.iter().map(|r| r.get::<_, &str>(0)).collect();
        Ok(persons.iter().filter(|p| found.contains(p.as_str())).map(|p| (*p).clone()).collect())
    }

    fn event_ids_exist(&mut self, ids: &[EventId]) -> Result<HashSet<EventId>, StoreError> {
        let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let rows = self.tx.query("SELECT event_id FROM events WHERE event_id = ANY($1)", &[&texts])?;
        let found: HashSet<String> = rows.iter().map(|r| r.get(0)).collect();
        Ok(ids.iter().filter(|id| found.contains(&id.to_string())).copied().collect())
    }
}

const EVENT_TYPES: [Type; 10] = [
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
];
const PROJECTION_TYPES: [Type; 6] = [Type::TEXT, Type::TEXT, Type::INT8, Type::BOOL, Type::TEXT, Type::TEXT];
const PROJECTION_COLUMNS: &str = "case_id, person_id, version, detained, final_at, summary";

fn write_projections(tx: &mut Transaction<'_>, projections: &[CaseSummary]) -> Result<(), StoreError> {
    if projections.is_empty() {
        return Ok(());
    }
    tx.batch_execute(&format!(
        "CREATE TEMP TABLE IF NOT EXISTS projection_stage ({PROJECTION_COLUMNS_DDL}) ON COMMIT DELETE ROWS"
    ))?;
    copy_projections(tx, "projection_stage", projections.iter().map(ProjectionRow::of))?;
    tx.batch_execute(&format!(
        "INSERT INTO case_projection ({PROJECTION_COLUMNS}) SELECT {PROJECTION_COLUMNS} FROM projection_stage
         ON CONFLICT (case_id) DO UPDATE SET person_id = excluded.person_id, version = excluded.version,
             detained = excluded.detained, final_at = excluded.final_at, summary = excluded.summary;
         TRUNCATE projection_stage"
    ))?;
    Ok(())
}

const PROJECTION_COLUMNS_DDL: &str = "case_id TEXT PRIMARY KEY, person_id TEXT, version BIGINT NOT NULL, detained BOOLEAN NOT NULL, final_at TEXT, summary TEXT NOT NULL";

fn copy_projections(
    tx: &mut Transaction<'_>,
    table: &str,
    rows: impl Iterator<Item = ProjectionRow>,
) -> Result<(), StoreError> {
    let sink = tx.copy_in(&format!("COPY {table} ({PROJECTION_COLUMNS}) FROM STDIN (FORMAT binary)"))?;
    let mut w = BinaryCopyInWriter::new(sink, &PROJECTION_TYPES);
    for r in rows {
        w.write(&[&r.case_id, &r.person_id, &r.version, &r.detained, &r.final_at, &r.summary])?;
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

    fn leaf(&self, index: u64) -> Result<Option<docket_ledger::Hash>, Self::Error> {
        let row = self
            .tx
            .borrow_mut()
            .query_opt("SELECT leaf_hash FROM ledger_leaves WHERE leaf_index = $1", &[&(index as i64)])?;
        Ok(hash_col(row.map(|r| r.get(0))))
    }

    fn leaves(&self, lo: u64, hi: u64) -> Result<Vec<docket_ledger::Hash>, Self::Error> {
        let rows = self.tx.borrow_mut().query(
            "SELECT leaf_hash FROM ledger_leaves WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index",
            &[&(lo as i64), &(hi as i64)],
        )?;
        Ok(rows.iter().filter_map(|r| ledger::to_hash(r.get::<_, &[u8]>(0))).collect())
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

/// Appends leaves recording `(kind, reference, leaf bytes)` rows, in order. The caller holds
/// the ledger lock (`lock_ledger`).
fn append_leaves(tx: &mut Transaction<'_>, leaves: &[(&str, i64, Vec<u8>)]) -> Result<(), StoreError> {
    if leaves.is_empty() {
        return Ok(());
    }
    let start: i64 = tx.query_one("SELECT size FROM ledger_size WHERE id = 1", &[])?.get(0);
    let leaf_hashes: Vec<docket_ledger::Hash> = leaves.iter().map(|l| docket_ledger::leaf_hash(&l.2)).collect();
    {
        let sink =
            tx.copy_in("COPY ledger_leaves (leaf_index, kind, record_ref, leaf_hash) FROM STDIN (FORMAT binary)")?;
        let mut w = BinaryCopyInWriter::new(sink, &[Type::INT8, Type::TEXT, Type::INT8, Type::BYTEA]);
        for (i, ((kind, reference, _), hash)) in leaves.iter().zip(&leaf_hashes).enumerate() {
            w.write(&[&(start + i as i64), kind, reference, &&hash[..]])?;
        }
        w.finish()?;
    }
    let mut log = docket_ledger::Log::new(Nodes { rows: Rows { tx: std::cell::RefCell::new(tx) } });
    let range = log.append_leaf_hashes(leaf_hashes).map_err(ledger_err)?;
    if range.start != start as u64 {
        return Err(StoreError::Ledger(format!("ledger grew from {} while appending at {start}", range.start)));
    }
    Ok(())
}

/// Serializes writers of the ledger: one appender at a time, in commit order.
fn lock_ledger(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("SELECT size FROM ledger_size WHERE id = 1 FOR UPDATE", &[])?;
    Ok(())
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
        const COLUMNS: &str = "position, event_id, case_id, version, event_type, schema_version, effective_at, recorded_at, idempotency_key, payload";
        // Positions are taken under the ledger lock, so leaf order and position order agree.
        lock_ledger(&mut tx)?;
        let positions: Vec<i64> = if plan.inserts.is_empty() {
            Vec::new()
        } else {
            tx.query(
                "SELECT nextval(pg_get_serial_sequence('events', 'position')) FROM generate_series(1, $1::bigint)",
                &[&(plan.inserts.len() as i64)],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect()
        };
        let payloads: Vec<String> = plan.inserts.iter().map(|&(i, _)| encode_event(&events[i])).collect();
        if plan.inserts.len() < COPY_THRESHOLD {
            let stmt = tx
                .prepare(&format!("INSERT INTO events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))?;
            for (k, &(i, v)) in plan.inserts.iter().enumerate() {
                let r = row(i, v);
                tx.execute(&stmt, &[&positions[k], &r.0, &r.1, &r.2, &r.3, &r.4, &r.5, &r.6, &r.7, &payloads[k]])?;
            }
        } else {
            let sink = tx.copy_in(&format!("COPY events ({COLUMNS}) FROM STDIN (FORMAT binary)"))?;
            let mut w = BinaryCopyInWriter::new(sink, &EVENT_TYPES);
            for (k, &(i, v)) in plan.inserts.iter().enumerate() {
                let r = row(i, v);
                w.write(&[&positions[k], &r.0, &r.1, &r.2, &r.3, &r.4, &r.5, &r.6, &r.7, &payloads[k]])?;
            }
            w.finish()?;
        }
        write_projections(&mut tx, &plan.projections)?;
        // INVARIANT: the ledger leaf is written in the same transaction as its event.
        let leaves: Vec<(&str, i64, Vec<u8>)> = plan
            .inserts
            .iter()
            .enumerate()
            .map(|(k, &(i, v))| {
                (
                    ledger::EVENT,
                    positions[k],
                    ledger::event_leaf(positions[k], events[i].case_id.as_str(), v as i64, &payloads[k]),
                )
            })
            .collect();
        append_leaves(&mut tx, &leaves)?;
        tx.commit()?;
        Ok(plan.outcomes)
    }
}

const PERSON_SELECT: &str = "SELECT person_id, a_number, given_names, family_names, name_order, given_folded, family_folded, aliases, date_of_birth, sex, nationality, passport_number, passport_country, passport_expiry FROM persons";

impl Backend for Postgres {
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
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )?;
        let current: i64 = tx.query_one("SELECT coalesce(max(version), 0)::BIGINT FROM schema_migrations", &[])?.get(0);
        if current > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { found: current });
        }
        if current < 1 {
            tx.batch_execute(&SCHEMA_V1.replace("{pk}", "BIGSERIAL PRIMARY KEY").replace("{bool}", "BOOLEAN"))?;
            tx.execute("INSERT INTO schema_migrations (version) VALUES (1)", &[])?;
        }
        if current < 2 {
            tx.batch_execute(
                &ledger::SCHEMA_V2
                    .replace("{blob}", "BYTEA")
                    .replace("{leaf_pk}", "BIGINT PRIMARY KEY")
                    .replace("{row_pk}", "BIGSERIAL PRIMARY KEY")
                    .replace("{without_rowid}", ""),
            )?;
            // Events stored before the ledger existed become its first leaves, in order.
            let rows = tx.query("SELECT position, case_id, version, payload FROM events ORDER BY position", &[])?;
            for chunk in rows.chunks(50_000) {
                let leaves: Vec<(&str, i64, Vec<u8>)> = chunk
                    .iter()
                    .map(|r| {
                        let position: i64 = r.get(0);
                        (ledger::EVENT, position, ledger::event_leaf(position, r.get(1), r.get(2), r.get(3)))
                    })
                    .collect();
                append_leaves(&mut tx, &leaves)?;
            }
            tx.execute("INSERT INTO schema_migrations (version) VALUES (2)", &[])?;
        }
        tx.commit()?;
        self.schema_version()
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

    fn upsert_persons(&mut self, persons: &[Person]) -> Result<u64, StoreError> {
        let mut tx = self.client.transaction()?;
        tx.batch_execute(
            "CREATE TEMP TABLE IF NOT EXISTS person_stage (LIKE persons INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
        )?;
        {
            let sink = tx.copy_in("COPY person_stage FROM STDIN (FORMAT binary)")?;
            let mut w = BinaryCopyInWriter::new(sink, &[Type::TEXT; 14]);
            // A later row for the same person wins, as it would row by row.
            let mut last: HashMap<&str, usize> = HashMap::new();
            for (i, p) in persons.iter().enumerate() {
                last.insert(p.id.as_str(), i);
            }
            for (i, p) in persons.iter().enumerate() {
                if last.get(p.id.as_str()) != Some(&i) {
                    continue;
                }
                let c = person_columns(p);
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    c.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
                w.write(&refs)?;
            }
            w.finish()?;
        }
        let written = tx.execute(
            "INSERT INTO persons SELECT * FROM person_stage
             ON CONFLICT (person_id) DO UPDATE SET a_number = excluded.a_number, given_names = excluded.given_names,
                family_names = excluded.family_names, name_order = excluded.name_order, given_folded = excluded.given_folded,
                family_folded = excluded.family_folded, aliases = excluded.aliases, date_of_birth = excluded.date_of_birth,
                sex = excluded.sex, nationality = excluded.nationality, passport_number = excluded.passport_number,
                passport_country = excluded.passport_country, passport_expiry = excluded.passport_expiry
             WHERE persons.a_number IS DISTINCT FROM excluded.a_number OR persons.given_names IS DISTINCT FROM excluded.given_names OR persons.family_names IS DISTINCT FROM excluded.family_names OR persons.name_order IS DISTINCT FROM excluded.name_order OR persons.given_folded IS DISTINCT FROM excluded.given_folded OR persons.family_folded IS DISTINCT FROM excluded.family_folded OR persons.aliases IS DISTINCT FROM excluded.aliases OR persons.date_of_birth IS DISTINCT FROM excluded.date_of_birth OR persons.sex IS DISTINCT FROM excluded.sex OR persons.nationality IS DISTINCT FROM excluded.nationality OR persons.passport_number IS DISTINCT FROM excluded.passport_number OR persons.passport_country IS DISTINCT FROM excluded.passport_country OR persons.passport_expiry IS DISTINCT FROM excluded.passport_expiry",
            &[],
        )?;
        tx.batch_execute("TRUNCATE person_stage")?;
        tx.commit()?;
        Ok(written)
    }

    fn person(&mut self, id: &PersonId) -> Result<Option<Person>, StoreError> {
        let row = self.client.query_opt(&format!("{PERSON_SELECT} WHERE person_id = $1"), &[&id.as_str()])?;
        row.map(|r| {
            let mut c: [Option<String>; 14] = Default::default();
            for (i, slot) in c.iter_mut().enumerate() {
                *slot = r.get(i);
            }
            person_from_columns(c)
        })
        .transpose()
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

    fn scan_summaries(&mut self, f: &mut dyn FnMut(CaseSummary)) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        let portal = tx.bind("SELECT case_id, summary FROM case_projection ORDER BY case_id", &[])?;
        loop {
            let rows = tx.query_portal(&portal, 10_000)?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                f(decode_summary(r.get(1), r.get(0))?);
            }
        }
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

    fn rebuild(&mut self, progress: &mut dyn FnMut(u64)) -> Result<RebuildReport, StoreError> {
        let mut tx = self.client.transaction()?;
        tx.batch_execute(&format!(
            "LOCK TABLE events IN SHARE MODE;
             DROP TABLE IF EXISTS rebuilt; CREATE TEMP TABLE rebuilt ({PROJECTION_COLUMNS_DDL})"
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
                "SELECT coalesce(a.case_id, b.case_id) FROM case_projection a FULL JOIN rebuilt b ON a.case_id = b.case_id
                 WHERE a.summary IS DISTINCT FROM b.summary OR a.version IS DISTINCT FROM b.version
                    OR a.detained IS DISTINCT FROM b.detained OR a.final_at IS DISTINCT FROM b.final_at
                    OR a.person_id IS DISTINCT FROM b.person_id
                 ORDER BY 1",
                &[],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        report.differing_count = ids.len() as u64;
        report.differing = ids.into_iter().take(20).collect();
        if report.differing_count > 0 {
            tx.batch_execute(&format!(
                "DELETE FROM case_projection;
                 INSERT INTO case_projection ({PROJECTION_COLUMNS}) SELECT {PROJECTION_COLUMNS} FROM rebuilt"
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
            "SELECT l.leaf_index, e.position, e.case_id, e.version, e.payload FROM events e
             JOIN ledger_leaves l ON l.kind = 'event' AND l.record_ref = e.position WHERE e.event_id = $1",
            &[&id.to_string()],
        )?;
        Ok(row.map(|r| {
            let leaf: i64 = r.get(0);
            (leaf as u64, ledger::event_leaf(r.get(1), r.get(2), r.get(3), r.get(4)))
        }))
    }

    fn checkpoints(&mut self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        Ok(self
            .client
            .query("SELECT size, root, note FROM ledger_checkpoints ORDER BY size", &[])?
            .iter()
            .map(|r| {
                let size: i64 = r.get(0);
                let root: Vec<u8> = r.get(1);
                StoredCheckpoint { size: size as u64, root: ledger::to_hash(&root).unwrap_or([0; 32]), note: r.get(2) }
            })
            .collect())
    }

    fn add_checkpoint(&mut self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        self.client.execute(
            "INSERT INTO ledger_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, now()::text)
             ON CONFLICT (size) DO NOTHING",
            &[&(cp.size as i64), &&cp.root[..], &cp.note],
        )?;
        Ok(())
    }

    fn scan_leaves(&mut self, f: &mut dyn FnMut(LeafRow) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        let portal = tx.bind(
            "SELECT l.leaf_index, l.kind, l.record_ref, l.leaf_hash, e.case_id, e.version, e.payload,
                    a.at, a.actor, a.purpose, a.record_kind, a.record_id,
                    d.person_id, d.disclosed_at, d.recipient_name, d.recipient_address, d.purpose, d.nature,
                    d.law_enforcement, d.recorded_by, d.packet_sha256
             FROM ledger_leaves l
             LEFT JOIN events e ON l.kind = 'event' AND e.position = l.record_ref
             LEFT JOIN access_log a ON l.kind = 'access' AND a.id = l.record_ref
             LEFT JOIN disclosures d ON l.kind = 'disclosure' AND d.id = l.record_ref
             ORDER BY l.leaf_index",
            &[],
        )?;
        loop {
            let rows = tx.query_portal(&portal, 20_000)?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let case: Option<String> = r.get(4);
                let event = case.map(|c| (c, r.get(5), r.get(6)));
                let at: Option<String> = r.get(7);
                let access = at.map(|at| ledger::AccessRow {
                    at,
                    actor: r.get(8),
                    purpose: r.get(9),
                    record_kind: r.get(10),
                    record_id: r.get(11),
                });
                let person: Option<String> = r.get(12);
                let disclosure = person.map(|person_id| disclosure_from(person_id, |i| r.get(i)));
                f(LeafRow {
                    index: r.get(0),
                    kind: r.get(1),
                    reference: r.get(2),
                    hash: r.get(3),
                    event,
                    access,
                    disclosure,
                })?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn unledgered_disclosures(&mut self) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .client
            .query(
                "SELECT d.id FROM disclosures d
                 WHERE NOT EXISTS (SELECT 1 FROM ledger_leaves l WHERE l.kind = 'disclosure' AND l.record_ref = d.id)
                 ORDER BY d.id LIMIT 1000",
                &[],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
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
        append_leaves(&mut tx, &[(ledger::DISCLOSURE, id, ledger::disclosure_leaf(id, d))])?;
        tx.commit()?;
        Ok(id)
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

    fn unledgered_accesses(&mut self) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .client
            .query(
                "SELECT a.id FROM access_log a
                 WHERE NOT EXISTS (SELECT 1 FROM ledger_leaves l WHERE l.kind = 'access' AND l.record_ref = a.id)
                 ORDER BY a.id LIMIT 1000",
                &[],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn record_access(&mut self, a: &ledger::AccessRow) -> Result<i64, StoreError> {
        let mut tx = self.client.transaction()?;
        lock_ledger(&mut tx)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO access_log (at, actor, purpose, record_kind, record_id) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&a.at, &a.actor, &a.purpose, &a.record_kind, &a.record_id],
            )?
            .get(0);
        // INVARIANT: the access row and its ledger leaf are committed together.
        append_leaves(&mut tx, &[(ledger::ACCESS, id, ledger::access_leaf(id, a))])?;
        tx.commit()?;
        Ok(id)
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
            .map(|r| {
                (
                    r.get(0),
                    ledger::AccessRow {
                        at: r.get(1),
                        actor: r.get(2),
                        purpose: r.get(3),
                        record_kind: r.get(4),
                        record_id: r.get(5),
                    },
                )
            })
            .collect())
    }

    fn unledgered_events(&mut self) -> Result<Vec<(i64, String, i64)>, StoreError> {
        Ok(self
            .client
            .query(
                "SELECT e.position, e.case_id, e.version FROM events e
                 WHERE NOT EXISTS (SELECT 1 FROM ledger_leaves l WHERE l.kind = 'event' AND l.record_ref = e.position)
                 ORDER BY e.position LIMIT 1000",
                &[],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
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
