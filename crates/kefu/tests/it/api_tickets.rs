//! The ticket spine over HTTP: create, idempotency, list, change, reply, assign,
//! transfer, reopen, and the events every change leaves.

use crate::on_both;
use crate::support::{Backend, event_kinds, spawn};
use serde_json::json;

on_both!(
    create_numbers_tickets_and_finds_the_customer_again,
    idempotency_key_replays_and_refuses_another_body,
    list_filters_sorts_and_pages_without_gaps,
    reply_opens_and_makes_the_first_contact_owner,
    resolve_needs_a_reply_or_a_resolution_note,
    transfer_needs_a_reason_and_keeps_the_owner,
    customer_message_resumes_reopens_or_follows_up,
    agents_see_only_their_teams_and_cannot_change_the_owner,
    customer_api_reads_changes_and_lists_tickets,
    concurrent_creates_are_decided_one_by_one,
);

async fn create_numbers_tickets_and_finds_the_customer_again(backend: Backend) {
    let app = spawn(backend).await;
    let (status, first) = app
        .post(
            "/api/v1/tickets",
            json!({
                "subject": "  如何办理退换货 ", "description": "手表尺寸不合适，想换大一号。",
                "kind": "after_sales", "channel": "web", "priority": "high", "category": "after_sales.return",
                "customer": { "name": "李雷", "email": "Li.Lei@Example.cn" }, "tags": ["Return", "退货"], "custom": { "order": "DD1" }
            }),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["number"], 1001);
    assert_eq!(first["subject"], "如何办理退换货");
    assert_eq!(first["status"], "new");
    assert_eq!(first["priority"], "high");
    assert_eq!(first["tags"], json!(["return", "退货"]));
    let (_, second) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "又一个问题", "description": "d", "customer": { "email": "li.lei@example.cn", "phone": "138-0013-8000" } }),
        )
        .await;
    assert_eq!(second["number"], 1002);
    assert_eq!(second["customer_id"], first["customer_id"], "same email, same customer");
    assert_eq!(second["kind"], "consultation");
    assert_eq!(second["channel"], "api");
    let (_, by_phone) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "电话来的", "description": "d", "customer": { "phone": "138 0013 8000" } }),
        )
        .await;
    assert_eq!(
        by_phone["customer_id"], first["customer_id"],
        "phone learned from the second ticket finds the customer"
    );
    let (_, customer) = app.get(&format!("/api/v1/customers/{}", first["customer_id"])).await;
    assert_eq!(customer["email"], "li.lei@example.cn");
    assert_eq!(customer["phone"], "13800138000");
    assert_eq!(event_kinds(&app, 1001).await, ["created"]);
    let (status, detail) = app.get("/api/v1/tickets/1001").await;
    assert_eq!(status, 200);
    assert_eq!(detail["messages"], json!([]));
}

async fn idempotency_key_replays_and_refuses_another_body(backend: Backend) {
    let app = spawn(backend).await;
    let body = json!({ "subject": "退款", "description": "申请退款流程", "customer": { "email": "a@example.com" } });
    let send = |body: serde_json::Value, key: &'static str| {
        let request = app
            .client
            .post(format!("{}/api/v1/tickets", app.base))
            .bearer_auth(&app.token)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { crate::support::decode(request.send().await.expect("send")).await }
    };
    let (s1, first) = send(body.clone(), "key-1").await;
    let (s2, again) = send(body.clone(), "key-1").await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first, again, "the retry returns the first response");
    let (s3, problem) = send(
        json!({ "subject": "other", "description": "x", "customer": { "email": "a@example.com" } }),
        "key-1",
    )
    .await;
    assert_eq!(s3, 422, "{problem}");
    assert_eq!(problem["code"], "idempotency_key_reused");
    let (_, list) = app.get("/api/v1/tickets").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "nothing new was created");
    // Concurrent retries with one key still make one ticket.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let request = app
                .client
                .post(format!("{}/api/v1/tickets", app.base))
                .bearer_auth(&app.token)
                .header("Idempotency-Key", "key-2")
                .json(&body);
            tokio::spawn(async move { crate::support::decode(request.send().await.expect("send")).await })
        })
        .collect();
    let mut numbers = std::collections::HashSet::new();
    for task in tasks {
        let (status, ticket) = task.await.expect("task");
        assert_eq!(status, 201, "{ticket}");
        numbers.insert(ticket["number"].as_i64());
    }
    assert_eq!(numbers.len(), 1, "{numbers:?}");
}

