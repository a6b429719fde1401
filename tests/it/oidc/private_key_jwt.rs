//! Issue 29, RFC 7523 / OIDC Core §9: `private_key_jwt`. A client registers its public keys and
//! authenticates at the token, introspection and revocation endpoints with an assertion signed
//! by one of them. The assertions here are signed with aws-lc-rs directly — not with Lanyard's
//! own signer — in each algorithm Lanyard accepts, and every way an assertion can be wrong is
//! refused as `invalid_client`.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::rp::{at, issuer, metadata};
use crate::backend_tests;
use crate::support::{Backend, TestApp};

pub(super) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

enum Pair {
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
    Rsa(aws_lc_rs::rsa::KeyPair),
}

/// A client's key pair: its JWS algorithm, `kid` and public JWK.
pub(super) struct ClientKey {
    alg: &'static str,
    kid: String,
    pair: Pair,
    pub(super) jwk: Value,
}

pub(super) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(super) fn client_key(alg: &'static str, kid: &str) -> ClientKey {
    let (pair, mut jwk) = match alg {
        "ES256" => {
            let doc =
                EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap().to_pkcs8v1().unwrap();
            let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref()).unwrap();
            let point = pair.public_key().as_ref().to_vec();
            let jwk = json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])});
            (Pair::Ec(pair), jwk)
        }
        "EdDSA" => {
            let pair = Ed25519KeyPair::generate().unwrap();
            let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref())});
            (Pair::Ed(pair), jwk)
        }
        _ => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048).unwrap();
            let public = pair.public_key();
            let jwk = json!({
                "kty": "RSA",
                "n": b64(public.modulus().big_endian_without_leading_zero()),
                "e": b64(public.exponent().big_endian_without_leading_zero()),
            });
            (Pair::Rsa(pair), jwk)
        }
    };
    jwk["kid"] = json!(kid);
    ClientKey { alg, kid: kid.into(), pair, jwk }
}

impl ClientKey {
    pub(super) fn sign_with(&self, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
        let rng = SystemRandom::new();
        let sig = match &self.pair {
            Pair::Ec(p) => p.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
            Pair::Ed(p) => p.sign(input.as_bytes()).as_ref().to_vec(),
            Pair::Rsa(p) => {
                let mut sig = vec![0u8; p.public_modulus_len()];
                let padding: &dyn signature::RsaEncoding =
                    if self.alg == "PS256" { &signature::RSA_PSS_SHA256 } else { &signature::RSA_PKCS1_SHA256 };
                p.sign(padding, &rng, input.as_bytes(), &mut sig).unwrap();
                sig
            }
        };
        format!("{input}.{}", b64(&sig))
    }

    pub(super) fn sign(&self, claims: &Value) -> String {
        self.sign_with(&json!({"alg": self.alg, "kid": self.kid, "typ": "JWT"}), claims)
    }
}

/// Claims of a good assertion for `svc` at `aud`, now.
pub(super) fn claims(app: &TestApp, aud: Value, jti: &str) -> Value {
    let now = app.clock.now();
    json!({"iss": "svc", "sub": "svc", "aud": aud, "exp": now + 60, "iat": now, "jti": jti})
}

pub(super) async fn register(app: &TestApp, keys: &[&ClientKey]) {
    let mut meta = metadata(false);
    meta.token_endpoint_auth_method = lanyard::domain::application::TokenEndpointAuthMethod::PrivateKeyJwt;
    meta.jwks = Some(json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()}));
    let operator = app.state.accounts.admin(crate::support::operator());
    let (_, secret) = operator.create_client(Some("svc"), "Service", &meta, &["ACME".to_string()]).await.unwrap();
    assert!(secret.is_none(), "a private_key_jwt client gets no secret");
}

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let res = reqwest::Client::new().post(at(app, path)).form(form).send().await.unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

async fn token_with(app: &TestApp, assertion: &str) -> (StatusCode, Value) {
    let form =
        [("grant_type", "client_credentials"), ("client_assertion_type", JWT_BEARER), ("client_assertion", assertion)];
    post(app, "/token", &form).await
}

