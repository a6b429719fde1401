//! Prometheus metrics (issue 16): `/metrics` only for a scraper holding the metrics token, the
//! documented series present after the events they count. The recorder is one per process, so
//! the assertions are about series and increments, not absolute values.

use reqwest::StatusCode;

use crate::backend_tests;
use crate::support::{Backend, PASSWORD, Scratch, TestApp, sign_in};

const TOKEN: &str = "metrics-token-for-tests-0123456789";

async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut req = reqwest::Client::new().get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The value of the series whose line starts with `prefix` (name and labels), 0 when absent.
fn value(text: &str, prefix: &str) -> f64 {
    text.lines().find(|l| l.starts_with(prefix)).and_then(|l| l.rsplit(' ').next()).map_or(0.0, |v| v.parse().unwrap())
}

async fn metrics_count_what_operators_alert_on(backend: Backend) {
    let scratch = Scratch::new(&backend).await;
    let app = TestApp::spawn_on(scratch, &[("LANYARD_METRICS_TOKEN", TOKEN.to_string())]).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;

    assert_eq!(scrape(&app, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(scrape(&app, Some("metrics-token-for-tests-WRONG")).await.0, StatusCode::UNAUTHORIZED);
    let (_, before) = scrape(&app, Some(TOKEN)).await;
    let wrong = "lanyard_sign_in_failures_total{cause=\"wrong_password\"}";
    let failed_before = value(&before, wrong);

    let browser = app.browser();
    sign_in(&app, &browser, "alice", "Wrong-1!aa", "ACME").await;
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    reqwest::get(app.url("/readyz")).await.unwrap();

    let (code, text) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(code, StatusCode::OK);
    assert!(value(&text, wrong) >= failed_before + 1.0, "{text}");
    for series in [
        "# HELP lanyard_http_requests_total",
        "lanyard_http_requests_total{route=\"/login\",method=\"POST\",status=\"303\"}",
        "lanyard_http_request_duration_seconds_bucket{route=\"/login\"",
        "lanyard_activity_total{kind=\"sign_in\"}",
        "lanyard_activity_total{kind=\"sign_in_failed\"}",
        "lanyard_hash_wait_seconds_bucket",
        "lanyard_hash_in_flight",
        "lanyard_dependency_up{dependency=\"database\"} 1",
        "lanyard_dependency_up{dependency=\"ephemeral\"} 1",
        "lanyard_maintenance 0",
    ] {
        assert!(text.lines().any(|l| l.starts_with(series)), "missing {series} in\n{text}");
    }
    // Labels are routes, never raw paths: a thousand made-up paths add no series.
    for i in 0..20 {
        reqwest::get(app.url(&format!("/no/such/page/{i}"))).await.unwrap();
    }
    let (_, after) = scrape(&app, Some(TOKEN)).await;
    assert!(!after.contains("/no/such/page"), "{after}");
    app.stop().await;
}

async fn without_a_token_there_are_no_metrics(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(scrape(&app, Some(TOKEN)).await.0, StatusCode::NOT_FOUND);
    app.stop().await;
}

backend_tests! {
    metrics_count => metrics_count_what_operators_alert_on,
    metrics_off => without_a_token_there_are_no_metrics,
    metrics_listen => metrics_on_their_own_address,
}

/// `metrics_listen`: `/metrics` on its own (internal) address, the token still required there,
/// and gone from the public listener.
async fn metrics_on_their_own_address(backend: Backend) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let scratch = Scratch::new(&backend).await;
    let extra = [("LANYARD_METRICS_TOKEN", TOKEN.to_string()), ("LANYARD_METRICS_LISTEN", format!("127.0.0.1:{port}"))];
    let app = TestApp::spawn_on(scratch, &extra).await;
    reqwest::get(app.url("/login")).await.unwrap();
    assert_eq!(scrape(&app, Some(TOKEN)).await.0, StatusCode::NOT_FOUND, "not on the public listener");
    let internal = format!("http://127.0.0.1:{port}/metrics");
    let mut res = None;
    for _ in 0..50 {
        match reqwest::Client::new().get(&internal).bearer_auth(TOKEN).send().await {
            Ok(r) => {
                res = Some(r);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    let res = res.expect("the metrics listener answers");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("lanyard_http_requests_total"), "requests are still counted");
    let res = reqwest::get(&internal).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the token is required there too");
    app.stop().await;
}
