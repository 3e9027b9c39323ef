//! The agent's inbox: one list per view, newest work first, paginated by cursor.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError};
use super::render;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kefu_app::AppError;
use kefu_app::bulk_update::BulkUpdate;
use kefu_app::inbox::InboxCounts;
use kefu_app::tickets::ListTickets;
use kefu_domain::entities::{Ticket, TicketNumber};
use serde::Deserialize;

/// Statuses still needing work.
const UNFINISHED: &str = "new,open,pending,on_hold";

/// The inbox's views, in the order the tabs show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Mine,
    Unassigned,
    Owned,
    Waiting,
    AtRisk,
    Breached,
    All,
}

impl View {
    const ALL: [View; 7] = [
        View::Mine,
        View::Unassigned,
        View::Owned,
        View::Waiting,
        View::AtRisk,
        View::Breached,
        View::All,
    ];

    fn key(self) -> &'static str {
        match self {
            View::Mine => "mine",
            View::Unassigned => "unassigned",
            View::Owned => "owned",
            View::Waiting => "waiting",
            View::AtRisk => "at_risk",
            View::Breached => "breached",
            View::All => "all",
        }
    }

    fn parse(key: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.key() == key)
    }

    /// Supervisors only: everyone's tickets.
    fn supervisors_only(self) -> bool {
        self == View::All
    }

    /// The ticket list behind the view (the use case applies the actor's visibility).
    fn query(self, cursor: Option<String>) -> ListTickets {
        let base = ListTickets {
            cursor,
            limit: Some("50".into()),
            ..ListTickets::default()
        };
        match self {
            View::Mine => ListTickets {
                assignee: Some("me".into()),
                status: Some(UNFINISHED.into()),
                sort: Some("-updated".into()),
                ..base
            },
            // Oldest first, the order a queue is worked in; ordering by priority here has
            // no index behind it (each team's routed queue does, see `tickets_queue`).
            View::Unassigned => ListTickets {
                assignee: Some("none".into()),
                status: Some(UNFINISHED.into()),
                sort: Some("created".into()),
                ..base
            },
            View::Owned => ListTickets {
                owner: Some("me".into()),
                held_by_others: Some(true),
                status: Some(UNFINISHED.into()),
                ..base
            },
            View::Waiting => ListTickets {
                assignee: Some("me".into()),
                status: Some("pending".into()),
                ..base
            },
            View::AtRisk => ListTickets {
                sla: Some("at_risk".into()),
                sort: Some("sla_due".into()),
                ..base
            },
            View::Breached => ListTickets {
                sla: Some("breached".into()),
                sort: Some("sla_due".into()),
                ..base
            },
            View::All => ListTickets {
                status: Some(UNFINISHED.into()),
                sort: Some("-updated".into()),
                ..base
            },
        }
    }
}

#[derive(Deserialize)]
pub struct InboxParams {
    view: Option<String>,
    cursor: Option<String>,
}

struct Tab {
    key: &'static str,
    label: String,
    current: bool,
    /// The live count, where the view has a counter.
    count: Option<i64>,
}

pub struct Row {
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub status_key: &'static str,
    pub priority: String,
    pub priority_key: &'static str,
    pub updated: String,
    pub updated_iso: String,
    pub sla_due: String,
    pub sla_due_iso: String,
    pub breached: bool,
}

