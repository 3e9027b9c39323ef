//! Macros (canned responses), listed by name.

use crate::backend::{Exec, exec};
use crate::convert::{ms, ts};
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::Id;
use kefu_domain::service::Macro;

#[derive(sqlx::FromRow)]
struct MacroRow {
    id: i64,
    name: String,
    body_zh: String,
    body_en: String,
    created_at: i64,
    updated_at: i64,
}

impl MacroRow {
    fn into_domain(self) -> StoreResult<Macro> {
        Ok(Macro {
            id: self.id,
            name: self.name,
            body_zh: self.body_zh,
            body_en: self.body_en,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
        })
    }
}

const SELECT: &str = "SELECT id, name, body_zh, body_en, created_at, updated_at FROM macros";

/// Stores a macro; a taken name is a [`StoreError::Conflict`](crate::StoreError::Conflict).
pub async fn insert_macro(ex: Exec<'_>, name: &str, body_zh: &str, body_en: &str, now: Timestamp) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO macros (name, body_zh, body_en, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id")
        .bind(name).bind(body_zh).bind(body_en).bind(ms(now)).fetch_one(e).await)?;
    Ok(id)
}

/// Changes a macro; false when there is none with this id.
pub async fn update_macro(ex: Exec<'_>, id: Id, name: &str, body_zh: &str, body_en: &str, now: Timestamp) -> StoreResult<bool> {
    let changed = exec!(ex, e => sqlx::query("UPDATE macros SET name = $2, body_zh = $3, body_en = $4, updated_at = $5 WHERE id = $1")
        .bind(id).bind(name).bind(body_zh).bind(body_en).bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

pub async fn delete_macro(ex: Exec<'_>, id: Id) -> StoreResult<bool> {
    let deleted = exec!(ex, e => sqlx::query("DELETE FROM macros WHERE id = $1").bind(id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(deleted > 0)
}

pub async fn macros(ex: Exec<'_>) -> StoreResult<Vec<Macro>> {
    let rows: Vec<MacroRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY name"))).fetch_all(e).await)?;
    rows.into_iter().map(MacroRow::into_domain).collect()
}

pub async fn macro_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<Macro>> {
    let row: Option<MacroRow> =
        exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"))).bind(id).fetch_optional(e).await)?;
    row.map(MacroRow::into_domain).transpose()
}
