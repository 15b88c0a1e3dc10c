//! The schema's migration steps, each with a fixed identity: its version, its name and a
//! checksum of what it does on a backend. `schema_migrations` records the name and checksum of
//! every step when it is applied, and every migration and every open
//! ([`crate::Store::check_schema`]) compares them with this program's, so that a step changed
//! after a database applied it is refused, naming the step and both checksums, rather than
//! taken for what it now says.
//!
//! A step is SQL written once for both backends, with `{placeholder}`s for the words that
//! differ (a backend's [`Dialect`]), and for steps 3 and 5 Rust code over the stored data in
//! the same transaction. Its checksum is the SHA-256, in lowercase hex, of the exact SQL the
//! backend runs (which ends in a newline), followed for a step with code by the line
//! `-- code: TAG` and a newline, where TAG names that code and its revision
//! (`sha256sum` over that text gives the same). Code cannot be hashed as it runs, so its tag is bumped by hand
//! whenever a change would make the code write anything else for the same data. The test
//! `released_checksums_never_change` pins every checksum, so that an edit of a released
//! step's SQL or tag fails the tests before it can reach a database: a released step is never
//! edited, and a change to the schema or to data already migrated is a new step.
//!
//! Rows recorded before checksums were kept (the table had only `version` and `applied_at`)
//! keep NULL in the new columns: what such a step applied is not known (schema 5 itself
//! gained `ledger_keys` after databases had applied it), so it is reported as
//! [`StepState::Unknown`], never as matching.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{SCHEMA_VERSION, StoreError};

/// A backend's words for the placeholders of the steps' SQL.
pub(crate) struct Dialect {
    /// Each `{placeholder}` and what stands for it.
    pub words: &'static [(&'static str, &'static str)],
}

/// One step of the schema.
pub(crate) struct Step {
    /// The schema version the step brings the database to.
    pub version: i64,
    /// Its fixed name.
    pub name: &'static str,
    /// Its SQL, with placeholders.
    template: &'static str,
    /// The tag of the Rust code the step runs after its SQL, if any.
    code: Option<&'static str>,
}

/// Every step, in order: `STEPS[i].version == i + 1`.
// INVARIANT: a released step never changes (neither its SQL nor its code's tag): a database
// that applied it would be refused. A change to the schema is a new step.
pub(crate) const STEPS: [Step; SCHEMA_VERSION as usize] = [
    Step { version: 1, name: "events_and_projections", template: crate::SCHEMA_V1, code: None },
    Step { version: 2, name: "audit_ledger", template: crate::ledger::SCHEMA_V2, code: None },
    Step {
        version: 3,
        name: "ledger_leaf_chunks",
        template: crate::ledger::SCHEMA_V3,
        // The leaves of `ledger_leaves` become chunk rows; events stored before the ledger
        // existed (a database at schema 1) become its first leaves.
        code: Some("leaves_to_chunks/1 ledger_stored_events/1"),
    },
    Step { version: 4, name: "citizenship_and_store_meta", template: crate::SCHEMA_V4, code: None },
    Step {
        version: 5,
        name: "person_versions_and_ledger_keys",
        template: crate::SCHEMA_V5,
        // Persons stored before schema 5 become version 1 of their identity, each a leaf.
        code: Some("ledger_stored_persons/1"),
    },
    Step { version: 6, name: "adopted_policies", template: crate::SCHEMA_V6, code: None },
    Step { version: 7, name: "departure_feed", template: crate::departures::SCHEMA_V7, code: None },
];

impl Step {
    /// The SQL this step runs on a backend.
    pub fn sql(&self, dialect: &Dialect) -> String {
        dialect.words.iter().fold(self.template.to_owned(), |sql, (placeholder, word)| sql.replace(placeholder, word))
    }

