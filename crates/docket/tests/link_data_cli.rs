//! Black-box tests of `docket link-data` as a user runs it: the arguments reach the generator,
//! the summary line and `--json` say what was written, and impossible requests are refused
//! before anything is written. The data itself is tested in `docket-synth`'s
//! `tests/link_data.rs`.

use std::path::Path;
use std::process::Command;

/// Runs `docket link-data ARGS... --out DIR`; returns (exit status, stdout, stderr).
fn link_data(args: &[&str], out: &Path) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_docket"))
        .arg("link-data")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("the docket binary runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs `link-data` and expects success; returns stdout.
#[track_caller]
fn generate(args: &[&str], out: &Path) -> String {
    let (code, stdout, stderr) = link_data(args, out);
    assert_eq!(code, 0, "link-data {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    stdout
}

#[test]
fn the_summary_says_what_was_written_and_the_seed_decides_the_bytes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let febrl = |name: &str, seed: &str| {
        let dir = tmp.path().join(name);
        let stdout = generate(&["--kind", "febrl", "--rows-a", "400", "--rows-b", "300", "--seed", seed], &dir);
        (stdout, std::fs::read(dir.join("b.csv")).expect("b.csv written"))
    };
    let ((stdout, first), (_, again), (_, other)) = (febrl("1", "5"), febrl("2", "5"), febrl("3", "6"));
    assert!(stdout.contains("a.csv (400 rows)") && stdout.contains("b.csv (300 rows)"), "{stdout}");
    assert!(stdout.contains("truth.csv (300 true pairs)") && stdout.contains("(seed 5)"), "{stdout}");
    assert!(first == again, "the same seed gave different files");
    assert_ne!(first, other, "another seed gave the same file");

    let dir = tmp.path().join("manifest");
    let (code, stdout, stderr) = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["--json", "link-data", "--kind", "manifest", "--rows-a", "1000", "--rows-b", "400"])
        .args(["--match-share", "0.25", "--out"])
        .arg(&dir)
        .output()
        .map(|o| (o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned(), o.stderr))
        .expect("the docket binary runs");
    assert_eq!(code, Some(0), "{}", String::from_utf8_lossy(&stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("--json prints one object");
    assert_eq!(v["true_pairs"], 100, "{v}");
    assert_eq!(v["tables"][1]["rows"], 400, "{v}");
    assert!(v["travellers"].as_str().is_some_and(|p| p.ends_with("travellers.csv")), "{v}");
    assert!(dir.join("travellers.csv").exists());
    // Synthetic, but in the shape of person records: written like them, for the owner alone.
    for name in ["a.csv", "b.csv", "truth.csv", "travellers.csv"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join(name)).expect("written").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "`{name}` is {mode:o}");
    }
}

#[test]
fn impossible_requests_are_refused_before_writing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("x");
    let (code, _, stderr) = link_data(&["--kind", "febrl", "--rows-a", "10", "--rows-b", "11"], &out);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("`--rows-b 11` exceeds `--rows-a 10`"), "{stderr}");
    let (code, _, stderr) = link_data(&["--kind", "febrl", "--match-share", "0.1", "--dedupe"], &out);
    assert_eq!(code, 1);
    assert!(stderr.contains("`--dedupe` takes no variant"), "{stderr}");
    for (args, needle) in [
        (
            &["--kind", "manifest", "--variant", "households"][..],
            "`--variant households` applies to `--kind febrl` only",
        ),
        (
            &["--kind", "febrl", "--variant", "dual-nationals"],
            "`--variant dual-nationals` applies to `--kind manifest` only",
        ),
        (&["--kind", "manifest", "--households-share", "0.1"], "`--households-share` applies to `--kind febrl` only"),
        (
            &["--kind", "febrl", "--dual-nationals-share", "0.1"],
            "`--dual-nationals-share` applies to `--kind manifest` only",
        ),
        (&["--kind", "febrl", "--twins-share", "1.5"], "`--twins-share 1.5` is not between 0 and 1"),
        (&["--kind", "febrl", "--match-share=-1"], "`--match-share -1` is not between 0 and 1"),
        (&["--kind", "febrl", "--relatives-share", "0.6", "--namesakes-share", "0.6"], "add up to 1.2"),
        (
            &["--kind", "febrl", "--rows-a", "10", "--rows-b", "100", "--match-share", "0.5"],
            "more than the 10 originals",
        ),
    ] {
        let (code, _, stderr) = link_data(args, &out);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "`{needle}` in: {stderr}");
    }
    let (code, _, stderr) =
        link_data(&["--kind", "manifest", "--rows-a", "10", "--rows-b", "100", "--match-share", "0.5"], &out);
    assert_eq!(code, 1);
    assert!(stderr.contains("more than the 10 persons"), "{stderr}");
    assert!(!out.exists(), "nothing is written for a refused request");
}

