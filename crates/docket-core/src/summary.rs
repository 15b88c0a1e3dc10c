//! A case's projection: a flat, time-independent summary that answers "as of" questions
//! without the events. It is what the store keeps per case and what policies read in bulk.

use crate::clocks::{Deadline, Finality, OverstayPenalty, ProtectionPeriod, RemovalPeriod, Rule};
use crate::event::CitizenshipFinding;
use crate::event::{CloseReason, DecisionOutcome, HearingKind, ReliefKind};
use crate::ids::{CaseId, EventId, PersonId};
use crate::person::{ANumber, Country, DateOfBirth};
use crate::rules::Bar;
use crate::state::{
    ApplicationStatus, CaseState, CitizenshipClaim, Conviction, CounselOfRecord, CountryProtectionGrant, LastEntry,
    Mitigation, SecurityDetermination,
};
use crate::time::{Date, TimeZone, Timestamp};

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

/// The travel document held for removal, as the projection keeps it: whose it is not, only
/// for which country and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldDocument {
    /// The country that issued it (the country it admits the person to).
    pub issuing_country: Country,
    /// Its last day of validity, if it has one.
    pub expiry: Option<Date>,
    /// The event that recorded it.
    pub event: EventId,
}

impl HeldDocument {
    /// Whether the document is still valid on `day` (valid through its expiry date).
    pub fn valid_on(&self, day: Date) -> bool {
        self.expiry.is_none_or(|e| day <= e)
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
    /// The time zone the case's deadlines are counted in: the deciding court's, else the
    /// case's, else (once a decision stands) one inferred from the decision's UTC offset.
    pub time_zone: Option<TimeZone>,
    /// Whether `time_zone` was inferred, no zone having been recorded.
    pub time_zone_inferred: bool,
    /// Stream version (events applied).
    pub version: u64,
    /// When the case was opened.
    pub opened_at: Option<Timestamp>,
    /// Latest effective time among its events.
    pub last_effective_at: Option<Timestamp>,
    /// Arrests recorded, and the latest.
    pub arrests: u32,
    /// When the latest arrest took effect.
    pub last_arrest_at: Option<Timestamp>,
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
    /// Whether appeal was reserved at the hearing.
    pub appeal_reserved: bool,
    /// The appeal window of the standing decision.
    pub appeal_deadline: Option<Deadline>,
    /// When the order of removal is or becomes final.
    pub final_order: Option<Finality>,
    /// What overstaying voluntary departure cost the person, if they overstayed.
    pub overstay_penalty: Option<OverstayPenalty>,
    /// The voluntary-departure deadline in force.
    pub voluntary_departure: Option<Deadline>,
    /// The removal period.
    pub removal_period: Option<RemovalPeriod>,
    /// Custody reviews owed.
    pub custody_reviews: Vec<Deadline>,
    /// Detained since, if detained.
    pub detained_since: Option<Timestamp>,
    /// The event that began the current custody, if detained.
    pub detained_by: Option<EventId>,
    /// Relief applications pending.
    pub pending_relief: Vec<ReliefKind>,
    /// Pending claims for protection from persecution or torture (asylum, withholding,
    /// CAT), each with the event that filed it.
    pub pending_protection_claims: Vec<(ReliefKind, EventId)>,
    /// Relief granted (by an application or by the judge).
    pub granted_relief: Vec<ReliefKind>,
    /// Grants of withholding or CAT protection as to a country.
    pub country_protections: Vec<CountryProtectionGrant>,
    /// Claim to US citizenship.
    pub citizenship: CitizenshipStatus,
    /// The events of the claim and its resolution.
    pub citizenship_basis: Vec<EventId>,
    /// The claim itself, when and by which events it was raised and resolved.
    pub citizenship_claim: Option<CitizenshipClaim>,
    /// Protections and stays, granted or arising by regulation.
    pub protections: Vec<ProtectionPeriod>,
    /// The country of removal designated for the standing order, and the event that did.
    pub designated_country: Option<(Country, EventId)>,
    /// The travel document obtained for removal (the latest).
    pub travel_document: Option<HeldDocument>,
    /// Verified departure date.
    pub departed_on: Option<Date>,
    /// The events of departure or removal.
    pub left_basis: Vec<EventId>,
    /// Removal carried out.
    pub removed_at: Option<Timestamp>,
    /// The country removed to, if recorded.
    pub removed_to: Option<Country>,
    /// Counsel of record now.
    pub counsel: Vec<CounselOfRecord>,
    /// Criminal convictions as recorded (vacated ones included, marked).
    pub convictions: Vec<Conviction>,
    /// National-security determinations.
    pub security_determinations: Vec<SecurityDetermination>,
    /// The person's last entry.
    pub last_entry: Option<LastEntry>,
    /// Mitigating circumstances.
    pub mitigations: Vec<Mitigation>,
    /// Closure.
    pub closed: Option<(CloseReason, Timestamp)>,
    /// The event that closed the case.
    pub closed_by: Option<EventId>,
    /// The events the fold accepted although the rules would have refused them (anomalies),
    /// in order: what they change is not known.
    pub anomalies: Vec<EventId>,
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
        let pending_protection_claims = self
            .pending_relief()
            .filter(|a| matches!(a.relief, ReliefKind::Asylum | ReliefKind::Withholding | ReliefKind::Cat))
            .map(|a| (a.relief, a.filed.event))
            .collect();
        let (citizenship, citizenship_basis) = self.citizenship_status();
        let left_basis = [self.departure_verified.map(|(_, f)| f.event), self.removed.map(|(f, _)| f.event)]
            .into_iter()
            .flatten()
            .collect();
        let appeal_deadline = self.appeal_deadline();
        let final_order = self.final_order_given(appeal_deadline.as_ref());
        let removal_period = self.removal_period_given(final_order.as_ref());
        Some(CaseSummary {
            case_id,
            person_id: self.person_id.clone(),
            a_number: self.a_number,
            time_zone: self.clock().and_then(|c| c.zone().cloned()).or_else(|| self.decision_zone().cloned()),
            time_zone_inferred: self.zone_inferred() && self.clock().is_some_and(|c| c.zone().is_some()),
            version: self.version,
            opened_at: self.opened.map(|f| f.at),
            last_effective_at: self.last_effective_at,
            arrests: self.arrests.len() as u32,
            last_arrest_at: self.arrests.last().map(|f| f.at),
            nta_served_at: self.nta_served.map(|f| f.at),
            nta_filed_at: self.nta_filed.map(|f| f.at),
            next_hearing: self.next_hearing.map(|h| (h.kind, h.at)),
            decision: self.decision.map(|d| (d.outcome, d.issued.at)),
            appeal_pending: self.appeal.is_some_and(|a| a.decided.is_none()),
            appeal_waived: self.appeal_waived.is_some(),
            appealed: self.appeal.is_some(),
            appeal_reserved: self.appeal_reserved.is_some(),
            overstay_penalty: self.overstay_penalty_given(final_order.as_ref()),
            custody_reviews: self.post_order_custody_reviews_given(removal_period.as_ref()),
            removal_period,
            protections: self.protection_periods_given(appeal_deadline.as_ref()),
            appeal_deadline,
            final_order,
            voluntary_departure: self.voluntary_departure_deadline(),

            detained_since: self.custody.detained_since.map(|f| f.at),
            detained_by: self.custody.detained_since.map(|f| f.event),
            pending_relief,
            pending_protection_claims,
            granted_relief,
            country_protections: self.country_protections.clone(),
            citizenship,
            citizenship_basis,
            citizenship_claim: self.citizenship_claim,
            designated_country: self.designated_country.map(|(c, f)| (c, f.event)),
            travel_document: self.travel_document.as_ref().map(|(d, f)| HeldDocument {
                issuing_country: d.issuing_country(),
                expiry: d.expiry(),
                event: f.event,
            }),
            departed_on: self.departure_verified.map(|(d, _)| d),
            left_basis,
            removed_at: self.removed.map(|(f, _)| f.at),
            removed_to: self.removed.and_then(|(_, c)| c),
            counsel: self.counsel_of_record().cloned().collect(),
            convictions: self.convictions.clone(),
            security_determinations: self.security_determinations.clone(),
            last_entry: self.last_entry,
            mitigations: self.mitigations.clone(),
            closed: self.closed.map(|(r, f)| (r, f.at)),
            closed_by: self.closed.map(|(_, f)| f.event),
            anomalies: self.anomalies.iter().map(|a| a.event).collect(),
        })
    }
}

