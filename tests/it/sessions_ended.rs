//! L6: which sign-outs tell applications. Every way of ending all of a user's sessions on
//! purpose (L3 lock, S2 Settings lock, admin lock, A1 reset) ends their access tokens and sends
//! back-channel logout to every application that had tokens; an application's own sign-out, or
//! Lanyard's sign-out page, tells no other application.

use std::sync::Arc;
use std::time::Duration;

use lanyard::accounts::admin::StatusChange;
use reqwest::StatusCode;
use tokio::sync::Mutex;

use crate::backend_tests;
use crate::oidc::logout::capture_server;
use crate::oidc::rp::{self, LOGOUT_REDIRECT, Rp, at, code_for_alice};
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, csrf_of, sign_in};

type Seen = Arc<Mutex<Vec<String>>>;

/// An application that registered a back-channel logout URI, and what reached it.
struct Listening {
    rp: Rp,
    seen: Seen,
}

async fn listening(app: &TestApp, id: &str) -> Listening {
    let (uri, seen) = capture_server().await;
    let mut meta = rp::metadata(false);
    meta.backchannel_logout_uri = Some(uri);
    Listening { rp: rp::register(app, id, meta, &["ACME"]).await, seen }
}

/// Alice signs in at `a`, then opens `b` from the same Lanyard session. Returns both token
/// responses.
async fn signed_in_to_both(
    app: &TestApp,
    browser: &reqwest::Client,
    a: &Rp,
    b: &Rp,
) -> (openidconnect::core::CoreTokenResponse, openidconnect::core::CoreTokenResponse) {
    let (code, req) = code_for_alice(app, a, browser).await;
    let ta = a.exchange(&code, req.verifier).await;
    let (code, req) = code_for_alice(app, b, browser).await;
    let tb = b.exchange(&code, req.verifier).await;
    (ta, tb)
}

fn access(tokens: &openidconnect::core::CoreTokenResponse) -> String {
    openidconnect::OAuth2TokenResponse::access_token(tokens).secret().clone()
}

fn id_token(tokens: &openidconnect::core::CoreTokenResponse) -> String {
    openidconnect::TokenResponse::id_token(tokens).unwrap().to_string()
}

async fn userinfo_status(app: &TestApp, token: &str) -> StatusCode {
    reqwest::Client::new().get(at(app, "/userinfo")).bearer_auth(token).send().await.unwrap().status()
}

