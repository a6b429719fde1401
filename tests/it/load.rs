//! A steady load on a running node for the fault tests: operators creating users (durable
//! writes) and a machine client taking tokens (ephemeral writes). It records every write the
//! node acknowledged and every answer that was neither a success nor a 503 with Retry-After.

use lanyard::domain::listing::Position;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::AsLanyard;
use crate::support::TestApp;

#[derive(Default)]
pub struct Ledger {
    pub users: Vec<String>,
    pub tokens: Vec<String>,
    pub unexpected: Vec<String>,
    /// The operator's token was no longer known (a Redis that forgot it): a new one was taken.
    pub reauthenticated: usize,
}

pub struct Load {
    stop: Arc<AtomicBool>,
    ledger: Arc<Mutex<Ledger>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// A hang fails the test; nothing is asserted about speed.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(8)).build().unwrap()
}

/// A platform operator's client_credentials token, or `None` while the node cannot give one.
async fn operator_token(app_url: &str, secret: &str) -> Option<String> {
    let res = client()
        .post(format!("{app_url}/token"))
        .basic_auth("load-ops", Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "admin")])
        .send()
        .await
        .ok()?;
    let body: Value = res.json().await.ok()?;
    body["access_token"].as_str().map(String::from)
}

impl Load {
    /// `machine`: a client_credentials client's secret. Creates its own platform operator
    /// client, whose tokens it renews when the node no longer knows them.
    pub async fn start(app: &TestApp, machine: &str) -> Load {
        let meta: lanyard::domain::application::ClientMetadata = serde_json::from_value(json!({
            "redirect_uris": ["https://load.example/cb"],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["client_credentials"],
            "scopes": ["admin"],
        }))
        .unwrap();
        let mut meta = meta;
        meta.admin_role = Some(lanyard::domain::application::AdminGrant::PlatformOperator);
        let (_, secret) = app
            .state
            .accounts
            .admin(crate::support::operator())
            .create_client(Some("load-ops"), "Load", &meta, &[])
            .await
            .unwrap();
        let ops_secret = secret.unwrap().expose().to_string();
        let (stop, ledger) = (Arc::new(AtomicBool::new(false)), Arc::new(Mutex::new(Ledger::default())));
        let mut tasks = Vec::new();
        for worker in 0..2 {
            let (stop, ledger, ops_secret) = (stop.clone(), ledger.clone(), ops_secret.clone());
            let base = app.url("");
            tasks.push(tokio::spawn(async move {
                let mut token = None;
                for n in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    let Some(ops) = &token else {
                        token = operator_token(&base, &ops_secret).await;
                        continue;
                    };
                    let login = format!("u{worker}-{n}");
                    let url = format!("{base}/admin/api/v1/providers/ACME/users");
                    let sent = client().post(&url).bearer_auth(ops).json(&json!({ "login_name": login })).send();
                    let res = sent.await.expect("an answer, not a hang");
                    match res.status() {
                        StatusCode::CREATED => ledger.lock().unwrap().users.push(login),
                        StatusCode::SERVICE_UNAVAILABLE if res.headers().contains_key("retry-after") => {}
                        StatusCode::UNAUTHORIZED => {
                            ledger.lock().unwrap().reauthenticated += 1;
                            token = None;
                        }
                        other => ledger.lock().unwrap().unexpected.push(format!("users: {other}")),
                    }
                }
            }));
        }
        let (stop_t, ledger_t, url, secret) = (stop.clone(), ledger.clone(), app.url("/token"), machine.to_string());
        tasks.push(tokio::spawn(async move {
            while !stop_t.load(Ordering::SeqCst) {
                let sent = client()
                    .post(&url)
                    .basic_auth("machine", Some(&secret))
                    .form(&[("grant_type", "client_credentials")])
                    .send();
                let res = sent.await.expect("an answer, not a hang");
                match res.status() {
                    StatusCode::OK => {
                        let body: Value = res.json().await.unwrap();
                        ledger_t.lock().unwrap().tokens.push(body["access_token"].as_str().unwrap().to_string());
                    }
                    StatusCode::SERVICE_UNAVAILABLE if res.headers().contains_key("retry-after") => {}
                    other => ledger_t.lock().unwrap().unexpected.push(format!("token: {other}")),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
        Load { stop, ledger, tasks }
    }

    /// Users and tokens acknowledged so far.
    pub fn counts(&self) -> (usize, usize) {
        let l = self.ledger.lock().unwrap();
        (l.users.len(), l.tokens.len())
    }

    /// Waits (up to 10 s) until both kinds of write are acknowledged again.
    pub async fn writes_resume(&self) {
        let before = self.counts();
        for _ in 0..40 {
            let now = self.counts();
            if now.0 > before.0 && now.1 > before.1 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let l = self.ledger.lock().unwrap();
        let tail: Vec<&String> = l.unexpected.iter().rev().take(5).collect();
        panic!(
            "writes did not resume within 10 s of the dependency's return: {} users, {} tokens; last unexpected: {tail:?}",
            l.users.len(),
            l.tokens.len()
        );
    }

    pub async fn stop(self) -> Ledger {
        self.stop.store(true, Ordering::SeqCst);
        for task in self.tasks {
            task.await.unwrap();
        }
        std::mem::take(&mut *self.ledger.lock().unwrap())
    }
}

/// Every acknowledged user is stored (durable writes survive any outage).
pub async fn users_all_there(app: &TestApp, ledger: &Ledger) {
    let first = app.state.accounts.lanyard().tenants_page(None, &Position::First, 1).await.unwrap();
    let tenant = first.entries.into_iter().next().unwrap();
    let stored = crate::support::all_users(&app.state.accounts, &tenant).await;
    for login in &ledger.users {
        assert!(stored.iter().any(|u| u.login_name.as_str() == login), "{login} was acknowledged, then lost");
    }
}

pub async fn active(app: &TestApp, machine: &str, token: &str) -> bool {
    let res = client().post(app.url("/introspect")).basic_auth("machine", Some(machine)).form(&[("token", token)]);
    res.send().await.unwrap().json::<Value>().await.unwrap()["active"] == true
}