/// What a verified departure means for the case, as of the events recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepartureOutcome {
    /// Departed within the voluntary-departure period (8 CFR 1240.26): the alternate order of
    /// removal never takes effect.
    VoluntaryDepartureOnTime,
    /// Departed after the voluntary-departure period ran out (or after a petition for review
    /// ended it): the alternate order took effect first.
    VoluntaryDepartureLate,
    /// Departed under an administratively final order of removal: the order was executed by
    /// the departure (INA 101(g); 8 CFR 1241.7).
    OrderExecutedByDeparture,
    /// Departed before any order of removal was final.
    DepartedBeforeFinalOrder,
}

impl DepartureOutcome {
    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            DepartureOutcome::VoluntaryDepartureOnTime => "voluntary_departure_on_time",
            DepartureOutcome::VoluntaryDepartureLate => "voluntary_departure_late",
            DepartureOutcome::OrderExecutedByDeparture => "order_executed_by_departure",
            DepartureOutcome::DepartedBeforeFinalOrder => "departed_before_final_order",
        }
    }
}

impl CaseSummary {
    /// What the verified departure, if any, means for the case: compliance with voluntary
    /// departure on time or late where it was granted, else whether a final order was executed
    /// by it.
    pub fn departure_outcome(&self) -> Option<DepartureOutcome> {
        let departed_on = self.departed_on?;
        if let Some(vd) = &self.voluntary_departure {
            return Some(if vd.met.is_some() {
                DepartureOutcome::VoluntaryDepartureOnTime
            } else {
                DepartureOutcome::VoluntaryDepartureLate
            });
        }
        Some(match &self.final_order {
            Some(f) if self.local_date(f.at) <= departed_on => DepartureOutcome::OrderExecutedByDeparture,
            _ => DepartureOutcome::DepartedBeforeFinalOrder,
        })
    }

