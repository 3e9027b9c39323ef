//! The inbox's live counts equal what its lists hold, after every kind of change, and a
//! rebuild from the tickets finds the counters exactly where the commands left them.

use crate::on_both;
use crate::support::{Backend, TestApp, spawn};
use serde_json::{Value, json};

on_both!(counts_follow_every_change_and_match_the_lists);

/// How many tickets a list query returns for a caller, all pages.
async fn listed(app: &TestApp, token: &str, query: &str) -> i64 {
    let mut total = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tickets?{query}&limit=100&cursor={c}"),
            None => format!("/api/v1/tickets?{query}&limit=100"),
        };
        let (status, page) = app.call(reqwest::Method::GET, &path, Some(token), None).await;
        assert_eq!(status, 200, "{page}");
        total += page["items"].as_array().expect("items").len() as i64;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return total,
        }
    }
}

async fn counts(app: &TestApp, token: &str) -> Value {
    let (status, counts) = app.call(reqwest::Method::GET, "/api/v1/inbox/counts", Some(token), None).await;
    assert_eq!(status, 200, "{counts}");
    counts
}

const UNFINISHED: &str = "status=new,open,pending,on_hold";

async fn check(app: &TestApp, token: &str, supervisor: bool) {
    let counts = counts(app, token).await;
    assert_eq!(
        counts["mine"],
        listed(app, token, &format!("assignee=me&{UNFINISHED}")).await,
        "mine: {counts}"
    );
    assert_eq!(
        counts["unassigned"],
        listed(app, token, &format!("assignee=none&{UNFINISHED}")).await,
        "unassigned: {counts}"
    );
    assert_eq!(
        counts["owned_by_others"],
        listed(app, token, &format!("owner=me&held_by_others=true&{UNFINISHED}")).await,
        "owned: {counts}"
    );
    assert_eq!(
        counts["waiting"],
        listed(app, token, "assignee=me&status=pending").await,
        "waiting: {counts}"
    );
    if supervisor {
        assert_eq!(counts["all"], listed(app, token, UNFINISHED).await, "all: {counts}");
    } else {
        assert_eq!(counts["all"], Value::Null);
    }
}

async fn counts_follow_every_change_and_match_the_lists(backend: Backend) {
    let app = spawn(backend).await;
    let support = app.team("Support").await;
    let field = app.team("Field").await;
    let (alice, alice_token) = app.agent("alice@example.com", "agent", &[support]).await;
    let (bob, bob_token) = app.agent("bob@example.com", "agent", &[field]).await;
    let (_, carol_token) = app.agent("carol@example.com", "supervisor", &[]).await;

    let mut numbers = Vec::new();
    for i in 0..12 {
        let team = match i % 3 {
            0 => json!(support),
            1 => json!(field),
            _ => Value::Null,
        };
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                json!({ "subject": format!("T{i}"), "description": "d", "team": team, "customer": { "email": format!("c{i}@example.com") } }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        numbers.push(ticket["number"].as_i64().expect("number"));
    }
    let as_ = |token: &str, method: reqwest::Method, path: String, body: Value| {
        let token = token.to_owned();
        let app = &app;
        async move {
            let (status, body) = app.call(method, &path, Some(&token), Some(body)).await;
            assert!(status < 300, "{path}: {status} {body}");
            body
        }
    };
    use reqwest::Method;
    // Replies make owners; assignments and transfers move work; statuses finish it.
    as_(
        &app.token,
        Method::POST,
        format!("/api/v1/tickets/{}/assign", numbers[0]),
        json!({ "agent": alice }),
    )
    .await;
    as_(
        &alice_token,
        Method::POST,
        format!("/api/v1/tickets/{}/messages", numbers[0]),
        json!({ "kind": "reply", "body": "hi" }),
    )
    .await;
    as_(
        &alice_token,
        Method::PATCH,
        format!("/api/v1/tickets/{}", numbers[0]),
        json!({ "status": "pending" }),
    )
    .await;
    as_(
        &app.token,
        Method::POST,
        format!("/api/v1/tickets/{}/assign", numbers[3]),
        json!({ "agent": alice }),
    )
    .await;
    as_(
        &alice_token,
        Method::POST,
        format!("/api/v1/tickets/{}/messages", numbers[3]),
        json!({ "kind": "reply", "body": "hi" }),
    )
    .await;
    as_(
        &alice_token,
        Method::POST,
        format!("/api/v1/tickets/{}/transfer", numbers[3]),
        json!({ "agent": bob, "team": field, "reason": "需要上门 needs a visit" }),
    )
    .await;
    as_(
        &app.token,
        Method::POST,
        format!("/api/v1/tickets/{}/assign", numbers[4]),
        json!({ "agent": bob }),
    )
    .await;
    as_(
        &bob_token,
        Method::POST,
        format!("/api/v1/tickets/{}/messages", numbers[4]),
        json!({ "kind": "reply", "body": "ok" }),
    )
    .await;
    as_(
        &bob_token,
        Method::PATCH,
        format!("/api/v1/tickets/{}", numbers[4]),
        json!({ "status": "resolved" }),
    )
    .await;
    as_(
        &app.token,
        Method::POST,
        format!("/api/v1/tickets/{}/assign", numbers[6]),
        json!({ "agent": alice }),
    )
    .await;
    as_(
        &app.token,
        Method::POST,
        format!("/api/v1/tickets/{}/assign", numbers[6]),
        json!({ "agent": null }),
    )
    .await;
    as_(
        &app.token,
        Method::PATCH,
        format!("/api/v1/tickets/{}", numbers[7]),
        json!({ "team": support }),
    )
    .await;
    as_(
        &app.token,
        Method::PATCH,
        format!("/api/v1/tickets/{}", numbers[8]),
        json!({ "status": "on_hold" }),
    )
    .await;
    // The customer writes back on the resolved ticket: it reopens.
    as_(
        &app.token,
        Method::POST,
        format!("/api/v1/tickets/{}/messages", numbers[4]),
        json!({ "kind": "customer", "body": "还是不行" }),
    )
    .await;

    for (token, supervisor) in [(&alice_token, false), (&bob_token, false), (&carol_token, true), (&app.token, true)] {
        check(&app, token, supervisor).await;
    }
    let alice_counts = counts(&app, &alice_token).await;
    assert_eq!(alice_counts["waiting"], 1, "{alice_counts}");
    assert_eq!(
        alice_counts["owned_by_others"], 2,
        "she owns the ticket she transferred and the one taken back from her: {alice_counts}"
    );

    // The counters are exactly what a rebuild from the tickets finds.
    let before = app.app.all_inbox_counts().await.expect("counts");
    app.app.rebuild_inbox_counts().await.expect("rebuild");
    assert_eq!(app.app.all_inbox_counts().await.expect("counts"), before);
}
