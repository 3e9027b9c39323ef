//! SLA clocks: how long a ticket has waited for what it was promised, counted on a business
//! calendar, paused and resumed exactly as the rules below say.
//!
//! A ticket's [`SlaState`] is a fold over its clock history ([`ClockEvent`]s, derived from
//! ticket events by [`clock_event`]). Commands apply each new event to the stored state;
//! when the policy changes (a new priority, say) the state is rebuilt by replaying the
//! whole history under the new targets, so due times follow from what happened, not from
//! the moment of the change. Both paths run the same [`SlaState::apply`].
//!
//! # Clock rules
//!
//! * **First response** starts when the ticket is created and is achieved by the first
//!   public reply of a human agent. Notes, bot answers and automatic acknowledgements do
//!   not count. Resolving or closing the ticket before any reply cancels it.
//! * **Next response** starts at every customer message after the first agent reply (a
//!   new cycle each time; a second customer message while one runs changes nothing) and
//!   is achieved by the next public agent reply. Resolving or closing cancels a running
//!   cycle.
//! * **Resolution** starts at creation and is achieved when the ticket is resolved (or
//!   closed). `pending` (waiting on the customer) pauses it and the customer's message,
//!   which reopens the ticket, resumes it; `on_hold` pauses it only if the policy says so.
//!   Reopening a resolved ticket resumes the clock from the time already used.
//! * **Arrival** (field service) starts at creation and is achieved when the engineer
//!   records arrival on site; resolving or closing first cancels it.
//! * A target is breached when its counted time exceeds the target; achieving exactly on
//!   the due instant is on time. The breach instant is exact (the due time), whenever
//!   Kefu notices it.
//! * A warning is due when the counted time reaches `warn_percent` of the target.
//!
//! Business targets count only open time of the policy's calendar; calendar targets count
//! all elapsed time.

use crate::calendar::BusinessCalendar;
use crate::entities::Id;
use crate::enums::{ActorKind, text_enum};
use crate::error::{FieldError, FieldErrors};
use crate::event::{EventKind, TicketEvent};
use crate::status::Status;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

text_enum!(
    /// What a target measures.
    Metric {
        FirstResponse = "first_response",
        NextResponse = "next_response",
        Resolution = "resolution",
        Arrival = "arrival",
    }
);

text_enum!(
    /// Where a clock stands.
    Phase {
        /// Not started (a next-response clock before any customer message).
        Idle = "idle",
        Running = "running",
        Paused = "paused",
        Achieved = "achieved",
        /// Stopped without being achieved (resolved before any reply).
        Cancelled = "cancelled",
    }
);

/// Longest target accepted: a year.
pub const MAX_TARGET_SECONDS: u32 = 366 * 24 * 3600;

/// One promise of a policy: `metric` within `seconds`, counted in business hours of the
/// policy's calendar or in elapsed time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub metric: Metric,
    pub seconds: u32,
    #[serde(default = "business_hours_by_default")]
    pub business_hours: bool,
}

fn business_hours_by_default() -> bool {
    true
}

/// What the clocks of a policy need to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockRules {
    pub targets: Vec<Target>,
    /// Whether `on_hold` pauses the resolution clock (pending always does).
    pub pause_on_hold: bool,
    /// Warn when this share of a target is used (1..=99).
    pub warn_percent: u8,
}

impl ClockRules {
    /// Checks targets: each metric at most once, 1 second to a year.
    pub fn validate(targets: &[Target], warn_percent: u8, errors: &mut FieldErrors) {
        for (i, target) in targets.iter().enumerate() {
            if target.seconds == 0 || target.seconds > MAX_TARGET_SECONDS {
                errors.push(FieldError::new(
                    format!("targets[{i}].seconds"),
                    "out_of_range",
                    format!("must be 1 to {MAX_TARGET_SECONDS} seconds"),
                ));
            }
            if targets[..i].iter().any(|t| t.metric == target.metric) {
                errors.push(FieldError::new(
                    format!("targets[{i}].metric"),
                    "duplicate_metric",
                    format!("{} already has a target", target.metric),
                ));
            }
        }
        if !(1..=99).contains(&warn_percent) {
            errors.push(FieldError::new("warn_percent", "out_of_range", "must be 1 to 99"));
        }
    }
}

/// What a clock reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happening {
    Created {
        status: Status,
    },
    /// A public reply by a human agent.
    AgentReplied,
    CustomerMessaged,
    StatusChanged {
        to: Status,
    },
    ArrivedOnSite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockEvent {
    pub at: Timestamp,
    pub happening: Happening,
}

