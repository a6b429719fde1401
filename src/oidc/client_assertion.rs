//! RFC 7523 §3, OIDC Core §9: a `private_key_jwt` client assertion. Read before the client is
//! known (its `sub` names the client), then verified with the client's registered keys and
//! checked: `iss` = `sub` = the client, `aud` naming the issuer or the endpoint, an `exp` in the
//! near future, `iat`/`nbf` not ahead of our clock by more than a little, and a `jti` (which the
//! caller makes single use).

use serde_json::Value;

use super::jws::Compact;
use crate::domain::client_keys::ASSERTION_ALGS;

/// RFC 7523 §2.2's `client_assertion_type`.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The longest assertion read at all.
const MAX_ASSERTION: usize = 8192;
/// How far ahead of our clock `iat` and `nbf` may be (clocks differ a little).
pub const SKEW: i64 = 10;
/// The longest an assertion may still be valid for: a credential, not a long-lived token.
const MAX_LIFETIME: i64 = 600;
const MAX_JTI: usize = 256;

/// An assertion as presented: its parts, not yet verified.
pub struct Presented(Compact);

/// What a verified assertion leaves to be made single use.
#[derive(Debug)]
pub struct Checked {
    pub jti: String,
    pub exp: i64,
}

impl Presented {
    /// A compact JWS with a JSON header and claims, or `None`.
    pub fn read(token: &str) -> Option<Presented> {
        Compact::read(token, MAX_ASSERTION).map(Presented)
    }

    /// The algorithm its header names.
    pub fn alg(&self) -> &str {
        self.0.header_text("alg").unwrap_or_default()
    }

    /// Whether its `aud` is a single string (not an array).
    pub fn aud_is_string(&self) -> bool {
        self.0.text("aud").is_some()
    }

    /// The client it claims to be (`sub`).
    pub fn subject(&self) -> Option<&str> {
        self.0.text("sub")
    }

    /// Checked for `client_id` at `issuer` at `now`, then verified with one of `jwks`' keys
    /// (the one its `kid` names; a client with several keys must name one). The claims come
    /// first: what fails them costs no signature check. `Err` says why, for the log;
    /// [`BAD_SIGNATURE`] when only the keys were wrong (the caller may look for newer ones).
    pub fn check(&self, jwks: &Value, client_id: &str, issuer: &str, now: i64) -> Result<Checked, &'static str> {
        let claim = |name: &str| self.0.claims.get(name);
        let text = |name: &str| self.0.text(name);
        if text("iss") != Some(client_id) || text("sub") != Some(client_id) {
            return Err("iss and sub must be the client");
        }
        // A JWT made for something else — a request object (which travels through the browser),
        // a DPoP proof, a logout token — is never a credential, whatever its claims.
        // Media types compare without regard to case, `application/` optional (RFC 7515 §4.1.9).
        let typ = self.0.header.get("typ").map(|t| t.as_str().map(str::to_ascii_lowercase));
        let typ_ok = |t: &str| ["jwt", "client-authentication+jwt"].contains(&t.trim_start_matches("application/"));
        if typ.is_some_and(|t| !t.is_some_and(|t| typ_ok(&t))) || claim("response_type").is_some() {
            return Err("not a client assertion (its typ or claims say it is another kind of JWT)");
        }
        // The issuer identifier only (draft-ietf-oauth-rfc7523bis): an endpoint's URL as `aud`
        // is what a malicious server's metadata can make a client sign for another server.
        let aud_ok = match claim("aud") {
            Some(Value::String(a)) => a == issuer,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(issuer)),
            _ => false,
        };
        if !aud_ok {
            return Err("aud must be this issuer");
        }
        let Some(exp) = claim("exp").and_then(Value::as_i64) else { return Err("exp is required") };
        if exp <= now {
            return Err("expired");
        }
        if exp > now + MAX_LIFETIME {
            return Err("exp too far ahead");
        }
        for name in ["iat", "nbf"] {
            match claim(name) {
                None => {}
                Some(v) if v.as_i64().is_some_and(|t| t <= now + SKEW) => {}
                Some(_) => return Err("iat or nbf in the future"),
            }
        }
        let jti = text("jti").filter(|j| !j.is_empty() && j.len() <= MAX_JTI).ok_or("jti is required")?;
        let alg = self.0.header_text("alg").unwrap_or_default();
        if !ASSERTION_ALGS.contains(&alg) {
            return Err("algorithm not accepted");
        }
        if self.0.header.get("crit").is_some() {
            return Err("critical header extensions are not understood");
        }
        self.0.verified_by_one_of(jwks, alg)?;
        Ok(Checked { jti: jti.to_string(), exp })
    }
}

/// What [`Presented::check`] says when the signature is all that failed.
pub use super::jws::BAD_SIGNATURE;

#[cfg(test)]
mod tests {
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn signed(pair: &Ed25519KeyPair, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "EdDSA", "kid": "k"}).to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(pair.sign(input.as_bytes()).as_ref()))
    }

    fn setup() -> (Ed25519KeyPair, Value, String) {
        let pair = Ed25519KeyPair::generate().unwrap();
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref())});
        let claims = json!({"iss": "svc", "sub": "svc", "aud": "https://id.example", "exp": NOW + 60, "jti": "j"});
        let token = signed(&pair, &claims);
        (pair, json!({"keys": [jwk]}), token)
    }

    #[test]
    fn a_good_assertion_checks() {
        let (_, jwks, token) = setup();
        let checked = Presented::read(&token).unwrap().check(&jwks, "svc", "https://id.example", NOW).unwrap();
        assert_eq!((checked.jti.as_str(), checked.exp), ("j", NOW + 60));
        assert!(Presented::read(&token).unwrap().check(&jwks, "other", "https://id.example", NOW).is_err());
    }

    proptest! {
        /// Anything at all: read or refused, never a panic, never accepted.
        #[test]
        fn junk_is_never_accepted(token in ".{0,300}", dots in proptest::collection::vec("[A-Za-z0-9_-]{0,80}", 3)) {
            let (_, jwks, _) = setup();
            for t in [token, dots.join(".")] {
                if let Some(p) = Presented::read(&t) {
                    prop_assert!(p.check(&jwks, "svc", "https://id.example", NOW).is_err());
                }
            }
        }

        /// One character of a good assertion changed: never accepted.
        #[test]
        fn an_edit_is_never_accepted(at in 0usize..400, with in proptest::char::range('-', 'z')) {
            let (_, jwks, token) = setup();
            let mut chars: Vec<char> = token.chars().collect();
            let i = at % chars.len();
            prop_assume!(chars[i] != with && chars[i] != '.');
            chars[i] = with;
            let edited: String = chars.into_iter().collect();
            if let Some(p) = Presented::read(&edited) {
                // The last character of the signature may carry unused bits: decoding may give
                // back the same bytes, which is the same signature, not an edit.
                let same = URL_SAFE_NO_PAD.decode(edited.rsplit('.').next().unwrap_or_default()).ok()
                    == URL_SAFE_NO_PAD.decode(token.rsplit('.').next().unwrap_or_default()).ok()
                    && edited.rsplit_once('.').map(|(a, _)| a) == token.rsplit_once('.').map(|(a, _)| a);
                prop_assert!(same || p.check(&jwks, "svc", "https://id.example", NOW).is_err());
            }
        }
    }
}
