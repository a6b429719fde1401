//! T1: a provider (agency) is a tenant identified by a case-sensitive provider code.

use serde::{Deserialize, Serialize};

use super::policy::PasswordPolicy;
use super::second_factor::MfaPolicy;

/// A provider code as typed on the sign-in page. Case-sensitive (T1, L1): `ACME` ≠ `acme`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = "^[A-Za-z0-9._-]{1,64}$")]
pub struct ProviderCode(String);

impl ProviderCode {
    /// Codes are short printable identifiers; anything else can never match a tenant.
    /// What `parse` accepts, for the administration API's document.
    pub const PATTERN: &'static str = "^[A-Za-z0-9._-]{1,64}$";
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Option<Self> {
        let ok = (1..=Self::MAX_CHARS).contains(&raw.chars().count())
            && raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        ok.then(|| ProviderCode(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProviderCode {
    type Error = &'static str;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        ProviderCode::parse(&raw).ok_or("not a provider code")
    }
}

impl From<ProviderCode> for String {
    fn from(code: ProviderCode) -> String {
        code.0
    }
}

impl std::fmt::Display for ProviderCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type TenantId = i32;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tenant {
    pub id: TenantId,
    pub provider_code: ProviderCode,
    pub name: String,
    pub active: bool,
    pub password_policy: PasswordPolicy,
    /// S1: the provider-level switch for self password reset.
    pub self_reset_enabled: bool,
    /// U1: set by a platform administrator.
    pub unified_login_enabled: bool,
    pub created_at: i64,
    /// The administrators' contact line on the sign-in help page, shown only to someone who
    /// typed this provider's code ("Front office, ext. 214"); set by its administrators.
    pub help_contact: Option<String>,
    /// F4: who must use a second factor.
    #[serde(default)]
    pub mfa_policy: MfaPolicy,
    /// F10: people may sign in with a passkey instead of their password (off by default).
    #[serde(default)]
    pub passkey_sign_in: bool,
    /// G1: the language of the provider's pages and mails where nothing more specific decides
    /// (a published tag: `en`, `es`).
    #[serde(default = "english")]
    pub default_language: String,
}

fn english() -> String {
    "en".into()
}

/// What an administrator may change on a tenant; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantChanges {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub self_reset_enabled: Option<bool>,
    pub unified_login_enabled: Option<bool>,
    /// L3: 1-10 (default 3).
    #[schema(minimum = 1, maximum = 10)]
    pub max_failed_attempts: Option<u32>,
    /// L5: 8-64.
    #[schema(minimum = 8, maximum = 64)]
    pub min_password_length: Option<u32>,
    /// L5: how many earlier passwords may not be reused, at most 24.
    #[schema(maximum = 24)]
    pub password_history: Option<u32>,
    pub nist_mode: Option<bool>,
    /// Plain text, one line, at most 200 characters; empty removes it.
    pub help_contact: Option<String>,
    /// F4, F9: `off`, `optional`, `administrators`, `everyone`, `passkey_administrators` or
    /// `passkey_everyone` (the factor must be a passkey or security key).
    pub mfa_policy: Option<MfaPolicy>,
    /// F10: a passkey that verifies its holder signs in without the password.
    pub passkey_sign_in: Option<bool>,
    /// G1: `en` or `es` (the languages Lanyard has catalogues for).
    pub default_language: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t1_provider_codes_keep_their_case() {
        let upper = ProviderCode::parse("ACME").unwrap();
        let lower = ProviderCode::parse("acme").unwrap();
        assert_ne!(upper, lower);
    }

    #[test]
    fn t1_provider_codes_refuse_junk() {
        for bad in ["", " ACME", "AC ME", "a/b", &"x".repeat(65)] {
            assert!(ProviderCode::parse(bad).is_none(), "{bad:?}");
        }
    }
}
