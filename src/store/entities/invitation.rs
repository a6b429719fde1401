use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub tenant_id: i32,
    pub name: String,
    pub email: String,
    pub status: String,
    pub user_id: Option<i32>,
    /// HMAC of the live link; `None` once used or revoked.
    pub link_digest: Option<String>,
    pub sent_at: i64,
    pub expires_at: i64,
    pub sends: i32,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
