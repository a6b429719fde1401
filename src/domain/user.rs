//! T2, T3: users, their login names, types and statuses.

use serde::Serialize;

use super::tenant::TenantId;

/// T2: unique within a provider compared case-insensitively, shown as the user spelled it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginName {
    spelling: String,
    key: String,
}

impl Serialize for LoginName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.spelling)
    }
}

impl LoginName {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let spelling = raw.trim();
        if spelling.is_empty() {
            return Err("Login Name is required.");
        }
        if spelling.chars().count() > 128 {
            return Err("Login Name must be at most 128 characters.");
        }
        if spelling.chars().any(char::is_control) {
            return Err("Login Name must not contain control characters.");
        }
        Ok(LoginName { spelling: spelling.to_string(), key: Self::fold(spelling) })
    }

    /// The comparison key: Unicode lower case, so `Alice`, `ALICE` and `alice` are one user.
    pub fn fold(raw: &str) -> String {
        raw.trim().to_lowercase()
    }

    pub fn as_str(&self) -> &str {
        &self.spelling
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    Regular,
    ProviderAdmin,
    SuperAdmin,
}

impl UserType {
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Regular => "regular",
            UserType::ProviderAdmin => "provider_admin",
            UserType::SuperAdmin => "super_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [UserType::Regular, UserType::ProviderAdmin, UserType::SuperAdmin].into_iter().find(|t| t.as_str() == s)
    }

    /// A3: the label admin screens and the sign-out panel show.
    pub fn label(self) -> &'static str {
        match self {
            UserType::Regular => "User",
            UserType::ProviderAdmin => "Provider Admin",
            UserType::SuperAdmin => "Super Admin",
        }
    }

    pub fn is_admin(self) -> bool {
        self != UserType::Regular
    }
}

/// T3: exactly one of these at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    PasswordLocked,
    AdminLocked,
    Deactivated,
    Deleted,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::PasswordLocked => "password_locked",
            UserStatus::AdminLocked => "admin_locked",
            UserStatus::Deactivated => "deactivated",
            UserStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            UserStatus::Active,
            UserStatus::PasswordLocked,
            UserStatus::AdminLocked,
            UserStatus::Deactivated,
            UserStatus::Deleted,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    pub fn is_locked(self) -> bool {
        matches!(self, UserStatus::PasswordLocked | UserStatus::AdminLocked)
    }
}

pub type UserId = i32;

#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub tenant_id: TenantId,
    /// The stable `sub` claim: random, never the login name (which a user may change).
    pub subject: String,
    #[schema(value_type = String)]
    pub login_name: LoginName,
    pub user_type: UserType,
    pub status: UserStatus,
    /// T2: the "user administrator" role.
    pub is_user_admin: bool,
    /// Administers Lanyard itself (providers, applications, A2), whatever their provider.
    pub is_platform_operator: bool,
    /// L4: set on creation and by an administrator's temporary password.
    pub must_change_password: bool,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub failed_attempts: i32,
    pub self_reset_enabled: bool,
    pub email: Option<String>,
    pub email_verified: bool,
    pub created_at: i64,
    /// The last sign-in with a right password (Unix seconds); absent before the first.
    pub last_sign_in_at: Option<i64>,
    /// S7: the generation of the account's mailed credentials. A credential mailed at one
    /// generation works only while the account is still at it.
    #[serde(skip)]
    pub mailed_epoch: i64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("login_name", &self.login_name.as_str())
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t2_login_names_compare_case_insensitively_and_keep_spelling() {
        let a = LoginName::parse("Alice.Smith").unwrap();
        let b = LoginName::parse("alice.SMITH").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.as_str(), "Alice.Smith");
    }

    #[test]
    fn t2_unicode_names_fold_too() {
        assert_eq!(LoginName::parse("ÉLODIE").unwrap().key(), "élodie");
    }

    #[test]
    fn empty_login_name_is_refused_with_a_message() {
        assert_eq!(LoginName::parse("  ").unwrap_err(), "Login Name is required.");
    }

    #[test]
    fn statuses_round_trip() {
        for s in ["active", "password_locked", "admin_locked", "deactivated", "deleted"] {
            assert_eq!(UserStatus::parse(s).unwrap().as_str(), s);
        }
    }
}
