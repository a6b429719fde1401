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

pub async fn readyz(State(accounts): State<Accounts>) -> (StatusCode, Json<serde_json::Value>) {
    let r = accounts.readiness().await;
    let word = |r: &Result<(), _>| if r.is_ok() { "ok" } else { "unavailable" };
    let ready = r.database.is_ok() && r.ephemeral_store.is_ok();
    let body = json!({
        "status": if ready { "ok" } else { "unavailable" },
        "database": word(&r.database),
        "ephemeral": word(&r.ephemeral_store),
    });
    for e in [r.database.err(), r.ephemeral_store.err()].into_iter().flatten() {
        tracing::warn!(error = %e, "readiness check failed");
    }
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body))
}
