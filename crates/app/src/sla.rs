//! The service configuration commands consult (SLA policies, calendars, routed teams),
//! and SLA clocks inside commands: which policy applies to a ticket, and bringing its clocks
//! and service facts up to date with the events of the command that changes it, in the
//! same transaction. The clock rules themselves are in `kefu_domain::sla`.

use crate::error::AppResult;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_domain::calendar::BusinessCalendar;
use kefu_domain::conditions::Subject;
use kefu_domain::entities::{ActorRef, Id, Ticket};
use kefu_domain::enums::CustomerTier;
use kefu_domain::event::{EventKind, NewEvent};
use kefu_domain::service::SlaPolicy;
use kefu_domain::sla::{ClockEvent, Phase, SlaState, clock_event, clock_event_of, update_facts};
use kefu_store::{Exec, Tx};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The service configuration commands consult: policies in rank order with their
/// calendars. Loaded from the store, replaced whole when an admin changes it.
pub(crate) struct Engine {
    policies: Vec<(SlaPolicy, Arc<BusinessCalendar>)>,
    calendars: HashMap<Id, Arc<BusinessCalendar>>,
    /// For facts of tickets no policy covers: elapsed time, 24x7.
    always_open: Arc<BusinessCalendar>,
    /// Whether any active policy looks at the customer's tier (else the customer is not
    /// loaded for it).
    uses_tiers: bool,
    /// Teams that assign work automatically (kicks for other teams cost nothing).
    routed_teams: std::collections::BTreeSet<Id>,
    /// Active automation rules by trigger.
    rules: crate::automation::RuleBook,
}

impl Engine {
    pub(crate) fn empty() -> Self {
        Engine {
            policies: Vec::new(),
            calendars: HashMap::new(),
            always_open: Arc::new(BusinessCalendar::always_open(TimeZone::UTC)),
            uses_tiers: false,
            routed_teams: Default::default(),
            rules: Default::default(),
        }
    }

    pub(crate) async fn load(mut ex: Exec<'_>) -> AppResult<Self> {
        let mut engine = Engine::empty();
        for calendar in kefu_store::calendars::calendars(ex.reborrow()).await? {
            match calendar.spec.to_calendar() {
                Ok(built) => {
                    engine.calendars.insert(calendar.id, Arc::new(built));
                }
                Err(error) => tracing::error!(calendar = calendar.id, ?error, "stored calendar does not build; skipped"),
            }
        }
        engine.routed_teams = kefu_store::people::routed_teams(ex.reborrow()).await?.into_iter().collect();
        engine.rules = crate::automation::RuleBook::new(kefu_store::rules::rules(ex.reborrow()).await?);
        for policy in kefu_store::sla_policies::policies(ex).await? {
            if !policy.active {
                continue;
            }
            let calendar = match policy.calendar_id {
                Some(id) => engine.calendars.get(&id).cloned().unwrap_or_else(|| engine.always_open.clone()),
                None => engine.always_open.clone(),
            };
            engine.uses_tiers |= !policy.conditions.tiers.is_empty();
            engine.policies.push((policy, calendar));
        }
        Ok(engine)
    }

    pub(crate) fn rules(&self) -> &crate::automation::RuleBook {
        &self.rules
    }

    pub(crate) fn routes(&self, team: Id) -> bool {
        self.routed_teams.contains(&team)
    }

    pub(crate) fn routed_teams(&self) -> Vec<Id> {
        self.routed_teams.iter().copied().collect()
    }

    /// The first active policy in rank order whose conditions match.
    pub(crate) fn policy_for(&self, ticket: &Ticket, tier: CustomerTier) -> Option<&(SlaPolicy, Arc<BusinessCalendar>)> {
        let subject = Subject {
            ticket,
            tier,
            text: None,
            open_now: true,
        };
        self.policies.iter().find(|(policy, _)| policy.conditions.matches(&subject))
    }

