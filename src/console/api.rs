//! The console's one way to act: the administration API (and, for its own sign-in, the token
//! and revocation endpoints), called in process through the router — no socket, no second copy
//! of any rule. Each call carries the administrator's bearer token, and the browser's address
//! and user agent, so the activity record says who did what from where.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tower::ServiceExt;

/// Largest API answer the console reads (a provider's whole user list).
const MAX_ANSWER: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct Api(Router);

/// Where the browser's request came from, passed on to the API for the activity record.
#[derive(Clone, Default)]
pub struct Caller {
    pub peer: Option<SocketAddr>,
    pub forwarded: Vec<HeaderValue>,
    pub user_agent: Option<HeaderValue>,
}

impl Caller {
    pub fn of(parts: &axum::http::request::Parts) -> Self {
        Caller {
            peer: parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0),
            forwarded: parts.headers.get_all("x-forwarded-for").iter().cloned().collect(),
            user_agent: parts.headers.get(header::USER_AGENT).cloned(),
        }
    }
}

#[derive(Debug)]
pub enum ApiError {
    /// The token is expired or revoked (the person's sessions ended, or it ran out).
    SignedOut,
    /// The API said no: its status, its words, and per-field messages on a 400.
    Refused {
        status: StatusCode,
        detail: String,
        errors: BTreeMap<String, String>,
    },
    Broken(String),
}

impl Api {
    pub fn new(router: Router) -> Self {
        Api(router)
    }

    /// `path` below `/admin/api/v1`; `body` as JSON. The answer is read as the type the API
    /// documents for it (204 reads as `null`: `()` or `IgnoredAny`); an answer of another shape
    /// is a broken console, never a page built from guesses.
    pub async fn call<T: DeserializeOwned>(
        &self,
        token: &str,
        caller: &Caller,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, ApiError> {
        let res = self.send(token, caller, method, path, body).await?;
        typed(read_json(res).await?)
    }

    /// The API's answer as it is (a streamed CSV export), once it is known to be a success.
    pub async fn stream(&self, token: &str, caller: &Caller, path: &str) -> Result<Response, ApiError> {
        let res = self.send(token, caller, Method::GET, path, None).await?;
        if res.status().is_success() { Ok(res) } else { Err(read_json(res).await.err().unwrap_or(broken("empty"))) }
    }

    async fn send(
        &self,
        token: &str,
        caller: &Caller,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Response, ApiError> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/admin/api/v1{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        for line in &caller.forwarded {
            req = req.header("x-forwarded-for", line.clone());
        }
        if let Some(ua) = &caller.user_agent {
            req = req.header(header::USER_AGENT, ua.clone());
        }
        let req = match body {
            Some(json) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(json.to_string())),
            None => req.body(Body::empty()),
        };
        let mut req = req.map_err(|e| broken(e.to_string()))?;
        if let Some(peer) = caller.peer {
            req.extensions_mut().insert(ConnectInfo(peer));
        }
        self.0.clone().oneshot(req).await.map_err(|e| broken(e.to_string()))
    }

    /// A form POST to one of the protocol's endpoints (`/token`, `/revoke`) as the console's
    /// own client.
    pub async fn protocol<T: DeserializeOwned>(
        &self,
        path: &str,
        client_id: &str,
        secret: &str,
        form: &[(&str, &str)],
    ) -> Result<T, ApiError> {
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect::<String>(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>()
        ));
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .map_err(|e| broken(e.to_string()))?;
        let res = self.0.clone().oneshot(req).await.map_err(|e| broken(e.to_string()))?;
        typed(read_json(res).await?)
    }
}

fn typed<T: DeserializeOwned>(json: Value) -> Result<T, ApiError> {
    serde_json::from_value(json).map_err(|e| broken(format!("an answer of an unexpected shape: {e}")))
}

fn broken(why: impl Into<String>) -> ApiError {
    ApiError::Broken(why.into())
}

async fn read_json(res: Response) -> Result<Value, ApiError> {
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), MAX_ANSWER).await.map_err(|e| broken(e.to_string()))?;
    let json: Value =
        if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
    if status.is_success() {
        return Ok(json);
    }
    if status == StatusCode::UNAUTHORIZED {
        return Err(ApiError::SignedOut);
    }
    // Problem details (RFC 9457) from the administration API; OAuth errors from the protocol.
    let detail = json
        .get("detail")
        .or_else(|| json.get("error_description"))
        .or_else(|| json.get("error"))
        .and_then(Value::as_str)
        .unwrap_or("The request was refused.")
        .to_string();
    let errors = json
        .get("errors")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default();
    Err(ApiError::Refused { status, detail, errors })
}
