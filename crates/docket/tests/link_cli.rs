//! Black-box tests of `docket link`: run as a user would on the FEBRL4 files (kept in
//! `docket-link`'s `tests/data/febrl4/`) and on small files with mistakes in them, judged by
//! exit status, output and the files written.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn docket(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_docket")).args(args).current_dir(dir).output().expect("docket runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A file's permission bits.
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).unwrap_or_else(|e| panic!("`{}`: {e}", p.display())).permissions().mode() & 0o777
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn febrl4(name: &str) -> String {
    let p = repo().join("crates/docket-link/tests/data/febrl4").join(name);
    assert!(p.exists(), "the FEBRL4 data is missing: {}", p.display());
    p.display().to_string()
}

fn settings(name: &str) -> String {
    repo().join("crates/docket-link/settings").join(name).display().to_string()
}

#[test]
fn febrl4_links_with_weights_that_add_up_and_a_reusable_model() {
    let dir = tempfile::tempdir().expect("temp");
    let s = settings("febrl-link.toml");
    let (a, b, truth) = (febrl4("febrl4_a.csv"), febrl4("febrl4_b.csv"), febrl4("febrl4_links.csv"));
    let r = docket(
        dir.path(),
        &[
            "--json",
            "link",
            "--settings",
            &s,
            &a,
            &b,
            "--out",
            "links.csv",
            "--model-out",
            "model.json",
            "--truth",
            &truth,
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let summary: serde_json::Value = serde_json::from_str(&r.stdout).expect("json summary");
    let f1 = summary["evaluation"]["f1"].as_f64().expect("f1");
    assert!(f1 >= 0.999, "F1 {f1}");
    assert!(summary["blocking_recall"].as_f64().expect("recall") >= 0.999);
    assert_eq!(summary["blocking"].as_array().expect("rules").len(), 9);

    let links = std::fs::read_to_string(dir.path().join("links.csv")).expect("links.csv");
    let mut lines = links.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(&header[..6], ["id_a", "id_b", "match_probability", "match_weight", "prior_weight", "related_weight"]);
    assert_eq!(header[6], "given_name_weight");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len() as u64, summary["accepted"].as_u64().expect("accepted"));
    for row in &rows {
        let n: Vec<f64> = row[3..].iter().map(|x| x.parse().expect("number")).collect();
        let sum: f64 = n[1..].iter().sum();
        assert!((sum - n[0]).abs() < 0.01, "weights add up to the match weight: {row:?}");
    }

    // The saved model links the same pairs without refitting.
    let again = docket(dir.path(), &["link", "--settings", &s, &a, &b, "--out", "again.csv", "--model", "model.json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(!again.stdout.contains("fitting") && !again.stdout.contains("estimating u"), "{}", again.stdout);
    assert_eq!(links, std::fs::read_to_string(dir.path().join("again.csv")).expect("again.csv"));

    // One pair explained: every comparison's level and weight, the prior and the total.
    let (x, y) = (rows[0][0], rows[0][1]);
    let e = docket(dir.path(), &["link", "--settings", &s, &a, &b, "--model", "model.json", "--explain", x, y]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    for needle in ["prior (log2 odds)", "given_name", "soc_sec_id", "total", "match probability", rows[0][2]] {
        assert!(e.stdout.contains(needle), "`{needle}` in:\n{}", e.stdout);
    }
    // Each kind of related non-match of the settings is listed with its ceiling, and the weights
    // (prior, related, one per comparison; not the kinds' ceilings) add up to the total.
    for kind in ["as household", "as family", "as twins"] {
        assert!(e.stdout.contains(kind), "`{kind}` in:\n{}", e.stdout);
    }
    let weight = |line: &str| line.split_whitespace().last().and_then(|w| w.parse::<f64>().ok());
    let lines: Vec<&str> =
        e.stdout.lines().filter(|l| l.starts_with("  ") && !l.trim_start().starts_with("as ")).collect();
    let total = lines.iter().find(|l| l.trim_start().starts_with("total")).and_then(|l| weight(l)).expect("total");
    let parts: f64 = lines
        .iter()
        .filter(|l| !l.trim_start().starts_with("total") && !l.trim_start().starts_with("match probability"))
        .filter_map(|l| weight(l))
        .sum();
    assert!((parts - total).abs() < 0.01, "{parts} against {total}:\n{}", e.stdout);
    let e = docket(dir.path(), &["link", "--settings", &s, &a, &b, "--explain", "rec-nobody", y]);
    assert_ne!(e.code, 0);
    assert!(e.stderr.contains("no record `rec-nobody` in table A"), "{}", e.stderr);
}

const SMALL: &str = r#"
mode = "link"
id_column = "id"
[columns]
name = "name"
born = "date"
[blocking]
rules = [["born"], ["name"]]
[[comparison]]
name = "name"
columns = ["name"]
levels = ["exact", "same_tokens", "jaro_winkler >= 0.9"]
[[comparison]]
name = "born"
columns = ["born"]
levels = ["exact", "day_month_swapped", "year"]
[training]
random_pairs = 1000
"#;

#[test]
fn bad_settings_are_named_by_key_and_level() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("a.csv"), "id,name,born\n1,Ana Garcia,1990-01-02\n").expect("write");
    for (change, expected) in [
        (SMALL.replace("[training]", "[training]\nrandom_pair = 5"), "unknown field `random_pair`"),
        (SMALL.replace("\"year\"]", "\"yaer\"]"), "comparison `born` level 3 `yaer`: unknown level"),
        (SMALL.replace("[\"name\"]]", "[\"nmae\"]]"), "`nmae` is neither a column"),
        (SMALL.replace("mode = \"link\"", "mode = \"both\""), "unknown variant `both`"),
    ] {
        std::fs::write(dir.path().join("s.toml"), change).expect("write");
        let r = docket(dir.path(), &["link", "--settings", "s.toml", "a.csv", "a.csv", "--out", "l.csv"]);
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("s.toml") && r.stderr.contains(expected), "`{expected}` in: {}", r.stderr);
    }
    let r = docket(dir.path(), &["link", "--settings", "missing.toml", "a.csv", "a.csv", "--out", "l.csv"]);
    assert!(r.code != 0 && r.stderr.contains("cannot read settings file `missing.toml`"), "{}", r.stderr);
}

#[test]
fn bad_rows_are_reported_and_skipped_and_the_rest_linked() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("s.toml"), SMALL).expect("write");
    std::fs::write(
        dir.path().join("a.csv"),
        "id,name,born\n1,Ana Garcia,1990-01-02\n2,Li Wei,1975-03-04,extra\n,No Id,1970-01-01\n3,Ivan Petrov,12/05/1980\n4,Omar Haddad,1988-07-08\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("b.csv"),
        "id,name,born\nx,Ana Garcia,1990-02-01\ny,Omar Haddad,1988-07-08\ny,Twice,1988-07-08\n",
    )
    .expect("write");
    let r = docket(dir.path(), &["link", "--settings", "s.toml", "a.csv", "b.csv", "--out", "l.csv"]);
    assert_eq!(r.code, 4, "rows were skipped: {}\n{}", r.stdout, r.stderr);
    for needle in [
        "a.csv:3: the row has 4 fields, the header 3 (row skipped)",
        "a.csv:4: column `id`: the id is empty (row skipped)",
        "a.csv:5: column `born`: `12/05/1980` is not a date",
        "b.csv:4: column `id`: id `y` is not unique",
    ] {
        assert!(r.stderr.contains(needle), "`{needle}` in:\n{}", r.stderr);
    }
    let links = std::fs::read_to_string(dir.path().join("l.csv")).expect("links");
    assert!(links.contains("\n1,x,") && links.contains("\n4,y,"), "the good rows are linked:\n{links}");
    // Pairs of record ids say who is who: readable by their owner alone.
    assert_eq!(mode(&dir.path().join("l.csv")), 0o600, "links file mode");

    std::fs::write(dir.path().join("c.csv"), "id,name\n1,Ana\n").expect("write");
    let r = docket(dir.path(), &["link", "--settings", "s.toml", "a.csv", "c.csv", "--out", "l.csv"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("`c.csv`: no column `born` in the header"), "{}", r.stderr);
}

