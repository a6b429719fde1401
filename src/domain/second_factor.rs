//! F2–F3, F7: second factors as the rules see them. Never a secret: what is enrolled, when it
//! was last used, and what a sign-in proved.

use serde::{Deserialize, Serialize};

/// F3: how many recovery codes a person gets at a time.
pub const RECOVERY_CODES: usize = 10;

/// F2: the person's authenticator app, as they and their administrators may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnrolledApp {
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// F9: a passkey or security key as its owner and their administrators see it — never key
/// material.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegisteredKey {
    pub id: i32,
    /// The name its owner gave it ("Work laptop").
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// The authenticator's model (its AAGUID), when it said.
    pub aaguid: Option<String>,
    /// The key verified its user (PIN, biometrics) when it was registered.
    pub user_verified: bool,
    /// The key may be copied to other devices (a synced passkey), and is.
    pub backup_eligible: bool,
    pub backup_state: bool,
    /// F11: its maker's attestation was verified against a model the provider lists: the
    /// private key is in that model of hardware (`hwk`).
    #[serde(default)]
    pub attested: bool,
    /// F11: the model's name, when the provider lists its AAGUID.
    #[serde(default)]
    pub model: Option<String>,
}

/// F11: a security-key model a provider accepts for its administrators: the AAGUID its keys
/// report, a name, and the maker's attestation CA (a public certificate, PEM) that proves a key
/// is that model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyModel {
    /// Lower-case, hyphenated.
    pub aaguid: String,
    pub name: String,
    pub attestation_ca: String,
    pub created_at: i64,
}

/// F11: what an administrator gives for a model (the AAGUID is in the path).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyModelChanges {
    /// One line, 1-64 characters.
    pub name: String,
    /// One X.509 certificate, PEM, at most 8192 characters.
    pub attestation_ca: String,
}

/// F11: models one provider may list.
pub const MAX_KEY_MODELS: u64 = 20;
/// F11: the longest attestation CA certificate, PEM.
pub const MAX_CA_PEM: usize = 8192;

/// F9: passkeys and security keys one person may hold.
pub const MAX_KEYS: u64 = 10;
/// F9: the longest name of a key.
pub const MAX_KEY_NAME: usize = 64;

/// What a person has enrolled (F2, F3, F9), for Settings, the console and the API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SecondFactors {
    /// The authenticator app, if one is enrolled.
    pub authenticator_app: Option<EnrolledApp>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: u64,
    /// Passkeys and security keys.
    #[serde(default)]
    pub passkeys: Vec<RegisteredKey>,
}

impl SecondFactors {
    pub fn any(&self) -> bool {
        self.authenticator_app.is_some() || !self.passkeys.is_empty()
    }
}

/// F4, F9: who must use a second factor at one provider (its administrators decide), and
/// whether it must be phishing-resistant (a passkey or security key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MfaPolicy {
    /// No second factor is offered or asked for.
    Off,
    /// People may enrol one; those who have one are asked for it.
    #[default]
    Optional,
    /// Administrators (provider and super admins, user administrators, platform operators)
    /// must have one.
    Administrators,
    Everyone,
    /// F9: administrators must have a passkey or security key, and sign in with it.
    PasskeyAdministrators,
    /// F9: everyone must have a passkey or security key, and sign in with it.
    PasskeyEveryone,
}

