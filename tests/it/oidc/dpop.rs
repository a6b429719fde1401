//! Issue 29, RFC 9449: DPoP. A client proves a key of its own with each token request; the
//! tokens are bound to it (`token_type` DPoP, `cnf.jkt`), a bound token is refused as a bearer
//! token, and only a fresh proof of that key, with the server's nonce, made for that request
//! and token, uses it. Proofs here are signed with aws-lc-rs directly, not with Lanyard's code.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::rp::{Rp, at, browse, callback, metadata, param, register, setup};
use crate::backend_tests;
use crate::support::{Backend, PASSWORD, TestApp};

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A client's DPoP key (P-256).
pub(super) struct DpopKey {
    pair: EcdsaKeyPair,
    jwk: Value,
}

impl DpopKey {
    pub(super) fn new() -> Self {
        let pair = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])});
        DpopKey { pair, jwk }
    }

    /// RFC 7638, written out here rather than taken from Lanyard.
    pub(super) fn jkt(&self) -> String {
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            self.jwk["x"].as_str().unwrap(),
            self.jwk["y"].as_str().unwrap()
        );
        b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()).as_ref())
    }

    fn sign(&self, claims: &Value) -> String {
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk});
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
        let sig = self.pair.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
        format!("{input}.{}", b64(sig.as_ref()))
    }

    /// A fresh proof for `method` at `url`, with the server's `nonce` and, at a resource, the
    /// token's hash.
    pub(super) fn proof(
        &self,
        app: &TestApp,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        token: Option<&str>,
    ) -> String {
        let mut claims = json!({
            "jti": b64(&aws_lc_rs::rand::generate::<[u8; 16]>(&SystemRandom::new()).unwrap().expose()),
            "htm": method, "htu": url, "iat": app.clock.now(),
        });
        if let Some(n) = nonce {
            claims["nonce"] = json!(n);
        }
        if let Some(t) = token {
            claims["ath"] = json!(b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, t.as_bytes()).as_ref()));
        }
        self.sign(&claims)
    }
}

/// The server's current nonce, as a proof without one is told.
async fn nonce(app: &TestApp, rp: &Rp, key: &DpopKey) -> String {
    let proof = key.proof(app, "POST", &at(app, "/token"), None, None);
    let res = token(app, rp, &[("grant_type", "client_credentials")], Some(&proof)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let nonce = res.headers()["dpop-nonce"].to_str().unwrap().to_string();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "use_dpop_nonce");
    nonce
}

async fn token(app: &TestApp, rp: &Rp, form: &[(&str, &str)], proof: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().post(at(app, "/token")).form(form);
    if let Some(secret) = &rp.secret {
        req = req.basic_auth(&rp.client_id, Some(secret));
    }
    if let Some(p) = proof {
        req = req.header("DPoP", p);
    }
    req.send().await.unwrap()
}

async fn json_of(res: reqwest::Response) -> (StatusCode, Value) {
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

/// Signs alice in for `rp`'s request (with `extra` parameters); the code and the PKCE verifier.
async fn code_for(app: &TestApp, rp: &Rp, extra: &[(&str, &str)]) -> (String, String) {
    let request = rp.request(extra);
    let res = browse(app, &app.browser(), request.url.as_str(), Some(("alice", PASSWORD))).await;
    let params = callback(&res);
    let code = param(&params, "code").unwrap_or_else(|| panic!("{params:?}")).to_string();
    (code, request.verifier.secret().clone())
}

async fn exchange(app: &TestApp, rp: &Rp, code: &str, verifier: &str, proof: Option<&str>) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", super::rp::REDIRECT),
        ("code_verifier", verifier),
        ("client_id", rp.client_id.as_str()),
    ];
    json_of(token(app, rp, &form, proof).await).await
}

async fn userinfo(app: &TestApp, scheme: &str, access: &str, proof: Option<&str>) -> reqwest::Response {
    let mut req =
        reqwest::Client::new().get(at(app, "/userinfo")).header("Authorization", format!("{scheme} {access}"));
    if let Some(p) = proof {
        req = req.header("DPoP", p);
    }
    req.send().await.unwrap()
}