    /// The date of `at` on the case's local calendar: in its court's time zone when one is
    /// known, else at the instant's own offset.
    pub fn local_date(&self, at: Timestamp) -> Date {
        self.time_zone.as_ref().map_or_else(|| at.local_date(), |z| z.local_date(at))
    }

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
        out.retain(|d| d.pending_at(t) && d.due <= horizon);
        out.sort_by_key(|d| d.due);
        out
    }

    /// Whether the case is open (not closed, removed or departed) at `t`.
    pub fn open_at(&self, t: Timestamp) -> bool {
        !matches!(self.stage_at(t), Stage::Closed | Stage::Removed | Stage::Departed)
    }
}

/// What Docket knows of a person beyond one case, for the rules that concern the person
/// rather than the case: their recorded identity, and the claims to US citizenship in their
/// other cases (a claim is about the person, so it protects every case of theirs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFacts {
    /// The person's recorded date of birth, if the person is stored.
    pub date_of_birth: Option<DateOfBirth>,
    /// The person's recorded A-number.
    pub a_number: Option<ANumber>,
    /// Claims to US citizenship raised in the person's other cases, with their resolutions.
    pub claims_elsewhere: Vec<(CaseId, CitizenshipClaim)>,
}

impl PersonFacts {
    /// The other cases' claims unresolved at `t`.
    pub fn claims_pending_at(&self, t: Timestamp) -> impl Iterator<Item = &(CaseId, CitizenshipClaim)> {
        self.claims_elsewhere.iter().filter(move |(_, c)| c.raised.at <= t && c.resolved.is_none_or(|(_, f)| f.at > t))
    }

    /// The other cases where the person was found to be a US citizen by `t`.
    pub fn citizen_found_by(&self, t: Timestamp) -> impl Iterator<Item = &(CaseId, CitizenshipClaim)> {
        self.claims_elsewhere.iter().filter(move |(_, c)| {
            c.resolved.is_some_and(|(finding, f)| finding == CitizenshipFinding::Citizen && f.at <= t)
        })
    }
}

impl CaseSummary {
    /// The bars to an enforcement action that concern the person rather than the case, as of
    /// `t`: a finding of US citizenship or an unresolved claim to it, in this case or any
    /// other of the person's, and a departure or removal already recorded.
    pub fn bars_to_enforcement(&self, t: Timestamp, person: &PersonFacts) -> Vec<Bar> {
        PersonBars {
            citizenship: self.citizenship,
            citizenship_basis: &self.citizenship_basis,
            removed_at: self.removed_at,
            departed_on: self.departed_on,
            left_basis: &self.left_basis,
        }
        .at(t, person)
    }

