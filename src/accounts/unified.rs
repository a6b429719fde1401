//! U4: what a unified login writes to the activity record, on A's side when it starts and on
//! B's side when B is entered.

use super::Accounts;
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::application::Client;
use crate::domain::tenant::Tenant;
use crate::domain::user::User;
use crate::store::StoreError;

impl Accounts {
    pub async fn record_unified_login_started(
        &self,
        user: &User,
        tenant: &Tenant,
        from: &Client,
        target: &Client,
        origin: Origin,
    ) -> Result<(), StoreError> {
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::UnifiedLoginStarted,
            detail: format!("hand-off to {}", target.name),
            login_type: "unified login".into(),
            client_id: Some(from.client_id.clone()),
            origin,
            actor: String::new(),
        };
        self.store.record_activity(&entry, self.clock.now()).await
    }

    /// B's record says "Login initiated from <A>".
    pub async fn record_unified_sign_in(
        &self,
        user: &User,
        tenant: &Tenant,
        client: &Client,
        from_name: &str,
        origin: Origin,
    ) -> Result<(), StoreError> {
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::SignIn,
            detail: String::new(),
            login_type: format!("Login initiated from {from_name}"),
            client_id: Some(client.client_id.clone()),
            origin,
            actor: String::new(),
        };
        self.store.record_activity(&entry, self.clock.now()).await
    }
}
