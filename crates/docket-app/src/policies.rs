//! Agency policies adopted as acts of record: the text of a policy file, its SHA-256, who
//! adopted it, when, and from what instant it is in force, stored as a ledger leaf
//! (`docs/ledger.md`, the policy leaf). Which policy is in force at an instant is a question
//! over those records alone.
//!
//! What a policy says is `docket-policy`'s to read, validate and answer: a policy is loaded
//! (and refused, with its line and column) by `docket_policy::AgencyPolicy::load`, here before
//! it is adopted, checked or compared, and from its stored text when it is in force.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use docket_core::Timestamp;
use docket_policy::AgencyPolicy;
pub use docket_policy::TestReport;
use serde::Serialize;

use crate::AppError;

/// What kind of policy a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Restrictions an agency adds on top of the statutory gate.
    Gate,
    /// Priority tiers.
    Priority,
}

impl PolicyKind {
    /// The kind's name, as a header and the JSON write it.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Gate => "gate",
            PolicyKind::Priority => "priority",
        }
    }

    /// Reads a kind's name.
    pub fn parse(text: &str) -> Result<PolicyKind, AppError> {
        match text.trim() {
            "gate" => Ok(PolicyKind::Gate),
            "priority" => Ok(PolicyKind::Priority),
            other => Err(AppError::Invalid {
                field: "kind".into(),
                reason: format!("`{other}` is not a kind of policy: expected `gate` or `priority`"),
            }),
        }
    }
}

impl From<docket_policy::PolicyKind> for PolicyKind {
    fn from(k: docket_policy::PolicyKind) -> PolicyKind {
        match k {
            docket_policy::PolicyKind::Gate => PolicyKind::Gate,
            docket_policy::PolicyKind::Priority => PolicyKind::Priority,
        }
    }
}

/// Loads a policy file: its header (`// policy:`, `// version:`, `// effective:`, `// kind:`
/// and, for a priority policy, `// tiers:`), its Cedar text, validated against the schema of
/// adjudicated facts, and its compiled plan. `file` names it in errors, which give the line
/// and column.
pub fn load(file: &str, text: &str) -> Result<AgencyPolicy, AppError> {
    Ok(AgencyPolicy::load(file, text)?)
}

/// One rule of a policy, as `policy check` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleView {
    /// Its `@id`.
    pub id: String,
    /// `bar`, `tier`, `aggravating` or `mitigating`.
    pub role: &'static str,
    /// The tier, for a tier's rule.
    pub tier: Option<String>,
    /// Its `@reason`.
    pub reason: String,
    /// The actions it applies to (a gate policy's bars).
    pub actions: Vec<&'static str>,
    /// The adjudicated facts it reads.
    pub facts: Vec<&'static str>,
}

/// A policy file that loads, as `policy check` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyCheckView {
    /// The file, as named.
    pub file: String,
    /// The policy's id.
    pub policy_id: String,
    /// Its version.
    pub version: String,
    /// Its kind.
    pub kind: PolicyKind,
    /// The date its header gives.
    pub effective: String,
    /// Its tiers, highest first (priority policies).
    pub tiers: Vec<String>,
    /// Its rules, in file order.
    pub rules: Vec<RuleView>,
    /// SHA-256 of its text, hex: what adopting it would record.
    pub sha256: String,
}

/// Checks a policy file: it loads, validates against the schema and compiles, or the first
/// error is returned with its line and column.
pub fn check(file: &str, text: &str) -> Result<PolicyCheckView, AppError> {
    let p = load(file, text)?;
    let rules = p
        .rules
        .iter()
        .map(|r| RuleView {
            id: r.id.clone(),
            role: r.role.name(),
            tier: match r.role {
                docket_policy::policy::Role::Tier(t) => p.tiers.get(t).cloned(),
                _ => None,
            },
            reason: r.reason.clone(),
            actions: match p.kind {
                docket_policy::PolicyKind::Gate => {
                    r.compiled.actions.iter().filter_map(|a| docket_policy::schema::ACTIONS.get(*a).copied()).collect()
                }
                docket_policy::PolicyKind::Priority => vec![],
            },
            facts: r.compiled.facts.iter().map(|f| f.name()).collect(),
        })
        .collect();
    Ok(PolicyCheckView {
        file: file.to_owned(),
        policy_id: p.id.clone(),
        version: p.version.clone(),
        kind: p.kind.into(),
        effective: p.effective.to_string(),
        tiers: p.tiers.clone(),
        rules,
        sha256: docket_store::ledger::policy_sha256(text),
    })
}

