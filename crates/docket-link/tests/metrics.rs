//! String measures against data files (`tests/data/{jaro_winkler,damerau,levenshtein,token_match}.tsv`)
//! and a few behaviours the tables cannot show.

mod common;

use docket_link::metrics::{
    TokenMatcher, WinklerBoost, damerau_levenshtein, damerau_levenshtein_within, jaro, jaro_winkler, jaro_winkler_with,
    levenshtein, token_match,
};

#[test]
fn jaro_and_jaro_winkler() {
    common::check_table("jaro_winkler.tsv", 2, 35, |a| {
        format!("{:.4}\t{:.4}", jaro(&a[0], &a[1]), jaro_winkler(&a[0], &a[1]))
    });
}

#[test]
fn damerau_levenshtein_distances() {
    common::check_table("damerau.tsv", 2, 50, |a| {
        let d = damerau_levenshtein(&a[0], &a[1]);
        // The bounded form must agree at the distance and refuse just below it.
        assert_eq!(damerau_levenshtein_within(&a[0], &a[1], d), Some(d), "{a:?}");
        if d > 0 {
            assert_eq!(damerau_levenshtein_within(&a[0], &a[1], d - 1), None, "{a:?}");
        }
        d.to_string()
    });
}

#[test]
fn levenshtein_distances() {
    common::check_table("levenshtein.tsv", 2, 15, |a| levenshtein(&a[0], &a[1]).to_string());
}

#[test]
fn token_matching() {
    common::check_table("token_match.tsv", 2, 11, |a| {
        let split = |s: &str| s.split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        let m = token_match(&split(&a[0]), &split(&a[1]));
        format!(
            "shorter={} longer={} exact={} fuzzy={} avg={:.4}",
            m.shorter, m.longer, m.exact, m.fuzzy, m.best_avg_jw
        )
    });
}

#[test]
fn the_winkler_bonus_can_apply_at_any_jaro() {
    // abcdef/abxxxx: Jaro 0.5556, prefix 2.
    let always = jaro_winkler_with("abcdef", "abxxxx", &WinklerBoost::ALWAYS);
    assert_eq!(format!("{always:.4}"), "0.6444");
    assert_eq!(format!("{:.4}", jaro_winkler("abcdef", "abxxxx")), "0.5556");
    assert_eq!(WinklerBoost::default(), WinklerBoost::DUCKDB);
}

#[test]
fn token_match_predicates() {
    let reordered = token_match(&["ali", "hassan"], &["hassan", "ali"]);
    assert!(reordered.same_tokens() && reordered.all_of_shorter_exact() && reordered.any_exact());

    let subset = token_match(&["maria", "garcia"], &["maria", "garcia", "lopez"]);
    assert!(subset.all_of_shorter_exact() && !subset.same_tokens());

    let typo = token_match(&["maria", "garcia"], &["maria", "garsia", "lopez"]);
    assert!(typo.all_of_shorter_fuzzy() && !typo.all_of_shorter_exact() && typo.any_exact());

    let strict = TokenMatcher { fuzzy_threshold: 0.95, ..TokenMatcher::default() };
    assert!(!strict.compare(&["maria", "garcia"], &["maria", "garsia", "lopez"]).all_of_shorter_fuzzy());

    let empty: [&str; 0] = [];
    let missing = token_match(&empty, &["ali"]);
    assert!(!missing.all_of_shorter_exact() && !missing.all_of_shorter_fuzzy() && !missing.any_exact());
}

#[test]
fn token_match_beyond_eight_tokens_is_greedy_but_sound() {
    let a: Vec<String> = (0..10).map(|i| format!("name{i}")).collect();
    let mut b = a.clone();
    b.reverse();
    let m = token_match(&a, &b);
    assert_eq!((m.shorter, m.longer, m.exact, m.fuzzy), (10, 10, 10, 10));
    assert!((m.best_avg_jw - 1.0).abs() < 1e-12);
}
