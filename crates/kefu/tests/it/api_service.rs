//! The service engine over HTTP: SLA policies and clocks (driven by the scheduler with a
//! chosen "now", so breaches need no waiting), calendars and holiday import,
//! commitments, notifications and reminders.

use crate::on_both;
use crate::support::{Backend, TestApp, event_kinds, spawn};
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

on_both!(
    clocks_warn_and_breach_once_with_exact_instants,
    a_priority_change_recomputes_due_times_from_the_history,
    pending_pauses_resolution_and_seeded_policies_apply_by_channel,
    calendars_validate_import_holidays_and_refuse_deletion_in_use,
    commitments_remind_escalate_and_count_late_as_broken,
    notifications_page_and_mark_read_and_reminders_fire,
    bad_policies_are_refused_and_change_nothing,
    transfers_notify_the_new_holder_and_keep_the_owner_tracking,
    service_facts_are_stored_as_they_happen,
    at_risk_then_breached_in_real_time,
);

fn ts(value: &Value) -> Timestamp {
    value.as_str().expect("timestamp string").parse().expect("timestamp")
}

async fn policy(app: &TestApp, body: Value) -> i64 {
    let (status, created) = app.post("/api/v1/sla-policies", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

async fn ticket_with(app: &TestApp, extra: Value) -> Value {
    let mut body = json!({ "subject": "SLA", "description": "d", "customer": { "email": "sla@example.com" } });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, ticket) = app.post("/api/v1/tickets", body).await;
    assert_eq!(status, 201, "{ticket}");
    ticket
}

async fn events_of(app: &TestApp, number: i64, kind: &str) -> Vec<Value> {
    let (_, events) = app.get(&format!("/api/v1/tickets/{number}/events")).await;
    events.as_array().unwrap().iter().filter(|e| e["kind"] == kind).cloned().collect()
}

async fn clocks_warn_and_breach_once_with_exact_instants(backend: Backend) {
    let app = spawn(backend).await;
    let id = policy(
        &app,
        json!({ "name": "Test 60 s", "position": 1, "conditions": { "tags": ["sla-test"] }, "warn_percent": 50,
                "targets": [{ "metric": "first_response", "seconds": 60, "business_hours": false },
                            { "metric": "resolution", "seconds": 3600, "business_hours": false }] }),
    )
    .await;
    let ticket = ticket_with(&app, json!({ "tags": ["sla-test"] })).await;
    let number = ticket["number"].as_i64().unwrap();
    let created = ts(&ticket["created_at"]);
    let (status, sla) = app.get(&format!("/api/v1/tickets/{number}/sla")).await;
    assert_eq!(status, 200, "{sla}");
    assert_eq!(sla["policy_id"], id);
    let first = &sla["clocks"][0];
    assert_eq!(
        (first["metric"].as_str(), first["phase"].as_str()),
        (Some("first_response"), Some("running"))
    );
    let due = ts(&first["due_at"]);
    assert_eq!(due, created + SignedDuration::from_secs(60), "due exactly 60 s after creation");
    assert_eq!(ts(&ticket["sla_due_at"]), due);

    // The scheduler, asked at chosen moments: the warning at 50 %, once.
    app.app.run_due_work(created + SignedDuration::from_secs(40)).await.unwrap();
    app.app.run_due_work(created + SignedDuration::from_secs(45)).await.unwrap();
    let warnings = events_of(&app, number, "sla_warning").await;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(ts(&warnings[0]["data"]["at"]), created + SignedDuration::from_secs(30));
    let (_, at_risk) = app.get("/api/v1/tickets?sla=at_risk").await;
    assert!(at_risk["items"].as_array().unwrap().is_empty(), "at risk is judged by the real now");

    // Noticed two minutes late, the breach still carries its exact instant, once.
    app.app.run_due_work(created + SignedDuration::from_secs(180)).await.unwrap();
    app.app.run_due_work(created + SignedDuration::from_secs(240)).await.unwrap();
    let breaches = events_of(&app, number, "sla_breached").await;
    assert_eq!(breaches.len(), 1, "{breaches:?}");
    assert_eq!(breaches[0]["data"]["metric"], "first_response");
    assert_eq!(ts(&breaches[0]["data"]["at"]), due);
    let (_, fetched) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(fetched["sla_breached"], true);

    // A note is not a response; a public reply is, and it was late.
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            json!({ "kind": "note", "body": "looking" }),
        )
        .await;
    assert_eq!(status, 201);
    assert!(events_of(&app, number, "sla_achieved").await.is_empty());
    app.post(&format!("/api/v1/tickets/{number}/messages"), json!({ "body": "您好" }))
        .await;
    let achieved = events_of(&app, number, "sla_achieved").await;
    assert_eq!(achieved.len(), 1);
    assert_eq!(
        (achieved[0]["data"]["metric"].as_str(), achieved[0]["data"]["on_time"].as_bool()),
        (Some("first_response"), Some(false))
    );
    let (_, reloaded) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert!(reloaded["facts"]["first_response_ms"].as_i64().unwrap() >= 0);
    assert_eq!(reloaded["facts"]["agent_replies"], 1);

    // Sort by nearest due: only tickets with a running clock, nearest first.
    let other = ticket_with(&app, json!({ "tags": ["sla-test"] })).await;
    let (status, by_due) = app.get("/api/v1/tickets?sort=sla_due").await;
    assert_eq!(status, 200, "{by_due}");
    let numbers: Vec<i64> = by_due["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_i64().unwrap())
        .collect();
    assert_eq!(
        numbers.first(),
        Some(&other["number"].as_i64().unwrap()),
        "first response due in 60 s comes first"
    );
}

async fn a_priority_change_recomputes_due_times_from_the_history(backend: Backend) {
    let app = spawn(backend).await;
    policy(
        &app,
        json!({ "name": "Urgent", "position": 1, "conditions": { "priorities": ["urgent"], "tags": ["p"] },
                "targets": [{ "metric": "resolution", "seconds": 600, "business_hours": false }] }),
    )
    .await;
    let normal = policy(
        &app,
        json!({ "name": "Normal", "position": 2, "conditions": { "tags": ["p"] },
                "targets": [{ "metric": "resolution", "seconds": 7200, "business_hours": false }] }),
    )
    .await;
    let ticket = ticket_with(&app, json!({ "tags": ["p"] })).await;
    let number = ticket["number"].as_i64().unwrap();
    let created = ts(&ticket["created_at"]);
    assert_eq!(ts(&ticket["sla_due_at"]), created + SignedDuration::from_secs(7200));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (status, changed) = app
        .patch(&format!("/api/v1/tickets/{number}"), json!({ "priority": "urgent" }))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        ts(&changed["sla_due_at"]),
        created + SignedDuration::from_secs(600),
        "from the creation, not from the change"
    );
    let switched = events_of(&app, number, "sla_policy_changed").await;
    assert_eq!(switched.len(), 1);
    assert_eq!(switched[0]["data"]["before"], normal);
    let kinds = event_kinds(&app, number).await;
    assert!(kinds.contains(&"priority_changed".to_owned()), "{kinds:?}");
}

