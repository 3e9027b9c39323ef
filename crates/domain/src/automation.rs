//! Automation rules as data: what fires a rule, what it checks, what it does, and the
//! decisions about it that need no database (validation, loop protection, and the planned
//! effect of its actions on a ticket). The app runs the actions as commands, with the rule
//! as actor.
//!
//! # How a rule runs
//!
//! 1. A stored event is mapped to a [`Trigger`] by [`trigger_of`] (the scheduler fires
//!    [`Trigger::Idle`] itself, see [`RuleSpec::idle_due_at`]).
//! 2. Each active rule with that trigger is asked [`may_trigger`] (loop protection) and
//!    [`RuleSpec::matches`] (conditions and `status_is`).
//! 3. [`RuleSpec::plan`] gives the field changes of its immediate actions in one
//!    [`TicketChanges`]; notes and notifications are carried out as they are; a delay
//!    schedules its `then` actions, which are planned with [`plan_actions`] when the delay
//!    fires, against the ticket as it is then.

use crate::conditions::{Conditions, Subject};
use crate::entities::{ActorRef, Id, Ticket};
use crate::enums::{ActorKind, Priority, text_enum};
use crate::error::{DomainError, FieldError, FieldErrors};
use crate::event::{EventKind, TicketEvent};
use crate::status::{self, ResolveEvidence, Status};
use crate::text::{Body, MAX_TAGS, Name, parse_tags};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

text_enum!(
    /// What makes a rule look at a ticket.
    Trigger {
        TicketCreated = "ticket_created",
        /// A message written by the customer was added.
        CustomerReplied = "customer_replied",
        StatusChanged = "status_changed",
        SlaWarning = "sla_warning",
        SlaBreached = "sla_breached",
        CommitmentOverdue = "commitment_overdue",
        /// No update for the rule's `idle_minutes`. Fired by the scheduler, never by an event.
        Idle = "idle",
    }
);

/// The trigger a stored event fires, if any. A message counts as a customer reply when its
/// `data.kind` is `customer`, as for the SLA clocks.
pub fn trigger_of(event: &TicketEvent) -> Option<Trigger> {
    Some(match event.kind {
        EventKind::Created => Trigger::TicketCreated,
        EventKind::MessageAdded if event.data.get("kind").and_then(Value::as_str) == Some("customer") => Trigger::CustomerReplied,
        EventKind::StatusChanged => Trigger::StatusChanged,
        EventKind::SlaWarning => Trigger::SlaWarning,
        EventKind::SlaBreached => Trigger::SlaBreached,
        EventKind::CommitmentOverdue => Trigger::CommitmentOverdue,
        _ => return None,
    })
}

/// At most this many actions in a rule, and in the `then` of a delay.
pub const MAX_ACTIONS: usize = 20;
/// Longest idle time a rule may wait for: a year.
pub const MAX_IDLE_MINUTES: u32 = 365 * 24 * 60;
/// Longest delay: 30 days.
pub const MAX_DELAY_MINUTES: u32 = 30 * 24 * 60;
/// Longest internal note a rule may add, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// Longest notification text, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// An automation rule as admins write it. Check it with [`RuleSpec::validate`] before
/// storing it; the other methods assume a valid rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// 1 to 200 characters.
    pub name: String,
    /// Inactive rules are kept but never run.
    #[serde(default = "active_by_default")]
    pub active: bool,
    pub trigger: Trigger,
    /// Required for, and only for, the `idle` trigger: minutes without an update (1 to 525600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_minutes: Option<u32>,
    #[serde(default)]
    pub conditions: Conditions,
    /// The ticket's status must be one of these (any when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_is: Vec<Status>,
    /// Run in order; 1 to 20.
    pub actions: Vec<Action>,
}

fn active_by_default() -> bool {
    true
}

/// Whom a notification goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NotifyTarget {
    /// The agent holding the ticket (nobody when unassigned).
    Assignee,
    /// The first-contact owner (首问负责人).
    Owner,
    /// Every member of the ticket's team.
    Team,
    /// The lead of the ticket's team; the app decides who stands in when there is none.
    Supervisor,
    /// One named agent.
    Agent { agent_id: Id },
}

