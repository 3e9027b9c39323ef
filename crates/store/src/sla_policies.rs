//! SLA policies: ranked by position, each with its conditions and targets as JSON text and an
//! optional business calendar. The app picks the first active match; the store keeps them.

use crate::backend::{Exec, exec};
use crate::convert::{ms, to_json, ts};
use crate::error::{StoreResult, corrupt};
use jiff::Timestamp;
use kefu_domain::entities::Id;
use kefu_domain::service::{NewSlaPolicy, SlaPolicy};

const COLUMNS: &str = "id, name, position, active, conditions, targets, calendar_id, pause_on_hold, warn_percent, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct PolicyRow {
    id: i64,
    name: String,
    position: i64,
    active: bool,
    conditions: String,
    targets: String,
    calendar_id: Option<i64>,
    pause_on_hold: bool,
    warn_percent: i64,
    created_at: i64,
    updated_at: i64,
}

impl PolicyRow {
    fn into_domain(self) -> StoreResult<SlaPolicy> {
        Ok(SlaPolicy {
            id: self.id,
            name: self.name,
            position: self.position,
            active: self.active,
            conditions: serde_json::from_str(&self.conditions).map_err(|_| corrupt("sla conditions", &self.conditions))?,
            targets: serde_json::from_str(&self.targets).map_err(|_| corrupt("sla targets", &self.targets))?,
            calendar_id: self.calendar_id,
            pause_on_hold: self.pause_on_hold,
            warn_percent: u8::try_from(self.warn_percent).map_err(|_| corrupt("warn percent", &self.warn_percent.to_string()))?,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
        })
    }
}

/// Stores a policy. A taken name is a [`StoreError::Conflict`](crate::StoreError::Conflict),
/// an unknown calendar a [`StoreError::MissingReference`](crate::StoreError::MissingReference).
pub async fn insert_policy(ex: Exec<'_>, new: &NewSlaPolicy, now: Timestamp) -> StoreResult<SlaPolicy> {
    let row: PolicyRow = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO sla_policies (name, position, active, conditions, targets, calendar_id, pause_on_hold, warn_percent, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {COLUMNS}")))
        .bind(&new.name)
        .bind(new.position)
        .bind(new.active)
        .bind(to_json(&new.conditions))
        .bind(to_json(&new.targets))
        .bind(new.calendar_id)
        .bind(new.pause_on_hold)
        .bind(i64::from(new.warn_percent))
        .bind(ms(now))
        .fetch_one(e).await)?;
    row.into_domain()
}

/// Replaces every field of a policy; `None` when there is no such policy. Errors as
/// [`insert_policy`].
pub async fn update_policy(ex: Exec<'_>, id: Id, new: &NewSlaPolicy, now: Timestamp) -> StoreResult<Option<SlaPolicy>> {
    let row: Option<PolicyRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE sla_policies SET name = $2, position = $3, active = $4, conditions = $5, targets = $6, calendar_id = $7, \
         pause_on_hold = $8, warn_percent = $9, updated_at = $10 WHERE id = $1 RETURNING {COLUMNS}")))
        .bind(id)
        .bind(&new.name)
        .bind(new.position)
        .bind(new.active)
        .bind(to_json(&new.conditions))
        .bind(to_json(&new.targets))
        .bind(new.calendar_id)
        .bind(new.pause_on_hold)
        .bind(i64::from(new.warn_percent))
        .bind(ms(now))
        .fetch_optional(e).await)?;
    row.map(PolicyRow::into_domain).transpose()
}

pub async fn policy_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<SlaPolicy>> {
    let row: Option<PolicyRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM sla_policies WHERE id = $1")))
        .bind(id).fetch_optional(e).await)?;
    row.map(PolicyRow::into_domain).transpose()
}

/// Every policy, active or not, in rank order: by position, then id.
pub async fn policies(ex: Exec<'_>) -> StoreResult<Vec<SlaPolicy>> {
    let rows: Vec<PolicyRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM sla_policies ORDER BY position, id"))).fetch_all(e).await)?;
    rows.into_iter().map(PolicyRow::into_domain).collect()
}

/// Deletes a policy; whether there was one. Tickets name their policy only inside their SLA
/// state (no foreign key), so the delete never fails on them.
pub async fn delete_policy(ex: Exec<'_>, id: Id) -> StoreResult<bool> {
    let deleted =
        exec!(ex, e => sqlx::query("DELETE FROM sla_policies WHERE id = $1").bind(id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(deleted > 0)
}

/// How many policies (active or not) count on this calendar: a calendar in use is not deleted.
pub async fn policies_using_calendar(ex: Exec<'_>, calendar_id: Id) -> StoreResult<i64> {
    let (n,): (i64,) = exec!(ex, e => sqlx::query_as("SELECT COUNT(*) FROM sla_policies WHERE calendar_id = $1")
        .bind(calendar_id).fetch_one(e).await)?;
    Ok(n)
}
