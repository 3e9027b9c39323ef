//! Analytics over HTTP: KPIs folded from a random ticket history equal a recount from the
//! tickets' own events, a rebuild gives the same numbers, bad report requests change
//! nothing and say why, the dashboard counts the backlog, and the staffing plan refuses to
//! guess without history and follows the weeks it has.

use crate::on_both;
use crate::support::{Backend, TestApp, spawn};
use kefu_store::Exec;
use serde_json::{Value, json};

on_both!(
    kpis_equal_a_recount_of_the_events_and_survive_a_rebuild,
    reports_check_their_input_and_their_readers,
    the_dashboard_counts_the_backlog_and_staffing_needs_history,
    the_staffing_plan_follows_the_weeks_before_it,
    a_rising_topic_is_listed_with_its_tickets_and_alerts_the_supervisors,
    the_leaderboard_puts_volume_speed_csat_and_commitments_side_by_side,
);

/// A small deterministic generator (the history must be the same on both databases).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Folds everything committed so far. On PostgreSQL the reactor leaves the newest two
/// seconds of events to settle, so wait that out first.
async fn settle(app: &TestApp, backend: Backend) {
    if matches!(backend, Backend::Postgres) {
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    }
    app.app.catch_up_analytics().await.expect("fold events");
}

async fn kpis(app: &TestApp, query: &str) -> Value {
    let (status, report) = app.get(&format!("/api/v1/analytics/kpis?{query}")).await;
    assert_eq!(status, 200, "{report}");
    report
}

