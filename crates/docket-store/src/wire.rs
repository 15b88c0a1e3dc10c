//! The wire formats: events as JSON objects (one a line in JSONL files, and the payload
//! stored per event) and persons as CSV rows. Each converts into `docket-core` types at the
//! edge, and every refusal names the field and why.
//!
//! The JSON Schema for events is `docs/events.schema.json`; the formats are described in
//! `docs/formats.md`.

use docket_core::{
    ANumber, ActorId, AppealOutcome, Appellant, CaseId, CitizenshipFinding, CloseReason, Country, CustodyReviewOutcome,
    Date, DateOfBirth, DecisionOutcome, DocumentKind, EVENT_SCHEMA_VERSION, Event, EventBody, EventId, HearingKind,
    IdempotencyKey, NameOrder, Person, PersonId, PersonName, ProtectionKind, ReleaseKind, ReliefKind, Sex, Source,
    Timestamp, TravelDocument,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A field that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("field `{field}`: {reason}")]
pub struct FieldError {
    /// The field's name in the file.
    pub field: String,
    /// Why it was refused.
    pub reason: String,
}

fn field_err(field: &str, reason: impl ToString) -> FieldError {
    FieldError { field: field.to_owned(), reason: reason.to_string() }
}

/// One event as written in JSONL: envelope fields, `type`, and the fields of that type.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct WireEvent {
    pub event_id: Option<String>,
    pub case_id: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u16>,
    pub effective_at: Option<String>,
    pub recorded_at: Option<String>,
    pub recorded_by: Option<String>,
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub idempotency_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hearing_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relief: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voluntary_departure_deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appellant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_filing_basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bond_amount_usd: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departed_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every event type name, in the order of the schema.
pub const EVENT_TYPES: [&str; 30] = [
    "case_opened",
    "notice_to_appear_served",
    "notice_to_appear_filed",
    "hearing_scheduled",
    "hearing_held",
    "hearing_adjourned",
    "relief_application_filed",
    "relief_application_granted",
    "relief_application_denied",
    "relief_application_withdrawn",
    "protection_granted",
    "protection_expired",
    "protection_terminated",
    "decision_issued",
    "appeal_filed",
    "appeal_waived",
    "appeal_decided",
    "petition_for_review_filed",
    "motion_to_reopen_filed",
    "motion_to_reopen_decided",
    "citizenship_claim_raised",
    "citizenship_claim_resolved",
    "custody_began",
    "custody_reviewed",
    "custody_released",
    "custody_transferred",
    "travel_document_obtained",
    "departure_verified",
    "removal_carried_out",
    "case_closed",
];

fn req<'a>(v: &'a Option<String>, field: &str) -> Result<&'a str, FieldError> {
    match v.as_deref() {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(field_err(field, "is required")),
    }
}

fn ts(v: &Option<String>, field: &str) -> Result<Timestamp, FieldError> {
    Timestamp::parse(req(v, field)?).map_err(|e| field_err(field, e))
}

fn opt_ts(v: &Option<String>, field: &str) -> Result<Option<Timestamp>, FieldError> {
    v.as_deref().map(|s| Timestamp::parse(s).map_err(|e| field_err(field, e))).transpose()
}

fn date(v: &Option<String>, field: &str) -> Result<Date, FieldError> {
    Date::parse(req(v, field)?).map_err(|e| field_err(field, e))
}

fn opt_date(v: &Option<String>, field: &str) -> Result<Option<Date>, FieldError> {
    v.as_deref().map(|s| Date::parse(s).map_err(|e| field_err(field, e))).transpose()
}

fn relief(v: &Option<String>) -> Result<ReliefKind, FieldError> {
    let s = req(v, "relief")?;
    ReliefKind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = ReliefKind::ALL.iter().map(|k| k.name()).collect();
        field_err("relief", format!("`{s}` is not one of {}", names.join(", ")))
    })
}

fn protection(v: &Option<String>) -> Result<ProtectionKind, FieldError> {
    let s = req(v, "protection")?;
    ProtectionKind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = ProtectionKind::ALL.iter().map(|k| k.name()).collect();
        field_err("protection", format!("`{s}` is not one of {}", names.join(", ")))
    })
}

