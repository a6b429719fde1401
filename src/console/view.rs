//! How every console page is answered: the layout's shared values (who is signed in, the menu,
//! the flash message, the CSRF token), confirmation before destructive actions, a flash message
//! after each action, and the API's refusals as pages.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};

use super::Console;
use super::api::ApiError;
use super::session::{Admin, Flash, sign_in_again};
use crate::http::page::{Page, english_message as message, see_other};
use crate::http::{csrf, templates};
use crate::i18n::Lang;

/// The console's pages load one script of ours (the copy button); still no inline script.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";

pub const SCRIPT: &str = include_str!("../../templates/console/console.js");

pub async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        SCRIPT,
    )
}

pub fn role_label(role: &str) -> &'static str {
    match role {
        "platform_operator" => "Platform operator",
        "super_admin" => "Super Admin",
        "provider_admin" => "Provider Admin",
        "user_administrator" => "User administrator",
        _ => "Administrator",
    }
}

/// Renders `template` with the page's own values and the layout's.
pub fn page(console: &Console, admin: &Admin, status: StatusCode, template: &str, ctx: Value) -> Response {
    let token = csrf::issue(&admin.headers, &console.site);
    let flash = console.take_flash(&admin.headers);
    let s = &admin.signed;
    let who = s.actor.strip_prefix("user:").unwrap_or(&s.actor);
    let ctx = context! {
        csrf => token.token,
        me => context! {
            who,
            role => s.role,
            role_label => role_label(&s.role),
            provider => s.provider,
            platform => s.role == "platform_operator",
            settings => s.role != "user_administrator",
        },
        flash => flash.as_ref().map(|(f, _)| f.clone()),
        ..ctx
    };
    match Page::render(Lang::ENGLISH, status, template, ctx) {
        Ok(page) => {
            let mut res = page.with_cookie(token.set_cookie).with_cookie(flash.map(|(_, c)| c)).into_response();
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
            res
        }
        Err(e) => e.into_response(),
    }
}

/// After an action: back to a console page, with a message to show there once.
pub fn back(console: &Console, to: &str, flash: Flash) -> Response {
    see_other(to, vec![console.flash_cookie(&flash)])
}

/// Asks before doing: the same form again, with `confirmed=yes`, and a way back.
pub fn confirm(
    console: &Console,
    admin: &Admin,
    action: &str,
    fields: &[(&str, &str)],
    question: &str,
    button: &str,
    cancel: &str,
) -> Response {
    let fields: Vec<Value> = fields.iter().map(|(k, v)| context! { name => k, value => v }).collect();
    page(console, admin, StatusCode::OK, "console/confirm.html", context! { action, fields, question, button, cancel })
}

/// An API refusal where a page was asked for: its words, with its status. An ended token signs
/// in again.
pub fn refused(console: &Console, admin: &Admin, e: ApiError, here: &str) -> Response {
    match e {
        ApiError::SignedOut => signed_out(console, here),
        ApiError::Refused { status, detail, .. } => {
            let title = match status {
                StatusCode::FORBIDDEN => "Not allowed",
                StatusCode::NOT_FOUND => "Not found",
                _ => "Refused",
            };
            page(console, admin, status, "console/message.html", context! { title, message => detail })
        }
        ApiError::Broken(why) => {
            tracing::error!(error = %why, "console: the administration API failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Lanyard could not complete this request.",
            )
        }
    }
}

/// After an action the API refused: back to the page, saying why.
pub fn refused_action(console: &Console, admin: &Admin, e: ApiError, to: &str) -> Response {
    match e {
        ApiError::Refused { detail, .. } => back(console, to, Flash::error(detail)),
        other => refused(console, admin, other, to),
    }
}

fn signed_out(console: &Console, here: &str) -> Response {
    let mut res = sign_in_again(here);
    if let Ok(v) = HeaderValue::from_str(&console.signed_out_cookie()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The form's CSRF check failed: back to the page with a message, nothing done.
pub fn expired(console: &Console, to: &str) -> Response {
    back(console, to, Flash::error("This form expired. Please try again."))
}

pub fn seg(s: &str) -> String {
    templates::path_segment(s)
}
