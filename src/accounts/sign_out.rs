//! L6, L7: signing out of Lanyard is recorded like signing in.

use super::activity::{ActivityKind, NewActivity, Origin};
use super::tenant::TenantId;
use super::user::UserId;
use super::{Accounts, Internal};

impl Accounts {
    /// `client_id` names the application that asked (RP-initiated logout), if any.
    pub async fn record_sign_out(
        &self,
        user_id: UserId,
        tenant_id: TenantId,
        client_id: Option<String>,
        origin: Origin,
    ) -> Result<(), Internal> {
        let login_name =
            self.store.user_by_id(user_id).await?.map(|u| u.login_name.as_str().to_string()).unwrap_or_default();
        let entry = NewActivity {
            tenant_id: Some(tenant_id),
            user_id: Some(user_id),
            login_name,
            kind: ActivityKind::SignOut,
            detail: String::new(),
            login_type: "password".into(),
            client_id,
            origin,
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        Ok(())
    }
}
