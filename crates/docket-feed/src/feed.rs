//! The feed itself: the connection, the two streams and the durable pull consumer, and the loop
//! that fetches a batch, applies it on a blocking thread, then dead-letters and acks.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use async_nats::jetstream::message::{AckKind, PublishMessage};
use async_nats::jetstream::{self, stream};
use async_nats::{Client, ConnectOptions, Subject};
use futures::StreamExt;
use futures::future::join_all;

use crate::error::NatsError;
use crate::{Apply, Delivered, FeedConfig, FeedError, Outcome, Stop};

/// The header of a dead letter that says why its message could never be applied.
pub const DEAD_REASON: &str = "Docket-Dead-Reason";
/// The header of a dead letter naming the stream its message came from.
pub const ORIGINAL_STREAM: &str = "Docket-Original-Stream";
/// The header of a dead letter naming the subject its message was published to.
pub const ORIGINAL_SUBJECT: &str = "Docket-Original-Subject";
/// The header of a dead letter giving its message's sequence in the feed's stream.
pub const ORIGINAL_SEQUENCE: &str = "Docket-Original-Sequence";

/// The longest reason a dead letter's header keeps, in bytes; a longer one is cut, on a
/// character boundary, and ends with `...`.
const REASON_MAX: usize = 4096;

/// Something the feed met and went on from: a connection event, a fetch, ack or dead letter
/// that failed (and will be retried, or its message delivered again), a batch to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedEvent {
    /// async-nats's word on the connection: connected, disconnected, a server or client error.
    Connection(String),
    /// A fetch failed or timed out; the feed waits a little and fetches again.
    FetchFailed {
        /// What failed.
        error: String,
    },
    /// A delivered message without JetStream's metadata; it is left unacked.
    Unreadable {
        /// The subject it came on.
        subject: String,
        /// What could not be read.
        error: String,
    },
    /// The [`Apply`] asked for its batch to be retried; every message of it was nakked.
    Retrying {
        /// How many messages the batch held.
        messages: usize,
        /// The stream sequence of its first message.
        first_sequence: u64,
        /// The reason the `Apply` gave.
        reason: String,
    },
    /// A message was kept in the dead-letter stream, and its original acked.
    DeadLettered {
        /// Its sequence in the feed's stream.
        stream_sequence: u64,
        /// The reason the `Apply` gave.
        reason: String,
    },
    /// A dead letter could not be published; its original was nakked, to come again.
    DeadLetterFailed {
        /// Its sequence in the feed's stream.
        stream_sequence: u64,
        /// What failed.
        error: String,
    },
    /// An ack or a nak was not confirmed by the server; the message may be delivered again.
    AckFailed {
        /// Its sequence in the feed's stream.
        stream_sequence: u64,
        /// What failed.
        error: String,
    },
}

impl fmt::Display for FeedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeedEvent::Connection(event) => write!(f, "connection: {event}"),
            FeedEvent::FetchFailed { error } => write!(f, "fetch failed, fetching again: {error}"),
            FeedEvent::Unreadable { subject, error } => {
                write!(f, "message on `{subject}` left unacked, its metadata unreadable: {error}")
            }
            FeedEvent::Retrying { messages, first_sequence, reason } => {
                write!(f, "batch of {messages} from sequence {first_sequence} to be retried: {reason}")
            }
            FeedEvent::DeadLettered { stream_sequence, reason } => {
                write!(f, "message {stream_sequence} dead-lettered: {reason}")
            }
            FeedEvent::DeadLetterFailed { stream_sequence, error } => {
                write!(f, "message {stream_sequence} could not be dead-lettered, to come again: {error}")
            }
            FeedEvent::AckFailed { stream_sequence, error } => {
                write!(f, "ack of message {stream_sequence} not confirmed, it may come again: {error}")
            }
        }
    }
}

/// What a [`Feed::run`] did, counted in messages (and batches).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Batches handed to the [`Apply`].
    pub batches: u64,
    /// Messages committed and acked.
    pub committed: u64,
    /// Messages kept in the dead-letter stream and acked.
    pub dead_lettered: u64,
    /// Messages nakked to come again: their batch asked for a retry, or their dead letter failed.
    pub retried: u64,
    /// Acks and naks the server did not confirm (the message may come again).
    pub unconfirmed: u64,
}

type Observer = Arc<dyn Fn(&FeedEvent) + Send + Sync>;

/// A connection to NATS with the feed's streams and durable consumer in place, ready to
/// [`run`](Feed::run).
pub struct Feed {
    config: FeedConfig,
    client: Client,
    jetstream: jetstream::Context,
    consumer: PullConsumer,
    observer: Observer,
}

