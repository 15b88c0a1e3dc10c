//! The whole docket at one instant, timed: every action's statutory gate and one priority
//! policy's tier (with the gate policy's bars) for 10,000,000 synthetic cases, from their
//! projections loaded once into columns, beside the same questions asked one case at a time
//! (`gate` per action, Cedar's authorizer per request) on a sample. Criterion-free:
//! `cargo bench -p docket-policy --bench docket [-- CASES SAMPLE CEDAR_SAMPLE [PRIORITY]]`
//! (`PRIORITY`: a shipped priority policy, `dhs-2014-priorities` unless named).
//!
//! The cases are `docket synth`'s (seed 1, as of 2026-11-01: realistic histories, one case a
//! person), each folded and summarized as the store's projection is; loading — generating,
//! folding, filling the columns — is reported apart from evaluating.

use std::time::Instant;

use docket_core::{CaseState, CaseSummary, Date, PersonFacts, Timestamp};
use docket_policy::facts::{CaseFacts, FactColumns};
use docket_policy::gate_columns::{ACTIONS, decision};
use docket_policy::policy::{PRIORITIZE, PolicyKind};
use docket_policy::{Action, Destination, RULES, StatutoryColumns, gate_batch, priority_batch, shipped};

fn arg(n: usize, default: usize) -> usize {
    // `cargo bench` passes `--bench`; numbers are ours.
    std::env::args().skip(1).filter(|a| !a.starts_with('-')).nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
}

const SEED: u64 = 1;
/// Rows generated at a time, by each loading thread.
const CHUNK: usize = 50_000;

/// Case `i`'s projection, as the store keeps it.
fn summary(i: u64, as_of: Date) -> Option<CaseSummary> {
    let person = docket_synth::person_row(SEED, i);
    let events = docket_synth::case_history(SEED, i, as_of, &person);
    CaseState::from_events(&events).summary()
}

