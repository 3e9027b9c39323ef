//! Bad input gets a clear 4xx problem+json with a stable code, and changes nothing.

use crate::on_both;
use crate::support::{Backend, spawn};
use reqwest::Method;
use serde_json::json;

on_both!(bad_requests_are_problems_and_write_nothing, unknown_and_unauthorized_are_refused);

async fn bad_requests_are_problems_and_write_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let url = format!("{}/api/v1/tickets", app.base);
    let raw = |body: String, content_type: &'static str| {
        let request = app
            .client
            .post(&url)
            .bearer_auth(&app.token)
            .header("content-type", content_type)
            .body(body);
        async move {
            let response = request.send().await.expect("send");
            let problem_json = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap_or_default().to_owned());
            let (status, body) = crate::support::decode(response).await;
            assert_eq!(problem_json.as_deref(), Some("application/problem+json"), "{status} {body}");
            (status, body)
        }
    };
    let (status, problem) = raw("{\"subject\": ".into(), "application/json").await;
    assert_eq!((status, problem["code"].as_str()), (400, Some("malformed_json")));
    let (status, problem) = raw("{}".into(), "text/plain").await;
    assert_eq!((status, problem["code"].as_str()), (415, Some("unsupported_media_type")));
    let (status, problem) = raw(json!({ "subject": 5 }).to_string(), "application/json").await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("invalid_json")));
    let huge = json!({ "subject": "big", "description": "x".repeat(1_100_000), "customer": { "email": "a@example.com" } }).to_string();
    let (status, problem) = raw(huge, "application/json").await;
    assert_eq!((status, problem["code"].as_str()), (413, Some("payload_too_large")));

    let (status, problem) = app.post("/api/v1/tickets", json!({})).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["subject", "description", "customer"]);
    let (status, problem) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "主题".repeat(126), "description": "d", "kind": "question", "channel": "fax", "priority": "asap",
                     "customer": { "email": "not-an-email", "phone": "call me" }, "tags": ["a b"], "custom": { "nested": { "no": 1 } } }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let errors = problem["errors"].as_array().unwrap();
    let codes: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    for expected in [
        ("subject", "too_long"),
        ("kind", "unknown_value"),
        ("channel", "unknown_value"),
        ("priority", "unknown_value"),
        ("customer.email", "invalid_email"),
        ("customer.phone", "invalid_phone"),
        ("tags[0]", "invalid_characters"),
        ("custom.nested", "invalid_type"),
    ] {
        assert!(codes.contains(&expected), "{expected:?} in {codes:?}");
    }
    let (status, problem) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "s", "description": "d", "category": "no.such", "customer": { "email": "a@example.com" } }),
        )
        .await;
    assert_eq!((status, problem["errors"][0]["code"].as_str()), (422, Some("unknown_category")));

    let (_, list) = app.get("/api/v1/tickets").await;
    assert_eq!(list["items"], json!([]), "no bad request wrote a ticket");
    let (_, customers) = app.get("/api/v1/customers").await;
    assert_eq!(customers["items"], json!([]), "nor a customer");

    let number = app.ticket("好的工单", "ok@example.com").await;
    let (status, problem) = app
        .patch(
            &format!("/api/v1/tickets/{number}"),
            json!({ "status": "done", "priority": "urgent" }),
        )
        .await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("status")));
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(ticket["priority"], "normal", "a refused PATCH changes no field");
    let (status, problem) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            json!({ "kind": "shout", "body": "" }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    let (status, _) = app
        .post(&format!("/api/v1/tickets/{number}/assign"), json!({ "agent": 424242 }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        crate::support::event_kinds(&app, number).await,
        ["created"],
        "nothing refused left an event"
    );
}

async fn unknown_and_unauthorized_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    for path in ["/api/v1/tickets/999999", "/api/v1/tickets/abc", "/api/v1/tickets/999999/events"] {
        let (status, problem) = app.get(path).await;
        assert_eq!((status, problem["code"].as_str()), (404, Some("ticket_not_found")), "{path}");
    }
    let (status, problem) = app.patch("/api/v1/tickets/999999", json!({ "priority": "high" })).await;
    assert_eq!((status, problem["code"].as_str()), (404, Some("ticket_not_found")));
    let (status, problem) = app.call(Method::GET, "/api/v1/tickets", None, None).await;
    assert_eq!((status, problem["code"].as_str()), (401, Some("unauthorized")));
    let (status, _) = app.call(Method::GET, "/api/v1/tickets", Some("kefu_not-a-real-token"), None).await;
    assert_eq!(status, 401);
    let (status, problem) = app.get("/api/v1/nothing-here").await;
    assert_eq!((status, problem["code"].as_str()), (404, Some("not_found")));
}
