//! The administration API from a test: an automation client's token, and one call with its
//! status and JSON (problem details checked on every refusal).

use lanyard::domain::application::{AdminGrant, ClientMetadata};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestApp;

pub const API: &str = "/admin/api/v1";

/// An automation client with `role`, and a fresh client_credentials token of it.
pub async fn token_for(app: &TestApp, id: &str, role: Option<AdminGrant>) -> String {
    let mut meta: ClientMetadata = serde_json::from_value(json!({
        "redirect_uris": ["https://automation.example/cb"],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["client_credentials"],
        "scopes": ["admin"],
    }))
    .unwrap();
    meta.admin_role = role;
    let (_, secret) =
        app.state.accounts.admin(crate::support::operator()).create_client(Some(id), id, &meta, &[]).await.unwrap();
    let res = reqwest::Client::new()
        .post(app.url("/token"))
        .basic_auth(id, secret.map(|s| s.expose().to_string()))
        .form(&[("grant_type", "client_credentials"), ("scope", "admin")])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap_or_else(|| panic!("{body}")).to_string()
}

pub async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let client = reqwest::Client::new();
    let url = app.url(&format!("{API}{path}"));
    let req = match method {
        "GET" => client.get(url),
        "POST" => client.post(url),
        "PATCH" => client.patch(url),
        "PUT" => client.put(url),
        "DELETE" => client.delete(url),
        _ => unreachable!(),
    };
    let req = if token.is_empty() { req } else { req.bearer_auth(token) };
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    let res = req.send().await.unwrap();
    let status = res.status();
    let is_problem = res.headers().get("content-type").is_some_and(|v| v == "application/problem+json");
    let text = res.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if !status.is_success() {
        assert!(is_problem, "{method} {path}: {status} without problem+json: {value}");
        assert_eq!(value["status"], status.as_u16(), "{value}");
        // Issue 30: a stable type a client may branch on, whatever the English says.
        let kind = value["type"].as_str().unwrap_or_default();
        assert!(kind.starts_with("urn:lanyard:problem:"), "{method} {path}: a problem without a stable type: {value}");
    }
    (status, value)
}
