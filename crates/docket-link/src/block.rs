//! Blocking: which pairs are compared at all.
//!
//! Each rule is a list of keys; a pair is a candidate of the rule when every key agrees. Rules
//! are unioned without a set of seen pairs: a pair found by rule `r` is kept only if no earlier
//! rule already produced it, which is a comparison of the earlier rules' key hashes.
//!
//! Candidates come from sorting `(key hash, record)` and walking equal keys, so a rule costs
//! O(n log n) plus its pairs. A block (one key value) with more pairs than
//! `max_block_pairs` is skipped and reported: a surname held by thousands is no key, and other
//! rules (surname and date of birth, say) still reach those records. This keeps the number of
//! candidates at most about `n * sqrt(max_block_pairs)`, whatever the data.

use crate::fx::FxHashSet;

use crate::settings::{KeyFunction, Mode, Rule, Settings};
use crate::table::Records;

/// What one rule contributed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleReport {
    /// The rule as written.
    pub rule: String,
    /// Pairs whose keys agree, in blocks under the cap (including pairs earlier rules found).
    pub pairs: u64,
    /// Pairs this rule added to the union.
    pub new_pairs: u64,
    /// Blocks skipped for being over the cap.
    pub skipped_blocks: u64,
    /// Pairs in those blocks.
    pub skipped_pairs: u64,
    /// Share of the true pairs this rule finds, when the truth is known.
    pub recall: Option<f64>,
}

/// The candidate pairs of a job.
#[derive(Debug)]
pub struct Candidates {
    /// `(a, b)` record indexes; `a < b` always.
    pub pairs: Vec<(u32, u32)>,
    /// For each pair, bit `r` set when rule `r` finds it.
    pub masks: Vec<u16>,
    /// Per rule.
    pub rules: Vec<RuleReport>,
    /// Share of the true pairs in the union, when the truth is known.
    pub recall: Option<f64>,
    keys: BlockingKeys,
}

/// Every record's key hash for every rule (0: a key part is missing).
#[derive(Debug)]
pub struct BlockingKeys {
    /// `hashes[r][i]`; 0 also for a record in a block skipped for size.
    pub hashes: Vec<Vec<u64>>,
}

impl BlockingKeys {
    /// Whether rule `r` makes `(a, b)` a candidate.
    #[inline]
    pub fn agree(&self, r: usize, a: usize, b: usize) -> bool {
        let k = self.hashes[r][a];
        k != 0 && k == self.hashes[r][b]
    }

    /// The rule mask of `(a, b)`.
    pub fn mask(&self, a: usize, b: usize) -> u16 {
        (0..self.hashes.len()).fold(0u16, |m, r| if self.agree(r, a, b) { m | 1 << r } else { m })
    }
}

pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[inline]
pub(crate) fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// The key hash of record `i` under `rule`; 0 when a part is missing.
pub fn key_hash(records: &Records, rule: &Rule, i: usize) -> u64 {
    let mut h = FNV_OFFSET;
    for key in &rule.keys {
        let f = key.field;
        let text = records.text(f, i);
        if text.is_empty() {
            return 0;
        }
        h = match key.function {
            KeyFunction::Value => fnv(h, text.as_bytes()),
            KeyFunction::Prefix(n) => {
                let end = text.char_indices().nth(n).map_or(text.len(), |(at, _)| at);
                fnv(h, &text.as_bytes()[..end])
            }
            KeyFunction::Metaphone => {
                let code = records.phonetic(f, i);
                if code[0] == 0 {
                    return 0;
                }
                fnv(h, &code[..4])
            }
            KeyFunction::Year => {
                let y = records.date(f, i).year;
                if y == 0 {
                    return 0;
                }
                fnv(h, &y.to_le_bytes())
            }
            KeyFunction::FirstToken => fnv(h, text.split(' ').next().unwrap_or(text).as_bytes()),
            KeyFunction::SortedTokens => fnv(h, records.sorted(f, i).as_bytes()),
            KeyFunction::FirstTokens => {
                let mut firsts: Vec<&str> = key
                    .parts
                    .iter()
                    .filter_map(|&c| records.text(c, i).split(' ').next())
                    .filter(|t| !t.is_empty())
                    .collect();
                firsts.sort_unstable();
                firsts.iter().fold(h, |h, t| fnv(fnv(h, t.as_bytes()), b" "))
            }
        };
        h = fnv(h, &[0xff]);
    }
    if h == 0 { 1 } else { h }
}

