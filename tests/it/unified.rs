//! Unified login (U1–U4): a 30-second, single-use hand-off from Care Records (A) to Care
//! Connect (B) through third-party-initiated login and an ordinary authorization request.

use reqwest::StatusCode;

use crate::backend_tests;
use crate::oidc::rp::{self, Rp, at, callback, code_for_alice, param};
use crate::support::{AsLanyard, Backend, TestApp};

const INITIATE: &str = "http://localhost:4002/initiate";

pub struct World {
    pub a: Rp,
    pub b: Rp,
    pub browser: reqwest::Client,
    /// A's ID token for alice, from a real sign-in.
    pub a_id_token: String,
}

pub async fn world(app: &TestApp, unified: bool) -> World {
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let changes = lanyard::domain::tenant::TenantChanges { unified_login_enabled: Some(unified), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    let a = rp::register_named(app, "care-records", "Care Records", rp::metadata(false), &["ACME"]).await;
    let mut meta = rp::metadata(false);
    meta.initiate_login_uri = Some(INITIATE.into());
    let b = rp::register_named(app, "care-connect", "Care Connect", meta, &["ACME"]).await;
    let browser = app.browser();
    let (code, req) = code_for_alice(app, &a, &browser).await;
    let tokens = a.exchange(&code, req.verifier).await;
    let a_id_token = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    World { a, b, browser, a_id_token }
}

/// Step 1, A's back end: the start URI, or the error.
pub async fn handoff(app: &TestApp, w: &World, target: &str) -> Result<String, serde_json::Value> {
    let res =
        w.a.post(&at(app, "/unified-login/handoff"), &[("target_client_id", target), ("id_token_hint", &w.a_id_token)])
            .await;
    let ok = res.status() == StatusCode::OK;
    let body: serde_json::Value = res.json().await.unwrap();
    if ok { Ok(body["start_uri"].as_str().unwrap().to_string()) } else { Err(body) }
}

/// Step 2, the new tab: Lanyard's redirect to B's initiate_login_uri; returns the login_hint.
pub async fn start(w: &World, start_uri: &str) -> String {
    let res = w.browser.get(start_uri).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(INITIATE), "{location}");
    let params: Vec<(String, String)> = location.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert!(param(&params, "iss").is_some() && param(&params, "target_link_uri") == Some("http://localhost:4002/"));
    param(&params, "login_hint").unwrap().to_string()
}

/// Step 3, B: an ordinary authorization request with the hint; the redirect's parameters.
pub async fn b_authorizes(w: &World, b: &Rp, hint: &str) -> (Vec<(String, String)>, rp::Request) {
    let req = b.request(&[("login_hint", hint)]);
    let res = w.browser.get(req.url.as_str()).send().await.unwrap();
    (callback(&res), req)
}

async fn u2_happy_path_opens_b_signed_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app, true).await;
    let hint = start(&w, &handoff(&app, &w, "care-connect").await.unwrap()).await;
    let (params, req) = b_authorizes(&w, &w.b, &hint).await;
    let code = param(&params, "code").expect("a code without a password");
    let tokens = w.b.exchange(code, req.verifier).await;
    let claims = w.b.claims(&tokens, &req.nonce);
    let (tenant, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(claims.subject().as_str(), alice.subject, "the same user");
    let raw = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    let id = lanyard::oidc::jwt::verify(&app.state.oidc.ring, &raw).unwrap();
    assert_eq!(id["initiated_from"], serde_json::json!({ "client_id": "care-records", "name": "Care Records" }));
    // U4: B's record says where the login came from; A's that it started one.
    let activity = app.state.accounts.lanyard().activity(&tenant, Some(&alice), None, 20).await.unwrap();
    let b_login = activity.iter().find(|e| e.client_id.as_deref() == Some("care-connect")).unwrap();
    assert_eq!(b_login.login_type, "Login initiated from Care Records");
    assert_eq!(b_login.kind, "sign_in");
    assert!(
        activity.iter().any(|e| e.kind == "unified_login_started" && e.client_id.as_deref() == Some("care-records"))
    );
    app.stop().await;
}

async fn u2_29_seconds_work_31_fail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app, true).await;
    let start_uri = handoff(&app, &w, "care-connect").await.unwrap();
    app.clock.advance(29);
    let hint = start(&w, &start_uri).await;
    let (params, _) = b_authorizes(&w, &w.b, &hint).await;
    assert!(param(&params, "code").is_some(), "at 29 s");

    let start_uri = handoff(&app, &w, "care-connect").await.unwrap();
    let hint = start(&w, &start_uri).await;
    app.clock.advance(31);
    let (params, _) = b_authorizes(&w, &w.b, &hint).await;
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(
        param(&params, "error_description"),
        Some("Login failed due to request timeout. Please try again from Care Records")
    );

    // Late at the start URI too: the page says so in the new tab.
    let start_uri = handoff(&app, &w, "care-connect").await.unwrap();
    app.clock.advance(31);
    let res = w.browser.get(&start_uri).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text().await.unwrap().contains("Login failed due to request timeout. Please try again from Care Records")
    );
    app.stop().await;
}

