//! Latency of one-record queries against a [`LinkIndex`]: builds the index over table A, then
//! answers table B's records one at a time and prints the build time, the memory, and the
//! query latency percentiles (and top-1 accuracy, given the true pairs).
//!
//! ```sh
//! cargo run --release -p docket-link --example index_latency -- \
//!     --settings crates/docket-link/settings/persons.toml A.csv B.csv \
//!     [--model model.json] [--truth truth.csv] [--queries 100000] [--limit 10,1] [--raw 10000] \
//!     [--max-block 1000] [--tokens-budget 200]
//! ```
//!
//! `--limit` takes one or more limits (comma-separated), each timed over the same queries.
//! Without `--model` a model is fitted first by the batch job on A × B. `--raw N` also times
//! the first N B rows from their raw CSV values (normalizing the record, then querying).
//! `--max-block N` indexes with a cap of N records per block instead of the settings'
//! `max_block_records`, `--tokens-budget N` with a budget of N candidates for the blocks of
//! the `tokens` rules instead of the settings' `tokens_budget`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use docket_link::index::LinkIndex;
use docket_link::link;
use docket_link::model::Model;
use docket_link::settings::Settings;
use docket_link::table::Records;

struct Args {
    settings: PathBuf,
    a: PathBuf,
    b: PathBuf,
    model: Option<PathBuf>,
    truth: Option<PathBuf>,
    queries: usize,
    limits: Vec<usize>,
    raw: usize,
    max_block: Option<u64>,
    tokens_budget: Option<u64>,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut settings, mut model, mut truth, mut files) = (None, None, None, Vec::new());
    let (mut queries, mut limits, mut raw, mut max_block) = (usize::MAX, vec![10], 0, None);
    let mut tokens_budget = None;
    let number = |v: Option<String>, what: &str| -> Result<usize, String> {
        v.ok_or(format!("{what} needs a value"))?.parse().map_err(|e| format!("{what}: {e}"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--settings" => settings = it.next().map(PathBuf::from),
            "--model" => model = it.next().map(PathBuf::from),
            "--truth" => truth = it.next().map(PathBuf::from),
            "--queries" => queries = number(it.next(), "--queries")?,
            "--limit" => {
                let v = it.next().ok_or("--limit needs a value")?;
                limits = v.split(',').map(|x| number(Some(x.to_owned()), "--limit")).collect::<Result<_, _>>()?;
            }
            "--raw" => raw = number(it.next(), "--raw")?,
            "--max-block" => max_block = Some(number(it.next(), "--max-block")? as u64),
            "--tokens-budget" => tokens_budget = Some(number(it.next(), "--tokens-budget")? as u64),
            _ if a.starts_with("--") => return Err(format!("unknown option `{a}`")),
            _ => files.push(PathBuf::from(a)),
        }
    }
    let [a, b] = <[PathBuf; 2]>::try_from(files).map_err(|_| "give table A and table B".to_owned())?;
    Ok(Args {
        settings: settings.ok_or("--settings is required")?,
        a,
        b,
        model,
        truth,
        queries,
        limits,
        raw,
        max_block,
        tokens_budget,
    })
}