/// Computes every key and the union of candidate pairs. `truth` (record index pairs, `a < b`)
/// adds recall figures.
pub fn candidates(settings: &Settings, records: &Records, truth: Option<&[(u32, u32)]>) -> Candidates {
    let n = records.len();
    let split = match settings.mode {
        Mode::Link => records.a_len,
        Mode::Dedupe => n,
    };
    // Every record's key per rule, the rules spread over the threads: later rules ask whether
    // a pair already agreed on an earlier rule's key.
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).clamp(1, settings.rules.len().max(1));
    let mut hashes: Vec<Vec<u64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    settings
                        .rules
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(r, rule)| (r, (0..n).map(|i| key_hash(records, rule, i)).collect::<Vec<u64>>()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(usize, Vec<u64>)> =
            handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect();
        all.sort_unstable_by_key(|x| x.0);
        all.into_iter().map(|x| x.1).collect()
    });
    hashes.resize_with(settings.rules.len(), Vec::new);
    let mut keys = BlockingKeys { hashes };
    let mut pairs = Vec::new();
    let mut reports = Vec::new();
    let cap = settings.max_block_pairs;
    // The records of each table sorted by the rule's key, rule after rule in the same two
    // buffers (fresh memory is slow to fault in), the two tables sorted side by side.
    let (mut ea, mut eb) = (Vec::<(u64, u32)>::new(), Vec::<(u64, u32)>::new());
    for (r, rule) in settings.rules.iter().enumerate() {
        let hashes = &keys.hashes[r];
        let sorted = |out: &mut Vec<(u64, u32)>, range: std::ops::Range<usize>| {
            out.clear();
            out.extend(range.filter_map(|i| (hashes[i] != 0).then_some((hashes[i], i as u32))));
            out.sort_unstable();
        };
        std::thread::scope(|s| {
            s.spawn(|| sorted(&mut eb, split..n));
            sorted(&mut ea, 0..split);
        });
        let (ea, eb) = (&ea, &eb);
        let mut report = RuleReport {
            rule: rule.text.clone(),
            pairs: 0,
            new_pairs: 0,
            skipped_blocks: 0,
            skipped_pairs: 0,
            recall: None,
        };
        let earlier = |a: usize, b: usize| (0..r).any(|q| keys.agree(q, a, b));
        let mut skipped = FxHashSet::default();
        match settings.mode {
            Mode::Link => {
                let (mut i, mut j) = (0, 0);
                while i < ea.len() && j < eb.len() {
                    let (ka, kb) = (ea[i].0, eb[j].0);
                    if ka < kb {
                        i += 1;
                        continue;
                    }
                    if kb < ka {
                        j += 1;
                        continue;
                    }
                    let i_end = i + ea[i..].iter().take_while(|e| e.0 == ka).count();
                    let j_end = j + eb[j..].iter().take_while(|e| e.0 == ka).count();
                    let block = ((i_end - i) * (j_end - j)) as u64;
                    if block > cap {
                        report.skipped_blocks += 1;
                        report.skipped_pairs += block;
                        skipped.insert(ka);
                    } else {
                        report.pairs += block;
                        for &(_, a) in &ea[i..i_end] {
                            for &(_, b) in &eb[j..j_end] {
                                if !earlier(a as usize, b as usize) {
                                    pairs.push((a, b));
                                    report.new_pairs += 1;
                                }
                            }
                        }
                    }
                    (i, j) = (i_end, j_end);
                }
            }
            Mode::Dedupe => {
                let e = ea;
                let mut i = 0;
                while i < e.len() {
                    let k = e[i].0;
                    let end = i + e[i..].iter().take_while(|x| x.0 == k).count();
                    let m = (end - i) as u64;
                    let block = m * m.saturating_sub(1) / 2;
                    if block > cap {
                        report.skipped_blocks += 1;
                        report.skipped_pairs += block;
                        skipped.insert(k);
                    } else {
                        report.pairs += block;
                        for x in i..end {
                            for y in x + 1..end {
                                let (a, b) = (e[x].1.min(e[y].1), e[x].1.max(e[y].1));
                                if !earlier(a as usize, b as usize) {
                                    pairs.push((a, b));
                                    report.new_pairs += 1;
                                }
                            }
                        }
                    }
                    i = end;
                }
            }
        }
        // Records in skipped blocks get no key for this rule, so `agree` is a plain compare.
        if !skipped.is_empty() {
            for h in &mut keys.hashes[r] {
                if skipped.contains(h) {
                    *h = 0;
                }
            }
        }
        reports.push(report);
    }
    // In record order, comparing walks table A forward instead of jumping block to block.
    pairs.sort_unstable();
    let masks = pairs.iter().map(|&(a, b)| keys.mask(a as usize, b as usize)).collect();
    let mut recall = None;
    if let Some(truth) = truth {
        let total = truth.len().max(1) as f64;
        for (r, report) in reports.iter_mut().enumerate() {
            let found = truth.iter().filter(|&&(a, b)| keys.agree(r, a as usize, b as usize)).count();
            report.recall = Some(found as f64 / total);
        }
        let found = truth.iter().filter(|&&(a, b)| keys.mask(a as usize, b as usize) != 0).count();
        recall = Some(found as f64 / total);
    }
    Candidates { pairs, masks, rules: reports, recall, keys }
}

impl Candidates {
    /// The blocking keys computed for the job.
    pub fn keys(&self) -> &BlockingKeys {
        &self.keys
    }
}
