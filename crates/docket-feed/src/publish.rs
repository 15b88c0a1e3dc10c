//! Publishing to JetStream with every message's store confirmed, many in flight at once: for
//! tests, benchmarks and tools that load the feed.

use std::collections::VecDeque;

use async_nats::jetstream;

use crate::FeedError;

/// How many messages may wait for JetStream's publish ack at once; below async-nats's own
/// limit (5,000 by default) so that a publish never fails for want of a slot.
const IN_FLIGHT: usize = 2048;

/// Publishes every payload to `subject`, in order, and waits until JetStream acknowledges each
/// as stored, keeping up to [`IN_FLIGHT`] in flight; returns their stream sequences, in order.
/// The first message that cannot be published, or is not acknowledged, stops it with
/// [`FeedError::Publish`] naming its index: the earlier ones are stored, later ones may be.
pub async fn publish_all<P: Into<Vec<u8>>>(
    client: &async_nats::Client,
    subject: &str,
    payloads: impl IntoIterator<Item = P>,
) -> Result<Vec<u64>, FeedError> {
    let jetstream = jetstream::new(client.clone());
    let failed = |index: usize, source: jetstream::context::PublishError| FeedError::Publish {
        subject: subject.to_owned(),
        index,
        source: Box::new(source),
    };
    let mut sequences = Vec::new();
    let mut pending = VecDeque::new();
    for (index, payload) in payloads.into_iter().enumerate() {
        if pending.len() == IN_FLIGHT {
            if let Some(ack) = pending.pop_front() {
                let stored: jetstream::context::PublishAckFuture = ack;
                sequences.push(stored.await.map_err(|e| failed(sequences.len(), e))?.sequence);
            }
        }
        let payload: Vec<u8> = payload.into();
        let ack = jetstream.publish(subject.to_owned(), payload.into()).await.map_err(|e| failed(index, e))?;
        pending.push_back(ack);
    }
    for ack in pending {
        sequences.push(ack.await.map_err(|e| failed(sequences.len(), e))?.sequence);
    }
    Ok(sequences)
}
