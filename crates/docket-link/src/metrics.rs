//! String measures for comparing normalized values: Jaro and Jaro–Winkler similarity,
//! Levenshtein and (unrestricted) Damerau–Levenshtein distance, and token-set matching for
//! names of several parts.
//!
//! These run once per candidate pair, tens of millions of times, so the string functions
//! take a fast path when both inputs are ASCII and short (64 bytes for Jaro and Levenshtein,
//! 30 for Damerau–Levenshtein): byte slices, bit masks and fixed buffers on the stack, no
//! allocation. Other inputs are decoded into `char` vectors and go through the generic
//! `*_slice` functions, which are public so that callers holding decoded text can use them
//! and so that tests can check that both paths agree.
//!
//! # Units and empty strings
//!
//! Lengths, distances and prefixes count Unicode scalar values (`char`s), not bytes. Two
//! empty strings are identical: similarity 1.0, distance 0. One empty string against a
//! non-empty one has similarity 0.0. The pipeline is expected to treat empty values as
//! missing before it calls these; the definitions only keep the measures total.
//!
//! # Compatibility with DuckDB (and so with Splink)
//!
//! [`jaro`], [`jaro_winkler`] and [`damerau_levenshtein`] compute what DuckDB's
//! `jaro_similarity`, `jaro_winkler_similarity` and `damerau_levenshtein` compute on ASCII
//! text, to the last bit for Jaro and Jaro–Winkler (the same matching window
//! `max(|a|,|b|)/2 − 1`, the same greedy matching, the same order of floating-point
//! operations). The differences:
//!
//! - DuckDB works on UTF-8 bytes, these functions on `char`s, so on non-ASCII text the
//!   results differ (`é` is two bytes to DuckDB, one character here). Folded text
//!   ([`crate::normalize::fold`]) is mostly ASCII, where the two agree.
//! - DuckDB returns 0.0 for the Jaro similarity of two empty strings; these return 1.0.
//! - DuckDB's Jaro–Winkler (from the vendored `rapidfuzz` library) adds the Winkler prefix
//!   bonus only when the Jaro similarity is above 0.7, as Winkler's original did. So does
//!   [`jaro_winkler`]. A bonus applied always is available through
//!   [`jaro_winkler_with`] and [`WinklerBoost::ALWAYS`].

// ---------------------------------------------------------------------------------------------
// Jaro and Jaro-Winkler
// ---------------------------------------------------------------------------------------------

/// How the Winkler prefix bonus is applied: `jw = j + p·s·(1 − j)` when `j > threshold`,
/// where `j` is the Jaro similarity, `p` the length of the common prefix capped at
/// `max_prefix`, and `s` the `prefix_scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WinklerBoost {
    /// The weight of each common prefix character (Winkler's 0.1; at most `1/max_prefix`).
    pub prefix_scale: f64,
    /// The longest prefix that counts (Winkler's 4).
    pub max_prefix: usize,
    /// The bonus applies only when the Jaro similarity is strictly above this.
    pub threshold: f64,
}

impl WinklerBoost {
    /// Winkler's parameters as DuckDB applies them: scale 0.1, prefix up to 4, bonus only
    /// above a Jaro similarity of 0.7.
    pub const DUCKDB: WinklerBoost = WinklerBoost { prefix_scale: 0.1, max_prefix: 4, threshold: 0.7 };

    /// Scale 0.1, prefix up to 4, bonus whatever the Jaro similarity (as many textbook
    /// implementations do).
    pub const ALWAYS: WinklerBoost = WinklerBoost { prefix_scale: 0.1, max_prefix: 4, threshold: f64::NEG_INFINITY };

    fn apply(&self, jaro: f64, prefix: usize) -> f64 {
        if jaro > self.threshold {
            let bonus = prefix as f64 * self.prefix_scale;
            (jaro + bonus * (1.0 - jaro)).min(1.0)
        } else {
            jaro
        }
    }
}

impl Default for WinklerBoost {
    fn default() -> Self {
        WinklerBoost::DUCKDB
    }
}

