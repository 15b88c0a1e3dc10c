//! The departure feed's use cases, for a shell that receives messages (the NATS consumer in the
//! command line, later the service): a batch of message bodies decided at once, each invalid
//! one answered with its reason, and the linkage index kept current while the feed runs.
//!
//! Nothing here knows the transport. A shell hands [`App::apply_departure_messages`] the bodies
//! of a batch, acks what it returns as decided, dead-letters what it returns as invalid, and
//! asks for the whole batch again on a retryable error; delivery may be at least once, since a
//! record is applied once by its source and id ([`App::ingest_departures`]).
//!
//! A [`LiveIndex`] holds the index in force behind an `Arc`, so that a batch decides against
//! one index from start to end while [`LiveIndex::refresh`] (on a thread of the shell's, every
//! [`LiveIndex::DEFAULT_REFRESH`] by default) builds the next one beside it: a person imported
//! after the feed started is matchable once the next build is in, and so within a refresh
//! period plus one build.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use docket_core::{Date, DepartureRecord};
use docket_link::settings::Settings;
use serde::Serialize;

use crate::App;
use crate::error::AppError;
use crate::matching::{DepartureDecision, DepartureIndex, FeedSettings};

/// Why a message can never be applied: the field at fault and why, with the record's id when
/// the message gave one. The shell keeps the message with this reason (a dead letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidMessage {
    /// `source/record_id` when the message named both, else whatever of them it named.
    pub record: Option<String>,
    /// The field at fault, or `(record)` for the message as a whole.
    pub field: String,
    /// Why.
    pub reason: String,
}

impl std::fmt::Display for InvalidMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.record {
            Some(record) => write!(f, "departure record `{record}`, field `{}`: {}", self.field, self.reason),
            None => write!(f, "departure message, field `{}`: {}", self.field, self.reason),
        }
    }
}

/// What became of one message of a batch.
pub type MessageOutcome = Result<DepartureDecision, InvalidMessage>;

/// The record's id as far as a message that does not parse gives it, for its dead letter.
fn record_named(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let text = |field: &str| value.get(field).and_then(serde_json::Value::as_str).map(str::to_owned);
    match (text("source"), text("record_id")) {
        (Some(source), Some(id)) => Some(format!("{source}/{id}")),
        (None, Some(id)) => Some(id),
        (Some(source), None) => Some(format!("{source}/?")),
        (None, None) => None,
    }
}

/// Whether an error of a use case is the database's (or the pool's), as opposed to the
/// record's: the database's are answered by trying the batch again, never by dropping a record.
fn is_the_databases(e: &AppError) -> bool {
    matches!(e, AppError::Store(_) | AppError::Pool(_) | AppError::Io { .. } | AppError::ImportInterrupted { .. })
}

impl App {
    /// Decides a batch of feed messages, each the body of one departure record as a JSON
    /// object (the format of a line of a JSON-lines departure file), against `index`: one
    /// outcome per message, in order. A body that does not parse or whose record the linkage
    /// cannot take is [`InvalidMessage`], and the rest of the batch is decided.
    ///
    /// An `Err` is the database's: nothing is lost by trying the whole batch again, as what
    /// was committed of it is recognized by its record ids (`already_stored`).
    pub fn apply_departure_messages(
        &self,
        index: &DepartureIndex,
        bodies: &[&[u8]],
        feed: &FeedSettings,
    ) -> Result<Vec<MessageOutcome>, AppError> {
        let today = self.now().local_date();
        let mut outcomes: Vec<Option<MessageOutcome>> = Vec::with_capacity(bodies.len());
        let mut parsed: Vec<(usize, DepartureRecord)> = Vec::with_capacity(bodies.len());
        for (i, body) in bodies.iter().enumerate() {
            match parse(body, today) {
                Ok(record) => {
                    parsed.push((i, record));
                    outcomes.push(None);
                }
                Err(invalid) => outcomes.push(Some(Err(invalid))),
            }
        }
        let records: Vec<DepartureRecord> = parsed.iter().map(|(_, r)| r.clone()).collect();
        match self.ingest_departures(index, &records, feed) {
            Ok(decisions) => {
                for ((i, _), decision) in parsed.iter().zip(decisions) {
                    outcomes[*i] = Some(Ok(decision));
                }
            }
            Err(e) if is_the_databases(&e) => return Err(e),
            // A record the linkage or the rules cannot take: each record alone, so that only
            // that one is answered invalid.
            Err(_) => {
                for (i, record) in &parsed {
                    outcomes[*i] = Some(match self.ingest_departures(index, std::slice::from_ref(record), feed) {
                        Ok(mut decisions) => match decisions.pop() {
                            Some(decision) => Ok(decision),
                            None => Err(InvalidMessage {
                                record: Some(crate::matching::record_key(record)),
                                field: "(record)".into(),
                                reason: "no decision was made".into(),
                            }),
                        },
                        Err(e) if is_the_databases(&e) => return Err(e),
                        Err(e) => Err(invalid_of(record, &e)),
                    });
                }
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| {
                    Err(InvalidMessage { record: None, field: "(record)".into(), reason: "not decided".into() })
                })
            })
            .collect())
    }
}

