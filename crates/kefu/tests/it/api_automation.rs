//! Automation rules over HTTP: they act on events as their own actor, cannot loop,
//! delay actions durably, can be tried on recent tickets, and bad rules are refused.

use crate::on_both;
use crate::support::{Backend, TestApp, spawn};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::time::Duration;

on_both!(
    rules_act_on_matching_events_as_their_own_actor,
    rules_that_trigger_each_other_stop_at_the_depth_limit,
    delayed_actions_fire_later_and_a_dry_run_writes_nothing,
    bad_rules_are_refused,
    idle_rules_run_once_as_a_ticket_crosses_the_idle_time,
);

async fn rule(app: &TestApp, body: Value) -> i64 {
    let (status, created) = app.post("/api/v1/rules", json!({ "rule": body })).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

async fn events(app: &TestApp, number: i64) -> Vec<Value> {
    let (_, events) = app.get(&format!("/api/v1/tickets/{number}/events")).await;
    events.as_array().unwrap().clone()
}

/// Waits until the ticket has had `n` rule runs and nothing more happens for a moment.
async fn settled_rule_runs(app: &TestApp, number: i64, at_least: usize) -> usize {
    let mut last = usize::MAX;
    for _ in 0..100 {
        let runs = events(app, number).await.iter().filter(|e| e["kind"] == "rule_applied").count();
        if runs >= at_least && runs == last {
            return runs;
        }
        last = runs;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    panic!("rule runs did not settle on ticket {number} (last {last})");
}

async fn rules_act_on_matching_events_as_their_own_actor(backend: Backend) {
    let app = spawn(backend).await;
    let (lead, lead_token) = app.agent("rules-lead@example.com", "supervisor", &[]).await;
    let _ = lead;
    let id = rule(
        &app,
        json!({ "name": "退款加急 Refunds first", "trigger": "ticket_created",
                "conditions": { "text_contains": ["退款", "refund"] },
                "actions": [
                    { "type": "set_priority", "priority": "high" },
                    { "type": "add_tags", "tags": ["refund"] },
                    { "type": "add_note", "body": "自动：退款类工单 automatic" },
                    { "type": "notify", "target": { "kind": "supervisor" }, "message": "新的退款工单" }
                ] }),
    )
    .await;
    let (status, refund) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "订单问题", "description": "我要退款，谢谢", "customer": { "email": "r@example.com" } }),
        )
        .await;
    assert_eq!(status, 201);
    let number = refund["number"].as_i64().unwrap();
    assert_eq!(settled_rule_runs(&app, number, 1).await, 1);
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(ticket["priority"], "high");
    assert_eq!(ticket["tags"], json!(["refund"]));
    assert_eq!(ticket["messages"][0]["kind"], "note");
    let all = events(&app, number).await;
    let changed = all.iter().find(|e| e["kind"] == "priority_changed").unwrap();
    assert_eq!(changed["actor"], json!({ "kind": "rule", "id": id }), "the rule is the actor");
    let (_, notes) = app
        .call(reqwest::Method::GET, "/api/v1/notifications", Some(&lead_token), None)
        .await;
    assert_eq!(notes["items"][0]["kind"], "rule", "{notes}");
    assert_eq!(notes["items"][0]["data"]["message"], "新的退款工单");

    let other = app.ticket("普通咨询", "n@example.com").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        events(&app, other).await.iter().all(|e| e["kind"] != "rule_applied"),
        "no match, no run"
    );
}

async fn rules_that_trigger_each_other_stop_at_the_depth_limit(backend: Backend) {
    let app = spawn(backend).await;
    rule(
        &app,
        json!({ "name": "pending → open", "trigger": "status_changed", "status_is": ["pending"],
                "actions": [{ "type": "set_status", "status": "open" }] }),
    )
    .await;
    rule(
        &app,
        json!({ "name": "open → pending", "trigger": "status_changed", "status_is": ["open"],
                "actions": [{ "type": "set_status", "status": "pending" }] }),
    )
    .await;
    let number = app.ticket("循环 loop", "loop@example.com").await;
    let (status, _) = app
        .patch(&format!("/api/v1/tickets/{number}"), json!({ "status": "pending" }))
        .await;
    assert_eq!(status, 200);
    // Depth 0 (the person's change): A opens, then B (seeing it open) sets it pending again,
    // in one cycle. From then on each event wakes only the other rule, one level deeper:
    // A at 1, B at 2, A at 3, B at 4; nothing runs at depth 5.
    assert_eq!(settled_rule_runs(&app, number, 6).await, 6, "the depth limit stops the chain");
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(ticket["status"], "pending");
}

