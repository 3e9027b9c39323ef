//! Merging a duplicate ticket into the one that carries on, and linking related tickets.
//! The rules are in `kefu_domain::relations`; here they are applied in one transaction
//! with their events on both tickets.

use crate::error::{AppError, AppResult};
use crate::tickets::{load_visible, save};
use crate::{Actor, App, now};
use kefu_domain::entities::{ActorRef, Id, Ticket, TicketNumber};
use kefu_domain::enums::MessageKind;
use kefu_domain::event::{EventKind, NewEvent};
use kefu_domain::relations::{LinkedTicket, check_merge, merge_note};
use kefu_domain::status::Status;
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::Exec;
use kefu_store::ticket_relations::{copy_attachments, insert_merge, link, linked_ids, merged_from, merged_into, unlink};
use kefu_store::tickets::tickets_by_ids;
use kefu_store::timeline::{insert_message, messages_of};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// Which ticket to merge into, or to link or unlink.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OtherTicket {
    /// The other ticket's number.
    pub ticket: Option<TicketNumber>,
}

/// The result of a merge: the closed duplicate and the ticket that carries on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Merged {
    pub source: Ticket,
    pub target: Ticket,
}

/// How a ticket relates to others, for its page.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Relations {
    /// The ticket this one was merged into.
    pub merged_into: Option<TicketNumber>,
    /// Tickets merged into this one.
    pub merged_from: Vec<TicketNumber>,
    /// Related tickets.
    pub linked: Vec<LinkedTicket>,
}

fn other_number(input: &OtherTicket) -> AppResult<TicketNumber> {
    input.ticket.ok_or_else(|| {
        AppError::Invalid(FieldErrors(vec![FieldError::new(
            "ticket",
            "required",
            "the other ticket's number",
        )]))
    })
}

/// The ticket a customer's message on `ticket` belongs to: the ticket it was merged into
/// (following merges of merges), or itself.
pub(crate) async fn carrying_on(mut ex: Exec<'_>, ticket: Ticket) -> AppResult<Ticket> {
    let mut current = ticket;
    // Each merge closes its source, so a chain cannot loop; the bound is a safeguard.
    for _ in 0..16 {
        match merged_into(ex.reborrow(), current.id).await? {
            Some((target, _)) => {
                current = kefu_store::tickets::ticket_by_id(ex.reborrow(), target)
                    .await?
                    .ok_or_else(AppError::ticket_not_found)?;
            }
            None => break,
        }
    }
    Ok(current)
}

/// The tickets related to `ticket_id`; linked tickets only those `actor` may see (a
/// link made by someone else must not show another team's subject).
pub(crate) async fn relations_of(mut ex: Exec<'_>, actor: &Actor, ticket_id: Id) -> AppResult<Relations> {
    let linked_ids = linked_ids(ex.reborrow(), ticket_id).await?;
    let mut linked: Vec<LinkedTicket> = tickets_by_ids(ex.reborrow(), &linked_ids)
        .await?
        .into_iter()
        .filter(|t| actor.can_see(t))
        .map(|t| LinkedTicket {
            number: t.number,
            subject: t.subject,
            status: t.status,
        })
        .collect();
    linked.sort_by_key(|t| t.number);
    Ok(Relations {
        merged_into: merged_into(ex.reborrow(), ticket_id).await?.map(|(_, number)| number),
        merged_from: merged_from(ex, ticket_id).await?,
        linked,
    })
}

