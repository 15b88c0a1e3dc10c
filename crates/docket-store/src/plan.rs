//! Deciding a batch of events against the stored streams, the same way on every backend:
//! duplicates by idempotency key, unknown persons and rule refusals are sorted out before
//! anything is written, and the new projections are computed from the folded states.
//!
//! The rules that concern the person rather than the case see the person's recorded identity
//! and the claims to US citizenship in all of the person's cases, stored or in the batch.

use std::collections::{HashMap, HashSet};

use docket_core::state::CitizenshipClaim;
use docket_core::{
    ANumber, CaseId, CaseState, CaseSummary, DateOfBirth, Event, EventBody, EventId, IdempotencyKey, PersonFacts,
    PersonId, decide,
};

use crate::{Expected, ImportOutcome, Rejection, StoreError};

/// A stored person's identity, as the rules read it.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoredIdentity {
    pub date_of_birth: Option<DateOfBirth>,
    pub a_number: Option<ANumber>,
}

/// What a backend must answer, inside its transaction, for a batch to be planned.
pub(crate) trait Loader {
    /// The stored events of each of `cases` that has any, in stream order.
    fn load_streams(&mut self, cases: &[&CaseId]) -> Result<HashMap<CaseId, Vec<Event>>, StoreError>;
    /// The stored identity of each of `persons` (sorted) that is stored. With `lock`, writers
    /// of the same person are serialized from here to the end of the transaction (PostgreSQL
    /// locks the rows, in person order), so that a citizenship claim and an enforcement action
    /// on two of their cases cannot pass each other.
    fn persons(&mut self, persons: &[&PersonId], lock: bool) -> Result<HashMap<PersonId, StoredIdentity>, StoreError>;
    /// The stored projections of the cases of `persons` whose citizenship claim is pending or
    /// was found for the person.
    fn citizenship_claims(&mut self, persons: &[&PersonId]) -> Result<Vec<CaseSummary>, StoreError>;
    /// Which of `ids` are already stored (asked only when an insert collided).
    fn event_ids_exist(&mut self, ids: &[EventId]) -> Result<HashSet<EventId>, StoreError>;
}

/// Whether the rules check `body` against the person's recorded identity.
fn needs_identity(body: &EventBody) -> bool {
    matches!(
        body,
        EventBody::CaseOpened { .. }
            | EventBody::DepartureVerified { .. }
            | EventBody::ConvictionRecorded { .. }
            | EventBody::LastEntryRecorded { .. }
    )
}

/// Whether the rules check `body` against the person's citizenship claims in all their cases
/// (or it is such a claim, whose writer must take turns with the others).
fn needs_claims(body: &EventBody) -> bool {
    body.is_enforcement_action()
        || matches!(body, EventBody::CitizenshipClaimRaised | EventBody::CitizenshipClaimResolved { .. })
}

/// Claims to citizenship by person and case.
type Claims = HashMap<PersonId, HashMap<CaseId, CitizenshipClaim>>;

fn person_facts(
    person: &PersonId,
    case: &CaseId,
    identities: &HashMap<PersonId, StoredIdentity>,
    claims: &Claims,
) -> PersonFacts {
    let identity = identities.get(person).cloned().unwrap_or_default();
    let mut claims_elsewhere: Vec<(CaseId, CitizenshipClaim)> = claims
        .get(person)
        .map(|cases| cases.iter().filter(|(c, _)| *c != case).map(|(c, claim)| (c.clone(), *claim)).collect())
        .unwrap_or_default();
    claims_elsewhere.sort_by(|a, b| a.0.cmp(&b.0));
    PersonFacts { date_of_birth: identity.date_of_birth, a_number: identity.a_number, claims_elsewhere }
}

/// Which event holds an idempotency key: a stored one or one earlier in the batch.
#[derive(Clone, Copy)]
enum KeyHolder {
    Stored(usize),
    Batch(usize),
}

struct Stream {
    state: CaseState,
    past: Vec<Event>,
    keys: HashMap<IdempotencyKey, KeyHolder>,
}

