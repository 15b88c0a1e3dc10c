//! One record at a time: an index built once over a table answers a single incoming record
//! with its best candidates on the table and their weights.
//!
//! The batch job ([`crate::link`]) blocks two whole tables against each other. A departure
//! feed cannot wait for a batch: each traveller must be answered as they arrive. A
//! [`LinkIndex`] keeps the table's normalized records, its [`Weights`], and per blocking rule
//! the table's key hashes sorted, so that one incoming record costs one lookup per key (one per
//! rule, or one per name token for a rule with a `tokens` key) plus the grading of its
//! candidates.
//!
//! **Candidates** are the table records that agree with the incoming record on every key of at
//! least one rule (for a rule with a `tokens` key: on every key with one of its tokens): the
//! same rules as the batch job, unioned, each record once.
//!
//! **The cap.** In batch, a block (one key value) is skipped when it holds more than
//! `max_block_pairs` pairs, `na * nb`. One incoming record against a block of `n` table records
//! is `n` pairs, but the index is built to answer a query in well under a millisecond, so its
//! cap is its own: a block of more than `max_block_records` table records (default 300) is
//! skipped. Such blocks are taken out of the index when it is built (every query would skip
//! them) and remembered by key, so a query reports them ([`Blocked::skipped`]) and a caller can
//! send such a record to a person rather than trust an answer from the narrower rules alone.
//! The cap bounds a query's work at about `max_block_records` candidates per rule. On
//! 10,000,000 synthetic docket persons, a cap of 300 instead of 10,000 brought the slowest
//! percent of queries from 4.3 ms to 0.56 ms and put the true record first for 1,960 of 2,000
//! travellers instead of 1,963: a common surname's block is rarely the only one that finds
//! the right person (BENCHMARKS.md).
//!
//! **Weights** are `weights.total(pattern, record, side)`, the batch job's formula, with the pattern
//! of [`compare::pattern_between`] (table record first, as table A's record is in batch) and the
//! incoming record's rarest-token frequencies looked up in the table's (`Weights::side_of`).
//! [`LinkIndex::build`] takes term frequencies from the indexed table; the batch job takes them
//! from both of its tables, so the two agree exactly only where no term-frequency adjustment
//! applies. [`LinkIndex::with_weights`] takes any [`Weights`] whose records begin with the
//! indexed table's, such as a batch job's, and then gives the batch job's numbers exactly.
//!
//! **A query is exact**: it returns what scoring every candidate and keeping the best `limit`
//! would, weights and patterns to the bit. It saves work where that cannot change the answer.
//! A first pass grades each candidate on every comparison but the costly ones (names, with
//! fuzzy token levels), settling those too where string equality does (a missing value, equal
//! values at `exact`), and bounds the rest by their best level. A second pass takes the
//! candidates left open in order of that bound, grades their costly comparisons (cheapest
//! first, dropping a candidate as soon as its bound falls under the weakest of the best
//! `limit` so far) and stops at the first whose bound is under it. Within a query each
//! comparison is graded once per distinct table value: the candidates of a large block share
//! few names and dates.
//!
//! The cap is per key value: under a `tokens` rule a common token's block is skipped and
//! reported while the record's other tokens are still looked up.
//!
//! **The tokens rules within a budget.** A `tokens` rule gives a query one block per name
//! token, and for a common name those blocks are mostly namesakes: at 10,000,000 persons the
//! three tokens rules of `persons.toml` were two thirds of a query's candidates, and put p99
//! over a millisecond. A query takes the other rules' candidates whole, then the tokens rules'
//! blocks smallest first while the candidates stay within `tokens_budget` table records; the
//! blocks that would overflow it are held back and reported ([`Blocked::held_back`]). Where
//! the other rules found little (a record they missed, a rare name) the tokens rules are
//! taken; where they found the budget or more, none are. Looking a block up costs no record's
//! memory, so the choice is made before any candidate is touched.
//!
//! Memory: beside the records and the term-frequency tables, 12 bytes per key of a record (a
//! sorted `u64` hash and a `u32` record; one key per rule, or one per token under a `tokens`
//! rule), plus a bucket table of about half a byte per key that turns the lookup's binary
//! search into one or two cache misses.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::block;
use crate::compare::{self, NULL, Pattern};
use crate::fx::FxHashMap;
use crate::link::{Explanation, NotAProbability, ReviewFloor};
use crate::model::Model;
use crate::settings::{ColumnKind, Comparison, Level, Rule, Settings};
use crate::table::{self, Names, Records, TableError};
use crate::weights::{Side, Weights, probability};

