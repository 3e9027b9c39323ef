//! `/api/v1/audit`: the audit log (admins).

use crate::extract::{ApiQuery, Auth};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use kefu_domain::audit::AuditEntry;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Entries older than this id (the last `id` of the previous page).
    pub before: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<u32>,
}

/// Changes to how the department works (SLA policies, calendars, rules, macros, agents,
/// teams, surveys), newest first, each with who made it and the state after it. Admins.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditParams),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    Ok(Json(state.app.audit_log(&actor, params.before, params.limit).await?))
}
