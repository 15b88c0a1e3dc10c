//! The README's examples run as written: its `docket link-data` and `docket link` lines are
//! read from README.md and run, word for word, in an empty directory, the way a new user
//! copies them. A README line that stops working fails here.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The lines of README.md's "Using it" block that run `docket SUBCOMMAND` (`link` is not
/// `link-data`), each as its arguments, without the comment.
fn readme_commands(subcommand: &str) -> Vec<Vec<String>> {
    let readme = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(&readme).expect("README.md");
    let block = text
        .split("## Using it")
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|block| block.split("```").next())
        .expect("README.md has a sh block under `## Using it`");
    block
        .lines()
        .map(|line| line.split(" #").next().unwrap_or(line).trim())
        .filter(|line| line.split_whitespace().nth(1) == Some(subcommand) && line.starts_with("docket "))
        .map(|line| {
            // Words as a shell splits them, which holds only for lines without quotes or
            // expansions; a README line with them needs a real shell here.
            assert!(!line.contains(['"', '\'', '$', '*', '`', '\\']), "a plain command line: {line}");
            line.split_whitespace().skip(1).map(str::to_owned).collect()
        })
        .collect()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn docket(dir: &Path, args: &[String]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_docket")).args(args).current_dir(dir).output().expect("docket runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `docket link-data` then `docket link`, as README.md gives them: the link finds the
/// travellers who are docket persons, and writes them to the file the README names.
#[test]
fn the_readme_link_example_runs_as_written() {
    let (data, link) = (readme_commands("link-data"), readme_commands("link"));
    assert_eq!((data.len(), link.len()), (1, 1), "one `docket link-data` and one `docket link` line in README.md");
    let dir = tempfile::tempdir().expect("temp");
    for args in [&data[0], &link[0]] {
        let r = docket(dir.path(), args);
        assert_eq!(r.code, 0, "docket {}\nstdout:\n{}\nstderr:\n{}", args.join(" "), r.stdout, r.stderr);
        if args == &link[0] {
            // The README's example gives the truth, so the summary says how good the links are.
            let f1 = r
                .stdout
                .lines()
                .find(|l| l.starts_with("against the truth"))
                .and_then(|l| l.split(", F1 ").nth(1))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|f1| f1.parse::<f64>().ok());
            assert!(f1.is_some_and(|f1| f1 > 0.9), "F1 above 0.9 in:\n{}", r.stdout);
        }
    }
    let out = link[0].iter().skip_while(|w| *w != "--out").nth(1).expect("the README's link line has `--out`");
    let links = std::fs::read_to_string(dir.path().join(out)).expect("the links file is written");
    let mut lines = links.lines();
    assert!(lines.next().is_some_and(|h| h.starts_with("id_a,id_b,match_probability,")), "{links:.200}");
    let rows: Vec<&str> = lines.collect();
    // As many links as true pairs, give or take what F1 allows.
    let truth = std::fs::read_to_string(dir.path().join("link/truth.csv")).expect("truth").lines().count() - 1;
    assert!(
        truth > 100 && rows.len() * 10 > truth * 9 && rows.len() * 10 < truth * 11,
        "{} links, {truth} true pairs",
        rows.len()
    );
    assert!(rows.iter().all(|r| r.starts_with('P') && r.contains(",T")), "docket persons linked to travellers");
    // The doubtful pairs, beside the links, in the same columns.
    let review =
        link[0].iter().skip_while(|w| *w != "--review-out").nth(1).expect("the README's link line has `--review-out`");
    let review = std::fs::read_to_string(dir.path().join(review)).expect("the review file is written");
    assert_eq!(review.lines().next(), links.lines().next(), "the columns of the links file");
}

/// The README's `docket policy check` and `docket policy test` lines run as written from the
/// repository's root, where the shipped policies they name are.
#[test]
fn the_readme_policy_check_and_test_lines_run_as_written() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let lines: Vec<Vec<String>> = readme_commands("policy")
        .into_iter()
        .filter(|args| matches!(args.get(1).map(String::as_str), Some("check" | "test")))
        .collect();
    assert_eq!(lines.len(), 2, "a `docket policy check` and a `docket policy test` line in README.md");
    for args in &lines {
        let r = docket(&root, args);
        assert_eq!(r.code, 0, "docket {}\nstdout:\n{}\nstderr:\n{}", args.join(" "), r.stdout, r.stderr);
    }
}
