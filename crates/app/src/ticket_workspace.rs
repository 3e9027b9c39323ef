//! Everything the agent's ticket page shows, read in one go: the ticket is read and its
//! visibility checked once, then its messages, events, promises, relations and customer
//! are read side by side, and the department's lists come from the node's cache. (Asked
//! one use case at a time, the page read the ticket five times and made fourteen round
//! trips to the store.)

use crate::error::AppResult;
use crate::policies::TicketSla;
use crate::relations::{Relations, relations_of};
use crate::tickets::{ListTickets, TicketDetail, load_visible};
use crate::{Actor, App};
use kefu_domain::category::Category;
use kefu_domain::custom_field::CustomField;
use kefu_domain::entities::{Agent, Customer, Id, Team, Ticket, TicketNumber};
use kefu_domain::event::TicketEvent;
use kefu_domain::service::{Commitment, Macro};
use kefu_store::commitments::commitments_of_ticket;
use kefu_store::timeline::events_of;
use std::collections::HashMap;
use std::sync::Arc;

/// How many of the customer's latest tickets the sidebar lists (this one among them).
const HISTORY: usize = 6;

pub struct TicketWorkspace {
    pub detail: TicketDetail,
    pub events: Vec<TicketEvent>,
    pub sla: TicketSla,
    pub commitments: Vec<Commitment>,
    pub relations: Relations,
    pub customer: Customer,
    /// The customer's latest tickets the reader may see, newest first.
    pub history: Vec<Ticket>,
    /// Latest satisfaction score (0-100) of the history's tickets, and whether it was low.
    pub history_scores: HashMap<Id, (f64, bool)>,
    /// Open promises to the customer on tickets the reader may see, soonest due first.
    pub promised: Vec<Commitment>,
    pub agents: Arc<Vec<Agent>>,
    pub teams: Arc<Vec<Team>>,
    pub macros: Arc<Vec<Macro>>,
    pub categories: Arc<Vec<Category>>,
    pub custom_fields: Arc<Vec<CustomField>>,
}

impl App {
    /// The ticket page's contents; `not found` when the actor may not see the ticket.
    pub async fn ticket_workspace(&self, actor: &Actor, number: TicketNumber) -> AppResult<TicketWorkspace> {
        let ticket = load_visible(self.db().read(), actor, number).await?;
        let (id, customer_id) = (ticket.id, ticket.customer_id);
        let sla = self.sla_of(&ticket);
        let history = async {
            let listed = ListTickets {
                customer: Some(customer_id.to_string()),
                limit: Some(HISTORY.to_string()),
                ..ListTickets::default()
            };
            let history = self.list_tickets(actor, listed).await?.items;
            let scores = self.ticket_scores(actor, &history).await?;
            AppResult::Ok((history, scores))
        };
        let (
            detail,
            events,
            commitments,
            relations,
            customer,
            (history, history_scores),
            promised,
            agents,
            teams,
            macros,
            categories,
            custom_fields,
        ) = tokio::try_join!(
            self.detail_of(ticket),
            async { Ok(events_of(self.db().read(), id, number).await?) },
            async { Ok(commitments_of_ticket(self.db().read(), id).await?) },
            relations_of(self.db().read(), actor, id),
            self.customer(actor, customer_id),
            history,
            self.customer_open_commitments(actor, customer_id),
            self.agents(actor),
            self.teams(actor),
            self.macros(actor),
            self.categories(actor),
            self.custom_fields(actor),
        )?;
        Ok(TicketWorkspace {
            detail,
            events,
            sla,
            commitments,
            relations,
            customer,
            history,
            history_scores,
            promised,
            agents,
            teams,
            macros,
            categories,
            custom_fields,
        })
    }
}
