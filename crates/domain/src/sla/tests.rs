//! One test per clock rule of the module documentation, then properties over random
//! histories.

use super::*;
use crate::calendar::DayInterval;
use crate::entities::ActorRef;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use proptest::prelude::*;
use serde_json::json;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn utc_24x7() -> BusinessCalendar {
    BusinessCalendar::always_open(TimeZone::UTC)
}

/// Shanghai, Monday to Friday 09:00-12:00 and 13:30-18:00.
fn office() -> BusinessCalendar {
    let hours: [DayInterval; 2] = ["09:00-12:00".parse().unwrap(), "13:30-18:00".parse().unwrap()];
    BusinessCalendar::builder(TimeZone::get("Asia/Shanghai").unwrap())
        .weekdays(
            &[
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ],
            hours,
        )
        .build()
        .unwrap()
}

fn rules(targets: &[(Metric, u32)], business_hours: bool) -> ClockRules {
    ClockRules {
        targets: targets
            .iter()
            .map(|&(metric, seconds)| Target {
                metric,
                seconds,
                business_hours,
            })
            .collect(),
        pause_on_hold: false,
        warn_percent: 80,
    }
}

fn ev(when: &str, happening: Happening) -> ClockEvent {
    ClockEvent { at: at(when), happening }
}

fn created(when: &str) -> ClockEvent {
    ev(when, Happening::Created { status: Status::New })
}

fn status(when: &str, to: Status) -> ClockEvent {
    ev(when, Happening::StatusChanged { to })
}

fn run(rules: &ClockRules, calendar: &BusinessCalendar, history: &[ClockEvent]) -> SlaState {
    SlaState::replay(Some(1), rules, calendar, history, None, Timestamp::MAX)
}

fn stored(kind: EventKind, actor: ActorRef, data: serde_json::Value) -> TicketEvent {
    TicketEvent {
        id: 1,
        ticket_number: 1001,
        kind,
        actor,
        data,
        at: at("2026-03-02T01:00:00Z"),
    }
}

#[test]
fn only_a_public_reply_by_a_human_agent_is_a_response() {
    let reply = stored(EventKind::MessageAdded, ActorRef::agent(7), json!({"kind": "reply"}));
    assert_eq!(clock_event(&reply).unwrap().happening, Happening::AgentReplied);
    let note = stored(EventKind::MessageAdded, ActorRef::agent(7), json!({"kind": "note"}));
    assert_eq!(clock_event(&note), None);
    let acknowledgement = stored(EventKind::MessageAdded, ActorRef::SYSTEM, json!({"kind": "system"}));
    assert_eq!(clock_event(&acknowledgement), None);
    let by_rule = stored(
        EventKind::MessageAdded,
        ActorRef {
            kind: ActorKind::Rule,
            id: Some(3),
        },
        json!({"kind": "reply"}),
    );
    assert_eq!(clock_event(&by_rule), None, "a rule's automatic reply is not a response");
    let customer = stored(EventKind::MessageAdded, ActorRef::customer(5), json!({"kind": "customer"}));
    assert_eq!(clock_event(&customer).unwrap().happening, Happening::CustomerMessaged);
    let transfer = stored(EventKind::Transferred, ActorRef::agent(7), json!({}));
    assert_eq!(clock_event(&transfer), None);
}

#[test]
fn first_response_runs_until_the_first_agent_reply() {
    let r = rules(&[(Metric::FirstResponse, 15 * 60)], false);
    let state = run(
        &r,
        &utc_24x7(),
        &[created("2026-03-02T01:00:00Z"), ev("2026-03-02T01:10:00Z", Happening::AgentReplied)],
    );
    let clock = state.clock(Metric::FirstResponse).unwrap();
    assert_eq!(clock.phase, Phase::Achieved);
    assert_eq!(clock.used_ms, 10 * 60 * 1000);
    assert_eq!(clock.achieved_at, Some(at("2026-03-02T01:10:00Z")));
    assert!(!state.breached(Timestamp::MAX));
}

#[test]
fn business_hours_carry_a_due_time_over_the_weekend() {
    // Friday 17:50 in Shanghai (09:50 UTC), 30 business minutes: 10 on Friday, 20 on Monday.
    let r = rules(&[(Metric::FirstResponse, 30 * 60)], true);
    let state = run(&r, &office(), &[created("2026-03-06T09:50:00Z")]);
    assert_eq!(state.due_at(), Some(at("2026-03-09T01:20:00Z")));
    // 80 %: 24 minutes: Monday 09:14.
    assert_eq!(state.warn_at(), Some(at("2026-03-09T01:14:00Z")));
}