    /// Every bar to removing the person at `t` to `destination` (unknown when `None`), the
    /// most specific first: the bars on the person, then each stay or protection in force,
    /// a running voluntary-departure period, pending protection claims, grants of withholding
    /// or CAT protection as to the destination, and last the want of a final order. Empty
    /// when removal is lawful on the record. This is the one place the bars to removal are
    /// computed: recording a removal, the supervisor's report and the gates all ask here.
    pub fn bars_to_removal(&self, t: Timestamp, person: &PersonFacts, destination: Option<Country>) -> Vec<Bar> {
        let mut bars = self.bars_to_enforcement(t, person);
        // The stays that arise from the proceedings themselves first, then stays granted, then
        // the statuses that protect the person whatever the proceedings.
        let mut in_force: Vec<&ProtectionPeriod> = self.protections_in_force(t).collect();
        in_force.sort_by_key(|p| specificity(p.rule));
        for p in in_force {
            let until = match (p.until, p.end_unknown) {
                (Some(u), _) => format!(" until {u}"),
                (None, true) => ", its end date unknown".to_owned(),
                (None, false) => String::new(),
            };
            let what = match p.rule {
                Rule::AutomaticStayAppealWindow => "the appeal window's automatic stay is in force".to_owned(),
                Rule::AutomaticStayPendingAppeal => {
                    "an appeal is pending before the Board, which stays removal".to_owned()
                }
                Rule::AutomaticStayInAbsentiaMotion => {
                    "a motion to reopen the in absentia order is pending, which stays removal".to_owned()
                }
                _ => format!("{} is in force", protection_words(p.kind)),
            };
            bars.push(Bar::new(p.rule, format!("{what}{until}"), p.basis.clone()));
        }
        if let Some(vd) = self.voluntary_departure.as_ref().filter(|d| d.open_at(t) && !d.met_by(t)) {
            bars.push(Bar::new(
                vd.rule,
                format!("the voluntary-departure period runs until {}", vd.due),
                vd.basis.clone(),
            ));
        }
        for (relief, event) in &self.pending_protection_claims {
            bars.push(Bar::new(
                Rule::PendingProtectionClaim,
                format!("an application for `{}` is pending", relief.name()),
                vec![*event],
            ));
        }
        for g in &self.country_protections {
            let rule = match g.protection.relief {
                ReliefKind::Cat => Rule::CatProtectionAsToCountry,
                _ => Rule::WithholdingAsToCountry,
            };
            let what = g.protection.relief.name();
            let reason = match (g.protection.country, destination) {
                (None, _) => Some(format!("`{what}` was granted as to a country that was not recorded")),
                (Some(c), None) => {
                    Some(format!("`{what}` was granted as to {c} and the country of removal is not stated"))
                }
                (Some(c), Some(d)) if c == d => Some(format!("`{what}` was granted as to {c}")),
                (Some(_), Some(_)) => None,
            };
            if let Some(reason) = reason {
                bars.push(Bar::new(rule, reason, vec![g.granted.event]));
            }
        }
        match &self.final_order {
            None => {
                bars.push(Bar::new(Rule::NoFinalOrder, "no administratively final order of removal exists", vec![]))
            }
            Some(f) if f.at > t => bars.push(Bar::new(
                Rule::NoFinalOrder,
                format!(
                    "the order of removal is not final until {}{}",
                    f.at,
                    f.rule.citation().map(|c| format!(" under {c}")).unwrap_or_default()
                ),
                f.basis.clone(),
            )),
            Some(_) => {}
        }
        bars
    }
}

/// What the bars on the person rest on: the case's citizenship claim and the person's
/// departure or removal. Read from a projection ([`CaseSummary::bars_to_enforcement`]) or,
/// for an enforcement action being decided, from the case's state without building its
/// whole projection ([`CaseState::bars_to_enforcement`]); the bars are computed here alone.
struct PersonBars<'a> {
    citizenship: CitizenshipStatus,
    citizenship_basis: &'a [EventId],
    removed_at: Option<Timestamp>,
    departed_on: Option<Date>,
    left_basis: &'a [EventId],
}

