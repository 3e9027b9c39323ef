//! Automation rules: admins say "when this happens to a ticket like that, do these
//! things". A rule runs as a command of its own after the event that triggered it has
//! committed (one transaction, its changes recorded as events with the rule as actor),
//! so a failing rule never undoes what a person did.
//!
//! Loops: a rule never reacts to its own events, and the events of a rule running at
//! depth d carry depth d+1; nothing runs at `MAX_RULE_DEPTH` (see
//! `kefu_domain::automation::may_trigger`). Delayed actions are durable timers that carry
//! the depth of the run that scheduled them.

use crate::audit::audit;
use crate::error::{AppError, AppResult};
use crate::scheduler::TimerKind;
use crate::sla::Engine;
use crate::tickets::save;
use crate::{Actor, App, now};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::automation::{Action, NotifyTarget, RuleSpec, Trigger, may_trigger, plan_actions, trigger_of};
use kefu_domain::conditions::Subject;
use kefu_domain::entities::{ActorRef, Id, Ticket};
use kefu_domain::enums::{ActorKind, MessageKind};
use kefu_domain::event::{EventKind, NewEvent, TicketEvent};
use kefu_domain::service::{NewNotification, NotificationKind};
use kefu_store::rules::StoredRule;
use kefu_store::timers::Timer;
use kefu_store::{Tx, notifications, people, rules, tickets, timeline, timers};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A rule as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rule {
    pub id: Id,
    /// Rank: lower runs first.
    pub position: i64,
    pub rule: RuleSpec,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<StoredRule<RuleSpec>> for Rule {
    fn from(stored: StoredRule<RuleSpec>) -> Self {
        Rule {
            id: stored.id,
            position: stored.position,
            rule: stored.spec,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct RuleInput {
    /// Rank among rules: lower runs first. Default: after the last rule.
    pub position: Option<i64>,
    pub rule: RuleSpec,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DryRun {
    pub rule: Option<RuleSpec>,
    /// How many of the most recently updated tickets to try (1 to 1000, default 200).
    pub limit: Option<usize>,
}

/// A ticket a rule would have matched, and what it would have changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRunMatch {
    pub ticket_number: i64,
    pub subject: String,
    pub changes: kefu_domain::automation::TicketChanges,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRunResult {
    pub examined: usize,
    pub matched: Vec<DryRunMatch>,
}

/// Rules (id and spec) in rank order.
type RuleList = Vec<(Id, RuleSpec)>;

/// Rules in rank order, by trigger: what the reactor consults.
#[derive(Default)]
pub(crate) struct RuleBook {
    by_trigger: BTreeMap<Trigger, RuleList>,
}

impl RuleBook {
    pub(crate) fn new(rules: Vec<StoredRule<RuleSpec>>) -> Self {
        let mut book = RuleBook::default();
        for rule in rules.into_iter().filter(|r| r.active && r.spec.active) {
            book.by_trigger.entry(rule.spec.trigger).or_default().push((rule.id, rule.spec));
        }
        book
    }

    fn for_trigger(&self, trigger: Trigger) -> &[(Id, RuleSpec)] {
        self.by_trigger.get(&trigger).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_trigger.is_empty()
    }

    pub(crate) fn idle_rules(&self) -> &[(Id, RuleSpec)] {
        self.for_trigger(Trigger::Idle)
    }
}

impl App {
    pub async fn rules(&self, actor: &Actor) -> AppResult<Vec<Rule>> {
        actor.require_supervisor("automation rules")?;
        Ok(rules::rules(self.db().read()).await?.into_iter().map(Rule::from).collect())
    }

    pub async fn create_rule(&self, actor: &Actor, input: RuleInput) -> AppResult<Rule> {
        actor.require_admin("automation rules")?;
        input.rule.validate()?;
        let by = actor.id;
        let created = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    check_references(tx, &input.rule.actions).await?;
                    let position = match input.position {
                        Some(p) => p,
                        None => {
                            rules::rules::<RuleSpec>(tx.exec())
                                .await?
                                .iter()
                                .map(|r| r.position)
                                .max()
                                .unwrap_or(0)
                                + 10
                        }
                    };
                    let spec = input.rule;
                    let created: Rule = rules::insert_rule(tx.exec(), &spec.name, position, spec.active, &spec, now())
                        .await?
                        .into();
                    audit(tx, Some(by), "rule.create", ("rule", Some(created.id)), &created).await?;
                    Ok::<_, AppError>(created)
                })
            })
            .await?;
        self.reload_engine().await?;
        Ok(created)
    }

    pub async fn update_rule(&self, actor: &Actor, id: Id, input: RuleInput) -> AppResult<Rule> {
        actor.require_admin("automation rules")?;
        input.rule.validate()?;
        let by = actor.id;
        let updated = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    check_references(tx, &input.rule.actions).await?;
                    let existing = rules::rule_by_id::<RuleSpec>(tx.exec(), id).await?.ok_or_else(rule_not_found)?;
                    let spec = input.rule;
                    let position = input.position.unwrap_or(existing.position);
                    let updated = rules::update_rule(tx.exec(), id, &spec.name, position, spec.active, &spec, now())
                        .await?
                        .map(Rule::from)
                        .ok_or_else(rule_not_found)?;
                    audit(tx, Some(by), "rule.update", ("rule", Some(id)), &updated).await?;
                    Ok::<_, AppError>(updated)
                })
            })
            .await?;
        self.reload_engine().await?;
        Ok(updated)
    }

    pub async fn delete_rule(&self, actor: &Actor, id: Id) -> AppResult<()> {
        actor.require_admin("automation rules")?;
        let by = actor.id;
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let removed: Rule = rules::rule_by_id::<RuleSpec>(tx.exec(), id)
                        .await?
                        .ok_or_else(rule_not_found)?
                        .into();
                    rules::delete_rule(tx.exec(), id).await?;
                    audit(tx, Some(by), "rule.delete", ("rule", Some(id)), &removed).await
                })
            })
            .await?;
        self.reload_engine().await
    }

    /// Which of the most recently updated tickets `rule` would match now, and what it
    /// would change on each; writes nothing.
    pub async fn dry_run_rule(&self, actor: &Actor, input: DryRun) -> AppResult<DryRunResult> {
        actor.require_supervisor("automation rules")?;
        let rule = input.rule.ok_or_else(|| AppError::field("rule", "required", "the rule to try"))?;
        rule.validate()?;
        let limit = input.limit.unwrap_or(200);
        if !(1..=1000).contains(&limit) {
            return Err(AppError::field("limit", "out_of_range", "must be 1 to 1000"));
        }
        let recent = tickets::recently_updated(self.db().read(), limit as u32).await?;
        let engine = self.engine();
        let at = now();
        let mut matched = Vec::new();
        for ticket in &recent {
            let tier = crate::sla::tier_of(self.db().read(), &engine, ticket.customer_id).await?;
            let open_now = engine.calendar_for_ticket(ticket).is_open(at);
            let subject = Subject {
                ticket,
                tier,
                text: Some(&ticket.description),
                open_now,
            };
            // A dry run asks "does this ticket fit", whatever the trigger's moment was.
            if rule.matches(rule.trigger, &subject) {
                matched.push(DryRunMatch {
                    ticket_number: ticket.number,
                    subject: ticket.subject.clone(),
                    changes: rule.plan(ticket),
                });
            }
        }
        Ok(DryRunResult {
            examined: recent.len(),
            matched,
        })
    }

    /// Hands committed events to the rules (depth: how many rule runs led to them).
    /// `context` is the ticket as the command that made the events left it (and the text
    /// of the message it added), when the caller has it: then events that no rule
    /// matches cost no database work at all.
    pub(crate) fn run_rules_after(&self, events: &[TicketEvent], depth: u8, context: Option<RuleContext<'_>>) {
        let engine = self.engine();
        if engine.rules().is_empty() {
            return;
        }
        let mut work: Vec<(i64, Trigger, RuleList)> = Vec::new();
        for event in events {
            let Some(trigger) = trigger_of(event) else { continue };
            let candidates: Vec<&(Id, RuleSpec)> = engine
                .rules()
                .for_trigger(trigger)
                .iter()
                .filter(|(id, _)| may_trigger(*id, depth, &event.actor))
                .collect();
            if candidates.is_empty() {
                continue;
            }
            if let Some(context) = context.as_ref().filter(|c| c.ticket.number == event.ticket_number)
                && !any_may_match(&engine, &candidates, trigger, context)
            {
                continue;
            }
            work.push((event.ticket_number, trigger, candidates.into_iter().cloned().collect()));
        }
        if work.is_empty() {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            for (number, trigger, candidates) in work {
                if let Err(error) = app.apply_rules(candidates, trigger, number, depth, None).await {
                    tracing::warn!(%error, ticket = number, "automation rules failed");
                }
            }
        });
    }

    /// Runs the rules of one triggering event on its ticket, in rank order, as one
    /// command: each rule sees the ticket as the rules before it left it (so a cycle is
    /// deterministic), and acts only if it matches then.
    /// `idle_until`: for the idle trigger, the last update a ticket may have had for the
    /// rule still to apply (checked again here, as another node or a person may have
    /// touched it since).
    async fn apply_rules(
        &self,
        candidates: RuleList,
        trigger: Trigger,
        number: i64,
        depth: u8,
        idle_until: Option<Timestamp>,
    ) -> AppResult<usize> {
        let engine = self.engine();
        let events = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let (mut stored, mut ran) = (Vec::new(), 0);
                    let Some(mut ticket) = tickets::ticket_by_number(tx.exec(), number).await? else {
                        return Ok((stored, ran));
                    };
                    if idle_until.is_some_and(|until| ticket.updated_at > until) {
                        return Ok((stored, ran));
                    }
                    let tier = crate::sla::tier_of(tx.exec(), &engine, ticket.customer_id).await?;
                    let text = latest_customer_text(tx, &ticket, trigger).await?;
                    let open_now = engine.calendar_for_ticket(&ticket).is_open(now());
                    for (rule_id, spec) in &candidates {
                        let subject = Subject {
                            ticket: &ticket,
                            tier,
                            text: text.as_deref(),
                            open_now,
                        };
                        if !spec.matches(trigger, &subject) {
                            continue;
                        }
                        stored.extend(run_actions(tx, &engine, *rule_id, &spec.name, &spec.actions, ticket.clone(), depth, now()).await?);
                        ran += 1;
                        // The next rule sees what this one did.
                        ticket = tickets::ticket_by_id(tx.exec(), ticket.id)
                            .await?
                            .ok_or_else(AppError::ticket_not_found)?;
                    }
                    Ok::<_, AppError>((stored, ran))
                })
            })
            .await?;
        let (events, ran) = events;
        self.publish_at_depth(events, depth + 1);
        Ok(ran)
    }

    /// Idle rules for the tickets that became idle between `since` and `at`: each ticket
    /// is looked at once as it crosses a rule's idle time (the rule's own event moves its
    /// last update, so it can come round again only after another idle period). The
    /// scheduler calls this each minute with the previous call's `at` as `since`. Returns
    /// how many rule runs acted.
    pub async fn run_idle_rules(&self, since: Timestamp, at: Timestamp) -> AppResult<usize> {
        let engine = self.engine();
        let mut ran = 0;
        for (rule_id, spec) in engine.rules().idle_rules() {
            let Some(minutes) = spec.idle_minutes else { continue };
            let idle = SignedDuration::from_mins(i64::from(minutes));
            let (from, until) = (since - idle, at - idle);
            let mut after = (from, 0);
            loop {
                let page = tickets::idle_tickets(self.db().read(), after, until, 200).await?;
                for ticket in &page {
                    let candidates = vec![(*rule_id, spec.clone())];
                    ran += self.apply_rules(candidates, Trigger::Idle, ticket.number, 0, Some(until)).await?;
                }
                match page.last() {
                    Some(last) if page.len() == 200 => after = (last.updated_at, last.id),
                    _ => break,
                }
            }
        }
        Ok(ran)
    }
}