    /// The calendar the clocks of `ticket` count on (24x7 when its policy is gone).
    pub(crate) fn calendar_for_ticket(&self, ticket: &Ticket) -> &BusinessCalendar {
        let policy_id = ticket.sla.as_ref().and_then(|s| s.policy_id);
        policy_id
            .and_then(|id| self.policies.iter().find(|(p, _)| p.id == id))
            .map_or(&self.always_open, |(_, calendar)| calendar)
    }

    /// The calendar reports count business time on and whose zone their days are in: the
    /// department's first calendar (the seeded office calendar), else UTC around the clock.
    pub(crate) fn reporting_calendar(&self) -> Arc<BusinessCalendar> {
        self.calendars
            .iter()
            .min_by_key(|(id, _)| **id)
            .map_or_else(|| self.always_open.clone(), |(_, calendar)| calendar.clone())
    }

    pub(crate) fn policy(&self, id: Option<Id>) -> Option<&SlaPolicy> {
        let id = id?;
        self.policies.iter().map(|(p, _)| p).find(|p| p.id == id)
    }
}

/// The current engine, shared by the app and its background tasks.
#[derive(Clone)]
pub(crate) struct EngineCache(Arc<RwLock<Arc<Engine>>>);

impl EngineCache {
    pub(crate) fn new() -> Self {
        EngineCache(Arc::new(RwLock::new(Arc::new(Engine::empty()))))
    }

