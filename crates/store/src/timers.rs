//! Durable timers: work due at an instant (commitment reminders, rule delays, personal
//! reminders). A timer is taken by deleting it inside the write transaction that does its
//! work, so it fires exactly once: a crash before the commit leaves it in place to fire
//! after the restart, and after the commit it is gone. On PostgreSQL several nodes take
//! due timers at once without waiting on each other (`FOR UPDATE SKIP LOCKED`).
//!
//! SLA checks are not rows here: a ticket's next check instant is a column of the ticket
//! (`sla_check_at`), written by the same statement that writes its clocks.

use crate::backend::{Exec, exec, exec_built};
use crate::convert::{ms, to_json, ts};
use crate::error::{StoreResult, corrupt};
use jiff::Timestamp;
use kefu_domain::entities::Id;
use sea_query::Query;
use serde_json::Value;

/// A timer about to be scheduled.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTimer {
    pub due_at: Timestamp,
    /// What to do when it fires (the app's `TimerKind` wire name).
    pub kind: String,
    /// What it is about (a commitment, a ticket, ...), so it can be cancelled.
    pub subject_id: Option<Id>,
    pub payload: Value,
}

/// A timer taken for firing.
#[derive(Debug, Clone, PartialEq)]
pub struct Timer {
    pub id: Id,
    pub due_at: Timestamp,
    pub kind: String,
    pub subject_id: Option<Id>,
    pub payload: Value,
}

#[derive(sqlx::FromRow)]
struct TimerRow {
    id: i64,
    due_at: i64,
    kind: String,
    subject_id: Option<i64>,
    payload: String,
}

impl TimerRow {
    fn into_timer(self) -> StoreResult<Timer> {
        Ok(Timer {
            id: self.id,
            due_at: ts(self.due_at)?,
            kind: self.kind,
            subject_id: self.subject_id,
            payload: serde_json::from_str(&self.payload).map_err(|_| corrupt("timer payload", &self.payload))?,
        })
    }
}

/// Schedules timers (one statement for all of them).
pub async fn schedule(ex: Exec<'_>, timers: &[NewTimer], now: Timestamp) -> StoreResult<()> {
    if timers.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert
        .into_table("timers")
        .columns(["due_at", "kind", "subject_id", "payload", "created_at"]);
    for timer in timers {
        insert.values_panic([
            ms(timer.due_at).into(),
            timer.kind.clone().into(),
            timer.subject_id.into(),
            to_json(&timer.payload).into(),
            ms(now).into(),
        ]);
    }
    exec_built!(ex, insert, |e, sql, values| sqlx::query_with(sql, values)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Cancels the timers of `kind` about `subject_id`; returns how many there were.
pub async fn cancel(ex: Exec<'_>, kind: &str, subject_id: Id) -> StoreResult<u64> {
    let done = exec!(ex, e => sqlx::query("DELETE FROM timers WHERE kind = $1 AND subject_id = $2")
        .bind(kind).bind(subject_id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Takes (deletes and returns) up to `limit` timers due at `now`, earliest first. Call it
/// inside the write transaction that does their work.
pub async fn take_due(ex: Exec<'_>, now: Timestamp, limit: u32) -> StoreResult<Vec<Timer>> {
    let rows: Vec<TimerRow> = match ex {
        Exec::PgPool(_) | Exec::PgConn(_) => exec!(ex, e => sqlx::query_as(
            "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE due_at <= $1 ORDER BY due_at, id LIMIT $2 \
             FOR UPDATE SKIP LOCKED) RETURNING id, due_at, kind, subject_id, payload")
            .bind(ms(now)).bind(i64::from(limit)).fetch_all(e).await)?,
        _ => exec!(ex, e => sqlx::query_as(
            "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE due_at <= $1 ORDER BY due_at, id LIMIT $2) \
             RETURNING id, due_at, kind, subject_id, payload")
            .bind(ms(now)).bind(i64::from(limit)).fetch_all(e).await)?,
    };
    let mut timers = rows.into_iter().map(TimerRow::into_timer).collect::<StoreResult<Vec<_>>>()?;
    timers.sort_by_key(|t| (t.due_at, t.id));
    Ok(timers)
}

/// The earliest due instant of any timer.
pub async fn next_due_at(ex: Exec<'_>) -> StoreResult<Option<Timestamp>> {
    let (next,): (Option<i64>,) = exec!(ex, e => sqlx::query_as("SELECT MIN(due_at) FROM timers").fetch_one(e).await)?;
    next.map(ts).transpose()
}

/// How many timers wait.
pub async fn pending(ex: Exec<'_>) -> StoreResult<i64> {
    let (n,): (i64,) = exec!(ex, e => sqlx::query_as("SELECT COUNT(*) FROM timers").fetch_one(e).await)?;
    Ok(n)
}
