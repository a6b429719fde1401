//! Events that flow *up* from the rules to whoever subscribed, so `accounts/` never imports a
//! higher layer: today one kind, "these sessions have ended; tell their applications", which the
//! back-channel logout notifier in `oidc/` subscribes to (L6).

use tokio::sync::mpsc;

/// A Lanyard session that ended, and the applications that should hear of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndedSession {
    pub sid: String,
    pub client_ids: Vec<String>,
}

/// Sessions of one user that ended: the notifier sends one logout token per application.
#[derive(Clone, Debug)]
pub struct SessionsEnded {
    /// The OIDC `sub` of the user.
    pub subject: String,
    pub sessions: Vec<EndedSession>,
}

#[derive(Clone, Debug)]
pub struct Events(mpsc::UnboundedSender<SessionsEnded>);

/// The subscriber's end. Exactly one exists per process.
#[derive(Debug)]
pub struct Subscription(mpsc::UnboundedReceiver<SessionsEnded>);

pub fn channel() -> (Events, Subscription) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Events(tx), Subscription(rx))
}

impl Events {
    pub(super) fn publish(&self, event: SessionsEnded) {
        if event.sessions.iter().all(|s| s.client_ids.is_empty()) {
            return;
        }
        // Only fails once the subscriber is gone, i.e. while the process shuts down.
        if self.0.send(event).is_err() {
            tracing::warn!("sessions ended while no notifier listens: applications are not told");
        }
    }
}

impl Subscription {
    pub async fn next(&mut self) -> Option<SessionsEnded> {
        self.0.recv().await
    }

    /// What is queued now, without waiting (a short-lived CLI process delivers it before exiting).
    pub fn queued(&mut self) -> Vec<SessionsEnded> {
        let mut out = Vec::new();
        while let Ok(e) = self.0.try_recv() {
            out.push(e);
        }
        out
    }
}