async fn a_bound_token_goes_only_with_its_keys_fresh_proof(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let key = DpopKey::new();
    let (code, verifier) = code_for(&app, &rp, &[]).await;
    // Without the nonce: told to use it, and the code is not used up by being told.
    let proof = key.proof(&app, "POST", &at(&app, "/token"), None, None);
    let res = token(&app, &rp, &[("grant_type", "authorization_code"), ("code", &code)], Some(&proof)).await;
    let n = res.headers()["dpop-nonce"].to_str().unwrap().to_string();
    assert_eq!(json_of(res).await.1["error"], "use_dpop_nonce");
    let proof = key.proof(&app, "POST", &at(&app, "/token"), Some(&n), None);
    let (status, body) = exchange(&app, &rp, &code, &verifier, Some(&proof)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    let access = body["access_token"].as_str().unwrap().to_string();
    // As a bearer token: refused, with a DPoP challenge naming the algorithms.
    let res = userinfo(&app, "Bearer", &access, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let challenge = res.headers()["www-authenticate"].to_str().unwrap().to_string();
    assert!(challenge.starts_with("DPoP ") && challenge.contains("ES256"), "{challenge}");
    // With a proof of its key for this request: the user's claims. The same proof again: refused.
    let ui = at(&app, "/userinfo");
    let good = key.proof(&app, "GET", &ui, Some(&n), Some(&access));
    let res = userinfo(&app, "DPoP", &access, Some(&good)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["preferred_username"], "alice");
    let (status, body) = json_of(userinfo(&app, "DPoP", &access, Some(&good)).await).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_dpop_proof")), "replay");
    // Every other way a proof can be wrong.
    let other = DpopKey::new();
    let cases = [
        ("another key", other.proof(&app, "GET", &ui, Some(&n), Some(&access)), "invalid_token"),
        ("no ath", key.proof(&app, "GET", &ui, Some(&n), None), "invalid_dpop_proof"),
        ("wrong method", key.proof(&app, "POST", &ui, Some(&n), Some(&access)), "invalid_dpop_proof"),
        ("wrong htu", key.proof(&app, "GET", &at(&app, "/token"), Some(&n), Some(&access)), "invalid_dpop_proof"),
        ("no nonce", key.proof(&app, "GET", &ui, None, Some(&access)), "use_dpop_nonce"),
        ("a forged nonce", key.proof(&app, "GET", &ui, Some("forged"), Some(&access)), "use_dpop_nonce"),
    ];
    for (why, proof, error) in cases {
        let res = userinfo(&app, "DPoP", &access, Some(&proof)).await;
        let fresh = res.headers().get("dpop-nonce").is_some();
        let (status, body) = json_of(res).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some(error)), "{why}: {body}");
        assert!(fresh, "{why}: every answer to a proof carries the nonce");
    }
    let (status, body) = json_of(userinfo(&app, "DPoP", &access, None).await).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_dpop_proof")));
    // Nor as a bearer token in the body (RFC 6750 §2.2).
    let res = reqwest::Client::new().post(&ui).form(&[("access_token", access.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "a bound token in the body");
    // Introspection says how the token is bound.
    let (_, body) = json_of(rp.post(&at(&app, "/introspect"), &[("token", access.as_str())]).await).await;
    assert_eq!((body["token_type"].as_str(), body["cnf"]["jkt"].as_str()), (Some("DPoP"), Some(key.jkt().as_str())));
    // An expired nonce (two windows on) is refused; the new one works.
    app.clock.advance(121);
    let stale = key.proof(&app, "GET", &ui, Some(&n), Some(&access));
    assert_eq!(json_of(userinfo(&app, "DPoP", &access, Some(&stale)).await).await.1["error"], "use_dpop_nonce");
    let n = nonce(&app, &rp, &key).await;
    let res = userinfo(&app, "DPoP", &access, Some(&key.proof(&app, "GET", &ui, Some(&n), Some(&access)))).await;
    assert_eq!(res.status(), StatusCode::OK);
    // A confidential client's refresh token is bound by its authentication, not to the key; the
    // new access token is bound to the key of the proof that came with the refresh.
    let refresh = body_refresh(&app, &rp, &code_for(&app, &rp, &[]).await, &key, &n).await;
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())];
    let (status, body) = json_of(token(&app, &rp, &form, None).await).await;
    assert_eq!((status, body["token_type"].as_str()), (StatusCode::OK, Some("Bearer")), "{body}");
    app.stop().await;
}

