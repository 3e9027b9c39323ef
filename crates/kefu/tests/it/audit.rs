//! Administration: changes are recorded in the audit log with who made them, in order,
//! readable by admins only (what an agent does to their own presence is not
//! administration); the teams and agents pages.

use crate::on_both;
use crate::support::{Backend, spawn};
use crate::ui::{FormSession, no_redirects, signed_in, with_agent};
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

async fn an_admin_creates_a_team_and_sets_its_routing_on_the_teams_page(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (cookie, _) = signed_in(&app, &client).await;
    // Alice is a supervisor: the page is for admins.
    let refused = client
        .get(format!("{}/admin/teams", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(refused.status(), 403);
    let admin = FormSession::admin(&app).await;
    let created = admin
        .post(
            &app,
            "/admin/teams",
            &[
                ("name", "安装 Installation"),
                ("description", "上门安装"),
                ("routing", "least_loaded"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let (_, teams) = app.get("/api/v1/teams").await;
    let team = teams
        .as_array()
        .expect("teams")
        .iter()
        .find(|t| t["name"] == "安装 Installation")
        .expect("the team")
        .clone();
    assert_eq!(team["routing"], "least_loaded");
    let id = team["id"].as_i64().expect("id");

    let changed = admin
        .post(&app, &format!("/admin/teams/{id}"), &[("routing", "round_robin"), ("lead", "2")])
        .await;
    assert_eq!(changed.status(), 303);
    let (_, teams) = app.get("/api/v1/teams").await;
    let team = teams
        .as_array()
        .expect("teams")
        .iter()
        .find(|t| t["id"] == id)
        .expect("the team")
        .clone();
    assert_eq!(
        (team["routing"].as_str(), team["lead_agent_id"].as_i64()),
        (Some("round_robin"), Some(2))
    );

    // The lead's "—" takes the lead away.
    let cleared = admin
        .post(&app, &format!("/admin/teams/{id}"), &[("routing", "round_robin"), ("lead", "")])
        .await;
    assert_eq!(cleared.status(), 303);
    let (_, teams) = app.get("/api/v1/teams").await;
    let team = teams
        .as_array()
        .expect("teams")
        .iter()
        .find(|t| t["id"] == id)
        .expect("the team")
        .clone();
    assert!(team["lead_agent_id"].is_null(), "{team}");

    let duplicate = admin.post(&app, "/admin/teams", &[("name", "安装 Installation")]).await;
    assert_eq!(duplicate.status(), 409);
    assert!(duplicate.text().await.expect("html").contains("id=\"teams-error\""));
    let page = admin.page(&app, "/admin/teams").await;
    assert!(page.contains("安装 Installation") && page.contains("上门安装"), "{page}");
    let (_, log) = app.get("/api/v1/audit?limit=2").await;
    assert_eq!(log[0]["action"], "team.update");
    assert!(log[0]["data"]["lead_agent_id"].is_null(), "the last change cleared the lead: {log}");
}

async fn an_admin_edits_an_agent_and_cannot_lock_themselves_out(backend: Backend) {
    let app = with_agent(backend).await;
    let team = app.team("售后 After-sales").await;
    let (li, _) = app.agent("li@example.com", "agent", &[]).await;
    let admin = FormSession::admin(&app).await;
    let page = admin.page(&app, "/admin/agents").await;
    assert!(page.contains(&format!("id=\"agent-form-{li}\"")), "{page}");

    let team_id = team.to_string();
    let saved = admin
        .post(
            &app,
            &format!("/admin/agents/{li}"),
            &[
                ("role", "supervisor"),
                ("teams", &team_id),
                ("skills", "电视, tv_repair"),
                ("languages", "zh-CN，en"),
                ("capacity", "8"),
                ("active", "false"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let (_, agents) = app.get("/api/v1/agents").await;
    let agent = agents
        .as_array()
        .expect("agents")
        .iter()
        .find(|a| a["id"] == li)
        .expect("li")
        .clone();
    assert_eq!(agent["role"], "supervisor");
    assert_eq!(agent["teams"], json!([team]));
    assert_eq!(agent["skills"], json!(["电视", "tv_repair"]));
    assert_eq!(agent["languages"], json!(["zh-CN", "en"]));
    assert_eq!((agent["capacity"].as_i64(), agent["active"].as_bool()), (Some(8), Some(false)));

    // Out of range, and locking oneself out: refused with the reason, nothing changed.
    // A form not as the page built it (a team id that is no number, no account state) is
    // refused whole: nobody loses their teams or their account by accident.
    for form in [
        [("role", "agent"), ("teams", "abc"), ("active", "true")],
        [("role", "agent"), ("teams", &team_id), ("active", "")],
    ] {
        let mut form = form.to_vec();
        form.push(("capacity", "8"));
        let refused = admin.post(&app, &format!("/admin/agents/{li}"), &form).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.expect("html").contains("id=\"admin-error\""));
    }
    for (who, form, needle) in [
        (li, [("role", "agent"), ("capacity", "5000"), ("active", "true")], "capacity"),
        (2, [("role", "admin"), ("capacity", "10"), ("active", "false")], "yourself"),
        (2, [("role", "agent"), ("capacity", "10"), ("active", "true")], "own role"),
    ] {
        let refused = admin.post(&app, &format!("/admin/agents/{who}"), &form).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.expect("html");
        assert!(html.contains("id=\"admin-error\"") && html.contains(needle), "{needle}: {html}");
    }
    let (_, agents) = app.get("/api/v1/agents").await;
    let list = agents.as_array().expect("agents");
    let agent = list.iter().find(|a| a["id"] == li).expect("li");
    assert_eq!(
        (agent["role"].as_str(), agent["active"].as_bool()),
        (Some("supervisor"), Some(false))
    );
    let me = list.iter().find(|a| a["id"] == 2).expect("alice");
    assert_eq!((me["role"].as_str(), me["active"].as_bool()), (Some("admin"), Some(true)));
}

on_both!(
    admin_changes_are_recorded_with_their_author_newest_first,
    an_admin_edits_an_agent_and_cannot_lock_themselves_out,
    the_audit_page_shows_who_did_what,
    an_admin_creates_a_team_and_sets_its_routing_on_the_teams_page,
);
