//! An *interaction*: an application's authorization request waiting while the person signs in
//! (the name node-oidc-provider gives it). The protocol saves it with the few facts the sign-in
//! pages use, and the rest as its own opaque text; the pages read it once per request and hand
//! the person back to the protocol, which takes it — single use — when the sign-in is done.

use serde::{Deserialize, Serialize};

use super::Accounts;
use crate::secret::{is_random_token, random_token};
use crate::store::{Ephemeral, StoreError};

const NAMESPACE: &str = "authz";
/// Seconds a sign-in page may take before the waiting request is forgotten.
pub const INTERACTION_TTL: i64 = 10 * 60;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Interaction {
    /// The application that asked (L7 names it in the activity record).
    pub client_id: String,
    /// OIDC `login_hint`: pre-fills the Login Name.
    pub login_hint: Option<String>,
    /// When the request arrived, by Lanyard's clock.
    pub created_at: i64,
    /// The protocol's own record of the request; opaque here.
    pub request: String,
}

impl Accounts {
    pub async fn save_interaction(&self, interaction: &Interaction) -> Result<String, StoreError> {
        let id = random_token();
        self.put_interaction(&id, interaction, INTERACTION_TTL).await?;
        Ok(id)
    }

    pub async fn interaction(&self, id: &str) -> Result<Option<Interaction>, StoreError> {
        if !is_random_token(id) {
            return Ok(None);
        }
        let raw = self.ephemeral.get(&Ephemeral::secret_key(NAMESPACE, id)).await?;
        Ok(raw.and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Single use: of two tabs finishing the same sign-in, one gets it.
    pub async fn take_interaction(&self, id: &str) -> Result<Option<Interaction>, StoreError> {
        if !is_random_token(id) {
            return Ok(None);
        }
        let raw = self.ephemeral.take(&Ephemeral::secret_key(NAMESPACE, id)).await?;
        Ok(raw.and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Puts a taken interaction back for the rest of its life (the person is not done yet).
    pub async fn return_interaction(&self, id: &str, interaction: &Interaction) -> Result<(), StoreError> {
        let left = interaction.created_at + INTERACTION_TTL - self.clock.now();
        if left > 0 { self.put_interaction(id, interaction, left).await } else { Ok(()) }
    }

    async fn put_interaction(&self, id: &str, interaction: &Interaction, ttl: i64) -> Result<(), StoreError> {
        let json = serde_json::to_string(interaction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.ephemeral.put(&Ephemeral::secret_key(NAMESPACE, id), &json, ttl).await
    }
}
