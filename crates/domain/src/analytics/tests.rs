//! The fold on a hand-built history whose KPIs are worked out below, and property tests:
//! folding in batches (tracks stored and read back between them) equals one pass, and the
//! counters equal a straightforward recount from the events.

use super::fold::{Rollup, Seed, TicketTrack, fold};
use super::kpi::Kpis;
use super::{Counter, Delta, Dim, Dims, RowKey, SketchKind, Slice, Span, day_keys, hour_of, week_start};
use crate::calendar::BusinessCalendar;
use crate::entities::{ActorRef, TicketNumber};
use crate::enums::ActorKind;
use crate::enums::{Channel, Priority, TicketKind};
use crate::event::{EventKind, TicketEvent};
use crate::sla::Metric;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn at(hhmm: &str) -> Timestamp {
    format!("2026-03-02T{hhmm}:00Z").parse().unwrap()
}

fn ev(ticket: i64, kind: EventKind, actor: ActorRef, data: Value, when: Timestamp) -> TicketEvent {
    TicketEvent {
        id: 0,
        ticket_number: ticket,
        kind,
        actor,
        data,
        at: when,
    }
}

fn seed() -> Seed {
    Seed {
        created_at: at("00:00"),
        dims: Dims {
            team_id: None,
            agent_id: None,
            channel: Channel::Web,
            kind: TicketKind::Consultation,
            priority: Priority::Normal,
        },
    }
}

fn created(ticket: i64, channel: &str, kind: &str, priority: &str, team: Option<i64>, when: Timestamp) -> TicketEvent {
    let data = json!({ "kind": kind, "channel": channel, "priority": priority, "team_id": team });
    ev(ticket, EventKind::Created, ActorRef::customer(1), data, when)
}

fn reply(ticket: i64, agent: i64, when: Timestamp) -> TicketEvent {
    ev(
        ticket,
        EventKind::MessageAdded,
        ActorRef::agent(agent),
        json!({ "kind": "reply" }),
        when,
    )
}

fn customer(ticket: i64, when: Timestamp) -> TicketEvent {
    ev(
        ticket,
        EventKind::MessageAdded,
        ActorRef::customer(1),
        json!({ "kind": "customer" }),
        when,
    )
}

fn status(ticket: i64, actor: ActorRef, before: &str, after: &str, when: Timestamp) -> TicketEvent {
    ev(
        ticket,
        EventKind::StatusChanged,
        actor,
        json!({ "before": before, "after": after }),
        when,
    )
}

/// Folds every event in order (one track per ticket).
fn fold_all(events: &[TicketEvent]) -> Rollup {
    let calendar = BusinessCalendar::always_open(TimeZone::UTC);
    let mut tracks: BTreeMap<TicketNumber, Option<TicketTrack>> = BTreeMap::new();
    let mut out = Rollup::new();
    for event in events {
        fold(tracks.entry(event.ticket_number).or_default(), event, &seed(), &calendar, &mut out);
    }
    out
}

fn total(rollup: &Rollup, keep: impl Fn(&RowKey) -> bool) -> Delta {
    let mut sum = Delta::default();
    for (key, delta) in rollup {
        if keep(key) {
            sum.merge(delta);
        }
    }
    sum
}

