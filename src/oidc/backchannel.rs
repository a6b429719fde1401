//! OpenID Connect Back-Channel Logout 1.0: the one subscriber to `accounts`' "sessions ended"
//! event. For each ended session it sends a signed logout token to each application named in
//! the event that registered a `backchannel_logout_uri`. `accounts` decides who is named (L6):
//! every application of every session when all of a user's sessions end on purpose; only the
//! asking application on its own RP-initiated logout; nobody on Lanyard's own sign-out.

use std::time::Duration;

use serde::Serialize;
use serde_json::json;
use tokio::task::JoinHandle;

use super::keys::Alg;
use super::{Ctx, Protocol, jwt};
use crate::accounts::Accounts;
use crate::accounts::events::{SessionsEnded, Subscription};
use crate::domain::application::{internal_host, is_internal};
use crate::secret::random_token;

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// §2.4: logout tokens should be short-lived.
const LOGOUT_TOKEN_TTL: i64 = 120;

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

/// Delivers every event until the process ends.
pub async fn run(oidc: Protocol, accounts: Accounts, mut events: Subscription) {
    while let Some(event) = events.next().await {
        deliver(Ctx { oidc: &oidc, accounts: &accounts }, &event).await;
    }
}

/// Delivers what is queued now and waits for the calls: a short-lived CLI process must not exit
/// before the applications were told.
pub async fn deliver_queued(ctx: Ctx<'_>, events: &mut Subscription) {
    for event in events.queued() {
        for call in deliver(ctx, &event).await {
            let _ = call.await;
        }
    }
}

/// Sends the logout tokens of one event in the background: nobody's sign-out or reset waits on
/// an application. Failures are logged, never swallowed silently.
pub async fn deliver(ctx: Ctx<'_>, event: &SessionsEnded) -> Vec<JoinHandle<()>> {
    let mut sent = Vec::new();
    for session in &event.sessions {
        for client_id in &session.client_ids {
            let client = match ctx.accounts.client(client_id).await {
                Ok(Some(c)) => c,
                Ok(None) => continue,
                Err(e) => {
                    tracing::error!(error = %e, client_id, "back-channel logout: cannot load client");
                    continue;
                }
            };
            let Some(uri) = client.metadata.backchannel_logout_uri.clone() else { continue };
            // Registered in development, perhaps; never called from production.
            if !ctx.oidc.internal_calls_ok && url::Url::parse(&uri).map(|u| internal_host(&u)).unwrap_or(true) {
                tracing::warn!(client_id, "back-channel logout: not calling a loopback or private address");
                continue;
            }
            let alg = Alg::parse(&client.metadata.id_token_signed_response_alg).unwrap_or(Alg::RS256);
            let Some(signer) = ctx.oidc.ring.signer(alg) else { continue };
            let now = ctx.oidc.clock.now();
            let claims = LogoutToken {
                iss: &ctx.oidc.issuer,
                aud: &client.client_id,
                iat: now,
                exp: now + LOGOUT_TOKEN_TTL,
                jti: random_token(),
                sub: &event.subject,
                sid: &session.sid,
                events: json!({ EVENT: {} }),
            };
            let token = match jwt::sign(&signer, "logout+jwt", &claims) {
                Ok(t) => t,
                Err(e) => {
                    tracing::error!(error = %e, "back-channel logout: signing failed");
                    continue;
                }
            };
            let http = ctx.oidc.http.clone();
            let client_id = client.client_id.clone();
            sent.push(tokio::spawn(async move {
                let sent = http.post(&uri).form(&[("logout_token", token.as_str())]).send().await;
                match sent {
                    Ok(res) if res.status().is_success() => tracing::info!(client_id, "back-channel logout delivered"),
                    Ok(res) => tracing::warn!(client_id, status = %res.status(), "back-channel logout refused by the application"),
                    Err(e) => tracing::warn!(client_id, error = %e, "back-channel logout could not be delivered"),
                }
            }));
        }
    }
    sent
}

/// The client for outgoing calls: short timeouts, no redirects (a logout token must reach the
/// registered URI itself). Outside development (`internal_ok`), a name that resolves only to
/// loopback or private addresses is not called (registration refuses such literals; this
/// catches names, and names that change what they resolve to).
pub fn http_client(internal_ok: bool) -> Result<reqwest::Client, reqwest::Error> {
    let builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        // A proxy would resolve the target itself, around the public-only resolver.
        .no_proxy();
    let builder = if internal_ok { builder } else { builder.dns_resolver(PublicOnly) };
    // No fallback to a default client: it would have neither the resolver nor the timeouts.
    builder.build()
}

/// Resolves with the system resolver and keeps public addresses only.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<std::net::SocketAddr> = found.filter(|a| !is_internal(a.ip())).collect();
            if public.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host} resolves to loopback or private addresses only").into();
                return Err(refused);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
