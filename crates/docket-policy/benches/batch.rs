//! Whole-docket evaluation, timed: 10,000,000 random cases' facts as columns, every shipped
//! priority policy's tiers and the shipped gate policy's bars for every enforcement action by
//! the batch plan, against Cedar's authorizer on a sample (the ratio is per case), and a
//! differential run of 1,000,000 cases. Criterion-free: `cargo bench -p docket-policy --bench
//! batch [-- CASES SAMPLE DIFF]`.

#[path = "../tests/random/mod.rs"]
mod random;

use std::time::Instant;

use docket_policy::facts::FactColumns;
use docket_policy::policy::{PRIORITIZE, PolicyKind};
use docket_policy::{Action, SHIPPED, gate_batch, priority_batch, shipped};
use random::{Rng, random_facts};

fn arg(n: usize, default: usize) -> usize {
    // `cargo bench` passes `--bench`; numbers are ours.
    std::env::args().skip(1).filter(|a| !a.starts_with('-')).nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn main() {
    let cases = arg(0, 10_000_000);
    let sample = arg(1, 100_000).max(1);
    let diff = arg(2, 1_000_000);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!("cases {cases}, Cedar sample {sample}, differential {diff}, threads {threads}");

    let t = Instant::now();
    let mut rng = Rng(1);
    let mut cols = FactColumns::with_capacity(cases);
    let mut sample_facts = Vec::with_capacity(sample.max(diff));
    for i in 0..cases {
        let f = random_facts(&mut rng);
        cols.push(&f);
        if i < sample.max(diff) {
            sample_facts.push(f);
        }
    }
    println!("load: {cases} cases' facts into columns: {:.2} s", t.elapsed().as_secs_f64());

    let policies: Vec<_> = SHIPPED.iter().map(|(n, _)| shipped(n).expect("listed").expect("loads")).collect();
    let enforcement = [
        Action::Arrest,
        Action::Detain,
        Action::ContinueDetention,
        Action::Transfer,
        Action::Remove { to: docket_core::Country::parse("MEX").expect("country") },
    ];

    // The whole docket: every priority policy's tier and the gate policy's bars on every
    // enforcement action, one pass each.
    let total = Instant::now();
    for p in &policies {
        let t = Instant::now();
        match p.kind {
            PolicyKind::Priority => {
                let b = priority_batch(p, &cols, threads).expect("priority");
                let tiered = b.tiers.iter().filter(|t| **t != u8::MAX).count();
                println!(
                    "plan   {:<26} tiers: {:>7.3} s  ({tiered} tiered, {} to review)",
                    p.id,
                    t.elapsed().as_secs_f64(),
                    b.supervisor_review.count()
                );
            }
            PolicyKind::Gate => {
                let mut barred = 0;
                for a in enforcement {
                    barred += gate_batch(p, &cols, a, threads).expect("gate").0.count();
                }
                println!("plan   {:<26} 5 actions: {:>7.3} s  ({barred} bars)", p.id, t.elapsed().as_secs_f64());
            }
        }
    }
    let plan_total = total.elapsed().as_secs_f64();
    println!("plan   all four policies, {cases} cases: {plan_total:.3} s");

    // Policy diff over the whole docket: both policies run, every row compared.
    for (a, b) in [(0, 1), (0, 2)] {
        let t = Instant::now();
        let d = docket_policy::diff(&policies[a], &policies[b], &cols, None, threads).expect("both priority");
        println!(
            "diff   {} -> {}: {:.3} s ({} change tier, {} change review, {} kinds of move)",
            policies[a].id,
            policies[b].id,
            t.elapsed().as_secs_f64(),
            d.tier_changed,
            d.review_changed,
            d.changes.len()
        );
    }

    // Cedar's authorizer, one request per case and action, on the sample.
    let mut cedar_total_per_case = 0.0;
    for p in &policies {
        let actions: Vec<usize> = if p.kind == PolicyKind::Priority { vec![PRIORITIZE] } else { vec![0, 1, 2, 4, 5] };
        let t = Instant::now();
        let mut n = 0;
        for f in sample_facts.iter().take(sample) {
            for a in &actions {
                n += p.cedar_outcome(f, *a).satisfied.len();
            }
        }
        // Per case: building the request and the case's entity from its facts, and authorizing.
        let per_case = t.elapsed().as_secs_f64() / sample as f64;
        cedar_total_per_case += per_case;
        println!(
            "cedar  {:<26} {:.2} µs a case ({} request(s)), {sample} cases: {:.2} s ({n})",
            p.id,
            per_case * 1e6,
            actions.len(),
            per_case * sample as f64
        );
    }
    let cedar_docket = cedar_total_per_case * cases as f64;
    println!(
        "cedar  all four policies, {cases} cases (extrapolated, one core): {cedar_docket:.0} s; ratio to the plan: {:.0}x",
        cedar_docket / plan_total
    );

    // Differential: the plan against Cedar on the first `diff` cases.
    let t = Instant::now();
    let mut head = FactColumns::with_capacity(diff);
    for f in sample_facts.iter().take(diff) {
        head.push(f);
    }
    let mut mismatches = 0usize;
    let mut decisions = 0usize;
    for p in &policies {
        let actions: Vec<usize> = if p.kind == PolicyKind::Priority { vec![PRIORITIZE] } else { vec![0, 1, 2, 4, 5] };
        for a in actions {
            let batch = p.batch_outcomes(&head, a, threads);
            for (row, f) in sample_facts.iter().take(diff).enumerate() {
                decisions += 1;
                if batch.row(row) != p.cedar_outcome(f, a) {
                    mismatches += 1;
                }
            }
        }
    }
    println!(
        "differential: {diff} cases, {decisions} decisions, {mismatches} mismatches ({:.0} s)",
        t.elapsed().as_secs_f64()
    );
    assert_eq!(mismatches, 0);
}