/// How `new` differs from `held`, the event that already holds its idempotency key: the first
/// field that differs, or `None` when it is the same event sent again. The event id and the
/// recording time are not compared: a sender retrying after a timeout may mint both anew.
fn differs(held: &Event, new: &Event) -> Option<&'static str> {
    if held.body.type_name() != new.body.type_name() {
        Some("type")
    } else if held.body != new.body {
        Some("the event's fields")
    } else if held.effective_at != new.effective_at {
        Some("effective_at")
    } else if held.recorded_by != new.recorded_by {
        Some("recorded_by")
    } else if held.source != new.source {
        Some("source")
    } else if held.reference != new.reference {
        Some("reference")
    } else {
        None
    }
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
    // The persons whose facts the rules will ask for: their identity, for the events checked
    // against it (and the existence of the person a case opens for); their citizenship claims
    // across cases, for enforcement actions and for the claims themselves (whose writers must
    // take turns). Most events need neither, so most persons are never looked up.
    let person_of_stored: HashMap<&CaseId, PersonId> = stored
        .iter()
        .filter_map(|(c, events)| CaseState::from_events(events.iter().take(1)).person_id.map(|p| (c, p)))
        .collect();
    let person_of_new: HashMap<&CaseId, &PersonId> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::CaseOpened { person_id, .. } => Some((&e.case_id, person_id)),
            _ => None,
        })
        .collect();
    let mut identity_of: HashSet<&PersonId> = HashSet::new();
    let mut claims_of: HashSet<&PersonId> = HashSet::new();
    for e in events {
        let person = match &e.body {
            EventBody::CaseOpened { person_id, .. } => Some(person_id),
            _ => person_of_stored.get(&e.case_id).or_else(|| person_of_new.get(&e.case_id).copied()),
        };
        let Some(p) = person else { continue };
        if needs_identity(&e.body) {
            identity_of.insert(p);
        }
        if needs_claims(&e.body) {
            claims_of.insert(p);
        }
    }
    let mut claimants: Vec<&PersonId> = claims_of.iter().copied().collect();
    claimants.sort();
    let mut others: Vec<&PersonId> = identity_of.difference(&claims_of).copied().collect();
    others.sort();
    let mut identities = if claimants.is_empty() { HashMap::new() } else { loader.persons(&claimants, true)? };
    if !others.is_empty() {
        identities.extend(loader.persons(&others, false)?);
    }
    let mut claims: Claims = HashMap::new();
    if !claimants.is_empty() {
        for s in loader.citizenship_claims(&claimants)? {
            if let (Some(p), Some(claim)) = (s.person_id.clone(), s.citizenship_claim) {
                claims.entry(p).or_default().insert(s.case_id.clone(), claim);
            }
        }
    }
    let taken_ids = if check_ids {
        loader.event_ids_exist(&events.iter().map(|e| e.id).collect::<Vec<_>>())?
    } else {
        HashSet::new()
    };

    let mut streams: HashMap<&CaseId, Stream> = HashMap::with_capacity(cases.len());
    for c in &cases {
        let past = stored.remove(*c).unwrap_or_default();
        let keys = past.iter().enumerate().map(|(k, e)| (e.idempotency_key.clone(), KeyHolder::Stored(k))).collect();
        streams.insert(c, Stream { state: CaseState::from_events(&past), past, keys });
    }
    // Recording times come from the sender's clock; allow it a day of skew, no more.
    let latest_recording = crate::now().plus_seconds(86_400);
    let mut batch_ids: HashSet<EventId> = HashSet::with_capacity(events.len());
    let mut outcomes = Vec::with_capacity(events.len());
    let mut inserts = Vec::with_capacity(events.len());
    let mut touched: HashSet<&CaseId> = HashSet::new();
    let mut checked_expected: HashSet<&CaseId> = HashSet::new();
    for (i, e) in events.iter().enumerate() {
        let reject =
            |field: &str, reason: String| ImportOutcome::Rejected(Rejection::Field { field: field.into(), reason });
        let Some(stream) = streams.get_mut(&e.case_id) else {
            outcomes.push(reject("case_id", "case not loaded".into()));
            continue;
        };
        if let Some(holder) = stream.keys.get(&e.idempotency_key).copied() {
            let (held, whose) = match holder {
                KeyHolder::Stored(k) => (&stream.past[k], "the stored event"),
                KeyHolder::Batch(k) => (&events[k], "the event"),
            };
            // A key names one event: the same key with other content is an error, as a
            // payment API answers a reused key with other parameters, not a silent drop.
            match differs(held, e) {
                None => outcomes.push(ImportOutcome::Duplicate { stored: held.id }),
                Some(field) => outcomes.push(reject(
                    "idempotency_key",
                    format!(
                        "key `{}` of event `{}` is already held by {whose} `{}` of case `{}`, which differs in {field}; a new event needs a new key",
                        e.idempotency_key, e.id, held.id, e.case_id
                    ),
                )),
            }
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
            outcomes.push(reject(
                "recorded_at",
                format!("`{}` is in the future; events record what has already happened", e.recorded_at),
            ));
            continue;
        }
        if taken_ids.contains(&e.id) || !batch_ids.insert(e.id) {
            outcomes.push(reject("event_id", format!("event id `{}` is already used by another event", e.id)));
            continue;
        }
        if let EventBody::CaseOpened { person_id, .. } = &e.body {
            if !identities.contains_key(person_id) {
                batch_ids.remove(&e.id);
                outcomes.push(reject(
                    "person_id",
                    format!("no person `{person_id}` is stored; persons are stored before their cases"),
                ));
                continue;
            }
        }
        let person = match &e.body {
            EventBody::CaseOpened { person_id, .. } if stream.state.opened.is_none() => Some(person_id),
            _ => stream.state.person_id.as_ref(),
        };
        let facts = person.map(|p| person_facts(p, &e.case_id, &identities, &claims)).unwrap_or_default();
        if let Err(refusal) = decide(&stream.state, e, &facts) {
            batch_ids.remove(&e.id);
            outcomes.push(ImportOutcome::Rejected(Rejection::Refused(refusal)));
            continue;
        }
        stream.state.apply(e);
        if matches!(e.body, EventBody::CitizenshipClaimRaised | EventBody::CitizenshipClaimResolved { .. }) {
            if let (Some(p), Some(claim)) = (stream.state.person_id.clone(), stream.state.citizenship_claim) {
                claims.entry(p).or_default().insert(e.case_id.clone(), claim);
            }
        }
        stream.keys.insert(e.idempotency_key.clone(), KeyHolder::Batch(i));
        touched.insert(&e.case_id);
        inserts.push((i, stream.state.version));
        outcomes.push(ImportOutcome::Stored { version: stream.state.version });
    }
    let mut touched: Vec<&CaseId> = touched.into_iter().collect();
    touched.sort();
    let projections = touched.iter().filter_map(|c| streams.get(*c).and_then(|s| s.state.summary())).collect();
    Ok(Plan { outcomes, inserts, projections })
}
