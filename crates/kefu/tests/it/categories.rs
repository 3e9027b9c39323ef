//! The category tree: admins add, rename, retire and restore categories (API and page);
//! a retired branch can no longer be chosen but stays on its tickets; agents file tickets
//! on the ticket page and customers choose a topic on the portal.

use crate::on_both;
use crate::support::{Backend, TestApp, spawn};
use crate::ui::{FormSession, with_agent};
use reqwest::Method;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

async fn category(app: &TestApp, code: &str) -> Option<Value> {
    let (status, all) = app.get("/api/v1/categories").await;
    assert_eq!(status, 200);
    all.as_array().expect("categories").iter().find(|c| c["code"] == code).cloned()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let (_, log) = app.get("/api/v1/audit?limit=200").await;
    log.as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn admins_grow_rename_and_retire_the_tree(backend: Backend) {
    let app = spawn(backend).await;
    let (status, created) = app
        .post(
            "/api/v1/categories",
            json!({ "parent": "after_sales", "key": "spare_parts", "name_zh": "配件", "name_en": "Spare parts" }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["code"], "after_sales.spare_parts");
    let (status, leaf) = app
        .post(
            "/api/v1/categories",
            json!({ "parent": "after_sales.spare_parts", "key": "battery", "name_zh": "电池", "name_en": "Battery" }),
        )
        .await;
    assert_eq!(status, 201, "{leaf}");
    // Reading order: the new branch right after its parent's earlier children, the leaf
    // under it.
    let (_, all) = app.get("/api/v1/categories").await;
    let codes: Vec<&str> = all
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["code"].as_str().unwrap_or_default())
        .collect();
    let at = |code: &str| codes.iter().position(|c| *c == code).expect(code);
    assert!(at("after_sales.warranty") < at("after_sales.spare_parts"));
    assert_eq!(at("after_sales.spare_parts") + 1, at("after_sales.spare_parts.battery"));
    assert!(at("after_sales.spare_parts.battery") < at("field_service"));

    // Refusals write nothing.
    let before = audit_actions(&app).await.len();
    for (body, status, code) in [
        (
            json!({ "key": "Spare Parts", "name_zh": "配件", "name_en": "Parts" }),
            422,
            "invalid_key",
        ),
        (
            json!({ "parent": "after_sales", "key": "spare_parts", "name_zh": "配件", "name_en": "Parts" }),
            409,
            "category_exists",
        ),
        (
            json!({ "parent": "no_such", "key": "x", "name_zh": "某", "name_en": "X" }),
            422,
            "unknown_category",
        ),
        (
            json!({ "parent": "after_sales", "key": "x", "name_zh": "", "name_en": "X" }),
            422,
            "required",
        ),
        (
            json!({ "parent": "after_sales.spare_parts.battery", "key": "cell", "name_zh": "电芯", "name_en": "Cell" }),
            201,
            "",
        ),
    ] {
        let (got, problem) = app.post("/api/v1/categories", body).await;
        assert_eq!(got, status, "{problem}");
        if status != 201 {
            assert!(problem.to_string().contains(code), "{code}: {problem}");
        }
    }
    let (status, problem) = app
        .post(
            "/api/v1/categories",
            json!({ "parent": "after_sales.spare_parts.battery.cell", "key": "deeper", "name_zh": "更深", "name_en": "Deeper" }),
        )
        .await;
    assert_eq!(status, 422);
    assert!(problem.to_string().contains("too_deep"), "{problem}");
    assert_eq!(audit_actions(&app).await.len(), before + 1, "only the accepted one is recorded");

    // Agents read the tree but do not change it.
    let team = app.team("售后 After-sales").await;
    let (_, agent_token) = app.agent("li@example.com", "agent", &[team]).await;
    let (status, _) = app.call(Method::GET, "/api/v1/categories", Some(&agent_token), None).await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call(
            Method::PATCH,
            "/api/v1/categories/after_sales",
            Some(&agent_token),
            Some(json!({ "name_en": "Mine" })),
        )
        .await;
    assert_eq!(status, 403);

    // A ticket filed under the leaf keeps it when the branch is retired.
    let (status, ticket) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "电池鼓包", "description": "手表电池鼓包了", "category": "after_sales.spare_parts.battery",
                    "customer": { "name": "王芳", "email": "wang@example.com" } }),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    let number = ticket["number"].as_i64().expect("number");
    let (status, renamed) = app
        .patch(
            "/api/v1/categories/after_sales.spare_parts",
            json!({ "name_en": "Parts", "active": false }),
        )
        .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(
        (renamed["name_en"].as_str(), renamed["name_zh"].as_str()),
        (Some("Parts"), Some("配件"))
    );
    for code in ["after_sales.spare_parts.battery", "after_sales.spare_parts.battery.cell"] {
        assert_eq!(
            category(&app, code).await.expect(code)["active"],
            false,
            "{code} retires with its branch"
        );
    }
    assert_eq!(category(&app, "after_sales").await.expect("parent")["active"], true);
    let (_, kept) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(kept["category"], "after_sales.spare_parts.battery", "{kept}");

    // Retired categories cannot be chosen, on create (one or many) or on change.
    let (status, problem) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "配件", "description": "要一个配件", "category": "after_sales.spare_parts",
                    "customer": { "name": "赵强", "email": "zhao@example.com" } }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("unknown_category"), "{problem}");
    let other = app.ticket("换货", "qian@example.com").await;
    let (status, _) = app
        .patch(
            &format!("/api/v1/tickets/{other}"),
            json!({ "category": "after_sales.spare_parts.battery" }),
        )
        .await;
    assert_eq!(status, 422);

    // A child comes back only under an active parent; the code never changes.
    let (status, problem) = app
        .patch("/api/v1/categories/after_sales.spare_parts.battery", json!({ "active": true }))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("category_retired"), "{problem}");
    let (status, _) = app
        .patch("/api/v1/categories/after_sales.spare_parts", json!({ "active": true }))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .patch("/api/v1/categories/after_sales.spare_parts.battery", json!({ "active": true }))
        .await;
    assert_eq!(status, 200);
    let (status, problem) = app
        .patch("/api/v1/categories/after_sales.spare_parts", json!({ "key": "parts" }))
        .await;
    assert_eq!(status, 422);
    assert!(problem.to_string().contains("immutable"), "{problem}");
    let (status, _) = app.patch("/api/v1/categories/nothing.here", json!({ "name_en": "X" })).await;
    assert_eq!(status, 404);
    let (status, _) = app
        .patch(
            &format!("/api/v1/tickets/{other}"),
            json!({ "category": "after_sales.spare_parts.battery" }),
        )
        .await;
    assert_eq!(status, 200);

    let actions = audit_actions(&app).await;
    assert_eq!(actions.iter().filter(|a| *a == "category.create").count(), 3, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "category.update").count(), 3, "{actions:?}");
}

