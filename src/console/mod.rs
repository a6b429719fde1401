//! The administration console at `/admin`: server-rendered pages for providers' administrators
//! and platform operators. It is an OpenID Connect client of this Lanyard (`sign_in`):
//! administrators sign in on the ordinary sign-in page, so L1–L4 apply to them, and every page
//! acts through the administration API with the administrator's own access token (`api`). What
//! a person may see and do is therefore decided by the API's role checks alone; the console
//! only chooses what to show. It imports neither `admin` nor `oidc`: it speaks HTTP to them, in
//! process.

mod activity;
mod api;
mod applications;
mod invitations;
mod providers;
mod requests;
mod second_factors;
mod session;
mod sign_in;
mod users;
mod view;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::domain::application::CONSOLE_CLIENT_ID;
use crate::http::Site;
use crate::secret::{Mac, Sealer, Secret};

/// The console's state: the API it calls, the browser-facing site, and its own client's keys.
#[derive(Clone)]
pub struct Console(Arc<Inner>);

pub struct Inner {
    api: api::Api,
    site: Site,
    issuer: String,
    secret: Secret,
    /// Seals the console's cookies (the administrator's token, the sign-in in progress, flash
    /// messages): the browser holds them but can neither read nor forge them.
    sealer: Sealer,
}

impl std::ops::Deref for Console {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Console {
    /// `api`: the protocol's and the administration API's routes, called in process.
    pub fn new(api: Router, site: Site, issuer: &str, mac: &Mac) -> Self {
        let sealer = Sealer::new(&mac.sign("console cookies", CONSOLE_CLIENT_ID));
        Console(Arc::new(Inner {
            api: api::Api::new(api),
            site,
            issuer: issuer.to_string(),
            secret: client_secret(mac),
            sealer,
        }))
    }

    fn redirect_uri(&self) -> String {
        format!("{}/admin/callback", self.issuer)
    }
}

/// The console client's secret: every process derives the same one from the secret key, and
/// `accounts::console_client` registers its hash.
pub fn client_secret(mac: &Mac) -> Secret {
    Secret::new(mac.sign("console client secret", CONSOLE_CLIENT_ID))
}

pub fn routes(console: Console) -> Router {
    let user = "/admin/providers/{code}/users/{login}";
    Router::new()
        .route("/admin", get(providers::home))
        .route("/admin/sign-in", get(sign_in::start))
        .route("/admin/callback", get(sign_in::callback))
        .route("/admin/sign-out", post(sign_in::sign_out))
        .route("/admin/providers/{code}/users", get(users::list).post(users::create))
        .route(user, get(users::show))
        .route(&format!("{user}/status"), post(users::change_status))
        .route(&format!("{user}/password"), post(users::reset_password))
        .route(&format!("{user}/self-reset"), post(users::self_reset))
        .route(&format!("{user}/role"), post(users::role))
        .route(&format!("{user}/sign-out"), post(users::sign_out_everywhere))
        .route(&format!("{user}/second-factors"), post(second_factors::reset))
        .route(&format!("{user}/applications/{{client_id}}"), post(users::app_access))
        .route(&format!("{user}/reset-link"), post(invitations::send_reset_link))
        .route("/admin/providers/{code}/invitations", get(invitations::list).post(invitations::invite))
        .route("/admin/providers/{code}/invitations/{id}/{what}", post(invitations::decide))
        .route("/admin/providers/{code}/settings", get(providers::settings).post(providers::save_settings))
        .route("/admin/providers/{code}/activity", get(activity::list))
        .route("/admin/providers/{code}/activity.csv", get(activity::csv))
        .route("/admin/applications", get(applications::list).post(applications::register))
        .route("/admin/applications/{client_id}", get(applications::show).post(applications::update))
        .route("/admin/applications/{client_id}/secret", post(applications::rotate))
        .route("/admin/applications/{client_id}/disabled", post(applications::switch))
        .route("/admin/requests", get(requests::list))
        .route("/admin/requests/{id}/{decision}", post(requests::decide))
        .route("/static/console.js", get(view::script))
        .with_state(console)
}
