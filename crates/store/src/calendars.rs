//! Business calendars, stored as the JSON spec people edit, under a unique name. SLA policies
//! refer to them by id, so one in use cannot be deleted (see `policies_using_calendar`).

use crate::backend::{Exec, exec};
use crate::convert::{ms, to_json, ts};
use crate::error::{StoreResult, corrupt};
use jiff::Timestamp;
use kefu_domain::calendar_spec::CalendarSpec;
use kefu_domain::entities::Id;
use kefu_domain::service::Calendar;

const COLUMNS: &str = "id, name, spec, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct CalendarRow {
    id: i64,
    name: String,
    spec: String,
    created_at: i64,
    updated_at: i64,
}

impl CalendarRow {
    fn into_domain(self) -> StoreResult<Calendar> {
        Ok(Calendar {
            id: self.id,
            spec: serde_json::from_str(&self.spec).map_err(|_| corrupt("calendar spec", &self.spec))?,
            name: self.name,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
        })
    }
}

/// Stores a calendar; a taken name is a [`StoreError::Conflict`](crate::StoreError::Conflict).
pub async fn insert_calendar(ex: Exec<'_>, name: &str, spec: &CalendarSpec, now: Timestamp) -> StoreResult<Calendar> {
    let row: CalendarRow = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO calendars (name, spec, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING {COLUMNS}")))
        .bind(name).bind(to_json(spec)).bind(ms(now)).fetch_one(e).await)?;
    row.into_domain()
}

/// Renames a calendar and replaces its spec; `None` when there is no such calendar. A taken
/// name is a [`StoreError::Conflict`](crate::StoreError::Conflict).
pub async fn update_calendar(ex: Exec<'_>, id: Id, name: &str, spec: &CalendarSpec, now: Timestamp) -> StoreResult<Option<Calendar>> {
    let row: Option<CalendarRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE calendars SET name = $2, spec = $3, updated_at = $4 WHERE id = $1 RETURNING {COLUMNS}")))
        .bind(id).bind(name).bind(to_json(spec)).bind(ms(now)).fetch_optional(e).await)?;
    row.map(CalendarRow::into_domain).transpose()
}

pub async fn calendar_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<Calendar>> {
    let row: Option<CalendarRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM calendars WHERE id = $1")))
        .bind(id).fetch_optional(e).await)?;
    row.map(CalendarRow::into_domain).transpose()
}

/// Every calendar, by name (then id, for a stable order).
pub async fn calendars(ex: Exec<'_>) -> StoreResult<Vec<Calendar>> {
    let rows: Vec<CalendarRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM calendars ORDER BY name, id"))).fetch_all(e).await)?;
    rows.into_iter().map(CalendarRow::into_domain).collect()
}

/// Deletes a calendar; whether there was one. A calendar an SLA policy still uses is kept by
/// its foreign key: the error is [`StoreError::MissingReference`](crate::StoreError::MissingReference)
/// (the database reports every foreign-key violation alike), so check
/// `sla_policies::policies_using_calendar` first to say why.
pub async fn delete_calendar(ex: Exec<'_>, id: Id) -> StoreResult<bool> {
    let deleted = exec!(ex, e => sqlx::query("DELETE FROM calendars WHERE id = $1").bind(id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(deleted > 0)
}