/// Why an index could not be built or an incoming record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The table has more records than a `u32` can number.
    #[error("the table has {0} records; an index holds at most 4,294,967,295")]
    TooLarge(usize),
    /// The weights were built for other settings or other records.
    #[error("the weights do not fit the index: {0}")]
    Weights(String),
    /// The name tables the settings name could not be read.
    #[error(transparent)]
    Table(#[from] TableError),
    /// An incoming value names a column the settings do not use.
    #[error("incoming record `{id}`: no column `{column}` in the settings")]
    UnknownColumn {
        /// The incoming record's id.
        id: String,
        /// The column named.
        column: String,
    },
    /// The incoming record could not be read (an empty id, say).
    #[error("incoming record `{id}`: {reason}")]
    Incoming {
        /// The incoming record's id.
        id: String,
        /// Why.
        reason: String,
    },
}

/// One blocking rule's keys over the table: record numbers sorted by key hash.
struct RuleIndex {
    /// Key hashes, ascending; records without a key (a part missing) and blocks over the cap
    /// are left out.
    keys: Vec<u64>,
    /// `rows[k]` is the record whose key is `keys[k]`.
    rows: Vec<u32>,
    /// `buckets[h >> shift]..buckets[(h >> shift) + 1]` is the range of `keys` whose top bits
    /// are those of `h`, so a lookup searches a handful of keys, not the whole table.
    buckets: Vec<u32>,
    /// `64 - bucket bits`.
    shift: u32,
    /// Blocks over the cap: `(key hash, records)`, ascending by key.
    oversized: Vec<(u64, u32)>,
}

impl RuleIndex {
    /// Indexes `entries` (`(key hash, record)`, keys non-zero), leaving out blocks of more than
    /// `cap` records.
    fn new(mut entries: Vec<(u64, u32)>, cap: u64) -> RuleIndex {
        entries.sort_unstable();
        let mut keys = Vec::with_capacity(entries.len());
        let mut rows = Vec::with_capacity(entries.len());
        let mut oversized = Vec::new();
        let mut at = 0;
        while at < entries.len() {
            let key = entries[at].0;
            let end = at + entries[at..].iter().take_while(|e| e.0 == key).count();
            let n = end - at;
            if n as u64 > cap {
                oversized.push((key, n as u32));
            } else {
                keys.extend(entries[at..end].iter().map(|e| e.0));
                rows.extend(entries[at..end].iter().map(|e| e.1));
            }
            at = end;
        }
        drop(entries);
        keys.shrink_to_fit();
        rows.shrink_to_fit();
        // About four to eight keys per bucket: the bucket table costs half a byte per key.
        let bits = (usize::BITS - keys.len().div_ceil(8).leading_zeros()).min(26);
        let shift = 64 - bits;
        let bucket_of = |h: u64| if bits == 0 { 0 } else { (h >> shift) as usize };
        let mut buckets = vec![0u32; (1usize << bits) + 1];
        for &k in &keys {
            buckets[bucket_of(k) + 1] += 1;
        }
        for b in 1..buckets.len() {
            buckets[b] += buckets[b - 1];
        }
        RuleIndex { keys, rows, buckets, shift, oversized }
    }

    /// The records whose key is `h`.
    #[inline]
    fn lookup(&self, h: u64) -> &[u32] {
        let b = if self.shift == 64 { 0 } else { (h >> self.shift) as usize };
        let (from, to) = (self.buckets[b] as usize, self.buckets[b + 1] as usize);
        let keys = &self.keys[from..to];
        let lo = keys.partition_point(|&k| k < h);
        let hi = lo + keys[lo..].partition_point(|&k| k == h);
        &self.rows[from + lo..from + hi]
    }

    /// Records in the block of `h` if the block is over the cap.
    fn oversized(&self, h: u64) -> Option<u32> {
        self.oversized.binary_search_by_key(&h, |e| e.0).ok().map(|k| self.oversized[k].1)
    }

    fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.rows.capacity() * 4
            + self.buckets.capacity() * 4
            + self.oversized.capacity() * 16
    }
}

/// A table indexed for one-record queries.
pub struct LinkIndex {
    settings: Settings,
    names: Names,
    records: Records,
    weights: Weights,
    rules: Vec<RuleIndex>,
    /// Per comparison, whether a query leaves it to the second pass: a name or text comparison
    /// with a level costlier than comparing strings.
    costly: Vec<bool>,
    /// The costly comparisons, cheapest first.
    costly_order: Vec<usize>,
    /// Per comparison, what its level depends on besides the incoming record.
    by_value: Vec<ByValue>,
    /// Per comparison, whether its first level is `exact` and means equal text (not a date).
    exact_first: Vec<bool>,
    /// Per comparison, its highest weight at a level below the first.
    ceiling: Vec<f64>,
}

