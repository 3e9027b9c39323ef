//! Commitments (服务承诺): a concrete promise with a time, made by an agent on a ticket.
//! A reminder fires before it is due; at the due time an open commitment becomes overdue,
//! which is recorded on the ticket and escalated to the owner's supervisor. The agent then
//! records it kept or broken; "kept" after the due time is recorded as broken (late),
//! so the per-agent counts say what the customer experienced.

use crate::error::{AppError, AppResult};
use crate::scheduler::TimerKind;
use crate::tickets::{load_visible, record};
use crate::{Actor, App, now};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::entities::{ActorRef, Id, TicketNumber};
use kefu_domain::enums::Role;
use kefu_domain::event::{EventKind, NewEvent, TicketEvent};
use kefu_domain::service::{Commitment, CommitmentStatus, NewNotification, NotificationKind};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::timers::Timer;
use kefu_store::{Tx, commitments as store, notifications, people, tickets, timers};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// Reminder lead time when the agent names none.
const DEFAULT_REMIND_BEFORE_MINUTES: u32 = 15;
const MAX_WHAT: usize = 500;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MakeCommitment {
    /// What was promised, e.g. "call back with the refund status".
    pub what: Option<String>,
    /// When, as an RFC 3339 instant, e.g. `2026-11-25T15:00:00+08:00`. Must be in the future.
    pub due_at: Option<String>,
    /// How long before the due time to remind the agent (default 15).
    pub remind_before_minutes: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ResolveCommitment {
    /// `kept`, `broken` or `cancelled`.
    pub status: Option<String>,
}

/// Kept and broken commitments of one agent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitmentCounts {
    pub agent_id: Id,
    pub kept: i64,
    pub broken: i64,
}

