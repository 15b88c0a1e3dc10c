//! Given / when / then tests of the statutory gate, one or more per rule, each naming its
//! citation: given these past events (in the line language of docket-core's
//! `tests/common/mod.rs`), when this action is asked about at this instant, then it is allowed,
//! or denied by this rule resting on these events.

#[path = "../../docket-core/tests/common/mod.rs"]
mod common;

use docket_core::state::CitizenshipClaim;
use docket_core::{CaseId, CaseState, Country, EventId, PersonFacts, Rule, decide};
use docket_policy::{Action, GateDecision, GateView, Verdict, gate};

/// Past events of case `C-1`, and what is known of the person beyond it.
struct Given {
    state: CaseState,
    person: PersonFacts,
}

/// The gate's answer to one question.
struct Then {
    asked: String,
    answer: GateDecision,
}

/// Folds `lines` into case `C-1`, checking that the rules accepted each.
fn given(lines: &[&str]) -> Given {
    let mut state = CaseState::default();
    for (i, line) in lines.iter().enumerate() {
        let event = common::parse_event(i as u128 + 1, line).unwrap_or_else(|e| panic!("bad line `{line}`: {e}"));
        if let Err(r) = decide(&state, &event, &PersonFacts::default()) {
            panic!("given line `{line}` was refused: {r}");
        }
        state.apply(&event);
    }
    Given { state, person: PersonFacts::default() }
}

/// Folds `lines` without asking the rules: a history as it may have reached storage under
/// older rules, anomalies and all.
fn given_as_stored(lines: &[&str]) -> Given {
    let events: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| common::parse_event(i as u128 + 1, line).unwrap_or_else(|e| panic!("bad line `{line}`: {e}")))
        .collect();
    Given { state: CaseState::from_events(&events), person: PersonFacts::default() }
}

/// The person's claim to US citizenship in their case `case`, from that case's `lines`
/// (numbered from 101, so that its events are told apart from this case's).
fn claim_in_other_case(case: &str, lines: &[&str]) -> (CaseId, CitizenshipClaim) {
    let case = CaseId::parse(case).expect("valid case id");
    let mut state = CaseState::default();
    for (i, line) in lines.iter().enumerate() {
        let mut event = common::parse_event(101 + i as u128, line).unwrap_or_else(|e| panic!("bad line `{line}`: {e}"));
        event.case_id = case.clone();
        state.apply(&event);
    }
    (case, state.citizenship_claim.expect("the other case raises a claim"))
}

fn country(code: &str) -> Country {
    Country::parse(code).expect("known country")
}

fn remove_to(code: &str) -> Action {
    Action::Remove { to: country(code) }
}

fn e(n: u128) -> EventId {
    EventId::from_u128(n)
}

impl Given {
    fn with_claim_elsewhere(mut self, claim: (CaseId, CitizenshipClaim)) -> Given {
        self.person.claims_elsewhere.push(claim);
        self
    }

    /// Asks whether `action` may be taken at `at`.
    fn when(&self, action: Action, at: &str) -> Then {
        let summary = self.state.summary().expect("an opened case has a summary");
        let t = common::ts(at).unwrap_or_else(|e| panic!("bad instant `{at}`: {e}"));
        Then { asked: format!("{action} at {at}"), answer: gate(&summary, &self.person, action, t) }
    }
}

impl Then {
    fn then_allowed(self) {
        assert!(self.answer.is_allowed(), "`{}` was {}", self.asked, self.answer);
    }

    /// Denied, with `rule` among the bars; returns the events that bar rests on.
    fn then_denied_by(&self, rule: Rule) -> Vec<EventId> {
        let bar = self.answer.bars().iter().find(|b| b.rule == rule);
        let bar = bar
            .unwrap_or_else(|| panic!("`{}` was {}; expected a bar under `{}`", self.asked, self.answer, rule.name()));
        bar.basis.clone()
    }

    /// Denied by `rule`, the bar resting on exactly `basis`.
    fn then_denied_by_resting_on(&self, rule: Rule, basis: &[EventId]) {
        assert_eq!(self.then_denied_by(rule), basis, "`{}` was {}", self.asked, self.answer);
    }

