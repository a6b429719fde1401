//! F4, F9: the phishing-resistant policies. Where a provider requires a passkey or security key
//! (of its administrators, or of everyone), a person without one sets one up as a required step
//! of the sign-in (F1) — an app's code proves them, but does not settle it — and a person with
//! one gives it: an app's code or a recovery code, which a phishing page could relay, is not
//! asked and not counted.

use lanyard::domain::second_factor::MfaPolicy;
use lanyard::domain::tenant::TenantChanges;
use lanyard::domain::user::UserType;
use reqwest::StatusCode;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

use crate::backend_tests;
use crate::oidc::rp::at;
use crate::passkeys::{Authenticator, options_of, origin};
use crate::second_factors::{code, code_post, enrol_directly, page, sign_in};
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, alert_of, csrf_of};

async fn policy(app: &TestApp, policy: MfaPolicy) {
    let changes = TenantChanges { mfa_policy: Some(policy), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// The sign-in's key setup page, answered by a new software key: where it goes next.
async fn set_up_key(app: &TestApp, browser: &reqwest::Client) -> (Authenticator, String) {
    let html = page(app, browser, "/sign-in/passkey/setup").await;
    assert!(html.contains("Set up a passkey or security key"), "{html}");
    let form = [("csrf", csrf_of(&html)), ("step", "start".into()), ("name", "YubiKey".into())];
    let res = browser.post(at(app, "/sign-in/passkey/setup")).form(&form).send().await.unwrap();
    let html = res.text().await.unwrap();
    let options: CreationChallengeResponse =
        serde_json::from_str(&format!("{{\"publicKey\":{}}}", options_of(&html))).unwrap();
    let mut key = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let answer = serde_json::to_string(&key.do_registration(origin(app), options).unwrap()).unwrap();
    let form = [("csrf", csrf_of(&html)), ("step", "finish".into()), ("answer", answer)];
    let res = browser.post(at(app, "/sign-in/passkey/setup")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", alert_of(&res.text().await.unwrap()));
    (key, location(&res))
}

async fn f9_an_administrator_with_an_app_sets_up_a_key_and_then_only_the_key_will_do(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let operator = app.state.accounts.admin(crate::support::operator());
    let password = lanyard::secret::Secret::new(PASSWORD);
    operator.create_user("ACME", "boss", UserType::ProviderAdmin, &password, false).await.unwrap();
    let secret = enrol_directly(&app, "ACME", "boss").await;
    app.clock.advance(30);
    policy(&app, MfaPolicy::PasskeyAdministrators).await;

    // A regular person is not asked for anything under this policy.
    let res = sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    assert_eq!(location(&res), "/account");

    // The administrator proves the app, and still owes a key.
    let browser = app.browser();
    let res = sign_in(&app, &browser, "boss", PASSWORD, "ACME").await;
    assert_eq!(location(&res), "/sign-in/second-factor");
    let res = code_post(&app, &browser, &code(&secret, app.clock.now())).await;
    assert_eq!(location(&res), "/sign-in/second-factor/setup", "F1, F9: the key is owed still");
    let res = browser.get(at(&app, "/sign-in/second-factor/setup")).send().await.unwrap();
    assert_eq!(location(&res), "/sign-in/passkey/setup", "F9: an app does not settle it");
    assert_eq!(browser.get(at(&app, "/account")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    // An app set up here instead would settle nothing either.
    let res = browser.post(at(&app, "/sign-in/second-factor/setup")).form(&[("step", "confirm")]).send().await.unwrap();
    assert_eq!(location(&res), "/sign-in/passkey/setup");
    let (mut key, next) = set_up_key(&app, &browser).await;
    assert_eq!(next, "/account", "F9: with the key set up the sign-in is complete");

    // From now on only the key will do: no code field, and a code is neither checked nor counted.
    app.clock.advance(30);
    let browser = app.browser();
    let res = sign_in(&app, &browser, "boss", PASSWORD, "ACME").await;
    assert_eq!(location(&res), "/sign-in/second-factor");
    let html = page(&app, &browser, "/sign-in/second-factor").await;
    assert!(html.contains("webauthn-options") && !html.contains("name=\"code\""), "F9: the key alone: {html}");
    let res = code_post(&app, &browser, &code(&secret, app.clock.now())).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert_eq!(alert_of(&html).as_deref(), Some("Your provider asks for your passkey or security key."));
    let (_, boss) = app.state.accounts.lanyard().user("ACME", "boss").await.unwrap();
    assert_eq!(boss.failed_attempts, 0, "a code refused unchecked counts nothing");
    let options: RequestChallengeResponse =
        serde_json::from_str(&format!("{{\"publicKey\":{}}}", options_of(&html))).unwrap();
    let answer = serde_json::to_string(&key.do_authentication(origin(&app), options).unwrap()).unwrap();
    let form = [("csrf", csrf_of(&html)), ("assertion", answer)];
    let res = browser.post(at(&app, "/sign-in/second-factor")).form(&form).send().await.unwrap();
    assert_eq!(location(&res), "/account", "F9: the key signs the administrator in");
    app.stop().await;
}

async fn f9_under_passkey_everyone_a_person_without_factors_sets_up_a_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    policy(&app, MfaPolicy::PasskeyEveryone).await;
    let browser = app.browser();
    let res = sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    assert_eq!(location(&res), "/sign-in/second-factor/setup");
    let res = browser.get(at(&app, "/sign-in/second-factor/setup")).send().await.unwrap();
    assert_eq!(location(&res), "/sign-in/passkey/setup");
    // Hostile input: a name too long is a field message, and nothing is registered.
    let html = page(&app, &browser, "/sign-in/passkey/setup").await;
    let form = [("csrf", csrf_of(&html)), ("step", "start".into()), ("name", "k".repeat(65))];
    let res = browser.post(at(&app, "/sign-in/passkey/setup")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(alert_of(&res.text().await.unwrap()).is_some_and(|a| a.contains("shorter name")));
    let (_, next) = set_up_key(&app, &browser).await;
    assert_eq!(next, "/account");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(app.state.accounts.passkeys().list(alice.id).await.unwrap().len(), 1);
    // A session that is complete reaches no setup page.
    let res = browser.get(at(&app, "/sign-in/passkey/setup")).send().await.unwrap();
    assert_eq!(location(&res), "/login");
    app.stop().await;
}

backend_tests! {
    f9_admin_sets_up_key_then_key_only => f9_an_administrator_with_an_app_sets_up_a_key_and_then_only_the_key_will_do,
    f9_everyone_sets_up_a_key => f9_under_passkey_everyone_a_person_without_factors_sets_up_a_key,
}