/// Whether a query grades a comparison once per distinct table value, and what of the table
/// record its level depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByValue {
    /// Names and text: the text.
    // INVARIANT: a name or text value's sorted tokens and phonetic codes, which levels also
    // read, are derived from its text alone, so equal texts reach equal levels.
    Text,
    /// Dates: the text and the date parts.
    TextAndDate,
    /// Graded for every candidate: a level reads another column, or the values are
    /// identifiers (documents, digits), which rarely repeat among one query's candidates.
    No,
}

/// A candidate left open by the first pass.
struct Open {
    /// The most its weight can be.
    bound: f64,
    record: u32,
    rules: u16,
    /// The levels settled so far.
    pattern: Pattern,
    /// Bit `c` set for each costly comparison still to grade.
    unsettled: u16,
}

/// Candidates whose records are fetched together.
const PREFETCH: usize = 16;

/// Below the weakest of the best weights so far, by more than rounding: a bound under this
/// cannot make the answer, even as a tie.
const MARGIN: f64 = 1e-9;

/// The best `limit` weights so far.
struct TopWeights {
    limit: usize,
    heap: BinaryHeap<Reverse<Weight>>,
}

/// A weight ordered by `total_cmp`.
struct Weight(f64);

impl PartialEq for Weight {
    fn eq(&self, other: &Weight) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}

impl Eq for Weight {}

impl PartialOrd for Weight {
    fn partial_cmp(&self, other: &Weight) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Weight {
    fn cmp(&self, other: &Weight) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl TopWeights {
    fn new(limit: usize) -> TopWeights {
        TopWeights { limit, heap: BinaryHeap::new() }
    }

    /// What a candidate's bound must reach to stay: minus infinity until `limit` weights are
    /// in, then the weakest of them (less the margin).
    fn bar(&self) -> f64 {
        match self.heap.peek() {
            Some(Reverse(w)) if self.heap.len() >= self.limit => w.0 - MARGIN,
            _ => f64::NEG_INFINITY,
        }
    }

    fn push(&mut self, w: f64) {
        if self.heap.len() < self.limit {
            self.heap.push(Reverse(Weight(w)));
        } else if self.heap.peek().is_some_and(|Reverse(min)| w > min.0) {
            self.heap.pop();
            self.heap.push(Reverse(Weight(w)));
        }
    }
}

/// A scored candidate before its id is looked up.
struct Scored {
    weight: f64,
    record: u32,
    pattern: Pattern,
    rules: u16,
}

/// A comparison's level per distinct table value, within one query.
type LevelsByValue<'a> = FxHashMap<(&'a str, u32), u8>;

/// How costly `cmp` is to grade, if it is costly and can be graded once per distinct value: a
/// name or text comparison (its level reads only the value's text and what is derived from
/// it) with a level that costs more than comparing two strings, and no level that reads
/// another column. The cost is a rough count of passes over the values.
fn grading_cost(cmp: &Comparison) -> Option<u32> {
    let by_value = matches!(cmp.kind, ColumnKind::Name | ColumnKind::Text)
        && !cmp.levels.iter().any(|l| matches!(l, Level::Swapped(_) | Level::SwappedTokens(_)));
    let cost = |l: &Level| match l {
        Level::TokensFuzzy(_) => 4,
        Level::JaroWinkler(_) | Level::DamerauLevenshtein(_) => 2,
        Level::Phonetic | Level::SameTokens | Level::TokenSubset(_) | Level::LeadingTokens(_) => 1,
        _ => 0,
    };
    let costly = cmp.levels.iter().any(|l| {
        matches!(l, Level::TokensFuzzy(_) | Level::JaroWinkler(_) | Level::DamerauLevenshtein(_) | Level::Phonetic)
    });
    (by_value && costly).then(|| cmp.levels.iter().map(cost).sum())
}

impl std::fmt::Debug for LinkIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkIndex")
            .field("records", &self.records.len())
            .field("rules", &self.rules.len())
            .field("blocking_bytes", &self.blocking_bytes())
            .finish_non_exhaustive()
    }
}

/// A table record found for an incoming record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate<'a> {
    /// The record's index in the indexed table.
    pub record: u32,
    /// The record's id.
    pub id: &'a str,
    /// The pair's levels, table record first.
    pub pattern: Pattern,
    /// Match weight (log2 odds), as in batch.
    pub weight: f64,
    /// Match probability.
    pub probability: f64,
    /// Bit `r` set when blocking rule `r` found the record.
    pub rules: u16,
}