/// The clock meaning of a stored ticket event, if it has one.
pub fn clock_event(event: &TicketEvent) -> Option<ClockEvent> {
    clock_event_of(event.kind, event.actor.kind, &event.data, event.at)
}

/// The clock meaning of an event of `kind` by an actor of `actor` with `data`, at `at`.
pub fn clock_event_of(kind: EventKind, actor: ActorKind, data: &serde_json::Value, at: Timestamp) -> Option<ClockEvent> {
    let happening = match kind {
        EventKind::Created => Happening::Created { status: Status::New },
        EventKind::MessageAdded => match data.get("kind").and_then(|k| k.as_str()) {
            Some("reply") if actor == ActorKind::Agent => Happening::AgentReplied,
            Some("customer") => Happening::CustomerMessaged,
            _ => return None,
        },
        EventKind::StatusChanged => {
            let to = data.get("after").and_then(|s| s.as_str())?;
            Happening::StatusChanged {
                to: Status::parse("status", to).ok()?,
            }
        }
        EventKind::ArrivedOnSite => Happening::ArrivedOnSite,
        _ => return None,
    };
    Some(ClockEvent { at, happening })
}

/// Keeps a ticket's service facts as its clock events happen. `previous` is the status
/// before the event (a reopen is a move out of `resolved`).
pub fn update_facts(
    facts: &mut crate::entities::ServiceFacts,
    ticket: &crate::entities::Ticket,
    previous: Status,
    event: &ClockEvent,
    calendar: &BusinessCalendar,
) {
    let since_creation = |at: Timestamp| {
        (
            at.as_millisecond() - ticket.created_at.as_millisecond(),
            calendar.business_millis_between(ticket.created_at, at),
        )
    };
    match event.happening {
        Happening::AgentReplied => {
            facts.agent_replies += 1;
            if facts.first_response_ms.is_none() {
                let (elapsed, business) = since_creation(event.at);
                facts.first_response_ms = Some(elapsed);
                facts.first_response_business_ms = Some(business);
            }
        }
        Happening::StatusChanged { to: Status::Resolved } if previous != Status::Resolved => {
            let (elapsed, business) = since_creation(event.at);
            facts.resolution_ms = Some(elapsed);
            facts.resolution_business_ms = Some(business);
            if facts.first_contact_resolved.is_none() {
                facts.first_contact_resolved = Some(ticket.transfer_count == 0 && ticket.reopen_count == 0);
            }
        }
        Happening::StatusChanged { to } if previous == Status::Resolved && to.is_active() => {
            facts.first_contact_resolved = Some(false);
        }
        Happening::ArrivedOnSite if facts.arrived_at.is_none() => facts.arrived_at = Some(event.at),
        _ => {}
    }
}

/// One target's clock. Stored as compact JSON on the ticket row (instants as epoch
/// milliseconds, empty and zero fields left out): it is written with every ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub metric: Metric,
    pub target_seconds: u32,
    pub business_hours: bool,
    pub phase: Phase,
    /// Which round this is (next response: one per customer message); 0 before the first.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cycle: u32,
    /// Counted time before `running_since`, in milliseconds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub used_ms: i64,
    #[serde(
        default,
        with = "jiff::fmt::serde::timestamp::millisecond::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub running_since: Option<Timestamp>,
    /// When the target is breached if the clock keeps running (running clocks only).
    #[serde(
        default,
        with = "jiff::fmt::serde::timestamp::millisecond::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_at: Option<Timestamp>,
    /// When the warning share is reached if the clock keeps running (running clocks only).
    #[serde(
        default,
        with = "jiff::fmt::serde::timestamp::millisecond::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub warn_at: Option<Timestamp>,
    #[serde(
        default,
        with = "jiff::fmt::serde::timestamp::millisecond::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub achieved_at: Option<Timestamp>,
    /// The exact instant this cycle's target was breached, once known to have passed.
    #[serde(
        default,
        with = "jiff::fmt::serde::timestamp::millisecond::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub breached_at: Option<Timestamp>,
    /// Cycles breached so far, this one included once breached.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub breaches: u32,
    /// Whether this cycle's warning event was recorded.
    #[serde(default, skip_serializing_if = "is_false")]
    pub warned: bool,
    /// Whether this cycle's breach event was recorded.
    #[serde(default, skip_serializing_if = "is_false")]
    pub breach_recorded: bool,
}

