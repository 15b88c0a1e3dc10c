//! `docket link`: the record-linkage engine on CSV files, with its summary, `links.csv`, the
//! saved model and one pair's explanation.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use docket_link::link::{self, LinkResult};
use docket_link::model::Model;
use docket_link::settings::{Mode, Settings};
use docket_link::table::Records;
use serde_json::json;

/// What `docket link` was asked to do.
pub struct LinkArgs {
    /// The settings: a file's path or a shipped name ([`read_settings`]).
    pub settings: PathBuf,
    /// Table A (or the one table to deduplicate) and, when linking, table B.
    pub files: Vec<PathBuf>,
    /// Where to write accepted pairs.
    pub out: Option<PathBuf>,
    /// Where to write the pairs for review: below the threshold, at or above `review_floor`.
    pub review_out: Option<PathBuf>,
    /// The match probability from which pairs below the threshold are for review.
    pub review_floor: Option<f64>,
    /// Where to save the fitted model.
    pub model_out: Option<PathBuf>,
    /// A saved model to use instead of fitting one.
    pub model: Option<PathBuf>,
    /// True pairs, for precision, recall, F1 and blocking recall.
    pub truth: Option<PathBuf>,
    /// Explain one pair: its two ids.
    pub explain: Option<Vec<String>>,
    /// Print the summary as JSON.
    pub json: bool,
    /// Show progress bars.
    pub progress: bool,
}

/// Runs `docket link`. Returns the process exit status: 0, or [`crate::exit::ROWS_REJECTED`]
/// when rows were skipped.
pub fn run(args: &LinkArgs) -> Result<i32> {
    let settings = read_settings(&args.settings)?;
    let want = match settings.mode {
        Mode::Link => 2,
        Mode::Dedupe => 1,
    };
    if args.files.len() != want {
        bail!(
            "settings `{}` say mode = \"{}\": give {want} CSV file{}, not {}",
            args.settings.display(),
            if want == 2 { "link" } else { "dedupe" },
            if want == 2 { "s" } else { "" },
            args.files.len()
        );
    }
    let review_floor = match args.review_floor {
        Some(p) => link::ReviewFloor::new(p)
            .map_err(|_| anyhow::anyhow!("`--review-floor {p}` is not a probability between 0 and 1"))?,
        None => link::ReviewFloor::DEFAULT,
    };
    if args.out.is_none() && args.explain.is_none() {
        bail!("say where the accepted pairs go with `--out links.csv` (or ask for `--explain ID_A ID_B`)");
    }
    let started = std::time::Instant::now();
    let paths: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let records = Records::read(&settings, &paths)?;
    let read_secs = started.elapsed().as_secs_f64();
    for issue in &records.issues {
        eprintln!(
            "{}:{}: {}{}{}",
            issue.file,
            issue.line,
            issue.column.as_deref().map(|c| format!("column `{c}`: ")).unwrap_or_default(),
            issue.reason,
            if issue.skipped { " (row skipped)" } else { "" }
        );
    }
    if records.issues_not_listed > 0 {
        eprintln!("... and {} more rows with problems", records.issues_not_listed);
    }
    let model = args.model.as_deref().map(|p| Model::load(p, &settings)).transpose()?;
    let truth = match &args.truth {
        Some(p) => {
            let pairs = read_truth(p)?;
            let (resolved, unknown) = link::resolve_truth(&settings, &records, &pairs);
            if unknown > 0 {
                eprintln!("{}: {unknown} true pairs name ids not among the linked rows", p.display());
            }
            Some(resolved)
        }
        None => None,
    };
    let bar = indicatif::ProgressBar::new(0);
    if !args.progress || args.json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>22} [{bar:40}] {percent:>3}% {human_pos}/{human_len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut progress = |phase: &str, done: u64, total: u64| {
        bar.set_message(phase.to_owned());
        bar.set_length(total);
        bar.set_position(done);
    };
    let options = link::JobOptions { review_floor };
    let result = link::run_with(&settings, &records, model, truth.as_deref(), &options, &mut progress);
    bar.finish_and_clear();
    if let Some(p) = &args.model_out {
        result.model.save(p)?;
    }
    if let Some(ids) = &args.explain {
        explain(&settings, &records, &result, ids, args.json)?;
        if args.out.is_none() {
            return Ok(0);
        }
    }
    let write_started = std::time::Instant::now();
    if let Some(out) = &args.out {
        write_links(out, &settings, &records, &result, &result.accepted)?;
    }
    if let Some(out) = &args.review_out {
        write_links(out, &settings, &records, &result, &result.review)?;
    }
    let mut timings = vec![("reading".to_owned(), read_secs)];
    timings.extend(result.timings.iter().cloned());
    timings.push(("writing".to_owned(), write_started.elapsed().as_secs_f64()));
    print_summary(&settings, &records, &result, &timings, args)?;
    Ok(if records.issues.is_empty() { 0 } else { i32::from(crate::exit::ROWS_REJECTED) })
}

