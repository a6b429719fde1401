//! G1: the language each person last signed in with, for the mails no page of theirs causes.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entities::user;
use super::{Store, StoreError};
use crate::domain::user::UserId;

impl Store {
    pub async fn set_user_language(&self, id: UserId, tag: &str) -> Result<(), StoreError> {
        user::Entity::update_many()
            .col_expr(user::Column::Language, Expr::value(tag.to_string()))
            .filter(user::Column::Id.eq(id))
            .exec(&*self.writer().await)
            .await?;
        Ok(())
    }
}
