//! RFC 9457 problem details: every error of the administration API, as
//! `application/problem+json`, with per-field messages on a 400.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::accounts::Internal;
use crate::accounts::admin::AdminError;

/// RFC 9457 §3.1.1: what went wrong, as a stable URI a client may branch on (the `title` and
/// `detail` are English for people): `urn:lanyard:problem:` followed by `unauthorized`,
/// `forbidden`, `not-found`, `invalid` (bad input; `errors` names the fields), `exists`,
/// `refused` (the state forbids it), `too-large`, `timeout`, `busy`, `unavailable` or `internal`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "urn:lanyard:problem:invalid")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// 400: the request's fields and what is wrong with each.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, String>,
}

impl Problem {
    fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Problem { kind, title, status: status.as_u16(), detail: Some(detail.into()), errors: BTreeMap::new() }
    }

    pub fn unauthorized(detail: &str) -> Self {
        Problem::new(StatusCode::UNAUTHORIZED, "urn:lanyard:problem:unauthorized", "Unauthorized", detail)
    }

    pub fn forbidden(detail: &str) -> Self {
        Problem::new(StatusCode::FORBIDDEN, "urn:lanyard:problem:forbidden", "Forbidden", detail)
    }

    pub fn not_found(what: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "urn:lanyard:problem:not-found",
            "Not Found",
            format!("{what} does not exist"),
        )
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "urn:lanyard:problem:invalid", "Bad Request", detail)
    }

    /// A 400 naming the field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut p = Problem::bad_request(format!("{field}: {message}"));
        p.errors.insert(field.to_string(), message);
        p
    }

    /// 409: the thing already exists.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::CONFLICT, "urn:lanyard:problem:exists", "Conflict", detail)
    }

    /// 409: the state of what is named forbids the change.
    pub fn refused(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::CONFLICT, "urn:lanyard:problem:refused", "Conflict", detail)
    }

    fn internal() -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "urn:lanyard:problem:internal",
            "Internal Server Error",
            "Lanyard could not complete this request; the request id is in the logs",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let unauthorized = status == StatusCode::UNAUTHORIZED;
        let mut res = (status, Json(self)).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if unauthorized {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer realm="lanyard-admin""#));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        res
    }
}

impl From<AdminError> for Problem {
    fn from(e: AdminError) -> Self {
        let shown = e.to_string();
        match e {
            AdminError::Invalid { field, reason } => {
                let mut p = Problem::bad_request(shown);
                if let Some(field) = field {
                    p.errors.insert(field.to_string(), reason);
                }
                p
            }
            AdminError::NotFound(what) => Problem::not_found(&what),
            AdminError::Conflict(what) => Problem::conflict(format!("{what} already exists")),
            AdminError::Refused(why) => Problem::refused(why),
            AdminError::Forbidden(why) => Problem::forbidden(&why),
            AdminError::Internal(e) => e.into(),
        }
    }
}

/// The refusals made before a request reaches the administration API's handlers (a body over
/// the size limit, one not received in time) answer as problem details too, like every other
/// refusal of the API.
pub fn refusal_as_problem(res: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "urn:lanyard:problem:too-large",
            "Content Too Large",
            "the request body is over 64 KB",
        )
        .into_response(),
        StatusCode::REQUEST_TIMEOUT => Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "urn:lanyard:problem:timeout",
            "Request Timeout",
            "the request body did not arrive in time",
        )
        .into_response(),
        _ => res,
    }
}

impl From<Internal> for Problem {
    fn from(e: Internal) -> Self {
        if matches!(e, Internal::Hash(crate::accounts::password::HashError::Overloaded)) {
            return Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "urn:lanyard:problem:busy",
                "Service Unavailable",
                "too many password operations at once; try again in a few seconds",
            );
        }
        if e.is_unavailable() {
            tracing::warn!(error = %e, "a dependency is unavailable");
            crate::telemetry::metrics::internal_error("unavailable");
            return Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "urn:lanyard:problem:unavailable",
                "Service Unavailable",
                "try again in a few seconds",
            );
        }
        // Logged inside the request's span, so the line carries the request id.
        tracing::error!(error = %e, "admin request failed");
        crate::telemetry::metrics::internal_error("admin");
        Problem::internal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_names_its_field_from_the_error_not_its_text() {
        let p = Problem::from(AdminError::field("max_failed_attempts", "must be between 1 and 10"));
        assert_eq!(p.detail.as_deref(), Some("max-failed-attempts: must be between 1 and 10"));
        assert_eq!(p.errors.get("max_failed_attempts").map(String::as_str), Some("must be between 1 and 10"));
        let p = Problem::from(AdminError::invalid("alice: nothing to do"));
        assert!(p.errors.is_empty(), "a message with a colon names no field by accident");
        let refused = Problem::from(AdminError::Refused("invitation 3 is accepted".into()));
        assert_eq!((refused.status, refused.kind), (409, "urn:lanyard:problem:refused"));
        assert_eq!(p.kind, "urn:lanyard:problem:invalid");
        assert_eq!(Problem::from(AdminError::Conflict("user bob".into())).kind, "urn:lanyard:problem:exists");
    }
}