    /// Denied by `rule`, a bar under it saying `text`.
    fn then_denied_saying(&self, rule: Rule, text: &str) {
        self.then_denied_by(rule);
        assert!(
            self.answer.bars().iter().any(|b| b.rule == rule && b.reason.contains(text)),
            "`{}` was {}; expected `{}` to say `{text}`",
            self.asked,
            self.answer,
            rule.name()
        );
    }

    fn then_not_denied_by(&self, rule: Rule) {
        assert!(
            !self.answer.denied_by(rule),
            "`{}` was {}; `{}` should not bar it",
            self.asked,
            self.answer,
            rule.name()
        );
    }
}

const OPENED: &str = "2025-01-06T09:00:00-05:00 case_opened tz=America/New_York";
const NTA: &str = "2025-01-07T09:00:00-05:00 nta_filed";
/// Removal ordered on March 4, 2025: the appeal window runs through April 3 (New York), and
/// without an appeal the order is final when that day ends.
const ORDERED: &str = "2025-03-04T10:00:00-05:00 decision removal_ordered";
/// The order is final and nothing else stands in the way of removal.
const AFTER_FINAL: &str = "2025-04-10T12:00:00-04:00";

// INA 241(a)(1); 8 CFR 1241.1: removal needs an administratively final order.

#[test]
fn removal_without_any_order_is_barred_no_final_order_ina_241_a_1() {
    given(&[OPENED, NTA]).when(remove_to("GTM"), AFTER_FINAL).then_denied_by_resting_on(Rule::NoFinalOrder, &[]);
}

#[test]
fn removal_once_the_order_is_final_is_allowed_8_cfr_1241_1_c() {
    given(&[OPENED, NTA, ORDERED]).when(remove_to("GTM"), AFTER_FINAL).then_allowed();
}

// 8 CFR 1003.6(a): no execution during the appeal window, nor while an appeal is pending.

#[test]
fn removal_during_the_appeal_window_is_barred_8_cfr_1003_6_a() {
    let then = given(&[OPENED, NTA, ORDERED]).when(remove_to("GTM"), "2025-04-03T23:59:00-04:00");
    then.then_denied_by_resting_on(Rule::AutomaticStayAppealWindow, &[e(3)]);
    then.then_denied_saying(Rule::NoFinalOrder, "not final until 2025-04-04T00:00:00-04:00");
}

#[test]
fn removal_while_an_appeal_is_pending_is_barred_8_cfr_1003_6_a() {
    let appealed = [OPENED, NTA, ORDERED, "2025-03-20T10:00:00-04:00 appeal_filed"];
    given(&appealed)
        .when(remove_to("GTM"), "2025-06-01T10:00:00-04:00")
        .then_denied_by_resting_on(Rule::AutomaticStayPendingAppeal, &[e(4)]);
    // The Board dismisses: the order is final (8 CFR 1241.1(a)) and the stay ends.
    let dismissed = [OPENED, NTA, ORDERED, appealed[3], "2025-06-02T10:00:00-04:00 appeal_decided dismissed"];
    given(&dismissed).when(remove_to("GTM"), "2025-06-02T10:00:00-04:00").then_allowed();
}

// INA 240(b)(5)(C); 8 CFR 1003.23(b)(4)(ii): a motion to reopen an in absentia order for lack
// of notice, custody or exceptional circumstances stays removal until decided. Other motions
// do not (8 CFR 1003.23(b)(1)(v)).

#[test]
fn removal_while_a_motion_to_reopen_an_in_absentia_order_is_pending_is_barred_ina_240_b_5_c() {
    let in_absentia = "2025-03-04T10:00:00-05:00 decision in_absentia";
    given(&[OPENED, NTA, in_absentia, "2025-03-10T10:00:00-04:00 mtr_filed lack_of_notice"])
        .when(remove_to("GTM"), AFTER_FINAL)
        .then_denied_by_resting_on(Rule::AutomaticStayInAbsentiaMotion, &[e(4)]);
    given(&[OPENED, NTA, in_absentia, "2025-03-10T10:00:00-04:00 mtr_filed new_evidence"])
        .when(remove_to("GTM"), AFTER_FINAL)
        .then_allowed();
}

