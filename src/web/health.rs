//! `/healthz`: the process answers. `/readyz`: the database and the ephemeral store answer too,
//! so a load balancer only routes to nodes that can serve (M2 builds its status page on these).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::app::AppState;

pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let (db, eph) = tokio::join!(state.accounts.store.ping(), state.accounts.ephemeral.ping());
    let word = |r: &Result<(), _>| if r.is_ok() { "ok" } else { "unavailable" };
    let ready = db.is_ok() && eph.is_ok();
    let body = json!({
        "status": if ready { "ok" } else { "unavailable" },
        "database": word(&db),
        "ephemeral": word(&eph),
    });
    for e in [db.err(), eph.err()].into_iter().flatten() {
        tracing::warn!(error = %e, "readiness check failed");
    }
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body))
}
