//! A job's pairs scored against known true pairs: precision, recall and F1 at the job's own
//! threshold and at the best threshold there is, how well the match probabilities are
//! calibrated (expected calibration error and a reliability table), and the three-way split
//! into clear matches, pairs for review and the rest.
//!
//! Every figure is over the pairs the job kept after the one-to-one assignment (in dedupe
//! mode, after scoring): those with a match probability of at least 0.01, accepted or not.
//! Pairs below that are dropped before assignment and are in no figure but recall's
//! denominator.

use serde::Serialize;

use crate::fx::FxHashSet;
use crate::link::ScoredPair;

/// Pairs at or above this match probability are clear matches in the three-way figures.
pub const CLEAR_FROM: f64 = 0.999;

/// Equal-width probability bands of the reliability table and the calibration error.
pub const BANDS: usize = 10;

/// Accuracy against known true pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// True pairs given.
    pub true_pairs: u64,
    /// Accepted pairs that are true.
    pub true_positives: u64,
    /// Accepted pairs that are not.
    pub false_positives: u64,
    /// True pairs not accepted.
    pub false_negatives: u64,
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// Harmonic mean of the two, at the job's own threshold.
    pub f1: f64,
    /// The highest F1 any probability threshold gives over the kept pairs (known only with
    /// labels), and the threshold that gives it.
    pub best_f1: f64,
    /// The threshold of `best_f1`: pairs at or above it accepted.
    pub best_threshold: f64,
    /// How well the kept pairs' probabilities match how often they are true.
    pub calibration: Calibration,
    /// Clear matches, pairs for review, and what a reviewer would add.
    pub three_way: ThreeWay,
}

/// The reliability of the kept pairs' match probabilities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Pairs counted (the kept pairs).
    pub pairs: u64,
    /// Expected calibration error: over [`BANDS`] equal-width probability bands, the mean of
    /// `|mean predicted probability - observed share of true pairs|`, each band weighted by its
    /// share of the pairs.
    pub ece: f64,
    /// The reliability table, one row per band (empty bands included, with no pairs).
    pub bands: Vec<Band>,
}

/// One probability band of the reliability table: `[from, to)`, the last one `[0.9, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// Lower bound (inclusive).
    pub from: f64,
    /// Upper bound (exclusive, but for the last band).
    pub to: f64,
    /// Kept pairs in the band.
    pub pairs: u64,
    /// Their mean match probability (0 when the band is empty).
    pub mean_probability: f64,
    /// The share of them that are true pairs (0 when the band is empty).
    pub observed: f64,
}

/// The three-way figures: pairs at or above [`CLEAR_FROM`] (clear), accepted pairs (the
/// job's threshold), and pairs for review (at or above the review floor, below the threshold).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreeWay {
    /// The probability from which a pair is clear.
    pub clear_from: f64,
    /// Kept pairs at or above `clear_from`.
    pub clear: u64,
    /// The share of them that are true.
    pub clear_precision: f64,
    /// The review floor.
    pub review_floor: f64,
    /// Kept pairs at or above the floor and below the threshold.
    pub review: u64,
    /// The true pairs among them.
    pub review_true: u64,
    /// The share of true pairs that are accepted or for review.
    pub recall_above_floor: f64,
    /// Review pairs per clear pair (0 without clear pairs).
    pub review_per_clear: f64,
}

