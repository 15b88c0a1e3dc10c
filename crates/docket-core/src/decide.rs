//! Whether an event may be recorded: the one place an event is refused, with every rule that
//! bars it. Applying an accepted event is [`CaseState::apply`], which cannot fail.

use std::fmt;

use crate::event::{
    AppealOutcome, CloseReason, DecisionOutcome, EntryManner, Event, EventBody, MAX_VOLUNTARY_DEPARTURE_DAYS,
    ReliefKind, VoluntaryDeparturePeriod,
};
use crate::rules::{Bar, Rule};
use crate::state::{ApplicationStatus, CaseState};
use crate::summary::PersonFacts;
use crate::time::{Date, Timestamp};

/// Why an event was refused: every rule that bars it, the most specific first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The event type refused.
    pub event_type: &'static str,
    /// The bars, most specific first. Never empty.
    pub bars: Vec<Bar>,
}

impl Refusal {
    fn new(event_type: &'static str, bars: Vec<Bar>) -> Refusal {
        debug_assert!(!bars.is_empty(), "a refusal names at least one rule");
        Refusal { event_type, bars }
    }

    /// The most specific rule that bars the event.
    pub fn rule(&self) -> Rule {
        self.bars.first().map_or(Rule::NothingToActOn, |b| b.rule)
    }

    /// Every rule that bars the event, the most specific first.
    pub fn rules(&self) -> impl Iterator<Item = Rule> + '_ {
        self.bars.iter().map(|b| b.rule)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot record `{}`: ", self.event_type)?;
        for (i, bar) in self.bars.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{bar}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

/// The bars to recording one event, gathered before they are returned.
struct Bars {
    event_type: &'static str,
    bars: Vec<Bar>,
}

impl Bars {
    fn bar(&mut self, rule: Rule, reason: impl Into<String>, basis: Vec<crate::EventId>) {
        self.bars.push(Bar::new(rule, reason, basis));
    }

