//! Match weights: per comparison and level `log2(m/u)`, with term frequencies (a common value
//! agreeing counts for less than a rare one), the related-pattern ceilings of the calibration,
//! and a pair's weight and probability.

use crate::fx::FxHashMap;

use crate::compare::{NULL, Pattern, level_of};
use crate::fit::{ValueStats, frequencies_within};
use crate::fx::hash_str;
use crate::model::{FLOOR, Model, pattern_of};
use crate::settings::{Level, Settings};
use crate::table::Records;

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
    /// The calibration's ceiling of each pattern it calibrated (`calibrate.rs`), in bits.
    pub related: FxHashMap<Pattern, f64>,
    /// The kinds of related non-match with a fitted rate: the kind (index into
    /// [`Settings::related`]), a bit per comparison it shares, and `log2(rate)`.
    pub kinds: Vec<(usize, u32, f64)>,
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

/// Token frequencies of `field` over `records` (within the values of field `context`).
pub(crate) fn token_frequencies(records: &Records, field: usize, context: Option<usize>) -> TokenFrequencies {
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
        if self.kinds.is_empty() {
            let base = self.base(pattern, a, b);
            return base + self.related(pattern, base);
        }
        let (x, ceiling) = self.held(pattern, a, b);
        self.prior + ceiling.map_or(x, |c| capped(x, c))
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
    /// Without the kinds of related non-match ([`Weights::related_between`] counts those).
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

    /// The related weight of table-A record `a` against `b` with `pattern`: 0 without
    /// computing anything for a pattern the calibration left alone when there are no kinds
    /// of related non-match (most pairs).
    pub fn related_between(&self, pattern: Pattern, a: usize, b: Side<'_>) -> f64 {
        if self.kinds.is_empty() {
            return if self.ceiling(pattern).is_none() { 0.0 } else { self.related(pattern, self.base(pattern, a, b)) };
        }
        let (x, ceiling) = self.held(pattern, a, b);
        ceiling.map_or(0.0, |c| capped(x, c) - x)
    }

    /// The calibration's ceiling on the comparisons of a pair with `pattern`, if it put one there.
    #[inline]
    pub fn ceiling(&self, pattern: Pattern) -> Option<f64> {
        if self.related.is_empty() { None } else { self.related.get(&pattern).copied() }
    }

    /// The ceiling that holds the comparisons of table-A record `a` against `b` down: the
    /// pattern's (calibration) and the kinds' of related non-match together, if any.
    pub fn ceiling_between(&self, pattern: Pattern, a: usize, b: Side<'_>) -> Option<f64> {
        if self.kinds.is_empty() { self.ceiling(pattern) } else { self.held(pattern, a, b).1 }
    }

    /// The sum `x` of the comparisons' weights of a pair, and the ceiling over it: the
    /// pattern's and the kinds' together (their inverse odds add).
    fn held(&self, pattern: Pattern, a: usize, b: Side<'_>) -> (f64, Option<f64>) {
        let (x, kinds) = self.kinds_ceiling(pattern, a, b);
        (x, combine(self.ceiling(pattern), kinds))
    }

    /// The sum `x` of the comparisons' weights of a pair, and the ceiling the kinds of related
    /// non-match put over it. A pair related as kind `k` agrees on the comparisons `k` shares as
    /// a match does and on the others as random records do; so the match odds against it are
    /// `prior × 2^y / rate` with `y` the weights of the comparisons `k` does not share, and its
    /// ceiling is `y - log2(rate)`.
    pub fn kinds_ceiling(&self, pattern: Pattern, a: usize, b: Side<'_>) -> (f64, Option<f64>) {
        let mut x = 0.0;
        let mut outside = [0.0f64; 8];
        for c in 0..self.level.len() {
            let w = self.of(c, level_of(pattern, c), a, b, pattern);
            x += w;
            for (k, &(_, shared, _)) in self.kinds.iter().enumerate() {
                if shared & (1 << c) == 0 {
                    outside[k] += w;
                }
            }
        }
        let mut ceiling = None;
        for (k, &(_, _, log_rate)) in self.kinds.iter().enumerate() {
            ceiling = combine(ceiling, Some(outside[k] - log_rate));
        }
        (x, ceiling)
    }

    /// The ceiling the kinds of related non-match put over a pair whose comparisons' weights
    /// outside each kind `k` of [`Settings::related`] sum to `y[k]`: as
    /// [`Weights::kinds_ceiling`] gives it, from sums kept.
    pub(crate) fn kinds_ceiling_from(&self, y: &[f64]) -> Option<f64> {
        let mut ceiling = None;
        for &(kind, _, log_rate) in &self.kinds {
            ceiling = combine(ceiling, Some(y[kind] - log_rate));
        }
        ceiling
    }

    /// [`Weights::total`] of a pair with `pattern` from its sums kept, `x` of all its
    /// comparisons' weights and `y` as [`Weights::kinds_ceiling_from`] takes them; with kinds
    /// of related non-match in force.
    pub(crate) fn total_from(&self, pattern: Pattern, x: f64, y: &[f64]) -> f64 {
        debug_assert!(!self.kinds.is_empty());
        let ceiling = combine(self.ceiling(pattern), self.kinds_ceiling_from(y));
        self.prior + ceiling.map_or(x, |c| capped(x, c))
    }

    /// Each kind of related non-match's own ceiling over the comparisons of table-A record `a`
    /// against `b`, `y - log2(rate)`, with the kind's index into [`Settings::related`].
    pub fn kind_ceilings(&self, pattern: Pattern, a: usize, b: Side<'_>) -> Vec<(usize, f64)> {
        self.kinds
            .iter()
            .map(|&(kind, shared, log_rate)| {
                let y: f64 = (0..self.level.len())
                    .filter(|&c| shared & (1 << c) == 0)
                    .map(|c| self.of(c, level_of(pattern, c), a, b, pattern))
                    .sum();
                (kind, y - log_rate)
            })
            .collect()
    }

    /// For each kind of related non-match, given by the bits of the comparisons it shares
    /// (`shared`), the weights of the comparisons it does not share (`y` of
    /// [`Weights::kinds_ceiling`]), into `out`; and the sum of all the comparisons' weights.
    pub(crate) fn outside(&self, pattern: Pattern, a: usize, b: Side<'_>, shared: &[u32], out: &mut [f64]) -> f64 {
        let mut x = 0.0;
        out.iter_mut().for_each(|y| *y = 0.0);
        for c in 0..self.level.len() {
            let w = self.of(c, level_of(pattern, c), a, b, pattern);
            x += w;
            for (k, y) in out.iter_mut().enumerate() {
                if shared[k] & (1 << c) == 0 {
                    *y += w;
                }
            }
        }
        x
    }
}

/// Two ceilings as one: `-log2(2^-c1 + 2^-c2)` (inverse odds add).
pub fn combine(c1: Option<f64>, c2: Option<f64>) -> Option<f64> {
    match (c1, c2) {
        (Some(p), Some(q)) => Some(capped(p, q)),
        (p, None) => p,
        (None, q) => q,
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

/// How a fitted model weighs: its weights for scoring a table.
impl Model {
    /// The calibration's ceilings by pattern.
    pub fn weights_related(&self, settings: &Settings) -> FxHashMap<Pattern, f64> {
        self.related.iter().filter_map(|r| Some((pattern_of(settings, &r.levels).ok()?, r.ceiling))).collect()
    }

    /// The kinds of related non-match of `settings` that have a fitted rate: a bit per
    /// comparison each shares, and `log2(rate)`.
    pub fn weights_kinds(&self, settings: &Settings) -> Vec<(usize, u32, f64)> {
        settings
            .related
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let k = self.kinds.iter().find(|k| k.name == r.name)?;
                (k.rate > 0.0).then(|| (i, r.shared.iter().fold(0u32, |m, &c| m | 1 << c), k.rate.log2()))
            })
            .collect()
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
        let kinds = self.weights_kinds(settings);
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
            kinds,
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