/// Four tickets over one morning (UTC, a calendar open around the clock):
/// 1. web consultation, team 1: created 09:00, replied 09:10 (agent 7; FRT 10 min, met),
///    customer writes 09:30, replied 09:50 (NRT 20 min), resolved 10:00 (60 min, FCR).
/// 2. chat complaint, team 1: created 09:30, assigned to 8, transferred to 9 in team 2 at
///    09:40, note 10:35 (not a response), replied 10:30 (FRT 60 min), resolved 11:30
///    (120 min; a transfer, so not FCR), reopened 12:00, resolved 13:00 (210 min).
/// 3. email, no team: created 10:00, an automatic reply (not a response), first-response
///    breach 11:00, replied by 7 at 12:00 (FRT 120 min), clock stops late at 12:00 (the
///    same miss, counted once).
/// 4. web: created 10:30, replied by 8 10:40 (FRT 10 min), resolved 11:00 (30 min, FCR),
///    a follow-up two days later takes the FCR back.
fn morning() -> Vec<TicketEvent> {
    let system = ActorRef::SYSTEM;
    let mut events = vec![
        created(1, "web", "consultation", "normal", Some(1), at("09:00")),
        reply(1, 7, at("09:10")),
        ev(
            1,
            EventKind::SlaAchieved,
            system,
            json!({ "metric": "first_response", "cycle": 0, "on_time": true }),
            at("09:10"),
        ),
        customer(1, at("09:30")),
        reply(1, 7, at("09:50")),
        status(1, ActorRef::agent(7), "open", "resolved", at("10:00")),
        created(2, "chat", "complaint", "high", Some(1), at("09:30")),
        ev(2, EventKind::Assigned, system, json!({ "before": null, "after": 8 }), at("09:31")),
        ev(
            2,
            EventKind::Transferred,
            ActorRef::agent(8),
            json!({ "from": { "agent": 8, "team": 1 }, "to": { "agent": 9, "team": 2 }, "reason": "billing", "count": 1 }),
            at("09:40"),
        ),
        reply(2, 9, at("10:30")),
        ev(
            2,
            EventKind::MessageAdded,
            ActorRef::agent(9),
            json!({ "kind": "note" }),
            at("10:35"),
        ),
        status(2, ActorRef::agent(9), "open", "resolved", at("11:30")),
        status(2, ActorRef::customer(1), "resolved", "open", at("12:00")),
        status(2, ActorRef::agent(9), "open", "resolved", at("13:00")),
        created(3, "email", "consultation", "low", None, at("10:00")),
        ev(3, EventKind::MessageAdded, system, json!({ "kind": "reply" }), at("10:00")),
        ev(
            3,
            EventKind::SlaBreached,
            system,
            json!({ "metric": "first_response", "cycle": 0 }),
            at("11:00"),
        ),
        reply(3, 7, at("12:00")),
        ev(
            3,
            EventKind::SlaAchieved,
            system,
            json!({ "metric": "first_response", "cycle": 0, "on_time": false }),
            at("12:00"),
        ),
        created(4, "web", "consultation", "normal", None, at("10:30")),
        reply(4, 8, at("10:40")),
        status(4, ActorRef::agent(8), "open", "resolved", at("11:00")),
    ];
    events.push(ev(
        4,
        EventKind::FollowUpCreated,
        ActorRef::customer(1),
        json!({ "follow_up": 5 }),
        "2026-03-04T09:00:00Z".parse().unwrap(),
    ));
    events.sort_by_key(|e| e.at);
    events
}

#[test]
fn a_worked_morning_gives_the_worked_kpis() {
    let rollup = fold_all(&morning());
    let kpis = Kpis::of(&total(&rollup, |_| true));
    assert_eq!(kpis.created, 4);
    assert_eq!(kpis.complaints, 1);
    assert_eq!(kpis.complaint_share, Some(0.25));
    assert_eq!(kpis.agent_replies, 5, "notes and automatic replies are not responses");
    // FRT 10, 60, 120, 10 minutes: mean 50 min.
    assert_eq!(kpis.first_response.count, 4);
    assert_eq!(kpis.first_response.mean_seconds, Some(50.0 * 60.0));
    assert_eq!(kpis.next_response.count, 1);
    assert_eq!(kpis.next_response.mean_seconds, Some(20.0 * 60.0));
    // Resolutions 60, 120, 210, 30 minutes: mean 105 min.
    assert_eq!(kpis.resolved, 4);
    assert_eq!(kpis.resolution.mean_seconds, Some(105.0 * 60.0));
    let median = kpis.resolution.median_seconds.unwrap();
    assert!((median - 3600.0).abs() <= 36.0 || (median - 7200.0).abs() <= 72.0, "{median}");
    assert_eq!(kpis.reopened, 1);
    assert_eq!(kpis.reopen_rate, Some(0.25));
    // First resolutions: 1, 2, 4; first contact: 1 (2 was transferred, 4 came back).
    assert_eq!(kpis.first_contact_resolution, Some(1.0 / 3.0));
    // Tickets 1, 2 and 4 of the four created are resolved now.
    assert_eq!(kpis.resolution_rate, Some(0.75));
    assert_eq!(kpis.transfers_per_ticket, Some(0.25));
    let first = kpis.sla_of(Metric::FirstResponse).unwrap();
    assert_eq!((first.met, first.missed, first.rate), (1, 1, Some(0.5)));
}

