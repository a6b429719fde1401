//! M1–M3 (issue 16): the maintenance window closes every page and protocol endpoint with a
//! notice that is never cached, keeps the probes, the status page, its feed and the
//! administration API up, is shared by every node through the database, and is switched by the
//! CLI or by platform operators over the API. On both backends.

use lanyard::accounts::service_status::MaintenanceWindow;
use lanyard::domain::application::AdminGrant;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::cli::Cli;
use crate::support::{Backend, T0, TestApp};
use crate::support::{call, token_for};

const MESSAGE: &str = "Upgrading the database. Sign-in is back by 06:00 UTC.";
const HELP: &str = "https://help.example.org/downtime";

fn window(until: i64) -> MaintenanceWindow<'static> {
    MaintenanceWindow { message: MESSAGE, link: Some(HELP), from: None, until }
}

async fn get(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new().get(app.url(path)).header("accept", accept).send().await.unwrap()
}

/// What a browser gets for a page: the notice, 503, Retry-After, never stored.
async fn assert_notice(app: &TestApp, path: &str) {
    let res = get(app, path, "text/html,application/xhtml+xml").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
    assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    let retry: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((60..=7200).contains(&retry), "{path}: Retry-After {retry}, the seconds until the window ends");
    let html = res.text().await.unwrap();
    assert!(html.contains("down for maintenance"), "{path}: {html}");
    assert!(html.contains("Upgrading the database."), "how long and why: {html}");
    assert!(html.contains("help.example.org") && html.contains("Read more"), "where to read more: {html}");
}

async fn status_json(app: &TestApp) -> Value {
    let res = get(app, "/status.json", "application/json").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.unwrap()
}

async fn m1_m3_the_window_and_what_stays_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    // Minted before the window: the token endpoint is closed during it.
    let platform = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    assert_eq!(status_json(&app).await["status"], "up");
    let ev = app.state.accounts.admin(crate::support::operator()).maintenance_on(&window(T0 + 3600)).await.unwrap();
    assert_eq!(ev.starts_at, T0);

    for path in ["/login", "/account", "/password/forgot", "/authorize?client_id=x", "/admin", "/nowhere"] {
        assert_notice(&app, path).await;
    }
    // APIs and protocol endpoints: JSON, RFC 6749's temporarily_unavailable.
    for (method, path) in
        [("GET", "/.well-known/openid-configuration"), ("GET", "/jwks"), ("POST", "/token"), ("GET", "/userinfo")]
    {
        let client = reqwest::Client::new();
        let req = if method == "GET" {
            client.get(app.url(path))
        } else {
            client.post(app.url(path)).form(&[("grant_type", "client_credentials")])
        };
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
        assert!(res.headers().contains_key("retry-after"), "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "temporarily_unavailable", "{path}");
        assert_eq!(body["maintenance"]["until"], T0 + 3600, "{path}");
        assert_eq!(body["maintenance"]["link"], HELP, "{path}");
    }

    // What stays up.
    assert_eq!(get(&app, "/healthz", "*/*").await.status(), StatusCode::OK);
    let ready = get(&app, "/readyz", "*/*").await;
    assert_eq!(ready.status(), StatusCode::OK, "the node stays in the load balancer");
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "maintenance");
    assert_eq!(get(&app, "/static/lanyard.css", "text/css").await.status(), StatusCode::OK);
    let status = status_json(&app).await;
    assert_eq!(status["status"], "maintenance");
    assert_eq!(status["maintenance"]["message"], MESSAGE);
    let page = get(&app, "/status", "text/html").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Down for maintenance") && html.contains("Upgrading the database."), "{html}");
    let (code, shown) = call(&app, &platform, "GET", "/maintenance", None).await;
    assert_eq!(code, StatusCode::OK, "the administration API stays up");
    assert_eq!(shown["current"]["id"], ev.id);

    // Over: pages come back at once on this node, and nothing said "store the notice".
    let (code, ended) = call(&app, &platform, "DELETE", "/maintenance", None).await;
    assert_eq!((code, ended), (StatusCode::OK, json!({ "ended": true })));
    let res = get(&app, "/login", "text/html").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(get(&app, "/readyz", "*/*").await.json::<Value>().await.unwrap()["status"], "ok");

    // M2's history and M3's feed: the window, over.
    app.state
        .accounts
        .admin(crate::support::operator())
        .open_incident("Slow sign-in for some providers <investigating>", None)
        .await
        .unwrap();
    let status = status_json(&app).await;
    assert_eq!(status["status"], "incident");
    assert_eq!(status["recent"].as_array().unwrap().len(), 2);
    let feed = get(&app, "/status/feed", "application/atom+xml").await;
    assert_eq!(feed.headers()["content-type"], "application/atom+xml; charset=utf-8");
    let xml = feed.text().await.unwrap();
    assert!(xml.starts_with("<?xml") && xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"), "{xml}");
    assert!(xml.contains("<title>Maintenance over: Upgrading the database."), "{xml}");
    assert!(xml.contains("Incident: Slow sign-in for some providers &lt;investigating&gt;"), "escaped: {xml}");
    assert_eq!(xml.matches("<entry>").count(), 2);
    assert!(app.state.accounts.admin(crate::support::operator()).resolve_incident().await.unwrap());
    assert_eq!(status_json(&app).await["status"], "up");
    app.stop().await;
}

