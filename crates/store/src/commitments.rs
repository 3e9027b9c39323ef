//! Commitments (服务承诺): what an agent promised a customer on a ticket, by when, and whether
//! it was kept. Read with the ticket's number joined in; an agent's open ones come from the
//! index `commitments_by_agent`, a ticket's from `commitments_by_ticket`.

use crate::backend::{Exec, exec};
use crate::convert::{ms, opt_ts, ts, wire};
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::{Id, TicketNumber};
use kefu_domain::service::{Commitment, CommitmentStatus};

const SELECT: &str = "SELECT c.id, c.ticket_id, t.number AS ticket_number, c.agent_id, c.what, c.due_at, c.remind_at, c.status, \
     c.overdue, c.created_at, c.resolved_at FROM commitments c JOIN tickets t ON t.id = c.ticket_id";

#[derive(sqlx::FromRow)]
struct CommitmentRow {
    id: i64,
    ticket_id: i64,
    ticket_number: i64,
    agent_id: i64,
    what: String,
    due_at: i64,
    remind_at: Option<i64>,
    status: String,
    overdue: bool,
    created_at: i64,
    resolved_at: Option<i64>,
}

impl CommitmentRow {
    fn into_domain(self) -> StoreResult<Commitment> {
        Ok(Commitment {
            id: self.id,
            ticket_id: self.ticket_id,
            ticket_number: self.ticket_number,
            agent_id: self.agent_id,
            what: self.what,
            due_at: ts(self.due_at)?,
            remind_at: opt_ts(self.remind_at)?,
            status: wire(CommitmentStatus::parse, "commitment status", &self.status)?,
            overdue: self.overdue,
            created_at: ts(self.created_at)?,
            resolved_at: opt_ts(self.resolved_at)?,
        })
    }
}

/// Stores an open commitment. An unknown ticket or agent is a
/// [`StoreError::MissingReference`](crate::StoreError::MissingReference).
pub async fn insert_commitment(
    ex: Exec<'_>,
    ticket_id: Id,
    agent_id: Id,
    what: &str,
    due_at: Timestamp,
    remind_at: Option<Timestamp>,
    now: Timestamp,
) -> StoreResult<Commitment> {
    let (id, ticket_number): (i64, TicketNumber) = exec!(ex, e => sqlx::query_as(
        "INSERT INTO commitments (ticket_id, agent_id, what, due_at, remind_at, status, overdue, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7) RETURNING id, (SELECT number FROM tickets WHERE id = $1)")
        .bind(ticket_id)
        .bind(agent_id)
        .bind(what)
        .bind(ms(due_at))
        .bind(remind_at.map(ms))
        .bind(CommitmentStatus::Open.as_str())
        .bind(ms(now))
        .fetch_one(e).await)?;
    Ok(Commitment {
        id,
        ticket_id,
        ticket_number,
        agent_id,
        what: what.to_owned(),
        due_at,
        remind_at,
        status: CommitmentStatus::Open,
        overdue: false,
        created_at: now,
        resolved_at: None,
    })
}

pub async fn commitment_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<Commitment>> {
    let row: Option<CommitmentRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.id = $1")))
        .bind(id).fetch_optional(e).await)?;
    row.map(CommitmentRow::into_domain).transpose()
}

/// Sets the status and when it was resolved; whether the commitment exists. Which moves are
/// allowed is the app's rule, not the store's.
pub async fn update_commitment_status(ex: Exec<'_>, id: Id, status: CommitmentStatus, resolved_at: Option<Timestamp>) -> StoreResult<bool> {
    let changed = exec!(ex, e => sqlx::query("UPDATE commitments SET status = $2, resolved_at = $3 WHERE id = $1")
        .bind(id).bind(status.as_str()).bind(resolved_at.map(ms))
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

/// Marks an open commitment overdue; whether this call did it. A second call, or one on a
/// commitment no longer open, changes nothing, so the overdue notice goes out once.
pub async fn mark_commitment_overdue(ex: Exec<'_>, id: Id) -> StoreResult<bool> {
    let changed = exec!(ex, e => sqlx::query("UPDATE commitments SET overdue = TRUE WHERE id = $1 AND status = $2 AND overdue = FALSE")
        .bind(id).bind(CommitmentStatus::Open.as_str())
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

/// A ticket's commitments, in the order they were made.
pub async fn commitments_of_ticket(ex: Exec<'_>, ticket_id: Id) -> StoreResult<Vec<Commitment>> {
    let rows: Vec<CommitmentRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.ticket_id = $1 ORDER BY c.id")))
        .bind(ticket_id).fetch_all(e).await)?;
    rows.into_iter().map(CommitmentRow::into_domain).collect()
}

/// Up to `limit` open commitments made on any ticket of a customer, the one due first
/// first (the customer's tickets from `tickets_by_customer`, then their commitments).
pub async fn open_commitments_of_customer(ex: Exec<'_>, customer_id: Id, limit: usize) -> StoreResult<Vec<Commitment>> {
    let rows: Vec<CommitmentRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE t.customer_id = $1 AND c.status = $2 ORDER BY c.due_at, c.id LIMIT $3")))
        .bind(customer_id).bind(CommitmentStatus::Open.as_str()).bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(e).await)?;
    rows.into_iter().map(CommitmentRow::into_domain).collect()
}

/// How many open commitments an agent has, and how many of them are overdue (from the
/// index `commitments_by_agent`, never the ticket table).
pub async fn open_commitment_count_of_agent(ex: Exec<'_>, agent_id: Id) -> StoreResult<(i64, i64)> {
    Ok(exec!(ex, e => sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN overdue THEN 1 ELSE 0 END), 0) FROM commitments WHERE agent_id = $1 AND status = $2")
        .bind(agent_id).bind(CommitmentStatus::Open.as_str()).fetch_one(e).await)?)
}

/// Up to `limit` open commitments of an agent, the one due first first.
pub async fn open_commitments_of_agent(ex: Exec<'_>, agent_id: Id, limit: usize) -> StoreResult<Vec<Commitment>> {
    let rows: Vec<CommitmentRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.agent_id = $1 AND c.status = $2 ORDER BY c.due_at, c.id LIMIT $3")))
        .bind(agent_id).bind(CommitmentStatus::Open.as_str()).bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(e).await)?;
    rows.into_iter().map(CommitmentRow::into_domain).collect()
}

/// Per agent, how many commitments resolved at or after `since` (and before `until`)
/// were kept and how many broken, by agent id; agents with neither are left out
/// (cancelled ones do not count).
pub async fn commitment_counts_by_agent(ex: Exec<'_>, since: Timestamp, until: Option<Timestamp>) -> StoreResult<Vec<(Id, i64, i64)>> {
    Ok(exec!(ex, e => sqlx::query_as(
        "SELECT agent_id, \
           CAST(SUM(CASE WHEN status = $2 THEN 1 ELSE 0 END) AS BIGINT), \
           CAST(SUM(CASE WHEN status = $3 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM commitments WHERE resolved_at >= $1 AND resolved_at < $4 AND status IN ($2, $3) \
         GROUP BY agent_id ORDER BY agent_id")
        .bind(ms(since)).bind(CommitmentStatus::Kept.as_str()).bind(CommitmentStatus::Broken.as_str())
        .bind(until.map_or(i64::MAX, ms))
        .fetch_all(e).await)?)
}
