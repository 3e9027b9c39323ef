//! Ticket use cases: create (idempotent), read, list, change, reply, assign, transfer.

use crate::attachments::Files;
use crate::automation::RuleContext;
use crate::error::{AppError, AppResult};
use crate::sla::{self, Engine};
use crate::{Actor, App, now, routing, secrets};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use kefu_domain::attachment::{self, AttachmentInfo, Upload};
use kefu_domain::contact::{Email, Phone};
use kefu_domain::entities::{ActorRef, Id, Message, Ticket, TicketNumber};
use kefu_domain::enums::{Channel, MessageKind, Priority, TicketKind};
use kefu_domain::event::{EventKind, NewEvent, TicketEvent};
use kefu_domain::inbox;
use kefu_domain::query::{AssigneeFilter, MAX_PAGE, SlaFilter, TicketQuery, TicketSort};
use kefu_domain::service::{NewNotification, NotificationKind};
use kefu_domain::status::{self, CustomerMessageOutcome, ResolveEvidence, Status};
use kefu_domain::text::{Body, Expectation, Name, Reason, Tag, TicketSubject, parse_custom_fields, parse_tags};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::attachments::attachments_of;
use kefu_store::customers::{NewCustomer, customer_by_phone, insert_customer, upsert_customer_by_email};
use kefu_store::tickets::{NewTicket, cursor_of, insert_ticket, list_tickets, ticket_by_number, update_ticket};
use kefu_store::timeline::{events_of, idempotent_ticket, insert_event, insert_message, messages_of, remember_idempotent_ticket};
use kefu_store::{Exec, StoreError, Tx, categories, inbox_counts, people};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

/// Who the ticket is for. Found by e-mail, then phone; created when unknown.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CustomerRef {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CreateTicket {
    /// Required, 1 to 250 characters.
    pub subject: Option<String>,
    /// Required, 1 to 100,000 characters.
    pub description: Option<String>,
    /// Default `consultation`.
    pub kind: Option<String>,
    /// Default `api`.
    pub channel: Option<String>,
    /// Default `normal`.
    pub priority: Option<String>,
    /// A category code, e.g. `after_sales.refund`.
    pub category: Option<String>,
    /// Required: at least an e-mail or a phone number.
    pub customer: Option<CustomerRef>,
    pub tags: Option<Vec<String>>,
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Value>,
    /// A team id to queue the ticket in.
    pub team: Option<Id>,
    /// What the customer expects as a resolution.
    pub expected_resolution: Option<String>,
    /// The language the customer needs, e.g. `zh` or `en-GB` (routing: only agents who
    /// speak it).
    pub language: Option<String>,
    /// Skills an agent needs to take the ticket (routing).
    pub required_skills: Option<Vec<String>>,
}