async fn u2_each_handoff_works_once_for_its_target_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app, true).await;
    let hint = start(&w, &handoff(&app, &w, "care-connect").await.unwrap()).await;
    let (params, _) = b_authorizes(&w, &w.b, &hint).await;
    assert!(param(&params, "code").is_some());
    let (params, _) = b_authorizes(&w, &w.b, &hint).await;
    assert_eq!(
        param(&params, "error_description"),
        Some("Login failed due to request timeout. Please try again from Care Records"),
        "replayed"
    );

    // A hand-off for B presented by another client (here A itself) fails.
    let hint = start(&w, &handoff(&app, &w, "care-connect").await.unwrap()).await;
    let (params, _) = b_authorizes(&w, &w.a, &hint).await;
    assert_eq!(param(&params, "error"), Some("access_denied"));
    // A forged or tampered hint fails.
    let forged = format!("{}AAAA", &hint[..hint.len() - 4]);
    let (params, _) = b_authorizes(&w, &w.b, &forged).await;
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert!(param(&params, "error_description").unwrap().starts_with("Login failed due to request timeout."));
    app.stop().await;
}

async fn u1_without_unified_login_there_is_no_handoff(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app, false).await;
    let err = handoff(&app, &w, "care-connect").await.unwrap_err();
    assert_eq!(err["error"], "access_denied");
    // The applications learn it from the ID token / userinfo to hide their buttons.
    let payload = w.a_id_token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap(),
    )
    .unwrap();
    assert_eq!(claims["unified_login"], false);
    // Another client cannot ask with A's ID token.
    let res =
        w.b.post(
            &at(&app, "/unified-login/handoff"),
            &[("target_client_id", "care-records"), ("id_token_hint", &w.a_id_token)],
        )
        .await;
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"], "invalid_grant");
    app.stop().await;
}

async fn u3_errors_in_b_have_their_exact_texts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app, true).await;
    let accounts = &app.state.accounts;
    let try_b = async |w: &World| {
        let hint = start(w, &handoff(&app, w, "care-connect").await.unwrap()).await;
        let (params, _) = b_authorizes(w, &w.b, &hint).await;
        param(&params, "error_description").map(String::from)
    };
    accounts
        .admin(crate::support::operator())
        .set_app_access("ACME", "alice", "care-connect", "admin_locked")
        .await
        .unwrap();
    assert_eq!(
        try_b(&w).await.as_deref(),
        Some("Your Care Connect account has been locked. Please contact your agency administrator")
    );
    accounts
        .admin(crate::support::operator())
        .set_app_access("ACME", "alice", "care-connect", "deactivated")
        .await
        .unwrap();
    assert_eq!(try_b(&w).await.as_deref(), Some("Invalid Credential"));
    accounts.admin(crate::support::operator()).set_app_access("ACME", "alice", "care-connect", "active").await.unwrap();
    assert_eq!(try_b(&w).await, None, "T4: access per application, independently");
    app.stop().await;
}

async fn u3_provider_not_in_b_is_invalid_credential(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app, true).await;
    let mut meta = rp::metadata(false);
    meta.initiate_login_uri = Some(INITIATE.into());
    let other = rp::register_named(&app, "elsewhere", "Elsewhere", meta, &[]).await;
    let hint = start(&w, &handoff(&app, &w, "elsewhere").await.unwrap()).await;
    let (params, _) = b_authorizes(&w, &other, &hint).await;
    assert_eq!(param(&params, "error_description"), Some("Invalid Credential"));
    app.stop().await;
}

async fn u4_l6_sessions_stay_independent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app, true).await;
    let hint = start(&w, &handoff(&app, &w, "care-connect").await.unwrap()).await;
    let (params, req) = b_authorizes(&w, &w.b, &hint).await;
    let b_tokens = w.b.exchange(param(&params, "code").unwrap(), req.verifier).await;
    // A signs out at Lanyard (RP-initiated logout with its ID token).
    let mut url = url::Url::parse(&at(&app, "/end-session")).unwrap();
    url.query_pairs_mut().append_pair("id_token_hint", &w.a_id_token);
    w.browser.get(url.as_str()).send().await.unwrap();
    let access = openidconnect::OAuth2TokenResponse::access_token(&b_tokens).secret().clone();
    let res = reqwest::Client::new().get(at(&app, "/userinfo")).bearer_auth(access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "B stays signed in after A signs out");
    app.stop().await;
}

backend_tests! {
    u2_happy_path => u2_happy_path_opens_b_signed_in,
    u2_thirty_seconds => u2_29_seconds_work_31_fail,
    u2_single_use => u2_each_handoff_works_once_for_its_target_only,
    u1_not_enabled => u1_without_unified_login_there_is_no_handoff,
    u3_texts => u3_errors_in_b_have_their_exact_texts,
    u3_provider_not_in_b => u3_provider_not_in_b_is_invalid_credential,
    u4_independent_sessions => u4_l6_sessions_stay_independent,
}

/// Only a confidential client's back end can prove it is A: a public client's id is no proof.
async fn u2_public_clients_cannot_start_handoffs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app, true).await;
    let public = rp::register_named(&app, "spa", "SPA", rp::metadata(true), &["ACME"]).await;
    let (code, req) = code_for_alice(&app, &public, &w.browser).await;
    let tokens = public.exchange(&code, req.verifier).await;
    let hint = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    let res = reqwest::Client::new()
        .post(at(&app, "/unified-login/handoff"))
        .form(&[("client_id", "spa"), ("target_client_id", "care-connect"), ("id_token_hint", hint.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"], "unauthorized_client");
    // And an old ID token no longer starts one.
    app.clock.advance(app.state.config.session_ttl_secs + 1);
    assert_eq!(handoff(&app, &w, "care-connect").await.unwrap_err()["error"], "invalid_grant");
    app.stop().await;
}

backend_tests! {
    u2_public_client => u2_public_clients_cannot_start_handoffs,
}
