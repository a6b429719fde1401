//! F6, F11: a person's second factors as their administrators see them (never a secret), and
//! the administrator's reset.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::actor::Actor;
use super::extract::Segments;
use super::problem::Problem;
use crate::accounts::Accounts;
use crate::domain::second_factor::SecondFactors;

#[utoipa::path(
    get,
    path = "/providers/{code}/users/{login}/second-factors",
    operation_id = "show_user_second_factors",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    responses((status = 200, description = "Whether an authenticator app is enrolled and how many recovery codes are left (F6)", body = SecondFactors), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn show(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    Ok(Json(actor.accounts(&accounts).second_factors_of(&code, &login).await?).into_response())
}

/// F6: the app and the recovery codes are removed and every session of the person ends.
#[utoipa::path(
    delete,
    path = "/providers/{code}/users/{login}/second-factors",
    operation_id = "reset_user_second_factors",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    responses((status = 200, description = "Reset: nothing is enrolled any more (F6)", body = SecondFactors), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn reset(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    Ok(Json(actor.accounts(&accounts).reset_second_factors(&code, &login).await?).into_response())
}