/// A PATCH: only the fields present change. `null` clears `category` and `team`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateTicket {
    pub status: Option<String>,
    pub priority: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub team: Option<Option<Id>>,
    /// The first-contact owner; supervisors only.
    pub owner: Option<Id>,
    pub expected_resolution: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Value>,
    /// With `status: resolved`: how it was solved, kept as an internal note. Allows
    /// resolving without a public reply.
    pub resolution_note: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub language: Option<Option<String>>,
    pub required_skills: Option<Vec<String>>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AddMessage {
    /// `reply` (public), `note` (internal), or `customer` (an integration relaying what
    /// the customer wrote).
    pub kind: Option<String>,
    pub body: Option<String>,
    /// The ticket's `updated_at` as the writer last saw it (RFC 3339). If the ticket has
    /// changed since, nothing is written and the answer is `409 ticket_changed`, so a reply
    /// composed on a stale view is not sent blind.
    pub if_unchanged_since: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Assign {
    /// The agent's id; `null` unassigns.
    pub agent: Option<Id>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Transfer {
    pub agent: Option<Id>,
    pub team: Option<Id>,
    /// Required: why the work moves.
    pub reason: Option<String>,
}

/// Query parameters of the ticket list. Values are parsed here, so a bad one is a field
/// error naming the parameter.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListTickets {
    /// One status or several separated by commas, e.g. `open,pending`.
    pub status: Option<String>,
    /// `me`, `none`, or an agent id.
    pub assignee: Option<String>,
    pub team: Option<String>,
    pub priority: Option<String>,
    pub kind: Option<String>,
    /// A category code; includes its sub-categories.
    pub category: Option<String>,
    /// Tickets carrying this tag.
    pub tag: Option<String>,
    /// A customer id.
    pub customer: Option<String>,
    /// `me` or an agent id: tickets that agent owns (first-contact owner).
    pub owner: Option<String>,
    /// With `owner`: `true` lists only those someone else (or nobody) holds.
    pub held_by_others: Option<bool>,
    /// `breached` (a running SLA clock is past its due time) or `at_risk` (past its
    /// warning share, not yet due).
    pub sla: Option<String>,
    /// `created`, `-created` (default), `updated`, `-updated`, `priority` or `sla_due`
    /// (nearest SLA due time first; tickets with a running clock only).
    pub sort: Option<String>,
    /// 1 to 100, default 25.
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub messages: Vec<Message>,
    /// Files sent with the request itself (those of messages are on the messages).
    pub attachments: Vec<AttachmentInfo>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageAdded {
    pub message: Message,
    /// The ticket the message landed on, after the change.
    pub ticket: Ticket,
    /// Set when the message started a new ticket because this one was closed or resolved
    /// too long ago; `ticket` is then the new one.
    pub follow_up_of: Option<TicketNumber>,
}

/// The result of a create: the ticket, and whether this call made it (false when an
/// idempotent retry returned the first result).
pub struct Created {
    pub ticket: Ticket,
    pub created: bool,
}

impl App {
    /// Creates a ticket for a customer found by e-mail or phone (or created). With an
    /// idempotency key, a retry with the same body returns the first ticket, and the same
    /// key with another body is refused.
    #[tracing::instrument(skip_all, fields(actor = actor.id))]
    pub async fn create_ticket(&self, actor: &Actor, input: CreateTicket, idempotency_key: Option<String>) -> AppResult<Created> {
        let idempotency = match idempotency_key {
            Some(key) => {
                let key = key.trim().to_owned();
                if key.is_empty() || key.len() > 255 {
                    return Err(AppError::field(
                        "Idempotency-Key",
                        "invalid_idempotency_key",
                        "must be 1 to 255 characters",
                    ));
                }
                let body = serde_json::to_vec(&input).map_err(|e| AppError::Internal(e.to_string()))?;
                Some((key, secrets::request_hash(&body)))
            }
            None => None,
        };
        let parsed = parse_create(input)?;
        let Some(idempotency) = idempotency else {
            let (ticket, events) = self.intake.create(actor.clone(), parsed).await?;
            metrics::counter!("kefu_tickets_created_total").increment(1);
            self.publish_with(
                events,
                0,
                Some(RuleContext {
                    ticket: &ticket,
                    text: None,
                }),
            );
            self.routing_kicks(None, &ticket);
            return Ok(Created { ticket, created: true });
        };
        let actor = actor.clone();
        let engine = self.engine();
        let (created, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let (key, hash) = &idempotency;
                    if let Some((first_hash, number)) = idempotent_ticket(tx.exec(), actor.id, key).await? {
                        if &first_hash != hash {
                            return Err(AppError::Conflict {
                                code: "idempotency_key_reused",
                                message: "this Idempotency-Key was used with a different request body".into(),
                            });
                        }
                        let ticket = ticket_by_number(tx.exec(), number).await?.ok_or_else(AppError::ticket_not_found)?;
                        return Ok((Created { ticket, created: false }, Vec::new()));
                    }
                    let at = now();
                    let (ticket, events) = create_in(tx, &engine, CreatedBy::Agent(&actor), parsed, at).await?;
                    remember_idempotent_ticket(tx.exec(), actor.id, key, hash, ticket.number, at).await?;
                    Ok((Created { ticket, created: true }, events))
                })
            })
            .await?;
        if created.created {
            metrics::counter!("kefu_tickets_created_total").increment(1);
            self.routing_kicks(None, &created.ticket);
        }
        self.publish(events);
        Ok(created)
    }

    /// The ticket alone, without its messages (a visibility check that costs one read).
    pub async fn ticket_header(&self, actor: &Actor, number: TicketNumber) -> AppResult<Ticket> {
        load_visible(self.db().read(), actor, number).await
    }

    pub async fn ticket(&self, actor: &Actor, number: TicketNumber) -> AppResult<TicketDetail> {
        let ticket = ticket_by_number(self.db().read(), number)
            .await?
            .ok_or_else(AppError::ticket_not_found)?;
        actor.require_visible(&ticket)?;
        self.detail_of(ticket).await
    }

    /// A ticket the actor may see, with its messages and files.
    pub(crate) async fn detail_of(&self, ticket: Ticket) -> AppResult<TicketDetail> {
        let (mut messages, attachments) = tokio::try_join!(
            messages_of(self.db().read(), ticket.id, true),
            attachments_of(self.db().read(), ticket.id, true),
        )?;
        let attachments = attachment::distribute(&mut messages, attachments);
        Ok(TicketDetail {
            ticket,
            messages,
            attachments,
        })
    }

    pub async fn ticket_events(&self, actor: &Actor, number: TicketNumber) -> AppResult<Vec<TicketEvent>> {
        let ticket = ticket_by_number(self.db().read(), number)
            .await?
            .ok_or_else(AppError::ticket_not_found)?;
        actor.require_visible(&ticket)?;
        Ok(events_of(self.db().read(), ticket.id, ticket.number).await?)
    }

    pub async fn list_tickets(&self, actor: &Actor, params: ListTickets) -> AppResult<Page<Ticket>> {
        let query = parse_list(actor, params)?;
        self.page_of_tickets(actor, query).await
    }

    pub(crate) async fn page_of_tickets(&self, actor: &Actor, query: TicketQuery) -> AppResult<Page<Ticket>> {
        let mut items = list_tickets(self.db().read(), &query, &actor.visibility()).await?;
        let next_cursor = if items.len() > query.limit {
            items.truncate(query.limit);
            items.last().map(|last| encode_cursor(&cursor_of(last, query.sort)))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    #[tracing::instrument(skip_all, fields(actor = actor.id, number))]
    pub async fn update_ticket(&self, actor: &Actor, number: TicketNumber, input: UpdateTicket) -> AppResult<Ticket> {
        let change = parse_update(input)?;
        let acting = actor.clone();
        self.change(actor, number, move |tx, ticket, at| {
            Box::pin(apply_update(tx, acting, ticket, change, at))
        })
        .await
    }

    pub async fn add_message(&self, actor: &Actor, number: TicketNumber, input: AddMessage) -> AppResult<MessageAdded> {
        self.add_message_with_files(actor, number, input, Vec::new()).await
    }

    /// [`App::add_message`] with files attached to the message (checked before anything
    /// is written; stored in the same transaction).
    #[tracing::instrument(skip_all, fields(actor = actor.id, number))]
    pub async fn add_message_with_files(
        &self,
        actor: &Actor,
        number: TicketNumber,
        input: AddMessage,
        uploads: Vec<Upload>,
    ) -> AppResult<MessageAdded> {
        let files = Files::check(uploads);
        let mut errors = FieldErrors::default();
        let kind = match input.kind.as_deref() {
            None => Some(MessageKind::Reply),
            Some(k @ ("reply" | "note" | "customer")) => MessageKind::parse("kind", k).ok(),
            Some(_) => errors.take(Err(FieldError::new(
                "kind",
                "unknown_value",
                "must be one of: reply, note, customer",
            ))),
        };
        let body = errors.take(required(&input.body, "body").and_then(|b| Body::parse("body", b)));
        let seen = match input.if_unchanged_since.as_deref().map(str::parse::<Timestamp>) {
            None => None,
            Some(Ok(seen)) => Some(seen),
            Some(Err(_)) => errors.take(Err(FieldError::new(
                "if_unchanged_since",
                "invalid_datetime",
                "must be an RFC 3339 date-time with an offset",
            ))),
        };
        let files = match files {
            Ok(files) => Some(files),
            Err(refused) => {
                errors.0.extend(refused.0);
                None
            }
        };
        errors.into_result()?;
        let files = files.unwrap_or_default();
        let (kind, body) = (kind.unwrap_or(MessageKind::Reply), body.map(Body::into_inner).unwrap_or_default());
        let actor = actor.clone();
        let reopen_window = self.config.reopen_window;
        let engine = self.engine();
        let (added, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let ticket = load_visible(tx.exec(), &actor, number).await?;
                    if seen.is_some_and(|seen| ticket.updated_at > seen) {
                        return Err(AppError::Conflict {
                            code: "ticket_changed",
                            message: "the ticket changed since you last saw it; review it and send again".into(),
                        });
                    }
                    let (mut added, events) = if kind == MessageKind::Customer {
                        // A duplicate merged away: the customer's words go where the work goes on.
                        let ticket = crate::relations::carrying_on(tx.exec(), ticket).await?;
                        actor.require_visible(&ticket)?;
                        customer_message(tx, &engine, ticket, body, at, reopen_window).await?
                    } else {
                        agent_message(tx, &engine, &actor, ticket, kind, body, at).await?
                    };
                    let author = ActorRef {
                        kind: added.message.author_kind,
                        id: added.message.author_id,
                    };
                    added.message.attachments = files.store(tx, added.ticket.id, Some(added.message.id), author, at).await?;
                    Ok((added, events))
                })
            })
            .await?;
        let context = RuleContext {
            ticket: &added.ticket,
            text: Some(added.message.body.as_str()),
        };
        self.publish_with(events, 0, Some(context));
        if added.follow_up_of.is_some() {
            self.routing_kicks(None, &added.ticket);
        }
        Ok(added)
    }

    #[tracing::instrument(skip_all, fields(actor = actor.id, number))]
    pub async fn assign(&self, actor: &Actor, number: TicketNumber, input: Assign) -> AppResult<Ticket> {
        let acting = actor.clone();
        self.change(actor, number, move |tx, ticket, at| {
            Box::pin(async move { apply_assign(tx, &acting, ticket, input.agent, at).await })
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(actor = actor.id, number))]
    pub async fn transfer(&self, actor: &Actor, number: TicketNumber, input: Transfer) -> AppResult<Ticket> {
        let mut errors = FieldErrors::default();
        let reason = errors.take(required(&input.reason, "reason").and_then(|r| Reason::parse("reason", r)));
        if input.agent.is_none() && input.team.is_none() {
            errors.push(FieldError::new(
                "agent",
                "required",
                "name the agent or the team (or both) the ticket goes to",
            ));
        }
        errors.into_result()?;
        let reason = reason.map(Reason::into_inner).unwrap_or_default();
        let acting = actor.clone();
        self.change(actor, number, move |tx, mut ticket, at| {
            Box::pin(async move {
                if let Some(agent) = input.agent {
                    require_active_agent(tx.exec(), agent, "agent").await?;
                }
                if let Some(team) = input.team {
                    people::team_by_id(tx.exec(), team)
                        .await?
                        .ok_or_else(|| AppError::field("team", "unknown_team", "no such team"))?;
                }
                let from = json!({ "agent": ticket.assignee_id, "team": ticket.team_id });
                // Whoever hands the work on has taken it: the first-contact owner stays
                // responsible (首问负责) and keeps tracking it.
                let mut events = Vec::new();
                take_ownership(&mut ticket, acting.id, &acting, &mut events);
                if input.team.is_some() {
                    ticket.team_id = input.team;
                }
                ticket.assignee_id = input.agent;
                ticket.transfer_count += 1;
                let to = json!({ "agent": ticket.assignee_id, "team": ticket.team_id });
                let data = json!({ "from": from, "to": to, "reason": reason, "count": ticket.transfer_count });
                // The new holder is told; so is the owner, who keeps tracking the ticket to
                // the end (跟踪到底) when others hold it.
                if let Some(agent) = ticket.assignee_id.filter(|a| *a != acting.id) {
                    notify(tx, agent, NotificationKind::TransferredToYou, &ticket, data.clone(), at).await?;
                }
                if let Some(owner) = ticket.owner_id.filter(|o| *o != acting.id && Some(*o) != ticket.assignee_id) {
                    notify(tx, owner, NotificationKind::OwnedTicketTransferred, &ticket, data.clone(), at).await?;
                }
                events.push(NewEvent::new(EventKind::Transferred, ActorRef::agent(acting.id), data));
                Ok((ticket, events))
            })
        })
        .await
    }

    /// Loads a ticket the actor may see, lets `apply` change it, and writes the result and
    /// its events, all in one transaction.
    pub(crate) async fn change<F>(&self, actor: &Actor, number: TicketNumber, apply: F) -> AppResult<Ticket>
    where
        F: for<'a> FnOnce(&'a mut Tx, Ticket, Timestamp) -> futures::future::BoxFuture<'a, AppResult<(Ticket, Vec<NewEvent>)>>
            + Send
            + 'static,
    {
        let actor = actor.clone();
        let engine = self.engine();
        let (ticket, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let before = load_visible(tx.exec(), &actor, number).await?;
                    let (mut ticket, events) = apply(tx, before.clone(), at).await?;
                    let stored = save(tx, &engine, &before, &mut ticket, events, at).await?;
                    Ok::<_, AppError>(((before, ticket), stored))
                })
            })
            .await?;
        let (before, ticket) = ticket;
        self.publish_with(
            events,
            0,
            Some(RuleContext {
                ticket: &ticket,
                text: None,
            }),
        );
        self.routing_kicks(Some(&before), &ticket);
        Ok(ticket)
    }
}

