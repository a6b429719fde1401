//! Prometheus metrics (`/metrics`): the `metrics` facade, rendered by
//! `metrics-exporter-prometheus`. One recorder per process (the facade is global), installed the
//! first time a server is built; every other module records through the named functions here,
//! so the metric names and their labels live in one file and README lists them from it.

use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Seconds: from a fast cache hit to a slow argon2 queue.
const BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Installs the recorder (once per process); `None` if another recorder got there first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS);
            let handle = builder.ok()?.install_recorder().ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

/// The text exposition format.
pub fn render() -> String {
    handle().map(PrometheusHandle::render).unwrap_or_default()
}

fn describe() {
    describe_counter!("lanyard_http_requests_total", "HTTP requests answered, by route, method and status");
    describe_histogram!("lanyard_http_request_duration_seconds", "Time to answer, by route");
    describe_counter!(
        "lanyard_activity_total",
        "Activity-record entries written, by kind (sign_in, sign_in_failed, locked, password_reset, unified_login_started, …)"
    );
    describe_counter!("lanyard_sign_in_failures_total", "Refused sign-ins, by cause");
    describe_counter!(
        "lanyard_hash_overloaded_total",
        "Password checks refused at once because the hash pool and its queue were full"
    );
    describe_gauge!("lanyard_hash_in_flight", "Password hashes running or waiting for a hash thread");
    describe_histogram!("lanyard_hash_wait_seconds", "Time a password hash waited for a hash thread");
    describe_histogram!("lanyard_store_commit_seconds", "SQLite: time to commit one group of queued writes");
    describe_histogram!("lanyard_store_commit_batch", "SQLite: writes committed together");
    describe_counter!(
        "lanyard_internal_errors_total",
        "Requests answered 500 (a store, hash or mail failure), by surface"
    );
    describe_counter!("lanyard_mail_total", "Mail delivery outcomes (sent, failed)");
    describe_gauge!(
        "lanyard_dependency_up",
        "1 when the last readiness check reached the dependency (database, ephemeral)"
    );
    describe_gauge!("lanyard_maintenance", "1 while a maintenance window is in force");
}

pub fn request(route: String, method: &str, status: u16, took: Duration) {
    counter!("lanyard_http_requests_total", "route" => route.clone(), "method" => method.to_string(), "status" => status.to_string())
        .increment(1);
    histogram!("lanyard_http_request_duration_seconds", "route" => route).record(took.as_secs_f64());
}

pub fn activity(kind: &'static str) {
    counter!("lanyard_activity_total", "kind" => kind).increment(1);
}

pub fn sign_in_failure(cause: &'static str) {
    counter!("lanyard_sign_in_failures_total", "cause" => cause).increment(1);
}

pub fn hash_overloaded() {
    counter!("lanyard_hash_overloaded_total").increment(1);
}

pub fn hash_in_flight(n: usize) {
    gauge!("lanyard_hash_in_flight").set(n as f64);
}

pub fn hash_waited(took: Duration) {
    histogram!("lanyard_hash_wait_seconds").record(took.as_secs_f64());
}

pub fn store_commit(batch: usize, took: Duration) {
    histogram!("lanyard_store_commit_seconds").record(took.as_secs_f64());
    histogram!("lanyard_store_commit_batch").record(batch as f64);
}

pub fn internal_error(surface: &'static str) {
    counter!("lanyard_internal_errors_total", "surface" => surface).increment(1);
}

pub fn mail(outcome: &'static str) {
    counter!("lanyard_mail_total", "outcome" => outcome).increment(1);
}

pub fn dependency_up(dependency: &'static str, up: bool) {
    gauge!("lanyard_dependency_up", "dependency" => dependency).set(if up { 1.0 } else { 0.0 });
}

pub fn maintenance(on: bool) {
    gauge!("lanyard_maintenance").set(if on { 1.0 } else { 0.0 });
}

/// Every routed request: its route (the pattern, never the raw path: bounded labels), method,
/// status and time.
pub async fn track(req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = match req.method().as_str() {
        // Bounded labels: a client may send any token as its method.
        m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => m.to_string(),
        _ => "other".to_string(),
    };
    let began = crate::clock::monotonic_now();
    let res = next.run(req).await;
    request(route, &method, res.status().as_u16(), began.elapsed());
    res
}
