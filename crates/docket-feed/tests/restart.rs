//! The feed across a restart of its NATS server. The test starts a server of its own
//! (`nats-server -js` on a free port, its store in a temporary directory; the shared server is
//! never touched), kills it with SIGKILL while the feed is applying, starts it again on the same
//! port and store, and checks that the feed reconnected by itself and that every message whose
//! publish JetStream acknowledged was applied and, in the end, acked.

mod common;

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Seen, connect, consumer_info, len, log, payloads, subject, unique_config, wait_until};
use docket_feed::{Delivered, Feed, FeedEvent, Stop, publish_all};

/// The `nats-server` binary: on the path, else where Debian's package puts it.
fn nats_server_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file());
    let binary = on_path.unwrap_or_else(|| PathBuf::from("/usr/sbin/nats-server"));
    assert!(binary.is_file(), "this test needs `nats-server` (Debian's package `nats-server`; `.ci/run` installs it)");
    binary
}

/// A NATS server of this test's own, killed when dropped.
struct Server {
    child: Child,
}

impl Server {
    fn start(port: u16, store: &Path) -> Server {
        let log = std::fs::File::create(store.join("server.log")).expect("the server's log file");
        let child = Command::new(nats_server_binary())
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server starts");
        let server = Server { child };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the test's nats-server did not listen on {port} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// Publishes until JetStream acknowledges the lot, trying again while the server comes back;
/// returns the sequences acknowledged.
async fn publish_surely(client: &docket_feed::async_nats::Client, subject: &str, payloads: Vec<String>) -> Vec<u64> {
    let start = Instant::now();
    loop {
        match tokio::time::timeout(Duration::from_secs(3), publish_all(client, subject, payloads.clone())).await {
            Ok(Ok(sequences)) => return sequences,
            failed => {
                assert!(start.elapsed() < Duration::from_secs(20), "cannot publish after the restart: {failed:?}")
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_survives_a_restart_of_its_server_and_loses_nothing_acknowledged() {
    let store = tempfile::tempdir().expect("a store directory");
    let port = free_port();
    let mut server = Server::start(port, store.path());
    let mut config = unique_config(&format!("nats://127.0.0.1:{port}"));
    // Acks lost with the server come again soon.
    config.ack_wait = Duration::from_secs(2);

    let events = Arc::new(Mutex::new(Vec::new()));
    let feed = Feed::connect_observed(config.clone(), {
        let events = events.clone();
        move |event: &FeedEvent| events.lock().expect("the events").push(event.clone())
    })
    .await
    .expect("the feed connects to the test's server");
    let client = connect(&config.url).await;
    let mut acknowledged: Vec<u64> = publish_surely(&client, &subject(&config), payloads(0, 1000)).await;

    // A use case slow enough (a millisecond a message) that the server dies mid-stream.
    let applied = log();
    let apply = {
        let applied = applied.clone();
        move |batch: &[Delivered]| {
            std::thread::sleep(Duration::from_millis(batch.len() as u64));
            applied.lock().expect("the log").extend(batch.iter().map(Seen::of));
            Ok(batch.iter().map(|_| Ok(())).collect())
        }
    };
    let (handle, stop) = Stop::new();
    let running = tokio::spawn(async move { feed.run(apply, stop).await });
    wait_until("300 messages applied", Duration::from_secs(10), || len(&applied) >= 300).await;
    server.kill();
    let applied_before_the_kill = len(&applied);
    assert!(applied_before_the_kill < 1000, "the server was killed mid-stream, not after it");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _server = Server::start(port, store.path());

    acknowledged.extend(publish_surely(&client, &subject(&config), payloads(1000, 1000)).await);
    let wanted: BTreeSet<u64> = acknowledged.iter().copied().collect();
    assert_eq!(wanted.len(), 2000, "every publish acknowledged once");
    wait_until("every acknowledged message applied", Duration::from_secs(30), || {
        let applied: BTreeSet<u64> = applied.lock().expect("the log").iter().map(|s| s.sequence).collect();
        wanted.is_subset(&applied)
    })
    .await;
    // Messages whose acks died with the server come again after the ack wait, and are acked.
    let start = Instant::now();
    loop {
        let info = consumer_info(&client, &config).await;
        if (info.num_ack_pending, info.num_pending) == (0, 0) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "messages left unacked after the restart: {info:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    handle.stop();
    let totals = running.await.expect("the feed's task").expect("the feed ran through the restart");

    let applied = applied.lock().expect("the log").clone();
    let payloads_applied: BTreeSet<String> = applied.iter().map(|s| s.payload.clone()).collect();
    assert_eq!(payloads_applied, payloads(0, 2000).into_iter().collect(), "every payload, and nothing else");
    assert!(totals.committed >= 2000, "{totals:?}");
    let events = events.lock().expect("the events").clone();
    let disconnected = events.iter().position(|e| *e == FeedEvent::Connection("disconnected".into()));
    let reconnected = events.iter().rposition(|e| *e == FeedEvent::Connection("connected".into()));
    assert!(
        matches!((disconnected, reconnected), (Some(d), Some(r)) if d < r),
        "the feed lost its server and found it again by itself: {events:#?}"
    );
}
