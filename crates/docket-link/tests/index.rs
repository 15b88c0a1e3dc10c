//! The one-record index: on FEBRL4 it finds each B record's true A record first and gives the
//! batch job's weights; a record of the table queried against it comes out on top; blocks over
//! the cap are skipped and reported; the blocks of `tokens` rules are taken within a query's
//! budget, smallest first, and those held back are reported.

use std::collections::HashMap;
use std::path::PathBuf;

use docket_link::compare;
use docket_link::index::{IndexError, LinkIndex, SkippedBlock, Triage};
use docket_link::link::{self, LinkResult};
use docket_link::model::{ComparisonModel, FORMAT, FitReport, LevelModel, Model};
use docket_link::settings::Settings;
use docket_link::table::Records;
use proptest::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn febrl4() -> PathBuf {
    let dir = root().join("tests/data/febrl4");
    for f in ["febrl4_a.csv", "febrl4_b.csv", "febrl4_links.csv"] {
        assert!(dir.join(f).exists(), "the FEBRL4 data is missing: {}", dir.join(f).display());
    }
    dir
}

/// The FEBRL4 job: settings, the batch result on A × B, table A alone, table B alone, and the
/// true pairs by id (A id to B id).
struct Febrl {
    settings: Settings,
    batch: LinkResult,
    a_len: usize,
    a: Records,
    b: Records,
    truth: HashMap<String, String>,
}

fn febrl() -> Febrl {
    let dir = febrl4();
    let settings = Settings::from_file(&root().join("settings/febrl-link.toml")).expect("settings");
    let (a, b) = (dir.join("febrl4_a.csv"), dir.join("febrl4_b.csv"));
    let both = Records::read(&settings, &[&a, &b]).expect("read A and B");
    let batch = link::run(&settings, &both, None, None, &mut |_, _, _| {});
    let mut truth = HashMap::new();
    let mut r = csv::Reader::from_path(dir.join("febrl4_links.csv")).expect("truth file");
    for row in r.records() {
        let row = row.expect("truth row");
        truth.insert(row[1].to_owned(), row[0].to_owned());
    }
    let a = Records::read(&settings, &[&a]).expect("read A");
    let b = Records::read(&settings, &[&b]).expect("read B");
    assert_eq!((a.len(), b.len(), truth.len()), (5000, 5000, 5000));
    Febrl { settings, a_len: both.a_len, batch, a, b, truth }
}

#[test]
fn febrl4_true_record_comes_first_with_the_batch_weights() {
    let Febrl { settings, batch, a_len, a, b, truth } = febrl();

    // Top-1 with the index as the feed would build it: term frequencies from table A.
    let index = LinkIndex::build(
        &settings,
        Records::read(&settings, &[&febrl4().join("febrl4_a.csv")]).expect("A"),
        &batch.model,
    )
    .expect("index");
    let mut first = 0;
    let mut missed = Vec::new();
    for i in 0..b.len() {
        let best = index.query(&b, i, 3);
        let want = truth.get(&b.ids[i]).expect("every B record has a true A record");
        if best.first().is_some_and(|c| c.id == want) {
            first += 1;
        } else {
            missed.push((b.ids[i].clone(), best.first().map(|c| (c.id.to_owned(), c.weight))));
        }
        assert!(best.windows(2).all(|w| w[0].weight >= w[1].weight), "not best first: {best:?}");
    }
    let share = f64::from(first) / b.len() as f64;
    eprintln!("top-1 {first} of {} ({share:.4}); missed {missed:?}", b.len());
    assert!(share >= 0.995, "the true record is first for only {share:.4} of B");

    for i in 0..b.len() {
        check_against_every_candidate(&index, &b, i).unwrap_or_else(|e| panic!("{}: {e}", b.ids[i]));
    }

    // Weights equal the batch job's when the index uses the batch job's weights (term
    // frequencies over both tables; table A's records come first in them).
    let accepted = batch.accepted.len();
    assert!(accepted >= 4900, "the batch job accepted only {accepted} pairs");
    let same = LinkIndex::with_weights(&settings, a, batch.weights).expect("index with the batch weights");
    for pair in &batch.accepted {
        let i = pair.b as usize - a_len;
        let found = same.query(&b, i, usize::MAX);
        let c = found.iter().find(|c| c.record == pair.a).unwrap_or_else(|| panic!("pair {pair:?} not a candidate"));
        assert_eq!(c.pattern, pair.pattern, "pattern of {pair:?}");
        assert!((c.weight - pair.weight).abs() <= 1e-9, "{} vs batch {} for {pair:?}", c.weight, pair.weight);
        // The explanation adds up to the same weight.
        let e = same.explain(&b, i, pair.a);
        let sum: f64 = e.prior_weight + e.related_weight + e.comparisons.iter().map(|x| x.weight).sum::<f64>();
        assert!((e.total_weight - c.weight).abs() <= 1e-9 && (sum - c.weight).abs() <= 1e-9, "{e:?}");
        assert_eq!((e.ids.0.as_str(), e.ids.1.as_str()), (c.id, b.ids[i].as_str()));
    }
}

