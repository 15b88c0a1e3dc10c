//! Typed, versioned, past-tense events: the only way a case changes.
//!
//! An [`Event`] is an envelope (who, when, from where, under which key) around an
//! [`EventBody`] that says what happened in the case's own legal terms. Events are never
//! edited; a correction is a new event.

use crate::ids::{ActorId, CaseId, EventId, IdempotencyKey, PersonId};
use crate::person::{ANumber, TravelDocument};
use crate::time::{Date, Timestamp};

/// The schema version written with every new event. Stored events of older versions are
/// upcast when read.
pub const EVENT_SCHEMA_VERSION: u16 = 1;

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// A bulk import of existing records.
    Import,
    /// An officer's action.
    Officer,
    /// The departure-record feed.
    Feed,
}

impl Source {
    /// Every source, in declaration order.
    pub const ALL: [Source; 3] = [Source::Import, Source::Officer, Source::Feed];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            Source::Import => "import",
            Source::Officer => "officer",
            Source::Feed => "feed",
        }
    }
}

/// An event as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// This event's id.
    pub id: EventId,
    /// The case it belongs to.
    pub case_id: CaseId,
    /// When it took legal effect (a decision's date, a filing's date).
    pub effective_at: Timestamp,
    /// When Docket recorded it.
    pub recorded_at: Timestamp,
    /// Who recorded it.
    pub recorded_by: ActorId,
    /// Where it came from.
    pub source: Source,
    /// A legal reference or document id (a decision's number, a form's receipt number).
    pub reference: Option<String>,
    /// The sender's key; within a case, a second event with this key is not stored again.
    pub idempotency_key: IdempotencyKey,
    /// What happened.
    pub body: EventBody,
}

/// Forms of relief from removal an application may seek.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReliefKind {
    /// Asylum (INA 208).
    Asylum,
    /// Withholding of removal (INA 241(b)(3)).
    Withholding,
    /// Protection under the Convention Against Torture (8 CFR 1208.16–18).
    Cat,
    /// Cancellation of removal (INA 240A).
    Cancellation,
    /// Adjustment of status (INA 245).
    Adjustment,
    /// Temporary protected status (INA 244).
    Tps,
    /// U nonimmigrant status (victims of crime).
    UVisa,
    /// T nonimmigrant status (victims of trafficking).
    TVisa,
    /// Violence Against Women Act self-petition or cancellation.
    Vawa,
    /// Special immigrant juvenile status.
    Sij,
    /// Deferred action.
    DeferredAction,
}

impl ReliefKind {
    /// Every kind, in declaration order.
    pub const ALL: [ReliefKind; 11] = [
        ReliefKind::Asylum,
        ReliefKind::Withholding,
        ReliefKind::Cat,
        ReliefKind::Cancellation,
        ReliefKind::Adjustment,
        ReliefKind::Tps,
        ReliefKind::UVisa,
        ReliefKind::TVisa,
        ReliefKind::Vawa,
        ReliefKind::Sij,
        ReliefKind::DeferredAction,
    ];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            ReliefKind::Asylum => "asylum",
            ReliefKind::Withholding => "withholding",
            ReliefKind::Cat => "cat",
            ReliefKind::Cancellation => "cancellation",
            ReliefKind::Adjustment => "adjustment",
            ReliefKind::Tps => "tps",
            ReliefKind::UVisa => "u_visa",
            ReliefKind::TVisa => "t_visa",
            ReliefKind::Vawa => "vawa",
            ReliefKind::Sij => "sij",
            ReliefKind::DeferredAction => "deferred_action",
        }
    }

    /// Reads the snake-case name.
    pub fn from_name(name: &str) -> Option<ReliefKind> {
        ReliefKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Kinds of stays of removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StayKind {
    /// A stay that arises by regulation, recorded explicitly (for example on a motion to reopen
    /// an in absentia order, 8 CFR 1003.23(b)(4)(ii)).
    Automatic,
    /// A stay granted by DHS (8 CFR 241.6) or by the Board (8 CFR 1003.2(f)).
    Administrative,
    /// A stay ordered by a federal court.
    Judicial,
}

/// Time-bounded protections against removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProtectionKind {
    /// Temporary protected status.
    Tps,
    /// Deferred action (including DACA).
    DeferredAction,
    /// A stay of removal.
    Stay(StayKind),
}