/// How one incoming record's answer is split three ways ([`LinkIndex::triage`]): the best
/// candidate is accepted at or above `accept_from`; other candidates at or above the review
/// floor, at most `most_for_review` of them, go to a reviewer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triage {
    accept_from: f64,
    review_floor: ReviewFloor,
    most_for_review: usize,
}

impl Triage {
    /// Accept at match probability `accept_from` (between 0 and 1, usually the batch job's
    /// threshold), review from `review_floor`, at most `most_for_review` candidates.
    pub fn new(accept_from: f64, review_floor: ReviewFloor, most_for_review: usize) -> Result<Triage, NotAProbability> {
        if !(0.0..=1.0).contains(&accept_from) {
            return Err(NotAProbability(accept_from));
        }
        Ok(Triage { accept_from, review_floor, most_for_review })
    }
}

/// One incoming record's answer, three ways: the match accepted, if any, and the doubtful
/// candidates for a reviewer. A candidate in neither is below the review floor.
#[derive(Debug, Clone, PartialEq)]
pub struct Triaged<'a> {
    /// The best candidate, when its probability is at or above the acceptance threshold.
    pub accepted: Option<Candidate<'a>>,
    /// The other candidates at or above the review floor, best first: all of them when none
    /// is accepted, the runners-up otherwise (a runner-up above the acceptance threshold says
    /// that the accepted match has a rival a reviewer should see).
    pub review: Vec<Candidate<'a>>,
    /// More candidates were at or above the floor than `most_for_review`.
    pub more_for_review: bool,
    /// Blocks the record falls into that were skipped for their size ([`Blocked::skipped`]):
    /// a candidate may have been there, so a caller cannot take an answer without an accepted
    /// match as "no match".
    pub skipped: Vec<SkippedBlock>,
    /// Blocks of `tokens` rules held back for the query's budget ([`Blocked::held_back`]).
    pub held_back: Vec<SkippedBlock>,
}

/// The candidates blocking finds for one incoming record, before scoring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blocked {
    /// `(record, rule mask)`, ascending by record, each record once.
    pub records: Vec<(u32, u16)>,
    /// Blocks the incoming record falls into that are over the cap and were skipped.
    pub skipped: Vec<SkippedBlock>,
    /// Blocks of `tokens` rules not taken because the query's candidates would have gone over
    /// `tokens_budget` ([`LinkIndex::candidates`]), by rule.
    pub held_back: Vec<SkippedBlock>,
}

/// A block skipped for its size, or held back for the query's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkippedBlock {
    /// The blocking rule (index into [`Settings::rules`]).
    pub rule: usize,
    /// Table records in the block.
    pub records: u32,
}

impl LinkIndex {
    /// Indexes `records` (one table, normalized with `settings`) for scoring with `model`;
    /// term frequencies are taken from `records`.
    pub fn build(settings: &Settings, records: Records, model: &Model) -> Result<LinkIndex, IndexError> {
        let weights = model.weights(settings, &records);
        LinkIndex::with_weights(settings, records, weights)
    }

    /// Indexes `records` with weights built elsewhere: their term frequencies must be indexed
    /// like `records` (record `r` of the table is record `r` of the records the weights were
    /// built from), as a batch job's are for its table A.
    pub fn with_weights(settings: &Settings, records: Records, weights: Weights) -> Result<LinkIndex, IndexError> {
        let n = records.len();
        if u32::try_from(n).is_err() {
            return Err(IndexError::TooLarge(n));
        }
        check_weights(settings, &weights, n)?;
        let names = table::name_rules(settings)?;
        let rules = index_rules(settings, &records);
        let comparisons = &settings.comparisons;
        let costly: Vec<bool> = comparisons.iter().map(|c| grading_cost(c).is_some()).collect();
        let mut costly_order: Vec<usize> = (0..comparisons.len()).filter(|&c| costly[c]).collect();
        // The cheapest first: a candidate dropped after it is spared the dearer ones.
        costly_order.sort_by_key(|&c| grading_cost(&comparisons[c]));
        let by_value = comparisons
            .iter()
            .map(|c| match c.kind {
                _ if c.levels.iter().any(|l| matches!(l, Level::Swapped(_) | Level::SwappedTokens(_))) => ByValue::No,
                ColumnKind::Date => ByValue::TextAndDate,
                ColumnKind::Name | ColumnKind::Text => ByValue::Text,
                ColumnKind::Document | ColumnKind::Digits => ByValue::No,
            })
            .collect();
        let exact_first =
            comparisons.iter().map(|c| c.kind != ColumnKind::Date && c.levels.first() == Some(&Level::Exact)).collect();
        let ceiling = weights.level.iter().map(|w| w[1..].iter().copied().fold(f64::NEG_INFINITY, f64::max)).collect();
        Ok(LinkIndex {
            settings: settings.clone(),
            names,
            records,
            weights,
            rules,
            costly,
            costly_order,
            by_value,
            exact_first,
            ceiling,
        })
    }

