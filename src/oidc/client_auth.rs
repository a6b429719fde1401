//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
//! OIDC Core §9): client_secret_basic, client_secret_post, or none for public clients. A client
//! must use the method it registered.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::error::{ErrorCode, OAuthError};
use crate::accounts::Accounts;
use crate::domain::application::{Client, TokenEndpointAuthMethod};
use crate::http::OAuthParams;
use crate::secret::{constant_time_eq, token_hash};

/// Credentials as presented, before they are checked.
struct Presented {
    client_id: String,
    secret: Option<String>,
    method: TokenEndpointAuthMethod,
}

fn unauthorized(basic: bool) -> OAuthError {
    OAuthError { basic_challenge: basic, ..OAuthError::new(ErrorCode::InvalidClient, "client authentication failed") }
}

fn presented(headers: &HeaderMap, form: &OAuthParams) -> Result<Presented, OAuthError> {
    let field = |k: &str| form.get(k).map(String::from);
    if let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let Some(encoded) = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")) else {
            return Err(unauthorized(true));
        };
        let decoded = STANDARD.decode(encoded.trim()).map_err(|_| unauthorized(true))?;
        let text = String::from_utf8(decoded).map_err(|_| unauthorized(true))?;
        let (id, secret) = text.split_once(':').ok_or_else(|| unauthorized(true))?;
        // §2.3.1: both parts are form-urlencoded before Base64.
        let id = urlencoded(id).ok_or_else(|| unauthorized(true))?;
        let secret = urlencoded(secret).ok_or_else(|| unauthorized(true))?;
        if field("client_secret").is_some() {
            return Err(OAuthError::new(ErrorCode::InvalidRequest, "use only one client authentication method"));
        }
        return Ok(Presented {
            client_id: id,
            secret: Some(secret),
            method: TokenEndpointAuthMethod::ClientSecretBasic,
        });
    }
    let Some(client_id) = field("client_id") else {
        return Err(unauthorized(false));
    };
    match field("client_secret") {
        Some(secret) => {
            Ok(Presented { client_id, secret: Some(secret), method: TokenEndpointAuthMethod::ClientSecretPost })
        }
        None => Ok(Presented { client_id, secret: None, method: TokenEndpointAuthMethod::None }),
    }
}

fn urlencoded(s: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("v={s}")).ok()?;
    pairs.into_iter().next().map(|(_, v)| v)
}

pub async fn authenticate(accounts: &Accounts, headers: &HeaderMap, form: &OAuthParams) -> Result<Client, OAuthError> {
    let p = presented(headers, form)?;
    let basic = p.method == TokenEndpointAuthMethod::ClientSecretBasic;
    let client = accounts.client(&p.client_id).await?.ok_or_else(|| unauthorized(basic))?;
    if matches_presented(&client, &p) {
        return Ok(client);
    }
    // The cached row may predate a rotation or re-registration: decide on the stored one.
    let client = accounts.client_fresh(&p.client_id).await?.ok_or_else(|| unauthorized(basic))?;
    if matches_presented(&client, &p) { Ok(client) } else { Err(unauthorized(basic)) }
}

fn matches_presented(client: &Client, p: &Presented) -> bool {
    if client.metadata.token_endpoint_auth_method != p.method {
        return false;
    }
    match (&client.secret_hash, &p.secret) {
        (None, None) => true,
        (Some(stored), Some(secret)) => constant_time_eq(stored.as_bytes(), token_hash(secret).as_bytes()),
        _ => false,
    }
}
