//! The departure feed's decisions: departure records matched against the persons of open cases
//! and decided three ways, each with its evidence.
//!
//! A [`DepartureIndex`] is the one-record linkage index (`docket_link::index::LinkIndex`) over
//! the persons with an open case, under the person settings and a fitted model named by its
//! [`ModelVersion`]. [`App::ingest_departures`] decides each record:
//! - **clear**: the best candidate reaches `accept_from`, no other candidate reaches the review
//!   floor, and no block the record falls into was skipped or held back (a competitor could
//!   hide there). A `departure_verified` event with its evidence is recorded on each open case
//!   of that person;
//! - **review**: otherwise, when any candidate reaches the review floor: an item of the review
//!   queue, with the candidates side by side, for `App::decide_review`;
//! - **unmatched**: the rest, kept only for the retention window (`FeedSettings::retention_hours`).
//!
//! A record is applied once by its source and id: a second delivery changes nothing (its
//! events carry the idempotency key `departure:SOURCE:ID`, and the record row is keyed the same).

use docket_core::{
    ActorId, CaseId, ComparisonEvidence, DepartureEvidence, DepartureRecord, Event, EventBody, EventId, IdempotencyKey,
    MatchDecision, ModelVersion, PersonId, Probability, Reason, ReviewId, Source, Timestamp,
};
use docket_link::index::{LinkIndex, Triage};
use docket_link::model::Model;
use docket_link::settings::Settings;
use docket_link::table::Records;
use docket_store::departures::{NewDeparture, Outcome, Placed, ReviewDecision};
use docket_store::ledger::DepartureActRow;
use docket_store::{ImportOutcome, Rejection, Store};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::error::AppError;
use crate::{App, ReadContext};

/// How the feed decides and how long it keeps what it did not match.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedSettings {
    /// A match is clear from this probability (and with no competitor).
    pub accept_from: f64,
    /// Candidates from this probability go to review.
    pub review_floor: f64,
    /// At most this many candidates per review item.
    pub most_for_review: usize,
    /// Hours an unmatched record is kept (so a late docket record or a correction can still
    /// be reconciled), then deleted, leaving counts.
    pub retention_hours: u32,
    /// Who records the feed's decisions.
    pub actor: ActorId,
}

impl FeedSettings {
    /// The defaults: clear from 0.999, review from 0.1, five candidates, 72 hours, recorded by
    /// `feed.departures`.
    pub fn new() -> FeedSettings {
        FeedSettings {
            accept_from: 0.999,
            review_floor: 0.1,
            most_for_review: 5,
            retention_hours: 72,
            actor: ActorId::parse("feed.departures").unwrap_or_else(|_| unreachable!("a valid actor id")),
        }
    }
}

impl Default for FeedSettings {
    fn default() -> FeedSettings {
        FeedSettings::new()
    }
}

/// A departure model as fitted, before it is put in force.
#[derive(Debug, Clone)]
pub struct FittedDepartureModel {
    /// The model.
    pub model: Model,
    /// Its JSON, as `docket link --model-out` writes it (what the act of adoption holds).
    pub json: String,
    /// Its version.
    pub version: ModelVersion,
    /// The recall its fit expects of the feed.
    pub recall: RecallEstimate,
}

/// The linkage's recall as the fitted model expects it, with no truth to count against: of
/// the matches the fit expects among the persons of open cases and the sample's travellers
/// (the model's `expected_matches`, the sum of every candidate pair's match probability), the
/// share whose pairs score at or above the feed's thresholds, each pair counted by its own
/// match probability. A traveller whose record blocking never set beside their person is in
/// neither figure, so both are upper bounds (docs/departures.md, "Estimated recall").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecallEstimate {
    /// The matches the fit expects in its sample.
    pub expected_matches: f64,
    /// The share of them the feed records as clear matches (probability at least
    /// `accept_from`); none when the fit expects fewer than one match.
    pub clear: Option<f64>,
    /// The share reaching the review floor: recorded once reviewers accept them.
    pub with_review: Option<f64>,
    /// The feed's threshold for a clear match the figures are at.
    pub accept_from: f64,
    /// The feed's review floor the figures are at.
    pub review_floor: f64,
}

impl RecallEstimate {
    /// The estimate from the match probabilities of the scored pairs at or above the review
    /// floor, and the matches the fit expects in all.
    pub fn of(probabilities: impl Iterator<Item = f64>, expected_matches: f64, feed: &FeedSettings) -> RecallEstimate {
        let (mut clear, mut with_review) = (0.0, 0.0);
        for p in probabilities {
            if p >= feed.accept_from {
                clear += p;
            }
            if p >= feed.review_floor {
                with_review += p;
            }
        }
        // The fit settles its expected matches at one at least: below that it saw nothing to
        // estimate from, and a share of it would say nothing.
        let share = |found: f64| (expected_matches > 1.0).then(|| (found / expected_matches).clamp(0.0, 1.0));
        RecallEstimate {
            expected_matches,
            clear: share(clear),
            with_review: share(with_review),
            accept_from: feed.accept_from,
            review_floor: feed.review_floor,
        }
    }
}

