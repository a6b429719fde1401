//! Client applications (T4), for platform operators: register (a confidential client's secret
//! is shown once), read, update the URIs, rotate the secret.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::actor::Actor;
use super::extract::{JsonBody, Segments};
use super::problem::Problem;
use crate::accounts::Accounts;
use crate::accounts::admin::AdminError;
use crate::domain::application::{Client, ClientMetadata};

pub async fn list(State(accounts): State<Accounts>, actor: Actor) -> Result<Response, Problem> {
    actor.platform()?;
    let all = accounts.clients().await.map_err(crate::accounts::Internal::from)?;
    Ok(Json(all).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
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

#[derive(Serialize)]
struct WithSecret {
    #[serde(flatten)]
    client: Client,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
}

fn invalid_as_field(e: AdminError) -> Problem {
    e.into()
}

pub async fn create(
    State(accounts): State<Accounts>,
    actor: Actor,
    JsonBody(body): JsonBody<NewClient>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let (client, secret) = actor
        .accounts(&accounts)
        .create_client(body.client_id.as_deref(), &body.name, &body.metadata, &body.providers)
        .await
        .map_err(invalid_as_field)?;
    let shown = WithSecret { client, client_secret: secret.map(|s| s.expose().to_string()) };
    Ok((StatusCode::CREATED, Json(shown)).into_response())
}

async fn existing(accounts: &Accounts, client_id: &str) -> Result<Client, Problem> {
    accounts
        .client(client_id)
        .await
        .map_err(crate::accounts::Internal::from)?
        .ok_or_else(|| Problem::not_found(&format!("client {client_id}")))
}

pub async fn show(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(client_id): Segments<String>,
) -> Result<Response, Problem> {
    actor.platform()?;
    Ok(Json(existing(&accounts, &client_id).await?).into_response())
}

/// The URIs and the name; `None` leaves a field as it is.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientChanges {
    name: Option<String>,
    redirect_uris: Option<Vec<String>>,
    post_logout_redirect_uris: Option<Vec<String>>,
    initiate_login_uri: Option<Option<String>>,
    backchannel_logout_uri: Option<Option<String>>,
}

pub async fn update(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(client_id): Segments<String>,
    JsonBody(changes): JsonBody<ClientChanges>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let client = existing(&accounts, &client_id).await?;
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
    let name = changes.name.unwrap_or(client.name);
    actor.accounts(&accounts).update_client(&client_id, &name, &metadata).await?;
    Ok(Json(existing(&accounts, &client_id).await?).into_response())
}

pub async fn rotate_secret(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(client_id): Segments<String>,
) -> Result<Response, Problem> {
    actor.platform()?;
    let secret = actor.accounts(&accounts).rotate_client_secret(&client_id).await?;
    Ok(Json(serde_json::json!({ "client_id": client_id, "client_secret": secret.expose() })).into_response())
}
