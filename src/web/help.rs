//! "Trouble signing in?" (seed 001's troubleshooting guide, in the product's words): Caps Lock,
//! the case-sensitive Provider Code, what a lock means and who lifts it, that nobody asks for a
//! password, the status page. It reveals nothing about any account; a provider's contact line
//! appears only after someone typed that provider's code, never as a list.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::http::page::{Page, PageError};
use crate::http::{PageQuery, RequestOrigin};

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct HelpQuery {
    provider_code: Option<String>,
}

pub async fn show(
    State(accounts): State<Accounts>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageQuery(q): PageQuery<HelpQuery>,
) -> Result<Response, PageError> {
    // No session and no interaction here: the browser says which language.
    let lang = crate::http::language::of_browser(&headers);
    // Bounded before any lookup; a code longer than any provider's is no provider's.
    let typed = q.provider_code.map(|c| c.trim().chars().take(64).collect::<String>()).filter(|c| !c.is_empty());
    let (mut status, mut limited, mut contact) = (StatusCode::OK, false, None);
    if let Some(code) = &typed {
        if accounts.admit_help_lookup(&origin.ip).await? {
            contact = accounts.help_contact(code).await?;
        } else {
            (status, limited) = (StatusCode::TOO_MANY_REQUESTS, true);
        }
    }
    let page = Page::render(
        lang,
        status,
        "help.html",
        context! { provider_code => typed, asked => typed.is_some(), contact => contact, limited => limited },
    )?;
    Ok(page.into_response())
}
