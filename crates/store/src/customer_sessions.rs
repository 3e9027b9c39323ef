//! Returning customers on the portal: one-time sign-in links sent by mail, and the
//! sessions they open. Tokens are stored as their SHA-256 only.

use crate::backend::{Exec, exec};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::Id;

/// A sign-in link for `customer_id`, sent to `email`.
pub async fn insert_sign_in_link(
    ex: Exec<'_>,
    token_hash: &str,
    customer_id: Id,
    email: &str,
    at: Timestamp,
    expires_at: Timestamp,
) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO customer_sign_in_links (token_hash, customer_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash).bind(customer_id).bind(email).bind(ms(at)).bind(ms(expires_at)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Uses a sign-in link, once, while it has not expired: its customer and the address it
/// was sent to.
pub async fn use_sign_in_link(ex: Exec<'_>, token_hash: &str, at: Timestamp) -> StoreResult<Option<(Id, String)>> {
    Ok(exec!(ex, e => sqlx::query_as(
        "UPDATE customer_sign_in_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         RETURNING customer_id, email")
        .bind(token_hash).bind(ms(at)).fetch_optional(e).await)?)
}

/// Whether a link is still usable (for the page that asks to confirm the sign-in).
pub async fn sign_in_link_usable(ex: Exec<'_>, token_hash: &str, at: Timestamp) -> StoreResult<bool> {
    let found: Option<String> = exec!(ex, e => sqlx::query_scalar(
        "SELECT token_hash FROM customer_sign_in_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash).bind(ms(at)).fetch_optional(e).await)?;
    Ok(found.is_some())
}

/// A session for `customer_id`, proven for `email`.
pub async fn insert_customer_session(
    ex: Exec<'_>,
    token_hash: &str,
    customer_id: Id,
    email: &str,
    at: Timestamp,
    expires_at: Timestamp,
) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO customer_sessions (token_hash, customer_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash).bind(customer_id).bind(email).bind(ms(at)).bind(ms(expires_at)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The customer a session belongs to and the address it was proven for, while it lasts.
pub async fn customer_of_session(ex: Exec<'_>, token_hash: &str, at: Timestamp) -> StoreResult<Option<(Id, String)>> {
    Ok(exec!(ex, e => sqlx::query_as(
        "SELECT customer_id, email FROM customer_sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_hash).bind(ms(at)).fetch_optional(e).await)?)
}

pub async fn delete_customer_session(ex: Exec<'_>, token_hash: &str) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("DELETE FROM customer_sessions WHERE token_hash = $1")
        .bind(token_hash).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets expired sessions (run by the scheduler now and then).
pub async fn purge_expired_customer_sessions(ex: Exec<'_>, at: Timestamp) -> StoreResult<u64> {
    Ok(exec!(ex, e => sqlx::query("DELETE FROM customer_sessions WHERE expires_at <= $1")
        .bind(ms(at)).execute(e).await.map(|r| r.rows_affected()))?)
}

/// Forgets expired sign-in links, used or not.
pub async fn purge_expired_sign_in_links(ex: Exec<'_>, at: Timestamp) -> StoreResult<u64> {
    Ok(
        exec!(ex, e => sqlx::query("DELETE FROM customer_sign_in_links WHERE expires_at <= $1")
        .bind(ms(at)).execute(e).await.map(|r| r.rows_affected()))?,
    )
}
