//! The service engine's API: calendars (with .ics holiday import), SLA policies, a
//! ticket's clocks and arrival on site, commitments, notifications and reminders.

use crate::extract::{ApiJson, ApiQuery, Auth, IdPath, TicketNumberPath};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::automation::{DryRun, DryRunResult, Rule, RuleInput};
use kefu_app::commitments::{CommitmentCounts, MakeCommitment, ResolveCommitment};
use kefu_app::notifications::{MarkRead, NewReminder, NotificationPage, ReminderSet};
use kefu_app::policies::{CalendarInput, PolicyInput, TicketSla};
use kefu_domain::calendar_spec::MergeReport;
use kefu_domain::entities::Ticket;
use kefu_domain::service::{Calendar, Commitment, SlaPolicy};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Business calendars, by name.
#[utoipa::path(get, path = "/api/v1/calendars", tag = "service", responses((status = 200, body = Vec<Calendar>)))]
pub async fn calendars(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Calendar>>> {
    Ok(Json(state.app.calendars(&actor).await?))
}

/// Create a calendar (admins).
#[utoipa::path(post, path = "/api/v1/calendars", tag = "service", request_body = CalendarInput,
    responses((status = 201, body = Calendar), (status = 422, body = Problem), (status = 409, body = Problem)))]
pub async fn create_calendar(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<CalendarInput>,
) -> ApiResult<(StatusCode, Json<Calendar>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_calendar(&actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/calendars/{id}", tag = "service", params(("id" = i64, Path)),
    responses((status = 200, body = Calendar), (status = 404, body = Problem)))]
pub async fn calendar(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<Json<Calendar>> {
    Ok(Json(state.app.calendar(&actor, id).await?))
}

/// Replace a calendar's name and hours (admins).
#[utoipa::path(put, path = "/api/v1/calendars/{id}", tag = "service", params(("id" = i64, Path)), request_body = CalendarInput,
    responses((status = 200, body = Calendar), (status = 422, body = Problem), (status = 404, body = Problem)))]
pub async fn update_calendar(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<CalendarInput>,
) -> ApiResult<Json<Calendar>> {
    Ok(Json(state.app.update_calendar(&actor, id, input).await?))
}

/// Delete a calendar no policy uses (admins).
#[utoipa::path(delete, path = "/api/v1/calendars/{id}", tag = "service", params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_calendar(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<StatusCode> {
    state.app.delete_calendar(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportParams {
    /// Hours of imported make-up working days (调休), e.g. `09:00-12:00,13:30-18:00`;
    /// default `09:00-18:00`.
    pub working_day_hours: Option<String>,
}

/// Import holidays and make-up working days from an iCalendar file (the request body,
/// `text/calendar`); dates already in the calendar are replaced (admins).
#[utoipa::path(post, path = "/api/v1/calendars/{id}/holidays", tag = "service", params(("id" = i64, Path), ImportParams),
    request_body(content = String, content_type = "text/calendar"),
    responses((status = 200, body = MergeReport), (status = 422, body = Problem)))]
pub async fn import_holidays(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiQuery(params): ApiQuery<ImportParams>,
    body: String,
) -> ApiResult<Json<MergeReport>> {
    Ok(Json(state.app.import_holidays(&actor, id, body, params.working_day_hours).await?))
}

/// SLA policies in rank order: the first active match applies to a ticket.
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "service", responses((status = 200, body = Vec<SlaPolicy>)))]
pub async fn policies(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<SlaPolicy>>> {
    Ok(Json(state.app.sla_policies(&actor).await?))
}

/// Create an SLA policy (admins).
#[utoipa::path(post, path = "/api/v1/sla-policies", tag = "service", request_body = PolicyInput,
    responses((status = 201, body = SlaPolicy), (status = 422, body = Problem)))]
pub async fn create_policy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<PolicyInput>,
) -> ApiResult<(StatusCode, Json<SlaPolicy>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_sla_policy(&actor, input).await?)))
}

/// Replace an SLA policy (admins). Tickets follow it from their next change.
#[utoipa::path(put, path = "/api/v1/sla-policies/{id}", tag = "service", params(("id" = i64, Path)), request_body = PolicyInput,
    responses((status = 200, body = SlaPolicy), (status = 422, body = Problem), (status = 404, body = Problem)))]
pub async fn update_policy(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<PolicyInput>,
) -> ApiResult<Json<SlaPolicy>> {
    Ok(Json(state.app.update_sla_policy(&actor, id, input).await?))
}

#[utoipa::path(delete, path = "/api/v1/sla-policies/{id}", tag = "service", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_policy(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<StatusCode> {
    state.app.delete_sla_policy(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The ticket's SLA clocks now: due times, time used and left, breached or not.
#[utoipa::path(get, path = "/api/v1/tickets/{number}/sla", tag = "service", params(("number" = i64, Path)),
    responses((status = 200, body = TicketSla), (status = 404, body = Problem)))]
pub async fn ticket_sla(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
) -> ApiResult<Json<TicketSla>> {
    Ok(Json(state.app.ticket_sla(&actor, number).await?))
}

/// Record the field engineer's arrival on site (achieves the arrival target).
#[utoipa::path(post, path = "/api/v1/tickets/{number}/arrival", tag = "service", params(("number" = i64, Path)),
    responses((status = 200, body = Ticket), (status = 409, body = Problem)))]
pub async fn arrival(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(state.app.record_arrival(&actor, number).await?))
}

