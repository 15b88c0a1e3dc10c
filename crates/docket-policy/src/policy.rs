//! Agency policy files: a header of `// key: value` comment lines (so the whole file is Cedar
//! and line numbers are Cedar's) and Cedar policies, each with an explicit `@id`. Loading
//! parses, checks the header and the annotations, compiles every policy into the batch plan
//! (refusing what is outside the supported subset) and validates strictly against the schema
//! of facts; every error names its line and column.
//!
//! ```text
//! // policy: every-final-order-alike
//! // version: 1
//! // effective: 2025-01-01
//! // kind: priority
//! // tiers: final_order, other
//!
//! @id("final_order") @tier("final_order") @reason("an administratively final order of removal")
//! permit (principal, action == Action::"prioritize", resource) when { resource.final_order };
//! ```

use std::collections::BTreeSet;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Effect, Entities, Entity, EntityUid, PolicyId, PolicySet, Request, RestrictedExpression,
    ValidationMode, Validator,
};
use docket_core::Date;

use crate::facts::{CaseFacts, Fact, FactValue};
use crate::plan::{self, Compiled, SubsetError};
use crate::schema::{ACTIONS, schema};

/// The index of `prioritize` in [`ACTIONS`].
pub const PRIORITIZE: usize = 6;

/// Gate policies add bars; priority policies rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Agency gate: `forbid` policies on enforcement actions, added to the statutory gate.
    Gate,
    /// Priority: `permit` policies on `prioritize`, each a tier's rule or a factor.
    Priority,
}

/// What one rule (one Cedar policy) of a file does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A bar on the actions it names (gate files).
    Bar,
    /// Puts the case in the tier at this index of the header's `tiers` (priority files).
    Tier(usize),
    /// An aggravating factor: a named reason, no change of tier.
    Aggravating,
    /// A mitigating factor: routes the case to supervisor review.
    Mitigating,
}

impl Role {
    /// Its name in answers: `bar`, `tier`, `aggravating` or `mitigating`.
    pub fn name(&self) -> &'static str {
        match self {
            Role::Bar => "bar",
            Role::Tier(_) => "tier",
            Role::Aggravating => "aggravating",
            Role::Mitigating => "mitigating",
        }
    }
}

/// One rule of a policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDef {
    /// Its `@id`, stable: answers and diffs name it.
    pub id: String,
    /// Its `@reason`, in words.
    pub reason: String,
    /// What it does.
    pub role: Role,
    /// The compiled condition, the actions it applies to and the facts it reads.
    pub compiled: Compiled,
}

/// A policy file's error, with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct PolicyError {
    /// The file (as named by the caller).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A loaded, validated, compiled agency policy.
#[derive(Debug, Clone)]
pub struct AgencyPolicy {
    /// The header's `policy`: the policy's stable name.
    pub id: String,
    /// The header's `version`.
    pub version: String,
    /// The header's `effective` date.
    pub effective: Date,
    /// Gate or priority.
    pub kind: PolicyKind,
    /// The ordered tiers, highest first (priority files).
    pub tiers: Vec<String>,
    /// The rules, in file order.
    pub rules: Vec<RuleDef>,
    text: String,
    cedar: PolicySet,
}

/// The `@id` of the permit every gate file is given, so that Cedar's default is Allow and only
/// the file's forbids deny. Ids starting `docket_` are reserved.
pub const DEFAULT_PERMIT: &str = "docket_default_permit";

/// The policies shipped with Docket, by name: (name, text).
pub const SHIPPED: [(&str, &str); 4] = [
    ("dhs-2014-priorities", include_str!("../policies/dhs-2014-priorities.cedar")),
    ("dhs-2021-guidelines", include_str!("../policies/dhs-2021-guidelines.cedar")),
    ("every-final-order-alike", include_str!("../policies/every-final-order-alike.cedar")),
    ("custody-restraint", include_str!("../policies/custody-restraint.cedar")),
];