#[test]
fn rows_carry_the_dimensions_of_the_moment() {
    let rollup = fold_all(&morning());
    let team = |t: Option<i64>| total(&rollup, move |k| k.dims.team_id == t);
    // Both team-1 tickets were created in team 1; ticket 2 was resolved (twice) in team 2.
    assert_eq!(team(Some(1)).get(Counter::Created), 2);
    assert_eq!(team(Some(1)).get(Counter::Resolved), 1);
    assert_eq!(team(Some(2)).get(Counter::Resolved), 2);
    assert_eq!(team(Some(2)).get(Counter::Created), 0);
    // Responses land on the replier.
    let agent = |a: i64| total(&rollup, move |k| k.dims.agent_id == Some(a));
    assert_eq!(agent(7).get(Counter::FirstResponses), 2);
    assert_eq!(agent(9).get(Counter::FirstResponses), 1);
    assert_eq!(agent(8).get(Counter::FirstResponses), 1);
    // The reopen is counted in its own hour, with ticket 2's priority.
    let noon = total(&rollup, |k| k.hour == hour_of(at("12:00")));
    assert_eq!(noon.get(Counter::Reopened), 1);
    assert!(
        rollup
            .keys()
            .any(|k| k.hour == hour_of(at("12:00")) && k.dims.priority == Priority::High)
    );
}

#[test]
fn daily_slices_are_every_subset_of_the_dimensions() {
    let kept: Vec<Slice> = Slice::kept().collect();
    assert_eq!(kept.len(), 1 + 5 + 10 + 10 + 5 + 1);
    for width in 0..=5 {
        let binomial = [1, 5, 10, 10, 5, 1][width];
        assert_eq!(kept.iter().filter(|s| s.width() == width).count(), binomial, "{width}");
    }
    for slice in &kept {
        assert_eq!(Slice::parse(&slice.name()), Some(*slice), "{}", slice.name());
    }
    assert_eq!(Slice::WHOLE.name(), "");
    let pair = Slice::of(&[Dim::Channel, Dim::Team, Dim::Team]);
    assert_eq!(pair.name(), "team_id,channel");
    assert_eq!(pair.position(Dim::Channel), Some(1));
    assert_eq!(pair.position(Dim::Agent), None);
    assert_eq!(pair.width(), 2);
    let wide = Slice::of(&[Dim::Kind, Dim::Team, Dim::Agent]);
    assert_eq!(wide.name(), "team_id,agent_id,kind");
    assert_eq!(wide.position(Dim::Kind), Some(2));
    assert_eq!(Slice::parse("channel,team_id"), None, "only the stored order");
    assert_eq!(Slice::parse("team_id,team_id"), None);
    for not_a_slice in ["team", "team_id,", ",team_id", "agent_id,team_id,kind", "week:team_id"] {
        assert_eq!(Slice::parse(not_a_slice), None, "{not_a_slice}");
    }

    // An hourly row adds to one daily row per kept slice, each with its own values.
    let key = RowKey {
        hour: hour_of(at("09:30")),
        dims: Dims {
            team_id: Some(3),
            agent_id: None,
            channel: Channel::Chat,
            kind: TicketKind::Complaint,
            priority: Priority::High,
        },
    };
    let keys: Vec<_> = day_keys(&key, &TimeZone::UTC).collect();
    let days: Vec<_> = keys.iter().filter(|k| k.span == Span::Day).cloned().collect();
    assert_eq!(days.len(), kept.len());
    // ... and one week row per slice of at most two dimensions, on its Monday
    // (2026-03-02 is a Monday).
    let weeks: Vec<_> = keys.iter().filter(|k| k.span == Span::Week).collect();
    assert_eq!(weeks.len(), 1 + 5 + 10);
    assert!(weeks.iter().all(|k| k.day == jiff::civil::date(2026, 3, 2) && k.slice.width() <= 2));
    let week_pair = weeks.iter().find(|k| k.slice.name() == "team_id,agent_id").unwrap();
    assert_eq!(week_pair.slice_name(), "week:team_id,agent_id");
    assert_eq!(week_pair.value, "3,0");
    assert_eq!(Slice::parse_stored("week:team_id,agent_id"), Some((week_pair.slice, Span::Week)));
    assert_eq!(Slice::parse_stored("team_id,agent_id"), Some((week_pair.slice, Span::Day)));
    assert_eq!(Slice::parse_stored("week:team_id,agent_id,kind"), None, "no week rows that wide");
    for (day, monday) in [
        ("2026-03-02", "2026-03-02"),
        ("2026-03-08", "2026-03-02"),
        ("2026-03-09", "2026-03-09"),
    ] {
        assert_eq!(week_start(day.parse().unwrap()).to_string(), monday);
    }
    let value = |name: &str| days.iter().find(|d| d.slice.name() == name).map(|d| d.value.clone());
    assert_eq!(value("").as_deref(), Some(""));
    assert_eq!(value("team_id,agent_id").as_deref(), Some("3,0"));
    assert_eq!(value("channel,priority").as_deref(), Some("chat,high"));
    assert_eq!(value("kind").as_deref(), Some("complaint"));
    assert_eq!(value("team_id,channel,kind,priority").as_deref(), Some("3,chat,complaint,high"));
    assert_eq!(
        value("team_id,agent_id,channel,kind,priority").as_deref(),
        Some("3,0,chat,complaint,high")
    );
}

