//! What a packager installs beside the binary: shell completion scripts (`docket completions
//! SHELL`) and manual pages (`docket man [COMMAND]...`), generated from the command line's own
//! definition, so that they name every command and option the binary has and no other.

use anyhow::{Context, Result, bail};
use clap_mangen::roff::{Roff, bold, roman};

use crate::exit;

/// The exit statuses as the manual page gives them; docs/cli.md says more.
const EXIT_STATUSES: [(u8, &str); 6] = [
    (exit::OK, "done as asked"),
    (
        exit::FAILED,
        "the command could not do what it was asked: a database that cannot be opened, does not exist or is not \
         initialized, a file that cannot be read or written, a record that does not exist, an input refused as a whole",
    ),
    (exit::USAGE, "the command line is wrong: an unknown command or option, a missing argument, a value not allowed"),
    (exit::REPAIRED, "rebuild: case projections differed from the events and were replaced"),
    (exit::ROWS_REJECTED, "import, link: some rows were rejected or skipped, each reported; every other row was taken"),
    (exit::NOT_VERIFIED, "ledger verify: a discrepancy was found, or no signed checkpoint binds the ledger"),
];

/// The completion script for `shell`, for the command line `cli` (the binary's `docket`).
pub fn completions(shell: clap_complete::Shell, mut cli: clap::Command) -> Result<String> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cli, "docket", &mut script);
    String::from_utf8(script).context("the completion script is not UTF-8")
}

/// The manual page (roff) of `cli`, or of the subcommand that `path` names (`["ledger",
/// "verify"]` is docket-ledger-verify(1)). The page of `docket` itself adds the exit statuses
/// and where the other pages are.
pub fn man_page(mut cli: clap::Command, path: &[String]) -> Result<String> {
    // Built, the subcommands carry their full names (`docket-ledger-verify`), which their
    // pages take as titles.
    cli.build();
    let mut cmd = &cli;
    for (n, name) in path.iter().enumerate() {
        cmd = match cmd.find_subcommand(name) {
            Some(sub) => sub,
            None => {
                let known: Vec<&str> = cmd.get_subcommands().map(clap::Command::get_name).collect();
                bail!(
                    "`docket man {}`: `{}` has no command `{name}` (it has: {})",
                    path.join(" "),
                    std::iter::once("docket").chain(path[..n].iter().map(String::as_str)).collect::<Vec<_>>().join(" "),
                    if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                )
            }
        };
    }
    // Every page is of this program and version, not of the subcommand's (`verify `).
    let source = format!("docket {}", cli.get_version().unwrap_or_default());
    let man = clap_mangen::Man::new(cmd.clone()).source(source);
    let mut page = Vec::new();
    man.render(&mut page).context("rendering the manual page")?;
    let mut page = String::from_utf8(page).context("the manual page is not UTF-8")?;
    if path.is_empty() {
        page.push_str(&top_level_sections());
    }
    Ok(page)
}

/// EXIT STATUS and SEE ALSO, which clap does not know.
fn top_level_sections() -> String {
    let mut roff = Roff::default();
    roff.control("SH", ["EXIT STATUS"]);
    for (status, meaning) in EXIT_STATUSES {
        roff.control("TP", []);
        roff.text([bold(status.to_string())]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([
        roman("The page of each command: "),
        bold("docket man COMMAND"),
        roman(" (as "),
        bold("docket man ledger verify"),
        roman("). The file formats, the ledger and the exit statuses in full: docs/ in Docket's source."),
    ]);
    let text = roff.render();
    // Each rendering opens with the same roff string definitions; the page already has them.
    match text.find(".SH") {
        Some(at) => text[at..].to_owned(),
        None => text,
    }
}
