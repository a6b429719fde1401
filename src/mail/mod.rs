//! Outgoing mail: an [`Outbox`] over SMTP (lettre, rustls) or, the development default, files
//! under the data directory. Every message has a plain-text and an HTML part, comes from the
//! configured no-reply address (P4), and never contains a password.

mod file;
mod smtp;
pub mod templates;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail configuration: {0}")]
    Config(String),
    #[error("mail could not be built: {0}")]
    Build(String),
    #[error("mail delivery failed: {0}")]
    Delivery(String),
}

#[derive(Clone)]
pub enum Outbox {
    Smtp(smtp::SmtpOutbox),
    File(file::FileOutbox),
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outbox::Smtp(_) => f.write_str("Outbox::Smtp"),
            Outbox::File(o) => write!(f, "Outbox::File({})", o.dir().display()),
        }
    }
}

/// How often a message is tried before it is given up (and logged as an error).
const ATTEMPTS: u32 = 3;

impl Outbox {
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailError> {
        Ok(Outbox::Smtp(smtp::SmtpOutbox::new(url, from)?))
    }

    pub fn file(dir: PathBuf, from: &str) -> Self {
        Outbox::File(file::FileOutbox::new(dir, from))
    }

    pub fn describe(&self) -> String {
        match self {
            Outbox::Smtp(_) => "smtp".into(),
            Outbox::File(o) => format!("files in {}", o.dir().display()),
        }
    }

    /// Sends with retries and backoff; the error is returned only after the last attempt.
    pub async fn send(&self, message: &Message) -> Result<(), MailError> {
        let mut delay = Duration::from_millis(500);
        let mut last = None;
        for attempt in 1..=ATTEMPTS {
            let result = match self {
                Outbox::Smtp(o) => o.send(message).await,
                Outbox::File(o) => o.send(message).await,
            };
            match result {
                Ok(()) => return Ok(()),
                Err(MailError::Build(e)) => return Err(MailError::Build(e)),
                Err(e) => {
                    tracing::warn!(attempt, error = %e, "mail delivery attempt failed");
                    last = Some(e);
                }
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        }
        Err(last.unwrap_or_else(|| MailError::Delivery("no attempt was made".into())))
    }

    /// Sends in the background, so a page never waits on (or reveals, by its timing) the mail
    /// server. A message that cannot be delivered is logged as an error, never dropped silently.
    pub fn dispatch(&self, message: Message) {
        let outbox = self.clone();
        SENDING.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tokio::spawn(async move {
            let _done = Sent;
            let domain = message.to.rsplit('@').next().unwrap_or("").to_string();
            match outbox.send(&message).await {
                Ok(()) => {
                    crate::telemetry::metrics::mail("sent");
                    tracing::info!(to_domain = %domain, subject = %message.subject, "mail sent")
                }
                Err(e) => {
                    crate::telemetry::metrics::mail("failed");
                    tracing::error!(to_domain = %domain, subject = %message.subject, error = %e, "MAIL NOT DELIVERED")
                }
            }
        });
    }
}

/// Messages dispatched and not yet delivered or given up, in this process.
static SENDING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts a dispatched message as done when its task ends, however it ends.
struct Sent;

impl Drop for Sent {
    fn drop(&mut self) {
        SENDING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Outbox {
    /// Waits (at most two minutes) until every dispatched message was delivered or given up:
    /// a short-lived CLI process must not exit with its mail unsent.
    pub async fn flush(&self) {
        for _ in 0..6000 {
            if SENDING.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
