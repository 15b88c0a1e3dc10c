//! Deciding whether an event may be recorded: the one place where the lifecycle's rules may
//! refuse. Applying an accepted event is [`CaseState::apply`], which cannot fail.

use std::fmt;

use crate::clocks::Rule;
use crate::event::{AppealOutcome, CloseReason, DecisionOutcome, Event, EventBody, ProtectionKind};
use crate::state::{ApplicationStatus, CaseState};

/// Why an event was refused: the rule, in words and by citation where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The event type refused.
    pub event_type: &'static str,
    /// What is wrong, in words.
    pub reason: String,
    /// The legal rule behind the refusal, if the refusal is a legal one.
    pub rule: Option<Rule>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot record `{}`: {}", self.event_type, self.reason)?;
        if let Some(rule) = self.rule {
            write!(f, " ({})", rule.citation())?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

/// Decides whether `event` may be appended to the case whose state is `state`.
///
/// An event must belong to the case; the first event of a case must open it; events may not
/// take effect before the case's latest event; a closed case accepts only motions to reopen
/// and citizenship claims.
pub fn decide(state: &CaseState, event: &Event) -> Result<(), Refusal> {
    let body = &event.body;
    let refuse = |reason: String| Err(Refusal { event_type: body.type_name(), reason, rule: None });
    let refuse_by =
        |rule: Rule, reason: String| Err(Refusal { event_type: body.type_name(), reason, rule: Some(rule) });
    let t = event.effective_at;

    if let Some(case) = state.case_id.as_ref().filter(|c| **c != event.case_id) {
        return refuse(format!("the event belongs to case `{}`, not to case `{case}`", event.case_id));
    }
    // Events record what has happened; one that takes effect after it was recorded (beyond a
    // day's slack for time zones) is a data error, not a future fact. Future facts such as a
    // hearing's date or a protection's period are fields of their events.
    if t > event.recorded_at.plus_seconds(86_400) {
        return refuse(format!(
            "it takes effect at {t}, after it was recorded ({}); events record what has already happened",
            event.recorded_at
        ));
    }
    if state.opened.is_none() {
        return match body {
            EventBody::CaseOpened { .. } => Ok(()),
            _ => refuse(format!("case `{}` has not been opened", event.case_id)),
        };
    }
    if let Some(last) = state.last_effective_at.filter(|last| t < *last) {
        return refuse(format!(
            "its effective time {t} precedes the case's latest event ({last}); record events in legal order"
        ));
    }
    if let Some((reason, at)) = state.closed {
        let allowed = matches!(
            body,
            EventBody::MotionToReopenFiled
                | EventBody::MotionToReopenDecided { .. }
                | EventBody::CitizenshipClaimRaised
                | EventBody::CitizenshipClaimResolved { .. }
        );
        if !allowed {
            return refuse(format!("the case was closed ({}) at {}", reason.name(), at.at));
        }
    }

    match body {
        EventBody::CaseOpened { .. } => refuse("the case is already open".into()),
        EventBody::NoticeToAppearServed | EventBody::NoticeToAppearFiled => Ok(()),
        EventBody::HearingScheduled { at, .. } => {
            if state.nta_filed.is_none() {
                return refuse("no notice to appear has been filed with the court".into());
            }
            if *at < t {
                return refuse(format!("the hearing time {at} is before the scheduling ({t})"));
            }
            Ok(())
        }
        EventBody::HearingHeld { .. } | EventBody::HearingAdjourned { .. } => match state.next_hearing {
            None => refuse("no hearing is scheduled".into()),
            Some(_) => Ok(()),
        },
        EventBody::ReliefApplicationFiled { relief } => {
            if state.pending_relief().any(|a| a.relief == *relief) {
                return refuse(format!("an application for `{}` is already pending", relief.name()));
            }
            Ok(())
        }
        EventBody::ReliefApplicationGranted { relief }
        | EventBody::ReliefApplicationDenied { relief }
        | EventBody::ReliefApplicationWithdrawn { relief } => {
            if !state.relief.iter().any(|a| a.relief == *relief && a.status == ApplicationStatus::Pending) {
                return refuse(format!("no application for `{}` is pending", relief.name()));
            }
            Ok(())
        }
        EventBody::ProtectionGranted { from, until, .. } => match until {
            Some(u) if u <= from => refuse(format!("the protection ends ({u}) before it begins ({from})")),
            _ => Ok(()),
        },
        EventBody::ProtectionExpired { protection } | EventBody::ProtectionTerminated { protection } => {
            if !state.protections.iter().any(|p| p.kind == *protection && p.in_force_at(t)) {
                return refuse(format!("no `{}` is in force at {t}", protection.name()));
            }
            Ok(())
        }
        EventBody::DecisionIssued { outcome } => {
            if state.nta_filed.is_none() {
                return refuse("no notice to appear has been filed with the court".into());
            }
            if state.decision.is_some() {
                return refuse("a decision already stands; it must be vacated (reopened or remanded) first".into());
            }
            if let DecisionOutcome::VoluntaryDeparture { deadline } = outcome {
                if *deadline <= t.local_date() {
                    return refuse_by(
                        Rule::VoluntaryDepartureDeadline,
                        format!("the voluntary-departure deadline {deadline} is not after the decision"),
                    );
                }
            }
            Ok(())
        }
        EventBody::AppealFiled { late_filing_basis, .. } => {
            let Some(d) = state.decision else {
                return refuse("no decision stands to appeal".into());
            };
            if d.outcome == DecisionOutcome::RemovalOrderedInAbsentia {
                return refuse_by(
                    Rule::FinalInAbsentia,
                    "an in absentia order is not appealable; file a motion to reopen".into(),
                );
            }
            if state.appeal.is_some() {
                return refuse("an appeal of this decision has already been filed".into());
            }
            if let Some(w) = state.appeal_waived {
                return refuse(format!("the right to appeal was waived at {}", w.at));
            }
            let window = state.appeal_deadline();
            if let Some(window) = window.filter(|w| !w.open_at(t)) {
                if late_filing_basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
                    return refuse_by(
                        Rule::AppealWindow,
                        format!(
                            "the appeal is filed on {} after the 30-day window closed on {} and no late-filing basis is given",
                            t.local_date(),
                            window.due
                        ),
                    );
                }
            }
            Ok(())
        }
        EventBody::AppealWaived => {
            let Some(window) = state.appeal_deadline() else {
                return refuse("no appealable decision stands".into());
            };
            if state.appeal.is_some() {
                return refuse("an appeal has already been filed".into());
            }
            if state.appeal_waived.is_some() {
                return refuse("the appeal was already waived".into());
            }
            if !window.open_at(t) {
                return refuse_by(Rule::AppealWindow, format!("the appeal window closed on {}", window.due));
            }
            Ok(())
        }
        EventBody::AppealDecided { voluntary_departure_until, .. } => {
            if state.appeal.is_none_or(|a| a.decided.is_some()) {
                return refuse("no appeal is pending".into());
            }
            if voluntary_departure_until.is_some_and(|d| d <= t.local_date()) {
                return refuse_by(
                    Rule::VoluntaryDepartureDeadline,
                    "the reinstated voluntary-departure period ends before the Board's decision".into(),
                );
            }
            Ok(())
        }
        EventBody::PetitionForReviewFiled => {
            if state.appeal.is_none_or(|a| a.decided.is_none()) {
                return refuse("a petition for review lies only from a decision of the Board".into());
            }
            if state.petition_for_review.is_some() {
                return refuse("a petition for review has already been filed".into());
            }
            Ok(())
        }
        EventBody::MotionToReopenFiled => {
            if state.decision.is_none() && state.closed.is_none() {
                return refuse("there is no decision or closure to reopen".into());
            }
            if state.motions_to_reopen.iter().any(|m| m.decided.is_none()) {
                return refuse("a motion to reopen is already pending".into());
            }
            Ok(())
        }
        EventBody::MotionToReopenDecided { .. } => {
            if !state.motions_to_reopen.iter().any(|m| m.decided.is_none()) {
                return refuse("no motion to reopen is pending".into());
            }
            Ok(())
        }
        EventBody::CitizenshipClaimRaised => {
            if state.citizenship_claim_pending() {
                return refuse("a claim to US citizenship is already pending".into());
            }
            if state.citizenship_established() {
                return refuse("the person has already been found to be a US citizen".into());
            }
            Ok(())
        }
        EventBody::CitizenshipClaimResolved { .. } => {
            if !state.citizenship_claim_pending() {
                return refuse("no claim to US citizenship is pending".into());
            }
            Ok(())
        }
        EventBody::CustodyBegan => {
            if state.detained() {
                return refuse("the person is already in custody".into());
            }
            if state.removed.is_some() || state.departure_verified.is_some() {
                return refuse("the person has left the United States".into());
            }
            if state.citizenship_established() {
                return refuse("the person has been found to be a US citizen".into());
            }
            Ok(())
        }
        EventBody::CustodyReviewed { .. } | EventBody::CustodyReleased { .. } | EventBody::CustodyTransferred => {
            if !state.detained() {
                return refuse("the person is not in custody".into());
            }
            Ok(())
        }
        EventBody::TravelDocumentObtained { .. } => Ok(()),
        EventBody::DepartureVerified { departed_on } => {
            if state.removed.is_some() || state.departure_verified.is_some() {
                return refuse("departure or removal is already recorded".into());
            }
            if *departed_on > t.local_date() {
                return refuse(format!("the departure date {departed_on} is after the verification ({t})"));
            }
            Ok(())
        }
        EventBody::RemovalCarriedOut => decide_removal(state, event),
        EventBody::CaseClosed { reason } => {
            let appeal_pending = state.appeal.is_some_and(|a| a.decided.is_none());
            if appeal_pending && matches!(reason, CloseReason::ReliefGranted | CloseReason::Terminated) {
                return refuse("an appeal of the decision is pending before the Board".into());
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
                return refuse(format!("nothing recorded supports closing the case as `{}`", reason.name()));
            }
            Ok(())
        }
    }
}