impl App {
    pub async fn make_commitment(&self, actor: &Actor, number: TicketNumber, input: MakeCommitment) -> AppResult<Commitment> {
        let at = now();
        let mut errors = FieldErrors::default();
        let what = match input.what.as_deref().map(str::trim) {
            None | Some("") => errors.take(Err(FieldError::new("what", "required", "say what was promised"))),
            Some(w) if w.chars().count() > MAX_WHAT => {
                errors.take(Err(FieldError::new("what", "too_long", format!("at most {MAX_WHAT} characters"))))
            }
            Some(w) => Some(w.to_owned()),
        };
        let due_at = match input.due_at.as_deref() {
            None => errors.take(Err(FieldError::new("due_at", "required", "a commitment has a time"))),
            Some(text) => match parse_instant(text) {
                Some(due) if due > at => Some(due),
                Some(_) => errors.take(Err(FieldError::new("due_at", "in_the_past", "must be in the future"))),
                None => errors.take(Err(FieldError::new(
                    "due_at",
                    "invalid_datetime",
                    "must be an RFC 3339 date-time with an offset, e.g. 2026-11-25T15:00:00+08:00",
                ))),
            },
        };
        let before = input.remind_before_minutes.unwrap_or(DEFAULT_REMIND_BEFORE_MINUTES);
        if before > 7 * 24 * 60 {
            errors.push(FieldError::new("remind_before_minutes", "out_of_range", "at most 7 days"));
        }
        errors.into_result()?;
        let (what, due_at) = (what.unwrap_or_default(), due_at.unwrap_or(at));
        let remind_at = due_at
            .checked_sub(SignedDuration::from_mins(i64::from(before)))
            .ok()
            .filter(|r| *r > at && before > 0);
        let actor = actor.clone();
        let (commitment, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let ticket = load_visible(tx.exec(), &actor, number).await?;
                    if !ticket.status.is_active() {
                        return Err(AppError::Conflict {
                            code: "ticket_finished",
                            message: "the ticket is resolved or closed".into(),
                        });
                    }
                    let commitment = store::insert_commitment(tx.exec(), ticket.id, actor.id, &what, due_at, remind_at, at).await?;
                    let mut schedule = vec![TimerKind::CommitmentDue.timer(due_at, Some(commitment.id), json!({}))];
                    if let Some(remind_at) = remind_at {
                        schedule.push(TimerKind::CommitmentReminder.timer(remind_at, Some(commitment.id), json!({})));
                    }
                    timers::schedule(tx.exec(), &schedule, at).await?;
                    let event = NewEvent::new(
                        EventKind::CommitmentMade,
                        ActorRef::agent(actor.id),
                        json!({ "commitment": commitment.id, "what": commitment.what, "due_at": due_at }),
                    );
                    let events = record(tx, &ticket, &[event], at).await?;
                    Ok::<_, AppError>((commitment, events))
                })
            })
            .await?;
        self.publish(events);
        Ok(commitment)
    }

    pub async fn ticket_commitments(&self, actor: &Actor, number: TicketNumber) -> AppResult<Vec<Commitment>> {
        let ticket = load_visible(self.db().read(), actor, number).await?;
        Ok(store::commitments_of_ticket(self.db().read(), ticket.id).await?)
    }

    /// The open commitments made to a customer, on the tickets the actor may see, soonest
    /// due first (the ticket page's customer sidebar).
    pub async fn customer_open_commitments(&self, actor: &Actor, customer_id: Id) -> AppResult<Vec<Commitment>> {
        // Read more than are shown: some may be on tickets the reader may not see.
        let open = store::open_commitments_of_customer(self.db().read(), customer_id, 200).await?;
        let ids: Vec<Id> = open.iter().map(|c| c.ticket_id).collect();
        let visible: std::collections::HashSet<Id> = tickets::tickets_by_ids(self.db().read(), &ids)
            .await?
            .into_iter()
            .filter(|t| actor.can_see(t))
            .map(|t| t.id)
            .collect();
        Ok(open.into_iter().filter(|c| visible.contains(&c.ticket_id)).take(20).collect())
    }

    /// The actor's open commitments, soonest due first.
    pub async fn my_commitments(&self, actor: &Actor) -> AppResult<Vec<Commitment>> {
        Ok(store::open_commitments_of_agent(self.db().read(), actor.id, 200).await?)
    }

    /// Records an open commitment kept, broken or cancelled: by the agent who made it, or a
    /// supervisor.
    pub async fn resolve_commitment(&self, actor: &Actor, id: Id, input: ResolveCommitment) -> AppResult<Commitment> {
        let wanted = match input.status.as_deref() {
            Some(s @ ("kept" | "broken" | "cancelled")) => {
                CommitmentStatus::parse("status", s).map_err(|e| AppError::field("status", e.code, e.message))?
            }
            Some(_) => {
                return Err(AppError::field(
                    "status",
                    "unknown_value",
                    "must be one of: kept, broken, cancelled",
                ));
            }
            None => return Err(AppError::field("status", "required", "must be one of: kept, broken, cancelled")),
        };
        let actor = actor.clone();
        let (commitment, events) = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let found = store::commitment_by_id(tx.exec(), id).await?.ok_or(AppError::NotFound {
                        what: "commitment",
                        code: "commitment_not_found",
                    })?;
                    if found.agent_id != actor.id && !actor.is_supervisor() {
                        return Err(AppError::Forbidden(
                            "only the agent who made a commitment, or a supervisor, records it",
                        ));
                    }
                    if found.status != CommitmentStatus::Open {
                        return Err(AppError::Conflict {
                            code: "commitment_resolved",
                            message: format!("the commitment is already {}", found.status),
                        });
                    }
                    let late = wanted == CommitmentStatus::Kept && at > found.due_at;
                    let status = if late { CommitmentStatus::Broken } else { wanted };
                    store::update_commitment_status(tx.exec(), id, status, Some(at)).await?;
                    timers::cancel(tx.exec(), TimerKind::CommitmentReminder.as_str(), id).await?;
                    timers::cancel(tx.exec(), TimerKind::CommitmentDue.as_str(), id).await?;
                    let ticket = tickets::ticket_by_id(tx.exec(), found.ticket_id)
                        .await?
                        .ok_or_else(AppError::ticket_not_found)?;
                    let kind = match status {
                        CommitmentStatus::Kept => EventKind::CommitmentKept,
                        CommitmentStatus::Cancelled => EventKind::CommitmentCancelled,
                        _ => EventKind::CommitmentBroken,
                    };
                    let event = NewEvent::new(kind, ActorRef::agent(actor.id), json!({ "commitment": id, "late": late }));
                    let events = record(tx, &ticket, &[event], at).await?;
                    let commitment = store::commitment_by_id(tx.exec(), id)
                        .await?
                        .ok_or_else(|| AppError::Internal("commitment vanished".into()))?;
                    Ok::<_, AppError>((commitment, events))
                })
            })
            .await?;
        self.publish(events);
        Ok(commitment)
    }

    /// Kept and broken commitments per agent, resolved since `since` (supervisors).
    pub async fn commitment_counts(&self, actor: &Actor, since: Option<&str>) -> AppResult<Vec<CommitmentCounts>> {
        actor.require_supervisor("commitment counts")?;
        let since = match since {
            None => Timestamp::UNIX_EPOCH,
            Some(text) => parse_instant(text)
                .ok_or_else(|| AppError::field("since", "invalid_datetime", "must be an RFC 3339 date-time with an offset"))?,
        };
        Ok(store::commitment_counts_by_agent(self.db().read(), since, None)
            .await?
            .into_iter()
            .map(|(agent_id, kept, broken)| CommitmentCounts { agent_id, kept, broken })
            .collect())
    }
}

