//! `docs/events.schema.json` kept true to the event reader (`docket_store::wire`): the same
//! event types, the same fields, the same required fields per type, the same value lists; the
//! examples in `tests/data/events/valid.jsonl` pass both and round-trip, and so do the other
//! spellings the reader accepts (`lenient.jsonl`) and the lines of schema version 1
//! (`version1.jsonl`), read with what version 1 could not say unknown; the bad lines in
//! `tests/data/events/invalid.tsv` are refused naming the field at fault. No name in the schema
//! or the reader names a kind of data Docket must never hold.

mod json_schema;
mod never_held;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use docket_core::{
    COURT_ZONES, Country, EVENT_SCHEMA_VERSION, EventBody, ProtectionEnd, ReliefKind, Timestamp, infer_court_zone,
};
use docket_store::wire::{EVENT_TYPES, WireEvent, parse_event_line};
use json_schema::Schema;
use never_held::never_held;
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

/// A `WireEvent` with every field set, so that serialization names them all. A new field in
/// `WireEvent` stops this from compiling until it is added here (and so to the checks below).
fn every_wire_field() -> WireEvent {
    let s = || Some(String::new());
    WireEvent {
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
        time_zone: s(),
        country: s(),
        indefinite: Some(true),
        voluntary_departure_days: Some(1),
        basis: s(),
        counsel_id: s(),
        form: s(),
        conviction_id: s(),
        offence_class: s(),
        statute: s(),
        convicted_on: s(),
        final_conviction: Some(true),
        official: s(),
        entered_on: s(),
        manner: s(),
        admitted_until: s(),
        mitigating_fact: s(),
        source_reference: s(),
        evidence: Some(Default::default()),
    }
}

/// The names of `WireEvent`'s fields, as written.
fn wire_field_names() -> BTreeSet<String> {
    let Value::Object(wire) = serde_json::to_value(every_wire_field()).expect("serializes") else {
        panic!("an object")
    };
    wire.keys().cloned().collect()
}