    fn into_result(self) -> Result<(), Refusal> {
        if self.bars.is_empty() { Ok(()) } else { Err(Refusal::new(self.event_type, self.bars)) }
    }
}

fn refuse(event: &Event, rule: Rule, reason: impl Into<String>) -> Result<(), Refusal> {
    Err(Refusal::new(event.body.type_name(), vec![Bar::new(rule, reason, vec![])]))
}

/// Decides whether `event` may be appended to the case whose state is `state`, given what is
/// known of the case's person beyond this case (`person`; pass `PersonFacts::default()` when
/// nothing is).
///
/// An event must belong to the case; the first event of a case must open it; an event may
/// not take effect after it was recorded, nor before the case's latest event; a closed case
/// accepts only motions to reopen and citizenship claims. No enforcement action (arrest,
/// custody, transfer, removal) is recorded while any claim of the person to US citizenship is
/// unresolved, in any of their cases.
pub fn decide(state: &CaseState, event: &Event, person: &PersonFacts) -> Result<(), Refusal> {
    let body = &event.body;
    let t = event.effective_at;

    if let Some(case) = state.case_id.as_ref().filter(|c| **c != event.case_id) {
        return refuse(
            event,
            Rule::WrongCase,
            format!("the event belongs to case `{}`, not to case `{case}`", event.case_id),
        );
    }
    // Events record what has happened: one that takes effect after it was recorded is a
    // future fact, which Docket does not store (a hearing's date, a protection's period are
    // fields of their events). Instants compare as instants, whatever their offsets, so time
    // zones need no slack here.
    if t > event.recorded_at {
        return refuse(
            event,
            Rule::EffectiveAfterRecorded,
            format!(
                "it takes effect at {t}, after it was recorded ({}); events record what has already happened",
                event.recorded_at
            ),
        );
    }
    if state.opened.is_none() {
        return match body {
            EventBody::CaseOpened { a_number, .. } => {
                let mut bars = Bars { event_type: body.type_name(), bars: Vec::new() };
                if let (Some(given), Some(recorded)) = (a_number, person.a_number) {
                    if *given != recorded {
                        bars.bar(
                            Rule::ANumberMismatch,
                            format!("the case's A-number {given} is not the person's recorded A-number {recorded}"),
                            vec![],
                        );
                    }
                }
                if let Some(dob) = person.date_of_birth {
                    if t.local_date() < dob.earliest() {
                        bars.bar(
                            Rule::ImpossibleDate,
                            format!("the case is opened on {} but the person was born on {dob}", t.local_date()),
                            vec![],
                        );
                    }
                }
                bars.into_result()
            }
            _ => refuse(event, Rule::CaseNotOpened, format!("case `{}` has not been opened", event.case_id)),
        };
    }
    if let Some(last) = state.last_effective_at.filter(|last| t < *last) {
        return refuse(
            event,
            Rule::RecordOrder,
            format!("its effective time {t} precedes the case's latest event ({last}); record events in legal order"),
        );
    }
    if let Some((reason, at)) = state.closed {
        let allowed = matches!(
            body,
            EventBody::MotionToReopenFiled { .. }
                | EventBody::MotionToReopenDecided { .. }
                | EventBody::CitizenshipClaimRaised
                | EventBody::CitizenshipClaimResolved { .. }
        ) || matches!(
            (body, reason),
            // A closure that rested on a departure falls with its withdrawal.
            (EventBody::DepartureVerificationWithdrawn { .. }, CloseReason::DepartureVerified)
        );
        if !allowed {
            return Err(Refusal::new(
                body.type_name(),
                vec![Bar::new(
                    Rule::CaseClosed,
                    format!("the case was closed ({}) at {}", reason.name(), at.at),
                    vec![at.event],
                )],
            ));
        }
    }
    let local_date = |at: Timestamp| match state.clock() {
        Some(c) => c.date(at),
        None => match &state.time_zone {
            Some(z) => z.local_date(at),
            None => at.local_date(),
        },
    };
    let mut bars = Bars { event_type: body.type_name(), bars: Vec::new() };

    if body.is_enforcement_action() {
        bars.bars.extend(match body {
            // Removal needs the case's clocks: the bars over its projection.
            EventBody::RemovalCarriedOut { country } => {
                state.summary().map(|s| s.bars_to_removal(t, person, *country)).unwrap_or_default()
            }
            _ => state.bars_to_enforcement(t, person),
        });
    }

    match body {
        EventBody::CaseOpened { .. } => bars.bar(Rule::CaseAlreadyOpen, "the case is already open", vec![]),
        EventBody::NoticeToAppearServed
        | EventBody::NoticeToAppearFiled
        | EventBody::Arrested
        | EventBody::RemovalCarriedOut { .. }
        | EventBody::MitigatingFactRecorded { .. } => {}
        EventBody::HearingScheduled { at, .. } => {
            if state.nta_filed.is_none() {
                bars.bar(Rule::NoChargingDocument, "no notice to appear has been filed with the court", vec![]);
            }
            if *at < t {
                bars.bar(Rule::NothingToActOn, format!("the hearing time {at} is before the scheduling ({t})"), vec![]);
            }
        }
        EventBody::HearingHeld { .. } | EventBody::HearingAdjourned { .. } => {
            if state.next_hearing.is_none() {
                bars.bar(Rule::NothingToActOn, "no hearing is scheduled", vec![]);
            }
        }
        EventBody::ReliefApplicationFiled { relief } => {
            if let Some(a) = state.pending_relief().find(|a| a.relief == *relief) {
                bars.bar(
                    Rule::NothingToActOn,
                    format!("an application for `{}` is already pending", relief.name()),
                    vec![a.filed.event],
                );
            }
        }
        EventBody::ReliefApplicationGranted { relief, .. }
        | EventBody::ReliefApplicationDenied { relief }
        | EventBody::ReliefApplicationWithdrawn { relief } => {
            if !state.relief.iter().any(|a| a.relief == *relief && a.status == ApplicationStatus::Pending) {
                bars.bar(Rule::NothingToActOn, format!("no application for `{}` is pending", relief.name()), vec![]);
            }
        }
        EventBody::ProtectionGranted { from, until, .. } => {
            if let crate::event::ProtectionEnd::At(u) = until {
                if u <= from {
                    bars.bar(
                        Rule::NothingToActOn,
                        format!("the protection ends ({u}) before it begins ({from})"),
                        vec![],
                    );
                }
            }
        }
        EventBody::ProtectionExpired { protection } | EventBody::ProtectionTerminated { protection } => {
            if !state.protections.iter().any(|p| p.kind == *protection && p.in_force_at(t)) {
                bars.bar(Rule::NothingToActOn, format!("no `{}` is in force at {t}", protection.name()), vec![]);
            }
        }
        EventBody::DecisionIssued { outcome, time_zone, country_protection } => {
            if state.nta_filed.is_none() {
                bars.bar(Rule::NoChargingDocument, "no notice to appear has been filed with the court", vec![]);
            }
            if let Some(d) = state.decision {
                bars.bar(
                    Rule::NothingToActOn,
                    "a decision already stands; it must be vacated (reopened or remanded) first",
                    vec![d.issued.event],
                );
            }
            if let Some(p) = country_protection {
                let fits = matches!(p.relief, ReliefKind::Withholding | ReliefKind::Cat)
                    && match outcome {
                        DecisionOutcome::RemovalOrdered => true,
                        DecisionOutcome::ReliefGranted(k) => *k == p.relief,
                        _ => false,
                    };
                if !fits {
                    bars.bar(
                        Rule::NothingToActOn,
                        "withholding or CAT protection as to a country goes only with an order of removal or a grant of that relief",
                        vec![],
                    );
                }
            }
            if let DecisionOutcome::VoluntaryDeparture { period } = outcome {
                let zone = time_zone.as_ref().or(state.time_zone.as_ref());
                let decided = zone.map_or_else(|| t.local_date(), |z| z.local_date(t));
                check_voluntary_departure(&mut bars, *period, decided);
            }
        }
        EventBody::AppealFiled { late_filing_basis, .. } => match state.decision {
            None => bars.bar(Rule::NothingToActOn, "no decision stands to appeal", vec![]),
            Some(d) => {
                if d.outcome == DecisionOutcome::RemovalOrderedInAbsentia {
                    bars.bar(
                        Rule::InAbsentiaNotAppealable,
                        "an in absentia order is not appealable; file a motion to reopen",
                        vec![d.issued.event],
                    );
                }
                if let Some(w) = state.appeal_waived {
                    bars.bar(Rule::AppealWaived, format!("the right to appeal was waived at {}", w.at), vec![w.event]);
                }
                if let Some(a) = state.appeal {
                    bars.bar(
                        Rule::NothingToActOn,
                        "an appeal of this decision has already been filed",
                        vec![a.filed.event],
                    );
                }
                if let Some(window) = state.appeal_deadline().filter(|w| w.closed_by.is_none() && !w.open_at(t)) {
                    if late_filing_basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
                        bars.bar(
                            Rule::AppealWindow,
                            format!(
                                "the appeal is filed on {} after the 30-day window closed at the end of {} and no late-filing basis is given",
                                local_date(t),
                                window.due
                            ),
                            window.basis,
                        );
                    }
                }
            }
        },
        EventBody::AppealWaived | EventBody::AppealReserved => match state.appeal_deadline() {
            None => bars.bar(Rule::NothingToActOn, "no appealable decision stands", vec![]),
            Some(window) => {
                if let Some(a) = state.appeal {
                    bars.bar(Rule::NothingToActOn, "an appeal has already been filed", vec![a.filed.event]);
                }
                if let Some(w) = state.appeal_waived {
                    bars.bar(Rule::AppealWaived, format!("the right to appeal was waived at {}", w.at), vec![w.event]);
                }
                if matches!(body, EventBody::AppealReserved) && state.appeal_reserved.is_some() {
                    bars.bar(Rule::NothingToActOn, "appeal was already reserved", vec![]);
                }
                if window.closed_by.is_none() && !window.open_at(t) {
                    bars.bar(
                        Rule::AppealWindow,
                        format!("the appeal window closed at the end of {}", window.due),
                        window.basis,
                    );
                }
            }
        },
        EventBody::AppealDecided { voluntary_departure, .. } => {
            if state.appeal.is_none_or(|a| a.decided.is_some()) {
                bars.bar(Rule::NothingToActOn, "no appeal is pending", vec![]);
            }
            if let Some(period) = voluntary_departure {
                check_voluntary_departure(&mut bars, *period, local_date(t));
            }
        }
        EventBody::PetitionForReviewFiled => {
            if state.appeal.is_none_or(|a| a.decided.is_none()) {
                bars.bar(Rule::NothingToActOn, "a petition for review lies only from a decision of the Board", vec![]);
            }
            if let Some(p) = state.petition_for_review {
                bars.bar(Rule::NothingToActOn, "a petition for review has already been filed", vec![p.event]);
            }
        }
        EventBody::MotionToReopenFiled { .. } => {
            if state.decision.is_none() && state.closed.is_none() {
                bars.bar(Rule::NothingToActOn, "there is no decision or closure to reopen", vec![]);
            }
            if let Some(m) = state.motions_to_reopen.iter().find(|m| m.decided.is_none()) {
                bars.bar(Rule::NothingToActOn, "a motion to reopen is already pending", vec![m.filed.event]);
            }
        }
        EventBody::MotionToReopenDecided { .. } => {
            if !state.motions_to_reopen.iter().any(|m| m.decided.is_none()) {
                bars.bar(Rule::NothingToActOn, "no motion to reopen is pending", vec![]);
            }
        }
        EventBody::CitizenshipClaimRaised => {
            if let Some(c) = state.citizenship_claim.filter(|c| c.resolved.is_none()) {
                bars.bar(Rule::NothingToActOn, "a claim to US citizenship is already pending", vec![c.raised.event]);
            }
            if state.citizenship_established() {
                bars.bar(Rule::CitizenshipEstablished, "the person has already been found to be a US citizen", vec![]);
            }
        }
        EventBody::CitizenshipClaimResolved { .. } => {
            if !state.citizenship_claim_pending() {
                bars.bar(Rule::NothingToActOn, "no claim to US citizenship is pending", vec![]);
            }
        }
        EventBody::CustodyBegan => {
            if let Some(since) = state.custody.detained_since {
                bars.bar(Rule::NothingToActOn, "the person is already in custody", vec![since.event]);
            }
        }
        EventBody::CustodyReviewed { .. } | EventBody::CustodyReleased { .. } | EventBody::CustodyTransferred => {
            if !state.detained() {
                bars.bar(Rule::NothingToActOn, "the person is not in custody", vec![]);
            }
        }
        EventBody::TravelDocumentObtained { .. } => {}
        EventBody::RemovalCountryDesignated { country } => {
            // The designation is part of an order of removal (8 CFR 1240.12(d)).
            if state.removal_order().is_none() {
                bars.bar(
                    Rule::NothingToActOn,
                    "no order of removal stands to designate a country of removal for",
                    vec![],
                );
            }
            if let Some((c, f)) = state.designated_country.filter(|(c, _)| c == country) {
                bars.bar(
                    Rule::NothingToActOn,
                    format!("{c} is already the designated country of removal"),
                    vec![f.event],
                );
            }
        }
        EventBody::DepartureVerificationWithdrawn { .. } => {
            if state.departure_verified.is_none() {
                bars.bar(Rule::NothingToActOn, "no verified departure stands to withdraw", vec![]);
            }
        }
        EventBody::DepartureVerified { departed_on, .. } => {
            if let Some((_, f)) = state.departure_verified {
                bars.bar(Rule::AlreadyLeft, "the person's departure is already recorded", vec![f.event]);
            }
            if let Some((f, _)) = state.removed {
                bars.bar(Rule::AlreadyLeft, "removal is already recorded", vec![f.event]);
            }
            if *departed_on > local_date(t) {
                bars.bar(
                    Rule::ImpossibleDate,
                    format!("the departure date {departed_on} is after the verification ({t})"),
                    vec![],
                );
            }
            if let Some(dob) = person.date_of_birth.filter(|dob| *departed_on < dob.earliest()) {
                bars.bar(
                    Rule::ImpossibleDate,
                    format!("the departure date {departed_on} is before the person was born ({dob})"),
                    vec![],
                );
            }
            if let Some(opened) = state.opened.filter(|o| *departed_on < local_date(o.at)) {
                bars.bar(
                    Rule::ImpossibleDate,
                    format!(
                        "the departure date {departed_on} is before the case was opened ({}): a departure before the encounter does not end this case",
                        local_date(opened.at)
                    ),
                    vec![opened.event],
                );
            }
        }
        EventBody::CounselAppeared { counsel, .. } => {
            if let Some(c) = state.counsel_of_record().find(|c| c.counsel == *counsel) {
                bars.bar(
                    Rule::NothingToActOn,
                    format!("counsel `{counsel}` is already of record"),
                    vec![c.appeared.event],
                );
            }
        }
        EventBody::CounselWithdrew { counsel } => {
            if !state.counsel_of_record().any(|c| c.counsel == *counsel) {
                bars.bar(Rule::NothingToActOn, format!("counsel `{counsel}` is not of record"), vec![]);
            }
        }
        EventBody::ConvictionRecorded { conviction, convicted_on, final_conviction, .. } => {
            if let Some(c) = state.convictions.iter().find(|c| c.conviction == *conviction) {
                // Recording it again is how a conviction becomes final; anything else is a
                // second record of the same fact.
                if c.vacated.is_some() || c.final_conviction || !final_conviction {
                    bars.bar(
                        Rule::NothingToActOn,
                        format!("conviction `{conviction}` is already recorded"),
                        vec![c.recorded.event],
                    );
                }
            }
            check_not_before_birth(&mut bars, person, *convicted_on, "the conviction");
            if *convicted_on > local_date(t) {
                bars.bar(
                    Rule::ImpossibleDate,
                    format!("the conviction date {convicted_on} is after its record ({t})"),
                    vec![],
                );
            }
        }
        EventBody::ConvictionVacated { conviction } => {
            if !state.convictions.iter().any(|c| c.conviction == *conviction && c.vacated.is_none()) {
                bars.bar(Rule::NothingToActOn, format!("no conviction `{conviction}` stands to vacate"), vec![]);
            }
        }
        EventBody::NationalSecurityDetermination { .. } => {
            if event.reference.as_deref().is_none_or(|r| r.trim().is_empty()) {
                bars.bar(
                    Rule::NothingToActOn,
                    "a national-security determination needs its reference (the event's `reference`)",
                    vec![],
                );
            }
        }
        EventBody::LastEntryRecorded { entered_on, manner, admitted_until } => {
            check_not_before_birth(&mut bars, person, *entered_on, "the entry");
            if *entered_on > local_date(t) {
                bars.bar(
                    Rule::ImpossibleDate,
                    format!("the entry date {entered_on} is after its record ({t})"),
                    vec![],
                );
            }
            if let Some(until) = admitted_until {
                if *manner != EntryManner::Admitted {
                    bars.bar(Rule::NothingToActOn, "a period of admission goes only with an admission", vec![]);
                }
                if until < entered_on {
                    bars.bar(
                        Rule::ImpossibleDate,
                        format!("the admitted period ends ({until}) before the entry ({entered_on})"),
                        vec![],
                    );
                }
            }
        }
        EventBody::CaseClosed { reason } => {
            let appeal_pending = state.appeal.is_some_and(|a| a.decided.is_none());
            if appeal_pending && matches!(reason, CloseReason::ReliefGranted | CloseReason::Terminated) {
                bars.bar(Rule::NothingToActOn, "an appeal of the decision is pending before the Board", vec![]);
            }
            let board = state.appeal.and_then(|a| a.decided.map(|(outcome, _)| outcome));
            // The Board's order of removal on DHS's appeal displaces the judge's grant or
            // termination; the Board's own grant supports closing either way.
            let judge_upheld = board != Some(AppealOutcome::RemovalOrdered);
            let board_granted = board == Some(AppealOutcome::ReliefGranted);
            let consistent = match reason {
                CloseReason::Removed => state.removed.is_some(),
                CloseReason::DepartureVerified => state.departure_verified.is_some(),
                CloseReason::CitizenshipEstablished => state.citizenship_established(),
                CloseReason::ReliefGranted => {
                    state.relief.iter().any(|a| a.status == ApplicationStatus::Granted)
                        || board_granted
                        || judge_upheld
                            && state.decision.is_some_and(|d| matches!(d.outcome, DecisionOutcome::ReliefGranted(_)))
                }
                CloseReason::Terminated => {
                    board_granted
                        || judge_upheld && state.decision.is_some_and(|d| d.outcome == DecisionOutcome::Terminated)
                }
                CloseReason::Deceased | CloseReason::AdministrativelyClosed => true,
            };
            if !consistent {
                bars.bar(
                    Rule::NothingToActOn,
                    format!("nothing recorded supports closing the case as `{}`", reason.name()),
                    vec![],
                );
            }
        }
    }
    bars.into_result()
}

fn check_voluntary_departure(bars: &mut Bars, period: VoluntaryDeparturePeriod, decided: Date) {
    let days = match period {
        VoluntaryDeparturePeriod::Days(n) => i32::from(n),
        VoluntaryDeparturePeriod::Until(last) => decided.days_until(last),
    };
    if days <= 0 {
        bars.bar(
            Rule::VoluntaryDepartureDeadline,
            format!("the voluntary-departure period ends on or before the decision's date ({decided})"),
            vec![],
        );
    } else if days > i32::from(MAX_VOLUNTARY_DEPARTURE_DAYS) {
        bars.bar(
            Rule::VoluntaryDepartureMaximum,
            format!("a voluntary-departure period of {days} days exceeds the {MAX_VOLUNTARY_DEPARTURE_DAYS} days the statute allows"),
            vec![],
        );
    }
}

fn check_not_before_birth(bars: &mut Bars, person: &PersonFacts, date: Date, what: &str) {
    if let Some(dob) = person.date_of_birth.filter(|dob| date < dob.earliest()) {
        bars.bar(Rule::ImpossibleDate, format!("{what} is dated {date}, before the person was born ({dob})"), vec![]);
    }
}
