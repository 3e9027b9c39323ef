//! The ticket page: header, SLA clocks, the timeline of messages and events in one
//! stream, and the reply and note editors. Forms work without scripts (a POST, then a
//! redirect back); with htmx the page swaps in place.

use super::Htmx;
use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError};
use super::render;
use super::session::Session;
use crate::state::AppState;
use crate::upload::{FormWithFiles, UploadRejection};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::relations::{OtherTicket, Relations};
use kefu_app::ticket_workspace::TicketWorkspace;
use kefu_app::tickets::{AddMessage, Assign, Transfer, UpdateTicket};
use kefu_app::{Actor, AppError, AppResult};
use kefu_domain::category::path_name;
use kefu_domain::custom_field::CustomField;
use kefu_domain::entities::{ActorRef, Id, TicketNumber};
use kefu_domain::enums::{ActorKind, Priority};
use kefu_domain::event::TicketEvent;
use serde::Deserialize;
use std::collections::HashMap;

/// One entry of the timeline.
pub struct Entry {
    pub at: String,
    pub at_iso: String,
    pub who: String,
    /// `customer`, `reply`, `note`, `system`, `bot` for messages; `event` otherwise.
    pub kind: &'static str,
    /// The message as sanitised HTML, or empty for an event.
    pub html: String,
    /// What happened, for an event.
    pub what: String,
    /// The message's id (for "save as article" on replies).
    pub message_id: Option<Id>,
    /// Files that came with the message (or with the request, for the description).
    pub files: Vec<render::FileLink>,
}

pub struct Clock {
    pub metric: String,
    pub phase: String,
    pub due: String,
    pub due_iso: String,
    pub breached: bool,
    pub running: bool,
    /// Counted time left (business time for business-hours clocks), as read now.
    pub remaining: String,
    pub remaining_ms: i64,
    /// Until when the countdown ticks (the calendar's closing), empty: on and on.
    pub ticks_until_iso: String,
    /// Running, but its calendar is closed: the countdown stands still.
    pub paused: bool,
}