/// The ticket as a command left it and the text of the message it added: what rules look
/// at without asking the database.
pub(crate) struct RuleContext<'a> {
    pub ticket: &'a Ticket,
    pub text: Option<&'a str>,
}

/// Whether any candidate rule can match: if none matches the ticket as the event left it,
/// none runs, so none changes it for the next. A rule that looks at the customer's tier
/// cannot be decided without the customer and counts as a maybe.
fn any_may_match(engine: &Engine, candidates: &[&(Id, RuleSpec)], trigger: Trigger, context: &RuleContext<'_>) -> bool {
    let text = context.text.or(if trigger == Trigger::TicketCreated {
        Some(context.ticket.description.as_str())
    } else {
        None
    });
    let open_now = engine.calendar_for_ticket(context.ticket).is_open(now());
    candidates.iter().any(|(_, spec)| {
        !spec.conditions.tiers.is_empty()
            || spec.matches(
                trigger,
                &Subject {
                    ticket: context.ticket,
                    tier: kefu_domain::enums::CustomerTier::Normal,
                    text,
                    open_now,
                },
            )
    })
}

/// For `customer_replied`: the customer's latest message, so `text_contains` sees it.
async fn latest_customer_text(tx: &mut Tx, ticket: &Ticket, trigger: Trigger) -> AppResult<Option<String>> {
    if trigger == Trigger::TicketCreated {
        return Ok(Some(ticket.description.clone()));
    }
    if trigger != Trigger::CustomerReplied {
        return Ok(None);
    }
    let messages = timeline::messages_of(tx.exec(), ticket.id, false).await?;
    Ok(messages.into_iter().rev().find(|m| m.kind == MessageKind::Customer).map(|m| m.body))
}

