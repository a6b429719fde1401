//! Issue 11: property tests for everything that reads a stranger's input — the OAuth-parameter
//! and page extractors (through the real router: never a 5xx), redirect-URI matching (never a
//! URI that differs from the registered one), `id_token_hint` parsing, the password policy and
//! login-name normalisation. (Logout-token parsing is a unit test in
//! `src/demo_apps/logout_token.rs`.)
//!
//! `cargo test` runs `QUICK` cases per target; the `#[ignore]`d `*_deep` twins run `DEEP`
//! (`cargo test --test it -- --ignored properties::`). proptest keeps the seed of any failure
//! under `tests/it/proptest-regressions/` and replays it first on every later run: commit those
//! files.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request};
use lanyard::domain::application::{AccessTokenFormat, Client, ClientMetadata, TokenEndpointAuthMethod};
use lanyard::domain::policy::PasswordPolicy;
use lanyard::domain::user::LoginName;
use lanyard::http::OAuthParams;
use lanyard::oidc::redirect::VerifiedRedirect;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use tower::ServiceExt;

use crate::support::{Backend, Scratch};

const QUICK: u32 = 1_000;
const DEEP: u32 = 100_000;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..Config::default()
    }
}

/// Text that looks like what a client might send: mostly printable, with the characters that
/// matter to a URL, a form or a JWT, and now and then anything at all.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(
            prop_oneof![
                Just('='),
                Just('&'),
                Just('%'),
                Just('+'),
                Just('.'),
                Just('/'),
                Just(':'),
                Just('#'),
                Just('?'),
                Just('\0'),
                Just('\u{202e}'),
                any::<char>(),
                proptest::char::range('a', 'z'),
            ],
            0..200
        )
        .prop_map(|v| v.into_iter().collect()),
        "[a-z_]{1,20}=[ -~]{0,100}(&[a-z_]{1,20}=[ -~]{0,100}){0,8}",
    ]
}

// ----- OAuth parameters -----

fn oauth_params_never_panic(cases: u32) {
    proptest!(config(cases), |(bytes in proptest::collection::vec(any::<u8>(), 0..600), text in hostile_text())| {
        for input in [bytes.as_slice(), text.as_bytes()] {
            if let Ok(p) = OAuthParams::parse(input) {
                for (k, v) in p.iter() {
                    prop_assert!(k.len() <= 64 && v.len() <= lanyard::http::params::max_len(k));
                }
            }
        }
    });
}

#[test]
fn oauth_params() {
    oauth_params_never_panic(QUICK);
}

#[test]
#[ignore = "deep: 100 000 cases"]
fn oauth_params_deep() {
    oauth_params_never_panic(DEEP);
}

// ----- The router: extractors at the endpoints never answer 5xx -----

struct Router {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
}

/// One application for every case (building one per case would measure SQLite, not parsing).
fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let router = rt.block_on(async {
            // The scratch directory lives as long as the test process.
            let scratch = Box::leak(Box::new(Scratch::new(&Backend::Sqlite).await));
            let config = scratch.config(&[("LANYARD_ISSUER", "http://localhost:8080".into())]);
            let state = lanyard::app::AppState::build(config, lanyard::clock::Clock::system()).await.unwrap();
            state.accounts.admin(crate::support::operator()).create_tenant("ACME", "Acme").await.unwrap();
            let meta = crate::oidc::rp::metadata(false);
            state
                .accounts
                .admin(crate::support::operator())
                .create_client(Some("app"), "App", &meta, &["ACME".to_string()])
                .await
                .unwrap();
            lanyard::app::build_router(state)
        });
        Router { rt, router }
    })
}

fn status_of(method: Method, path: &str, query: &str, body: &str) -> u16 {
    let r = router();
    let uri = if query.is_empty() { path.to_string() } else { format!("{path}?{query}") };
    let Ok(req) = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
    else {
        // Not even a request line hyper would accept: nothing reaches a handler.
        return 400;
    };
    r.rt.block_on(r.router.clone().oneshot(req)).map(|res| res.status().as_u16()).unwrap_or(500)
}

