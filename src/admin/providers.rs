//! Providers (T1): platform operators create them and switch them on and off (and unified login,
//! U1); a provider's own administrators read theirs and set its password policy, lockout
//! threshold and self-reset switch (L3, L5, S1).

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
use crate::domain::listing::Listing;
use crate::domain::tenant::{Tenant, TenantChanges};

/// The providers list's search and position.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// Part of a provider code or name (ASCII case ignored), at most 64 characters.
    q: Option<String>,
    /// The `next_cursor` or `previous_cursor` of a page of the same list.
    cursor: Option<String>,
    /// 1–200 (default 50).
    limit: Option<u64>,
}

/// Longest text the providers list searches for.
const MAX_SEARCH: usize = 64;

#[utoipa::path(
    get,
    path = "/providers",
    operation_id = "list_providers",
    tag = "providers",
    params(Search),
    responses((status = 200, description = "One page of the providers the caller may see, by code", body = Listing<Tenant>), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list(
    State(accounts): State<Accounts>,
    actor: Actor,
    QueryOf(query): QueryOf<Search>,
) -> Result<Response, Problem> {
    let q = query.q.as_deref().unwrap_or_default().trim();
    if q.chars().count() > MAX_SEARCH {
        return Err(Problem::field("q", format!("at most {MAX_SEARCH} characters")));
    }
    let (from, limit) = page_of(query.cursor.as_deref(), query.limit)?;
    let page =
        actor.accounts(&accounts).tenants_page(Some(q), &from, limit).await.map_err(crate::accounts::Internal::from)?;
    Ok(Json(page).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProvider {
    provider_code: String,
    name: String,
}

#[utoipa::path(
    post,
    path = "/providers",
    operation_id = "create_provider",
    tag = "providers",
    request_body = NewProvider,
    responses((status = 201, description = "Created", body = Tenant), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn create(
    State(accounts): State<Accounts>,
    actor: Actor,
    JsonBody(body): JsonBody<NewProvider>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let tenant = actor.accounts(&accounts).create_tenant(&body.provider_code, &body.name).await?;
    Ok((StatusCode::CREATED, Json(tenant)).into_response())
}

#[utoipa::path(
    get,
    path = "/providers/{code}",
    operation_id = "show_provider",
    tag = "providers",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME")),
    responses((status = 200, description = "The provider", body = Tenant), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn show(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(code): Segments<String>,
) -> Result<Response, Problem> {
    Ok(Json(actor.provider(&accounts, &code).await?).into_response())
}

#[utoipa::path(
    patch,
    path = "/providers/{code}",
    operation_id = "update_provider",
    tag = "providers",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME")),
    request_body = TenantChanges,
    responses((status = 200, description = "Changed", body = Tenant), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn update(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(code): Segments<String>,
    JsonBody(changes): JsonBody<TenantChanges>,
) -> Result<Response, Problem> {
    let tenant = actor.provider_settings(&accounts, &code).await?;
    // Whether the agency exists and may use unified login is the platform's decision (T1, U1).
    let platform_only = changes.name.is_some() || changes.active.is_some() || changes.unified_login_enabled.is_some();
    if platform_only && !actor.is_platform() {
        return Err(Problem::forbidden("name, active and unified_login_enabled are set by a platform operator"));
    }
    let updated = actor.accounts(&accounts).update_tenant(tenant.provider_code.as_str(), &changes).await?;
    Ok(Json(updated).into_response())
}
