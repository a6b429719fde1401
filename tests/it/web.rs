//! Cross-cutting HTTP behaviour: health, CSRF, security headers, error pages.

use reqwest::StatusCode;

use crate::backend_tests;
use crate::support::{Backend, PASSWORD, TestApp, alert_of};

async fn health_endpoints_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = reqwest::Client::new();
    let res = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    let ready: serde_json::Value = client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready, serde_json::json!({ "status": "ok", "database": "ok", "ephemeral": "ok" }));
    app.stop().await;
}

async fn csrf_missing_or_forged_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    // A cross-site POST: no CSRF cookie, no token.
    let res = browser
        .post(app.url("/login"))
        .form(&[("login_name", "alice"), ("password", PASSWORD), ("provider_code", "ACME")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert_eq!(alert_of(&html).as_deref(), Some("Your sign-in form expired. Please try again."));
    assert!(html.contains("value=\"alice\""), "what was typed is kept");
    // With the cookie now set but a forged token.
    let res = browser
        .post(app.url("/login"))
        .form(&[("csrf", "forged"), ("login_name", "alice"), ("password", PASSWORD), ("provider_code", "ACME")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

async fn pages_carry_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = reqwest::get(app.url("/login")).await.unwrap();
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    // Our URLs never leave for another site, yet our own forms carry a real Origin (CSRF check).
    assert_eq!(h["referrer-policy"], "same-origin");
    assert!(h.contains_key("x-request-id"));
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<meta name="referrer" content="same-origin">"#));
    app.stop().await;
}

async fn bad_input_gets_pages_not_plain_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = reqwest::Client::new();
    let res = client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let res = client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("login_name=%ZZ&password=%")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let res =
        client.post(app.url("/login")).header("content-type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("The form could not be read"));
    app.stop().await;
}

async fn https_issuer_uses_host_prefixed_secure_cookies(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = scratch.config(&[("LANYARD_ISSUER", "https://id.example.org".into())]);
    let (clock, _) = lanyard::clock::Clock::manual(crate::support::T0);
    let state = lanyard::app::AppState::build(config, clock).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(lanyard::app::serve(listener, state.clone(), std::future::pending()));
    let res = reqwest::get(format!("http://{addr}/login")).await.unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-lanyard_csrf="), "{cookie}");
    assert!(cookie.contains("; Secure"));
    server.abort();
    state.accounts.operations().close().await.unwrap();
    scratch.cleanup().await;
}

backend_tests! {
    health => health_endpoints_answer,
    csrf => csrf_missing_or_forged_is_refused,
    security_headers => pages_carry_security_headers,
    error_pages => bad_input_gets_pages_not_plain_text,
    host_cookies => https_issuer_uses_host_prefixed_secure_cookies,
}
