//! Validation one error at a time, the wire format, triggers, loop protection, and plans,
//! then the property that a plan is idempotent.

use super::*;
use crate::entities::tests_support::ticket;
use crate::enums::CustomerTier;
use proptest::prelude::*;
use serde_json::json;

fn rule(trigger: Trigger, actions: Vec<Action>) -> RuleSpec {
    RuleSpec {
        name: "Escalate".into(),
        active: true,
        trigger,
        idle_minutes: None,
        conditions: Conditions::default(),
        status_is: Vec::new(),
        actions,
    }
}

fn priority(priority: Priority) -> Action {
    Action::SetPriority { priority }
}

fn set_status(status: Status) -> Action {
    Action::SetStatus { status }
}

fn note(body: &str) -> Action {
    Action::AddNote { body: body.into() }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// The `(field, code)` pairs of a rule's validation errors.
fn errors(spec: &RuleSpec) -> Vec<(String, &'static str)> {
    match spec.validate() {
        Ok(()) => Vec::new(),
        Err(DomainError::Invalid(errors)) => errors.0.into_iter().map(|e| (e.field, e.code)).collect(),
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

fn one_error(spec: &RuleSpec) -> (String, &'static str) {
    let errors = errors(spec);
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

fn pair(field: &str, code: &'static str) -> (String, &'static str) {
    (field.to_owned(), code)
}

fn subject(ticket: &Ticket) -> Subject<'_> {
    Subject {
        ticket,
        tier: CustomerTier::Normal,
        text: None,
        open_now: true,
    }
}

// --- validation ------------------------------------------------------------------------

#[test]
fn a_plain_rule_is_valid() {
    assert_eq!(errors(&rule(Trigger::TicketCreated, vec![priority(Priority::High)])), []);
}

#[test]
fn name_is_required_and_bounded() {
    let mut spec = rule(Trigger::TicketCreated, vec![priority(Priority::High)]);
    spec.name = "  ".into();
    assert_eq!(one_error(&spec), pair("name", "required"));
    spec.name = "规".repeat(201);
    assert_eq!(one_error(&spec), pair("name", "too_long"));
    spec.name = "规".repeat(200);
    assert_eq!(errors(&spec), []);
}

#[test]
fn idle_minutes_belong_to_the_idle_trigger() {
    let mut spec = rule(Trigger::Idle, vec![priority(Priority::High)]);
    assert_eq!(one_error(&spec), pair("idle_minutes", "required"));
    spec.idle_minutes = Some(0);
    assert_eq!(one_error(&spec), pair("idle_minutes", "out_of_range"));
    spec.idle_minutes = Some(MAX_IDLE_MINUTES + 1);
    assert_eq!(one_error(&spec), pair("idle_minutes", "out_of_range"));
    spec.idle_minutes = Some(MAX_IDLE_MINUTES);
    assert_eq!(errors(&spec), []);
    spec.trigger = Trigger::CustomerReplied;
    assert_eq!(one_error(&spec), pair("idle_minutes", "not_allowed"));
}

#[test]
fn a_rule_has_one_to_twenty_actions() {
    let mut spec = rule(Trigger::TicketCreated, Vec::new());
    assert_eq!(one_error(&spec), pair("actions", "required"));
    spec.actions = vec![priority(Priority::Low); MAX_ACTIONS + 1];
    assert_eq!(one_error(&spec), pair("actions", "too_many"));
    spec.actions.pop();
    assert_eq!(errors(&spec), []);
}

#[test]
fn tag_actions_need_valid_tags() {
    let spec = rule(Trigger::TicketCreated, vec![Action::AddTags { tags: Vec::new() }]);
    assert_eq!(one_error(&spec), pair("actions[0].tags", "required"));
    let spec = rule(
        Trigger::TicketCreated,
        vec![
            priority(Priority::Low),
            Action::RemoveTags {
                tags: strings(&["ok", "two words"]),
            },
        ],
    );
    assert_eq!(one_error(&spec), pair("actions[1].tags[1]", "invalid_characters"));
}

#[test]
fn notes_are_non_blank_and_at_most_ten_thousand_characters() {
    let spec = rule(Trigger::TicketCreated, vec![priority(Priority::Low), note(" ")]);
    assert_eq!(one_error(&spec), pair("actions[1].body", "required"));
    let spec = rule(
        Trigger::TicketCreated,
        vec![priority(Priority::Low), priority(Priority::Low), note(&"注".repeat(10_001))],
    );
    assert_eq!(one_error(&spec), pair("actions[2].body", "too_long"));
    let spec = rule(Trigger::TicketCreated, vec![note(&"注".repeat(10_000))]);
    assert_eq!(errors(&spec), []);
}

#[test]
fn notifications_need_a_short_message_and_a_real_agent() {
    let spec = rule(
        Trigger::SlaWarning,
        vec![Action::Notify {
            target: NotifyTarget::Agent { agent_id: 0 },
            message: "x".repeat(MAX_MESSAGE_CHARS + 1),
        }],
    );
    assert_eq!(
        errors(&spec),
        [
            pair("actions[0].target.agent_id", "out_of_range"),
            pair("actions[0].message", "too_long")
        ]
    );
}

#[test]
fn ids_must_be_positive() {
    let spec = rule(
        Trigger::TicketCreated,
        vec![Action::SetTeam { team_id: -1 }, Action::Assign { agent_id: Some(0) }],
    );
    assert_eq!(
        errors(&spec),
        [
            pair("actions[0].team_id", "out_of_range"),
            pair("actions[1].agent_id", "out_of_range")
        ]
    );
    let unassign = rule(Trigger::TicketCreated, vec![Action::Assign { agent_id: None }]);
    assert_eq!(errors(&unassign), []);
}

#[test]
fn set_status_cannot_make_a_ticket_new_and_comes_once_per_list() {
    let spec = rule(Trigger::TicketCreated, vec![set_status(Status::New)]);
    assert_eq!(one_error(&spec), pair("actions[0].status", "not_allowed"));
    let spec = rule(Trigger::TicketCreated, vec![set_status(Status::Pending), set_status(Status::Open)]);
    assert_eq!(one_error(&spec), pair("actions[1].type", "not_allowed"));
    // Every other status is a legitimate target (closing resolved tickets is a classic).
    for status in Status::ALL.iter().copied().filter(|s| *s != Status::New) {
        assert_eq!(errors(&rule(Trigger::Idle, vec![set_status(status)])).len(), 1, "only idle_minutes");
    }
    // The `then` of a delay is its own list.
    let spec = rule(
        Trigger::TicketCreated,
        vec![
            set_status(Status::Pending),
            Action::Delay {
                minutes: 60,
                then: vec![set_status(Status::Open)],
            },
        ],
    );
    assert_eq!(errors(&spec), []);
}

#[test]
fn delays_are_bounded_and_never_nested() {
    let delay = |minutes, then| Action::Delay { minutes, then };
    let spec = rule(Trigger::TicketCreated, vec![delay(0, vec![note("later")])]);
    assert_eq!(one_error(&spec), pair("actions[0].minutes", "out_of_range"));
    let spec = rule(Trigger::TicketCreated, vec![delay(MAX_DELAY_MINUTES + 1, vec![note("later")])]);
    assert_eq!(one_error(&spec), pair("actions[0].minutes", "out_of_range"));
    let spec = rule(Trigger::TicketCreated, vec![delay(MAX_DELAY_MINUTES, vec![note("later")])]);
    assert_eq!(errors(&spec), []);
    let spec = rule(Trigger::TicketCreated, vec![delay(5, Vec::new())]);
    assert_eq!(one_error(&spec), pair("actions[0].then", "required"));
    let spec = rule(Trigger::TicketCreated, vec![delay(5, vec![note(""), delay(5, vec![note("x")])])]);
    assert_eq!(
        errors(&spec),
        [
            pair("actions[0].then[0].body", "required"),
            pair("actions[0].then[1].type", "not_allowed")
        ]
    );
}

#[test]
fn conditions_are_checked_too_and_every_error_is_reported_at_once() {
    let mut spec = rule(Trigger::Idle, vec![note(""), set_status(Status::New)]);
    spec.name = String::new();
    spec.conditions.text_contains = vec![" ".into()];
    assert_eq!(
        errors(&spec),
        [
            pair("name", "required"),
            pair("idle_minutes", "required"),
            pair("conditions.text_contains", "empty_value"),
            pair("actions[0].body", "required"),
            pair("actions[1].status", "not_allowed"),
        ]
    );
}

// --- wire format -----------------------------------------------------------------------

fn vip_complaint_rule() -> RuleSpec {
    RuleSpec {
        name: "VIP 投诉升级 / Escalate VIP complaints".into(),
        active: true,
        trigger: Trigger::CustomerReplied,
        idle_minutes: None,
        conditions: Conditions {
            kinds: vec![crate::enums::TicketKind::Complaint],
            tiers: vec![CustomerTier::Vip],
            text_contains: vec!["退款".into(), "refund".into()],
            ..Conditions::default()
        },
        status_is: vec![Status::Open, Status::Pending],
        actions: vec![
            priority(Priority::Urgent),
            Action::SetTeam { team_id: 3 },
            Action::Assign { agent_id: None },
            Action::AddTags {
                tags: strings(&["vip", "退款"]),
            },
            Action::RemoveTags {
                tags: strings(&["low_touch"]),
            },
            note("客户再次催促退款，请优先处理。"),
            Action::Notify {
                target: NotifyTarget::Supervisor,
                message: "VIP complaint needs attention".into(),
            },
            Action::Delay {
                minutes: 120,
                then: vec![Action::Notify {
                    target: NotifyTarget::Agent { agent_id: 42 },
                    message: "两小时未处理".into(),
                }],
            },
        ],
    }
}

#[test]
fn a_realistic_rule_round_trips_through_json() {
    let spec = vip_complaint_rule();
    assert_eq!(errors(&spec), []);
    let text = serde_json::to_string(&spec).unwrap();
    let back: RuleSpec = serde_json::from_str(&text).unwrap();
    assert_eq!(back, spec);
    let value = serde_json::to_value(&spec).unwrap();
    assert_eq!(value["actions"][0], json!({"type": "set_priority", "priority": "urgent"}));
    assert_eq!(value["actions"][2], json!({"type": "assign", "agent_id": null}));
    assert_eq!(value["actions"][6]["target"], json!({"kind": "supervisor"}));
    assert_eq!(value["actions"][7]["then"][0]["target"], json!({"kind": "agent", "agent_id": 42}));
    assert!(value.get("idle_minutes").is_none());
}

#[test]
fn json_as_an_admin_writes_it() {
    let spec: RuleSpec = serde_json::from_value(json!({
        "name": "Close resolved tickets after a week",
        "trigger": "idle",
        "idle_minutes": 10080,
        "status_is": ["resolved"],
        "actions": [{"type": "set_status", "status": "closed"}]
    }))
    .unwrap();
    assert!(spec.active, "active by default");
    assert_eq!(spec.conditions, Conditions::default());
    assert_eq!(errors(&spec), []);
}

#[test]
fn unknown_fields_and_types_are_refused() {
    let base = json!({"name": "x", "trigger": "ticket_created", "actions": [{"type": "add_note", "body": "hi"}]});
    assert!(serde_json::from_value::<RuleSpec>(base.clone()).is_ok());
    let mut typo = base.clone();
    typo["trigers"] = json!("x");
    assert!(serde_json::from_value::<RuleSpec>(typo).is_err());
    let mut extra_in_action = base.clone();
    extra_in_action["actions"][0]["bodyy"] = json!("x");
    assert!(serde_json::from_value::<RuleSpec>(extra_in_action).is_err());
    let mut unknown_action = base.clone();
    unknown_action["actions"][0] = json!({"type": "send_sms", "body": "hi"});
    assert!(serde_json::from_value::<RuleSpec>(unknown_action).is_err());
    let mut unknown_trigger = base;
    unknown_trigger["trigger"] = json!("ticket_deleted");
    assert!(serde_json::from_value::<RuleSpec>(unknown_trigger).is_err());
}

#[cfg(feature = "openapi")]
#[test]
fn the_recursive_action_schema_can_be_collected() {
    use utoipa::ToSchema;
    let mut schemas = Vec::new();
    RuleSpec::schemas(&mut schemas);
    TicketChanges::schemas(&mut schemas);
    assert!(schemas.iter().any(|(name, _)| name == "Action"));
}

// --- triggers ----------------------------------------------------------------------------

fn event(kind: EventKind, data: Value) -> TicketEvent {
    TicketEvent {
        id: 1,
        ticket_number: 1001,
        kind,
        actor: ActorRef::SYSTEM,
        data,
        at: "2026-03-02T01:00:00Z".parse().unwrap(),
    }
}

#[test]
fn stored_events_map_to_triggers() {
    let cases = [
        (EventKind::Created, json!({}), Some(Trigger::TicketCreated)),
        (EventKind::MessageAdded, json!({"kind": "customer"}), Some(Trigger::CustomerReplied)),
        (EventKind::MessageAdded, json!({"kind": "reply"}), None),
        (EventKind::MessageAdded, json!({"kind": "note"}), None),
        (EventKind::MessageAdded, json!({}), None),
        (
            EventKind::StatusChanged,
            json!({"before": "open", "after": "pending"}),
            Some(Trigger::StatusChanged),
        ),
        (
            EventKind::SlaWarning,
            json!({"metric": "first_response"}),
            Some(Trigger::SlaWarning),
        ),
        (EventKind::SlaBreached, json!({"metric": "resolution"}), Some(Trigger::SlaBreached)),
        (EventKind::CommitmentOverdue, json!({}), Some(Trigger::CommitmentOverdue)),
        (EventKind::PriorityChanged, json!({}), None),
        (EventKind::RuleApplied, json!({}), None),
        (EventKind::CommitmentDue, json!({}), None),
    ];
    for (kind, data, expected) in cases {
        assert_eq!(trigger_of(&event(kind, data.clone())), expected, "{kind} {data}");
    }
    // No event fires `idle`: the scheduler does.
    for kind in EventKind::ALL {
        assert_ne!(trigger_of(&event(*kind, json!({"kind": "customer"}))), Some(Trigger::Idle));
    }
}

#[test]
fn matching_needs_the_trigger_the_status_and_the_conditions() {
    let mut spec = vip_complaint_rule();
    let mut t = ticket();
    t.kind = crate::enums::TicketKind::Complaint;
    t.status = Status::Open;
    let vip = Subject {
        ticket: &t,
        tier: CustomerTier::Vip,
        text: Some("我要退款"),
        open_now: false,
    };
    assert!(spec.matches(Trigger::CustomerReplied, &vip));
    assert!(!spec.matches(Trigger::TicketCreated, &vip));
    assert!(!spec.matches(
        Trigger::CustomerReplied,
        &Subject {
            tier: CustomerTier::Normal,
            ..vip
        }
    ));
    spec.active = false;
    assert!(!spec.matches(Trigger::CustomerReplied, &vip));
    spec.active = true;
    let mut on_hold = t.clone();
    on_hold.status = Status::OnHold;
    assert!(!spec.matches(Trigger::CustomerReplied, &Subject { ticket: &on_hold, ..vip }));
}

#[test]
fn idle_rules_are_due_after_their_minutes() {
    let mut spec = rule(Trigger::Idle, vec![priority(Priority::High)]);
    spec.idle_minutes = Some(90);
    let at: Timestamp = "2026-03-02T01:00:00Z".parse().unwrap();
    assert_eq!(spec.idle_due_at(at), Some("2026-03-02T02:30:00Z".parse().unwrap()));
    spec.trigger = Trigger::TicketCreated;
    assert_eq!(spec.idle_due_at(at), None);
}

// --- loop protection -------------------------------------------------------------------

fn by_rule(id: Id) -> ActorRef {
    ActorRef {
        kind: ActorKind::Rule,
        id: Some(id),
    }
}

#[test]
fn a_rule_never_reacts_to_itself() {
    assert!(!may_trigger(7, 0, &by_rule(7)));
    assert!(may_trigger(7, 0, &by_rule(8)));
    assert!(may_trigger(7, 0, &ActorRef::agent(7)), "an agent with the same id is someone else");
    assert!(may_trigger(7, 0, &ActorRef::SYSTEM));
}

#[test]
fn nothing_runs_at_the_depth_limit() {
    for depth in 0..MAX_RULE_DEPTH {
        assert!(may_trigger(1, depth, &by_rule(2)));
    }
    assert!(!may_trigger(1, MAX_RULE_DEPTH, &by_rule(2)));
    assert!(!may_trigger(1, u8::MAX, &ActorRef::agent(5)));
}

/// Two rules that undo each other (open → pending → open ...) would run for ever; the
/// depth limit stops the chain after `MAX_RULE_DEPTH` runs.
#[test]
fn two_rules_undoing_each_other_stop_at_the_depth_limit() {
    let mut to_pending = rule(Trigger::StatusChanged, vec![set_status(Status::Pending)]);
    to_pending.status_is = vec![Status::Open];
    let mut to_open = rule(Trigger::StatusChanged, vec![set_status(Status::Open)]);
    to_open.status_is = vec![Status::Pending];
    let rules = [(1, to_pending), (2, to_open)];

    let mut t = ticket();
    t.status = Status::Open;
    // An agent opened the ticket: a status_changed event at depth 0.
    let mut queue = std::collections::VecDeque::from([(ActorRef::agent(9), 0_u8)]);
    let mut runs = Vec::new();
    while let Some((cause, depth)) = queue.pop_front() {
        // Which rules an event fires is decided on the ticket as the event left it.
        let fired: Vec<_> = rules
            .iter()
            .filter(|(id, spec)| may_trigger(*id, depth, &cause) && spec.matches(Trigger::StatusChanged, &subject(&t)))
            .collect();
        for (id, spec) in fired {
            let changes = spec.plan(&t);
            runs.push((*id, depth));
            if !changes.is_empty() {
                changes.apply_to(&mut t);
                queue.push_back((by_rule(*id), depth + 1));
            }
        }
        assert!(runs.len() < 100, "the loop did not stop");
    }
    assert_eq!(runs, [(1, 0), (2, 1), (1, 2), (2, 3), (1, 4)]);
}

// --- plans -------------------------------------------------------------------------------

#[test]
fn a_plan_reports_only_real_changes() {
    let mut t = ticket();
    t.priority = Priority::High;
    t.team_id = Some(3);
    t.tags = strings(&["vip"]);
    let spec = rule(
        Trigger::TicketCreated,
        vec![
            priority(Priority::High),
            Action::SetTeam { team_id: 3 },
            Action::Assign { agent_id: None },
            Action::AddTags { tags: strings(&["VIP"]) },
            set_status(Status::New),
            note("noted"),
        ],
    );
    let changes = spec.plan(&t);
    assert!(changes.is_empty(), "{changes:?}");
    assert_eq!(changes, TicketChanges::default());
}

#[test]
fn a_plan_applies_actions_in_order() {
    let t = ticket();
    let spec = rule(
        Trigger::TicketCreated,
        vec![
            priority(Priority::Urgent),
            priority(Priority::High),
            Action::Assign { agent_id: Some(5) },
            Action::SetTeam { team_id: 2 },
            Action::AddTags {
                tags: strings(&["Refund", "vip", "退款"]),
            },
            Action::RemoveTags { tags: strings(&["VIP"]) },
            set_status(Status::Pending),
            Action::Notify {
                target: NotifyTarget::Owner,
                message: "hi".into(),
            },
            Action::Delay {
                minutes: 5,
                then: vec![priority(Priority::Low)],
            },
        ],
    );
    let changes = spec.plan(&t);
    assert_eq!(
        changes,
        TicketChanges {
            priority: Some(Priority::High),
            team_id: Some(2),
            assignee_id: Some(Some(5)),
            tags: Some(strings(&["refund", "退款"])),
            status: Some(Status::Pending),
            skipped: Vec::new(),
        }
    );
    let json = serde_json::to_value(&changes).unwrap();
    assert_eq!(
        json,
        json!({"priority": "high", "team_id": 2, "assignee_id": 5, "tags": ["refund", "退款"], "status": "pending"})
    );
}

#[test]
fn unassigning_is_a_change_shown_as_null() {
    let mut t = ticket();
    t.assignee_id = Some(5);
    let changes = plan_actions(&[Action::Assign { agent_id: None }], &t);
    assert_eq!(changes.assignee_id, Some(None));
    assert_eq!(serde_json::to_value(&changes).unwrap(), json!({"assignee_id": null}));
}

#[test]
fn an_illegal_status_change_is_skipped_not_applied() {
    let mut t = ticket();
    t.status = Status::Open;
    let changes = plan_actions(&[priority(Priority::Urgent), set_status(Status::Closed)], &t);
    assert_eq!(changes.status, None);
    assert_eq!(changes.priority, Some(Priority::Urgent), "the other actions still apply");
    assert_eq!(changes.skipped.len(), 1);
    assert_eq!(changes.skipped[0].index, 1);
    assert_eq!(changes.skipped[0].code, "invalid_status_transition");

    t.status = Status::Resolved;
    let changes = plan_actions(&[set_status(Status::Closed)], &t);
    assert_eq!(changes.status, Some(Status::Closed));
    assert!(changes.skipped.is_empty());
}

#[test]
fn a_rule_cannot_resolve_an_unanswered_ticket() {
    let mut t = ticket();
    t.status = Status::Open;
    let changes = plan_actions(&[note("resolved by rule"), set_status(Status::Resolved)], &t);
    assert_eq!(changes.status, None);
    assert_eq!(changes.skipped[0].code, "resolve_needs_reply");
    t.has_public_reply = true;
    assert_eq!(plan_actions(&[set_status(Status::Resolved)], &t).status, Some(Status::Resolved));
}

#[test]
fn tags_beyond_the_limit_skip_the_whole_tag_change() {
    let mut t = ticket();
    t.tags = (0..MAX_TAGS - 1).map(|i| format!("t{i:02}")).collect();
    let changes = plan_actions(
        &[
            Action::AddTags {
                tags: strings(&["a", "b"]),
            },
            priority(Priority::Low),
            Action::RemoveTags { tags: strings(&["zzz"]) },
        ],
        &t,
    );
    assert_eq!(changes.tags, None);
    assert_eq!(changes.priority, Some(Priority::Low));
    assert_eq!(changes.skipped.len(), 1);
    assert_eq!((changes.skipped[0].index, changes.skipped[0].code), (0, "too_many_tags"));
    // Removing first makes room.
    let changes = plan_actions(
        &[
            Action::RemoveTags { tags: strings(&["t00"]) },
            Action::AddTags {
                tags: strings(&["a", "b"]),
            },
        ],
        &t,
    );
    assert_eq!(changes.tags.map(|tags| tags.len()), Some(MAX_TAGS));
    // A ticket already over the limit may still lose tags.
    t.tags = (0..MAX_TAGS + 3).map(|i| format!("t{i:02}")).collect();
    let changes = plan_actions(&[Action::RemoveTags { tags: strings(&["t00"]) }], &t);
    assert_eq!(changes.tags.map(|tags| tags.len()), Some(MAX_TAGS + 2));
}

// --- properties --------------------------------------------------------------------------

const TAG_POOL: usize = 30;

fn any_tag() -> impl Strategy<Value = String> {
    (0..TAG_POOL, any::<bool>()).prop_map(|(i, upper)| if upper { format!("T{i}") } else { format!("t{i}") })
}

fn any_status() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

fn any_id() -> impl Strategy<Value = Id> {
    1_i64..4
}

fn any_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        proptest::sample::select(Priority::ALL.to_vec()).prop_map(priority),
        any_id().prop_map(|team_id| Action::SetTeam { team_id }),
        proptest::option::of(any_id()).prop_map(|agent_id| Action::Assign { agent_id }),
        proptest::collection::vec(any_tag(), 1..6).prop_map(|tags| Action::AddTags { tags }),
        proptest::collection::vec(any_tag(), 1..6).prop_map(|tags| Action::RemoveTags { tags }),
        any_status()
            .prop_filter("new is refused", |s| *s != Status::New)
            .prop_map(set_status),
        Just(note("checked")),
        Just(Action::Notify {
            target: NotifyTarget::Team,
            message: "look".into()
        }),
    ]
}

/// Valid action lists: at most one status change.
fn any_actions() -> impl Strategy<Value = Vec<Action>> {
    proptest::collection::vec(any_action(), 1..10).prop_map(|actions| {
        let mut seen = false;
        actions
            .into_iter()
            .filter(|a| {
                let status = matches!(a, Action::SetStatus { .. });
                let keep = !(status && seen);
                seen |= status;
                keep
            })
            .collect()
    })
}

fn any_ticket() -> impl Strategy<Value = Ticket> {
    (
        any_status(),
        proptest::sample::select(Priority::ALL.to_vec()),
        proptest::option::of(any_id()),
        proptest::option::of(any_id()),
        proptest::sample::subsequence((0..TAG_POOL).collect::<Vec<_>>(), 0..=MAX_TAGS),
        any::<bool>(),
    )
        .prop_map(|(status, priority, team_id, assignee_id, tags, has_public_reply)| Ticket {
            status,
            priority,
            team_id,
            assignee_id,
            tags: canonical_tags(&tags.iter().map(|i| format!("t{i}")).collect::<Vec<_>>()),
            has_public_reply,
            ..ticket()
        })
}

proptest! {
    /// Applying a plan and planning again changes nothing, and a plan only names fields
    /// that differ from the ticket.
    #[test]
    fn plans_are_idempotent(t in any_ticket(), actions in any_actions()) {
        let spec = rule(Trigger::TicketCreated, actions);
        prop_assert_eq!(errors(&spec), Vec::<(String, &str)>::new());
        let changes = spec.plan(&t);
        prop_assert!(changes.priority.is_none_or(|p| p != t.priority));
        prop_assert!(changes.team_id.is_none_or(|team| Some(team) != t.team_id));
        prop_assert!(changes.assignee_id.is_none_or(|a| a != t.assignee_id));
        prop_assert!(changes.status.is_none_or(|s| s != t.status));
        if let Some(tags) = &changes.tags {
            prop_assert!(*tags != t.tags);
            prop_assert!(tags.len() <= MAX_TAGS);
        }
        let mut after = t.clone();
        changes.apply_to(&mut after);
        let again = spec.plan(&after);
        prop_assert!(again.is_empty(), "first {:?}, then {:?}", changes, again);
    }
}
