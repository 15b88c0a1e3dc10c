//! Typed, versioned, past-tense events: the only way a case changes.
//!
//! An [`Event`] is an envelope (who, when, from where, under which key) around an
//! [`EventBody`] that says what happened in the case's own legal terms. Events are never
//! edited; a correction is a new event.

use std::fmt;

use crate::departure::{DepartureEvidence, Reason};
use crate::ids::{ActorId, CaseId, ConvictionId, CounselId, EventId, IdempotencyKey, PersonId, SourceReference};
use crate::person::{ANumber, Country, TravelDocument};
use crate::time::{Date, TimeZone, Timestamp};

/// The schema version written with every new event. Stored events of older versions are
/// upcast when read (never rewritten): a fact the older version could not record is read as
/// unknown, and every rule that needs it fails closed.
///
/// Version 2 added the case's time zone, the basis of a motion to reopen, the country of a
/// grant of withholding or CAT protection, protections granted without an end date as
/// distinct from an unknown end, voluntary-departure periods given as a length, arrests,
/// reserved appeals, counsel of record and the adjudicated facts of convictions, entry,
/// national-security determinations and mitigating circumstances.
pub const EVENT_SCHEMA_VERSION: u16 = 2;

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

/// When a granted protection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtectionEnd {
    /// It lapses at this instant.
    At(Timestamp),
    /// Granted without an end date: in force until terminated.
    Indefinite,
    /// It has an end date that was not recorded (events written before schema version 2
    /// could not say). Read as possibly still in force: every gate fails closed on it.
    Unknown,
}

/// The length of a voluntary-departure period, as granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoluntaryDeparturePeriod {
    /// To depart by this date.
    Until(Date),
    /// To depart within this many calendar days of the decision, counted on the local date
    /// where the decision was made.
    Days(u16),
}

/// The most days of voluntary departure a grant may allow (INA 240B(a)(2)(A)).
pub const MAX_VOLUNTARY_DEPARTURE_DAYS: u16 = 120;

/// Grounds of a motion to reopen, on which an automatic stay depends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MotionBasis {
    /// The person did not receive notice of the hearing (INA 240(b)(5)(C)(ii)).
    LackOfNotice,
    /// The person was in federal or state custody and could not appear (INA 240(b)(5)(C)(ii)).
    InCustody,
    /// Exceptional circumstances caused the failure to appear (INA 240(b)(5)(C)(i)).
    ExceptionalCircumstances,
    /// Changed country conditions (INA 240(c)(7)(C)(ii)).
    ChangedCountryConditions,
    /// New facts or evidence (8 CFR 1003.23(b)(3)).
    NewEvidence,
    /// Any other ground.
    Other,
}

impl MotionBasis {
    /// Every basis.
    pub const ALL: [MotionBasis; 6] = [
        MotionBasis::LackOfNotice,
        MotionBasis::InCustody,
        MotionBasis::ExceptionalCircumstances,
        MotionBasis::ChangedCountryConditions,
        MotionBasis::NewEvidence,
        MotionBasis::Other,
    ];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            MotionBasis::LackOfNotice => "lack_of_notice",
            MotionBasis::InCustody => "in_custody",
            MotionBasis::ExceptionalCircumstances => "exceptional_circumstances",
            MotionBasis::ChangedCountryConditions => "changed_country_conditions",
            MotionBasis::NewEvidence => "new_evidence",
            MotionBasis::Other => "other",
        }
    }

    /// Whether a motion on this basis to rescind an in absentia order stays removal until it
    /// is decided (8 CFR 1003.23(b)(4)(ii) stays every motion under that paragraph: lack of
    /// notice, custody and exceptional circumstances).
    pub fn stays_in_absentia_order(self) -> bool {
        matches!(self, MotionBasis::LackOfNotice | MotionBasis::InCustody | MotionBasis::ExceptionalCircumstances)
    }
}

/// A grant of withholding of removal or of CAT protection, which bars removal to one country
/// only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryProtection {
    /// `Withholding` or `Cat`.
    pub relief: ReliefKind,
    /// The country removal to which is barred; unknown for grants recorded before schema
    /// version 2, which then bar removal to every country (fail closed).
    pub country: Option<Country>,
}

/// How counsel's appearance was entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounselForm {
    /// Form EOIR-28, before the immigration court.
    Eoir28,
    /// Form EOIR-27, before the Board of Immigration Appeals.
    Eoir27,
    /// Form G-28, before DHS.
    G28,
}

impl CounselForm {
    /// Every form.
    pub const ALL: [CounselForm; 3] = [CounselForm::Eoir28, CounselForm::Eoir27, CounselForm::G28];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            CounselForm::Eoir28 => "eoir_28",
            CounselForm::Eoir27 => "eoir_27",
            CounselForm::G28 => "g_28",
        }
    }
}

/// The class of a criminal offence, as adjudicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OffenceClass {
    /// An aggravated felony as defined in INA 101(a)(43).
    AggravatedFelony,
    /// A felony.
    Felony,
    /// A misdemeanor.
    Misdemeanor,
    /// A petty offence or infraction.
    PettyOffence,
}

