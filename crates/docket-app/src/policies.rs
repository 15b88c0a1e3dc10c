//! Agency policies adopted as acts of record: the text of a policy file, its SHA-256, who
//! adopted it, when, and from what instant it is in force, stored as a ledger leaf
//! (`docs/ledger.md`, the policy leaf). Which policy is in force at an instant is a question
//! over those records alone.
//!
//! What a policy says is `docket-policy`'s to read and validate; this module reads only the
//! header that names it.

use docket_core::Timestamp;
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

/// The header that names a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyHeader {
    /// The policy's stable name (`// policy: ...`).
    pub policy_id: String,
    /// Its version (`// version: ...`).
    pub version: String,
    /// Its kind (`// kind: gate` or `// kind: priority`).
    pub kind: PolicyKind,
}

/// Reads the header of a policy file: the comment lines of the form `// key: value` before its
/// first line that is not a comment (blank lines aside). Three keys are required here:
/// `policy` (the policy's id), `version` and `kind` (`gate` or `priority`); a missing or empty
/// one is refused, naming it. Other keys (a policy's `effective` date, its `tiers`) and other
/// comment lines are left to `docket-policy`, which validates the whole file, body included:
/// this function judges nothing after the header. The header is written as comments so that
/// the whole file is also a valid Cedar policy set.
pub fn read_header(text: &str) -> Result<PolicyHeader, AppError> {
    let (mut id, mut version, mut kind) = (None, None, None);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some(comment) = line.strip_prefix("//") else { break };
        let Some((key, value)) = comment.split_once(':') else { continue };
        let value = value.trim();
        match key.trim() {
            "policy" => id = Some(value.to_owned()),
            "version" => version = Some(value.to_owned()),
            "kind" => kind = Some(PolicyKind::parse(value)?),
            _ => {}
        }
    }
    let missing = |key: &str| AppError::Invalid {
        field: "policy header".into(),
        reason: format!("no `// {key}: ...` line before the policy's first statement"),
    };
    let valid = |v: Option<String>, key: &str| {
        v.filter(|v| !v.is_empty() && !v.chars().any(char::is_control)).ok_or_else(|| missing(key))
    };
    Ok(PolicyHeader {
        policy_id: valid(id, "policy")?,
        version: valid(version, "version")?,
        kind: kind.ok_or_else(|| missing("kind"))?,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_the_policy_and_a_missing_field_is_named() {
        let text = "// policy: every-final-order-alike\n// version: 1\n// effective: 2026-01-01\n// kind: priority\n//\n// Prose.\n\n@id(\"x\") permit (principal, action, resource);\n";
        let h = read_header(text).expect("a header");
        assert_eq!(
            h,
            PolicyHeader {
                policy_id: "every-final-order-alike".into(),
                version: "1".into(),
                kind: PolicyKind::Priority
            }
        );
        let without_version = text.replace("// version: 1\n", "");
        assert_eq!(
            read_header(&without_version).expect_err("no version").to_string(),
            "`policy header`: no `// version: ...` line before the policy's first statement"
        );
        // A key after the first statement is not the header's.
        let late = "// policy: p\n// kind: gate\npermit (principal, action, resource);\n// version: 2\n";
        assert!(read_header(late).is_err());
        assert!(read_header("// policy: p\n// version: 1\n// kind: tiers\n").is_err(), "an unknown kind");
        assert!(read_header("// policy:\n// version: 1\n// kind: gate\n").is_err(), "an empty id");
    }
}
