//! L1, L2, L4, L6, T1, T2 through the real pages.

use reqwest::StatusCode;

use crate::backend_tests;
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, alert_of, csrf_of, l2_normalised, sign_in};

async fn l1_happy_path_lands_on_the_account_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "Alice.Smith").await;
    let browser = app.browser();
    let res = sign_in(&app, &browser, "Alice.Smith", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/account");
    let page = browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"login-name\">Alice.Smith<"), "{html}");
    assert!(html.contains("ACME Agency"));
    app.stop().await;
}

async fn l2_every_wrong_part_gives_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.tenant("SLEEPY").await;
    app.user("ACME", "alice").await;
    app.user("ACME", "gone").await;
    app.user("SLEEPY", "sam").await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .update_tenant("SLEEPY", &lanyard::domain::tenant::TenantChanges { active: Some(false), ..Default::default() })
        .await
        .unwrap();
    app.state
        .accounts
        .admin(crate::support::operator())
        .change_status("ACME", "gone", lanyard::accounts::admin::StatusChange::Deactivate)
        .await
        .unwrap();

    let cases = [
        ("nobody", PASSWORD, "ACME", "unknown login name"),
        ("alice", "Wrong-Horse9", "ACME", "wrong password"),
        ("alice", "correct-horse9", "ACME", "password is case-sensitive (L1)"),
        ("alice", PASSWORD, "NOPE", "unknown provider code"),
        ("alice", PASSWORD, "acme", "provider code is case-sensitive (T1)"),
        ("sam", PASSWORD, "SLEEPY", "inactive provider (T1)"),
        ("gone", PASSWORD, "ACME", "deactivated user"),
    ];
    let mut bodies = Vec::new();
    for (login, password, code, why) in cases {
        let browser = app.browser();
        let res = sign_in(&app, &browser, login, password, code).await;
        assert_eq!(res.status(), StatusCode::OK, "{why}");
        let html = res.text().await.unwrap();
        assert_eq!(alert_of(&html).as_deref(), Some("Invalid Credentials"), "{why}");
        // Apart from the CSRF token and the echoed fields, the pages are identical.
        bodies.push((why, l2_normalised(&html, login, code)));
    }
    for (why, body) in &bodies[1..] {
        assert_eq!(body, &bodies[0].1, "{why} differs from {}", bodies[0].0);
    }
    app.stop().await;
}

async fn t2_login_name_matches_in_any_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "Alice.Smith").await;
    for spelling in ["alice.smith", "ALICE.SMITH", "aLiCe.SmItH"] {
        let res = sign_in(&app, &app.browser(), spelling, PASSWORD, "ACME").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{spelling}");
    }
    // T2: unique within the provider, compared case-insensitively.
    let dup = app
        .state
        .accounts
        .admin(crate::support::operator())
        .create_user(
            "ACME",
            "ALICE.smith",
            lanyard::domain::user::UserType::Regular,
            &lanyard::secret::Secret::new(PASSWORD),
            false,
        )
        .await;
    assert!(matches!(dup, Err(lanyard::accounts::admin::AdminError::Conflict(_))), "{dup:?}");
    app.stop().await;
}

async fn empty_fields_get_their_own_messages_and_keep_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let res = browser
        .post(app.url("/login"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("login_name", "kept"), ("password", ""), ("provider_code", "")])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Password is required."));
    assert!(html.contains("Provider Code is required."));
    assert!(!html.contains("Login Name is required."));
    assert!(html.contains("value=\"kept\""), "the login name typed is kept");
    app.stop().await;
}

async fn l4_first_sign_in_forces_a_new_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
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
    let res = sign_in(&app, &browser, "newbie", "Temporary-1", "ACME").await;
    assert_eq!(res.headers()["location"], "/password/change");
    // Nothing else is reachable until the change is made.
    let res = browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/password/change");

    let page = browser.get(app.url("/password/change")).send().await.unwrap().text().await.unwrap();
    for label in [">New Password</label>", ">Confirm New Password</label>", ">Update</button>"] {
        assert!(page.contains(label), "{label}");
    }
    let res = browser
        .post(app.url("/password/change"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("new_password", "short"), ("confirm_password", "other")])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Password must be at least 8 characters long."), "{html}");
    assert!(html.contains("New Password and Confirm New Password do not match."));

    let res = browser
        .post(app.url("/password/change"))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("new_password", "Brand-New-Pass1"),
            ("confirm_password", "Brand-New-Pass1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK);

    // The temporary password stopped working; the new one works and is not forced again.
    let res = sign_in(&app, &app.browser(), "newbie", "Temporary-1", "ACME").await;
    assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some("Invalid Credentials"));
    let res = sign_in(&app, &app.browser(), "newbie", "Brand-New-Pass1", "ACME").await;
    assert_eq!(res.headers()["location"], "/account");
    app.stop().await;
}