/// A warning or breach that has come due, for the scheduler to record as an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    pub metric: Metric,
    pub cycle: u32,
    pub kind: AlertKind,
    /// The exact instant it happened (may be before it was noticed).
    pub at: Timestamp,
    /// The due time of the cycle.
    pub due_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Warning,
    Breach,
}

/// How counted time is measured for one clock: on the calendar, or elapsed.
struct Ruler<'a> {
    calendar: &'a BusinessCalendar,
    business: bool,
}

impl Ruler<'_> {
    fn between(&self, a: Timestamp, b: Timestamp) -> i64 {
        if self.business {
            self.calendar.business_millis_between(a, b)
        } else {
            b.as_millisecond() - a.as_millisecond()
        }
    }

    /// `ms` of counted time after `start`; `None` if that never comes (closed forever).
    fn add(&self, start: Timestamp, ms: i64) -> Option<Timestamp> {
        if self.business {
            self.calendar.checked_add_business_millis(start, ms)
        } else {
            start.checked_add(jiff::SignedDuration::from_millis(ms)).ok()
        }
    }
}

impl Clock {
    fn new(target: &Target) -> Self {
        Clock {
            metric: target.metric,
            target_seconds: target.seconds,
            business_hours: target.business_hours,
            phase: Phase::Idle,
            cycle: 0,
            used_ms: 0,
            running_since: None,
            due_at: None,
            warn_at: None,
            achieved_at: None,
            breached_at: None,
            breaches: 0,
            warned: false,
            breach_recorded: false,
        }
    }

    fn target_ms(&self) -> i64 {
        i64::from(self.target_seconds) * 1000
    }

    fn ruler<'a>(&self, calendar: &'a BusinessCalendar) -> Ruler<'a> {
        Ruler {
            calendar,
            business: self.business_hours,
        }
    }

    /// Starts a fresh cycle at `at`.
    fn start_cycle(&mut self, at: Timestamp, warn_percent: u8, calendar: &BusinessCalendar) {
        self.cycle += 1;
        self.used_ms = 0;
        self.achieved_at = None;
        self.breached_at = None;
        self.warned = false;
        self.breach_recorded = false;
        self.run(at, warn_percent, calendar);
    }

    /// Runs from `at` on, with the time already used.
    fn run(&mut self, at: Timestamp, warn_percent: u8, calendar: &BusinessCalendar) {
        let ruler = self.ruler(calendar);
        self.phase = Phase::Running;
        self.running_since = Some(at);
        let target = self.target_ms();
        self.due_at = ruler.add(at, target - self.used_ms);
        let warn_ms = target * i64::from(warn_percent) / 100;
        self.warn_at = ruler.add(at, (warn_ms - self.used_ms).max(0));
    }

    /// Ends the running segment at `at`, moving to `phase`.
    fn stop(&mut self, at: Timestamp, phase: Phase, calendar: &BusinessCalendar) {
        if let Some(since) = self.running_since.take() {
            self.used_ms += self.ruler(calendar).between(since, at);
            if self.breached_at.is_none() && self.used_ms > self.target_ms() {
                self.breached_at = self.due_at;
                self.breaches += 1;
            }
        }
        self.due_at = None;
        self.warn_at = None;
        self.phase = phase;
        if phase == Phase::Achieved {
            self.achieved_at = Some(at);
        }
    }

    fn is_live(&self) -> bool {
        matches!(self.phase, Phase::Running | Phase::Paused)
    }

    /// Counted time up to `now`.
    pub fn used_at(&self, now: Timestamp, calendar: &BusinessCalendar) -> i64 {
        match (self.phase, self.running_since) {
            (Phase::Running, Some(since)) if now > since => self.used_ms + self.ruler(calendar).between(since, now),
            _ => self.used_ms,
        }
    }

    /// Whether this cycle is breached as of `now`.
    pub fn breached_by(&self, now: Timestamp) -> bool {
        self.breached_at.is_some_and(|b| b <= now) || (self.phase == Phase::Running && self.due_at.is_some_and(|d| d <= now))
    }
}

/// All clocks of one ticket (storage form; the API shows [`ClockView`]s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaState {
    /// The policy the clocks follow; none when no policy matched.
    pub policy_id: Option<Id>,
    pub clocks: Vec<Clock>,
    /// The ticket status as the clocks last saw it.
    #[serde(default = "new_status")]
    pub status: Status,
    /// Whether an agent has replied publicly (next-response cycles start after that).
    #[serde(default, skip_serializing_if = "is_false")]
    pub replied: bool,
}