async fn list_filters_sorts_and_pages_without_gaps(backend: Backend) {
    let app = spawn(backend).await;
    for n in 0..23 {
        let priority = ["low", "normal", "high", "urgent"][n % 4];
        let kind = if n % 3 == 0 { "complaint" } else { "consultation" };
        let category = if n % 3 == 0 {
            "complaint.attitude.slow"
        } else {
            "consultation.order"
        };
        let (status, body) = app
            .post("/api/v1/tickets", json!({ "subject": format!("工单 {n}"), "description": "d", "priority": priority, "kind": kind, "category": category, "customer": { "email": format!("c{}@example.com", n % 5) } }))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    // Page through every sort: each ticket exactly once, in order.
    for sort in ["created", "-created", "updated", "-updated", "priority"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/tickets?sort={sort}&limit=5&cursor={c}"),
                None => format!("/api/v1/tickets?sort={sort}&limit=5"),
            };
            let (status, page) = app.get(&path).await;
            assert_eq!(status, 200, "{page}");
            for item in page["items"].as_array().unwrap() {
                seen.push((item["number"].as_i64().unwrap(), item["priority"].as_str().unwrap().to_owned()));
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let mut numbers: Vec<i64> = seen.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers.len(), 23, "{sort}: {numbers:?}");
        if sort == "priority" {
            let ranks: Vec<usize> = seen
                .iter()
                .map(|(_, p)| ["low", "normal", "high", "urgent"].iter().position(|x| x == p).unwrap())
                .collect();
            assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "most urgent first: {ranks:?}");
        }
        if sort == "created" {
            assert!(numbers.windows(2).all(|w| w[0] < w[1]));
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 23, "{sort}: duplicates");
    }
    let (_, urgent) = app.get("/api/v1/tickets?priority=urgent&limit=100").await;
    assert!(urgent["items"].as_array().unwrap().iter().all(|t| t["priority"] == "urgent"));
    assert_eq!(urgent["items"].as_array().unwrap().len(), 5);
    let (_, complaints) = app.get("/api/v1/tickets?category=complaint&limit=100").await;
    assert_eq!(complaints["items"].as_array().unwrap().len(), 8, "a category includes its subtree");
    let (_, kinds) = app.get("/api/v1/tickets?kind=complaint&status=new,open&limit=100").await;
    assert_eq!(kinds["items"].as_array().unwrap().len(), 8);
    let (_, none) = app.get("/api/v1/tickets?assignee=none&limit=100").await;
    assert_eq!(none["items"].as_array().unwrap().len(), 23);
    let (_, mine) = app.get("/api/v1/tickets?assignee=me&status=open").await;
    assert_eq!(mine["items"], json!([]));
    let (status, bad) = app.get("/api/v1/tickets?limit=101&sort=size&status=opened&cursor=zz").await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["limit", "sort", "status", "cursor"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
}

async fn reply_opens_and_makes_the_first_contact_owner(backend: Backend) {
    let app = spawn(backend).await;
    let number = app.ticket("打印机卡纸", "p@example.com").await;
    let (status, note) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            json!({ "kind": "note", "body": "内部：先查保修" }),
        )
        .await;
    assert_eq!(status, 201, "{note}");
    assert_eq!(note["ticket"]["status"], "new", "a note does not open the ticket");
    assert_eq!(note["ticket"]["owner_id"], serde_json::Value::Null);
    let (status, reply) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            json!({ "kind": "reply", "body": "您好，请提供序列号。" }),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply["ticket"]["status"], "open");
    assert!(reply["ticket"]["owner_id"].is_i64());
    assert!(reply["ticket"]["first_reply_at"].is_string());
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    let kinds: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["note", "reply"]);
    assert_eq!(
        event_kinds(&app, number).await,
        // The seeded web-and-app policy's first-response clock stops on the reply.
        [
            "created",
            "message_added",
            "message_added",
            "owner_changed",
            "status_changed",
            "sla_achieved"
        ]
    );
}

