//! The feed's configuration: where the server is, which streams and consumer it uses, how
//! large a batch is and how long it waits.

use std::time::Duration;

use crate::FeedError;

/// Everything the feed needs to know, with defaults for production (`FeedConfig::default()`)
/// and every name changeable, so that tests and a second deployment use their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    /// The NATS server, `nats://host:port` (default `nats://127.0.0.1:4222`). TLS is not built in
    /// (`tls://` is refused): enable async-nats's `ring` feature before pointing it at one.
    pub url: String,
    /// The JetStream stream the departure records are published to (default `DEPARTURES`).
    /// Created, with file storage, if missing; an existing stream is used as it is.
    pub stream: String,
    /// The subjects that stream captures when the feed creates it (default `departures.>`).
    pub subjects: Vec<String>,
    /// The durable pull consumer's name (default `docket`). A restarted feed with the same name
    /// resumes where the last one left off.
    pub consumer: String,
    /// The stream that keeps dead letters (default `DEPARTURES_DEAD`), apart from the feed's own
    /// so that they are never delivered to it again.
    pub dead_stream: String,
    /// The subject dead letters are published to and their stream captures (default
    /// `docket.dead.departures`).
    pub dead_subject: String,
    /// The most messages fetched and applied at once (default 256).
    pub batch_size: usize,
    /// How long a fetch waits for a first message when there is none (default 250 ms). A fetch
    /// returns as soon as any message is there, so this bounds only the idle wait, and so how
    /// long a stop takes to be noticed.
    pub fetch_expiry: Duration,
    /// How long the server waits for a delivered message's ack before delivering it again
    /// (default 30 s): longer than applying a batch ever takes. Set when the consumer is created.
    pub ack_wait: Duration,
    /// How many delivered messages may wait for their ack at once (default 4,096), across every
    /// process sharing the consumer; at least `batch_size`. Set when the consumer is created.
    pub max_ack_pending: usize,
    /// How long a message whose batch failed retryably waits before it is delivered again, and
    /// how long the feed pauses before its next fetch (default 1 s).
    pub retry_delay: Duration,
    /// How long the feed waits for an answer from the server (an ack's confirmation, a dead
    /// letter's publish ack, a stream or consumer lookup) before counting it failed (default 5 s).
    pub request_timeout: Duration,
}

impl Default for FeedConfig {
    fn default() -> Self {
        FeedConfig {
            url: "nats://127.0.0.1:4222".to_owned(),
            stream: "DEPARTURES".to_owned(),
            subjects: vec!["departures.>".to_owned()],
            consumer: "docket".to_owned(),
            dead_stream: "DEPARTURES_DEAD".to_owned(),
            dead_subject: "docket.dead.departures".to_owned(),
            batch_size: 256,
            fetch_expiry: Duration::from_millis(250),
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 4096,
            retry_delay: Duration::from_secs(1),
            request_timeout: Duration::from_secs(5),
        }
    }
}

impl FeedConfig {
    /// Refuses a configuration the feed could not run with, naming the field.
    pub fn check(&self) -> Result<(), FeedError> {
        let bad = |field: &'static str, reason: String| Err(FeedError::Config { field, reason });
        if self.url.starts_with("tls://") {
            return bad("url", format!("`{}` asks for TLS, which this build does not include", self.url));
        }
        for (field, name) in
            [("stream", &self.stream), ("dead_stream", &self.dead_stream), ("consumer", &self.consumer)]
        {
            // JetStream names become subject tokens: no dots, wildcards or spaces.
            if name.is_empty() || name.contains(['.', '*', '>', ' ', '\t', '\r', '\n']) {
                return bad(
                    field,
                    format!("`{name}` is not a JetStream name (empty, or has `.`, `*`, `>` or a space)"),
                );
            }
        }
        if self.stream == self.dead_stream {
            return bad(
                "dead_stream",
                format!("`{}` is the feed's own stream: dead letters would be fed again", self.stream),
            );
        }
        if self.subjects.is_empty() {
            return bad("subjects", "no subject: the stream would capture nothing".to_owned());
        }
        if self.dead_subject.is_empty() || self.dead_subject.contains(['*', '>', ' ']) {
            return bad("dead_subject", format!("`{}` is not a subject to publish to", self.dead_subject));
        }
        if self.batch_size == 0 {
            return bad("batch_size", "0: a batch holds at least one message".to_owned());
        }
        if self.max_ack_pending < self.batch_size {
            return bad(
                "max_ack_pending",
                format!(
                    "{} is less than the batch size {}: a full batch could never be fetched",
                    self.max_ack_pending, self.batch_size
                ),
            );
        }
        for (field, value) in [
            ("fetch_expiry", self.fetch_expiry),
            ("ack_wait", self.ack_wait),
            ("request_timeout", self.request_timeout),
        ] {
            if value < Duration::from_millis(1) {
                return bad(field, format!("{value:?} is too short to wait"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_production_names_and_pass_the_check() {
        let config = FeedConfig::default();
        assert_eq!((config.stream.as_str(), config.consumer.as_str()), ("DEPARTURES", "docket"));
        assert_eq!(config.subjects, ["departures.>"]);
        assert_eq!(
            (config.dead_stream.as_str(), config.dead_subject.as_str()),
            ("DEPARTURES_DEAD", "docket.dead.departures")
        );
        assert!(config.check().is_ok());
    }

    #[test]
    fn a_configuration_the_feed_cannot_run_with_is_refused_naming_its_field() {
        let refused = |change: fn(&mut FeedConfig)| {
            let mut config = FeedConfig::default();
            change(&mut config);
            match config.check() {
                Err(FeedError::Config { field, .. }) => field,
                other => panic!("expected a configuration error, got {other:?}"),
            }
        };
        assert_eq!(refused(|c| c.url = "tls://nats.example:4222".into()), "url");
        assert_eq!(refused(|c| c.stream = "DEPARTURES.X".into()), "stream");
        assert_eq!(refused(|c| c.consumer = String::new()), "consumer");
        assert_eq!(refused(|c| c.dead_stream = c.stream.clone()), "dead_stream");
        assert_eq!(refused(|c| c.subjects.clear()), "subjects");
        assert_eq!(refused(|c| c.dead_subject = "docket.dead.>".into()), "dead_subject");
        assert_eq!(refused(|c| c.batch_size = 0), "batch_size");
        assert_eq!(refused(|c| c.max_ack_pending = c.batch_size - 1), "max_ack_pending");
        assert_eq!(refused(|c| c.fetch_expiry = Duration::ZERO), "fetch_expiry");
    }
}
