//! Property tests of the invariants the comparison levels rely on: the measures are
//! symmetric and bounded, the distances are metrics and agree with a brute-force search, the
//! fast ASCII paths agree with the generic ones, folding is idempotent, and nothing panics on
//! arbitrary text.

use std::collections::{HashSet, VecDeque};

use docket_link::metrics::{
    TokenMatcher, WinklerBoost, damerau_levenshtein, damerau_levenshtein_slice, damerau_levenshtein_within, jaro,
    jaro_slice, jaro_winkler, jaro_winkler_slice, levenshtein, levenshtein_slice, token_match,
};
use docket_link::normalize::{NameRules, fold, normalize_document, parse_date};
use docket_link::phonetic::double_metaphone;
use proptest::prelude::*;

/// Short strings over a small alphabet, so that matches, repeats and transpositions are
/// common.
fn small() -> impl Strategy<Value = String> {
    "[abcde]{0,12}"
}

/// Strings on both sides of the 64-byte fast-path limit.
fn long() -> impl Strategy<Value = String> {
    "[ab]{50,80}"
}

/// Any text, short.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..16).prop_map(|c| c.into_iter().collect())
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// The true edit distance by breadth-first search over edit sequences: insertions,
/// deletions and substitutions over `alphabet`, and adjacent transpositions when `swap`.
/// Unrestricted Damerau-Levenshtein is exactly the shortest such sequence (every edit
/// costs 1), so this is an oracle independent of any dynamic programming.
fn edit_distance_by_search(a: &str, b: &str, alphabet: &[char], swap: bool) -> usize {
    let limit = a.chars().count().max(b.chars().count()) + 2;
    let mut seen = HashSet::from([a.to_owned()]);
    let mut queue = VecDeque::from([(a.to_owned(), 0)]);
    while let Some((s, d)) = queue.pop_front() {
        if s == b {
            return d;
        }
        let c = chars(&s);
        let mut next = Vec::new();
        for i in 0..=c.len() {
            for &x in alphabet {
                if c.len() < limit {
                    let mut t = c.clone();
                    t.insert(i, x);
                    next.push(t);
                }
                if i < c.len() && c[i] != x {
                    let mut t = c.clone();
                    t[i] = x;
                    next.push(t);
                }
            }
            if i < c.len() {
                let mut t = c.clone();
                t.remove(i);
                next.push(t);
            }
            if swap && i + 1 < c.len() {
                let mut t = c.clone();
                t.swap(i, i + 1);
                next.push(t);
            }
        }
        for t in next {
            let t: String = t.into_iter().collect();
            if seen.insert(t.clone()) {
                queue.push_back((t, d + 1));
            }
        }
    }
    unreachable!("b is reachable from a")
}

/// The best one-to-one assignment of `short` into `long` by trying every injection.
fn best_by_search(short: &[String], long: &[String], weight: &dyn Fn(&str, &str) -> f64) -> f64 {
    fn go(i: usize, used: &mut Vec<bool>, short: &[String], long: &[String], w: &dyn Fn(&str, &str) -> f64) -> f64 {
        if i == short.len() {
            return 0.0;
        }
        let mut best = f64::NEG_INFINITY;
        for j in 0..long.len() {
            if !used[j] {
                used[j] = true;
                best = best.max(w(&short[i], &long[j]) + go(i + 1, used, short, long, w));
                used[j] = false;
            }
        }
        best
    }
    go(0, &mut vec![false; long.len()], short, long, weight)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn jaro_winkler_is_symmetric_bounded_and_one_only_for_equal_strings(a in small(), b in small()) {
        let (ab, ba) = (jaro_winkler(&a, &b), jaro_winkler(&b, &a));
        prop_assert_eq!(ab.to_bits(), ba.to_bits());
        prop_assert_eq!(jaro(&a, &b).to_bits(), jaro(&b, &a).to_bits());
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert!(jaro(&a, &b) <= ab);
        prop_assert_eq!(ab == 1.0, a == b);
    }

    #[test]
    fn jaro_winkler_on_any_text(a in text(), b in text()) {
        let ab = jaro_winkler(&a, &b);
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert_eq!(ab.to_bits(), jaro_winkler(&b, &a).to_bits());
        prop_assert_eq!(ab == 1.0, a == b);
    }

    #[test]
    fn jaro_ascii_fast_path_agrees_with_the_char_path(a in prop_oneof![small(), long()], b in prop_oneof![small(), long()]) {
        let (ca, cb) = (chars(&a), chars(&b));
        prop_assert_eq!(jaro(&a, &b).to_bits(), jaro_slice(&ca, &cb).to_bits());
        prop_assert_eq!(
            jaro_winkler(&a, &b).to_bits(),
            jaro_winkler_slice(&ca, &cb, &WinklerBoost::DUCKDB).to_bits()
        );
    }

    #[test]
    fn damerau_levenshtein_is_a_metric(a in small(), b in small(), c in small()) {
        let ab = damerau_levenshtein(&a, &b);
        prop_assert_eq!(ab, damerau_levenshtein(&b, &a));
        prop_assert_eq!(damerau_levenshtein(&a, &a), 0);
        prop_assert_eq!(ab == 0, a == b);
        prop_assert!(damerau_levenshtein(&a, &c) <= ab + damerau_levenshtein(&b, &c));
        prop_assert!(ab >= a.len().abs_diff(b.len()) && ab <= a.len().max(b.len()));
    }

    #[test]
    fn damerau_levenshtein_lies_between_half_levenshtein_and_levenshtein(a in small(), b in small()) {
        let (dl, lev) = (damerau_levenshtein(&a, &b), levenshtein(&a, &b));
        prop_assert!(dl <= lev && lev <= 2 * dl, "dl {} lev {}", dl, lev);
    }

    #[test]
    fn bounded_damerau_levenshtein_agrees_with_the_unbounded(a in prop_oneof![small(), long(), text()], b in prop_oneof![small(), long(), text()], max in 0usize..6) {
        let d = damerau_levenshtein(&a, &b);
        prop_assert_eq!(damerau_levenshtein_within(&a, &b, max), (d <= max).then_some(d));
    }

    #[test]
    fn edit_distance_fast_paths_agree_with_the_char_paths(a in prop_oneof![small(), long()], b in prop_oneof![small(), long()]) {
        let (ca, cb) = (chars(&a), chars(&b));
        prop_assert_eq!(levenshtein(&a, &b), levenshtein_slice(&ca, &cb));
        prop_assert_eq!(damerau_levenshtein(&a, &b), damerau_levenshtein_slice(&ca, &cb));
    }

    #[test]
    fn levenshtein_is_symmetric_on_any_text(a in text(), b in text()) {
        prop_assert_eq!(levenshtein(&a, &b), levenshtein(&b, &a));
        prop_assert_eq!(damerau_levenshtein(&a, &b), damerau_levenshtein(&b, &a));
    }

    #[test]
    fn fold_is_idempotent_and_tidy(s in text()) {
        let f = fold(&s);
        prop_assert_eq!(fold(&f), f.clone());
        prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
    }

    #[test]
    fn fold_ascii_fast_path_agrees_with_the_unicode_path(s in "[ -~]{0,24}") {
        // Appending a non-ASCII word sends the whole string down the Unicode path.
        let fast = fold(&s);
        let slow = fold(&format!("{s} é"));
        let expected = if fast.is_empty() { "e".to_owned() } else { format!("{fast} e") };
        prop_assert_eq!(slow, expected);
    }
}