#[test]
fn the_schema_properties_are_the_wire_fields() {
    let wire = wire_field_names();
    let wire: BTreeSet<&str> = wire.iter().map(String::as_str).collect();
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
    // In both versions (a version-1 line without `schema_version` is read as version 2).
    let schema = schema();
    let mut checked = 0;
    for file in ["valid.jsonl", "version1.jsonl"] {
        for (line, _, obj) in examples(file) {
            for field in obj.keys() {
                let mut without = obj.clone();
                without.remove(field);
                let by_schema = schema.accepts(&Value::Object(without.clone()));
                let by_reader = parse_ok(&without);
                assert_eq!(
                    by_schema,
                    by_reader,
                    "{file} line {line} ({}) without `{field}`: the schema {} it, the reader {} it",
                    type_of(&obj),
                    if by_schema { "accepts" } else { "refuses" },
                    if by_reader { "accepts" } else { "refuses" },
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 800, "only {checked} removals were checked");
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
            // Country codes are compared in full below.
            let country = schema.root()["properties"][field]["$ref"] == "#/$defs/country";
            if field == "type" || country || checked.contains(&(t.clone(), field.clone())) {
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
    // source in all 39 types; relief in 5, protection in 3, outcome in 3, hearing_kind in 2;
    // appellant, finding, release, document_type, reason, basis, form, offence_class, manner and
    // mitigating_fact in one each.
    assert!(checked.len() >= 62, "only {} (type, field) value lists were compared", checked.len());
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

/// The strings of the schema's `$defs/NAME/enum`.
fn defined_list(schema: &Schema, name: &str) -> BTreeSet<String> {
    schema.root()["$defs"][name]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("`$defs/{name}` is an enum"))
        .iter()
        .map(|v| v.as_str().expect("enums list strings").to_owned())
        .collect()
}

/// The facts a rule needs that the lines of `file` leave out, each checked to be read as
/// unknown: never a guess, so that every rule that needs one fails closed on it.
fn unknowns_read(file: &str) -> BTreeSet<&'static str> {
    let mut unknown = BTreeSet::new();
    for (line, text, obj) in examples(file) {
        let event = parse_event_line(&text).unwrap_or_else(|e| panic!("{file} line {line}: {e}"));
        let absent = |field: &str| !obj.contains_key(field);
        match &event.body {
            EventBody::CaseOpened { time_zone, .. } if absent("time_zone") => {
                assert_eq!(*time_zone, None, "{file} line {line}: a case without a time zone");
                unknown.insert("the case's time zone");
            }
            EventBody::MotionToReopenFiled { basis } if absent("basis") => {
                assert_eq!(*basis, None, "{file} line {line}: a motion without a basis");
                unknown.insert("a motion's basis");
            }
            EventBody::ProtectionGranted { until, .. }
                if absent("until") && obj.get("indefinite") != Some(&true.into()) =>
            {
                assert_eq!(*until, ProtectionEnd::Unknown, "{file} line {line}: a grant without an end date");
                unknown.insert("a protection's end");
            }
            EventBody::ReliefApplicationGranted { relief: ReliefKind::Withholding | ReliefKind::Cat, country }
                if absent("country") =>
            {
                assert_eq!(*country, None, "{file} line {line}: a grant of withholding or CAT without a country");
                unknown.insert("the country of a granted application");
            }
            EventBody::DecisionIssued { country_protection: Some(p), .. } if absent("country") => {
                assert_eq!(p.country, None, "{file} line {line}: a decision on withholding or CAT without a country");
                unknown.insert("the country of a decision");
            }
            _ => {}
        }
    }
    unknown
}

#[test]
fn lines_of_version_1_are_read_with_what_version_1_could_not_say_unknown() {
    let schema = schema();
    let examples = examples("version1.jsonl");
    let added = defined_list(&schema, "type_since_version_2");
    let covered: BTreeSet<&str> = examples.iter().map(|(_, _, o)| type_of(o)).collect();
    let version_1_types: BTreeSet<&str> = EVENT_TYPES.into_iter().filter(|t| !added.contains(*t)).collect();
    assert_eq!(covered, version_1_types, "version1.jsonl has a line of every type version 1 had, and no other");
    for (line, _, obj) in &examples {
        assert_eq!(obj.get("schema_version"), Some(&Value::from(1)), "version1.jsonl line {line} says version 1");
        let errors = schema.errors(&Value::Object(obj.clone()));
        assert!(errors.is_empty(), "version1.jsonl line {line}: the schema refuses it: {errors:?}");
    }
    let unknown = unknowns_read("version1.jsonl");
    assert_eq!(unknown.len(), 5, "version1.jsonl reads each unknown at least once; it read only {unknown:?}");
}

#[test]
fn what_a_version_2_line_leaves_out_is_read_as_unknown_too() {
    let unknown = unknowns_read("lenient.jsonl");
    assert_eq!(unknown.len(), 5, "lenient.jsonl reads each unknown at least once; it read only {unknown:?}");
}

#[test]
fn a_time_zone_a_basis_and_the_country_of_a_grant_are_optional_in_version_2() {
    // Each may be unknowable to the writer: left out, it is read as unknown (and the rules fail
    // closed on it), never refused. Every valid line that gives one is read without it too,
    // by the schema and by the reader.
    let schema = schema();
    let mut dropped = BTreeSet::new();
    for (line, _, obj) in valid_examples() {
        let t = type_of(&obj).to_owned();
        let optional: &[&str] = match t.as_str() {
            "case_opened" | "decision_issued" => &["time_zone", "country"],
            "motion_to_reopen_filed" => &["basis"],
            "relief_application_granted" => &["country"],
            _ => &[],
        };
        for field in optional.iter().filter(|f| obj.contains_key(**f)) {
            let mut without = obj.clone();
            without.remove(*field);
            let errors = schema.errors(&Value::Object(without.clone()));
            assert!(errors.is_empty(), "valid.jsonl line {line} without `{field}`: the schema refuses it: {errors:?}");
            let event = parse_event_line(&Value::Object(without).to_string())
                .unwrap_or_else(|e| panic!("valid.jsonl line {line} without `{field}`: the reader refuses it: {e}"));
            let unknown = match (&event.body, *field) {
                (EventBody::CaseOpened { time_zone, .. }, "time_zone") => time_zone.is_none(),
                (EventBody::DecisionIssued { time_zone, .. }, "time_zone") => time_zone.is_none(),
                (EventBody::MotionToReopenFiled { basis }, "basis") => basis.is_none(),
                (EventBody::ReliefApplicationGranted { country, .. }, "country") => country.is_none(),
                (EventBody::DecisionIssued { country_protection: Some(p), .. }, "country") => p.country.is_none(),
                (body, _) => panic!("valid.jsonl line {line} without `{field}`: read as {body:?}"),
            };
            assert!(unknown, "valid.jsonl line {line} without `{field}`: not read as unknown: {:?}", event.body);
            dropped.insert(format!("{t}.{field}"));
        }
    }
    let expected = [
        "case_opened.time_zone",
        "decision_issued.country",
        "decision_issued.time_zone",
        "motion_to_reopen_filed.basis",
        "relief_application_granted.country",
    ];
    assert_eq!(dropped, expected.into_iter().map(str::to_owned).collect(), "the optional fields checked");
}

#[test]
fn the_court_zones_in_the_docs_are_the_ones_a_time_zone_is_inferred_from() {
    // docs/formats.md ("Deadlines") lists the zones a zone is inferred among when neither the
    // case nor the decision recorded one, and works an example: both as `docket_core` has them.
    let formats = read(&repo_file("docs/formats.md"));
    let section = formats.split("### Deadlines").nth(1).expect("docs/formats.md has a `Deadlines` section");
    let section = section.split("\n#").next().unwrap_or(section);
    let listed: Vec<&str> = section.split('`').skip(1).step_by(2).filter(|w| w.contains('/')).collect();
    assert!(listed.len() >= COURT_ZONES.len(), "docs/formats.md lists only the zones {listed:?}");
    assert_eq!(listed[..COURT_ZONES.len()], COURT_ZONES, "the court zones docs/formats.md lists, in order");
    let at = |s: &str| Timestamp::parse(s).expect("a timestamp");
    let inferred = |s: &str| infer_court_zone(at(s)).map(|z| z.name().to_owned());
    // The worked example: -07:00 in July is Phoenix's (MST) and Los Angeles's (PDT); Los
    // Angeles's midnights come later in January, so its deadlines end later.
    assert!(section.contains("`2025-07-01T10:00:00-07:00`") && section.contains("`+01:00`"));
    assert_eq!(inferred("2025-07-01T10:00:00-07:00").as_deref(), Some("America/Los_Angeles"));
    // -04:00 in July is New York's (EDT) and Puerto Rico's (AST): New York's is -05:00 in January.
    assert_eq!(inferred("2025-07-01T10:00:00-04:00").as_deref(), Some("America/New_York"));
    assert_eq!(inferred("2025-07-01T10:00:00+01:00"), None, "an offset no court zone has: a fixed offset");
}

#[test]
fn events_read_from_version_1_are_written_back_in_a_form_that_reads_the_same() {
    // The store keeps every event in its written form (`WireEvent::from_event`) and reads it
    // back with the same reader: an event imported from a version-1 line must come back as it
    // was read, its unknowns included, or the stored case cannot be read again.
    let schema = schema();
    for (line, text, _) in examples("version1.jsonl") {
        let event = parse_event_line(&text).unwrap_or_else(|e| panic!("version1.jsonl line {line}: {e}"));
        let written = serde_json::to_value(WireEvent::from_event(&event)).expect("serializes");
        let again = parse_event_line(&written.to_string())
            .unwrap_or_else(|e| panic!("version1.jsonl line {line}: written back as {written}, which is refused: {e}"));
        assert_eq!(again, event, "version1.jsonl line {line}: reread differently");
        let errors = schema.errors(&written);
        assert!(
            errors.is_empty(),
            "version1.jsonl line {line}: written back as {written}, refused by the schema: {errors:?}"
        );
    }
}

#[test]
fn the_schema_and_the_reader_agree_on_what_a_version_1_line_may_carry() {
    let schema = schema();
    let added_types = defined_list(&schema, "type_since_version_2");
    let added_fields = defined_list(&schema, "field_since_version_2");
    // A value of each field version 2 added, from the examples.
    let mut values = BTreeMap::new();
    for (_, _, obj) in valid_examples() {
        values.extend(obj.into_iter().filter(|(k, _)| added_fields.contains(k)));
    }
    assert_eq!(values.keys().cloned().collect::<BTreeSet<_>>(), added_fields, "valid.jsonl gives each new field");
    let mut refused_types = BTreeSet::new();
    for (line, _, obj) in valid_examples() {
        let t = type_of(&obj).to_owned();
        let mut old = obj.clone();
        old.insert("schema_version".into(), Value::from(1));
        if added_types.contains(&t) {
            let err = parse_event_line(&Value::Object(old.clone()).to_string())
                .expect_err(&format!("line {line}: a version-1 `{t}` was read"));
            assert_eq!((err.field.as_str(), schema.accepts(&Value::Object(old))), ("type", false), "line {line}");
            refused_types.insert(t);
            continue;
        }
        // Without the fields version 2 added, the schema and the reader agree whether the line
        // reads; with any one of them, both refuse it, the reader naming that field.
        old.retain(|k, _| !added_fields.contains(k));
        assert_eq!(
            schema.accepts(&Value::Object(old.clone())),
            parse_ok(&old),
            "valid.jsonl line {line} as version 1, without the fields of version 2: the schema and the reader differ"
        );
        for (field, value) in &values {
            let mut one = old.clone();
            one.insert(field.clone(), value.clone());
            let err = parse_event_line(&Value::Object(one.clone()).to_string())
                .expect_err(&format!("line {line}: a version-1 `{t}` with `{field}` was read"));
            assert_eq!(err.field, *field, "line {line}: the refusal names the field (reason: {})", err.reason);
            assert!(err.reason.contains("is not a field of schema version 1 events"), "line {line}: {}", err.reason);
            assert!(!schema.accepts(&Value::Object(one)), "line {line}: the schema accepts `{field}` in version 1");
        }
    }
    assert_eq!(refused_types, added_types, "the types the schema lists as new in version 2, refused by the reader");
}

/// Names that hold a word of `NEVER_HELD` and were judged not to name such data, each with why.
const JUDGED_ALLOWED: [(&str, &str); 1] = [(
    "serious_illness",
    "a mitigating fact a certificate establishes: the value says only that it was certified (the certificate is \
     `source_reference`); no diagnosis, condition or medical record has a field",
)];

/// Every name the schema gives: property and definition names, required fields, and the values
/// of every `enum` and `const`, each with where it was found.
fn names_in_schema(v: &Value, out: &mut Vec<(String, &'static str)>) {
    match v {
        Value::Object(map) => {
            for (keyword, arg) in map {
                let found = match keyword.as_str() {
                    "properties" => "a property",
                    "$defs" => "a definition",
                    _ => "",
                };
                if let (false, Some(obj)) = (found.is_empty(), arg.as_object()) {
                    out.extend(obj.keys().map(|k| (k.clone(), found)));
                }
                let values = match keyword.as_str() {
                    "enum" | "required" => arg.as_array().map(|a| a.iter().collect()).unwrap_or_default(),
                    "const" => vec![arg],
                    _ => Vec::new(),
                };
                out.extend(values.into_iter().filter_map(Value::as_str).map(|s| (s.to_owned(), "a listed value")));
                names_in_schema(arg, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| names_in_schema(x, out)),
        _ => {}
    }
}

/// Why each name that names never-held data must go; empty when none does.
fn names_of_data_never_held(names: &[(String, &str)]) -> Vec<String> {
    let mut out: Vec<String> = names
        .iter()
        .filter(|(name, _)| !JUDGED_ALLOWED.iter().any(|(allowed, _)| allowed == name))
        .filter_map(|(name, place)| {
            never_held(name).map(|(kind, word)| {
                format!(
                    "`{name}` ({place}) names {kind} (the word `{word}`): Docket must never hold it, and the event \
                     format must make it impossible to express (DESIGN.md, \"The line Docket does not cross\")"
                )
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every name of the event format: the schema's and the reader's fields and types.
fn event_format_names(schema: &Value) -> Vec<(String, &'static str)> {
    let mut names = Vec::new();
    names_in_schema(schema, &mut names);
    names.extend(wire_field_names().into_iter().map(|f| (f, "a `WireEvent` field")));
    names.extend(EVENT_TYPES.into_iter().map(|t| (t.to_owned(), "an event type of the reader")));
    names
}

#[test]
fn no_event_field_or_value_names_data_docket_must_never_hold() {
    // The persons CSV holds `sex` and `nationality` as identity fields; an event holds neither.
    let names = event_format_names(schema().root());
    assert!(names.len() > 500, "only {} names were read from the schema and the reader", names.len());
    let never = names_of_data_never_held(&names);
    assert!(never.is_empty(), "the event format names data Docket must never hold:\n{}", never.join("\n"));
    for (allowed, why) in JUDGED_ALLOWED {
        assert!(
            names.iter().any(|(n, _)| n == allowed) && never_held(allowed).is_some(),
            "`{allowed}` is judged allowed ({why}), but no name of the event format needs that judgement any more"
        );
    }
}

#[test]
fn the_check_for_never_held_data_catches_a_religion_property() {
    let mut tampered = schema().root().clone();
    tampered["properties"]["religion"] = serde_json::json!({ "type": "string" });
    tampered["properties"]["mitigating_fact"]["enum"].as_array_mut().expect("an enum").push("gang_affiliation".into());
    let never = names_of_data_never_held(&event_format_names(&tampered));
    assert_eq!(never.len(), 2, "{never:#?}");
    assert!(never[0].starts_with("`gang_affiliation` (a listed value) names associations or affiliations"));
    assert!(never[1].starts_with("`religion` (a property) names religion"));
    // Whole words only, several in a row where the list says so.
    assert_eq!(never_held("national_security_determination"), None);
    assert_eq!(never_held("travel_document_obtained"), None);
    assert_eq!(never_held("travel_history"), Some(("location, address or movement", "travel_history")));
    assert_eq!(never_held("last_known_GPS_fix"), Some(("location, address or movement", "gps")));
}