/// Assigns `ticket` to `agent` (or nobody), as `acting`: the assignee becomes the
/// first-contact owner if there is none yet, and is notified unless they assigned it
/// themselves.
pub(crate) async fn apply_assign(
    tx: &mut Tx,
    acting: &Actor,
    mut ticket: Ticket,
    agent: Option<Id>,
    at: Timestamp,
) -> AppResult<(Ticket, Vec<NewEvent>)> {
    if let Some(agent) = agent {
        require_active_agent(tx.exec(), agent, "agent").await?;
    }
    let mut events = Vec::new();
    if ticket.assignee_id != agent {
        events.push(NewEvent::change(
            EventKind::Assigned,
            ActorRef::agent(acting.id),
            ticket.assignee_id,
            agent,
        ));
        ticket.assignee_id = agent;
        if let Some(agent) = agent {
            take_ownership(&mut ticket, agent, acting, &mut events);
            touch(&mut ticket, acting, &mut events);
            if agent != acting.id {
                notify(tx, agent, NotificationKind::Assigned, &ticket, json!({ "by": acting.id }), at).await?;
            }
        }
    }
    Ok((ticket, events))
}

/// Checks visibility inside the transaction (the caller's closure gets the loaded ticket).
pub(crate) async fn load_visible(ex: Exec<'_>, actor: &Actor, number: TicketNumber) -> AppResult<Ticket> {
    let ticket = ticket_by_number(ex, number).await?.ok_or_else(AppError::ticket_not_found)?;
    actor.require_visible(&ticket)?;
    Ok(ticket)
}