/// A shipped policy, loaded.
pub fn shipped(name: &str) -> Option<Result<AgencyPolicy, PolicyError>> {
    SHIPPED.iter().find(|(n, _)| *n == name).map(|(n, text)| AgencyPolicy::load(&format!("{n}.cedar"), text))
}

/// 1-based line and column of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    (line, column)
}

struct Header {
    id: String,
    version: String,
    effective: Date,
    kind: PolicyKind,
    tiers: Vec<String>,
}

fn header(file: &str, text: &str) -> Result<Header, PolicyError> {
    let err = |line: usize, message: String| PolicyError { file: file.to_owned(), line, column: 1, message };
    let (mut id, mut version, mut effective, mut kind, mut tiers) = (None, None, None, None, None);
    let mut last = 1;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix("//") else { break };
        last = i + 1;
        let Some((key, value)) = comment.trim().split_once(':') else { continue };
        let value = value.trim();
        match key.trim() {
            "policy" => id = Some(value.to_owned()),
            "version" => version = Some(value.to_owned()),
            "effective" => {
                effective = Some(
                    Date::parse(value)
                        .map_err(|e| err(i + 1, format!("`effective` must be a date `YYYY-MM-DD`: {e}")))?,
                )
            }
            "kind" => {
                kind = Some(match value {
                    "gate" => PolicyKind::Gate,
                    "priority" => PolicyKind::Priority,
                    _ => return Err(err(i + 1, format!("`kind` is `gate` or `priority`, not `{value}`"))),
                })
            }
            "tiers" => tiers = Some(value.split(',').map(|t| t.trim().to_owned()).collect::<Vec<_>>()),
            // Other comment lines are prose.
            _ => {}
        }
    }
    let missing = |k: &str| err(last, format!("the header has no `// {k}: ...` line"));
    let id = id.filter(|s| !s.is_empty()).ok_or_else(|| missing("policy"))?;
    let version = version.filter(|s| !s.is_empty()).ok_or_else(|| missing("version"))?;
    let effective = effective.ok_or_else(|| missing("effective"))?;
    let kind = kind.ok_or_else(|| missing("kind"))?;
    let tiers = tiers.unwrap_or_default();
    match kind {
        PolicyKind::Priority if tiers.is_empty() || tiers.iter().any(String::is_empty) => {
            return Err(err(last, "a priority policy lists its tiers, highest first: `// tiers: a, b, c`".to_owned()));
        }
        PolicyKind::Gate if !tiers.is_empty() => {
            return Err(err(last, "a gate policy has no tiers".to_owned()));
        }
        _ => {}
    }
    let unique: BTreeSet<&String> = tiers.iter().collect();
    if unique.len() != tiers.len() {
        return Err(err(last, "a tier is listed twice".to_owned()));
    }
    Ok(Header { id, version, effective, kind, tiers })
}

fn first_label(d: &dyn miette::Diagnostic) -> Option<usize> {
    d.labels().and_then(|mut l| l.next()).map(|l| l.offset())
}

impl AgencyPolicy {
    /// Loads the policy file `text` (named `file` in errors).
    pub fn load(file: &str, text: &str) -> Result<AgencyPolicy, PolicyError> {
        AgencyPolicy::load_checked(file, text, true)
    }

    /// Loads without Cedar's schema validation: only for testing that the two evaluators agree
    /// where validation would have refused a policy (an unguarded read of an optional fact,
    /// which errs). Never for a policy that decides anything.
    #[doc(hidden)]
    pub fn load_unvalidated(file: &str, text: &str) -> Result<AgencyPolicy, PolicyError> {
        AgencyPolicy::load_checked(file, text, false)
    }

