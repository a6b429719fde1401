//! The short-lived artefacts of the protocol, kept in the ephemeral store under the SHA-256 of
//! the value handed out: codes, access and refresh tokens, unified-login hand-offs. Codes and
//! tokens begin with the millisecond they were made, and on SQLite so do their keys, ahead of the
//! hash (`secret::ordered_token`, `Ephemeral::token_key`): one after another, they sort together.
//!
//! Every token belongs to a *grant* (one authorization). Replaying a code or a rotated refresh
//! token marks the grant revoked, which kills every token issued under it (RFC 6749 §4.1.2,
//! OAuth 2.0 Security BCP §4.14).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::secret::{hex, ordered_token, random_bytes};
use crate::store::{Ephemeral, Follow, StoreError};

/// OIDC Core §3.1.3.2 recommends short-lived codes; the conformance suite expects ≤ 60 s.
pub const CODE_TTL: i64 = 60;

/// Who signed in, and how: the facts an ID token states.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Subject {
    pub user_id: i32,
    pub tenant_id: i32,
    pub sub: String,
    pub auth_time: i64,
    pub sid: String,
    pub amr: Vec<String>,
    /// F7: the authentication context class the session reached.
    #[serde(default)]
    pub acr: Option<String>,
    /// The user's epoch when the session signed in (see `accounts::epoch`).
    #[serde(default)]
    pub epoch: String,
    /// U2, U4: the application a unified login was started from (client id, name).
    #[serde(default)]
    pub initiated_from: Option<(String, String)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CodeRecord {
    pub grant_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub subject: Subject,
    /// RFC 9449 §10: the thumbprint of the DPoP key the code was bound to (`dpop_jkt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_jkt: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenRecord {
    pub grant_id: String,
    pub client_id: String,
    pub scope: Vec<String>,
    /// `None` for client_credentials.
    pub subject: Option<Subject>,
    pub issued_at: i64,
    pub expires_at: i64,
    /// When the grant began (the code's redemption): rotation never carries a refresh token past
    /// `granted_at + refresh_token_absolute`. 0 in records from before it existed: `issued_at`.
    #[serde(default)]
    pub granted_at: i64,
    /// RFC 9449: the thumbprint of the DPoP key the token is bound to (`cnf.jkt`); only that
    /// key's proofs may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
}

impl TokenRecord {
    pub fn grant_began(&self) -> i64 {
        if self.granted_at > 0 { self.granted_at } else { self.issued_at }
    }
}

/// Outcome of presenting a single-use value.
pub enum Redeemed<T> {
    Fresh(T),
    /// Used before: the grant it belonged to has now been revoked.
    Replayed,
    /// Live, but not the presenter's (another client's, or bound to a DPoP key the presenter did
    /// not prove): left untouched.
    Withheld(T),
    Unknown,
}

/// Who presents a code or a refresh token. Only its own client, proving the key it is bound to
/// (if any), uses it up — or, replaying it, revokes its grant: someone who merely copied a value
/// can do neither.
#[derive(Clone, Copy)]
pub struct Presenter<'a> {
    pub client_id: &'a str,
    /// The thumbprint of the DPoP key the request proved.
    pub jkt: Option<&'a str>,
}

impl Presenter<'_> {
    pub fn may_use(&self, client_id: &str, bound: Option<&str>) -> bool {
        self.client_id == client_id && bound.is_none_or(|b| self.jkt == Some(b))
    }
}

/// What a used-marker remembers of the value it stands for.
#[derive(Serialize, Deserialize)]
struct Used {
    grant_id: String,
    client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jkt: Option<String>,
}