/// Jaro similarity in `[0, 1]`: 1.0 for identical strings, 0.0 when no character matches.
///
/// ```
/// use docket_link::metrics::jaro;
/// assert_eq!(format!("{:.4}", jaro("MARTHA", "MARHTA")), "0.9444");
/// ```
pub fn jaro(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() && a.len() <= 64 && b.len() <= 64 {
        jaro_ascii(a.as_bytes(), b.as_bytes())
    } else {
        let (a, b) = (chars(a), chars(b));
        jaro_slice(&a, &b)
    }
}

/// Jaro–Winkler similarity with DuckDB's parameters ([`WinklerBoost::DUCKDB`]).
///
/// ```
/// use docket_link::metrics::jaro_winkler;
/// assert_eq!(format!("{:.4}", jaro_winkler("MARTHA", "MARHTA")), "0.9611");
/// assert_eq!(format!("{:.4}", jaro_winkler("DIXON", "DICKSONX")), "0.8133");
/// ```
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    jaro_winkler_with(a, b, &WinklerBoost::DUCKDB)
}

/// Jaro–Winkler similarity with the given prefix bonus.
pub fn jaro_winkler_with(a: &str, b: &str, boost: &WinklerBoost) -> f64 {
    if a.is_ascii() && b.is_ascii() && a.len() <= 64 && b.len() <= 64 {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        boost.apply(jaro_ascii(a, b), common_prefix(a, b, boost.max_prefix))
    } else {
        let (a, b) = (chars(a), chars(b));
        jaro_winkler_slice(&a, &b, boost)
    }
}

/// Jaro similarity of two sequences: the generic path, used for non-ASCII and long text.
pub fn jaro_slice<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() { 1.0 } else { 0.0 };
    }
    let bound = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_used = vec![false; a.len()];
    let mut b_used = vec![false; b.len()];
    let mut common = 0usize;
    // As DuckDB: each character of `b` in turn takes the first unused equal character of `a`
    // within the window.
    for (j, cb) in b.iter().enumerate() {
        let lo = j.saturating_sub(bound);
        let hi = (j + bound + 1).min(a.len());
        for i in lo..hi {
            if !a_used[i] && a[i] == *cb {
                a_used[i] = true;
                b_used[j] = true;
                common += 1;
                break;
            }
        }
    }
    if common == 0 {
        return 0.0;
    }
    let matched_a = a.iter().zip(&a_used).filter(|(_, u)| **u).map(|(c, _)| c);
    let matched_b = b.iter().zip(&b_used).filter(|(_, u)| **u).map(|(c, _)| c);
    let transpositions = matched_a.zip(matched_b).filter(|(x, y)| x != y).count();
    jaro_formula(a.len(), b.len(), common, transpositions)
}

/// Jaro–Winkler similarity of two sequences: the generic path.
pub fn jaro_winkler_slice<T: PartialEq>(a: &[T], b: &[T], boost: &WinklerBoost) -> f64 {
    boost.apply(jaro_slice(a, b), common_prefix(a, b, boost.max_prefix))
}

/// The fast path: both strings ASCII and at most 64 bytes, matches kept as bit masks.
fn jaro_ascii(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() { 1.0 } else { 0.0 };
    }
    let bound = (a.len().max(b.len()) / 2).saturating_sub(1);
    // Where each byte occurs in `a`: a character of `b` takes the lowest unused position of
    // its byte within the window in one step, as the scan of the generic path would.
    let mut at = [0u64; 128];
    for (i, &c) in a.iter().enumerate() {
        at[usize::from(c & 0x7f)] |= 1 << i;
    }
    let below = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut a_flags = 0u64;
    let mut b_flags = 0u64;
    for (j, &cb) in b.iter().enumerate() {
        let lo = j.saturating_sub(bound);
        let hi = (j + bound + 1).min(a.len());
        let free = at[usize::from(cb & 0x7f)] & below(hi) & !below(lo) & !a_flags;
        if free != 0 {
            a_flags |= free & free.wrapping_neg();
            b_flags |= 1 << j;
        }
    }
    let common = a_flags.count_ones() as usize;
    if common == 0 {
        return 0.0;
    }
    let mut transpositions = 0;
    while b_flags != 0 {
        let (i, j) = (a_flags.trailing_zeros() as usize, b_flags.trailing_zeros() as usize);
        if a[i] != b[j] {
            transpositions += 1;
        }
        a_flags &= a_flags - 1;
        b_flags &= b_flags - 1;
    }
    jaro_formula(a.len(), b.len(), common, transpositions)
}

