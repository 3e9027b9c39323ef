//! Automation rules, kept as a JSON spec under a unique name with their rank and switch. The
//! store is generic over the spec type, so it needs no change when the rule language grows.

use crate::backend::{Exec, exec};
use crate::convert::{ms, to_json, ts};
use crate::error::{StoreResult, corrupt};
use jiff::Timestamp;
use kefu_domain::entities::Id;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A rule as stored: `spec` is whatever the app keeps there (`kefu_domain::automation::RuleSpec`).
/// Rules run in rank order: by position, then id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRule<T> {
    pub id: Id,
    pub name: String,
    pub position: i64,
    pub active: bool,
    pub spec: T,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLUMNS: &str = "id, name, position, active, spec, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    name: String,
    position: i64,
    active: bool,
    spec: String,
    created_at: i64,
    updated_at: i64,
}

impl RuleRow {
    fn into_domain<T: DeserializeOwned>(self) -> StoreResult<StoredRule<T>> {
        Ok(StoredRule {
            id: self.id,
            spec: serde_json::from_str(&self.spec).map_err(|_| corrupt("rule spec", &self.spec))?,
            name: self.name,
            position: self.position,
            active: self.active,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
        })
    }
}

/// Stores a rule; a taken name is a [`StoreError::Conflict`](crate::StoreError::Conflict).
pub async fn insert_rule<T: Serialize + DeserializeOwned>(
    ex: Exec<'_>,
    name: &str,
    position: i64,
    active: bool,
    spec: &T,
    now: Timestamp,
) -> StoreResult<StoredRule<T>> {
    let row: RuleRow = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO automation_rules (name, position, active, spec, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
         RETURNING {COLUMNS}")))
        .bind(name).bind(position).bind(active).bind(to_json(spec)).bind(ms(now))
        .fetch_one(e).await)?;
    row.into_domain()
}

/// Replaces every field of a rule; `None` when there is no such rule. A taken name is a
/// [`StoreError::Conflict`](crate::StoreError::Conflict).
pub async fn update_rule<T: Serialize + DeserializeOwned>(
    ex: Exec<'_>,
    id: Id,
    name: &str,
    position: i64,
    active: bool,
    spec: &T,
    now: Timestamp,
) -> StoreResult<Option<StoredRule<T>>> {
    let row: Option<RuleRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE automation_rules SET name = $2, position = $3, active = $4, spec = $5, updated_at = $6 WHERE id = $1 \
         RETURNING {COLUMNS}")))
        .bind(id).bind(name).bind(position).bind(active).bind(to_json(spec)).bind(ms(now))
        .fetch_optional(e).await)?;
    row.map(RuleRow::into_domain).transpose()
}

pub async fn rule_by_id<T: DeserializeOwned>(ex: Exec<'_>, id: Id) -> StoreResult<Option<StoredRule<T>>> {
    let row: Option<RuleRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM automation_rules WHERE id = $1")))
        .bind(id).fetch_optional(e).await)?;
    row.map(RuleRow::into_domain).transpose()
}

/// Every rule, active or not, in rank order: by position, then id.
pub async fn rules<T: DeserializeOwned>(ex: Exec<'_>) -> StoreResult<Vec<StoredRule<T>>> {
    let rows: Vec<RuleRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM automation_rules ORDER BY position, id"))).fetch_all(e).await)?;
    rows.into_iter().map(RuleRow::into_domain).collect()
}

/// Deletes a rule; whether there was one.
pub async fn delete_rule(ex: Exec<'_>, id: Id) -> StoreResult<bool> {
    let deleted =
        exec!(ex, e => sqlx::query("DELETE FROM automation_rules WHERE id = $1").bind(id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(deleted > 0)
}
