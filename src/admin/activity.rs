//! A provider's activity record (L7): filters, cursor paging, and a streamed CSV or JSON-lines
//! export of everything that matches.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::actor::Actor;
use super::extract::{QueryOf, Segments};
use super::problem::Problem;
use crate::accounts::Accounts;
use crate::accounts::admin::Page;
use crate::domain::activity::{ActivityEntry, ActivityQuery};
use crate::domain::tenant::Tenant;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// A login name of the provider.
    user: Option<String>,
    kind: Option<String>,
    client_id: Option<String>,
    /// Unix seconds, inclusive.
    since: Option<i64>,
    until: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<i32>,
    /// 1–1000 (default 100).
    limit: Option<u64>,
}

async fn query_of(
    accounts: &Accounts,
    actor: &Actor,
    code: &str,
    f: Filters,
) -> Result<(Tenant, ActivityQuery), Problem> {
    let tenant = actor.provider(accounts, code).await?;
    let user_id = match &f.user {
        Some(login) => Some(actor.user(accounts, code, login).await?.1.id),
        None => None,
    };
    for (name, value) in [("kind", &f.kind), ("client_id", &f.client_id)] {
        if value.as_ref().is_some_and(|v| v.len() > 128) {
            return Err(Problem::field(name, "at most 128 characters"));
        }
    }
    let limit = f.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem::field("limit", "between 1 and 1000"));
    }
    let query = ActivityQuery {
        user_id,
        kind: f.kind,
        client_id: f.client_id,
        since: f.since,
        until: f.until,
        before: f.cursor,
        limit,
    };
    Ok((tenant, query))
}

#[utoipa::path(
    get,
    path = "/providers/{code}/activity",
    operation_id = "list_activity",
    tag = "activity",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), Filters),
    responses((status = 200, description = "One page, newest first", body = Page), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(code): Segments<String>,
    QueryOf(filters): QueryOf<Filters>,
) -> Result<Response, Problem> {
    let (tenant, query) = query_of(&accounts, &actor, &code, filters).await?;
    let entries = actor.accounts(&accounts).activity_matching(&tenant, &query).await?;
    let full = entries.len() as u64 == query.limit;
    let next_cursor = if full { entries.last().map(|e| e.id) } else { None };
    Ok(Json(Page { entries, next_cursor }).into_response())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

/// Every matching entry, newest first, page by page as the client reads: `.csv` or `.jsonl`.
#[utoipa::path(
    get,
    path = "/providers/{code}/activity.{format}",
    operation_id = "export_activity",
    tag = "activity",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("format" = String, Path, description = "csv or jsonl"), Filters),
    responses((status = 200, description = "The export, streamed", content((String = "text/csv"), (String = "application/jsonl"))), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn export(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, format)): Segments<(String, String)>,
    QueryOf(filters): QueryOf<Filters>,
) -> Result<Response, Problem> {
    let format = match format.as_str() {
        "csv" => Format::Csv,
        "jsonl" => Format::JsonLines,
        _ => return Err(Problem::not_found("export format (use activity.csv or activity.jsonl)")),
    };
    let (tenant, query) = query_of(&accounts, &actor, &code, filters).await?;
    // The store reads ahead of the response, a few pages at most (`store::activity_export`).
    let header_line = (format == Format::Csv).then(|| Ok::<_, std::io::Error>(CSV_HEADER.to_string()));
    let read = actor.accounts(&accounts).activity_export(&tenant, query);
    let pages = futures_util::stream::unfold(read, move |mut read| async move {
        let entries = match read.recv().await? {
            Ok(entries) => entries,
            // The response has begun: the only way to say "incomplete" is to stop short.
            Err(e) => {
                tracing::error!(error = %e, "activity export failed part-way");
                return None;
            }
        };
        let mut text = String::with_capacity(entries.len() * 160);
        for e in &entries {
            push_line(&mut text, format, e);
        }
        Some((Ok::<_, std::io::Error>(text), read))
    });
    let body = Body::from_stream(futures_util::StreamExt::chain(futures_util::stream::iter(header_line), pages));
    let (content_type, name) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "activity.csv"),
        Format::JsonLines => ("application/jsonl", "activity.jsonl"),
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

pub const CSV_HEADER: &str = "id,at,login_name,kind,detail,login_type,client_id,ip,user_agent,actor\r\n";

/// One entry as a CSV record (RFC 4180, formulas defused), as the export writes it.
pub fn csv_line(e: &ActivityEntry) -> String {
    line(Format::Csv, e)
}

fn line(format: Format, e: &ActivityEntry) -> String {
    let mut out = String::with_capacity(160);
    push_line(&mut out, format, e);
    out
}

/// Appends one entry to `out`; a page of an export is one buffer, not a string per field.
fn push_line(out: &mut String, format: Format, e: &ActivityEntry) {
    use std::fmt::Write;
    match format {
        Format::JsonLines => {
            if let Ok(json) = serde_json::to_string(e) {
                out.push_str(&json);
                out.push('\n');
            }
        }
        Format::Csv => {
            let _ = write!(out, "{},{}", e.id, crate::clock::rfc3339(e.at));
            for text in [&e.login_name, &e.kind, &e.detail, &e.login_type] {
                out.push(',');
                push_csv_text(out, text);
            }
            out.push(',');
            push_csv_text(out, e.client_id.as_deref().unwrap_or(""));
            for text in [&e.ip, &e.user_agent, &e.actor] {
                out.push(',');
                push_csv_text(out, text);
            }
            out.push_str("\r\n");
        }
    }
}

/// RFC 4180 quoting, and a leading `'` before `= + - @` so a spreadsheet never runs a login
/// name someone typed as a formula (CSV injection).
fn push_csv_text(out: &mut String, s: &str) {
    out.push('"');
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    for (i, part) in s.split('"').enumerate() {
        if i > 0 {
            out.push_str("\"\"");
        }
        out.push_str(part);
    }
    out.push('"');
}

#[cfg(test)]
fn csv_text(s: &str) -> String {
    let mut out = String::new();
    push_csv_text(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::csv_text;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_text("alice"), "\"alice\"");
        assert_eq!(csv_text("a\"b,c"), "\"a\"\"b,c\"");
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_text("-1+2"), "\"'-1+2\"");
    }
}