/// Does what `actions` say to `ticket`, as the rule, inside `tx`; returns the stored events.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run_actions(
    tx: &mut Tx,
    engine: &Engine,
    rule_id: Id,
    rule_name: &str,
    actions: &[Action],
    ticket: Ticket,
    depth: u8,
    at: Timestamp,
) -> AppResult<Vec<TicketEvent>> {
    let who = ActorRef {
        kind: ActorKind::Rule,
        id: Some(rule_id),
    };
    let before = ticket.clone();
    let mut ticket = ticket;
    let changes = plan_actions(actions, &ticket);
    let mut events = Vec::new();
    if let Some(priority) = changes.priority {
        events.push(NewEvent::change(EventKind::PriorityChanged, who, ticket.priority, priority));
    }
    if let Some(team) = changes.team_id
        && people::team_by_id(tx.exec(), team).await?.is_some()
    {
        events.push(NewEvent::change(EventKind::TeamChanged, who, ticket.team_id, Some(team)));
    }
    if let Some(assignee) = changes.assignee_id {
        let usable = match assignee {
            Some(agent) => people::agent_by_id(tx.exec(), agent).await?.is_some_and(|a| a.active),
            None => true,
        };
        if usable {
            events.push(NewEvent::change(EventKind::Assigned, who, ticket.assignee_id, assignee));
        }
    }
    if let Some(tags) = &changes.tags {
        events.push(NewEvent::change(EventKind::TagsChanged, who, ticket.tags.clone(), tags.clone()));
    }
    if let Some(status) = changes.status {
        events.push(NewEvent::change(EventKind::StatusChanged, who, ticket.status, status));
    }
    // Apply what was accepted above (an unknown team or agent is left out).
    for event in &events {
        match event.kind {
            EventKind::PriorityChanged => ticket.priority = changes.priority.unwrap_or(ticket.priority),
            EventKind::TeamChanged => ticket.team_id = changes.team_id.or(ticket.team_id),
            EventKind::Assigned => ticket.assignee_id = changes.assignee_id.unwrap_or(ticket.assignee_id),
            EventKind::TagsChanged => ticket.tags = changes.tags.clone().unwrap_or_default(),
            EventKind::StatusChanged => {
                let status = changes.status.unwrap_or(ticket.status);
                if status == kefu_domain::status::Status::Resolved {
                    ticket.resolved_at = Some(at);
                }
                ticket.status = status;
            }
            _ => {}
        }
    }
    let mut notes = Vec::new();
    let mut delays = Vec::new();
    for action in actions {
        match action {
            Action::AddNote { body } => {
                let message = timeline::insert_message(tx.exec(), ticket.id, MessageKind::Note, who, body, at).await?;
                events.push(NewEvent::new(
                    EventKind::MessageAdded,
                    who,
                    json!({ "message_id": message.id, "kind": "note" }),
                ));
            }
            Action::Notify { target, message } => {
                for agent in recipients(tx, &ticket, *target).await? {
                    notes.push(NewNotification {
                        agent_id: agent,
                        kind: NotificationKind::Rule,
                        ticket_id: Some(ticket.id),
                        data: json!({ "rule": rule_id, "rule_name": rule_name, "message": message }),
                    });
                }
            }
            Action::Delay { minutes, then } => delays.push(TimerKind::RuleDelay.timer(
                at + SignedDuration::from_mins(i64::from(*minutes)),
                Some(ticket.id),
                json!({ "rule": rule_id, "rule_name": rule_name, "ticket": ticket.id, "actions": then, "depth": depth }),
            )),
            _ => {}
        }
    }
    notifications::insert_notifications(tx.exec(), &notes, at).await?;
    timers::schedule(tx.exec(), &delays, at).await?;
    events.push(NewEvent::new(
        EventKind::RuleApplied,
        who,
        json!({ "rule": rule_id, "name": rule_name, "depth": depth, "skipped": changes.skipped }),
    ));
    save(tx, engine, &before, &mut ticket, events, at).await
}

