//! A client's security profile (a Lanyard extension): `standard`, today's behaviour, or `fapi2`,
//! the FAPI 2.0 Security Profile (Final) for the authorization server — a confidential client
//! authenticating with `private_key_jwt`, pushing its requests (PAR), with PKCE S256, DPoP-bound
//! tokens, signatures in PS256, ES256 or EdDSA only, and refresh tokens that are not rotated
//! (FAPI 2.0 §5.3.2.1: rotation only in extraordinary circumstances). Codes live 60 s and
//! redirects are 303 for every client already. Beside it, two settings any client may have:
//! `dpop_bound_access_tokens` (RFC 9449 §5.2) and `refresh_token_rotation`.

pub use super::application::ClientProfile;
use super::application::{ClientMetadata, TokenEndpointAuthMethod};
use super::field_error::FieldError;

/// The signing algorithms FAPI 2.0 §5.4 allows (RS256 is not among them).
const FAPI2_ALGS: [&str; 3] = ["PS256", "ES256", "EdDSA"];

impl ClientMetadata {
    fn fapi2(&self) -> bool {
        self.profile == ClientProfile::Fapi2
    }

    /// RFC 9126 §6: its authorization requests must be pushed first.
    pub fn requires_par(&self) -> bool {
        self.require_pushed_authorization_requests || self.fapi2()
    }

    /// RFC 9449 §5.2: its access tokens must be DPoP-bound (a token request without a proof is
    /// refused).
    pub fn requires_dpop(&self) -> bool {
        self.dpop_bound_access_tokens || self.fapi2()
    }

    /// PKCE for a confidential client too.
    pub fn requires_pkce(&self) -> bool {
        self.fapi2()
    }

    /// Whether a refresh grant replaces the refresh token (RFC 9700 §4.14.2): by default yes,
    /// except under FAPI 2.0.
    pub fn rotates_refresh_tokens(&self) -> bool {
        self.refresh_token_rotation.unwrap_or(!self.fapi2())
    }

    /// Whether the client may sign assertions and request objects with `alg`.
    pub fn accepts_signing_alg(&self, alg: &str) -> bool {
        !self.fapi2() || FAPI2_ALGS.contains(&alg)
    }

    /// FAPI 2.0 §5.3.2.1: a client assertion's `aud` is the issuer as a string only.
    pub fn requires_string_audience(&self) -> bool {
        self.fapi2()
    }

    /// Registration-time checks of the profile and of the settings beside it.
    /// `internal_ok`: development, where loopback http redirects are allowed even under fapi2.
    pub(super) fn check_profile(&self, internal_ok: bool) -> Result<(), FieldError> {
        // RFC 9700 §4.14.2: a public client's refresh token is rotated or sender-constrained.
        if self.token_endpoint_auth_method == TokenEndpointAuthMethod::None
            && self.refresh_token_rotation == Some(false)
            && !self.requires_dpop()
        {
            return Err(FieldError::new(
                "refresh_token_rotation",
                "a public client's refresh tokens rotate unless its tokens are DPoP-bound (dpop_bound_access_tokens)",
            ));
        }
        if !self.fapi2() {
            return Ok(());
        }
        if self.token_endpoint_auth_method != TokenEndpointAuthMethod::PrivateKeyJwt {
            return Err(FieldError::new("profile", "fapi2 needs token_endpoint_auth_method private_key_jwt"));
        }
        if !FAPI2_ALGS.contains(&self.id_token_signed_response_alg.as_str()) {
            return Err(FieldError::new("profile", "fapi2 needs id_token_signed_response_alg ES256 or EdDSA"));
        }
        // FAPI 2.0 §5.3.2.2: plain-http loopback redirects are for native apps, not this profile.
        if !internal_ok && self.redirect_uris.iter().any(|u| !u.starts_with("https://")) {
            return Err(FieldError::new("profile", "fapi2 needs https redirect_uris"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn meta(extra: serde_json::Value) -> ClientMetadata {
        let mut base = json!({
            "redirect_uris": ["https://rp.example/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]},
            "id_token_signed_response_alg": "EdDSA",
        });
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn fapi2_holds_a_client_to_the_profile_and_others_keep_todays_behaviour() {
        let fapi = meta(json!({"profile": "fapi2"}));
        assert!(fapi.validate(false).is_ok());
        assert!(fapi.requires_par() && fapi.requires_dpop() && fapi.requires_pkce());
        assert!(
            !fapi.rotates_refresh_tokens() && !fapi.accepts_signing_alg("RS256") && fapi.accepts_signing_alg("PS256")
        );
        let standard = meta(json!({}));
        assert!(!standard.requires_par() && !standard.requires_dpop() && !standard.requires_pkce());
        assert!(standard.rotates_refresh_tokens() && standard.accepts_signing_alg("RS256"));
        assert!(!meta(json!({"refresh_token_rotation": false})).rotates_refresh_tokens());
        assert!(meta(json!({"dpop_bound_access_tokens": true})).requires_dpop());
        // Held to its parts at registration.
        assert_eq!(
            meta(json!({"profile": "fapi2", "id_token_signed_response_alg": "RS256"}))
                .validate(false)
                .unwrap_err()
                .field,
            "profile"
        );
        let secret =
            meta(json!({"profile": "fapi2", "token_endpoint_auth_method": "client_secret_basic", "jwks": null}));
        assert_eq!(secret.validate(false).unwrap_err().field, "profile");
        // Loopback http redirects only in development; a public client's refresh tokens rotate
        // unless they are DPoP-bound.
        let loopback = meta(json!({"profile": "fapi2", "redirect_uris": ["http://127.0.0.1:9/cb"]}));
        assert!(loopback.validate(false).is_err() && loopback.validate(true).is_ok());
        let public = json!({"token_endpoint_auth_method": "none", "jwks": null, "refresh_token_rotation": false});
        assert_eq!(meta(public.clone()).validate(false).unwrap_err().field, "refresh_token_rotation");
        let mut bound = public;
        bound["dpop_bound_access_tokens"] = json!(true);
        assert!(meta(bound).validate(false).is_ok());
        assert!(
            serde_json::from_value::<ClientMetadata>(
                json!({"redirect_uris": [], "token_endpoint_auth_method": "none", "profile": "fapi3"})
            )
            .is_err()
        );
    }
}
