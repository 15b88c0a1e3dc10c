//! Agency policies through the application layer, on both databases: a policy is validated
//! before it is adopted; the priority policy and the agency gate policy in force answer in a
//! case's view (with the events behind each reason), over the whole docket (by the compiled
//! plan, agreeing with the per-case answers), on the priority worklists, and in a diff of two
//! policies; every read of the docket is one ledger leaf.

mod common;

use common::{Db, import, line, ts};
use docket_app::gates::{Verdict, WorklistKind, WorklistRequest};
use docket_app::{AppError, ReadContext};
use docket_core::ActorId;

const PERSONS: &str = "\
person_id,a_number,given_names,family_names,name_order,aliases,date_of_birth,sex,nationality,passport_number,passport_country,passport_expiry
P-1,A111111111,Ana,Uno,,,1990-01-01,F,SLV,,,
P-2,A222222222,Ben,Dos,,,1985-05-05,M,GTM,,,
P-3,A333333333,Cy,Tres,,,1950-03-03,M,HND,,,
";

/// K1 (Ana): an aggravated felony, final; ordered removed on 2026-03-02, final since. K2 (Ben):
/// a felony, final, and military service. K3 (Cy, born 1950): nothing adjudicated against him.
fn history() -> String {
    let tz = r#","time_zone":"America/New_York""#;
    let conviction = |id: &str, class: &str| {
        format!(
            r#","conviction_id":"{id}","offence_class":"{class}","statute":"18 U.S.C. 1","convicted_on":"2024-02-01","final_conviction":true"#
        )
    };
    [
        line(1, "K1", "case_opened", "2025-05-20T10:00:00-04:00", &format!(r#","person_id":"P-1"{tz}"#)),
        line(2, "K1", "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", ""),
        line(3, "K1", "conviction_recorded", "2025-06-10T10:00:00-04:00", &conviction("CR-1", "aggravated_felony")),
        line(4, "K1", "decision_issued", "2026-03-02T10:00:00-05:00", r#","outcome":"removal_ordered""#),
        line(5, "K2", "case_opened", "2025-08-01T10:00:00-04:00", &format!(r#","person_id":"P-2"{tz}"#)),
        line(6, "K2", "conviction_recorded", "2025-08-10T10:00:00-04:00", &conviction("CR-2", "felony")),
        line(
            7,
            "K2",
            "mitigating_fact_recorded",
            "2025-09-01T10:00:00-04:00",
            r#","mitigating_fact":"military_service","source_reference":"DD214-1""#,
        ),
        line(8, "K3", "case_opened", "2025-08-01T10:00:00-04:00", &format!(r#","person_id":"P-3"{tz}"#)),
    ]
    .join("\n")
}

fn event(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn ctx(purpose: &str) -> ReadContext {
    ReadContext::new(Some("officer.a"), Some(purpose)).expect("context")
}

fn ledger_size(app: &docket_app::App) -> u64 {
    app.with_store(|s| s.ledger_head()).expect("head").0
}

fn shipped(name: &str) -> &'static str {
    docket_policy::SHIPPED.iter().find(|(n, _)| *n == name).expect("shipped").1
}

const NOW: &str = "2026-12-01T12:00:00Z";

/// The docket above with the 2014 priorities and the custody restraints adopted.
fn docket(db: &Db) -> docket_app::App {
    let app = db.app(NOW);
    let (report, _) = import(&app, PERSONS, &history());
    assert_eq!(report.files.iter().map(|s| s.rejected).sum::<u64>(), 0, "{report:?}");
    let director = ActorId::parse("director").expect("actor");
    for name in ["dhs-2014-priorities", "custody-restraint"] {
        app.adopt_policy(&director, name, shipped(name), ts("2026-01-01T00:00:00Z")).expect("adopted");
    }
    app
}

on_both!(
    a_policy_that_does_not_validate_is_not_adopted,
    a_case_view_gives_its_priority_and_agency_gates_with_their_events,
    the_docket_evaluated_by_the_plan_agrees_with_each_case_answered_alone,
    the_priority_worklists_rank_by_tier_and_route_mitigation_to_review,
    a_diff_counts_what_another_policy_would_move_in_one_logged_read,
);

fn a_policy_that_does_not_validate_is_not_adopted(db: &Db) {
    let app = db.app(NOW);
    let director = ActorId::parse("director").expect("actor");
    let before = ledger_size(&app);
    // A fact the schema does not have (a protected trait) cannot be named.
    let bad = shipped("every-final-order-alike")
        .replace("when { resource.final_order }", "when { resource.religion == \"x\" }");
    let err = app.adopt_policy(&director, "bad.cedar", &bad, ts(NOW)).expect_err("not in the schema");
    assert!(matches!(err, AppError::Policy(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("bad.cedar:14:"), "{text}");
    assert!(text.contains("religion"), "{text}");
    // In force before the date it bears: refused.
    let early = app
        .adopt_policy(&director, "p.cedar", shipped("every-final-order-alike"), ts("2024-12-31T00:00:00Z"))
        .expect_err("before its date");
    assert!(early.to_string().contains("before the date `every-final-order-alike` version `1` bears"), "{early}");
    assert_eq!(ledger_size(&app), before, "nothing recorded");
    // The check says what the policy holds, without a database.
    let checked = docket_app::policies::check("p.cedar", shipped("dhs-2014-priorities")).expect("valid");
    assert_eq!(checked.tiers, ["priority_1", "priority_2", "priority_3"]);
    assert!(checked.rules.iter().any(|r| r.id == "m_military_service" && r.role == "mitigating"));
    let gate = docket_app::policies::check("g.cedar", shipped("custody-restraint")).expect("valid");
    let rule = gate.rules.iter().find(|r| r.id == "no_custody_at_70").expect("rule");
    assert_eq!(rule.actions, ["detain", "continue_detention", "transfer"]);
}

fn a_case_view_gives_its_priority_and_agency_gates_with_their_events(db: &Db) {
    let app = docket(db);
    let before = ledger_size(&app);
    let v = app.read_case(&ctx("enforcement_decision"), "K2", None).expect("read");
    assert_eq!(ledger_size(&app), before + 2, "the case and its person: the policies add no read");
    let p = v.priority.expect("a priority policy is in force");
    assert_eq!((p.policy.policy_id.as_str(), p.policy.leaf.as_str()), ("dhs-2014-priorities", "policy/1"));
    assert_eq!((p.answer.tier.as_deref(), p.answer.supervisor_review), (Some("priority_1"), true));
    let reason = |rule: &str| p.answer.reasons.iter().find(|r| r.rule == rule).unwrap_or_else(|| panic!("{rule}"));
    assert_eq!(reason("p1_felony").basis, [event(6)]);
    assert_eq!(
        (reason("m_military_service").role.as_str(), reason("m_military_service").basis.clone()),
        ("mitigating", vec![event(7)])
    );
    let g = v.gates.expect("gates");
    assert_eq!(g.layer, "statutory+agency");
    assert_eq!(g.agency_policy_in_force.as_ref().map(|p| p.leaf.as_str()), Some("policy/2"));
    assert_eq!(g.agency.len(), g.actions.len());
    // Cy is 76: the statute lets him be detained, the agency policy does not.
    let v = app.read_case(&ctx("enforcement_decision"), "K3", None).expect("read");
    let g = v.gates.expect("gates");
    assert_eq!((g.actions[1].action.as_str(), g.actions[1].decision), ("detain", Verdict::Allow));
    assert_eq!(g.agency[1].decision, Verdict::Deny);
    assert_eq!(g.agency[1].reasons.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>(), ["no_custody_at_70"]);
    assert_eq!(g.agency[0].decision, Verdict::Allow, "arrest is not restrained by age");
    let p = v.priority.expect("priority");
    assert_eq!((p.answer.tier, p.answer.supervisor_review), (None, true), "no tier, and his age to a supervisor");
    // Before any policy took effect, the view says so by giving none.
    let v = app.read_case(&ctx("case_work"), "K3", Some(ts("2025-12-01T00:00:00Z"))).expect("read");
    assert!(v.priority.is_none());
    let g = v.gates.expect("gates");
    assert_eq!((g.layer, g.agency.len()), ("statutory", 0));
}

fn the_docket_evaluated_by_the_plan_agrees_with_each_case_answered_alone(db: &Db) {
    let app = docket(db);
    let before = ledger_size(&app);
    let e = app.evaluate(&ctx("oversight"), None).expect("evaluate");
    assert_eq!(ledger_size(&app), before + 1, "one read of the docket");
    assert_eq!((e.cases, e.layer), (3, "statutory+agency"));
    let p = e.priority.as_ref().expect("priority counted");
    let tiers: Vec<(&str, u64)> = p.tiers.iter().map(|t| (t.tier.as_str(), t.cases)).collect();
    assert_eq!(tiers, [("priority_1", 2), ("priority_2", 0), ("priority_3", 0)]);
    assert_eq!((p.no_tier, p.supervisor_review), (1, 2));
    // Each case answered alone, by Cedar's authorizer, gives the same counts as the plan.
    let mut allowed = [0u64; 6];
    let mut agency_barred = [0u64; 6];
    let mut in_tier = std::collections::BTreeMap::new();
    let mut review = 0;
    for case in ["K1", "K2", "K3"] {
        let v = app.read_case(&ctx("oversight"), case, None).expect("read");
        let g = v.gates.expect("gates");
        for (k, a) in g.agency.iter().enumerate() {
            allowed[k] += u64::from(a.decision == Verdict::Allow);
            agency_barred[k] += u64::from(!a.reasons.is_empty());
        }
        let p = v.priority.expect("priority").answer;
        *in_tier.entry(p.tier.unwrap_or_default()).or_insert(0u64) += 1;
        review += u64::from(p.supervisor_review);
    }
    for (k, a) in e.actions.iter().enumerate() {
        assert_eq!((a.action, a.allowed, a.allowed + a.denied), (a.action, allowed[k], 3));
        let barred = a.by_agency_rule.iter().map(|r| r.cases + r.errors).sum::<u64>();
        assert_eq!(barred, agency_barred[k], "{}: {:?}", a.action, a.by_agency_rule);
    }
    assert_eq!(in_tier.get("priority_1"), Some(&2));
    assert_eq!(review, p.supervisor_review);
    let detain = &e.actions[1];
    assert_eq!(detain.by_agency_rule.iter().find(|r| r.rule == "no_custody_at_70").map(|r| r.cases), Some(1));
}

fn the_priority_worklists_rank_by_tier_and_route_mitigation_to_review(db: &Db) {
    let app = docket(db);
    let request = |kind| WorklistRequest { kind, within_days: 30, limit: 10 };
    let before = ledger_size(&app);
    let w = app.worklist(&ctx("case_work"), &request(WorklistKind::Priority), None).expect("worklist");
    assert_eq!(ledger_size(&app), before + 1, "one read");
    assert_eq!(w.recorded_as, "worklist=priority,policy=policy/1,as_of=2026-12-01T12:00:00Z");
    let rows: Vec<(&str, Option<&str>, Option<bool>)> =
        w.rows.iter().map(|r| (r.case_id.as_str(), r.tier.as_deref(), r.supervisor_review)).collect();
    assert_eq!(rows, [("K1", Some("priority_1"), Some(false)), ("K2", Some("priority_1"), Some(true))]);
    assert_eq!(w.matching, 2);
    let k1 = &w.rows[0];
    let item = k1.items.iter().find(|i| i.rule == "p1_aggravated_felony").expect("the reason");
    assert_eq!(item.basis, [event(3)]);
    let w = app.worklist(&ctx("case_work"), &request(WorklistKind::Review), None).expect("worklist");
    let rows: Vec<(&str, Option<&str>)> = w.rows.iter().map(|r| (r.case_id.as_str(), r.tier.as_deref())).collect();
    assert_eq!(rows, [("K2", Some("priority_1")), ("K3", None)], "the highest tier first, then no tier");
    assert!(w.rows[1].items.iter().any(|i| i.rule == "m_age"));
    let json = serde_json::to_value(&w).expect("json");
    assert_eq!(json["kind"], "review");
    assert_eq!(json["rows"][1]["supervisor_review"], true);
    // With no priority policy in force, the request is refused and nothing is read.
    let size = ledger_size(&app);
    let err = app
        .worklist(&ctx("case_work"), &request(WorklistKind::Priority), Some(ts("2025-12-31T00:00:00Z")))
        .expect_err("no policy in force");
    assert!(err.to_string().contains("no priority policy is in force"), "{err}");
    assert_eq!(ledger_size(&app), size);
}

fn a_diff_counts_what_another_policy_would_move_in_one_logged_read(db: &Db) {
    let app = docket(db);
    let before = ledger_size(&app);
    let old = ("dhs-2014-priorities.cedar", shipped("dhs-2014-priorities"));
    let new = ("every-final-order-alike.cedar", shipped("every-final-order-alike"));
    let d = app.diff_policies(&ctx("oversight"), old, new, None).expect("diff");
    assert_eq!(ledger_size(&app), before + 1, "one read of the docket");
    assert_eq!(
        d.recorded_as,
        "policy_diff,old=dhs-2014-priorities 1,new=every-final-order-alike 1,as_of=2026-12-01T12:00:00Z"
    );
    // K1 moves from priority 1 to the one tier (its order is final), K2 to none (no order);
    // K2 and K3 leave supervisor review (the new policy has no factors).
    assert_eq!((d.diff.cases, d.diff.tier_changed, d.diff.review_changed), (3, 2, 2));
    let moved: Vec<(String, String, Vec<Option<String>>)> = d
        .diff
        .changes
        .iter()
        .filter(|c| c.from.trim_end_matches("+review") != c.to.trim_end_matches("+review"))
        .map(|c| (c.from.clone(), c.to.clone(), c.examples.iter().map(|e| e.case_id.clone()).collect()))
        .collect();
    assert!(moved.contains(&("priority_1".into(), "final_order".into(), vec![Some("K1".into())])), "{moved:?}");
    assert!(moved.contains(&("priority_1+review".into(), "none".into(), vec![Some("K2".into())])), "{moved:?}");
    // A gate policy against a priority policy is no diff.
    let gate = ("custody-restraint.cedar", shipped("custody-restraint"));
    let err = app.diff_policies(&ctx("oversight"), old, gate, None).expect_err("two kinds");
    assert!(err.to_string().contains("a diff compares two of a kind"), "{err}");
}