fn one_of<T: Copy>(v: &Option<String>, field: &str, options: &[(&str, T)]) -> Result<T, FieldError> {
    let s = req(v, field)?;
    options.iter().find(|(n, _)| *n == s).map(|(_, t)| *t).ok_or_else(|| {
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        field_err(field, format!("`{s}` is not one of {}", names.join(", ")))
    })
}

const HEARING_KINDS: [(&str, HearingKind); 3] =
    [("master", HearingKind::Master), ("individual", HearingKind::Individual), ("bond", HearingKind::Bond)];
const SOURCES: [(&str, Source); 3] = [("import", Source::Import), ("officer", Source::Officer), ("feed", Source::Feed)];
const APPELLANTS: [(&str, Appellant); 2] = [("respondent", Appellant::Respondent), ("dhs", Appellant::Dhs)];
const APPEAL_OUTCOMES: [(&str, AppealOutcome); 4] = [
    ("dismissed", AppealOutcome::Dismissed),
    ("removal_ordered", AppealOutcome::RemovalOrdered),
    ("relief_granted", AppealOutcome::ReliefGranted),
    ("remanded", AppealOutcome::Remanded),
];
const FINDINGS: [(&str, CitizenshipFinding); 2] =
    [("citizen", CitizenshipFinding::Citizen), ("not_citizen", CitizenshipFinding::NotCitizen)];
const REVIEW_OUTCOMES: [(&str, CustodyReviewOutcome); 2] =
    [("continued", CustodyReviewOutcome::Continued), ("release_ordered", CustodyReviewOutcome::ReleaseOrdered)];

impl WireEvent {
    /// Converts into a core event, naming the first field that is wrong.
    pub fn to_event(&self) -> Result<Event, FieldError> {
        if let Some(v) = self.schema_version {
            if v == 0 || v > EVENT_SCHEMA_VERSION {
                return Err(field_err(
                    "schema_version",
                    format!("version {v} is not known (this program reads 1..={EVENT_SCHEMA_VERSION})"),
                ));
            }
        }
        let event_type = req(&self.event_type, "type")?;
        let body = self.body(event_type)?;
        // A field of another event type is an error, not something to drop silently.
        let allowed = allowed_fields(event_type);
        if let Some(extra) = self.body_fields().into_iter().find(|f| !allowed.contains(f)) {
            return Err(field_err(extra, format!("is not a field of `{event_type}` events")));
        }
        match &body {
            EventBody::DecisionIssued { outcome } => {
                if !matches!(outcome, DecisionOutcome::VoluntaryDeparture { .. })
                    && self.voluntary_departure_deadline.is_some()
                {
                    return Err(field_err(
                        "voluntary_departure_deadline",
                        "is given only with outcome `voluntary_departure`",
                    ));
                }
                if !matches!(outcome, DecisionOutcome::ReliefGranted(_)) && self.relief.is_some() {
                    return Err(field_err("relief", "is given only with outcome `relief_granted`"));
                }
            }
            EventBody::CustodyReleased { release }
                if !matches!(release, ReleaseKind::Bond { .. }) && self.bond_amount_usd.is_some() =>
            {
                return Err(field_err("bond_amount_usd", "is given only with release `bond`"));
            }
            _ => {}
        }
        Ok(Event {
            id: EventId::parse(req(&self.event_id, "event_id")?).map_err(|e| field_err("event_id", e))?,
            case_id: CaseId::parse(req(&self.case_id, "case_id")?).map_err(|e| field_err("case_id", e))?,
            effective_at: ts(&self.effective_at, "effective_at")?,
            recorded_at: ts(&self.recorded_at, "recorded_at")?,
            recorded_by: ActorId::parse(req(&self.recorded_by, "recorded_by")?)
                .map_err(|e| field_err("recorded_by", e))?,
            source: one_of(&self.source, "source", &SOURCES)?,
            reference: self.reference.clone().filter(|r| !r.trim().is_empty()),
            idempotency_key: IdempotencyKey::parse(req(&self.idempotency_key, "idempotency_key")?)
                .map_err(|e| field_err("idempotency_key", e))?,
            body,
        })
    }