/// One thing a rule does. In JSON: `{"type": "set_priority", "priority": "high"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    SetPriority {
        priority: Priority,
    },
    SetTeam {
        team_id: Id,
    },
    /// `agent_id: null` unassigns.
    Assign {
        agent_id: Option<Id>,
    },
    AddTags {
        tags: Vec<String>,
    },
    RemoveTags {
        tags: Vec<String>,
    },
    /// At most one per action list; `new` is refused. Skipped (not an error of the rule)
    /// when the ticket's status does not allow it.
    SetStatus {
        status: Status,
    },
    /// An internal note (agents only), at most 10000 characters.
    AddNote {
        body: String,
    },
    Notify {
        target: NotifyTarget,
        /// At most 1000 characters.
        message: String,
    },
    /// Runs `then` after `minutes` (1 to 43200, 30 days). A delay cannot contain a delay.
    Delay {
        minutes: u32,
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        then: Vec<Action>,
    },
}

impl Action {
    /// The wire name of the action (its `type`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Action::SetPriority { .. } => "set_priority",
            Action::SetTeam { .. } => "set_team",
            Action::Assign { .. } => "assign",
            Action::AddTags { .. } => "add_tags",
            Action::RemoveTags { .. } => "remove_tags",
            Action::SetStatus { .. } => "set_status",
            Action::AddNote { .. } => "add_note",
            Action::Notify { .. } => "notify",
            Action::Delay { .. } => "delay",
        }
    }
}

impl RuleSpec {
    /// Checks the whole rule and reports every problem at once, with paths such as
    /// `actions[2].body` or `actions[0].then[1].type`.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = FieldErrors::default();
        errors.take(Name::parse("name", &self.name));
        match (self.trigger, self.idle_minutes) {
            (Trigger::Idle, None) => errors.push(FieldError::new("idle_minutes", "required", "the idle trigger needs idle_minutes")),
            (Trigger::Idle, Some(minutes)) if !(1..=MAX_IDLE_MINUTES).contains(&minutes) => errors.push(FieldError::new(
                "idle_minutes",
                "out_of_range",
                format!("must be 1 to {MAX_IDLE_MINUTES} minutes"),
            )),
            (trigger, Some(_)) if trigger != Trigger::Idle => errors.push(FieldError::new(
                "idle_minutes",
                "not_allowed",
                "only the idle trigger takes idle_minutes",
            )),
            _ => {}
        }
        self.conditions.validate("conditions", &mut errors);
        validate_actions("actions", &self.actions, true, &mut errors);
        errors.into_result()
    }

    /// Whether the rule applies to `subject` when `trigger` fires: it is active, has that
    /// trigger, the ticket's status is one of `status_is` (if any) and its conditions hold.
    /// Loop protection is separate: see [`may_trigger`].
    pub fn matches(&self, trigger: Trigger, subject: &Subject<'_>) -> bool {
        self.active
            && self.trigger == trigger
            && (self.status_is.is_empty() || self.status_is.contains(&subject.ticket.status))
            && self.conditions.matches(subject)
    }

    /// For an `idle` rule, when a ticket last updated at `last_update` becomes idle enough
    /// to fire it; `None` for other triggers.
    pub fn idle_due_at(&self, last_update: Timestamp) -> Option<Timestamp> {
        let minutes = self.idle_minutes.filter(|_| self.trigger == Trigger::Idle)?;
        last_update.checked_add(SignedDuration::from_mins(i64::from(minutes))).ok()
    }

    /// The effect of the rule's immediate actions on `ticket`; see [`plan_actions`].
    pub fn plan(&self, ticket: &Ticket) -> TicketChanges {
        plan_actions(&self.actions, ticket)
    }
}

fn validate_actions(field: &str, actions: &[Action], top_level: bool, errors: &mut FieldErrors) {
    if actions.is_empty() {
        errors.push(FieldError::new(field, "required", "at least one action"));
    }
    if actions.len() > MAX_ACTIONS {
        errors.push(FieldError::new(field, "too_many", format!("at most {MAX_ACTIONS} actions")));
    }
    let mut status_set = false;
    for (i, action) in actions.iter().enumerate() {
        let at = format!("{field}[{i}]");
        match action {
            Action::SetPriority { .. } => {}
            Action::SetTeam { team_id } => positive_id(&format!("{at}.team_id"), *team_id, errors),
            Action::Assign { agent_id } => {
                if let Some(id) = agent_id {
                    positive_id(&format!("{at}.agent_id"), *id, errors);
                }
            }
            Action::AddTags { tags } | Action::RemoveTags { tags } => {
                let tags_field = format!("{at}.tags");
                if tags.is_empty() {
                    errors.push(FieldError::new(tags_field, "required", "at least one tag"));
                } else {
                    errors.take(parse_tags(&tags_field, tags));
                }
            }
            Action::SetStatus { status } => {
                if *status == Status::New {
                    errors.push(FieldError::new(
                        format!("{at}.status"),
                        "not_allowed",
                        "a ticket cannot be made new again",
                    ));
                }
                // One status change per list keeps the plan a single, checkable transition
                // (and idempotent): two in a row could pass through a state the first refused.
                if status_set {
                    errors.push(FieldError::new(
                        format!("{at}.type"),
                        "not_allowed",
                        "only one set_status per action list",
                    ));
                }
                status_set = true;
            }
            Action::AddNote { body } => bounded_text(&format!("{at}.body"), body, MAX_NOTE_CHARS, errors),
            Action::Notify { target, message } => {
                if let NotifyTarget::Agent { agent_id } = target {
                    positive_id(&format!("{at}.target.agent_id"), *agent_id, errors);
                }
                bounded_text(&format!("{at}.message"), message, MAX_MESSAGE_CHARS, errors);
            }
            Action::Delay { minutes, then } => {
                if !top_level {
                    errors.push(FieldError::new(
                        format!("{at}.type"),
                        "not_allowed",
                        "a delay cannot contain another delay",
                    ));
                    continue;
                }
                if !(1..=MAX_DELAY_MINUTES).contains(minutes) {
                    errors.push(FieldError::new(
                        format!("{at}.minutes"),
                        "out_of_range",
                        format!("must be 1 to {MAX_DELAY_MINUTES} minutes"),
                    ));
                }
                validate_actions(&format!("{at}.then"), then, false, errors);
            }
        }
    }
}

