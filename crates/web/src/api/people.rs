//! `/api/v1/agents`, `/api/v1/teams`, `/api/v1/categories` and `/api/v1/custom-fields`:
//! everyone may read; admins change.

use crate::extract::{ApiJson, Auth, IdPath};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::categories::CategoryInput;
use kefu_app::custom_fields::CustomFieldInput;
use kefu_app::people::{AgentInput, TeamInput};
use kefu_domain::category::Category;
use kefu_domain::custom_field::CustomField;
use kefu_domain::entities::{Agent, Team};
use std::sync::Arc;

#[utoipa::path(get, path = "/api/v1/agents", tag = "people", responses((status = 200, body = Vec<Agent>)))]
pub async fn agents(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Agent>>> {
    Ok(Json(Arc::unwrap_or_clone(state.app.agents(&actor).await?)))
}

/// Add an agent (admins). They sign in with a password set from the command line or
/// with an API token.
#[utoipa::path(post, path = "/api/v1/agents", tag = "people", request_body = AgentInput,
    responses((status = 201, body = Agent), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn create_agent(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<AgentInput>,
) -> ApiResult<(StatusCode, Json<Agent>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_agent(&actor, input, None).await?)))
}

/// Change an agent (admins); agents may set their own `presence`.
#[utoipa::path(patch, path = "/api/v1/agents/{id}", tag = "people", params(("id" = i64, Path)), request_body = AgentInput,
    responses((status = 200, body = Agent), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update_agent(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<AgentInput>,
) -> ApiResult<Json<Agent>> {
    Ok(Json(state.app.update_agent(&actor, id, input).await?))
}

#[utoipa::path(get, path = "/api/v1/teams", tag = "people", responses((status = 200, body = Vec<Team>)))]
pub async fn teams(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Team>>> {
    Ok(Json(Arc::unwrap_or_clone(state.app.teams(&actor).await?)))
}

#[utoipa::path(post, path = "/api/v1/teams", tag = "people", request_body = TeamInput,
    responses((status = 201, body = Team), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn create_team(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<TeamInput>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_team(&actor, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "people", params(("id" = i64, Path)), request_body = TeamInput,
    responses((status = 200, body = Team), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update_team(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<TeamInput>,
) -> ApiResult<Json<Team>> {
    Ok(Json(state.app.update_team(&actor, id, input).await?))
}

/// The ticket categories in reading order (each parent before its children), retired ones
/// included (`active: false`).
#[utoipa::path(get, path = "/api/v1/categories", tag = "people", responses((status = 200, body = Vec<Category>)))]
pub async fn categories(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Category>>> {
    Ok(Json(Arc::unwrap_or_clone(state.app.categories(&actor).await?)))
}

/// Add a category (admins): `key` under `parent` (or a new root), names in both languages.
#[utoipa::path(post, path = "/api/v1/categories", tag = "people", request_body = CategoryInput,
    responses((status = 201, body = Category), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_category(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<CategoryInput>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_category(&actor, input).await?)))
}

/// Rename a category, or retire (`active: false`, with everything below it) or restore it
/// (admins). The code never changes.
#[utoipa::path(patch, path = "/api/v1/categories/{code}", tag = "people", params(("code" = String, Path)), request_body = CategoryInput,
    responses((status = 200, body = Category), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_category(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<CategoryInput>,
) -> ApiResult<Json<Category>> {
    Ok(Json(state.app.update_category(&actor, code, input).await?))
}

/// The custom ticket fields admins defined, in the order they were added (retired ones
/// with `active: false`). Their values live in a ticket's `custom` object under the key.
#[utoipa::path(get, path = "/api/v1/custom-fields", tag = "people", responses((status = 200, body = Vec<CustomField>)))]
pub async fn custom_fields(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<CustomField>>> {
    Ok(Json(Arc::unwrap_or_clone(state.app.custom_fields(&actor).await?)))
}

/// Define a custom field (admins).
#[utoipa::path(post, path = "/api/v1/custom-fields", tag = "people", request_body = CustomFieldInput,
    responses((status = 201, body = CustomField), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_custom_field(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<CustomFieldInput>,
) -> ApiResult<(StatusCode, Json<CustomField>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_custom_field(&actor, input).await?)))
}

/// Replace a custom field's definition (admins); the key never changes.
#[utoipa::path(put, path = "/api/v1/custom-fields/{key}", tag = "people", params(("key" = String, Path)), request_body = CustomFieldInput,
    responses((status = 200, body = CustomField), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_custom_field(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<CustomFieldInput>,
) -> ApiResult<Json<CustomField>> {
    Ok(Json(state.app.update_custom_field(&actor, key, input).await?))
}
