//! The portal's branding: the admin's page to set it, and the logo and accent stylesheet
//! the public pages load (same origin, so the Content Security Policy holds).

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError};
use super::session::Session;
use crate::state::AppState;
use crate::upload::{FormWithFiles, UploadRejection};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::branding::BrandingInput;
use kefu_domain::branding::{Branding, stylesheet};
use serde::Deserialize;

/// Cached briefly by browsers: the links carry a version, and a change shows within a minute.
const PUBLIC_CACHE: &str = "public, max-age=60";

/// `/brand/logo`: the department's logo.
pub async fn logo(State(state): State<AppState>, lang: Lang) -> Response {
    match state.app.portal_logo().await {
        Ok(Some((content_type, bytes))) => {
            let content_type = kefu_domain::attachment::served_content_type(&content_type);
            let mut response = (StatusCode::OK, bytes).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC_CACHE));
            response
        }
        Ok(None) => UiError::from(AppError::NotFound {
            what: "logo",
            code: "logo_not_found",
        })
        .page(lang),
        Err(error) => UiError::from(error).page(lang),
    }
}

/// `/brand.css`: the accent colour chosen by the admin.
pub async fn css(State(state): State<AppState>) -> Response {
    let css = stylesheet(&*state.app.branding().await);
    let mut response = (StatusCode::OK, css).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC_CACHE));
    response
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_branding.html")]
struct BrandingPage {
    chrome: Chrome,
    current: Branding,
    has_logo: bool,
    error: Option<String>,
    saved: bool,
}

async fn branding_page(state: &AppState, lang: Lang, session: &Session, error: Option<String>, saved: bool) -> Response {
    if let Err(error) = session.0.actor.require_admin("the portal's branding") {
        return UiError::from(error).page(lang);
    }
    let current = (*state.app.branding().await).clone();
    BrandingPage {
        chrome: Chrome::signed_in(lang, session, "/admin/branding"),
        has_logo: current.logo_type.is_some(),
        current,
        error,
        saved,
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct SavedParam {
    saved: Option<u8>,
}

pub async fn page(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    axum::extract::Query(params): axum::extract::Query<SavedParam>,
) -> Response {
    branding_page(&state, lang, &session, None, params.saved.is_some()).await
}

#[derive(Deserialize)]
pub struct BrandingForm {
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    welcome_zh: String,
    #[serde(default)]
    welcome_en: String,
    #[serde(default)]
    accent: String,
    #[serde(default)]
    remove_logo: String,
}

pub async fn save(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    form: Result<FormWithFiles<BrandingForm>, UploadRejection>,
) -> Response {
    let tr = Tr(lang);
    let FormWithFiles { form, files } = match form {
        Ok(form) => form,
        Err(UploadRejection(error)) => {
            let (_, message) = UiError::from(error).status_and_message(tr);
            return branding_page(&state, lang, &session, Some(message), false).await;
        }
    };
    let input = BrandingInput {
        name_zh: Some(form.name_zh),
        name_en: Some(form.name_en),
        welcome_zh: Some(form.welcome_zh),
        welcome_en: Some(form.welcome_en),
        accent: Some(form.accent),
        remove_logo: Some(form.remove_logo == "yes"),
    };
    match state.app.set_branding(&session.0.actor, input, files.into_iter().next()).await {
        Ok(_) => Redirect::to("/admin/branding?saved=1").into_response(),
        Err(error @ AppError::Invalid(_)) => {
            let (status, message) = UiError::from(error).status_and_message(tr);
            let mut page = branding_page(&state, lang, &session, Some(message), false).await;
            *page.status_mut() = status;
            page
        }
        Err(error) => UiError::from(error).page(lang),
    }
}
