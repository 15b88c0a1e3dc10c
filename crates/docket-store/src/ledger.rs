//! The audit ledger as the store keeps it: every stored event (and, in later steps, every
//! read and disclosure) is a leaf of an RFC 9162 Merkle log, written in the same
//! transaction as the row it records.
//!
//! # Leaf encoding, version 1
//!
//! An outside verifier recomputes a leaf from the stored row with nothing but these bytes:
//!
//! ```text
//! event leaf = "docket-leaf/1 event\n" || POSITION || "\n" || CASE_ID || "\n" || VERSION || "\n" || PAYLOAD
//! ```
//!
//! where POSITION is the event's global position and VERSION its number in the case stream,
//! both in decimal ASCII; CASE_ID is the case id; PAYLOAD is the stored JSON of the event
//! (`events.payload`), byte for byte. The leaf hash is SHA-256(0x00 || leaf), the tree is
//! RFC 9162's. Binding position and version into the leaf means that moving, reordering or
//! renumbering an event changes its leaf as surely as editing its content.

use docket_ledger::{Hash, HashStore};

/// Kinds of leaves.
pub const EVENT: &str = "event";
/// A read of a record by a person.
pub const ACCESS: &str = "access";
/// A disclosure of a person's record outside the agency.
pub const DISCLOSURE: &str = "disclosure";

/// A disclosure outside the agency, with what 5 U.S.C. 552a(c) requires an agency to keep:
/// date, nature and purpose, and the recipient's name and address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DisclosureRow {
    /// The person whose record was disclosed.
    pub person_id: String,
    /// When.
    pub disclosed_at: String,
    /// To whom.
    pub recipient_name: String,
    /// The recipient's address.
    pub recipient_address: String,
    /// Why.
    pub purpose: String,
    /// What was disclosed.
    pub nature: String,
    /// Whether it was a disclosure for a civil or criminal law-enforcement activity under
    /// 5 U.S.C. 552a(b)(7) (which the person's own accounting may withhold).
    pub law_enforcement: bool,
    /// Who recorded it.
    pub recorded_by: String,
    /// SHA-256 of the disclosure packet, hex.
    pub packet_sha256: String,
}

/// The bytes of a disclosure leaf: `"docket-leaf/1 disclosure\n" || ID || "\n" || JSON`,
/// where JSON is the row's fields in the order of [`DisclosureRow`], compact, as
/// serde_json writes them (free text such as an address may hold line breaks, so it is
/// JSON-escaped).
pub fn disclosure_leaf(id: i64, d: &DisclosureRow) -> Vec<u8> {
    let json = serde_json::to_string(d).unwrap_or_default();
    format!("docket-leaf/1 disclosure\n{id}\n{json}").into_bytes()
}

/// A read of a case's or person's record, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRow {
    /// When.
    pub at: String,
    /// Who read.
    pub actor: String,
    /// Why (one of `AccessPurpose`'s names).
    pub purpose: String,
    /// `case` or `person`.
    pub record_kind: String,
    /// The case or person id.
    pub record_id: String,
}

/// The bytes of an access leaf:
/// `"docket-leaf/1 access\n" || ID || "\n" || AT || "\n" || ACTOR || "\n" || PURPOSE || "\n" || RECORD_KIND || "\n" || RECORD_ID`,
/// every field a token without line breaks.
pub fn access_leaf(id: i64, a: &AccessRow) -> Vec<u8> {
    format!("docket-leaf/1 access\n{id}\n{}\n{}\n{}\n{}\n{}", a.at, a.actor, a.purpose, a.record_kind, a.record_id)
        .into_bytes()
}

/// The bytes of an event's leaf (see the module documentation).
pub fn event_leaf(position: i64, case_id: &str, version: i64, payload: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(payload.len() + 64);
    write_event_leaf(&mut v, position, case_id, version, payload);
    v
}

fn write_event_leaf(v: &mut Vec<u8>, position: i64, case_id: &str, version: i64, payload: &str) {
    v.extend_from_slice(b"docket-leaf/1 event\n");
    v.extend_from_slice(position.to_string().as_bytes());
    v.push(b'\n');
    v.extend_from_slice(case_id.as_bytes());
    v.push(b'\n');
    v.extend_from_slice(version.to_string().as_bytes());
    v.push(b'\n');
    v.extend_from_slice(payload.as_bytes());
}

