//! How a list of tickets is asked for: filters, order and position, as types, so the
//! store turns one description into SQL for either backend and nothing above it writes
//! query strings.

use crate::entities::Id;
use crate::enums::{Priority, TicketKind};
use crate::status::Status;
use jiff::Timestamp;

/// Which assignee a list is restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Unassigned,
    Agent(Id),
}

/// The orders a ticket list offers. Each ends with the id, so it is total and a cursor
/// can resume exactly after the last row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    /// Oldest first.
    Created,
    /// Newest first (the default).
    #[default]
    CreatedDesc,
    /// Least recently updated first: what has waited longest.
    Updated,
    /// Most recently updated first.
    UpdatedDesc,
    /// Most urgent first, then oldest first.
    Priority,
    /// Nearest SLA due time first; only tickets with a running SLA clock.
    SlaDue,
}

impl TicketSort {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "created" => TicketSort::Created,
            "-created" => TicketSort::CreatedDesc,
            "updated" => TicketSort::Updated,
            "-updated" => TicketSort::UpdatedDesc,
            "priority" => TicketSort::Priority,
            "sla_due" => TicketSort::SlaDue,
            _ => return None,
        })
    }

    /// How many key values a cursor for this order carries (the id included).
    pub fn cursor_len(self) -> usize {
        match self {
            TicketSort::Priority => 3,
            _ => 2,
        }
    }
}

/// Tickets by where their SLA clocks stand at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    /// A running clock has passed its due time.
    Breached { now: Timestamp },
    /// A running clock has used its warning share but is not yet due.
    AtRisk { now: Timestamp },
}

/// What a reader may see. Agents see their teams' tickets, the shared queue (no team),
/// and whatever they are assigned or own; supervisors and admins see everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    Agent { id: Id, teams: Vec<Id> },
}

/// The most rows one page may have.
pub const MAX_PAGE: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketQuery {
    pub statuses: Vec<Status>,
    pub assignee: Option<AssigneeFilter>,
    /// Tickets this agent owns (首问负责人); with `held_by_others`, only those someone
    /// else holds or nobody does: what the owner keeps tracking.
    pub owner: Option<Id>,
    pub held_by_others: bool,
    pub team: Option<Id>,
    pub priority: Option<Priority>,
    pub kind: Option<TicketKind>,
    /// A category code; matches the category and everything below it.
    pub category: Option<String>,
    /// Tickets carrying this tag (already normalised, see `text::Tag`).
    pub tag: Option<String>,
    pub customer: Option<Id>,
    pub sla: Option<SlaFilter>,
    pub sort: TicketSort,
    /// Sort-key values of the last row of the previous page.
    pub after: Option<Vec<i64>>,
    /// 1 ..= [`MAX_PAGE`].
    pub limit: usize,
}

/// An agent's saved ticket-list view: a name and the list's query string (for example
/// `status=open,pending&tag=vip&sort=sla_due`), kept only after it parsed as a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedView {
    pub id: Id,
    pub name: String,
    pub query: String,
}
