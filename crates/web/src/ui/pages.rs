//! What every page shares: the frame around it (language, the signed-in agent, asset
//! URLs) and how a failed use case is shown to a person.

use super::assets;
use super::i18n::{Lang, Tr};
use super::session::{CSRF_FIELD, Session};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::{AppError, AppResult};
use kefu_domain::branding::Branding;
use std::sync::{Arc, LazyLock};

/// Asset URLs with their fingerprints, computed once.
pub struct AssetUrls {
    pub css: String,
    pub js: String,
    pub htmx: String,
    pub sse: String,
}

static ASSETS: LazyLock<AssetUrls> = LazyLock::new(|| AssetUrls {
    css: assets::url("app.css"),
    js: assets::url("app.js"),
    htmx: assets::url("vendor/htmx-2.0.11.min.js"),
    sse: assets::url("vendor/htmx-ext-sse-2.2.4.min.js"),
});

/// The signed-in agent as the header shows them.
pub struct AgentBar {
    pub name: String,
    pub presence: &'static str,
    pub csrf: String,
    /// Supervisors and admins see the settings.
    pub supervisor: bool,
}

/// The frame of every page.
pub struct Chrome {
    pub tr: Tr,
    pub agent: Option<AgentBar>,
    /// This page's path and query, for the language switch to come back to.
    pub here: String,
    pub assets: &'static AssetUrls,
    pub csrf_field: &'static str,
    /// Where the brand links to: the inbox for agents, the help center for customers.
    pub home: &'static str,
    /// The public pages' look set by the admin (Kefu's own on agents' pages).
    pub brand: Arc<Branding>,
}

impl Chrome {
    pub fn anonymous(lang: Lang, here: &str) -> Self {
        Chrome {
            tr: Tr(lang),
            agent: None,
            here: here.to_owned(),
            assets: &ASSETS,
            csrf_field: CSRF_FIELD,
            home: "/inbox",
            brand: Arc::default(),
        }
    }

    /// The frame of the public help center, in the department's branding.
    pub fn portal(lang: Lang, here: &str, brand: Arc<Branding>) -> Self {
        Chrome {
            home: "/portal",
            brand,
            ..Chrome::anonymous(lang, here)
        }
    }

    /// The name in the header and titles: the department's, else Kefu's.
    pub fn brand_name(&self) -> String {
        let name = self.brand.name(self.tr.lang() == "zh-CN");
        if name.is_empty() { self.tr.t("app.name") } else { name.to_owned() }
    }

    /// The portal's welcome text: the department's, else Kefu's.
    pub fn welcome(&self) -> String {
        let text = self.brand.welcome(self.tr.lang() == "zh-CN");
        if text.is_empty() {
            self.tr.t("portal.welcome")
        } else {
            text.to_owned()
        }
    }

    /// The logo's address (versioned by its hash, so a new logo is fetched at once).
    pub fn logo_src(&self) -> Option<String> {
        let sha = self.brand.logo_sha256.as_deref()?;
        self.brand.logo_type.as_ref()?;
        Some(format!("/brand/logo?v={}", &sha[..sha.len().min(12)]))
    }

    /// The accent colour's stylesheet, when the admin chose one.
    pub fn brand_css(&self) -> Option<String> {
        (!self.brand.accent.is_empty()).then(|| format!("/brand.css?v={}", self.brand.accent.trim_start_matches('#')))
    }

    pub fn signed_in(lang: Lang, session: &Session, here: &str) -> Self {
        let signed_in = &session.0;
        Chrome {
            agent: Some(AgentBar {
                name: signed_in.agent.name.clone(),
                presence: signed_in.agent.presence.as_str(),
                csrf: signed_in.session.csrf_token.clone(),
                supervisor: signed_in.actor.is_supervisor(),
            }),
            ..Chrome::anonymous(lang, here)
        }
    }

    /// The language switch's link: sets the other language and returns here.
    pub fn switch_href(&self) -> String {
        format!(
            "/lang/{}?next={}",
            self.tr.0.other().code(),
            url::form_urlencoded::byte_serialize(self.here.as_bytes()).collect::<String>()
        )
    }

    pub fn csrf(&self) -> &str {
        self.agent.as_ref().map_or("", |a| a.csrf.as_str())
    }
}

/// A use case's refusal or failure, shown as a page (or, to htmx, as a fragment it
/// swaps into the page's message area).
#[derive(Debug)]
pub enum UiError {
    App(AppError),
    Csrf,
    CrossOrigin,
}