impl fmt::Debug for Feed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Feed").field("config", &self.config).finish_non_exhaustive()
    }
}

/// The default observer: every event on standard error, for a shell that sets none of its own.
fn to_stderr(event: &FeedEvent) {
    eprintln!("docket-feed: {event}");
}

impl Feed {
    /// Connects, creates the feed's stream, the dead-letter stream and the durable consumer
    /// where missing (existing ones are used as they are), and reports events on standard error.
    pub async fn connect(config: FeedConfig) -> Result<Feed, FeedError> {
        Feed::connect_observed(config, to_stderr).await
    }

    /// As [`Feed::connect`], with every [`FeedEvent`] given to `observer` (which must not block:
    /// it is called on the runtime's threads).
    pub async fn connect_observed(
        config: FeedConfig,
        observer: impl Fn(&FeedEvent) + Send + Sync + 'static,
    ) -> Result<Feed, FeedError> {
        config.check()?;
        let observer: Observer = Arc::new(observer);
        let events = Arc::clone(&observer);
        let client = ConnectOptions::new()
            .name("docket-feed")
            .request_timeout(Some(config.request_timeout))
            .connection_timeout(config.request_timeout)
            .ping_interval(Duration::from_secs(10))
            .max_reconnects(None)
            // Back off to a reconnection every half second, no slower: a restarted server is
            // found within that (async-nats's own backoff reaches 4 s).
            .reconnect_delay_callback(|attempts| Duration::from_millis(50).saturating_mul(attempts.min(10) as u32))
            .event_callback(move |event| {
                let events = Arc::clone(&events);
                async move { events(&FeedEvent::Connection(event.to_string())) }
            })
            .connect(config.url.as_str())
            .await
            .map_err(|e| FeedError::Connect { url: config.url.clone(), source: Box::new(e) })?;
        let mut jetstream = jetstream::new(client.clone());
        jetstream.set_timeout(config.request_timeout);

        let stream_failed = |stream: &str| {
            let stream = stream.to_owned();
            move |e: NatsError| FeedError::Stream { stream, source: e }
        };
        let feed_stream = jetstream
            .get_or_create_stream(stream::Config {
                name: config.stream.clone(),
                subjects: config.subjects.clone(),
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| stream_failed(&config.stream)(Box::new(e)))?;
        jetstream
            .get_or_create_stream(stream::Config {
                name: config.dead_stream.clone(),
                subjects: vec![config.dead_subject.clone()],
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| stream_failed(&config.dead_stream)(Box::new(e)))?;
        let consumer = feed_stream
            .get_or_create_consumer(
                &config.consumer,
                pull::Config {
                    durable_name: Some(config.consumer.clone()),
                    description: Some("docket: departure records applied by docket-feed".to_owned()),
                    deliver_policy: DeliverPolicy::All,
                    ack_policy: AckPolicy::Explicit,
                    ack_wait: config.ack_wait,
                    max_ack_pending: i64::try_from(config.max_ack_pending).unwrap_or(i64::MAX),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| FeedError::Consumer {
                stream: config.stream.clone(),
                consumer: config.consumer.clone(),
                source: Box::new(e),
            })?;
        Ok(Feed { config, client, jetstream, consumer, observer })
    }

    /// The connection, for publishing ([`publish_all`](crate::publish_all)) or looking at the
    /// streams.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &FeedConfig {
        &self.config
    }

    /// Fetches batches and hands each to `apply` on a blocking thread until `stop` is asked
    /// for, then returns what it did. Each committed message is acked only after `apply`
    /// returned, each dead letter is stored (JetStream's publish ack awaited) before its
    /// original is acked, and each ack is confirmed by the server. A message not acked is
    /// delivered again: delivery is at least once.
    ///
    /// Fetch, ack and dead-letter failures (a server restarting, the connection lost) are
    /// reported to the observer and retried, never returned. It returns an error only when
    /// `apply` panicked or miscounted its outcomes, having acked nothing of that batch.
    pub async fn run<A: Apply>(&self, apply: A, mut stop: Stop) -> Result<Totals, FeedError> {
        let mut apply = apply;
        let mut totals = Totals::default();
        let mut failures: u32 = 0;
        while !stop.is_stopped() {
            let messages = match self.fetch().await {
                Ok(messages) => {
                    failures = 0;
                    messages
                }
                Err(error) => {
                    (self.observer)(&FeedEvent::FetchFailed { error });
                    failures = failures.saturating_add(1);
                    let backoff = Duration::from_millis(50).saturating_mul(1 << failures.min(5));
                    pause(backoff, &mut stop).await;
                    continue;
                }
            };
            if messages.is_empty() {
                continue;
            }
            let (batch, replies) = self.delivered(messages);
            if batch.is_empty() {
                continue;
            }
            let size = batch.len();
            // The use case may block on a database: it runs on a blocking thread, and comes back
            // with the batch so that nothing is copied.
            let applied = tokio::task::spawn_blocking(move || {
                let result = apply.apply(&batch);
                (apply, batch, result)
            })
            .await;
            let (returned, batch, result) = applied.map_err(|_| FeedError::ApplyPanicked { batch: size })?;
            apply = returned;
            totals.batches += 1;
            match result {
                Err(retry) => {
                    (self.observer)(&FeedEvent::Retrying {
                        messages: size,
                        first_sequence: batch.first().map_or(0, Delivered::stream_sequence),
                        reason: retry.reason,
                    });
                    let naks = batch.iter().zip(&replies).map(|(message, reply)| (message, reply, self.nak()));
                    totals.unconfirmed += self.send_acks(naks.collect()).await;
                    totals.retried += size as u64;
                    pause(self.config.retry_delay, &mut stop).await;
                }
                Ok(outcomes) if outcomes.len() != size => {
                    return Err(FeedError::OutcomeCount { expected: size, got: outcomes.len() });
                }
                Ok(outcomes) => self.settle(&batch, &replies, outcomes, &mut totals).await,
            }
        }
        Ok(totals)
    }

    /// One fetch: up to a batch of messages, returned as soon as any are there (JetStream's
    /// no-wait pull with an expiry), or none when the expiry passes first.
    async fn fetch(&self) -> Result<Vec<jetstream::Message>, String> {
        let fetch = async {
            let mut batch = self
                .consumer
                .fetch()
                .max_messages(self.config.batch_size)
                .expires(self.config.fetch_expiry)
                .messages()
                .await
                .map_err(|e| e.to_string())?;
            let mut messages = Vec::new();
            while let Some(next) = batch.next().await {
                match next {
                    Ok(message) => messages.push(message),
                    Err(error) if messages.is_empty() => return Err(error.to_string()),
                    Err(error) => {
                        // Keep what came before it; it is applied, and the error reported.
                        (self.observer)(&FeedEvent::FetchFailed { error: error.to_string() });
                        break;
                    }
                }
            }
            Ok(messages)
        };
        // async-nats ends a fetch whose expiry notice never came (a server that went away) 5 s
        // after the expiry; the request timeout is soon enough.
        match tokio::time::timeout(self.config.fetch_expiry + self.config.request_timeout, fetch).await {
            Ok(fetched) => fetched,
            Err(_) => {
                Err(format!("no answer to a fetch within {:?}", self.config.fetch_expiry + self.config.request_timeout))
            }
        }
    }

    /// Splits fetched messages into what the [`Apply`] sees and the ack subjects the feed keeps.
    fn delivered(&self, messages: Vec<jetstream::Message>) -> (Vec<Delivered>, Vec<Subject>) {
        let mut batch = Vec::with_capacity(messages.len());
        let mut replies = Vec::with_capacity(messages.len());
        for message in messages {
            let read = message.info().map(|info| (info.stream_sequence, u64::try_from(info.delivered).unwrap_or(0)));
            match (read, message.message.reply.clone()) {
                (Ok((stream_sequence, delivered)), Some(reply)) => {
                    batch.push(Delivered::from_message(message.message, stream_sequence, delivered));
                    replies.push(reply);
                }
                (read, _) => (self.observer)(&FeedEvent::Unreadable {
                    subject: message.message.subject.to_string(),
                    error: read.err().map_or_else(|| "no ack subject".to_owned(), |e| e.to_string()),
                }),
            }
        }
        (batch, replies)
    }

    /// Dead-letters and acks a batch the [`Apply`] returned outcomes for: every dead letter is
    /// stored first, then the committed and dead-lettered originals are acked together.
    async fn settle(&self, batch: &[Delivered], replies: &[Subject], outcomes: Vec<Outcome>, totals: &mut Totals) {
        let dead: Vec<(usize, String)> = outcomes
            .into_iter()
            .enumerate()
            .filter_map(|(index, outcome)| outcome.err().map(|dead| (index, dead.reason)))
            .collect();
        let mut stored = vec![true; batch.len()];
        if !dead.is_empty() {
            let letters = dead.iter().map(|(index, reason)| self.dead_letter(&batch[*index], reason));
            for ((index, reason), result) in dead.iter().zip(join_all(letters).await) {
                let stream_sequence = batch[*index].stream_sequence();
                match result {
                    Ok(()) => {
                        totals.dead_lettered += 1;
                        (self.observer)(&FeedEvent::DeadLettered { stream_sequence, reason: reason.clone() });
                    }
                    Err(error) => {
                        stored[*index] = false;
                        totals.retried += 1;
                        (self.observer)(&FeedEvent::DeadLetterFailed { stream_sequence, error });
                    }
                }
            }
        }
        let dead_count = dead.len() as u64;
        let acks = batch
            .iter()
            .zip(replies)
            .zip(&stored)
            .map(|((message, reply), stored)| (message, reply, if *stored { AckKind::Ack } else { self.nak() }))
            .collect();
        totals.unconfirmed += self.send_acks(acks).await;
        totals.committed += batch.len() as u64 - dead_count;
    }

    /// Publishes a message's dead letter to the dead-letter stream and waits for JetStream to
    /// acknowledge it stored. Its message id (the stream and sequence of the original) lets
    /// JetStream drop a second copy, should the original come again before its ack landed.
    async fn dead_letter(&self, message: &Delivered, reason: &str) -> Result<(), String> {
        let original = message.message();
        let sequence = message.stream_sequence().to_string();
        let publish = PublishMessage::build()
            .payload(original.payload.clone())
            .header(DEAD_REASON, header_value(reason))
            .header(ORIGINAL_STREAM, self.config.stream.as_str())
            .header(ORIGINAL_SUBJECT, original.subject.as_str())
            .header(ORIGINAL_SEQUENCE, sequence.as_str())
            .message_id(format!("{}.{sequence}", self.config.stream))
            .expected_stream(self.config.dead_stream.as_str());
        let ack =
            self.jetstream.send_publish(self.config.dead_subject.clone(), publish).await.map_err(|e| e.to_string())?;
        ack.await.map(|_| ()).map_err(|e| e.to_string())
    }

    fn nak(&self) -> AckKind {
        AckKind::Nak(Some(self.config.retry_delay))
    }

    /// Sends every ack or nak at once, each as a request the server confirms, and waits for all
    /// of them; reports each one not confirmed and returns how many.
    async fn send_acks(&self, acks: Vec<(&Delivered, &Subject, AckKind)>) -> u64 {
        let requests = acks.iter().map(|(_, reply, kind)| self.client.request((*reply).clone(), (*kind).into()));
        let mut unconfirmed = 0;
        for ((message, _, _), answer) in acks.iter().zip(join_all(requests).await) {
            if let Err(error) = answer {
                unconfirmed += 1;
                (self.observer)(&FeedEvent::AckFailed {
                    stream_sequence: message.stream_sequence(),
                    error: error.to_string(),
                });
            }
        }
        unconfirmed
    }
}

/// Waits for `duration`, or less if a stop is asked for.
async fn pause(duration: Duration, stop: &mut Stop) {
    tokio::select! {
        () = tokio::time::sleep(duration) => {}
        () = stop.stopped() => {}
    }
}

/// A reason as a header value: no line breaks or other control characters (they would end the
/// header), at most [`REASON_MAX`] bytes.
fn header_value(reason: &str) -> String {
    let mut value: String = reason.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if value.len() > REASON_MAX {
        let mut end = REASON_MAX - 3;
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        value.truncate(end);
        value.push_str("...");
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_becomes_one_header_line_of_bounded_length() {
        assert_eq!(header_value("field `date`:\r\nnot a date"), "field `date`:  not a date");
        let long = "é".repeat(REASON_MAX);
        let value = header_value(&long);
        assert!(value.len() <= REASON_MAX && value.ends_with("...") && value.starts_with("éé"));
    }

    #[test]
    fn every_event_reads_as_a_lowercase_sentence_without_a_final_period() {
        let events = [
            FeedEvent::Connection("disconnected".into()),
            FeedEvent::FetchFailed { error: "timed out".into() },
            FeedEvent::Unreadable { subject: "departures.x".into(), error: "no ack subject".into() },
            FeedEvent::Retrying { messages: 3, first_sequence: 9, reason: "database busy".into() },
            FeedEvent::DeadLettered { stream_sequence: 9, reason: "bad date".into() },
            FeedEvent::DeadLetterFailed { stream_sequence: 9, error: "timed out".into() },
            FeedEvent::AckFailed { stream_sequence: 9, error: "timed out".into() },
        ];
        for event in events {
            let text = event.to_string();
            assert!(text.starts_with(|c: char| c.is_lowercase()) && !text.ends_with('.'), "{text}");
        }
    }
}
