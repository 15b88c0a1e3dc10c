//! Standard output, where every command prints its result. A write that fails makes the
//! command fail, so that a command whose result was never shown (`docket report > /dev/full`)
//! does not say it succeeded. A reader that has gone away (a closed pipe, as in
//! `docket report | head -1`) is the exception: it chose to stop reading, so the rest is
//! dropped quietly and the command ends as it would have, with its own exit status.

use std::io::Write as _;

use anyhow::{Context, Result};

/// Writes `text` to standard output and flushes it.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Writes `text` and a line break to standard output and flushes it.
pub fn print_line(text: &str) -> Result<()> {
    print(&format!("{text}\n"))
}