/// Outside L4 the change page asks for the current password (issue 17): someone at an unlocked
/// browser cannot take over the account with the new-password fields alone.
async fn change_page_needs_the_current_password_outside_l4(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    let page = browser.get(app.url("/password/change")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"current_password\""), "{page}");
    let res = browser
        .post(app.url("/password/change"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("new_password", "Taken-Over-2027"),
            ("confirm_password", "Taken-Over-2027"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Current Password is required."));
    let res = sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the password is unchanged");
    let res = sign_in(&app, &app.browser(), "alice", "Taken-Over-2027", "ACME").await;
    assert_eq!(res.status(), StatusCode::OK, "the takeover's password does not sign in");
    app.stop().await;
}

async fn l6_sign_out_ends_the_lanyard_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    let page = browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    let res = browser.post(app.url("/logout")).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("You have been signed out of Lanyard."));
    let res = browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login");
    app.stop().await;
}

async fn sessions_expire_by_the_lanyard_clock(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    // In use all along (a visit every half idle timeout), the session still ends at its
    // absolute lifetime.
    let (ttl, step) = (app.state.config.session_ttl_secs, app.state.config.session_idle_secs / 2);
    let mut elapsed = 0;
    while elapsed + step < ttl {
        app.clock.advance(step);
        elapsed += step;
        assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK, "{elapsed}");
    }
    app.clock.advance(ttl - 1 - elapsed);
    assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK);
    app.clock.advance(1);
    let res = browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login");
    app.stop().await;
}

async fn a3_provider_admins_see_their_type(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user(
            "ACME",
            "boss",
            lanyard::domain::user::UserType::ProviderAdmin,
            &lanyard::secret::Secret::new(PASSWORD),
            false,
        )
        .await
        .unwrap();
    app.user("ACME", "alice").await;
    let browser = app.browser();
    sign_in(&app, &browser, "boss", PASSWORD, "ACME").await;
    let html = browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("boss · Provider Admin"), "{html}");
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    let html = browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("User Type"));
    app.stop().await;
}

/// Changes alice's password through the forced-change page, returning the page's alert texts.
async fn change_via_page(app: &TestApp, current: &str, new: &str) -> String {
    let browser = app.browser();
    let res = sign_in(app, &browser, "alice", current, "ACME").await;
    assert_eq!(res.headers()["location"], "/password/change", "alice must be on a temporary password");
    let page = browser.get(app.url("/password/change")).send().await.unwrap().text().await.unwrap();
    let res = browser
        .post(app.url("/password/change"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("new_password", new), ("confirm_password", new)])
        .send()
        .await
        .unwrap();
    if res.status() == StatusCode::SEE_OTHER {
        return "changed".into();
    }
    res.text().await.unwrap()
}

async fn l5_common_and_recent_passwords_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .update_tenant(
            "ACME",
            &lanyard::domain::tenant::TenantChanges { password_history: Some(2), ..Default::default() },
        )
        .await
        .unwrap();
    let accounts = &app.state.accounts;
    let temp = |p: &str| lanyard::secret::Secret::new(p);
    accounts
        .admin(crate::support::operator())
        .create_user("ACME", "alice", lanyard::domain::user::UserType::Regular, &temp("Temporary-Pass1"), true)
        .await
        .unwrap();
    let html = change_via_page(&app, "Temporary-Pass1", "Password123!").await;
    assert!(html.contains("Password is too common. Choose one that is harder to guess."), "{html}");
    let html = change_via_page(&app, "Temporary-Pass1", "Temporary-Pass1").await;
    assert!(html.contains("New Password must differ from the current password."), "{html}");
    assert_eq!(change_via_page(&app, "Temporary-Pass1", "First-Choice-42").await, "changed");
    // An administrator resets to a temporary password; the user may not go back to the last two.
    accounts
        .admin(crate::support::operator())
        .set_password("ACME", "alice", &temp("Temporary-Pass2"), true)
        .await
        .unwrap();
    let html = change_via_page(&app, "Temporary-Pass2", "First-Choice-42").await;
    assert!(html.contains("New Password must not be one of your last 2 passwords."), "{html}");
    assert_eq!(change_via_page(&app, "Temporary-Pass2", "Second-Choice-42").await, "changed");
    app.stop().await;
}

async fn l7_sign_in_and_sign_out_are_recorded_with_origin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    browser
        .post(app.url("/login"))
        .header("user-agent", "L7-test-agent")
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("login_name", "alice"),
            ("password", PASSWORD),
            ("provider_code", "ACME"),
        ])
        .send()
        .await
        .unwrap();
    let page = browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    browser.post(app.url("/logout")).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    let (tenant, user) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let entries = app.state.accounts.lanyard().activity(&tenant, Some(&user), None, 10).await.unwrap();
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds[..2], ["sign_out", "sign_in"], "{kinds:?}");
    let sign_in = &entries[1];
    assert_eq!(sign_in.ip, "127.0.0.1");
    assert_eq!(sign_in.user_agent, "L7-test-agent");
    assert_eq!(sign_in.login_type, "password");
    assert_eq!(sign_in.at, crate::support::T0);
    app.stop().await;
}

