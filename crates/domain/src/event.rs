//! Ticket events: every change to a ticket appends one, in the same transaction as the
//! change. The timeline, the audit log and the analytics all read them.

use crate::entities::{ActorRef, Id, TicketNumber};
use crate::enums::text_enum;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

text_enum!(
    /// What happened to a ticket.
    EventKind {
        Created = "created",
        StatusChanged = "status_changed",
        PriorityChanged = "priority_changed",
        CategoryChanged = "category_changed",
        TagsChanged = "tags_changed",
        TeamChanged = "team_changed",
        Assigned = "assigned",
        Transferred = "transferred",
        OwnerChanged = "owner_changed",
        /// Another field changed (`data.field` names it).
        FieldChanged = "field_changed",
        MessageAdded = "message_added",
        Reopened = "reopened",
        FollowUpCreated = "follow_up_created",
        /// The field engineer recorded arrival on site.
        ArrivedOnSite = "arrived_on_site",
        /// A different SLA policy (or none) now applies; `data.before` / `data.after`.
        SlaPolicyChanged = "sla_policy_changed",
        /// A target's warning share was used (`data.metric`, `data.at` exact).
        SlaWarning = "sla_warning",
        /// A target was breached (`data.metric`, `data.at` exact).
        SlaBreached = "sla_breached",
        /// A first or next response, resolution or arrival target was met or missed at
        /// the moment it stopped (`data.metric`, `data.on_time`).
        SlaAchieved = "sla_achieved",
        CommitmentMade = "commitment_made",
        CommitmentDue = "commitment_due",
        CommitmentOverdue = "commitment_overdue",
        CommitmentKept = "commitment_kept",
        CommitmentBroken = "commitment_broken",
        CommitmentCancelled = "commitment_cancelled",
        /// An automation rule ran its actions (`data.rule`).
        RuleApplied = "rule_applied",
        /// A satisfaction survey was sent about the ticket (`data.send_id`, `data.design`).
        SurveySent = "survey_sent",
        /// The customer answered it (`data.score`, `data.low`).
        SurveyAnswered = "survey_answered",
        /// This ticket was merged into another (`data.ticket`) and closed.
        MergedInto = "merged_into",
        /// Another ticket (`data.ticket`) was merged into this one.
        MergedFrom = "merged_from",
        /// Linked as related to another ticket (`data.ticket`), or unlinked.
        Linked = "linked",
        Unlinked = "unlinked",
    }
);

/// An event about to be written: what changed, by whom; the store adds id and time.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub actor: ActorRef,
    /// Kind-specific detail; changes carry `{"before": .., "after": ..}`.
    pub data: Value,
}

impl NewEvent {
    pub fn new(kind: EventKind, actor: ActorRef, data: Value) -> Self {
        Self { kind, actor, data }
    }

    /// A field change from `before` to `after`.
    pub fn change<T: Serialize>(kind: EventKind, actor: ActorRef, before: T, after: T) -> Self {
        Self::new(kind, actor, serde_json::json!({ "before": before, "after": after }))
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketEvent {
    pub id: Id,
    pub ticket_number: TicketNumber,
    pub kind: EventKind,
    pub actor: ActorRef,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}