impl Row {
    pub fn of(ticket: &Ticket, tr: Tr) -> Self {
        Row {
            number: ticket.number,
            subject: ticket.subject.clone(),
            status: tr.label("status", ticket.status.as_str()),
            status_key: ticket.status.as_str(),
            priority: tr.label("priority", ticket.priority.as_str()),
            priority_key: ticket.priority.as_str(),
            updated: render::when(ticket.updated_at),
            updated_iso: render::iso(ticket.updated_at),
            sla_due: ticket.sla_due_at.map(render::when).unwrap_or_default(),
            sla_due_iso: ticket.sla_due_at.map(render::iso).unwrap_or_default(),
            breached: ticket.sla_breached,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    nav_label: String,
    view: &'static str,
    tabs: Vec<Tab>,
    title: String,
    rows: Vec<Row>,
    next: Option<String>,
    /// Statuses the bulk bar offers.
    statuses: Vec<(&'static str, String)>,
}

/// The view asked for, if the agent may see it; "mine" otherwise.
fn chosen_view(session: &Session, key: Option<&str>) -> View {
    let supervisor = session.0.actor.is_supervisor();
    key.and_then(View::parse)
        .filter(|v| supervisor || !v.supervisors_only())
        .unwrap_or(View::Mine)
}

/// The view tabs with their live counts.
fn tabs(session: &Session, tr: Tr, current: View, counts: &InboxCounts) -> Vec<Tab> {
    let supervisor = session.0.actor.is_supervisor();
    View::ALL
        .into_iter()
        .filter(|v| supervisor || !v.supervisors_only())
        .map(|v| Tab {
            key: v.key(),
            label: tr.t(&format!("inbox.{}", v.key())),
            current: v == current,
            count: match v {
                View::Mine => Some(counts.mine),
                View::Unassigned => Some(counts.unassigned),
                View::Owned => Some(counts.owned_by_others),
                View::Waiting => Some(counts.waiting),
                View::All => counts.all,
                // Time moves tickets into these views without a write; no counter yet.
                View::AtRisk | View::Breached => None,
            },
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox_tabs.html")]
struct TabsFragment {
    nav_label: String,
    view: &'static str,
    tabs: Vec<Tab>,
}

/// The tabs alone: the inbox polls this to keep its counts live.
pub async fn tabs_fragment(State(state): State<AppState>, lang: Lang, session: Session, Query(params): Query<InboxParams>) -> Response {
    let tr = Tr(lang);
    let view = chosen_view(&session, params.view.as_deref());
    match state.app.inbox_counts(&session.0.actor).await {
        Ok(counts) => TabsFragment {
            nav_label: tr.t("inbox.title"),
            view: view.key(),
            tabs: tabs(&session, tr, view, &counts),
        }
        .into_response(),
        Err(error) => UiError::from(error).fragment(lang),
    }
}

pub async fn inbox(State(state): State<AppState>, lang: Lang, session: Session, Query(params): Query<InboxParams>) -> Response {
    let tr = Tr(lang);
    let view = chosen_view(&session, params.view.as_deref());
    let actor = &session.0.actor;
    let (page, counts) = match tokio::try_join!(
        state.app.list_tickets(actor, view.query(params.cursor)),
        state.app.inbox_counts(actor)
    ) {
        Ok(both) => both,
        Err(error) => return UiError::from(error).page(lang),
    };
    let next = page.next_cursor.map(|cursor| {
        format!(
            "/inbox?view={}&cursor={}",
            view.key(),
            url::form_urlencoded::byte_serialize(cursor.as_bytes()).collect::<String>()
        )
    });
    let here = format!("/inbox?view={}", view.key());
    InboxPage {
        nav_label: tr.t("inbox.title"),
        view: view.key(),
        tabs: tabs(&session, tr, view, &counts),
        title: tr.t(&format!("inbox.{}", view.key())),
        rows: page.items.iter().map(|t| Row::of(t, tr)).collect(),
        next,
        statuses: ["open", "pending", "on_hold", "resolved"]
            .into_iter()
            .map(|s| (s, tr.label("status", s)))
            .collect(),
        chrome: Chrome::signed_in(lang, &session, &here),
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "bulk_report.html")]
struct BulkReportPage {
    chrome: Chrome,
    summary: String,
    changed: Vec<TicketNumber>,
    unchanged: Vec<TicketNumber>,
    failed: Vec<(TicketNumber, String)>,
    back: String,
}

/// The bulk bar of a list: the checked tickets get the chosen changes; the answer is a
/// page saying what happened to each.
pub async fn bulk(State(state): State<AppState>, lang: Lang, session: Session, body: axum::body::Bytes) -> Response {
    let tr = Tr(lang);
    // Checkboxes repeat one name, which a plain form struct cannot hold: read the pairs.
    let mut tickets = Vec::new();
    let mut field = std::collections::HashMap::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        if key == "tickets" {
            match value.parse::<TicketNumber>() {
                Ok(number) => tickets.push(number),
                Err(_) => return UiError::from(AppError::field("tickets", "invalid_number", "ticket numbers")).page(lang),
            }
        } else {
            field.insert(key.into_owned(), value.into_owned());
        }
    }
    let text = |name: &str| field.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let back = text("back").filter(|b| b.starts_with("/inbox")).unwrap_or_else(|| "/inbox".into());
    if tickets.is_empty() {
        return UiError::from(AppError::field("tickets", "required", tr.t("bulk.none_selected"))).page(lang);
    }
    let actor = &session.0.actor;
    let input = BulkUpdate {
        tickets: Some(tickets),
        assignee: match text("assignee").as_deref() {
            Some("me") => Some(Some(actor.id)),
            Some("none") => Some(None),
            _ => None,
        },
        status: text("status"),
        priority: None,
        add_tags: text("add_tag").map(|t| vec![t]),
        remove_tags: text("remove_tag").map(|t| vec![t]),
    };
    match state.app.bulk_update(actor, input).await {
        Ok(report) => {
            let summary = tr
                .t("bulk.summary")
                .replace("%{changed}", &report.changed.len().to_string())
                .replace("%{unchanged}", &report.unchanged.len().to_string())
                .replace("%{failed}", &report.failed.len().to_string());
            BulkReportPage {
                summary,
                failed: report.failed.into_iter().map(|f| (f.number, f.message)).collect(),
                changed: report.changed,
                unchanged: report.unchanged,
                chrome: Chrome::signed_in(lang, &session, &back),
                back,
            }
            .into_response()
        }
        Err(error) => UiError::from(error).page(lang),
    }
}