/// Writes `ticket` (when anything changed) and its events, after bringing its SLA clocks,
/// service facts and its assignee's load up to date with them.
pub(crate) async fn save(
    tx: &mut Tx,
    engine: &Engine,
    before: &Ticket,
    ticket: &mut Ticket,
    mut events: Vec<NewEvent>,
    at: Timestamp,
) -> AppResult<Vec<TicketEvent>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    sla::update_clocks(tx, engine, ticket, before.status, &mut events, at).await?;
    routing::adjust_load(tx, before, ticket).await?;
    if ticket.status == Status::Resolved && before.status != Status::Resolved {
        crate::surveys::schedule_after_resolution(tx, ticket, at).await?;
    }
    inbox_counts::adjust_counts(tx.exec(), &inbox::deltas(Some(before), ticket)).await?;
    ticket.updated_at = at;
    update_ticket(tx.exec(), ticket).await?;
    record(tx, ticket, &events, at).await
}

pub(crate) async fn record(tx: &mut Tx, ticket: &Ticket, events: &[NewEvent], at: Timestamp) -> AppResult<Vec<TicketEvent>> {
    let mut stored = Vec::with_capacity(events.len());
    for event in events {
        let id = insert_event(tx.exec(), ticket.id, event, at).await?;
        stored.push(TicketEvent {
            id,
            ticket_number: ticket.number,
            kind: event.kind,
            actor: event.actor,
            data: event.data.clone(),
            at,
        });
    }
    Ok(stored)
}

/// An in-app notification about `ticket` for `agent`, in the command's transaction.
async fn notify(tx: &mut Tx, agent: Id, kind: NotificationKind, ticket: &Ticket, data: Value, at: Timestamp) -> AppResult<()> {
    let note = NewNotification {
        agent_id: agent,
        kind,
        ticket_id: Some(ticket.id),
        data,
    };
    kefu_store::notifications::insert_notifications(tx.exec(), &[note], at).await?;
    Ok(())
}

/// The first agent who takes or answers a ticket becomes its first-contact owner.
fn take_ownership(ticket: &mut Ticket, agent: Id, actor: &Actor, events: &mut Vec<NewEvent>) {
    if ticket.owner_id.is_none() {
        events.push(NewEvent::change(
            EventKind::OwnerChanged,
            ActorRef::agent(actor.id),
            None,
            Some(agent),
        ));
        ticket.owner_id = Some(agent);
    }
}

/// An agent working on a new ticket opens it.
fn touch(ticket: &mut Ticket, actor: &Actor, events: &mut Vec<NewEvent>) {
    let next = status::on_agent_touch(ticket.status);
    if next != ticket.status {
        events.push(NewEvent::change(
            EventKind::StatusChanged,
            ActorRef::agent(actor.id),
            ticket.status,
            next,
        ));
        ticket.status = next;
    }
}

async fn require_active_agent(ex: Exec<'_>, id: Id, field: &str) -> AppResult<()> {
    match people::agent_by_id(ex, id).await? {
        Some(agent) if agent.active => Ok(()),
        _ => Err(AppError::field(field, "unknown_agent", "no active agent with this id")),
    }
}

fn required<'a>(value: &'a Option<String>, field: &str) -> Result<&'a str, FieldError> {
    value.as_deref().ok_or_else(|| FieldError::new(field, "required", "is required"))
}

/// A create request after validation: what the intake and `create_in` work from.
#[derive(Clone)]
pub(crate) struct ParsedCreate {
    pub(crate) new: NewTicket,
    pub(crate) customer_name: Option<String>,
    pub(crate) email: Option<Email>,
    pub(crate) phone: Option<Phone>,
}