    /// The type-specific fields that are present.
    fn body_fields(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        let mut check = |present: bool, name: &'static str| {
            if present {
                v.push(name);
            }
        };
        check(self.person_id.is_some(), "person_id");
        check(self.a_number.is_some(), "a_number");
        check(self.hearing_kind.is_some(), "hearing_kind");
        check(self.at.is_some(), "at");
        check(self.until.is_some(), "until");
        check(self.relief.is_some(), "relief");
        check(self.protection.is_some(), "protection");
        check(self.from.is_some(), "from");
        check(self.outcome.is_some(), "outcome");
        check(self.voluntary_departure_deadline.is_some(), "voluntary_departure_deadline");
        check(self.appellant.is_some(), "appellant");
        check(self.late_filing_basis.is_some(), "late_filing_basis");
        check(self.granted.is_some(), "granted");
        check(self.finding.is_some(), "finding");
        check(self.release.is_some(), "release");
        check(self.bond_amount_usd.is_some(), "bond_amount_usd");
        check(self.document_type.is_some(), "document_type");
        check(self.document_number.is_some(), "document_number");
        check(self.issuing_country.is_some(), "issuing_country");
        check(self.expiry.is_some(), "expiry");
        check(self.departed_on.is_some(), "departed_on");
        check(self.reason.is_some(), "reason");
        v
    }

    fn body(&self, event_type: &str) -> Result<EventBody, FieldError> {
        Ok(match event_type {
            "case_opened" => EventBody::CaseOpened {
                person_id: PersonId::parse(req(&self.person_id, "person_id")?)
                    .map_err(|e| field_err("person_id", e))?,
                a_number: self
                    .a_number
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .map(|s| ANumber::parse(s).map_err(|e| field_err("a_number", e)))
                    .transpose()?,
            },
            "notice_to_appear_served" => EventBody::NoticeToAppearServed,
            "notice_to_appear_filed" => EventBody::NoticeToAppearFiled,
            "hearing_scheduled" => EventBody::HearingScheduled {
                kind: one_of(&self.hearing_kind, "hearing_kind", &HEARING_KINDS)?,
                at: ts(&self.at, "at")?,
            },
            "hearing_held" => {
                EventBody::HearingHeld { kind: one_of(&self.hearing_kind, "hearing_kind", &HEARING_KINDS)? }
            }
            "hearing_adjourned" => EventBody::HearingAdjourned { until: opt_ts(&self.until, "until")? },
            "relief_application_filed" => EventBody::ReliefApplicationFiled { relief: relief(&self.relief)? },
            "relief_application_granted" => EventBody::ReliefApplicationGranted { relief: relief(&self.relief)? },
            "relief_application_denied" => EventBody::ReliefApplicationDenied { relief: relief(&self.relief)? },
            "relief_application_withdrawn" => EventBody::ReliefApplicationWithdrawn { relief: relief(&self.relief)? },
            "protection_granted" => EventBody::ProtectionGranted {
                protection: protection(&self.protection)?,
                from: ts(&self.from, "from")?,
                until: opt_ts(&self.until, "until")?,
            },
            "protection_expired" => EventBody::ProtectionExpired { protection: protection(&self.protection)? },
            "protection_terminated" => EventBody::ProtectionTerminated { protection: protection(&self.protection)? },
            "decision_issued" => EventBody::DecisionIssued {
                outcome: match req(&self.outcome, "outcome")? {
                    "removal_ordered" => DecisionOutcome::RemovalOrdered,
                    "removal_ordered_in_absentia" => DecisionOutcome::RemovalOrderedInAbsentia,
                    "voluntary_departure" => DecisionOutcome::VoluntaryDeparture {
                        deadline: date(&self.voluntary_departure_deadline, "voluntary_departure_deadline")?,
                    },
                    "relief_granted" => DecisionOutcome::ReliefGranted(relief(&self.relief)?),
                    "terminated" => DecisionOutcome::Terminated,
                    other => {
                        return Err(field_err(
                            "outcome",
                            format!(
                                "`{other}` is not one of removal_ordered, removal_ordered_in_absentia, voluntary_departure, relief_granted, terminated"
                            ),
                        ));
                    }
                },
            },
            "appeal_filed" => EventBody::AppealFiled {
                by: one_of(&self.appellant, "appellant", &APPELLANTS)?,
                late_filing_basis: self.late_filing_basis.clone().filter(|s| !s.trim().is_empty()),
            },
            "appeal_waived" => EventBody::AppealWaived,
            "appeal_decided" => EventBody::AppealDecided {
                outcome: one_of(&self.outcome, "outcome", &APPEAL_OUTCOMES)?,
                voluntary_departure_until: opt_date(
                    &self.voluntary_departure_deadline,
                    "voluntary_departure_deadline",
                )?,
            },
            "petition_for_review_filed" => EventBody::PetitionForReviewFiled,
            "motion_to_reopen_filed" => EventBody::MotionToReopenFiled,
            "motion_to_reopen_decided" => EventBody::MotionToReopenDecided {
                granted: self.granted.ok_or_else(|| field_err("granted", "is required (true or false)"))?,
            },
            "citizenship_claim_raised" => EventBody::CitizenshipClaimRaised,
            "citizenship_claim_resolved" => {
                EventBody::CitizenshipClaimResolved { finding: one_of(&self.finding, "finding", &FINDINGS)? }
            }
            "custody_began" => EventBody::CustodyBegan,
            "custody_reviewed" => {
                EventBody::CustodyReviewed { outcome: one_of(&self.outcome, "outcome", &REVIEW_OUTCOMES)? }
            }
            "custody_released" => EventBody::CustodyReleased {
                release: match req(&self.release, "release")? {
                    "bond" => ReleaseKind::Bond {
                        amount_usd: self
                            .bond_amount_usd
                            .ok_or_else(|| field_err("bond_amount_usd", "is required for a release on bond"))?,
                    },
                    "recognizance" => ReleaseKind::Recognizance,
                    "parole" => ReleaseKind::Parole,
                    "alternatives_to_detention" => ReleaseKind::AlternativesToDetention,
                    other => {
                        return Err(field_err(
                            "release",
                            format!("`{other}` is not one of bond, recognizance, parole, alternatives_to_detention"),
                        ));
                    }
                },
            },
            "custody_transferred" => EventBody::CustodyTransferred,
            "travel_document_obtained" => {
                let kind = DocumentKind::parse(req(&self.document_type, "document_type")?)
                    .map_err(|e| field_err("document_type", e))?;
                let country = Country::parse(req(&self.issuing_country, "issuing_country")?)
                    .map_err(|e| field_err("issuing_country", e))?;
                let expiry = opt_date(&self.expiry, "expiry")?;
                EventBody::TravelDocumentObtained {
                    document: TravelDocument::new(
                        kind,
                        req(&self.document_number, "document_number")?,
                        country,
                        expiry,
                    )
                    .map_err(|e| field_err("document_number", e))?,
                }
            }
            "departure_verified" => {
                EventBody::DepartureVerified { departed_on: date(&self.departed_on, "departed_on")? }
            }
            "removal_carried_out" => EventBody::RemovalCarriedOut,
            "case_closed" => {
                let s = req(&self.reason, "reason")?;
                EventBody::CaseClosed {
                    reason: CloseReason::ALL.into_iter().find(|r| r.name() == s).ok_or_else(|| {
                        let names: Vec<&str> = CloseReason::ALL.iter().map(|r| r.name()).collect();
                        field_err("reason", format!("`{s}` is not one of {}", names.join(", ")))
                    })?,
                }
            }
            other => return Err(field_err("type", format!("`{other}` is not an event type"))),
        })
    }

    /// The wire form of a core event.
    pub fn from_event(e: &Event) -> WireEvent {
        let mut w = WireEvent {
            event_id: Some(e.id.to_string()),
            case_id: Some(e.case_id.to_string()),
            event_type: Some(e.body.type_name().to_owned()),
            schema_version: Some(EVENT_SCHEMA_VERSION),
            effective_at: Some(e.effective_at.to_string()),
            recorded_at: Some(e.recorded_at.to_string()),
            recorded_by: Some(e.recorded_by.to_string()),
            source: Some(e.source.name().to_owned()),
            reference: e.reference.clone(),
            idempotency_key: Some(e.idempotency_key.to_string()),
            ..WireEvent::default()
        };
        let s = |x: &dyn ToString| Some(x.to_string());
        match &e.body {
            EventBody::CaseOpened { person_id, a_number } => {
                w.person_id = s(person_id);
                w.a_number = a_number.map(|a| a.to_string());
            }
            EventBody::NoticeToAppearServed
            | EventBody::NoticeToAppearFiled
            | EventBody::AppealWaived
            | EventBody::PetitionForReviewFiled
            | EventBody::MotionToReopenFiled
            | EventBody::CitizenshipClaimRaised
            | EventBody::CustodyBegan
            | EventBody::CustodyTransferred
            | EventBody::RemovalCarriedOut => {}
            EventBody::HearingScheduled { kind, at } => {
                w.hearing_kind = Some(kind.name().into());
                w.at = s(at);
            }
            EventBody::HearingHeld { kind } => w.hearing_kind = Some(kind.name().into()),
            EventBody::HearingAdjourned { until } => w.until = until.map(|u| u.to_string()),
            EventBody::ReliefApplicationFiled { relief }
            | EventBody::ReliefApplicationGranted { relief }
            | EventBody::ReliefApplicationDenied { relief }
            | EventBody::ReliefApplicationWithdrawn { relief } => w.relief = Some(relief.name().into()),
            EventBody::ProtectionGranted { protection, from, until } => {
                w.protection = Some(protection.name().into());
                w.from = s(from);
                w.until = until.map(|u| u.to_string());
            }
            EventBody::ProtectionExpired { protection } | EventBody::ProtectionTerminated { protection } => {
                w.protection = Some(protection.name().into());
            }
            EventBody::DecisionIssued { outcome } => {
                w.outcome = Some(
                    match outcome {
                        DecisionOutcome::RemovalOrdered => "removal_ordered",
                        DecisionOutcome::RemovalOrderedInAbsentia => "removal_ordered_in_absentia",
                        DecisionOutcome::VoluntaryDeparture { deadline } => {
                            w.voluntary_departure_deadline = s(deadline);
                            "voluntary_departure"
                        }
                        DecisionOutcome::ReliefGranted(k) => {
                            w.relief = Some(k.name().into());
                            "relief_granted"
                        }
                        DecisionOutcome::Terminated => "terminated",
                    }
                    .into(),
                );
            }
            EventBody::AppealFiled { by, late_filing_basis } => {
                w.appellant = APPELLANTS.iter().find(|(_, a)| a == by).map(|(n, _)| (*n).into());
                w.late_filing_basis = late_filing_basis.clone();
            }
            EventBody::AppealDecided { outcome, voluntary_departure_until } => {
                w.outcome = APPEAL_OUTCOMES.iter().find(|(_, o)| o == outcome).map(|(n, _)| (*n).into());
                w.voluntary_departure_deadline = voluntary_departure_until.map(|d| d.to_string());
            }
            EventBody::MotionToReopenDecided { granted } => w.granted = Some(*granted),
            EventBody::CitizenshipClaimResolved { finding } => {
                w.finding = FINDINGS.iter().find(|(_, f)| f == finding).map(|(n, _)| (*n).into());
            }
            EventBody::CustodyReviewed { outcome } => {
                w.outcome = REVIEW_OUTCOMES.iter().find(|(_, o)| o == outcome).map(|(n, _)| (*n).into());
            }
            EventBody::CustodyReleased { release } => {
                w.release = Some(
                    match release {
                        ReleaseKind::Bond { amount_usd } => {
                            w.bond_amount_usd = Some(*amount_usd);
                            "bond"
                        }
                        ReleaseKind::Recognizance => "recognizance",
                        ReleaseKind::Parole => "parole",
                        ReleaseKind::AlternativesToDetention => "alternatives_to_detention",
                    }
                    .into(),
                );
            }
            EventBody::TravelDocumentObtained { document } => {
                w.document_type = Some(document.kind().name().into());
                w.document_number = Some(document.number().into());
                w.issuing_country = Some(document.issuing_country().to_string());
                w.expiry = document.expiry().map(|d| d.to_string());
            }
            EventBody::DepartureVerified { departed_on } => w.departed_on = s(departed_on),
            EventBody::CaseClosed { reason } => w.reason = Some(reason.name().into()),
        }
        w
    }
}