async fn resolve_needs_a_reply_or_a_resolution_note(backend: Backend) {
    let app = spawn(backend).await;
    let number = app.ticket("账单疑问", "b@example.com").await;
    let path = format!("/api/v1/tickets/{number}");
    let (status, problem) = app.patch(&path, json!({ "status": "resolved" })).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "resolve_needs_reply");
    let (status, problem) = app.patch(&path, json!({ "status": "closed" })).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("invalid_status_transition")));
    let (status, resolved) = app
        .patch(
            &path,
            json!({ "status": "resolved", "resolution_note": "电话中已解释账单", "priority": "low" }),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["priority"], "low");
    assert!(resolved["resolved_at"].is_string());
    let (status, closed) = app.patch(&path, json!({ "status": "closed" })).await;
    assert_eq!((status, closed["status"].as_str()), (200, Some("closed")));
    let (status, problem) = app.patch(&path, json!({ "status": "open" })).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("invalid_status_transition")),
        "closed is final"
    );
    let (status, problem) = app.post(&format!("{path}/messages"), json!({ "kind": "reply", "body": "x" })).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("ticket_closed")));
    let kinds = event_kinds(&app, number).await;
    assert_eq!(
        kinds,
        ["created", "priority_changed", "message_added", "status_changed", "status_changed"]
    );
}

async fn transfer_needs_a_reason_and_keeps_the_owner(backend: Backend) {
    let app = spawn(backend).await;
    let support = app.team("技术支持").await;
    let (engineer, _) = app.agent("eng@example.com", "agent", &[support]).await;
    let number = app.ticket("设备报错 E42", "t@example.com").await;
    let path = format!("/api/v1/tickets/{number}");
    let (status, assigned) = app.post(&format!("{path}/assign"), json!({ "agent": null })).await;
    assert_eq!(status, 200, "{assigned}");
    let (status, problem) = app.post(&format!("{path}/transfer"), json!({ "team": support })).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "reason");
    let (status, problem) = app
        .post(&format!("{path}/transfer"), json!({ "team": 999_999, "reason": "需要技术排查" }))
        .await;
    assert_eq!((status, problem["errors"][0]["code"].as_str()), (422, Some("unknown_team")));
    let (_, me) = app
        .post(
            &format!("{path}/messages"),
            json!({ "kind": "reply", "body": "我们会转给技术支持。" }),
        )
        .await;
    let owner = me["ticket"]["owner_id"].clone();
    let (status, moved) = app
        .post(
            &format!("{path}/transfer"),
            json!({ "team": support, "agent": engineer, "reason": "需要技术支持部门排查设备故障" }),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["team_id"], support);
    assert_eq!(moved["assignee_id"], engineer);
    assert_eq!(moved["owner_id"], owner, "the first-contact owner stays");
    assert_eq!(moved["transfer_count"], 1);
    let (_, events) = app.get(&format!("{path}/events")).await;
    let transfer = events.as_array().unwrap().iter().find(|e| e["kind"] == "transferred").unwrap();
    assert_eq!(transfer["data"]["reason"], "需要技术支持部门排查设备故障");
    assert_eq!(transfer["data"]["to"]["team"], support);
}