/// The version of a fitted model: the settings' name and the SHA-256 prefix of the model file.
pub fn model_version(settings_name: &str, model_file: &[u8]) -> Result<ModelVersion, AppError> {
    let digest = sha2::Sha256::digest(model_file);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    ModelVersion::parse(&format!("{settings_name}:sha256:{hex}"))
        .map_err(|e| AppError::Invalid { field: "model".into(), reason: e.to_string() })
}

/// The linkage index over the persons of open cases, and the model it scores with.
pub struct DepartureIndex {
    index: LinkIndex,
    model: ModelVersion,
    built_at: Timestamp,
}

impl std::fmt::Debug for DepartureIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DepartureIndex")
            .field("persons", &self.persons())
            .field("model", &self.model)
            .field("built_at", &self.built_at)
            .finish()
    }
}

impl DepartureIndex {
    /// Persons indexed.
    pub fn persons(&self) -> usize {
        self.index.records().len()
    }

    /// The model in force.
    pub fn model(&self) -> &ModelVersion {
        &self.model
    }

    /// When it was built.
    pub fn built_at(&self) -> Timestamp {
        self.built_at
    }

    /// Bytes held by the blocking index (the records and weights besides).
    pub fn blocking_bytes(&self) -> usize {
        self.index.blocking_bytes()
    }

    /// The ids of the persons indexed (those with an open case when it was built).
    pub fn person_ids(&self) -> impl Iterator<Item = &str> {
        self.index.records().ids.iter().map(String::as_str)
    }

    /// The persons blocking proposes for `d`, before any scoring (the candidates
    /// [`App::ingest_departures`] then ranks), and how many of the record's blocks were skipped
    /// for their size and how many held back for the query's budget. For measuring candidate
    /// recall.
    pub fn proposed(&self, d: &DepartureRecord) -> Result<(Vec<&str>, usize, usize), AppError> {
        let values = values(d);
        let pairs: Vec<(&str, &str)> = values.iter().map(|(c, v)| (*c, v.as_str())).collect();
        let incoming = self
            .index
            .incoming(&record_key(d), &pairs)
            .map_err(|e| AppError::Invalid { field: "record".into(), reason: e.to_string() })?;
        let blocked = self.index.candidates(&incoming, 0);
        let ids = &self.index.records().ids;
        let persons = blocked.records.iter().map(|(r, _)| ids[*r as usize].as_str()).collect();
        Ok((persons, blocked.skipped.len(), blocked.held_back.len()))
    }
}

/// The columns of the tables the departure index and fit read: the record's id, then the
/// person settings' columns in [`values`]'s order.
const LINK_COLUMNS: [&str; 7] =
    ["record_id", "given_names", "family_names", "date_of_birth", "sex", "nationality", "document_number"];

/// The persons-settings columns of a departure record, as `docket link` reads them.
fn values(d: &DepartureRecord) -> Vec<(&'static str, String)> {
    let part = |given: bool| {
        let p = if given { d.name.given() } else { d.name.family() };
        p.map(|p| p.original().to_owned()).unwrap_or_default()
    };
    vec![
        ("given_names", part(true)),
        ("family_names", part(false)),
        ("date_of_birth", link_date(&d.date_of_birth.to_string())),
        ("sex", d.sex.code().to_owned()),
        ("nationality", d.nationality.map(|c| c.to_string()).unwrap_or_default()),
        ("document_number", d.document.as_ref().map(|t| t.number().to_owned()).unwrap_or_default()),
    ]
}

/// A date of birth as the linkage reads it: `YYYY-MM-DD`, unknown parts as `00`.
fn link_date(dob: &str) -> String {
    match dob.len() {
        4 => format!("{dob}-00-00"),
        7 => format!("{dob}-00"),
        _ => dob.to_owned(),
    }
}

/// An instant in UTC, as the departure tables store it (so that text order is time order).
fn utc(t: Timestamp) -> String {
    t.at_offset(0).to_string()
}

/// A departure record's key: `source/record_id`.
pub fn record_key(d: &DepartureRecord) -> String {
    format!("{}/{}", d.source, d.id)
}

/// One candidate of a decision, with its evidence (as a review item's act stores it, and
/// reads it back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateView {
    /// The docket person.
    pub person_id: String,
    /// Calibrated match probability.
    pub probability: f64,
    /// Match weight, in bits.
    pub weight: f64,
    /// Each comparison's level and weight.
    pub comparisons: Vec<ComparisonView>,
}

/// One comparison of a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonView {
    /// The comparison's name in the settings.
    pub comparison: String,
    /// The level reached.
    pub level: String,
    /// Its weight, in bits.
    pub weight: f64,
}

