//! A person's identity as a record of the ledger: every stored version of a person is a row of
//! `person_versions` and a ledger leaf, and the `persons` row is the latest version, kept for
//! lookups (`verify` checks that it is). An import stores a new person and recognizes one
//! stored as given; a different identity under a stored id is not an import but a
//! correction (5 U.S.C. 552a(d)), which states its reason and actor and keeps the earlier
//! version.

use std::collections::HashMap;

use docket_core::{Person, PersonId};
use serde::{Deserialize, Serialize};

use crate::{StoreError, wire};

/// Who records a version of a person's identity, when, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// When (RFC 3339).
    pub at: String,
    /// Who: the actor's id.
    pub by: String,
    /// Why: for an import the source, for a correction the reason given.
    pub reason: String,
}

/// What became of one person given to [`crate::Store::store_persons`] or
/// [`crate::Store::correct_persons`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonOutcome {
    /// Stored as this version (1 for a new person).
    Stored {
        /// The version.
        version: u64,
    },
    /// Stored already exactly as given; nothing was written.
    Unchanged,
    /// An import gave another identity under a stored person's id; nothing was written. The
    /// first field that differs, in the persons CSV's column order.
    Differs {
        /// The field.
        field: &'static str,
        /// Its stored value.
        stored: String,
        /// The value given.
        given: String,
    },
    /// A correction of a person who is not stored; nothing was written.
    Unknown,
}

/// One stored version of a person's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonVersion {
    /// The version: 1 when first stored, one more for each correction.
    pub version: u64,
    /// When it was recorded.
    pub recorded_at: String,
    /// By whom.
    pub recorded_by: String,
    /// Why.
    pub reason: String,
    /// The identity as recorded.
    pub person: Person,
}

/// The stored form of a version (`person_versions.payload`, and the JSON of its leaf): the
/// fields in this order, compact, the person as its persons-CSV row.
#[derive(Deserialize)]
struct Payload {
    person_id: String,
    version: u64,
    recorded_at: String,
    recorded_by: String,
    reason: String,
    record: wire::PersonRow,
}

/// [`Payload`] as written: the same fields in the same order, borrowed (a payload is written
/// for every person imported).
#[derive(Serialize)]
struct PayloadOut<'a> {
    person_id: &'a str,
    version: u64,
    recorded_at: &'a str,
    recorded_by: &'a str,
    reason: &'a str,
    record: &'a wire::PersonRow,
}

/// The payload of `person`'s version `version`.
#[cfg(test)]
pub(crate) fn payload(person: &Person, version: u64, rec: &Recording) -> String {
    encode(&wire::PersonRow::from_person(person), version, rec)
}

/// The payload of the version `version` of the person whose persons-CSV row is `row`.
fn encode(row: &wire::PersonRow, version: u64, rec: &Recording) -> String {
    let p = PayloadOut {
        person_id: &row.person_id,
        version,
        recorded_at: &rec.at,
        recorded_by: &rec.by,
        reason: &rec.reason,
        record: row,
    };
    // INVARIANT: a struct of strings and an integer always serializes.
    serde_json::to_string(&p).unwrap_or_default()
}

/// Reads a stored payload.
pub(crate) fn decode(payload: &str, id: i64) -> Result<PersonVersion, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { what: "person version", key: id.to_string(), reason };
    let p: Payload = serde_json::from_str(payload).map_err(|e| corrupt(e.to_string()))?;
    if p.record.person_id != p.person_id {
        return Err(corrupt(format!("holds person `{}` under `{}`", p.record.person_id, p.person_id)));
    }
    let person = crate::decode_person(p.record)?;
    Ok(PersonVersion {
        version: p.version,
        recorded_at: p.recorded_at,
        recorded_by: p.recorded_by,
        reason: p.reason,
        person,
    })
}

/// The bytes of a person leaf: `"docket-leaf/1 person\n" || ID || "\n" || PAYLOAD`, ID the
/// version's row id, PAYLOAD its stored JSON byte for byte.
pub fn person_leaf(id: i64, payload: &str) -> Vec<u8> {
    format!("docket-leaf/1 person\n{id}\n{payload}").into_bytes()
}

/// The first field, in the persons CSV's column order, in which `given` differs from
/// `stored`, with both values.
pub fn first_difference(stored: &Person, given: &Person) -> Option<(&'static str, String, String)> {
    all_differences(stored, given).into_iter().next()
}

/// Every field, in the persons CSV's column order, in which `b` differs from `a`.
pub fn differences(a: &Person, b: &Person) -> Vec<&'static str> {
    all_differences(a, b).into_iter().map(|(f, _, _)| f).collect()
}

fn all_differences(stored: &Person, given: &Person) -> Vec<(&'static str, String, String)> {
    let a = wire::PersonRow::from_person(stored);
    let b = wire::PersonRow::from_person(given);
    let fields: [(&'static str, &String, &String); 12] = [
        ("person_id", &a.person_id, &b.person_id),
        ("a_number", &a.a_number, &b.a_number),
        ("given_names", &a.given_names, &b.given_names),
        ("family_names", &a.family_names, &b.family_names),
        ("name_order", &a.name_order, &b.name_order),
        ("aliases", &a.aliases, &b.aliases),
        ("date_of_birth", &a.date_of_birth, &b.date_of_birth),
        ("sex", &a.sex, &b.sex),
        ("nationality", &a.nationality, &b.nationality),
        ("passport_number", &a.passport_number, &b.passport_number),
        ("passport_country", &a.passport_country, &b.passport_country),
        ("passport_expiry", &a.passport_expiry, &b.passport_expiry),
    ];
    fields.into_iter().filter(|(_, x, y)| x != y).map(|(f, x, y)| (f, x.clone(), y.clone())).collect()
}

/// A version to write: the person, its version number, its persons-CSV row, its payload.
pub(crate) struct NewVersion<'a> {
    pub person: &'a Person,
    pub version: u64,
    pub row: wire::PersonRow,
    pub payload: String,
}

