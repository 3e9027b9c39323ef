//! Attachments: their descriptions (`attachments`) and their bytes, stored once per
//! SHA-256 (`attachment_contents`).

use crate::backend::{Exec, exec};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::attachment::AttachmentInfo;
use kefu_domain::entities::{ActorRef, Id};

/// A checked file ready to be written, with the hash of its bytes.
pub struct NewAttachment<'a> {
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: i64,
    message_id: Option<i64>,
    file_name: String,
    content_type: String,
    size: i64,
}

impl From<AttachmentRow> for AttachmentInfo {
    fn from(row: AttachmentRow) -> Self {
        AttachmentInfo {
            id: row.id,
            message_id: row.message_id,
            file_name: row.file_name,
            content_type: row.content_type,
            size: u64::try_from(row.size).unwrap_or_default(),
        }
    }
}

const COLUMNS: &str = "a.id, a.message_id, a.file_name, a.content_type, a.size";

/// Writes `files` for a ticket (and the message they came with, if any); returns them in
/// the order given.
pub async fn insert_attachments(
    mut ex: Exec<'_>,
    ticket_id: Id,
    message_id: Option<Id>,
    author: ActorRef,
    files: &[NewAttachment<'_>],
    now: Timestamp,
) -> StoreResult<Vec<AttachmentInfo>> {
    let mut stored = Vec::with_capacity(files.len());
    for file in files {
        exec!(ex.reborrow(), e => sqlx::query(
            "INSERT INTO attachment_contents (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING")
            .bind(file.sha256).bind(file.bytes).execute(e).await.map(|_| ()))?;
        let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
        let id: i64 = exec!(ex.reborrow(), e => sqlx::query_scalar(
            "INSERT INTO attachments (ticket_id, message_id, file_name, content_type, size, sha256, author_kind, author_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(ticket_id).bind(message_id).bind(file.file_name).bind(file.content_type).bind(size)
            .bind(file.sha256).bind(author.kind.as_str()).bind(author.id).bind(ms(now))
            .fetch_one(e).await)?;
        stored.push(AttachmentInfo {
            id,
            message_id,
            file_name: file.file_name.to_owned(),
            content_type: file.content_type.to_owned(),
            size: file.bytes.len() as u64,
        });
    }
    Ok(stored)
}

/// A ticket's attachments, oldest first; those of internal notes only when `with_notes`.
pub async fn attachments_of(ex: Exec<'_>, ticket_id: Id, with_notes: bool) -> StoreResult<Vec<AttachmentInfo>> {
    let rows: Vec<AttachmentRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM attachments a LEFT JOIN messages m ON m.id = a.message_id \
         WHERE a.ticket_id = $1 AND (m.kind IS NULL OR m.kind <> 'note' OR $2) ORDER BY a.id")))
        .bind(ticket_id).bind(with_notes).fetch_all(e).await)?;
    Ok(rows.into_iter().map(AttachmentInfo::from).collect())
}

/// One attachment of a ticket with its bytes; `None` if the ticket has no such attachment
/// or (without `with_notes`) it belongs to an internal note.
pub async fn attachment_with_bytes(
    ex: Exec<'_>,
    ticket_id: Id,
    id: Id,
    with_notes: bool,
) -> StoreResult<Option<(AttachmentInfo, Vec<u8>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        info: AttachmentRow,
        bytes: Vec<u8>,
    }
    let row: Option<Row> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, c.bytes FROM attachments a \
         JOIN attachment_contents c ON c.sha256 = a.sha256 \
         LEFT JOIN messages m ON m.id = a.message_id \
         WHERE a.ticket_id = $1 AND a.id = $2 AND (m.kind IS NULL OR m.kind <> 'note' OR $3)")))
        .bind(ticket_id).bind(id).bind(with_notes).fetch_optional(e).await)?;
    Ok(row.map(|row| (row.info.into(), row.bytes)))
}
