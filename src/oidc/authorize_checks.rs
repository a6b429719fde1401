//! The checks of an authorization request once its client and redirect target are known, as a
//! table of named checks (node-oidc-provider's pattern): `/authorize` and `/par` run the same
//! list, in the same order, so what one refuses the other refuses with the same code. Each
//! check reads the request and refuses with the spec's error; the values the request then
//! carries are read by the functions below them, which the checks have made safe to use.

use super::Oidc;
use super::error::{ErrorCode, OAuthError};
use super::pkce;
use crate::domain::application::Client;
use crate::http::OAuthParams;

/// What a check sees.
pub struct Request<'a> {
    pub params: &'a OAuthParams,
    pub client: &'a Client,
    pub oidc: &'a Oidc,
    /// RFC 9126: the parameters were pushed (at `/par`, or taken back at `/authorize`).
    pub pushed: bool,
    /// The `sub` of the `id_token_hint`, verified once (`Some(None)`: not a token of ours).
    pub hint_sub: Option<Option<String>>,
}

impl<'a> Request<'a> {
    pub fn new(params: &'a OAuthParams, client: &'a Client, oidc: &'a Oidc, pushed: bool) -> Self {
        let hint_sub = params.get("id_token_hint").map(|hint| {
            let claims = super::jwt::verify_id_token(&oidc.ring, &oidc.issuer, hint)?;
            claims.get("sub").and_then(|s| s.as_str()).map(String::from)
        });
        Request { params, client, oidc, pushed, hint_sub }
    }
}

type Check = fn(&Request) -> Result<(), OAuthError>;

fn refuse(code: ErrorCode, description: impl Into<String>) -> Result<(), OAuthError> {
    Err(OAuthError::new(code, description))
}

/// In the order they run; the name goes to the log with a refusal.
pub const CHECKS: [(&str, Check); 11] = [
    ("pushed_authorization_required", pushed_when_required),
    ("no_nested_request_object", no_nested_request_object),
    ("no_request_uri_by_reference", no_request_uri_by_reference),
    ("response_type_code", response_type_code),
    ("code_grant_allowed", code_grant_allowed),
    ("openid_scope", openid_scope),
    ("pkce", pkce_s256),
    ("prompt", prompt),
    ("max_age", max_age_check),
    ("id_token_hint", id_token_hint_check),
    ("dpop_jkt", dpop_jkt_check),
];

/// The first check that refuses the request, with its name.
pub fn first_refusal(request: &Request) -> Option<(&'static str, OAuthError)> {
    CHECKS.iter().find_map(|(name, check)| check(request).err().map(|e| (*name, e)))
}

/// RFC 9126 §5: a client registered to push its requests is held to it.
fn pushed_when_required(r: &Request) -> Result<(), OAuthError> {
    if r.client.metadata.requires_par() && !r.pushed {
        return refuse(ErrorCode::InvalidRequest, "this client must push its authorization requests (PAR)");
    }
    Ok(())
}

/// RFC 9101: a request object is unpacked before these checks; one still here was inside another.
fn no_nested_request_object(r: &Request) -> Result<(), OAuthError> {
    if r.params.has("request") {
        return refuse(ErrorCode::InvalidRequestObject, "a request object may not hold another");
    }
    Ok(())
}

/// A `request_uri` of ours was taken back before; any other is a request object by reference,
/// never fetched.
fn no_request_uri_by_reference(r: &Request) -> Result<(), OAuthError> {
    if r.params.has("request_uri") {
        return refuse(ErrorCode::RequestUriNotSupported, "request_uri is not supported");
    }
    Ok(())
}

fn response_type_code(r: &Request) -> Result<(), OAuthError> {
    match r.params.get("response_type") {
        Some("code") => Ok(()),
        Some(_) => refuse(ErrorCode::UnsupportedResponseType, "only response_type=code is supported"),
        None => refuse(ErrorCode::InvalidRequest, "response_type is required"),
    }
}

fn code_grant_allowed(r: &Request) -> Result<(), OAuthError> {
    if !r.client.metadata.grant_types.iter().any(|g| g == "authorization_code") {
        return refuse(ErrorCode::UnauthorizedClient, "this client may not use the authorization code flow");
    }
    Ok(())
}