async fn delayed_actions_fire_later_and_a_dry_run_writes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    rule(
        &app,
        json!({ "name": "Follow up in 10 min", "trigger": "ticket_created", "conditions": { "channels": ["email"] },
                "actions": [{ "type": "delay", "minutes": 10, "then": [{ "type": "add_tags", "tags": ["followed-up"] }] }] }),
    )
    .await;
    let (_, ticket) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "邮件", "description": "d", "channel": "email", "customer": { "email": "e@example.com" } }),
        )
        .await;
    let number = ticket["number"].as_i64().unwrap();
    settled_rule_runs(&app, number, 1).await;
    app.app.run_due_work(Timestamp::now() + SignedDuration::from_mins(5)).await.unwrap();
    let (_, early) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(early["tags"], json!([]));
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(11))
        .await
        .unwrap();
    let (_, later) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(later["tags"], json!(["followed-up"]));

    let (_, urgent) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "紧急", "description": "d", "priority": "urgent", "customer": { "email": "u@example.com" } }),
        )
        .await;
    let (_, before) = app.get(&format!("/api/v1/tickets/{}", urgent["number"])).await;
    let (status, tried) = app
        .post(
            "/api/v1/rules/dry-run",
            json!({ "rule": { "name": "try", "trigger": "ticket_created", "conditions": { "priorities": ["urgent"] },
                              "actions": [{ "type": "set_team", "team_id": 1 }, { "type": "add_tags", "tags": ["vip"] }] } }),
        )
        .await;
    assert_eq!(status, 200, "{tried}");
    let matched = tried["matched"].as_array().unwrap();
    assert_eq!(matched.len(), 1, "{tried}");
    assert_eq!(matched[0]["ticket_number"], urgent["number"]);
    assert_eq!(matched[0]["changes"]["tags"], json!(["vip"]));
    let (_, after) = app.get(&format!("/api/v1/tickets/{}", urgent["number"])).await;
    assert_eq!(before, after, "a dry run writes nothing");
}

async fn bad_rules_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let (status, problem) = app
        .post("/api/v1/rules", json!({ "rule": { "name": "", "trigger": "idle", "actions": [] } }))
        .await;
    assert_eq!(status, 422, "{problem}");
    let (status, problem) = app
        .post(
            "/api/v1/rules",
            json!({ "rule": { "name": "x", "trigger": "ticket_created", "actions": [{ "type": "set_team", "team_id": 999 }] } }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "unknown_team");
    let (status, _) = app
        .post(
            "/api/v1/rules",
            json!({ "rule": { "name": "x", "trigger": "nope", "actions": [] } }),
        )
        .await;
    assert_eq!(status, 422);
    let (_, listed) = app.get("/api/v1/rules").await;
    assert_eq!(listed, json!([]));
    let (_, token) = app.agent("rule-agent@example.com", "agent", &[]).await;
    let (status, _) = app.call(reqwest::Method::GET, "/api/v1/rules", Some(&token), None).await;
    assert_eq!(status, 403);
}

async fn idle_rules_run_once_as_a_ticket_crosses_the_idle_time(backend: Backend) {
    let app = spawn(backend).await;
    rule(
        &app,
        json!({ "name": "Waiting an hour", "trigger": "idle", "idle_minutes": 60, "status_is": ["pending"],
                "actions": [{ "type": "add_tags", "tags": ["chase"] }] }),
    )
    .await;
    let waiting = app.ticket("等客户 waiting", "w@example.com").await;
    app.post(&format!("/api/v1/tickets/{waiting}/messages"), json!({ "body": "请提供订单号" }))
        .await;
    let (status, _) = app
        .patch(&format!("/api/v1/tickets/{waiting}"), json!({ "status": "pending" }))
        .await;
    assert_eq!(status, 200);
    let working = app.ticket("处理中 working", "o@example.com").await;
    let now = Timestamp::now();
    // An hour and a minute later (the scheduler's clock, given): the pending one is idle.
    let ran = app
        .app
        .run_idle_rules(now - SignedDuration::from_mins(1), now + SignedDuration::from_mins(61))
        .await
        .unwrap();
    assert_eq!(ran, 1);
    let (_, chased) = app.get(&format!("/api/v1/tickets/{waiting}")).await;
    assert_eq!(chased["tags"], json!(["chase"]));
    let (_, untouched) = app.get(&format!("/api/v1/tickets/{working}")).await;
    assert_eq!(untouched["tags"], json!([]), "status_is: pending only");
    // The next minute's window: the rule's own change moved the last update; no repeat.
    let again = app
        .app
        .run_idle_rules(now + SignedDuration::from_mins(61), now + SignedDuration::from_mins(62))
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(
        events(&app, waiting).await.iter().filter(|e| e["kind"] == "rule_applied").count(),
        1
    );
}
