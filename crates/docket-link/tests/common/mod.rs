//! Shared helper for the data-driven tests: tables of cases in `tests/data/*.tsv`.
//!
//! Each non-comment line is one case: tab-separated input columns, then the expected
//! output, which may itself span several columns (a tab in an answer separates columns). Lines starting with `#` and empty lines are
//! kept as they are. In input and output, `\t`, `\n`, `\\` and `\u{XXXX}` are escapes, so
//! invisible characters can be written visibly; any other backslash is literal.
//!
//! Run with `UPDATE_EXPECT=1` to rewrite the expected columns from the code's answers, then
//! review the diff: the committed values were checked by hand or come from references. A
//! file containing a line `# frozen` holds a published reference and is never rewritten.

use std::fmt::Write as _;
use std::path::PathBuf;

/// Checks every case of `tests/data/{file}`: `inputs` columns go to `compute`, whose answer
/// must equal the rest of the line. Fails listing every differing case, and if the file has
/// fewer than `min_cases` cases (so that a truncated file cannot pass).
pub fn check_table(file: &str, inputs: usize, min_cases: usize, compute: impl Fn(&[String]) -> String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()));
    let frozen = text.lines().any(|l| l.trim() == "# frozen");
    let update = std::env::var_os("UPDATE_EXPECT").is_some() && !frozen;
    let mut rewritten = String::new();
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            rewritten.push_str(line);
            rewritten.push('\n');
            continue;
        }
        cases += 1;
        let columns: Vec<&str> = line.split('\t').collect();
        if columns.len() <= inputs {
            failures.push(format!("{file}:{}: expected {inputs} input columns and an answer: `{line}`", n + 1));
            continue;
        }
        let args: Vec<String> = columns[..inputs].iter().map(|c| unescape(c)).collect();
        let want = unescape(&columns[inputs..].join("\t"));
        let got = compute(&args);
        if got != want {
            failures.push(format!("{file}:{}: {:?}\n    want {want:?}\n    got  {got:?}", n + 1, args));
        }
        let mut out: Vec<String> = columns[..inputs].iter().map(|c| (*c).to_owned()).collect();
        // A tab in an answer separates its columns, as in the file.
        out.extend(got.split('\t').map(escape));
        let _ = writeln!(rewritten, "{}", out.join("\t"));
    }
    if update {
        std::fs::write(&path, rewritten).unwrap_or_else(|e| panic!("cannot write `{}`: {e}", path.display()));
        return;
    }
    assert!(failures.is_empty(), "{} of {cases} case(s) failed:\n{}", failures.len(), failures.join("\n"));
    assert!(cases >= min_cases, "{file} has {cases} cases; expected at least {min_cases}");
}

/// Reads the escapes described in the module documentation.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (text, used) = match tail.as_bytes().get(1) {
            Some(b't') => ("\t".to_owned(), 2),
            Some(b'n') => ("\n".to_owned(), 2),
            Some(b'\\') => ("\\".to_owned(), 2),
            Some(b'u') if tail[2..].starts_with('{') => match tail.find('}') {
                Some(end) => match u32::from_str_radix(&tail[3..end], 16).ok().and_then(char::from_u32) {
                    Some(c) => (c.to_string(), end + 1),
                    None => ("\\".to_owned(), 1),
                },
                None => ("\\".to_owned(), 1),
            },
            _ => ("\\".to_owned(), 1),
        };
        out.push_str(&text);
        rest = &tail[used..];
    }
    out.push_str(rest);
    out
}

/// Writes a value so that [`unescape`] reads it back and invisible characters show.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}') => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}
