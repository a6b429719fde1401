//! RFC 7517/7518: verifying a JWS signature with a client's registered public key (a JWK,
//! checked for shape at registration by `domain::client_keys`), through aws-lc-rs — the crypto
//! that signs Lanyard's own tokens. The JWS `alg` chooses the verification, and must fit the key.

use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

fn bytes(key: &Value, member: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(key.get(member)?.as_str()?).ok()
}

/// Whether `key` may verify `alg` (its kind and curve fit, and its own `alg`, if any, is it).
pub fn fits(key: &Value, alg: &str) -> bool {
    let kind = key.get("kty").and_then(Value::as_str);
    let curve = key.get("crv").and_then(Value::as_str);
    let kind_fits = match alg {
        "PS256" | "RS256" => kind == Some("RSA"),
        "ES256" => kind == Some("EC") && curve == Some("P-256"),
        "EdDSA" => kind == Some("OKP") && curve == Some("Ed25519"),
        _ => false,
    };
    kind_fits && key.get("alg").is_none_or(|a| a.as_str() == Some(alg))
}

/// Whether `sig` is `key`'s signature of `message` under `alg`; false for anything else.
pub fn verify(key: &Value, alg: &str, message: &[u8], sig: &[u8]) -> bool {
    if !fits(key, alg) {
        return false;
    }
    match alg {
        "PS256" | "RS256" => {
            let (Some(n), Some(e)) = (bytes(key, "n"), bytes(key, "e")) else { return false };
            let params = if alg == "PS256" {
                &signature::RSA_PSS_2048_8192_SHA256
            } else {
                &signature::RSA_PKCS1_2048_8192_SHA256
            };
            RsaPublicKeyComponents { n: n.as_slice(), e: e.as_slice() }.verify(params, message, sig).is_ok()
        }
        "ES256" => {
            let (Some(x), Some(y)) = (bytes(key, "x"), bytes(key, "y")) else { return false };
            if x.len() != 32 || y.len() != 32 {
                return false;
            }
            let point = [&[4u8][..], &x, &y].concat();
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(message, sig).is_ok()
        }
        "EdDSA" => {
            // A small-order key would verify a signature nobody made.
            let Some(x) = bytes(key, "x").filter(|x| crate::domain::client_keys::ed25519_usable(x)) else {
                return false;
            };
            UnparsedPublicKey::new(&signature::ED25519, x).verify(message, sig).is_ok()
        }
        _ => false,
    }
}
