//! The stored form of a case projection ([`CaseSummary`]) as JSON, and back.
//!
//! The projection is derived data: `docket rebuild` recomputes it from events, so its
//! encoding may change between versions (the rebuild rewrites every row).

use docket_core::{
    ANumber, CaseId, CaseSummary, CitizenshipStatus, CloseReason, Date, Deadline, DecisionOutcome, EventId, Finality,
    HearingKind, PersonId, ProtectionKind, ProtectionPeriod, ReliefKind, RemovalPeriod, Rule, Timestamp,
};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct WDeadline {
    due: String,
    ends_at: String,
    rule: String,
    basis: Vec<String>,
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
    version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    opened_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_effective_at: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    appeal_deadline: Option<WDeadline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    final_order: Option<WFinality>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    voluntary_departure: Option<WDeadline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    removal_period: Option<WPeriod>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    custody_reviews: Vec<WDeadline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detained_since: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pending_relief: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    granted_relief: Vec<String>,
    citizenship: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    protections: Vec<WProtection>,
    #[serde(default, skip_serializing_if = "is_false")]
    travel_document: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    departed_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    removed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed: Option<(String, String)>,
    #[serde(default, skip_serializing_if = "is_zero")]
    anomalies: u32,
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

fn wd(d: &Deadline) -> WDeadline {
    WDeadline {
        due: d.due.to_string(),
        ends_at: d.ends_at.to_string(),
        rule: d.rule.name().into(),
        basis: ids(&d.basis),
    }
}

fn decision_parts(o: DecisionOutcome) -> (String, Option<String>) {
    match o {
        DecisionOutcome::RemovalOrdered => ("removal_ordered".into(), None),
        DecisionOutcome::RemovalOrderedInAbsentia => ("removal_ordered_in_absentia".into(), None),
        DecisionOutcome::VoluntaryDeparture { deadline } => ("voluntary_departure".into(), Some(deadline.to_string())),
        DecisionOutcome::ReliefGranted(k) => ("relief_granted".into(), Some(k.name().into())),
        DecisionOutcome::Terminated => ("terminated".into(), None),
    }
}

fn citizenship_name(c: CitizenshipStatus) -> &'static str {
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
        version: sum.version,
        opened_at: s(&sum.opened_at),
        last_effective_at: s(&sum.last_effective_at),
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
        appeal_deadline: sum.appeal_deadline.as_ref().map(wd),
        final_order: sum.final_order.as_ref().map(|f| WFinality {
            at: f.at.to_string(),
            rule: f.rule.name().into(),
            basis: ids(&f.basis),
        }),
        voluntary_departure: sum.voluntary_departure.as_ref().map(wd),
        removal_period: sum.removal_period.as_ref().map(|p| WPeriod {
            starts_at: p.starts_at.to_string(),
            ends_at: p.ends_at.to_string(),
            basis: ids(&p.basis),
        }),
        custody_reviews: sum.custody_reviews.iter().map(wd).collect(),
        detained_since: s(&sum.detained_since),
        pending_relief: sum.pending_relief.iter().map(|k| k.name().into()).collect(),
        granted_relief: sum.granted_relief.iter().map(|k| k.name().into()).collect(),
        citizenship: citizenship_name(sum.citizenship).into(),
        protections: sum
            .protections
            .iter()
            .map(|p| WProtection {
                kind: p.kind.name().into(),
                from: p.from.to_string(),
                until: s(&p.until),
                rule: p.rule.name().into(),
                basis: ids(&p.basis),
            })
            .collect(),
        travel_document: sum.travel_document,
        departed_on: s(&sum.departed_on),
        removed_at: s(&sum.removed_at),
        closed: sum.closed.map(|(r, at)| (r.name().into(), at.to_string())),
        anomalies: sum.anomalies,
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
fn d(v: &str) -> Result<Date, DecodeError> {
    Date::parse(v).map_err(|_| bad("date", v))
}
fn rule(v: &str) -> Result<Rule, DecodeError> {
    Rule::from_name(v).ok_or_else(|| bad("rule", v))
}
fn eids(v: &[String]) -> Result<Vec<EventId>, DecodeError> {
    v.iter().map(|s| EventId::parse(s).map_err(|_| bad("event id", s))).collect()
}
fn rd(w: &WDeadline) -> Result<Deadline, DecodeError> {
    Ok(Deadline { due: d(&w.due)?, ends_at: t(&w.ends_at)?, rule: rule(&w.rule)?, basis: eids(&w.basis)? })
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
                "voluntary_departure" => DecisionOutcome::VoluntaryDeparture { deadline: d(arg)? },
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
        version: w.version,
        opened_at: ot(&w.opened_at)?,
        last_effective_at: ot(&w.last_effective_at)?,
        nta_served_at: ot(&w.nta_served_at)?,
        nta_filed_at: ot(&w.nta_filed_at)?,
        next_hearing: w.next_hearing.as_ref().map(|(k, at)| Ok::<_, DecodeError>((hearing(k)?, t(at)?))).transpose()?,
        decision,
        appeal_pending: w.appeal_pending,
        appeal_waived: w.appeal_waived,
        appealed: w.appealed,
        appeal_deadline: w.appeal_deadline.as_ref().map(rd).transpose()?,
        final_order: w
            .final_order
            .as_ref()
            .map(|f| Ok::<_, DecodeError>(Finality { at: t(&f.at)?, rule: rule(&f.rule)?, basis: eids(&f.basis)? }))
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
        pending_relief: w.pending_relief.iter().map(|k| relief(k)).collect::<Result<_, _>>()?,
        granted_relief: w.granted_relief.iter().map(|k| relief(k)).collect::<Result<_, _>>()?,
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
                    rule: rule(&p.rule)?,
                    basis: eids(&p.basis)?,
                })
            })
            .collect::<Result<_, _>>()?,
        travel_document: w.travel_document,
        departed_on: w.departed_on.as_deref().map(d).transpose()?,
        removed_at: ot(&w.removed_at)?,
        closed: w
            .closed
            .as_ref()
            .map(|(r, at)| {
                let reason =
                    CloseReason::ALL.into_iter().find(|c| c.name() == r).ok_or_else(|| bad("close reason", r))?;
                Ok::<_, DecodeError>((reason, t(at)?))
            })
            .transpose()?,
        anomalies: w.anomalies,
    })
}
