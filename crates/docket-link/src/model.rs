//! The Fellegi–Sunter model: m and u probabilities per comparison level, the prior, and the
//! match weights they give.
//!
//! * **u** (how often two records that are *not* the same entity reach a level) is counted over
//!   random pairs; the exact level's u is computed outright from value frequencies, so rare
//!   identifiers are not left at zero by sampling.
//! * **m** (how often two records of the same entity reach a level) is fitted by expectation
//!   maximization, with u held fixed, one session per blocking rule over that rule's
//!   candidates. A session leaves out the comparisons whose columns the rule blocks on (their
//!   agreement there is forced by blocking, not evidence), and each comparison's m is the mean
//!   over the sessions that estimated it.
//! * **The prior** (the probability that two random records match) is the largest number of
//!   matches any session expects, over the number of possible pairs.
//!
//! A pair's match weight is `log2(prior odds) + sum of log2(m/u)` over its levels; with term
//! frequencies, an exact agreement on value `v` weighs `log2(m / freq(v))`, so a common name
//! counts for less than a rare one. Its match probability is `2^w / (1 + 2^w)`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::compare::{NULL, Pattern, level_of};
use crate::settings::{Mode, Settings};
use crate::table::Records;

/// The saved model's format tag.
pub const FORMAT: &str = "docket-link model 1";

/// Smallest probability kept, so that no weight is infinite.
const FLOOR: f64 = 1e-9;

/// A fitted model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    /// [`FORMAT`].
    pub format: String,
    /// Probability that two random records match.
    pub prior: f64,
    /// How many matches the fit expects among all pairs.
    pub expected_matches: f64,
    /// Per comparison, in settings order.
    pub comparisons: Vec<ComparisonModel>,
    /// What the fit saw, for the record.
    pub fit: FitReport,
}

/// The m and u probabilities of one comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComparisonModel {
    /// The comparison's name.
    pub name: String,
    /// Its levels, the last being `else`.
    pub levels: Vec<LevelModel>,
    /// Whether exact agreement is weighed by value frequency.
    pub term_frequency: bool,
}

/// One level's probabilities.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LevelModel {
    /// The level as written in the settings.
    pub label: String,
    /// P(level | same entity).
    pub m: f64,
    /// P(level | different entities).
    pub u: f64,
}

/// How the model was fitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FitReport {
    /// Random pairs drawn for u.
    pub random_pairs: u64,
    /// One per EM session.
    pub sessions: Vec<SessionReport>,
}

/// One EM session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionReport {
    /// The blocking rule whose candidates it used.
    pub rule: String,
    /// Candidate pairs in it.
    pub pairs: u64,
    /// The comparisons whose m it estimated.
    pub estimated: Vec<String>,
    /// Iterations run.
    pub iterations: u32,
    /// Matches it expects among its pairs.
    pub expected_matches: f64,
}

/// A model that does not fit the settings it is used with.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read or written.
    #[error("model file `{file}`: {message}")]
    File {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
    /// The model describes other comparisons or levels.
    #[error("model file `{file}` does not fit the settings: {message}")]
    Mismatch {
        /// The file.
        file: String,
        /// What differs.
        message: String,
    },
}

/// Per comparison and level, the weight `log2(m/u)`; and the term-frequency tables.
#[derive(Debug)]
pub struct Weights {
    /// `level[c][l]`.
    pub level: Vec<Vec<f64>>,
    /// `log2(prior / (1 - prior))`.
    pub prior: f64,
    /// Per comparison with term frequencies, each record's value frequency.
    pub tf: Vec<Option<Vec<f32>>>,
    /// `log2(m_exact)` per comparison, for term-frequency weights.
    pub log_m_exact: Vec<f64>,
}

