//! The harness: a fresh database per test on each backend, and the fixtures the test
//! modules share. A test is written once as `async fn(Db)`; `backend_tests!` (main.rs)
//! runs it on SQLite always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

use futures::FutureExt;
use jiff::Timestamp;
use kefu_domain::contact::{Email, Phone};
use kefu_domain::entities::{Customer, Id, Ticket};
use kefu_domain::enums::{Channel, Priority, Role, TicketKind};
use kefu_store::customers::{NewCustomer, insert_customer};
use kefu_store::people::{NewAgent, insert_agent, insert_team, set_agent_teams};
use kefu_store::tickets::{NewTicket, insert_ticket, update_ticket};
use kefu_store::{Db, Exec, Location, StoreError, StoreResult};
use serde_json::Map;
use sqlx::Connection;
use std::future::Future;
use std::io::Write;
use std::panic::{AssertUnwindSafe, resume_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The variable that turns the PostgreSQL half of the suite on.
pub const POSTGRES_ENV: &str = "KEFU_TEST_POSTGRES_URL";

/// A name no other test (in this or a concurrent run) uses: process id, a counter and
/// the clock, so parallel `cargo test` processes on one PostgreSQL do not collide.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), nanos)
}

/// A directory removed when dropped (std only, so the suite needs no extra crate).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("kefu-store-it-{}", unique_suffix()));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `test` on a fresh SQLite file, closes the database, then re-raises any panic so
/// the test fails with its own message.
pub async fn on_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Db, Location) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = TempDir::new();
    let location = Location::SqliteFile(dir.path().join("kefu.db"));
    let db = Db::open(&location).await.expect("open a fresh SQLite database");
    let outcome = AssertUnwindSafe(test(db.clone(), location)).catch_unwind().await;
    db.close().await;
    drop(dir);
    if let Err(panic) = outcome {
        resume_unwind(panic);
    }
}

/// Runs `test` on a freshly created PostgreSQL database, or says loudly that it is
/// skipped. The line goes to the real stderr (not `eprintln!`, which the test harness
/// captures and hides for passing tests), so a skip is never silent.
pub async fn on_postgres<F, Fut>(module: &str, test: F)
where
    F: FnOnce(Db, Location) -> Fut,
    Fut: Future<Output = ()>,
{
    let name = module.split_once("::").map_or(module, |(_, rest)| rest);
    let Some(admin_url) = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty()) else {
        let _ = writeln!(std::io::stderr(), "SKIPPED ({POSTGRES_ENV} not set): {name}::postgres");
        return;
    };
    let scratch = PgScratch::create(&admin_url).await;
    let location = Location::Postgres(scratch.url.clone());
    let db = Db::open(&location).await.expect("open the fresh PostgreSQL database");
    let outcome = AssertUnwindSafe(test(db.clone(), location)).catch_unwind().await;
    db.close().await;
    scratch.drop_database().await;
    if let Err(panic) = outcome {
        resume_unwind(panic);
    }
}

/// A database made for one test on the server `KEFU_TEST_POSTGRES_URL` points at.
struct PgScratch {
    admin_url: String,
    name: String,
    url: String,
}

impl PgScratch {
    async fn create(admin_url: &str) -> Self {
        let name = format!("kefu_test_{}", unique_suffix());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("connect to KEFU_TEST_POSTGRES_URL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let mut url = url::Url::parse(admin_url).expect("KEFU_TEST_POSTGRES_URL is a URL");
        url.set_path(&format!("/{name}"));
        PgScratch {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        }
    }

    /// Best effort: a database left behind costs disk, not correctness (names are unique).
    async fn drop_database(self) {
        let result = async {
            let mut admin = sqlx::PgConnection::connect(&self.admin_url).await?;
            // FORCE: a connection a failed test leaked must not keep the database alive.
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)))
                .execute(&mut admin)
                .await?;
            admin.close().await
        }
        .await;
        if let Err(error) = result {
            let _ = writeln!(std::io::stderr(), "warning: could not drop test database {}: {error}", self.name);
        }
    }
}

// ---- time -------------------------------------------------------------------------

/// A fixed instant, so stored timestamps are predictable: 2025-06-15 15:06:40 UTC.
pub const BASE_MS: i64 = 1_750_000_000_000;

/// `BASE_MS + offset` milliseconds.
pub fn at(offset_ms: i64) -> Timestamp {
    Timestamp::from_millisecond(BASE_MS + offset_ms).expect("valid timestamp")
}

// ---- raw SQL, for what the public API deliberately does not offer -----------------

/// Runs literal SQL inside a write (e.g. adding a category, which only admins will do
/// through a use case that does not exist yet).
pub async fn exec_sql(db: &Db, sql: impl Into<String>) {
    let sql = sql.into();
    db.write(move |tx| {
        Box::pin(async move {
            let result = match tx.exec() {
                Exec::SqliteConn(c) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(c).await.map(|_| ()),
                Exec::PgConn(c) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(c).await.map(|_| ()),
                _ => unreachable!("a write transaction runs on a connection"),
            };
            result.map_err(StoreError::from)
        })
    })
    .await
    .expect("raw SQL runs");
}

