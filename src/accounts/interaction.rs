//! An *interaction*: an application's authorization request waiting while the person signs in
//! (the name node-oidc-provider gives it). The protocol saves it with the few facts the sign-in
//! pages use, and the rest as its own opaque text; the pages read it once per request and hand
//! the person back to the protocol, which takes it — single use — when the sign-in is done.

use serde::{Deserialize, Serialize};

use super::Accounts;
use crate::domain::activity::address_bucket;
use crate::secret::{is_random_token, random_token};
use crate::store::{Ephemeral, StoreError};

const NAMESPACE: &str = "authz";
const PICK_NAMESPACE: &str = "authz-lang";
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
    /// F4, F7: the request needs a second factor of a person who has none (an application's
    /// `require_mfa`, or an essential `acr`), so a session may set one up for it.
    #[serde(default)]
    pub requires_second_factor: bool,
    /// G1: the language the application asked for (`ui_locales`, or a unified login's), kept
    /// for every page of the interaction.
    #[serde(default)]
    pub ui_locale: Option<String>,
}

/// Why an interaction was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// This address already has its budget of requests waiting (issue 11): anyone can start
    /// an authorization without signing in, so each one waiting is storage a stranger chose.
    #[error("too many authorization requests waiting from this address")]
    OverBudget,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The waiting requests: `accounts.interactions()`. `Copy`, and its calls take it by value, so
/// one expression's future borrows only `accounts`.
#[derive(Clone, Copy)]
pub struct Interactions<'a>(&'a Accounts);

impl Accounts {
    pub fn interactions(&self) -> Interactions<'_> {
        Interactions(self)
    }
}

impl Interactions<'_> {
    /// Saves the request `from` a client address, within that address's budget of pending
    /// authorizations per `INTERACTION_TTL`.
    pub async fn save(self, interaction: &Interaction, from: &str) -> Result<String, SaveError> {
        if !self.admit(from).await? {
            return Err(SaveError::OverBudget);
        }
        let id = random_token();
        self.put(&id, interaction, INTERACTION_TTL).await?;
        Ok(id)
    }

    /// Whether the address `from` may leave one more pending request (a waiting authorization,
    /// or a pushed one, RFC 9126) within its budget per `INTERACTION_TTL`; counts it if so.
    pub async fn admit(self, from: &str) -> Result<bool, StoreError> {
        let now = self.0.clock.now();
        let window = now - now.rem_euclid(INTERACTION_TTL);
        let budget_key = Ephemeral::secret_key("pending-addr", &format!("{window}:{}", address_bucket(from)));
        Ok(self.0.ephemeral.incr(&budget_key, INTERACTION_TTL).await? <= i64::from(self.0.limits.pending_per_address))
    }

    pub async fn get(self, id: &str) -> Result<Option<Interaction>, StoreError> {
        if !is_random_token(id) {
            return Ok(None);
        }
        let raw = self.0.ephemeral.get(&Ephemeral::secret_key(NAMESPACE, id)).await?;
        let mut found: Option<Interaction> = raw.and_then(|v| serde_json::from_str(&v).ok());
        // G1: a pick on one of its pages wins over the application's `ui_locales` (read only when
        // the application asked for a language: otherwise the pick's cookie already decides).
        if let Some(i) = found.as_mut().filter(|i| i.ui_locale.is_some()) {
            let pick = self.0.ephemeral.get(&Ephemeral::secret_key(PICK_NAMESPACE, id)).await?;
            if let Some(tag) = pick {
                i.ui_locale = Some(tag);
            }
        }
        Ok(found)
    }

    /// G1: the language the person picked on a page of this interaction, for its remaining life.
    /// Kept beside it (never written into it: that would race the single-use take).
    pub async fn pick_language(self, id: &str, tag: &str) -> Result<(), StoreError> {
        let Some(interaction) = self.get(id).await? else { return Ok(()) };
        let left = interaction.created_at + INTERACTION_TTL - self.0.clock.now();
        if left > 0 && interaction.ui_locale.is_some() {
            self.0.ephemeral.put(&Ephemeral::secret_key(PICK_NAMESPACE, id), tag, left).await?;
        }
        Ok(())
    }

    /// Single use: of two tabs finishing the same sign-in, one gets it.
    pub async fn take(self, id: &str) -> Result<Option<Interaction>, StoreError> {
        if !is_random_token(id) {
            return Ok(None);
        }
        let raw = self.0.ephemeral.take(&Ephemeral::secret_key(NAMESPACE, id)).await?;
        Ok(raw.and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Puts a taken interaction back for the rest of its life (the person is not done yet).
    pub async fn put_back(self, id: &str, interaction: &Interaction) -> Result<(), StoreError> {
        let left = interaction.created_at + INTERACTION_TTL - self.0.clock.now();
        if left > 0 { self.put(id, interaction, left).await } else { Ok(()) }
    }

    async fn put(self, id: &str, interaction: &Interaction, ttl: i64) -> Result<(), StoreError> {
        let json = serde_json::to_string(interaction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.0.ephemeral.put(&Ephemeral::secret_key(NAMESPACE, id), &json, ttl).await
    }
}
