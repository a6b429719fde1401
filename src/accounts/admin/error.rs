//! What an administrative call answers when it does not do what was asked. Bad input names its
//! field as a value, not as text to be read back: every surface shows it beside the field.

use crate::accounts::Internal;
use crate::domain::field_error::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Bad input: the field it concerns (as the API names it), when one does, and why.
    #[error("{}", shown(*.field, .reason))]
    Invalid { field: Option<&'static str>, reason: String },
    #[error("{0} does not exist")]
    NotFound(String),
    #[error("{0} already exists")]
    Conflict(String),
    /// Not in a state that allows it: a used invitation, a decided request, a public client's
    /// secret, an active account to unlock.
    #[error("{0}")]
    Refused(String),
    /// The actor may not do this (their role, or the target is above them).
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Internal(#[from] Internal),
}

/// As the CLI and the API's `detail` say it: the field as an option is spelt (`max-failed-attempts`).
fn shown(field: Option<&str>, reason: &str) -> String {
    match field {
        Some(f) => format!("{}: {reason}", f.replace('_', "-")),
        None => reason.to_string(),
    }
}

impl AdminError {
    pub fn field(field: &'static str, reason: impl Into<String>) -> Self {
        AdminError::Invalid { field: Some(field), reason: reason.into() }
    }

    /// Bad input that no one field is to blame for.
    pub fn invalid(reason: impl Into<String>) -> Self {
        AdminError::Invalid { field: None, reason: reason.into() }
    }
}

impl From<FieldError> for AdminError {
    fn from(e: FieldError) -> Self {
        AdminError::Invalid { field: Some(e.field), reason: e.reason }
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => AdminError::Conflict(what),
            StoreError::NotFound(what) => AdminError::NotFound(what),
            other => AdminError::Internal(other.into()),
        }
    }
}
