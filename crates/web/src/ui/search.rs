//! The workspace's search page (`/` from anywhere): tickets, customers or articles, with
//! highlighted fragments, facets to narrow, and a spelling suggestion when nothing
//! matched.

use super::i18n::{Lang, Tr};
use super::pages::Chrome;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kefu_app::search::SearchParams;
use kefu_search::Hit;
use serde::Deserialize;

const PAGE: usize = 20;

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(rename = "type", default)]
    kind: String,
    status: Option<String>,
    team: Option<String>,
    ticket_kind: Option<String>,
    category: Option<String>,
    lang: Option<String>,
    #[serde(default)]
    offset: usize,
}

pub struct HitRow {
    href: String,
    title: String,
    /// Escaped text with matches in `<b>`, from the index's highlighter.
    snippet_html: String,
    detail: String,
}

pub struct FacetRow {
    label: String,
    count: u64,
    href: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    tabs: Vec<(String, String, bool)>,
    hits: Vec<HitRow>,
    facets: Vec<(String, Vec<FacetRow>)>,
    total: usize,
    /// The suggested spelling and its search.
    did_you_mean: Option<(String, String)>,
    error: Option<String>,
    previous: Option<String>,
    next: Option<String>,
    filtered: bool,
}

fn kind_of(text: &str) -> &'static str {
    match text {
        "customer" => "customer",
        "article" => "article",
        _ => "ticket",
    }
}

/// The page's address with one parameter changed (and paging reset unless it is the one).
fn href(query: &SearchQuery, kind: &str, set: Option<(&str, &str)>, offset: usize) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    url.append_pair("q", &query.q).append_pair("type", kind);
    for (name, value) in [
        ("status", &query.status),
        ("team", &query.team),
        ("ticket_kind", &query.ticket_kind),
        ("category", &query.category),
        ("lang", &query.lang),
    ] {
        let value = match set {
            Some((key, new)) if key == name => Some(new.to_owned()),
            _ => value.clone(),
        };
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            url.append_pair(name, &value);
        }
    }
    if offset > 0 {
        url.append_pair("offset", &offset.to_string());
    }
    format!("/search?{}", url.finish())
}

fn hit_row(hit: &Hit, kind: &str, tr: Tr) -> HitRow {
    let meta = &hit.meta;
    let text = |field: &str| meta[field].as_str().unwrap_or_default().to_owned();
    match kind {
        "customer" => HitRow {
            href: format!("/customers/{}", hit.id),
            title: hit.title.clone(),
            snippet_html: hit.snippet.clone(),
            detail: [text("email"), text("phone"), text("organization")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
        },
        "article" => HitRow {
            href: format!("/kb/{}", hit.id),
            title: hit.title.clone(),
            snippet_html: hit.snippet.clone(),
            detail: [text("category"), tr.label("article_status", &text("status")), text("locale")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
        },
        _ => HitRow {
            href: format!("/tickets/{}", meta["number"]),
            title: format!("#{} {}", meta["number"], hit.title),
            snippet_html: hit.snippet.clone(),
            detail: [
                tr.label("status", &text("status")),
                tr.label("kind", &text("kind")),
                tr.label("priority", &text("priority")),
            ]
            .join(" · "),
        },
    }
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session, Query(query): Query<SearchQuery>) -> Response {
    let tr = Tr(lang);
    let kind = kind_of(&query.kind);
    let tabs = ["ticket", "customer", "article"]
        .iter()
        .map(|k| (href(&query, k, None, 0), tr.t(&format!("search.type_{k}")), *k == kind))
        .collect();
    let mut page = SearchPage {
        chrome: Chrome::signed_in(lang, &session, "/search"),
        q: query.q.clone(),
        tabs,
        hits: Vec::new(),
        facets: Vec::new(),
        total: 0,
        did_you_mean: None,
        error: None,
        previous: None,
        next: None,
        filtered: [&query.status, &query.team, &query.ticket_kind, &query.category, &query.lang]
            .iter()
            .any(|v| v.as_deref().is_some_and(|v| !v.is_empty())),
    };
    if query.q.trim().is_empty() {
        return page.into_response();
    }
    let params = SearchParams {
        q: query.q.clone(),
        kind: Some(kind.to_owned()),
        status: query.status.clone(),
        team: query.team.clone(),
        ticket_kind: query.ticket_kind.clone(),
        category: query.category.clone(),
        lang: query.lang.clone(),
        offset: Some(query.offset),
        limit: Some(PAGE),
        ..SearchParams::default()
    };
    match state.app.search(&session.0.actor, params).await {
        Ok(results) => {
            page.total = results.total;
            page.hits = results.hits.iter().map(|h| hit_row(h, kind, tr)).collect();
            page.did_you_mean = results.did_you_mean.map(|text| {
                let corrected = SearchQuery {
                    q: text.clone(),
                    ..SearchQuery::default()
                };
                let link = href(&corrected, kind, None, 0);
                (text, link)
            });
            if query.offset > 0 {
                page.previous = Some(href(&query, kind, None, query.offset.saturating_sub(PAGE)));
            }
            if query.offset + PAGE < results.total {
                page.next = Some(href(&query, kind, None, query.offset + PAGE));
            }
            let mut groups: Vec<(String, Vec<FacetRow>)> = Vec::new();
            for facet in results.facets {
                // Facets that are also filters link to the narrowed search.
                let param = match facet.facet.as_str() {
                    "status" => Some("status"),
                    "kind" => Some("ticket_kind"),
                    "team" => Some("team"),
                    "category" => Some("category"),
                    "lang" => Some("lang"),
                    _ => None,
                };
                let vocabulary = match (kind, facet.facet.as_str()) {
                    ("article", "status") => "article_status",
                    (_, other) => other,
                };
                let row = FacetRow {
                    label: tr.label(vocabulary, &facet.value),
                    count: facet.count,
                    href: param.map(|p| href(&query, kind, Some((p, &facet.value)), 0)),
                };
                let title = tr.t(&format!("search.facet_{}", facet.facet));
                match groups.iter_mut().find(|(name, _)| *name == title) {
                    Some((_, rows)) => rows.push(row),
                    None => groups.push((title, vec![row])),
                }
            }
            page.facets = groups;
            page.into_response()
        }
        Err(error) => match super::pages::refusal(error, tr) {
            Ok(message) => {
                page.error = Some(message);
                page.into_response()
            }
            Err(error) => error.page(lang),
        },
    }
}
