//! The audit ledger as the store keeps it: every stored event, every read of a record by a
//! person and every disclosure is a leaf of an RFC 9162 Merkle log, written in the same
//! transaction as the row it records. How the leaves and the tree are stored (chunks of
//! sixteen leaf hashes, subtree hashes from level 4 up) is in `docs/ledger.md`.
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

/// An agency policy adopted as an act of record (schema 6): its identity as its header states
/// it, when it takes effect, its text byte for byte with the text's SHA-256, and who adopted
/// it when. The leaf binds every field, so a policy's text cannot change after adoption
/// without `verify` reporting it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyRow {
    /// The policy's id, as its header states it.
    pub policy_id: String,
    /// The policy's version, as its header states it.
    pub version: String,
    /// What kind of policy it is (`gate`, `priority`), as its header states it.
    pub kind: String,
    /// The instant from which it is in force (RFC 3339).
    pub effective_at: String,
    /// SHA-256 of `text`, hex.
    pub sha256: String,
    /// Who adopted it.
    pub adopted_by: String,
    /// When it was adopted (RFC 3339).
    pub adopted_at: String,
    /// The policy file's text, exactly as adopted.
    pub text: String,
}

/// The bytes of a policy leaf: `"docket-leaf/1 policy\n" || ID || "\n" || JSON`, where ID is
/// the row's id and JSON the row's fields in the order of [`PolicyRow`], compact, as
/// serde_json writes them (the text holds line breaks, so it is JSON-escaped).
pub fn policy_leaf(id: i64, p: &PolicyRow) -> Vec<u8> {
    let json = serde_json::to_string(p).unwrap_or_default();
    format!("docket-leaf/1 policy\n{id}\n{json}").into_bytes()
}

/// An act of the departure feed or its review queue (schema 7), as an act of record: a doubtful
/// match sent to review, a reviewer's acceptance or rejection with their reason, a purge of
/// records past their retention window. `subject` names what it is about (a departure record
/// by its source and id, a review item); `detail` is compact JSON whose layout depends on
/// `kind` and is documented in docs/departures.md. The leaf binds every field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DepartureActRow {
    /// What was done: `review_opened`, `review_accepted`, `review_rejected`, `purged`.
    pub kind: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who: the feed consumer's or the reviewer's name.
    pub actor: String,
    /// What it is about.
    pub subject: String,
    /// The act's particulars, compact JSON.
    pub detail: String,
}

/// The bytes of a departure act's leaf: `"docket-leaf/1 departure-act\n" || ID || "\n" ||
/// JSON`, JSON the row's fields in the order of [`DepartureActRow`], compact.
pub fn departure_act_leaf(id: i64, a: &DepartureActRow) -> Vec<u8> {
    let json = serde_json::to_string(a).unwrap_or_default();
    format!("docket-leaf/1 departure-act\n{id}\n{json}").into_bytes()
}

/// The SHA-256 of a policy's text, in lowercase hex.
pub fn policy_sha256(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
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
    write_event_leaf(&mut v, position, case_id.as_bytes(), version, payload.as_bytes());
    v
}

fn write_event_leaf(v: &mut Vec<u8>, position: i64, case_id: &[u8], version: i64, payload: &[u8]) {
    v.extend_from_slice(b"docket-leaf/1 event\n");
    push_decimal(v, position);
    v.push(b'\n');
    v.extend_from_slice(case_id);
    v.push(b'\n');
    push_decimal(v, version);
    v.push(b'\n');
    v.extend_from_slice(payload);
}

/// Appends `n` in decimal ASCII, as `n.to_string()` would, without allocating.
fn push_decimal(v: &mut Vec<u8>, n: i64) {
    v.extend_from_slice(decimal(n, &mut [0; 20]));
}

/// `n` in decimal ASCII, written at the end of `digits`.
fn decimal(n: i64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    &digits[at..]
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
    /// Versions of persons' identities checked against their leaves.
    pub person_versions: u64,
    /// Adopted policies checked against their leaves.
    pub policies: u64,
    /// Departure acts checked against their leaves.
    pub departure_acts: u64,
    /// Persons whose stored row was checked against their latest recorded version.
    pub persons: u64,
    /// Checkpoints whose roots were checked against the recomputed tree.
    pub checkpoints_checked: u64,
    /// The latest checkpoint's size, if any.
    pub latest_checkpoint: Option<u64>,
    /// Checkpoints held outside the database that were compared with the recomputed tree.
    pub trusted_checked: u64,
    /// The newest of those, by size.
    pub latest_trusted: Option<u64>,
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

/// A signed checkpoint held outside the database (a file of the checkpoint directory, a
/// witness's copy), which a verification trusts more than the database's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCheckpoint {
    /// Where it was found, for reports.
    pub source: String,
    /// The signed note.
    pub note: String,
}

/// A verifier key of the ledger, as recorded in `ledger_keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerKey {
    /// The verifier key's text (`NAME+ID+KEY`).
    pub verifier_key: String,
    /// The ledger's size when the key took over: it signs checkpoints of this size on (the
    /// key before it, those up to this size).
    pub from_size: u64,
    /// When it was recorded.
    pub recorded_at: String,
    /// For a key that replaced another, the rotation statement signed by both keys.
    pub rotation: Option<String>,
}

/// The ledger as a signer finds it under the signing lock ([`crate::Store::signing`]): its
/// recorded keys, its size and root, and its newest stored checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningView {
    /// The recorded verifier keys, in the order they took over.
    pub keys: Vec<LedgerKey>,
    /// The ledger's size.
    pub size: u64,
    /// The root at that size.
    pub root: Hash,
    /// The newest stored checkpoint, if any.
    pub last_checkpoint: Option<StoredCheckpoint>,
}

/// What a signer stores under the signing lock, in one transaction: keys first (the first
/// key, or the key a rotation hands over to), then the checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningWrites {
    /// Keys to record, in order.
    pub keys: Vec<LedgerKey>,
    /// A checkpoint to store.
    pub checkpoint: Option<StoredCheckpoint>,
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
    /// The leaf's index.
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