/// Jaro's formula, with DuckDB's order of operations so that results agree to the bit.
fn jaro_formula(len_a: usize, len_b: usize, common: usize, transpositions: usize) -> f64 {
    let m = common as f64;
    let t = (transpositions / 2) as f64;
    let mut sim = m / len_a as f64;
    sim += m / len_b as f64;
    sim += (m - t) / m;
    sim / 3.0
}

fn common_prefix<T: PartialEq>(a: &[T], b: &[T], max: usize) -> usize {
    a.iter().zip(b).take(max).take_while(|(x, y)| x == y).count()
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

// ---------------------------------------------------------------------------------------------
// Levenshtein
// ---------------------------------------------------------------------------------------------

/// Levenshtein distance: the fewest insertions, deletions and substitutions turning `a` into
/// `b`.
///
/// ```
/// assert_eq!(docket_link::metrics::levenshtein("kitten", "sitting"), 3);
/// ```
pub fn levenshtein(a: &str, b: &str) -> usize {
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        if short.is_empty() {
            return long.len();
        }
        if short.len() <= 64 {
            return levenshtein_bits(short, long);
        }
        return levenshtein_slice(a, b);
    }
    levenshtein_slice(&chars(a), &chars(b))
}

/// Levenshtein distance of two sequences: the generic path (one row of dynamic programming).
pub fn levenshtein_slice<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// The fast path: the bit-parallel algorithm of Myers (1999) in Hyyrö's formulation for
/// edit distance, the pattern (`short`, 1 to 64 ASCII bytes) held in one machine word.
fn levenshtein_bits(short: &[u8], long: &[u8]) -> usize {
    let mut peq = [0u64; 128];
    for (i, &c) in short.iter().enumerate() {
        peq[usize::from(c & 0x7f)] |= 1 << i;
    }
    let last = 1u64 << (short.len() - 1);
    let mut pv = u64::MAX;
    let mut mv = 0u64;
    let mut score = short.len();
    for &c in long {
        let eq = peq[usize::from(c & 0x7f)];
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let ph = mv | !(xh | pv);
        let mh = pv & xh;
        if ph & last != 0 {
            score += 1;
        } else if mh & last != 0 {
            score -= 1;
        }
        // The top row grows by one per column: a horizontal +1 enters at the bottom bit.
        let ph = (ph << 1) | 1;
        let mh = mh << 1;
        pv = mh | !(xv | ph);
        mv = ph & xv;
    }
    score
}

// ---------------------------------------------------------------------------------------------
// Damerau-Levenshtein
// ---------------------------------------------------------------------------------------------

/// The longest ASCII strings the stack-buffer path of Damerau–Levenshtein takes.
const DL_FAST_MAX: usize = 30;
/// Strings up to this long take the smallest table.
const DL_SHORT_MAX: usize = 14;

/// Unrestricted Damerau–Levenshtein distance: the fewest insertions, deletions,
/// substitutions and transpositions of adjacent characters, where a transposed pair may be
/// edited again (`ca` → `abc` is 2; the restricted "optimal string alignment" distance
/// would say 3). This is DuckDB's `damerau_levenshtein` (Lowrance–Wagner).
///
/// ```
/// use docket_link::metrics::damerau_levenshtein;
/// assert_eq!(damerau_levenshtein("ca", "abc"), 2);
/// assert_eq!(damerau_levenshtein("19151311", "19151113"), 2);
/// ```
pub fn damerau_levenshtein(a: &str, b: &str) -> usize {
    dl(a, b, usize::MAX)
}

