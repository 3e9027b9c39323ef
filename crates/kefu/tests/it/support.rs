//! Starting a test server on a fresh database and talking to it.

use kefu_app::people::NewAgentCommand;
use kefu_app::{App, AppConfig};
use kefu_store::Location;
use reqwest::{Client, Method, Response};
use serde_json::Value;
use sqlx::{Connection, PgConnection};
use tempfile::TempDir;
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `<name>_sqlite` and `<name>_postgres` tests from `async fn name(backend)`.
/// Without `KEFU_TEST_POSTGRES_URL` the PostgreSQL variant says it is skipped.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::support::Backend::Sqlite).await;
            })+
        }
        mod on_postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if $crate::support::postgres_url().is_none() {
                    eprintln!("SKIPPED (KEFU_TEST_POSTGRES_URL not set): {}", stringify!($name));
                    return;
                }
                super::$name($crate::support::Backend::Postgres).await;
            })+
        }
    };
}

pub fn postgres_url() -> Option<String> {
    std::env::var("KEFU_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// A fresh, uniquely named PostgreSQL database; its URL.
pub async fn fresh_postgres_database() -> String {
    let admin_url = postgres_url().expect("KEFU_TEST_POSTGRES_URL");
    let name = format!("kefu_test_{}_{}", std::process::id(), fastrand_suffix());
    let mut conn = PgConnection::connect(&admin_url).await.expect("connect to PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let mut url = reqwest::Url::parse(&admin_url).expect("postgres url");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

fn fastrand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{nanos}_{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A running server with an admin signed in by token.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub token: String,
    pub app: App,
    dir: TempDir,
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_configured(backend, None).await
}

/// [`spawn`] with settings of the test's own (mail, for one) instead of the environment's.
pub async fn spawn_with(backend: Backend, config: AppConfig) -> TestApp {
    spawn_configured(backend, Some(config)).await
}

async fn spawn_configured(backend: Backend, config: Option<AppConfig>) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let location = match backend {
        Backend::Sqlite => Location::SqliteFile(dir.path().join("kefu.db")),
        Backend::Postgres => Location::Postgres(fresh_postgres_database().await),
    };
    let app = match config {
        Some(config) => kefu::open_with(dir.path(), &location, config).await,
        None => kefu::open(dir.path(), &location).await,
    }
    .expect("open app");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(kefu::start(app.clone(), listener, std::future::pending()));
    app.create_agent_as_operator(NewAgentCommand {
        email: "admin@example.com".into(),
        name: "Admin".into(),
        role: "admin".into(),
        teams: vec![],
        password: None,
    })
    .await
    .expect("create admin");
    let token = app.create_token_for("admin@example.com").await.expect("token");
    TestApp {
        base,
        client: Client::new(),
        token,
        app,
        dir,
    }
}

impl TestApp {
    /// The server's data directory (the SQLite file `kefu.db`, the search index).
    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        decode(response).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, Some(&self.token), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(&self.token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PATCH, path, Some(&self.token), Some(body)).await
    }

    /// A page's HTML, as a browser with `cookie` (a session, or none) gets it.
    pub async fn page(&self, client: &Client, path: &str, cookie: Option<&str>) -> String {
        let mut request = client.get(format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.expect("get").text().await.expect("html")
    }

    /// Adds a message with files to a ticket through the API (multipart); status and body.
    pub async fn message_with_files(&self, number: i64, kind: &str, body: &str, files: Vec<(String, Vec<u8>)>) -> (u16, Value) {
        let mut form = reqwest::multipart::Form::new()
            .text("kind", kind.to_owned())
            .text("body", body.to_owned());
        for (name, bytes) in files {
            form = form.part("files", reqwest::multipart::Part::bytes(bytes).file_name(name));
        }
        let response = self
            .client
            .post(format!("{}/api/v1/tickets/{number}/messages", self.base))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .expect("post");
        decode(response).await
    }

    /// Creates a ticket and returns its number.
    pub async fn ticket(&self, subject: &str, email: &str) -> i64 {
        let (status, body) = self
            .post(
                "/api/v1/tickets",
                serde_json::json!({ "subject": subject, "description": "详情 details", "customer": { "email": email } }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["number"].as_i64().expect("number")
    }

    /// Creates an agent (as the admin) and a token for them.
    pub async fn agent(&self, email: &str, role: &str, teams: &[i64]) -> (i64, String) {
        let (status, body) = self
            .post(
                "/api/v1/agents",
                serde_json::json!({ "email": email, "name": email, "role": role, "teams": teams }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let token = self.app.create_token_for(email).await.expect("token");
        (body["id"].as_i64().expect("id"), token)
    }

    pub async fn team(&self, name: &str) -> i64 {
        let (status, body) = self.post("/api/v1/teams", serde_json::json!({ "name": name })).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().expect("id")
    }
}

pub async fn decode(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// The event kinds of a ticket, in order.
pub async fn event_kinds(app: &TestApp, number: i64) -> Vec<String> {
    let (status, events) = app.get(&format!("/api/v1/tickets/{number}/events")).await;
    assert_eq!(status, 200, "{events}");
    events
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}
