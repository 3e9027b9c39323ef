//! Agents' saved ticket-list views (a name and the list's query string).

use crate::backend::{Exec, exec};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::Id;
use kefu_domain::query::SavedView;

/// Saves a view; a name the agent already uses is a `Conflict`.
pub async fn insert_saved_view(ex: Exec<'_>, agent_id: Id, name: &str, query: &str, at: Timestamp) -> StoreResult<SavedView> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO saved_views (agent_id, name, query, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(agent_id).bind(name).bind(query).bind(ms(at)).fetch_one(e).await)?;
    Ok(SavedView {
        id,
        name: name.to_owned(),
        query: query.to_owned(),
    })
}

/// An agent's views, in the order they were saved.
pub async fn saved_views_of(ex: Exec<'_>, agent_id: Id) -> StoreResult<Vec<SavedView>> {
    let rows: Vec<(i64, String, String)> = exec!(ex, e => sqlx::query_as(
        "SELECT id, name, query FROM saved_views WHERE agent_id = $1 ORDER BY id")
        .bind(agent_id).fetch_all(e).await)?;
    Ok(rows.into_iter().map(|(id, name, query)| SavedView { id, name, query }).collect())
}

/// Deletes one of the agent's views; `false` if the agent has no such view.
pub async fn delete_saved_view(ex: Exec<'_>, agent_id: Id, id: Id) -> StoreResult<bool> {
    let deleted = exec!(ex, e => sqlx::query("DELETE FROM saved_views WHERE id = $1 AND agent_id = $2")
        .bind(id).bind(agent_id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(deleted > 0)
}