/// The Damerau–Levenshtein distance if it is at most `max`, else `None`. For `max` of 0 or
/// 1 (the commonest question) it answers in one pass without a table; otherwise it stops as
/// soon as the answer is known to exceed `max` (the length difference alone, or a row of the
/// table whose every cell exceeds it).
///
/// ```
/// use docket_link::metrics::damerau_levenshtein_within;
/// assert_eq!(damerau_levenshtein_within("smith", "smtih", 1), Some(1));
/// assert_eq!(damerau_levenshtein_within("smith", "smythe", 1), None);
/// ```
pub fn damerau_levenshtein_within(a: &str, b: &str, max: usize) -> Option<usize> {
    if max <= 1 {
        let one = if a.is_ascii() && b.is_ascii() {
            dl_at_most_one(a.as_bytes(), b.as_bytes())
        } else {
            dl_at_most_one(&chars(a), &chars(b))
        };
        return one.filter(|&d| d <= max);
    }
    let d = dl(a, b, max);
    (d <= max).then_some(d)
}

/// A lower bound of the edit distance of two byte strings: the bytes of one that the other
/// lacks (counted as multisets), whichever side lacks more. A substitution, insertion or
/// deletion changes each side's surplus by at most one and a transposition by none. Two
/// different document numbers usually differ in four or five digits' counts, so the table is
/// seldom needed.
fn unmatched_bytes(a: &[u8], b: &[u8]) -> usize {
    if a.len() > 64 || b.len() > 64 {
        return 0;
    }
    let mut count = [0i8; 128];
    for &c in a {
        count[usize::from(c & 0x7f)] += 1;
    }
    for &c in b {
        count[usize::from(c & 0x7f)] -= 1;
    }
    let (mut more_a, mut more_b) = (0usize, 0usize);
    for &c in a {
        let k = &mut count[usize::from(c & 0x7f)];
        more_a += (*k).max(0) as usize;
        *k = (*k).min(0);
    }
    for &c in b {
        let k = &mut count[usize::from(c & 0x7f)];
        more_b += k.unsigned_abs() as usize;
        *k = 0;
    }
    more_a.max(more_b)
}

/// Unrestricted Damerau–Levenshtein distance of two sequences: the generic path. Symbols are
/// numbered by sorting, so `T` must be ordered.
pub fn damerau_levenshtein_slice<T: Ord + Copy>(a: &[T], b: &[T]) -> usize {
    dl_slice(a, b, usize::MAX)
}

/// Returns the distance, or some value above `max` once it is known to exceed `max`.
fn dl(a: &str, b: &str, max: usize) -> usize {
    if a == b {
        return 0;
    }
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if max < a.len().max(b.len()) && unmatched_bytes(a, b) > max {
            return max + 1;
        }
        if a.len() <= DL_SHORT_MAX && b.len() <= DL_SHORT_MAX {
            // Dates, document and identity numbers: a table a quarter the size to clear.
            return dl_ascii::<{ (DL_SHORT_MAX + 2) * (DL_SHORT_MAX + 2) }>(a, b, max);
        }
        if a.len() <= DL_FAST_MAX && b.len() <= DL_FAST_MAX {
            return dl_ascii::<{ (DL_FAST_MAX + 2) * (DL_FAST_MAX + 2) }>(a, b, max);
        }
        return dl_slice(a, b, max);
    }
    dl_slice(&chars(a), &chars(b), max)
}

/// The fast path: ASCII strings short enough for a table of `CELLS` bytes on the stack.
fn dl_ascii<const CELLS: usize>(a: &[u8], b: &[u8], max: usize) -> usize {
    let mut da = [0u8; 128];
    let mut table = [0u8; CELLS];
    dl_core(a, b, |c| usize::from(c & 0x7f), &mut da, &mut table, max)
}

fn dl_slice<T: Ord + Copy>(a: &[T], b: &[T], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max.saturating_add(1);
    }
    // Number the symbols densely so that "last row where this symbol was seen" is an array.
    let mut alphabet: Vec<T> = a.iter().chain(b).copied().collect();
    alphabet.sort_unstable();
    alphabet.dedup();
    let number = |c: &T| alphabet.binary_search(c).unwrap_or(0);
    let a: Vec<usize> = a.iter().map(number).collect();
    let b: Vec<usize> = b.iter().map(number).collect();
    let mut da = vec![0u32; alphabet.len()];
    let mut table = vec![0u32; (a.len() + 2) * (b.len() + 2)];
    dl_core(&a, &b, |c| c, &mut da, &mut table, max)
}

