//! F11: a provider restricts its administrators' security keys to listed models. A model is an
//! AAGUID, a name and the maker's attestation CA; an administrator registers only a key whose
//! attestation chains to a listed CA with that AAGUID (a software authenticator with its own CA,
//! `SoftToken`, plays the maker), signs in with it as `hwk`, and a key of another model no longer
//! counts for them. The people who are not administrators keep any key.

use lanyard::domain::second_factor::KeyModelChanges;
use lanyard::domain::user::UserType;
use reqwest::StatusCode;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::softtoken::{AAGUID, SoftToken};
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

use crate::backend_tests;
use crate::oidc::rp::{at, callback, param, setup};
use crate::passkeys::{options_of, origin};
use crate::second_factors::{page, payload};
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, csrf_of};

/// `login` registers `key` through the accounts' API, as Settings does.
async fn register<T: webauthn_authenticator_rs::AuthenticatorBackend>(
    app: &TestApp,
    login: &str,
    key: &mut WebauthnAuthenticator<T>,
) -> Result<(), String> {
    let accounts = &app.state.accounts;
    let (tenant, user) = accounts.lanyard().user("ACME", login).await.unwrap();
    let started = accounts.passkeys().start_registration("sid-k", &user, &tenant, "Key").await.unwrap();
    let options: CreationChallengeResponse =
        serde_json::from_str(&format!("{{\"publicKey\":{}}}", started.options)).unwrap();
    let answer = serde_json::to_string(&key.do_registration(origin(app), options).unwrap()).unwrap();
    let done = accounts.passkeys().finish_registration("sid-k", &user, &tenant, &answer, "", &Default::default()).await;
    done.map(|_| ()).map_err(|e| e.to_string())
}

async fn list_model(app: &TestApp, pem: &str) {
    let changes = KeyModelChanges { name: "SoftToken 1".into(), attestation_ca: pem.into() };
    let operator = app.state.accounts.admin(crate::support::operator());
    operator.put_key_model("ACME", &AAGUID.to_string(), &changes).await.unwrap();
}

async fn boss(app: &TestApp) {
    let password = lanyard::secret::Secret::new(PASSWORD);
    let operator = app.state.accounts.admin(crate::support::operator());
    operator.create_user("ACME", "boss", UserType::ProviderAdmin, &password, false).await.unwrap();
}

async fn f11_an_administrator_registers_only_a_listed_model_and_signs_in_with_it_as_hwk(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    boss(&app).await;
    let (token, ca) = SoftToken::new(true).unwrap();
    list_model(&app, &String::from_utf8(ca.to_pem().unwrap()).unwrap()).await;
    // A key without attestation is not a listed model: refused for the administrator, named.
    let mut plain = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let refused = register(&app, "boss", &mut plain).await.unwrap_err();
    assert!(refused.contains("SoftToken 1"), "F11: the refusal names the models: {refused}");
    // The people who do not administer keep any key.
    register(&app, "alice", &mut WebauthnAuthenticator::new(SoftPasskey::new(true))).await.unwrap();
    let mut listed = WebauthnAuthenticator::new(token);
    register(&app, "boss", &mut listed).await.unwrap();
    let (_, user) = app.state.accounts.lanyard().user("ACME", "boss").await.unwrap();
    let keys = app.state.accounts.passkeys().list(user.id).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert!(keys[0].attested, "F11: its attestation was verified");
    assert_eq!(keys[0].model.as_deref(), Some("SoftToken 1"), "F9: the model is named");

    // The administrator signs in to the application with the key: `hwk`.
    let browser = app.browser();
    let req = rp.request(&[]);
    let res = browser.get(req.url.as_str()).send().await.unwrap();
    let auth = res.headers()["location"].to_str().unwrap().split("auth=").nth(1).unwrap().to_string();
    let html = page(&app, &browser, &format!("/login?auth={auth}")).await;
    let form = [
        ("csrf", csrf_of(&html)),
        ("auth", auth.clone()),
        ("login_name", "boss".into()),
        ("password", PASSWORD.into()),
        ("provider_code", "ACME".into()),
    ];
    let res = browser.post(at(&app, "/login")).form(&form).send().await.unwrap();
    let next = res.headers()["location"].to_str().unwrap().to_string();
    assert!(next.starts_with("/sign-in/second-factor"), "{next}");
    let html = page(&app, &browser, &next).await;
    let options: RequestChallengeResponse =
        serde_json::from_str(&format!("{{\"publicKey\":{}}}", options_of(&html))).unwrap();
    let answer = serde_json::to_string(&listed.do_authentication(origin(&app), options).unwrap()).unwrap();
    let form = [("csrf", csrf_of(&html)), ("assertion", answer), ("auth", auth)];
    let res = browser.post(at(&app, "/sign-in/second-factor")).form(&form).send().await.unwrap();
    let next = res.headers()["location"].to_str().unwrap().to_string();
    let res = browser.get(at(&app, &next)).send().await.unwrap();
    let tokens = rp.exchange(param(&callback(&res), "code").unwrap(), req.verifier).await;
    assert_eq!(payload(&tokens)["amr"], serde_json::json!(["pwd", "hwk", "mfa"]), "F11: an attested model is hwk");
    app.stop().await;
}