/// One `i64` from a read outside any transaction (counts, sums).
pub async fn scalar(db: &Db, sql: &'static str) -> i64 {
    let row: (i64,) = match db.read() {
        Exec::SqlitePool(p) => sqlx::query_as(sql).fetch_one(p).await,
        Exec::PgPool(p) => sqlx::query_as(sql).fetch_one(p).await,
        _ => unreachable!("reads run on a pool"),
    }
    .expect("scalar query");
    row.0
}

/// Adds a category below `parent` (or a root) with literal SQL.
pub async fn add_category(db: &Db, code: &str) {
    let parent = kefu_domain::category::parent_code(code).map_or("NULL".to_owned(), |p| format!("'{p}'"));
    exec_sql(
        db,
        format!("INSERT INTO categories (code, parent_code, name_zh, name_en) VALUES ('{code}', {parent}, '{code}', '{code}')"),
    )
    .await;
}

// ---- fixtures -----------------------------------------------------------------------

pub fn email(text: &str) -> Email {
    Email::parse("email", text).expect("valid email")
}

pub fn phone(text: &str) -> Phone {
    Phone::parse("phone", text).expect("valid phone")
}

/// Creates a customer known by name (and e-mail, when given).
pub async fn customer(db: &Db, name: &str, mail: Option<&str>) -> Customer {
    let new = NewCustomer::contact(name.to_owned(), mail.map(email), None);
    db.write(move |tx| Box::pin(async move { insert_customer(tx.exec(), &new, at(0)).await }))
        .await
        .expect("insert customer")
}

pub async fn agent(db: &Db, mail: &str) -> Id {
    let new = NewAgent {
        email: email(mail),
        name: mail.to_owned(),
        role: Role::Agent,
        password_hash: None,
        skills: Vec::new(),
        languages: Vec::new(),
        capacity: 10,
    };
    db.write(move |tx| Box::pin(async move { insert_agent(tx.exec(), &new, at(0)).await }))
        .await
        .expect("insert agent")
}

pub async fn team(db: &Db, name: &str, members: &[Id]) -> Id {
    let name = name.to_owned();
    let members = members.to_vec();
    db.write(move |tx| {
        Box::pin(async move {
            let team = insert_team(tx.exec(), &name, "", None, at(0)).await?;
            for agent in members {
                // Keep the agent's other teams: set_agent_teams replaces the whole set.
                let mut teams = kefu_store::people::agent_by_id(tx.exec(), agent)
                    .await?
                    .expect("agent exists")
                    .teams;
                teams.push(team);
                set_agent_teams(tx.exec(), agent, &teams).await?;
            }
            Ok::<_, StoreError>(team)
        })
    })
    .await
    .expect("insert team")
}

/// A plain ticket for `customer_id`; tests change what they care about.
pub fn new_ticket(customer_id: Id) -> NewTicket {
    NewTicket {
        subject: "打印机卡纸 / printer jam".into(),
        description: "The printer on floor 3 jams on every page.".into(),
        kind: TicketKind::Consultation,
        channel: Channel::Web,
        priority: Priority::Normal,
        category: None,
        tags: Vec::new(),
        customer_id,
        team_id: None,
        expected_resolution: None,
        custom: Map::new(),
        follow_up_of: None,
        language: None,
        required_skills: Vec::new(),
        sla: None,
    }
}

pub async fn ticket(db: &Db, new: NewTicket, created: Timestamp) -> Ticket {
    db.write(move |tx| Box::pin(async move { insert_ticket(tx.exec(), &new, created).await }))
        .await
        .expect("insert ticket")
}

/// Inserts `new` at `created`, then lets `edit` change the stored ticket (assignee,
/// status, updated_at...) and writes it back, all in one command.
pub async fn ticket_with(db: &Db, new: NewTicket, created: Timestamp, edit: impl FnOnce(&mut Ticket) + Send + 'static) -> Ticket {
    db.write(move |tx| {
        Box::pin(async move {
            let mut ticket = insert_ticket(tx.exec(), &new, created).await?;
            edit(&mut ticket);
            update_ticket(tx.exec(), &ticket).await?;
            Ok::<_, StoreError>(ticket)
        })
    })
    .await
    .expect("insert and edit ticket")
}

/// Runs one repository call in its own write and returns its result, errors included.
pub async fn write_one<T, F>(db: &Db, command: F) -> StoreResult<T>
where
    T: Send + 'static,
    F: for<'a> FnOnce(&'a mut kefu_store::Tx) -> futures::future::BoxFuture<'a, StoreResult<T>> + Send + 'static,
{
    db.write(command).await
}
