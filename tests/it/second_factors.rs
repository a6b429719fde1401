//! F1–F3, F5, F7: an authenticator app enrolled in Settings, then asked for after the password;
//! recovery codes; wrong codes under L3; `amr`/`acr` of the session.

use lanyard::accounts::totp;
use lanyard::domain::user::UserStatus;
use reqwest::StatusCode;

use crate::backend_tests;
use crate::oidc::rp::{at, browse, callback, param, setup};
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, alert_of, call, csrf_of, token_for};

pub(crate) const LIMIT: &str = "Your account has been locked. Please contact your agency administrator.";

/// Signs in on the issuer's host name (the cookie jar the RP flows use too).
pub(crate) async fn sign_in(
    app: &TestApp,
    browser: &reqwest::Client,
    login: &str,
    password: &str,
    code: &str,
) -> reqwest::Response {
    let csrf = csrf_of(&page(app, browser, "/login").await);
    let form = [("csrf", csrf.as_str()), ("login_name", login), ("password", password), ("provider_code", code)];
    browser.post(at(app, "/login")).form(&form).send().await.unwrap()
}

pub(crate) async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    browser.get(at(app, path)).send().await.unwrap().text().await.unwrap()
}

pub(crate) async fn app_post(app: &TestApp, browser: &reqwest::Client, fields: &[(&str, &str)]) -> String {
    let html = page(app, browser, "/settings/authenticator").await;
    assert!(html.contains("name=\"csrf\""), "{html}");
    let csrf = csrf_of(&html);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    browser.post(at(app, "/settings/authenticator")).form(&form).send().await.unwrap().text().await.unwrap()
}

/// The secret the enrolment page shows as text.
pub(crate) fn secret_of(html: &str) -> Vec<u8> {
    let start = html.find("<code id=\"secret\">").expect("the secret is on the page") + 18;
    let encoded = html[start..].split('<').next().unwrap().to_string();
    totp_rs::Secret::Encoded(encoded).to_bytes().unwrap()
}

pub(crate) fn codes_of(html: &str) -> Vec<String> {
    html.split("<li><code>").skip(1).map(|c| c.split('<').next().unwrap().to_string()).collect()
}

pub(crate) fn code(secret: &[u8], at: i64) -> String {
    totp::code_at(secret, at).unwrap()
}

/// The current time of the test's clock.
pub(crate) fn now(app: &TestApp) -> i64 {
    app.clock.now()
}

/// Alice enrols an app (no verified address: no mailed code); returns its secret and her codes.
pub(crate) async fn enrolled(app: &TestApp) -> (Vec<u8>, Vec<String>) {
    let browser = app.browser();
    sign_in(app, &browser, "alice", PASSWORD, "ACME").await;
    let html = app_post(app, &browser, &[("step", "start")]).await;
    assert!(html.contains("<svg"), "F2: the QR code is drawn on the page: {html}");
    let secret = secret_of(&html);
    let html = app_post(app, &browser, &[("step", "confirm"), ("code", &code(&secret, now(app)))]).await;
    let codes = codes_of(&html);
    assert_eq!(codes.len(), 10, "F3: ten codes, shown once: {html}");
    // The next sign-in must not reuse the step the enrolment just accepted.
    app.clock.advance(30);
    (secret, codes)
}

/// Signs in with the password; the browser now owes its second factor.
pub(crate) async fn password_step(app: &TestApp) -> reqwest::Client {
    let browser = app.browser();
    let res = sign_in(app, &browser, "alice", PASSWORD, "ACME").await;
    assert_eq!(res.headers()["location"], "/sign-in/second-factor", "F1: the second factor comes next");
    browser
}

pub(crate) async fn code_post(app: &TestApp, browser: &reqwest::Client, code: &str) -> reqwest::Response {
    code_post_for(app, browser, code, None).await
}

