//! docs/gates.md stays true: it lists every rule the gate may name, with the citation the code
//! gives, and no other; its JSON example is what the gate answers for the history it describes.

#[path = "../../docket-core/tests/common/mod.rs"]
mod common;

use docket_core::{CaseState, Country, PersonFacts};
use docket_policy::{Action, GateView, RULES, gate};

fn gates_md() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/gates.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read `{path}`: {e}"))
}

/// The rows of the rules table: (rule id, citation cell).
fn rule_rows(doc: &str) -> Vec<(String, String)> {
    let section = doc.split("## Rules").nth(1).expect("a `## Rules` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| {
            let (id, rest) = l.split_once('`').expect("a rule id in backticks");
            let citation = rest.trim_start_matches(" |").split(" | ").next().unwrap_or_default().trim();
            (id.to_owned(), citation.to_owned())
        })
        .collect()
}

#[test]
fn every_rule_the_gate_may_name_is_documented_with_its_citation() {
    let rows = rule_rows(&gates_md());
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    let want: Vec<&str> = RULES.iter().map(|r| r.name()).collect();
    assert_eq!(ids, want, "docs/gates.md's rules table, in order, against `docket_policy::RULES`");
    for (rule, (_, citation)) in RULES.iter().zip(&rows) {
        match rule.citation() {
            Some(c) => assert_eq!(citation, c, "the citation of `{}` in docs/gates.md", rule.name()),
            None => {
                assert!(citation.starts_with('—'), "`{}` has no citation; docs/gates.md says `{citation}`", rule.name())
            }
        }
    }
}

#[test]
fn the_json_example_is_what_the_gate_answers() {
    let doc = gates_md();
    let example = doc.split("```json").nth(1).and_then(|s| s.split("```").next()).expect("a JSON example");
    let example: serde_json::Value = serde_json::from_str(example).expect("the example is JSON");
    // Removal ordered, then appealed: on June 1 the appeal is pending before the Board.
    let lines = [
        "2025-01-06T09:00:00-05:00 case_opened tz=America/New_York",
        "2025-01-07T09:00:00-05:00 nta_filed",
        "2025-03-04T10:00:00-05:00 decision removal_ordered",
        "2025-03-20T10:00:00-04:00 appeal_filed",
    ];
    let events: Vec<_> =
        lines.iter().enumerate().map(|(i, l)| common::parse_event(i as u128 + 1, l).expect("valid line")).collect();
    let summary = CaseState::from_events(&events).summary().expect("summary");
    let at = common::ts("2025-06-01T10:00:00-04:00").expect("instant");
    let action = Action::Remove { to: Country::parse("GTM").expect("country") };
    let view = GateView::new(&summary.case_id, action, at, &gate(&summary, &PersonFacts::default(), action, at));
    assert_eq!(serde_json::to_value(&view).expect("serializes"), example);
}

#[test]
fn docs_policies_md_lists_every_fact_of_the_schema_and_no_other() {
    use docket_policy::facts::{FACTS, FactType};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/policies.md");
    let doc = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read `{path}`: {e}"));
    let section = doc.split("## The schema").nth(1).expect("a schema section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let rows: Vec<(String, String)> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| {
            let (name, rest) = l.split_once('`').expect("a fact in backticks");
            (name.to_owned(), rest.trim_start_matches(" | ").split(" | ").next().unwrap_or_default().to_owned())
        })
        .collect();
    let want: Vec<(String, String)> = FACTS
        .iter()
        .map(|f| {
            let ty = match f.ty {
                FactType::Bool => "Bool",
                FactType::Long => "Long",
                FactType::Date => "datetime",
                FactType::Enum(_) => "String",
            };
            (f.name.to_owned(), format!("{ty}{}", if f.optional { "?" } else { "" }))
        })
        .collect();
    assert_eq!(rows, want, "docs/policies.md's facts table against `docket_policy::facts::FACTS`");
}
