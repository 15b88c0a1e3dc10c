//! Given / when / then tests of the lifecycle rules in `decide`: given these past events,
//! when this event is offered, then it is accepted or refused for this reason.
//!
//! Events are written in the line language of `tests/common/mod.rs`. The legal clocks are
//! covered by the scenarios under `tests/data/clocks/`; these tests cover the refusals that
//! keep a history coherent.

mod common;

use docket_core::{CaseId, CaseState, PersonFacts, Refusal, Rule, decide};

/// Past events, all of which the rules accepted, and what is known of the person.
struct Given {
    state: CaseState,
    next: u128,
    person: PersonFacts,
}

/// The rules' answer to one offered event.
struct Then {
    offered: String,
    answer: Result<(), Refusal>,
}

/// Folds `lines` into a case, checking that each was lawful to record.
fn given(lines: &[&str]) -> Given {
    let mut state = CaseState::default();
    for (i, line) in lines.iter().enumerate() {
        let event = common::parse_event(i as u128 + 1, line).unwrap_or_else(|e| panic!("bad line `{line}`: {e}"));
        if let Err(r) = decide(&state, &event, &PersonFacts::default()) {
            panic!("given line `{line}` was refused: {r}");
        }
        state.apply(&event);
    }
    Given { state, next: lines.len() as u128 + 1, person: PersonFacts::default() }
}

impl Given {
    /// The same history, with `person` known of the person beyond this case.
    fn with_person(mut self, person: PersonFacts) -> Given {
        self.person = person;
        self
    }

    /// Offers the event on `line` to the rules.
    fn when(&self, line: &str) -> Then {
        let event = common::parse_event(self.next, line).unwrap_or_else(|e| panic!("bad line `{line}`: {e}"));
        Then { offered: line.to_owned(), answer: decide(&self.state, &event, &self.person) }
    }

    /// Offers the event on `line` as if it belonged to another case.
    fn when_for_case(&self, case: &str, line: &str) -> Then {
        let mut event = common::parse_event(self.next, line).unwrap_or_else(|e| panic!("bad line `{line}`: {e}"));
        event.case_id = CaseId::parse(case).unwrap_or_else(|e| panic!("bad case id: {e}"));
        Then { offered: line.to_owned(), answer: decide(&self.state, &event, &self.person) }
    }
}

impl Then {
    fn then_accepted(self) {
        if let Err(r) = self.answer {
            panic!("`{}` was refused: {r}", self.offered);
        }
    }

    /// The event is refused and the refusal's message contains `text`.
    fn then_refused_with(self, text: &str) -> Refusal {
        match self.answer {
            Ok(()) => panic!("`{}` was accepted; expected a refusal mentioning `{text}`", self.offered),
            Err(r) => {
                assert!(r.to_string().contains(text), "`{}` was refused with `{r}`; expected `{text}`", self.offered);
                r
            }
        }
    }

    /// The event is refused under `rule`.
    fn then_refused_by(self, rule: Rule) {
        match self.answer {
            Ok(()) => panic!("`{}` was accepted; expected a refusal under `{}`", self.offered, rule.name()),
            Err(r) => assert_eq!(r.rule(), rule, "`{}` was refused with `{r}`", self.offered),
        }
    }
}

const OPENED: &str = "2025-01-06T09:00:00-05:00 case_opened";
const NTA_FILED: &str = "2025-01-07T09:00:00-05:00 nta_filed";

#[test]
fn a_hearing_needs_the_notice_to_appear_filed_with_the_court() {
    let served_only = given(&[OPENED, "2025-01-07T09:00:00-05:00 nta_served"]);
    served_only
        .when("2025-01-08T09:00:00-05:00 hearing_scheduled master 2025-02-12T09:00:00-05:00")
        .then_refused_with("no notice to appear has been filed with the court");

    given(&[OPENED, NTA_FILED])
        .when("2025-01-08T09:00:00-05:00 hearing_scheduled master 2025-02-12T09:00:00-05:00")
        .then_accepted();
}

#[test]
fn a_hearing_cannot_be_set_for_a_time_already_past() {
    given(&[OPENED, NTA_FILED])
        .when("2025-01-08T09:00:00-05:00 hearing_scheduled master 2025-01-08T08:00:00-05:00")
        .then_refused_with("is before the scheduling");
}

