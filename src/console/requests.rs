//! A2 for platform operators: locked-out super admins' requests for a password-reset link,
//! approved (the link goes to the super admin's verified address; the operator never sees it)
//! or refused, and an approval withdrawn.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::Console;
use super::session::{Admin, Flash};
use super::view::{back, confirm, expired, page, refused, refused_action};
use crate::domain::recovery::{RecoveryRequest, RecoveryRequestListed};
use crate::http::{PageForm, PageQuery, csrf};

const HERE: &str = "/admin/requests";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Filter {
    status: String,
}

pub async fn list(State(console): State<Console>, admin: Admin, PageQuery(filter): PageQuery<Filter>) -> Response {
    let status = match filter.status.as_str() {
        "" => "pending",
        s @ ("pending" | "approved" | "refused" | "completed" | "withdrawn" | "voided" | "all") => s,
        _ => "pending",
    };
    let path = format!("/recovery-requests?status={status}");
    match console
        .api
        .call::<Vec<RecoveryRequestListed>>(&admin.signed.token, &admin.caller, Method::GET, &path, None)
        .await
    {
        Ok(requests) => page(&console, &admin, StatusCode::OK, "console/requests.html", context! { requests, status }),
        Err(e) => refused(&console, &admin, e, HERE),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Decision {
    csrf: Option<String>,
    confirmed: Option<String>,
}

pub async fn decide(
    State(console): State<Console>,
    admin: Admin,
    Path((id, decision)): Path<(i64, String)>,
    PageForm(form): PageForm<Decision>,
) -> Response {
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, HERE);
    }
    let (question, button, done) = match decision.as_str() {
        "approve" => (
            "Approve this request? A single-use link to choose a new password goes to the super admin's verified address.",
            "Approve",
            "Approved: the link was mailed to the super admin.",
        ),
        "refuse" => {
            ("Refuse this request? No link is sent; the super admin may ask again later.", "Refuse", "Refused.")
        }
        "withdraw" => (
            "Withdraw this approval? The link mailed to the super admin stops working; they may ask again later.",
            "Withdraw",
            "Withdrawn: the mailed link no longer works.",
        ),
        _ => {
            return crate::http::page::english_message(
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing at this address.",
            );
        }
    };
    if form.confirmed.is_none() {
        return confirm(&console, &admin, &format!("{HERE}/{id}/{decision}"), &[], question, button, HERE);
    }
    let path = format!("/recovery-requests/{id}/{decision}");
    match console.api.call::<RecoveryRequest>(&admin.signed.token, &admin.caller, Method::POST, &path, None).await {
        Ok(_) => back(&console, HERE, Flash::notice(done)),
        Err(e) => refused_action(&console, &admin, e, HERE),
    }
}
