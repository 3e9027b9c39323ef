//! Analytics over the API: KPI reports, the live dashboard, and the arrivals forecast with
//! the staff it needs (supervisors and admins).

use crate::extract::{ApiQuery, Auth};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use kefu_app::analytics::{Dashboard, KpiParams, KpiReport};
use kefu_app::deflection::{DeflectionParams, DeflectionReport};
use kefu_app::hot_issues::{HotParams, HotReport};
use kefu_app::leaderboard::{Leaderboard, LeaderboardParams};
use kefu_app::staffing::{StaffingParams, StaffingPlan};

/// KPIs over a range of days (the reporting zone's days, both ends included), filtered
/// and grouped, with the previous range of the same length. Definitions: docs/kpis.md.
#[utoipa::path(get, path = "/api/v1/analytics/kpis", tag = "analytics", params(KpiParams),
    responses((status = 200, body = KpiReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn kpis(State(state): State<AppState>, Auth(actor): Auth, ApiQuery(params): ApiQuery<KpiParams>) -> ApiResult<Json<KpiReport>> {
    Ok(Json(state.app.kpi_report(&actor, params).await?))
}

/// The department now (backlog, SLA risk, agents and their load) and today so far
/// against the same hours a week before.
#[utoipa::path(get, path = "/api/v1/analytics/dashboard", tag = "analytics",
    responses((status = 200, body = Dashboard), (status = 403, body = Problem)))]
pub async fn dashboard(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Dashboard>> {
    Ok(Json(state.app.dashboard(&actor).await?))
}

/// Tickets expected per hour for the next 14 days (with an interval), and the agents and
/// headcount each hour needs for the service-level target (Erlang C with shrinkage).
#[utoipa::path(get, path = "/api/v1/analytics/staffing", tag = "analytics", params(StaffingParams),
    responses((status = 200, body = StaffingPlan), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn staffing(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<StaffingParams>,
) -> ApiResult<Json<StaffingPlan>> {
    Ok(Json(state.app.staffing_plan(&actor, params).await?))
}

/// Hot issues: categories, tags, products and words of new tickets rising now against
/// the same hours of the last four weeks, with the newest tickets behind each, and the
/// alerts raised in the last seven days. Rules: docs/kpis.md, "Hot issues".
#[utoipa::path(get, path = "/api/v1/analytics/hot", tag = "analytics", params(HotParams),
    responses((status = 200, body = HotReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn hot(State(state): State<AppState>, Auth(actor): Auth, ApiQuery(params): ApiQuery<HotParams>) -> ApiResult<Json<HotReport>> {
    Ok(Json(state.app.hot_issues(&actor, params).await?))
}

/// Per agent over a range of days (default the last 30): tickets resolved, replies,
/// first-response median, first-contact resolution, CSAT with its answers, commitments
/// kept and broken; most resolved first.
#[utoipa::path(get, path = "/api/v1/analytics/leaderboard", tag = "analytics", params(LeaderboardParams),
    responses((status = 200, body = Leaderboard), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn leaderboard(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<LeaderboardParams>,
) -> ApiResult<Json<Leaderboard>> {
    Ok(Json(state.app.leaderboard(&actor, params).await?))
}

/// Self-service on the portal over the last days: visits that opened an article suggested
/// beside the request form, how many of them filed nothing (deflected; counted 30 minutes
/// after the first read) or a request all the same, and the deflection rate.
#[utoipa::path(get, path = "/api/v1/analytics/deflection", tag = "analytics", params(DeflectionParams),
    responses((status = 200, body = DeflectionReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn deflection(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<DeflectionParams>,
) -> ApiResult<Json<DeflectionReport>> {
    Ok(Json(state.app.deflection(&actor, params).await?))
}
