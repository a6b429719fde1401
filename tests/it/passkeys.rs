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

pub(crate) type Authenticator = WebauthnAuthenticator<SoftPasskey>;

pub(crate) fn origin(app: &TestApp) -> url::Url {
    url::Url::parse(&at(app, "/")).unwrap()
}

/// The options a page carries for its script.
pub(crate) fn options_of(html: &str) -> String {
    let start = html.find("id=\"webauthn-options\">").expect("the page carries a ceremony") + 22;
    html[start..].split("</script>").next().unwrap().to_string()
}

/// Alice registers a key through the accounts' API, as Settings does.
async fn registered(app: &TestApp) -> Authenticator {
    registered_as(app, "ACME", "alice", true).await
}

/// `login` registers a key that verifies its holder (`user_verified`) or only their presence.
pub(crate) async fn registered_as(app: &TestApp, code: &str, login: &str, user_verified: bool) -> Authenticator {
    let mut key = WebauthnAuthenticator::new(SoftPasskey::new(user_verified));
    let accounts = &app.state.accounts;
    let (tenant, alice) = accounts.lanyard().user(code, login).await.unwrap();
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

async fn f8_a_key_proved_session_opens_b_and_b_asks_only_for_the_key(backend: Backend) {
    use crate::oidc::rp::{callback, param};
    use crate::unified::{handoff, start, world};
    let app = TestApp::spawn(backend).await;
    // alice is signed in to A with her password; her key is registered afterwards.
    let w = world(&app, true).await;
    let mut meta = crate::oidc::rp::metadata(false);
    meta.initiate_login_uri = Some("http://localhost:4002/initiate".into());
    meta.require_mfa = true;
    let strict = crate::oidc::rp::register_named(&app, "care-strict", "Care Strict", meta, &["ACME"]).await;
    let mut key = registered(&app).await;
    let hint = start(&w, &handoff(&app, &w, "care-strict").await.unwrap()).await;
    let req = strict.request(&[("login_hint", &hint)]);
    let res = w.browser.get(req.url.as_str()).send().await.unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/sign-in/second-factor?auth="), "F8: the key, not the password: {location}");
    let auth = location.split("auth=").nth(1).unwrap().to_string();
    let html = page(&app, &w.browser, &location).await;
    let options: RequestChallengeResponse =
        serde_json::from_str(&format!("{{\"publicKey\":{}}}", options_of(&html))).unwrap();
    let answer = serde_json::to_string(&key.do_authentication(origin(&app), options).unwrap()).unwrap();
    let form = [("csrf", csrf_of(&html)), ("assertion", answer), ("auth", auth)];
    let res = w.browser.post(at(&app, "/sign-in/second-factor")).form(&form).send().await.unwrap();
    let next = res.headers()["location"].to_str().unwrap().to_string();
    let res = w.browser.get(at(&app, &next)).send().await.unwrap();
    let tokens = strict.exchange(param(&callback(&res), "code").unwrap(), req.verifier).await;
    let raw = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    let payload = raw.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["acr"], "urn:lanyard:acr:mfa");
    let amr = claims["amr"].as_array().unwrap();
    assert!(amr.iter().any(|m| m == "hwk" || m == "swk") && amr.iter().any(|m| m == "mfa"), "F10: {amr:?}");
    assert_eq!(claims["initiated_from"]["client_id"], "care-records", "still a unified login (U2)");
    // The session has proved a key now: the next hand-off opens B without asking.
    let hint = start(&w, &handoff(&app, &w, "care-strict").await.unwrap()).await;
    let req = strict.request(&[("login_hint", &hint)]);
    let res = w.browser.get(req.url.as_str()).send().await.unwrap();
    assert!(param(&callback(&res), "code").is_some(), "F8: the level travels with the session");
    app.stop().await;
}

