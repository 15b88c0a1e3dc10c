//! The calibration against related non-matches: a ceiling on the patterns whose candidates
//! claim far more matches than the model expects to show them (twins, namesakes, relatives),
//! whom independent weights count twice.

use crate::fx::FxHashMap;

use crate::compare::{NULL, Pattern, level_of};
use crate::model::{Model, RelatedPattern, level_name};
use crate::settings::Settings;
use crate::weights::{Weights, capped, combine, probability};

/// A pattern whose pairs' probabilities claim more than this share of them as matches is
/// left alone by [`calibrate`].
const MOSTLY_CLAIMED: f64 = 0.5;

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

/// A pair's weight without the calibration ([`Weights::base`]), and the ceiling the kinds of
/// related non-match put on its comparisons (`[[related]]`), which a pattern's ceiling joins.
pub type Held = (f64, Option<f64>);

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
/// are left alone, so the usual matches' patterns are not touched. `pairs` give each pair's
/// pattern and what it holds as `weights` stand, without the calibration.
pub fn calibrate(
    settings: &Settings,
    model: &Model,
    weights: &Weights,
    pairs: impl Iterator<Item = (Pattern, Held)>,
) -> Vec<RelatedPattern> {
    let mut by_pattern: FxHashMap<Pattern, Vec<Held>> = FxHashMap::default();
    for (pattern, held) in pairs {
        by_pattern.entry(pattern).or_default().push(held);
    }
    let mut out = Vec::new();
    let mut groups: Vec<(Pattern, Vec<Held>)> = by_pattern.into_iter().collect();
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
        let claimed =
            base.iter().map(|&(w, k)| probability(k.map_or(w, |c| prior + capped(w - prior, c)))).sum::<f64>();
        if claimed <= too_many_claims(expected) || claimed > MOSTLY_CLAIMED * base.len() as f64 {
            continue;
        }
        let allowed = plausible_matches(expected);
        // The comparisons' sums, and what the pattern claims under a ceiling: claims() falls
        // as the ceiling falls, so bisect for the ceiling that claims `allowed`.
        let sums: Vec<(f64, Option<f64>)> = base.iter().map(|&(w, k)| (w - prior, k)).collect();
        let claims = |ceiling: f64| {
            sums.iter()
                .map(|&(x, k)| probability(prior + capped(x, combine(Some(ceiling), k).unwrap_or(ceiling))))
                .sum::<f64>()
        };
        let top = sums.iter().map(|s| s.0).fold(f64::NEG_INFINITY, f64::max);
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
