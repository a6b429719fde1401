//! T4: client applications (relying parties), registered by platform administrators.
//!
//! Metadata uses the names of OIDC Dynamic Client Registration 1.0 §2 so the JSON an operator
//! writes is the JSON every OIDC library already documents.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

pub use super::admin_grant::AdminGrant;
use super::field_error::FieldError;
use super::tenant::TenantId;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    /// Public clients: PKCE instead of a secret.
    None,
    /// RFC 7523: a JWT signed with one of the client's registered keys (`jwks`); no secret.
    PrivateKeyJwt,
}

impl TokenEndpointAuthMethod {
    /// A secret Lanyard issues and the client presents.
    pub fn uses_secret(&self) -> bool {
        matches!(self, TokenEndpointAuthMethod::ClientSecretBasic | TokenEndpointAuthMethod::ClientSecretPost)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClientMetadata {
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub initiate_login_uri: Option<String>,
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    /// RFC 7591 §2: the public keys of a `private_key_jwt` client, a JWK Set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<serde_json::Value>,
    /// RFC 7591 §2: where a `private_key_jwt` client publishes its keys instead (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(default = "default_alg")]
    pub id_token_signed_response_alg: String,
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    #[serde(default = "default_grants")]
    pub grant_types: Vec<String>,
    /// Scopes this client may ask for.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// `opaque` (default; hashed at rest) or `jwt` (RFC 9068, for resource servers that validate
    /// locally). A Lanyard extension; not a registration parameter of the OIDC specs.
    #[serde(default)]
    pub access_token_format: AccessTokenFormat,
    /// Automation: what this client's `client_credentials` tokens with scope `admin` may
    /// administer. A Lanyard extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_role: Option<AdminGrant>,
    /// Marked by a platform operator: this application may carry a *person's* administrative
    /// power (tokens with scope `admin` for the people who sign in to it, and refresh tokens
    /// with that scope). Without it a person's `admin` scope is never granted to it. The
    /// console is marked by Lanyard itself. A Lanyard extension.
    #[serde(default)]
    pub administration: bool,
    /// F4: this application's users need a second factor, whatever their provider's policy.
    /// Set by a platform operator. A Lanyard extension.
    #[serde(default)]
    pub require_mfa: bool,
    /// RFC 9126 §6: its authorization requests must be pushed (`/par`) first.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// RFC 9449 §5.2: its access tokens are always DPoP-bound (a token request without a proof
    /// is refused).
    #[serde(default)]
    pub dpop_bound_access_tokens: bool,
    /// `standard` (default) or `fapi2`, the FAPI 2.0 Security Profile (`client_profile`). A
    /// Lanyard extension.
    #[serde(default, skip_serializing_if = "ClientProfile::is_standard")]
    pub profile: ClientProfile,
    /// Whether a refresh grant replaces the refresh token; unset: yes, except under `fapi2`. A
    /// Lanyard extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_rotation: Option<bool>,
    /// Switched off by a platform operator: no sign-in, token or refresh for it until switched
    /// back on (tokens already issued run out within their lifetime).
    #[serde(default)]
    pub disabled: bool,
}

impl ClientMetadata {
    /// The most entries of each list (URIs, scopes, grants).
    pub const MAX_ITEMS: usize = 20;
    pub const MAX_URI: usize = 2000;

    /// Every field's name as it is spelt in JSON: a body that flattens this struct checks its
    /// keys against them (serde refuses no unknown field beside a flattened struct).
    pub const FIELDS: &'static [&'static str] = &[
        "redirect_uris",
        "post_logout_redirect_uris",
        "initiate_login_uri",
        "token_endpoint_auth_method",
        "jwks",
        "jwks_uri",
        "id_token_signed_response_alg",
        "backchannel_logout_uri",
        "grant_types",
        "scopes",
        "access_token_format",
        "admin_role",
        "administration",
        "require_mfa",
        "require_pushed_authorization_requests",
        "dpop_bound_access_tokens",
        "profile",
        "refresh_token_rotation",
        "disabled",
    ];
}

/// The scope an access token must carry to be used at the administration API.
pub const ADMIN_SCOPE: &str = "admin";

/// Lanyard's own administration console, an OpenID Connect client of Lanyard registered by
/// Lanyard itself at start: every provider's administrators use it, and nobody else may
/// register, change or delete a client of this id.
pub const CONSOLE_CLIENT_ID: &str = "lanyard-console";

/// A client's security profile (what each requires: `client_profile`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientProfile {
    #[default]
    Standard,
    /// The FAPI 2.0 Security Profile (Final).
    Fapi2,
}

