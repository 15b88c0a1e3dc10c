//! Property tests of the statutory gate over random histories of one person's cases (one to
//! three, their events interleaved): no removal is allowed while a protection is in force or
//! to a country a grant protects; no enforcement action is allowed while a claim of the person
//! to US citizenship is open in any of their cases; none is allowed where a fact is unknown.
//!
//! Histories (`histories/mod.rs`) are mostly lawful, now and then anomalous or never
//! opened. The gate is asked about every action, in every case, after every event, at that
//! instant, later, and a little earlier; removal also as the application asks it, to the
//! case's designated country of removal.

mod histories;

use docket_core::{CitizenshipFinding, Country, ProtectionEnd, ProtectionKind, ReliefKind, Rule, Timestamp};
use docket_policy::{Action, GateDecision, RULES, gate, gate_removal};
use histories::{Cases, Person, Steps, cases, country, steps};
use proptest::prelude::*;

/// What a property checks: case `i` of `person`, its gate's answer for `action` at `q`.
type Check = fn(&Person, usize, Action, Timestamp, &GateDecision) -> Result<(), TestCaseError>;

/// Builds the history and asks the gate about every action of every case after each event,
/// handing each answer to `check`.
fn run(cases: Cases, steps: Steps, to: Country, check: Check) -> Result<(), TestCaseError> {
    histories::play(cases, steps, |person, t, probe| {
        for j in 0..person.cases.len() {
            let Some(summary) = person.cases[j].1.summary() else { continue };
            let facts = person.beyond(j);
            for q in [t, t.plus_seconds(probe)] {
                for action in Action::all(to) {
                    let answer = gate(&summary, &facts, action, q);
                    check(person, j, action, q, &answer)?;
                }
                // Removal as the application asks it: to the designated country, where one
                // is, which is the gate's answer for that country; else to a country not
                // stated, which allows no more than removal to any country would.
                let removal = gate_removal(&summary, &facts, q);
                let designated = summary.designated_country.map(|(c, _)| c);
                if let Some(c) = designated {
                    prop_assert_eq!(&removal, &gate(&summary, &facts, Action::Remove { to: c }, q));
                }
                check(person, j, Action::Remove { to: designated.unwrap_or(to) }, q, &removal)?;
            }
        }
        Ok(())
    })
}

/// No removal is allowed while any protection or stay is in force, during a
/// voluntary-departure period, before a protection claim is decided, without a final order,
/// after departure or removal, or to a country a grant of withholding or CAT protects.
fn no_removal_of_the_protected(
    person: &Person,
    i: usize,
    action: Action,
    q: Timestamp,
    answer: &GateDecision,
) -> Result<(), TestCaseError> {
    let Action::Remove { to } = action else { return Ok(()) };
    if !answer.is_allowed() {
        return Ok(());
    }
    let (case, s) = &person.cases[i];
    let granted: Vec<_> = s.protections.iter().filter(|p| p.in_force_at(q)).collect();
    prop_assert!(granted.is_empty(), "removal from {} allowed at {} while {:?} in force", case, q, granted);
    let summary = s.summary().expect("a summary");
    let periods: Vec<_> = summary.protections_in_force(q).map(|p| p.rule.name()).collect();
    prop_assert!(periods.is_empty(), "removal from {} allowed at {} while {:?} in force", case, q, periods);
    let appeal_pending = s.appeal.is_some_and(|a| a.filed.at <= q && a.decided.is_none_or(|(_, f)| f.at > q));
    prop_assert!(!appeal_pending, "removal from {} allowed at {} with an appeal pending", case, q);
    for g in &s.country_protections {
        prop_assert!(
            g.protection.country.is_some_and(|c| c != to),
            "removal from {} to {} allowed at {} against {:?}",
            case,
            to,
            q,
            g
        );
    }
    let claims: Vec<_> = s
        .pending_relief()
        .filter(|a| matches!(a.relief, ReliefKind::Asylum | ReliefKind::Withholding | ReliefKind::Cat))
        .collect();
    prop_assert!(claims.is_empty(), "removal from {} allowed at {} with {:?} pending", case, q, claims);
    let vd = s.voluntary_departure_deadline();
    prop_assert!(vd.as_ref().is_none_or(|d| !d.open_at(q) || d.met_by(q)), "removal allowed during {:?}", vd);
    prop_assert!(
        s.final_order().is_some_and(|f| f.at <= q),
        "removal from {} allowed at {} without a final order",
        case,
        q
    );
    prop_assert!(s.removed.is_none_or(|(f, _)| f.at > q), "removal from {} allowed at {} after removal", case, q);
    prop_assert!(s.departure_verified.is_none_or(|(d, _)| d > q.local_date()), "removal allowed after departure");
    Ok(())
}