/// `VmRSS` and `VmHWM` (peak resident memory) of this process, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentiles(label: &str, mut lat: Vec<Duration>) {
    if lat.is_empty() {
        return;
    }
    lat.sort_unstable();
    let at = |q: f64| lat[((lat.len() as f64 * q).ceil() as usize).clamp(1, lat.len()) - 1].as_secs_f64() * 1e6;
    let mean = lat.iter().map(Duration::as_secs_f64).sum::<f64>() / lat.len() as f64 * 1e6;
    println!(
        "{label}: {} queries, mean {mean:.1} µs, p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs",
        lat.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(0.999),
        at(1.0)
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let settings = Settings::from_file(&args.settings)?;
    let clock = Instant::now();
    let model = match &args.model {
        Some(path) => Model::load(path, &settings)?,
        None => {
            let both = Records::read(&settings, &[&args.a, &args.b])?;
            link::run(&settings, &both, None, None, &mut |_, _, _| {}).model
        }
    };
    println!("model: {:.2} s", clock.elapsed().as_secs_f64());

    let clock = Instant::now();
    let a = Records::read(&settings, &[&args.a])?;
    let read = clock.elapsed().as_secs_f64();
    let (rss_read, _) = memory();
    // The index skips blocks of more than `max_block_records` records; `--max-block` overrides
    // the settings' cap for the index only.
    let mut index_settings = settings.clone();
    if let Some(cap) = args.max_block {
        index_settings.max_block_records = cap;
    }
    if let Some(budget) = args.tokens_budget {
        index_settings.tokens_budget = budget;
    }
    let clock = Instant::now();
    let index = LinkIndex::build(&index_settings, a, &model)?;
    let build = clock.elapsed().as_secs_f64();
    let (rss, hwm) = memory();
    println!(
        "index: {} records; read and normalized in {read:.2} s ({rss_read:.0} MiB resident), indexed in {build:.2} s",
        index.records().len()
    );
    println!(
        "memory after build: {rss:.0} MiB resident, peak {hwm:.0} MiB; blocking tables {:.0} MiB",
        index.blocking_bytes() as f64 / (1 << 20) as f64
    );

    let b = Records::read(&settings, &[&args.b])?;
    let n = args.queries.min(b.len());
    let truth: HashMap<String, String> = match &args.truth {
        None => HashMap::new(),
        Some(path) => {
            let mut r = csv::Reader::from_path(path)?;
            let mut t = HashMap::new();
            for row in r.records() {
                let row = row?;
                t.insert(row[1].to_owned(), row[0].to_owned());
            }
            t
        }
    };

    // Candidates per query, and per rule, counted apart from the timed loops.
    let (mut with_skipped, mut with_held_back) = (0usize, 0usize);
    let blocked: Vec<Vec<(u32, u16)>> = (0..n)
        .map(|i| {
            let found = index.candidates(&b, i);
            with_skipped += usize::from(!found.skipped.is_empty());
            with_held_back += usize::from(!found.held_back.is_empty());
            found.records
        })
        .collect();
    let spread = |mut v: Vec<usize>| {
        v.sort_unstable();
        let mean = v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
        let at = |q: usize| v.get(v.len() * q / 100).or(v.last()).copied().unwrap_or(0);
        format!("mean {mean:.0}, p50 {}, p99 {}, max {}", at(50), at(99), v.last().copied().unwrap_or(0))
    };
    println!("candidates per query: {}", spread(blocked.iter().map(Vec::len).collect()));
    for (r, rule) in settings.rules.iter().enumerate() {
        let per = blocked.iter().map(|c| c.iter().filter(|e| e.1 & (1 << r) != 0).count()).collect();
        println!("  rule {r} `{}`: {}", rule.text, spread(per));
    }
    println!(
        "queries with blocks skipped (over the cap): {with_skipped}; with tokens blocks held back (budget {}): {with_held_back}",
        index.settings().tokens_budget
    );

    for &limit in &args.limits {
        let mut lat = Vec::with_capacity(n);
        let (mut with_truth, mut first, mut found, mut answered) = (0u64, 0u64, 0u64, 0u64);
        for i in 0..n {
            let clock = Instant::now();
            let best = index.query(&b, i, limit);
            lat.push(clock.elapsed());
            answered += u64::from(!best.is_empty());
            if let Some(want) = truth.get(&b.ids[i]) {
                with_truth += 1;
                first += u64::from(best.first().is_some_and(|c| c.id == want));
                found += u64::from(best.iter().any(|c| c.id == want));
            }
        }
        let mut slowest: Vec<(usize, Duration)> = lat.iter().copied().enumerate().collect();
        slowest.sort_unstable_by_key(|s| std::cmp::Reverse(s.1));
        percentiles(&format!("query, limit {limit} (normalized record)"), lat);
        let slowest: Vec<String> = slowest
            .iter()
            .take(3)
            .map(|&(i, d)| format!("{} {:.0} µs ({} candidates)", b.ids[i], d.as_secs_f64() * 1e6, blocked[i].len()))
            .collect();
        println!("  slowest: {}", slowest.join(", "));
        println!("  answered (any candidate): {answered} of {n}");
        if with_truth > 0 {
            println!(
                "  true record first for {first} of {with_truth} B records with one ({:.4}); in the top {limit} for {found}",
                first as f64 / with_truth as f64,
            );
        }
    }

    if args.raw > 0 {
        let limits_first = args.limits.first().copied().unwrap_or(10);
        let mut csv = csv::Reader::from_path(&args.b)?;
        let header: Vec<String> = csv.headers()?.iter().map(str::to_owned).collect();
        let id_at = header.iter().position(|h| *h == settings.id_column).ok_or("no id column in B")?;
        let columns: Vec<(usize, &str)> = settings
            .columns
            .iter()
            .filter_map(|(c, _)| header.iter().position(|h| h == c).map(|at| (at, c.as_str())))
            .collect();
        let mut lat = Vec::new();
        let mut normalize = Vec::new();
        for row in csv.records().take(args.raw) {
            let row = row?;
            let values: Vec<(&str, &str)> = columns.iter().map(|&(at, c)| (c, &row[at])).collect();
            let clock = Instant::now();
            let incoming = index.incoming(&row[id_at], &values)?;
            normalize.push(clock.elapsed());
            let best = index.query(&incoming, 0, limits_first);
            lat.push(clock.elapsed());
            std::hint::black_box(best);
        }
        percentiles("normalize only (raw values)", normalize);
        percentiles("normalize + query (raw values)", lat);
    }
    Ok(())
}
