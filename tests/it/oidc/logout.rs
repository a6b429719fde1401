//! RP-Initiated Logout 1.0 and L6: signing out ends the Lanyard session only.

use reqwest::StatusCode;

use super::rp::{LOGOUT_REDIRECT, at, code_for_alice, setup};
use crate::backend_tests;
use crate::support::{Backend, TestApp};

async fn end_session_with_hint_redirects_with_state(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let browser = app.browser();
    let (code, req) = code_for_alice(&app, &rp, &browser).await;
    let tokens = rp.exchange(&code, req.verifier).await;
    let hint = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    let mut url = url::Url::parse(&at(&app, "/end-session")).unwrap();
    url.query_pairs_mut()
        .append_pair("id_token_hint", &hint)
        .append_pair("post_logout_redirect_uri", LOGOUT_REDIRECT)
        .append_pair("state", "bye");
    let res = browser.get(url.as_str()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("{LOGOUT_REDIRECT}?state=bye"));
    // The Lanyard session is gone: the next authorization asks for a password.
    let next = rp.request(&[]);
    let res = browser.get(next.url.as_str()).send().await.unwrap();
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login?auth="));
    app.stop().await;
}

async fn unregistered_post_logout_redirects_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let mut url = url::Url::parse(&at(&app, "/end-session")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", "app")
        .append_pair("post_logout_redirect_uri", "http://localhost:4000/evil");
    let res = app.browser().get(url.as_str()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.headers().get("location").is_none());
    let res = app.browser().get(at(&app, "/end-session?id_token_hint=forged.token.value")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

async fn without_a_hint_the_user_confirms(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let browser = app.browser();
    code_for_alice(&app, &rp, &browser).await;
    let page = browser.get(at(&app, "/end-session")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sign out of Lanyard?"));
    let res = browser
        .post(at(&app, "/end-session"))
        .form(&[("csrf", crate::support::csrf_of(&page).as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("You have been signed out of Lanyard."));
    let res = browser.get(rp.request(&[]).url.as_str()).send().await.unwrap();
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login?auth="));
    app.stop().await;
}

async fn l6_signing_out_of_lanyard_leaves_application_tokens_alone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let browser = app.browser();
    let (code, req) = code_for_alice(&app, &rp, &browser).await;
    let tokens = rp.exchange(&code, req.verifier).await;
    let page = browser.get(at(&app, "/account")).send().await.unwrap().text().await.unwrap();
    browser.post(at(&app, "/logout")).form(&[("csrf", crate::support::csrf_of(&page))]).send().await.unwrap();
    let access = openidconnect::OAuth2TokenResponse::access_token(&tokens).secret().clone();
    let res = reqwest::Client::new().get(at(&app, "/userinfo")).bearer_auth(access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the application's own session is independent (L6)");
    app.stop().await;
}

backend_tests! {
    logout_with_hint => end_session_with_hint_redirects_with_state,
    logout_unregistered => unregistered_post_logout_redirects_are_refused,
    logout_confirm => without_a_hint_the_user_confirms,
    l6_independent_sessions => l6_signing_out_of_lanyard_leaves_application_tokens_alone,
}

/// A tiny relying party back end that records what arrives at its backchannel_logout_uri.
pub async fn capture_server() -> (String, std::sync::Arc<tokio::sync::Mutex<Vec<String>>>) {
    use axum::routing::post;
    let seen = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let store = seen.clone();
    let app = axum::Router::new().route(
        "/backchannel",
        post(move |body: String| {
            let store = store.clone();
            async move {
                store.lock().await.push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}/backchannel", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn backchannel_logout_reaches_registered_applications_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (uri, seen) = capture_server().await;
    let rp = setup(&app).await;
    let mut meta = super::rp::metadata(false);
    meta.backchannel_logout_uri = Some(uri);
    let listening = super::rp::register(&app, "listening", meta, &["ACME"]).await;
    let browser = app.browser();
    let (code, req) = code_for_alice(&app, &listening, &browser).await;
    let tokens = listening.exchange(&code, req.verifier).await;
    let claims = listening.claims(&tokens, &req.nonce);
    code_for_alice(&app, &rp, &browser).await;

    // The application's own RP-initiated logout: it hears of its session's end (§2.7).
    let id_token = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    let mut url = url::Url::parse(&at(&app, "/end-session")).unwrap();
    url.query_pairs_mut().append_pair("id_token_hint", &id_token);
    browser.get(url.as_str()).send().await.unwrap();
    let mut body = None;
    for _ in 0..100 {
        if let Some(b) = seen.lock().await.first() {
            body = Some(b.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let body = body.expect("a logout token arrived");
    let token = body.strip_prefix("logout_token=").expect("form-encoded logout_token");
    let verified = lanyard::oidc::jwt::verify(&app.state.oidc.ring, token).expect("signed by Lanyard");
    assert_eq!(verified["iss"], super::rp::issuer(&app));
    assert_eq!(verified["aud"], "listening");
    assert_eq!(verified["sub"], claims.subject().as_str());
    let id_claims = lanyard::oidc::jwt::verify(&app.state.oidc.ring, &id_token).unwrap();
    assert_eq!(verified["sid"], id_claims["sid"], "the sid of the ID token");
    assert!(verified["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(verified.get("nonce").is_none(), "§2.4: a logout token has no nonce");
    assert_eq!(seen.lock().await.len(), 1, "only the application that registered is told");
    app.stop().await;
}

backend_tests! {
    backchannel_logout => backchannel_logout_reaches_registered_applications_only,
}

/// RP-Initiated Logout §2 allows POST; a cross-site POST carries no SameSite=Lax cookie, so
/// Lanyard re-asks with a top-level GET (which does) instead of "signing out" nothing.
async fn cross_site_post_is_turned_into_a_get(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let tokens = rp.exchange(&code, req.verifier).await;
    let hint = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    let no_cookies = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = no_cookies
        .post(at(&app, "/end-session"))
        .form(&[("id_token_hint", hint.as_str()), ("post_logout_redirect_uri", LOGOUT_REDIRECT), ("state", "s")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&at(&app, "/end-session?")), "{location}");
    assert!(location.contains("post_logout_redirect_uri=") && location.contains("state=s"));
    app.stop().await;
}

backend_tests! {
    logout_cross_site_post => cross_site_post_is_turned_into_a_get,
}
