//! The protocol's side of an interaction (`accounts::interaction`): an authorization request
//! that needs the person to sign in is saved with the facts the sign-in page may use, and taken
//! back — once — by `/authorize/resume` when the page is done.

use serde::{Deserialize, Serialize};

use crate::accounts::Accounts;
use crate::accounts::interaction::{Interaction, SaveError};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingAuthorization {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_mode: String,
    pub state: Option<String>,
    pub scope: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt_login: bool,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub id_token_hint_sub: Option<String>,
    pub created_at: i64,
    /// F7: `acr_values` asked for the multi-factor level.
    #[serde(default)]
    pub wants_second_factor: bool,
    /// F4: the application requires a second factor (`require_mfa`).
    #[serde(default)]
    pub requires_second_factor: bool,
    /// F7: an essential `acr` claim that only the multi-factor level meets.
    #[serde(default)]
    pub essential_acr: bool,
    /// F8: a unified login's hand-off, already taken, waiting for B's second factor: A's
    /// (client id, name).
    #[serde(default)]
    pub unified_from: Option<(String, String)>,
    /// RFC 9449 §10: the DPoP key the code is to be bound to.
    #[serde(default)]
    pub dpop_jkt: Option<String>,
    /// G1: the first language of `ui_locales` Lanyard speaks (its tag).
    #[serde(default)]
    pub ui_locale: Option<String>,
}

/// Saves the request for the sign-in page; returns the interaction's handle.
pub async fn save(accounts: &Accounts, pending: &PendingAuthorization, from: &str) -> Result<String, SaveError> {
    let interaction = Interaction {
        client_id: pending.client_id.clone(),
        login_hint: pending.login_hint.clone(),
        created_at: pending.created_at,
        // Every field is plain data: serialising cannot fail.
        request: serde_json::to_string(pending).unwrap_or_default(),
        requires_second_factor: pending.requires_second_factor || pending.essential_acr,
        ui_locale: pending.ui_locale.clone(),
    };
    accounts.interactions().save(&interaction, from).await
}

/// The request inside an interaction this module saved.
pub fn request(interaction: &Interaction) -> Option<PendingAuthorization> {
    serde_json::from_str(&interaction.request).ok()
}
