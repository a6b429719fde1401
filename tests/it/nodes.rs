//! Lanyard as operators run it: `lanyard serve` processes sharing one scratch database, and TCP
//! relays in front of them: a round-robin proxy over several nodes, or a link to one dependency
//! that the test can cut (as a restart or a partition would) and restore.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use lanyard::app::AppState;
use lanyard::clock::Clock;
use lanyard::domain::application::{AdminGrant, ClientMetadata};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::PkceCodeChallenge;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Scratch, csrf_of};

/// Where the test clients' authorization responses go.
pub const REDIRECT: &str = "http://localhost:4000/callback";

/// A TCP relay: each new connection goes to the next target in turn. It can be cut (every
/// open connection closed, new ones refused) and restored.
pub struct Relay {
    pub port: u16,
    targets: Arc<std::sync::Mutex<Vec<String>>>,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Relay {
    pub async fn start(target: &str) -> Relay {
        Self::round_robin(vec![target.to_string()]).await
    }

    /// The proxy's port is known before its targets (the nodes are told the proxy's address as
    /// their issuer): `route_to` sets them.
    pub async fn round_robin(targets: Vec<String>) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (up, links) = (Arc::new(AtomicBool::new(true)), Arc::new(Mutex::new(Vec::new())));
        let targets = Arc::new(std::sync::Mutex::new(targets));
        let (flag, open, next, to) = (up.clone(), links.clone(), Arc::new(AtomicUsize::new(0)), targets.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = {
                    let to = to.lock().unwrap();
                    if !flag.load(Ordering::SeqCst) || to.is_empty() {
                        continue; // dropped: the connection is refused as soon as it is made
                    }
                    to[next.fetch_add(1, Ordering::SeqCst) % to.len()].clone()
                };
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                let mut open = open.lock().await;
                open.retain(|l: &JoinHandle<()>| !l.is_finished());
                open.push(link);
            }
        });
        Relay { port, targets, up, links, accept }
    }

    pub fn route_to(&self, targets: Vec<String>) {
        *self.targets.lock().unwrap() = targets;
    }

    pub async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Migrates the scratch database and creates the signing keys once, before any node starts
/// (as `lanyard migrate` does in a deployment), and gives the test the accounts API on the
/// real clock for its setup.
pub async fn prepare(scratch: &Scratch, issuer: &str) -> AppState {
    AppState::build(scratch.config(&[("LANYARD_ISSUER", issuer.to_string())]), Clock::system()).await.unwrap()
}

/// One `lanyard serve` process on the scratch database.
pub struct Node {
    pub port: u16,
    child: Child,
}

