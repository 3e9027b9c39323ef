//! Admin page for surveys: when they go out after resolution (triggers), and the designs
//! themselves, edited as JSON with every problem named (each save a new version; answers
//! keep the version they answered).

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, refusal};
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::entities::Id;
use kefu_domain::enums::Channel;
use kefu_domain::survey::{DEFAULT_REMINDER_DAYS, DesignSpec, SurveyTrigger};
use serde::Deserialize;

pub struct TriggerRow {
    id: Id,
    design: String,
    delay_minutes: i64,
    channels: Vec<String>,
    quiet_days: i64,
    reminder_days: i64,
    enabled: bool,
}

pub struct DesignRow {
    key: String,
    name: String,
    version: i64,
    active: bool,
    questions: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_surveys.html")]
struct SurveysPage {
    chrome: Chrome,
    triggers: Vec<TriggerRow>,
    designs: Vec<DesignRow>,
    channels: Vec<(&'static str, String)>,
    error: Option<String>,
}

async fn surveys_page(state: &AppState, lang: Lang, session: &Session, error: Option<String>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    let (triggers, designs) = match tokio::try_join!(state.app.survey_triggers(actor), state.app.survey_designs(actor)) {
        Ok(both) => both,
        Err(error) => return UiError::from(error).page(lang),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = SurveysPage {
        chrome: Chrome::signed_in(lang, session, "/admin/surveys"),
        triggers: triggers
            .into_iter()
            .map(|t| TriggerRow {
                id: t.id,
                design: t.design_key,
                delay_minutes: t.delay_minutes,
                channels: t.channels,
                quiet_days: t.quiet_days,
                reminder_days: t.reminder_days.unwrap_or(DEFAULT_REMINDER_DAYS),
                enabled: t.enabled,
            })
            .collect(),
        designs: designs
            .iter()
            .map(|d| DesignRow {
                key: d.key.clone(),
                name: d.spec.name.get(lang.code()).to_owned(),
                version: d.version,
                active: d.active,
                questions: d.spec.questions.len(),
            })
            .collect(),
        channels: Channel::ALL.iter().map(|c| (c.as_str(), tr.label("channel", c.as_str()))).collect(),
        error,
    };
    (status, page).into_response()
}

pub async fn surveys(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    surveys_page(&state, lang, &session, None).await
}

/// A trigger form: `id` empty for a new one; `channel` repeats.
pub async fn save_trigger(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim());
    let number = |name: &str| field(name).parse::<i64>().unwrap_or(-1);
    let trigger = SurveyTrigger {
        id: field("id").parse().unwrap_or(0),
        design_key: field("design").to_owned(),
        delay_minutes: number("delay_minutes"),
        channels: fields.iter().filter(|(k, _)| k == "channel").map(|(_, v)| v.clone()).collect(),
        quiet_days: number("quiet_days"),
        // Left out or blank: the trigger keeps its own; not a number: refused.
        reminder_days: Some(field("reminder_days"))
            .filter(|f| !f.is_empty())
            .map(|_| number("reminder_days")),
        enabled: field("enabled") == "on",
    };
    match state.app.save_survey_trigger(&session.0.actor, trigger).await {
        Ok(_) => Redirect::to("/admin/surveys").into_response(),
        Err(error) => match refusal(error, Tr(lang)) {
            Ok(message) => surveys_page(&state, lang, &session, Some(message)).await,
            Err(error) => error.page(lang),
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_survey_design.html")]
struct DesignPage {
    chrome: Chrome,
    key: String,
    version: i64,
    active: bool,
    json: String,
    versions: Vec<(i64, String)>,
    error: Option<String>,
}

/// Edits a design (`/admin/surveys/designs/{key}`); a key with no design yet starts from
/// a copy of the five-dimension survey.
pub async fn design(State(state): State<AppState>, lang: Lang, session: Session, Path(key): Path<String>) -> Response {
    let actor = &session.0.actor;
    let (spec, version, active, versions) = match state.app.survey_design_versions(actor, &key).await {
        Ok(versions) => {
            let latest = &versions[0];
            let list = versions.iter().map(|d| (d.version, super::render::when(d.created_at))).collect();
            (latest.spec.clone(), latest.version, latest.active, list)
        }
        Err(kefu_app::AppError::NotFound { .. }) => (kefu_domain::survey::builtin::service_survey(), 0, true, Vec::new()),
        Err(error) => return UiError::from(error).page(lang),
    };
    DesignPage {
        chrome: Chrome::signed_in(lang, &session, &format!("/admin/surveys/designs/{key}")),
        key,
        version,
        active,
        json: serde_json::to_string_pretty(&spec).unwrap_or_default(),
        versions,
        error: None,
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct DesignForm {
    #[serde(default)]
    json: String,
    #[serde(default)]
    active: String,
}

pub async fn save_design(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(key): Path<String>,
    Form(form): Form<DesignForm>,
) -> Response {
    let tr = Tr(lang);
    let active = form.active == "on";
    let error = match serde_json::from_str::<DesignSpec>(&form.json) {
        Err(error) => tr.with("admin.survey_json", "error", &error.to_string()),
        Ok(spec) => match state.app.save_survey_design(&session.0.actor, &key, spec, active).await {
            Ok(_) => return Redirect::to(&format!("/admin/surveys/designs/{key}")).into_response(),
            Err(error) => match refusal(error, tr) {
                Ok(message) => message,
                Err(error) => return error.page(lang),
            },
        },
    };
    let page = DesignPage {
        chrome: Chrome::signed_in(lang, &session, &format!("/admin/surveys/designs/{key}")),
        key,
        version: 0,
        active,
        json: form.json,
        versions: Vec::new(),
        error: Some(error),
    };
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

#[derive(Deserialize)]
pub struct NewDesignForm {
    #[serde(default)]
    key: String,
}

/// Opens the editor for a new key.
pub async fn new_design(Form(form): Form<NewDesignForm>) -> Response {
    let key: String = form.key.trim().to_lowercase();
    let encoded: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
    Redirect::to(&format!("/admin/surveys/designs/{encoded}")).into_response()
}
