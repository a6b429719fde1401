//! Compact JWS: signing our tokens, and verifying tokens we signed (`id_token_hint`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Value, json};

use super::key_ring::KeyRing;
use super::keys::{KeyError, SigningKey};

pub fn sign(key: &SigningKey, typ: &str, claims: &impl Serialize) -> Result<String, KeyError> {
    let header = json!({ "alg": key.alg.as_str(), "kid": key.kid, "typ": typ });
    let payload = serde_json::to_vec(claims).map_err(|e| KeyError(e.to_string()))?;
    let mut out = URL_SAFE_NO_PAD.encode(header.to_string());
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(payload));
    let sig = key.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(sig));
    Ok(out)
}

/// The claims of an ID token this issuer signed (`id_token_hint`), or `None`. Our logout tokens
/// (`logout+jwt`) and JWT access tokens (`at+jwt`) are signed with the same keys and name the
/// same audience: only the header's `typ` tells them apart, so it must be the ID token's.
/// Expiry is the caller's business: an expired ID token is still a valid hint.
pub fn verify_id_token(ring: &KeyRing, issuer: &str, token: &str) -> Option<Value> {
    let (header, claims) = verify_with_header(ring, token)?;
    let is_id_token = header.get("typ").and_then(Value::as_str) == Some(ID_TOKEN_TYP)
        && claims.get("iss").and_then(Value::as_str) == Some(issuer)
        && claims.get("sub").is_some_and(Value::is_string)
        && claims.get("events").is_none();
    is_id_token.then_some(claims)
}

/// The `typ` every ID token carries.
pub const ID_TOKEN_TYP: &str = "JWT";

/// The claims of a token signed by one of our live keys, or `None`.
pub fn verify(ring: &KeyRing, token: &str) -> Option<Value> {
    verify_with_header(ring, token).map(|(_, claims)| claims)
}

fn verify_with_header(ring: &KeyRing, token: &str) -> Option<(Value, Value)> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    let key = ring.by_kid(header.get("kid")?.as_str()?)?;
    // The header's alg must be the key's: no `none`, no algorithm confusion.
    if header.get("alg")?.as_str()? != key.alg.as_str() {
        return None;
    }
    let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
    let signing_input_len = h.len() + 1 + p.len();
    if !key.verify(token.get(..signing_input_len)?.as_bytes(), &sig) {
        return None;
    }
    let claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
    Some((header, claims))
}
