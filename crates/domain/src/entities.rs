//! The records of the domain as the rest of Kefu sees them: what a ticket, customer,
//! agent, team, message and event *are*. Stores load into these; APIs render them.

use crate::contact::{Email, Phone};
use crate::enums::{ActorKind, Channel, CustomerTier, CustomerType, MessageKind, Presence, Priority, Role, TicketKind};
use crate::sla::SlaState;
use crate::status::Status;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

/// Internal row ids are plain i64; tickets also have a human [`TicketNumber`].
pub type Id = i64;

/// The number people use for a ticket (1001, 1002, ...) in URLs and mail subjects.
pub type TicketNumber = i64;

/// Ticket numbers start here, as people expect of a helpdesk.
pub const FIRST_TICKET_NUMBER: TicketNumber = 1001;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    pub id: Id,
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub organization: Option<String>,
    pub tier: CustomerTier,
    pub customer_type: Option<CustomerType>,
    /// Identifiers of this customer in other systems, e.g. `{"crm": "C-88"}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub external_ids: Map<String, Value>,
    pub tags: Vec<String>,
    /// When the customer consented to the use of their data; `None` if they have not.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub consent_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: Map<String, Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    pub id: Id,
    pub email: Email,
    pub name: String,
    pub role: Role,
    /// Ids of the teams the agent belongs to.
    pub teams: Vec<Id>,
    pub skills: Vec<String>,
    /// BCP 47 tags of the languages the agent serves in, e.g. `zh-CN`, `en`.
    pub languages: Vec<String>,
    pub presence: Presence,
    /// How many active tickets routing may give the agent at once.
    pub capacity: i64,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    pub id: Id,
    pub name: String,
    pub description: String,
    pub lead_agent_id: Option<Id>,
    pub members: Vec<Id>,
    /// How new work is handed to members: `manual` (agents pick from the queue),
    /// `round_robin` or `least_loaded`.
    pub routing: crate::routing::RoutingMode,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: Id,
    pub number: TicketNumber,
    pub subject: String,
    pub description: String,
    pub kind: TicketKind,
    pub channel: Channel,
    pub status: Status,
    pub priority: Priority,
    /// Code of the category in the category tree, e.g. `complaint.attitude.promise_not_kept`.
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub customer_id: Id,
    pub team_id: Option<Id>,
    pub assignee_id: Option<Id>,
    /// The first-contact owner (首问负责人): the first agent who took or answered the
    /// ticket. Stays across transfers; only a supervisor may change it.
    pub owner_id: Option<Id>,
    pub expected_resolution: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: Map<String, Value>,
    pub transfer_count: i64,
    /// Whether an agent has answered the customer publicly (needed to resolve).
    pub has_public_reply: bool,
    pub reopen_count: i64,
    /// The earlier ticket this one follows up, when a customer wrote after it was closed.
    pub follow_up_of: Option<TicketNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub first_reply_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolved_at: Option<Timestamp>,
    /// The language the customer needs to be served in (routing requirement), e.g. `zh`.
    pub language: Option<String>,
    /// Skills an agent needs to take the ticket (routing requirement).
    pub required_skills: Vec<String>,
    /// The SLA clocks; `None` when no policy ever applied. Shown through the SLA views
    /// (`GET /tickets/{number}/sla`), not raw.
    #[serde(skip)]
    pub sla: Option<SlaState>,
    /// The nearest due time of a running SLA clock.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub sla_due_at: Option<Timestamp>,
    /// Whether any SLA target of the ticket has been breached.
    pub sla_breached: bool,
    pub facts: ServiceFacts,
}

impl Ticket {
    /// Replaces the SLA clocks and the summary fields derived from them.
    pub fn set_sla(&mut self, state: Option<SlaState>) {
        self.sla_due_at = state.as_ref().and_then(SlaState::due_at);
        // Once breached, always breached: a later policy does not clear the record.
        self.sla_breached |= state.as_ref().is_some_and(SlaState::breach_recorded);
        self.sla = state;
    }
}

/// What happened to a ticket, as analytics count it; each stored when it happens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceFacts {
    /// From creation to the first public agent reply, elapsed and in business time.
    pub first_response_ms: Option<i64>,
    pub first_response_business_ms: Option<i64>,
    /// From creation to the (latest) resolution, elapsed and in business time.
    pub resolution_ms: Option<i64>,
    pub resolution_business_ms: Option<i64>,
    pub agent_replies: i64,
    /// Solved at the first contact: resolved with no transfer and no reopen, and no further
    /// customer contact within 7 days (a reopen or follow-up turns it false).
    pub first_contact_resolved: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub arrived_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: Id,
    pub kind: MessageKind,
    pub author_kind: ActorKind,
    pub author_id: Option<Id>,
    pub body: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Files sent with the message.
    pub attachments: Vec<crate::attachment::AttachmentInfo>,
}

/// Who did something: an agent, a customer, or Kefu itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActorRef {
    pub kind: ActorKind,
    pub id: Option<Id>,
}

impl ActorRef {
    pub fn agent(id: Id) -> Self {
        Self {
            kind: ActorKind::Agent,
            id: Some(id),
        }
    }
    pub fn customer(id: Id) -> Self {
        Self {
            kind: ActorKind::Customer,
            id: Some(id),
        }
    }
    pub const SYSTEM: ActorRef = ActorRef {
        kind: ActorKind::System,
        id: None,
    };
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::enums::{Channel, Priority, TicketKind};
    use crate::status::Status;

    /// A plain new ticket for unit tests.
    pub(crate) fn ticket() -> Ticket {
        let at: Timestamp = "2026-03-02T01:00:00Z".parse().unwrap();
        Ticket {
            id: 1,
            number: FIRST_TICKET_NUMBER,
            subject: "Printer does not print".into(),
            description: "It blinks.".into(),
            kind: TicketKind::Consultation,
            channel: Channel::Web,
            status: Status::New,
            priority: Priority::Normal,
            category: None,
            tags: Vec::new(),
            customer_id: 1,
            team_id: None,
            assignee_id: None,
            owner_id: None,
            expected_resolution: None,
            custom: Map::new(),
            transfer_count: 0,
            has_public_reply: false,
            reopen_count: 0,
            follow_up_of: None,
            created_at: at,
            updated_at: at,
            first_reply_at: None,
            resolved_at: None,
            language: None,
            required_skills: Vec::new(),
            sla: None,
            sla_due_at: None,
            sla_breached: false,
            facts: ServiceFacts::default(),
        }
    }
}
