//! `docket departures consume`: the departure feed from NATS JetStream, decided by the
//! application layer as it comes. docket-feed fetches and acks; this wires its [`Apply`] to
//! [`App::apply_departure_messages`] and keeps the linkage index current on a thread of its own.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docket_app::App;
use docket_app::feed::LiveIndex;
use docket_app::matching::FeedSettings;
use docket_feed::{Apply, DeadLetter, Delivered, FeedConfig, FeedEvent, Outcome, Retry, Totals};
use serde::Serialize;

/// Decisions by outcome (`verified`, `review`, `unmatched`, `already_stored`), shared with
/// the shell for its report.
pub type Counts = Arc<Mutex<BTreeMap<&'static str, u64>>>;

/// The feed's [`Apply`]: each batch decided against the index in force.
struct Decide {
    app: App,
    live: Arc<LiveIndex>,
    feed: FeedSettings,
    counts: Counts,
}

impl Apply for Decide {
    fn apply(&mut self, batch: &[Delivered]) -> Result<Vec<Outcome>, Retry> {
        let index = self.live.current();
        let bodies: Vec<&[u8]> = batch.iter().map(Delivered::payload).collect();
        let outcomes = self
            .app
            .apply_departure_messages(&index, &bodies, &self.feed)
            .map_err(|e| Retry::new(format!("the database: {e}")))?;
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Ok(decision) => {
                    *counts.entry(decision.outcome).or_default() += 1;
                    Ok(())
                }
                Err(invalid) => Err(DeadLetter::new(invalid.to_string())),
            })
            .collect())
    }
}

/// What a consumer did, for its report when it stops.
#[derive(Debug, Serialize)]
pub struct Consumed {
    /// Batches applied.
    pub batches: u64,
    /// Messages decided and acked.
    pub committed: u64,
    /// Messages kept in the dead-letter stream with their reason, and acked.
    pub dead_lettered: u64,
    /// Messages to come again (their batch failed retryably).
    pub retried: u64,
    /// Decisions by outcome.
    pub outcomes: BTreeMap<&'static str, u64>,
    /// Times the index was rebuilt while running.
    pub index_rebuilds: u64,
    /// Persons in the index in force at the end.
    pub persons_indexed: usize,
}

/// Runs the feed until SIGINT or SIGTERM: builds the index over the persons of open cases
/// with the model in force, rebuilds it every `refresh` when the docket changed, and decides
/// each message as it comes. Reports on standard error as it goes.
pub fn consume(
    app: &App,
    settings: docket_link::settings::Settings,
    config: FeedConfig,
    feed: FeedSettings,
    refresh: Duration,
) -> anyhow::Result<Consumed> {
    let started = Instant::now();
    let live = Arc::new(LiveIndex::build(app, settings)?);
    {
        let index = live.current();
        eprintln!(
            "docket: {} persons of open cases indexed under model {} in {:.1} s",
            index.persons(),
            index.model(),
            started.elapsed().as_secs_f64()
        );
    }
    let stopping = Arc::new(AtomicBool::new(false));
    let rebuilds = Arc::new(Mutex::new(0u64));
    let refresher = {
        let (app, live, stopping, rebuilds) =
            (app.clone(), Arc::clone(&live), Arc::clone(&stopping), Arc::clone(&rebuilds));
        std::thread::Builder::new().name("docket-index".into()).spawn(move || {
            let mut last = Instant::now();
            while !stopping.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100).min(refresh));
                if last.elapsed() < refresh {
                    continue;
                }
                last = Instant::now();
                match live.refresh(&app) {
                    Ok(r) if r.rebuilt => {
                        *rebuilds.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
                        eprintln!(
                            "docket: index rebuilt, {} persons of open cases under model {} in {:.1} s",
                            r.persons, r.model, r.seconds
                        );
                    }
                    Ok(_) => {}
                    // The index in force goes on answering; the next period tries again.
                    Err(e) => eprintln!("docket: the index could not be rebuilt, the one in force stays: {e}"),
                }
            }
        })?
    };
    let counts: Counts = Arc::default();
    let apply = Decide { app: app.clone(), live: Arc::clone(&live), feed, counts: Arc::clone(&counts) };
    let observer = |event: &FeedEvent| eprintln!("docket-feed: {event}");
    let ready = |config: &FeedConfig| {
        eprintln!(
            "docket: consuming stream `{}` ({}) as `{}` at {}; dead letters to `{}`; SIGINT or SIGTERM stops",
            config.stream,
            config.subjects.join(", "),
            config.consumer,
            config.url,
            config.dead_subject
        );
    };
    let ran = docket_feed::run_until_signal(config, apply, observer, ready);
    stopping.store(true, Ordering::Relaxed);
    let _ = refresher.join();
    let Totals { batches, committed, dead_lettered, retried, .. } = ran?;
    let outcomes = counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let index_rebuilds = *rebuilds.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(Consumed {
        batches,
        committed,
        dead_lettered,
        retried,
        outcomes,
        index_rebuilds,
        persons_indexed: live.current().persons(),
    })
}
