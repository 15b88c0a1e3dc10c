//! The disclosure packet: what leaves the agency when a person's record is disclosed
//! (5 U.S.C. 552a(b)), and whose SHA-256 the accounting of disclosures records
//! (552a(c)). Its format is versioned and documented in `docs/disclosure-packet.md`; the
//! types here are its own, not the views a shell renders, so that changing how a case is
//! shown never changes a packet or its recorded hash. A new format is a new module and a new
//! [`FORMAT`] string; this one is never changed in place.

use docket_core::{
    CaseState, CaseSummary, CitizenshipStatus, Deadline, DecisionOutcome, Event, NameOrder, Person, ProtectionPeriod,
    Timestamp, VoluntaryDeparturePeriod,
};
use docket_store::wire::WireEvent;
use serde::Serialize;

/// The format's name and version, the packet's first field.
pub const FORMAT: &str = "docket-disclosure-packet/1";

/// A disclosure packet, version 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Packet {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// When it was disclosed.
    pub disclosed_at: String,
    /// Who disclosed it.
    pub disclosed_by: String,
    /// To whom.
    pub recipient: Recipient,
    /// Why.
    pub purpose: String,
    /// What is disclosed.
    pub nature: String,
    /// Whether the recipient is a law-enforcement agency under 5 U.S.C. 552a(b)(7).
    pub law_enforcement_b7: bool,
    /// The person's identity as recorded.
    pub person: PersonRecord,
    /// The person's cases.
    pub cases: Vec<CaseRecord>,
}

/// A person's identity as recorded: the fields of the persons file (docs/formats.md) as
/// they stood in version 1 of the packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRecord {
    /// The person's id.
    pub person_id: String,
    /// A-number, or empty.
    pub a_number: String,
    /// Given names as recorded.
    pub given_names: String,
    /// Family names as recorded.
    pub family_names: String,
    /// `given_first` or `family_first`.
    pub name_order: &'static str,
    /// Other recorded names, `GIVEN|FAMILY` separated by `;`.
    pub aliases: String,
    /// Date of birth as recorded (possibly partial).
    pub date_of_birth: String,
    /// Sex marker as recorded.
    pub sex: &'static str,
    /// Nationality, or empty.
    pub nationality: String,
    /// Passport number, or empty.
    pub passport_number: String,
    /// Passport's issuing country, or empty.
    pub passport_country: String,
    /// Passport's expiry, or empty.
    pub passport_expiry: String,
}

impl PersonRecord {
    /// The record of person `p`.
    pub fn of(p: &Person) -> PersonRecord {
        let part = |n: &docket_core::PersonName, given: bool| {
            if given { n.given() } else { n.family() }.map(|p| p.original().to_owned()).unwrap_or_default()
        };
        let doc = p.documents.first();
        PersonRecord {
            person_id: p.id.to_string(),
            a_number: p.a_number.map(|a| a.to_string()).unwrap_or_default(),
            given_names: part(&p.name, true),
            family_names: part(&p.name, false),
            name_order: match p.name.order() {
                NameOrder::GivenFirst => "given_first",
                NameOrder::FamilyFirst => "family_first",
            },
            aliases: p
                .aliases
                .iter()
                .map(|a| format!("{}|{}", part(a, true), part(a, false)))
                .collect::<Vec<_>>()
                .join(";"),
            date_of_birth: p.date_of_birth.to_string(),
            sex: p.sex.code(),
            nationality: p.nationality.map(|c| c.to_string()).unwrap_or_default(),
            passport_number: doc.map(|d| d.number().to_owned()).unwrap_or_default(),
            passport_country: doc.map(|d| d.issuing_country().to_string()).unwrap_or_default(),
            passport_expiry: doc.and_then(|d| d.expiry()).map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// A decision's outcome as version 1 names it.
fn outcome(o: DecisionOutcome) -> String {
    match o {
        DecisionOutcome::RemovalOrdered => "removal_ordered".into(),
        DecisionOutcome::RemovalOrderedInAbsentia => "removal_ordered_in_absentia".into(),
        DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Until(d) } => {
            format!("voluntary_departure until {d}")
        }
        DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Days(n) } => {
            format!("voluntary_departure for {n} days")
        }
        DecisionOutcome::ReliefGranted(k) => format!("relief_granted {}", k.name()),
        DecisionOutcome::Terminated => "terminated".into(),
    }
}

/// The recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
}

