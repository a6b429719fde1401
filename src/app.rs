//! The application: state shared by every request, the router, and the server loop.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::FromRef;
use axum::http::HeaderName;
use axum::middleware;
use tokio::net::TcpListener;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::accounts::events::{self, Subscription};
use crate::accounts::password::PasswordHasher;
use crate::accounts::throttle::SignInLimits;
use crate::accounts::{self, Accounts};
use crate::admin;
use crate::clock::Clock;
use crate::config::{Config, Environment, issuer_str};
use crate::console::{self, Console};
use crate::http::bearer::Bearer;
use crate::http::{Site, headers, server};
use crate::mail::Outbox;
use crate::oidc::{self, Ctx, Oidc, Protocol, grants::Grants, key_ring::KeyRing};
use crate::secret::{Mac, Sealer, random_token};
use crate::store::{Ephemeral, Store};
use crate::telemetry::{self, RandomRequestId};
use crate::web;

mod envelope;
use envelope::Envelope;

/// The application: configuration and the three sub-states handlers take (`Accounts`, `Site`,
/// `Protocol`). The router clones it for every request: a clone is one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub config: Arc<Config>,
    pub accounts: Accounts,
    pub site: Site,
    pub oidc: Protocol,
    /// "Sessions ended" events, until `serve` (or a CLI command) takes them to deliver.
    logout_events: Arc<Mutex<Option<Subscription>>>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for Accounts {
    fn from_ref(s: &AppState) -> Self {
        s.accounts.clone()
    }
}

impl FromRef<AppState> for Site {
    fn from_ref(s: &AppState) -> Self {
        s.site.clone()
    }
}

impl FromRef<AppState> for Bearer {
    fn from_ref(s: &AppState) -> Self {
        Bearer(s.oidc.clone())
    }
}

impl FromRef<AppState> for Protocol {
    fn from_ref(s: &AppState) -> Self {
        s.oidc.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("password hashing: {0}")]
    Hash(#[from] crate::accounts::password::HashError),
    #[error("signing keys: {0}")]
    Keys(#[from] crate::oidc::key_ring::RingError),
    #[error("{0}")]
    Io(String),
}

impl AppState {
    /// Connects to the stores, applies migrations, and prepares everything a request needs.
    pub async fn build(config: Config, clock: Clock) -> Result<Self, StartError> {
        if config.database_url.expose().starts_with("sqlite:") || config.secret_key.is_none() {
            std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                StartError::Io(format!("cannot create data directory {}: {e}", config.data_dir.display()))
            })?;
        }
        let store = Store::connect(config.database_url.expose(), config.database_max_connections)
            .await?
            .cache_clients(clock.clone(), CLIENT_CACHE_SECS);
        store.migrate().await?;
        let ephemeral = match &config.redis_url {
            Some(url) => Ephemeral::redis(url.expose(), &config.redis_prefix, clock.clone()).await?,
            None => Ephemeral::sql(store.clone(), clock.clone()),
        };
        let hasher = PasswordHasher::new(config.argon2, config.hash_workers, config.hash_queue)?;
        let key = match &config.secret_key {
            Some(k) => k.expose().as_bytes().to_vec(),
            None => dev_secret_key(&config.data_dir)?,
        };
        // The loud warning for the dev key is given by `serve`, not by every admin command.
        let sealer = match &config.key_encryption_key {
            Some(kek) => Sealer::new(kek.expose()),
            None => Sealer::new(DEV_KEY_ENCRYPTION_KEY.trim()),
        };
        let ring = KeyRing::load(store.clone(), sealer.clone(), clock.clone()).await?;
        let issuer = issuer_str(&config.issuer);
        let oidc = Oidc {
            discovery: oidc::discovery::document(&issuer, config.dpop).to_string().into_bytes().into(),
            issuer,
            ring,
            // Used and revoked markers must outlive every token of a family, up to the absolute cap.
            grants: Grants::new(
                ephemeral.clone(),
                clock.clone(),
                config.tokens.refresh_token.max(config.tokens.refresh_token_absolute),
            ),
            http: oidc::backchannel::http_client(config.environment == Environment::Development)
                .map_err(|e| StartError::Io(format!("outgoing HTTP client: {e}")))?,
            internal_calls_ok: config.environment == Environment::Development,
            client_jwks: Default::default(),
            tokens: config.tokens,
            unified_login_timeout_secs: config.unified_login_timeout_secs,
            dpop: config.dpop.then(|| oidc::dpop_check::Nonces::new(Mac::new(&key), config.dpop_nonce_secs)),
            session_ttl_secs: config.session_ttl_secs,
            clock: clock.clone(),
        };
        let limits = SignInLimits {
            per_address: config.signin_limit_per_ip,
            per_account: config.signin_limit_per_account,
            pending_per_address: config.pending_authorizations_per_ip,
            window_secs: 60,
        };
        let outbox = match &config.smtp_url {
            Some(url) => Outbox::smtp(url.expose(), &config.mail_from).map_err(|e| StartError::Io(e.to_string()))?,
            None => Outbox::file(config.data_dir.join("outbox"), &config.mail_from),
        };
        let (events, subscription) = events::channel();
        let accounts = Accounts::new(accounts::Parts {
            store,
            ephemeral,
            hasher,
            clock,
            limits,
            outbox,
            events,
            session_ttl: config.session_ttl_secs,
            session_idle: config.session_idle_secs,
            mac: Mac::new(&key),
            sealer: sealer.clone(),
            internal_calls_ok: config.environment == Environment::Development,
            link_ttl: config.invitation_ttl_secs,
            relying_party: match crate::accounts::relying_party::RelyingParty::for_origin(&config.webauthn_origin) {
                Ok(party) => Some(party),
                Err(why) => {
                    tracing::warn!("{why}");
                    None
                }
            },
        });
        let site = Site::new(&config.issuer, Mac::new(&key), config.trusted_proxies.clone());
        accounts
            .admin(crate::accounts::admin::Actor::lanyard())
            .register_console(&issuer_str(&config.issuer), &console::client_secret(&Mac::new(&key)))
            .await
            .map_err(|e| StartError::Io(format!("registering the console: {e}")))?;
        Ok(AppState(Arc::new(Shared {
            config: Arc::new(config),
            accounts,
            site,
            oidc: Arc::new(oidc),
            logout_events: Arc::new(Mutex::new(Some(subscription))),
        })))
    }

