//! Returning customers on the portal: ask for a sign-in link by e-mail, confirm it (a
//! scanner's GET signs nobody in), list every request filed under the address, open one
//! (a fresh tracking link), sign out. The rules are in `kefu_app::customer_portal`.

use super::i18n::{Lang, Tr, cookie};
use super::pages::{Chrome, UiError};
use super::portal::private;
use super::render;
use super::session::{is_https, same_origin};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::customer_portal::{CUSTOMER_SESSION_TTL, PortalCustomer};
use kefu_domain::entities::TicketNumber;
use serde::Deserialize;
use std::net::SocketAddr;

/// The customer's session cookie (its token is stored hashed).
const CUSTOMER_COOKIE: &str = "kefu_customer";

fn customer_cookie(token: &str, secure: bool) -> String {
    let max_age = CUSTOMER_SESSION_TTL.as_secs();
    let secure = if secure { "; Secure" } else { "" };
    format!("{CUSTOMER_COOKIE}={token}; Path=/portal; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

fn cleared_customer_cookie() -> String {
    format!("{CUSTOMER_COOKIE}=; Path=/portal; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// What the sign-in page shows.
enum Step {
    /// The form to ask for a link (with a refusal, if any).
    Ask { error: Option<String> },
    /// "If we know the address, the link is on its way."
    Sent,
    /// The link works: a button to sign in with it.
    Confirm { token: String },
    /// The link is used, expired or unknown.
    Expired,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    step: Step,
    /// Whether this service sends mail at all.
    mail: bool,
}

async fn sign_in_page(state: &AppState, lang: Lang, step: Step, status: StatusCode) -> Response {
    let page = SignInPage {
        chrome: Chrome::portal(lang, "/portal/sign-in", state.app.branding().await),
        step,
        mail: state.app.mail().is_some(),
    };
    private((status, page))
}

pub async fn form(State(state): State<AppState>, lang: Lang) -> Response {
    sign_in_page(&state, lang, Step::Ask { error: None }, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
}

pub async fn request(
    State(state): State<AppState>,
    lang: Lang,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let tr = Tr(lang);
    if !same_origin(&headers) {
        let error = Some(tr.t("sign_in.origin"));
        return sign_in_page(&state, lang, Step::Ask { error }, StatusCode::FORBIDDEN).await;
    }
    match state.app.request_customer_sign_in(&form.email, &peer.ip().to_string()).await {
        Ok(()) => sign_in_page(&state, lang, Step::Sent, StatusCode::OK).await,
        Err(error @ (AppError::Invalid(_) | AppError::RateLimited { .. } | AppError::Conflict { .. })) => {
            let (status, message) = UiError::from(error).status_and_message(tr);
            sign_in_page(&state, lang, Step::Ask { error: Some(message) }, status).await
        }
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn confirm(State(state): State<AppState>, lang: Lang, Path(token): Path<String>) -> Response {
    match state.app.customer_sign_in_link_usable(&token).await {
        Ok(true) => sign_in_page(&state, lang, Step::Confirm { token }, StatusCode::OK).await,
        Ok(false) => sign_in_page(&state, lang, Step::Expired, StatusCode::NOT_FOUND).await,
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn sign_in(State(state): State<AppState>, lang: Lang, headers: HeaderMap, Path(token): Path<String>) -> Response {
    if !same_origin(&headers) {
        return UiError::from(AppError::Forbidden("cross-site request")).page(lang);
    }
    match state.app.use_customer_sign_in_link(&token).await {
        Ok(session) => (
            [(header::SET_COOKIE, customer_cookie(&session, is_https(&headers)))],
            Redirect::to("/portal/my"),
        )
            .into_response(),
        Err(AppError::NotFound { .. }) => sign_in_page(&state, lang, Step::Expired, StatusCode::NOT_FOUND).await,
        Err(error) => UiError::from(error).page(lang),
    }
}

/// The signed-in customer, if the cookie holds a live session.
async fn signed_in_customer(state: &AppState, headers: &HeaderMap) -> Result<Option<PortalCustomer>, AppError> {
    match cookie(headers, CUSTOMER_COOKIE).filter(|t| !t.is_empty()) {
        Some(token) => state.app.customer_of_session(token).await,
        None => Ok(None),
    }
}

struct RequestRow {
    number: TicketNumber,
    subject: String,
    status: String,
    status_key: &'static str,
    updated: String,
    updated_iso: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_my.html")]
struct MyRequestsPage {
    chrome: Chrome,
    name: String,
    requests: Vec<RequestRow>,
}

pub async fn my_requests(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    let tr = Tr(lang);
    let customer = match signed_in_customer(&state, &headers).await {
        Ok(Some(customer)) => customer,
        Ok(None) => return Redirect::to("/portal/sign-in").into_response(),
        Err(error) => return UiError::from(error).page(lang),
    };
    let tickets = match state.app.customer_requests(&customer).await {
        Ok(tickets) => tickets,
        Err(error) => return UiError::from(error).page(lang),
    };
    let page = MyRequestsPage {
        chrome: Chrome::portal(lang, "/portal/my", state.app.branding().await),
        name: customer.customer.name.clone(),
        requests: tickets
            .into_iter()
            .map(|t| RequestRow {
                number: t.number,
                status: tr.label("status", t.status.as_str()),
                status_key: t.status.as_str(),
                updated: render::when(t.updated_at),
                updated_iso: render::iso(t.updated_at),
                subject: t.subject,
            })
            .collect(),
    };
    private(page)
}

/// Opens one of the customer's requests through a fresh tracking link.
pub async fn open(State(state): State<AppState>, lang: Lang, headers: HeaderMap, Path(number): Path<TicketNumber>) -> Response {
    if !same_origin(&headers) {
        return UiError::from(AppError::Forbidden("cross-site request")).page(lang);
    }
    let customer = match signed_in_customer(&state, &headers).await {
        Ok(Some(customer)) => customer,
        Ok(None) => return Redirect::to("/portal/sign-in").into_response(),
        Err(error) => return UiError::from(error).page(lang),
    };
    match state.app.open_customer_request(&customer, number).await {
        Ok(token) => Redirect::to(&format!("/portal/t/{token}")).into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn sign_out(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, CUSTOMER_COOKIE).filter(|t| !t.is_empty())
        && let Err(error) = state.app.end_customer_session(token).await
    {
        return UiError::from(error).page(lang);
    }
    ([(header::SET_COOKIE, cleared_customer_cookie())], Redirect::to("/portal")).into_response()
}
