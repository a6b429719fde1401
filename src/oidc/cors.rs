//! CORS for the endpoints browser-based applications call directly (token, userinfo): allowed
//! for the origins of registered redirect URIs only, never `*` (these answers carry tokens).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::accounts::Accounts;

pub async fn cors(State(accounts): State<Accounts>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(String::from);
    let Some(origin) = origin else { return next.run(req).await };
    let ok = accounts.origin_registered(&origin).await.unwrap_or(false);
    let mut res = if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        if ok {
            let h = r.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("authorization, content-type, dpop"),
            );
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
        r
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    h.append(header::VARY, HeaderValue::from_static("origin"));
    if ok && let Ok(v) = HeaderValue::from_str(&origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        // RFC 9449 §8: a browser client must read the nonce and the challenge to retry.
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("dpop-nonce, www-authenticate"));
    }
    res
}

pub async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}
