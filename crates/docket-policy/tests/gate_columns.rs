//! The statutory gate over columns against the gate itself: on random histories of one
//! person's cases (`histories/mod.rs`), every case as it stood after every event is a row; the
//! rows are asked about at every instant their projections and the person's claims hold, one
//! second before and after each, and at random instants, at the UTC offsets of immigration
//! courts (a departure is a local date, so its midnight is probed at each). Every action,
//! removal both to a named country and to a country not stated, must be allowed or denied as
//! `gate` (or `gate_removal_unstated`) answers, naming the same rules; the counts by rule must
//! be the gate's counted. At least 100,000 (case, instant) pairs are checked.

mod histories;

use std::cell::Cell;
use std::collections::BTreeSet;

use docket_core::{CaseSummary, Country, PersonFacts, Rule, Timestamp};
use docket_policy::gate_columns::{ACTIONS, decision};
use docket_policy::{Destination, RULES, StatutoryColumns};
use histories::{OFFSETS, cases, country, play, steps};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// How many (case, instant) pairs the test must check, at the least.
const CHECKS: usize = 100_000;

fn at(secs: i64, offset: i16) -> Option<Timestamp> {
    Timestamp::from_unix(secs, offset).ok()
}

/// Every instant a row's gate turns on: those of its projection and of its person's claims.
fn instants(s: &CaseSummary, p: &PersonFacts, out: &mut BTreeSet<i64>) {
    let mut add = |t: Option<Timestamp>| out.extend(t.map(|t| t.unix_seconds()));
    add(s.opened_at);
    add(s.last_effective_at);
    add(s.closed.map(|(_, at)| at));
    add(s.removed_at);
    add(s.detained_since);
    add(s.decision.map(|(_, at)| at));
    add(s.final_order.as_ref().map(|f| f.at));
    for d in s.appeal_deadline.iter().chain(&s.voluntary_departure).chain(&s.custody_reviews) {
        add(Some(d.ends_at));
        add(d.met.map(|m| m.at));
    }
    for pr in &s.protections {
        add(Some(pr.from));
        add(pr.until);
    }
    for c in s.citizenship_claim.iter().chain(p.claims_elsewhere.iter().map(|(_, c)| c)) {
        add(Some(c.raised.at));
        add(c.resolved.map(|(_, f)| f.at));
    }
}

/// Checks every row at `q`: the batch's bits and counts, and each row's rules, against the
/// gate's answers.
fn check_at(
    rows: &[(CaseSummary, PersonFacts)],
    cols: &StatutoryColumns,
    q: Timestamp,
    to: Country,
) -> Result<(), TestCaseError> {
    for destination in [Destination::To(to), Destination::Unstated, Destination::Designated] {
        let batch = cols.evaluate(q, destination, 2);
        let mut counts = [[0u64; RULES.len()]; 6];
        for (row, (s, p)) in rows.iter().enumerate() {
            for (a, name) in ACTIONS.iter().enumerate() {
                let want = decision(s, p, a, destination, q);
                let mut rules: Vec<Rule> = want.bars().iter().map(|b| b.rule).collect();
                rules.sort_by_key(|r| RULES.iter().position(|x| x == r));
                rules.dedup();
                for r in &rules {
                    counts[a][RULES.iter().position(|x| x == r).unwrap_or(0)] += 1;
                }
                prop_assert_eq!(
                    batch.denied[a].get(row),
                    !want.is_allowed(),
                    "{} to {:?} in {} at {}: the gate says {}",
                    name,
                    destination,
                    s.case_id,
                    q,
                    want
                );
                prop_assert_eq!(
                    cols.rules(row, a, destination, q),
                    rules,
                    "{} to {:?} in {} at {}: the gate says {}",
                    name,
                    destination,
                    s.case_id,
                    q,
                    want
                );
            }
        }
        prop_assert_eq!(batch.by_rule, counts, "counts by rule at {}", q);
    }
    Ok(())
}

#[test]
fn the_columns_answer_every_action_as_the_gate_does() {
    let checked = Cell::new(0usize);
    // Designations of the country of removal are steps that add no row of their own where
    // no order stands: 80 histories once checked only 95,784 pairs, 110 checked 135,000 to
    // 194,000 in three runs; 150 keeps well clear of CHECKS.
    let mut runner = TestRunner::new(Config { cases: 150, failure_persistence: None, ..Config::default() });
    let result = runner.run(&(cases(), steps(), country(), 0usize..1000), |(cases, steps, to, spin)| {
        // Every case as it stood after every event, once each.
        let mut rows: Vec<(CaseSummary, PersonFacts)> = Vec::new();
        let mut probes = BTreeSet::new();
        play(cases, steps, |person, t, probe| {
            probes.insert(t.unix_seconds());
            probes.insert(t.unix_seconds() + probe);
            for (j, (_, state)) in person.cases.iter().enumerate() {
                let Some(s) = state.summary() else { continue };
                let p = person.beyond(j);
                if !rows.iter().any(|(rs, rp)| *rs == s && *rp == p) {
                    rows.push((s, p));
                }
            }
            Ok(())
        })?;
        let mut cols = StatutoryColumns::with_capacity(rows.len());
        for (s, p) in &rows {
            cols.push(s, p);
        }
        prop_assert_eq!(cols.len(), rows.len());

        // Every instant a row turns on, a second either side, and the random probes, each at
        // an offset of the courts'; a departure's local midnight at every offset.
        let mut turns = BTreeSet::new();
        for (s, p) in &rows {
            instants(s, p, &mut turns);
        }
        let mut queries: Vec<Timestamp> = Vec::new();
        for (k, secs) in turns.iter().flat_map(|t| [t - 1, *t, t + 1]).chain(probes).enumerate() {
            queries.extend(at(secs, OFFSETS[(k + spin) % OFFSETS.len()]));
        }
        for day in rows.iter().filter_map(|(s, _)| s.departed_on) {
            for offset in OFFSETS {
                let midnight = i64::from(day.days_since_epoch()) * 86_400 - i64::from(offset) * 60;
                queries.extend([midnight - 1, midnight].into_iter().filter_map(|secs| at(secs, offset)));
            }
        }
        for q in queries {
            check_at(&rows, &cols, q, to)?;
            checked.set(checked.get() + rows.len());
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(checked.get() >= CHECKS, "only {} (case, instant) pairs checked; at least {CHECKS} wanted", checked.get());
    eprintln!("{} (case, instant) pairs checked, each for every action", checked.get());
}

/// A docket evaluated on several threads gives the rows a single thread gives, across the
/// boundaries of their words.
#[test]
fn threads_split_the_rows_without_changing_them() {
    let mut runner = TestRunner::new(Config { cases: 8, failure_persistence: None, ..Config::default() });
    let result = runner.run(&(cases(), steps(), country()), |(cases, steps, to)| {
        let mut cols = StatutoryColumns::default();
        let mut last = None;
        play(cases, steps, |person, t, _| {
            for (j, (_, state)) in person.cases.iter().enumerate() {
                if let Some(s) = state.summary() {
                    cols.push(&s, &person.beyond(j));
                }
            }
            last = Some(t);
            Ok(())
        })?;
        let Some(t) = last else { return Ok(()) };
        for destination in [Destination::To(to), Destination::Unstated, Destination::Designated] {
            let one = cols.evaluate(t, destination, 1);
            for threads in [2, 3, 7] {
                let many = cols.evaluate(t, destination, threads);
                prop_assert_eq!(&many.denied, &one.denied);
                prop_assert_eq!(many.by_rule, one.by_rule);
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
