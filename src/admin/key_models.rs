//! F11: the security-key models a provider accepts for its administrators: listed, added or
//! replaced (by AAGUID), and removed, by those who may change the provider's settings.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::actor::Actor;
use super::extract::{JsonBody, Segments};
use super::problem::Problem;
use crate::accounts::Accounts;
use crate::domain::second_factor::{KeyModel, KeyModelChanges};

#[utoipa::path(
    get,
    path = "/providers/{code}/key-models",
    operation_id = "list_key_models",
    tag = "providers",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME")),
    responses((status = 200, description = "The security-key models the provider accepts for its administrators (F11); none: any key", body = Vec<KeyModel>), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(code): Segments<String>,
) -> Result<Response, Problem> {
    Ok(Json(actor.accounts(&accounts).key_models(&code).await?).into_response())
}

/// F11: once any model is listed, the provider's administrators register only keys whose
/// attestation chains to a listed model's CA with its AAGUID, and sign in only with such keys.
#[utoipa::path(
    put,
    path = "/providers/{code}/key-models/{aaguid}",
    operation_id = "put_key_model",
    tag = "providers",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("aaguid" = String, Path, description = "The model's AAGUID (a UUID)", example = "0fb9bcbc-a0d4-4042-bbb0-559bc1631e28")),
    request_body = KeyModelChanges,
    responses((status = 200, description = "Listed (or replaced)", body = KeyModel), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn put(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, aaguid)): Segments<(String, String)>,
    JsonBody(changes): JsonBody<KeyModelChanges>,
) -> Result<Response, Problem> {
    Ok(Json(actor.accounts(&accounts).put_key_model(&code, &aaguid, &changes).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/providers/{code}/key-models/{aaguid}",
    operation_id = "remove_key_model",
    tag = "providers",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("aaguid" = String, Path, description = "The model's AAGUID (a UUID)", example = "0fb9bcbc-a0d4-4042-bbb0-559bc1631e28")),
    responses((status = 204, description = "No longer listed: keys of it no longer sign administrators in"), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn remove(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, aaguid)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    actor.accounts(&accounts).remove_key_model(&code, &aaguid).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
