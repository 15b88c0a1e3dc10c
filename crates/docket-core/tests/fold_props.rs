//! Property tests of the fold and the command rules: any history folds and answers every
//! question without panicking, and in a history of accepted events removal is never let
//! through while the law forbids it.

mod common;

use docket_core::{
    AppealOutcome, Appellant, CaseId, CaseState, CitizenshipFinding, CitizenshipStatus, CloseReason, Country,
    CustodyReviewOutcome, Date, DecisionOutcome, DocumentKind, Event, EventBody, HearingKind, PersonId, ProtectionKind,
    ReleaseKind, ReliefKind, Timestamp, TravelDocument, decide,
};
use proptest::prelude::*;
use proptest::sample::select;

/// 2025-01-01T00:00:00Z.
const BASE: i64 = 1_735_689_600;
const DAY: i64 = 86_400;
/// UTC offsets of immigration courts (Honolulu to Saipan), in minutes.
const OFFSETS: [i16; 8] = [-600, -540, -480, -420, -360, -300, -240, 600];

fn offset() -> impl Strategy<Value = i16> {
    prop_oneof![9 => select(OFFSETS.to_vec()), 1 => -1080i16..=1080]
}

/// An instant, mostly within three years of 2025, sometimes anywhere Docket accepts.
fn instant() -> impl Strategy<Value = Timestamp> {
    let lo = Timestamp::parse("1800-01-02T00:00:00Z").expect("lower bound").unix_seconds();
    let hi = Timestamp::parse("2200-12-30T00:00:00Z").expect("upper bound").unix_seconds();
    prop_oneof![
        9 => (0..3 * 365 * DAY, offset()).prop_map(|(s, o)| at(BASE + s, o)),
        1 => (lo..=hi, offset()).prop_map(|(s, o)| at(s, o)),
    ]
}

fn at(secs: i64, offset: i16) -> Timestamp {
    Timestamp::from_unix(secs, offset).expect("generated instants are in range")
}

fn date() -> impl Strategy<Value = Date> {
    instant().prop_map(Timestamp::local_date)
}

fn relief() -> impl Strategy<Value = ReliefKind> {
    select(ReliefKind::ALL.to_vec())
}

fn protection() -> impl Strategy<Value = ProtectionKind> {
    select(ProtectionKind::ALL.to_vec())
}

fn hearing_kind() -> impl Strategy<Value = HearingKind> {
    select(vec![HearingKind::Master, HearingKind::Individual, HearingKind::Bond])
}

fn appellant() -> impl Strategy<Value = Appellant> {
    select(vec![Appellant::Respondent, Appellant::Dhs])
}

fn appeal_outcome() -> impl Strategy<Value = AppealOutcome> {
    select(vec![
        AppealOutcome::Dismissed,
        AppealOutcome::RemovalOrdered,
        AppealOutcome::ReliefGranted,
        AppealOutcome::Remanded,
    ])
}

fn finding() -> impl Strategy<Value = CitizenshipFinding> {
    select(vec![CitizenshipFinding::Citizen, CitizenshipFinding::NotCitizen])
}

fn release() -> impl Strategy<Value = ReleaseKind> {
    prop_oneof![
        any::<u32>().prop_map(|amount_usd| ReleaseKind::Bond { amount_usd }),
        Just(ReleaseKind::Recognizance),
        Just(ReleaseKind::Parole),
        Just(ReleaseKind::AlternativesToDetention),
    ]
}

fn review_outcome() -> impl Strategy<Value = CustodyReviewOutcome> {
    select(vec![CustodyReviewOutcome::Continued, CustodyReviewOutcome::ReleaseOrdered])
}

fn close_reason() -> impl Strategy<Value = CloseReason> {
    select(CloseReason::ALL.to_vec())
}

fn late_basis() -> impl Strategy<Value = Option<String>> {
    prop_oneof![Just(None), Just(Some(String::new())), Just(Some("board certification".to_owned()))]
}

fn travel_document() -> impl Strategy<Value = TravelDocument> {
    let kinds = vec![
        DocumentKind::Passport,
        DocumentKind::NationalId,
        DocumentKind::RefugeeTravelDocument,
        DocumentKind::LaissezPasser,
        DocumentKind::Other,
    ];
    (select(kinds), "[A-Z0-9]{5,20}", select(vec!["MEX", "GTM", "HND", "IND", "CHN"]), proptest::option::of(date()))
        .prop_map(|(kind, number, country, expiry)| {
            let country = Country::parse(country).expect("known country");
            TravelDocument::new(kind, &number, country, expiry).expect("valid document number")
        })
}