/// A cell of the Damerau–Levenshtein table: `u8` on the fast path (strings of at most 30, so
/// every value stays below 128), `u32` otherwise.
trait Cell: Copy {
    fn new(v: usize) -> Self;
    fn get(self) -> usize;
}

impl Cell for u8 {
    fn new(v: usize) -> Self {
        // INVARIANT: only used for strings of at most `DL_FAST_MAX` (30) characters, where
        // every value stored is at most |a|+|b| ≤ 60.
        v as u8
    }
    fn get(self) -> usize {
        usize::from(self)
    }
}

impl Cell for u32 {
    fn new(v: usize) -> Self {
        // Saturates rather than wraps for absurdly long strings: the distance is then a lower
        // bound, never a wrong small number.
        u32::try_from(v).unwrap_or(u32::MAX)
    }
    fn get(self) -> usize {
        self as usize
    }
}

/// Lowrance and Wagner's algorithm for the unrestricted Damerau–Levenshtein distance.
///
/// `table` holds `(|a|+2) × (|b|+2)` cells: row and column 0 stand for index −1 and hold the
/// "infinite" `|a|+|b|`, row and column 1 for the empty prefixes. `da[symbol]` is the last row
/// (1-based) whose character of `a` was `symbol`.
fn dl_core<S: Copy + PartialEq, C: Cell>(
    a: &[S],
    b: &[S],
    symbol: impl Fn(S) -> usize,
    da: &mut [C],
    table: &mut [C],
    max: usize,
) -> usize {
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > max {
        return max.saturating_add(1);
    }
    if la == 0 || lb == 0 {
        return la.max(lb);
    }
    let w = lb + 2;
    let infinite = C::new(la + lb);
    table[0] = infinite;
    for i in 0..=la {
        table[(i + 1) * w] = infinite;
        table[(i + 1) * w + 1] = C::new(i);
    }
    for j in 0..=lb {
        table[j + 1] = infinite;
        table[w + j + 1] = C::new(j);
    }
    da.iter_mut().for_each(|d| *d = C::new(0));
    for (i, &ca) in (1..=la).zip(a) {
        let (done, rest) = table.split_at_mut((i + 1) * w);
        let prev = &done[i * w..];
        let row = &mut rest[..w];
        // The last column (1-based) in this row where `b` matched `ca`.
        let mut db = 0;
        let mut row_min = i;
        for (j, &cb) in (1..=lb).zip(b) {
            let d = if ca == cb {
                // Equal characters: the diagonal is never beaten, by a transposition either
                // (what lies between the two occurrences costs at least as much to edit).
                db = j;
                prev[j].get()
            } else {
                let mut d = prev[j].get().min(row[j].get()).min(prev[j + 1].get()) + 1;
                let (k, l) = (da[symbol(cb)].get(), db);
                if k > 0 && l > 0 {
                    // Transpose after deleting what lies between: rows k+1..i-1 and columns
                    // l+1..j-1.
                    d = d.min(done[k * w + l].get() + (i - k - 1) + 1 + (j - l - 1));
                }
                d
            };
            row[j + 1] = C::new(d);
            row_min = row_min.min(d);
        }
        da[symbol(ca)] = C::new(i);
        // Row minima never decrease (every cell derives from a cell of an earlier row at no
        // lower cost), so once a whole row exceeds `max` the distance does too.
        if row_min > max {
            return max.saturating_add(1);
        }
    }
    table[(la + 1) * w + lb + 1].get()
}

/// Whether the Damerau–Levenshtein distance is 0 or 1, in one pass: equal, or one
/// substitution, insertion, deletion or transposition of neighbours apart.
fn dl_at_most_one<T: PartialEq>(a: &[T], b: &[T]) -> Option<usize> {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let i = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if i == long.len() {
        return Some(0);
    }
    let one = match long.len() - short.len() {
        0 => {
            short[i + 1..] == long[i + 1..]
                || (i + 1 < short.len()
                    && short[i] == long[i + 1]
                    && short[i + 1] == long[i]
                    && short[i + 2..] == long[i + 2..])
        }
        1 => short[i..] == long[i + 1..],
        _ => false,
    };
    one.then_some(1)
}