/// A leaf to prove, named by the record it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafRef<'a> {
    /// An event, by id.
    Event(&'a docket_core::EventId),
    /// A read of a record (`access_log.id`).
    Read(i64),
    /// A disclosure, by its number.
    Disclosure(i64),
    /// A version of a person's identity.
    PersonVersion(&'a docket_core::PersonId, u64),
    /// An adopted policy (`policies.id`).
    Policy(i64),
}

/// A leaf's bytes, and the case and person it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafRecord {
    /// The leaf bytes.
    pub leaf: Vec<u8>,
    /// The case it is about, if any.
    pub case: Option<String>,
    /// The person it is about, if any.
    pub person: Option<String>,
}

impl LeafRecord {
    pub(crate) fn of_access(id: i64, a: &AccessRow) -> LeafRecord {
        let (case, person) = match a.record_kind.as_str() {
            "case" => (Some(a.record_id.clone()), None),
            "person" => (None, Some(a.record_id.clone())),
            _ => (None, None),
        };
        LeafRecord { leaf: access_leaf(id, a), case, person }
    }

    pub(crate) fn of_disclosure(id: i64, d: &DisclosureRow) -> LeafRecord {
        LeafRecord { leaf: disclosure_leaf(id, d), case: None, person: Some(d.person_id.clone()) }
    }

    pub(crate) fn of_policy(id: i64, p: &PolicyRow) -> LeafRecord {
        LeafRecord { leaf: policy_leaf(id, p), case: None, person: None }
    }

    pub(crate) fn of_departure_act(id: i64, a: &DepartureActRow) -> LeafRecord {
        LeafRecord { leaf: departure_act_leaf(id, a), case: None, person: None }
    }

    pub(crate) fn of_person_version(id: i64, person: String, payload: &str) -> LeafRecord {
        LeafRecord { leaf: crate::persons::person_leaf(id, payload), case: None, person: Some(person) }
    }
}

/// An inclusion proof of any leaf, with the case and person whose data its bytes hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafProof {
    /// The proof.
    pub proof: EventProof,
    /// The case the leaf is about, if any.
    pub case: Option<String>,
    /// The person the leaf is about, if any.
    pub person: Option<String>,
}

pub(crate) fn to_hash(bytes: &[u8]) -> Option<Hash> {
    bytes.try_into().ok()
}

/// Whether this build keeps the audit ledger. Always true, except in a build made with
/// `RUSTFLAGS="--cfg docket_bench_ledger_off"`, which `bench/ledger_cost.sh` uses to measure
/// what the ledger costs an import. Such a build writes no leaves, so `ledger verify` flags
/// every event it stores as inserted outside Docket: it is for measurement only.
pub(crate) const KEPT: bool = !cfg!(docket_bench_ledger_off);

/// What a leaf records: the kind of row and, in the row's table, its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeafKind {
    /// An event, keyed by its position.
    Event,
    /// A read of a record (`access_log.id`).
    Access,
    /// A disclosure (`disclosures.id`).
    Disclosure,
    /// A version of a person's identity (`person_versions.id`).
    Person,
    /// An adopted policy (`policies.id`).
    Policy,
    /// An act of the departure feed or its review queue (`departure_acts.id`).
    DepartureAct,
}

impl LeafKind {
    /// The byte that stands for the kind in a chunk's `records`.
    fn tag(self) -> u8 {
        match self {
            LeafKind::Event => b'e',
            LeafKind::Access => b'a',
            LeafKind::Disclosure => b'd',
            LeafKind::Person => b'p',
            LeafKind::Policy => b'P',
            LeafKind::DepartureAct => b'D',
        }
    }

    fn from_tag(tag: u8) -> Option<LeafKind> {
        match tag {
            b'e' => Some(LeafKind::Event),
            b'a' => Some(LeafKind::Access),
            b'd' => Some(LeafKind::Disclosure),
            b'p' => Some(LeafKind::Person),
            b'P' => Some(LeafKind::Policy),
            b'D' => Some(LeafKind::DepartureAct),
            _ => None,
        }
    }
}

/// Node hashes are stored from this level up; the levels below are recomputed from the
/// `2^LOWEST_STORED_LEVEL` leaf hashes of one chunk when a proof needs them.
pub(crate) const LOWEST_STORED_LEVEL: u8 = 4;

/// Leaves per row of `ledger_leaf_chunks`: one complete subtree at [`LOWEST_STORED_LEVEL`].
/// A row per 16 leaves rather than one per leaf is most of what keeps the ledger cheap on
/// import: the database's cost is per row far more than per byte.
pub(crate) const LEAVES_PER_CHUNK: u64 = 1 << LOWEST_STORED_LEVEL;

/// Bytes per leaf in a chunk's `records`: the kind's tag and the row's key, big-endian.
const RECORD_BYTES: usize = 9;

/// One row of `ledger_leaf_chunks`: leaves `16 * chunk ..` in order, at most 16. Every chunk
/// but the last is full; the last grows as leaves are appended (its row is rewritten).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// The leaf hashes, 32 bytes each.
    pub hashes: Vec<u8>,
    /// What each leaf records, [`RECORD_BYTES`] each.
    pub records: Vec<u8>,
}

/// One leaf of a chunk as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoredLeaf {
    /// The kind, or the unknown tag byte found.
    pub kind: Result<LeafKind, u8>,
    /// The recorded row's key.
    pub reference: i64,
    /// The leaf hash.
    pub hash: Hash,
}

impl Chunk {
    /// Leaves in the chunk.
    pub fn len(&self) -> usize {
        self.hashes.len() / 32
    }

    fn push(&mut self, kind: LeafKind, reference: i64, hash: &Hash) {
        self.hashes.extend_from_slice(hash);
        self.records.push(kind.tag());
        self.records.extend_from_slice(&reference.to_be_bytes());
    }

    /// The leaves, or why the row is malformed.
    pub fn leaves(&self) -> Result<Vec<StoredLeaf>, String> {
        let n = self.len();
        if self.hashes.len() != n * 32 || self.records.len() != n * RECORD_BYTES || n as u64 > LEAVES_PER_CHUNK {
            return Err(format!(
                "{} bytes of leaf hashes and {} bytes of records are not the same number (at most {LEAVES_PER_CHUNK}) of leaves",
                self.hashes.len(),
                self.records.len()
            ));
        }
        Ok(self
            .hashes
            .chunks_exact(32)
            .zip(self.records.chunks_exact(RECORD_BYTES))
            .map(|(h, r)| {
                let mut key = [0u8; 8];
                key.copy_from_slice(&r[1..]);
                StoredLeaf {
                    kind: LeafKind::from_tag(r[0]).ok_or(r[0]),
                    reference: i64::from_be_bytes(key),
                    hash: to_hash(h).unwrap_or([0; 32]),
                }
            })
            .collect())
    }
}