fn url_encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn endpoints_never_answer_5xx(cases: u32) {
    let gets = ["/authorize", "/end-session", "/login", "/authorize/resume", "/unified-login/start", "/userinfo"];
    let posts = ["/authorize", "/token", "/introspect", "/revoke", "/end-session", "/login", "/password/reset"];
    proptest!(config(cases), |(raw in hostile_text(), value in hostile_text(), which in 0usize..13)| {
        // Both as sent (possibly malformed) and as a well-formed parameter with a hostile value.
        let shaped = format!("client_id=app&redirect_uri=http%3A%2F%2Flocalhost%3A4000%2Fcallback&response_type=code&scope=openid&state={}&auth={}", url_encoded(&value), url_encoded(&value));
        for input in [raw.as_str(), shaped.as_str()] {
            let status = if which < gets.len() {
                status_of(Method::GET, gets[which], &url_encoded_query(input), "")
            } else {
                status_of(Method::POST, posts[which - gets.len()], "", input)
            };
            prop_assert!(status < 500, "{which} {input:?}: {status}");
        }
    });
}

/// A query string as a client could send it: reserved characters kept, the rest encoded.
fn url_encoded_query(input: &str) -> String {
    input
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "=&%+._-~".contains(c) {
                c.to_string()
            } else {
                url_encoded(&c.to_string())
            }
        })
        .collect()
}

#[test]
fn endpoints() {
    endpoints_never_answer_5xx(QUICK / 4);
}

#[test]
#[ignore = "deep: 100 000 cases"]
fn endpoints_deep() {
    endpoints_never_answer_5xx(DEEP);
}

// ----- Redirect URIs -----

fn client_with(registered: &[String]) -> Client {
    Client {
        client_id: "app".into(),
        name: "App".into(),
        metadata: ClientMetadata {
            redirect_uris: registered.to_vec(),
            token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
            jwks: None,
            jwks_uri: None,
            access_token_format: AccessTokenFormat::Opaque,
            ..crate::oidc::rp::metadata(false)
        },
        tenants: vec![],
        secret_hash: None,
        created_at: 0,
    }
}

fn registered_uri() -> impl Strategy<Value = String> {
    (
        "(https|http)",
        "[a-z]{1,10}(\\.[a-z]{2,5}){0,2}",
        proptest::option::of(1u16..65535),
        "(/[a-zA-Z0-9._~-]{0,8}){0,3}",
    )
        .prop_map(|(scheme, host, port, path)| match port {
            Some(p) => format!("{scheme}://{host}:{p}{path}"),
            None => format!("{scheme}://{host}{path}"),
        })
}

/// A near miss: the registered URI with one edit (a character inserted, removed or changed,
/// a case changed, a suffix, a trailing slash, percent-encoding, a query or fragment).
fn mutated(uri: String) -> impl Strategy<Value = (String, String)> {
    let len = uri.len();
    (Just(uri), 0..=len, any::<char>(), 0u8..8).prop_map(|(uri, at, c, how)| {
        let mut m = uri.clone();
        let at = (0..=at).rev().find(|i| m.is_char_boundary(*i)).unwrap_or(0);
        match how {
            0 => m.insert(at, c),
            1 if at < m.len() => {
                m.remove(at);
            }
            2 => m = m.to_uppercase(),
            3 => m.push('/'),
            4 => m.push_str("?x=1"),
            5 => m.push_str("#f"),
            6 => m = m.replacen('/', "%2F", 1),
            _ => m.push_str(".evil.example"),
        }
        (uri, m)
    })
}

