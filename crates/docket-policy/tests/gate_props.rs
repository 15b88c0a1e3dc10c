//! Property tests of the statutory gate over random histories of one person's cases (one to
//! three, their events interleaved): no removal is allowed while a protection is in force or
//! to a country a grant protects; no enforcement action is allowed while a claim of the person
//! to US citizenship is open in any of their cases; none is allowed where a fact is unknown.
//!
//! Histories are mostly lawful (each event offered to `decide` with the person's claims in
//! their other cases, and kept only if accepted); now and then an event is kept although it
//! was refused, or a case is never opened, as records that reached storage under older rules
//! do. The gate is asked about every action, in every case, after every event, at that
//! instant, later, and a little earlier.

#[path = "../../docket-core/tests/common/mod.rs"]
mod common;

use docket_core::{
    AppealOutcome, Appellant, CaseId, CaseState, CitizenshipFinding, CloseReason, Country, CountryProtection,
    CustodyReviewOutcome, DecisionOutcome, EventBody, MotionBasis, PersonFacts, PersonId, ProtectionEnd,
    ProtectionKind, ReleaseKind, ReliefKind, Rule, TimeZone, Timestamp, VoluntaryDeparturePeriod, decide,
};
use docket_policy::{Action, GateDecision, RULES, gate};
use proptest::prelude::*;
use proptest::sample::select;

/// 2025-01-01T00:00:00Z.
const BASE: i64 = 1_735_689_600;
const DAY: i64 = 86_400;
/// UTC offsets of immigration courts, in minutes.
const OFFSETS: [i16; 5] = [-600, -480, -360, -300, -240];

fn at(secs: i64, offset: i16) -> Timestamp {
    Timestamp::from_unix(secs, offset).expect("generated instants are in range")
}

fn country() -> impl Strategy<Value = Country> {
    select(vec!["MEX", "GTM", "SLV"]).prop_map(|c| Country::parse(c).expect("known country"))
}

fn zone() -> impl Strategy<Value = Option<TimeZone>> {
    proptest::option::of(
        select(vec!["America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu"])
            .prop_map(|z| TimeZone::parse(z).expect("known zone")),
    )
}

fn relief() -> impl Strategy<Value = ReliefKind> {
    prop_oneof![
        3 => select(vec![ReliefKind::Asylum, ReliefKind::Withholding, ReliefKind::Cat]),
        1 => select(ReliefKind::ALL.to_vec()),
    ]
}

fn protection() -> impl Strategy<Value = ProtectionKind> {
    select(ProtectionKind::ALL.to_vec())
}

/// An event placed relative to the instant it takes effect, so that histories hang together.
#[derive(Debug, Clone)]
enum Step {
    Fixed(EventBody),
    /// A protection from `start` seconds from now, for `length` seconds, or with no end
    /// (`Some(0)`) or an unknown one (`None`).
    Protection(ProtectionKind, i64, Option<i64>),
    /// A decision; a voluntary-departure period runs `days` days.
    Decision(DecisionOutcome, i64, Option<CountryProtection>),
    /// The Board's decision, with a voluntary-departure period of so many days.
    BoardDecision(AppealOutcome, Option<i64>),
    DepartedDaysAgo(i64),
}

impl Step {
    fn body(&self, t: Timestamp) -> EventBody {
        let later = |secs: i64| t.plus_seconds(secs);
        let days_later = |days: i64| t.plus_seconds(days * DAY).local_date();
        match self {
            Step::Fixed(body) => body.clone(),
            Step::Protection(protection, start, length) => EventBody::ProtectionGranted {
                protection: *protection,
                from: later(*start),
                until: match length {
                    Some(0) => ProtectionEnd::Indefinite,
                    Some(l) => ProtectionEnd::At(later(*start + l)),
                    None => ProtectionEnd::Unknown,
                },
            },
            Step::Decision(outcome, days, country_protection) => EventBody::DecisionIssued {
                outcome: match outcome {
                    DecisionOutcome::VoluntaryDeparture { .. } => DecisionOutcome::VoluntaryDeparture {
                        period: VoluntaryDeparturePeriod::Until(days_later(*days)),
                    },
                    other => *other,
                },
                time_zone: None,
                country_protection: *country_protection,
            },
            Step::BoardDecision(outcome, days) => EventBody::AppealDecided {
                outcome: *outcome,
                voluntary_departure: days.map(|d| VoluntaryDeparturePeriod::Until(days_later(d))),
            },
            Step::DepartedDaysAgo(days) => EventBody::DepartureVerified { departed_on: days_later(-*days) },
        }
    }
}

