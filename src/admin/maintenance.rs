//! M1 for platform operators: switch the maintenance window on and off over HTTP, as
//! `lanyard maintenance` does from a shell. The administration API stays up during the window
//! (see `web::maintenance`), so the operator who switched it on can switch it off.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::actor::Actor;
use super::extract::JsonBody;
use super::problem::Problem;
use crate::accounts::Accounts;
use crate::accounts::service_status::MaintenanceWindow;
use crate::domain::service_status::StatusEvent;

#[derive(Serialize, ToSchema)]
pub struct Maintenance {
    /// The window in force now, if any.
    current: Option<StatusEvent>,
    /// Windows announced for later.
    upcoming: Vec<StatusEvent>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMaintenance {
    /// What the downtime notice says (one line, 1–500 characters).
    message: String,
    /// When people can expect the service back, Unix seconds: later than now and than `from`.
    until: i64,
    /// When the window begins, Unix seconds (default: now).
    #[serde(default)]
    from: Option<i64>,
    /// Where to read more during the downtime (http or https).
    #[serde(default)]
    link: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Ended {
    /// Whether a window was open.
    ended: bool,
}

#[utoipa::path(
    get,
    path = "/maintenance",
    operation_id = "show_maintenance",
    tag = "maintenance",
    responses((status = 200, description = "The current and announced windows", body = Maintenance), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn show(State(accounts): State<Accounts>, actor: Actor) -> Result<Response, Problem> {
    actor.platform()?;
    let board = accounts.status_board().await.map_err(crate::accounts::Internal::from)?;
    let (current, upcoming) = board.open_maintenance();
    Ok(Json(Maintenance { current: current.into_iter().next(), upcoming }).into_response())
}

#[utoipa::path(
    put,
    path = "/maintenance",
    operation_id = "start_maintenance",
    tag = "maintenance",
    request_body = NewMaintenance,
    responses((status = 200, description = "The window; it replaces any open one", body = StatusEvent), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn start(
    State(accounts): State<Accounts>,
    actor: Actor,
    JsonBody(body): JsonBody<NewMaintenance>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let window =
        MaintenanceWindow { message: &body.message, link: body.link.as_deref(), from: body.from, until: body.until };
    Ok(Json(actor.accounts(&accounts).maintenance_on(&window).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/maintenance",
    operation_id = "end_maintenance",
    tag = "maintenance",
    responses((status = 200, description = "The window (begun or announced) is over", body = Ended), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn end(State(accounts): State<Accounts>, actor: Actor) -> Result<Response, Problem> {
    actor.platform()?;
    Ok(Json(Ended { ended: actor.accounts(&accounts).maintenance_off().await? }).into_response())
}
