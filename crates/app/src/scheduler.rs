//! The durable scheduler: fires what has come due, from the database, not from memory.
//!
//! Two sources: tickets whose SLA clocks need a look (`tickets.sla_check_at`, written with
//! the clocks) and the `timers` table (commitment reminders and due times, personal
//! reminders, rule delays). Each pass takes a batch of due work and does it in one write
//! transaction that also removes it (deletes the timer, moves the ticket's check instant
//! on), so every due item fires once: a crash before the commit leaves it to the next
//! pass after the restart, and with several nodes on PostgreSQL the rows a pass has taken
//! are locked and skipped by the others.
//!
//! Why a table-driven loop rather than a job crate: the SLA checks are ticket rows that
//! the commands already write, the timers need to commit atomically with the work they
//! trigger (through our single writer), and apalis' SQL backends bring a second sqlx.
//! Polling two indexed `MIN()`s every 200 ms costs nothing measurable and bounds lateness.

use crate::error::AppResult;
use crate::sla::Engine;
use crate::survey_mail::{self, SurveyMailer};
use crate::{App, commitments, now};
use jiff::Timestamp;
use kefu_domain::entities::{ActorRef, Id, Ticket};
use kefu_domain::event::{EventKind, NewEvent, TicketEvent};
use kefu_domain::service::{NewNotification, NotificationKind};
use kefu_domain::sla::AlertKind;
use kefu_store::timers::{self, NewTimer, Timer};
use kefu_store::{Tx, notifications, tickets};
use serde_json::json;
use std::time::Duration;
use tokio::sync::watch;

/// How much due work one transaction takes.
const BATCH: u32 = 500;
/// How often the scheduler looks for due work when idle.
const POLL: Duration = Duration::from_millis(200);
/// How often every routed team's queue is looked at even without a kick (after a restart,
/// or when a kick was dropped under load).
const SWEEP: Duration = Duration::from_secs(5);
/// How often idle-ticket rules look for tickets nobody touched.
const IDLE_RULES: Duration = Duration::from_secs(60);
/// How often the service configuration is re-read (other nodes may have changed it).
const RELOAD: Duration = Duration::from_secs(10);
/// How often expired web sessions are removed.
const SESSION_PURGE: Duration = Duration::from_secs(3600);

/// What a timer does when it fires; stored as its wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// A notification to an agent (`payload.agent_id`, `payload.text`).
    Reminder,
    /// A commitment is about to come due: remind its agent.
    CommitmentReminder,
    /// A commitment's due time: if still open, it is overdue.
    CommitmentDue,
    /// The delayed actions of an automation rule.
    RuleDelay,
    /// A satisfaction survey some time after a ticket was resolved.
    SurveyAfterResolution,
    /// The one reminder of a mailed survey still unanswered.
    SurveyReminder,
}

impl TimerKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TimerKind::Reminder => "reminder",
            TimerKind::CommitmentReminder => "commitment_reminder",
            TimerKind::CommitmentDue => "commitment_due",
            TimerKind::RuleDelay => "rule_delay",
            TimerKind::SurveyAfterResolution => "survey_after_resolution",
            TimerKind::SurveyReminder => "survey_reminder",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            TimerKind::Reminder,
            TimerKind::CommitmentReminder,
            TimerKind::CommitmentDue,
            TimerKind::RuleDelay,
            TimerKind::SurveyAfterResolution,
            TimerKind::SurveyReminder,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }

    pub(crate) fn timer(self, due_at: Timestamp, subject_id: Option<Id>, payload: serde_json::Value) -> NewTimer {
        NewTimer {
            due_at,
            kind: self.as_str().to_owned(),
            subject_id,
            payload,
        }
    }
}

