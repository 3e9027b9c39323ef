//! The audit log, newest first.

use crate::backend::{Exec, exec};
use crate::convert::{ms, ts};
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::audit::AuditEntry;
use kefu_domain::entities::Id;
use serde_json::Value;

pub async fn insert_audit_entry(
    ex: Exec<'_>,
    actor_id: Option<Id>,
    action: &str,
    subject_kind: &str,
    subject_id: Option<Id>,
    data: &Value,
    at: Timestamp,
) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO audit_log (actor_id, action, subject_kind, subject_id, data, at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(actor_id).bind(action).bind(subject_kind).bind(subject_id).bind(data.to_string()).bind(ms(at))
        .execute(e).await.map(|_| ()))?;
    Ok(())
}

/// Up to `limit` entries older than `before` (all when `None`), newest first.
pub async fn audit_entries(ex: Exec<'_>, before: Option<Id>, limit: u32) -> StoreResult<Vec<AuditEntry>> {
    type Row = (i64, Option<i64>, String, String, Option<i64>, String, i64);
    let rows: Vec<Row> = exec!(ex, e => sqlx::query_as(
        "SELECT id, actor_id, action, subject_kind, subject_id, data, at FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2")
        .bind(before.unwrap_or(i64::MAX)).bind(i64::from(limit)).fetch_all(e).await)?;
    rows.into_iter()
        .map(|(id, actor_id, action, subject_kind, subject_id, data, at)| {
            Ok(AuditEntry {
                id,
                actor_id,
                action,
                subject_kind,
                subject_id,
                // Written by Kefu as JSON; anything else is kept as text rather than lost.
                data: serde_json::from_str(&data).unwrap_or(Value::String(data)),
                at: ts(at)?,
            })
        })
        .collect()
}