#[test]
fn a_hearing_is_held_only_when_one_is_scheduled() {
    let scheduled = [OPENED, NTA_FILED, "2025-01-08T09:00:00-05:00 hearing_scheduled master 2025-02-12T09:00:00-05:00"];
    given(&scheduled).when("2025-02-12T09:00:00-05:00 hearing_held master").then_accepted();
    given(&[OPENED, NTA_FILED])
        .when("2025-02-12T09:00:00-05:00 hearing_held master")
        .then_refused_with("no hearing is scheduled");
}

#[test]
fn relief_is_granted_only_on_a_pending_application() {
    let nothing_filed = given(&[OPENED, NTA_FILED]);
    nothing_filed
        .when("2025-03-01T09:00:00-05:00 relief_granted asylum")
        .then_refused_with("no application for `asylum` is pending");

    let denied = given(&[
        OPENED,
        NTA_FILED,
        "2025-01-20T09:00:00-05:00 relief_filed asylum",
        "2025-02-20T09:00:00-05:00 relief_denied asylum",
    ]);
    denied.when("2025-03-01T09:00:00-05:00 relief_granted asylum").then_refused_with("no application for `asylum`");

    let pending = given(&[OPENED, NTA_FILED, "2025-01-20T09:00:00-05:00 relief_filed asylum"]);
    pending.when("2025-03-01T09:00:00-05:00 relief_granted cancellation").then_refused_with("`cancellation`");
    pending.when("2025-03-01T09:00:00-05:00 relief_granted asylum").then_accepted();
    pending
        .when("2025-03-01T09:00:00-05:00 relief_filed asylum")
        .then_refused_with("an application for `asylum` is already pending");
}

#[test]
fn a_second_decision_waits_until_the_first_is_vacated() {
    let decided = [OPENED, NTA_FILED, "2025-03-04T10:00:00-05:00 decision removal_ordered"];
    given(&decided)
        .when("2025-03-05T10:00:00-05:00 decision relief_granted asylum")
        .then_refused_with("a decision already stands");

    let mut remanded = decided.to_vec();
    remanded.extend(["2025-03-20T11:00:00-04:00 appeal_filed", "2025-09-15T12:00:00-04:00 appeal_decided remanded"]);
    given(&remanded).when("2025-11-05T10:00:00-05:00 decision relief_granted asylum").then_accepted();
}

#[test]
fn a_decision_needs_proceedings_before_the_court() {
    given(&[OPENED])
        .when("2025-03-04T10:00:00-05:00 decision removal_ordered")
        .then_refused_with("no notice to appear has been filed");
}

#[test]
fn a_petition_for_review_lies_only_from_a_board_decision() {
    let judge_only = [OPENED, NTA_FILED, "2025-03-04T10:00:00-05:00 decision removal_ordered"];
    given(&judge_only)
        .when("2025-03-10T10:00:00-05:00 pfr_filed")
        .then_refused_with("a petition for review lies only from a decision of the Board");

    let mut pending = judge_only.to_vec();
    pending.push("2025-03-20T11:00:00-04:00 appeal_filed");
    given(&pending)
        .when("2025-05-01T10:00:00-04:00 pfr_filed")
        .then_refused_with("a petition for review lies only from a decision of the Board");

    let mut dismissed = pending.clone();
    dismissed.push("2025-09-15T12:00:00-04:00 appeal_decided dismissed");
    given(&dismissed).when("2025-10-01T10:00:00-04:00 pfr_filed").then_accepted();
}

#[test]
fn a_person_in_custody_cannot_be_taken_into_custody_again() {
    let detained = given(&[OPENED, "2025-01-06T10:00:00-05:00 custody_began"]);
    detained.when("2025-01-20T10:00:00-05:00 custody_began").then_refused_with("the person is already in custody");
    detained.when("2025-01-20T10:00:00-05:00 custody_transferred").then_accepted();

    let released = given(&[
        OPENED,
        "2025-01-06T10:00:00-05:00 custody_began",
        "2025-01-10T10:00:00-05:00 custody_released recognizance",
    ]);
    released.when("2025-01-20T10:00:00-05:00 custody_began").then_accepted();
    released.when("2025-01-20T10:00:00-05:00 custody_released parole").then_refused_with("not in custody");
}

