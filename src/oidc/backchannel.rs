//! OpenID Connect Back-Channel Logout 1.0. When a Lanyard session ends, every application that
//! received an ID token in it and registered a `backchannel_logout_uri` gets a signed logout
//! token. Applications that did not register keep their sessions (PRODUCT.md L6).

use std::time::Duration;

use serde::Serialize;
use serde_json::json;

use super::jwt;
use super::keys::Alg;
use crate::app::AppState;
use crate::secret::random_token;
use crate::store::{Ephemeral, StoreError};

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// §2.4: logout tokens should be short-lived.
const LOGOUT_TOKEN_TTL: i64 = 120;

/// Each application a session gives tokens to takes a numbered slot; the counter is atomic, so
/// concurrent authorizations in one session (two tabs, silent iframes) cannot lose one.
fn counter(sid: &str) -> String {
    format!("sid-clients:{sid}")
}

fn slot(sid: &str, n: i64) -> String {
    format!("sid-clients:{sid}:{n}")
}

/// Remembers that `client_id` received tokens in session `sid`.
pub async fn remember(eph: &Ephemeral, sid: &str, client_id: &str, ttl: i64) -> Result<(), StoreError> {
    let n = eph.incr(&counter(sid), ttl).await?;
    eph.put(&slot(sid, n), client_id, ttl).await
}

async fn clients_of(eph: &Ephemeral, sid: &str) -> Result<Vec<String>, StoreError> {
    let n = eph.count(&counter(sid)).await?.min(1000);
    let mut clients = Vec::new();
    for k in 1..=n {
        if let Some(c) = eph.take(&slot(sid, k)).await?
            && !clients.contains(&c)
        {
            clients.push(c);
        }
    }
    eph.delete(&counter(sid)).await?;
    Ok(clients)
}

#[derive(Serialize)]
struct LogoutToken<'a> {
    iss: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
    sub: &'a str,
    sid: &'a str,
    events: serde_json::Value,
}

/// Sends logout tokens for session `sid` of the user `sub`, in the background: the user's
/// sign-out never waits on an application. Failures are logged, never swallowed silently.
pub async fn session_ended(state: &AppState, sid: &str, sub: &str) -> Vec<tokio::task::JoinHandle<()>> {
    let mut sent = Vec::new();
    let clients = match clients_of(&state.accounts.ephemeral, sid).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "back-channel logout: cannot read the session's applications");
            return sent;
        }
    };
    for client_id in clients {
        let client = match state.accounts.store.client(&client_id).await {
            Ok(Some(c)) => c,
            Ok(None) => continue,
            Err(e) => {
                tracing::error!(error = %e, client_id, "back-channel logout: cannot load client");
                continue;
            }
        };
        let Some(uri) = client.metadata.backchannel_logout_uri.clone() else { continue };
        let alg = Alg::parse(&client.metadata.id_token_signed_response_alg).unwrap_or(Alg::RS256);
        let Some(signer) = state.oidc.ring.signer(alg) else { continue };
        let now = state.accounts.clock.now();
        let claims = LogoutToken {
            iss: &state.oidc.issuer,
            aud: &client.client_id,
            iat: now,
            exp: now + LOGOUT_TOKEN_TTL,
            jti: random_token(),
            sub,
            sid,
            events: json!({ EVENT: {} }),
        };
        let token = match jwt::sign(&signer, "logout+jwt", &claims) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "back-channel logout: signing failed");
                continue;
            }
        };
        let http = state.oidc.http.clone();
        sent.push(tokio::spawn(async move {
            let sent = http.post(&uri).form(&[("logout_token", token.as_str())]).send().await;
            match sent {
                Ok(res) if res.status().is_success() => tracing::info!(client_id, "back-channel logout delivered"),
                Ok(res) => {
                    tracing::warn!(client_id, status = %res.status(), "back-channel logout refused by the application")
                }
                Err(e) => tracing::warn!(client_id, error = %e, "back-channel logout could not be delivered"),
            }
        }));
    }
    sent
}

fn user_counter(user_id: i32) -> String {
    format!("user-sids:{user_id}")
}

/// Remembers a new Lanyard session of the user, so ending all of them (a reset, a lock) can
/// tell their applications.
pub async fn remember_session(eph: &Ephemeral, user_id: i32, sid: &str, ttl: i64) -> Result<(), StoreError> {
    let n = eph.incr(&user_counter(user_id), ttl).await?;
    eph.put(&format!("{}:{n}", user_counter(user_id)), sid, ttl).await
}

/// Every session of the user has ended (their epoch changed): back-channel logout for each.
/// Returns the deliveries, so a short-lived CLI process can wait for them.
pub async fn user_sessions_ended(state: &AppState, user_id: i32) -> Vec<tokio::task::JoinHandle<()>> {
    let eph = &state.accounts.ephemeral;
    let sub = match state.accounts.store.user_by_id(user_id).await {
        Ok(Some(u)) => u.subject,
        _ => return Vec::new(),
    };
    let n = eph.count(&user_counter(user_id)).await.unwrap_or(0).min(1000);
    let mut sent = Vec::new();
    for k in 1..=n {
        if let Ok(Some(sid)) = eph.take(&format!("{}:{k}", user_counter(user_id))).await {
            sent.extend(session_ended(state, &sid, &sub).await);
        }
    }
    let _ = eph.delete(&user_counter(user_id)).await;
    sent
}

/// The client for outgoing calls: short timeouts, no redirects (a logout token must reach the
/// registered URI itself).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}