/// Record a commitment (服务承诺) on a ticket: what, by when; a reminder comes before.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/commitments", tag = "service", params(("number" = i64, Path)),
    request_body = MakeCommitment, responses((status = 201, body = Commitment), (status = 422, body = Problem)))]
pub async fn make_commitment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
    ApiJson(input): ApiJson<MakeCommitment>,
) -> ApiResult<(StatusCode, Json<Commitment>)> {
    Ok((StatusCode::CREATED, Json(state.app.make_commitment(&actor, number, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/tickets/{number}/commitments", tag = "service", params(("number" = i64, Path)),
    responses((status = 200, body = Vec<Commitment>)))]
pub async fn ticket_commitments(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
) -> ApiResult<Json<Vec<Commitment>>> {
    Ok(Json(state.app.ticket_commitments(&actor, number).await?))
}

/// The caller's open commitments, soonest due first.
#[utoipa::path(get, path = "/api/v1/commitments", tag = "service", responses((status = 200, body = Vec<Commitment>)))]
pub async fn my_commitments(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Commitment>>> {
    Ok(Json(state.app.my_commitments(&actor).await?))
}

/// Record a commitment kept, broken or cancelled ("kept" after its due time counts as broken).
#[utoipa::path(patch, path = "/api/v1/commitments/{id}", tag = "service", params(("id" = i64, Path)),
    request_body = ResolveCommitment, responses((status = 200, body = Commitment), (status = 409, body = Problem)))]
pub async fn resolve_commitment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ResolveCommitment>,
) -> ApiResult<Json<Commitment>> {
    Ok(Json(state.app.resolve_commitment(&actor, id, input).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CountsParams {
    /// Count commitments resolved since this RFC 3339 instant.
    pub since: Option<String>,
}

/// Kept and broken commitments per agent (supervisors).
#[utoipa::path(get, path = "/api/v1/commitments/counts", tag = "service", params(CountsParams),
    responses((status = 200, body = Vec<CommitmentCounts>), (status = 403, body = Problem)))]
pub async fn commitment_counts(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<CountsParams>,
) -> ApiResult<Json<Vec<CommitmentCounts>>> {
    Ok(Json(state.app.commitment_counts(&actor, params.since.as_deref()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct NotificationParams {
    /// `true`: unread only.
    pub unread: Option<bool>,
    /// `next_before` of the previous page.
    pub before: Option<i64>,
    /// 1 to 100, default 25.
    pub limit: Option<usize>,
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "service", params(NotificationParams),
    responses((status = 200, body = NotificationPage)))]
pub async fn notifications(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(params): ApiQuery<NotificationParams>,
) -> ApiResult<Json<NotificationPage>> {
    let page = state
        .app
        .notifications(&actor, params.unread.unwrap_or(false), params.before, params.limit)
        .await?;
    Ok(Json(page))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    pub marked: u64,
}

/// Mark notifications read (`ids`, or `all: true`).
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "service", request_body = MarkRead,
    responses((status = 200, body = MarkedRead), (status = 422, body = Problem)))]
pub async fn mark_read(State(state): State<AppState>, Auth(actor): Auth, ApiJson(input): ApiJson<MarkRead>) -> ApiResult<Json<MarkedRead>> {
    let marked = state.app.mark_notifications_read(&actor, input).await?;
    Ok(Json(MarkedRead { marked }))
}

/// Set a personal reminder: a notification at the given time.
#[utoipa::path(post, path = "/api/v1/reminders", tag = "service", request_body = NewReminder,
    responses((status = 201, body = ReminderSet), (status = 422, body = Problem)))]
pub async fn reminder(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<NewReminder>,
) -> ApiResult<(StatusCode, Json<ReminderSet>)> {
    Ok((StatusCode::CREATED, Json(state.app.set_reminder(&actor, input).await?)))
}

/// Automation rules in rank order (supervisors read, admins change).
#[utoipa::path(get, path = "/api/v1/rules", tag = "automation", responses((status = 200, body = Vec<Rule>), (status = 403, body = Problem)))]
pub async fn rules(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Rule>>> {
    Ok(Json(state.app.rules(&actor).await?))
}

/// Create an automation rule (admins): trigger, conditions, actions.
#[utoipa::path(post, path = "/api/v1/rules", tag = "automation", request_body = RuleInput,
    responses((status = 201, body = Rule), (status = 422, body = Problem)))]
pub async fn create_rule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<(StatusCode, Json<Rule>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_rule(&actor, input).await?)))
}

#[utoipa::path(put, path = "/api/v1/rules/{id}", tag = "automation", params(("id" = i64, Path)), request_body = RuleInput,
    responses((status = 200, body = Rule), (status = 422, body = Problem), (status = 404, body = Problem)))]
pub async fn update_rule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<Json<Rule>> {
    Ok(Json(state.app.update_rule(&actor, id, input).await?))
}

#[utoipa::path(delete, path = "/api/v1/rules/{id}", tag = "automation", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_rule(State(state): State<AppState>, Auth(actor): Auth, IdPath(id): IdPath) -> ApiResult<StatusCode> {
    state.app.delete_rule(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which recently updated tickets a rule would match now, and what it would change;
/// writes nothing (supervisors).
#[utoipa::path(post, path = "/api/v1/rules/dry-run", tag = "automation", request_body = DryRun,
    responses((status = 200, body = DryRunResult), (status = 422, body = Problem)))]
pub async fn dry_run(State(state): State<AppState>, Auth(actor): Auth, ApiJson(input): ApiJson<DryRun>) -> ApiResult<Json<DryRunResult>> {
    Ok(Json(state.app.dry_run_rule(&actor, input).await?))
}
