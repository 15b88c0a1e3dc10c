//! Docket's gates: whether an action may be taken on a case now, and if not, exactly why.
//!
//! The statutory layer ([`gate`]) reads a case's projection (`docket_core::CaseSummary`) as
//! of an instant, with what is known of the person beyond the case, and answers
//! [`GateDecision::Allow`] or [`GateDecision::Deny`] with every rule that bars the action,
//! each with its citation and the recorded events it rests on. It fails closed: an unknown
//! fact denies an enforcement action and says what is unknown. The rules, their ids and
//! citations are listed in `docs/gates.md`. A whole docket is answered at once, every action
//! of every case at an instant, by the same gate over columns ([`StatutoryColumns`], built
//! once from the projections; it agrees with [`gate`] on every case, action and instant).
//! This crate does no IO: no storage, no HTTP.
//!
//! ```
//! use docket_core::{
//!     ActorId, CaseId, CaseState, Country, DecisionOutcome, Event, EventBody, EventId,
//!     IdempotencyKey, PersonFacts, PersonId, Rule, Source, TimeZone, Timestamp,
//! };
//! use docket_policy::{Action, gate};
//!
//! let case = CaseId::parse("C-1").unwrap();
//! let event = |n: u128, at: &str, body: EventBody| Event {
//!     id: EventId::from_u128(n),
//!     case_id: case.clone(),
//!     effective_at: Timestamp::parse(at).unwrap(),
//!     recorded_at: Timestamp::parse(at).unwrap(),
//!     recorded_by: ActorId::parse("clerk").unwrap(),
//!     source: Source::Officer,
//!     reference: None,
//!     idempotency_key: IdempotencyKey::parse(&format!("k{n}")).unwrap(),
//!     body,
//! };
//! let state = CaseState::from_events(&[
//!     event(1, "2025-01-06T09:00:00-05:00", EventBody::CaseOpened {
//!         person_id: PersonId::parse("P-1").unwrap(),
//!         a_number: None,
//!         time_zone: Some(TimeZone::parse("America/New_York").unwrap()),
//!     }),
//!     event(2, "2025-01-07T09:00:00-05:00", EventBody::NoticeToAppearFiled),
//!     event(3, "2025-03-04T10:00:00-05:00", EventBody::DecisionIssued {
//!         outcome: DecisionOutcome::RemovalOrdered, time_zone: None, country_protection: None }),
//! ]);
//! let summary = state.summary().unwrap();
//! let remove = Action::Remove { to: Country::parse("GTM").unwrap() };
//! let person = PersonFacts::default();
//!
//! // Within the 30-day appeal window the order is not final and its automatic stay holds.
//! let answer = gate(&summary, &person, remove, Timestamp::parse("2025-03-20T12:00:00-04:00").unwrap());
//! assert!(answer.denied_by(Rule::AutomaticStayAppealWindow));
//! assert!(answer.denied_by(Rule::NoFinalOrder));
//! assert_eq!(answer.bars()[0].basis, vec![EventId::from_u128(3)]);
//!
//! // Once the window has closed without an appeal, nothing on the record bars removal.
//! assert!(gate(&summary, &person, remove, Timestamp::parse("2025-04-04T00:00:00-04:00").unwrap()).is_allowed());
//! ```
//!
//! Agency policies (`docs/policies.md`) are Cedar files over a schema of adjudicated facts
//! only. One case is answered by Cedar's authorizer with every reason ([`priority`],
//! [`gate_under`]); a docket, as columns of facts, by the compiled plan ([`priority_batch`],
//! [`gate_batch`]); [`diff`] says what adopting another policy would move.
//!
//! ```
//! use docket_policy::{CaseFacts, FactColumns, priority_batch, shipped};
//!
//! let policy = shipped("dhs-2014-priorities").unwrap().unwrap();
//! let felony = CaseFacts::default().with_text("felony_convictions", "1").unwrap();
//! let veteran = felony.clone().with_text("military_service", "true").unwrap();
//! let mut docket = FactColumns::default();
//! for case in [&felony, &veteran, &CaseFacts::default()] {
//!     docket.push(case);
//! }
//! let ranked = priority_batch(&policy, &docket, 2).unwrap();
//! assert_eq!(ranked.answer(&policy, 0).tier.as_deref(), Some("priority_1"));
//! // A mitigating factor is never outweighed: the case goes to a supervisor, its tier shown.
//! assert!(ranked.supervisor_review.get(1));
//! assert_eq!(ranked.answer(&policy, 1).reasons[1].rule, "m_military_service");
//! assert_eq!(ranked.tiers[2], docket_policy::BatchPriority::NO_TIER);
//! ```

pub mod action;
pub mod answer;
pub mod diff;
pub mod facts;
pub mod gate;
pub mod gate_columns;
pub mod plan;
pub mod policy;
pub mod schema;
pub mod testing;
pub mod view;

pub use action::{Action, ActionError};
pub use answer::{
    AnswerError, BatchPriority, PolicyGateDecision, PolicyGateView, PolicyReason, PriorityAnswer, gate_batch,
    gate_under, priority, priority_batch,
};
pub use diff::{PolicyDiff, diff};
pub use facts::{CaseFacts, Fact, FactColumns, FactValue};
pub use gate::{Denial, GateDecision, RULES, gate, gate_removal, gate_removal_unstated};
pub use gate_columns::{Destination, StatutoryBatch, StatutoryColumns};
pub use policy::{AgencyPolicy, PolicyError, PolicyKind, SHIPPED, shipped};
pub use testing::{TestReport, run_dir};
pub use view::{GateView, ReasonView, Verdict};
