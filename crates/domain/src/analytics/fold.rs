//! Folds ticket events into rollup deltas. Each ticket carries a small [`TicketTrack`]
//! (stored between batches) holding what later events need: the creation's row for cohort
//! counters, the ticket's current dimensions, whether a customer message waits for a reply,
//! and where a first-contact resolution was credited so a reopen can take it back.
//!
//! The definitions the fold applies (docs/kpis.md repeats them for users):
//! - a response is a public reply by a human agent (notes, bots and automatic messages are
//!   not), counted in the replier's row;
//! - first response time runs from creation to the first response; next response time from
//!   the first customer message after a response to the next response;
//! - a resolution is a move into resolved or closed; its time runs from creation; a move
//!   back out is a reopen;
//! - first-contact resolution: resolved the first time with no transfer and no reopen; a
//!   later reopen, or a follow-up ticket within 7 days, takes it back;
//! - an SLA target is met when its clock stops on time and missed at its breach (or when it
//!   stops late without a recorded breach), once per target cycle.

use super::{Counter, Delta, Dims, RowKey, SketchKind, hour_of};
use crate::calendar::BusinessCalendar;
use crate::entities::Id;
use crate::enums::ActorKind;
use crate::enums::{Channel, Priority, TicketKind};
use crate::event::{EventKind, TicketEvent};
use crate::sla::{Happening, Metric, clock_event_of};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A repeat contact within this long after a first-contact resolution takes it back.
pub const REPEAT_CONTACT_WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The deltas of a batch of events, by row.
pub type Rollup = BTreeMap<RowKey, Delta>;

/// What the fold remembers about one ticket between events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketTrack {
    created_at: Timestamp,
    /// The row the creation was counted in (cohort counters go there).
    created_in: RowKey,
    /// The ticket's dimensions now.
    dims: Dims,
    /// Resolved or closed now.
    done: bool,
    ever_resolved: bool,
    replied: bool,
    awaiting_since: Option<Timestamp>,
    resolved_at: Option<Timestamp>,
    /// Where a first-contact resolution was counted, while it stands.
    fcr_credit: Option<RowKey>,
    transfers: u32,
    reopens: u32,
    /// SLA target cycles already counted as missed.
    missed: Vec<(Metric, u32)>,
}

/// What the store knows of a ticket, for events that do not carry it (older events, and
/// follow-ups whose creation names only the original ticket).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub created_at: Timestamp,
    pub dims: Dims,
}

/// Applies one event of a ticket: updates its track and adds the event's deltas to `out`.
/// `calendar` measures the business-time variants.
pub fn fold(track: &mut Option<TicketTrack>, event: &TicketEvent, seed: &Seed, calendar: &BusinessCalendar, out: &mut Rollup) {
    let at = event.at;
    if event.kind == EventKind::Created || track.is_none() {
        let created = event.kind == EventKind::Created;
        let started = if created { at } else { seed.created_at };
        let dims = if created { dims_of_creation(&event.data, seed) } else { seed.dims };
        let created_in = RowKey {
            hour: hour_of(started),
            dims,
        };
        if created {
            let cell = row(out, created_in);
            cell.add(Counter::Created, 1);
            if dims.kind == TicketKind::Complaint {
                cell.add(Counter::Complaints, 1);
            }
        }
        *track = Some(TicketTrack {
            created_at: started,
            created_in,
            dims,
            done: false,
            ever_resolved: false,
            replied: false,
            awaiting_since: None,
            resolved_at: None,
            fcr_credit: None,
            transfers: 0,
            reopens: 0,
            missed: Vec::new(),
        });
        if created {
            return;
        }
    }
    let Some(track) = track.as_mut() else { return };
    let here = |dims: Dims| RowKey { hour: hour_of(at), dims };
    let actor_agent = (event.actor.kind == ActorKind::Agent).then_some(event.actor.id).flatten();
    let data = &event.data;
    match event.kind {
        EventKind::Assigned => track.dims.agent_id = id_at(data, "after"),
        EventKind::TeamChanged => track.dims.team_id = id_at(data, "after"),
        EventKind::Transferred => {
            let to = data.get("to").unwrap_or(&Value::Null);
            track.dims.agent_id = id_at(to, "agent");
            if let Some(team) = id_at(to, "team") {
                track.dims.team_id = Some(team);
            }
            track.transfers += 1;
            row(out, track.created_in).add(Counter::Transfers, 1);
        }
        EventKind::PriorityChanged => {
            if let Some(priority) = text_at(data, "after").and_then(|s| Priority::parse("priority", s).ok()) {
                track.dims.priority = priority;
            }
        }
        EventKind::FieldChanged => match data.get("field").and_then(Value::as_str) {
            Some("kind") => {
                if let Some(kind) = text_at(data, "after").and_then(|s| TicketKind::parse("kind", s).ok()) {
                    track.dims.kind = kind;
                }
            }
            Some("channel") => {
                if let Some(channel) = text_at(data, "after").and_then(|s| Channel::parse("channel", s).ok()) {
                    track.dims.channel = channel;
                }
            }
            _ => {}
        },
        EventKind::MessageAdded | EventKind::StatusChanged => {
            let Some(clock) = clock_event_of(event.kind, event.actor.kind, data, at) else {
                return;
            };
            match clock.happening {
                Happening::AgentReplied => replied(track, at, actor_agent, calendar, out),
                Happening::CustomerMessaged if track.replied && track.awaiting_since.is_none() => {
                    track.awaiting_since = Some(at);
                }
                Happening::StatusChanged { to } => {
                    let done = !to.is_active();
                    if done && !track.done {
                        resolved(track, at, actor_agent, calendar, out);
                    } else if !done && track.done {
                        track.done = false;
                        track.reopens += 1;
                        row(out, here(track.dims)).add(Counter::Reopened, 1);
                        row(out, track.created_in).add(Counter::CreatedResolved, -1);
                        take_back_first_contact(track, out);
                    }
                }
                _ => {}
            }
        }
        EventKind::FollowUpCreated => {
            let within = track
                .resolved_at
                .is_some_and(|resolved| at.duration_since(resolved) <= REPEAT_CONTACT_WINDOW);
            if within {
                take_back_first_contact(track, out);
            }
        }
        EventKind::SlaAchieved | EventKind::SlaBreached => {
            let Some(metric) = text_at(data, "metric").and_then(|s| Metric::parse("metric", s).ok()) else {
                return;
            };
            let cycle = data.get("cycle").and_then(Value::as_u64).unwrap_or(0) as u32;
            let on_time = event.kind == EventKind::SlaAchieved && data.get("on_time").and_then(Value::as_bool).unwrap_or(false);
            let counter = if on_time {
                met_counter(metric)
            } else if track.missed.contains(&(metric, cycle)) {
                return;
            } else {
                track.missed.push((metric, cycle));
                missed_counter(metric)
            };
            row(out, here(track.dims)).add(counter, 1);
        }
        _ => {}
    }
}

