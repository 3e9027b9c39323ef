//! Admin of the service configuration: business calendars (with holidays imported from
//! iCalendar files) and ranked SLA policies; and what a ticket's clocks say now. Every
//! change reloads the engine the commands consult.

use crate::audit::audit;
use crate::error::{AppError, AppResult};
use crate::tickets::load_visible;
use crate::{Actor, App, now};
use kefu_domain::calendar::DayInterval;
use kefu_domain::calendar_spec::{CalendarSpec, MergeReport};
use kefu_domain::conditions::Conditions;
use kefu_domain::entities::{ActorRef, Id, TicketNumber};
use kefu_domain::event::{EventKind, NewEvent};
use kefu_domain::service::{Calendar, NewSlaPolicy, SlaPolicy};
use kefu_domain::sla::{ClockRules, ClockView, Target};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::{Tx, calendars, sla_policies};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct CalendarInput {
    pub name: Option<String>,
    pub spec: Option<CalendarSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    pub name: Option<String>,
    /// Rank: lower goes first. Default: after the last policy.
    pub position: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub conditions: Conditions,
    #[serde(default)]
    pub targets: Vec<Target>,
    pub calendar_id: Option<Id>,
    #[serde(default)]
    pub pause_on_hold: bool,
    #[serde(default = "eighty")]
    pub warn_percent: u8,
}

fn yes() -> bool {
    true
}

fn eighty() -> u8 {
    80
}

/// A ticket's clocks as of now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketSla {
    pub policy_id: Option<Id>,
    pub policy_name: Option<String>,
    pub clocks: Vec<ClockView>,
    /// Whether any target of the ticket has been breached.
    pub breached: bool,
    /// When the policy's calendar is open now, the instant it closes: business-hours
    /// clocks count down until then and pause after (`null` when it is closed now, or
    /// open around the clock).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub open_until: Option<jiff::Timestamp>,
    /// Whether the policy's calendar is open now (business-hours clocks run only then).
    pub open_now: bool,
    /// The instant the clocks were read at (`remaining_seconds` is as of then).
    #[schema(value_type = String, format = DateTime)]
    pub as_of: jiff::Timestamp,
}

impl App {
    pub async fn calendars(&self, _actor: &Actor) -> AppResult<Vec<Calendar>> {
        Ok(calendars::calendars(self.db().read()).await?)
    }

    pub async fn calendar(&self, _actor: &Actor, id: Id) -> AppResult<Calendar> {
        calendars::calendar_by_id(self.db().read(), id)
            .await?
            .ok_or_else(calendar_not_found)
    }

