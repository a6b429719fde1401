//! Client authentication at the token, introspection and revocation endpoints and the
//! unified-login hand-off (RFC 6749 §2.3, OIDC Core §9): client_secret_basic,
//! client_secret_post, private_key_jwt (RFC 7523: an assertion signed with a registered key,
//! each `jti` accepted once across every node), or none for public clients. A client must use
//! the method it registered.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::Oidc;
use super::client_assertion::{self, JWT_BEARER};
use super::error::{ErrorCode, OAuthError};
use crate::accounts::Accounts;
use crate::domain::application::{Client, TokenEndpointAuthMethod};
use crate::http::OAuthParams;
use crate::secret::{constant_time_eq, token_hash};

/// Credentials as presented, before they are checked.
struct Presented {
    client_id: String,
    secret: Option<String>,
    /// RFC 7523: the client assertion, read but not yet verified.
    assertion: Option<client_assertion::Presented>,
    method: TokenEndpointAuthMethod,
}

fn unauthorized(basic: bool) -> OAuthError {
    OAuthError { basic_challenge: basic, ..OAuthError::new(ErrorCode::InvalidClient, "client authentication failed") }
}

fn presented(headers: &HeaderMap, form: &OAuthParams) -> Result<Presented, OAuthError> {
    let field = |k: &str| form.get(k).map(String::from);
    let one_method = || OAuthError::new(ErrorCode::InvalidRequest, "use only one client authentication method");
    if form.get("client_assertion_type").is_some() || form.get("client_assertion").is_some() {
        if headers.contains_key(AUTHORIZATION) || field("client_secret").is_some() {
            return Err(one_method());
        }
        let missing = |what: &str| OAuthError::new(ErrorCode::InvalidRequest, format!("{what} is required"));
        let (Some(kind), Some(raw)) = (form.get("client_assertion_type"), form.get("client_assertion")) else {
            return Err(missing("client_assertion with client_assertion_type"));
        };
        if kind != JWT_BEARER {
            return Err(unauthorized(false));
        }
        let assertion = client_assertion::Presented::read(raw).ok_or_else(|| unauthorized(false))?;
        // The assertion names its client; a client_id beside it must be the same one.
        let client_id = assertion.subject().ok_or_else(|| unauthorized(false))?.to_string();
        if field("client_id").is_some_and(|id| id != client_id) {
            return Err(unauthorized(false));
        }
        let method = TokenEndpointAuthMethod::PrivateKeyJwt;
        return Ok(Presented { client_id, secret: None, assertion: Some(assertion), method });
    }
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
            return Err(one_method());
        }
        return Ok(Presented {
            client_id: id,
            secret: Some(secret),
            assertion: None,
            method: TokenEndpointAuthMethod::ClientSecretBasic,
        });
    }
    let Some(client_id) = field("client_id") else {
        return Err(unauthorized(false));
    };
    match field("client_secret") {
        Some(secret) => Ok(Presented {
            client_id,
            secret: Some(secret),
            assertion: None,
            method: TokenEndpointAuthMethod::ClientSecretPost,
        }),
        None => Ok(Presented { client_id, secret: None, assertion: None, method: TokenEndpointAuthMethod::None }),
    }
}

fn urlencoded(s: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("v={s}")).ok()?;
    pairs.into_iter().next().map(|(_, v)| v)
}

/// The client that authenticated, or `invalid_client`.
pub async fn authenticate(
    oidc: &Oidc,
    accounts: &Accounts,
    headers: &HeaderMap,
    form: &OAuthParams,
) -> Result<Client, OAuthError> {
    let p = presented(headers, form)?;
    let basic = p.method == TokenEndpointAuthMethod::ClientSecretBasic;
    let client = accounts.client(&p.client_id).await?.ok_or_else(|| unauthorized(basic))?;
    if let Some(assertion) = &p.assertion {
        return by_assertion(oidc, accounts, client, assertion).await;
    }
    if matches_presented(&client, &p) {
        return Ok(client);
    }
    // The cached row may predate a rotation or re-registration: decide on the stored one.
    let client = accounts.client_fresh(&p.client_id).await?.ok_or_else(|| unauthorized(basic))?;
    if matches_presented(&client, &p) { Ok(client) } else { Err(unauthorized(basic)) }
}

