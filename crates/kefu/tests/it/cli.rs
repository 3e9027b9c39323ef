//! The `kefu` binary: its command-line contract, a clean stop on SIGTERM, demo data, and
//! durability across SIGKILL.

use crate::support::{Backend, fresh_postgres_database, postgres_url};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn kefu(data_dir: &Path, database_url: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kefu"));
    command.arg("--data-dir").arg(data_dir).env("KEFU_LOG", "warn");
    match database_url {
        Some(url) => command.env("KEFU_DATABASE_URL", url),
        None => command.env_remove("KEFU_DATABASE_URL"),
    };
    command
}

fn run_ok(mut command: Command, stdin: Option<&str>) -> String {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn kefu");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "kefu failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8")
}

/// A running `kefu serve` and the address it printed.
struct Server {
    child: Child,
    base: String,
    banner: Vec<String>,
}

impl Drop for Server {
    /// A failed test leaves no server behind.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// The child is owned by `Server`, whose `Drop` kills and reaps it; on the panic path
// below the test fails and the process exits anyway.
#[allow(clippy::zombie_processes)]
fn serve(data_dir: &Path, database_url: Option<&str>) -> Server {
    serve_with(data_dir, database_url, &[])
}

#[allow(clippy::zombie_processes)]
fn serve_with(data_dir: &Path, database_url: Option<&str>, env: &[(&str, &str)]) -> Server {
    let mut child = kefu(data_dir, database_url)
        .envs(env.iter().copied())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn kefu serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut banner = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let line = lines.next().expect("kefu serve exited before listening").expect("read line");
        if let Some(addr) = line.strip_prefix("Kefu is listening on ") {
            let base = addr.trim().to_owned();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return Server { child, base, banner };
        }
        banner.push(line);
    }
    panic!("kefu serve did not start: {banner:?}");
}

async fn database_for(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(fresh_postgres_database().await),
    }
}

#[tokio::test]
async fn admin_commands_and_a_clean_stop() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve(dir.path(), None);
    assert!(
        first.banner.iter().any(|l| l.contains("no agents yet")),
        "explains how to create the first admin: {:?}",
        first.banner
    );
    stop_with_sigterm(first);

    run_ok(
        {
            let mut c = kefu(dir.path(), None);
            c.args([
                "admin",
                "create-agent",
                "--email",
                "boss@example.com",
                "--name",
                "老板",
                "--role",
                "admin",
                "--password-stdin",
            ]);
            c
        },
        Some("a-long-password\n"),
    );
    let token = run_ok(
        {
            let mut c = kefu(dir.path(), None);
            c.args(["admin", "create-token", "--email", "boss@example.com"]);
            c
        },
        None,
    );
    let token = token.trim_end_matches('\n');
    assert!(
        token.starts_with("kefu_") && !token.contains(char::is_whitespace),
        "only the token: {token:?}"
    );

    let refused = kefu(dir.path(), None)
        .args([
            "admin",
            "create-agent",
            "--email",
            "boss@example.com",
            "--name",
            "x",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success(), "a taken email is refused");
    let bad_role = kefu(dir.path(), None)
        .args(["admin", "create-agent", "--email", "x@example.com", "--name", "x", "--role", "king"])
        .output()
        .unwrap();
    assert!(!bad_role.status.success());

    let server = serve(dir.path(), None);
    assert!(!server.banner.iter().any(|l| l.contains("no agents yet")));
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{}/api/v1/agents", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    stop_with_sigterm(server);
}