pub(crate) async fn code_post_for(
    app: &TestApp,
    browser: &reqwest::Client,
    code: &str,
    auth: Option<&str>,
) -> reqwest::Response {
    let csrf = csrf_of(&page(app, browser, "/sign-in/second-factor").await);
    let mut form = vec![("csrf", csrf.as_str()), ("code", code)];
    if let Some(auth) = auth {
        form.push(("auth", auth));
    }
    browser.post(at(app, "/sign-in/second-factor")).form(&form).send().await.unwrap()
}

/// The ID token's payload, unverified (the RP's verification is `rp::claims`).
pub(crate) fn payload(tokens: &openidconnect::core::CoreTokenResponse) -> serde_json::Value {
    use base64::Engine;
    let raw = openidconnect::TokenResponse::id_token(tokens).unwrap().to_string();
    let part = raw.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn f7_the_id_token_says_how_and_step_up_asks_only_for_the_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    // A session that proved the password only; the app is enrolled later, in another browser.
    let browser = app.browser();
    let req = rp.request(&[]);
    let res = browse(&app, &browser, req.url.as_str(), Some(("alice", PASSWORD))).await;
    let tokens = rp.exchange(param(&callback(&res), "code").unwrap(), req.verifier).await;
    let claims = payload(&tokens);
    assert_eq!(claims["amr"], serde_json::json!(["pwd"]));
    assert_eq!(claims["acr"], "urn:lanyard:acr:pwd");
    let (secret, _) = enrolled(&app).await;
    // Without acr_values the session answers as it is: no prompt.
    let req = rp.request(&[]);
    let res = browse(&app, &browser, req.url.as_str(), None).await;
    let tokens = rp.exchange(param(&callback(&res), "code").unwrap(), req.verifier).await;
    assert_eq!(payload(&tokens)["acr"], "urn:lanyard:acr:pwd", "no step-up unless asked");
    // F7: asking for the multi-factor level asks for the code, not the password.
    let req = rp.request(&[("acr_values", "urn:lanyard:acr:mfa")]);
    let res = browse(&app, &browser, req.url.as_str(), None).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/sign-in/second-factor?auth="), "step-up: {location}");
    let auth = location.split("auth=").nth(1).unwrap().to_string();
    // One application's step-up does not hold up the others: the session is as it was.
    let other = rp.request(&[]);
    let res = browse(&app, &browser, other.url.as_str(), None).await;
    assert!(param(&callback(&res), "code").is_some(), "no prompt for an application that did not ask");
    let res = code_post_for(&app, &browser, &code(&secret, app.clock.now()), Some(&auth)).await;
    let next = res.headers()["location"].to_str().unwrap().to_string();
    assert!(next.starts_with("/authorize/resume"), "{next}");
    let res = browse(&app, &browser, &at(&app, &next), None).await;
    let tokens = rp.exchange(param(&callback(&res), "code").unwrap(), req.verifier).await;
    let claims = rp.claims(&tokens, &req.nonce);
    assert!(claims.auth_time().is_some());
    let claims = payload(&tokens);
    assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
    assert_eq!(claims["acr"], "urn:lanyard:acr:mfa");
    // Introspection says the same.
    use openidconnect::OAuth2TokenResponse;
    let access = tokens.access_token().secret().clone();
    let answer: serde_json::Value =
        rp.post(&at(&app, "/introspect"), &[("token", &access)]).await.json().await.unwrap();
    assert_eq!(answer["acr"], "urn:lanyard:acr:mfa", "{answer}");
    assert_eq!(answer["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
    // A fresh sign-in with the app goes straight to the code, and on to the application.
    let fresh = app.browser();
    let req = rp.request(&[]);
    let res = browse(&app, &fresh, req.url.as_str(), Some(("alice", PASSWORD))).await;
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/sign-in/second-factor?auth="), "{location}");
    app.stop().await;
}

async fn f2_f5_an_app_code_completes_the_sign_in_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let (secret, _) = enrolled(&app).await;
    let browser = password_step(&app).await;
    // F1: nothing else until the code is given.
    let account = browser.get(at(&app, "/account")).send().await.unwrap();
    assert_eq!(account.headers()["location"], "/sign-in/second-factor");
    let settings = browser.get(at(&app, "/settings")).send().await.unwrap();
    assert_eq!(settings.headers()["location"], "/login", "Settings are for complete sessions");
    let html = code_post(&app, &browser, "ABCDE-FGHJK").await.text().await.unwrap();
    assert_eq!(alert_of(&html).as_deref(), Some("The code is not correct."), "{html}");
    let right = code(&secret, now(&app));
    let res = code_post(&app, &browser, &right).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(browser.get(at(&app, "/account")).send().await.unwrap().status(), StatusCode::OK);
    // F2: the same code again, in another sign-in within its step, is refused (replay).
    let again = password_step(&app).await;
    let html = code_post(&app, &again, &right).await.text().await.unwrap();
    assert_eq!(alert_of(&html).as_deref(), Some("The code is not correct."), "replay: {html}");
    app.clock.advance(30);
    let res = code_post(&app, &again, &code(&secret, now(&app))).await;
    assert_eq!(res.headers()["location"], "/account", "the next step's code works");
    let (tenant, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.failed_attempts, 0, "L3: the whole sign-in clears the count");
    let kinds: Vec<String> = app
        .state
        .accounts
        .lanyard()
        .activity(&tenant, Some(&alice), None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for kind in ["mfa_enrolled", "mfa_verified", "mfa_failed"] {
        assert!(kinds.iter().any(|k| k == kind), "L7: {kind} in {kinds:?}");
    }
    app.stop().await;
}

async fn f2_enrolment_needs_a_right_code_and_drift_is_one_step(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    let secret = secret_of(&app_post(&app, &browser, &[("step", "start")]).await);
    let too_old = code(&secret, now(&app) - 60);
    let html = app_post(&app, &browser, &[("step", "confirm"), ("code", &too_old)]).await;
    assert!(
        alert_of(&html).unwrap_or_default().starts_with("The code from the app is not correct."),
        "±2 steps: {html}"
    );
    assert_eq!(secret_of(&html), secret, "the same secret stays on the page");
    let one_behind = code(&secret, now(&app) - 30);
    let html = app_post(&app, &browser, &[("step", "confirm"), ("code", &one_behind)]).await;
    assert_eq!(codes_of(&html).len(), 10, "±1 step is accepted: {html}");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let enrolled = app.state.accounts.factors().enrolled(alice.id).await.unwrap();
    assert!(enrolled.authenticator_app.is_some());
    app.stop().await;
}

async fn f3_recovery_codes_work_once_and_new_ones_void_the_old(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let (_, codes) = enrolled(&app).await;
    let browser = password_step(&app).await;
    let res = code_post(&app, &browser, &codes[0].to_lowercase()).await;
    assert_eq!(res.headers()["location"], "/account", "F3: a recovery code signs in (case does not matter)");
    let again = password_step(&app).await;
    let html = code_post(&app, &again, &codes[0]).await.text().await.unwrap();
    assert_eq!(alert_of(&html).as_deref(), Some("The code is not correct."), "used once");
    let html = app_post(&app, &browser, &[("step", "codes")]).await;
    let fresh = codes_of(&html);
    assert_eq!(fresh.len(), 10);
    let html = code_post(&app, &again, &codes[1]).await.text().await.unwrap();
    assert_eq!(alert_of(&html).as_deref(), Some("The code is not correct."), "new codes void the old");
    let res = code_post(&app, &again, &fresh[3]).await;
    assert_eq!(res.headers()["location"], "/account");
    let (tenant, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let entries = app.state.accounts.lanyard().activity(&tenant, Some(&alice), None, 50).await.unwrap();
    assert!(entries.iter().any(|e| e.kind == "recovery_code_used" && e.detail.contains("9 left")), "{entries:?}");
    assert!(entries.iter().any(|e| e.kind == "recovery_codes_regenerated"));
    app.stop().await;
}

async fn f5_concurrent_wrong_codes_lock_at_exactly_the_limit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    enrolled(&app).await;
    let mut browsers = Vec::new();
    for _ in 0..16 {
        browsers.push(password_step(&app).await);
    }
    let mut forms = Vec::new();
    for b in &browsers {
        forms.push(csrf_of(&page(&app, b, "/sign-in/second-factor").await));
    }
    let tasks = browsers.iter().zip(&forms).map(|(b, csrf)| {
        let form = [("csrf", csrf.as_str()), ("code", "ABCDE-FGHJK")];
        b.post(at(&app, "/sign-in/second-factor")).form(&form).send()
    });
    let answers: Vec<String> = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|r| r.status().to_string())
        .collect();
    assert_eq!(answers.len(), 16);
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.status, UserStatus::PasswordLocked, "F5: wrong codes lock like wrong passwords");
    assert_eq!(alice.failed_attempts, 3, "exactly L3's limit was counted");
    app.stop().await;
}