fn is_zero<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn is_false(value: &bool) -> bool {
    !value
}

fn new_status() -> Status {
    Status::New
}

impl Default for SlaState {
    /// No policy, no clocks.
    fn default() -> Self {
        SlaState {
            policy_id: None,
            clocks: Vec::new(),
            status: Status::New,
            replied: false,
        }
    }
}

impl SlaState {
    /// Fresh clocks for a policy, before any event.
    pub fn new(policy_id: Option<Id>, rules: &ClockRules) -> Self {
        SlaState {
            policy_id,
            clocks: rules.targets.iter().map(Clock::new).collect(),
            status: Status::New,
            replied: false,
        }
    }

    /// Rebuilds the clocks under `rules` from the whole history. Warning and breach events
    /// already recorded under the previous state stay recorded when they still hold (so a
    /// recomputation does not repeat them), and are forgotten when they no longer do.
    pub fn replay(
        policy_id: Option<Id>,
        rules: &ClockRules,
        calendar: &BusinessCalendar,
        history: &[ClockEvent],
        previous: Option<&SlaState>,
        now: Timestamp,
    ) -> Self {
        let mut state = SlaState::new(policy_id, rules);
        for event in history {
            state.apply(rules, calendar, event);
        }
        if let Some(previous) = previous {
            for clock in &mut state.clocks {
                let Some(old) = previous.clocks.iter().find(|o| o.metric == clock.metric && o.cycle == clock.cycle) else {
                    continue;
                };
                clock.warned = old.warned && clock.warn_at.is_none_or(|w| w <= now);
                clock.breach_recorded = old.breach_recorded && clock.breached_by(now);
            }
        }
        state
    }

    /// Applies one event. Events must come in time order.
    pub fn apply(&mut self, rules: &ClockRules, calendar: &BusinessCalendar, event: &ClockEvent) {
        let at = event.at;
        let warn = rules.warn_percent;
        match event.happening {
            Happening::Created { status } => {
                self.status = status;
                for clock in &mut self.clocks {
                    if clock.metric != Metric::NextResponse && clock.phase == Phase::Idle {
                        clock.start_cycle(at, warn, calendar);
                        if clock.metric == Metric::Resolution && pauses(status, rules) {
                            clock.stop(at, Phase::Paused, calendar);
                        }
                    }
                }
            }
            Happening::AgentReplied => {
                self.replied = true;
                for clock in &mut self.clocks {
                    if matches!(clock.metric, Metric::FirstResponse | Metric::NextResponse) && clock.is_live() {
                        clock.stop(at, Phase::Achieved, calendar);
                    }
                }
            }
            Happening::CustomerMessaged => {
                if self.replied {
                    for clock in &mut self.clocks {
                        if clock.metric == Metric::NextResponse && !clock.is_live() {
                            clock.start_cycle(at, warn, calendar);
                        }
                    }
                }
            }
            Happening::ArrivedOnSite => {
                for clock in &mut self.clocks {
                    if clock.metric == Metric::Arrival && clock.is_live() {
                        clock.stop(at, Phase::Achieved, calendar);
                    }
                }
            }
            Happening::StatusChanged { to } => {
                let from = self.status;
                self.status = to;
                let finished = matches!(to, Status::Resolved | Status::Closed);
                for clock in &mut self.clocks {
                    if clock.metric == Metric::Resolution {
                        resolution_on_status(clock, from, to, rules, calendar, at);
                    } else if finished && clock.is_live() {
                        clock.stop(at, Phase::Cancelled, calendar);
                    }
                }
            }
        }
    }

    /// Warnings and breaches due by `now` that are not recorded yet; marks them recorded.
    pub fn take_alerts(&mut self, now: Timestamp) -> Vec<Alert> {
        let mut alerts = Vec::new();
        for clock in &mut self.clocks {
            if clock.phase == Phase::Running
                && !clock.warned
                && let Some(warn_at) = clock.warn_at
                && warn_at <= now
            {
                clock.warned = true;
                // A warning that comes with the breach itself says nothing new.
                if !clock.breached_by(now) {
                    alerts.push(Alert {
                        metric: clock.metric,
                        cycle: clock.cycle,
                        kind: AlertKind::Warning,
                        at: warn_at,
                        due_at: clock.due_at,
                    });
                }
            }
            if !clock.breach_recorded && clock.breached_by(now) {
                clock.breach_recorded = true;
                clock.warned = true;
                if clock.breached_at.is_none() {
                    clock.breached_at = clock.due_at;
                    clock.breaches += 1;
                }
                alerts.push(Alert {
                    metric: clock.metric,
                    cycle: clock.cycle,
                    kind: AlertKind::Breach,
                    at: clock.breached_at.or(clock.due_at).unwrap_or(now),
                    due_at: clock.due_at.or(clock.breached_at),
                });
            }
        }
        alerts
    }

