//! One demo relying party: authorization code flow with PKCE, nonce and state through the
//! `openidconnect` crate; OIDC Core §4 third-party-initiated login at `/initiate`; and, for the
//! application that has a peer, the unified-login button (`/open-peer`).

use std::sync::{Arc, Mutex};

use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreJsonWebKeySet, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    LoginHint, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use tokio::net::TcpListener;

use super::bounded::Bounded;
use super::pages::{Shown, render};
use crate::secret::random_token;

type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The application unified login opens (U1): its client id and name.
#[derive(Clone, Debug)]
pub struct Peer {
    pub client_id: String,
    pub name: String,
}

struct UserSession {
    login: String,
    user_type: String,
    provider: String,
    unified_login: bool,
    initiated_from: Option<String>,
    id_token: String,
    /// Lanyard's session (`sid`), which a back-channel logout token names.
    sid: Option<String>,
}

struct Inner {
    name: String,
    colour: String,
    client_id: String,
    secret: String,
    issuer: String,
    /// This application's own URL.
    base: String,
    peer: Option<Peer>,
    client: Client,
    /// Lanyard's keys, from discovery: logout tokens are checked against them.
    jwks: CoreJsonWebKeySet,
    http: openidconnect::reqwest::Client,
    pending: Mutex<Bounded<(Nonce, PkceCodeVerifier)>>,
    sessions: Mutex<Bounded<UserSession>>,
}

/// Sign-ins begun and not finished, and signed-in browsers, each application keeps at most.
const MAX_PENDING: usize = 1000;
const MAX_SESSIONS: usize = 10_000;

#[derive(Clone)]
pub struct DemoApp(Arc<Inner>);

#[derive(Debug, thiserror::Error)]
#[error("demo application: {0}")]
pub struct DemoError(String);

fn err(e: impl std::fmt::Display) -> DemoError {
    DemoError(e.to_string())
}

impl DemoApp {
    /// Discovers Lanyard at `issuer` and prepares the client; `base` is this app's own URL.
    pub async fn new(
        name: &str,
        colour: &str,
        issuer: &str,
        base: &str,
        client_id: &str,
        secret: &str,
        peer: Option<Peer>,
    ) -> Result<Self, DemoError> {
        let http = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .build()
            .map_err(err)?;
        let provider = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.into()).map_err(err)?, &http)
            .await
            .map_err(err)?;
        let jwks = provider.jwks().clone();
        let client = CoreClient::from_provider_metadata(
            provider,
            ClientId::new(client_id.into()),
            Some(ClientSecret::new(secret.into())),
        )
        .set_redirect_uri(RedirectUrl::new(format!("{base}/callback")).map_err(err)?);
        Ok(DemoApp(Arc::new(Inner {
            name: name.into(),
            colour: colour.into(),
            client_id: client_id.into(),
            secret: secret.into(),
            issuer: issuer.into(),
            base: base.into(),
            peer,
            client,
            jwks,
            http,
            pending: Mutex::new(Bounded::new(MAX_PENDING)),
            sessions: Mutex::new(Bounded::new(MAX_SESSIONS)),
        })))
    }

    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        let router = Router::new()
            .route("/", get(home))
            .route("/login", get(login))
            .route("/initiate", get(initiate))
            .route("/callback", get(callback))
            .route("/open-peer", post(open_peer))
            .route("/logout", post(logout))
            .route("/logout-everywhere", post(logout_everywhere))
            .route("/backchannel-logout", post(backchannel_logout))
            .with_state(self);
        axum::serve(listener, router).await
    }

    fn cookie(&self) -> String {
        format!("{}_session", self.0.client_id.replace('-', "_"))
    }

    fn state_cookie(&self) -> String {
        format!("{}_state", self.0.client_id.replace('-', "_"))
    }

    fn session_id(&self, headers: &HeaderMap) -> Option<String> {
        self.read_cookie(headers, &self.cookie())
    }

    fn read_cookie(&self, headers: &HeaderMap, name: &str) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    fn page(&self, headers: &HeaderMap, error: Option<&str>) -> Response {
        let sessions = self.0.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.session_id(headers).and_then(|id| sessions.get(&id));
        let shown = current.map(|s| Shown {
            login: &s.login,
            user_type: &s.user_type,
            provider: &s.provider,
            unified_login: s.unified_login,
            initiated_from: s.initiated_from.as_deref(),
        });
        let html = render(&self.0.name, &self.0.colour, self.0.peer.as_ref().map(|p| p.name.as_str()), shown, error);
        let mut res = Html(html).into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }

    /// An authorization request, optionally carrying a unified-login `login_hint`.
    fn authorize(&self, hint: Option<String>) -> Response {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = self
            .0
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge);
        if let Some(h) = hint {
            req = req.set_login_hint(LoginHint::new(h));
        }
        let (url, state, nonce) = req.url();
        self.0.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(state.secret().clone(), (nonce, verifier));
        // RFC 9700 §4.7: `state` is bound to this browser, so a callback URL from someone else's
        // sign-in cannot log this browser in (login CSRF).
        let cookie = format!("{}={}; Path=/; HttpOnly; SameSite=Lax", self.state_cookie(), state.secret());
        redirect(url.as_str(), Some(cookie))
    }
}

