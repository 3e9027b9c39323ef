//! Attachments: files are checked (type from their bytes, sizes, names) before anything
//! is written, stored in the transaction of the message or request they came with, and
//! given back only to someone who may see that message: agents who may see the ticket
//! (internal notes included), the customer through the request's tracking link (never a
//! note's files).

use crate::error::{AppError, AppResult};
use crate::tickets::load_visible;
use crate::{Actor, App};
use jiff::Timestamp;
use kefu_domain::FieldErrors;
use kefu_domain::attachment::{self, AttachmentInfo, CheckedFile, Upload};
use kefu_domain::entities::{ActorRef, Id, TicketNumber};
use kefu_store::Tx;
use kefu_store::attachments::{NewAttachment, attachment_with_bytes, insert_attachments};
use sha2::{Digest, Sha256};

/// Files that passed the checks, hashed, ready to be written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Files(Vec<(CheckedFile, String)>);

impl Files {
    /// Checks the uploads (all or none); the errors name each refused file.
    pub(crate) fn check(uploads: Vec<Upload>) -> Result<Files, FieldErrors> {
        if uploads.is_empty() {
            return Ok(Files::default());
        }
        let checked = attachment::check(uploads)?;
        Ok(Files(
            checked
                .into_iter()
                .map(|file| {
                    let hash = hex::encode(Sha256::digest(&file.bytes));
                    (file, hash)
                })
                .collect(),
        ))
    }

    /// The one file checked, with its hash, if exactly one was.
    pub(crate) fn single(&self) -> Option<(&CheckedFile, &str)> {
        match self.0.as_slice() {
            [(file, sha256)] => Some((file, sha256.as_str())),
            _ => None,
        }
    }

    /// Writes the files for `ticket_id` (and the message they came with).
    pub(crate) async fn store(
        &self,
        tx: &mut Tx,
        ticket_id: Id,
        message_id: Option<Id>,
        author: ActorRef,
        at: Timestamp,
    ) -> AppResult<Vec<AttachmentInfo>> {
        if self.0.is_empty() {
            return Ok(Vec::new());
        }
        let new: Vec<NewAttachment<'_>> = self
            .0
            .iter()
            .map(|(file, sha256)| NewAttachment {
                file_name: &file.file_name,
                content_type: file.content_type,
                sha256,
                bytes: &file.bytes,
            })
            .collect();
        Ok(insert_attachments(tx.exec(), ticket_id, message_id, author, &new, at).await?)
    }
}

/// An attachment with its bytes, to send back.
#[derive(Debug, Clone)]
pub struct AttachmentFile {
    pub info: AttachmentInfo,
    pub bytes: Vec<u8>,
}

fn not_found() -> AppError {
    AppError::NotFound {
        what: "attachment",
        code: "attachment_not_found",
    }
}

/// Field errors for uploads the web layer could not read at all (a broken form).
pub fn unreadable_upload(why: &str) -> AppError {
    AppError::Invalid(FieldErrors(vec![kefu_domain::FieldError::new(
        "attachments",
        "unreadable_upload",
        format!("the files could not be read: {why}"),
    )]))
}

impl App {
    /// An attachment of a ticket the agent may see (internal notes' files included).
    pub async fn ticket_attachment(&self, actor: &Actor, number: TicketNumber, id: Id) -> AppResult<AttachmentFile> {
        let ticket = load_visible(self.db().read(), actor, number).await?;
        let (info, bytes) = attachment_with_bytes(self.db().read(), ticket.id, id, true)
            .await?
            .ok_or_else(not_found)?;
        Ok(AttachmentFile { info, bytes })
    }

    /// An attachment of the request a tracking link opens (never an internal note's).
    pub async fn portal_attachment(&self, token: &str, id: Id) -> AppResult<AttachmentFile> {
        let ticket = self.ticket_of_link(token).await?;
        let (info, bytes) = attachment_with_bytes(self.db().read(), ticket.id, id, false)
            .await?
            .ok_or_else(not_found)?;
        Ok(AttachmentFile { info, bytes })
    }
}
