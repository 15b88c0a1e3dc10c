//! The Fellegi–Sunter model as saved: m and u probabilities per comparison level, the prior
//! and the calibrated patterns; how it is fitted is `fit.rs`, the weights it gives
//! `weights.rs`, the calibration `calibrate.rs`.
//!
//! * **u** (how often two records that are *not* the same entity reach a level) is counted over
//!   random pairs; the exact level's u is computed outright from value frequencies, so rare
//!   identifiers are not left at zero by sampling.
//! * **m** (how often two records of the same entity reach a level) is fitted by expectation
//!   maximization, one session per blocking rule over that rule's candidates. A session leaves
//!   out the comparisons whose columns the rule blocks on (their agreement there is forced by
//!   blocking, not evidence) and fits the session's own non-match distribution beside m
//!   (records sharing a key agree on correlated fields more than random pairs do). Each
//!   comparison's m is the level-wise median over the sessions that estimated it; a comparison
//!   with `m_from = "others"` is refitted after scoring from the pairs that are sure matches
//!   without it (`link.rs`, `fit_m_from_others`).
//! * **The prior** (the probability that two random records match) is settled after scoring,
//!   as the least fixed point of `prior = expected matches / possible pairs`
//!   ([`crate::link::run`]).
//!
//! * **The calibration** (`calibrate.rs`) puts a ceiling on the patterns of levels whose
//!   candidates claim far more matches than the model expects to show them: related
//!   non-matches (twins, namesakes), whom independent weights count twice.
//!
//! A pair's match weight is `log2(prior odds) + related + sum of log2(m/u)` over its levels; with term
//! frequencies, an exact agreement on value `v` weighs `log2(m / freq(v))`, so a common name
//! counts for less than a rare one, and with a context (`term_frequency_within`) a pair that
//! shares the context's value takes `freq(v)` among the records with that value (a name's
//! frequency among persons of the pair's nationality). Its match probability is
//! `2^w / (1 + 2^w)`.

use serde::{Deserialize, Serialize};

use crate::compare::{NULL, Pattern};
use crate::settings::Settings;

/// How a missing value's level is written.
pub(crate) const MISSING: &str = "missing";

/// The saved model's format tag.
pub const FORMAT: &str = "docket-link model 2";

/// Smallest probability kept, so that no weight is infinite.
pub(crate) const FLOOR: f64 = 1e-9;

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
    /// Patterns whose odds the calibration scaled down (`calibrate.rs`); empty in a model
    /// saved before calibration existed.
    #[serde(default)]
    pub related: Vec<RelatedPattern>,
    /// The kinds of related non-match of the settings (`[[related]]`), each with its fitted
    /// rate; empty in a model of settings without them.
    #[serde(default)]
    pub kinds: Vec<RelatedKindModel>,
}

/// A kind of related non-match (`[[related]]`) as fitted: records of different entities that
/// agree on the `shared` comparisons as a match does and on the others as random records do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelatedKindModel {
    /// Its name in the settings.
    pub name: String,
    /// The comparisons it shares, in settings order.
    pub shared: Vec<String>,
    /// The probability that two random records are related so: the least fixed point of
    /// `rate = expected related pairs / possible pairs`, as the prior is settled.
    pub rate: f64,
    /// The related pairs of this kind expected among the candidates (after one-to-one
    /// assignment when linking).
    pub expected_pairs: f64,
}

/// A pattern of levels that the candidates show far more often than the model expects
/// matches to: its pairs are related non-matches (twins, namesakes) as much as matches.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelatedPattern {
    /// The level of each comparison, in settings order (`missing` for a missing value).
    pub levels: Vec<String>,
    /// The most the comparisons of a pair with this pattern weigh together, in bits: a pair
    /// whose comparisons sum to `x` weighs `-log2(2^-x + 2^-ceiling)` in their place
    /// ([`Weights::related`]).
    pub ceiling: f64,
    /// Candidate pairs with this pattern (after one-to-one assignment when linking).
    pub pairs: u64,
    /// The matches their probabilities claimed before calibration.
    pub claimed: f64,
    /// The matches with this pattern the model expects: expected matches times m of each level.
    pub expected: f64,
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

impl Model {
    /// Reads a saved model and checks it against `settings`.
    pub fn load(path: &std::path::Path, settings: &Settings) -> Result<Model, ModelError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ModelError::File { file: file.clone(), message: e.to_string() })?;
        Model::from_json(&text, &file, settings)
    }

    /// Reads a model from its JSON text (named `file` in errors) and checks it against
    /// `settings`, as [`Model::load`] does.
    pub fn from_json(text: &str, file: &str, settings: &Settings) -> Result<Model, ModelError> {
        let file = file.to_owned();
        let model: Model = serde_json::from_str(text)
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
        for (k, r) in model.related.iter().enumerate() {
            if let Err(message) = pattern_of(settings, &r.levels) {
                return Err(mismatch(format!("related pattern {}: {message}", k + 1)));
            }
        }
        for k in &model.kinds {
            let known = settings.related.iter().any(|r| {
                r.name == k.name && r.shared.iter().map(|&c| &settings.comparisons[c].name).eq(k.shared.iter())
            });
            if !known {
                return Err(mismatch(format!(
                    "related kind `{}` is not in the settings as it is in the model",
                    k.name
                )));
            }
            if !(k.rate >= 0.0 && k.rate < 1.0) {
                return Err(mismatch(format!("related kind `{}`: rate {} is not a probability", k.name, k.rate)));
            }
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
}

/// The pattern of level labels, one per comparison (`missing` for a missing value).
pub(crate) fn pattern_of(settings: &Settings, levels: &[String]) -> Result<Pattern, String> {
    if levels.len() != settings.comparisons.len() {
        return Err(format!("{} levels for {} comparisons", levels.len(), settings.comparisons.len()));
    }
    let mut pattern = 0;
    for (c, (cmp, label)) in settings.comparisons.iter().zip(levels).enumerate() {
        let l = if label == MISSING {
            NULL
        } else {
            (0..cmp.level_count())
                .find(|&l| cmp.level_label(l) == *label)
                .ok_or_else(|| format!("comparison `{}` has no level `{label}`", cmp.name))? as u8
        };
        pattern |= Pattern::from(l) << (4 * c);
    }
    Ok(pattern)
}

/// The label of level `l` of comparison `c`, `missing` for a missing value.
pub fn level_name(settings: &Settings, c: usize, l: u8) -> String {
    if l == NULL { MISSING.into() } else { settings.comparisons[c].level_label(usize::from(l)) }
}
