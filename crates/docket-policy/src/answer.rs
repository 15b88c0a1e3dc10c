//! Answers under an agency policy: a case's priority (tier, supervisor review, every reason)
//! and its gate (the statutory gate, then the agency's bars), for one case with the facts and
//! events behind each reason, and for a whole docket as columns.
//!
//! One case is answered by Cedar's own authorizer (the reference semantics); a docket by the
//! batch plan. The differential test holds the two to the same decisions.

use docket_core::{CaseSummary, PersonFacts, Timestamp};
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::facts::{Bits, CaseFacts, FactColumns};
use crate::gate::{GateDecision, gate};
use crate::policy::{AgencyPolicy, PRIORITIZE, PolicyKind, Role, RuleOutcome};
use crate::view::{GateView, Verdict};

/// One rule of an agency policy that counted in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyReason {
    /// The rule's `@id`.
    pub rule: String,
    /// `bar`, `tier`, `aggravating`, `mitigating`, or `evaluation_error` when the rule could
    /// not be evaluated (which denies, or routes to supervisor review).
    pub role: String,
    /// The tier, for a tier's rule.
    pub tier: Option<String>,
    /// Why, in words (the rule's `@reason`; for an error, what failed).
    pub reason: String,
    /// The facts the rule reads.
    pub facts: Vec<String>,
    /// The recorded events those facts rest on.
    pub basis: Vec<String>,
}

/// A case's priority under a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityAnswer {
    /// The policy's name.
    pub policy: String,
    /// Its version.
    pub version: String,
    /// The highest tier one of whose rules the case meets; none when it meets none.
    pub tier: Option<String>,
    /// A mitigating factor applies (or a rule could not be evaluated): a supervisor decides,
    /// the tier notwithstanding.
    pub supervisor_review: bool,
    /// Every rule that counted: the tier's rules, aggravating and mitigating factors, errors.
    pub reasons: Vec<PolicyReason>,
}

/// A gate's answer with an agency gate policy on top of the statutory gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyGateDecision {
    /// The statutory gate's answer, which no policy can change to Allow.
    pub statutory: GateDecision,
    /// The agency policy's bars (none when it bars nothing, or when no policy is in force).
    pub agency: Vec<PolicyReason>,
}

impl PolicyGateDecision {
    /// Allowed only when the statutory gate allows and the agency policy bars nothing.
    pub fn is_allowed(&self) -> bool {
        self.statutory.is_allowed() && self.agency.is_empty()
    }
}

/// [`PolicyGateDecision`] for the shells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyGateView {
    /// The statutory gate's answer.
    pub statutory: GateView,
    /// The agency policy in force (name and version), if any.
    pub policy: Option<String>,
    /// Allow only when both allow.
    pub decision: Verdict,
    /// The agency policy's bars.
    pub agency_reasons: Vec<PolicyReason>,
}

fn reason(policy: &AgencyPolicy, facts: Option<&CaseFacts>, rule: usize, errored: bool) -> PolicyReason {
    let r = &policy.rules[rule];
    let mut basis: Vec<String> = Vec::new();
    if let Some(facts) = facts {
        for f in &r.compiled.facts {
            basis.extend(facts.basis(*f).iter().map(ToString::to_string));
        }
    }
    basis.sort();
    basis.dedup();
    PolicyReason {
        rule: r.id.clone(),
        role: if errored { "evaluation_error".to_owned() } else { r.role.name().to_owned() },
        tier: match r.role {
            Role::Tier(t) => Some(policy.tiers[t].clone()),
            _ => None,
        },
        reason: if errored {
            format!("the rule could not be evaluated on this case's facts ({})", r.reason)
        } else {
            r.reason.clone()
        },
        facts: r.compiled.facts.iter().map(|f| f.name().to_owned()).collect(),
        basis,
    }
}