fn redirects_match_exactly(cases: u32) {
    proptest!(config(cases), |((registered, candidate) in registered_uri().prop_flat_map(mutated), other in hostile_text())| {
        let client = client_with(std::slice::from_ref(&registered));
        let issuer = "http://localhost:8080";
        prop_assert!(VerifiedRedirect::verify(&client, &registered, None, issuer).is_some() || url::Url::parse(&registered).is_err());
        for asked in [candidate.as_str(), other.as_str()] {
            if VerifiedRedirect::verify(&client, asked, None, issuer).is_some() {
                prop_assert_eq!(asked, registered.as_str());
            }
        }
    });
}

#[test]
fn redirect_uris() {
    redirects_match_exactly(QUICK * 5);
}

#[test]
#[ignore = "deep: 100 000 cases"]
fn redirect_uris_deep() {
    redirects_match_exactly(DEEP);
}

// ----- id_token_hint -----

struct Ring {
    ring: lanyard::oidc::key_ring::KeyRing,
    real: String,
}

fn ring() -> &'static Ring {
    static RING: OnceLock<Ring> = OnceLock::new();
    RING.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let store = lanyard::store::Store::connect("sqlite::memory:", 1).await.unwrap();
            store.migrate().await.unwrap();
            let sealer = lanyard::secret::Sealer::new(&"k".repeat(40));
            let ring =
                lanyard::oidc::key_ring::KeyRing::load(store, sealer, lanyard::clock::Clock::system()).await.unwrap();
            let signer = ring.signer(lanyard::oidc::keys::Alg::RS256).unwrap();
            let claims = serde_json::json!({ "iss": "http://localhost:8080", "sub": "s", "aud": "app" });
            let real = lanyard::oidc::jwt::sign(&signer, "JWT", &claims).unwrap();
            Ring { ring, real }
        })
    })
}

fn hints_never_panic_and_only_ours_verify(cases: u32) {
    let r = ring();
    let issuer = "http://localhost:8080";
    assert!(lanyard::oidc::jwt::verify_id_token(&r.ring, issuer, &r.real).is_some(), "control");
    let parts: Vec<String> = r.real.split('.').map(String::from).collect();
    proptest!(config(cases), |(junk in hostile_text(), which in 0usize..3, at in 0usize..2000, c in any::<char>())| {
        prop_assert!(lanyard::oidc::jwt::verify_id_token(&r.ring, issuer, &junk).is_none());
        // One part of the real token changed in one place: never valid.
        let mut p = parts.clone();
        let part = &mut p[which];
        let at = at % (part.len() + 1);
        part.insert(at, c);
        let forged = p.join(".");
        if forged != r.real {
            prop_assert!(lanyard::oidc::jwt::verify_id_token(&r.ring, issuer, &forged).is_none(), "{forged}");
        }
    });
}

#[test]
fn id_token_hints() {
    hints_never_panic_and_only_ours_verify(QUICK);
}

#[test]
#[ignore = "deep: 100 000 cases"]
fn id_token_hints_deep() {
    hints_never_panic_and_only_ours_verify(DEEP);
}

// ----- Password policy and login names -----

fn policy_and_names_never_panic(cases: u32) {
    let policy = PasswordPolicy::default();
    proptest!(config(cases), |(password in hostile_text(), login in hostile_text())| {
        let _ = policy.violations(&password, &login);
        let folded = LoginName::fold(&login);
        prop_assert_eq!(LoginName::fold(&folded), folded.clone(), "folding is idempotent");
        if let Ok(name) = LoginName::parse(&login) {
            prop_assert_eq!(name.key(), folded.as_str());
            prop_assert!(!name.as_str().is_empty() && name.as_str().chars().count() <= 128);
            prop_assert!(!name.as_str().chars().any(char::is_control));
        }
    });
}

#[test]
fn policy_and_names() {
    policy_and_names_never_panic(QUICK);
}

#[test]
#[ignore = "deep: 100 000 cases"]
fn policy_and_names_deep() {
    policy_and_names_never_panic(DEEP);
}