/// The type-specific fields an event type may carry.
fn allowed_fields(event_type: &str) -> &'static [&'static str] {
    match event_type {
        "case_opened" => &["person_id", "a_number"],
        "hearing_scheduled" => &["hearing_kind", "at"],
        "hearing_held" => &["hearing_kind"],
        "hearing_adjourned" => &["until"],
        "relief_application_filed"
        | "relief_application_granted"
        | "relief_application_denied"
        | "relief_application_withdrawn" => &["relief"],
        "protection_granted" => &["protection", "from", "until"],
        "protection_expired" | "protection_terminated" => &["protection"],
        "decision_issued" => &["outcome", "voluntary_departure_deadline", "relief"],
        "appeal_filed" => &["appellant", "late_filing_basis"],
        "appeal_decided" => &["outcome", "voluntary_departure_deadline"],
        "motion_to_reopen_decided" => &["granted"],
        "citizenship_claim_resolved" => &["finding"],
        "custody_reviewed" => &["outcome"],
        "custody_released" => &["release", "bond_amount_usd"],
        "travel_document_obtained" => &["document_type", "document_number", "issuing_country", "expiry"],
        "departure_verified" => &["departed_on"],
        "case_closed" => &["reason"],
        _ => &[],
    }
}

/// Reads one JSON line into an event, naming the field at fault.
pub fn parse_event_line(line: &str) -> Result<Event, FieldError> {
    match serde_json::from_str::<WireEvent>(line) {
        Ok(w) => w.to_event(),
        Err(e) => Err(explain_json_error(line, &e)),
    }
}

