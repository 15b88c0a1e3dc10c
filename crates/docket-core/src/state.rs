//! Case state as a fold of events. Applying an event never fails and never panics: the
//! rules that may refuse an event live in [`crate::decide`], before it is stored.

use crate::event::{
    AppealOutcome, Appellant, CitizenshipFinding, CloseReason, DecisionOutcome, Event, EventBody, HearingKind,
    ProtectionKind, ReleaseKind, ReliefKind,
};
use crate::ids::{CaseId, EventId, PersonId};
use crate::person::{ANumber, TravelDocument};
use crate::time::{Date, Timestamp};

/// A recorded fact: when it took effect and which event says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    /// Effective time of the event.
    pub at: Timestamp,
    /// The event that recorded it.
    pub event: EventId,
}

impl Fact {
    fn of(event: &Event) -> Fact {
        Fact { at: event.effective_at, event: event.id }
    }
}

/// A hearing on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledHearing {
    /// Kind of hearing.
    pub kind: HearingKind,
    /// When it is set for.
    pub at: Timestamp,
    /// The event that set it.
    pub event: EventId,
}

/// Where an application for relief stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationStatus {
    /// Filed and not yet decided.
    Pending,
    /// Granted.
    Granted,
    /// Denied.
    Denied,
    /// Withdrawn.
    Withdrawn,
}

/// An application for relief and its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReliefApplication {
    /// Relief sought.
    pub relief: ReliefKind,
    /// Current status.
    pub status: ApplicationStatus,
    /// When and by which event it was filed.
    pub filed: Fact,
    /// When and by which event it was decided or withdrawn.
    pub resolved: Option<Fact>,
}

/// A granted protection and, if it ended early, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantedProtection {
    /// Which protection.
    pub kind: ProtectionKind,
    /// First instant in force.
    pub from: Timestamp,
    /// Its end date as granted, if any.
    pub until: Option<Timestamp>,
    /// The granting event.
    pub granted_by: EventId,
    /// Terminated before `until`, at this time, by this event.
    pub terminated: Option<Fact>,
}

impl GrantedProtection {
    /// The instant it stops being in force, if it does.
    pub fn ends_at(&self) -> Option<Timestamp> {
        match (self.until, self.terminated) {
            (Some(u), Some(t)) => Some(u.min(t.at)),
            (Some(u), None) => Some(u),
            (None, Some(t)) => Some(t.at),
            (None, None) => None,
        }
    }

    /// Whether it is in force at `t`.
    pub fn in_force_at(&self, t: Timestamp) -> bool {
        self.from <= t && self.ends_at().is_none_or(|end| t < end)
    }
}

/// The judge's decision currently standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandingDecision {
    /// What was decided.
    pub outcome: DecisionOutcome,
    /// When and by which event.
    pub issued: Fact,
}

/// An appeal to the Board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appeal {
    /// Who appealed.
    pub by: Appellant,
    /// When and by which event it was filed.
    pub filed: Fact,
    /// Whether it was filed after the window on a recorded late-filing basis.
    pub late: bool,
    /// The Board's decision, if made.
    pub decided: Option<(AppealOutcome, Fact)>,
    /// Voluntary departure granted or reinstated by the Board, to this date.
    pub voluntary_departure_until: Option<Date>,
}

/// A motion to reopen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MotionToReopen {
    /// When and by which event it was filed.
    pub filed: Fact,
    /// Whether and when it was decided.
    pub decided: Option<(bool, Fact)>,
}

/// A claim to US citizenship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CitizenshipClaim {
    /// When and by which event it was raised.
    pub raised: Fact,
    /// Its resolution, if resolved.
    pub resolved: Option<(CitizenshipFinding, Fact)>,
}

/// Immigration custody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Custody {
    /// Detained since (current episode), if detained.
    pub detained_since: Option<Fact>,
    /// The last custody review of the current episode.
    pub last_review: Option<Fact>,
    /// The last release and its terms.
    pub last_release: Option<(ReleaseKind, Fact)>,
    /// Number of custody episodes so far.
    pub episodes: u32,
}

