//! Search and the knowledge base over the API. Agents search what their role lets them
//! see and write articles; reviewers publish. The help-center endpoints need no token and
//! reach only published, public articles.

use crate::extract::{ApiJson, ApiQuery, Auth, IdPath};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::knowledge::{ArticleInput, ArticleListParams, CategoryInput};
use kefu_app::search::SearchParams;
use kefu_domain::knowledge::{Article, ArticleVersion, KbCategory};
use kefu_search::SearchResults;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Searches tickets (subject, messages, internal notes), customers (name, e-mail, phone,
/// organization) or knowledge articles, in Chinese, English or both. Results are only
/// what the caller may see; facets count the matches by status, team, kind, category.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchResults), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResults>> {
    Ok(Json(state.app.search(&actor, params).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct HelpSearchParams {
    #[serde(default)]
    pub q: String,
    /// `zh` or `en`.
    pub lang: Option<String>,
    pub limit: Option<usize>,
}

/// Searches the help center: published articles that are not internal. No token needed.
#[utoipa::path(get, path = "/api/v1/help/search", tag = "search", params(HelpSearchParams), security(()),
    responses((status = 200, body = SearchResults), (status = 422, body = Problem)))]
pub async fn help_search(State(state): State<AppState>, ApiQuery(params): ApiQuery<HelpSearchParams>) -> ApiResult<Json<SearchResults>> {
    let limit = params.limit.unwrap_or(10).clamp(1, 50);
    Ok(Json(state.app.search_help_center(&params.q, params.lang.as_deref(), limit).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchMiss {
    pub query: String,
    pub count: i64,
    pub last_at: String,
}

/// The help center's most frequent searches that found nothing: what to write next
/// (supervisors).
#[utoipa::path(get, path = "/api/v1/search/misses", tag = "search", responses((status = 200, body = Vec<SearchMiss>)))]
pub async fn misses(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<SearchMiss>>> {
    let misses = state.app.search_misses(&actor).await?;
    Ok(Json(
        misses
            .into_iter()
            .map(|(query, count, at)| SearchMiss {
                query,
                count,
                last_at: at.to_string(),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/kb/categories", tag = "knowledge", responses((status = 200, body = Vec<KbCategory>)))]
pub async fn categories(State(state): State<AppState>, Auth(_actor): Auth) -> ApiResult<Json<Vec<KbCategory>>> {
    Ok(Json(state.app.kb_categories().await?))
}

/// Adds a category, or renames the one at `path` (reviewers).
#[utoipa::path(post, path = "/api/v1/kb/categories", tag = "knowledge", request_body = CategoryInput,
    responses((status = 200, body = KbCategory), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn save_category(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<CategoryInput>,
) -> ApiResult<Json<KbCategory>> {
    Ok(Json(state.app.save_kb_category(&actor, input).await?))
}

#[utoipa::path(get, path = "/api/v1/articles", tag = "knowledge", params(ArticleListParams), responses((status = 200, body = Vec<Article>)))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<ArticleListParams>,
) -> ApiResult<Json<Vec<Article>>> {
    Ok(Json(state.app.articles(&actor, params).await?))
}

/// Writes a draft (any agent); `translation_of` links it as a language version.
#[utoipa::path(post, path = "/api/v1/articles", tag = "knowledge", request_body = ArticleInput,
    responses((status = 201, body = Article), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<ArticleInput>,
) -> ApiResult<(StatusCode, Json<Article>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_article(&actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, body = Article), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<Json<Article>> {
    Ok(Json(state.app.article(&actor, id).await?))
}

/// Changes an article; a changed title, body or tags is saved as a new version.
#[utoipa::path(patch, path = "/api/v1/articles/{id}", tag = "knowledge", params(("id" = i64, Path)), request_body = ArticleInput,
    responses((status = 200, body = Article), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ArticleInput>,
) -> ApiResult<Json<Article>> {
    Ok(Json(state.app.update_article(&actor, id, input).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusInput {
    /// `draft`, `in_review`, `published` or `archived`.
    pub status: String,
}

/// Moves an article through review: authors propose (`in_review`), reviewers publish and
/// archive.
#[utoipa::path(post, path = "/api/v1/articles/{id}/status", tag = "knowledge", params(("id" = i64, Path)), request_body = StatusInput,
    responses((status = 200, body = Article), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn set_status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<StatusInput>,
) -> ApiResult<Json<Article>> {
    Ok(Json(state.app.set_article_status(&actor, id, &input.status).await?))
}

#[utoipa::path(get, path = "/api/v1/articles/{id}/versions", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ArticleVersion>), (status = 404, body = Problem)))]
pub async fn versions(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<Json<Vec<ArticleVersion>>> {
    Ok(Json(state.app.article_versions(&actor, id).await?))
}

/// Makes an earlier version's text current again, as a new version.
#[utoipa::path(post, path = "/api/v1/articles/{id}/versions/{version}/restore", tag = "knowledge",
    params(("id" = i64, Path), ("version" = i64, Path)),
    responses((status = 200, body = Article), (status = 404, body = Problem)))]
pub async fn restore(State(state): State<AppState>, Auth(actor): Auth, Path((id, version)): Path<(i64, i64)>) -> ApiResult<Json<Article>> {
    Ok(Json(state.app.restore_article_version(&actor, id, version).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedbackInput {
    pub helpful: bool,
    /// Why not, in the reader's words.
    pub reason: Option<String>,
}

/// "Did this help?" for a published, public article. No token needed.
#[utoipa::path(post, path = "/api/v1/help/articles/{id}/feedback", tag = "knowledge", params(("id" = i64, Path)), request_body = FeedbackInput,
    security(()), responses((status = 204), (status = 404, body = Problem)))]
pub async fn feedback(State(state): State<AppState>, IdPath(id): IdPath, ApiJson(input): ApiJson<FeedbackInput>) -> ApiResult<StatusCode> {
    state.app.article_feedback(id, input.helpful, input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
