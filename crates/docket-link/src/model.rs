//! The Fellegi–Sunter model: m and u probabilities per comparison level, the prior, and the
//! match weights they give.
//!
//! * **u** (how often two records that are *not* the same entity reach a level) is counted over
//!   random pairs; the exact level's u is computed outright from value frequencies, so rare
//!   identifiers are not left at zero by sampling.
//! * **m** (how often two records of the same entity reach a level) is fitted by expectation
//!   maximization, one session per blocking rule over that rule's candidates. A session leaves
//!   out the comparisons whose columns the rule blocks on (their agreement there is forced by
//!   blocking, not evidence) and fits the session's own non-match distribution beside m
//!   (records sharing a key agree on correlated fields more than random pairs do). Each
//!   comparison's m is the level-wise median over the sessions that estimated it.
//! * **The prior** (the probability that two random records match) is settled after scoring,
//!   as the least fixed point of `prior = expected matches / possible pairs`
//!   ([`crate::link::run`]).
//!
//! * **The calibration** ([`calibrate`]) puts a ceiling on the patterns of levels whose
//!   candidates claim far more matches than the model expects to show them: related
//!   non-matches (twins, namesakes), whom independent weights count twice.
//!
//! A pair's match weight is `log2(prior odds) + related + sum of log2(m/u)` over its levels; with term
//! frequencies, an exact agreement on value `v` weighs `log2(m / freq(v))`, so a common name
//! counts for less than a rare one, and with a context (`term_frequency_within`) a pair that
//! shares the context's value takes `freq(v)` among the records with that value (a name's
//! frequency among persons of the pair's nationality). Its match probability is
//! `2^w / (1 + 2^w)`.

use crate::fx::FxHashMap;

use serde::{Deserialize, Serialize};

use crate::compare::{NULL, Pattern, level_of};
use crate::settings::{Level, Mode, Settings};
use crate::table::Records;

/// The saved model's format tag.
pub const FORMAT: &str = "docket-link model 2";

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
    /// Patterns whose odds the calibration scaled down ([`calibrate`]); empty in a model
    /// saved before calibration existed.
    #[serde(default)]
    pub related: Vec<RelatedPattern>,
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

/// Per comparison and level, the weight `log2(m/u)`; and the term-frequency tables.
#[derive(Debug)]
pub struct Weights {
    /// `level[c][l]`.
    pub level: Vec<Vec<f64>>,
    /// `log2(prior / (1 - prior))`.
    pub prior: f64,
    /// For each comparison with term frequencies, its column in `tf`.
    pub tf_slot: Vec<Option<usize>>,
    /// Each record's value frequencies, one row of `tf_width` per record.
    pub tf: Vec<f32>,
    /// Comparisons with term frequencies.
    pub tf_width: usize,
    /// For each comparison whose frequencies count within a context, the context comparison.
    pub tf_context: Vec<Option<usize>>,
    /// Each record's value frequencies among the records that share its context value, laid
    /// out as `tf` (0: no context value, or no context for that comparison).
    pub tf_within: Vec<f32>,
    /// `log2(m_exact)` per comparison, for term-frequency weights.
    pub log_m_exact: Vec<f64>,
    /// The calibration's ceiling of each pattern it calibrated ([`calibrate`]), in bits.
    pub related: FxHashMap<Pattern, f64>,
    /// `log2(m)` of each comparison's first `token_subset` level (0 where it has none): what
    /// `swapped_tokens` weighs with.
    pub log_m_subset: Vec<f64>,
    /// For each comparison with term frequencies, its `token_subset` and `leading_tokens`
    /// levels (with a side or without) and each one's `log2(m)`: all weighed alike.
    pub subset_like: Vec<Vec<(u8, f64)>>,
    /// Each record's rarest name token's frequency (the share of records holding it), laid out
    /// as `tf`; 0 where the comparison has no `token_subset` level or the value is missing.
    pub sub: Vec<f32>,
    /// The same among the records that share the record's context value (0: none).
    pub sub_within: Vec<f32>,
    /// Token frequencies by term-frequency slot, for records scored against these weights
    /// that were not among those they were computed from ([`Weights::side_of`]).
    pub tokens: Vec<Option<TokenFrequencies>>,
    /// For each comparison with term frequencies, its `swapped` level and (with a
    /// `token_subset` level) its `swapped_tokens` level, on the comparison's first swap column.
    pub swap_levels: Vec<(Option<u8>, Option<u8>)>,
    /// Each record's value in the swap column of each such comparison, as the rarest-token
    /// frequency among this comparison's own values (a family name's among given names); laid
    /// out as `tf`, 0 where none.
    pub cross: Vec<f32>,
    /// The same among the records that share the record's context value (0: none).
    pub cross_within: Vec<f32>,
}

/// How common each name token is: the share of the records with a value that hold it, overall
/// and among the records that share a context value.
#[derive(Debug, Default)]
pub struct TokenFrequencies {
    overall: FxHashMap<u64, f32>,
    within: FxHashMap<(u64, u64), f32>,
}