/// What the feed decided for one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartureDecision {
    /// `source/record_id`.
    pub record: String,
    /// `verified`, `review` or `unmatched`; `already_stored` for a record applied before.
    pub outcome: &'static str,
    /// For a clear match: the events recorded (or found already recorded), by case.
    pub cases: Vec<String>,
    /// For a review item: its id.
    pub review: Option<i64>,
    /// Why a record went to review (a competitor, a block skipped, a refusal).
    pub why: Option<String>,
    /// The candidates considered, best first.
    pub candidates: Vec<CandidateView>,
}

/// The probability that the candidate of match weight `best` is the record's person rather
/// than one of the `rivals` (their weights) or no one: with a traveller at most one docket
/// person, `2^best / (1 + 2^best + sum 2^rival)`. Without rivals it is the candidate's own
/// probability; a rival far below the best (a namesake at 0.2 against a match at 0.99999)
/// changes it little, one near it a great deal.
pub fn probability_among(best: f64, rivals: impl Iterator<Item = f64>) -> f64 {
    // Divided through by 2^best, so that large weights do not overflow.
    let rest: f64 = rivals.map(|w| (w - best).exp2()).sum::<f64>() + (-best).exp2();
    1.0 / (1.0 + rest)
}

/// The evidence comparisons of a candidate in the index.
fn explain(index: &LinkIndex, incoming: &Records, record: u32) -> Vec<ComparisonView> {
    index
        .explain(incoming, 0, record)
        .comparisons
        .into_iter()
        .map(|c| ComparisonView { comparison: c.name, level: c.level, weight: c.weight })
        .collect()
}

/// The core evidence of a candidate.
fn evidence(
    d: &DepartureRecord,
    c: &CandidateView,
    model: &ModelVersion,
    decision: MatchDecision,
) -> Result<DepartureEvidence, AppError> {
    let invalid = |e: docket_core::EvidenceError| AppError::Invalid { field: "evidence".into(), reason: e.to_string() };
    Ok(DepartureEvidence {
        record: d.id.clone(),
        source: d.source.clone(),
        probability: Probability::from_f64(c.probability.clamp(0.0, 1.0)).ok_or_else(|| AppError::Invalid {
            field: "probability".into(),
            reason: format!("{} is not a probability", c.probability),
        })?,
        comparisons: c
            .comparisons
            .iter()
            .map(|x| ComparisonEvidence::new(&x.comparison, &x.level, x.weight))
            .collect::<Result<_, _>>()
            .map_err(invalid)?,
        model: model.clone(),
        decision,
    })
}