async fn customer_message_resumes_reopens_or_follows_up(backend: Backend) {
    let app = spawn(backend).await;
    let number = app.ticket("订单没收到", "o@example.com").await;
    let path = format!("/api/v1/tickets/{number}");
    app.post(&format!("{path}/messages"), json!({ "kind": "reply", "body": "请提供订单号" }))
        .await;
    let (_, pending) = app.patch(&path, json!({ "status": "pending" })).await;
    assert_eq!(pending["status"], "pending");
    let (status, resumed) = app
        .post(&format!("{path}/messages"), json!({ "kind": "customer", "body": "订单号 DD123" }))
        .await;
    assert_eq!(status, 201, "{resumed}");
    assert_eq!(resumed["ticket"]["status"], "open", "the customer's answer resumes the ticket");
    app.patch(&path, json!({ "status": "resolved" })).await;
    let (_, reopened) = app
        .post(&format!("{path}/messages"), json!({ "kind": "customer", "body": "还是没收到" }))
        .await;
    assert_eq!(reopened["ticket"]["status"], "open");
    assert_eq!(reopened["ticket"]["reopen_count"], 1);
    assert!(event_kinds(&app, number).await.contains(&"reopened".to_owned()));
    app.patch(&path, json!({ "status": "resolved" })).await;
    app.patch(&path, json!({ "status": "closed" })).await;
    let (status, follow) = app
        .post(&format!("{path}/messages"), json!({ "kind": "customer", "body": "又出问题了" }))
        .await;
    assert_eq!(status, 201, "{follow}");
    assert_eq!(follow["follow_up_of"], number);
    assert_eq!(follow["ticket"]["follow_up_of"], number);
    assert_ne!(follow["ticket"]["number"], number);
    assert_eq!(follow["ticket"]["status"], "new");
    assert!(event_kinds(&app, number).await.contains(&"follow_up_created".to_owned()));
}

async fn agents_see_only_their_teams_and_cannot_change_the_owner(backend: Backend) {
    let app = spawn(backend).await;
    let finance = app.team("财务").await;
    let logistics = app.team("物流").await;
    let (_, finance_agent) = app.agent("fin@example.com", "agent", &[finance]).await;
    let (_, supervisor) = app.agent("sup@example.com", "supervisor", &[]).await;
    let (logistics_id, logistics_token) = app.agent("log@example.com", "agent", &[logistics]).await;
    let (status, refund) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "退款", "description": "d", "team": finance, "customer": { "email": "r@example.com" } }),
        )
        .await;
    assert_eq!(status, 201, "{refund}");
    let number = refund["number"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{number}");
    let (status, problem) = app.call(reqwest::Method::GET, &path, Some(&logistics_token), None).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    let (status, _) = app
        .call(
            reqwest::Method::PATCH,
            &path,
            Some(&logistics_token),
            Some(json!({ "priority": "urgent" })),
        )
        .await;
    assert_eq!(status, 403);
    let (_, list) = app
        .call(reqwest::Method::GET, "/api/v1/tickets", Some(&logistics_token), None)
        .await;
    assert_eq!(list["items"], json!([]), "another team's ticket is not listed");
    let (status, _) = app.call(reqwest::Method::GET, &path, Some(&finance_agent), None).await;
    assert_eq!(status, 200);
    let (status, problem) = app
        .call(
            reqwest::Method::PATCH,
            &path,
            Some(&finance_agent),
            Some(json!({ "owner": logistics_id })),
        )
        .await;
    assert_eq!(status, 403, "{problem}");
    let (status, changed) = app
        .call(
            reqwest::Method::PATCH,
            &path,
            Some(&supervisor),
            Some(json!({ "owner": logistics_id })),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["owner_id"], logistics_id);
    let (status, _) = app.call(reqwest::Method::GET, &path, Some(&logistics_token), None).await;
    assert_eq!(status, 200, "the owner sees the ticket they own");
    let (_, events) = app.get(&format!("{path}/events")).await;
    assert!(events.as_array().unwrap().iter().any(|e| e["kind"] == "owner_changed"), "{events}");
}