fn decision_outcome(deadline: impl Strategy<Value = Date> + 'static) -> impl Strategy<Value = DecisionOutcome> {
    prop_oneof![
        3 => Just(DecisionOutcome::RemovalOrdered),
        2 => Just(DecisionOutcome::RemovalOrderedInAbsentia),
        2 => deadline.prop_map(|deadline| DecisionOutcome::VoluntaryDeparture { deadline }),
        2 => relief().prop_map(DecisionOutcome::ReliefGranted),
        1 => Just(DecisionOutcome::Terminated),
    ]
}

/// Any event body at all, with times anywhere: every variant of [`EventBody`].
fn any_body() -> impl Strategy<Value = EventBody> {
    let a_number = proptest::option::of(
        (1u32..=999_999_999).prop_map(|n| docket_core::ANumber::parse(&format!("{n:09}")).expect("nine digits")),
    );
    prop_oneof![
        a_number.prop_map(|a_number| EventBody::CaseOpened {
            person_id: PersonId::parse("P-1").expect("valid id"),
            a_number
        }),
        Just(EventBody::NoticeToAppearServed),
        Just(EventBody::NoticeToAppearFiled),
        (hearing_kind(), instant()).prop_map(|(kind, at)| EventBody::HearingScheduled { kind, at }),
        hearing_kind().prop_map(|kind| EventBody::HearingHeld { kind }),
        proptest::option::of(instant()).prop_map(|until| EventBody::HearingAdjourned { until }),
        relief().prop_map(|relief| EventBody::ReliefApplicationFiled { relief }),
        relief().prop_map(|relief| EventBody::ReliefApplicationGranted { relief }),
        relief().prop_map(|relief| EventBody::ReliefApplicationDenied { relief }),
        relief().prop_map(|relief| EventBody::ReliefApplicationWithdrawn { relief }),
        (protection(), instant(), proptest::option::of(instant()))
            .prop_map(|(protection, from, until)| EventBody::ProtectionGranted { protection, from, until }),
        protection().prop_map(|protection| EventBody::ProtectionExpired { protection }),
        protection().prop_map(|protection| EventBody::ProtectionTerminated { protection }),
        decision_outcome(date()).prop_map(|outcome| EventBody::DecisionIssued { outcome }),
        (appellant(), late_basis())
            .prop_map(|(by, late_filing_basis)| EventBody::AppealFiled { by, late_filing_basis }),
        Just(EventBody::AppealWaived),
        (appeal_outcome(), proptest::option::of(date())).prop_map(|(outcome, voluntary_departure_until)| {
            EventBody::AppealDecided { outcome, voluntary_departure_until }
        }),
        Just(EventBody::PetitionForReviewFiled),
        Just(EventBody::MotionToReopenFiled),
        any::<bool>().prop_map(|granted| EventBody::MotionToReopenDecided { granted }),
        Just(EventBody::CitizenshipClaimRaised),
        finding().prop_map(|finding| EventBody::CitizenshipClaimResolved { finding }),
        Just(EventBody::CustodyBegan),
        review_outcome().prop_map(|outcome| EventBody::CustodyReviewed { outcome }),
        release().prop_map(|release| EventBody::CustodyReleased { release }),
        Just(EventBody::CustodyTransferred),
        travel_document().prop_map(|document| EventBody::TravelDocumentObtained { document }),
        date().prop_map(|departed_on| EventBody::DepartureVerified { departed_on }),
        Just(EventBody::RemovalCarriedOut),
        close_reason().prop_map(|reason| EventBody::CaseClosed { reason }),
    ]
}

/// Event `n` of case `C-1`, or of the foreign case `C-2`.
fn event(n: u128, foreign: bool, effective_at: Timestamp, body: EventBody) -> Event {
    let mut e = common::event(n, effective_at, body).expect("valid envelope");
    if foreign {
        e.case_id = CaseId::parse("C-2").expect("valid id");
    }
    e
}

/// Asks every question the projection and the clocks answer; none may panic.
fn ask_everything(state: &CaseState, probes: &[(Timestamp, i32)]) {
    let _ = state.appeal_deadline();
    let _ = state.voluntary_departure_deadline();
    let _ = state.final_order();
    let _ = state.protection_periods();
    let _ = state.removal_period();
    let _ = state.post_order_custody_reviews();
    if let Some(summary) = state.summary() {
        for &(t, days) in probes {
            let _ = summary.stage_at(t);
            let _ = summary.final_at(t);
            let _ = summary.open_at(t);
            let _ = summary.protections_in_force(t).count();
            let _ = summary.deadlines_within(t, days);
        }
    }
}

