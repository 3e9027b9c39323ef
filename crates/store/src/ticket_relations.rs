//! Merged tickets (`ticket_merges`) and related tickets (`ticket_links`, one row per
//! direction).

use crate::backend::{Exec, exec};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::{Id, TicketNumber};

pub async fn insert_merge(ex: Exec<'_>, source_id: Id, target_id: Id, by: Id, at: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO ticket_merges (source_id, target_id, merged_by, merged_at) VALUES ($1, $2, $3, $4)")
        .bind(source_id).bind(target_id).bind(by).bind(ms(at)).execute(e).await.map(|_| ()))?;
    Ok(())
}

/// The ticket `source_id` was merged into (id and number), if it was.
pub async fn merged_into(ex: Exec<'_>, source_id: Id) -> StoreResult<Option<(Id, TicketNumber)>> {
    let row: Option<(i64, i64)> = exec!(ex, e => sqlx::query_as(
        "SELECT t.id, t.number FROM ticket_merges m JOIN tickets t ON t.id = m.target_id WHERE m.source_id = $1")
        .bind(source_id).fetch_optional(e).await)?;
    Ok(row)
}

/// The numbers of the tickets merged into `target_id`, oldest merge first.
pub async fn merged_from(ex: Exec<'_>, target_id: Id) -> StoreResult<Vec<TicketNumber>> {
    let numbers: Vec<i64> = exec!(ex, e => sqlx::query_scalar(
        "SELECT t.number FROM ticket_merges m JOIN tickets t ON t.id = m.source_id WHERE m.target_id = $1 ORDER BY m.merged_at, t.number")
        .bind(target_id).fetch_all(e).await)?;
    Ok(numbers)
}

/// Links two tickets both ways; `false` if they already were.
pub async fn link(mut ex: Exec<'_>, a: Id, b: Id, by: Id, at: Timestamp) -> StoreResult<bool> {
    let mut added = 0;
    for (from, to) in [(a, b), (b, a)] {
        added += exec!(ex.reborrow(), e => sqlx::query(
            "INSERT INTO ticket_links (ticket_id, linked_id, created_by, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (ticket_id, linked_id) DO NOTHING")
            .bind(from).bind(to).bind(by).bind(ms(at)).execute(e).await.map(|r| r.rows_affected()))?;
    }
    Ok(added > 0)
}

/// Unlinks two tickets both ways; `false` if they were not linked.
pub async fn unlink(ex: Exec<'_>, a: Id, b: Id) -> StoreResult<bool> {
    let removed = exec!(ex, e => sqlx::query(
        "DELETE FROM ticket_links WHERE (ticket_id = $1 AND linked_id = $2) OR (ticket_id = $2 AND linked_id = $1)")
        .bind(a).bind(b).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(removed > 0)
}

/// The ids of the tickets linked to `ticket_id`.
pub async fn linked_ids(ex: Exec<'_>, ticket_id: Id) -> StoreResult<Vec<Id>> {
    let ids: Vec<i64> = exec!(ex, e => sqlx::query_scalar(
        "SELECT linked_id FROM ticket_links WHERE ticket_id = $1 ORDER BY linked_id")
        .bind(ticket_id).fetch_all(e).await)?;
    Ok(ids)
}

/// Copies the attachment descriptions of one ticket onto another's message (the bytes
/// are shared: they are stored once per hash). Returns how many were copied.
pub async fn copy_attachments(ex: Exec<'_>, from_ticket: Id, to_ticket: Id, to_message: Id, at: Timestamp) -> StoreResult<u64> {
    let copied = exec!(ex, e => sqlx::query(
        "INSERT INTO attachments (ticket_id, message_id, file_name, content_type, size, sha256, author_kind, author_id, created_at) \
         SELECT $2, $3, file_name, content_type, size, sha256, author_kind, author_id, $4 FROM attachments WHERE ticket_id = $1 ORDER BY id")
        .bind(from_ticket).bind(to_ticket).bind(to_message).bind(ms(at)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(copied)
}
