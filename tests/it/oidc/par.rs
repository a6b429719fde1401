//! Issue 29, RFC 9126: pushed authorization requests. The relying-party library builds the
//! request; its parameters are pushed to `/par` with the client's credentials, checked there as
//! `/authorize` checks them, and the browser carries only `client_id` and the `request_uri`,
//! which works once, for sixty seconds, for its own client.

use reqwest::StatusCode;
use serde_json::Value;

use super::rp::{Rp, at, browse, callback, metadata, param, register, setup};
use crate::backend_tests;
use crate::support::{Backend, PASSWORD, TestApp};

/// Pushes `rp`'s request (with `extra` parameters in place of its own); the answer's status
/// and body.
async fn push(app: &TestApp, rp: &Rp, request: &super::rp::Request, extra: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut form: Vec<(String, String)> = request
        .url
        .query_pairs()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    form.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = rp.post(&at(app, "/par"), &fields).await;
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

fn front(app: &TestApp, client_id: &str, request_uri: &str) -> String {
    let mut url = url::Url::parse(&at(app, "/authorize")).unwrap();
    url.query_pairs_mut().append_pair("client_id", client_id).append_pair("request_uri", request_uri);
    url.to_string()
}

async fn a_pushed_request_signs_in_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let request = rp.request(&[]);
    let (status, body) = push(&app, &rp, &request, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["expires_in"], 60);
    let uri = body["request_uri"].as_str().unwrap().to_string();
    assert!(uri.starts_with("urn:ietf:params:oauth:request_uri:"), "{uri}");
    let browser = app.browser();
    let res = browse(&app, &browser, &front(&app, "app", &uri), Some(("alice", PASSWORD))).await;
    let params = callback(&res);
    assert_eq!(param(&params, "state"), Some(request.state.secret().as_str()), "the pushed state comes back");
    assert!(param(&params, "iss").is_some(), "RFC 9207");
    let code = param(&params, "code").unwrap().to_string();
    let tokens = rp.exchange(&code, request.verifier).await;
    assert!(openidconnect::TokenResponse::id_token(&tokens).is_some());
    // Used: the same request_uri again is a page, not a second code.
    let res = browser.get(front(&app, "app", &uri)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "single use");
    // Another client cannot redeem one pushed for this one — nor use it up — and an old one has
    // expired.
    let other = register(&app, "other", metadata(false), &["ACME"]).await;
    let request = rp.request(&[]);
    let uri = push(&app, &rp, &request, &[]).await.1["request_uri"].as_str().unwrap().to_string();
    assert_eq!(browser.get(front(&app, "other", &uri)).send().await.unwrap().status(), StatusCode::BAD_REQUEST);
    let res = browse(&app, &browser, &front(&app, "app", &uri), None).await;
    assert!(param(&callback(&res), "code").is_some(), "the other client's try used nothing up");
    // A request_uri that is not ours is a request object by reference: not supported, said to
    // the verified redirect as before.
    let plain = rp.request(&[("request_uri", "https://rp.example/request.jwt")]);
    let res = browser.get(plain.url.as_str()).send().await.unwrap();
    assert_eq!(param(&callback(&res), "error"), Some("request_uri_not_supported"));
    // Front-channel parameters beside request_uri are not read: only the pushed ones.
    let request = rp.request(&[]);
    let uri = push(&app, &rp, &request, &[]).await.1["request_uri"].as_str().unwrap().to_string();
    let mut url = url::Url::parse(&front(&app, "app", &uri)).unwrap();
    url.query_pairs_mut().append_pair("state", "forged").append_pair("redirect_uri", "https://evil.example/cb");
    let res = browse(&app, &browser, url.as_str(), None).await;
    assert_eq!(param(&callback(&res), "state"), Some(request.state.secret().as_str()), "the pushed state");
    drop(other);
    let request = rp.request(&[]);
    let uri = push(&app, &rp, &request, &[]).await.1["request_uri"].as_str().unwrap().to_string();
    app.clock.advance(61);
    assert_eq!(browser.get(front(&app, "app", &uri)).send().await.unwrap().status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

async fn par_checks_what_authorize_checks_and_is_required_where_registered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let request = rp.request(&[]);
    // The same pipeline: each refusal as JSON with the spec's code.
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[("request_uri", "urn:x")], "invalid_request"),
        (&[("code_challenge_method", "plain")], "invalid_request"),
        (&[("prompt", "bogus")], "invalid_request"),
    ];
    for (extra, code) in cases {
        let (status, body) = push(&app, &rp, &request, extra).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{extra:?}: {body}");
    }
    let (status, body) = push(&app, &rp, &request, &[("scope", "profile")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")), "{body}");
    // Unauthenticated, or as another client: refused.
    let pairs: Vec<(String, String)> =
        request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let res = reqwest::Client::new().post(at(&app, "/par")).form(&pairs).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A client registered to push is held to it at /authorize.
    let mut meta = metadata(false);
    meta.require_pushed_authorization_requests = true;
    let strict = register(&app, "strict", meta, &["ACME"]).await;
    let plain = strict.request(&[]);
    let res = app.browser().get(plain.url.as_str()).send().await.unwrap();
    let params = callback(&res);
    assert_eq!(param(&params, "error"), Some("invalid_request"), "PAR is required of this client");
    let (status, body) = push(&app, &strict, &plain, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let discovery: Value =
        reqwest::get(at(&app, "/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
    assert_eq!(discovery["pushed_authorization_request_endpoint"], at(&app, "/par"));
    app.stop().await;
}

async fn a_public_client_pushes_within_its_addresss_budget(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(scratch, &[("LANYARD_PENDING_AUTHORIZATIONS_PER_IP", "3".into())]).await;
    setup(&app).await;
    let public = register(&app, "spa", metadata(true), &["ACME"]).await;
    for _ in 0..3 {
        let (status, body) = push(&app, &public, &public.request(&[]), &[]).await;
        assert_eq!(status, StatusCode::CREATED, "a public client may push (RFC 9126): {body}");
    }
    let (status, body) = push(&app, &public, &public.request(&[]), &[]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("temporarily_unavailable")));
    app.stop().await;
}

backend_tests! {
    par_public_client_budget => a_public_client_pushes_within_its_addresss_budget,
    par_signs_in_once => a_pushed_request_signs_in_once,
    par_checks_and_is_required => par_checks_what_authorize_checks_and_is_required_where_registered,
}
