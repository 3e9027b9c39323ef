//! What happened on a ticket: its messages and its events, and the idempotency records
//! that make a retried create return the first answer.

use crate::backend::{Exec, exec, exec_built};
use crate::convert::{ms, ts, wire};
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::{ActorRef, Id, Message, TicketNumber};
use kefu_domain::enums::{ActorKind, MessageKind};
use kefu_domain::event::{EventKind, NewEvent, TicketEvent};
use sea_query::{Expr, ExprTrait, Order, Query};

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    kind: String,
    author_kind: String,
    author_id: Option<i64>,
    body: String,
    created_at: i64,
}

impl MessageRow {
    fn into_domain(self) -> StoreResult<Message> {
        Ok(Message {
            id: self.id,
            kind: wire(MessageKind::parse, "message kind", &self.kind)?,
            author_kind: wire(ActorKind::parse, "author kind", &self.author_kind)?,
            author_id: self.author_id,
            body: self.body,
            created_at: ts(self.created_at)?,
            attachments: Vec::new(),
        })
    }
}

/// A message with the ticket it belongs to.
#[derive(sqlx::FromRow)]
struct TicketMessageRow {
    ticket_id: i64,
    #[sqlx(flatten)]
    message: MessageRow,
}

pub async fn insert_message(
    ex: Exec<'_>,
    ticket_id: Id,
    kind: MessageKind,
    author: ActorRef,
    body: &str,
    now: Timestamp,
) -> StoreResult<Message> {
    let (id,): (i64,) = exec!(ex, e => sqlx::query_as(
        "INSERT INTO messages (ticket_id, kind, author_kind, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(ticket_id).bind(kind.as_str()).bind(author.kind.as_str()).bind(author.id).bind(body).bind(ms(now))
        .fetch_one(e).await)?;
    Ok(Message {
        id,
        kind,
        author_kind: author.kind,
        author_id: author.id,
        body: body.to_owned(),
        created_at: now,
        attachments: Vec::new(),
    })
}

/// A ticket's messages, oldest first; internal notes only when `with_notes`.
pub async fn messages_of(ex: Exec<'_>, ticket_id: Id, with_notes: bool) -> StoreResult<Vec<Message>> {
    let rows: Vec<MessageRow> = exec!(ex, e => sqlx::query_as(
        "SELECT id, kind, author_kind, author_id, body, created_at FROM messages WHERE ticket_id = $1 AND (kind <> 'note' OR $2) ORDER BY id")
        .bind(ticket_id).bind(with_notes).fetch_all(e).await)?;
    rows.into_iter().map(MessageRow::into_domain).collect()
}

pub async fn insert_event(ex: Exec<'_>, ticket_id: Id, event: &NewEvent, now: Timestamp) -> StoreResult<Id> {
    let (id,): (i64,) = exec!(ex, e => sqlx::query_as(
        "INSERT INTO ticket_events (ticket_id, kind, actor_kind, actor_id, data, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(ticket_id).bind(event.kind.as_str()).bind(event.actor.kind.as_str()).bind(event.actor.id)
        .bind(event.data.to_string()).bind(ms(now))
        .fetch_one(e).await)?;
    Ok(id)
}

/// Inserts many events (each for its ticket id) in one statement; returns their ids in
/// the order given.
pub async fn insert_events(ex: Exec<'_>, events: &[(Id, &NewEvent)], now: Timestamp) -> StoreResult<Vec<Id>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut insert = Query::insert();
    insert
        .into_table("ticket_events")
        .columns(["ticket_id", "kind", "actor_kind", "actor_id", "data", "created_at"])
        .returning(Query::returning().columns(["id"]));
    for (ticket_id, event) in events {
        insert.values_panic([
            (*ticket_id).into(),
            event.kind.as_str().into(),
            event.actor.kind.as_str().into(),
            event.actor.id.into(),
            event.data.to_string().into(),
            ms(now).into(),
        ]);
    }
    let mut ids: Vec<(i64,)> = exec_built!(ex, insert, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    // Ids grow in insertion order; RETURNING itself does not promise an order.
    ids.sort_unstable();
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    kind: String,
    actor_kind: String,
    actor_id: Option<i64>,
    data: String,
    created_at: i64,
}

/// A ticket's events, oldest first.
pub async fn events_of(ex: Exec<'_>, ticket_id: Id, number: TicketNumber) -> StoreResult<Vec<TicketEvent>> {
    let rows: Vec<EventRow> = exec!(ex, e => sqlx::query_as(
        "SELECT id, kind, actor_kind, actor_id, data, created_at FROM ticket_events WHERE ticket_id = $1 ORDER BY id")
        .bind(ticket_id).fetch_all(e).await)?;
    rows.into_iter()
        .map(|r| {
            Ok(TicketEvent {
                id: r.id,
                ticket_number: number,
                kind: wire(EventKind::parse, "event kind", &r.kind)?,
                actor: ActorRef {
                    kind: wire(ActorKind::parse, "actor kind", &r.actor_kind)?,
                    id: r.actor_id,
                },
                data: serde_json::from_str(&r.data).map_err(|_| crate::error::corrupt("event data", &r.data))?,
                at: ts(r.created_at)?,
            })
        })
        .collect()
}

/// The ticket a (agent, key) pair created before, with the hash of the request that did.
pub async fn idempotent_ticket(ex: Exec<'_>, agent_id: Id, key: &str) -> StoreResult<Option<(String, TicketNumber)>> {
    Ok(
        exec!(ex, e => sqlx::query_as("SELECT request_hash, ticket_number FROM idempotency_keys WHERE agent_id = $1 AND key = $2")
        .bind(agent_id).bind(key).fetch_optional(e).await)?,
    )
}

pub async fn remember_idempotent_ticket(
    ex: Exec<'_>,
    agent_id: Id,
    key: &str,
    request_hash: &str,
    number: TicketNumber,
    now: Timestamp,
) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("INSERT INTO idempotency_keys (agent_id, key, request_hash, ticket_number, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(agent_id).bind(key).bind(request_hash).bind(number).bind(ms(now))
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// `(event id, ticket id)` of the events after `after_id`, in id order: which tickets
/// changed since a reader (the search index) last looked.
pub async fn ticket_changes_after(ex: Exec<'_>, after_id: Id, limit: u32) -> StoreResult<Vec<(Id, Id)>> {
    Ok(
        exec!(ex, e => sqlx::query_as("SELECT id, ticket_id FROM ticket_events WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after_id).bind(i64::from(limit)).fetch_all(e).await)?,
    )
}

/// Tables a reader follows by row number (the search feeder).
#[derive(Debug, Clone, Copy)]
pub enum Numbered {
    TicketEvents,
    Customers,
    SurveyAnswers,
    /// Knowledge articles by their last write's change number.
    ArticleChanges,
}

impl Numbered {
    /// The table, the column of the number followed, and when the row was written.
    fn columns(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Numbered::TicketEvents => ("ticket_events", "id", "created_at"),
            Numbered::Customers => ("customers", "id", "created_at"),
            Numbered::SurveyAnswers => ("survey_answers", "id", "submitted_at"),
            Numbered::ArticleChanges => ("kb_articles", "change_no", "updated_at"),
        }
    }
}

/// The number of the newest row of `rows` written before `before` (0 when none was): a
/// reader starting there misses no row still committing (on PostgreSQL a smaller number
/// can commit after a larger one). Reads back from the newest row only as far as that.
pub async fn last_number_written_before(ex: Exec<'_>, rows: Numbered, before: Timestamp) -> StoreResult<Id> {
    let (table, number, written_at) = rows.columns();
    let sql = format!("SELECT {number} FROM {table} WHERE {written_at} < $1 ORDER BY {number} DESC LIMIT 1");
    let id: Option<(i64,)> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(ms(before)).fetch_optional(e).await)?;
    Ok(id.map_or(0, |(id,)| id))
}

/// The id of the newest event, 0 when there is none.
pub async fn last_event_id(ex: Exec<'_>) -> StoreResult<Id> {
    let (id,): (Option<i64>,) = exec!(ex, e => sqlx::query_as("SELECT MAX(id) FROM ticket_events").fetch_one(e).await)?;
    Ok(id.unwrap_or(0))
}

/// The messages of several tickets (notes included), by ticket, oldest first.
pub async fn messages_of_tickets(ex: Exec<'_>, ticket_ids: &[Id]) -> StoreResult<Vec<(Id, Message)>> {
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .columns(["ticket_id", "id", "kind", "author_kind", "author_id", "body", "created_at"])
        .from("messages")
        .and_where(Expr::col("ticket_id").is_in(ticket_ids.iter().copied()))
        .order_by("ticket_id", Order::Asc)
        .order_by("id", Order::Asc);
    let rows: Vec<TicketMessageRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(|r| Ok((r.ticket_id, r.message.into_domain()?))).collect()
}

/// The data of each given ticket's `created` event (JSON text), by ticket: what the
/// ticket was filed with.
pub async fn created_event_data(ex: Exec<'_>, ticket_ids: &[Id]) -> StoreResult<Vec<(Id, String)>> {
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .columns(["ticket_id", "data"])
        .from("ticket_events")
        .and_where(Expr::col("ticket_id").is_in(ticket_ids.iter().copied()))
        .and_where(Expr::col("kind").eq(EventKind::Created.as_str()));
    Ok(exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values)
        .fetch_all(e)
        .await)?)
}
