//! The agent's inbox: one list per view, newest work first, paginated by cursor.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError};
use super::render;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::Path;
use axum::extract::{Query, State};
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use kefu_app::AppError;
use kefu_app::bulk_update::BulkUpdate;
use kefu_app::inbox::InboxCounts;
use kefu_app::saved_views::{SaveView, canonical_query, list_parameters};
use kefu_app::tickets::ListTickets;
use kefu_domain::entities::Id;
use kefu_domain::entities::{Ticket, TicketNumber};
use kefu_domain::enums::TicketKind;
use kefu_domain::query::SavedView;
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
    href: String,
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
    /// Where the bulk report leads back to: this list.
    back: String,
    /// The agent's saved views, shown after the fixed ones.
    saved: Vec<SavedTab>,
    /// The filter form, on the filter page.
    filter: Option<FilterForm>,
    /// The filter page showing a filter not saved as a view.
    unsaved_filter: bool,
}

/// A saved view's tab.
struct SavedTab {
    id: Id,
    name: String,
    href: String,
    current: bool,
}

/// The filter page's form: the values chosen, the choices, and the query to save.
struct FilterForm {
    status: String,
    assignee: String,
    priority: String,
    kind: String,
    tag: String,
    sla: String,
    sort: String,
    /// The canonical query of what is chosen (empty: nothing chosen yet).
    query: String,
    /// The saved view being shown, if any.
    saved: Option<Id>,
    error: Option<String>,
    statuses: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    sorts: Vec<(&'static str, String)>,
}

fn saved_tabs(views: Vec<SavedView>, current: Option<Id>) -> Vec<SavedTab> {
    views
        .into_iter()
        .map(|v| SavedTab {
            href: format!("/inbox/filter?{}&saved={}", v.query, v.id),
            current: current == Some(v.id),
            id: v.id,
            name: v.name,
        })
        .collect()
}

fn bulk_statuses(tr: Tr) -> Vec<(&'static str, String)> {
    ["open", "pending", "on_hold", "resolved"]
        .into_iter()
        .map(|s| (s, tr.label("status", s)))
        .collect()
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
            href: format!("/inbox?view={}", v.key()),
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
        .chain(std::iter::once(Tab {
            key: COMMITMENTS,
            href: "/inbox/commitments".into(),
            label: tr.t("inbox.commitments"),
            current: false,
            count: Some(counts.commitments),
        }))
        .collect()
}

/// The tab of the agent's open commitments (a list of promises, not of tickets).
const COMMITMENTS: &str = "commitments";

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
        Ok(counts) => {
            let mut tabs = tabs(&session, tr, view, &counts);
            // On the filter and commitments pages no ticket view is the one shown.
            let shown = match params.view.as_deref() {
                Some("filter") => Some("filter"),
                Some(COMMITMENTS) => Some(COMMITMENTS),
                _ => None,
            };
            if let Some(shown) = shown {
                tabs.iter_mut().for_each(|t| t.current = t.key == shown);
            }
            TabsFragment {
                nav_label: tr.t("inbox.title"),
                view: shown.unwrap_or(view.key()),
                tabs,
            }
            .into_response()
        }
        Err(error) => UiError::from(error).fragment(lang),
    }
}

pub async fn inbox(State(state): State<AppState>, lang: Lang, session: Session, Query(params): Query<InboxParams>) -> Response {
    let tr = Tr(lang);
    let view = chosen_view(&session, params.view.as_deref());
    let actor = &session.0.actor;
    let (page, counts, views) = match tokio::try_join!(
        state.app.list_tickets(actor, view.query(params.cursor)),
        state.app.inbox_counts(actor),
        state.app.saved_views(actor)
    ) {
        Ok(all) => all,
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
        statuses: bulk_statuses(tr),
        saved: saved_tabs(views, None),
        filter: None,
        unsaved_filter: false,
        chrome: Chrome::signed_in(lang, &session, &here),
        back: here,
    }
    .into_response()
}

/// The filter page: any combination of the list's filters and orders, its tickets, and a
/// form to save it as a view (a tab from then on).
pub async fn filter(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    filter_page(&state, lang, &session, raw.unwrap_or_default(), None).await
}

