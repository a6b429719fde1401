//! RFC 9101 (JAR), OIDC Core §6.1: an authorization request as a signed JWT — `request`, by
//! value at `/authorize` or pushed to `/par` (a `request_uri` of another host is never fetched).
//! Only a client with registered public keys may send one, signed by one of them (never `none`,
//! never HMAC); it names the client as `iss` and `client_id` and this issuer as `aud`, and
//! expires within the hour. Its claims are then the request: the parameters beside it are not
//! read (RFC 9101 §6.3), except `client_id`, which must agree.

use serde_json::Value;

use super::authorize_request::Rejection;
use super::client_auth::keys_of;
use super::error::{ErrorCode, OAuthError};
use super::jws::{BAD_SIGNATURE, Compact};
use super::redirect::VerifiedRedirect;
use super::{Ctx, Oidc};
use crate::domain::application::Client;
use crate::domain::client_keys::ASSERTION_ALGS;
use crate::http::OAuthParams;
use crate::i18n::Msg;

/// The algorithms a request object may be signed with (as client assertions).
pub const REQUEST_OBJECT_ALGS: [&str; 4] = ASSERTION_ALGS;
/// The longest a request object may be valid for (FAPI 2.0 Message Signing: 60 minutes).
const MAX_LIFETIME: i64 = 3600;
const MAX_REQUEST_OBJECT: usize = 16 * 1024;
/// Claims of the JWT itself, not parameters of the request.
const JWT_CLAIMS: [&str; 6] = ["iss", "aud", "exp", "nbf", "iat", "jti"];
/// RFC 9101 §10.8: its own type, or none; never a JWT made for something else (a DPoP proof, a
/// logout token) passed off as a request.
const TYPES: [&str; 2] = ["oauth-authz-req+jwt", "jwt"];

fn refused(why: &str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequestObject, format!("the request object is invalid: {why}"))
}

/// `jwt` verified as `client`'s request object; the request it carries (with `client_id`).
pub async fn unpack(oidc: &Oidc, client: &Client, jwt: &str) -> Result<OAuthParams, OAuthError> {
    let now = oidc.clock.now();
    let object = Compact::read(jwt, MAX_REQUEST_OBJECT).ok_or_else(|| refused("not a signed JWT"))?;
    let alg = object.header_text("alg").unwrap_or_default();
    if !REQUEST_OBJECT_ALGS.contains(&alg) || !client.metadata.accepts_signing_alg(alg) {
        return Err(refused("the algorithm is not accepted"));
    }
    if object.header.get("crit").is_some() {
        return Err(refused("critical header extensions are not understood"));
    }
    // Media types compare without regard to case (RFC 7515 §4.1.9).
    let typ = object.header.get("typ").map(|t| t.as_str().map(str::to_ascii_lowercase));
    if typ.is_some_and(|t| t.is_none_or(|t| !TYPES.contains(&t.trim_start_matches("application/")))) {
        return Err(refused("typ must be oauth-authz-req+jwt"));
    }
    check_claims(&object, client, &oidc.issuer, now).map_err(refused)?;
    let keys = keys_of(oidc, client, now, false).await.map_err(|_| refused("the client registered no keys"))?;
    match object.verified_by_one_of(&keys, alg) {
        Ok(()) => {}
        // Published keys may have just rotated: once more with them fetched afresh.
        Err(BAD_SIGNATURE) if client.metadata.jwks_uri.is_some() => {
            let keys = keys_of(oidc, client, now, true).await.map_err(|_| refused(BAD_SIGNATURE))?;
            object.verified_by_one_of(&keys, alg).map_err(refused)?;
        }
        Err(why) => return Err(refused(why)),
    }
    // A `jti` makes it single use (it travels through the browser, and into logs and Referer).
    if let Some(jti) = object.text("jti") {
        let exp = object.claims.get("exp").and_then(Value::as_i64).unwrap_or(now);
        let key = format!("{}:{jti}", client.client_id);
        if jti.len() > 256 {
            return Err(refused("jti is longer than 256 characters"));
        }
        // exp is within the hour of now (checked above): no overflow here.
        let ttl = exp - now + super::client_assertion::SKEW + 60;
        if !oidc.grants.first_use("request-jti", &key, ttl).await? {
            return Err(refused("it was used before (a request object with a jti works once)"));
        }
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(claims) = object.claims.as_object() {
        for (name, value) in claims.iter().filter(|(n, _)| !JWT_CLAIMS.contains(&n.as_str())) {
            // Strings as they are; `max_age` as a number, `claims` as an object: their JSON text.
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            pairs.push((name.clone(), text));
        }
    }
    OAuthParams::from_pairs(pairs).map_err(|e| refused(&e.description()))
}

fn check_claims(object: &Compact, client: &Client, issuer: &str, now: i64) -> Result<(), &'static str> {
    let id = client.client_id.as_str();
    if object.text("iss") != Some(id) {
        return Err("iss must be the client");
    }
    if object.text("client_id") != Some(id) {
        return Err("client_id must be the client that sends it");
    }
    let aud_ok = match object.claims.get("aud") {
        Some(Value::String(a)) => a == issuer,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(issuer)),
        _ => false,
    };
    if !aud_ok {
        return Err("aud must be this issuer");
    }
    let exp = object.claims.get("exp").and_then(Value::as_i64).ok_or("exp is required")?;
    if exp <= now {
        return Err("it has expired");
    }
    // FAPI 2.0 Message Signing §5.3.1: valid for at most an hour from its nbf (required of a
    // fapi2 client; without one, from now).
    let nbf = match object.claims.get("nbf") {
        None if client.metadata.requires_string_audience() => return Err("nbf is required"),
        None => now,
        Some(v) => v.as_i64().ok_or("nbf must be a number")?,
    };
    if nbf > now + super::client_assertion::SKEW {
        return Err("nbf is in the future");
    }
    if exp.saturating_sub(nbf) > MAX_LIFETIME || nbf < now - MAX_LIFETIME {
        return Err("it is valid for more than an hour");
    }
    if object.claims.get("request").is_some() || object.claims.get("request_uri").is_some() {
        return Err("it may not hold another request");
    }
    Ok(())
}

/// At `/authorize`: the request a `request` parameter carries (`Ok(None)` without one). Until the
/// object is verified, errors go to the outer `redirect_uri` if that is registered, else to a
/// page.
pub async fn at_authorize(ctx: Ctx<'_>, params: &OAuthParams) -> Result<Option<OAuthParams>, Rejection> {
    let Some(jwt) = params.get("request") else { return Ok(None) };
    let Some(client_id) = params.get("client_id") else {
        return Err(Rejection::Page(Msg::new("authorize-no-client-id")));
    };
    let client = match ctx.accounts.client(client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(Rejection::Page(Msg::new("authorize-unknown-client"))),
        Err(e) => return Err(Rejection::Failed(e.into())),
    };
    // A client held to PAR sends nothing by value: refused before any key is fetched.
    let unpacked = if client.metadata.requires_par() {
        Err(OAuthError::new(ErrorCode::InvalidRequest, "this client must push its authorization requests (PAR)"))
    } else {
        unpack(ctx.oidc, &client, jwt).await
    };
    unpacked.map(Some).map_err(|error| {
        let outer = params.get("redirect_uri").and_then(|uri| {
            VerifiedRedirect::verify(&client, uri, params.get("state").map(String::from), &ctx.oidc.issuer)
        });
        match outer {
            Some(redirect) => Rejection::Redirect(Box::new(redirect), error),
            None => {
                Rejection::Page(Msg::new("authorize-request-object-refused").with("detail", error.description.clone()))
            }
        }
    })
}
