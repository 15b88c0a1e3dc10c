//! The batch job: block, compare, fit (or reuse) the model, score, assign one-to-one, choose
//! the threshold, and explain.

use crate::fx::FxHashMap;
use std::time::Instant;

use serde::Serialize;

use crate::block::{self, Candidates, RuleReport};
use crate::compare::{self, NULL, Pattern, level_of};
use crate::model::{self, FLOOR, Model, RelatedKindModel, SessionReport};
use crate::settings::{MFrom, Mode, Settings, ThresholdPolicy};
use crate::table::Records;
use crate::weights::{Side, Weights, probability};
use crate::{calibrate, fit};

pub use crate::evaluation::{Evaluation, evaluate};

/// Pairs with a lower match probability are dropped before assignment: no threshold policy
/// accepts them.
const KEEP_FROM: f64 = 0.01;

/// Rounds of settling the prior and calibrating against related non-matches.
const CALIBRATION_ROUNDS: usize = 3;

/// Progress of a long phase: `(phase, done, total)`.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

/// A scored pair.
#[derive(Debug, Clone, Copy)]
pub struct ScoredPair {
    /// Record index in A (or the lower index in dedupe mode).
    pub a: u32,
    /// Record index in B (or the higher index).
    pub b: u32,
    /// The pair's levels.
    pub pattern: Pattern,
    /// Total match weight (log2 odds).
    pub weight: f64,
}

impl ScoredPair {
    /// Match probability.
    pub fn probability(&self) -> f64 {
        probability(self.weight)
    }
}

/// What a job found.
pub struct LinkResult {
    /// The model used (fitted here or loaded).
    pub model: Model,
    /// Accepted pairs, best first.
    pub accepted: Vec<ScoredPair>,
    /// Pairs for review: assigned (in link mode), at or above the review floor and below the
    /// threshold, best first.
    pub review: Vec<ScoredPair>,
    /// The match probability from which pairs were accepted.
    pub threshold: f64,
    /// How the threshold was chosen.
    pub threshold_policy: String,
    /// Blocking figures.
    pub blocking: Vec<RuleReport>,
    /// Candidate pairs compared.
    pub candidates: u64,
    /// Blocking recall of the union, with truth.
    pub blocking_recall: Option<f64>,
    /// Precision, recall, F1 (own threshold and best), calibration and the three-way figures,
    /// with truth.
    pub evaluation: Option<Evaluation>,
    /// Seconds per phase.
    pub timings: Vec<(String, f64)>,
    /// Weights used to score.
    pub weights: Weights,
}

/// A match probability from which pairs below the threshold are kept for review.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewFloor(f64);

impl ReviewFloor {
    /// The default: a pair the model gives one chance in ten of being a match. Below it, a
    /// reviewer would look at nine or more non-matches for each match found.
    pub const DEFAULT: ReviewFloor = ReviewFloor(0.1);

    /// A floor at match probability `p`, which must be between 0 and 1.
    pub fn new(p: f64) -> Result<ReviewFloor, NotAProbability> {
        if (0.0..=1.0).contains(&p) { Ok(ReviewFloor(p)) } else { Err(NotAProbability(p)) }
    }

    /// The probability.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for ReviewFloor {
    fn default() -> Self {
        ReviewFloor::DEFAULT
    }
}

/// A value given as a probability that is not one.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("`{0}` is not a probability between 0 and 1")]
pub struct NotAProbability(pub f64);

/// What a job is asked beyond the settings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JobOptions {
    /// Pairs at or above this floor and below the threshold are returned for review
    /// ([`LinkResult::review`]).
    pub review_floor: ReviewFloor,
}

/// Truth given by id, resolved to record indexes; pairs whose ids are unknown are counted.
pub fn resolve_truth(settings: &Settings, records: &Records, pairs: &[(String, String)]) -> (Vec<(u32, u32)>, u64) {
    let index = |range: std::ops::Range<usize>| -> FxHashMap<&str, u32> {
        range.map(|i| (records.ids[i].as_str(), i as u32)).collect()
    };
    let (a, b) = match settings.mode {
        Mode::Link => (index(0..records.a_len), index(records.a_len..records.len())),
        Mode::Dedupe => (index(0..records.len()), index(0..records.len())),
    };
    let mut out = Vec::new();
    let mut unknown = 0;
    for (x, y) in pairs {
        match (a.get(x.as_str()), b.get(y.as_str())) {
            (Some(&i), Some(&j)) if i != j => out.push((i.min(j), i.max(j))),
            _ => unknown += 1,
        }
    }
    out.sort_unstable();
    out.dedup();
    (out, unknown)
}

