//! The administration console's own registration: a confidential OpenID Connect client of this
//! Lanyard, kept by Lanyard itself. Every process derives the same secret from the deployment's
//! secret key and checks the row at start, so a new issuer URL or a new secret key is picked up
//! without an operator's step; nothing is written when the row already matches. Lanyard
//! registers it as itself ([`Actor::lanyard`](super::admin::Actor::lanyard)).

use super::admin::{Admin, AdminError};
use crate::domain::application::{CONSOLE_CLIENT_ID, ClientMetadata, TokenEndpointAuthMethod};
use crate::secret::{Secret, token_hash};

impl Admin<'_> {
    pub async fn register_console(&self, issuer: &str, secret: &Secret) -> Result<(), AdminError> {
        let metadata = ClientMetadata {
            redirect_uris: vec![format!("{issuer}/admin/callback")],
            post_logout_redirect_uris: Vec::new(),
            initiate_login_uri: None,
            token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
            jwks: None,
            jwks_uri: None,
            id_token_signed_response_alg: "ES256".into(),
            backchannel_logout_uri: None,
            grant_types: vec!["authorization_code".into()],
            scopes: ["openid", "profile", crate::domain::application::ADMIN_SCOPE].map(String::from).to_vec(),
            access_token_format: Default::default(),
            admin_role: None,
            administration: true,
            require_mfa: false,
            require_pushed_authorization_requests: false,
            dpop_bound_access_tokens: false,
            profile: Default::default(),
            refresh_token_rotation: None,
            disabled: false,
        };
        metadata.validate(true)?;
        let hash = token_hash(secret.expose());
        let name = "Lanyard console";
        match self.store.client_uncached(CONSOLE_CLIENT_ID).await? {
            None => match self
                .store
                .create_client(CONSOLE_CLIENT_ID, name, &metadata, Some(hash), &[], self.clock.now())
                .await
            {
                // Another process registered it at the same moment: it wrote the same row.
                Ok(_) | Err(crate::store::StoreError::Conflict(_)) => Ok(()),
                Err(e) => Err(e.into()),
            },
            Some(existing) => {
                if existing.metadata != metadata || existing.name != name {
                    self.store.update_client(CONSOLE_CLIENT_ID, name, &metadata).await?;
                }
                if existing.secret_hash.as_deref() != Some(hash.as_str()) {
                    self.store.set_client_secret(CONSOLE_CLIENT_ID, hash).await?;
                }
                Ok(())
            }
        }
    }
}
