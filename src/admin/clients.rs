//! Client applications (T4), for platform operators: register (a confidential client's secret
//! is shown once), read, update the URIs, rotate the secret.

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
use crate::accounts::admin::{SecretShown, WithSecret};
use crate::domain::application::{CONSOLE_CLIENT_ID, Client, ClientMetadata};
use crate::domain::listing::Listing;

/// A page of the applications list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// The `next_cursor` or `previous_cursor` of a page of the same list.
    cursor: Option<String>,
    /// 1–200 (default 50).
    limit: Option<u64>,
}

#[utoipa::path(
    get,
    path = "/clients",
    operation_id = "list_clients",
    tag = "clients",
    params(Page),
    responses((status = 200, description = "One page of the registered applications, by client id", body = Listing<Client>), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list(
    State(accounts): State<Accounts>,
    actor: Actor,
    QueryOf(page): QueryOf<Page>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let (from, limit) = page_of(page.cursor.as_deref(), page.limit)?;
    let listing =
        actor.accounts(&accounts).clients_page(&from, limit).await.map_err(crate::accounts::Internal::from)?;
    Ok(Json(listing).into_response())
}

/// A registration. Unknown fields are refused like every other body's: serde cannot refuse them
/// beside a flattened struct, so the keys are checked first (a misspelt `tenants` would
/// otherwise register an application that serves nobody).
#[derive(Deserialize, ToSchema)]
#[serde(try_from = "serde_json::Map<String, serde_json::Value>")]
pub struct NewClient {
    /// Default: generated.
    client_id: Option<String>,
    name: String,
    /// Provider codes whose users may use the application (T4).
    #[serde(default)]
    providers: Vec<String>,
    #[serde(flatten)]
    metadata: ClientMetadata,
}

/// What [`NewClient`] reads once its keys are known to be its own.
#[derive(Deserialize)]
struct NewClientFields {
    client_id: Option<String>,
    name: String,
    #[serde(default)]
    providers: Vec<String>,
    #[serde(flatten)]
    metadata: ClientMetadata,
}

const NEW_CLIENT_OWN_FIELDS: [&str; 3] = ["client_id", "name", "providers"];

impl TryFrom<serde_json::Map<String, serde_json::Value>> for NewClient {
    type Error = String;

    fn try_from(body: serde_json::Map<String, serde_json::Value>) -> Result<Self, String> {
        let known = |k: &str| NEW_CLIENT_OWN_FIELDS.contains(&k) || ClientMetadata::FIELDS.contains(&k);
        if let Some(unknown) = body.keys().find(|k| !known(k)) {
            let expected: Vec<&str> = NEW_CLIENT_OWN_FIELDS.iter().chain(ClientMetadata::FIELDS).copied().collect();
            return Err(format!("unknown field `{unknown}`, expected one of {}", expected.join(", ")));
        }
        let f: NewClientFields = serde_json::from_value(serde_json::Value::Object(body)).map_err(|e| e.to_string())?;
        Ok(NewClient { client_id: f.client_id, name: f.name, providers: f.providers, metadata: f.metadata })
    }
}

#[utoipa::path(
    post,
    path = "/clients",
    operation_id = "create_client",
    tag = "clients",
    request_body = NewClient,
    responses((status = 201, description = "Registered; a confidential client's secret is shown only here", body = WithSecret), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn create(
    State(accounts): State<Accounts>,
    actor: Actor,
    JsonBody(body): JsonBody<NewClient>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let (client, secret) = actor
        .accounts(&accounts)
        .create_client(body.client_id.as_deref(), &body.name, &body.metadata, &body.providers)
        .await?;
    let shown = WithSecret { client, client_secret: secret.map(|s| s.expose().to_string()) };
    Ok((StatusCode::CREATED, Json(shown)).into_response())
}

/// The console's registration is Lanyard's own: nobody may change, rotate or delete it.
fn not_lanyards_own(client_id: &str) -> Result<(), Problem> {
    if client_id == CONSOLE_CLIENT_ID {
        return Err(Problem::forbidden(&format!(
            "{CONSOLE_CLIENT_ID} is Lanyard's own console and is managed by Lanyard"
        )));
    }
    Ok(())
}

async fn existing(accounts: &Accounts, actor: &Actor, client_id: &str) -> Result<Client, Problem> {
    actor
        .accounts(accounts)
        .client_registration(client_id)
        .await
        .map_err(crate::accounts::Internal::from)?
        .ok_or_else(|| Problem::not_found(&format!("client {client_id}")))
}

#[utoipa::path(
    get,
    path = "/clients/{client_id}",
    operation_id = "show_client",
    tag = "clients",
    params(("client_id" = String, Path, description = "Client id", example = "ops")),
    responses((status = 200, description = "The application", body = Client), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn show(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(client_id): Segments<String>,
) -> Result<Response, Problem> {
    actor.platform()?;
    Ok(Json(existing(&accounts, &actor, &client_id).await?).into_response())
}

/// The URIs and the name; `None` leaves a field as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientChanges {
    name: Option<String>,
    redirect_uris: Option<Vec<String>>,
    post_logout_redirect_uris: Option<Vec<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    initiate_login_uri: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    backchannel_logout_uri: Option<Option<String>>,
    /// Switch the application off (no sign-in, token or refresh) or back on.
    disabled: Option<bool>,
    /// Mark the application for administration (its people's `admin` scope), or unmark it.
    administration: Option<bool>,
    /// F4: its users need a second factor, whatever their provider's policy.
    require_mfa: Option<bool>,
}

/// A field that is present, even as `null` (serde reads a bare `Option<Option<_>>` null as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[utoipa::path(
    patch,
    path = "/clients/{client_id}",
    operation_id = "update_client",
    tag = "clients",
    params(("client_id" = String, Path, description = "Client id", example = "ops")),
    request_body = ClientChanges,
    responses((status = 200, description = "The application afterwards", body = Client), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn update(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(client_id): Segments<String>,
    JsonBody(changes): JsonBody<ClientChanges>,
) -> Result<Response, Problem> {
    actor.platform()?;
    not_lanyards_own(&client_id)?;
    let client = existing(&accounts, &actor, &client_id).await?;
    let mut metadata = client.metadata.clone();
    if let Some(uris) = changes.redirect_uris {
        metadata.redirect_uris = uris;
    }
    if let Some(uris) = changes.post_logout_redirect_uris {
        metadata.post_logout_redirect_uris = uris;
    }
    if let Some(uri) = changes.initiate_login_uri {
        metadata.initiate_login_uri = uri;
    }
    if let Some(uri) = changes.backchannel_logout_uri {
        metadata.backchannel_logout_uri = uri;
    }
    if let Some(disabled) = changes.disabled {
        metadata.disabled = disabled;
    }
    if let Some(administration) = changes.administration {
        metadata.administration = administration;
    }
    if let Some(require_mfa) = changes.require_mfa {
        metadata.require_mfa = require_mfa;
    }
    let name = changes.name.unwrap_or(client.name);
    actor.accounts(&accounts).update_client(&client_id, &name, &metadata).await?;
    Ok(Json(existing(&accounts, &actor, &client_id).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/clients/{client_id}/secret",
    operation_id = "rotate_client_secret",
    tag = "clients",
    params(("client_id" = String, Path, description = "Client id", example = "ops")),
    responses((status = 200, description = "The new secret, shown only here", body = SecretShown), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn rotate_secret(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(client_id): Segments<String>,
) -> Result<Response, Problem> {
    actor.platform()?;
    not_lanyards_own(&client_id)?;
    // A public client has no secret: a conflict with what it is (409), not bad input.
    let secret = actor.accounts(&accounts).rotate_client_secret(&client_id).await?;
    Ok(Json(SecretShown { client_id, client_secret: secret.expose().to_string() }).into_response())
}

#[utoipa::path(
    delete,
    path = "/clients/{client_id}",
    operation_id = "delete_client",
    tag = "clients",
    params(("client_id" = String, Path, description = "Client id", example = "ops")),
    responses((status = 204, description = "Deleted"), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn delete(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(client_id): Segments<String>,
) -> Result<Response, Problem> {
    actor.platform()?;
    not_lanyards_own(&client_id)?;
    actor.accounts(&accounts).delete_client(&client_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
