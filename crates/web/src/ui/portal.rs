//! The public help center: the request form and the private tracking page. No session:
//! the tracking link's token is the key, and it opens one request's public side only.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError};
use super::render;
use super::session::same_origin;
use crate::state::AppState;
use crate::upload::{FormWithFiles, UploadRejection, attachment_response};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::portal::PortalRequest;
use kefu_domain::category::path_name;
use kefu_domain::entities::Id;
use kefu_domain::enums::{ActorKind, TicketKind};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    website: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_form.html")]
struct FormPage {
    chrome: Chrome,
    form: RequestForm,
    kinds: Vec<(&'static str, String)>,
    /// The topics a customer may choose (optional): code and path in their language.
    categories: Vec<(String, String)>,
    error: Option<String>,
}

/// The request form, with what the customer wrote kept and the refusal, if any.
async fn form_page(state: &AppState, lang: Lang, form: RequestForm, error: Option<String>) -> FormPage {
    let tr = Tr(lang);
    let (brand, categories) = tokio::join!(state.app.branding(), state.app.portal_categories());
    // Without the topics the form still works: the customer leaves it to the agents.
    let categories = categories.unwrap_or_default();
    FormPage {
        chrome: Chrome::portal(lang, "/portal", brand),
        kinds: TicketKind::ALL.iter().map(|k| (k.as_str(), tr.label("kind", k.as_str()))).collect(),
        categories: categories
            .iter()
            .map(|c| (c.code.clone(), path_name(&categories, &c.code, lang == Lang::Zh)))
            .collect(),
        form,
        error,
    }
}

/// The cookie that tells one portal visit from another (self-service counting).
pub const VISIT_COOKIE: &str = "kefu_visit";
/// How long a visit lasts.
const VISIT_SECONDS: u64 = 24 * 3600;

/// This request's portal visit, when it has one.
pub fn visit_of(headers: &HeaderMap) -> Option<&str> {
    super::i18n::cookie(headers, VISIT_COOKIE).filter(|v| !v.is_empty() && v.len() <= 100)
}

pub async fn form(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    let page = form_page(&state, lang, RequestForm::default(), None).await;
    if visit_of(&headers).is_some() {
        return page.into_response();
    }
    let Ok(visit) = kefu_app::secrets::new_token() else {
        return page.into_response();
    };
    let secure = if super::session::is_https(&headers) { "; Secure" } else { "" };
    let cookie = format!("{VISIT_COOKIE}={visit}; Path=/; Max-Age={VISIT_SECONDS}; HttpOnly; SameSite=Lax{secure}");
    ([(header::SET_COOKIE, cookie)], page).into_response()
}

#[derive(Deserialize)]
pub struct SuggestQuery {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_suggestions.html")]
struct Suggestions {
    chrome: Chrome,
    hits: Vec<(String, String)>,
}

/// Articles matching what the customer is writing, shown beside the request form; they
/// open in a new tab (the form keeps what was typed) and count as read for the visit.
pub async fn suggest(State(state): State<AppState>, lang: Lang, Query(query): Query<SuggestQuery>) -> Response {
    let text = format!("{} {}", query.subject, query.description);
    let hits = match state.app.portal_suggestions(&text).await {
        Ok(hits) => hits,
        Err(error) => return UiError::from(error).fragment(lang),
    };
    Suggestions {
        chrome: Chrome::portal(lang, "/portal", state.app.branding().await),
        hits: hits
            .iter()
            .map(|hit| {
                let href = format!(
                    "/help/{}/{}?from=portal",
                    hit.meta["locale"].as_str().unwrap_or_default(),
                    hit.meta["slug"].as_str().unwrap_or_default()
                );
                (href, hit.title.clone())
            })
            .collect(),
    }
    .into_response()
}

pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<FormWithFiles<RequestForm>, UploadRejection>,
) -> Response {
    let tr = Tr(lang);
    let (form, files) = match form {
        Ok(FormWithFiles { form, files }) => (form, files),
        Err(UploadRejection(error)) => {
            let (status, message) = UiError::from(error).status_and_message(tr);
            return (status, form_page(&state, lang, RequestForm::default(), Some(message)).await).into_response();
        }
    };
    if !same_origin(&headers) {
        return (
            StatusCode::FORBIDDEN,
            form_page(&state, lang, form, Some(tr.t("sign_in.origin"))).await,
        )
            .into_response();
    }
    let request = PortalRequest {
        name: form.name.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        kind: form.kind.clone(),
        category: form.category.clone(),
        subject: form.subject.clone(),
        description: form.description.clone(),
        honeypot: form.website.clone(),
        attachments: files,
        address: peer.ip().to_string(),
    };
    match state.app.submit_portal_request(request).await {
        Ok(receipt) => {
            if let Some(visit) = visit_of(&headers)
                && let Err(error) = state.app.note_portal_submission(visit).await
            {
                // The request is filed; only the self-service count misses it.
                tracing::warn!(%error, "a portal submission was not counted");
            }
            Redirect::to(&format!("/portal/t/{}?new=1", receipt.token)).into_response()
        }
        // Shown on the form, with what the customer wrote kept.
        Err(error @ (AppError::Invalid(_) | AppError::RateLimited { .. })) => {
            let (status, message) = UiError::from(error).status_and_message(tr);
            (status, form_page(&state, lang, form, Some(message)).await).into_response()
        }
        Err(error) => UiError::from(error).page(lang),
    }
}

struct PortalEntry {
    who: String,
    kind: &'static str,
    at: String,
    at_iso: String,
    html: String,
    files: Vec<render::FileLink>,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_ticket.html")]
struct TicketPage {
    chrome: Chrome,
    number: i64,
    subject: String,
    status: String,
    status_key: &'static str,
    messages: Vec<PortalEntry>,
    link: String,
    just_created: bool,
    notice: Option<String>,
    /// The satisfaction survey waiting for the customer, if any.
    survey: Option<String>,
}

#[derive(Deserialize)]
pub struct TicketParams {
    new: Option<u8>,
    solved: Option<u8>,
    follow_up: Option<i64>,
}

/// Private pages: not stored by browsers or proxies, not indexed.
pub(super) fn private(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    headers.insert("x-robots-tag", header::HeaderValue::from_static("noindex, nofollow"));
    response
}

pub async fn ticket(State(state): State<AppState>, lang: Lang, Path(token): Path<String>, Query(params): Query<TicketParams>) -> Response {
    let tr = Tr(lang);
    let view = match state.app.portal_ticket(&token).await {
        Ok(view) => view,
        Err(AppError::NotFound { .. }) => {
            let page = form_page(&state, lang, RequestForm::default(), Some(tr.t("portal.not_found"))).await;
            return private((StatusCode::NOT_FOUND, page));
        }
        Err(error) => return UiError::from(error).page(lang),
    };
    let notice = if params.solved.is_some() {
        Some(tr.t("portal.solved_done"))
    } else if let Some(into) = view.merged_into {
        Some(tr.with("portal.merged", "number", &into.to_string()))
    } else {
        params.follow_up.map(|n| tr.with("portal.follow_up", "number", &n.to_string()))
    };
    let link = format!("/portal/t/{token}");
    let files_base = format!("{link}/attachments");
    // A survey that cannot be offered is no reason to fail the page.
    let survey = state
        .app
        .open_survey_of_ticket(view.ticket.id)
        .await
        .ok()
        .flatten()
        .map(|t| format!("/s/{t}"));
    private(TicketPage {
        survey,
        number: view.ticket.number,
        subject: view.ticket.subject.clone(),
        status: tr.label("status", view.ticket.status.as_str()),
        status_key: view.ticket.status.as_str(),
        messages: std::iter::once(PortalEntry {
            // What the customer first wrote opens the conversation, with its files.
            who: tr.t("portal.you"),
            kind: "customer",
            at: render::when(view.ticket.created_at),
            at_iso: render::iso(view.ticket.created_at),
            html: state.rendered.message(-view.ticket.id, &view.ticket.description).to_string(),
            files: render::file_links(&files_base, &view.attachments),
        })
        .chain(view.messages.iter().map(|m| PortalEntry {
            who: match m.author_kind {
                ActorKind::Customer => tr.t("portal.you"),
                _ => tr.t("portal.support"),
            },
            kind: m.kind.as_str(),
            at: render::when(m.created_at),
            at_iso: render::iso(m.created_at),
            html: state.rendered.message(m.id, &m.body).to_string(),
            files: render::file_links(&files_base, &m.attachments),
        }))
        .collect(),
        chrome: Chrome::portal(lang, &link, state.app.branding().await),
        link,
        just_created: params.new.is_some(),
        notice,
    })
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

/// A file of the request, for the customer (never an internal note's).
pub async fn attachment(State(state): State<AppState>, lang: Lang, Path((token, id)): Path<(String, Id)>) -> Response {
    match state.app.portal_attachment(&token, id).await {
        Ok(file) => attachment_response(file),
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn reply(
    State(state): State<AppState>,
    lang: Lang,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: Result<FormWithFiles<ReplyForm>, UploadRejection>,
) -> Response {
    if !same_origin(&headers) {
        return UiError::CrossOrigin.page(lang);
    }
    let FormWithFiles { form, files } = match form {
        Ok(form) => form,
        Err(UploadRejection(error)) => return UiError::from(error).page(lang),
    };
    match state.app.portal_reply(&token, form.body, files, &peer.ip().to_string()).await {
        Ok(None) => Redirect::to(&format!("/portal/t/{token}")).into_response(),
        Ok(Some(follow_up)) => Redirect::to(&format!("/portal/t/{token}?follow_up={follow_up}")).into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn solved(State(state): State<AppState>, lang: Lang, headers: HeaderMap, Path(token): Path<String>) -> Response {
    if !same_origin(&headers) {
        return UiError::CrossOrigin.page(lang);
    }
    match state.app.portal_mark_solved(&token).await {
        Ok(()) => Redirect::to(&format!("/portal/t/{token}?solved=1")).into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}
