//! In-app notifications for agents: listed newest first, marked read; and personal
//! reminders, which are durable timers that end as a notification.

use crate::commitments::parse_instant;
use crate::error::{AppError, AppResult};
use crate::scheduler::TimerKind;
use crate::tickets::load_visible;
use crate::{Actor, App, now};
use kefu_domain::entities::{Id, TicketNumber};
use kefu_domain::service::Notification;
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::{notifications as store, timers};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

const MAX_PAGE: usize = 100;

/// A page of notifications with the unread count (for the badge).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub unread: i64,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<Id>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MarkRead {
    /// Notification ids to mark read; or `all: true`.
    #[serde(default)]
    pub ids: Vec<Id>,
    #[serde(default)]
    pub all: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct NewReminder {
    /// When, as an RFC 3339 instant with an offset.
    pub at: Option<String>,
    pub text: Option<String>,
    /// The ticket it is about, if any.
    pub ticket: Option<TicketNumber>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReminderSet {
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

impl App {
    pub async fn notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        before: Option<Id>,
        limit: Option<usize>,
    ) -> AppResult<NotificationPage> {
        let limit = limit.unwrap_or(25);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(AppError::field("limit", "out_of_range", format!("must be from 1 to {MAX_PAGE}")));
        }
        let mut items = store::notifications_of(self.db().read(), actor.id, unread_only, before, limit + 1).await?;
        let next_before = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|n| n.id)
        } else {
            None
        };
        let unread = store::unread_count(self.db().read(), actor.id).await?;
        Ok(NotificationPage {
            items,
            unread,
            next_before,
        })
    }

    /// Marks the actor's own notifications read; returns how many changed.
    pub async fn mark_notifications_read(&self, actor: &Actor, input: MarkRead) -> AppResult<u64> {
        if !input.all && input.ids.is_empty() {
            return Err(AppError::field("ids", "required", "name the notifications, or send all: true"));
        }
        if input.ids.len() > 1000 {
            return Err(AppError::field("ids", "too_many", "at most 1000 at once"));
        }
        let agent = actor.id;
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let changed = if input.all {
                        store::mark_all_read(tx.exec(), agent, at).await?
                    } else {
                        store::mark_read(tx.exec(), agent, &input.ids, at).await?
                    };
                    Ok::<_, AppError>(changed)
                })
            })
            .await
    }

    /// Sets a personal reminder: at `at` the actor gets a notification.
    pub async fn set_reminder(&self, actor: &Actor, input: NewReminder) -> AppResult<ReminderSet> {
        let at = now();
        let mut errors = FieldErrors::default();
        let when = match input.at.as_deref().map(parse_instant) {
            None => errors.take(Err(FieldError::new("at", "required", "when to remind"))),
            Some(None) => errors.take(Err(FieldError::new(
                "at",
                "invalid_datetime",
                "must be an RFC 3339 date-time with an offset",
            ))),
            Some(Some(when)) if when <= at => errors.take(Err(FieldError::new("at", "in_the_past", "must be in the future"))),
            Some(Some(when)) => Some(when),
        };
        let text = match input.text.as_deref().map(str::trim) {
            None | Some("") => errors.take(Err(FieldError::new("text", "required", "what to be reminded of"))),
            Some(t) if t.chars().count() > 500 => errors.take(Err(FieldError::new("text", "too_long", "at most 500 characters"))),
            Some(t) => Some(t.to_owned()),
        };
        errors.into_result()?;
        let (when, text) = (when.unwrap_or(at), text.unwrap_or_default());
        let actor = actor.clone();
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let ticket_id = match input.ticket {
                        Some(number) => Some(load_visible(tx.exec(), &actor, number).await?.id),
                        None => None,
                    };
                    let payload = json!({ "agent_id": actor.id, "ticket_id": ticket_id, "text": text });
                    timers::schedule(tx.exec(), &[TimerKind::Reminder.timer(when, Some(actor.id), payload)], at).await?;
                    Ok::<_, AppError>(ReminderSet { at: when })
                })
            })
            .await
    }
}
