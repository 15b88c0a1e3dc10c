//! The departure report and the withdrawal of a verification, against the library on both
//! databases: each figure of the report from a small docket built for it, and a withdrawal
//! that puts a case back among those with no departure recorded.

mod common;

use common::{Db, import, line};
use docket_app::departure_report::{DepartureReport, FeedCounts, ReportWindow};
use docket_app::matching::{FeedSettings, RecallEstimate};
use docket_app::{AppError, Recorded};
use docket_core::{ActorId, Date, Reason, Rule};
use docket_store::departures::{NewDeparture, Outcome};
use docket_store::ledger::DepartureActRow;

const NOW: &str = "2026-12-01T12:00:00Z";

const PERSONS: &str = "\
person_id,a_number,given_names,family_names,name_order,aliases,date_of_birth,sex,nationality,passport_number,passport_country,passport_expiry
P-1,A111111111,Ana,Uno,,,1990-01-01,F,SLV,,,
P-2,A222222222,Ben,Dos,,,1985-05-05,M,GTM,,,
P-3,A333333333,Cruz,Tres,,,1980-03-03,F,HND,,,
P-4,A444444444,Dora,Cuatro,,,1975-04-04,F,MEX,,,
P-5,A555555555,Eli,Cinco,,,1970-05-05,M,SLV,,,
P-6,A666666666,Fe,Seis,,,1995-06-06,F,GTM,,,
P-7,A777777777,Gil,Siete,,,1991-07-07,M,HND,,,
";

