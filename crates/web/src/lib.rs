//! Kefu's HTTP front end: the REST API and the web UI. Handlers parse the request, call a
//! use case, and render JSON or HTML; they hold no SQL and no business rules.

pub mod api;
mod extract;
mod problem;
mod state;
pub mod ui;
mod upload;

rust_i18n::i18n!("locales", fallback = "en");

pub use problem::{ApiError, Problem};
pub use state::AppState;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use kefu_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The largest request body accepted (the API's default limit).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The whole HTTP application.
pub fn router(app: App, metrics: PrometheusHandle) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let state = AppState::new(app, metrics);
    Router::new()
        .merge(api::routes())
        .merge(ui::routes(state.clone()))
        .route("/healthz", get(healthz))
        .route("/metrics", get(render_metrics))
        .fallback(not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error").into_response()
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Liveness and database reachability.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.app.db().ping().await {
        Ok(()) => (StatusCode::OK, axum::Json(serde_json::json!({ "status": "ok" }))).into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database does not answer").into_response()
        }
    }
}

async fn render_metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}
