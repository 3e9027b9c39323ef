//! Custom ticket field definitions, in the order admins added them.

use crate::backend::{Exec, exec};
use crate::convert::{json_list, ms, to_json, wire};
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::custom_field::{CustomField, FieldKind};

#[derive(sqlx::FromRow)]
struct FieldRow {
    key: String,
    label_zh: String,
    label_en: String,
    kind: String,
    options: String,
    active: bool,
}

impl FieldRow {
    fn into_domain(self) -> StoreResult<CustomField> {
        Ok(CustomField {
            kind: wire(FieldKind::parse, "custom field kind", &self.kind)?,
            options: json_list(&self.options)?,
            key: self.key,
            label_zh: self.label_zh,
            label_en: self.label_en,
            active: self.active,
        })
    }
}

const SELECT: &str = "SELECT key, label_zh, label_en, kind, options, active FROM custom_fields";

pub async fn list_custom_fields(ex: Exec<'_>) -> StoreResult<Vec<CustomField>> {
    let rows: Vec<FieldRow> =
        exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY position, key"))).fetch_all(e).await)?;
    rows.into_iter().map(FieldRow::into_domain).collect()
}

pub async fn custom_field(ex: Exec<'_>, key: &str) -> StoreResult<Option<CustomField>> {
    let row: Option<FieldRow> =
        exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE key = $1"))).bind(key).fetch_optional(e).await)?;
    row.map(FieldRow::into_domain).transpose()
}

/// Adds a field after the others.
pub async fn insert_custom_field(ex: Exec<'_>, field: &CustomField, at: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO custom_fields (key, label_zh, label_en, kind, options, active, position, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(MAX(position), 0) + 1 FROM custom_fields), $7)")
        .bind(&field.key).bind(&field.label_zh).bind(&field.label_en).bind(field.kind.as_str())
        .bind(to_json(&field.options)).bind(field.active).bind(ms(at))
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Changes a field's labels, type, options and whether it is in use (the key stays).
pub async fn update_custom_field(ex: Exec<'_>, field: &CustomField) -> StoreResult<bool> {
    let changed = exec!(ex, e => sqlx::query(
        "UPDATE custom_fields SET label_zh = $2, label_en = $3, kind = $4, options = $5, active = $6 WHERE key = $1")
        .bind(&field.key).bind(&field.label_zh).bind(&field.label_en).bind(field.kind.as_str())
        .bind(to_json(&field.options)).bind(field.active)
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

pub async fn count_custom_fields(ex: Exec<'_>) -> StoreResult<i64> {
    Ok(exec!(ex, e => sqlx::query_scalar("SELECT COUNT(*) FROM custom_fields").fetch_one(e).await)?)
}