// Stays granted: administrative (8 CFR 241.6; 8 CFR 1003.2(f)), judicial (INA 242(b)(3)(B)),
// and a stay arising by regulation recorded as a grant (8 CFR 1003.6).

#[test]
fn removal_while_a_granted_stay_is_in_force_is_barred_administrative_judicial_automatic() {
    for (kind, rule) in [
        ("administrative_stay", Rule::AdministrativeStay),
        ("judicial_stay", Rule::JudicialStay),
        ("automatic_stay", Rule::RecordedAutomaticStay),
    ] {
        let stay = format!(
            "2025-04-05T10:00:00-04:00 protection_granted {kind} 2025-04-05T10:00:00-04:00 2025-05-05T10:00:00-04:00"
        );
        let history = given(&[OPENED, NTA, ORDERED, &stay]);
        history.when(remove_to("GTM"), AFTER_FINAL).then_denied_by_resting_on(rule, &[e(4)]);
        // A stay bars removal, not custody.
        history.when(Action::Detain, AFTER_FINAL).then_allowed();
        history.when(remove_to("GTM"), "2025-05-05T10:00:00-04:00").then_allowed();
    }
}

// INA 241(b)(3); 8 CFR 208.31; 8 CFR 1208.16-18: no removal before a claim for asylum,
// withholding or CAT protection is decided.

#[test]
fn removal_before_a_pending_protection_claim_is_decided_is_barred_ina_241_b_3() {
    for relief in ["asylum", "withholding", "cat"] {
        let filed = format!("2025-04-05T10:00:00-04:00 relief_filed {relief}");
        given(&[OPENED, NTA, ORDERED, &filed])
            .when(remove_to("GTM"), AFTER_FINAL)
            .then_denied_by_resting_on(Rule::PendingProtectionClaim, &[e(4)]);
    }
    // Other relief pending does not stay removal.
    given(&[OPENED, NTA, ORDERED, "2025-04-05T10:00:00-04:00 relief_filed cancellation"])
        .when(remove_to("GTM"), AFTER_FINAL)
        .then_allowed();
}

// INA 241(b)(3); 8 CFR 1208.16(b), (d) and 8 CFR 1208.16(c), 1208.17: withholding or CAT
// protection bars removal to the country it was granted as to, and to no other.

#[test]
fn removal_to_a_country_covered_by_withholding_is_barred_ina_241_b_3() {
    let ordered_with_withholding = "2025-03-04T10:00:00-05:00 decision removal_ordered withholding=SLV";
    let history = given(&[OPENED, NTA, ordered_with_withholding]);
    history.when(remove_to("SLV"), AFTER_FINAL).then_denied_by_resting_on(Rule::WithholdingAsToCountry, &[e(3)]);
    history.when(remove_to("GTM"), AFTER_FINAL).then_allowed();
}

#[test]
fn removal_to_a_country_covered_by_cat_protection_is_barred_8_cfr_1208_17() {
    let history = given(&[OPENED, NTA, "2025-03-04T10:00:00-05:00 decision removal_ordered cat=SLV"]);
    history.when(remove_to("SLV"), AFTER_FINAL).then_denied_by_resting_on(Rule::CatProtectionAsToCountry, &[e(3)]);
    history.when(remove_to("MEX"), AFTER_FINAL).then_allowed();
}

// INA 244(a)(1)(A): no removal while temporary protected status is in force; deferred action
// defers removal while in force.

#[test]
fn removal_while_tps_or_deferred_action_is_in_force_is_barred_ina_244_a_1_a() {
    for (kind, rule) in [("tps", Rule::TemporaryProtectedStatus), ("deferred_action", Rule::DeferredAction)] {
        let granted = format!(
            "2025-04-05T10:00:00-04:00 protection_granted {kind} 2025-04-05T10:00:00-04:00 2026-04-05T10:00:00-04:00"
        );
        let history = given(&[OPENED, NTA, ORDERED, &granted]);
        history.when(remove_to("GTM"), AFTER_FINAL).then_denied_by_resting_on(rule, &[e(4)]);
        history.when(remove_to("GTM"), "2026-04-05T10:00:00-04:00").then_allowed();
    }
}