/// One problem `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discrepancy {
    /// The leaf index concerned, if any.
    pub leaf: Option<u64>,
    /// What is wrong, in words.
    pub what: String,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    /// Leaves checked.
    pub leaves: u64,
    /// Events checked against their leaves.
    pub events: u64,
    /// Access records checked against their leaves.
    pub accesses: u64,
    /// Disclosures checked against their leaves.
    pub disclosures: u64,
    /// Checkpoints whose roots were checked against the recomputed tree.
    pub checkpoints_checked: u64,
    /// The latest checkpoint's size, if any.
    pub latest_checkpoint: Option<u64>,
    /// Every discrepancy (the first 1,000).
    pub discrepancies: Vec<Discrepancy>,
    /// How many discrepancies in all.
    pub discrepancy_count: u64,
}

impl VerifyReport {
    pub(crate) fn add(&mut self, leaf: Option<u64>, what: String) {
        self.discrepancy_count += 1;
        if self.discrepancies.len() < 1000 {
            self.discrepancies.push(Discrepancy { leaf, what });
        }
    }
}

/// A stored checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Tree size.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
    /// The signed note.
    pub note: String,
}

/// A proof that an event is in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventProof {
    /// The event's leaf index.
    pub leaf_index: u64,
    /// The leaf bytes (see the module documentation).
    pub leaf: Vec<u8>,
    /// The tree size the proof is for (the checkpoint's).
    pub size: u64,
    /// The audit path.
    pub path: Vec<Hash>,
    /// The checkpoint the proof verifies against.
    pub checkpoint: StoredCheckpoint,
}

pub(crate) fn to_hash(bytes: &[u8]) -> Option<Hash> {
    bytes.try_into().ok()
}

/// Node hashes are stored from this level up; the levels below are recomputed from at most
/// `2^LOWEST_STORED_LEVEL` leaf hashes when a proof needs them. This stores one node row per
/// 8 leaves instead of one per leaf, which is most of the ledger's cost on import.
pub(crate) const LOWEST_STORED_LEVEL: u8 = 4;

/// Node hashes in a relational table, seen through `HashStore`. Level 0 is read from the
/// leaves table, where the caller writes leaves with what they record; levels below
/// [`LOWEST_STORED_LEVEL`] are recomputed from leaves; `put` writes the levels from it up.
pub(crate) struct Nodes<R> {
    pub rows: R,
}

/// The queries `Nodes` needs, per backend.
pub(crate) trait NodeRows {
    type Error: std::error::Error + Send + Sync + 'static;
    fn size(&self) -> Result<u64, Self::Error>;
    fn leaf(&self, index: u64) -> Result<Option<Hash>, Self::Error>;
    /// Leaf hashes `lo..hi`, in order (fewer if some are missing).
    fn leaves(&self, lo: u64, hi: u64) -> Result<Vec<Hash>, Self::Error>;
    fn node(&self, level: u8, index: u64) -> Result<Option<Hash>, Self::Error>;
    fn put_nodes(&mut self, nodes: &[(u8, u64, Hash)]) -> Result<(), Self::Error>;
    fn set_size(&mut self, size: u64) -> Result<(), Self::Error>;
}

impl<R: NodeRows> HashStore for Nodes<R> {
    type Error = R::Error;

    fn size(&self) -> Result<u64, Self::Error> {
        self.rows.size()
    }

    fn get(&self, level: u8, index: u64) -> Result<Option<Hash>, Self::Error> {
        match level {
            0 => self.rows.leaf(index),
            l if l < LOWEST_STORED_LEVEL => {
                let width = 1u64 << l;
                let mut hashes = self.rows.leaves(index * width, (index + 1) * width)?;
                if hashes.len() as u64 != width {
                    return Ok(None);
                }
                // A complete subtree of 2^l leaves: hash pairs level by level.
                while hashes.len() > 1 {
                    hashes = hashes.chunks(2).map(|p| docket_ledger::node_hash(&p[0], &p[1])).collect();
                }
                Ok(hashes.pop())
            }
            l => self.rows.node(l, index),
        }
    }

    fn put(&mut self, nodes: &[(u8, u64, Hash)]) -> Result<(), Self::Error> {
        let stored: Vec<(u8, u64, Hash)> =
            nodes.iter().filter(|(l, _, _)| *l >= LOWEST_STORED_LEVEL).copied().collect();
        if stored.is_empty() { Ok(()) } else { self.rows.put_nodes(&stored) }
    }

    fn set_size(&mut self, size: u64) -> Result<(), Self::Error> {
        self.rows.set_size(size)
    }
}