impl PersonBars<'_> {
    fn at(&self, t: Timestamp, person: &PersonFacts) -> Vec<Bar> {
        let mut bars = Vec::new();
        let here = self.citizenship_basis.to_vec();
        match self.citizenship {
            CitizenshipStatus::Citizen => bars.push(Bar::new(
                Rule::CitizenshipEstablished,
                "the person has been found to be a US citizen",
                here.clone(),
            )),
            CitizenshipStatus::Pending => bars.push(Bar::new(
                Rule::CitizenshipClaimPending,
                "a claim to US citizenship is pending in this case",
                here.clone(),
            )),
            CitizenshipStatus::NoClaim | CitizenshipStatus::NotCitizen => {}
        }
        if let Some((case, claim)) = person.citizen_found_by(t).next() {
            bars.push(Bar::new(
                Rule::CitizenshipEstablished,
                format!("the person has been found to be a US citizen (case `{case}`)"),
                claim.resolved.map(|(_, f)| f.event).into_iter().collect(),
            ));
        }
        let pending: Vec<&(CaseId, CitizenshipClaim)> = person.claims_pending_at(t).collect();
        if !pending.is_empty() {
            let cases: Vec<String> = pending.iter().map(|(c, _)| format!("`{c}`")).collect();
            bars.push(Bar::new(
                Rule::CitizenshipClaimPending,
                format!("a claim of the person to US citizenship is pending (case {})", cases.join(", ")),
                pending.iter().map(|(_, c)| c.raised.event).collect(),
            ));
        }
        let removed = self.removed_at.is_some_and(|at| at <= t);
        let departed = self.departed_on.is_some_and(|d| d <= t.local_date());
        if removed || departed {
            bars.push(Bar::new(
                Rule::AlreadyLeft,
                if removed { "removal is already recorded" } else { "the person's departure is already recorded" },
                self.left_basis.to_vec(),
            ));
        }
        bars
    }
}

impl CaseState {
    /// [`CaseSummary::bars_to_enforcement`], read from the state: what deciding an arrest, a
    /// custody or a transfer needs, without computing the case's clocks.
    pub fn bars_to_enforcement(&self, t: Timestamp, person: &PersonFacts) -> Vec<Bar> {
        let (citizenship, citizenship_basis) = self.citizenship_status();
        let left_basis: Vec<EventId> =
            [self.departure_verified.map(|(_, f)| f.event), self.removed.map(|(f, _)| f.event)]
                .into_iter()
                .flatten()
                .collect();
        PersonBars {
            citizenship,
            citizenship_basis: &citizenship_basis,
            removed_at: self.removed.map(|(f, _)| f.at),
            departed_on: self.departure_verified.map(|(d, _)| d),
            left_basis: &left_basis,
        }
        .at(t, person)
    }

    /// The status of the case's citizenship claim and the events it rests on.
    fn citizenship_status(&self) -> (CitizenshipStatus, Vec<EventId>) {
        let Some(c) = self.citizenship_claim else { return (CitizenshipStatus::NoClaim, Vec::new()) };
        let status = match c.resolved {
            None => CitizenshipStatus::Pending,
            Some((CitizenshipFinding::Citizen, _)) => CitizenshipStatus::Citizen,
            Some((CitizenshipFinding::NotCitizen, _)) => CitizenshipStatus::NotCitizen,
        };
        (status, [Some(c.raised.event), c.resolved.map(|(_, f)| f.event)].into_iter().flatten().collect())
    }
}

/// The order in which protections in force are named as bars, most specific first.
fn specificity(rule: Rule) -> u8 {
    match rule {
        Rule::AutomaticStayPendingAppeal => 0,
        Rule::AutomaticStayAppealWindow => 1,
        Rule::AutomaticStayInAbsentiaMotion => 2,
        Rule::RecordedAutomaticStay => 3,
        Rule::JudicialStay => 4,
        Rule::AdministrativeStay => 5,
        Rule::TemporaryProtectedStatus => 6,
        Rule::DeferredAction => 7,
        _ => 8,
    }
}

/// A protection in words.
pub fn protection_words(kind: crate::event::ProtectionKind) -> &'static str {
    use crate::event::{ProtectionKind, StayKind};
    match kind {
        ProtectionKind::Tps => "temporary protected status",
        ProtectionKind::DeferredAction => "deferred action",
        ProtectionKind::Stay(StayKind::Automatic) => "an automatic stay",
        ProtectionKind::Stay(StayKind::Administrative) => "an administrative stay",
        ProtectionKind::Stay(StayKind::Judicial) => "a judicial stay",
    }
}