impl OffenceClass {
    /// Every class.
    pub const ALL: [OffenceClass; 4] =
        [OffenceClass::AggravatedFelony, OffenceClass::Felony, OffenceClass::Misdemeanor, OffenceClass::PettyOffence];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            OffenceClass::AggravatedFelony => "aggravated_felony",
            OffenceClass::Felony => "felony",
            OffenceClass::Misdemeanor => "misdemeanor",
            OffenceClass::PettyOffence => "petty_offence",
        }
    }
}

/// The statute of conviction as cited by the court (`8 U.S.C. 1326`, `Cal. Penal Code 211`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Statute(String);

impl Statute {
    /// A citation: 1 to 200 characters, no control characters.
    pub fn parse(text: &str) -> Result<Statute, crate::IdError> {
        let t = text.trim();
        let invalid = |why| crate::IdError::Invalid { text: text.to_owned(), what: "statute citation", why };
        if t.is_empty() {
            return Err(invalid("it is empty"));
        }
        if t.chars().count() > 200 {
            return Err(invalid("it is longer than 200 characters"));
        }
        if t.chars().any(char::is_control) {
            return Err(invalid("it contains control characters"));
        }
        Ok(Statute(t.to_owned()))
    }

    /// The citation.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Statute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Statute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Statute({:?})", self.0)
    }
}

/// How the person last entered the United States.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryManner {
    /// Inspected and admitted (in a status, possibly for a period).
    Admitted,
    /// Paroled (INA 212(d)(5)).
    Paroled,
    /// Entered without inspection.
    WithoutInspection,
}

impl EntryManner {
    /// Every manner.
    pub const ALL: [EntryManner; 3] = [EntryManner::Admitted, EntryManner::Paroled, EntryManner::WithoutInspection];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            EntryManner::Admitted => "admitted",
            EntryManner::Paroled => "paroled",
            EntryManner::WithoutInspection => "without_inspection",
        }
    }
}

/// A mitigating circumstance an agency may weigh, established by a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MitigatingFact {
    /// Certified as the victim of a qualifying crime (Form I-918 Supplement B).
    CrimeVictimCertification,
    /// Served in the US armed forces.
    MilitaryService,
    /// Sole caregiver of a child.
    SoleCaregiverOfChild,
    /// A serious illness, as certified (the fact only: no medical detail is recorded).
    SeriousIllness,
}

