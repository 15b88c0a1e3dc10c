//! What the feed's tests share: the real NATS server they need (failing loudly without it),
//! names of their own for every test, streams deleted afterwards, and an `Apply` that records.

#![allow(dead_code)] // Each test file uses its own part of this.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docket_feed::async_nats::jetstream::consumer::{self, pull};
use docket_feed::async_nats::{self, jetstream};
use docket_feed::{Delivered, FeedConfig};

/// The server the tests use: `DOCKET_TEST_NATS_URL`, else the local one `.ci/run` starts.
pub fn nats_url() -> String {
    std::env::var("DOCKET_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// A connection to the test server, or a failure that says what is missing: these tests never
/// skip for want of a server.
pub async fn connect(url: &str) -> async_nats::Client {
    let connecting = async_nats::ConnectOptions::new().connection_timeout(Duration::from_secs(3)).connect(url);
    match connecting.await {
        Ok(client) => client,
        Err(e) => panic!(
            "NATS with JetStream is required at `{url}` (DOCKET_TEST_NATS_URL) and is not reachable: {e}; \
             start it with `nats-server -js` or run `.ci/run`"
        ),
    }
}

/// A configuration whose stream, subjects, consumer and dead-letter stream are this test's
/// alone (process id and a counter), so that tests run in parallel; short waits.
pub fn unique_config(url: &str) -> FeedConfig {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tag = format!("{}_{n}", std::process::id());
    FeedConfig {
        url: url.to_owned(),
        stream: format!("TEST_DEPARTURES_{tag}"),
        subjects: vec![format!("test.{tag}.departures.>")],
        consumer: format!("test_{tag}"),
        dead_stream: format!("TEST_DEAD_{tag}"),
        dead_subject: format!("test.{tag}.dead"),
        batch_size: 64,
        fetch_expiry: Duration::from_millis(100),
        ack_wait: Duration::from_secs(30),
        max_ack_pending: 1024,
        retry_delay: Duration::from_millis(200),
        request_timeout: Duration::from_secs(2),
    }
}

/// The subject a test publishes to: one its stream captures.
pub fn subject(config: &FeedConfig) -> String {
    config.subjects[0].replace('>', "jfk")
}

/// Deletes a test's two streams when dropped, even when the test failed, on a thread and
/// runtime of its own (a test's runtime may be gone by then).
pub struct Cleanup {
    pub url: String,
    pub streams: Vec<String>,
}

impl Cleanup {
    pub fn of(config: &FeedConfig) -> Cleanup {
        Cleanup { url: config.url.clone(), streams: vec![config.stream.clone(), config.dead_stream.clone()] }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let url = self.url.clone();
        let streams = std::mem::take(&mut self.streams);
        let deleting = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async {
                let Ok(client) = async_nats::connect(url.as_str()).await else { return };
                let jetstream = jetstream::new(client);
                for stream in streams {
                    let _ = jetstream.delete_stream(&stream).await;
                }
            });
        });
        let _ = deleting.join();
    }
}

/// One message as an `Apply` saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub sequence: u64,
    pub payload: String,
    pub delivered: u64,
}

impl Seen {
    pub fn of(message: &Delivered) -> Seen {
        Seen {
            sequence: message.stream_sequence(),
            payload: String::from_utf8_lossy(message.payload()).into_owned(),
            delivered: message.delivered(),
        }
    }
}

/// What the `Apply` of a test committed, shared with the test.
pub type Log = Arc<Mutex<Vec<Seen>>>;

pub fn log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

pub fn len(log: &Log) -> usize {
    log.lock().expect("the log").len()
}

/// Waits until `done` holds, polling, or fails the test after `limit` saying what it waited for.
pub async fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The durable consumer's state as the server holds it.
pub async fn consumer_info(client: &async_nats::Client, config: &FeedConfig) -> consumer::Info {
    let consumer: consumer::Consumer<pull::Config> = jetstream::new(client.clone())
        .get_consumer_from_stream(&config.consumer, &config.stream)
        .await
        .expect("the feed's consumer exists");
    consumer.get_info().await.expect("the consumer's info")
}

/// `n` numbered payloads, `first` to `first + n - 1`.
pub fn payloads(first: usize, n: usize) -> Vec<String> {
    (first..first + n).map(|i| format!("departure-{i}")).collect()
}
