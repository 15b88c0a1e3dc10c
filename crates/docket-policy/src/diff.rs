//! Policy diff: before a policy is adopted, which cases it would move and why. Both policies are
//! run by the batch plan over the same rows; every row whose tier or supervisor review (priority)
//! or agency-gate decision (gate, per action) differs is counted under the rule that explains the
//! move, with a few examples.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::answer::{AnswerError, gate_batch, priority_batch};
use crate::facts::FactColumns;
use crate::policy::{AgencyPolicy, BatchOutcome, PolicyKind};

/// A kind of move, in indexes (strings are made once per kind, not per case): the old tier (or
/// deny as 1), its review, the new tier (or deny), its review, the gate action's index, and
/// the rule (whether of the new policy, its index).
type MoveKey = (u8, bool, u8, bool, Option<usize>, Option<(bool, usize)>);

/// How many examples each change keeps.
pub const EXAMPLES: usize = 5;

/// One kind of move: from what, to what, by which rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Under the old policy: a tier (`none` for none), or `allow`/`deny` for a gate action;
    /// `+review` is appended when the case goes to supervisor review.
    pub from: String,
    /// Under the new policy, likewise.
    pub to: String,
    /// The gate action, for a gate policy.
    pub action: Option<String>,
    /// The rule that explains the move: the new policy's rule that placed or barred the case,
    /// or, when the new policy places or bars it nowhere, the old policy's rule that did.
    pub rule: String,
    /// How many cases.
    pub cases: usize,
    /// Some of them (row numbers of the columns, with the caller's case ids when given).
    pub examples: Vec<Example>,
}

/// A case that moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// Its row in the columns.
    pub row: usize,
    /// Its case id, when the caller gave the ids.
    pub case_id: Option<String>,
}

/// What adopting `new` in place of `old` would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDiff {
    /// The old policy (name and version).
    pub old: String,
    /// The new policy.
    pub new: String,
    /// The cases compared.
    pub cases: usize,
    /// Cases whose tier changes (priority).
    pub tier_changed: usize,
    /// Cases whose supervisor review changes (priority).
    pub review_changed: usize,
    /// Cases whose decision changes for at least one action (gate).
    pub gate_changed: usize,
    /// Every kind of move, the largest first.
    pub changes: Vec<Change>,
}

fn first_rule(policy: &AgencyPolicy, outcome: &BatchOutcome, row: usize, tier: Option<u8>) -> Option<usize> {
    let r = outcome.row(row);
    r.satisfied
        .iter()
        .chain(&r.errored)
        .find(|i| match (tier, &policy.rules[**i].role) {
            (Some(t), crate::policy::Role::Tier(rt)) => usize::from(t) == *rt,
            (Some(_), _) => false,
            (None, _) => true,
        })
        .copied()
}