fn step() -> impl Strategy<Value = Step> {
    let fixed = |b: EventBody| Just(Step::Fixed(b));
    let outcome = prop_oneof![
        4 => Just(DecisionOutcome::RemovalOrdered),
        2 => Just(DecisionOutcome::RemovalOrderedInAbsentia),
        2 => Just(DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Days(60) }),
        1 => relief().prop_map(DecisionOutcome::ReliefGranted),
        1 => Just(DecisionOutcome::Terminated),
    ];
    let country_protection = proptest::option::weighted(
        0.3,
        (select(vec![ReliefKind::Withholding, ReliefKind::Cat]), proptest::option::weighted(0.8, country()))
            .prop_map(|(relief, country)| CountryProtection { relief, country }),
    );
    let appeal_outcome = select(vec![
        AppealOutcome::Dismissed,
        AppealOutcome::RemovalOrdered,
        AppealOutcome::ReliefGranted,
        AppealOutcome::Remanded,
    ]);
    prop_oneof![
        6 => fixed(EventBody::NoticeToAppearFiled),
        10 => (outcome, 1i64..120, country_protection).prop_map(|(o, d, c)| Step::Decision(o, d, c)),
        4 => select(vec![Appellant::Respondent, Appellant::Dhs])
            .prop_map(|by| Step::Fixed(EventBody::AppealFiled { by, late_filing_basis: None })),
        2 => fixed(EventBody::AppealWaived),
        4 => (appeal_outcome, proptest::option::weighted(0.2, 1i64..90)).prop_map(|(o, d)| Step::BoardDecision(o, d)),
        2 => proptest::option::weighted(0.8, select(MotionBasis::ALL.to_vec()))
            .prop_map(|basis| Step::Fixed(EventBody::MotionToReopenFiled { basis })),
        2 => any::<bool>().prop_map(|granted| Step::Fixed(EventBody::MotionToReopenDecided { granted })),
        3 => fixed(EventBody::CitizenshipClaimRaised),
        3 => select(vec![CitizenshipFinding::Citizen, CitizenshipFinding::NotCitizen, CitizenshipFinding::NotCitizen])
            .prop_map(|finding| Step::Fixed(EventBody::CitizenshipClaimResolved { finding })),
        1 => fixed(EventBody::Arrested),
        4 => fixed(EventBody::CustodyBegan),
        3 => select(vec![CustodyReviewOutcome::Continued, CustodyReviewOutcome::ReleaseOrdered])
            .prop_map(|outcome| Step::Fixed(EventBody::CustodyReviewed { outcome })),
        2 => fixed(EventBody::CustodyReleased { release: ReleaseKind::Recognizance }),
        1 => fixed(EventBody::CustodyTransferred),
        5 => (protection(), -30 * DAY..60 * DAY, proptest::option::weighted(0.8, 0..240 * DAY))
            .prop_map(|(p, start, length)| Step::Protection(p, start, length)),
        1 => protection().prop_map(|protection| Step::Fixed(EventBody::ProtectionExpired { protection })),
        2 => protection().prop_map(|protection| Step::Fixed(EventBody::ProtectionTerminated { protection })),
        3 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationFiled { relief })),
        2 => (relief(), proptest::option::weighted(0.8, country()))
            .prop_map(|(relief, country)| Step::Fixed(EventBody::ReliefApplicationGranted { relief, country })),
        1 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationDenied { relief })),
        1 => relief().prop_map(|relief| Step::Fixed(EventBody::ReliefApplicationWithdrawn { relief })),
        1 => (0i64..20).prop_map(Step::DepartedDaysAgo),
        2 => proptest::option::of(country()).prop_map(|country| Step::Fixed(EventBody::RemovalCarriedOut { country })),
        1 => select(CloseReason::ALL.to_vec()).prop_map(|reason| Step::Fixed(EventBody::CaseClosed { reason })),
    ]
}