/// Who a rule's notification goes to.
async fn recipients(tx: &mut Tx, ticket: &Ticket, target: NotifyTarget) -> AppResult<Vec<Id>> {
    Ok(match target {
        NotifyTarget::Assignee => ticket.assignee_id.into_iter().collect(),
        NotifyTarget::Owner => ticket.owner_id.into_iter().collect(),
        NotifyTarget::Agent { agent_id } => vec![agent_id],
        NotifyTarget::Team => match ticket.team_id {
            Some(team) => people::team_by_id(tx.exec(), team).await?.map(|t| t.members).unwrap_or_default(),
            None => Vec::new(),
        },
        NotifyTarget::Supervisor => crate::commitments::supervisors_of(tx, ticket.team_id).await?,
    })
}

/// A rule's delayed actions, when their timer fires (inside the scheduler's transaction).
/// Returns the events and the depth they carry.
pub(crate) async fn run_delayed(tx: &mut Tx, engine: &Engine, timer: &Timer, at: Timestamp) -> AppResult<(Vec<TicketEvent>, u8)> {
    let payload = &timer.payload;
    let (Some(rule_id), Some(ticket_id)) = (payload["rule"].as_i64(), payload["ticket"].as_i64()) else {
        tracing::error!(timer = timer.id, "rule delay without rule or ticket dropped");
        return Ok((Vec::new(), 0));
    };
    let depth = payload["depth"].as_u64().and_then(|d| u8::try_from(d).ok()).unwrap_or(0);
    let actions: Vec<Action> = serde_json::from_value(payload["actions"].clone()).unwrap_or_default();
    let name = payload["rule_name"].as_str().unwrap_or_default().to_owned();
    let Some(ticket) = tickets::ticket_by_id(tx.exec(), ticket_id).await? else {
        return Ok((Vec::new(), depth));
    };
    let events = run_actions(tx, engine, rule_id, &name, &actions, ticket, depth, at).await?;
    Ok((events, depth + 1))
}

/// Teams and agents named by actions must exist (a rule is checked when saved; a later
/// deletion makes the action a no-op, recorded as such).
async fn check_references(tx: &mut Tx, actions: &[Action]) -> AppResult<()> {
    for (index, action) in actions.iter().enumerate() {
        match action {
            Action::SetTeam { team_id } if people::team_by_id(tx.exec(), *team_id).await?.is_none() => {
                return Err(AppError::field(
                    &format!("rule.actions[{index}].team_id"),
                    "unknown_team",
                    "no such team",
                ));
            }
            Action::Assign { agent_id: Some(agent) }
            | Action::Notify {
                target: NotifyTarget::Agent { agent_id: agent },
                ..
            } if people::agent_by_id(tx.exec(), *agent).await?.is_none() => {
                return Err(AppError::field(&format!("rule.actions[{index}]"), "unknown_agent", "no such agent"));
            }
            Action::Delay { then, .. } => Box::pin(check_references(tx, then)).await?,
            _ => {}
        }
    }
    Ok(())
}

fn rule_not_found() -> AppError {
    AppError::NotFound {
        what: "rule",
        code: "rule_not_found",
    }
}