    /// The indexed table's records.
    pub fn records(&self) -> &Records {
        &self.records
    }

    /// The weights queries are scored with.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// The settings the index was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Bytes held by the blocking tables (not the records or the weights).
    pub fn blocking_bytes(&self) -> usize {
        self.rules.iter().map(RuleIndex::heap_bytes).sum()
    }

    /// Normalizes one incoming record from `(column, raw value)` pairs, as a CSV row with those
    /// columns would be (the id trimmed). Columns not given are missing; a value that cannot be
    /// read (a date that is no date) is read as missing and listed in the result's `issues`.
    pub fn incoming(&self, id: &str, values: &[(&str, &str)]) -> Result<Records, IndexError> {
        let settings = &self.settings;
        let mut row = vec![""; settings.columns.len()];
        for &(column, value) in values {
            match settings.columns.iter().position(|(c, _)| c == column) {
                Some(at) => row[at] = value,
                None => {
                    return Err(IndexError::UnknownColumn { id: id.to_owned(), column: column.to_owned() });
                }
            }
        }
        let id = id.trim();
        if id.is_empty() {
            return Err(IndexError::Incoming { id: id.to_owned(), reason: "the id is empty".into() });
        }
        Ok(Records::from_values(settings, &self.names, id, &row))
    }

    /// The table records that share every key of some blocking rule with record `i` of
    /// `incoming` (normalized with the same settings), the blocks skipped for their size, and
    /// the blocks of `tokens` rules held back for the query's budget.
    ///
    /// The rules without a `tokens` key are taken whole. Then the blocks of the `tokens` rules
    /// (one per name token), smallest first, each while the candidates stay within
    /// `tokens_budget` table records (counting a record found twice twice); once one would
    /// overflow it, it and the larger ones are held back. A tokens rule finds what the others
    /// missed (a dual national on the other passport, a surname dropped or moved, a
    /// transliterated name), which matters most where they found little; where they found
    /// many, a common name's token blocks only add namesakes.
    pub fn candidates(&self, incoming: &Records, i: usize) -> Blocked {
        let mut found: Vec<(u32, u16)> = Vec::new();
        let mut skipped = Vec::new();
        let mut keys = Vec::new();
        // The tokens rules' blocks, `(records, rule)`, taken once the other rules are in.
        let mut tokens: Vec<(&[u32], usize)> = Vec::new();
        for (r, (rule, index)) in self.settings.rules.iter().zip(&self.rules).enumerate() {
            // One key, or one per name token: a record found by several is merged below.
            block::key_hashes(incoming, rule, i, &mut keys);
            for &h in &keys {
                let rows = index.lookup(h);
                if rows.is_empty() {
                    if let Some(records) = index.oversized(h) {
                        skipped.push(SkippedBlock { rule: r, records });
                    }
                } else if rule.multi() {
                    tokens.push((rows, r));
                } else {
                    found.extend(rows.iter().map(|&row| (row, 1u16 << r)));
                }
            }
        }
        let mut held_back = Vec::new();
        if !tokens.is_empty() {
            merge(&mut found);
            tokens.sort_by_key(|t| (t.0.len(), t.1));
            let budget = usize::try_from(self.settings.tokens_budget).unwrap_or(usize::MAX);
            let mut taken = found.len();
            for (rows, r) in tokens {
                if held_back.is_empty() && taken.saturating_add(rows.len()) <= budget {
                    taken += rows.len();
                    found.extend(rows.iter().map(|&row| (row, 1u16 << r)));
                } else {
                    held_back.push(SkippedBlock { rule: r, records: rows.len() as u32 });
                }
            }
            held_back.sort_unstable_by_key(|b| (b.rule, b.records));
        }
        merge(&mut found);
        Blocked { records: found, skipped, held_back }
    }

