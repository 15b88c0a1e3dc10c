//! A synthetic docket exercises the shipped priority policies: on 5,000 cases every tier of each
//! holds cases, every rule (tier, aggravating or mitigating factor) is met by some, and some
//! cases go to supervisor review, so that the demo and the benchmarks rank something.

use docket_core::{ANumber, CaseState, Date, DateOfBirth, PersonFacts};
use docket_policy::{BatchPriority, CaseFacts, FactColumns, priority_batch, shipped};
use docket_synth::{case_history, person_row};

const CASES: u64 = 5000;
const SEED: u64 = 21;

#[test]
fn every_tier_and_factor_of_the_shipped_priority_policies_is_reached() {
    let as_of = Date::parse("2026-11-01").expect("date");
    let t = as_of.start_at_offset(0);
    let mut cols = FactColumns::with_capacity(CASES as usize);
    for i in 0..CASES {
        let row = person_row(SEED, i);
        let summary = CaseState::from_events(&case_history(SEED, i, as_of, &row)).summary().expect("summary");
        let person = PersonFacts {
            date_of_birth: Some(DateOfBirth::parse(&row.date_of_birth, as_of).expect("birth")),
            a_number: Some(ANumber::parse(&row.a_number).expect("A-number")),
            ..Default::default()
        };
        cols.push(&CaseFacts::from_summary(&summary, &person, t));
    }
    for name in ["dhs-2014-priorities", "dhs-2021-guidelines", "every-final-order-alike"] {
        let policy = shipped(name).expect("shipped").expect("loads");
        let batch = priority_batch(&policy, &cols, 2).expect("a priority policy");
        let in_tier = |k: usize| batch.tiers.iter().filter(|t| usize::from(**t) == k).count();
        let counts: Vec<(&str, usize)> =
            policy.tiers.iter().enumerate().map(|(k, n)| (n.as_str(), in_tier(k))).collect();
        let untiered = batch.tiers.iter().filter(|t| **t == BatchPriority::NO_TIER).count();
        for (tier, n) in &counts {
            assert!(*n > 0, "{name}: no case in tier `{tier}`: {counts:?}");
        }
        // The tiers rank a docket: they do not take it all.
        assert!(untiered > CASES as usize / 4, "{name}: {untiered} cases in no tier: {counts:?}");
        let rows = (0..cols.len()).map(|r| batch.outcome.row(r)).collect::<Vec<_>>();
        for (k, rule) in policy.rules.iter().enumerate() {
            let met = rows.iter().filter(|o| o.satisfied.contains(&k)).count();
            assert!(met > 0, "{name}: no case meets rule `{}`", rule.id);
            assert!(rows.iter().all(|o| !o.errored.contains(&k)), "{name}: rule `{}` erred", rule.id);
        }
        let review = (0..cols.len()).filter(|r| batch.supervisor_review.get(*r)).count();
        let has_factors = policy.rules.iter().any(|r| r.role == docket_policy::policy::Role::Mitigating);
        assert_eq!(review > 0, has_factors, "{name}: {review} cases for supervisor review");
    }
}
