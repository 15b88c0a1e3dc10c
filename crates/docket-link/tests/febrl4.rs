//! FEBRL4 end to end: the shipped FEBRL settings link the 5,000 × 5,000 records of
//! `tests/data/febrl4/`, as a two-table link and as the deduplication of both tables put
//! together, and the accuracy against the known true pairs is asserted.

use std::path::{Path, PathBuf};

use docket_link::link::{self, LinkResult};
use docket_link::settings::Settings;
use docket_link::table::Records;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn febrl4() -> PathBuf {
    let dir = root().join("tests/data/febrl4");
    assert!(dir.join("febrl4_a.csv").exists(), "the FEBRL4 data is missing at {}", dir.display());
    dir
}

fn truth_ids(path: &Path) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_path(path).expect("truth file");
    r.records()
        .map(|row| {
            let row = row.expect("truth row");
            (row[0].to_owned(), row[1].to_owned())
        })
        .collect()
}

fn run(settings: &Settings, files: &[&Path], truth: &[(String, String)]) -> (Records, LinkResult) {
    let records = Records::read(settings, files).expect("read");
    assert!(records.issues.is_empty(), "{:?}", records.issues);
    let (truth, unknown) = link::resolve_truth(settings, &records, truth);
    assert_eq!(unknown, 0);
    let result = link::run(settings, &records, None, Some(&truth), &mut |_, _, _| {});
    (records, result)
}

#[test]
fn febrl4_link_is_near_perfect() {
    let dir = febrl4();
    let settings = Settings::from_file(&root().join("settings/febrl-link.toml")).expect("settings");
    let truth = truth_ids(&dir.join("febrl4_links.csv"));
    let (records, result) = run(&settings, &[&dir.join("febrl4_a.csv"), &dir.join("febrl4_b.csv")], &truth);
    assert_eq!((records.a_len, records.b_len()), (5000, 5000));
    let e = result.evaluation.expect("evaluated");
    eprintln!("{e:?}, blocking recall {:?}, threshold {}", result.blocking_recall, result.threshold);
    // Splink 5 with its own FEBRL4 example reaches F1 0.9991 at probability 0.5 (best 0.9998).
    assert!(e.f1 >= 0.9995, "F1 {} (precision {}, recall {})", e.f1, e.precision, e.recall);
    assert!(result.blocking_recall.expect("recall") >= 0.999);
    // One-to-one: no record in two accepted pairs.
    let mut seen = std::collections::HashSet::new();
    assert!(result.accepted.iter().all(|p| seen.insert(p.a) && seen.insert(p.b)));
}

#[test]
fn febrl4_as_one_table_deduplicates() {
    let dir = febrl4();
    let both = tempfile::NamedTempFile::new().expect("temp");
    let a = std::fs::read_to_string(dir.join("febrl4_a.csv")).expect("a");
    let b = std::fs::read_to_string(dir.join("febrl4_b.csv")).expect("b");
    let body = b.split_once('\n').expect("header").1;
    std::fs::write(both.path(), format!("{a}{body}")).expect("write");
    let settings = Settings::from_file(&root().join("settings/febrl-dedupe.toml")).expect("settings");
    let truth = truth_ids(&dir.join("febrl4_links.csv"));
    let (records, result) = run(&settings, &[both.path()], &truth);
    assert_eq!(records.len(), 10_000);
    let e = result.evaluation.expect("evaluated");
    eprintln!("{e:?}");
    assert!(e.f1 >= 0.99, "F1 {} (precision {}, recall {})", e.f1, e.precision, e.recall);
}

#[test]
fn a_saved_model_scores_the_same_without_refitting() {
    let dir = febrl4();
    let settings = Settings::from_file(&root().join("settings/febrl-link.toml")).expect("settings");
    let files = [dir.join("febrl4_a.csv"), dir.join("febrl4_b.csv")];
    let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let records = Records::read(&settings, &files).expect("read");
    let fitted = link::run(&settings, &records, None, None, &mut |_, _, _| {});
    let path = tempfile::NamedTempFile::new().expect("temp");
    fitted.model.save(path.path()).expect("save");
    let loaded = docket_link::model::Model::load(path.path(), &settings).expect("load");
    let again = link::run(&settings, &records, Some(loaded), None, &mut |_, _, _| {});
    let key = |r: &LinkResult| r.accepted.iter().map(|p| (p.a, p.b, p.weight.to_bits())).collect::<Vec<_>>();
    assert_eq!(key(&fitted), key(&again));
    assert!(
        !again.timings.iter().any(|(phase, _)| phase.starts_with("fitting") || phase == "estimating u"),
        "no refit with a saved model"
    );

    // The explanation adds up: prior plus every comparison's weight is the total.
    let best = fitted.accepted[0];
    let e = link::explain(&settings, &records, &fitted.weights, best.a as usize, best.b as usize);
    let sum: f64 = e.prior_weight + e.related_weight + e.comparisons.iter().map(|c| c.weight).sum::<f64>();
    assert!((sum - e.total_weight).abs() < 1e-9 && (e.total_weight - best.weight).abs() < 1e-9);
    assert!((e.probability - best.probability()).abs() < 1e-12);
}

/// The pairs for review are the assigned pairs below the threshold and at or above the floor:
/// no record in two pairs of either file, and the three-way figures count them.
#[test]
fn pairs_below_the_threshold_and_above_the_floor_are_for_review() {
    let dir = febrl4();
    let settings = Settings::from_file(&root().join("settings/febrl-link.toml")).expect("settings");
    let records = Records::read(&settings, &[&dir.join("febrl4_a.csv"), &dir.join("febrl4_b.csv")]).expect("read");
    let (truth, _) = link::resolve_truth(&settings, &records, &truth_ids(&dir.join("febrl4_links.csv")));
    let floor = link::ReviewFloor::new(0.01).expect("a probability");
    let options = link::JobOptions { review_floor: floor };
    let result = link::run_with(&settings, &records, None, Some(&truth), &options, &mut |_, _, _| {});
    let plain = link::run(&settings, &records, None, None, &mut |_, _, _| {});
    let ids = |pairs: &[link::ScoredPair]| pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>();
    assert_eq!(ids(&result.accepted), ids(&plain.accepted), "the floor changes nothing accepted");
    assert_eq!(plain.review.iter().filter(|p| p.probability() < 0.1).count(), 0, "default floor 0.1");
    for p in &result.review {
        assert!(p.probability() < result.threshold && p.probability() >= 0.01, "{p:?}");
    }
    assert!(result.review.windows(2).all(|w| w[0].weight >= w[1].weight), "best first");
    let mut seen = std::collections::HashSet::new();
    assert!(result.accepted.iter().chain(&result.review).all(|p| seen.insert(p.a) && seen.insert(p.b)));
    let e = result.evaluation.expect("evaluated");
    assert_eq!(e.three_way.review, result.review.len() as u64);
    assert!(e.best_f1 >= e.f1 && e.three_way.recall_above_floor >= e.recall);
    assert_eq!(e.true_positives + e.false_positives, result.accepted.len() as u64);
}
