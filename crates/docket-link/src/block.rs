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
//! candidates at most about `n * sqrt(max_block_pairs)` per key, whatever the data.
//!
//! A rule with a `tokens` key gives a record one key per name token (each combined with the
//! rule's other keys), and a pair is its candidate when any of them agree. Each `(key,
//! record)` is an entry of the sort; a pair that shares several keys is taken at the smallest
//! it shares in a block that is kept, so it is counted once; a common token's block is skipped
//! per key value like any other, its records keeping their other keys.

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

/// Every record's keys for every rule, with the keys of blocks skipped for size taken out.
///
/// A rule of single keys gives a record one key hash (0: a key part is missing), stored record
/// by record: asking which rules a pair agrees on reads two places in memory, not two per rule.
/// A rule with a `tokens` key gives a record one key per token: all its keys, ascending, are in
/// a list of the rule's own ([`KeyLists`]), and the same place holds a summary of them
/// ([`summary`]: how many, and one bit per key) that settles most pairs without reading the
/// lists, which are two more cache misses a record.
#[derive(Debug)]
pub struct BlockingKeys {
    hashes: Vec<u64>,
    rules: usize,
    /// Bit `r` set when rule `r` gives several keys.
    multi: u16,
    /// Per rule, its records' keys when it gives several (empty otherwise).
    lists: Vec<KeyLists>,
}

/// The keys of every record under one rule of several keys, compactly: record `i`'s keys are
/// `keys[offsets[i]..offsets[i + 1]]`, ascending and distinct.
#[derive(Debug, Default)]
struct KeyLists {
    offsets: Vec<usize>,
    keys: Vec<u64>,
}

impl KeyLists {
    #[inline]
    fn of(&self, i: usize) -> &[u64] {
        &self.keys[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// Bits of a [`summary`] that hold one bit per key.
const SIGNATURE: u64 = (1 << 58) - 1;

/// The bit of key `k` in a [`summary`].
#[inline]
fn key_bit(k: u64) -> u64 {
    1 << ((k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) % 58)
}

/// A summary of a record's keys under a rule of several keys: how many (at most 63) in the top
/// six bits, and below them the bit of each key. Zero when it has none. Two records whose
/// summaries share no bit share no key.
fn summary(keys: &[u64]) -> u64 {
    let bits = keys.iter().fold(0, |s, &k| s | key_bit(k));
    (keys.len().min(63) as u64) << 58 | bits
}

/// The smallest key two ascending lists share.
#[inline]
fn first_shared(x: &[u64], y: &[u64]) -> Option<u64> {
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(x[i]),
        }
    }
    None
}

impl BlockingKeys {
    /// Record `i`'s key hash under rule `r` (for a rule of several keys, the summary of its keys);
    /// 0 when it has none.
    #[inline]
    pub fn hash(&self, r: usize, i: usize) -> u64 {
        self.hashes[i * self.rules + r]
    }

    /// Record `i`'s keys under rule `r`, ascending (none, or one for a rule of single keys).
    pub fn keys(&self, r: usize, i: usize) -> &[u64] {
        if self.multi & 1 << r != 0 {
            self.lists[r].of(i)
        } else {
            let at = i * self.rules + r;
            let h = &self.hashes[at..=at];
            if h[0] == 0 { &[] } else { h }
        }
    }

    /// Whether rule `r` makes `(a, b)` a candidate: they share a key.
    #[inline]
    pub fn agree(&self, r: usize, a: usize, b: usize) -> bool {
        let (k, l) = (self.hash(r, a), self.hash(r, b));
        if self.multi & 1 << r == 0 {
            return k != 0 && k == l;
        }
        k & l & SIGNATURE != 0 && first_shared(self.lists[r].of(a), self.lists[r].of(b)).is_some()
    }

