//! Policy tests as data (as `opa test` runs Rego tests): a directory holds policy files
//! (`*.cedar`) and test files (`*.test.toml`), each test file naming the policy it tests by its
//! header's name and giving cases: the facts, and the expected decision or tier, supervisor
//! review and reasons (the ids of every rule that counted). Each case is answered by Cedar's
//! authorizer and by the batch plan; a case passes when both give what is expected.
//!
//! ```toml
//! policy = "dhs-2014-priorities"
//!
//! [[case]]
//! name = "an aggravated felony is priority 1"
//! facts = { aggravated_felony_convictions = 1, stage = "pending_in_court" }
//! tier = "priority_1"
//! supervisor_review = false
//! reasons = ["p1_aggravated_felony"]
//!
//! [[case]]   # in a gate policy's test file
//! name = "a sole caregiver is not arrested"
//! action = "arrest"
//! facts = { sole_caregiver_of_child = true }
//! decision = "deny"
//! reasons = ["no_arrest_of_sole_caregiver"]
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::answer::rank;
use crate::facts::{CaseFacts, FactColumns};
use crate::policy::{AgencyPolicy, PRIORITIZE, PolicyError, PolicyKind, RuleOutcome, line_col};
use crate::schema::ACTIONS;

/// Why a test directory could not be run (a failing case is not an error: it is reported).
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// The directory or a file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A policy file does not load.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A test file is malformed.
    #[error("{file}:{line}:{column}: {message}")]
    Test {
        /// The test file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The test file.
    pub file: String,
    /// The case's name.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What differed, when it failed.
    pub failures: Vec<String>,
}

/// A directory's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestReport {
    /// Every case, in file order.
    pub cases: Vec<CaseResult>,
}

impl TestReport {
    /// Cases passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }

    /// Cases failed.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

fn read(path: &Path) -> Result<String, TestError> {
    std::fs::read_to_string(path).map_err(|source| TestError::Read { path: path.display().to_string(), source })
}

/// Runs every test file of `dir` against the policy files of `dir`.
pub fn run_dir(dir: &Path) -> Result<TestReport, TestError> {
    let entries =
        std::fs::read_dir(dir).map_err(|source| TestError::Read { path: dir.display().to_string(), source })?;
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut policies = Vec::new();
    let mut tests = Vec::new();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.ends_with(".test.toml") {
            tests.push((path.display().to_string(), read(&path)?));
        } else if name.ends_with(".cedar") {
            policies.push(AgencyPolicy::load(&path.display().to_string(), &read(&path)?)?);
        }
    }
    let mut report = TestReport { cases: Vec::new() };
    for (file, text) in &tests {
        report.cases.extend(run_file(&policies, file, text)?);
    }
    Ok(report)
}

/// Runs one test file's cases against `policies` (one of which its `policy` names).
pub fn run_file(policies: &[AgencyPolicy], file: &str, text: &str) -> Result<Vec<CaseResult>, TestError> {
    let bad = |offset: usize, message: String| {
        let (line, column) = line_col(text, offset);
        TestError::Test { file: file.to_owned(), line, column, message }
    };
    let table: toml::Table =
        text.parse().map_err(|e: toml::de::Error| bad(e.span().map_or(0, |s| s.start), e.message().to_owned()))?;
    // Where a case's keys are, for errors: the offset of its name.
    let place = |needle: &str| text.find(needle).unwrap_or(0);
    let name =
        table.get("policy").and_then(|v| v.as_str()).ok_or_else(|| bad(0, "no `policy = \"...\"`".to_owned()))?;
    let policy = policies
        .iter()
        .find(|p| p.id == name)
        .ok_or_else(|| bad(place(name), format!("no policy file is `{name}`")))?;
    let cases = table.get("case").and_then(|v| v.as_array()).map(Vec::as_slice).unwrap_or_default();
    let mut out = Vec::new();
    for case in cases {
        let case_name = case.get("name").and_then(|v| v.as_str()).unwrap_or("(unnamed)").to_owned();
        let at = place(&format!("\"{case_name}\""));
        let mut facts = CaseFacts::default();
        if let Some(given) = case.get("facts").and_then(|v| v.as_table()) {
            for (k, v) in given {
                let text = match v {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(n) => n.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Datetime(d) => d.to_string(),
                    _ => {
                        return Err(bad(
                            at,
                            format!("case `{case_name}`: fact `{k}` is not a boolean, number, date or name"),
                        ));
                    }
                };
                facts = facts.with_text(k, &text).map_err(|e| bad(at, format!("case `{case_name}`: {e}")))?;
            }
        }
        let action = match (policy.kind, case.get("action").and_then(|v| v.as_str())) {
            (PolicyKind::Priority, None) => PRIORITIZE,
            (PolicyKind::Gate, Some(a)) if a != "release" && a != "prioritize" => ACTIONS
                .iter()
                .position(|x| *x == a)
                .ok_or_else(|| bad(at, format!("case `{case_name}`: `{a}` is not an action")))?,
            _ => {
                return Err(bad(
                    at,
                    format!("case `{case_name}`: a gate test names its `action`; a priority test does not"),
                ));
            }
        };
        let cedar = policy.cedar_outcome(&facts, action);
        let mut cols = FactColumns::with_capacity(1);
        cols.push(&facts);
        let batch = policy.batch_outcomes(&cols, action, 1).row(0);
        let mut failures = Vec::new();
        if batch != cedar {
            failures.push(format!("the batch plan gives {batch:?}, Cedar {cedar:?}"));
        }
        let ids = |o: &RuleOutcome| {
            let mut v: Vec<String> =
                o.satisfied.iter().chain(&o.errored).map(|i| policy.rules[*i].id.clone()).collect();
            v.sort();
            v
        };
        let got = ids(&cedar);
        if let Some(want) = case.get("reasons").and_then(|v| v.as_array()) {
            let mut want: Vec<String> = want.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
            want.sort();
            if want != got {
                failures.push(format!("reasons: expected {want:?}, got {got:?}"));
            }
        }
        match policy.kind {
            PolicyKind::Priority => {
                let (tier, review) = rank(policy, &cedar);
                let tier = tier.map(|t| policy.tiers[t].as_str()).unwrap_or("none");
                let want = case.get("tier").and_then(|v| v.as_str());
                let want = want.ok_or_else(|| bad(at, format!("case `{case_name}` has no `tier` (or \"none\")")))?;
                if want != tier {
                    failures.push(format!("tier: expected `{want}`, got `{tier}`"));
                }
                if let Some(want) = case.get("supervisor_review").and_then(|v| v.as_bool()) {
                    if want != review {
                        failures.push(format!("supervisor_review: expected {want}, got {review}"));
                    }
                }
            }
            PolicyKind::Gate => {
                let decision = if got.is_empty() { "allow" } else { "deny" };
                let want = case.get("decision").and_then(|v| v.as_str());
                let want = want.ok_or_else(|| bad(at, format!("case `{case_name}` has no `decision`")))?;
                if want != decision {
                    failures.push(format!("decision: expected `{want}`, got `{decision}`"));
                }
            }
        }
        out.push(CaseResult { file: file.to_owned(), name: case_name, passed: failures.is_empty(), failures });
    }
    if out.is_empty() {
        return Err(bad(0, "the file has no `[[case]]`".to_owned()));
    }
    Ok(out)
}
