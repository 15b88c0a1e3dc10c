//! Fitting without labels: value statistics, u from random pairs (the exact level's from value
//! frequencies), and m by expectation maximization, one session per blocking rule.

use crate::fx::FxHashMap;

use crate::compare::{NULL, Pattern, level_of};
use crate::fx::hash_str;
use crate::model::{ComparisonModel, FLOOR, FORMAT, FitReport, LevelModel, Model, SessionReport};
use crate::settings::{KeyFunction, Level, Mode, Settings};
use crate::table::Records;

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
pub(crate) fn frequencies_within(records: &Records, field: usize, context: usize) -> Vec<f32> {
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
        // A `tokens` key forces one shared token, not agreement: the names stay in the session,
        // which then separates matches by them. Left out, a session of a name token and a date
        // had only sex, nationality and document to go by, took namesakes' shared nationality
        // for a match's and moved the median m of nationality from 0.95 to 0.9995, so that a
        // dual national's other passport weighed as a near-certain non-match (BENCHMARKS.md).
        let blocked: Vec<usize> = rule
            .keys
            .iter()
            .filter(|k| k.function != KeyFunction::Tokens)
            .flat_map(|k| settings.fields[k.field].columns.iter().copied())
            .collect();
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
    Model {
        format: FORMAT.into(),
        prior,
        expected_matches: expected,
        comparisons,
        fit: report,
        related: Vec::new(),
        kinds: Vec::new(),
    }
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
