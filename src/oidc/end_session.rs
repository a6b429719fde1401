//! RP-Initiated Logout 1.0. Ends the Lanyard session only (PRODUCT.md L6): each application's
//! own session is its business. Redirects only to a post_logout_redirect_uri registered exactly
//! for the client the id_token_hint (or client_id) names; without a valid hint the user confirms.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::jwt;
use crate::accounts::activity::Origin;
use crate::app::AppState;
use crate::web::extract::RequestOrigin;
use crate::web::page::{self, Page};
use crate::web::{csrf, session};

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    end_session(state, headers, origin, params, false).await
}

pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    body: axum::body::Bytes,
) -> Response {
    match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
        Ok(params) => {
            let confirmed = params.iter().any(|(k, _)| k == "confirm");
            // A cross-site POST carries no SameSite=Lax cookie: without this hop the session
            // would survive while the RP is told the user signed out. A top-level GET carries it.
            let secure = state.config.secure_cookies();
            let has_session =
                session::current(&state.accounts.ephemeral, &headers, secure).await.ok().flatten().is_some();
            if !confirmed && !has_session {
                let mut url = match url::Url::parse(&format!("{}/end-session", state.oidc.issuer)) {
                    Ok(u) => u,
                    Err(_) => return bad("The logout request could not be read."),
                };
                url.query_pairs_mut().extend_pairs(params.iter().filter(|(k, _)| k != "csrf"));
                return page::see_other(url.as_str(), vec![]);
            }
            end_session(state, headers, origin, params, confirmed).await
        }
        Err(_) => bad("The logout request could not be read."),
    }
}

fn bad(message: &str) -> Response {
    page::message(StatusCode::BAD_REQUEST, "Sign-out request refused", message)
}

async fn end_session(
    state: AppState,
    headers: HeaderMap,
    origin: Origin,
    params: Vec<(String, String)>,
    confirmed: bool,
) -> Response {
    let map: HashMap<String, String> = params.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    let secure = state.config.secure_cookies();
    let hint = match map.get("id_token_hint") {
        None => None,
        Some(h) => match jwt::verify(&state.oidc.ring, h) {
            Some(c) if c.get("iss").and_then(|v| v.as_str()) == Some(state.oidc.issuer.as_str()) => Some(c),
            _ => return bad("The id_token_hint was not issued by this server."),
        },
    };
    let hint_aud = hint.as_ref().and_then(|c| c.get("aud")).and_then(|a| a.as_str().map(String::from));
    let client_id = match (map.get("client_id"), &hint_aud) {
        (Some(c), Some(a)) if c != a => return bad("client_id does not match the id_token_hint."),
        (Some(c), _) => Some(c.clone()),
        (None, a) => a.clone(),
    };
    let target = match map.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let client = match &client_id {
                Some(id) => state.accounts.store.client(id).await.ok().flatten(),
                None => None,
            };
            match client {
                Some(c) if c.metadata.post_logout_redirect_uris.iter().any(|r| r == uri) => Some(uri.clone()),
                _ => return bad("The post_logout_redirect_uri is not registered for this application."),
            }
        }
    };

    let current = session::current(&state.accounts.ephemeral, &headers, secure).await.ok().flatten();
    let hint_matches = match (&current, hint.as_ref().and_then(|c| c.get("sub")).and_then(|s| s.as_str())) {
        (Some(s), Some(sub)) => {
            state.accounts.store.user_by_id(s.user_id).await.ok().flatten().is_some_and(|u| u.subject == sub)
        }
        _ => false,
    };
    if current.is_some() && !hint_matches {
        let csrf_ok = confirmed && csrf::verify(&headers, &state.mac, secure, map.get("csrf").map(String::as_str));
        if !csrf_ok {
            return confirm_page(&state, &headers, &map);
        }
    }
    if let Some(s) = &current {
        if let Err(e) = state.accounts.record_sign_out(s.user_id, s.tenant_id, client_id.clone(), origin).await {
            return page::PageError::from(e).into_response();
        }
        if let Ok(Some(user)) = state.accounts.store.user_by_id(s.user_id).await {
            super::backchannel::session_ended(&state, &s.sid, &user.subject).await;
        }
    }
    let clear = match session::end(&state.accounts.ephemeral, &headers, secure).await {
        Ok(c) => c,
        Err(e) => return page::PageError::from(e).into_response(),
    };
    match target {
        Some(uri) => {
            let mut url = match url::Url::parse(&uri) {
                Ok(u) => u,
                Err(_) => return bad("The post_logout_redirect_uri is not a URL."),
            };
            if let Some(s) = map.get("state") {
                url.query_pairs_mut().append_pair("state", s);
            }
            let mut res = page::see_other(url.as_str(), vec![clear]);
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        None => Page::render(
            StatusCode::OK,
            "message.html",
            context! { title => "Signed out", message => "You have been signed out of Lanyard." },
        )
        .map(|p| p.with_cookie(Some(clear)).into_response())
        .unwrap_or_else(|e| e.into_response()),
    }
}

/// Without proof that the application asking is the one the user signed in to, ask the user.
fn confirm_page(state: &AppState, headers: &HeaderMap, map: &HashMap<String, String>) -> Response {
    let token = csrf::issue(headers, &state.mac, state.config.secure_cookies());
    let carried: Vec<_> = ["post_logout_redirect_uri", "state", "client_id", "id_token_hint"]
        .iter()
        .filter_map(|k| map.get(*k).map(|v| context! { name => k, value => v }))
        .collect();
    Page::render(StatusCode::OK, "confirm_logout.html", context! { csrf => token.token, fields => carried })
        .map(|p| p.with_cookie(token.set_cookie).into_response())
        .unwrap_or_else(|e| e.into_response())
}
