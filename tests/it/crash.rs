//! Crashes and shutdowns (issue 16), on both backends with `lanyard serve` processes: `kill -9`
//! in the middle of sign-ins, refreshes and user creation leaves nothing half-applied, and
//! SIGTERM lets the requests in flight finish before the process exits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lanyard::app::AppState;
use lanyard::domain::application::AdminGrant;
use lanyard::domain::user::{User, UserStatus, UserType};
use lanyard::secret::Secret;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::nodes::{Node, confidential_client, fresh_connections, prepare, sign_in_at, token_at, tokens_for};
use crate::support::{AsLanyard, Backend, PASSWORD, Scratch, csrf_of};

const VICTIMS: usize = 30;

/// What a test's node runs on.
struct World {
    scratch: Scratch,
    issuer: String,
    port: u16,
    app_secret: String,
    ops_secret: String,
}

/// The scratch database prepared for one node on a port chosen now (the issuer names it).
async fn world(scratch: Scratch, users: &[String]) -> World {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let issuer = format!("http://localhost:{port}");
    let state = prepare(&scratch, &issuer).await;
    state.accounts.admin(crate::support::operator()).create_tenant("ACME", "ACME Agency").await.unwrap();
    for login in users {
        state
            .accounts
            .admin(crate::support::operator())
            .create_user("ACME", login, UserType::Regular, &Secret::new(PASSWORD), false)
            .await
            .unwrap();
    }
    let app = confidential_client(&state, "app", None, None).await;
    let ops = confidential_client(&state, "ops", None, Some(AdminGrant::PlatformOperator)).await;
    state.accounts.operations().close().await.unwrap();
    World { scratch, issuer, port, app_secret: app, ops_secret: ops }
}

async fn users(state: &AppState) -> Vec<User> {
    let tenant = state.accounts.lanyard().tenant("ACME").await.unwrap();
    crate::support::all_users(&state.accounts, &tenant).await
}

/// One wrong password; `None` once the node is gone.
async fn wrong_password(base: &str, login: &str) -> Option<()> {
    let browser = fresh_connections();
    let page = browser.get(format!("{base}/login")).send().await.ok()?.text().await.ok()?;
    let form = [("csrf", csrf_of(&page)), ("login_name", login.into()), ("password", "Wrong-1!aa".into())];
    let form = [&form[..], &[("provider_code", "ACME".to_string())]].concat();
    browser.post(format!("{base}/login")).form(&form).send().await.ok()?.text().await.ok()?;
    Some(())
}