/// Reads `--settings`: a settings file, or settings shipped in the program
/// ([`docket_link::settings::SHIPPED`]) by name. A value is a path when it names an existing
/// file, contains a path separator or ends in `.toml`; any other value must be a shipped name.
/// So `persons` is the shipped settings, unless a file `persons` is here; `./persons` and
/// `persons.toml` are always files.
pub fn read_settings(value: &Path) -> Result<Settings> {
    let text = value.to_string_lossy();
    if value.is_file() || text.contains(std::path::is_separator) || text.ends_with(".toml") {
        return Ok(Settings::from_file(value)?);
    }
    match Settings::shipped(&text) {
        Some(settings) => Ok(settings?),
        None => {
            let names: Vec<String> = docket_link::settings::SHIPPED.iter().map(|(n, _)| format!("`{n}`")).collect();
            bail!(
                "`--settings {text}`: no settings of that name are shipped ({}), and no file `{text}` is here (a path \
                 containing a `/` or ending in `.toml` is always read as a file)",
                names.join(", ")
            )
        }
    }
}

/// True pairs: a CSV file with a header whose first two columns are the ids of A and B.
fn read_truth(path: &Path) -> Result<Vec<(String, String)>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("cannot read truth file `{}`", path.display()))?;
    let mut out = Vec::new();
    for (n, row) in r.records().enumerate() {
        let row = row.with_context(|| format!("truth file `{}`, line {}", path.display(), n + 2))?;
        match (row.get(0), row.get(1)) {
            (Some(a), Some(b)) => out.push((a.trim().to_owned(), b.trim().to_owned())),
            _ => bail!("truth file `{}`, line {}: two id columns expected", path.display(), n + 2),
        }
    }
    Ok(out)
}

