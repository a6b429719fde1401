//! L5: the password policy. The default is PRODUCT.md's; a tenant may make it stricter or switch
//! to NIST SP 800-63B length-over-composition rules.

use serde::{Deserialize, Serialize};

use crate::i18n::Msg;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyMode {
    /// Upper, lower, digit and special character required (PRODUCT.md L5).
    Composition,
    /// NIST SP 800-63B: long passwords, no composition rules.
    Nist,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PasswordPolicy {
    /// L3: "maximum number of incorrect passwords tolerated".
    pub max_failed_attempts: u32,
    pub min_length: u32,
    pub max_length: u32,
    pub mode: PolicyMode,
    /// A new password may not repeat any of the last `history` ones (0: only the current one).
    pub history: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            max_failed_attempts: 3,
            min_length: 8,
            max_length: 64,
            mode: PolicyMode::Composition,
            history: 0,
        }
    }
}

impl PasswordPolicy {
    /// The effective minimum: NIST mode never goes below 15.
    fn min_chars(&self) -> u32 {
        match self.mode {
            PolicyMode::Composition => self.min_length.max(8),
            PolicyMode::Nist => self.min_length.max(15),
        }
    }

    /// Every violated rule, each with its own message, in a stable order (L5).
    pub fn violations(&self, password: &str, login_name: &str) -> Vec<Msg> {
        if password.is_empty() {
            return vec![Msg::new("password-new-required")];
        }
        let mut out = Vec::new();
        // Length is counted in characters, not bytes: "any Unicode character" is allowed.
        let chars = u32::try_from(password.chars().count()).unwrap_or(u32::MAX);
        if chars < self.min_chars() {
            out.push(Msg::new("password-too-short").with("min", self.min_chars()));
        }
        if chars > self.max_length {
            out.push(Msg::new("password-too-long").with("max", self.max_length));
        }
        if self.mode == PolicyMode::Composition {
            if !password.chars().any(|c| c.is_ascii_uppercase()) {
                out.push(Msg::new("password-needs-upper"));
            }
            if !password.chars().any(|c| c.is_ascii_lowercase()) {
                out.push(Msg::new("password-needs-lower"));
            }
            if !password.chars().any(|c| c.is_ascii_digit()) {
                out.push(Msg::new("password-needs-digit"));
            }
            if !password.chars().any(|c| !c.is_ascii_alphanumeric() && !c.is_whitespace()) {
                out.push(Msg::new("password-needs-special"));
            }
        }
        if password.starts_with(char::is_whitespace) || password.ends_with(char::is_whitespace) {
            out.push(Msg::new("password-edge-space"));
        }
        if !login_name.is_empty() && password.to_lowercase() == login_name.trim().to_lowercase() {
            out.push(Msg::new("password-is-login-name"));
        } else if super::blocklist::is_common(password) {
            out.push(Msg::new("password-too-common"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pw: &str) -> Vec<String> {
        PasswordPolicy::default().violations(pw, "alice").iter().map(Msg::english).collect::<Vec<_>>()
    }

    #[test]
    fn l5_good_password_passes() {
        assert!(check("Correct-Horse9").is_empty());
    }

    #[test]
    fn l5_inner_spaces_and_unicode_are_allowed() {
        assert!(check("Grüße aus Köln 9!").is_empty());
    }

    #[test]
    fn l5_each_rule_has_its_own_message_all_at_once() {
        let v = check("abc");
        assert_eq!(
            v,
            vec![
                "Password must be at least 8 characters long.",
                "Password must contain at least one upper-case letter (A-Z).",
                "Password must contain at least one digit (0-9).",
                "Password must contain at least one special character (for example ! # $ % &).",
            ]
        );
    }

    #[test]
    fn l5_length_counts_characters_not_bytes() {
        // 8 characters, 16 bytes.
        assert!(check("Ää1!ääää").iter().all(|m| !m.contains("at least 8")));
        let long: String = std::iter::repeat_n('é', 61).chain("aA1".chars()).collect();
        assert!(check(&long).is_empty(), "{:?}", check(&long));
        assert!(check(&format!("{long}x")).iter().any(|m| m.contains("at most 64")));
    }

    #[test]
    fn l5_leading_or_trailing_white_space_is_refused() {
        assert_eq!(check(" Correct-Horse9"), vec!["Password must not begin or end with a space."]);
        assert_eq!(check("Correct-Horse9 "), vec!["Password must not begin or end with a space."]);
    }

    #[test]
    fn l5_empty_password_gets_the_required_message() {
        assert_eq!(check(""), vec!["New Password is required."]);
    }

    #[test]
    fn password_equal_to_login_name_is_refused() {
        let v: Vec<_> =
            PasswordPolicy::default().violations("Alice-2026!", "alice-2026!").iter().map(Msg::english).collect();
        assert_eq!(v, vec!["Password must not be the same as the Login Name."]);
    }

    #[test]
    fn l5_common_passwords_are_refused_even_when_they_meet_the_rules() {
        assert_eq!(check("Password123!"), vec!["Password is too common. Choose one that is harder to guess."]);
    }

    #[test]
    fn nist_mode_wants_length_not_composition() {
        let p = PasswordPolicy { mode: PolicyMode::Nist, ..PasswordPolicy::default() };
        assert!(p.violations("correct horse battery", "bob").is_empty());
        assert_eq!(p.violations("x9#kq-zv", "bob")[0].english(), "Password must be at least 15 characters long.");
    }
}
