//! Routing: who works on a ticket. Hands a team's queue to its members by the team's
//! mode (see `kefu_domain::routing`), and keeps each agent's count of open assigned tickets (the
//! load routing decides by) in step with every command that changes an assignment or
//! finishes a ticket.

use crate::error::AppResult;
use crate::sla::Engine;
use crate::tickets::save;
use crate::{App, now};
use kefu_domain::entities::{ActorRef, Id, Ticket};
use kefu_domain::enums::Presence;
use kefu_domain::event::{EventKind, NewEvent, TicketEvent};
use kefu_domain::routing::{Candidate, Requirements, RoutingMode, choose};
use kefu_domain::service::{NewNotification, NotificationKind};
use kefu_store::{Tx, customers, notifications, people, tickets};
use serde_json::json;
use std::collections::{BTreeSet, HashSet};
use tokio::sync::mpsc;

/// Moves load between agents when a command changed who holds `ticket` or whether it is
/// still open.
pub(crate) async fn adjust_load(tx: &mut Tx, before: &Ticket, after: &Ticket) -> AppResult<()> {
    let held_before = before.assignee_id.filter(|_| before.status.is_active());
    let held_after = after.assignee_id.filter(|_| after.status.is_active());
    if held_before != held_after {
        if let Some(agent) = held_before {
            people::adjust_open_tickets(tx.exec(), agent, -1).await?;
        }
        if let Some(agent) = held_after {
            people::adjust_open_tickets(tx.exec(), agent, 1).await?;
        }
    }
    Ok(())
}

/// Something that may let queued work be assigned: a team got work, or an agent got
/// capacity (came online, finished or handed on a ticket, was given more capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kick {
    Team(Id),
    Agent(Id),
}

/// The handle commands use to wake the router; kicks that arrive while it works are
/// coalesced into its next pass, so a burst of creates costs one routing pass per team.
#[derive(Clone)]
pub(crate) struct Router {
    sender: mpsc::Sender<Kick>,
}

impl Router {
    pub(crate) fn kick(&self, kick: Kick) {
        // A full channel already holds a pass's worth of work; the periodic sweep covers
        // anything dropped here.
        let _ = self.sender.try_send(kick);
    }
}

/// Most queued tickets one pass looks at per team.
const QUEUE_WINDOW: u32 = 100;

impl App {
    pub(crate) fn router_channel() -> (Router, mpsc::Receiver<Kick>) {
        let (sender, receiver) = mpsc::channel(4096);
        (Router { sender }, receiver)
    }

    /// The router task: waits for kicks, then routes every team they concern.
    pub(crate) async fn run_router(self, mut receiver: mpsc::Receiver<Kick>) {
        while let Some(first) = receiver.recv().await {
            let mut kicks = HashSet::from([first]);
            while let Ok(next) = receiver.try_recv() {
                kicks.insert(next);
            }
            let mut teams = BTreeSet::new();
            for kick in kicks {
                match kick {
                    Kick::Team(team) => {
                        teams.insert(team);
                    }
                    Kick::Agent(agent) => match people::teams_of_agent(self.db().read(), agent).await {
                        Ok(of) => teams.extend(of),
                        Err(error) => tracing::warn!(%error, agent, "router could not read an agent's teams"),
                    },
                }
            }
            let engine = self.engine();
            for team in teams.into_iter().filter(|t| engine.routes(*t)) {
                if let Err(error) = self.route_team(team).await {
                    tracing::warn!(%error, team, "routing pass failed");
                }
            }
        }
    }

    /// Wakes the router for what a change may have made possible: work newly waiting in
    /// a team's queue, or an agent who no longer holds an open ticket.
    pub(crate) fn routing_kicks(&self, before: Option<&Ticket>, after: &Ticket) {
        let held = |t: &Ticket| t.assignee_id.filter(|_| t.status.is_active());
        let queued = |t: &Ticket| t.assignee_id.is_none() && t.status.is_active();
        if let Some(team) = after.team_id
            && queued(after)
            && before.is_none_or(|b| !queued(b) || b.team_id != after.team_id)
        {
            self.router.kick(Kick::Team(team));
        }
        if let Some(agent) = before.and_then(held)
            && held(after) != Some(agent)
        {
            self.router.kick(Kick::Agent(agent));
        }
    }

