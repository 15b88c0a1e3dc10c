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

/// The bytes of an event's leaf (see the module documentation).
pub fn event_leaf(position: i64, case_id: &str, version: i64, payload: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(payload.len() + 64);
    v.extend_from_slice(b"docket-leaf/1 event\n");
    v.extend_from_slice(position.to_string().as_bytes());
    v.push(b'\n');
    v.extend_from_slice(case_id.as_bytes());
    v.push(b'\n');
    v.extend_from_slice(version.to_string().as_bytes());
    v.push(b'\n');
    v.extend_from_slice(payload.as_bytes());
    v
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

/// Node hashes in a relational table, seen through `HashStore`. Level 0 is read from the
/// leaves table, where the caller writes leaves with what they record; `put` writes levels
/// above it.
pub(crate) struct Nodes<R> {
    pub rows: R,
}

/// The queries `Nodes` needs, per backend.
pub(crate) trait NodeRows {
    type Error: std::error::Error + Send + Sync + 'static;
    fn size(&self) -> Result<u64, Self::Error>;
    fn leaf(&self, index: u64) -> Result<Option<Hash>, Self::Error>;
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
        if level == 0 { self.rows.leaf(index) } else { self.rows.node(level, index) }
    }

    fn put(&mut self, nodes: &[(u8, u64, Hash)]) -> Result<(), Self::Error> {
        let above: Vec<(u8, u64, Hash)> = nodes.iter().filter(|(l, _, _)| *l > 0).copied().collect();
        if above.is_empty() { Ok(()) } else { self.rows.put_nodes(&above) }
    }

    fn set_size(&mut self, size: u64) -> Result<(), Self::Error> {
        self.rows.set_size(size)
    }
}

/// Schema version 2: the ledger tables.
pub(crate) const SCHEMA_V2: &str = "
CREATE TABLE ledger_leaves (
    leaf_index BIGINT PRIMARY KEY,
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
);
CREATE TABLE ledger_size (id INTEGER PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL);
INSERT INTO ledger_size (id, size) VALUES (1, 0);
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
    let mut next_cp = 0;
    let mut acc = docket_ledger::RootAccumulator::new();
    while next_cp < checkpoints.len() && checkpoints[next_cp].size == 0 {
        report.checkpoints_checked += 1;
        if checkpoints[next_cp].root != docket_ledger::empty_root() {
            report.add(None, "the signed checkpoint of the empty ledger has a root other than the empty tree's".into());
        }
        next_cp += 1;
    }
    let mut expected: i64 = 0;
    backend.scan_leaves(&mut |row| {
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
        let stored = to_hash(&row.hash).unwrap_or([0; 32]);
        if to_hash(&row.hash).is_none() {
            report.add(Some(row.index as u64), format!("ledger leaf {} has a malformed hash", row.index));
        }
        if row.kind == EVENT {
            report.events += 1;
            match &row.event {
                None => report.add(
                    Some(row.index as u64),
                    format!("event at position {} (ledger leaf {}) is missing: deleted", row.reference, row.index),
                ),
                Some((case, version, payload)) => {
                    let recomputed = docket_ledger::leaf_hash(&event_leaf(row.reference, case, *version, payload));
                    if recomputed != stored {
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
        if report.leaves % 100_000 == 0 {
            progress(report.leaves);
        }
        Ok(())
    })?;
    progress(report.leaves);
    if report.leaves != size {
        report.add(None, format!("the ledger records {size} leaves but {} are stored", report.leaves));
    }
    for cp in &checkpoints[next_cp..] {
        report.add(
            None,
            format!(
                "checkpoint at size {} is beyond the {} stored leaves: leaves were deleted",
                cp.size, report.leaves
            ),
        );
    }
    for (position, case, version) in backend.unledgered_events()? {
        report.add(
            None,
            format!("event at position {position} (case `{case}`, version {version}) is not in the ledger: inserted outside Docket"),
        );
    }
    Ok(report)
}
