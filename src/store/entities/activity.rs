use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub tenant_id: Option<i32>,
    pub user_id: Option<i32>,
    pub login_name: String,
    pub kind: String,
    pub detail: String,
    pub login_type: String,
    pub client_id: Option<String>,
    pub ip: String,
    pub user_agent: String,
    pub at: i64,
    /// Added by a later migration; optional for the same reason as `users.is_platform_operator`.
    pub actor: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
