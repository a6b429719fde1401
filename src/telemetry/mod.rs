//! Logging: tracing with a request id on every line; text for people, JSON for collectors.
//! Metrics: `metrics` (Prometheus).
//! Types that hold secrets implement `Debug` by hand, so no field of theirs reaches a log line.

pub mod metrics;

use axum::http::Request;
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};
use crate::secret::{hex, random_bytes};

pub fn init(config: &Config) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // try_init: tests and the CLI may initialise more than once.
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

#[derive(Clone, Copy, Default)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        hex(&random_bytes::<8>()).parse().ok().map(RequestId::new)
    }
}

/// A caller's own `x-request-id` is kept (a proxy's id ties its logs to ours) only when it is
/// 1–64 characters of `[A-Za-z0-9._-]`; anything else — log injection, megabytes — is replaced
/// by a fresh one.
pub fn drop_unsafe_request_id<B>(mut req: Request<B>) -> Request<B> {
    let safe = req.headers().get("x-request-id").map(|v| is_safe_request_id(v.as_bytes()));
    if safe == Some(false) {
        req.headers_mut().remove("x-request-id");
    }
    req
}

fn is_safe_request_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::is_safe_request_id;

    #[test]
    fn request_ids_are_short_plain_tokens() {
        assert!(is_safe_request_id(b"0af7651916cd43dd8448eb211c80319c"));
        assert!(is_safe_request_id(b"req-1.2_3"));
        for bad in [&b""[..], b"a b", b"x\r\ninjected: 1", b"\"quoted\"", &[b'a'; 65][..], "é".as_bytes()] {
            assert!(!is_safe_request_id(bad), "{bad:?}");
        }
    }
}