async fn f5_a_right_password_does_not_clear_wrong_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    enrolled(&app).await;
    let browser = password_step(&app).await;
    code_post(&app, &browser, "ABCDE-FGHJK").await;
    code_post(&app, &browser, "ABCDE-FGHJK").await;
    let browser = password_step(&app).await;
    let html = code_post(&app, &browser, "ABCDE-FGHJK").await.text().await.unwrap();
    assert_eq!(alert_of(&html).as_deref(), Some(LIMIT), "{html}");
    let res = sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::OK, "locked: the password no longer gets past the first page");
    app.stop().await;
}

async fn f6_administrators_reset_second_factors_from_the_api_and_the_cli(backend: Backend) {
    use lanyard::domain::application::AdminGrant;
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.tenant("OTHER").await;
    app.user("ACME", "alice").await;
    let (secret, _) = enrolled(&app).await;
    let live = password_step(&app).await;
    code_post(&app, &live, &code(&secret, app.clock.now())).await;
    assert_eq!(live.get(at(&app, "/account")).send().await.unwrap().status(), StatusCode::OK);
    let path = "/providers/ACME/users/alice/second-factors";
    let other = token_for(&app, "other-admin", Some(AdminGrant::ProviderAdmin { provider: "OTHER".into() })).await;
    let (status, _) = call(&app, &other, "DELETE", path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "T1: another provider's person does not exist");
    let admin = token_for(&app, "acme-admin", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;
    let (status, shown) = call(&app, &admin, "GET", path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown["authenticator_app"]["created_at"].is_i64(), "F11: the app is shown: {shown}");
    assert_eq!(shown["recovery_codes_left"], 10);
    assert!(!shown.to_string().contains("secret"), "never key material: {shown}");
    let (status, after) = call(&app, &admin, "DELETE", path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(after["authenticator_app"].is_null(), "{after}");
    let res = live.get(at(&app, "/account")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login", "F6: every session of the person ended");
    let res = sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    assert_eq!(res.headers()["location"], "/account", "no code is asked any more");
    let (tenant, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let entries = app.state.accounts.lanyard().activity(&tenant, Some(&alice), None, 50).await.unwrap();
    assert!(entries.iter().any(|e| e.kind == "mfa_reset" && e.actor == "client:acme-admin"), "{entries:?}");
    // The CLI, on an app enrolled again.
    enrolled(&app).await;
    let cli = crate::cli::Cli { scratch: &app.scratch };
    let shown = cli.json(&["user", "second-factors", "--tenant", "ACME", "alice"], None);
    assert_eq!(shown["recovery_codes_left"], 10);
    let reset = cli.json(&["user", "second-factors", "--tenant", "ACME", "alice", "--reset"], None);
    assert!(reset["authenticator_app"].is_null(), "{reset}");
    let entries = app.state.accounts.lanyard().activity(&tenant, Some(&alice), None, 50).await.unwrap();
    assert!(entries.iter().any(|e| e.kind == "mfa_reset" && e.actor == "cli"), "{entries:?}");
    app.stop().await;
}

/// Enrols `login`'s app through the accounts directly (the pages are tested above); its secret.
pub(crate) async fn enrol_directly(app: &TestApp, code_: &str, login: &str) -> Vec<u8> {
    let (tenant, user) = app.state.accounts.lanyard().user(code_, login).await.unwrap();
    let factors = app.state.accounts.factors();
    let sid = format!("sid-{code_}-{login}");
    let proposal = factors.propose_app(&sid, &user, &tenant, "Lanyard").await.unwrap();
    let secret = totp_rs::Secret::Encoded(proposal.secret).to_bytes().unwrap();
    factors.confirm_app(&sid, &user, &tenant, &code(&secret, app.clock.now()), "", &Default::default()).await.unwrap();
    secret
}

async fn f4_the_policy_matrix(backend: Backend) {
    use lanyard::accounts::sign_in::SignInRequest;
    use lanyard::domain::second_factor::MfaPolicy;
    use lanyard::domain::tenant::TenantChanges;
    use lanyard::domain::user::UserType;
    let app = TestApp::spawn(backend).await;
    let operator = app.state.accounts.admin(crate::support::operator());
    for policy in [MfaPolicy::Off, MfaPolicy::Optional, MfaPolicy::Administrators, MfaPolicy::Everyone] {
        let tenant = format!("P-{}", policy.as_str());
        app.tenant(&tenant).await;
        let changes = TenantChanges { mfa_policy: Some(policy), ..Default::default() };
        operator.update_tenant(&tenant, &changes).await.unwrap();
        for (login, kind) in [("reg", UserType::Regular), ("adm", UserType::ProviderAdmin)] {
            for enrolled in [false, true] {
                let name = format!("{login}-{enrolled}");
                let password = lanyard::secret::Secret::new(PASSWORD);
                operator.create_user(&tenant, &name, kind, &password, false).await.unwrap();
                if enrolled {
                    enrol_directly(&app, &tenant, &name).await;
                }
                let req = SignInRequest {
                    login_name: name.clone(),
                    password: password.clone(),
                    provider_code: tenant.clone(),
                    client_id: None,
                    origin: Default::default(),
                    key_proof: None,
                };
                let signed = app.state.accounts.sign_in(req).await.unwrap();
                // F5: a factor enrolled is a factor asked, even where the provider has them off.
                let asks_code = enrolled;
                let must_enrol = !enrolled
                    && (policy == MfaPolicy::Everyone
                        || (policy == MfaPolicy::Administrators && kind == UserType::ProviderAdmin));
                assert_eq!(signed.second_factor, asks_code, "F4 {policy:?} {name}: code asked");
                assert_eq!(signed.must_enrol, must_enrol, "F4 {policy:?} {name}: enrolment required");
            }
        }
    }
    app.stop().await;
}

async fn f4_required_enrolment_is_a_step_of_the_sign_in(backend: Backend) {
    use lanyard::domain::second_factor::MfaPolicy;
    use lanyard::domain::tenant::TenantChanges;
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let changes = TenantChanges { mfa_policy: Some(MfaPolicy::Everyone), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    let browser = app.browser();
    let res = sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    assert_eq!(res.headers()["location"], "/sign-in/second-factor/setup", "F1, F4: set one up first");
    let account = browser.get(at(&app, "/account")).send().await.unwrap();
    assert_eq!(account.headers()["location"], "/sign-in/second-factor/setup");
    let html = page(&app, &browser, "/sign-in/second-factor/setup").await;
    assert!(html.contains("A second factor is required to continue") && html.contains("<svg"), "{html}");
    let secret = secret_of(&html);
    assert_eq!(
        secret_of(&page(&app, &browser, "/sign-in/second-factor/setup").await),
        secret,
        "a reload keeps the secret"
    );
    let csrf = csrf_of(&html);
    let form = [("csrf", csrf.as_str()), ("step", "confirm"), ("code", &code(&secret, app.clock.now()))];
    let html =
        browser.post(at(&app, "/sign-in/second-factor/setup")).form(&form).send().await.unwrap().text().await.unwrap();
    assert_eq!(codes_of(&html).len(), 10, "{html}");
    let html = html.replace("&#x2f;", "/");
    assert!(html.contains("href=\"/account\" id=\"done\""), "continue where the sign-in was going: {html}");
    assert_eq!(browser.get(at(&app, "/account")).send().await.unwrap().status(), StatusCode::OK);
    app.clock.advance(30);
    let again = password_step(&app).await;
    let res = code_post(&app, &again, &code(&secret, app.clock.now())).await;
    assert_eq!(res.headers()["location"], "/account", "the next sign-in asks for the code");
    app.stop().await;
}

async fn f4_an_application_may_require_a_second_factor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut meta = crate::oidc::rp::metadata(false);
    meta.require_mfa = true;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let rp = crate::oidc::rp::register(&app, "strict", meta, &["ACME"]).await;
    let browser = app.browser();
    let req = rp.request(&[]);
    let res = browse(&app, &browser, req.url.as_str(), Some(("alice", PASSWORD))).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/sign-in/second-factor/setup?auth="), "F4: the application requires one: {location}");
    let auth = location.split("auth=").nth(1).unwrap().to_string();
    let html = page(&app, &browser, &location).await;
    let secret = secret_of(&html);
    let csrf = csrf_of(&html);
    let form = [
        ("csrf", csrf.as_str()),
        ("step", "confirm"),
        ("code", &code(&secret, app.clock.now())),
        ("auth", auth.as_str()),
    ];
    let html =
        browser.post(at(&app, "/sign-in/second-factor/setup")).form(&form).send().await.unwrap().text().await.unwrap();
    let done = format!("href=\"/authorize/resume?auth={auth}\"");
    assert!(html.replace("&#x2f;", "/").contains(&done), "{html}");
    let res = browse(&app, &browser, &at(&app, &format!("/authorize/resume?auth={auth}")), None).await;
    let tokens = rp.exchange(param(&callback(&res), "code").unwrap(), req.verifier).await;
    assert_eq!(payload(&tokens)["acr"], "urn:lanyard:acr:mfa");
    app.stop().await;
}

async fn f8_unified_login_keeps_the_level_and_asks_b_only_for_the_code(backend: Backend) {
    use crate::unified::{handoff, start, world};
    let app = TestApp::spawn(backend).await;
    // alice is signed in to A with her password only; her app is enrolled afterwards.
    let w = world(&app, true).await;
    let mut meta = crate::oidc::rp::metadata(false);
    meta.initiate_login_uri = Some("http://localhost:4002/initiate".into());
    meta.require_mfa = true;
    let strict = crate::oidc::rp::register_named(&app, "care-strict", "Care Strict", meta, &["ACME"]).await;
    let secret = enrol_directly(&app, "ACME", "alice").await;
    app.clock.advance(30);
    // F8: B requires a second factor A's session did not prove: B's tab asks for the code only.
    let hint = start(&w, &handoff(&app, &w, "care-strict").await.unwrap()).await;
    let req = strict.request(&[("login_hint", &hint)]);
    let res = w.browser.get(req.url.as_str()).send().await.unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/sign-in/second-factor?auth="), "the code, not the password: {location}");
    let auth = location.split("auth=").nth(1).unwrap().to_string();
    let res = code_post_for(&app, &w.browser, &code(&secret, app.clock.now()), Some(&auth)).await;
    let next = res.headers()["location"].to_str().unwrap().to_string();
    let res = w.browser.get(at(&app, &next)).send().await.unwrap();
    let tokens = strict.exchange(param(&callback(&res), "code").unwrap(), req.verifier).await;
    let claims = payload(&tokens);
    assert_eq!(claims["acr"], "urn:lanyard:acr:mfa");
    assert_eq!(claims["initiated_from"]["client_id"], "care-records", "still a unified login (U2)");
    let (tenant, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let activity = app.state.accounts.lanyard().activity(&tenant, Some(&alice), None, 30).await.unwrap();
    assert!(
        activity
            .iter()
            .any(|e| e.client_id.as_deref() == Some("care-strict")
                && e.login_type == "Login initiated from Care Records"),
        "U4: {activity:?}"
    );
    // The session has proved it now: the next hand-off opens B without asking.
    let hint = start(&w, &handoff(&app, &w, "care-strict").await.unwrap()).await;
    let req = strict.request(&[("login_hint", &hint)]);
    let res = w.browser.get(req.url.as_str()).send().await.unwrap();
    assert!(param(&callback(&res), "code").is_some(), "F8: the level travels with the session");
    app.stop().await;
}

async fn f2_guesses_at_the_mailed_code_are_bounded_even_in_parallel(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let (tenant, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    app.state.accounts.lanyard().set_verified_email_unchecked(&alice, "alice@acme.example").await.unwrap();
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let factors = app.state.accounts.factors();
    let proposal = factors.propose_app("thief-session", &alice, &tenant, "Lanyard").await.unwrap();
    assert!(proposal.mailed, "a verified address gets a code to confirm with");
    let secret = totp_rs::Secret::Encoded(proposal.secret).to_bytes().unwrap();
    let right = code(&secret, app.clock.now());
    let guesses = (0..30).map(|n| {
        let (alice, tenant, right, accounts) = (&alice, &tenant, &right, &app.state.accounts);
        async move {
            let guess = format!("{:06}", n);
            accounts.factors().confirm_app("thief-session", alice, tenant, right, &guess, &Default::default()).await
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|a| matches!(a, Err(lanyard::accounts::factors::FactorError::Field(m)) if m.english().contains("email is not correct")))
        .count();
    assert!(checked <= 5, "F2: at most 5 guesses are checked per proposal, {checked} were");
    assert!(app.state.accounts.factors().enrolled(alice.id).await.unwrap().authenticator_app.is_none());
    app.stop().await;
}

async fn f2_a_session_that_knew_only_the_password_cannot_replace_the_app(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let thief = app.browser();
    sign_in(&app, &thief, "alice", PASSWORD, "ACME").await;
    enrolled(&app).await;
    for step in ["start", "codes", "remove", "remove_confirm"] {
        let html = app_post(&app, &thief, &[("step", step)]).await;
        assert!(html.contains("Sign in with a code from your app first"), "{step}: {html}");
        assert!(!html.contains("id=\"secret\"") && !html.contains("recovery-codes"), "{step}");
    }
    app.stop().await;
}

backend_tests! {
    f2_mailed_code_guesses_bounded => f2_guesses_at_the_mailed_code_are_bounded_even_in_parallel,
    f2_password_only_session_cannot_replace => f2_a_session_that_knew_only_the_password_cannot_replace_the_app,
    f8_unified_keeps_the_level => f8_unified_login_keeps_the_level_and_asks_b_only_for_the_code,
    f4_policy_matrix => f4_the_policy_matrix,
    f4_required_enrolment => f4_required_enrolment_is_a_step_of_the_sign_in,
    f4_client_require_mfa => f4_an_application_may_require_a_second_factor,
    f6_admin_reset => f6_administrators_reset_second_factors_from_the_api_and_the_cli,
    f7_amr_acr_and_step_up => f7_the_id_token_says_how_and_step_up_asks_only_for_the_code,
    f5_app_code_signs_in_once => f2_f5_an_app_code_completes_the_sign_in_once,
    f2_enrolment_and_drift => f2_enrolment_needs_a_right_code_and_drift_is_one_step,
    f3_recovery_codes => f3_recovery_codes_work_once_and_new_ones_void_the_old,
    f5_concurrent_wrong_codes => f5_concurrent_wrong_codes_lock_at_exactly_the_limit,
    f5_password_keeps_code_failures => f5_a_right_password_does_not_clear_wrong_codes,
}
