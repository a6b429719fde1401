//! The administration API (issue 12): roles decided from the bearer token on every request,
//! each endpoint on both backends, the cross-provider denial table, problem details for bad
//! input, and the activity record naming who acted.

use lanyard::domain::application::AdminGrant;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::support::{API, AsLanyard, Backend, PASSWORD, TestApp, call, sign_in, token_for};

fn provider_admin(code: &str) -> Option<AdminGrant> {
    Some(AdminGrant::ProviderAdmin { provider: code.into() })
}

fn user_admin(code: &str) -> Option<AdminGrant> {
    Some(AdminGrant::UserAdministrator { provider: code.into() })
}

/// A1, S1, T2, T4, L6 over the API as ACME's provider admin; providers and clients as the
/// platform operator; every change in the activity record with the client that made it.
async fn administrators_do_their_work_over_http(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let platform = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    let acme = token_for(&app, "acme-admin", provider_admin("ACME")).await;

    // Providers.
    let (status, created) =
        call(&app, &platform, "POST", "/providers", Some(json!({"provider_code": "GLOBEX", "name": "Globex"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, all) = call(&app, &platform, "GET", "/providers", None).await;
    assert_eq!(all["entries"].as_array().unwrap().len(), 2);
    let (_, mine) = call(&app, &acme, "GET", "/providers", None).await;
    assert_eq!(mine["entries"].as_array().unwrap().len(), 1, "a provider admin sees their provider only");
    assert_eq!(mine["entries"][0]["provider_code"], "ACME");
    let (status, _) = call(
        &app,
        &acme,
        "PATCH",
        "/providers/ACME",
        Some(json!({"max_failed_attempts": 5, "self_reset_enabled": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, &acme, "PATCH", "/providers/ACME", Some(json!({"unified_login_enabled": true}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "U1 is the platform's switch");
    let (status, _) =
        call(&app, &platform, "PATCH", "/providers/ACME", Some(json!({"unified_login_enabled": true}))).await;
    assert_eq!(status, StatusCode::OK);

    // Users: created with a temporary password shown once (L4).
    let (status, bob) = call(&app, &acme, "POST", "/providers/ACME/users", Some(json!({"login_name": "Bob"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{bob}");
    let temporary = bob["temporary_password"].as_str().unwrap().to_string();
    let res = sign_in(&app, &app.browser(), "bob", &temporary, "ACME").await;
    assert_eq!(res.headers()["location"], "/password/change");
    let (_, shown) = call(&app, &acme, "GET", "/providers/ACME/users/bob", None).await;
    assert!(shown.get("temporary_password").is_none() && shown.get("password_hash").is_none(), "{shown}");
    let (_, list) = call(&app, &acme, "GET", "/providers/ACME/users", None).await;
    assert_eq!(list["entries"].as_array().unwrap().len(), 2);
    assert!(list.get("next_cursor").is_none() && list.get("previous_cursor").is_none(), "one page: {list}");

    // A1: a new temporary password; every session of the old one ends.
    let browser = app.browser();
    sign_in(&app, &browser, "alice", PASSWORD, "ACME").await;
    let (status, reset) = call(&app, &acme, "POST", "/providers/ACME/users/alice/password", None).await;
    assert_eq!(status, StatusCode::OK);
    let temporary = reset["temporary_password"].as_str().unwrap();
    assert_eq!(browser.get(app.url("/account")).send().await.unwrap().headers()["location"], "/login");
    let res = sign_in(&app, &app.browser(), "alice", temporary, "ACME").await;
    assert_eq!(res.headers()["location"], "/password/change");

    // A1 statuses; an impossible one is a conflict.
    for (action, status) in [("admin_lock", "admin_locked"), ("unlock", "active"), ("deactivate", "deactivated")] {
        let (code, user) =
            call(&app, &acme, "POST", "/providers/ACME/users/bob/status", Some(json!({"action": action}))).await;
        assert_eq!((code, user["status"].as_str()), (StatusCode::OK, Some(status)), "{action}: {user}");
    }
    let (code, _) =
        call(&app, &acme, "POST", "/providers/ACME/users/bob/status", Some(json!({"action": "unlock"}))).await;
    assert_eq!(code, StatusCode::CONFLICT);
    let (code, _) =
        call(&app, &acme, "POST", "/providers/ACME/users/bob/status", Some(json!({"action": "reactivate"}))).await;
    assert_eq!(code, StatusCode::OK);

    // S1, T2, an unverified address.
    let (code, bob) = call(
        &app,
        &acme,
        "PATCH",
        "/providers/ACME/users/bob",
        Some(json!({"self_reset_enabled": true, "user_administrator": true, "email": "bob@example.org"})),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{bob}");
    assert_eq!((bob["self_reset_enabled"].as_bool(), bob["is_user_admin"].as_bool()), (Some(true), Some(true)));
    assert_eq!(bob["email_verified"], false);
    let (code, bob) =
        call(&app, &acme, "PATCH", "/providers/ACME/users/bob", Some(json!({"user_type": "provider_admin"}))).await;
    assert_eq!((code, bob["user_type"].as_str()), (StatusCode::OK, Some("provider_admin")), "A3: {bob}");
    let (code, _) = call(&app, &acme, "PATCH", "/providers/ACME/users/bob", Some(json!({"user_type": "god"}))).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);

    // Clients, as the platform: a secret shown once, URIs updated, the secret rotated.
    let (code, client) = call(
        &app,
        &platform,
        "POST",
        "/clients",
        Some(json!({
            "client_id": "records", "name": "Records", "providers": ["ACME"],
            "redirect_uris": ["https://records.example/cb"], "token_endpoint_auth_method": "client_secret_basic",
        })),
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{client}");
    assert!(client["client_secret"].is_string());
    let (_, again) = call(&app, &platform, "GET", "/clients/records", None).await;
    assert!(again.get("client_secret").is_none());
    let (code, updated) = call(
        &app,
        &platform,
        "PATCH",
        "/clients/records",
        Some(json!({"redirect_uris": ["https://records.example/cb2"], "name": "Records 2"})),
    )
    .await;
    assert_eq!((code, updated["redirect_uris"][0].as_str()), (StatusCode::OK, Some("https://records.example/cb2")));
    let (code, rotated) = call(&app, &platform, "POST", "/clients/records/secret", None).await;
    assert_eq!(code, StatusCode::OK);
    assert_ne!(rotated["client_secret"], client["client_secret"]);
    let (code, _) = call(&app, &acme, "GET", "/clients", None).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "clients are the platform's");
    // Disabled: no token for it (nor sign-in, nor refresh); enabled again, it works.
    let secret = rotated["client_secret"].as_str().unwrap().to_string();
    let cc = |secret: String| {
        let url = app.url("/token");
        async move {
            reqwest::Client::new()
                .post(url)
                .basic_auth("records", Some(secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let (code, off) = call(&app, &platform, "PATCH", "/clients/records", Some(json!({"disabled": true}))).await;
    assert_eq!((code, off["disabled"].as_bool()), (StatusCode::OK, Some(true)));
    assert_eq!(cc(secret.clone()).await, StatusCode::UNAUTHORIZED, "a disabled client gets no token");
    call(&app, &platform, "PATCH", "/clients/records", Some(json!({"disabled": false}))).await;
    assert_eq!(
        cc(secret.clone()).await,
        StatusCode::BAD_REQUEST,
        "enabled again (no client_credentials grant registered)"
    );

    // T4 and L6.
    let (code, _) = call(
        &app,
        &acme,
        "PUT",
        "/providers/ACME/users/bob/applications/records",
        Some(json!({"status": "admin_locked"})),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let (code, _) =
        call(&app, &acme, "PUT", "/providers/ACME/users/bob/applications/records", Some(json!({"status": "x"}))).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    let carol = app.browser();
    app.user("ACME", "carol").await;
    sign_in(&app, &carol, "carol", PASSWORD, "ACME").await;
    let other_browser = app.browser();
    sign_in(&app, &other_browser, "carol", PASSWORD, "ACME").await;
    let (code, sessions) = call(&app, &acme, "GET", "/providers/ACME/users/carol/sessions", None).await;
    assert_eq!(code, StatusCode::OK);
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert!(sessions.iter().all(|s| s["ip"] == "127.0.0.1" && s["sid"].is_string() && s.get("id").is_none()));
    let page = other_browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    other_browser.post(app.url("/logout")).form(&[("csrf", crate::support::csrf_of(&page))]).send().await.unwrap();
    let (_, sessions) = call(&app, &acme, "GET", "/providers/ACME/users/carol/sessions", None).await;
    assert_eq!(sessions.as_array().unwrap().len(), 1, "a signed-out session is not listed");
    let (code, _) = call(&app, &acme, "DELETE", "/providers/ACME/users/carol/sessions", None).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    assert_eq!(carol.get(app.url("/account")).send().await.unwrap().headers()["location"], "/login");
    let (_, sessions) = call(&app, &acme, "GET", "/providers/ACME/users/carol/sessions", None).await;
    assert_eq!(sessions, json!([]), "none after sign out everywhere");

    // Deleted: gone, with its users' per-application statuses.
    let (code, _) = call(&app, &platform, "DELETE", "/clients/records", None).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    let (code, _) = call(&app, &platform, "GET", "/clients/records", None).await;
    assert_eq!(code, StatusCode::NOT_FOUND);

    // L7: who acted, from where; filters and paging; the export.
    let (_, page) = call(&app, &acme, "GET", "/providers/ACME/activity?user=bob&limit=3", None).await;
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["login_name"].as_str().unwrap().eq_ignore_ascii_case("bob")), "{page}");
    assert!(entries.iter().any(|e| e["actor"] == "client:acme-admin"), "{page}");
    assert_eq!(entries[0]["ip"], "127.0.0.1");
    let cursor = page["next_cursor"].as_i64().unwrap();
    let (_, next) = call(&app, &acme, "GET", &format!("/providers/ACME/activity?user=bob&cursor={cursor}"), None).await;
    assert!(next["entries"].as_array().unwrap().iter().all(|e| e["id"].as_i64().unwrap() < cursor));
    let (_, platform_made) = call(&app, &platform, "GET", "/providers/ACME/activity?kind=admin_action", None).await;
    assert!(platform_made["entries"].as_array().unwrap().iter().any(|e| e["actor"] == "client:ops"));
    let csv = reqwest::Client::new()
        .get(app.url(&format!("{API}/providers/ACME/activity.csv?user=bob")))
        .bearer_auth(&acme)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("id,at,login_name,"));
    let total = 1 + page["entries"].as_array().unwrap().len() + next["entries"].as_array().unwrap().len();
    assert_eq!(csv.lines().count(), total, "{csv}");
    app.stop().await;
}

/// Every endpoint tried against ACME by every role of another provider, and by ACME's user
/// administrator where it may not go: 403 or 404, and ACME unchanged.
async fn another_providers_administrators_are_refused_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.tenant("OTHER").await;
    app.user("ACME", "alice").await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user(
            "ACME",
            "boss",
            lanyard::domain::user::UserType::SuperAdmin,
            &lanyard::secret::Secret::new(PASSWORD),
            false,
        )
        .await
        .unwrap();
    let platform = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    call(
        &app,
        &platform,
        "POST",
        "/clients",
        Some(json!({"client_id": "records", "name": "Records", "redirect_uris": ["https://r.example/cb"], "token_endpoint_auth_method": "client_secret_basic"})),
    )
    .await;
    let strangers = [
        ("OTHER provider admin", token_for(&app, "other-admin", provider_admin("OTHER")).await),
        ("OTHER user admin", token_for(&app, "other-users", user_admin("OTHER")).await),
    ];
    let acme_user_admin = token_for(&app, "acme-users", user_admin("ACME")).await;
    let no_role = token_for(&app, "no-role", None).await;
    let endpoints: Vec<(&str, &str, Option<Value>)> = vec![
        ("GET", "/providers/ACME", None),
        ("PATCH", "/providers/ACME", Some(json!({"max_failed_attempts": 9}))),
        ("GET", "/providers/ACME/users", None),
        ("POST", "/providers/ACME/users", Some(json!({"login_name": "mallory"}))),
        ("GET", "/providers/ACME/users/alice", None),
        ("PATCH", "/providers/ACME/users/alice", Some(json!({"self_reset_enabled": true}))),
        ("POST", "/providers/ACME/users/alice/password", None),
        ("POST", "/providers/ACME/users/alice/status", Some(json!({"action": "admin_lock"}))),
        ("PUT", "/providers/ACME/users/alice/applications/records", Some(json!({"status": "admin_locked"}))),
        ("DELETE", "/providers/ACME/users/alice/sessions", None),
        ("GET", "/providers/ACME/users/alice/sessions", None),
        ("GET", "/providers/ACME/activity", None),
        ("GET", "/providers/ACME/activity.csv", None),
        ("POST", "/providers", Some(json!({"provider_code": "EVIL", "name": "Evil"}))),
        ("GET", "/clients", None),
        (
            "POST",
            "/clients",
            Some(
                json!({"name": "x", "redirect_uris": ["https://x.example/cb"], "token_endpoint_auth_method": "client_secret_basic"}),
            ),
        ),
        ("GET", "/clients/records", None),
        ("PATCH", "/clients/records", Some(json!({"name": "owned"}))),
        ("POST", "/clients/records/secret", None),
        ("DELETE", "/clients/records", None),
        ("GET", "/operators", None),
        ("PATCH", "/providers/ACME/users/alice", Some(json!({"platform_operator": true}))),
    ];
    let before = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap().1;
    let acme_before = app.state.accounts.lanyard().tenant("ACME").await.unwrap();
    let mut refusals = 0;
    for (who, token) in strangers
        .iter()
        .map(|(w, t)| (*w, t.as_str()))
        .chain([("a client without a role", no_role.as_str()), ("no token", "")])
    {
        for (method, path, body) in &endpoints {
            let (status, value) = call(&app, token, method, path, body.clone()).await;
            assert!(
                [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
                "{who}: {method} {path} -> {status} {value}"
            );
            refusals += 1;
        }
    }
    // ACME's user administrator: users yes, but not settings, admins, clients or providers.
    for (method, path, body) in [
        ("PATCH", "/providers/ACME", Some(json!({"max_failed_attempts": 9}))),
        ("POST", "/providers/ACME/users/boss/password", None),
        ("POST", "/providers/ACME/users/boss/status", Some(json!({"action": "admin_lock"}))),
        ("PATCH", "/providers/ACME/users/alice", Some(json!({"user_administrator": true}))),
        ("PATCH", "/providers/ACME/users/alice", Some(json!({"user_type": "super_admin"}))),
        ("POST", "/providers/ACME/users", Some(json!({"login_name": "newboss", "user_type": "super_admin"}))),
        ("GET", "/clients", None),
        ("POST", "/providers", Some(json!({"provider_code": "EVIL", "name": "Evil"}))),
    ] {
        let (status, value) = call(&app, &acme_user_admin, method, path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "ACME user admin: {method} {path}: {value}");
    }
    let (status, _) =
        call(&app, &acme_user_admin, "PATCH", "/providers/ACME/users/alice", Some(json!({"self_reset_enabled": true})))
            .await;
    assert_eq!(status, StatusCode::OK, "a user administrator administers regular users (control)");

    // Nobody administers someone above them: ACME's provider admin and its super admin boss;
    // anyone of a provider and a platform operator who is a user there.
    let acme_admin = token_for(&app, "acme-admin", provider_admin("ACME")).await;
    for (method, path, body) in [
        ("POST", "/providers/ACME/users/boss/password", None),
        ("POST", "/providers/ACME/users/boss/status", Some(json!({"action": "admin_lock"}))),
        ("POST", "/providers/ACME/users", Some(json!({"login_name": "newboss", "user_type": "super_admin"}))),
        ("PATCH", "/providers/ACME/users/alice", Some(json!({"user_type": "super_admin"}))),
    ] {
        let (status, value) = call(&app, &acme_admin, method, path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "ACME provider admin: {method} {path}: {value}");
    }
    call(&app, &platform, "PATCH", "/providers/ACME/users/alice", Some(json!({"platform_operator": true}))).await;
    let (status, _) = call(&app, &acme_admin, "POST", "/providers/ACME/users/alice/password", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a provider admin cannot take over a platform operator");
    call(&app, &platform, "PATCH", "/providers/ACME/users/alice", Some(json!({"platform_operator": false}))).await;
    // T4 on an application this provider does not use: as if it did not exist.
    let (status, _) = call(
        &app,
        &acme_admin,
        "PUT",
        "/providers/ACME/users/alice/applications/records",
        Some(json!({"status": "admin_locked"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Nothing changed.
    assert!(refusals >= 70);
    let after = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap().1;
    assert_eq!((after.status, after.must_change_password), (before.status, before.must_change_password));
    let acme_after = app.state.accounts.lanyard().tenant("ACME").await.unwrap();
    assert_eq!(acme_after.password_policy, acme_before.password_policy);
    assert!(app.state.accounts.lanyard().tenant("EVIL").await.is_err());
    assert!(app.state.accounts.lanyard().user("ACME", "mallory").await.is_err());
    let boss = app.state.accounts.lanyard().user("ACME", "boss").await.unwrap().1;
    assert_eq!(boss.status, lanyard::domain::user::UserStatus::Active);
    assert_eq!(app.state.accounts.client("records").await.unwrap().unwrap().name, "Records");
    app.stop().await;
}

/// Bad input gets problem details with the field named; never a 500.
async fn bad_input_gets_problem_details(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let platform = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    let (status, p) =
        call(&app, &platform, "POST", "/providers", Some(json!({"provider_code": "bad code", "name": "x"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");
    assert!(p["errors"]["provider_code"].is_string(), "{p}");
    let (status, p) =
        call(&app, &platform, "POST", "/providers", Some(json!({"provider_code": "ACME", "name": "Again"}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    let (status, _) =
        call(&app, &platform, "POST", "/providers", Some(json!({"provider_code": "X", "name": "x", "extra": 1}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown fields are refused");
    let (status, _) = call(&app, &platform, "POST", "/providers", Some(json!("not an object"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, p) =
        call(&app, &platform, "POST", "/providers/ACME/users", Some(json!({"login_name": "x", "user_type": "god"})))
            .await;
    assert_eq!((status, p["errors"]["user_type"].is_string()), (StatusCode::BAD_REQUEST, true), "{p}");
    let (status, _) = call(&app, &platform, "GET", "/providers/ACME/users/nobody", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, &platform, "GET", "/providers/ACME/activity?limit=0", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(&app, &platform, "GET", "/providers/ACME/activity?since=yesterday", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(&app, &platform, "GET", "/no/such/thing", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Issue 25 (7): names that would render like a colleague's are refused, with the field named.
    for bad in ["ali\u{200B}ce", "ali\u{202E}ce", "\u{0455}am"] {
        let body = json!({"login_name": bad, "user_type": "regular"});
        let (status, p) = call(&app, &platform, "POST", "/providers/ACME/users", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {p}");
        assert!(p["errors"]["login_name"].is_string(), "{bad:?}: {p}");
    }
    // Issue 26: one PATCH of a user is checked whole, then written in one statement: a bad
    // address leaves the switch beside it unchanged.
    app.user("ACME", "patchy").await;
    let body = json!({"self_reset_enabled": true, "email": "not an address"});
    let (status, p) = call(&app, &platform, "PATCH", "/providers/ACME/users/patchy", Some(body)).await;
    assert_eq!((status, p["errors"]["email"].is_string()), (StatusCode::BAD_REQUEST, true), "{p}");
    assert!(
        !app.state.accounts.lanyard().user("ACME", "patchy").await.unwrap().1.self_reset_enabled,
        "nothing written"
    );
    let body = json!({"self_reset_enabled": true, "email": "patchy@acme.example", "user_administrator": true});
    let (status, p) = call(&app, &platform, "PATCH", "/providers/ACME/users/patchy", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!((p["self_reset_enabled"].as_bool(), p["is_user_admin"].as_bool()), (Some(true), Some(true)), "{p}");
    assert_eq!(p["email"], "patchy@acme.example");
    // Issue 25 (5): a misspelt field of a registration is refused, named, and nothing is made.
    let body = json!({"client_id": "typo", "name": "Typo", "tenants": ["ACME"],
        "redirect_uris": ["https://typo.example/cb"], "token_endpoint_auth_method": "client_secret_basic"});
    let (status, p) = call(&app, &platform, "POST", "/clients", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("unknown field `tenants`"), "{p}");
    assert!(app.state.accounts.client("typo").await.unwrap().is_none());
    // Issue 32, found by the fuzzer: a provider named twice is served once (it was a 500).
    let body = json!({"client_id": "twice", "name": "Twice", "providers": ["ACME", "ACME"],
        "redirect_uris": ["https://twice.example/cb"], "token_endpoint_auth_method": "client_secret_basic"});
    let (status, p) = call(&app, &platform, "POST", "/clients", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    // Issue 25 (4): L3 cannot be switched off by a limit nobody reaches (1-10, field message).
    for n in [0_u64, 11, 4_294_967_295] {
        let (status, p) =
            call(&app, &platform, "PATCH", "/providers/ACME", Some(json!({"max_failed_attempts": n}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{n}: {p}");
        assert!(p["errors"]["max_failed_attempts"].is_string(), "{n}: {p}");
    }
    let (status, p) = call(&app, &platform, "PATCH", "/providers/ACME", Some(json!({"max_failed_attempts": 10}))).await;
    assert_eq!((status, p["password_policy"]["max_failed_attempts"].as_u64()), (StatusCode::OK, Some(10)), "{p}");
    let long = "x".repeat(5000);
    let (status, _) = call(&app, &platform, "GET", &format!("/providers/{long}"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, p) = call(&app, "not-a-token", "GET", "/providers", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{p}");
    // A token without the admin scope (an ordinary client_credentials token).
    let rp = crate::oidc::rp::register(&app, "app", crate::oidc::rp::metadata(false), &["ACME"]).await;
    let res = rp.post(&app.url("/token"), &[("grant_type", "client_credentials")]).await;
    let plain: Value = res.json().await.unwrap();
    let (status, _) = call(&app, plain["access_token"].as_str().unwrap(), "GET", "/providers", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

/// The OpenAPI document is generated from the handlers' declarations: every route is in it, with
/// the bearer scheme and problem details. (`.ci/run` also validates it and runs schemathesis.)
#[tokio::test]
async fn the_openapi_document_describes_every_operation() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc: Value = reqwest::get(app.url("/admin/api/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let paths = doc["paths"].as_object().unwrap();
    let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    // 38, and F11's three for a provider's security-key models.
    assert_eq!(operations, 41, "{:?}", paths.keys().collect::<Vec<_>>());
    // Issue 32: the document says what the handlers enforce, and links what creates an id to
    // what uses it.
    let ids: Vec<&str> = paths
        .values()
        .flat_map(|i| i.as_object().unwrap().values())
        .filter_map(|o| o["operationId"].as_str())
        .collect();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let s = &p["schema"];
                let shaped = ["pattern", "maxLength", "enum", "maximum"].iter().any(|k| s.get(k).is_some())
                    || s["type"] == "boolean";
                assert!(shaped, "{method} {path}: parameter without bounds: {p}");
            }
            for (_, response) in op["responses"].as_object().unwrap() {
                for (name, link) in response["links"].as_object().into_iter().flatten() {
                    assert!(ids.contains(&link["operationId"].as_str().unwrap()), "{method} {path}: {name}");
                }
            }
        }
    }
    let created = &doc["paths"]["/admin/api/v1/clients"]["post"]["responses"]["201"]["links"];
    assert_eq!(created["ShowClient"]["parameters"]["client_id"], "$response.body#/client_id");
    let registration = &doc["components"]["schemas"]["NewClient"];
    assert_eq!(registration["additionalProperties"], false, "unknown fields are refused, and the document says so");
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if !name.starts_with("New") && !name.ends_with("Changes") && name != "StatusAction" && name != "AppAccess" {
            continue;
        }
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            let text = property.to_string();
            let string = text.contains("\"string\"");
            let bounded =
                ["pattern", "maxLength", "enum", "$ref", "maximum"].iter().any(|k| text.contains(&format!("\"{k}\"")));
            assert!(!string || bounded, "{name}.{field}: a string without bounds: {property}");
        }
    }
    for (path, item) in paths {
        assert!(path.starts_with("/admin/api/v1/"), "{path}");
        for (method, op) in item.as_object().unwrap() {
            assert!(op["operationId"].is_string(), "{method} {path}");
            assert!(op["responses"]["4XX"].is_object(), "{method} {path}: problem details documented");
        }
    }
    app.stop().await;
}

/// A person's own access token (the console's code flow), with the admin scope: a provider admin
/// administers their provider, a regular user nothing; without the scope, nobody anything.
async fn people_use_their_own_tokens(backend: Backend) {
    use crate::oidc::rp::{browse, callback, param, register};
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let boss_type = lanyard::domain::user::UserType::ProviderAdmin;
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user("ACME", "boss", boss_type, &lanyard::secret::Secret::new(PASSWORD), false)
        .await
        .unwrap();
    let mut meta = crate::oidc::rp::metadata(false);
    meta.scopes.push("admin".into());
    meta.administration = true;
    let console = register(&app, "console", meta, &["ACME"]).await;
    let token_of = |login: &'static str, admin: bool| {
        let (app, console) = (&app, &console);
        async move {
            let req = console.request(&[]);
            let mut url = req.url.clone();
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if k == "scope" && admin { format!("{v} admin") } else { v.into_owned() };
                    (k.into_owned(), v)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
            let res = browse(app, &app.browser(), url.as_str(), Some((login, PASSWORD))).await;
            let code = param(&callback(&res), "code").unwrap().to_string();
            let tokens = console.exchange(&code, req.verifier).await;
            openidconnect::OAuth2TokenResponse::access_token(&tokens).secret().clone()
        }
    };
    let boss = token_of("boss", true).await;
    let (status, users) = call(&app, &boss, "GET", "/providers/ACME/users", None).await;
    assert_eq!(status, StatusCode::OK, "{users}");
    let (status, _) =
        call(&app, &boss, "POST", "/providers/ACME/users/alice/status", Some(json!({"action": "admin_lock"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, record) = call(&app, &boss, "GET", "/providers/ACME/activity?user=alice&kind=locked", None).await;
    assert_eq!(record["entries"][0]["actor"], "user:ACME/boss", "{record}");
    let (status, _) = call(&app, &boss, "GET", "/clients", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    call(&app, &boss, "POST", "/providers/ACME/users/alice/status", Some(json!({"action": "unlock"}))).await;
    let alice = token_of("alice", true).await;
    let (status, _) = call(&app, &alice, "GET", "/providers/ACME/users", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a regular user administers nothing");
    // A platform operator makes boss one too: boss's own token then reaches the platform's.
    let ops = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    let (status, _) =
        call(&app, &boss, "PATCH", "/providers/ACME/users/boss", Some(json!({"platform_operator": true}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not by a provider admin");
    let (status, made) =
        call(&app, &ops, "PATCH", "/providers/ACME/users/boss", Some(json!({"platform_operator": true}))).await;
    assert_eq!((status, made["is_platform_operator"].as_bool()), (StatusCode::OK, Some(true)));
    let (status, operators) = call(&app, &ops, "GET", "/operators", None).await;
    assert_eq!((status, operators.as_array().unwrap().len()), (StatusCode::OK, 1));
    let (status, _) = call(&app, &boss, "GET", "/clients", None).await;
    assert_eq!(status, StatusCode::OK, "decided on every request: the same token now reaches the platform's");
    // Disabling the application a person signed in to stops their tokens too (API and userinfo).
    let (status, _) = call(&app, &ops, "PATCH", "/clients/console", Some(json!({"disabled": true}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, &boss, "GET", "/clients", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let userinfo = reqwest::Client::new().get(app.url("/userinfo")).bearer_auth(&boss).send().await.unwrap();
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED);
    call(&app, &ops, "PATCH", "/clients/console", Some(json!({"disabled": false}))).await;
    let plain = token_of("boss", false).await;
    let (status, _) = call(&app, &plain, "GET", "/providers/ACME/users", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "without the admin scope");
    app.stop().await;
}

/// Issue 25 (6): a person's administrative power rides only with the console and applications
/// a platform operator marked for administration; never in another application's access or
/// refresh token; and an access token with it lives `admin_access_token_ttl_secs` (10 minutes).
async fn only_marked_applications_carry_a_persons_admin_power(backend: Backend) {
    use crate::oidc::rp::{browse, callback, param, register};
    use openidconnect::OAuth2TokenResponse;
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let boss_type = lanyard::domain::user::UserType::ProviderAdmin;
    let boss_password = lanyard::secret::Secret::new(PASSWORD);
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user("ACME", "boss", boss_type, &boss_password, false)
        .await
        .unwrap();
    let ops = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    let with_admin = |marked: bool| {
        let mut meta = crate::oidc::rp::metadata(false);
        meta.scopes.push("admin".into());
        meta.administration = marked;
        meta
    };
    let plain = register(&app, "plain", with_admin(false), &["ACME"]).await;
    let marked = register(&app, "marked", with_admin(true), &["ACME"]).await;
    let tokens_of = |rp: &'static str| {
        let app = &app;
        let rp = if rp == "plain" { &plain } else { &marked };
        async move {
            let req = rp.request(&[("scope", "admin")]);
            let mut url = req.url.clone();
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| k != "scope")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .chain([("scope".to_string(), "openid profile offline_access admin".to_string())])
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
            let res = browse(app, &app.browser(), url.as_str(), Some(("boss", PASSWORD))).await;
            let code = param(&callback(&res), "code").unwrap().to_string();
            rp.exchange(&code, req.verifier).await
        }
    };
    let refresh = |rp: &'static str, token: String| {
        let rp = if rp == "plain" { &plain } else { &marked };
        let url = app.url("/token");
        async move {
            let res = rp.post(&url, &[("grant_type", "refresh_token"), ("refresh_token", &token)]).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()
        }
    };
    let has_admin = |scope: &str| scope.split(' ').any(|s| s == "admin");

    // Not marked: the scope is not granted, in the access token or the refresh token.
    let t = tokens_of("plain").await;
    let scope: Vec<String> = t.scopes().unwrap().iter().map(|s| s.to_string()).collect();
    assert!(!scope.iter().any(|s| s == "admin"), "{scope:?}");
    let (status, _) = call(&app, t.access_token().secret(), "GET", "/providers/ACME/users", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let again = refresh("plain", t.refresh_token().unwrap().secret().clone()).await;
    assert!(!has_admin(again["scope"].as_str().unwrap()), "{again}");
    assert_eq!(again["expires_in"], 3600);

    // Marked: granted, for ten minutes; its refresh keeps it.
    let t = tokens_of("marked").await;
    assert_eq!(t.expires_in(), Some(std::time::Duration::from_secs(600)), "admin tokens are short-lived");
    let (status, _) = call(&app, t.access_token().secret(), "GET", "/providers/ACME/users", None).await;
    assert_eq!(status, StatusCode::OK);
    let again = refresh("marked", t.refresh_token().unwrap().secret().clone()).await;
    assert!(has_admin(again["scope"].as_str().unwrap()), "{again}");
    assert_eq!(again["expires_in"], 600);
    let (_, shown) = call(&app, &ops, "GET", "/clients/marked", None).await;
    assert_eq!(shown["administration"], true, "{shown}");

    // Unmarked by a platform operator: its live token stops at the API, its refresh loses it.
    let live = again["access_token"].as_str().unwrap().to_string();
    let (status, _) = call(&app, &ops, "PATCH", "/clients/marked", Some(json!({"administration": false}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, p) = call(&app, &live, "GET", "/providers/ACME/users", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{p}");
    let later = refresh("marked", again["refresh_token"].as_str().unwrap().to_string()).await;
    assert!(!has_admin(later["scope"].as_str().unwrap()), "{later}");
    app.stop().await;
}

backend_tests! {
    admin_only_marked_applications => only_marked_applications_carry_a_persons_admin_power,
    admin_people => people_use_their_own_tokens,
}

/// The wing decides, whatever surface calls it: an actor's write that T2/A1 forbid is refused by
/// `Admin` itself, without the HTTP layer's checks in front of it.
async fn the_wing_refuses_what_an_actor_may_not_do(backend: Backend) {
    use lanyard::accounts::admin::{Acting, Actor, AdminError, Role};
    use lanyard::domain::activity::Origin;
    use lanyard::domain::user::UserType;
    use lanyard::secret::Secret;
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.tenant("OTHER").await;
    app.user("ACME", "alice").await;
    app.user("OTHER", "olga").await;
    let accounts = &app.state.accounts;
    accounts
        .admin(crate::support::operator())
        .create_user("ACME", "root", UserType::SuperAdmin, &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    let acme = accounts.lanyard().tenant("ACME").await.unwrap();
    let acting = Acting { actor: "user:ACME/helper".into(), origin: Origin::default() };
    let helper = accounts.admin(Actor::new(Role::UserAdministrator(acme.id), acting));
    let password = Secret::new("Another-Pass9");
    let appointing = helper.create_user("ACME", "newboss", UserType::ProviderAdmin, &password, true).await;
    assert!(matches!(appointing, Err(AdminError::Forbidden(_))), "T2: a user administrator appoints no admins");
    let above = helper.set_password("ACME", "root", &password, true).await;
    assert!(matches!(above, Err(AdminError::Forbidden(_))), "A1: nobody administers someone above them");
    let elsewhere = helper.set_password("OTHER", "olga", &password, true).await;
    assert!(matches!(elsewhere, Err(AdminError::NotFound(_))), "T1: another provider's user does not exist");
    let invite = helper.invite("OTHER", "Olga", "olga@example.org", "https://id.example").await;
    assert!(matches!(invite, Err(AdminError::NotFound(_))), "T1: another provider's invitations do not exist");
    helper.set_password("ACME", "alice", &password, true).await.expect("a regular user of its own provider");
    app.stop().await;
}

backend_tests! {
    admin_wing_refuses => the_wing_refuses_what_an_actor_may_not_do,
    admin_work => administrators_do_their_work_over_http,
    admin_cross_provider_denials => another_providers_administrators_are_refused_everywhere,
    admin_bad_input => bad_input_gets_problem_details,
}
