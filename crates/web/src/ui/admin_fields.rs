//! The custom fields page (admins): each field's labels, type, choices and state changed
//! in place, and a form to add one. Choices are typed one a line.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, answer_form};
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kefu_app::custom_fields::CustomFieldInput;
use kefu_domain::custom_field::FieldKind;
use serde::Deserialize;
use std::sync::Arc;

struct FieldRow {
    key: String,
    label_zh: String,
    label_en: String,
    kind: &'static str,
    options: String,
    active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_fields.html")]
struct FieldsPage {
    chrome: Chrome,
    fields: Vec<FieldRow>,
    kinds: Vec<(&'static str, String)>,
    error: Option<String>,
}

async fn fields_page(state: &AppState, lang: Lang, session: &Session, error: Option<String>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    if let Err(error) = actor.require_admin("only admins manage custom fields") {
        return UiError::from(error).page(lang);
    }
    let fields = match state.app.custom_fields(actor).await {
        Ok(fields) => fields,
        Err(error) => return UiError::from(error).page(lang),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FieldsPage {
        chrome: Chrome::signed_in(lang, session, "/admin/fields"),
        fields: Arc::unwrap_or_clone(fields)
            .into_iter()
            .map(|f| FieldRow {
                kind: f.kind.as_str(),
                options: f.options.join("\n"),
                key: f.key,
                label_zh: f.label_zh,
                label_en: f.label_en,
                active: f.active,
            })
            .collect(),
        kinds: FieldKind::ALL
            .iter()
            .map(|k| (k.as_str(), tr.label("field_kind", k.as_str())))
            .collect(),
        error,
    };
    (status, page).into_response()
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    fields_page(&state, lang, &session, None).await
}

#[derive(Deserialize)]
pub struct FieldForm {
    key: Option<String>,
    #[serde(default)]
    label_zh: String,
    #[serde(default)]
    label_en: String,
    #[serde(default)]
    kind: String,
    /// One choice a line.
    #[serde(default)]
    options: String,
    /// `false` retires the field.
    active: Option<String>,
}

impl FieldForm {
    fn input(self) -> CustomFieldInput {
        CustomFieldInput {
            key: self.key,
            label_zh: self.label_zh,
            label_en: self.label_en,
            kind: self.kind,
            options: self.options.lines().map(str::to_owned).collect(),
            active: self.active.as_deref() != Some("false"),
        }
    }
}

async fn answer<T>(state: &AppState, lang: Lang, session: &Session, result: kefu_app::AppResult<T>) -> Response {
    answer_form(lang, "/admin/fields", result, |message| {
        fields_page(state, lang, session, Some(message))
    })
    .await
}

pub async fn create(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<FieldForm>) -> Response {
    let result = state.app.create_custom_field(&session.0.actor, form.input()).await;
    answer(&state, lang, &session, result).await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(key): Path<String>,
    Form(form): Form<FieldForm>,
) -> Response {
    let result = state.app.update_custom_field(&session.0.actor, key, form.input()).await;
    answer(&state, lang, &session, result).await
}