#[test]
fn business_time_leaves_out_closed_hours() {
    let zone = TimeZone::UTC;
    let office = BusinessCalendar::builder(zone)
        .weekdays(
            &[jiff::civil::Weekday::Monday, jiff::civil::Weekday::Tuesday],
            [crate::calendar::DayInterval::from_minutes(9 * 60, 18 * 60).unwrap()],
        )
        .build()
        .unwrap();
    // Created Monday 17:30, replied Tuesday 09:30: 16 hours elapsed, one business hour.
    let events = [
        created(1, "email", "consultation", "normal", None, at("17:30")),
        reply(1, 7, "2026-03-03T09:30:00Z".parse().unwrap()),
    ];
    let mut track = None;
    let mut out = Rollup::new();
    for event in &events {
        fold(&mut track, event, &seed(), &office, &mut out);
    }
    let kpis = Kpis::of(&total(&out, |_| true));
    assert_eq!(kpis.first_response.mean_seconds, Some(16.0 * 3600.0));
    assert_eq!(kpis.first_response_business.mean_seconds, Some(3600.0));
}

/// A random life of one ticket: a sequence of steps after its creation.
#[derive(Debug, Clone)]
enum Step {
    Reply(i64),
    Note(i64),
    Customer,
    Resolve,
    Reopen,
    Transfer(i64, i64),
    Assign(i64),
    Breach(u8),
    Achieve(u8, bool),
    FollowUp,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1..4i64).prop_map(Step::Reply),
        (1..4i64).prop_map(Step::Note),
        Just(Step::Customer),
        Just(Step::Resolve),
        Just(Step::Reopen),
        (1..4i64, 1..3i64).prop_map(|(a, t)| Step::Transfer(a, t)),
        (1..4i64).prop_map(Step::Assign),
        (0..3u8).prop_map(Step::Breach),
        (0..3u8, any::<bool>()).prop_map(|(c, on)| Step::Achieve(c, on)),
        Just(Step::FollowUp),
    ]
}