/// Runs the job with the default [`JobOptions`]. `model`: reuse a saved model instead of
/// fitting; `truth`: true pairs as record indexes (from [`resolve_truth`]) for evaluation.
pub fn run(
    settings: &Settings,
    records: &Records,
    model: Option<Model>,
    truth: Option<&[(u32, u32)]>,
    progress: Progress<'_>,
) -> LinkResult {
    run_with(settings, records, model, truth, &JobOptions::default(), progress)
}

/// Runs the job as [`run`] does, with `options`.
pub fn run_with(
    settings: &Settings,
    records: &Records,
    model: Option<Model>,
    truth: Option<&[(u32, u32)]>,
    options: &JobOptions,
    progress: Progress<'_>,
) -> LinkResult {
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &str, timings: &mut Vec<(String, f64)>| {
        timings.push((name.to_owned(), clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };
    let candidates = block::candidates(settings, records, truth);
    lap("blocking", &mut timings);
    let candidate_patterns = patterns(settings, records, &candidates.pairs, "comparing", progress);
    lap("comparing", &mut timings);
    let stats = fit::ValueStats::of(settings, records);
    let (mut model, fitted) = match model {
        Some(m) => (m, false),
        None => {
            let random = random_pairs(settings, records);
            let random_patterns = patterns(settings, records, &random, "sampling random pairs", progress);
            let u = fit::estimate_u(settings, &stats, &random_patterns);
            lap("estimating u", &mut timings);
            let counts = fit::aggregate(&candidate_patterns, &candidates.masks);
            let m = fit::fit(settings, records, &counts, u, random.len() as u64);
            lap("fitting m (EM)", &mut timings);
            (m, true)
        }
    };
    let mut weights = model.weights_with(settings, records, &stats);
    let total_pairs = possible_pairs(settings, records);
    // Pairs that cannot reach `KEEP_FROM` even at the largest prior there can be are dropped
    // now; the prior itself is settled below.
    let floor = if fitted {
        let most = match settings.mode {
            Mode::Link => (records.a_len.min(records.b_len()) as f64 / total_pairs.max(1.0)).min(0.5),
            Mode::Dedupe => 0.5,
        };
        log2_odds(KEEP_FROM) - log2_odds(most) + weights.prior
    } else {
        log2_odds(KEEP_FROM)
    };
    let all = score(&weights, &candidates, &candidate_patterns, floor);
    drop(candidate_patterns);
    lap("scoring", &mut timings);
    if fitted && let Some(report) = fit_m_from_others(settings, records, &mut model, &mut weights, &all, total_pairs) {
        model.fit.sessions.push(report);
        lap("fitting m from the others", &mut timings);
    }
    // The comparisons' sums of every kept pair do not move while the prior, the kinds of related
    // non-match and the calibration are settled below: with kinds, they are summed once (on
    // every thread) and each round reads them instead of weighing the comparisons again.
    let sums = (fitted && !settings.related.is_empty()).then(|| Sums::of(settings, &weights, &all));
    let weigh = |i: usize, weights: &Weights| -> f64 {
        let p = &all[i];
        match &sums {
            Some(s) if !weights.kinds.is_empty() => weights.total_from(p.pattern, s.x(i), s.y(i)),
            _ => weights.total(p.pattern, p.a as usize, weights.side(p.b as usize)),
        }
    };
    // The pairs as assigned, as (weight, index into `all`): one-to-one when linking, best
    // first; every pair in candidate order when deduplicating.
    let assign = |weights: &Weights| -> Vec<(f64, u32)> {
        let weighed = in_blocks(&all, BLOCK, |start, block| {
            (start..start + block.len()).map(|i| (weigh(i, weights), i as u32)).collect::<Vec<_>>()
        })
        .concat();
        match settings.mode {
            Mode::Link => one_to_one_indexed(weighed, &all, records),
            Mode::Dedupe => weighed,
        }
    };
    let mut assigned = assign(&weights);
    if fitted {
        // The prior is settled on the pairs as assigned, then the calibration against related
        // non-matches is fitted at that prior; each changes what the other sees, so the two
        // are alternated a few times (three rounds settle both to well under a percent here).
        for round in 0..=CALIBRATION_ROUNDS {
            let prior = settle_prior(assigned.iter().map(|p| p.0), weights.prior, total_pairs);
            weights.prior = log2_odds(prior);
            model.prior = prior;
            model.expected_matches = prior * total_pairs;
            // The prior moves every weight alike: the assignment stands.
            for p in &mut assigned {
                p.0 = weigh(p.1 as usize, &weights);
            }
            if round == CALIBRATION_ROUNDS {
                break;
            }
            let mut changed = false;
            if let Some(sums) = &sums {
                // The kinds of related non-match are settled at this prior, on the same pairs.
                let kinds = settle_kinds(settings, &weights, sums, &assigned, total_pairs);
                // Another round is needed only where a kind's expected pairs moved (the first
                // time, from none), as the calibration's patterns below.
                changed = model.kinds.len() != kinds.len()
                    || kinds.iter().zip(&model.kinds).any(|(k, was)| {
                        (k.expected_pairs - was.expected_pairs).abs() > 1e-3 * was.expected_pairs.max(1.0)
                    });
                model.kinds = kinds;
                weights.kinds = model.weights_kinds(settings);
            }
            if settings.training.calibrate {
                let held = assigned.iter().map(|&(_, i)| {
                    let (i, p) = (i as usize, &all[i as usize]);
                    let held = match &sums {
                        Some(s) => {
                            let kinds =
                                if weights.kinds.is_empty() { None } else { weights.kinds_ceiling_from(s.y(i)) };
                            (weights.prior + s.x(i), kinds)
                        }
                        // Without kinds of related non-match in the settings none is in force.
                        None => (weights.base(p.pattern, p.a as usize, weights.side(p.b as usize)), None),
                    };
                    (p.pattern, held)
                });
                let related = calibrate::calibrate(settings, &model, &weights, held);
                changed |= !(related.is_empty() && model.related.is_empty());
                model.related = related;
                weights.related = model.weights_related(settings);
            }
            if !changed {
                // The kinds moved too little to need another round, but the pairs are scored
                // and assigned with them as they are saved, so that a reused model gives the
                // same links and every pair is explained as it was scored.
                if sums.is_some() {
                    assigned = assign(&weights);
                }
                break;
            }
            assigned = assign(&weights);
        }
    }
    let mut scored: Vec<ScoredPair> =
        assigned.into_iter().map(|(weight, i)| ScoredPair { weight, ..all[i as usize] }).collect();
    drop(all);
    scored.retain(|p| p.probability() >= KEEP_FROM);
    let (threshold, policy) = match settings.threshold {
        ThresholdPolicy::Probability { probability } => (probability, format!("match probability >= {probability}")),
        ThresholdPolicy::ExpectedF1 => {
            let t = expected_f1_threshold(&scored);
            (t, format!("maximum expected F1 under the fitted model (match probability >= {t:.4})"))
        }
    };
    let floor = options.review_floor.get();
    // In link mode `scored` is best first (the assignment sorted it) and both lists keep that
    // order; in dedupe mode it is in candidate order, and the review list is sorted here.
    let (accepted, mut review): (Vec<ScoredPair>, Vec<ScoredPair>) =
        scored.iter().filter(|p| p.probability() >= floor.min(threshold)).partition(|p| p.probability() >= threshold);
    if settings.mode == Mode::Dedupe {
        sort_best_first(&mut review, records);
    }
    lap("assigning", &mut timings);
    // Every kept pair, accepted or not, is scored against the truth (calibration, best F1).
    let evaluation = truth.map(|t| evaluate(&scored, threshold, floor, t));
    if evaluation.is_some() {
        lap("evaluating", &mut timings);
    }
    drop(scored);
    LinkResult {
        model,
        accepted,
        review,
        threshold,
        threshold_policy: policy,
        blocking: candidates.rules.clone(),
        candidates: candidates.pairs.len() as u64,
        blocking_recall: candidates.recall,
        evaluation,
        timings,
        weights,
    }
}

/// Items a thread takes at a time in [`in_blocks`].
const BLOCK: usize = 1 << 16;

/// `f(start, block)` of each block of `block` items of `items` (the last may be shorter; `start`
/// is the index of its first item), in the blocks' order, the blocks shared out among the
/// threads. The blocks do not depend on the number of threads, so neither does a sum over them
/// taken in order.
fn in_blocks<T: Sync, R: Send>(items: &[T], block: usize, f: impl Fn(usize, &[T]) -> R + Sync) -> Vec<R> {
    let block = block.max(1);
    let blocks: Vec<(usize, &[T])> = items.chunks(block).enumerate().map(|(i, b)| (i * block, b)).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(16).min(blocks.len());
    if threads <= 1 {
        return blocks.into_iter().map(|(start, b)| f(start, b)).collect();
    }
    let per = blocks.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = blocks
            .chunks(per)
            .map(|part| s.spawn(move || part.iter().map(|&(start, b)| f(start, b)).collect::<Vec<R>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

/// Pairs whose records are touched together before they are compared.
const TOUCH: usize = 16;

/// Comparison vectors of `pairs`, computed in parallel.
pub fn patterns(
    settings: &Settings,
    records: &Records,
    pairs: &[(u32, u32)],
    phase: &str,
    progress: Progress<'_>,
) -> Vec<Pattern> {
    let mut out = Vec::with_capacity(pairs.len());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(16);
    for chunk in pairs.chunks(1 << 20) {
        let per = chunk.len().div_ceil(threads).max(1);
        let parts: Vec<Vec<Pattern>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .chunks(per)
                .map(|part| {
                    s.spawn(move || {
                        let mut out = Vec::with_capacity(part.len());
                        let last = settings.fields.len().saturating_sub(1);
                        for group in part.chunks(TOUCH) {
                            // Table B's records of consecutive pairs lie all over memory.
                            // Touching a group's records before comparing any lets their cache
                            // misses overlap instead of queueing one pair at a time.
                            let touched: usize = group
                                .iter()
                                .map(|&(_, b)| records.text(0, b as usize).len() + records.text(last, b as usize).len())
                                .sum();
                            std::hint::black_box(touched);
                            out.extend(
                                group.iter().map(|&(a, b)| compare::pattern(settings, records, a as usize, b as usize)),
                            );
                        }
                        out
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        for p in parts {
            out.extend(p);
        }
        progress(phase, out.len() as u64, pairs.len() as u64);
    }
    out
}

/// SplitMix64: a small, fixed generator, so the sample never changes with a dependency.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Random pairs for estimating u. Records are first put in an order fixed by their ids, so the
/// sample — and with it the model — does not depend on the order of the input rows.
pub fn random_pairs(settings: &Settings, records: &Records) -> Vec<(u32, u32)> {
    let by_id = |range: std::ops::Range<usize>| {
        let mut v: Vec<(u64, &str, u32)> = range
            .map(|i| (block::fnv(block::FNV_OFFSET, records.ids[i].as_bytes()), records.ids[i].as_str(), i as u32))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(_, _, i)| i).collect::<Vec<u32>>()
    };
    let (a, b) = match settings.mode {
        Mode::Link => (by_id(0..records.a_len), by_id(records.a_len..records.len())),
        Mode::Dedupe => {
            let all = by_id(0..records.len());
            (all.clone(), all)
        }
    };
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut state = settings.training.seed;
    let mut out = Vec::with_capacity(settings.training.random_pairs as usize);
    let mut attempts = 0u64;
    while (out.len() as u64) < settings.training.random_pairs && attempts < settings.training.random_pairs * 4 {
        attempts += 1;
        let x = a[(splitmix(&mut state) % a.len() as u64) as usize];
        let y = b[(splitmix(&mut state) % b.len() as u64) as usize];
        if x != y {
            out.push((x.min(y), x.max(y)));
        }
    }
    out
}

/// `log2(p / (1 - p))`.
fn log2_odds(p: f64) -> f64 {
    (p / (1.0 - p)).log2()
}

/// Pairs of records that could match: A × B, or every pair of one table.
fn possible_pairs(settings: &Settings, records: &Records) -> f64 {
    match settings.mode {
        Mode::Link => records.a_len as f64 * records.b_len() as f64,
        Mode::Dedupe => records.len() as f64 * (records.len() as f64 - 1.0) / 2.0,
    }
}

/// `log2(1 + 2^x)`, without overflow.
fn log2_1p_exp2(x: f64) -> f64 {
    if x > 60.0 { x } else { x.exp2().ln_1p() / std::f64::consts::LN_2 }
}

/// The prior as the least fixed point of `prior = (expected matches) / (possible pairs)`,
/// the expected matches being the sum of the match probabilities of the pairs that can match
/// (after one-to-one assignment, when linking). Starting from one match among all pairs and
/// rising, it stops at the first consistent value: pairs the model is sure of raise it, and a
/// crowd of weak pairs (siblings, namesakes) cannot, because each needs the prior to be high
/// already before it counts.
fn settle_prior(weights: impl Iterator<Item = f64>, prior_weight: f64, total_pairs: f64) -> f64 {
    let base: Vec<f64> = weights.map(|w| w - prior_weight).collect();
    let mut prior = 1.0 / total_pairs.max(2.0);
    for _ in 0..500 {
        let shift = log2_odds(prior);
        let expected: f64 = base.iter().map(|w| probability(w + shift)).sum();
        let next = (expected.max(1.0) / total_pairs.max(2.0)).min(0.5);
        if (next - prior).abs() <= prior * 1e-9 {
            return next;
        }
        prior = next;
    }
    prior
}

/// Rounds of [`fit_m_from_others`] at most.
const OTHERS_ROUNDS: u32 = 5;

/// The weight (log2 odds) a pair needs without a comparison for [`fit_m_from_others`] to count
/// it among that comparison's matches: a match probability of 0.99.
const SURE_WITHOUT: f64 = 6.62935662007961;

/// Fewer pairs sure without a comparison than this, and its m stays as the sessions fitted it.
const SURE_AT_LEAST: f64 = 10.0;

/// Fits the m of each comparison with `m_from = "others"` ([`MFrom::Others`]) from the scored
/// pairs `all`, as assigned: each level's m is its share of the pairs that are matches at
/// probability 0.99 or more without that comparison's weight, each counted once (with one
/// pseudo-match per level, as the EM sessions count). A pair's weight without the comparison
/// does not depend on the comparison's m, but the assignment and the prior do; both are redone
/// each round until no m moves by 1e-4. Returns what it did for the model's fit report (`None`:
/// no such comparison), its expected matches being the most pairs counted for one comparison.
/// Such a comparison has no term frequencies, so a level's weight is `weights.level` alone, and
/// no calibration is in force yet, so a pair's weight moves by the change of the prior and of
/// those levels' weights.
fn fit_m_from_others(
    settings: &Settings,
    records: &Records,
    model: &mut Model,
    weights: &mut Weights,
    all: &[ScoredPair],
    total_pairs: f64,
) -> Option<SessionReport> {
    let others: Vec<usize> =
        (0..settings.comparisons.len()).filter(|&c| settings.comparisons[c].m_from == MFrom::Others).collect();
    if others.is_empty() {
        return None;
    }
    let (scored_level, scored_prior) = (weights.level.clone(), weights.prior);
    let mut sure: f64 = 0.0;
    let mut rounds = 0;
    let mut assigned_pairs = 0;
    while rounds < OTHERS_ROUNDS {
        rounds += 1;
        let weighed: Vec<(f64, u32)> = in_blocks(all, BLOCK, |start, block| {
            let w = &*weights;
            block
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    let moved: f64 = others
                        .iter()
                        .map(|&c| {
                            let l = level_of(p.pattern, c);
                            if l == NULL { 0.0 } else { w.level[c][l as usize] - scored_level[c][l as usize] }
                        })
                        .sum();
                    (p.weight + w.prior - scored_prior + moved, (start + k) as u32)
                })
                .collect::<Vec<_>>()
        })
        .concat();
        let assigned = match settings.mode {
            Mode::Link => one_to_one_indexed(weighed, all, records),
            Mode::Dedupe => weighed,
        };
        assigned_pairs = assigned.len() as u64;
        let prior = log2_odds(settle_prior(assigned.iter().map(|p| p.0), weights.prior, total_pairs));
        let shift = prior - weights.prior;
        weights.prior = prior;
        let mut moved: f64 = 0.0;
        for &c in &others {
            let n = settings.comparisons[c].level_count();
            let (mut num, mut den) = (vec![0.0; n], 0.0);
            for &(w, i) in &assigned {
                let l = level_of(all[i as usize].pattern, c);
                if l != NULL && w + shift - weights.level[c][l as usize] >= SURE_WITHOUT {
                    num[l as usize] += 1.0;
                    den += 1.0;
                }
            }
            sure = sure.max(den);
            if den < SURE_AT_LEAST {
                continue;
            }
            for (l, x) in num.iter().enumerate() {
                let m = ((x + 1.0) / (den + n as f64)).clamp(FLOOR, 1.0);
                let level = &mut model.comparisons[c].levels[l];
                moved = moved.max((m - level.m).abs());
                level.m = m;
                weights.level[c][l] = (m / level.u.max(FLOOR)).log2();
            }
        }
        if moved < 1e-4 {
            break;
        }
    }
    Some(SessionReport {
        rule: "the other comparisons' verdict on the pairs as assigned (m_from = \"others\")".into(),
        pairs: assigned_pairs,
        estimated: others.iter().map(|&c| settings.comparisons[c].name.clone()).collect(),
        iterations: rounds,
        expected_matches: sure,
    })
}

/// The rate of each kind of related non-match (`[[related]]`) as the least fixed point of
/// `rate = expected related pairs / possible pairs`, at the prior of `weights`, on the pairs
/// as assigned: as the prior is settled. A pair's chance to be related as kind `k`, beside a
/// match (odds `prior × 2^x`, `x` its comparisons' weights) and a random non-match (1), is
/// `rate × 2^(x - y)`, `y` being the weights of the comparisons `k` does not share: on those
/// it agrees as random records do, on the shared ones as a match does. Starting from one
/// related pair among all pairs, the rate rises only where pairs agree on the shared
/// comparisons and disagree on the others more often than matches do.
fn settle_kinds(
    settings: &Settings,
    weights: &Weights,
    sums: &Sums,
    pairs: &[(f64, u32)],
    total_pairs: f64,
) -> Vec<RelatedKindModel> {
    let n = settings.related.len();
    let total = total_pairs.max(2.0);
    // A pair's chance to be related as kind `k` is `r_k a_k / (1 + Σ_j r_j a_j)`, with
    // `a_k = 2^(x - y_k) / (1 + 2^(prior + x))` (its odds against a match or a random
    // non-match), computed once. A pair whose `a_k` stays under 2^-30 even at the largest rate
    // there can be (every pair related) adds under 2^-30 to any kind: most matches and most
    // chance candidates; they are left out.
    let most = (pairs.len() as f64 / total).min(0.5).log2();
    let mut odds = Vec::new();
    for &(_, i) in pairs {
        let (x, out) = (sums.x(i as usize), sums.y(i as usize));
        let against = log2_1p_exp2(weights.prior + x);
        if out.iter().any(|y| most + x - y - against > -30.0) {
            odds.extend(out.iter().map(|y| (x - y - against).exp2()));
        }
    }
    let mut rates = vec![1.0 / total; n];
    let mut expected = vec![0.0; n];
    for _ in 0..1000 {
        let current = &rates;
        let partial = in_blocks(&odds, BLOCK * n, |_, block| {
            let mut expected = vec![0.0; n];
            for a in block.chunks_exact(n) {
                let norm = 1.0 + a.iter().zip(current).map(|(a, r)| a * r).sum::<f64>();
                for k in 0..n {
                    expected[k] += current[k] * a[k] / norm;
                }
            }
            expected
        });
        expected.iter_mut().for_each(|e| *e = 0.0);
        for block in partial {
            expected.iter_mut().zip(block).for_each(|(e, x)| *e += x);
        }
        let next: Vec<f64> = expected.iter().map(|e| (e.max(1.0) / total).min(0.5)).collect();
        // Settled when no kind's expected pairs move by more than a ten-thousandth (a ceiling by
        // under 0.0002 bits) or a hundredth of a pair.
        let settled = next.iter().zip(&rates).all(|(a, b)| (a - b).abs() * total <= (b * total * 1e-4).max(0.01));
        rates = next;
        if settled {
            break;
        }
    }
    settings
        .related
        .iter()
        .zip(rates.iter().zip(&expected))
        .map(|(r, (&rate, &expected_pairs))| RelatedKindModel {
            name: r.name.clone(),
            shared: r.shared.iter().map(|&c| settings.comparisons[c].name.clone()).collect(),
            rate,
            expected_pairs,
        })
        .collect()
}

fn score(weights: &Weights, candidates: &Candidates, patterns: &[Pattern], keep: f64) -> Vec<ScoredPair> {
    in_blocks(&candidates.pairs, BLOCK, |start, pairs| {
        pairs
            .iter()
            .zip(&patterns[start..])
            .filter_map(|(&(a, b), &pattern)| {
                let weight = weights.total(pattern, a as usize, weights.side(b as usize));
                (weight >= keep).then_some(ScoredPair { a, b, pattern, weight })
            })
            .collect::<Vec<_>>()
    })
    .concat()
}

/// Sorts best first: by weight, ties broken by the records' ids (not their row numbers, so the
/// outcome does not depend on row order).
fn sort_best_first(pairs: &mut [ScoredPair], records: &Records) {
    pairs.sort_unstable_by(|x, y| best_first(x.weight, x, y.weight, y, records));
}

/// The order of [`sort_best_first`]: pair `x` of weight `wx` against `y` of weight `wy`.
fn best_first(wx: f64, x: &ScoredPair, wy: f64, y: &ScoredPair, records: &Records) -> std::cmp::Ordering {
    wy.total_cmp(&wx)
        .then_with(|| records.ids[x.a as usize].cmp(&records.ids[y.a as usize]))
        .then_with(|| records.ids[x.b as usize].cmp(&records.ids[y.b as usize]))
}

/// Greedy one-to-one assignment: take pairs best first, skipping any whose record is taken.
pub fn one_to_one(pairs: Vec<ScoredPair>, records: &Records) -> Vec<ScoredPair> {
    let weighed = pairs.iter().enumerate().map(|(i, p)| (p.weight, i as u32)).collect();
    one_to_one_indexed(weighed, &pairs, records).into_iter().map(|(_, i)| pairs[i as usize]).collect()
}

/// [`one_to_one`] over pairs given as (weight, index into `pairs`): the same pairs, in the same
/// order, without moving the pairs themselves.
fn one_to_one_indexed(mut weighed: Vec<(f64, u32)>, pairs: &[ScoredPair], records: &Records) -> Vec<(f64, u32)> {
    weighed.sort_unstable_by(|x, y| best_first(x.0, &pairs[x.1 as usize], y.0, &pairs[y.1 as usize], records));
    let mut taken = vec![false; records.len()];
    weighed.retain(|&(_, i)| {
        let p = &pairs[i as usize];
        let free = !taken[p.a as usize] && !taken[p.b as usize];
        if free {
            taken[p.a as usize] = true;
            taken[p.b as usize] = true;
        }
        free
    });
    weighed
}

/// The sums of the comparisons' weights of each of a list of pairs: all of them (`x`) and, for
/// each kind of related non-match in [`Settings::related`], those of the comparisons the kind
/// does not share (`y`), as [`Weights::kinds_ceiling`] sums them.
struct Sums {
    stride: usize,
    values: Vec<f64>,
}

impl Sums {
    fn of(settings: &Settings, weights: &Weights, pairs: &[ScoredPair]) -> Sums {
        let shared: Vec<u32> =
            settings.related.iter().map(|r| r.shared.iter().fold(0u32, |m, &c| m | 1 << c)).collect();
        let stride = 1 + shared.len();
        let values = in_blocks(pairs, BLOCK, |_, block| {
            let mut values = Vec::with_capacity(block.len() * stride);
            let mut y = vec![0.0; shared.len()];
            for p in block {
                values.push(weights.outside(p.pattern, p.a as usize, weights.side(p.b as usize), &shared, &mut y));
                values.extend_from_slice(&y);
            }
            values
        });
        Sums { stride, values: values.concat() }
    }

    fn x(&self, i: usize) -> f64 {
        self.values[i * self.stride]
    }

    fn y(&self, i: usize) -> &[f64] {
        &self.values[i * self.stride + 1..(i + 1) * self.stride]
    }
}

/// The probability threshold that maximises the F1 the model itself expects: with pairs best
/// first and `S_k` the sum of the first `k` match probabilities, accepting `k` pairs expects
/// `S_k` true and `k - S_k` false positives, and misses `M - S_k` of the `M = S_n` matches the
/// model expects, so expected F1 is `2 S_k / (k + M)`.
pub fn expected_f1_threshold(pairs: &[ScoredPair]) -> f64 {
    let mut p: Vec<f64> = pairs.iter().map(ScoredPair::probability).collect();
    p.sort_unstable_by(|x, y| y.total_cmp(x));
    let total: f64 = p.iter().sum();
    let (mut best, mut best_f1, mut s) = (0.5, -1.0, 0.0);
    for (k, &x) in p.iter().enumerate() {
        s += x;
        let f1 = 2.0 * s / ((k + 1) as f64 + total);
        if f1 > best_f1 {
            best_f1 = f1;
            best = x;
        }
    }
    best
}

/// The numbers behind one pair's score: the prior, each comparison's level and weight, the
/// total and the probability.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The pair's ids.
    pub ids: (String, String),
    /// `log2` prior odds.
    pub prior_weight: f64,
    /// The calibration's weight for the pair: 0, or negative where related non-matches (twins,
    /// namesakes) share its pattern with matches and the pattern's ceiling holds it down.
    pub related_weight: f64,
    /// The ceiling that held the pair's comparisons down (the most they weigh together, in
    /// bits), when the calibration put one on its pattern.
    pub related_ceiling: Option<f64>,
    /// Each kind of related non-match (`[[related]]`) with a fitted rate, and its own ceiling
    /// over the pair's comparisons (`related_ceiling` holds them and the calibration's together).
    pub related_kinds: Vec<ExplainedKind>,
    /// Per comparison.
    pub comparisons: Vec<ExplainedComparison>,
    /// Prior, related weight and every comparison's weight.
    pub total_weight: f64,
    /// Match probability.
    pub probability: f64,
}

/// One kind of related non-match's ceiling over a pair: the most the pair's comparisons could
/// weigh if only that kind of related record stood beside the match.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedKind {
    /// The kind's name in the settings.
    pub name: String,
    /// The comparisons it shares.
    pub shared: Vec<String>,
    /// Its ceiling, in bits: the weights of the comparisons it does not share less `log2` of
    /// its rate.
    pub ceiling: f64,
}

/// One comparison's part of a score.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedComparison {
    /// The comparison.
    pub name: String,
    /// The level reached (`missing` when a value is missing).
    pub level: String,
    /// Its weight.
    pub weight: f64,
    /// Whether the weight was adjusted for the value's frequency.
    pub term_frequency_adjusted: bool,
}

/// Explains the score of records `a` and `b`.
pub fn explain(settings: &Settings, records: &Records, weights: &Weights, a: usize, b: usize) -> Explanation {
    let pattern = compare::pattern(settings, records, a, b);
    explanation(settings, weights, pattern, a, weights.side(b), (records.ids[a].clone(), records.ids[b].clone()))
}

/// The numbers behind the score of a pair with `pattern`: table-A record `a` against `b`,
/// whose ids are `ids` (shared by the batch job and the one-record index).
pub(crate) fn explanation(
    settings: &Settings,
    weights: &Weights,
    pattern: Pattern,
    a: usize,
    b: Side<'_>,
    ids: (String, String),
) -> Explanation {
    let comparisons: Vec<ExplainedComparison> = settings
        .comparisons
        .iter()
        .enumerate()
        .map(|(c, cmp)| {
            let l = level_of(pattern, c);
            ExplainedComparison {
                name: cmp.name.clone(),
                level: model::level_name(settings, c, l),
                weight: weights.of(c, l, a, b, pattern),
                term_frequency_adjusted: weights.by_frequency(c, l),
            }
        })
        .collect();
    let total = weights.total(pattern, a, b);
    Explanation {
        ids,
        prior_weight: weights.prior,
        related_weight: weights.related_between(pattern, a, b),
        related_ceiling: weights.ceiling_between(pattern, a, b),
        related_kinds: weights
            .kind_ceilings(pattern, a, b)
            .into_iter()
            .map(|(k, ceiling)| {
                let kind = &settings.related[k];
                ExplainedKind {
                    name: kind.name.clone(),
                    shared: kind.shared.iter().map(|&c| settings.comparisons[c].name.clone()).collect(),
                    ceiling,
                }
            })
            .collect(),
        comparisons,
        total_weight: total,
        probability: probability(total),
    }
}