    /// The best `limit` candidates for record `i` of `incoming` (normalized with the same
    /// settings), best first: by weight, ties broken by id.
    ///
    /// The answer is exact: the same as scoring every candidate blocking finds and keeping the
    /// best `limit` (see the module documentation for how work is saved without changing it).
    pub fn query(&self, incoming: &Records, i: usize, limit: usize) -> Vec<Candidate<'_>> {
        if limit == 0 {
            return Vec::new();
        }
        self.rank(incoming, i, &self.candidates(incoming, i).records, limit)
    }

    /// The best `limit` (not 0) of `blocked`, the candidates of record `i` of
    /// `incoming`, as [`LinkIndex::query`] gives them.
    fn rank(&self, incoming: &Records, i: usize, blocked: &[(u32, u16)], limit: usize) -> Vec<Candidate<'_>> {
        let comparisons = &self.settings.comparisons;
        let weights = &self.weights;
        let side_buf = weights.side_of(&self.settings, incoming, i);
        let side = side_buf.side();
        let theirs: Vec<&str> = comparisons.iter().map(|c| incoming.text(c.field, i)).collect();
        let mut memo: Vec<LevelsByValue<'_>> = comparisons.iter().map(|_| LevelsByValue::default()).collect();
        let mut best = TopWeights::new(limit);
        let mut scored: Vec<Scored> = Vec::new();
        let mut open: Vec<Open> = Vec::new();
        // First pass: every comparison but the costly ones, and what string equality settles of
        // those; a candidate with nothing left open is scored outright.
        for (n, &(record, rules)) in blocked.iter().enumerate() {
            // The candidates' records (and term frequencies) lie all over the table. Touching a
            // group of them before grading any lets their cache misses overlap instead of
            // queueing (a tenth of a query's time on a million records).
            if n % PREFETCH == 0 {
                let group = &blocked[n..(n + PREFETCH).min(blocked.len())];
                let touched = group.iter().map(|e| self.records.text(0, e.0 as usize).len()).sum::<usize>();
                let tf: f32 =
                    group.iter().map(|e| weights.tf.get(e.0 as usize * weights.tf_width).copied().unwrap_or(0.0)).sum();
                std::hint::black_box((touched, tf));
            }
            let r = record as usize;
            let mut pattern: Pattern = 0;
            let mut unsettled = 0u16;
            for (c, cmp) in comparisons.iter().enumerate() {
                let ours = self.records.text(cmp.field, r);
                let l = match self.settle(c, ours, theirs[c]) {
                    Some(l) => l,
                    None if self.costly[c] => {
                        unsettled |= 1 << c;
                        continue;
                    }
                    None => self.grade(&mut memo[c], c, r, ours, incoming, i),
                };
                pattern |= u64::from(l) << (4 * c);
            }
            // Weighed once every level but the costly ones is known: a frequency counted within
            // a context needs the context's level, which string equality always settles (a
            // context's only level is `exact`).
            let mut bound = weights.prior;
            for c in 0..comparisons.len() {
                bound += if unsettled & (1 << c) != 0 {
                    self.ceiling(c, r, pattern)
                } else {
                    weights.of(c, compare::level_of(pattern, c), r, side, pattern)
                };
            }
            if unsettled == 0 {
                let weight = weights.total(pattern, r, side);
                best.push(weight);
                scored.push(Scored { weight, record, pattern, rules });
            } else if bound >= best.bar() {
                open.push(Open { bound, record, rules, pattern, unsettled });
            }
        }
        // Second pass: the costly comparisons, candidates in order of the most they could
        // weigh. Once that falls below the weakest of the best `limit` so far, so does every
        // later candidate's.
        open.sort_unstable_by(|x, y| y.bound.total_cmp(&x.bound).then(x.record.cmp(&y.record)));
        'open: for o in &open {
            let bar = best.bar();
            if o.bound < bar {
                break;
            }
            let (r, mut pattern, mut bound) = (o.record as usize, o.pattern, o.bound);
            for &c in &self.costly_order {
                if o.unsettled & (1 << c) == 0 {
                    continue;
                }
                let ours = self.records.text(comparisons[c].field, r);
                let l = self.grade(&mut memo[c], c, r, ours, incoming, i);
                pattern |= u64::from(l) << (4 * c);
                bound += weights.of(c, l, r, side, pattern) - self.ceiling(c, r, pattern);
                if bound < bar {
                    continue 'open;
                }
            }
            let weight = weights.total(pattern, r, side);
            best.push(weight);
            scored.push(Scored { weight, record: o.record, pattern, rules: o.rules });
        }
        let ids = &self.records.ids;
        let best_first = |x: &Scored, y: &Scored| {
            y.weight
                .total_cmp(&x.weight)
                .then_with(|| ids[x.record as usize].cmp(&ids[y.record as usize]))
                .then_with(|| x.record.cmp(&y.record))
        };
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit - 1, best_first);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(best_first);
        scored
            .into_iter()
            .map(|s| Candidate {
                record: s.record,
                id: &ids[s.record as usize],
                pattern: s.pattern,
                weight: s.weight,
                probability: probability(s.weight),
                rules: s.rules,
            })
            .collect()
    }

    /// The level of comparison `c` that string equality settles, as [`compare::level`] would
    /// give it: a value missing on either side is no evidence; equal values are at `exact`
    /// (not for dates, whose `exact` needs every part); unequal values of a comparison whose
    /// only level is `exact` are at `else`.
    #[inline]
    fn settle(&self, c: usize, ours: &str, theirs: &str) -> Option<u8> {
        if ours.is_empty() || theirs.is_empty() {
            Some(NULL)
        } else if !self.exact_first[c] {
            None
        } else if ours == theirs {
            Some(0)
        } else if self.settings.comparisons[c].levels.len() == 1 {
            Some(1)
        } else {
            None
        }
    }

    /// The level of comparison `c` for table record `r` (whose value is `ours`), graded once
    /// per distinct value within a query where the level depends on nothing else.
    #[inline]
    fn grade<'s>(
        &'s self,
        memo: &mut LevelsByValue<'s>,
        c: usize,
        r: usize,
        ours: &'s str,
        incoming: &Records,
        i: usize,
    ) -> u8 {
        let cmp = &self.settings.comparisons[c];
        let key = match self.by_value[c] {
            ByValue::No => return compare::level(cmp, &self.records, r, incoming, i),
            ByValue::Text => (ours, 0),
            ByValue::TextAndDate => {
                let d = self.records.date(cmp.field, r);
                (ours, u32::from(d.year) << 16 | u32::from(d.month) << 8 | u32::from(d.day))
            }
        };
        *memo.entry(key).or_insert_with(|| compare::level(cmp, &self.records, r, incoming, i))
    }

    /// The most comparison `c` can weigh for table record `r` in a pair with `pattern` (its
    /// contexts settled) when string equality did not settle `c` (so it is not missing, and not
    /// `exact` when that comes first).
    #[inline]
    fn ceiling(&self, c: usize, r: usize, pattern: Pattern) -> f64 {
        let mut most = self.ceiling[c];
        if let Some(subset) = self.weights.subset_ceiling(c, r, pattern) {
            most = most.max(subset);
        }
        if self.exact_first[c] { most } else { most.max(self.weights.of(c, 0, r, Side::default(), pattern)) }
    }

    /// Record `i` of `incoming` answered three ways ([`Triage`]): the accepted match, if the
    /// best candidate reaches the acceptance threshold, and the doubtful candidates at or
    /// above the review floor. The candidates are [`LinkIndex::query`]'s, so the answer is as
    /// exact as a query's.
    pub fn triage(&self, incoming: &Records, i: usize, triage: &Triage) -> Triaged<'_> {
        let floor = triage.review_floor.get();
        let blocked = self.candidates(incoming, i);
        let mut best = self.rank(incoming, i, &blocked.records, triage.most_for_review.saturating_add(2)).into_iter();
        let mut out = Triaged {
            accepted: None,
            review: Vec::new(),
            more_for_review: false,
            skipped: blocked.skipped,
            held_back: blocked.held_back,
        };
        if let Some(top) = best.next() {
            if top.probability >= triage.accept_from {
                out.accepted = Some(top);
            } else if top.probability >= floor {
                out.review.push(top);
            }
        }
        for c in best.filter(|c| c.probability >= floor) {
            if out.review.len() < triage.most_for_review {
                out.review.push(c);
            } else {
                out.more_for_review = true;
            }
        }
        if out.review.len() > triage.most_for_review {
            out.review.truncate(triage.most_for_review);
            out.more_for_review = true;
        }
        out
    }

    /// Normalizes one incoming record ([`LinkIndex::incoming`]) and queries it.
    pub fn query_values(
        &self,
        id: &str,
        values: &[(&str, &str)],
        limit: usize,
    ) -> Result<Vec<Candidate<'_>>, IndexError> {
        let incoming = self.incoming(id, values)?;
        Ok(self.query(&incoming, 0, limit))
    }

    /// The numbers behind table record `record`'s score against record `i` of `incoming`:
    /// the prior, each comparison's level and weight, the total; as [`crate::link::explain`]
    /// gives for a batch pair, table record first.
    pub fn explain(&self, incoming: &Records, i: usize, record: u32) -> Explanation {
        let r = record as usize;
        let side = self.weights.side_of(&self.settings, incoming, i);
        let pattern = compare::pattern_between(&self.settings, &self.records, r, incoming, i);
        let ids = (self.records.ids[r].clone(), incoming.ids[i].clone());
        crate::link::explanation(&self.settings, &self.weights, pattern, r, side.side(), ids)
    }
}

