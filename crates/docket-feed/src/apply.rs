//! What the feed hands a batch of messages to, and what it is told back: committed, a dead
//! letter with its reason, or a retryable failure of the whole batch.

use std::fmt;

/// A message as the feed delivered it: its payload, the subject it was published to, its place
/// in the stream and how many times it has been delivered (1 the first time).
#[derive(Debug, Clone)]
pub struct Delivered {
    message: async_nats::Message,
    stream_sequence: u64,
    delivered: u64,
}

impl Delivered {
    /// A message as the feed would deliver it, for testing an [`Apply`] without a server.
    pub fn new(subject: &str, payload: impl Into<Vec<u8>>, stream_sequence: u64, delivered: u64) -> Delivered {
        let payload: Vec<u8> = payload.into();
        let message = async_nats::Message {
            subject: subject.into(),
            reply: None,
            length: subject.len() + payload.len(),
            payload: payload.into(),
            headers: None,
            status: None,
            description: None,
        };
        Delivered { message, stream_sequence, delivered }
    }

    /// Keeps what an [`Apply`] may read of a JetStream message; the ack subject stays with the
    /// feed, so nothing but the feed can ack.
    pub(crate) fn from_message(mut message: async_nats::Message, stream_sequence: u64, delivered: u64) -> Delivered {
        message.reply = None;
        Delivered { message, stream_sequence, delivered }
    }

    /// The message's body as published.
    pub fn payload(&self) -> &[u8] {
        &self.message.payload
    }

    /// The subject it was published to.
    pub fn subject(&self) -> &str {
        self.message.subject.as_str()
    }

    /// Its sequence number in the stream: the same on every delivery, so a key for idempotency.
    pub fn stream_sequence(&self) -> u64 {
        self.stream_sequence
    }

    /// How many times it has been delivered, this time included: 1 on the first delivery,
    /// more after a retry, a lost ack or a consumer that stopped before acking it.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    pub(crate) fn message(&self) -> &async_nats::Message {
        &self.message
    }
}

/// A message that can never be applied (a record that does not parse, an event the rules
/// refuse): the feed keeps it in the dead-letter stream with this reason and acks the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// Why, in words; kept in the dead letter's `Docket-Dead-Reason` header.
    pub reason: String,
}

impl DeadLetter {
    /// A dead letter for this reason.
    pub fn new(reason: impl Into<String>) -> DeadLetter {
        DeadLetter { reason: reason.into() }
    }
}

impl fmt::Display for DeadLetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dead letter: {}", self.reason)
    }
}

/// A failure of the whole batch that may pass (the database busy or lost): nothing of the batch
/// is acked, and every message of it is delivered again after the feed's retry delay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    /// Why, in words, for the feed's report.
    pub reason: String,
}

impl Retry {
    /// A retryable failure for this reason.
    pub fn new(reason: impl Into<String>) -> Retry {
        Retry { reason: reason.into() }
    }
}

impl fmt::Display for Retry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "retry: {}", self.reason)
    }
}

/// What became of one message of a batch: `Ok(())` committed, or a dead letter.
pub type Outcome = Result<(), DeadLetter>;

/// What the feed hands each batch of messages to. Called on a blocking thread, one batch at a
/// time, so it may block on a database.
pub trait Apply: Send + 'static {
    /// Applies the payloads of a batch, in order, and says what became of each: one [`Outcome`]
    /// per message, in the batch's order. `Ok(())` means committed, and the feed acks it;
    /// `Err(DeadLetter)` means it can never be applied, and the feed publishes it to the
    /// dead-letter stream with its reason, then acks the original.
    ///
    /// An `Err(Retry)` for the whole batch means a retryable failure: nothing is acked, the
    /// feed naks every message with its retry delay and carries on. Committing part of a batch
    /// and then returning `Retry` is allowed: delivery is at least once, and what applies a
    /// message must take it again harmlessly ([`Delivered::stream_sequence`] is a stable key).
    ///
    /// A list of another length than the batch is a bug in the implementation: the feed stops
    /// with [`FeedError::OutcomeCount`](crate::FeedError::OutcomeCount) and acks nothing of it.
    fn apply(&mut self, batch: &[Delivered]) -> Result<Vec<Outcome>, Retry>;
}

impl<F> Apply for F
where
    F: FnMut(&[Delivered]) -> Result<Vec<Outcome>, Retry> + Send + 'static,
{
    fn apply(&mut self, batch: &[Delivered]) -> Result<Vec<Outcome>, Retry> {
        self(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivered_message_shows_what_was_published_and_no_way_to_ack_it() {
        let delivered = Delivered::new("departures.jfk", "{\"a\":1}", 7, 2);
        assert_eq!(
            (delivered.subject(), delivered.payload(), delivered.stream_sequence(), delivered.delivered()),
            ("departures.jfk", &b"{\"a\":1}"[..], 7, 2)
        );
        let mut message = delivered.message().clone();
        message.reply = Some("$JS.ACK.S.C.1.7.7.0.0".into());
        assert!(Delivered::from_message(message, 7, 1).message().reply.is_none());
    }

    #[test]
    fn a_closure_applies_and_keeps_its_state_between_batches() {
        let mut seen = Vec::new();
        let mut record = move |batch: &[Delivered]| {
            seen.extend(batch.iter().map(Delivered::stream_sequence));
            Ok(batch.iter().map(|_| if seen.len() > 2 { Err(DeadLetter::new("third")) } else { Ok(()) }).collect())
        };
        let batch = [Delivered::new("s", "x", 1, 1), Delivered::new("s", "y", 2, 1)];
        assert_eq!(Apply::apply(&mut record, &batch), Ok(vec![Ok(()), Ok(())]));
        assert_eq!(Apply::apply(&mut record, &batch[..1]), Ok(vec![Err(DeadLetter::new("third"))]));
    }
}
