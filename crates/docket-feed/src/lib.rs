//! Docket's departure feed over NATS JetStream: the transport half. Departure records published
//! to the `DEPARTURES` stream are fetched in batches by a durable pull consumer and handed to
//! whatever applies them (an [`Apply`], called on a blocking thread); each message is acked only
//! after it was committed, a message that can never be applied is kept in the dead-letter
//! stream with its reason, and a batch that failed retryably is delivered again. Delivery is at
//! least once: what applies a message must take it twice harmlessly.
//!
//! This is the only crate that knows NATS. It knows nothing of what a departure record means:
//! the use case that turns one into a decision lives in `docket-app`, and a shell wires the two.
//!
//! ```no_run
//! use docket_feed::{Apply, DeadLetter, Delivered, Feed, FeedConfig, Outcome, Retry, Stop};
//!
//! /// Takes every record that is UTF-8 text, and dead-letters the rest.
//! struct Record;
//!
//! impl Apply for Record {
//!     fn apply(&mut self, batch: &[Delivered]) -> Result<Vec<Outcome>, Retry> {
//!         Ok(batch
//!             .iter()
//!             .map(|m| match std::str::from_utf8(m.payload()) {
//!                 Ok(_) => Ok(()),
//!                 Err(e) => Err(DeadLetter::new(format!("not UTF-8: {e}"))),
//!             })
//!             .collect())
//!     }
//! }
//!
//! # async fn run() -> Result<(), docket_feed::FeedError> {
//! let feed = Feed::connect(FeedConfig::default()).await?;
//! let totals = feed.run(Record, Stop::on_signal()?).await?;
//! println!("{} committed, {} dead-lettered", totals.committed, totals.dead_lettered);
//! # Ok(())
//! # }
//! ```

mod apply;
mod blocking;
mod config;
mod error;
mod feed;
mod publish;
mod stop;

pub use apply::{Apply, DeadLetter, Delivered, Outcome, Retry};
pub use blocking::{publish_blocking, run_until_signal, stream_messages_blocking};
pub use config::FeedConfig;
pub use error::{FeedError, NatsError};
pub use feed::{DEAD_REASON, Feed, FeedEvent, ORIGINAL_SEQUENCE, ORIGINAL_STREAM, ORIGINAL_SUBJECT, Totals};
pub use publish::publish_all;
pub use stop::{Stop, StopHandle};

/// The NATS client this crate is built on, for a caller that publishes or looks at streams
/// itself (tests, benchmarks) without depending on it separately.
pub use async_nats;
