//! Dependency faults (issue 16), PostgreSQL + Redis: each dependency reached through a TCP relay
//! the test can cut, as a restart or a network partition would. While one is down Lanyard
//! answers 503 with Retry-After (never a hang, never a 500), `/readyz` answers and names it, and
//! once it is back Lanyard recovers by itself. The client's timeout is the hang detector: no
//! assertion here is about how fast anything is.

use std::time::Duration;

use crate::nodes::Relay;
use crate::support::{Backend, PASSWORD, Scratch, TestApp, sign_in};
use lanyard::domain::application::ClientMetadata;
use reqwest::StatusCode;
use serde_json::{Value, json};

const LOCKED: &str = "Your account has been locked. Please contact your agency administrator.";

/// A hang fails the test; nothing is asserted about speed.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(8))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn ready(app: &TestApp) -> (StatusCode, Value) {
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

pub async fn machine(app: &TestApp) -> String {
    let meta: ClientMetadata = serde_json::from_value(json!({
        "redirect_uris": ["https://machine.example/cb"],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["client_credentials"],
    }))
    .unwrap();
    let (_, secret) = app
        .state
        .accounts
        .admin(crate::support::operator())
        .create_client(Some("machine"), "Machine", &meta, &[])
        .await
        .unwrap();
    secret.unwrap().expose().to_string()
}

/// Polls until `ok` (a dependency that came back is used again without a restart).
pub async fn recovers<F, Fut>(what: &str, mut ok: F)
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
    let web = crate::oidc::rp::register(&app, "web", crate::oidc::rp::metadata(false), &[]).await;

    relay.cut().await;
    let (code, body) = ready(&app).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!((body["database"].as_str(), body["ephemeral"].as_str()), (Some("ok"), Some("unavailable")), "{body}");
    let res = token(&app, &secret).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "503, not 500");
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    // The authorization endpoint tells the client the same, by redirect (RFC 6749 §4.1.2.1).
    let res = client().get(web.request(&[]).url.as_str()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.contains("error=temporarily_unavailable"), "{location}");

    relay.restore();
    recovers("/token", || async { token(&app, &secret).await.status() == StatusCode::OK }).await;
    recovers("/readyz", || async { ready(&app).await.0 == StatusCode::OK }).await;
    // What was committed before the outage is still there.
    assert!(crate::load::active(&app, &secret, before["access_token"].as_str().unwrap()).await);
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

/// The sign-in page's alert for one attempt ("signed in" when it worked).
async fn outcome(app: &TestApp, login: &str, password: &str) -> String {
    let res = sign_in(app, &client(), login, password, "ACME").await;
    if res.status() == StatusCode::SEE_OTHER {
        return "signed in".into();
    }
    crate::support::alert_of(&res.text().await.unwrap()).unwrap_or_default()
}

/// Everything Redis held is gone, as after a restart without persistence.
async fn forget_redis(app: &TestApp) {
    let (url, prefix) = (&app.scratch.env["LANYARD_REDIS_URL"], &app.scratch.env["LANYARD_REDIS_PREFIX"]);
    let mut conn = redis::Client::open(url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut conn).await.unwrap();
    assert!(!keys.is_empty(), "Redis held the ephemeral state");
    let _: i64 = redis::cmd("DEL").arg(keys).query_async(&mut conn).await.unwrap();
}