impl ProtectionKind {
    /// Every kind.
    pub const ALL: [ProtectionKind; 5] = [
        ProtectionKind::Tps,
        ProtectionKind::DeferredAction,
        ProtectionKind::Stay(StayKind::Automatic),
        ProtectionKind::Stay(StayKind::Administrative),
        ProtectionKind::Stay(StayKind::Judicial),
    ];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            ProtectionKind::Tps => "tps",
            ProtectionKind::DeferredAction => "deferred_action",
            ProtectionKind::Stay(StayKind::Automatic) => "automatic_stay",
            ProtectionKind::Stay(StayKind::Administrative) => "administrative_stay",
            ProtectionKind::Stay(StayKind::Judicial) => "judicial_stay",
        }
    }

    /// Reads the snake-case name.
    pub fn from_name(name: &str) -> Option<ProtectionKind> {
        ProtectionKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Kinds of hearings before an immigration judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HearingKind {
    /// A master calendar hearing (pleadings, scheduling).
    Master,
    /// An individual (merits) hearing.
    Individual,
    /// A custody (bond) redetermination hearing.
    Bond,
}

impl HearingKind {
    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            HearingKind::Master => "master",
            HearingKind::Individual => "individual",
            HearingKind::Bond => "bond",
        }
    }
}

/// What an immigration judge decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionOutcome {
    /// Removal ordered after a hearing.
    RemovalOrdered,
    /// Removal ordered in the respondent's absence (INA 240(b)(5)).
    RemovalOrderedInAbsentia,
    /// Voluntary departure granted by `deadline`, with an alternate order of removal
    /// (8 CFR 1240.26).
    VoluntaryDeparture {
        /// The last day to depart.
        deadline: Date,
    },
    /// Relief from removal granted.
    ReliefGranted(ReliefKind),
    /// Proceedings terminated.
    Terminated,
}

impl DecisionOutcome {
    /// Whether the decision orders removal (including the alternate order that accompanies
    /// voluntary departure).
    pub fn orders_removal(self) -> bool {
        matches!(
            self,
            DecisionOutcome::RemovalOrdered
                | DecisionOutcome::RemovalOrderedInAbsentia
                | DecisionOutcome::VoluntaryDeparture { .. }
        )
    }
}

/// Who appealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Appellant {
    /// The respondent.
    Respondent,
    /// The Department of Homeland Security.
    Dhs,
}

/// How the Board of Immigration Appeals decided an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppealOutcome {
    /// Appeal dismissed: the judge's decision stands and, if it ordered removal, is final
    /// (8 CFR 1241.1(a)).
    Dismissed,
    /// Appeal sustained and removal ordered by the Board (final on the Board's decision).
    RemovalOrdered,
    /// Appeal sustained and relief granted or proceedings terminated.
    ReliefGranted,
    /// Record remanded to the judge: proceedings are pending again.
    Remanded,
}

/// How a claim to US citizenship was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CitizenshipFinding {
    /// The person is a US citizen: no removal, proceedings end.
    Citizen,
    /// The claim was found not to be substantiated.
    NotCitizen,
}

/// How a person left custody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReleaseKind {
    /// On bond, with the amount in whole dollars.
    Bond {
        /// Bond amount in US dollars.
        amount_usd: u32,
    },
    /// On the person's own recognizance.
    Recognizance,
    /// On parole.
    Parole,
    /// Into an alternatives-to-detention programme.
    AlternativesToDetention,
}

