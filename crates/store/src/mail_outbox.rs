//! Mail waiting to go out. Queued in the transaction of what it tells; the sender leases
//! due mail (so two nodes never send the same one at once), then marks each sent, or
//! failed for now with the next attempt's time, or given up.

use crate::backend::{Exec, exec, exec_built};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::Id;
use sea_query::Query;

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxMail {
    pub id: Id,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
}

/// A mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub async fn queue_mail(ex: Exec<'_>, to: &str, subject: &str, body: &str, at: Timestamp) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO mail_outbox (to_address, subject, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4) RETURNING id")
        .bind(to).bind(subject).bind(body).bind(ms(at)).fetch_one(e).await)?;
    Ok(id)
}

/// Queues many mails, all due at `at`, in one statement.
pub async fn queue_mails(ex: Exec<'_>, mails: &[NewMail], at: Timestamp) -> StoreResult<()> {
    if mails.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert
        .into_table("mail_outbox")
        .columns(["to_address", "subject", "body", "created_at", "next_attempt_at"]);
    for mail in mails {
        insert.values_panic([
            mail.to.as_str().into(),
            mail.subject.as_str().into(),
            mail.body.as_str().into(),
            ms(at).into(),
            ms(at).into(),
        ]);
    }
    exec_built!(ex, insert, |e, sql, values| sqlx::query_with(sql, values)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Leases up to `limit` mails due at `now` until `lease_until`, counting the attempt. The
/// lease conditions are repeated outside the sub-select so that on PostgreSQL a second
/// node, which waited for the first one's row locks, re-checks them and skips the rows.
pub async fn lease_due_mail(ex: Exec<'_>, now: Timestamp, lease_until: Timestamp, limit: i64) -> StoreResult<Vec<OutboxMail>> {
    Ok(exec!(ex, e => sqlx::query_as::<_, OutboxMail>(
        "UPDATE mail_outbox SET lease_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                      AND (lease_until IS NULL OR lease_until < $1) ORDER BY next_attempt_at, id LIMIT $3) \
           AND sent_at IS NULL AND failed_at IS NULL AND (lease_until IS NULL OR lease_until < $1) \
         RETURNING id, to_address, subject, body, attempts")
        .bind(ms(now)).bind(ms(lease_until)).bind(limit).fetch_all(e).await)?)
}

pub async fn mark_mail_sent(ex: Exec<'_>, id: Id, at: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("UPDATE mail_outbox SET sent_at = $2, lease_until = NULL, last_error = NULL WHERE id = $1")
        .bind(id).bind(ms(at)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A failed attempt: tried again at `retry_at`, or given up when `retry_at` is `None`.
pub async fn mark_mail_failed(ex: Exec<'_>, id: Id, error: &str, retry_at: Option<Timestamp>, at: Timestamp) -> StoreResult<()> {
    match retry_at {
        Some(retry_at) => exec!(ex, e => sqlx::query(
            "UPDATE mail_outbox SET last_error = $2, next_attempt_at = $3, lease_until = NULL WHERE id = $1")
            .bind(id).bind(error).bind(ms(retry_at)).execute(e).await.map(|r| r.rows_affected()))?,
        None => exec!(ex, e => sqlx::query(
            "UPDATE mail_outbox SET last_error = $2, failed_at = $3, lease_until = NULL WHERE id = $1")
            .bind(id).bind(error).bind(ms(at)).execute(e).await.map(|r| r.rows_affected()))?,
    };
    Ok(())
}

/// Gives back leased mails that were not tried (the sender is stopping): due again at
/// once for any sender, the attempt not counted.
pub async fn release_mail(mut ex: Exec<'_>, ids: &[Id]) -> StoreResult<()> {
    for id in ids {
        exec!(ex.reborrow(), e => sqlx::query(
            "UPDATE mail_outbox SET lease_until = NULL, attempts = attempts - 1 WHERE id = $1 AND sent_at IS NULL")
            .bind(id).execute(e).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// How many mails wait to be sent (sent and given-up ones not counted).
pub async fn pending_mail(ex: Exec<'_>) -> StoreResult<i64> {
    Ok(
        exec!(ex, e => sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL")
        .fetch_one(e).await)?,
    )
}
