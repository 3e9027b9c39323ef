//! Macros over the API: supervisors keep them, templates must parse, agents may only read.

use crate::on_both;
use crate::support::{Backend, spawn};
use reqwest::Method;
use serde_json::json;

on_both!(macros_are_kept_by_supervisors_and_must_parse);

async fn macros_are_kept_by_supervisors_and_must_parse(backend: Backend) {
    let app = spawn(backend).await;
    let (_, agent) = app.agent("agent@example.com", "agent", &[]).await;
    let body = json!({ "name": "问候 Greeting", "body_zh": "{{ customer.name }}您好", "body_en": "Hello {{ customer.name }}" });

    let (status, refused) = app.call(Method::POST, "/api/v1/macros", Some(&agent), Some(body.clone())).await;
    assert_eq!(status, 403, "{refused}");
    let (status, bad) = app
        .post(
            "/api/v1/macros",
            json!({ "name": "坏 Bad", "body_zh": "{{ customer.name", "body_en": "ok" }),
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(bad["errors"][0]["code"], "invalid_template");

    let (status, created) = app.post("/api/v1/macros", body.clone()).await;
    assert_eq!(status, 201, "{created}");
    let (status, taken) = app.post("/api/v1/macros", body).await;
    assert_eq!(status, 409, "{taken}");
    let id = created["id"].as_i64().expect("id");
    let (status, listed) = app.call(Method::GET, "/api/v1/macros", Some(&agent), None).await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().expect("list").len(), 1);

    let (status, updated) = app
        .call(
            Method::PUT,
            &format!("/api/v1/macros/{id}"),
            Some(&app.token),
            Some(json!({ "name": "问候 Hello", "body_zh": "您好", "body_en": "Hi" })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["body_en"], "Hi");
    let (status, _) = app
        .call(Method::DELETE, &format!("/api/v1/macros/{id}"), Some(&app.token), None)
        .await;
    assert_eq!(status, 204);
    let (status, gone) = app
        .call(Method::DELETE, &format!("/api/v1/macros/{id}"), Some(&app.token), None)
        .await;
    assert_eq!(status, 404, "{gone}");
}