    fn load_checked(file: &str, text: &str, validate: bool) -> Result<AgencyPolicy, PolicyError> {
        let at = |offset: usize, message: String| {
            let (line, column) = line_col(text, offset);
            PolicyError { file: file.to_owned(), line, column, message }
        };
        let h = header(file, text)?;
        let parsed = PolicySet::from_str(text).map_err(|errs| {
            let first = errs.iter().next();
            let offset = first.and_then(|e| first_label(e)).unwrap_or(0);
            let message = first.map(|e| e.to_string()).unwrap_or_else(|| errs.to_string());
            at(offset, message)
        })?;
        // `PolicySet::from_str` names policies `policy0`, `policy1`, ... in file order.
        let mut parsed: Vec<_> = parsed.policies().collect();
        parsed.sort_by_key(|p| p.id().to_string().trim_start_matches("policy").parse::<usize>().unwrap_or(usize::MAX));
        if parsed.is_empty() {
            return Err(at(text.len(), "the file has no policy".to_owned()));
        }
        if parsed.len() > 64 {
            return Err(at(0, "a file holds at most 64 policies".to_owned()));
        }
        let mut rules = Vec::new();
        let mut cedar = PolicySet::new();
        let mut seen = BTreeSet::new();
        // Where each policy starts, to place errors that Cedar's AST does not locate.
        let mut search_from = 0;
        let mut unsupported: Option<PolicyError> = None;
        let mut all = PolicySet::new();
        for p in parsed {
            let start = p.annotation("id").and_then(|id| text[search_from..].find(&format!("\"{id}\"")));
            let start = start.map(|s| s + search_from).unwrap_or(search_from);
            search_from = start + 1;
            let Some(id) = p.annotation("id").map(str::to_owned) else {
                return Err(at(start, format!("every policy has an explicit `@id(\"...\")`; `{}` has none", p.id())));
            };
            if id.is_empty() || id.starts_with("docket_") || !seen.insert(id.clone()) {
                return Err(at(start, format!("`@id(\"{id}\")` is empty, reserved (`docket_...`) or not unique")));
            }
            let reason = p.annotation("reason").filter(|r| !r.trim().is_empty()).map(str::to_owned);
            let reason = reason.ok_or_else(|| at(start, format!("`{id}` has no `@reason(\"...\")`")))?;
            let role = match (h.kind, p.effect(), p.annotation("tier"), p.annotation("factor")) {
                (PolicyKind::Gate, Effect::Forbid, None, None) => Role::Bar,
                (PolicyKind::Gate, Effect::Permit, ..) => {
                    return Err(at(
                        start,
                        format!(
                            "`{id}` is a `permit`: an agency gate policy may only add bars (`forbid`); it can never allow what the statutory gate bars"
                        ),
                    ));
                }
                (PolicyKind::Priority, Effect::Permit, Some(tier), None) => {
                    Role::Tier(h.tiers.iter().position(|t| t == tier).ok_or_else(|| {
                        at(start, format!("`{id}` names the tier `{tier}`, which the header's `tiers` does not list"))
                    })?)
                }
                (PolicyKind::Priority, Effect::Permit, None, Some("aggravating")) => Role::Aggravating,
                (PolicyKind::Priority, Effect::Permit, None, Some("mitigating")) => Role::Mitigating,
                (PolicyKind::Priority, Effect::Forbid, ..) => {
                    return Err(at(start, format!("`{id}` is a `forbid`: priority rules are `permit`s")));
                }
                (PolicyKind::Priority, ..) => {
                    return Err(at(
                        start,
                        format!(
                            "`{id}` needs exactly one of `@tier(\"...\")` or `@factor(\"aggravating\"|\"mitigating\")`"
                        ),
                    ));
                }
                (PolicyKind::Gate, ..) => {
                    return Err(at(start, format!("`{id}`: a gate policy has no tiers or factors")));
                }
            };
            all.add(p.new_id(PolicyId::new(&id))).map_err(|e| at(start, e.to_string()))?;
            let est = p.to_json().map_err(|e| at(start, e.to_string()))?;
            let compiled = match plan::compile(&est) {
                Ok(c) => c,
                Err(e @ SubsetError::UnknownFact(_)) => {
                    let SubsetError::UnknownFact(name) = &e else { unreachable!() };
                    let offset = text[start..].find(name.as_str()).map_or(start, |o| o + start);
                    return Err(at(offset, format!("in `{id}`: {e}")));
                }
                // Reported after Cedar's validation, whose errors are more precisely placed.
                Err(e) => {
                    unsupported.get_or_insert_with(|| at(start, format!("in `{id}`: {e}")));
                    continue;
                }
            };
            let acts = &compiled.actions;
            match h.kind {
                PolicyKind::Gate if acts.contains(&PRIORITIZE) || acts.contains(&3) => {
                    return Err(at(
                        start,
                        format!(
                            "`{id}`: a gate policy bars enforcement actions only, never `release` (doubt does not keep a person in custody) or `prioritize`"
                        ),
                    ));
                }
                PolicyKind::Priority if acts != &[PRIORITIZE] => {
                    return Err(at(
                        start,
                        format!("`{id}`: a priority rule applies to `action == Action::\"prioritize\"`"),
                    ));
                }
                _ => {}
            }
            let renamed = p.new_id(PolicyId::new(&id));
            cedar.add(renamed).map_err(|e| at(start, e.to_string()))?;
            rules.push(RuleDef { id, reason, role, compiled });
        }
        let validation = Validator::new(schema().clone()).validate(&all, ValidationMode::Strict);
        if let Some(e) = validation.validation_errors().next().filter(|_| validate) {
            let help = miette::Diagnostic::help(e).map(|h| format!(" ({h})")).unwrap_or_default();
            return Err(at(first_label(e).unwrap_or(0), format!("{e}{help}")));
        }
        if let Some(e) = unsupported {
            return Err(e);
        }
        if h.kind == PolicyKind::Gate {
            let permit = cedar_policy::Policy::parse(
                Some(PolicyId::new(DEFAULT_PERMIT)),
                "permit (principal, action, resource);",
            )
            .map_err(|e| at(0, e.to_string()))?;
            cedar.add(permit).map_err(|e| at(0, e.to_string()))?;
        }
        if h.kind == PolicyKind::Priority {
            for (i, tier) in h.tiers.iter().enumerate() {
                if !rules.iter().any(|r| r.role == Role::Tier(i)) {
                    return Err(at(0, format!("the tier `{tier}` has no rule")));
                }
            }
        }
        Ok(AgencyPolicy {
            id: h.id,
            version: h.version,
            effective: h.effective,
            kind: h.kind,
            tiers: h.tiers,
            rules,
            text: text.to_owned(),
            cedar,
        })
    }

