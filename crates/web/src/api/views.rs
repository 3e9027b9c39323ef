//! `/api/v1/views`: the signed-in agent's saved ticket-list views.

use crate::extract::{ApiJson, Auth, IdPath};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::saved_views::SaveView;
use kefu_domain::query::SavedView;

/// Your saved views, in the order saved.
#[utoipa::path(get, path = "/api/v1/views", tag = "tickets", responses((status = 200, body = Vec<SavedView>)))]
pub async fn list(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<SavedView>>> {
    Ok(Json(state.app.saved_views(&actor).await?))
}

/// Save a view: a name (unique among yours, ≤ 60 characters) and a ticket-list query
/// string (`GET /api/v1/tickets` parameters, checked as the list checks them; kept in a
/// canonical order; `cursor` and `limit` are not kept). At most 20 views.
#[utoipa::path(post, path = "/api/v1/views", tag = "tickets", request_body = SaveView,
    responses((status = 201, body = SavedView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<SaveView>,
) -> ApiResult<(StatusCode, Json<SavedView>)> {
    Ok((StatusCode::CREATED, Json(state.app.save_view(&actor, input).await?)))
}

/// Delete one of your views.
#[utoipa::path(delete, path = "/api/v1/views/{id}", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<StatusCode> {
    state.app.delete_view(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
