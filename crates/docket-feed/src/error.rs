//! The feed's one error enum: what stops it, or stops it from starting.
//!
//! A fetch, ack or dead-letter publish that fails while the feed runs is not an error here: it
//! is reported as a [`FeedEvent`](crate::FeedEvent) and retried, and at worst the message is
//! delivered again.

use thiserror::Error;

/// The source of a NATS failure, as async-nats gives it.
pub type NatsError = Box<dyn std::error::Error + Send + Sync>;

/// Why the feed could not start, stopped, or could not publish.
#[derive(Debug, Error)]
pub enum FeedError {
    /// A field of [`FeedConfig`](crate::FeedConfig) the feed cannot run with.
    #[error("configuration field `{field}`: {reason}")]
    Config {
        /// The field's name.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The server did not answer or refused the connection.
    #[error("cannot connect to NATS at `{url}`")]
    Connect {
        /// The configured URL.
        url: String,
        /// What async-nats said.
        #[source]
        source: NatsError,
    },
    /// A stream could not be found or created (JetStream not enabled, overlapping subjects, no
    /// answer).
    #[error("cannot open or create stream `{stream}`")]
    Stream {
        /// The stream's name.
        stream: String,
        /// What the server or client said.
        #[source]
        source: NatsError,
    },
    /// The durable consumer could not be found or created.
    #[error("cannot open or create consumer `{consumer}` on stream `{stream}`")]
    Consumer {
        /// The stream's name.
        stream: String,
        /// The consumer's name.
        consumer: String,
        /// What the server or client said.
        #[source]
        source: NatsError,
    },
    /// The [`Apply`](crate::Apply) panicked; nothing of its batch was acked, so every message of
    /// it will be delivered again.
    #[error("applying a batch of {batch} messages panicked; none of them was acked")]
    ApplyPanicked {
        /// How many messages the batch held.
        batch: usize,
    },
    /// The [`Apply`](crate::Apply) gave another number of outcomes than the batch had messages;
    /// nothing of the batch was acked.
    #[error("applying a batch of {expected} messages gave {got} outcomes; none of them was acked")]
    OutcomeCount {
        /// The batch's length.
        expected: usize,
        /// The outcomes' length.
        got: usize,
    },
    /// A message could not be published, or JetStream did not acknowledge storing it.
    #[error("cannot publish message {index} to `{subject}`")]
    Publish {
        /// The subject.
        subject: String,
        /// Its index among the messages given, from 0.
        index: usize,
        /// What the server or client said.
        #[source]
        source: NatsError,
    },
    /// The signal handlers for a stop could not be installed.
    #[error("cannot listen for stop signals")]
    Signal(#[source] std::io::Error),
    /// The runtime of a blocking entry point could not be started.
    #[error("cannot start the feed's runtime")]
    Runtime(#[source] std::io::Error),
}