impl Model {
    /// Reads a saved model and checks it against `settings`.
    pub fn load(path: &std::path::Path, settings: &Settings) -> Result<Model, ModelError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ModelError::File { file: file.clone(), message: e.to_string() })?;
        let model: Model = serde_json::from_str(&text)
            .map_err(|e| ModelError::File { file: file.clone(), message: format!("not a model: {e}") })?;
        if model.format != FORMAT {
            return Err(ModelError::File { file, message: format!("format `{}`, expected `{FORMAT}`", model.format) });
        }
        let mismatch = |message: String| ModelError::Mismatch { file: file.clone(), message };
        if model.comparisons.len() != settings.comparisons.len() {
            return Err(mismatch(format!(
                "{} comparisons in the model, {} in the settings",
                model.comparisons.len(),
                settings.comparisons.len()
            )));
        }
        for (m, c) in model.comparisons.iter().zip(&settings.comparisons) {
            let labels: Vec<String> = (0..c.level_count()).map(|l| c.level_label(l)).collect();
            let theirs: Vec<&String> = m.levels.iter().map(|l| &l.label).collect();
            if m.name != c.name || theirs != labels.iter().collect::<Vec<_>>() {
                return Err(mismatch(format!("comparison `{}` has other levels in the model", c.name)));
            }
            if m.levels.iter().any(|l| !(l.m > 0.0 && l.m <= 1.0 && l.u > 0.0 && l.u <= 1.0)) {
                return Err(mismatch(format!("comparison `{}`: a probability is out of range", c.name)));
            }
        }
        if !(model.prior > 0.0 && model.prior < 1.0) {
            return Err(mismatch(format!("prior {} is not a probability", model.prior)));
        }
        Ok(model)
    }

    /// Writes the model as JSON.
    pub fn save(&self, path: &std::path::Path) -> Result<(), ModelError> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| ModelError::File { file: path.display().to_string(), message: e.to_string() })?;
        std::fs::write(path, text + "\n")
            .map_err(|e| ModelError::File { file: path.display().to_string(), message: e.to_string() })
    }

    /// Weights for scoring `records` (term frequencies are taken from them).
    pub fn weights(&self, settings: &Settings, records: &Records) -> Weights {
        let level = self
            .comparisons
            .iter()
            .map(|c| c.levels.iter().map(|l| (l.m.max(FLOOR) / l.u.max(FLOOR)).log2()).collect())
            .collect();
        let tf = settings
            .comparisons
            .iter()
            .enumerate()
            .map(|(c, cmp)| cmp.term_frequency.then(|| frequencies(records, records.comparison_field[c])))
            .collect();
        let log_m_exact = self.comparisons.iter().map(|c| c.levels[0].m.max(FLOOR).log2()).collect();
        Weights { level, prior: (self.prior / (1.0 - self.prior)).log2(), tf, log_m_exact }
    }
}

/// Each record's value frequency in `field`, over all records.
fn frequencies(records: &Records, field: usize) -> Vec<f32> {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    let mut present = 0u64;
    for i in 0..records.len() {
        let v = records.text(field, i);
        if !v.is_empty() {
            *counts.entry(v).or_default() += 1;
            present += 1;
        }
    }
    let n = present.max(1) as f64;
    (0..records.len())
        .map(|i| {
            let v = records.text(field, i);
            if v.is_empty() { 0.0 } else { (f64::from(counts[v]) / n) as f32 }
        })
        .collect()
}

impl Weights {
    /// Weight of comparison `c` at level `l` for records `a`, `b`.
    #[inline]
    pub fn of(&self, c: usize, l: u8, a: usize) -> f64 {
        if l == NULL {
            return 0.0;
        }
        if l == 0
            && let Some(tf) = &self.tf[c]
        {
            let f = f64::from(tf[a]);
            if f > 0.0 {
                return self.log_m_exact[c] - f.log2();
            }
        }
        self.level[c][l as usize]
    }

    /// Total match weight of a pair with `pattern`.
    pub fn total(&self, pattern: Pattern, a: usize) -> f64 {
        let mut w = self.prior;
        for c in 0..self.level.len() {
            w += self.of(c, level_of(pattern, c), a);
        }
        w
    }
}

/// Match probability of a weight.
#[inline]
pub fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() { 1.0 } else { odds / (1.0 + odds) }
}

/// Counts of `(pattern, rule mask)` among the candidates.
pub fn aggregate(patterns: &[Pattern], masks: &[u16]) -> Vec<(Pattern, u16, u64)> {
    let mut counts: HashMap<(Pattern, u16), u64> = HashMap::new();
    for (&p, &m) in patterns.iter().zip(masks) {
        *counts.entry((p, m)).or_default() += 1;
    }
    let mut v: Vec<(Pattern, u16, u64)> = counts.into_iter().map(|((p, m), n)| (p, m, n)).collect();
    // A fixed order makes the floating-point sums, and so the model, independent of row order.
    v.sort_unstable();
    v
}

