//! The people's pages (issue 17): changing one's password at will, "Trouble signing in?" with a
//! provider's contact line, and the Caps Lock script. Both backends, mail over real SMTP.

use reqwest::StatusCode;
use serde_json::json;

use crate::backend_tests;
use crate::support::spawn_with_mail;
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, alert_of, csrf_of, sign_in};

const NEW: &str = "Brand-New-Choice-8";
const LOCKED: &str = "Your account has been locked. Please contact your agency administrator.";

async fn change(
    app: &TestApp,
    browser: &reqwest::Client,
    current: &str,
    new: &str,
    confirm: &str,
) -> (StatusCode, String) {
    let page = browser.get(app.url("/password/change")).send().await.unwrap().text().await.unwrap();
    let form = [
        ("csrf", csrf_of(&page)),
        ("current_password", current.into()),
        ("new_password", new.into()),
        ("confirm_password", confirm.into()),
    ];
    let res = browser.post(app.url("/password/change")).form(&form).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn signed_in(app: &TestApp) -> reqwest::Client {
    let browser = app.browser();
    assert_eq!(sign_in(app, &browser, "alice", PASSWORD, "ACME").await.status(), StatusCode::SEE_OTHER);
    browser
}

async fn account_status(app: &TestApp, browser: &reqwest::Client) -> StatusCode {
    browser.get(app.url("/account")).send().await.unwrap().status()
}

async fn failures(app: &TestApp) -> i32 {
    app.state.accounts.lanyard().user("ACME", "alice").await.unwrap().1.failed_attempts
}

async fn change_password_at_will(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .set_user_email("ACME", "alice", "alice@example.org")
        .await
        .unwrap();
    let (here, elsewhere) = (signed_in(&app).await, signed_in(&app).await);
    let account = here.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(account.contains("href=\"/password/change\""), "the account page links to it");
    let form = here.get(app.url("/password/change")).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("Current Password"), "{form}");

    // A wrong current password: its message with the policy's, all at once, and counted (L3).
    let (status, html) = change(&app, &here, "Wrong-Guess-1!", "short", "other").await;
    assert_eq!(status, StatusCode::OK);
    for message in ["The current password is not correct.", "at least 8 characters", "do not match"] {
        assert!(html.contains(message), "{message}: {html}");
    }
    assert_eq!(failures(&app).await, 1);
    // Nothing is said about the history until the current password is right.
    let (_, html) = change(&app, &here, "Wrong-Guess-2!", PASSWORD, PASSWORD).await;
    assert!(!html.contains("must differ"), "no uncounted oracle for the current password: {html}");
    assert_eq!(failures(&app).await, 2);
    // The right one clears the count; the history still refuses the current password (L5).
    let (_, html) = change(&app, &here, PASSWORD, PASSWORD, PASSWORD).await;
    assert!(html.contains("New Password must differ from the current password."), "{html}");
    assert_eq!(failures(&app).await, 0);
    let (_, html) = change(&app, &here, "", NEW, NEW).await;
    assert!(html.contains("Current Password is required."), "{html}");
    // Hostile sizes: refused by the forms' field limit (a clear 400 page), never a 500, and
    // not counted as a password tried.
    let (status, _) = change(&app, &here, &"x".repeat(5000), &"y".repeat(5000), "z").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(failures(&app).await, 0);

    let mails = sink.count().await;
    let (status, html) = change(&app, &here, PASSWORD, NEW, NEW).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "a redirect, so a reload posts nothing: {html}");
    let account = here.get(app.url("/account?changed=1")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::OK, "still signed in here");
    assert!(account.text().await.unwrap().contains("signed out everywhere else"));
    assert_eq!(account_status(&app, &elsewhere).await, StatusCode::SEE_OTHER, "the other session ended");
    let notice = sink.nth(mails + 1).await;
    assert!(notice.contains("was just changed"), "{notice}");
    let (tenant, user) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let activity = app.state.accounts.lanyard().activity(&tenant, Some(&user), None, 50).await.unwrap();
    assert!(activity.iter().any(|e| e.kind == "password_changed"), "{activity:?}");
    assert!(activity.iter().any(|e| e.kind == "sign_in_failed" && e.detail.contains("Change Password")));
    // The new password signs in, the old one does not.
    let res = sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some("Invalid Credentials"));
    assert_eq!(sign_in(&app, &app.browser(), "alice", NEW, "ACME").await.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

async fn wrong_current_passwords_lock_and_race(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = signed_in(&app).await;
    // Eight wrong current passwords at once: L3 counts exactly three, then the lock holds.
    let racers = (0..8).map(|i| {
        let (app, browser) = (&app, browser.clone());
        async move { change(app, &browser, &format!("Wrong-Guess-{i}!"), NEW, NEW).await }
    });
    let answers = futures_util::future::join_all(racers).await;
    assert_eq!(failures(&app).await, 3);
    assert!(answers.iter().any(|(_, html)| html.contains(LOCKED)), "one of them locked the account");
    let user = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap().1;
    assert_eq!(user.status, lanyard::domain::user::UserStatus::PasswordLocked);
    assert_eq!(account_status(&app, &browser).await, StatusCode::SEE_OTHER, "the lock ended the session");
    let res = sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some(LOCKED));
    app.stop().await;
}