impl ClientProfile {
    pub fn is_standard(&self) -> bool {
        *self == ClientProfile::Standard
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessTokenFormat {
    #[default]
    Opaque,
    Jwt,
}

fn default_alg() -> String {
    "RS256".into()
}

fn default_grants() -> Vec<String> {
    vec!["authorization_code".into(), "refresh_token".into()]
}

fn default_scopes() -> Vec<String> {
    ["openid", "profile", "email", "offline_access"].map(String::from).to_vec()
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    #[serde(flatten)]
    pub metadata: ClientMetadata,
    /// Providers whose users may use this application (T4).
    pub tenants: Vec<TenantId>,
    #[serde(skip)]
    pub secret_hash: Option<String>,
    pub created_at: i64,
}

impl Client {
    /// T4: whether the provider's users may use this application at all. The console serves
    /// every provider; what each person may do there is the administration API's decision.
    pub fn serves(&self, tenant: TenantId) -> bool {
        self.client_id == CONSOLE_CLIENT_ID || self.tenants.contains(&tenant)
    }

    /// Whether a *person's* `admin` scope may be granted to this application: the console, and
    /// applications a platform operator marked for administration.
    pub fn carries_admin_power(&self) -> bool {
        self.client_id == CONSOLE_CLIENT_ID || self.metadata.administration
    }

    pub fn is_public(&self) -> bool {
        self.metadata.token_endpoint_auth_method == TokenEndpointAuthMethod::None
    }

    /// Whether the client authenticates with a secret Lanyard issued (not public, not keys).
    pub fn uses_secret(&self) -> bool {
        self.metadata.token_endpoint_auth_method.uses_secret()
    }
}

/// T4: a user's status in one application their provider uses (`active` unless set otherwise).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApplicationAccess {
    pub client_id: String,
    pub name: String,
    /// `active`, `admin_locked`, `password_locked`, `deactivated`.
    pub status: String,
}

impl ClientMetadata {
    /// Registration-time checks: exact, absolute redirect URIs with no fragment (OAuth 2.0 §3.1.2);
    /// plain http only for loopback. Lanyard itself calls the back-channel logout URI, so outside
    /// development (`internal_ok`) it may not name a loopback or private address: registering
    /// one would let an administrator's typo, or a stolen admin session, aim our server at the
    /// network behind it.
    pub fn validate(&self, internal_ok: bool) -> Result<(), FieldError> {
        // Nothing a registration sends is stored unbounded.
        let lists = [
            ("redirect_uris", &self.redirect_uris),
            ("post_logout_redirect_uris", &self.post_logout_redirect_uris),
            ("scopes", &self.scopes),
            ("grant_types", &self.grant_types),
        ];
        for (name, list) in lists {
            if list.len() > Self::MAX_ITEMS {
                return Err(FieldError::new(name, format!("at most {} entries", Self::MAX_ITEMS)));
            }
        }
        for (field, uris) in self.uri_fields() {
            if uris.iter().any(|u| u.len() > Self::MAX_URI) {
                return Err(FieldError::new(field, format!("each URI at most {} characters", Self::MAX_URI)));
            }
        }
        if self
            .scopes
            .iter()
            .any(|s| s.is_empty() || s.len() > 64 || !s.chars().all(|c| c.is_ascii_graphic() && c != '"' && c != '\\'))
        {
            return Err(FieldError::new(
                "scopes",
                "each 1-64 printable ASCII characters, no quote or backslash (RFC 6749 §3.3)",
            ));
        }
        if self.redirect_uris.is_empty() && self.grant_types.iter().any(|g| g == "authorization_code") {
            return Err(FieldError::new("redirect_uris", "at least one is required for the authorization_code grant"));
        }
        for (field, uris) in self.uri_fields() {
            for uri in uris {
                check_uri(uri).map_err(|reason| FieldError::new(field, reason))?;
            }
        }
        if let Some(uri) = &self.backchannel_logout_uri {
            let internal = url::Url::parse(uri).map(|u| internal_host(&u)).unwrap_or(true);
            if internal && !internal_ok {
                return Err(FieldError::new(
                    "backchannel_logout_uri",
                    format!("{uri} is a loopback or private address (allowed in development only)"),
                ));
            }
        }
        // RFC 7523: a private_key_jwt client registers the keys it signs with, inline or at a
        // URL (one of the two); no other client does.
        let keyed = self.token_endpoint_auth_method == TokenEndpointAuthMethod::PrivateKeyJwt;
        match (&self.jwks, &self.jwks_uri) {
            (Some(_), Some(_)) => return Err(FieldError::new("jwks_uri", "give jwks or jwks_uri, not both")),
            (None, None) if keyed => {
                return Err(FieldError::new(
                    "jwks",
                    "a private_key_jwt client registers its public keys (jwks or jwks_uri)",
                ));
            }
            (Some(_), _) | (_, Some(_)) if !keyed => {
                return Err(FieldError::new("jwks", "only for token_endpoint_auth_method private_key_jwt"));
            }
            (Some(jwks), None) => super::client_keys::check_jwks(jwks)?,
            (None, Some(uri)) => {
                if uri.len() > Self::MAX_URI {
                    return Err(FieldError::new("jwks_uri", format!("at most {} characters", Self::MAX_URI)));
                }
                check_uri(uri).map_err(|reason| FieldError::new("jwks_uri", reason))?;
                // Lanyard fetches it: as for the back-channel URI, no loopback or private address.
                let internal = url::Url::parse(uri).map(|u| internal_host(&u)).unwrap_or(true);
                if internal && !internal_ok {
                    return Err(FieldError::new(
                        "jwks_uri",
                        format!("{uri} is a loopback or private address (allowed in development only)"),
                    ));
                }
            }
            (None, None) => {}
        }
        if !["RS256", "ES256", "EdDSA"].contains(&self.id_token_signed_response_alg.as_str()) {
            let alg = &self.id_token_signed_response_alg;
            return Err(FieldError::new("id_token_signed_response_alg", format!("{alg} is not supported")));
        }
        for g in &self.grant_types {
            if !["authorization_code", "refresh_token", "client_credentials"].contains(&g.as_str()) {
                return Err(FieldError::new("grant_types", format!("{g} is not supported")));
            }
        }
        if self.token_endpoint_auth_method == TokenEndpointAuthMethod::None
            && self.grant_types.iter().any(|g| g == "client_credentials")
        {
            return Err(FieldError::new("grant_types", "a public client cannot use client_credentials"));
        }
        if self.admin_role.is_some()
            && (self.token_endpoint_auth_method == TokenEndpointAuthMethod::None
                || !self.grant_types.iter().any(|g| g == "client_credentials")
                || !self.scopes.iter().any(|s| s == ADMIN_SCOPE))
        {
            return Err(FieldError::new(
                "admin_role",
                format!("needs a confidential client with the client_credentials grant and the {ADMIN_SCOPE} scope"),
            ));
        }
        self.check_profile(internal_ok)
    }

