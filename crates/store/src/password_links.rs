//! Single-use password links (invitations and resets), found by their token's hash.

use crate::backend::{Exec, exec};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::Id;

pub async fn insert_password_link(ex: Exec<'_>, agent_id: Id, token_hash: &str, now: Timestamp, expires_at: Timestamp) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO password_links (agent_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(agent_id).bind(token_hash).bind(ms(now)).bind(ms(expires_at)).fetch_one(e).await)?;
    Ok(id)
}

/// Uses up a link: the agent it was for, if it exists, is unused and unexpired. Once
/// taken it never works again (also when two tabs race: only one update matches).
pub async fn take_password_link(ex: Exec<'_>, token_hash: &str, now: Timestamp) -> StoreResult<Option<Id>> {
    let agent: Option<i64> = exec!(ex, e => sqlx::query_scalar(
        "UPDATE password_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING agent_id")
        .bind(token_hash).bind(ms(now)).fetch_optional(e).await)?;
    Ok(agent)
}

/// Whether a link can still be used (to show the form, or say it expired).
pub async fn password_link_usable(ex: Exec<'_>, token_hash: &str, now: Timestamp) -> StoreResult<bool> {
    let found: Option<i64> = exec!(ex, e => sqlx::query_scalar(
        "SELECT agent_id FROM password_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash).bind(ms(now)).fetch_optional(e).await)?;
    Ok(found.is_some())
}
