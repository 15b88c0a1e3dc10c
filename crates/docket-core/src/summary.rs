//! A case's projection: a flat, time-independent summary that answers "as of" questions
//! without the events. It is what the store keeps per case and what policies read in bulk.

use crate::clocks::{Deadline, Finality, ProtectionPeriod, RemovalPeriod, Rule};
use crate::event::CitizenshipFinding;
use crate::event::{CloseReason, DecisionOutcome, HearingKind, ReliefKind};
use crate::ids::{CaseId, PersonId};
use crate::person::ANumber;
use crate::state::{ApplicationStatus, CaseState};
use crate::time::{Date, Timestamp};

/// Where a claim to US citizenship stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CitizenshipStatus {
    /// No claim raised.
    NoClaim,
    /// Raised and not yet resolved.
    Pending,
    /// Resolved: the person is a US citizen.
    Citizen,
    /// Resolved: not substantiated.
    NotCitizen,
}

/// A case's stage as of an instant, in the words a supervisor uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Opened on an encounter; no notice to appear served yet.
    Encountered,
    /// Notice to appear served but not filed with the court.
    NoticeServed,
    /// Proceedings pending before the immigration court.
    PendingInCourt,
    /// Removal ordered; not yet final (the appeal window is open).
    OrderNotFinal,
    /// Within a voluntary-departure period.
    VoluntaryDeparturePeriod,
    /// On appeal at the Board.
    OnAppeal,
    /// A final order of removal.
    FinalOrder,
    /// Relief from removal granted.
    ReliefGranted,
    /// Proceedings terminated (including on a finding of US citizenship).
    Terminated,
    /// Departure verified.
    Departed,
    /// Removal carried out.
    Removed,
    /// Case closed.
    Closed,
}

impl Stage {
    /// Every stage, in lifecycle order.
    pub const ALL: [Stage; 12] = [
        Stage::Encountered,
        Stage::NoticeServed,
        Stage::PendingInCourt,
        Stage::OrderNotFinal,
        Stage::VoluntaryDeparturePeriod,
        Stage::OnAppeal,
        Stage::FinalOrder,
        Stage::ReliefGranted,
        Stage::Terminated,
        Stage::Departed,
        Stage::Removed,
        Stage::Closed,
    ];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Encountered => "encountered",
            Stage::NoticeServed => "notice_served",
            Stage::PendingInCourt => "pending_in_court",
            Stage::OrderNotFinal => "order_not_final",
            Stage::VoluntaryDeparturePeriod => "voluntary_departure_period",
            Stage::OnAppeal => "on_appeal",
            Stage::FinalOrder => "final_order",
            Stage::ReliefGranted => "relief_granted",
            Stage::Terminated => "terminated",
            Stage::Departed => "departed",
            Stage::Removed => "removed",
            Stage::Closed => "closed",
        }
    }
}