    /// When the scheduler must look at this ticket again: the next unrecorded warning or
    /// breach.
    pub fn next_check_at(&self) -> Option<Timestamp> {
        self.clocks
            .iter()
            .flat_map(|c| {
                let running = c.phase == Phase::Running;
                [
                    (running && !c.warned).then_some(c.warn_at).flatten(),
                    (!c.breach_recorded)
                        .then_some(if running { c.due_at } else { c.breached_at })
                        .flatten(),
                ]
            })
            .flatten()
            .min()
    }

    /// The nearest due time of a running clock (for "sort by nearest due").
    pub fn due_at(&self) -> Option<Timestamp> {
        self.running().filter_map(|c| c.due_at).min()
    }

    /// The nearest instant a running clock becomes at risk.
    pub fn warn_at(&self) -> Option<Timestamp> {
        self.running().filter_map(|c| c.warn_at).min()
    }

    /// Whether a breach has been recorded (noticed by a command or the scheduler).
    pub fn breach_recorded(&self) -> bool {
        self.clocks.iter().any(|c| c.breaches > 0 || c.breach_recorded)
    }

    /// Whether any clock was ever breached as of `now`.
    pub fn breached(&self, now: Timestamp) -> bool {
        self.clocks.iter().any(|c| c.breaches > 0 || c.breached_by(now))
    }

    pub fn clock(&self, metric: Metric) -> Option<&Clock> {
        self.clocks.iter().find(|c| c.metric == metric)
    }

    fn running(&self) -> impl Iterator<Item = &Clock> {
        self.clocks.iter().filter(|c| c.phase == Phase::Running)
    }
}

fn pauses(status: Status, rules: &ClockRules) -> bool {
    status == Status::Pending || (status == Status::OnHold && rules.pause_on_hold)
}

fn resolution_on_status(clock: &mut Clock, from: Status, to: Status, rules: &ClockRules, calendar: &BusinessCalendar, at: Timestamp) {
    let warn = rules.warn_percent;
    let finished = matches!(to, Status::Resolved | Status::Closed);
    match clock.phase {
        Phase::Running if finished => clock.stop(at, Phase::Achieved, calendar),
        Phase::Running if pauses(to, rules) => clock.stop(at, Phase::Paused, calendar),
        Phase::Paused if finished => clock.stop(at, Phase::Achieved, calendar),
        Phase::Paused if !pauses(to, rules) => clock.run(at, warn, calendar),
        // Reopened: carry on from the time already used.
        Phase::Achieved if !finished && matches!(from, Status::Resolved | Status::Closed) => {
            clock.achieved_at = None;
            if pauses(to, rules) {
                clock.phase = Phase::Paused;
            } else {
                clock.run(at, warn, calendar);
            }
        }
        _ => {}
    }
}

/// A clock as an API shows it at a moment: time used and left, breached or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockView {
    pub metric: Metric,
    pub phase: Phase,
    pub cycle: u32,
    pub target_seconds: u32,
    pub business_hours: bool,
    /// Counted time used so far (this cycle), in seconds.
    pub used_seconds: i64,
    /// Counted time left before the breach (negative when over), in seconds.
    pub remaining_seconds: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub warn_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub achieved_at: Option<Timestamp>,
    pub breached: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub breached_at: Option<Timestamp>,
    /// Cycles breached so far (next response can breach more than once).
    pub breaches: u32,
}

impl Clock {
    pub fn view(&self, now: Timestamp, calendar: &BusinessCalendar) -> ClockView {
        let used = self.used_at(now, calendar);
        let breached = self.breached_by(now);
        ClockView {
            metric: self.metric,
            phase: self.phase,
            cycle: self.cycle,
            target_seconds: self.target_seconds,
            business_hours: self.business_hours,
            used_seconds: used / 1000,
            remaining_seconds: (self.target_ms() - used) / 1000,
            due_at: self.due_at,
            warn_at: self.warn_at,
            achieved_at: self.achieved_at,
            breached,
            breached_at: self.breached_at.or(if breached { self.due_at } else { None }),
            breaches: self.breaches + u32::from(breached && self.breached_at.is_none()),
        }
    }
}

#[cfg(test)]
mod tests;
