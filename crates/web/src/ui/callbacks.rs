//! Callbacks in the workspace (回访): the agent's list of calls due, the call page with the
//! survey form to fill in on the phone and the buttons for no answer or refusal, and the
//! supervisor's form for a new campaign.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, refusal};
use super::render;
use super::session::Session;
use super::survey::{Entered, FormView, answer_input, form_view};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::callbacks::{CallbackView, CampaignInput};
use kefu_domain::entities::Id;
use kefu_domain::survey::callback::{Callback, CallbackOutcome, CampaignChannel, CampaignSummary};
use serde::Deserialize;

pub struct CallbackRow {
    id: Id,
    customer: String,
    phone: String,
    campaign: String,
    due: String,
    overdue: bool,
    attempts: i64,
}

fn row(callback: &Callback, today: jiff::civil::Date) -> CallbackRow {
    CallbackRow {
        id: callback.id,
        customer: callback.customer_name.clone(),
        phone: callback.customer_phone.clone().unwrap_or_default(),
        campaign: callback.campaign_name.clone(),
        due: callback.due_on.to_string(),
        overdue: callback.due_on < today,
        attempts: callback.attempts,
    }
}

/// A campaign's line in the supervisor's table.
pub struct CampaignRow {
    id: Id,
    name: String,
    channel: String,
    period: String,
    sent: i64,
    opened: i64,
    answered: i64,
    /// The answer rate as a percentage, or "—" before anything was sent.
    rate: String,
    calls_pending: i64,
    calls_no_answer: i64,
    calls_refused: i64,
}

fn campaign_row(campaign: CampaignSummary, tr: Tr) -> CampaignRow {
    CampaignRow {
        id: campaign.id,
        channel: tr.t(match campaign.channel {
            CampaignChannel::Phone => "callback.by_phone",
            CampaignChannel::Email => "callback.by_email",
        }),
        name: campaign.name,
        period: format!("{} – {}", campaign.starts_on, campaign.ends_on),
        sent: campaign.sent,
        opened: campaign.opened,
        answered: campaign.answered,
        rate: campaign
            .answer_rate
            .map_or_else(|| "—".to_owned(), |rate| format!("{:.1} %", rate * 100.0)),
        calls_pending: campaign.calls_pending,
        calls_no_answer: campaign.calls_no_answer,
        calls_refused: campaign.calls_refused,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "callbacks.html")]
