//! OAuth 2.0 / OIDC errors: one variant per spec code. The description is sent (it helps RP
//! developers) but never says more than the request itself did.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::ParamError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    ServerError,
    LoginRequired,
    InteractionRequired,
    ConsentRequired,
    RequestNotSupported,
    RequestUriNotSupported,
    InvalidToken,
    UnsupportedTokenType,
    /// RFC 6749 §4.1.2.1: the server cannot answer now (a dependency is down); 503 here.
    TemporarilyUnavailable,
    /// RFC 9449 §5: the DPoP proof is missing where required, or fails a check.
    InvalidDpopProof,
    /// RFC 9449 §8: the proof must carry the server's current nonce (sent in `DPoP-Nonce`).
    UseDpopNonce,
    /// OIDC Core §3.1.2.6, RFC 9101 §6.3: the request object does not verify or check.
    InvalidRequestObject,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::ServerError => "server_error",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::InteractionRequired => "interaction_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::RequestNotSupported => "request_not_supported",
            ErrorCode::RequestUriNotSupported => "request_uri_not_supported",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::InvalidDpopProof => "invalid_dpop_proof",
            ErrorCode::UseDpopNonce => "use_dpop_nonce",
            ErrorCode::InvalidRequestObject => "invalid_request_object",
        }
    }
}

#[derive(Debug)]
pub struct OAuthError {
    pub code: ErrorCode,
    pub description: String,
    /// RFC 6749 §5.2: a client that tried HTTP Basic gets a 401 with a Basic challenge.
    pub basic_challenge: bool,
}

impl OAuthError {
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        OAuthError { code, description: description.into(), basic_challenge: false }
    }

    pub fn server(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "oidc request failed");
        crate::telemetry::metrics::internal_error("oidc");
        OAuthError::new(ErrorCode::ServerError, "the server could not complete the request")
    }
}

impl From<ParamError> for OAuthError {
    fn from(e: ParamError) -> Self {
        OAuthError::new(ErrorCode::InvalidRequest, e.description())
    }
}

impl<E: Into<crate::accounts::Internal>> From<E> for OAuthError {
    fn from(e: E) -> Self {
        let e = e.into();
        if e.is_unavailable() {
            tracing::warn!(error = %e, "a dependency is unavailable");
            crate::telemetry::metrics::internal_error("unavailable");
            return OAuthError::new(ErrorCode::TemporarilyUnavailable, "try again in a few seconds");
        }
        OAuthError::server(e)
    }
}

/// Seconds a client is asked to wait when a dependency is down.
pub const RETRY_AFTER_UNAVAILABLE: u32 = 5;

/// Token-endpoint style: JSON body, `no-store`.
impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = match self.code {
            ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let body = json!({ "error": self.code.as_str(), "error_description": self.description });
        let mut res = (status, Json(body)).into_response();
        if self.code == ErrorCode::TemporarilyUnavailable {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_UNAVAILABLE));
        }
        if self.code == ErrorCode::InvalidClient && self.basic_challenge {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"lanyard\""));
        }
        res
    }
}

/// RFC 6750 §3: errors of protected resources (userinfo) go in WWW-Authenticate.
pub fn bearer_error(code: ErrorCode, description: &str) -> Response {
    resource_error("Bearer realm=\"lanyard\"", code, description)
}

/// RFC 9449 §7.1: the same for a request that used, or needed, a DPoP-bound token; the
/// challenge names the algorithms a proof may use.
pub fn dpop_error(code: ErrorCode, description: &str) -> Response {
    let algs = super::dpop::DPOP_ALGS.join(" ");
    resource_error(&format!("DPoP algs=\"{algs}\""), code, description)
}

fn resource_error(scheme: &str, code: ErrorCode, description: &str) -> Response {
    let status = match code {
        ErrorCode::InvalidRequest => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNAUTHORIZED,
    };
    let challenge = format!("{scheme}, error=\"{}\", error_description=\"{description}\"", code.as_str());
    let mut res = (status, Json(json!({ "error": code.as_str(), "error_description": description }))).into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    res
}
