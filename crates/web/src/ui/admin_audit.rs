//! The audit log page (admins): who changed how the department works, what, when.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError};
use super::render;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kefu_domain::entities::Id;
use serde::Deserialize;
use std::collections::HashMap;

/// How much of a change's data the page shows (the API has all of it).
const SHOWN_DATA_CHARS: usize = 400;

struct AuditRow {
    at: String,
    at_iso: String,
    who: String,
    action: String,
    subject: String,
    data: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    older: Option<String>,
}

#[derive(Deserialize)]
pub struct AuditParams {
    before: Option<Id>,
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session, Query(params): Query<AuditParams>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    const PAGE: u32 = 50;
    let (entries, agents) = match tokio::try_join!(state.app.audit_log(actor, params.before, Some(PAGE)), state.app.agents(actor)) {
        Ok(both) => both,
        Err(error) => return UiError::from(error).page(lang),
    };
    let names: HashMap<Id, String> = agents.iter().map(|a| (a.id, a.name.clone())).collect();
    let older = (entries.len() == PAGE as usize)
        .then(|| entries.last().map(|e| format!("/admin/audit?before={}", e.id)))
        .flatten();
    let rows = entries
        .into_iter()
        .map(|e| {
            let data = e.data.to_string();
            AuditRow {
                at: render::when(e.at),
                at_iso: render::iso(e.at),
                who: e
                    .actor_id
                    .map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
                    .unwrap_or_else(|| tr.t("audit.operator")),
                action: tr.label("audit_action", &e.action),
                subject: match e.subject_id {
                    Some(id) => format!("{} #{id}", tr.label("audit_subject", &e.subject_kind)),
                    None => tr.label("audit_subject", &e.subject_kind),
                },
                data: if data.chars().count() > SHOWN_DATA_CHARS {
                    format!("{}…", data.chars().take(SHOWN_DATA_CHARS).collect::<String>())
                } else {
                    data
                },
            }
        })
        .collect();
    AuditPage {
        chrome: Chrome::signed_in(lang, &session, "/admin/audit"),
        rows,
        older,
    }
    .into_response()
}
