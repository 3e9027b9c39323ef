//! Search and the knowledge base over HTTP: what is found, by whom, how fast after a
//! write, across a restart; the article workflow; and the relevance of the demo
//! knowledge base measured against `bench/relevance/`.

use crate::on_both;
use crate::support::{Backend, TestApp, spawn};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

on_both!(
    tickets_are_found_by_chinese_and_english_words_within_a_second,
    agents_find_only_what_they_may_see,
    knowledge_articles_follow_review_and_keep_versions,
    help_center_shows_published_public_articles_only,
    bad_searches_are_refused,
    portal_suggestions_count_the_requests_they_deflect,
);

/// Searches until `found` holds or five seconds pass; returns the last results and how
/// long it took.
async fn search_until(app: &TestApp, token: &str, query: &str, found: impl Fn(&Value) -> bool) -> (Value, Duration) {
    let started = Instant::now();
    loop {
        let (status, body) = app.call(Method::GET, &format!("/api/v1/search?{query}"), Some(token), None).await;
        assert_eq!(status, 200, "{body}");
        if found(&body) || started.elapsed() > Duration::from_secs(5) {
            return (body, started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn numbers(results: &Value) -> Vec<i64> {
    results["hits"]
        .as_array()
        .map(|hits| hits.iter().filter_map(|h| h["meta"]["number"].as_i64()).collect())
        .unwrap_or_default()
}

/// `text` percent-encoded for a query string.
pub(crate) fn encode(text: &str) -> String {
    reqwest::Url::parse_with_params("http://x/", [("q", text)])
        .ok()
        .and_then(|u| u.query().map(|q| q.trim_start_matches("q=").to_owned()))
        .unwrap_or_default()
}

async fn tickets_are_found_by_chinese_and_english_words_within_a_second(backend: Backend) {
    let app = spawn(backend).await;
    let returns = app.ticket("如何办理退换货？手表屏幕有划痕", "a@example.com").await;
    let refund = app.ticket("Refund for a cancelled order", "b@example.com").await;
    let (results, took) = search_until(&app, &app.token, &format!("q={}", encode("退货")), |r| {
        numbers(r).contains(&returns)
    })
    .await;
    assert_eq!(numbers(&results), vec![returns], "退货 finds 退换货: {results}");
    assert!(
        took < Duration::from_secs(1),
        "findable within a second of its creation, took {took:?}"
    );
    let (results, _) = search_until(&app, &app.token, "q=refunds", |r| !numbers(r).is_empty()).await;
    assert_eq!(numbers(&results), vec![refund], "{results}");
    assert!(
        results["facets"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["facet"] == "status")),
        "{results}"
    );

    // A reply and an internal note are searchable once written.
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{refund}/messages"),
            json!({ "kind": "note", "body": "客户是经销商，退款走特批流程" }),
        )
        .await;
    assert_eq!(status, 201);
    let (results, _) = search_until(&app, &app.token, &format!("q={}", encode("特批")), |r| !numbers(r).is_empty()).await;
    assert_eq!(numbers(&results), vec![refund], "notes are searched for agents: {results}");
    let snippet = results["hits"][0]["snippet"].as_str().unwrap_or_default();
    assert!(snippet.contains("<b>特批</b>"), "the matching fragment is highlighted: {snippet}");

    // Filters: status and creation time.
    let (results, _) = search_until(&app, &app.token, "q=refund&status=solved", |_| true).await;
    assert_eq!(results["total"], 0, "{results}");
    let (results, _) = search_until(
        &app,
        &app.token,
        "q=refund&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z",
        |_| true,
    )
    .await;
    assert_eq!(results["total"], 0, "{results}");

    // A misspelt word finds nothing exactly but suggests the word that would.
    let (results, _) = search_until(&app, &app.token, "q=cancelledd+ordr&type=ticket&status=solved", |_| true).await;
    assert_eq!(results["did_you_mean"], "cancelled order", "{results}");
}

async fn agents_find_only_what_they_may_see(backend: Backend) {
    let app = spawn(backend).await;
    let billing = app.team("账务组").await;
    let repairs = app.team("维修组").await;
    let (_, outsider) = app.agent("outsider@example.com", "agent", &[repairs]).await;
    let (_, member) = app.agent("member@example.com", "agent", &[billing]).await;
    let number = app.ticket("发票抬头开错了 invoice title wrong", "c@example.com").await;
    let (status, body) = app.patch(&format!("/api/v1/tickets/{number}"), json!({ "team": billing })).await;
    assert_eq!(status, 200, "{body}");
    let query = format!("q={}", encode("发票"));
    // Wait until the index knows the ticket's team.
    search_until(&app, &app.token, &format!("{query}&team={billing}"), |r| !numbers(r).is_empty()).await;
    let (results, _) = search_until(&app, &member, &query, |r| !numbers(r).is_empty()).await;
    assert_eq!(numbers(&results), vec![number], "a member of the team finds it");
    let (results, _) = search_until(&app, &app.token, &query, |r| !numbers(r).is_empty()).await;
    assert_eq!(numbers(&results), vec![number], "an admin finds it");
    let (results, _) = search_until(&app, &outsider, &query, |_| true).await;
    assert_eq!(results["total"], 0, "another team's ticket stays hidden: {results}");

    // Customers by name, e-mail part or phone.
    let (status, body) = app
        .post(
            "/api/v1/customers",
            json!({ "name": "王小明", "email": "xiaoming.wang@example.com", "phone": "13800138000" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    for query in ["小明", "xiaoming", "13800138000"] {
        let (results, _) = search_until(&app, &member, &format!("type=customer&q={}", encode(query)), |r| r["total"] != 0).await;
        assert_eq!(results["hits"][0]["id"], id, "{query}: {results}");
    }
    // A changed customer is found by the new name.
    let (status, _) = app
        .patch(&format!("/api/v1/customers/{id}"), json!({ "organization": "江南重工" }))
        .await;
    assert_eq!(status, 200);
    let (results, _) = search_until(&app, &member, &format!("type=customer&q={}", encode("江南重工")), |r| {
        r["total"] != 0
    })
    .await;
    assert_eq!(results["hits"][0]["id"], id, "{results}");
}

async fn knowledge_articles_follow_review_and_keep_versions(backend: Backend) {
    let app = spawn(backend).await;
    let (_, author) = app.agent("author@example.com", "agent", &[]).await;
    let (status, category) = app
        .post(
            "/api/v1/kb/categories",
            json!({ "path": "after-sales", "name_zh": "售后", "name_en": "After-sales" }),
        )
        .await;
    assert_eq!(status, 200, "{category}");
    let (status, _) = app
        .post(
            "/api/v1/kb/categories",
            json!({ "path": "after-sales/returns", "name_zh": "退换货", "name_en": "Returns" }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/kb/categories",
            Some(&author),
            Some(json!({ "path": "x", "name_zh": "x", "name_en": "x" })),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "{body}");

    let draft = json!({ "locale": "zh-CN", "title": "如何办理退换货", "body": "收货 7 天内可申请。", "category": "after-sales/returns", "tags": ["退货"] });
    let (status, article) = app.call(Method::POST, "/api/v1/articles", Some(&author), Some(draft.clone())).await;
    assert_eq!(status, 201, "{article}");
    let id = article["id"].as_i64().unwrap();
    assert_eq!((article["status"].as_str(), article["version"].as_i64()), (Some("draft"), Some(1)));
    assert_eq!(article["locale"], "zh-CN", "the wire name of the locale");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/articles",
            Some(&author),
            Some(json!({ "slug": article["slug"], "locale": "zh-CN", "title": "t", "body": "b" })),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("slug_taken")), "{body}");

    // The author proposes; only a reviewer publishes.
    let path = format!("/api/v1/articles/{id}/status");
    let (status, _) = app
        .call(Method::POST, &path, Some(&author), Some(json!({ "status": "in_review" })))
        .await;
    assert_eq!(status, 200);
    let (status, body) = app
        .call(Method::POST, &path, Some(&author), Some(json!({ "status": "published" })))
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = app.post(&path, json!({ "status": "published" })).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("published")), "{body}");
    let (status, body) = app.post(&path, json!({ "status": "in_review" })).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("invalid_transition")), "{body}");

    // Edits are versions; an old one can be restored.
    let (status, body) = app
        .patch(&format!("/api/v1/articles/{id}"), json!({ "body": "收货 15 天内可申请。" }))
        .await;
    assert_eq!((status, body["version"].as_i64()), (200, Some(2)), "{body}");
    let (status, body) = app.post(&format!("/api/v1/articles/{id}/versions/1/restore"), json!({})).await;
    assert_eq!(
        (status, body["version"].as_i64(), body["body"].as_str()),
        (200, Some(3), Some("收货 7 天内可申请。")),
        "{body}"
    );
    let (_, versions) = app.get(&format!("/api/v1/articles/{id}/versions")).await;
    assert_eq!(versions.as_array().map(Vec::len), Some(3), "{versions}");

    // An English version links to the Chinese one.
    let (status, english) = app
        .post(
            "/api/v1/articles",
            json!({ "locale": "en", "title": "How to return an item", "body": "Within 7 days.", "translation_of": id }),
        )
        .await;
    assert_eq!((status, english["translation_group"].as_i64()), (201, Some(id)), "{english}");
    assert_eq!(english["slug"], "how-to-return-an-item");

    // Agents find articles of any status, with category facets.
    let (results, _) = search_until(&app, &author, &format!("type=article&q={}", encode("退货")), |r| r["total"] != 0).await;
    assert_eq!(results["hits"][0]["id"], id, "{results}");
    assert!(
        results["facets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == "after-sales/returns"),
        "{results}"
    );
    let (results, _) = search_until(
        &app,
        &author,
        &format!("type=article&category=after-sales&q={}", encode("退货")),
        |r| r["total"] != 0,
    )
    .await;
    assert_eq!(results["total"], 1, "a category includes its subcategories: {results}");
}

async fn help_center_shows_published_public_articles_only(backend: Backend) {
    let app = spawn(backend).await;
    let mut ids = Vec::new();
    for (title, internal, publish) in [
        ("退款多久到账", false, true),
        ("退款特批流程（内部）", true, true),
        ("退款草稿", false, false),
    ] {
        let (status, article) = app
            .post(
                "/api/v1/articles",
                json!({ "locale": "zh-CN", "title": title, "body": "退款说明", "internal": internal }),
            )
            .await;
        assert_eq!(status, 201, "{article}");
        let id = article["id"].as_i64().unwrap();
        if publish {
            let (status, _) = app
                .post(&format!("/api/v1/articles/{id}/status"), json!({ "status": "published" }))
                .await;
            assert_eq!(status, 200);
        }
        ids.push(id);
    }
    let (results, _) = search_until(&app, &app.token, &format!("type=article&q={}", encode("退款")), |r| {
        r["total"] == 3
    })
    .await;
    assert_eq!(results["total"], 3, "agents see all three: {results}");
    let (status, results) = app
        .call(Method::GET, &format!("/api/v1/help/search?q={}", encode("退款")), None, None)
        .await;
    assert_eq!(status, 200, "{results}");
    let found: Vec<i64> = results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["id"].as_i64())
        .collect();
    assert_eq!(found, vec![ids[0]], "customers see the published public article only: {results}");

    // Feedback on public articles only; searches that found nothing are listed.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/help/articles/{}/feedback", ids[0]),
            None,
            Some(json!({ "helpful": false, "reason": "没说清楚到账时间" })),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/help/articles/{}/feedback", ids[1]),
            None,
            Some(json!({ "helpful": true })),
        )
        .await;
    assert_eq!(status, 404, "internal articles take no public feedback");
    let (_, article) = app.get(&format!("/api/v1/articles/{}", ids[0])).await;
    assert_eq!(article["not_helpful"], 1, "{article}");
    let (status, _) = app
        .call(Method::GET, &format!("/api/v1/help/search?q={}", encode("发票抬头")), None, None)
        .await;
    assert_eq!(status, 200);
    let (_, misses) = app.get("/api/v1/search/misses").await;
    assert_eq!(misses[0]["query"], "发票抬头", "{misses}");
}

