//! Customer portal tracking links, found by their token's hash (unique index).

use crate::backend::{Exec, exec};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::Id;

pub async fn insert_portal_link(ex: Exec<'_>, ticket_id: Id, token_hash: &str, now: Timestamp) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO portal_links (ticket_id, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(ticket_id).bind(token_hash).bind(ms(now)).fetch_one(e).await)?;
    Ok(id)
}

/// The ticket a tracking link opens.
pub async fn ticket_of_portal_link(ex: Exec<'_>, token_hash: &str) -> StoreResult<Option<Id>> {
    let id: Option<i64> = exec!(ex, e => sqlx::query_scalar("SELECT ticket_id FROM portal_links WHERE token_hash = $1")
        .bind(token_hash).fetch_optional(e).await)?;
    Ok(id)
}