/// Exchanges `code` with a proof of `key`; the refresh token.
async fn body_refresh(app: &TestApp, rp: &Rp, code: &(String, String), key: &DpopKey, n: &str) -> String {
    let proof = key.proof(app, "POST", &at(app, "/token"), Some(n), None);
    let (status, body) = exchange(app, rp, &code.0, &code.1, Some(&proof)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["refresh_token"].as_str().unwrap().to_string()
}

async fn dpop_jkt_binds_the_code_at_authorize_and_at_par(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (key, other) = (DpopKey::new(), DpopKey::new());
    let n = nonce(&app, &rp, &key).await;
    let tok = at(&app, "/token");
    // dpop_jkt at /authorize: another key's proof, or none, gets nothing.
    let jkt = key.jkt();
    let (code, verifier) = code_for(&app, &rp, &[("dpop_jkt", &jkt)]).await;
    let (status, body) =
        exchange(&app, &rp, &code, &verifier, Some(&other.proof(&app, "POST", &tok, Some(&n), None))).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    let (code, verifier) = code_for(&app, &rp, &[("dpop_jkt", &jkt)]).await;
    let (status, body) = exchange(&app, &rp, &code, &verifier, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    let (code, verifier) = code_for(&app, &rp, &[("dpop_jkt", &jkt)]).await;
    let (status, body) =
        exchange(&app, &rp, &code, &verifier, Some(&key.proof(&app, "POST", &tok, Some(&n), None))).await;
    assert_eq!((status, body["token_type"].as_str()), (StatusCode::OK, Some("DPoP")), "{body}");
    // A malformed dpop_jkt is the client's error, sent to its redirect.
    let request = rp.request(&[("dpop_jkt", "not-a-thumbprint")]);
    let res = app.browser().get(request.url.as_str()).send().await.unwrap();
    assert_eq!(param(&callback(&res), "error"), Some("invalid_request"));
    // A proof at PAR binds the pushed request's code to its key.
    let request = rp.request(&[]);
    let form: Vec<(String, String)> =
        request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let push = |proof: String, extra: Option<(&'static str, String)>| {
        let mut form = form.clone();
        form.extend(extra.map(|(k, v)| (k.to_string(), v)));
        let req = reqwest::Client::new()
            .post(at(&app, "/par"))
            .basic_auth(&rp.client_id, rp.secret.as_ref())
            .header("DPoP", proof)
            .form(&form);
        async move { json_of(req.send().await.unwrap()).await }
    };
    let par = at(&app, "/par");
    let (status, body) = push(key.proof(&app, "POST", &par, Some(&n), None), Some(("dpop_jkt", other.jkt()))).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "mismatch");
    let (status, body) = push(key.proof(&app, "POST", &par, Some(&n), None), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut front = url::Url::parse(&at(&app, "/authorize")).unwrap();
    front
        .query_pairs_mut()
        .append_pair("client_id", "app")
        .append_pair("request_uri", body["request_uri"].as_str().unwrap());
    let res = browse(&app, &app.browser(), front.as_str(), Some(("alice", PASSWORD))).await;
    let code = param(&callback(&res), "code").unwrap().to_string();
    let verifier = request.verifier.secret().clone();
    let (status, body) =
        exchange(&app, &rp, &code, &verifier, Some(&other.proof(&app, "POST", &tok, Some(&n), None))).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    app.stop().await;
}

async fn a_public_clients_refresh_token_is_bound_to_its_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let spa = register(&app, "spa", metadata(true), &["ACME"]).await;
    let (key, other) = (DpopKey::new(), DpopKey::new());
    let n = nonce(&app, &spa, &key).await;
    let tok = at(&app, "/token");
    let refresh = body_refresh(&app, &spa, &code_for(&app, &spa, &[]).await, &key, &n).await;
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str()), ("client_id", "spa")];
    // Without the key, or with another: refused, and the token is not used up by the attempt.
    let (status, body) = json_of(token(&app, &spa, &form, None).await).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    let (status, body) =
        json_of(token(&app, &spa, &form, Some(&other.proof(&app, "POST", &tok, Some(&n), None))).await).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    let (status, body) =
        json_of(token(&app, &spa, &form, Some(&key.proof(&app, "POST", &tok, Some(&n), None))).await).await;
    assert_eq!((status, body["token_type"].as_str()), (StatusCode::OK, Some("DPoP")), "{body}");
    // The rotated token is bound to the same key.
    let next = body["refresh_token"].as_str().unwrap().to_string();
    let next_form = [("grant_type", "refresh_token"), ("refresh_token", next.as_str()), ("client_id", "spa")];
    assert_eq!(json_of(token(&app, &spa, &next_form, None).await).await.1["error"], "invalid_grant");
    // A copy of the used token, replayed without the key, revokes nothing: the family lives.
    assert_eq!(json_of(token(&app, &spa, &form, None).await).await.1["error"], "invalid_grant");
    let proof = key.proof(&app, "POST", &tok, Some(&n), None);
    let (status, body) = json_of(token(&app, &spa, &next_form, Some(&proof)).await).await;
    assert_eq!(status, StatusCode::OK, "the family survives a keyless replay: {body}");
    // Replayed with the key — the client itself is compromised — it revokes the family.
    let latest = body["refresh_token"].as_str().unwrap().to_string();
    let proof = key.proof(&app, "POST", &tok, Some(&n), None);
    assert_eq!(json_of(token(&app, &spa, &next_form, Some(&proof)).await).await.1["error"], "invalid_grant");
    let latest_form = [("grant_type", "refresh_token"), ("refresh_token", latest.as_str()), ("client_id", "spa")];
    let proof = key.proof(&app, "POST", &tok, Some(&n), None);
    assert_eq!(json_of(token(&app, &spa, &latest_form, Some(&proof)).await).await.1["error"], "invalid_grant");
    app.stop().await;
}

