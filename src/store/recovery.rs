//! A2's requests (`domain::recovery`).

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::recovery_request;
use super::{Store, StoreError};
use crate::domain::recovery::{RecoveryRequest, RecoveryStatus};
use crate::domain::tenant::TenantId;
use crate::domain::user::UserId;

fn to_domain(m: recovery_request::Model) -> Result<RecoveryRequest, StoreError> {
    Ok(RecoveryRequest {
        id: m.id,
        tenant_id: m.tenant_id,
        user_id: m.user_id,
        status: RecoveryStatus::parse(&m.status)
            .ok_or_else(|| StoreError::Corrupt(format!("recovery request status {}", m.status)))?,
        requested_at: m.requested_at,
        decided_at: m.decided_at,
        decided_by: m.decided_by,
    })
}

impl Store {
    pub async fn create_recovery_request(
        &self,
        tenant_id: TenantId,
        user_id: UserId,
        now: i64,
    ) -> Result<RecoveryRequest, StoreError> {
        let model = recovery_request::ActiveModel {
            tenant_id: Set(tenant_id),
            user_id: Set(user_id),
            status: Set(RecoveryStatus::Pending.as_str().into()),
            requested_at: Set(now),
            decided_at: Set(None),
            decided_by: Set(String::new()),
            ..Default::default()
        }
        .insert(&*self.writer().await)
        .await?;
        to_domain(model)
    }

    pub async fn recovery_request(&self, id: i32) -> Result<Option<RecoveryRequest>, StoreError> {
        recovery_request::Entity::find_by_id(id).one(self.conn()).await?.map(to_domain).transpose()
    }

    /// The user's request that is still pending or approved (not yet used), if any.
    pub async fn open_recovery_request(&self, user_id: UserId) -> Result<Option<RecoveryRequest>, StoreError> {
        let open = [RecoveryStatus::Pending.as_str(), RecoveryStatus::Approved.as_str()];
        recovery_request::Entity::find()
            .filter(recovery_request::Column::UserId.eq(user_id))
            .filter(recovery_request::Column::Status.is_in(open))
            .order_by_desc(recovery_request::Column::Id)
            .one(self.conn())
            .await?
            .map(to_domain)
            .transpose()
    }

    /// Newest first, optionally only those in `status`.
    pub async fn list_recovery_requests(
        &self,
        status: Option<RecoveryStatus>,
        limit: u64,
    ) -> Result<Vec<RecoveryRequest>, StoreError> {
        let mut query = recovery_request::Entity::find();
        if let Some(status) = status {
            query = query.filter(recovery_request::Column::Status.eq(status.as_str()));
        }
        let rows = query.order_by_desc(recovery_request::Column::Id).limit(limit).all(self.conn()).await?;
        rows.into_iter().map(to_domain).collect()
    }

    /// Moves a request from `from` to `to`; false when it was not in `from` (someone else decided).
    pub async fn decide_recovery_request(
        &self,
        id: i32,
        from: RecoveryStatus,
        to: RecoveryStatus,
        by: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let updated = recovery_request::Entity::update_many()
            .col_expr(recovery_request::Column::Status, sea_orm::sea_query::Expr::value(to.as_str()))
            .col_expr(recovery_request::Column::DecidedAt, sea_orm::sea_query::Expr::value(now))
            .col_expr(recovery_request::Column::DecidedBy, sea_orm::sea_query::Expr::value(by.to_string()))
            .filter(recovery_request::Column::Id.eq(id))
            .filter(recovery_request::Column::Status.eq(from.as_str()))
            .exec(&*self.writer().await)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// The link was used: approved → completed, once.
    pub async fn complete_recovery_request(&self, id: i32) -> Result<bool, StoreError> {
        let updated = recovery_request::Entity::update_many()
            .col_expr(
                recovery_request::Column::Status,
                sea_orm::sea_query::Expr::value(RecoveryStatus::Completed.as_str()),
            )
            .filter(recovery_request::Column::Id.eq(id))
            .filter(recovery_request::Column::Status.eq(RecoveryStatus::Approved.as_str()))
            .exec(&*self.writer().await)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// S7: the user's approved links stop working. How many there were.
    pub async fn void_recovery_links(&self, user_id: UserId) -> Result<u64, StoreError> {
        let updated = recovery_request::Entity::update_many()
            .col_expr(
                recovery_request::Column::Status,
                sea_orm::sea_query::Expr::value(RecoveryStatus::Voided.as_str()),
            )
            .filter(recovery_request::Column::UserId.eq(user_id))
            .filter(recovery_request::Column::Status.eq(RecoveryStatus::Approved.as_str()))
            .exec(&*self.writer().await)
            .await?;
        Ok(updated.rows_affected)
    }
}