/// Schema version 2: the ledger tables.
pub(crate) const SCHEMA_V2: &str = "
CREATE TABLE ledger_leaves (
    leaf_index {leaf_pk},
    kind TEXT NOT NULL,
    record_ref BIGINT NOT NULL,
    leaf_hash {blob} NOT NULL,
    UNIQUE (kind, record_ref)
);
CREATE TABLE ledger_nodes (
    level SMALLINT NOT NULL,
    idx BIGINT NOT NULL,
    hash {blob} NOT NULL,
    PRIMARY KEY (level, idx)
){without_rowid};
CREATE TABLE ledger_size (id INTEGER PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL);
INSERT INTO ledger_size (id, size) VALUES (1, 0);
CREATE TABLE access_log (
    id {row_pk},
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    purpose TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL
);
CREATE INDEX access_log_record ON access_log (record_kind, record_id);
CREATE TABLE disclosures (
    id {row_pk},
    person_id TEXT NOT NULL,
    disclosed_at TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    recipient_address TEXT NOT NULL,
    purpose TEXT NOT NULL,
    nature TEXT NOT NULL,
    law_enforcement TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    packet_sha256 TEXT NOT NULL
);
CREATE INDEX disclosures_person ON disclosures (person_id);
CREATE TABLE ledger_checkpoints (
    size BIGINT PRIMARY KEY,
    root {blob} NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
);
";

/// Recomputes the ledger from its stored leaves and the rows they record; see
/// [`crate::Store::verify_ledger`].
pub(crate) fn verify(
    backend: &mut dyn crate::Backend,
    key: &docket_ledger::VerifierKey,
    progress: &mut dyn FnMut(u64),
) -> Result<VerifyReport, crate::StoreError> {
    let mut report = VerifyReport::default();
    let size = backend.ledger_size()?;
    // Checkpoints first: a signature that does not verify, or a note whose size and root
    // disagree with its row, is itself a discrepancy.
    let mut checkpoints = Vec::new();
    for cp in backend.checkpoints()? {
        match docket_ledger::Checkpoint::from_note(cp.note.as_bytes(), key) {
            Ok(parsed) if parsed.size() == cp.size && parsed.root() == &cp.root => checkpoints.push(cp),
            Ok(_) => {
                report.add(None, format!("checkpoint at size {}: its row disagrees with its signed note", cp.size))
            }
            Err(e) => report.add(None, format!("checkpoint at size {}: {e}", cp.size)),
        }
    }
    report.latest_checkpoint = checkpoints.last().map(|c| c.size);
    // The database is read on this thread while another recomputes leaves and the tree.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<crate::LeafRow>>(4);
    let mut scanned = 0u64;
    let (mut report, unreached, ordered_events) =
        std::thread::scope(|scope| -> Result<(VerifyReport, usize, u64), crate::StoreError> {
            let cps = &checkpoints;
            let worker = scope.spawn(move || check_leaves(rx, cps, report));
            let mut buf = Vec::with_capacity(8192);
            let scan = backend.scan_leaves(&mut |row| {
                buf.push(row);
                if buf.len() == 8192 {
                    scanned += 8192;
                    progress(scanned);
                    // A closed channel means the worker stopped; joining it says why.
                    let _ = tx.send(std::mem::replace(&mut buf, Vec::with_capacity(8192)));
                }
                Ok(())
            });
            let _ = tx.send(buf);
            drop(tx);
            let checked = worker.join().map_err(|_| crate::StoreError::Ledger("the verifying thread failed".into()))?;
            scan?;
            Ok(checked)
        })?;
    progress(report.leaves);
    if report.leaves != size {
        report.add(None, format!("the ledger records {size} leaves but {} are stored", report.leaves));
    }
    for cp in &checkpoints[checkpoints.len() - unreached..] {
        report.add(
            None,
            format!(
                "checkpoint at size {} is beyond the {} stored leaves: leaves were deleted",
                cp.size, report.leaves
            ),
        );
    }
    for id in backend.unledgered_disclosures()? {
        report.add(None, format!("disclosure {id} is not in the ledger: inserted outside Docket"));
    }
    for id in backend.unledgered_accesses()? {
        report.add(None, format!("access record {id} is not in the ledger: inserted outside Docket"));
    }
    // Every event row is in the ledger when as many distinct rows were reached through
    // leaves, in strictly increasing position, as the table holds; only otherwise is the table
    // searched for the rows no leaf names (a scan of every event against the leaf index).
    let stored_events = backend.stats()?.events;
    let unledgered = if ordered_events == stored_events { Vec::new() } else { backend.unledgered_events()? };
    for (position, case, version) in unledgered {
        report.add(
            None,
            format!("event at position {position} (case `{case}`, version {version}) is not in the ledger: inserted outside Docket"),
        );
    }
    Ok(report)
}

