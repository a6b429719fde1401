//! A provider's users (T2, T3): create with a temporary password shown once, A1's actions, S1's
//! per-user switch, T4's per-application status, the user-administrator role, and "sign out
//! everywhere" (L6).

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
use crate::accounts::admin::UserUpdate;
use crate::accounts::admin::WithPassword;
use crate::accounts::admin::{StatusChange, temporary_password};
use crate::accounts::session::LiveSession;
use crate::domain::application::ApplicationAccess;
use crate::domain::listing::Listing;
use crate::domain::user::{User, UserStatus, UserType};
use crate::domain::user_search::UserSearch;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// Part of a login name (case-insensitive), at most 64 characters.
    q: Option<String>,
    /// Only people of this status.
    #[param(value_type = Option<UserStatus>)]
    status: Option<String>,
    /// Only people of this type.
    #[param(value_type = Option<UserType>)]
    user_type: Option<String>,
    /// Only people with (`true`) or without (`false`) an authenticator app or a passkey.
    second_factor: Option<bool>,
    /// The `next_cursor` or `previous_cursor` of a page of the same list.
    cursor: Option<String>,
    /// 1–200 (default 50).
    limit: Option<u64>,
}

impl Search {
    fn read(&self) -> Result<UserSearch, Problem> {
        let mut search = UserSearch::containing(self.q.as_deref().unwrap_or_default())
            .ok_or_else(|| Problem::field("q", format!("at most {} characters", UserSearch::MAX_CHARS)))?;
        if let Some(text) = &self.status {
            let status = UserStatus::parse(text).ok_or_else(|| {
                Problem::field("status", "use active, password_locked, admin_locked, deactivated or deleted")
            })?;
            search.status = Some(status);
        }
        if self.user_type.is_some() {
            search.user_type = Some(user_type(self.user_type.as_deref())?);
        }
        search.second_factor = self.second_factor;
        Ok(search)
    }
}