#[test]
fn a_departure_cannot_be_dated_after_its_verification() {
    let decided = given(&[OPENED, NTA_FILED, "2025-04-07T10:00:00-04:00 decision voluntary_departure 2025-06-05"]);
    decided
        .when("2025-05-30T09:00:00-04:00 departure_verified 2025-05-31")
        .then_refused_with("the departure date 2025-05-31 is after the verification");
    decided.when("2025-05-30T09:00:00-04:00 departure_verified 2025-05-30").then_accepted();
}

#[test]
fn a_voluntary_departure_deadline_must_follow_the_decision() {
    given(&[OPENED, NTA_FILED])
        .when("2025-04-07T10:00:00-04:00 decision voluntary_departure 2025-04-07")
        .then_refused_by(Rule::VoluntaryDepartureDeadline);
}

#[test]
fn events_are_recorded_in_legal_order_for_their_own_case() {
    given(&[]).when(NTA_FILED).then_refused_with("has not been opened");
    let opened = given(&[OPENED, NTA_FILED]);
    opened.when("2025-01-08T09:00:00-05:00 case_opened").then_refused_with("the case is already open");
    opened.when("2025-01-06T12:00:00-05:00 nta_served").then_refused_with("precedes the case's latest event");
    let foreign = opened.when_for_case("C-2", "2025-01-08T09:00:00-05:00 nta_served").then_refused_with("`C-2`");
    assert!(foreign.to_string().contains("`C-1`"), "the refusal names the case: {foreign}");
}

#[test]
fn an_appeal_is_decided_only_once() {
    let dismissed = given(&[
        OPENED,
        NTA_FILED,
        "2025-03-04T10:00:00-05:00 decision removal_ordered",
        "2025-03-20T11:00:00-04:00 appeal_filed",
        "2025-09-15T12:00:00-04:00 appeal_decided dismissed",
    ]);
    dismissed.when("2025-09-16T12:00:00-04:00 appeal_decided remanded").then_refused_with("no appeal is pending");
}

fn born_1990_with_a_number() -> PersonFacts {
    PersonFacts {
        date_of_birth: Some(
            docket_core::DateOfBirth::parse("1990-01-01", docket_core::Date::parse("2026-01-01").expect("date"))
                .expect("date of birth"),
        ),
        a_number: Some(docket_core::ANumber::parse("A111111111").expect("A-number")),
        ..PersonFacts::default()
    }
}

#[test]
fn a_case_cannot_contradict_the_persons_identity() {
    let none = given(&[]).with_person(born_1990_with_a_number());
    none.when("2025-01-06T09:00:00-05:00 case_opened a=A999999999").then_refused_by(Rule::ANumberMismatch);
    none.when("1989-12-31T09:00:00-05:00 case_opened").then_refused_by(Rule::ImpossibleDate);
    none.when("2025-01-06T09:00:00-05:00 case_opened a=A111111111").then_accepted();
    none.when("2025-01-06T09:00:00-05:00 case_opened").then_accepted();
}

#[test]
fn no_enforcement_action_while_a_claim_to_citizenship_is_pending_anywhere() {
    let claimed = given(&[OPENED, NTA_FILED, "2025-01-10T09:00:00-05:00 citizenship_raised"]);
    claimed.when("2025-01-11T09:00:00-05:00 custody_began").then_refused_by(Rule::CitizenshipClaimPending);
    claimed.when("2025-01-11T09:00:00-05:00 arrested").then_refused_by(Rule::CitizenshipClaimPending);

    let elsewhere = given(&[OPENED, NTA_FILED]).with_person(PersonFacts {
        claims_elsewhere: vec![(
            CaseId::parse("C-2").expect("id"),
            docket_core::state::CitizenshipClaim {
                raised: docket_core::state::Fact {
                    at: docket_core::Timestamp::parse("2025-01-08T09:00:00-05:00").expect("time"),
                    event: docket_core::EventId::from_u128(77),
                },
                resolved: None,
            },
        )],
        ..PersonFacts::default()
    });
    let refusal = elsewhere.when("2025-01-11T09:00:00-05:00 arrested").then_refused_with("`C-2`");
    assert_eq!(refusal.bars[0].basis, vec![docket_core::EventId::from_u128(77)], "the bar names the claim's event");
    given(&[OPENED, NTA_FILED]).when("2025-01-11T09:00:00-05:00 arrested").then_accepted();
    // An arrest that took effect before the claim was raised was lawful then: it is recorded.
    elsewhere.when("2025-01-07T10:00:00-05:00 arrested").then_accepted();
}

