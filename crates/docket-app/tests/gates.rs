//! The statutory gates through the application layer, on both databases: each action's gate in
//! a case's view, the whole docket's gates counted, the worklists, and policy adoption as an
//! act of record. Every whole-docket read is one ledger leaf.

mod common;

use common::{Db, PERSONS, import, line, ts};
use docket_app::gates::{Verdict, WorklistKind, WorklistRequest};
use docket_app::policies::PolicyKind;
use docket_app::{AppError, LeafRef, ReadContext};
use docket_core::ActorId;

/// Ana (P-1): G1, ordered removed to El Salvador and final, a Salvadoran passport obtained;
/// G4, ordered removed on 2026-11-20, its appeal window open. Ben (P-2): G2, ordered removed
/// to El Salvador with withholding as to Guatemala, appeal waived, a travel document obtained;
/// G3, where he claims US citizenship.
fn history() -> String {
    let tz = r#","time_zone":"America/New_York""#;
    let passport = r#","document_type":"passport","document_number":"X1234567","issuing_country":"SLV""#;
    [
        line(1, "G1", "case_opened", "2025-05-20T10:00:00-04:00", &format!(r#","person_id":"P-1"{tz}"#)),
        line(2, "G1", "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", ""),
        line(3, "G1", "decision_issued", "2026-03-02T10:00:00-05:00", r#","outcome":"removal_ordered""#),
        line(20, "G1", "removal_country_designated", "2026-03-02T10:05:00-05:00", r#","country":"SLV""#),
        line(4, "G1", "travel_document_obtained", "2026-05-01T10:00:00-04:00", passport),
        line(5, "G2", "case_opened", "2025-08-01T10:00:00-04:00", &format!(r#","person_id":"P-2"{tz}"#)),
        line(6, "G2", "notice_to_appear_filed", "2025-08-05T10:00:00-04:00", ""),
        line(
            7,
            "G2",
            "decision_issued",
            "2026-01-05T10:00:00-05:00",
            r#","outcome":"removal_ordered","relief":"withholding","country":"GTM""#,
        ),
        line(8, "G2", "appeal_waived", "2026-01-05T10:30:00-05:00", ""),
        line(21, "G2", "removal_country_designated", "2026-01-05T10:40:00-05:00", r#","country":"SLV""#),
        line(9, "G2", "travel_document_obtained", "2026-02-01T10:00:00-05:00", passport),
        line(10, "G3", "case_opened", "2025-08-01T10:00:00-04:00", &format!(r#","person_id":"P-2"{tz}"#)),
        line(11, "G3", "citizenship_claim_raised", "2026-08-01T10:00:00-04:00", ""),
        line(12, "G4", "case_opened", "2026-01-10T10:00:00-05:00", &format!(r#","person_id":"P-1"{tz}"#)),
        line(13, "G4", "notice_to_appear_filed", "2026-01-20T10:00:00-05:00", ""),
        line(14, "G4", "decision_issued", "2026-11-20T10:00:00-05:00", r#","outcome":"removal_ordered""#),
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

const NOW: &str = "2026-12-01T12:00:00Z";

on_both!(
    a_case_view_gives_each_actions_gate_with_its_reasons,
    the_whole_docket_is_counted_in_one_logged_read,
    worklists_name_every_blocker_and_are_one_logged_read_each,
    adopting_a_policy_is_a_ledger_record_and_the_latest_effective_is_in_force,
);

fn a_case_view_gives_each_actions_gate_with_its_reasons(db: &Db) {
    let app = db.app(NOW);
    let (report, _) = import(&app, PERSONS, &history());
    assert_eq!(report.files.iter().map(|s| s.rejected).sum::<u64>(), 0, "{report:?}");
    let before = ledger_size(&app);
    let v = app.read_case(&ctx("enforcement_decision"), "G2", None).expect("read");
    assert_eq!(ledger_size(&app), before + 2, "the gates are part of the case's read: case and person, no more");
    let gates = v.gates.expect("an opened case has gates");
    let actions: Vec<&str> = gates.actions.iter().map(|g| g.action.as_str()).collect();
    assert_eq!(actions, ["arrest", "detain", "continue_detention", "transfer", "remove", "release"]);
    let remove = &gates.actions[4];
    // Removal is asked for the designated country, El Salvador.
    assert_eq!((remove.decision, remove.destination.as_deref()), (Verdict::Deny, Some("SLV")));
    assert_eq!(gates.removal_destination.as_deref(), Some("SLV"));
    // Ben's claim in G3 bars every enforcement action in G2, with its citation and event;
    // withholding as to Guatemala does not bar removal to El Salvador.
    let rules: Vec<(&str, Vec<String>)> = remove.reasons.iter().map(|r| (r.rule.as_str(), r.basis.clone())).collect();
    assert_eq!(rules, [("citizenship_claim_pending", vec![event(11)])]);
    assert_eq!(remove.reasons[0].citation.as_deref(), Some("ICE Directive 16001.2 (2015); INA 287(a)"));
    assert!(gates.actions[0].reasons.iter().any(|r| r.rule == "citizenship_claim_pending"), "arrest too");
    assert_eq!(gates.actions[5].decision, Verdict::Deny, "release of a person not in custody");
    // Before the claim was raised nothing stands in the way of removal to El Salvador.
    let v = app.read_case(&ctx("enforcement_decision"), "G2", Some(ts("2026-07-01T12:00:00-04:00"))).expect("read");
    let remove = &v.gates.expect("gates").actions[4];
    assert_eq!(remove.decision, Verdict::Allow, "{remove:?}");
    // G1's order is final and nothing bars removal or arrest.
    let v = app.read_case(&ctx("enforcement_decision"), "G1", None).expect("read");
    let designated = v.designated_country.as_ref().expect("designated");
    assert_eq!((designated.country.as_str(), designated.basis[0].event_id.clone()), ("SLV", event(20)));
    let doc = v.travel_document.as_ref().expect("a travel document");
    assert_eq!((doc.issuing_country.as_str(), doc.valid, doc.for_designated_country), ("SLV", true, true));
    let g = v.gates.expect("gates");
    assert_eq!((g.actions[0].decision, g.actions[4].decision), (Verdict::Allow, Verdict::Allow), "{g:?}");
    let json = serde_json::to_value(app.read_case(&ctx("case_work"), "G1", None).expect("read")).expect("json");
    assert_eq!(json["gates"]["actions"][4]["decision"], "allow");
    assert_eq!(json["gates"]["layer"], "statutory");
}

fn the_whole_docket_is_counted_in_one_logged_read(db: &Db) {
    let app = db.app(NOW);
    import(&app, PERSONS, &history());
    let before = ledger_size(&app);
    let v = app.evaluate(&ctx("oversight"), None).expect("evaluate");
    assert_eq!(ledger_size(&app), before + 1, "one read of the docket, one leaf");
    let reads = app.with_store(|s| s.accesses(docket_store::AccessedRecord::Docket(&v.recorded_as))).expect("reads");
    assert_eq!(reads.len(), 1);
    assert_eq!(
        (reads[0].1.purpose.as_str(), v.recorded_as.as_str()),
        ("oversight", "evaluate,as_of=2026-12-01T12:00:00Z")
    );
    assert_eq!(v.cases, 4);
    let action = |name: &str| v.actions.iter().find(|a| a.action == name).expect("counted");
    let by_rule = |name: &str, rule: &str| action(name).by_rule.iter().find(|r| r.rule == rule).map_or(0, |r| r.cases);
    // Removal, each case to its designated country: G1 alone; G2 (claim in G3; withholding
    // as to Guatemala does not bar removal to El Salvador), G3 (claim, no order), G4 (appeal
    // window).
    assert_eq!(v.removal_destination, "designated");
    assert_eq!((action("remove").allowed, action("remove").denied), (1, 3));
    assert_eq!(by_rule("remove", "citizenship_claim_pending"), 2);
    assert_eq!(by_rule("remove", "withholding_as_to_country"), 0);
    assert_eq!(by_rule("remove", "no_final_order"), 2);
    assert_eq!(by_rule("remove", "automatic_stay_appeal_window"), 1);
    // Arrest: Ben's two cases are barred by his claim, Ana's two are not.
    assert_eq!((action("arrest").allowed, action("arrest").denied), (2, 2));
    assert_eq!((action("release").allowed, action("release").denied), (0, 4));
    // As of before the claim (2026-08-01) it does not bar G2; G3 and G4, whose projections
    // hold later events, are not known as of then: denied for it (G3 by its own claim too).
    let early = app.evaluate(&ctx("oversight"), Some(ts("2026-07-01T12:00:00-04:00"))).expect("evaluate");
    let arrest = early.actions.iter().find(|a| a.action == "arrest").expect("arrest");
    let count = |rule: &str| arrest.by_rule.iter().find(|r| r.rule == rule).map_or(0, |r| r.cases);
    assert_eq!((arrest.allowed, count("fact_unknown"), count("citizenship_claim_pending")), (2, 2, 1), "{arrest:?}");
}

fn worklists_name_every_blocker_and_are_one_logged_read_each(db: &Db) {
    let app = db.app(NOW);
    import(&app, PERSONS, &history());
    let ask = |kind, within_days, limit| {
        let before = ledger_size(&app);
        let v = app.worklist(&ctx("case_work"), &WorklistRequest { kind, within_days, limit }, None).expect("worklist");
        assert_eq!(ledger_size(&app), before + 1, "one read, one leaf");
        let reads = app.with_store(|s| s.accesses(docket_store::AccessedRecord::Cases(&v.recorded_as))).expect("reads");
        assert!(!reads.is_empty());
        v
    };
    let ready = ask(WorklistKind::RemovalReady, 30, 100);
    assert_eq!(ready.rows.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["G1"]);
    // Final since the window closed, to El Salvador, with a Salvadoran passport.
    let items: Vec<(&str, Vec<String>)> = ready.rows[0].items.iter().map(|i| (&*i.rule, i.basis.clone())).collect();
    assert_eq!(items[0].0, "final_on_expiry");
    assert_eq!(items[1..], [("designated_country", vec![event(20)]), ("travel_document", vec![event(4)])]);
    let blocked = ask(WorklistKind::Blocked, 30, 100);
    assert_eq!(blocked.rows.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["G2", "G3", "G4"]);
    let g2: Vec<(&str, Vec<String>)> = blocked.rows[0].items.iter().map(|i| (&*i.rule, i.basis.clone())).collect();
    assert_eq!(g2, [("citizenship_claim_pending", vec![event(11)])]);
    // G3 has no order, no designated country and no travel document: each is named.
    let g3: Vec<&str> = blocked.rows[1].items.iter().map(|i| &*i.rule).collect();
    assert_eq!(g3, ["citizenship_claim_pending", "no_final_order", "no_designated_country", "no_travel_document"]);
    // Final orders that removal still waits on: G6, no country designated and its passport
    // expired yesterday (on New York's calendar); G7, designated Mexico with a Salvadoran
    // passport.
    let tz = r#","time_zone":"America/New_York""#;
    let expired =
        r#","document_type":"passport","document_number":"X7654321","issuing_country":"SLV","expiry":"2026-11-30""#;
    let unready = [
        line(30, "G6", "case_opened", "2025-05-20T10:00:00-04:00", &format!(r#","person_id":"P-1"{tz}"#)),
        line(31, "G6", "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", ""),
        line(32, "G6", "decision_issued", "2026-03-02T10:00:00-05:00", r#","outcome":"removal_ordered""#),
        line(33, "G6", "appeal_waived", "2026-03-02T10:30:00-05:00", ""),
        line(34, "G6", "travel_document_obtained", "2026-05-01T10:00:00-04:00", expired),
        line(40, "G7", "case_opened", "2025-05-20T10:00:00-04:00", &format!(r#","person_id":"P-1"{tz}"#)),
        line(41, "G7", "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", ""),
        line(42, "G7", "decision_issued", "2026-03-02T10:00:00-05:00", r#","outcome":"removal_ordered""#),
        line(43, "G7", "appeal_waived", "2026-03-02T10:30:00-05:00", ""),
        line(44, "G7", "removal_country_designated", "2026-03-02T10:40:00-05:00", r#","country":"MEX""#),
        line(
            45,
            "G7",
            "travel_document_obtained",
            "2026-05-01T10:00:00-04:00",
            &expired.replace(r#","expiry":"2026-11-30""#, ""),
        ),
    ]
    .join("\n");
    let (report, _) = import(&app, PERSONS, &unready);
    assert_eq!(report.files.iter().map(|s| s.rejected).sum::<u64>(), 0, "{report:?}");
    let blocked = ask(WorklistKind::Blocked, 30, 100);
    let row = |case: &str| {
        let r = blocked.rows.iter().find(|r| r.case_id == case).expect("blocked");
        r.items.iter().map(|i| (i.rule.to_string(), i.basis.clone())).collect::<Vec<_>>()
    };
    assert_eq!(
        row("G6"),
        [("no_designated_country".to_owned(), vec![]), ("travel_document_expired".to_owned(), vec![event(34)])]
    );
    assert_eq!(row("G7"), [("travel_document_not_for_designated_country".to_owned(), vec![event(45), event(44)])]);
    // The day before, G6's passport was still valid: only the designation was missing.
    let v = app
        .worklist(
            &ctx("case_work"),
            &WorklistRequest { kind: WorklistKind::Blocked, within_days: 30, limit: 100 },
            Some(ts("2026-11-30T23:00:00-05:00")),
        )
        .expect("worklist");
    let g6 = v.rows.iter().find(|r| r.case_id == "G6").expect("blocked");
    assert_eq!(g6.items.iter().map(|i| &*i.rule).collect::<Vec<_>>(), ["no_designated_country"]);
    // G4's appeal window closes on 2026-12-21 (30 days from November 20 in New York).
    let soon = ask(WorklistKind::Deadlines, 30, 100);
    assert_eq!(soon.rows.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["G4"]);
    let window = &soon.rows[0].items[0];
    assert_eq!(
        (&*window.rule, window.due.as_deref(), window.basis.clone()),
        ("appeal_window", Some("2026-12-21"), vec![event(14)])
    );
    assert_eq!(soon.recorded_as, "worklist=deadlines,within_days=30,as_of=2026-12-01T12:00:00Z");
    assert!(ask(WorklistKind::Deadlines, 10, 100).rows.is_empty(), "nothing due within 10 days");
    // A stay granted until noon on 2026-12-10 is on the deadlines list, its last day that day.
    let tz = r#","time_zone":"America/New_York""#;
    let stayed = [
        line(15, "G5", "case_opened", "2026-02-01T10:00:00-05:00", &format!(r#","person_id":"P-1"{tz}"#)),
        line(
            16,
            "G5",
            "protection_granted",
            "2026-11-25T10:00:00-05:00",
            r#","protection":"administrative_stay","from":"2026-11-25T10:00:00-05:00","until":"2026-12-10T12:00:00-05:00""#,
        ),
    ]
    .join("\n");
    import(&app, PERSONS, &stayed);
    let soon = ask(WorklistKind::Deadlines, 30, 100);
    assert_eq!(soon.rows.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["G5", "G4"], "by earliest due");
    let stay = &soon.rows[0].items[0];
    assert_eq!(
        (&*stay.rule, stay.due.as_deref(), stay.basis.clone()),
        ("administrative_stay", Some("2026-12-10"), vec![event(16)])
    );
    assert!(ask(WorklistKind::Deadlines, 5, 100).rows.is_empty(), "nothing ends within 5 days");
    // A limit keeps the first rows and still counts every case on the list.
    let one = ask(WorklistKind::Blocked, 30, 1);
    assert_eq!((one.rows.len(), one.matching), (1, 6), "G2, G3, G4, the stayed G5, G6 and G7");
    assert!(matches!(
        app.worklist(
            &ctx("case_work"),
            &WorklistRequest { kind: WorklistKind::Deadlines, within_days: -1, limit: 1 },
            None
        ),
        Err(AppError::Invalid { .. })
    ));
}

fn adopting_a_policy_is_a_ledger_record_and_the_latest_effective_is_in_force(db: &Db) {
    let app = db.app(NOW);
    import(&app, PERSONS, &history());
    let director = ActorId::parse("director").expect("actor");
    let shipped = docket_policy::SHIPPED.iter().find(|(n, _)| *n == "custody-restraint").expect("shipped").1;
    let text = |version: &str| shipped.replace("// version: 1\n", &format!("// version: {version}\n"));
    let before = ledger_size(&app);
    let v1 = app
        .adopt_policy(&director, "custody-restraint.cedar", &text("1"), ts("2027-01-01T00:00:00Z"))
        .expect("adopted");
    assert_eq!(ledger_size(&app), before + 1, "the adoption is a leaf");
    assert_eq!((v1.policy_id.as_str(), v1.version.as_str(), v1.kind.as_str()), ("custody-restraint", "1", "gate"));
    assert_eq!(v1.sha256, docket_store::ledger::policy_sha256(&text("1")));
    assert_eq!((v1.adopted_by.as_str(), v1.adopted_at.as_str()), ("director", NOW));
    let again = app
        .adopt_policy(&director, "custody-restraint.cedar", &text("1"), ts("2027-02-01T00:00:00Z"))
        .expect_err("adopted once");
    assert!(again.to_string().contains("already adopted (policy/1)"), "{again}");
    let v2 = app
        .adopt_policy(&director, "custody-restraint.cedar", &text("2"), ts("2027-06-01T00:00:00Z"))
        .expect("adopted");
    let in_force = |t: &str| app.policy_in_force(PolicyKind::Gate, ts(t)).expect("in force").map(|p| p.version);
    assert_eq!(in_force("2026-12-31T23:59:59Z"), None, "not before its effective instant");
    assert_eq!(in_force("2027-01-01T00:00:00Z").as_deref(), Some("1"));
    assert_eq!(in_force("2027-06-01T00:00:00Z").as_deref(), Some("2"));
    assert_eq!(app.policy_in_force(PolicyKind::Priority, ts("2028-01-01T00:00:00Z")).expect("in force"), None);
    // The gate names the agency policy in force beside the statutory answer.
    let case = app.read_case(&ctx("case_work"), "G1", Some(ts("2027-07-01T00:00:00Z"))).expect("read");
    assert_eq!(case.gates.expect("gates").agency_policy_in_force.map(|p| p.leaf), Some(v2.leaf.clone()));
    // A header without its kind is refused, naming what is missing, and nothing is recorded.
    let size = ledger_size(&app);
    let err = app
        .adopt_policy(
            &director,
            "p.cedar",
            "// policy: p\n// version: 1\n// effective: 2026-01-01\npermit (principal, action, resource);\n",
            ts(NOW),
        )
        .expect_err("no kind");
    assert_eq!(err.to_string(), "p.cedar:3:1: the header has no `// kind: ...` line");
    assert_eq!(ledger_size(&app), size);
    // The leaf is the documented encoding of the record, provable without a purpose: it holds
    // no one's data.
    let key = docket_ledger::SigningKey::from_seed("test", &[7; 32]).expect("key");
    let dir = tempfile::tempdir().expect("dir");
    app.sign_checkpoint(&key, &docket_app::checkpoints::CheckpointDir::new(dir.path())).expect("checkpoint");
    let proof = app.prove(LeafRef::Policy(1), None).expect("a proof");
    use base64::Engine as _;
    let leaf = base64::engine::general_purpose::STANDARD.decode(proof.leaf.expect("leaf bytes")).expect("base64");
    let stored = app.with_store(|s| s.policies()).expect("policies");
    assert_eq!(leaf, docket_store::ledger::policy_leaf(1, &stored[0].1));
    let verified = app.with_store(|s| s.verify_ledger(&key.verifier_key(), &mut |_| {})).expect("verify");
    assert_eq!((verified.policies, verified.discrepancy_count), (2, 0), "{:?}", verified.discrepancies);
}
