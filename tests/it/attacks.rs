//! The tests an attacker would try first: cross-site forms (CSRF) on every state-changing page,
//! a PKCE downgrade, repeated authorization parameters, tokens that outlive an L3 lock, a
//! refresh-token race, and a unified-login hand-off opened in someone else's browser.
//!
//! Every negative case has a positive control beside it (the same request as the page itself
//! would send succeeds), so a refusal cannot pass because the request was broken anyway.

use std::sync::Arc;

use lanyard::domain::user::{UserStatus, UserType};
use lanyard::secret::Secret;
use reqwest::StatusCode;
use serde_json::Value;

use crate::backend_tests;
use crate::oidc::rp::{
    self, REDIRECT, Rp, at, browse, callback, code_for_alice, issuer, metadata, param, register, setup,
};
use crate::oidc::tokens::{redeem, token, userinfo_status};
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, csrf_of, sign_in};
use crate::support::{flow_of, spawn_with_mail, token_of};

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

const EVIL_ORIGIN: &str = "https://evil.example";
const EMAIL: &str = "alice@example.org";
const ATTACKER_EMAIL: &str = "attacker@evil.example";

/// How a forged submission differs from the page's own.
#[derive(Clone, Copy, Debug)]
enum Forgery {
    /// The browser has its CSRF cookie, the form has no token (a plain cross-site form).
    MissingToken,
    /// A real token, minted for another browser: the attacker's own visit to Lanyard.
    ForeignToken,
    /// The page's own, valid token, but the request comes from another site's page.
    ForeignOrigin,
}

/// The token checks, which the handlers implement in `src/http/csrf.rs`.
const TOKEN_FORGERIES: &[Forgery] = &[Forgery::MissingToken, Forgery::ForeignToken];
/// The Origin check (defence in depth behind the token: OWASP CSRF cheat sheet, "verifying
/// origin with standard headers"; Fetch §3.2 sends Origin on every cross-site POST).
const ORIGIN_FORGERY: &[Forgery] = &[Forgery::ForeignOrigin];

async fn get_text(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    browser.get(at(app, path)).send().await.unwrap().text().await.unwrap()
}

async fn read(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    (status, res.text().await.unwrap())
}

/// A CSRF token minted for another browser (the attacker's).
async fn foreign_token(app: &TestApp) -> String {
    let attacker = app.browser();
    csrf_of(&get_text(app, &attacker, "/login").await)
}

/// Posts `fields` to `path` from `browser`, whose own page gave `own_token`: as that page would
/// (`None`, with a same-site Origin), or forged.
async fn submit(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    own_token: &str,
    forgery: Option<Forgery>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let foreign = match forgery {
        Some(Forgery::ForeignToken) => foreign_token(app).await,
        _ => String::new(),
    };
    let token = match forgery {
        Some(Forgery::MissingToken) => None,
        Some(Forgery::ForeignToken) => Some(foreign.as_str()),
        Some(Forgery::ForeignOrigin) | None => Some(own_token),
    };
    let origin = match forgery {
        Some(Forgery::ForeignOrigin) => EVIL_ORIGIN.to_string(),
        _ => issuer(app),
    };
    let mut form: Vec<(&str, &str)> = Vec::new();
    if let Some(t) = token {
        form.push(("csrf", t));
    }
    form.extend_from_slice(fields);
    browser.post(at(app, path)).header(reqwest::header::ORIGIN, origin).form(&form).send().await.unwrap()
}

/// A forged submission was refused: for a token forgery, exactly as the handler answers a bad
/// token (`expected` status, a page saying `marker`); for a foreign Origin, that answer or any
/// 4xx page. The caller then checks that nothing changed, which is the decisive part.
fn assert_refused(forgery: Forgery, status: StatusCode, html: &str, expected: StatusCode, marker: &str) {
    let as_bad_token = status == expected && html.contains(marker);
    match forgery {
        Forgery::ForeignOrigin => {
            assert!(as_bad_token || status.is_client_error(), "{forgery:?} was accepted: {status}\n{html}")
        }
        _ => assert!(as_bad_token, "{forgery:?}: expected {expected} saying {marker:?}, got {status}\n{html}"),
    }
}

/// Signs in on the issuer's host name (where the OIDC tests' cookies live), from the page.
async fn sign_in_at(app: &TestApp, browser: &reqwest::Client, login: &str, password: &str) -> reqwest::Response {
    let csrf = csrf_of(&get_text(app, browser, "/login").await);
    browser
        .post(at(app, "/login"))
        .header(reqwest::header::ORIGIN, issuer(app))
        .form(&[("csrf", csrf.as_str()), ("login_name", login), ("password", password), ("provider_code", "ACME")])
        .send()
        .await
        .unwrap()
}

/// Who the browser is signed in to Lanyard as (from the account page); `None` when it is not.
async fn signed_in_as(app: &TestApp, browser: &reqwest::Client) -> Option<String> {
    const MARK: &str = "id=\"login-name\">";
    let res = browser.get(at(app, "/account")).send().await.unwrap();
    if res.status() != StatusCode::OK {
        return None;
    }
    let html = res.text().await.unwrap();
    let start = html.find(MARK)? + MARK.len();
    Some(html[start..].split('<').next()?.to_string())
}

