//! A user's *epoch*: bumped when their password is reset (S6) or set by an administrator (A1).
//! Every Lanyard session and every token records the epoch it was born in; one from an older
//! epoch is dead. This ends all of a user's sessions and refresh tokens in one atomic step,
//! without listing them.

use super::user::UserId;
use crate::store::{Ephemeral, StoreError};

/// Longer than any session or refresh token lives. Should the counter ever expire, it reads 0
/// again, so older sessions stop matching: the safe direction.
const TTL: i64 = 400 * 24 * 3600;

fn key(user: UserId) -> String {
    format!("user-epoch:{user}")
}

pub async fn current(eph: &Ephemeral, user: UserId) -> Result<i64, StoreError> {
    eph.count(&key(user)).await
}

pub async fn bump(eph: &Ephemeral, user: UserId) -> Result<i64, StoreError> {
    eph.incr(&key(user), TTL).await
}