/// One case: its legal state at the disclosure, and every event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRecord {
    /// The case.
    pub case_id: String,
    /// Its state at the disclosure.
    pub state: CaseStateRecord,
    /// Its events, in the event format.
    pub timeline: Vec<WireEvent>,
}

/// A case's legal state, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseStateRecord {
    /// Events recorded.
    pub version: u64,
    /// The stage.
    pub stage: &'static str,
    /// The standing decision: its outcome and when it was issued.
    pub decision: Option<(String, String)>,
    /// Final order: when, and the rule.
    pub final_order: Option<Clock>,
    /// Protections and stays in force.
    pub protections_in_force: Vec<Protection>,
    /// Deadlines: the appeal window, voluntary departure, custody reviews.
    pub deadlines: Vec<Clock>,
    /// Detained since.
    pub detained_since: Option<String>,
    /// Relief pending.
    pub pending_relief: Vec<&'static str>,
    /// Relief granted.
    pub granted_relief: Vec<&'static str>,
    /// The citizenship claim's status: `no_claim`, `pending`, `citizen`, `not_citizen`.
    pub citizenship_claim: &'static str,
    /// Closure: reason and when.
    pub closed: Option<(&'static str, String)>,
}

/// A dated legal fact: when, under which rule, resting on which events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    /// The date or instant.
    pub at: String,
    /// The rule's name.
    pub rule: &'static str,
    /// The rule's citation.
    pub citation: Option<&'static str>,
    /// The event ids it rests on.
    pub basis: Vec<String>,
}

/// A protection in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protection {
    /// Which.
    pub kind: &'static str,
    /// From.
    pub from: String,
    /// Until (exclusive); absent when it has no known end.
    pub until: Option<String>,
    /// The rule's name.
    pub rule: &'static str,
    /// The event ids it rests on.
    pub basis: Vec<String>,
}

fn ids(v: &[docket_core::EventId]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

fn deadline(d: &Deadline) -> Clock {
    Clock { at: d.due.to_string(), rule: d.rule.name(), citation: d.rule.citation(), basis: ids(&d.basis) }
}

fn protection(p: &ProtectionPeriod) -> Protection {
    Protection {
        kind: p.kind.name(),
        from: p.from.to_string(),
        until: p.until.map(|u| u.to_string()),
        rule: p.rule.name(),
        basis: ids(&p.basis),
    }
}

impl CaseStateRecord {
    /// The state of a case with summary `s` at `t`.
    pub fn of(s: &CaseSummary, t: Timestamp) -> CaseStateRecord {
        let mut deadlines: Vec<Clock> = Vec::new();
        deadlines.extend(s.appeal_deadline.as_ref().map(deadline));
        deadlines.extend(s.voluntary_departure.as_ref().map(deadline));
        deadlines.extend(s.custody_reviews.iter().map(deadline));
        CaseStateRecord {
            version: s.version,
            stage: s.stage_at(t).name(),
            decision: s.decision.map(|(o, at)| (outcome(o), at.to_string())),
            final_order: s.final_order.as_ref().map(|f| Clock {
                at: f.at.to_string(),
                rule: f.rule.name(),
                citation: f.rule.citation(),
                basis: ids(&f.basis),
            }),
            protections_in_force: s.protections_in_force(t).map(protection).collect(),
            deadlines,
            detained_since: s.detained_since.map(|d| d.to_string()),
            pending_relief: s.pending_relief.iter().map(|k| k.name()).collect(),
            granted_relief: s.granted_relief.iter().map(|k| k.name()).collect(),
            citizenship_claim: match s.citizenship {
                CitizenshipStatus::NoClaim => "no_claim",
                CitizenshipStatus::Pending => "pending",
                CitizenshipStatus::Citizen => "citizen",
                CitizenshipStatus::NotCitizen => "not_citizen",
            },
            closed: s.closed.map(|(r, at)| (r.name(), at.to_string())),
        }
    }
}

impl CaseRecord {
    /// A case's record from its events, as of `t`.
    pub fn of(events: &[Event], t: Timestamp) -> Option<CaseRecord> {
        let s = CaseState::from_events(events).summary()?;
        Some(CaseRecord {
            case_id: s.case_id.to_string(),
            state: CaseStateRecord::of(&s, t),
            timeline: events.iter().map(WireEvent::from_event).collect(),
        })
    }
}

impl Packet {
    /// The packet's bytes: pretty-printed JSON, as disclosed and hashed.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Strings, numbers, booleans and vectors only: serialization cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