async fn kill_9_mid_operation_leaves_nothing_half_done(backend: Backend) {
    let victims: Vec<String> = (0..VICTIMS).map(|i| format!("victim{i}")).collect();
    let mut logins = victims.clone();
    logins.push("alice".into());
    let World { scratch, issuer, port, app_secret, ops_secret } = world(Scratch::new(&backend).await, &logins).await;
    let mut node = Node::start_on(&scratch, &issuer, &[], port).await;
    let base = node.url("");

    // Six refresh-token chains, and an operator's token for creating users.
    let mut chains = Vec::new();
    for _ in 0..6 {
        let tokens = tokens_for(&node, &fresh_connections(), "app", &app_secret, "alice").await;
        chains.push(tokens["refresh_token"].as_str().unwrap().to_string());
    }
    let (_, ops) =
        token_at(&node, "ops", &ops_secret, &[("grant_type", "client_credentials"), ("scope", "admin")]).await;
    let ops = ops["access_token"].as_str().unwrap().to_string();

    // Load: every chain rotating, victims getting three concurrent wrong passwords each, users
    // being created. Each records what the node acknowledged before it died.
    let consumed = Arc::new(Mutex::new(Vec::<String>::new()));
    let created = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut load = Vec::new();
    for first in chains {
        let (base, secret, consumed) = (base.clone(), app_secret.clone(), consumed.clone());
        load.push(tokio::spawn(async move {
            let mut current = first;
            loop {
                let form = [("grant_type", "refresh_token"), ("refresh_token", current.as_str())];
                let sent =
                    fresh_connections().post(format!("{base}/token")).basic_auth("app", Some(&secret)).form(&form);
                let Ok(res) = sent.send().await else { return };
                let ok = res.status() == StatusCode::OK;
                let Ok(body) = res.json::<Value>().await else { return };
                assert!(ok, "a live chain's token is refused: {body}");
                consumed.lock().unwrap().push(std::mem::take(&mut current));
                current = body["refresh_token"].as_str().unwrap().to_string();
            }
        }));
    }
    let attackers = victims.clone();
    let attack_base = base.clone();
    load.push(tokio::spawn(async move {
        for victim in attackers {
            let tries = (0..3).map(|_| wrong_password(&attack_base, &victim));
            if futures_util::future::join_all(tries).await.iter().any(Option::is_none) {
                return;
            }
        }
    }));
    {
        let (base, created) = (base.clone(), created.clone());
        load.push(tokio::spawn(async move {
            for n in 0.. {
                let login = format!("new{n}");
                let sent = fresh_connections()
                    .post(format!("{base}/admin/api/v1/providers/ACME/users"))
                    .bearer_auth(&ops)
                    .json(&json!({ "login_name": login }));
                let Ok(res) = sent.send().await else { return };
                if res.status() == StatusCode::CREATED {
                    created.lock().unwrap().push(login);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    node.kill();
    for task in load {
        task.await.unwrap();
    }
    let consumed = consumed.lock().unwrap().clone();
    let created = created.lock().unwrap().clone();
    assert!(!consumed.is_empty() && !created.is_empty(), "the load ran before the kill");

    let node = Node::start_on(&scratch, &issuer, &[], port).await;
    // No consumed refresh token works again.
    for token in &consumed {
        let form = [("grant_type", "refresh_token"), ("refresh_token", token.as_str())];
        let (status, body) = token_at(&node, "app", &app_secret, &form).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    }
    let state = prepare(&scratch, &issuer).await;
    let all = users(&state).await;
    // Every user the API acknowledged is there.
    for login in &created {
        assert!(all.iter().any(|u| u.login_name.as_str() == login), "{login} was acknowledged, then lost");
    }
    // L3 is never half-applied: at the limit means locked, under it means open.
    let mut locked = 0;
    for user in all.iter().filter(|u| u.login_name.as_str().starts_with("victim")) {
        let at_limit = user.failed_attempts >= 3;
        assert!(user.failed_attempts <= 3, "{}: {} failures", user.login_name.as_str(), user.failed_attempts);
        assert_eq!(user.status == UserStatus::PasswordLocked, at_limit, "{}: {user:?}", user.login_name.as_str());
        locked += usize::from(at_limit);
    }
    assert!(locked > 0, "the kill came after some locks");
    // The node serves again.
    assert_eq!(sign_in_at(&node, &fresh_connections(), "alice", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    drop(node);
    state.accounts.operations().close().await.ok();
    scratch.cleanup().await;
}

async fn sigterm_finishes_requests_in_flight(backend: Backend) {
    let logins: Vec<String> = (0..8).map(|i| format!("user{i}")).collect();
    // Real argon2 costs here: the sign-ins must still be hashing when SIGTERM arrives.
    let mut scratch = Scratch::new(&backend).await;
    for (k, v) in [("LANYARD_ARGON2_MEMORY_KIB", "65536"), ("LANYARD_ARGON2_ITERATIONS", "3")] {
        scratch.env.insert(k.into(), v.into());
    }
    let World { scratch, issuer, port, .. } = world(scratch, &logins).await;
    let mut node = Node::start_on(&scratch, &issuer, &[], port).await;
    let mut pages = Vec::new();
    for login in &logins {
        let browser = fresh_connections();
        let page = browser.get(node.url("/login")).send().await.unwrap().text().await.unwrap();
        pages.push((browser, csrf_of(&page), login.clone()));
    }
    let url = node.url("/login");
    let in_flight: Vec<_> = pages
        .into_iter()
        .map(|(browser, csrf, login)| {
            let url = url.clone();
            tokio::spawn(async move {
                let form = [
                    ("csrf", csrf.as_str()),
                    ("login_name", &login),
                    ("password", PASSWORD),
                    ("provider_code", "ACME"),
                ];
                browser.post(url).form(&form).send().await.map(|r| r.status())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    node.terminate();
    for task in in_flight {
        assert_eq!(task.await.unwrap().unwrap(), StatusCode::SEE_OTHER, "a sign-in in flight was cut off");
    }
    assert!(node.exited().await.success(), "SIGTERM is a clean exit");
    assert!(reqwest::get(&url).await.is_err(), "nothing listens after the exit");
    scratch.cleanup().await;
}

backend_tests! {
    kill_9 => kill_9_mid_operation_leaves_nothing_half_done,
    sigterm => sigterm_finishes_requests_in_flight,
}
