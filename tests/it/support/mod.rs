//! `TestApp`: a real server on port 0 with a fresh database (and Redis key prefix) per test.

mod api;
mod as_lanyard;
mod mail;

pub use api::{API, call, token_for};
pub use as_lanyard::AsLanyard;
pub use mail::{flow_of, spawn_with_mail, token_of};

use std::collections::HashMap;
use std::net::SocketAddr;

use lanyard::app::{self, AppState};
use lanyard::clock::{Clock, ManualClock};
use lanyard::config;
use lanyard::domain::user::UserType;
use lanyard::secret::{Secret, hex, random_bytes};
use lanyard::store::Store;
use tokio::net::TcpListener;

pub const T0: i64 = 1_800_000_000;
pub const PASSWORD: &str = "Correct-Horse9";

/// Which durable + ephemeral stores a test runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    PostgresRedis { database_url: String, redis_url: String },
}

impl Backend {
    /// PostgreSQL + Redis when DATABASE_URL and REDIS_URL are set. CI sets them and must not skip;
    /// on a laptop without them the test says loudly that it skipped.
    pub fn postgres_redis(test: &str) -> Option<Backend> {
        match (std::env::var("DATABASE_URL"), std::env::var("REDIS_URL")) {
            (Ok(database_url), Ok(redis_url)) => Some(Backend::PostgresRedis { database_url, redis_url }),
            _ if std::env::var("CI").is_ok() => {
                panic!("CI must run {test} on PostgreSQL + Redis: set DATABASE_URL and REDIS_URL")
            }
            _ => {
                eprintln!("SKIPPED {test} on PostgreSQL + Redis: DATABASE_URL / REDIS_URL are not set");
                None
            }
        }
    }
}

/// Runs an async test body once per backend: `backend_tests!(name, body_fn)`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident => $body:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::support::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_redis() {
                if let Some(b) = $crate::support::Backend::postgres_redis(stringify!($name)) {
                    super::$body(b).await;
                }
            }
        }
    )*};
}

/// A scratch database (and Redis prefix) that `cleanup` removes.
pub struct Scratch {
    pub _dir: Option<tempfile::TempDir>,
    pub env: HashMap<String, String>,
    drop_db: Option<(String, String)>,
    redis: Option<(String, String)>,
}