/// Three ways, one record at a time: the best candidate is accepted at the batch job's
/// threshold, the others above the floor are for review, best first, and nothing else is; on
/// FEBRL4 nearly every B record has its true A record accepted.
#[test]
fn febrl4_answers_three_ways() {
    let Febrl { settings, batch, a, b, truth, .. } = febrl();
    let threshold = batch.threshold;
    let index = LinkIndex::build(&settings, a, &batch.model).expect("index");
    let floor = link::ReviewFloor::new(0.01).expect("a probability");
    let triage = Triage::new(threshold, floor, 3).expect("a probability");
    let (mut right, mut wrong, mut with_review) = (0, 0, 0);
    for i in 0..b.len() {
        let t = index.triage(&b, i, &triage);
        let all = index.query(&b, i, usize::MAX);
        let above: Vec<_> = all.iter().filter(|c| c.probability >= floor.get()).collect();
        match t.accepted {
            Some(c) => {
                assert_eq!(c, all[0], "the best candidate is the one accepted");
                assert!(c.probability >= threshold);
                if truth.get(&b.ids[i]).is_some_and(|want| want == c.id) {
                    right += 1
                } else {
                    wrong += 1
                }
                assert_eq!(t.review.iter().collect::<Vec<_>>(), above[1..].iter().take(3).copied().collect::<Vec<_>>());
            }
            None => {
                assert!(all.first().is_none_or(|c| c.probability < threshold));
                assert_eq!(t.review.iter().collect::<Vec<_>>(), above.iter().take(3).copied().collect::<Vec<_>>());
            }
        }
        let shown = t.review.len() + usize::from(t.accepted.is_some_and(|c| c.probability >= floor.get()));
        assert_eq!(t.more_for_review, above.len() > shown, "{}: {t:?}", b.ids[i]);
        with_review += usize::from(!t.review.is_empty());
    }
    eprintln!("accepted {right} right, {wrong} wrong; {with_review} records with candidates for review");
    assert!(right >= 4950 && wrong <= 5, "{right} right, {wrong} wrong");
    assert!(Triage::new(1.5, floor, 3).is_err() && link::ReviewFloor::new(-0.5).is_err());
}

#[test]
fn febrl4_records_of_the_table_find_themselves_first() {
    let Febrl { settings, batch, a, .. } = febrl();
    let again = Records::read(&settings, &[&febrl4().join("febrl4_a.csv")]).expect("A again");
    let index = LinkIndex::build(&settings, a, &batch.model).expect("index");
    for r in 0..again.len() {
        let best = index.query(&again, r, usize::MAX);
        let own = best.iter().find(|c| c.record as usize == r).unwrap_or_else(|| panic!("record {r} not found"));
        assert_eq!(own.weight, best[0].weight, "record {r}: {own:?} below {:?}", best[0]);
    }
}