/// The other record of a pair as [`Weights::of`] needs it: for each term-frequency comparison,
/// its rarest token's frequency, overall and within its context. Empty slices: not known
/// (the `token_subset` level then weighs by record `a` alone).
#[derive(Debug, Clone, Copy, Default)]
pub struct Side<'a> {
    sub: &'a [f32],
    sub_within: &'a [f32],
    cross: &'a [f32],
    cross_within: &'a [f32],
}

/// A [`Side`] computed for a record outside the weights' own records.
#[derive(Debug, Clone, Default)]
pub struct SideBuf {
    sub: Vec<f32>,
    sub_within: Vec<f32>,
    cross: Vec<f32>,
    cross_within: Vec<f32>,
}

impl Side<'_> {
    /// The rarest-token frequency at `at`, within the context if `within` and known there.
    #[inline]
    fn rarest(&self, at: usize, within: bool) -> f32 {
        let w = if within { self.sub_within.get(at).copied().unwrap_or(0.0) } else { 0.0 };
        if w > 0.0 { w } else { self.sub.get(at).copied().unwrap_or(0.0) }
    }

    /// The same for the record's value in the comparison's swap column.
    #[inline]
    fn rarest_swapped(&self, at: usize, within: bool) -> f32 {
        Side { sub: self.cross, sub_within: self.cross_within, ..Side::default() }.rarest(at, within)
    }
}

impl SideBuf {
    /// The side to pass to [`Weights::of`].
    pub fn side(&self) -> Side<'_> {
        Side { sub: &self.sub, sub_within: &self.sub_within, cross: &self.cross, cross_within: &self.cross_within }
    }
}

/// The 64-bit hash values are grouped and looked up by.
pub(crate) fn hash_str(v: &str) -> u64 {
    let mut h = crate::fx::FxHasher::default();
    std::hash::Hasher::write(&mut h, v.as_bytes());
    std::hash::Hasher::finish(&h)
}

/// Token frequencies of `field` over `records` (within the values of field `context`).
fn token_frequencies(records: &Records, field: usize, context: Option<usize>) -> TokenFrequencies {
    let mut overall: FxHashMap<u64, u32> = FxHashMap::default();
    let mut within: FxHashMap<(u64, u64), u32> = FxHashMap::default();
    let mut in_context: FxHashMap<u64, u32> = FxHashMap::default();
    let mut present = 0u32;
    let mut seen: Vec<u64> = Vec::new();
    for i in 0..records.len() {
        let v = records.sorted(field, i);
        if v.is_empty() {
            continue;
        }
        present += 1;
        seen.clear();
        seen.extend(crate::compare::tokens(v).map(hash_str));
        seen.sort_unstable();
        seen.dedup();
        for &t in &seen {
            *overall.entry(t).or_default() += 1;
        }
        if let Some(k) = context {
            let ctx = records.text(k, i);
            if !ctx.is_empty() {
                let ctx = hash_str(ctx);
                *in_context.entry(ctx).or_default() += 1;
                for &t in &seen {
                    *within.entry((ctx, t)).or_default() += 1;
                }
            }
        }
    }
    let share = |n: u32, of: u32| (f64::from(n) / f64::from(of.max(1))) as f32;
    TokenFrequencies {
        overall: overall.into_iter().map(|(t, n)| (t, share(n, present))).collect(),
        within: within.into_iter().map(|((c, t), n)| ((c, t), share(n, in_context[&c]))).collect(),
    }
}

