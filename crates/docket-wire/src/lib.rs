//! Docket's wire formats: events as JSON objects (one a line in JSONL files, the payload
//! stored per event, the body of a message) and persons as CSV rows. Each converts into
//! `docket-core` types at the edge, and every refusal names the field and why. The store, the
//! application layer and the synthetic data all read and write these, so that what one writes
//! the others read by construction; none of them needs another to do it.
//!
//! The JSON Schema for events is `docs/events.schema.json`; the formats are described in
//! `docs/formats.md`. Departure records (`departure`) are JSON objects and CSV rows of one set of
//! fields; their JSON Schema is `docs/departures.schema.json`.
//!
//! ```
//! let line = r#"{"event_id":"0190a1b2-c3d4-7e5f-8a9b-000000000001","case_id":"C-1","type":"case_opened","effective_at":"2025-01-06T09:00:00-05:00","recorded_at":"2025-01-06T09:05:00-05:00","recorded_by":"officer.jdoe","source":"officer","idempotency_key":"open","person_id":"P-1","time_zone":"America/New_York"}"#;
//! let event = docket_wire::parse_event_line(line).unwrap();
//! assert_eq!(event.body.type_name(), "case_opened");
//! let err = docket_wire::parse_event_line(&line.replace("America/New_York", "Mars/Base")).unwrap_err();
//! assert_eq!(err.field, "time_zone");
//! ```

pub mod departure;
pub mod owner_only;

use docket_core::{
    ANumber, ActorId, AppealOutcome, Appellant, CaseId, CitizenshipFinding, CloseReason, ComparisonEvidence,
    ConvictionId, CounselForm, CounselId, Country, CountryProtection, CustodyReviewOutcome, Date, DateOfBirth,
    DecisionOutcome, DepartureEvidence, DepartureRecordId, DocumentKind, EVENT_SCHEMA_VERSION, EntryManner, Event,
    EventBody, EventId, HearingKind, IdempotencyKey, MatchDecision, MitigatingFact, ModelVersion, MotionBasis,
    NameOrder, OffenceClass, Person, PersonId, PersonName, Probability, ProtectionEnd, ProtectionKind, Reason,
    RecordSource, ReleaseKind, ReliefKind, ReviewId, Sex, Source, SourceReference, Statute, TimeZone, Timestamp,
    TravelDocument, VoluntaryDeparturePeriod,
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

/// Whether a conversion checks new input or reads back what was stored.
#[derive(Clone, Copy)]
enum Limits {
    Input,
    Stored,
}

/// The most characters of `reference`.
pub const MAX_REFERENCE_CHARS: usize = 200;

/// The optional free-text `reference`: blank is absent; at most [`MAX_REFERENCE_CHARS`]
/// characters, none of them control characters.
fn reference(v: &Option<String>) -> Result<Option<String>, FieldError> {
    let Some(r) = v.as_deref().filter(|r| !r.trim().is_empty()) else { return Ok(None) };
    let n = r.chars().count();
    if n > MAX_REFERENCE_CHARS {
        return Err(field_err(
            "reference",
            format!("is {n} characters long; a reference may hold at most {MAX_REFERENCE_CHARS}"),
        ));
    }
    if r.chars().any(char::is_control) {
        return Err(field_err("reference", "contains control characters (a line break or tab, say)"));
    }
    Ok(Some(r.to_owned()))
}

/// `text` cut to its first `max` characters, marked with `…` where it was cut.
fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
    }
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indefinite: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voluntary_departure_days: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counsel_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conviction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offence_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statute: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub convicted_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_conviction: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub official: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admitted_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mitigating_fact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<WireEvidence>,
}

/// The evidence of a departure match as written in a `departure_verified` event: the record,
/// the calibrated probability (a decimal string, exact to the millionth), the model, each
/// comparison's level and weight in bits, and the decision (`clear`, or `reviewed` with the
/// review item and the reviewer's reason).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct WireEvidence {
    pub record_id: Option<String>,
    pub record_source: Option<String>,
    pub probability: Option<String>,
    pub model: Option<String>,
    #[serde(default)]
    pub comparisons: Vec<WireComparison>,
    pub decision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_reason: Option<String>,
}