/// Time to the next event: often none or minutes, often weeks.
fn delta() -> impl Strategy<Value = i64> {
    prop_oneof![2 => Just(0i64), 3 => 0..3600i64, 6 => 0..45 * DAY]
}

/// One generated history: per case, whether it is opened and in which zone; then the steps,
/// each (case, delta, offset, kept although refused, step, probe offset from the instant).
type Cases = Vec<(bool, Option<TimeZone>)>;
type Steps = Vec<(usize, i64, i16, bool, Step, i64)>;

fn cases() -> impl Strategy<Value = Cases> {
    prop::collection::vec((prop::bool::weighted(0.95), zone()), 1..=3)
}

fn steps() -> impl Strategy<Value = Steps> {
    prop::collection::vec(
        (0usize..3, delta(), select(OFFSETS.to_vec()), prop::bool::weighted(0.04), step(), -10 * DAY..200 * DAY),
        0..=50,
    )
}

/// The person's cases as folded so far.
struct Person {
    cases: Vec<(CaseId, CaseState)>,
}

impl Person {
    /// What is known of the person beyond case `i`: the claims of every other case.
    fn beyond(&self, i: usize) -> PersonFacts {
        PersonFacts {
            claims_elsewhere: self
                .cases
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .filter_map(|(_, (id, s))| s.citizenship_claim.map(|c| (id.clone(), c)))
                .collect(),
            ..PersonFacts::default()
        }
    }
}

/// What a property checks: case `i` of `person`, its gate's answer for `action` at `q`.
type Check = fn(&Person, usize, Action, Timestamp, &GateDecision) -> Result<(), TestCaseError>;

/// Builds the history and asks the gate about every action of every case after each event,
/// handing each answer to `check`.
fn run(cases: Cases, steps: Steps, to: Country, check: Check) -> Result<(), TestCaseError> {
    let mut person = Person { cases: Vec::new() };
    let mut n = 0u128;
    let t0 = at(BASE, -300);
    for (i, (opened, zone)) in cases.iter().enumerate() {
        let id = CaseId::parse(&format!("C-{}", i + 1)).expect("valid id");
        let mut state = CaseState::default();
        if *opened {
            n += 1;
            let body = EventBody::CaseOpened {
                person_id: PersonId::parse("P-1").expect("valid id"),
                a_number: None,
                time_zone: zone.clone(),
            };
            let mut e = common::event(n, t0, body).expect("valid envelope");
            e.case_id = id.clone();
            state.apply(&e);
        }
        person.cases.push((id, state));
    }
    let mut t = t0;
    for (which, delta, offset, forced, step, probe) in steps {
        let i = which % person.cases.len();
        t = at(t.unix_seconds() + delta, offset);
        n += 1;
        let mut e = common::event(n, t, step.body(t)).expect("valid envelope");
        e.case_id = person.cases[i].0.clone();
        let facts = person.beyond(i);
        if forced || decide(&person.cases[i].1, &e, &facts).is_ok() {
            person.cases[i].1.apply(&e);
        }
        for j in 0..person.cases.len() {
            let Some(summary) = person.cases[j].1.summary() else { continue };
            let facts = person.beyond(j);
            for q in [t, t.plus_seconds(probe)] {
                for action in Action::all(to) {
                    let answer = gate(&summary, &facts, action, q);
                    check(&person, j, action, q, &answer)?;
                }
            }
        }
    }
    Ok(())
}