async fn pending_pauses_resolution_and_seeded_policies_apply_by_channel(backend: Backend) {
    let app = spawn(backend).await;
    // Seeds: chat first reply in 30 s; e-mail in 24 h.
    let chat = ticket_with(&app, json!({ "channel": "chat" })).await;
    let (_, sla) = app.get(&format!("/api/v1/tickets/{}/sla", chat["number"])).await;
    assert_eq!(sla["clocks"][0]["target_seconds"], 30, "{sla}");
    assert_eq!(sla["clocks"][0]["business_hours"], false);
    let email = ticket_with(&app, json!({ "channel": "email" })).await;
    let (_, sla) = app.get(&format!("/api/v1/tickets/{}/sla", email["number"])).await;
    assert_eq!(sla["clocks"][0]["target_seconds"], 86400, "{sla}");

    // Complaints: resolution in 72 h, paused while pending.
    let complaint = ticket_with(&app, json!({ "kind": "complaint", "channel": "chat" })).await;
    let number = complaint["number"].as_i64().unwrap();
    let (_, sla) = app.get(&format!("/api/v1/tickets/{number}/sla")).await;
    assert_eq!(sla["policy_name"], "在线咨询 Chat", "ranked: the chat policy comes first");
    let complaint = ticket_with(&app, json!({ "kind": "complaint", "channel": "web" })).await;
    let number = complaint["number"].as_i64().unwrap();
    app.post(&format!("/api/v1/tickets/{number}/messages"), json!({ "body": "我们来处理" }))
        .await;
    let (status, pending) = app
        .patch(&format!("/api/v1/tickets/{number}"), json!({ "status": "pending" }))
        .await;
    assert_eq!(status, 200, "{pending}");
    let (_, sla) = app.get(&format!("/api/v1/tickets/{number}/sla")).await;
    let resolution = sla["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "resolution")
        .unwrap()
        .clone();
    assert_eq!(resolution["phase"], "paused", "{sla}");
    assert_eq!(resolution["due_at"], Value::Null);
    app.post(
        &format!("/api/v1/tickets/{number}/messages"),
        json!({ "kind": "customer", "body": "补充信息" }),
    )
    .await;
    let (_, sla) = app.get(&format!("/api/v1/tickets/{number}/sla")).await;
    let resolution = sla["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "resolution")
        .unwrap()
        .clone();
    assert_eq!(resolution["phase"], "running", "the customer's message resumes it");
    let next = sla["clocks"].as_array().unwrap().iter().find(|c| c["metric"] == "next_response");
    assert!(next.is_none(), "the complaints policy has no next-response target");
}

async fn calendars_validate_import_holidays_and_refuse_deletion_in_use(backend: Backend) {
    let app = spawn(backend).await;
    let (status, problem) = app
        .post(
            "/api/v1/calendars",
            json!({ "name": "Bad", "spec": { "zone": "Mars/Olympus", "weekly": { "monday": ["12:00-09:00"] } } }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let (_, listed) = app.get("/api/v1/calendars").await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "only the seeded calendar: nothing was written");
    let (status, berlin) = app
        .post(
            "/api/v1/calendars",
            json!({ "name": "Berlin", "spec": { "zone": "Europe/Berlin",
                    "weekly": { "monday": ["09:00-17:00"], "tuesday": ["09:00-17:00"], "wednesday": ["09:00-17:00"],
                                "thursday": ["09:00-17:00"], "friday": ["09:00-17:00"] } } }),
        )
        .await;
    assert_eq!(status, 201, "{berlin}");
    let id = berlin["id"].as_i64().unwrap();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Weihnachten\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let response = app
        .client
        .post(format!("{}/api/v1/calendars/{id}/holidays", app.base))
        .bearer_auth(&app.token)
        .header("content-type", "text/calendar")
        .body(ics)
        .send()
        .await
        .unwrap();
    let (status, report) = crate::support::decode(response).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["holidays_added"], 2);
    let (_, stored) = app.get(&format!("/api/v1/calendars/{id}")).await;
    assert_eq!(stored["spec"]["holidays"][0]["date"], "2026-12-25");
    let (status, problem) = app
        .client
        .post(format!("{}/api/v1/calendars/{id}/holidays", app.base))
        .bearer_auth(&app.token)
        .body("not a calendar")
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map(|s| (s, ()))
        .unwrap();
    assert_eq!(status, 422, "{problem:?}");
    policy(
        &app,
        json!({ "name": "Berlin hours", "calendar_id": id, "conditions": { "tags": ["de"] },
                "targets": [{ "metric": "first_response", "seconds": 3600 }] }),
    )
    .await;
    let (status, problem) = app
        .call(Method::DELETE, &format!("/api/v1/calendars/{id}"), Some(&app.token), None)
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "calendar_in_use");
    // Agents read calendars but do not change them.
    let (_, token) = app.agent("cal-agent@example.com", "agent", &[]).await;
    let (status, _) = app.call(Method::GET, "/api/v1/calendars", Some(&token), None).await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/calendars",
            Some(&token),
            Some(json!({ "name": "x", "spec": { "zone": "UTC" } })),
        )
        .await;
    assert_eq!(status, 403);
}