/// The diff of `old` and `new` (both priority, or both gate) over `cols`; `ids` are the rows'
/// case ids, if the caller wants them in the examples.
pub fn diff(
    old: &AgencyPolicy,
    new: &AgencyPolicy,
    cols: &FactColumns,
    ids: Option<&[String]>,
    threads: usize,
) -> Result<PolicyDiff, AnswerError> {
    if old.kind != new.kind {
        return Err(AnswerError::WrongKind { policy: new.id.clone(), actual: new.kind, wanted: old.kind });
    }
    let mut groups: BTreeMap<MoveKey, (usize, Vec<Example>)> = BTreeMap::new();
    let mut add = |key: MoveKey, row: usize| {
        let g = groups.entry(key).or_default();
        g.0 += 1;
        if g.1.len() < EXAMPLES {
            g.1.push(Example { row, case_id: ids.and_then(|ids| ids.get(row)).cloned() });
        }
    };
    let (mut tier_changed, mut review_changed, mut gate_changed) = (0, 0, 0);
    match old.kind {
        PolicyKind::Priority => {
            let a = priority_batch(old, cols, threads)?;
            let b = priority_batch(new, cols, threads)?;
            fn tier(p: &AgencyPolicy, t: u8) -> &str {
                p.tiers.get(usize::from(t)).map_or("none", String::as_str)
            }
            for row in 0..cols.len() {
                let (ta, tb) = (a.tiers[row], b.tiers[row]);
                let (ra, rb) = (a.supervisor_review.get(row), b.supervisor_review.get(row));
                // Tiers of different policies are compared by name.
                let (na, nb) = (tier(old, ta), tier(new, tb));
                if na == nb && ra == rb {
                    continue;
                }
                tier_changed += usize::from(na != nb);
                review_changed += usize::from(ra != rb);
                let tier_of = |t: u8| (t != u8::MAX).then_some(t);
                let rule = first_rule(new, &b.outcome, row, tier_of(tb))
                    .map(|i| (true, i))
                    .or_else(|| first_rule(old, &a.outcome, row, tier_of(ta)).map(|i| (false, i)));
                add((ta, ra, tb, rb, None, rule), row);
            }
        }
        PolicyKind::Gate => {
            let mut changed = crate::facts::Bits::zeros(cols.len());
            for action in [Action::Arrest, Action::Detain, Action::ContinueDetention, Action::Transfer] {
                diff_gate(old, new, cols, action, threads, &mut changed, &mut add)?;
            }
            // Removal's agency bars do not depend on the country.
            let remove = Action::Remove { to: docket_core::Country::parse("MEX").map_err(|_| wrong(new))? };
            diff_gate(old, new, cols, remove, threads, &mut changed, &mut add)?;
            gate_changed = changed.count();
        }
    }
    let mut changes: Vec<Change> = groups
        .into_iter()
        .map(|((ta, ra, tb, rb, action, rule), (cases, examples))| {
            let side = |p: &AgencyPolicy, t: u8, review: bool| {
                let name = match action {
                    Some(_) => {
                        if t == 1 {
                            "deny"
                        } else {
                            "allow"
                        }
                    }
                    None => p.tiers.get(usize::from(t)).map_or("none", String::as_str),
                };
                if review { format!("{name}+review") } else { name.to_owned() }
            };
            let rule = match rule {
                Some((true, i)) => new.rules[i].id.clone(),
                Some((false, i)) => old.rules[i].id.clone(),
                None => "(no rule)".to_owned(),
            };
            Change {
                from: side(old, ta, ra),
                to: side(new, tb, rb),
                action: action.map(|a| crate::schema::ACTIONS[a].to_owned()),
                rule,
                cases,
                examples,
            }
        })
        .collect();
    changes.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.rule.cmp(&b.rule)));
    Ok(PolicyDiff {
        old: format!("{} {}", old.id, old.version),
        new: format!("{} {}", new.id, new.version),
        cases: cols.len(),
        tier_changed,
        review_changed,
        gate_changed,
        changes,
    })
}

fn wrong(p: &AgencyPolicy) -> AnswerError {
    AnswerError::WrongKind { policy: p.id.clone(), actual: p.kind, wanted: PolicyKind::Gate }
}

fn diff_gate(
    old: &AgencyPolicy,
    new: &AgencyPolicy,
    cols: &FactColumns,
    action: Action,
    threads: usize,
    changed: &mut crate::facts::Bits,
    add: &mut impl FnMut(MoveKey, usize),
) -> Result<(), AnswerError> {
    let (a, oa) = gate_batch(old, cols, action, threads)?;
    let (b, ob) = gate_batch(new, cols, action, threads)?;
    for w in 0..a.words().len() {
        let mut diff = a.words()[w] ^ b.words()[w];
        while diff != 0 {
            let row = w * 64 + diff.trailing_zeros() as usize;
            diff &= diff - 1;
            changed.set(row, true);
            let (da, db) = (a.get(row), b.get(row));
            let rule = if db {
                first_rule(new, &ob, row, None).map(|i| (true, i))
            } else {
                first_rule(old, &oa, row, None).map(|i| (false, i))
            };
            add((u8::from(da), false, u8::from(db), false, Some(crate::answer::action_index(action)), rule), row);
        }
    }
    Ok(())
}
