//! F11: the security-key models a provider accepts for its administrators, listed by its super
//! administrators or a platform operator (not by a provider administrator: listing a CA is
//! deciding which keys count as hardware). Each is an AAGUID, a name and the maker's attestation CA; once a
//! provider lists any, its administrators register only keys whose attestation proves one of
//! them, and sign in only with such keys (`accounts::key_models`).

use webauthn_rs::prelude::{AttestationCaListBuilder, Uuid};

use super::{Admin, AdminError};
use crate::domain::second_factor::{KeyModel, KeyModelChanges, MAX_CA_PEM, MAX_KEY_MODELS, MAX_KEY_NAME};
use crate::store::Put;

/// An AAGUID as the API takes it: any UUID spelling, kept lower-case and hyphenated.
fn aaguid_of(raw: &str) -> Result<String, AdminError> {
    Uuid::parse_str(raw.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| AdminError::field("aaguid", "a UUID, like cb69481e-8ff7-4039-93ec-0a2729a154a8"))
}

impl Admin<'_> {
    async fn key_models_to_change(&self, code: &str) -> Result<crate::domain::tenant::Tenant, AdminError> {
        let tenant = self.provider_settings(code).await?;
        if !self.actor().may_list_key_models() {
            return Err(AdminError::Forbidden("a super administrator or a platform operator lists key models".into()));
        }
        Ok(tenant)
    }

    pub async fn key_models(&self, code: &str) -> Result<Vec<KeyModel>, AdminError> {
        let tenant = self.provider(code).await?;
        Ok(self.store.key_models(tenant.id).await?)
    }

    /// F11: adds a model, or replaces the one of the same AAGUID.
    pub async fn put_key_model(
        &self,
        code: &str,
        aaguid: &str,
        changes: &KeyModelChanges,
    ) -> Result<KeyModel, AdminError> {
        let tenant = self.key_models_to_change(code).await?;
        let aaguid = aaguid_of(aaguid)?;
        let name = changes.name.trim();
        if name.is_empty() || name.chars().count() > MAX_KEY_NAME || name.chars().any(char::is_control) {
            return Err(AdminError::field("name", format!("1 to {MAX_KEY_NAME} characters on one line")));
        }
        let pem = changes.attestation_ca.trim();
        if pem.len() > MAX_CA_PEM {
            return Err(AdminError::field("attestation_ca", format!("at most {MAX_CA_PEM} characters")));
        }
        // Read as the registration will read it (a certificate the library cannot use is refused
        // now), and kept as the library read it: the one certificate, nothing that came after it.
        let uuid = Uuid::parse_str(&aaguid).map_err(|_| AdminError::field("aaguid", "a UUID"))?;
        let not_a_certificate =
            || AdminError::field("attestation_ca", "one X.509 certificate, PEM (-----BEGIN CERTIFICATE-----)");
        let mut builder = AttestationCaListBuilder::new();
        builder
            .insert_device_pem(pem.as_bytes(), uuid, name.to_string(), Default::default())
            .map_err(|_| not_a_certificate())?;
        let list = builder.build();
        let read = list.cas().values().next().and_then(|ca| ca.ca().to_pem().ok()).ok_or_else(not_a_certificate)?;
        let attestation_ca = String::from_utf8(read).map_err(|_| not_a_certificate())?;
        let model = KeyModel { aaguid, name: name.to_string(), attestation_ca, created_at: self.clock.now() };
        let put = self.store.put_key_model(tenant.id, &model, MAX_KEY_MODELS).await?;
        if put == Put::Full {
            return Err(AdminError::Refused(format!("a provider lists at most {MAX_KEY_MODELS} models")));
        }
        let what = if put == Put::Added { "listed" } else { "replaced" };
        let detail = format!("security-key model {} ({}) {what} for administrators (F11)", model.aaguid, model.name);
        self.audit(Some(&tenant), None, "", detail).await?;
        Ok(model)
    }

    /// F11: the model is no longer listed (keys registered with it stay, and are still of it).
    pub async fn remove_key_model(&self, code: &str, aaguid: &str) -> Result<(), AdminError> {
        let tenant = self.key_models_to_change(code).await?;
        let aaguid = aaguid_of(aaguid)?;
        if !self.store.remove_key_model(tenant.id, &aaguid).await? {
            return Err(AdminError::NotFound(format!("security-key model {aaguid}")));
        }
        let detail = format!("security-key model {aaguid} no longer listed for administrators (F11)");
        self.audit(Some(&tenant), None, "", detail).await
    }
}
