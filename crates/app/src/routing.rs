//! Routing: who works on a ticket. Keeps each agent's count of open assigned tickets (the
//! load routing decides by) in step with every command that changes an assignment or
//! finishes a ticket.

use crate::error::AppResult;
use kefu_domain::entities::Ticket;
use kefu_store::{Tx, people};

/// Moves load between agents when a command changed who holds `ticket` or whether it is
/// still open.
pub(crate) async fn adjust_load(tx: &mut Tx, before: &Ticket, after: &Ticket) -> AppResult<()> {
    let held_before = before.assignee_id.filter(|_| before.status.is_active());
    let held_after = after.assignee_id.filter(|_| after.status.is_active());
    if held_before != held_after {
        if let Some(agent) = held_before {
            people::adjust_open_tickets(tx.exec(), agent, -1).await?;
        }
        if let Some(agent) = held_after {
            people::adjust_open_tickets(tx.exec(), agent, 1).await?;
        }
    }
    Ok(())
}