/// No removal is allowed while any protection or stay is in force, during a
/// voluntary-departure period, before a protection claim is decided, without a final order,
/// after departure or removal, or to a country a grant of withholding or CAT protects.
fn no_removal_of_the_protected(
    person: &Person,
    i: usize,
    action: Action,
    q: Timestamp,
    answer: &GateDecision,
) -> Result<(), TestCaseError> {
    let Action::Remove { to } = action else { return Ok(()) };
    if !answer.is_allowed() {
        return Ok(());
    }
    let (case, s) = &person.cases[i];
    let granted: Vec<_> = s.protections.iter().filter(|p| p.in_force_at(q)).collect();
    prop_assert!(granted.is_empty(), "removal from {} allowed at {} while {:?} in force", case, q, granted);
    let summary = s.summary().expect("a summary");
    let periods: Vec<_> = summary.protections_in_force(q).map(|p| p.rule.name()).collect();
    prop_assert!(periods.is_empty(), "removal from {} allowed at {} while {:?} in force", case, q, periods);
    let appeal_pending = s.appeal.is_some_and(|a| a.filed.at <= q && a.decided.is_none_or(|(_, f)| f.at > q));
    prop_assert!(!appeal_pending, "removal from {} allowed at {} with an appeal pending", case, q);
    for g in &s.country_protections {
        prop_assert!(
            g.protection.country.is_some_and(|c| c != to),
            "removal from {} to {} allowed at {} against {:?}",
            case,
            to,
            q,
            g
        );
    }
    let claims: Vec<_> = s
        .pending_relief()
        .filter(|a| matches!(a.relief, ReliefKind::Asylum | ReliefKind::Withholding | ReliefKind::Cat))
        .collect();
    prop_assert!(claims.is_empty(), "removal from {} allowed at {} with {:?} pending", case, q, claims);
    let vd = s.voluntary_departure_deadline();
    prop_assert!(vd.as_ref().is_none_or(|d| !d.open_at(q) || d.met_by(q)), "removal allowed during {:?}", vd);
    prop_assert!(
        s.final_order().is_some_and(|f| f.at <= q),
        "removal from {} allowed at {} without a final order",
        case,
        q
    );
    prop_assert!(s.removed.is_none_or(|(f, _)| f.at > q), "removal from {} allowed at {} after removal", case, q);
    prop_assert!(s.departure_verified.is_none_or(|(d, _)| d > q.local_date()), "removal allowed after departure");
    Ok(())
}

/// No enforcement action is allowed while a claim of the person to US citizenship is open in
/// any of their cases, nor once they are found to be a citizen.
fn no_enforcement_while_citizenship_is_claimed(
    person: &Person,
    i: usize,
    action: Action,
    q: Timestamp,
    answer: &GateDecision,
) -> Result<(), TestCaseError> {
    if !action.is_enforcement() || !answer.is_allowed() {
        return Ok(());
    }
    for (case, s) in &person.cases {
        let Some(claim) = s.citizenship_claim else { continue };
        let open = claim.raised.at <= q && claim.resolved.is_none_or(|(_, f)| f.at > q);
        prop_assert!(!open, "{} allowed in {} at {} while a claim is open in {}", action, person.cases[i].0, q, case);
        let citizen = claim.resolved.is_some_and(|(finding, f)| finding == CitizenshipFinding::Citizen && f.at <= q);
        prop_assert!(!citizen, "{} allowed in {} at {} though {} found a citizen", action, person.cases[i].0, q, case);
    }
    Ok(())
}

