//! L6, L7: signing out of Lanyard ends this one session and is recorded like signing in. No
//! other application is told; the application that asked (RP-initiated logout) may be.

use super::session::SessionRecord;
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};

impl Accounts {
    /// Lanyard's own sign-out page: this session ends, and no application is told.
    pub async fn sign_out(&self, id: &str, record: &SessionRecord, origin: Origin) -> Result<(), Internal> {
        self.sign_out_asked_by(id, record, None, None, origin).await
    }

    /// An application's RP-initiated logout. `asked_by` is the application proven (by its ID
    /// token for this session) to have asked: it alone may be told. `client_id` is what the
    /// activity record names.
    pub async fn sign_out_asked_by(
        &self,
        id: &str,
        record: &SessionRecord,
        asked_by: Option<&str>,
        client_id: Option<&str>,
        origin: Origin,
    ) -> Result<(), Internal> {
        let login_name =
            self.store.user_by_id(record.user_id).await?.map(|u| u.login_name.as_str().to_string()).unwrap_or_default();
        let entry = NewActivity {
            tenant_id: Some(record.tenant_id),
            user_id: Some(record.user_id),
            login_name,
            kind: ActivityKind::SignOut,
            detail: String::new(),
            login_type: "password".into(),
            client_id: client_id.map(String::from),
            origin,
            actor: String::new(),
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        self.end_session(id, record, asked_by).await?;
        Ok(())
    }
}
