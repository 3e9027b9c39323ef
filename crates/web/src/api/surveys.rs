//! Satisfaction surveys over the API: designs and triggers (admins change them), sending
//! from a ticket, the customer's side of a link (no token: the signed link is the
//! credential), reports and answers (supervisors).

use crate::extract::{ApiJson, ApiQuery, Auth, IdPath, TicketNumberPath};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::callbacks::{CallbackView, CampaignCreated, CampaignInput};
use kefu_app::survey_loop::{ActionInput, ActionTrend, Praise, StarCandidate, month_span};
use kefu_app::survey_report::{AnswerView, AnswersQuery, ReportQuery, SurveyReport};
use kefu_app::surveys::{AnswerReceipt, FormState, SurveyLink, TicketSurvey};
use kefu_domain::survey::callback::{Callback, CallbackOutcome, CampaignSummary};
use kefu_domain::survey::closing::ImprovementAction;
use kefu_domain::survey::{AnswerInput, Design, DesignSpec, SurveyTrigger};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The newest version of every survey design.
#[utoipa::path(get, path = "/api/v1/survey-designs", tag = "surveys", responses((status = 200, body = Vec<Design>)))]
pub async fn designs(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Design>>> {
    Ok(Json(state.app.survey_designs(&actor).await?))
}

/// Every version of a design, newest first.
#[utoipa::path(get, path = "/api/v1/survey-designs/{key}", tag = "surveys", params(("key" = String, Path)),
    responses((status = 200, body = Vec<Design>), (status = 404, body = Problem)))]