impl MfaPolicy {
    pub const ALL: [MfaPolicy; 6] = [
        MfaPolicy::Off,
        MfaPolicy::Optional,
        MfaPolicy::Administrators,
        MfaPolicy::Everyone,
        MfaPolicy::PasskeyAdministrators,
        MfaPolicy::PasskeyEveryone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MfaPolicy::Off => "off",
            MfaPolicy::Optional => "optional",
            MfaPolicy::Administrators => "administrators",
            MfaPolicy::Everyone => "everyone",
            MfaPolicy::PasskeyAdministrators => "passkey_administrators",
            MfaPolicy::PasskeyEveryone => "passkey_everyone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        MfaPolicy::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether someone must have a second factor under this policy; `administers` as
    /// `User::administers` says.
    pub fn requires(self, administers: bool) -> bool {
        match self {
            MfaPolicy::Off | MfaPolicy::Optional => false,
            MfaPolicy::Administrators | MfaPolicy::PasskeyAdministrators => administers,
            MfaPolicy::Everyone | MfaPolicy::PasskeyEveryone => true,
        }
    }

    /// F9: whether that factor must be a passkey or security key (phishing-resistant): an app's
    /// code or a recovery code, which a phishing page can relay, does not do.
    pub fn requires_key(self, administers: bool) -> bool {
        match self {
            MfaPolicy::PasskeyAdministrators => administers,
            MfaPolicy::PasskeyEveryone => true,
            _ => false,
        }
    }
}

/// F7: the two authentication context classes an application may ask for (`acr_values`) and
/// an ID token states (`acr`).
pub const ACR_PASSWORD: &str = "urn:lanyard:acr:pwd";
pub const ACR_MULTI_FACTOR: &str = "urn:lanyard:acr:mfa";
pub const ACR_VALUES: [&str; 2] = [ACR_PASSWORD, ACR_MULTI_FACTOR];

/// F7: how a sign-in proved who it was (RFC 8176 `amr` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// The password (`pwd`).
    Password,
    /// A code from the authenticator app (`otp`).
    AppCode,
    /// A recovery code (`otp` too: a one-time password from a list).
    RecoveryCode,
    /// F10: a security key whose private key cannot leave it (`hwk`).
    HardwareKey,
    /// F10: a passkey that may be synced between devices (`swk`).
    SoftwareKey,
    /// F10: the key verified its holder (PIN, biometrics) when it signed: with a key, a sign-in
    /// without the password is two factors (`user`).
    UserVerified,
}

/// RFC 8176's `amr` for what a session proved, in a fixed order.
pub fn amr(proofs: &[Proof]) -> Vec<&'static str> {
    let mut amr = Vec::new();
    if proofs.contains(&Proof::Password) {
        amr.push("pwd");
    }
    if proofs.iter().any(|p| matches!(p, Proof::AppCode | Proof::RecoveryCode)) {
        amr.push("otp");
    }
    if proofs.contains(&Proof::HardwareKey) {
        amr.push("hwk");
    }
    if proofs.contains(&Proof::SoftwareKey) {
        amr.push("swk");
    }
    if proofs.contains(&Proof::UserVerified) {
        amr.push("user");
    }
    if amr.len() > 1 {
        amr.push("mfa");
    }
    amr
}

/// F7: the `acr` a session with these proofs reaches.
pub fn acr(proofs: &[Proof]) -> &'static str {
    if amr(proofs).contains(&"mfa") { ACR_MULTI_FACTOR } else { ACR_PASSWORD }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f4_f9_the_passkey_policies_require_a_key_of_whom_they_name() {
        for policy in MfaPolicy::ALL {
            assert_eq!(MfaPolicy::parse(policy.as_str()), Some(policy));
        }
        assert!(MfaPolicy::PasskeyAdministrators.requires_key(true));
        assert!(!MfaPolicy::PasskeyAdministrators.requires_key(false));
        assert!(!MfaPolicy::PasskeyAdministrators.requires(false));
        assert!(MfaPolicy::PasskeyEveryone.requires_key(false) && MfaPolicy::PasskeyEveryone.requires(false));
        assert!(!MfaPolicy::Everyone.requires_key(true), "an app does for the plain policies");
    }

    #[test]
    fn f7_amr_names_each_method_and_mfa_only_for_two() {
        assert_eq!(amr(&[Proof::Password]), ["pwd"]);
        assert_eq!(amr(&[Proof::Password, Proof::AppCode]), ["pwd", "otp", "mfa"]);
        assert_eq!(amr(&[Proof::Password, Proof::RecoveryCode]), ["pwd", "otp", "mfa"]);
        assert_eq!(acr(&[Proof::Password]), ACR_PASSWORD);
        assert_eq!(acr(&[Proof::AppCode, Proof::Password]), ACR_MULTI_FACTOR);
        assert_eq!(amr(&[Proof::Password, Proof::HardwareKey]), ["pwd", "hwk", "mfa"]);
        assert_eq!(amr(&[Proof::Password, Proof::SoftwareKey]), ["pwd", "swk", "mfa"]);
        assert_eq!(amr(&[Proof::SoftwareKey, Proof::UserVerified]), ["swk", "user", "mfa"], "F10 passwordless");
        assert_eq!(amr(&[Proof::SoftwareKey]), ["swk"], "F10: a key without UV is one factor");
    }
}