// 8 CFR 1240.26: no removal while a voluntary-departure period runs; on overstay the
// alternate order becomes final (8 CFR 1241.1(f)).

#[test]
fn removal_during_a_voluntary_departure_period_is_barred_8_cfr_1240_26() {
    let history = given(&[OPENED, NTA, "2025-03-04T10:00:00-05:00 decision voluntary_departure 2025-05-01"]);
    history.when(remove_to("GTM"), AFTER_FINAL).then_denied_by_resting_on(Rule::VoluntaryDepartureDeadline, &[e(3)]);
    history.when(remove_to("GTM"), "2025-05-02T00:00:00-04:00").then_allowed();
}

// Departure or removal already recorded: no enforcement action lies on the case.

#[test]
fn no_enforcement_action_after_a_verified_departure_or_a_carried_out_removal() {
    let departed = given(&[OPENED, NTA, ORDERED, "2025-04-08T10:00:00-04:00 departure_verified 2025-04-07"]);
    let removed = given(&[OPENED, NTA, ORDERED, "2025-04-08T10:00:00-04:00 removal_carried_out to=GTM"]);
    for action in Action::all(country("GTM")).into_iter().filter(|a| a.is_enforcement()) {
        departed.when(action, AFTER_FINAL).then_denied_by_resting_on(Rule::AlreadyLeft, &[e(4)]);
        removed.when(action, AFTER_FINAL).then_denied_by_resting_on(Rule::AlreadyLeft, &[e(4)]);
    }
}

// ICE Directive 16001.2 (2015); INA 287(a): no enforcement action while any claim of the
// person to US citizenship is unresolved, in this case or any other of theirs. INA 240(a)(1):
// a citizen is not subject to removal proceedings at all.

#[test]
fn every_enforcement_action_is_barred_while_a_citizenship_claim_in_this_case_is_pending() {
    let detained = "2025-03-10T10:00:00-04:00 custody_began";
    let history = given(&[OPENED, NTA, ORDERED, detained, "2025-04-05T10:00:00-04:00 citizenship_raised"]);
    for action in Action::all(country("GTM")).into_iter().filter(|a| a.is_enforcement()) {
        history.when(action, AFTER_FINAL).then_denied_by_resting_on(Rule::CitizenshipClaimPending, &[e(5)]);
    }
    // Release is not an enforcement action: a pending claim never keeps anyone in custody.
    history.when(Action::Release, AFTER_FINAL).then_allowed();
}

#[test]
fn every_enforcement_action_is_barred_while_a_citizenship_claim_in_another_case_is_pending() {
    let other = claim_in_other_case(
        "C-2",
        &["2025-02-01T10:00:00-05:00 case_opened", "2025-02-02T10:00:00-05:00 citizenship_raised"],
    );
    let history = given(&[OPENED, NTA, ORDERED]).with_claim_elsewhere(other);
    for action in Action::all(country("GTM")).into_iter().filter(|a| a.is_enforcement()) {
        history.when(action, AFTER_FINAL).then_denied_by_resting_on(Rule::CitizenshipClaimPending, &[e(102)]);
    }
    // Resolved against the person before the question: the claim no longer bars anything.
    let resolved = claim_in_other_case(
        "C-2",
        &[
            "2025-02-01T10:00:00-05:00 case_opened",
            "2025-02-02T10:00:00-05:00 citizenship_raised",
            "2025-03-01T10:00:00-05:00 citizenship_resolved not_citizen",
        ],
    );
    given(&[OPENED, NTA, ORDERED]).with_claim_elsewhere(resolved).when(remove_to("GTM"), AFTER_FINAL).then_allowed();
}