/// How many activity entries (L7) of `login` have exactly this detail.
async fn activity_count(app: &TestApp, login: &str, detail: &str) -> usize {
    let (tenant, user) = app.state.accounts.lanyard().user("ACME", login).await.unwrap();
    let entries = app.state.accounts.lanyard().activity(&tenant, Some(&user), None, 1000).await.unwrap();
    entries.iter().filter(|e| e.detail == detail).count()
}

async fn introspect(app: &TestApp, rp: &Rp, token: &str, hint: Option<&str>) -> Value {
    let mut form = vec![("token", token)];
    if let Some(h) = hint {
        form.push(("token_type_hint", h));
    }
    rp.post(&at(app, "/introspect"), &form).await.json().await.unwrap()
}

fn authorize_url(app: &TestApp, pairs: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&at(app, "/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    url.to_string()
}

/// RFC 7636 Appendix B.
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

// ---------------------------------------------------------------------------------------------
// 1. CSRF on every state-changing form
// ---------------------------------------------------------------------------------------------

/// Login CSRF (L1; OWASP "login CSRF"): a cross-site form signs the victim's browser in to the
/// attacker's account, so what the victim then enters lands in the attacker's account.
/// `src/web/login.rs::submit` answers a bad token with the form again, 403, "Your sign-in form
/// expired. Please try again." (web.rs covers a missing cookie and a made-up token.)
async fn login_csrf(backend: Backend, forgeries: &[Forgery]) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    app.user("ACME", "mallory").await;
    let victim = app.browser();
    let own = csrf_of(&get_text(&app, &victim, "/login").await);
    let fields = [("login_name", "mallory"), ("password", PASSWORD), ("provider_code", "ACME")];
    for &forgery in forgeries {
        let (status, html) = read(submit(&app, &victim, "/login", &own, Some(forgery), &fields).await).await;
        assert_refused(forgery, status, &html, StatusCode::FORBIDDEN, "Your sign-in form expired. Please try again.");
        assert_eq!(signed_in_as(&app, &victim).await, None, "{forgery:?}: the victim is signed in as the attacker");
    }
    // Control: the page's own submission signs in.
    let res = submit(&app, &victim, "/login", &own, None, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in_as(&app, &victim).await.as_deref(), Some("mallory"));
    app.stop().await;
}

async fn login_csrf_tokens(backend: Backend) {
    login_csrf(backend, TOKEN_FORGERIES).await;
}

async fn login_csrf_origin(backend: Backend) {
    login_csrf(backend, ORIGIN_FORGERY).await;
}

