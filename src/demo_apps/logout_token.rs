//! The relying party's side of Back-Channel Logout 1.0 §2.6: a logout token is accepted only if
//! Lanyard signed it (the JWKS found at discovery), it is for this application, carries the
//! back-channel event and no nonce. It names the Lanyard session (`sid`) whose local sessions end.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::JsonWebKey;
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm};
use serde_json::Value;

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// The `sid` of a valid logout token for `client_id` from `issuer`, not expired at `now`.
pub fn verified_sid(token: &str, jwks: &CoreJsonWebKeySet, issuer: &str, client_id: &str, now: i64) -> Option<String> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s).ok();
    let head: Value = serde_json::from_slice(&decode(header)?).ok()?;
    // §2.4: explicitly typed, so an ID token can never pass for a logout token.
    if head.get("typ").and_then(Value::as_str) != Some("logout+jwt") {
        return None;
    }
    let alg: CoreJwsSigningAlgorithm = serde_json::from_value(head.get("alg")?.clone()).ok()?;
    let kid = head.get("kid").and_then(Value::as_str);
    let message = format!("{header}.{payload}");
    let signature = decode(signature)?;
    let signed = jwks
        .keys()
        .iter()
        .filter(|k| kid.is_none() || k.key_id().map(|id| id.as_str()) == kid)
        .any(|k| k.verify_signature(&alg, message.as_bytes(), &signature).is_ok());
    if !signed {
        return None;
    }
    let claims: Value = serde_json::from_slice(&decode(payload)?).ok()?;
    let aud_ok = match claims.get("aud")? {
        Value::String(a) => a == client_id,
        Value::Array(all) => all.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    let ok = claims.get("iss").and_then(Value::as_str) == Some(issuer)
        && aud_ok
        && claims.get("events").and_then(|e| e.get(EVENT)).is_some_and(Value::is_object)
        && claims.get("nonce").is_none()
        && claims.get("exp").and_then(Value::as_i64).is_none_or(|exp| exp > now);
    ok.then(|| claims.get("sid").and_then(Value::as_str).map(String::from)).flatten()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, FileFailurePersistence};

    fn config(cases: u32) -> Config {
        Config {
            cases,
            failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
            ..Config::default()
        }
    }

    /// Three dot-separated parts of anything, or base64url of JSON that looks almost right.
    fn candidate() -> impl Strategy<Value = String> {
        let json_part = prop_oneof![
            Just(r#"{"typ":"logout+jwt","alg":"RS256","kid":"k"}"#.to_string()),
            Just(r#"{"typ":"logout+jwt","alg":"none"}"#.to_string()),
            Just(r#"{"iss":"https://id.example","aud":["app"],"events":{"http://schemas.openid.net/event/backchannel-logout":{}},"sid":"s"}"#.to_string()),
            any::<String>(),
        ];
        prop_oneof![
            any::<String>(),
            (json_part.clone(), json_part, any::<Vec<u8>>()).prop_map(|(h, p, s)| format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(h),
                URL_SAFE_NO_PAD.encode(p),
                URL_SAFE_NO_PAD.encode(s)
            )),
        ]
    }

    fn never_accepts_unsigned(cases: u32) {
        let jwks: CoreJsonWebKeySet = serde_json::from_str(r#"{"keys":[]}"#).unwrap();
        proptest!(config(cases), |(token in candidate(), now in any::<i64>())| {
            prop_assert!(verified_sid(&token, &jwks, "https://id.example", "app", now).is_none());
        });
    }

    #[test]
    fn logout_tokens_without_a_key_never_verify() {
        never_accepts_unsigned(1_000);
    }

    #[test]
    #[ignore = "deep: 100 000 cases"]
    fn logout_tokens_without_a_key_never_verify_deep() {
        never_accepts_unsigned(100_000);
    }
}
