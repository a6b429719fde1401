//! What an administrative call answers when it does not do what was asked.

use crate::accounts::Internal;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0} does not exist")]
    NotFound(String),
    #[error("{0} already exists")]
    Conflict(String),
    /// The actor may not do this (their role, or the target is above them).
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Internal(#[from] Internal),
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
