//! The development outbox: each message becomes an `.eml` file a person can open.

use std::path::{Path, PathBuf};

use super::{MailError, Message};
use crate::secret::{hex, random_bytes};

#[derive(Clone, Debug)]
pub struct FileOutbox {
    dir: PathBuf,
    from: String,
}

impl FileOutbox {
    pub fn new(dir: PathBuf, from: &str) -> Self {
        FileOutbox { dir, from: from.to_string() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub async fn send(&self, m: &Message) -> Result<(), MailError> {
        tokio::fs::create_dir_all(&self.dir).await.map_err(|e| MailError::Delivery(e.to_string()))?;
        let boundary = hex(&random_bytes::<12>());
        let body = format!(
            "From: {}\r\nTo: {}\r\nSubject: {}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n\
             --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{}\r\n--{boundary}--\r\n",
            self.from, m.to, m.subject, m.text, m.html
        );
        let path = self.dir.join(format!("{}.eml", hex(&random_bytes::<8>())));
        tokio::fs::write(&path, body).await.map_err(|e| MailError::Delivery(e.to_string()))?;
        tracing::info!(path = %path.display(), "mail written to the file outbox");
        Ok(())
    }
}