    /// Each URI field with its URIs.
    fn uri_fields(&self) -> [(&'static str, Vec<&String>); 4] {
        [
            ("redirect_uris", self.redirect_uris.iter().collect()),
            ("post_logout_redirect_uris", self.post_logout_redirect_uris.iter().collect()),
            ("initiate_login_uri", self.initiate_login_uri.iter().collect()),
            ("backchannel_logout_uri", self.backchannel_logout_uri.iter().collect()),
        ]
    }
}

/// One URI of a registration: absolute, https (http for the loopback host only), no fragment.
pub fn check_uri(uri: &str) -> Result<(), String> {
    let url = url::Url::parse(uri).map_err(|e| format!("{uri}: not an absolute URL ({e})"))?;
    if url.fragment().is_some() {
        return Err(format!("{uri}: must not contain a fragment"));
    }
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!("{uri}: must be https (http only for localhost)")),
    }
}

/// Whether a server-side call to `url` would stay inside: `localhost`, or an address literal
/// that is loopback, private, link-local, unique-local, shared (CGNAT) or unspecified. Names are
/// judged by what they resolve to, when the call is made (`oidc::backchannel`).
pub fn internal_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => is_internal(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_internal(IpAddr::V6(ip)),
        None => true,
    }
}

/// The IPv4 address inside NAT64 (`64:ff9b::/96`), 6to4 (`2002::/16`) and the deprecated
/// IPv4-compatible (`::a.b.c.d`) forms: each reaches that IPv4 address.
fn embedded_v4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = v6.segments();
    let from = |hi: u16, lo: u16| std::net::Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(from(hi, lo)),
        [0x2002, hi, lo, ..] => Some(from(hi, lo)),
        [0, 0, 0, 0, 0, 0, hi, lo] if (hi, lo) != (0, 0) && (hi, lo) != (0, 1) => Some(from(hi, lo)),
        _ => None,
    }
}