/// The u probabilities from comparison vectors of random pairs, with the exact level's u
/// computed from value frequencies.
pub fn estimate_u(settings: &Settings, records: &Records, random: &[Pattern]) -> Vec<Vec<f64>> {
    let mut u = Vec::new();
    for (c, cmp) in settings.comparisons.iter().enumerate() {
        let n = cmp.level_count();
        let mut counts = vec![0u64; n];
        for &p in random {
            let l = level_of(p, c);
            if l != NULL {
                counts[l as usize] += 1;
            }
        }
        let total: u64 = counts.iter().sum();
        // Half a pair of pseudo-count: a level never seen among random pairs is rare, not
        // impossible.
        let mut probs: Vec<f64> = counts.iter().map(|&k| (k as f64 + 0.5) / (total as f64 + 0.5 * n as f64)).collect();
        if cmp.levels[0] == crate::settings::Level::Exact && cmp.kind != crate::settings::ColumnKind::Date {
            let exact = exact_agreement(settings, records, records.comparison_field[c]);
            if let Some(exact) = exact {
                let rest: f64 = probs[1..].iter().sum();
                let scale = (1.0 - exact) / rest.max(FLOOR);
                probs[0] = exact;
                for p in &mut probs[1..] {
                    *p *= scale;
                }
            }
        }
        u.push(probs.into_iter().map(|p| p.clamp(FLOOR, 1.0)).collect());
    }
    u
}

/// P(two random records with values agree exactly), from the value counts of each side.
fn exact_agreement(settings: &Settings, records: &Records, field: usize) -> Option<f64> {
    let mut a: HashMap<&str, u64> = HashMap::new();
    let mut b: HashMap<&str, u64> = HashMap::new();
    let split = match settings.mode {
        Mode::Link => records.a_len,
        Mode::Dedupe => records.len(),
    };
    for i in 0..records.len() {
        let v = records.text(field, i);
        if !v.is_empty() {
            *(if i < split { &mut a } else { &mut b }).entry(v).or_default() += 1;
        }
    }
    match settings.mode {
        Mode::Link => {
            let (na, nb): (u64, u64) = (a.values().sum(), b.values().sum());
            if na == 0 || nb == 0 {
                return None;
            }
            let same: f64 = a.iter().map(|(v, &k)| k as f64 * b.get(v).copied().unwrap_or(0) as f64).sum();
            Some((same / (na as f64 * nb as f64)).max(FLOOR))
        }
        Mode::Dedupe => {
            let n: u64 = a.values().sum();
            if n < 2 {
                return None;
            }
            let same: f64 = a.values().map(|&k| k as f64 * (k as f64 - 1.0)).sum();
            Some((same / (n as f64 * (n as f64 - 1.0))).max(FLOOR))
        }
    }
}