/// The time-independent projection of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    /// The case.
    pub case_id: CaseId,
    /// The person.
    pub person_id: Option<PersonId>,
    /// The A-number.
    pub a_number: Option<ANumber>,
    /// Stream version (events applied).
    pub version: u64,
    /// When the case was opened.
    pub opened_at: Option<Timestamp>,
    /// Latest effective time among its events.
    pub last_effective_at: Option<Timestamp>,
    /// Notice to appear served.
    pub nta_served_at: Option<Timestamp>,
    /// Notice to appear filed.
    pub nta_filed_at: Option<Timestamp>,
    /// The next hearing.
    pub next_hearing: Option<(HearingKind, Timestamp)>,
    /// The standing decision and when it was issued.
    pub decision: Option<(DecisionOutcome, Timestamp)>,
    /// Whether an appeal is pending at the Board.
    pub appeal_pending: bool,
    /// Whether the right to appeal the standing decision was waived.
    pub appeal_waived: bool,
    /// Whether the standing decision was appealed (pending or decided).
    pub appealed: bool,
    /// The appeal window of the standing decision.
    pub appeal_deadline: Option<Deadline>,
    /// When the order of removal is or becomes final.
    pub final_order: Option<Finality>,
    /// The voluntary-departure deadline in force.
    pub voluntary_departure: Option<Deadline>,
    /// The removal period.
    pub removal_period: Option<RemovalPeriod>,
    /// Custody reviews owed.
    pub custody_reviews: Vec<Deadline>,
    /// Detained since, if detained.
    pub detained_since: Option<Timestamp>,
    /// Relief applications pending.
    pub pending_relief: Vec<ReliefKind>,
    /// Relief granted (by an application or by the judge).
    pub granted_relief: Vec<ReliefKind>,
    /// Claim to US citizenship.
    pub citizenship: CitizenshipStatus,
    /// Protections and stays, granted or arising by regulation.
    pub protections: Vec<ProtectionPeriod>,
    /// Whether a travel document has been obtained.
    pub travel_document: bool,
    /// Verified departure date.
    pub departed_on: Option<Date>,
    /// Removal carried out.
    pub removed_at: Option<Timestamp>,
    /// Closure.
    pub closed: Option<(CloseReason, Timestamp)>,
    /// Number of anomalies noted by the fold.
    pub anomalies: u32,
}

impl CaseState {
    /// The projection of this state. None before any event.
    pub fn summary(&self) -> Option<CaseSummary> {
        let case_id = self.case_id.clone()?;
        let mut granted_relief: Vec<ReliefKind> =
            self.relief.iter().filter(|a| a.status == ApplicationStatus::Granted).map(|a| a.relief).collect();
        if let Some(d) = &self.decision {
            if let DecisionOutcome::ReliefGranted(k) = d.outcome {
                granted_relief.push(k);
            }
        }
        granted_relief.sort();
        granted_relief.dedup();
        let mut pending_relief: Vec<ReliefKind> = self.pending_relief().map(|a| a.relief).collect();
        pending_relief.sort();
        pending_relief.dedup();
        let citizenship = match self.citizenship_claim {
            None => CitizenshipStatus::NoClaim,
            Some(c) => match c.resolved {
                None => CitizenshipStatus::Pending,
                Some((CitizenshipFinding::Citizen, _)) => CitizenshipStatus::Citizen,
                Some((CitizenshipFinding::NotCitizen, _)) => CitizenshipStatus::NotCitizen,
            },
        };
        Some(CaseSummary {
            case_id,
            person_id: self.person_id.clone(),
            a_number: self.a_number,
            version: self.version,
            opened_at: self.opened.map(|f| f.at),
            last_effective_at: self.last_effective_at,
            nta_served_at: self.nta_served.map(|f| f.at),
            nta_filed_at: self.nta_filed.map(|f| f.at),
            next_hearing: self.next_hearing.map(|h| (h.kind, h.at)),
            decision: self.decision.map(|d| (d.outcome, d.issued.at)),
            appeal_pending: self.appeal.is_some_and(|a| a.decided.is_none()),
            appeal_waived: self.appeal_waived.is_some(),
            appealed: self.appeal.is_some(),
            appeal_deadline: self.appeal_deadline(),
            final_order: self.final_order(),
            voluntary_departure: self.voluntary_departure_deadline(),
            removal_period: self.removal_period(),
            custody_reviews: self.post_order_custody_reviews(),
            detained_since: self.custody.detained_since.map(|f| f.at),
            pending_relief,
            granted_relief,
            citizenship,
            protections: self.protection_periods(),
            travel_document: self.travel_document.is_some(),
            departed_on: self.departure_verified.map(|(d, _)| d),
            removed_at: self.removed.map(|f| f.at),
            closed: self.closed.map(|(r, f)| (r, f.at)),
            anomalies: self.anomalies.len() as u32,
        })
    }
}

impl CaseSummary {
    /// Whether an order of removal is administratively final at `t`.
    pub fn final_at(&self, t: Timestamp) -> bool {
        self.final_order.as_ref().is_some_and(|f| f.at <= t)
    }

