//! The administration console (issue 13) without a browser, on both backends: it signs in as an
//! OpenID Connect client of Lanyard (state, PKCE, nonce, a sealed cookie), acts through the
//! administration API so its refusals are the API's, checks CSRF on every form, and keeps its
//! own registration out of every administrator's reach. The Chromium scripts in
//! tests/browser/console_*.mjs cover the tasks end to end.

use lanyard::domain::user::UserType;
use lanyard::secret::Secret;
use reqwest::StatusCode;
use serde_json::json;

use crate::backend_tests;
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, csrf_of};
use crate::support::{call, token_for};

/// Follows redirects as a browser would, on the test's own host (the issuer says `localhost`).
async fn follow(app: &TestApp, client: &reqwest::Client, mut url: String) -> (String, reqwest::Response) {
    for _ in 0..12 {
        let res = client.get(&url).send().await.unwrap();
        if !res.status().is_redirection() {
            return (url, res);
        }
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let location = location.replace(&format!("http://localhost:{}", app.addr.port()), "");
        url = if location.starts_with('/') { app.url(&location) } else { location };
    }
    panic!("too many redirects from {url}");
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    Some(html[start..].split('"').next()?.to_string())
}

/// Opens `path` of the console and signs in on Lanyard's page; returns the page reached.
pub async fn console(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    login: &str,
    code: &str,
) -> (String, reqwest::Response) {
    let (url, res) = follow(app, client, app.url(path)).await;
    assert!(url.contains("/login?auth="), "{url}");
    let page = res.text().await.unwrap();
    let auth = hidden(&page, "auth").unwrap();
    let res = client
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("auth", auth.as_str()),
            ("login_name", login),
            ("password", PASSWORD),
            ("provider_code", code),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let next = res.headers()["location"].to_str().unwrap().to_string();
    follow(app, client, app.url(&next)).await
}

async fn setup(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    for code in ["ACME", "OTHER"] {
        app.tenant(code).await;
    }
    app.user("ACME", "alice").await;
    for (code, login) in [("ACME", "boss"), ("OTHER", "rival")] {
        let accounts = &app.state.accounts;
        accounts
            .admin(crate::support::operator())
            .create_user(code, login, UserType::ProviderAdmin, &Secret::new(PASSWORD), false)
            .await
            .unwrap();
    }
    app
}