fn positive_id(field: &str, id: Id, errors: &mut FieldErrors) {
    if id <= 0 {
        errors.push(FieldError::new(field, "out_of_range", "must be a positive id"));
    }
}

/// Non-blank text of at most `max` characters (line breaks allowed).
fn bounded_text(field: &str, value: &str, max: usize, errors: &mut FieldErrors) {
    if let Some(text) = errors.take(Body::parse(field, value))
        && text.as_str().chars().count() > max
    {
        errors.push(FieldError::new(field, "too_long", format!("must be at most {max} characters")));
    }
}

/// How many rule runs may be chained: an event caused by a person or by Kefu is at depth 0;
/// an event caused by a rule that ran at depth `d` is at depth `d + 1`.
pub const MAX_RULE_DEPTH: u8 = 5;

/// Whether the rule `rule_id` may run on an event at `depth` caused by `cause_actor`.
///
/// Two guards, because one is not enough:
///
/// * A rule never reacts to an event it caused itself. "On status change, set status
///   open" would otherwise answer its own change for ever; this cuts the shortest loop at
///   once, with no wasted runs.
/// * Nothing runs at depth [`MAX_RULE_DEPTH`] or deeper. Loops through several rules (A
///   sets a tag, B reacts by changing the status, A reacts to that...) cannot be found by
///   looking at one rule, and deciding in advance whether a set of rules can loop depends
///   on the tickets' data; a depth bound stops every such chain after at most
///   `MAX_RULE_DEPTH` rule runs, whatever the rules say. Legitimate chains (a rule reacting
///   to a change another rule made) are short, so the bound costs nothing real.
///
/// The app stores the depth with each event a rule causes (or carries it in the command)
/// and passes it here; the delayed actions of a rule keep the depth of the run that
/// scheduled them plus one.
///
/// ```
/// use kefu_domain::automation::{may_trigger, MAX_RULE_DEPTH};
/// use kefu_domain::entities::ActorRef;
/// use kefu_domain::enums::ActorKind;
/// let by_rule_7 = ActorRef { kind: ActorKind::Rule, id: Some(7) };
/// assert!(!may_trigger(7, 1, &by_rule_7), "a rule never answers itself");
/// assert!(may_trigger(8, 1, &by_rule_7));
/// assert!(!may_trigger(8, MAX_RULE_DEPTH, &by_rule_7));
/// ```
pub fn may_trigger(rule_id: Id, depth: u8, cause_actor: &ActorRef) -> bool {
    let caused_by_itself = cause_actor.kind == ActorKind::Rule && cause_actor.id == Some(rule_id);
    depth < MAX_RULE_DEPTH && !caused_by_itself
}

/// The field changes a list of actions makes to a ticket, and the actions that could not
/// be applied. Only fields that really change are set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Id>,
    /// `Some(None)` (JSON `null`) unassigns.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Id>))]
    pub assignee_id: Option<Option<Id>>,
    /// The complete new tag list, canonical (lower case, sorted, no duplicates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Actions that were not applied, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedAction>,
}

/// An action a plan leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkippedAction {
    /// Position of the action in its list.
    pub index: usize,
    /// A stable code: `invalid_status_transition`, `resolve_needs_reply` or `too_many_tags`.
    pub code: &'static str,
    pub message: String,
}