/// Scores `kept` (the job's pairs after assignment, any order) against `truth` (sorted
/// `(a, b)` with `a < b`): pairs at or above `threshold` are accepted, those at or above
/// `review_floor` and below it are for review.
pub fn evaluate(kept: &[ScoredPair], threshold: f64, review_floor: f64, truth: &[(u32, u32)]) -> Evaluation {
    let truth_set: FxHashSet<(u32, u32)> = truth.iter().copied().collect();
    let true_pairs = truth_set.len() as u64;
    let mut scored: Vec<(f64, bool)> =
        kept.iter().map(|p| (p.probability(), truth_set.contains(&(p.a.min(p.b), p.a.max(p.b))))).collect();
    scored.sort_unstable_by(|x, y| y.0.total_cmp(&x.0));

    let (mut tp, mut fp) = (0u64, 0u64);
    let (mut clear, mut clear_true, mut review, mut review_true) = (0u64, 0u64, 0u64, 0u64);
    let mut bands = vec![(0u64, 0.0f64, 0u64); BANDS];
    for &(p, is_true) in &scored {
        if p >= threshold {
            tp += u64::from(is_true);
            fp += u64::from(!is_true);
        } else if p >= review_floor {
            review += 1;
            review_true += u64::from(is_true);
        }
        if p >= CLEAR_FROM {
            clear += 1;
            clear_true += u64::from(is_true);
        }
        let band = &mut bands[band_of(p)];
        band.0 += 1;
        band.1 += p;
        band.2 += u64::from(is_true);
    }
    let ratio = |x: u64, y: u64| if y == 0 { 0.0 } else { x as f64 / y as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, true_pairs);
    let (best_f1, best_threshold) = best_f1(&scored, true_pairs);
    let n = scored.len() as u64;
    let bands: Vec<Band> = bands
        .iter()
        .enumerate()
        .map(|(k, &(pairs, sum, hits))| Band {
            from: k as f64 / BANDS as f64,
            to: (k + 1) as f64 / BANDS as f64,
            pairs,
            mean_probability: if pairs == 0 { 0.0 } else { sum / pairs as f64 },
            observed: ratio(hits, pairs),
        })
        .collect();
    let ece = bands.iter().map(|b| ratio(b.pairs, n) * (b.mean_probability - b.observed).abs()).sum();
    Evaluation {
        true_pairs,
        true_positives: tp,
        false_positives: fp,
        false_negatives: true_pairs - tp,
        precision,
        recall,
        f1: f1(precision, recall),
        best_f1,
        best_threshold,
        calibration: Calibration { pairs: n, ece, bands },
        three_way: ThreeWay {
            clear_from: CLEAR_FROM,
            clear,
            clear_precision: ratio(clear_true, clear),
            review_floor,
            review,
            review_true,
            recall_above_floor: ratio(tp + review_true, true_pairs),
            review_per_clear: ratio(review, clear),
        },
    }
}

/// The band of probability `p`: `[k/10, (k+1)/10)`, 1 in the last.
fn band_of(p: f64) -> usize {
    ((p * BANDS as f64).floor().max(0.0) as usize).min(BANDS - 1)
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) }
}

