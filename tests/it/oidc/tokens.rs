//! The token, userinfo, introspection and revocation endpoints, including every negative case
//! with its exact error code.

use reqwest::StatusCode;
use serde_json::Value;

use super::rp::{REDIRECT, Rp, at, code_for_alice, setup};
use crate::backend_tests;
use crate::support::{Backend, TestApp};

pub async fn token(app: &TestApp, rp: &Rp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let res = rp.post(&at(app, "/token"), form).await;
    (res.status(), res.json().await.unwrap())
}

pub async fn redeem(app: &TestApp, rp: &Rp, code: &str, verifier: &str) -> (StatusCode, Value) {
    token(
        app,
        rp,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

pub async fn userinfo_status(app: &TestApp, access: &str) -> StatusCode {
    reqwest::Client::new().get(at(app, "/userinfo")).bearer_auth(access).send().await.unwrap().status()
}

async fn code_reuse_fails_and_revokes_the_first_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let (status, first) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    assert_eq!(status, StatusCode::OK);
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(userinfo_status(&app, access).await, StatusCode::OK);
    let (status, again) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error"], "invalid_grant");
    assert_eq!(userinfo_status(&app, access).await, StatusCode::UNAUTHORIZED, "tokens from the first use are revoked");
    let refresh = first["refresh_token"].as_str().unwrap();
    let (_, r) = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(r["error"], "invalid_grant");
    app.stop().await;
}

async fn codes_expire_after_60_seconds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    app.clock.advance(60);
    let (status, body) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    app.stop().await;
}

async fn codes_are_bound_to_client_redirect_uri_and_pkce(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let other = super::rp::register(&app, "other", super::rp::metadata(false), &["ACME"]).await;
    let browser = app.browser();

    let (code, req) = code_for_alice(&app, &rp, &browser).await;
    let (_, body) = redeem(&app, &other, &code, req.verifier.secret()).await;
    assert_eq!(body["error"], "invalid_grant", "another client");
    // Another client's try neither used the code up nor revoked anything.
    assert_eq!(redeem(&app, &rp, &code, req.verifier.secret()).await.0, StatusCode::OK);

    let (code, req) = code_for_alice(&app, &rp, &browser).await;
    let (_, body) = token(
        &app,
        &rp,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://localhost:4000/other"),
            ("code_verifier", req.verifier.secret()),
        ],
    )
    .await;
    assert_eq!(body["error"], "invalid_grant", "another redirect_uri");

    let (code, _) = code_for_alice(&app, &rp, &browser).await;
    let (_, body) = redeem(&app, &rp, &code, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").await;
    assert_eq!(body["error"], "invalid_grant", "a wrong code_verifier");

    let (code, _) = code_for_alice(&app, &rp, &browser).await;
    let (_, body) =
        token(&app, &rp, &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT)]).await;
    assert_eq!(body["error"], "invalid_grant", "a missing code_verifier");
    app.stop().await;
}

