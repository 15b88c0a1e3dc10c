//! Docket's domain core: identifiers and value types that are valid once built, typed
//! past-tense events, case state as a fold of events, the rules that decide whether an event
//! may be recorded, and the legal clocks computed from a case's events.
//!
//! This crate does no IO: no files, no SQL, no HTTP, no JSON. Wire formats live at the edges
//! and convert into these types.
//!
//! ```
//! use docket_core::{
//!     decide, ActorId, CaseId, CaseState, DecisionOutcome, Event, EventBody, EventId,
//!     IdempotencyKey, PersonFacts, PersonId, Source, Stage, TimeZone, Timestamp,
//! };
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
//! let history = [
//!     event(1, "2025-01-06T09:00:00-05:00", EventBody::CaseOpened {
//!         person_id: PersonId::parse("P-1").unwrap(),
//!         a_number: None,
//!         time_zone: Some(TimeZone::parse("America/New_York").unwrap()),
//!     }),
//!     event(2, "2025-01-07T09:00:00-05:00", EventBody::NoticeToAppearFiled),
//!     event(3, "2025-03-04T10:00:00-05:00", EventBody::DecisionIssued {
//!         outcome: DecisionOutcome::RemovalOrdered, time_zone: None, country_protection: None }),
//! ];
//! let mut state = CaseState::default();
//! for e in &history {
//!     decide(&state, e, &PersonFacts::default()).unwrap();
//!     state.apply(e);
//! }
//! // 30 days from March 4 is April 3, 2025, counted in New York; without an appeal the
//! // order is final when that day ends there (midnight EDT: daylight saving began March 9).
//! let window = state.appeal_deadline().unwrap();
//! assert_eq!(window.due.to_string(), "2025-04-03");
//! assert_eq!(window.ends_at.to_string(), "2025-04-04T00:00:00-04:00");
//! let summary = state.summary().unwrap();
//! assert_eq!(summary.stage_at(Timestamp::parse("2025-04-03T23:30:00-04:00").unwrap()), Stage::OrderNotFinal);
//! assert_eq!(summary.stage_at(Timestamp::parse("2025-04-04T00:00:00-04:00").unwrap()), Stage::FinalOrder);
//! ```

pub mod access;
pub mod clocks;
pub mod decide;
pub mod departure;
pub mod event;
pub mod ids;
pub mod person;
pub mod report;
pub mod rules;
pub mod state;
pub mod summary;
pub mod time;

pub use access::{AccessPurpose, UnknownPurpose};
pub use clocks::{
    COURT_ZONES, Deadline, Finality, LocalClock, OverstayPenalty, ProtectionPeriod, RemovalPeriod, infer_court_zone,
};
pub use decide::{Refusal, decide};
pub use departure::{
    Carrier, ComparisonEvidence, DepartureError, DepartureEvidence, DepartureRecord, EvidenceError, FlightNumber,
    MatchDecision, Port, Probability, Reason, check_departure_date,
};
pub use event::{
    AppealOutcome, Appellant, CitizenshipFinding, CloseReason, CounselForm, CountryProtection, CustodyReviewOutcome,
    DecisionOutcome, EVENT_SCHEMA_VERSION, EntryManner, Event, EventBody, HearingKind, MAX_VOLUNTARY_DEPARTURE_DAYS,
    MitigatingFact, MotionBasis, OffenceClass, ProtectionEnd, ProtectionKind, ReleaseKind, ReliefKind, Source, Statute,
    StayKind, VoluntaryDeparturePeriod,
};
pub use ids::{
    ActorId, CaseId, ConvictionId, CounselId, DepartureRecordId, EventId, IdError, IdempotencyKey, ModelVersion,
    PersonId, RecordSource, ReviewId, SourceReference,
};
pub use person::{
    ANumber, Country, DateOfBirth, DocumentKind, NameOrder, NamePart, Person, PersonError, PersonName, Sex,
    TravelDocument, fold_name,
};
pub use report::DocketReport;
pub use rules::{Bar, Rule};
pub use state::CaseState;
pub use summary::{CaseSummary, CitizenshipStatus, DepartureOutcome, HeldDocument, PersonFacts, Stage};
pub use time::{Date, TimeError, TimeZone, Timestamp, Weekday};
