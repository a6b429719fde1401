//! Logging: tracing with a request id on every line; text for people, JSON for collectors.
//! Metrics: `metrics` (Prometheus).
//! Types that hold secrets implement `Debug` by hand, so no field of theirs reaches a log line.

pub mod metrics;

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// Ids are unique within the process and look random: a counter from a random start, through
/// SplitMix64's finaliser (a bijection, so no two requests of one process share an id). Not a
/// secret — a caller may bring its own — so not worth the system's random source per request.
impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        static NEXT: LazyLock<AtomicU64> = LazyLock::new(|| AtomicU64::new(u64::from_le_bytes(random_bytes::<8>())));
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        hex(&mix(n).to_be_bytes()).parse().ok().map(RequestId::new)
    }
}

fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
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
    use super::*;

    #[test]
    fn request_ids_are_short_plain_tokens() {
        assert!(is_safe_request_id(b"0af7651916cd43dd8448eb211c80319c"));
        assert!(is_safe_request_id(b"req-1.2_3"));
        for bad in [&b""[..], b"a b", b"x\r\ninjected: 1", b"\"quoted\"", &[b'a'; 65][..], "é".as_bytes()] {
            assert!(!is_safe_request_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn made_request_ids_are_sixteen_hex_digits_and_differ() {
        let req = Request::new(());
        let ids: std::collections::HashSet<String> = (0..1000)
            .map(|_| {
                RandomRequestId
                    .make_request_id(&req)
                    .expect("an id")
                    .header_value()
                    .to_str()
                    .expect("ascii")
                    .to_string()
            })
            .collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| id.len() == 16 && is_safe_request_id(id.as_bytes())));
    }
}