/// Removal requires a final order and nothing that protects the person at that instant.
fn decide_removal(state: &CaseState, event: &Event) -> Result<(), Refusal> {
    let t = event.effective_at;
    let refuse = |rule: Option<Rule>, reason: String| Err(Refusal { event_type: event.body.type_name(), reason, rule });
    if state.removed.is_some() || state.departure_verified.is_some() {
        return refuse(None, "departure or removal is already recorded".into());
    }
    if state.citizenship_established() {
        return refuse(None, "the person has been found to be a US citizen".into());
    }
    if state.citizenship_claim_pending() {
        return refuse(None, "a claim to US citizenship is pending".into());
    }
    match state.final_order() {
        None => return refuse(None, "no administratively final order of removal exists (8 CFR 1241.1)".into()),
        Some(f) if f.at > t => {
            return refuse(Some(f.rule), format!("the order of removal is not final until {}", f.at));
        }
        Some(_) => {}
    }
    if let Some(p) = state.protection_periods().into_iter().find(|p| p.in_force_at(t)) {
        let why = match p.kind {
            ProtectionKind::Tps => "temporary protected status is in force".to_owned(),
            ProtectionKind::DeferredAction => "deferred action is in force".to_owned(),
            ProtectionKind::Stay(_) => format!("a stay is in force ({})", p.kind.name()),
        };
        return refuse(Some(p.rule), why);
    }
    Ok(())
}