/// Outcome of a custody review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustodyReviewOutcome {
    /// Detention continued.
    Continued,
    /// Release ordered (a release event follows).
    ReleaseOrdered,
}

/// Why a case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// Relief was granted and is final.
    ReliefGranted,
    /// Proceedings were terminated.
    Terminated,
    /// Departure was verified.
    DepartureVerified,
    /// Removal was carried out.
    Removed,
    /// The person was found to be a US citizen.
    CitizenshipEstablished,
    /// The person died.
    Deceased,
    /// Administratively closed (may be recalendared by reopening).
    AdministrativelyClosed,
}

impl CloseReason {
    /// Every reason.
    pub const ALL: [CloseReason; 7] = [
        CloseReason::ReliefGranted,
        CloseReason::Terminated,
        CloseReason::DepartureVerified,
        CloseReason::Removed,
        CloseReason::CitizenshipEstablished,
        CloseReason::Deceased,
        CloseReason::AdministrativelyClosed,
    ];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            CloseReason::ReliefGranted => "relief_granted",
            CloseReason::Terminated => "terminated",
            CloseReason::DepartureVerified => "departure_verified",
            CloseReason::Removed => "removed",
            CloseReason::CitizenshipEstablished => "citizenship_established",
            CloseReason::Deceased => "deceased",
            CloseReason::AdministrativelyClosed => "administratively_closed",
        }
    }
}

/// What happened in a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    /// A case was opened on an encounter.
    CaseOpened {
        /// The person the case concerns.
        person_id: PersonId,
        /// The A-number, if known at opening.
        a_number: Option<ANumber>,
    },
    /// A notice to appear was served on the person.
    NoticeToAppearServed,
    /// The notice to appear was filed with the immigration court, which starts proceedings.
    NoticeToAppearFiled,
    /// A hearing was scheduled.
    HearingScheduled {
        /// The hearing's kind.
        kind: HearingKind,
        /// When it is to be held.
        at: Timestamp,
    },
    /// The scheduled hearing was held.
    HearingHeld {
        /// The hearing's kind.
        kind: HearingKind,
    },
    /// The scheduled hearing was adjourned, optionally to a new time.
    HearingAdjourned {
        /// The new time, if one was set.
        until: Option<Timestamp>,
    },
    /// An application for relief was filed.
    ReliefApplicationFiled {
        /// What relief is sought.
        relief: ReliefKind,
    },
    /// An application for relief was granted (by USCIS or the judge).
    ReliefApplicationGranted {
        /// Which relief.
        relief: ReliefKind,
    },
    /// An application for relief was denied.
    ReliefApplicationDenied {
        /// Which relief.
        relief: ReliefKind,
    },
    /// An application for relief was withdrawn.
    ReliefApplicationWithdrawn {
        /// Which relief.
        relief: ReliefKind,
    },
    /// A time-bounded protection was granted.
    ProtectionGranted {
        /// Which protection.
        protection: ProtectionKind,
        /// First instant in force.
        from: Timestamp,
        /// The instant it lapses, if it has an end date.
        until: Option<Timestamp>,
    },
    /// A protection reached its end date and lapsed (recorded for the timeline; the end date
    /// alone already bounds it).
    ProtectionExpired {
        /// Which protection.
        protection: ProtectionKind,
    },
    /// A protection was ended before its end date, at the event's effective time.
    ProtectionTerminated {
        /// Which protection.
        protection: ProtectionKind,
    },
    /// An immigration judge decided the case.
    DecisionIssued {
        /// The decision.
        outcome: DecisionOutcome,
    },
    /// An appeal to the Board was filed.
    AppealFiled {
        /// Who appealed.
        by: Appellant,
        /// Why a filing after the 30-day window is accepted (the Board's certification or an
        /// extension), if it is late.
        late_filing_basis: Option<String>,
    },
    /// The right to appeal was waived.
    AppealWaived,
    /// The Board decided the appeal.
    AppealDecided {
        /// The outcome.
        outcome: AppealOutcome,
        /// A voluntary-departure period the Board granted or reinstated, ending on this date
        /// (8 CFR 1240.26(c)(3)); the alternate order becomes final on overstay.
        voluntary_departure_until: Option<Date>,
    },
    /// A petition for review was filed in a court of appeals.
    PetitionForReviewFiled,
    /// A motion to reopen was filed.
    MotionToReopenFiled,
    /// A motion to reopen was decided.
    MotionToReopenDecided {
        /// Whether it was granted (the order is vacated and proceedings resume).
        granted: bool,
    },
    /// The person claimed to be a US citizen.
    CitizenshipClaimRaised,
    /// The citizenship claim was resolved.
    CitizenshipClaimResolved {
        /// The finding.
        finding: CitizenshipFinding,
    },
    /// The person was taken into immigration custody.
    CustodyBegan,
    /// Custody was reviewed.
    CustodyReviewed {
        /// The outcome.
        outcome: CustodyReviewOutcome,
    },
    /// The person was released from custody.
    CustodyReleased {
        /// On what terms.
        release: ReleaseKind,
    },
    /// Custody was transferred to another facility (no place is recorded here).
    CustodyTransferred,
    /// A travel document for removal was obtained.
    TravelDocumentObtained {
        /// The document.
        document: TravelDocument,
    },
    /// The person's departure from the United States was verified.
    DepartureVerified {
        /// The date of departure.
        departed_on: Date,
    },
    /// Removal was carried out.
    RemovalCarriedOut,
    /// The case was closed.
    CaseClosed {
        /// Why.
        reason: CloseReason,
    },
}