/// See [`internal_host`].
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets().get(2) == Some(&0))
                || (a == 198 && (18..20).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments().first().copied().unwrap_or(0);
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
                || embedded_v4(v6).is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(uris: &[&str]) -> ClientMetadata {
        ClientMetadata {
            redirect_uris: uris.iter().map(|s| s.to_string()).collect(),
            post_logout_redirect_uris: vec![],
            initiate_login_uri: None,
            token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
            jwks: None,
            jwks_uri: None,
            id_token_signed_response_alg: default_alg(),
            backchannel_logout_uri: None,
            grant_types: default_grants(),
            scopes: default_scopes(),
            access_token_format: AccessTokenFormat::Opaque,
            admin_role: None,
            administration: false,
            require_mfa: false,
            require_pushed_authorization_requests: false,
            dpop_bound_access_tokens: false,
            profile: ClientProfile::Standard,
            refresh_token_rotation: None,
            disabled: false,
        }
    }

    #[test]
    fn fields_name_every_key_of_the_json() {
        let full = ClientMetadata {
            initiate_login_uri: Some("https://app.example/start".into()),
            backchannel_logout_uri: Some("https://app.example/bc".into()),
            admin_role: Some(AdminGrant::PlatformOperator),
            jwks: Some(serde_json::json!({"keys": []})),
            jwks_uri: Some("https://app.example/jwks".into()),
            profile: ClientProfile::Fapi2,
            refresh_token_rotation: Some(false),
            ..meta(&["https://app.example/cb"])
        };
        let json = serde_json::to_value(&full).unwrap();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields = ClientMetadata::FIELDS.to_vec();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }

    #[test]
    fn t4_redirect_uris_must_be_https_or_loopback_without_fragment() {
        assert!(meta(&["https://app.example/cb"]).validate(false).is_ok());
        assert!(meta(&["http://127.0.0.1:3000/cb"]).validate(false).is_ok());
        assert!(meta(&["http://app.example/cb"]).validate(false).is_err());
        assert!(meta(&["https://app.example/cb#x"]).validate(false).is_err());
        assert!(meta(&["/relative"]).validate(false).is_err());
        assert!(meta(&[]).validate(false).is_err());
    }

    #[test]
    fn backchannel_logout_to_internal_addresses_only_in_development() {
        for uri in [
            "http://localhost:4000/bc",
            "https://127.0.0.1/bc",
            "https://10.1.2.3/bc",
            "https://192.168.0.1/bc",
            "https://172.20.0.1/bc",
            "https://169.254.169.254/latest",
            "https://100.64.0.1/bc",
            "https://0.0.0.0/bc",
            "https://[::1]/bc",
            "https://[fd00::1]/bc",
            "https://[fe80::1]/bc",
            "https://[::ffff:10.0.0.1]/bc",
            "https://app.localhost/bc",
            "https://[64:ff9b::a00:1]/bc",
            "https://[2002:c0a8:1::1]/bc",
            "https://198.18.0.1/bc",
            "https://240.0.0.1/bc",
        ] {
            let mut m = meta(&["https://app.example/cb"]);
            m.backchannel_logout_uri = Some(uri.into());
            assert!(m.validate(false).is_err(), "{uri}");
            assert!(m.validate(true).is_ok() || uri.starts_with("https://0.0.0.0"), "{uri}");
        }
        let mut m = meta(&["https://app.example/cb"]);
        m.backchannel_logout_uri = Some("https://app.example/bc".into());
        assert!(m.validate(false).is_ok());
        m.backchannel_logout_uri = Some("https://8.8.8.8/bc".into());
        assert!(m.validate(false).is_ok());
    }
}
