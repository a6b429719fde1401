//! The authorization endpoint's checks and its answers: pages where the redirect target is not
//! verified, spec error codes at the client otherwise.

use reqwest::StatusCode;

use super::rp::{REDIRECT, at, browse, callback, param, setup};
use crate::backend_tests;
use crate::support::{Backend, PASSWORD, TestApp};

fn authorize_url(app: &TestApp, pairs: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&at(app, "/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    url.to_string()
}

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn base(client: &str) -> Vec<(&str, &str)> {
    vec![
        ("client_id", client),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "s1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

fn with<'a>(client: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p: Vec<_> = base(client).into_iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).collect();
    p.extend(changes.iter().filter(|(_, v)| !v.is_empty()));
    p
}

async fn unverified_targets_get_a_page_never_a_redirect(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (why, params) in [
        ("unregistered redirect_uri", with("app", &[("redirect_uri", "http://localhost:4000/evil")])),
        (
            "redirect_uri differing only by a trailing slash",
            with("app", &[("redirect_uri", "http://localhost:4000/callback/")]),
        ),
        ("unknown client", with("nobody", &[])),
        ("no redirect_uri", with("app", &[("redirect_uri", "")])),
    ] {
        let res = client.get(authorize_url(&app, &params)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{why}");
        assert!(res.headers().get("location").is_none(), "{why}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    }
    app.stop().await;
}

async fn errors_redirect_with_spec_codes_state_and_iss(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let mut public = super::rp::metadata(true);
    public.redirect_uris = vec![REDIRECT.into()];
    super::rp::register(&app, "spa", public, &["ACME"]).await;
    let browser = app.browser();
    for (why, params, code) in [
        ("implicit flow", with("app", &[("response_type", "token")]), "unsupported_response_type"),
        ("no openid scope", with("app", &[("scope", "profile")]), "invalid_scope"),
        ("plain PKCE", with("app", &[("code_challenge_method", "plain")]), "invalid_request"),
        (
            "public client without PKCE",
            with("spa", &[("code_challenge", ""), ("code_challenge_method", "")]),
            "invalid_request",
        ),
        ("prompt=none without a session", with("app", &[("prompt", "none")]), "login_required"),
        // RFC 9101: a request object that is not one; the outer redirect_uri is registered.
        ("a malformed request object", with("app", &[("request", "eyJ.x.y")]), "invalid_request_object"),
        ("bad max_age", with("app", &[("max_age", "-1")]), "invalid_request"),
    ] {
        let res = browser.get(authorize_url(&app, &params)).send().await.unwrap();
        let p = callback(&res);
        assert_eq!(param(&p, "error"), Some(code), "{why}");
        assert_eq!(param(&p, "state"), Some("s1"), "{why}");
        assert_eq!(param(&p, "iss"), Some(super::rp::issuer(&app).as_str()), "{why}");
    }
    app.stop().await;
}

async fn sso_session_answers_without_a_password_until_prompt_or_max_age(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let browser = app.browser();
    let first = browse(&app, &browser, &authorize_url(&app, &base("app")), Some(("alice", PASSWORD))).await;
    assert!(param(&callback(&first), "code").is_some());
    // Second request: the session answers, no sign-in page.
    let again = browse(&app, &browser, &authorize_url(&app, &base("app")), None).await;
    assert!(param(&callback(&again), "code").is_some());
    let silent = browse(&app, &browser, &authorize_url(&app, &with("app", &[("prompt", "none")])), None).await;
    assert!(param(&callback(&silent), "code").is_some(), "prompt=none with a session");
    // prompt=login insists on a password.
    let res = browse(&app, &browser, &authorize_url(&app, &with("app", &[("prompt", "login")])), None).await;
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login?auth="));
    // max_age: an older sign-in is not enough.
    app.clock.advance(120);
    let res = browse(&app, &browser, &authorize_url(&app, &with("app", &[("max_age", "60")])), None).await;
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login?auth="));
    let res =
        browse(&app, &browser, &authorize_url(&app, &with("app", &[("max_age", "60")])), Some(("alice", PASSWORD)))
            .await;
    assert!(param(&callback(&res), "code").is_some());
    app.stop().await;
}

async fn form_post_answers_with_a_self_submitting_form(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let browser = app.browser();
    let res = browse(
        &app,
        &browser,
        &authorize_url(&app, &with("app", &[("response_mode", "form_post")])),
        Some(("alice", PASSWORD)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let html = res.text().await.unwrap().replace("&#x2f;", "/");
    assert!(html.contains(&format!("action=\"{REDIRECT}\"")), "{html}");
    assert!(html.contains("name=\"code\"") && html.contains("name=\"state\" value=\"s1\""));
    app.stop().await;
}

async fn login_hint_prefills_the_login_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let browser = app.browser();
    let res = browser.get(authorize_url(&app, &with("app", &[("login_hint", "alice")]))).send().await.unwrap();
    let login = at(&app, res.headers()["location"].to_str().unwrap());
    let html = browser.get(login).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"login_name\" name=\"login_name\" type=\"text\" value=\"alice\""), "{html}");
    app.stop().await;
}

async fn t4_providers_not_registered_for_the_app_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    app.tenant("OTHER").await;
    app.user("OTHER", "olga").await;
    let browser = app.browser();
    let start = browser.get(authorize_url(&app, &base("app"))).send().await.unwrap();
    let login = at(&app, start.headers()["location"].to_str().unwrap());
    let auth = login.split("auth=").nth(1).unwrap().to_string();
    let page = browser.get(&login).send().await.unwrap().text().await.unwrap();
    let res = browser
        .post(at(&app, "/login"))
        .form(&[
            ("csrf", crate::support::csrf_of(&page).as_str()),
            ("auth", &auth),
            ("login_name", "olga"),
            ("password", PASSWORD),
            ("provider_code", "OTHER"),
        ])
        .send()
        .await
        .unwrap();
    let resume = at(&app, res.headers()["location"].to_str().unwrap());
    let res = browser.get(resume).send().await.unwrap();
    assert_eq!(param(&callback(&res), "error"), Some("access_denied"));
    app.stop().await;
}

async fn l4_no_code_until_the_password_is_changed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user(
            "ACME",
            "newbie",
            lanyard::domain::user::UserType::Regular,
            &lanyard::secret::Secret::new("Temporary-1"),
            true,
        )
        .await
        .unwrap();
    let browser = app.browser();
    let res = browse(&app, &browser, &authorize_url(&app, &base("app")), Some(("newbie", "Temporary-1"))).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/password/change?auth="), "{location}");
    // prompt=none cannot skip it either.
    let silent = browser.get(authorize_url(&app, &with("app", &[("prompt", "none")]))).send().await.unwrap();
    assert_eq!(param(&callback(&silent), "error"), Some("interaction_required"));
    let page = browser.get(at(&app, &location)).send().await.unwrap().text().await.unwrap();
    let auth = location.split("auth=").nth(1).unwrap();
    assert!(page.contains(&format!("name=\"auth\" value=\"{auth}\"")));
    let res = browser
        .post(at(&app, "/password/change"))
        .form(&[
            ("csrf", crate::support::csrf_of(&page).as_str()),
            ("auth", auth),
            ("new_password", "Brand-New-Pass1"),
            ("confirm_password", "Brand-New-Pass1"),
        ])
        .send()
        .await
        .unwrap();
    let resume = at(&app, res.headers()["location"].to_str().unwrap());
    let res = browser.get(resume).send().await.unwrap();
    assert!(param(&callback(&res), "code").is_some());
    app.stop().await;
}

backend_tests! {
    authorize_unverified_target => unverified_targets_get_a_page_never_a_redirect,
    authorize_error_codes => errors_redirect_with_spec_codes_state_and_iss,
    authorize_sso => sso_session_answers_without_a_password_until_prompt_or_max_age,
    authorize_form_post => form_post_answers_with_a_self_submitting_form,
    authorize_login_hint => login_hint_prefills_the_login_name,
    authorize_t4 => t4_providers_not_registered_for_the_app_are_refused,
    authorize_l4 => l4_no_code_until_the_password_is_changed,
}