fn redirect(to: &str, cookie: Option<String>) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    res
}

async fn home(State(app): State<DemoApp>, headers: HeaderMap) -> Response {
    app.page(&headers, None)
}

async fn login(State(app): State<DemoApp>) -> Response {
    app.authorize(None)
}

#[derive(Deserialize)]
struct InitiateQuery {
    iss: Option<String>,
    login_hint: Option<String>,
}

/// OIDC Core §4: a login started by a third party. Only our own issuer may start one.
async fn initiate(State(app): State<DemoApp>, headers: HeaderMap, Query(q): Query<InitiateQuery>) -> Response {
    if q.iss.as_deref() != Some(app.0.issuer.as_str()) {
        return app.page(&headers, Some("This login was not started by our identity provider."));
    }
    app.authorize(q.login_hint)
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error_description: Option<String>,
    error: Option<String>,
}

async fn callback(State(app): State<DemoApp>, headers: HeaderMap, Query(q): Query<CallbackQuery>) -> Response {
    // Nothing, not even an error text, is taken from a response this browser did not ask for.
    let expected = app.read_cookie(&headers, &app.state_cookie());
    if q.state.is_none() || q.state != expected {
        return app.page(&headers, Some("This sign-in response does not belong to this browser."));
    }
    // U3: Lanyard's refusal is shown in this tab, in its own words.
    if let Some(e) = q.error_description.or(q.error) {
        return app.page(&headers, Some(&e));
    }
    let pending = q.state.and_then(|s| app.0.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&s));
    let (Some(code), Some((nonce, verifier))) = (q.code, pending) else {
        return app.page(&headers, Some("This sign-in response is unknown or was used already."));
    };
    match finish(&app, code, nonce, verifier).await {
        Ok(session) => {
            let id = random_token();
            app.0.sessions.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), session);
            redirect("/", Some(format!("{}={id}; Path=/; HttpOnly; SameSite=Lax", app.cookie())))
        }
        Err(e) => app.page(&headers, Some(&e.to_string())),
    }
}

