//! The stored form of a case projection ([`CaseSummary`]) as JSON, and back.
//!
//! The projection is derived data: a rebuild recomputes it from events, so its encoding may
//! change between versions. [`FORMAT`] names the encoding; a database whose projections were
//! written in another is rebuilt when it is migrated.

use docket_core::{
    ANumber, ActorId, CaseId, CaseSummary, CitizenshipFinding, CitizenshipStatus, CloseReason, ConvictionId,
    CounselForm, CounselId, Country, CountryProtection, Date, Deadline, DecisionOutcome, EntryManner, EventId,
    Finality, HearingKind, HeldDocument, MitigatingFact, OffenceClass, OverstayPenalty, PersonId, ProtectionKind,
    ProtectionPeriod, ReliefKind, RemovalPeriod, Rule, SourceReference, Statute, TimeZone, Timestamp,
    VoluntaryDeparturePeriod,
    state::{
        CitizenshipClaim, Conviction, CounselOfRecord, CountryProtectionGrant, Fact, LastEntry, Mitigation,
        SecurityDetermination,
    },
};
use serde::{Deserialize, Serialize};

/// The projection encoding this program writes. Change it whenever the encoding or what the
/// fold computes changes, so that stored projections are rebuilt.
pub const FORMAT: i64 = 4;

#[derive(Serialize, Deserialize)]
struct WDocument {
    issuing_country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiry: Option<String>,
    event: String,
}

#[derive(Serialize, Deserialize)]
struct WDeadline {
    due: String,
    ends_at: String,
    rule: String,
    basis: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    met: Option<WFact>,
}

#[derive(Serialize, Deserialize)]
struct WFact {
    at: String,
    event: String,
}

#[derive(Serialize, Deserialize)]
struct WClaim {
    raised: WFact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resolved: Option<(String, WFact)>,
}

