//! In-app notifications: written in batches by the commands that cause them, read newest
//! first page by page (keyset on id over `notifications_by_agent`, or `notifications_unread`
//! for the unread ones), marked read by their agent.

use crate::backend::{Exec, exec, exec_built};
use crate::convert::{ms, opt_ts, ts, wire};
use crate::error::{StoreResult, corrupt};
use jiff::Timestamp;
use kefu_domain::entities::Id;
use kefu_domain::service::{NewNotification, Notification, NotificationKind};
use sea_query::{Expr, ExprTrait, Order, Query};

const COLUMNS: &str = "notifications.id, notifications.agent_id, notifications.kind, tickets.number AS ticket_number, \
     notifications.data, notifications.created_at, notifications.read_at";

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: i64,
    agent_id: i64,
    kind: String,
    ticket_number: Option<i64>,
    data: String,
    created_at: i64,
    read_at: Option<i64>,
}

impl NotificationRow {
    fn into_domain(self) -> StoreResult<Notification> {
        Ok(Notification {
            id: self.id,
            agent_id: self.agent_id,
            kind: wire(NotificationKind::parse, "notification kind", &self.kind)?,
            ticket_number: self.ticket_number,
            data: serde_json::from_str(&self.data).map_err(|_| corrupt("notification data", &self.data))?,
            created_at: ts(self.created_at)?,
            read_at: opt_ts(self.read_at)?,
        })
    }
}

/// Rows per insert statement: 5 parameters each stays under SQLite's 32766 (see `bulk::load`).
const ROWS_PER_STATEMENT: usize = 6_000;

/// Writes notifications (one statement per 6000); returns their ids in the order given.
///
/// Built with sea-query so SQLite gets anonymous `?` parameters (see `tickets::insert_tickets`
/// on why numbered ones are slow for many rows).
pub async fn insert_notifications(mut ex: Exec<'_>, notifications: &[NewNotification], now: Timestamp) -> StoreResult<Vec<Id>> {
    let mut all = Vec::with_capacity(notifications.len());
    for chunk in notifications.chunks(ROWS_PER_STATEMENT) {
        let mut insert = Query::insert();
        insert
            .into_table("notifications")
            .columns(["agent_id", "kind", "ticket_id", "data", "created_at"])
            .returning(Query::returning().columns(["id"]));
        for new in chunk {
            insert.values_panic([
                new.agent_id.into(),
                new.kind.as_str().into(),
                new.ticket_id.into(),
                new.data.to_string().into(),
                ms(now).into(),
            ]);
        }
        let mut ids: Vec<(i64,)> = exec_built!(ex.reborrow(), insert, |e, sql, values| sqlx::query_as_with(sql, values)
            .fetch_all(e)
            .await)?;
        // Ids grow in insertion order; RETURNING itself does not promise an order.
        ids.sort_unstable();
        all.extend(ids.into_iter().map(|(id,)| id));
    }
    Ok(all)
}

/// Up to `limit` of an agent's notifications, newest first, with the ticket's number when
/// there is one; only unread ones when `unread_only`. The next page is the one
/// `before_id` the last id of this one.
pub async fn notifications_of(
    ex: Exec<'_>,
    agent_id: Id,
    unread_only: bool,
    before_id: Option<Id>,
    limit: usize,
) -> StoreResult<Vec<Notification>> {
    let mut select = Query::select();
    select
        .expr(Expr::cust(COLUMNS))
        .from("notifications")
        .left_join("tickets", Expr::col(("tickets", "id")).equals(("notifications", "ticket_id")))
        .and_where(Expr::col(("notifications", "agent_id")).eq(agent_id));
    if unread_only {
        // Literally `read_at IS NULL`, so the planner can use the partial index.
        select.and_where(Expr::col(("notifications", "read_at")).is_null());
    }
    if let Some(before) = before_id {
        select.and_where(Expr::col(("notifications", "id")).lt(before));
    }
    select.order_by(("notifications", "id"), Order::Desc).limit(limit as u64);
    let rows: Vec<NotificationRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(NotificationRow::into_domain).collect()
}

/// Marks those of `ids` that belong to the agent and are unread as read at `now`; returns
/// how many that were. Others' notifications and ones already read are left as they are.
pub async fn mark_read(ex: Exec<'_>, agent_id: Id, ids: &[Id], now: Timestamp) -> StoreResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut update = Query::update();
    update
        .table("notifications")
        .value("read_at", ms(now))
        .and_where(Expr::col("agent_id").eq(agent_id))
        .and_where(Expr::col("read_at").is_null())
        .and_where(Expr::col("id").is_in(ids.iter().copied()));
    let changed = exec_built!(ex, update, |e, sql, values| sqlx::query_with(sql, values)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(changed)
}

/// Marks every unread notification of the agent read at `now`; returns how many.
pub async fn mark_all_read(ex: Exec<'_>, agent_id: Id, now: Timestamp) -> StoreResult<u64> {
    let changed = exec!(ex, e => sqlx::query("UPDATE notifications SET read_at = $2 WHERE agent_id = $1 AND read_at IS NULL")
        .bind(agent_id).bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed)
}

/// How many unread notifications the agent has (counted on `notifications_unread`).
pub async fn unread_count(ex: Exec<'_>, agent_id: Id) -> StoreResult<i64> {
    let (n,): (i64,) = exec!(ex, e => sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE agent_id = $1 AND read_at IS NULL")
        .bind(agent_id).fetch_one(e).await)?;
    Ok(n)
}