    fn take_logout_events(&self) -> Option<Subscription> {
        self.logout_events.lock().ok().and_then(|mut s| s.take())
    }

    /// For short-lived CLI processes: tell applications of the sessions this process ended, and
    /// wait until the calls are made.
    pub async fn deliver_logouts(&self) {
        let Some(mut events) = self.take_logout_events() else { return };
        let ctx = Ctx { oidc: &self.oidc, accounts: &self.accounts };
        oidc::backchannel::deliver_queued(ctx, &mut events).await;
        if let Ok(mut slot) = self.logout_events.lock() {
            *slot = Some(events);
        }
    }
}

/// How long a process trusts its copy of a client registration.
const CLIENT_CACHE_SECS: i64 = 5;

/// Public, development only: see keys/README.md. Production refuses to start without its own.
const DEV_KEY_ENCRYPTION_KEY: &str = include_str!("../keys/dev/key-encryption-key");

/// Development only: a random key kept under the data directory so sessions survive restarts.
fn dev_secret_key(dir: &Path) -> Result<Vec<u8>, StartError> {
    let path = dir.join("secret_key");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    let key = random_token();
    write_private(&path, &key).map_err(|e| StartError::Io(format!("cannot write {}: {e}", path.display())))?;
    Ok(key.into_bytes())
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(text.as_bytes())
}