#[derive(Serialize, Deserialize)]
struct WPenalty {
    since: String,
    ineligible_until: String,
    basis: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct WCountryProtection {
    relief: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    granted: WFact,
}

#[derive(Serialize, Deserialize)]
struct WCounsel {
    counsel: String,
    form: String,
    appeared: WFact,
}

#[derive(Serialize, Deserialize)]
struct WConviction {
    conviction: String,
    offence_class: String,
    statute: String,
    convicted_on: String,
    #[serde(rename = "final")]
    final_conviction: bool,
    recorded: WFact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vacated: Option<WFact>,
}

#[derive(Serialize, Deserialize)]
struct WSecurity {
    official: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    made: WFact,
}

#[derive(Serialize, Deserialize)]
struct WEntry {
    entered_on: String,
    manner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    admitted_until: Option<String>,
    recorded: WFact,
}

#[derive(Serialize, Deserialize)]
struct WMitigation {
    fact: String,
    source: String,
    recorded: WFact,
}

#[derive(Serialize, Deserialize)]
struct WFinality {
    at: String,
    rule: String,
    basis: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct WProtection {
    kind: String,
    from: String,
    until: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    end_unknown: bool,
    rule: String,
    basis: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct WPeriod {
    starts_at: String,
    ends_at: String,
    basis: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct WSummary {
    case_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    person_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    a_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    time_zone_inferred: bool,
    version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    opened_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_effective_at: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    arrests: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_arrest_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nta_served_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nta_filed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_hearing: Option<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decision: Option<(String, Option<String>, String)>,
    #[serde(default, skip_serializing_if = "is_false")]
    appeal_pending: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    appeal_waived: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    appealed: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    appeal_reserved: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    appeal_deadline: Option<WDeadline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    final_order: Option<WFinality>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    overstay_penalty: Option<WPenalty>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    voluntary_departure: Option<WDeadline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    removal_period: Option<WPeriod>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    custody_reviews: Vec<WDeadline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detained_since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detained_by: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pending_relief: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pending_protection_claims: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    granted_relief: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    country_protections: Vec<WCountryProtection>,
    citizenship: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    citizenship_basis: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    citizenship_claim: Option<WClaim>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    protections: Vec<WProtection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    designated_country: Option<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    travel_document: Option<WDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    departed_on: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    left_basis: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    removed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    removed_to: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    counsel: Vec<WCounsel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    convictions: Vec<WConviction>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    security_determinations: Vec<WSecurity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_entry: Option<WEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    mitigations: Vec<WMitigation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed: Option<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    anomalies: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn ids(v: &[EventId]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

fn s<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

fn wf(f: &Fact) -> WFact {
    WFact { at: f.at.to_string(), event: f.event.to_string() }
}

fn wd(d: &Deadline) -> WDeadline {
    WDeadline {
        due: d.due.to_string(),
        ends_at: d.ends_at.to_string(),
        rule: d.rule.name().into(),
        basis: ids(&d.basis),
        closed_by: s(&d.closed_by),
        met: d.met.as_ref().map(wf),
    }
}

fn decision_parts(o: DecisionOutcome) -> (String, Option<String>) {
    match o {
        DecisionOutcome::RemovalOrdered => ("removal_ordered".into(), None),
        DecisionOutcome::RemovalOrderedInAbsentia => ("removal_ordered_in_absentia".into(), None),
        DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Until(d) } => {
            ("voluntary_departure".into(), Some(d.to_string()))
        }
        DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Days(n) } => {
            ("voluntary_departure_days".into(), Some(n.to_string()))
        }
        DecisionOutcome::ReliefGranted(k) => ("relief_granted".into(), Some(k.name().into())),
        DecisionOutcome::Terminated => ("terminated".into(), None),
    }
}

/// The stored name of a citizenship status (the projection's `citizenship` column).
pub fn citizenship_name(c: CitizenshipStatus) -> &'static str {
    match c {
        CitizenshipStatus::NoClaim => "no_claim",
        CitizenshipStatus::Pending => "pending",
        CitizenshipStatus::Citizen => "citizen",
        CitizenshipStatus::NotCitizen => "not_citizen",
    }
}

/// The projection as stored JSON.
pub fn encode(sum: &CaseSummary) -> String {
    let w = WSummary {
        case_id: sum.case_id.to_string(),
        person_id: s(&sum.person_id),
        a_number: s(&sum.a_number),
        time_zone: sum.time_zone.as_ref().map(|z| z.name().to_owned()),
        time_zone_inferred: sum.time_zone_inferred,
        version: sum.version,
        opened_at: s(&sum.opened_at),
        last_effective_at: s(&sum.last_effective_at),
        arrests: sum.arrests,
        last_arrest_at: s(&sum.last_arrest_at),
        nta_served_at: s(&sum.nta_served_at),
        nta_filed_at: s(&sum.nta_filed_at),
        next_hearing: sum.next_hearing.map(|(k, at)| (k.name().into(), at.to_string())),
        decision: sum.decision.map(|(o, at)| {
            let (name, arg) = decision_parts(o);
            (name, arg, at.to_string())
        }),
        appeal_pending: sum.appeal_pending,
        appeal_waived: sum.appeal_waived,
        appealed: sum.appealed,
        appeal_reserved: sum.appeal_reserved,
        appeal_deadline: sum.appeal_deadline.as_ref().map(wd),
        final_order: sum.final_order.as_ref().map(|f| WFinality {
            at: f.at.to_string(),
            rule: f.rule.name().into(),
            basis: ids(&f.basis),
        }),
        overstay_penalty: sum.overstay_penalty.as_ref().map(|p| WPenalty {
            since: p.since.to_string(),
            ineligible_until: p.ineligible_until.to_string(),
            basis: ids(&p.basis),
        }),
        voluntary_departure: sum.voluntary_departure.as_ref().map(wd),
        removal_period: sum.removal_period.as_ref().map(|p| WPeriod {
            starts_at: p.starts_at.to_string(),
            ends_at: p.ends_at.to_string(),
            basis: ids(&p.basis),
        }),
        custody_reviews: sum.custody_reviews.iter().map(wd).collect(),
        detained_since: s(&sum.detained_since),
        detained_by: sum.detained_by.map(|e| e.to_string()),
        pending_relief: sum.pending_relief.iter().map(|k| k.name().into()).collect(),
        pending_protection_claims: sum
            .pending_protection_claims
            .iter()
            .map(|(k, e)| (k.name().to_owned(), e.to_string()))
            .collect(),
        granted_relief: sum.granted_relief.iter().map(|k| k.name().into()).collect(),
        country_protections: sum
            .country_protections
            .iter()
            .map(|g| WCountryProtection {
                relief: g.protection.relief.name().into(),
                country: s(&g.protection.country),
                granted: wf(&g.granted),
            })
            .collect(),
        citizenship: citizenship_name(sum.citizenship).into(),
        citizenship_basis: ids(&sum.citizenship_basis),
        citizenship_claim: sum.citizenship_claim.as_ref().map(|c| WClaim {
            raised: wf(&c.raised),
            resolved: c.resolved.map(|(finding, f)| {
                let name = match finding {
                    CitizenshipFinding::Citizen => "citizen",
                    CitizenshipFinding::NotCitizen => "not_citizen",
                };
                (name.to_owned(), wf(&f))
            }),
        }),
        protections: sum
            .protections
            .iter()
            .map(|p| WProtection {
                kind: p.kind.name().into(),
                from: p.from.to_string(),
                until: s(&p.until),
                end_unknown: p.end_unknown,
                rule: p.rule.name().into(),
                basis: ids(&p.basis),
            })
            .collect(),
        designated_country: sum.designated_country.map(|(c, e)| (c.to_string(), e.to_string())),
        travel_document: sum.travel_document.map(|d| WDocument {
            issuing_country: d.issuing_country.to_string(),
            expiry: s(&d.expiry),
            event: d.event.to_string(),
        }),
        departed_on: s(&sum.departed_on),
        left_basis: ids(&sum.left_basis),
        removed_at: s(&sum.removed_at),
        removed_to: s(&sum.removed_to),
        counsel: sum
            .counsel
            .iter()
            .map(|c| WCounsel { counsel: c.counsel.to_string(), form: c.form.name().into(), appeared: wf(&c.appeared) })
            .collect(),
        convictions: sum
            .convictions
            .iter()
            .map(|c| WConviction {
                conviction: c.conviction.to_string(),
                offence_class: c.offence_class.name().into(),
                statute: c.statute.to_string(),
                convicted_on: c.convicted_on.to_string(),
                final_conviction: c.final_conviction,
                recorded: wf(&c.recorded),
                vacated: c.vacated.as_ref().map(wf),
            })
            .collect(),
        security_determinations: sum
            .security_determinations
            .iter()
            .map(|d| WSecurity { official: d.official.to_string(), reference: d.reference.clone(), made: wf(&d.made) })
            .collect(),
        last_entry: sum.last_entry.as_ref().map(|e| WEntry {
            entered_on: e.entered_on.to_string(),
            manner: e.manner.name().into(),
            admitted_until: s(&e.admitted_until),
            recorded: wf(&e.recorded),
        }),
        mitigations: sum
            .mitigations
            .iter()
            .map(|m| WMitigation {
                fact: m.fact.name().into(),
                source: m.source.to_string(),
                recorded: wf(&m.recorded),
            })
            .collect(),
        closed: sum.closed.map(|(r, at)| (r.name().into(), at.to_string())),
        closed_by: sum.closed_by.map(|e| e.to_string()),
        anomalies: sum.anomalies.iter().map(|e| e.to_string()).collect(),
    };
    // Serializing plain strings, numbers and vectors cannot fail.
    serde_json::to_string(&w).unwrap_or_default()
}

/// Why a stored projection could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

fn bad(what: &str, v: &str) -> DecodeError {
    DecodeError(format!("bad {what} `{v}`"))
}

fn t(v: &str) -> Result<Timestamp, DecodeError> {
    Timestamp::parse(v).map_err(|_| bad("time", v))
}
fn ot(v: &Option<String>) -> Result<Option<Timestamp>, DecodeError> {
    v.as_deref().map(t).transpose()
}
fn date(v: &str) -> Result<Date, DecodeError> {
    Date::parse(v).map_err(|_| bad("date", v))
}
fn rule(v: &str) -> Result<Rule, DecodeError> {
    Rule::from_name(v).ok_or_else(|| bad("rule", v))
}
fn eids(v: &[String]) -> Result<Vec<EventId>, DecodeError> {
    v.iter().map(|s| EventId::parse(s).map_err(|_| bad("event id", s))).collect()
}
fn eid(v: &str) -> Result<EventId, DecodeError> {
    EventId::parse(v).map_err(|_| bad("event id", v))
}
fn rf(w: &WFact) -> Result<Fact, DecodeError> {
    Ok(Fact { at: t(&w.at)?, event: eid(&w.event)? })
}
fn rd(w: &WDeadline) -> Result<Deadline, DecodeError> {
    Ok(Deadline {
        due: date(&w.due)?,
        ends_at: t(&w.ends_at)?,
        rule: rule(&w.rule)?,
        basis: eids(&w.basis)?,
        closed_by: w.closed_by.as_deref().map(eid).transpose()?,
        met: w.met.as_ref().map(rf).transpose()?,
    })
}
fn country(v: &str) -> Result<Country, DecodeError> {
    Country::parse(v).map_err(|_| bad("country", v))
}
fn pick<T: Copy>(v: &str, what: &str, all: &[T], name: impl Fn(T) -> &'static str) -> Result<T, DecodeError> {
    all.iter().copied().find(|x| name(*x) == v).ok_or_else(|| bad(what, v))
}
fn relief(v: &str) -> Result<ReliefKind, DecodeError> {
    ReliefKind::from_name(v).ok_or_else(|| bad("relief", v))
}

/// Reads a stored projection.
pub fn decode(json: &str) -> Result<CaseSummary, DecodeError> {
    let w: WSummary = serde_json::from_str(json).map_err(|e| DecodeError(e.to_string()))?;
    let decision = match &w.decision {
        None => None,
        Some((name, arg, at)) => {
            let arg = arg.as_deref().unwrap_or("");
            let o = match name.as_str() {
                "removal_ordered" => DecisionOutcome::RemovalOrdered,
                "removal_ordered_in_absentia" => DecisionOutcome::RemovalOrderedInAbsentia,
                "voluntary_departure" => {
                    DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Until(date(arg)?) }
                }
                "voluntary_departure_days" => DecisionOutcome::VoluntaryDeparture {
                    period: VoluntaryDeparturePeriod::Days(arg.parse().map_err(|_| bad("days", arg))?),
                },
                "relief_granted" => DecisionOutcome::ReliefGranted(relief(arg)?),
                "terminated" => DecisionOutcome::Terminated,
                other => return Err(bad("decision", other)),
            };
            Some((o, t(at)?))
        }
    };
    let hearing = |k: &str| match k {
        "master" => Ok(HearingKind::Master),
        "individual" => Ok(HearingKind::Individual),
        "bond" => Ok(HearingKind::Bond),
        other => Err(bad("hearing kind", other)),
    };
    Ok(CaseSummary {
        case_id: CaseId::parse(&w.case_id).map_err(|_| bad("case id", &w.case_id))?,
        person_id: w.person_id.as_deref().map(|p| PersonId::parse(p).map_err(|_| bad("person id", p))).transpose()?,
        a_number: w.a_number.as_deref().map(|a| ANumber::parse(a).map_err(|_| bad("A-number", a))).transpose()?,
        time_zone: w.time_zone.as_deref().map(|z| TimeZone::parse(z).map_err(|_| bad("time zone", z))).transpose()?,
        time_zone_inferred: w.time_zone_inferred,
        version: w.version,
        opened_at: ot(&w.opened_at)?,
        last_effective_at: ot(&w.last_effective_at)?,
        arrests: w.arrests,
        last_arrest_at: ot(&w.last_arrest_at)?,
        nta_served_at: ot(&w.nta_served_at)?,
        nta_filed_at: ot(&w.nta_filed_at)?,
        next_hearing: w.next_hearing.as_ref().map(|(k, at)| Ok::<_, DecodeError>((hearing(k)?, t(at)?))).transpose()?,
        decision,
        appeal_pending: w.appeal_pending,
        appeal_waived: w.appeal_waived,
        appealed: w.appealed,
        appeal_reserved: w.appeal_reserved,
        appeal_deadline: w.appeal_deadline.as_ref().map(rd).transpose()?,
        final_order: w
            .final_order
            .as_ref()
            .map(|f| Ok::<_, DecodeError>(Finality { at: t(&f.at)?, rule: rule(&f.rule)?, basis: eids(&f.basis)? }))
            .transpose()?,
        overstay_penalty: w
            .overstay_penalty
            .as_ref()
            .map(|p| {
                Ok::<_, DecodeError>(OverstayPenalty {
                    since: t(&p.since)?,
                    ineligible_until: date(&p.ineligible_until)?,
                    basis: eids(&p.basis)?,
                })
            })
            .transpose()?,
        voluntary_departure: w.voluntary_departure.as_ref().map(rd).transpose()?,
        removal_period: w
            .removal_period
            .as_ref()
            .map(|p| {
                Ok::<_, DecodeError>(RemovalPeriod {
                    starts_at: t(&p.starts_at)?,
                    ends_at: t(&p.ends_at)?,
                    basis: eids(&p.basis)?,
                })
            })
            .transpose()?,
        custody_reviews: w.custody_reviews.iter().map(rd).collect::<Result<_, _>>()?,
        detained_since: ot(&w.detained_since)?,
        detained_by: w.detained_by.as_deref().map(eid).transpose()?,
        pending_relief: w.pending_relief.iter().map(|k| relief(k)).collect::<Result<_, _>>()?,
        pending_protection_claims: w
            .pending_protection_claims
            .iter()
            .map(|(k, e)| Ok::<_, DecodeError>((relief(k)?, eid(e)?)))
            .collect::<Result<_, _>>()?,
        granted_relief: w.granted_relief.iter().map(|k| relief(k)).collect::<Result<_, _>>()?,
        country_protections: w
            .country_protections
            .iter()
            .map(|g| {
                Ok::<_, DecodeError>(CountryProtectionGrant {
                    protection: CountryProtection {
                        relief: relief(&g.relief)?,
                        country: g.country.as_deref().map(country).transpose()?,
                    },
                    granted: rf(&g.granted)?,
                })
            })
            .collect::<Result<_, _>>()?,
        citizenship_basis: eids(&w.citizenship_basis)?,
        citizenship_claim: w
            .citizenship_claim
            .as_ref()
            .map(|c| {
                Ok::<_, DecodeError>(CitizenshipClaim {
                    raised: rf(&c.raised)?,
                    resolved: c
                        .resolved
                        .as_ref()
                        .map(|(finding, f)| {
                            let finding = match finding.as_str() {
                                "citizen" => CitizenshipFinding::Citizen,
                                "not_citizen" => CitizenshipFinding::NotCitizen,
                                other => return Err(bad("citizenship finding", other)),
                            };
                            Ok((finding, rf(f)?))
                        })
                        .transpose()?,
                })
            })
            .transpose()?,
        citizenship: match w.citizenship.as_str() {
            "no_claim" => CitizenshipStatus::NoClaim,
            "pending" => CitizenshipStatus::Pending,
            "citizen" => CitizenshipStatus::Citizen,
            "not_citizen" => CitizenshipStatus::NotCitizen,
            other => return Err(bad("citizenship status", other)),
        },
        protections: w
            .protections
            .iter()
            .map(|p| {
                Ok::<_, DecodeError>(ProtectionPeriod {
                    kind: ProtectionKind::from_name(&p.kind).ok_or_else(|| bad("protection", &p.kind))?,
                    from: t(&p.from)?,
                    until: ot(&p.until)?,
                    end_unknown: p.end_unknown,
                    rule: rule(&p.rule)?,
                    basis: eids(&p.basis)?,
                })
            })
            .collect::<Result<_, _>>()?,
        designated_country: w
            .designated_country
            .as_ref()
            .map(|(c, e)| Ok::<_, DecodeError>((country(c)?, eid(e)?)))
            .transpose()?,
        travel_document: w
            .travel_document
            .as_ref()
            .map(|d| {
                Ok::<_, DecodeError>(HeldDocument {
                    issuing_country: country(&d.issuing_country)?,
                    expiry: d.expiry.as_deref().map(date).transpose()?,
                    event: eid(&d.event)?,
                })
            })
            .transpose()?,
        departed_on: w.departed_on.as_deref().map(date).transpose()?,
        left_basis: eids(&w.left_basis)?,
        removed_at: ot(&w.removed_at)?,
        removed_to: w.removed_to.as_deref().map(country).transpose()?,
        counsel: w
            .counsel
            .iter()
            .map(|c| {
                Ok::<_, DecodeError>(CounselOfRecord {
                    counsel: CounselId::parse(&c.counsel).map_err(|_| bad("counsel id", &c.counsel))?,
                    form: pick(&c.form, "counsel form", &CounselForm::ALL, CounselForm::name)?,
                    appeared: rf(&c.appeared)?,
                    withdrew: None,
                })
            })
            .collect::<Result<_, _>>()?,
        convictions: w
            .convictions
            .iter()
            .map(|c| {
                Ok::<_, DecodeError>(Conviction {
                    conviction: ConvictionId::parse(&c.conviction).map_err(|_| bad("conviction id", &c.conviction))?,
                    offence_class: pick(&c.offence_class, "offence class", &OffenceClass::ALL, OffenceClass::name)?,
                    statute: Statute::parse(&c.statute).map_err(|_| bad("statute", &c.statute))?,
                    convicted_on: date(&c.convicted_on)?,
                    final_conviction: c.final_conviction,
                    recorded: rf(&c.recorded)?,
                    vacated: c.vacated.as_ref().map(rf).transpose()?,
                })
            })
            .collect::<Result<_, _>>()?,
        security_determinations: w
            .security_determinations
            .iter()
            .map(|s| {
                Ok::<_, DecodeError>(SecurityDetermination {
                    official: ActorId::parse(&s.official).map_err(|_| bad("official", &s.official))?,
                    reference: s.reference.clone(),
                    made: rf(&s.made)?,
                })
            })
            .collect::<Result<_, _>>()?,
        last_entry: w
            .last_entry
            .as_ref()
            .map(|e| {
                Ok::<_, DecodeError>(LastEntry {
                    entered_on: date(&e.entered_on)?,
                    manner: pick(&e.manner, "entry manner", &EntryManner::ALL, EntryManner::name)?,
                    admitted_until: e.admitted_until.as_deref().map(date).transpose()?,
                    recorded: rf(&e.recorded)?,
                })
            })
            .transpose()?,
        mitigations: w
            .mitigations
            .iter()
            .map(|m| {
                Ok::<_, DecodeError>(Mitigation {
                    fact: pick(&m.fact, "mitigating fact", &MitigatingFact::ALL, MitigatingFact::name)?,
                    source: SourceReference::parse(&m.source).map_err(|_| bad("source reference", &m.source))?,
                    recorded: rf(&m.recorded)?,
                })
            })
            .collect::<Result<_, _>>()?,
        closed: w
            .closed
            .as_ref()
            .map(|(r, at)| {
                let reason =
                    CloseReason::ALL.into_iter().find(|c| c.name() == r).ok_or_else(|| bad("close reason", r))?;
                Ok::<_, DecodeError>((reason, t(at)?))
            })
            .transpose()?,
        closed_by: w.closed_by.as_deref().map(eid).transpose()?,
        anomalies: eids(&w.anomalies)?,
    })
}