impl Scratch {
    pub async fn new(backend: &Backend) -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        let mut env = HashMap::new();
        env.insert("LANYARD_DATA_DIR".into(), dir.path().display().to_string());
        // Cheap hashes keep the suite fast; the argon2 cost itself is measured in benches.
        env.insert("LANYARD_ARGON2_MEMORY_KIB".into(), "256".into());
        env.insert("LANYARD_ARGON2_ITERATIONS".into(), "1".into());
        env.insert("LANYARD_SECRET_KEY".into(), "test-secret-key-that-is-long-enough-000".into());
        // Tests hammer the sign-in page from one address; the throttle has its own test.
        env.insert("LANYARD_SIGNIN_LIMIT_PER_IP".into(), "100000".into());
        env.insert("LANYARD_SIGNIN_LIMIT_PER_ACCOUNT".into(), "100000".into());
        let mut scratch = Scratch { _dir: Some(dir), env, drop_db: None, redis: None };
        if let Backend::PostgresRedis { database_url, redis_url } = backend {
            let name = format!("lanyard_test_{}", hex(&random_bytes::<6>()));
            let admin = Store::connect(database_url, 1).await.unwrap();
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            admin.close().await.unwrap();
            let (base, _) = database_url.rsplit_once('/').unwrap();
            scratch.env.insert("LANYARD_DATABASE_URL".into(), format!("{base}/{name}"));
            let prefix = format!("lanyard-test:{}:", hex(&random_bytes::<6>()));
            scratch.env.insert("LANYARD_REDIS_URL".into(), redis_url.clone());
            scratch.env.insert("LANYARD_REDIS_PREFIX".into(), prefix.clone());
            scratch.drop_db = Some((database_url.clone(), name));
            scratch.redis = Some((redis_url.clone(), prefix));
        }
        scratch
    }

    /// The same database and prefix for a second server; the original keeps the cleanup duty.
    pub fn share(&self) -> Scratch {
        Scratch { _dir: None, env: self.env.clone(), drop_db: None, redis: None }
    }

    pub fn config(&self, extra: &[(&str, String)]) -> config::Config {
        let mut env = self.env.clone();
        for (k, v) in extra {
            env.insert(k.to_string(), v.clone());
        }
        config::load(None, false, &|name| env.get(name).cloned()).unwrap()
    }

    pub async fn cleanup(self) {
        if let Some((url, name)) = &self.drop_db {
            let admin = Store::connect(url, 1).await.unwrap();
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
            admin.close().await.unwrap();
        }
        if let Some((url, prefix)) = &self.redis {
            let client = redis::Client::open(url.as_str()).unwrap();
            let mut conn = client.get_multiplexed_async_connection().await.unwrap();
            let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut conn).await.unwrap();
            if !keys.is_empty() {
                let _: i64 = redis::cmd("DEL").arg(keys).query_async(&mut conn).await.unwrap();
            }
        }
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub clock: ManualClock,
    pub scratch: Scratch,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        let scratch = Scratch::new(&backend).await;
        Self::spawn_on(scratch, &[]).await
    }

    /// A server on an existing scratch database: two of these share one PostgreSQL + Redis.
    pub async fn spawn_on(scratch: Scratch, extra: &[(&str, String)]) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut extra = extra.to_vec();
        if !extra.iter().any(|(k, _)| *k == "LANYARD_ISSUER") {
            extra.push(("LANYARD_ISSUER", format!("http://localhost:{}", addr.port())));
        }
        let config = scratch.config(&extra);
        let (clock, hand) = Clock::manual(T0);
        let state = AppState::build(config, clock).await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        let server = tokio::spawn(async move {
            app::serve(listener, served, async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp { addr, state, clock: hand, scratch, shutdown: Some(tx), server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests assert them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    pub async fn tenant(&self, code: &str) {
        self.state
            .accounts
            .admin(crate::support::operator())
            .create_tenant(code, &format!("{code} Agency"))
            .await
            .unwrap();
    }

    /// A provider admin who has already chosen their password (no forced change).
    pub async fn provider_admin(&self, code: &str, login: &str) {
        self.state
            .accounts
            .admin(crate::support::operator())
            .create_user(code, login, UserType::ProviderAdmin, &Secret::new(PASSWORD), false)
            .await
            .unwrap();
    }

    /// A user who has already chosen their password (no forced change).
    pub async fn user(&self, code: &str, login: &str) {
        self.state
            .accounts
            .admin(crate::support::operator())
            .create_user(code, login, UserType::Regular, &Secret::new(PASSWORD), false)
            .await
            .unwrap();
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.server.await;
        self.state.accounts.operations().close().await.ok();
        self.scratch.cleanup().await;
    }
}

/// The hidden CSRF field of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("page has a csrf field") + 19;
    html[start..].split('"').next().unwrap().to_string()
}

/// Loads the sign-in page and posts the form as a person would.
pub async fn sign_in(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    password: &str,
    code: &str,
) -> reqwest::Response {
    let page = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    client
        .post(app.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("login_name", login), ("password", password), ("provider_code", code)])
        .send()
        .await
        .unwrap()
}

/// L2: a sign-in answer with what may differ between two attempts (the CSRF token, the echoed
/// login name and provider code) made the same, so the rest can be compared whole.
pub fn l2_normalised(html: &str, login: &str, code: &str) -> String {
    html.replace(&csrf_of(html), "CSRF")
        .replace(&format!("value=\"{login}\""), "value=\"L\"")
        .replace(&format!("value=\"{code}\""), "value=\"C\"")
}

/// The text of the page's alert, if any.
pub fn alert_of(html: &str) -> Option<String> {
    let start = html.find("id=\"form-error\">")? + 16;
    Some(html[start..].split('<').next()?.trim().to_string())
}

/// The operator at a shell: who the tests' own administrative calls are made by.
pub fn operator() -> lanyard::accounts::admin::Actor {
    lanyard::accounts::admin::Actor::operator()
}

/// Every user of `tenant`, read a page at a time as any caller must (issue 31).
pub async fn all_users(
    accounts: &lanyard::accounts::Accounts,
    tenant: &lanyard::domain::tenant::Tenant,
) -> Vec<lanyard::domain::user::User> {
    use lanyard::domain::listing::{MAX_LIMIT, Position};
    let (mut all, mut from) = (Vec::new(), Position::First);
    loop {
        let search = lanyard::domain::user_search::UserSearch::default();
        let page = accounts.lanyard().users_page(tenant, &search, &from, MAX_LIMIT).await.unwrap();
        all.extend(page.entries);
        match page.next_cursor.as_deref().and_then(Position::from_cursor) {
            Some(next) => from = next,
            None => return all,
        }
    }
}