pub fn build_router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let body_time = Duration::from_secs(state.config.limits.body_read_timeout_secs);
    let https = state.config.secure_cookies();
    // The console calls the protocol and the administration API in process, through their routes.
    let api = oidc::routes(&state).merge(admin::routes()).with_state(state.clone());
    let console = Console::new(api, state.site.clone(), &state.oidc.issuer, &state.site.mac);
    let accounts = state.accounts.clone();
    let (metrics_token, metrics_listen) = (state.config.metrics_token.clone(), state.config.metrics_listen);
    let router = web::routes()
        .merge(oidc::routes(&state))
        .merge(admin::routes())
        .with_state(state)
        .merge(console::routes(console));
    // Requests are counted only where someone may read the counts.
    let router = if metrics_token.is_some() && telemetry::metrics::handle().is_some() {
        router.route_layer(middleware::from_fn(telemetry::metrics::track))
    } else {
        router
    };
    // On its own address when `metrics_listen` says so (`serve` starts that listener).
    let router = if metrics_listen.is_none() { router.merge(metrics_routes(metrics_token)) } else { router };
    let envelope = Envelope { accounts, body_time, https };
    router
        .layer(middleware::from_fn_with_state(envelope, envelope::envelope))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
        .layer(tower::util::MapRequestLayer::new(telemetry::drop_unsafe_request_id::<axum::body::Body>))
}

fn metrics_routes(token: Option<crate::secret::Secret>) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(move |headers: axum::http::HeaderMap| metrics(token.clone(), headers)))
}

/// Prometheus's scrape target, for a scraper holding `metrics_token` only (it names routes and
/// counts refusals: not for the public). Without a token configured there is nothing here.
async fn metrics(token: Option<crate::secret::Secret>, headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(token) = token else {
        return crate::http::page::not_found().await;
    };
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !presented.is_some_and(|p| crate::secret::constant_time_eq(p.as_bytes(), token.expose().as_bytes())) {
        let mut res = axum::http::StatusCode::UNAUTHORIZED.into_response();
        res.headers_mut().insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        return res;
    }
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        telemetry::metrics::render(),
    )
        .into_response()
}

/// Serves until `shutdown` resolves; expired ephemeral rows are swept in the background.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if state.config.environment == Environment::Development && state.config.secret_key.is_none() {
        tracing::warn!("no secret_key configured: using a generated development key under the data directory");
    }
    if state.config.key_encryption_key.is_none() {
        tracing::warn!(
            "NO key_encryption_key CONFIGURED: signing keys are sealed with the PUBLIC development key in keys/dev/. \
             Never do this in production."
        );
    }
    let sweeper = tokio::spawn(sweep_forever(state.clone()));
    let keys = tokio::spawn(reload_keys_forever(state.clone()));
    // The one subscriber to "sessions ended": back-channel logout (L6).
    let notifier = state
        .take_logout_events()
        .map(|events| tokio::spawn(oidc::backchannel::run(state.oidc.clone(), state.accounts.clone(), events)));
    let limits = state.config.limits;
    let scrape = match state.config.metrics_listen {
        Some(addr) => {
            let bound = TcpListener::bind(addr).await?;
            tracing::info!(address = %addr, "metrics are served on their own address");
            let routes = metrics_routes(state.config.metrics_token.clone())
                .layer(middleware::from_fn(headers::security_headers));
            Some(tokio::spawn(async move {
                if let Err(e) = axum::serve(bound, routes).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            }))
        }
        None => None,
    };
    let result = server::serve(listener, build_router(state), limits, shutdown).await;
    if let Some(s) = scrape {
        s.abort();
    }
    sweeper.abort();
    keys.abort();
    if let Some(n) = notifier {
        n.abort();
    }
    result
}

/// Once a minute: drop expired ephemeral rows.
async fn sweep_forever(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Err(e) = state.accounts.operations().sweep_expired().await {
            tracing::warn!(error = %e, "sweeping expired ephemeral state failed");
        }
    }
}

/// Rotates the signing keys when they are due (`key_rotation_days`, one node winning) and picks
/// up keys another node or the CLI rotated (`key_reload_secs`).
async fn reload_keys_forever(state: AppState) {
    let every = Duration::from_secs(state.config.tokens.key_reload.unsigned_abs());
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let t = state.config.tokens;
        if let Err(e) = state.oidc.ring.rotate_due(t.key_rotation, t.key_rotation_grace, t.longest_signed()).await {
            tracing::warn!(error = %e, "rotating signing keys on schedule failed");
        }
        if let Err(e) = state.oidc.ring.reload().await {
            tracing::warn!(error = %e, "reloading signing keys failed");
        }
    }
}
