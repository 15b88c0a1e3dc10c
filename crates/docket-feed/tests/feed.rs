//! The feed against the real NATS JetStream server: every message applied and acked once and
//! in order, dead letters kept with their reason, retried batches delivered again, and a
//! consumer dropped mid-batch resumed by the next with nothing lost.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc;
use std::time::Duration;

use common::{
    Cleanup, Log, Seen, connect, consumer_info, len, log, nats_url, payloads, subject, unique_config, wait_until,
};
use docket_feed::async_nats::jetstream;
use docket_feed::{
    DEAD_REASON, DeadLetter, Delivered, Feed, FeedEvent, ORIGINAL_SEQUENCE, ORIGINAL_STREAM, ORIGINAL_SUBJECT, Outcome,
    Retry, Stop, publish_all,
};

/// An `Apply` that commits everything and records it.
fn committing(log: &Log) -> impl FnMut(&[Delivered]) -> Result<Vec<Outcome>, Retry> + Send + 'static {
    let log = log.clone();
    move |batch: &[Delivered]| {
        log.lock().expect("the log").extend(batch.iter().map(Seen::of));
        Ok(batch.iter().map(|_| Ok(())).collect())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_is_applied_and_acked_once_in_order() {
    let config = unique_config(&nats_url());
    let _cleanup = Cleanup::of(&config);
    let feed = Feed::connect(config.clone()).await.expect("the feed connects");
    let client = connect(&config.url).await;
    // Some wait in the stream before the feed starts, the rest come while it runs.
    let mut sequences = publish_all(&client, &subject(&config), payloads(0, 700)).await.expect("published");

    let applied = log();
    let (handle, stop) = Stop::new();
    let running = tokio::spawn({
        let apply = committing(&applied);
        async move { feed.run(apply, stop).await }
    });
    for chunk in 0..3 {
        sequences.extend(
            publish_all(&client, &subject(&config), payloads(700 + chunk * 100, 100)).await.expect("published"),
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_until("1,000 messages applied", Duration::from_secs(20), || len(&applied) >= 1000).await;
    handle.stop();
    let totals = running.await.expect("the feed's task").expect("the feed ran");

    let applied = applied.lock().expect("the log").clone();
    assert_eq!(applied.iter().map(|s| s.payload.clone()).collect::<Vec<_>>(), payloads(0, 1000), "in order, once each");
    assert_eq!(applied.iter().map(|s| s.sequence).collect::<Vec<_>>(), sequences, "the stream's sequences");
    assert!(applied.iter().all(|s| s.delivered == 1), "nothing delivered twice");
    assert_eq!((totals.committed, totals.dead_lettered, totals.retried, totals.unconfirmed), (1000, 0, 0, 0));
    assert!(totals.batches > 1 && totals.batches < 1000, "applied in batches, not one by one: {totals:?}");

    let info = consumer_info(&client, &config).await;
    assert_eq!(
        (info.num_ack_pending, info.num_pending, info.num_redelivered),
        (0, 0, 0),
        "every message acked: {info:?}"
    );
    assert_eq!(info.ack_floor.stream_sequence, *sequences.last().expect("published"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_is_kept_with_its_reason_and_the_rest_of_the_batch_flows_on() {
    let config = unique_config(&nats_url());
    let _cleanup = Cleanup::of(&config);
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let feed = Feed::connect_observed(config.clone(), {
        let events = events.clone();
        move |event: &FeedEvent| events.lock().expect("the events").push(event.clone())
    })
    .await
    .expect("the feed connects");
    let client = connect(&config.url).await;
    let published: Vec<String> =
        (0..40).map(|i| if i % 7 == 3 { format!("bad-{i}") } else { format!("departure-{i}") }).collect();
    let sequences = publish_all(&client, &subject(&config), published.clone()).await.expect("published");

    let seen = log();
    let apply = {
        let seen = seen.clone();
        move |batch: &[Delivered]| {
            seen.lock().expect("the log").extend(batch.iter().map(Seen::of));
            Ok(batch
                .iter()
                .map(|m| match std::str::from_utf8(m.payload()) {
                    Ok(text) if text.starts_with("bad-") => {
                        Err(DeadLetter::new(format!("field `date`: `{text}` is not a date\nsecond line")))
                    }
                    _ => Ok(()),
                })
                .collect())
        }
    };
    let (handle, stop) = Stop::new();
    let running = tokio::spawn(async move { feed.run(apply, stop).await });
    wait_until("40 messages applied", Duration::from_secs(10), || len(&seen) >= 40).await;
    // Long enough for a dead letter wrongly fed back, or an original not acked, to come again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    handle.stop();
    let totals = running.await.expect("the feed's task").expect("the feed ran");

    let seen = seen.lock().expect("the log").clone();
    assert_eq!(seen.iter().map(|s| s.payload.clone()).collect::<Vec<_>>(), published, "each once, bad or good");
    let bad: Vec<usize> = (0..40).filter(|i| i % 7 == 3).collect();
    assert_eq!((totals.committed, totals.dead_lettered), (40 - bad.len() as u64, bad.len() as u64));

    let jetstream = jetstream::new(client.clone());
    let mut dead = jetstream.get_stream(&config.dead_stream).await.expect("the dead-letter stream");
    assert_eq!(dead.info().await.expect("its info").state.messages, bad.len() as u64, "one dead letter each");
    for (n, i) in bad.iter().enumerate() {
        let letter = dead.get_raw_message(n as u64 + 1).await.expect("a dead letter");
        let header = |name: &str| letter.headers.get(name).map(|v| v.as_str().to_owned());
        assert_eq!(letter.payload.as_ref(), format!("bad-{i}").as_bytes(), "the original payload");
        assert_eq!(letter.subject.as_str(), config.dead_subject);
        assert_eq!(header(DEAD_REASON), Some(format!("field `date`: `bad-{i}` is not a date second line")));
        assert_eq!(header(ORIGINAL_STREAM), Some(config.stream.clone()));
        assert_eq!(header(ORIGINAL_SUBJECT), Some(subject(&config)));
        assert_eq!(header(ORIGINAL_SEQUENCE), Some(sequences[*i].to_string()));
    }
    let info = consumer_info(&client, &config).await;
    assert_eq!((info.num_ack_pending, info.num_pending, info.num_redelivered), (0, 0, 0), "originals acked: {info:?}");
    let dead_lettered =
        events.lock().expect("the events").iter().filter(|e| matches!(e, FeedEvent::DeadLettered { .. })).count();
    assert_eq!(dead_lettered, bad.len(), "each dead letter reported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_batch_comes_again_and_is_not_acked_before_it_commits() {
    let config = unique_config(&nats_url());
    let _cleanup = Cleanup::of(&config);
    let feed = Feed::connect(config.clone()).await.expect("the feed connects");
    let client = connect(&config.url).await;
    publish_all(&client, &subject(&config), payloads(0, 100)).await.expect("published");

    // Every call until the third fails: the database is busy.
    let calls = log();
    let committed = log();
    let apply = {
        let (calls, committed) = (calls.clone(), committed.clone());
        let mut failures = 0;
        move |batch: &[Delivered]| {
            calls.lock().expect("the log").extend(batch.iter().map(Seen::of));
            if failures < 2 {
                failures += 1;
                return Err(Retry::new("database busy"));
            }
            committed.lock().expect("the log").extend(batch.iter().map(Seen::of));
            Ok(batch.iter().map(|_| Ok(())).collect())
        }
    };
    let (handle, stop) = Stop::new();
    let running = tokio::spawn(async move { feed.run(apply, stop).await });
    wait_until("100 messages committed", Duration::from_secs(15), || len(&committed) >= 100).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    handle.stop();
    let totals = running.await.expect("the feed's task").expect("the feed ran");

    let calls = calls.lock().expect("the log").clone();
    let committed = committed.lock().expect("the log").clone();
    let refused: BTreeSet<u64> = calls[..calls.len() - committed.len()].iter().map(|s| s.sequence).collect();
    assert!(!refused.is_empty());
    let mut times_committed = BTreeMap::new();
    for s in &committed {
        *times_committed.entry(s.sequence).or_insert(0) += 1;
        if refused.contains(&s.sequence) {
            assert!(s.delivered >= 2, "a retried message came again, so it was not acked: {s:?}");
        }
    }
    assert_eq!(times_committed.len(), 100, "every message committed in the end");
    assert!(times_committed.values().all(|&n| n == 1), "and once: {times_committed:?}");
    assert_eq!(totals.retried, (calls.len() - committed.len()) as u64);
    assert_eq!(totals.committed, 100);
    let info = consumer_info(&client, &config).await;
    assert_eq!((info.num_ack_pending, info.num_pending), (0, 0), "every message acked in the end: {info:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_dropped_mid_batch_is_resumed_by_the_next_with_nothing_lost() {
    let mut config = unique_config(&nats_url());
    config.batch_size = 16;
    // What the dropped consumer held comes again after this.
    config.ack_wait = Duration::from_secs(1);
    let _cleanup = Cleanup::of(&config);
    let feed = Feed::connect(config.clone()).await.expect("the feed connects");
    let client = connect(&config.url).await;
    let sequences = publish_all(&client, &subject(&config), payloads(0, 200)).await.expect("published");

    // The first consumer commits batches until one holds message 100, and is dropped while
    // applying it (the use case finishes, but nothing acks).
    let first = log();
    let (holding, held) = mpsc::channel::<Vec<Seen>>();
    let (release, released) = mpsc::channel::<()>();
    let apply = {
        let first = first.clone();
        move |batch: &[Delivered]| {
            let seen: Vec<Seen> = batch.iter().map(Seen::of).collect();
            if seen.iter().any(|s| s.payload == "departure-100") {
                holding.send(seen.clone()).expect("the test listens");
                let _ = released.recv();
            }
            first.lock().expect("the log").extend(seen);
            Ok(batch.iter().map(|_| Ok(())).collect())
        }
    };
    let (_handle, stop) = Stop::new();
    let running = tokio::spawn(async move { feed.run(apply, stop).await });
    let held = tokio::task::spawn_blocking(move || held.recv_timeout(Duration::from_secs(10)))
        .await
        .expect("the waiting task")
        .expect("the batch holding message 100 reached the use case");
    running.abort();
    assert!(running.await.expect_err("aborted").is_cancelled());
    release.send(()).expect("the use case waits");
    // The dropped feed's use case has returned; what it applied of the held batch was never acked.
    let last_held = held.last().expect("a batch holds a message").sequence;
    wait_until("the held batch applied", Duration::from_secs(5), || {
        first.lock().expect("the log").iter().any(|s| s.sequence == last_held)
    })
    .await;
    let first = first.lock().expect("the log").clone();
    let acked: BTreeSet<u64> = first[..first.len() - held.len()].iter().map(|s| s.sequence).collect();

    let second = log();
    let feed = Feed::connect(config.clone()).await.expect("the feed connects again, same durable name");
    let (handle, stop) = Stop::new();
    let running = tokio::spawn({
        let apply = committing(&second);
        async move { feed.run(apply, stop).await }
    });
    let all: BTreeSet<u64> = sequences.iter().copied().collect();
    wait_until("every message not acked applied by the second consumer", Duration::from_secs(15), || {
        let second = second.lock().expect("the log");
        all.iter().all(|s| acked.contains(s) || second.iter().any(|t| t.sequence == *s))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    handle.stop();
    running.await.expect("the feed's task").expect("the feed ran");

    let second = second.lock().expect("the log").clone();
    assert!(second.iter().all(|s| !acked.contains(&s.sequence)), "nothing acked by the first consumer came again");
    let again: BTreeSet<u64> = second.iter().map(|s| s.sequence).collect();
    assert_eq!(again.len(), second.len(), "each message once to the second consumer");
    assert_eq!(again, &all - &acked, "exactly the messages not acked");
    for s in held {
        let redelivered = second.iter().find(|t| t.sequence == s.sequence).expect("the held batch came again");
        assert!(redelivered.delivered >= 2, "{redelivered:?} was delivered before");
    }
    let info = consumer_info(&client, &config).await;
    assert_eq!((info.num_ack_pending, info.num_pending), (0, 0), "every message acked in the end: {info:?}");
}