fn history() -> impl Strategy<Value = Vec<TicketEvent>> {
    prop::collection::vec((0..3u8, 0..3u8, prop::collection::vec((step(), 1..400i64), 0..14)), 1..8).prop_map(|tickets| {
        let mut events = Vec::new();
        for (i, (channel, priority, steps)) in tickets.into_iter().enumerate() {
            let number = i as i64 + 1;
            let mut when = at("08:00") + jiff::SignedDuration::from_mins(number * 37);
            let channel = ["web", "chat", "email"][channel as usize];
            let priority = ["low", "normal", "high"][priority as usize];
            events.push(created(number, channel, "consultation", priority, Some(1), when));
            let mut done = false;
            for (step, minutes) in steps {
                when += jiff::SignedDuration::from_mins(minutes);
                let event = match step {
                    Step::Reply(agent) => reply(number, agent, when),
                    Step::Note(agent) => ev(
                        number,
                        EventKind::MessageAdded,
                        ActorRef::agent(agent),
                        json!({ "kind": "note" }),
                        when,
                    ),
                    Step::Customer => customer(number, when),
                    Step::Resolve if !done => {
                        done = true;
                        status(number, ActorRef::agent(1), "open", "resolved", when)
                    }
                    Step::Reopen if done => {
                        done = false;
                        status(number, ActorRef::customer(1), "resolved", "open", when)
                    }
                    Step::Resolve | Step::Reopen => continue,
                    Step::Transfer(agent, team) => ev(
                        number,
                        EventKind::Transferred,
                        ActorRef::agent(1),
                        json!({ "to": { "agent": agent, "team": team } }),
                        when,
                    ),
                    Step::Assign(agent) => ev(number, EventKind::Assigned, ActorRef::SYSTEM, json!({ "after": agent }), when),
                    Step::Breach(cycle) => ev(
                        number,
                        EventKind::SlaBreached,
                        ActorRef::SYSTEM,
                        json!({ "metric": "next_response", "cycle": cycle }),
                        when,
                    ),
                    Step::Achieve(cycle, on_time) => ev(
                        number,
                        EventKind::SlaAchieved,
                        ActorRef::SYSTEM,
                        json!({ "metric": "next_response", "cycle": cycle, "on_time": on_time }),
                        when,
                    ),
                    Step::FollowUp => ev(number, EventKind::FollowUpCreated, ActorRef::customer(1), json!({}), when),
                };
                events.push(event);
            }
        }
        events.sort_by_key(|e| e.at);
        events
    })
}

fn same(a: &Delta, b: &Delta) -> bool {
    Counter::ALL.iter().all(|&c| a.get(c) == b.get(c))
        && SketchKind::ALL.iter().all(|&k| {
            let (x, y) = (a.sketch(k), b.sketch(k));
            x.map(|s| s.count()).unwrap_or(0) == y.map(|s| s.count()).unwrap_or(0)
                && [0.0, 0.5, 0.9, 1.0]
                    .iter()
                    .all(|&q| x.and_then(|s| s.quantile(q)) == y.and_then(|s| s.quantile(q)))
        })
}