/// Every file of `dir` with its SHA-256, in name order: one `name hash` line each.
fn digests(dir: &Path) -> String {
    use sha2::Digest as _;
    let mut names: Vec<_> = std::fs::read_dir(dir).expect("list").map(|e| e.expect("entry").file_name()).collect();
    names.sort();
    let mut out = String::new();
    for name in names {
        let bytes = std::fs::read(dir.join(&name)).expect("read");
        let hex: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(&format!("{} {hex}\n", name.to_string_lossy()));
    }
    out
}

/// The default options give the files they gave at 82ce4ce, before variants were added (the
/// digests were computed with the program built there), so that figures measured on the
/// default data still describe what the command writes; `--variant default` is the same.
#[test]
fn default_options_give_the_files_they_always_gave() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for (name, args, want) in [
        ("febrl", &["--kind", "febrl", "--rows-a", "2000", "--rows-b", "1500", "--seed", "3"][..], FEBRL_DIGESTS),
        (
            "dedupe",
            &["--kind", "febrl", "--rows-a", "1000", "--rows-b", "800", "--seed", "3", "--dedupe"],
            DEDUPE_DIGESTS,
        ),
        (
            "manifest",
            &["--kind", "manifest", "--rows-a", "3000", "--rows-b", "1500", "--match-share", "0.1", "--seed", "4"],
            MANIFEST_DIGESTS,
        ),
    ] {
        let dir = tmp.path().join(name);
        generate(args, &dir);
        assert_eq!(digests(&dir), want, "{args:?}");
        let again = tmp.path().join(format!("{name}-default"));
        generate(&[args, &["--variant", "default"]].concat(), &again);
        assert_eq!(digests(&again), want, "{args:?} --variant default");
    }
}

const FEBRL_DIGESTS: &str = "\
a.csv 4171108636eac27ee50e81482b89d81a6ddca725a2dcd6a102819dfdcbbb70b4
b.csv bf2949d25aaaabaa6764672be2ca88bd0bbfcd460868f5c6336611eca9fed19f
truth.csv 63da2f18786738996d9f5007e4b38557332c420eddeed5e87d38bae86cbb0bb1
";
const DEDUPE_DIGESTS: &str = "\
records.csv feba78c37d079e14b8ece3ffcf72215f42953f02d4f48ba0c0581d8e886fbc49
truth.csv 413d897001dd2b192ca38123179a6c081f30499523e5ee7517a46a5c8818620e
";
const MANIFEST_DIGESTS: &str = "\
a.csv 0639c162a7059a06cc393bc3198bcfb6f3ae1c0576bc93ade47a39661ceb769c
b.csv 1ef56a2086ea68e8187dbadc02ad3a76bef9faaacb0c97a37fd4cf7aceab0348
travellers.csv 932177bd98bbbf4d1ecac39fb7f221e899eead21965b946eb00db26de5123178
truth.csv 9dce97696ef28a88b596058b5b867b6aee2c093c83accd50c1c02258b55183bf
";