/// Leaves gathered into chunk rows as they are appended.
struct Chunks {
    /// The number of the chunk being filled.
    number: u64,
    chunk: Chunk,
    full: Vec<(u64, Chunk)>,
}

impl Chunks {
    /// For leaves appended from leaf `start` on; `tail` is the stored chunk holding the leaves
    /// before it in the same chunk (`start % LEAVES_PER_CHUNK` of them).
    fn after(start: u64, tail: Chunk) -> Chunks {
        Chunks { number: start / LEAVES_PER_CHUNK, chunk: tail, full: Vec::new() }
    }

    /// Leaves gathered so far, counting those of the tail.
    fn end(&self) -> u64 {
        self.number * LEAVES_PER_CHUNK + self.chunk.len() as u64
    }

    fn push(&mut self, kind: LeafKind, reference: i64, hash: &Hash) {
        self.chunk.push(kind, reference, hash);
        if self.chunk.len() as u64 == LEAVES_PER_CHUNK {
            self.full.push((self.number, std::mem::take(&mut self.chunk)));
            self.number += 1;
        }
    }

    /// The chunks filled since the last call.
    fn take_full(&mut self) -> Vec<(u64, Chunk)> {
        std::mem::take(&mut self.full)
    }

    /// Every chunk row to write: the full ones not taken yet, then the last, partial one.
    fn finish(mut self) -> Vec<(u64, Chunk)> {
        if self.chunk.len() > 0 {
            self.full.push((self.number, self.chunk));
        }
        self.full
    }
}

/// A leaf to append: what it records and its hash.
pub(crate) struct NewLeaf {
    pub kind: LeafKind,
    pub reference: i64,
    pub hash: Hash,
}

impl NewLeaf {
    /// The leaf of `bytes`, recording row `reference` of `kind`.
    pub fn new(kind: LeafKind, reference: i64, bytes: &[u8]) -> NewLeaf {
        NewLeaf { kind, reference, hash: docket_ledger::leaf_hash(bytes) }
    }
}

/// A stored event, as its leaf needs it: position, case, version, payload.
pub(crate) type EventForLeaf<'a> = (i64, &'a str, i64, &'a str);

/// The leaves of events, in order. Callers run this on a second thread while the first
/// writes the rows: hashing is a good part of what the ledger costs an import.
pub(crate) fn event_leaves<'a>(events: impl Iterator<Item = EventForLeaf<'a>>) -> Vec<NewLeaf> {
    let mut bytes = Vec::with_capacity(1024);
    events
        .map(|(position, case_id, version, payload)| {
            bytes.clear();
            write_event_leaf(&mut bytes, position, case_id.as_bytes(), version, payload.as_bytes());
            NewLeaf { kind: LeafKind::Event, reference: position, hash: docket_ledger::leaf_hash(&bytes) }
        })
        .collect()
}

/// Node hashes in relational tables, seen through `HashStore`. Levels 0 to 3 are read from
/// the chunk of leaf hashes that holds them; `put` writes the levels from
/// [`LOWEST_STORED_LEVEL`] up to `ledger_nodes` (the leaves themselves are written as chunks
/// by [`append`]).
pub(crate) struct Nodes<R> {
    pub rows: R,
}