async fn help_page_and_contact_line(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.tenant("BETA").await;
    let login = reqwest::get(app.url("/login")).await.unwrap().text().await.unwrap();
    assert!(login.contains("<a href=\"/help\">Trouble signing in?</a>"));
    let page = |query: String| {
        let url = app.url(&format!("/help{query}"));
        async move {
            let res = reqwest::get(url).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.text().await.unwrap()
        }
    };
    let plain = page(String::new()).await;
    for words in [
        "Check your Caps Lock",
        "case-sensitive",
        "three wrong passwords",
        "Nobody will ever ask you for your password",
        "href=\"/status\"",
    ] {
        assert!(plain.contains(words), "{words}");
    }
    assert!(!plain.contains("help-contact"), "no contact line before a code is typed");

    // A provider administrator sets ACME's line through the API; BETA has none.
    let admin = crate::support::token_for(
        &app,
        "acme-admin",
        Some(lanyard::domain::application::AdminGrant::ProviderAdmin { provider: "ACME".into() }),
    )
    .await;
    let line = "ACME front office: 555-0100, ext. 214";
    let (status, body) =
        crate::support::call(&app, &admin, "PATCH", "/providers/ACME", Some(json!({ "help_contact": line }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["help_contact"], line);
    for bad in [json!("x".repeat(201)), json!("two\nlines"), json!("call \u{202E}412-555"), json!("a\u{2028}b")] {
        let (status, body) =
            crate::support::call(&app, &admin, "PATCH", "/providers/ACME", Some(json!({ "help_contact": bad }))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["errors"]["help_contact"].is_string(), "{body}");
    }
    let (status, _) =
        crate::support::call(&app, &admin, "PATCH", "/providers/BETA", Some(json!({ "help_contact": "mine now" })))
            .await;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "another provider's line: {status}");

    assert!(page("?provider_code=ACME".into()).await.contains(line));
    // Unknown, other-case, line-less and hostile codes all read the same: nothing to enumerate.
    let none = page("?provider_code=NOPE".into()).await;
    assert!(none.contains("No contact is listed here for that Provider Code."));
    let long = reqwest::get(app.url(&format!("/help?provider_code={}", "A".repeat(5000)))).await.unwrap();
    assert_eq!(long.status(), StatusCode::BAD_REQUEST, "the query's length limit, not a lookup");
    for code in ["acme", "BETA", &"A".repeat(65), "%3Cscript%3E"] {
        let html = page(format!("?provider_code={code}")).await;
        assert!(!html.contains(line), "{code}");
        assert!(html.contains("No contact is listed here"), "{code}");
    }
    // Trying codes from one address is slowed down: 20 lookups a minute.
    let mut limited = 0;
    for i in 0..25 {
        let res = reqwest::get(app.url(&format!("/help?provider_code=TRY{i}"))).await.unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
            assert!(res.text().await.unwrap().contains("Too many lookups"));
        }
    }
    assert!(limited >= 5, "{limited}");
    app.clock.advance(61);
    // Cleared with an empty line.
    crate::support::call(&app, &admin, "PATCH", "/providers/ACME", Some(json!({ "help_contact": "" }))).await;
    assert!(!page("?provider_code=ACME".into()).await.contains(line));
    app.stop().await;
}

async fn caps_lock_script_on_every_password_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = reqwest::get(app.url("/static/caps_lock.js")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(res.text().await.unwrap().contains("getModifierState"));
    for path in ["/login", "/password/forgot", "/help"] {
        let res = reqwest::get(app.url(path)).await.unwrap();
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        let html = res.text().await.unwrap();
        assert!(html.contains("<script src=\"/static/caps_lock.js\" defer></script>"), "{path}");
        assert!(!html.contains("<script>"), "no inline script on {path}");
    }
    app.stop().await;
}

async fn signed_out_people_cannot_change_passwords(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    let res = browser.get(app.url("/password/change")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let form = [("current_password", PASSWORD), ("new_password", NEW), ("confirm_password", NEW)];
    let res = browser.post(app.url("/password/change")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"));
    app.stop().await;
}

backend_tests! {
    own_password_change => change_password_at_will,
    own_password_lock_race => wrong_current_passwords_lock_and_race,
    help_page => help_page_and_contact_line,
    caps_lock => caps_lock_script_on_every_password_page,
    own_password_signed_out => signed_out_people_cannot_change_passwords,
}