proptest! {
    // The search oracles are slow: fewer, shorter cases.
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn damerau_levenshtein_equals_the_shortest_edit_sequence(a in "[abc]{0,4}", b in "[abc]{0,4}") {
        prop_assert_eq!(damerau_levenshtein(&a, &b), edit_distance_by_search(&a, &b, &['a', 'b', 'c'], true));
        prop_assert_eq!(levenshtein(&a, &b), edit_distance_by_search(&a, &b, &['a', 'b', 'c'], false));
    }

    #[test]
    fn token_match_assignments_are_optimal(
        a in proptest::collection::vec("[abcd]{1,5}", 0..5),
        b in proptest::collection::vec("[abcd]{1,5}", 0..5),
    ) {
        let matcher = TokenMatcher::default();
        let m = matcher.compare(&a, &b);
        let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
        prop_assert_eq!((m.shorter, m.longer), (short.len(), long.len()));
        if short.is_empty() {
            prop_assert_eq!((m.exact, m.fuzzy, m.best_avg_jw), (0, 0, 0.0));
        } else {
            let jw = |x: &str, y: &str| jaro_winkler(x, y);
            let exact = best_by_search(short, long, &|x, y| f64::from(u8::from(x == y)));
            let fuzzy = best_by_search(short, long, &|x, y| f64::from(u8::from(x == y || jw(x, y) >= matcher.fuzzy_threshold)));
            let total = best_by_search(short, long, &jw);
            prop_assert_eq!(m.exact as f64, exact);
            prop_assert_eq!(m.fuzzy as f64, fuzzy);
            prop_assert!((m.best_avg_jw - total / short.len() as f64).abs() < 1e-12);
        }
        let swapped = token_match(&b, &a);
        prop_assert_eq!((swapped.exact, swapped.fuzzy), (m.exact, m.fuzzy));
        prop_assert!((swapped.best_avg_jw - m.best_avg_jw).abs() < 1e-12);
    }
}

proptest! {
    #[test]
    fn normalization_never_panics_and_tokens_are_single_words(s in text()) {
        let rules = NameRules::builtin().expect("the shipped tables parse");
        let n = rules.normalize(&s);
        prop_assert!(n.tokens().iter().all(|t| !t.is_empty() && !t.contains(' ')));
        prop_assert!(n.tokens().len() <= n.folded().split(' ').filter(|w| !w.is_empty()).count());
        let doc = normalize_document(&s);
        prop_assert!(doc.chars().all(char::is_alphanumeric));
    }

    #[test]
    fn parse_date_never_panics_and_keeps_eight_digits(s in prop_oneof![text(), "[0-9X?/.-]{0,12}"]) {
        if let Some(d) = parse_date(&s) {
            prop_assert_eq!(d.digits().len(), 8);
            prop_assert!(d.digits().bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(d.month().is_none_or(|m| (1..=12).contains(&m)));
            prop_assert!(d.day().is_none_or(|x| (1..=31).contains(&x)));
        }
    }

    #[test]
    fn double_metaphone_never_panics_and_codes_are_short(s in prop_oneof![text(), "[A-Za-z '.-]{0,16}"]) {
        let (p, a) = double_metaphone(&s);
        for code in [&p, &a] {
            prop_assert!(code.len() <= 4);
            prop_assert!(code.bytes().all(|b| b.is_ascii_uppercase() || b == b'0'), "{:?}", code);
        }
        // The word is folded first, so spelling variants that fold alike encode alike. (The
        // alternate may be empty when the primary is not: a final J after a consonant, `Hj`,
        // adds J to the primary only.)
        prop_assert_eq!(double_metaphone(&fold(&s)), (p, a));
    }
}