/// An instant with an explicit offset (a bare local time would be ambiguous).
pub(crate) fn parse_instant(text: &str) -> Option<Timestamp> {
    text.trim().parse::<Timestamp>().ok()
}

/// The reminder before a commitment's due time: the agent is notified, the ticket records it.
pub(crate) async fn remind(tx: &mut Tx, timer: &Timer, now: Timestamp) -> AppResult<Vec<TicketEvent>> {
    let Some(commitment) = open_commitment(tx, timer).await? else {
        return Ok(Vec::new());
    };
    let Some(ticket) = tickets::ticket_by_id(tx.exec(), commitment.ticket_id).await? else {
        return Ok(Vec::new());
    };
    notifications::insert_notifications(
        tx.exec(),
        &[NewNotification {
            agent_id: commitment.agent_id,
            kind: NotificationKind::CommitmentDue,
            ticket_id: Some(ticket.id),
            data: json!({ "commitment": commitment.id, "what": commitment.what, "due_at": commitment.due_at }),
        }],
        now,
    )
    .await?;
    let event = NewEvent::new(
        EventKind::CommitmentDue,
        ActorRef::SYSTEM,
        json!({ "commitment": commitment.id, "due_at": commitment.due_at }),
    );
    record(tx, &ticket, &[event], now).await
}

/// The due time of a commitment: if still open it is overdue, recorded once, and escalated
/// to the agent and the supervisor of the ticket's owner.
pub(crate) async fn come_due(tx: &mut Tx, timer: &Timer, now: Timestamp) -> AppResult<Vec<TicketEvent>> {
    let Some(commitment) = open_commitment(tx, timer).await? else {
        return Ok(Vec::new());
    };
    if !store::mark_commitment_overdue(tx.exec(), commitment.id).await? {
        return Ok(Vec::new());
    }
    let Some(ticket) = tickets::ticket_by_id(tx.exec(), commitment.ticket_id).await? else {
        return Ok(Vec::new());
    };
    let mut to = vec![commitment.agent_id];
    to.extend(supervisors_of(tx, ticket.team_id).await?);
    to.extend(ticket.owner_id);
    to.sort_unstable();
    to.dedup();
    let data = json!({ "commitment": commitment.id, "what": commitment.what, "due_at": commitment.due_at, "agent": commitment.agent_id });
    let notes: Vec<NewNotification> = to
        .into_iter()
        .map(|agent_id| NewNotification {
            agent_id,
            kind: NotificationKind::CommitmentOverdue,
            ticket_id: Some(ticket.id),
            data: data.clone(),
        })
        .collect();
    notifications::insert_notifications(tx.exec(), &notes, now).await?;
    let event = NewEvent::new(EventKind::CommitmentOverdue, ActorRef::SYSTEM, data);
    record(tx, &ticket, &[event], now).await
}

async fn open_commitment(tx: &mut Tx, timer: &Timer) -> AppResult<Option<Commitment>> {
    let Some(id) = timer.subject_id else { return Ok(None) };
    Ok(store::commitment_by_id(tx.exec(), id)
        .await?
        .filter(|c| c.status == CommitmentStatus::Open))
}

/// Who an escalation goes to: the lead of the ticket's team, else every active supervisor.
pub(crate) async fn supervisors_of(tx: &mut Tx, team: Option<Id>) -> AppResult<Vec<Id>> {
    if let Some(team) = team
        && let Some(lead) = people::team_by_id(tx.exec(), team).await?.and_then(|t| t.lead_agent_id)
    {
        return Ok(vec![lead]);
    }
    Ok(people::list_agents(tx.exec())
        .await?
        .into_iter()
        .filter(|a| a.active && a.role == Role::Supervisor)
        .map(|a| a.id)
        .collect())
}