/// No enforcement action is allowed while a claim of the person to US citizenship is open in
/// any of their cases, nor once they are found to be a citizen.
fn no_enforcement_while_citizenship_is_claimed(
    person: &Person,
    i: usize,
    action: Action,
    q: Timestamp,
    answer: &GateDecision,
) -> Result<(), TestCaseError> {
    if !action.is_enforcement() || !answer.is_allowed() {
        return Ok(());
    }
    for (case, s) in &person.cases {
        let Some(claim) = s.citizenship_claim else { continue };
        let open = claim.raised.at <= q && claim.resolved.is_none_or(|(_, f)| f.at > q);
        prop_assert!(!open, "{} allowed in {} at {} while a claim is open in {}", action, person.cases[i].0, q, case);
        let citizen = claim.resolved.is_some_and(|(finding, f)| finding == CitizenshipFinding::Citizen && f.at <= q);
        prop_assert!(!citizen, "{} allowed in {} at {} though {} found a citizen", action, person.cases[i].0, q, case);
    }
    Ok(())
}

/// No enforcement action is allowed where a fact is unknown: an anomalous history, a case
/// never opened, an instant before the case's latest event, a protection whose end date was
/// not recorded, a grant of withholding or CAT as to an unrecorded country.
fn no_enforcement_on_an_unknown_fact(
    person: &Person,
    i: usize,
    action: Action,
    q: Timestamp,
    answer: &GateDecision,
) -> Result<(), TestCaseError> {
    if !action.is_enforcement() || !answer.is_allowed() {
        return Ok(());
    }
    let (case, s) = &person.cases[i];
    prop_assert!(s.anomalies.is_empty(), "{} allowed in {} despite anomalies {:?}", action, case, s.anomalies);
    prop_assert!(s.opened.is_some(), "{} allowed in {}, never opened", action, case);
    prop_assert!(
        s.last_effective_at.is_none_or(|l| l <= q),
        "{} allowed in {} at {}, before its latest event ({:?})",
        action,
        case,
        q,
        s.last_effective_at
    );
    let unknown_end = |kind: Option<ProtectionKind>| {
        s.protections.iter().any(|p| {
            kind.is_none_or(|k| p.kind == k)
                && p.from <= q
                && p.until == ProtectionEnd::Unknown
                && p.terminated.is_none()
                && p.lapsed.is_none()
        })
    };
    if let Action::Remove { .. } = action {
        prop_assert!(!unknown_end(None), "removal allowed in {} with a protection's end unknown", case);
        prop_assert!(
            s.country_protections.iter().all(|g| g.protection.country.is_some()),
            "removal allowed in {} with a protection as to an unrecorded country",
            case
        );
    }
    if action.holds_in_custody() {
        prop_assert!(!unknown_end(Some(ProtectionKind::Tps)), "{} allowed in {} with TPS's end unknown", action, case);
    }
    Ok(())
}

/// Every answer is well formed and the custody gates hold: a denial names only rules the
/// gate documents, each legal one with its citation; release is allowed only of a person in
/// custody, and always then; continued detention never past an overdue six-month review; no
/// custody under TPS.
fn answers_are_well_formed(
    person: &Person,
    i: usize,
    action: Action,
    q: Timestamp,
    answer: &GateDecision,
) -> Result<(), TestCaseError> {
    let (case, s) = &person.cases[i];
    for bar in answer.bars() {
        prop_assert!(RULES.contains(&bar.rule), "{} named `{}`, which docs/gates.md does not list", action, bar.rule);
        prop_assert!(!bar.reason.is_empty());
    }
    let detained = s.custody.detained_since.is_some_and(|f| f.at <= q);
    if action == Action::Release {
        prop_assert_eq!(answer.is_allowed(), detained, "release in {} at {}: {}", case, q, answer);
    }
    if answer.is_allowed() && matches!(action, Action::ContinueDetention | Action::Transfer) {
        let overdue: Vec<_> = s
            .post_order_custody_reviews()
            .into_iter()
            .filter(|d| d.rule == Rule::PostOrderSixMonthReview && d.overdue_at(q))
            .collect();
        prop_assert!(overdue.is_empty(), "{} allowed in {} at {} past {:?}", action, case, q, overdue);
        prop_assert!(detained, "{} allowed in {} at {} with nobody in custody", action, case, q);
    }
    if answer.is_allowed() && action.holds_in_custody() {
        let tps = s.protections.iter().any(|p| p.kind == ProtectionKind::Tps && p.in_force_at(q));
        prop_assert!(!tps, "{} allowed in {} at {} under TPS", action, case, q);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_removal_while_a_protection_is_in_force_or_to_a_protected_country(
        cases in cases(), steps in steps(), to in country(),
    ) {
        run(cases, steps, to, no_removal_of_the_protected)?;
    }

    #[test]
    fn no_enforcement_action_while_a_citizenship_claim_of_the_person_is_open(
        cases in cases(), steps in steps(), to in country(),
    ) {
        run(cases, steps, to, no_enforcement_while_citizenship_is_claimed)?;
    }

    #[test]
    fn no_enforcement_action_where_a_fact_is_unknown(cases in cases(), steps in steps(), to in country()) {
        run(cases, steps, to, no_enforcement_on_an_unknown_fact)?;
    }

    #[test]
    fn every_answer_is_well_formed_and_custody_gates_hold(cases in cases(), steps in steps(), to in country()) {
        run(cases, steps, to, answers_are_well_formed)?;
    }
}