/// The queries the ledger needs, per backend, inside the caller's transaction.
pub(crate) trait NodeRows {
    type Error: std::error::Error + Send + Sync + 'static;
    fn size(&self) -> Result<u64, Self::Error>;
    /// The chunk row `chunk`, if stored.
    fn chunk(&self, chunk: u64) -> Result<Option<Chunk>, Self::Error>;
    /// Inserts or replaces chunk rows.
    fn put_chunks(&mut self, chunks: &[(u64, Chunk)]) -> Result<(), Self::Error>;
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
        if level >= LOWEST_STORED_LEVEL {
            return self.rows.node(level, index);
        }
        // A subtree below the stored levels lies inside one chunk.
        let width = 1usize << level;
        let first = index << level;
        let Some(chunk) = self.rows.chunk(first / LEAVES_PER_CHUNK)? else { return Ok(None) };
        let offset = (first % LEAVES_PER_CHUNK) as usize;
        let Some(bytes) = chunk.hashes.get(offset * 32..(offset + width) * 32) else { return Ok(None) };
        let mut hashes: Vec<Hash> = bytes.chunks_exact(32).filter_map(to_hash).collect();
        // A complete subtree of 2^level leaves: hash pairs level by level.
        while hashes.len() > 1 {
            hashes = hashes.chunks(2).map(|p| docket_ledger::node_hash(&p[0], &p[1])).collect();
        }
        Ok(hashes.pop())
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

/// Appends leaves, in order, in the caller's transaction (which must hold the ledger's
/// write lock): their hashes into chunk rows, the new complete subtrees into
/// `ledger_nodes`, the new size. Returns the first new leaf's index.
pub(crate) fn append<R: NodeRows>(rows: R, leaves: &[NewLeaf]) -> Result<u64, crate::StoreError> {
    let store_err = |e: R::Error| crate::StoreError::Ledger(format!("cannot append to the ledger: {e}"));
    let start = rows.size().map_err(store_err)?;
    if leaves.is_empty() {
        return Ok(start);
    }
    let mut nodes = Nodes { rows };
    let tail = if start % LEAVES_PER_CHUNK == 0 {
        Chunk::default()
    } else {
        match nodes.rows.chunk(start / LEAVES_PER_CHUNK).map_err(store_err)? {
            Some(c) if c.len() as u64 == start % LEAVES_PER_CHUNK => c,
            _ => {
                return Err(crate::StoreError::Ledger(format!(
                    "the ledger's last chunk of leaves ({}) does not hold the {} leaves its size says",
                    start / LEAVES_PER_CHUNK,
                    start % LEAVES_PER_CHUNK
                )));
            }
        }
    };
    let mut chunks = Chunks::after(start, tail);
    for leaf in leaves {
        chunks.push(leaf.kind, leaf.reference, &leaf.hash);
    }
    let chunks = chunks.finish();
    nodes.rows.put_chunks(&chunks).map_err(store_err)?;
    let mut log = docket_ledger::Log::new(nodes);
    let range = log.append_leaf_hashes(leaves.iter().map(|l| l.hash)).map_err(crate::ledger_err)?;
    if range.start != start {
        return Err(crate::StoreError::Ledger(format!("ledger grew from {} while appending at {start}", range.start)));
    }
    Ok(start)
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

/// Schema version 3: leaf hashes in chunks of 16, and each event's leaf index in its row.
/// `{chunk_pk}` is the backend's 64-bit primary key.
pub(crate) const SCHEMA_V3: &str = "
CREATE TABLE ledger_leaf_chunks (
    chunk {chunk_pk},
    leaf_hashes {blob} NOT NULL,
    records {blob} NOT NULL
);
ALTER TABLE events ADD COLUMN leaf_index BIGINT;
";

/// Turns the rows of a schema-2 `ledger_leaves` table, read in leaf order, into chunk rows.
/// The leaf hashes are carried over unchanged, so the tree, its stored nodes and every
/// signed checkpoint stay valid. A ledger that is not whole (a missing leaf, an unknown kind,
/// a malformed hash) is refused rather than converted.
pub(crate) struct V2Leaves {
    chunks: Chunks,
}

impl Default for V2Leaves {
    fn default() -> V2Leaves {
        V2Leaves { chunks: Chunks::after(0, Chunk::default()) }
    }
}

fn refuse_v2(why: String) -> crate::StoreError {
    crate::StoreError::Ledger(format!(
        "cannot migrate the ledger to schema version 3: {why}; verify the ledger with the previous version of Docket"
    ))
}

impl V2Leaves {
    /// Takes the next row.
    pub fn push(&mut self, index: i64, kind: &str, reference: i64, hash: &[u8]) -> Result<(), crate::StoreError> {
        let next = self.chunks.end();
        if index != next as i64 {
            return Err(refuse_v2(format!("leaf {next} is missing (the next stored leaf is {index})")));
        }
        let kind = match kind {
            "event" => LeafKind::Event,
            "access" => LeafKind::Access,
            "disclosure" => LeafKind::Disclosure,
            other => return Err(refuse_v2(format!("leaf {index} has an unknown kind `{other}`"))),
        };
        let hash = to_hash(hash).ok_or_else(|| refuse_v2(format!("leaf {index} has a malformed hash")))?;
        self.chunks.push(kind, reference, &hash);
        Ok(())
    }

    /// The full chunks made since the last call.
    pub fn take_full(&mut self) -> Vec<(u64, Chunk)> {
        self.chunks.take_full()
    }

    /// The chunks not taken yet, after checking that every one of the `size` leaves the ledger
    /// records was there.
    pub fn finish(self, size: u64) -> Result<Vec<(u64, Chunk)>, crate::StoreError> {
        let stored = self.chunks.end();
        if stored != size {
            return Err(refuse_v2(format!("it records {size} leaves but {stored} are stored")));
        }
        Ok(self.chunks.finish())
    }
}

/// The error for an event whose row names no ledger leaf.
pub(crate) fn no_leaf(id: &docket_core::EventId) -> crate::StoreError {
    crate::StoreError::Ledger(format!("event `{id}` names no ledger leaf: the ledger must be verified"))
}

/// A byte range in a [`LeafBatch`]'s text.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

/// Leaves on their way from the database to the checking thread, with the text of the events
/// they record in one buffer: a batch allocates once, not once per column of every event.
pub(crate) struct LeafBatch {
    text: Vec<u8>,
    pub rows: Vec<Scanned>,
}

impl LeafBatch {
    /// Leaves a backend puts in a batch (at most, but for malformed chunks) before handing it on.
    pub const LEAVES: usize = 8192;

    pub fn new() -> LeafBatch {
        LeafBatch { text: Vec::with_capacity(LeafBatch::LEAVES * 512), rows: Vec::with_capacity(LeafBatch::LEAVES) }
    }

    /// Keeps `bytes` in the batch.
    pub fn keep(&mut self, bytes: &[u8]) -> Span {
        let start = self.text.len() as u32;
        self.text.extend_from_slice(bytes);
        Span { start, end: self.text.len() as u32 }
    }

    pub fn get(&self, span: Span) -> &[u8] {
        self.text.get(span.start as usize..span.end as usize).unwrap_or_default()
    }
}

/// The event columns `verify` reads after position, in this order (see [`EventRow`]).
pub(crate) const EVENT_COLUMNS: &str = "version, schema_version, leaf_index, case_id, payload, event_id, event_type, effective_at, recorded_at, idempotency_key";

/// A stored event as `verify` reads it: the numbers, and the text columns as spans of its
/// batch, in [`EVENT_COLUMNS`] order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventRow {
    pub version: i64,
    pub schema_version: i64,
    /// The leaf index stored in the event's row (what `prove` looks up).
    pub leaf_index: Option<i64>,
    /// `case_id`, `payload`, then the columns kept beside the payload for lookups (copies of
    /// its fields): `event_id`, `event_type`, `effective_at`, `recorded_at`, `idempotency_key`.
    pub text: [Span; 7],
}

const CASE: usize = 0;
const PAYLOAD: usize = 1;
const EVENT_ID: usize = 2;
const TYPE: usize = 3;
const EFFECTIVE_AT: usize = 4;
const RECORDED_AT: usize = 5;
const IDEMPOTENCY_KEY: usize = 6;

impl EventRow {
    fn text<'b>(&self, batch: &'b LeafBatch, column: usize) -> &'b [u8] {
        batch.get(self.text[column])
    }

    fn describe(&self, batch: &LeafBatch) -> String {
        format!("case `{}`, version {}", String::from_utf8_lossy(self.text(batch, CASE)), self.version)
    }

    /// Whether the columns kept beside the payload say what the payload says. The payload is
    /// what the leaf covers; `event_id`, `event_type`, `schema_version`, the two instants and
    /// the idempotency key are copies that lookups use (the event-id and idempotency checks
    /// among them), so a change to a copy is as much a tampering as a change to the payload.
    /// The payload opens with those fields in a fixed order (`docs/formats.md`); their values
    /// are tokens that JSON does not escape.
    fn copies_agree(&self, batch: &LeafBatch) -> bool {
        let mut rest = self.text(batch, PAYLOAD);
        let mut digits = [0; 20];
        let parts: [&[u8]; 13] = [
            b"{\"event_id\":\"",
            self.text(batch, EVENT_ID),
            b"\",\"case_id\":\"",
            self.text(batch, CASE),
            b"\",\"type\":\"",
            self.text(batch, TYPE),
            b"\",\"schema_version\":",
            decimal(self.schema_version, &mut digits),
            b",\"effective_at\":\"",
            self.text(batch, EFFECTIVE_AT),
            b"\",\"recorded_at\":\"",
            self.text(batch, RECORDED_AT),
            b"\",",
        ];
        for part in parts {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        // The first occurrence is the top-level field: inside a JSON string a quote is
        // escaped, so `,"idempotency_key":"` cannot occur in a value.
        const KEY: &[u8] = b",\"idempotency_key\":\"";
        let key = self.text(batch, IDEMPOTENCY_KEY);
        (0..rest.len())
            .filter(|&i| rest[i] == b',')
            .find(|&i| rest[i..].starts_with(KEY))
            .is_some_and(|i| rest[i + KEY.len()..].strip_prefix(key).is_some_and(|r| r.first() == Some(&b'"')))
    }
}