impl MitigatingFact {
    /// Every fact.
    pub const ALL: [MitigatingFact; 4] = [
        MitigatingFact::CrimeVictimCertification,
        MitigatingFact::MilitaryService,
        MitigatingFact::SoleCaregiverOfChild,
        MitigatingFact::SeriousIllness,
    ];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            MitigatingFact::CrimeVictimCertification => "crime_victim_certification",
            MitigatingFact::MilitaryService => "military_service",
            MitigatingFact::SoleCaregiverOfChild => "sole_caregiver_of_child",
            MitigatingFact::SeriousIllness => "serious_illness",
        }
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
    /// Voluntary departure granted for a period, with an alternate order of removal
    /// (8 CFR 1240.26).
    VoluntaryDeparture {
        /// The period as granted: a last day, or a number of days.
        period: VoluntaryDeparturePeriod,
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
        /// The time zone of the court or office that has the case, where its deadlines are
        /// counted; unknown for cases opened before schema version 2.
        time_zone: Option<TimeZone>,
    },
    /// The person was arrested (an enforcement action, distinct from being held in custody).
    Arrested,
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
        /// For withholding of removal and CAT protection, the country removal to which is
        /// barred (unknown before schema version 2); absent for other relief.
        country: Option<Country>,
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
        /// When it lapses.
        until: ProtectionEnd,
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
        /// The time zone of the court that decided, where it differs from the case's.
        time_zone: Option<TimeZone>,
        /// Withholding of removal or CAT protection granted as to one country: with an order
        /// of removal (removal elsewhere remains possible), or as the relief granted.
        country_protection: Option<CountryProtection>,
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
    /// Appeal was reserved at the hearing (neither taken nor waived yet).
    AppealReserved,
    /// The Board decided the appeal.
    AppealDecided {
        /// The outcome.
        outcome: AppealOutcome,
        /// A voluntary-departure period the Board granted or reinstated (8 CFR 1240.26(c)(3));
        /// the alternate order becomes final on overstay.
        voluntary_departure: Option<VoluntaryDeparturePeriod>,
    },
    /// A petition for review was filed in a court of appeals.
    PetitionForReviewFiled,
    /// A motion to reopen was filed.
    MotionToReopenFiled {
        /// Its grounds; unknown for motions recorded before schema version 2.
        basis: Option<MotionBasis>,
    },
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
    /// The country of removal was designated under INA 241(b) (8 CFR 1240.12(d)): the country
    /// the order of removal directs the person to. A later designation replaces it (on the
    /// Board's order, or on the judge's amended order); it goes with the order when the
    /// order is vacated. Alternative countries are not recorded.
    RemovalCountryDesignated {
        /// The designated country.
        country: Country,
    },
    /// A travel document for removal was obtained.
    TravelDocumentObtained {
        /// The document.
        document: TravelDocument,
    },
    /// The person's departure from the United States was verified.
    DepartureVerified {
        /// The date of departure.
        departed_on: Date,
        /// The departure record and match behind it, when it came from the departure feed
        /// (an officer's or an imported verification rests on its `reference`).
        evidence: Option<Box<DepartureEvidence>>,
    },
    /// A departure verification found wrong was withdrawn: the case stands as if it had not
    /// been recorded, and both events stay in the record.
    DepartureVerificationWithdrawn {
        /// Why it was wrong.
        reason: Reason,
    },
    /// Removal was carried out.
    RemovalCarriedOut {
        /// The country the person was removed to, if recorded.
        country: Option<Country>,
    },
    /// Counsel entered an appearance for the person.
    CounselAppeared {
        /// Counsel's identifier.
        counsel: CounselId,
        /// The notice of appearance filed.
        form: CounselForm,
    },
    /// Counsel withdrew (or was substituted).
    CounselWithdrew {
        /// Counsel's identifier.
        counsel: CounselId,
    },
    /// A criminal conviction, as adjudicated by a court (recorded again with `final_conviction`
    /// once appeals are exhausted).
    ConvictionRecorded {
        /// The conviction's record number.
        conviction: ConvictionId,
        /// The class of the offence.
        offence_class: OffenceClass,
        /// The statute of conviction.
        statute: Statute,
        /// The date of conviction.
        convicted_on: Date,
        /// Whether direct appeal has been exhausted or waived.
        final_conviction: bool,
    },
    /// A recorded conviction was vacated.
    ConvictionVacated {
        /// The conviction's record number.
        conviction: ConvictionId,
    },
    /// An authorized official determined that the person poses a national-security threat;
    /// the determination's reference is the event's `reference`.
    NationalSecurityDetermination {
        /// The official who made it.
        official: ActorId,
    },
    /// The date and manner of the person's last entry, and any period of admission.
    LastEntryRecorded {
        /// The date of entry.
        entered_on: Date,
        /// How the person entered.
        manner: EntryManner,
        /// The last day of the admitted period, if admitted for a period.
        admitted_until: Option<Date>,
    },
    /// A mitigating circumstance, established by a document.
    MitigatingFactRecorded {
        /// Which circumstance.
        fact: MitigatingFact,
        /// The document it rests on.
        source: SourceReference,
    },
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
            EventBody::Arrested => "arrested",
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
            EventBody::AppealReserved => "appeal_reserved",
            EventBody::AppealDecided { .. } => "appeal_decided",
            EventBody::PetitionForReviewFiled => "petition_for_review_filed",
            EventBody::MotionToReopenFiled { .. } => "motion_to_reopen_filed",
            EventBody::MotionToReopenDecided { .. } => "motion_to_reopen_decided",
            EventBody::CitizenshipClaimRaised => "citizenship_claim_raised",
            EventBody::CitizenshipClaimResolved { .. } => "citizenship_claim_resolved",
            EventBody::CustodyBegan => "custody_began",
            EventBody::CustodyReviewed { .. } => "custody_reviewed",
            EventBody::CustodyReleased { .. } => "custody_released",
            EventBody::CustodyTransferred => "custody_transferred",
            EventBody::RemovalCountryDesignated { .. } => "removal_country_designated",
            EventBody::TravelDocumentObtained { .. } => "travel_document_obtained",
            EventBody::DepartureVerified { .. } => "departure_verified",
            EventBody::DepartureVerificationWithdrawn { .. } => "departure_verification_withdrawn",
            EventBody::RemovalCarriedOut { .. } => "removal_carried_out",
            EventBody::CounselAppeared { .. } => "counsel_appeared",
            EventBody::CounselWithdrew { .. } => "counsel_withdrew",
            EventBody::ConvictionRecorded { .. } => "conviction_recorded",
            EventBody::ConvictionVacated { .. } => "conviction_vacated",
            EventBody::NationalSecurityDetermination { .. } => "national_security_determination",
            EventBody::LastEntryRecorded { .. } => "last_entry_recorded",
            EventBody::MitigatingFactRecorded { .. } => "mitigating_fact_recorded",
            EventBody::CaseClosed { .. } => "case_closed",
        }
    }

    /// Whether the event records an enforcement action against the person: an arrest, taking
    /// or moving them in custody, or removal. None is recorded while any claim of the person
    /// to US citizenship is unresolved.
    pub fn is_enforcement_action(&self) -> bool {
        matches!(
            self,
            EventBody::Arrested
                | EventBody::CustodyBegan
                | EventBody::CustodyTransferred
                | EventBody::RemovalCarriedOut { .. }
        )
    }
}
