//! Macros (canned responses) over the API: listed for everyone, kept by supervisors.

use crate::extract::{ApiJson, Auth, IdPath};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::macros::MacroInput;
use kefu_domain::service::Macro;
use std::sync::Arc;

#[utoipa::path(get, path = "/api/v1/macros", tag = "macros", responses((status = 200, body = Vec<Macro>)))]
pub async fn list(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Macro>>> {
    Ok(Json(Arc::unwrap_or_clone(state.app.macros(&actor).await?)))
}

/// Adds a macro; both texts are minijinja templates with `customer.name`,
/// `ticket.number`, `ticket.subject` and `agent.name` in scope (supervisors).
#[utoipa::path(post, path = "/api/v1/macros", tag = "macros", request_body = MacroInput,
    responses((status = 201, body = Macro), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<MacroInput>,
) -> ApiResult<(StatusCode, Json<Macro>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_macro(&actor, input).await?)))
}

#[utoipa::path(put, path = "/api/v1/macros/{id}", tag = "macros", params(("id" = i64, Path)), request_body = MacroInput,
    responses((status = 200, body = Macro), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<MacroInput>,
) -> ApiResult<Json<Macro>> {
    Ok(Json(state.app.update_macro(&actor, id, input).await?))
}

#[utoipa::path(delete, path = "/api/v1/macros/{id}", tag = "macros", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<StatusCode> {
    state.app.delete_macro(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