#[test]
fn an_event_cannot_take_effect_after_it_was_recorded() {
    let opened = given(&[OPENED, NTA_FILED]);
    let mut event = common::parse_event(3, "2025-01-09T09:00:00-05:00 nta_served").expect("event");
    event.recorded_at = docket_core::Timestamp::parse("2025-01-09T08:59:59-05:00").expect("time");
    let answer = decide(&opened.state, &event, &PersonFacts::default());
    assert_eq!(answer.expect_err("refused").rule(), Rule::EffectiveAfterRecorded);
    event.recorded_at = event.effective_at;
    assert!(decide(&opened.state, &event, &PersonFacts::default()).is_ok());
}

#[test]
fn counsel_and_convictions_keep_a_coherent_record() {
    let opened = given(&[OPENED, NTA_FILED, "2025-01-10T09:00:00-05:00 counsel_appeared EOIR-77 eoir_28"]);
    opened.when("2025-01-11T09:00:00-05:00 counsel_appeared EOIR-77 g_28").then_refused_with("already of record");
    opened.when("2025-01-11T09:00:00-05:00 counsel_withdrew EOIR-78").then_refused_with("not of record");
    opened.when("2025-01-11T09:00:00-05:00 counsel_withdrew EOIR-77").then_accepted();

    let convicted = given(&[
        OPENED,
        NTA_FILED,
        "2025-01-10T09:00:00-05:00 conviction CR-1 felony 8_U.S.C._1326 2024-06-01 not_final",
    ]);
    convicted.when("2025-02-10T09:00:00-05:00 conviction CR-1 felony 8_U.S.C._1326 2024-06-01 final").then_accepted();
    convicted
        .when("2025-02-10T09:00:00-05:00 conviction CR-1 felony 8_U.S.C._1326 2024-06-01 not_final")
        .then_refused_with("already recorded");
    convicted.when("2025-02-10T09:00:00-05:00 conviction_vacated CR-2").then_refused_with("no conviction `CR-2`");
    convicted.when("2025-02-10T09:00:00-05:00 conviction_vacated CR-1").then_accepted();
    given(&[OPENED])
        .with_person(born_1990_with_a_number())
        .when("2025-02-10T09:00:00-05:00 entry 1985-01-01 without_inspection")
        .then_refused_by(Rule::ImpossibleDate);
}

#[test]
fn a_departure_is_withdrawn_only_where_one_stands() {
    let decided = given(&[OPENED, NTA_FILED, "2025-04-07T10:00:00-04:00 decision voluntary_departure 2025-06-05"]);
    decided
        .when("2025-05-30T09:00:00-04:00 departure_withdrawn matched another traveller")
        .then_refused_with("no verified departure stands to withdraw");
    let departed = given(&[
        OPENED,
        NTA_FILED,
        "2025-04-07T10:00:00-04:00 decision voluntary_departure 2025-06-05",
        "2025-06-02T15:00:00-04:00 departure_verified 2025-05-30",
        "2025-06-10T09:00:00-04:00 case_closed departure_verified",
    ]);
    departed.when("2025-06-20T09:00:00-04:00 departure_withdrawn matched another traveller").then_accepted();
    departed.when("2025-06-20T09:00:00-04:00 custody_began").then_refused_with("closed");
    let removed_and_closed = given(&[
        OPENED,
        NTA_FILED,
        "2025-04-07T10:00:00-04:00 decision relief_granted asylum",
        "2025-06-10T09:00:00-04:00 case_closed relief_granted",
    ]);
    removed_and_closed
        .when("2025-06-20T09:00:00-04:00 departure_withdrawn matched another traveller")
        .then_refused_with("closed");
}
