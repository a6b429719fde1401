//! A minimal SMTP server on loopback that keeps every message it receives, so tests read the
//! codes and tokens Lanyard mails exactly as a user's mailbox would.

use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

#[derive(Clone, Default)]
pub struct Sink {
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl Sink {
    /// Starts the sink; returns it and the `smtp://` URL for LANYARD_SMTP_URL.
    pub async fn start() -> (Sink, String) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let sink = Sink::default();
        let messages = sink.messages.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, messages.clone()));
            }
        });
        (sink, url)
    }

    /// Waits (bounded) for the `n`-th message (1-based) to arrive and returns it, decoded.
    pub async fn nth(&self, n: usize) -> String {
        for _ in 0..200 {
            if let Some(m) = self.messages.lock().await.get(n - 1) {
                return decode(m);
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("mail #{n} never arrived; got {}", self.messages.lock().await.len());
    }

    /// Waits (bounded) for the `nth` (1-based) message that contains `needle`: mails are sent in
    /// the background, so two of them may arrive in either order.
    pub async fn find(&self, nth: usize, needle: &str) -> String {
        for _ in 0..200 {
            let found =
                self.messages.lock().await.iter().map(|m| decode(m)).filter(|m| m.contains(needle)).nth(nth - 1);
            if let Some(m) = found {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("mail #{nth} containing {needle:?} never arrived");
    }

    /// The `n`-th message (1-based) as it came over SMTP, waiting for it as `nth` does.
    pub async fn raw(&self, n: usize) -> String {
        for _ in 0..200 {
            if let Some(m) = self.messages.lock().await.get(n - 1) {
                return m.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("mail #{n} never arrived");
    }

    pub async fn count(&self) -> usize {
        self.messages.lock().await.len()
    }
}

/// Undoes quoted-printable soft breaks and `=3D`, enough to read codes out of the text part.
pub fn decode(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=3D", "=")
}

async fn serve(socket: tokio::net::TcpStream, messages: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 sink\r\n",
            "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                let _ = write.write_all(b"354 go ahead\r\n").await;
                let mut body = String::new();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    body.push_str(&l);
                    body.push_str("\r\n");
                }
                messages.lock().await.push(body);
                b"250 queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"502 not implemented\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