    pub(crate) fn kick_agent(&self, agent: Id) {
        self.router.kick(Kick::Agent(agent));
    }

    pub(crate) fn kick_team(&self, team: Id) {
        self.router.kick(Kick::Team(team));
    }

    /// Routes every team that assigns automatically (the periodic sweep: after a
    /// restart, or for kicks that were dropped).
    pub(crate) fn sweep_routing(&self) {
        for team in self.engine().routed_teams() {
            self.router.kick(Kick::Team(team));
        }
    }

    /// Hands the queued work of `team` to members with capacity, most urgent and oldest
    /// first, by the team's mode; one command. Returns how many tickets were assigned.
    pub async fn route_team(&self, team: Id) -> AppResult<usize> {
        let engine = self.engine();
        let (assigned, events) = self
            .db()
            .write(move |tx| Box::pin(async move { route_in(tx, &engine, team).await }))
            .await?;
        self.publish(events);
        Ok(assigned)
    }
}

async fn route_in(tx: &mut Tx, engine: &Engine, team_id: Id) -> AppResult<(usize, Vec<TicketEvent>)> {
    people::lock_team(tx.exec(), team_id).await?;
    let Some(team) = people::team_by_id(tx.exec(), team_id).await? else {
        return Ok((0, Vec::new()));
    };
    if team.routing == RoutingMode::Manual {
        return Ok((0, Vec::new()));
    }
    let started = std::time::Instant::now();
    let mut candidates: Vec<Candidate> = people::routing_candidates(tx.exec(), team_id).await?;
    metrics::histogram!("kefu_routing_candidates_seconds").record(started.elapsed().as_secs_f64());
    if !candidates
        .iter()
        .any(|c| c.presence == Presence::Online && c.open_tickets < c.capacity)
    {
        return Ok((0, Vec::new()));
    }
    let mut last = people::last_assigned(tx.exec(), team_id).await?;
    let queue = tickets::team_queue(tx.exec(), team_id, QUEUE_WINDOW).await?;
    let at = now();
    let mut stored = Vec::new();
    let mut assigned = 0;
    for ticket in queue {
        let dedicated = customers::dedicated_agent(tx.exec(), ticket.customer_id).await?;
        if let Some(agent) = dedicated
            && !candidates.iter().any(|c| c.agent_id == agent)
            && let Some(found) = people::agent_by_id(tx.exec(), agent).await?
        {
            let load = people::open_tickets_of(tx.exec(), agent).await?;
            candidates.extend(Candidate::from_agent(&found, load));
        }
        let needs = Requirements {
            skills: ticket.required_skills.clone(),
            language: ticket.language.clone(),
        };
        let started = std::time::Instant::now();
        let chosen = choose(team.routing, &candidates, &needs, last, dedicated);
        metrics::histogram!("kefu_routing_choose_seconds").record(started.elapsed().as_secs_f64());
        let Some(agent) = chosen else {
            continue;
        };
        let before = ticket.clone();
        let mut ticket = ticket;
        ticket.assignee_id = Some(agent);
        let mut events = vec![NewEvent::new(
            EventKind::Assigned,
            ActorRef::SYSTEM,
            json!({ "before": null, "after": agent, "routing": team.routing, "team": team_id }),
        )];
        if ticket.owner_id.is_none() {
            ticket.owner_id = Some(agent);
            events.push(NewEvent::change(EventKind::OwnerChanged, ActorRef::SYSTEM, None, Some(agent)));
        }
        stored.extend(save(tx, engine, &before, &mut ticket, events, at).await?);
        notifications::insert_notifications(
            tx.exec(),
            &[NewNotification {
                agent_id: agent,
                kind: NotificationKind::Assigned,
                ticket_id: Some(ticket.id),
                data: json!({ "by": "routing", "team": team_id }),
            }],
            at,
        )
        .await?;
        if let Some(c) = candidates.iter_mut().find(|c| c.agent_id == agent) {
            c.open_tickets += 1;
        }
        if dedicated != Some(agent) {
            last = Some(agent);
        }
        assigned += 1;
        if !candidates
            .iter()
            .any(|c| c.presence == Presence::Online && c.open_tickets < c.capacity)
        {
            break;
        }
    }
    if let Some(last) = last {
        people::set_last_assigned(tx.exec(), team_id, last).await?;
    }
    Ok((assigned, stored))
}
