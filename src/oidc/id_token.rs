//! ID token claims (OIDC Core §2, §3.1.3.6) and the user claims userinfo shares with it.

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::grants::Subject;
use super::keys::Alg;
use crate::domain::tenant::Tenant;
use crate::domain::user::User;

#[derive(Serialize)]
pub struct IdTokenClaims<'a> {
    pub iss: &'a str,
    pub sub: &'a str,
    pub aud: &'a str,
    pub azp: &'a str,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<&'a str>,
    pub at_hash: String,
    pub sid: &'a str,
    pub amr: &'a [String],
    /// F7: `urn:lanyard:acr:pwd` or `urn:lanyard:acr:mfa`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<&'a str>,
    /// U2: the application a unified login came from, `{client_id, name}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiated_from: Option<Value>,
    #[serde(flatten)]
    pub user: Map<String, Value>,
}

/// §3.1.3.6: the left half of the hash of the access token, with the JWS alg's hash
/// (SHA-256 for RS256/ES256, SHA-512 for Ed25519).
pub fn at_hash(alg: Alg, access_token: &str) -> String {
    let algorithm = match alg {
        Alg::RS256 | Alg::ES256 => &digest::SHA256,
        Alg::EdDSA => &digest::SHA512,
    };
    let d = digest::digest(algorithm, access_token.as_bytes());
    let bytes = d.as_ref();
    URL_SAFE_NO_PAD.encode(bytes.get(..bytes.len() / 2).unwrap_or_default())
}

/// Lanyard's own claims, in every ID token and userinfo answer whatever the scope: the provider
/// code and the user type every Lanyard relying party needs (A3).
pub fn lanyard_claims(user: &User, tenant: &Tenant) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("provider_code".into(), json!(tenant.provider_code.as_str()));
    m.insert("user_type".into(), json!(user.user_type.as_str()));
    // U1: applications show their unified-login buttons only when the provider has it.
    m.insert("unified_login".into(), json!(tenant.unified_login_enabled));
    m
}

/// Userinfo's claims (beyond `sub`): Lanyard's own plus those of the granted scopes. OIDC Core
/// §5.4: when an access token is issued (always, in the code flow) the scope claims are
/// returned here, not in the ID token.
pub fn user_claims(subject: &Subject, user: &User, tenant: &Tenant, scope: &[String]) -> Map<String, Value> {
    let _ = subject;
    let mut m = lanyard_claims(user, tenant);
    if scope.iter().any(|s| s == "profile") {
        m.insert("preferred_username".into(), json!(user.login_name.as_str()));
        m.insert("name".into(), json!(user.login_name.as_str()));
        m.insert("provider_name".into(), json!(tenant.name));
    }
    if scope.iter().any(|s| s == "email")
        && let Some(email) = &user.email
    {
        m.insert("email".into(), json!(email));
        m.insert("email_verified".into(), json!(user.email_verified));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_matches_oidc_core_example() {
        // OIDC Core Appendix A.3 (RS256).
        assert_eq!(at_hash(Alg::RS256, "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"), "77QmUPtjPfzWtF2AnpK9RQ");
    }
}
