//! Property tests of the fold and the command rules: any history folds and answers every
//! question without panicking, and in a history of accepted events removal is never let
//! through while the law forbids it.

mod common;

use docket_core::{
    ActorId, AppealOutcome, Appellant, CaseId, CaseState, CitizenshipFinding, CitizenshipStatus, CloseReason,
    ConvictionId, CounselForm, CounselId, Country, CountryProtection, CustodyReviewOutcome, Date, DecisionOutcome,
    DocumentKind, EntryManner, Event, EventBody, EventId, HearingKind, MitigatingFact, MotionBasis, OffenceClass,
    PersonFacts, PersonId, ProtectionEnd, ProtectionKind, Reason, ReleaseKind, ReliefKind, SourceReference, Statute,
    TimeZone, Timestamp, TravelDocument, VoluntaryDeparturePeriod, decide,
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
    let lo = Timestamp::parse("1800-01-01T18:00:00Z").expect("lower bound").unix_seconds();
    let hi = Timestamp::parse("2200-12-31T06:00:00Z").expect("upper bound").unix_seconds();
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

fn vd_period(deadline: impl Strategy<Value = Date> + 'static) -> impl Strategy<Value = VoluntaryDeparturePeriod> {
    prop_oneof![
        deadline.prop_map(VoluntaryDeparturePeriod::Until),
        any::<u16>().prop_map(VoluntaryDeparturePeriod::Days),
    ]
}

fn zone() -> impl Strategy<Value = Option<TimeZone>> {
    proptest::option::of(
        select(vec![
            "America/New_York",
            "America/Chicago",
            "America/Los_Angeles",
            "Pacific/Honolulu",
            "Pacific/Saipan",
        ])
        .prop_map(|z| TimeZone::parse(z).expect("known zone")),
    )
}

fn country() -> impl Strategy<Value = Country> {
    select(vec!["MEX", "GTM", "HND", "SLV", "CHN"]).prop_map(|c| Country::parse(c).expect("known country"))
}

fn protection_end(instant: impl Strategy<Value = Timestamp> + 'static) -> impl Strategy<Value = ProtectionEnd> {
    prop_oneof![
        6 => instant.prop_map(ProtectionEnd::At),
        2 => Just(ProtectionEnd::Indefinite),
        2 => Just(ProtectionEnd::Unknown),
    ]
}

fn country_protection() -> impl Strategy<Value = Option<CountryProtection>> {
    proptest::option::of(
        (select(vec![ReliefKind::Withholding, ReliefKind::Cat]), proptest::option::of(country()))
            .prop_map(|(relief, country)| CountryProtection { relief, country }),
    )
}

fn motion_basis() -> impl Strategy<Value = Option<MotionBasis>> {
    proptest::option::of(select(MotionBasis::ALL.to_vec()))
}

fn decision_outcome(deadline: impl Strategy<Value = Date> + 'static) -> impl Strategy<Value = DecisionOutcome> {
    prop_oneof![
        3 => Just(DecisionOutcome::RemovalOrdered),
        2 => Just(DecisionOutcome::RemovalOrderedInAbsentia),
        2 => vd_period(deadline).prop_map(|period| DecisionOutcome::VoluntaryDeparture { period }),
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
        (a_number, zone()).prop_map(|(a_number, time_zone)| EventBody::CaseOpened {
            person_id: PersonId::parse("P-1").expect("valid id"),
            a_number,
            time_zone,
        }),
        Just(EventBody::Arrested),
        Just(EventBody::AppealReserved),
        select(CounselForm::ALL.to_vec()).prop_map(|form| EventBody::CounselAppeared {
            counsel: CounselId::parse("EOIR-1").expect("valid id"),
            form
        }),
        Just(EventBody::CounselWithdrew { counsel: CounselId::parse("EOIR-1").expect("valid id") }),
        (select(OffenceClass::ALL.to_vec()), date(), any::<bool>()).prop_map(|(offence_class, convicted_on, f)| {
            EventBody::ConvictionRecorded {
                conviction: ConvictionId::parse("CR-1").expect("valid id"),
                offence_class,
                statute: Statute::parse("8 U.S.C. 1326").expect("valid statute"),
                convicted_on,
                final_conviction: f,
            }
        }),
        Just(EventBody::ConvictionVacated { conviction: ConvictionId::parse("CR-1").expect("valid id") }),
        Just(EventBody::NationalSecurityDetermination { official: ActorId::parse("official").expect("valid id") }),
        (date(), select(EntryManner::ALL.to_vec()), proptest::option::of(date())).prop_map(
            |(entered_on, manner, admitted_until)| EventBody::LastEntryRecorded { entered_on, manner, admitted_until }
        ),
        select(MitigatingFact::ALL.to_vec()).prop_map(|fact| EventBody::MitigatingFactRecorded {
            fact,
            source: SourceReference::parse("DOC-1").expect("valid reference")
        }),
        Just(EventBody::NoticeToAppearServed),
        Just(EventBody::NoticeToAppearFiled),
        (hearing_kind(), instant()).prop_map(|(kind, at)| EventBody::HearingScheduled { kind, at }),
        hearing_kind().prop_map(|kind| EventBody::HearingHeld { kind }),
        proptest::option::of(instant()).prop_map(|until| EventBody::HearingAdjourned { until }),
        relief().prop_map(|relief| EventBody::ReliefApplicationFiled { relief }),
        (relief(), proptest::option::of(country()))
            .prop_map(|(relief, country)| EventBody::ReliefApplicationGranted { relief, country }),
        relief().prop_map(|relief| EventBody::ReliefApplicationDenied { relief }),
        relief().prop_map(|relief| EventBody::ReliefApplicationWithdrawn { relief }),
        (protection(), instant(), protection_end(instant()))
            .prop_map(|(protection, from, until)| EventBody::ProtectionGranted { protection, from, until }),
        protection().prop_map(|protection| EventBody::ProtectionExpired { protection }),
        protection().prop_map(|protection| EventBody::ProtectionTerminated { protection }),
        (decision_outcome(date()), zone(), country_protection()).prop_map(
            |(outcome, time_zone, country_protection)| {
                EventBody::DecisionIssued { outcome, time_zone, country_protection }
            }
        ),
        (appellant(), late_basis())
            .prop_map(|(by, late_filing_basis)| EventBody::AppealFiled { by, late_filing_basis }),
        Just(EventBody::AppealWaived),
        (appeal_outcome(), proptest::option::of(vd_period(date())))
            .prop_map(|(outcome, voluntary_departure)| { EventBody::AppealDecided { outcome, voluntary_departure } }),
        Just(EventBody::PetitionForReviewFiled),
        motion_basis().prop_map(|basis| EventBody::MotionToReopenFiled { basis }),
        any::<bool>().prop_map(|granted| EventBody::MotionToReopenDecided { granted }),
        Just(EventBody::CitizenshipClaimRaised),
        finding().prop_map(|finding| EventBody::CitizenshipClaimResolved { finding }),
        Just(EventBody::CustodyBegan),
        review_outcome().prop_map(|outcome| EventBody::CustodyReviewed { outcome }),
        release().prop_map(|release| EventBody::CustodyReleased { release }),
        Just(EventBody::CustodyTransferred),
        travel_document().prop_map(|document| EventBody::TravelDocumentObtained { document }),
        country().prop_map(|country| EventBody::RemovalCountryDesignated { country }),
        date().prop_map(|departed_on| EventBody::DepartureVerified { departed_on, evidence: None }),
        Just(EventBody::DepartureVerificationWithdrawn {
            reason: Reason::parse("matched the wrong traveller").expect("reason")
        }),
        proptest::option::of(country()).prop_map(|country| EventBody::RemovalCarriedOut { country }),
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
            let _ = summary.bars_to_removal(t, &PersonFacts::default(), None);
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
            let _ = decide(&state, &e, &PersonFacts::default());
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
    /// A protection from `start` seconds from now, for `length` seconds, or with no end
    /// (`Some(0)`: indefinite) or an unknown one (`None`).
    Protection(ProtectionKind, i64, Option<i64>),
    Decision(DecisionOutcome, i64, Option<CountryProtection>),
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
                until: match length {
                    Some(0) => ProtectionEnd::Indefinite,
                    Some(l) => ProtectionEnd::At(later(*start + l)),
                    None => ProtectionEnd::Unknown,
                },
            },
            Step::Decision(outcome, vd_days, country_protection) => EventBody::DecisionIssued {
                outcome: match outcome {
                    DecisionOutcome::VoluntaryDeparture { .. } => DecisionOutcome::VoluntaryDeparture {
                        period: VoluntaryDeparturePeriod::Until(days_later(*vd_days)),
                    },
                    other => *other,
                },
                time_zone: None,
                country_protection: *country_protection,
            },
            Step::BoardDecision(outcome, vd_days) => EventBody::AppealDecided {
                outcome: *outcome,
                voluntary_departure: vd_days.map(|d| VoluntaryDeparturePeriod::Until(days_later(d))),
            },
            Step::DepartedDaysAgo(days) => {
                EventBody::DepartureVerified { departed_on: days_later(-*days), evidence: None }
            }
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
        10 => (decision_outcome(Just(placeholder)), -5i64..130, country_protection())
            .prop_map(|(o, d, c)| Step::Decision(o, d, c)),
        4 => (appellant(), late_basis())
            .prop_map(|(by, late_filing_basis)| Step::Fixed(EventBody::AppealFiled { by, late_filing_basis })),
        2 => fixed(EventBody::AppealWaived),
        4 => (appeal_outcome(), proptest::option::of(-5i64..90)).prop_map(|(o, d)| Step::BoardDecision(o, d)),
        2 => fixed(EventBody::PetitionForReviewFiled),
        2 => motion_basis().prop_map(|basis| Step::Fixed(EventBody::MotionToReopenFiled { basis })),
        2 => any::<bool>().prop_map(|granted| Step::Fixed(EventBody::MotionToReopenDecided { granted })),
        2 => fixed(EventBody::CitizenshipClaimRaised),
        3 => finding().prop_map(|finding| Step::Fixed(EventBody::CitizenshipClaimResolved { finding })),
        2 => fixed(EventBody::CustodyBegan),
        1 => fixed(EventBody::Arrested),
        1 => review_outcome().prop_map(|outcome| Step::Fixed(EventBody::CustodyReviewed { outcome })),
        1 => release().prop_map(|release| Step::Fixed(EventBody::CustodyReleased { release })),
        1 => fixed(EventBody::CustodyTransferred),
        4 => (protection(), -30 * DAY..60 * DAY, proptest::option::of(0..240 * DAY))
            .prop_map(|(p, start, length)| Step::Protection(p, start, length)),
        1 => protection().prop_map(|protection| Step::Fixed(EventBody::ProtectionExpired { protection })),
        2 => protection().prop_map(|protection| Step::Fixed(EventBody::ProtectionTerminated { protection })),
        2 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationFiled { relief })),
        1 => (relief(), proptest::option::of(country()))
            .prop_map(|(relief, country)| Step::Fixed(EventBody::ReliefApplicationGranted { relief, country })),
        1 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationDenied { relief })),
        1 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationWithdrawn { relief })),
        1 => travel_document().prop_map(|document| Step::Fixed(EventBody::TravelDocumentObtained { document })),
        1 => country().prop_map(|country| Step::Fixed(EventBody::RemovalCountryDesignated { country })),
        1 => (-3i64..20).prop_map(Step::DepartedDaysAgo),
        6 => proptest::option::of(country()).prop_map(|country| Step::Fixed(EventBody::RemovalCarriedOut { country })),
        1 => close_reason().prop_map(|reason| Step::Fixed(EventBody::CaseClosed { reason })),
    ]
}

