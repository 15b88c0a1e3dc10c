//! Deciding a batch of events against the stored streams, the same way on every backend:
//! duplicates by idempotency key, unknown persons and rule refusals are sorted out before
//! anything is written, and the new projections are computed from the folded states.

use std::collections::{HashMap, HashSet};

use docket_core::{CaseId, CaseState, CaseSummary, Event, EventBody, EventId, IdempotencyKey, PersonId, decide};

use crate::{Expected, ImportOutcome, StoreError};

/// What a backend must answer, inside its transaction, for a batch to be planned.
pub(crate) trait Loader {
    /// The stored events of each of `cases` that has any, in stream order.
    fn load_streams(&mut self, cases: &[&CaseId]) -> Result<HashMap<CaseId, Vec<Event>>, StoreError>;
    /// Which of `persons` are stored.
    fn persons_exist(&mut self, persons: &[&PersonId]) -> Result<HashSet<PersonId>, StoreError>;
    /// Which of `ids` are already stored (asked only when an insert collided).
    fn event_ids_exist(&mut self, ids: &[EventId]) -> Result<HashSet<EventId>, StoreError>;
}

struct Stream {
    state: CaseState,
    keys: HashMap<IdempotencyKey, EventId>,
}

/// A planned batch: what happens to each event, and what to write.
pub(crate) struct Plan {
    /// One outcome per input event, in input order.
    pub outcomes: Vec<ImportOutcome>,
    /// Indexes (into the input) of the events to insert, with their stream versions.
    pub inserts: Vec<(usize, u64)>,
    /// The new projection of every case that gained events.
    pub projections: Vec<CaseSummary>,
}

/// Plans `events`. With `check_ids`, event ids already stored are refused up front (the
/// slow path, taken after an insert collided on one).
pub(crate) fn plan(
    events: &[Event],
    loader: &mut dyn Loader,
    expected: Option<Expected>,
    check_ids: bool,
) -> Result<Plan, StoreError> {
    let mut seen_cases: HashSet<&CaseId> = HashSet::new();
    let cases: Vec<&CaseId> = events.iter().map(|e| &e.case_id).filter(|c| seen_cases.insert(c)).collect();
    let mut stored = loader.load_streams(&cases)?;
    let mut seen_persons: HashSet<&PersonId> = HashSet::new();
    let persons: Vec<&PersonId> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::CaseOpened { person_id, .. } => Some(person_id),
            _ => None,
        })
        .filter(|p| seen_persons.insert(p))
        .collect();
    let known_persons = if persons.is_empty() { HashSet::new() } else { loader.persons_exist(&persons)? };
    let taken_ids = if check_ids {
        loader.event_ids_exist(&events.iter().map(|e| e.id).collect::<Vec<_>>())?
    } else {
        HashSet::new()
    };

    let mut streams: HashMap<&CaseId, Stream> = HashMap::with_capacity(cases.len());
    for c in &cases {
        let past = stored.remove(*c).unwrap_or_default();
        let keys = past.iter().map(|e| (e.idempotency_key.clone(), e.id)).collect();
        streams.insert(c, Stream { state: CaseState::from_events(&past), keys });
    }
    // Recording times come from the sender's clock; allow it a day of skew, no more.
    let latest_recording = crate::now().plus_seconds(86_400);
    let mut batch_ids: HashSet<EventId> = HashSet::with_capacity(events.len());
    let mut outcomes = Vec::with_capacity(events.len());
    let mut inserts = Vec::with_capacity(events.len());
    let mut touched: HashSet<&CaseId> = HashSet::new();
    let mut checked_expected: HashSet<&CaseId> = HashSet::new();
    for (i, e) in events.iter().enumerate() {
        let Some(stream) = streams.get_mut(&e.case_id) else {
            outcomes.push(ImportOutcome::Rejected { field: "case_id".into(), reason: "case not loaded".into() });
            continue;
        };
        if let Some(id) = stream.keys.get(&e.idempotency_key) {
            outcomes.push(ImportOutcome::Duplicate { stored: *id });
            continue;
        }
        if let Some(exp) = expected {
            if checked_expected.insert(&e.case_id) {
                let found = stream.state.version;
                let ok = match exp {
                    Expected::Any => true,
                    Expected::NoStream => found == 0,
                    Expected::Version(v) => found == v,
                };
                if !ok {
                    return Err(StoreError::Conflict { case: e.case_id.to_string(), expected: exp, found });
                }
            }
        }
        if e.recorded_at > latest_recording {
            outcomes.push(ImportOutcome::Rejected {
                field: "recorded_at".into(),
                reason: format!("`{}` is in the future; events record what has already happened", e.recorded_at),
            });
            continue;
        }
        if taken_ids.contains(&e.id) || !batch_ids.insert(e.id) {
            outcomes.push(ImportOutcome::Rejected {
                field: "event_id".into(),
                reason: format!("event id `{}` is already used by another event", e.id),
            });
            continue;
        }
        if let EventBody::CaseOpened { person_id, .. } = &e.body {
            if !known_persons.contains(person_id) {
                batch_ids.remove(&e.id);
                outcomes.push(ImportOutcome::Rejected {
                    field: "person_id".into(),
                    reason: format!("no person `{person_id}` is stored; import the persons file first"),
                });
                continue;
            }
        }
        if let Err(refusal) = decide(&stream.state, e) {
            batch_ids.remove(&e.id);
            outcomes.push(ImportOutcome::Rejected { field: "type".into(), reason: refusal.to_string() });
            continue;
        }
        stream.state.apply(e);
        stream.keys.insert(e.idempotency_key.clone(), e.id);
        touched.insert(&e.case_id);
        inserts.push((i, stream.state.version));
        outcomes.push(ImportOutcome::Stored { version: stream.state.version });
    }
    let mut touched: Vec<&CaseId> = touched.into_iter().collect();
    touched.sort();
    let projections = touched.iter().filter_map(|c| streams.get(*c).and_then(|s| s.state.summary())).collect();
    Ok(Plan { outcomes, inserts, projections })
}
