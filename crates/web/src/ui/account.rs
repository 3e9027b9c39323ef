//! Signing in and out, the agent's sessions, presence and language.

use super::Htmx;
use super::i18n::cookie;
use super::i18n::{LANG_COOKIE, Lang};
use super::pages::{Chrome, Flash, UiError, refusal};
use super::render;
use super::session::{SESSION_COOKIE, Session, cleared_session_cookie, is_https, safe_next, same_origin, session_cookie};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::people::AgentInput;
use kefu_app::sign_in::SignInRequest;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    email: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
    /// `password` after a password was set through a link.
    done: Option<String>,
}

pub async fn login_page(lang: Lang, Query(params): Query<NextParam>) -> Response {
    LoginPage {
        chrome: Chrome::anonymous(lang, "/login"),
        next: safe_next(params.next.as_deref()),
        email: String::new(),
        error: None,
        notice: (params.done.as_deref() == Some("password")).then(|| super::i18n::Tr(lang).t("password.set_done")),
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// Signs in. A failure shows the form again with the e-mail kept and one message that
/// does not say whether the account exists.
pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let again = |status: StatusCode, error: String, email: String| {
        let page = LoginPage {
            chrome: Chrome::anonymous(lang, "/login"),
            next: next.clone(),
            email,
            error: Some(error),
            notice: None,
        };
        (status, page).into_response()
    };
    // Login CSRF: another site must not sign a visitor into an account of its choosing.
    if !same_origin(&headers) {
        return again(StatusCode::FORBIDDEN, super::i18n::Tr(lang).t("sign_in.origin"), form.email);
    }
    let request = SignInRequest {
        email: form.email.clone(),
        password: form.password,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        address: peer.ip().to_string(),
    };
    match state.app.sign_in(request).await {
        Ok(new) => {
            let cookie = session_cookie(&new.token, is_https(&headers));
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(AppError::Invalid(_)) => again(StatusCode::UNAUTHORIZED, super::i18n::Tr(lang).t("sign_in.wrong"), form.email),
        Err(AppError::RateLimited { retry_after, .. }) => {
            let tr = super::i18n::Tr(lang);
            let minutes = retry_after.as_secs().div_ceil(60).max(1).to_string();
            again(
                StatusCode::TOO_MANY_REQUESTS,
                tr.with("sign_in.limited", "minutes", &minutes),
                form.email,
            )
        }
        Err(other) => UiError::from(other).page(lang),
    }
}

/// Signs out: the session ends in the database, not only in this browser.
pub async fn logout(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(error) = state.app.sign_out(token).await
    {
        return UiError::from(error).page(lang);
    }
    ([(header::SET_COOKIE, cleared_session_cookie())], Redirect::to("/login")).into_response()
}

struct SessionRow {
    id: i64,
    user_agent: String,
    address: String,
    started: String,
    started_iso: String,
    last_seen: String,
    last_seen_iso: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    sessions: Vec<SessionRow>,
}

pub async fn sessions(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    let current = session.0.session.id;
    match state.app.my_sessions(&session.0.actor).await {
        Ok(list) => SessionsPage {
            chrome: Chrome::signed_in(lang, &session, "/account/sessions"),
            sessions: list
                .into_iter()
                .map(|s| SessionRow {
                    id: s.id,
                    user_agent: s.user_agent,
                    address: s.address,
                    started: render::when(s.created_at),
                    started_iso: render::iso(s.created_at),
                    last_seen: render::when(s.last_seen_at),
                    last_seen_iso: render::iso(s.last_seen_at),
                    current: s.id == current,
                })
                .collect(),
        }
        .into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn end_session(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<i64>) -> Response {
    match state.app.end_session(&session.0.actor, id).await {
        Ok(()) => Redirect::to("/account/sessions").into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

#[derive(Deserialize)]
pub struct PresenceForm {
    presence: String,
}

/// The header's presence switch (feeds routing).
pub async fn set_presence(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Form(form): Form<PresenceForm>,
) -> Response {
    let input = AgentInput {
        presence: Some(form.presence.clone()),
        ..AgentInput::default()
    };
    let actor = &session.0.actor;
    match state.app.update_agent(actor, actor.id, input).await {
        Ok(_) if htmx => {
            let tr = super::i18n::Tr(lang);
            Flash {
                message: format!("{}: {}", tr.t("nav.presence"), tr.label("presence", &form.presence)),
            }
            .into_response()
        }
        Ok(_) => Redirect::to("/inbox").into_response(),
        Err(error) => UiError::from(error).respond(lang, htmx),
    }
}

/// Chooses the UI language (a cookie for a year) and goes back.
pub async fn set_language(Path(code): Path<String>, Query(params): Query<NextParam>, headers: HeaderMap) -> Response {
    let next = safe_next(params.next.as_deref());
    let Some(lang) = Lang::parse(&code) else {
        return Redirect::to(&next).into_response();
    };
    let secure = if is_https(&headers) { "; Secure" } else { "" };
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}", lang.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    /// The page asks for the current password (a signed-in change), or not (a link).
    ask_current: bool,
    action: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    new_password: String,
    confirm_password: String,
}

fn password_page(chrome: Chrome, ask_current: bool, action: String, error: Option<String>, notice: Option<String>) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        PasswordPage {
            chrome,
            ask_current,
            action,
            error,
            notice,
        },
    )
        .into_response()
}

pub async fn password_form(lang: Lang, session: Session) -> Response {
    let chrome = Chrome::signed_in(lang, &session, "/account/password");
    password_page(chrome, true, "/account/password".into(), None, None)
}

pub async fn change_password(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<PasswordForm>) -> Response {
    let tr = super::i18n::Tr(lang);
    let chrome = || Chrome::signed_in(lang, &session, "/account/password");
    if form.new_password != form.confirm_password {
        return password_page(chrome(), true, "/account/password".into(), Some(tr.t("password.mismatch")), None);
    }
    let signed_in = &session.0;
    match state
        .app
        .change_password(&signed_in.actor, form.current_password, form.new_password, signed_in.session.id)
        .await
    {
        Ok(()) => password_page(chrome(), true, "/account/password".into(), None, Some(tr.t("password.changed"))),
        Err(error) => match refusal(error, super::i18n::Tr(lang)) {
            Ok(message) => password_page(chrome(), true, "/account/password".into(), Some(message), None),
            Err(error) => error.page(lang),
        },
    }
}

/// The page a password link opens (an invitation or a reset).
pub async fn link_form(State(state): State<AppState>, lang: Lang, Path(token): Path<String>) -> Response {
    let tr = super::i18n::Tr(lang);
    let action = format!("/password/{token}");
    match state.app.password_link_usable(&token).await {
        Ok(true) => password_page(Chrome::anonymous(lang, "/login"), false, action, None, None),
        Ok(false) => {
            let page = password_page(
                Chrome::anonymous(lang, "/login"),
                false,
                action,
                Some(tr.t("password.link_dead")),
                None,
            );
            (StatusCode::NOT_FOUND, page).into_response()
        }
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn set_by_link(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let tr = super::i18n::Tr(lang);
    let action = format!("/password/{token}");
    let chrome = || Chrome::anonymous(lang, "/login");
    if !same_origin(&headers) {
        return UiError::CrossOrigin.page(lang);
    }
    if form.new_password != form.confirm_password {
        return password_page(chrome(), false, action, Some(tr.t("password.mismatch")), None);
    }
    match state.app.set_password_by_link(&token, form.new_password).await {
        Ok(()) => Redirect::to("/login?done=password").into_response(),
        Err(AppError::NotFound { .. }) => {
            let page = password_page(chrome(), false, action, Some(tr.t("password.link_dead")), None);
            (StatusCode::NOT_FOUND, page).into_response()
        }
        Err(error) => match refusal(error, super::i18n::Tr(lang)) {
            Ok(message) => password_page(chrome(), false, action, Some(message), None),
            Err(error) => error.page(lang),
        },
    }
}
