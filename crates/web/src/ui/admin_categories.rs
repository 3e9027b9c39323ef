//! The categories page (admins): the tree tickets are filed under, each category renamed
//! or retired in place, and a form to add one under any active category.

use super::i18n::Lang;
use super::pages::{Chrome, UiError, answer_form};
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kefu_app::AppResult;
use kefu_app::categories::CategoryInput;
use kefu_domain::category::path_name;
use serde::Deserialize;
use std::sync::Arc;

struct CategoryRow {
    code: String,
    name_zh: String,
    name_en: String,
    active: bool,
    /// Indentation in the list, in `em`.
    indent: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_categories.html")]
struct CategoriesPage {
    chrome: Chrome,
    categories: Vec<CategoryRow>,
    /// Where a new category can go: every active category, by its path.
    parents: Vec<(String, String)>,
    error: Option<String>,
}

async fn categories_page(state: &AppState, lang: Lang, session: &Session, error: Option<String>) -> Response {
    let actor = &session.0.actor;
    if let Err(error) = actor.require_admin("only admins manage categories") {
        return UiError::from(error).page(lang);
    }
    let all = match state.app.categories(actor).await {
        Ok(all) => all,
        Err(error) => return UiError::from(error).page(lang),
    };
    let zh = lang == Lang::Zh;
    let parents = all
        .iter()
        .filter(|c| c.active)
        .map(|c| (c.code.clone(), path_name(&all, &c.code, zh)))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = CategoriesPage {
        chrome: Chrome::signed_in(lang, session, "/admin/categories"),
        categories: Arc::unwrap_or_clone(all)
            .into_iter()
            .map(|c| CategoryRow {
                indent: c.depth() * 2,
                code: c.code,
                name_zh: c.name_zh,
                name_en: c.name_en,
                active: c.active,
            })
            .collect(),
        parents,
        error,
    };
    (status, page).into_response()
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    categories_page(&state, lang, &session, None).await
}

#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    parent: String,
    key: Option<String>,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    name_en: String,
    /// `true` or `false` from the row's select.
    active: Option<String>,
}

impl CategoryForm {
    fn input(self) -> CategoryInput {
        CategoryInput {
            parent: Some(self.parent).filter(|p| !p.is_empty()),
            key: self.key,
            name_zh: Some(self.name_zh),
            name_en: Some(self.name_en),
            active: self.active.map(|a| a == "true"),
        }
    }
}

async fn answer<T>(state: &AppState, lang: Lang, session: &Session, result: AppResult<T>) -> Response {
    answer_form(lang, "/admin/categories", result, |message| {
        categories_page(state, lang, session, Some(message))
    })
    .await
}

pub async fn create(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<CategoryForm>) -> Response {
    let result = state.app.create_category(&session.0.actor, form.input()).await.map(|_| ());
    answer(&state, lang, &session, result).await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<CategoryForm>,
) -> Response {
    let mut input = form.input();
    input.parent = None;
    let result = state.app.update_category(&session.0.actor, code, input).await.map(|_| ());
    answer(&state, lang, &session, result).await
}
