//! Agency policy files: loading and its errors (line and column), the schema's refusal of any
//! attribute outside the adjudicated facts, the supported subset, the shipped policies' own
//! tests as data, and how an agency gate policy combines with the statutory gate.

#[path = "../../docket-core/tests/common/mod.rs"]
mod common;

use std::str::FromStr;

use docket_core::{CaseState, Country, PersonFacts};
use docket_policy::schema::{NEVER_FACTS, schema};
use docket_policy::{Action, AgencyPolicy, SHIPPED, gate_under, priority, run_dir, shipped};

const GATE_HEAD: &str = "// policy: test\n// version: 1\n// effective: 2025-01-01\n// kind: gate\n";
const PRIO_HEAD: &str =
    "// policy: test\n// version: 1\n// effective: 2025-01-01\n// kind: priority\n// tiers: high, low\n";

fn gate_file(body: &str) -> String {
    format!("{GATE_HEAD}\n{body}")
}

#[test]
fn every_shipped_policy_loads_and_passes_its_tests_as_data() {
    for (name, _) in SHIPPED {
        let p = shipped(name).expect("listed").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.id, name);
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    let report = run_dir(std::path::Path::new(dir)).unwrap_or_else(|e| panic!("{e}"));
    let failed: Vec<_> = report.cases.iter().filter(|c| !c.passed).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    for (name, _) in SHIPPED {
        let n = report.cases.iter().filter(|c| c.file.ends_with(&format!("{name}.test.toml"))).count();
        assert!(n >= 3, "`{name}` has {n} test cases");
    }
}

#[test]
fn a_test_that_expects_the_wrong_tier_fails() {
    let policy = shipped("dhs-2014-priorities").expect("listed").expect("loads");
    let test = "policy = \"dhs-2014-priorities\"\n[[case]]\nname = \"wrong\"\nfacts = { felony_convictions = 1 }\ntier = \"priority_3\"\nreasons = [\"p1_felony\"]\n";
    let results = docket_policy::testing::run_file(&[policy], "t.test.toml", test).expect("runs");
    assert!(!results[0].passed);
    assert!(results[0].failures[0].contains("expected `priority_3`, got `priority_1`"), "{:?}", results[0].failures);
}

#[test]
fn a_test_file_naming_a_protected_trait_is_refused() {
    let policy = shipped("dhs-2014-priorities").expect("listed").expect("loads");
    let test =
        "policy = \"dhs-2014-priorities\"\n[[case]]\nname = \"x\"\nfacts = { religion = \"any\" }\ntier = \"none\"\n";
    let err = docket_policy::testing::run_file(&[policy], "t.test.toml", test).expect_err("refused");
    assert!(err.to_string().contains("`religion` is not a fact a policy may use"), "{err}");
}

#[test]
fn a_policy_naming_any_attribute_outside_the_schema_fails_with_an_error_naming_it() {
    for name in NEVER_FACTS {
        for condition in [format!("resource.{name} == \"x\""), format!("resource has {name}")] {
            let text = gate_file(&format!(
                "@id(\"r\") @reason(\"r\")\nforbid (principal, action == Action::\"arrest\", resource)\nwhen {{ {condition} }};\n"
            ));
            let err = AgencyPolicy::load("p.cedar", &text).expect_err("refused");
            assert!(err.message.contains(&format!("`{name}`")), "{name}: {err}");
            assert!(err.message.contains("not a fact a policy may use"), "{name}: {err}");
            assert_eq!((err.line, err.column), (8, 8 + condition.find(name).expect("in it")), "{name}: {err}");
        }
    }
}

#[test]
fn cedar_strict_validation_itself_refuses_those_attributes() {
    // Independently of Docket's own check: the schema has no such attribute.
    for name in NEVER_FACTS {
        let src =
            format!("forbid (principal, action == Action::\"arrest\", resource) when {{ resource.{name} == \"x\" }};");
        let set = cedar_policy::PolicySet::from_str(&src).expect("parses");
        let result =
            cedar_policy::Validator::new(schema().clone()).validate(&set, cedar_policy::ValidationMode::Strict);
        let errors: Vec<String> = result.validation_errors().map(ToString::to_string).collect();
        assert!(errors.iter().any(|e| e.contains(name)), "{name}: {errors:?}");
    }
}