/// Forced sign-out (L6): a cross-site form posts to /logout. `src/web/account.rs::sign_out`
/// answers a bad token with a 403 page, "This form expired. Please go back and try again.", and
/// the session stands.
async fn sign_out_csrf(backend: Backend, forgeries: &[Forgery]) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    assert_eq!(sign_in_at(&app, &browser, "alice", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let own = csrf_of(&get_text(&app, &browser, "/account").await);
    for &forgery in forgeries {
        let (status, html) = read(submit(&app, &browser, "/logout", &own, Some(forgery), &[]).await).await;
        let expired = "This form expired. Please go back and try again.";
        assert_refused(forgery, status, &html, StatusCode::FORBIDDEN, expired);
        assert!(!html.contains("You have been signed out of Lanyard."), "{forgery:?}: {html}");
        assert_eq!(signed_in_as(&app, &browser).await.as_deref(), Some("alice"), "{forgery:?}: signed out");
    }
    // Control.
    let (status, html) = read(submit(&app, &browser, "/logout", &own, None, &[]).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You have been signed out of Lanyard."), "{html}");
    assert_eq!(signed_in_as(&app, &browser).await, None);
    app.stop().await;
}

async fn sign_out_csrf_tokens(backend: Backend) {
    sign_out_csrf(backend, TOKEN_FORGERIES).await;
}

async fn sign_out_csrf_origin(backend: Backend) {
    sign_out_csrf(backend, ORIGIN_FORGERY).await;
}

/// The attacker chooses the victim's password (L4): the forced-change form takes no current
/// password, so a cross-site post would set one the attacker knows. `src/web/account.rs::
/// submit_change` answers a bad token with the form again, 403, "This form expired. Please try
/// again."; the temporary password and the pending change stay.
async fn forced_change_csrf(backend: Backend, forgeries: &[Forgery]) {
    const TEMPORARY: &str = "Temporary-Pass1";
    const CHOSEN: &str = "Attacker-Chosen1";
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .create_user("ACME", "carol", UserType::Regular, &Secret::new(TEMPORARY), true)
        .await
        .unwrap();
    let browser = app.browser();
    let res = sign_in_at(&app, &browser, "carol", TEMPORARY).await;
    assert_eq!(res.headers()["location"], "/password/change");
    let own = csrf_of(&get_text(&app, &browser, "/password/change").await);
    let fields = [("new_password", CHOSEN), ("confirm_password", CHOSEN)];
    for &forgery in forgeries {
        let (status, html) = read(submit(&app, &browser, "/password/change", &own, Some(forgery), &fields).await).await;
        assert_refused(forgery, status, &html, StatusCode::FORBIDDEN, "This form expired. Please try again.");
        let (_, carol) = app.state.accounts.lanyard().user("ACME", "carol").await.unwrap();
        assert!(carol.must_change_password, "{forgery:?}: the forced change was completed by the attacker");
        let res = sign_in_at(&app, &app.browser(), "carol", TEMPORARY).await;
        assert_eq!(res.headers().get("location").map(|l| l.to_str().unwrap()), Some("/password/change"), "{forgery:?}");
    }
    // Control.
    let res = submit(&app, &browser, "/password/change", &own, None, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/account");
    let (_, carol) = app.state.accounts.lanyard().user("ACME", "carol").await.unwrap();
    assert!(!carol.must_change_password);
    let res = sign_in_at(&app, &app.browser(), "carol", CHOSEN).await;
    assert_eq!(res.headers()["location"], "/account");
    app.stop().await;
}

async fn forced_change_csrf_tokens(backend: Backend) {
    forced_change_csrf(backend, TOKEN_FORGERIES).await;
}

async fn forced_change_csrf_origin(backend: Backend) {
    forced_change_csrf(backend, ORIGIN_FORGERY).await;
}

/// Settings (S2), two attacks: forged wrong passwords at Verify, which count towards L3's lock
/// (three lock the victim out); and, once the victim has verified, the attacker's address posted
/// at Send Code (the first step of making the attacker's mailbox receive the reset tokens).
/// `src/web/settings.rs::submit` answers a bad token with the page, 400, "This form expired.
/// Please try again.", before any step runs.
async fn settings_csrf(backend: Backend, forgeries: &[Forgery]) {
    const EXPIRED: &str = "This form expired. Please try again.";
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let changes = lanyard::domain::tenant::TenantChanges { self_reset_enabled: Some(true), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    app.state.accounts.admin(crate::support::operator()).set_user_self_reset("ACME", "alice", true).await.unwrap();
    let browser = app.browser();
    assert_eq!(sign_in_at(&app, &browser, "alice", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let own = csrf_of(&get_text(&app, &browser, "/settings").await);

    let guess = [("step", "verify"), ("current_password", "Wrong-Pass-1")];
    for &forgery in forgeries {
        let (status, html) = read(submit(&app, &browser, "/settings", &own, Some(forgery), &guess).await).await;
        assert_refused(forgery, status, &html, StatusCode::BAD_REQUEST, EXPIRED);
        assert!(!html.contains("The password is not correct."), "{forgery:?}: the password was checked");
        let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
        assert_eq!(alice.failed_attempts, 0, "{forgery:?}: a forged guess counted towards the lock (L3)");
    }
    // Control: the page's own wrong guess is checked and counted.
    let (_, html) = read(submit(&app, &browser, "/settings", &own, None, &guess).await).await;
    assert!(html.contains("The password is not correct."), "{html}");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.failed_attempts, 1);

    // The victim verifies; the attacker now posts their own address.
    let verify = [("step", "verify"), ("current_password", PASSWORD)];
    let (_, html) = read(submit(&app, &browser, "/settings", &own, None, &verify).await).await;
    assert!(html.contains("value=\"send\""), "the email step: {html}");
    let send = [("step", "send"), ("email", ATTACKER_EMAIL)];
    for &forgery in forgeries {
        let (status, html) = read(submit(&app, &browser, "/settings", &own, Some(forgery), &send).await).await;
        assert_refused(forgery, status, &html, StatusCode::BAD_REQUEST, EXPIRED);
        let page = get_text(&app, &browser, "/settings").await;
        assert!(
            !page.contains(ATTACKER_EMAIL) && !page.contains("value=\"code\""),
            "{forgery:?}: a code went to the attacker's address: {page}"
        );
    }
    // Control.
    let (_, html) = read(submit(&app, &browser, "/settings", &own, None, &send).await).await;
    assert!(html.contains("We sent a 6-digit code") && html.contains("value=\"code\""), "{html}");
    app.stop().await;
}

async fn settings_csrf_tokens(backend: Backend) {
    settings_csrf(backend, TOKEN_FORGERIES).await;
}

async fn settings_csrf_origin(backend: Backend) {
    settings_csrf(backend, ORIGIN_FORGERY).await;
}

/// Provider ACME with self reset on (S1), alice allowed and enrolled with a verified address (S2).
async fn reset_ready(app: &TestApp) {
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let changes = lanyard::domain::tenant::TenantChanges { self_reset_enabled: Some(true), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    app.state.accounts.admin(crate::support::operator()).set_user_self_reset("ACME", "alice", true).await.unwrap();
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    app.state.accounts.lanyard().set_verified_email_unchecked(&alice, EMAIL).await.unwrap();
}

/// Forgot Password? from the page itself; returns the Change Password page.
async fn forgot_page(app: &TestApp, browser: &reqwest::Client) -> String {
    let own = csrf_of(&get_text(app, browser, "/password/forgot").await);
    let fields = [("login_name", "alice"), ("provider_code", "ACME"), ("email", EMAIL)];
    let (status, html) = read(submit(app, browser, "/password/forgot", &own, None, &fields).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(">Password Token</label>"), "{html}");
    html
}

/// Forgot Password? (S3) posted cross-site: reset mail on the victim's behalf, from the victim's
/// address (past the per-address limit). `src/web/reset.rs::submit_forgot` answers a bad token
/// with the form, 403, "This form expired. Please try again."; no token is mailed (L7 records
/// "token mailed" for each one, `src/accounts/reset.rs::request_reset`).
async fn forgot_csrf(backend: Backend, forgeries: &[Forgery]) {
    let (app, _sink) = spawn_with_mail(backend).await;
    reset_ready(&app).await;
    let browser = app.browser();
    let own = csrf_of(&get_text(&app, &browser, "/password/forgot").await);
    let fields = [("login_name", "alice"), ("provider_code", "ACME"), ("email", EMAIL)];
    for &forgery in forgeries {
        let (status, html) = read(submit(&app, &browser, "/password/forgot", &own, Some(forgery), &fields).await).await;
        assert_refused(forgery, status, &html, StatusCode::FORBIDDEN, "This form expired. Please try again.");
        assert!(!html.contains(">Password Token</label>"), "{forgery:?}: {html}");
        assert_eq!(activity_count(&app, "alice", "token mailed").await, 0, "{forgery:?}: a token was mailed");
    }
    // Control.
    let (status, html) = read(submit(&app, &browser, "/password/forgot", &own, None, &fields).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(">Password Token</label>"), "{html}");
    assert_eq!(activity_count(&app, "alice", "token mailed").await, 1);
    app.stop().await;
}

async fn forgot_csrf_tokens(backend: Backend) {
    forgot_csrf(backend, TOKEN_FORGERIES).await;
}

async fn forgot_csrf_origin(backend: Backend) {
    forgot_csrf(backend, ORIGIN_FORGERY).await;
}

/// The set-new-password form (S4, S6) posted cross-site with a flow and token the attacker
/// holds. `src/web/reset.rs::submit_reset` answers a bad token with "Password Reset Error" (200)
/// before the token is looked at; the password stays, and the flow still works afterwards.
async fn reset_csrf(backend: Backend, forgeries: &[Forgery]) {
    const NEW: &str = "Fresh-Start-2027";
    let (app, sink) = spawn_with_mail(backend).await;
    reset_ready(&app).await;
    let browser = app.browser();
    let page = forgot_page(&app, &browser).await;
    let own = csrf_of(&page);
    let flow = flow_of(&page);
    let mailed = token_of(&sink.find(1, "token is ").await);
    let fields =
        [("flow", flow.as_str()), ("token", mailed.as_str()), ("new_password", NEW), ("confirm_password", NEW)];
    for &forgery in forgeries {
        let (status, html) = read(submit(&app, &browser, "/password/reset", &own, Some(forgery), &fields).await).await;
        assert_refused(forgery, status, &html, StatusCode::OK, "Password Reset Error");
        assert!(!html.contains("Your password has been changed."), "{forgery:?}: {html}");
        let res = sign_in_at(&app, &app.browser(), "alice", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{forgery:?}: the password was changed");
    }
    // Control: the same flow and token from the page itself.
    let (_, html) = read(submit(&app, &browser, "/password/reset", &own, None, &fields).await).await;
    assert!(html.contains("Your password has been changed."), "{html}");
    assert_eq!(sign_in_at(&app, &app.browser(), "alice", NEW).await.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

async fn reset_csrf_tokens(backend: Backend) {
    reset_csrf(backend, TOKEN_FORGERIES).await;
}

async fn reset_csrf_origin(backend: Backend) {
    reset_csrf(backend, ORIGIN_FORGERY).await;
}

/// Resend (S4) posted cross-site: each Resend voids the token in the victim's mailbox, so a
/// forged one breaks the victim's reset. `src/web/reset.rs::resend` answers a bad token with
/// "Password Reset Error" (200) and mails nothing (L7: "token mailed again" per resend).
async fn resend_csrf(backend: Backend, forgeries: &[Forgery]) {
    let (app, sink) = spawn_with_mail(backend).await;
    reset_ready(&app).await;
    let browser = app.browser();
    let page = forgot_page(&app, &browser).await;
    let own = csrf_of(&page);
    let flow = flow_of(&page);
    sink.find(1, "token is ").await;
    let fields = [("flow", flow.as_str())];
    for &forgery in forgeries {
        let (status, html) =
            read(submit(&app, &browser, "/password/reset/resend", &own, Some(forgery), &fields).await).await;
        assert_refused(forgery, status, &html, StatusCode::OK, "Password Reset Error");
        assert!(!html.contains("A new password token has been sent."), "{forgery:?}: {html}");
        assert_eq!(activity_count(&app, "alice", "token mailed again").await, 0, "{forgery:?}: a token was resent");
    }
    // Control.
    let (_, html) = read(submit(&app, &browser, "/password/reset/resend", &own, None, &fields).await).await;
    assert!(html.contains("A new password token has been sent."), "{html}");
    assert_eq!(activity_count(&app, "alice", "token mailed again").await, 1);
    sink.find(2, "token is ").await;
    app.stop().await;
}

async fn resend_csrf_tokens(backend: Backend) {
    resend_csrf(backend, TOKEN_FORGERIES).await;
}

async fn resend_csrf_origin(backend: Backend) {
    resend_csrf(backend, ORIGIN_FORGERY).await;
}

/// The end-session confirmation (RP-Initiated Logout 1.0 §2, §6: without proof the OP asks the
/// End-User; L6). `src/oidc/end_session.rs::end_session` shows the confirmation again (200,
/// "Sign out of Lanyard?") unless `confirm` comes with a valid token; the session stands.
async fn end_session_csrf(backend: Backend, forgeries: &[Forgery]) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    assert_eq!(sign_in_at(&app, &browser, "alice", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let page = get_text(&app, &browser, "/end-session").await;
    assert!(page.contains("Sign out of Lanyard?"), "{page}");
    let own = csrf_of(&page);
    let fields = [("confirm", "yes")];
    for &forgery in forgeries {
        let (status, html) = read(submit(&app, &browser, "/end-session", &own, Some(forgery), &fields).await).await;
        assert_refused(forgery, status, &html, StatusCode::OK, "Sign out of Lanyard?");
        assert!(!html.contains("You have been signed out of Lanyard."), "{forgery:?}: {html}");
        assert_eq!(signed_in_as(&app, &browser).await.as_deref(), Some("alice"), "{forgery:?}: signed out");
    }
    // Control.
    let (status, html) = read(submit(&app, &browser, "/end-session", &own, None, &fields).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You have been signed out of Lanyard."), "{html}");
    assert_eq!(signed_in_as(&app, &browser).await, None);
    app.stop().await;
}

async fn end_session_csrf_tokens(backend: Backend) {
    end_session_csrf(backend, TOKEN_FORGERIES).await;
}

async fn end_session_csrf_origin(backend: Backend) {
    end_session_csrf(backend, ORIGIN_FORGERY).await;
}

backend_tests! {
    csrf_login_tokens => login_csrf_tokens,
    csrf_login_origin => login_csrf_origin,
    csrf_sign_out_tokens => sign_out_csrf_tokens,
    csrf_sign_out_origin => sign_out_csrf_origin,
    csrf_forced_change_tokens => forced_change_csrf_tokens,
    csrf_forced_change_origin => forced_change_csrf_origin,
    csrf_settings_tokens => settings_csrf_tokens,
    csrf_settings_origin => settings_csrf_origin,
    csrf_forgot_tokens => forgot_csrf_tokens,
    csrf_forgot_origin => forgot_csrf_origin,
    csrf_reset_tokens => reset_csrf_tokens,
    csrf_reset_origin => reset_csrf_origin,
    csrf_resend_tokens => resend_csrf_tokens,
    csrf_resend_origin => resend_csrf_origin,
    csrf_end_session_tokens => end_session_csrf_tokens,
    csrf_end_session_origin => end_session_csrf_origin,
}

// ---------------------------------------------------------------------------------------------
// 2. PKCE downgrade
// ---------------------------------------------------------------------------------------------

/// PKCE downgrade (RFC 9700 §2.1.1, RFC 7636 §4.6): an attacker who injects a stolen code strips
/// the code_challenge from the authorization request and sends a code_verifier of their own at
/// the token endpoint. A verifier without a challenge is invalid_grant, and the code is spent
/// (`src/oidc/token.rs::authorization_code`). The inverse, a challenge without a verifier, is
/// invalid_grant too. A public client cannot even get a code without a challenge
/// (`src/oidc/authorize_request.rs::check`).
async fn pkce_downgrade_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let browser = app.browser();

    // A confidential client may leave PKCE out; its code then refuses any code_verifier.
    let without = [
        ("client_id", "app"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "s1"),
    ];
    let res = browse(&app, &browser, &authorize_url(&app, &without), Some(("alice", PASSWORD))).await;
    let params = callback(&res);
    match param(&params, "code") {
        Some(code) => {
            let (status, body) = redeem(&app, &rp, code, VERIFIER).await;
            assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
            let (status, body) =
                token(&app, &rp, &[("grant_type", "authorization_code"), ("code", code), ("redirect_uri", REDIRECT)])
                    .await;
            assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "spent");
        }
        // Requiring PKCE of every client leaves nothing to downgrade.
        None => assert_eq!(param(&params, "error"), Some("invalid_request"), "{params:?}"),
    }

    // The inverse: a challenge was sent, the verifier is left out.
    let (code, _) = code_for_alice(&app, &rp, &browser).await;
    let (status, body) =
        token(&app, &rp, &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT)]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");

    // A public client: no challenge, no code.
    register(&app, "spa", metadata(true), &["ACME"]).await;
    let public = [
        ("client_id", "spa"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "s1"),
    ];
    let res = browser.get(authorize_url(&app, &public)).send().await.unwrap();
    let params = callback(&res);
    assert_eq!(param(&params, "error"), Some("invalid_request"));
    assert_eq!(param(&params, "code"), None);
    app.stop().await;
}

backend_tests! {
    pkce_downgrade => pkce_downgrade_is_refused,
}

// ---------------------------------------------------------------------------------------------
// 3. Repeated parameters at /authorize
// ---------------------------------------------------------------------------------------------

fn base_request() -> Vec<(&'static str, &'static str)> {
    vec![
        ("client_id", "app"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "s1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// What is wrong with an answer that should be an error page (400, HTML, no redirect).
fn not_a_page(res: &reqwest::Response) -> Option<String> {
    let status = res.status();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap_or("?").to_string());
    let html = res.headers().get("content-type").is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/html"));
    if status == StatusCode::BAD_REQUEST && location.is_none() && html {
        None
    } else {
        Some(format!("{status}, location {location:?}"))
    }
}

/// Parameter pollution at the authorization endpoint (RFC 6749 §3.1: "parameters MUST NOT be
/// included more than once"; §4.1.2.1: with an invalid redirect_uri or client_id the server
/// "MUST NOT automatically redirect"). A repeated client_id or redirect_uri makes both
/// ambiguous: an error page, never a redirect (to either value). Any other repeated parameter
/// is invalid_request, at the single verified redirect_uri or on a page; never a code.
/// `src/oidc/authorize_request.rs::check` verifies the *first* values and redirects there.
/// (tests/it/oidc/params.rs covers /token, /introspect, /revoke and the hand-off, not /authorize.)
async fn repeated_authorize_parameters_are_refused(backend: Backend) {
    const EVIL_REDIRECT: &str = "https://evil.example/callback";
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    register(&app, "other", metadata(false), &["ACME"]).await;
    let browser = app.browser();
    // Signed in: any request accepted now is answered with a code at once.
    code_for_alice(&app, &rp, &browser).await;
    let res = browser.get(authorize_url(&app, &base_request())).send().await.unwrap();
    assert!(param(&callback(&res), "code").is_some(), "control: the request without repeats gets a code");

    let mut wrong = Vec::new();
    let mut page_cases: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    for (why, extra) in [
        ("redirect_uri twice, the same value", ("redirect_uri", REDIRECT)),
        ("redirect_uri twice, then a foreign one", ("redirect_uri", EVIL_REDIRECT)),
        ("client_id twice, the same value", ("client_id", "app")),
        ("client_id twice, then another client", ("client_id", "other")),
    ] {
        let mut pairs = base_request();
        pairs.push(extra);
        page_cases.push((why, pairs));
    }
    let mut foreign_first = vec![("redirect_uri", EVIL_REDIRECT)];
    foreign_first.extend(base_request());
    page_cases.push(("a foreign redirect_uri, then the registered one", foreign_first));
    for (why, pairs) in &page_cases {
        let res = browser.get(authorize_url(&app, pairs)).send().await.unwrap();
        if let Some(problem) = not_a_page(&res) {
            wrong.push(format!("GET, {why}: {problem}"));
        }
    }
    // The same in a POSTed authorization request (OIDC Core §3.1.2.1).
    let mut pairs = base_request();
    pairs.push(("redirect_uri", EVIL_REDIRECT));
    let res = browser.post(at(&app, "/authorize")).form(&pairs).send().await.unwrap();
    if let Some(problem) = not_a_page(&res) {
        wrong.push(format!("POST, redirect_uri twice: {problem}"));
    }

    let other_challenge = "A".repeat(43);
    for (why, extra) in [
        ("state twice", ("state", "s2")),
        ("scope twice", ("scope", "openid profile")),
        ("response_type twice", ("response_type", "code")),
        ("code_challenge twice", ("code_challenge", other_challenge.as_str())),
    ] {
        let mut pairs = base_request();
        pairs.push(extra);
        let res = browser.get(authorize_url(&app, &pairs)).send().await.unwrap();
        let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        match location {
            None => {
                if let Some(problem) = not_a_page(&res) {
                    wrong.push(format!("{why}: {problem}"));
                }
            }
            Some(location) => {
                let Some(query) = location.strip_prefix(&format!("{REDIRECT}?")) else {
                    wrong.push(format!("{why}: redirected to {location}"));
                    continue;
                };
                let params: Vec<(String, String)> =
                    url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
                let ok = param(&params, "code").is_none()
                    && param(&params, "error") == Some("invalid_request")
                    && param(&params, "error_description").is_some_and(|d| d.contains("more than once"));
                if !ok {
                    wrong.push(format!("{why}: {params:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "repeated parameters not refused as they should be: {wrong:#?}");
    app.stop().await;
}

backend_tests! {
    authorize_repeated_parameters => repeated_authorize_parameters_are_refused,
}

// ---------------------------------------------------------------------------------------------
// 4. Tokens after an L3 lock
// ---------------------------------------------------------------------------------------------

/// Tokens that outlive a lock (L3, L6: a lock ends all of a user's sessions on purpose; RFC 6750
/// §3.1 invalid_token; RFC 7662 §2.2 active=false; RFC 6749 §5.2 invalid_grant). The lock bumps
/// the user's epoch (`src/accounts/sign_in.rs` → `end_all_sessions`), and every token of the old
/// epoch is dead (`src/oidc/grants.rs::live`) — also after an administrator unlocks.
async fn l3_lock_ends_access_and_refresh_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let (code, req) = code_for_alice(&app, &rp, &app.browser()).await;
    let (status, t) = redeem(&app, &rp, &code, req.verifier.secret()).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let access = t["access_token"].as_str().unwrap().to_string();
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    // Control: live before the lock.
    assert_eq!(userinfo_status(&app, &access).await, StatusCode::OK);
    assert_eq!(introspect(&app, &rp, &access, None).await["active"], true);
    assert_eq!(introspect(&app, &rp, &refresh, Some("refresh_token")).await["active"], true);

    for wrong in ["Wrong-1!aa", "Wrong-2!aa", "Wrong-3!aa"] {
        sign_in(&app, &app.browser(), "alice", wrong, "ACME").await;
    }
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.status, UserStatus::PasswordLocked);

    let res = reqwest::Client::new().get(at(&app, "/userinfo")).bearer_auth(&access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let challenge = res.headers()["www-authenticate"].to_str().unwrap().to_string();
    assert!(challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_token");
    assert_eq!(introspect(&app, &rp, &access, None).await, serde_json::json!({ "active": false }));
    assert_eq!(introspect(&app, &rp, &refresh, Some("refresh_token")).await, serde_json::json!({ "active": false }));
    let (status, body) = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");

    // Unlocking the account does not bring the old tokens back.
    app.state
        .accounts
        .admin(crate::support::operator())
        .change_status("ACME", "alice", lanyard::accounts::admin::StatusChange::Unlock)
        .await
        .unwrap();
    assert_eq!(userinfo_status(&app, &access).await, StatusCode::UNAUTHORIZED, "revived by the unlock");
    assert_eq!(introspect(&app, &rp, &access, None).await["active"], false, "revived by the unlock");
    app.stop().await;
}

backend_tests! {
    l3_lock_ends_tokens => l3_lock_ends_access_and_refresh_tokens,
}

// ---------------------------------------------------------------------------------------------
// 5. Refresh-token reuse in parallel
// ---------------------------------------------------------------------------------------------

const RACE_ROUNDS: usize = 4;
const RACERS: usize = 8;

/// Refresh-token reuse raced in parallel (RFC 9700 §4.14.2; RFC 6749 §10.4): a thief presents
/// a stolen refresh token at the same moment as the client. Rotation takes the token
/// atomically, so exactly one request gets new tokens and the others invalid_grant; and every
/// other presentation is a reuse, which revokes the whole family (`src/oidc/grants.rs::
/// rotate_refresh_token`: "presenting it again revokes the family"), so the winner's new
/// refresh token and access token are dead afterwards, whoever the winner was. Several rounds,
/// because a window between the take and the used-marker would show only sometimes.
async fn parallel_refresh_reuse_has_one_winner_and_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let secret = rp.secret.clone().unwrap();
    let browser = app.browser();
    for round in 0..RACE_ROUNDS {
        let (code, req) = code_for_alice(&app, &rp, &browser).await;
        let (status, first) = redeem(&app, &rp, &code, req.verifier.secret()).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let stolen = first["refresh_token"].as_str().unwrap().to_string();

        let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
        let tasks: Vec<_> = (0..RACERS)
            .map(|_| {
                let (barrier, url, secret, stolen) =
                    (barrier.clone(), at(&app, "/token"), secret.clone(), stolen.clone());
                tokio::spawn(async move {
                    let request = reqwest::Client::new()
                        .post(url)
                        .basic_auth("app", Some(secret))
                        .form(&[("grant_type", "refresh_token"), ("refresh_token", stolen.as_str())]);
                    barrier.wait().await;
                    let res = request.send().await.unwrap();
                    let status = res.status();
                    (status, res.json::<Value>().await.unwrap())
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }

        let winners: Vec<&Value> = outcomes.iter().filter(|(s, _)| *s == StatusCode::OK).map(|(_, b)| b).collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one rotation: {outcomes:#?}");
        for (status, body) in outcomes.iter().filter(|(s, _)| *s != StatusCode::OK) {
            assert_eq!(
                (*status, body["error"].as_str()),
                (StatusCode::BAD_REQUEST, Some("invalid_grant")),
                "round {round}: {body}"
            );
        }
        let winner = winners[0];
        let new_refresh = winner["refresh_token"].as_str().unwrap();
        let new_access = winner["access_token"].as_str().unwrap();
        let (_, after) = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", new_refresh)]).await;
        assert_eq!(
            after["error"],
            "invalid_grant",
            "round {round}: the winner's new refresh token survived {} reuses: {outcomes:#?}",
            RACERS - 1
        );
        assert_eq!(
            userinfo_status(&app, new_access).await,
            StatusCode::UNAUTHORIZED,
            "round {round}: the winner's access token survived the reuse"
        );
    }
    app.stop().await;
}

backend_tests! {
    refresh_parallel_reuse => parallel_refresh_reuse_has_one_winner_and_revokes_the_family,
}

// ---------------------------------------------------------------------------------------------
// 6. A unified-login hand-off in another user's browser
// ---------------------------------------------------------------------------------------------

const INITIATE: &str = "http://localhost:4002/initiate";

/// U3's texts: what the new tab may say.
fn is_u3_text(text: &str) -> bool {
    text.contains("Invalid Credential")
        || text.contains("Login failed due to request timeout. Please try again from Care Records")
}

async fn start_uri_for(app: &TestApp, a: &Rp, id_token: &str) -> String {
    let res = a
        .post(&at(app, "/unified-login/handoff"), &[("target_client_id", "care-connect"), ("id_token_hint", id_token)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["start_uri"].as_str().unwrap().to_string()
}

/// Session confusion in unified login (U2: "Lanyard answers from the *existing* session"; U3:
/// errors shown in the new tab; OIDC Core §4 third-party-initiated login). Alice's hand-off is
/// opened in a browser signed in to Lanyard as bob (a link sent to bob, or bob's shared
/// computer): Lanyard must neither open B as bob for alice's hand-off nor sign bob's browser in
/// to B as alice. `src/oidc/unified_login.rs::start` shows an error page when the session is
/// not the hand-off's user; `redeem` refuses B's request (access_denied) for the same reason.
async fn u2_handoff_in_another_users_browser_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    app.user("ACME", "bob").await;
    let changes = lanyard::domain::tenant::TenantChanges { unified_login_enabled: Some(true), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    let a = rp::register_named(&app, "care-records", "Care Records", metadata(false), &["ACME"]).await;
    let mut meta = metadata(false);
    meta.initiate_login_uri = Some(INITIATE.into());
    let b = rp::register_named(&app, "care-connect", "Care Connect", meta, &["ACME"]).await;

    // Alice at A in her browser; bob signed in to Lanyard (through A) in his.
    let alices = app.browser();
    let (code, req) = code_for_alice(&app, &a, &alices).await;
    let tokens = a.exchange(&code, req.verifier).await;
    let alice_id_token = openidconnect::TokenResponse::id_token(&tokens).unwrap().to_string();
    let bobs = app.browser();
    let req = a.request(&[]);
    let res = browse(&app, &bobs, req.url.as_str(), Some(("bob", PASSWORD))).await;
    assert!(param(&callback(&res), "code").is_some());

    // Alice's start URI opened in bob's browser: an error in the new tab, not B's initiate URI.
    let start = start_uri_for(&app, &a, &alice_id_token).await;
    let res = bobs.get(&start).send().await.unwrap();
    assert!(res.headers().get("location").is_none(), "sent on to {:?}", res.headers().get("location"));
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(is_u3_text(&html), "{html}");

    // Alice's own tab got the login_hint; B's authorization request with it runs in bob's browser.
    let start = start_uri_for(&app, &a, &alice_id_token).await;
    let res = alices.get(&start).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(INITIATE), "{location}");
    let hint = location.query_pairs().find(|(k, _)| k == "login_hint").unwrap().1.into_owned();
    let breq = b.request(&[("login_hint", hint.as_str())]);
    let res = bobs.get(breq.url.as_str()).send().await.unwrap();
    let params = callback(&res);
    assert_eq!(param(&params, "code"), None, "B got a code: {params:?}");
    assert_eq!(param(&params, "error"), Some("access_denied"), "{params:?}");
    assert!(param(&params, "error_description").is_some_and(is_u3_text), "{params:?}");

    // Nobody was switched: each browser is still its own user's, and B saw no sign-in at all.
    assert_eq!(signed_in_as(&app, &bobs).await.as_deref(), Some("bob"));
    assert_eq!(signed_in_as(&app, &alices).await.as_deref(), Some("alice"));
    for login in ["alice", "bob"] {
        let (tenant, user) = app.state.accounts.lanyard().user("ACME", login).await.unwrap();
        let activity = app.state.accounts.lanyard().activity(&tenant, Some(&user), None, 100).await.unwrap();
        assert!(
            !activity.iter().any(|e| e.kind == "sign_in" && e.client_id.as_deref() == Some("care-connect")),
            "{login} was signed in to B: {activity:?}"
        );
    }
    app.stop().await;
}

backend_tests! {
    u2_handoff_other_users_browser => u2_handoff_in_another_users_browser_is_refused,
}
