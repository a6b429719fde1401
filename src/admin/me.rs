//! Who the caller is to the administration API: the console shows it (A3) and builds its menu
//! from it; automation checks its own client's role before it acts.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::actor::{Actor, Role};
use super::problem::Problem;
use crate::accounts::Accounts;
use crate::accounts::admin::Me;

#[utoipa::path(
    get,
    path = "/me",
    operation_id = "show_me",
    tag = "me",
    responses((status = 200, description = "The caller and its role", body = Me), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn show(State(accounts): State<Accounts>, actor: Actor) -> Result<Response, Problem> {
    let (role, tenant) = match actor.role {
        Role::PlatformOperator => ("platform_operator", None),
        Role::SuperAdmin(id) => ("super_admin", Some(id)),
        Role::ProviderAdmin(id) => ("provider_admin", Some(id)),
        Role::UserAdministrator(id) => ("user_administrator", Some(id)),
    };
    let provider_code = match tenant {
        Some(id) => accounts
            .tenant_by_id(id)
            .await
            .map_err(crate::accounts::Internal::from)?
            .map(|t| t.provider_code.as_str().to_string()),
        None => None,
    };
    Ok(Json(Me { actor: actor.acting.actor.clone(), role: role.into(), provider_code }).into_response())
}