    /// Protections and stays in force at `t`.
    pub fn protections_in_force(&self, t: Timestamp) -> impl Iterator<Item = &ProtectionPeriod> {
        self.protections.iter().filter(move |p| p.in_force_at(t))
    }

    /// The case's stage at `t`.
    pub fn stage_at(&self, t: Timestamp) -> Stage {
        // Removal and departure are what a supervisor counts, whether or not the case has
        // been formally closed since.
        if self.removed_at.is_some_and(|at| at <= t) {
            return Stage::Removed;
        }
        if self.departed_on.is_some_and(|d| d <= t.local_date()) {
            return Stage::Departed;
        }
        if self.closed.is_some_and(|(_, at)| at <= t) {
            return Stage::Closed;
        }
        if self.citizenship == CitizenshipStatus::Citizen {
            return Stage::Terminated;
        }
        let Some((outcome, _)) = self.decision.filter(|(_, at)| *at <= t) else {
            return if self.nta_filed_at.is_some_and(|at| at <= t) {
                Stage::PendingInCourt
            } else if self.nta_served_at.is_some_and(|at| at <= t) {
                Stage::NoticeServed
            } else {
                Stage::Encountered
            };
        };
        let appeal = self.board_appeal();
        if appeal.is_some_and(|p| p.in_force_at(t)) {
            return Stage::OnAppeal;
        }
        // Before the outcome: the Board may have ordered removal on DHS's appeal from a grant.
        if self.final_at(t) {
            return Stage::FinalOrder;
        }
        let board_decided = appeal.and_then(|p| p.until).is_some_and(|decided| decided <= t);
        match outcome {
            DecisionOutcome::ReliefGranted(_) => Stage::ReliefGranted,
            DecisionOutcome::Terminated => Stage::Terminated,
            _ if self.voluntary_departure.as_ref().is_some_and(|d| d.open_at(t)) => Stage::VoluntaryDeparturePeriod,
            // A removal order the Board decided without making it final or setting a departure
            // period was reversed: the Board granted relief (or terminated proceedings).
            _ if board_decided => Stage::ReliefGranted,
            _ => Stage::OrderNotFinal,
        }
    }

    /// The appeal of the standing decision, as the stay it carries (8 CFR 1003.6(a)): from its
    /// filing to the Board's decision. The projection keeps no other record of when the case
    /// was before the Board.
    fn board_appeal(&self) -> Option<&ProtectionPeriod> {
        self.protections.iter().find(|p| p.rule == Rule::AutomaticStayPendingAppeal)
    }

    /// Deadlines that fall due within `[t, t + days]`, earliest first: appeal window,
    /// voluntary departure, end of the removal period and custody reviews. None once the case
    /// is closed, or the person removed or departed, at `t`.
    pub fn deadlines_within(&self, t: Timestamp, days: i32) -> Vec<&Deadline> {
        if !self.open_at(t) {
            return Vec::new();
        }
        let horizon = t.local_date().add_days(days);
        let mut out: Vec<&Deadline> = Vec::new();
        let appealed = self.board_appeal().is_some_and(|p| p.from <= t);
        let appealable = !appealed && self.final_order.as_ref().is_none_or(|f| f.at > t);
        if appealable {
            out.extend(self.appeal_deadline.as_ref());
        }
        out.extend(self.voluntary_departure.as_ref());
        if self.detained_since.is_some_and(|since| since <= t) {
            out.extend(self.custody_reviews.iter());
        }
        out.retain(|d| d.open_at(t) && d.due <= horizon);
        out.sort_by_key(|d| d.due);
        out
    }

    /// Whether the case is open (not closed, removed or departed) at `t`.
    pub fn open_at(&self, t: Timestamp) -> bool {
        !matches!(self.stage_at(t), Stage::Closed | Stage::Removed | Stage::Departed)
    }
}