async fn commitments_remind_escalate_and_count_late_as_broken(backend: Backend) {
    let app = spawn(backend).await;
    let (supervisor, supervisor_token) = app.agent("lead@example.com", "supervisor", &[]).await;
    let (agent, token) = app.agent("promise@example.com", "agent", &[]).await;
    let number = app.ticket("回电承诺", "c@example.com").await;
    let now = Timestamp::now();
    let due = now + SignedDuration::from_mins(60);
    let (status, problem) = app
        .call(
            Method::POST,
            &format!("/api/v1/tickets/{number}/commitments"),
            Some(&token),
            Some(json!({ "what": "回电", "due_at": (now - SignedDuration::from_mins(5)).to_string() })),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let (status, made) = app
        .call(
            Method::POST,
            &format!("/api/v1/tickets/{number}/commitments"),
            Some(&token),
            Some(json!({ "what": "今天 15:00 前回电 call back", "due_at": due.to_string(), "remind_before_minutes": 10 })),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["status"], "open");
    let (_, mine) = app.call(Method::GET, "/api/v1/commitments", Some(&token), None).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);

    app.app.run_due_work(now + SignedDuration::from_mins(51)).await.unwrap();
    let (_, notes) = app.call(Method::GET, "/api/v1/notifications", Some(&token), None).await;
    assert_eq!(notes["items"][0]["kind"], "commitment_due", "{notes}");
    assert_eq!(notes["items"][0]["ticket_number"], number);

    app.app.run_due_work(now + SignedDuration::from_mins(61)).await.unwrap();
    app.app.run_due_work(now + SignedDuration::from_mins(70)).await.unwrap();
    assert_eq!(events_of(&app, number, "commitment_overdue").await.len(), 1, "once");
    let (_, lead_notes) = app.call(Method::GET, "/api/v1/notifications", Some(&supervisor_token), None).await;
    assert_eq!(lead_notes["items"][0]["kind"], "commitment_overdue", "escalated: {lead_notes}");
    assert_eq!(lead_notes["items"][0]["data"]["agent"], agent);
    let _ = supervisor;

    // Recorded by the agent before the real due time: kept (after it, "kept" counts as
    // broken; the domain of that rule is the clock, which this test does not move).
    let id = made["id"].as_i64().unwrap();
    let (status, resolved) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/commitments/{id}"),
            Some(&token),
            Some(json!({ "status": "kept" })),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["status"], "kept");
    let (status, again) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/commitments/{id}"),
            Some(&token),
            Some(json!({ "status": "broken" })),
        )
        .await;
    assert_eq!(status, 409, "{again}");
    let (status, counts) = app
        .call(Method::GET, "/api/v1/commitments/counts", Some(&supervisor_token), None)
        .await;
    assert_eq!(status, 200, "{counts}");
    assert_eq!(counts, json!([{ "agent_id": agent, "kept": 1, "broken": 0 }]));
    let (status, _) = app.call(Method::GET, "/api/v1/commitments/counts", Some(&token), None).await;
    assert_eq!(status, 403);
}