fn parse(body: &[u8], today: Date) -> Result<DepartureRecord, InvalidMessage> {
    let text = std::str::from_utf8(body).map_err(|e| InvalidMessage {
        record: None,
        field: "(record)".into(),
        reason: format!("not UTF-8 text: {e}"),
    })?;
    docket_store::wire::departure::parse_departure_line(text.trim(), today).map_err(|e| InvalidMessage {
        record: record_named(text),
        field: e.field.clone(),
        reason: e.reason.clone(),
    })
}

fn invalid_of(record: &DepartureRecord, e: &AppError) -> InvalidMessage {
    let (field, reason) = match e {
        AppError::Invalid { field, reason } => (field.clone(), reason.clone()),
        other => ("(record)".to_owned(), other.to_string()),
    };
    InvalidMessage { record: Some(crate::matching::record_key(record)), field, reason }
}

/// What a [`LiveIndex::refresh`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refreshed {
    /// Whether a new index was built and put in force.
    pub rebuilt: bool,
    /// Persons in the index in force after it.
    pub persons: usize,
    /// The model of the index in force after it.
    pub model: String,
    /// Seconds the build took (0 when nothing changed).
    pub seconds: f64,
}

/// What the index in force was built from: the ledger's size (every write to the docket is a
/// leaf, so an unchanged size means an unchanged docket) and the model in force.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BuiltFrom {
    ledger_size: u64,
    model: String,
}

/// The departure index in force, rebuilt beside the running feed when the docket changed.
pub struct LiveIndex {
    settings: Settings,
    current: RwLock<Arc<DepartureIndex>>,
    built_from: Mutex<BuiltFrom>,
}

impl std::fmt::Debug for LiveIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveIndex").field("current", &*self.current()).finish_non_exhaustive()
    }
}

impl LiveIndex {
    /// How often a shell should call [`LiveIndex::refresh`] by default: half a minute, so that
    /// a person imported is matchable within a minute where a build takes less than the rest.
    pub const DEFAULT_REFRESH: Duration = Duration::from_secs(30);

    /// Builds the index over the persons of open cases now, with the model in force.
    pub fn build(app: &App, settings: Settings) -> Result<LiveIndex, AppError> {
        let (index, built_from) = Self::build_index(app, &settings)?;
        Ok(LiveIndex { settings, current: RwLock::new(Arc::new(index)), built_from: Mutex::new(built_from) })
    }

    fn build_index(app: &App, settings: &Settings) -> Result<(DepartureIndex, BuiltFrom), AppError> {
        // The size is read before the build: what is written during it is seen by the next.
        let ledger_size = app.with_store(|s| s.ledger_size())?;
        let (version, model) = app.departure_model_in_force(settings)?;
        let built_from = BuiltFrom { ledger_size, model: version.to_string() };
        Ok((app.departure_index(settings, &model, version)?, built_from))
    }

    /// The index in force: a batch holds it from start to end, whatever a refresh does.
    pub fn current(&self) -> Arc<DepartureIndex> {
        Arc::clone(&self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Builds a new index and puts it in force when anything was recorded since the last
    /// build (the ledger grew) or another model was put in force; else does nothing. The old
    /// index answers meanwhile, and is dropped when its last batch is done.
    pub fn refresh(&self, app: &App) -> Result<Refreshed, AppError> {
        let ledger_size = app.with_store(|s| s.ledger_size())?;
        let unchanged = {
            let built = self.built_from.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            built.ledger_size == ledger_size
        };
        if unchanged {
            let current = self.current();
            return Ok(Refreshed {
                rebuilt: false,
                persons: current.persons(),
                model: current.model().to_string(),
                seconds: 0.0,
            });
        }
        let started = Instant::now();
        let (index, built_from) = Self::build_index(app, &self.settings)?;
        let refreshed = Refreshed {
            rebuilt: true,
            persons: index.persons(),
            model: index.model().to_string(),
            seconds: started.elapsed().as_secs_f64(),
        };
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(index);
        *self.built_from.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = built_from;
        Ok(refreshed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_that_does_not_parse_names_its_record_and_field() {
        let today = Date::parse("2026-11-01").expect("a date");
        let bad =
            parse(br#"{"record_id":"X1","source":"cbp","departure_date":"not a date"}"#, today).expect_err("refused");
        assert_eq!(bad.record.as_deref(), Some("cbp/X1"));
        assert!(bad.to_string().starts_with("departure record `cbp/X1`, field `"), "{bad}");
        let not_json = parse(b"{{{", today).expect_err("refused");
        assert_eq!((not_json.record, not_json.field.as_str()), (None, "(record)"));
        let not_text = parse(&[0xff, 0xfe], today).expect_err("refused");
        assert!(not_text.reason.contains("UTF-8"), "{}", not_text.reason);
    }
}
