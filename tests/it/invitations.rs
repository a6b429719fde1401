//! P1–P3 (issue 14) on both backends, with the SMTP sink and the manual clock: an invitation's
//! link works 47 h 59 min and not 48 h 1 min, a resend voids the earlier link, a used link
//! fails, registration signs the person in; a disabled account cannot sign in or finish a staff
//! reset link, enabling restores both; concurrent registrations with one link make one account.

use lanyard::domain::application::AdminGrant;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::support::spawn_with_mail;
use crate::support::{AsLanyard, Backend, T0, TestApp, csrf_of, sign_in};
use crate::support::{call, token_for};

const HOUR: i64 = 3600;

fn link_of(mail: &str, path: &str) -> String {
    let at = mail.find(path).unwrap_or_else(|| panic!("a {path} link in {mail}"));
    let rest = &mail[at..];
    let end = rest.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(rest.len());
    rest[..end].to_string()
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let res = client.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// Posts the registration form of the page at `link`.
async fn register(
    app: &TestApp,
    client: &reqwest::Client,
    link: &str,
    login: &str,
    password: &str,
) -> reqwest::Response {
    let (_, html) = page(app, client, link).await;
    let token = link.split("token=").nth(1).unwrap();
    let csrf = if html.contains("name=\"csrf\"") { csrf_of(&html) } else { String::new() };
    client
        .post(app.url("/invitation"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", token),
            ("login_name", login),
            ("new_password", password),
            ("confirm_password", password),
        ])
        .send()
        .await
        .unwrap()
}

async fn invite(app: &TestApp, token: &str) -> Value {
    let body = json!({ "name": "Pat Client", "email": "pat@example.org" });
    let (status, invitation) = call(app, token, "POST", "/providers/ACME/invitations", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{invitation}");
    invitation
}

async fn p1_invitation_lifecycle(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let staff = token_for(&app, "acme-staff", Some(AdminGrant::UserAdministrator { provider: "ACME".into() })).await;
    let invitation = invite(&app, &staff).await;
    assert_eq!(invitation["expires_at"], T0 + 48 * HOUR, "{invitation}");
    assert!(!invitation.to_string().contains("token"), "the link is never shown to staff: {invitation}");
    let first = sink.find(1, "/invitation?token=").await;
    assert!(first.contains("no-reply@lanyard.test") && first.contains("spam"), "{first}");
    assert!(!first.to_lowercase().contains("password:"), "no password in the mail");
    let link1 = link_of(&first, "/invitation?token=");
    let browser = app.browser();

    app.clock.advance(47 * HOUR + 59 * 60);
    let (status, html) = page(&app, &browser, &link1).await;
    assert_eq!(status, StatusCode::OK, "47 h 59 min: still works");
    assert!(html.contains("Create your account") && html.contains("ACME Agency"));
    app.clock.advance(2 * 60);
    // Staff's access token (an hour) ran out long ago: a fresh one.
    let staff =
        token_for(&app, "acme-staff-later", Some(AdminGrant::UserAdministrator { provider: "ACME".into() })).await;
    let (status, html) = page(&app, &browser, &link1).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "48 h 1 min: no longer");
    assert!(html.contains("ask your agency to send you a new invitation"), "{html}");
    let (_, listed) = call(&app, &staff, "GET", "/providers/ACME/invitations", None).await;
    assert_eq!(listed["entries"][0]["portal_status"], "expired", "{listed}");

    // Resend: a new link; the earlier one (even if it had not expired) stops working.
    let id = invitation["id"].as_i64().unwrap();
    let (status, _) = call(&app, &staff, "POST", &format!("/providers/ACME/invitations/{id}/resend"), None).await;
    assert_eq!(status, StatusCode::OK);
    let link2 = link_of(&sink.find(2, "/invitation?token=").await, "/invitation?token=");
    let (status, _) = call(&app, &staff, "POST", &format!("/providers/ACME/invitations/{id}/resend"), None).await;
    assert_eq!(status, StatusCode::OK);
    let link3 = link_of(&sink.find(3, "/invitation?token=").await, "/invitation?token=");
    assert_eq!(page(&app, &browser, &link2).await.0, StatusCode::NOT_FOUND, "a resend voids the earlier link");
    assert_eq!(page(&app, &browser, &link3).await.0, StatusCode::OK);

    // Registration: L5-style messages all at once; a username in use is refused.
    let res = register(&app, &browser, &link3, "ALICE", "short").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("This Login Name is taken") && html.contains("at least 8 characters"), "{html}");
    let res = register(&app, &browser, &link3, "pat", "Chosen-Carefully-9").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/account");
    let (status, html) = page(&app, &browser, "/account").await;
    assert!(status == StatusCode::OK && html.contains("pat"), "signed in: {html}");
    let res = register(&app, &app.browser(), &link3, "pat2", "Chosen-Carefully-9").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "a used link fails");

    let (_, listed) = call(&app, &staff, "GET", "/providers/ACME/invitations", None).await;
    assert_eq!(
        (listed["entries"][0]["portal_status"].as_str(), listed["entries"][0]["login_name"].as_str()),
        (Some("active"), Some("pat"))
    );
    let tenant = app.state.accounts.lanyard().tenant("ACME").await.unwrap();
    let entries = app.state.accounts.lanyard().activity(&tenant, None, None, 50).await.unwrap();
    assert!(entries.iter().any(|e| e.kind == "sign_in" && e.login_type == "invitation" && e.login_name == "pat"));
    assert!(entries.iter().filter(|e| e.kind == "invitation").count() >= 3, "sent, resent twice: {entries:?}");
    let (_, pat) = call(&app, &staff, "GET", "/providers/ACME/users/pat", None).await;
    assert_eq!((pat["email"].as_str(), pat["email_verified"].as_bool()), (Some("pat@example.org"), Some(true)));
    app.stop().await;
}

