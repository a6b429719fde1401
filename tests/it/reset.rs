//! S1–S6 over the real pages, with mail going through a real SMTP conversation on loopback.

use reqwest::StatusCode;

use crate::backend_tests;
use crate::smtp_sink::Sink;
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, csrf_of, flow_of, sign_in, spawn_with_mail, token_of};

const EMAIL: &str = "alice@example.org";

/// Provider ACME with self reset on, user alice allowed (S1).
async fn enabled(app: &TestApp) {
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let changes = lanyard::domain::tenant::TenantChanges { self_reset_enabled: Some(true), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    app.state.accounts.admin(crate::support::operator()).set_user_self_reset("ACME", "alice", true).await.unwrap();
}

fn six_digits(mail: &str) -> String {
    let at = mail.find("code is ").expect("a code in the mail") + 8;
    mail[at..at + 6].to_string()
}

async fn settings_post(app: &TestApp, browser: &reqwest::Client, fields: &[(&str, &str)]) -> String {
    let page = browser.get(app.url("/settings")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    browser.post(app.url("/settings")).form(&form).send().await.unwrap().text().await.unwrap()
}

/// S2 through the Settings page; returns the number of mails the sink holds afterwards.
async fn enrol(app: &TestApp, sink: &Sink) {
    let browser = app.browser();
    sign_in(app, &browser, "alice", PASSWORD, "ACME").await;
    let before = sink.count().await;
    settings_post(app, &browser, &[("step", "verify"), ("current_password", PASSWORD)]).await;
    settings_post(app, &browser, &[("step", "send"), ("email", EMAIL)]).await;
    let code = six_digits(&sink.nth(before + 1).await);
    settings_post(app, &browser, &[("step", "code"), ("code", &code)]).await;
    let html = settings_post(app, &browser, &[("step", "save")]).await;
    assert!(html.contains("Saved. Password tokens will go to this address."), "{html}");
}

async fn forgot(app: &TestApp, browser: &reqwest::Client, login: &str, code: &str, email: &str) -> reqwest::Response {
    let page = browser.get(app.url("/password/forgot")).send().await.unwrap().text().await.unwrap();
    for label in [">Login Name</label>", ">Provider Code</label>", ">Email</label>", ">Submit</button>", ">Back</a>"] {
        assert!(page.contains(label), "{label}");
    }
    browser
        .post(app.url("/password/forgot"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("login_name", login), ("provider_code", code), ("email", email)])
        .send()
        .await
        .unwrap()
}

async fn reset(app: &TestApp, browser: &reqwest::Client, page: &str, token: &str, new: &str) -> String {
    browser
        .post(app.url("/password/reset"))
        .form(&[
            ("csrf", csrf_of(page).as_str()),
            ("flow", &flow_of(page)),
            ("token", token),
            ("new_password", new),
            ("confirm_password", new),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn s2_enrolment_needs_the_password_and_the_code(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    let html = settings_post(&app, &browser, &[("step", "send"), ("email", EMAIL)]).await;
    assert!(html.contains("Verify your current password first."), "{html}");
    let html = settings_post(&app, &browser, &[("step", "verify"), ("current_password", "Wrong-Pass-1")]).await;
    assert!(html.contains("The password is not correct."));
    settings_post(&app, &browser, &[("step", "verify"), ("current_password", PASSWORD)]).await;
    let html = settings_post(&app, &browser, &[("step", "send"), ("email", "not an address")]).await;
    assert!(html.contains("Enter a single email address"));
    settings_post(&app, &browser, &[("step", "send"), ("email", EMAIL)]).await;
    let mail = sink.nth(1).await;
    assert!(mail.contains("From: Lanyard <no-reply@lanyard.test>"), "P4: {mail}");
    assert!(mail.contains("text/plain") && mail.contains("text/html"), "both parts");
    let code = six_digits(&mail);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let html = settings_post(&app, &browser, &[("step", "code"), ("code", wrong)]).await;
    assert!(html.contains("The code is not correct."));
    let html = settings_post(&app, &browser, &[("step", "save")]).await;
    assert!(html.contains("Confirm the address with the code first."), "no save before the code");
    settings_post(&app, &browser, &[("step", "code"), ("code", &code)]).await;
    settings_post(&app, &browser, &[("step", "save")]).await;
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.email.as_deref(), Some(EMAIL));
    assert!(alice.email_verified);
    app.stop().await;
}

async fn s2_codes_expire_after_10_minutes(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    settings_post(&app, &browser, &[("step", "verify"), ("current_password", PASSWORD)]).await;
    settings_post(&app, &browser, &[("step", "send"), ("email", EMAIL)]).await;
    let code = six_digits(&sink.nth(1).await);
    app.clock.advance(10 * 60);
    let html = settings_post(&app, &browser, &[("step", "code"), ("code", &code)]).await;
    assert!(html.contains("Verify") && !html.contains("is confirmed"), "the enrolment expired: {html}");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert!(!alice.email_verified);
    app.stop().await;
}

async fn s1_without_enablement_there_is_no_enrolment(backend: Backend) {
    let (app, _sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    let html = browser.get(app.url("/settings")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Self password reset is not enabled for your account."));
    app.stop().await;
}

async fn s3_to_s6_full_reset(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    enrol(&app, &sink).await;
    // A session and a signed-in browser from before the reset.
    let old_browser = app.browser();
    sign_in(&app, &old_browser, "alice", PASSWORD, "ACME").await;

    let browser = app.browser();
    let res = forgot(&app, &browser, "ALICE", "ACME", "Alice@Example.org").await;
    let page = res.text().await.unwrap();
    for label in
        [">Password Token</label>", ">New Password</label>", ">Confirm New Password</label>", ">Resend</button>"]
    {
        assert!(page.contains(label), "{label}");
    }
    let mail = sink.nth(2).await;
    assert!(!mail.contains("alice") || mail.contains("To: alice@example.org"), "the mail does not show the login name");
    let token = token_of(&mail);
    let html = reset(&app, &browser, &page, &token, "short").await;
    assert!(html.contains("Password must be at least 8 characters long."), "L5 applies: {html}");
    let html = reset(&app, &browser, &page, &token.to_lowercase(), "Fresh-Start-2027").await;
    assert!(html.contains("Your password has been changed.") && html.contains(">Login Again</a>"), "{html}");
    // S6: a token works once.
    let html = reset(&app, &browser, &page, &token, "Other-Start-2027").await;
    assert!(html.contains("Password Reset Error"));
    // The old password is gone, the new one works, earlier sessions ended, a notice was mailed.
    let res = sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = sign_in(&app, &app.browser(), "alice", "Fresh-Start-2027", "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = old_browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login", "sessions from before the reset are ended");
    sink.find(1, "was just changed").await;
    app.stop().await;
}

async fn s3_every_cause_gets_the_same_page(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    enrol(&app, &sink).await;
    let accounts = &app.state.accounts;
    let secret = lanyard::secret::Secret::new(PASSWORD);
    for (tenant, reset_on) in [("OFF", false), ("SLEEPY", true)] {
        app.tenant(tenant).await;
        app.user(tenant, "alice").await;
        let changes =
            lanyard::domain::tenant::TenantChanges { self_reset_enabled: Some(reset_on), ..Default::default() };
        accounts.admin(crate::support::operator()).update_tenant(tenant, &changes).await.unwrap();
        accounts.admin(crate::support::operator()).set_user_self_reset(tenant, "alice", true).await.unwrap();
    }
    let inactive = lanyard::domain::tenant::TenantChanges { active: Some(false), ..Default::default() };
    accounts.admin(crate::support::operator()).update_tenant("SLEEPY", &inactive).await.unwrap();
    for login in ["notenrolled", "disabled", "locked", "gone", "deleted"] {
        accounts
            .admin(crate::support::operator())
            .create_user("ACME", login, lanyard::domain::user::UserType::Regular, &secret, false)
            .await
            .unwrap();
        if login != "disabled" {
            accounts.admin(crate::support::operator()).set_user_self_reset("ACME", login, true).await.unwrap();
        }
    }
    use lanyard::accounts::admin::StatusChange;
    accounts.admin(crate::support::operator()).change_status("ACME", "locked", StatusChange::AdminLock).await.unwrap();
    accounts.admin(crate::support::operator()).change_status("ACME", "gone", StatusChange::Deactivate).await.unwrap();
    accounts.admin(crate::support::operator()).change_status("ACME", "deleted", StatusChange::Delete).await.unwrap();

    let cases = [
        ("unknown login", "nobody", "ACME", EMAIL),
        ("wrong provider code", "alice", "NOPE", EMAIL),
        ("provider code case", "alice", "acme", EMAIL),
        ("wrong email", "alice", "ACME", "other@example.org"),
        ("provider has reset off (S1)", "alice", "OFF", EMAIL),
        ("inactive provider", "alice", "SLEEPY", EMAIL),
        ("user not enabled (S1)", "disabled", "ACME", EMAIL),
        ("user not enrolled (S2)", "notenrolled", "ACME", EMAIL),
        ("admin locked", "locked", "ACME", EMAIL),
        ("deactivated", "gone", "ACME", EMAIL),
        ("deleted", "deleted", "ACME", EMAIL),
    ];
    let mut pages = Vec::new();
    for (why, login, code, email) in cases {
        let res = forgot(&app, &app.browser(), login, code, email).await;
        assert_eq!(res.status(), StatusCode::OK, "{why}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Password Reset Error"), "{why}");
        pages.push((why, html));
    }
    for (why, html) in &pages[1..] {
        assert_eq!(html, &pages[0].1, "{why} differs from {}", pages[0].0);
    }
    assert_eq!(sink.count().await, 1, "only the enrolment code was ever mailed");
    app.stop().await;
}

async fn s4_tokens_last_5_minutes_and_resend_replaces_them(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    enrol(&app, &sink).await;
    let browser = app.browser();
    let page = forgot(&app, &browser, "alice", "ACME", EMAIL).await.text().await.unwrap();
    let first = token_of(&sink.nth(2).await);
    app.clock.advance(4 * 60);
    let res = browser
        .post(app.url("/password/reset/resend"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("flow", &flow_of(&page))])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("A new password token has been sent."));
    let second = token_of(&sink.nth(3).await);
    let html = reset(&app, &browser, &page, &first, "Fresh-Start-2027").await;
    assert!(html.contains("The password token is not correct."), "the earlier token stopped working");
    app.clock.advance(4 * 60 + 59);
    let html = reset(&app, &browser, &page, &second, "Fresh-Start-2027").await;
    assert!(html.contains("Your password has been changed."), "the resend restarted the 5 minutes: {html}");

    // After expiry, Resend gives the error and the user starts over.
    let page = forgot(&app, &browser, "alice", "ACME", EMAIL).await.text().await.unwrap();
    let token = token_of(&sink.find(3, "token is ").await);
    app.clock.advance(5 * 60);
    let html = reset(&app, &browser, &page, &token, "Another-Start-2028").await;
    assert!(html.contains("Password Reset Error"), "expired");
    let res = browser
        .post(app.url("/password/reset/resend"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("flow", &flow_of(&page))])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Password Reset Error"));
    app.stop().await;
}

async fn s5_wrong_tokens_admin_lock_the_account(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    enrol(&app, &sink).await;
    let browser = app.browser();
    let page = forgot(&app, &browser, "alice", "ACME", EMAIL).await.text().await.unwrap();
    let token = token_of(&sink.nth(2).await);
    assert!(
        reset(&app, &browser, &page, "WRONG222", "Fresh-Start-2027")
            .await
            .contains("The password token is not correct.")
    );
    assert!(
        reset(&app, &browser, &page, "WRONG333", "Fresh-Start-2027")
            .await
            .contains("The password token is not correct.")
    );
    assert!(reset(&app, &browser, &page, "WRONG444", "Fresh-Start-2027").await.contains("Password Reset Error"));
    let (tenant, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.status, lanyard::domain::user::UserStatus::AdminLocked);
    let activity = app.state.accounts.lanyard().activity(&tenant, Some(&alice), None, 20).await.unwrap();
    assert!(
        activity.iter().any(|e| e.kind == "locked" && e.detail.contains("wrong password tokens")),
        "the record says why"
    );
    assert!(
        reset(&app, &browser, &page, &token, "Fresh-Start-2027").await.contains("Password Reset Error"),
        "the token died too"
    );
    app.stop().await;
}

async fn s6_reset_lifts_a_password_lock_and_revokes_refresh_tokens(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    enrol(&app, &sink).await;
    let rp = crate::oidc::rp::refresh_token_for_alice(&app).await;
    for i in 0..3 {
        sign_in(&app, &app.browser(), "alice", &format!("Wrong-Guess-{i}!"), "ACME").await;
    }
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.status, lanyard::domain::user::UserStatus::PasswordLocked);
    let browser = app.browser();
    let page = forgot(&app, &browser, "alice", "ACME", EMAIL).await.text().await.unwrap();
    let token = token_of(&sink.nth(2).await);
    assert!(reset(&app, &browser, &page, &token, "Fresh-Start-2027").await.contains("Your password has been changed."));
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.status, lanyard::domain::user::UserStatus::Active);
    let res =
        rp.0.post(
            &format!("http://localhost:{}/token", app.addr.port()),
            &[("grant_type", "refresh_token"), ("refresh_token", &rp.1)],
        )
        .await;
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"], "invalid_grant", "refresh tokens are revoked");
    app.stop().await;
}

/// Issue 11 (9): a token mailed before an administrator set a new password (A1) dies with the
/// old password; the administrator's decision stands.
async fn a1_admin_password_change_ends_a_mailed_token(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    enrol(&app, &sink).await;
    let browser = app.browser();
    let page = forgot(&app, &browser, "alice", "ACME", EMAIL).await.text().await.unwrap();
    let token = token_of(&sink.nth(2).await);
    let admins = lanyard::secret::Secret::new("Admin-Chose-2027");
    app.state.accounts.admin(crate::support::operator()).set_password("ACME", "alice", &admins, false).await.unwrap();
    let html = reset(&app, &browser, &page, &token, "Thief-Chose-2027").await;
    assert!(!html.contains("Your password has been changed."), "{html}");
    let res = sign_in(&app, &app.browser(), "alice", "Admin-Chose-2027", "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the administrator's password stands");
    app.stop().await;
}

/// Issue 11 (6): what is stored for a password token or an email code is keyed with the
/// deployment's secret — a backup or a reachable Redis does not give them up to brute force —
/// and tokens are drawn without bias (unit-tested in `secret.rs`).
async fn mailed_tokens_are_stored_keyed_not_plainly_hashed(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    enrol(&app, &sink).await;
    let browser = app.browser();
    forgot(&app, &browser, "alice", "ACME", EMAIL).await;
    let token = token_of(&sink.nth(2).await);
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let config = app.scratch.config(&[]);
    let store = lanyard::store::Store::connect(config.database_url.expose(), 1).await.unwrap();
    let eph = match &config.redis_url {
        Some(url) => {
            lanyard::store::Ephemeral::redis(url.expose(), &config.redis_prefix, lanyard::clock::Clock::system())
                .await
                .unwrap()
        }
        None => lanyard::store::Ephemeral::sql(store.clone(), lanyard::clock::Clock::system()),
    };
    let stored = eph.get(&format!("reset-token:{}", alice.id)).await.unwrap().expect("a token record");
    let record: serde_json::Value = serde_json::from_str(&stored).unwrap();
    let hash = record["hash"].as_str().unwrap();
    assert_ne!(hash, lanyard::secret::token_hash(&token), "a plain SHA-256 of a 40-bit token");
    assert!(!stored.contains(&token));
    let key = config.secret_key.as_ref().unwrap().expose().as_bytes().to_vec();
    assert_eq!(hash, lanyard::secret::Mac::new(&key).sign("reset-token", &token));
    store.close().await.unwrap();
    app.stop().await;
}

backend_tests! {
    a1_admin_change_ends_token => a1_admin_password_change_ends_a_mailed_token,
    reset_tokens_keyed => mailed_tokens_are_stored_keyed_not_plainly_hashed,
}

backend_tests! {
    s2_enrolment => s2_enrolment_needs_the_password_and_the_code,
    s2_code_expiry => s2_codes_expire_after_10_minutes,
    s1_not_enabled => s1_without_enablement_there_is_no_enrolment,
    s3_s6_full_reset => s3_to_s6_full_reset,
    s3_same_page_for_every_cause => s3_every_cause_gets_the_same_page,
    s4_expiry_and_resend => s4_tokens_last_5_minutes_and_resend_replaces_them,
    s5_wrong_tokens_lock => s5_wrong_tokens_admin_lock_the_account,
    s6_unlock_and_revoke => s6_reset_lifts_a_password_lock_and_revokes_refresh_tokens,
}

/// S6 ends every session of the user; applications that registered for back-channel logout are
/// told, as when the user signs out.
async fn s6_reset_sends_backchannel_logout(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    enrol(&app, &sink).await;
    let (uri, seen) = crate::oidc::logout::capture_server().await;
    let mut meta = crate::oidc::rp::metadata(false);
    meta.backchannel_logout_uri = Some(uri);
    let listening = crate::oidc::rp::register(&app, "listening", meta, &["ACME"]).await;
    crate::oidc::rp::code_for_alice(&app, &listening, &app.browser()).await;
    let browser = app.browser();
    let page = forgot(&app, &browser, "alice", "ACME", EMAIL).await.text().await.unwrap();
    let token = token_of(&sink.find(1, "token is ").await);
    assert!(reset(&app, &browser, &page, &token, "Fresh-Start-2027").await.contains("Your password has been changed."));
    for _ in 0..100 {
        if !seen.lock().await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let body = seen.lock().await.first().cloned().expect("a logout token after the reset");
    let token = body.strip_prefix("logout_token=").unwrap();
    let claims = lanyard::oidc::jwt::verify(&app.state.oidc.ring, token).unwrap();
    assert_eq!(claims["aud"], "listening");
    app.stop().await;
}

backend_tests! {
    s6_backchannel => s6_reset_sends_backchannel_logout,
}

/// Knowing a login name must not use up its resets: only requests that mail count per account.
async fn s3_wrong_requests_do_not_use_up_the_accounts_sends(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    enrol(&app, &sink).await;
    for _ in 0..8 {
        let html = forgot(&app, &app.browser(), "alice", "ACME", "attacker@example.org").await.text().await.unwrap();
        assert!(html.contains("Password Reset Error"));
    }
    let html = forgot(&app, &app.browser(), "alice", "ACME", EMAIL).await.text().await.unwrap();
    assert!(html.contains(">Password Token</label>"), "the real user can still reset");
    app.stop().await;
}

/// A wrong password at Settings is a password guess: it counts towards L3's lock.
async fn s2_wrong_passwords_at_settings_count_towards_the_lock(backend: Backend) {
    let (app, _sink) = spawn_with_mail(backend).await;
    enabled(&app).await;
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    for _ in 0..2 {
        let html = settings_post(&app, &browser, &[("step", "verify"), ("current_password", "Wrong-Pass-1")]).await;
        assert!(html.contains("The password is not correct."));
    }
    settings_post(&app, &browser, &[("step", "verify"), ("current_password", "Wrong-Pass-1")]).await;
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.status, lanyard::domain::user::UserStatus::PasswordLocked);
    let res = browser.get(app.url("/settings")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login", "the lock ended the session");
    app.stop().await;
}

backend_tests! {
    s3_sends_not_used_up => s3_wrong_requests_do_not_use_up_the_accounts_sends,
    s2_settings_guesses_count => s2_wrong_passwords_at_settings_count_towards_the_lock,
}
