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

/// Every record's key hash for every rule (0: a key part is missing; also for a record in a
/// block skipped for size), stored record by record: asking which rules a pair agrees on reads
/// two places in memory, not two per rule.
#[derive(Debug)]
pub struct BlockingKeys {
    hashes: Vec<u64>,
    rules: usize,
}

impl BlockingKeys {
    /// Record `i`'s key hash under rule `r`.
    #[inline]
    pub fn hash(&self, r: usize, i: usize) -> u64 {
        self.hashes[i * self.rules + r]
    }

    /// Whether rule `r` makes `(a, b)` a candidate.
    #[inline]
    pub fn agree(&self, r: usize, a: usize, b: usize) -> bool {
        let k = self.hash(r, a);
        k != 0 && k == self.hash(r, b)
    }

    /// The rule mask of `(a, b)`.
    pub fn mask(&self, a: usize, b: usize) -> u16 {
        let (x, y) = (&self.hashes[a * self.rules..][..self.rules], &self.hashes[b * self.rules..][..self.rules]);
        x.iter().zip(y).enumerate().fold(0u16, |m, (r, (&k, &l))| if k != 0 && k == l { m | 1 << r } else { m })
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
    // Every record's key under every rule, the records spread over the threads: later rules
    // ask whether a pair already agreed on an earlier rule's key.
    let rules = settings.rules.len();
    let mut hashes = vec![0u64; n * rules];
    if rules > 0 {
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
        let per = n.div_ceil(threads).max(1);
        std::thread::scope(|s| {
            for (t, part) in hashes.chunks_mut(per * rules).enumerate() {
                s.spawn(move || {
                    for (k, row) in part.chunks_mut(rules).enumerate() {
                        for (h, rule) in row.iter_mut().zip(&settings.rules) {
                            *h = key_hash(records, rule, t * per + k);
                        }
                    }
                });
            }
        });
    }
    let mut keys = BlockingKeys { hashes, rules };
    let mut pairs = Vec::new();
    let mut reports = Vec::new();
    let cap = settings.max_block_pairs;
    // The records of each table sorted by the rule's key, rule after rule in the same two
    // buffers (fresh memory is slow to fault in), the two tables sorted side by side.
    let (mut ea, mut eb) = (Vec::<(u64, u32)>::new(), Vec::<(u64, u32)>::new());
    for (r, rule) in settings.rules.iter().enumerate() {
        let keys_now = &keys;
        let sorted = |out: &mut Vec<(u64, u32)>, range: std::ops::Range<usize>| {
            out.clear();
            out.extend(range.filter_map(|i| {
                let h = keys_now.hash(r, i);
                (h != 0).then_some((h, i as u32))
            }));
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
            for h in keys.hashes.iter_mut().skip(r).step_by(rules) {
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