    /// The rule mask of `(a, b)`.
    pub fn mask(&self, a: usize, b: usize) -> u16 {
        let (x, y) = (&self.hashes[a * self.rules..][..self.rules], &self.hashes[b * self.rules..][..self.rules]);
        let mut mask =
            x.iter().zip(y).enumerate().fold(0u16, |m, (r, (&k, &l))| if k != 0 && k == l { m | 1 << r } else { m })
                & !self.multi;
        // Rules of several keys: only where the summaries share a bit can the records share a key.
        let mut open = self.multi;
        while open != 0 {
            let r = open.trailing_zeros() as usize;
            open &= open - 1;
            if x[r] & y[r] & SIGNATURE != 0 && first_shared(self.lists[r].of(a), self.lists[r].of(b)).is_some() {
                mask |= 1 << r;
            }
        }
        mask
    }

    /// Whether `k`, a key `a` and `b` share under rule `r` (of several keys), is the smallest
    /// they share.
    #[inline]
    fn first_shared_is(&self, r: usize, a: usize, b: usize, k: u64) -> bool {
        let (x, y) = (self.hash(r, a), self.hash(r, b));
        // When `a`'s keys have a bit each and the summaries share one bit, `k` (whose bit that
        // is) is the only key they share: no list need be read.
        let a_distinct = (x >> 58) == u64::from((x & SIGNATURE).count_ones());
        if a_distinct && (x & y & SIGNATURE).count_ones() == 1 {
            return true;
        }
        first_shared(self.lists[r].of(a), self.lists[r].of(b)) == Some(k)
    }

