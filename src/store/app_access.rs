//! T4: a user's status in one application, independent of every other application.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entities::user_app_access;
use super::{Store, StoreError};
use crate::domain::user::UserId;

impl Store {
    /// Through sqlx (`app_access` reads inline where it can).
    pub(super) async fn app_access_pooled(
        &self,
        user_id: UserId,
        client_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = user_app_access::Entity::find_by_id((user_id, client_id.to_string())).one(self.conn()).await?;
        Ok(row.map(|r| r.status))
    }

    /// Every per-application status set for the user: (client id, status).
    pub async fn app_accesses(&self, user_id: UserId) -> Result<Vec<(String, String)>, StoreError> {
        let rows = user_app_access::Entity::find()
            .filter(user_app_access::Column::UserId.eq(user_id))
            .all(self.conn())
            .await?;
        Ok(rows.into_iter().map(|r| (r.client_id, r.status)).collect())
    }

    pub async fn set_app_access(&self, user_id: UserId, client_id: &str, status: &str) -> Result<(), StoreError> {
        let model = user_app_access::ActiveModel {
            user_id: Set(user_id),
            client_id: Set(client_id.to_string()),
            status: Set(status.to_string()),
        };
        user_app_access::Entity::insert(model)
            .on_conflict(
                OnConflict::columns([user_app_access::Column::UserId, user_app_access::Column::ClientId])
                    .update_column(user_app_access::Column::Status)
                    .to_owned(),
            )
            .exec(&*self.writer().await)
            .await?;
        Ok(())
    }
}
