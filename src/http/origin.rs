//! L7's "from where": the client's address and user agent, as an extractor.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::site::Site;
use crate::domain::activity::Origin;

/// The peer address, or the nearest proxy's X-Forwarded-For entry when configured to sit behind
/// one (the rightmost entry is the one our proxy wrote).
pub struct RequestOrigin(pub Origin);

impl<S> FromRequestParts<S> for RequestOrigin
where
    S: Send + Sync,
    Site: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let site = Site::from_ref(state);
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        let forwarded = site
            .behind_proxy
            .then(|| parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
            .flatten()
            .and_then(|v| v.rsplit(',').next())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(512)
            .collect();
        Ok(RequestOrigin(Origin { ip: forwarded.or(peer).unwrap_or_else(|| "unknown".into()), user_agent }))
    }
}
