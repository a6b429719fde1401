//! L7: the user activity record — who, when, from where, which application, what kind of login.

use serde::{Deserialize, Serialize};

use super::tenant::TenantId;
use super::user::UserId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    SignIn,
    SignInFailed,
    SignOut,
    Locked,
    Unlocked,
    PasswordChanged,
    PasswordReset,
    Invitation,
    AdminAction,
    /// U4: an application asked for a unified-login hand-off to another.
    UnifiedLoginStarted,
    /// F2: an authenticator app was enrolled (or replaced).
    MfaEnrolled,
    /// F5: a second factor was proved at sign-in.
    MfaVerified,
    /// F5: a wrong second-factor code.
    MfaFailed,
    /// F3: a recovery code was used.
    RecoveryCodeUsed,
    /// F3: new recovery codes voided the old ones.
    RecoveryCodesRegenerated,
    /// F6: an administrator removed a person's second factors.
    MfaReset,
    /// F2: a person removed their own authenticator app.
    MfaRemoved,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::SignIn => "sign_in",
            ActivityKind::SignInFailed => "sign_in_failed",
            ActivityKind::SignOut => "sign_out",
            ActivityKind::Locked => "locked",
            ActivityKind::Unlocked => "unlocked",
            ActivityKind::PasswordChanged => "password_changed",
            ActivityKind::PasswordReset => "password_reset",
            ActivityKind::Invitation => "invitation",
            ActivityKind::AdminAction => "admin_action",
            ActivityKind::UnifiedLoginStarted => "unified_login_started",
            ActivityKind::MfaEnrolled => "mfa_enrolled",
            ActivityKind::MfaVerified => "mfa_verified",
            ActivityKind::MfaFailed => "mfa_failed",
            ActivityKind::RecoveryCodeUsed => "recovery_code_used",
            ActivityKind::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            ActivityKind::MfaReset => "mfa_reset",
            ActivityKind::MfaRemoved => "mfa_removed",
        }
    }
}

/// Where a request came from; `cli` for operator commands.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Origin {
    pub ip: String,
    pub user_agent: String,
}

impl Origin {
    pub fn cli() -> Self {
        Origin { ip: "cli".into(), user_agent: "lanyard-cli".into() }
    }
}

/// The unit a per-address limit counts: an IPv4 address, or the /64 an IPv6 address is in (one
/// subscriber holds a whole /64, so counting single IPv6 addresses would give them 2^64 tries).
/// Anything else (`cli`, `unknown`) counts as itself.
pub fn address_bucket(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        _ => ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::address_bucket;

    #[test]
    fn ipv6_addresses_count_per_64() {
        assert_eq!(address_bucket("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_bucket("2001:db8:1:2:bbbb::9"), address_bucket("2001:db8:1:2::1"));
        assert_ne!(address_bucket("2001:db8:1:3::1"), address_bucket("2001:db8:1:2::1"));
        assert_eq!(address_bucket("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(address_bucket("192.0.2.1"), "192.0.2.1");
        assert_eq!(address_bucket("cli"), "cli");
    }
}

/// One line of the record, as written.
#[derive(Clone, Debug, Serialize)]
pub struct NewActivity {
    pub tenant_id: Option<TenantId>,
    pub user_id: Option<UserId>,
    /// The login name as typed (also for failed attempts on unknown names).
    pub login_name: String,
    pub kind: ActivityKind,
    /// Server-side detail, e.g. which rule refused a sign-in; never shown to the user (L2).
    pub detail: String,
    /// "password", "Login initiated from <application>", "reset", "invitation", "admin".
    pub login_type: String,
    pub client_id: Option<String>,
    pub origin: Origin,
    /// Who acted, when not the person named: `cli`, `client:<id>`, `user:<code>/<login>`.
    pub actor: String,
}

/// Which entries of one provider's record to read: newest first, after the cursor `before` (the
/// id of the last entry of the previous page).
#[derive(Clone, Debug, Default)]
pub struct ActivityQuery {
    pub user_id: Option<UserId>,
    pub kind: Option<String>,
    pub client_id: Option<String>,
    /// Inclusive bounds on `at`.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub before: Option<i32>,
    pub limit: u64,
}

/// One line of the record, as read back.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActivityEntry {
    pub id: i32,
    pub tenant_id: Option<TenantId>,
    pub user_id: Option<UserId>,
    pub login_name: String,
    pub kind: String,
    pub detail: String,
    pub login_type: String,
    pub client_id: Option<String>,
    pub ip: String,
    pub user_agent: String,
    pub at: i64,
    pub actor: String,
}
