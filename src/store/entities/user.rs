use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub tenant_id: i32,
    pub subject: String,
    pub login_name: String,
    pub login_name_key: String,
    pub user_type: String,
    pub status: String,
    pub is_user_admin: bool,
    /// Added by a later migration: read as optional, so a row returned before SQLite has caught
    /// up with the new column (seen once under load) still reads as "not an operator".
    pub is_platform_operator: Option<bool>,
    pub must_change_password: bool,
    pub password_hash: Option<String>,
    pub failed_attempts: i32,
    /// L3: password checks still running (`accounts/attempt.rs`), and when the last one began.
    pub attempts_in_flight: i32,
    pub attempts_in_flight_since: i64,
    pub self_reset_enabled: bool,
    pub email: Option<String>,
    pub email_verified: bool,
    pub password_changed_at: Option<i64>,
    /// Added by a later migration; the last sign-in with a right password.
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// S7: read as optional for the same reason as `is_platform_operator`; absent reads as 0.
    pub mailed_epoch: Option<i64>,
    /// G1: the language of the person's last sign-in, for mails no page caused.
    pub language: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
