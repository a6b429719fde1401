//! Checks of an authorization request, in the order the specs require: first the client and its
//! redirect_uri (failures there are shown as a page, never redirected: RFC 6749 §4.1.2.1), then
//! everything else (failures redirect to the verified target with the spec's error code).

use super::Ctx;
use super::acr_request::AcrRequest;
use super::error::{ErrorCode, OAuthError};
use super::interaction::PendingAuthorization;
use super::pkce;
use super::redirect::{ResponseMode, VerifiedRedirect};
use crate::domain::application::Client;
use crate::http::params::repeated_text;
use crate::http::{OAuthParams, ParamError};

pub enum Rejection {
    /// No verified redirect target: an error page for the user.
    Page(String),
    Redirect(Box<VerifiedRedirect>, OAuthError),
    /// The client could not be looked up (a 503 page when the database is out of reach).
    Failed(crate::accounts::Internal),
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
            return Err(Rejection::Page(format!("The authorization request is invalid: {}.", e.description())));
        }
        Err(ParamError::Repeated { names, first }) => {
            (first, Some(repeated_text(names.first().map_or("", String::as_str))))
        }
        // Nothing is stored or echoed from an oversized request, not even its state.
        Err(e @ ParamError::TooLong { .. }) => {
            return Err(Rejection::Page(format!("The authorization request is invalid: {}.", e.description())));
        }
        Err(ParamError::Malformed) => {
            return Err(Rejection::Page("The authorization request could not be read.".into()));
        }
    };
    let get = |k: &str| map.get(k).map(String::from);

    let Some(client_id) = get("client_id") else {
        return Err(Rejection::Page("The request does not name a client_id.".into()));
    };
    let client = match state.accounts.client(&client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(Rejection::Page("The application that sent you here is not registered.".into())),
        Err(e) => return Err(Rejection::Failed(e.into())),
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return Err(Rejection::Page("The request has no redirect_uri.".into()));
    };
    let Some(redirect) = VerifiedRedirect::verify(&client, &redirect_uri, get("state"), &state.oidc.issuer) else {
        return Err(Rejection::Page("The redirect_uri is not registered for this application.".into()));
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
    // RFC 9126 §5: a client registered to push its requests is held to it.
    if client.metadata.requires_par() && !pushed {
        return fail(ErrorCode::InvalidRequest, "this client must push its authorization requests (PAR)");
    }
    // Unpacked before these checks (`request_object`): one still here was inside another.
    if map.has("request") {
        return fail(ErrorCode::InvalidRequestObject, "a request object may not hold another");
    }
    if map.has("request_uri") {
        return fail(ErrorCode::RequestUriNotSupported, "request_uri is not supported");
    }
    match get("response_type").as_deref() {
        Some("code") => {}
        Some(_) => return fail(ErrorCode::UnsupportedResponseType, "only response_type=code is supported"),
        None => return fail(ErrorCode::InvalidRequest, "response_type is required"),
    }
    if !client.metadata.grant_types.iter().any(|g| g == "authorization_code") {
        return fail(ErrorCode::UnauthorizedClient, "this client may not use the authorization code flow");
    }
    let requested: Vec<String> =
        get("scope").unwrap_or_default().split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
    if !requested.iter().any(|s| s == "openid") {
        return fail(ErrorCode::InvalidScope, "the openid scope is required");
    }
    // Scopes the client may not have are dropped, not refused (RFC 6749 §3.3).
    let scope: Vec<String> = requested.into_iter().filter(|s| client.metadata.scopes.contains(s)).collect();
    if !scope.iter().any(|s| s == "openid") {
        return fail(ErrorCode::InvalidScope, "this client may not request the openid scope");
    }

    let code_challenge = get("code_challenge");
    match (get("code_challenge_method").as_deref(), &code_challenge) {
        (_, None) if client.metadata.requires_pkce() => {
            return fail(ErrorCode::InvalidRequest, "PKCE (code_challenge with S256) is required of this client");
        }
        (_, None) if client.is_public() => {
            return fail(ErrorCode::InvalidRequest, "PKCE (code_challenge with S256) is required for public clients");
        }
        (Some(_), None) => return fail(ErrorCode::InvalidRequest, "code_challenge_method without code_challenge"),
        (None | Some("S256"), Some(c)) if pkce::valid_challenge(c) => {}
        (None | Some("S256"), Some(_)) => {
            return fail(ErrorCode::InvalidRequest, "code_challenge must be a base64url SHA-256");
        }
        (Some(_), Some(_)) => return fail(ErrorCode::InvalidRequest, "only code_challenge_method=S256 is supported"),
        (None, None) => {}
    }
    if get("code_challenge_method").is_none() && code_challenge.is_some() {
        // RFC 7636 defaults a missing method to `plain`, which we refuse.
        return fail(ErrorCode::InvalidRequest, "code_challenge_method=S256 is required");
    }

    let prompts: Vec<String> =
        get("prompt").unwrap_or_default().split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
    for p in &prompts {
        if !["none", "login", "consent", "select_account"].contains(&p.as_str()) {
            return fail(ErrorCode::InvalidRequest, &format!("unknown prompt value {p}"));
        }
    }
    let prompt_none = prompts.iter().any(|p| p == "none");
    if prompt_none && prompts.len() > 1 {
        return fail(ErrorCode::InvalidRequest, "prompt=none cannot be combined with other values");
    }
    let max_age = match get("max_age") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => return fail(ErrorCode::InvalidRequest, "max_age must be a non-negative integer"),
        },
    };
    let id_token_hint_sub = match get("id_token_hint") {
        None => None,
        Some(hint) => match super::jwt::verify_id_token(&state.oidc.ring, &state.oidc.issuer, &hint) {
            Some(claims) => claims.get("sub").and_then(|s| s.as_str()).map(String::from),
            _ => return fail(ErrorCode::InvalidRequest, "id_token_hint is not a token this server issued"),
        },
    };

    // With DPoP off the parameter is not understood, so not acted on (RFC 6749 §3.1).
    let dpop_jkt = get("dpop_jkt").filter(|_| state.oidc.dpop.is_some());
    if dpop_jkt.as_deref().is_some_and(|jkt| !super::dpop::valid_jkt(jkt)) {
        return fail(ErrorCode::InvalidRequest, "dpop_jkt must be a JWK SHA-256 thumbprint (RFC 7638)");
    }

    let acr = AcrRequest::read(get("acr_values").as_deref(), get("claims").as_deref());

    let pending = PendingAuthorization {
        client_id: client.client_id.clone(),
        redirect_uri: redirect.uri().to_string(),
        response_mode: response_mode.as_str().to_string(),
        state: redirect.state().map(String::from),
        scope,
        nonce: get("nonce"),
        code_challenge,
        // select_account has nothing to select here: one account per sign-in; treated as login.
        prompt_login: prompts.iter().any(|p| p == "login" || p == "select_account"),
        max_age,
        login_hint: get("login_hint"),
        id_token_hint_sub,
        created_at: state.oidc.clock.now(),
        requires_second_factor: client.metadata.require_mfa,
        essential_acr: acr.requires_multi_factor,
        unified_from: None,
        wants_second_factor: acr.wants_multi_factor,
        dpop_jkt,
    };
    Ok(AuthorizeRequest { client, redirect, pending, prompt_none })
}