#[test]
fn every_enforcement_action_is_barred_once_the_person_is_found_a_citizen_ina_240_a_1() {
    let history = given(&[
        OPENED,
        NTA,
        "2025-02-01T10:00:00-05:00 citizenship_raised",
        "2025-02-10T10:00:00-05:00 citizenship_resolved citizen",
    ]);
    for action in Action::all(country("GTM")).into_iter().filter(|a| a.is_enforcement()) {
        history.when(action, AFTER_FINAL).then_denied_by_resting_on(Rule::CitizenshipEstablished, &[e(3), e(4)]);
    }
}

// Zadvydas v. Davis, 533 U.S. 678 (2001); 8 CFR 241.4(k)(2)(ii): detention past six months
// after the removal period began needs a custody review; without one recorded, it is barred
// until reviewed. A transfer keeps the person in custody and is barred alike.

#[test]
fn continued_detention_past_six_months_without_a_review_is_barred_until_reviewed_zadvydas() {
    // Final on April 4, 2025: the removal period runs to July 3; six months is October 4.
    let detained = [OPENED, NTA, ORDERED, "2025-03-10T10:00:00-04:00 custody_began"];
    let first_review = "2025-06-01T10:00:00-04:00 custody_reviewed continued";
    let history = given(&[detained[0], detained[1], detained[2], detained[3], first_review]);
    history.when(Action::ContinueDetention, "2025-10-04T23:00:00-04:00").then_allowed();
    for action in [Action::ContinueDetention, Action::Transfer] {
        let basis = history.when(action, "2025-10-05T00:00:00-04:00").then_denied_by(Rule::PostOrderSixMonthReview);
        assert!(basis.contains(&e(4)), "the bar rests on the detention: {basis:?}");
    }
    // Removal and release are not what the review governs.
    history.when(remove_to("GTM"), "2025-10-05T00:00:00-04:00").then_allowed();
    history.when(Action::Release, "2025-10-05T00:00:00-04:00").then_allowed();
    // Reviewed after the removal period ended: detention may continue.
    let reviewed = given(&[
        detained[0],
        detained[1],
        detained[2],
        detained[3],
        first_review,
        "2025-10-20T10:00:00-04:00 custody_reviewed continued",
    ]);
    reviewed.when(Action::ContinueDetention, "2025-10-21T10:00:00-04:00").then_allowed();
    reviewed.when(Action::Transfer, "2025-10-21T10:00:00-04:00").then_allowed();
}

// INA 244(d)(4): a person with TPS is not detained on the basis of immigration status.

#[test]
fn no_arrest_or_custody_while_tps_is_in_force_ina_244_d_4() {
    let tps = "2025-02-01T10:00:00-05:00 protection_granted tps 2025-02-01T10:00:00-05:00 2026-02-01T10:00:00-05:00";
    let history = given(&[OPENED, NTA, tps]);
    for action in [Action::Arrest, Action::Detain] {
        history.when(action, "2025-03-01T10:00:00-05:00").then_denied_by_resting_on(Rule::TpsBarsDetention, &[e(3)]);
    }
    history.when(Action::Detain, "2026-02-01T10:00:00-05:00").then_allowed();
    // Deferred action bars removal, not custody.
    let deferred = "2025-02-01T10:00:00-05:00 protection_granted deferred_action 2025-02-01T10:00:00-05:00";
    given(&[OPENED, NTA, deferred]).when(Action::Detain, "2025-03-01T10:00:00-05:00").then_allowed();
}

#[test]
fn custody_granted_tps_while_detained_bars_continued_detention_and_transfer_ina_244_d_4() {
    let history = given(&[
        OPENED,
        NTA,
        "2025-02-01T10:00:00-05:00 custody_began",
        "2025-02-10T10:00:00-05:00 protection_granted tps 2025-02-10T10:00:00-05:00",
    ]);
    for action in [Action::ContinueDetention, Action::Transfer] {
        history.when(action, "2025-03-01T10:00:00-05:00").then_denied_by_resting_on(Rule::TpsBarsDetention, &[e(4)]);
    }
    history.when(Action::Release, "2025-03-01T10:00:00-05:00").then_allowed();
}