pub(crate) fn parse_create(input: CreateTicket) -> AppResult<ParsedCreate> {
    let mut errors = FieldErrors::default();
    let subject = errors.take(required(&input.subject, "subject").and_then(|s| TicketSubject::parse("subject", s)));
    let description = errors.take(required(&input.description, "description").and_then(|s| Body::parse("description", s)));
    let kind = errors.take(
        input
            .kind
            .as_deref()
            .map_or(Ok(TicketKind::Consultation), |k| TicketKind::parse("kind", k)),
    );
    let channel = errors.take(input.channel.as_deref().map_or(Ok(Channel::Api), |c| Channel::parse("channel", c)));
    let priority = errors.take(
        input
            .priority
            .as_deref()
            .map_or(Ok(Priority::Normal), |p| Priority::parse("priority", p)),
    );
    let tags = errors.take(parse_tags("tags", input.tags.as_deref().unwrap_or_default()));
    let custom = errors.take(
        input
            .custom
            .as_ref()
            .map_or(Ok(Default::default()), |c| parse_custom_fields("custom", c)),
    );
    let expected = errors.take(
        input
            .expected_resolution
            .as_deref()
            .map(|e| Expectation::parse("expected_resolution", e))
            .transpose(),
    );
    let customer = input.customer.unwrap_or_default();
    let email = errors.take(customer.email.as_deref().map(|e| Email::parse("customer.email", e)).transpose());
    let phone = errors.take(customer.phone.as_deref().map(|p| Phone::parse("customer.phone", p)).transpose());
    let name = errors.take(customer.name.as_deref().map(|n| Name::parse("customer.name", n)).transpose());
    if customer.email.is_none() && customer.phone.is_none() {
        errors.push(FieldError::new("customer", "required", "give the customer's email or phone"));
    }
    let language = input.language.as_deref().and_then(|l| errors.take(parse_language(l)));
    let required_skills = crate::people::short_list("required_skills", input.required_skills.clone(), &mut errors);
    errors.into_result()?;
    let missing = || AppError::Internal("parsed fields missing after validation".into());
    Ok(ParsedCreate {
        new: NewTicket {
            subject: subject.ok_or_else(missing)?.into_inner(),
            description: description.ok_or_else(missing)?.into_inner(),
            kind: kind.ok_or_else(missing)?,
            channel: channel.ok_or_else(missing)?,
            priority: priority.ok_or_else(missing)?,
            category: input.category,
            tags: tags.unwrap_or_default().iter().map(|t| t.as_str().to_owned()).collect(),
            customer_id: 0,
            team_id: input.team,
            expected_resolution: expected.flatten().map(Expectation::into_inner),
            custom: custom.unwrap_or_default(),
            follow_up_of: None,
            language,
            required_skills: required_skills.unwrap_or_default(),
            sla: None,
        },
        customer_name: name.flatten().map(Name::into_inner),
        email: email.flatten(),
        phone: phone.flatten(),
    })
}

/// Creates the ticket (and its customer when new) inside `tx`.
/// Who registers a new ticket: an agent (or integration) for a customer, or the
/// customer themselves (the portal).
#[derive(Debug, Clone, Copy)]
pub(crate) enum CreatedBy<'a> {
    Agent(&'a Actor),
    Customer,
    /// Kefu itself (a follow-up opened for a low satisfaction score).
    System,
}

pub(crate) async fn create_in(
    tx: &mut Tx,
    engine: &Engine,
    by: CreatedBy<'_>,
    mut parsed: ParsedCreate,
    at: Timestamp,
) -> AppResult<(Ticket, Vec<TicketEvent>)> {
    if let Some(team) = parsed.new.team_id {
        people::team_by_id(tx.exec(), team)
            .await?
            .ok_or_else(|| AppError::field("team", "unknown_team", "no such team"))?;
    }
    let requester = parsed.email.clone();
    let customer_id = find_or_create_customer(tx, parsed.customer_name.take(), parsed.email.take(), parsed.phone.take(), at).await?;
    parsed.new.customer_id = customer_id;
    let tier = sla::tier_of(tx.exec(), engine, customer_id).await?;
    parsed.new.sla = sla::initial_clocks(engine, &sla::preview(&parsed.new, at), tier);
    // A retired category still satisfies the foreign key, so it is checked first; the
    // mapping below stays for a category deleted by hand in between.
    if let Some(code) = &parsed.new.category
        && !categories::category_exists(tx.exec(), code).await?
    {
        return Err(AppError::field("category", "unknown_category", "no such category code"));
    }
    let ticket = match insert_ticket(tx.exec(), &parsed.new, at).await {
        Err(StoreError::MissingReference(_)) if parsed.new.category.is_some() => {
            return Err(AppError::field("category", "unknown_category", "no such category code"));
        }
        other => other?,
    };
    inbox_counts::adjust_counts(tx.exec(), &inbox::deltas(None, &ticket)).await?;
    let events = record(
        tx,
        &ticket,
        &[with_requester(created_event(by, &ticket), requester.as_ref().map(Email::as_str))],
        at,
    )
    .await?;
    Ok((ticket, events))
}

/// The event every new ticket starts its history with.
pub(crate) fn created_event(by: CreatedBy<'_>, ticket: &Ticket) -> NewEvent {
    let actor = match by {
        CreatedBy::Agent(agent) => ActorRef::agent(agent.id),
        CreatedBy::Customer => ActorRef::customer(ticket.customer_id),
        CreatedBy::System => ActorRef::SYSTEM,
    };
    NewEvent::new(
        EventKind::Created,
        actor,
        json!({ "subject": ticket.subject, "kind": ticket.kind, "channel": ticket.channel, "priority": ticket.priority,
                "customer_id": ticket.customer_id, "team_id": ticket.team_id, "category": ticket.category, "tags": ticket.tags,
                "product": ticket.custom.get("product").and_then(Value::as_str) }),
    )
}

/// Records on a `created` event the e-mail address the ticket was filed with, if any. A
/// customer record is found by e-mail or phone, neither verified, so the portal shows a
/// customer who proved they read an address only the requests filed with that address.
pub(crate) fn with_requester(mut event: NewEvent, email: Option<&str>) -> NewEvent {
    if let Some(email) = email {
        event.data["requester_email"] = json!(email);
    }
    event
}

/// The e-mail address each ticket was filed with (see [`with_requester`]), by ticket id.
pub(crate) async fn requester_emails(ex: kefu_store::Exec<'_>, ticket_ids: &[Id]) -> AppResult<std::collections::HashMap<Id, String>> {
    let rows = kefu_store::timeline::created_event_data(ex, ticket_ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(ticket, data)| {
            let data: Value = serde_json::from_str(&data).ok()?;
            Some((ticket, data.get("requester_email")?.as_str()?.to_owned()))
        })
        .collect())
}