#[utoipa::path(
    get,
    path = "/providers/{code}/users",
    operation_id = "list_users",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), Search),
    responses((status = 200, description = "One page of the provider's users, by login name", body = Listing<User>), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(code): Segments<String>,
    QueryOf(query): QueryOf<Search>,
) -> Result<Response, Problem> {
    let search = query.read()?;
    let (from, limit) = page_of(query.cursor.as_deref(), query.limit)?;
    let tenant = actor.provider(&accounts, &code).await?;
    let page = actor
        .accounts(&accounts)
        .users_page(&tenant, &search, &from, limit)
        .await
        .map_err(crate::accounts::Internal::from)?;
    Ok(Json(page).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 1-128 characters; beyond printable ASCII, letters of one alphabet (T2, issue 25).
    login_name: String,
    /// `regular` (default), `provider_admin`, `super_admin`.
    #[serde(default)]
    #[schema(value_type = Option<UserType>)]
    user_type: Option<String>,
}

/// A1's status changes, as the body names them.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // the document's enum: the handler reads the text, to name the field when wrong
enum ActionName {
    Unlock,
    AdminLock,
    Deactivate,
    Reactivate,
    Delete,
}

/// T4's per-application statuses, as the body names them.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // the document's enum, as `ActionName`
enum AccessName {
    Active,
    AdminLocked,
    PasswordLocked,
    Deactivated,
}

fn user_type(text: Option<&str>) -> Result<UserType, Problem> {
    match text {
        None => Ok(UserType::Regular),
        Some(t) => {
            UserType::parse(t).ok_or_else(|| Problem::field("user_type", "use regular, provider_admin or super_admin"))
        }
    }
}

#[utoipa::path(
    post,
    path = "/providers/{code}/users",
    operation_id = "create_user",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME")),
    request_body = NewUser,
    responses((status = 201, description = "Created; the temporary password is shown only here", body = WithPassword), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn create(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments(code): Segments<String>,
    JsonBody(body): JsonBody<NewUser>,
) -> Result<Response, Problem> {
    let tenant = actor.provider(&accounts, &code).await?;
    let kind = user_type(body.user_type.as_deref())?;
    let password = temporary_password(tenant.password_policy.min_length);
    let user = actor
        .accounts(&accounts)
        .create_user(tenant.provider_code.as_str(), &body.login_name, kind, &password, true)
        .await?;
    let shown = WithPassword { user, temporary_password: password.expose().to_string() };
    Ok((StatusCode::CREATED, Json(shown)).into_response())
}

#[utoipa::path(
    get,
    path = "/providers/{code}/users/{login}",
    operation_id = "show_user",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    responses((status = 200, description = "The user", body = User), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn show(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    let (_, user) = actor.user(&accounts, &code, &login).await?;
    Ok(Json(user).into_response())
}

/// A1: a new temporary password, also on a locked account; the user chooses their own at next
/// sign-in (L4), and every session and token of the old one ends.
#[utoipa::path(
    post,
    path = "/providers/{code}/users/{login}/password",
    operation_id = "reset_user_password",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    responses((status = 200, description = "A new temporary password, shown only here", body = WithPassword), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn reset_password(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    let (tenant, user) = actor.user(&accounts, &code, &login).await?;
    let password = temporary_password(tenant.password_policy.min_length);
    let user = actor
        .accounts(&accounts)
        .set_password(tenant.provider_code.as_str(), user.login_name.as_str(), &password, true)
        .await?;
    Ok(Json(WithPassword { user, temporary_password: password.expose().to_string() }).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusAction {
    /// `unlock`, `admin_lock`, `deactivate`, `reactivate`, `delete`.
    #[schema(value_type = ActionName)]
    action: String,
}

/// A1: unlock, admin-lock, deactivate, reactivate, delete.
#[utoipa::path(
    post,
    path = "/providers/{code}/users/{login}/status",
    operation_id = "change_user_status",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    request_body = StatusAction,
    responses((status = 200, description = "The user afterwards", body = User), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn change_status(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
    JsonBody(body): JsonBody<StatusAction>,
) -> Result<Response, Problem> {
    let change = match body.action.as_str() {
        "unlock" => StatusChange::Unlock,
        "admin_lock" => StatusChange::AdminLock,
        "deactivate" => StatusChange::Deactivate,
        "reactivate" => StatusChange::Reactivate,
        "delete" => StatusChange::Delete,
        _ => return Err(Problem::field("action", "use unlock, admin_lock, deactivate, reactivate or delete")),
    };
    let (tenant, user) = actor.user(&accounts, &code, &login).await?;
    let user = actor
        .accounts(&accounts)
        .change_status(tenant.provider_code.as_str(), user.login_name.as_str(), change)
        .await?;
    Ok(Json(user).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    /// S1: self password reset for this user.
    self_reset_enabled: Option<bool>,
    /// An unverified address (self reset ignores it until the user confirms it, S2).
    email: Option<String>,
    /// T2: the user-administrator role (provider admins and platform operators only).
    user_administrator: Option<bool>,
    /// T2: `regular`, `provider_admin`, `super_admin` (provider admins and platform operators only).
    #[schema(value_type = Option<UserType>)]
    user_type: Option<String>,
    /// Administers Lanyard itself (platform operators only).
    platform_operator: Option<bool>,
}

#[utoipa::path(
    patch,
    path = "/providers/{code}/users/{login}",
    operation_id = "update_user",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    request_body = UserChanges,
    responses((status = 200, description = "The user afterwards", body = User), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn update(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
    JsonBody(changes): JsonBody<UserChanges>,
) -> Result<Response, Problem> {
    let user_type = match &changes.user_type {
        Some(t) => Some(user_type(Some(t))?),
        None => None,
    };
    let update = UserUpdate {
        email: changes.email,
        self_reset_enabled: changes.self_reset_enabled,
        is_user_admin: changes.user_administrator,
        user_type,
        is_platform_operator: changes.platform_operator,
    };
    Ok(Json(actor.accounts(&accounts).update_user(&code, &login, &update).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppAccess {
    /// `active`, `admin_locked`, `password_locked`, `deactivated`.
    #[schema(value_type = AccessName)]
    status: String,
}

/// T4: the user's status in each application the provider uses.
#[utoipa::path(
    get,
    path = "/providers/{code}/users/{login}/applications",
    operation_id = "list_user_applications",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    responses((status = 200, description = "Each application and the user's status in it", body = Vec<ApplicationAccess>), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list_app_access(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    let (tenant, user) = actor.user(&accounts, &code, &login).await?;
    let apps =
        actor.accounts(&accounts).user_applications(tenant.provider_code.as_str(), user.login_name.as_str()).await?;
    Ok(Json(apps).into_response())
}

/// T4: the user's status in one application (not the console: that is the user's role).
#[utoipa::path(
    put,
    path = "/providers/{code}/users/{login}/applications/{client_id}",
    operation_id = "set_user_application_access",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice"), ("client_id" = String, Path, description = "Client id", example = "ops")),
    request_body = AppAccess,
    responses((status = 200, description = "The user", body = User), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn set_app_access(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login, client_id)): Segments<(String, String, String)>,
    JsonBody(body): JsonBody<AppAccess>,
) -> Result<Response, Problem> {
    let (tenant, user) = actor.user(&accounts, &code, &login).await?;
    // Only an application this provider uses: another agency's client ids are not confirmed.
    let serves = actor
        .accounts(&accounts)
        .client_registration(&client_id)
        .await
        .map_err(crate::accounts::Internal::from)?
        .is_some_and(|c| c.serves(tenant.id) && c.client_id != crate::domain::application::CONSOLE_CLIENT_ID);
    if !serves {
        return Err(Problem::not_found(&format!("client {client_id}")));
    }
    let user = actor
        .accounts(&accounts)
        .set_app_access(tenant.provider_code.as_str(), user.login_name.as_str(), &client_id, &body.status)
        .await?;
    Ok(Json(user).into_response())
}

#[utoipa::path(
    get,
    path = "/providers/{code}/users/{login}/sessions",
    operation_id = "list_user_sessions",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    responses((status = 200, description = "The user's live Lanyard sessions, newest first", body = Vec<LiveSession>), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list_sessions(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    let (tenant, user) = actor.user(&accounts, &code, &login).await?;
    let sessions =
        actor.accounts(&accounts).user_sessions(tenant.provider_code.as_str(), user.login_name.as_str()).await?;
    Ok(Json(sessions).into_response())
}

/// L6: every session and token of the user ends; applications are told.
#[utoipa::path(
    delete,
    path = "/providers/{code}/users/{login}/sessions",
    operation_id = "sign_out_user_everywhere",
    tag = "users",
    params(("code" = String, Path, description = "Provider code (case-sensitive, T1)", example = "ACME"), ("login" = String, Path, description = "Login name (compared case-insensitively, T2)", example = "alice")),
    responses((status = 204, description = "Every session and token ended"), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn sign_out_everywhere(
    State(accounts): State<Accounts>,
    actor: Actor,
    Segments((code, login)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    let (tenant, user) = actor.user(&accounts, &code, &login).await?;
    actor.accounts(&accounts).sign_out_everywhere(tenant.provider_code.as_str(), user.login_name.as_str()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    get,
    path = "/operators",
    operation_id = "list_platform_operators",
    tag = "users",
    responses((status = 200, description = "Every person who is a platform operator", body = Vec<User>), (status = "4XX", description = "Problem details (RFC 9457)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn list_operators(State(accounts): State<Accounts>, actor: Actor) -> Result<Response, Problem> {
    actor.platform()?;
    Ok(Json(actor.accounts(&accounts).platform_operators().await?).into_response())
}