/// The session cookie's `name=value` from a response's Set-Cookie headers; its attributes are
/// checked on the way (never readable by script, never sent on cross-site subrequests).
fn session_cookie(res: &reqwest::Response) -> String {
    let full = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("lanyard_session="))
        .expect("a session cookie")
        .to_string();
    assert!(full.contains("HttpOnly") && full.contains("SameSite=Lax") && full.contains("Path=/"), "{full}");
    full.split(';').next().unwrap().to_string()
}

async fn status_with_cookie(app: &TestApp, cookie: &str) -> StatusCode {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    client.get(app.url("/account")).header("cookie", cookie).send().await.unwrap().status()
}

/// Issue 11 (9): a new sign-in in the same browser ends the session it held; the old id is
/// worth nothing afterwards (whoever copied it, and whichever user it was).
async fn a_new_sign_in_ends_the_browsers_previous_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    app.user("ACME", "bob").await;
    let browser = app.browser();
    let first = session_cookie(&sign_in(&app, &browser, "alice", PASSWORD, "ACME").await);
    assert_eq!(status_with_cookie(&app, &first).await, StatusCode::OK);
    let second = session_cookie(&sign_in(&app, &browser, "bob", PASSWORD, "ACME").await);
    assert_ne!(first, second);
    assert_eq!(status_with_cookie(&app, &first).await, StatusCode::SEE_OTHER, "the previous id still works");
    assert_eq!(status_with_cookie(&app, &second).await, StatusCode::OK);
    app.stop().await;
}

/// Issue 11 (9): a session nobody uses for the idle timeout ends; each use moves it on.
async fn sessions_end_after_the_idle_timeout(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(scratch, &[("LANYARD_SESSION_IDLE_SECS", "600".into())]).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    for _ in 0..3 {
        app.clock.advance(599);
        assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK);
    }
    app.clock.advance(600);
    let res = browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login");
    app.stop().await;
}

/// Issue 11 (9): choosing the new password (L4) rewrites the session but does not give it a
/// new lifetime: it still ends when the sign-in's would have.
async fn the_forced_change_keeps_the_sessions_absolute_lifetime(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(
        scratch,
        &[("LANYARD_SESSION_TTL_SECS", "3600".into()), ("LANYARD_SESSION_IDLE_SECS", "3600".into())],
    )
    .await;
    app.tenant("ACME").await;
    let temporary = lanyard::secret::Secret::new("Temporary-Pass1");
    let regular = lanyard::domain::user::UserType::Regular;
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user("ACME", "carol", regular, &temporary, true)
        .await
        .unwrap();
    let browser = app.browser();
    let res = sign_in(&app, &browser, "carol", "Temporary-Pass1", "ACME").await;
    assert_eq!(res.headers()["location"], "/password/change");
    app.clock.advance(3000);
    let page = browser.get(app.url("/password/change")).send().await.unwrap().text().await.unwrap();
    let res = browser
        .post(app.url("/password/change"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("new_password", "Chosen-Pass-2027"),
            ("confirm_password", "Chosen-Pass-2027"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/account");
    app.clock.advance(599);
    assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK);
    app.clock.advance(1);
    let res = browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login", "the change restarted the session's lifetime");
    app.stop().await;
}

/// L6: sign-out ends the session at Lanyard, not only the cookie in this browser: a copy of the
/// cookie taken before is refused afterwards.
async fn a_copied_session_cookie_is_dead_after_sign_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    let copy = session_cookie(&sign_in(&app, &browser, "alice", PASSWORD, "ACME").await);
    assert_eq!(status_with_cookie(&app, &copy).await, StatusCode::OK);
    let page = browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    let res = browser.post(app.url("/logout")).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    assert_eq!(status_with_cookie(&app, &copy).await, StatusCode::SEE_OTHER, "the copied cookie still works");
    app.stop().await;
}

backend_tests! {
    session_dead_after_sign_out => a_copied_session_cookie_is_dead_after_sign_out,
    session_rotation => a_new_sign_in_ends_the_browsers_previous_session,
    session_idle => sessions_end_after_the_idle_timeout,
    session_absolute_after_change => the_forced_change_keeps_the_sessions_absolute_lifetime,
}

backend_tests! {
    l5_common_and_history => l5_common_and_recent_passwords_are_refused,
    l7_activity => l7_sign_in_and_sign_out_are_recorded_with_origin,
    l1_sign_in_happy_path => l1_happy_path_lands_on_the_account_page,
    l2_generic_error => l2_every_wrong_part_gives_the_same_answer,
    t2_login_name_case => t2_login_name_matches_in_any_case,
    l5_empty_fields => empty_fields_get_their_own_messages_and_keep_input,
    l4_forced_change => l4_first_sign_in_forces_a_new_password,
    l6_sign_out => l6_sign_out_ends_the_lanyard_session,
    change_needs_current_password => change_page_needs_the_current_password_outside_l4,
    a3_user_type => a3_provider_admins_see_their_type,
    session_expiry => sessions_expire_by_the_lanyard_clock,
}
