//! The audit log: admin changes are recorded with who made them, in order, readable by
//! admins only; what an agent does to their own presence is not administration.

use crate::on_both;
use crate::support::{Backend, spawn};
use crate::ui::{no_redirects, signed_in, with_agent};
use reqwest::Method;
use serde_json::{Value, json};

fn actions(entries: &Value) -> Vec<String> {
    entries
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn admin_changes_are_recorded_with_their_author_newest_first(backend: Backend) {
    let app = spawn(backend).await;
    let (_, empty) = app.get("/api/v1/audit").await;
    let before = actions(&empty).len();

    let team = app.team("售后 After-sales").await;
    let (agent_id, agent_token) = app.agent("sun@example.com", "agent", &[team]).await;
    let (status, created) = app
        .post(
            "/api/v1/macros",
            json!({ "name": "问候 Greeting", "body_zh": "您好", "body_en": "Hello" }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let macro_id = created["id"].as_i64().expect("id");
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/macros/{macro_id}"),
            Some(&app.token),
            Some(json!({ "name": "问候 Hi", "body_zh": "您好", "body_en": "Hi" })),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call(Method::DELETE, &format!("/api/v1/macros/{macro_id}"), Some(&app.token), None)
        .await;
    assert!(status == 200 || status == 204, "{status}");
    // An agent switching presence is work, not administration.
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/agents/{agent_id}"),
            Some(&agent_token),
            Some(json!({ "presence": "online" })),
        )
        .await;
    assert_eq!(status, 200);
    // A refused change writes no entry.
    let (status, _) = app
        .post("/api/v1/macros", json!({ "name": "坏", "body_zh": "{{ x", "body_en": "x" }))
        .await;
    assert_eq!(status, 422);

    let (status, log) = app.get("/api/v1/audit").await;
    assert_eq!(status, 200, "{log}");
    let recorded = actions(&log);
    assert_eq!(
        recorded[..recorded.len() - before],
        ["macro.delete", "macro.update", "macro.create", "agent.create", "team.create"],
        "{log}"
    );
    let admin_id = log[0]["actor_id"].clone();
    assert!(admin_id.is_i64(), "{log}");
    assert_eq!(log[0]["subject_kind"], "macro");
    assert_eq!(log[0]["subject_id"], macro_id);
    assert_eq!(log[0]["data"]["name"], "问候 Hi", "what was removed");
    assert_eq!(log[1]["data"]["body_en"], "Hi", "the state after the change");
    assert_eq!(log[3]["data"]["email"], "sun@example.com");

    // Paging backwards, and admins only.
    let first_id = log[0]["id"].as_i64().expect("id");
    let (_, older) = app.get(&format!("/api/v1/audit?before={first_id}&limit=2")).await;
    assert_eq!(actions(&older), ["macro.update", "macro.create"]);
    let (status, _) = app.call(Method::GET, "/api/v1/audit", Some(&agent_token), None).await;
    assert_eq!(status, 403);
    let (status, _) = app.get("/api/v1/audit?limit=x").await;
    assert_eq!(status, 400);
}

async fn the_audit_page_shows_who_did_what(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (status, _) = app.post("/api/v1/teams", json!({ "name": "质检 Quality" })).await;
    assert_eq!(status, 201);
    // Alice is a supervisor: not an admin.
    let (cookie, _) = signed_in(&app, &client).await;
    let refused = client
        .get(format!("{}/admin/audit", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(refused.status(), 403);
    let (status, _) = app.patch("/api/v1/agents/2", json!({ "role": "admin" })).await;
    assert_eq!(status, 200);
    // A new session sees the new role (a signed-in session's role is cached for seconds).
    let (cookie, _) = signed_in(&app, &client).await;
    let page = client
        .get(format!("{}/admin/audit", app.base))
        .header("cookie", &cookie)
        .header("accept-language", "en")
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(page.contains("created a team") && page.contains("Team #"), "{page}");
    assert!(page.contains("changed an agent"), "{page}");
    assert!(page.contains("质检 Quality"), "the state after the change is shown: {page}");
}

on_both!(
    admin_changes_are_recorded_with_their_author_newest_first,
    the_audit_page_shows_who_did_what,
);
