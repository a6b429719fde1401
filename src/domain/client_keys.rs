//! RFC 7517, RFC 7523: the public keys a client signs its assertions with (`jwks`, for
//! `private_key_jwt`), as a registration gives them. Checked here for shape — the kinds Lanyard
//! verifies, their sizes, no private parts, bounded — so nothing unusable or unbounded is
//! stored; verifying a signature with them is the protocol's (`oidc::jwk`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::field_error::FieldError;

/// Keys one client may register.
pub const MAX_CLIENT_KEYS: usize = 10;
/// The largest JWK Set, as JSON.
pub const MAX_JWKS_BYTES: usize = 16 * 1024;
/// The algorithms a client assertion may be signed with: FAPI 2.0's three, and RS256 (not
/// within that profile). Never `none`, never HMAC (a public key is no shared secret).
pub const ASSERTION_ALGS: [&str; 4] = ["PS256", "ES256", "EdDSA", "RS256"];

/// The members that would make a JWK a private key (RFC 7518 §6).
const PRIVATE: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

fn bytes(key: &Value, member: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(key.get(member)?.as_str()?).ok()
}

/// Whether `x` is an Ed25519 public key a signature can be checked against: a point on the
/// curve, not of small order (those verify signatures made without any private key).
pub fn ed25519_usable(x: &[u8]) -> bool {
    let Ok(bytes) = <[u8; 32]>::try_from(x) else { return false };
    curve25519_dalek::edwards::CompressedEdwardsY(bytes).decompress().is_some_and(|p| !p.is_small_order())
}

/// `jwks` as a registration may give it: `{"keys": [...]}`, each an RSA (2048-8192 bits), P-256 or
/// Ed25519 public key, optionally with `kid` (≤ 128 characters), `use` = `sig` and an `alg` of
/// its kind.
pub fn check_jwks(jwks: &Value) -> Result<(), FieldError> {
    let invalid = |reason: String| Err(FieldError::new("jwks", reason));
    let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
        return invalid("a JWK Set: {\"keys\": [...]}".into());
    };
    if keys.is_empty() || keys.len() > MAX_CLIENT_KEYS {
        return invalid(format!("1 to {MAX_CLIENT_KEYS} keys"));
    }
    if jwks.to_string().len() > MAX_JWKS_BYTES {
        return invalid(format!("at most {MAX_JWKS_BYTES} bytes"));
    }
    for (i, key) in keys.iter().enumerate() {
        let Some(members) = key.as_object() else { return invalid(format!("key {i}: not a JSON object")) };
        if PRIVATE.iter().any(|m| members.contains_key(*m)) {
            return invalid(format!("key {i}: a public key only (it carries private or secret parts)"));
        }
        let kind = key.get("kty").and_then(Value::as_str).unwrap_or_default();
        let curve = key.get("crv").and_then(Value::as_str).unwrap_or_default();
        let shape = match kind {
            "RSA" => {
                let n = bytes(key, "n").unwrap_or_default();
                let e = bytes(key, "e").unwrap_or_default();
                (256..=1024).contains(&n.len()) && (1..=8).contains(&e.len())
            }
            "EC" => {
                curve == "P-256"
                    && bytes(key, "x").map(|x| x.len()) == Some(32)
                    && bytes(key, "y").map(|y| y.len()) == Some(32)
            }
            "OKP" => curve == "Ed25519" && bytes(key, "x").is_some_and(|x| ed25519_usable(&x)),
            _ => false,
        };
        if !shape {
            return invalid(format!("key {i}: an RSA (2048-8192 bits), P-256 or Ed25519 public key"));
        }
        if let Some(alg) = key.get("alg") {
            let fits = matches!(
                (alg.as_str(), kind),
                (Some("PS256" | "RS256"), "RSA") | (Some("ES256"), "EC") | (Some("EdDSA"), "OKP")
            );
            if !fits {
                return invalid(format!("key {i}: alg must be one of {ASSERTION_ALGS:?} and fit its kty"));
            }
        }
        if key.get("use").is_some_and(|u| u.as_str() != Some("sig")) {
            return invalid(format!("key {i}: use must be sig"));
        }
        if key.get("kid").is_some_and(|k| k.as_str().is_none_or(|k| k.is_empty() || k.len() > 128)) {
            return invalid(format!("key {i}: kid must be 1-128 characters"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(n: usize) -> String {
        URL_SAFE_NO_PAD.encode(vec![7u8; n])
    }

    #[test]
    fn jwks_of_each_kind_pass_and_private_or_odd_keys_do_not() {
        let ec =
            json!({"kty": "EC", "crv": "P-256", "x": b64(32), "y": b64(32), "kid": "a", "use": "sig", "alg": "ES256"});
        let real = URL_SAFE_NO_PAD.encode(
            aws_lc_rs::signature::KeyPair::public_key(&aws_lc_rs::signature::Ed25519KeyPair::generate().unwrap())
                .as_ref(),
        );
        let ed = json!({"kty": "OKP", "crv": "Ed25519", "x": real});
        let rsa = json!({"kty": "RSA", "n": b64(256), "e": "AQAB", "alg": "PS256"});
        assert!(check_jwks(&json!({"keys": [ec, ed, rsa]})).is_ok());
        let private = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(32), "d": b64(32)});
        let hmac = json!({"kty": "oct", "k": b64(32)});
        let small_rsa = json!({"kty": "RSA", "n": b64(128), "e": "AQAB"});
        let wrong_alg = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(32), "alg": "RS256"});
        let p384 = json!({"kty": "EC", "crv": "P-384", "x": b64(48), "y": b64(48)});
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let small = json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(identity)});
        assert!(check_jwks(&json!({"keys": [small]})).is_err(), "a small-order key forges signatures");
        for bad in [
            json!({}),
            json!({"keys": []}),
            json!({"keys": [private]}),
            json!({"keys": [hmac]}),
            json!({"keys": [small_rsa]}),
            json!({"keys": [wrong_alg]}),
            json!({"keys": [p384]}),
        ] {
            assert!(check_jwks(&bad).is_err(), "{bad}");
        }
        let many: Vec<Value> = (0..11).map(|_| json!({"kty": "OKP", "crv": "Ed25519", "x": real})).collect();
        assert!(check_jwks(&json!({"keys": many})).is_err(), "bounded");
    }
}