/// Waits (bounded) until `seen` holds `n` logout tokens; returns their claims.
async fn logout_tokens(app: &TestApp, seen: &Seen, n: usize) -> Vec<serde_json::Value> {
    for _ in 0..200 {
        if seen.lock().await.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let bodies = seen.lock().await.clone();
    assert_eq!(bodies.len(), n, "logout tokens received: {bodies:?}");
    bodies
        .iter()
        .map(|b| {
            let token = b.strip_prefix("logout_token=").expect("form-encoded logout_token");
            lanyard::oidc::jwt::verify(&app.state.oidc.ring, token).expect("signed by Lanyard")
        })
        .collect()
}

fn sid_of(app: &TestApp, tokens: &openidconnect::core::CoreTokenResponse) -> serde_json::Value {
    lanyard::oidc::jwt::verify(&app.state.oidc.ring, &id_token(tokens)).unwrap()["sid"].clone()
}

/// Both applications had tokens in one session; `end` ends all of alice's sessions some way.
/// Both hear of it, for that session, and their access tokens stop working.
async fn all_sessions_end(backend: Backend, end: impl AsyncFnOnce(&TestApp)) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let (a, b) = (listening(&app, "records").await, listening(&app, "connect").await);
    let browser = app.browser();
    let (ta, tb) = signed_in_to_both(&app, &browser, &a.rp, &b.rp).await;
    assert_eq!(userinfo_status(&app, &access(&ta)).await, StatusCode::OK);
    end(&app).await;
    for (l, tokens) in [(&a, &ta), (&b, &tb)] {
        let claims = logout_tokens(&app, &l.seen, 1).await;
        assert_eq!(claims[0]["aud"], l.rp.client_id.as_str());
        assert_eq!(claims[0]["sid"], sid_of(&app, tokens), "the session that ended");
        assert_eq!(userinfo_status(&app, &access(tokens)).await, StatusCode::UNAUTHORIZED, "tokens end too");
    }
    let res = browser.get(at(&app, "/account")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the Lanyard session ended");
    app.stop().await;
}

async fn l3_lock_ends_sessions_and_tells_applications(backend: Backend) {
    all_sessions_end(backend, async |app: &TestApp| {
        for wrong in ["Wrong-1!aa", "Wrong-2!aa", "Wrong-3!aa"] {
            sign_in(app, &app.browser(), "alice", wrong, "ACME").await;
        }
        let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
        assert!(alice.status.is_locked());
    })
    .await;
}

async fn admin_lock_ends_sessions_and_tells_applications(backend: Backend) {
    all_sessions_end(backend, async |app: &TestApp| {
        app.state
            .accounts
            .admin(crate::support::operator())
            .change_status("ACME", "alice", StatusChange::AdminLock)
            .await
            .unwrap();
    })
    .await;
}

/// A1: an administrator's reset to a temporary password.
async fn a1_reset_ends_sessions_and_tells_applications(backend: Backend) {
    all_sessions_end(backend, async |app: &TestApp| {
        let temporary = lanyard::secret::Secret::new("Temporary-Pass1");
        app.state
            .accounts
            .admin(crate::support::operator())
            .set_password("ACME", "alice", &temporary, true)
            .await
            .unwrap();
    })
    .await;
}

/// S2: wrong current passwords at Settings count towards L3; the lock they cause ends every
/// session like any other lock.
async fn settings_lock_ends_sessions_and_tells_applications(backend: Backend) {
    all_sessions_end(backend, async |app: &TestApp| {
        let changes = lanyard::domain::tenant::TenantChanges { self_reset_enabled: Some(true), ..Default::default() };
        app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
        app.state.accounts.admin(crate::support::operator()).set_user_self_reset("ACME", "alice", true).await.unwrap();
        let settings = app.browser();
        sign_in(app, &settings, "alice", PASSWORD, "ACME").await;
        for wrong in ["Wrong-1!aa", "Wrong-2!aa", "Wrong-3!aa"] {
            let page = settings.get(app.url("/settings")).send().await.unwrap().text().await.unwrap();
            let csrf = csrf_of(&page);
            let form = [("csrf", csrf.as_str()), ("step", "verify"), ("current_password", wrong)];
            settings.post(app.url("/settings")).form(&form).send().await.unwrap();
        }
        let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
        assert!(alice.status.is_locked());
    })
    .await;
}

/// L6, U4 (issue: what sign-out ends): A's RP-initiated logout ends the Lanyard session and A's
/// own session only; B is not told and stays signed in; Lanyard asks for the password again at
/// A. A reset of the same user then signs both out.
async fn l6_one_applications_sign_out_tells_no_other(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let (a, b) = (listening(&app, "records").await, listening(&app, "connect").await);
    let browser = app.browser();
    let (ta, tb) = signed_in_to_both(&app, &browser, &a.rp, &b.rp).await;

    let mut url = url::Url::parse(&at(&app, "/end-session")).unwrap();
    url.query_pairs_mut()
        .append_pair("id_token_hint", &id_token(&ta))
        .append_pair("post_logout_redirect_uri", LOGOUT_REDIRECT);
    let res = browser.get(url.as_str()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A, which asked, may hear of its own session's end (Back-Channel Logout §2.7)...
    let claims = logout_tokens(&app, &a.seen, 1).await;
    assert_eq!(claims[0]["aud"], "records");
    // ...B hears nothing and its tokens still work.
    assert!(b.seen.lock().await.is_empty(), "B was told of A's sign-out");
    assert_eq!(userinfo_status(&app, &access(&tb)).await, StatusCode::OK, "B stays signed in (L6)");
    // Lanyard's session is gone: A's next request asks for the password.
    let res = browser.get(a.rp.request(&[]).url.as_str()).send().await.unwrap();
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login?auth="));

    // A reset of the same user signs both out: A's new session, and B's, which still stands on
    // the Lanyard session A ended.
    a.seen.lock().await.clear();
    let (code, req) = code_for_alice(&app, &a.rp, &browser).await;
    let ta2 = a.rp.exchange(&code, req.verifier).await;
    let temporary = lanyard::secret::Secret::new("Temporary-Pass1");
    app.state.accounts.admin(crate::support::operator()).set_password("ACME", "alice", &temporary, true).await.unwrap();
    let to_b = logout_tokens(&app, &b.seen, 1).await;
    assert_eq!(to_b[0]["sid"], sid_of(&app, &tb), "B's own session ends");
    let to_a = logout_tokens(&app, &a.seen, 2).await;
    assert!(to_a.iter().any(|c| c["sid"] == sid_of(&app, &ta2)), "A's new session ends");
    assert_eq!(userinfo_status(&app, &access(&tb)).await, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

/// L6: Lanyard's own sign-out page ends the Lanyard session and tells no application at the
/// time; the applications stay remembered, so a later lock of the user still reaches them.
async fn l6_lanyards_sign_out_page_tells_no_application(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    app.user("ACME", "bob").await;
    let (a, b) = (listening(&app, "records").await, listening(&app, "connect").await);
    let browser = app.browser();
    let (ta, tb) = signed_in_to_both(&app, &browser, &a.rp, &b.rp).await;
    let page = browser.get(at(&app, "/account")).send().await.unwrap().text().await.unwrap();
    browser.post(at(&app, "/logout")).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    assert_eq!(userinfo_status(&app, &access(&ta)).await, StatusCode::OK, "A's own session stands (L6)");

    // Bob's lock tells C: the notifier has run past alice's sign-out, which told nobody.
    let c = listening(&app, "other").await;
    let bobs = app.browser();
    let req = c.rp.request(&[]);
    let res = rp::browse(&app, &bobs, req.url.as_str(), Some(("bob", PASSWORD))).await;
    let code = rp::param(&rp::callback(&res), "code").unwrap().to_string();
    c.rp.exchange(&code, req.verifier).await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .change_status("ACME", "bob", StatusChange::AdminLock)
        .await
        .unwrap();
    logout_tokens(&app, &c.seen, 1).await;
    assert!(a.seen.lock().await.is_empty() && b.seen.lock().await.is_empty(), "an application was told");

    // Alice's lock later reaches both applications' sessions.
    app.state
        .accounts
        .admin(crate::support::operator())
        .change_status("ACME", "alice", StatusChange::AdminLock)
        .await
        .unwrap();
    assert_eq!(logout_tokens(&app, &a.seen, 1).await[0]["sid"], sid_of(&app, &ta));
    assert_eq!(logout_tokens(&app, &b.seen, 1).await[0]["sid"], sid_of(&app, &tb));
    app.stop().await;
}

backend_tests! {
    l3_lock_tells_applications => l3_lock_ends_sessions_and_tells_applications,
    admin_lock_tells_applications => admin_lock_ends_sessions_and_tells_applications,
    a1_reset_tells_applications => a1_reset_ends_sessions_and_tells_applications,
    settings_lock_tells_applications => settings_lock_ends_sessions_and_tells_applications,
    l6_rp_sign_out_tells_no_other => l6_one_applications_sign_out_tells_no_other,
    l6_sign_out_page_tells_no_one => l6_lanyards_sign_out_page_tells_no_application,
}
