//! `docs/departures.schema.json` kept true to the departure reader (`docket_store::wire::departure`):
//! the same fields, the same required ones; the valid examples pass both and round-trip; the bad
//! ones are refused by the reader naming the field at fault, and by the schema where a JSON Schema
//! can say it. No field names a kind of data Docket must never hold, but for the identity fields
//! and the port, each judged below.

mod json_schema;
mod never_held;

use std::collections::BTreeSet;
use std::path::PathBuf;

use docket_core::Date;
use docket_store::wire::departure::{DEPARTURE_FIELDS, departure_json, parse_departure_line};
use json_schema::Schema;
use never_held::never_held;
use serde_json::Value;

fn schema() -> Schema {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/departures.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()));
    Schema::new(serde_json::from_str(&text).expect("docs/departures.schema.json is JSON"))
}

fn today() -> Date {
    Date::parse("2026-12-07").expect("date")
}

const VALID: [&str; 4] = [
    r#"{"record_id":"APIS-20261206-000123","source":"cbp.apis","given_names":"Ana María","family_names":"Choc Hernández","date_of_birth":"2001-XX-XX","sex":"F","nationality":"GTM","document_number":"P572379026","document_country":"GTM","departure_date":"2026-12-06","port":"IAH","carrier":"UA","flight":"77"}"#,
    r#"{"record_id":"EXIT:2026:9","source":"cbp.exit","family_names":"Diallo","date_of_birth":"1980","departure_date":"2026-12-07","port":"JFK"}"#,
    r#"{"record_id":"M-1","source":"manifest","given_names":"Wei","family_names":"","date_of_birth":"1990-07","sex":"","nationality":"","document_type":"national_id","document_number":"AB-12 345","document_country":"CHN","departure_date":"2026-12-08","port":"LAX","carrier":"B6","flight":"0123A"}"#,
    r#"{"record_id":"M-2","source":"manifest","given_names":"Fengzhong","family_names":"Lin","date_of_birth":"1997-09-01","sex":"X","nationality":"XXA","departure_date":"2026-01-01","port":"SFO","carrier":"AAL","flight":"5"}"#,
];

/// Lines the reader must refuse: the field named, a fragment of the reason, and whether the
/// schema rejects the line too (`false` where the check is beyond a JSON Schema).
const INVALID: [(&str, &str, bool, &str); 14] = [
    (
        "record_id",
        "is required",
        true,
        r#"{"source":"s","date_of_birth":"1980","departure_date":"2026-12-01","port":"JFK"}"#,
    ),
    (
        "record_id",
        "only ASCII",
        true,
        r#"{"record_id":"a b","source":"s","date_of_birth":"1980","departure_date":"2026-12-01","port":"JFK"}"#,
    ),
    (
        "source",
        "is empty",
        true,
        r#"{"record_id":"a","source":"","date_of_birth":"1980","departure_date":"2026-12-01","port":"JFK"}"#,
    ),
    (
        "family_names",
        "",
        false,
        r#"{"record_id":"a","source":"s","given_names":" ","date_of_birth":"1980","departure_date":"2026-12-01","port":"JFK"}"#,
    ),
    (
        "date_of_birth",
        "date of birth",
        true,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980/07","departure_date":"2026-12-01","port":"JFK"}"#,
    ),
    (
        "sex",
        "sex marker",
        true,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980","sex":"Q","departure_date":"2026-12-01","port":"JFK"}"#,
    ),
    (
        "nationality",
        "alpha-3",
        true,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980","nationality":"ZZZ","departure_date":"2026-12-01","port":"JFK"}"#,
    ),
    (
        "document_country",
        "required with a document number",
        false,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980","document_number":"P1234567","departure_date":"2026-12-01","port":"JFK"}"#,
    ),
    (
        "document_number",
        "5 to 20",
        false,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980","document_number":"P12","document_country":"CHN","departure_date":"2026-12-01","port":"JFK"}"#,
    ),
    (
        "departure_date",
        "future",
        false,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980","departure_date":"2027-01-01","port":"JFK"}"#,
    ),
    (
        "port",
        "IATA location code",
        true,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980","departure_date":"2026-12-01","port":"JFK1"}"#,
    ),
    (
        "carrier",
        "airline designator",
        true,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980","departure_date":"2026-12-01","port":"JFK","carrier":"12"}"#,
    ),
    (
        "flight",
        "must be a string",
        true,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980","departure_date":"2026-12-01","port":"JFK","flight":77}"#,
    ),
    (
        "seat",
        "is not a field",
        true,
        r#"{"record_id":"a","source":"s","family_names":"Lin","date_of_birth":"1980","departure_date":"2026-12-01","port":"JFK","seat":"12A"}"#,
    ),
];