// Custody actions need the person's custody to be as the action assumes.

#[test]
fn custody_actions_need_the_person_in_or_out_of_custody_as_the_action_assumes() {
    let free = given(&[OPENED, NTA]);
    for action in [Action::ContinueDetention, Action::Transfer, Action::Release] {
        free.when(action, "2025-02-01T10:00:00-05:00").then_denied_saying(Rule::NothingToActOn, "not in custody");
    }
    free.when(Action::Detain, "2025-02-01T10:00:00-05:00").then_allowed();
    free.when(Action::Arrest, "2025-02-01T10:00:00-05:00").then_allowed();
    let held = given(&[OPENED, NTA, "2025-01-20T10:00:00-05:00 custody_began"]);
    let detain = held.when(Action::Detain, "2025-02-01T10:00:00-05:00");
    detain.then_denied_saying(Rule::NothingToActOn, "already in custody");
    detain.then_denied_by_resting_on(Rule::NothingToActOn, &[e(3)]);
    for action in [Action::ContinueDetention, Action::Transfer, Action::Release] {
        held.when(action, "2025-02-01T10:00:00-05:00").then_allowed();
    }
}

#[test]
fn no_enforcement_action_on_a_closed_case() {
    let closed = given(&[OPENED, NTA, "2025-02-01T10:00:00-05:00 case_closed administratively_closed"]);
    for action in [Action::Arrest, Action::Detain, remove_to("GTM")] {
        closed.when(action, "2025-03-01T10:00:00-05:00").then_denied_by_resting_on(Rule::CaseClosed, &[e(3)]);
    }
}

// Fail closed: an unknown fact denies every enforcement action, and says what is unknown.

#[test]
fn fail_closed_a_protection_whose_end_date_is_unknown_bars_removal() {
    let unknown_end = "2025-04-05T10:00:00-04:00 protection_granted deferred_action 2025-04-05T10:00:00-04:00 unknown";
    let history = given(&[OPENED, NTA, ORDERED, unknown_end]);
    history
        .when(remove_to("GTM"), "2030-01-01T10:00:00-05:00")
        .then_denied_saying(Rule::DeferredAction, "end date unknown");
    let unknown_tps = "2025-04-05T10:00:00-04:00 protection_granted tps 2025-04-05T10:00:00-04:00 unknown";
    let history = given(&[OPENED, NTA, ORDERED, unknown_tps]);
    history
        .when(Action::Detain, "2030-01-01T10:00:00-05:00")
        .then_denied_saying(Rule::TpsBarsDetention, "end date unknown");
    // Its lapse recorded, it bars nothing more.
    let lapsed = given(&[OPENED, NTA, ORDERED, unknown_tps, "2026-01-05T10:00:00-05:00 protection_expired tps"]);
    lapsed.when(Action::Detain, "2030-01-01T10:00:00-05:00").then_allowed();
    lapsed.when(remove_to("GTM"), "2030-01-01T10:00:00-05:00").then_allowed();
}

#[test]
fn fail_closed_withholding_as_to_an_unrecorded_country_bars_removal_anywhere() {
    let history = given(&[
        OPENED,
        NTA,
        "2025-02-01T10:00:00-05:00 relief_filed withholding",
        "2025-03-04T10:00:00-05:00 decision removal_ordered",
        "2025-03-04T10:05:00-05:00 relief_granted withholding",
    ]);
    for to in ["GTM", "SLV", "MEX"] {
        history.when(remove_to(to), AFTER_FINAL).then_denied_saying(Rule::WithholdingAsToCountry, "not recorded");
    }
}

#[test]
fn fail_closed_an_anomalous_history_denies_every_enforcement_action_and_says_so() {
    // A release with nobody in custody reached storage: the fold keeps it as an anomaly.
    let history = given_as_stored(&[OPENED, NTA, ORDERED, "2025-03-10T10:00:00-04:00 custody_released recognizance"]);
    assert_eq!(history.state.anomalies.len(), 1);
    for action in Action::all(country("GTM")).into_iter().filter(|a| a.is_enforcement()) {
        let then = history.when(action, AFTER_FINAL);
        then.then_denied_saying(Rule::FactUnknown, "1 event(s) that do not fit the record");
        then.then_denied_by_resting_on(Rule::FactUnknown, &[e(4)]);
    }
}