    pub(crate) fn get(&self) -> Arc<Engine> {
        match self.0.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn set(&self, engine: Engine) {
        match self.0.write() {
            Ok(mut guard) => *guard = Arc::new(engine),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(engine),
        }
    }
}

/// Clocks for a ticket about to be created (nothing stored yet): the matching policy's
/// clocks after the creation event.
pub(crate) fn initial_clocks(engine: &Engine, ticket: &Ticket, tier: CustomerTier) -> Option<SlaState> {
    let (policy, calendar) = engine.policy_for(ticket, tier)?;
    let rules = policy.rules();
    let mut state = SlaState::new(Some(policy.id), &rules);
    let created = clock_event_of(EventKind::Created, ActorRef::SYSTEM.kind, &json!({}), ticket.created_at)?;
    state.apply(&rules, calendar, &created);
    Some(state)
}

/// The ticket `new` will become, for choosing its policy before it is inserted (id and
/// number are not known yet and play no part in conditions).
pub(crate) fn preview(new: &kefu_store::tickets::NewTicket, at: Timestamp) -> Ticket {
    Ticket {
        id: 0,
        number: 0,
        subject: new.subject.clone(),
        description: String::new(),
        kind: new.kind,
        channel: new.channel,
        status: kefu_domain::status::Status::New,
        priority: new.priority,
        category: new.category.clone(),
        tags: new.tags.clone(),
        customer_id: new.customer_id,
        team_id: new.team_id,
        assignee_id: None,
        owner_id: None,
        expected_resolution: None,
        custom: Default::default(),
        transfer_count: 0,
        has_public_reply: false,
        reopen_count: 0,
        follow_up_of: new.follow_up_of,
        created_at: at,
        updated_at: at,
        first_reply_at: None,
        resolved_at: None,
        language: new.language.clone(),
        required_skills: new.required_skills.clone(),
        sla: None,
        sla_due_at: None,
        sla_breached: false,
        facts: Default::default(),
    }
}

/// The tier conditions see: loaded only when some policy asks for it.
pub(crate) async fn tier_of(ex: Exec<'_>, engine: &Engine, customer_id: Id) -> AppResult<CustomerTier> {
    if !engine.uses_tiers {
        return Ok(CustomerTier::Normal);
    }
    Ok(kefu_store::customers::customer_by_id(ex, customer_id)
        .await?
        .map_or(CustomerTier::Normal, |c| c.tier))
}

/// Brings `ticket`'s clocks and service facts up to date with `events` (this command's,
/// all at `at`), re-choosing the policy first. When the policy changes, the clocks are
/// replayed from the ticket's whole history (so a new priority recomputes due times from
/// what happened, not from now) and the change is recorded as an event. Clocks that
/// stop achieved are recorded too.
pub(crate) async fn update_clocks(
    tx: &mut Tx,
    engine: &Engine,
    ticket: &mut Ticket,
    previous_status: kefu_domain::status::Status,
    events: &mut Vec<NewEvent>,
    at: Timestamp,
) -> AppResult<()> {
    let happened: Vec<ClockEvent> = events
        .iter()
        .filter_map(|e| clock_event_of(e.kind, e.actor.kind, &e.data, at))
        .collect();
    let tier = tier_of(tx.exec(), engine, ticket.customer_id).await?;
    let chosen = engine.policy_for(ticket, tier);
    let before = ticket.sla.clone();
    let before_policy = before.as_ref().and_then(|s| s.policy_id);
    let chosen_policy = chosen.map(|(p, _)| p.id);

    let after = match chosen {
        Some((policy, calendar)) if chosen_policy == before_policy && before.as_ref().is_some_and(|s| follows(s, policy)) => {
            let rules = policy.rules();
            let mut state = before.clone().unwrap_or_default();
            for event in &happened {
                state.apply(&rules, calendar, event);
            }
            Some(state)
        }
        Some((policy, calendar)) => {
            let started = std::time::Instant::now();
            let history = history_of(tx, ticket, &happened).await?;
            let replayed = SlaState::replay(Some(policy.id), &policy.rules(), calendar, &history, before.as_ref(), at);
            // Loading the history and replaying it: the cost of a policy change.
            metrics::histogram!("kefu_sla_recompute_seconds").record(started.elapsed().as_secs_f64());
            Some(replayed)
        }
        // No policy: clocks stop being kept (a state without a policy keeps the record
        // of earlier breaches through the ticket's `sla_breached`).
        None if before_policy.is_some() => Some(SlaState::default()),
        None => before.clone(),
    };
    if chosen_policy != before_policy && (before.is_some() || chosen.is_some()) {
        events.push(NewEvent::change(
            EventKind::SlaPolicyChanged,
            ActorRef::SYSTEM,
            before_policy,
            chosen_policy,
        ));
    }
    if let (Some(old), Some(new)) = (&before, &after) {
        for clock in &new.clocks {
            let was = old.clocks.iter().find(|c| c.metric == clock.metric && c.cycle == clock.cycle);
            if clock.phase == Phase::Achieved && was.is_some_and(|w| w.phase != Phase::Achieved) {
                events.push(NewEvent::new(
                    EventKind::SlaAchieved,
                    ActorRef::SYSTEM,
                    json!({
                        "metric": clock.metric,
                        "cycle": clock.cycle,
                        "on_time": clock.breached_at.is_none(),
                        "used_seconds": clock.used_ms / 1000,
                        "target_seconds": clock.target_seconds,
                    }),
                ));
            }
        }
    }
    let calendar = chosen.map_or(&*engine.always_open, |(_, c)| c.as_ref());
    let mut facts = ticket.facts.clone();
    let mut status = previous_status;
    for event in &happened {
        update_facts(&mut facts, ticket, status, event, calendar);
        if let kefu_domain::sla::Happening::StatusChanged { to } = event.happening {
            status = to;
        }
    }
    ticket.facts = facts;
    ticket.set_sla(after);
    Ok(())
}

/// Whether `state`'s clocks were made for `policy`'s current targets (an admin may have
/// changed them since: then the clocks are replayed under the new ones).
fn follows(state: &SlaState, policy: &SlaPolicy) -> bool {
    state.clocks.len() == policy.targets.len()
        && state
            .clocks
            .iter()
            .zip(&policy.targets)
            .all(|(c, t)| c.metric == t.metric && c.target_seconds == t.seconds && c.business_hours == t.business_hours)
}

/// The ticket's clock history: what is stored, then this command's events.
async fn history_of(tx: &mut Tx, ticket: &Ticket, happened: &[ClockEvent]) -> AppResult<Vec<ClockEvent>> {
    let stored = kefu_store::timeline::events_of(tx.exec(), ticket.id, ticket.number).await?;
    let mut history: Vec<ClockEvent> = stored.iter().filter_map(clock_event).collect();
    history.extend_from_slice(happened);
    Ok(history)
}