/// V1–V4: voluntary departure granted, to leave by 2026-07-31 (V4: by 2026-12-31); V1 leaves
/// on time, V2 late, V3 not at all (as far as is recorded), V4 is still within the period.
/// F1–F3: removal ordered on 2026-03-02, final when the appeal window ran out (2026-04-02);
/// F1 departed, F2 did not as far as is recorded, F3's departure was verified and is withdrawn
/// by the test.
fn docket() -> String {
    let tz = r#","time_zone":"America/New_York""#;
    let mut lines = Vec::new();
    let mut n = 0;
    let mut push = |case: &str, ty: &str, at: &str, extra: &str| {
        n += 1;
        lines.push(line(n, case, ty, at, extra));
    };
    for (case, person) in [("V1", "P-1"), ("V2", "P-2"), ("V3", "P-3"), ("V4", "P-4")] {
        push(case, "case_opened", "2025-05-20T10:00:00-04:00", &format!(r#","person_id":"{person}"{tz}"#));
        push(case, "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", "");
    }
    let vd = r#","outcome":"voluntary_departure","voluntary_departure_deadline":"2026-07-31""#;
    for case in ["V1", "V2", "V3"] {
        push(case, "decision_issued", "2026-06-01T10:00:00-04:00", vd);
    }
    let vd4 = r#","outcome":"voluntary_departure","voluntary_departure_deadline":"2026-12-31""#;
    push("V4", "decision_issued", "2026-11-02T10:00:00-05:00", vd4);
    push("V1", "departure_verified", "2026-07-20T10:00:00-04:00", r#","departed_on":"2026-07-15""#);
    push("V2", "departure_verified", "2026-09-10T10:00:00-04:00", r#","departed_on":"2026-09-01""#);
    for (case, person) in [("F1", "P-5"), ("F2", "P-6"), ("F3", "P-7")] {
        push(case, "case_opened", "2025-05-20T10:00:00-04:00", &format!(r#","person_id":"{person}"{tz}"#));
        push(case, "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", "");
        push(case, "decision_issued", "2026-03-02T10:00:00-05:00", r#","outcome":"removal_ordered""#);
    }
    push("F1", "departure_verified", "2026-05-10T10:00:00-04:00", r#","departed_on":"2026-05-01""#);
    push("F3", "departure_verified", "2026-05-10T10:00:00-04:00", r#","departed_on":"2026-05-02""#);
    lines.join("\n")
}

/// A record of the feed as the store keeps it.
fn record(key: &str, day: &str, port: &str, outcome: Outcome, purge_after: Option<&str>) -> NewDeparture {
    NewDeparture {
        key: key.into(),
        received_at: "2026-11-25T00:00:00Z".into(),
        departed_on: day.into(),
        port: port.into(),
        payload: "{}".into(),
        outcome,
        purge_after: purge_after.map(str::to_owned),
        review: (outcome == Outcome::Review).then(|| DepartureActRow {
            kind: "review_opened".into(),
            at: "2026-11-25T00:00:00Z".into(),
            actor: "feed.departures".into(),
            subject: key.into(),
            detail: r#"{"model":"persons:sha256:0000000000000000","why":"test","candidates":[]}"#.into(),
        }),
    }
}

fn counts(received: i64, verified: i64, in_review: i64, unmatched: i64, purged: i64) -> FeedCounts {
    FeedCounts { received, verified, in_review, unmatched, purged }
}

fn report(app: &docket_app::App, window: ReportWindow) -> DepartureReport {
    app.departure_report(window).expect("report")
}

on_both!(the_report_shows_each_figure, a_withdrawal_puts_the_case_back_among_those_not_recorded);

fn the_report_shows_each_figure(db: &Db) {
    let app = db.app(NOW);
    let (_, sink) = import(&app, PERSONS, &docket());
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);
    // The feed: at JFK on 2026-11-20 one record verified, one sent to review and rejected, one
    // unmatched; at MIA on 2026-11-21 one still in review and one unmatched, kept a while longer.
    let placed = app
        .with_store(|s| {
            s.store_departures(&[
                record("t/1", "2026-11-20", "JFK", Outcome::Verified, None),
                record("t/2", "2026-11-20", "JFK", Outcome::Review, None),
                record("t/3", "2026-11-20", "JFK", Outcome::Unmatched, Some("2026-11-30T00:00:00Z")),
                record("t/4", "2026-11-21", "MIA", Outcome::Review, None),
                record("t/5", "2026-11-21", "MIA", Outcome::Unmatched, Some("2026-12-05T00:00:00Z")),
            ])
        })
        .expect("stored");
    let rejected = match placed[1] {
        docket_store::departures::Placed::Stored { review: Some(id) } => id,
        other => panic!("a review item: {other:?}"),
    };
    let reviewer = ActorId::parse("officer.r").expect("actor");
    let at_once = FeedSettings { retention_hours: 0, ..FeedSettings::new() };
    app.decide_review(&reviewer, rejected, None, &Reason::parse("another person").expect("reason"), &at_once)
        .expect("rejected");
    // The rejected record and the unmatched one past its window go; the other is kept.
    assert_eq!(app.purge_departures(&FeedSettings::new()).expect("purge").records, 2);

    let r = report(&app, ReportWindow::default());
    let rows: Vec<(&str, &str, FeedCounts)> =
        r.days.iter().map(|d| (d.day.as_str(), d.port.as_str(), d.counts)).collect();
    assert_eq!(rows, vec![("2026-11-20", "JFK", counts(3, 1, 0, 2, 2)), ("2026-11-21", "MIA", counts(2, 0, 1, 1, 0))]);
    assert_eq!(r.totals, counts(5, 1, 1, 3, 2));
    // INVARIANT: every record received is verified, in review or unmatched; purged ones are
    // among the unmatched.
    assert_eq!(r.totals.received, r.totals.verified + r.totals.in_review + r.totals.unmatched);

    let vd = r.voluntary_departure;
    assert_eq!(
        (vd.cases, vd.on_time, vd.late, vd.not_recorded, vd.still_within_period, vd.removed, vd.closed_otherwise),
        (4, 1, 1, 1, 1, 0, 0),
        "{vd:?}"
    );
    // Final orders: F1–F3, and V2 and V3, whose alternate orders took effect when the period
    // ran out. Out of the country: F1, F3 and V2 (left late).
    let fo = &r.final_order;
    assert_eq!((fo.cases, fo.departed, fo.removed, fo.no_departure_recorded), (5, 3, 0, 2), "{fo:?}");
    assert_eq!((fo.model.as_deref(), fo.estimated_recall.as_ref()), (None, None), "no model adopted yet");

    // A window bounds the feed by day of departure, voluntary departure by its deadline and
    // final orders by the day they became final.
    let day = |d: &str| Some(Date::parse(d).expect("date"));
    let july = report(&app, ReportWindow::new(day("2026-07-01"), day("2026-07-31")).expect("window"));
    assert!(july.days.is_empty() && july.totals == FeedCounts::default());
    assert_eq!((july.voluntary_departure.cases, july.voluntary_departure.still_within_period), (3, 0));
    assert_eq!(july.final_order.cases, 0);
    let april = report(&app, ReportWindow::new(day("2026-04-01"), day("2026-04-30")).expect("window"));
    assert_eq!(
        (april.final_order.cases, april.final_order.departed, april.final_order.no_departure_recorded),
        (3, 2, 1)
    );
    let nov21 = report(&app, ReportWindow::new(day("2026-11-21"), None).expect("window"));
    assert_eq!(nov21.totals, counts(2, 0, 1, 1, 0));
    let backwards = ReportWindow::new(day("2026-08-01"), day("2026-07-01")).expect_err("from after to");
    assert_eq!(backwards.to_string(), "`from`: 2026-08-01 is after `to` (2026-07-01)");

    // The recall recorded with the model in force is shown beside the final orders.
    let estimate = RecallEstimate::of([0.9995, 0.5, 0.05].into_iter(), 2.0, &FeedSettings::new());
    assert_eq!((estimate.clear, estimate.with_review), (Some(0.9995 / 2.0), Some(1.4995 / 2.0)));
    app.with_store(|s| {
        s.record_departure_act(&DepartureActRow {
            kind: "model_adopted".into(),
            at: NOW.into(),
            actor: "officer.r".into(),
            subject: "persons:sha256:0123456789abcdef".into(),
            detail: serde_json::json!({"model": "{}", "estimated_recall": estimate}).to_string(),
        })
    })
    .expect("adopted");
    let r = report(&app, ReportWindow::default());
    assert_eq!(r.final_order.model.as_deref(), Some("persons:sha256:0123456789abcdef"));
    assert_eq!(r.final_order.estimated_recall.as_ref(), Some(&estimate));
}

#[test]
fn a_fit_that_expects_no_match_estimates_no_recall() {
    let none = RecallEstimate::of([0.2].into_iter(), 1.0, &FeedSettings::new());
    assert_eq!((none.clear, none.with_review), (None, None));
    // Shares never pass one, whatever rounding does to the sums.
    let all = RecallEstimate::of([1.0, 1.0].into_iter(), 1.9999, &FeedSettings::new());
    assert_eq!((all.clear, all.with_review), (Some(1.0), Some(1.0)));
}

fn a_withdrawal_puts_the_case_back_among_those_not_recorded(db: &Db) {
    let app = db.app(NOW);
    let (_, sink) = import(&app, PERSONS, &docket());
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);
    let officer = ActorId::parse("officer.w").expect("actor");
    let reason = Reason::parse("the record was another traveller's").expect("reason");
    let before = report(&app, ReportWindow::default()).final_order;
    let done = app.withdraw_departure_verification(&officer, "F3", &reason).expect("withdrawn");
    assert!(matches!(done, Recorded::Stored { version: 5 }), "{done:?}");
    let after = report(&app, ReportWindow::default()).final_order;
    assert_eq!((after.departed, after.no_departure_recorded), (before.departed - 1, before.no_departure_recorded + 1));
    let summary = app
        .with_store(|s| s.summary(&docket_core::CaseId::parse("F3").expect("case")))
        .expect("summary")
        .expect("case");
    assert_eq!(summary.departed_on, None);
    // The withdrawal is the officer's event, with its reason.
    let events = app.with_store(|s| s.events(&docket_core::CaseId::parse("F3").expect("case"))).expect("events");
    let last = events.last().expect("an event");
    assert_eq!(last.recorded_by, officer);
    assert!(
        matches!(&last.body, docket_core::EventBody::DepartureVerificationWithdrawn { reason: r } if *r == reason),
        "{last:?}"
    );
    // Without a standing verification: the rule's refusal. An unknown case: named.
    for case in ["F3", "F2"] {
        let err = app.withdraw_departure_verification(&officer, case, &reason).expect_err("nothing to withdraw");
        let rules: Vec<Rule> = err.refusal().expect("a refusal").rules().collect();
        assert_eq!(rules, vec![Rule::NothingToActOn], "{err}");
        assert!(err.to_string().contains("no verified departure stands to withdraw"), "{err}");
    }
    let err = app.withdraw_departure_verification(&officer, "F404", &reason).expect_err("no such case");
    assert!(matches!(err, AppError::NotFound { what: "case", .. }), "{err}");
}