/// Something the fold accepted although the rules would have refused it (events that reached
/// storage through an older rule set, for example). Kept so that nothing is silently ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// The event concerned.
    pub event: EventId,
    /// What is odd about it.
    pub note: &'static str,
}

/// The state of one case, as the fold of its events in stream order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseState {
    /// The case, once an event has been applied.
    pub case_id: Option<CaseId>,
    /// Number of events applied: the stream version.
    pub version: u64,
    /// The latest effective time seen.
    pub last_effective_at: Option<Timestamp>,
    /// The person concerned.
    pub person_id: Option<PersonId>,
    /// The person's A-number, if recorded.
    pub a_number: Option<ANumber>,
    /// When the case was opened.
    pub opened: Option<Fact>,
    /// When the notice to appear was served.
    pub nta_served: Option<Fact>,
    /// When the notice to appear was filed with the court.
    pub nta_filed: Option<Fact>,
    /// The next hearing on the calendar.
    pub next_hearing: Option<ScheduledHearing>,
    /// Hearings held so far.
    pub hearings_held: u32,
    /// Applications for relief, in filing order.
    pub relief: Vec<ReliefApplication>,
    /// Protections granted, in granting order.
    pub protections: Vec<GrantedProtection>,
    /// The judge's decision currently standing (cleared when vacated).
    pub decision: Option<StandingDecision>,
    /// Appeal waiver of the standing decision.
    pub appeal_waived: Option<Fact>,
    /// Appeal of the standing decision.
    pub appeal: Option<Appeal>,
    /// Petition for review filed after the Board's decision.
    pub petition_for_review: Option<Fact>,
    /// Motions to reopen against the standing decision, in filing order.
    pub motions_to_reopen: Vec<MotionToReopen>,
    /// Decisions vacated by reopening or remand, for the record.
    pub vacated_decisions: Vec<StandingDecision>,
    /// Claim to US citizenship.
    pub citizenship_claim: Option<CitizenshipClaim>,
    /// Custody.
    pub custody: Custody,
    /// Travel document obtained for removal.
    pub travel_document: Option<(TravelDocument, Fact)>,
    /// Verified departure.
    pub departure_verified: Option<(Date, Fact)>,
    /// Removal carried out.
    pub removed: Option<Fact>,
    /// Closure.
    pub closed: Option<(CloseReason, Fact)>,
    /// Events accepted by the fold despite not fitting the state.
    pub anomalies: Vec<Anomaly>,
}