/// F6 from the console: the user's page shows the app (never its secret); the reset goes
/// through a confirmation and the API, and the record names the console's user.
async fn f6_console_resets_second_factors(backend: Backend) {
    let app = setup(backend).await;
    let (tenant, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let factors = app.state.accounts.factors();
    let proposal = factors.propose_app("console-test", &alice, &tenant, "Lanyard").await.unwrap();
    let secret = totp_rs::Secret::Encoded(proposal.secret.clone()).to_bytes().unwrap();
    let now = app.clock.now();
    let code = lanyard::accounts::totp::code_at(&secret, now).unwrap();
    factors.confirm_app("console-test", &alice, &tenant, &code, "", &Default::default()).await.unwrap();
    let client = app.browser();
    console(&app, &client, "/admin", "boss", "ACME").await;
    let user = app.url("/admin/providers/ACME/users/alice");
    let page = client.get(&user).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Authenticator app set up") && page.contains("Recovery codes left: 10"), "{page}");
    assert!(!page.contains(&proposal.secret), "never key material");
    let csrf = csrf_of(&page);
    let confirm = client.post(format!("{user}/second-factors")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert!(confirm.text().await.unwrap().contains("second factors?"));
    let form = [("csrf", csrf.as_str()), ("confirmed", "yes")];
    let res = client.post(format!("{user}/second-factors")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(app.state.accounts.factors().enrolled(alice.id).await.unwrap().authenticator_app.is_none());
    let page = client.get(&user).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("No second factor is set up."), "{page}");
    let entries = app.state.accounts.lanyard().activity(&tenant, Some(&alice), None, 50).await.unwrap();
    assert!(entries.iter().any(|e| e.kind == "mfa_reset" && e.actor == "user:ACME/boss"), "{entries:?}");
    app.stop().await;
}

async fn signs_in_and_acts_through_the_api(backend: Backend) {
    let app = setup(backend).await;
    let client = app.browser();
    let (url, res) = console(&app, &client, "/admin", "boss", "ACME").await;
    assert!(url.ends_with("/admin/providers/ACME/users"), "{url}");
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let page = res.text().await.unwrap();
    assert!(page.contains("data-login=\"alice\"") && page.contains("Provider Admin"), "{page}");

    // An admin lock goes through a confirmation, then the API; the record names the console's user.
    let user = app.url("/admin/providers/ACME/users/alice");
    let csrf = csrf_of(&client.get(&user).send().await.unwrap().text().await.unwrap());
    let res = client
        .post(format!("{user}/status"))
        .form(&[("csrf", csrf.as_str()), ("action", "admin_lock")])
        .send()
        .await
        .unwrap();
    let confirm = res.text().await.unwrap();
    assert!(confirm.contains("Lock this account?"), "{confirm}");
    assert_eq!(app.state.accounts.lanyard().user("ACME", "alice").await.unwrap().1.status.as_str(), "active");
    let form = [("csrf", csrf.as_str()), ("action", "admin_lock"), ("confirmed", "yes")];
    let res = client.post(format!("{user}/status")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.state.accounts.lanyard().user("ACME", "alice").await.unwrap().1.status.as_str(), "admin_locked");
    let (_, res) = follow(&app, &client, user.clone()).await;
    assert!(res.text().await.unwrap().contains("alice is now admin locked."));
    let tenant = app.state.accounts.lanyard().tenant("ACME").await.unwrap();
    let entries = app.state.accounts.lanyard().activity(&tenant, None, None, 50).await.unwrap();
    assert!(entries.iter().any(|e| e.actor == "user:ACME/boss" && e.login_name == "alice"), "{entries:?}");

    // Without the CSRF token nothing happens.
    let res = client.post(format!("{user}/status")).form(&[("action", "unlock")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.state.accounts.lanyard().user("ACME", "alice").await.unwrap().1.status.as_str(), "admin_locked");

    // Another provider's user is a 404 from the API, shown as a page.
    let res = client.get(app.url("/admin/providers/OTHER/users")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = client
        .post(app.url("/admin/providers/OTHER/users/rival/status"))
        .form(&[("csrf", csrf.as_str()), ("action", "unlock")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "refused, back with a message");

    // A sealed cookie that was tampered with is no session.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/admin/providers/ACME/users"))
        .header("cookie", "lanyard_console=AAAA")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/admin/sign-in?next="));

    // Activity: pages of 50 by the API's cursor, date filters checked, the CSV streamed through.
    for i in 0..60 {
        app.state
            .accounts
            .admin(crate::support::operator())
            .set_user_self_reset("ACME", "alice", i % 2 == 0)
            .await
            .unwrap();
    }
    let first =
        client.get(app.url("/admin/providers/ACME/activity?user=alice")).send().await.unwrap().text().await.unwrap();
    let next = first.split("rel=\"next\"").next().and_then(|s| s.rsplit("href=\"").next()).unwrap();
    let next = next.split('"').next().unwrap().replace("&amp;", "&");
    assert!(next.contains("cursor="), "{next}");
    let second = client.get(app.url(&next)).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    assert!(second.text().await.unwrap().contains("user created"), "the second page reaches the oldest entry");
    let res = client.get(app.url("/admin/providers/ACME/activity?since=yesterday")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("Use a date such as"));
    let res =
        client.get(app.url("/admin/providers/ACME/activity.csv?user=alice&since=2027-01-15")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("id,at,login_name,") && csv.lines().count() > 60, "{csv}");
    let big = "a".repeat(5000);
    let res = client.get(app.url(&format!("/admin/providers/ACME/users?q={big}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "an oversized search is a page, never stored or echoed");

    // Ending the admin's sessions ends the console's token too: the next page signs in again.
    app.state.accounts.admin(crate::support::operator()).sign_out_everywhere("ACME", "boss").await.unwrap();
    let res = client.get(app.url("/admin/providers/ACME/users")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/admin/sign-in?next="));
    app.stop().await;
}

async fn sign_in_is_bound_to_its_browser(backend: Backend) {
    let app = setup(backend).await;
    let client = app.browser();
    let res = client.get(app.url("/admin/sign-in?next=//evil.example/x")).send().await.unwrap();
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with("/authorize?") && to.contains("code_challenge_method=S256") && to.contains("nonce="),
        "{to}"
    );
    // A callback this browser did not start, or with another state, is refused.
    let stranger = app.browser();
    let res = stranger.get(app.url("/admin/callback?code=x&state=y")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = client.get(app.url("/admin/callback?code=x&state=wrong")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // After sign-in the browser returns to a console path only.
    let (url, _) = console(&app, &app.browser(), "/admin/sign-in?next=//evil.example/x", "boss", "ACME").await;
    assert!(url.ends_with("/admin/providers/ACME/users"), "{url}");
    // A person who administers nothing gets a page saying so, and no console session.
    let (_, res) = console(&app, &app.browser(), "/admin", "alice", "ACME").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("administers nothing"));
    app.stop().await;
}

async fn api_parts_the_console_reads(backend: Backend) {
    let app = setup(backend).await;
    let platform = token_for(&app, "ops", Some(lanyard::domain::application::AdminGrant::PlatformOperator)).await;
    let (status, me) = call(&app, &platform, "GET", "/me", None).await;
    assert_eq!((status, me["role"].as_str()), (StatusCode::OK, Some("platform_operator")), "{me}");
    let acme = token_for(
        &app,
        "acme-bot",
        Some(lanyard::domain::application::AdminGrant::ProviderAdmin { provider: "ACME".into() }),
    )
    .await;
    let (_, me) = call(&app, &acme, "GET", "/me", None).await;
    assert_eq!((me["role"].as_str(), me["provider_code"].as_str()), (Some("provider_admin"), Some("ACME")));

    // Search by part of the login name; a search term has a length limit.
    let (_, users) = call(&app, &acme, "GET", "/providers/ACME/users?q=LIC", None).await;
    let names: Vec<_> =
        users["entries"].as_array().unwrap().iter().map(|u| u["login_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice"]);
    let (status, p) = call(&app, &acme, "GET", &format!("/providers/ACME/users?q={}", "a".repeat(65)), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");

    // T4 per application: every application the provider uses, but not the console, whose
    // access is the person's role (an administrator must not lock themselves out with a click).
    let meta =
        json!({ "redirect_uris": ["https://notes.example/cb"], "token_endpoint_auth_method": "client_secret_basic" });
    let meta: lanyard::domain::application::ClientMetadata = serde_json::from_value(meta).unwrap();
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_client(Some("notes"), "Notes", &meta, &["ACME".into()])
        .await
        .unwrap();
    let (_, apps) = call(&app, &acme, "GET", "/providers/ACME/users/alice/applications", None).await;
    assert_eq!(apps, json!([{ "client_id": "notes", "name": "Notes", "status": "active" }]));
    let body = json!({ "status": "deactivated" });
    let path = "/providers/ACME/users/alice/applications/lanyard-console";
    let (status, _) = call(&app, &acme, "PUT", path, Some(body)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Clearing an optional URI with null removes it.
    let set = json!({ "backchannel_logout_uri": "https://notes.example/bc" });
    let (_, notes) = call(&app, &platform, "PATCH", "/clients/notes", Some(set)).await;
    assert_eq!(notes["backchannel_logout_uri"], "https://notes.example/bc", "{notes}");
    let clear = json!({ "backchannel_logout_uri": null, "initiate_login_uri": null });
    let (_, notes) = call(&app, &platform, "PATCH", "/clients/notes", Some(clear)).await;
    assert!(notes["backchannel_logout_uri"].is_null(), "{notes}");

    // Last sign-in: written by a right password at sign-in.
    let (_, alice) = call(&app, &acme, "GET", "/providers/ACME/users/alice", None).await;
    assert!(alice["last_sign_in_at"].is_null(), "{alice}");
    crate::support::sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    let (_, alice) = call(&app, &acme, "GET", "/providers/ACME/users/alice", None).await;
    assert_eq!(alice["last_sign_in_at"].as_i64(), Some(crate::support::T0), "{alice}");

    // The console's registration is Lanyard's: no administrator changes or replaces it.
    let body = json!({ "client_id": "lanyard-console", "name": "x", "redirect_uris": ["https://x.example/cb"], "token_endpoint_auth_method": "none" });
    let (status, _) = call(&app, &platform, "POST", "/clients", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for (method, path, body) in [
        ("PATCH", "/clients/lanyard-console", Some(json!({ "disabled": true }))),
        ("POST", "/clients/lanyard-console/secret", None),
        ("DELETE", "/clients/lanyard-console", None),
    ] {
        let (status, p) = call(&app, &platform, method, path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: nobody may: {p}");
    }
    app.stop().await;
}

/// Issue 25 (3): a copied pair of cookies (Lanyard's session and the console's) stops working
/// the moment the person signs out of Lanyard: the console's token lives no longer than the
/// session it was signed in with. Ending all sessions (an administrator's lock) does the same.
async fn signing_out_of_lanyard_ends_console_access(backend: Backend) {
    let app = setup(backend).await;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (_, res) = console(&app, &client, "/admin", "boss", "ACME").await;
    assert_eq!(res.status(), StatusCode::OK);
    let here = reqwest::Url::parse(&app.url("/admin")).unwrap();
    let copied = reqwest::cookie::CookieStore::cookies(&*jar, &here).expect("cookies");
    let thief = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let users = app.url("/admin/providers/ACME/users");
    let res = thief.get(&users).header("cookie", copied.clone()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the copied pair works while the session lives");

    // Lanyard's own sign-out page, in the person's browser.
    let account = client.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    let res = client.post(app.url("/logout")).form(&[("csrf", csrf_of(&account))]).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("You have been signed out of Lanyard."));
    let res = thief.get(&users).header("cookie", copied).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the copied pair no longer opens the console");
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/admin/sign-in"));

    // Issue 25 (7): a name that renders like another ("sasha" in Cyrillic letters) is shown
    // with what it holds beyond ASCII.
    let lookalike = "\u{0455}\u{0430}\u{0455}\u{04BB}\u{0430}";
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user("ACME", lookalike, UserType::Regular, &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    let client = app.browser();
    let (_, res) = console(&app, &client, "/admin", "boss", "ACME").await;
    let page = res.text().await.unwrap();
    assert!(page.contains("not plain ASCII: U+0455 Cyrillic, U+0430 Cyrillic"), "{page}");

    // An administrator's lock ends every session, and the console with them.
    app.state.accounts.admin(crate::support::operator()).sign_out_everywhere("ACME", "boss").await.unwrap();
    let res = client.get(&users).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

/// Issue 29: a platform operator registers a client that signs with its own keys, held to the
/// FAPI 2.0 profile, from the console's form; a JWK Set that is not JSON is that field's error.
async fn registers_a_keyed_fapi2_client(backend: Backend) {
    let app = setup(backend).await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user("ACME", "root", UserType::SuperAdmin, &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    let platform = token_for(&app, "ops", Some(lanyard::domain::application::AdminGrant::PlatformOperator)).await;
    let mark = json!({"platform_operator": true});
    assert_eq!(call(&app, &platform, "PATCH", "/providers/ACME/users/root", Some(mark)).await.0, StatusCode::OK);
    let client = app.browser();
    console(&app, &client, "/admin", "root", "ACME").await;
    let (_, res) = follow(&app, &client, app.url("/admin/applications")).await;
    let page = res.text().await.unwrap();
    assert!(page.contains("private_key_jwt") && page.contains("FAPI 2.0 profile"), "{page}");
    let csrf = csrf_of(&page);
    let jwks = r#"{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("name", "Records"),
        ("client_id", "records"),
        ("client_type", "keys"),
        ("providers", "ACME"),
        ("redirect_uris", "http://localhost:4000/callback"),
        ("profile", "fapi2"),
        ("jwks", "{not json"),
    ];
    let res = client.post(app.url("/admin/applications")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("not JSON"), "the field's own message");
    form.pop();
    form.push(("jwks", jwks));
    let res = client.post(app.url("/admin/applications")).form(&form).send().await.unwrap();
    let page = res.text().await.unwrap();
    assert!(page.contains("no secret") && page.contains("private_key_jwt"), "{page}");
    let registered = app.state.accounts.client("records").await.unwrap().unwrap();
    assert_eq!(registered.metadata.profile, lanyard::domain::application::ClientProfile::Fapi2);
    assert_eq!(registered.metadata.id_token_signed_response_alg, "ES256");
    assert!(registered.secret_hash.is_none() && registered.metadata.jwks.is_some());
    let (_, res) = follow(&app, &client, app.url("/admin/applications/records")).await;
    assert!(res.text().await.unwrap().contains("FAPI 2.0 profile:"));
    app.stop().await;
}

backend_tests! {
    console_keyed_fapi2_client => registers_a_keyed_fapi2_client,
    console_f6_reset => f6_console_resets_second_factors,
    console_ends_with_the_lanyard_session => signing_out_of_lanyard_ends_console_access,
    console_signs_in_and_acts_through_the_api => signs_in_and_acts_through_the_api,
    console_sign_in_is_bound_to_its_browser => sign_in_is_bound_to_its_browser,
    console_api_parts => api_parts_the_console_reads,
}