    pub async fn create_calendar(&self, actor: &Actor, input: CalendarInput) -> AppResult<Calendar> {
        actor.require_admin("calendars")?;
        let (name, spec) = parse_calendar(input)?;
        let by = actor.id;
        let created = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let created = calendars::insert_calendar(tx.exec(), &name, &spec, now()).await?;
                    audit(tx, Some(by), "calendar.create", ("calendar", Some(created.id)), &created).await?;
                    Ok::<_, AppError>(created)
                })
            })
            .await?;
        self.reload_engine().await?;
        Ok(created)
    }

    pub async fn update_calendar(&self, actor: &Actor, id: Id, input: CalendarInput) -> AppResult<Calendar> {
        actor.require_admin("calendars")?;
        let (name, spec) = parse_calendar(input)?;
        let by = actor.id;
        let updated = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let updated = calendars::update_calendar(tx.exec(), id, &name, &spec, now())
                        .await?
                        .ok_or_else(calendar_not_found)?;
                    audit(tx, Some(by), "calendar.update", ("calendar", Some(id)), &updated).await?;
                    Ok::<_, AppError>(updated)
                })
            })
            .await?;
        self.reload_engine().await?;
        Ok(updated)
    }

    pub async fn delete_calendar(&self, actor: &Actor, id: Id) -> AppResult<()> {
        actor.require_admin("calendars")?;
        let by = actor.id;
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    if sla_policies::policies_using_calendar(tx.exec(), id).await? > 0 {
                        return Err(AppError::Conflict {
                            code: "calendar_in_use",
                            message: "SLA policies count on this calendar; change them first".into(),
                        });
                    }
                    let removed = calendars::calendar_by_id(tx.exec(), id).await?.ok_or_else(calendar_not_found)?;
                    calendars::delete_calendar(tx.exec(), id).await?;
                    audit(tx, Some(by), "calendar.delete", ("calendar", Some(id)), &removed).await
                })
            })
            .await?;
        self.reload_engine().await
    }

    /// Adds the holidays (and 调休 working days, which get `working_day_hours`, default
    /// 09:00-18:00) of an iCalendar file to a calendar; dates already there are replaced.
    pub async fn import_holidays(&self, actor: &Actor, id: Id, ics: String, working_day_hours: Option<String>) -> AppResult<MergeReport> {
        actor.require_admin("calendars")?;
        let hours: Vec<DayInterval> = match working_day_hours.as_deref() {
            None | Some("") => vec![DayInterval::from_minutes(9 * 60, 18 * 60).map_err(|e| AppError::Internal(e.message))?],
            Some(text) => text
                .split(',')
                .map(|part| {
                    part.trim()
                        .parse::<DayInterval>()
                        .map_err(|e| AppError::field("working_day_hours", e.code, e.message))
                })
                .collect::<AppResult<_>>()?,
        };
        let by = actor.id;
        let updated = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let calendar = calendars::calendar_by_id(tx.exec(), id).await?.ok_or_else(calendar_not_found)?;
                    let zone = kefu_domain::calendar::parse_zone(&calendar.spec.zone).ok();
                    let imported = kefu_domain::ics::parse_holidays_with(
                        &ics,
                        &kefu_domain::ics::ImportOptions {
                            working_day_hours: &hours,
                            zone,
                            recurrence_from: Some(jiff::tz::TimeZone::UTC.to_datetime(now()).date()),
                        },
                    )?;
                    let mut spec = calendar.spec.clone();
                    let report = spec.merge_holidays(imported);
                    spec.to_calendar()?;
                    let after = calendars::update_calendar(tx.exec(), id, &calendar.name, &spec, now()).await?;
                    audit(tx, Some(by), "calendar.import_holidays", ("calendar", Some(id)), &after).await?;
                    Ok::<_, AppError>(report)
                })
            })
            .await?;
        self.reload_engine().await?;
        Ok(updated)
    }

    pub async fn sla_policies(&self, _actor: &Actor) -> AppResult<Vec<SlaPolicy>> {
        Ok(sla_policies::policies(self.db().read()).await?)
    }

    pub async fn create_sla_policy(&self, actor: &Actor, input: PolicyInput) -> AppResult<SlaPolicy> {
        actor.require_admin("SLA policies")?;
        let by = actor.id;
        let created = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let mut new = parse_policy(input)?;
                    check_calendar(tx, new.calendar_id).await?;
                    if new.position == i64::MIN {
                        let last = sla_policies::policies(tx.exec())
                            .await?
                            .iter()
                            .map(|p| p.position)
                            .max()
                            .unwrap_or(0);
                        new.position = last + 10;
                    }
                    let created = sla_policies::insert_policy(tx.exec(), &new, now()).await?;
                    audit(tx, Some(by), "sla_policy.create", ("sla_policy", Some(created.id)), &created).await?;
                    Ok::<_, AppError>(created)
                })
            })
            .await?;
        self.reload_engine().await?;
        Ok(created)
    }

    pub async fn update_sla_policy(&self, actor: &Actor, id: Id, input: PolicyInput) -> AppResult<SlaPolicy> {
        actor.require_admin("SLA policies")?;
        let by = actor.id;
        let updated = self
            .db()
            .write(move |tx| Box::pin(async move { save_policy(tx, by, id, input).await }))
            .await?;
        self.reload_engine().await?;
        Ok(updated)
    }

    /// Switches a policy on or off, everything else kept (tickets it matched keep their
    /// clocks until one of their fields changes). Read and written in one transaction, so
    /// an edit saved meanwhile is not undone.
    pub async fn set_sla_policy_active(&self, actor: &Actor, id: Id, active: bool) -> AppResult<SlaPolicy> {
        actor.require_admin("SLA policies")?;
        let by = actor.id;
        let updated = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let existing = sla_policies::policy_by_id(tx.exec(), id).await?.ok_or_else(policy_not_found)?;
                    let input = PolicyInput {
                        name: Some(existing.name),
                        position: Some(existing.position),
                        active,
                        conditions: existing.conditions,
                        targets: existing.targets,
                        calendar_id: existing.calendar_id,
                        pause_on_hold: existing.pause_on_hold,
                        warn_percent: existing.warn_percent,
                    };
                    save_policy(tx, by, id, input).await
                })
            })
            .await?;
        self.reload_engine().await?;
        Ok(updated)
    }

    pub async fn delete_sla_policy(&self, actor: &Actor, id: Id) -> AppResult<()> {
        actor.require_admin("SLA policies")?;
        let by = actor.id;
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let removed = sla_policies::policy_by_id(tx.exec(), id).await?.ok_or_else(policy_not_found)?;
                    sla_policies::delete_policy(tx.exec(), id).await?;
                    audit(tx, Some(by), "sla_policy.delete", ("sla_policy", Some(id)), &removed).await
                })
            })
            .await?;
        self.reload_engine().await
    }

    /// The ticket's clocks as of now: due times, time used and left, breached or not.
    pub async fn ticket_sla(&self, actor: &Actor, number: TicketNumber) -> AppResult<TicketSla> {
        let ticket = load_visible(self.db().read(), actor, number).await?;
        Ok(self.sla_of(&ticket))
    }

    /// A ticket's clocks as of now, from what the ticket holds (nothing is read).
    pub(crate) fn sla_of(&self, ticket: &kefu_domain::entities::Ticket) -> TicketSla {
        let engine = self.engine();
        let at = now();
        let calendar = engine.calendar_for_ticket(ticket);
        let state = ticket.sla.clone().unwrap_or_default();
        let policy = engine.policy(state.policy_id);
        TicketSla {
            policy_id: state.policy_id,
            policy_name: policy.map(|p| p.name.clone()),
            clocks: state.clocks.iter().map(|c| c.view(at, calendar)).collect(),
            breached: ticket.sla_breached || state.breached(at),
            open_until: calendar.open_until(at),
            open_now: calendar.is_open(at),
            as_of: at,
        }
    }

    /// The field engineer is on site: achieves the arrival target.
    pub async fn record_arrival(&self, actor: &Actor, number: TicketNumber) -> AppResult<kefu_domain::entities::Ticket> {
        let acting = actor.clone();
        self.change(actor, number, move |_tx, ticket, _at| {
            Box::pin(async move {
                if ticket.facts.arrived_at.is_some() {
                    return Err(AppError::Conflict {
                        code: "already_arrived",
                        message: "arrival on site is already recorded".into(),
                    });
                }
                let event = NewEvent::new(EventKind::ArrivedOnSite, ActorRef::agent(acting.id), serde_json::json!({}));
                Ok((ticket, vec![event]))
            })
        })
        .await
    }
}