async fn bad_searches_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    for (query, code) in [
        ("q=", "validation_failed"),
        ("q=x&type=order", "validation_failed"),
        ("q=x&from=yesterday", "validation_failed"),
    ] {
        let (status, body) = app.get(&format!("/api/v1/search?{query}")).await;
        assert_eq!((status, body["code"].as_str()), (422, Some(code)), "{query}: {body}");
    }
    let (status, _) = app.call(Method::GET, "/api/v1/search?q=x", None, None).await;
    assert_eq!(status, 401);
}

/// Two nodes on one PostgreSQL database commit in any order: an event can become visible
/// after a later-numbered one has been indexed. The feeder still indexes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_committed_after_a_later_one_is_still_indexed_on_postgres() {
    if crate::support::postgres_url().is_none() {
        eprintln!("SKIPPED (KEFU_TEST_POSTGRES_URL not set)");
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let early = app.ticket("打印机卡纸 printer jam", "early@example.com").await;
    search_until(&app, &app.token, "q=printer", |r| numbers(r).contains(&early)).await;
    let kefu_store::Exec::PgPool(pool) = app.app.db().read() else {
        unreachable!("a PostgreSQL app reads from a pool")
    };
    // Another node's transaction takes an event number and a timestamp, then commits only
    // after this node has written and indexed a later event.
    let (late_id,): (i64,) = sqlx::query_as("SELECT nextval(pg_get_serial_sequence('ticket_events', 'id'))")
        .fetch_one(pool)
        .await
        .unwrap();
    let late_at = jiff::Timestamp::now().as_millisecond();
    let later = app.ticket("Refund for a cancelled order", "later@example.com").await;
    search_until(&app, &app.token, "q=refund", |r| numbers(r).contains(&later)).await;
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("UPDATE tickets SET subject = '迟到的提交 latecomer' WHERE number = $1")
        .bind(early)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO ticket_events (id, ticket_id, kind, actor_kind, actor_id, data, created_at) \
         SELECT $1, ticket_id, kind, actor_kind, actor_id, data, $2 FROM ticket_events \
         WHERE ticket_id = (SELECT id FROM tickets WHERE number = $3) ORDER BY id DESC LIMIT 1",
    )
    .bind(late_id)
    .bind(late_at)
    .bind(early)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (results, _) = search_until(&app, &app.token, "q=latecomer", |r| numbers(r).contains(&early)).await;
    assert_eq!(
        numbers(&results),
        vec![early],
        "the late event's ticket is indexed again: {results}"
    );
}

