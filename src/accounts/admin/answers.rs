//! What the administration API answers beyond the domain's own records, in one place so that
//! the API writes them and the console reads them as the same types: a secret or a temporary
//! password shown once beside what it belongs to, a page of the activity record, the caller.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::activity::ActivityEntry;
use crate::domain::application::Client;
use crate::domain::user::User;

/// A user with the temporary password that was just set: the only time it is shown.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct WithPassword {
    #[serde(flatten)]
    pub user: User,
    pub temporary_password: String,
}

/// A registered client; a confidential client's secret is shown only in this answer.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct WithSecret {
    #[serde(flatten)]
    pub client: Client,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// A client's new secret, shown only here.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SecretShown {
    pub client_id: String,
    pub client_secret: String,
}

/// One page of a provider's activity record, newest first.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Page {
    pub entries: Vec<ActivityEntry>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<i32>,
}

/// The caller and its role.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// `cli`, `client:<client_id>` or `user:<provider code>/<login name>`.
    pub actor: String,
    /// `platform_operator`, `super_admin`, `provider_admin` or `user_administrator`.
    pub role: String,
    /// The provider a provider-level role administers; absent for platform operators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_code: Option<String>,
}