const SETTINGS: &str = r#"
mode = "link"
id_column = "id"
[columns]
given = "name"
family = "name"
born = "date"
doc = "document"
[blocking]
max_block_pairs = 1000000
max_block_records = 1000000
rules = [["family"], ["born"], ["doc"], ["first_token(given)", "year(born)"], ["tokens(family)", "year(born)"]]
[[comparison]]
name = "given"
columns = ["given"]
levels = ["exact", "jaro_winkler >= 0.9", "phonetic"]
[[comparison]]
name = "family"
columns = ["family"]
levels = ["exact", "token_subset", "jaro_winkler >= 0.9"]
[[comparison]]
name = "born"
columns = ["born"]
levels = ["exact", "day_month_swapped", "year"]
[[comparison]]
name = "doc"
columns = ["doc"]
levels = ["exact", "damerau_levenshtein <= 1"]
"#;

/// A model whose weights fall level by level: exact agreement weighs most.
fn falling_model(settings: &Settings) -> Model {
    let comparisons = settings
        .comparisons
        .iter()
        .map(|c| ComparisonModel {
            name: c.name.clone(),
            levels: (0..c.level_count())
                .map(|l| LevelModel {
                    label: c.level_label(l),
                    m: 0.5f64.powi(l as i32 + 1),
                    u: (0.001 * 4f64.powi(l as i32)).min(1.0),
                })
                .collect(),
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

type Row = (String, String, String, String);

fn csv_of(rows: &[Row]) -> String {
    let mut text = String::from("id,given,family,born,doc\n");
    for (k, (g, f, b, d)) in rows.iter().enumerate() {
        text.push_str(&format!("r{k},{g},{f},{b},{d}\n"));
    }
    text
}

fn row() -> impl Strategy<Value = Row> {
    let given = prop::sample::select(vec!["ana", "ana maria", "maria", "mohamed", "muhammad", "li", ""]);
    let family = prop::sample::select(vec!["garcia", "garcia lopez", "smith", "smyth", "wei", "van der berg", ""]);
    let born = prop::sample::select(vec!["1980-05-12", "1980-12-05", "1980-05-13", "1975", "1975-03-00", ""]);
    let doc = prop::sample::select(vec!["AB123", "AB124", "x9", ""]);
    (given, family, born, doc).prop_map(|(g, f, b, d)| (g.into(), f.into(), b.into(), d.into()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A record of the table, read as an incoming record, is found and no other record
    /// outweighs it (records with the same values tie), whenever it has a blocking key.
    #[test]
    fn a_record_of_the_table_outweighs_every_other(rows in prop::collection::vec(row(), 1..40)) {
        let settings = Settings::parse(SETTINGS, "index test").expect("settings");
        let text = csv_of(&rows);
        let table = Records::from_readers(&settings, vec![("table".into(), text.as_bytes())]).expect("table");
        let index = LinkIndex::build(&settings, table, &falling_model(&settings)).expect("index");
        for (k, (g, f, b, d)) in rows.iter().enumerate() {
            let values = [("given", g.as_str()), ("family", f.as_str()), ("born", b.as_str()), ("doc", d.as_str())];
            let incoming = index.incoming(&format!("in{k}"), &values).expect("incoming");
            let keyed = settings.rules.iter().any(|rule| docket_link::block::key_hash(&incoming, rule, 0) != 0);
            let best = index.query(&incoming, 0, usize::MAX);
            let own = best.iter().find(|c| c.record as usize == k);
            prop_assert_eq!(own.is_some(), keyed, "record {} ({:?}) found: {:?}", k, rows[k], best);
            if let Some(own) = own {
                prop_assert_eq!(own.weight, best[0].weight, "record {} below {:?}", k, best[0]);
                prop_assert_eq!(own.id, format!("r{k}"));
            }
        }
    }
}

/// Every candidate blocking finds, scored the plain way (the batch job's pattern and total),
/// best first: `(id, weight, pattern)`.
fn every_candidate(index: &LinkIndex, incoming: &Records, i: usize) -> Vec<(String, f64, u64)> {
    let side = index.weights().side_of(index.settings(), incoming, i);
    let mut all: Vec<(String, f64, u64)> = index
        .candidates(incoming, i)
        .records
        .iter()
        .map(|&(r, _)| {
            let r = r as usize;
            let pattern = compare::pattern_between(index.settings(), index.records(), r, incoming, i);
            (index.records().ids[r].clone(), index.weights().total(pattern, r, side.side()), pattern)
        })
        .collect();
    all.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    all
}

/// Whether `query` with each limit gives the first candidates of [`every_candidate`].
fn check_against_every_candidate(index: &LinkIndex, incoming: &Records, i: usize) -> Result<(), String> {
    let all = every_candidate(index, incoming, i);
    for limit in [1, 2, 3, 5, usize::MAX] {
        let got: Vec<(String, f64, u64)> =
            index.query(incoming, i, limit).iter().map(|c| (c.id.to_owned(), c.weight, c.pattern)).collect();
        let want = &all[..all.len().min(limit)];
        if got != want {
            return Err(format!("limit {limit}: got {got:?}, every candidate scored gives {want:?}"));
        }
    }
    Ok(())
}

/// Indexes `rows` and checks every `incoming` row's queries with [`check_against_every_candidate`].
fn check_queries(settings: &Settings, model: &Model, rows: &[Row], incoming: &[Row]) -> Result<(), String> {
    let table = Records::from_readers(settings, vec![("table".into(), csv_of(rows).as_bytes())]).expect("table");
    let index = LinkIndex::build(settings, table, model).expect("index");
    let incoming = Records::from_readers(settings, vec![("in".into(), csv_of(incoming).as_bytes())]).expect("in");
    (0..incoming.len())
        .try_for_each(|i| check_against_every_candidate(&index, &incoming, i).map_err(|e| format!("incoming {i}: {e}")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The best `limit` a query gives (it skips work where the answer cannot change) are the
    /// first `limit` of every candidate scored, with term frequencies and ties among them.
    #[test]
    fn queries_give_the_best_of_every_candidate(
        rows in prop::collection::vec(row(), 1..60),
        incoming in prop::collection::vec(row(), 1..8),
    ) {
        let settings = Settings::parse(
            &SETTINGS.replace("levels = [\"exact\", \"token_subset\"", "term_frequency = true\nlevels = [\"exact\", \"token_subset\""),
            "index test",
        ).expect("settings");
        prop_assert!(settings.comparisons[1].term_frequency);
        if let Err(e) = check_queries(&settings, &falling_model(&settings), &rows, &incoming) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// [`SETTINGS`] with the family name weighed by its frequency among the records that share the
/// document, made a comparison whose only level is `exact` so that it can be a context.
fn settings_with_a_context() -> Settings {
    let text = SETTINGS
        .replace(
            "levels = [\"exact\", \"token_subset\"",
            "term_frequency = true\nterm_frequency_within = \"doc\"\nlevels = [\"exact\", \"token_subset\"",
        )
        .replace("levels = [\"exact\", \"damerau_levenshtein <= 1\"]", "levels = [\"exact\"]");
    Settings::parse(&text, "index test").expect("settings")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The same with a family name's frequency counted among the records that share a context
    /// value (here the document, made a comparison whose only level is `exact`): the index's
    /// bounds must hold whether or not a candidate shares the context.
    #[test]
    fn queries_with_frequencies_within_a_context_give_the_best_of_every_candidate(
        rows in prop::collection::vec(row(), 1..60),
        incoming in prop::collection::vec(row(), 1..8),
    ) {
        let settings = settings_with_a_context();
        prop_assert_eq!(settings.comparisons[1].term_frequency_within, Some(3));
        if let Err(e) = check_queries(&settings, &falling_model(&settings), &rows, &incoming) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// A name that is rare among all records but common among those sharing the pair's context
/// weighs by the context's frequency when the pair shares it, and by the overall one when it
/// does not.
#[test]
fn a_frequency_within_a_context_weighs_a_name_among_its_own() {
    let settings = settings_with_a_context();
    // 4 of the 20 records are Weis, all four with document X: Wei is 1 in 5 overall, 4 in 5
    // among the records with X.
    let mut rows: Vec<Row> =
        (0..16).map(|k| ("ana".into(), format!("family{k}"), "1980-05-12".into(), format!("D{k}"))).collect();
    rows.extend((0..4).map(|_| ("li".into(), "wei".into(), "1990-01-01".into(), "X".into())));
    rows.push(("bo".into(), "smith".into(), "1990-01-01".into(), "X".into()));
    let table = Records::from_readers(&settings, vec![("table".into(), csv_of(&rows).as_bytes())]).expect("table");
    let model = falling_model(&settings);
    let index = LinkIndex::build(&settings, table, &model).expect("index");
    let family = |doc: &str| {
        let record = index.incoming("t", &[("given", "zed"), ("family", "wei"), ("doc", doc)]).expect("incoming");
        let e = index.explain(&record, 0, 16);
        (e.comparisons[1].level.clone(), e.comparisons[1].weight)
    };
    let log_m = (0.5f64).log2();
    let (level, shared) = family("X");
    assert_eq!(level, "exact");
    assert!((shared - (log_m - (4.0f64 / 5.0).log2())).abs() < 1e-6, "{shared}");
    let (_, apart) = family("Y");
    assert!((apart - (log_m - (4.0f64 / 21.0).log2())).abs() < 1e-6, "{apart}");
}

/// A table of `n` Smiths (each born on another day) plus one Jones.
fn smiths(n: usize, cap: u64) -> (Settings, LinkIndex) {
    let settings = Settings::parse(
        &SETTINGS.replace("max_block_records = 1000000", &format!("max_block_records = {cap}")),
        "index test",
    )
    .expect("settings");
    let rows: Vec<Row> = (0..n)
        .map(|k| ("ana".into(), "smith".into(), format!("1980-01-{:02}", k + 1), format!("S{k}")))
        .chain([("li".into(), "jones".into(), "1990-02-03".into(), "J1".into())])
        .collect();
    let text = csv_of(&rows);
    let table = Records::from_readers(&settings, vec![("table".into(), text.as_bytes())]).expect("table");
    let index = LinkIndex::build(&settings, table, &falling_model(&settings)).expect("index");
    (settings, index)
}

/// A triage that shows every candidate: accepted only at probability 1, the rest for review.
fn any_triage() -> Triage {
    Triage::new(1.0, link::ReviewFloor::new(0.0).expect("a probability"), 100).expect("a probability")
}

#[test]
fn blocks_over_the_cap_are_skipped() {
    // Rules: 0 family, 1 born, 2 doc, 3 first_token(given) & year(born), 4 tokens(family) &
    // year(born). An incoming Smith born on 1980-01-03 with no document falls into the Smith
    // block (5 records) under rules 0, 3 and 4, and into a block of one under rule 1.
    let incoming = [("given", "ana"), ("family", "smith"), ("born", "1980-01-03")];

    // Cap 4: the Smith blocks hold 5 records, more than 4, and are skipped; only the one born
    // the same day is found, by rule 1 alone.
    let (_, index) = smiths(5, 4);
    let record = index.incoming("t", &incoming).expect("incoming");
    let blocked = index.candidates(&record, 0);
    assert_eq!(blocked.records, vec![(2, 0b0010)]);
    assert_eq!(
        blocked.skipped,
        vec![
            SkippedBlock { rule: 0, records: 5 },
            SkippedBlock { rule: 3, records: 5 },
            SkippedBlock { rule: 4, records: 5 }
        ]
    );
    let best = index.query(&record, 0, 10);
    assert_eq!(best.iter().map(|c| c.id).collect::<Vec<_>>(), ["r2"]);
    // The three-way answer says so too: a candidate may have been in the blocks skipped.
    let t = index.triage(&record, 0, &any_triage());
    assert_eq!(t.skipped, blocked.skipped);
    assert!(t.held_back.is_empty());
    assert_eq!(t.accepted.into_iter().chain(t.review).map(|c| c.id).collect::<Vec<_>>(), ["r2"]);

    // Cap 5: a block of exactly the cap is kept (`n > cap` skips), so every Smith is found.
    let (_, index) = smiths(5, 5);
    let record = index.incoming("t", &incoming).expect("incoming");
    let blocked = index.candidates(&record, 0);
    assert!(blocked.skipped.is_empty());
    assert_eq!(blocked.records.iter().map(|c| c.0).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    assert_eq!(blocked.records[2].1, 0b11011);
    let best = index.query(&record, 0, 2);
    assert_eq!(best.len(), 2);
    assert_eq!(best[0].id, "r2");
    assert!(best[0].weight > best[1].weight);
}

/// An index over `rows` with [`SETTINGS`] and a budget of `budget` candidates for the blocks of
/// its `tokens` rule (rule 4, `tokens(family) & year(born)`).
fn with_tokens_budget(rows: &[Row], budget: u64) -> LinkIndex {
    let settings = Settings::parse(
        &SETTINGS
            .replace("max_block_records = 1000000", &format!("max_block_records = 1000000\ntokens_budget = {budget}")),
        "index test",
    )
    .expect("settings");
    assert_eq!(settings.tokens_budget, budget);
    let table = Records::from_readers(&settings, vec![("table".into(), csv_of(rows).as_bytes())]).expect("table");
    LinkIndex::build(&settings, table, &falling_model(&settings)).expect("index")
}

fn row_of(given: &str, family: &str, born: &str, doc: &str) -> Row {
    (given.into(), family.into(), born.into(), doc.into())
}

/// Where the other rules find more than the budget, the tokens rule's blocks are held back and
/// reported, and the true record, found by the other rules, still comes first; where they find
/// little, the tokens rule finds what they missed.
#[test]
fn tokens_blocks_are_taken_within_the_budget_and_held_back_beyond_it() {
    // Rules: 0 family, 1 born, 2 doc, 3 first_token(given) & year(born), 4 tokens(family) &
    // year(born). Six Garcia Lopezes born in 1980 on other days (r0..r5), the traveller's own
    // record (r6), and a Lopez Pérez born in 1980 (r7) that only the `lopez` token finds.
    let mut rows: Vec<Row> =
        (0..6).map(|k| row_of(&format!("given{k}"), "garcia lopez", &format!("1980-02-{:02}", k + 1), "")).collect();
    rows.push(row_of("ana", "garcia lopez", "1980-05-12", "P123"));
    rows.push(row_of("juan", "lopez perez", "1980-07-01", ""));

    // A common name: the family name's block (rule 0) holds 7 records, more than a budget of 5,
    // so the `garcia` and `lopez` blocks of rule 4 (7 and 8 records) are held back; the true
    // record is first all the same.
    let index = with_tokens_budget(&rows, 5);
    let traveller = index
        .incoming("t", &[("given", "ana"), ("family", "garcia lopez"), ("born", "1980-05-12"), ("doc", "P123")])
        .expect("incoming");
    let blocked = index.candidates(&traveller, 0);
    assert_eq!(blocked.records.iter().map(|c| c.0).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5, 6]);
    assert!(blocked.records.iter().all(|c| c.1 & 1 << 4 == 0), "{blocked:?}");
    assert_eq!(blocked.held_back, [SkippedBlock { rule: 4, records: 7 }, SkippedBlock { rule: 4, records: 8 }]);
    assert!(blocked.skipped.is_empty());
    assert_eq!(index.query(&traveller, 0, 3).first().map(|c| c.id), Some("r6"));
    let t = index.triage(&traveller, 0, &any_triage());
    assert_eq!(t.held_back, blocked.held_back);
    assert!(t.skipped.is_empty());

    // With a budget that holds them, the same query takes both blocks: r7 comes in by `lopez`.
    let index = with_tokens_budget(&rows, 100);
    let blocked = index.candidates(&traveller, 0);
    assert!(blocked.held_back.is_empty());
    assert!(index.triage(&traveller, 0, &any_triage()).held_back.is_empty());
    assert_eq!(blocked.records.len(), 8);
    assert_eq!(blocked.records[7], (7, 1 << 4));
    assert_eq!(blocked.records[6], (6, 0b11111));

    // r7's traveller with a surname dropped, the day and month swapped and the given name
    // mistyped: no rule but the tokens rule finds r7 (`perez` & 1980, a block of one), and
    // under a budget of 5 it does, since the other rules find nothing.
    let index = with_tokens_budget(&rows, 5);
    let dropped = index.incoming("t", &[("given", "jaun"), ("family", "perez"), ("born", "1980-01-07")]).expect("in");
    let blocked = index.candidates(&dropped, 0);
    assert_eq!(blocked.records, [(7, 1 << 4)]);
    assert!(blocked.held_back.is_empty(), "{blocked:?}");
    assert_eq!(index.query(&dropped, 0, 5).iter().map(|c| c.id).collect::<Vec<_>>(), ["r7"]);

    // Smallest block first: holding `perez` (1 record) and `lopez` (8), the traveller takes
    // `perez` and, under a budget of 5, holds `lopez` back and says so.
    let both =
        index.incoming("t", &[("given", "jaun"), ("family", "perez lopez"), ("born", "1980-01-07")]).expect("in");
    let blocked = index.candidates(&both, 0);
    assert_eq!(blocked.records, [(7, 1 << 4)]);
    assert_eq!(blocked.held_back, [SkippedBlock { rule: 4, records: 8 }]);
    // Only `lopez`: its block is over the budget by itself, so nothing is found and the answer
    // says what was held back.
    let lopez = index.incoming("t", &[("given", "jaun"), ("family", "lopez"), ("born", "1980-01-07")]).expect("in");
    let blocked = index.candidates(&lopez, 0);
    assert!(blocked.records.is_empty(), "{blocked:?}");
    assert_eq!(blocked.held_back, [SkippedBlock { rule: 4, records: 8 }]);
}

#[test]
fn incoming_values_are_read_like_a_csv_row() {
    let (settings, index) = smiths(3, 100);
    // A comma, quotes and a date read as missing.
    let values = [("given", "Ana, \"Annie\""), ("family", "SMITH"), ("born", "31/01/1980"), ("doc", "s-1")];
    let record = index.incoming("t,1", &values).expect("incoming");
    assert_eq!(record.ids, ["t,1"]);
    assert_eq!(record.issues.len(), 1, "{:?}", record.issues);
    let csv = "id,given,family,born,doc\n\"t,1\",\"Ana, \"\"Annie\"\"\",SMITH,31/01/1980,s-1\n";
    let read = Records::from_readers(&settings, vec![("csv".into(), csv.as_bytes())]).expect("csv");
    for f in 0..settings.fields.len() {
        assert_eq!(record.text(f, 0), read.text(f, 0), "field {f}");
    }
    let by_values = index.query_values("t,1", &values, 5).expect("query");
    assert_eq!(by_values, index.query(&read, 0, 5));
    assert_eq!(by_values.first().map(|c| c.id), Some("r1"));

    assert!(matches!(
        index.incoming("t", &[("surname", "smith")]),
        Err(IndexError::UnknownColumn { column, .. }) if column == "surname"
    ));
    assert!(matches!(index.incoming(" ", &[("family", "smith")]), Err(IndexError::Incoming { .. })));
}

#[test]
fn weights_for_other_settings_are_refused() {
    let (settings, index) = smiths(2, 100);
    let table = Records::from_readers(&settings, vec![("t".into(), csv_of(&[]).as_bytes())]).expect("empty");
    let mut other = falling_model(&settings);
    other.comparisons.pop();
    let weights = other.weights(&settings, index.records());
    assert!(matches!(LinkIndex::with_weights(&settings, table, weights), Err(IndexError::Weights(_))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The same where `token_subset` weighs little on average (u 0.5) but much when the shared
    /// token is rare: weighed by frequency it can exceed every fixed level weight of the
    /// comparison, and the index's bound for a name not yet graded must allow for that.
    #[test]
    fn queries_with_rare_shared_tokens_give_the_best_of_every_candidate(
        rows in prop::collection::vec(row(), 1..60),
        incoming in prop::collection::vec(row(), 1..8),
    ) {
        let settings = Settings::parse(
            &SETTINGS.replace("levels = [\"exact\", \"token_subset\"", "term_frequency = true\nlevels = [\"exact\", \"token_subset\""),
            "index test",
        ).expect("settings");
        let mut model = falling_model(&settings);
        model.comparisons[1].levels[1].m = 0.9;
        model.comparisons[1].levels[1].u = 0.5;
        model.comparisons[1].levels[2].u = 0.9;
        if let Err(e) = check_queries(&settings, &model, &rows, &incoming) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// [`SETTINGS`] with given and family names weighed by frequency, each with `swapped` and
/// `swapped_tokens` levels on the other: swapped names weigh what they would in their own
/// columns, so the index's bound for an ungraded name must allow for that too.
fn settings_with_swaps() -> Settings {
    let text = SETTINGS
        .replace(
            "levels = [\"exact\", \"jaro_winkler >= 0.9\", \"phonetic\"]",
            "term_frequency = true\nlevels = [\"exact\", \"swapped(family)\", \"token_subset\", \"swapped_tokens(family)\", \"jaro_winkler >= 0.9\"]",
        )
        .replace(
            "levels = [\"exact\", \"token_subset\", \"jaro_winkler >= 0.9\"]",
            "term_frequency = true\nlevels = [\"exact\", \"swapped(given)\", \"token_subset\", \"swapped_tokens(given)\", \"jaro_winkler >= 0.9\"]",
        );
    Settings::parse(&text, "index test").expect("settings")
}

/// Rows whose given and family names are drawn from one pool, so that swaps happen.
fn swappable_row() -> impl Strategy<Value = Row> {
    let names = vec!["ana", "garcia", "ana maria", "garcia lopez", "lopez", "maria", "li wei", "wei", ""];
    let given = prop::sample::select(names.clone());
    let family = prop::sample::select(names);
    let born = prop::sample::select(vec!["1980-05-12", "1980-12-05", "1975", ""]);
    let doc = prop::sample::select(vec!["AB123", "AB124", ""]);
    (given, family, born, doc).prop_map(|(g, f, b, d)| (g.into(), f.into(), b.into(), d.into()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn queries_with_swapped_names_give_the_best_of_every_candidate(
        rows in prop::collection::vec(swappable_row(), 1..60),
        incoming in prop::collection::vec(swappable_row(), 1..8),
    ) {
        let settings = settings_with_swaps();
        let mut model = falling_model(&settings);
        // A swap level that weighs little on its own: weighed by frequency it can weigh more.
        for c in 0..2 {
            model.comparisons[c].levels[1].u = 0.9;
            model.comparisons[c].levels[3].u = 0.9;
        }
        if let Err(e) = check_queries(&settings, &model, &rows, &incoming) {
            prop_assert!(false, "{}", e);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The same with a `leading_tokens` level before `token_subset`, all weighed by the shared
    /// names' frequency, and again with a `token_subset(b)` level before both (the table's
    /// record is A's): the bound for an ungraded family name must allow for each of them.
    #[test]
    fn queries_with_leading_tokens_give_the_best_of_every_candidate(
        rows in prop::collection::vec(row(), 1..60),
        incoming in prop::collection::vec(row(), 1..8),
    ) {
        for levels in ["\"leading_tokens\", \"token_subset\"", "\"token_subset(b)\", \"leading_tokens\", \"token_subset\""] {
            let settings = Settings::parse(
                &SETTINGS.replace(
                    "levels = [\"exact\", \"token_subset\"",
                    &format!("term_frequency = true\nlevels = [\"exact\", {levels}"),
                ),
                "index test",
            ).expect("settings");
            // Every fixed weight of the family name low (at most log2(0.9/0.5)), the token
            // levels' weights by frequency above it: a bound that forgot one would drop candidates.
            let mut model = falling_model(&settings);
            let family = &mut model.comparisons[1].levels;
            // exact, the token levels (token_subset last), jaro_winkler, else.
            let n = family.len();
            for level in &mut family[1..n - 3] {
                (level.m, level.u) = (0.9, 0.5);
            }
            (family[n - 3].m, family[n - 3].u) = (0.05, 0.5);
            family[n - 2].u = 0.9;
            if let Err(e) = check_queries(&settings, &model, &rows, &incoming) {
                prop_assert!(false, "{levels}: {}", e);
            }
        }
    }
}