impl EventBody {
    /// The event type's snake-case name, as used in files and the database.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventBody::CaseOpened { .. } => "case_opened",
            EventBody::NoticeToAppearServed => "notice_to_appear_served",
            EventBody::NoticeToAppearFiled => "notice_to_appear_filed",
            EventBody::HearingScheduled { .. } => "hearing_scheduled",
            EventBody::HearingHeld { .. } => "hearing_held",
            EventBody::HearingAdjourned { .. } => "hearing_adjourned",
            EventBody::ReliefApplicationFiled { .. } => "relief_application_filed",
            EventBody::ReliefApplicationGranted { .. } => "relief_application_granted",
            EventBody::ReliefApplicationDenied { .. } => "relief_application_denied",
            EventBody::ReliefApplicationWithdrawn { .. } => "relief_application_withdrawn",
            EventBody::ProtectionGranted { .. } => "protection_granted",
            EventBody::ProtectionExpired { .. } => "protection_expired",
            EventBody::ProtectionTerminated { .. } => "protection_terminated",
            EventBody::DecisionIssued { .. } => "decision_issued",
            EventBody::AppealFiled { .. } => "appeal_filed",
            EventBody::AppealWaived => "appeal_waived",
            EventBody::AppealDecided { .. } => "appeal_decided",
            EventBody::PetitionForReviewFiled => "petition_for_review_filed",
            EventBody::MotionToReopenFiled => "motion_to_reopen_filed",
            EventBody::MotionToReopenDecided { .. } => "motion_to_reopen_decided",
            EventBody::CitizenshipClaimRaised => "citizenship_claim_raised",
            EventBody::CitizenshipClaimResolved { .. } => "citizenship_claim_resolved",
            EventBody::CustodyBegan => "custody_began",
            EventBody::CustodyReviewed { .. } => "custody_reviewed",
            EventBody::CustodyReleased { .. } => "custody_released",
            EventBody::CustodyTransferred => "custody_transferred",
            EventBody::TravelDocumentObtained { .. } => "travel_document_obtained",
            EventBody::DepartureVerified { .. } => "departure_verified",
            EventBody::RemovalCarriedOut => "removal_carried_out",
            EventBody::CaseClosed { .. } => "case_closed",
        }
    }
}
