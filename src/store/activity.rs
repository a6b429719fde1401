use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use super::entities::activity;
use super::{Store, StoreError};
use crate::domain::activity::{ActivityEntry, ActivityQuery, NewActivity};
use crate::domain::tenant::TenantId;

impl Store {
    pub async fn record_activity(&self, entry: &NewActivity, now: i64) -> Result<(), StoreError> {
        let kind = entry.kind.as_str();
        activity::ActiveModel {
            tenant_id: Set(entry.tenant_id),
            user_id: Set(entry.user_id),
            login_name: Set(entry.login_name.chars().take(128).collect()),
            kind: Set(entry.kind.as_str().to_string()),
            detail: Set(entry.detail.clone()),
            login_type: Set(entry.login_type.clone()),
            client_id: Set(entry.client_id.clone()),
            ip: Set(entry.origin.ip.clone()),
            user_agent: Set(entry.origin.user_agent.chars().take(512).collect()),
            at: Set(now),
            actor: Set(Some(entry.actor.chars().take(200).collect())),
            ..Default::default()
        }
        .insert(&*self.writer().await)
        .await?;
        crate::telemetry::metrics::activity(kind);
        Ok(())
    }

    /// Newest first, keyset paging on the id (see `ActivityQuery`).
    pub async fn list_activity(
        &self,
        tenant_id: TenantId,
        q: &ActivityQuery,
    ) -> Result<Vec<ActivityEntry>, StoreError> {
        if let Some(page) = self.activity_page_inline(tenant_id, q).await {
            return Ok(page);
        }
        let (sql, params) = super::activity_pages::statement(tenant_id, q);
        let values = params.into_iter().map(super::activity_pages::Param::into_value).collect();
        let rows = self.conn().query_all_raw(self.statement(&sql, values)).await?;
        rows.iter().map(|r| super::activity_pages::entry_of(r).map_err(StoreError::from)).collect()
    }
}
