//! A user's *epoch*: replaced when their password is reset (S6) or set by an administrator (A1),
//! and when they are locked or deactivated. Every Lanyard session and every token records the
//! epoch it was born in; one from another epoch is dead. This ends all of a user's sessions and
//! refresh tokens in one atomic write, without listing them.
//!
//! The epoch is a random value, not a counter, so it can never come round again: should it
//! expire, it reads empty, which matches no recorded epoch but a fresh sign-in's (the safe
//! direction).

use crate::domain::user::UserId;
use crate::secret::random_token;
use crate::store::{Ephemeral, StoreError};

/// Longer than any session or refresh token lives.
const TTL: i64 = 400 * 24 * 3600;

/// Keys are this and the user's id (a token's record names its user: `store::Follow` reads the
/// epoch with the record).
pub const KEY_PREFIX: &str = "user-epoch:";

pub fn key(user: UserId) -> String {
    format!("{KEY_PREFIX}{user}")
}

pub async fn current(eph: &Ephemeral, user: UserId) -> Result<String, StoreError> {
    Ok(eph.get(&key(user)).await?.unwrap_or_default())
}

/// Only `end_all_sessions` calls this: one path, so no caller forgets to tell the applications.
/// Returns the new epoch: a session started in it right away (after a password change at will)
/// is never taken for one of the old.
pub(super) async fn bump(eph: &Ephemeral, user: UserId) -> Result<String, StoreError> {
    let epoch = random_token();
    eph.put(&key(user), &epoch, TTL).await?;
    Ok(epoch)
}