async fn f11_a_key_of_another_model_proves_the_administrator_who_then_owes_a_listed_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    boss(&app).await;
    let mut old = WebauthnAuthenticator::new(SoftPasskey::new(true));
    register(&app, "boss", &mut old).await.unwrap();
    let (_, ca) = SoftToken::new(true).unwrap();
    list_model(&app, &String::from_utf8(ca.to_pem().unwrap()).unwrap()).await;
    // Not a way in with the password alone: the old key is asked first (a password thief stops
    // here), and then a key of a listed model is owed.
    let browser = app.browser();
    let res = crate::second_factors::sign_in(&app, &browser, "boss", PASSWORD, "ACME").await;
    assert_eq!(res.headers()["location"], "/sign-in/second-factor", "F11: the key they have is asked first");
    assert!(browser.get(at(&app, "/sign-in/passkey/setup")).send().await.unwrap().headers()["location"] == "/login");
    let html = page(&app, &browser, "/sign-in/second-factor").await;
    let options: RequestChallengeResponse =
        serde_json::from_str(&format!("{{\"publicKey\":{}}}", options_of(&html))).unwrap();
    let answer = serde_json::to_string(&old.do_authentication(origin(&app), options).unwrap()).unwrap();
    let form = [("csrf", csrf_of(&html)), ("assertion", answer)];
    let res = browser.post(at(&app, "/sign-in/second-factor")).form(&form).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/sign-in/second-factor/setup", "F11: a listed model is owed still");
    let res = browser.get(at(&app, "/sign-in/second-factor/setup")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/sign-in/passkey/setup");
    assert_eq!(browser.get(at(&app, "/account")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    // Who may list models: not a provider administrator (listing a CA decides what is hardware).
    use lanyard::accounts::admin::actor::{Acting, Actor, Role};
    let (acme, _) = app.state.accounts.lanyard().user("ACME", "boss").await.unwrap();
    let acting = Acting { actor: "boss".into(), origin: Default::default() };
    let as_boss = Actor::new(Role::ProviderAdmin(acme.id), acting);
    let changes =
        KeyModelChanges { name: "Mine".into(), attestation_ca: String::from_utf8(ca.to_pem().unwrap()).unwrap() };
    let refused = app.state.accounts.admin(as_boss).put_key_model("ACME", &AAGUID.to_string(), &changes).await;
    assert!(refused.unwrap_err().to_string().contains("super administrator"));
    app.stop().await;
}

async fn f11_models_are_checked_when_listed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let operator = app.state.accounts.admin(crate::support::operator());
    let (_, ca) = SoftToken::new(true).unwrap();
    let pem = String::from_utf8(ca.to_pem().unwrap()).unwrap();
    let good = KeyModelChanges { name: "Key".into(), attestation_ca: pem.clone() };
    let aaguid = AAGUID.to_string();
    let bad_pem = KeyModelChanges { name: "Key".into(), attestation_ca: "-----BEGIN CERTIFICATE-----\nAAAA".into() };
    assert!(operator.put_key_model("ACME", &aaguid, &bad_pem).await.unwrap_err().to_string().contains("attestation"));
    assert!(operator.put_key_model("ACME", "not-a-uuid", &good).await.unwrap_err().to_string().contains("aaguid"));
    let long = KeyModelChanges { name: "k".repeat(65), attestation_ca: pem.clone() };
    assert!(operator.put_key_model("ACME", &aaguid, &long).await.unwrap_err().to_string().contains("name"));
    let upper = aaguid.to_uppercase();
    assert_eq!(operator.put_key_model("ACME", &upper, &good).await.unwrap().aaguid, aaguid, "one spelling kept");
    operator.put_key_model("ACME", &aaguid, &good).await.unwrap();
    for n in 1..20 {
        operator.put_key_model("ACME", &format!("00000000-0000-0000-0000-{n:012}"), &good).await.unwrap();
    }
    let full = operator.put_key_model("ACME", "00000000-0000-0000-0000-000000000099", &good).await;
    assert!(full.unwrap_err().to_string().contains("at most 20"), "the list is bounded");
    assert_eq!(operator.key_models("ACME").await.unwrap().len(), 20);
    operator.remove_key_model("ACME", &aaguid).await.unwrap();
    assert!(operator.remove_key_model("ACME", &aaguid).await.is_err(), "removed once");
    app.stop().await;
}

backend_tests! {
    f11_listed_model_is_hwk => f11_an_administrator_registers_only_a_listed_model_and_signs_in_with_it_as_hwk,
    f11_other_model_proves_then_owes => f11_a_key_of_another_model_proves_the_administrator_who_then_owes_a_listed_one,
    f11_models_checked => f11_models_are_checked_when_listed,
}
