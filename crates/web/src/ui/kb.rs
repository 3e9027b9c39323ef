//! Knowledge-base authoring in the workspace: the article list (by status, and the
//! articles due for review for their owner), writing with a live preview, the review
//! workflow's buttons (what the agent's role allows), and the version history with a
//! diff against the current text and restore.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, refusal};
use super::render;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::deflection::DeflectionParams;
use kefu_app::knowledge::{ArticleInput, ArticleListParams};
use kefu_domain::entities::Id;
use kefu_domain::knowledge::{Article, ArticleStatus, MoveBy, status_move};
use serde::Deserialize;

pub struct ListRow {
    id: Id,
    title: String,
    status: String,
    status_key: &'static str,
    locale: &'static str,
    review_on: String,
    views: i64,
    helpful: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kb_list.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<(String, String, bool)>,
    rows: Vec<ListRow>,
    /// For supervisors: the portal's self-service over the last 30 days, in a sentence.
    deflection: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    review: bool,
}

pub async fn list(State(state): State<AppState>, lang: Lang, session: Session, Query(query): Query<ListQuery>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    let params = ArticleListParams {
        status: (!query.status.is_empty()).then(|| query.status.clone()),
        owner_id: query.review.then_some(actor.id),
        review_due: query.review,
        limit: Some(500),
        ..ArticleListParams::default()
    };
    let articles = match state.app.articles(actor, params).await {
        Ok(found) => found,
        Err(error) => return UiError::from(error).page(lang),
    };
    let deflection = match actor.is_supervisor() {
        true => state.app.deflection(actor, DeflectionParams::default()).await.ok().map(|d| {
            tr.t("kb.deflection")
                .replace("%{reading}", &d.reading.to_string())
                .replace("%{deflected}", &d.deflected.to_string())
                .replace("%{rate}", &d.rate.map_or_else(|| "—".to_owned(), |r| format!("{:.0} %", r * 100.0)))
        }),
        false => None,
    };
    let mut tabs = vec![("/kb".to_owned(), tr.t("kb.all"), query.status.is_empty() && !query.review)];
    for status in ArticleStatus::ALL {
        tabs.push((
            format!("/kb?status={status}"),
            tr.label("article_status", status.as_str()),
            query.status == status.as_str(),
        ));
    }
    tabs.push(("/kb?review=true".to_owned(), tr.t("kb.review_due"), query.review));
    ListPage {
        chrome: Chrome::signed_in(lang, &session, "/kb"),
        deflection,
        tabs,
        rows: articles
            .iter()
            .rev()
            .map(|a| ListRow {
                id: a.id,
                title: a.title.clone(),
                status: tr.label("article_status", a.status.as_str()),
                status_key: a.status.as_str(),
                locale: a.locale.as_str(),
                review_on: a.review_on.map(|d| d.to_string()).unwrap_or_default(),
                views: a.views,
                helpful: format!("{} / {}", a.helpful, a.not_helpful),
            })
            .collect(),
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "kb_edit.html")]
struct EditPage {
    chrome: Chrome,
    /// `None` for a new article.
    id: Option<Id>,
    form: ArticleForm,
    categories: Vec<(String, String)>,
    error: Option<String>,
    preview_html: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ArticleForm {
    #[serde(default)]
    locale: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    internal: Option<String>,
    #[serde(default)]
    review_on: String,
    #[serde(default)]
    body: String,
}

impl ArticleForm {
    fn of(article: &Article, category: String) -> ArticleForm {
        ArticleForm {
            locale: article.locale.as_str().to_owned(),
            title: article.title.clone(),
            slug: article.slug.clone(),
            category,
            tags: article.tags.join(", "),
            product: article.product.clone().unwrap_or_default(),
            internal: article.internal.then(|| "on".to_owned()),
            review_on: article.review_on.map(|d| d.to_string()).unwrap_or_default(),
            body: article.body.clone(),
        }
    }

