//! `docket completions SHELL` and `docket man`: what a packager installs beside the binary.
//! The bash script is loaded into bash and asked to complete, and the manual page is read by
//! `man` where it is installed.

use std::io::Write as _;
use std::process::{Command, Stdio};

fn docket(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_docket")).args(args).output().expect("docket runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether `program` can be started here.
fn installed(program: &str) -> bool {
    Command::new(program).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, stdout, stderr) = docket(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        for needle in ["import", "ledger", "verify", "--purpose"] {
            assert!(stdout.contains(needle), "`{needle}` in the {shell} script");
        }
    }
    let (code, _, stderr) = docket(&["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error: {stderr}");
    assert!(stderr.contains("bash") && stderr.contains("powershell"), "the shells are listed: {stderr}");
}

/// The bash script, loaded into bash, completes subcommands, their subcommands and a
/// `--purpose` value.
#[test]
fn the_bash_script_completes_in_bash() {
    if !installed("bash") {
        eprintln!("bash is not installed: the script's text was checked, not its completions");
        return;
    }
    let (code, script, stderr) = docket(&["completions", "bash"]);
    assert_eq!(code, 0, "{stderr}");
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("docket.bash");
    std::fs::write(&path, script).expect("write");
    let complete = |words: &str| {
        let program = format!(
            // As bash calls a completion function: the words so far, the one being completed
            // last; the command, that word and the one before as arguments.
            "source {}\nCOMP_WORDS=({words})\nCOMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\nCOMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
             COMP_POINT=${{#COMP_LINE}}\n_docket docket \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = Command::new("bash").arg("-c").arg(&program).output().expect("bash runs");
        assert!(out.status.success(), "{words}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(complete("docket led"), ["ledger"]);
    assert!(complete("docket ''").iter().any(|w| w == "import"));
    assert_eq!(complete("docket ledger ver"), ["verify"]);
    assert_eq!(complete("docket case show C1 --purpose case_"), ["case_work"]);
}

#[test]
fn the_manual_page_is_roff_for_docket() {
    let (code, page, stderr) = docket(&["man"]);
    assert_eq!(code, 0, "{stderr}");
    // clap_mangen opens with a roff string definition (`.ie \n(.g .ds Aq ...`) before the title.
    let first_macro = page.lines().find(|l| l.starts_with(".TH") || l.starts_with(".SH")).expect("a title");
    assert!(first_macro.starts_with(".TH docket 1"), "{first_macro}");
    for needle in
        [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS", "ledger", "DOCKET_DATABASE_URL", ".SH \"EXIT STATUS\""]
    {
        assert!(page.contains(needle), "`{needle}` in the manual page:\n{page}");
    }

    // A command's own page, with its options.
    let (code, verify, stderr) = docket(&["man", "ledger", "verify"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(verify.contains(".TH docket-ledger-verify 1") && verify.contains("\\-\\-trusted"), "{verify}");
    let (code, _, stderr) = docket(&["man", "ledger", "nope"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`docket ledger` has no command `nope`"), "{stderr}");

    if !installed("man") {
        eprintln!("man is not installed: the page's roff was checked, not its rendering");
        return;
    }
    let mut man = Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("man runs");
    man.stdin.take().expect("stdin").write_all(page.as_bytes()).expect("page to man");
    let out = man.wait_with_output().expect("man ends");
    let text = String::from_utf8_lossy(&out.stdout);
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "man -l -: {warnings}");
    assert!(warnings.trim().is_empty(), "roff warnings: {warnings}");
    for needle in ["NAME", "docket - A system of record", "SYNOPSIS", "EXIT STATUS"] {
        assert!(text.contains(needle), "`{needle}` in the rendered page:\n{text}");
    }
}