async fn notifications_page_and_mark_read_and_reminders_fire(backend: Backend) {
    let app = spawn(backend).await;
    let (_, token) = app.agent("remind@example.com", "agent", &[]).await;
    let now = Timestamp::now();
    for n in 0..3 {
        let (status, set) = app
            .call(
                Method::POST,
                "/api/v1/reminders",
                Some(&token),
                Some(json!({ "at": (now + SignedDuration::from_mins(5 + n)).to_string(), "text": format!("提醒 {n}") })),
            )
            .await;
        assert_eq!(status, 201, "{set}");
    }
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/reminders",
            Some(&token),
            Some(json!({ "at": "tomorrow", "text": "x" })),
        )
        .await;
    assert_eq!(status, 422);
    app.app.run_due_work(now + SignedDuration::from_mins(6)).await.unwrap();
    let (_, page) = app.call(Method::GET, "/api/v1/notifications?limit=1", Some(&token), None).await;
    assert_eq!(page["unread"], 2, "{page}");
    assert_eq!(page["items"][0]["data"]["text"], "提醒 1", "newest first");
    let before = page["next_before"].as_i64().unwrap();
    let (_, older) = app
        .call(
            Method::GET,
            &format!("/api/v1/notifications?limit=1&before={before}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(older["items"][0]["data"]["text"], "提醒 0");
    let id = older["items"][0]["id"].as_i64().unwrap();
    // Someone else cannot mark my notifications.
    let (_, marked) = app.post("/api/v1/notifications/read", json!({ "ids": [id] })).await;
    assert_eq!(marked["marked"], 0);
    let (_, marked) = app
        .call(
            Method::POST,
            "/api/v1/notifications/read",
            Some(&token),
            Some(json!({ "ids": [id] })),
        )
        .await;
    assert_eq!(marked["marked"], 1);
    app.app.run_due_work(now + SignedDuration::from_mins(9)).await.unwrap();
    let (_, page) = app.call(Method::GET, "/api/v1/notifications?unread=true", Some(&token), None).await;
    assert_eq!(page["unread"], 2);
    let (_, marked) = app
        .call(
            Method::POST,
            "/api/v1/notifications/read",
            Some(&token),
            Some(json!({ "all": true })),
        )
        .await;
    assert_eq!(marked["marked"], 2);
}

async fn bad_policies_are_refused_and_change_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let (_, before) = app.get("/api/v1/sla-policies").await;
    let (status, problem) = app
        .post(
            "/api/v1/sla-policies",
            json!({ "name": "", "warn_percent": 120, "conditions": { "business_hours": true },
                    "targets": [{ "metric": "resolution", "seconds": 0 }, { "metric": "resolution", "seconds": 60 }] }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "name",
        "conditions.business_hours",
        "targets[0].seconds",
        "targets[1].metric",
        "warn_percent",
    ] {
        assert!(fields.contains(&field), "{field} missing in {problem}");
    }
    let (status, problem) = app
        .post(
            "/api/v1/sla-policies",
            json!({ "name": "x", "calendar_id": 999, "targets": [{ "metric": "resolution", "seconds": 60 }] }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let (_, after) = app.get("/api/v1/sla-policies").await;
    assert_eq!(before, after);
    let (_, token) = app.agent("nopolicy@example.com", "agent", &[]).await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/sla-policies",
            Some(&token),
            Some(json!({ "name": "x", "targets": [{ "metric": "resolution", "seconds": 60 }] })),
        )
        .await;
    assert_eq!(status, 403);
}

async fn transfers_notify_the_new_holder_and_keep_the_owner_tracking(backend: Backend) {
    let app = spawn(backend).await;
    let (a, a_token) = app.agent("first@example.com", "agent", &[]).await;
    let (b, b_token) = app.agent("second@example.com", "agent", &[]).await;
    let (c, _) = app.agent("third@example.com", "agent", &[]).await;
    let number = app.ticket("转派跟踪", "t@example.com").await;
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/tickets/{number}/messages"),
            Some(&a_token),
            Some(json!({ "body": "我来跟进" })),
        )
        .await;
    assert_eq!(status, 201);
    let (status, moved) = app
        .call(
            Method::POST,
            &format!("/api/v1/tickets/{number}/transfer"),
            Some(&a_token),
            Some(json!({ "agent": b, "reason": "需要技术支持 needs a technician" })),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    let (_, b_notes) = app.call(Method::GET, "/api/v1/notifications", Some(&b_token), None).await;
    assert_eq!(b_notes["items"][0]["kind"], "transferred_to_you", "{b_notes}");
    let (_, moved) = app
        .post(
            &format!("/api/v1/tickets/{number}/transfer"),
            json!({ "agent": c, "reason": "rebalancing the queue" }),
        )
        .await;
    assert_eq!(moved["owner_id"], a, "the first-contact owner stays");
    let (_, a_notes) = app.call(Method::GET, "/api/v1/notifications", Some(&a_token), None).await;
    assert_eq!(a_notes["items"][0]["kind"], "owned_ticket_transferred", "{a_notes}");
    let (_, tracked) = app
        .call(Method::GET, "/api/v1/tickets?owner=me&held_by_others=true", Some(&a_token), None)
        .await;
    let numbers: Vec<i64> = tracked["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![number], "{tracked}");
    let (_, assigned) = app.post(&format!("/api/v1/tickets/{number}/assign"), json!({ "agent": a })).await;
    assert_eq!(assigned["assignee_id"], a);
    let (_, tracked) = app
        .call(Method::GET, "/api/v1/tickets?owner=me&held_by_others=true", Some(&a_token), None)
        .await;
    assert!(
        tracked["items"].as_array().unwrap().is_empty(),
        "held by the owner again: {tracked}"
    );
    let (_, a_notes) = app.call(Method::GET, "/api/v1/notifications", Some(&a_token), None).await;
    assert_eq!(a_notes["items"][0]["kind"], "assigned");
}

async fn service_facts_are_stored_as_they_happen(backend: Backend) {
    let app = spawn(backend).await;
    let number = app.ticket("一次解决 first contact", "fcr@example.com").await;
    app.post(&format!("/api/v1/tickets/{number}/messages"), json!({ "body": "已解决 solved" }))
        .await;
    app.post(&format!("/api/v1/tickets/{number}/messages"), json!({ "body": "补充 more" }))
        .await;
    let (status, resolved) = app
        .patch(&format!("/api/v1/tickets/{number}"), json!({ "status": "resolved" }))
        .await;
    assert_eq!(status, 200, "{resolved}");
    let facts = &resolved["facts"];
    assert_eq!(facts["agent_replies"], 2);
    assert!(facts["first_response_ms"].as_i64().unwrap() >= 0);
    assert!(facts["first_response_business_ms"].as_i64().is_some());
    assert!(facts["resolution_ms"].as_i64().unwrap() >= facts["first_response_ms"].as_i64().unwrap());
    assert_eq!(facts["first_contact_resolved"], true, "no transfer, no reopen");

    // The customer writes back within the reopen window: not solved at first contact.
    app.post(
        &format!("/api/v1/tickets/{number}/messages"),
        json!({ "kind": "customer", "body": "还是不行" }),
    )
    .await;
    let (_, reopened) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["facts"]["first_contact_resolved"], false);

    // A transferred ticket is not solved at first contact either.
    let team = app.team("二线").await;
    let other = app.ticket("转过的 transferred", "fcr2@example.com").await;
    app.post(&format!("/api/v1/tickets/{other}/messages"), json!({ "body": "转给二线" }))
        .await;
    app.post(
        &format!("/api/v1/tickets/{other}/transfer"),
        json!({ "team": team, "reason": "needs second line" }),
    )
    .await;
    let (_, done) = app
        .patch(&format!("/api/v1/tickets/{other}"), json!({ "status": "resolved" }))
        .await;
    assert_eq!(done["facts"]["first_contact_resolved"], false, "{done}");
}

async fn at_risk_then_breached_in_real_time(backend: Backend) {
    let app = spawn(backend).await;
    policy(
        &app,
        json!({ "name": "Three seconds", "position": 1, "conditions": { "tags": ["risk"] }, "warn_percent": 30,
                "targets": [{ "metric": "first_response", "seconds": 3, "business_hours": false }] }),
    )
    .await;
    let ticket = ticket_with(&app, json!({ "tags": ["risk"] })).await;
    let number = ticket["number"].clone();
    let listed = |body: &Value| body["items"].as_array().unwrap().iter().any(|t| t["number"] == number);
    let (_, at_risk) = app.get("/api/v1/tickets?sla=at_risk").await;
    assert!(!listed(&at_risk), "fresh: not at risk yet");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let (_, at_risk) = app.get("/api/v1/tickets?sla=at_risk").await;
    assert!(listed(&at_risk), "past 30 % of 3 s: {at_risk}");
    let (_, breached) = app.get("/api/v1/tickets?sla=breached").await;
    assert!(!listed(&breached));
    tokio::time::sleep(std::time::Duration::from_millis(2000)).await;
    let (_, breached) = app.get("/api/v1/tickets?sla=breached").await;
    assert!(listed(&breached), "past 3 s: {breached}");
    let (_, at_risk) = app.get("/api/v1/tickets?sla=at_risk").await;
    assert!(!listed(&at_risk), "breached is no longer at risk");
    // The server's own scheduler recorded the warning and the breach, once each.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let n = number.as_i64().unwrap();
    assert_eq!(events_of(&app, n, "sla_warning").await.len(), 1);
    assert_eq!(events_of(&app, n, "sla_breached").await.len(), 1);
}