fn main() {
    let cases = arg(0, 10_000_000);
    let sample = arg(1, 100_000).min(cases).max(1);
    let cedar_sample = arg(2, 10_000).min(sample).max(1);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let as_of = Date::parse("2026-11-01").expect("a date");
    // Midday in the courts' Eastern zone, the day of the docket's as-of date.
    let t = Timestamp::parse("2026-11-01T12:00:00-05:00").expect("an instant");
    let person = PersonFacts::default();
    println!("cases {cases}, sample {sample}, Cedar sample {cedar_sample}, threads {threads}, at {t}");

    // Load: generate and fold each case on every thread, a chunk at a time; fill the columns.
    let load = Instant::now();
    let mut statutory = StatutoryColumns::with_capacity(cases);
    let mut facts = FactColumns::with_capacity(cases);
    let mut kept: Vec<(CaseSummary, CaseFacts)> = Vec::with_capacity(sample);
    let mut push_secs = 0.0;
    let mut next = 0usize;
    while next < cases {
        let chunks: Vec<Vec<(CaseSummary, CaseFacts)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|k| {
                    let lo = next + k * CHUNK;
                    let hi = (lo + CHUNK).min(cases);
                    scope.spawn(move || {
                        (lo..hi)
                            .filter_map(|i| summary(i as u64, as_of))
                            .map(|s| {
                                let f = CaseFacts::from_summary(&s, &PersonFacts::default(), t);
                                (s, f)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a loading thread")).collect()
        });
        next += threads * CHUNK;
        let p = Instant::now();
        for (s, f) in chunks.into_iter().flatten() {
            statutory.push(&s, &person);
            facts.push(&f);
            if kept.len() < sample {
                kept.push((s, f));
            }
        }
        push_secs += p.elapsed().as_secs_f64();
    }
    let rows = statutory.len();
    println!(
        "load: {rows} cases generated, folded, summarized, into columns: {:.1} s (of which filling the columns {:.1} s); {} intervals, {:.2} a case",
        load.elapsed().as_secs_f64(),
        push_secs,
        statutory.intervals(),
        statutory.intervals() as f64 / rows as f64
    );

    let name = std::env::args().skip(1).filter(|a| !a.starts_with('-')).nth(3);
    let priority = shipped(name.as_deref().unwrap_or("dhs-2014-priorities")).expect("listed").expect("loads");
    let restraint = shipped("custody-restraint").expect("listed").expect("loads");
    assert_eq!((priority.kind, restraint.kind), (PolicyKind::Priority, PolicyKind::Gate));
    let enforcement = [
        Action::Arrest,
        Action::Detain,
        Action::ContinueDetention,
        Action::Transfer,
        Action::Remove { to: docket_core::Country::parse("MEX").expect("country") },
    ];

    // The whole docket: every action's statutory gate (removal to each case's designated
    // country, as the application asks), the priority tier, the gate policy's bars. Three runs.
    let mut best = f64::MAX;
    let mut batch = None;
    for run in 1..=3 {
        let total = Instant::now();
        let s = Instant::now();
        let b = statutory.evaluate(t, Destination::Designated, threads);
        let statutory_secs = s.elapsed().as_secs_f64();
        let p = Instant::now();
        let tiers = priority_batch(&priority, &facts, threads).expect("priority");
        let priority_secs = p.elapsed().as_secs_f64();
        let g = Instant::now();
        let mut barred = 0;
        for a in enforcement {
            barred += gate_batch(&restraint, &facts, a, threads).expect("gate").0.count();
        }
        let gate_secs = g.elapsed().as_secs_f64();
        let secs = total.elapsed().as_secs_f64();
        best = best.min(secs);
        let denied: Vec<String> = ACTIONS.iter().zip(&b.denied).map(|(a, d)| format!("{a} {}", d.count())).collect();
        println!(
            "run {run}: statutory, 6 actions {statutory_secs:.3} s; {} tiers {priority_secs:.3} s; {} 5 actions {gate_secs:.3} s; all {secs:.3} s",
            priority.id, restraint.id
        );
        println!(
            "       denied: {}; tiered {}, to review {}; policy bars {barred}",
            denied.join(", "),
            tiers.tiers.iter().filter(|t| **t != u8::MAX).count(),
            tiers.supervisor_review.count()
        );
        batch = Some(b);
    }
    let batch = batch.expect("three runs");
    for (a, name) in ACTIONS.iter().enumerate() {
        let mut by: Vec<(u64, &str)> = RULES
            .iter()
            .enumerate()
            .map(|(r, rule)| (batch.by_rule[a][r], rule.name()))
            .filter(|(n, _)| *n > 0)
            .collect();
        by.sort_by(|x, y| y.cmp(x));
        let by: Vec<String> = by.iter().map(|(n, r)| format!("{r} {n}")).collect();
        println!("       {name}: {}", by.join(", "));
    }

    // The columns agree with the gate on the sample (the property test's claim, at scale).
    let mut mismatches = 0;
    for (row, (s, _)) in kept.iter().enumerate() {
        for a in 0..ACTIONS.len() {
            if batch.denied[a].get(row) == decision(s, &person, a, Destination::Designated, t).is_allowed() {
                mismatches += 1;
            }
        }
    }
    println!("agreement with gate() on {} cases x 6 actions: {mismatches} mismatches", kept.len());
    assert_eq!(mismatches, 0);

    // One case at a time: the statutory gate for every action, on one thread.
    let g = Instant::now();
    let mut denials = 0usize;
    for (s, _) in &kept {
        for a in 0..ACTIONS.len() {
            denials += usize::from(!decision(s, &person, a, Destination::Designated, t).is_allowed());
        }
    }
    let gate_per_case = g.elapsed().as_secs_f64() / kept.len() as f64;
    println!("gate() per case, 6 actions: {:.2} µs a case ({denials} denials)", gate_per_case * 1e6);

    // Cedar's authorizer, one request per case and action (the priority request, the gate
    // policy's five), building each request and entity from the facts, on one thread.
    let c = Instant::now();
    let mut n = 0;
    for (_, f) in kept.iter().take(cedar_sample) {
        n += priority.cedar_outcome(f, PRIORITIZE).satisfied.len();
        for a in [0, 1, 2, 4, 5] {
            n += restraint.cedar_outcome(f, a).satisfied.len();
        }
    }
    let cedar_per_case = c.elapsed().as_secs_f64() / cedar_sample.min(kept.len()) as f64;
    println!("cedar  {} + {} (6 requests): {:.2} µs a case ({n})", priority.id, restraint.id, cedar_per_case * 1e6);

    let per_request = (gate_per_case + cedar_per_case) * rows as f64;
    println!(
        "per case, one core, extrapolated to {rows} cases: gate() {:.0} s + Cedar {:.0} s = {per_request:.0} s; columns (best of 3, {threads} threads) {best:.3} s; ratio {:.0}x",
        gate_per_case * rows as f64,
        cedar_per_case * rows as f64,
        per_request / best
    );
}