/// The row a leaf records, as found.
pub(crate) enum Record {
    /// No row with the leaf's key (or a leaf of unknown kind).
    Missing,
    Event(EventRow),
    Access(Box<AccessRow>),
    Disclosure(Box<DisclosureRow>),
    /// A person version: its `person_id` and `version` columns and its payload.
    Person(Box<(String, i64, String)>),
    Policy(Box<PolicyRow>),
    DepartureAct(Box<DepartureActRow>),
}

/// A stored leaf with the row it records, for verification.
pub(crate) struct LeafRow {
    pub index: u64,
    pub leaf: StoredLeaf,
    pub record: Record,
}

/// What a scan of the ledger yields, in leaf order.
pub(crate) enum Scanned {
    /// A leaf and the row it records.
    Leaf(LeafRow),
    /// A chunk row that cannot be read as leaves.
    Malformed { chunk: u64, why: String },
}

/// Recomputes the ledger from its stored leaves and the rows they record; see
/// [`crate::Store::verify_ledger`].
pub(crate) fn verify(
    backend: &mut dyn crate::Backend,
    keys: &[(u64, docket_ledger::VerifierKey)],
    trusted: &[TrustedCheckpoint],
    progress: &mut dyn FnMut(u64),
) -> Result<VerifyReport, crate::StoreError> {
    let open = |note: &str| open_checkpoint(note, keys);
    let mut report = VerifyReport::default();
    let size = backend.ledger_size()?;
    // Checkpoints first: a signature that does not verify, or a note whose size and root
    // disagree with its row, is itself a discrepancy.
    let mut checkpoints = Vec::new();
    for cp in backend.checkpoints()? {
        match open(&cp.note) {
            Ok(parsed) if parsed.size() == cp.size && parsed.root() == &cp.root => checkpoints.push(cp),
            Ok(_) => {
                report.add(None, format!("checkpoint at size {}: its row disagrees with its signed note", cp.size))
            }
            Err(e) => report.add(None, format!("checkpoint at size {}: {e}", cp.size)),
        }
    }
    report.latest_checkpoint = checkpoints.last().map(|c| c.size);
    // Checkpoints held outside the database: the database cannot have rewritten them, so the
    // recomputed tree must reach each one's size with its root, and each must be among the
    // stored ones (a checkpoint deleted from the database to hide a rewrite is found here).
    let mut expected: Vec<(StoredCheckpoint, Option<&str>)> = checkpoints.iter().map(|c| (c.clone(), None)).collect();
    for t in trusted {
        match open(&t.note) {
            Ok(parsed) => {
                let cp = StoredCheckpoint { size: parsed.size(), root: *parsed.root(), note: t.note.clone() };
                if !checkpoints.iter().any(|c| c.size == cp.size && c.root == cp.root) {
                    report.add(
                        None,
                        format!(
                            "the checkpoint at size {} held outside the database ({}) is not among the database's checkpoints: deleted",
                            cp.size, t.source
                        ),
                    );
                }
                report.latest_trusted = report.latest_trusted.max(Some(cp.size));
                expected.push((cp, Some(t.source.as_str())));
            }
            Err(e) => report.add(None, format!("the checkpoint held outside the database ({}): {e}", t.source)),
        }
    }
    expected.sort_by_key(|(c, _)| c.size);
    // The database is read on this thread while another recomputes leaves and the tree.
    let (tx, rx) = std::sync::mpsc::sync_channel::<LeafBatch>(4);
    let mut scanned = 0u64;
    let Checked { mut report, unreached, named, nodes } =
        std::thread::scope(|scope| -> Result<Checked, crate::StoreError> {
            let cps = &expected;
            let worker = scope.spawn(move || check_leaves(rx, cps, report));
            let scan = backend.scan_leaves(&mut |batch| {
                scanned += batch.rows.len() as u64;
                progress(scanned);
                // A closed channel means the worker stopped; joining it says why.
                let _ = tx.send(batch);
                Ok(())
            });
            drop(tx);
            let checked = worker.join().map_err(|_| crate::StoreError::Ledger("the verifying thread failed".into()))?;
            scan?;
            Ok(checked)
        })?;
    progress(report.leaves);
    if report.leaves != size {
        report.add(None, format!("the ledger records {size} leaves but {} are stored", report.leaves));
    }
    for (cp, outside) in &expected[expected.len() - unreached..] {
        let what = match outside {
            None => format!(
                "checkpoint at size {} is beyond the {} stored leaves: leaves were deleted",
                cp.size, report.leaves
            ),
            Some(source) => format!(
                "the checkpoint at size {} held outside the database ({source}) is beyond its {} stored leaves: the ledger was rolled back or leaves were deleted",
                cp.size, report.leaves
            ),
        };
        report.add(None, what);
    }
    check_nodes(backend, &nodes, &mut report)?;
    // Every row of a kind is in the ledger when as many distinct rows were reached through
    // leaves, in strictly increasing key order, as its table holds. Only otherwise are the
    // leaves read again for the keys they name and the table searched for the rest.
    for kind in [
        LeafKind::Event,
        LeafKind::Access,
        LeafKind::Disclosure,
        LeafKind::Person,
        LeafKind::Policy,
        LeafKind::DepartureAct,
    ] {
        if named.in_order(kind) == backend.record_count(kind)? {
            continue;
        }
        let mut keys = Vec::new();
        backend.scan_chunks(&mut |_, chunk| {
            keys.extend(chunk.leaves().unwrap_or_default().iter().filter(|l| l.kind == Ok(kind)).map(|l| l.reference));
            Ok(())
        })?;
        keys.sort_unstable();
        keys.dedup();
        for (key, detail) in backend.unnamed_records(kind, &keys)? {
            let what = match kind {
                LeafKind::Event => format!("event at position {key} ({detail})"),
                LeafKind::Access => format!("access record {key} ({detail})"),
                LeafKind::Disclosure => format!("disclosure {key} ({detail})"),
                LeafKind::Person => format!("person version {key} ({detail})"),
                LeafKind::Policy => format!("policy {key} ({detail})"),
                LeafKind::DepartureAct => format!("departure act {key} ({detail})"),
            };
            report.add(None, format!("{what} is not in the ledger: inserted outside Docket"));
        }
    }
    check_person_heads(backend, &mut report)?;
    Ok(report)
}

