//! Issue 29, RFC 9101 (JAR): an authorization request as a JWT the client signs with its
//! registered key, by value at `/authorize` or pushed to `/par`. Its claims are the request (the
//! parameters beside it are not read); every way it can be wrong is `invalid_request_object`,
//! sent to the registered redirect_uri given beside it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::private_key_jwt::{ClientKey, JWT_BEARER, b64, claims, client_key, register};
use super::rp::{REDIRECT, at, browse, callback, issuer, param};
use crate::backend_tests;
use crate::support::{Backend, PASSWORD, TestApp};

const VERIFIER: &str = "a-code-verifier-long-enough-for-rfc-7636-section-4-1-xyz";

/// The claims of a good request object for `svc`, now.
fn request(app: &TestApp, state: &str) -> Value {
    let now = app.clock.now();
    let challenge = b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, VERIFIER.as_bytes()).as_ref());
    json!({
        "iss": "svc", "aud": issuer(app), "client_id": "svc", "exp": now + 300, "nbf": now, "jti": state,
        "response_type": "code", "scope": "openid profile", "redirect_uri": REDIRECT, "state": state,
        "nonce": "n-1", "code_challenge": challenge, "code_challenge_method": "S256", "max_age": 3600,
    })
}

fn signed(key: &ClientKey, claims: &Value) -> String {
    key.sign_with(&json!({"alg": "ES256", "kid": "k", "typ": "oauth-authz-req+jwt"}), claims)
}

/// `/authorize` with only the object, client_id and (outside the object) what is given.
fn front(app: &TestApp, object: &str, outer: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&at(app, "/authorize")).unwrap();
    url.query_pairs_mut().append_pair("client_id", "svc").append_pair("request", object);
    for (k, v) in outer {
        url.query_pairs_mut().append_pair(k, v);
    }
    url.to_string()
}

async fn redeem(app: &TestApp, key: &ClientKey, code: &str, jti: &str) -> (StatusCode, Value) {
    let assertion = key.sign(&claims(app, json!(issuer(app)), jti));
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", &assertion),
    ];
    let res = reqwest::Client::new().post(at(app, "/token")).form(&form).send().await.unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

