//! The application layer's use cases, against the library on both databases, without the
//! binary: reads leave their ledger leaf before anything is returned, a view as of an instant
//! shows nothing later, disclosures are accounted for with their packet's hash, refusals keep
//! their rules, imports account for every row, and one `App` serves many threads at once.

mod common;

use std::sync::Arc;

use common::{Db, PERSONS, import, line, ts};
use docket_app::delivery::{PacketBuffer, PacketDelivery};
use docket_app::{AppError, DisclosureRequest, ReadContext, Recorded};
use docket_core::{ActorId, EventBody, EventId, Rule};
use docket_store::Expected;

/// Ana's removal case R1 (decided 2026-03-02, appealed nowhere), Ben's cases R2 (order waived,
/// detained, reviewed on time) and R3 (a citizenship claim).
fn history() -> String {
    let tz = r#","time_zone":"America/New_York""#;
    [
        line(1, "R1", "case_opened", "2025-05-20T10:00:00-04:00", &format!(r#","person_id":"P-1"{tz}"#)),
        line(2, "R1", "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", ""),
        line(3, "R1", "decision_issued", "2026-03-02T10:00:00-05:00", r#","outcome":"removal_ordered""#),
        line(4, "R2", "case_opened", "2025-08-01T10:00:00-04:00", &format!(r#","person_id":"P-2"{tz}"#)),
        line(5, "R2", "notice_to_appear_filed", "2025-08-05T10:00:00-04:00", ""),
        line(6, "R2", "decision_issued", "2026-01-05T10:00:00-05:00", r#","outcome":"removal_ordered""#),
        line(7, "R2", "appeal_waived", "2026-01-05T10:30:00-05:00", ""),
        line(8, "R2", "custody_began", "2026-01-05T11:00:00-05:00", ""),
        line(9, "R2", "custody_reviewed", "2026-04-01T10:00:00-04:00", r#","outcome":"continued""#),
        line(10, "R2", "custody_reviewed", "2026-07-01T10:00:00-04:00", r#","outcome":"continued""#),
        line(11, "R3", "case_opened", "2025-08-01T10:00:00-04:00", &format!(r#","person_id":"P-2"{tz}"#)),
        line(12, "R3", "citizenship_claim_raised", "2026-08-01T10:00:00-04:00", ""),
    ]
    .join("\n")
}

fn ctx(purpose: &str) -> ReadContext {
    ReadContext::new(Some("officer.a"), Some(purpose)).expect("context")
}

fn ledger_size(app: &docket_app::App) -> u64 {
    app.with_store(|s| s.ledger_head()).expect("head").0
}

on_both!(
    a_list_of_cases_filters_by_stage_and_deadline_and_is_one_logged_read,
    a_read_needs_a_purpose_and_is_in_the_ledger_before_it_is_returned,
    a_view_as_of_an_instant_shows_nothing_later,
    the_case_view_holds_every_fact_the_text_shows,
    disclosures_are_accounted_for_with_their_packets_hash,
    a_packet_that_cannot_be_staged_is_not_disclosed_and_one_recorded_is_never_thrown_away,
    the_persons_accounting_leaves_out_law_enforcement,
    a_refusal_reaches_the_caller_typed_with_its_rules,
    an_import_accounts_for_every_row,
    the_report_counts_reviews_held_and_reports_unreadable_rows,
    one_app_serves_many_threads,
);

fn a_read_needs_a_purpose_and_is_in_the_ledger_before_it_is_returned(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    import(&app, PERSONS, &history());
    assert!(matches!(ReadContext::new(Some("officer.a"), None), Err(AppError::PurposeRequired { .. })));
    assert!(matches!(ReadContext::new(None, Some("case_work")), Err(AppError::ActorRequired { .. })));
    assert!(matches!(ReadContext::new(Some("officer.a"), Some("curiosity")), Err(AppError::UnknownPurpose(_))));
    let before = ledger_size(&app);
    let view = app.read_case(&ctx("case_work"), "R1", None).expect("read");
    assert_eq!(view.person.as_ref().map(|p| p.name.as_str()), Some("Ana Uno"));
    // The case and the person it shows: two reads, two leaves.
    assert_eq!(ledger_size(&app), before + 2);
    let reads = app
        .with_store(|s| {
            s.accesses(docket_store::AccessedRecord::Person(&docket_core::PersonId::parse("P-1").expect("id")))
        })
        .expect("accesses");
    assert_eq!(reads.len(), 1);
    assert_eq!((reads[0].1.actor.as_str(), reads[0].1.purpose.as_str()), ("officer.a", "case_work"));
    // A case that does not exist is named, and nothing is logged for it.
    let before = ledger_size(&app);
    let err = app.read_case(&ctx("case_work"), "R404", None).expect_err("no such case");
    assert_eq!(err.to_string(), "no case `R404`");
    assert_eq!(ledger_size(&app), before);
    // The timeline shows the person's id and A-number: a read of the case and of the person.
    app.read_timeline(&ctx("oversight"), "R1").expect("timeline");
    assert_eq!(ledger_size(&app), before + 2);
    app.read_person(&ctx("oversight"), "P-2", None).expect("person");
    assert_eq!(ledger_size(&app), before + 3);
}

fn a_view_as_of_an_instant_shows_nothing_later(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    import(&app, PERSONS, &history());
    let before_opening = app.read_case(&ctx("case_work"), "R1", Some(ts("2025-01-01T12:00:00-05:00"))).expect("read");
    assert_eq!(before_opening.stage, "not_yet_opened");
    assert_eq!((before_opening.version, before_opening.events_recorded), (0, 3));
    assert!(before_opening.decision.is_none() && before_opening.appeal_deadline.is_none());
    let before_decision = app.read_case(&ctx("case_work"), "R1", Some(ts("2026-01-01T12:00:00-05:00"))).expect("read");
    assert_eq!(before_decision.stage, "pending_in_court");
    assert!(before_decision.decision.is_none(), "the decision of 2026-03-02 is not shown as of 2026-01-01");
    assert!(before_decision.appeal_deadline.is_none() && before_decision.final_order.is_none());
    let after = app.read_case(&ctx("case_work"), "R1", Some(ts("2026-03-10T12:00:00-05:00"))).expect("read");
    let window = after.appeal_deadline.expect("an appeal window");
    // 30 days from March 2 in New York: April 1, running out at midnight EDT.
    assert_eq!((window.due.as_str(), window.ends_at.as_str()), ("2026-04-01", "2026-04-02T00:00:00-04:00"));
    assert!(window.open);
    // A waiver closes the window: it is not reported open.
    let waived = app.read_case(&ctx("case_work"), "R2", Some(ts("2026-01-06T12:00:00-05:00"))).expect("read");
    let window = waived.appeal_deadline.expect("the window, closed");
    assert!(!window.open, "{window:?}");
    assert_eq!(window.closed_by.and_then(|e| e.number), Some(4));
}

fn the_case_view_holds_every_fact_the_text_shows(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    import(&app, PERSONS, &history());
    let v = app.read_case(&ctx("case_work"), "R2", Some(ts("2026-07-10T12:00:00-04:00"))).expect("read");
    let period = v.removal_period.as_ref().expect("a removal period");
    assert_eq!(period.rule.rule, "removal_period");
    // Both custody reviews were held on time: none is past due.
    assert_eq!(v.custody_reviews.len(), 2);
    assert!(v.custody_reviews.iter().all(|d| d.met_by.is_some() && !d.overdue), "{:?}", v.custody_reviews);
    // Ben's claim in R3 (raised 2026-08-01) is not yet raised on 2026-07-10 ...
    assert!(v.removal_bars.iter().all(|b| b.rule.rule != "citizenship_claim_pending"), "{:?}", v.removal_bars);
    // ... and bars removal in R2 once it is: the claim is about the person.
    let v = app.read_case(&ctx("case_work"), "R2", Some(ts("2026-08-10T12:00:00-04:00"))).expect("read");
    assert_eq!(v.removal_bars.first().map(|b| b.rule.rule), Some("citizenship_claim_pending"), "{:?}", v.removal_bars);
    let claim = app.read_case(&ctx("case_work"), "R3", None).expect("read");
    assert_eq!(claim.citizenship_claim.as_ref().map(|c| c.status), Some("pending"));
    let json = serde_json::to_value(&claim).expect("serializes");
    for field in ["removal_period", "citizenship_claim", "removal_bars", "time_zone", "overstay_penalty", "facts"] {
        assert!(json.get(field).is_some(), "the JSON view has `{field}`");
    }
}

fn disclosures_are_accounted_for_with_their_packets_hash(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    import(&app, PERSONS, &history());
    let actor = ActorId::parse("officer.a").expect("actor");
    let request = DisclosureRequest {
        person_id: "P-2".into(),
        recipient: "Office of the Inspector General".into(),
        address: "245 Murray Lane SW".into(),
        purpose: "audit".into(),
        nature: "case timelines and legal state".into(),
        law_enforcement: false,
    };
    let before = ledger_size(&app);
    let mut delivered = PacketBuffer::new();
    let d = app.disclose(&actor, &request, &mut delivered).expect("disclosed");
    assert_eq!(ledger_size(&app), before + 1, "the disclosure is a ledger leaf");
    assert_eq!(d.cases, 2);
    let bytes = delivered.released().expect("the packet is released");
    assert_eq!(d.packet_sha256, docket_app::packet::sha256_hex(bytes));
    let packet: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
    assert_eq!(packet["format"], "docket-disclosure-packet/1");
    assert_eq!(packet["recipient"]["name"], "Office of the Inspector General");
    let accounting = app.accounting(&ctx("oversight"), "P-2", false).expect("accounting");
    assert_eq!(accounting.disclosures.len(), 1);
    assert_eq!(accounting.disclosures[0].packet_sha256, d.packet_sha256);
    // A request missing what the accounting needs is refused, and nothing is recorded.
    let before = ledger_size(&app);
    let err = app
        .disclose(&actor, &DisclosureRequest { recipient: " ".into(), ..request }, &mut PacketBuffer::new())
        .expect_err("refused");
    assert!(matches!(&err, AppError::Invalid { field, .. } if field == "recipient"), "{err}");
    assert_eq!(ledger_size(&app), before);
}

/// A delivery that fails at one step, and says which steps it was asked to take.
struct Failing {
    at: &'static str,
    steps: Vec<&'static str>,
}

impl PacketDelivery for Failing {
    fn stage(&mut self, _packet: &[u8]) -> Result<(), AppError> {
        self.step("stage")
    }

    fn release(&mut self) -> Result<(), AppError> {
        self.step("release")
    }

    fn discard(&mut self) {
        self.steps.push("discard");
    }
}

impl Failing {
    fn step(&mut self, step: &'static str) -> Result<(), AppError> {
        self.steps.push(step);
        if step == self.at {
            return Err(AppError::Io {
                what: format!("{step} failed"),
                source: std::io::ErrorKind::StorageFull.into(),
            });
        }
        Ok(())
    }
}

fn a_packet_that_cannot_be_staged_is_not_disclosed_and_one_recorded_is_never_thrown_away(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    import(&app, PERSONS, &history());
    let actor = ActorId::parse("officer.a").expect("actor");
    let request = DisclosureRequest {
        person_id: "P-1".into(),
        recipient: "County Court".into(),
        address: "1 Main St".into(),
        purpose: "subpoena".into(),
        nature: "case timelines".into(),
        law_enforcement: false,
    };
    let disclosures = || app.accounting(&ctx("oversight"), "P-1", false).expect("accounting").disclosures;

    let before = ledger_size(&app);
    let mut staging_fails = Failing { at: "stage", steps: Vec::new() };
    let err = app.disclose(&actor, &request, &mut staging_fails).expect_err("not staged");
    assert!(matches!(err, AppError::NotDisclosed { .. }), "{err}");
    assert_eq!(staging_fails.steps, ["stage"], "nothing is released after a failed staging");
    assert_eq!(ledger_size(&app), before, "nothing is recorded");
    assert!(disclosures().is_empty(), "and the accounting lists nothing");

    // Once recorded, a disclosure stays recorded; its packet is kept, not discarded.
    let mut release_fails = Failing { at: "release", steps: Vec::new() };
    let err = app.disclose(&actor, &request, &mut release_fails).expect_err("not released");
    let AppError::NotReleased { id, packet_sha256, .. } = &err else { panic!("{err}") };
    assert_eq!(release_fails.steps, ["stage", "release"], "the packet is not discarded");
    let listed = disclosures();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, &listed[0].packet_sha256), (*id, packet_sha256));
    assert!(err.to_string().starts_with(&format!("disclosure #{id} is recorded")), "{err}");
}

fn the_persons_accounting_leaves_out_law_enforcement(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    import(&app, PERSONS, &history());
    let actor = ActorId::parse("officer.a").expect("actor");
    for law_enforcement in [false, true] {
        let request = DisclosureRequest {
            person_id: "P-1".into(),
            recipient: "Recipient".into(),
            address: "1 Main St".into(),
            purpose: "purpose".into(),
            nature: "nature".into(),
            law_enforcement,
        };
        app.disclose(&actor, &request, &mut PacketBuffer::new()).expect("disclosed");
    }
    assert_eq!(app.accounting(&ctx("oversight"), "P-1", false).expect("all").disclosures.len(), 2);
    for (purpose, for_the_person) in [("oversight", true), ("privacy_act_request", false), ("counsel_request", false)] {
        let a = app.accounting(&ctx(purpose), "P-1", for_the_person).expect("accounting");
        assert!(a.law_enforcement_withheld, "{purpose}");
        assert_eq!(a.disclosures.len(), 1, "{purpose}: 5 U.S.C. 552a(c)(3)");
        assert!(!a.disclosures[0].law_enforcement_b7);
    }
}

fn a_refusal_reaches_the_caller_typed_with_its_rules(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    import(&app, PERSONS, &history());
    let removal =
        docket_store::wire::parse_event_line(&line(50, "R1", "removal_carried_out", "2026-03-20T10:00:00-04:00", ""))
            .expect("event");
    let err = app.record_event(removal.clone(), Expected::Any).expect_err("refused");
    let refusal = err.refusal().expect("a refusal, not another error");
    let rules: Vec<Rule> = refusal.rules().collect();
    assert_eq!(rules, vec![Rule::AutomaticStayAppealWindow, Rule::NoFinalOrder], "{refusal}");
    assert!(!err.is_retryable());
    // After the window, removal is lawful; sent twice, it is stored once.
    let mut later = removal;
    later.effective_at = ts("2026-04-10T10:00:00-04:00");
    later.recorded_at = later.effective_at;
    later.id = EventId::from_u128(51);
    assert_eq!(app.record_event(later.clone(), Expected::Any).expect("stored"), Recorded::Stored { version: 4 });
    assert_eq!(
        app.record_event(later.clone(), Expected::Any).expect("idempotent"),
        Recorded::AlreadyStored { event_id: later.id }
    );
    assert!(matches!(later.body, EventBody::RemovalCarriedOut { .. }));
}

fn an_import_accounts_for_every_row(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    let mut events = history();
    events.push('\n');
    events.push_str(&line(60, "R1", "removal_carried_out", "2026-03-20T10:00:00-04:00", ""));
    events.push_str("\n{not json\n");
    events.push_str(&line(61, "R9", "case_opened", "2025-01-01T10:00:00-05:00", r#","person_id":"P-404""#));
    let (report, sink) = import(&app, PERSONS, &events);
    assert_eq!(report.files[0].kind, docket_app::SourceKind::Persons, "persons are imported first");
    assert_eq!((report.rows(), report.rejected()), (2 + 15, 3));
    assert_eq!(sink.committed.len() as u64, report.events_stored());
    let lines: Vec<(u64, &str, Option<&str>)> =
        sink.rejects.iter().map(|r| (r.line, r.field.as_str(), r.rule)).collect();
    assert_eq!(
        lines,
        vec![(13, "type", Some("automatic_stay_appeal_window")), (14, "(record)", None), (15, "person_id", None)]
    );
}

fn the_report_counts_reviews_held_and_reports_unreadable_rows(db: &Db) {
    let app = db.app("2026-07-10T16:00:00Z");
    import(&app, PERSONS, &history());
    let r = app.report(None, 30).expect("report");
    assert_eq!((r.cases, r.detained, r.custody_reviews_past_due), (3, 1, 0), "{r:?}");
    db.raw("UPDATE case_projection SET summary = 'garbage' WHERE case_id = 'R3'");
    let r = app.report(None, 30).expect("the report still runs");
    assert_eq!(r.cases, 2);
    assert_eq!(r.unreadable.len(), 1);
    assert!(r.unreadable[0].error.contains("`R3`"), "{:?}", r.unreadable);
}

fn one_app_serves_many_threads(db: &Db) {
    let app = Arc::new(db.app("2026-12-01T12:00:00Z"));
    import(&app, PERSONS, &history());
    let before = ledger_size(&app);
    let threads: Vec<_> = (0..6)
        .map(|i| {
            let app = Arc::clone(&app);
            std::thread::spawn(move || {
                for k in 0..5 {
                    let case = ["R1", "R2", "R3"][(i + k) % 3];
                    app.read_case(&ctx("case_work"), case, None).expect("read");
                }
                let hearing = line(
                    100 + i as u32,
                    "R1",
                    "hearing_scheduled",
                    "2026-03-05T10:00:00-05:00",
                    r#","hearing_kind":"master","at":"2026-06-01T09:00:00-04:00""#,
                );
                let e = docket_store::wire::parse_event_line(&hearing).expect("event");
                app.record_event(e, Expected::Any)
            })
        })
        .collect();
    let mut versions: Vec<u64> = threads
        .into_iter()
        .map(|t| match t.join().expect("thread").expect("stored") {
            Recorded::Stored { version } => version,
            other => panic!("{other:?}"),
        })
        .collect();
    // Six writers of one case at once: each event lands at a version of its own.
    versions.sort_unstable();
    assert_eq!(versions, (4..=9).collect::<Vec<u64>>());
    // 30 reads, each a case and a person, and 6 events: 66 leaves, none lost or doubled.
    assert_eq!(ledger_size(&app), before + 66);
}

fn a_list_of_cases_filters_by_stage_and_deadline_and_is_one_logged_read(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    import(&app, PERSONS, &history());
    let stage = app.read_case(&ctx("case_work"), "R1", None).expect("read").stage;
    let at = docket_core::Stage::ALL.into_iter().find(|s| s.name() == stage).expect("a stage");
    let other = docket_core::Stage::ALL.into_iter().find(|s| *s != at).expect("another stage");
    let before = ledger_size(&app);
    let all = docket_app::CaseFilter { stage: None, due_within_days: None, limit: 10 };
    let listed = app.list_cases(&ctx("oversight"), &all, None).expect("list");
    assert!(listed.cases.iter().any(|c| c.case_id == "R1"), "{listed:?}");
    assert_eq!(ledger_size(&app), before + 1, "one read, one leaf");
    let reads = app.with_store(|s| s.accesses(docket_store::AccessedRecord::Cases(&listed.filter))).expect("reads");
    assert_eq!(reads.len(), 1);
    let only = docket_app::CaseFilter { stage: Some(at), ..all.clone() };
    let listed = app.list_cases(&ctx("oversight"), &only, None).expect("list");
    assert!(listed.cases.iter().all(|c| c.stage == stage) && listed.matching >= 1);
    let none = docket_app::CaseFilter { stage: Some(other), ..all.clone() };
    assert!(app.list_cases(&ctx("oversight"), &none, None).expect("list").cases.iter().all(|c| c.case_id != "R1"));
    // A deadline filter keeps only cases with one due within the days given.
    let due = docket_app::CaseFilter { due_within_days: Some(0), ..all };
    let listed = app.list_cases(&ctx("oversight"), &due, None).expect("list");
    assert!(listed.cases.iter().all(|c| c.next_deadline.is_some()), "{listed:?}");
    let missing = ReadContext::new(Some("officer.a"), None).map(|_| ()).expect_err("a purpose is required");
    assert!(missing.to_string().contains("purpose"));
}

/// The way to move a docket from SQLite to PostgreSQL: export, then import there.
#[test]
fn a_docket_exported_from_sqlite_imports_into_postgresql_unchanged() {
    let (from, to) = (Db::sqlite(), Db::postgres());
    let (a, b) = (from.app("2026-12-01T12:00:00Z"), to.app("2026-12-01T12:00:00Z"));
    import(&a, PERSONS, &history());
    let (mut persons, mut events) = (Vec::new(), Vec::new());
    let exported = a.export(&ctx("data_correction"), &mut persons, &mut events).expect("export");
    assert_eq!((exported.persons, exported.events), (2, history().lines().count() as u64));
    let (report, sink) = common::import_bytes(&b, &persons, &events);
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);
    assert_eq!(report.events_stored(), exported.events);
    assert_eq!(a.report(None, 30).expect("report"), b.report(None, 30).expect("report"));
    let (x, y) = (
        a.read_case(&ctx("oversight"), "R1", None).expect("case"),
        b.read_case(&ctx("oversight"), "R1", None).expect("case"),
    );
    assert_eq!(x, y);
    let (x, y) = (
        a.read_person(&ctx("oversight"), "P-1", None).expect("person"),
        b.read_person(&ctx("oversight"), "P-1", None).expect("person"),
    );
    assert_eq!((x.name, x.a_number, x.date_of_birth), (y.name, y.a_number, y.date_of_birth));
}
