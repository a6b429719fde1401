//! Page extractors whose rejections are Lanyard's own pages, never a framework's plain text:
//! a form body, and a page's query string.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::page;

/// An urlencoded form; a malformed body is a 400 page.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(PageForm(v)),
            Err(_) => Err(page::message(StatusCode::BAD_REQUEST, "Bad request", "The form could not be read.")),
        }
    }
}

/// A page's query string; a missing or malformed parameter is a 400 page saying the link is
/// incomplete (people reach these pages from links, not from code).
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        match serde_urlencoded::from_str::<T>(query) {
            Ok(v) => Ok(PageQuery(v)),
            Err(_) => Err(page::message(
                StatusCode::BAD_REQUEST,
                "Incomplete link",
                "This link is incomplete or damaged. Please go back to the application and try again.",
            )),
        }
    }
}