struct ListPage {
    chrome: Chrome,
    mine: Vec<CallbackRow>,
    unassigned: Vec<CallbackRow>,
    supervisor: bool,
    /// The newest campaigns (supervisors).
    campaigns: Vec<CampaignRow>,
    designs: Vec<(String, String)>,
    teams: Vec<(Id, String)>,
    /// Whether this server sends mail (an e-mail campaign is offered only then).
    mail_enabled: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn list_page(state: &AppState, lang: Lang, session: &Session, notice: Option<String>, error: Option<String>) -> Response {
    let actor = &session.0.actor;
    let today = jiff::tz::TimeZone::system().to_datetime(jiff::Timestamp::now()).date();
    let found = tokio::try_join!(
        state.app.callbacks(actor, CallbackView::Mine, None, 200),
        state.app.callbacks(actor, CallbackView::Unassigned, None, 200),
        state.app.survey_designs(actor),
        state.app.teams(actor),
    );
    let (mine, unassigned, designs, teams) = match found {
        Ok(found) => found,
        Err(error) => return UiError::from(error).page(lang),
    };
    let campaigns = if actor.is_supervisor() {
        match state.app.callback_campaigns(actor, 20).await {
            Ok(campaigns) => campaigns,
            Err(error) => return UiError::from(error).page(lang),
        }
    } else {
        Vec::new()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ListPage {
        chrome: Chrome::signed_in(lang, session, "/callbacks"),
        mine: mine.iter().map(|c| row(c, today)).collect(),
        unassigned: unassigned.iter().map(|c| row(c, today)).collect(),
        supervisor: actor.is_supervisor(),
        campaigns: campaigns.into_iter().map(|c| campaign_row(c, Tr(lang))).collect(),
        designs: designs
            .iter()
            .filter(|d| d.active)
            .map(|d| (d.key.clone(), d.spec.name.get(lang.code()).to_owned()))
            .collect(),
        teams: teams.iter().map(|t| (t.id, t.name.clone())).collect(),
        mail_enabled: state.app.mail().is_some(),
        notice,
        error,
    };
    (status, page).into_response()
}

pub async fn list(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    list_page(&state, lang, &session, None, None).await
}

#[derive(Deserialize, Default)]
pub struct CampaignForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    design: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    resolved_within_days: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    reminder_days: String,
}

pub async fn create_campaign(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<CampaignForm>) -> Response {
    let tr = Tr(lang);
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let input = CampaignInput {
        name: form.name.clone(),
        design: some(&form.design),
        starts_on: form.starts_on.clone(),
        ends_on: form.ends_on.clone(),
        tier: some(&form.tier),
        resolved_within_days: form.resolved_within_days.trim().parse().ok(),
        team: form.team.trim().parse().ok(),
        channel: some(&form.channel),
        // Blank: the default; not a number: refused.
        reminder_days: Some(form.reminder_days.trim())
            .filter(|days| !days.is_empty())
            .map(|days| days.parse().unwrap_or(-1)),
        ..CampaignInput::default()
    };
    match state.app.create_callback_campaign(&session.0.actor, input).await {
        Ok(created) => {
            let notice = match created.channel {
                CampaignChannel::Phone => tr.with("callback.created", "n", &created.callbacks.to_string()),
                CampaignChannel::Email => tr
                    .with("callback.mailed", "n", &created.mailed.to_string())
                    .replace("%{skipped}", &created.without_address.to_string()),
            };
            list_page(&state, lang, &session, Some(notice), None).await
        }
        Err(error) => match refusal(error, tr) {
            Ok(message) => list_page(&state, lang, &session, None, Some(message)).await,
            Err(error) => error.page(lang),
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "callback.html")]
struct CallPage {
    chrome: Chrome,
    id: Id,
    title: String,
    customer: String,
    customer_id: Id,
    phone: String,
    campaign: String,
    due: String,
    attempts: i64,
    status_key: &'static str,
    status: String,
    last_attempt: String,
    note: String,
    ticket: Option<Id>,
    form: FormView,
}

async fn call_page(state: &AppState, lang: Lang, session: &Session, id: Id, entered: &Entered) -> Response {
    let tr = Tr(lang);
    let detail = match state.app.callback(&session.0.actor, id).await {
        Ok(detail) => detail,
        Err(error) => return UiError::from(error).page(lang),
    };
    let c = &detail.callback;
    let status = if entered.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CallPage {
        chrome: Chrome::signed_in(lang, session, &format!("/callbacks/{id}")),
        id,
        title: detail.design.spec.name.get(lang.code()).to_owned(),
        customer: c.customer_name.clone(),
        customer_id: c.customer_id,
        phone: c.customer_phone.clone().unwrap_or_default(),
        campaign: c.campaign_name.clone(),
        due: c.due_on.to_string(),
        attempts: c.attempts,
        status_key: c.status.as_str(),
        status: tr.label("callback_status", c.status.as_str()),
        last_attempt: c.last_attempt_at.map(render::when).unwrap_or_default(),
        note: c.note.clone().unwrap_or_default(),
        ticket: c.ticket_number,
        form: form_view(&detail.design, lang, entered),
    };
    (status, page).into_response()
}

pub async fn call(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    call_page(&state, lang, &session, id, &Entered::default()).await
}

/// The answers the customer gave on the phone.
pub async fn answer(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let tr = Tr(lang);
    let note = fields.iter().find(|(k, _)| k == "note").map(|(_, v)| v.clone());
    let (input, unreadable) = answer_input(fields);
    if !unreadable.is_empty() {
        let errors = unreadable
            .into_iter()
            .map(|(q, _)| (q, tr.t("survey.error.out_of_scale")))
            .collect();
        return call_page(&state, lang, &session, id, &Entered { input, errors }).await;
    }
    match state.app.answer_callback(&session.0.actor, id, input.clone(), note).await {
        Ok(_) => Redirect::to("/callbacks?done=1").into_response(),
        Err(AppError::Invalid(errors)) => {
            let errors = errors
                .0
                .into_iter()
                .map(|e| {
                    let text = tr.t(&format!("survey.error.{}", e.code));
                    (e.field, if text.starts_with("survey.error.") { e.message } else { text })
                })
                .collect();
            call_page(&state, lang, &session, id, &Entered { input, errors }).await
        }
        Err(error) => UiError::from(error).page(lang),
    }
}

#[derive(Deserialize)]
pub struct AttemptForm {
    outcome: String,
    #[serde(default)]
    note: String,
}

/// Nobody answered, or the customer refused.
pub async fn attempt(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<AttemptForm>,
) -> Response {
    let outcome = match CallbackOutcome::parse("outcome", &form.outcome) {
        Ok(outcome) => outcome,
        Err(error) => return UiError::from(AppError::Invalid(kefu_domain::FieldErrors(vec![error]))).page(lang),
    };
    match state
        .app
        .record_callback_attempt(&session.0.actor, id, outcome, Some(form.note))
        .await
    {
        Ok(_) => Redirect::to("/callbacks").into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}