    /// Takes the keys in `skipped` out of rule `r`.
    fn remove(&mut self, r: usize, skipped: &FxHashSet<u64>) {
        if self.multi & 1 << r == 0 {
            for h in self.hashes.iter_mut().skip(r).step_by(self.rules) {
                if skipped.contains(h) {
                    *h = 0;
                }
            }
            return;
        }
        let lists = &mut self.lists[r];
        let mut kept = 0;
        let mut from = 0;
        for i in 0..lists.offsets.len() - 1 {
            let to = lists.offsets[i + 1];
            for at in from..to {
                let k = lists.keys[at];
                if !skipped.contains(&k) {
                    lists.keys[kept] = k;
                    kept += 1;
                }
            }
            from = to;
            lists.offsets[i + 1] = kept;
            let first = lists.offsets[i];
            self.hashes[i * self.rules + r] = summary(&lists.keys[first..kept]);
        }
        lists.keys.truncate(kept);
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

/// The key hash of record `i` under `rule`; 0 when a part is missing. For a rule with a
/// `tokens` key, the smallest of its keys ([`key_hashes`] gives them all).
pub fn key_hash(records: &Records, rule: &Rule, i: usize) -> u64 {
    if rule.multi() {
        let mut keys = Vec::new();
        key_hashes(records, rule, i, &mut keys);
        return keys.first().copied().unwrap_or(0);
    }
    hash_with(records, rule, i, "")
}

/// Every key of record `i` under `rule`, ascending and distinct, into `out` (cleared first):
/// none when a part is missing, one for a rule of single keys, and for a rule with a `tokens`
/// key one per distinct token of its name.
pub fn key_hashes(records: &Records, rule: &Rule, i: usize, out: &mut Vec<u64>) {
    out.clear();
    let Some(tokens) = rule.keys.iter().find(|k| k.function == KeyFunction::Tokens) else {
        let h = hash_with(records, rule, i, "");
        if h != 0 {
            out.push(h);
        }
        return;
    };
    let sorted = records.sorted(tokens.field, i);
    let mut last = "";
    for token in sorted.split(' ').filter(|t| !t.is_empty()) {
        // Sorted, so a repeated token follows itself.
        if token == last {
            continue;
        }
        last = token;
        let h = hash_with(records, rule, i, token);
        if h == 0 {
            // A part other than the name is missing: so for every token.
            out.clear();
            return;
        }
        out.push(h);
    }
    out.sort_unstable();
    out.dedup();
}

/// The key hash of record `i` under `rule`, `token` standing for its `tokens` key if it has
/// one; 0 when a part is missing.
fn hash_with(records: &Records, rule: &Rule, i: usize, token: &str) -> u64 {
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
            KeyFunction::UnorderedDate => {
                let d = records.date(f, i);
                if d.year == 0 || d.month == 0 || d.day == 0 {
                    return 0;
                }
                let [y0, y1] = d.year.to_le_bytes();
                fnv(h, &[y0, y1, d.month.min(d.day), d.month.max(d.day)])
            }
            KeyFunction::MonthDay => {
                let d = records.date(f, i);
                if d.month == 0 || d.day == 0 {
                    return 0;
                }
                fnv(h, &[d.month, d.day])
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
            KeyFunction::Tokens => fnv(h, token.as_bytes()),
        };
        h = fnv(h, &[0xff]);
    }
    if h == 0 { 1 } else { h }
}

/// Every record's keys under every rule, the records spread over the threads.
fn blocking_keys(settings: &Settings, records: &Records) -> BlockingKeys {
    let n = records.len();
    let rules = settings.rules.len();
    let multi = settings.rules.iter().enumerate().fold(0u16, |m, (r, rule)| if rule.multi() { m | 1 << r } else { m });
    let mut hashes = vec![0u64; n * rules];
    let mut lists: Vec<KeyLists> = (0..rules).map(|_| KeyLists::default()).collect();
    if rules == 0 {
        return BlockingKeys { hashes, rules, multi, lists };
    }
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let per = n.div_ceil(threads).max(1);
    // Each thread's records' keys under the rules of several keys: per rule, the number of
    // keys of each record and the keys themselves, joined in record order afterwards.
    type Part = Vec<(Vec<u32>, Vec<u64>)>;
    let parts: Vec<Part> = std::thread::scope(|s| {
        let handles: Vec<_> = hashes
            .chunks_mut(per * rules)
            .enumerate()
            .map(|(t, part)| {
                s.spawn(move || {
                    let mut mine: Part = (0..rules).map(|_| (Vec::new(), Vec::new())).collect();
                    let mut scratch = Vec::new();
                    for (k, row) in part.chunks_mut(rules).enumerate() {
                        let i = t * per + k;
                        for (r, (h, rule)) in row.iter_mut().zip(&settings.rules).enumerate() {
                            if multi & 1 << r == 0 {
                                *h = hash_with(records, rule, i, "");
                                continue;
                            }
                            key_hashes(records, rule, i, &mut scratch);
                            *h = summary(&scratch);
                            mine[r].0.push(scratch.len() as u32);
                            mine[r].1.extend_from_slice(&scratch);
                        }
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    for (r, list) in lists.iter_mut().enumerate() {
        if multi & 1 << r == 0 {
            continue;
        }
        list.offsets.reserve(n + 1);
        list.offsets.push(0);
        list.keys.reserve(parts.iter().map(|p| p[r].1.len()).sum());
        for part in &parts {
            for &len in &part[r].0 {
                let last = list.offsets.last().copied().unwrap_or(0);
                list.offsets.push(last + len as usize);
            }
            list.keys.extend_from_slice(&part[r].1);
        }
    }
    BlockingKeys { hashes, rules, multi, lists }
}

/// Computes every key and the union of candidate pairs. `truth` (record index pairs, `a < b`)
/// adds recall figures.
pub fn candidates(settings: &Settings, records: &Records, truth: Option<&[(u32, u32)]>) -> Candidates {
    let n = records.len();
    let split = match settings.mode {
        Mode::Link => records.a_len,
        Mode::Dedupe => n,
    };
    // Later rules ask whether a pair already agreed on an earlier rule's keys.
    let mut keys = blocking_keys(settings, records);
    let mut pairs = Vec::new();
    let mut reports = Vec::new();
    let cap = settings.max_block_pairs;
    // The `(key, record)` entries of each table sorted by key, rule after rule in the same two
    // buffers (fresh memory is slow to fault in), the two tables sorted side by side.
    let (mut ea, mut eb) = (Vec::<(u64, u32)>::new(), Vec::<(u64, u32)>::new());
    for (r, rule) in settings.rules.iter().enumerate() {
        let multi = rule.multi();
        let keys_now = &keys;
        let sorted = |out: &mut Vec<(u64, u32)>, range: std::ops::Range<usize>| {
            out.clear();
            for i in range {
                out.extend(keys_now.keys(r, i).iter().map(|&h| (h, i as u32)));
            }
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
        // The blocks over the cap first: their keys are taken out of the rule, so that a
        // pair of a rule of several keys is found at the smallest key it shares in a block
        // that is kept, and once.
        let mut skipped = FxHashSet::default();
        walk_blocks(settings.mode, ea, eb, |k, size, _, _| {
            if size > cap {
                report.skipped_blocks += 1;
                report.skipped_pairs += size;
                skipped.insert(k);
            }
        });
        if !skipped.is_empty() {
            keys.remove(r, &skipped);
        }
        let keys = &keys;
        let earlier = |a: usize, b: usize| (0..r).any(|q| keys.agree(q, a, b));
        let mut found = |k: u64, a: u32, b: u32, report: &mut RuleReport| {
            let (a, b) = (a.min(b), a.max(b));
            // INVARIANT: a pair sharing several keys of the rule is taken at the smallest.
            if multi && !keys.first_shared_is(r, a as usize, b as usize, k) {
                return;
            }
            if multi {
                report.pairs += 1;
            }
            if !earlier(a as usize, b as usize) {
                pairs.push((a, b));
                report.new_pairs += 1;
            }
        };
        walk_blocks(settings.mode, ea, eb, |k, size, xs, ys| {
            if size > cap {
                return;
            }
            if !multi {
                report.pairs += size;
            }
            match ys {
                Some(ys) => {
                    for &(_, a) in xs {
                        for &(_, b) in ys {
                            found(k, a, b, &mut report);
                        }
                    }
                }
                None => {
                    for (x, &(_, a)) in xs.iter().enumerate() {
                        for &(_, b) in &xs[x + 1..] {
                            found(k, a, b, &mut report);
                        }
                    }
                }
            }
        });
        reports.push(report);
    }
    // In record order, comparing walks table A forward instead of jumping block to block.
    pairs.sort_unstable();
    // A pair's mask reads both records' rows and, under a tokens rule whose summaries overlap,
    // their key lists: cache misses that the threads overlap.
    let mut masks = vec![0u16; pairs.len()];
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let per = pairs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for (part, out) in pairs.chunks(per).zip(masks.chunks_mut(per)) {
            let keys = &keys;
            s.spawn(move || {
                for (m, &(a, b)) in out.iter_mut().zip(part) {
                    *m = keys.mask(a as usize, b as usize);
                }
            });
        }
    });
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

/// Calls `block(key, pairs, entries, other entries)` for every block: in link mode each key
/// that both tables hold, with table A's and table B's entries; in dedupe mode each key, with
/// its entries and `None`.
fn walk_blocks<'e>(
    mode: Mode,
    ea: &'e [(u64, u32)],
    eb: &'e [(u64, u32)],
    mut block: impl FnMut(u64, u64, &'e [(u64, u32)], Option<&'e [(u64, u32)]>),
) {
    match mode {
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
                let size = ((i_end - i) * (j_end - j)) as u64;
                block(ka, size, &ea[i..i_end], Some(&eb[j..j_end]));
                (i, j) = (i_end, j_end);
            }
        }
        Mode::Dedupe => {
            let mut i = 0;
            while i < ea.len() {
                let k = ea[i].0;
                let end = i + ea[i..].iter().take_while(|x| x.0 == k).count();
                let m = (end - i) as u64;
                block(k, m * m.saturating_sub(1) / 2, &ea[i..end], None);
                i = end;
            }
        }
    }
}

impl Candidates {
    /// The blocking keys computed for the job.
    pub fn keys(&self) -> &BlockingKeys {
        &self.keys
    }
}