#[test]
fn errors_give_line_and_column() {
    // A syntax error.
    let err = AgencyPolicy::load("p.cedar", &gate_file("@id(\"r\") @reason(\"r\")\nforbid (principal, action == Action::\"arrest\", resource)\nwhen { resource.detained == };\n"))
        .expect_err("refused");
    assert_eq!(err.line, 8, "{err}");
    assert!(err.to_string().starts_with("p.cedar:8:"), "{err}");
    // A type error found by strict validation.
    let err = AgencyPolicy::load("p.cedar", &gate_file("@id(\"r\") @reason(\"r\")\nforbid (principal, action == Action::\"arrest\", resource)\nwhen { resource.detained == 3 };\n"))
        .expect_err("refused");
    assert_eq!(err.line, 8, "{err}");
    // An unguarded read of an optional fact.
    let err = AgencyPolicy::load("p.cedar", &gate_file("@id(\"r\") @reason(\"r\")\nforbid (principal, action == Action::\"arrest\", resource)\nwhen { resource.age_years > 3 };\n"))
        .expect_err("refused");
    assert!(err.message.contains("age_years"), "{err}");
    assert_eq!(err.line, 8, "{err}");
    // A header without its kind.
    let err = AgencyPolicy::load("p.cedar", "// policy: x\n// version: 1\n// effective: 2025-01-01\n\n@id(\"r\") @reason(\"r\") forbid (principal, action == Action::\"arrest\", resource);")
        .expect_err("refused");
    assert!(err.message.contains("`// kind: ...`"), "{err}");
}

#[test]
fn what_the_files_may_say_is_limited() {
    let refused = |text: String, says: &str| {
        let err = AgencyPolicy::load("p.cedar", &text).expect_err("refused");
        assert!(err.message.contains(says), "expected `{says}`: {err}");
    };
    // A gate policy never permits: it cannot allow what the statutory gate bars.
    refused(
        gate_file("@id(\"r\") @reason(\"r\") permit (principal, action == Action::\"remove\", resource);"),
        "may only add bars",
    );
    // Nor bars release: doubt does not keep a person in custody.
    refused(
        gate_file("@id(\"r\") @reason(\"r\") forbid (principal, action == Action::\"release\", resource);"),
        "never `release`",
    );
    refused(gate_file("@id(\"r\") @reason(\"r\") forbid (principal, action, resource);"), "unconstrained `action`");
    // Every policy has its id and reason.
    refused(gate_file("@reason(\"r\") forbid (principal, action == Action::\"arrest\", resource);"), "explicit `@id");
    refused(gate_file("@id(\"r\") forbid (principal, action == Action::\"arrest\", resource);"), "`@reason");
    refused(
        gate_file(
            "@id(\"r\") @reason(\"r\") forbid (principal, action == Action::\"arrest\", resource);\n@id(\"r\") @reason(\"r\") forbid (principal, action == Action::\"detain\", resource);",
        ),
        "not unique",
    );
    // Outside the supported subset.
    refused(
        gate_file(
            "@id(\"r\") @reason(\"r\") forbid (principal, action == Action::\"arrest\", resource) when { resource.final_convictions + 1 > 2 };",
        ),
        "supported subset",
    );
    refused(
        gate_file(
            "@id(\"r\") @reason(\"r\") forbid (principal == Agency::\"a\", action == Action::\"arrest\", resource);",
        ),
        "supported subset",
    );
    refused(
        gate_file(
            "@id(\"r\") @reason(\"r\") forbid (principal, action == Action::\"arrest\", resource) when { resource has entered_on && resource.entered_on > datetime(\"2020-01-01T10:00:00Z\") };",
        ),
        "whole day",
    );
    // Priority rules name a listed tier or a factor.
    refused(
        format!(
            "{PRIO_HEAD}@id(\"r\") @reason(\"r\") @tier(\"middle\") permit (principal, action == Action::\"prioritize\", resource);"
        ),
        "does not list",
    );
    refused(
        format!(
            "{PRIO_HEAD}@id(\"r\") @reason(\"r\") @tier(\"high\") permit (principal, action == Action::\"prioritize\", resource);"
        ),
        "the tier `low` has no rule",
    );
}

const OPENED: &str = "2025-01-06T09:00:00-05:00 case_opened tz=America/New_York";
const NTA: &str = "2025-01-07T09:00:00-05:00 nta_filed";
const ORDERED: &str = "2025-03-04T10:00:00-05:00 decision removal_ordered";

fn summary(lines: &[&str]) -> docket_core::CaseSummary {
    let events: Vec<_> =
        lines.iter().enumerate().map(|(i, l)| common::parse_event(i as u128 + 1, l).expect("valid line")).collect();
    CaseState::from_events(&events).summary().expect("summary")
}

