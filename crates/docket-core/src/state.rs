//! Case state as a fold of events. Applying an event never fails and never panics: the
//! rules that may refuse an event live in [`crate::decide`], before it is stored.

use crate::event::{
    AppealOutcome, Appellant, CitizenshipFinding, CloseReason, CounselForm, CountryProtection, DecisionOutcome,
    EntryManner, Event, EventBody, HearingKind, MitigatingFact, MotionBasis, OffenceClass, ProtectionEnd,
    ProtectionKind, ReleaseKind, ReliefKind, Statute, VoluntaryDeparturePeriod,
};
use crate::ids::{ActorId, CaseId, ConvictionId, CounselId, EventId, PersonId, SourceReference};
use crate::person::{ANumber, Country, TravelDocument};
use crate::time::{Date, TimeZone, Timestamp};

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
    /// Its end as granted.
    pub until: ProtectionEnd,
    /// The granting event.
    pub granted_by: EventId,
    /// Terminated before `until`, at this time, by this event.
    pub terminated: Option<Fact>,
    /// Recorded as lapsed, at this time, by this event: the end of a protection whose end date
    /// was unknown or that was granted without one.
    pub lapsed: Option<Fact>,
}

impl GrantedProtection {
    /// When it stops being in force, on what is recorded: the earliest of its end date, its
    /// termination and its recorded lapse.
    pub fn end(&self) -> ProtectionEnd {
        let recorded = [self.terminated, self.lapsed].into_iter().flatten().map(|f| f.at).min();
        match (self.until, recorded) {
            (ProtectionEnd::At(u), Some(r)) => ProtectionEnd::At(u.min(r)),
            (_, Some(r)) => ProtectionEnd::At(r),
            (until, None) => until,
        }
    }

    /// Whether it is in force at `t`, or may be: a protection whose end date is unknown is
    /// taken to be in force (fail closed).
    pub fn in_force_at(&self, t: Timestamp) -> bool {
        self.from <= t
            && match self.end() {
                ProtectionEnd::At(end) => t < end,
                ProtectionEnd::Indefinite | ProtectionEnd::Unknown => true,
            }
    }
}

/// A grant of withholding or CAT protection as to a country, and the event that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryProtectionGrant {
    /// What was granted, as to which country.
    pub protection: CountryProtection,
    /// When and by which event.
    pub granted: Fact,
}

/// Counsel of record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounselOfRecord {
    /// Counsel's identifier.
    pub counsel: CounselId,
    /// The notice of appearance.
    pub form: CounselForm,
    /// When and by which event the appearance was entered.
    pub appeared: Fact,
    /// When and by which event counsel withdrew, if they have.
    pub withdrew: Option<Fact>,
}

/// A criminal conviction as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conviction {
    /// The conviction's record number.
    pub conviction: ConvictionId,
    /// The class of the offence.
    pub offence_class: OffenceClass,
    /// The statute of conviction.
    pub statute: Statute,
    /// The date of conviction.
    pub convicted_on: Date,
    /// Whether it is final (appeals exhausted or waived).
    pub final_conviction: bool,
    /// The event that last recorded it.
    pub recorded: Fact,
    /// Vacated, when and by which event.
    pub vacated: Option<Fact>,
}

/// A national-security determination by an authorized official.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityDetermination {
    /// The official who made it.
    pub official: ActorId,
    /// Its reference, as recorded on the event.
    pub reference: Option<String>,
    /// When and by which event.
    pub made: Fact,
}

/// The person's last entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastEntry {
    /// The date of entry.
    pub entered_on: Date,
    /// How.
    pub manner: EntryManner,
    /// The last day of the admitted period, if admitted for one.
    pub admitted_until: Option<Date>,
    /// The event that recorded it.
    pub recorded: Fact,
}

/// A mitigating circumstance and the document it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mitigation {
    /// Which circumstance.
    pub fact: MitigatingFact,
    /// The document.
    pub source: SourceReference,
    /// The event that recorded it.
    pub recorded: Fact,
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
    /// Voluntary departure granted or reinstated by the Board.
    pub voluntary_departure: Option<VoluntaryDeparturePeriod>,
}

