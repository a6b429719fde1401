//! A2: a locked-out super admin's request for help, as a platform operator sees it.

use serde::{Deserialize, Serialize};

use super::tenant::TenantId;
use super::user::UserId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryStatus {
    /// Waiting for a platform operator.
    Pending,
    /// A single-use link was mailed to the super admin's verified address.
    Approved,
    Refused,
    /// The super admin chose a new password with the link.
    Completed,
    /// A platform operator took the approval back: the link no longer works.
    Withdrawn,
    /// S7: the account changed after the approval (a password set, a new address, an admin lock,
    /// deactivation, deletion): the link no longer works.
    Voided,
}

impl RecoveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryStatus::Pending => "pending",
            RecoveryStatus::Approved => "approved",
            RecoveryStatus::Refused => "refused",
            RecoveryStatus::Completed => "completed",
            RecoveryStatus::Withdrawn => "withdrawn",
            RecoveryStatus::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            RecoveryStatus::Pending,
            RecoveryStatus::Approved,
            RecoveryStatus::Refused,
            RecoveryStatus::Completed,
            RecoveryStatus::Withdrawn,
            RecoveryStatus::Voided,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecoveryRequest {
    pub id: i32,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub status: RecoveryStatus,
    pub requested_at: i64,
    pub decided_at: Option<i64>,
    /// The operator (`client:<id>`, `user:…`, `cli`) who approved or refused it.
    pub decided_by: String,
}

/// A request with the names an operator reads: whose account, in which provider.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecoveryRequestListed {
    #[serde(flatten)]
    pub request: RecoveryRequest,
    pub provider_code: String,
    pub login_name: String,
}
