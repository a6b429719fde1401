//! M2: the public status page (`/status`, and `/status.json`): whether the service is up, the
//! current or next maintenance window, recent incidents and maintenance. M3: the same events as
//! an Atom feed (`/status/feed`, RFC 4287) people subscribe to. Nothing here names a provider or
//! a person; it is served during maintenance.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Serialize;

use crate::accounts::Accounts;
use crate::clock::rfc3339;
use crate::domain::service_status::{StatusBoard, StatusEvent, StatusKind};
use crate::http::page::Page;
use crate::http::{PageQuery, Site, language, templates};
use crate::i18n::{Lang, Msg};

const STORES_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Serialize)]
struct Status {
    /// `up`, `maintenance`, `incident`, or `unavailable` (this node cannot reach its stores).
    status: &'static str,
    maintenance: Option<StatusEvent>,
    next_maintenance: Option<StatusEvent>,
    incident: Option<StatusEvent>,
    /// Newest first.
    recent: Vec<StatusEvent>,
}

async fn status(accounts: &Accounts) -> Status {
    // The page must answer when the stores do not: then it says so.
    let read = tokio::time::timeout(STORES_WAIT, async {
        tokio::join!(accounts.status_board(), accounts.operations().readiness())
    });
    let (board, ready) = match read.await {
        Ok((board, r)) => (board.unwrap_or_default(), r.database.is_ok() && r.ephemeral_store.is_ok()),
        Err(_) => (StatusBoard::default(), false),
    };
    let maintenance = board.current(StatusKind::Maintenance).cloned();
    let incident = board.current(StatusKind::Incident).cloned();
    let next_maintenance = board.next_maintenance().cloned();
    let word = match (&maintenance, &incident, ready) {
        (Some(_), _, _) => "maintenance",
        (None, _, false) => "unavailable",
        (None, Some(_), true) => "incident",
        (None, None, true) => "up",
    };
    Status { status: word, maintenance, next_maintenance, incident, recent: board.events }
}

fn no_store(mut res: Response) -> Response {
    // A status that is minutes old is wrong when it matters.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The page for people, in the browser's language; what administrators typed (the events'
/// messages) is shown as typed. `/status.json` and the feed are for programs and stay English.
pub async fn show(State(accounts): State<Accounts>, headers: HeaderMap) -> Response {
    let lang = crate::http::language::of_browser(&headers);
    let s = status(&accounts).await;
    let headline = match s.status {
        "maintenance" => "maintenance-title",
        "incident" => "status-incident",
        "unavailable" => "status-unavailable",
        _ => "status-up",
    };
    let page = Page::render(
        lang,
        StatusCode::OK,
        "status.html",
        context! {
            status => s.status,
            headline => lang.t(headline),
            maintenance => s.maintenance,
            next => s.next_maintenance,
            incident => s.incident,
            recent => s.recent,
        },
    );
    match page {
        Ok(page) => no_store(page.into_response()),
        Err(e) => {
            tracing::error!(error = %e, "status page");
            no_store(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

pub async fn json(State(accounts): State<Accounts>) -> Response {
    no_store(Json(status(&accounts).await).into_response())
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct FeedQuery {
    /// G1: the language of the page the feed was subscribed from (feed readers rarely say one).
    lang: Option<String>,
}

pub async fn feed(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<FeedQuery>,
) -> Response {
    let asked = q.lang.as_deref().and_then(Lang::from_tag);
    let lang = language::preference(&headers).choose(asked, None);
    let board = accounts.status_board().await.unwrap_or_default();
    let updated = board.updated();
    let events = board.events;
    let origin = &site.origin;
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title>{}</title>\n<id>{origin}/status/feed</id>\n\
         <link rel=\"self\" href=\"{origin}/status/feed\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{origin}/status\"/>\n\
         <updated>{}</updated>\n<author><name>Lanyard</name></author>\n",
        escape(&lang.t("status-feed-title")),
        rfc3339(updated)
    );
    for e in &events {
        xml.push_str(&entry(lang, e, origin));
    }
    xml.push_str("</feed>\n");
    let mut res = (StatusCode::OK, xml).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    language::mark(&mut res, lang);
    no_store(res)
}

/// One entry per event; its `updated` moves when the event ends, so readers show the change.
fn entry(lang: Lang, e: &StatusEvent, origin: &str) -> String {
    let what = lang.t(match (e.kind, e.ended_at.is_some()) {
        (StatusKind::Maintenance, false) => "status-feed-maintenance",
        (StatusKind::Maintenance, true) => "status-feed-maintenance-over",
        (StatusKind::Incident, false) => "status-feed-incident",
        (StatusKind::Incident, true) => "status-feed-incident-resolved",
    });
    let at = |secs: i64| templates::utc_minute(secs);
    let mut summary = lang.text(&Msg::new("status-feed-from").with("from", at(e.starts_at)));
    if let Some(until) = e.until {
        summary.push_str(&lang.text(&Msg::new("status-feed-until").with("until", at(until))));
    }
    if let Some(ended) = e.ended_at {
        summary.push_str(&lang.text(&Msg::new("status-feed-ended").with("ended", at(ended))));
    }
    // What an administrator typed is shown as typed.
    summary.push_str(&format!(". {}", e.message));
    let link = e.link.as_deref().map(|l| format!("<link rel=\"related\" href=\"{}\"/>", escape(l))).unwrap_or_default();
    format!(
        "<entry>\n<id>{origin}/status#event-{}</id>\n<title>{}: {}</title>\n<updated>{}</updated>\n<published>{}</published>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{origin}/status#event-{}\"/>{link}\n<summary>{}</summary>\n</entry>\n",
        e.id,
        what,
        escape(&e.message),
        rfc3339(e.ended_at.unwrap_or(e.created_at)),
        rfc3339(e.created_at),
        e.id,
        escape(&summary),
    )
}

/// XML text and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_text_is_escaped() {
        assert_eq!(escape("<b>\"A&B\"</b>\u{1}"), "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;");
    }
}