/// Whether `weights` has one table per comparison, one weight per level, and term frequencies
/// for at least `n` records.
fn check_weights(settings: &Settings, weights: &Weights, n: usize) -> Result<(), IndexError> {
    let nc = settings.comparisons.len();
    if weights.level.len() != nc || weights.tf_slot.len() != nc || weights.log_m_exact.len() != nc {
        return Err(IndexError::Weights(format!(
            "{} comparisons in the weights, {nc} in the settings",
            weights.level.len()
        )));
    }
    for (c, cmp) in settings.comparisons.iter().enumerate() {
        if weights.level[c].len() != cmp.level_count() {
            return Err(IndexError::Weights(format!(
                "comparison `{}` has {} levels in the weights, {} in the settings",
                cmp.name,
                weights.level[c].len(),
                cmp.level_count()
            )));
        }
        match weights.tf_slot[c] {
            Some(_) if weights.tf.len() < n * weights.tf_width => {
                return Err(IndexError::Weights(format!(
                    "comparison `{}` has term frequencies for {} records, the table has {n}",
                    cmp.name,
                    weights.tf.len() / weights.tf_width.max(1)
                )));
            }
            None if cmp.term_frequency => {
                return Err(IndexError::Weights(format!("comparison `{}` has no term frequencies", cmp.name)));
            }
            _ => {}
        }
        if weights.tf_context.get(c).copied().flatten() != cmp.term_frequency_within
            || (cmp.term_frequency_within.is_some() && weights.tf_within.len() < n * weights.tf_width)
        {
            return Err(IndexError::Weights(format!(
                "comparison `{}` has no frequencies within its context for the table's records",
                cmp.name
            )));
        }
    }
    Ok(())
}

