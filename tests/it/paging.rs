//! Issue 31: the lists that grow with a provider come a page at a time, in a fixed order, from a
//! cursor — over the API, in the console and on the command line — and a cursor that was not
//! given is refused, never a 500 and never another provider's rows.

use lanyard::domain::user::{LoginName, UserType};
use lanyard::store::{NewInvitation, NewUser, Store};
use reqwest::StatusCode;
use serde_json::Value;

use crate::backend_tests;
use crate::console::console;
use crate::support::{AsLanyard, Backend, TestApp, call, token_for};
use lanyard::domain::application::AdminGrant;

/// `n` people straight into the store (no password hashing: the list is what is tested).
async fn seed(app: &TestApp, code: &str, logins: impl IntoIterator<Item = String>) {
    let tenant = app.state.accounts.lanyard().tenant(code).await.unwrap();
    let store = store_of(app).await;
    for login in logins {
        let name = LoginName::parse(&login).unwrap();
        let new = NewUser {
            tenant_id: tenant.id,
            subject: format!("{code}-{login}"),
            login_name: &name,
            user_type: UserType::Regular,
            password_hash: "not-a-hash".into(),
            must_change_password: false,
        };
        store.create_user(new, app.clock.now()).await.unwrap();
    }
}

/// A second handle on the app's database, for seeding.
async fn store_of(app: &TestApp) -> Store {
    Store::connect(app.scratch.config(&[]).database_url.expose(), 1).await.unwrap()
}

fn logins(page: &Value) -> Vec<String> {
    keys(page, "login_name")
}

/// Each entry's `field`, in the page's order.
pub fn keys(page: &Value, field: &str) -> Vec<String> {
    page["entries"].as_array().unwrap().iter().map(|e| e[field].as_str().unwrap().to_string()).collect()
}

pub fn query(cursor: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new()).append_pair("cursor", cursor).finish()
}

async fn walk(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    walk_by(app, token, path, "login_name").await
}

/// Walks a list from its first page to its last, then back, checking each page's neighbours;
/// the entries' `field`, in the list's order.
pub async fn walk_by(app: &TestApp, token: &str, path: &str, field: &str) -> Vec<String> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let (status, mut page) = call(app, token, "GET", path, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.get("previous_cursor").is_none(), "the first page has none before it");
    let mut pages = vec![keys(&page, field)];
    while let Some(next) = page["next_cursor"].as_str().map(String::from) {
        page = call(app, token, "GET", &format!("{path}{sep}{}", query(&next)), None).await.1;
        assert!(page["previous_cursor"].is_string(), "{page}");
        pages.push(keys(&page, field));
    }
    // And back again: the same pages, in reverse.
    let mut back = vec![keys(&page, field)];
    while let Some(previous) = page["previous_cursor"].as_str().map(String::from) {
        page = call(app, token, "GET", &format!("{path}{sep}{}", query(&previous)), None).await.1;
        assert!(page["next_cursor"].is_string(), "{page}");
        back.push(keys(&page, field));
    }
    back.reverse();
    assert_eq!(back, pages, "Previous walks back over the same pages");
    pages.concat()
}

