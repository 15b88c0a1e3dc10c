//! Grading a pair: for each comparison, the first level the pair reaches.
//!
//! A comparison vector packs one level per comparison, four bits each, into a `u64`. Level
//! `NULL` means a value is missing on either side: it carries no evidence either way.

use crate::metrics;
use crate::settings::{ColumnKind, Comparison, Level, Settings, Shorter};
use crate::table::Records;

/// The level of a comparison whose value is missing on one side.
pub const NULL: u8 = 15;

/// A pair's levels, four bits per comparison.
pub type Pattern = u64;

/// Level of comparison `c` in `pattern`.
#[inline]
pub fn level_of(pattern: Pattern, c: usize) -> u8 {
    ((pattern >> (4 * c)) & 0xf) as u8
}

/// The comparison vector of records `a` and `b`.
#[inline]
pub fn pattern(settings: &Settings, records: &Records, a: usize, b: usize) -> Pattern {
    pattern_between(settings, records, a, records, b)
}

/// The comparison vector of record `a` of `ra` and record `b` of `rb` (both normalized with
/// `settings`): a stored record against an incoming one, say.
pub fn pattern_between(settings: &Settings, ra: &Records, a: usize, rb: &Records, b: usize) -> Pattern {
    let mut p = 0u64;
    for (c, cmp) in settings.comparisons.iter().enumerate() {
        let l = level(cmp, ra, a, rb, b);
        p |= u64::from(l) << (4 * c);
    }
    p
}

/// The level comparison `cmp` gives record `a` of `ra` and record `b` of `rb`.
pub fn level(cmp: &Comparison, ra: &Records, a: usize, rb: &Records, b: usize) -> u8 {
    let f = cmp.field;
    let (x, y) = (ra.text(f, a), rb.text(f, b));
    if x.is_empty() || y.is_empty() {
        return NULL;
    }
    // Each measure is computed at most once per pair, however many levels use it.
    let mut jw: Option<f64> = None;
    let mut dl: Option<Option<usize>> = None;
    let mut dates = None;
    let mut date = || *dates.get_or_insert_with(|| (ra.date(f, a), rb.date(f, b)));
    for (l, level) in cmp.levels.iter().enumerate() {
        let hit = match *level {
            Level::Exact => match cmp.kind {
                ColumnKind::Date => {
                    let (p, q) = date();
                    p == q && p.year != 0 && p.month != 0 && p.day != 0
                }
                _ => x == y,
            },
            // This value is the other record's OTHER, and the two other values hold each
            // other's tokens or one the other's: swapped, the other column perhaps shortened.
            Level::Swapped(other) => {
                let (ox, oy) = (ra.text(other, a), rb.text(other, b));
                !ox.is_empty() && x == oy && (y == ox || token_subset(ra.sorted(other, a), rb.sorted(f, b)))
            }
            Level::SwappedTokens(other) => {
                let (ox, oy) = (ra.sorted(other, a), rb.sorted(other, b));
                let (sx, sy) = (ra.sorted(f, a), rb.sorted(f, b));
                !ox.is_empty() && !oy.is_empty() && token_subset(sx, oy) && token_subset(ox, sy)
            }
            Level::SameTokens => ra.sorted(f, a) == rb.sorted(f, b),
            Level::TokenSubset(side) => {
                let (sx, sy) = (ra.sorted(f, a), rb.sorted(f, b));
                token_subset(sx, sy) && (side == Shorter::Either || shorter_is(side, token_count(sx), token_count(sy)))
            }
            Level::LeadingTokens(side) => shorter_is(side, x.len(), y.len()) && leading_tokens(x, y),
            Level::TokensFuzzy(t) => tokens_fuzzy(x, y, t),
            Level::JaroWinkler(t) => *jw.get_or_insert_with(|| metrics::jaro_winkler(x, y)) >= t,
            Level::DamerauLevenshtein(k) => dl
                .get_or_insert_with(|| metrics::damerau_levenshtein_within(x, y, max_distance(cmp)))
                .is_some_and(|d| d <= k as usize),
            Level::Phonetic => phonetic_match(&ra.phonetic(f, a), &rb.phonetic(f, b)),
            Level::DayMonthSwapped => {
                let (p, q) = date();
                p.year != 0 && p.year == q.year && p.month != 0 && p.day != 0 && p.month == q.day && p.day == q.month
            }
            Level::YearMonth => {
                let (p, q) = date();
                p.year != 0 && p.year == q.year && p.month != 0 && p.month == q.month
            }
            Level::MonthDay => {
                let (p, q) = date();
                p.month != 0 && p.day != 0 && p.month == q.month && p.day == q.day
            }
            Level::Year => {
                let (p, q) = date();
                p.year != 0 && p.year == q.year
            }
            Level::PartialMatch => {
                let (p, q) = date();
                p.year != 0
                    && p.year == q.year
                    && (p.month == 0 || q.month == 0 || p.month == q.month)
                    && (p.day == 0 || q.day == 0 || p.day == q.day)
            }
            Level::YearsApart(n) => {
                let (p, q) = date();
                p.year != 0 && q.year != 0 && u32::from(p.year.abs_diff(q.year)) <= n
            }
        };
        if hit {
            return l as u8;
        }
    }
    cmp.levels.len() as u8
}