/// The customer with this e-mail (or, failing that, phone); a new one otherwise. A found
/// customer gains the phone it lacked.
pub(crate) async fn find_or_create_customer(
    tx: &mut Tx,
    name: Option<String>,
    email: Option<Email>,
    phone: Option<Phone>,
    at: Timestamp,
) -> AppResult<Id> {
    let default_name = || {
        email
            .as_ref()
            .map(|e| e.as_str().split('@').next().unwrap_or_default().to_owned())
            .or_else(|| phone.as_ref().map(|p| p.as_str().to_owned()))
            .unwrap_or_default()
    };
    if let Some(email) = &email {
        let name = name.unwrap_or_else(default_name);
        return Ok(upsert_customer_by_email(tx.exec(), &name, email, phone.as_ref(), at).await?);
    }
    if let Some(phone) = &phone
        && let Some(customer) = customer_by_phone(tx.exec(), phone).await?
    {
        return Ok(customer.id);
    }
    let name = name.unwrap_or_else(default_name);
    Ok(insert_customer(tx.exec(), &NewCustomer::contact(name, email, phone), at).await?.id)
}

#[derive(Default)]
pub(crate) struct ParsedUpdate {
    status: Option<Status>,
    priority: Option<Priority>,
    category: Option<Option<String>>,
    pub(crate) tags: Option<Vec<String>>,
    team: Option<Option<Id>>,
    owner: Option<Id>,
    expected_resolution: Option<String>,
    custom: Option<serde_json::Map<String, Value>>,
    resolution_note: Option<String>,
    language: Option<Option<String>>,
    required_skills: Option<Vec<String>>,
}

pub(crate) fn parse_update(input: UpdateTicket) -> AppResult<ParsedUpdate> {
    let mut errors = FieldErrors::default();
    let status = errors
        .take(input.status.as_deref().map(|s| Status::parse("status", s)).transpose())
        .flatten();
    let priority = errors
        .take(input.priority.as_deref().map(|p| Priority::parse("priority", p)).transpose())
        .flatten();
    let tags = errors
        .take(input.tags.as_deref().map(|t| parse_tags("tags", t)).transpose())
        .flatten();
    let custom = errors
        .take(input.custom.as_ref().map(|c| parse_custom_fields("custom", c)).transpose())
        .flatten();
    let expected = errors
        .take(
            input
                .expected_resolution
                .as_deref()
                .map(|e| Expectation::parse("expected_resolution", e))
                .transpose(),
        )
        .flatten();
    let note = errors
        .take(
            input
                .resolution_note
                .as_deref()
                .map(|n| Body::parse("resolution_note", n))
                .transpose(),
        )
        .flatten();
    if note.is_some() && status != Some(Status::Resolved) {
        errors.push(FieldError::new(
            "resolution_note",
            "needs_resolved_status",
            "a resolution note goes with status \"resolved\"",
        ));
    }
    let language = match input.language {
        Some(Some(text)) => errors.take(parse_language(&text)).map(Some),
        other => other,
    };
    let required_skills = crate::people::short_list("required_skills", input.required_skills, &mut errors);
    errors.into_result()?;
    Ok(ParsedUpdate {
        language,
        required_skills,
        status,
        priority,
        category: input.category,
        tags: tags.map(|t| t.iter().map(|t| t.as_str().to_owned()).collect()),
        team: input.team,
        owner: input.owner,
        expected_resolution: expected.map(Expectation::into_inner),
        custom,
        resolution_note: note.map(Body::into_inner),
    })
}

/// A language tag as routing compares it (BCP 47 shape: letters, digits and hyphens).
fn parse_language(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() || text.len() > 35 || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(FieldError::new(
            "language",
            "invalid_language",
            "a language tag such as zh, zh-CN or en",
        ));
    }
    Ok(text.to_owned())
}

