//! Issue 29: a client held to the FAPI 2.0 Security Profile (`profile: fapi2`). Registration
//! refuses what the profile forbids; then the client must authenticate with `private_key_jwt`
//! (not RS256), push its requests, use PKCE and DPoP, and its refresh token is not rotated.
//! Other clients keep today's behaviour (their tests elsewhere are unchanged).

use lanyard::domain::application::{ClientMetadata, TokenEndpointAuthMethod};
use lanyard::domain::client_profile::ClientProfile;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::dpop::DpopKey;
use super::private_key_jwt::{ClientKey, JWT_BEARER, b64, claims, client_key};
use super::rp::{REDIRECT, at, browse, callback, issuer, metadata, param};
use crate::backend_tests;
use crate::support::{Backend, PASSWORD, TestApp};

const VERIFIER: &str = "fapi-code-verifier-long-enough-for-rfc-7636-section-4-1-abc";

fn fapi_metadata(keys: &[&ClientKey]) -> ClientMetadata {
    let mut meta = metadata(false);
    meta.token_endpoint_auth_method = TokenEndpointAuthMethod::PrivateKeyJwt;
    meta.jwks = Some(json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()}));
    meta.id_token_signed_response_alg = "ES256".into();
    meta.grant_types = vec!["authorization_code".into(), "refresh_token".into()];
    meta.profile = ClientProfile::Fapi2;
    meta
}

struct Fapi<'a> {
    app: &'a TestApp,
    key: &'a ClientKey,
    dpop: DpopKey,
    nonce: String,
    jti: std::cell::Cell<u32>,
}

impl Fapi<'_> {
    fn assertion(&self) -> String {
        self.jti.set(self.jti.get() + 1);
        self.key.sign(&claims(self.app, json!(issuer(self.app)), &format!("jti-{}", self.jti.get())))
    }

    fn proof(&self, path: &str) -> String {
        let nonce = Some(self.nonce.as_str()).filter(|n| !n.is_empty());
        self.dpop.proof(self.app, "POST", &at(self.app, path), nonce, None)
    }

    /// POSTs `form` with a fresh assertion and, if `dpop`, a proof.
    async fn post(&self, path: &str, form: &[(&str, &str)], dpop: bool) -> (StatusCode, Value) {
        let assertion = self.assertion();
        let mut form: Vec<(&str, &str)> = form.to_vec();
        form.extend([("client_assertion_type", JWT_BEARER), ("client_assertion", assertion.as_str())]);
        let mut req = reqwest::Client::new().post(at(self.app, path)).form(&form);
        if dpop {
            req = req.header("DPoP", self.proof(path));
        }
        let res = req.send().await.unwrap();
        (res.status(), res.json().await.unwrap_or(Value::Null))
    }
}

fn authorization_params(app: &TestApp, extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let challenge = b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, VERIFIER.as_bytes()).as_ref());
    let mut params = vec![
        ("client_id", "svc".to_string()),
        ("response_type", "code".into()),
        ("scope", "openid profile".into()),
        ("redirect_uri", REDIRECT.into()),
        ("state", "s-fapi".into()),
        ("nonce", "n".repeat(64)),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256".into()),
    ];
    params.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    params.extend(extra.iter().filter(|(_, v)| !v.is_empty()).cloned());
    let _ = app;
    params
}

