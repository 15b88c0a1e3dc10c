//! The feed for a shell that is not async (the command line): a runtime of its own, a stop on
//! SIGINT or SIGTERM, and a way to publish without knowing Tokio.

use crate::{Apply, Feed, FeedConfig, FeedError, FeedEvent, NatsError, Stop, Totals, publish_all};

/// A runtime for the feed: one thread for the connection, and the blocking pool where the
/// [`Apply`] runs.
fn runtime() -> Result<tokio::runtime::Runtime, FeedError> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(FeedError::Runtime)
}

/// Connects, then runs the feed until SIGINT or SIGTERM, on a runtime of its own: for a shell
/// that does not run one. `ready` is called once the streams and the consumer are in place
/// (before the first fetch), and `observer` with every [`FeedEvent`]. Returns what the feed did
/// once it has finished and acked the batch in hand.
pub fn run_until_signal<A: Apply>(
    config: FeedConfig,
    apply: A,
    observer: impl Fn(&FeedEvent) + Send + Sync + 'static,
    ready: impl FnOnce(&FeedConfig),
) -> Result<Totals, FeedError> {
    runtime()?.block_on(async move {
        let stop = Stop::on_signal()?;
        let feed = Feed::connect_observed(config, observer).await?;
        ready(feed.config());
        feed.run(apply, stop).await
    })
}

/// Publishes every payload to `subject` on the server at `url`, waiting until JetStream has
/// stored each (creating nothing: the stream capturing `subject` must exist, as the feed
/// creates it); returns their stream sequences. For tools and tests that load the feed.
pub fn publish_blocking<P: Into<Vec<u8>>>(
    url: &str,
    subject: &str,
    payloads: impl IntoIterator<Item = P>,
) -> Result<Vec<u64>, FeedError> {
    runtime()?.block_on(async move {
        let client = async_nats::connect(url)
            .await
            .map_err(|e| FeedError::Connect { url: url.to_owned(), source: Box::new(e) })?;
        publish_all(&client, subject, payloads).await
    })
}

/// How many messages the stream `stream` on the server at `url` holds now (the dead-letter
/// stream's, say): for tools and tests that look at the feed from outside.
pub fn stream_messages_blocking(url: &str, stream: &str) -> Result<u64, FeedError> {
    runtime()?.block_on(async move {
        let client = async_nats::connect(url)
            .await
            .map_err(|e| FeedError::Connect { url: url.to_owned(), source: Box::new(e) })?;
        let failed = |e: NatsError| FeedError::Stream { stream: stream.to_owned(), source: e };
        let mut found = async_nats::jetstream::new(client).get_stream(stream).await.map_err(|e| failed(Box::new(e)))?;
        Ok(found.info().await.map_err(|e| failed(Box::new(e)))?.state.messages)
    })
}