#[test]
fn a_reply_exactly_at_the_due_time_is_on_time_and_a_millisecond_later_is_not() {
    let r = rules(&[(Metric::FirstResponse, 30)], false);
    let on_time = run(
        &r,
        &utc_24x7(),
        &[created("2026-03-02T01:00:00Z"), ev("2026-03-02T01:00:30Z", Happening::AgentReplied)],
    );
    assert!(!on_time.breached(Timestamp::MAX));
    let late = run(
        &r,
        &utc_24x7(),
        &[
            created("2026-03-02T01:00:00Z"),
            ev("2026-03-02T01:00:30.001Z", Happening::AgentReplied),
        ],
    );
    let clock = late.clock(Metric::FirstResponse).unwrap();
    assert_eq!(clock.breached_at, Some(at("2026-03-02T01:00:30Z")), "the breach instant is exact");
    assert_eq!(clock.breaches, 1);
}

#[test]
fn pending_pauses_resolution_and_the_customer_resumes_it() {
    let r = rules(&[(Metric::Resolution, 3600)], false);
    let state = run(
        &r,
        &utc_24x7(),
        &[
            created("2026-03-02T01:00:00Z"),
            status("2026-03-02T01:20:00Z", Status::Pending),
            // Two days waiting on the customer count for nothing.
            ev("2026-03-04T01:20:00Z", Happening::CustomerMessaged),
            status("2026-03-04T01:20:00Z", Status::Open),
        ],
    );
    let clock = state.clock(Metric::Resolution).unwrap();
    assert_eq!(clock.phase, Phase::Running);
    assert_eq!(clock.used_ms, 20 * 60 * 1000);
    assert_eq!(clock.due_at, Some(at("2026-03-04T02:00:00Z")));
}

#[test]
fn on_hold_pauses_only_when_the_policy_says_so() {
    let history = [
        created("2026-03-02T01:00:00Z"),
        status("2026-03-02T01:30:00Z", Status::OnHold),
        status("2026-03-02T03:30:00Z", Status::Open),
    ];
    let mut r = rules(&[(Metric::Resolution, 4 * 3600)], false);
    let running = run(&r, &utc_24x7(), &history);
    assert_eq!(running.due_at(), Some(at("2026-03-02T05:00:00Z")));
    r.pause_on_hold = true;
    let paused = run(&r, &utc_24x7(), &history);
    assert_eq!(paused.due_at(), Some(at("2026-03-02T07:00:00Z")));
}

#[test]
fn reopening_resumes_resolution_from_where_it_stopped() {
    let r = rules(&[(Metric::Resolution, 3600)], false);
    let state = run(
        &r,
        &utc_24x7(),
        &[
            created("2026-03-02T01:00:00Z"),
            status("2026-03-02T01:40:00Z", Status::Resolved),
            status("2026-03-03T09:00:00Z", Status::Open),
        ],
    );
    let clock = state.clock(Metric::Resolution).unwrap();
    assert_eq!(clock.phase, Phase::Running);
    assert_eq!(clock.used_ms, 40 * 60 * 1000);
    assert_eq!(clock.achieved_at, None);
    assert_eq!(clock.due_at, Some(at("2026-03-03T09:20:00Z")));
}

#[test]
fn next_response_starts_a_cycle_at_each_customer_message_after_a_reply() {
    let r = rules(&[(Metric::NextResponse, 600)], false);
    let mut state = run(
        &r,
        &utc_24x7(),
        &[
            created("2026-03-02T01:00:00Z"),
            // Before the first reply, the first-response target covers the wait.
            ev("2026-03-02T01:01:00Z", Happening::CustomerMessaged),
        ],
    );
    assert_eq!(state.clock(Metric::NextResponse).unwrap().phase, Phase::Idle);
    let cal = utc_24x7();
    for e in [
        ev("2026-03-02T01:05:00Z", Happening::AgentReplied),
        ev("2026-03-02T02:00:00Z", Happening::CustomerMessaged),
        ev("2026-03-02T02:03:00Z", Happening::CustomerMessaged),
    ] {
        state.apply(&r, &cal, &e);
    }
    let clock = state.clock(Metric::NextResponse).unwrap();
    assert_eq!((clock.phase, clock.cycle), (Phase::Running, 1));
    assert_eq!(
        clock.due_at,
        Some(at("2026-03-02T02:10:00Z")),
        "a second message does not restart it"
    );
    state.apply(&r, &cal, &ev("2026-03-02T02:30:00Z", Happening::AgentReplied));
    state.apply(&r, &cal, &ev("2026-03-02T03:00:00Z", Happening::CustomerMessaged));
    let clock = state.clock(Metric::NextResponse).unwrap();
    assert_eq!((clock.phase, clock.cycle, clock.breaches), (Phase::Running, 2, 1));
    assert_eq!(clock.breached_at, None, "a new cycle starts clean");
}