async fn every_accepted_algorithm_signs_in_at_every_endpoint(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let keys: Vec<ClientKey> =
        ["ES256", "EdDSA", "PS256", "RS256"].iter().enumerate().map(|(i, a)| client_key(a, &format!("k{i}"))).collect();
    register(&app, &keys.iter().collect::<Vec<_>>()).await;
    let iss = issuer(&app);
    let mut access = String::new();
    for (i, key) in keys.iter().enumerate() {
        // `aud` the issuer, as a string or in an array.
        let aud = if i % 2 == 0 { json!(iss) } else { json!(["https://elsewhere.example", iss]) };
        let (status, body) = token_with(&app, &key.sign(&claims(&app, aud, &format!("jti-{i}")))).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", key.alg);
        access = body["access_token"].as_str().unwrap().to_string();
    }
    let assertion = keys[0].sign(&claims(&app, json!(iss), "jti-introspect"));
    let form = [("token", access.as_str()), ("client_assertion_type", JWT_BEARER), ("client_assertion", &assertion)];
    let (status, body) = post(&app, "/introspect", &form).await;
    assert_eq!((status, body["active"].as_bool()), (StatusCode::OK, Some(true)), "introspection: {body}");
    let assertion = keys[1].sign(&claims(&app, json!(iss), "jti-revoke"));
    let form = [("token", access.as_str()), ("client_assertion_type", JWT_BEARER), ("client_assertion", &assertion)];
    assert_eq!(post(&app, "/revoke", &form).await.0, StatusCode::OK, "revocation");
    let discovery: Value =
        reqwest::get(at(&app, "/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
    assert!(discovery["token_endpoint_auth_methods_supported"].as_array().unwrap().contains(&json!("private_key_jwt")));
    assert_eq!(
        discovery["token_endpoint_auth_signing_alg_values_supported"],
        json!(["PS256", "ES256", "EdDSA", "RS256"])
    );
    app.stop().await;
}

async fn every_wrong_assertion_is_invalid_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let key = client_key("ES256", "good");
    register(&app, &[&key]).await;
    let stranger = client_key("ES256", "good");
    let iss = issuer(&app);
    let now = app.clock.now();
    let good = |jti: &str| claims(&app, json!(iss), jti);
    let with = |jti: &str, k: &str, v: Value| {
        let mut c = good(jti);
        c[k] = v;
        c
    };
    let once = key.sign(&good("once"));
    assert_eq!(token_with(&app, &once).await.0, StatusCode::OK);
    let hmac = {
        let header = json!({"alg": "HS256", "kid": "good"});
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(good("hs").to_string().as_bytes()));
        let mac = aws_lc_rs::hmac::sign(
            &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key.jwk.to_string().as_bytes()),
            input.as_bytes(),
        );
        format!("{input}.{}", b64(mac.as_ref()))
    };
    let unsigned = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(good("none").to_string().as_bytes()));
    let cases: Vec<(&str, String)> = vec![
        ("a replayed jti", once),
        ("expired", key.sign(&with("e", "exp", json!(now - 1)))),
        ("valid for too long", key.sign(&with("l", "exp", json!(now + 3600)))),
        ("iat a minute ahead", key.sign(&with("i", "iat", json!(now + 60)))),
        ("nbf a minute ahead", key.sign(&with("n", "nbf", json!(now + 60)))),
        ("no exp", key.sign(&with("x", "exp", Value::Null))),
        ("no jti", key.sign(&with("j", "jti", Value::Null))),
        ("another iss", key.sign(&with("s", "iss", json!("other")))),
        ("another audience", key.sign(&with("a", "aud", json!("https://elsewhere.example")))),
        // An endpoint's URL is what a malicious server's metadata could have a client sign for
        // us (audience injection): only the issuer identifier is an audience.
        ("the token endpoint as aud", key.sign(&with("t", "aud", json!(format!("{iss}/token"))))),
        ("a kid that is not a string", key.sign_with(&json!({"alg": "ES256", "kid": 7}), &good("kid"))),
        ("alg none", unsigned),
        ("HS256 keyed with the public key", hmac),
        ("a key not registered", stranger.sign(&good("stranger"))),
        (
            "a header the server cannot understand",
            key.sign_with(&json!({"alg": "ES256", "crit": ["x"], "x": 1}), &good("crit")),
        ),
        ("garbage", "a.b.c".into()),
    ];
    for (why, assertion) in cases {
        let (status, body) = token_with(&app, &assertion).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client")),
            "{why}: {body}"
        );
    }
    // An oversized assertion is refused by the parameter reader before it is read at all.
    let (status, body) = token_with(&app, &"a".repeat(9000)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{body}");
    // An edited claim after signing: the signature no longer holds.
    let signed = key.sign(&good("edited"));
    let mut parts: Vec<&str> = signed.split('.').collect();
    let edited = b64(with("edited", "sub", json!("svc ")).to_string().as_bytes());
    parts[1] = &edited;
    assert_eq!(token_with(&app, &parts.join(".")).await.0, StatusCode::UNAUTHORIZED, "an edit breaks the signature");
    // The wrong assertion type, a client_id that is not the assertion's, two methods at once.
    let fresh = key.sign(&good("type"));
    let form =
        [("grant_type", "client_credentials"), ("client_assertion_type", "urn:other"), ("client_assertion", &fresh)];
    assert_eq!(post(&app, "/token", &form).await.0, StatusCode::UNAUTHORIZED);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "app"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", &fresh),
    ];
    assert_eq!(post(&app, "/token", &form).await.0, StatusCode::UNAUTHORIZED, "client_id must be the assertion's");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_secret", "x"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", &fresh),
    ];
    assert_eq!(post(&app, "/token", &form).await.1["error"], "invalid_request", "one method at a time");
    // The same assertion still works once (nothing above used its jti).
    assert_eq!(token_with(&app, &fresh).await.0, StatusCode::OK);
    app.stop().await;
}

