//! A whole database copied into an empty one of either kind, row for row (`Store::copy_to`):
//! the persons and every version of their identities, the events, the case projections, and
//! the ledger as it stands — leaves, nodes, size, checkpoints, keys, reads and disclosures.
//! The copy's ledger is the same tree, so every checkpoint signed for the source (and every
//! one held outside it, or cosigned by a witness) verifies against the copy with the same
//! keys, and the accounting of disclosures moves with the records it accounts for (5 U.S.C.
//! 552a(c)(2) asks that it be kept).
//!
//! The source is read in one snapshot; the target is written in one transaction.

/// A column's type, as both backends store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// SMALLINT.
    I16,
    /// INTEGER.
    I32,
    /// BIGINT (and the row ids).
    I64,
    Text,
    /// BLOB / BYTEA.
    Bytes,
    /// INTEGER 0/1 on SQLite, BOOLEAN on PostgreSQL.
    Bool,
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
}

/// A table copied, with its columns (name and type) and the order its rows are read in.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    pub order: &'static str,
    /// The column a PostgreSQL sequence numbers, which must go on after the copied rows.
    pub serial: Option<&'static str>,
}

impl Table {
    pub fn column_list(&self) -> String {
        self.columns.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
    }
}

use Kind::*;

const PERSON_COLUMNS: &[(&str, Kind)] = &[
    ("person_id", Text),
    ("a_number", Text),
    ("given_names", Text),
    ("family_names", Text),
    ("name_order", Text),
    ("given_folded", Text),
    ("family_folded", Text),
    ("aliases", Text),
    ("date_of_birth", Text),
    ("sex", Text),
    ("nationality", Text),
    ("passport_number", Text),
    ("passport_country", Text),
    ("passport_expiry", Text),
];

/// Every table of the schema that holds the docket's data, in an order that a copy can
/// write them in. `schema_migrations` is not copied: the target records its own migrations.
/// A test holds this list to the schema: a table added and not listed here fails it.
pub(crate) const TABLES: &[Table] = &[
    Table { name: "persons", columns: PERSON_COLUMNS, order: "person_id", serial: None },
    Table {
        name: "person_versions",
        columns: &[("id", I64), ("person_id", Text), ("version", I64), ("payload", Text)],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "events",
        columns: &[
            ("position", I64),
            ("event_id", Text),
            ("case_id", Text),
            ("version", I64),
            ("event_type", Text),
            ("schema_version", I32),
            ("effective_at", Text),
            ("recorded_at", Text),
            ("idempotency_key", Text),
            ("payload", Text),
            ("leaf_index", I64),
        ],
        order: "position",
        serial: Some("position"),
    },
    Table {
        name: "case_projection",
        columns: &[
            ("case_id", Text),
            ("person_id", Text),
            ("version", I64),
            ("detained", Bool),
            ("final_at", Text),
            ("summary", Text),
            ("citizenship", Text),
        ],
        order: "case_id",
        serial: None,
    },
    Table { name: "store_meta", columns: &[("key", Text), ("value", Text)], order: "key", serial: None },
    Table {
        name: "ledger_leaf_chunks",
        columns: &[("chunk", I64), ("leaf_hashes", Bytes), ("records", Bytes)],
        order: "chunk",
        serial: None,
    },
    Table {
        name: "ledger_nodes",
        columns: &[("level", I16), ("idx", I64), ("hash", Bytes)],
        order: "level, idx",
        serial: None,
    },
    Table { name: "ledger_size", columns: &[("id", I32), ("size", I64)], order: "id", serial: None },
    Table {
        name: "access_log",
        columns: &[
            ("id", I64),
            ("at", Text),
            ("actor", Text),
            ("purpose", Text),
            ("record_kind", Text),
            ("record_id", Text),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "disclosures",
        columns: &[
            ("id", I64),
            ("person_id", Text),
            ("disclosed_at", Text),
            ("recipient_name", Text),
            ("recipient_address", Text),
            ("purpose", Text),
            ("nature", Text),
            ("law_enforcement", Text),
            ("recorded_by", Text),
            ("packet_sha256", Text),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "policies",
        columns: &[
            ("id", I64),
            ("policy_id", Text),
            ("version", Text),
            ("kind", Text),
            ("effective_at", Text),
            ("text", Text),
            ("sha256", Text),
            ("adopted_by", Text),
            ("adopted_at", Text),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "departure_acts",
        columns: &[("id", I64), ("kind", Text), ("at", Text), ("actor", Text), ("subject", Text), ("detail", Text)],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "departure_records",
        columns: &[
            ("record_key", Text),
            ("received_at", Text),
            ("departed_on", Text),
            ("port", Text),
            ("payload", Text),
            ("outcome", Text),
            ("review_act", I64),
            ("purge_after", Text),
        ],
        order: "record_key",
        serial: None,
    },
    Table {
        name: "departure_counts",
        columns: &[("day", Text), ("port", Text), ("outcome", Text), ("n", I64)],
        order: "day, port, outcome",
        serial: None,
    },
    Table {
        name: "ledger_checkpoints",
        columns: &[("size", I64), ("root", Bytes), ("note", Text), ("created_at", Text)],
        order: "size",
        serial: None,
    },
    Table {
        name: "ledger_keys",
        columns: &[("verifier_key", Text), ("from_size", I64), ("recorded_at", Text), ("rotation", Text)],
        order: "from_size, recorded_at",
        serial: None,
    },
];

/// Tables of the schema that are not copied, and why.
pub(crate) const NOT_COPIED: &[(&str, &str)] = &[("schema_migrations", "the target records its own migrations")];

/// A batch of rows of one table, as read.
pub(crate) type Rows = Vec<Vec<Cell>>;

/// Called with each batch of each table a copy reads.
pub(crate) type RowSink<'a> = dyn FnMut(&Table, Rows) -> Result<(), crate::StoreError> + 'a;

/// Rows read and written per batch.
pub(crate) const BATCH: usize = 5_000;

/// What a copy wrote, per table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopyReport {
    /// (table, rows), in the order copied.
    pub tables: Vec<(String, u64)>,
}