async fn a_signed_request_object_is_the_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let key = client_key("ES256", "k");
    register(&app, &[&key]).await;
    // By value; the parameters beside it (another state, scope) are not read.
    let object = signed(&key, &request(&app, "s-object"));
    let url = front(&app, &object, &[("state", "s-outer"), ("scope", "openid email")]);
    let browser = app.browser();
    let res = browse(&app, &browser, &url, Some(("alice", PASSWORD))).await;
    let params = callback(&res);
    assert_eq!(param(&params, "state"), Some("s-object"), "{params:?}");
    let (status, body) = redeem(&app, &key, param(&params, "code").unwrap(), "t1").await;
    assert_eq!((status, body["scope"].as_str()), (StatusCode::OK, Some("openid profile")), "{body}");
    // Pushed: the object's claims are what is kept.
    let object = signed(&key, &request(&app, "s-pushed"));
    let assertion = key.sign(&claims(&app, json!(issuer(&app)), "par-1"));
    let form = [
        ("client_id", "svc"),
        ("request", object.as_str()),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion.as_str()),
    ];
    let res = reqwest::Client::new().post(at(&app, "/par")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let uri = res.json::<Value>().await.unwrap()["request_uri"].as_str().unwrap().to_string();
    let mut url = url::Url::parse(&at(&app, "/authorize")).unwrap();
    url.query_pairs_mut().append_pair("client_id", "svc").append_pair("request_uri", &uri);
    let params = callback(&browse(&app, &browser, url.as_str(), None).await);
    assert_eq!(param(&params, "state"), Some("s-pushed"));
    assert_eq!(redeem(&app, &key, param(&params, "code").unwrap(), "t2").await.0, StatusCode::OK);
    // A request object with a jti works once; and it is never a client assertion, even one that
    // carries every claim an assertion needs (it travels through the browser).
    let mut once = request(&app, "s-once");
    once["sub"] = json!("svc");
    let object = signed(&key, &once);
    let res = browse(&app, &browser, &front(&app, &object, &[]), None).await;
    assert!(param(&callback(&res), "code").is_some());
    let res = app.browser().get(front(&app, &object, &[("redirect_uri", REDIRECT)])).send().await.unwrap();
    assert_eq!(param(&callback(&res), "error"), Some("invalid_request_object"), "a jti works once");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", object.as_str()),
    ];
    let res = reqwest::Client::new().post(at(&app, "/token")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "a request object as a client assertion");
    let discovery: Value =
        reqwest::get(at(&app, "/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
    assert_eq!(discovery["request_parameter_supported"], true);
    assert_eq!(discovery["request_object_signing_alg_values_supported"], json!(["PS256", "ES256", "EdDSA", "RS256"]));
    app.stop().await;
}

async fn every_wrong_request_object_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let key = client_key("ES256", "k");
    register(&app, &[&key]).await;
    let stranger = client_key("ES256", "k");
    let now = app.clock.now();
    let with = |k: &str, v: Value| {
        let mut c = request(&app, "s");
        c[k] = v;
        c
    };
    let unsigned = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(request(&app, "s").to_string().as_bytes()));
    let hmac = {
        let header = json!({"alg": "HS256", "kid": "k"});
        let input =
            format!("{}.{}", b64(header.to_string().as_bytes()), b64(request(&app, "s").to_string().as_bytes()));
        let k = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key.jwk.to_string().as_bytes());
        format!("{input}.{}", b64(aws_lc_rs::hmac::sign(&k, input.as_bytes()).as_ref()))
    };
    let cases: Vec<(&str, String)> = vec![
        ("alg none", unsigned),
        ("HS256 keyed with the public key", hmac),
        ("a key not registered", signed(&stranger, &request(&app, "s"))),
        ("expired", signed(&key, &with("exp", json!(now - 1)))),
        ("no exp", signed(&key, &with("exp", Value::Null))),
        ("valid for more than an hour", signed(&key, &with("exp", json!(now + 3700)))),
        ("nbf ahead", signed(&key, &with("nbf", json!(now + 60)))),
        ("another audience", signed(&key, &with("aud", json!("https://elsewhere.example")))),
        ("another iss", signed(&key, &with("iss", json!("app")))),
        ("another client_id inside", signed(&key, &with("client_id", json!("app")))),
        ("a request inside", signed(&key, &with("request", json!("x.y.z")))),
        ("an nbf and exp at the ends of time", {
            let mut c = with("nbf", json!(i64::MIN));
            c["exp"] = json!(i64::MAX);
            signed(&key, &c)
        }),
        (
            "a DPoP proof's type",
            key.sign_with(&json!({"alg": "ES256", "kid": "k", "typ": "dpop+jwt"}), &request(&app, "s")),
        ),
        ("garbage", "a.b.c".into()),
    ];
    for (why, object) in cases {
        let res = app
            .browser()
            .get(front(&app, &object, &[("redirect_uri", REDIRECT), ("state", "o")]))
            .send()
            .await
            .unwrap();
        let params = callback(&res);
        assert_eq!(param(&params, "error"), Some("invalid_request_object"), "{why}: {params:?}");
        assert!(param(&params, "code").is_none());
    }
    // Without a registered redirect_uri beside it, the refusal is a page.
    let res = app.browser().get(front(&app, "a.b.c", &[])).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // At PAR: JSON. An object from a client that registered no keys: refused too.
    let assertion = key.sign(&claims(&app, json!(issuer(&app)), "par-bad"));
    let object = signed(&key, &with("aud", json!("https://elsewhere.example")));
    let form = [
        ("client_id", "svc"),
        ("request", object.as_str()),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion.as_str()),
    ];
    let res = reqwest::Client::new().post(at(&app, "/par")).form(&form).send().await.unwrap();
    let (status, body) = (res.status(), res.json::<Value>().await.unwrap());
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request_object")), "{body}");
    let rp = super::rp::register(&app, "app", super::rp::metadata(false), &["ACME"]).await;
    let mut claims_of_app = request(&app, "s");
    claims_of_app["iss"] = json!("app");
    claims_of_app["client_id"] = json!("app");
    let object = signed(&key, &claims_of_app);
    let mut url = url::Url::parse(&at(&app, "/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", "app")
        .append_pair("request", &object)
        .append_pair("redirect_uri", REDIRECT);
    let params = callback(&app.browser().get(url.as_str()).send().await.unwrap());
    assert_eq!(param(&params, "error"), Some("invalid_request_object"), "a client without keys");
    drop(rp);
    app.stop().await;
}

backend_tests! {
    jar_is_the_request => a_signed_request_object_is_the_request,
    jar_refusals => every_wrong_request_object_is_refused,
}
