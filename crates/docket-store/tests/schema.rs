//! `docs/events.schema.json` kept true to the event reader (`docket_store::wire`): the same
//! event types, the same fields, the same required fields per type, the same value lists; the
//! examples in `tests/data/events/valid.jsonl` pass both and round-trip, and so do the other
//! spellings the reader accepts (`lenient.jsonl`); the bad lines in
//! `tests/data/events/invalid.tsv` are refused naming the field at fault.

mod json_schema;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use docket_core::{Country, EVENT_SCHEMA_VERSION};
use docket_store::wire::{EVENT_TYPES, WireEvent, parse_event_line};
use json_schema::Schema;
use serde_json::{Map, Value};

/// Fields of the envelope: every event type may carry them.
const ENVELOPE: [&str; 10] = [
    "event_id",
    "case_id",
    "type",
    "schema_version",
    "effective_at",
    "recorded_at",
    "recorded_by",
    "source",
    "reference",
    "idempotency_key",
];

fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative)
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()))
}

fn schema() -> Schema {
    let text = read(&repo_file("docs/events.schema.json"));
    Schema::new(serde_json::from_str(&text).expect("docs/events.schema.json is JSON"))
}

/// The valid examples, as (line number, text, object).
fn valid_examples() -> Vec<(usize, String, Map<String, Value>)> {
    examples("valid.jsonl")
}

/// The objects of `tests/data/events/NAME`, as (line number, text, object).
fn examples(name: &str) -> Vec<(usize, String, Map<String, Value>)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/events").join(name);
    read(&path)
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let obj = match serde_json::from_str(l) {
                Ok(Value::Object(obj)) => obj,
                other => panic!("{name} line {}: not a JSON object: {other:?}", i + 1),
            };
            (i + 1, l.to_owned(), obj)
        })
        .collect()
}

fn type_of(obj: &Map<String, Value>) -> &str {
    obj.get("type").and_then(Value::as_str).expect("every example has a type")
}

/// The `then` of the schema's branch for event type `t`.
fn branch<'a>(schema: &'a Schema, t: &str) -> &'a Value {
    let branches = schema.root()["allOf"].as_array().expect("the schema's `allOf` lists one branch per type");
    let matching: Vec<&Value> =
        branches.iter().filter(|b| b.pointer("/if/properties/type/const").and_then(Value::as_str) == Some(t)).collect();
    assert_eq!(matching.len(), 1, "the schema has {} branches for type `{t}`", matching.len());
    &matching[0]["then"]
}

