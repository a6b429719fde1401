//! L7's "from where": the client's address and user agent, as an extractor.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::site::Site;
use crate::domain::activity::Origin;

/// The peer address, or — when the peer is one of our trusted proxies — the right-most
/// `X-Forwarded-For` entry that is not (see `config::TrustedProxies`). A line that is not text
/// ends the walk like any entry that is not an address.
pub struct RequestOrigin(pub Origin);

impl<S> FromRequestParts<S> for RequestOrigin
where
    S: Send + Sync,
    Site: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let site = Site::from_ref(state);
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let ip = peer.map(|peer| {
            let lines = parts.headers.get_all("x-forwarded-for").into_iter().map(|v| v.to_str().unwrap_or("?"));
            site.trusted_proxies.client_address(peer, lines).to_string()
        });
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(512)
            .collect();
        Ok(RequestOrigin(Origin { ip: ip.unwrap_or_else(|| "unknown".into()), user_agent }))
    }
}