proptest! {
    #[test]
    fn folding_in_batches_equals_one_pass(events in history(), cuts in prop::collection::vec(1..6usize, 1..10)) {
        let whole = fold_all(&events);
        // Batches: tracks go through their stored (JSON) form between batches, and each
        // batch's deltas are merged into the stored rows, as the reactor does.
        let calendar = BusinessCalendar::always_open(TimeZone::UTC);
        let mut stored_tracks: BTreeMap<TicketNumber, String> = BTreeMap::new();
        let mut stored_rows = Rollup::new();
        let mut rest = events.as_slice();
        let mut cut = cuts.iter().cycle();
        while !rest.is_empty() {
            let n = (*cut.next().unwrap()).min(rest.len());
            let (batch, later) = rest.split_at(n);
            rest = later;
            let mut batch_out = Rollup::new();
            let mut tracks: BTreeMap<TicketNumber, Option<TicketTrack>> = BTreeMap::new();
            for event in batch {
                let track = tracks.entry(event.ticket_number).or_insert_with(|| {
                    stored_tracks.get(&event.ticket_number).map(|json| serde_json::from_str(json).unwrap())
                });
                fold(track, event, &seed(), &calendar, &mut batch_out);
            }
            for (number, track) in tracks {
                stored_tracks.insert(number, serde_json::to_string(&track.unwrap()).unwrap());
            }
            for (key, delta) in batch_out {
                stored_rows.entry(key).or_default().merge(&delta);
            }
        }
        prop_assert_eq!(whole.keys().collect::<Vec<_>>(), stored_rows.keys().collect::<Vec<_>>());
        for (key, delta) in &whole {
            prop_assert!(same(delta, &stored_rows[key]), "row {:?} differs", key);
        }
    }

    #[test]
    fn counters_equal_a_recount_from_the_events(events in history()) {
        let all = total(&fold_all(&events), |_| true);
        let count = |f: &dyn Fn(&TicketEvent) -> bool| events.iter().filter(|e| f(e)).count() as i64;
        let status_to = |e: &TicketEvent, to: &str| e.kind == EventKind::StatusChanged && e.data["after"] == to;
        prop_assert_eq!(all.get(Counter::Created), count(&|e| e.kind == EventKind::Created));
        prop_assert_eq!(all.get(Counter::Resolved), count(&|e| status_to(e, "resolved")));
        prop_assert_eq!(all.get(Counter::Reopened), count(&|e| status_to(e, "open")));
        prop_assert_eq!(all.get(Counter::Transfers), count(&|e| e.kind == EventKind::Transferred));
        let is_reply = |e: &TicketEvent| e.kind == EventKind::MessageAdded && e.actor.kind == ActorKind::Agent && e.data["kind"] == "reply";
        prop_assert_eq!(all.get(Counter::AgentReplies), count(&is_reply));
        // Per ticket, straight from its own events.
        let mut first_responses = 0;
        let mut first_response_ms = 0;
        let mut resolved_now = 0;
        let mut fcr = 0;
        let mut on_time = 0;
        let mut missed = 0;
        let numbers: std::collections::BTreeSet<_> = events.iter().map(|e| e.ticket_number).collect();
        for number in numbers {
            let mine: Vec<&TicketEvent> = events.iter().filter(|e| e.ticket_number == number).collect();
            let created_at = mine[0].at;
            if let Some(first) = mine.iter().find(|e| is_reply(e)) {
                first_responses += 1;
                first_response_ms += first.at.as_millisecond() - created_at.as_millisecond();
            }
            let last_status = mine.iter().rev().find(|e| e.kind == EventKind::StatusChanged);
            if last_status.is_some_and(|e| e.data["after"] == "resolved") {
                resolved_now += 1;
            }
            // First contact: the first resolution came before any transfer or reopen, and
            // no reopen or follow-up within 7 days of it came after.
            if let Some(i) = mine.iter().position(|e| status_to(e, "resolved")) {
                let clean = !mine[..i].iter().any(|e| e.kind == EventKind::Transferred);
                let resolved_at = mine[i].at;
                let taken_back = mine[i..].iter().any(|e| {
                    status_to(e, "open")
                        || (e.kind == EventKind::FollowUpCreated
                            && e.at.duration_since(resolved_at) <= super::fold::REPEAT_CONTACT_WINDOW)
                });
                if clean && !taken_back {
                    fcr += 1;
                }
            }
            let mut seen = Vec::new();
            for e in &mine {
                let cycle = e.data.get("cycle").and_then(Value::as_u64);
                match e.kind {
                    EventKind::SlaAchieved if e.data["on_time"] == true => on_time += 1,
                    EventKind::SlaAchieved | EventKind::SlaBreached if !seen.contains(&cycle) => {
                        seen.push(cycle);
                        missed += 1;
                    }
                    _ => {}
                }
            }
        }
        prop_assert_eq!(all.get(Counter::FirstResponses), first_responses);
        prop_assert_eq!(all.get(Counter::FirstResponseMs), first_response_ms);
        prop_assert_eq!(all.get(Counter::CreatedResolved), resolved_now);
        prop_assert_eq!(all.get(Counter::FirstContactResolved), fcr);
        prop_assert_eq!(all.get(Counter::NextResponseMet), on_time);
        prop_assert_eq!(all.get(Counter::NextResponseMissed), missed);
    }
}