/// A variant reaches the generator: its name in the summary, who each B row is in `who.csv`,
/// the same bytes for the same options; a share option overrides the variant's.
#[test]
fn variants_and_share_options_reach_the_generator() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = |name: &str, extra: &[&str]| {
        let dir = tmp.path().join(name);
        let args =
            [&["--json", "link-data", "--kind", "febrl", "--rows-a", "3000", "--rows-b", "2000"][..], extra].concat();
        let o = Command::new(env!("CARGO_BIN_EXE_docket"))
            .args(&args)
            .arg("--out")
            .arg(&dir)
            .output()
            .expect("the docket binary runs");
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("--json prints one object");
        (v, dir)
    };
    let (v, dir) = run("relatives", &["--variant", "relatives"]);
    assert_eq!((v["variant"].as_str(), v["true_pairs"].as_u64()), (Some("relatives"), Some(1000)), "{v}");
    let who = std::fs::read_to_string(dir.join("who.csv")).expect("who.csv written");
    let relatives = who.lines().filter(|l| l.contains(",relative,")).count();
    assert!((60..=140).contains(&relatives), "{relatives} relatives among 1,000 non-matching rows");
    let (_, again) = run("relatives-again", &["--variant", "relatives"]);
    assert_eq!(digests(&dir), digests(&again), "the same options, the same bytes");
    let (_, more) = run("more", &["--variant", "relatives", "--relatives-share", "0.5", "--match-share", "0.8"]);
    let who = std::fs::read_to_string(more.join("who.csv")).expect("who.csv written");
    let relatives = who.lines().filter(|l| l.contains(",relative,")).count();
    let matches = who.lines().filter(|l| l.contains(",match,")).count();
    assert_eq!(matches, 1600);
    assert!((150..=250).contains(&relatives), "{relatives} relatives among 400 non-matching rows at a share of 0.5");
}

/// The three-way output end to end: FEBRL-like data with relatives, linked with a review file
/// whose pairs are those below the threshold and at or above the floor, in the columns of
/// `links.csv`, no record in both files, and as many as the summary says.
#[test]
fn review_pairs_of_a_variant_are_written_beside_the_links() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = tmp.path().join("data");
    generate(&["--kind", "febrl", "--rows-a", "4000", "--rows-b", "4000", "--seed", "5", "--variant", "mixed"], &data);
    let o = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["--json", "link", "--settings", "febrl-link"])
        .arg(data.join("a.csv"))
        .arg(data.join("b.csv"))
        .arg("--truth")
        .arg(data.join("truth.csv"))
        .args(["--out", "links.csv", "--review-out", "review.csv", "--review-floor", "0.05"])
        .current_dir(tmp.path())
        .output()
        .expect("the docket binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json summary");
    let threshold = v["threshold"]["probability"].as_f64().expect("threshold");
    let read = |name: &str| std::fs::read_to_string(tmp.path().join(name)).expect("written");
    let (links, review) = (read("links.csv"), read("review.csv"));
    assert_eq!(links.lines().next(), review.lines().next(), "the same columns");
    let rows = |text: &str| -> Vec<(String, String, f64)> {
        text.lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0].to_owned(), f[1].to_owned(), f[2].parse().expect("probability"))
            })
            .collect()
    };
    let (links, review) = (rows(&links), rows(&review));
    assert_eq!(review.len() as u64, v["review"]["pairs"].as_u64().expect("review pairs"));
    assert_eq!(v["evaluation"]["three_way"]["review"].as_u64(), Some(review.len() as u64));
    assert!(!review.is_empty(), "relatives and namesakes leave doubtful pairs");
    // Probabilities are written to six places.
    assert!(review.iter().all(|r| r.2 >= 0.05 - 1e-6 && r.2 < threshold + 1e-6), "{review:?}");
    assert!(review.windows(2).all(|w| w[0].2 >= w[1].2), "best first");
    let linked: std::collections::HashSet<&str> = links.iter().flat_map(|r| [r.0.as_str(), r.1.as_str()]).collect();
    assert!(review.iter().all(|r| !linked.contains(r.0.as_str()) && !linked.contains(r.1.as_str())));
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(tmp.path().join("review.csv")).expect("written").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "pairs of ids say who is who");
}
