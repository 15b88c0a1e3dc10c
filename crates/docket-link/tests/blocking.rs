//! Blocking rules with a `tokens` key (one key per name token): a pair is a candidate when it
//! shares any token (with the rule's other keys), counted once however many it shares; the
//! union's rule masks say which rules found it; a common token's block is skipped and reported;
//! the one-record index finds the same candidates as the batch job.

use std::collections::{BTreeMap, BTreeSet};

use docket_link::block::{self, Candidates};
use docket_link::index::LinkIndex;
use docket_link::model::{ComparisonModel, FORMAT, FitReport, LevelModel, Model};
use docket_link::settings::Settings;
use docket_link::table::Records;
use proptest::prelude::*;

/// Rules: 0 any token of the full name and the date of birth (day and month in either order);
/// 1 the family name; 2 any given-name token, the year of birth and the nationality.
const SETTINGS: &str = r#"
mode = "link"
id_column = "id"
[columns]
given = "name"
family = "name"
born = "date"
nationality = "text"
[joined]
full_name = ["given", "family"]
[blocking]
max_block_pairs = 1000000
max_block_records = 1000000
rules = [
    ["tokens(full_name)", "unordered_date(born)"],
    ["family"],
    ["tokens(given)", "year(born)", "nationality"],
]
[[comparison]]
name = "given"
columns = ["given"]
levels = ["exact", "token_subset"]
[[comparison]]
name = "family"
columns = ["family"]
levels = ["exact"]
[[comparison]]
name = "born"
columns = ["born"]
levels = ["exact", "day_month_swapped"]
[[comparison]]
name = "nationality"
columns = ["nationality"]
levels = ["exact"]
"#;

/// `(given, family, born, nationality)`.
type Row = (String, String, String, String);

fn settings(max_block_pairs: u64) -> Settings {
    Settings::parse(
        &SETTINGS.replace("max_block_pairs = 1000000", &format!("max_block_pairs = {max_block_pairs}")),
        "blocking test",
    )
    .expect("settings")
}

fn csv_of(prefix: &str, rows: &[Row]) -> String {
    let mut text = String::from("id,given,family,born,nationality\n");
    for (k, (g, f, b, n)) in rows.iter().enumerate() {
        text.push_str(&format!("{prefix}{k},{g},{f},{b},{n}\n"));
    }
    text
}

fn both(settings: &Settings, a: &[Row], b: &[Row]) -> Records {
    let (a, b) = (csv_of("a", a), csv_of("b", b));
    Records::from_readers(settings, vec![("a".into(), a.as_bytes()), ("b".into(), b.as_bytes())]).expect("records")
}

fn row() -> impl Strategy<Value = Row> {
    // Few tokens, so that pairs share some and not others; no particle, no equivalence.
    let token = prop::sample::select(vec!["ana", "bo", "kim", "zed", "lu", "ines"]);
    let given = prop::collection::vec(token.clone(), 0..3).prop_map(|t| t.join(" "));
    let family = prop::collection::vec(token, 0..3).prop_map(|t| t.join(" "));
    let born = prop::sample::select(vec!["1980-03-04", "1980-04-03", "1980-03-05", "1981-03-04", "1980", ""]);
    let nationality = prop::sample::select(vec!["FRA", "MAR", ""]);
    (given, family, born, nationality).prop_map(|(g, f, b, n)| (g, f, b.into(), n.into()))
}