/// Turns a serde error into a field error: which field, and why.
fn explain_json_error(line: &str, e: &serde_json::Error) -> FieldError {
    let msg = e.to_string();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        return field_err(name, "is not a field of any event type");
    }
    // A type error does not say which field; find it by checking each value's type.
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(line) {
        for (k, v) in &map {
            let ok = match k.as_str() {
                "granted" => v.is_boolean() || v.is_null(),
                "bond_amount_usd" => v.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)) || v.is_null(),
                "schema_version" => v.as_u64().is_some_and(|n| n <= u64::from(u16::MAX)) || v.is_null(),
                _ => v.is_string() || v.is_null(),
            };
            if !ok {
                return field_err(k, format!("has the wrong type ({v})"));
            }
        }
        return field_err("(record)", msg);
    }
    field_err("(record)", format!("not a JSON object: {msg}"))
}

/// One person as written in the persons CSV.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct PersonRow {
    pub person_id: String,
    #[serde(default)]
    pub a_number: String,
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub family_names: String,
    #[serde(default)]
    pub name_order: String,
    #[serde(default)]
    pub aliases: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub nationality: String,
    #[serde(default)]
    pub passport_number: String,
    #[serde(default)]
    pub passport_country: String,
    #[serde(default)]
    pub passport_expiry: String,
}

