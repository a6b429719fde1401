//! The console signs administrators in as any relying party would: an authorization code flow
//! with PKCE, state and nonce against this Lanyard, for the `admin` scope. The code is redeemed
//! in process with the console's client secret; the access token then rides in a sealed cookie.

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use minijinja::context;
use serde::Deserialize;

use super::Console;
use super::api::{ApiError, Caller};
use super::session::{Signed, SigningIn, safe_next};
use crate::accounts::admin::Me;
use crate::domain::application::CONSOLE_CLIENT_ID;
use crate::http::page::{Page, english_message as message, see_other};
use crate::http::{PageForm, PageQuery, csrf};
use crate::i18n::Lang;
use crate::secret::{constant_time_eq, random_token, sha256};

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn start(State(console): State<Console>, PageQuery(q): PageQuery<Next>) -> Response {
    let pending = SigningIn {
        state: random_token(),
        nonce: random_token(),
        verifier: random_token(),
        next: safe_next(q.next.as_deref()),
    };
    let challenge = URL_SAFE_NO_PAD.encode(sha256(pending.verifier.as_bytes()));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", CONSOLE_CLIENT_ID)
        .append_pair("redirect_uri", &console.redirect_uri())
        .append_pair("scope", "openid admin")
        .append_pair("state", &pending.state)
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    see_other(&format!("/authorize?{query}"), vec![console.signing_in_cookie(&pending)])
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn callback(
    State(console): State<Console>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<Callback>,
) -> Response {
    let (pending, forget) = console.take_signing_in(&headers);
    let refused = |title: &str, text: &str| {
        let mut res = message(StatusCode::BAD_REQUEST, title, text);
        if let Ok(v) = forget.parse() {
            res.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
        res
    };
    let Some(pending) = pending else {
        return refused(
            "Sign-in expired",
            "This sign-in took too long or was started elsewhere. Open the console again.",
        );
    };
    let state_ok = q.state.as_deref().is_some_and(|s| constant_time_eq(s.as_bytes(), pending.state.as_bytes()));
    // RFC 9207: the answer names its issuer; a mix-up attacker's would not be ours.
    if !state_ok || q.iss.as_deref().is_some_and(|iss| iss != console.issuer) {
        return refused("Sign-in failed", "This answer does not belong to the sign-in this browser started.");
    }
    if let Some(error) = q.error {
        let text = q.error_description.unwrap_or(error);
        return refused("Sign-in refused", &text);
    }
    let Some(code) = q.code else { return refused("Sign-in failed", "The answer carried no code.") };
    let redirect_uri = console.redirect_uri();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", pending.verifier.as_str()),
    ];
    let tokens: Tokens = match console.api.protocol("/token", CONSOLE_CLIENT_ID, console.secret.expose(), &form).await {
        Ok(t) => t,
        Err(e) => return refused("Sign-in failed", &describe(&e)),
    };
    if nonce_of(&tokens).as_deref() != Some(pending.nonce.as_str()) {
        return refused("Sign-in failed", "The ID token does not answer this sign-in.");
    }
    let token = tokens.access_token;
    let lifetime = tokens.expires_in.unwrap_or(300).clamp(60, 24 * 3600);
    let me = console.api.call::<Me>(&token, &Caller::default(), Method::GET, "/me", None).await;
    let me = match me {
        Ok(me) => me,
        Err(e) => {
            revoke(&console, &token).await;
            let mut res = refused("Nothing to administer", &describe(&e));
            *res.status_mut() = StatusCode::FORBIDDEN;
            return res;
        }
    };
    // The browser arrives here from the sign-in page, with the Lanyard session just started.
    let Some(session_tag) = console.session_tag(&headers) else {
        revoke(&console, &token).await;
        return refused("Sign-in failed", "This browser has no Lanyard session. Open the console again.");
    };
    let signed = Signed { session_tag, token, actor: me.actor, role: me.role, provider: me.provider_code };
    see_other(&pending.next, vec![forget, console.signed_in_cookie(&signed, lifetime)])
}

fn describe(e: &ApiError) -> String {
    match e {
        ApiError::Refused { detail, .. } => detail.clone(),
        ApiError::SignedOut => "The sign-in was not accepted.".into(),
        ApiError::Broken(_) => "Lanyard could not complete the sign-in. Please try again.".into(),
    }
}

/// The `nonce` claim of the ID token. Its signature is not checked: it came straight from our
/// own token endpoint, in process (OIDC Core §3.1.3.7 allows this for a direct TLS answer).
fn nonce_of(tokens: &Tokens) -> Option<String> {
    #[derive(Deserialize)]
    struct Claims {
        nonce: Option<String>,
    }
    let payload = tokens.id_token.as_deref()?.split('.').nth(1)?;
    serde_json::from_slice::<Claims>(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?.nonce
}

/// The token endpoint's answer (RFC 6749 §5.1), as far as the console reads it.
#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    expires_in: Option<i64>,
    id_token: Option<String>,
}

async fn revoke(console: &Console, token: &str) {
    let form = [("token", token), ("token_type_hint", "access_token")];
    if let Err(e) = console
        .api
        .protocol::<serde::de::IgnoredAny>("/revoke", CONSOLE_CLIENT_ID, console.secret.expose(), &form)
        .await
    {
        tracing::warn!(error = ?e, "revoking the console's access token failed");
    }
}

#[derive(Deserialize)]
pub struct SignOutForm {
    csrf: Option<String>,
}

/// Leaves the console: the token is revoked and the cookie dropped. The Lanyard session stays
/// (other applications keep working, L6); the page offers Lanyard's own sign-out too. Works
/// without a console session as well (an expired one must not sign in again to sign out).
pub async fn sign_out(
    State(console): State<Console>,
    headers: HeaderMap,
    PageForm(form): PageForm<SignOutForm>,
) -> Response {
    if !csrf::verify(&headers, &console.site, form.csrf.as_deref()) {
        return message(StatusCode::FORBIDDEN, "Form expired", "This form expired. Please go back and try again.");
    }
    if let Some(signed) = console.signed(&headers) {
        revoke(&console, &signed.token).await;
    }
    let token = csrf::issue(&headers, &console.site);
    let page = Page::render(Lang::ENGLISH, StatusCode::OK, "console/signed_out.html", context! { csrf => token.token });
    match page {
        Ok(page) => page.with_cookie(token.set_cookie).with_cookie(Some(console.signed_out_cookie())).into_response(),
        Err(e) => e.into_response(),
    }
}