/// The same for articles: another node's edit takes an article change number, then
/// commits only after this node has written and indexed a later change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_change_committed_after_a_later_one_is_still_indexed_on_postgres() {
    if crate::support::postgres_url().is_none() {
        eprintln!("SKIPPED (KEFU_TEST_POSTGRES_URL not set)");
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let article_ids = |r: &Value| -> Vec<i64> {
        r["hits"]
            .as_array()
            .map(|hits| hits.iter().filter_map(|h| h["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    let write = |title: &'static str| {
        let app = &app;
        async move {
            let (status, article) = app
                .post(
                    "/api/v1/articles",
                    json!({ "locale": "en", "title": title, "body": "How returns work." }),
                )
                .await;
            assert_eq!(status, 201, "{article}");
            let id = article["id"].as_i64().unwrap();
            let (status, _) = app
                .post(&format!("/api/v1/articles/{id}/status"), json!({ "status": "in_review" }))
                .await;
            assert_eq!(status, 200);
            let (status, _) = app
                .post(&format!("/api/v1/articles/{id}/status"), json!({ "status": "published" }))
                .await;
            assert_eq!(status, 200);
            id
        }
    };
    let early = write("Returning a parcel").await;
    search_until(&app, &app.token, "type=article&q=parcel", |r| article_ids(r).contains(&early)).await;
    let kefu_store::Exec::PgPool(pool) = app.app.db().read() else {
        unreachable!("a PostgreSQL app reads from a pool")
    };
    let (late_change,): (i64,) = sqlx::query_as("SELECT nextval('kb_article_changes')")
        .fetch_one(pool)
        .await
        .unwrap();
    let later = write("Exchanging a jacket").await;
    search_until(&app, &app.token, "type=article&q=jacket", |r| article_ids(r).contains(&later)).await;
    sqlx::query("UPDATE kb_articles SET title = 'Returning a latecomer', change_no = $1 WHERE id = $2")
        .bind(late_change)
        .bind(early)
        .execute(pool)
        .await
        .unwrap();
    let (results, _) = search_until(&app, &app.token, "type=article&q=latecomer", |r| article_ids(r).contains(&early)).await;
    assert_eq!(article_ids(&results), vec![early], "the late change is indexed: {results}");
}

/// Tickets written while no server (and so no index feeder) ran are found after the
/// next start: the index catches up from its checkpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_catches_up_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let location = kefu_store::Location::SqliteFile(dir.path().join("kefu.db"));
    let (number, token) = {
        let app = kefu::open(dir.path(), &location).await.unwrap();
        app.create_agent_as_operator(kefu_app::people::NewAgentCommand {
            email: "admin@example.com".into(),
            name: "Admin".into(),
            role: "admin".into(),
            teams: vec![],
            password: None,
        })
        .await
        .unwrap();
        let token = app.create_token_for("admin@example.com").await.unwrap();
        // Start and stop a server once, so the index exists with a checkpoint.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(kefu::start(app.clone(), listener, async move {
            let _ = stopped.await;
        }));
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        // Written with no feeder running.
        let app = kefu::open(dir.path(), &location).await.unwrap();
        let actor = app.authenticate_token(&token).await.unwrap();
        let ticket = app
            .create_ticket(
                &actor,
                serde_json::from_value(
                    json!({ "subject": "压路机振动异常", "description": "R20 振动轮异响", "customer": { "email": "d@example.com" } }),
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        app.db().close().await;
        (ticket.ticket.number, token)
    };
    let app = kefu::open(dir.path(), &location).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(kefu::start(app.clone(), listener, std::future::pending()));
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let body: Value = client
            .get(format!("{base}/api/v1/search?q={}", encode("振动")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if numbers(&body) == vec![number] {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "not caught up: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One question of the relevance set and the articles that answer it (by slug).
struct RelevanceQuery {
    q: String,
    lang: String,
    relevant: Vec<String>,
    style: String,
}

impl RelevanceQuery {
    fn of(value: &Value) -> RelevanceQuery {
        let text = |field: &str| value[field].as_str().unwrap_or_default().to_owned();
        RelevanceQuery {
            q: text("q"),
            lang: text("lang"),
            relevant: value["relevant"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
            style: text("style"),
        }
    }
}

/// MRR@10 and recall@5 of one configuration over a set of queries.
#[derive(Default, Clone, Copy)]
struct Scores {
    reciprocal_rank: f64,
    recall: f64,
    n: usize,
}

impl Scores {
    fn add(&mut self, ranked: &[String], relevant: &[String]) {
        let first = ranked.iter().take(10).position(|slug| relevant.contains(slug));
        self.reciprocal_rank += first.map_or(0.0, |rank| 1.0 / (rank as f64 + 1.0));
        let found = relevant.iter().filter(|slug| ranked.iter().take(5).any(|r| r == *slug)).count();
        self.recall += found as f64 / relevant.len() as f64;
        self.n += 1;
    }

    fn mrr(&self) -> f64 {
        self.reciprocal_rank / self.n.max(1) as f64
    }

    fn recall_at_5(&self) -> f64 {
        self.recall / self.n.max(1) as f64
    }
}

/// The relevance of each analysis over a set of queries, as a Markdown table.
struct RelevanceReport {
    table: String,
    full: Scores,
    others: Vec<Scores>,
    misses: Vec<String>,
}

/// Reads the queries of `files` in `bench/relevance/`.
fn relevance_queries(files: &[&str]) -> Vec<RelevanceQuery> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/relevance");
    let mut queries = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let values: Vec<Value> = serde_json::from_str(&text).unwrap();
        queries.extend(values.iter().map(RelevanceQuery::of));
    }
    queries
}

/// Waits until the index holds `articles` articles.
async fn wait_for_articles(app: &TestApp, articles: usize) {
    let started = Instant::now();
    loop {
        let indexed = app.app.indexed_counts().map(|c| c.articles);
        if indexed.as_ref().is_ok_and(|n| *n as usize >= articles) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "knowledge base not indexed: {indexed:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Asks `queries` of the indexed articles with the full analysis, the same without
/// synonyms, jieba words alone and single characters alone: MRR@10 and recall@5 of each,
/// by language, and of the full analysis by style of query. `others` holds the scores of
/// jieba words alone and single characters alone.
async fn measure_relevance(app: &TestApp, queries: &[RelevanceQuery]) -> RelevanceReport {
    use kefu_app::search::Analysis;
    let configurations = [
        ("full (jieba + characters + pairs + synonyms + folding + fuzzy)", Analysis::Full),
        ("full without synonyms", Analysis::FullWithoutSynonyms),
        ("jieba words only", Analysis::WordsOnly),
        ("single characters only", Analysis::CharsOnly),
    ];
    let mut table = String::from("| analysis | queries | MRR@10 | recall@5 | zh MRR@10 | en MRR@10 |\n|---|---|---|---|---|---|\n");
    let mut by_style: std::collections::BTreeMap<String, Scores> = Default::default();
    let mut full = Scores::default();
    let mut others = Vec::new();
    let mut misses = Vec::new();
    for (name, analysis) in configurations {
        let (mut all, mut zh, mut en) = (Scores::default(), Scores::default(), Scores::default());
        for query in queries {
            let results = app.app.search_articles_with(&query.q, analysis, 10).await.unwrap();
            let ranked: Vec<String> = results
                .hits
                .iter()
                .map(|h| h.meta["slug"].as_str().unwrap_or_default().to_owned())
                .collect();
            all.add(&ranked, &query.relevant);
            if query.lang == "zh" {
                zh.add(&ranked, &query.relevant)
            } else {
                en.add(&ranked, &query.relevant)
            }
            if analysis == Analysis::Full {
                by_style.entry(query.style.clone()).or_default().add(&ranked, &query.relevant);
                if !ranked.iter().take(10).any(|slug| query.relevant.contains(slug)) {
                    misses.push(format!(
                        "{} -> {:?} (expected {:?})",
                        query.q,
                        ranked.first(),
                        query.relevant.first()
                    ));
                }
            }
        }
        table.push_str(&format!(
            "| {name} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            all.n,
            all.mrr(),
            all.recall_at_5(),
            zh.mrr(),
            en.mrr()
        ));
        match analysis {
            Analysis::Full => full = all,
            Analysis::WordsOnly | Analysis::CharsOnly => others.push(all),
            Analysis::FullWithoutSynonyms => {}
        }
    }
    table.push_str("\n| style (full analysis) | queries | MRR@10 | recall@5 |\n|---|---|---|---|\n");
    for (style, scores) in &by_style {
        table.push_str(&format!(
            "| {style} | {} | {:.3} | {:.3} |\n",
            scores.n,
            scores.mrr(),
            scores.recall_at_5()
        ));
    }
    RelevanceReport {
        table,
        full,
        others,
        misses,
    }
}

impl RelevanceReport {
    /// Prints the table and the misses, and writes the table to the file `variable` names.
    fn publish(&self, variable: &str) {
        println!("{}", self.table);
        println!(
            "Not in the top 10 with the full analysis ({}):\n{}",
            self.misses.len(),
            self.misses.join("\n")
        );
        if let Ok(path) = std::env::var(variable) {
            std::fs::write(path, &self.table).unwrap();
        }
    }
}

/// The demo knowledge base asked the questions of `bench/relevance/`: MRR@10 and
/// recall@5 for the full analysis against jieba words alone and single characters alone
/// (what each part adds). Prints the table BENCHMARKS.md quotes (`bench/relevance.sh`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relevance_of_the_demo_knowledge_base() {
    let app = spawn(Backend::Sqlite).await;
    let summary = app
        .app
        .fill_demo(kefu_app::demo::DemoOptions {
            tickets: 0,
            customers: Some(0),
            survey_answers: 0,
            seed: 1,
        })
        .await
        .unwrap();
    assert!(summary.articles >= 300, "{}", summary.articles);
    let queries = relevance_queries(&["queries_service.json", "queries_product.json"]);
    assert!(queries.len() >= 200, "{}", queries.len());
    wait_for_articles(&app, summary.articles).await;
    let report = measure_relevance(&app, &queries).await;
    report.publish("KEFU_RELEVANCE_REPORT");
    let table = &report.table;
    for other in &report.others {
        assert!(
            report.full.mrr() > other.mrr(),
            "the full analysis must beat each part alone: {table}"
        );
    }
    assert!(
        report.full.mrr() >= 0.8 && report.full.recall_at_5() >= 0.85,
        "relevance floor: {table}"
    );
}

/// A help center Kefu was never tuned on (`bench/relevance/heldout/`: a mobile carrier's
/// and an airline's FAQ, written by another author without reading the search code, its
/// synonyms or the demo's queries), filled through the API as an admin would, and asked
/// its 179 questions. It measures how the analysis does on text it has not seen; the
/// only thing it requires is that the full analysis still beats each part alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relevance_of_an_unseen_faq_collection() {
    let app = spawn(Backend::Sqlite).await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/relevance/heldout");
    let articles: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(root.join("articles.json")).unwrap()).unwrap();
    for article in &articles {
        let (status, created) = app
            .post(
                "/api/v1/articles",
                json!({ "slug": article["slug"], "locale": article["locale"], "title": article["title"],
                        "body": article["body"], "tags": article["tags"] }),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let path = format!("/api/v1/articles/{}/status", created["id"]);
        for status in ["in_review", "published"] {
            let (code, body) = app.post(&path, json!({ "status": status })).await;
            assert_eq!(code, 200, "{body}");
        }
    }
    let queries = relevance_queries(&["heldout/queries.json"]);
    wait_for_articles(&app, articles.len()).await;
    let report = measure_relevance(&app, &queries).await;
    report.publish("KEFU_RELEVANCE_HELDOUT_REPORT");
    for other in &report.others {
        assert!(
            report.full.mrr() > other.mrr(),
            "the full analysis must beat each part alone: {}",
            report.table
        );
    }
}

/// Posts the portal's request form as the visit `cookie`.
async fn file_request(app: &TestApp, client: &reqwest::Client, cookie: &str, subject: &str) {
    let response = client
        .post(format!("{}/portal", app.base))
        .header("cookie", cookie)
        .form(&[
            ("name", "钱多"),
            ("email", "qian@example.com"),
            ("subject", subject),
            ("description", "想退货"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 303);
}

/// A new portal visit: its cookie (`kefu_visit=…`).
async fn portal_visit(app: &TestApp, client: &reqwest::Client) -> String {
    let response = client.get(format!("{}/portal", app.base)).send().await.expect("get");
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kefu_visit="))
        .expect("a visit cookie")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.len() > "kefu_visit=".len() + 16, "{cookie}");
    cookie
}

async fn portal_suggestions_count_the_requests_they_deflect(backend: Backend) {
    let app = spawn(backend).await;
    let draft = json!({ "locale": "zh-CN", "title": "如何办理退换货", "body": "收货 7 天内可申请退货，在订单页点“退货”。" });
    let (status, article) = app.post("/api/v1/articles", draft).await;
    assert_eq!(status, 201, "{article}");
    let path = format!("/api/v1/articles/{}/status", article["id"]);
    for status in ["in_review", "published"] {
        let (code, body) = app.post(&path, json!({ "status": status })).await;
        assert_eq!(code, 200, "{body}");
    }
    let client = crate::ui::no_redirects();
    let reader = portal_visit(&app, &client).await;

    // As the customer types, the article is suggested (the index is fed within moments).
    let started = Instant::now();
    let suggestions = loop {
        let html = app
            .page(
                &client,
                &format!("/portal/suggest?subject={}&description=", encode("退货")),
                Some(&reader),
            )
            .await;
        if html.contains("suggested-article") || started.elapsed() > Duration::from_secs(5) {
            break html;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let start = suggestions.find("href=\"").expect("a suggestion") + 6;
    let href = suggestions[start..].split('"').next().unwrap_or_default().replace("&amp;", "&");
    assert!(href.starts_with("/help/zh-CN/") && href.ends_with("?from=portal"), "{suggestions}");
    assert!(
        suggestions.contains("target=\"_blank\""),
        "the form keeps what was typed: {suggestions}"
    );

    // One visit reads and files nothing, one reads and files all the same, one files
    // without reading; a suggestion that finds nothing is no help-search miss.
    let open = |cookie: String| {
        let client = client.clone();
        let url = format!("{}{href}", app.base);
        async move {
            let response = client.get(url).header("cookie", cookie).send().await.expect("get");
            assert_eq!(response.status(), 200);
        }
    };
    open(reader.clone()).await;
    open(reader.clone()).await;
    let filer = portal_visit(&app, &client).await;
    open(filer.clone()).await;
    file_request(&app, &client, &filer, "还是想退货").await;
    let direct = portal_visit(&app, &client).await;
    file_request(&app, &client, &direct, "发票开错了").await;
    let nothing = client
        .get(format!("{}/portal/suggest?subject=zzqxw&description=", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(nothing.status(), 200);
    let (_, misses) = app.get("/api/v1/search/misses").await;
    assert!(!misses.to_string().contains("zzqxw"), "{misses}");

    // Right away the reader may still be writing: not yet deflected.
    let (status, now) = app.get("/api/v1/analytics/deflection").await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(
        (
            now["reading"].as_i64(),
            now["submitted_after_reading"].as_i64(),
            now["deflected"].as_i64()
        ),
        (Some(2), Some(1), Some(0)),
        "{now}"
    );
    assert_eq!(now["submitted_without_reading"], 1, "{now}");
    // Half an hour later the visit that read and filed nothing counts as deflected.
    let admin = app.app.authenticate_token(&app.token).await.expect("admin");
    let at = jiff::Timestamp::now();
    let later = app
        .app
        .deflection_report(
            &admin,
            at - jiff::SignedDuration::from_hours(1),
            at,
            at + kefu_app::deflection::SETTLE,
        )
        .await
        .expect("report");
    assert_eq!((later.reading, later.deflected, later.submitted_after_reading), (2, 1, 1));
    assert_eq!(later.rate, Some(0.5));
    // Supervisors read it on the knowledge base page.
    crate::ui::add_alice(&app).await;
    let session = crate::ui::FormSession::admin(&app).await;
    let kb = session.page(&app, "/kb").await;
    assert!(kb.contains("id=\"kb-deflection\"") && kb.contains("2 位门户访客"), "{kb}");

    let (status, problem) = app.get("/api/v1/analytics/deflection?days=0").await;
    assert_eq!(
        (status, problem["errors"][0]["code"].as_str()),
        (422, Some("out_of_range")),
        "{problem}"
    );
    let (_, agent) = app.agent("lu@example.com", "agent", &[]).await;
    let (status, _) = app.call(Method::GET, "/api/v1/analytics/deflection", Some(&agent), None).await;
    assert_eq!(status, 403);
}