fn day_count() -> impl Strategy<Value = i32> {
    prop_oneof![8 => -1000i32..=1000, 1 => Just(i32::MAX), 1 => Just(i32::MIN)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the events, in whatever order and for whichever case, the fold and every
    /// question about its result complete, and the version counts the case's own events.
    #[test]
    fn any_history_folds_and_answers(
        history in prop::collection::vec((prop::bool::weighted(0.1), instant(), any_body()), 0..=60),
        probes in prop::collection::vec((instant(), day_count()), 1..6),
    ) {
        let mut state = CaseState::default();
        let mut events = Vec::with_capacity(history.len());
        for (n, (foreign, t, body)) in history.into_iter().enumerate() {
            let e = event(n as u128 + 1, foreign, t, body);
            let _ = decide(&state, &e);
            state.apply(&e);
            ask_everything(&state, &probes);
            events.push(e);
        }
        let own = events.first().map_or(0, |first| events.iter().filter(|e| e.case_id == first.case_id).count());
        prop_assert_eq!(state.version, own as u64);
        prop_assert_eq!(state.summary().is_some(), !events.is_empty());
        prop_assert_eq!(CaseState::from_events(&events), state);
    }
}

/// An event body placed relative to the time it takes effect, so that generated histories
/// hang together: hearings after scheduling, protections around now, departure periods ahead.
#[derive(Debug, Clone)]
enum Step {
    Fixed(EventBody),
    HearingIn(HearingKind, i64),
    AdjournedBy(Option<i64>),
    Protection(ProtectionKind, i64, Option<i64>),
    Decision(DecisionOutcome, i64),
    BoardDecision(AppealOutcome, Option<i64>),
    DepartedDaysAgo(i64),
}

impl Step {
    fn body(&self, t: Timestamp) -> EventBody {
        let later = |secs: i64| t.plus_seconds(secs);
        let days_later = |days: i64| t.plus_seconds(days * DAY).local_date();
        match self {
            Step::Fixed(body) => body.clone(),
            Step::HearingIn(kind, secs) => EventBody::HearingScheduled { kind: *kind, at: later(*secs) },
            Step::AdjournedBy(secs) => EventBody::HearingAdjourned { until: secs.map(later) },
            Step::Protection(protection, start, length) => EventBody::ProtectionGranted {
                protection: *protection,
                from: later(*start),
                until: length.map(|l| later(*start + l)),
            },
            Step::Decision(outcome, vd_days) => EventBody::DecisionIssued {
                outcome: match outcome {
                    DecisionOutcome::VoluntaryDeparture { .. } => {
                        DecisionOutcome::VoluntaryDeparture { deadline: days_later(*vd_days) }
                    }
                    other => *other,
                },
            },
            Step::BoardDecision(outcome, vd_days) => {
                EventBody::AppealDecided { outcome: *outcome, voluntary_departure_until: vd_days.map(days_later) }
            }
            Step::DepartedDaysAgo(days) => EventBody::DepartureVerified { departed_on: days_later(-*days) },
        }
    }
}

/// Steps weighted towards the events that move the legal clocks.
fn lawful_step() -> impl Strategy<Value = Step> {
    let fixed = |b: EventBody| Just(Step::Fixed(b));
    let placeholder = Date::parse("2025-01-01").expect("valid date");
    prop_oneof![
        8 => fixed(EventBody::NoticeToAppearFiled),
        1 => fixed(EventBody::NoticeToAppearServed),
        2 => (hearing_kind(), 0..90 * DAY).prop_map(|(k, s)| Step::HearingIn(k, s)),
        1 => hearing_kind().prop_map(|kind| Step::Fixed(EventBody::HearingHeld { kind })),
        1 => proptest::option::of(0..90 * DAY).prop_map(Step::AdjournedBy),
        10 => (decision_outcome(Just(placeholder)), -5i64..120).prop_map(|(o, d)| Step::Decision(o, d)),
        4 => (appellant(), late_basis())
            .prop_map(|(by, late_filing_basis)| Step::Fixed(EventBody::AppealFiled { by, late_filing_basis })),
        2 => fixed(EventBody::AppealWaived),
        4 => (appeal_outcome(), proptest::option::of(-5i64..90)).prop_map(|(o, d)| Step::BoardDecision(o, d)),
        2 => fixed(EventBody::PetitionForReviewFiled),
        2 => fixed(EventBody::MotionToReopenFiled),
        2 => any::<bool>().prop_map(|granted| Step::Fixed(EventBody::MotionToReopenDecided { granted })),
        2 => fixed(EventBody::CitizenshipClaimRaised),
        3 => finding().prop_map(|finding| Step::Fixed(EventBody::CitizenshipClaimResolved { finding })),
        2 => fixed(EventBody::CustodyBegan),
        1 => review_outcome().prop_map(|outcome| Step::Fixed(EventBody::CustodyReviewed { outcome })),
        1 => release().prop_map(|release| Step::Fixed(EventBody::CustodyReleased { release })),
        1 => fixed(EventBody::CustodyTransferred),
        4 => (protection(), -30 * DAY..60 * DAY, proptest::option::of(1..240 * DAY))
            .prop_map(|(p, start, length)| Step::Protection(p, start, length)),
        1 => protection().prop_map(|protection| Step::Fixed(EventBody::ProtectionExpired { protection })),
        2 => protection().prop_map(|protection| Step::Fixed(EventBody::ProtectionTerminated { protection })),
        2 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationFiled { relief })),
        1 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationGranted { relief })),
        1 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationDenied { relief })),
        1 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationWithdrawn { relief })),
        1 => travel_document().prop_map(|document| Step::Fixed(EventBody::TravelDocumentObtained { document })),
        1 => (-3i64..20).prop_map(Step::DepartedDaysAgo),
        6 => fixed(EventBody::RemovalCarriedOut),
        1 => close_reason().prop_map(|reason| Step::Fixed(EventBody::CaseClosed { reason })),
    ]
}

