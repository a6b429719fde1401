//! F9, F11: which of a person's keys count. A provider that lists security-key models accepts,
//! of its administrators, only keys whose attestation proved one of them (registered against the
//! models' CAs); such keys are `hwk` (RFC 8176: the key is that hardware). An administrator whose
//! keys are all of other models owes one of a listed model, as a required step, rather than
//! signing in with the password alone.

use webauthn_rs::prelude::{AttestationCaList, AttestationCaListBuilder, Uuid};

use super::Accounts;
use crate::domain::second_factor::{KeyModel, RegisteredKey};
use crate::domain::tenant::Tenant;
use crate::domain::user::{User, UserId};
use crate::store::{StoreError, StoredPasskey};

/// What keys one person may register and use.
pub(super) struct KeyRules {
    /// The provider's models, when they apply to this person (an administrator); else none.
    models: Vec<KeyModel>,
}

impl KeyRules {
    pub(super) fn restricted(&self) -> bool {
        !self.models.is_empty()
    }

    /// F11: a key this person may sign in with.
    pub(super) fn accepts(&self, key: &RegisteredKey) -> bool {
        !self.restricted() || (key.attested && self.models.iter().any(|m| Some(&m.aaguid) == key.aaguid.as_ref()))
    }

    /// F11: the CAs a registration's attestation must chain to, each for its model's AAGUID;
    /// `None` when any key will do.
    pub(super) fn attestation(&self) -> Option<AttestationCaList> {
        if !self.restricted() {
            return None;
        }
        let mut builder = AttestationCaListBuilder::new();
        for m in &self.models {
            // Each was read when it was listed; one that no longer reads is left out, not trusted.
            if let Ok(aaguid) = Uuid::parse_str(&m.aaguid) {
                let _ =
                    builder.insert_device_pem(m.attestation_ca.as_bytes(), aaguid, m.name.clone(), Default::default());
            }
        }
        Some(builder.build())
    }

    /// The names of the models, for a refusal.
    pub(super) fn names(&self) -> String {
        self.models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl Accounts {
    /// F11: the rules for `user`'s keys.
    pub(super) async fn key_rules(&self, user: &User) -> Result<KeyRules, StoreError> {
        let models = if user.administers() { self.store.key_models(user.tenant_id).await? } else { Vec::new() };
        Ok(KeyRules { models })
    }

    /// The person's keys, each named by its model where the provider lists its AAGUID (F9).
    pub(super) async fn keys_of(&self, user: &User) -> Result<Vec<StoredPasskey>, StoreError> {
        let mut keys = self.store.passkeys(user.id).await?;
        if keys.iter().any(|k| k.key.aaguid.is_some()) {
            let models = self.store.key_models(user.tenant_id).await?;
            for k in &mut keys {
                k.key.model = models.iter().find(|m| Some(&m.aaguid) == k.key.aaguid.as_ref()).map(|m| m.name.clone());
            }
        }
        Ok(keys)
    }

    /// F10, F11: the keys `user` may sign in with.
    pub(super) async fn usable_keys(&self, user: &User) -> Result<Vec<StoredPasskey>, StoreError> {
        let rules = self.key_rules(user).await?;
        Ok(self.keys_of(user).await?.into_iter().filter(|k| rules.accepts(&k.key)).collect())
    }

    /// F11: whether `key_id` of `user` was attested as a model their provider lists now (`hwk`).
    pub(super) async fn listed_hardware(&self, user: &User, key_id: i32) -> Result<bool, StoreError> {
        let keys = self.store.passkeys(user.id).await?;
        let Some(key) = keys.iter().find(|k| k.key.id == key_id).filter(|k| k.key.attested) else { return Ok(false) };
        let models = self.store.key_models(user.tenant_id).await?;
        Ok(models.iter().any(|m| Some(&m.aaguid) == key.key.aaguid.as_ref()))
    }

    /// Whether the person has a key they may sign in with (none where this deployment is no
    /// relying party, F12).
    pub(super) async fn has_usable_key(&self, user_id: UserId) -> Result<bool, StoreError> {
        if self.relying_party.is_none() || !self.store.has_passkey(user_id).await? {
            return Ok(false);
        }
        let Some(user) = self.store.user_by_id(user_id).await? else { return Ok(false) };
        Ok(!self.usable_keys(&user).await?.is_empty())
    }

    /// F9, F11: whether this person owes a key they may use: their provider's policy wants one
    /// of them (F9), or lists the models its administrators' keys must be and theirs are all of
    /// others (F11).
    pub(super) async fn owes_key_of(&self, user: &User, tenant: &Tenant) -> Result<bool, StoreError> {
        let wanted = tenant.mfa_policy.requires_key(user.administers());
        // Asked at every sign-in: nobody the policy spares and no model list binds reads a key.
        if self.relying_party.is_none() || (!wanted && !user.administers()) {
            return Ok(false);
        }
        let rules = self.key_rules(user).await?;
        let keys = self.store.passkeys(user.id).await?;
        if keys.iter().any(|k| rules.accepts(&k.key)) {
            return Ok(false);
        }
        Ok(wanted || (rules.restricted() && !keys.is_empty()))
    }
}