/// One comparison's level and weight in a match's evidence.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct WireComparison {
    pub comparison: String,
    pub level: String,
    pub weight: f64,
}

impl WireEvidence {
    /// The wire form of a match's evidence.
    pub fn from_evidence(e: &DepartureEvidence) -> WireEvidence {
        let (decision, review_id, review_reason) = match &e.decision {
            MatchDecision::Clear => ("clear", None, None),
            MatchDecision::Reviewed { review, reason } => {
                ("reviewed", Some(review.to_string()), Some(reason.as_str().to_owned()))
            }
        };
        WireEvidence {
            record_id: Some(e.record.to_string()),
            record_source: Some(e.source.to_string()),
            probability: Some(e.probability.to_string()),
            model: Some(e.model.to_string()),
            comparisons: e
                .comparisons
                .iter()
                .map(|c| WireComparison {
                    comparison: c.comparison().to_owned(),
                    level: c.level().to_owned(),
                    weight: c.weight_bits(),
                })
                .collect(),
            decision: Some(decision.to_owned()),
            review_id,
            review_reason,
        }
    }

    /// The core evidence, naming the field at fault as `evidence.<field>`.
    pub fn to_evidence(&self) -> Result<DepartureEvidence, FieldError> {
        let f = |name: &str| format!("evidence.{name}");
        let need = |v: &Option<String>, name: &str| -> Result<String, FieldError> {
            v.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
                .ok_or_else(|| field_err(&f(name), "is required"))
        };
        let record = DepartureRecordId::parse(&need(&self.record_id, "record_id")?)
            .map_err(|e| field_err(&f("record_id"), e))?;
        let source = RecordSource::parse(&need(&self.record_source, "record_source")?)
            .map_err(|e| field_err(&f("record_source"), e))?;
        let p = need(&self.probability, "probability")?;
        let probability = Probability::parse(&p).ok_or_else(|| {
            field_err(
                &f("probability"),
                format!("`{p}` is not a probability: a decimal from 0 to 1 with at most six places"),
            )
        })?;
        let model = ModelVersion::parse(&need(&self.model, "model")?).map_err(|e| field_err(&f("model"), e))?;
        let comparisons = self
            .comparisons
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if !c.weight.is_finite() {
                    return Err(field_err(&f(&format!("comparisons[{i}].weight")), "is not a finite number"));
                }
                ComparisonEvidence::new(&c.comparison, &c.level, c.weight)
                    .map_err(|e| field_err(&f(&format!("comparisons[{i}]")), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let decision = match need(&self.decision, "decision")?.as_str() {
            "clear" => {
                for (name, v) in [("review_id", &self.review_id), ("review_reason", &self.review_reason)] {
                    if v.is_some() {
                        return Err(field_err(&f(name), "is given only with decision `reviewed`"));
                    }
                }
                MatchDecision::Clear
            }
            "reviewed" => MatchDecision::Reviewed {
                review: ReviewId::parse(&need(&self.review_id, "review_id")?)
                    .map_err(|e| field_err(&f("review_id"), e))?,
                reason: Reason::parse(&need(&self.review_reason, "review_reason")?)
                    .map_err(|e| field_err(&f("review_reason"), e))?,
            },
            other => return Err(field_err(&f("decision"), format!("`{other}` is not one of clear, reviewed"))),
        };
        Ok(DepartureEvidence { record, source, probability, comparisons, model, decision })
    }
}

/// Every event type name, in the order of the schema.
pub const EVENT_TYPES: [&str; 41] = [
    "case_opened",
    "arrested",
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
    "appeal_reserved",
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
    "removal_country_designated",
    "travel_document_obtained",
    "departure_verified",
    "departure_verification_withdrawn",
    "removal_carried_out",
    "counsel_appeared",
    "counsel_withdrew",
    "conviction_recorded",
    "conviction_vacated",
    "national_security_determination",
    "last_entry_recorded",
    "mitigating_fact_recorded",
    "case_closed",
];

/// Fields that version 1 of the event format did not have: a version-1 line carrying one is
/// refused rather than read as something its writer did not mean.
const SINCE_VERSION_2: [&str; 19] = [
    "time_zone",
    "country",
    "indefinite",
    "voluntary_departure_days",
    "basis",
    "counsel_id",
    "form",
    "conviction_id",
    "offence_class",
    "statute",
    "convicted_on",
    "final_conviction",
    "official",
    "entered_on",
    "manner",
    "admitted_until",
    "mitigating_fact",
    "source_reference",
    "evidence",
];

/// Event types that version 1 of the event format did not have.
const TYPES_SINCE_VERSION_2: [&str; 11] = [
    "arrested",
    "departure_verification_withdrawn",
    "removal_country_designated",
    "appeal_reserved",
    "counsel_appeared",
    "counsel_withdrew",
    "conviction_recorded",
    "conviction_vacated",
    "national_security_determination",
    "last_entry_recorded",
    "mitigating_fact_recorded",
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

fn named<T: Copy>(
    v: &Option<String>,
    field: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<T, FieldError> {
    let s = req(v, field)?;
    all.iter().copied().find(|x| name(*x) == s).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|x| name(*x)).collect();
        field_err(field, format!("`{s}` is not one of {}", names.join(", ")))
    })
}

fn opt_country(v: &Option<String>, field: &str) -> Result<Option<Country>, FieldError> {
    v.as_deref().map(|c| Country::parse(c).map_err(|e| field_err(field, e))).transpose()
}

fn token<T>(
    v: &Option<String>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, docket_core::IdError>,
) -> Result<T, FieldError> {
    parse(req(v, field)?).map_err(|e| field_err(field, e))
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
    /// Converts into a core event, naming the first field that is wrong. A line of an older
    /// version is upcast: what that version could not say is read as unknown.
    pub fn to_event(&self) -> Result<Event, FieldError> {
        self.convert(Limits::Input)
    }

    /// Converts a stored event back: as [`WireEvent::to_event`], but without the length limits
    /// that new input must meet, which were added after events may have been stored.
    pub fn to_stored_event(&self) -> Result<Event, FieldError> {
        self.convert(Limits::Stored)
    }

    fn convert(&self, limits: Limits) -> Result<Event, FieldError> {
        let version = self.schema_version.unwrap_or(EVENT_SCHEMA_VERSION);
        if version == 0 || version > EVENT_SCHEMA_VERSION {
            return Err(field_err(
                "schema_version",
                format!("version {version} is not known (this program reads 1..={EVENT_SCHEMA_VERSION})"),
            ));
        }
        let event_type = req(&self.event_type, "type")?;
        if version < 2 {
            if TYPES_SINCE_VERSION_2.contains(&event_type) {
                return Err(field_err("type", format!("`{event_type}` events exist from schema version 2")));
            }
            if let Some(f) = self.body_fields().into_iter().find(|f| SINCE_VERSION_2.contains(f)) {
                return Err(field_err(f, "is not a field of schema version 1 events"));
            }
        }
        let body = self.body(event_type)?;
        // A field of another event type is an error, not something to drop silently.
        let allowed = allowed_fields(event_type);
        if let Some(extra) = self.body_fields().into_iter().find(|f| !allowed.contains(f)) {
            return Err(field_err(extra, format!("is not a field of `{event_type}` events")));
        }
        match &body {
            EventBody::DecisionIssued { outcome, .. } => {
                if !matches!(outcome, DecisionOutcome::VoluntaryDeparture { .. }) {
                    for (field, present) in [
                        ("voluntary_departure_deadline", self.voluntary_departure_deadline.is_some()),
                        ("voluntary_departure_days", self.voluntary_departure_days.is_some()),
                    ] {
                        if present {
                            return Err(field_err(field, "is given only with outcome `voluntary_departure`"));
                        }
                    }
                }
                let withholding = matches!(self.relief.as_deref(), Some("withholding" | "cat"));
                match outcome {
                    DecisionOutcome::ReliefGranted(_) => {}
                    DecisionOutcome::RemovalOrdered if withholding => {}
                    DecisionOutcome::RemovalOrdered if self.relief.is_some() => {
                        return Err(field_err(
                            "relief",
                            "with outcome `removal_ordered`, only `withholding` or `cat` (granted as to `country`)",
                        ));
                    }
                    _ if self.relief.is_some() => {
                        return Err(field_err(
                            "relief",
                            "is given only with outcome `relief_granted`, or `withholding` or `cat` with `removal_ordered`",
                        ));
                    }
                    _ => {}
                }
                if self.country.is_some() && !withholding {
                    return Err(field_err("country", "is given only with relief `withholding` or `cat`"));
                }
            }
            EventBody::ReliefApplicationGranted { relief, .. }
                if self.country.is_some() && !matches!(relief, ReliefKind::Withholding | ReliefKind::Cat) =>
            {
                return Err(field_err("country", "is given only with relief `withholding` or `cat`"));
            }
            EventBody::LastEntryRecorded { manner, admitted_until: Some(_), .. }
                if *manner != EntryManner::Admitted =>
            {
                return Err(field_err("admitted_until", "is given only with manner `admitted`"));
            }
            EventBody::NationalSecurityDetermination { .. }
                if self.reference.as_deref().is_none_or(|r| r.trim().is_empty()) =>
            {
                return Err(field_err("reference", "is required: the determination's reference"));
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
            reference: match limits {
                Limits::Input => reference(&self.reference)?,
                Limits::Stored => self.reference.clone().filter(|r| !r.trim().is_empty()),
            },
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
        check(self.time_zone.is_some(), "time_zone");
        check(self.country.is_some(), "country");
        check(self.indefinite.is_some(), "indefinite");
        check(self.voluntary_departure_days.is_some(), "voluntary_departure_days");
        check(self.basis.is_some(), "basis");
        check(self.counsel_id.is_some(), "counsel_id");
        check(self.form.is_some(), "form");
        check(self.conviction_id.is_some(), "conviction_id");
        check(self.offence_class.is_some(), "offence_class");
        check(self.statute.is_some(), "statute");
        check(self.convicted_on.is_some(), "convicted_on");
        check(self.final_conviction.is_some(), "final_conviction");
        check(self.official.is_some(), "official");
        check(self.entered_on.is_some(), "entered_on");
        check(self.manner.is_some(), "manner");
        check(self.admitted_until.is_some(), "admitted_until");
        check(self.mitigating_fact.is_some(), "mitigating_fact");
        check(self.source_reference.is_some(), "source_reference");
        check(self.evidence.is_some(), "evidence");
        v
    }

    /// A voluntary-departure period: a last day or a number of days, not both.
    fn vd_period(&self, required: bool) -> Result<Option<VoluntaryDeparturePeriod>, FieldError> {
        match (&self.voluntary_departure_deadline, self.voluntary_departure_days) {
            (Some(_), Some(_)) => Err(field_err(
                "voluntary_departure_days",
                "give either `voluntary_departure_deadline` or `voluntary_departure_days`, not both",
            )),
            (Some(_), None) => Ok(Some(VoluntaryDeparturePeriod::Until(date(
                &self.voluntary_departure_deadline,
                "voluntary_departure_deadline",
            )?))),
            (None, Some(0)) => Err(field_err("voluntary_departure_days", "must be at least 1")),
            (None, Some(n)) => Ok(Some(VoluntaryDeparturePeriod::Days(n))),
            (None, None) if required => Err(field_err(
                "voluntary_departure_deadline",
                "is required with outcome `voluntary_departure` (or `voluntary_departure_days`)",
            )),
            (None, None) => Ok(None),
        }
    }

    /// The country a grant of withholding or CAT protection is made as to; unknown when
    /// absent (and always in version 1), which bars removal to every country (fail closed).
    fn protected_country(&self) -> Result<Option<Country>, FieldError> {
        opt_country(&self.country, "country")
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
                // Unknown when absent (and always in version 1): the zone is then inferred from
                // the decision's UTC offset among the courts' zones (docket_core::COURT_ZONES).
                time_zone: self
                    .time_zone
                    .as_deref()
                    .map(|z| TimeZone::parse(z).map_err(|e| field_err("time_zone", e)))
                    .transpose()?,
            },
            "arrested" => EventBody::Arrested,
            "appeal_reserved" => EventBody::AppealReserved,
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
            "relief_application_granted" => {
                let relief = relief(&self.relief)?;
                let country = if matches!(relief, ReliefKind::Withholding | ReliefKind::Cat) {
                    self.protected_country()?
                } else {
                    None
                };
                EventBody::ReliefApplicationGranted { relief, country }
            }
            "relief_application_denied" => EventBody::ReliefApplicationDenied { relief: relief(&self.relief)? },
            "relief_application_withdrawn" => EventBody::ReliefApplicationWithdrawn { relief: relief(&self.relief)? },
            "protection_granted" => EventBody::ProtectionGranted {
                protection: protection(&self.protection)?,
                from: ts(&self.from, "from")?,
                // No end date given is an end date unknown (fail closed), unless the grant says
                // it has none.
                until: match (opt_ts(&self.until, "until")?, self.indefinite) {
                    (Some(_), Some(true)) => {
                        return Err(field_err("indefinite", "a protection with an `until` is not indefinite"));
                    }
                    (Some(u), _) => ProtectionEnd::At(u),
                    (None, Some(true)) => ProtectionEnd::Indefinite,
                    (None, _) => ProtectionEnd::Unknown,
                },
            },
            "protection_expired" => EventBody::ProtectionExpired { protection: protection(&self.protection)? },
            "protection_terminated" => EventBody::ProtectionTerminated { protection: protection(&self.protection)? },
            "decision_issued" => {
                let outcome = match req(&self.outcome, "outcome")? {
                    "removal_ordered" => DecisionOutcome::RemovalOrdered,
                    "removal_ordered_in_absentia" => DecisionOutcome::RemovalOrderedInAbsentia,
                    "voluntary_departure" => DecisionOutcome::VoluntaryDeparture {
                        period: self
                            .vd_period(true)?
                            .ok_or_else(|| field_err("voluntary_departure_deadline", "is required"))?,
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
                };
                let withheld = match outcome {
                    DecisionOutcome::ReliefGranted(k) => Some(k),
                    DecisionOutcome::RemovalOrdered if self.relief.is_some() => Some(relief(&self.relief)?),
                    _ => None,
                };
                let country_protection = match withheld {
                    Some(k @ (ReliefKind::Withholding | ReliefKind::Cat)) => {
                        Some(CountryProtection { relief: k, country: self.protected_country()? })
                    }
                    _ => None,
                };
                EventBody::DecisionIssued {
                    outcome,
                    time_zone: self
                        .time_zone
                        .as_deref()
                        .map(|z| TimeZone::parse(z).map_err(|e| field_err("time_zone", e)))
                        .transpose()?,
                    country_protection,
                }
            }
            "appeal_filed" => EventBody::AppealFiled {
                by: one_of(&self.appellant, "appellant", &APPELLANTS)?,
                late_filing_basis: self.late_filing_basis.clone().filter(|s| !s.trim().is_empty()),
            },
            "appeal_waived" => EventBody::AppealWaived,
            "appeal_decided" => EventBody::AppealDecided {
                outcome: one_of(&self.outcome, "outcome", &APPEAL_OUTCOMES)?,
                voluntary_departure: self.vd_period(false)?,
            },
            "petition_for_review_filed" => EventBody::PetitionForReviewFiled,
            // Unknown when absent (and always in version 1): a motion against an in absentia
            // order is then taken to stay removal (fail closed).
            "motion_to_reopen_filed" => EventBody::MotionToReopenFiled {
                basis: match self.basis {
                    None => None,
                    Some(_) => Some(named(&self.basis, "basis", &MotionBasis::ALL, MotionBasis::name)?),
                },
            },
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
            "removal_country_designated" => EventBody::RemovalCountryDesignated {
                country: Country::parse(req(&self.country, "country")?).map_err(|e| field_err("country", e))?,
            },
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
            "departure_verified" => EventBody::DepartureVerified {
                departed_on: date(&self.departed_on, "departed_on")?,
                evidence: self.evidence.as_ref().map(|e| e.to_evidence().map(Box::new)).transpose()?,
            },
            "departure_verification_withdrawn" => EventBody::DepartureVerificationWithdrawn {
                reason: Reason::parse(req(&self.reason, "reason")?).map_err(|e| field_err("reason", e))?,
            },
            "removal_carried_out" => EventBody::RemovalCarriedOut { country: opt_country(&self.country, "country")? },
            "counsel_appeared" => EventBody::CounselAppeared {
                counsel: token(&self.counsel_id, "counsel_id", CounselId::parse)?,
                form: named(&self.form, "form", &CounselForm::ALL, CounselForm::name)?,
            },
            "counsel_withdrew" => {
                EventBody::CounselWithdrew { counsel: token(&self.counsel_id, "counsel_id", CounselId::parse)? }
            }
            "conviction_recorded" => EventBody::ConvictionRecorded {
                conviction: token(&self.conviction_id, "conviction_id", ConvictionId::parse)?,
                offence_class: named(&self.offence_class, "offence_class", &OffenceClass::ALL, OffenceClass::name)?,
                statute: token(&self.statute, "statute", Statute::parse)?,
                convicted_on: date(&self.convicted_on, "convicted_on")?,
                final_conviction: self
                    .final_conviction
                    .ok_or_else(|| field_err("final_conviction", "is required (true or false)"))?,
            },
            "conviction_vacated" => EventBody::ConvictionVacated {
                conviction: token(&self.conviction_id, "conviction_id", ConvictionId::parse)?,
            },
            "national_security_determination" => EventBody::NationalSecurityDetermination {
                official: token(&self.official, "official", ActorId::parse)?,
            },
            "last_entry_recorded" => EventBody::LastEntryRecorded {
                entered_on: date(&self.entered_on, "entered_on")?,
                manner: named(&self.manner, "manner", &EntryManner::ALL, EntryManner::name)?,
                admitted_until: opt_date(&self.admitted_until, "admitted_until")?,
            },
            "mitigating_fact_recorded" => EventBody::MitigatingFactRecorded {
                fact: named(&self.mitigating_fact, "mitigating_fact", &MitigatingFact::ALL, MitigatingFact::name)?,
                source: token(&self.source_reference, "source_reference", SourceReference::parse)?,
            },
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
            EventBody::CaseOpened { person_id, a_number, time_zone } => {
                w.person_id = s(person_id);
                w.a_number = a_number.map(|a| a.to_string());
                w.time_zone = time_zone.as_ref().map(|z| z.name().to_owned());
            }
            EventBody::NoticeToAppearServed
            | EventBody::NoticeToAppearFiled
            | EventBody::Arrested
            | EventBody::AppealWaived
            | EventBody::AppealReserved
            | EventBody::PetitionForReviewFiled
            | EventBody::CitizenshipClaimRaised
            | EventBody::CustodyBegan
            | EventBody::CustodyTransferred => {}
            EventBody::MotionToReopenFiled { basis } => w.basis = basis.map(|b| b.name().to_owned()),
            EventBody::RemovalCarriedOut { country } => w.country = country.map(|c| c.to_string()),
            EventBody::RemovalCountryDesignated { country } => w.country = Some(country.to_string()),
            EventBody::CounselAppeared { counsel, form } => {
                w.counsel_id = s(counsel);
                w.form = Some(form.name().into());
            }
            EventBody::CounselWithdrew { counsel } => w.counsel_id = s(counsel),
            EventBody::ConvictionRecorded { conviction, offence_class, statute, convicted_on, final_conviction } => {
                w.conviction_id = s(conviction);
                w.offence_class = Some(offence_class.name().into());
                w.statute = s(statute);
                w.convicted_on = s(convicted_on);
                w.final_conviction = Some(*final_conviction);
            }
            EventBody::ConvictionVacated { conviction } => w.conviction_id = s(conviction),
            EventBody::NationalSecurityDetermination { official } => w.official = s(official),
            EventBody::LastEntryRecorded { entered_on, manner, admitted_until } => {
                w.entered_on = s(entered_on);
                w.manner = Some(manner.name().into());
                w.admitted_until = admitted_until.map(|d| d.to_string());
            }
            EventBody::MitigatingFactRecorded { fact, source } => {
                w.mitigating_fact = Some(fact.name().into());
                w.source_reference = s(source);
            }
            EventBody::HearingScheduled { kind, at } => {
                w.hearing_kind = Some(kind.name().into());
                w.at = s(at);
            }
            EventBody::HearingHeld { kind } => w.hearing_kind = Some(kind.name().into()),
            EventBody::HearingAdjourned { until } => w.until = until.map(|u| u.to_string()),
            EventBody::ReliefApplicationGranted { relief, country } => {
                w.relief = Some(relief.name().into());
                w.country = country.map(|c| c.to_string());
            }
            EventBody::ReliefApplicationFiled { relief }
            | EventBody::ReliefApplicationDenied { relief }
            | EventBody::ReliefApplicationWithdrawn { relief } => w.relief = Some(relief.name().into()),
            EventBody::ProtectionGranted { protection, from, until } => {
                w.protection = Some(protection.name().into());
                w.from = s(from);
                match until {
                    ProtectionEnd::At(u) => w.until = s(u),
                    ProtectionEnd::Indefinite => w.indefinite = Some(true),
                    ProtectionEnd::Unknown => {}
                }
            }
            EventBody::ProtectionExpired { protection } | EventBody::ProtectionTerminated { protection } => {
                w.protection = Some(protection.name().into());
            }
            EventBody::DecisionIssued { outcome, time_zone, country_protection } => {
                w.time_zone = time_zone.as_ref().map(|z| z.name().to_owned());
                if let Some(p) = country_protection {
                    w.relief = Some(p.relief.name().into());
                    w.country = p.country.map(|c| c.to_string());
                }
                w.outcome = Some(
                    match outcome {
                        DecisionOutcome::RemovalOrdered => "removal_ordered",
                        DecisionOutcome::RemovalOrderedInAbsentia => "removal_ordered_in_absentia",
                        DecisionOutcome::VoluntaryDeparture { period } => {
                            w.set_vd_period(*period);
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
            EventBody::AppealDecided { outcome, voluntary_departure } => {
                w.outcome = APPEAL_OUTCOMES.iter().find(|(_, o)| o == outcome).map(|(n, _)| (*n).into());
                if let Some(p) = voluntary_departure {
                    w.set_vd_period(*p);
                }
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
            EventBody::DepartureVerified { departed_on, evidence } => {
                w.departed_on = s(departed_on);
                w.evidence = evidence.as_deref().map(WireEvidence::from_evidence);
            }
            EventBody::DepartureVerificationWithdrawn { reason } => w.reason = Some(reason.as_str().to_owned()),
            EventBody::CaseClosed { reason } => w.reason = Some(reason.name().into()),
        }
        w
    }
}

impl WireEvent {
    fn set_vd_period(&mut self, p: VoluntaryDeparturePeriod) {
        match p {
            VoluntaryDeparturePeriod::Until(d) => self.voluntary_departure_deadline = Some(d.to_string()),
            VoluntaryDeparturePeriod::Days(n) => self.voluntary_departure_days = Some(n),
        }
    }
}

/// The type-specific fields an event type may carry.
fn allowed_fields(event_type: &str) -> &'static [&'static str] {
    match event_type {
        "case_opened" => &["person_id", "a_number", "time_zone"],
        "hearing_scheduled" => &["hearing_kind", "at"],
        "hearing_held" => &["hearing_kind"],
        "hearing_adjourned" => &["until"],
        "relief_application_filed" | "relief_application_denied" | "relief_application_withdrawn" => &["relief"],
        "relief_application_granted" => &["relief", "country"],
        "protection_granted" => &["protection", "from", "until", "indefinite"],
        "protection_expired" | "protection_terminated" => &["protection"],
        "decision_issued" => {
            &["outcome", "voluntary_departure_deadline", "voluntary_departure_days", "relief", "country", "time_zone"]
        }
        "appeal_filed" => &["appellant", "late_filing_basis"],
        "appeal_decided" => &["outcome", "voluntary_departure_deadline", "voluntary_departure_days"],
        "motion_to_reopen_filed" => &["basis"],
        "motion_to_reopen_decided" => &["granted"],
        "citizenship_claim_resolved" => &["finding"],
        "custody_reviewed" => &["outcome"],
        "custody_released" => &["release", "bond_amount_usd"],
        "travel_document_obtained" => &["document_type", "document_number", "issuing_country", "expiry"],
        "departure_verified" => &["departed_on", "evidence"],
        "departure_verification_withdrawn" => &["reason"],
        "removal_carried_out" | "removal_country_designated" => &["country"],
        "counsel_appeared" => &["counsel_id", "form"],
        "counsel_withdrew" => &["counsel_id"],
        "conviction_recorded" => &["conviction_id", "offence_class", "statute", "convicted_on", "final_conviction"],
        "conviction_vacated" => &["conviction_id"],
        "national_security_determination" => &["official"],
        "last_entry_recorded" => &["entered_on", "manner", "admitted_until"],
        "mitigating_fact_recorded" => &["mitigating_fact", "source_reference"],
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

/// Reads a stored event's payload back ([`WireEvent::to_stored_event`]).
pub fn parse_stored_event(payload: &str) -> Result<Event, FieldError> {
    match serde_json::from_str::<WireEvent>(payload) {
        Ok(w) => w.to_stored_event(),
        Err(e) => Err(explain_json_error(payload, &e)),
    }
}

/// Turns a serde error into a field error: which field, and why.
fn explain_json_error(line: &str, e: &serde_json::Error) -> FieldError {
    let msg = e.to_string();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        return field_err(&excerpt(name, 64), "is not a field of any event type");
    }
    // A type error does not say which field; find it by checking each value's type.
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(line) {
        for (k, v) in &map {
            let ok = match k.as_str() {
                "granted" | "indefinite" | "final_conviction" => v.is_boolean() || v.is_null(),
                "voluntary_departure_days" => v.as_u64().is_some_and(|n| n <= u64::from(u16::MAX)) || v.is_null(),
                "bond_amount_usd" => v.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)) || v.is_null(),
                "schema_version" => v.as_u64().is_some_and(|n| n <= u64::from(u16::MAX)) || v.is_null(),
                _ => v.is_string() || v.is_null(),
            };
            if !ok {
                return field_err(&excerpt(k, 64), format!("has the wrong type ({})", excerpt(&v.to_string(), 80)));
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

/// A name from its `given_names` and `family_names` fields, a refusal naming the field at fault
/// (`family_names` when both are empty). Persons rows and departure records read names alike.
pub(crate) fn person_name(given: &str, family: &str, order: NameOrder) -> Result<PersonName, FieldError> {
    PersonName::new(given, family, order).map_err(|e| {
        let field = if given.trim().is_empty() && family.trim().is_empty() {
            "family_names"
        } else if matches!(&e, docket_core::PersonError::Name { part: "given name", .. }) {
            "given_names"
        } else {
            "family_names"
        };
        field_err(field, e)
    })
}

impl PersonRow {
    /// Converts into a core person; `today` bounds dates of birth.
    pub fn to_person(&self, today: Date) -> Result<Person, FieldError> {
        let order = name_order(&self.name_order)?;
        let name = person_name(&self.given_names, &self.family_names, order)?;
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