impl App {
    /// Merges ticket `number` (a duplicate) into `input.ticket`: the duplicate's request,
    /// messages and files are copied into an internal note on the target, the duplicate is
    /// closed, and both record the merge. Refused, writing nothing, for the same ticket,
    /// a closed one on either side, or tickets of different customers.
    pub async fn merge_ticket(&self, actor: &Actor, number: TicketNumber, input: OtherTicket) -> AppResult<Merged> {
        let into = other_number(&input)?;
        let actor = actor.clone();
        let engine = self.engine();
        let (merged, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let source = load_visible(tx.exec(), &actor, number).await?;
                    let target = load_visible(tx.exec(), &actor, into).await?;
                    check_merge(&source, &target).map_err(|refusal| AppError::Conflict {
                        code: refusal.code(),
                        message: refusal.message().into(),
                    })?;
                    let who = ActorRef::agent(actor.id);

                    let messages = messages_of(tx.exec(), source.id, true).await?;
                    let note = insert_message(tx.exec(), target.id, MessageKind::Note, who, &merge_note(&source, &messages), at).await?;
                    copy_attachments(tx.exec(), source.id, target.id, note.id, at).await?;
                    let target_events = vec![
                        NewEvent::new(EventKind::MessageAdded, who, json!({ "message_id": note.id, "kind": "note" })),
                        NewEvent::new(EventKind::MergedFrom, who, json!({ "ticket": source.number })),
                    ];
                    let mut target_after = target.clone();
                    let mut events = save(tx, &engine, &target, &mut target_after, target_events, at).await?;

                    let source_events = vec![
                        NewEvent::new(EventKind::MergedInto, who, json!({ "ticket": target.number })),
                        NewEvent::change(EventKind::StatusChanged, who, source.status, Status::Closed),
                    ];
                    let mut source_after = source.clone();
                    source_after.status = Status::Closed;
                    events.extend(save(tx, &engine, &source, &mut source_after, source_events, at).await?);
                    insert_merge(tx.exec(), source.id, target.id, actor.id, at).await?;
                    Ok::<_, AppError>((
                        (
                            source,
                            Merged {
                                source: source_after,
                                target: target_after,
                            },
                        ),
                        events,
                    ))
                })
            })
            .await?;
        let (before, merged) = merged;
        self.publish(events);
        // The duplicate left its queue (or its agent's load).
        self.routing_kicks(Some(&before), &merged.source);
        Ok(merged)
    }

    /// Links two tickets as related (both record it); linking twice changes nothing.
    pub async fn link_tickets(&self, actor: &Actor, number: TicketNumber, input: OtherTicket) -> AppResult<Relations> {
        self.change_link(actor, number, input, true).await
    }

    /// Removes the link between two tickets (both record it).
    pub async fn unlink_tickets(&self, actor: &Actor, number: TicketNumber, input: OtherTicket) -> AppResult<Relations> {
        self.change_link(actor, number, input, false).await
    }

    async fn change_link(&self, actor: &Actor, number: TicketNumber, input: OtherTicket, linked: bool) -> AppResult<Relations> {
        let other = other_number(&input)?;
        if other == number {
            return Err(AppError::Invalid(FieldErrors(vec![FieldError::new(
                "ticket",
                "same_ticket",
                "a ticket cannot be linked to itself",
            )])));
        }
        let actor = actor.clone();
        let (relations, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let one = load_visible(tx.exec(), &actor, number).await?;
                    let two = load_visible(tx.exec(), &actor, other).await?;
                    let changed = if linked {
                        link(tx.exec(), one.id, two.id, actor.id, at).await?
                    } else {
                        unlink(tx.exec(), one.id, two.id).await?
                    };
                    let mut events = Vec::new();
                    if changed {
                        let kind = if linked { EventKind::Linked } else { EventKind::Unlinked };
                        let who = ActorRef::agent(actor.id);
                        for (ticket, with) in [(&one, &two), (&two, &one)] {
                            let event = NewEvent::new(kind, who, json!({ "ticket": with.number }));
                            events.extend(crate::tickets::record(tx, ticket, &[event], at).await?);
                        }
                    }
                    Ok::<_, AppError>((relations_of(tx.exec(), &actor, one.id).await?, events))
                })
            })
            .await?;
        self.publish(events);
        Ok(relations)
    }

    /// How a ticket the agent may see relates to others.
    pub async fn ticket_relations(&self, actor: &Actor, number: TicketNumber) -> AppResult<Relations> {
        let ticket = load_visible(self.db().read(), actor, number).await?;
        relations_of(self.db().read(), actor, ticket.id).await
    }
}