/// What the sidebar says for a customer without consent, in Chinese (the default).
fn no_consent_label() -> &'static str {
    "未授权"
}

async fn the_pages_file_tickets_by_name_and_customers_choose_a_topic(backend: Backend) {
    let app = with_agent(backend).await;
    let admin = FormSession::admin(&app).await;
    let client = &admin.client;

    // The admin page adds a category and retires another.
    let added = admin
        .post(
            &app,
            "/admin/categories",
            &[
                ("parent", "after_sales"),
                ("key", "spare_parts"),
                ("name_zh", "配件"),
                ("name_en", "Spare parts"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let retired = admin
        .post(
            &app,
            "/admin/categories/suggestion",
            &[("name_zh", "建议"), ("name_en", "Suggestion"), ("active", "false")],
        )
        .await;
    assert_eq!(retired.status(), 303);
    let bad = admin
        .post(&app, "/admin/categories", &[("key", "坏"), ("name_zh", "坏"), ("name_en", "Bad")])
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.expect("html").contains("id=\"categories-error\""));
    let page = admin.page(&app, "/admin/categories").await;
    assert!(
        page.contains("after_sales.spare_parts") && page.contains("value=\"Spare parts\""),
        "{page}"
    );
    assert!(page.contains("id=\"category-suggestion\" class=\"indent-0 retired\""), "{page}");

    // The portal offers the first two levels of what is in use, and files the request.
    let form = app.page(client, "/portal", None).await;
    assert!(
        form.contains("<option value=\"after_sales.spare_parts\">售后 › 配件</option>"),
        "{form}"
    );
    assert!(!form.contains("value=\"suggestion.product\"") && !form.contains("value=\"complaint.skill.slow_diagnosis\""));
    let submitted = client
        .post(format!("{}/portal", app.base))
        .form(&[
            ("name", "周敏"),
            ("email", "zhou@example.com"),
            ("kind", "after_sales"),
            ("category", "after_sales.spare_parts"),
            ("subject", "充电器坏了"),
            ("description", "想买一个新的充电器"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(submitted.status(), 303, "{:?}", submitted.headers().get(LOCATION));
    let (_, list) = app.get("/api/v1/tickets?category=after_sales.spare_parts").await;
    let number = list["items"][0]["number"].as_i64().expect("the portal's ticket");
    let retired_topic = client
        .post(format!("{}/portal", app.base))
        .form(&[
            ("name", "周敏"),
            ("email", "zhou@example.com"),
            ("category", "suggestion.product"),
            ("subject", "建议"),
            ("description", "一个建议"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(retired_topic.status(), 422);

    // The ticket page names the category and files it anew, with priority and tags; the
    // sidebar says how the customer likes to be served and whether they consented.
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    let customer = detail["customer_id"].as_i64().expect("customer");
    let ticket = admin.page(&app, &format!("/tickets/{number}")).await;
    assert!(
        ticket.contains(&format!("<dd id=\"customer-consent\">{}</dd>", no_consent_label())),
        "{ticket}"
    );
    assert!(!ticket.contains("id=\"customer-type\""), "no type known yet");
    let (status, _) = app
        .patch(
            &format!("/api/v1/customers/{customer}"),
            json!({ "customer_type": "emotional", "consent": true }),
        )
        .await;
    assert_eq!(status, 200);
    let ticket = admin.page(&app, &format!("/tickets/{number}")).await;
    assert!(ticket.contains("<dd id=\"customer-type\">情绪型——先安抚情绪</dd>"), "{ticket}");
    assert!(
        !ticket.contains(&format!("<dd id=\"customer-consent\">{}</dd>", no_consent_label())),
        "{ticket}"
    );
    assert!(ticket.contains("<span id=\"category\">售后 › 配件</span>"), "{ticket}");
    assert!(
        !ticket.contains("value=\"suggestion.product\""),
        "retired categories are not offered"
    );
    let classified = admin
        .post(
            &app,
            &format!("/tickets/{number}/classify"),
            &[
                ("priority", "high"),
                ("category", "after_sales.refund"),
                ("tags", "充电器, vip，urgent"),
            ],
        )
        .await;
    assert_eq!(classified.status(), 303);
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(
        (ticket["priority"].as_str(), ticket["category"].as_str()),
        (Some("high"), Some("after_sales.refund"))
    );
    assert_eq!(ticket["tags"], json!(["urgent", "vip", "充电器"]));
    let refused = admin
        .post(
            &app,
            &format!("/tickets/{number}/classify"),
            &[("priority", "high"), ("category", "suggestion"), ("tags", "")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(
        detail["tags"],
        json!(["urgent", "vip", "充电器"]),
        "a refused change changes nothing"
    );
    let page = admin.page(&app, &format!("/tickets/{number}")).await;
    assert!(page.contains("<span id=\"category\">售后 › 退款</span>"), "{page}");
}

on_both!(
    admins_grow_rename_and_retire_the_tree,
    the_pages_file_tickets_by_name_and_customers_choose_a_topic,
);