impl TicketChanges {
    /// Whether no field changes (skipped actions do not count).
    pub fn is_empty(&self) -> bool {
        self.priority.is_none() && self.team_id.is_none() && self.assignee_id.is_none() && self.tags.is_none() && self.status.is_none()
    }

    /// Writes the changes into `ticket` (a dry run's "after", or a test). The app applies
    /// them through its commands instead, so that each change gets its event.
    pub fn apply_to(&self, ticket: &mut Ticket) {
        if let Some(priority) = self.priority {
            ticket.priority = priority;
        }
        if let Some(team) = self.team_id {
            ticket.team_id = Some(team);
        }
        if let Some(assignee) = self.assignee_id {
            ticket.assignee_id = assignee;
        }
        if let Some(tags) = &self.tags {
            ticket.tags.clone_from(tags);
        }
        if let Some(status) = self.status {
            ticket.status = status;
        }
    }
}

/// The effect of the immediate field actions (priority, team, assignee, tags, status) of
/// `actions` on `ticket`, in order; notes, notifications and delays are not field changes
/// and are ignored here.
///
/// * Later actions win over earlier ones on the same field; only the final values that
///   differ from the ticket are reported.
/// * A status change goes through [`status::transition`] from the status the ticket has at
///   that point, as a rule: a rule cannot resolve a ticket nobody has answered publicly (a
///   rule's note is not a resolution note). A refused change is reported in `skipped`.
/// * Tags are compared in canonical form. When the tag actions together would leave the
///   ticket with more than [`MAX_TAGS`] tags (and more than it has), the whole tag change
///   is skipped, so the plan never depends on where the limit cut.
/// * What commands do on their own is not in the plan: assigning a new ticket opens it and
///   makes the agent owner (that does not change which status changes are allowed).
///
/// For a valid rule the plan is idempotent: planning again on the changed ticket changes
/// nothing.
pub fn plan_actions(actions: &[Action], ticket: &Ticket) -> TicketChanges {
    let evidence = ResolveEvidence {
        has_public_reply: ticket.has_public_reply,
        has_resolution_note: false,
    };
    let mut priority = ticket.priority;
    let mut team = ticket.team_id;
    let mut assignee = ticket.assignee_id;
    let mut status = ticket.status;
    let mut tags: Option<Vec<String>> = None;
    let mut last_add = None;
    let mut skipped = Vec::new();
    for (index, action) in actions.iter().enumerate() {
        match action {
            Action::SetPriority { priority: p } => priority = *p,
            Action::SetTeam { team_id } => team = Some(*team_id),
            Action::Assign { agent_id } => assignee = *agent_id,
            Action::AddTags { tags: add } => {
                let current = tags.get_or_insert_with(|| canonical_tags(&ticket.tags));
                current.extend(add.iter().map(|t| canonical_tag(t)));
                current.sort();
                current.dedup();
                last_add = Some(index);
            }
            Action::RemoveTags { tags: remove } => {
                let current = tags.get_or_insert_with(|| canonical_tags(&ticket.tags));
                current.retain(|own| !remove.iter().any(|r| canonical_tag(r) == *own));
            }
            Action::SetStatus { status: to } => match status::transition(status, *to, evidence) {
                Ok(next) => status = next,
                Err(error) => skipped.push(SkippedAction {
                    index,
                    code: error.code(),
                    message: error.to_string(),
                }),
            },
            Action::AddNote { .. } | Action::Notify { .. } | Action::Delay { .. } => {}
        }
    }
    let tags = tags.and_then(|new| {
        let before = canonical_tags(&ticket.tags);
        if new == before {
            return None;
        }
        if new.len() > MAX_TAGS && new.len() > before.len() {
            skipped.push(SkippedAction {
                index: last_add.unwrap_or_default(),
                code: "too_many_tags",
                message: format!("a ticket has at most {MAX_TAGS} tags"),
            });
            return None;
        }
        Some(new)
    });
    TicketChanges {
        priority: (priority != ticket.priority).then_some(priority),
        team_id: team.filter(|_| team != ticket.team_id),
        assignee_id: (assignee != ticket.assignee_id).then_some(assignee),
        tags,
        status: (status != ticket.status).then_some(status),
        skipped,
    }
}

/// Tags as [`crate::text::Tag`] stores them (for a valid tag).
fn canonical_tag(tag: &str) -> String {
    tag.trim().to_lowercase()
}

fn canonical_tags(tags: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = tags.iter().map(|t| canonical_tag(t)).collect();
    tags.sort();
    tags.dedup();
    tags
}

#[cfg(test)]
mod tests;
