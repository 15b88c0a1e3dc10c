//! The batch plan against Cedar's own authorizer: on random cases, for the shipped policies
//! and for randomly generated ones (reads of optional facts left unguarded included, so that
//! evaluation errors occur), both give the same decision, tier, supervisor review and set of
//! determining rules. Zero mismatches.

use docket_policy::answer::rank;
use docket_policy::facts::{CaseFacts, FACTS, FactColumns, FactType};
use docket_policy::policy::{AgencyPolicy, PRIORITIZE, PolicyKind};
use docket_policy::schema::ACTIONS;
use docket_policy::{SHIPPED, shipped};

#[path = "random/mod.rs"]
mod random;

use random::{Rng, date, random_facts};

fn cases(n: usize, seed: u64) -> (Vec<CaseFacts>, FactColumns) {
    let mut rng = Rng(seed);
    let facts: Vec<CaseFacts> = (0..n).map(|_| random_facts(&mut rng)).collect();
    let mut cols = FactColumns::with_capacity(n);
    for f in &facts {
        cols.push(f);
    }
    (facts, cols)
}

/// Compares every row and every action the policy has rules for; returns the mismatches.
fn mismatches(policy: &AgencyPolicy, facts: &[CaseFacts], cols: &FactColumns) -> Vec<String> {
    let mut bad = Vec::new();
    let actions: Vec<usize> = match policy.kind {
        PolicyKind::Priority => vec![PRIORITIZE],
        PolicyKind::Gate => vec![0, 1, 2, 4, 5],
    };
    for action in actions {
        let batch = policy.batch_outcomes(cols, action, 2);
        for (row, f) in facts.iter().enumerate() {
            let cedar = policy.cedar_outcome(f, action);
            let plan = batch.row(row);
            let same = match policy.kind {
                // Tier, review and the determining rules.
                PolicyKind::Priority => cedar == plan && rank(policy, &cedar) == rank(policy, &plan),
                // Deny exactly when some rule is satisfied or erred, and by the same rules.
                PolicyKind::Gate => cedar == plan,
            };
            if !same && bad.len() < 10 {
                bad.push(format!(
                    "{} {} row {row}: Cedar {cedar:?}, plan {plan:?}, facts {f:?}",
                    policy.id, ACTIONS[action]
                ));
            }
        }
    }
    bad
}

#[test]
fn the_plan_agrees_with_cedar_on_100_000_random_cases_for_every_shipped_policy() {
    let (facts, cols) = cases(100_000, 20);
    for (name, _) in SHIPPED {
        let policy = shipped(name).expect("shipped").expect("loads");
        let bad = mismatches(&policy, &facts, &cols);
        assert!(bad.is_empty(), "{} mismatches, first: {bad:#?}", bad.len());
    }
}

// Random policies: conditions built from every construct of the supported subset.

fn atom(rng: &mut Rng) -> String {
    let pick = |rng: &mut Rng, ty: fn(&FactType) -> bool| {
        let candidates: Vec<_> = FACTS.iter().filter(|d| ty(&d.ty)).collect();
        candidates[rng.below(candidates.len() as u64) as usize]
    };
    let cmp = ["==", "!=", "<", "<=", ">", ">="];
    match rng.below(7) {
        0 => format!("resource.{}", pick(rng, |t| *t == FactType::Bool).name),
        1 => {
            let opt: Vec<_> = FACTS.iter().filter(|d| d.optional).collect();
            format!("resource has {}", opt[rng.below(opt.len() as u64) as usize].name)
        }
        2 => {
            let d = pick(rng, |t| *t == FactType::Long);
            let n = rng.below(30);
            if rng.chance(50) {
                format!("resource.{} {} {n}", d.name, cmp[rng.below(6) as usize])
            } else {
                format!("{n} {} resource.{}", cmp[rng.below(6) as usize], d.name)
            }
        }
        3 => {
            let d = pick(rng, |t| *t == FactType::Date);
            format!("resource.{} {} datetime(\"{}\")", d.name, cmp[2 + rng.below(4) as usize], date(rng))
        }
        4 => {
            let d = pick(rng, |t| matches!(t, FactType::Enum(_)));
            let FactType::Enum(names) = d.ty else { unreachable!() };
            let name = if rng.chance(10) { "nonsense" } else { names[rng.below(names.len() as u64) as usize] };
            format!("resource.{} {} \"{name}\"", d.name, if rng.chance(70) { "==" } else { "!=" })
        }
        5 => {
            let d = pick(rng, |t| matches!(t, FactType::Enum(_)));
            let FactType::Enum(names) = d.ty else { unreachable!() };
            let set: Vec<String> = (0..1 + rng.below(3))
                .map(|_| format!("\"{}\"", names[rng.below(names.len() as u64) as usize]))
                .collect();
            format!("[{}].contains(resource.{})", set.join(", "), d.name)
        }
        _ => {
            let d = pick(rng, |t| *t == FactType::Long);
            format!("[0, {}].contains(resource.{})", rng.below(5), d.name)
        }
    }
}

