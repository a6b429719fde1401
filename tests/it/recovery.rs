//! A2 end to end, mail over real SMTP: a locked-out super admin asks from the sign-in help page,
//! a platform operator approves over the administration API, the link arrives at the verified
//! address, the super admin chooses the password. The operator never sees the link or the
//! password; every step is in the activity record.

use lanyard::domain::application::AdminGrant;
use lanyard::domain::user::UserType;
use lanyard::secret::Secret;
use reqwest::StatusCode;

use crate::backend_tests;
use crate::support::spawn_with_mail;
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, csrf_of, sign_in};
use crate::support::{call, token_for};

const BOSS_MAIL: &str = "boss@acme.example";

async fn ask_for_help(app: &TestApp, code: &str, login: &str) -> String {
    let browser = app.browser();
    let page = browser.get(app.url("/login/help")).send().await.unwrap().text().await.unwrap();
    let form = [("csrf", csrf_of(&page)), ("provider_code", code.to_string()), ("login_name", login.to_string())];
    browser.post(app.url("/login/help")).form(&form).send().await.unwrap().text().await.unwrap()
}

async fn lock(app: &TestApp, login: &str) {
    for _ in 0..3 {
        sign_in(app, &app.browser(), login, "Wrong-1!aa", "ACME").await;
    }
    assert!(app.state.accounts.lanyard().user("ACME", login).await.unwrap().1.status.is_locked());
}

/// The requests in `status`, once there are `expected` of them: the help page answers before it
/// records (so its timing says nothing), so the test waits, bounded, for the record.
async fn requests(app: &TestApp, token: &str, status: &str, expected: usize) -> Vec<serde_json::Value> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        let (_, list) = call(app, token, "GET", &format!("/recovery-requests?status={status}"), None).await;
        seen = list.as_array().unwrap().clone();
        if seen.len() == expected {
            return seen;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("expected {expected} {status} requests, saw {seen:?}");
}

fn link_of(mail: &str) -> String {
    let at = mail.find("/recover?token=").expect("a link in the mail");
    let rest = &mail[at..];
    let end = rest.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(rest.len());
    rest[..end].to_string()
}

