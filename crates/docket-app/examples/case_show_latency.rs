//! The latency of `case show` through the application layer — the case folded as of now, its
//! person, each action's gate with its reasons (the agency gate policy's too, when one is in
//! force), the priority under the priority policy in force, and the read's ledger leaves
//! committed (on SQLite, synced) — over random cases of an existing docket, as the command line and the
//! HTTP service call it. Prints p50, p90, p99 and the maximum in milliseconds.
//!
//! `cargo run --release -p docket-app --example case_show_latency -- sqlite://docket.db 1000000 2000`
//! (database URL, number of cases `C000000000`.., reads; the cases are those `docket synth`
//! writes).

use std::time::Instant;

use docket_app::{App, AppConfig, ReadContext};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).ok_or("usage: case_show_latency URL CASES READS")?;
    let cases: u64 = args.get(2).ok_or("the number of cases")?.parse()?;
    let reads: usize = args.get(3).map_or(Ok(1000), |r| r.parse())?;
    let app = App::open(url, AppConfig::default())?;
    let ctx = ReadContext::new(Some("bench"), Some("case_work"))?;
    // SplitMix64, seeded: the same cases every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut ms = Vec::with_capacity(reads);
    let (mut gated, mut ranked) = (0usize, 0usize);
    for _ in 0..reads {
        let case = format!("C{:09}", next() % cases);
        let start = Instant::now();
        let view = app.read_case(&ctx, &case, None)?;
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
        ranked += usize::from(view.priority.is_some());
        gated += usize::from(view.gates.is_some_and(|g| g.actions.len() == 6));
    }
    println!("{reads} reads of {cases} cases ({gated} with six gates, {ranked} with a priority): {}", quantiles(ms));
    // The durable commit alone: the same two access rows and leaves, nothing read or shown.
    let mut commits = Vec::with_capacity(reads);
    let case = docket_core::CaseId::parse("C000000000")?;
    let person = docket_core::PersonId::parse("P000000000")?;
    for _ in 0..reads {
        let start = Instant::now();
        app.with_store(|s| {
            let read = [docket_store::AccessedRecord::Case(&case), docket_store::AccessedRecord::Person(&person)];
            s.record_accesses(&ctx.actor, ctx.purpose, &read, app.now())
        })?;
        commits.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    println!("{reads} commits of a read's two ledger leaves alone: {}", quantiles(commits));
    Ok(())
}

/// p50, p90, p99 and the maximum of `ms`, in words.
fn quantiles(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    format!("p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms", at(0.50), at(0.90), at(0.99), at(1.0))
}
