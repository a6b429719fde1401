//! "Trouble signing in?" (seed 001's troubleshooting guide, in the product's words): Caps Lock,
//! the case-sensitive Provider Code, what a lock means and who lifts it, that nobody asks for a
//! password, the status page. It reveals nothing about any account; a provider's contact line
//! appears only after someone typed that provider's code, never as a list.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::http::PageQuery;
use crate::http::page::{Page, PageError};

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct HelpQuery {
    provider_code: Option<String>,
}

pub async fn show(State(accounts): State<Accounts>, PageQuery(q): PageQuery<HelpQuery>) -> Result<Response, PageError> {
    // Bounded before any lookup; a code longer than any provider's is no provider's.
    let typed = q.provider_code.map(|c| c.trim().chars().take(64).collect::<String>()).filter(|c| !c.is_empty());
    let contact = match &typed {
        Some(code) => accounts.help_contact(code).await?,
        None => None,
    };
    let page = Page::render(
        StatusCode::OK,
        "help.html",
        context! { provider_code => typed, asked => typed.is_some(), contact => contact },
    )?;
    Ok(page.into_response())
}