/// Writes `pairs` (the accepted pairs, or those for review) in the columns of `links.csv`.
fn write_links(
    out: &Path,
    settings: &Settings,
    records: &Records,
    result: &LinkResult,
    pairs: &[docket_link::link::ScoredPair],
) -> Result<()> {
    // Pairs of ids say which records are the same person: owner-only, like the tables.
    let file =
        docket_store::wire::owner_only::create(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let (a, b) = match settings.mode {
        Mode::Link => ("id_a", "id_b"),
        Mode::Dedupe => ("id_1", "id_2"),
    };
    write!(w, "{a},{b},match_probability,match_weight,prior_weight,related_weight")?;
    for c in &settings.comparisons {
        write!(w, ",{}_weight", c.name)?;
    }
    writeln!(w)?;
    // Rows are formatted in parallel, a slice of pairs per thread, and written in order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    for block in pairs.chunks(1 << 18) {
        let per = block.len().div_ceil(threads).max(1);
        let parts: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> =
                block.chunks(per).map(|part| s.spawn(move || format_links(part, settings, records, result))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        for part in parts {
            w.write_all(part.as_bytes())?;
        }
    }
    w.flush().with_context(|| format!("cannot write `{}`", out.display()))?;
    Ok(())
}

fn format_links(
    pairs: &[docket_link::link::ScoredPair],
    settings: &Settings,
    records: &Records,
    result: &LinkResult,
) -> String {
    let prior = result.weights.prior;
    let mut out = String::with_capacity(pairs.len() * 96);
    for p in pairs {
        out.push_str(&csv_field(&records.ids[p.a as usize]));
        out.push(',');
        out.push_str(&csv_field(&records.ids[p.b as usize]));
        let side = result.weights.side(p.b as usize);
        let related = result.weights.related_between(p.pattern, p.a as usize, side);
        for (value, decimals) in [(p.probability(), 6), (p.weight, 4), (prior, 4), (related, 4)] {
            out.push(',');
            push_fixed(&mut out, value, decimals);
        }
        for c in 0..settings.comparisons.len() {
            let l = docket_link::compare::level_of(p.pattern, c);
            out.push(',');
            push_fixed(&mut out, result.weights.of(c, l, p.a as usize, side, p.pattern), 4);
        }
        out.push('\n');
    }
    out
}

/// Appends `x` with `decimals` digits after the point, the digits `format!("{x:.N}")` gives
/// (a value that rounds to zero without its sign), without the cost of exact float formatting
/// per field but where a half makes it needed.
fn push_fixed(out: &mut String, x: f64, decimals: u32) {
    use std::fmt::Write as _;
    let scale = 10u64.pow(decimals);
    let product = x.abs() * scale as f64;
    let scaled = product.round();
    // The product is within a few ulps of the exact decimal value; only where that is so near
    // a half that the rounding could go either way is the exact (and slower) formatting needed.
    // `format!` rounds the exact binary value, halves to even.
    let near_half = ((product - product.floor()) - 0.5).abs() <= 4.0 * f64::EPSILON * product.max(1.0);
    if !x.is_finite() || scaled >= 1e18 || near_half {
        let at = out.len();
        let _ = write!(out, "{x:.prec$}", prec = decimals as usize);
        // Written without a sign when it rounds to zero, as below.
        if out[at..].starts_with('-') && out[at + 1..].bytes().all(|b| b == b'0' || b == b'.') {
            out.remove(at);
        }
        return;
    }
    let scaled = scaled as u64;
    if x.is_sign_negative() && scaled != 0 {
        out.push('-');
    }
    // The digits by hand: `write!` goes through the formatting machinery, a third of the
    // time spent writing a million links.
    let mut digits = [0u8; 24];
    let mut at = digits.len();
    let mut rest = scaled;
    let mut written = 0;
    while written <= decimals || rest > 0 {
        if written == decimals && decimals > 0 {
            at -= 1;
            digits[at] = b'.';
        }
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        written += 1;
    }
    out.extend(digits[at..].iter().map(|&b| char::from(b)));
}

fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

fn explain(settings: &Settings, records: &Records, result: &LinkResult, ids: &[String], json: bool) -> Result<()> {
    let [x, y] = ids else { bail!("`--explain` takes two ids") };
    let find = |id: &str, range: std::ops::Range<usize>, table: &str| {
        range
            .clone()
            .find(|&i| records.ids[i] == id)
            .with_context(|| format!("`--explain`: no record `{id}` in {table}"))
    };
    let (a, b) = match settings.mode {
        Mode::Link => (find(x, 0..records.a_len, "table A")?, find(y, records.a_len..records.len(), "table B")?),
        Mode::Dedupe => (find(x, 0..records.len(), "the table")?, find(y, 0..records.len(), "the table")?),
    };
    let e = link::explain(settings, records, &result.weights, a.min(b), a.max(b));
    if json {
        return crate::out::print_line(&serde_json::to_string_pretty(&e)?);
    }
    let mut out = String::new();
    use std::fmt::Write as _;
    writeln!(out, "Pair {} / {}", e.ids.0, e.ids.1)?;
    writeln!(out, "  {:<28} {:<32} {:>9}", "comparison", "level", "weight")?;
    writeln!(out, "  {:<28} {:<32} {:>+9.3}", "prior (log2 odds)", "", e.prior_weight)?;
    let ceiling = e.related_ceiling.map(|c| format!("ceiling {c:.3}")).unwrap_or_default();
    writeln!(out, "  {:<28} {:<32} {:>+9.3}", "related (calibration)", ceiling, e.related_weight)?;
    for k in &e.related_kinds {
        writeln!(out, "    {:<26} ceiling {:.3}", format!("as {}", k.name), k.ceiling)?;
    }
    for c in &e.comparisons {
        let level = if c.term_frequency_adjusted { format!("{} (by frequency)", c.level) } else { c.level.clone() };
        writeln!(out, "  {:<28} {:<32} {:>+9.3}", c.name, level, c.weight)?;
    }
    writeln!(out, "  {:<28} {:<32} {:>+9.3}", "total", "", e.total_weight)?;
    writeln!(out, "  match probability {:.6}", e.probability)?;
    crate::out::print(&out)
}

fn print_summary(
    settings: &Settings,
    records: &Records,
    r: &LinkResult,
    timings: &[(String, f64)],
    args: &LinkArgs,
) -> Result<()> {
    let total: f64 = timings.iter().map(|t| t.1).sum();
    let skipped = records.issues.iter().filter(|i| i.skipped).count() as u64;
    if args.json {
        let v = json!({
            "mode": match settings.mode { Mode::Link => "link", Mode::Dedupe => "dedupe" },
            "records": {"a": records.a_len, "b": records.b_len(), "rows_with_problems": records.issues.len() as u64 + records.issues_not_listed, "rows_skipped_listed": skipped},
            "blocking": r.blocking,
            "candidates": r.candidates,
            "blocking_recall": r.blocking_recall,
            "model": {"prior": r.model.prior, "expected_matches": r.model.expected_matches, "sessions": r.model.fit.sessions},
            "threshold": {"probability": r.threshold, "policy": r.threshold_policy},
            "accepted": r.accepted.len(),
            "review": {"floor": review_floor(args), "pairs": r.review.len()},
            "evaluation": r.evaluation,
            "seconds": timings.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "total_seconds": total,
        });
        return crate::out::print_line(&serde_json::to_string_pretty(&v)?);
    }
    let mut s = String::new();
    use std::fmt::Write as _;
    match settings.mode {
        Mode::Link => writeln!(s, "records: {} in A, {} in B", records.a_len, records.b_len())?,
        Mode::Dedupe => writeln!(s, "records: {}", records.a_len)?,
    }
    if !records.issues.is_empty() {
        writeln!(s, "rows with problems: {} (listed above)", records.issues.len() as u64 + records.issues_not_listed)?;
    }
    writeln!(s, "blocking:")?;
    // The rules' column as wide as the longest rule, so that the figures line up.
    let width = r.blocking.iter().map(|b| b.rule.chars().count()).max().unwrap_or(0).max(40);
    for b in &r.blocking {
        write!(s, "  {:<width$} {:>12} pairs {:>12} new", b.rule, b.pairs, b.new_pairs)?;
        if b.skipped_blocks > 0 {
            write!(s, "  ({} blocks over the cap skipped, {} pairs)", b.skipped_blocks, b.skipped_pairs)?;
        }
        if let Some(rc) = b.recall {
            write!(s, "  recall {rc:.4}")?;
        }
        writeln!(s)?;
    }
    write!(s, "  {:<width$} {:>12} pairs", "union", r.candidates)?;
    if let Some(rc) = r.blocking_recall {
        write!(s, "{:>19}recall {rc:.4}", "")?;
    }
    writeln!(s)?;
    writeln!(s, "model: prior {:.3e}, {:.0} expected matches", r.model.prior, r.model.expected_matches)?;
    writeln!(s, "threshold: {}", r.threshold_policy)?;
    writeln!(s, "accepted: {} pairs", r.accepted.len())?;
    writeln!(
        s,
        "for review: {} pairs (match probability >= {} and below the threshold)",
        r.review.len(),
        review_floor(args)
    )?;
    if let Some(e) = &r.evaluation {
        writeln!(
            s,
            "against the truth ({} pairs): precision {:.4}, recall {:.4}, F1 {:.4} ({} true, {} false positives, {} missed)",
            e.true_pairs, e.precision, e.recall, e.f1, e.true_positives, e.false_positives, e.false_negatives
        )?;
        writeln!(s, "  best F1 at any threshold {:.4} (match probability >= {:.4})", e.best_f1, e.best_threshold)?;
        let t = &e.three_way;
        writeln!(
            s,
            "  three-way: {} pairs >= {} (precision {:.4}); {} for review ({} true); recall with review {:.4}; {:.3} \
             review pairs per clear pair",
            t.clear, t.clear_from, t.clear_precision, t.review, t.review_true, t.recall_above_floor, t.review_per_clear
        )?;
        let c = &e.calibration;
        writeln!(s, "  calibration over the {} kept pairs: expected calibration error {:.4}", c.pairs, c.ece)?;
        writeln!(s, "    {:<11} {:>12} {:>10} {:>10}", "probability", "pairs", "predicted", "observed")?;
        for b in &c.bands {
            let band = format!("{:.1}-{:.1}", b.from, b.to);
            writeln!(s, "    {band:<11} {:>12} {:>10.4} {:>10.4}", b.pairs, b.mean_probability, b.observed)?;
        }
    }
    let phases: Vec<String> = timings.iter().map(|(k, v)| format!("{k} {v:.2}")).collect();
    writeln!(s, "seconds: {} (total {total:.2})", phases.join(", "))?;
    crate::out::print(&s)
}

/// The review floor asked for, or the default.
fn review_floor(args: &LinkArgs) -> f64 {
    args.review_floor.unwrap_or(link::ReviewFloor::DEFAULT.get())
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixed_point_matches_format() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -2.5,
            0.123_456_78,
            -13.999_96,
            1e-7,
            -1e-7,
            42.000_05,
            0.999_999_5,
            1234.5678,
            -25.521_9,
            51.869_7,
            10.0,
            -100.000_01,
            987_654_321.123_4,
        ] {
            for d in [1u32, 4, 6] {
                let mut s = String::new();
                super::push_fixed(&mut s, x, d);
                let expected = format!("{x:.prec$}", prec = d as usize);
                let expected = if expected.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
                    expected.trim_start_matches('-').to_owned()
                } else {
                    expected
                };
                assert_eq!(s, expected, "{x} to {d} places");
            }
        }
    }

    /// Exact binary halves at the last place (0.03125 to 4 places), values whose product with
    /// the scale rounds to a half, and a spread of ordinary weights: the same digits as
    /// `format!` (rounding the exact value, halves to even), zero without a sign.
    #[test]
    fn fixed_point_matches_format_at_halves_and_across_weights() {
        let mut values = vec![0.03125, -0.03125, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1e-4 / 2.0, 0.12345, 2.675, 1.005];
        for k in 0..2000u32 {
            values.push(f64::from(k) / 64.0);
            values.push(-(f64::from(k) + 0.5) / 10_000.0);
            values.push(f64::from(k) * 0.000_05);
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            values.push(((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 120.0);
        }
        for x in values {
            for d in [1u32, 4, 6] {
                let mut s = String::new();
                super::push_fixed(&mut s, x, d);
                let expected = format!("{x:.prec$}", prec = d as usize);
                let expected = match expected.strip_prefix('-') {
                    Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_owned(),
                    _ => expected,
                };
                assert_eq!(s, expected, "{x:e} to {d} places");
            }
        }
    }
}
