//! P1–P3 for a provider's staff (its admins and user administrators): invite a person by
//! email, resend (the earlier link stops working), revoke, see each invitee's portal status,
//! and send an existing account a password-reset link. Disabling is the user's status (A1).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::actor::Actor;
use super::extract::{JsonBody, QueryOf, Segments};
use super::paging::page_of;
use super::problem::Problem;
use crate::accounts::Accounts;
use crate::domain::invitation::{Invitation, InvitationListed};
use crate::domain::listing::Listing;
use crate::http::Site;

#[utoipa::path(
    get,
    path = "/providers/{code}/invitations",
    operation_id = "list_invitations",
    tag = "invitations",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), Paging),
    responses((status = 200, description = "One page of invitees with their portal status (P2), newest first", body = Listing<InvitationListed>), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(code): Segments<String>,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Response, Problem> {
    let (from, limit) = page_of(paging.cursor.as_deref(), paging.limit)?;
    let tenant = actor.provider(&accounts, &code).await?;
    let page = actor.accounts(&accounts).invitations(tenant.provider_code.as_str(), &from, limit).await?;
    Ok(Json(page).into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The `next_cursor` or `previous_cursor` of a page of the same list.
    cursor: Option<String>,
    /// 1–200 (default 50).
    limit: Option<u64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    /// The person's name (1–200 characters).
    name: String,
    /// Where the link goes; the account's address once they register.
    email: String,
}

#[utoipa::path(
    post,
    path = "/providers/{code}/invitations",
    operation_id = "create_invitation",
    tag = "invitations",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME")),
    request_body = NewInvitation,
    responses((status = 201, description = "Invited; the link was mailed (it is never shown here)", body = Invitation), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn create(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    actor: Actor,
    Segments(code): Segments<String>,
    JsonBody(body): JsonBody<NewInvitation>,
) -> Result<Response, Problem> {
    let tenant = actor.provider(&accounts, &code).await?;
    let code = tenant.provider_code.as_str();
    let invitation = actor.accounts(&accounts).invite(code, &body.name, &body.email, &site.origin).await?;
    Ok((StatusCode::CREATED, Json(invitation)).into_response())
}

#[utoipa::path(
    post,
    path = "/providers/{code}/invitations/{id}/resend",
    operation_id = "resend_invitation",
    tag = "invitations",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("id" = i32, Path, description = "Invitation id")),
    responses((status = 200, description = "A new link was mailed; the earlier one no longer works", body = Invitation), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn resend(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    actor: Actor,
    Segments((code, id)): Segments<(String, i32)>,
) -> Result<Response, Problem> {
    let tenant = actor.provider(&accounts, &code).await?;
    let acting = actor.accounts(&accounts);
    let invitation = acting.resend_invitation(tenant.provider_code.as_str(), id, &site.origin).await?;
    Ok(Json(invitation).into_response())
}

#[utoipa::path(
    delete,
    path = "/providers/{code}/invitations/{id}",
    operation_id = "revoke_invitation",
    tag = "invitations",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("id" = i32, Path, description = "Invitation id")),
    responses((status = 200, description = "Revoked: its link no longer works", body = Invitation), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn revoke(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, id)): Segments<(String, i32)>,
) -> Result<Response, Problem> {
    let tenant = actor.provider(&accounts, &code).await?;
    let invitation = actor.accounts(&accounts).revoke_invitation(tenant.provider_code.as_str(), id).await?;
    Ok(Json(invitation).into_response())
}

/// P3: a password-reset link to the address on file (48 hours, single use; the mail does not
/// show the username). A new one voids the earlier.
#[utoipa::path(
    post,
    path = "/providers/{code}/users/{login}/reset-link",
    operation_id = "send_user_reset_link",
    tag = "invitations",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    responses((status = 204, description = "Mailed"), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn send_reset_link(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    let (tenant, user) = actor.user(&accounts, &code, &login).await?;
    let (code, login) = (tenant.provider_code.as_str(), user.login_name.as_str());
    // Disabled, or no address on file: the account's state (409), not the request.
    actor.accounts(&accounts).send_reset_link(code, login, &site.origin).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