fn replied(track: &mut TicketTrack, at: Timestamp, agent: Option<Id>, calendar: &BusinessCalendar, out: &mut Rollup) {
    let dims = Dims {
        agent_id: agent.or(track.dims.agent_id),
        ..track.dims
    };
    let cell = row(out, RowKey { hour: hour_of(at), dims });
    cell.add(Counter::AgentReplies, 1);
    if !track.replied {
        track.replied = true;
        cell.add(Counter::FirstResponses, 1);
        cell.add_duration(
            SketchKind::FirstResponse,
            Counter::FirstResponseMs,
            millis_between(track.created_at, at),
        );
        cell.add_duration(
            SketchKind::FirstResponseBusiness,
            Counter::FirstResponseBusinessMs,
            calendar.business_millis_between(track.created_at, at),
        );
    } else if let Some(since) = track.awaiting_since {
        cell.add(Counter::NextResponses, 1);
        cell.add_duration(SketchKind::NextResponse, Counter::NextResponseMs, millis_between(since, at));
    }
    track.awaiting_since = None;
}

fn resolved(track: &mut TicketTrack, at: Timestamp, agent: Option<Id>, calendar: &BusinessCalendar, out: &mut Rollup) {
    track.done = true;
    track.resolved_at = Some(at);
    let key = RowKey {
        hour: hour_of(at),
        dims: Dims {
            agent_id: track.dims.agent_id.or(agent),
            ..track.dims
        },
    };
    let cell = row(out, key);
    cell.add(Counter::Resolved, 1);
    cell.add_duration(SketchKind::Resolution, Counter::ResolutionMs, millis_between(track.created_at, at));
    cell.add_duration(
        SketchKind::ResolutionBusiness,
        Counter::ResolutionBusinessMs,
        calendar.business_millis_between(track.created_at, at),
    );
    if !track.ever_resolved {
        track.ever_resolved = true;
        cell.add(Counter::FirstResolutions, 1);
        if track.transfers == 0 && track.reopens == 0 {
            cell.add(Counter::FirstContactResolved, 1);
            track.fcr_credit = Some(key);
        }
    }
    row(out, track.created_in).add(Counter::CreatedResolved, 1);
}

fn take_back_first_contact(track: &mut TicketTrack, out: &mut Rollup) {
    if let Some(credit) = track.fcr_credit.take() {
        row(out, credit).add(Counter::FirstContactResolved, -1);
    }
}

fn row(out: &mut Rollup, key: RowKey) -> &mut Delta {
    out.entry(key).or_default()
}

fn met_counter(metric: Metric) -> Counter {
    match metric {
        Metric::FirstResponse => Counter::FirstResponseMet,
        Metric::NextResponse => Counter::NextResponseMet,
        Metric::Resolution => Counter::ResolutionMet,
        Metric::Arrival => Counter::ArrivalMet,
    }
}

fn missed_counter(metric: Metric) -> Counter {
    match metric {
        Metric::FirstResponse => Counter::FirstResponseMissed,
        Metric::NextResponse => Counter::NextResponseMissed,
        Metric::Resolution => Counter::ResolutionMissed,
        Metric::Arrival => Counter::ArrivalMissed,
    }
}

fn millis_between(from: Timestamp, to: Timestamp) -> i64 {
    to.as_millisecond() - from.as_millisecond()
}

fn dims_of_creation(data: &Value, seed: &Seed) -> Dims {
    Dims {
        team_id: match data.get("team_id") {
            Some(team) => team.as_i64(),
            None => seed.dims.team_id,
        },
        // Nobody holds a ticket at creation; assignment is its own event.
        agent_id: None,
        channel: text_at(data, "channel")
            .and_then(|s| Channel::parse("channel", s).ok())
            .unwrap_or(seed.dims.channel),
        kind: text_at(data, "kind")
            .and_then(|s| TicketKind::parse("kind", s).ok())
            .unwrap_or(seed.dims.kind),
        priority: text_at(data, "priority")
            .and_then(|s| Priority::parse("priority", s).ok())
            .unwrap_or(seed.dims.priority),
    }
}

fn id_at(data: &Value, key: &str) -> Option<Id> {
    data.get(key).and_then(Value::as_i64)
}

fn text_at<'a>(data: &'a Value, key: &str) -> Option<&'a str> {
    data.get(key).and_then(Value::as_str)
}