impl Used {
    /// A marker as stored; one from before markers named their client is the bare grant id, and
    /// counts for any presenter, as it did.
    fn read(stored: String) -> (Used, bool) {
        match serde_json::from_str::<Used>(&stored) {
            Ok(used) => (used, false),
            Err(_) => (Used { grant_id: stored, client_id: String::new(), jkt: None }, true),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Grants {
    eph: Ephemeral,
    /// Codes and tokens begin with the millisecond they were made (`secret::ordered_token`).
    clock: Clock,
    /// How long a revoked grant is remembered: the longest any of its tokens can live.
    revocation_ttl: i64,
}

const REVOKED_PREFIX: &str = "grant-revoked:";

fn revoked_key(grant_id: &str) -> String {
    format!("{REVOKED_PREFIX}{grant_id}")
}

/// What a token's life depends on besides its own record, read with it in one round trip: its
/// grant's revocation and its user's epoch (client_credentials records name no user).
const LIFE: [Follow<'static>; 2] = [
    Follow { prefix: REVOKED_PREFIX, field: "grant_id" },
    Follow { prefix: crate::accounts::epoch::KEY_PREFIX, field: "subject.user_id" },
];

fn encode<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode<T: DeserializeOwned>(s: Option<String>) -> Option<T> {
    s.and_then(|s| serde_json::from_str(&s).ok())
}

impl Grants {
    pub fn new(eph: Ephemeral, clock: Clock, revocation_ttl: i64) -> Self {
        Grants { eph, clock, revocation_ttl }
    }

    fn new_token(&self) -> String {
        ordered_token(self.clock.now_millis())
    }

    pub fn new_grant_id() -> String {
        hex(&random_bytes::<16>())
    }

    /// RFC 9126: keeps a pushed authorization request under the SHA-256 of its client's id and
    /// its handle.
    pub async fn save_pushed(&self, client_id: &str, handle: &str, json: &str, ttl: i64) -> Result<(), StoreError> {
        self.eph.put(&Ephemeral::secret_key("par", &format!("{client_id}:{handle}")), json, ttl).await
    }

    /// RFC 9126: a pushed request of `client_id`, taken: single use.
    pub async fn take_pushed(&self, client_id: &str, handle: &str) -> Result<Option<String>, StoreError> {
        self.eph.take(&Ephemeral::secret_key("par", &format!("{client_id}:{handle}"))).await
    }

    /// U2: keeps a unified-login hand-off under the SHA-256 of its handle.
    pub async fn save_handoff(&self, handle: &str, json: &str, ttl: i64) -> Result<(), StoreError> {
        self.eph.put(&Ephemeral::secret_key("handoff", handle), json, ttl).await
    }

    pub async fn handoff(&self, handle: &str) -> Result<Option<String>, StoreError> {
        self.eph.get(&Ephemeral::secret_key("handoff", handle)).await
    }

    /// Single use: the take is atomic; a replay finds only the marker the taker left.
    pub async fn take_handoff(&self, handle: &str) -> Result<Option<String>, StoreError> {
        self.eph.take(&Ephemeral::secret_key("handoff", handle)).await
    }

    /// Remembers, for a replay, which application a used hand-off came from.
    pub async fn mark_handoff_used(&self, handle: &str, from_name: &str, ttl: i64) -> Result<(), StoreError> {
        self.eph.put(&Ephemeral::secret_key("handoff-used", handle), from_name, ttl).await
    }

    pub async fn handoff_used(&self, handle: &str) -> Result<Option<String>, StoreError> {
        self.eph.get(&Ephemeral::secret_key("handoff-used", handle)).await
    }

    /// RFC 7523 §3, RFC 9449 §11.1: whether this is the first use of a `jti` (`key` names what
    /// issued it and it; `kind` the sort of JWT) within `ttl` seconds, on any node.
    pub async fn first_use(&self, kind: &str, key: &str, ttl: i64) -> Result<bool, StoreError> {
        Ok(self.eph.incr(&Ephemeral::secret_key(kind, key), ttl.max(1)).await? == 1)
    }

    pub async fn issue_code(&self, record: &CodeRecord) -> Result<String, StoreError> {
        let code = self.new_token();
        self.eph.put(&self.eph.token_key("code", &code), &encode(record)?, CODE_TTL).await?;
        Ok(code)
    }

    /// Atomically takes the code, if it is `by`'s. A second presentation by its client revokes
    /// what the first one got.
    pub async fn redeem_code(
        &self,
        code: &str,
        marker_ttl: i64,
        by: Presenter<'_>,
    ) -> Result<Redeemed<CodeRecord>, StoreError> {
        let (key, used_key) = (self.eph.token_key("code", code), self.eph.token_key("code-used", code));
        if let Some(record) = decode::<CodeRecord>(self.eph.get(&key).await?) {
            if !by.may_use(&record.client_id, record.dpop_jkt.as_deref()) {
                return Ok(Redeemed::Withheld(record));
            }
            let used = Used { grant_id: record.grant_id, client_id: record.client_id, jkt: record.dpop_jkt };
            self.eph.put(&used_key, &encode(&used)?, marker_ttl).await?;
        }
        self.take_or_revoke(&key, &used_key, by).await
    }

    /// Single use with replay detection: callers write the "used" marker *before* taking the
    /// value, so every presentation that loses the race to take it — however close behind —
    /// finds the marker and revokes the grant: a thief racing the rightful client cannot keep a
    /// live family. Only a presenter who could have used the value revokes.
    async fn take_or_revoke<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
        used_key: &str,
        by: Presenter<'_>,
    ) -> Result<Redeemed<T>, StoreError> {
        if let Some(record) = decode::<T>(self.eph.take(key).await?) {
            return Ok(Redeemed::Fresh(record));
        }
        let Some(marker) = self.eph.get(used_key).await? else { return Ok(Redeemed::Unknown) };
        let (used, legacy) = Used::read(marker);
        if !legacy && !by.may_use(&used.client_id, used.jkt.as_deref()) {
            return Ok(Redeemed::Unknown);
        }
        self.revoke_grant(&used.grant_id).await?;
        Ok(Redeemed::Replayed)
    }

    pub async fn issue_access_token(&self, record: &TokenRecord) -> Result<String, StoreError> {
        let token = self.new_token();
        self.keep_access_token(&token, record).await?;
        Ok(token)
    }

    /// Keeps the record of an access token minted elsewhere (a JWT access token), so userinfo,
    /// introspection and revocation treat both formats alike.
    pub async fn keep_access_token(&self, token: &str, record: &TokenRecord) -> Result<(), StoreError> {
        let ttl = record.expires_at - record.issued_at;
        self.eph.put(&self.eph.token_key("at", token), &encode(record)?, ttl).await
    }

    /// A live access token whose grant has not been revoked (one round trip).
    pub async fn access_token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.live_record(&self.eph.token_key("at", token)).await
    }

    /// The record under `key` if it is live (see [`Grants::record_and_life`]).
    async fn live_record(&self, key: &str) -> Result<Option<TokenRecord>, StoreError> {
        Ok(self.record_and_life(key).await?.and_then(|(record, live)| live.then_some(record)))
    }

    /// The record under `key`, and whether it lives: its grant not revoked, and issued in its
    /// user's current epoch (a reset ends every earlier token). Read with what that depends on in
    /// one round trip: this runs on every userinfo, introspection and refresh request.
    async fn record_and_life(&self, key: &str) -> Result<Option<(TokenRecord, bool)>, StoreError> {
        let Some(found) = self.eph.get_following(key, &LIFE).await? else { return Ok(None) };
        let Some(record) = decode::<TokenRecord>(Some(found.value)) else { return Ok(None) };
        let mut values = found.values.into_iter();
        let revoked = values.next().flatten().is_some();
        let epoch = values.next().flatten().unwrap_or_default();
        let live = !revoked && record.subject.as_ref().is_none_or(|s| s.epoch == epoch);
        Ok(Some((record, live)))
    }

    pub async fn revoke_access_token(&self, token: &str) -> Result<(), StoreError> {
        self.eph.delete(&self.eph.token_key("at", token)).await
    }

    pub async fn issue_refresh_token(&self, record: &TokenRecord) -> Result<String, StoreError> {
        let token = self.new_token();
        let ttl = record.expires_at - record.issued_at;
        self.eph.put(&self.eph.token_key("rt", &token), &encode(record)?, ttl).await?;
        Ok(token)
    }

    pub async fn refresh_token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.live_record(&self.eph.token_key("rt", token)).await
    }