/// A deterministic event id for the verification of `key` on `case`: a redelivered record
/// makes the same event, which the store then finds already recorded by its key.
fn event_id(key: &str, case: &CaseId) -> EventId {
    let digest = sha2::Sha256::digest(format!("docket departure event\n{key}\n{case}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let bits = u128::from_be_bytes(bytes);
    // UUID version 8 (custom), RFC 9562 variant.
    let bits = (bits & !(0xF << 76) | (0x8 << 76)) & !(0b11 << 62) | (0b10 << 62);
    EventId::from_u128(bits)
}

/// The `departure_verified` events of a match: one per open case of the person at `now`.
fn verification_events(
    store: &mut Store,
    person: &PersonId,
    d: &DepartureRecord,
    evidence: &DepartureEvidence,
    actor: &ActorId,
    source: Source,
    now: Timestamp,
) -> Result<Vec<Event>, AppError> {
    let key = format!("departure:{}:{}", d.source, d.id);
    let idempotency_key = IdempotencyKey::parse(&key)
        .map_err(|e| AppError::Invalid { field: "record_id".into(), reason: e.to_string() })?;
    let mut events = Vec::new();
    for case in store.cases_of_person(person)? {
        let Some(summary) = store.summary(&case)? else { continue };
        if !summary.open_at(now) && summary.departed_on.is_none() {
            continue;
        }
        events.push(Event {
            id: event_id(&key, &case),
            case_id: case.clone(),
            effective_at: now,
            recorded_at: now,
            recorded_by: actor.clone(),
            source,
            reference: None,
            idempotency_key: idempotency_key.clone(),
            body: EventBody::DepartureVerified {
                departed_on: d.departed_on,
                evidence: Some(Box::new(evidence.clone())),
            },
        });
    }
    Ok(events)
}

/// The cases on which an earlier delivery of the record `d` recorded its verification, among
/// the cases of `candidates`: found by the events' ids, which are derived from key and case.
fn earlier_verification(
    store: &mut Store,
    d: &DepartureRecord,
    candidates: &[CandidateView],
) -> Result<Vec<String>, AppError> {
    let idempotency_key = format!("departure:{}:{}", d.source, d.id);
    let mut cases = Vec::new();
    for c in candidates {
        let Ok(person) = PersonId::parse(&c.person_id) else { continue };
        for case in store.cases_of_person(&person)? {
            let expected = event_id(&idempotency_key, &case);
            if store.events(&case)?.iter().any(|e| e.id == expected) {
                cases.push(case.to_string());
            }
        }
    }
    Ok(cases)
}

/// What importing a match's events gave: the cases verified (stored now or before) and the
/// refusals, in words.
fn import_events(store: &mut Store, events: &[Event]) -> Result<(Vec<String>, Vec<String>), AppError> {
    let mut cases = Vec::new();
    let mut refused = Vec::new();
    for (e, outcome) in events.iter().zip(store.import(events)?) {
        match outcome {
            ImportOutcome::Stored { .. } | ImportOutcome::Duplicate { .. } => cases.push(e.case_id.to_string()),
            ImportOutcome::Rejected(Rejection::Refused(r)) => refused.push(format!("case `{}`: {r}", e.case_id)),
            ImportOutcome::Rejected(other) => refused.push(format!("case `{}`: {other:?}", e.case_id)),
        }
    }
    Ok((cases, refused))
}

impl App {
    /// Builds the departure index over the persons with an open case now (one read of the
    /// docket's projections and persons), under `settings` and `model`, named `version`.
    pub fn departure_index(
        &self,
        settings: &Settings,
        model: &Model,
        version: ModelVersion,
    ) -> Result<DepartureIndex, AppError> {
        let now = self.now();
        let csv = self.open_persons_csv(now)?;
        let records = Records::from_readers(settings, vec![("docket persons".to_owned(), csv.as_bytes())])
            .map_err(|e| AppError::Invalid { field: "persons".into(), reason: e.to_string() })?;
        let index = LinkIndex::build(settings, records, model)
            .map_err(|e| AppError::Invalid { field: "model".into(), reason: e.to_string() })?;
        Ok(DepartureIndex { index, model: version, built_at: now })
    }

    /// The persons with an open case at `now`, and those whose departure is verified, as a CSV
    /// table of the person settings' columns (their id as `record_id`).
    ///
    /// A person whose departure was verified stays in the index: as a competitor (a record like
    /// both a departed person and one on the docket is for a reviewer, not clear), and so that
    /// the feed's own verifications do not change the index: a record delivered again after a
    /// crash between its events and its record is decided as it was the first time.
    fn open_persons_csv(&self, now: Timestamp) -> Result<String, AppError> {
        let mut store = self.store()?;
        let mut open: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        let mut bad = None;
        store.scan_summaries(&mut |s| {
            match s {
                Ok(s) if s.open_at(now) || s.departed_on.is_some() => {
                    if let Some(p) = &s.person_id {
                        open.insert(p.to_string());
                    }
                }
                Ok(_) => {}
                Err(e) => bad = Some(e),
            }
            std::ops::ControlFlow::Continue(())
        })?;
        if let Some(e) = bad {
            return Err(e.into());
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(LINK_COLUMNS)
            .map_err(|e| AppError::Invalid { field: "persons".into(), reason: e.to_string() })?;
        for id in &open {
            let Some(p) = store.person(
                &PersonId::parse(id)
                    .map_err(|e| AppError::Invalid { field: "person_id".into(), reason: e.to_string() })?,
            )?
            else {
                continue;
            };
            let row = docket_store::wire::PersonRow::from_person(&p);
            w.write_record([
                row.person_id.as_str(),
                row.given_names.as_str(),
                row.family_names.as_str(),
                link_date(&row.date_of_birth).as_str(),
                row.sex.as_str(),
                row.nationality.as_str(),
                row.passport_number.as_str(),
            ])
            .map_err(|e| AppError::Invalid { field: "persons".into(), reason: e.to_string() })?;
        }
        let bytes = w.into_inner().map_err(|e| AppError::Invalid { field: "persons".into(), reason: e.to_string() })?;
        String::from_utf8(bytes).map_err(|e| AppError::Invalid { field: "persons".into(), reason: e.to_string() })
    }

    /// Fits the linkage model for departures: the person settings' comparisons estimated on
    /// the persons of open cases against `departures` (a day's records, say), as `docket link`
    /// fits a batch. Returns the model, its JSON (as `docket link --model-out` writes it), its
    /// version and the recall the fit expects of the feed at `feed`'s thresholds.
    pub fn fit_departure_model(
        &self,
        settings: &Settings,
        settings_name: &str,
        departures: &[DepartureRecord],
        feed: &FeedSettings,
    ) -> Result<FittedDepartureModel, AppError> {
        let persons = self.open_persons_csv(self.now())?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let invalid = |e: String| AppError::Invalid { field: "departures".into(), reason: e };
        w.write_record(LINK_COLUMNS).map_err(|e| invalid(e.to_string()))?;
        for d in departures {
            let v = values(d);
            let key = record_key(d);
            w.write_record(std::iter::once(key.as_str()).chain(v.iter().map(|(_, x)| x.as_str())))
                .map_err(|e| invalid(e.to_string()))?;
        }
        let travellers = w.into_inner().map_err(|e| invalid(e.to_string()))?;
        let records = Records::from_readers(
            settings,
            vec![("docket persons".to_owned(), persons.as_bytes()), ("departures".to_owned(), travellers.as_slice())],
        )
        .map_err(|e| invalid(e.to_string()))?;
        // The review floor only decides which scored pairs the result lists (those the recall
        // estimate sums over); the fit and the scores do not depend on it.
        let floor = docket_link::link::ReviewFloor::new(feed.review_floor)
            .map_err(|e| AppError::Invalid { field: "review_floor".into(), reason: e.to_string() })?;
        let options = docket_link::link::JobOptions { review_floor: floor };
        let result = docket_link::link::run_with(settings, &records, None, None, &options, &mut |_, _, _| {});
        let recall = RecallEstimate::of(
            result.accepted.iter().chain(&result.review).map(docket_link::link::ScoredPair::probability),
            result.model.expected_matches,
            feed,
        );
        let json = serde_json::to_string_pretty(&result.model).map_err(|e| invalid(e.to_string()))? + "\n";
        let version = model_version(settings_name, json.as_bytes())?;
        Ok(FittedDepartureModel { model: result.model, json, version, recall })
    }

    /// Puts a fitted model in force for the departure feed: an act of record (`model_adopted`,
    /// a ledger leaf) holding the model's JSON and the recall its fit expects, by `actor`. The
    /// latest adopted is in force.
    pub fn adopt_departure_model(&self, actor: &ActorId, fitted: &FittedDepartureModel) -> Result<i64, AppError> {
        let act = DepartureActRow {
            kind: "model_adopted".into(),
            at: utc(self.now()),
            actor: actor.to_string(),
            subject: fitted.version.to_string(),
            detail: serde_json::json!({ "model": fitted.json, "estimated_recall": fitted.recall }).to_string(),
        };
        Ok(self.store()?.record_departure_act(&act)?)
    }

    /// The version of the departure model in force and the recall recorded with it (none for
    /// a model adopted before estimates were recorded); `None` when no model was adopted.
    pub fn departure_model_recall(&self) -> Result<Option<(String, Option<RecallEstimate>)>, AppError> {
        let acts = self.store()?.departure_acts("model_adopted", None)?;
        let Some((id, act)) = acts.last() else { return Ok(None) };
        let detail: serde_json::Value = serde_json::from_str(&act.detail)
            .map_err(|e| AppError::Invalid { field: format!("departure act {id}"), reason: e.to_string() })?;
        let recall = match detail.get("estimated_recall") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                serde_json::from_value(v.clone())
                    .map_err(|e| AppError::Invalid { field: format!("departure act {id}"), reason: e.to_string() })?,
            ),
        };
        Ok(Some((act.subject.clone(), recall)))
    }

    /// The departure model in force (the latest adopted), checked against `settings`.
    pub fn departure_model_in_force(&self, settings: &Settings) -> Result<(ModelVersion, Model), AppError> {
        let acts = self.store()?.departure_acts("model_adopted", None)?;
        let (id, act) = acts.last().ok_or_else(|| AppError::NotFound {
            what: "departure model in force",
            id: "(none adopted: fit one first)".into(),
        })?;
        let detail: serde_json::Value = serde_json::from_str(&act.detail)
            .map_err(|e| AppError::Invalid { field: format!("departure act {id}"), reason: e.to_string() })?;
        let text = detail["model"].as_str().unwrap_or_default();
        let model = Model::from_json(text, &format!("model `{}`", act.subject), settings)
            .map_err(|e| AppError::Invalid { field: "model".into(), reason: e.to_string() })?;
        let version = ModelVersion::parse(&act.subject)
            .map_err(|e| AppError::Invalid { field: "model".into(), reason: e.to_string() })?;
        Ok((version, model))
    }

    /// Decides each departure record three ways and records the decisions: a clear match's
    /// `departure_verified` events (with their evidence) on each open case of the person, then
    /// the records with their outcomes, the review items' acts and the counts. A record applied
    /// before is `already_stored` and changes nothing.
    pub fn ingest_departures(
        &self,
        index: &DepartureIndex,
        records: &[DepartureRecord],
        feed: &FeedSettings,
    ) -> Result<Vec<DepartureDecision>, AppError> {
        let now = self.now();
        let triage = Triage::new(
            feed.accept_from,
            docket_link::link::ReviewFloor::new(feed.review_floor)
                .map_err(|e| AppError::Invalid { field: "review_floor".into(), reason: e.to_string() })?,
            feed.most_for_review,
        )
        .map_err(|e| AppError::Invalid { field: "accept_from".into(), reason: e.to_string() })?;
        let purge_after = utc(now.plus_seconds(i64::from(feed.retention_hours) * 3600));
        let mut store = self.store()?;
        let mut decisions = Vec::with_capacity(records.len());
        let mut rows = Vec::with_capacity(records.len());
        for d in records {
            let key = record_key(d);
            if store.departure(&key)?.is_some() {
                decisions.push(DepartureDecision {
                    record: key,
                    outcome: "already_stored",
                    cases: Vec::new(),
                    review: None,
                    why: None,
                    candidates: Vec::new(),
                });
                continue;
            }
            let values = values(d);
            let pairs: Vec<(&str, &str)> = values.iter().map(|(c, v)| (*c, v.as_str())).collect();
            let incoming = index
                .index
                .incoming(&key, &pairs)
                .map_err(|e| AppError::Invalid { field: "record".into(), reason: e.to_string() })?;
            let t = index.index.triage(&incoming, 0, &triage);
            let view = |c: &docket_link::index::Candidate<'_>| CandidateView {
                person_id: c.id.to_owned(),
                probability: c.probability,
                weight: c.weight,
                comparisons: explain(&index.index, &incoming, c.record),
            };
            let candidates: Vec<CandidateView> = t.accepted.iter().chain(&t.review).map(view).collect();
            // Only a block skipped for its size keeps a clear match from being clear: a tokens
            // block held back for the query's budget is held back because the other rules
            // already found that many candidates (docs/departures.md, "Decisions").
            let blocks_open = t.skipped.is_empty();
            // The best against the runners-up at or above the floor (all of them: with more
            // than a review item holds, it is not clear).
            let clear_among = t.accepted.as_ref().map(|a| {
                !t.more_for_review && probability_among(a.weight, t.review.iter().map(|c| c.weight)) >= feed.accept_from
            });
            let mut why = None;
            let mut outcome = match (clear_among, t.review.is_empty(), blocks_open) {
                (Some(true), _, true) => Outcome::Verified,
                (Some(false), _, _) => {
                    why = Some("a competitor reaches the review floor".to_owned());
                    Outcome::Review
                }
                (Some(true), _, false) => {
                    why = Some("a block of the record was skipped for its size".to_owned());
                    Outcome::Review
                }
                (None, false, _) => {
                    why = Some("no candidate reaches the acceptance threshold".to_owned());
                    Outcome::Review
                }
                (None, true, _) => Outcome::Unmatched,
            };
            let mut cases = Vec::new();
            // Its events may be stored from an earlier delivery that ended before its record was
            // (a crash between the two): then it was clear, and it stays so, with those events
            // (made again now, they would differ in their instants and be refused).
            let earlier = earlier_verification(&mut store, d, &candidates)?;
            if !earlier.is_empty() {
                (outcome, why, cases) = (Outcome::Verified, None, earlier);
            }
            if outcome == Outcome::Verified && cases.is_empty() {
                let best = &candidates[0];
                let person = PersonId::parse(&best.person_id)
                    .map_err(|e| AppError::Invalid { field: "person_id".into(), reason: e.to_string() })?;
                let ev = evidence(d, best, &index.model, MatchDecision::Clear)?;
                let events = verification_events(&mut store, &person, d, &ev, &feed.actor, Source::Feed, now)?;
                let (verified, refused) = import_events(&mut store, &events)?;
                if verified.is_empty() {
                    outcome = Outcome::Review;
                    why = Some(if refused.is_empty() {
                        "the person has no open case".to_owned()
                    } else {
                        format!("the verification was refused: {}", refused.join("; "))
                    });
                }
                cases = verified;
            }
            let review = (outcome == Outcome::Review).then(|| DepartureActRow {
                kind: "review_opened".into(),
                at: utc(now),
                actor: feed.actor.to_string(),
                subject: key.clone(),
                detail: serde_json::json!({
                    "model": index.model.as_str(),
                    "why": why,
                    "candidates": candidates,
                    "more_candidates": t.more_for_review,
                })
                .to_string(),
            });
            rows.push(NewDeparture {
                key: key.clone(),
                received_at: utc(now),
                departed_on: d.departed_on.to_string(),
                port: d.port.to_string(),
                payload: docket_store::wire::departure::departure_json(d).to_string(),
                outcome,
                purge_after: (outcome == Outcome::Unmatched).then(|| purge_after.clone()),
                review,
            });
            decisions.push(DepartureDecision {
                record: key,
                outcome: outcome.name(),
                cases,
                review: None,
                why,
                candidates,
            });
        }
        let placed = store.store_departures(&rows)?;
        let mut placed = placed.into_iter();
        for d in decisions.iter_mut().filter(|d| d.outcome != "already_stored") {
            match placed.next() {
                Some(Placed::Stored { review }) => d.review = review,
                // Stored by another consumer between the check and the write: nothing changed.
                Some(Placed::AlreadyStored) => d.outcome = "already_stored",
                None => {}
            }
        }
        Ok(decisions)
    }

    /// The review queue, oldest first: a recorded read of every item shown.
    pub fn review_queue(&self, ctx: &ReadContext) -> Result<Vec<ReviewView>, AppError> {
        let mut store = self.store()?;
        store.record_access(&ctx.actor, ctx.purpose, docket_store::AccessedRecord::Review("queue"), self.now())?;
        store.review_items(true)?.into_iter().map(ReviewView::of).collect()
    }

    /// One review item, decided or not: a recorded read.
    pub fn review_item(&self, ctx: &ReadContext, id: i64) -> Result<ReviewView, AppError> {
        let mut store = self.store()?;
        let subject = docket_store::departures::review_subject(id);
        store.record_access(&ctx.actor, ctx.purpose, docket_store::AccessedRecord::Review(&subject), self.now())?;
        let item = store
            .review_items(false)?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| AppError::NotFound { what: "review item", id: subject.clone() })?;
        ReviewView::of(item)
    }

    /// A reviewer's decision on an open item, an act of record with their name and reason.
    /// Accepting records `departure_verified` (evidence `reviewed`) on each open case of the
    /// chosen candidate (`person`, else the best); rejecting leaves the record unmatched, kept
    /// for the retention window.
    pub fn decide_review(
        &self,
        reviewer: &ActorId,
        id: i64,
        accept: Option<Option<PersonId>>,
        reason: &Reason,
        feed: &FeedSettings,
    ) -> Result<ReviewDecided, AppError> {
        let now = self.now();
        let mut store = self.store()?;
        let subject = docket_store::departures::review_subject(id);
        let item = store
            .review_items(true)?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| AppError::NotFound { what: "open review item", id: subject.clone() })?;
        let view = ReviewView::of(item)?;
        let mut cases = Vec::new();
        let (kind, outcome, purge_after, person) = match accept {
            Some(person) => {
                let chosen = match &person {
                    Some(p) => view.candidates.iter().find(|c| c.person_id == p.as_str()),
                    None => view.candidates.first(),
                }
                .ok_or_else(|| AppError::Invalid {
                    field: "person".into(),
                    reason: "not a candidate of this review item".into(),
                })?
                .clone();
                let record = view.record.as_ref().ok_or_else(|| AppError::Invalid {
                    field: "review".into(),
                    reason: "the record is no longer held".into(),
                })?;
                let d = docket_store::wire::departure::parse_departure_line(&record.to_string(), now.local_date())
                    .map_err(|e| AppError::Invalid { field: e.field.clone(), reason: e.reason.clone() })?;
                let model = ModelVersion::parse(&view.model)
                    .map_err(|e| AppError::Invalid { field: "model".into(), reason: e.to_string() })?;
                let review = ReviewId::parse(&subject)
                    .map_err(|e| AppError::Invalid { field: "review".into(), reason: e.to_string() })?;
                let ev = evidence(&d, &chosen, &model, MatchDecision::Reviewed { review, reason: reason.clone() })?;
                let person_id = PersonId::parse(&chosen.person_id)
                    .map_err(|e| AppError::Invalid { field: "person_id".into(), reason: e.to_string() })?;
                let events = verification_events(&mut store, &person_id, &d, &ev, reviewer, Source::Officer, now)?;
                let (verified, refused) = import_events(&mut store, &events)?;
                if verified.is_empty() {
                    return Err(AppError::Invalid {
                        field: "person".into(),
                        reason: if refused.is_empty() {
                            "the person has no open case to record the departure on".into()
                        } else {
                            format!("the verification was refused: {}", refused.join("; "))
                        },
                    });
                }
                cases = verified;
                ("review_accepted", Outcome::Verified, None, Some(chosen.person_id))
            }
            None => (
                "review_rejected",
                Outcome::Unmatched,
                Some(utc(now.plus_seconds(i64::from(feed.retention_hours) * 3600))),
                None,
            ),
        };
        let act = DepartureActRow {
            kind: kind.into(),
            at: utc(now),
            actor: reviewer.to_string(),
            subject: subject.clone(),
            detail: serde_json::json!({ "reason": reason.as_str(), "person_id": person, "cases": cases }).to_string(),
        };
        let decided = store.decide_review(&ReviewDecision { review: id, act, outcome, purge_after })?;
        let act = decided.ok_or_else(|| AppError::NotFound { what: "open review item", id: subject })?;
        Ok(ReviewDecided { review: id, act, outcome: outcome.name(), cases })
    }

    /// Deletes the departure records past their retention window, recording how many, the
    /// window and a hash of what went.
    pub fn purge_departures(&self, feed: &FeedSettings) -> Result<docket_store::departures::Purged, AppError> {
        let now = self.now();
        let act = DepartureActRow {
            kind: "purged".into(),
            at: utc(now),
            actor: feed.actor.to_string(),
            subject: "departure_records".into(),
            detail: serde_json::json!({ "window_hours": feed.retention_hours }).to_string(),
        };
        Ok(self.store()?.purge_departures(&utc(now), &act)?)
    }

    /// Withdraws the verified departure standing on `case`, found wrong: a
    /// `departure_verification_withdrawn` event with `reason`, recorded by `actor` and decided
    /// by the case's rules like any officer's event (without a standing verification it is
    /// [`AppError::Refused`], naming the rule). Nothing is deleted: the case then stands as if
    /// the verification had not been recorded.
    pub fn withdraw_departure_verification(
        &self,
        actor: &ActorId,
        case: &str,
        reason: &Reason,
    ) -> Result<crate::Recorded, AppError> {
        let case_id =
            CaseId::parse(case).map_err(|e| AppError::Invalid { field: "case".into(), reason: e.to_string() })?;
        if self.store()?.summary(&case_id)?.is_none() {
            return Err(AppError::NotFound { what: "case", id: case.to_owned() });
        }
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| AppError::Invalid {
            field: "event id".into(),
            reason: format!("cannot get randomness: {e}"),
        })?;
        // UUID version 4, RFC 9562 variant.
        let bits = u128::from_be_bytes(bytes);
        let id = EventId::from_u128((bits & !(0xF << 76) | (0x4 << 76)) & !(0b11 << 62) | (0b10 << 62));
        let idempotency_key = IdempotencyKey::parse(&format!("departure-withdrawal:{id}"))
            .map_err(|e| AppError::Invalid { field: "idempotency key".into(), reason: e.to_string() })?;
        let now = self.now();
        self.record_event(
            Event {
                id,
                case_id,
                effective_at: now,
                recorded_at: now,
                recorded_by: actor.clone(),
                source: Source::Officer,
                reference: None,
                idempotency_key,
                body: EventBody::DepartureVerificationWithdrawn { reason: reason.clone() },
            },
            docket_store::Expected::Any,
        )
    }
}

