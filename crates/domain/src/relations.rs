//! Tickets about the same thing: merging a duplicate into the ticket that carries on, and
//! linking related tickets (the same outage reported by two customers, a complaint and
//! the repair it caused).
//!
//! A merge closes the duplicate and copies what it holds (its request, messages and
//! files) into an internal note on the ticket that carries on, so the agent has the whole
//! story in one place; the customer's later messages on the duplicate go there too. Only
//! tickets of the same customer merge: the copy must never show one customer's words on
//! another's ticket.

use crate::entities::{Message, Ticket, TicketNumber};
use crate::enums::MessageKind;
use crate::status::Status;
use serde::Serialize;

/// A ticket linked to another, as the other's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedTicket {
    pub number: TicketNumber,
    pub subject: String,
    pub status: Status,
}

/// Why two tickets cannot be merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRefusal {
    /// A ticket cannot be merged into itself.
    SameTicket,
    /// The duplicate is already closed (perhaps merged before).
    SourceClosed,
    /// The ticket that would carry on is closed: nothing would carry on.
    TargetClosed,
    /// The two tickets belong to different customers.
    DifferentCustomers,
}

impl MergeRefusal {
    pub fn code(self) -> &'static str {
        match self {
            MergeRefusal::SameTicket => "same_ticket",
            MergeRefusal::SourceClosed => "ticket_closed",
            MergeRefusal::TargetClosed => "target_closed",
            MergeRefusal::DifferentCustomers => "different_customers",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            MergeRefusal::SameTicket => "a ticket cannot be merged into itself",
            MergeRefusal::SourceClosed => "this ticket is closed; only open work can be merged",
            MergeRefusal::TargetClosed => "the ticket to merge into is closed",
            MergeRefusal::DifferentCustomers => "only tickets of the same customer can be merged",
        }
    }
}

/// Whether `source` may be merged into `target`.
pub fn check_merge(source: &Ticket, target: &Ticket) -> Result<(), MergeRefusal> {
    if source.id == target.id {
        Err(MergeRefusal::SameTicket)
    } else if source.status == Status::Closed {
        Err(MergeRefusal::SourceClosed)
    } else if target.status == Status::Closed {
        Err(MergeRefusal::TargetClosed)
    } else if source.customer_id != target.customer_id {
        Err(MergeRefusal::DifferentCustomers)
    } else {
        Ok(())
    }
}

/// The internal note that carries a merged ticket's content over: its subject, request
/// and every message (notes marked as such) in order, quoted, with when each was written.
pub fn merge_note(source: &Ticket, messages: &[Message]) -> String {
    let mut note = format!(
        "合并自 #{n} / Merged from #{n}: {subject}\n\n{}",
        quote(&source.description),
        n = source.number,
        subject = source.subject,
    );
    for message in messages {
        let label = match message.kind {
            MessageKind::Customer => "客户 Customer",
            MessageKind::Reply => "回复 Reply",
            MessageKind::Note => "内部备注 Internal note",
            MessageKind::System => "系统 System",
            MessageKind::Bot => "机器人 Bot",
        };
        note.push_str(&format!("\n\n**{label}** · {}\n\n{}", message.created_at, quote(&message.body)));
    }
    note
}

/// Markdown quotation of `text`, line by line (an empty text stays visible as "—").
fn quote(text: &str) -> String {
    if text.trim().is_empty() {
        return "> —".into();
    }
    text.lines().map(|line| format!("> {line}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::ActorRef;

    fn ticket(id: i64, customer: i64, status: Status) -> Ticket {
        let mut t = crate::entities::tests_support::ticket();
        t.id = id;
        t.number = crate::entities::FIRST_TICKET_NUMBER + id - 1;
        t.customer_id = customer;
        t.status = status;
        t
    }

    #[test]
    fn only_open_work_of_one_customer_merges_into_an_open_ticket() {
        let open = |id, customer| ticket(id, customer, Status::Open);
        assert_eq!(check_merge(&open(1, 7), &open(2, 7)), Ok(()));
        assert_eq!(check_merge(&ticket(1, 7, Status::Resolved), &open(2, 7)), Ok(()));
        assert_eq!(check_merge(&open(1, 7), &open(1, 7)), Err(MergeRefusal::SameTicket));
        assert_eq!(
            check_merge(&ticket(1, 7, Status::Closed), &open(2, 7)),
            Err(MergeRefusal::SourceClosed)
        );
        assert_eq!(
            check_merge(&open(1, 7), &ticket(2, 7, Status::Closed)),
            Err(MergeRefusal::TargetClosed)
        );
        assert_eq!(check_merge(&open(1, 7), &open(2, 8)), Err(MergeRefusal::DifferentCustomers));
    }

    #[test]
    fn the_note_quotes_the_request_and_every_message_in_order() {
        let mut source = ticket(1, 7, Status::Open);
        source.subject = "打印机卡纸".into();
        source.description = "第一行\nsecond line".into();
        let at = "2026-11-25T08:00:00Z".parse().unwrap();
        let message = |kind, body: &str| Message {
            id: 1,
            kind,
            author_kind: crate::enums::ActorKind::Agent,
            author_id: ActorRef::agent(3).id,
            body: body.into(),
            created_at: at,
            attachments: Vec::new(),
        };
        let note = merge_note(&source, &[message(MessageKind::Customer, "还是卡"), message(MessageKind::Note, "")]);
        assert_eq!(
            note,
            "合并自 #1001 / Merged from #1001: 打印机卡纸\n\n> 第一行\n> second line\
             \n\n**客户 Customer** · 2026-11-25T08:00:00Z\n\n> 还是卡\
             \n\n**内部备注 Internal note** · 2026-11-25T08:00:00Z\n\n> —"
        );
    }
}
