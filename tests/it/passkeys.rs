//! F9–F12 on the server side, with a software authenticator performing real ceremonies
//! (`webauthn-authenticator-rs`): a key registers and is the second factor after the password;
//! a ceremony works once; a wrong answer counts under L3; another origin is refused; an
//! administrator's reset removes keys.

use lanyard::domain::user::UserStatus;
use reqwest::StatusCode;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

use crate::backend_tests;
use crate::oidc::rp::at;
use crate::second_factors::{page, password_step};
use crate::support::{AsLanyard, Backend, TestApp, csrf_of};

type Authenticator = WebauthnAuthenticator<SoftPasskey>;

fn origin(app: &TestApp) -> url::Url {
    url::Url::parse(&at(app, "/")).unwrap()
}

/// The options a page carries for its script.
fn options_of(html: &str) -> String {
    let start = html.find("id=\"webauthn-options\">").expect("the page carries a ceremony") + 22;
    html[start..].split("</script>").next().unwrap().to_string()
}

/// Alice registers a key through the accounts' API, as Settings does.
async fn registered(app: &TestApp) -> Authenticator {
    let mut key = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let accounts = &app.state.accounts;
    let (tenant, alice) = accounts.lanyard().user("ACME", "alice").await.unwrap();
    let started = accounts.passkeys().start_registration("sid-settings", &alice, &tenant, "Work laptop").await.unwrap();
    assert!(!started.mailed, "no verified address: no mailed code");
    let options: CreationChallengeResponse =
        serde_json::from_str(&format!("{{\"publicKey\":{}}}", started.options)).unwrap();
    let answer = key.do_registration(origin(app), options).unwrap();
    let answer = serde_json::to_string(&answer).unwrap();
    let added = accounts
        .passkeys()
        .finish_registration("sid-settings", &alice, &tenant, &answer, "", &Default::default())
        .await
        .unwrap();
    assert_eq!(added.name, "Work laptop");
    key
}

/// The second-factor page's ceremony, answered by `key` as if at `from`.
async fn assertion(
    app: &TestApp,
    browser: &reqwest::Client,
    key: &mut Authenticator,
    from: url::Url,
) -> (String, String) {
    let html = page(app, browser, "/sign-in/second-factor").await;
    let options: RequestChallengeResponse =
        serde_json::from_str(&format!("{{\"publicKey\":{}}}", options_of(&html))).unwrap();
    let answer = key.do_authentication(from, options).unwrap();
    (csrf_of(&html), serde_json::to_string(&answer).unwrap())
}

/// `answer` with its client data's origin replaced.
fn other_origin(answer: &str, ours: &str, theirs: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut answer: serde_json::Value = serde_json::from_str(answer).unwrap();
    let data = answer["response"]["clientDataJSON"].as_str().unwrap().to_string();
    let client_data = String::from_utf8(b64.decode(data.trim_end_matches('=')).unwrap()).unwrap();
    let moved = client_data.replace(ours.trim_end_matches('/'), theirs.trim_end_matches('/'));
    assert_ne!(moved, client_data, "the origin is in the client data: {client_data}");
    answer["response"]["clientDataJSON"] = serde_json::Value::String(b64.encode(moved));
    answer.to_string()
}

async fn post(app: &TestApp, browser: &reqwest::Client, csrf: &str, answer: &str) -> reqwest::Response {
    let form = [("csrf", csrf), ("assertion", answer)];
    browser.post(at(app, "/sign-in/second-factor")).form(&form).send().await.unwrap()
}

async fn f9_f10_a_key_is_the_second_factor_after_the_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let mut key = registered(&app).await;
    let browser = password_step(&app).await;
    let (csrf, answer) = assertion(&app, &browser, &mut key, origin(&app)).await;
    let res = post(&app, &browser, &csrf, &answer).await;
    assert_eq!(res.headers()["location"], "/account", "F10: the key completes the sign-in");
    assert_eq!(browser.get(at(&app, "/account")).send().await.unwrap().status(), StatusCode::OK);
    let accounts = &app.state.accounts;
    let (tenant, alice) = accounts.lanyard().user("ACME", "alice").await.unwrap();
    let keys = accounts.factors().enrolled(alice.id).await.unwrap().passkeys;
    assert_eq!(keys.len(), 1);
    assert!(keys[0].last_used_at.is_some(), "F9: last used is kept");
    let kinds: Vec<String> = accounts
        .lanyard()
        .activity(&tenant, Some(&alice), None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.iter().any(|k| k == "mfa_verified") && kinds.iter().any(|k| k == "mfa_enrolled"), "{kinds:?}");
    app.stop().await;
}

async fn f10_a_ceremony_works_once_and_wrong_answers_count_under_l3(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let mut key = registered(&app).await;
    let browser = password_step(&app).await;
    let (csrf, answer) = assertion(&app, &browser, &mut key, origin(&app)).await;
    // The same answer twice in a fresh sign-in: its ceremony is gone, so it is a wrong answer.
    let thief = password_step(&app).await;
    let html = page(&app, &thief, "/sign-in/second-factor").await;
    let res = post(&app, &thief, &csrf_of(&html), &answer).await;
    assert_eq!(res.status(), StatusCode::OK, "F10: another session's answer is not accepted");
    // F12: an answer whose client data names another origin (a phishing page's) is refused,
    // and counted. (The software key itself refuses to sign for an origin outside the RP id.)
    let (csrf2, answer2) = assertion(&app, &thief, &mut key, origin(&app)).await;
    let elsewhere = other_origin(&answer2, &at(&app, "/"), "https://lanyard-login.example/");
    let res = post(&app, &thief, &csrf2, &elsewhere).await;
    assert_eq!(res.status(), StatusCode::OK, "F12: another origin is refused");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.failed_attempts, 2, "L3: each wrong answer counted once");
    // The right answer in its own session still works, and clears the count.
    let res = post(&app, &browser, &csrf, &answer).await;
    assert_eq!(res.headers()["location"], "/account");
    // Replayed once accepted: refused.
    let again = password_step(&app).await;
    let html = page(&app, &again, "/sign-in/second-factor").await;
    let res = post(&app, &again, &csrf_of(&html), &answer).await;
    assert_eq!(res.status(), StatusCode::OK, "a used answer is refused");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.failed_attempts, 1);
    assert_eq!(alice.status, UserStatus::Active);
    app.stop().await;
}

async fn f11_an_administrators_reset_removes_keys(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    registered(&app).await;
    let operator = app.state.accounts.admin(crate::support::operator());
    let after = operator.reset_second_factors("ACME", "alice").await.unwrap();
    assert!(after.passkeys.is_empty(), "F11: the reset removes passkeys too");
    let res = crate::second_factors::sign_in(&app, &app.browser(), "alice", crate::support::PASSWORD, "ACME").await;
    assert_eq!(res.headers()["location"], "/account", "the password alone signs in again");
    app.stop().await;
}

backend_tests! {
    f9_f10_key_is_second_factor => f9_f10_a_key_is_the_second_factor_after_the_password,
    f10_ceremony_once_and_l3 => f10_a_ceremony_works_once_and_wrong_answers_count_under_l3,
    f11_reset_removes_keys => f11_an_administrators_reset_removes_keys,
}