async fn client_authentication_failures_are_401_with_a_challenge(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let res = reqwest::Client::new()
        .post(at(&app, "/token"))
        .basic_auth("app", Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
    // A confidential client may not skip its secret.
    let res = reqwest::Client::new()
        .post(at(&app, "/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", "app")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Nonsense bodies get JSON errors, not plain text.
    let res = reqwest::Client::new()
        .post(at(&app, "/token"))
        .body("%%%")
        .header("content-type", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
    app.stop().await;
}

async fn unsupported_grants_and_duplicates_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (_, body) = token(&app, &rp, &[("grant_type", "password")]).await;
    assert_eq!(body["error"], "unsupported_grant_type");
    let (_, body) =
        token(&app, &rp, &[("grant_type", "client_credentials"), ("grant_type", "client_credentials")]).await;
    assert_eq!(body["error"], "invalid_request");
    app.stop().await;
}

async fn refresh_tokens_rotate_and_a_replay_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let (_, first) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    let r1 = first["refresh_token"].as_str().unwrap().to_string();
    let (status, second) = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", &r1)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(second["id_token"].is_string());
    let r2 = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    // Replaying r1 fails and kills r2 and its access token too.
    let (_, replay) = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", &r1)]).await;
    assert_eq!(replay["error"], "invalid_grant");
    let (_, after) = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", &r2)]).await;
    assert_eq!(after["error"], "invalid_grant");
    assert_eq!(userinfo_status(&app, second["access_token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn refresh_tokens_are_bound_to_their_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let other = super::rp::register(&app, "other", super::rp::metadata(false), &["ACME"]).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let (_, first) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    let r1 = first["refresh_token"].as_str().unwrap();
    let (_, stolen) = token(&app, &other, &[("grant_type", "refresh_token"), ("refresh_token", r1)]).await;
    assert_eq!(stolen["error"], "invalid_grant");
    let (status, _) = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", r1)]).await;
    assert_eq!(status, StatusCode::OK, "the owner's token still works");
    app.stop().await;
}

async fn locked_users_cannot_refresh(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let (_, first) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .change_status("ACME", "alice", lanyard::accounts::admin::StatusChange::AdminLock)
        .await
        .unwrap();
    let (_, body) = token(
        &app,
        &rp,
        &[("grant_type", "refresh_token"), ("refresh_token", first["refresh_token"].as_str().unwrap())],
    )
    .await;
    assert_eq!(body["error"], "invalid_grant");
    app.stop().await;
}

async fn client_credentials_introspection_and_revocation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let other = super::rp::register(&app, "other", super::rp::metadata(false), &["ACME"]).await;
    let (status, cc) = token(&app, &rp, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(cc.get("id_token").is_none() && cc.get("refresh_token").is_none());
    let access = cc["access_token"].as_str().unwrap();
    assert_eq!(userinfo_status(&app, access).await, StatusCode::UNAUTHORIZED, "no user behind it");

    let active: Value = rp.post(&at(&app, "/introspect"), &[("token", access)]).await.json().await.unwrap();
    assert_eq!(active["active"], true);
    assert_eq!(active["client_id"], "app");
    let foreign: Value = other.post(&at(&app, "/introspect"), &[("token", access)]).await.json().await.unwrap();
    assert_eq!(foreign, serde_json::json!({ "active": false }), "other clients learn nothing");
    let res = reqwest::Client::new().post(at(&app, "/introspect")).form(&[("token", access)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "introspection needs client authentication");

    let res = rp.post(&at(&app, "/revoke"), &[("token", access)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let gone: Value = rp.post(&at(&app, "/introspect"), &[("token", access)]).await.json().await.unwrap();
    assert_eq!(gone["active"], false);
    assert_eq!(rp.post(&at(&app, "/revoke"), &[("token", "never-issued")]).await.status(), StatusCode::OK);

    // Revoking a refresh token ends its grant.
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let (_, t) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    let refresh = t["refresh_token"].as_str().unwrap();
    let intro: Value = rp
        .post(&at(&app, "/introspect"), &[("token", refresh), ("token_type_hint", "refresh_token")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(intro["active"], true);
    rp.post(&at(&app, "/revoke"), &[("token", refresh), ("token_type_hint", "refresh_token")]).await;
    assert_eq!(userinfo_status(&app, t["access_token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

/// Issue 11 (7): each rotation gets the sliding lifetime, but no refresh token outlives the
/// grant's absolute one (counted from the code's redemption), however regularly it is used.
async fn refresh_tokens_end_at_the_grants_absolute_lifetime(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(
        scratch,
        &[
            ("LANYARD_REFRESH_TOKEN_TTL_SECS", "1000".into()),
            ("LANYARD_REFRESH_TOKEN_ABSOLUTE_TTL_SECS", "2500".into()),
        ],
    )
    .await;
    let rp = setup(&app).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let (_, first) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    let mut refresh = first["refresh_token"].as_str().unwrap().to_string();
    for step in [900, 900, 699] {
        app.clock.advance(step);
        let (status, next) = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
        assert_eq!(status, StatusCode::OK, "{next}");
        refresh = next["refresh_token"].as_str().unwrap().to_string();
    }
    // 2 499 s after the grant: the last token got 1 s, not another 1 000.
    app.clock.advance(2);
    let (status, after) = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!((status, after["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{after}");
    app.stop().await;
}

/// Issue 11 (10): introspection is for confidential clients, as discovery says; a public client
/// (which proves nothing by naming itself) is invalid_client.
async fn public_clients_cannot_introspect(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let spa = super::rp::register(&app, "spa", super::rp::metadata(true), &["ACME"]).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let (_, t) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    let access = t["access_token"].as_str().unwrap();
    let res = reqwest::Client::new()
        .post(at(&app, "/introspect"))
        .form(&[("client_id", "spa"), ("token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    let _ = spa;
    let ok: Value = rp.post(&at(&app, "/introspect"), &[("token", access)]).await.json().await.unwrap();
    assert_eq!(ok["active"], true, "the confidential client still can");
    app.stop().await;
}

/// Codes and tokens begin with the millisecond they were made and are kept under their SHA-256 —
/// never the token itself; on SQLite the key begins with that millisecond too, so new keys land
/// at the end of the index (issue 15), while on Redis it stays the plain hash (a node of the
/// previous release finds it during a rolling upgrade). A token of the shape before that, kept
/// under its plain hash, still works after an upgrade.
async fn tokens_are_kept_under_ordered_hashed_keys(backend: Backend) {
    use lanyard::secret::{random_token, token_hash, token_order};
    use lanyard::store::{Ephemeral, Store};
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    assert!(token_order(&code).is_some(), "{code}");
    let (status, tokens) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    assert_eq!(status, StatusCode::OK);
    let (access, refresh) = (tokens["access_token"].as_str().unwrap(), tokens["refresh_token"].as_str().unwrap());
    let config = app.scratch.config(&[]);
    let store = Store::connect(config.database_url.expose(), 1).await.unwrap();
    let clock = lanyard::clock::Clock::manual(crate::support::T0).0;
    let eph = match &config.redis_url {
        Some(url) => Ephemeral::redis(url.expose(), &config.redis_prefix, clock).await.unwrap(),
        None => Ephemeral::sql(store.clone(), clock),
    };
    for (namespace, token) in [("at", access), ("rt", refresh)] {
        let order = token_order(token).expect("an ordered token");
        let key = eph.token_key(namespace, token);
        let expected = match eph.backend_name() {
            "redis" => format!("{namespace}:{}", token_hash(token)),
            _ => format!("{namespace}:{order}{}", token_hash(token)),
        };
        assert_eq!(key, expected);
        let kept = eph.get(&key).await.unwrap().expect("kept under the ordered key");
        let secret_part = token.split_once('.').unwrap().1;
        assert!(!kept.contains(token) && !kept.contains(secret_part) && !key.contains(secret_part));
        if eph.backend_name() != "redis" {
            assert_eq!(eph.get(&Ephemeral::secret_key(namespace, token)).await.unwrap(), None);
        }
    }
    // Upgrade: an access token of the old shape (43 characters, no order), kept as it was kept
    // before — under its plain hash — still works, and an ordered lookup of it finds it.
    let old = random_token();
    assert_eq!(eph.token_key("at", &old), Ephemeral::secret_key("at", &old));
    let access_record = eph.get(&eph.token_key("at", access)).await.unwrap().unwrap();
    eph.put(&Ephemeral::secret_key("at", &old), &access_record, 600).await.unwrap();
    assert_eq!(userinfo_status(&app, &old).await, StatusCode::OK);
    assert_eq!(userinfo_status(&app, access).await, StatusCode::OK);
    store.close().await.unwrap();
    app.stop().await;
}

backend_tests! {
    token_ordered_keys => tokens_are_kept_under_ordered_hashed_keys,
    token_refresh_absolute => refresh_tokens_end_at_the_grants_absolute_lifetime,
    introspect_public_refused => public_clients_cannot_introspect,
}

backend_tests! {
    token_code_reuse => code_reuse_fails_and_revokes_the_first_tokens,
    token_code_expiry => codes_expire_after_60_seconds,
    token_code_binding => codes_are_bound_to_client_redirect_uri_and_pkce,
    token_invalid_client => client_authentication_failures_are_401_with_a_challenge,
    token_unsupported => unsupported_grants_and_duplicates_are_refused,
    token_refresh_rotation => refresh_tokens_rotate_and_a_replay_revokes_the_family,
    token_refresh_binding => refresh_tokens_are_bound_to_their_client,
    token_refresh_locked => locked_users_cannot_refresh,
    token_cc_introspect_revoke => client_credentials_introspection_and_revocation,
}

async fn cors_allows_registered_origins_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let client = reqwest::Client::new();
    let pre = client
        .request(reqwest::Method::OPTIONS, at(&app, "/token"))
        .header("origin", "http://localhost:4000")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), StatusCode::NO_CONTENT);
    assert_eq!(pre.headers()["access-control-allow-origin"], "http://localhost:4000");
    let res = client.get(at(&app, "/userinfo")).header("origin", "https://evil.example").send().await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let res = client.get(at(&app, "/jwks")).header("origin", "https://anyone.example").send().await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "*", "public documents are open");
    app.stop().await;
}

backend_tests! {
    cors => cors_allows_registered_origins_only,
}

async fn rfc9068_jwt_access_tokens_on_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let mut meta = super::rp::metadata(false);
    meta.access_token_format = lanyard::domain::application::AccessTokenFormat::Jwt;
    let rp = super::rp::register(&app, "api-client", meta, &["ACME"]).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let (_, t) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    let access = t["access_token"].as_str().unwrap();
    let claims = lanyard::oidc::jwt::verify(&app.state.oidc.ring, access).expect("a JWT signed by Lanyard");
    assert_eq!(claims["client_id"], "api-client");
    assert_eq!(claims["iss"], super::rp::issuer(&app));
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, access.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(userinfo_status(&app, access).await, StatusCode::OK);
    rp.post(&at(&app, "/revoke"), &[("token", access)]).await;
    assert_eq!(userinfo_status(&app, access).await, StatusCode::UNAUTHORIZED, "revocable like opaque tokens");
    app.stop().await;
}

backend_tests! {
    jwt_access_tokens => rfc9068_jwt_access_tokens_on_request,
}

/// RFC 6749 §4.1.3: the token request repeats redirect_uri exactly as the client sent it, even
/// when a URL parser would normalise it (here: no path).
async fn redirect_uris_are_compared_as_sent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let mut meta = super::rp::metadata(false);
    meta.redirect_uris = vec!["http://localhost:4000".into()];
    let rp = super::rp::register(&app, "bare", meta, &["ACME"]).await;
    let browser = app.browser();
    let start = format!(
        "{}?client_id=bare&redirect_uri=http%3A%2F%2Flocalhost%3A4000&response_type=code&scope=openid&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        at(&app, "/authorize")
    );
    let res = browser.get(start).send().await.unwrap();
    let login = at(&app, res.headers()["location"].to_str().unwrap());
    let page = browser.get(&login).send().await.unwrap().text().await.unwrap();
    let auth = login.split("auth=").nth(1).unwrap().to_string();
    let res = browser
        .post(at(&app, "/login"))
        .form(&[
            ("csrf", crate::support::csrf_of(&page).as_str()),
            ("auth", &auth),
            ("login_name", "alice"),
            ("password", crate::support::PASSWORD),
            ("provider_code", "ACME"),
        ])
        .send()
        .await
        .unwrap();
    let res = browser.get(at(&app, res.headers()["location"].to_str().unwrap())).send().await.unwrap();
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let code = location.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let (status, body) = token(
        &app,
        &rp,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://localhost:4000"),
            ("code_verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.stop().await;
}

backend_tests! {
    redirect_uri_as_sent => redirect_uris_are_compared_as_sent,
}

/// Clients are cached per process for a few seconds; a rotation here takes effect at once.
async fn rotated_secrets_take_effect_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (status, _) = token(&app, &rp, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::OK, "warms the cache");
    let new = app.state.accounts.admin(crate::support::operator()).rotate_client_secret("app").await.unwrap();
    let (status, body) = token(&app, &rp, &[("grant_type", "client_credentials")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")), "the old secret");
    let res = reqwest::Client::new()
        .post(at(&app, "/token"))
        .basic_auth("app", Some(new.expose()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the new secret");
    app.stop().await;
}

backend_tests! {
    rotated_secrets => rotated_secrets_take_effect_at_once,
}
