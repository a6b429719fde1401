//! Dependency faults (issue 16), PostgreSQL + Redis: each dependency reached through a TCP relay
//! the test can cut, as a restart or a network partition would. While one is down Lanyard
//! answers 503 with Retry-After (never a hang, never a 500), `/readyz` answers and names it, and
//! once it is back Lanyard recovers by itself. The client's timeout is the hang detector: no
//! assertion here is about how fast anything is.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lanyard::domain::application::ClientMetadata;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::support::{Backend, PASSWORD, Scratch, TestApp, sign_in};

/// A TCP relay to `target` that can be cut (every open connection closed, new ones refused)
/// and restored.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Relay {
    async fn start(target: &str) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (up, links) = (Arc::new(AtomicBool::new(true)), Arc::new(Mutex::new(Vec::new())));
        let (flag, open, target) = (up.clone(), links.clone(), target.to_string());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused as soon as it is made
                }
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                open.lock().await.push(link);
            }
        });
        Relay { port, up, links, accept }
    }

    async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// A hang fails the test; nothing is asserted about speed.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(8))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn ready(app: &TestApp) -> (StatusCode, Value) {
    let res = client().get(app.url("/readyz")).send().await.expect("/readyz answers while a dependency is down");
    (res.status(), res.json().await.unwrap())
}

async fn token(app: &TestApp, secret: &str) -> reqwest::Response {
    client()
        .post(app.url("/token"))
        .basic_auth("machine", Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("/token answers while a dependency is down")
}

async fn machine(app: &TestApp) -> String {
    let meta: ClientMetadata = serde_json::from_value(json!({
        "redirect_uris": ["https://machine.example/cb"],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["client_credentials"],
    }))
    .unwrap();
    let (_, secret) = app.state.accounts.create_client(Some("machine"), "Machine", &meta, &[]).await.unwrap();
    secret.unwrap().expose().to_string()
}

/// Polls until `ok` (a dependency that came back is used again without a restart).
async fn recovers<F, Fut>(what: &str, mut ok: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..40 {
        if ok().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{what} did not recover within 10 s of the dependency's return");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_is_503_and_named_then_recovers() {
    let Some(backend) = Backend::postgres_redis("redis_down_is_503_and_named_then_recovers") else { return };
    let Backend::PostgresRedis { redis_url, .. } = &backend else { unreachable!() };
    let relay = Relay::start(redis_url.trim_start_matches("redis://").trim_end_matches('/')).await;
    let scratch = Scratch::new(&backend).await;
    let app = TestApp::spawn_on(scratch, &[("LANYARD_REDIS_URL", format!("redis://127.0.0.1:{}", relay.port))]).await;
    let secret = machine(&app).await;
    let before = token(&app, &secret).await;
    assert_eq!(before.status(), StatusCode::OK);
    let before: Value = before.json().await.unwrap();

    relay.cut().await;
    let (code, body) = ready(&app).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!((body["database"].as_str(), body["ephemeral"].as_str()), (Some("ok"), Some("unavailable")), "{body}");
    let res = token(&app, &secret).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "503, not 500");
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");

    relay.restore();
    recovers("/token", || async { token(&app, &secret).await.status() == StatusCode::OK }).await;
    recovers("/readyz", || async { ready(&app).await.0 == StatusCode::OK }).await;
    // What was committed before the outage is still there.
    let introspected: Value = client()
        .post(app.url("/introspect"))
        .basic_auth("machine", Some(&secret))
        .form(&[("token", before["access_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(introspected["active"], true, "{introspected}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_is_503_and_named_then_recovers() {
    let Some(backend) = Backend::postgres_redis("postgres_down_is_503_and_named_then_recovers") else { return };
    let scratch = Scratch::new(&backend).await;
    let url = scratch.env.get("LANYARD_DATABASE_URL").unwrap().clone();
    let parsed = url::Url::parse(&url).unwrap();
    let target = format!("{}:{}", parsed.host_str().unwrap(), parsed.port().unwrap_or(5432));
    let relay = Relay::start(&target).await;
    let mut through = parsed.clone();
    through.set_host(Some("127.0.0.1")).unwrap();
    through.set_port(Some(relay.port)).unwrap();
    let app = TestApp::spawn_on(scratch, &[("LANYARD_DATABASE_URL", through.to_string())]).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = client();
    assert_eq!(browser.get(app.url("/login")).send().await.unwrap().status(), StatusCode::OK);

    relay.cut().await;
    let (code, body) = ready(&app).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!((body["database"].as_str(), body["ephemeral"].as_str()), (Some("unavailable"), Some("ok")), "{body}");
    // A sign-in needs the user's row: a clear 503 page, not a 500 and not a hang.
    let res = sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("try again in a few seconds"));

    relay.restore();
    recovers("/readyz", || async { ready(&app).await.0 == StatusCode::OK }).await;
    recovers("sign-in", || async {
        sign_in(&app, &client(), "alice", PASSWORD, "ACME").await.status() == StatusCode::SEE_OTHER
    })
    .await;
    app.stop().await;
}