    /// The refresh token's record as stored and whether it lives (`None`: unknown, expired or
    /// used).
    pub async fn refresh_token_record(&self, token: &str) -> Result<Option<(TokenRecord, bool)>, StoreError> {
        self.record_and_life(&self.eph.token_key("rt", token)).await
    }

    /// Rotation: the presented refresh token is consumed; presenting it again revokes the family.
    /// `stored` is what [`Grants::refresh_token_record`] found, and found live
    /// (`None` when nothing was found: then only a replay can be detected).
    pub async fn rotate_refresh_token(
        &self,
        token: &str,
        stored: Option<&TokenRecord>,
        by: Presenter<'_>,
    ) -> Result<Redeemed<TokenRecord>, StoreError> {
        let (key, used_key) = (self.eph.token_key("rt", token), self.eph.token_key("rt-used", token));
        if let Some(record) = stored {
            if !by.may_use(&record.client_id, record.jkt.as_deref()) {
                return Ok(Redeemed::Withheld(record.clone()));
            }
            let used = Used {
                grant_id: record.grant_id.clone(),
                client_id: record.client_id.clone(),
                jkt: record.jkt.clone(),
            };
            // The used-marker lands before the take, so a replay that finds the token gone finds
            // the marker. Where the store keeps the order of what it is sent (SQLite's writer
            // queue, Redis's connection) both go out together: one round trip where there were two.
            let marker = encode(&used)?;
            if self.eph.writes_in_order() {
                let (_, taken) =
                    tokio::try_join!(self.eph.put(&used_key, &marker, self.revocation_ttl), self.eph.take(&key))?;
                if let Some(record) = decode::<TokenRecord>(taken) {
                    return Ok(Redeemed::Fresh(record));
                }
            } else {
                self.eph.put(&used_key, &marker, self.revocation_ttl).await?;
            }
        }
        // A reuse racing this one may revoke the grant between the check and the take: tokens
        // issued then belong to a revoked grant and are dead on arrival, which is the point.
        self.take_or_revoke(&key, &used_key, by).await
    }

    pub async fn revoke_refresh_token(&self, token: &str) -> Result<(), StoreError> {
        if let Some(record) = decode::<TokenRecord>(self.eph.take(&self.eph.token_key("rt", token)).await?) {
            self.revoke_grant(&record.grant_id).await?;
        }
        Ok(())
    }

    pub async fn revoke_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        self.eph.put(&revoked_key(grant_id), "1", self.revocation_ttl).await
    }

    /// Whether the sign-in behind a code or token still counts (no reset or lock since).
    pub async fn subject_live(&self, s: &Subject) -> Result<bool, StoreError> {
        Ok(crate::accounts::epoch::current(&self.eph, s.user_id).await? == s.epoch)
    }
}