/// A Redis restart without persistence may sign people out, but never brings back what was
/// revoked or used: a revoked JWT access token, a used code, a rotated refresh token, a used
/// hand-off, a lifted lock or a count cleared by a right password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_forgetting_everything_revives_nothing() {
    use crate::oidc::rp::{self, at, code_for_alice, param};
    use crate::unified;
    let Some(backend) = Backend::postgres_redis("redis_forgetting_everything_revives_nothing") else { return };
    let app = TestApp::spawn(backend).await;
    let w = unified::world(&app, true).await;
    let hint = unified::start(&w, &unified::handoff(&app, &w, "care-connect").await.unwrap()).await;
    let (params, _) = unified::b_authorizes(&w, &w.b, &hint).await;
    assert!(param(&params, "code").is_some(), "the hand-off is used once");

    let mut meta = rp::metadata(false);
    meta.access_token_format = lanyard::domain::application::AccessTokenFormat::Jwt;
    let api = rp::register(&app, "api-client", meta, &["ACME"]).await;
    let (code, req) = code_for_alice(&app, &api, &w.browser).await;
    let redeem = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", rp::REDIRECT),
        ("code_verifier", req.verifier.secret()),
    ];
    let first: Value = api.post(&at(&app, "/token"), &redeem).await.json().await.unwrap();
    let (revoked, rotated) = (first["access_token"].as_str().unwrap(), first["refresh_token"].as_str().unwrap());
    assert_eq!(revoked.split('.').count(), 3, "a JWT access token");
    assert_eq!(api.post(&at(&app, "/revoke"), &[("token", revoked)]).await.status(), StatusCode::OK);
    let second: Value = api
        .post(&at(&app, "/token"), &[("grant_type", "refresh_token"), ("refresh_token", rotated)])
        .await
        .json()
        .await
        .unwrap();
    let live = second["access_token"].as_str().unwrap();

    app.user("ACME", "bob").await;
    app.user("ACME", "carol").await;
    for wrong in ["Wrong-1!aa", "Wrong-2!aa"] {
        outcome(&app, "bob", wrong).await;
    }
    assert_eq!(outcome(&app, "bob", PASSWORD).await, "signed in", "a right password clears bob's count");
    for wrong in ["Wrong-1!aa", "Wrong-2!aa", "Wrong-3!aa"] {
        outcome(&app, "carol", wrong).await;
    }
    app.state
        .accounts
        .admin(crate::support::operator())
        .change_status("ACME", "carol", lanyard::accounts::admin::StatusChange::Unlock)
        .await
        .unwrap();

    forget_redis(&app).await;

    let introspect = |token: String| {
        let api = &api;
        let url = at(&app, "/introspect");
        async move { api.post(&url, &[("token", token.as_str())]).await.json::<Value>().await.unwrap() }
    };
    assert_eq!(introspect(revoked.into()).await["active"], false, "the revoked token stays revoked");
    let res = client().get(app.url("/userinfo")).bearer_auth(revoked).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let replay: Value = api.post(&at(&app, "/token"), &redeem).await.json().await.unwrap();
    assert_eq!(replay["error"], "invalid_grant", "the used code stays used");
    let replay: Value = api
        .post(&at(&app, "/token"), &[("grant_type", "refresh_token"), ("refresh_token", rotated)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replay["error"], "invalid_grant", "the rotated refresh token stays used");
    let (params, _) = unified::b_authorizes(&w, &w.b, &hint).await;
    assert!(param(&params, "code").is_none(), "the used hand-off stays used: {params:?}");
    // Counts and locks are in the database: nothing cleared or lifted comes back.
    for wrong in ["Wrong-1!aa", "Wrong-2!aa"] {
        assert_ne!(outcome(&app, "bob", wrong).await, LOCKED);
    }
    assert_eq!(outcome(&app, "carol", PASSWORD).await, "signed in", "carol's lifted lock stays lifted");
    // What it loses: sessions and live tokens (people sign in again), as the operations guide says.
    assert_eq!(introspect(live.into()).await["active"], false, "a live access token is forgotten");
    let res = w.browser.get(w.a.request(&[]).url.as_str()).send().await.unwrap();
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.contains("/login"), "the session is forgotten: {location}");
    app.stop().await;
}

/// PostgreSQL, then Redis, cut under load and restored: every request is answered (success or
/// 503, never a 500 or a hang), the node recovers each time, and every write it acknowledged is
/// there afterwards (counted before and after).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outages_under_load_lose_no_acknowledged_write() {
    use crate::load::{Load, active, users_all_there};
    let Some(backend) = Backend::postgres_redis("outages_under_load_lose_no_acknowledged_write") else { return };
    let Backend::PostgresRedis { redis_url, .. } = &backend else { unreachable!() };
    let scratch = Scratch::new(&backend).await;
    let parsed = url::Url::parse(&scratch.env["LANYARD_DATABASE_URL"]).unwrap();
    let pg = Relay::start(&format!("{}:{}", parsed.host_str().unwrap(), parsed.port().unwrap_or(5432))).await;
    let redis = Relay::start(redis_url.trim_start_matches("redis://").trim_end_matches('/')).await;
    let mut through = parsed.clone();
    through.set_host(Some("127.0.0.1")).unwrap();
    through.set_port(Some(pg.port)).unwrap();
    let app = TestApp::spawn_on(
        scratch,
        &[
            ("LANYARD_DATABASE_URL", through.to_string()),
            ("LANYARD_REDIS_URL", format!("redis://127.0.0.1:{}", redis.port)),
        ],
    )
    .await;
    app.tenant("ACME").await;
    let secret = machine(&app).await;
    let load = Load::start(&app, &secret).await;
    for relay in [&pg, &redis] {
        tokio::time::sleep(Duration::from_millis(700)).await;
        relay.cut().await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        relay.restore();
        recovers("/readyz", || async { ready(&app).await.0 == StatusCode::OK }).await;
        load.writes_resume().await;
    }
    let ledger = load.stop().await;
    assert!(ledger.unexpected.is_empty(), "only successes and 503s: {:?}", ledger.unexpected);
    assert_eq!(ledger.reauthenticated, 0, "an outage forgets no token");
    users_all_there(&app, &ledger).await;
    for token in &ledger.tokens {
        assert!(active(&app, &secret, token).await, "an acknowledged token was lost");
    }
    eprintln!(
        "outages: {} users and {} tokens acknowledged, all there afterwards",
        ledger.users.len(),
        ledger.tokens.len()
    );
    app.stop().await;
}
