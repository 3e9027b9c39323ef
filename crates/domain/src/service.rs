//! The records of the service engine as stored: calendars, SLA policies, commitments and
//! notifications.

use crate::calendar_spec::CalendarSpec;
use crate::conditions::Conditions;
use crate::entities::{Id, TicketNumber};
use crate::enums::text_enum;
use crate::sla::{ClockRules, Target};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

/// A named business calendar.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Calendar {
    pub id: Id,
    pub name: String,
    pub spec: CalendarSpec,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// An SLA policy: which tickets (conditions), what is promised (targets), on which
/// calendar. Policies are ranked by `position`; the first active match applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaPolicy {
    pub id: Id,
    pub name: String,
    pub position: i64,
    pub active: bool,
    pub conditions: Conditions,
    pub targets: Vec<Target>,
    /// Business-hour targets count on this calendar; none means 24x7 UTC.
    pub calendar_id: Option<Id>,
    pub pause_on_hold: bool,
    pub warn_percent: u8,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

impl SlaPolicy {
    pub fn rules(&self) -> ClockRules {
        ClockRules {
            targets: self.targets.clone(),
            pause_on_hold: self.pause_on_hold,
            warn_percent: self.warn_percent,
        }
    }
}

/// A policy before the store gives it an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSlaPolicy {
    pub name: String,
    pub position: i64,
    pub active: bool,
    pub conditions: Conditions,
    pub targets: Vec<Target>,
    pub calendar_id: Option<Id>,
    pub pause_on_hold: bool,
    pub warn_percent: u8,
}

text_enum!(
    /// Where a commitment (服务承诺) stands.
    CommitmentStatus {
        Open = "open",
        Kept = "kept",
        Broken = "broken",
        Cancelled = "cancelled",
    }
);

/// A promise an agent made to a customer on a ticket, with a time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Commitment {
    pub id: Id,
    pub ticket_id: Id,
    pub ticket_number: TicketNumber,
    pub agent_id: Id,
    pub what: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub due_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub remind_at: Option<Timestamp>,
    pub status: CommitmentStatus,
    /// Whether it passed its due time while open.
    pub overdue: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolved_at: Option<Timestamp>,
}

text_enum!(
    /// What an in-app notification is about.
    NotificationKind {
        Assigned = "assigned",
        TransferredToYou = "transferred_to_you",
        /// A ticket you own was transferred between others (首问负责: you keep tracking it).
        OwnedTicketTransferred = "owned_ticket_transferred",
        Mentioned = "mentioned",
        SlaWarning = "sla_warning",
        SlaBreached = "sla_breached",
        CommitmentDue = "commitment_due",
        CommitmentOverdue = "commitment_overdue",
        /// A reminder set by an agent or sent by an automation rule.
        Reminder = "reminder",
        Rule = "rule",
        /// A topic is rising fast (`data.facet`, `data.term`, `data.tickets`, `data.usual`).
        HotIssue = "hot_issue",
    }
);

/// A canned response (快捷回复), one text per language, with variables such as
/// `{{ customer.name }}` filled in when an agent inserts it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Macro {
    pub id: Id,
    pub name: String,
    pub body_zh: String,
    pub body_en: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// An in-app notification for one agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: Id,
    pub agent_id: Id,
    pub kind: NotificationKind,
    pub ticket_number: Option<TicketNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub read_at: Option<Timestamp>,
}

/// A notification about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub agent_id: Id,
    pub kind: NotificationKind,
    pub ticket_id: Option<Id>,
    pub data: Value,
}
