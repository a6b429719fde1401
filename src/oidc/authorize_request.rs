//! Checks of an authorization request, in the order the specs require: first the client and its
//! redirect_uri (failures there are shown as a page, never redirected: RFC 6749 §4.1.2.1), then
//! the table of named checks in `authorize_checks` (failures redirect to the verified target
//! with the spec's error code), then the pending request the sign-in page will answer.

use super::Ctx;
use super::acr_request::AcrRequest;
use super::authorize_checks::{self, Request};
use super::error::{ErrorCode, OAuthError};
use super::interaction::PendingAuthorization;
use super::redirect::{ResponseMode, VerifiedRedirect};
use crate::domain::application::Client;
use crate::http::params::repeated_text;
use crate::http::{OAuthParams, ParamError};
use crate::i18n::{Msg, from_ui_locales};

pub enum Rejection {
    /// No verified redirect target: an error page for the user.
    Page(Msg),
    Redirect(Box<VerifiedRedirect>, OAuthError),
    /// The client could not be looked up (a 503 page when the database is out of reach).
    Failed(crate::accounts::Internal),
}

fn refusal(e: &ParamError) -> Msg {
    e.message("authorize-repeated", "authorize-too-long", "authorize-unreadable")
}

pub struct AuthorizeRequest {
    pub client: Client,
    pub redirect: VerifiedRedirect,
    pub pending: PendingAuthorization,
    pub prompt_none: bool,
}

fn invalid(code: ErrorCode, description: &str) -> OAuthError {
    OAuthError::new(code, description)
}

/// `params` as received (query or form), or as pushed (RFC 9126: `pushed`, at `/par` or taken
/// back at `/authorize`). A parameter given twice is an error (RFC 6749 §3.1), sent to the
/// client once its redirect_uri is verified from the first values — unless the repeated one is
/// client_id or redirect_uri, which decide where errors go.
pub async fn check(
    state: Ctx<'_>,
    params: Result<OAuthParams, ParamError>,
    pushed: bool,
) -> Result<AuthorizeRequest, Rejection> {
    let (map, repeated) = match params {
        Ok(p) => (p, None),
        // Where to send the error is itself in doubt: a page (RFC 6749 §4.1.2.1).
        Err(e) if e.repeats("client_id") || e.repeats("redirect_uri") => {
            return Err(Rejection::Page(refusal(&e)));
        }
        Err(ParamError::Repeated { names, first }) => {
            (first, Some(repeated_text(names.first().map_or("", String::as_str))))
        }
        // Nothing is stored or echoed from an oversized request, not even its state.
        Err(e @ ParamError::TooLong { .. }) => {
            return Err(Rejection::Page(refusal(&e)));
        }
        Err(ParamError::Malformed) => {
            return Err(Rejection::Page(Msg::new("authorize-unreadable")));
        }
    };
    let get = |k: &str| map.get(k).map(String::from);

    let Some(client_id) = get("client_id") else {
        return Err(Rejection::Page(Msg::new("authorize-no-client-id")));
    };
    let client = match state.accounts.client(&client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(Rejection::Page(Msg::new("authorize-unknown-client"))),
        Err(e) => return Err(Rejection::Failed(e.into())),
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return Err(Rejection::Page(Msg::new("authorize-no-redirect-uri")));
    };
    let Some(redirect) = VerifiedRedirect::verify(&client, &redirect_uri, get("state"), &state.oidc.issuer) else {
        return Err(Rejection::Page(Msg::new("authorize-unregistered-redirect-uri")));
    };
    let response_mode = match get("response_mode") {
        None => ResponseMode::Query,
        Some(m) => match ResponseMode::parse(&m) {
            Some(mode) => mode,
            None => {
                return Err(Rejection::Redirect(
                    Box::new(redirect),
                    invalid(ErrorCode::InvalidRequest, "response_mode must be query or form_post"),
                ));
            }
        },
    };
    let redirect = redirect.with_mode(response_mode);
    let fail =
        |code, description: &str| Err(Rejection::Redirect(Box::new(redirect.clone()), invalid(code, description)));

    if let Some(description) = repeated {
        return fail(ErrorCode::InvalidRequest, &description);
    }
    // One table of named checks, the same for /authorize and /par.
    let request = Request::new(&map, &client, state.oidc, pushed);
    if let Some((name, error)) = authorize_checks::first_refusal(&request) {
        tracing::debug!(client = %client.client_id, check = name, "authorization request refused");
        return Err(Rejection::Redirect(Box::new(redirect), error));
    }
    let prompts = authorize_checks::prompts(&map);
    let acr = AcrRequest::read(get("acr_values").as_deref(), get("claims").as_deref());

    let pending = PendingAuthorization {
        client_id: client.client_id.clone(),
        redirect_uri: redirect.uri().to_string(),
        response_mode: response_mode.as_str().to_string(),
        state: redirect.state().map(String::from),
        scope: authorize_checks::scope(&request),
        nonce: get("nonce"),
        code_challenge: get("code_challenge"),
        // select_account has nothing to select here: one account per sign-in; treated as login.
        prompt_login: prompts.iter().any(|p| *p == "login" || *p == "select_account"),
        max_age: authorize_checks::max_age(&map),
        login_hint: get("login_hint"),
        id_token_hint_sub: authorize_checks::id_token_hint_sub(&request),
        created_at: state.oidc.clock.now(),
        requires_second_factor: client.metadata.require_mfa,
        essential_acr: acr.requires_multi_factor,
        unified_from: None,
        wants_second_factor: acr.wants_multi_factor,
        dpop_jkt: authorize_checks::dpop_jkt(&request),
        ui_locale: get("ui_locales").as_deref().and_then(from_ui_locales).map(|l| l.tag().to_string()),
    };
    let prompt_none = prompts.contains(&"none");
    Ok(AuthorizeRequest { client, redirect, pending, prompt_none })
}