async fn users_come_a_page_at_a_time_in_login_name_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.tenant("OTHER").await;
    // Mixed capitals: the order is T2's folded name, not the spelling.
    seed(&app, "ACME", (0..123).map(|i| if i % 2 == 0 { format!("User{i:03}") } else { format!("user{i:03}") })).await;
    seed(&app, "ACME", ["a_b", "a%b", "axb", "Zoë"].map(String::from)).await;
    seed(&app, "OTHER", ["user000", "user500"].map(String::from)).await;
    let token = token_for(&app, "paging", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;

    let (_, first) = call(&app, &token, "GET", "/providers/ACME/users", None).await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 50, "50 by default");
    let mut expected: Vec<String> =
        (0..123).map(|i| if i % 2 == 0 { format!("User{i:03}") } else { format!("user{i:03}") }).collect();
    expected.extend(["a%b", "a_b", "axb", "Zoë"].map(String::from));
    expected.sort_by_key(|l| LoginName::fold(l));
    let all = walk(&app, &token, "/providers/ACME/users?limit=7").await;
    assert_eq!(all, expected, "every person once, in order, never another provider's");
    assert_eq!(walk(&app, &token, "/providers/ACME/users").await, expected);
    let (_, whole) = call(&app, &token, "GET", "/providers/ACME/users?limit=200", None).await;
    assert_eq!(logins(&whole), expected);
    assert!(whole.get("next_cursor").is_none());

    // Search is part of the folded name, its wildcards literal, across pages.
    assert_eq!(walk(&app, &token, "/providers/ACME/users?q=USER00&limit=3").await.len(), 10);
    for (q, found) in [("_", vec!["a_b"]), ("%", vec!["a%b"]), ("ZOË", vec!["Zoë"]), ("nobody", vec![])] {
        let (_, page) = call(&app, &token, "GET", &format!("/providers/ACME/users?{}", search(q)), None).await;
        assert_eq!(logins(&page), found, "{q}");
    }

    // Filters: status and user type.
    let (status, _) = call(&app, &token, "POST", "/providers/ACME/users/user001/status", action("admin_lock")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, locked) = call(&app, &token, "GET", "/providers/ACME/users?status=admin_locked", None).await;
    assert_eq!(logins(&locked), ["user001"]);
    let (_, none) = call(&app, &token, "GET", "/providers/ACME/users?user_type=super_admin", None).await;
    assert!(logins(&none).is_empty());
    let (_, plain) = call(&app, &token, "GET", "/providers/ACME/users?second_factor=false&limit=200", None).await;
    assert_eq!(logins(&plain).len(), expected.len(), "nobody has a second factor yet");
    let (tenant, person) = app.state.accounts.lanyard().user("ACME", "User002").await.unwrap();
    let factors = app.state.accounts.factors();
    let proposal = factors.propose_app("paging", &person, &tenant, "Lanyard").await.unwrap();
    let secret = totp_rs::Secret::Encoded(proposal.secret.clone()).to_bytes().unwrap();
    let code = lanyard::accounts::totp::code_at(&secret, app.clock.now()).unwrap();
    factors.confirm_app("paging", &person, &tenant, &code, "", &Default::default()).await.unwrap();
    let (_, with) = call(&app, &token, "GET", "/providers/ACME/users?second_factor=true", None).await;
    assert_eq!(logins(&with), ["User002"]);
    let (_, without) = call(&app, &token, "GET", "/providers/ACME/users?second_factor=false&limit=200", None).await;
    assert_eq!(logins(&without).len(), expected.len() - 1);

    // Keyset, not offset: someone added before the cursor is not repeated, after it is seen once.
    let (_, page1) = call(&app, &token, "GET", "/providers/ACME/users?limit=10", None).await;
    seed(&app, "ACME", ["a0".to_string(), "zz-late".to_string()]).await;
    let next = page1["next_cursor"].as_str().unwrap();
    let mut rest = Vec::new();
    let mut page = call(&app, &token, "GET", &format!("/providers/ACME/users?limit=200&{}", query(next)), None).await.1;
    rest.extend(logins(&page));
    while let Some(n) = page["next_cursor"].as_str().map(String::from) {
        page = call(&app, &token, "GET", &format!("/providers/ACME/users?limit=200&{}", query(&n)), None).await.1;
        rest.extend(logins(&page));
    }
    assert!(!rest.contains(&"a0".to_string()) && rest.last().map(String::as_str) == Some("zz-late"), "{rest:?}");
    let mut seen: Vec<_> = logins(&page1).into_iter().chain(rest).collect();
    let count = seen.len();
    seen.dedup();
    assert_eq!(seen.len(), count, "no one twice");

    // Bad input: a named field, never a 500.
    for (path, field) in [
        ("/providers/ACME/users?limit=0", "limit"),
        ("/providers/ACME/users?limit=201", "limit"),
        ("/providers/ACME/users?status=asleep", "status"),
        ("/providers/ACME/users?user_type=root", "user_type"),
        ("/providers/ACME/users?cursor=not-a-cursor", "cursor"),
        ("/providers/ACME/users?cursor=YWFsAGljZQ", "cursor"), // "aal\0ice"
        ("/providers/ACME/users?cursor=eHl6", "cursor"),       // "xyz": no such direction
    ] {
        let (status, p) = call(&app, &token, "GET", path, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {p}");
        assert!(p["errors"][field].is_string(), "{path}: {p}");
    }
    let long = "A".repeat(5000);
    let (status, p) = call(&app, &token, "GET", &format!("/providers/ACME/users?cursor={long}"), None).await;
    assert_eq!((status, p["errors"]["cursor"].is_string()), (StatusCode::BAD_REQUEST, true), "{p}");
    let (status, _) = call(&app, &token, "GET", "/providers/ACME/users?second_factor=maybe", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A forged cursor is only a position, in the caller's own provider: ACME's admin reading
    // OTHER is refused whatever the cursor, and OTHER's list never shows ACME's people.
    let forged = lanyard::domain::listing::Position::After("user000".to_string()).cursor().unwrap();
    let (status, _) = call(&app, &token, "GET", &format!("/providers/OTHER/users?{}", query(&forged)), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another provider is as good as none");
    let other = token_for(&app, "other", Some(AdminGrant::ProviderAdmin { provider: "OTHER".into() })).await;
    let (_, page) = call(&app, &other, "GET", &format!("/providers/OTHER/users?{}", query(&forged)), None).await;
    assert_eq!(logins(&page), ["user500"]);
    app.stop().await;
}

fn search(q: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new()).append_pair("q", q).finish()
}

fn action(name: &str) -> Option<Value> {
    Some(serde_json::json!({ "action": name }))
}

async fn invitations_come_newest_first_a_page_at_a_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let tenant = app.state.accounts.lanyard().tenant("ACME").await.unwrap();
    let store = store_of(&app).await;
    for i in 0..7 {
        let (name, email) = (format!("Person {i}"), format!("p{i}@example.com"));
        let new = NewInvitation {
            tenant_id: tenant.id,
            name: &name,
            email: &email,
            link_digest: format!("digest-{i}"),
            expires_at: app.clock.now() + 3600,
            created_by: "cli",
        };
        store.create_invitation(new, app.clock.now()).await.unwrap();
    }
    let token = token_for(&app, "paging", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;
    let emails = |page: &Value| -> Vec<String> {
        page["entries"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap().to_string()).collect()
    };
    let (_, first) = call(&app, &token, "GET", "/providers/ACME/invitations?limit=3", None).await;
    assert_eq!(emails(&first), ["p6@example.com", "p5@example.com", "p4@example.com"]);
    let next = first["next_cursor"].as_str().unwrap();
    let (_, second) =
        call(&app, &token, "GET", &format!("/providers/ACME/invitations?limit=3&{}", query(next)), None).await;
    assert_eq!(emails(&second), ["p3@example.com", "p2@example.com", "p1@example.com"]);
    let previous = second["previous_cursor"].as_str().unwrap();
    let (_, back) =
        call(&app, &token, "GET", &format!("/providers/ACME/invitations?limit=3&{}", query(previous)), None).await;
    assert_eq!(emails(&back), emails(&first));
    assert!(back.get("previous_cursor").is_none(), "{back}");
    let next = second["next_cursor"].as_str().unwrap();
    let (_, last) =
        call(&app, &token, "GET", &format!("/providers/ACME/invitations?limit=3&{}", query(next)), None).await;
    assert_eq!(emails(&last), ["p0@example.com"]);
    assert!(last.get("next_cursor").is_none());
    // A users' cursor (a name) is not an invitations' cursor (an id).
    let name = lanyard::domain::listing::Position::After("alice".to_string()).cursor().unwrap();
    for bad in [name.as_str(), "%%%", "YTk5OTk5OTk5OTk5"] {
        let (status, p) = call(&app, &token, "GET", &format!("/providers/ACME/invitations?{}", query(bad)), None).await;
        assert_eq!((status, p["errors"]["cursor"].is_string()), (StatusCode::BAD_REQUEST, true), "{bad}: {p}");
    }
    app.stop().await;
}

/// The console's Users page shows one page (never the provider whole), with Next and Previous
/// that keep the search and the filters.
async fn console_users_page_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.provider_admin("ACME", "boss").await;
    seed(&app, "ACME", (0..120).map(|i| format!("person{i:03}"))).await;
    let client = app.browser();
    let (_, res) = console(&app, &client, "/admin/providers/ACME/users", "boss", "ACME").await;
    let mut html = res.text().await.unwrap();
    let mut shown = Vec::new();
    let mut pages = 0;
    loop {
        let rows = rows_of(&html);
        assert!(rows.len() <= 50, "one page at most: {}", rows.len());
        shown.extend(rows);
        pages += 1;
        let Some(next) = link(&html, "next") else { break };
        html = client.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
        assert!(link(&html, "prev").is_some(), "a later page links back");
    }
    assert_eq!(pages, 3);
    let mut expected: Vec<String> = (0..120).map(|i| format!("person{i:03}")).collect();
    expected.push("boss".into());
    expected.sort();
    assert_eq!(shown, expected);

    // The search and a filter are kept from page to page.
    let path = "/admin/providers/ACME/users?q=PERSON0&user_type=regular";
    let html = client.get(app.url(path)).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows_of(&html), (0..50).map(|i| format!("person{i:03}")).collect::<Vec<_>>());
    let next = link(&html, "next").unwrap();
    assert!(next.contains("q=PERSON0") && next.contains("user_type=regular"), "{next}");
    let html = client.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows_of(&html), (50..100).map(|i| format!("person{i:03}")).collect::<Vec<_>>());
    assert!(link(&html, "next").is_none(), "100 matches: two pages");
    // A tampered cursor is the API's field message, not a broken page.
    let res = client.get(app.url("/admin/providers/ACME/users?cursor=bogus")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

pub fn rows_of_attr(html: &str, attr: &str) -> Vec<String> {
    html.split(&format!("<tr {attr}=\"")).skip(1).map(|r| r.split('"').next().unwrap().to_string()).collect()
}

fn rows_of(html: &str) -> Vec<String> {
    rows_of_attr(html, "data-login")
}

pub fn link(html: &str, rel: &str) -> Option<String> {
    let end = html.find(&format!("\" rel=\"{rel}\""))?;
    let start = html[..end].rfind("href=\"")? + 6;
    // As a browser reads an attribute: minijinja escapes `/` and `&`.
    Some(html[start..end].replace("&#x2f;", "/").replace("&amp;", "&"))
}

backend_tests! {
    issue31_users_paged => users_come_a_page_at_a_time_in_login_name_order,
    issue31_invitations_paged => invitations_come_newest_first_a_page_at_a_time,
    issue31_console_users_paged => console_users_page_pages,
}