impl Node {
    /// Starts a node on a free port. A port found free can be taken by a parallel test before
    /// the node binds it: then the node exits at once and is started again on another.
    pub async fn start(scratch: &Scratch, issuer: &str, extra: &[(&str, &str)]) -> Node {
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            if let Some(node) = Self::try_start(scratch, issuer, extra, port).await {
                return node;
            }
        }
        panic!("lanyard serve did not start");
    }

    /// Starts a node on `port` (the issuer's, or again on the one it had after a kill).
    pub async fn start_on(scratch: &Scratch, issuer: &str, extra: &[(&str, &str)], port: u16) -> Node {
        for _ in 0..50 {
            if let Some(node) = Self::try_start(scratch, issuer, extra, port).await {
                return node;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("lanyard serve did not start on port {port}");
    }

    async fn try_start(scratch: &Scratch, issuer: &str, extra: &[(&str, &str)], port: u16) -> Option<Node> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lanyard"));
        cmd.arg("serve").env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.envs(&scratch.env);
        cmd.env("LANYARD_LISTEN", format!("127.0.0.1:{port}"))
            .env("LANYARD_ISSUER", issuer)
            .env("LANYARD_LOG_LEVEL", "warn")
            .envs(extra.iter().copied())
            .stdout(Stdio::null());
        let mut node = Node { port, child: cmd.spawn().unwrap() };
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
        for _ in 0..300 {
            if let Ok(res) = client.get(node.url("/readyz")).send().await
                && res.status().is_success()
            {
                return Some(node);
            }
            if node.child.try_wait().unwrap().is_some() {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("lanyard serve did not become ready within 30 s");
    }

    /// On the host name the issuer uses, so a cookie-keeping client carries one session to
    /// every node (cookies are per host, not per port).
    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`: no shutdown, no flush, nothing finished.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What an orchestrator sends first.
    pub fn terminate(&self) {
        let ok = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().unwrap();
        assert!(ok.success());
    }

    pub async fn exited(&mut self) -> ExitStatus {
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("lanyard serve did not exit within 30 s of SIGTERM");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A client that opens a new connection for every request, so a round-robin proxy sends each
/// one to the next node. Keeps cookies; does not follow redirects (tests assert them).
pub fn fresh_connections() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn sign_in_at(node: &Node, browser: &reqwest::Client, login: &str, password: &str) -> reqwest::Response {
    let page = browser.get(node.url("/login")).send().await.unwrap().text().await.unwrap();
    browser
        .post(node.url("/login"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("login_name", login),
            ("password", password),
            ("provider_code", "ACME"),
        ])
        .send()
        .await
        .unwrap()
}

/// An authorization request for `client` on `node`, followed through Lanyard's own redirects
/// on that node; the parameters of the redirect back to the client, and the PKCE verifier.
pub async fn authorize_at(
    node: &Node,
    browser: &reqwest::Client,
    client: &str,
    extra: &[(&str, &str)],
) -> (Vec<(String, String)>, String) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut url = url::Url::parse(&node.url("/authorize")).unwrap();
    url.query_pairs_mut()
        .extend_pairs([
            ("response_type", "code"),
            ("client_id", client),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile"),
            ("state", "st"),
            ("nonce", "n0"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .extend_pairs(extra.iter().copied());
    let mut res = browser.get(url.as_str()).send().await.unwrap();
    for _ in 0..4 {
        let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        match location {
            Some(l) if l.starts_with('/') => res = browser.get(node.url(&l)).send().await.unwrap(),
            _ => break,
        }
    }
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    let params = url::Url::parse(location).unwrap().query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    (params, verifier.secret().clone())
}

pub fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("{name}: {params:?}"))
}

pub fn jwt_part(jwt: &str, i: usize) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').nth(i).unwrap()).unwrap()).unwrap()
}

/// A confidential client allowed for ACME (or a platform operator's automation with `role`),
/// whose access tokens are JWTs (RFC 9068); returns its secret.
pub async fn confidential_client(
    state: &AppState,
    id: &str,
    initiate_login_uri: Option<&str>,
    role: Option<AdminGrant>,
) -> String {
    let mut meta = serde_json::json!({
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "access_token_format": "jwt",
    });
    if role.is_some() {
        meta["scopes"] = serde_json::json!(["admin"]);
    }
    let mut meta: ClientMetadata = serde_json::from_value(meta).unwrap();
    meta.initiate_login_uri = initiate_login_uri.map(String::from);
    meta.admin_role = role;
    let tenants = if meta.admin_role.is_some() { vec![] } else { vec!["ACME".to_string()] };
    let (_, secret) =
        state.accounts.admin(crate::support::operator()).create_client(Some(id), id, &meta, &tenants).await.unwrap();
    secret.unwrap().expose().to_string()
}

pub async fn token_at(node: &Node, client: &str, secret: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let res =
        fresh_connections().post(node.url("/token")).basic_auth(client, Some(secret)).form(form).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

/// Signs alice in on `node` and runs the code flow for `client`: its token response.
pub async fn tokens_for(node: &Node, browser: &reqwest::Client, client: &str, secret: &str, login: &str) -> Value {
    assert_eq!(sign_in_at(node, browser, login, crate::support::PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (params, verifier) = authorize_at(node, browser, client, &[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", param(&params, "code")),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &verifier),
    ];
    let (status, tokens) = token_at(node, client, secret, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}