/// The body fields (beyond the envelope) the schema lets type `t` carry.
fn body_fields_allowed(schema: &Schema, t: &str) -> BTreeSet<String> {
    let names = schema.resolve(&branch(schema, t)["propertyNames"]);
    let mut out = BTreeSet::new();
    let alternatives = names.get("anyOf").and_then(Value::as_array).cloned().unwrap_or_else(|| vec![names.clone()]);
    for alt in &alternatives {
        for v in schema.resolve(alt)["enum"].as_array().expect("`propertyNames` alternatives are enums") {
            let name = v.as_str().expect("property names are strings");
            if !ENVELOPE.contains(&name) {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

/// The values the schema allows for `field` in type `t`: the branch's own list if it has
/// one, else the shared property's.
fn enum_of(schema: &Schema, t: &str, field: &str) -> Option<Vec<String>> {
    let own = branch(schema, t).pointer(&format!("/properties/{field}/enum"));
    let shared = || schema.resolve(&schema.root()["properties"][field]).get("enum");
    own.or_else(shared)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_str().expect("enums list strings").to_owned()).collect())
}

fn parse_ok(obj: &Map<String, Value>) -> bool {
    parse_event_line(&Value::Object(obj.clone()).to_string()).is_ok()
}

#[test]
fn the_schema_lists_the_readers_event_types() {
    let schema = schema();
    let listed: Vec<&str> = schema.root()["properties"]["type"]["enum"]
        .as_array()
        .expect("`type` is an enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(listed, EVENT_TYPES, "the schema's `type` values, in order");
    let branched: BTreeSet<&str> = schema.root()["allOf"]
        .as_array()
        .expect("one branch per type")
        .iter()
        .map(|b| b.pointer("/if/properties/type/const").and_then(Value::as_str).expect("each branch tests `type`"))
        .collect();
    assert_eq!(branched, EVENT_TYPES.into_iter().collect(), "one `if type = ...` branch per event type");
    for t in EVENT_TYPES {
        branch(&schema, t); // exactly one each
    }
    assert_eq!(
        schema.root()["properties"]["schema_version"]["maximum"].as_u64(),
        Some(u64::from(EVENT_SCHEMA_VERSION)),
        "the schema allows event layouts up to the version this program reads"
    );
    assert_eq!(schema.root()["additionalProperties"], Value::Bool(false));
    assert_eq!(schema.root()["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn the_schema_properties_are_the_wire_fields() {
    // Every field set, so that serialization names them all. A new field in `WireEvent`
    // stops this from compiling until it is added here and to the schema.
    let s = || Some(String::new());
    let all = WireEvent {
        event_id: s(),
        case_id: s(),
        event_type: s(),
        schema_version: Some(1),
        effective_at: s(),
        recorded_at: s(),
        recorded_by: s(),
        source: s(),
        reference: s(),
        idempotency_key: s(),
        person_id: s(),
        a_number: s(),
        hearing_kind: s(),
        at: s(),
        until: s(),
        relief: s(),
        protection: s(),
        from: s(),
        outcome: s(),
        voluntary_departure_deadline: s(),
        appellant: s(),
        late_filing_basis: s(),
        granted: Some(true),
        finding: s(),
        release: s(),
        bond_amount_usd: Some(1),
        document_type: s(),
        document_number: s(),
        issuing_country: s(),
        expiry: s(),
        departed_on: s(),
        reason: s(),
    };
    let Value::Object(wire) = serde_json::to_value(&all).expect("serializes") else { panic!("an object") };
    let wire: BTreeSet<&str> = wire.keys().map(String::as_str).collect();
    let schema = schema();
    let props: BTreeSet<&str> =
        schema.root()["properties"].as_object().expect("properties").keys().map(String::as_str).collect();
    assert_eq!(props, wire, "schema properties versus `WireEvent` fields");
    let envelope: BTreeSet<&str> = schema.root()["$defs"]["envelope_field"]["enum"]
        .as_array()
        .expect("the envelope is listed once")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(envelope, ENVELOPE.into_iter().collect());
}

#[test]
fn every_valid_example_passes_the_schema_and_the_reader_and_round_trips() {
    let schema = schema();
    let examples = valid_examples();
    let covered: BTreeSet<&str> = examples.iter().map(|(_, _, o)| type_of(o)).collect();
    assert_eq!(covered, EVENT_TYPES.into_iter().collect(), "valid.jsonl has an example of every type");
    for (line, text, obj) in &examples {
        let errors = schema.errors(&Value::Object(obj.clone()));
        assert!(errors.is_empty(), "valid.jsonl line {line}: the schema refuses it: {errors:?}");
        let event = parse_event_line(text).unwrap_or_else(|e| panic!("valid.jsonl line {line}: {e}"));
        let written = serde_json::to_value(WireEvent::from_event(&event)).expect("serializes");
        // The examples are written in canonical form with every optional field set, so the
        // writer must give back exactly the same object: nothing dropped, nothing changed.
        assert_eq!(written, Value::Object(obj.clone()), "valid.jsonl line {line}: written back differently");
        let again = parse_event_line(&written.to_string()).unwrap_or_else(|e| panic!("line {line}: reread: {e}"));
        assert_eq!(again, event, "valid.jsonl line {line}: reread differently");
    }
}

#[test]
fn other_spellings_the_reader_accepts_pass_the_schema_too() {
    // Optional fields left out, bare dates as timestamps, lower-case `t` and `z`, fractions of
    // a second, upper-case UUIDs, A-numbers and document numbers with separators: a schema
    // stricter than the reader here would turn away files Docket imports.
    let schema = schema();
    let examples = examples("lenient.jsonl");
    assert!(examples.len() >= 10, "lenient.jsonl has only {} lines", examples.len());
    for (line, text, obj) in &examples {
        let errors = schema.errors(&Value::Object(obj.clone()));
        assert!(errors.is_empty(), "lenient.jsonl line {line}: the schema refuses it: {errors:?}");
        let event = parse_event_line(text).unwrap_or_else(|e| panic!("lenient.jsonl line {line}: {e}"));
        let written = serde_json::to_value(WireEvent::from_event(&event)).expect("serializes");
        assert!(schema.accepts(&written), "lenient.jsonl line {line}: its canonical form is refused by the schema");
        let again = parse_event_line(&written.to_string()).unwrap_or_else(|e| panic!("line {line}: reread: {e}"));
        assert_eq!(again, event, "lenient.jsonl line {line}: reread differently");
    }
}

#[test]
fn a_field_is_required_by_the_schema_exactly_when_the_reader_needs_it() {
    let schema = schema();
    let mut checked = 0;
    for (line, _, obj) in valid_examples() {
        for field in obj.keys() {
            let mut without = obj.clone();
            without.remove(field);
            let by_schema = schema.accepts(&Value::Object(without.clone()));
            let by_reader = parse_ok(&without);
            assert_eq!(
                by_schema,
                by_reader,
                "valid.jsonl line {line} ({}) without `{field}`: the schema {} it, the reader {} it",
                type_of(&obj),
                if by_schema { "accepts" } else { "refuses" },
                if by_reader { "accepts" } else { "refuses" },
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} removals were checked");
}

#[test]
fn each_type_carries_exactly_the_fields_the_schema_allows_it() {
    let schema = schema();
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, _, obj) in valid_examples() {
        let body = obj.keys().filter(|k| !ENVELOPE.contains(&k.as_str())).cloned();
        seen.entry(type_of(&obj).to_owned()).or_default().extend(body);
    }
    for t in EVENT_TYPES {
        // The examples round-trip field for field (checked above), so the fields they hold
        // are the fields the reader carries for the type.
        assert_eq!(
            body_fields_allowed(&schema, t),
            seen.remove(t).unwrap_or_default(),
            "`{t}`: fields the schema allows versus fields the examples carry through the reader"
        );
    }
}

/// The value list in a reader's refusal: "`x` is not one of a, b, c" or "... expected `a`,
/// `b` or `c`".
fn listed_in(reason: &str) -> Vec<String> {
    if let Some((_, list)) = reason.split_once("is not one of ") {
        return list.split(", ").map(str::to_owned).collect();
    }
    let quoted: Vec<String> = reason.split('`').skip(1).step_by(2).map(str::to_owned).collect();
    assert!(quoted.len() > 2, "no list of values in `{reason}`");
    quoted[1..].to_vec()
}

#[test]
fn value_lists_in_the_schema_are_the_readers() {
    let schema = schema();
    let mut checked = BTreeSet::new();
    for (line, _, obj) in valid_examples() {
        let t = type_of(&obj).to_owned();
        for field in obj.keys() {
            if field == "type" || field == "issuing_country" || checked.contains(&(t.clone(), field.clone())) {
                continue;
            }
            let Some(expected) = enum_of(&schema, &t, field) else { continue };
            let mut bogus = obj.clone();
            bogus.insert(field.clone(), Value::String("no_such_value".into()));
            let err = parse_event_line(&Value::Object(bogus).to_string())
                .expect_err(&format!("valid.jsonl line {line}: `{field}` = `no_such_value` was accepted"));
            assert_eq!(&err.field, field, "line {line}: the refusal names the field");
            let mut by_reader = listed_in(&err.reason);
            let mut by_schema = expected;
            by_reader.sort();
            by_schema.sort();
            assert_eq!(by_schema, by_reader, "`{t}` field `{field}`: the schema's values versus the reader's");
            checked.insert((t.clone(), field.clone()));
        }
    }
    // source everywhere; relief, protection, three outcomes, hearing_kind, appellant, finding,
    // release, document_type and reason in their types.
    assert!(checked.len() >= 45, "only {} (type, field) value lists were compared", checked.len());
}

#[test]
fn country_codes_in_the_schema_are_the_readers() {
    let schema = schema();
    let listed: BTreeSet<String> = schema.root()["$defs"]["country"]["enum"]
        .as_array()
        .expect("countries are an enum")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let mut accepted = BTreeSet::new();
    for a in 'A'..='Z' {
        for b in 'A'..='Z' {
            for c in 'A'..='Z' {
                let code: String = [a, b, c].into_iter().collect();
                if Country::parse(&code).is_ok() {
                    accepted.insert(code);
                }
            }
        }
    }
    assert_eq!(listed, accepted, "the schema's country codes versus the codes the reader accepts");
}

/// One case of `invalid.tsv`: what the reader must name, and what the schema must say.
struct Invalid {
    line_no: usize,
    field: String,
    reason: String,
    schema: String,
    record: String,
}

fn invalid_cases() -> Vec<Invalid> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/events/invalid.tsv");
    read(&path)
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let cols: Vec<&str> = l.splitn(4, '\t').collect();
            let [field, reason, schema, record] = cols[..] else {
                panic!("invalid.tsv line {}: expected 4 tab-separated columns", i + 1)
            };
            assert!(
                matches!(schema, "rejects" | "accepts" | "-"),
                "invalid.tsv line {}: the schema column is `rejects`, `accepts` or `-`",
                i + 1
            );
            Invalid {
                line_no: i + 1,
                field: field.to_owned(),
                reason: reason.to_owned(),
                schema: schema.to_owned(),
                record: record.to_owned(),
            }
        })
        .collect()
}

#[test]
fn bad_lines_are_refused_naming_the_field_and_why() {
    let schema = schema();
    let cases = invalid_cases();
    assert!(cases.len() >= 20, "invalid.tsv has only {} cases", cases.len());
    for c in &cases {
        let n = c.line_no;
        let err = parse_event_line(&c.record).expect_err(&format!("invalid.tsv line {n}: the reader accepted it"));
        assert_eq!(err.field, c.field, "invalid.tsv line {n}: field named (reason: {})", err.reason);
        assert!(err.reason.contains(&c.reason), "invalid.tsv line {n}: reason `{}` lacks `{}`", err.reason, c.reason);
        if c.schema == "-" {
            continue;
        }
        let value: Value = serde_json::from_str(&c.record)
            .unwrap_or_else(|e| panic!("invalid.tsv line {n}: not JSON ({e}); mark the schema column `-`"));
        let errors = schema.errors(&value);
        match c.schema.as_str() {
            "rejects" => assert!(!errors.is_empty(), "invalid.tsv line {n}: the schema accepts it"),
            _ => assert!(
                errors.is_empty(),
                "invalid.tsv line {n}: marked as beyond the schema, but the schema rejects it: {errors:?}"
            ),
        }
    }
}