/// The header of the persons CSV, in order.
pub const PERSON_COLUMNS: [&str; 12] = [
    "person_id",
    "a_number",
    "given_names",
    "family_names",
    "name_order",
    "aliases",
    "date_of_birth",
    "sex",
    "nationality",
    "passport_number",
    "passport_country",
    "passport_expiry",
];

fn name_order(s: &str) -> Result<NameOrder, FieldError> {
    match s.trim() {
        "" | "given_first" => Ok(NameOrder::GivenFirst),
        "family_first" => Ok(NameOrder::FamilyFirst),
        other => Err(field_err("name_order", format!("`{other}` is not `given_first` or `family_first`"))),
    }
}

impl PersonRow {
    /// Converts into a core person; `today` bounds dates of birth.
    pub fn to_person(&self, today: Date) -> Result<Person, FieldError> {
        let order = name_order(&self.name_order)?;
        let name = PersonName::new(&self.given_names, &self.family_names, order).map_err(|e| {
            let field = if self.given_names.trim().is_empty() && self.family_names.trim().is_empty() {
                "family_names"
            } else if matches!(&e, docket_core::PersonError::Name { part: "given name", .. }) {
                "given_names"
            } else {
                "family_names"
            };
            field_err(field, e)
        })?;
        let mut aliases = Vec::new();
        for alias in self.aliases.split(';').map(str::trim).filter(|a| !a.is_empty()) {
            let (g, f) = alias
                .split_once('|')
                .ok_or_else(|| field_err("aliases", format!("`{alias}` is not `GIVEN NAMES|FAMILY NAMES`")))?;
            aliases.push(PersonName::new(g, f, order).map_err(|e| field_err("aliases", e))?);
        }
        let documents = if self.passport_number.trim().is_empty() {
            if !self.passport_country.trim().is_empty() || !self.passport_expiry.trim().is_empty() {
                return Err(field_err(
                    "passport_number",
                    "is required when `passport_country` or `passport_expiry` is given",
                ));
            }
            Vec::new()
        } else {
            let country = Country::parse(&self.passport_country).map_err(|e| field_err("passport_country", e))?;
            let expiry = (!self.passport_expiry.trim().is_empty())
                .then(|| Date::parse(self.passport_expiry.trim()).map_err(|e| field_err("passport_expiry", e)))
                .transpose()?;
            vec![
                TravelDocument::new(DocumentKind::Passport, &self.passport_number, country, expiry)
                    .map_err(|e| field_err("passport_number", e))?,
            ]
        };
        Ok(Person {
            id: PersonId::parse(self.person_id.trim()).map_err(|e| field_err("person_id", e))?,
            a_number: (!self.a_number.trim().is_empty())
                .then(|| ANumber::parse(&self.a_number).map_err(|e| field_err("a_number", e)))
                .transpose()?,
            name,
            aliases,
            date_of_birth: DateOfBirth::parse(&self.date_of_birth, today).map_err(|e| field_err("date_of_birth", e))?,
            sex: Sex::parse(&self.sex).map_err(|e| field_err("sex", e))?,
            nationality: (!self.nationality.trim().is_empty())
                .then(|| Country::parse(&self.nationality).map_err(|e| field_err("nationality", e)))
                .transpose()?,
            documents,
        })
    }

