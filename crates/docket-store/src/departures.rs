//! The departure feed's tables (schema 7): the records received, kept only while the job needs
//! them; counts by day, port and outcome, which outlive them; and the acts of record of the
//! feed and its review queue (`departure_acts`, each a ledger leaf).
//!
//! A record is stored once by its key (source and id): applying it again is
//! [`Placed::AlreadyStored`] and changes nothing. A record the feed matched clearly, or one sent
//! to review, is kept as the evidence a decision rests on; an unmatched one (most travellers)
//! carries `purge_after`, and `purge_departures` deletes it then, leaving only the counts and
//! a `purged` act naming how many, which window and the SHA-256 of what was removed.

use crate::ledger::DepartureActRow;

/// What the feed decided for a record when it was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Clearly matched: `departure_verified` recorded on the person's open cases.
    Verified,
    /// Doubtful: waiting in the review queue.
    Review,
    /// No match (or rejected on review): kept only for the retention window.
    Unmatched,
}

impl Outcome {
    /// Every outcome, in declaration order.
    pub const ALL: [Outcome; 3] = [Outcome::Verified, Outcome::Review, Outcome::Unmatched];

    /// The name stored and reported.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Verified => "verified",
            Outcome::Review => "review",
            Outcome::Unmatched => "unmatched",
        }
    }

    /// The outcome of a stored name.
    pub fn from_name(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// A departure record to store, with what the feed decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeparture {
    /// `source/record_id`: the idempotency key.
    pub key: String,
    /// When Docket received it (RFC 3339, UTC).
    pub received_at: String,
    /// The day of departure.
    pub departed_on: String,
    /// The port.
    pub port: String,
    /// The record as received, in its JSON form.
    pub payload: String,
    /// The decision.
    pub outcome: Outcome,
    /// When an unmatched record is to be deleted (RFC 3339, UTC).
    pub purge_after: Option<String>,
    /// For a record sent to review: the act that opens the item (its subject is the key).
    pub review: Option<DepartureActRow>,
}

/// What storing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// Stored now; for a review, the item's id (its opening act's id).
    Stored {
        /// The review item, if one was opened.
        review: Option<i64>,
    },
    /// A record with this key was stored before: nothing changed.
    AlreadyStored,
}

/// A stored departure record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeparture {
    /// `source/record_id`.
    pub key: String,
    /// When it was received.
    pub received_at: String,
    /// The day of departure.
    pub departed_on: String,
    /// The port.
    pub port: String,
    /// The record as received (JSON).
    pub payload: String,
    /// Where it stands.
    pub outcome: Outcome,
    /// The review item opened for it, if any.
    pub review: Option<i64>,
    /// When it is to be deleted, if it is.
    pub purge_after: Option<String>,
}

/// A review item: its opening act and the record, while the record is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    /// The item's id (its opening act's id).
    pub id: i64,
    /// The act that opened it (its detail holds the candidates).
    pub opened: DepartureActRow,
    /// The decision, if made: its act's id and the act.
    pub decided: Option<(i64, DepartureActRow)>,
    /// The record, unless it was purged after a rejection.
    pub record: Option<StoredDeparture>,
}

/// A reviewer's decision on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDecision {
    /// The item.
    pub review: i64,
    /// The act (`review_accepted` or `review_rejected`, with the reviewer and reason).
    pub act: DepartureActRow,
    /// `Verified` on acceptance, `Unmatched` on rejection.
    pub outcome: Outcome,
    /// For a rejection: when the record is to be deleted.
    pub purge_after: Option<String>,
}

/// How many records of a day, port and outcome; `purged` counts deletions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRow {
    /// The day of departure.
    pub day: String,
    /// The port.
    pub port: String,
    /// `received`, `verified`, `review`, `unmatched` or `purged`.
    pub outcome: String,
    /// How many.
    pub n: i64,
}

/// What a purge removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purged {
    /// Records deleted.
    pub records: u64,
    /// The act recording it (none when nothing was due).
    pub act: Option<i64>,
    /// SHA-256 over the deleted records' keys and payloads, in key order, hex.
    pub sha256: String,
}

/// The subject of a decision on review item `id`: `R-<id>`.
pub fn review_subject(id: i64) -> String {
    format!("R-{id}")
}

/// The purge's act: `act` with its detail's JSON object completed by `records` and
/// `removed_sha256`.
pub(crate) fn purge_act(act: &DepartureActRow, records: u64, sha256: &str) -> DepartureActRow {
    let mut detail: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&act.detail).unwrap_or_default();
    detail.insert("records".into(), records.into());
    detail.insert("removed_sha256".into(), sha256.into());
    DepartureActRow { detail: serde_json::Value::Object(detail).to_string(), ..act.clone() }
}

/// SHA-256 over `(key, payload)` pairs in the order given: each key and payload followed by
/// a newline, as hex.
pub(crate) fn removed_sha256<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for (key, payload) in rows {
        h.update(key.as_bytes());
        h.update(b"\n");
        h.update(payload.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The count rows one new record adds: received, and its outcome.
pub(crate) fn counts_of(d: &NewDeparture) -> [(String, String, &'static str, i64); 2] {
    [
        (d.departed_on.clone(), d.port.clone(), "received", 1),
        (d.departed_on.clone(), d.port.clone(), d.outcome.name(), 1),
    ]
}

/// The SQL that adds `n` to a count (the same on both backends; `$n` placeholders are written
/// `?n` for SQLite by the caller).
pub(crate) const BUMP_COUNT: &str = "INSERT INTO departure_counts (day, port, outcome, n) VALUES ($1, $2, $3, $4)
     ON CONFLICT (day, port, outcome) DO UPDATE SET n = departure_counts.n + excluded.n";

/// The schema's step 7: the departure feed's tables.
pub(crate) const SCHEMA_V7: &str = "
CREATE TABLE departure_acts (
    id {pk},
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX departure_acts_subject ON departure_acts (subject);
CREATE TABLE departure_records (
    record_key TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    departed_on TEXT NOT NULL,
    port TEXT NOT NULL,
    payload TEXT NOT NULL,
    outcome TEXT NOT NULL,
    review_act BIGINT,
    purge_after TEXT
);
CREATE INDEX departure_records_purge ON departure_records (purge_after);
CREATE TABLE departure_counts (
    day TEXT NOT NULL,
    port TEXT NOT NULL,
    outcome TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, port, outcome)
);
";
