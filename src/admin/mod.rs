//! The administration API, `/admin/api/v1`, JSON: providers, their users and activity, client
//! applications. Everything the CLI does for an operator with a shell, over HTTP for the people
//! of A1–A3, S1, T2, T4 and for automation — calling the same `accounts` functions, so each rule
//! has one implementation. Every request is authorised from its bearer token (`actor`); every
//! error is RFC 9457 problem details (`problem`); every change is in the activity record with
//! who made it.

pub mod activity;
pub mod actor;
pub mod clients;
pub mod contract;
pub mod extract;
pub mod invitations;
pub mod key_models;
pub mod maintenance;
pub mod me;
pub mod paging;
pub mod problem;
pub mod providers;
pub mod recovery;
pub mod second_factors;
pub mod users;

use axum::Router;
use axum::extract::FromRef;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::Accounts;
use crate::http::Site;
use crate::http::bearer::Bearer;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lanyard administration API",
        version = "1",
        description = "Providers, their users and activity, and client applications. Authenticate with a Lanyard access token carrying the `admin` scope."
    ),
    modifiers(&BearerAuth),
    components(schemas(problem::Problem))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        openapi.components.get_or_insert_with(Default::default).add_security_scheme("bearer", scheme);
    }
}

/// The routes and the OpenAPI document, from the same declarations: they cannot drift apart.
fn api<S>() -> (Router<S>, utoipa::openapi::OpenApi)
where
    S: Clone + Send + Sync + 'static,
    Accounts: FromRef<S>,
    Bearer: FromRef<S>,
    Site: FromRef<S>,
{
    let v1 = OpenApiRouter::new()
        .routes(routes!(providers::list, providers::create))
        .routes(routes!(providers::show, providers::update))
        .routes(routes!(key_models::list))
        .routes(routes!(key_models::put, key_models::remove))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::show, users::update))
        .routes(routes!(users::reset_password))
        .routes(routes!(users::change_status))
        .routes(routes!(users::list_sessions, users::sign_out_everywhere))
        .routes(routes!(users::list_app_access))
        .routes(routes!(second_factors::show, second_factors::reset))
        .routes(routes!(users::set_app_access))
        .routes(routes!(me::show))
        .routes(routes!(maintenance::show, maintenance::start, maintenance::end))
        .routes(routes!(invitations::list, invitations::create))
        .routes(routes!(invitations::resend))
        .routes(routes!(invitations::revoke))
        .routes(routes!(invitations::send_reset_link))
        .routes(routes!(activity::list))
        .routes(routes!(activity::export))
        .routes(routes!(clients::list, clients::create))
        .routes(routes!(clients::show, clients::update, clients::delete))
        .routes(routes!(clients::rotate_secret))
        .routes(routes!(users::list_operators))
        .routes(routes!(recovery::list))
        .routes(routes!(recovery::approve))
        .routes(routes!(recovery::refuse))
        .routes(routes!(recovery::withdraw));
    let (v1, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/admin/api/v1", v1).split_for_parts();
    (v1, doc)
}

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Accounts: FromRef<S>,
    Bearer: FromRef<S>,
    Site: FromRef<S>,
{
    let (v1, doc) = api::<S>();
    let doc = serde_json::to_value(&doc).map(contract::complete).unwrap_or_default();
    let doc: std::sync::Arc<str> = serde_json::to_string(&doc).unwrap_or_default().into();
    v1.route("/admin/api/openapi.json", get(move || openapi_json(doc.clone())))
        .route("/admin/api/v1/{*rest}", axum::routing::any(|| async { problem::Problem::not_found("this API path") }))
}

async fn openapi_json(doc: std::sync::Arc<str>) -> Response {
    let mut res = doc.to_string().into_response();
    res.headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    res
}
