//! SMTP through lettre: pooled connections, STARTTLS or implicit TLS with rustls (`smtp://…`
//! negotiates per the URL's `tls` parameter, `smtps://` is TLS from the first byte), timeouts.

use std::time::Duration;

use lettre::message::MultiPart;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::{MailError, Message};

#[derive(Clone)]
pub struct SmtpOutbox {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl SmtpOutbox {
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Config(format!("LANYARD_SMTP_URL: {e}")))?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let from = from.parse().map_err(|e| MailError::Config(format!("LANYARD_MAIL_FROM: {e}")))?;
        Ok(SmtpOutbox { transport, from })
    }

    pub async fn send(&self, m: &Message) -> Result<(), MailError> {
        let to = m.to.parse().map_err(|e| MailError::Build(format!("recipient: {e}")))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .multipart(MultiPart::alternative_plain_html(m.text.clone(), m.html.clone()))
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport.send(email).await.map_err(|e| MailError::Delivery(e.to_string()))?;
        Ok(())
    }
}