async fn m1_an_announced_window_begins_on_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let announced = MaintenanceWindow { message: MESSAGE, link: Some(HELP), from: Some(T0 + 600), until: T0 + 1200 };
    app.state.accounts.admin(crate::support::operator()).maintenance_on(&announced).await.unwrap();
    assert_eq!(get(&app, "/login", "text/html").await.status(), StatusCode::OK, "not yet");
    let status = status_json(&app).await;
    assert_eq!(status["status"], "up");
    assert_eq!(status["next_maintenance"]["starts_at"], T0 + 600, "M2: the next window");
    assert!(get(&app, "/status", "text/html").await.text().await.unwrap().contains("Next maintenance"));
    app.clock.advance(600);
    assert_notice(&app, "/login").await;
    app.stop().await;
}

/// Switched on anywhere, served everywhere within seconds: another node, and the CLI.
async fn m1_every_node_serves_the_window(backend: Backend) {
    let first = TestApp::spawn(backend).await;
    let second = TestApp::spawn_on(first.scratch.share(), &[]).await;
    assert_eq!(get(&second, "/login", "text/html").await.status(), StatusCode::OK);
    first.state.accounts.admin(crate::support::operator()).maintenance_on(&window(T0 + 3600)).await.unwrap();
    assert_notice(&first, "/login").await;
    second.clock.advance(2);
    assert_notice(&second, "/login").await;
    first.state.accounts.admin(crate::support::operator()).maintenance_off().await.unwrap();
    second.clock.advance(2);
    assert_eq!(get(&second, "/login", "text/html").await.status(), StatusCode::OK, "and it ends everywhere");

    // The CLI (its own process, the wall clock): the node serves it once its clock is there.
    let cli = Cli { scratch: &first.scratch };
    let on = cli.json(&["maintenance", "on", "--until", "2h", "--message", MESSAGE, "--link", HELP], None);
    let starts = on["starts_at"].as_i64().unwrap();
    assert_eq!(on["until"].as_i64().unwrap(), starts + 7200);
    first.clock.set(starts + 2);
    assert_notice(&first, "/login").await;
    let shown = cli.json(&["maintenance", "show"], None);
    assert_eq!(shown[0]["id"], on["id"]);
    assert_eq!(cli.json(&["maintenance", "off"], None), json!({ "ended": true }));
    assert_eq!(cli.json(&["maintenance", "off"], None), json!({ "ended": false }));
    first.clock.advance(2);
    assert_eq!(get(&first, "/login", "text/html").await.status(), StatusCode::OK);
    // Bad input: one clear line, nothing stored.
    let err = cli.fails(&["maintenance", "on", "--until", "tomorrow", "--message", "x"]);
    assert!(err.contains("--until: tomorrow is neither a time"), "{err}");
    let err = cli.fails(&["maintenance", "on", "--until", "1h", "--message", "x", "--link", "javascript:alert(1)"]);
    assert!(err.contains("link: must be an http or https URL"), "{err}");
    assert_eq!(cli.json(&["maintenance", "show"], None).as_array().unwrap().len(), 2, "only the two windows");
    second.stop().await;
    first.stop().await;
}

async fn m1_the_api_is_for_platform_operators_and_checks_its_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let platform = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    let acme = token_for(&app, "acme-admin", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;
    let body = json!({ "message": MESSAGE, "until": T0 + 3600, "link": HELP });
    let (code, _) = call(&app, &acme, "PUT", "/maintenance", Some(body.clone())).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "a provider's admin cannot close the service");
    let (code, _) = call(&app, &acme, "DELETE", "/maintenance", None).await;
    assert_eq!(code, StatusCode::FORBIDDEN);

    for (bad, field) in [
        (json!({ "message": MESSAGE, "until": T0 }), "until"),
        (json!({ "message": MESSAGE, "until": T0 + 60, "from": T0 + 120 }), "until"),
        (json!({ "message": "", "until": T0 + 60 }), "message"),
        (json!({ "message": "x".repeat(501), "until": T0 + 60 }), "message"),
        (json!({ "message": "two\nlines", "until": T0 + 60 }), "message"),
        (json!({ "message": MESSAGE, "until": T0 + 60, "link": "javascript:alert(1)" }), "link"),
        (
            json!({ "message": MESSAGE, "until": T0 + 60, "link": format!("https://e.org/{}", "a".repeat(2000)) }),
            "link",
        ),
    ] {
        let (code, problem) = call(&app, &platform, "PUT", "/maintenance", Some(bad.clone())).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{bad}");
        assert!(problem["errors"][field].is_string(), "{bad}: {problem}");
    }
    let (_, shown) = call(&app, &platform, "GET", "/maintenance", None).await;
    assert_eq!(shown, json!({ "current": null, "upcoming": [] }), "bad input stored nothing");

    // Two operators at once: one window open afterwards, whichever came last.
    let puts = (0..8).map(|i| {
        let (app, platform) = (&app, &platform);
        async move {
            let body = json!({ "message": format!("window {i}"), "until": T0 + 3600 });
            call(app, platform, "PUT", "/maintenance", Some(body)).await.0
        }
    });
    let codes = futures_util::future::join_all(puts).await;
    assert!(codes.iter().all(|c| *c == StatusCode::OK), "{codes:?}");
    let status = status_json(&app).await;
    let open: Vec<&Value> = status["recent"].as_array().unwrap().iter().filter(|e| e["ended_at"].is_null()).collect();
    assert_eq!(open.len(), 1, "{status}");
    assert_eq!(status["maintenance"]["id"], open[0]["id"]);
    app.stop().await;
}

backend_tests! {
    m1_m3_window => m1_m3_the_window_and_what_stays_up,
    m1_announced => m1_an_announced_window_begins_on_time,
    m1_every_node => m1_every_node_serves_the_window,
    m1_api => m1_the_api_is_for_platform_operators_and_checks_its_input,
}