    /// The file's text, as loaded (what adoption stores and hashes).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The rule with `@id` `id`.
    pub fn rule(&self, id: &str) -> Option<&RuleDef> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The rules that apply to action `action` (an index into [`ACTIONS`]).
    pub fn rules_for(&self, action: usize) -> impl Iterator<Item = (usize, &RuleDef)> {
        self.rules.iter().enumerate().filter(move |(_, r)| r.compiled.actions.contains(&action))
    }

    /// Cedar's own answer for one case and action: which rules are satisfied and which erred,
    /// as indexes into [`AgencyPolicy::rules`]. This is the reference the batch plan is
    /// tested against.
    pub fn cedar_outcome(&self, facts: &CaseFacts, action: usize) -> RuleOutcome {
        let case = uid("Case", "case");
        let request =
            Request::new(uid("Agency", "agency"), uid("Action", ACTIONS[action]), case.clone(), Context::empty(), None);
        let entity = Entity::new(case, cedar_attrs(facts), Default::default());
        let (Ok(request), Ok(entity)) = (request, entity) else {
            // Neither can fail for facts of the schema's types; if one did, every rule that
            // applies is taken to have erred (fail closed).
            return RuleOutcome { satisfied: vec![], errored: self.rules_for(action).map(|(i, _)| i).collect() };
        };
        let Ok(entities) = Entities::from_entities([entity], None) else {
            return RuleOutcome { satisfied: vec![], errored: self.rules_for(action).map(|(i, _)| i).collect() };
        };
        let response = Authorizer::new().is_authorized(&request, &self.cedar, &entities);
        let index = |id: &PolicyId| self.rules.iter().position(|r| r.id == id.to_string());
        let mut satisfied: Vec<usize> = response.diagnostics().reason().filter_map(index).collect();
        let mut errored: Vec<usize> = response
            .diagnostics()
            .errors()
            .filter_map(|e| match e {
                cedar_policy::AuthorizationError::PolicyEvaluationError(e) => index(e.policy_id()),
            })
            .collect();
        satisfied.sort_unstable();
        errored.sort_unstable();
        RuleOutcome { satisfied, errored }
    }

