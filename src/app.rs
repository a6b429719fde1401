//! The application: state shared by every request, the router, and the server loop.

use std::net::SocketAddr;
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderName;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::accounts::Accounts;
use crate::accounts::password::PasswordHasher;
use crate::clock::Clock;
use crate::config::{Config, Environment};
use crate::secret::{Mac, random_token};
use crate::store::{Ephemeral, Store};
use crate::telemetry::RandomRequestId;
use crate::web;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub accounts: Accounts,
    /// Keyed with the deployment's secret key: CSRF tokens.
    pub mac: Mac,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("password hashing: {0}")]
    Hash(#[from] crate::accounts::password::HashError),
    #[error("{0}")]
    Io(String),
}

impl AppState {
    /// Connects to the stores, applies migrations, and prepares everything a request needs.
    pub async fn build(config: Config, clock: Clock) -> Result<Self, StartError> {
        if config.database_url.expose().starts_with("sqlite:") || config.secret_key.is_none() {
            std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                StartError::Io(format!(
                    "cannot create data directory {}: {e}",
                    config.data_dir.display()
                ))
            })?;
        }
        let store = Store::connect(
            config.database_url.expose(),
            config.database_max_connections,
        )
        .await?;
        store.migrate().await?;
        let ephemeral = match &config.redis_url {
            Some(url) => {
                Ephemeral::redis(url.expose(), &config.redis_prefix, clock.clone()).await?
            }
            None => Ephemeral::sql(store.clone(), clock.clone()),
        };
        let hasher = PasswordHasher::new(config.argon2, config.hash_workers)?;
        let key = match &config.secret_key {
            Some(k) => k.expose().as_bytes().to_vec(),
            None => dev_secret_key(&config.data_dir)?,
        };
        let accounts = Accounts {
            store,
            ephemeral,
            hasher,
            clock,
        };
        Ok(AppState(Arc::new(Inner {
            mac: Mac::new(&key),
            config,
            accounts,
        })))
    }
}

/// Development only: a random key kept under the data directory so sessions survive restarts.
fn dev_secret_key(dir: &Path) -> Result<Vec<u8>, StartError> {
    let path = dir.join("secret_key");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    let key = random_token();
    write_private(&path, &key)
        .map_err(|e| StartError::Io(format!("cannot write {}: {e}", path.display())))?;
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
    let router = web::routes().with_state(state);
    web::with_security_headers(router)
        .layer(RequestBodyLimitLayer::new(64 * 1024))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
}

/// Serves until `shutdown` resolves; expired ephemeral rows are swept in the background.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if state.config.environment == Environment::Development && state.config.secret_key.is_none() {
        tracing::warn!(
            "no secret_key configured: using a generated development key under the data directory"
        );
    }
    let sweeper = tokio::spawn(sweep_forever(state.accounts.ephemeral.clone()));
    let app = build_router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    result
}

async fn sweep_forever(ephemeral: Ephemeral) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = ephemeral.sweep().await {
            tracing::warn!(error = %e, "sweeping expired ephemeral state failed");
        }
    }
}
