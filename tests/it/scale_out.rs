//! Scale-out (issue 16), PostgreSQL + Redis: three `lanyard serve` processes behind a
//! round-robin proxy, as operators run them. Every step of a flow may land on a different node;
//! limits are enforced in the shared stores, not in one process's memory.

use std::time::Duration;

use lanyard::app::AppState;
use lanyard::domain::application::AdminGrant;
use lanyard::domain::tenant::TenantChanges;
use lanyard::domain::user::UserType;
use lanyard::secret::Secret;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::nodes::{
    Node, REDIRECT, Relay, authorize_at, confidential_client, fresh_connections, jwt_part, param, prepare, sign_in_at,
    token_at,
};
use crate::support::{Backend, PASSWORD, Scratch, alert_of};

const INITIATE: &str = "http://localhost:4002/initiate";
const LOCKED: &str = "Your account has been locked. Please contact your agency administrator.";
/// Nodes read the signing keys every second here (60 s by default), and a rotated key signs 6 s
/// after it is published.
const NODE_ENV: &[(&str, &str)] = &[("LANYARD_KEY_RELOAD_SECS", "1"), ("LANYARD_KEY_ROTATION_GRACE_SECS", "6")];

struct Cluster {
    scratch: Scratch,
    state: AppState,
    nodes: Vec<Node>,
    proxy: Relay,
    issuer: String,
    /// Client secrets by client id.
    secrets: Vec<(String, String)>,
}

impl Cluster {
    async fn start(test: &str) -> Option<Cluster> {
        let backend = Backend::postgres_redis(test)?;
        let scratch = Scratch::new(&backend).await;
        let proxy = Relay::round_robin(vec![]).await;
        let issuer = format!("http://localhost:{}", proxy.port);
        let state = prepare(&scratch, &issuer).await;
        let accounts = &state.accounts;
        accounts.admin(crate::support::operator()).create_tenant("ACME", "ACME Agency").await.unwrap();
        let unified = TenantChanges { unified_login_enabled: Some(true), ..Default::default() };
        accounts.admin(crate::support::operator()).update_tenant("ACME", &unified).await.unwrap();
        for login in ["alice", "bob"] {
            accounts
                .admin(crate::support::operator())
                .create_user("ACME", login, UserType::Regular, &Secret::new(PASSWORD), false)
                .await
                .unwrap();
        }
        let mut secrets = Vec::new();
        for (id, initiate, role) in [
            ("app", None, None),
            ("care-records", None, None),
            ("care-connect", Some(INITIATE), None),
            ("ops", None, Some(AdminGrant::PlatformOperator)),
        ] {
            secrets.push((id.to_string(), confidential_client(&state, id, initiate, role).await));
        }
        let mut nodes = Vec::new();
        for _ in 0..3 {
            nodes.push(Node::start(&scratch, &issuer, NODE_ENV).await);
        }
        proxy.route_to(nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect());
        Some(Cluster { scratch, state, nodes, proxy, issuer, secrets })
    }

    fn secret(&self, client: &str) -> &str {
        &self.secrets.iter().find(|(id, _)| id == client).unwrap().1
    }

    async fn token(&self, node: &Node, client: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        token_at(node, client, self.secret(client), form).await
    }

    async fn stop(self) {
        drop(self.nodes);
        drop(self.proxy);
        self.state.accounts.operations().close().await.ok();
        self.scratch.cleanup().await;
    }
}

/// The alert a fresh browser sees after one sign-in attempt on `node`.
async fn alert_at(node: &Node, login: &str, password: &str) -> Option<String> {
    let res = sign_in_at(node, &fresh_connections(), login, password).await;
    alert_of(&res.text().await.unwrap())
}