/// The shipped settings are chosen by name, from a directory that holds no checkout: they are
/// built into the program, and give the same links as the file they came from.
#[test]
fn shipped_settings_are_chosen_by_name_anywhere() {
    let dir = tempfile::tempdir().expect("temp");
    let (a, b) = (febrl4("febrl4_a.csv"), febrl4("febrl4_b.csv"));
    let by_name = docket(dir.path(), &["link", "--settings", "febrl-link", &a, &b, "--out", "by-name.csv"]);
    assert_eq!(by_name.code, 0, "{}\n{}", by_name.stdout, by_name.stderr);
    let path = settings("febrl-link.toml");
    let by_path = docket(dir.path(), &["link", "--settings", &path, &a, &b, "--out", "by-path.csv"]);
    assert_eq!(by_path.code, 0, "{}", by_path.stderr);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect("links written");
    assert_eq!(read("by-name.csv"), read("by-path.csv"));
    assert!(read("by-name.csv").lines().count() > 4000, "FEBRL4 links");

    // The mode is the shipped settings' own: dedupe wants one table.
    let r = docket(dir.path(), &["link", "--settings", "febrl-dedupe", &a, &b, "--out", "d.csv"]);
    assert!(r.code == 1 && r.stderr.contains("settings `febrl-dedupe` say mode = \"dedupe\""), "{}", r.stderr);
}

