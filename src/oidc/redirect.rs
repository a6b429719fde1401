//! The only way to answer a relying party by redirect. A [`VerifiedRedirect`] exists only after
//! the redirect_uri matched one the client registered, exactly (Architecture Invariant); every
//! answer carries `state` and `iss` (RFC 9207).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use super::error::OAuthError;
use crate::domain::application::Client;
use crate::http::language::InBrowserLanguage;
use crate::http::templates;
use crate::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    FormPost,
}

impl ResponseMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::FormPost => "form_post",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "query" => Some(ResponseMode::Query),
            "form_post" => Some(ResponseMode::FormPost),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct VerifiedRedirect {
    /// Exactly as registered and requested: the token request must repeat it (RFC 6749 §4.1.3).
    raw: String,
    uri: url::Url,
    state: Option<String>,
    mode: ResponseMode,
    issuer: String,
}

impl VerifiedRedirect {
    /// Exact string comparison with the registered URIs (OAuth 2.0 Security BCP §4.1.3).
    pub fn verify(client: &Client, requested: &str, state: Option<String>, issuer: &str) -> Option<Self> {
        if !client.metadata.redirect_uris.iter().any(|r| r == requested) {
            return None;
        }
        let uri = url::Url::parse(requested).ok()?;
        Some(VerifiedRedirect {
            raw: requested.to_string(),
            uri,
            state,
            mode: ResponseMode::Query,
            issuer: issuer.to_string(),
        })
    }

    /// Rebuilds a redirect that was verified when its authorization request arrived.
    pub(super) fn resumed(uri: &str, state: Option<String>, mode: ResponseMode, issuer: &str) -> Option<Self> {
        Some(VerifiedRedirect {
            raw: uri.to_string(),
            uri: url::Url::parse(uri).ok()?,
            state,
            mode,
            issuer: issuer.to_string(),
        })
    }

    pub fn with_mode(mut self, mode: ResponseMode) -> Self {
        self.mode = mode;
        self
    }

    /// The redirect_uri as the client sent it (not normalised).
    pub fn uri(&self) -> &str {
        &self.raw
    }

    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    pub fn mode(&self) -> ResponseMode {
        self.mode
    }

    pub fn code(&self, code: &str) -> Response {
        self.respond(vec![("code", code.to_string())])
    }

    pub fn error(&self, error: &OAuthError) -> Response {
        self.respond(vec![
            ("error", error.code.as_str().to_string()),
            ("error_description", description(&error.description)),
        ])
    }

    fn respond(&self, mut params: Vec<(&'static str, String)>) -> Response {
        if let Some(state) = &self.state {
            params.push(("state", state.clone()));
        }
        params.push(("iss", self.issuer.clone()));
        match self.mode {
            ResponseMode::Query => {
                let mut uri = self.uri.clone();
                uri.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
                let mut res = StatusCode::SEE_OTHER.into_response();
                if let Ok(v) = HeaderValue::from_str(uri.as_str()) {
                    res.headers_mut().insert(header::LOCATION, v);
                }
                res
            }
            ResponseMode::FormPost => form_post(self.uri.as_str(), &params),
        }
    }
}

/// RFC 6749 §4.1.2.1: error_description is limited to printable ASCII without `"` and `\`.
fn description(text: &str) -> String {
    text.chars().map(|c| if (' '..='~').contains(&c) && c != '"' && c != '\\' { c } else { '?' }).collect()
}

/// OAuth 2.0 Form Post Response Mode: a self-submitting form. The script is a static file so
/// the page keeps a CSP without inline script; without JavaScript a button does the same.
fn form_post(action: &str, params: &[(&'static str, String)]) -> Response {
    let fields: Vec<_> = params.iter().map(|(k, v)| context! { name => k, value => v }).collect();
    let (action, fields) = (action.to_string(), minijinja::Value::from(fields));
    let render = move |lang: Lang| {
        let ctx = context! { lang => lang.tag(), action => &action, fields => &fields };
        templates::render("form_post.html", ctx).unwrap_or_default()
    };
    let mut res = Html(render(Lang::ENGLISH)).into_response();
    res.extensions_mut().insert(InBrowserLanguage::new(render));
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    res
}