/// A message the agent was writing when the send was refused, put back in the editor.
#[derive(Default)]
pub struct Draft {
    pub kind: String,
    pub body: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ticket.html")]
struct TicketPage {
    chrome: Chrome,
    number: TicketNumber,
    subject: String,
    status: String,
    status_key: &'static str,
    priority: String,
    priority_key: &'static str,
    kind: String,
    channel: String,
    /// The category's path in the reader's language (`投诉 › 服务态度`), or empty.
    category: String,
    category_key: String,
    /// What the category can be changed to: active categories by path, and the current one.
    categories: Vec<(String, String)>,
    priorities: Vec<(&'static str, String)>,
    tags: String,
    /// The custom fields in use, with this ticket's values.
    fields: Vec<FieldInput>,
    customer: String,
    customer_id: Id,
    customer_contact: String,
    assignee: String,
    owner: String,
    team: String,
    created: String,
    assigned_to_me: bool,
    seen: String,
    clocks: Vec<Clock>,
    /// When the clocks' remaining times were read (the countdown starts from there).
    sla_as_of: String,
    timeline: Vec<Entry>,
    statuses: Vec<(&'static str, String)>,
    draft: Draft,
    warning: Option<String>,
    customer_tier: String,
    /// How this customer likes to be served (a hint for the agent), or empty.
    customer_type: String,
    /// When the customer consented to the use of their data; empty when they have not.
    customer_consent: String,
    past_tickets: Vec<PastTicket>,
    customer_commitments: Vec<PromiseRow>,
    teams: Vec<(Id, String)>,
    agents: Vec<(Id, String)>,
    macros: Vec<(Id, String)>,
    commitments: Vec<CommitmentRow>,
    relations: Relations,
}

/// A custom field as the ticket page's form shows it.
pub struct FieldInput {
    pub key: String,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<String>,
    pub checked: bool,
}

/// A promise made on this ticket (服务承诺).
pub struct CommitmentRow {
    pub id: Id,
    pub what: String,
    pub due: String,
    pub status: String,
    pub open: bool,
    pub overdue: bool,
}

/// One of the customer's other tickets, in the sidebar.
pub struct PastTicket {
    pub number: TicketNumber,
    pub subject: String,
    pub status: String,
    pub created: String,
    /// The latest satisfaction score (0–100) and whether it was low.
    pub score: Option<(String, bool)>,
}

/// An open promise to the customer, on this or another of their tickets.
pub struct PromiseRow {
    pub number: TicketNumber,
    pub what: String,
    pub due: String,
    pub overdue: bool,
}

/// Everything the page shows, read in parallel.
async fn load(
    state: &AppState,
    actor: &Actor,
    number: TicketNumber,
    lang: Lang,
    session: &Session,
    draft: Draft,
    warning: Option<String>,
) -> AppResult<TicketPage> {
    let TicketWorkspace {
        detail,
        events,
        sla,
        commitments,
        relations,
        customer,
        history,
        history_scores: scores,
        promised,
        agents,
        teams,
        macros,
        categories,
        custom_fields: fields,
    } = state.app.ticket_workspace(actor, number).await?;
    let tr = Tr(lang);
    let active_agents: Vec<(Id, String)> = agents.iter().filter(|a| a.active).map(|a| (a.id, a.name.clone())).collect();
    let names: HashMap<Id, &str> = agents.iter().map(|a| (a.id, a.name.as_str())).collect();
    let name_of = |id: Option<Id>| {
        id.and_then(|id| names.get(&id).map(|name| (*name).to_owned()))
            .unwrap_or_else(|| tr.t("ticket.nobody"))
    };
    let ticket = &detail.ticket;
    let files_base = format!("/tickets/{number}/attachments");
    let mut timeline: Vec<(jiff::Timestamp, i64, Entry)> = Vec::with_capacity(detail.messages.len() + events.len() + 1);
    // The description is what the customer first wrote: it opens the conversation.
    timeline.push((
        detail.ticket.created_at,
        -1,
        Entry {
            at: render::when(detail.ticket.created_at),
            at_iso: render::iso(detail.ticket.created_at),
            who: customer.name.clone(),
            kind: "customer",
            // A ticket's description never changes: cached under the negated ticket id.
            html: state.rendered.message(-detail.ticket.id, &detail.ticket.description).to_string(),
            what: String::new(),
            message_id: None,
            files: render::file_links(&files_base, &detail.attachments),
        },
    ));
    for message in &detail.messages {
        let who = match message.author_kind {
            ActorKind::Agent => name_of(message.author_id),
            ActorKind::Customer => customer.name.clone(),
            other => tr.label("author", other.as_str()),
        };
        timeline.push((
            message.created_at,
            0,
            Entry {
                at: render::when(message.created_at),
                at_iso: render::iso(message.created_at),
                who,
                kind: message.kind.as_str(),
                html: state.rendered.message(message.id, &message.body).to_string(),
                what: String::new(),
                message_id: Some(message.id),
                files: render::file_links(&files_base, &message.attachments),
            },
        ));
    }
    for event in events.iter().filter(|e| shown_in_timeline(e)) {
        timeline.push((event.at, 1, event_entry(event, tr, &name_of, &customer.name)));
    }
    // Messages before the events of the same instant (a reply, then the status it set).
    timeline.sort_by_key(|(at, order, _)| (*at, *order));
    Ok(TicketPage {
        number: ticket.number,
        subject: ticket.subject.clone(),
        status: tr.label("status", ticket.status.as_str()),
        status_key: ticket.status.as_str(),
        priority: tr.label("priority", ticket.priority.as_str()),
        priority_key: ticket.priority.as_str(),
        kind: tr.label("kind", ticket.kind.as_str()),
        channel: tr.label("channel", ticket.channel.as_str()),
        category: ticket
            .category
            .as_deref()
            .map(|code| path_name(&categories, code, lang == Lang::Zh))
            .unwrap_or_default(),
        category_key: ticket.category.clone().unwrap_or_default(),
        categories: categories
            .iter()
            .filter(|c| c.active || ticket.category.as_deref() == Some(c.code.as_str()))
            .map(|c| (c.code.clone(), path_name(&categories, &c.code, lang == Lang::Zh)))
            .collect(),
        priorities: Priority::ALL
            .iter()
            .map(|p| (p.as_str(), tr.label("priority", p.as_str())))
            .collect(),
        tags: ticket.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "),
        fields: fields
            .iter()
            .filter(|f| f.active)
            .map(|f| {
                let value = ticket.custom.get(&f.key).map(CustomField::value_text).unwrap_or_default();
                FieldInput {
                    label: f.label(lang == Lang::Zh).to_owned(),
                    kind: f.kind.as_str(),
                    checked: value == "true",
                    value,
                    options: f.options.clone(),
                    key: f.key.clone(),
                }
            })
            .collect(),
        customer_contact: customer
            .email
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .or_else(|| customer.phone.as_ref().map(|p| p.as_str().to_owned()))
            .unwrap_or_default(),
        customer: customer.name.clone(),
        customer_id: customer.id,
        assignee: name_of(ticket.assignee_id),
        owner: name_of(ticket.owner_id),
        team: ticket
            .team_id
            .and_then(|id| teams.iter().find(|t| t.id == id).map(|t| t.name.clone()))
            .unwrap_or_else(|| tr.t("ticket.nobody")),
        created: render::when(ticket.created_at),
        assigned_to_me: ticket.assignee_id == Some(actor.id),
        seen: render::iso(ticket.updated_at),
        clocks: sla
            .clocks
            .iter()
            .map(|c| {
                let running = c.phase == kefu_domain::sla::Phase::Running;
                Clock {
                    metric: tr.label("metric", c.metric.as_str()),
                    phase: tr.label("phase", c.phase.as_str()),
                    due: c.due_at.map(render::when).unwrap_or_default(),
                    due_iso: c.due_at.map(render::iso).unwrap_or_default(),
                    breached: c.breached,
                    running,
                    remaining: render::remaining(c.remaining_seconds * 1000, lang == Lang::Zh),
                    remaining_ms: c.remaining_seconds * 1000,
                    ticks_until_iso: match (c.business_hours, sla.open_until) {
                        (true, Some(until)) => render::iso(until),
                        _ => String::new(),
                    },
                    paused: running && c.business_hours && !sla.open_now,
                }
            })
            .collect(),
        sla_as_of: render::iso(sla.as_of),
        timeline: timeline.into_iter().map(|(_, _, entry)| entry).collect(),
        statuses: ["open", "pending", "on_hold", "resolved"]
            .into_iter()
            .map(|s| (s, tr.label("status", s)))
            .collect(),
        draft,
        warning,
        customer_tier: tr.label("tier", customer.tier.as_str()),
        customer_type: customer
            .customer_type
            .map(|t| tr.label("customer_type", t.as_str()))
            .unwrap_or_default(),
        customer_consent: customer.consent_at.map(render::when).unwrap_or_default(),
        past_tickets: history
            .iter()
            .filter(|t| t.number != number)
            .take(5)
            .map(|t| PastTicket {
                number: t.number,
                subject: t.subject.clone(),
                status: tr.label("status", t.status.as_str()),
                created: render::when(t.created_at),
                score: scores.get(&t.id).map(|(score, low)| (format!("{score:.0}"), *low)),
            })
            .collect(),
        customer_commitments: promised
            .iter()
            .map(|c| PromiseRow {
                number: c.ticket_number,
                what: c.what.clone(),
                due: render::when(c.due_at),
                overdue: c.overdue,
            })
            .collect(),
        teams: teams.iter().map(|t| (t.id, t.name.clone())).collect(),
        agents: active_agents,
        macros: macros.iter().map(|m| (m.id, m.name.clone())).collect(),
        relations,
        commitments: commitments
            .iter()
            .map(|c| CommitmentRow {
                id: c.id,
                what: c.what.clone(),
                due: render::when(c.due_at),
                status: tr.label("commitment", c.status.as_str()),
                open: c.status == kefu_domain::service::CommitmentStatus::Open,
                overdue: c.overdue,
            })
            .collect(),
        chrome: Chrome::signed_in(lang, session, &format!("/tickets/{number}")),
    })
}

/// Messages have their own entries; the `message_added` event would repeat them.
fn shown_in_timeline(event: &TicketEvent) -> bool {
    event.kind.as_str() != "message_added"
}

fn event_entry(event: &TicketEvent, tr: Tr, name_of: &dyn Fn(Option<Id>) -> String, customer: &str) -> Entry {
    let who = actor_name(event.actor, tr, name_of, customer);
    let mut what = tr.label("event", event.kind.as_str());
    // The few details worth a glance: where a status went, why work moved.
    if let Some(to) = event.data.get("to").and_then(|v| v.as_str()) {
        what = format!("{what} → {}", tr.label("status", to));
    }
    if let Some(reason) = event.data.get("reason").and_then(|v| v.as_str()) {
        what = format!("{what}: {reason}");
    }
    if let Some(other) = event.data.get("ticket").and_then(|v| v.as_i64()) {
        what = format!("{what} #{other}");
    }
    Entry {
        at: render::when(event.at),
        at_iso: render::iso(event.at),
        who,
        kind: "event",
        html: String::new(),
        what,
        message_id: None,
        files: Vec::new(),
    }
}

fn actor_name(actor: ActorRef, tr: Tr, name_of: &dyn Fn(Option<Id>) -> String, customer: &str) -> String {
    match actor.kind {
        ActorKind::Agent => name_of(actor.id),
        ActorKind::Customer => customer.to_owned(),
        other => tr.label("author", other.as_str()),
    }
}

async fn render_page(
    state: &AppState,
    lang: Lang,
    session: &Session,
    number: TicketNumber,
    draft: Draft,
    warning: Option<String>,
    status: StatusCode,
) -> Response {
    match load(state, &session.0.actor, number, lang, session, draft, warning).await {
        Ok(page) => (status, page).into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session, Path(number): Path<TicketNumber>) -> Response {
    render_page(&state, lang, &session, number, Draft::default(), None, StatusCode::OK).await
}

/// After a change: htmx gets the page again (it swaps the ticket area), a plain form a
/// redirect back to the page.
/// The answer to a change made on the ticket page: the page again, or the refusal.
async fn answer_change<T>(
    state: &AppState,
    lang: Lang,
    htmx: bool,
    session: &Session,
    number: TicketNumber,
    result: AppResult<T>,
) -> Response {
    match result {
        Ok(_) => after_change(state, lang, htmx, session, number).await,
        Err(error) => UiError::from(error).respond(lang, htmx),
    }
}

async fn after_change(state: &AppState, lang: Lang, htmx: bool, session: &Session, number: TicketNumber) -> Response {
    if htmx {
        render_page(state, lang, session, number, Draft::default(), None, StatusCode::OK).await
    } else {
        Redirect::to(&format!("/tickets/{number}")).into_response()
    }
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    body: String,
    seen: Option<String>,
}

/// Sends a reply or adds a note. If the ticket changed since the page was loaded, nothing
/// is sent: the page comes back with the new timeline, a warning and the draft kept.
pub async fn add_message(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
    form: Result<FormWithFiles<MessageForm>, UploadRejection>,
) -> Response {
    let FormWithFiles { form, files } = match form {
        Ok(form) => form,
        Err(UploadRejection(error)) => return UiError::from(error).respond(lang, htmx),
    };
    let input = AddMessage {
        kind: Some(form.kind.clone()),
        body: Some(form.body.clone()),
        if_unchanged_since: form.seen.filter(|s| !s.is_empty()),
    };
    match state.app.add_message_with_files(&session.0.actor, number, input, files).await {
        Ok(_) => after_change(&state, lang, htmx, &session, number).await,
        Err(AppError::Conflict {
            code: "ticket_changed", ..
        }) => {
            let draft = Draft {
                kind: form.kind,
                body: form.body,
            };
            let warning = Some(Tr(lang).t("ticket.stale"));
            render_page(&state, lang, &session, number, draft, warning, StatusCode::CONFLICT).await
        }
        Err(error) => UiError::from(error).respond(lang, htmx),
    }
}

/// A file of the ticket (internal notes' files included: the reader is an agent who may
/// see the ticket).
pub async fn attachment(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path((number, id)): Path<(TicketNumber, Id)>,
) -> Response {
    match state.app.ticket_attachment(&session.0.actor, number, id).await {
        Ok(file) => crate::upload::attachment_response(file),
        Err(error) => UiError::from(error).respond(lang, htmx),
    }
}

/// "Take it": assigns the ticket to the signed-in agent.
pub async fn take(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
) -> Response {
    let input = Assign {
        agent: Some(session.0.actor.id),
    };
    let result = state.app.assign(&session.0.actor, number, input).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
    Form(form): Form<StatusForm>,
) -> Response {
    let input = UpdateTicket {
        status: Some(form.status),
        ..UpdateTicket::default()
    };
    let result = state.app.update_ticket(&session.0.actor, number, input).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

#[derive(Deserialize)]
pub struct ClassifyForm {
    priority: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    tags: String,
}

/// Files the ticket: its priority, category (empty: none) and tags (comma separated).
pub async fn classify(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
    Form(form): Form<ClassifyForm>,
) -> Response {
    let input = UpdateTicket {
        priority: Some(form.priority),
        category: Some(Some(form.category.trim().to_owned()).filter(|c| !c.is_empty())),
        tags: Some(render::words(&form.tags)),
        ..UpdateTicket::default()
    };
    let result = state.app.update_ticket(&session.0.actor, number, input).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

/// Fills the ticket's custom fields (form names `f.KEY`, with the value the page showed
/// as `o.KEY`). Only fields whose value the agent changed are sent, so two agents filling
/// different fields of one ticket both keep theirs, and a value the form cannot show
/// (set through the API) is kept unless touched. An unticked box sends only its hidden
/// empty value, a ticked one both: the last non-empty value of a name wins.
pub async fn set_fields(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let mut values: Vec<(String, String)> = Vec::new();
    let mut shown: HashMap<String, String> = HashMap::new();
    for (name, value) in form {
        if let Some(key) = name.strip_prefix("o.") {
            shown.insert(key.to_owned(), value);
            continue;
        }
        let Some(key) = name.strip_prefix("f.") else { continue };
        match values.iter_mut().find(|(k, _)| k == key) {
            Some(entry) if !value.is_empty() => entry.1 = value,
            Some(_) => {}
            None => values.push((key.to_owned(), value)),
        }
    }
    values.retain(|(key, value)| shown.get(key) != Some(value));
    let result = state.app.set_ticket_fields(&session.0.actor, number, values).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

/// An optional id from a form's select (empty means none).
fn chosen_id(value: &str) -> Option<Id> {
    value.trim().parse().ok()
}

#[derive(Deserialize)]
pub struct AssignForm {
    agent: String,
}

/// Assigns the ticket to the agent chosen (or to nobody).
pub async fn assign(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
    Form(form): Form<AssignForm>,
) -> Response {
    let input = Assign {
        agent: chosen_id(&form.agent),
    };
    let result = state.app.assign(&session.0.actor, number, input).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

#[derive(Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    team: String,
    #[serde(default)]
    agent: String,
    #[serde(default)]
    reason: String,
}

/// Hands the ticket to another team or agent; the use case requires the reason and
/// tells the owner.
pub async fn transfer(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
    Form(form): Form<TransferForm>,
) -> Response {
    let input = Transfer {
        agent: chosen_id(&form.agent),
        team: chosen_id(&form.team),
        reason: Some(form.reason).filter(|r| !r.trim().is_empty()),
    };
    let result = state.app.transfer(&session.0.actor, number, input).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

#[derive(Deserialize)]
pub struct MacroForm {
    #[serde(rename = "macro")]
    chosen: String,
    #[serde(default)]
    body: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "composer_body.html")]
struct ComposerBody {
    body: String,
}

impl ComposerBody {
    /// The editor with `text` added after the draft so far (the agent reviews it
    /// before sending).
    fn appended(draft: &str, text: String) -> ComposerBody {
        let body = if draft.trim().is_empty() {
            text
        } else {
            format!("{}\n\n{text}", draft.trim_end())
        };
        ComposerBody { body }
    }
}

/// Inserts a macro into the editor: the draft so far, then the macro's text for this
/// ticket (the agent reviews it before sending).
pub async fn insert_macro(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(number): Path<TicketNumber>,
    Form(form): Form<MacroForm>,
) -> Response {
    let Some(id) = chosen_id(&form.chosen) else {
        return ComposerBody { body: form.body }.into_response();
    };
    let fallback = if lang == Lang::En { "en" } else { "zh" };
    match state.app.render_macro(&session.0.actor, id, number, fallback).await {
        Ok(text) => ComposerBody::appended(&form.body, text).into_response(),
        Err(error) => UiError::from(error).fragment(lang),
    }
}

#[derive(Deserialize)]
pub struct OtherTicketForm {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    confirm: String,
}

impl OtherTicketForm {
    /// The number typed in; anything else is an unknown ticket.
    fn number(&self) -> AppResult<TicketNumber> {
        self.ticket
            .trim()
            .trim_start_matches('#')
            .parse()
            .map_err(|_| AppError::field("ticket", "invalid_number", "a ticket number such as 1042"))
    }
}

/// Merges this ticket (a duplicate) into the one typed in, after the agent confirmed it.
pub async fn merge(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
    Form(form): Form<OtherTicketForm>,
) -> Response {
    if form.confirm != "yes" {
        let error = AppError::field(
            "confirm",
            "required",
            "confirm that this ticket closes and its conversation is copied",
        );
        return UiError::from(error).respond(lang, htmx);
    }
    let into = match form.number() {
        Ok(into) => into,
        Err(error) => return UiError::from(error).respond(lang, htmx),
    };
    let input = OtherTicket { ticket: Some(into) };
    match state.app.merge_ticket(&session.0.actor, number, input).await {
        // On to the ticket that carries on, where the copied conversation is (htmx is
        // told to load it as a page, so the address shows it too).
        Ok(_) if htmx => (StatusCode::OK, [("hx-redirect", format!("/tickets/{into}"))]).into_response(),
        Ok(_) => Redirect::to(&format!("/tickets/{into}")).into_response(),
        Err(error) => UiError::from(error).respond(lang, htmx),
    }
}

/// Links the ticket typed in as related.
pub async fn link(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
    Form(form): Form<OtherTicketForm>,
) -> Response {
    let other = match form.number() {
        Ok(other) => other,
        Err(error) => return UiError::from(error).respond(lang, htmx),
    };
    let input = OtherTicket { ticket: Some(other) };
    let result = state.app.link_tickets(&session.0.actor, number, input).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

/// Removes a link.
pub async fn unlink(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path((number, other)): Path<(TicketNumber, TicketNumber)>,
) -> Response {
    let input = OtherTicket { ticket: Some(other) };
    let result = state.app.unlink_tickets(&session.0.actor, number, input).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

#[derive(Deserialize)]
pub struct CommitmentForm {
    #[serde(default)]
    what: String,
    #[serde(default)]
    due: String,
}

/// Records a promise to the customer; the scheduler reminds the agent before it is due.
pub async fn make_commitment(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path(number): Path<TicketNumber>,
    Form(form): Form<CommitmentForm>,
) -> Response {
    let input = kefu_app::commitments::MakeCommitment {
        what: Some(form.what),
        due_at: Some(render::local_input_to_instant(&form.due)).filter(|d| !d.is_empty()),
        remind_before_minutes: None,
    };
    let result = state.app.make_commitment(&session.0.actor, number, input).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

#[derive(Deserialize)]
pub struct ResolveForm {
    status: String,
}

/// Records whether a promise was kept.
pub async fn resolve_commitment(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path((number, id)): Path<(TicketNumber, Id)>,
    Form(form): Form<ResolveForm>,
) -> Response {
    let input = kefu_app::commitments::ResolveCommitment { status: Some(form.status) };
    let result = state.app.resolve_commitment(&session.0.actor, id, input).await;
    answer_change(&state, lang, htmx, &session, number, result).await
}

#[derive(Template, WebTemplate)]
#[template(path = "ticket_articles.html")]
struct SuggestedArticles {
    chrome: Chrome,
    number: TicketNumber,
    /// Id, title, whether customers may read it (then it can go in as a link).
    articles: Vec<(Id, String, bool)>,
}

/// Articles that may answer the ticket, for the sidebar (loaded after the page).
pub async fn suggested_articles(State(state): State<AppState>, lang: Lang, session: Session, Path(number): Path<TicketNumber>) -> Response {
    match state.app.suggest_articles(&session.0.actor, number, 5).await {
        Ok(results) => SuggestedArticles {
            chrome: Chrome::signed_in(lang, &session, &format!("/tickets/{number}")),
            number,
            articles: results
                .hits
                .iter()
                .map(|hit| (hit.id, hit.title.clone(), hit.meta["internal"] != serde_json::Value::Bool(true)))
                .collect(),
        }
        .into_response(),
        Err(error) => UiError::from(error).fragment(lang),
    }
}

#[derive(Deserialize)]
pub struct InsertArticleForm {
    #[serde(default, rename = "as")]
    insert_as: String,
    #[serde(default)]
    body: String,
}

/// Inserts an article into the editor, as a link to the help center or as its text.
pub async fn insert_article(
    State(state): State<AppState>,
    lang: Lang,
    headers: axum::http::HeaderMap,
    session: Session,
    Path((_number, id)): Path<(TicketNumber, Id)>,
    Form(form): Form<InsertArticleForm>,
) -> Response {
    let site = super::help::origin(&headers);
    match state
        .app
        .article_for_reply(&session.0.actor, id, form.insert_as == "link", &site)
        .await
    {
        Ok(text) => ComposerBody::appended(&form.body, text).into_response(),
        Err(error) => UiError::from(error).fragment(lang),
    }
}

/// Saves an agent's reply as a draft article and opens it.
pub async fn reply_to_article(
    State(state): State<AppState>,
    lang: Lang,
    Htmx(htmx): Htmx,
    session: Session,
    Path((number, message)): Path<(TicketNumber, Id)>,
) -> Response {
    let locale = if lang == Lang::En {
        kefu_domain::knowledge::Locale::En
    } else {
        kefu_domain::knowledge::Locale::ZhCn
    };
    match state.app.draft_article_from_reply(&session.0.actor, number, message, locale).await {
        Ok(article) => {
            let to = format!("/kb/{}", article.id);
            if htmx {
                ([("HX-Redirect", to)], StatusCode::OK).into_response()
            } else {
                Redirect::to(&to).into_response()
            }
        }
        Err(error) => UiError::from(error).respond(lang, htmx),
    }
}
