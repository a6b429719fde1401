//! `id_token_hint` accepts ID tokens only: Lanyard's logout tokens and JWT access tokens carry
//! the same keys and audience, and must not pass for one (OIDC Core §3.1.2.1; RP-Initiated
//! Logout §2). At `/end-session` the hint proves the application asking only for the session
//! its ID token came from.

use reqwest::StatusCode;

use super::rp::{self, LOGOUT_REDIRECT, at, callback, code_for_alice, param, setup};
use crate::backend_tests;
use crate::oidc::logout::capture_server;
use crate::support::{Backend, TestApp};

async fn end_session(browser: &reqwest::Client, app: &TestApp, hint: &str) -> reqwest::Response {
    let mut url = url::Url::parse(&at(app, "/end-session")).unwrap();
    url.query_pairs_mut().append_pair("id_token_hint", hint).append_pair("post_logout_redirect_uri", LOGOUT_REDIRECT);
    browser.get(url.as_str()).send().await.unwrap()
}

async fn other_signed_tokens_are_not_id_token_hints(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let (uri, seen) = capture_server().await;
    let mut meta = rp::metadata(false);
    meta.access_token_format = lanyard::domain::application::AccessTokenFormat::Jwt;
    meta.backchannel_logout_uri = Some(uri);
    let jwt_rp = rp::register(&app, "jwt-app", meta, &["ACME"]).await;
    let browser = app.browser();
    let (code, req) = code_for_alice(&app, &jwt_rp, &browser).await;
    let tokens = jwt_rp.exchange(&code, req.verifier).await;
    let access = openidconnect::OAuth2TokenResponse::access_token(&tokens).secret().clone();
    assert_eq!(access.split('.').count(), 3, "an RFC 9068 JWT access token");

    // A JWT access token is refused as a hint everywhere.
    let res = end_session(&browser, &app, &access).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "end-session");
    let res = browser.get(jwt_rp.request(&[("id_token_hint", &access)]).url.as_str()).send().await.unwrap();
    assert_eq!(param(&callback(&res), "error"), Some("invalid_request"), "authorize");
    let res = jwt_rp
        .post(&at(&app, "/unified-login/handoff"), &[("target_client_id", "app"), ("id_token_hint", &access)])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "hand-off");

    // A logout token is refused too: sign out with the real ID token, then try what arrived.
    let id_token = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    assert_eq!(end_session(&browser, &app, &id_token).await.status(), StatusCode::SEE_OTHER);
    let mut logout = None;
    for _ in 0..200 {
        if let Some(b) = seen.lock().await.first() {
            logout = Some(b.strip_prefix("logout_token=").unwrap().to_string());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let logout = logout.expect("a logout token");
    assert_eq!(end_session(&app.browser(), &app, &logout).await.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

/// An ID token from an earlier session of the same user is not proof for this one: the person
/// is asked, and nothing is signed out until they confirm.
async fn an_older_sessions_id_token_asks_the_person(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let first = app.browser();
    let (code, req) = code_for_alice(&app, &rp, &first).await;
    let old = openidconnect::TokenResponse::id_token(&rp.exchange(&code, req.verifier).await).unwrap().to_string();
    let second = app.browser();
    code_for_alice(&app, &rp, &second).await;
    let res = end_session(&second, &app, &old).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Sign out of Lanyard?"), "the person confirms");
    let res = second.get(at(&app, "/account")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "still signed in until confirmed");
    app.stop().await;
}

backend_tests! {
    hints_only_id_tokens => other_signed_tokens_are_not_id_token_hints,
    hints_older_session => an_older_sessions_id_token_asks_the_person,
}