    /// The step's checksum on a backend: SHA-256 of its SQL and its code's tag.
    pub fn checksum(&self, dialect: &Dialect) -> String {
        let mut h = Sha256::new();
        h.update(self.sql(dialect).as_bytes());
        if let Some(tag) = self.code {
            h.update(format!("-- code: {tag}\n").as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The steps a database at schema `current` has yet to apply, in order.
pub(crate) fn after(current: i64) -> impl Iterator<Item = &'static Step> {
    STEPS.iter().filter(move |s| s.version > current)
}

/// A row of `schema_migrations`.
pub(crate) struct Recorded {
    pub version: i64,
    /// NULL for a row recorded before names were kept.
    pub name: Option<String>,
    /// In UTC, RFC 3339 to the second.
    pub applied_at: String,
    /// NULL for a row recorded before checksums were kept.
    pub checksum: Option<String>,
}

/// The schema version a database is at: its latest recorded step.
pub(crate) fn latest(recorded: &[Recorded]) -> i64 {
    recorded.iter().map(|r| r.version).max().unwrap_or(0)
}

/// Where a step stands in a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Applied, with this program's checksum.
    Applied,
    /// Not applied yet: a migration will apply it.
    Pending,
    /// Applied with another checksum than this program's: the step, or its record, was
    /// changed since. The database is refused.
    Changed,
    /// Applied before checksums were recorded: what it applied is not known.
    Unknown,
    /// Not recorded, though a later step is: the record was altered. The database is refused.
    Missing,
    /// Recorded, but not a step of this program (a newer program's). The database is refused.
    Unrecognized,
}

impl StepState {
    /// The state's name, as the JSON says it.
    pub fn name(self) -> &'static str {
        match self {
            StepState::Applied => "applied",
            StepState::Pending => "pending",
            StepState::Changed => "changed",
            StepState::Unknown => "unknown",
            StepState::Missing => "missing",
            StepState::Unrecognized => "unrecognized",
        }
    }

    /// Whether a database with a step in this state is refused, on open and by a migration.
    pub fn is_refused(self) -> bool {
        matches!(self, StepState::Changed | StepState::Missing | StepState::Unrecognized)
    }
}

/// One step of the schema as a database records it, beside this program's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepStatus {
    /// The schema version the step brings the database to.
    pub version: i64,
    /// This program's name for the step (for an unrecognized one, the recorded name, if any).
    pub name: String,
    /// The name the database recorded, where it differs from `name` (a step renamed since).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_name: Option<String>,
    /// When it was applied (UTC, RFC 3339); none for a step not applied.
    pub applied_at: Option<String>,
    /// The checksum the database recorded; none for a step not applied or applied before
    /// checksums were kept.
    pub recorded_checksum: Option<String>,
    /// This program's checksum of the step on this backend; none for a step it does not have.
    pub expected_checksum: Option<String>,
    /// Where it stands.
    pub state: StepState,
}

/// Every step of this program and every recorded step, in version order, compared.
pub(crate) fn status(dialect: &Dialect, recorded: Vec<Recorded>) -> Vec<StepStatus> {
    let latest = latest(&recorded);
    let mut recorded: BTreeMap<i64, Recorded> = recorded.into_iter().map(|r| (r.version, r)).collect();
    let mut out = Vec::with_capacity(STEPS.len());
    for step in &STEPS {
        let expected = step.checksum(dialect);
        let row = recorded.remove(&step.version);
        let state = match &row {
            Some(r) => match &r.checksum {
                None => StepState::Unknown,
                Some(c) if *c == expected => StepState::Applied,
                Some(_) => StepState::Changed,
            },
            None if step.version < latest => StepState::Missing,
            None => StepState::Pending,
        };
        let (recorded_name, applied_at, recorded_checksum) = match row {
            Some(r) => (r.name.filter(|n| n != step.name), Some(r.applied_at), r.checksum),
            None => (None, None, None),
        };
        out.push(StepStatus {
            version: step.version,
            name: step.name.to_owned(),
            recorded_name,
            applied_at,
            recorded_checksum,
            expected_checksum: Some(expected),
            state,
        });
    }
    out.extend(recorded.into_values().map(|r| StepStatus {
        version: r.version,
        name: r.name.unwrap_or_default(),
        recorded_name: None,
        applied_at: Some(r.applied_at),
        recorded_checksum: r.checksum,
        expected_checksum: None,
        state: StepState::Unrecognized,
    }));
    out.sort_by_key(|s| s.version);
    out
}

