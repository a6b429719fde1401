//! Issue 31: the platform's own lists — providers and registered applications — come a page at
//! a time too, over the API, in the console and on the command line; a provider's
//! administrator sees their provider only, whatever the search or the cursor.

use lanyard::domain::application::AdminGrant;
use reqwest::StatusCode;
use serde_json::json;

use crate::backend_tests;
use crate::console::console;
use crate::paging::{keys, link, query, rows_of_attr, walk_by};
use crate::support::{Backend, TestApp, call, token_for};

/// The codes, as the store orders them: byte order (T1's codes are case-sensitive).
fn codes() -> Vec<String> {
    let mut all: Vec<String> = (0..75).map(|i| format!("P{i:03}")).collect();
    all.extend(["ACME", "acme.low", "Wide_Bay", "Wide-Bay"].map(String::from));
    all
}

async fn providers_come_a_page_at_a_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for code in codes() {
        app.tenant(&code).await;
    }
    let platform = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    let mut expected = codes();
    expected.sort();
    assert_eq!(walk_by(&app, &platform, "/providers?limit=20", "provider_code").await, expected);
    let (_, first) = call(&app, &platform, "GET", "/providers", None).await;
    assert_eq!(keys(&first, "provider_code").len(), 50, "50 by default");

    // Search: part of a code or a name, any ASCII case; LIKE's wildcards are literal.
    let (_, found) = call(&app, &platform, "GET", "/providers?q=p01", None).await;
    assert_eq!(keys(&found, "provider_code"), (10..20).map(|i| format!("P{i:03}")).collect::<Vec<_>>());
    let (_, found) = call(&app, &platform, "GET", "/providers?q=_", None).await;
    assert_eq!(keys(&found, "provider_code"), ["Wide_Bay"]);
    let (_, found) = call(&app, &platform, "GET", "/providers?q=acme%20AGENCY", None).await;
    assert_eq!(keys(&found, "provider_code"), ["ACME"], "the name is searched too");
    let (status, p) = call(&app, &platform, "GET", &format!("/providers?q={}", "x".repeat(65)), None).await;
    assert_eq!((status, p["errors"]["q"].is_string()), (StatusCode::BAD_REQUEST, true), "{p}");

    // A provider's administrator: their provider, and nothing past it whatever the cursor.
    let acme = token_for(&app, "boss", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;
    let (_, mine) = call(&app, &acme, "GET", "/providers?limit=1", None).await;
    assert_eq!(keys(&mine, "provider_code"), ["ACME"]);
    assert!(mine.get("next_cursor").is_none(), "{mine}");
    let (_, none) = call(&app, &acme, "GET", "/providers?q=P0", None).await;
    assert!(keys(&none, "provider_code").is_empty());
    let forged = lanyard::domain::listing::Position::After("A".to_string()).cursor().unwrap();
    let (_, past) = call(&app, &acme, "GET", &format!("/providers?{}", query(&forged)), None).await;
    assert_eq!(keys(&past, "provider_code"), ["ACME"], "a forged cursor is only a position");

    for bad in ["%%%", "eA", &"a".repeat(2000)] {
        let (status, p) = call(&app, &platform, "GET", &format!("/providers?{}", query(bad)), None).await;
        assert_eq!((status, p["errors"]["cursor"].is_string()), (StatusCode::BAD_REQUEST, true), "{bad}: {p}");
    }
    for limit in ["0", "201", "-1", "x"] {
        let (status, _) = call(&app, &platform, "GET", &format!("/providers?limit={limit}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{limit}");
    }

    // The command line prints every page.
    let printed = crate::cli::Cli { scratch: &app.scratch }.json(&["tenant", "list"], None);
    let printed: Vec<String> =
        printed.as_array().unwrap().iter().map(|t| t["provider_code"].as_str().unwrap().to_string()).collect();
    assert_eq!(printed, expected);
    app.stop().await;
}

async fn applications_come_a_page_at_a_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let platform = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    for i in 0..7 {
        let body = json!({"client_id": format!("app-{i}"), "name": format!("App {i}"), "providers": ["ACME"],
            "redirect_uris": [format!("https://app{i}.example/cb")], "token_endpoint_auth_method": "client_secret_basic"});
        let (status, created) = call(&app, &platform, "POST", "/clients", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
    }
    let (_, first) = call(&app, &platform, "GET", "/clients", None).await;
    let mut expected = keys(&first, "client_id");
    assert!(expected.len() >= 8, "the seven and Lanyard's own: {expected:?}");
    assert_eq!(walk_by(&app, &platform, "/clients?limit=3", "client_id").await, expected);
    expected.sort();
    assert_eq!(keys(&first, "client_id"), expected, "by client id");
    assert_eq!(first["entries"][0]["tenants"].as_array().map(Vec::len), Some(1), "each with the providers it serves");
    let (status, p) = call(&app, &platform, "GET", "/clients?cursor=YTk5", None).await;
    assert_eq!(status, StatusCode::OK, "a forged position is only a position: {p}");
    let (status, p) = call(&app, &platform, "GET", "/clients?cursor=!!", None).await;
    assert_eq!((status, p["errors"]["cursor"].is_string()), (StatusCode::BAD_REQUEST, true), "{p}");

    // T4: the applications a provider's user may use are read from the provider's side.
    app.user("ACME", "alice").await;
    let (_, apps) = call(&app, &platform, "GET", "/providers/ACME/users/alice/applications", None).await;
    let ids: Vec<&str> = apps.as_array().unwrap().iter().map(|a| a["client_id"].as_str().unwrap()).collect();
    assert_eq!(ids, (0..7).map(|i| format!("app-{i}")).collect::<Vec<_>>());
    app.stop().await;
}

/// The console's start page and Applications page show one page each, with Next and Previous.
async fn console_platform_lists_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for code in codes() {
        app.tenant(&code).await;
    }
    app.provider_admin("ACME", "root").await;
    let platform = token_for(&app, "ops", Some(AdminGrant::PlatformOperator)).await;
    let mark = json!({"platform_operator": true});
    assert_eq!(call(&app, &platform, "PATCH", "/providers/ACME/users/root", Some(mark)).await.0, StatusCode::OK);
    let client = app.browser();
    let (_, res) = console(&app, &client, "/admin", "root", "ACME").await;
    let mut html = res.text().await.unwrap();
    let mut shown = Vec::new();
    loop {
        let rows = rows_of_attr(&html, "data-code");
        assert!(rows.len() <= 50, "one page at most: {}", rows.len());
        shown.extend(rows);
        let Some(next) = link(&html, "next") else { break };
        html = client.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
        assert!(link(&html, "prev").is_some(), "a later page links back");
    }
    let mut expected = codes();
    expected.sort();
    assert_eq!(shown, expected);
    let html = client.get(app.url("/admin?q=wide")).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows_of_attr(&html, "data-code"), ["Wide-Bay", "Wide_Bay"]);
    let res = client.get(app.url("/admin?cursor=bogus")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    for i in 0..55 {
        let body = json!({"client_id": format!("app-{i:02}"), "name": format!("App {i}"), "providers": ["ACME"],
            "redirect_uris": ["https://app.example/cb"], "token_endpoint_auth_method": "client_secret_basic"});
        assert_eq!(call(&app, &platform, "POST", "/clients", Some(body)).await.0, StatusCode::CREATED);
    }
    let html = client.get(app.url("/admin/applications")).send().await.unwrap().text().await.unwrap();
    let rows = rows_of_attr(&html, "data-client");
    assert_eq!(rows.len(), 50, "one page");
    let next = link(&html, "next").unwrap();
    let html = client.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
    let rest = rows_of_attr(&html, "data-client");
    assert!(!rest.is_empty() && rest.iter().all(|id| !rows.contains(id)), "{rest:?}");
    assert!(link(&html, "next").is_none());
    app.stop().await;
}

backend_tests! {
    issue31_providers_paged => providers_come_a_page_at_a_time,
    issue31_applications_paged => applications_come_a_page_at_a_time,
    issue31_console_platform_lists_paged => console_platform_lists_page,
}