pub(crate) async fn apply_update(
    tx: &mut Tx,
    actor: Actor,
    mut ticket: Ticket,
    change: ParsedUpdate,
    at: Timestamp,
) -> AppResult<(Ticket, Vec<NewEvent>)> {
    let who = ActorRef::agent(actor.id);
    let mut events = Vec::new();
    if let Some(owner) = change.owner
        && ticket.owner_id != Some(owner)
    {
        actor.require_supervisor("only a supervisor can change a ticket's first-contact owner")?;
        require_active_agent(tx.exec(), owner, "owner").await?;
        events.push(NewEvent::change(EventKind::OwnerChanged, who, ticket.owner_id, Some(owner)));
        ticket.owner_id = Some(owner);
    }
    if let Some(language) = change.language
        && language != ticket.language
    {
        events.push(NewEvent::new(
            EventKind::FieldChanged,
            who,
            json!({ "field": "language", "before": ticket.language, "after": language }),
        ));
        ticket.language = language;
    }
    if let Some(skills) = change.required_skills
        && skills != ticket.required_skills
    {
        events.push(NewEvent::new(
            EventKind::FieldChanged,
            who,
            json!({ "field": "required_skills", "before": ticket.required_skills, "after": skills }),
        ));
        ticket.required_skills = skills;
    }
    if let Some(priority) = change.priority
        && priority != ticket.priority
    {
        events.push(NewEvent::change(EventKind::PriorityChanged, who, ticket.priority, priority));
        ticket.priority = priority;
    }
    if let Some(category) = change.category
        && category != ticket.category
    {
        if let Some(code) = &category
            && !categories::category_exists(tx.exec(), code).await?
        {
            return Err(AppError::field("category", "unknown_category", "no such category code"));
        }
        events.push(NewEvent::change(
            EventKind::CategoryChanged,
            who,
            ticket.category.clone(),
            category.clone(),
        ));
        ticket.category = category;
    }
    if let Some(tags) = change.tags
        && tags != ticket.tags
    {
        events.push(NewEvent::change(EventKind::TagsChanged, who, ticket.tags.clone(), tags.clone()));
        ticket.tags = tags;
    }
    if let Some(team) = change.team
        && team != ticket.team_id
    {
        if let Some(id) = team {
            people::team_by_id(tx.exec(), id)
                .await?
                .ok_or_else(|| AppError::field("team", "unknown_team", "no such team"))?;
        }
        events.push(NewEvent::change(EventKind::TeamChanged, who, ticket.team_id, team));
        ticket.team_id = team;
    }
    if let Some(expected) = change.expected_resolution
        && ticket.expected_resolution.as_ref() != Some(&expected)
    {
        events.push(NewEvent::new(
            EventKind::FieldChanged,
            who,
            json!({ "field": "expected_resolution", "before": ticket.expected_resolution, "after": expected }),
        ));
        ticket.expected_resolution = Some(expected);
    }
    if let Some(custom) = change.custom
        && custom != ticket.custom
    {
        events.push(NewEvent::new(
            EventKind::FieldChanged,
            who,
            json!({ "field": "custom", "before": ticket.custom, "after": custom }),
        ));
        ticket.custom = custom;
    }
    if let Some(target) = change.status
        && target != ticket.status
    {
        let evidence = ResolveEvidence {
            has_public_reply: ticket.has_public_reply,
            has_resolution_note: change.resolution_note.is_some(),
        };
        let next = status::transition(ticket.status, target, evidence)?;
        if let Some(note) = &change.resolution_note {
            insert_message(tx.exec(), ticket.id, MessageKind::Note, who, note, at).await?;
            events.push(NewEvent::new(
                EventKind::MessageAdded,
                who,
                json!({ "kind": "note", "resolution": true }),
            ));
        }
        if ticket.status == Status::Resolved && next == Status::Open {
            ticket.reopen_count += 1;
            events.push(NewEvent::new(
                EventKind::Reopened,
                who,
                json!({ "by": "agent", "count": ticket.reopen_count }),
            ));
        }
        events.push(NewEvent::change(EventKind::StatusChanged, who, ticket.status, next));
        if next == Status::Resolved {
            ticket.resolved_at = Some(at);
        }
        ticket.status = next;
    }
    Ok((ticket, events))
}

async fn agent_message(
    tx: &mut Tx,
    engine: &Engine,
    actor: &Actor,
    mut ticket: Ticket,
    kind: MessageKind,
    body: String,
    at: Timestamp,
) -> AppResult<(MessageAdded, Vec<TicketEvent>)> {
    if ticket.status == Status::Closed && kind == MessageKind::Reply {
        return Err(AppError::Conflict {
            code: "ticket_closed",
            message: "the ticket is closed; the customer's next message opens a new one".into(),
        });
    }
    let before = ticket.clone();
    let who = ActorRef::agent(actor.id);
    let message = insert_message(tx.exec(), ticket.id, kind, who, &body, at).await?;
    let mut events = vec![NewEvent::new(
        EventKind::MessageAdded,
        who,
        json!({ "message_id": message.id, "kind": kind }),
    )];
    if kind == MessageKind::Reply {
        ticket.has_public_reply = true;
        ticket.first_reply_at.get_or_insert(at);
        take_ownership(&mut ticket, actor.id, actor, &mut events);
        touch(&mut ticket, actor, &mut events);
    }
    let stored = save(tx, engine, &before, &mut ticket, events, at).await?;
    Ok((
        MessageAdded {
            message,
            ticket,
            follow_up_of: None,
        },
        stored,
    ))
}

/// A message from the customer (relayed by an integration, or written on the portal): resumes a pending ticket,
/// reopens a recently resolved one, or starts a follow-up ticket.
pub(crate) async fn customer_message(
    tx: &mut Tx,
    engine: &Engine,
    mut ticket: Ticket,
    body: String,
    at: Timestamp,
    reopen_window: jiff::SignedDuration,
) -> AppResult<(MessageAdded, Vec<TicketEvent>)> {
    let customer = ActorRef::customer(ticket.customer_id);
    match status::on_customer_message(ticket.status, ticket.resolved_at, at, reopen_window) {
        CustomerMessageOutcome::FollowUp => {
            let subject = TicketSubject::parse("subject", &format!("Re: {}", ticket.subject))
                .or_else(|_| TicketSubject::parse("subject", &ticket.subject))
                .map_err(|e| AppError::Internal(e.message))?;
            let new = NewTicket {
                subject: subject.into_inner(),
                description: body.clone(),
                kind: ticket.kind,
                channel: ticket.channel,
                priority: ticket.priority,
                category: ticket.category.clone(),
                tags: ticket.tags.clone(),
                customer_id: ticket.customer_id,
                team_id: ticket.team_id,
                expected_resolution: None,
                custom: Default::default(),
                follow_up_of: Some(ticket.number),
                language: ticket.language.clone(),
                required_skills: ticket.required_skills.clone(),
                sla: None,
            };
            let tier = sla::tier_of(tx.exec(), engine, ticket.customer_id).await?;
            let new = NewTicket {
                sla: sla::initial_clocks(engine, &sla::preview(&new, at), tier),
                ..new
            };
            let mut follow_up = insert_ticket(tx.exec(), &new, at).await?;
            inbox_counts::adjust_counts(tx.exec(), &inbox::deltas(None, &follow_up)).await?;
            // Further contact within 7 days: the earlier ticket was not solved at first contact.
            if ticket.facts.first_contact_resolved == Some(true)
                && ticket
                    .resolved_at
                    .is_some_and(|r| at.duration_since(r) <= jiff::SignedDuration::from_hours(7 * 24))
            {
                ticket.facts.first_contact_resolved = Some(false);
                update_ticket(tx.exec(), &ticket).await?;
            }
            let message = insert_message(tx.exec(), follow_up.id, MessageKind::Customer, customer, &body, at).await?;
            // A follow-up is filed with the address its ticket was.
            let requester = requester_emails(tx.exec(), &[ticket.id]).await?.remove(&ticket.id);
            let mut stored = record(
                tx,
                &follow_up,
                &[{
                    // The creation's dimensions travel with it (analytics fold them), and
                    // so does the ticket it follows up.
                    let mut created = with_requester(created_event(CreatedBy::Customer, &follow_up), requester.as_deref());
                    created.data["follow_up_of"] = json!(ticket.number);
                    created
                }],
                at,
            )
            .await?;
            stored.extend(
                record(
                    tx,
                    &ticket,
                    &[NewEvent::new(
                        EventKind::FollowUpCreated,
                        customer,
                        json!({ "follow_up": follow_up.number }),
                    )],
                    at,
                )
                .await?,
            );
            follow_up.updated_at = at;
            Ok((
                MessageAdded {
                    message,
                    ticket: follow_up,
                    follow_up_of: Some(ticket.number),
                },
                stored,
            ))
        }
        outcome => {
            let before = ticket.clone();
            let message = insert_message(tx.exec(), ticket.id, MessageKind::Customer, customer, &body, at).await?;
            let mut events = vec![NewEvent::new(
                EventKind::MessageAdded,
                customer,
                json!({ "message_id": message.id, "kind": "customer" }),
            )];
            if outcome == CustomerMessageOutcome::Reopened {
                ticket.reopen_count += 1;
                events.push(NewEvent::new(
                    EventKind::Reopened,
                    customer,
                    json!({ "by": "customer", "count": ticket.reopen_count }),
                ));
            }
            if matches!(outcome, CustomerMessageOutcome::Reopened | CustomerMessageOutcome::Resumed) {
                events.push(NewEvent::change(EventKind::StatusChanged, customer, ticket.status, Status::Open));
                ticket.status = Status::Open;
            }
            let stored = save(tx, engine, &before, &mut ticket, events, at).await?;
            Ok((
                MessageAdded {
                    message,
                    ticket,
                    follow_up_of: None,
                },
                stored,
            ))
        }
    }
}