/// Stops the scheduler when dropped or told to.
pub struct Scheduler {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Scheduler {
    /// Stops after the pass in progress, if any.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl App {
    /// Starts the scheduler loop.
    pub fn start_scheduler(&self) -> Scheduler {
        let (stop, mut stopped) = watch::channel(false);
        let app = self.clone();
        let task = tokio::spawn(async move {
            let mut last_reload = tokio::time::Instant::now();
            let mut last_sweep = tokio::time::Instant::now();
            let mut last_idle = tokio::time::Instant::now();
            let mut last_purge: Option<tokio::time::Instant> = None;
            // After a start, tickets that went idle in the last hour are caught up.
            let mut idle_since = now() - jiff::SignedDuration::from_hours(1);
            loop {
                let busy = match app.run_due_work(now()).await {
                    Ok(done) => done.full,
                    Err(error) => {
                        tracing::error!(%error, "scheduler pass failed; retrying");
                        false
                    }
                };
                if last_sweep.elapsed() >= SWEEP {
                    last_sweep = tokio::time::Instant::now();
                    app.sweep_routing();
                }
                if last_idle.elapsed() >= IDLE_RULES {
                    last_idle = tokio::time::Instant::now();
                    let at = now();
                    match app.run_idle_rules(idle_since, at).await {
                        Ok(_) => idle_since = at,
                        Err(error) => tracing::warn!(%error, "idle rules failed; the window is tried again"),
                    }
                }
                if last_purge.is_none_or(|at| at.elapsed() >= SESSION_PURGE) {
                    last_purge = Some(tokio::time::Instant::now());
                    if let Err(error) = app.purge_expired_sessions(now()).await {
                        tracing::warn!(%error, "removing expired sessions failed");
                    }
                }
                if last_reload.elapsed() >= RELOAD {
                    last_reload = tokio::time::Instant::now();
                    if let Err(error) = app.reload_engine().await {
                        tracing::warn!(%error, "reloading the service configuration failed");
                    }
                }
                if busy {
                    // More is due right now: go on at once (but let a stop through).
                    if *stopped.borrow() {
                        break;
                    }
                    continue;
                }
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = stopped.changed() => break,
                }
                if *stopped.borrow() {
                    break;
                }
            }
        });
        Scheduler { stop, task }
    }

