//! RP-Initiated Logout 1.0. Ends the Lanyard session only (PRODUCT.md L6): each application's
//! own session is its business, and no other application is told. The application that asked —
//! proven by an `id_token_hint` for this session — may receive a back-channel logout token for
//! its own session. Redirects only to a post_logout_redirect_uri registered exactly for the
//! client the hint (or client_id) names; without a valid hint the person confirms.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::{Ctx, Protocol, jwt};
use crate::accounts::Accounts;
use crate::domain::activity::Origin;
use crate::http::page::{self, Page, PageError};
use crate::http::{OAuthParams, ParamError, RequestOrigin, Site, csrf, language, session};
use crate::i18n::Msg;

pub async fn get(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    params: Result<OAuthParams, ParamError>,
) -> Response {
    match params {
        Ok(params) => {
            end_session(Ctx { oidc: &oidc, accounts: &accounts }, &site, &headers, origin, params, false).await
        }
        Err(e) => bad(e.message("logout-repeated", "logout-too-long", "logout-malformed")),
    }
}

pub async fn post(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    params: Result<OAuthParams, ParamError>,
) -> Response {
    let params = match params {
        Ok(p) => p,
        Err(e) => return bad(e.message("logout-repeated", "logout-too-long", "logout-malformed")),
    };
    let confirmed = params.has("confirm");
    // A cross-site POST carries no SameSite=Lax cookie: without this hop the session would
    // survive while the RP is told the user signed out. A top-level GET carries it.
    let has_session = session::current(&accounts, &site, &headers).await.ok().flatten().is_some();
    if !confirmed && !has_session {
        let mut url = match url::Url::parse(&format!("{}/end-session", oidc.issuer)) {
            Ok(u) => u,
            Err(_) => return bad(Msg::new("logout-unreadable")),
        };
        url.query_pairs_mut().extend_pairs(params.iter().filter(|(k, _)| *k != "csrf"));
        return page::see_other(url.as_str(), vec![]);
    }
    end_session(Ctx { oidc: &oidc, accounts: &accounts }, &site, &headers, origin, params, confirmed).await
}

/// Registered client ids are at most this long (`accounts::admin`): a longer one is not stored.
const MAX_CLIENT_ID: usize = 128;

fn bad(message: Msg) -> Response {
    page::message(StatusCode::BAD_REQUEST, Msg::new("logout-refused-title"), message)
}

async fn end_session(
    ctx: Ctx<'_>,
    site: &Site,
    headers: &HeaderMap,
    origin: Origin,
    params: OAuthParams,
    confirmed: bool,
) -> Response {
    let (oidc, accounts) = (ctx.oidc, ctx.accounts);
    let hint = match params.get("id_token_hint") {
        None => None,
        Some(h) => match jwt::verify_id_token(&oidc.ring, &oidc.issuer, h) {
            Some(c) => Some(c),
            None => return bad(Msg::new("logout-foreign-id-token-hint")),
        },
    };
    let hint_aud = hint.as_ref().and_then(|c| c.get("aud")).and_then(|a| a.as_str().map(String::from));
    let client_id = match (params.get("client_id"), &hint_aud) {
        (Some(c), Some(a)) if c != a => return bad(Msg::new("logout-client-id-mismatch")),
        (Some(c), _) if c.len() > MAX_CLIENT_ID => return bad(Msg::new("logout-unknown-client")),
        (Some(c), _) => Some(c.to_string()),
        (None, a) => a.clone(),
    };
    let target = match params.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let client = match &client_id {
                Some(id) => accounts.client(id).await.ok().flatten(),
                None => None,
            };
            match client {
                Some(c) if c.metadata.post_logout_redirect_uris.iter().any(|r| r == uri) => Some(uri.to_string()),
                _ => return bad(Msg::new("logout-unregistered-redirect-uri")),
            }
        }
    };

    let current = match session::current(accounts, site, headers).await {
        Ok(s) => s,
        Err(e) => return PageError::from(e).into_response(),
    };
    // Proof that the application asking signed in through this very session: its ID token
    // names this session's user and `sid` (an older ID token of the same user is not).
    let hint_claim = |k: &str| hint.as_ref().and_then(|c| c.get(k)).and_then(|v| v.as_str());
    let hint_matches = match (&current, hint_claim("sub"), hint_claim("sid")) {
        (Some(s), Some(sub), Some(sid)) if sid == s.sid => match accounts.user_by_id(s.user_id).await {
            Ok(u) => u.is_some_and(|u| u.subject == sub),
            Err(e) => return PageError::from(e).into_response(),
        },
        _ => false,
    };
    if current.is_some() && !hint_matches {
        let csrf_ok = confirmed && csrf::verify(headers, site, params.get("csrf"));
        if !csrf_ok {
            return confirm_page(site, headers, &params);
        }
    }
    if let (Some(s), Some(id)) = (&current, session::cookie_value(headers, site)) {
        // Only an application proven by its ID token for this very session hears of its end.
        let asked_by = hint_aud.as_deref().filter(|_| hint_matches);
        let recorded_client = client_id.as_deref().or(asked_by);
        if let Err(e) = accounts.sign_out_asked_by(&id, s, asked_by, recorded_client, origin).await {
            return PageError::from(e).into_response();
        }
    }
    let clear = session::clear(site);
    match target {
        Some(uri) => {
            let mut url = match url::Url::parse(&uri) {
                Ok(u) => u,
                Err(_) => return bad(Msg::new("logout-redirect-uri-not-a-url")),
            };
            if let Some(s) = params.get("state") {
                url.query_pairs_mut().append_pair("state", s);
            }
            let mut res = page::see_other(url.as_str(), vec![clear]);
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        None => {
            let lang = language::of_browser(headers);
            let ctx = context! { title => lang.t("logout-done-title"), message => lang.t("logout-done") };
            Page::render(lang, StatusCode::OK, "message.html", ctx)
                .map(|p| p.with_cookie(Some(clear)).into_response())
                .unwrap_or_else(|e| e.into_response())
        }
    }
}

/// Without proof that the application asking is the one the person signed in to, ask them.
fn confirm_page(site: &Site, headers: &HeaderMap, params: &OAuthParams) -> Response {
    let token = csrf::issue(headers, site);
    let carried: Vec<_> = ["post_logout_redirect_uri", "state", "client_id", "id_token_hint"]
        .iter()
        .filter_map(|k| params.get(k).map(|v| context! { name => k, value => v }))
        .collect();
    Page::render(
        language::of_browser(headers),
        StatusCode::OK,
        "confirm_logout.html",
        context! { csrf => token.token, fields => carried },
    )
    .map(|p| p.with_cookie(token.set_cookie).into_response())
    .unwrap_or_else(|e| e.into_response())
}