/// Sorts `(record, rule mask)` entries by record and merges each record's into one.
fn merge(found: &mut Vec<(u32, u16)>) {
    found.sort_unstable_by_key(|e| e.0);
    found.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 |= later.1;
        }
        same
    });
}

/// One [`RuleIndex`] per rule, built on up to as many threads as there are cores (each holds
/// a rule's `(key, record)` pairs, 16 bytes a record, while it sorts them).
fn index_rules(settings: &Settings, records: &Records) -> Vec<RuleIndex> {
    let rules: &[Rule] = &settings.rules;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(rules.len()).max(1);
    let next = AtomicUsize::new(0);
    let cap = settings.max_block_records;
    let mut built: Vec<(usize, RuleIndex)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let r = next.fetch_add(1, Ordering::Relaxed);
                        let Some(rule) = rules.get(r) else { break };
                        let mut entries: Vec<(u64, u32)> = Vec::with_capacity(records.len());
                        let mut keys = Vec::new();
                        for i in 0..records.len() {
                            block::key_hashes(records, rule, i, &mut keys);
                            entries.extend(keys.iter().map(|&h| (h, i as u32)));
                        }
                        mine.push((r, RuleIndex::new(entries, cap)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    built.sort_unstable_by_key(|b| b.0);
    built.into_iter().map(|b| b.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_every_key_and_only_it() {
        let entries: Vec<(u64, u32)> =
            (0..10_000u32).map(|i| (u64::from(i % 977).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1, i)).collect();
        let index = RuleIndex::new(entries.clone(), 1_000);
        for k in 0..977u64 {
            let h = k.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut want: Vec<u32> = entries.iter().filter(|e| e.0 == h).map(|e| e.1).collect();
            let mut got = index.lookup(h).to_vec();
            want.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, want, "key {k}");
        }
        assert!(index.lookup(2).is_empty());
    }

    #[test]
    fn blocks_over_the_cap_are_left_out_and_remembered() {
        let mut entries: Vec<(u64, u32)> = (0..11).map(|i| (7, i)).collect();
        entries.extend((11..21).map(|i| (9, i)));
        let index = RuleIndex::new(entries, 10);
        assert!(index.lookup(7).is_empty());
        assert_eq!(index.oversized(7), Some(11));
        assert_eq!(index.lookup(9).len(), 10);
        assert_eq!(index.oversized(9), None);
    }
}