/// Compares each stored `persons` row, which lookups and reads use, with the latest recorded
/// version of that person (whose leaf the scan checked).
fn check_person_heads(backend: &mut dyn crate::Backend, report: &mut VerifyReport) -> Result<(), crate::StoreError> {
    let mut found = Vec::new();
    backend.scan_person_heads(&mut |id, row, latest| {
        let what = match (row, latest) {
            (Some(_), None) => Some(format!(
                "person `{id}` is stored with no recorded version of their identity: inserted outside Docket"
            )),
            (None, Some((version_row, _))) => Some(format!(
                "person `{id}` has recorded versions (the latest is row {version_row}) but no stored identity: deleted"
            )),
            (Some(row), Some((version_row, payload))) => {
                match crate::persons::decode(&payload, version_row)
                    .and_then(|v| crate::person_from_columns(row).map(|p| (v, p)))
                {
                    Err(e) => Some(format!("person `{id}`: {e}")),
                    Ok((v, stored)) => crate::persons::first_difference(&v.person, &stored).map(|(field, recorded, now)| {
                        format!(
                            "person `{id}`'s stored `{field}` is `{now}` but their latest recorded version ({}) says `{recorded}`: modified outside Docket",
                            v.version
                        )
                    }),
                }
            }
            (None, None) => None,
        };
        found.push(what);
    })?;
    report.persons += found.len() as u64;
    for what in found.into_iter().flatten() {
        report.add(None, what);
    }
    Ok(())
}

/// Opens a checkpoint note with the key of its period: of the keys (each from the size it
/// took over, in order) those whose period holds the note's size — a key signs from its
/// `from` size up to and including the next key's — and, of those, the one that signed it.
pub fn open_checkpoint(
    note: &str,
    keys: &[(u64, docket_ledger::VerifierKey)],
) -> Result<docket_ledger::Checkpoint, String> {
    let size = note.lines().nth(1).and_then(|l| l.parse::<u64>().ok()).ok_or("not a checkpoint note")?;
    let mut last = Err(format!("no key of the ledger signs checkpoints of size {size}"));
    for (k, (from, key)) in keys.iter().enumerate() {
        let until = keys.get(k + 1).map_or(u64::MAX, |(next, _)| *next);
        if *from <= size && size <= until {
            match docket_ledger::Checkpoint::from_note(note.as_bytes(), key) {
                Ok(cp) => return Ok(cp),
                Err(e) => last = Err(e.to_string()),
            }
        }
    }
    last
}

/// Compares the stored node hashes (which proofs are built from) with the ones recomputed from
/// the leaves: `computed[level][index]` for the levels that are stored.
fn check_nodes(
    backend: &mut dyn crate::Backend,
    computed: &[Vec<Hash>],
    report: &mut VerifyReport,
) -> Result<(), crate::StoreError> {
    let mut seen: Vec<u64> = vec![0; computed.len()];
    backend.scan_nodes(&mut |level, index, hash| {
        let l = usize::from(level);
        let place = format!("stored tree node at level {level}, index {index}");
        let Some(c) = computed.get(l).and_then(|c| c.get(index as usize)) else {
            report.add(None, format!("{place} is not a complete subtree of the stored leaves: inserted"));
            return;
        };
        seen[l] += 1;
        if to_hash(&hash) != Some(*c) {
            report.add(
                Some(index << level),
                format!(
                    "{place} does not match leaves {}..{}: altered (proofs through it would fail)",
                    index << level,
                    ((index + 1) << level) - 1
                ),
            );
        }
    })?;
    for (level, (hashes, found)) in computed.iter().zip(&seen).enumerate() {
        if level >= usize::from(LOWEST_STORED_LEVEL) && (hashes.len() as u64) > *found {
            report.add(
                None,
                format!(
                    "{} of the {} tree nodes at level {level} are missing: deleted",
                    hashes.len() as u64 - found,
                    hashes.len()
                ),
            );
        }
    }
    Ok(())
}

/// Rows reached through leaves with a row present, counted only while their keys rise.
#[derive(Default)]
struct Named {
    counts: [u64; 6],
    last: [i64; 6],
}

impl Named {
    fn slot(kind: LeafKind) -> usize {
        match kind {
            LeafKind::Event => 0,
            LeafKind::Access => 1,
            LeafKind::Disclosure => 2,
            LeafKind::Person => 3,
            LeafKind::Policy => 4,
            LeafKind::DepartureAct => 5,
        }
    }

    fn reached(&mut self, kind: LeafKind, key: i64) {
        let i = Named::slot(kind);
        if self.counts[i] == 0 || key > self.last[i] {
            self.counts[i] += 1;
            self.last[i] = key;
        }
    }