/// Time to the next event: often none or minutes, sometimes weeks; now and then backwards.
fn step_delta() -> impl Strategy<Value = i64> {
    prop_oneof![2 => Just(0i64), 3 => 0..3600i64, 6 => 0..45 * DAY, 1 => -DAY..0]
}

/// If the rules accept a removal at `t` to `to`, nothing may stand in its way at `t`: the
/// order is final, no protection or stay is in force, no voluntary-departure period runs, no
/// protection claim is pending, nothing protects the person as to `to`, and no claim to
/// citizenship is pending, in this case or another of the person's.
fn check_removal_gate(
    state: &CaseState,
    person: &PersonFacts,
    n: u128,
    t: Timestamp,
    to: Option<Country>,
) -> Result<(), TestCaseError> {
    let removal = event(n, false, t, EventBody::RemovalCarriedOut { country: to });
    if decide(state, &removal, person).is_err() {
        return Ok(());
    }
    prop_assert!(person.claims_pending_at(t).next().is_none(), "removal accepted with a claim pending in another case");
    let vd = state.voluntary_departure_deadline();
    prop_assert!(vd.as_ref().is_none_or(|d| !d.open_at(t) || d.met_by(t)), "removal accepted during {:?}", vd);
    for g in &state.country_protections {
        prop_assert!(
            g.protection.country.is_some() && to.is_some() && g.protection.country != to,
            "removal to {:?} accepted against {:?}",
            to,
            g
        );
    }
    prop_assert!(
        state
            .pending_relief()
            .all(|a| !matches!(a.relief, ReliefKind::Asylum | ReliefKind::Withholding | ReliefKind::Cat))
    );
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
        zone in zone(),
        to in proptest::option::of(country()),
        claim_elsewhere in prop::bool::weighted(0.1),
    ) {
        let person = PersonFacts {
            claims_elsewhere: if claim_elsewhere {
                vec![(CaseId::parse("C-9").expect("valid id"), docket_core::state::CitizenshipClaim {
                    raised: docket_core::state::Fact { at: at(BASE, 0), event: EventId::from_u128(999) },
                    resolved: None,
                })]
            } else {
                vec![]
            },
            ..PersonFacts::default()
        };
        let mut state = CaseState::default();
        let mut accepted: Vec<Event> = Vec::new();
        let mut t = at(BASE, -300);
        let opened = event(1, false, t, EventBody::CaseOpened {
            person_id: PersonId::parse("P-1").expect("valid id"),
            a_number: None,
            time_zone: zone,
        });
        decide(&state, &opened, &person).map_err(|r| TestCaseError::fail(r.to_string()))?;
        state.apply(&opened);
        accepted.push(opened);
        for (n, (delta, offset, foreign, step, probe)) in steps.into_iter().enumerate() {
            let id = n as u128 + 2;
            t = at(t.unix_seconds() + delta, offset);
            let candidate = event(id, foreign, t, step.body(t));
            check_removal_gate(&state, &person, id, t, to)?;
            check_removal_gate(&state, &person, id, t.plus_seconds(probe), to)?;
            if decide(&state, &candidate, &person).is_ok() {
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