#[test]
fn an_agency_gate_policy_adds_bars_and_never_lifts_a_statutory_one() {
    let policy = shipped("custody-restraint").expect("listed").expect("loads");
    let remove = Action::Remove { to: Country::parse("GTM").expect("country") };
    let person = PersonFacts::default();
    let t = common::ts("2025-04-10T12:00:00-04:00").expect("instant");
    // The order is final: the statute allows removal, and so does this policy.
    let case = summary(&[OPENED, NTA, ORDERED]);
    assert!(gate_under(Some(&policy), &case, &person, remove, t).expect("a gate policy").is_allowed());
    // Without a final order the statute bars removal, whatever the policy.
    let open = summary(&[OPENED, NTA]);
    let d = gate_under(Some(&policy), &open, &person, remove, t).expect("a gate policy");
    assert!(!d.is_allowed() && d.agency.is_empty());
    // A priority policy is not a gate policy.
    let p = shipped("dhs-2014-priorities").expect("listed").expect("loads");
    assert!(gate_under(Some(&p), &case, &person, remove, t).is_err());
}

#[test]
fn a_bar_whose_evaluation_errs_denies_naming_its_rule() {
    // Validation refuses this read of an optional fact without `has`; loaded without it, as a
    // policy of an older schema might be, Cedar would skip the erring `forbid` and allow.
    let text = gate_file(
        "@id(\"old_age\") @reason(\"no arrest at 80\")\nforbid (principal, action == Action::\"arrest\", resource) when { resource.age_years >= 80 };\n",
    );
    assert!(AgencyPolicy::load("p.cedar", &text).is_err());
    let policy = AgencyPolicy::load_unvalidated("p.cedar", &text).expect("loads");
    let case = summary(&[OPENED, NTA]);
    let t = common::ts("2025-04-10T12:00:00-04:00").expect("instant");
    // No date of birth: `age_years` is absent and the rule errs.
    let d = gate_under(Some(&policy), &case, &PersonFacts::default(), Action::Arrest, t).expect("a gate policy");
    assert!(d.statutory.is_allowed(), "{}", d.statutory);
    assert!(!d.is_allowed());
    assert_eq!(d.agency[0].rule, "old_age");
    assert_eq!(d.agency[0].role, "evaluation_error");
}

#[test]
fn a_priority_answer_names_its_rules_and_the_events_they_rest_on() {
    let policy = shipped("every-final-order-alike").expect("listed").expect("loads");
    let case = summary(&[OPENED, NTA, ORDERED]);
    let t = common::ts("2025-04-10T12:00:00-04:00").expect("instant");
    let answer = priority(&policy, &case, &PersonFacts::default(), t).expect("a priority policy");
    assert_eq!(answer.tier.as_deref(), Some("final_order"));
    assert!(!answer.supervisor_review);
    assert_eq!(answer.reasons[0].rule, "final_order");
    assert_eq!(answer.reasons[0].facts, ["stage", "final_order"]);
    assert_eq!(answer.reasons[0].basis, [docket_core::EventId::from_u128(3).to_string()]);
    let json = serde_json::to_value(&answer).expect("serializes");
    assert_eq!(json["reasons"][0]["rule"], "final_order");
    // Before the order is final, no tier.
    let before = common::ts("2025-03-10T12:00:00-04:00").expect("instant");
    assert_eq!(priority(&policy, &case, &PersonFacts::default(), before).expect("priority").tier, None);
}

#[test]
fn facts_are_read_from_the_projection_as_of_the_instant_with_their_events() {
    use docket_policy::{CaseFacts, Fact, FactValue};
    let case = summary(&[
        OPENED,
        "2025-01-08T09:00:00-05:00 entry 2012-05-01 without_inspection",
        "2025-01-09T09:00:00-05:00 conviction CR-1 felony Penal_Code_1 2019-04-02 final",
        "2025-01-10T09:00:00-05:00 conviction CR-2 misdemeanor Penal_Code_2 2020-04-02 not_final",
        "2025-01-11T09:00:00-05:00 mitigating military_service DD-214",
        "2025-02-01T09:00:00-05:00 conviction_vacated CR-1",
    ]);
    let e = |n: u128| vec![docket_core::EventId::from_u128(n)];
    let f =
        CaseFacts::from_summary(&case, &PersonFacts::default(), common::ts("2025-01-20T12:00:00-05:00").expect("t"));
    assert_eq!(f.get(Fact::FelonyConvictions), FactValue::Long(1));
    assert_eq!(f.basis(Fact::FelonyConvictions), e(3));
    // A conviction not final does not count.
    assert_eq!(f.get(Fact::MisdemeanorConvictions), FactValue::Long(0));
    assert_eq!(f.get(Fact::FinalConvictions), FactValue::Long(1));
    assert_eq!(
        f.get(Fact::LatestSeriousConvictionOn),
        FactValue::Date(docket_core::Date::parse("2019-04-02").expect("d"))
    );
    assert_eq!(f.get(Fact::YearsPresent), FactValue::Long(12));
    assert_eq!(f.basis(Fact::EnteredOn), e(2));
    assert_eq!(f.get(Fact::MilitaryService), FactValue::Bool(true));
    assert_eq!(f.get(Fact::AgeYears), FactValue::Absent);
    // Once vacated, the felony no longer counts.
    let later =
        CaseFacts::from_summary(&case, &PersonFacts::default(), common::ts("2025-03-01T12:00:00-05:00").expect("t"));
    assert_eq!(later.get(Fact::FelonyConvictions), FactValue::Long(0));
    assert_eq!(later.get(Fact::LatestSeriousConvictionOn), FactValue::Absent);
}