fn condition(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.chance(30) {
        return atom(rng);
    }
    match rng.below(5) {
        0 => format!("!({})", condition(rng, depth - 1)),
        1 | 2 => format!("({} && {})", condition(rng, depth - 1), condition(rng, depth - 1)),
        3 => format!("({} || {})", condition(rng, depth - 1), condition(rng, depth - 1)),
        _ => format!(
            "(if {} then {} else {})",
            condition(rng, depth - 1),
            condition(rng, depth - 1),
            condition(rng, depth - 1)
        ),
    }
}

fn guarded(rng: &mut Rng) -> String {
    // Half the conditions guard their optional reads as validation demands, half not.
    let c = condition(rng, 3);
    if rng.chance(50) {
        return c;
    }
    let opt: Vec<String> =
        FACTS.iter().filter(|d| d.optional && c.contains(d.name)).map(|d| format!("resource has {}", d.name)).collect();
    if opt.is_empty() { c } else { format!("{} && {c}", opt.join(" && ")) }
}

fn random_policy(rng: &mut Rng, kind: PolicyKind, n: usize) -> String {
    let mut text = match kind {
        PolicyKind::Priority => {
            "// policy: random\n// version: 1\n// effective: 2025-01-01\n// kind: priority\n// tiers: t0, t1, t2\n"
                .to_owned()
        }
        PolicyKind::Gate => "// policy: random\n// version: 1\n// effective: 2025-01-01\n// kind: gate\n".to_owned(),
    };
    for i in 0..n {
        let unless = if rng.chance(30) { format!(" unless {{ {} }}", guarded(rng)) } else { String::new() };
        match kind {
            PolicyKind::Priority => {
                let role = match i {
                    0..=2 => format!("@tier(\"t{i}\")"),
                    _ => match rng.below(4) {
                        0 => "@factor(\"aggravating\")".to_owned(),
                        1 => "@factor(\"mitigating\")".to_owned(),
                        k => format!("@tier(\"t{}\")", k - 1),
                    },
                };
                text.push_str(&format!(
                    "@id(\"r{i}\") {role} @reason(\"random\")\npermit (principal, action == Action::\"prioritize\", resource) when {{ {} }}{unless};\n",
                    guarded(rng)
                ));
            }
            PolicyKind::Gate => {
                let acts = ["arrest", "detain", "continue_detention", "transfer", "remove"];
                let chosen: Vec<String> =
                    acts.iter().filter(|_| rng.chance(50)).map(|a| format!("Action::\"{a}\"")).collect();
                let scope = if chosen.is_empty() {
                    "action == Action::\"remove\"".to_owned()
                } else {
                    format!("action in [{}]", chosen.join(", "))
                };
                text.push_str(&format!(
                    "@id(\"r{i}\") @reason(\"random\")\nforbid (principal, {scope}, resource) when {{ {} }}{unless};\n",
                    guarded(rng)
                ));
            }
        }
    }
    text
}

#[test]
fn the_plan_agrees_with_cedar_on_random_policies_evaluation_errors_included() {
    let (facts, cols) = cases(4_000, 7);
    let mut rng = Rng(99);
    let mut errors_seen = 0;
    for round in 0..30 {
        let kind = if round % 2 == 0 { PolicyKind::Priority } else { PolicyKind::Gate };
        let text = random_policy(&mut rng, kind, 8);
        let policy = AgencyPolicy::load_unvalidated("random.cedar", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let bad = mismatches(&policy, &facts, &cols);
        assert!(bad.is_empty(), "policy:\n{text}\nmismatches: {bad:#?}");
        let action = if kind == PolicyKind::Priority { PRIORITIZE } else { 5 };
        errors_seen += facts.iter().take(200).filter(|f| !policy.cedar_outcome(f, action).errored.is_empty()).count();
    }
    // The error model is exercised, not only the happy path.
    assert!(errors_seen > 0, "no random policy erred on any case");
}