/// No enforcement action is allowed where a fact is unknown: an anomalous history, a case
/// never opened, an instant before the case's latest event, a protection whose end date was
/// not recorded, a grant of withholding or CAT as to an unrecorded country.
fn no_enforcement_on_an_unknown_fact(
    person: &Person,
    i: usize,
    action: Action,
    q: Timestamp,
    answer: &GateDecision,
) -> Result<(), TestCaseError> {
    if !action.is_enforcement() || !answer.is_allowed() {
        return Ok(());
    }
    let (case, s) = &person.cases[i];
    prop_assert!(s.anomalies.is_empty(), "{} allowed in {} despite anomalies {:?}", action, case, s.anomalies);
    prop_assert!(s.opened.is_some(), "{} allowed in {}, never opened", action, case);
    prop_assert!(
        s.last_effective_at.is_none_or(|l| l <= q),
        "{} allowed in {} at {}, before its latest event ({:?})",
        action,
        case,
        q,
        s.last_effective_at
    );
    let unknown_end = |kind: Option<ProtectionKind>| {
        s.protections.iter().any(|p| {
            kind.is_none_or(|k| p.kind == k)
                && p.from <= q
                && p.until == ProtectionEnd::Unknown
                && p.terminated.is_none()
                && p.lapsed.is_none()
        })
    };
    if let Action::Remove { .. } = action {
        prop_assert!(!unknown_end(None), "removal allowed in {} with a protection's end unknown", case);
        prop_assert!(
            s.country_protections.iter().all(|g| g.protection.country.is_some()),
            "removal allowed in {} with a protection as to an unrecorded country",
            case
        );
    }
    if action.holds_in_custody() {
        prop_assert!(!unknown_end(Some(ProtectionKind::Tps)), "{} allowed in {} with TPS's end unknown", action, case);
    }
    Ok(())
}

/// Every answer is well formed and the custody gates hold: a denial names only rules the
/// gate documents, each legal one with its citation; release is allowed only of a person in
/// custody, and always then; continued detention never past an overdue six-month review; no
/// custody under TPS.
fn answers_are_well_formed(
    person: &Person,
    i: usize,
    action: Action,
    q: Timestamp,
    answer: &GateDecision,
) -> Result<(), TestCaseError> {
    let (case, s) = &person.cases[i];
    for bar in answer.bars() {
        prop_assert!(RULES.contains(&bar.rule), "{} named `{}`, which docs/gates.md does not list", action, bar.rule);
        prop_assert!(!bar.reason.is_empty());
    }
    let detained = s.custody.detained_since.is_some_and(|f| f.at <= q);
    if action == Action::Release {
        prop_assert_eq!(answer.is_allowed(), detained, "release in {} at {}: {}", case, q, answer);
    }
    if answer.is_allowed() && matches!(action, Action::ContinueDetention | Action::Transfer) {
        let overdue: Vec<_> = s
            .post_order_custody_reviews()
            .into_iter()
            .filter(|d| d.rule == Rule::PostOrderSixMonthReview && d.overdue_at(q))
            .collect();
        prop_assert!(overdue.is_empty(), "{} allowed in {} at {} past {:?}", action, case, q, overdue);
        prop_assert!(detained, "{} allowed in {} at {} with nobody in custody", action, case, q);
    }
    if answer.is_allowed() && action.holds_in_custody() {
        let tps = s.protections.iter().any(|p| p.kind == ProtectionKind::Tps && p.in_force_at(q));
        prop_assert!(!tps, "{} allowed in {} at {} under TPS", action, case, q);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_removal_while_a_protection_is_in_force_or_to_a_protected_country(
        cases in cases(), steps in steps(), to in country(),
    ) {
        run(cases, steps, to, no_removal_of_the_protected)?;
    }

    #[test]
    fn no_enforcement_action_while_a_citizenship_claim_of_the_person_is_open(
        cases in cases(), steps in steps(), to in country(),
    ) {
        run(cases, steps, to, no_enforcement_while_citizenship_is_claimed)?;
    }

    #[test]
    fn no_enforcement_action_where_a_fact_is_unknown(cases in cases(), steps in steps(), to in country()) {
        run(cases, steps, to, no_enforcement_on_an_unknown_fact)?;
    }

    #[test]
    fn every_answer_is_well_formed_and_custody_gates_hold(cases in cases(), steps in steps(), to in country()) {
        run(cases, steps, to, answers_are_well_formed)?;
    }
}