/// The tier (index) and supervisor-review flag an outcome gives under `policy`.
pub fn rank(policy: &AgencyPolicy, outcome: &RuleOutcome) -> (Option<usize>, bool) {
    let tier = outcome
        .satisfied
        .iter()
        .filter_map(|i| match policy.rules[*i].role {
            Role::Tier(t) => Some(t),
            _ => None,
        })
        .min();
    let review =
        !outcome.errored.is_empty() || outcome.satisfied.iter().any(|i| policy.rules[*i].role == Role::Mitigating);
    (tier, review)
}

/// The priority answer from an outcome (Cedar's or the plan's), with the facts' events when
/// `facts` carries them.
pub fn priority_answer(policy: &AgencyPolicy, outcome: &RuleOutcome, facts: Option<&CaseFacts>) -> PriorityAnswer {
    let (tier, supervisor_review) = rank(policy, outcome);
    let mut reasons: Vec<PolicyReason> = outcome.satisfied.iter().map(|i| reason(policy, facts, *i, false)).collect();
    // The tier's rules first, then aggravating, then mitigating factors, then errors.
    reasons.sort_by_key(|r| match r.role.as_str() {
        "tier" => 0,
        "aggravating" => 1,
        _ => 2,
    });
    reasons.extend(outcome.errored.iter().map(|i| reason(policy, facts, *i, true)));
    PriorityAnswer {
        policy: policy.id.clone(),
        version: policy.version.clone(),
        tier: tier.map(|t| policy.tiers[t].clone()),
        supervisor_review,
        reasons,
    }
}

/// Errors of [`priority`] and [`gate_under`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// A gate policy given where a priority policy is needed, or the reverse.
    #[error("policy `{policy}` is a {actual:?} policy; a {wanted:?} policy is needed")]
    WrongKind {
        /// The policy.
        policy: String,
        /// What it is.
        actual: PolicyKind,
        /// What was needed.
        wanted: PolicyKind,
    },
}

fn kind(policy: &AgencyPolicy, wanted: PolicyKind) -> Result<(), AnswerError> {
    if policy.kind == wanted {
        Ok(())
    } else {
        Err(AnswerError::WrongKind { policy: policy.id.clone(), actual: policy.kind, wanted })
    }
}

/// The priority of the case `case` at `t` under `policy`, every reason with its facts and
/// events.
pub fn priority(
    policy: &AgencyPolicy,
    case: &CaseSummary,
    person: &PersonFacts,
    t: Timestamp,
) -> Result<PriorityAnswer, AnswerError> {
    kind(policy, PolicyKind::Priority)?;
    let facts = CaseFacts::from_summary(case, person, t);
    Ok(priority_answer(policy, &policy.cedar_outcome(&facts, PRIORITIZE), Some(&facts)))
}

/// The index of a gate action in [`crate::schema::ACTIONS`].
pub fn action_index(action: Action) -> usize {
    match action {
        Action::Arrest => 0,
        Action::Detain => 1,
        Action::ContinueDetention => 2,
        Action::Release => 3,
        Action::Transfer => 4,
        Action::Remove { .. } => 5,
    }
}

/// Whether `action` may be taken on `case` at `t`: the statutory gate, then the agency gate
/// policy's bars. The statutory Deny always stands; the policy can only add bars. A bar whose
/// evaluation erred denies, naming its rule (Cedar alone would skip a `forbid` that errs).
pub fn gate_under(
    policy: Option<&AgencyPolicy>,
    case: &CaseSummary,
    person: &PersonFacts,
    action: Action,
    t: Timestamp,
) -> Result<PolicyGateDecision, AnswerError> {
    let statutory = gate(case, person, action, t);
    let Some(policy) = policy else { return Ok(PolicyGateDecision { statutory, agency: vec![] }) };
    kind(policy, PolicyKind::Gate)?;
    let facts = CaseFacts::from_summary(case, person, t);
    let outcome = policy.cedar_outcome(&facts, action_index(action));
    let mut agency: Vec<PolicyReason> =
        outcome.satisfied.iter().map(|i| reason(policy, Some(&facts), *i, false)).collect();
    agency.extend(outcome.errored.iter().map(|i| reason(policy, Some(&facts), *i, true)));
    Ok(PolicyGateDecision { statutory, agency })
}