/// RFC 7523: the assertion verified with the client's keys — registered inline, or published
/// at its `jwks_uri` — and, when only the signature failed, with the stored registration's keys
/// fetched afresh (the client may just have rotated them); its `jti` used once.
async fn by_assertion(
    oidc: &Oidc,
    accounts: &Accounts,
    client: Client,
    assertion: &client_assertion::Presented,
) -> Result<Client, OAuthError> {
    let now = oidc.clock.now();
    let (client, checked) = match check_with(oidc, &client, assertion, now, false).await {
        Ok(checked) => (client, checked),
        Err(why) if why != client_assertion::BAD_SIGNATURE => return Err(refused(&client, &why)),
        Err(_) => {
            let fresh = accounts.client_fresh(&client.client_id).await?.ok_or_else(|| unauthorized(false))?;
            match check_with(oidc, &fresh, assertion, now, true).await {
                Ok(checked) => (fresh, checked),
                Err(why) => return Err(refused(&fresh, &why)),
            }
        }
    };
    // Single use across every node, kept until the assertion has expired on any clock near ours.
    let ttl = checked.exp - now + client_assertion::SKEW + 60;
    if !oidc.grants.first_use("assertion-jti", &format!("{}:{}", client.client_id, checked.jti), ttl).await? {
        return Err(refused(&client, "jti replayed"));
    }
    Ok(client)
}

fn refused(client: &Client, why: &str) -> OAuthError {
    tracing::debug!(client = %client.client_id, why, "client assertion refused");
    unauthorized(false)
}

/// The assertion checked with `client`'s keys; `again` fetches published keys afresh.
async fn check_with(
    oidc: &Oidc,
    client: &Client,
    assertion: &client_assertion::Presented,
    now: i64,
    again: bool,
) -> Result<client_assertion::Checked, String> {
    if client.metadata.token_endpoint_auth_method != TokenEndpointAuthMethod::PrivateKeyJwt {
        return Err("the client does not use private_key_jwt".into());
    }
    // FAPI 2.0 §5.4: no RS256 for a client held to the profile.
    if !client.metadata.accepts_signing_alg(assertion.alg()) {
        return Err("algorithm not accepted for this client's profile".into());
    }
    // FAPI 2.0 §5.3.2.1: the issuer identifier as a string, not inside an array.
    if client.metadata.requires_string_audience() && !assertion.aud_is_string() {
        return Err("aud must be the issuer as a string for this client's profile".into());
    }
    let keys = keys_of(oidc, client, now, again).await?;
    assertion.check(&keys, &client.client_id, &oidc.issuer, now).map_err(String::from)
}

/// `client`'s public keys (a JWK Set): registered inline, or published at its `jwks_uri` (from
/// the cache; `again` fetches them afresh, as when a signature failed after a rotation).
pub async fn keys_of(oidc: &Oidc, client: &Client, now: i64, again: bool) -> Result<serde_json::Value, String> {
    match (&client.metadata.jwks, &client.metadata.jwks_uri) {
        (Some(jwks), _) => Ok(jwks.clone()),
        (None, Some(uri)) => {
            oidc.client_jwks.keys(&oidc.http, &client.client_id, uri, now, again).await.map_err(|e| e.to_string())
        }
        (None, None) => Err("the client registered no keys".into()),
    }
}

fn matches_presented(client: &Client, p: &Presented) -> bool {
    if client.metadata.token_endpoint_auth_method != p.method {
        return false;
    }
    match (&client.secret_hash, &p.secret) {
        (None, None) => p.method == TokenEndpointAuthMethod::None,
        (Some(stored), Some(secret)) => constant_time_eq(stored.as_bytes(), token_hash(secret).as_bytes()),
        _ => false,
    }
}