/// Names of the format that hold a word of the never-held list and were judged to stay, each
/// with why.
const JUDGED_ALLOWED: [(&str, &str); 3] = [
    (
        "sex",
        "an identity field of the document, compared to tell one traveller from another (as in the persons CSV); \
         no policy or report reads it",
    ),
    (
        "nationality",
        "an identity field of the document, compared to tell one traveller from another (as in the persons CSV); \
         no policy or report reads it",
    ),
    (
        "port",
        "the departure itself, the fact a record reports: the port left from, with no route, itinerary or later \
         whereabouts; kept with an unmatched record only for the retention window, and as counts by port",
    ),
];

#[test]
fn the_schema_names_the_readers_fields_and_required_ones() {
    let schema = schema();
    let properties: BTreeSet<&str> =
        schema.root()["properties"].as_object().expect("properties").keys().map(String::as_str).collect();
    assert_eq!(properties, DEPARTURE_FIELDS.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(schema.root()["additionalProperties"], Value::Bool(false));
    // A field is required by the schema when the reader refuses a record without it (the
    // document's fields left out first: a country without its number is refused, which is a
    // dependency between fields, not a required one).
    let mut full: serde_json::Map<String, Value> = serde_json::from_str(VALID[0]).expect("object");
    full.remove("document_number");
    full.remove("document_country");
    let required: BTreeSet<&str> =
        schema.root()["required"].as_array().expect("required").iter().map(|v| v.as_str().expect("a name")).collect();
    for field in DEPARTURE_FIELDS {
        let mut without = full.clone();
        without.remove(field);
        let refused = parse_departure_line(&Value::Object(without).to_string(), today()).is_err();
        assert_eq!(
            refused,
            required.contains(field),
            "`{field}`: the reader and the schema disagree on whether it is required"
        );
    }
}

#[test]
fn valid_records_pass_both_and_round_trip() {
    let schema = schema();
    for line in VALID {
        let instance: Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(schema.errors(&instance), Vec::<String>::new(), "{line}");
        let record = parse_departure_line(line, today()).unwrap_or_else(|e| panic!("{line}: {e}"));
        let written = departure_json(&record);
        assert!(schema.accepts(&written), "{written}: {:?}", schema.errors(&written));
        assert_eq!(parse_departure_line(&written.to_string(), today()).expect("written"), record, "{line}");
    }
}

#[test]
fn bad_records_are_refused_naming_the_field() {
    let schema = schema();
    for (field, reason, schema_rejects, line) in INVALID {
        let err = parse_departure_line(line, today()).expect_err(line);
        assert_eq!(err.field, field, "{line}: {err}");
        assert!(err.reason.contains(reason), "{line}: {err}");
        let instance: Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(!schema.accepts(&instance), schema_rejects, "{line}: the schema's verdict");
    }
}

#[test]
fn no_field_names_data_docket_must_never_hold_but_those_judged() {
    let schema = schema();
    let mut names: Vec<String> = DEPARTURE_FIELDS.iter().map(|f| (*f).to_owned()).collect();
    names.extend(schema.root()["properties"].as_object().expect("properties").keys().cloned());
    let flagged: BTreeSet<&str> = names.iter().filter(|n| never_held(n).is_some()).map(String::as_str).collect();
    let judged: BTreeSet<&str> = JUDGED_ALLOWED.iter().map(|(n, _)| *n).collect();
    assert_eq!(flagged, judged, "every name of the departure format that names never-held data must be judged here");
    // What a record cannot say: any other field is refused, by the reader and by the schema.
    let base: serde_json::Map<String, Value> = serde_json::from_str(VALID[1]).expect("object");
    for extra in ["seat", "address", "travel_history", "itinerary", "companions", "booking_reference", "destination"] {
        let mut with = base.clone();
        with.insert(extra.to_owned(), Value::String("x".into()));
        let line = Value::Object(with);
        assert_eq!(parse_departure_line(&line.to_string(), today()).expect_err(extra).field, extra);
        assert!(!schema.accepts(&line), "the schema accepts `{extra}`");
    }
}