#[test]
fn resolving_before_any_reply_cancels_the_first_response_clock() {
    let r = rules(&[(Metric::FirstResponse, 600), (Metric::Resolution, 3600)], false);
    let state = run(
        &r,
        &utc_24x7(),
        &[created("2026-03-02T01:00:00Z"), status("2026-03-02T01:05:00Z", Status::Resolved)],
    );
    assert_eq!(state.clock(Metric::FirstResponse).unwrap().phase, Phase::Cancelled);
    assert_eq!(state.clock(Metric::Resolution).unwrap().phase, Phase::Achieved);
    assert_eq!(state.next_check_at(), None);
}

#[test]
fn a_stricter_policy_recomputes_due_times_from_the_history() {
    let cal = utc_24x7();
    let history = [created("2026-03-02T01:00:00Z"), status("2026-03-02T01:10:00Z", Status::Open)];
    let normal = run(&rules(&[(Metric::FirstResponse, 4 * 3600)], false), &cal, &history);
    assert_eq!(normal.due_at(), Some(at("2026-03-02T05:00:00Z")));
    // At 01:45 the ticket becomes urgent (30 minutes): due at 01:30, already breached.
    let now = at("2026-03-02T01:45:00Z");
    let urgent = SlaState::replay(
        Some(2),
        &rules(&[(Metric::FirstResponse, 1800)], false),
        &cal,
        &history,
        Some(&normal),
        now,
    );
    assert_eq!(urgent.due_at(), Some(at("2026-03-02T01:30:00Z")));
    assert!(urgent.breached(now));
    assert_eq!(urgent.next_check_at(), Some(at("2026-03-02T01:24:00Z")));
}

#[test]
fn alerts_come_once_with_exact_instants() {
    let cal = utc_24x7();
    let r = rules(&[(Metric::FirstResponse, 1000)], false);
    let mut state = run(&r, &cal, &[created("2026-03-02T01:00:00Z")]);
    assert_eq!(state.next_check_at(), Some(at("2026-03-02T01:13:20Z")));
    assert!(state.take_alerts(at("2026-03-02T01:13:19Z")).is_empty());
    let warning = state.take_alerts(at("2026-03-02T01:13:21Z"));
    assert_eq!(warning.len(), 1);
    assert_eq!((warning[0].kind, warning[0].at), (AlertKind::Warning, at("2026-03-02T01:13:20Z")));
    assert_eq!(state.next_check_at(), Some(at("2026-03-02T01:16:40Z")));
    // Noticed late (the machine was down): the breach still carries its exact instant.
    let breach = state.take_alerts(at("2026-03-02T09:00:00Z"));
    assert_eq!(breach.len(), 1);
    assert_eq!((breach[0].kind, breach[0].at), (AlertKind::Breach, at("2026-03-02T01:16:40Z")));
    assert!(state.take_alerts(at("2026-03-03T00:00:00Z")).is_empty());
    assert_eq!(state.next_check_at(), None);
    // A replay keeps what was recorded, so a recomputation does not repeat the alerts.
    let replayed = SlaState::replay(
        Some(1),
        &r,
        &cal,
        &[created("2026-03-02T01:00:00Z")],
        Some(&state),
        at("2026-03-02T09:00:01Z"),
    );
    assert_eq!(replayed.next_check_at(), None);
}

#[test]
fn a_warning_passed_together_with_the_breach_is_not_sent() {
    let cal = utc_24x7();
    let mut state = run(&rules(&[(Metric::Resolution, 60)], false), &cal, &[created("2026-03-02T01:00:00Z")]);
    let alerts = state.take_alerts(at("2026-03-02T02:00:00Z"));
    assert_eq!(alerts.iter().map(|a| a.kind).collect::<Vec<_>>(), vec![AlertKind::Breach]);
}

#[test]
fn views_show_time_used_and_left() {
    let cal = utc_24x7();
    let state = run(
        &rules(&[(Metric::Resolution, 3600)], false),
        &cal,
        &[created("2026-03-02T01:00:00Z")],
    );
    let view = state.clocks[0].view(at("2026-03-02T01:45:00Z"), &cal);
    assert_eq!((view.used_seconds, view.remaining_seconds, view.breached), (2700, 900, false));
    let late = state.clocks[0].view(at("2026-03-02T02:10:00Z"), &cal);
    assert_eq!((late.remaining_seconds, late.breached, late.breaches), (-600, true, 1));
    assert_eq!(late.breached_at, Some(at("2026-03-02T02:00:00Z")));
}

