//! Comparison levels and the `first_tokens` blocking key on cases as data: a pair of records,
//! the level each name comparison reaches (`tests/data/levels.tsv`), and the date levels a
//! pair of dates reaches (`tests/data/date_levels.tsv`).

mod common;

use docket_link::block::key_hash;
use docket_link::compare;
use docket_link::settings::Settings;
use docket_link::table::Records;

const SETTINGS: &str = r#"
mode = "link"
id_column = "id"
[columns]
given = "name"
family = "name"
[joined]
full_name = ["given", "family"]
[blocking]
rules = [["first_tokens(full_name)"]]
[[comparison]]
name = "given"
columns = ["given"]
levels = ["exact", "swapped(family)", "swapped_tokens(family)", "leading_tokens", "token_subset", "jaro_winkler >= 0.88"]
[[comparison]]
name = "family"
columns = ["family"]
levels = ["exact", "swapped(given)", "swapped_tokens(given)", "leading_tokens", "token_subset", "jaro_winkler >= 0.88"]
"#;

#[test]
fn name_levels_and_the_first_tokens_key() {
    let settings = Settings::parse(SETTINGS, "levels test").expect("settings");
    common::check_table("levels.tsv", 4, 12, |v| {
        let csv = format!("id,given,family\na,{},{}\nb,{},{}\n", v[0], v[1], v[2], v[3]);
        let records = Records::from_readers(&settings, vec![("pair".into(), csv.as_bytes())]).expect("records");
        let pattern = compare::pattern(&settings, &records, 0, 1);
        let level = |c: usize| {
            let l = compare::level_of(pattern, c);
            if l == compare::NULL { "missing".to_owned() } else { settings.comparisons[c].level_label(usize::from(l)) }
        };
        let rule = &settings.rules[0];
        let same = key_hash(&records, rule, 0) == key_hash(&records, rule, 1);
        format!("given={} family={} key={}", level(0), level(1), if same { "same" } else { "other" })
    });
}

#[test]
fn first_tokens_needs_a_joined_value() {
    let text = SETTINGS.replace("first_tokens(full_name)", "first_tokens(given)");
    let err = Settings::parse(&text, "levels test").expect_err("first_tokens of one column");
    assert!(err.to_string().contains("`first_tokens` takes a [joined] value"), "{err}");
    let text = SETTINGS.replace("swapped_tokens(family)", "swapped_tokens(nowhere)");
    let err = Settings::parse(&text, "levels test").expect_err("an unknown column");
    assert!(err.to_string().contains("nowhere"), "{err}");
}

/// One comparison per date level, each with that level alone, all on one date column.
const DATE_LEVELS: &[(&str, &str)] = &[
    ("exact", "exact"),
    ("day_month_swapped", "day_month_swapped"),
    ("partial_match", "partial_match"),
    ("month_day", "month_day"),
    ("year_month", "year_month"),
    ("year", "year"),
    ("years_apart<=1", "years_apart <= 1"),
    ("years_apart<=3", "years_apart <= 3"),
    ("dl<=1", "damerau_levenshtein <= 1"),
];

/// One comparison per token level, each with that level alone, all on one name column.
const TOKEN_LEVELS: &[(&str, &str)] = &[
    ("token_subset", "token_subset"),
    ("token_subset(a)", "token_subset(a)"),
    ("token_subset(b)", "token_subset(b)"),
    ("leading_tokens", "leading_tokens"),
    ("leading_tokens(a)", "leading_tokens(a)"),
    ("leading_tokens(b)", "leading_tokens(b)"),
];

#[test]
fn date_levels() {
    each_level_alone("date", DATE_LEVELS, "date_levels.tsv", 20);
}

#[test]
fn token_levels() {
    each_level_alone("name", TOKEN_LEVELS, "token_levels.tsv", 10);
}

/// Checks `file`: two values of a column of `kind` (A's, then B's), then every one of `levels`
/// the pair reaches, each tested on its own (a comparison whose only level it is).
fn each_level_alone(kind: &str, levels: &[(&str, &str)], file: &str, cases: usize) {
    let mut text =
        format!("mode = \"link\"\nid_column = \"id\"\n[columns]\nv = \"{kind}\"\n[blocking]\nrules = [[\"v\"]]\n");
    for (name, level) in levels {
        text.push_str(&format!("[[comparison]]\nname = \"{name}\"\ncolumns = [\"v\"]\nlevels = [\"{level}\"]\n"));
    }
    let settings = Settings::parse(&text, "levels alone test").expect("settings");
    common::check_table(file, 2, cases, |v| {
        let csv = format!("id,v\na,{}\nb,{}\n", v[0], v[1]);
        let records = Records::from_readers(&settings, vec![("pair".into(), csv.as_bytes())]).expect("records");
        let pattern = compare::pattern(&settings, &records, 0, 1);
        let mut reached: Vec<&str> = (0..levels.len())
            .filter_map(|c| match compare::level_of(pattern, c) {
                compare::NULL => Some("missing"),
                0 => Some(levels[c].0),
                _ => None,
            })
            .collect();
        reached.dedup();
        if reached.is_empty() { "none".to_owned() } else { reached.join(" ") }
    });
}

#[test]
fn a_side_needs_two_tables() {
    let text = SETTINGS
        .replace("mode = \"link\"", "mode = \"dedupe\"")
        .replace("\"token_subset\", \"jaro", "\"token_subset(b)\", \"jaro");
    let err = Settings::parse(&text, "levels test").expect_err("a side in dedupe mode");
    assert!(err.to_string().contains("level 5 `token_subset(b)`: a side (a or b) needs two tables"), "{err}");
    let text = SETTINGS.replace("\"token_subset\", \"jaro", "\"token_subset(c)\", \"jaro");
    let err = Settings::parse(&text, "levels test").expect_err("no such side");
    assert!(err.to_string().contains("`token_subset(c)`"), "{err}");
}
