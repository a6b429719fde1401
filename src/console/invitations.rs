//! P1–P3 in the console: invite a person by email, see each invitee's portal status (invited,
//! expired, active with the chosen username, disabled), resend, revoke, disable and enable
//! (the account's deactivation, A1), and send an account a password-reset link.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Map, Value, json};

use super::Console;
use super::api::ApiError;
use super::session::{Admin, Flash};
use super::view::{back, confirm, expired, page, refused, refused_action, seg};
use crate::domain::invitation::{Invitation, InvitationListed};
use crate::domain::listing::Listing;
use crate::http::{PageForm, PageQuery, csrf};

fn list_path(code: &str) -> String {
    format!("/admin/providers/{}/invitations", seg(code))
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
pub struct InviteForm {
    #[serde(skip_serializing)]
    csrf: Option<String>,
    name: String,
    email: String,
    #[serde(skip_serializing)]
    confirmed: Option<String>,
}

/// Which page of the list: a cursor the API gave (issue 31).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Paging {
    cursor: String,
}

/// The list at `cursor`, the first page when blank.
fn at(code: &str, cursor: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("cursor", cursor).finish();
    format!("{}?{query}", list_path(code))
}

async fn render(
    console: &Console,
    admin: &Admin,
    code: &str,
    status: StatusCode,
    typed: Option<&InviteForm>,
    errors: Map<String, Value>,
    cursor: &str,
) -> Response {
    // One page, never more (issue 31); the serializer is not `Send`, so it ends before the call.
    let query = {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("limit", "50");
        if !cursor.is_empty() {
            query.append_pair("cursor", cursor);
        }
        query.finish()
    };
    let path = format!("/providers/{}/invitations?{query}", seg(code));
    match console
        .api
        .call::<Listing<InvitationListed>>(&admin.signed.token, &admin.caller, Method::GET, &path, None)
        .await
    {
        Ok(listing) => {
            let empty = InviteForm::default();
            let form = typed.unwrap_or(&empty);
            let next = listing.next_cursor.as_deref().map(|c| at(code, c));
            let previous = listing.previous_cursor.as_deref().map(|c| at(code, c));
            let first = (!cursor.is_empty()).then(|| list_path(code));
            let ctx = context! { code, invitations => listing.entries, form, errors, next, previous, first };
            page(console, admin, status, "console/invitations.html", ctx)
        }
        Err(e) => refused(console, admin, e, &list_path(code)),
    }
}

pub async fn list(
    State(console): State<Console>,
    admin: Admin,
    Path(code): Path<String>,
    PageQuery(paging): PageQuery<Paging>,
) -> Response {
    render(&console, &admin, &code, StatusCode::OK, None, Map::new(), &paging.cursor).await
}

pub async fn invite(
    State(console): State<Console>,
    admin: Admin,
    Path(code): Path<String>,
    PageForm(form): PageForm<InviteForm>,
) -> Response {
    let here = list_path(&code);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    let body = json!({ "name": form.name, "email": form.email });
    let path = format!("/providers/{}/invitations", seg(&code));
    match console.api.call::<Invitation>(&admin.signed.token, &admin.caller, Method::POST, &path, Some(body)).await {
        Ok(sent) => back(&console, &here, Flash::notice(format!("Invitation sent to {}.", sent.email))),
        Err(ApiError::Refused { status: StatusCode::BAD_REQUEST, detail, errors }) => {
            let mut shown: Map<String, Value> = errors.into_iter().map(|(k, v)| (k, json!(v))).collect();
            if shown.is_empty() {
                shown.insert("form".into(), json!(detail));
            }
            render(&console, &admin, &code, StatusCode::BAD_REQUEST, Some(&form), shown, "").await
        }
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}

pub async fn decide(
    State(console): State<Console>,
    admin: Admin,
    Path((code, id, what)): Path<(String, i64, String)>,
    PageForm(form): PageForm<InviteForm>,
) -> Response {
    let here = list_path(&code);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    let (method, path, done) = match what.as_str() {
        "resend" => (
            Method::POST,
            format!("/providers/{}/invitations/{id}/resend", seg(&code)),
            "A new link was sent; the earlier one no longer works.",
        ),
        "revoke" => {
            if form.confirmed.is_none() {
                let question = "Revoke this invitation? Its link stops working.";
                return confirm(&console, &admin, &format!("{here}/{id}/revoke"), &[], question, "Revoke", &here);
            }
            (Method::DELETE, format!("/providers/{}/invitations/{id}", seg(&code)), "Invitation revoked.")
        }
        _ => {
            return crate::http::page::english_message(
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing at this address.",
            );
        }
    };
    match console.api.call::<IgnoredAny>(&admin.signed.token, &admin.caller, method, &path, None).await {
        Ok(_) => back(&console, &here, Flash::notice(done)),
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    csrf: Option<String>,
    back: String,
}

/// P3: a reset link to the account's address, from the invitations list or the user's page.
pub async fn send_reset_link(
    State(console): State<Console>,
    admin: Admin,
    Path((code, login)): Path<(String, String)>,
    PageForm(form): PageForm<LinkForm>,
) -> Response {
    let to = if form.back == "invitations" {
        list_path(&code)
    } else {
        format!("/admin/providers/{}/users/{}", seg(&code), seg(&login))
    };
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &to);
    }
    let path = format!("/providers/{}/users/{}/reset-link", seg(&code), seg(&login));
    match console.api.call::<IgnoredAny>(&admin.signed.token, &admin.caller, Method::POST, &path, None).await {
        Ok(_) => back(&console, &to, Flash::notice(format!("A password-reset link was sent to {login}'s address."))),
        Err(e) => refused_action(&console, &admin, e, &to),
    }
}
