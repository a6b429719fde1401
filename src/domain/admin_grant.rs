//! What an automation client may administer with its own tokens (a Lanyard extension of a
//! client's registration), as the API, the console and the CLI spell it.

use serde::{Deserialize, Serialize};

/// What an automation client administers with its `client_credentials` tokens (scope `admin`):
/// bound at registration, never chosen by the token request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum AdminGrant {
    /// Lanyard-wide: providers, applications, operators.
    PlatformOperator,
    /// One provider's settings, users and activity (A1, S1, T2, T4).
    ProviderAdmin { provider: String },
    /// T2: one provider's users, not its settings or its admins.
    UserAdministrator { provider: String },
}

impl AdminGrant {
    /// `platform`, `provider-admin:CODE`, `user-admin:CODE` (the CLI's spelling).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            None if text == "platform" => Ok(AdminGrant::PlatformOperator),
            Some(("provider-admin", code)) if !code.is_empty() => {
                Ok(AdminGrant::ProviderAdmin { provider: code.into() })
            }
            Some(("user-admin", code)) if !code.is_empty() => {
                Ok(AdminGrant::UserAdministrator { provider: code.into() })
            }
            _ => Err(format!("{text:?}: use platform, provider-admin:CODE or user-admin:CODE")),
        }
    }
}