/// Time to the next event: often none or minutes, sometimes weeks; now and then backwards.
fn step_delta() -> impl Strategy<Value = i64> {
    prop_oneof![2 => Just(0i64), 3 => 0..3600i64, 6 => 0..45 * DAY, 1 => -DAY..0]
}

/// If the rules accept a removal at `t`, nothing may stand in its way at `t`: the order is
/// final, no protection or stay is in force and no claim to citizenship is pending.
fn check_removal_gate(state: &CaseState, n: u128, t: Timestamp) -> Result<(), TestCaseError> {
    let removal = event(n, false, t, EventBody::RemovalCarriedOut);
    if decide(state, &removal).is_err() {
        return Ok(());
    }
    let summary = state.summary().expect("an opened case has a summary");
    let in_force: Vec<_> = summary.protections_in_force(t).map(|p| p.kind.name()).collect();
    prop_assert!(in_force.is_empty(), "removal accepted at {} while {:?} in force", t, in_force);
    prop_assert!(
        state.final_order().is_some_and(|f| f.at <= t),
        "removal accepted at {} without a final order (final: {:?})",
        t,
        state.final_order()
    );
    prop_assert!(summary.final_at(t));
    prop_assert!(!state.citizenship_claim_pending(), "removal accepted at {} with a citizenship claim pending", t);
    prop_assert_ne!(summary.citizenship, CitizenshipStatus::Citizen);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Keeping only the events the rules accept gives a lawful history. In it, removal is
    /// never accepted while the law forbids it; the fold notes no anomaly (the rules and the
    /// fold agree on what fits); and folding the same events again gives the same state.
    #[test]
    fn lawful_histories_never_remove_the_protected(
        steps in prop::collection::vec(
            (step_delta(), offset(), prop::bool::weighted(0.05), lawful_step(), 0..200 * DAY),
            0..=60,
        ),
    ) {
        let mut state = CaseState::default();
        let mut accepted: Vec<Event> = Vec::new();
        let mut t = at(BASE, -300);
        let opened = event(1, false, t, EventBody::CaseOpened {
            person_id: PersonId::parse("P-1").expect("valid id"),
            a_number: None,
        });
        decide(&state, &opened).map_err(|r| TestCaseError::fail(r.to_string()))?;
        state.apply(&opened);
        accepted.push(opened);
        for (n, (delta, offset, foreign, step, probe)) in steps.into_iter().enumerate() {
            let id = n as u128 + 2;
            t = at(t.unix_seconds() + delta, offset);
            let candidate = event(id, foreign, t, step.body(t));
            check_removal_gate(&state, id, t)?;
            check_removal_gate(&state, id, t.plus_seconds(probe))?;
            if decide(&state, &candidate).is_ok() {
                state.apply(&candidate);
                accepted.push(candidate);
            }
        }
        prop_assert!(state.anomalies.is_empty(), "accepted events noted as anomalies: {:?}", state.anomalies);
        prop_assert_eq!(state.version, accepted.len() as u64);
        let again = CaseState::from_events(&accepted);
        prop_assert_eq!(&again, &CaseState::from_events(&accepted));
        prop_assert_eq!(&again, &state);
        prop_assert_eq!(again.summary(), state.summary());
    }
}
