//! Serializable views of a gate's answer, for the shells (the command line's `--json`, the
//! coming HTTP service). Core types do not derive `Serialize`; these are built from them here.

use docket_core::{Bar, CaseId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::gate::GateDecision;

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The action may be taken.
    Allow,
    /// The action is barred.
    Deny,
}

/// One gate's answer for one case, action and instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateView {
    /// The case.
    pub case_id: String,
    /// The action's name (`arrest`, `detain`, `continue_detention`, `release`, `transfer`,
    /// `remove`).
    pub action: String,
    /// The country of removal (ISO 3166-1 alpha-3), for `remove`.
    pub destination: Option<String>,
    /// The instant the answer is for (RFC 3339, with its UTC offset).
    pub at: String,
    /// Allow or deny.
    pub decision: Verdict,
    /// Every rule that bars the action; empty when allowed.
    pub reasons: Vec<ReasonView>,
}

/// One rule that bars an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonView {
    /// The rule's stable id (`docket_core::Rule::name`), as listed in docs/gates.md.
    pub rule: String,
    /// The statute, regulation, decision or directive; none for Docket's own rules.
    pub citation: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// The recorded events the reason rests on (empty when it rests on an absence).
    pub basis: Vec<String>,
}

impl From<&Bar> for ReasonView {
    fn from(bar: &Bar) -> ReasonView {
        ReasonView {
            rule: bar.rule.name().to_owned(),
            citation: bar.rule.citation().map(str::to_owned),
            reason: bar.reason.clone(),
            basis: bar.basis.iter().map(ToString::to_string).collect(),
        }
    }
}

impl GateView {
    /// The view of `decision`, the answer for `action` on `case` at `at`.
    pub fn new(case: &CaseId, action: Action, at: Timestamp, decision: &GateDecision) -> GateView {
        GateView {
            case_id: case.to_string(),
            action: action.name().to_owned(),
            destination: action.destination().map(|c| c.code().to_owned()),
            at: at.to_string(),
            decision: if decision.is_allowed() { Verdict::Allow } else { Verdict::Deny },
            reasons: decision.bars().iter().map(ReasonView::from).collect(),
        }
    }
}
