//! The public help center: browse categories, search as you type, read an article and
//! say whether it helped. Phone friendly, in the reader's language, and indexable: every
//! article has one canonical address (`/help/{locale}/{slug}`) listed in `/sitemap.xml`.
//! Agents read any article (drafts and internal ones too) at `/kb/{id}`.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError};
use super::render;
use super::session::{Session, same_origin};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_domain::entities::Id;
use kefu_domain::knowledge::{Article, KbCategory, Locale};
use serde::Deserialize;

fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::En,
        _ => Locale::ZhCn,
    }
}

fn category_name(category: &KbCategory, lang: Lang) -> String {
    if lang == Lang::En {
        category.name_en.clone()
    } else {
        category.name_zh.clone()
    }
}

pub struct ArticleLink {
    href: String,
    title: String,
}

fn link(article: &Article) -> ArticleLink {
    ArticleLink {
        href: format!("/help/{}/{}", article.locale.as_str(), article.slug),
        title: article.title.clone(),
    }
}

pub struct CategoryBlock {
    href: String,
    name: String,
    children: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "help_home.html")]
struct HomePage {
    chrome: Chrome,
    q: String,
    categories: Vec<CategoryBlock>,
}

pub async fn home(State(state): State<AppState>, lang: Lang) -> Response {
    let categories = match state.app.kb_categories().await {
        Ok(all) => all,
        Err(error) => return UiError::from(error).page(lang),
    };
    let blocks = categories
        .iter()
        .filter(|c| c.parent_id.is_none() && c.path != "internal")
        .map(|top| CategoryBlock {
            href: format!("/help/c/{}", top.path),
            name: category_name(top, lang),
            children: categories
                .iter()
                .filter(|c| c.parent_id == Some(top.id))
                .map(|c| (format!("/help/c/{}", c.path), category_name(c, lang)))
                .collect(),
        })
        .collect();
    HomePage {
        chrome: Chrome::portal(lang, "/help", state.app.branding().await),
        q: String::new(),
        categories: blocks,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "help_category.html")]
struct CategoryPage {
    chrome: Chrome,
    name: String,
    articles: Vec<ArticleLink>,
}

pub async fn category(State(state): State<AppState>, lang: Lang, Path(path): Path<String>) -> Response {
    let categories = match state.app.kb_categories().await {
        Ok(all) => all,
        Err(error) => return UiError::from(error).page(lang),
    };
    let Some(found) = categories
        .iter()
        .find(|c| c.path == path && c.path != "internal" && !c.path.starts_with("internal/"))
    else {
        return UiError::from(kefu_app::AppError::NotFound {
            what: "category",
            code: "category_not_found",
        })
        .page(lang);
    };
    // A top category lists the articles of its children too.
    let mut paths = vec![found.path.clone()];
    paths.extend(categories.iter().filter(|c| c.parent_id == Some(found.id)).map(|c| c.path.clone()));
    let mut articles = Vec::new();
    for path in &paths {
        match state.app.public_articles(locale_of(lang), Some(path)).await {
            Ok(found) => articles.extend(found.iter().map(link)),
            Err(error) => return UiError::from(error).page(lang),
        }
    }
    CategoryPage {
        chrome: Chrome::portal(lang, &format!("/help/c/{path}"), state.app.branding().await),
        name: category_name(found, lang),
        articles,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "help_article.html")]