fn openid_scope(r: &Request) -> Result<(), OAuthError> {
    let requested = words(r.params.get("scope"));
    if !requested.contains(&"openid") {
        return refuse(ErrorCode::InvalidScope, "the openid scope is required");
    }
    if !scope(r).iter().any(|s| s == "openid") {
        return refuse(ErrorCode::InvalidScope, "this client may not request the openid scope");
    }
    Ok(())
}

/// RFC 7636, RFC 9700 §2.1.1: S256 only; required of public clients (and of a `fapi2` one).
fn pkce_s256(r: &Request) -> Result<(), OAuthError> {
    let (method, challenge) = (r.params.get("code_challenge_method"), r.params.get("code_challenge"));
    match (method, challenge) {
        (_, None) if r.client.metadata.requires_pkce() => {
            refuse(ErrorCode::InvalidRequest, "PKCE (code_challenge with S256) is required of this client")
        }
        (_, None) if r.client.is_public() => {
            refuse(ErrorCode::InvalidRequest, "PKCE (code_challenge with S256) is required for public clients")
        }
        (Some(_), None) => refuse(ErrorCode::InvalidRequest, "code_challenge_method without code_challenge"),
        (Some("S256"), Some(c)) if pkce::valid_challenge(c) => Ok(()),
        // RFC 7636 defaults a missing method to `plain`, which is refused.
        (None, Some(c)) if pkce::valid_challenge(c) => {
            refuse(ErrorCode::InvalidRequest, "code_challenge_method=S256 is required")
        }
        (None | Some("S256"), Some(_)) => {
            refuse(ErrorCode::InvalidRequest, "code_challenge must be a base64url SHA-256")
        }
        (Some(_), Some(_)) => refuse(ErrorCode::InvalidRequest, "only code_challenge_method=S256 is supported"),
        (None, None) => Ok(()),
    }
}

fn prompt(r: &Request) -> Result<(), OAuthError> {
    let prompts = prompts(r.params);
    if let Some(p) = prompts.iter().find(|p| !["none", "login", "consent", "select_account"].contains(p)) {
        return refuse(ErrorCode::InvalidRequest, format!("unknown prompt value {p}"));
    }
    if prompts.contains(&"none") && prompts.len() > 1 {
        return refuse(ErrorCode::InvalidRequest, "prompt=none cannot be combined with other values");
    }
    Ok(())
}

fn max_age_check(r: &Request) -> Result<(), OAuthError> {
    match r.params.get("max_age") {
        Some(v) if v.parse::<i64>().is_ok_and(|n| n >= 0) => Ok(()),
        Some(_) => refuse(ErrorCode::InvalidRequest, "max_age must be a non-negative integer"),
        None => Ok(()),
    }
}

fn id_token_hint_check(r: &Request) -> Result<(), OAuthError> {
    match r.hint_sub {
        Some(None) => refuse(ErrorCode::InvalidRequest, "id_token_hint is not a token this server issued"),
        _ => Ok(()),
    }
}

fn dpop_jkt_check(r: &Request) -> Result<(), OAuthError> {
    if dpop_jkt(r).is_some_and(|jkt| !super::dpop::valid_jkt(&jkt)) {
        return refuse(ErrorCode::InvalidRequest, "dpop_jkt must be a JWK SHA-256 thumbprint (RFC 7638)");
    }
    Ok(())
}

fn words(text: Option<&str>) -> Vec<&str> {
    text.unwrap_or_default().split(' ').filter(|s| !s.is_empty()).collect()
}

/// The scopes granted: those requested that the client may have (others are dropped, not
/// refused: RFC 6749 §3.3).
pub fn scope(r: &Request) -> Vec<String> {
    words(r.params.get("scope"))
        .into_iter()
        .filter(|s| r.client.metadata.scopes.iter().any(|c| c == s))
        .map(String::from)
        .collect()
}

pub fn prompts(params: &OAuthParams) -> Vec<&str> {
    words(params.get("prompt"))
}

pub fn max_age(params: &OAuthParams) -> Option<i64> {
    params.get("max_age").and_then(|v| v.parse().ok())
}

/// The `sub` of the verified `id_token_hint`.
pub fn id_token_hint_sub(r: &Request) -> Option<String> {
    r.hint_sub.clone().flatten()
}

/// RFC 9449 §10; with DPoP off the parameter is not understood, so not acted on (RFC 6749 §3.1).
pub fn dpop_jkt(r: &Request) -> Option<String> {
    r.params.get("dpop_jkt").filter(|_| r.oidc.dpop.is_some()).map(String::from)
}
