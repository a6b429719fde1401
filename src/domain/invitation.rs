//! P1–P2: an emailed invitation to create a portal account, and what staff see of it.

use serde::{Deserialize, Serialize};

use super::tenant::TenantId;
use super::user::UserId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Sent; the person has not registered yet (the link may have expired).
    Pending,
    /// The person registered: `user_id` is their account.
    Accepted,
    /// Withdrawn by staff: the link no longer works.
    Revoked,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [InvitationStatus::Pending, InvitationStatus::Accepted, InvitationStatus::Revoked]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: i32,
    pub tenant_id: TenantId,
    /// The person's name, as staff typed it.
    pub name: String,
    /// The address on file: the only one the link goes to.
    pub email: String,
    pub status: InvitationStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// When the current link was sent, and until when it works.
    pub sent_at: i64,
    pub expires_at: i64,
    /// How many links were sent (the first and each resend).
    pub sends: i32,
    pub created_at: i64,
    /// Who invited (`user:…`, `client:…`, `cli`).
    pub created_by: String,
}

/// P2: an invitee as staff see them.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InvitationListed {
    #[serde(flatten)]
    pub invitation: Invitation,
    /// `invited` (link live), `expired`, `revoked` (no account yet); `active`, `locked`,
    /// `disabled` (deactivated), `deleted` (the account).
    pub portal_status: String,
    /// The username the person chose, once registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_name: Option<String>,
}