    fn input(&self, new: bool) -> ArticleInput {
        ArticleInput {
            slug: (!self.slug.trim().is_empty()).then(|| self.slug.clone()),
            locale: new.then(|| self.locale.clone()),
            title: Some(self.title.clone()),
            body: Some(self.body.clone()),
            category: Some(self.category.clone()),
            tags: Some(
                self.tags
                    .split([',', '，'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            product: Some(self.product.clone()),
            internal: Some(self.internal.is_some()),
            review_on: Some(self.review_on.clone()),
            ..ArticleInput::default()
        }
    }
}

async fn edit_page(state: &AppState, lang: Lang, session: &Session, id: Option<Id>, form: ArticleForm, error: Option<String>) -> Response {
    let categories = match state.app.kb_categories().await {
        Ok(all) => all
            .iter()
            .map(|c| (c.path.clone(), if lang == Lang::En { c.name_en.clone() } else { c.name_zh.clone() }))
            .collect(),
        Err(error) => return UiError::from(error).page(lang),
    };
    let here = id.map_or("/kb/new".to_owned(), |id| format!("/kb/{id}/edit"));
    EditPage {
        chrome: Chrome::signed_in(lang, session, &here),
        id,
        preview_html: render::message_html(&form.body),
        form,
        categories,
        error,
    }
    .into_response()
}

pub async fn new_form(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    let form = ArticleForm {
        locale: if lang == Lang::En { "en" } else { "zh-CN" }.to_owned(),
        ..ArticleForm::default()
    };
    edit_page(&state, lang, &session, None, form, None).await
}

pub async fn create(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<ArticleForm>) -> Response {
    match state.app.create_article(&session.0.actor, form.input(true)).await {
        Ok(article) => Redirect::to(&format!("/kb/{}", article.id)).into_response(),
        Err(error) => match refusal(error, Tr(lang)) {
            Ok(message) => edit_page(&state, lang, &session, None, form, Some(message)).await,
            Err(error) => error.page(lang),
        },
    }
}

pub async fn edit_form(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    let (article, categories) = match tokio::try_join!(state.app.article(&session.0.actor, id), state.app.kb_categories()) {
        Ok(both) => both,
        Err(error) => return UiError::from(error).page(lang),
    };
    let category = article
        .category_id
        .and_then(|c| categories.iter().find(|k| k.id == c))
        .map(|c| c.path.clone())
        .unwrap_or_default();
    edit_page(&state, lang, &session, Some(id), ArticleForm::of(&article, category), None).await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<ArticleForm>,
) -> Response {
    match state.app.update_article(&session.0.actor, id, form.input(false)).await {
        Ok(_) => Redirect::to(&format!("/kb/{id}")).into_response(),
        Err(error) => match refusal(error, Tr(lang)) {
            Ok(message) => edit_page(&state, lang, &session, Some(id), form, Some(message)).await,
            Err(error) => error.page(lang),
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(source = r#"<div class="markdown" id="preview">{{ html|safe }}</div>"#, ext = "html")]
struct Preview {
    html: String,
}

/// The body as readers will see it (sanitised), while the author writes.
pub async fn preview(Form(form): Form<ArticleForm>) -> Response {
    Preview {
        html: render::message_html(&form.body),
    }
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<StatusForm>,
) -> Response {
    match state.app.set_article_status(&session.0.actor, id, &form.status).await {
        Ok(_) => Redirect::to(&format!("/kb/{id}")).into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

/// The status buttons the actor may press on an article in `status`.
pub fn moves(status: ArticleStatus, reviewer: bool, tr: Tr) -> Vec<(&'static str, String)> {
    ArticleStatus::ALL
        .iter()
        .filter(|to| match status_move(status, **to) {
            Some(MoveBy::Author) => true,
            Some(MoveBy::Reviewer) => reviewer,
            None => false,
        })
        .map(|to| (to.as_str(), tr.t(&format!("kb.move_{}", to.as_str()))))
        .collect()
}

pub struct VersionRow {
    version: i64,
    title: String,
    at: String,
    /// Lines of the diff from this version to the current text: (`+`, `-` or ` `, line).
    diff: Vec<(&'static str, String)>,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "kb_versions.html")]
struct VersionsPage {
    chrome: Chrome,
    id: Id,
    title: String,
    versions: Vec<VersionRow>,
}

pub async fn versions(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    let actor = &session.0.actor;
    let (article, versions) = match tokio::try_join!(state.app.article(actor, id), state.app.article_versions(actor, id)) {
        Ok(both) => both,
        Err(error) => return UiError::from(error).page(lang),
    };
    let rows = versions
        .iter()
        .map(|v| VersionRow {
            version: v.version,
            title: v.title.clone(),
            at: render::when(v.edited_at),
            diff: line_diff(&v.body, &article.body),
            current: v.version == article.version,
        })
        .collect();
    VersionsPage {
        chrome: Chrome::signed_in(lang, &session, &format!("/kb/{id}/versions")),
        id,
        title: article.title,
        versions: rows,
    }
    .into_response()
}

/// What changed from `old` to `new`, line by line (only changed lines and their
/// neighbours are worth showing; unchanged runs are kept short).
fn line_diff(old: &str, new: &str) -> Vec<(&'static str, String)> {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    for group in diff.grouped_ops(1) {
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => "-",
                    similar::ChangeTag::Insert => "+",
                    similar::ChangeTag::Equal => " ",
                };
                out.push((sign, change.value().trim_end_matches('\n').to_owned()));
            }
        }
    }
    out
}

pub async fn restore(State(state): State<AppState>, lang: Lang, session: Session, Path((id, version)): Path<(Id, i64)>) -> Response {
    match state.app.restore_article_version(&session.0.actor, id, version).await {
        Ok(_) => Redirect::to(&format!("/kb/{id}")).into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}