/// Decides, in order, what becomes of each of `persons` given the stored latest versions
/// (`stored`: the person and its version number): an import (`correction` false) stores new
/// persons only; a correction stores a new version of a stored person only. A person given
/// twice is judged the second time against the first.
pub(crate) fn plan<'a>(
    persons: &'a [Person],
    stored: HashMap<PersonId, (Person, u64)>,
    correction: bool,
    rec: &Recording,
) -> (Vec<PersonOutcome>, Vec<NewVersion<'a>>) {
    let mut outcomes = Vec::with_capacity(persons.len());
    let mut writes = Vec::new();
    // The versions this batch writes, which later ones are judged against.
    let mut written: HashMap<&PersonId, (&Person, u64)> = HashMap::new();
    for p in persons {
        let latest = match written.get(&p.id) {
            Some(&(s, v)) => Some((s, v)),
            None => stored.get(&p.id).map(|(s, v)| (s, *v)),
        };
        let outcome = match latest {
            None if correction => PersonOutcome::Unknown,
            None => PersonOutcome::Stored { version: 1 },
            Some((s, v)) => match first_difference(s, p) {
                None => PersonOutcome::Unchanged,
                Some(_) if correction => PersonOutcome::Stored { version: v + 1 },
                Some((field, stored, given)) => PersonOutcome::Differs { field, stored, given },
            },
        };
        if let PersonOutcome::Stored { version } = outcome {
            let row = wire::PersonRow::from_person(p);
            let payload = encode(&row, version, rec);
            writes.push(NewVersion { person: p, version, row, payload });
            written.insert(&p.id, (p, version));
        }
        outcomes.push(outcome);
    }
    (outcomes, writes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, given: &str) -> Person {
        wire::PersonRow {
            person_id: id.into(),
            given_names: given.into(),
            family_names: "Uno".into(),
            date_of_birth: "1990-01-01".into(),
            ..Default::default()
        }
        .to_person(docket_core::Date::parse("2026-01-01").expect("date"))
        .expect("person")
    }

    fn rec() -> Recording {
        Recording { at: "2026-01-01T00:00:00Z".into(), by: "clerk".into(), reason: "persons.csv".into() }
    }

    #[test]
    fn an_import_stores_new_persons_and_refuses_another_identity_under_a_stored_id() {
        let stored = HashMap::from([(person("P-1", "Ana").id, (person("P-1", "Ana"), 1))]);
        let given = [person("P-1", "Ana"), person("P-1", "Anna"), person("P-2", "Ben"), person("P-2", "Benn")];
        let (outcomes, writes) = plan(&given, stored, false, &rec());
        assert_eq!(
            outcomes,
            [
                PersonOutcome::Unchanged,
                PersonOutcome::Differs { field: "given_names", stored: "Ana".into(), given: "Anna".into() },
                PersonOutcome::Stored { version: 1 },
                PersonOutcome::Differs { field: "given_names", stored: "Ben".into(), given: "Benn".into() },
            ]
        );
        assert_eq!(writes.len(), 1);
    }

    #[test]
    fn a_payload_is_the_same_bytes_it_always_was() {
        // The payload is hashed into the ledger: a ledger already written verifies only while
        // these bytes stay what they were (pinned from the encoding of schema 5 as released).
        let p = wire::PersonRow {
            person_id: "P-7".into(),
            a_number: "A123456789".into(),
            given_names: "José María".into(),
            family_names: "O'Brien Núñez".into(),
            aliases: "Pepe|Núñez".into(),
            date_of_birth: "1990-01-31".into(),
            sex: "M".into(),
            nationality: "MEX".into(),
            passport_number: "G1234567".into(),
            passport_country: "MEX".into(),
            passport_expiry: "2030-05-01".into(),
            ..Default::default()
        }
        .to_person(docket_core::Date::parse("2026-01-01").expect("date"))
        .expect("person");
        let rec = Recording {
            at: "2026-12-01T09:30:00Z".into(),
            by: "officer.b".into(),
            reason: "birth certificate \"No. 5\"\n\tseen at `C:\\scans`".into(),
        };
        assert_eq!(
            payload(&p, 2, &rec),
            concat!(
                r#"{"person_id":"P-7","version":2,"recorded_at":"2026-12-01T09:30:00Z","recorded_by":"officer.b","reason":"birth certificate \"No. 5\"\n\tseen at `C:\\scans`""#,
                r#","record":{"person_id":"P-7","a_number":"A123456789","given_names":"José María","family_names":"O'Brien Núñez","name_order":"given_first","aliases":"Pepe|Núñez","date_of_birth":"1990-01-31","sex":"M","nationality":"MEX","passport_number":"G1234567","passport_country":"MEX","passport_expiry":"2030-05-01"}}"#
            )
        );
    }

    #[test]
    fn a_correction_is_a_new_version_of_a_stored_person_only() {
        let stored = HashMap::from([(person("P-1", "Ana").id, (person("P-1", "Ana"), 3))]);
        let given = [person("P-1", "Anna"), person("P-1", "Anna"), person("P-2", "Ben")];
        let (outcomes, writes) = plan(&given, stored, true, &rec());
        assert_eq!(outcomes, [PersonOutcome::Stored { version: 4 }, PersonOutcome::Unchanged, PersonOutcome::Unknown]);
        assert_eq!(decode(&writes[0].payload, 1).expect("decodes").person, person("P-1", "Anna"));
    }
}
