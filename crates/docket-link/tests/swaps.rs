//! Names recorded in each other's columns weigh, under term frequencies, what they would
//! weigh in their own columns: `swapped` as `exact`, `swapped_tokens` as `token_subset`. A swap
//! of two common names is weak evidence, of two rare ones strong.

use docket_link::Weights;
use docket_link::compare;
use docket_link::model::{ComparisonModel, FORMAT, FitReport, LevelModel, Model};
use docket_link::settings::Settings;
use docket_link::table::Records;

const SETTINGS: &str = r#"
mode = "link"
id_column = "id"
[columns]
given = "name"
family = "name"
[blocking]
rules = [["given"]]
[[comparison]]
name = "given"
columns = ["given"]
levels = ["exact", "swapped(family)", "token_subset", "swapped_tokens(family)", "jaro_winkler >= 0.9"]
term_frequency = true
[[comparison]]
name = "family"
columns = ["family"]
levels = ["exact", "swapped(given)", "token_subset", "swapped_tokens(given)", "jaro_winkler >= 0.9"]
term_frequency = true
"#;

/// Fixed m and u: the swap levels' own u is high, so that their fixed weight is low and a test
/// that they are weighed by frequency cannot pass by accident.
fn model(settings: &Settings) -> Model {
    let (m, u) = ([0.6, 0.02, 0.2, 0.01, 0.1, 0.07], [0.01, 0.5, 0.02, 0.5, 0.05, 0.42]);
    Model {
        format: FORMAT.into(),
        prior: 1e-3,
        expected_matches: 1.0,
        comparisons: settings
            .comparisons
            .iter()
            .map(|c| ComparisonModel {
                name: c.name.clone(),
                levels: (0..c.level_count())
                    .map(|l| LevelModel { label: c.level_label(l), m: m[l], u: u[l] })
                    .collect(),
                term_frequency: true,
            })
            .collect(),
        fit: FitReport::default(),
        related: Vec::new(),
        kinds: Vec::new(),
    }
}

/// Table A, then table B: the ids of B rows start with `b`.
const A: &str = "id,given,family\n\
a_rare,Zita,Quispe\n\
a_common,Ana,Garcia\n\
a_long,Ana Maria,Garcia Lopez\n\
a_half,Ana,Garcia Lopez\n\
a1,Ana,Garcia\na2,Ana,Garcia\na3,Ana,Garcia\na4,Ana Lucia,Garcia Perez\na5,Maria,Lopez\n";
const B: &str = "id,given,family\n\
b_rare_same,Zita,Quispe\n\
b_rare_swapped,QUISPE,ZITA\n\
b_common_same,Ana,Garcia\n\
b_common_swapped,GARCIA,ANA\n\
b_short,Ana,Garcia\n\
b_short_swapped,GARCIA,ANA\n\
b1,Ana,Garcia\nb2,Ana,Perez\n";

struct Job {
    settings: Settings,
    records: Records,
    weights: Weights,
}

impl Job {
    fn new() -> Job {
        let settings = Settings::parse(SETTINGS, "swaps test").expect("settings");
        let records = Records::from_readers(&settings, vec![("a".into(), A.as_bytes()), ("b".into(), B.as_bytes())])
            .expect("records");
        let weights = model(&settings).weights(&settings, &records);
        Job { settings, records, weights }
    }

    fn index(&self, id: &str) -> usize {
        self.records.ids.iter().position(|x| x == id).unwrap_or_else(|| panic!("no record {id}"))
    }

    /// Each comparison's level label and weight for the pair.
    fn weigh(&self, a: &str, b: &str) -> Vec<(String, f64)> {
        let (a, b) = (self.index(a), self.index(b));
        let pattern = compare::pattern(&self.settings, &self.records, a, b);
        (0..self.settings.comparisons.len())
            .map(|c| {
                let l = compare::level_of(pattern, c);
                let label = self.settings.comparisons[c].level_label(usize::from(l));
                (label, self.weights.of(c, l, a, self.weights.side(b), pattern))
            })
            .collect()
    }
}

#[test]
fn a_swap_weighs_what_the_names_weigh_in_their_own_columns() {
    let job = Job::new();
    for (a, same, swapped) in
        [("a_rare", "b_rare_same", "b_rare_swapped"), ("a_common", "b_common_same", "b_common_swapped")]
    {
        let (plain, swap) = (job.weigh(a, same), job.weigh(a, swapped));
        for c in 0..2 {
            assert_eq!(plain[c].0, "exact", "{a} ~ {same}: {plain:?}");
            assert_eq!(swap[c].0, "swapped", "{a} ~ {swapped}: {swap:?}");
            assert_eq!(swap[c].1, plain[c].1, "{a} ~ {swapped} against {a} ~ {same}");
        }
    }
    // Weighed by frequency, not by the level's own m/u (log2(0.02/0.5), below zero).
    let (rare, common) = (job.weigh("a_rare", "b_rare_swapped"), job.weigh("a_common", "b_common_swapped"));
    for c in 0..2 {
        assert!(common[c].1 > 0.0 && rare[c].1 > common[c].1 + 1.0, "rare {rare:?}, common {common:?}");
    }
}

#[test]
fn swapped_tokens_weigh_what_the_shared_names_weigh_as_a_subset() {
    let job = Job::new();
    let (subset, swap) = (job.weigh("a_long", "b_short"), job.weigh("a_long", "b_short_swapped"));
    for c in 0..2 {
        assert_eq!(subset[c].0, "token_subset", "{subset:?}");
        assert_eq!(swap[c].0, "swapped_tokens", "{swap:?}");
        // The names shared are Ana and Garcia, the common ones: not Maria and Lopez.
        assert!((swap[c].1 - subset[c].1).abs() < 1e-9, "swapped {swap:?} against subset {subset:?}");
    }
}

#[test]
fn each_column_weighs_its_own_side_of_a_swap() {
    let job = Job::new();
    // Ana Garcia Lopez recorded as GARCIA, ANA: the given name is the other record's family name
    // whole, and the family names share Garcia; each weighs what it would in its own column.
    let (plain, swap) = (job.weigh("a_half", "b_short"), job.weigh("a_half", "b_short_swapped"));
    assert_eq!((plain[0].0.as_str(), plain[1].0.as_str()), ("exact", "token_subset"), "{plain:?}");
    assert_eq!((swap[0].0.as_str(), swap[1].0.as_str()), ("swapped", "swapped_tokens"), "{swap:?}");
    assert_eq!(swap[0].1, plain[0].1, "swapped {swap:?} against {plain:?}");
    assert!((swap[1].1 - plain[1].1).abs() < 1e-9, "swapped {swap:?} against {plain:?}");
}