/// Polls every node until `ok` holds on each (what another node changed is seen within its
/// cache's few seconds).
async fn on_every_node<F, Fut>(c: &Cluster, what: &str, ok: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for node in &c.nodes {
        let mut seen = false;
        for _ in 0..60 {
            if ok(node.url("")).await {
                seen = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert!(seen, "node on port {} never saw {what}", node.port);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_lockout_refresh_race_and_maintenance_across_three_nodes() {
    let Some(c) = Cluster::start("code_lockout_refresh_race_and_maintenance_across_three_nodes").await else {
        return;
    };
    let [n1, n2, n3] = [&c.nodes[0], &c.nodes[1], &c.nodes[2]];

    // Sign in on node 1, authorize on node 2, redeem the code on node 3.
    let browser = fresh_connections();
    assert_eq!(sign_in_at(n1, &browser, "alice", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (params, verifier) = authorize_at(n2, &browser, "app", &[]).await;
    assert_eq!(param(&params, "state"), "st");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", param(&params, "code")),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &verifier),
    ];
    let (status, tokens) = c.token(n3, "app", &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(jwt_part(tokens["id_token"].as_str().unwrap(), 1)["iss"], c.issuer.as_str());

    // 50 parallel redemptions of one refresh token, spread over the nodes by the proxy.
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let through_proxy = format!("{}/token", c.issuer);
    let racers = (0..50).map(|_| {
        let (url, refresh, secret) = (through_proxy.clone(), refresh.clone(), c.secret("app").to_string());
        tokio::spawn(async move {
            let res = fresh_connections()
                .post(url)
                .basic_auth("app", Some(secret))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())])
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        })
    });
    let results = futures_util::future::join_all(racers).await;
    let winners = results.iter().filter(|r| r.as_ref().unwrap().0 == StatusCode::OK).count();
    assert_eq!(winners, 1, "exactly one redemption wins: {results:?}");
    for (status, body) in results.into_iter().map(Result::unwrap) {
        assert!(status == StatusCode::OK || body["error"] == "invalid_grant", "{status} {body}");
    }

    // The code was consumed on node 3: node 1 does not take it again (and the replay revokes
    // what it issued, RFC 6749 §4.1.2).
    assert_eq!(c.token(n1, "app", &form).await.1["error"], "invalid_grant");

    // L3 counted across nodes: one wrong password on each, then the account is locked everywhere.
    assert_ne!(alert_at(n1, "bob", "Wrong-1!aa").await.as_deref(), Some(LOCKED));
    assert_ne!(alert_at(n2, "bob", "Wrong-2!aa").await.as_deref(), Some(LOCKED));
    assert_eq!(alert_at(n3, "bob", "Wrong-3!aa").await.as_deref(), Some(LOCKED));
    assert_eq!(alert_at(n1, "bob", PASSWORD).await.as_deref(), Some(LOCKED), "the right password is refused too");

    // M1: maintenance switched through node 1's API is served by every node, and ended by node 3.
    let (_, ops) = c.token(n1, "ops", &[("grant_type", "client_credentials"), ("scope", "admin")]).await;
    let ops = ops["access_token"].as_str().unwrap().to_string();
    let until = lanyard::clock::Clock::system().now() + 3600;
    let res = reqwest::Client::new()
        .put(n1.url("/admin/api/v1/maintenance"))
        .bearer_auth(&ops)
        .json(&json!({ "message": "Database upgrade", "until": until }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    on_every_node(&c, "the maintenance window", |base| async move {
        let res = reqwest::get(format!("{base}/login")).await.unwrap();
        res.status() == StatusCode::SERVICE_UNAVAILABLE && res.headers().contains_key("retry-after")
    })
    .await;
    for node in &c.nodes {
        let ready: Value = reqwest::get(node.url("/readyz")).await.unwrap().json().await.unwrap();
        assert_eq!(ready["status"], "maintenance", "{ready}");
    }
    let res =
        reqwest::Client::new().delete(n3.url("/admin/api/v1/maintenance")).bearer_auth(&ops).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    on_every_node(&c, "the end of the window", |base| async move {
        reqwest::get(format!("{base}/login")).await.unwrap().status() == StatusCode::OK
    })
    .await;
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handoff_and_key_rotation_across_three_nodes() {
    let Some(c) = Cluster::start("handoff_and_key_rotation_across_three_nodes").await else { return };
    let [n1, n2, n3] = [&c.nodes[0], &c.nodes[1], &c.nodes[2]];

    // U2: Care Records signs alice in (node 1 → node 2 → node 3).
    let browser = fresh_connections();
    assert_eq!(sign_in_at(n1, &browser, "alice", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (params, verifier) = authorize_at(n2, &browser, "care-records", &[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", param(&params, "code")),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &verifier),
    ];
    let (status, a) = c.token(n3, "care-records", &form).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    let a_id_token = a["id_token"].as_str().unwrap();

    // The hand-off is made on node 1, opened on node 2, B authorizes on node 3, redeems on node 1.
    let res = fresh_connections()
        .post(n1.url("/unified-login/handoff"))
        .basic_auth("care-records", Some(c.secret("care-records")))
        .form(&[("target_client_id", "care-connect"), ("id_token_hint", a_id_token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let start_uri = res.json::<Value>().await.unwrap()["start_uri"].as_str().unwrap().to_string();
    assert!(start_uri.starts_with(&c.issuer), "{start_uri}");
    let on = |node: &Node| start_uri.replacen(&c.issuer, &node.url(""), 1);
    let res = browser.get(on(n2)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(INITIATE), "{location}");
    let hint = location.query_pairs().find(|(k, _)| k == "login_hint").unwrap().1.into_owned();
    let (params, verifier) = authorize_at(n3, &browser, "care-connect", &[("login_hint", &hint)]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", param(&params, "code")),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &verifier),
    ];
    let (status, b) = c.token(n1, "care-connect", &form).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(jwt_part(b["id_token"].as_str().unwrap(), 1)["sub"], jwt_part(a_id_token, 1)["sub"]);
    // Used once, on node 2: node 3 does not open it again.
    let again = browser.get(on(n3)).send().await.unwrap();
    let again_location = again.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    assert!(!again_location.is_some_and(|l| l.starts_with(INITIATE)), "a used hand-off opened again");

    // A key rotated with the CLI: published by every node, then signing on every node after
    // the grace period, without a restart.
    let mut operator = c.scratch.share();
    operator.env.extend(NODE_ENV.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let cli = crate::cli::Cli { scratch: &operator };
    let old_kid = |token: &Value| jwt_part(token["access_token"].as_str().unwrap(), 0)["kid"].clone();
    let before = old_kid(&c.token(n1, "app", &[("grant_type", "client_credentials")]).await.1);
    let rotated = cli.json(&["keys", "rotate"], None);
    let new_kids: Vec<String> = rotated.as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().into()).collect();
    let signs_from = rotated[0]["active_from"].as_i64().unwrap();
    assert_eq!(new_kids.len(), 3, "{rotated}");
    on_every_node(&c, "the new keys in /jwks", |base| {
        let new_kids = new_kids.clone();
        async move {
            let jwks: Value = reqwest::get(format!("{base}/jwks")).await.unwrap().json().await.unwrap();
            let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().filter_map(|k| k["kid"].as_str()).collect();
            new_kids.iter().all(|k| kids.contains(&k.as_str()))
        }
    })
    .await;
    if lanyard::clock::Clock::system().now() < signs_from - 1 {
        let during = old_kid(&c.token(n2, "app", &[("grant_type", "client_credentials")]).await.1);
        assert_eq!(during, before, "a published key does not sign before its grace period ends");
    }
    let secret = c.secret("app").to_string();
    on_every_node(&c, "tokens signed with the new key", |base| {
        let (new_kids, secret) = (new_kids.clone(), secret.clone());
        async move {
            let res = fresh_connections()
                .post(format!("{base}/token"))
                .basic_auth("app", Some(secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap();
            let token: Value = res.json().await.unwrap();
            let kid = jwt_part(token["access_token"].as_str().unwrap(), 0)["kid"].clone();
            new_kids.iter().any(|k| kid == k.as_str())
        }
    })
    .await;
    c.stop().await;
}