    /// The batch plan's answer for every row of `cols` and action `action`.
    pub fn batch_outcomes(&self, cols: &crate::facts::FactColumns, action: usize, threads: usize) -> BatchOutcome {
        let applicable: Vec<usize> = self.rules_for(action).map(|(i, _)| i).collect();
        let exprs: Vec<&plan::Expr> = applicable.iter().map(|i| &self.rules[*i].compiled.condition).collect();
        BatchOutcome { rules: applicable, outcomes: plan::run(&exprs, cols, threads) }
    }
}

/// Which rules one case satisfies and which erred (indexes into [`AgencyPolicy::rules`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOutcome {
    /// Satisfied rules, ascending.
    pub satisfied: Vec<usize>,
    /// Rules whose evaluation erred, ascending.
    pub errored: Vec<usize>,
}

/// The batch plan's answer for many rows: for each applicable rule, the rows satisfying it and
/// erring.
#[derive(Debug, Clone)]
pub struct BatchOutcome {
    /// The rules evaluated (indexes into [`AgencyPolicy::rules`]), in order.
    pub rules: Vec<usize>,
    /// Their rows, in the order of `rules`.
    pub outcomes: plan::Outcomes,
}

impl BatchOutcome {
    /// Row `row`'s outcome, as [`AgencyPolicy::cedar_outcome`] gives it.
    pub fn row(&self, row: usize) -> RuleOutcome {
        let pick = |sets: &[crate::facts::Bits]| {
            self.rules.iter().zip(sets).filter(|(_, s)| s.get(row)).map(|(r, _)| *r).collect()
        };
        RuleOutcome { satisfied: pick(&self.outcomes.satisfied), errored: pick(&self.outcomes.errored) }
    }
}

fn uid(ty: &str, id: &str) -> EntityUid {
    // INVARIANT: the type names are the schema's and the ids are plain; parsing cannot fail.
    let ty = cedar_policy::EntityTypeName::from_str(ty).unwrap_or_else(|_| unreachable!("entity type `{ty}`"));
    EntityUid::from_type_name_and_id(ty, cedar_policy::EntityId::new(id))
}

/// The Cedar attributes of a case's facts: every fact present, none of the absent.
pub(crate) fn cedar_attrs(facts: &CaseFacts) -> std::collections::HashMap<String, RestrictedExpression> {
    Fact::ALL
        .into_iter()
        .filter_map(|f| {
            let v = facts.get(f);
            let e = match v {
                FactValue::Absent => return None,
                FactValue::Bool(b) => RestrictedExpression::new_bool(b),
                FactValue::Long(n) => RestrictedExpression::new_long(i64::from(n)),
                FactValue::Date(d) => RestrictedExpression::new_datetime(d.to_string()),
                FactValue::Enum(_) => RestrictedExpression::new_string(CaseFacts::enum_name(f, v)?.to_owned()),
            };
            Some((f.name().to_owned(), e))
        })
        .collect()
}