#[test]
fn a_diff_counts_the_cases_a_new_policy_moves_by_rule() {
    use docket_policy::{CaseFacts, FactColumns, diff};
    let old = shipped("dhs-2014-priorities").expect("listed").expect("loads");
    let new = shipped("every-final-order-alike").expect("listed").expect("loads");
    let facts = |pairs: &[(&str, &str)]| {
        pairs.iter().fold(CaseFacts::default(), |f, (k, v)| f.with_text(k, v).expect("valid fact"))
    };
    let rows = [
        // Priority 1 under 2014, no final order: out of every tier under the new policy.
        facts(&[("felony_convictions", "1")]),
        // A final order of 2010: in no 2014 tier, in the new one.
        facts(&[("final_order", "true"), ("final_order_on", "2010-01-01"), ("stage", "final_order")]),
        // Unchanged: nothing recorded.
        facts(&[]),
        // A mitigating factor under 2014, none under the new: review changes.
        facts(&[("final_order", "true"), ("final_order_on", "2016-01-01"), ("military_service", "true")]),
    ];
    let mut cols = FactColumns::default();
    rows.iter().for_each(|r| cols.push(r));
    let ids: Vec<String> = (1..=4).map(|i| format!("C-{i}")).collect();
    let d = diff(&old, &new, &cols, Some(&ids), 2).expect("both priority");
    assert_eq!((d.cases, d.tier_changed, d.review_changed), (4, 3, 1), "{d:#?}");
    let moved = |from: &str, to: &str| {
        d.changes.iter().find(|c| c.from == from && c.to == to).unwrap_or_else(|| panic!("{from} -> {to}: {d:#?}"))
    };
    let c = moved("priority_1", "none");
    assert_eq!((c.rule.as_str(), c.cases, c.examples[0].case_id.as_deref()), ("p1_felony", 1, Some("C-1")));
    assert_eq!(moved("none", "final_order").rule, "final_order");
    assert_eq!(moved("priority_3+review", "final_order").examples[0].row, 3);
    assert!(serde_json::to_string(&d).expect("serializes").contains("p1_felony"));
    // Gate against priority is refused.
    let gate = shipped("custody-restraint").expect("listed").expect("loads");
    assert!(diff(&old, &gate, &cols, None, 1).is_err());
}

#[test]
fn a_gate_diff_counts_decisions_changed_per_action_by_rule() {
    use docket_policy::{CaseFacts, FactColumns, diff};
    let old = shipped("custody-restraint").expect("listed").expect("loads");
    let new = AgencyPolicy::load(
        "new.cedar",
        &gate_file("@id(\"no_removal_of_veterans\") @reason(\"r\")\nforbid (principal, action == Action::\"remove\", resource) when { resource.military_service };\n"),
    )
    .expect("loads");
    let mut cols = FactColumns::default();
    // A veteran: removal newly barred. A caregiver: arrest and detention no longer barred.
    cols.push(&CaseFacts::default().with_text("military_service", "true").expect("fact"));
    cols.push(&CaseFacts::default().with_text("sole_caregiver_of_child", "true").expect("fact"));
    cols.push(&CaseFacts::default());
    let d = diff(&old, &new, &cols, None, 1).expect("both gate");
    assert_eq!(d.gate_changed, 2, "{d:#?}");
    let find = |action: &str, to: &str| {
        d.changes.iter().find(|c| c.action.as_deref() == Some(action) && c.to == to).unwrap_or_else(|| panic!("{d:#?}"))
    };
    assert_eq!(find("remove", "deny").rule, "no_removal_of_veterans");
    assert_eq!(find("remove", "deny").examples[0].row, 0);
    assert_eq!(find("arrest", "allow").rule, "no_arrest_of_sole_caregiver");
    assert_eq!(find("detain", "allow").examples[0].row, 1);
}