#[test]
fn fail_closed_a_case_without_its_opening_denies_every_enforcement_action() {
    let history = given_as_stored(&[NTA, "2025-01-20T10:00:00-05:00 custody_began"]);
    for action in Action::all(country("GTM")).into_iter().filter(|a| a.is_enforcement()) {
        history.when(action, AFTER_FINAL).then_denied_saying(Rule::FactUnknown, "opening is not recorded");
    }
}

#[test]
fn fail_closed_the_case_before_its_latest_event_is_unknown_to_the_projection() {
    let history = given(&[OPENED, NTA, ORDERED, "2025-04-20T10:00:00-04:00 relief_filed cancellation"]);
    history
        .when(remove_to("GTM"), "2025-04-10T12:00:00-04:00")
        .then_denied_saying(Rule::FactUnknown, "events effective after then");
    history.when(remove_to("GTM"), "2025-04-20T10:00:00-04:00").then_allowed();
}

#[test]
fn release_is_never_denied_for_want_of_a_fact() {
    let anomalous = given_as_stored(&[
        OPENED,
        NTA,
        "2025-01-20T10:00:00-05:00 custody_began",
        "2025-01-21T10:00:00-05:00 custody_began",
        "2025-01-22T10:00:00-05:00 protection_granted tps 2025-01-22T10:00:00-05:00 unknown",
    ]);
    assert!(!anomalous.state.anomalies.is_empty());
    anomalous.when(Action::Release, "2025-02-01T10:00:00-05:00").then_allowed();
    anomalous.when(Action::ContinueDetention, "2025-02-01T10:00:00-05:00").then_denied_by(Rule::FactUnknown);
}

#[test]
fn a_denial_names_every_bar_each_with_its_citation_and_events() {
    let history = given(&[
        OPENED,
        NTA,
        "2025-02-01T10:00:00-05:00 relief_filed asylum",
        "2025-03-04T10:00:00-05:00 decision removal_ordered withholding=SLV",
        "2025-03-05T10:00:00-05:00 protection_granted tps 2025-03-05T10:00:00-05:00",
    ]);
    let then = history.when(remove_to("SLV"), "2025-03-06T10:00:00-05:00");
    for rule in [
        Rule::AutomaticStayAppealWindow,
        Rule::TemporaryProtectedStatus,
        Rule::PendingProtectionClaim,
        Rule::WithholdingAsToCountry,
        Rule::NoFinalOrder,
    ] {
        then.then_denied_by(rule);
    }
    then.then_not_denied_by(Rule::FactUnknown);
    for bar in then.answer.bars() {
        assert!(bar.rule.citation().is_some(), "a statutory bar without a citation: {bar:?}");
    }
}

#[test]
fn the_view_carries_rule_ids_citations_and_event_ids_as_json() {
    let history = given(&[OPENED, NTA, ORDERED, "2025-03-20T10:00:00-04:00 appeal_filed"]);
    let summary = history.state.summary().expect("summary");
    let t = common::ts("2025-06-01T10:00:00-04:00").expect("instant");
    let action = remove_to("GTM");
    let view = GateView::new(&summary.case_id, action, t, &gate(&summary, &history.person, action, t));
    assert_eq!(view.decision, Verdict::Deny);
    assert_eq!((view.action.as_str(), view.destination.as_deref()), ("remove", Some("GTM")));
    let stay = view.reasons.iter().find(|r| r.rule == "automatic_stay_pending_appeal").expect("the appeal's stay");
    assert_eq!(stay.citation.as_deref(), Some("8 CFR 1003.6(a)"));
    assert_eq!(stay.basis, vec![e(4).to_string()]);
    let json = serde_json::to_string(&view).expect("serializes");
    assert!(json.contains(r#""decision":"deny""#), "{json}");
    let back: GateView = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, view);
}