    /// One pass: fires SLA checks and timers due at `now`. Public so tests and benchmarks
    /// can drive it.
    pub async fn run_due_work(&self, now: Timestamp) -> AppResult<DueWork> {
        let mut done = DueWork::default();
        // The two sources fail independently: a problem with one (say, a ticket whose
        // clocks cannot be read) must not stop the other.
        let checks = self
            .db()
            .write(move |tx| Box::pin(async move { check_sla_clocks(tx, now).await }))
            .await;
        let mut failure = None;
        match checks {
            Ok((checked, events)) => {
                done.sla_checks = checked;
                self.publish(events);
            }
            Err(error) => failure = Some(error),
        }
        let engine = self.engine();
        // Surveys sent and reminded from timers are mailed in the timers' transaction.
        let fired = match self.survey_mailer().await {
            Ok(mailer) => {
                self.db()
                    .write(move |tx| Box::pin(async move { fire_timers(tx, &engine, mailer.as_ref(), now).await }))
                    .await
            }
            Err(error) => Err(error),
        };
        match fired {
            Ok((count, groups)) => {
                done.timers = count;
                if count > 0 {
                    self.wake_mailer();
                }
                for (events, depth) in groups {
                    self.publish_at_depth(events, depth);
                }
            }
            Err(error) => {
                failure.get_or_insert(error);
            }
        }
        if let Some(error) = failure {
            return Err(error);
        }
        metrics::counter!("kefu_scheduler_sla_checks_total").increment(done.sla_checks as u64);
        metrics::counter!("kefu_scheduler_timers_fired_total").increment(done.timers as u64);
        done.full = done.sla_checks == BATCH as usize || done.timers == BATCH as usize;
        Ok(done)
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DueWork {
    pub sla_checks: usize,
    pub timers: usize,
    /// A batch was full: more may be due.
    pub full: bool,
}

/// Records the warnings and breaches that have come due, each once, with its exact
/// instant, and notifies whoever holds the ticket.
async fn check_sla_clocks(tx: &mut Tx, now: Timestamp) -> AppResult<(usize, Vec<TicketEvent>)> {
    let due = tickets::tickets_due_for_sla_check(tx.exec(), now, BATCH).await?;
    let mut stored = Vec::new();
    let mut notes = Vec::new();
    let checked = due.len();
    for mut ticket in due {
        let Some(mut state) = ticket.sla.clone() else {
            // A check instant without clocks cannot happen; clear it rather than meet
            // the ticket again on every pass.
            ticket.set_sla(None);
            tickets::update_ticket(tx.exec(), &ticket).await?;
            continue;
        };
        let alerts = state.take_alerts(now);
        ticket.set_sla(Some(state));
        tickets::update_ticket(tx.exec(), &ticket).await?;
        let events: Vec<NewEvent> = alerts
            .iter()
            .map(|alert| {
                let kind = match alert.kind {
                    AlertKind::Warning => EventKind::SlaWarning,
                    AlertKind::Breach => EventKind::SlaBreached,
                };
                NewEvent::new(
                    kind,
                    ActorRef::SYSTEM,
                    json!({ "metric": alert.metric, "cycle": alert.cycle, "at": alert.at, "due_at": alert.due_at }),
                )
            })
            .collect();
        for alert in &alerts {
            if let Some(agent) = holder(&ticket) {
                notes.push(NewNotification {
                    agent_id: agent,
                    kind: match alert.kind {
                        AlertKind::Warning => NotificationKind::SlaWarning,
                        AlertKind::Breach => NotificationKind::SlaBreached,
                    },
                    ticket_id: Some(ticket.id),
                    data: json!({ "metric": alert.metric, "at": alert.at, "due_at": alert.due_at }),
                });
            }
        }
        stored.extend(crate::tickets::record(tx, &ticket, &events, now).await?);
    }
    notifications::insert_notifications(tx.exec(), &notes, now).await?;
    Ok((checked, stored))
}

/// Fires the due timers; returns how many, and their events grouped by the rule depth
/// they carry (0 for everything but rule delays).
async fn fire_timers(
    tx: &mut Tx,
    engine: &Engine,
    mailer: Option<&SurveyMailer>,
    now: Timestamp,
) -> AppResult<(usize, Vec<(Vec<TicketEvent>, u8)>)> {
    let due = timers::take_due(tx.exec(), now, BATCH).await?;
    for timer in &due {
        // How late it fires: from its due time to the moment its transaction runs.
        let late = Timestamp::now().duration_since(timer.due_at).as_secs_f64().max(0.0);
        metrics::histogram!("kefu_scheduler_lateness_seconds").record(late);
    }
    let mut stored = Vec::new();
    let mut groups = Vec::new();
    let mut reminders = Vec::new();
    let mut surveys = Vec::new();
    for timer in &due {
        match TimerKind::parse(&timer.kind) {
            Some(TimerKind::Reminder) => reminders.extend(reminder(timer)),
            Some(TimerKind::CommitmentReminder) => stored.extend(commitments::remind(tx, timer, now).await?),
            Some(TimerKind::CommitmentDue) => stored.extend(commitments::come_due(tx, timer, now).await?),
            Some(TimerKind::RuleDelay) => groups.push(crate::automation::run_delayed(tx, engine, timer, now).await?),
            Some(TimerKind::SurveyAfterResolution) => surveys.push(timer),
            Some(TimerKind::SurveyReminder) => {
                survey_mail::remind(tx, mailer, timer, now).await?;
            }
            None => tracing::error!(kind = timer.kind, id = timer.id, "timer of unknown kind dropped"),
        }
    }
    stored.extend(crate::surveys::send_after_resolution(tx, mailer, &surveys, now).await?);
    notifications::insert_notifications(tx.exec(), &reminders, now).await?;
    groups.push((stored, 0));
    Ok((due.len(), groups))
}

/// The notification a reminder timer makes; a malformed one is logged and dropped rather
/// than failing (and so repeating) the whole batch.
fn reminder(timer: &Timer) -> Option<NewNotification> {
    let Some(agent_id) = timer.payload.get("agent_id").and_then(|a| a.as_i64()) else {
        tracing::error!(id = timer.id, "reminder timer without an agent dropped");
        return None;
    };
    Some(NewNotification {
        agent_id,
        kind: NotificationKind::Reminder,
        ticket_id: timer.payload.get("ticket_id").and_then(|t| t.as_i64()),
        data: json!({ "text": timer.payload.get("text"), "due_at": timer.due_at, "timer": timer.id }),
    })
}

/// Who is notified about a ticket: its assignee, else its owner.
pub(crate) fn holder(ticket: &Ticket) -> Option<Id> {
    ticket.assignee_id.or(ticket.owner_id)
}