struct ArticlePage {
    chrome: Chrome,
    id: Id,
    title: String,
    body_html: String,
    canonical: String,
    html_lang: &'static str,
    translations: Vec<(String, String)>,
    updated: String,
    updated_iso: String,
    /// Shown to agents reading a draft or internal article at `/kb/{id}`.
    notice: Option<String>,
    public: bool,
    /// For agents: the status buttons their role allows (empty on the public page).
    moves: Vec<(&'static str, String)>,
    agent: bool,
}

#[derive(Deserialize)]
pub struct ArticleQuery {
    /// `portal`: opened from the request form's suggestions.
    #[serde(default)]
    from: String,
}

pub async fn article(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Path((locale, slug)): Path<(String, String)>,
    Query(query): Query<ArticleQuery>,
) -> Response {
    let Ok(locale) = Locale::parse("locale", &locale) else {
        return UiError::from(kefu_app::AppError::NotFound {
            what: "article",
            code: "article_not_found",
        })
        .page(lang);
    };
    let found = match state.app.public_article(locale, &slug).await {
        Ok(found) => found,
        Err(error) => return UiError::from(error).page(lang),
    };
    if query.from == "portal"
        && let Some(visit) = super::portal::visit_of(&headers)
        && let Err(error) = state.app.note_portal_read(visit).await
    {
        tracing::warn!(%error, "a suggested article's reading was not counted");
    }
    let translations = state.app.public_translations(&found).await.unwrap_or_default();
    let page = ArticlePage {
        chrome: Chrome::portal(
            lang,
            &format!("/help/{}/{}", found.locale.as_str(), found.slug),
            state.app.branding().await,
        ),
        id: found.id,
        canonical: format!("{}/help/{}/{}", origin(&headers), found.locale.as_str(), found.slug),
        html_lang: found.locale.as_str(),
        translations: translations
            .iter()
            .map(|t| (format!("/help/{}/{}", t.locale.as_str(), t.slug), t.title.clone()))
            .collect(),
        title: found.title.clone(),
        body_html: render::message_html(&found.body),
        updated: render::when(found.updated_at),
        updated_iso: render::iso(found.updated_at),
        notice: None,
        public: true,
        moves: Vec::new(),
        agent: false,
    };
    page.into_response()
}

/// An article as agents see it, whatever its status.
pub async fn agent_view(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    let tr = Tr(lang);
    let found = match state.app.article(&session.0.actor, id).await {
        Ok(found) => found,
        Err(error) => return UiError::from(error).page(lang),
    };
    let mut notice = vec![tr.label("article_status", found.status.as_str())];
    if found.internal {
        notice.push(tr.t("help.internal"));
    }
    notice.push(format!("v{}", found.version));
    ArticlePage {
        chrome: Chrome::signed_in(lang, &session, &format!("/kb/{id}")),
        id,
        canonical: format!("/kb/{id}"),
        html_lang: found.locale.as_str(),
        translations: Vec::new(),
        title: found.title.clone(),
        body_html: render::message_html(&found.body),
        updated: render::when(found.updated_at),
        updated_iso: render::iso(found.updated_at),
        notice: Some(notice.join(" · ")),
        public: found.is_public(),
        moves: super::kb::moves(found.status, session.0.actor.is_supervisor(), tr),
        agent: true,
    }
    .into_response()
}

/// The site's address as the reader reached it (behind a proxy, as the proxy says).
pub(super) fn origin(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let https = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) == Some("https");
    format!("{}://{host}", if https { "https" } else { "http" })
}

#[derive(Debug, Default, Deserialize)]
pub struct HelpQuery {
    #[serde(default)]
    q: String,
}

pub struct HelpHit {
    href: String,
    title: String,
    snippet_html: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "help_search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    hits: Vec<HelpHit>,
    searched: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "help_hits.html")]
struct HitsFragment {
    chrome: Chrome,
    hits: Vec<HelpHit>,
    searched: bool,
}

/// Search results: a page, or (for the search box's suggestions as the reader types)
/// just the list.
pub async fn search(State(state): State<AppState>, lang: Lang, headers: HeaderMap, Query(query): Query<HelpQuery>) -> Response {
    let htmx = headers.contains_key("hx-request");
    let q = query.q.trim().to_owned();
    let hits = if q.is_empty() {
        Vec::new()
    } else {
        match state.app.search_help_center(&q, None, if htmx { 6 } else { 20 }).await {
            Ok(results) => results
                .hits
                .iter()
                .map(|hit| HelpHit {
                    href: format!(
                        "/help/{}/{}",
                        hit.meta["locale"].as_str().unwrap_or_default(),
                        hit.meta["slug"].as_str().unwrap_or_default()
                    ),
                    title: hit.title.clone(),
                    snippet_html: hit.snippet.clone(),
                })
                .collect(),
            Err(error) => return UiError::from(error).respond(lang, htmx),
        }
    };
    let chrome = Chrome::portal(lang, "/help/search", state.app.branding().await);
    if htmx {
        HitsFragment {
            chrome,
            hits,
            searched: !q.is_empty(),
        }
        .into_response()
    } else {
        SearchPage {
            chrome,
            searched: !q.is_empty(),
            q,
            hits,
        }
        .into_response()
    }
}

#[derive(Debug, Deserialize)]
pub struct FeedbackForm {
    helpful: String,
    #[serde(default)]
    reason: String,
}

/// "Did this help?" from the article page.
pub async fn feedback(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<Id>,
    Form(form): Form<FeedbackForm>,
) -> Response {
    let tr = Tr(lang);
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, tr.t("error.forbidden")).into_response();
    }
    let helpful = form.helpful == "yes";
    let reason = Some(form.reason).filter(|r| !r.trim().is_empty());
    match state.app.article_feedback(id, helpful, reason).await {
        Ok(()) => super::pages::Flash {
            message: tr.t("help.thanks"),
        }
        .into_response(),
        Err(error) => UiError::from(error).fragment(lang),
    }
}

/// Every public article's canonical address, for search engines.
pub async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let origin = origin(&headers);
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for locale in [Locale::ZhCn, Locale::En] {
        let Ok(articles) = state.app.public_articles(locale, None).await else {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        for article in articles {
            let day = jiff::tz::TimeZone::UTC.to_datetime(article.updated_at).date();
            xml.push_str(&format!(
                "  <url><loc>{origin}/help/{}/{}</loc><lastmod>{day}</lastmod></url>\n",
                article.locale.as_str(),
                article.slug
            ));
        }
    }
    xml.push_str("</urlset>\n");
    ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response()
}