fn calendar_not_found() -> AppError {
    AppError::NotFound {
        what: "calendar",
        code: "calendar_not_found",
    }
}

fn policy_not_found() -> AppError {
    AppError::NotFound {
        what: "SLA policy",
        code: "sla_policy_not_found",
    }
}

fn parse_name(name: Option<&str>, errors: &mut FieldErrors) -> Option<String> {
    match name.map(str::trim) {
        None | Some("") => errors.take(Err(FieldError::new("name", "required", "is required"))),
        Some(n) if n.chars().count() > 200 => errors.take(Err(FieldError::new("name", "too_long", "at most 200 characters"))),
        Some(n) => Some(n.to_owned()),
    }
}

fn parse_calendar(input: CalendarInput) -> AppResult<(String, CalendarSpec)> {
    let mut errors = FieldErrors::default();
    let name = parse_name(input.name.as_deref(), &mut errors);
    let spec = match input.spec {
        None => errors.take(Err(FieldError::new("spec", "required", "is required"))),
        Some(spec) => match spec.to_calendar() {
            Ok(_) => Some(spec),
            Err(kefu_domain::DomainError::Invalid(invalid)) => {
                for error in invalid.0 {
                    errors.push(error.under("spec"));
                }
                None
            }
            Err(other) => return Err(other.into()),
        },
    };
    errors.into_result()?;
    Ok((
        name.unwrap_or_default(),
        spec.ok_or_else(|| AppError::Internal("spec checked above".into()))?,
    ))
}

fn parse_policy(input: PolicyInput) -> AppResult<NewSlaPolicy> {
    let mut errors = FieldErrors::default();
    let name = parse_name(input.name.as_deref(), &mut errors);
    input.conditions.validate_for_policy("conditions", &mut errors);
    ClockRules::validate(&input.targets, input.warn_percent, &mut errors);
    if input.targets.is_empty() {
        errors.push(FieldError::new("targets", "required", "a policy promises at least one target"));
    }
    errors.into_result()?;
    Ok(NewSlaPolicy {
        name: name.unwrap_or_default(),
        position: input.position.unwrap_or(i64::MIN),
        active: input.active,
        conditions: input.conditions,
        targets: input.targets,
        calendar_id: input.calendar_id,
        pause_on_hold: input.pause_on_hold,
        warn_percent: input.warn_percent,
    })
}

async fn check_calendar(tx: &mut kefu_store::Tx, id: Option<Id>) -> AppResult<()> {
    if let Some(id) = id
        && calendars::calendar_by_id(tx.exec(), id).await?.is_none()
    {
        return Err(AppError::field("calendar_id", "unknown_calendar", "no such calendar"));
    }
    Ok(())
}

/// Replaces policy `id` with `input` (its position kept when none is given), audited.
async fn save_policy(tx: &mut Tx, by: Id, id: Id, input: PolicyInput) -> AppResult<SlaPolicy> {
    let mut new = parse_policy(input)?;
    check_calendar(tx, new.calendar_id).await?;
    let existing = sla_policies::policy_by_id(tx.exec(), id).await?.ok_or_else(policy_not_found)?;
    if new.position == i64::MIN {
        new.position = existing.position;
    }
    let updated = sla_policies::update_policy(tx.exec(), id, &new, now())
        .await?
        .ok_or_else(policy_not_found)?;
    audit(tx, Some(by), "sla_policy.update", ("sla_policy", Some(id)), &updated).await?;
    Ok(updated)
}