// ---------------------------------------------------------------------------------------------
// Token-set matching
// ---------------------------------------------------------------------------------------------

/// How the tokens of two multi-part names correspond, computed by [`TokenMatcher::compare`]
/// or [`token_match`].
///
/// The tokens of the *shorter* name (fewer tokens; the first argument on a tie) are matched
/// one-to-one to distinct tokens of the longer name, so a token is never used twice. Three
/// assignments are made independently, each the best possible:
///
/// - `exact`: the most tokens matched by equal spelling;
/// - `fuzzy`: the most tokens matched by equal spelling or a Jaro–Winkler similarity of at
///   least the matcher's threshold;
/// - `best_avg_jw`: the highest total Jaro–Winkler similarity, divided by the number of
///   tokens of the shorter name.
///
/// This is what comparison levels are built on:
///
/// | situation | shows as |
/// | --- | --- |
/// | same parts in another order (`Ali Hassan` / `Hassan Ali`) | [`same_tokens`](Self::same_tokens) |
/// | a part dropped or added (second surname, middle name) | [`all_of_shorter_exact`](Self::all_of_shorter_exact) with `shorter < longer` |
/// | the same, with a typo or variant spelling in a part | [`all_of_shorter_fuzzy`](Self::all_of_shorter_fuzzy) |
/// | some part shared | [`any_exact`](Self::any_exact) |
/// | overall closeness | `best_avg_jw` |
///
/// When either name has no tokens, every count is 0, `best_avg_jw` is 0.0, and every
/// predicate is false: an empty name is missing, not a subset of everything. Tokens are
/// expected to be non-empty (as [`crate::normalize::NameRules`] makes them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenMatch {
    /// Tokens in the shorter name.
    pub shorter: usize,
    /// Tokens in the longer name.
    pub longer: usize,
    /// Tokens of the shorter name matched exactly (one-to-one).
    pub exact: usize,
    /// Tokens of the shorter name matched exactly or fuzzily (one-to-one).
    pub fuzzy: usize,
    /// The best one-to-one total Jaro–Winkler similarity over the tokens of the shorter name,
    /// divided by their number.
    pub best_avg_jw: f64,
}

impl TokenMatch {
    /// Every token of the shorter name equals a distinct token of the longer one.
    pub fn all_of_shorter_exact(&self) -> bool {
        self.shorter > 0 && self.exact == self.shorter
    }

    /// Every token of the shorter name equals or closely resembles a distinct token of the
    /// longer one.
    pub fn all_of_shorter_fuzzy(&self) -> bool {
        self.shorter > 0 && self.fuzzy == self.shorter
    }

    /// At least one token appears in both names.
    pub fn any_exact(&self) -> bool {
        self.exact > 0
    }

    /// Both names have the same tokens, perhaps in another order.
    pub fn same_tokens(&self) -> bool {
        self.all_of_shorter_exact() && self.shorter == self.longer
    }
}

/// Settings for [`TokenMatcher::compare`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenMatcher {
    /// The Jaro–Winkler similarity at or above which two tokens count as a fuzzy match.
    pub fuzzy_threshold: f64,
    /// The Winkler bonus used for token similarities.
    pub boost: WinklerBoost,
}

impl Default for TokenMatcher {
    /// A fuzzy threshold of 0.9 with DuckDB's Winkler bonus.
    fn default() -> Self {
        TokenMatcher { fuzzy_threshold: 0.9, boost: WinklerBoost::DUCKDB }
    }
}

/// The most tokens on the longer side for which the assignments are exact (a search over
/// subsets of the longer name's tokens, 2^8 states at most); beyond it they are greedy.
const TOKENS_EXACT_MAX: usize = 8;

