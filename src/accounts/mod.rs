//! The PRODUCT.md rules, with no HTTP in sight: handlers parse input, call one function here,
//! and render what it returns.

pub mod access;
pub mod activity;
pub mod admin;
pub mod application;
pub mod blocklist;
pub mod enrolment;
pub mod epoch;
pub mod password;
pub mod password_change;
pub mod policy;
pub mod reset;
pub mod sign_in;
pub mod sign_out;
pub mod tenant;
pub mod throttle;
pub mod user;

use crate::clock::Clock;
use crate::store::{Ephemeral, Store, StoreError};
use password::{HashError, PasswordHasher};

/// Everything the domain functions need, cheap to clone.
#[derive(Clone, Debug)]
pub struct Accounts {
    pub store: Store,
    pub ephemeral: Ephemeral,
    pub hasher: PasswordHasher,
    pub clock: Clock,
    pub limits: throttle::SignInLimits,
    pub outbox: crate::mail::Outbox,
}

/// Failures that are nobody's fault but ours: logged with the request id, shown as a 500.
#[derive(Debug, thiserror::Error)]
pub enum Internal {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("mail: {0}")]
    Mail(String),
}