impl From<AppError> for UiError {
    fn from(error: AppError) -> Self {
        UiError::App(error)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    message: String,
}

impl UiError {
    pub fn status_and_message(&self, tr: Tr) -> (StatusCode, String) {
        match self {
            UiError::Csrf => (StatusCode::FORBIDDEN, tr.t("error.csrf")),
            UiError::CrossOrigin => (StatusCode::FORBIDDEN, tr.t("sign_in.origin")),
            UiError::App(error) => match error {
                AppError::Invalid(errors) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors
                        .0
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                AppError::Rule(rule) => (StatusCode::CONFLICT, rule.to_string()),
                AppError::NotFound { .. } => (StatusCode::NOT_FOUND, tr.t("error.not_found")),
                AppError::Unauthorized | AppError::Forbidden(_) => (StatusCode::FORBIDDEN, tr.t("error.forbidden")),
                AppError::Conflict { message, .. } => (StatusCode::CONFLICT, message.clone()),
                AppError::RateLimited { retry_after, .. } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    tr.with("sign_in.limited", "minutes", &retry_after.as_secs().div_ceil(60).max(1).to_string()),
                ),
                AppError::Unavailable(cause) => {
                    tracing::error!(error = %cause, "database unavailable");
                    (StatusCode::SERVICE_UNAVAILABLE, tr.t("error.unavailable"))
                }
                AppError::Internal(cause) => {
                    tracing::error!(error = %cause, "internal error");
                    (StatusCode::INTERNAL_SERVER_ERROR, tr.t("error.internal"))
                }
            },
        }
    }

    /// A whole error page.
    pub fn page(self, lang: Lang) -> Response {
        let (status, message) = self.status_and_message(Tr(lang));
        let page = ErrorPage {
            chrome: Chrome::anonymous(lang, "/inbox"),
            message,
        };
        (status, page).into_response()
    }

    /// The message alone, for htmx to put into the page's alert area (`#flash`).
    pub fn fragment(self, lang: Lang) -> Response {
        let (status, message) = self.status_and_message(Tr(lang));
        let mut response = (status, Flash { message }).into_response();
        let headers = response.headers_mut();
        headers.insert("hx-retarget", axum::http::HeaderValue::from_static("#flash"));
        headers.insert("hx-reswap", axum::http::HeaderValue::from_static("innerHTML"));
        // Forms that select a part of the page from the answer must take this one whole.
        headers.insert("hx-reselect", axum::http::HeaderValue::from_static("p.alert"));
        response
    }

    /// A page for a normal request, a fragment for htmx.
    pub fn respond(self, lang: Lang, htmx: bool) -> Response {
        if htmx { self.fragment(lang) } else { self.page(lang) }
    }
}

#[derive(Template, WebTemplate)]
#[template(source = r#"<p class="alert" role="alert">{{ message }}</p>"#, ext = "html")]
pub struct Flash {
    pub message: String,
}

/// What an admin form answers: back to `list` once the change is made, else as
/// [`refused`] says.
pub async fn answer_form<T, F>(lang: Lang, list: &str, result: AppResult<T>, page: impl FnOnce(String) -> F) -> Response
where
    F: Future<Output = Response>,
{
    match result {
        Ok(_) => Redirect::to(list).into_response(),
        Err(error) => refused(lang, error, page).await,
    }
}

/// A refused change: the page again with the refusal above its forms, under the
/// refusal's own status (422 invalid, 409 conflict or rule, 404 gone); a missing right or
/// a failure is the error page.
pub async fn refused<F>(lang: Lang, error: AppError, page: impl FnOnce(String) -> F) -> Response
where
    F: Future<Output = Response>,
{
    match error {
        error @ (AppError::Invalid(_) | AppError::Rule(_) | AppError::Conflict { .. } | AppError::NotFound { .. }) => {
            let (status, message) = UiError::from(error).status_and_message(Tr(lang));
            let mut response = page(message).await;
            *response.status_mut() = status;
            response
        }
        error => UiError::from(error).page(lang),
    }
}

/// The message of a refused change, shown above the form that sent it.
pub fn refusal(error: AppError, tr: Tr) -> Result<String, UiError> {
    match error {
        AppError::Invalid(errors) => Ok(errors
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")),
        AppError::Rule(rule) => Ok(rule.to_string()),
        AppError::Conflict { message, .. } => Ok(message),
        AppError::Forbidden(_) => Ok(tr.t("error.forbidden")),
        other => Err(UiError::from(other)),
    }
}