/// Code for tokens, the ID token checked by the library, the user's claims from userinfo.
async fn finish(
    app: &DemoApp,
    code: String,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
) -> Result<UserSession, DemoError> {
    let tokens = app
        .0
        .client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(err)?
        .set_pkce_verifier(verifier)
        .request_async(&app.0.http)
        .await
        .map_err(err)?;
    let id_token = tokens.id_token().ok_or_else(|| DemoError("no ID token".into()))?;
    id_token.claims(&app.0.client.id_token_verifier(), &nonce).map_err(err)?;
    let raw = id_token.to_string();
    let claims = raw
        .split('.')
        .nth(1)
        .and_then(|p| base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let claim = |f: &dyn Fn(&serde_json::Value) -> Option<&str>| claims.as_ref().and_then(f).map(String::from);
    let initiated_from = claim(&|c| c.get("initiated_from")?.get("name")?.as_str());
    let sid = claim(&|c| c.get("sid")?.as_str());
    let info = app
        .0
        .http
        .get(format!("{}/userinfo", app.0.issuer))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .map_err(err)?
        .bytes()
        .await
        .map_err(err)?;
    let info: serde_json::Value = serde_json::from_slice(&info).map_err(err)?;
    let text = |k: &str| info.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let user_type = match text("user_type").as_str() {
        "provider_admin" => "Provider Admin".to_string(),
        "super_admin" => "Super Admin".to_string(),
        _ => "User".to_string(),
    };
    Ok(UserSession {
        login: text("preferred_username"),
        user_type,
        provider: text("provider_name"),
        unified_login: info.get("unified_login").and_then(|v| v.as_bool()).unwrap_or(false),
        initiated_from,
        id_token: raw,
        sid,
    })
}

/// A's button: asks Lanyard for a hand-off to the peer with our own credentials, then sends
/// this (new) tab to the start URI Lanyard returned.
async fn open_peer(State(app): State<DemoApp>, headers: HeaderMap) -> Response {
    let Some(peer) = app.0.peer.clone() else { return app.page(&headers, Some("No application to open.")) };
    let id_token = {
        let sessions = app.0.sessions.lock().unwrap_or_else(|p| p.into_inner());
        match app.session_id(&headers).and_then(|id| sessions.get(&id).map(|s| s.id_token.clone())) {
            Some(t) => t,
            None => return app.page(&headers, Some("Sign in first.")),
        }
    };
    let res = app
        .0
        .http
        .post(format!("{}/unified-login/handoff", app.0.issuer))
        .basic_auth(&app.0.client_id, Some(&app.0.secret))
        .form(&[("target_client_id", peer.client_id.as_str()), ("id_token_hint", id_token.as_str())])
        .send()
        .await;
    let body: Option<serde_json::Value> = match res {
        Ok(r) => r.bytes().await.ok().and_then(|b| serde_json::from_slice(&b).ok()),
        Err(_) => None,
    };
    match body.as_ref().and_then(|b| b.get("start_uri")).and_then(|v| v.as_str()) {
        Some(start) => redirect(start, None),
        None => {
            let why = body
                .as_ref()
                .and_then(|b| b.get("error_description"))
                .and_then(|v| v.as_str())
                .unwrap_or("Lanyard refused.");
            app.page(&headers, Some(why))
        }
    }
}

/// L6: signs out of this application only; Lanyard and the other application keep theirs.
async fn logout(State(app): State<DemoApp>, headers: HeaderMap) -> Response {
    if let Some(id) = app.session_id(&headers) {
        app.0.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }
    redirect("/", Some(format!("{}=; Path=/; Max-Age=0", app.cookie())))
}

/// Signs out of this application and of Lanyard (RP-Initiated Logout): Lanyard ends its session
/// and, as this application asked, may tell it back; no other application is told (L6).
async fn logout_everywhere(State(app): State<DemoApp>, headers: HeaderMap) -> Response {
    let ended =
        app.session_id(&headers).and_then(|id| app.0.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(&id));
    let clear = Some(format!("{}=; Path=/; Max-Age=0", app.cookie()));
    let Some(session) = ended else { return redirect("/", clear) };
    let Ok(mut url) = url::Url::parse(&format!("{}/end-session", app.0.issuer)) else { return redirect("/", clear) };
    url.query_pairs_mut()
        .append_pair("id_token_hint", &session.id_token)
        .append_pair("post_logout_redirect_uri", &format!("{}/", app.0.base));
    redirect(url.as_str(), clear)
}

#[derive(Deserialize)]
struct LogoutForm {
    logout_token: String,
}

/// Back-Channel Logout 1.0 §2.8: Lanyard says a session ended; every local session that came
/// from it ends too.
async fn backchannel_logout(State(app): State<DemoApp>, Form(form): Form<LogoutForm>) -> Response {
    let inner = &app.0;
    let now = crate::clock::Clock::system().now();
    let Some(sid) =
        super::logout_token::verified_sid(&form.logout_token, &inner.jwks, &inner.issuer, &inner.client_id, now)
    else {
        return (StatusCode::BAD_REQUEST, [(header::CACHE_CONTROL, "no-store")], "invalid logout token")
            .into_response();
    };
    inner.sessions.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, s| s.sid.as_deref() != Some(sid.as_str()));
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response()
}
