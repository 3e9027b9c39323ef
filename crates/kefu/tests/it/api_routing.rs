//! Routing over HTTP: teams that hand out work by round robin or least load, respecting
//! presence, capacity and skills; the queue by priority then age; VIP customers to their
//! dedicated agent.

use crate::on_both;
use crate::support::{Backend, TestApp, spawn};
use serde_json::{Value, json};
use std::time::Duration;

on_both!(
    round_robin_respects_presence_capacity_skills_and_priority,
    least_loaded_and_a_vip_goes_to_the_dedicated_agent,
);

async fn ticket_in(app: &TestApp, team: i64, subject: &str, email: &str, extra: Value) -> i64 {
    let mut body = json!({ "subject": subject, "description": "d", "team": team, "customer": { "email": email } });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, ticket) = app.post("/api/v1/tickets", body).await;
    assert_eq!(status, 201, "{ticket}");
    ticket["number"].as_i64().unwrap()
}

async fn assignee(app: &TestApp, number: i64) -> Value {
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
    ticket["assignee_id"].clone()
}

/// Waits (up to 10 s) until the ticket's assignee is `expected`.
async fn assigned_to(app: &TestApp, number: i64, expected: i64) {
    for _ in 0..200 {
        if assignee(app, number).await == json!(expected) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("ticket {number} is with {} instead of {expected}", assignee(app, number).await);
}

async fn set_agent(app: &TestApp, id: i64, body: Value) {
    let (status, agent) = app.patch(&format!("/api/v1/agents/{id}"), body).await;
    assert_eq!(status, 200, "{agent}");
}

async fn round_robin_respects_presence_capacity_skills_and_priority(backend: Backend) {
    let app = spawn(backend).await;
    let team = app.team("一线 Front line").await;
    let (status, routed) = app
        .patch(&format!("/api/v1/teams/{team}"), json!({ "routing": "round_robin" }))
        .await;
    assert_eq!((status, routed["routing"].as_str()), (200, Some("round_robin")), "{routed}");
    let (a, a_token) = app.agent("rr-a@example.com", "agent", &[team]).await;
    let (b, _) = app.agent("rr-b@example.com", "agent", &[team]).await;
    set_agent(&app, a, json!({ "presence": "online", "capacity": 1 })).await;
    set_agent(&app, b, json!({ "presence": "offline", "capacity": 1 })).await;

    let first = ticket_in(&app, team, "第一个", "c1@example.com", json!({})).await;
    assigned_to(&app, first, a).await;
    let (_, owned) = app.get(&format!("/api/v1/tickets/{first}")).await;
    assert_eq!(owned["owner_id"], a, "routing makes the first-contact owner");

    // A is full and B offline: the next ticket waits.
    let second = ticket_in(&app, team, "第二个", "c2@example.com", json!({})).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(assignee(&app, second).await, Value::Null, "nothing goes to an offline agent");
    set_agent(&app, b, json!({ "presence": "online" })).await;
    assigned_to(&app, second, b).await;

    // Both full: work queues, and when A finishes the urgent one goes first.
    let normal = ticket_in(&app, team, "普通", "c3@example.com", json!({})).await;
    let urgent = ticket_in(&app, team, "紧急", "c4@example.com", json!({ "priority": "urgent" })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(assignee(&app, normal).await, Value::Null);
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/tickets/{first}/messages"),
            Some(&a_token),
            Some(json!({ "body": "已处理 done" })),
        )
        .await;
    assert_eq!(status, 201);
    let (status, resolved) = app
        .patch(&format!("/api/v1/tickets/{first}"), json!({ "status": "resolved" }))
        .await;
    assert_eq!(status, 200, "{resolved}");
    assigned_to(&app, urgent, a).await;
    assert_eq!(assignee(&app, normal).await, Value::Null, "priority before age");

    // A skill nobody has keeps a ticket queued until someone has it and room for it.
    let billing = ticket_in(&app, team, "发票", "c5@example.com", json!({ "required_skills": ["billing"] })).await;
    set_agent(&app, b, json!({ "capacity": 3 })).await;
    assigned_to(&app, normal, b).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(assignee(&app, billing).await, Value::Null, "B lacks the skill");
    set_agent(&app, b, json!({ "skills": ["Billing"] })).await;
    assigned_to(&app, billing, b).await;
}

async fn least_loaded_and_a_vip_goes_to_the_dedicated_agent(backend: Backend) {
    let app = spawn(backend).await;
    let (status, created) = app
        .post("/api/v1/teams", json!({ "name": "二线 Second line", "routing": "least_loaded" }))
        .await;
    assert_eq!(status, 201, "{created}");
    let team = created["id"].as_i64().unwrap();
    let (c, _) = app.agent("ll-c@example.com", "agent", &[team]).await;
    let (d, _) = app.agent("ll-d@example.com", "agent", &[team]).await;
    set_agent(&app, c, json!({ "presence": "online", "capacity": 4 })).await;
    set_agent(&app, d, json!({ "presence": "online", "capacity": 2 })).await;
    let one = ticket_in(&app, team, "一", "l1@example.com", json!({})).await;
    assigned_to(&app, one, c).await;
    let two = ticket_in(&app, team, "二", "l2@example.com", json!({})).await;
    assigned_to(&app, two, d).await;
    // C holds 1 of 4 (25 %), D 1 of 2 (50 %): C is less loaded.
    let three = ticket_in(&app, team, "三", "l3@example.com", json!({})).await;
    assigned_to(&app, three, c).await;

    // A VIP with a dedicated agent goes to that agent even when another is less loaded.
    let (status, customer) = app
        .post(
            "/api/v1/customers",
            json!({ "name": "王总", "email": "vip@example.com", "tier": "vip" }),
        )
        .await;
    assert_eq!(status, 201, "{customer}");
    let customer = customer["id"].as_i64().unwrap();
    let (status, set) = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/customers/{customer}/dedicated-agent"),
            Some(&app.token),
            Some(json!({ "agent": d })),
        )
        .await;
    assert_eq!(status, 200, "{set}");
    let vip = ticket_in(&app, team, "专属", "vip@example.com", json!({})).await;
    assigned_to(&app, vip, d).await;
    // D is now full: the VIP's next ticket goes to the team.
    let next = ticket_in(&app, team, "专属二", "vip@example.com", json!({})).await;
    assigned_to(&app, next, c).await;
    let (status, _) = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/customers/{customer}/dedicated-agent"),
            Some(&app.token),
            Some(json!({ "agent": 99999 })),
        )
        .await;
    assert_eq!(status, 422);
}