/// Runs the policy tests of a directory (`*.test.toml` beside the `*.cedar` files they test),
/// each case answered by Cedar's authorizer and by the batch plan.
pub fn run_tests(dir: &std::path::Path) -> Result<docket_policy::TestReport, AppError> {
    Ok(docket_policy::run_dir(dir)?)
}

/// Policies loaded from their stored text, by SHA-256: a policy in force is parsed and
/// compiled once per process, not at every read.
#[derive(Default)]
pub(crate) struct Loaded {
    by_sha256: Mutex<HashMap<String, Arc<AgencyPolicy>>>,
}

impl Loaded {
    /// The stored policy `id`, loaded. A stored text that no longer loads is an error naming
    /// the record: what it decides cannot be answered, so nothing is (fail closed).
    pub(crate) fn get(&self, id: i64, p: &docket_store::ledger::PolicyRow) -> Result<Arc<AgencyPolicy>, AppError> {
        let mut cache = self.by_sha256.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(loaded) = cache.get(&p.sha256) {
            return Ok(loaded.clone());
        }
        let loaded = Arc::new(load(&format!("policy/{id}"), &p.text)?);
        cache.insert(p.sha256.clone(), loaded.clone());
        Ok(loaded)
    }
}

/// The policy of `kind` in force at `t`, its record and its loaded text.
pub(crate) fn loaded_in_force(
    adopted: &[(i64, docket_store::ledger::PolicyRow)],
    kind: PolicyKind,
    t: Timestamp,
    loaded: &Loaded,
) -> Result<Option<(PolicyView, Arc<AgencyPolicy>)>, AppError> {
    let Some(view) = in_force(adopted, kind, t) else { return Ok(None) };
    let Some((id, row)) = adopted.iter().find(|(id, _)| format!("policy/{id}") == view.leaf) else {
        return Ok(None);
    };
    Ok(Some((view, loaded.get(*id, row)?)))
}

/// An adopted policy, as recorded (its text aside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyView {
    /// Its record in the ledger (`policy/N`, for `ledger prove`).
    pub leaf: String,
    /// The policy's id, from its header.
    pub policy_id: String,
    /// Its version, from its header.
    pub version: String,
    /// Its kind.
    pub kind: String,
    /// From when it is in force (RFC 3339).
    pub effective_at: String,
    /// SHA-256 of its text, hex.
    pub sha256: String,
    /// Who adopted it.
    pub adopted_by: String,
    /// When.
    pub adopted_at: String,
}

impl PolicyView {
    pub(crate) fn of(id: i64, p: &docket_store::ledger::PolicyRow) -> PolicyView {
        PolicyView {
            leaf: format!("policy/{id}"),
            policy_id: p.policy_id.clone(),
            version: p.version.clone(),
            kind: p.kind.clone(),
            effective_at: p.effective_at.clone(),
            sha256: p.sha256.clone(),
            adopted_by: p.adopted_by.clone(),
            adopted_at: p.adopted_at.clone(),
        }
    }
}

/// The policy of `kind` in force at `t` among `adopted` (in the order adopted): the one that
/// took effect last at or before `t`; of two taking effect at the same instant, the one
/// adopted later. A row whose instant cannot be read is never in force.
pub(crate) fn in_force(
    adopted: &[(i64, docket_store::ledger::PolicyRow)],
    kind: PolicyKind,
    t: Timestamp,
) -> Option<PolicyView> {
    adopted
        .iter()
        .filter(|(_, p)| p.kind == kind.name())
        .filter_map(|(id, p)| Timestamp::parse(&p.effective_at).ok().filter(|at| *at <= t).map(|at| (at, *id, p)))
        .max_by_key(|(at, id, _)| (*at, *id))
        .map(|(_, id, p)| PolicyView::of(id, p))
}

/// What adopting one policy in place of another would change on the docket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDiffView {
    /// The instant the docket was read as of.
    pub as_of: String,
    /// What the read was recorded as (one access of the docket).
    pub recorded_as: String,
    /// The changes: counts, moves by rule, examples by case id.
    #[serde(flatten)]
    pub diff: docket_policy::PolicyDiff,
    /// Projections that could not be read (listed, not compared).
    pub unreadable: Vec<crate::views::UnreadableCase>,
}