async fn a_fapi2_client_is_held_to_the_profile(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let (key, legacy) = (client_key("ES256", "k"), client_key("RS256", "r"));
    let operator = app.state.accounts.admin(crate::support::operator());
    // What the profile forbids is refused at registration.
    let mut with_secret = fapi_metadata(&[&key]);
    with_secret.token_endpoint_auth_method = TokenEndpointAuthMethod::ClientSecretBasic;
    with_secret.jwks = None;
    let mut rs256_tokens = fapi_metadata(&[&key]);
    rs256_tokens.id_token_signed_response_alg = "RS256".into();
    for meta in [with_secret, rs256_tokens] {
        assert!(operator.create_client(Some("bad"), "Bad", &meta, &["ACME".into()]).await.is_err());
    }
    operator.create_client(Some("svc"), "Records", &fapi_metadata(&[&key, &legacy]), &["ACME".into()]).await.unwrap();
    let fapi = Fapi { app: &app, key: &key, dpop: DpopKey::new(), nonce: String::new(), jti: 0.into() };
    // The server's DPoP nonce, as a first push is told.
    let params = authorization_params(&app, &[]);
    let form: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = fapi.post("/par", &form, true).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("use_dpop_nonce")));
    let nonce = {
        let res = reqwest::Client::new()
            .post(at(&app, "/token"))
            .header("DPoP", fapi.proof("/token"))
            .form(&[("grant_type", "authorization_code")])
            .send()
            .await
            .unwrap();
        res.headers()["dpop-nonce"].to_str().unwrap().to_string()
    };
    let fapi = Fapi { nonce, ..fapi };
    // Not pushed: refused at /authorize. Pushed without PKCE, or with an RS256 assertion: refused.
    let mut front = url::Url::parse(&at(&app, "/authorize")).unwrap();
    front.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
    let res = app.browser().get(front.as_str()).send().await.unwrap();
    assert_eq!(param(&callback(&res), "error"), Some("invalid_request"), "PAR is required");
    let no_pkce =
        authorization_params(&app, &[("code_challenge", String::new()), ("code_challenge_method", String::new())]);
    let form: Vec<(&str, &str)> = no_pkce.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = fapi.post("/par", &form, true).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "PKCE: {body}");
    let rs256 = legacy.sign(&claims(&app, json!(issuer(&app)), "rs256"));
    let form: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain([("client_assertion_type", JWT_BEARER), ("client_assertion", rs256.as_str())])
        .collect();
    let res = reqwest::Client::new().post(at(&app, "/par")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "no RS256 assertion under FAPI 2.0");
    // The whole flow: pushed (with a proof, so the code is bound), signed in, redeemed.
    let form: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = fapi.post("/par", &form, true).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut front = url::Url::parse(&at(&app, "/authorize")).unwrap();
    front
        .query_pairs_mut()
        .append_pair("client_id", "svc")
        .append_pair("request_uri", body["request_uri"].as_str().unwrap());
    let res = browse(&app, &app.browser(), front.as_str(), Some(("alice", PASSWORD))).await;
    let code = param(&callback(&res), "code").unwrap().to_string();
    let redeem = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    // Without a proof: refused before the code is touched.
    let (status, body) = fapi.post("/token", &redeem, false).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_dpop_proof")), "{body}");
    let (status, body) = fapi.post("/token", &redeem, true).await;
    assert_eq!((status, body["token_type"].as_str()), (StatusCode::OK, Some("DPoP")), "{body}");
    let refresh = body["refresh_token"].as_str().unwrap().to_string();
    // A refresh needs its proof too; PAR needs the client's authentication.
    let (status, body) =
        fapi.post("/token", &[("grant_type", "refresh_token"), ("refresh_token", &refresh)], false).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_dpop_proof")), "{body}");
    let res = reqwest::Client::new().post(at(&app, "/par")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "PAR without client authentication");
    // A request object signed RS256 is refused for this client.
    let now = app.clock.now();
    let mut object = serde_json::Map::new();
    for (k, v) in &params {
        object.insert(k.to_string(), json!(v));
    }
    object.extend([
        ("iss".into(), json!("svc")),
        ("aud".into(), json!(issuer(&app))),
        ("nbf".into(), json!(now)),
        ("exp".into(), json!(now + 60)),
    ]);
    let rs256 = legacy.sign_with(&json!({"alg": "RS256", "kid": "r"}), &Value::Object(object));
    let (status, body) = fapi.post("/par", &[("client_id", "svc"), ("request", rs256.as_str())], true).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request_object")), "{body}");
    // Refresh tokens are not rotated: no new one, and the same one works again.
    for _ in 0..2 {
        let (status, body) =
            fapi.post("/token", &[("grant_type", "refresh_token"), ("refresh_token", &refresh)], true).await;
        assert_eq!((status, body["token_type"].as_str()), (StatusCode::OK, Some("DPoP")), "{body}");
        assert!(body.get("refresh_token").is_none(), "not rotated: {body}");
    }
    app.stop().await;
}

backend_tests! {
    fapi2_profile => a_fapi2_client_is_held_to_the_profile,
}
