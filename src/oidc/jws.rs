//! RFC 7515 §7.1: a compact JWS as a client presents one (a client assertion, a DPoP proof, a
//! request object): three base64url parts, a JSON object for header and claims. Only read here;
//! what the claims must say and which key verifies it is each caller's (`oidc::jwk` verifies).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// A compact JWS, read but not verified.
pub struct Compact {
    pub header: Value,
    pub claims: Value,
    /// `header.claims` as sent: what the signature covers.
    pub signing_input: String,
    pub sig: Vec<u8>,
}

impl Compact {
    /// `token` if it is a compact JWS of at most `max` bytes with JSON objects for header and
    /// claims; `None` for anything else.
    pub fn read(token: &str, max: usize) -> Option<Compact> {
        if token.len() > max {
            return None;
        }
        let mut parts = token.split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
        let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
        (header.is_object() && claims.is_object()).then(|| Compact {
            header,
            claims,
            signing_input: format!("{h}.{p}"),
            sig,
        })
    }

    pub fn header_text(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// Whether `key` (a JWK) verifies the signature under the header's `alg`.
    pub fn verified_by(&self, key: &Value, alg: &str) -> bool {
        super::jwk::verify(key, alg, self.signing_input.as_bytes(), &self.sig)
    }

    /// Verified under `alg` by the key of `jwks` (a JWK Set) its `kid` names — or, with no
    /// `kid`, by the set's only key: a signer with several keys must say which it used.
    pub fn verified_by_one_of(&self, jwks: &Value, alg: &str) -> Result<(), &'static str> {
        let kid = match self.header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.as_str()),
            Some(_) => return Err("kid must be a string"),
        };
        let keys = jwks.get("keys").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        if kid.is_none() && keys.len() > 1 {
            return Err("kid is required: the signer has several keys");
        }
        let signed = keys
            .iter()
            .filter(|k| kid.is_none_or(|kid| k.get("kid").and_then(Value::as_str) == Some(kid)))
            .any(|k| self.verified_by(k, alg));
        if signed { Ok(()) } else { Err(BAD_SIGNATURE) }
    }
}

/// What [`Compact::verified_by_one_of`] says when no key verified the signature (the caller may
/// look for newer keys).
pub const BAD_SIGNATURE: &str = "signature not verified by a registered key";