async fn proofs_and_nonces_hold_across_nodes(backend: Backend) {
    let first = TestApp::spawn(backend).await;
    let issuer_url = at(&first, "");
    let second = TestApp::spawn_on(first.scratch.share(), &[("LANYARD_ISSUER", issuer_url.clone())]).await;
    let rp = setup(&first).await;
    let key = DpopKey::new();
    // A nonce one node handed out is good on the other; a proof one node took is used there too.
    let n = nonce(&first, &rp, &key).await;
    let proof = key.proof(&first, "POST", &at(&first, "/token"), Some(&n), None);
    let form = [("grant_type", "client_credentials")];
    let (status, body) = json_of(token(&first, &rp, &form, Some(&proof)).await).await;
    assert_eq!((status, body["token_type"].as_str()), (StatusCode::OK, Some("DPoP")), "{body}");
    let send = |proof: String| {
        reqwest::Client::new()
            .post(format!("http://localhost:{}/token", second.addr.port()))
            .basic_auth(&rp.client_id, rp.secret.as_ref())
            .header("DPoP", proof)
            .form(&form)
            .send()
    };
    let (status, body) = json_of(send(proof).await.unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_dpop_proof")), "replayed");
    let fresh = key.proof(&first, "POST", &at(&first, "/token"), Some(&n), None);
    let (status, body) = json_of(send(fresh).await.unwrap()).await;
    assert_eq!((status, body["token_type"].as_str()), (StatusCode::OK, Some("DPoP")), "{body}");
    // Hostile input: an oversized proof, two DPoP headers, a proof that is not a JWT.
    let huge = format!("{}.{}.{}", "e".repeat(6000), "e".repeat(6000), "e");
    for bad in [vec![huge], vec!["x".into(), "y".into()], vec!["not a jwt".into()]] {
        let mut req = reqwest::Client::new().post(at(&first, "/token")).basic_auth(&rp.client_id, rp.secret.as_ref());
        for value in bad {
            req = req.header("DPoP", value);
        }
        let (status, body) = json_of(req.form(&form).send().await.unwrap()).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_dpop_proof")), "{body}");
    }
    let discovery: Value =
        reqwest::get(at(&first, "/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
    assert_eq!(discovery["dpop_signing_alg_values_supported"], json!(["ES256", "PS256", "EdDSA"]));
    second.stop().await;
    first.stop().await;
}

async fn a_code_copied_without_its_key_or_client_burns_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let other = register(&app, "other", metadata(false), &["ACME"]).await;
    let key = DpopKey::new();
    let n = nonce(&app, &rp, &key).await;
    let tok = at(&app, "/token");
    let (code, verifier) = code_for(&app, &rp, &[("dpop_jkt", &key.jkt())]).await;
    // Another client, then the right client without the key: refused, and the code still works.
    assert_eq!(exchange(&app, &other, &code, &verifier, None).await.1["error"], "invalid_grant");
    assert_eq!(exchange(&app, &rp, &code, &verifier, None).await.1["error"], "invalid_grant");
    let (status, body) =
        exchange(&app, &rp, &code, &verifier, Some(&key.proof(&app, "POST", &tok, Some(&n), None))).await;
    assert_eq!((status, body["token_type"].as_str()), (StatusCode::OK, Some("DPoP")), "{body}");
    app.stop().await;
}

async fn with_dpop_off_a_proof_is_ignored(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(scratch, &[("LANYARD_DPOP", "off".into())]).await;
    let rp = setup(&app).await;
    let key = DpopKey::new();
    let proof = key.proof(&app, "POST", &at(&app, "/token"), None, None);
    let res = token(&app, &rp, &[("grant_type", "client_credentials")], Some(&proof)).await;
    assert!(res.headers().get("dpop-nonce").is_none());
    let (status, body) = json_of(res).await;
    assert_eq!((status, body["token_type"].as_str()), (StatusCode::OK, Some("Bearer")), "{body}");
    let discovery: Value =
        reqwest::get(at(&app, "/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
    assert!(discovery.get("dpop_signing_alg_values_supported").is_none());
    app.stop().await;
}

backend_tests! {
    dpop_copied_code => a_code_copied_without_its_key_or_client_burns_nothing,
    dpop_off => with_dpop_off_a_proof_is_ignored,
    dpop_bound_token => a_bound_token_goes_only_with_its_keys_fresh_proof,
    dpop_jkt_binds_code => dpop_jkt_binds_the_code_at_authorize_and_at_par,
    dpop_public_refresh => a_public_clients_refresh_token_is_bound_to_its_key,
    dpop_across_nodes => proofs_and_nonces_hold_across_nodes,
}
