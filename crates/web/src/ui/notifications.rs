//! The agent's notifications: a badge in the header (fetched after the page, so it
//! never slows one down) and a page listing them.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError};
use super::render;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::service::{Notification, NotificationKind};

struct Row {
    what: String,
    /// Where the notification leads when it is not about one ticket.
    link: Option<String>,
    ticket: Option<i64>,
    at: String,
    at_iso: String,
    unread: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    rows: Vec<Row>,
    unread: i64,
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    let tr = Tr(lang);
    match state.app.notifications(&session.0.actor, false, None, Some(50)).await {
        Ok(list) => NotificationsPage {
            rows: list
                .items
                .iter()
                .map(|n| Row {
                    what: describe(tr, n),
                    link: (n.kind == NotificationKind::HotIssue).then(|| "/reports/hot".to_owned()),
                    ticket: n.ticket_number,
                    at: render::when(n.created_at),
                    at_iso: render::iso(n.created_at),
                    unread: n.read_at.is_none(),
                })
                .collect(),
            unread: list.unread,
            chrome: Chrome::signed_in(lang, &session, "/notifications"),
        }
        .into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

/// What a notification says: its kind, and for a hot issue the topic and its numbers.
fn describe(tr: Tr, n: &Notification) -> String {
    let what = tr.label("notification", n.kind.as_str());
    if n.kind != NotificationKind::HotIssue {
        return what;
    }
    let text = |key: &str| {
        n.data
            .get(key)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default()
    };
    let usual = n
        .data
        .get("usual")
        .and_then(serde_json::Value::as_f64)
        .map_or_else(String::new, |u| format!("{u:.1}"));
    format!(
        "{what}: {} · {}",
        text("term"),
        tr.with("hot.alert_line", "tickets", &text("tickets")).replace("%{usual}", &usual)
    )
}

/// The unread count for the header (empty when there is none).
pub async fn badge(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    match state.app.notifications(&session.0.actor, true, None, Some(1)).await {
        Ok(list) if list.unread > 0 => list.unread.to_string().into_response(),
        Ok(_) => String::new().into_response(),
        Err(error) => UiError::from(error).fragment(lang),
    }
}

pub async fn mark_all_read(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    let input = kefu_app::notifications::MarkRead {
        all: true,
        ..Default::default()
    };
    match state.app.mark_notifications_read(&session.0.actor, input).await {
        Ok(_) => Redirect::to("/notifications").into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}
