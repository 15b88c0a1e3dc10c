//! Measures the feed against a real NATS server with a use case that does nothing: the latency
//! from publish to applied at a steady rate, then the throughput draining a backlog.
//!
//! ```sh
//! cargo run --release -p docket-feed --example feed_bench -- [RATE] [SECONDS] [BACKLOG]
//! ```
//!
//! Defaults: 1,000 messages a second for 20 s, then a backlog of 350,000. The server is
//! `DOCKET_TEST_NATS_URL` (default `nats://127.0.0.1:4222`); the streams are the run's own and
//! deleted after.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docket_feed::async_nats::jetstream;
use docket_feed::{Delivered, Feed, FeedConfig, Outcome, Retry, Stop, publish_all};

/// A departure record's size, more or less: the payload is a timestamp padded to this.
const PAYLOAD_BYTES: usize = 200;

fn payload(base: Instant) -> Vec<u8> {
    let mut text = base.elapsed().as_nanos().to_string();
    text.push(' ');
    text.extend(std::iter::repeat_n('x', PAYLOAD_BYTES.saturating_sub(text.len())));
    text.into_bytes()
}

/// What the trivial use case records: how long each message took from publish to applied.
#[derive(Default)]
struct Seen {
    latencies: Vec<Duration>,
    applied: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or_default()
}

fn arg(n: usize, default: u64) -> u64 {
    std::env::args().nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (rate, seconds, backlog) = (arg(1, 1000), arg(2, 20), arg(3, 350_000));
    let url = std::env::var("DOCKET_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned());
    let tag = std::process::id();
    let config = FeedConfig {
        url,
        stream: format!("BENCH_DEPARTURES_{tag}"),
        subjects: vec![format!("bench.{tag}.departures.>")],
        consumer: format!("bench_{tag}"),
        dead_stream: format!("BENCH_DEAD_{tag}"),
        dead_subject: format!("bench.{tag}.dead"),
        ..FeedConfig::default()
    };
    let subject = format!("bench.{tag}.departures.jfk");
    let feed = Feed::connect(config.clone()).await?;
    let client = feed.client().clone();
    let base = Instant::now();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let apply = {
        let seen = Arc::clone(&seen);
        move |batch: &[Delivered]| -> Result<Vec<Outcome>, Retry> {
            let now = base.elapsed();
            let mut seen = seen.lock().map_err(|_| Retry::new("the log is poisoned"))?;
            for message in batch {
                let sent = std::str::from_utf8(message.payload())
                    .ok()
                    .and_then(|t| t.split(' ').next())
                    .and_then(|t| t.parse::<u64>().ok())
                    .map(Duration::from_nanos);
                if let Some(sent) = sent {
                    seen.latencies.push(now.saturating_sub(sent));
                }
            }
            seen.applied += batch.len();
            Ok(batch.iter().map(|_| Ok(())).collect())
        }
    };
    let (handle, stop) = Stop::new();
    let running = tokio::spawn(async move { feed.run(apply, stop).await });

    // Latency: one message every 1/rate s, each published on its own (its store acknowledged
    // by JetStream off the pacing loop), for `seconds`.
    let total = (rate * seconds) as usize;
    let jetstream = jetstream::new(client.clone());
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    // Each ack is awaited on a task of its own: an ack future holds one of async-nats's 5,000
    // publish permits until it is awaited, so holding them all would stall the publisher.
    let mut acks = Vec::with_capacity(total);
    let started = Instant::now();
    for _ in 0..total {
        ticks.tick().await;
        let ack = jetstream.publish(subject.clone(), payload(base).into()).await?;
        acks.push(tokio::spawn(async move { ack.await.map(|_| ()) }));
    }
    let published_in = started.elapsed();
    for ack in acks {
        ack.await??;
    }
    let wait_for = |n: usize| {
        let seen = Arc::clone(&seen);
        async move {
            let start = Instant::now();
            while seen.lock().map(|s| s.applied).unwrap_or(0) < n {
                if start.elapsed() > Duration::from_secs(120) {
                    return Err("waited 120 s for the feed to apply everything");
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            Ok(())
        }
    };
    wait_for(total).await?;
    let mut latencies = std::mem::take(&mut seen.lock().map_err(|_| "the log is poisoned")?.latencies);
    latencies.sort();
    println!(
        "latency at {rate}/s for {seconds} s ({total} messages, published in {:.1} s): p50 {:?}, p90 {:?}, p99 {:?}, p99.9 {:?}, max {:?}",
        published_in.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.90),
        percentile(&latencies, 0.99),
        percentile(&latencies, 0.999),
        latencies.last().copied().unwrap_or_default(),
    );

    // Throughput: a backlog published first (its store acknowledged), then drained.
    handle.stop();
    let totals = running.await??;
    let started = Instant::now();
    let payloads: Vec<Vec<u8>> = (0..backlog).map(|_| payload(base)).collect();
    publish_all(&client, &subject, payloads).await?;
    let published_in = started.elapsed();
    let feed = Feed::connect(config.clone()).await?;
    let (handle, stop) = Stop::new();
    let before = seen.lock().map(|s| s.applied).unwrap_or(0);
    let started = Instant::now();
    let seen_in_run = Arc::clone(&seen);
    let running = tokio::spawn(async move {
        feed.run(
            move |batch: &[Delivered]| -> Result<Vec<Outcome>, Retry> {
                if let Ok(mut seen) = seen_in_run.lock() {
                    seen.applied += batch.len();
                }
                Ok(batch.iter().map(|_| Ok(())).collect())
            },
            stop,
        )
        .await
    });
    wait_for(before + backlog as usize).await?;
    let drained_in = started.elapsed();
    handle.stop();
    let drained = running.await??;
    println!(
        "throughput: {backlog} messages published in {:.2} s ({:.0}/s), applied in {:.2} s ({:.0}/s), {} batches (mean {:.0})",
        published_in.as_secs_f64(),
        backlog as f64 / published_in.as_secs_f64(),
        drained_in.as_secs_f64(),
        backlog as f64 / drained_in.as_secs_f64(),
        drained.batches,
        drained.committed as f64 / drained.batches.max(1) as f64,
    );
    println!("latency phase: {totals:?}\nthroughput phase: {drained:?}");

    let jetstream = jetstream::new(client);
    jetstream.delete_stream(&config.stream).await?;
    jetstream.delete_stream(&config.dead_stream).await?;
    Ok(())
}
