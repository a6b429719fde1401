//! T4: client applications, registered and changed by platform operators.

use super::tenants::check_name;
use super::{Admin, AdminError};
use crate::domain::application::{AdminGrant, CONSOLE_CLIENT_ID, Client, ClientMetadata};
use crate::secret::{Secret, hex, random_bytes, random_token, token_hash};

/// The console's registration is Lanyard's own (`accounts::console_client`): an administrator
/// who changed its URIs or secret would lock every administrator out of the console.
fn managed_elsewhere(client_id: &str) -> Result<(), AdminError> {
    if client_id == CONSOLE_CLIENT_ID {
        return Err(AdminError::Forbidden(format!(
            "{CONSOLE_CLIENT_ID} is Lanyard's own console and is managed by Lanyard"
        )));
    }
    Ok(())
}

impl Admin<'_> {
    /// Registers an application. Confidential clients get a generated secret, returned once and
    /// stored only as its SHA-256.
    pub async fn create_client(
        &self,
        client_id: Option<&str>,
        name: &str,
        metadata: &ClientMetadata,
        tenant_codes: &[String],
    ) -> Result<(Client, Option<Secret>), AdminError> {
        // An automation role brings what it needs: the client_credentials grant and the admin
        // scope (as the CLI's --admin-role always did).
        let mut metadata = metadata.clone();
        if metadata.admin_role.is_some() {
            for (list, item) in [
                (&mut metadata.grant_types, "client_credentials"),
                (&mut metadata.scopes, crate::domain::application::ADMIN_SCOPE),
            ] {
                if !list.iter().any(|x| x == item) {
                    list.push(item.to_string());
                }
            }
        }
        let metadata = &metadata;
        metadata.validate(self.internal_calls_ok)?;
        check_name(name)?;
        let client_id = match client_id {
            // RFC 3986's unreserved characters: an id is always one clean path segment.
            Some(id)
                if id.is_empty()
                    || id.len() > 128
                    || !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-')) =>
            {
                return Err(AdminError::field(
                    "client_id",
                    format!("{id:?}: use 1-128 letters, digits, '.', '_', '~' or '-'"),
                ));
            }
            // The console's id is taken, by Lanyard: bad input for a new registration.
            Some(id) if id == CONSOLE_CLIENT_ID => {
                return Err(AdminError::field("client_id", format!("{id} is Lanyard's own console's id")));
            }
            Some(id) => id.to_string(),
            None => hex(&random_bytes::<12>()),
        };
        if let Some(AdminGrant::ProviderAdmin { provider } | AdminGrant::UserAdministrator { provider }) =
            &metadata.admin_role
        {
            self.tenant(provider).await?;
        }
        let mut tenants = Vec::new();
        for code in tenant_codes {
            tenants.push(self.tenant(code).await?.id);
        }
        // A provider named twice is served once (it was a 500: the second row broke a unique key).
        tenants.sort_unstable();
        tenants.dedup();
        let secret = metadata.token_endpoint_auth_method.uses_secret().then(|| Secret::new(random_token()));
        let hash = secret.as_ref().map(|s| token_hash(s.expose()));
        let client = self.store.create_client(&client_id, name, metadata, hash, &tenants, self.clock.now()).await?;
        let marked = if metadata.administration { "; marked for administration" } else { "" };
        self.audit(None, None, "", format!("client {client_id} registered{marked}")).await?;
        Ok((client, secret))
    }

    /// Replaces an application's name and registration metadata (its providers and secret stay).
    pub async fn update_client(
        &self,
        client_id: &str,
        name: &str,
        metadata: &ClientMetadata,
    ) -> Result<(), AdminError> {
        managed_elsewhere(client_id)?;
        metadata.validate(self.internal_calls_ok)?;
        check_name(name)?;
        let before = self.store.client_uncached(client_id).await?.map(|c| c.metadata.administration);
        self.store.update_client(client_id, name, metadata).await?;
        let marked = match (before, metadata.administration) {
            (Some(false), true) => "; marked for administration",
            (Some(true), false) => "; no longer marked for administration",
            _ => "",
        };
        self.audit(None, None, "", format!("client {client_id} updated{marked}")).await?;
        Ok(())
    }

    /// Deletes an application: no sign-in, token or refresh for it any more; its users'
    /// per-application statuses (T4) go with it.
    pub async fn delete_client(&self, client_id: &str) -> Result<(), AdminError> {
        managed_elsewhere(client_id)?;
        self.store.delete_client(client_id).await?;
        self.audit(None, None, "", format!("client {client_id} deleted")).await?;
        Ok(())
    }

    pub async fn rotate_client_secret(&self, client_id: &str) -> Result<Secret, AdminError> {
        managed_elsewhere(client_id)?;
        let client =
            self.store.client(client_id).await?.ok_or_else(|| AdminError::NotFound(format!("client {client_id}")))?;
        if !client.uses_secret() {
            return Err(AdminError::Refused(format!(
                "client {client_id} has no secret (public with PKCE, or authenticates with its keys)"
            )));
        }
        let secret = Secret::new(random_token());
        self.store.set_client_secret(client_id, token_hash(secret.expose())).await?;
        self.audit(None, None, "", format!("client {client_id} secret rotated")).await?;
        Ok(secret)
    }
}
