//! What an administrator can ask of a provider's user list (issue 31): part of a login name, a
//! status, a user type, and whether the person has a second factor (F2, F9).

use super::user::{LoginName, UserStatus, UserType};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserSearch {
    /// Folded as login names are (T2), so any capitalisation finds the same people.
    contains: Option<String>,
    pub status: Option<UserStatus>,
    pub user_type: Option<UserType>,
    /// An authenticator app or a passkey (recovery codes come with the app).
    pub second_factor: Option<bool>,
}

impl UserSearch {
    /// Longest text searched for: a search is part of a login name.
    pub const MAX_CHARS: usize = 64;

    /// `None` when `text` is longer than [`Self::MAX_CHARS`]; blank text searches for nothing.
    pub fn containing(text: &str) -> Option<Self> {
        let folded = LoginName::fold(text);
        if folded.chars().count() > Self::MAX_CHARS {
            return None;
        }
        Some(UserSearch { contains: (!folded.is_empty()).then_some(folded), ..Default::default() })
    }

    pub fn contains(&self) -> Option<&str> {
        self.contains.as_deref()
    }
}
