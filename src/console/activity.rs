//! A provider's activity record (L7): filters (user, kind, application, dates), paging by the
//! API's cursor, and the CSV export of everything the filters match, streamed from the API.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::Console;
use super::session::Admin;
use super::view::{page, refused, seg};
use crate::accounts::admin::Page;
use crate::http::PageQuery;
use crate::http::templates::{civil_from_days, days_from_civil};

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct Filters {
    user: String,
    kind: String,
    client_id: String,
    /// `YYYY-MM-DD`, the whole day in UTC.
    since: String,
    until: String,
    cursor: String,
}

/// `YYYY-MM-DD` → Unix seconds at the start of that day (UTC).
fn day(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // 2026-02-31 is no date: it must not roll over into March.
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days * 86_400)
}

impl Filters {
    /// The API's query, or the field the person must correct.
    fn api_query(&self, limit: Option<u32>) -> Result<String, (&'static str, &'static str)> {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [("user", &self.user), ("kind", &self.kind), ("client_id", &self.client_id)] {
            if !value.trim().is_empty() {
                q.append_pair(name, value.trim());
            }
        }
        if !self.since.is_empty() {
            let since = day(&self.since).ok_or(("since", "Use a date such as 2026-12-01."))?;
            q.append_pair("since", &since.to_string());
        }
        if !self.until.is_empty() {
            let until = day(&self.until).ok_or(("until", "Use a date such as 2026-12-01."))?;
            q.append_pair("until", &(until + 86_399).to_string());
        }
        if !self.cursor.is_empty() {
            let cursor: i32 = self.cursor.parse().map_err(|_| ("cursor", "This page link is broken."))?;
            q.append_pair("cursor", &cursor.to_string());
        }
        if let Some(limit) = limit {
            q.append_pair("limit", &limit.to_string());
        }
        Ok(q.finish())
    }

    fn page_query(&self, cursor: Option<&str>) -> String {
        let mut f = self.clone();
        f.cursor = cursor.unwrap_or_default().to_string();
        serde_urlencoded::to_string(&f).unwrap_or_default()
    }
}

const PAGE: u32 = 50;

pub async fn list(
    State(console): State<Console>,
    admin: Admin,
    Path(code): Path<String>,
    PageQuery(filters): PageQuery<Filters>,
) -> Response {
    let here = format!("/admin/providers/{}/activity", seg(&code));
    let query = match filters.api_query(Some(PAGE)) {
        Ok(q) => q,
        Err((field, message)) => {
            let errors = context! { field => field, message => message };
            return page(
                &console,
                &admin,
                StatusCode::BAD_REQUEST,
                "console/activity.html",
                context! { code, filters, errors },
            );
        }
    };
    let path = format!("/providers/{}/activity?{query}", seg(&code));
    let answer: Page = match console.api.call(&admin.signed.token, &admin.caller, Method::GET, &path, None).await {
        Ok(a) => a,
        Err(e) => return refused(&console, &admin, e, &here),
    };
    let next = answer.next_cursor.map(|c| filters.page_query(Some(&c.to_string())));
    let mut csv = filters.clone();
    csv.cursor.clear();
    let csv = serde_urlencoded::to_string(&csv).unwrap_or_default();
    page(
        &console,
        &admin,
        StatusCode::OK,
        "console/activity.html",
        context! { code, filters, entries => answer.entries, next, csv },
    )
}

pub async fn csv(
    State(console): State<Console>,
    admin: Admin,
    Path(code): Path<String>,
    PageQuery(mut filters): PageQuery<Filters>,
) -> Response {
    let here = format!("/admin/providers/{}/activity", seg(&code));
    filters.cursor.clear();
    let Ok(query) = filters.api_query(None) else {
        return crate::http::page::english_message(StatusCode::BAD_REQUEST, "Bad request", "A filter is not valid.");
    };
    let path = format!("/providers/{}/activity.csv?{query}", seg(&code));
    match console.api.stream(&admin.signed.token, &admin.caller, &path).await {
        Ok(mut res) => {
            if !res.headers().contains_key(header::CONTENT_DISPOSITION) {
                let name = format!("attachment; filename=\"activity-{}.csv\"", seg(&code));
                if let Ok(v) = name.parse() {
                    res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
                }
            }
            res.into_response()
        }
        Err(e) => refused(&console, &admin, e, &here),
    }
}
