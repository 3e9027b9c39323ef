//! Agents and teams, the OpenAPI document, health and metrics.

use crate::on_both;
use crate::support::{Backend, spawn};
use reqwest::Method;
use serde_json::json;

on_both!(admins_manage_agents_and_teams, service_endpoints_answer);

async fn admins_manage_agents_and_teams(backend: Backend) {
    let app = spawn(backend).await;
    let team = app.team("客服部").await;
    let (status, problem) = app.post("/api/v1/teams", json!({ "name": "客服部" })).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("team_name_taken")));
    let (agent_id, agent_token) = app.agent("zhang@example.com", "agent", &[team]).await;
    let (status, problem) = app
        .post("/api/v1/agents", json!({ "email": "zhang@example.com", "name": "again" }))
        .await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("email_taken")));
    let (status, problem) = app
        .post("/api/v1/agents", json!({ "email": "x@example.com", "name": "x", "role": "boss" }))
        .await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("role")));

    let (_, agents) = app.get("/api/v1/agents").await;
    let zhang = agents.as_array().unwrap().iter().find(|a| a["id"] == agent_id).unwrap();
    assert_eq!(zhang["teams"], json!([team]));
    assert_eq!(zhang["presence"], "offline");
    let (_, teams) = app.call(Method::GET, "/api/v1/teams", Some(&agent_token), None).await;
    assert_eq!(teams[0]["members"], json!([agent_id]), "agents can read teams");

    let (status, _) = app
        .call(Method::POST, "/api/v1/teams", Some(&agent_token), Some(json!({ "name": "rogue" })))
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/agents",
            Some(&agent_token),
            Some(json!({ "email": "y@example.com", "name": "y" })),
        )
        .await;
    assert_eq!(status, 403);
    let (status, me) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/agents/{agent_id}"),
            Some(&agent_token),
            Some(json!({ "presence": "online" })),
        )
        .await;
    assert_eq!(
        (status, me["presence"].as_str()),
        (200, Some("online")),
        "agents set their own presence"
    );
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/agents/{agent_id}"),
            Some(&agent_token),
            Some(json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(status, 403, "but not their role");
    let (status, promoted) = app
        .patch(
            &format!("/api/v1/agents/{agent_id}"),
            json!({ "role": "supervisor", "skills": ["退款"], "capacity": 8 }),
        )
        .await;
    assert_eq!(status, 200, "{promoted}");
    assert_eq!(promoted["role"], "supervisor");
    let (status, renamed) = app
        .patch(
            &format!("/api/v1/teams/{team}"),
            json!({ "description": "一线", "lead_agent_id": agent_id }),
        )
        .await;
    assert_eq!((status, renamed["lead_agent_id"].as_i64()), (200, Some(agent_id)));
}

async fn service_endpoints_answer(backend: Backend) {
    let app = spawn(backend).await;
    let (status, health) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let (status, doc) = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/transfer",
        "/api/v1/customers/{id}/tickets",
        "/api/v1/teams",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    app.ticket("指标", "m@example.com").await;
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("kefu_tickets_created_total"), "{metrics}");
    // How long each kind of command held the writer, and each commit.
    assert!(
        metrics.contains(r#"kefu_write_command_seconds_count{command="kefu_app::intake::write_batch"}"#),
        "{metrics}"
    );
    assert!(metrics.contains("kefu_write_commit_seconds_count"), "{metrics}");
}

/// On SQLite the WAL is copied into the database file by a connection of its own, not by
/// the writer's commits: a new ticket (far below the writer's own checkpoint threshold)
/// is in the database file itself, read without its WAL, within a second or two.
#[tokio::test]
async fn the_wal_is_checkpointed_beside_the_writer() {
    use sqlx::Connection;
    let app = spawn(Backend::Sqlite).await;
    app.ticket("检查点", "wal@example.com").await;
    let copies = tempfile::tempdir().expect("temp dir");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    for attempt in 0.. {
        // The database file alone, as it would be found without its WAL. A copy taken while
        // a checkpoint writes may be torn: that counts as "not yet".
        let copy = copies.path().join(format!("copy{attempt}.db"));
        std::fs::copy(app.data_dir().join("kefu.db"), &copy).expect("copy the database file");
        let found = async {
            let mut conn = sqlx::SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(&copy)).await?;
            let (found,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tickets WHERE subject = '检查点'")
                .fetch_one(&mut conn)
                .await?;
            conn.close().await?;
            Ok::<_, sqlx::Error>(found)
        }
        .await;
        if matches!(found, Ok(1)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the ticket was not in the database file within 5 s of its commit ({found:?})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Closing the database stops the checkpointer first, so the writer is the last
/// connection: its closing checkpoint folds the whole WAL into the database file and
/// SQLite removes the WAL as that connection closes.
#[tokio::test]
async fn closing_leaves_the_database_file_complete() {
    let app = spawn(Backend::Sqlite).await;
    app.ticket("关闭", "close@example.com").await;
    app.app.db().close().await;
    let dir = app.data_dir();
    assert!(!dir.join("kefu.db-wal").exists(), "the WAL is left beside the database file");
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join("kefu.db")),
    )
    .await
    .expect("open the database file");
    let (found,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tickets WHERE subject = '关闭'")
        .fetch_one(&mut conn)
        .await
        .expect("read the database file");
    assert_eq!(found, 1);
}
