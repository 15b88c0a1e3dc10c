//! Random histories of one person's cases (one to three, their events interleaved), shared
//! by the property tests of the gate and of its columns. Histories are mostly lawful (each
//! event offered to `decide` with the person's claims in their other cases, and kept only if
//! accepted); now and then an event is kept although it was refused, or a case is never
//! opened, as records that reached storage under older rules do.

#[path = "../../../docket-core/tests/common/mod.rs"]
mod common;

use docket_core::{
    AppealOutcome, Appellant, CaseId, CaseState, CitizenshipFinding, CloseReason, Country, CountryProtection,
    CustodyReviewOutcome, DecisionOutcome, EventBody, MotionBasis, PersonFacts, PersonId, ProtectionEnd,
    ProtectionKind, ReleaseKind, ReliefKind, TimeZone, Timestamp, VoluntaryDeparturePeriod, decide,
};
use proptest::prelude::*;
use proptest::sample::select;

/// 2025-01-01T00:00:00Z.
pub const BASE: i64 = 1_735_689_600;
pub const DAY: i64 = 86_400;
/// UTC offsets of immigration courts, in minutes.
pub const OFFSETS: [i16; 5] = [-600, -480, -360, -300, -240];

pub fn at(secs: i64, offset: i16) -> Timestamp {
    Timestamp::from_unix(secs, offset).expect("generated instants are in range")
}

pub fn country() -> impl Strategy<Value = Country> {
    select(vec!["MEX", "GTM", "SLV"]).prop_map(|c| Country::parse(c).expect("known country"))
}

pub fn zone() -> impl Strategy<Value = Option<TimeZone>> {
    proptest::option::of(
        select(vec!["America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu"])
            .prop_map(|z| TimeZone::parse(z).expect("known zone")),
    )
}

pub fn relief() -> impl Strategy<Value = ReliefKind> {
    prop_oneof![
        3 => select(vec![ReliefKind::Asylum, ReliefKind::Withholding, ReliefKind::Cat]),
        1 => select(ReliefKind::ALL.to_vec()),
    ]
}

pub fn protection() -> impl Strategy<Value = ProtectionKind> {
    select(ProtectionKind::ALL.to_vec())
}

/// An event placed relative to the instant it takes effect, so that histories hang together.
#[derive(Debug, Clone)]
pub enum Step {
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
    pub fn body(&self, t: Timestamp) -> EventBody {
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
            Step::DepartedDaysAgo(days) => {
                EventBody::DepartureVerified { departed_on: days_later(-*days), evidence: None }
            }
        }
    }
}

pub fn step() -> impl Strategy<Value = Step> {
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
        3 => country().prop_map(|country| Step::Fixed(EventBody::RemovalCountryDesignated { country })),
        2 => proptest::option::of(country()).prop_map(|country| Step::Fixed(EventBody::RemovalCarriedOut { country })),
        1 => select(CloseReason::ALL.to_vec()).prop_map(|reason| Step::Fixed(EventBody::CaseClosed { reason })),
    ]
}

/// Time to the next event: often none or minutes, often weeks.
pub fn delta() -> impl Strategy<Value = i64> {
    prop_oneof![2 => Just(0i64), 3 => 0..3600i64, 6 => 0..45 * DAY]
}

/// One generated history: per case, whether it is opened and in which zone; then the steps,
/// each (case, delta, offset, kept although refused, step, probe offset from the instant).
pub type Cases = Vec<(bool, Option<TimeZone>)>;
pub type Steps = Vec<(usize, i64, i16, bool, Step, i64)>;

pub fn cases() -> impl Strategy<Value = Cases> {
    prop::collection::vec((prop::bool::weighted(0.95), zone()), 1..=3)
}

pub fn steps() -> impl Strategy<Value = Steps> {
    prop::collection::vec(
        (0usize..3, delta(), select(OFFSETS.to_vec()), prop::bool::weighted(0.04), step(), -10 * DAY..200 * DAY),
        0..=50,
    )
}

/// The person's cases as folded so far.
pub struct Person {
    /// Each case: its id and its state as folded so far.
    pub cases: Vec<(CaseId, CaseState)>,
}

impl Person {
    /// What is known of the person beyond case `i`: the claims of every other case.
    pub fn beyond(&self, i: usize) -> PersonFacts {
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

/// Builds the history and hands the person's cases to `after` after each event, with the
/// event's instant and the step's probe (an offset from it, in seconds).
pub fn play(
    cases: Cases,
    steps: Steps,
    mut after: impl FnMut(&Person, Timestamp, i64) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
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
        after(&person, t, probe)?;
    }
    Ok(())
}
