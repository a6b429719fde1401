//! The PRODUCT.md rules, with no HTTP in sight: handlers parse input, call one function here,
//! and render what it returns. The store handles are private: every reach into storage from a
//! higher layer is a function of this module named for the rule it applies.

pub mod access;
pub mod admin;
pub mod app_enrolment;
pub mod assertion;
pub mod attempt;
pub mod console_client;
pub mod directory;
pub mod enrolment;
pub mod epoch;
pub mod events;
pub mod factors;
pub mod interaction;
pub mod invitation;
mod key_models;
pub mod key_sign_in;
pub mod languages;
pub mod limits;
pub mod mailed;
pub mod operations;
pub mod own_password;
pub mod passkey_removal;
pub mod passkeys;
pub mod password;
pub mod password_change;
pub mod recovery;
pub mod relying_party;
pub mod reset;
pub mod reset_link;
pub mod service_status;
pub mod session;
pub mod session_lifetime;
pub mod sessions_ended;
pub mod sign_in;
pub mod sign_out;
pub mod status_cache;
pub mod throttle;
pub mod totp;
pub mod unified;

use crate::clock::Clock;
use crate::mail::Outbox;
use crate::secret::{Mac, Sealer};
use crate::store::{Ephemeral, Store, StoreError};
use events::Events;
use password::{HashError, PasswordHasher};

/// Everything the domain functions need, cheap to clone.
/// The rules' entry point. A clone is one reference count: every request's handlers and layers
/// take one (`State<Accounts>`), so what it holds is shared, not copied.
#[derive(Clone, Debug)]
pub struct Accounts(std::sync::Arc<Held>);

/// What [`Accounts`] holds; its handles stay private to `accounts/`.
#[derive(Clone, Debug)]
pub struct Held {
    store: Store,
    ephemeral: Ephemeral,
    hasher: PasswordHasher,
    clock: Clock,
    limits: limits::SignInLimits,
    outbox: Outbox,
    events: Events,
    /// How long a Lanyard session (and what is remembered about it) lives, and how long unused.
    session_lifetime: session_lifetime::Lifetime,
    /// Keyed with the deployment's secret: the stored form of mailed tokens and codes.
    mac: Mac,
    /// Under the key-encryption key: authenticator apps' secrets at rest (F2).
    sealer: Sealer,
    /// Development: applications' back-channel URIs may be on loopback or private addresses.
    internal_calls_ok: bool,
    /// P1, P3: how long invitation links and staff-sent reset links work.
    link_ttl: i64,
    /// M1: the open maintenance windows, shared by every clone.
    status_cache: std::sync::Arc<status_cache::StatusCache>,
    /// F12: passkeys' relying party, when the origin can be one.
    relying_party: Option<relying_party::RelyingParty>,
}

impl std::ops::Deref for Accounts {
    type Target = Held;

    fn deref(&self) -> &Held {
        &self.0
    }
}

/// What `Accounts::new` is made of; `app.rs` assembles it from the configuration.
pub struct Parts {
    pub store: Store,
    pub ephemeral: Ephemeral,
    pub hasher: PasswordHasher,
    pub clock: Clock,
    pub limits: limits::SignInLimits,
    pub outbox: Outbox,
    pub events: Events,
    pub session_ttl: i64,
    pub session_idle: i64,
    pub mac: Mac,
    pub sealer: Sealer,
    pub internal_calls_ok: bool,
    pub link_ttl: i64,
    pub relying_party: Option<relying_party::RelyingParty>,
}

impl Accounts {
    pub fn new(p: Parts) -> Self {
        Accounts(std::sync::Arc::new(Held {
            store: p.store,
            ephemeral: p.ephemeral,
            hasher: p.hasher,
            clock: p.clock,
            limits: p.limits,
            outbox: p.outbox,
            events: p.events,
            session_lifetime: session_lifetime::Lifetime { ttl: p.session_ttl, idle: p.session_idle },
            mac: p.mac,
            sealer: p.sealer,
            internal_calls_ok: p.internal_calls_ok,
            link_ttl: p.link_ttl,
            status_cache: std::sync::Arc::default(),
            relying_party: p.relying_party,
        }))
    }
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
    #[error("background task: {0}")]
    Task(String),
    /// A sealed secret that does not open under this deployment's key (F2).
    #[error("a sealed secret does not open: is key_encryption_key the one it was sealed with?")]
    Sealed,
}

impl Internal {
    /// A dependency is down: try again shortly (503), nobody's bug (500).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Internal::Store(e) if e.is_unavailable())
    }
}