async fn p2_p3_disable_and_staff_reset_link(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    let staff = token_for(&app, "acme-admin", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;
    invite(&app, &staff).await;
    let link = link_of(&sink.find(1, "/invitation?token=").await, "/invitation?token=");
    assert_eq!(
        register(&app, &app.browser(), &link, "pclient", "Chosen-Carefully-9").await.status(),
        StatusCode::SEE_OTHER
    );

    // Disabled: the generic answer even with the right password; no reset link can be sent.
    let status_of = |action: &'static str| json!({ "action": action });
    call(&app, &staff, "POST", "/providers/ACME/users/pclient/status", Some(status_of("deactivate"))).await;
    let (_, listed) = call(&app, &staff, "GET", "/providers/ACME/invitations", None).await;
    assert_eq!(listed["entries"][0]["portal_status"], "disabled");
    let res = sign_in(&app, &app.browser(), "pclient", "Chosen-Carefully-9", "ACME").await;
    assert!(res.text().await.unwrap().contains("Invalid Credentials"));
    let (status, p) = call(&app, &staff, "POST", "/providers/ACME/users/pclient/reset-link", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");

    // Enabled: signs in again; staff send a reset link, then another, which voids the first.
    call(&app, &staff, "POST", "/providers/ACME/users/pclient/status", Some(status_of("reactivate"))).await;
    assert_eq!(
        sign_in(&app, &app.browser(), "pclient", "Chosen-Carefully-9", "ACME").await.status(),
        StatusCode::SEE_OTHER
    );
    for _ in 0..2 {
        let (status, _) = call(&app, &staff, "POST", "/providers/ACME/users/pclient/reset-link", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let first = sink.find(1, "/password/link?token=").await;
    assert!(!first.contains("pclient"), "P3: the mail does not show the username: {first}");
    let link1 = link_of(&first, "/password/link?token=");
    let link2 = link_of(&sink.find(2, "/password/link?token=").await, "/password/link?token=");
    let browser = app.browser();
    assert_eq!(page(&app, &browser, &link1).await.0, StatusCode::NOT_FOUND, "the earlier link is void");
    assert_eq!(page(&app, &browser, &link2).await.0, StatusCode::OK);

    // A disabled account cannot finish it, and disabling voids it for good (S7): enabled
    // again, the account needs a new link, which works within its 48 hours.
    call(&app, &staff, "POST", "/providers/ACME/users/pclient/status", Some(status_of("deactivate"))).await;
    let (status, html) = page(&app, &browser, &link2).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");
    call(&app, &staff, "POST", "/providers/ACME/users/pclient/status", Some(status_of("reactivate"))).await;
    assert_eq!(page(&app, &browser, &link2).await.0, StatusCode::NOT_FOUND, "S7: deactivation voided it");
    let (status, _) = call(&app, &staff, "POST", "/providers/ACME/users/pclient/reset-link", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let link2 = link_of(&sink.find(3, "/password/link?token=").await, "/password/link?token=");
    app.clock.advance(47 * HOUR);
    let (status, html) = page(&app, &browser, &link2).await;
    assert_eq!(status, StatusCode::OK);
    let token = link2.split("token=").nth(1).unwrap();
    let post = |password: &'static str, html: String| {
        let browser = browser.clone();
        let url = app.url("/password/link");
        async move {
            let form = [
                ("csrf", csrf_of(&html)),
                ("token", token.to_string()),
                ("new_password", password.into()),
                ("confirm_password", password.into()),
            ];
            browser.post(url).form(&form).send().await.unwrap()
        }
    };
    let res = post("Chosen-Carefully-9", html).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the current password is refused (L5 history)");
    let (_, html) = page(&app, &browser, &link2).await;
    let res = post("Brand-New-Secret-4", html).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Login Again"));
    assert_eq!(page(&app, &browser, &link2).await.0, StatusCode::NOT_FOUND, "single use");
    assert_eq!(
        sign_in(&app, &app.browser(), "pclient", "Brand-New-Secret-4", "ACME").await.status(),
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}

async fn p1_one_link_registers_once_under_concurrency(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    let staff = token_for(&app, "acme-admin", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;
    invite(&app, &staff).await;
    let link = link_of(&sink.find(1, "/invitation?token=").await, "/invitation?token=");
    let browser = app.browser();
    let (_, html) = page(&app, &browser, &link).await;
    let csrf = csrf_of(&html);
    let token = link.split("token=").nth(1).unwrap().to_string();
    let tries = (0..10).map(|i| {
        let (browser, url, csrf, token) = (browser.clone(), app.url("/invitation"), csrf.clone(), token.clone());
        tokio::spawn(async move {
            let login = format!("racer{i}");
            let form = [
                ("csrf", csrf),
                ("token", token),
                ("login_name", login),
                ("new_password", "Chosen-Carefully-9".into()),
                ("confirm_password", "Chosen-Carefully-9".into()),
            ];
            browser.post(url).form(&form).send().await.unwrap().status()
        })
    });
    let statuses = futures_util::future::join_all(tries).await;
    let won = statuses.iter().filter(|s| *s.as_ref().unwrap() == StatusCode::SEE_OTHER).count();
    assert_eq!(won, 1, "{statuses:?}");
    let tenant = app.state.accounts.lanyard().tenant("ACME").await.unwrap();
    assert_eq!(crate::support::all_users(&app.state.accounts, &tenant).await.len(), 1, "one account");
    app.stop().await;
}

async fn invitations_refuse_bad_input_and_other_providers(backend: Backend) {
    let (app, _sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    app.tenant("OTHER").await;
    let staff = token_for(&app, "acme-admin", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;
    let rival = token_for(&app, "other-admin", Some(AdminGrant::ProviderAdmin { provider: "OTHER".into() })).await;
    for (body, field) in [
        (json!({ "name": "x".repeat(201), "email": "a@example.org" }), "name"),
        (json!({ "name": "", "email": "a@example.org" }), "name"),
        (json!({ "name": "Pat", "email": "not an address" }), "email"),
        (json!({ "name": "Pat", "email": format!("{}@example.org", "a".repeat(300)) }), "email"),
    ] {
        let (status, p) = call(&app, &staff, "POST", "/providers/ACME/invitations", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");
        assert!(p["errors"][field].is_string(), "{field}: {p}");
    }
    let id = invite(&app, &staff).await["id"].as_i64().unwrap();
    let again = json!({ "name": "Pat again", "email": "PAT@example.org" });
    let (status, p) = call(&app, &staff, "POST", "/providers/ACME/invitations", Some(again)).await;
    assert_eq!(status, StatusCode::CONFLICT, "one open invitation per address: {p}");
    for (method, path) in [
        ("GET", "/providers/ACME/invitations".to_string()),
        ("POST", format!("/providers/ACME/invitations/{id}/resend")),
        ("POST", format!("/providers/OTHER/invitations/{id}/resend")),
        ("DELETE", format!("/providers/OTHER/invitations/{id}")),
    ] {
        let (status, p) = call(&app, &rival, method, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {p}");
    }
    let (status, revoked) = call(&app, &staff, "DELETE", &format!("/providers/ACME/invitations/{id}"), None).await;
    assert_eq!((status, revoked["status"].as_str()), (StatusCode::OK, Some("revoked")));
    let (status, _) = call(&app, &staff, "POST", &format!("/providers/ACME/invitations/{id}/resend"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "a revoked invitation is not resent");
    // Hostile links and fields at the registration page: one page, never a 500.
    let browser = app.browser();
    for path in ["/invitation?token=nope", "/invitation?token=", "/password/link?token=AAAA"] {
        assert_eq!(page(&app, &browser, path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let res = browser.post(app.url("/invitation")).form(&[("token", "x".repeat(5000))]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

async fn cli_invitations(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let cli = crate::cli::Cli { scratch: &scratch };
    cli.json(&["tenant", "create", "ACME", "--name", "Acme Agency"], None);
    let sent =
        cli.json(&["invitation", "send", "--tenant", "ACME", "--name", "Pat", "--email", "pat@example.org"], None);
    assert_eq!(sent["status"], "pending");
    let id = sent["id"].as_i64().unwrap().to_string();
    let resent = cli.json(&["invitation", "resend", "--tenant", "ACME", &id], None);
    assert_eq!(resent["sends"], 2);
    let listed = cli.json(&["invitation", "list", "--tenant", "ACME"], None);
    assert_eq!(listed[0]["portal_status"], "invited");
    let outbox = std::path::Path::new(&scratch.env["LANYARD_DATA_DIR"]).join("outbox");
    let mails = std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0);
    assert_eq!(mails, 2, "both mails were written before the command exited");
    let revoked = cli.json(&["invitation", "revoke", "--tenant", "ACME", &id], None);
    assert_eq!(revoked["status"], "revoked");
    assert!(cli.fails(&["invitation", "resend", "--tenant", "ACME", &id]).contains("revoked"));
    cli.json(
        &["user", "create", "--tenant", "ACME", "alice", "--password-stdin", "--permanent"],
        Some("Correct-Horse9\n"),
    );
    assert!(cli.fails(&["user", "send-reset-link", "--tenant", "ACME", "alice"]).contains("no email address"));
    cli.json(&["user", "set", "--tenant", "ACME", "alice", "--email", "alice@example.org"], None);
    cli.json(&["user", "send-reset-link", "--tenant", "ACME", "alice"], None);
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 3);
    scratch.cleanup().await;
}

backend_tests! {
    p1_lifecycle => p1_invitation_lifecycle,
    p2_p3_disable_and_reset_link => p2_p3_disable_and_staff_reset_link,
    p1_concurrent_registration => p1_one_link_registers_once_under_concurrency,
    invitations_bad_input => invitations_refuse_bad_input_and_other_providers,
    invitations_cli => cli_invitations,
}