async fn kpis_equal_a_recount_of_the_events_and_survive_a_rebuild(backend: Backend) {
    let app = spawn(backend).await;
    let sales = app.team("销售").await;
    let support = app.team("技术支持").await;
    let (a, token_a) = app.agent("a@example.com", "agent", &[sales]).await;
    let (b, token_b) = app.agent("b@example.com", "agent", &[support]).await;
    let agents = [(a, token_a, sales), (b, token_b, support)];
    let mut rng = Lcg(7);
    let mut numbers = Vec::new();
    for i in 0..12 {
        let team = if rng.below(2) == 0 { sales } else { support };
        let kind = ["consultation", "complaint"][rng.below(2) as usize];
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                json!({ "subject": format!("问题 {i}"), "description": "描述", "kind": kind, "team": team,
                        "customer": { "email": format!("c{i}@example.com") } }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        let number = ticket["number"].as_i64().unwrap();
        numbers.push(number);
        let path = format!("/api/v1/tickets/{number}");
        for _ in 0..rng.below(6) {
            let (agent, token, agent_team) = &agents[rng.below(2) as usize];
            match rng.below(5) {
                0 | 1 => {
                    let kind = if rng.below(4) == 0 { "note" } else { "reply" };
                    let (status, body) = app
                        .call(
                            reqwest::Method::POST,
                            &format!("{path}/messages"),
                            Some(token),
                            Some(json!({ "kind": kind, "body": "您好，我们正在处理。" })),
                        )
                        .await;
                    assert!(status == 201 || status == 200 || status == 403, "{status} {body}");
                }
                2 => {
                    let (status, body) = app.patch(&path, json!({ "status": "resolved", "resolution_note": "已解决" })).await;
                    assert!(status == 200 || status == 409 || status == 422, "{status} {body}");
                }
                3 => {
                    let (status, body) = app.patch(&path, json!({ "status": "open" })).await;
                    assert!(status == 200 || status == 409 || status == 422, "{status} {body}");
                }
                _ => {
                    let (status, body) = app
                        .post(
                            &format!("{path}/transfer"),
                            json!({ "team": agent_team, "agent": agent, "reason": "转给对应部门处理" }),
                        )
                        .await;
                    assert!(status == 200 || status == 409, "{status} {body}");
                }
            }
        }
    }
    // Two folds at once (two nodes, or a catch-up beside a reactor): the one that writes
    // second finds the fold's position moved, drops its batch and folds on from there.
    // (One batch holds this history, so rewriting it would be harmless here: what the
    // position check prevents, an older batch written over a newer one, needs two.)
    if matches!(backend, Backend::Postgres) {
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    }
    let (one, two) = tokio::join!(app.app.catch_up_analytics(), app.app.catch_up_analytics());
    assert!(one.expect("fold").events + two.expect("fold").events > 0);

    // A straightforward recount from every ticket's own events.
    let (mut created, mut resolved, mut reopened, mut transfers, mut first_responses, mut replies, mut complaints) = (0, 0, 0, 0, 0, 0, 0);
    let mut resolved_now = 0;
    for number in &numbers {
        let (status, events) = app.get(&format!("/api/v1/tickets/{number}/events")).await;
        assert_eq!(status, 200, "{events}");
        let events = events.as_array().unwrap();
        created += 1;
        if events[0]["data"]["kind"] == "complaint" {
            complaints += 1;
        }
        let is_reply = |e: &Value| e["kind"] == "message_added" && e["data"]["kind"] == "reply" && e["actor"]["kind"] == "agent";
        replies += events.iter().filter(|e| is_reply(e)).count();
        first_responses += usize::from(events.iter().any(is_reply));
        resolved += events
            .iter()
            .filter(|e| e["kind"] == "status_changed" && e["data"]["after"] == "resolved")
            .count();
        reopened += events
            .iter()
            .filter(|e| e["kind"] == "status_changed" && e["data"]["before"] == "resolved")
            .count();
        transfers += events.iter().filter(|e| e["kind"] == "transferred").count();
        let last_status = events.iter().rev().find(|e| e["kind"] == "status_changed");
        resolved_now += usize::from(last_status.is_some_and(|e| e["data"]["after"] == "resolved"));
    }
    let report = kpis(&app, "").await;
    let totals = &report["totals"];
    assert_eq!(report["pending_events"], 0, "{report}");
    assert_eq!(totals["created"], created);
    assert_eq!(totals["complaints"], complaints);
    assert_eq!(totals["resolved"], resolved, "{totals}");
    assert_eq!(totals["reopened"], reopened);
    assert_eq!(totals["agent_replies"], replies);
    assert_eq!(totals["first_response"]["count"], first_responses);
    assert!(resolved > 0 && first_responses > 0, "the history exercises resolutions and replies");
    let rate = |part: usize, whole: usize| {
        if whole == 0 {
            Value::Null
        } else {
            json!(part as f64 / whole as f64)
        }
    };
    assert_eq!(totals["transfers_per_ticket"], rate(transfers, created));
    assert_eq!(totals["resolution_rate"], rate(resolved_now, created));
    assert!(totals["first_response"]["median_seconds"].is_number());

    // Groups add up to the totals.
    for group in ["team", "agent", "channel", "kind", "priority", "day"] {
        let grouped = kpis(&app, &format!("group={group}")).await;
        let groups = grouped["groups"].as_array().unwrap();
        let sum = |field: &str| groups.iter().map(|g| g["kpis"][field].as_i64().unwrap()).sum::<i64>();
        assert_eq!(sum("created"), created as i64, "{group}");
        assert_eq!(sum("resolved"), resolved as i64, "{group}");
        assert_eq!(sum("agent_replies"), replies as i64, "{group}");
    }
    let by_team = kpis(&app, "group=team").await;
    assert!(
        by_team["groups"].as_array().unwrap().iter().any(|g| g["label"] == "销售"),
        "{by_team}"
    );
    let only_a = kpis(&app, &format!("agent={a}")).await;
    let by_agent = kpis(&app, "group=agent").await;
    let a_group = by_agent["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"].as_str() == Some(a.to_string().as_str()))
        .cloned();
    assert_eq!(
        a_group.map(|g| g["kpis"].clone()).unwrap_or(json!(null))["agent_replies"],
        only_a["totals"]["agent_replies"]
    );

    // One dimension reads its daily rows, two the daily rows of their pair, three those of
    // their triple: the same numbers, medians included. Every ticket here has normal
    // priority, so adding it as another dimension keeps the same tickets.
    assert_eq!(kpis(&app, "priority=normal").await["totals"]["created"], created);
    for team in [sales, support] {
        let one = kpis(&app, &format!("team={team}")).await;
        let two = kpis(&app, &format!("team={team}&priority=normal")).await;
        let three = kpis(&app, &format!("team={team}&priority=normal&channel=api")).await;
        for (a, b) in [(&one, &two), (&one, &three)] {
            assert_eq!(a["totals"], b["totals"], "team {team}");
            assert_eq!(a["previous"], b["previous"], "team {team}");
        }
        assert!(one["totals"]["created"].as_i64().unwrap() > 0, "team {team} has tickets");
    }
    // The week of today (in the reporting zone, as the report's default range ends) is
    // read from its week rows when a range covers it whole.
    let today: jiff::civil::Date = kpis(&app, "").await["to"].as_str().unwrap().parse().unwrap();
    let monday = kefu_domain::analytics::week_start(today);
    let sunday = monday.saturating_add(jiff::Span::new().days(6));
    let mut queries = multi_dimension_queries(sales, a);
    queries.push(format!("from={monday}&to={sunday}&group=agent"));
    queries.push(format!("from={monday}&to={sunday}&team={sales}&group=kind"));
    let slice_reports = same_with_another_dimension(&app, &queries).await;

    // A rebuild folds the same events into the same numbers.
    let before = (kpis(&app, "group=day").await, kpis(&app, "group=agent").await);
    let summary = app.app.rebuild_analytics().await.expect("rebuild");
    assert!(summary.events > 0);
    let after = (kpis(&app, "group=day").await, kpis(&app, "group=agent").await);
    assert_eq!(before, after);
    assert_today_matches_the_report(&app).await;

    // A database folded before the slices of several dimensions were kept has no daily
    // rows of them: reports read the hourly rows until the reactor has filled them from
    // those, a day at a time.
    let wide_rows = count_rows_of_several_dimensions(&app).await;
    assert!(wide_rows > 0);
    run_sql(
        &app,
        &[
            "DELETE FROM kpi_days WHERE slice LIKE '%,%'",
            "UPDATE analytics_cursor SET daily_rows_width = 1",
        ],
    )
    .await;
    assert_eq!(count_rows_of_several_dimensions(&app).await, 0);
    let from_hours = same_with_another_dimension(&app, &queries).await;
    for ((query, hours), slices) in queries.iter().zip(&from_hours).zip(&slice_reports) {
        assert_eq!(hours, slices, "{query}");
    }
    // A ticket folded after the upgrade: today's rows of those slices hold it alone until
    // the fill, which must set them to the whole day, not add the day to them.
    let (status, body) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "升级后的工单", "description": "描述", "kind": "after_sales", "team": sales,
                    "customer": { "email": "after-upgrade@example.com" } }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    settle(&app, backend).await;
    let partial = count_rows_of_several_dimensions(&app).await;
    assert!(partial > 0 && partial < wide_rows, "{partial} of {wide_rows}");
    // `after_sales` also puts LIKE's `_` in a pattern.
    let queries = [queries, vec!["kind=after_sales&group=team".to_string()]].concat();
    let from_hours = same_with_another_dimension(&app, &queries).await;
    app.app.fill_daily_slices().await.expect("fill the slices");
    assert!(count_rows_of_several_dimensions(&app).await > wide_rows);
    assert_eq!(same_with_another_dimension(&app, &queries).await, from_hours);

    // A long backlog (a server started after a long stop) is folded into the hourly rows
    // alone, the days it touched listed as stale, then filled from them: the numbers a
    // rebuild gives.
    for i in 0..3 {
        let (status, body) = app
            .post(
                "/api/v1/tickets",
                json!({ "subject": format!("积压 {i}"), "description": "描述", "kind": "complaint", "team": sales,
                        "customer": { "email": format!("backlog{i}@example.com") } }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    if matches!(backend, Backend::Postgres) {
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    }
    assert!(app.app.fold_backlog(1).await.expect("fold the backlog") >= 3);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM kpi_stale_days").await, 0);
    let after_backlog = same_with_another_dimension(&app, &queries).await;
    assert_ne!(after_backlog, from_hours, "the backlog counts");
    app.app.rebuild_analytics().await.expect("rebuild");
    assert_eq!(same_with_another_dimension(&app, &queries).await, after_backlog);

    // A catch-up stopped before its fill leaves its days listed: reports read the hourly
    // rows until the next start, or the reactor's next look for a backlog, fills the days
    // and their weeks.
    for restart in [true, false] {
        run_sql(
            &app,
            &[
                "INSERT INTO kpi_stale_days (day) SELECT DISTINCT day FROM kpi_days",
                "DELETE FROM kpi_days",
            ],
        )
        .await;
        assert!(count(&app, "SELECT COUNT(*) FROM kpi_stale_days").await > 0);
        assert_eq!(same_with_another_dimension(&app, &queries).await, after_backlog);
        if restart {
            app.app.fill_daily_slices().await.expect("fill the stale days");
        } else {
            assert_eq!(app.app.fold_backlog(1_000_000).await.expect("no backlog"), 0);
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM kpi_stale_days").await, 0, "restart: {restart}");
        assert!(count(&app, "SELECT COUNT(*) FROM kpi_days WHERE slice LIKE 'week:%'").await > 0);
    }

    // From now on every report reads the daily rows alone: the same numbers without the
    // hourly ones.
    run_sql(&app, &["DELETE FROM kpi_hours"]).await;
    assert_eq!(same_with_another_dimension(&app, &queries).await, after_backlog);
}

/// Reports of two, three and four dimensions (filters and a group), each shape a slice's
/// daily rows are read in: one value fixed before or after the other's, all fixed, some
/// fixed around the grouped one, by day.
fn multi_dimension_queries(team: i64, agent: i64) -> Vec<String> {
    vec![
        format!("team={team}&group=agent"),
        format!("agent={agent}&group=team"),
        format!("team={team}&kind=complaint"),
        "kind=complaint&group=team".to_string(),
        "channel=api&kind=consultation&group=day".to_string(),
        "channel=api&group=kind".to_string(),
        format!("team={team}&channel=api&kind=consultation&group=agent"),
        format!("agent={agent}&kind=consultation&group=channel"),
    ]
}

/// Each report of `queries` equals the same report with one more dimension that keeps the
/// same tickets (every ticket here has normal priority); the reports' numbers.
async fn same_with_another_dimension(app: &TestApp, queries: &[String]) -> Vec<Value> {
    let mut reports = Vec::new();
    for query in queries {
        let report = kpis(app, query).await;
        let wider = kpis(app, &format!("{query}&priority=normal")).await;
        let numbers = |report: &Value| json!([report["totals"], report["previous"], report["groups"]]);
        assert_eq!(numbers(&report), numbers(&wider), "{query}");
        let counted = ["created", "resolved", "agent_replies"]
            .iter()
            .any(|kpi| report["totals"][kpi].as_i64().unwrap() > 0);
        assert!(counted, "{query} counts something: {report}");
        let groups = report["groups"].as_array().map_or(0, Vec::len);
        assert!(groups > 0 || !query.contains("group="), "{query} has groups: {report}");
        reports.push(numbers(&report));
    }
    reports
}

/// Daily rows of slices of two dimensions or more.
async fn count_rows_of_several_dimensions(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM kpi_days WHERE slice LIKE '%,%'").await
}

/// The one number `sql` selects.
async fn count(app: &TestApp, sql: &'static str) -> i64 {
    let (n,): (i64,) = match app.app.db().read() {
        Exec::SqlitePool(pool) => sqlx::query_as(sql).fetch_one(pool).await,
        Exec::PgPool(pool) => sqlx::query_as(sql).fetch_one(pool).await,
        _ => unreachable!("reads go to a pool"),
    }
    .expect("count the rows");
    n
}

/// Runs `statements` in one write transaction (to leave the rollups as an older version,
/// or a test, would).
async fn run_sql(app: &TestApp, statements: &'static [&'static str]) {
    app.app
        .db()
        .write(move |tx| {
            Box::pin(async move {
                for &sql in statements {
                    match tx.exec() {
                        Exec::SqliteConn(c) => sqlx::query(sql).execute(c).await.map(|_| ())?,
                        Exec::PgConn(c) => sqlx::query(sql).execute(c).await.map(|_| ())?,
                        _ => unreachable!("writes go to the writer's connection"),
                    }
                }
                Ok::<_, kefu_store::StoreError>(())
            })
        })
        .await
        .expect("run the statements");
}

async fn reports_check_their_input_and_their_readers(backend: Backend) {
    let app = spawn(backend).await;
    for (query, field, code) in [
        ("from=2026-05-02&to=2026-05-01", "from", "after_to"),
        ("from=2024-01-01&to=2026-01-01", "from", "range_too_long"),
        ("to=yesterday", "to", "invalid_date"),
        ("group=weather", "group", "invalid"),
        ("channel=fax", "channel", "unknown_value"),
        ("team=sales", "team", "invalid"),
    ] {
        let (status, problem) = app.get(&format!("/api/v1/analytics/kpis?{query}")).await;
        assert_eq!(status, 422, "{query}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{query}: {problem}");
    }
    let team = app.team("客服一组").await;
    let (_, agent_token) = app.agent("agent@example.com", "agent", &[team]).await;
    for path in [
        "/api/v1/analytics/kpis",
        "/api/v1/analytics/dashboard",
        "/api/v1/analytics/staffing",
    ] {
        let (status, problem) = app.call(reqwest::Method::GET, path, Some(&agent_token), None).await;
        assert_eq!(status, 403, "{path}: {problem}");
    }
    let (status, _) = app
        .call(reqwest::Method::GET, "/api/v1/analytics/kpis", Some("not-a-token"), None)
        .await;
    assert_eq!(status, 401);
    // An empty department: zero counts and no rates (no data is not 0 %).
    let report = kpis(&app, "").await;
    assert_eq!(report["totals"]["created"], 0);
    assert_eq!(report["totals"]["resolution_rate"], Value::Null);
    assert_eq!(report["zone"], "Asia/Shanghai");
}

async fn the_dashboard_counts_the_backlog_and_staffing_needs_history(backend: Backend) {
    let app = spawn(backend).await;
    for i in 0..3 {
        app.ticket(&format!("打印机卡纸 {i}"), &format!("d{i}@example.com")).await;
    }
    settle(&app, backend).await;
    let (status, board) = app.get("/api/v1/analytics/dashboard").await;
    assert_eq!(status, 200, "{board}");
    assert_eq!(board["open"], 3, "{board}");
    assert_eq!(board["backlog_by_age"][0], 3, "all three are younger than an hour: {board}");
    // Seen from later instants the three move along the age buckets (1-4 h, 4-24 h, 24-72 h,
    // older).
    let created = jiff::Timestamp::now();
    for (hours_later, bucket) in [(2, 1), (10, 2), (30, 3), (100, 4)] {
        let later = created + jiff::SignedDuration::from_hours(hours_later);
        let live = kefu_store::analytics::live_counts(app.app.db().read(), later)
            .await
            .expect("live counts");
        let mut by_age = [0; 5];
        for (_, buckets) in &live.by_status {
            for (total, n) in by_age.iter_mut().zip(buckets) {
                *total += n;
            }
        }
        assert_eq!(by_age[bucket], 3, "{hours_later} h later: {by_age:?}");
        assert_eq!(by_age.iter().sum::<i64>(), 3, "{hours_later} h later: {by_age:?}");
    }
    // Between their SLA warnings and their deadlines the three are at risk, after the
    // deadlines breached.
    let warned = count(&app, "SELECT MAX(sla_warn_at) FROM tickets").await;
    let (first_due, last_due) = (
        count(&app, "SELECT MIN(sla_due_at) FROM tickets").await,
        count(&app, "SELECT MAX(sla_due_at) FROM tickets").await,
    );
    assert!(warned < first_due, "every warning comes before every deadline here");
    let first_warning = count(&app, "SELECT MIN(sla_warn_at) FROM tickets").await;
    for (at, at_risk, breached) in [(first_warning - 1, 0, 0), ((warned + first_due) / 2, 3, 0), (last_due, 0, 3)] {
        let at = jiff::Timestamp::from_millisecond(at).unwrap();
        let live = kefu_store::analytics::live_counts(app.app.db().read(), at)
            .await
            .expect("live counts");
        assert_eq!((live.sla_at_risk, live.sla_breached), (at_risk, breached), "at {at}");
    }
    assert_eq!(board["today"]["created"], 3, "{board}");
    assert_today_matches_the_report(&app).await;
    assert!(
        board["oldest_unassigned"]["number"].is_number() || board["unassigned"] == 0,
        "{board}"
    );
    assert!(board["agents"].as_array().is_some_and(|a| !a.is_empty()), "{board}");

    let (status, problem) = app.get("/api/v1/analytics/staffing").await;
    assert_eq!(status, 409, "a few minutes of history is not enough to forecast: {problem}");
    assert_eq!(problem["code"], "not_enough_history");
    let (status, problem) = app.get("/api/v1/analytics/staffing?shrinkage=1.5").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "target");
    let (status, problem) = app.get("/api/v1/analytics/staffing?aht_seconds=1e10").await;
    assert_eq!(status, 422, "a unit mistake is refused, not computed: {problem}");
    assert_eq!(problem["errors"][0]["field"], "aht_seconds");
}

/// Four weeks of chat arrivals, busy from 09:00 to 17:00 in Shanghai (20 an hour) and
/// quiet otherwise (2 an hour), give a plan of 14 days that keeps the daily shape and
/// staffs the busy hours more; another channel has no history and gets no plan.
async fn the_staffing_plan_follows_the_weeks_before_it(backend: Backend) {
    use kefu_domain::analytics::{Counter, Delta, Dims, RowKey};
    use kefu_domain::enums::{Channel, Priority, TicketKind};

    let app = spawn(backend).await;
    let busy = |hour: i64| (1..9).contains(&hour.rem_euclid(24));
    let now = jiff::Timestamp::now().as_millisecond().div_euclid(3_600_000);
    let rows: Vec<(RowKey, Delta)> = (now - 4 * 168..now)
        .map(|hour| {
            let mut delta = Delta::default();
            delta.add(Counter::Created, if busy(hour) { 20 } else { 2 });
            let dims = Dims {
                team_id: None,
                agent_id: None,
                channel: Channel::Chat,
                kind: TicketKind::Consultation,
                priority: Priority::Normal,
            };
            (RowKey { hour, dims }, delta)
        })
        .collect();
    app.app
        .db()
        .write(move |tx| Box::pin(async move { kefu_store::analytics::put_rows(tx, &rows).await }))
        .await
        .expect("seed four weeks");

    let (status, plan) = app.get("/api/v1/analytics/staffing?channel=chat").await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["method"], "profile", "four weeks are enough for the model: {plan}");
    let history = plan["history_hours"].as_u64().unwrap();
    // Four weeks, or five with an hour missing at its start if the hour turned meanwhile.
    assert!(history == 4 * 168 || history == 5 * 168, "{history}");
    let hours = plan["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 14 * 24);
    let hour_of = |h: &Value| {
        h["at"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond()
            .div_euclid(3_600_000)
    };
    assert!(hour_of(&hours[0]) >= now, "the plan starts at the current hour");
    // Each day's busy hours against its quiet ones (a holiday would scale both alike).
    for day in hours.chunks(24) {
        let (busy_hours, quiet_hours): (Vec<&Value>, Vec<&Value>) = day.iter().partition(|h| busy(hour_of(h)));
        let mean = |hs: &[&Value], field: &str| hs.iter().map(|h| h[field].as_f64().unwrap()).sum::<f64>() / hs.len() as f64;
        let (busy_load, quiet_load) = (mean(&busy_hours, "forecast"), mean(&quiet_hours, "forecast"));
        assert!(busy_load > 5.0 * quiet_load, "busy {busy_load} quiet {quiet_load}");
        assert!(
            mean(&busy_hours, "agents") > mean(&quiet_hours, "agents"),
            "busy hours need more agents: {day:?}"
        );
        for h in day {
            assert!(
                h["lower"].as_f64() <= h["forecast"].as_f64() && h["forecast"].as_f64() <= h["upper"].as_f64(),
                "{h}"
            );
            assert!(h["headcount"].as_u64() >= h["agents"].as_u64(), "shrinkage adds people: {h}");
        }
    }
    let forecast: f64 = hours.iter().map(|h| h["forecast"].as_f64().unwrap()).sum();
    let contacts: f64 = plan["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["contacts"].as_f64().unwrap())
        .sum();
    assert!(
        (forecast - contacts).abs() < 1e-6,
        "the days add up the hours: {forecast} {contacts}"
    );
    // 8 busy hours of 20 and 16 quiet of 2: 192 a day, unless a holiday lowers some days.
    assert!(forecast > 14.0 * 192.0 * 0.5 && forecast < 14.0 * 192.0 * 1.2, "{forecast}");

    let (status, problem) = app.get("/api/v1/analytics/staffing?channel=email").await;
    assert_eq!(status, 409, "no email arrivals, no email plan: {problem}");
    assert_eq!(problem["code"], "not_enough_history");
}

/// The dashboard's today (hourly department totals) equals today's KPI report (daily
/// rows), every number and percentile.
async fn assert_today_matches_the_report(app: &TestApp) {
    let today = || async { kpis(app, "").await["to"].as_str().unwrap().to_owned() };
    let day = today().await;
    let (_, board) = app.get("/api/v1/analytics/dashboard").await;
    let report = kpis(app, &format!("from={day}&to={day}")).await;
    if today().await != day {
        return; // midnight in the reporting zone passed during the check
    }
    assert_eq!(board["today"], report["totals"], "dashboard {board:#} report {report:#}");
}

async fn hot(app: &TestApp, query: &str) -> Value {
    let (status, report) = app.get(&format!("/api/v1/analytics/hot?{query}")).await;
    assert_eq!(status, 200, "{report}");
    report
}

fn topic<'r>(report: &'r Value, facet: &str, term: &str) -> Option<&'r Value> {
    report["topics"]
        .as_array()?
        .iter()
        .find(|t| t["facet"] == facet && t["term"] == term)
}

/// Twelve tickets about one firmware fault in the last hour rise out of nothing; seven
/// about refunds do not, because the same hours of the last four weeks had six each;
/// a supervisor is alerted once; a rebuild counts the same; bad requests say why.
async fn a_rising_topic_is_listed_with_its_tickets_and_alerts_the_supervisors(backend: Backend) {
    use kefu_domain::hot::Facet;
    use kefu_store::hot_issues::{TopicCount, add_counts};

    let app = spawn(backend).await;
    let (_, supervisor) = app.agent("lead@example.com", "supervisor", &[]).await;
    let (_, agent) = app.agent("agent@example.com", "agent", &[]).await;
    // The usual level of refunds: six tickets in the current hour of each earlier week.
    let hour = jiff::Timestamp::now().as_millisecond().div_euclid(3_600_000);
    let usual: Vec<TopicCount> = (1..=4)
        .map(|week| TopicCount {
            hour: hour - 168 * week,
            facet: Facet::Word,
            term: "退款".into(),
            tickets: 6,
        })
        .collect();
    app.app
        .db()
        .write(move |tx| Box::pin(async move { add_counts(tx, &usual).await }))
        .await
        .expect("seed earlier weeks");

    let mut firmware = Vec::new();
    for i in 0..12 {
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                json!({ "subject": format!("智能手表升级固件后无法开机 {i}"), "description": "升级固件后黑屏，无法开机。",
                        "kind": "after_sales", "category": "after_sales.repair", "tags": ["firmware_3_2"],
                        "custom": { "product": "智能手表 S3" }, "customer": { "email": format!("w{i}@example.com") } }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        firmware.push(ticket["number"].as_i64().unwrap());
    }
    for i in 0..7 {
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                json!({ "subject": format!("申请退款 {i}"), "description": "订单取消了，请尽快退款。",
                        "customer": { "email": format!("r{i}@example.com") } }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
    }
    settle(&app, backend).await;

    let report = hot(&app, "").await;
    assert_eq!(report["hours"], 24);
    assert_eq!(report["weeks"], 4);
    for (facet, term) in [
        ("tag", "firmware_3_2"),
        ("category", "after_sales.repair"),
        ("category", "after_sales"),
        ("product", "智能手表 S3"),
        ("word", "固件"),
    ] {
        let t = topic(&report, facet, term).unwrap_or_else(|| panic!("{facet} {term} rising: {report:#}"));
        assert_eq!(t["now"], 12, "{t}");
        assert_eq!(t["usual"], 0.0, "{t}");
        assert_eq!(t["alert"], true, "{t}");
    }
    assert_eq!(topic(&report, "category", "after_sales.repair").unwrap()["name_zh"], "维修");
    assert!(
        topic(&report, "word", "退款").is_none(),
        "seven refunds against six a week is no rise: {report:#}"
    );
    let only_tags = hot(&app, "facet=tag").await;
    assert!(
        only_tags["topics"].as_array().unwrap().iter().all(|t| t["facet"] == "tag"),
        "{only_tags}"
    );

    // The tickets behind a topic come from the search index (fed right after each
    // commit, so wait for it a moment): the newest five for a tag or category, five
    // matches for a word.
    let numbers = |report: &Value, facet: &str, term: &str| -> Vec<i64> {
        topic(report, facet, term).unwrap()["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["number"].as_i64().unwrap())
            .collect()
    };
    let mut report = hot(&app, "").await;
    for _ in 0..50 {
        if numbers(&report, "word", "固件").len() == 5 && numbers(&report, "tag", "firmware_3_2").len() == 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        report = hot(&app, "").await;
    }
    let newest: Vec<i64> = firmware.iter().rev().take(5).copied().collect();
    assert_eq!(numbers(&report, "tag", "firmware_3_2"), newest);
    assert_eq!(numbers(&report, "category", "after_sales.repair"), newest);
    let by_word = numbers(&report, "word", "固件");
    assert!(by_word.len() == 5 && by_word.iter().all(|n| firmware.contains(n)), "{by_word:?}");

    // The ticket list filters by tag too (the tag's `_` is not a wildcard).
    let (_, tagged) = app.get("/api/v1/tickets?tag=firmware_3_2&limit=100").await;
    assert_eq!(tagged["items"].as_array().unwrap().len(), 12, "{tagged}");
    let (_, none) = app.get("/api/v1/tickets?tag=firmware%253_2").await;
    assert_eq!(none["items"], json!([]), "{none}");

    // Alerts: once per topic, to supervisors and admins (the reactor may have checked
    // first; then this check finds the alert already raised).
    app.app.check_hot_alerts().await.expect("check alerts");
    assert!(app.app.check_hot_alerts().await.expect("check again").is_empty(), "raised once");
    let (_, notes) = app
        .call(reqwest::Method::GET, "/api/v1/notifications", Some(&supervisor), None)
        .await;
    let hot_notes: Vec<&Value> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "hot_issue")
        .collect();
    assert!(
        hot_notes
            .iter()
            .any(|n| n["data"]["term"] == "firmware_3_2" && n["data"]["tickets"] == 12),
        "{notes:#}"
    );
    assert_eq!(
        hot_notes.iter().filter(|n| n["data"]["term"] == "firmware_3_2").count(),
        1,
        "{notes:#}"
    );
    let (_, agent_notes) = app.call(reqwest::Method::GET, "/api/v1/notifications", Some(&agent), None).await;
    assert!(
        agent_notes["items"].as_array().unwrap().iter().all(|n| n["kind"] != "hot_issue"),
        "{agent_notes:#}"
    );
    let report = hot(&app, "").await;
    assert!(
        report["alerts"].as_array().unwrap().iter().any(|a| a["term"] == "firmware_3_2"),
        "{report:#}"
    );

    // A rebuild counts the topics again from the events: the same numbers.
    app.app.rebuild_analytics().await.expect("rebuild");
    let rebuilt = hot(&app, "").await;
    for (facet, term) in [("tag", "firmware_3_2"), ("word", "固件"), ("product", "智能手表 S3")] {
        assert_eq!(
            topic(&rebuilt, facet, term).map(|t| t["now"].clone()),
            Some(json!(12)),
            "{facet} {term}: {rebuilt:#}"
        );
    }

    for (query, field, code) in [
        ("hours=0", "hours", "out_of_range"),
        ("hours=73", "hours", "out_of_range"),
        ("limit=x", "limit", "out_of_range"),
        ("facet=weather", "facet", "unknown_value"),
    ] {
        let (status, problem) = app.get(&format!("/api/v1/analytics/hot?{query}")).await;
        assert_eq!(status, 422, "{query}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{query}: {problem}");
    }
    let (status, _) = app.call(reqwest::Method::GET, "/api/v1/analytics/hot", Some(&agent), None).await;
    assert_eq!(status, 403, "agents do not read reports");
}

/// Two agents: 王 resolves two tickets (one rated 5, one 2 on CSAT) and keeps a
/// commitment; 李 answers one ticket and resolves nothing. The leaderboard agrees with
/// the KPI report by agent, the survey answers and the commitments.
async fn the_leaderboard_puts_volume_speed_csat_and_commitments_side_by_side(backend: Backend) {
    let app = spawn(backend).await;
    let team = app.team("售后").await;
    let (wang, wang_token) = app.agent("wang@example.com", "agent", &[team]).await;
    let (li, li_token) = app.agent("li@example.com", "agent", &[team]).await;
    let mut tickets = Vec::new();
    for (i, agent) in [wang, wang, li].into_iter().enumerate() {
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                json!({ "subject": format!("排行 {i}"), "description": "描述", "team": team, "customer": { "email": format!("lb{i}@example.com") } }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        let number = ticket["number"].as_i64().unwrap();
        let (status, body) = app
            .post(&format!("/api/v1/tickets/{number}/assign"), json!({ "agent": agent }))
            .await;
        assert_eq!(status, 200, "{body}");
        let token = if agent == wang { &wang_token } else { &li_token };
        let (status, body) = app
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/tickets/{number}/messages"),
                Some(token),
                Some(json!({ "kind": "reply", "body": "您好，已为您处理。" })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        tickets.push(number);
    }
    let due = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(2)).to_string();
    let (status, made) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/tickets/{}/commitments", tickets[0]),
            Some(&wang_token),
            Some(json!({ "what": "明天回电", "due_at": due })),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (status, kept) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/commitments/{}", made["id"]),
            Some(&wang_token),
            Some(json!({ "status": "kept" })),
        )
        .await;
    assert_eq!(status, 200, "{kept}");
    for (number, rating) in [(tickets[0], 5), (tickets[1], 2)] {
        let (status, body) = app
            .patch(
                &format!("/api/v1/tickets/{number}"),
                json!({ "status": "resolved", "resolution_note": "已解决" }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let customer = body["customer_id"].as_i64().unwrap();
        let (status, body) = app
            .patch(&format!("/api/v1/customers/{customer}"), json!({ "consent": true }))
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, link) = app
            .post(&format!("/api/v1/tickets/{number}/surveys"), json!({ "design": "csat" }))
            .await;
        assert_eq!(status, 201, "{link}");
        let mut answer = json!({ "ratings": { "satisfaction": rating } });
        if rating == 2 {
            answer["reasons"] = json!({ "satisfaction": ["slow_reply"] });
        }
        let token = link["token"].as_str().unwrap();
        let (status, body) = app
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/surveys/{token}/answers"),
                None,
                Some(answer),
            )
            .await;
        assert!(status == 201 || status == 200, "{status} {body}");
    }
    settle(&app, backend).await;

    let (status, board) = app.get("/api/v1/analytics/leaderboard").await;
    assert_eq!(status, 200, "{board}");
    let (_, blank) = app.get("/api/v1/analytics/leaderboard?from=&to=").await;
    assert_eq!(blank["from"], board["from"], "empty fields mean the default 30 days: {blank}");
    let rows = board["rows"].as_array().unwrap();
    let row = |id: i64| {
        rows.iter()
            .find(|r| r["agent_id"] == id)
            .unwrap_or_else(|| panic!("{id}: {board:#}"))
    };
    let (w, l) = (row(wang), row(li));
    assert_eq!(rows[0]["agent_id"], wang, "most resolved first");
    assert_eq!(
        (w["resolved"].clone(), w["replies"].clone(), w["first_responses"].clone()),
        (json!(2), json!(2), json!(2)),
        "{w}"
    );
    assert_eq!((l["resolved"].clone(), l["replies"].clone()), (json!(0), json!(1)), "{l}");
    assert_eq!(w["csat_answers"], 2, "{w}");
    assert_eq!(w["csat_percent"], 50.0, "one of two rated 4 or 5: {w}");
    assert_eq!(
        (l["csat_answers"].clone(), l["csat_percent"].clone()),
        (json!(0), Value::Null),
        "{l}"
    );
    assert_eq!(
        (w["commitments_kept"].clone(), w["commitments_kept_rate"].clone()),
        (json!(1), json!(1.0)),
        "{w}"
    );
    assert_eq!(l["commitments_kept_rate"], Value::Null, "{l}");

    // The same numbers as the KPI report by agent.
    let report = kpis(&app, &format!("group=agent&from={}", board["from"].as_str().unwrap())).await;
    let group = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"].as_str().and_then(|k| k.parse::<i64>().ok()) == Some(wang))
        .unwrap();
    assert_eq!(group["kpis"]["resolved"], w["resolved"]);
    assert_eq!(
        group["kpis"]["first_response"]["median_seconds"],
        w["first_response_median_seconds"]
    );

    // The dashboard shows today's CSAT beside the same hours a week before, and today's
    // KPIs from the hourly department totals: the same as the day's report.
    assert_today_matches_the_report(&app).await;
    let (_, board) = app.get("/api/v1/analytics/dashboard").await;
    assert_eq!(board["csat_today"], json!({ "percent": 50.0, "answers": 2 }), "{board}");
    assert_eq!(board["csat_last_week"], json!({ "percent": null, "answers": 0 }), "{board}");

    // A team with nobody's work is empty; bad days say why; agents may not read it.
    let other = app.team("空队").await;
    let (_, empty) = app.get(&format!("/api/v1/analytics/leaderboard?team={other}")).await;
    assert_eq!(empty["rows"], json!([]), "{empty}");
    let (status, problem) = app.get("/api/v1/analytics/leaderboard?from=2026-13-01").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "from");
    let (status, _) = app
        .call(reqwest::Method::GET, "/api/v1/analytics/leaderboard", Some(&li_token), None)
        .await;
    assert_eq!(status, 403);
}