/// Checks leaves in order as they arrive: each event leaf against its event, the tree root
/// against every checkpoint as the tree reaches its size. Returns the report and how many
/// checkpoints were never reached.
fn check_leaves(
    rx: std::sync::mpsc::Receiver<Vec<crate::LeafRow>>,
    checkpoints: &[StoredCheckpoint],
    mut report: VerifyReport,
) -> (VerifyReport, usize, u64) {
    let mut next_cp = 0;
    // Event leaves whose event row exists, counted only while their positions rise.
    let (mut ordered_events, mut last_position) = (0u64, i64::MIN);
    let mut acc = docket_ledger::RootAccumulator::new();
    while next_cp < checkpoints.len() && checkpoints[next_cp].size == 0 {
        report.checkpoints_checked += 1;
        if checkpoints[next_cp].root != docket_ledger::empty_root() {
            report.add(None, "the signed checkpoint of the empty ledger has a root other than the empty tree's".into());
        }
        next_cp += 1;
    }
    let mut expected: i64 = 0;
    let mut leaf = Vec::with_capacity(1024);
    for row in rx.iter().flatten() {
        if row.index != expected {
            if row.index > expected {
                report.add(
                    Some(expected as u64),
                    format!("ledger leaves {expected}..{} are missing (deleted)", row.index - 1),
                );
            } else {
                report.add(Some(row.index as u64), format!("ledger leaf {} appears twice", row.index));
            }
        }
        expected = row.index + 1;
        let stored = to_hash(&row.hash).unwrap_or_else(|| {
            report.add(Some(row.index as u64), format!("ledger leaf {} has a malformed hash", row.index));
            [0; 32]
        });
        if row.kind == EVENT {
            report.events += 1;
            match &row.event {
                None => report.add(
                    Some(row.index as u64),
                    format!("event at position {} (ledger leaf {}) is missing: deleted", row.reference, row.index),
                ),
                Some((case, version, payload)) => {
                    if row.reference > last_position {
                        ordered_events += 1;
                        last_position = row.reference;
                    }
                    leaf.clear();
                    write_event_leaf(&mut leaf, row.reference, case, *version, payload);
                    if docket_ledger::leaf_hash(&leaf) != stored {
                        report.add(
                            Some(row.index as u64),
                            format!(
                                "event at position {} (case `{case}`, version {version}; ledger leaf {}) does not match its leaf: modified or moved",
                                row.reference, row.index
                            ),
                        );
                    }
                }
            }
        } else if row.kind == ACCESS {
            report.accesses += 1;
            match &row.access {
                None => report.add(
                    Some(row.index as u64),
                    format!("access record {} (ledger leaf {}) is missing: deleted", row.reference, row.index),
                ),
                Some(a) => {
                    if docket_ledger::leaf_hash(&access_leaf(row.reference, a)) != stored {
                        report.add(
                            Some(row.index as u64),
                            format!(
                                "access record {} ({} read {} `{}`; ledger leaf {}) does not match its leaf: modified",
                                row.reference, a.actor, a.record_kind, a.record_id, row.index
                            ),
                        );
                    }
                }
            }
        } else if row.kind == DISCLOSURE {
            report.disclosures += 1;
            match &row.disclosure {
                None => report.add(
                    Some(row.index as u64),
                    format!("disclosure {} (ledger leaf {}) is missing: deleted", row.reference, row.index),
                ),
                Some(d) => {
                    if docket_ledger::leaf_hash(&disclosure_leaf(row.reference, d)) != stored {
                        report.add(
                            Some(row.index as u64),
                            format!(
                                "disclosure {} of person `{}` to {} (ledger leaf {}) does not match its leaf: modified",
                                row.reference, d.person_id, d.recipient_name, row.index
                            ),
                        );
                    }
                }
            }
        } else {
            report.add(Some(row.index as u64), format!("ledger leaf {} has an unknown kind `{}`", row.index, row.kind));
        }
        acc.push(stored);
        report.leaves += 1;
        while next_cp < checkpoints.len() && checkpoints[next_cp].size == acc.size() {
            report.checkpoints_checked += 1;
            if acc.root() != checkpoints[next_cp].root {
                report.add(
                    None,
                    format!(
                        "the tree of the first {} leaves does not match the signed checkpoint for that size: ledger rows were altered",
                        acc.size()
                    ),
                );
            }
            next_cp += 1;
        }
    }
    (report, checkpoints.len() - next_cp, ordered_events)
}