/// Fits m by EM sessions (one per blocking rule) with `u` fixed; returns the model.
pub fn fit(
    settings: &Settings,
    records: &Records,
    counts: &[(Pattern, u16, u64)],
    u: Vec<Vec<f64>>,
    random_pairs: u64,
) -> Model {
    let nc = settings.comparisons.len();
    let mut m_sum: Vec<Vec<f64>> = settings.comparisons.iter().map(|c| vec![0.0; c.level_count()]).collect();
    let mut m_sessions = vec![0u32; nc];
    let mut report = FitReport { random_pairs, sessions: Vec::new() };
    let mut expected = 0f64;
    for (r, rule) in settings.rules.iter().enumerate() {
        let blocked: Vec<usize> =
            rule.keys.iter().flat_map(|k| settings.fields[k.field].columns.iter().copied()).collect();
        let included: Vec<bool> =
            settings.comparisons.iter().map(|c| !c.columns.iter().any(|col| blocked.contains(col))).collect();
        let entries: Vec<(Pattern, u64)> =
            counts.iter().filter(|(_, mask, _)| mask & (1 << r) != 0).map(|&(p, _, n)| (p, n)).collect();
        let pairs: u64 = entries.iter().map(|e| e.1).sum();
        if pairs < 10 || !included.iter().any(|&x| x) {
            continue;
        }
        let (m, lambda, iterations) = em(settings, &entries, &included, &u);
        for c in 0..nc {
            if included[c] {
                for (s, v) in m_sum[c].iter_mut().zip(&m[c]) {
                    *s += v;
                }
                m_sessions[c] += 1;
            }
        }
        let matches = lambda * pairs as f64;
        expected = expected.max(matches);
        report.sessions.push(SessionReport {
            rule: rule.text.clone(),
            pairs,
            estimated: (0..nc).filter(|&c| included[c]).map(|c| settings.comparisons[c].name.clone()).collect(),
            iterations,
            expected_matches: matches,
        });
    }
    // A comparison that every rule blocks on is estimated over all candidates together.
    if m_sessions.contains(&0) {
        let entries: Vec<(Pattern, u64)> = counts.iter().map(|&(p, _, n)| (p, n)).collect();
        let missing: Vec<bool> = m_sessions.iter().map(|&k| k == 0).collect();
        let included = vec![true; nc];
        let (m, lambda, iterations) = em(settings, &entries, &included, &u);
        let pairs: u64 = entries.iter().map(|e| e.1).sum();
        for c in 0..nc {
            if missing[c] {
                m_sum[c].clone_from(&m[c]);
                m_sessions[c] = 1;
            }
        }
        report.sessions.push(SessionReport {
            rule: "all candidates".into(),
            pairs,
            estimated: (0..nc).filter(|&c| missing[c]).map(|c| settings.comparisons[c].name.clone()).collect(),
            iterations,
            expected_matches: lambda * pairs as f64,
        });
        if expected == 0.0 {
            expected = lambda * pairs as f64;
        }
    }
    let total_pairs = match settings.mode {
        Mode::Link => records.a_len as f64 * records.b_len() as f64,
        Mode::Dedupe => records.len() as f64 * (records.len() as f64 - 1.0) / 2.0,
    };
    let prior = (expected.max(1.0) / total_pairs.max(1.0)).clamp(1e-12, 0.5);
    let comparisons = settings
        .comparisons
        .iter()
        .enumerate()
        .map(|(c, cmp)| ComparisonModel {
            name: cmp.name.clone(),
            levels: (0..cmp.level_count())
                .map(|l| LevelModel {
                    label: cmp.level_label(l),
                    m: (m_sum[c][l] / f64::from(m_sessions[c].max(1))).clamp(FLOOR, 1.0),
                    u: u[c][l],
                })
                .collect(),
            term_frequency: cmp.term_frequency,
        })
        .collect();
    Model { format: FORMAT.into(), prior, expected_matches: expected, comparisons, fit: report }
}

/// One EM run over `(pattern, count)` entries, estimating m for the included comparisons and
/// the share of matches, with u fixed. Returns m, the share and the iterations run.
fn em(settings: &Settings, entries: &[(Pattern, u64)], included: &[bool], u: &[Vec<f64>]) -> (Vec<Vec<f64>>, f64, u32) {
    let nc = settings.comparisons.len();
    // Start from "the more similar the level, the likelier among matches".
    let mut m: Vec<Vec<f64>> = settings
        .comparisons
        .iter()
        .map(|c| {
            let n = c.level_count();
            let raw: Vec<f64> = (0..n).map(|l| 0.5f64.powi(2 * l as i32 + 1)).collect();
            let s: f64 = raw.iter().sum();
            raw.into_iter().map(|x| x / s).collect()
        })
        .collect();
    let mut lambda = 0.1;
    let mut iterations = 0;
    let training = settings.training;
    while iterations < training.max_iterations {
        iterations += 1;
        let mut num: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut den = vec![0.0; nc];
        let (mut matched, mut total) = (0.0, 0.0);
        for &(p, n) in entries {
            let (mut pm, mut pu) = (lambda, 1.0 - lambda);
            for c in 0..nc {
                let l = level_of(p, c);
                if included[c] && l != NULL {
                    pm *= m[c][l as usize];
                    pu *= u[c][l as usize];
                }
            }
            let post = if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 };
            let w = post * n as f64;
            matched += w;
            total += n as f64;
            for c in 0..nc {
                let l = level_of(p, c);
                if included[c] && l != NULL {
                    num[c][l as usize] += w;
                    den[c] += w;
                }
            }
        }
        let mut moved: f64 = 0.0;
        for c in 0..nc {
            if !included[c] || den[c] <= 0.0 {
                continue;
            }
            for (l, x) in num[c].iter().enumerate() {
                let next = (x / den[c]).max(FLOOR);
                moved = moved.max((next - m[c][l]).abs());
                m[c][l] = next;
            }
        }
        lambda = (matched / total.max(1.0)).clamp(1e-9, 1.0 - 1e-9);
        if moved < training.tolerance {
            break;
        }
    }
    (m, lambda, iterations)
}
