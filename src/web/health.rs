//! `/healthz`: the process answers. `/readyz`: the database and the ephemeral store answer too,
//! so a load balancer only routes to nodes that can serve (M2 builds its status page on these).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::accounts::Accounts;

pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// M1: during maintenance the node stays in the load balancer (200, "maintenance"), so people get
/// the downtime notice rather than the balancer's own error page.
pub async fn readyz(State(accounts): State<Accounts>) -> (StatusCode, Json<serde_json::Value>) {
    let (r, maintenance) = tokio::join!(accounts.operations().readiness(), accounts.maintenance_now());
    let word = |r: &Result<(), _>| if r.is_ok() { "ok" } else { "unavailable" };
    let ready = r.database.is_ok() && r.ephemeral_store.is_ok();
    crate::telemetry::metrics::dependency_up("database", r.database.is_ok());
    crate::telemetry::metrics::dependency_up("ephemeral", r.ephemeral_store.is_ok());
    crate::telemetry::metrics::maintenance(maintenance.is_some());
    let status = match (ready, maintenance.is_some()) {
        (false, _) => "unavailable",
        (true, true) => "maintenance",
        (true, false) => "ok",
    };
    let body = json!({
        "status": status,
        "database": word(&r.database),
        "ephemeral": word(&r.ephemeral_store),
    });
    for e in [r.database.err(), r.ephemeral_store.err()].into_iter().flatten() {
        tracing::warn!(error = %e, "readiness check failed");
    }
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body))
}