/// The best F1 of any threshold over `scored` (best first), and that threshold. Pairs of equal
/// probability are accepted or refused together, as a threshold would.
fn best_f1(scored: &[(f64, bool)], true_pairs: u64) -> (f64, f64) {
    let (mut best, mut at) = (0.0, 1.0);
    let mut tp = 0u64;
    for (k, &(p, is_true)) in scored.iter().enumerate() {
        tp += u64::from(is_true);
        if scored.get(k + 1).is_some_and(|next| next.0 == p) {
            continue;
        }
        let f = 2.0 * tp as f64 / ((k + 1) as f64 + true_pairs as f64);
        if f > best {
            (best, at) = (f, p);
        }
    }
    (best, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Pattern;

    /// A kept pair `(a, b)` with match probability `p`.
    fn pair(a: u32, b: u32, p: f64) -> ScoredPair {
        ScoredPair { a, b, pattern: Pattern::default(), weight: (p / (1.0 - p)).log2() }
    }

    #[test]
    fn a_perfectly_calibrated_set_has_no_calibration_error() {
        // Eight pairs at 0.75, six of them true; two at 0.5, one of them true.
        let mut kept = Vec::new();
        let mut truth = Vec::new();
        for k in 0..8 {
            kept.push(pair(k, 100 + k, 0.75));
            if k < 6 {
                truth.push((k, 100 + k));
            }
        }
        kept.push(pair(20, 120, 0.5));
        kept.push(pair(21, 121, 0.5));
        truth.push((20, 120));
        let e = evaluate(&kept, 0.6, 0.1, &truth);
        assert!(e.calibration.ece < 1e-9, "{:?}", e.calibration);
        assert_eq!(e.calibration.pairs, 10);
        assert_eq!(e.calibration.bands.len(), BANDS);
        assert_eq!(e.calibration.bands[7].pairs, 8);
        assert!((e.calibration.bands[7].observed - 0.75).abs() < 1e-12);
        assert_eq!(e.calibration.bands[5].pairs, 2);
    }

    #[test]
    fn overconfident_pairs_show_in_the_error_and_the_table() {
        // Nine pairs at 0.99, of which three are true; one true pair at 0.15.
        let mut kept: Vec<ScoredPair> = (0..9).map(|k| pair(k, 100 + k, 0.99)).collect();
        kept.push(pair(9, 109, 0.15));
        let truth = vec![(0, 100), (1, 101), (2, 102), (9, 109)];
        let e = evaluate(&kept, 0.5, 0.1, &truth);
        let top = &e.calibration.bands[9];
        assert_eq!(top.pairs, 9);
        assert!((top.observed - 1.0 / 3.0).abs() < 1e-12 && (top.mean_probability - 0.99).abs() < 1e-9);
        // 0.9 · |0.99 − 1/3| + 0.1 · |0.15 − 1|
        let want = 0.9 * (0.99 - 1.0 / 3.0) + 0.1 * 0.85;
        assert!((e.calibration.ece - want).abs() < 1e-9, "{} against {want}", e.calibration.ece);
    }

    #[test]
    fn the_best_threshold_is_found_and_own_f1_is_no_better() {
        // True pairs at 0.95, 0.9, 0.4; false ones at 0.8 and 0.3.
        let kept = vec![pair(1, 11, 0.95), pair(2, 12, 0.9), pair(3, 13, 0.8), pair(4, 14, 0.4), pair(5, 15, 0.3)];
        let truth = vec![(1, 11), (2, 12), (4, 14)];
        let e = evaluate(&kept, 0.5, 0.35, &truth);
        // Threshold 0.5: TP 2, FP 1, FN 1: F1 2/3. Best: at 0.9 (TP 2, F1 0.8) or 0.4 (TP 3,
        // FP 1: F1 6/7).
        assert!((e.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((e.best_f1 - 6.0 / 7.0).abs() < 1e-12, "{}", e.best_f1);
        assert!((e.best_threshold - 0.4).abs() < 1e-9);
        assert!(e.best_f1 >= e.f1);
        // Three-way: nothing clear, one pair for review (0.4, true), 0.3 under the floor.
        let t = &e.three_way;
        assert_eq!((t.clear, t.review, t.review_true), (0, 1, 1));
        assert!((t.recall_above_floor - 1.0).abs() < 1e-12);
        assert_eq!(t.review_per_clear, 0.0);
    }

    #[test]
    fn pairs_of_equal_probability_go_together_in_the_best_threshold() {
        // Two pairs at 0.7, one true: taking only the true one is no threshold's choice.
        let kept = vec![pair(1, 11, 0.7), pair(2, 12, 0.7)];
        let e = evaluate(&kept, 0.5, 0.1, &[(2, 12)]);
        assert!((e.best_f1 - 2.0 / 3.0).abs() < 1e-12, "{}", e.best_f1);
    }

    #[test]
    fn clear_pairs_and_review_per_clear_match() {
        let kept = vec![pair(1, 11, 0.9999), pair(2, 12, 0.9995), pair(3, 13, 0.6), pair(4, 14, 0.2)];
        let truth = vec![(1, 11), (3, 13), (5, 15)];
        let e = evaluate(&kept, 0.9, 0.15, &truth);
        let t = &e.three_way;
        assert_eq!((t.clear, t.review, t.review_true), (2, 2, 1));
        assert!((t.clear_precision - 0.5).abs() < 1e-12);
        assert!((t.review_per_clear - 1.0).abs() < 1e-12);
        // Accepted 1 true of 3, review adds one more.
        assert!((e.recall - 1.0 / 3.0).abs() < 1e-12 && (t.recall_above_floor - 2.0 / 3.0).abs() < 1e-12);
    }
}