/// The largest edit distance any level of `cmp` asks about.
fn max_distance(cmp: &Comparison) -> usize {
    cmp.levels.iter().map(|l| if let Level::DamerauLevenshtein(k) = l { *k as usize } else { 0 }).max().unwrap_or(0)
}

/// Whether the codes share a non-empty code (primary or alternate of either side).
fn phonetic_match(p: &[u8; 8], q: &[u8; 8]) -> bool {
    let (p1, p2, q1, q2) = (&p[..4], &p[4..], &q[..4], &q[4..]);
    let some = |c: &[u8]| c[0] != 0;
    (some(p1) && (p1 == q1 || p1 == q2)) || (some(p2) && (p2 == q1 || p2 == q2))
}

/// Every token of the shorter sorted token list occurs in the longer (as a multiset).
fn token_subset(x: &str, y: &str) -> bool {
    let (short, long) = if token_count(x) <= token_count(y) { (x, y) } else { (y, x) };
    let mut long = tokens(long);
    'outer: for t in tokens(short) {
        for u in long.by_ref() {
            match u.cmp(t) {
                std::cmp::Ordering::Equal => continue 'outer,
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Greater => return false,
            }
        }
        return false;
    }
    true
}

/// Whether the value of `side` is the shorter, A's being `x` long and B's `y` (any for
/// [`Shorter::Either`]).
#[inline]
fn shorter_is(side: Shorter, x: usize, y: usize) -> bool {
    match side {
        Shorter::Either => true,
        Shorter::A => x < y,
        Shorter::B => y < x,
    }
}

/// Tokens in a normalized value (single spaces between tokens).
#[inline]
fn token_count(s: &str) -> usize {
    if s.is_empty() { 0 } else { 1 + s.bytes().filter(|&b| b == b' ').count() }
}

/// The shorter value is the start of the longer, ending where a token ends.
fn leading_tokens(x: &str, y: &str) -> bool {
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    long.starts_with(short) && long.as_bytes().get(short.len()).is_none_or(|&b| b == b' ')
}

/// Every token of the shorter value matches a distinct token of the longer with Jaro-Winkler
/// similarity at least `t` (greedy, best first per token).
fn tokens_fuzzy(x: &str, y: &str, t: f64) -> bool {
    let mut xs: [&str; 8] = [""; 8];
    let mut ys: [&str; 8] = [""; 8];
    let nx = fill(&mut xs, x);
    let ny = fill(&mut ys, y);
    let (short, long) = if nx <= ny { (&xs[..nx], &ys[..ny]) } else { (&ys[..ny], &xs[..nx]) };
    let mut used = [false; 8];
    for s in short {
        let mut best = None;
        let mut best_sim = t;
        for (k, l) in long.iter().enumerate() {
            if used[k] {
                continue;
            }
            let sim = if s == l { 1.0 } else { metrics::jaro_winkler(s, l) };
            if sim >= best_sim {
                best_sim = sim;
                best = Some(k);
                if sim == 1.0 {
                    break;
                }
            }
        }
        match best {
            Some(k) => used[k] = true,
            None => return false,
        }
    }
    true
}

/// The tokens of a value, exactly as `s.split(' ')` gives them, found by scanning bytes: names'
/// tokens are short, and a `memchr` call per token cost more than the scan.
pub(crate) fn tokens(s: &str) -> impl Iterator<Item = &str> {
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        match s.as_bytes()[from..].iter().position(|&b| b == b' ') {
            Some(k) => {
                start = Some(from + k + 1);
                Some(&s[from..from + k])
            }
            None => {
                start = None;
                Some(&s[from..])
            }
        }
    })
}

fn fill<'a>(slots: &mut [&'a str; 8], s: &'a str) -> usize {
    let mut n = 0;
    for t in tokens(s) {
        if n == slots.len() {
            break;
        }
        slots[n] = t;
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_are_multisets() {
        assert!(token_subset("garcia", "garcia lopez"));
        assert!(token_subset("garcia lopez", "garcia"));
        assert!(!token_subset("ana ana", "ana maria"));
        assert!(token_subset("ana ana", "ana ana maria"));
        assert!(!token_subset("zoe", "ana maria"));
    }

    #[test]
    fn leading_tokens_end_where_a_token_ends() {
        assert!(leading_tokens("wilson", "wilson alexander"));
        assert!(leading_tokens("maria del carmen", "maria"));
        assert!(leading_tokens("ana", "ana"));
        assert!(!leading_tokens("marlene", "josefina marlene"));
        assert!(!leading_tokens("ana", "anabel maria"));
        assert!(!leading_tokens("ana maria", "maria ana"));
    }

    #[test]
    fn tokens_are_those_of_split() {
        for s in ["", " ", "ana", "ana maria", " ana", "ana ", "ana  maria", "josé maría", "a b c d e f g h i"] {
            assert_eq!(tokens(s).collect::<Vec<_>>(), s.split(' ').collect::<Vec<_>>(), "{s:?}");
        }
    }

    #[test]
    fn patterns_pack_four_bits_each() {
        let p: Pattern = 3 | (NULL as u64) << 4 | 1 << 8;
        assert_eq!((level_of(p, 0), level_of(p, 1), level_of(p, 2)), (3, NULL, 1));
    }
}
