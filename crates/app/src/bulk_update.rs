//! Changing many tickets at once (assignee, status, priority, tags) from a list view. Each
//! ticket is its own command and transaction, through the same rules as a change made on
//! the ticket page (visibility, status transitions, SLA clocks, events, automation), so
//! one ticket that may not change does not stop the others; the report says which
//! changed, which were already so, and why each refusal happened.

use crate::error::{AppError, AppResult};
use crate::tickets::{UpdateTicket, apply_assign, apply_update, parse_update};
use crate::{Actor, App};
use kefu_domain::entities::{Id, TicketNumber};
use kefu_domain::text::parse_tags;
use kefu_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Deserializer, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use utoipa::ToSchema;

/// The most tickets one bulk change may name.
pub const MAX_BULK_TICKETS: usize = 100;

/// What to change on every ticket named; fields left out stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BulkUpdate {
    /// The tickets to change (1–100 numbers).
    pub tickets: Option<Vec<TicketNumber>>,
    /// An agent's id, or `null` to unassign.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub assignee: Option<Option<Id>>,
    pub status: Option<String>,
    pub priority: Option<String>,
    /// Tags added to each ticket's own.
    pub add_tags: Option<Vec<String>>,
    /// Tags taken off.
    pub remove_tags: Option<Vec<String>>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// What a bulk change did, ticket by ticket.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct BulkReport {
    /// Tickets the change was written to.
    pub changed: Vec<TicketNumber>,
    /// Tickets that were already so (nothing written).
    pub unchanged: Vec<TicketNumber>,
    /// Tickets refused, each with the reason's code and text; nothing written to them.
    pub failed: Vec<BulkFailure>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkFailure {
    pub number: TicketNumber,
    pub code: &'static str,
    pub message: String,
}

/// The change, parsed once for all tickets.
struct ParsedBulk {
    tickets: Vec<TicketNumber>,
    assignee: Option<Option<Id>>,
    status: Option<String>,
    priority: Option<String>,
    add_tags: Vec<String>,
    remove_tags: Vec<String>,
}

fn parse(input: BulkUpdate) -> AppResult<ParsedBulk> {
    let mut errors = FieldErrors::default();
    let mut tickets = input.tickets.unwrap_or_default();
    tickets.sort_unstable();
    tickets.dedup();
    if tickets.is_empty() || tickets.len() > MAX_BULK_TICKETS {
        errors.push(FieldError::new(
            "tickets",
            "out_of_range",
            format!("name 1 to {MAX_BULK_TICKETS} tickets"),
        ));
    }
    let tags = |field: &str, values: Option<Vec<String>>, errors: &mut FieldErrors| {
        errors
            .take(parse_tags(field, &values.unwrap_or_default()))
            .unwrap_or_default()
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    let add_tags = tags("add_tags", input.add_tags, &mut errors);
    let remove_tags = tags("remove_tags", input.remove_tags, &mut errors);
    // Status and priority are checked by the ticket update's own parser.
    if let Err(AppError::Invalid(invalid)) = parse_update(UpdateTicket {
        status: input.status.clone(),
        priority: input.priority.clone(),
        ..UpdateTicket::default()
    }) {
        errors.0.extend(invalid.0);
    }
    let nothing =
        input.assignee.is_none() && input.status.is_none() && input.priority.is_none() && add_tags.is_empty() && remove_tags.is_empty();
    if nothing {
        errors.push(FieldError::new(
            "assignee",
            "nothing_to_change",
            "name something to change: assignee, status, priority or tags",
        ));
    }
    errors.into_result()?;
    Ok(ParsedBulk {
        tickets,
        assignee: input.assignee,
        status: input.status,
        priority: input.priority,
        add_tags,
        remove_tags,
    })
}

impl App {
    /// Applies one change to many tickets, each in its own transaction.
    pub async fn bulk_update(&self, actor: &Actor, input: BulkUpdate) -> AppResult<BulkReport> {
        let bulk = parse(input)?;
        let mut report = BulkReport::default();
        for number in bulk.tickets.iter().copied() {
            let changed = Arc::new(AtomicBool::new(false));
            let flag = changed.clone();
            let acting = actor.clone();
            let assignee = bulk.assignee;
            let (add, remove) = (bulk.add_tags.clone(), bulk.remove_tags.clone());
            let update = parse_update(UpdateTicket {
                status: bulk.status.clone(),
                priority: bulk.priority.clone(),
                ..UpdateTicket::default()
            })?;
            let result = self
                .change(actor, number, move |tx, ticket, at| {
                    Box::pin(async move {
                        let mut events = Vec::new();
                        let mut ticket = ticket;
                        if let Some(agent) = assignee {
                            let (assigned, more) = apply_assign(tx, &acting, ticket, agent, at).await?;
                            ticket = assigned;
                            events.extend(more);
                        }
                        let mut tags = ticket.tags.clone();
                        tags.retain(|t| !remove.contains(t));
                        tags.extend(add);
                        // The ticket's own tag rules (limit, order) decide the result.
                        let tags: Vec<String> = parse_tags("add_tags", &tags)
                            .map_err(|e| AppError::Invalid(FieldErrors(vec![e])))?
                            .iter()
                            .map(|t| t.as_str().to_owned())
                            .collect();
                        let mut update = update;
                        if tags != ticket.tags {
                            update.tags = Some(tags);
                        }
                        let (ticket, more) = apply_update(tx, acting, ticket, update, at).await?;
                        events.extend(more);
                        flag.store(!events.is_empty(), Ordering::Relaxed);
                        Ok((ticket, events))
                    })
                })
                .await;
            match result {
                Ok(_) if changed.load(Ordering::Relaxed) => report.changed.push(number),
                Ok(_) => report.unchanged.push(number),
                Err(error @ (AppError::Unavailable(_) | AppError::Internal(_))) => {
                    // The tickets before this one are changed: report them, and stop here.
                    tracing::error!(%error, number, "bulk change stopped");
                    report.failed.push(BulkFailure {
                        number,
                        code: error.code(),
                        message: "the database did not answer; this and the remaining tickets were not changed".into(),
                    });
                    break;
                }
                Err(error) => report.failed.push(BulkFailure {
                    number,
                    code: error.code(),
                    message: match &error {
                        AppError::Invalid(errors) => errors.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
                        other => other.to_string(),
                    },
                }),
            }
        }
        Ok(report)
    }
}
