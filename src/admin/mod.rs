//! The administration API, `/admin/api/v1`, JSON: providers, their users and activity, client
//! applications. Everything the CLI does for an operator with a shell, over HTTP for the people
//! of A1–A3, S1, T2, T4 and for automation — calling the same `accounts` functions, so each rule
//! has one implementation. Every request is authorised from its bearer token (`actor`); every
//! error is RFC 9457 problem details (`problem`); every change is in the activity record with
//! who made it.

pub mod activity;
pub mod actor;
pub mod clients;
pub mod extract;
pub mod problem;
pub mod providers;
pub mod users;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post, put};

use crate::accounts::Accounts;
use crate::http::Site;
use crate::http::bearer::Bearer;

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Accounts: FromRef<S>,
    Bearer: FromRef<S>,
    Site: FromRef<S>,
{
    let v1 = Router::new()
        .route("/providers", get(providers::list).post(providers::create))
        .route("/providers/{code}", get(providers::show).patch(providers::update))
        .route("/providers/{code}/users", get(users::list).post(users::create))
        .route("/providers/{code}/users/{login}", get(users::show).patch(users::update))
        .route("/providers/{code}/users/{login}/password", post(users::reset_password))
        .route("/providers/{code}/users/{login}/status", post(users::change_status))
        .route("/providers/{code}/users/{login}/sessions", axum::routing::delete(users::sign_out_everywhere))
        .route("/providers/{code}/users/{login}/applications/{client_id}", put(users::set_app_access))
        .route("/providers/{code}/activity", get(activity::list))
        .route("/providers/{code}/activity.{format}", get(activity::export))
        .route("/clients", get(clients::list).post(clients::create))
        .route("/clients/{client_id}", get(clients::show).patch(clients::update))
        .route("/clients/{client_id}/secret", post(clients::rotate_secret))
        .fallback(|| async { problem::Problem::not_found("this API path") });
    Router::new().nest("/admin/api/v1", v1)
}
