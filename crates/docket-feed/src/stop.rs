//! How a running feed is told to stop: it finishes the batch in hand, acks it, and returns.

use tokio::sync::watch;

use crate::FeedError;

/// The receiving side: what [`Feed::run`](crate::Feed::run) watches. Cloneable, so that one
/// stop ends several feeds.
#[derive(Debug, Clone)]
pub struct Stop(watch::Receiver<bool>);

/// The sending side: [`StopHandle::stop`] asks every feed watching its [`Stop`] to stop.
#[derive(Debug, Clone)]
pub struct StopHandle(watch::Sender<bool>);

impl Stop {
    /// A stop and the handle that triggers it.
    pub fn new() -> (StopHandle, Stop) {
        let (sender, receiver) = watch::channel(false);
        (StopHandle(sender), Stop(receiver))
    }

    /// A stop triggered by SIGINT or SIGTERM (on Unix; Ctrl-C elsewhere). Must be called within
    /// a Tokio runtime, where it spawns the task that waits for the signal.
    pub fn on_signal() -> Result<Stop, FeedError> {
        let (handle, stop) = Stop::new();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut interrupt = signal(SignalKind::interrupt()).map_err(FeedError::Signal)?;
            let mut terminate = signal(SignalKind::terminate()).map_err(FeedError::Signal)?;
            tokio::spawn(async move {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
                handle.stop();
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                handle.stop();
            }
        });
        Ok(stop)
    }

    /// Whether a stop was asked for.
    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until a stop is asked for (for ever if the handle was dropped without asking).
    pub async fn stopped(&mut self) {
        if self.0.wait_for(|stopped| *stopped).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl StopHandle {
    /// Asks every feed watching this stop to finish its batch and return.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_is_seen_by_every_clone_and_a_dropped_handle_is_no_stop() {
        let (handle, stop) = Stop::new();
        let other = stop.clone();
        assert!(!stop.is_stopped());
        handle.stop();
        assert!(stop.is_stopped() && other.is_stopped());

        let (handle, mut stop) = Stop::new();
        drop(handle);
        assert!(!stop.is_stopped());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
        let waited = runtime
            .block_on(async { tokio::time::timeout(std::time::Duration::from_millis(20), stop.stopped()).await });
        assert!(waited.is_err(), "a dropped handle must not stop the feed");
    }
}
