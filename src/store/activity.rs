use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

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
        let mut query = activity::Entity::find().filter(activity::Column::TenantId.eq(tenant_id));
        if let Some(user_id) = q.user_id {
            query = query.filter(activity::Column::UserId.eq(user_id));
        }
        if let Some(kind) = &q.kind {
            query = query.filter(activity::Column::Kind.eq(kind.as_str()));
        }
        if let Some(client_id) = &q.client_id {
            query = query.filter(activity::Column::ClientId.eq(client_id.as_str()));
        }
        if let Some(since) = q.since {
            query = query.filter(activity::Column::At.gte(since));
        }
        if let Some(until) = q.until {
            query = query.filter(activity::Column::At.lte(until));
        }
        if let Some(before) = q.before {
            query = query.filter(activity::Column::Id.lt(before));
        }
        let limit = q.limit;
        let rows = query.order_by_desc(activity::Column::Id).limit(limit).all(self.conn()).await?;
        Ok(rows
            .into_iter()
            .map(|m| ActivityEntry {
                id: m.id,
                tenant_id: m.tenant_id,
                user_id: m.user_id,
                login_name: m.login_name,
                kind: m.kind,
                detail: m.detail,
                login_type: m.login_type,
                client_id: m.client_id,
                ip: m.ip,
                user_agent: m.user_agent,
                at: m.at,
                actor: m.actor.unwrap_or_default(),
            })
            .collect())
    }
}