async fn customer_api_reads_changes_and_lists_tickets(backend: Backend) {
    let app = spawn(backend).await;
    let (status, created) = app
        .post("/api/v1/customers", json!({ "name": "王芳", "email": "wang@example.cn", "tier": "vip", "customer_type": "rational", "consent": true, "external_ids": { "crm": "C-88" } }))
        .await;
    assert_eq!(status, 201, "{created}");
    assert!(created["consent_at"].is_string());
    let id = created["id"].as_i64().unwrap();
    let (status, dup) = app
        .post("/api/v1/customers", json!({ "name": "x", "email": "WANG@example.cn" }))
        .await;
    assert_eq!((status, dup["code"].as_str()), (409, Some("email_taken")));
    let (status, changed) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({ "tier": "key_account", "consent": false, "tags": ["Key"] }),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["tier"], "key_account");
    assert_eq!(changed["consent_at"], serde_json::Value::Null);
    assert_eq!(changed["tags"], json!(["key"]));
    app.ticket("一号", "wang@example.cn").await;
    app.ticket("二号", "wang@example.cn").await;
    app.ticket("别人的", "other@example.cn").await;
    let (_, tickets) = app.get(&format!("/api/v1/customers/{id}/tickets")).await;
    let subjects: Vec<&str> = tickets["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["二号", "一号"]);
    let (_, found) = app.get("/api/v1/customers?email=wang@example.cn").await;
    assert_eq!(found["items"][0]["id"], id);
    let (status, _) = app.get("/api/v1/customers/999999").await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/api/v1/customers/999999/tickets").await;
    assert_eq!(status, 404);
}

/// Creates that arrive together are written together (the intake); each is still decided
/// on its own: a bad one is refused alone, phone-only and repeated customers are found,
/// numbers stay unique and gap-free.
async fn concurrent_creates_are_decided_one_by_one(backend: Backend) {
    let app = spawn(backend).await;
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let customer = match n % 4 {
                0 => json!({ "phone": "+86 138 0000 0000" }),
                1 => json!({ "email": "same@example.com", "name": "同一个人" }),
                _ => json!({ "email": format!("c{n}@example.com") }),
            };
            let category = if n % 5 == 0 { "no.such.category" } else { "after_sales.refund" };
            let body = json!({ "subject": format!("并发 {n}"), "description": "d", "category": category, "customer": customer });
            let request = app
                .client
                .post(format!("{}/api/v1/tickets", app.base))
                .bearer_auth(&app.token)
                .json(&body);
            tokio::spawn(async move { (n, crate::support::decode(request.send().await.expect("send")).await) })
        })
        .collect();
    let mut numbers = Vec::new();
    let mut created = Vec::new();
    let mut by_kind: std::collections::HashMap<u8, std::collections::HashSet<i64>> = Default::default();
    for task in tasks {
        let (n, (status, body)) = task.await.expect("task");
        if n % 5 == 0 {
            assert_eq!(
                (status, body["errors"][0]["code"].as_str()),
                (422, Some("unknown_category")),
                "{n}: {body}"
            );
            continue;
        }
        assert_eq!(status, 201, "{n}: {body}");
        numbers.push(body["number"].as_i64().unwrap());
        created.push(body.clone());
        if n % 4 < 2 {
            by_kind
                .entry((n % 4) as u8)
                .or_default()
                .insert(body["customer_id"].as_i64().unwrap());
        }
    }
    numbers.sort();
    assert_eq!(numbers, (1001..1001 + 32).collect::<Vec<_>>(), "32 accepted, numbered without gaps");
    assert_eq!(by_kind[&0].len(), 1, "one customer for the phone");
    assert_eq!(by_kind[&1].len(), 1, "one customer for the repeated e-mail");
    for number in numbers {
        assert_eq!(event_kinds(&app, number).await, ["created"]);
    }
    // The intake answers with the ticket it built from the request, not one read back:
    // it must be the ticket the store holds, field for field.
    for answered in created {
        let (status, stored) = app.get(&format!("/api/v1/tickets/{}", answered["number"])).await;
        assert_eq!(status, 200, "{stored}");
        for (field, value) in answered.as_object().expect("ticket object") {
            assert_eq!(&stored[field], value, "{field} of ticket {}", answered["number"]);
        }
    }
}
