//! F2, F5, F7 around the edges: a person removes their own app (with a mailed code), a mailed
//! enrolment code dies with the address (S7), the address that guards the factors is changed
//! only by a session that proved them (and the old one is told), no right password clears wrong
//! codes, and an essential `acr` claim makes the second factor required.

use lanyard::domain::second_factor::MfaPolicy;
use lanyard::domain::tenant::TenantChanges;
use lanyard::secret::Secret;
use reqwest::StatusCode;

use crate::backend_tests;
use crate::oidc::rp::{at, browse, setup};
use crate::second_factors::{app_post, code, code_post, enrol_directly, enrolled, page, password_step, sign_in};
use crate::smtp_sink::Sink;
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, csrf_of, spawn_with_mail};

/// The newest mail to `to` containing `needle`.
pub(crate) async fn mail_to(sink: &Sink, to: &str, needle: &str) -> String {
    let header = format!("To: {to}");
    for _ in 0..200 {
        let all = sink.messages.lock().await.clone();
        let found =
            all.iter().map(|m| crate::smtp_sink::decode(m)).rfind(|m| m.contains(&header) && m.contains(needle));
        if let Some(m) = found {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no mail to {to} containing {needle:?}");
}

/// The six digits after `marker` in a mail.
pub(crate) fn digits_after(mail: &str, marker: &str) -> String {
    let at = mail.find(marker).unwrap_or_else(|| panic!("{marker:?} in {mail}")) + marker.len();
    mail[at..].chars().filter(char::is_ascii_digit).take(6).collect()
}

pub(crate) async fn verified(app: &TestApp, login: &str, email: &str) {
    let accounts = &app.state.accounts;
    let (_, user) = accounts.lanyard().user("ACME", login).await.unwrap();
    accounts.lanyard().set_verified_email_unchecked(&user, email).await.unwrap();
}

async fn kinds(app: &TestApp, login: &str) -> Vec<String> {
    let accounts = &app.state.accounts;
    let (tenant, user) = accounts.lanyard().user("ACME", login).await.unwrap();
    let entries = accounts.lanyard().activity(&tenant, Some(&user), None, 200).await.unwrap();
    entries.into_iter().map(|e| e.kind).collect()
}

async fn f2_the_person_removes_their_app_with_a_mailed_code(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let (secret, _) = enrolled(&app).await;
    verified(&app, "alice", "alice@acme.example").await;
    let elsewhere = password_step(&app).await;
    assert_eq!(code_post(&app, &elsewhere, &code(&secret, app.clock.now())).await.status(), StatusCode::SEE_OTHER);
    app.clock.advance(30);
    let browser = password_step(&app).await;
    assert_eq!(code_post(&app, &browser, &code(&secret, app.clock.now())).await.status(), StatusCode::SEE_OTHER);
    let html = app_post(&app, &browser, &[("step", "remove")]).await;
    assert!(html.contains("Code from your email"), "F2: removing takes the mailed code too: {html}");
    let mail = mail_to(&sink, "alice@acme.example", "remove your authenticator app").await;
    let mailed = digits_after(&mail, "remove your authenticator app is ");
    let wrong = if mailed == "000000" { "111111" } else { "000000" };
    let html = app_post(&app, &browser, &[("step", "remove_confirm"), ("mailed_code", wrong)]).await;
    assert!(html.contains("The code from your email is not correct."), "{html}");
    assert!(app.state.accounts.factors().enrolled(alice_id(&app).await).await.unwrap().authenticator_app.is_some());
    let html = app_post(&app, &browser, &[("step", "remove_confirm"), ("mailed_code", &mailed)]).await;
    assert!(html.contains("The authenticator app was removed."), "{html}");
    // Every other session ends (one that proved the app loses what it gave); this one goes on.
    let other = elsewhere.get(at(&app, "/account")).send().await.unwrap();
    assert_eq!(other.headers()["location"], "/login", "F2: the other sessions ended");
    assert_eq!(browser.get(at(&app, "/account")).send().await.unwrap().status(), StatusCode::OK);
    assert!(app.state.accounts.factors().enrolled(alice_id(&app).await).await.unwrap().authenticator_app.is_none());
    assert!(kinds(&app, "alice").await.iter().any(|k| k == "mfa_removed"), "recorded as mfa_removed");
    mail_to(&sink, "alice@acme.example", "Your authenticator app was removed").await;
    // The next sign-in asks for the password alone.
    let res = sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    assert_eq!(res.headers()["location"], "/account");

    // Where the provider requires a second factor of the person, it can be replaced, not removed.
    let operator = app.state.accounts.admin(crate::support::operator());
    let changes = TenantChanges { mfa_policy: Some(MfaPolicy::Everyone), ..Default::default() };
    operator.update_tenant("ACME", &changes).await.unwrap();
    app.user("ACME", "bob").await;
    enrol_directly(&app, "ACME", "bob").await;
    let (tenant, bob) = app.state.accounts.lanyard().user("ACME", "bob").await.unwrap();
    let refused = app.state.accounts.factors().propose_removal("sid-bob", &bob, &tenant).await;
    assert!(matches!(refused, Err(lanyard::accounts::factors::FactorError::Field(_))), "{refused:?}");
    app.stop().await;
}

async fn f2_a_removal_is_of_the_app_it_was_asked_for(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    enrol_directly(&app, "ACME", "alice").await;
    let factors = app.state.accounts.factors();
    let (tenant, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert!(!factors.propose_removal("old-phone", &alice, &tenant).await.unwrap(), "no address: no code");
    // The app is replaced before the removal is confirmed: the removal dies with the old app.
    app.clock.advance(30);
    enrol_directly(&app, "ACME", "alice").await;
    let late = factors.confirm_removal("old-phone", &alice, &tenant, "", &Default::default()).await;
    assert!(matches!(late, Err(lanyard::accounts::factors::FactorError::NotAllowed)), "{late:?}");
    assert!(factors.enrolled(alice.id).await.unwrap().authenticator_app.is_some());
    app.stop().await;
}

async fn f4_a_session_that_knew_only_the_password_enrols_nothing_unasked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let changes = TenantChanges { mfa_policy: Some(MfaPolicy::Off), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    let thief = app.browser();
    sign_in(&app, &thief, "alice", PASSWORD, "ACME").await;
    // No request requires a factor: the sign-in's setup page is not open to this session, and
    // Settings offers none where the provider has them off.
    let res = thief.get(at(&app, "/sign-in/second-factor/setup")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login", "F4: no setup unless owed or asked for");
    let csrf = csrf_of(&page(&app, &thief, "/password/change").await);
    let form = [("csrf", csrf.as_str()), ("step", "start")];
    let res = thief.post(at(&app, "/settings/authenticator")).form(&form).send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(!html.contains("id=\"secret\""), "F4: Settings offers no app here: {html}");
    // An essential acr cannot be met here: the application hears access_denied, no setup.
    let rp = crate::oidc::rp::register(&app, "essential", crate::oidc::rp::metadata(false), &["ACME"]).await;
    let claims = r#"{"id_token":{"acr":{"essential":true,"values":["urn:lanyard:acr:mfa"]}}}"#;
    let req = rp.request(&[("claims", claims)]);
    let res = browse(&app, &thief, req.url.as_str(), None).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("error=access_denied"), "F7: {location}");
    app.stop().await;
}

async fn alice_id(app: &TestApp) -> lanyard::domain::user::UserId {
    app.state.accounts.lanyard().user("ACME", "alice").await.unwrap().1.id
}

async fn f2_s7_a_mailed_enrolment_code_dies_with_the_address(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    verified(&app, "alice", "alice@acme.example").await;
    let accounts = &app.state.accounts;
    let (tenant, alice) = accounts.lanyard().user("ACME", "alice").await.unwrap();
    let factors = accounts.factors();
    let proposal = factors.propose_app("sid-a", &alice, &tenant, "Lanyard").await.unwrap();
    assert!(proposal.mailed);
    let mailed = digits_after(&mail_to(&sink, "alice@acme.example", "add an authenticator app").await, "app is ");
    let secret = totp_rs::Secret::Encoded(proposal.secret).to_bytes().unwrap();
    accounts.admin(crate::support::operator()).set_user_email("ACME", "alice", "elsewhere@acme.example").await.unwrap();
    let (_, alice) = accounts.lanyard().user("ACME", "alice").await.unwrap();
    let now = app.clock.now();
    let late = factors.confirm_app("sid-a", &alice, &tenant, &code(&secret, now), &mailed, &Default::default()).await;
    assert!(matches!(late, Err(lanyard::accounts::factors::FactorError::NotAllowed)), "S7: {:?}", late.err());
    assert!(factors.enrolled(alice.id).await.unwrap().authenticator_app.is_none());
    app.stop().await;
}

async fn s2_only_a_session_that_proved_the_app_moves_the_address_and_the_old_one_hears(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    let changes = TenantChanges { self_reset_enabled: Some(true), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    app.user("ACME", "alice").await;
    app.state.accounts.admin(crate::support::operator()).set_user_self_reset("ACME", "alice", true).await.unwrap();
    // A session from before the app was enrolled knew the password only.
    let before = app.browser();
    sign_in(&app, &before, "alice", PASSWORD, "ACME").await;
    enrol_directly(&app, "ACME", "alice").await;
    verified(&app, "alice", "alice@acme.example").await;
    let html = page(&app, &before, "/settings").await;
    let form = [("csrf", csrf_of(&html)), ("step", "verify".into()), ("current_password", PASSWORD.into())];
    let html = before.post(at(&app, "/settings")).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Sign in with a code from your app first"), "{html}");

    // The person, through the S2 steps: the address that is replaced is told.
    let accounts = &app.state.accounts;
    let (_, alice) = accounts.lanyard().user("ACME", "alice").await.unwrap();
    let origin = Default::default();
    accounts.enrolling().verify(alice.id, "sid-s2", &Secret::new(PASSWORD), &origin).await.unwrap();
    accounts.enrolling().send_code(alice.id, "sid-s2", "new@acme.example").await.unwrap();
    let code_ = digits_after(&mail_to(&sink, "new@acme.example", "code is").await, "code is ");
    accounts.enrolling().check_code(alice.id, "sid-s2", &code_).await.unwrap();
    accounts.enrolling().save(alice.id, "sid-s2", origin).await.unwrap();
    mail_to(&sink, "alice@acme.example", "address for password resets").await;
    app.stop().await;
}

async fn f5_no_right_password_anywhere_clears_wrong_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    // Signed in before the app existed: a complete session that never proved it.
    let before = app.browser();
    sign_in(&app, &before, "alice", PASSWORD, "ACME").await;
    enrol_directly(&app, "ACME", "alice").await;
    let guesser = password_step(&app).await;
    code_post(&app, &guesser, "ABCDE-FGHJK").await;
    code_post(&app, &guesser, "ABCDE-FGHJK").await;
    // Change Password checks the current password, right: the count stays.
    let html = page(&app, &before, "/password/change").await;
    let new = "Another-Pass-2";
    let form = [
        ("csrf", csrf_of(&html)),
        ("current_password", PASSWORD.into()),
        ("new_password", new.into()),
        ("confirm_password", new.into()),
    ];
    let res = before.post(at(&app, "/password/change")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.failed_attempts, 2, "F5: a right password leaves wrong codes counted");
    // And where the provider has second factors off, the enrolled app is still asked.
    let changes = TenantChanges { mfa_policy: Some(MfaPolicy::Off), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    let res = sign_in(&app, &app.browser(), "alice", new, "ACME").await;
    assert_eq!(res.headers()["location"], "/sign-in/second-factor", "F5: a factor enrolled is a factor asked");
    app.stop().await;
}

async fn f7_an_essential_acr_claim_requires_the_second_factor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let claims = r#"{"id_token":{"acr":{"essential":true,"values":["urn:lanyard:acr:mfa"]}}}"#;
    // Without an app: a voluntary request is answered at the password level, an essential one
    // sets an app up first.
    let req = rp.request(&[("acr_values", "urn:lanyard:acr:mfa")]);
    let res = browse(&app, &app.browser(), req.url.as_str(), Some(("alice", PASSWORD))).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("code="), "a voluntary request is not a requirement: {location}");
    let req = rp.request(&[("claims", claims)]);
    let res = browse(&app, &app.browser(), req.url.as_str(), Some(("alice", PASSWORD))).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/sign-in/second-factor/setup?auth="), "F7: essential: {location}");
    // A `claims` that is not a JSON object is ignored, as an unadvertised parameter is.
    let req = rp.request(&[("claims", "{not json")]);
    let res = browse(&app, &app.browser(), req.url.as_str(), None).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/login?auth="), "{location}");
    app.stop().await;
}

backend_tests! {
    f2_person_removes_app => f2_the_person_removes_their_app_with_a_mailed_code,
    f2_s7_enrolment_code_dies_with_address => f2_s7_a_mailed_enrolment_code_dies_with_the_address,
    s2_address_guarded_and_old_told => s2_only_a_session_that_proved_the_app_moves_the_address_and_the_old_one_hears,
    f5_no_password_clears_codes => f5_no_right_password_anywhere_clears_wrong_codes,
    f7_essential_acr_claim => f7_an_essential_acr_claim_requires_the_second_factor,
    f2_removal_is_of_its_app => f2_a_removal_is_of_the_app_it_was_asked_for,
    f4_no_enrolment_unasked => f4_a_session_that_knew_only_the_password_enrols_nothing_unasked,
}