fn stop_with_sigterm(mut server: Server) {
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(exit) = server.child.try_wait().expect("wait") {
            assert!(exit.success(), "kefu serve exits cleanly on SIGTERM: {exit:?}");
            return;
        }
        assert!(Instant::now() < deadline, "kefu serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn demo_is_deterministic_and_consistent() {
    let subjects = |dir: &Path| {
        let out = run_ok(
            {
                let mut c = kefu(dir, None);
                c.args(["demo", "--tickets", "600", "--customers", "80", "--seed", "7"]);
                c
            },
            None,
        );
        assert!(out.is_empty(), "demo reports on stderr");
        dir.join("kefu.db")
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (db_a, db_b) = (subjects(a.path()), subjects(b.path()));
    let read = |path: std::path::PathBuf| async move {
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as("SELECT number, subject, kind, status FROM tickets ORDER BY number")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let orphans: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'created')")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let han: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tickets WHERE subject GLOB '*[一-龥]*'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        (rows, orphans.0, han.0)
    };
    let (rows_a, orphans, han) = read(db_a).await;
    let (rows_b, _, _) = read(db_b).await;
    assert_eq!(rows_a.len(), 600);
    assert_eq!(rows_a.first().map(|r| r.0), Some(1001));
    assert_eq!(rows_a, rows_b, "same seed, same tickets");
    assert_eq!(orphans, 0, "every ticket has its created event");
    assert!(han > 200 && han < 600, "mostly Chinese, some English: {han}");
    let kinds: std::collections::HashSet<_> = rows_a.iter().map(|r| r.2.clone()).collect();
    assert_eq!(kinds.len(), 5, "every kind appears");
}

async fn sigkill_loses_nothing_acknowledged(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = database_for(backend).await;
    run_ok(
        {
            let mut c = kefu(dir.path(), url.as_deref());
            c.args([
                "admin",
                "create-agent",
                "--email",
                "load@example.com",
                "--name",
                "load",
                "--role",
                "agent",
            ]);
            c
        },
        None,
    );
    let token = run_ok(
        {
            let mut c = kefu(dir.path(), url.as_deref());
            c.args(["admin", "create-token", "--email", "load@example.com"]);
            c
        },
        None,
    )
    .trim()
    .to_owned();
    let mut server = serve(dir.path(), url.as_deref());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for worker in 0..16 {
        let (client, base, token, stop) = (client.clone(), server.base.clone(), token.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0..100_000 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let body = json!({ "subject": format!("压力 {worker}-{n}"), "description": "load", "customer": { "email": format!("w{worker}@example.com") } });
                match client.post(format!("{base}/api/v1/tickets")).bearer_auth(&token).json(&body).send().await {
                    Ok(response) if response.status() == 201 => {
                        let ticket: serde_json::Value = response.json().await.unwrap_or_default();
                        if let Some(number) = ticket["number"].as_i64() {
                            acknowledged.push(number);
                        }
                    }
                    _ => break,
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for worker in workers {
        acknowledged.extend(worker.await.unwrap());
    }
    assert!(acknowledged.len() > 50, "the load ran: {}", acknowledged.len());

    let server = serve(dir.path(), url.as_deref());
    for number in &acknowledged {
        let response = client
            .get(format!("{}/api/v1/tickets/{number}/events", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "acknowledged ticket {number} survived");
        let events: serde_json::Value = response.json().await.unwrap();
        assert_eq!(events[0]["kind"], "created", "with its event");
    }
    // No half-written ticket: every stored ticket has its created event.
    let mut all = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{}/api/v1/tickets?limit=100&sort=created", server.base);
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: serde_json::Value = client.get(url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        for ticket in page["items"].as_array().unwrap() {
            all += 1;
            let events: serde_json::Value = client
                .get(format!("{}/api/v1/tickets/{}/events", server.base, ticket["number"]))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(events[0]["kind"], "created");
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert!(all >= acknowledged.len());
    stop_with_sigterm(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_create_load_loses_nothing_acknowledged_sqlite() {
    sigkill_loses_nothing_acknowledged(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_create_load_loses_nothing_acknowledged_postgres() {
    if postgres_url().is_none() {
        eprintln!("SKIPPED (KEFU_TEST_POSTGRES_URL not set): sigkill_during_create_load_loses_nothing_acknowledged_postgres");
        return;
    }
    sigkill_loses_nothing_acknowledged(Backend::Postgres).await;
}

#[tokio::test]
async fn the_reopen_window_comes_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    // A bad setting stops the start (a server that started anyway is killed after 20 s,
    // so this test fails instead of hanging).
    let mut bad = kefu(dir.path(), None)
        .env("KEFU_REOPEN_WINDOW_DAYS", "forever")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while bad.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let started_anyway = bad.try_wait().unwrap().is_none();
    if started_anyway {
        let _ = bad.kill();
    }
    let bad = bad.wait_with_output().unwrap();
    assert!(!started_anyway && !bad.status.success(), "a bad setting stops the start");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("KEFU_REOPEN_WINDOW_DAYS"));

    run_ok(
        {
            let mut c = kefu(dir.path(), None);
            c.args([
                "admin",
                "create-agent",
                "--email",
                "w@example.com",
                "--name",
                "w",
                "--role",
                "agent",
            ]);
            c
        },
        None,
    );
    let token = run_ok(
        {
            let mut c = kefu(dir.path(), None);
            c.args(["admin", "create-token", "--email", "w@example.com"]);
            c
        },
        None,
    );
    let token = token.trim();
    // A window of zero days: any message after resolution starts a new ticket.
    let server = serve_with(dir.path(), None, &[("KEFU_REOPEN_WINDOW_DAYS", "0")]);
    let client = reqwest::Client::new();
    let post = |path: String, body: serde_json::Value| client.post(format!("{}{path}", server.base)).bearer_auth(token).json(&body).send();
    let ticket: serde_json::Value = post(
        "/api/v1/tickets".into(),
        json!({ "subject": "s", "description": "d", "customer": { "email": "c@example.com" } }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let number = ticket["number"].as_i64().unwrap();
    post(
        format!("/api/v1/tickets/{number}/messages"),
        json!({ "kind": "reply", "body": "done" }),
    )
    .await
    .unwrap();
    let resolved = client
        .patch(format!("{}/api/v1/tickets/{number}", server.base))
        .bearer_auth(token)
        .json(&json!({ "status": "resolved" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resolved.status(), 200);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let answer: serde_json::Value = post(
        format!("/api/v1/tickets/{number}/messages"),
        json!({ "kind": "customer", "body": "again" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(answer["follow_up_of"], number, "{answer}");
    stop_with_sigterm(server);
}

/// 100,000 reminders due within one minute, the server killed (SIGKILL) in the middle of
/// firing them and started again: each fires exactly once (one notification each, no
/// more, no fewer).
async fn timers_fire_exactly_once_across_a_kill(backend: Backend) {
    const TIMERS: i64 = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let url = database_for(backend).await;
    let location = kefu::location(dir.path(), url.as_deref()).unwrap();
    let (agent, token) = {
        let app = kefu::open(dir.path(), &location).await.expect("open");
        let agent = app
            .create_agent_as_operator(kefu_app::people::NewAgentCommand {
                email: "timers@example.com".into(),
                name: "timers".into(),
                role: "agent".into(),
                teams: vec![],
                password: None,
            })
            .await
            .expect("agent");
        let token = app.create_token_for("timers@example.com").await.expect("token");
        let start = jiff::Timestamp::now();
        for chunk in 0..(TIMERS / 1000) {
            let timers: Vec<kefu_store::timers::NewTimer> = (0..1000)
                .map(|i| {
                    let n = chunk * 1000 + i;
                    kefu_store::timers::NewTimer {
                        due_at: start + jiff::SignedDuration::from_millis(n * 60_000 / TIMERS),
                        kind: "reminder".into(),
                        subject_id: Some(agent.id),
                        payload: json!({ "agent_id": agent.id, "text": format!("#{n}") }),
                    }
                })
                .collect();
            app.db()
                .write(move |tx| Box::pin(async move { kefu_store::timers::schedule(tx.exec(), &timers, start).await }))
                .await
                .expect("schedule");
        }
        app.db().close().await;
        (agent.id, token)
    };
    let _ = agent;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let unread = |base: String| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let response = client
                .get(format!("{base}/api/v1/notifications?limit=1"))
                .bearer_auth(&token)
                .send()
                .await
                .ok()?;
            let page: serde_json::Value = response.json().await.ok()?;
            page["unread"].as_i64()
        }
    };
    let mut server = serve(dir.path(), url.as_deref());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let fired = unread(server.base.clone()).await.unwrap_or(0);
        if fired >= TIMERS / 4 {
            break;
        }
        assert!(Instant::now() < deadline, "only {fired} timers fired before the kill");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    let server = serve(dir.path(), url.as_deref());
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let fired = unread(server.base.clone()).await.unwrap_or(0);
        assert!(fired <= TIMERS, "{fired} notifications for {TIMERS} timers: some fired twice");
        if fired == TIMERS {
            break;
        }
        assert!(Instant::now() < deadline, "only {fired} of {TIMERS} timers fired");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Nothing more comes later either.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(unread(server.base.clone()).await, Some(TIMERS));
    stop_with_sigterm(server);
}

#[tokio::test]
async fn timers_fire_exactly_once_across_a_kill_sqlite() {
    timers_fire_exactly_once_across_a_kill(Backend::Sqlite).await;
}

#[tokio::test]
async fn timers_fire_exactly_once_across_a_kill_postgres() {
    if postgres_url().is_none() {
        eprintln!("SKIPPED (KEFU_TEST_POSTGRES_URL not set): timers_fire_exactly_once_across_a_kill_postgres");
        return;
    }
    timers_fire_exactly_once_across_a_kill(Backend::Postgres).await;
}

/// Two Kefu nodes on one PostgreSQL database take due timers at the same time: each
/// fires once (`FOR UPDATE SKIP LOCKED`, and the delete in the firing transaction).
#[tokio::test]
async fn two_nodes_fire_each_timer_once_postgres() {
    const TIMERS: i64 = 20_000;
    if postgres_url().is_none() {
        eprintln!("SKIPPED (KEFU_TEST_POSTGRES_URL not set): two_nodes_fire_each_timer_once_postgres");
        return;
    }
    let location = kefu_store::Location::Postgres(fresh_postgres_database().await);
    let (dir_one, dir_two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = kefu::open(dir_one.path(), &location).await.expect("node one");
    let second = kefu::open(dir_two.path(), &location).await.expect("node two");
    let agent = first
        .create_agent_as_operator(kefu_app::people::NewAgentCommand {
            email: "nodes@example.com".into(),
            name: "nodes".into(),
            role: "agent".into(),
            teams: vec![],
            password: None,
        })
        .await
        .expect("agent");
    let start = jiff::Timestamp::now();
    for chunk in 0..(TIMERS / 1000) {
        let timers: Vec<kefu_store::timers::NewTimer> = (0..1000)
            .map(|i| kefu_store::timers::NewTimer {
                due_at: start - jiff::SignedDuration::from_millis(chunk * 1000 + i),
                kind: "reminder".into(),
                subject_id: Some(agent.id),
                payload: json!({ "agent_id": agent.id, "text": "x" }),
            })
            .collect();
        first
            .db()
            .write(move |tx| Box::pin(async move { kefu_store::timers::schedule(tx.exec(), &timers, start).await }))
            .await
            .expect("schedule");
    }
    let drain = |node: kefu_app::App| async move {
        let mut fired = 0;
        loop {
            let done = node.run_due_work(jiff::Timestamp::now()).await.expect("pass");
            fired += done.timers;
            if done.timers == 0 {
                return fired;
            }
        }
    };
    let (a, b) = tokio::join!(drain(first.clone()), drain(second.clone()));
    assert_eq!(a + b, TIMERS as usize, "node one fired {a}, node two {b}");
    let notes = kefu_store::notifications::unread_count(first.db().read(), agent.id).await.unwrap();
    assert_eq!(notes, TIMERS);
}