/// A motion to reopen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MotionToReopen {
    /// When and by which event it was filed.
    pub filed: Fact,
    /// Its grounds, if recorded.
    pub basis: Option<MotionBasis>,
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Custody {
    /// Detained since (current episode), if detained.
    pub detained_since: Option<Fact>,
    /// The last custody review of the current episode.
    pub last_review: Option<Fact>,
    /// Every custody review of the current episode, in order.
    pub reviews: Vec<Fact>,
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
    /// The time zone of the case's court or office, if recorded.
    pub time_zone: Option<TimeZone>,
    /// When the case was opened.
    pub opened: Option<Fact>,
    /// Arrests, in order.
    pub arrests: Vec<Fact>,
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
    /// The time zone of the court that issued the standing decision, where it differs from
    /// the case's.
    pub decision_time_zone: Option<TimeZone>,
    /// Where no zone is recorded for the standing decision or the case, the court zone
    /// inferred from the decision's UTC offset (see [`crate::clocks::infer_court_zone`]),
    /// kept so that the clocks do not infer it again on every question.
    pub inferred_time_zone: Option<TimeZone>,
    /// Grants of withholding or CAT protection as to a country, in order; they survive a
    /// later decision unless that decision is reopened or remanded.
    pub country_protections: Vec<CountryProtectionGrant>,
    /// Appeal waiver of the standing decision.
    pub appeal_waived: Option<Fact>,
    /// Appeal reserved at the hearing on the standing decision.
    pub appeal_reserved: Option<Fact>,
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
    /// The country of removal designated for the standing order (cleared with the order).
    pub designated_country: Option<(Country, Fact)>,
    /// Travel document obtained for removal (the latest).
    pub travel_document: Option<(TravelDocument, Fact)>,
    /// Verified departure.
    pub departure_verified: Option<(Date, Fact)>,
    /// Removal carried out, and to where if recorded.
    pub removed: Option<(Fact, Option<Country>)>,
    /// Counsel who have appeared, in order (withdrawn ones included).
    pub counsel: Vec<CounselOfRecord>,
    /// Criminal convictions, in order of first record.
    pub convictions: Vec<Conviction>,
    /// National-security determinations.
    pub security_determinations: Vec<SecurityDetermination>,
    /// The last entry, as last recorded.
    pub last_entry: Option<LastEntry>,
    /// Mitigating circumstances.
    pub mitigations: Vec<Mitigation>,
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
            // Grants made by the vacated decision go with it; those by separate grants stay.
            self.country_protections.retain(|g| g.granted.event != d.issued.event);
            self.vacated_decisions.push(d);
        }
        self.decision_time_zone = None;
        self.inferred_time_zone = None;
        // The designation was part of the vacated order.
        self.designated_country = None;
        self.appeal = None;
        self.appeal_waived = None;
        self.appeal_reserved = None;
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
            EventBody::CaseOpened { person_id, a_number, time_zone } => {
                if self.opened.is_some() {
                    self.anomaly(event, "case opened twice");
                }
                self.opened.get_or_insert(fact);
                self.person_id = Some(person_id.clone());
                if a_number.is_some() {
                    self.a_number = *a_number;
                }
                if time_zone.is_some() {
                    self.time_zone = time_zone.clone();
                }
            }
            EventBody::Arrested => self.arrests.push(fact),
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
            EventBody::ReliefApplicationGranted { relief, country } => {
                self.resolve_relief(event, *relief, ApplicationStatus::Granted);
                if matches!(relief, ReliefKind::Withholding | ReliefKind::Cat) {
                    self.country_protections.push(CountryProtectionGrant {
                        protection: CountryProtection { relief: *relief, country: *country },
                        granted: fact,
                    });
                }
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
                lapsed: None,
            }),
            EventBody::ProtectionExpired { protection } => {
                let t = event.effective_at;
                if !self.protections.iter().any(|p| p.kind == *protection && p.from <= t) {
                    self.anomaly(event, "expiry of a protection never granted");
                }
                // A recorded lapse ends a protection whose end date was not recorded (or that
                // had none); one with an end date has already ended by it.
                for p in self
                    .protections
                    .iter_mut()
                    .filter(|p| p.kind == *protection && p.from <= t && p.lapsed.is_none() && p.terminated.is_none())
                {
                    if !matches!(p.until, ProtectionEnd::At(_)) {
                        p.lapsed = Some(fact);
                    }
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
            EventBody::DecisionIssued { outcome, time_zone, country_protection } => {
                if self.decision.is_some() {
                    self.anomaly(event, "decision issued while another stands");
                    self.vacate_decision();
                }
                self.decision = Some(StandingDecision { outcome: *outcome, issued: fact });
                self.decision_time_zone = time_zone.clone();
                self.inferred_time_zone = match (&self.decision_time_zone, &self.time_zone) {
                    (None, None) => crate::clocks::infer_court_zone(fact.at),
                    _ => None,
                };
                if let Some(p) = country_protection {
                    self.country_protections.push(CountryProtectionGrant { protection: *p, granted: fact });
                }
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
                    voluntary_departure: None,
                });
            }
            EventBody::AppealWaived => self.appeal_waived = Some(fact),
            EventBody::AppealReserved => self.appeal_reserved = Some(fact),
            EventBody::AppealDecided { outcome, voluntary_departure } => match self.appeal.as_mut() {
                Some(a) if a.decided.is_none() => {
                    a.decided = Some((*outcome, fact));
                    a.voluntary_departure = *voluntary_departure;
                    if *outcome == AppealOutcome::Remanded {
                        self.vacate_decision();
                    }
                }
                _ => self.anomaly(event, "appeal decided without one pending"),
            },
            EventBody::PetitionForReviewFiled => self.petition_for_review = Some(fact),
            EventBody::MotionToReopenFiled { basis } => {
                self.motions_to_reopen.push(MotionToReopen { filed: fact, basis: *basis, decided: None });
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
                    self.custody.reviews.clear();
                    self.custody.episodes += 1;
                }
            }
            EventBody::CustodyReviewed { .. } => {
                if self.custody.detained_since.is_none() {
                    self.anomaly(event, "custody reviewed while not detained");
                }
                self.custody.last_review = Some(fact);
                self.custody.reviews.push(fact);
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
            EventBody::RemovalCountryDesignated { country } => {
                if self.removal_order().is_none() {
                    self.anomaly(event, "country of removal designated without an order of removal");
                }
                self.designated_country = Some((*country, fact));
            }
            EventBody::TravelDocumentObtained { document } => self.travel_document = Some((document.clone(), fact)),
            EventBody::DepartureVerified { departed_on, .. } => {
                self.departure_verified = Some((*departed_on, fact));
                self.custody.detained_since = None;
            }
            EventBody::DepartureVerificationWithdrawn { .. } => {
                if self.departure_verified.take().is_none() {
                    self.anomaly(event, "departure verification withdrawn while none stands");
                }
                // A closure that rested on the departure falls with it.
                if self.closed.is_some_and(|(reason, _)| reason == CloseReason::DepartureVerified) {
                    self.closed = None;
                }
            }
            EventBody::RemovalCarriedOut { country } => {
                self.removed = Some((fact, *country));
                self.custody.detained_since = None;
            }
            EventBody::CounselAppeared { counsel, form } => self.counsel.push(CounselOfRecord {
                counsel: counsel.clone(),
                form: *form,
                appeared: fact,
                withdrew: None,
            }),
            EventBody::CounselWithdrew { counsel } => {
                match self.counsel.iter_mut().find(|c| c.counsel == *counsel && c.withdrew.is_none()) {
                    Some(c) => c.withdrew = Some(fact),
                    None => self.anomaly(event, "withdrawal of counsel not of record"),
                }
            }
            EventBody::ConvictionRecorded { conviction, offence_class, statute, convicted_on, final_conviction } => {
                let record = Conviction {
                    conviction: conviction.clone(),
                    offence_class: *offence_class,
                    statute: statute.clone(),
                    convicted_on: *convicted_on,
                    final_conviction: *final_conviction,
                    recorded: fact,
                    vacated: None,
                };
                match self.convictions.iter_mut().find(|c| c.conviction == *conviction) {
                    Some(c) => *c = record,
                    None => self.convictions.push(record),
                }
            }
            EventBody::ConvictionVacated { conviction } => {
                match self.convictions.iter_mut().find(|c| c.conviction == *conviction && c.vacated.is_none()) {
                    Some(c) => c.vacated = Some(fact),
                    None => self.anomaly(event, "vacatur of a conviction not recorded"),
                }
            }
            EventBody::NationalSecurityDetermination { official } => {
                self.security_determinations.push(SecurityDetermination {
                    official: official.clone(),
                    reference: event.reference.clone(),
                    made: fact,
                });
            }
            EventBody::LastEntryRecorded { entered_on, manner, admitted_until } => {
                self.last_entry = Some(LastEntry {
                    entered_on: *entered_on,
                    manner: *manner,
                    admitted_until: *admitted_until,
                    recorded: fact,
                });
            }
            EventBody::MitigatingFactRecorded { fact: what, source } => {
                self.mitigations.push(Mitigation { fact: *what, source: source.clone(), recorded: fact });
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

    /// The event of the order of removal that stands, if one does: the Board's order on appeal,
    /// else the judge's (with voluntary departure, its alternate order) unless the Board
    /// granted relief or terminated on appeal. Whether it is final is [`CaseState::final_order`].
    pub fn removal_order(&self) -> Option<EventId> {
        let d = self.decision.as_ref()?;
        match self.appeal.and_then(|a| a.decided) {
            Some((AppealOutcome::RemovalOrdered, f)) => Some(f.event),
            Some((AppealOutcome::ReliefGranted, _)) => None,
            _ => d.outcome.orders_removal().then_some(d.issued.event),
        }
    }

    /// Whether the person is in immigration custody (as of the latest event).
    pub fn detained(&self) -> bool {
        self.custody.detained_since.is_some()
    }

    /// Whether a claim to US citizenship is raised and not yet resolved.
    pub fn citizenship_claim_pending(&self) -> bool {
        self.citizenship_claim.is_some_and(|c| c.resolved.is_none())
    }

    /// Counsel of record now (appeared and not withdrawn).
    pub fn counsel_of_record(&self) -> impl Iterator<Item = &CounselOfRecord> {
        self.counsel.iter().filter(|c| c.withdrew.is_none())
    }

    /// The time zone the standing decision's deadlines are counted in: the deciding court's,
    /// else the case's.
    pub fn decision_zone(&self) -> Option<&TimeZone> {
        self.decision_time_zone.as_ref().or(self.time_zone.as_ref())
    }

    /// Whether the person has been found to be a US citizen.
    pub fn citizenship_established(&self) -> bool {
        self.citizenship_claim.is_some_and(|c| matches!(c.resolved, Some((CitizenshipFinding::Citizen, _))))
    }
}