fn tokens(records: &Records, field: usize, i: usize) -> BTreeSet<String> {
    records.sorted(field, i).split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// Rule `r` by its definition, pair by pair.
fn agrees(settings: &Settings, records: &Records, r: usize, a: usize, b: usize) -> bool {
    let field = |name: &str| settings.fields.iter().position(|f| f.name == name).expect("field");
    let (full, given, family, born, nat) =
        (field("full_name"), field("given"), field("family"), field("born"), field("nationality"));
    let share = |f: usize| !tokens(records, f, a).is_disjoint(&tokens(records, f, b));
    let (da, db) = (records.date(born, a), records.date(born, b));
    match r {
        0 => {
            let known = |d: docket_link::table::Ymd| d.year != 0 && d.month != 0 && d.day != 0;
            let unordered = |d: docket_link::table::Ymd| (d.year, d.month.min(d.day), d.month.max(d.day));
            share(full) && known(da) && known(db) && unordered(da) == unordered(db)
        }
        1 => !records.text(family, a).is_empty() && records.text(family, a) == records.text(family, b),
        2 => {
            share(given)
                && da.year != 0
                && da.year == db.year
                && !records.text(nat, a).is_empty()
                && records.text(nat, a) == records.text(nat, b)
        }
        _ => unreachable!("three rules"),
    }
}

/// Every pair of A × B with its mask by the rules' definitions, the pairs with no rule left out.
fn by_definition(settings: &Settings, records: &Records) -> BTreeMap<(u32, u32), u16> {
    let mut want = BTreeMap::new();
    for a in 0..records.a_len {
        for b in records.a_len..records.len() {
            let mask = (0..3).fold(0u16, |m, r| if agrees(settings, records, r, a, b) { m | 1 << r } else { m });
            if mask != 0 {
                want.insert((a as u32, b as u32), mask);
            }
        }
    }
    want
}

fn found(c: &Candidates) -> BTreeMap<(u32, u32), u16> {
    c.pairs.iter().copied().zip(c.masks.iter().copied()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The candidates are exactly the pairs some rule's definition finds, each once, with the
    /// mask of every rule that finds it; each rule counts its pairs once and adds those no
    /// earlier rule found.
    #[test]
    fn candidates_are_the_pairs_that_share_a_token_each_once(
        a in prop::collection::vec(row(), 0..14),
        b in prop::collection::vec(row(), 0..14),
    ) {
        let settings = settings(1_000_000);
        let records = both(&settings, &a, &b);
        let c = block::candidates(&settings, &records, None);
        let want = by_definition(&settings, &records);
        prop_assert_eq!(c.pairs.len(), want.len(), "a pair counted twice, or missed");
        prop_assert_eq!(found(&c), want.clone());
        for r in 0..3 {
            let pairs = want.values().filter(|&&m| m & 1 << r != 0).count() as u64;
            let new = want.values().filter(|&&m| m.trailing_zeros() as usize == r).count() as u64;
            prop_assert_eq!((c.rules[r].pairs, c.rules[r].new_pairs), (pairs, new), "rule {}", r);
        }
    }

    /// The one-record index finds, for each B record, the A records the batch job pairs it
    /// with, found by the same rules.
    #[test]
    fn the_index_finds_what_the_batch_job_finds(
        a in prop::collection::vec(row(), 0..14),
        b in prop::collection::vec(row(), 0..14),
    ) {
        let settings = settings(1_000_000);
        let records = both(&settings, &a, &b);
        let batch = found(&block::candidates(&settings, &records, None));
        let table = Records::from_readers(&settings, vec![("a".into(), csv_of("a", &a).as_bytes())]).expect("A");
        let index = LinkIndex::build(&settings, table, &flat_model(&settings)).expect("index");
        let incoming = Records::from_readers(&settings, vec![("b".into(), csv_of("b", &b).as_bytes())]).expect("B");
        let mut by_index = BTreeMap::new();
        for i in 0..incoming.len() {
            let blocked = index.candidates(&incoming, i);
            prop_assert!(blocked.skipped.is_empty());
            prop_assert!(blocked.records.windows(2).all(|w| w[0].0 < w[1].0), "a record twice: {:?}", blocked);
            for (record, mask) in blocked.records {
                by_index.insert((record, (a.len() + i) as u32), mask);
            }
        }
        prop_assert_eq!(by_index, batch);
    }
}

#[test]
fn a_pair_sharing_one_token_is_found_and_a_pair_sharing_none_is_not() {
    let settings = settings(1_000_000);
    let row = |g: &str, f: &str, b: &str| (g.to_owned(), f.to_owned(), b.to_owned(), String::new());
    let a = [row("ana maria", "lopez garcia", "1980-03-04")];
    let b = [
        // The family names moved into the given names: they share `lopez`.
        row("lopez", "ana", "1980-03-04"),
        // Day and month swapped, one token shared.
        row("maria", "perez", "1980-04-03"),
        // Same date, no token shared.
        row("juana", "perez", "1980-03-04"),
        // A token shared, another date.
        row("ana", "perez", "1980-03-05"),
    ];
    let records = both(&settings, &a, &b);
    let c = block::candidates(&settings, &records, None);
    assert_eq!(c.pairs, [(0, 1), (0, 2)]);
    assert_eq!(c.masks, [0b001, 0b001]);
    // `ana maria lopez garcia` and `lopez ana` share two tokens under rule 0: one pair.
    assert_eq!((c.rules[0].pairs, c.rules[0].new_pairs), (2, 2));
}

#[test]
fn the_union_counts_a_pair_once_with_every_rule_that_finds_it() {
    let settings = settings(1_000_000);
    let row = |g: &str, f: &str, b: &str, n: &str| (g.to_owned(), f.to_owned(), b.to_owned(), n.to_owned());
    let a = [row("ana maria", "lopez", "1980-03-04", "MEX")];
    // Rule 0 (tokens and date), rule 1 (family) and rule 2 (given tokens, year, nationality).
    let b = [row("maria ana", "lopez", "1980-03-04", "MEX"), row("maria", "lopez", "1980-05-06", "ESP")];
    let records = both(&settings, &a, &b);
    let c = block::candidates(&settings, &records, None);
    assert_eq!(c.pairs, [(0, 1), (0, 2)]);
    assert_eq!(c.masks, [0b111, 0b010]);
    let counts: Vec<(u64, u64)> = c.rules.iter().map(|r| (r.pairs, r.new_pairs)).collect();
    assert_eq!(counts, [(1, 1), (2, 1), (1, 0)]);
    let keys = c.keys();
    assert!(keys.agree(2, 0, 1) && !keys.agree(2, 0, 2) && !keys.agree(0, 0, 2));
    assert_eq!(keys.mask(0, 1), 0b111);
}

#[test]
fn a_common_token_is_skipped_and_reported_and_rarer_ones_still_find_their_pairs() {
    // Eleven Marias born the same day on each side: 121 pairs under `maria`, over a cap of
    // 100. One pair also shares a rarer name.
    let settings = settings(100);
    let row = |g: &str, f: &str| (g.to_owned(), f.to_owned(), "1980-03-04".to_owned(), String::new());
    let family = ["ruiz", "soto", "vega", "mora", "gil", "paz", "rey", "leal", "rios", "diaz", "luna"];
    let a: Vec<Row> = family.iter().map(|f| row("maria", f)).collect();
    let mut b: Vec<Row> = family.iter().map(|f| row("maria", &format!("{f}x"))).collect();
    b[3].1 = "ines mora".into();
    a.iter().for_each(|r| assert!(r.1 != "ines"));
    let mut a = a;
    a[7].0 = "maria ines".into();
    let records = both(&settings, &a, &b);
    let c = block::candidates(&settings, &records, None);
    let report = &c.rules[0];
    assert_eq!((report.skipped_blocks, report.skipped_pairs), (1, 121), "{report:?}");
    // `maria` is skipped; `ines` (a7, b3) and `mora` (a3, b3) are not.
    let a_len = a.len() as u32;
    assert_eq!(c.pairs, [(3, a_len + 3), (7, a_len + 3)]);
    assert_eq!(report.pairs, 2);
    // The skipped token is no key left: the union's masks and the rule's agreement say so.
    assert!(!c.keys().agree(0, 0, a_len as usize));
    assert_eq!(c.keys().mask(7, a_len as usize + 3), 0b001);

    // The one-record index skips the same block (by records, 11 over a cap of 10) and reports it
    // once, beside what the rarer tokens find.
    let capped =
        Settings::parse(&SETTINGS.replace("max_block_records = 1000000", "max_block_records = 10"), "blocking test")
            .expect("settings");
    let table = Records::from_readers(&capped, vec![("a".into(), csv_of("a", &a).as_bytes())]).expect("A");
    let index = LinkIndex::build(&capped, table, &flat_model(&capped)).expect("index");
    let incoming = Records::from_readers(&capped, vec![("b".into(), csv_of("b", &b).as_bytes())]).expect("B");
    let blocked = index.candidates(&incoming, 3);
    assert_eq!(blocked.records, [(3, 0b001), (7, 0b001)]);
    assert_eq!(blocked.skipped.len(), 1);
    assert_eq!((blocked.skipped[0].rule, blocked.skipped[0].records), (0, 11));
}

#[test]
fn a_rule_takes_one_tokens_key_of_a_name() {
    let two = SETTINGS.replace(r#"["family"],"#, r#"["tokens(given)", "tokens(family)"],"#);
    let err = Settings::parse(&two, "blocking test").expect_err("two tokens keys");
    assert!(err.to_string().contains("at most one `tokens` key"), "{err}");
    let date = SETTINGS.replace(r#"["family"],"#, r#"["tokens(born)"],"#);
    let err = Settings::parse(&date, "blocking test").expect_err("tokens of a date");
    assert!(err.to_string().contains("not defined for a Date column"), "{err}");
    let name = SETTINGS.replace(r#"["family"],"#, r#"["unordered_date(family)"],"#);
    assert!(Settings::parse(&name, "blocking test").is_err());
}

/// A model with one weight per level: blocking does not read it.
fn flat_model(settings: &Settings) -> Model {
    let comparisons = settings
        .comparisons
        .iter()
        .map(|c| ComparisonModel {
            name: c.name.clone(),
            levels: (0..c.level_count()).map(|l| LevelModel { label: c.level_label(l), m: 0.5, u: 0.25 }).collect(),
            term_frequency: false,
        })
        .collect();
    Model {
        format: FORMAT.into(),
        prior: 1e-4,
        expected_matches: 1.0,
        comparisons,
        fit: FitReport::default(),
        related: Vec::new(),
        kinds: Vec::new(),
    }
}

#[test]
fn month_day_ignores_the_year_and_needs_day_and_month() {
    let text = SETTINGS.replace(r#"["family"],"#, r#"["month_day(born)"],"#);
    let settings = Settings::parse(&text, "blocking test").expect("settings");
    let row = |b: &str| ("ana".to_owned(), "ruiz".to_owned(), b.to_owned(), String::new());
    let a = [row("1980-03-04")];
    let b = [row("1908-03-04"), row("1980-04-03"), row("1980-03-00"), row("1980")];
    let records = both(&settings, &a, &b);
    let c = block::candidates(&settings, &records, None);
    // The mistyped year by rule 1; the swapped day and month by rule 0 only.
    assert_eq!(found(&c), BTreeMap::from([((0, 1), 0b010), ((0, 2), 0b001)]));
}

#[test]
fn a_tokens_rule_fits_the_names_in_its_session() {
    // Forty people in both tables, B's family names shortened: rule 0 (a name token and the
    // date) finds them all. Its session must estimate the names, which it only partly fixes.
    let family = ["ruiz", "soto", "vega", "mora", "gil", "paz", "rey", "leal", "rios", "diaz"];
    let given = ["ana", "ines", "lucia", "marta"];
    let mut a = Vec::new();
    let mut b = Vec::new();
    for k in 0..40 {
        let (g, f) = (given[k % 4], family[k % 10]);
        let born = format!("19{:02}-{:02}-{:02}", 50 + k, 1 + k % 12, 1 + k % 28);
        a.push((g.to_owned(), format!("{f} {}", family[(k + 3) % 10]), born.clone(), "FRA".to_owned()));
        b.push((g.to_owned(), f.to_owned(), born, "FRA".to_owned()));
    }
    let settings = settings(1_000_000);
    let records = both(&settings, &a, &b);
    let result = docket_link::link::run(&settings, &records, None, None, &mut |_, _, _| {});
    let session = result
        .model
        .fit
        .sessions
        .iter()
        .find(|s| s.rule.starts_with("tokens(full_name)"))
        .expect("a session for the tokens rule");
    assert!(
        session.estimated.iter().any(|c| c == "given") && session.estimated.iter().any(|c| c == "family"),
        "{session:?}"
    );
    assert!(!session.estimated.iter().any(|c| c == "born"), "the date is fixed by the rule: {session:?}");
}