impl PolicyGateView {
    /// The view of `decision`, for `action` on `case` at `at` under `policy`.
    pub fn new(
        case: &docket_core::CaseId,
        action: Action,
        at: Timestamp,
        policy: Option<&AgencyPolicy>,
        decision: &PolicyGateDecision,
    ) -> PolicyGateView {
        PolicyGateView {
            statutory: GateView::new(case, action, at, &decision.statutory),
            policy: policy.map(|p| format!("{} {}", p.id, p.version)),
            decision: if decision.is_allowed() { Verdict::Allow } else { Verdict::Deny },
            agency_reasons: decision.agency.clone(),
        }
    }
}

/// A docket's priorities as columns: per row its tier (index into the policy's tiers,
/// [`BatchPriority::NO_TIER`] when none) and whether it goes to supervisor review. Reasons are
/// recovered per row on demand ([`BatchPriority::answer`]).
#[derive(Debug, Clone)]
pub struct BatchPriority {
    /// Tier per row.
    pub tiers: Vec<u8>,
    /// Rows routed to supervisor review.
    pub supervisor_review: Bits,
    /// Each rule's rows.
    pub outcome: crate::policy::BatchOutcome,
}

impl BatchPriority {
    /// No tier.
    pub const NO_TIER: u8 = u8::MAX;

    /// Row `row`'s answer (reasons without their events: columns do not keep them).
    pub fn answer(&self, policy: &AgencyPolicy, row: usize) -> PriorityAnswer {
        priority_answer(policy, &self.outcome.row(row), None)
    }
}

/// Every row's priority under `policy`, computed by the batch plan on `threads` threads.
pub fn priority_batch(policy: &AgencyPolicy, cols: &FactColumns, threads: usize) -> Result<BatchPriority, AnswerError> {
    kind(policy, PolicyKind::Priority)?;
    let outcome = policy.batch_outcomes(cols, PRIORITIZE, threads);
    let words = cols.len().div_ceil(64);
    let mut tiers = vec![BatchPriority::NO_TIER; cols.len()];
    let mut review = Bits::zeros(cols.len());
    let sets = &outcome.outcomes;
    let rules: Vec<&Role> = outcome.rules.iter().map(|i| &policy.rules[*i].role).collect();
    let review_words = review.words_mut();
    for w in 0..words {
        let mut unassigned = u64::MAX;
        let mut rv = 0u64;
        for (k, role) in rules.iter().enumerate() {
            rv |= sets.errored[k].words()[w];
            if **role == Role::Mitigating {
                rv |= sets.satisfied[k].words()[w];
            }
        }
        review_words[w] = rv;
        for t in 0..policy.tiers.len() {
            let mut m = 0u64;
            for (k, role) in rules.iter().enumerate() {
                if **role == Role::Tier(t) {
                    m |= sets.satisfied[k].words()[w];
                }
            }
            let mut hit = m & unassigned;
            unassigned &= !m;
            while hit != 0 {
                let b = hit.trailing_zeros() as usize;
                tiers[w * 64 + b] = t as u8;
                hit &= hit - 1;
            }
        }
    }
    Ok(BatchPriority { tiers, supervisor_review: review, outcome })
}

/// Every row's agency-gate bars for `action` under `policy`, by the batch plan: the rows that
/// any rule bars (satisfied or erred). The statutory gate is asked per case by [`gate`].
pub fn gate_batch(
    policy: &AgencyPolicy,
    cols: &FactColumns,
    action: Action,
    threads: usize,
) -> Result<(Bits, crate::policy::BatchOutcome), AnswerError> {
    kind(policy, PolicyKind::Gate)?;
    let outcome = policy.batch_outcomes(cols, action_index(action), threads);
    let mut barred = Bits::zeros(cols.len());
    for (s, e) in outcome.outcomes.satisfied.iter().zip(&outcome.outcomes.errored) {
        for (w, out) in barred.words_mut().iter_mut().enumerate() {
            *out |= s.words()[w] | e.words()[w];
        }
    }
    Ok((barred, outcome))
}