pub(crate) fn parse_list(actor: &Actor, params: ListTickets) -> AppResult<TicketQuery> {
    let mut errors = FieldErrors::default();
    let mut query = TicketQuery {
        limit: 25,
        ..TicketQuery::default()
    };
    if let Some(statuses) = params.status.as_deref().filter(|s| !s.is_empty()) {
        query.statuses = statuses
            .split(',')
            .filter_map(|s| errors.take(Status::parse("status", s.trim())))
            .collect();
    }
    query.assignee = match params.assignee.as_deref() {
        None | Some("") => None,
        Some("me") => Some(AssigneeFilter::Agent(actor.id)),
        Some("none") => Some(AssigneeFilter::Unassigned),
        Some(id) => errors.take(parse_id("assignee", id)).map(AssigneeFilter::Agent),
    };
    query.team = params.team.as_deref().and_then(|t| errors.take(parse_id("team", t)));
    query.customer = params.customer.as_deref().and_then(|c| errors.take(parse_id("customer", c)));
    query.priority = params.priority.as_deref().and_then(|p| errors.take(Priority::parse("priority", p)));
    query.kind = params.kind.as_deref().and_then(|k| errors.take(TicketKind::parse("kind", k)));
    query.category = params.category.filter(|c| !c.is_empty());
    query.tag = params
        .tag
        .as_deref()
        .filter(|t| !t.is_empty())
        .and_then(|t| errors.take(Tag::parse("tag", t)))
        .map(|t| t.as_str().to_owned());
    query.owner = match params.owner.as_deref() {
        None | Some("") => None,
        Some("me") => Some(actor.id),
        Some(id) => errors.take(parse_id("owner", id)),
    };
    query.held_by_others = params.held_by_others.unwrap_or(false);
    query.sla = match params.sla.as_deref() {
        None | Some("") => None,
        Some("breached") => Some(SlaFilter::Breached { now: now() }),
        Some("at_risk") => Some(SlaFilter::AtRisk { now: now() }),
        Some(_) => errors.take(Err(FieldError::new("sla", "unknown_value", "must be one of: breached, at_risk"))),
    };
    if let Some(sort) = params.sort.as_deref() {
        match TicketSort::parse(sort) {
            Some(sort) => query.sort = sort,
            None => errors.push(FieldError::new(
                "sort",
                "unknown_value",
                "must be one of: created, -created, updated, -updated, priority, sla_due",
            )),
        }
    }
    if let Some(limit) = params.limit.as_deref() {
        match limit.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => query.limit = n,
            _ => errors.push(FieldError::new(
                "limit",
                "out_of_range",
                format!("must be a whole number from 1 to {MAX_PAGE}"),
            )),
        }
    }
    if let Some(cursor) = params.cursor.as_deref().filter(|c| !c.is_empty()) {
        match decode_cursor(cursor) {
            Some(values) if values.len() == query.sort.cursor_len() => query.after = Some(values),
            _ => errors.push(FieldError::new(
                "cursor",
                "invalid_cursor",
                "not a cursor from this list (was the sort changed?)",
            )),
        }
    }
    errors.into_result()?;
    Ok(query)
}

fn parse_id(field: &str, value: &str) -> Result<Id, FieldError> {
    value
        .trim()
        .parse::<Id>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| FieldError::new(field, "invalid_id", "must be a positive whole number"))
}

/// Cursors are opaque to clients: the sort-key values, base64url-encoded.
fn encode_cursor(values: &[i64]) -> String {
    let text = values.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    URL_SAFE_NO_PAD.encode(text)
}

fn decode_cursor(cursor: &str) -> Option<Vec<i64>> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.split(',').map(|v| v.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cursors_round_trip(values in proptest::collection::vec(any::<i64>(), 1..4)) {
            prop_assert_eq!(decode_cursor(&encode_cursor(&values)), Some(values));
        }
    }

    #[test]
    fn garbage_cursor_is_refused() {
        assert_eq!(decode_cursor("not base64!"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("1,x")), None);
    }
}
