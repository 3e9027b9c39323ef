//! The customer's survey page at `/s/{token}`: a plain form that needs no script, in the
//! customer's language, phone friendly. Opening it (GET) only shows the form, so a mail
//! scanner that follows the link answers nothing; `?r=N` (the star clicked in an e-mail)
//! only preselects the first rating. Submitting it (POST) records the answer, once.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError};
use super::session::same_origin;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::AppError;
use kefu_app::surveys::{AnswerReceipt, FormState, SurveyForm};
use kefu_domain::branding::Branding;
use kefu_domain::survey::{AnswerInput, Design, QuestionKind};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::Arc;

pub struct OptionView {
    pub(super) key: String,
    pub(super) label: String,
    pub(super) checked: bool,
}

pub struct QuestionView {
    pub(super) key: String,
    pub(super) text: String,
    pub(super) required: bool,
    /// `rating`, `single`, `multiple` or `text`.
    pub(super) kind: &'static str,
    pub(super) dimension: String,
    pub(super) selected: Option<i32>,
    pub(super) options: Vec<OptionView>,
    pub(super) text_value: String,
    /// The dimension's reasons, under its first rating question only.
    pub(super) reasons: Vec<OptionView>,
    pub(super) reasons_open: bool,
    pub(super) error: Option<String>,
}

/// The questions of a design as a form, shared by the customer's page and the agent's
/// callback page.
pub struct FormView {
    pub(super) scale: Vec<i32>,
    pub(super) low_label: String,
    pub(super) high_label: String,
    pub(super) reasons_prompt: String,
    pub(super) questions: Vec<QuestionView>,
    pub(super) comment: String,
    /// Problems not tied to one question.
    pub(super) errors: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "survey.html")]
struct SurveyPage {
    chrome: Chrome,
    token: String,
    title: String,
    intro: String,
    ticket: Option<String>,
    /// `open`, `answered`, `expired`, `thanks`.
    state: &'static str,
    form: FormView,
    thanks: String,
}

/// What the customer has entered so far (to show again after a refused submit).
#[derive(Default)]
pub(super) struct Entered {
    pub(super) input: AnswerInput,
    pub(super) errors: Vec<(String, String)>,
}

/// The form of `design` with what was entered and the problems found.
pub(super) fn form_view(design: &Design, lang: Lang, entered: &Entered) -> FormView {
    let tr = Tr(lang);
    let code = lang.code();
    let spec = &design.spec;
    let mut reasons_shown = BTreeSet::new();
    let questions = spec
        .questions
        .iter()
        .map(|q| {
            let error = entered.errors.iter().find(|(field, _)| *field == q.key).map(|(_, m)| m.clone());
            let (kind, dimension, options) = match &q.kind {
                QuestionKind::Rating { dimension } => ("rating", dimension.clone(), Vec::new()),
                QuestionKind::Single { options } | QuestionKind::Multiple { options } => {
                    let picked = entered.input.choices.get(&q.key);
                    let kind = if matches!(q.kind, QuestionKind::Single { .. }) {
                        "single"
                    } else {
                        "multiple"
                    };
                    (
                        kind,
                        String::new(),
                        options
                            .iter()
                            .map(|o| OptionView {
                                key: o.key.clone(),
                                label: o.label.get(code).to_owned(),
                                checked: picked.is_some_and(|p| p.contains(&o.key)),
                            })
                            .collect(),
                    )
                }
                QuestionKind::Text => ("text", String::new(), Vec::new()),
            };
            let selected = entered.input.ratings.get(&q.key).copied();
            let reasons = match spec.dimension(&dimension) {
                Some(d) if kind == "rating" && reasons_shown.insert(dimension.clone()) => {
                    let picked = entered.input.reasons.get(&dimension);
                    d.reasons
                        .iter()
                        .map(|r| OptionView {
                            key: r.key.clone(),
                            label: r.name.get(code).to_owned(),
                            checked: picked.is_some_and(|p| p.contains(&r.key)),
                        })
                        .collect()
                }
                _ => Vec::new(),
            };
            let reasons_error = entered
                .errors
                .iter()
                .find(|(field, _)| field.strip_prefix("reasons.") == Some(dimension.as_str()))
                .map(|(_, m)| m.clone());
            QuestionView {
                key: q.key.clone(),
                text: q.text.get(code).to_owned(),
                required: q.required,
                kind,
                reasons_open: selected.is_some_and(|v| spec.is_low(v)) || reasons.iter().any(|r| r.checked),
                dimension,
                selected,
                options,
                text_value: entered.input.texts.get(&q.key).cloned().unwrap_or_default(),
                reasons,
                error: error.or(reasons_error),
            }
        })
        .collect();
    let band_name = |rating: i32| spec.band_of(rating).map(|b| b.name.get(code).to_owned()).unwrap_or_default();
    FormView {
        scale: (spec.scale.min..=spec.scale.max).collect(),
        low_label: format!("{} {}", spec.scale.min, band_name(spec.scale.min)),
        high_label: format!("{} {}", spec.scale.max, band_name(spec.scale.max)),
        reasons_prompt: tr.with("survey.reasons_prompt", "low", &spec.low_at_most.to_string()),
        questions,
        comment: entered.input.comment.clone().unwrap_or_default(),
        errors: entered
            .errors
            .iter()
            .filter(|(field, _)| !spec.questions.iter().any(|q| q.key == *field) && !field.starts_with("reasons."))
            .map(|(_, m)| m.clone())
            .collect(),
    }
}

