//! The authorization code flow end to end, and what the tokens say.

use openidconnect::OAuth2TokenResponse;
use reqwest::StatusCode;

use super::rp::{at, code_for_alice, issuer, setup};
use crate::backend_tests;
use crate::support::{AsLanyard, Backend, TestApp};

async fn discovery_is_complete_and_consistent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = reqwest::get(at(&app, "/.well-known/openid-configuration")).await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let doc: serde_json::Value = res.json().await.unwrap();
    assert_eq!(doc["issuer"], issuer(&app));
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
    ] {
        assert!(doc[endpoint].as_str().unwrap().starts_with(&issuer(&app)), "{endpoint}");
    }
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(doc["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    let algs = doc["id_token_signing_alg_values_supported"].as_array().unwrap();
    assert!(algs.contains(&"RS256".into()) && !algs.contains(&"none".into()));

    let jwks: serde_json::Value = reqwest::get(at(&app, "/jwks")).await.unwrap().json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 3);
    for k in keys {
        assert!(k.get("d").is_none() && k.get("p").is_none(), "no private parts: {k}");
        assert_eq!(k["kid"].as_str().unwrap().len(), 43, "RFC 7638 thumbprint");
    }
    app.stop().await;
}

async fn code_flow_issues_verified_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let browser = app.browser();
    let (code, req) = code_for_alice(&app, &rp, &browser).await;
    let tokens = rp.exchange(&code, req.verifier).await;
    let claims = rp.claims(&tokens, &req.nonce);
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(claims.subject().as_str(), alice.subject, "sub is the stable subject, not the login name");
    assert_ne!(claims.subject().as_str(), "alice");
    assert_eq!(claims.issuer().as_str(), issuer(&app));
    assert_eq!(claims.audiences()[0].as_str(), "app");
    assert_eq!(claims.authorized_party().unwrap().as_str(), "app");
    assert!(claims.auth_time().is_some());
    // OIDC Core §5.4: with an access token, the profile claims come from userinfo.
    assert!(claims.preferred_username().is_none());
    // L7: the sign-in is recorded against the application it was for.
    let (tenant, _) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    let activity = app.state.accounts.lanyard().activity(&tenant, Some(&alice), None, 5).await.unwrap();
    let sign_in = activity.iter().find(|e| e.kind == "sign_in").unwrap();
    assert_eq!(sign_in.client_id.as_deref(), Some("app"));
    assert!(tokens.refresh_token().is_some());
    assert_eq!(tokens.token_type().as_ref(), "bearer");

    // The raw token carries Lanyard's own claims and the session id.
    let raw = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    let payload = raw.split('.').nth(1).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&base64_url(payload)).unwrap();
    assert_eq!(payload["provider_code"], "ACME");
    assert_eq!(payload["user_type"], "regular");
    assert_eq!(payload["amr"], serde_json::json!(["pwd"]));
    assert!(payload["sid"].as_str().unwrap().len() >= 20);

    // Userinfo answers for the same subject, by header and by form body.
    let access = tokens.access_token().secret().clone();
    let info: serde_json::Value = reqwest::Client::new()
        .get(at(&app, "/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], alice.subject);
    assert_eq!(info["provider_code"], "ACME");
    assert_eq!(info["preferred_username"], "alice");
    let res = reqwest::Client::new()
        .post(at(&app, "/userinfo"))
        .form(&[("access_token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.stop().await;
}

fn base64_url(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

async fn token_responses_are_never_cached(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let res = rp
        .post(
            &at(&app, "/token"),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", super::rp::REDIRECT),
                ("code_verifier", req.verifier.secret()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    app.stop().await;
}

async fn es256_clients_get_es256_id_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let mut meta = super::rp::metadata(false);
    meta.id_token_signed_response_alg = "ES256".into();
    let rp = super::rp::register(&app, "fast", meta, &["ACME"]).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let tokens = rp.exchange(&code, req.verifier).await;
    let id_token = openidconnect::TokenResponse::id_token(&tokens).unwrap();
    assert_eq!(*id_token.signing_alg().unwrap(), openidconnect::core::CoreJwsSigningAlgorithm::EcdsaP256Sha256);
    rp.claims(&tokens, &req.nonce);
    app.stop().await;
}

async fn rotated_keys_publish_first_and_sign_after_the_grace(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ring = &app.state.oidc.ring;
    let old = ring.signer(lanyard::oidc::keys::Alg::RS256).unwrap().kid.clone();
    let added = ring.rotate(lanyard::oidc::keys::Alg::RS256, 600, 3600).await.unwrap();
    let jwks: serde_json::Value = serde_json::from_slice(&ring.jwks()).unwrap();
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(kids.contains(&old.as_str()) && kids.contains(&added.kid.as_str()));
    assert_eq!(ring.signer(lanyard::oidc::keys::Alg::RS256).unwrap().kid, old, "still the old key during the grace");
    app.clock.advance(600);
    assert_eq!(ring.signer(lanyard::oidc::keys::Alg::RS256).unwrap().kid, added.kid);
    app.clock.advance(3600);
    ring.reload().await.unwrap();
    let jwks: serde_json::Value = serde_json::from_slice(&ring.jwks()).unwrap();
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(!kids.contains(&old.as_str()), "retired after the longest token lifetime");
    app.stop().await;
}

/// Issue 29: keys are replaced on schedule, once across nodes racing to do it.
async fn keys_rotate_on_schedule_once_across_nodes(backend: Backend) {
    use lanyard::oidc::keys::Alg;
    let first = TestApp::spawn(backend).await;
    let second = TestApp::spawn_on(first.scratch.share(), &[]).await;
    let old = first.state.oidc.ring.signer(Alg::ES256).unwrap().kid.clone();
    let (period, grace, longest) = (90 * 86_400, 600, 3600);
    // Not yet due: nothing happens; then 90 days on, both nodes find it due at once.
    assert!(first.state.oidc.ring.rotate_due(period, grace, longest).await.unwrap().is_empty());
    first.clock.advance(period);
    second.clock.advance(period);
    let (a, b) = tokio::join!(
        first.state.oidc.ring.rotate_due(period, grace, longest),
        second.state.oidc.ring.rotate_due(period, grace, longest)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    for alg in Alg::ALL {
        let won = a.iter().chain(&b).filter(|k| k.alg == alg.as_str()).count();
        assert_eq!(won, 1, "{alg:?}: exactly one node rotates");
    }
    for node in [&first, &second] {
        node.state.oidc.ring.reload().await.unwrap();
        let keys = node.state.oidc.ring.list().await.unwrap();
        assert_eq!(keys.iter().filter(|k| k.alg == "ES256").count(), 2, "the old key and one new one");
        assert_eq!(node.state.oidc.ring.signer(Alg::ES256).unwrap().kid, old, "the old key signs during the grace");
    }
    // After the grace the new key signs everywhere; after the longest token life the old is gone.
    first.clock.advance(grace);
    second.clock.advance(grace);
    let new = first.state.oidc.ring.signer(Alg::ES256).unwrap().kid.clone();
    assert_ne!(new, old);
    assert_eq!(second.state.oidc.ring.signer(Alg::ES256).unwrap().kid, new);
    first.clock.advance(longest);
    first.state.oidc.ring.reload().await.unwrap();
    let jwks: serde_json::Value = serde_json::from_slice(&first.state.oidc.ring.jwks()).unwrap();
    assert!(!jwks.to_string().contains(&old), "retired once its tokens have expired");
    // Manual rotation only: nothing is ever due.
    first.clock.advance(10 * period);
    assert!(first.state.oidc.ring.rotate_due(0, grace, longest).await.unwrap().is_empty());
    second.stop().await;
    first.stop().await;
}

backend_tests! {
    oidc_scheduled_key_rotation => keys_rotate_on_schedule_once_across_nodes,
    oidc_discovery => discovery_is_complete_and_consistent,
    oidc_code_flow => code_flow_issues_verified_tokens,
    oidc_token_no_store => token_responses_are_never_cached,
    oidc_es256 => es256_clients_get_es256_id_tokens,
    oidc_key_rotation => rotated_keys_publish_first_and_sign_after_the_grace,
}
