//! T2, T3: users, their login names, types and statuses.

use serde::{Deserialize, Serialize};

use super::tenant::TenantId;
use crate::i18n::Msg;

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

impl<'de> Deserialize<'de> for LoginName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        LoginName::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl LoginName {
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, Msg> {
        let spelling = raw.trim();
        if spelling.is_empty() {
            return Err(Msg::new("login-name-required"));
        }
        if spelling.chars().count() > Self::MAX_CHARS {
            return Err(Msg::new("login-name-too-long").with("max", Self::MAX_CHARS));
        }
        if spelling.chars().any(char::is_control) {
            return Err(Msg::new("login-name-control-characters"));
        }
        Ok(LoginName { spelling: spelling.to_string(), key: Self::fold(spelling) })
    }

    /// A name chosen now (an account created or registered), held to more than [`LoginName::parse`]
    /// holds names already in use to: in Unicode normal form C, no invisible, zero-width,
    /// direction-changing or symbol characters (beyond ASCII, only characters UTS #39's General
    /// Security Profile allows in identifiers), and letters from one alphabet (UTS #39 "highly
    /// restrictive": Latin may go with Han and kana, never with Cyrillic or Greek) — so nobody
    /// registers a name that renders like a colleague's.
    pub fn parse_new(raw: &str) -> Result<Self, Msg> {
        use unicode_normalization::UnicodeNormalization;
        use unicode_security::{GeneralSecurityProfile, RestrictionLevel, RestrictionLevelDetection};
        let name = Self::parse(raw)?;
        let nfc: String = name.spelling.nfc().collect();
        let plain = |c: char| c == ' ' || c.is_ascii_graphic();
        if nfc.chars().any(|c| !plain(c) && !c.identifier_allowed()) {
            return Err(Msg::new("login-name-invisible-characters"));
        }
        // Punctuation and spaces are no alphabet's; the letters and digits must share one.
        let letters: String = nfc.chars().filter(|c| !c.is_ascii() || c.is_ascii_alphanumeric()).collect();
        if letters.as_str().detect_restriction_level() > RestrictionLevel::HighlyRestrictive {
            return Err(Msg::new("login-name-mixed-alphabets"));
        }
        Ok(LoginName { key: Self::fold(&nfc), spelling: nfc })
    }

    /// For administrators' screens: what a name holds beyond ASCII, letter by letter with its
    /// alphabet, so two names that render alike do not read alike (`None` for plain ASCII).
    pub fn reveal(name: &str) -> Option<String> {
        use unicode_script::UnicodeScript;
        let shown: Vec<String> = name
            .chars()
            .filter(|c| !c.is_ascii())
            .map(|c| format!("U+{:04X} {}", u32::from(c), c.script().full_name()))
            .collect();
        (!shown.is_empty()).then(|| format!("not plain ASCII: {}", shown.join(", ")))
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

    pub const ALL: [UserType; 3] = [UserType::Regular, UserType::ProviderAdmin, UserType::SuperAdmin];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

    pub const ALL: [UserStatus; 5] = [
        UserStatus::Active,
        UserStatus::PasswordLocked,
        UserStatus::AdminLocked,
        UserStatus::Deactivated,
        UserStatus::Deleted,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn is_locked(self) -> bool {
        matches!(self, UserStatus::PasswordLocked | UserStatus::AdminLocked)
    }
}

pub type UserId = i32;

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// G1: the language of the person's last sign-in (a tag), for mails no page caused.
    #[serde(skip)]
    pub language: Option<String>,
}

impl User {
    /// F4: administers something — a provider or super admin, a user administrator, a platform
    /// operator — and so falls under a policy for administrators.
    pub fn administers(&self) -> bool {
        self.user_type.is_admin() || self.is_user_admin || self.is_platform_operator
    }
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
        assert_eq!(LoginName::parse("  ").unwrap_err().english(), "Login Name is required.");
    }

    #[test]
    fn new_names_refuse_invisible_direction_and_mixed_alphabets() {
        for ok in
            ["alice", "Alice Smith", "élodie", "o'brien-2", "a.b@agency.example", "ñandú", "山田太郎", "tanaka山田"]
        {
            assert!(LoginName::parse_new(ok).is_ok(), "{ok}");
        }
        let invisible = "Login Name must not contain invisible, direction-changing or symbol characters.";
        for bad in
            ["ali\u{200B}ce", "alice\u{202E}", "al\u{2066}ice", "\u{FEFF}alice", "ali\u{00AD}ce", "alice\u{2665}"]
        {
            assert_eq!(LoginName::parse_new(bad).unwrap_err().english(), invisible, "{bad:?}");
            assert!(LoginName::parse(bad).is_ok(), "names already in use still sign in: {bad:?}");
        }
        let mixed = "Login Name must not mix alphabets (such as Latin and Cyrillic letters).";
        for bad in ["\u{0455}am", "p\u{0430}ypal", "\u{03BF}mega-x"] {
            assert_eq!(LoginName::parse_new(bad).unwrap_err().english(), mixed, "{bad:?}");
        }
        // Normal form C: a decomposed é is stored, and compared, as the composed one.
        let decomposed = LoginName::parse_new("e\u{0301}lodie").unwrap();
        assert_eq!(decomposed.key(), LoginName::parse_new("élodie").unwrap().key());
    }

    #[test]
    fn lookalikes_are_revealed_for_administrators() {
        assert_eq!(LoginName::reveal("sam"), None);
        assert_eq!(
            LoginName::reveal("\u{0455}\u{0430}m").unwrap(),
            "not plain ASCII: U+0455 Cyrillic, U+0430 Cyrillic"
        );
    }

    #[test]
    fn statuses_round_trip() {
        for s in ["active", "password_locked", "admin_locked", "deactivated", "deleted"] {
            assert_eq!(UserStatus::parse(s).unwrap().as_str(), s);
        }
    }
}
