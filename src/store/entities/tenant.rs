use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub provider_code: String,
    pub name: String,
    pub active: bool,
    pub password_policy: String,
    pub self_reset_enabled: bool,
    pub unified_login_enabled: bool,
    pub created_at: i64,
    pub help_contact: Option<String>,
    pub mfa_policy: String,
    pub passkey_sign_in: bool,
    pub default_language: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