async fn f9_f10_a_ceremony_begun_on_one_node_ends_on_another(backend: Backend) {
    let first = TestApp::spawn(backend).await;
    // One deployment behind one public name: both nodes have the first's issuer.
    let issuer = at(&first, "");
    let second = TestApp::spawn_on(first.scratch.share(), &[("LANYARD_ISSUER", issuer.clone())]).await;
    first.tenant("ACME").await;
    first.user("ACME", "alice").await;
    let (tenant, alice) = first.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let mut key = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let started = first.state.accounts.passkeys().start_registration("sid-n", &alice, &tenant, "Key").await.unwrap();
    let options: CreationChallengeResponse =
        serde_json::from_str(&format!("{{\"publicKey\":{}}}", started.options)).unwrap();
    let answer = serde_json::to_string(&key.do_registration(origin(&first), options).unwrap()).unwrap();
    let on_second = second.state.accounts.passkeys();
    on_second.finish_registration("sid-n", &alice, &tenant, &answer, "", &Default::default()).await.unwrap();
    // The sign-in's ceremony: the page from the first node, the answer to the second.
    let browser = password_step(&first).await;
    let (csrf, answer) = assertion(&first, &browser, &mut key, origin(&first)).await;
    let to_second = format!("http://localhost:{}/sign-in/second-factor", second.addr.port());
    let res =
        browser.post(to_second).form(&[("csrf", csrf.as_str()), ("assertion", answer.as_str())]).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/account", "F9: the ceremony's state is shared by the nodes");
    second.stop().await;
    first.stop().await;
}

async fn f9_removing_a_key_takes_the_mailed_code(backend: Backend) {
    use crate::factor_changes::{digits_after, mail_to, verified};
    use lanyard::accounts::passkey_removal::Removal;
    let (app, sink) = crate::support::spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    registered(&app).await;
    verified(&app, "alice", "alice@acme.example").await;
    let accounts = &app.state.accounts;
    let (tenant, alice) = accounts.lanyard().user("ACME", "alice").await.unwrap();
    let key = accounts.passkeys().list(alice.id).await.unwrap()[0].id;
    let origin = Default::default();
    let asked = accounts.passkeys().start_removal("sid-r", &alice, &tenant, key, &origin).await.unwrap();
    assert!(matches!(asked, Removal::Mailed), "F2, F9: a verified address confirms the removal");
    let first = digits_after(&mail_to(&sink, "alice@acme.example", "remove a passkey").await, "security key is ");
    let wrong = if first == "000000" { "111111" } else { "000000" };
    let wrong = accounts.passkeys().confirm_removal("sid-r", &alice, &tenant, wrong, &origin).await;
    assert!(wrong.is_err());
    assert_eq!(accounts.passkeys().list(alice.id).await.unwrap().len(), 1, "a wrong code removes nothing");
    let again = accounts.passkeys().confirm_removal("sid-r", &alice, &tenant, &first, &origin).await;
    assert!(again.is_err(), "one try per mailed code: the right one after a wrong one is too late");
    assert!(matches!(
        accounts.passkeys().start_removal("sid-r", &alice, &tenant, key, &origin).await.unwrap(),
        Removal::Mailed
    ));
    // The second mail's code (mails arrive in either order).
    let mut waited = 0;
    let code = loop {
        waited += 1;
        assert!(waited < 400, "the second removal mail never arrived");
        let all = sink.messages.lock().await.clone();
        let codes: Vec<String> = all
            .iter()
            .map(|m| crate::smtp_sink::decode(m))
            .filter(|m| m.contains("remove a passkey"))
            .map(|m| digits_after(&m, "security key is "))
            .collect();
        if codes.len() >= 2 {
            break codes.into_iter().find(|c| *c != first).unwrap_or(first.clone());
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    accounts.passkeys().confirm_removal("sid-r", &alice, &tenant, &code, &origin).await.unwrap();
    assert!(accounts.passkeys().list(alice.id).await.unwrap().is_empty(), "F9: removed");
    app.stop().await;
}

backend_tests! {
    f9_f10_key_is_second_factor => f9_f10_a_key_is_the_second_factor_after_the_password,
    f10_ceremony_once_and_l3 => f10_a_ceremony_works_once_and_wrong_answers_count_under_l3,
    f11_reset_removes_keys => f11_an_administrators_reset_removes_keys,
    f8_key_level_travels => f8_a_key_proved_session_opens_b_and_b_asks_only_for_the_key,
    f9_ceremony_across_nodes => f9_f10_a_ceremony_begun_on_one_node_ends_on_another,
    f9_removal_takes_mailed_code => f9_removing_a_key_takes_the_mailed_code,
}
