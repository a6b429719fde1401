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

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(part: &str) -> serde_json::Value {
    use base64::Engine;
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// Issue 11 (8): forged and foreign hints, each refused at all three places a hint is read —
/// `/end-session` (400), `/authorize` (invalid_request), the hand-off (400) — while the real ID
/// token they were made from is accepted (the control).
async fn forged_id_token_hints_are_refused_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let browser = app.browser();
    let (code, req) = code_for_alice(&app, &rp, &browser).await;
    let tokens = rp.exchange(&code, req.verifier).await;
    let real = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    let parts: Vec<&str> = real.split('.').collect();
    let (header, claims) = (unb64(parts[0]), unb64(parts[1]));
    let signing_input = |h: &serde_json::Value, c: &serde_json::Value| {
        format!("{}.{}", b64(h.to_string().as_bytes()), b64(c.to_string().as_bytes()))
    };

    let mut forged = Vec::new();
    // alg: none, no signature.
    let mut none = header.clone();
    none["alg"] = "none".into();
    forged.push(("alg none", format!("{}.", signing_input(&none, &claims))));
    // HS256 keyed with our public key, as published in the JWKS (algorithm confusion).
    let jwks: serde_json::Value = reqwest::get(at(&app, "/jwks")).await.unwrap().json().await.unwrap();
    let public = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).unwrap().to_string();
    let mut hs = header.clone();
    hs["alg"] = "HS256".into();
    let input = signing_input(&hs, &claims);
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, public.as_bytes());
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    forged.push(("HS256 with the public key", format!("{input}.{}", b64(tag.as_ref()))));
    // A kid we never had, with the real signature.
    let mut unknown = header.clone();
    unknown["kid"] = "not-one-of-ours".into();
    forged.push(("unknown kid", format!("{}.{}", signing_input(&unknown, &claims), parts[2])));
    // Our key, our typ, but another issuer's token.
    let signer = app.state.oidc.ring.signer(lanyard::oidc::keys::Alg::RS256).unwrap();
    let mut foreign = claims.clone();
    foreign["iss"] = "https://evil.example".into();
    forged.push(("foreign iss", lanyard::oidc::jwt::sign(&signer, "JWT", &foreign).unwrap()));
    // The real token with its payload changed (the signature no longer matches).
    let mut other_sub = claims.clone();
    other_sub["sub"] = "someone-else".into();
    forged.push(("tampered claims", format!("{}.{}", signing_input(&header, &other_sub), parts[2])));

    for (what, hint) in &forged {
        let res = end_session(&app.browser(), &app, hint).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "end-session: {what}");
        let res = browser.get(rp.request(&[("id_token_hint", hint)]).url.as_str()).send().await.unwrap();
        assert_eq!(param(&callback(&res), "error"), Some("invalid_request"), "authorize: {what}");
        let res =
            rp.post(&at(&app, "/unified-login/handoff"), &[("target_client_id", "app"), ("id_token_hint", hint)]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "hand-off: {what}");
    }
    // Control: the real token is a hint the authorization endpoint takes.
    let res = browser.get(rp.request(&[("id_token_hint", &real)]).url.as_str()).send().await.unwrap();
    assert!(param(&callback(&res), "code").is_some(), "the real ID token is accepted");
    app.stop().await;
}

backend_tests! {
    forged_hints => forged_id_token_hints_are_refused_everywhere,
}

backend_tests! {
    hints_only_id_tokens => other_signed_tokens_are_not_id_token_hints,
    hints_older_session => an_older_sessions_id_token_asks_the_person,
}
