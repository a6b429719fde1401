//! A server whose mail goes over real SMTP to a sink the test reads, and what the tests read
//! out of the mail and the pages of a reset.

use super::{Backend, Scratch, TestApp};
use crate::smtp_sink::Sink;

/// A server on a scratch database whose mail goes to a fresh SMTP sink.
pub async fn spawn_with_mail(backend: Backend) -> (TestApp, Sink) {
    let (sink, url) = Sink::start().await;
    let scratch = Scratch::new(&backend).await;
    let app = TestApp::spawn_on(
        scratch,
        &[("LANYARD_SMTP_URL", url), ("LANYARD_MAIL_FROM", "Lanyard <no-reply@lanyard.test>".into())],
    )
    .await;
    (app, sink)
}

/// The 8-character password token of a reset mail (S3).
pub fn token_of(mail: &str) -> String {
    let at = mail.find("token is ").expect("a token in the mail") + 9;
    mail[at..at + 8].to_string()
}

/// The reset flow's handle in the Change Password page.
pub fn flow_of(html: &str) -> String {
    let start = html.find("name=\"flow\" value=\"").expect("a reset flow") + 19;
    html[start..].split('"').next().unwrap().to_string()
}
