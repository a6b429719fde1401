//! F6: a provider's administrator resets a person's second factors from the user's page, after
//! a confirmation; the API decides who may.

use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use serde::Deserialize;

use super::Console;
use super::session::{Admin, Flash};
use super::users::{api_user, user_path};
use super::view::{back, confirm, expired, refused_action};
use crate::domain::second_factor::SecondFactors;
use crate::http::{PageForm, csrf};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    csrf: Option<String>,
    confirmed: Option<String>,
}

pub async fn reset(
    State(console): State<Console>,
    admin: Admin,
    Path((code, login)): Path<(String, String)>,
    PageForm(form): PageForm<ResetForm>,
) -> Response {
    let here = user_path(&code, &login);
    if !csrf::verify(&admin.headers, &console.site, form.csrf.as_deref()) {
        return expired(&console, &here);
    }
    if form.confirmed.is_none() {
        let question = "Reset this person's second factors? Their authenticator app and recovery codes stop working, every session of theirs ends, and they set up a new app at their next sign-in if it is required.";
        return confirm(
            &console,
            &admin,
            &format!("{here}/second-factors"),
            &[],
            question,
            "Reset second factors",
            &here,
        );
    }
    let path = format!("{}/second-factors", api_user(&code, &login));
    match console.api.call::<SecondFactors>(&admin.signed.token, &admin.caller, Method::DELETE, &path, None).await {
        Ok(_) => back(&console, &here, Flash::notice(format!("{login}'s second factors were reset."))),
        Err(e) => refused_action(&console, &admin, e, &here),
    }
}
