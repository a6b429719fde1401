//! Bearer tokens for the surfaces that are not the protocol (the administration API). Tokens are
//! the protocol's (`oidc::grants`), and peers never import each other: the protocol lends this
//! check through the application state (`app.rs`), and a surface asks it for what a token grants.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::accounts::Internal;
use crate::domain::user::UserId;

/// What a live access token was issued for.
#[derive(Clone, Debug)]
pub struct BearerGrant {
    pub client_id: String,
    pub scope: Vec<String>,
    /// `None` for `client_credentials` (the client acts for itself).
    pub user_id: Option<UserId>,
    /// The Lanyard session (OIDC `sid`) a person's token was issued in.
    pub sid: Option<String>,
}

pub type Checking<'a> = Pin<Box<dyn Future<Output = Result<Option<BearerGrant>, Internal>> + Send + 'a>>;

/// A live (not expired, not revoked, not from an ended epoch) access token's grant, or `None`.
pub trait BearerCheck: Send + Sync {
    fn check<'a>(&'a self, token: &'a str) -> Checking<'a>;
}

/// The sub-state handlers take.
#[derive(Clone)]
pub struct Bearer(pub Arc<dyn BearerCheck>);