    /// The row for a core person.
    pub fn from_person(p: &Person) -> PersonRow {
        let part = |n: &PersonName, given: bool| {
            if given { n.given() } else { n.family() }.map(|p| p.original().to_owned()).unwrap_or_default()
        };
        let doc = p.documents.first();
        PersonRow {
            person_id: p.id.to_string(),
            a_number: p.a_number.map(|a| a.to_string()).unwrap_or_default(),
            given_names: part(&p.name, true),
            family_names: part(&p.name, false),
            name_order: match p.name.order() {
                NameOrder::GivenFirst => "given_first",
                NameOrder::FamilyFirst => "family_first",
            }
            .into(),
            aliases: p
                .aliases
                .iter()
                .map(|a| format!("{}|{}", part(a, true), part(a, false)))
                .collect::<Vec<_>>()
                .join(";"),
            date_of_birth: p.date_of_birth.to_string(),
            sex: p.sex.code().into(),
            nationality: p.nationality.map(|c| c.to_string()).unwrap_or_default(),
            passport_number: doc.map(|d| d.number().to_owned()).unwrap_or_default(),
            passport_country: doc.map(|d| d.issuing_country().to_string()).unwrap_or_default(),
            passport_expiry: doc.and_then(|d| d.expiry()).map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> PersonRow {
        PersonRow {
            person_id: "P-1".into(),
            given_names: "Ana".into(),
            family_names: "Díaz".into(),
            date_of_birth: "1990-01-01".into(),
            ..PersonRow::default()
        }
    }

    #[test]
    fn passport_details_without_a_number_are_refused() {
        let today = Date::parse("2026-11-23").expect("date");
        let mut r = row();
        r.passport_country = "ZZZ".into();
        let err = r.to_person(today).expect_err("refused");
        assert_eq!(err.field, "passport_number");
        let mut r = row();
        r.passport_expiry = "2030-01-01".into();
        assert_eq!(r.to_person(today).expect_err("refused").field, "passport_number");
        assert!(row().to_person(today).is_ok());
    }
}