impl TokenMatcher {
    /// Matches the tokens of two names: see [`TokenMatch`].
    ///
    /// ```
    /// use docket_link::metrics::TokenMatcher;
    /// let m = TokenMatcher::default().compare(&["maria", "garcia"], &["maria", "garsia", "lopez"]);
    /// assert_eq!((m.exact, m.fuzzy), (1, 2));
    /// assert!(m.all_of_shorter_fuzzy() && !m.all_of_shorter_exact());
    /// ```
    pub fn compare<S: AsRef<str>>(&self, a: &[S], b: &[S]) -> TokenMatch {
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        let (ns, nl) = (short.len(), long.len());
        if ns == 0 {
            return TokenMatch { shorter: 0, longer: nl, exact: 0, fuzzy: 0, best_avg_jw: 0.0 };
        }
        let exact = exact_matches(short, long);
        let similarity = |i: usize, j: usize| jaro_winkler_with(short[i].as_ref(), long[j].as_ref(), &self.boost);
        let (fuzzy, total) = if nl <= TOKENS_EXACT_MAX {
            let mut jw = [[0.0f64; TOKENS_EXACT_MAX]; TOKENS_EXACT_MAX];
            for (i, row) in jw.iter_mut().enumerate().take(ns) {
                for (j, cell) in row.iter_mut().enumerate().take(nl) {
                    *cell = similarity(i, j);
                }
            }
            let close = |i: usize, j: usize| jw[i][j] >= self.fuzzy_threshold || short[i].as_ref() == long[j].as_ref();
            let fuzzy = best_assignment(ns, nl, |i, j| if close(i, j) { 1.0 } else { 0.0 });
            (fuzzy.round() as usize, best_assignment(ns, nl, |i, j| jw[i][j]))
        } else {
            let mut pairs: Vec<(f64, usize, usize)> =
                (0..ns).flat_map(|i| (0..nl).map(move |j| (i, j))).map(|(i, j)| (similarity(i, j), i, j)).collect();
            pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
            let (mut used_s, mut used_l) = (vec![false; ns], vec![false; nl]);
            let (mut fuzzy, mut total) = (0, 0.0);
            for (s, i, j) in pairs {
                if !used_s[i] && !used_l[j] {
                    used_s[i] = true;
                    used_l[j] = true;
                    total += s;
                    fuzzy += usize::from(s >= self.fuzzy_threshold || short[i].as_ref() == long[j].as_ref());
                }
            }
            (fuzzy, total)
        };
        TokenMatch { shorter: ns, longer: nl, exact, fuzzy, best_avg_jw: total / ns as f64 }
    }
}

/// [`TokenMatcher::compare`] with the default settings (fuzzy at Jaro–Winkler ≥ 0.9).
pub fn token_match<S: AsRef<str>>(a: &[S], b: &[S]) -> TokenMatch {
    TokenMatcher::default().compare(a, b)
}

/// The size of the multiset intersection: greedy is optimal because equality is transitive.
fn exact_matches<S: AsRef<str>>(short: &[S], long: &[S]) -> usize {
    let mut on_stack = [false; TOKENS_EXACT_MAX];
    let mut on_heap = Vec::new();
    let used: &mut [bool] = if long.len() <= TOKENS_EXACT_MAX {
        &mut on_stack[..long.len()]
    } else {
        on_heap.resize(long.len(), false);
        &mut on_heap
    };
    short
        .iter()
        .filter(|s| {
            let hit = long.iter().zip(used.iter_mut()).find(|(l, u)| !**u && l.as_ref() == s.as_ref());
            hit.map(|(_, u)| *u = true).is_some()
        })
        .count()
}

/// The largest total weight of an assignment of each of `ns` tokens to a distinct one of
/// `nl ≤ 8` tokens, by dynamic programming over the subsets of the longer side: the subset
/// already used determines how many of the shorter side are placed.
fn best_assignment(ns: usize, nl: usize, weight: impl Fn(usize, usize) -> f64) -> f64 {
    let mut best = [f64::NEG_INFINITY; 1 << TOKENS_EXACT_MAX];
    best[0] = 0.0;
    let mut answer = f64::NEG_INFINITY;
    for used in 0..(1usize << nl) {
        let placed = used.count_ones() as usize;
        let value = best[used];
        if value == f64::NEG_INFINITY {
            continue;
        }
        if placed == ns {
            answer = answer.max(value);
            continue;
        }
        for j in (0..nl).filter(|j| used & (1 << j) == 0) {
            let next = used | (1 << j);
            best[next] = best[next].max(value + weight(placed, j));
        }
    }
    answer.max(0.0)
}
