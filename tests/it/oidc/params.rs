//! One reader for OAuth parameters at every protocol endpoint (RFC 6749 §3.1, §3.2): a repeated
//! parameter is `invalid_request`, an empty value is absent; and page routes answer a missing or
//! malformed query with Lanyard's own page, never a framework's plain text.

use reqwest::StatusCode;
use serde_json::Value;

use super::rp::{at, setup};
use crate::backend_tests;
use crate::support::{Backend, TestApp};

async fn assert_invalid_request(res: reqwest::Response, what: &str) {
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{what}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request", "{what}: {body}");
    assert!(body["error_description"].as_str().unwrap().contains("more than once"), "{what}: {body}");
}

async fn repeated_parameters_are_invalid_request_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    for endpoint in ["/token", "/introspect", "/revoke", "/unified-login/handoff"] {
        let res = rp.post(&at(&app, endpoint), &[("token", "a"), ("token", "b"), ("grant_type", "x")]).await;
        assert_invalid_request(res, endpoint).await;
    }
    // Repeated client credentials in the body, too.
    let res = reqwest::Client::new()
        .post(at(&app, "/introspect"))
        .form(&[("client_id", "app"), ("client_id", "app"), ("client_secret", "x"), ("token", "t")])
        .send()
        .await
        .unwrap();
    assert_invalid_request(res, "/introspect with client_id twice").await;
    app.stop().await;
}

/// An empty value counts as absent: `token=` is "token is required", not an unknown token.
async fn empty_values_are_absent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    for endpoint in ["/introspect", "/revoke"] {
        let res = rp.post(&at(&app, endpoint), &[("token", "")]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{endpoint}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request");
        assert_eq!(body["error_description"], "token is required");
    }
    app.stop().await;
}

/// A link with its query cut off gets Lanyard's page (HTML, the site's headers), not plain text.
async fn page_routes_answer_a_missing_query_with_a_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in ["/authorize/resume", "/unified-login/start", "/authorize/resume?auth=", "/unified-login/start?x=1"] {
        let res = app.browser().get(at(&app, path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(content_type.starts_with("text/html"), "{path}: {content_type}");
        assert!(res.headers().contains_key("content-security-policy"), "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Lanyard") && html.contains("<main"), "{path}: {html}");
    }
    app.stop().await;
}

backend_tests! {
    repeated_parameters => repeated_parameters_are_invalid_request_everywhere,
    empty_parameters => empty_values_are_absent,
    page_query_rejections => page_routes_answer_a_missing_query_with_a_page,
}