async fn a_jti_is_used_once_across_nodes_and_registration_is_checked(backend: Backend) {
    let first = TestApp::spawn(backend).await;
    let issuer_url = at(&first, "");
    let second = TestApp::spawn_on(first.scratch.share(), &[("LANYARD_ISSUER", issuer_url.clone())]).await;
    first.tenant("ACME").await;
    let key = client_key("EdDSA", "k");
    register(&first, &[&key]).await;
    let assertion = key.sign(&claims(&first, json!(issuer_url.trim_end_matches('/')), "shared"));
    assert_eq!(token_with(&first, &assertion).await.0, StatusCode::OK);
    let form =
        [("grant_type", "client_credentials"), ("client_assertion_type", JWT_BEARER), ("client_assertion", &assertion)];
    let res = reqwest::Client::new()
        .post(format!("http://localhost:{}/token", second.addr.port()))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the jti was used on the other node");
    // Registration: keys are required, public only, and no secret is rotated for such a client.
    let operator = first.state.accounts.admin(crate::support::operator());
    let mut meta = metadata(false);
    meta.token_endpoint_auth_method = lanyard::domain::application::TokenEndpointAuthMethod::PrivateKeyJwt;
    let missing = operator.create_client(Some("nokeys"), "No keys", &meta, &[]).await.unwrap_err();
    assert!(missing.to_string().contains("jwks"), "{missing}");
    let mut private = key.jwk.clone();
    private["d"] = json!(b64(&[1u8; 32]));
    meta.jwks = Some(json!({"keys": [private]}));
    let leaked = operator.create_client(Some("leaky"), "Leaky", &meta, &[]).await.unwrap_err();
    assert!(leaked.to_string().contains("public key only"), "{leaked}");
    assert!(operator.rotate_client_secret("svc").await.unwrap_err().to_string().contains("no secret"));
    second.stop().await;
    first.stop().await;
}

async fn keys_at_a_jwks_uri_are_fetched_cached_and_fetched_again_when_rotated(backend: Backend) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let (a, b) = (client_key("ES256", "a"), client_key("PS256", "b"));
    let published = Arc::new(Mutex::new(json!({"keys": [a.jwk.clone()]})));
    let hits = Arc::new(AtomicUsize::new(0));
    let (serve, count) = (published.clone(), hits.clone());
    let router = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let (serve, count) = (serve.clone(), count.clone());
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                let body = serve.lock().unwrap().to_string();
                ([(axum::http::header::CONTENT_TYPE, "application/json")], body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let mut meta = metadata(false);
    meta.token_endpoint_auth_method = lanyard::domain::application::TokenEndpointAuthMethod::PrivateKeyJwt;
    meta.jwks_uri = Some(format!("http://127.0.0.1:{port}/jwks"));
    let operator = app.state.accounts.admin(crate::support::operator());
    operator.create_client(Some("svc"), "Service", &meta, &["ACME".to_string()]).await.unwrap();
    let iss = issuer(&app);
    let status = |r: (StatusCode, Value)| r.0;
    assert_eq!(status(token_with(&app, &a.sign(&claims(&app, json!(iss), "1"))).await), StatusCode::OK);
    assert_eq!(status(token_with(&app, &a.sign(&claims(&app, json!(iss), "2"))).await), StatusCode::OK);
    assert_eq!(hits.load(Ordering::SeqCst), 1, "fetched once, then cached");
    // The client rotates to key b: an assertion with the new kid makes Lanyard ask again.
    *published.lock().unwrap() = json!({"keys": [b.jwk.clone()]});
    app.clock.advance(11);
    assert_eq!(status(token_with(&app, &b.sign(&claims(&app, json!(iss), "3"))).await), StatusCode::OK);
    assert_eq!(hits.load(Ordering::SeqCst), 2, "the unknown kid fetched the keys again");
    // The retired key a no longer signs in, and a flood of unknown kids fetches nothing more.
    for jti in ["4", "5", "6"] {
        assert_eq!(status(token_with(&app, &a.sign(&claims(&app, json!(iss), jti))).await), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2, "at most one fetch per ten seconds");
    // Published keys that are not a usable JWK Set are refused, not trusted.
    *published.lock().unwrap() = json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]});
    app.clock.advance(301);
    assert_eq!(status(token_with(&app, &b.sign(&claims(&app, json!(iss), "7"))).await), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

backend_tests! {
    private_key_jwt_jwks_uri_rotation => keys_at_a_jwks_uri_are_fetched_cached_and_fetched_again_when_rotated,
    private_key_jwt_every_alg_every_endpoint => every_accepted_algorithm_signs_in_at_every_endpoint,
    private_key_jwt_wrong_assertions => every_wrong_assertion_is_invalid_client,
    private_key_jwt_jti_across_nodes => a_jti_is_used_once_across_nodes_and_registration_is_checked,
}