/// A review item as shown to a reviewer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewView {
    /// The item's id.
    pub id: i64,
    /// When it was opened.
    pub opened_at: String,
    /// `source/record_id`.
    pub record_key: String,
    /// The record (JSON), while it is held.
    pub record: Option<serde_json::Value>,
    /// Why it was sent to review.
    pub why: Option<String>,
    /// The model it was scored under.
    pub model: String,
    /// The candidates, best first.
    pub candidates: Vec<CandidateView>,
    /// `open`, `accepted` or `rejected`.
    pub state: &'static str,
    /// The decision's reviewer, time and reason, once decided.
    pub decided: Option<(String, String, String)>,
}

impl ReviewView {
    fn of(item: docket_store::departures::ReviewItem) -> Result<ReviewView, AppError> {
        let corrupt = |why: String| AppError::Invalid { field: format!("review item {}", item.id), reason: why };
        let detail: serde_json::Value =
            serde_json::from_str(&item.opened.detail).map_err(|e| corrupt(e.to_string()))?;
        let candidates: Vec<CandidateView> =
            serde_json::from_value(detail["candidates"].clone()).map_err(|e| corrupt(e.to_string()))?;
        let record = item
            .record
            .as_ref()
            .map(|r| serde_json::from_str(&r.payload))
            .transpose()
            .map_err(|e| corrupt(e.to_string()))?;
        let decided = item.decided.as_ref().map(|(_, act)| {
            let reason = serde_json::from_str::<serde_json::Value>(&act.detail)
                .ok()
                .and_then(|d| d["reason"].as_str().map(str::to_owned))
                .unwrap_or_default();
            (act.actor.clone(), act.at.clone(), reason)
        });
        Ok(ReviewView {
            id: item.id,
            opened_at: item.opened.at.clone(),
            record_key: item.opened.subject.clone(),
            record,
            why: detail["why"].as_str().map(str::to_owned),
            model: detail["model"].as_str().unwrap_or_default().to_owned(),
            candidates,
            state: match item.decided.as_ref().map(|(_, a)| a.kind.as_str()) {
                None => "open",
                Some("review_accepted") => "accepted",
                Some(_) => "rejected",
            },
            decided,
        })
    }
}