impl CaseState {
    /// The state after folding `events` in order.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> CaseState {
        let mut state = CaseState::default();
        for e in events {
            state.apply(e);
        }
        state
    }

    fn anomaly(&mut self, event: &Event, note: &'static str) {
        self.anomalies.push(Anomaly { event: event.id, note });
    }

    fn vacate_decision(&mut self) {
        if let Some(d) = self.decision.take() {
            self.vacated_decisions.push(d);
        }
        self.appeal = None;
        self.appeal_waived = None;
        self.petition_for_review = None;
        self.motions_to_reopen.clear();
    }

    /// Applies one event. Never fails: an event that does not fit is applied as far as it
    /// makes sense and noted in [`CaseState::anomalies`].
    pub fn apply(&mut self, event: &Event) {
        if self.case_id.is_none() {
            self.case_id = Some(event.case_id.clone());
        } else if self.case_id.as_ref() != Some(&event.case_id) {
            self.anomaly(event, "event belongs to another case");
            return;
        }
        self.version += 1;
        if self.last_effective_at.is_some_and(|last| event.effective_at < last) {
            self.anomaly(event, "effective time precedes an earlier event's");
        }
        self.last_effective_at = Some(self.last_effective_at.map_or(event.effective_at, |l| l.max(event.effective_at)));
        let fact = Fact::of(event);
        match &event.body {
            EventBody::CaseOpened { person_id, a_number } => {
                if self.opened.is_some() {
                    self.anomaly(event, "case opened twice");
                }
                self.opened.get_or_insert(fact);
                self.person_id = Some(person_id.clone());
                if a_number.is_some() {
                    self.a_number = *a_number;
                }
            }
            EventBody::NoticeToAppearServed => self.nta_served = Some(fact),
            EventBody::NoticeToAppearFiled => self.nta_filed = Some(fact),
            EventBody::HearingScheduled { kind, at } => {
                self.next_hearing = Some(ScheduledHearing { kind: *kind, at: *at, event: event.id });
            }
            EventBody::HearingHeld { .. } => {
                if self.next_hearing.take().is_none() {
                    self.anomaly(event, "hearing held without one scheduled");
                }
                self.hearings_held += 1;
            }
            EventBody::HearingAdjourned { until } => match (self.next_hearing.as_mut(), until) {
                (Some(h), Some(t)) => {
                    h.at = *t;
                    h.event = event.id;
                }
                (Some(_), None) => self.next_hearing = None,
                (None, _) => self.anomaly(event, "hearing adjourned without one scheduled"),
            },
            EventBody::ReliefApplicationFiled { relief } => self.relief.push(ReliefApplication {
                relief: *relief,
                status: ApplicationStatus::Pending,
                filed: fact,
                resolved: None,
            }),
            EventBody::ReliefApplicationGranted { relief } => {
                self.resolve_relief(event, *relief, ApplicationStatus::Granted)
            }
            EventBody::ReliefApplicationDenied { relief } => {
                self.resolve_relief(event, *relief, ApplicationStatus::Denied)
            }
            EventBody::ReliefApplicationWithdrawn { relief } => {
                self.resolve_relief(event, *relief, ApplicationStatus::Withdrawn);
            }
            EventBody::ProtectionGranted { protection, from, until } => self.protections.push(GrantedProtection {
                kind: *protection,
                from: *from,
                until: *until,
                granted_by: event.id,
                terminated: None,
            }),
            EventBody::ProtectionExpired { protection } => {
                let t = event.effective_at;
                if !self.protections.iter().any(|p| p.kind == *protection && p.from <= t) {
                    self.anomaly(event, "expiry of a protection never granted");
                }
            }
            EventBody::ProtectionTerminated { protection } => {
                let mut found = false;
                for p in self.protections.iter_mut().filter(|p| p.kind == *protection && p.terminated.is_none()) {
                    p.terminated = Some(fact);
                    found = true;
                }
                if !found {
                    self.anomaly(event, "termination of a protection not in force");
                }
            }
            EventBody::DecisionIssued { outcome } => {
                if self.decision.is_some() {
                    self.anomaly(event, "decision issued while another stands");
                    self.vacate_decision();
                }
                self.decision = Some(StandingDecision { outcome: *outcome, issued: fact });
                self.next_hearing = None;
            }
            EventBody::AppealFiled { by, late_filing_basis } => {
                if self.decision.is_none() {
                    self.anomaly(event, "appeal filed without a decision");
                }
                self.appeal = Some(Appeal {
                    by: *by,
                    filed: fact,
                    late: late_filing_basis.is_some(),
                    decided: None,
                    voluntary_departure_until: None,
                });
            }
            EventBody::AppealWaived => self.appeal_waived = Some(fact),
            EventBody::AppealDecided { outcome, voluntary_departure_until } => match self.appeal.as_mut() {
                Some(a) if a.decided.is_none() => {
                    a.decided = Some((*outcome, fact));
                    a.voluntary_departure_until = *voluntary_departure_until;
                    if *outcome == AppealOutcome::Remanded {
                        self.vacate_decision();
                    }
                }
                _ => self.anomaly(event, "appeal decided without one pending"),
            },
            EventBody::PetitionForReviewFiled => self.petition_for_review = Some(fact),
            EventBody::MotionToReopenFiled => {
                self.motions_to_reopen.push(MotionToReopen { filed: fact, decided: None });
            }
            EventBody::MotionToReopenDecided { granted } => {
                match self.motions_to_reopen.iter_mut().find(|m| m.decided.is_none()) {
                    Some(m) => m.decided = Some((*granted, fact)),
                    None => self.anomaly(event, "motion to reopen decided without one pending"),
                }
                if *granted {
                    self.vacate_decision();
                    if self
                        .closed
                        .is_some_and(|(r, _)| !matches!(r, CloseReason::Deceased | CloseReason::CitizenshipEstablished))
                    {
                        self.closed = None;
                    }
                }
            }
            EventBody::CitizenshipClaimRaised => {
                self.citizenship_claim = Some(CitizenshipClaim { raised: fact, resolved: None });
            }
            EventBody::CitizenshipClaimResolved { finding } => match self.citizenship_claim.as_mut() {
                Some(c) if c.resolved.is_none() => c.resolved = Some((*finding, fact)),
                _ => self.anomaly(event, "citizenship claim resolved without one pending"),
            },
            EventBody::CustodyBegan => {
                if self.custody.detained_since.is_some() {
                    self.anomaly(event, "custody began while already detained");
                } else {
                    self.custody.detained_since = Some(fact);
                    self.custody.last_review = None;
                    self.custody.episodes += 1;
                }
            }
            EventBody::CustodyReviewed { .. } => {
                if self.custody.detained_since.is_none() {
                    self.anomaly(event, "custody reviewed while not detained");
                }
                self.custody.last_review = Some(fact);
            }
            EventBody::CustodyReleased { release } => {
                if self.custody.detained_since.take().is_none() {
                    self.anomaly(event, "release while not detained");
                }
                self.custody.last_release = Some((*release, fact));
            }
            EventBody::CustodyTransferred => {
                if self.custody.detained_since.is_none() {
                    self.anomaly(event, "custody transferred while not detained");
                }
            }
            EventBody::TravelDocumentObtained { document } => self.travel_document = Some((document.clone(), fact)),
            EventBody::DepartureVerified { departed_on } => {
                self.departure_verified = Some((*departed_on, fact));
                self.custody.detained_since = None;
            }
            EventBody::RemovalCarriedOut => {
                self.removed = Some(fact);
                self.custody.detained_since = None;
            }
            EventBody::CaseClosed { reason } => {
                if self.closed.is_some() {
                    self.anomaly(event, "case closed twice");
                }
                self.closed = Some((*reason, fact));
            }
        }
    }

    fn resolve_relief(&mut self, event: &Event, relief: ReliefKind, status: ApplicationStatus) {
        let fact = Fact::of(event);
        match self.relief.iter_mut().rev().find(|a| a.relief == relief && a.status == ApplicationStatus::Pending) {
            Some(a) => {
                a.status = status;
                a.resolved = Some(fact);
            }
            None => {
                // A grant by another agency may be recorded without the filing; keep it.
                self.relief.push(ReliefApplication { relief, status, filed: fact, resolved: Some(fact) });
                self.anomaly(event, "relief application resolved without one pending");
            }
        }
    }

    /// Pending applications for relief.
    pub fn pending_relief(&self) -> impl Iterator<Item = &ReliefApplication> {
        self.relief.iter().filter(|a| a.status == ApplicationStatus::Pending)
    }

    /// Whether the person is in immigration custody (as of the latest event).
    pub fn detained(&self) -> bool {
        self.custody.detained_since.is_some()
    }

    /// Whether a claim to US citizenship is raised and not yet resolved.
    pub fn citizenship_claim_pending(&self) -> bool {
        self.citizenship_claim.is_some_and(|c| c.resolved.is_none())
    }

    /// Whether the person has been found to be a US citizen.
    pub fn citizenship_established(&self) -> bool {
        self.citizenship_claim.is_some_and(|c| matches!(c.resolved, Some((CitizenshipFinding::Citizen, _))))
    }
}