/// Refuses a database with a step changed or missing, naming the first.
pub(crate) fn check(status: &[StepStatus]) -> Result<(), StoreError> {
    for s in status {
        match s.state {
            StepState::Changed => {
                return Err(StoreError::MigrationChanged {
                    version: s.version,
                    name: s.name.clone(),
                    recorded: s.recorded_checksum.clone().unwrap_or_default(),
                    expected: s.expected_checksum.clone().unwrap_or_default(),
                });
            }
            StepState::Missing => {
                return Err(StoreError::MigrationMissing { version: s.version, name: s.name.clone() });
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialects() -> [(&'static str, &'static Dialect); 2] {
        [("sqlite", &crate::sqlite::DIALECT), ("postgres", &crate::pg::DIALECT)]
    }

    #[test]
    fn steps_are_numbered_in_order_and_every_placeholder_has_a_word() {
        for (i, step) in STEPS.iter().enumerate() {
            assert_eq!(step.version, i as i64 + 1);
            for (backend, d) in dialects() {
                let sql = step.sql(d);
                assert!(!sql.contains('{') && !sql.contains('}'), "step {} on {backend}: {sql}", step.version);
            }
        }
    }

    /// The SQL each backend's `migrate` ran before steps had identities, spelled out as it was
    /// there: the dialects must give the same text, or the steps' checksums would describe
    /// SQL no database ran.
    #[test]
    fn the_dialects_give_the_sql_the_backends_always_ran() {
        let sqlite = |v: usize| STEPS[v - 1].sql(&crate::sqlite::DIALECT);
        let pg = |v: usize| STEPS[v - 1].sql(&crate::pg::DIALECT);
        assert_eq!(sqlite(1), crate::SCHEMA_V1.replace("{pk}", "INTEGER PRIMARY KEY").replace("{bool}", "INTEGER"));
        assert_eq!(pg(1), crate::SCHEMA_V1.replace("{pk}", "BIGSERIAL PRIMARY KEY").replace("{bool}", "BOOLEAN"));
        assert_eq!(
            sqlite(2),
            crate::ledger::SCHEMA_V2
                .replace("{blob}", "BLOB")
                .replace("{leaf_pk}", "INTEGER PRIMARY KEY")
                .replace("{row_pk}", "INTEGER PRIMARY KEY")
                .replace("{without_rowid}", " WITHOUT ROWID")
        );
        assert_eq!(
            pg(2),
            crate::ledger::SCHEMA_V2
                .replace("{blob}", "BYTEA")
                .replace("{leaf_pk}", "BIGINT PRIMARY KEY")
                .replace("{row_pk}", "BIGSERIAL PRIMARY KEY")
                .replace("{without_rowid}", "")
        );
        assert_eq!(
            sqlite(3),
            crate::ledger::SCHEMA_V3.replace("{chunk_pk}", "INTEGER PRIMARY KEY").replace("{blob}", "BLOB")
        );
        assert_eq!(
            pg(3),
            crate::ledger::SCHEMA_V3.replace("{chunk_pk}", "BIGINT PRIMARY KEY").replace("{blob}", "BYTEA")
        );
        assert_eq!((sqlite(4), pg(4)), (crate::SCHEMA_V4.to_owned(), crate::SCHEMA_V4.to_owned()));
        assert_eq!(sqlite(5), crate::SCHEMA_V5.replace("{pk}", "INTEGER PRIMARY KEY"));
        assert_eq!(pg(5), crate::SCHEMA_V5.replace("{pk}", "BIGSERIAL PRIMARY KEY"));
        assert_eq!(sqlite(6), crate::SCHEMA_V6.replace("{pk}", "INTEGER PRIMARY KEY"));
        assert_eq!(pg(6), crate::SCHEMA_V6.replace("{pk}", "BIGSERIAL PRIMARY KEY"));
        assert_eq!(sqlite(7), crate::departures::SCHEMA_V7.replace("{pk}", "INTEGER PRIMARY KEY"));
        assert_eq!(pg(7), crate::departures::SCHEMA_V7.replace("{pk}", "BIGSERIAL PRIMARY KEY"));
    }

    /// Every released step's checksum, per backend. A failure here means a released step was
    /// edited: every database that applied it would be refused. Put the step back and make
    /// the change a new step.
    #[test]
    fn released_checksums_never_change() {
        let pinned: [(&str, i64, &str); 14] = [
            ("sqlite", 1, "3291b484020f5e6e3f4e935794b7189e931aee02d8ba840792636523be3f491b"),
            ("sqlite", 2, "abfe04b58657adb49d29adce52ca4c6a582ab10cd8f579e4d9f715f61c2ecf44"),
            ("sqlite", 3, "f589b063b59f317b5afbdc8417d08d3b263434d0ed6b6bc9cef370b944d3a673"),
            ("sqlite", 4, "db2252671e3567ffea7e8a79599b803ce67de2810a59ce707ca045e332004407"),
            ("sqlite", 5, "078a6170e7561ccd9ae5dd6e48af6fda47491eeb6bb3ffd999e34434d53dcebb"),
            ("sqlite", 6, "78b66f467cea463183ddfd65383d1bb40b029c6c02192bd5803eb122e3a79f6c"),
            ("sqlite", 7, "9a9f33a2cbfe274bfc65eb591b6de8813a2efbdddb33f5cd44e220a87cfe7501"),
            ("postgres", 1, "108d3367b7c921b69bc37b70b80d342a925d324b94982baf07c332d5c43238de"),
            ("postgres", 2, "7ff17de65646556a8cc5657d2ca99486739d0db9e4e5205110cf971c77dc0266"),
            ("postgres", 3, "7f6e9394c578ad8551ed22587c6db3d3325b10ba6da7e6af6f016b3872ed5250"),
            ("postgres", 4, "db2252671e3567ffea7e8a79599b803ce67de2810a59ce707ca045e332004407"),
            ("postgres", 5, "033399f5c7a16ddcce583f8a4a0683a12fec436400cff7972dbd023da918d606"),
            ("postgres", 6, "df9fc41905a44f51ba01b4c54ffbf9d444750b787431fee5300823485f9e6052"),
            ("postgres", 7, "c6742af7a6746837048868fbfe76ceb6704c1ae172a7cbea606a104347085d78"),
        ];
        let actual: Vec<(&str, i64, String)> = dialects()
            .into_iter()
            .flat_map(|(backend, d)| STEPS.iter().map(move |s| (backend, s.version, s.checksum(d))))
            .collect();
        let pinned: Vec<(&str, i64, String)> = pinned.iter().map(|&(b, v, c)| (b, v, c.to_owned())).collect();
        assert_eq!(actual, pinned);
    }

    fn row(version: i64, checksum: Option<&str>) -> Recorded {
        Recorded {
            version,
            name: None,
            applied_at: "2026-12-04T11:38:17Z".into(),
            checksum: checksum.map(str::to_owned),
        }
    }

    #[test]
    fn each_state_is_told_apart() {
        let d = &crate::sqlite::DIALECT;
        let sum = |v: usize| STEPS[v - 1].checksum(d);
        let states = |rows: Vec<Recorded>| status(d, rows).iter().map(|s| (s.version, s.state)).collect::<Vec<_>>();
        use StepState::*;
        assert_eq!(
            states(vec![]),
            vec![(1, Pending), (2, Pending), (3, Pending), (4, Pending), (5, Pending), (6, Pending), (7, Pending)]
        );
        assert_eq!(
            states(vec![row(1, None), row(2, Some(&sum(2))), row(3, Some("00")), row(5, Some(&sum(5))), row(9, None)]),
            vec![
                (1, Unknown),
                (2, Applied),
                (3, Changed),
                (4, Missing),
                (5, Applied),
                (6, Missing),
                (7, Missing),
                (9, Unrecognized)
            ]
        );
        let err = check(&status(d, vec![row(1, Some(&sum(1))), row(2, Some("00"))])).expect_err("changed");
        let msg = err.to_string();
        assert!(
            msg.contains("2") && msg.contains("audit_ledger") && msg.contains("00") && msg.contains(&sum(2)),
            "{msg}"
        );
        assert!(
            check(&status(d, vec![row(1, None), row(2, Some(&sum(2)))])).is_ok(),
            "unknown is reported, not refused"
        );
    }
}