async fn a2_super_admin_recovery_end_to_end(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    let accounts = &app.state.accounts;
    let boss = accounts
        .admin(crate::support::operator())
        .create_user("ACME", "boss", UserType::SuperAdmin, &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    accounts.lanyard().set_verified_email_unchecked(&boss, BOSS_MAIL).await.unwrap();
    app.user("ACME", "alice").await;
    let ops = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;

    // Only a locked super admin gets a request; every answer reads the same (L2).
    let answer = message_of(&ask_for_help(&app, "ACME", "boss").await);
    assert!(answer.as_deref().is_some_and(|a| a.contains("platform operators")), "{answer:?}");
    lock(&app, "boss").await;
    lock(&app, "alice").await;
    for (code, login) in [("ACME", "alice"), ("ACME", "nobody"), ("NOPE", "boss"), ("ACME", "BOSS")] {
        assert_eq!(message_of(&ask_for_help(&app, code, login).await), answer, "{code}/{login}");
    }
    let pending = requests(&app, &ops, "pending", 1).await;
    // Give the other (ineligible) asks time to have been recorded, had they been.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let pending = requests(&app, &ops, "pending", pending.len()).await;
    assert_eq!(pending.len(), 1, "one request, for the locked super admin only: {pending:?}");
    assert_eq!(pending[0]["user_id"], boss.id);
    let id = pending[0]["id"].as_i64().unwrap();

    // A provider's own admin cannot decide it; the platform can.
    let acme = token_for(&app, "acme-admin", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;
    let (status, _) = call(&app, &acme, "POST", &format!("/recovery-requests/{id}/approve"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mails_before = sink.count().await;
    let (status, approved) = call(&app, &ops, "POST", &format!("/recovery-requests/{id}/approve"), None).await;
    assert_eq!((status, approved["status"].as_str()), (StatusCode::OK, Some("approved")), "{approved}");
    assert_eq!(approved["decided_by"], "client:ops");
    assert!(!approved.to_string().contains("token"), "the operator never sees the link: {approved}");
    let (status, _) = call(&app, &ops, "POST", &format!("/recovery-requests/{id}/approve"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once");

    let mail = sink.nth(mails_before + 1).await;
    assert!(mail.contains(&format!("To: {BOSS_MAIL}")), "{mail}");
    let link = link_of(&mail);
    let browser = app.browser();
    let page = browser.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Choose a new password"), "{page}");
    let token = link.split("token=").nth(1).unwrap().to_string();
    let submit = |new: &'static str, page: String| {
        let browser = browser.clone();
        let (url, token) = (app.url("/recover"), token.clone());
        async move {
            let form = [
                ("csrf", csrf_of(&page)),
                ("token", token),
                ("new_password", new.to_string()),
                ("confirm_password", new.to_string()),
            ];
            browser.post(url).form(&form).send().await.unwrap().text().await.unwrap()
        }
    };
    let html = submit("short", page).await;
    assert!(html.contains("Password must be at least 8 characters long."), "L5 applies: {html}");
    let html = submit("Recovered-Boss-2027", html).await;
    assert!(html.contains("Your password has been changed"), "{html}");
    let res = sign_in(&app, &app.browser(), "boss", "Recovered-Boss-2027", "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "unlocked, with the password only the super admin knows");
    let again = app.browser().get(app.url(&link)).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("Link not valid"), "the link works once");

    // Every step in the activity record, with who acted.
    let (_, record) = call(&app, &ops, "GET", "/providers/ACME/activity?user=boss&kind=password_reset", None).await;
    let details: Vec<(String, String)> = record["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["detail"].as_str().unwrap().to_string(), e["actor"].as_str().unwrap().to_string()))
        .collect();
    assert!(details.iter().any(|(d, _)| d.starts_with("super-admin recovery request")), "{details:?}");
    assert!(details.iter().any(|(d, a)| d.contains("approved") && a == "client:ops"), "{details:?}");
    assert!(details.iter().any(|(d, _)| d.starts_with("password chosen with recovery link")), "{details:?}");
    requests(&app, &ops, "completed", 1).await;
    app.stop().await;
}

fn message_of(html: &str) -> Option<String> {
    html.split("id=\"message\">").nth(1).and_then(|r| r.split('<').next()).map(String::from)
}

async fn a2_refusal_and_no_verified_address(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user("ACME", "boss", UserType::SuperAdmin, &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    let ops = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    lock(&app, "boss").await;
    ask_for_help(&app, "ACME", "boss").await;
    requests(&app, &ops, "pending", 1).await;
    ask_for_help(&app, "ACME", "boss").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let pending = requests(&app, &ops, "pending", 1).await;
    assert_eq!(pending.len(), 1, "one open request per account");
    let id = pending[0]["id"].as_i64().unwrap();
    let (status, p) = call(&app, &ops, "POST", &format!("/recovery-requests/{id}/approve"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "no verified address: {p}");
    let (status, refused) = call(&app, &ops, "POST", &format!("/recovery-requests/{id}/refuse"), None).await;
    assert_eq!((status, refused["status"].as_str()), (StatusCode::OK, Some("refused")));
    let (status, _) = call(&app, &ops, "POST", "/recovery-requests/999999/refuse", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(sink.count().await, 0, "nothing was mailed");
    let junk = app.browser().get(app.url("/recover?token=not-a-token")).send().await.unwrap().text().await.unwrap();
    assert!(junk.contains("Link not valid"));
    app.stop().await;
}

backend_tests! {
    a2_end_to_end => a2_super_admin_recovery_end_to_end,
    a2_refusal => a2_refusal_and_no_verified_address,
}