pub async fn design_versions(State(state): State<AppState>, Auth(actor): Auth, Path(key): Path<String>) -> ApiResult<Json<Vec<Design>>> {
    Ok(Json(state.app.survey_design_versions(&actor, &key).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DesignInput {
    pub spec: DesignSpec,
    /// Whether it may be sent (default true).
    pub active: Option<bool>,
}

/// Saves a design as its next version (a new key starts at version 1). Answers keep the
/// version they answered. Admins.
#[utoipa::path(put, path = "/api/v1/survey-designs/{key}", tag = "surveys", params(("key" = String, Path)), request_body = DesignInput,
    responses((status = 200, body = Design), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn save_design(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<DesignInput>,
) -> ApiResult<Json<Design>> {
    Ok(Json(
        state
            .app
            .save_survey_design(&actor, &key, input.spec, input.active.unwrap_or(true))
            .await?,
    ))
}

/// When surveys go out by themselves after resolution (supervisors).
#[utoipa::path(get, path = "/api/v1/survey-triggers", tag = "surveys", responses((status = 200, body = Vec<SurveyTrigger>)))]
pub async fn triggers(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<SurveyTrigger>>> {
    Ok(Json(state.app.survey_triggers(&actor).await?))
}

/// Adds a trigger (admins).
#[utoipa::path(post, path = "/api/v1/survey-triggers", tag = "surveys", request_body = SurveyTrigger,
    responses((status = 201, body = SurveyTrigger), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_trigger(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(mut trigger): ApiJson<SurveyTrigger>,
) -> ApiResult<(StatusCode, Json<SurveyTrigger>)> {
    trigger.id = 0;
    Ok((StatusCode::CREATED, Json(state.app.save_survey_trigger(&actor, trigger).await?)))
}

/// Changes a trigger (admins).
#[utoipa::path(put, path = "/api/v1/survey-triggers/{id}", tag = "surveys", params(("id" = i64, Path)), request_body = SurveyTrigger,
    responses((status = 200, body = SurveyTrigger), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_trigger(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(mut trigger): ApiJson<SurveyTrigger>,
) -> ApiResult<Json<SurveyTrigger>> {
    trigger.id = id;
    Ok(Json(state.app.save_survey_trigger(&actor, trigger).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SendInput {
    /// The design's key; default: the first trigger's design, else `csat`.
    pub design: Option<String>,
}

/// Sends a survey about the ticket now. The answer page is `/s/{token}`; with e-mail
/// settings the link is mailed and, if unanswered, reminded once after the reminder days
/// of the first enabled trigger for its design (0: never; else 3); without them the agent
/// passes the link on. Refused (409 `no_consent`) for a customer who has not consented.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/surveys", tag = "surveys", params(("number" = i64, Path)), request_body = SendInput,
    responses((status = 201, body = SurveyLink), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn send(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
    ApiJson(input): ApiJson<SendInput>,
) -> ApiResult<(StatusCode, Json<SurveyLink>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.app.send_survey(&actor, number, input.design).await?),
    ))
}

/// The surveys sent about a ticket with their answers.
#[utoipa::path(get, path = "/api/v1/tickets/{number}/surveys", tag = "surveys", params(("number" = i64, Path)),
    responses((status = 200, body = Vec<TicketSurvey>), (status = 404, body = Problem)))]
pub async fn ticket_surveys(
    State(state): State<AppState>,
    Auth(actor): Auth,
    TicketNumberPath(number): TicketNumberPath,
) -> ApiResult<Json<Vec<TicketSurvey>>> {
    Ok(Json(state.app.ticket_surveys(&actor, number).await?))
}

/// What a survey link shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyFormView {
    /// `open`, `answered` or `expired`.
    #[schema(value_type = String)]
    pub state: FormState,
    pub design: Design,
    pub ticket_number: Option<i64>,
}

/// The survey behind a link (no token needed). Reading it never answers it.
#[utoipa::path(get, path = "/api/v1/surveys/{token}", tag = "surveys", params(("token" = String, Path)), security(()),
    responses((status = 200, body = SurveyFormView), (status = 404, body = Problem)))]
pub async fn form(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Json<SurveyFormView>> {
    let form = state.app.open_survey(&token).await?;
    Ok(Json(SurveyFormView {
        state: form.state,
        design: form.design,
        ticket_number: form.ticket.map(|(number, _)| number),
    }))
}

/// Answers the survey behind a link, once (no token needed). A low score opens a
/// complaint follow-up for the team's supervisor.
#[utoipa::path(post, path = "/api/v1/surveys/{token}/answers", tag = "surveys", params(("token" = String, Path)), security(()),
    request_body = AnswerInput,
    responses((status = 201, body = AnswerReceipt), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> ApiResult<(StatusCode, Json<AnswerReceipt>)> {
    Ok((StatusCode::CREATED, Json(state.app.answer_survey(&token, input, None).await?)))
}

/// A design's report: headline, overall and per-dimension scores with n, change against
/// the previous period with a 95 % interval, bands, what it takes to reach the target,
/// low-score reasons (Pareto), and groups when sliced (supervisors).
#[utoipa::path(get, path = "/api/v1/survey-reports/{design}", tag = "surveys", params(("design" = String, Path), ReportQuery),
    responses((status = 200, body = SurveyReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(design): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Json<SurveyReport>> {
    let params = query.into_params(&design)?;
    Ok(Json(state.app.survey_report(&actor, params).await?))
}

/// A design's answers, newest first, or with `q` the answers whose comments match it, best
/// match first (supervisors).
#[utoipa::path(get, path = "/api/v1/survey-reports/{design}/answers", tag = "surveys", params(("design" = String, Path), ReportQuery, AnswersQuery),
    responses((status = 200, body = Vec<AnswerView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn answers(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(design): Path<String>,
    ApiQuery(report): ApiQuery<ReportQuery>,
    ApiQuery(query): ApiQuery<AnswersQuery>,
) -> ApiResult<Json<Vec<AnswerView>>> {
    let params = report.into_params(&design)?;
    Ok(Json(state.app.report_answers(&actor, &params, query).await?))
}

/// Creates a callback campaign (回访, supervisors): the customers of a segment who
/// consented and were not surveyed within `quiet_days`, one call each, spread over the
/// period, assigned round robin to a team's members when one is given.
#[utoipa::path(post, path = "/api/v1/callback-campaigns", tag = "surveys", request_body = CampaignInput,
    responses((status = 201, body = CampaignCreated), (status = 403, body = Problem),
        (status = 409, description = "`mail_not_configured`: an e-mail campaign on a server without mail settings", body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<CampaignInput>,
) -> ApiResult<(StatusCode, Json<CampaignCreated>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_callback_campaign(&actor, input).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CampaignsQuery {
    /// At most this many, newest first (default 50, at most 200).
    pub limit: Option<i64>,
}

/// Callback and e-mail campaigns, newest first, with how many surveys each sent, how many
/// were opened and answered, the answer rate, and a phone campaign's calls by outcome
/// (supervisors).
#[utoipa::path(get, path = "/api/v1/callback-campaigns", tag = "surveys", params(CampaignsQuery),
    responses((status = 200, body = Vec<CampaignSummary>), (status = 403, body = Problem)))]
pub async fn campaigns(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(query): ApiQuery<CampaignsQuery>,
) -> ApiResult<Json<Vec<CampaignSummary>>> {
    Ok(Json(state.app.callback_campaigns(&actor, query.limit.unwrap_or(50)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CallbacksQuery {
    /// `mine` (default), `unassigned` or `all` (supervisors).
    #[param(value_type = Option<String>)]
    pub view: Option<CallbackView>,
    /// Only calls due on or before this day.
    #[param(value_type = Option<String>, format = Date)]
    pub due_by: Option<jiff::civil::Date>,
    pub limit: Option<u64>,
}

/// Calls to make, soonest first.
#[utoipa::path(get, path = "/api/v1/callbacks", tag = "surveys", params(CallbacksQuery),
    responses((status = 200, body = Vec<Callback>), (status = 403, body = Problem)))]
pub async fn callbacks(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(query): ApiQuery<CallbacksQuery>,
) -> ApiResult<Json<Vec<Callback>>> {
    let view = query.view.unwrap_or(CallbackView::Mine);
    Ok(Json(
        state.app.callbacks(&actor, view, query.due_by, query.limit.unwrap_or(100)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttemptInput {
    /// `no_answer` (tried again tomorrow, given up after three) or `refused`.
    #[schema(value_type = String)]
    pub outcome: CallbackOutcome,
    pub note: Option<String>,
}

/// Records a call that gave no answers.
#[utoipa::path(post, path = "/api/v1/callbacks/{id}/attempts", tag = "surveys", params(("id" = i64, Path)), request_body = AttemptInput,
    responses((status = 200, body = Callback), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn callback_attempt(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<AttemptInput>,
) -> ApiResult<Json<Callback>> {
    Ok(Json(
        state.app.record_callback_attempt(&actor, id, input.outcome, input.note).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CallbackAnswerInput {
    pub answer: AnswerInput,
    pub note: Option<String>,
}

/// Enters the answers the customer gave on the phone.
#[utoipa::path(post, path = "/api/v1/callbacks/{id}/answers", tag = "surveys", params(("id" = i64, Path)), request_body = CallbackAnswerInput,
    responses((status = 201, body = AnswerReceipt), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn callback_answer(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<CallbackAnswerInput>,
) -> ApiResult<(StatusCode, Json<AnswerReceipt>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.app.answer_callback(&actor, id, input.answer, input.note).await?),
    ))
}

/// Records an improvement action (PDCA) against a low-score reason (supervisors).
#[utoipa::path(post, path = "/api/v1/survey-actions", tag = "surveys", request_body = ActionInput,
    responses((status = 201, body = ImprovementAction), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_action(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(input): ApiJson<ActionInput>,
) -> ApiResult<(StatusCode, Json<ImprovementAction>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_survey_action(&actor, input).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ActionsQuery {
    pub design: String,
}

/// A design's improvement actions with their reason's rate in the 30 days before and
/// after each (supervisors).
#[utoipa::path(get, path = "/api/v1/survey-actions", tag = "surveys", params(ActionsQuery),
    responses((status = 200, body = Vec<ActionTrend>), (status = 403, body = Problem)))]
pub async fn actions(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(query): ApiQuery<ActionsQuery>,
) -> ApiResult<Json<Vec<ActionTrend>>> {
    Ok(Json(state.app.survey_actions(&actor, &query.design).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DoneInput {
    pub done: bool,
}

/// Marks an action done, or open again.
#[utoipa::path(post, path = "/api/v1/survey-actions/{id}/done", tag = "surveys", params(("id" = i64, Path)), request_body = DoneInput,
    responses((status = 200, body = ImprovementAction), (status = 404, body = Problem)))]
pub async fn action_done(
    State(state): State<AppState>,
    Auth(actor): Auth,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<DoneInput>,
) -> ApiResult<Json<ImprovementAction>> {
    Ok(Json(state.app.set_survey_action_done(&actor, id, input.done).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MonthQuery {
    /// `2026-11`; default this month.
    pub month: Option<String>,
    pub team: Option<i64>,
}

/// Positive comments naming an agent in a month: the praise wall.
#[utoipa::path(get, path = "/api/v1/praise", tag = "surveys", params(MonthQuery),
    responses((status = 200, body = Vec<Praise>), (status = 422, body = Problem)))]
pub async fn praise(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> ApiResult<Json<Vec<Praise>>> {
    let (from, to) = month_span(query.month.as_deref())?;
    Ok(Json(state.app.praise_wall(&actor, query.team, from, to).await?))
}

/// The month's service-star candidates: most praised, then best surveyed (supervisors).
#[utoipa::path(get, path = "/api/v1/service-star", tag = "surveys", params(MonthQuery),
    responses((status = 200, body = Vec<StarCandidate>), (status = 403, body = Problem)))]
pub async fn service_star(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> ApiResult<Json<Vec<StarCandidate>>> {
    let (from, to) = month_span(query.month.as_deref())?;
    Ok(Json(state.app.service_star_candidates(&actor, from, to).await?))
}
