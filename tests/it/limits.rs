//! Issue 11 (3, 10): what a slow or greedy client can hold of the server, and the headers every
//! answer carries. Connection-level, so one backend is enough.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Backend, Scratch, TestApp};

async fn spawn(extra: &[(&str, String)]) -> TestApp {
    TestApp::spawn_on(Scratch::new(&Backend::Sqlite).await, extra).await
}

/// Reads until the server closes the connection; what it sent. A generous bound so a broken
/// server fails the test instead of hanging it (this is not a timing assertion).
async fn until_closed(conn: &mut TcpStream) -> Option<String> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), conn.read_to_end(&mut seen)).await;
    match read {
        Ok(_) => Some(String::from_utf8_lossy(&seen).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn a_half_sent_request_line_is_closed_at_the_header_timeout() {
    let app = spawn(&[("LANYARD_HEADER_READ_TIMEOUT_SECS", "1".into())]).await;
    let mut conn = TcpStream::connect(app.addr).await.unwrap();
    conn.write_all(b"GET /.well-known/openid-conf").await.unwrap();
    assert!(until_closed(&mut conn).await.is_some(), "the stalled connection stays open");
    // A kept-alive connection that sends nothing more is closed the same way.
    let mut conn = TcpStream::connect(app.addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let answer = until_closed(&mut conn).await.expect("an idle kept-alive connection stays open");
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408() {
    let app = spawn(&[("LANYARD_BODY_READ_TIMEOUT_SECS", "1".into())]).await;
    let mut conn = TcpStream::connect(app.addr).await.unwrap();
    conn.write_all(
        b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=",
    )
    .await
    .unwrap();
    let answer = until_closed(&mut conn).await.expect("the stalled body is waited on for ever");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    app.stop().await;
}

/// The head of the first answer on `conn` (up to the blank line), without waiting for the close.
async fn head(conn: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(30), async {
        while !seen.ends_with(b"\r\n\r\n") && conn.read(&mut byte).await.is_ok_and(|n| n == 1) {
            seen.push(byte[0]);
        }
    });
    read.await.expect("no answer");
    String::from_utf8_lossy(&seen).to_lowercase()
}

/// Issue 31 (the envelope): a body declared over the limit is refused before a byte of it is
/// sent; the administration API's refusals of a body are problem details; every refusal carries
/// the security headers like any other answer.
#[tokio::test]
async fn refused_bodies_answer_at_once_with_the_usual_headers() {
    let app = spawn(&[("LANYARD_BODY_READ_TIMEOUT_SECS", "1".into())]).await;
    for path in ["/token", "/admin/api/v1/providers"] {
        let mut conn = TcpStream::connect(app.addr).await.unwrap();
        let ask = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
        );
        conn.write_all(ask.as_bytes()).await.unwrap();
        let answer = head(&mut conn).await;
        assert!(answer.starts_with("http/1.1 413"), "{path}: {answer}");
        assert!(answer.contains("x-content-type-options: nosniff"), "{path}: {answer}");
        assert!(answer.contains("cache-control: no-store"), "{path}: {answer}");
        let problem = answer.contains("content-type: application/problem+json");
        assert_eq!(problem, path.starts_with("/admin/api/"), "{path}: {answer}");
    }
    let client = reqwest::Client::new();
    let res = client
        .post(app.url("/admin/api/v1/providers"))
        .header("content-type", "application/json")
        .body(format!("{{\"name\": \"{}\"}}", "x".repeat(100 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["type"], "urn:lanyard:problem:too-large");
    // A body that stops arriving: 408, a problem on the API.
    let mut conn = TcpStream::connect(app.addr).await.unwrap();
    conn.write_all(b"POST /admin/api/v1/providers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let answer = head(&mut conn).await;
    assert!(answer.starts_with("http/1.1 408"), "{answer}");
    assert!(answer.contains("content-type: application/problem+json"), "{answer}");
    assert!(answer.contains("x-content-type-options: nosniff"), "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_limit_are_closed_on_arrival() {
    let app = spawn(&[("LANYARD_MAX_CONNECTIONS", "2".into())]).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut conn = TcpStream::connect(app.addr).await.unwrap();
        // One full exchange each, so both are surely counted before the third arrives.
        conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 12];
        conn.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"HTTP/1.1 200");
        held.push(conn);
    }
    let mut third = TcpStream::connect(app.addr).await.unwrap();
    let _ = third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let answer = until_closed(&mut third).await.expect("the third connection is served");
    assert_eq!(answer, "", "closed without an answer");
    drop(held);
    // Places come free when connections close.
    let mut answered = false;
    for _ in 0..50 {
        if reqwest::get(app.url("/healthz")).await.is_ok_and(|r| r.status() == 200) {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered);
    app.stop().await;
}

#[tokio::test]
async fn hsts_only_when_the_issuer_is_https() {
    let app = spawn(&[]).await;
    let res = reqwest::get(app.url("/.well-known/openid-configuration")).await.unwrap();
    assert!(!res.headers().contains_key("strict-transport-security"), "http://localhost must not pin HSTS");
    app.stop().await;
    let app = spawn(&[("LANYARD_ISSUER", "https://id.example.org".into())]).await;
    let res = reqwest::get(app.url("/.well-known/openid-configuration")).await.unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    app.stop().await;
}

#[tokio::test]
async fn a_callers_request_id_is_kept_only_when_it_is_a_plain_token() {
    let app = spawn(&[]).await;
    let client = reqwest::Client::new();
    let ask = |id: String| client.get(app.url("/healthz")).header("x-request-id", id).send();
    let res = ask("lb-7f3a.1_2".into()).await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "lb-7f3a.1_2");
    for bad in ["a b".to_string(), "x".repeat(65), "\"quoted\"".into(), "id\u{7f}".into()] {
        let Ok(res) = ask(bad.clone()).await else { continue };
        let echoed = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_ne!(echoed, bad);
        assert!(echoed.len() == 16 && echoed.chars().all(|c| c.is_ascii_hexdigit()), "{echoed}");
    }
    app.stop().await;
}

/// What a hostile size may get back: a clear refusal, or the connection closed before a head
/// that large was read. Never a 5xx, never a success that stored it.
fn refused(res: &Result<reqwest::Response, reqwest::Error>, what: &str) {
    if let Ok(res) = res {
        let s = res.status().as_u16();
        assert!([400, 401, 413, 414, 431].contains(&s), "{what}: {s}");
    }
}

/// Issue 11 (1): a 1 MB value to every endpoint and every form: 400/413 (or 414/431 for a
/// request line hyper will not read), never 500.
#[tokio::test]
async fn a_megabyte_anywhere_is_refused_never_a_500() {
    let app = spawn(&[]).await;
    crate::oidc::rp::setup(&app).await;
    let big = "x".repeat(1024 * 1024);
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let gets = ["/authorize", "/authorize/resume", "/end-session", "/unified-login/start", "/login", "/userinfo"];
    for path in gets {
        let res = client.get(app.url(path)).query(&[("state", big.as_str())]).send().await;
        refused(&res, path);
    }
    let posts = [
        "/authorize",
        "/token",
        "/introspect",
        "/revoke",
        "/userinfo",
        "/end-session",
        "/unified-login/handoff",
        "/login",
        "/logout",
        "/password/change",
        "/password/forgot",
        "/password/reset",
        "/password/reset/resend",
        "/settings",
    ];
    for path in posts {
        let res = client.post(app.url(path)).form(&[("client_id", "app"), ("state", big.as_str())]).send().await;
        refused(&res, path);
    }
    app.stop().await;
}

/// Issue 11 (1): under the body limit, each parameter still has its own: a 5 KB value is
/// invalid_request at the protocol's endpoints and a 400 page on the forms.
#[tokio::test]
async fn every_parameter_has_a_length_limit() {
    let app = spawn(&[]).await;
    let rp = crate::oidc::rp::setup(&app).await;
    let long = "y".repeat(5000);
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // /authorize: an oversized state is neither stored nor echoed to the client: a page.
    let res = client
        .get(app.url("/authorize"))
        .query(&[
            ("client_id", rp.client_id.as_str()),
            ("redirect_uri", crate::oidc::rp::REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", long.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("location").is_none());
    assert!(res.text().await.unwrap().contains("state is too long"));
    for path in ["/token", "/introspect", "/revoke"] {
        let res = client
            .post(app.url(path))
            .basic_auth(&rp.client_id, rp.secret.as_deref())
            .form(&[("grant_type", "refresh_token"), ("refresh_token", long.as_str()), ("token", long.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{path}");
    }
    for path in ["/login", "/password/forgot", "/settings", "/password/reset"] {
        let res =
            client.post(app.url(path)).form(&[("login_name", long.as_str()), ("csrf", "x")]).send().await.unwrap();
        assert_eq!(res.status(), 400, "{path}");
        assert!(res.text().await.unwrap().contains("too long"), "{path}");
    }
    app.stop().await;
}

/// Issue 11 (10): Lanyard itself calls a back-channel logout URI, so outside development it may
/// not name loopback or private addresses (development allows them: the demo's applications).
#[tokio::test]
async fn backchannel_logout_uris_on_internal_addresses_only_in_development() {
    let key = "k".repeat(40);
    let app = spawn(&[
        ("LANYARD_ENVIRONMENT", "production".into()),
        ("LANYARD_ISSUER", "https://id.example.org".into()),
        ("LANYARD_KEY_ENCRYPTION_KEY", key),
    ])
    .await;
    let mut meta = crate::oidc::rp::metadata(false);
    for uri in ["http://localhost:4000/bc", "https://10.0.0.5/bc", "https://169.254.169.254/bc", "https://[::1]/bc"] {
        meta.backchannel_logout_uri = Some(uri.into());
        let refused = app
            .state
            .accounts
            .admin(crate::support::operator())
            .create_client(Some("prod-app"), "App", &meta, &[])
            .await;
        assert!(refused.is_err(), "{uri}");
    }
    meta.backchannel_logout_uri = Some("https://app.example.org/bc".into());
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_client(Some("prod-app"), "App", &meta, &[])
        .await
        .unwrap();
    app.stop().await;

    let dev = spawn(&[]).await;
    meta.backchannel_logout_uri = Some("http://localhost:4000/bc".into());
    dev.state
        .accounts
        .admin(crate::support::operator())
        .create_client(Some("dev-app"), "App", &meta, &[])
        .await
        .unwrap();
    dev.stop().await;
}