#[test]
fn state_round_trips_through_json() {
    let cal = office();
    let state = run(
        &rules(&[(Metric::FirstResponse, 1800), (Metric::Resolution, 72 * 3600)], true),
        &cal,
        &[created("2026-03-06T09:50:00Z")],
    );
    let text = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<SlaState>(&text).unwrap(), state);
}

#[test]
fn targets_are_validated() {
    let mut errors = FieldErrors::default();
    let targets = [
        Target {
            metric: Metric::Resolution,
            seconds: 0,
            business_hours: true,
        },
        Target {
            metric: Metric::Resolution,
            seconds: 60,
            business_hours: true,
        },
    ];
    ClockRules::validate(&targets, 100, &mut errors);
    let codes: Vec<_> = errors.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        codes,
        vec![
            ("targets[0].seconds", "out_of_range"),
            ("targets[1].metric", "duplicate_metric"),
            ("warn_percent", "out_of_range")
        ]
    );
}

fn happenings() -> impl Strategy<Value = Happening> {
    prop_oneof![
        Just(Happening::AgentReplied),
        Just(Happening::CustomerMessaged),
        Just(Happening::ArrivedOnSite),
        prop::sample::select(Status::ALL.to_vec()).prop_map(|to| Happening::StatusChanged { to }),
    ]
}

fn histories() -> impl Strategy<Value = Vec<ClockEvent>> {
    (0i64..2_000_000_000, prop::collection::vec((0i64..400_000_000, happenings()), 0..25)).prop_map(|(start, steps)| {
        let mut t = Timestamp::from_second(1_767_225_600 + start / 1000).unwrap();
        let mut events = vec![ClockEvent {
            at: t,
            happening: Happening::Created { status: Status::New },
        }];
        for (gap, happening) in steps {
            t = t.checked_add(jiff::SignedDuration::from_millis(gap)).unwrap();
            events.push(ClockEvent { at: t, happening });
        }
        events
    })
}

fn all_rules() -> ClockRules {
    ClockRules {
        targets: vec![
            Target {
                metric: Metric::FirstResponse,
                seconds: 1800,
                business_hours: true,
            },
            Target {
                metric: Metric::NextResponse,
                seconds: 3600,
                business_hours: false,
            },
            Target {
                metric: Metric::Resolution,
                seconds: 72 * 3600,
                business_hours: true,
            },
            Target {
                metric: Metric::Arrival,
                seconds: 4 * 3600,
                business_hours: false,
            },
        ],
        pause_on_hold: true,
        warn_percent: 80,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Counted time never exceeds elapsed time, never goes negative, and a clock that is
    /// not running has no due time.
    #[test]
    fn clocks_stay_consistent(history in histories()) {
        let cal = office();
        let state = run(&all_rules(), &cal, &history);
        let elapsed = history.last().unwrap().at.as_millisecond() - history[0].at.as_millisecond();
        for clock in &state.clocks {
            prop_assert!(clock.used_ms >= 0);
            prop_assert!(clock.used_ms <= elapsed);
            prop_assert_eq!(clock.phase == Phase::Running, clock.running_since.is_some());
            if clock.phase != Phase::Running {
                prop_assert_eq!(clock.due_at, None);
            }
            if let (Some(warn), Some(due)) = (clock.warn_at, clock.due_at) {
                prop_assert!(warn <= due);
            }
            if clock.breaches > 0 && clock.phase != Phase::Running {
                prop_assert!(clock.used_ms > i64::from(clock.target_seconds) * 1000 || clock.cycle > 1);
            }
        }
    }

    /// Applying events one at a time (what commands do) gives the same state as a replay.
    #[test]
    fn incremental_equals_replay(history in histories()) {
        let cal = office();
        let rules = all_rules();
        let mut state = SlaState::new(Some(1), &rules);
        for event in &history {
            state.apply(&rules, &cal, event);
        }
        prop_assert_eq!(state, run(&rules, &cal, &history));
    }

    /// After the scheduler takes the alerts due at `now`, nothing is due before `now`, and
    /// taking again at the same moment yields nothing.
    #[test]
    fn alerts_are_taken_once(history in histories(), later in 0i64..500_000_000) {
        let cal = office();
        let mut state = run(&all_rules(), &cal, &history);
        let now = history.last().unwrap().at.checked_add(jiff::SignedDuration::from_millis(later)).unwrap();
        state.take_alerts(now);
        prop_assert!(state.next_check_at().is_none_or(|t| t > now));
        prop_assert!(state.take_alerts(now).is_empty());
    }
}