fn view(form: &SurveyForm, lang: Lang, token: &str, entered: &Entered, state: &'static str, brand: &Arc<Branding>) -> SurveyPage {
    let code = lang.code();
    SurveyPage {
        chrome: Chrome::portal(lang, &format!("/s/{token}"), brand.clone()),
        token: token.to_owned(),
        title: form.design.spec.name.get(code).to_owned(),
        intro: form.design.spec.intro.get(code).to_owned(),
        ticket: form.ticket.as_ref().map(|(number, subject)| format!("#{number} {subject}")),
        state,
        form: form_view(&form.design, lang, entered),
        thanks: String::new(),
    }
}

/// Survey pages are private to their link: not cached, not indexed.
fn private(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    headers.insert("x-robots-tag", header::HeaderValue::from_static("noindex, nofollow"));
    response
}

fn state_name(state: FormState) -> &'static str {
    match state {
        FormState::Open => "open",
        FormState::Answered => "answered",
        FormState::Expired => "expired",
    }
}

#[derive(Deserialize)]
pub struct PageParams {
    /// The rating clicked in an e-mail: preselects the first rating question.
    r: Option<i32>,
}

pub async fn page(State(state): State<AppState>, lang: Lang, Path(token): Path<String>, Query(params): Query<PageParams>) -> Response {
    let form = match state.app.open_survey(&token).await {
        Ok(form) => form,
        Err(error) => return private(UiError::from(error).page(lang)),
    };
    let mut entered = Entered::default();
    let spec = &form.design.spec;
    if let Some(rating) = params.r.filter(|r| (spec.scale.min..=spec.scale.max).contains(r))
        && let Some(first) = spec.questions.iter().find(|q| matches!(q.kind, QuestionKind::Rating { .. }))
    {
        entered.input.ratings.insert(first.key.clone(), rating);
    }
    let name = state_name(form.state);
    private(view(&form, lang, &token, &entered, name, &state.app.branding().await))
}

/// The form's fields: `rating.{question}`, `choice.{question}` (repeated for several),
/// `text.{question}`, `reason.{dimension}` (repeated), `comment`.
pub(super) fn answer_input(fields: Vec<(String, String)>) -> (AnswerInput, Vec<(String, String)>) {
    let mut input = AnswerInput::default();
    let mut unreadable = Vec::new();
    for (name, value) in fields {
        if let Some(question) = name.strip_prefix("rating.") {
            match value.trim().parse::<i32>() {
                Ok(rating) => {
                    input.ratings.insert(question.to_owned(), rating);
                }
                Err(_) if value.trim().is_empty() => {}
                Err(_) => unreadable.push((question.to_owned(), value)),
            }
        } else if let Some(question) = name.strip_prefix("choice.") {
            input.choices.entry(question.to_owned()).or_default().push(value);
        } else if let Some(question) = name.strip_prefix("text.") {
            input.texts.insert(question.to_owned(), value);
        } else if let Some(dimension) = name.strip_prefix("reason.") {
            input.reasons.entry(dimension.to_owned()).or_default().push(value);
        } else if name == "comment" {
            input.comment = Some(value);
        }
    }
    (input, unreadable)
}

pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let tr = Tr(lang);
    if !same_origin(&headers) {
        return private(UiError::CrossOrigin.page(lang));
    }
    let form = match state.app.open_survey(&token).await {
        Ok(form) => form,
        Err(error) => return private(UiError::from(error).page(lang)),
    };
    let (input, unreadable) = answer_input(fields);
    let brand = state.app.branding().await;
    if form.state != FormState::Open {
        return private((
            StatusCode::CONFLICT,
            view(
                &form,
                lang,
                &token,
                &Entered { input, errors: Vec::new() },
                state_name(form.state),
                &brand,
            ),
        ));
    }
    let message = |code: &str, fallback: &str| {
        let text = tr.t(&format!("survey.error.{code}"));
        if text.starts_with("survey.error.") {
            fallback.to_owned()
        } else {
            text
        }
    };
    if !unreadable.is_empty() {
        let errors = unreadable
            .into_iter()
            .map(|(q, _)| (q, message("out_of_scale", "not a rating")))
            .collect();
        let page = view(&form, lang, &token, &Entered { input, errors }, "open", &brand);
        return private((StatusCode::UNPROCESSABLE_ENTITY, page));
    }
    match state.app.answer_survey(&token, input.clone(), None).await {
        Ok(receipt) => private(thanks(&form, lang, &token, &receipt, &brand)),
        Err(AppError::Invalid(errors)) => {
            let errors = errors.0.into_iter().map(|e| (e.field, message(e.code, &e.message))).collect();
            let page = view(&form, lang, &token, &Entered { input, errors }, "open", &brand);
            private((StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(AppError::Conflict {
            code: "survey_answered", ..
        }) => private((
            StatusCode::CONFLICT,
            view(&form, lang, &token, &Entered::default(), "answered", &brand),
        )),
        Err(error) => private(UiError::from(error).page(lang)),
    }
}

fn thanks(form: &SurveyForm, lang: Lang, token: &str, receipt: &AnswerReceipt, brand: &Arc<Branding>) -> SurveyPage {
    let tr = Tr(lang);
    let mut page = view(form, lang, token, &Entered::default(), "thanks", brand);
    page.thanks = match receipt.followup {
        Some(number) => tr.with("survey.thanks_low", "number", &number.to_string()),
        None => tr.t("survey.thanks"),
    };
    page
}