async fn filter_page(state: &AppState, lang: Lang, session: &Session, raw: String, error: Option<String>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    let pairs: std::collections::HashMap<String, String> = url::form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
    let saved = pairs.get("saved").and_then(|id| id.parse::<Id>().ok());
    let params = list_parameters(&raw);
    let query = canonical_query(&params);
    let mut list = params.clone();
    list.cursor = pairs.get("cursor").cloned();
    let (page, counts, views) = match tokio::try_join!(
        state.app.list_tickets(actor, list),
        state.app.inbox_counts(actor),
        state.app.saved_views(actor)
    ) {
        Ok(all) => all,
        Err(error @ AppError::Invalid(_)) => {
            // A filter the list refuses: say why on an empty page rather than fail.
            let (_, message) = UiError::from(error).status_and_message(tr);
            return Box::pin(filter_page(state, lang, session, String::new(), Some(message))).await;
        }
        Err(error) => return UiError::from(error).page(lang),
    };
    let here = format!(
        "/inbox/filter?{query}{}",
        saved.map(|id| format!("&saved={id}")).unwrap_or_default()
    );
    let next = page.next_cursor.map(|cursor| {
        format!(
            "{here}&cursor={}",
            url::form_urlencoded::byte_serialize(cursor.as_bytes()).collect::<String>()
        )
    });
    let mut tabs = tabs(session, tr, View::All, &counts);
    tabs.iter_mut().for_each(|t| t.current = false);
    let title = saved
        .and_then(|id| views.iter().find(|v| v.id == id).map(|v| v.name.clone()))
        .unwrap_or_else(|| tr.t("views.filter"));
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let labelled = |vocabulary: &str, keys: &[&'static str]| -> Vec<(&'static str, String)> {
        keys.iter().map(|k| (*k, tr.label(vocabulary, k))).collect()
    };
    let filter = FilterForm {
        status: value(&params.status),
        assignee: value(&params.assignee),
        priority: value(&params.priority),
        kind: value(&params.kind),
        tag: value(&params.tag),
        sla: value(&params.sla),
        sort: value(&params.sort),
        query,
        saved,
        error,
        statuses: labelled("status", &["new", "open", "pending", "on_hold", "resolved", "closed"]),
        priorities: labelled("priority", &["urgent", "high", "normal", "low"]),
        kinds: TicketKind::ALL.iter().map(|k| (k.as_str(), tr.label("kind", k.as_str()))).collect(),
        sorts: labelled("sort", &["-created", "created", "-updated", "updated", "priority", "sla_due"]),
    };
    InboxPage {
        nav_label: tr.t("inbox.title"),
        view: "filter",
        tabs,
        title,
        rows: page.items.iter().map(|t| Row::of(t, tr)).collect(),
        next,
        statuses: bulk_statuses(tr),
        saved: saved_tabs(views, saved),
        filter: Some(filter),
        unsaved_filter: saved.is_none(),
        chrome: Chrome::signed_in(lang, session, &here),
        back: here,
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct SaveViewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
}

/// Saves the filter shown as a view; back on the filter page with the error otherwise.
pub async fn save_view(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<SaveViewForm>) -> Response {
    let input = SaveView {
        name: Some(form.name),
        query: Some(form.query.clone()),
    };
    match state.app.save_view(&session.0.actor, input).await {
        Ok(view) => Redirect::to(&format!("/inbox/filter?{}&saved={}", view.query, view.id)).into_response(),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let (status, message) = UiError::from(error).status_and_message(Tr(lang));
            let mut page = filter_page(&state, lang, &session, form.query, Some(message)).await;
            *page.status_mut() = status;
            page
        }
        Err(error) => UiError::from(error).page(lang),
    }
}

/// Deletes one of the agent's views.
pub async fn delete_view(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    match state.app.delete_view(&session.0.actor, id).await {
        Ok(()) => Redirect::to("/inbox").into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
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

pub struct PromiseRow {
    pub ticket: i64,
    pub what: String,
    pub due: String,
    pub due_iso: String,
    pub overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox_commitments.html")]
struct CommitmentsPage {
    chrome: Chrome,
    nav_label: String,
    view: &'static str,
    tabs: Vec<Tab>,
    rows: Vec<PromiseRow>,
    overdue: i64,
}

/// My open commitments (服务承诺), the one due first first, overdue ones marked.
pub async fn commitments(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    let (promises, counts) = match tokio::try_join!(state.app.my_commitments(actor), state.app.inbox_counts(actor)) {
        Ok(both) => both,
        Err(error) => return UiError::from(error).page(lang),
    };
    let mut tabs = tabs(&session, tr, View::Mine, &counts);
    tabs.iter_mut().for_each(|t| t.current = t.key == COMMITMENTS);
    CommitmentsPage {
        chrome: Chrome::signed_in(lang, &session, "/inbox/commitments"),
        nav_label: tr.t("inbox.title"),
        view: COMMITMENTS,
        tabs,
        overdue: counts.commitments_overdue,
        rows: promises
            .into_iter()
            .map(|c| PromiseRow {
                ticket: c.ticket_number,
                what: c.what,
                due: render::when(c.due_at),
                due_iso: render::iso(c.due_at),
                overdue: c.overdue,
            })
            .collect(),
    }
    .into_response()
}