impl TokenFrequencies {
    /// The frequency of the rarest token of `sorted` (tokens joined by one space), overall and
    /// within context value `context` (empty: none); 0 for a missing value or unknown tokens.
    fn rarest(&self, sorted: &str, context: &str) -> (f32, f32) {
        if sorted.is_empty() {
            return (0.0, 0.0);
        }
        let ctx = (!context.is_empty()).then(|| hash_str(context));
        let (mut overall, mut within) = (f32::INFINITY, f32::INFINITY);
        for t in crate::compare::tokens(sorted).map(hash_str) {
            overall = overall.min(self.overall.get(&t).copied().unwrap_or(0.0));
            within = within.min(ctx.and_then(|c| self.within.get(&(c, t)).copied()).unwrap_or(0.0));
        }
        (overall, within)
    }
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
        for (k, r) in model.related.iter().enumerate() {
            if let Err(message) = pattern_of(settings, &r.levels) {
                return Err(mismatch(format!("related pattern {}: {message}", k + 1)));
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

    /// The calibration's ceilings by pattern.
    pub fn weights_related(&self, settings: &Settings) -> FxHashMap<Pattern, f64> {
        self.related.iter().filter_map(|r| Some((pattern_of(settings, &r.levels).ok()?, r.ceiling))).collect()
    }

    /// Weights for scoring `records` (term frequencies are taken from them).
    pub fn weights(&self, settings: &Settings, records: &Records) -> Weights {
        self.weights_with(settings, records, &ValueStats::of(settings, records))
    }

    /// [`Model::weights`] with value statistics already computed.
    pub fn weights_with(&self, settings: &Settings, records: &Records, stats: &ValueStats) -> Weights {
        let level = self
            .comparisons
            .iter()
            .map(|c| c.levels.iter().map(|l| (l.m.max(FLOOR) / l.u.max(FLOOR)).log2()).collect())
            .collect();
        let mut tf_slot = Vec::new();
        let mut columns = Vec::new();
        let mut within_columns = Vec::new();
        for cmp in &settings.comparisons {
            tf_slot.push(cmp.term_frequency.then_some(columns.len()));
            if cmp.term_frequency {
                columns.push(stats.frequencies(cmp.field));
                within_columns.push(
                    cmp.term_frequency_within
                        .map(|k| frequencies_within(records, cmp.field, settings.comparisons[k].field)),
                );
            }
        }
        // Row by row, so that scoring a pair reads one place for all its frequencies.
        let tf_width = columns.len();
        let mut tf = vec![0f32; tf_width * records.len()];
        for (k, col) in columns.iter().enumerate() {
            for (i, &f) in col.iter().enumerate() {
                tf[i * tf_width + k] = f;
            }
        }
        let mut tf_within = Vec::new();
        if within_columns.iter().any(Option::is_some) {
            tf_within = vec![0f32; tf_width * records.len()];
            for (k, col) in within_columns.iter().enumerate() {
                for (i, &f) in col.iter().flatten().enumerate() {
                    tf_within[i * tf_width + k] = f;
                }
            }
        }
        let tf_context: Vec<Option<usize>> = settings.comparisons.iter().map(|c| c.term_frequency_within).collect();
        let log_m_exact = self.comparisons.iter().map(|c| c.levels[0].m.max(FLOOR).log2()).collect();
        let related = self.weights_related(settings);
        // token_subset under term frequencies: how common is the rarest token of each record.
        let subset_level: Vec<Option<u8>> = settings
            .comparisons
            .iter()
            .map(|c| {
                let l = c.levels.iter().position(|l| matches!(l, Level::TokenSubset(_)))?;
                c.term_frequency.then_some(l as u8)
            })
            .collect();
        let log_m_subset = (0..settings.comparisons.len())
            .map(|c| subset_level[c].map_or(0.0, |l| self.comparisons[c].levels[usize::from(l)].m.max(FLOOR).log2()))
            .collect();
        // Every token_subset and leading_tokens level, weighed alike with its own m.
        let subset_like: Vec<Vec<(u8, f64)>> = settings
            .comparisons
            .iter()
            .enumerate()
            .map(|(c, cmp)| {
                let tokens = |l: &Level| matches!(l, Level::TokenSubset(_) | Level::LeadingTokens(_));
                let levels = cmp.levels.iter().enumerate().filter(|(_, l)| cmp.term_frequency && tokens(l));
                levels.map(|(l, _)| (l as u8, self.comparisons[c].levels[l].m.max(FLOOR).log2())).collect()
            })
            .collect();
        let by_tokens = |c: usize| !subset_like[c].is_empty();
        let mut tokens: Vec<Option<TokenFrequencies>> = (0..tf_width).map(|_| None).collect();
        let (mut sub, mut sub_within) = (Vec::new(), Vec::new());
        if (0..settings.comparisons.len()).any(by_tokens) {
            sub = vec![0f32; tf_width * records.len()];
            sub_within = vec![0f32; tf_width * records.len()];
            for (c, cmp) in settings.comparisons.iter().enumerate() {
                let (true, Some(k)) = (by_tokens(c), tf_slot[c]) else { continue };
                let context = tf_context[c].map(|x| settings.comparisons[x].field);
                let table = token_frequencies(records, cmp.field, context);
                for i in 0..records.len() {
                    let ctx = context.map_or("", |x| records.text(x, i));
                    let (o, w) = table.rarest(records.sorted(cmp.field, i), ctx);
                    sub[i * tf_width + k] = o;
                    sub_within[i * tf_width + k] = w;
                }
                tokens[k] = Some(table);
            }
        }
        // Names recorded in each other's columns are weighed as the agreement they would be in
        // their own columns (below, `Weights::of`); swapped tokens need the other record's
        // swap-column value measured among this column's tokens.
        let swap_levels: Vec<(Option<u8>, Option<u8>)> = settings
            .comparisons
            .iter()
            .enumerate()
            .map(|(c, cmp)| {
                let Some(o) = swap_column(cmp).filter(|_| tf_slot[c].is_some()) else { return (None, None) };
                let at = |tokens: bool| {
                    cmp.levels.iter().position(|l| match *l {
                        Level::Swapped(x) => !tokens && x == o,
                        Level::SwappedTokens(x) => tokens && x == o,
                        _ => false,
                    })
                };
                (at(false).map(|l| l as u8), at(true).map(|l| l as u8).filter(|_| subset_level[c].is_some()))
            })
            .collect();
        let (mut cross, mut cross_within) = (Vec::new(), Vec::new());
        if swap_levels.iter().any(|l| l.1.is_some()) {
            cross = vec![0f32; tf_width * records.len()];
            cross_within = vec![0f32; tf_width * records.len()];
            for (c, cmp) in settings.comparisons.iter().enumerate() {
                let (Some(_), Some(k), Some(o)) = (swap_levels[c].1, tf_slot[c], swap_column(cmp)) else { continue };
                let Some(table) = tokens[k].as_ref() else { continue };
                let context = tf_context[c].map(|x| settings.comparisons[x].field);
                for i in 0..records.len() {
                    let ctx = context.map_or("", |x| records.text(x, i));
                    let (o, w) = table.rarest(records.sorted(o, i), ctx);
                    cross[i * tf_width + k] = o;
                    cross_within[i * tf_width + k] = w;
                }
            }
        }
        Weights {
            level,
            prior: (self.prior / (1.0 - self.prior)).log2(),
            tf_slot,
            tf,
            tf_width,
            tf_context,
            tf_within,
            log_m_exact,
            related,
            log_m_subset,
            subset_like,
            sub,
            sub_within,
            tokens,
            swap_levels,
            cross,
            cross_within,
        }
    }
}

/// The column a comparison's first `swapped` or `swapped_tokens` level looks at.
fn swap_column(cmp: &crate::settings::Comparison) -> Option<usize> {
    cmp.levels.iter().find_map(|l| match *l {
        Level::Swapped(o) | Level::SwappedTokens(o) => Some(o),
        _ => None,
    })
}

/// The pattern of level labels, one per comparison (`missing` for a missing value).
fn pattern_of(settings: &Settings, levels: &[String]) -> Result<Pattern, String> {
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

/// A pattern whose pairs' probabilities claim more than this share of them as matches is
/// left alone by [`calibrate`].
const MOSTLY_CLAIMED: f64 = 0.5;

/// How a missing value's level is written.
const MISSING: &str = "missing";

/// How many matches the model plausibly holds in a pattern it expects `expected` of: half as
/// many again, for what the fitted m cannot know (the levels of one record's comparisons are
/// not independent).
fn plausible_matches(expected: f64) -> f64 {
    1.5 * expected
}

/// Above how many claimed matches a pattern is taken to hold related non-matches: the
/// plausible number and the upper tail of a Poisson count around it, so that chance alone
/// rarely sends a pattern to the calibration.
fn too_many_claims(expected: f64) -> f64 {
    let e = plausible_matches(expected);
    e + 3.0 * e.sqrt() + 3.0
}

/// Calibration against related non-matches.
///
/// Fellegi–Sunter weighs each comparison as if non-matching records agreed on it
/// independently of the others. Related records break that: twins share a rare family name
/// *and* a date of birth, namesakes a rare full name, and a pair of them collects both
/// weights. Such pairs betray themselves in number: summed over the candidates with one
/// pattern of levels, their probabilities claim far more matches than the model expects to
/// show that pattern (`E = expected matches × Π m(level)`).
///
/// Related non-matches are a second source of non-matching pairs beside chance, and one whose
/// rate does not fall as the shared values grow rare: a twin is as likely under a rare family
/// name as under a common one. With `R` the chance that a pair of the pattern is such a pair
/// and `U` the chance that random records show it, the pair's odds are
/// `prior × M / (U + R)` instead of `prior × M / U`: their inverses add, and the odds of a
/// pair of rare values, however high `M / U`, stay under `prior × M / R`. So a pattern gets a
/// *ceiling* `log2(M / R)` on the sum `x` of its comparisons' weights, which it replaces by
/// `-log2(2^-x + 2^-ceiling)` ([`capped`]): about `x` well below the ceiling, about the
/// ceiling well above it. (A weight added to every pair alike, as an earlier calibration did,
/// leaves the rarest related pairs above any threshold.)
///
/// For each pattern whose pairs claim more than [`too_many_claims`], this finds the ceiling
/// that brings the claim down to [`plausible_matches`]. Patterns that claim no more than that
/// are left alone, so the usual matches' patterns are not touched. `pairs` are scored with
/// `weights` as they stand without the calibration.
pub fn calibrate(
    settings: &Settings,
    model: &Model,
    weights: &Weights,
    pairs: impl Iterator<Item = (Pattern, usize, usize)>,
) -> Vec<RelatedPattern> {
    let mut by_pattern: FxHashMap<Pattern, Vec<f64>> = FxHashMap::default();
    for (pattern, a, b) in pairs {
        by_pattern.entry(pattern).or_default().push(weights.base(pattern, a, weights.side(b)));
    }
    let mut out = Vec::new();
    let mut groups: Vec<(Pattern, Vec<f64>)> = by_pattern.into_iter().collect();
    groups.sort_unstable_by_key(|g| g.0);
    for (pattern, base) in groups {
        let mut expected = model.expected_matches;
        for (c, cmp) in model.comparisons.iter().enumerate() {
            let l = level_of(pattern, c);
            if l != NULL {
                expected *= cmp.levels[usize::from(l)].m;
            }
        }
        let prior = weights.prior;
        let claimed = base.iter().map(|&w| probability(w)).sum::<f64>();
        if claimed <= too_many_claims(expected) || claimed > MOSTLY_CLAIMED * base.len() as f64 {
            continue;
        }
        let allowed = plausible_matches(expected);
        // The comparisons' sums, and what the pattern claims under a ceiling: claims() falls
        // as the ceiling falls, so bisect for the ceiling that claims `allowed`.
        let sums: Vec<f64> = base.iter().map(|w| w - prior).collect();
        let claims = |ceiling: f64| sums.iter().map(|&x| probability(prior + capped(x, ceiling))).sum::<f64>();
        let top = sums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut lo, mut hi) = (top - 1.0, top + 64.0);
        let mut step = 1.0;
        while claims(lo) > allowed && step < 1e4 {
            hi = lo;
            step *= 2.0;
            lo -= step;
        }
        for _ in 0..60 {
            let mid = (lo + hi) / 2.0;
            if claims(mid) > allowed { hi = mid } else { lo = mid }
        }
        out.push(RelatedPattern {
            levels: (0..settings.comparisons.len()).map(|c| level_name(settings, c, level_of(pattern, c))).collect(),
            ceiling: lo,
            pairs: base.len() as u64,
            claimed,
            expected,
        });
    }
    out
}

/// Value counts of the fields that compare exactly or weigh by frequency, computed once per
/// job: each record's value frequency, and the chance that two random records agree.
pub struct ValueStats {
    fields: Vec<Option<FieldStats>>,
}

struct FieldStats {
    frequency: Vec<f32>,
    agreement: Option<f64>,
}

impl ValueStats {
    /// Counts the values of every field used by an `exact` level or with term frequencies, a
    /// field per thread. Values are grouped by sorting their 64-bit hashes, which is faster
    /// than a hash table over millions of strings.
    pub fn of(settings: &Settings, records: &Records) -> ValueStats {
        let mut wanted: Vec<usize> = settings
            .comparisons
            .iter()
            .filter(|c| c.term_frequency || c.levels.first() == Some(&Level::Exact))
            .map(|c| c.field)
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let split = match settings.mode {
            Mode::Link => records.a_len,
            Mode::Dedupe => records.len(),
        };
        let mode = settings.mode;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, wanted.len().max(1));
        let mut fields: Vec<Option<FieldStats>> = (0..settings.fields.len()).map(|_| None).collect();
        let computed: Vec<(usize, FieldStats)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let mine: Vec<usize> = wanted.iter().copied().skip(t).step_by(threads).collect();
                    s.spawn(move || {
                        // One buffer for the thread's fields: fresh memory is costly to fault in.
                        let mut keyed = Vec::new();
                        mine.into_iter()
                            .map(|f| (f, field_stats(records, f, split, mode, &mut keyed)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        for (f, st) in computed {
            fields[f] = Some(st);
        }
        ValueStats { fields }
    }

    /// Each record's value frequency in `field` among the records with a value (0: missing;
    /// empty if the field's frequencies were not wanted).
    pub fn frequencies(&self, field: usize) -> &[f32] {
        self.fields[field].as_ref().map_or(&[], |f| &f.frequency)
    }

    /// P(two random records with values agree exactly) in `field`.
    pub fn agreement(&self, field: usize) -> Option<f64> {
        self.fields[field].as_ref().and_then(|f| f.agreement)
    }
}

fn field_stats(records: &Records, field: usize, split: usize, mode: Mode, keyed: &mut Vec<(u64, u32)>) -> FieldStats {
    let n = records.len();
    keyed.clear();
    keyed.extend((0..n).filter_map(|i| {
        let v = records.text(field, i);
        (!v.is_empty()).then(|| (hash_str(v), i as u32))
    }));
    keyed.sort_unstable();
    let present = keyed.len().max(1) as f64;
    let mut frequency = vec![0f32; n];
    let (mut na, mut nb, mut same) = (0f64, 0f64, 0f64);
    for group in keyed.chunk_by(|x, y| x.0 == y.0) {
        let k = group.len();
        let f = (k as f64 / present) as f32;
        let mut ka = 0f64;
        for &(_, i) in group {
            frequency[i as usize] = f;
            if (i as usize) < split {
                ka += 1.0;
            }
        }
        let kb = k as f64 - ka;
        na += ka;
        nb += kb;
        same += match mode {
            Mode::Link => ka * kb,
            Mode::Dedupe => ka * (ka - 1.0),
        };
    }
    let agreement = match mode {
        Mode::Link if na > 0.0 && nb > 0.0 => Some((same / (na * nb)).max(FLOOR)),
        Mode::Dedupe if na >= 2.0 => Some((same / (na * (na - 1.0))).max(FLOOR)),
        _ => None,
    };
    FieldStats { frequency, agreement }
}

/// Each record's frequency of its value in `field` among the records that share its value in
/// `context` and have a value in `field` (0 where either is missing): how common a name is
/// among persons of the same nationality. Grouped by sorting hashes, as [`field_stats`] does.
fn frequencies_within(records: &Records, field: usize, context: usize) -> Vec<f32> {
    let mut keyed: Vec<(u64, u64, u32)> = (0..records.len())
        .filter_map(|i| {
            let (v, k) = (records.text(field, i), records.text(context, i));
            (!v.is_empty() && !k.is_empty()).then(|| (hash_str(k), hash_str(v), i as u32))
        })
        .collect();
    keyed.sort_unstable();
    let mut frequency = vec![0f32; records.len()];
    for in_context in keyed.chunk_by(|x, y| x.0 == y.0) {
        let total = in_context.len() as f64;
        for same in in_context.chunk_by(|x, y| x.1 == y.1) {
            let f = (same.len() as f64 / total) as f32;
            for &(_, _, i) in same {
                frequency[i as usize] = f;
            }
        }
    }
    frequency
}

impl Weights {
    /// Weight of comparison `c` at level `l` for table-A record `a` in a pair with `pattern`
    /// (which says, for a frequency counted within a context, whether the pair shares it).
    ///
    /// With term frequencies, `token_subset` weighs by how common the names the two share
    /// are: `log2(m_subset / f)`, `f` the frequency of the rarest token of the record with
    /// fewer tokens (counted within the pair's context where it shares one). That record's
    /// tokens are all shared, and the other record's rarest token is at most as common, so
    /// `f` is the larger of the two records' rarest-token frequencies; `b` gives the other
    /// record's (an empty side: record `a`'s alone).
    #[inline]
    pub fn of(&self, c: usize, l: u8, a: usize, b: Side<'_>, pattern: Pattern) -> f64 {
        if l == NULL {
            return 0.0;
        }
        if let Some(&(_, log_m)) = self.subset_like[c].iter().find(|x| x.0 == l)
            && let Some(k) = self.tf_slot[c]
        {
            let f = self.subset_frequency(c, k, a, pattern).max(b.rarest(k, self.shares_context(c, pattern)));
            if f > 0.0 {
                return log_m - f64::from(f).log2();
            }
        }
        // A recording that put the names in each other's columns is as likely for two records of
        // one person as for two of different persons, so a swap weighs what the names would
        // weigh in their own columns: `swapped` as `exact`, `swapped_tokens` as `token_subset`,
        // its `f` the larger of record `a`'s rarest-token frequency and the other record's
        // swapped value's among this column's values.
        let (swapped, swapped_tokens) = self.swap_levels[c];
        if Some(l) == swapped {
            return self.of(c, 0, a, b, pattern);
        }
        if Some(l) == swapped_tokens
            && let Some(k) = self.tf_slot[c]
        {
            let within = self.shares_context(c, pattern);
            let f = self.subset_frequency(c, k, a, pattern).max(b.rarest_swapped(k, within));
            if f > 0.0 {
                return self.log_m_subset[c] - f64::from(f).log2();
            }
        }
        if l == 0
            && let Some(k) = self.tf_slot[c]
        {
            let at = a * self.tf_width + k;
            let mut f = f64::from(self.tf[at]);
            if let Some(context) = self.tf_context[c]
                && level_of(pattern, context) == 0
            {
                let within = f64::from(self.tf_within.get(at).copied().unwrap_or(0.0));
                if within > 0.0 {
                    f = within;
                }
            }
            if f > 0.0 {
                return self.log_m_exact[c] - f.log2();
            }
        }
        self.level[c][l as usize]
    }

    /// Whether level `l` of comparison `c` is weighed by the values' frequencies (`exact`,
    /// `token_subset` and the swap levels, under `term_frequency`).
    pub fn by_frequency(&self, c: usize, l: u8) -> bool {
        self.tf_slot[c].is_some()
            && (l == 0
                || self.subset_like[c].iter().any(|x| x.0 == l)
                || Some(l) == self.swap_levels[c].0
                || Some(l) == self.swap_levels[c].1)
    }

    /// Whether comparison `c` counts frequencies within a context that the pair shares.
    #[inline]
    fn shares_context(&self, c: usize, pattern: Pattern) -> bool {
        self.tf_context[c].is_some_and(|x| level_of(pattern, x) == 0)
    }

    /// Record `a`'s rarest-token frequency for comparison `c` (slot `k`).
    #[inline]
    fn subset_frequency(&self, c: usize, k: usize, a: usize, pattern: Pattern) -> f32 {
        Side { sub: &self.sub, sub_within: &self.sub_within, ..Side::default() }
            .rarest(a * self.tf_width + k, self.shares_context(c, pattern))
    }

    /// The most `token_subset` and `leading_tokens` of comparison `c` can weigh for record `a`
    /// whatever the other record (`None`: the comparison has no such weighing). The swap levels need no bound: a
    /// comparison with one reads another column, so the index grades it at once.
    #[inline]
    pub fn subset_ceiling(&self, c: usize, a: usize, pattern: Pattern) -> Option<f64> {
        let k = self.tf_slot[c]?;
        let f = self.subset_frequency(c, k, a, pattern);
        self.subset_like[c]
            .iter()
            .map(|&(l, log_m)| if f > 0.0 { log_m - f64::from(f).log2() } else { self.level[c][usize::from(l)] })
            .reduce(f64::max)
    }

    /// Record `i` of the records these weights were computed from, as the other side of a
    /// pair.
    #[inline]
    pub fn side(&self, i: usize) -> Side<'_> {
        if self.sub.is_empty() {
            return Side::default();
        }
        let at = i * self.tf_width;
        let (cross, cross_within) = if self.cross.is_empty() {
            (&[][..], &[][..])
        } else {
            (&self.cross[at..at + self.tf_width], &self.cross_within[at..at + self.tf_width])
        };
        Side {
            sub: &self.sub[at..at + self.tf_width],
            sub_within: &self.sub_within[at..at + self.tf_width],
            cross,
            cross_within,
        }
    }

    /// Record `i` of other `records` (an incoming record), as the other side of a pair.
    pub fn side_of(&self, settings: &Settings, records: &Records, i: usize) -> SideBuf {
        if self.sub.is_empty() {
            return SideBuf::default();
        }
        let mut out = SideBuf {
            sub: vec![0.0; self.tf_width],
            sub_within: vec![0.0; self.tf_width],
            cross: vec![0.0; if self.cross.is_empty() { 0 } else { self.tf_width }],
            cross_within: vec![0.0; if self.cross.is_empty() { 0 } else { self.tf_width }],
        };
        for (c, cmp) in settings.comparisons.iter().enumerate() {
            let (Some(k), Some(table)) = (self.tf_slot[c], self.tf_slot[c].and_then(|k| self.tokens[k].as_ref()))
            else {
                continue;
            };
            let ctx = self.tf_context[c].map_or("", |x| records.text(settings.comparisons[x].field, i));
            let (o, w) = table.rarest(records.sorted(cmp.field, i), ctx);
            out.sub[k] = o;
            out.sub_within[k] = w;
            if let (Some(_), Some(o)) = (self.swap_levels[c].1, swap_column(cmp))
                && !out.cross.is_empty()
            {
                let (x, y) = table.rarest(records.sorted(o, i), ctx);
                out.cross[k] = x;
                out.cross_within[k] = y;
            }
        }
        out
    }

    /// Total match weight of a pair with `pattern`: [`Weights::base`] and the related weight.
    pub fn total(&self, pattern: Pattern, a: usize, b: Side<'_>) -> f64 {
        let base = self.base(pattern, a, b);
        base + self.related(pattern, base)
    }

    /// The prior and every comparison's weight, without the calibration.
    pub fn base(&self, pattern: Pattern, a: usize, b: Side<'_>) -> f64 {
        let mut w = self.prior;
        for c in 0..self.level.len() {
            w += self.of(c, level_of(pattern, c), a, b, pattern);
        }
        w
    }

    /// The calibration's weight of a pair with `pattern` whose [`Weights::base`] is `base`: 0
    /// for a pattern it left alone; for one that related non-matches share with matches, what
    /// holding the comparisons' sum under the pattern's ceiling takes off (never positive).
    #[inline]
    pub fn related(&self, pattern: Pattern, base: f64) -> f64 {
        match self.ceiling(pattern) {
            Some(ceiling) => {
                let x = base - self.prior;
                capped(x, ceiling) - x
            }
            None => 0.0,
        }
    }

    /// The calibration's weight of table-A record `a` against `b` with `pattern`: 0 without
    /// computing anything for a pattern it left alone (most pairs).
    pub fn related_between(&self, pattern: Pattern, a: usize, b: Side<'_>) -> f64 {
        if self.ceiling(pattern).is_none() { 0.0 } else { self.related(pattern, self.base(pattern, a, b)) }
    }

    /// The calibration's ceiling on the comparisons of a pair with `pattern`, if it put one there.
    #[inline]
    pub fn ceiling(&self, pattern: Pattern) -> Option<f64> {
        if self.related.is_empty() { None } else { self.related.get(&pattern).copied() }
    }
}

/// `x` held under `ceiling`: `-log2(2^-x + 2^-ceiling)`. Odds add as resistances do: a
/// pattern's related non-matches are a second source of non-matching pairs beside chance, one
/// whose rate does not fall as the shared values grow rare (a twin is as likely under a rare
/// family name as under a common one), so the odds against them cap the pair's odds.
#[inline]
pub fn capped(x: f64, ceiling: f64) -> f64 {
    let (lo, hi) = if x < ceiling { (x, ceiling) } else { (ceiling, x) };
    lo - (lo - hi).exp2().ln_1p() / std::f64::consts::LN_2
}

/// Match probability of a weight.
#[inline]
pub fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() { 1.0 } else { odds / (1.0 + odds) }
}

/// Counts of `(pattern, rule mask)` among the candidates.
pub fn aggregate(patterns: &[Pattern], masks: &[u16]) -> Vec<(Pattern, u16, u64)> {
    let mut counts: FxHashMap<(Pattern, u16), u64> = FxHashMap::default();
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
pub fn estimate_u(settings: &Settings, stats: &ValueStats, random: &[Pattern]) -> Vec<Vec<f64>> {
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
        if cmp.levels[0] == Level::Exact && cmp.kind != crate::settings::ColumnKind::Date {
            let exact = stats.agreement(cmp.field);
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

/// Fits m by EM sessions (one per blocking rule) with `u` fixed; returns the model.
pub fn fit(
    settings: &Settings,
    records: &Records,
    counts: &[(Pattern, u16, u64)],
    u: Vec<Vec<f64>>,
    random_pairs: u64,
) -> Model {
    let nc = settings.comparisons.len();
    // Per comparison, the m vectors of the sessions that estimated it.
    let mut estimates: Vec<Vec<Vec<f64>>> = vec![Vec::new(); nc];
    let mut report = FitReport { random_pairs, sessions: Vec::new() };
    let mut expected = 0f64;
    for (r, rule) in settings.rules.iter().enumerate() {
        let blocked: Vec<usize> =
            rule.keys.iter().flat_map(|k| settings.fields[k.field].columns.iter().copied()).collect();
        let included: Vec<bool> =
            settings.comparisons.iter().map(|c| !c.columns.iter().any(|col| blocked.contains(col))).collect();
        // Levels of comparisons left out of the session are cleared, so that patterns that
        // differ only there are counted as one: EM then runs over far fewer entries.
        let keep: Pattern = (0..nc).filter(|&c| included[c]).fold(0, |k, c| k | 0xf << (4 * c));
        let mut merged: FxHashMap<Pattern, u64> = FxHashMap::default();
        for &(p, mask, n) in counts {
            if mask & (1 << r) != 0 {
                *merged.entry(p & keep).or_default() += n;
            }
        }
        let mut entries: Vec<(Pattern, u64)> = merged.into_iter().collect();
        entries.sort_unstable();
        let pairs: u64 = entries.iter().map(|e| e.1).sum();
        if pairs < 10 || !included.iter().any(|&x| x) {
            continue;
        }
        let (m, lambda, iterations) = em(settings, &entries, &included, &u);
        for c in 0..nc {
            if included[c] {
                estimates[c].push(m[c].clone());
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
    if estimates.iter().any(Vec::is_empty) {
        let entries: Vec<(Pattern, u64)> = counts.iter().map(|&(p, _, n)| (p, n)).collect();
        let missing: Vec<bool> = estimates.iter().map(Vec::is_empty).collect();
        let included = vec![true; nc];
        let (m, lambda, iterations) = em(settings, &entries, &included, &u);
        let pairs: u64 = entries.iter().map(|e| e.1).sum();
        for c in 0..nc {
            if missing[c] {
                estimates[c].push(m[c].clone());
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
    let combined: Vec<Vec<f64>> = estimates.iter().map(|e| median_m(e)).collect();
    let comparisons = settings
        .comparisons
        .iter()
        .enumerate()
        .map(|(c, cmp)| ComparisonModel {
            name: cmp.name.clone(),
            levels: (0..cmp.level_count())
                .map(|l| LevelModel { label: cmp.level_label(l), m: combined[c][l], u: u[c][l] })
                .collect(),
            term_frequency: cmp.term_frequency,
        })
        .collect();
    Model { format: FORMAT.into(), prior, expected_matches: expected, comparisons, fit: report, related: Vec::new() }
}

/// The level-wise median of several sessions' m vectors, renormalized: one session whose EM
/// went astray (a block whose records agree on much more than its keys) does not move it.
fn median_m(estimates: &[Vec<f64>]) -> Vec<f64> {
    let Some(first) = estimates.first() else { return Vec::new() };
    let mut m: Vec<f64> = (0..first.len())
        .map(|l| {
            let mut v: Vec<f64> = estimates.iter().map(|e| e[l]).collect();
            v.sort_unstable_by(f64::total_cmp);
            let k = v.len();
            if k % 2 == 1 { v[k / 2] } else { (v[k / 2 - 1] + v[k / 2]) / 2.0 }
        })
        .collect();
    let total: f64 = m.iter().sum();
    for x in &mut m {
        *x = (*x / total.max(FLOOR)).clamp(FLOOR, 1.0);
    }
    m
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
    // Within a session the non-matches are not random pairs: records that share a blocking
    // key agree on correlated fields far more often (namesakes share sex and nationality).
    // Holding u at its random-pair value there would push those agreements into the match
    // class, so the session's non-match distribution is fitted too, starting from the
    // random-pair u; only m leaves the session.
    let mut v: Vec<Vec<f64>> = u.to_vec();
    let mut lambda = 0.01;
    let mut iterations = 0;
    let training = settings.training;
    while iterations < training.max_iterations {
        iterations += 1;
        let mut num: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut num_u: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut den = vec![0.0; nc];
        let mut den_u = vec![0.0; nc];
        let (mut matched, mut total) = (0.0, 0.0);
        for &(p, n) in entries {
            let (mut pm, mut pu) = (lambda, 1.0 - lambda);
            for c in 0..nc {
                let l = level_of(p, c);
                if included[c] && l != NULL {
                    pm *= m[c][l as usize];
                    pu *= v[c][l as usize];
                }
            }
            let post = if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 };
            let w = post * n as f64;
            let w_u = n as f64 - w;
            matched += w;
            total += n as f64;
            for c in 0..nc {
                let l = level_of(p, c);
                if included[c] && l != NULL {
                    num[c][l as usize] += w;
                    den[c] += w;
                    num_u[c][l as usize] += w_u;
                    den_u[c] += w_u;
                }
            }
        }
        let mut moved: f64 = 0.0;
        for c in 0..nc {
            if !included[c] {
                continue;
            }
            if den[c] > 0.0 {
                // One pseudo-match per level: a level no match happened to reach in this
                // session is rare among matches, not impossible.
                let levels = num[c].len() as f64;
                for (l, x) in num[c].iter().enumerate() {
                    let next = ((x + 1.0) / (den[c] + levels)).max(FLOOR);
                    moved = moved.max((next - m[c][l]).abs());
                    m[c][l] = next;
                }
            }
            if den_u[c] > 0.0 {
                for (l, x) in num_u[c].iter().enumerate() {
                    v[c][l] = (x / den_u[c]).max(FLOOR);
                }
            }
        }
        lambda = (matched / total.max(1.0)).clamp(1e-9, 1.0 - 1e-9);
        if moved < training.tolerance {
            break;
        }
    }
    (m, lambda, iterations)
}