/// A name that is not shipped is refused with the names that are; a value that names a file
/// here, has a `/` or ends in `.toml` is a file, even one named like shipped settings.
#[test]
fn settings_names_and_paths_follow_one_rule() {
    let dir = tempfile::tempdir().expect("temp");
    let r = docket(dir.path(), &["link", "--settings", "person", "a.csv", "b.csv", "--out", "l.csv"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for needle in ["`--settings person`", "`febrl-link`, `febrl-dedupe`, `persons`", "no file `person`"] {
        assert!(r.stderr.contains(needle), "`{needle}` in:\n{}", r.stderr);
    }
    let r = docket(dir.path(), &["link", "--settings", "persons.toml", "a.csv", "b.csv", "--out", "l.csv"]);
    assert!(r.code == 1 && r.stderr.contains("cannot read settings file `persons.toml`"), "{}", r.stderr);
    let r = docket(dir.path(), &["link", "--settings", "sub/persons", "a.csv", "b.csv", "--out", "l.csv"]);
    assert!(r.code == 1 && r.stderr.contains("cannot read settings file `sub/persons`"), "{}", r.stderr);

    // A file here named `persons` is read, not the shipped settings (whose columns these are not).
    std::fs::write(dir.path().join("persons"), SMALL).expect("write");
    std::fs::write(dir.path().join("a.csv"), "id,name,born\n1,Ana Garcia,1990-01-02\n2,Li Wei,1975-03-04\n")
        .expect("write");
    std::fs::write(dir.path().join("b.csv"), "id,name,born\nx,Ana Garcia,1990-01-02\n").expect("write");
    let r = docket(dir.path(), &["link", "--settings", "persons", "a.csv", "b.csv", "--out", "l.csv"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(std::fs::read_to_string(dir.path().join("l.csv")).expect("links").contains("\n1,x,"));

    let help = docket(dir.path(), &["link", "--help"]);
    for needle in ["persons", "febrl-link", "febrl-dedupe", "ends in `.toml`"] {
        assert!(help.stdout.contains(needle), "`{needle}` in `docket link --help`:\n{}", help.stdout);
    }
}

/// With the truth, the summary gives the best F1 beside the threshold's, the calibration of
/// the kept pairs (ten bands whose pairs add up) and the three-way figures; a review floor that
/// is not a probability is refused before anything is read.
#[test]
fn the_truth_gives_best_f1_calibration_and_three_way_figures() {
    let dir = tempfile::tempdir().expect("temp");
    let (a, b, truth) = (febrl4("febrl4_a.csv"), febrl4("febrl4_b.csv"), febrl4("febrl4_links.csv"));
    let r = docket(
        dir.path(),
        &["--json", "link", "--settings", "febrl-link", &a, &b, "--out", "l.csv", "--truth", &truth],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json summary");
    let e = &v["evaluation"];
    let (f1, best) = (e["f1"].as_f64().expect("f1"), e["best_f1"].as_f64().expect("best_f1"));
    assert!(best >= f1 && best >= 0.999, "best F1 {best}, own {f1}");
    let bands = e["calibration"]["bands"].as_array().expect("bands");
    assert_eq!(bands.len(), 10);
    let pairs: u64 = bands.iter().map(|b| b["pairs"].as_u64().expect("pairs")).sum();
    assert_eq!(pairs, e["calibration"]["pairs"].as_u64().expect("pairs"));
    assert!(pairs >= v["accepted"].as_u64().expect("accepted"));
    let ece = e["calibration"]["ece"].as_f64().expect("ece");
    assert!((0.0..0.05).contains(&ece), "FEBRL4's pairs are nearly all sure: ECE {ece}");
    assert_eq!(e["three_way"]["review_floor"].as_f64(), Some(0.1));
    assert_eq!(v["review"]["floor"].as_f64(), Some(0.1));

    let text = docket(dir.path(), &["link", "--settings", "febrl-link", &a, &b, "--out", "l.csv", "--truth", &truth]);
    for needle in ["best F1 at any threshold", "three-way:", "expected calibration error", "0.9-1.0", "for review:"] {
        assert!(text.stdout.contains(needle), "`{needle}` in:\n{}", text.stdout);
    }

    for bad in ["1.5", "-0.1", "NaN"] {
        let floor = format!("--review-floor={bad}");
        let r = docket(dir.path(), &["link", "--settings", "febrl-link", &a, &b, "--out", "x.csv", &floor]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains(&format!("`--review-floor {bad}` is not a probability")), "{}", r.stderr);
        assert!(!dir.path().join("x.csv").exists());
    }
}
