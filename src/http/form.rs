//! Page extractors whose rejections are Lanyard's own pages, never a framework's plain text:
//! a form body, and a page's query string. No field of either may exceed `MAX_FIELD` bytes:
//! nothing a visitor types is stored, hashed or echoed unbounded.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::page;
use crate::i18n::Msg;

/// Longest value of any form field or page query parameter (a password, an email address, a
/// token), in bytes.
pub const MAX_FIELD: usize = 4096;

fn fields_fit(encoded: &[u8]) -> bool {
    url::form_urlencoded::parse(encoded).all(|(k, v)| k.len() <= 64 && v.len() <= MAX_FIELD)
}

/// An urlencoded form; a malformed body or an oversized field is a 400 page.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let unreadable =
            || page::message(StatusCode::BAD_REQUEST, Msg::new("error-bad-request"), Msg::new("form-unreadable"));
        let form_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form_type {
            return Err(unreadable());
        }
        let body = Bytes::from_request(req, state).await.map_err(|_| unreadable())?;
        if !fields_fit(&body) {
            return Err(page::message(
                StatusCode::BAD_REQUEST,
                Msg::new("error-bad-request"),
                Msg::new("form-field-too-long"),
            ));
        }
        serde_urlencoded::from_bytes::<T>(&body).map(PageForm).map_err(|_| unreadable())
    }
}

/// A page's query string; a missing or malformed parameter is a 400 page saying the link is
/// incomplete (people reach these pages from links, not from code).
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let parsed = if fields_fit(query.as_bytes()) { serde_urlencoded::from_str::<T>(query).ok() } else { None };
        match parsed {
            Some(v) => Ok(PageQuery(v)),
            None => Err(page::message(
                StatusCode::BAD_REQUEST,
                Msg::new("link-incomplete-title"),
                Msg::new("link-incomplete"),
            )),
        }
    }
}
