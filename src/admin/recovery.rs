//! A2 for platform operators: the locked-out super admins' requests, approved (a single-use link
//! goes to the super admin's verified address; the operator never sees it) or refused.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::actor::Actor;
use super::extract::{QueryOf, Segments};
use super::problem::Problem;
use crate::accounts::Accounts;
use crate::domain::recovery::{RecoveryRequest, RecoveryRequestListed, RecoveryStatus};
use crate::http::Site;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// `pending` (default), `approved`, `refused`, `completed`, or `all`.
    status: Option<String>,
}

#[utoipa::path(
    get,
    path = "/recovery-requests",
    operation_id = "list_recovery_requests",
    tag = "recovery",
    params(Filter),
    responses((status = 200, description = "Newest first", body = Vec<RecoveryRequestListed>), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list(
    State(accounts): State<Accounts>,
    actor: Actor,
    QueryOf(filter): QueryOf<Filter>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let status = match filter.status.as_deref() {
        None => Some(RecoveryStatus::Pending),
        Some("all") => None,
        Some(s) => Some(RecoveryStatus::parse(s).ok_or_else(|| {
            Problem::field("status", "use pending, approved, refused, completed, withdrawn, voided or all")
        })?),
    };
    Ok(Json(actor.accounts(&accounts).recovery_requests(status).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/recovery-requests/{id}/approve",
    operation_id = "approve_recovery_request",
    tag = "recovery",
    params(("id" = i32, Path, description = "Request id")),
    responses((status = 200, description = "Approved; the link was mailed to the super admin", body = RecoveryRequest), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn approve(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    actor: Actor,
    Segments(id): Segments<i32>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let request = actor.accounts(&accounts).approve_recovery(id, &site.origin).await?;
    Ok(Json(request).into_response())
}

#[utoipa::path(
    post,
    path = "/recovery-requests/{id}/refuse",
    operation_id = "refuse_recovery_request",
    tag = "recovery",
    params(("id" = i32, Path, description = "Request id")),
    responses((status = 200, description = "Refused", body = RecoveryRequest), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn refuse(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(id): Segments<i32>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let request = actor.accounts(&accounts).refuse_recovery(id).await?;
    Ok(Json(request).into_response())
}

#[utoipa::path(
    post,
    path = "/recovery-requests/{id}/withdraw",
    operation_id = "withdraw_recovery_request",
    tag = "recovery",
    params(("id" = i32, Path, description = "Request id")),
    responses((status = 200, description = "Withdrawn; the mailed link no longer works", body = RecoveryRequest), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn withdraw(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(id): Segments<i32>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let request = actor.accounts(&accounts).withdraw_recovery(id).await?;
    Ok(Json(request).into_response())
}