/// A decision on a review item, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewDecided {
    /// The item.
    pub review: i64,
    /// The decision's act.
    pub act: i64,
    /// `verified` or `unmatched`.
    pub outcome: &'static str,
    /// The cases the departure was recorded on (on acceptance).
    pub cases: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::probability_among;

    #[test]
    fn a_rival_far_below_the_best_leaves_a_clear_match_clear_and_one_near_it_does_not() {
        let p = |w: f64| w.exp2() / (1.0 + w.exp2());
        // Alone, the candidate's own probability.
        assert!((probability_among(20.0, std::iter::empty()) - p(20.0)).abs() < 1e-12);
        // A namesake at 0.2 (weight -2) beside a match at weight 30: still above 0.999.
        assert!(probability_among(30.0, [-2.0].into_iter()) >= 0.999);
        // A twin at 0.9 (weight 3.17) beside a match at 0.9998 (weight 12): below 0.999.
        assert!(p(12.0) >= 0.999 && probability_among(12.0, [3.17].into_iter()) < 0.999);
        // Two equal candidates: at most a half each.
        assert!(probability_among(40.0, [40.0].into_iter()) <= 0.5);
        // Large weights do not overflow.
        assert!((probability_among(2000.0, [1990.0].into_iter()) - 1.0 / (1.0 + (-10.0f64).exp2())).abs() < 1e-12);
    }
}