    fn in_order(&self, kind: LeafKind) -> u64 {
        self.counts[Named::slot(kind)]
    }
}

/// What checking the leaves found.
struct Checked {
    report: VerifyReport,
    /// How many checkpoints the leaves never reached.
    unreached: usize,
    /// The rows reached in order.
    named: Named,
    /// The complete subtrees the stored levels should hold, per level, in index order.
    nodes: Vec<Vec<Hash>>,
}

/// Checks leaves in order as they arrive: each leaf against the row it records, the tree
/// root against every checkpoint as the tree reaches its size.
fn check_leaves(
    rx: std::sync::mpsc::Receiver<LeafBatch>,
    checkpoints: &[(StoredCheckpoint, Option<&str>)],
    mut report: VerifyReport,
) -> Checked {
    let mut next_cp = 0;
    let mut named = Named::default();
    let mut nodes: Vec<Vec<Hash>> = Vec::new();
    let mut acc = docket_ledger::RootAccumulator::new();
    while next_cp < checkpoints.len() && checkpoints[next_cp].0.size == 0 {
        if checkpoints[next_cp].1.is_some() {
            report.trusted_checked += 1;
        } else {
            report.checkpoints_checked += 1;
        }
        if checkpoints[next_cp].0.root != docket_ledger::empty_root() {
            report.add(None, "the signed checkpoint of the empty ledger has a root other than the empty tree's".into());
        }
        next_cp += 1;
    }
    let mut expected: u64 = 0;
    let mut leaf = Vec::with_capacity(1024);
    for batch in rx.iter() {
        for scanned in &batch.rows {
            let row = match scanned {
                Scanned::Leaf(row) => row,
                Scanned::Malformed { chunk, why } => {
                    let chunk = *chunk;
                    report.add(
                        Some(chunk * LEAVES_PER_CHUNK),
                        format!("ledger chunk {chunk} (leaves from {}) is malformed: {why}", chunk * LEAVES_PER_CHUNK),
                    );
                    continue;
                }
            };
            let index = row.index;
            if index != expected {
                if index > expected {
                    report
                        .add(Some(expected), format!("ledger leaves {expected}..{} are missing (deleted)", index - 1));
                } else {
                    report.add(Some(index), format!("ledger leaf {index} appears twice"));
                }
            }
            expected = index + 1;
            let stored = row.leaf.hash;
            let reference = row.leaf.reference;
            match row.leaf.kind {
                Ok(LeafKind::Event) => {
                    report.events += 1;
                    match &row.record {
                        Record::Event(e) => {
                            named.reached(LeafKind::Event, reference);
                            leaf.clear();
                            write_event_leaf(
                                &mut leaf,
                                reference,
                                e.text(&batch, CASE),
                                e.version,
                                e.text(&batch, PAYLOAD),
                            );
                            if docket_ledger::leaf_hash(&leaf) != stored {
                                report.add(
                                Some(index),
                                format!(
                                    "event at position {reference} ({}; ledger leaf {index}) does not match its leaf: modified or moved",
                                    e.describe(&batch)
                                ),
                            );
                            }
                            if !e.copies_agree(&batch) {
                                report.add(
                                Some(index),
                                format!(
                                    "event at position {reference} ({}; ledger leaf {index}) has columns that disagree with its payload (event id `{}`, type `{}`, idempotency key `{}`): modified",
                                    e.describe(&batch),
                                    String::from_utf8_lossy(e.text(&batch, EVENT_ID)),
                                    String::from_utf8_lossy(e.text(&batch, TYPE)),
                                    String::from_utf8_lossy(e.text(&batch, IDEMPOTENCY_KEY)),
                                ),
                            );
                            }
                            if e.leaf_index != Some(index as i64) {
                                let claimed = e.leaf_index.map_or_else(|| "none".to_owned(), |i| i.to_string());
                                report.add(
                                Some(index),
                                format!(
                                    "event at position {reference} ({}) is ledger leaf {index} but its row names leaf {claimed}: altered",
                                    e.describe(&batch)
                                ),
                            );
                            }
                        }
                        _ => report.add(
                            Some(index),
                            format!("event at position {reference} (ledger leaf {index}) is missing: deleted"),
                        ),
                    }
                }
                Ok(LeafKind::Access) => {
                    report.accesses += 1;
                    match &row.record {
                        Record::Access(a) => {
                            named.reached(LeafKind::Access, reference);
                            if docket_ledger::leaf_hash(&access_leaf(reference, a)) != stored {
                                report.add(
                                Some(index),
                                format!(
                                    "access record {reference} ({} read {} `{}`; ledger leaf {index}) does not match its leaf: modified",
                                    a.actor, a.record_kind, a.record_id
                                ),
                            );
                            }
                        }
                        _ => report.add(
                            Some(index),
                            format!("access record {reference} (ledger leaf {index}) is missing: deleted"),
                        ),
                    }
                }
                Ok(LeafKind::Disclosure) => {
                    report.disclosures += 1;
                    match &row.record {
                        Record::Disclosure(d) => {
                            named.reached(LeafKind::Disclosure, reference);
                            if docket_ledger::leaf_hash(&disclosure_leaf(reference, d)) != stored {
                                report.add(
                                Some(index),
                                format!(
                                    "disclosure {reference} of person `{}` to {} (ledger leaf {index}) does not match its leaf: modified",
                                    d.person_id, d.recipient_name
                                ),
                            );
                            }
                        }
                        _ => report.add(
                            Some(index),
                            format!("disclosure {reference} (ledger leaf {index}) is missing: deleted"),
                        ),
                    }
                }
                Ok(LeafKind::Person) => {
                    report.person_versions += 1;
                    match &row.record {
                        Record::Person(p) => {
                            let (person_id, version, payload) = &**p;
                            named.reached(LeafKind::Person, reference);
                            if docket_ledger::leaf_hash(&crate::persons::person_leaf(reference, payload)) != stored {
                                report.add(
                                    Some(index),
                                    format!(
                                        "version {version} of person `{person_id}` (row {reference}; ledger leaf {index}) does not match its leaf: modified"
                                    ),
                                );
                            } else if let Err(why) = crate::persons::decode(payload, reference).and_then(|v| {
                                if v.person.id.as_str() == person_id && v.version as i64 == *version {
                                    Ok(())
                                } else {
                                    Err(crate::StoreError::Ledger(format!(
                                        "its columns say person `{person_id}` version {version}, its payload person `{}` version {}",
                                        v.person.id, v.version
                                    )))
                                }
                            }) {
                                report.add(
                                    Some(index),
                                    format!("person version row {reference} (ledger leaf {index}): {why}: modified"),
                                );
                            }
                        }
                        _ => report.add(
                            Some(index),
                            format!("person version {reference} (ledger leaf {index}) is missing: deleted"),
                        ),
                    }
                }
                Ok(LeafKind::Policy) => {
                    report.policies += 1;
                    match &row.record {
                        Record::Policy(p) => {
                            named.reached(LeafKind::Policy, reference);
                            let what = format!(
                                "policy {reference} (`{}` version `{}`, ledger leaf {index})",
                                p.policy_id, p.version
                            );
                            if docket_ledger::leaf_hash(&policy_leaf(reference, p)) != stored {
                                report.add(Some(index), format!("{what} does not match its leaf: modified"));
                            } else if policy_sha256(&p.text) != p.sha256 {
                                report.add(Some(index), format!("{what}: its text does not have its recorded SHA-256"));
                            }
                        }
                        _ => report
                            .add(Some(index), format!("policy {reference} (ledger leaf {index}) is missing: deleted")),
                    }
                }
                Ok(LeafKind::DepartureAct) => {
                    report.departure_acts += 1;
                    match &row.record {
                        Record::DepartureAct(a) => {
                            named.reached(LeafKind::DepartureAct, reference);
                            if docket_ledger::leaf_hash(&departure_act_leaf(reference, a)) != stored {
                                report.add(
                                    Some(index),
                                    format!(
                                        "departure act {reference} (`{}` of `{}`, ledger leaf {index}) does not match its leaf: modified",
                                        a.kind, a.subject
                                    ),
                                );
                            }
                        }
                        _ => report.add(
                            Some(index),
                            format!("departure act {reference} (ledger leaf {index}) is missing: deleted"),
                        ),
                    }
                }
                Err(tag) => report.add(Some(index), format!("ledger leaf {index} has an unknown kind (byte {tag})")),
            }
            acc.push_reporting(stored, |level, _, hash| {
                if level >= LOWEST_STORED_LEVEL {
                    let l = usize::from(level);
                    if nodes.len() <= l {
                        nodes.resize_with(l + 1, Vec::new);
                    }
                    nodes[l].push(*hash);
                }
            });
            report.leaves += 1;
            while next_cp < checkpoints.len() && checkpoints[next_cp].0.size == acc.size() {
                let (cp, outside) = &checkpoints[next_cp];
                if let Some(source) = outside {
                    report.trusted_checked += 1;
                    if acc.root() != cp.root {
                        report.add(
                            None,
                            format!(
                                "the tree of the first {} leaves does not match the checkpoint held outside the database for that size ({source}): the ledger was rewritten",
                                acc.size()
                            ),
                        );
                    }
                    next_cp += 1;
                    continue;
                }
                report.checkpoints_checked += 1;
                if acc.root() != cp.root {
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
    }
    Checked { report, unreached: checkpoints.len() - next_cp, named, nodes }
}

/// The query counting the rows of a kind of leaf (the same SQL on both backends).
pub(crate) fn count_sql(kind: LeafKind) -> &'static str {
    match kind {
        LeafKind::Event => "SELECT count(*) FROM events",
        LeafKind::Access => "SELECT count(*) FROM access_log",
        LeafKind::Disclosure => "SELECT count(*) FROM disclosures",
        LeafKind::Person => "SELECT count(*) FROM person_versions",
        LeafKind::Policy => "SELECT count(*) FROM policies",
        LeafKind::DepartureAct => "SELECT count(*) FROM departure_acts",
    }
}

/// The query listing every row of a kind of leaf by key, in key order, with a few words on
/// each for a report (the same SQL on both backends).
pub(crate) fn describe_sql(kind: LeafKind) -> &'static str {
    match kind {
        LeafKind::Event => {
            "SELECT position, 'case `' || case_id || '`, version ' || version FROM events ORDER BY position"
        }
        LeafKind::Access => {
            "SELECT id, actor || ' read ' || record_kind || ' `' || record_id || '`' FROM access_log ORDER BY id"
        }
        LeafKind::Disclosure => {
            "SELECT id, 'of person `' || person_id || '` to ' || recipient_name FROM disclosures ORDER BY id"
        }
        LeafKind::Person => {
            "SELECT id, 'person `' || person_id || '`, version ' || version FROM person_versions ORDER BY id"
        }
        LeafKind::Policy => {
            "SELECT id, 'policy `' || policy_id || '` version `' || version || '`' FROM policies ORDER BY id"
        }
        LeafKind::DepartureAct => {
            "SELECT id, kind || ' of `' || subject || '` by ' || actor FROM departure_acts ORDER BY id"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_as_to_string_writes_them() {
        for n in [0, 7, -7, 10, 1_234_567, i64::MAX, i64::MIN] {
            assert_eq!(decimal(n, &mut [0; 20]), n.to_string().as_bytes(), "{n}");
        }
    }

    #[test]
    fn chunks_continue_a_partial_tail_and_fill_sixteen_leaves_a_row() {
        let mut tail = Chunk::default();
        for k in 0..5 {
            tail.push(LeafKind::Event, k, &[k as u8; 32]);
        }
        let mut chunks = Chunks::after(32 + 5, tail);
        for k in 5..40 {
            chunks.push(LeafKind::Access, k, &[k as u8; 32]);
        }
        assert_eq!(chunks.end(), 32 + 40);
        let rows = chunks.finish();
        assert_eq!(rows.iter().map(|(n, c)| (*n, c.len())).collect::<Vec<_>>(), [(2, 16), (3, 16), (4, 8)]);
        let leaves = rows[0].1.leaves().expect("well formed");
        assert_eq!((leaves[4].kind, leaves[4].reference), (Ok(LeafKind::Event), 4));
        assert_eq!((leaves[5].kind, leaves[5].reference, leaves[5].hash), (Ok(LeafKind::Access), 5, [5; 32]));
    }
}
