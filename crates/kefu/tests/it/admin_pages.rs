//! The admin pages for business calendars (hours, holidays and 调休 as text, .ics import)
//! and automation rules (JSON, dry run, save, switch off, delete): what an admin types is
//! stored as the API reads it, refusals say why and change nothing.

use crate::on_both;
use crate::support::{Backend, TestApp};
use crate::ui::{FormSession, no_redirects, signed_in, with_agent};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// A form's answer: its status and body.
async fn post_form(app: &TestApp, session: &FormSession, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = session.post(app, path, form).await;
    (response.status().as_u16(), response.text().await.expect("body"))
}

async fn calendar_named(app: &TestApp, name: &str) -> Option<Value> {
    let (_, calendars) = app.get("/api/v1/calendars").await;
    calendars.as_array().expect("calendars").iter().find(|c| c["name"] == name).cloned()
}

async fn calendars_are_typed_as_text_and_holidays_imported(backend: Backend) {
    let app = with_agent(backend).await;
    let session = FormSession::admin(&app).await;
    let page = session.page(&app, "/admin/calendars").await;
    assert!(
        page.contains("id=\"calendar-form-new\"") && page.contains("Asia/Shanghai"),
        "{page}"
    );

    let fields = [
        ("name", "柏林 Berlin"),
        ("zone", "Europe/Berlin"),
        ("monday", "09:00-12:00，13:00-17:00"),
        ("tuesday", "09:00-17:00"),
        ("wednesday", ""),
        ("thursday", ""),
        ("friday", "09:00-15:00"),
        ("saturday", ""),
        ("sunday", ""),
        ("holidays", "2026-12-25 Weihnachten\n2026-12-24 12:00-24:00 Heiligabend"),
        ("working_days", "2026-12-27 10:00-14:00 Inventur"),
    ];
    let (status, _) = post_form(&app, &session, "/admin/calendars", &fields).await;
    assert_eq!(status, 303);
    let calendar = calendar_named(&app, "柏林 Berlin").await.expect("created");
    let spec = &calendar["spec"];
    assert_eq!(spec["zone"], "Europe/Berlin");
    assert_eq!(spec["weekly"]["monday"], json!(["09:00-12:00", "13:00-17:00"]));
    assert_eq!(spec["weekly"]["wednesday"], json!([]), "{spec}");
    assert_eq!(spec["holidays"][1]["closed"], json!(["12:00-24:00"]), "{spec}");
    assert_eq!(spec["working_days"][0]["name"], "Inventur");
    let id = calendar["id"].as_i64().expect("id");
    // The page shows it back as it was typed (normalised).
    let page = session.page(&app, "/admin/calendars").await;
    assert!(page.contains("value=\"09:00-12:00, 13:00-17:00\""), "{page}");
    assert!(page.contains("2026-12-24 12:00-24:00 Heiligabend"), "{page}");

    // A bad line or zone is named, what was typed comes back, and nothing changes.
    let mut bad = fields.to_vec();
    bad[9] = ("holidays", "2026-12-25 Weihnachten\n2026-02-30 kein Tag");
    let (status, html) = post_form(&app, &session, &format!("/admin/calendars/{id}"), &bad).await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"calendars-error\"") && html.contains("line 2"), "{html}");
    assert!(html.contains("2026-02-30 kein Tag"), "the draft is kept: {html}");
    let mut bad_zone = fields.to_vec();
    bad_zone[1] = ("zone", "Mars/Olympus");
    let (status, html) = post_form(&app, &session, &format!("/admin/calendars/{id}"), &bad_zone).await;
    assert_eq!(status, 422);
    assert!(html.contains("Mars/Olympus"), "{html}");
    assert_eq!(calendar_named(&app, "柏林 Berlin").await.expect("kept")["spec"], *spec);

    // Import: an .ics file adds its holidays and says how many.
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270102\r\nSUMMARY:Neujahr\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let form = Form::new()
        .text("_csrf", session.csrf())
        .text("working_day_hours", "")
        .part("file", Part::bytes(ics.as_bytes().to_vec()).file_name("feiertage.ics"));
    let response = session
        .client
        .post(format!("{}/admin/calendars/{id}/holidays", app.base))
        .header("cookie", &session.cookie)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(
        html.contains("id=\"calendars-notice\"") && html.contains("已导入 1 个节假日"),
        "{html}"
    );
    let stored = calendar_named(&app, "柏林 Berlin").await.expect("calendar");
    let dates: Vec<&str> = stored["spec"]["holidays"]
        .as_array()
        .expect("holidays")
        .iter()
        .filter_map(|h| h["date"].as_str())
        .collect();
    assert!(dates.contains(&"2027-01-01"), "{dates:?}");

    // A calendar in use by a policy is not deleted; an unused one is.
    let (status, html) = post_form(&app, &session, "/admin/calendars/1/delete", &[]).await;
    assert_eq!(status, 409, "{html}");
    assert!(calendar_named(&app, "柏林 Berlin").await.is_some());
    let (status, _) = post_form(&app, &session, &format!("/admin/calendars/{id}/delete"), &[]).await;
    assert_eq!(status, 303);
    assert!(calendar_named(&app, "柏林 Berlin").await.is_none());
}

async fn rules_are_tried_before_they_are_saved(backend: Backend) {
    let app = with_agent(backend).await;
    let session = FormSession::admin(&app).await;
    let (status, created) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "屏幕碎了", "description": "要投诉", "kind": "complaint",
                    "customer": { "name": "陈静", "email": "chen@example.com" } }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let number = created["number"].as_i64().expect("number");
    let rule = json!({
        "name": "投诉升级 Escalate complaints",
        "trigger": "ticket_created",
        "conditions": { "kinds": ["complaint"] },
        "actions": [{ "type": "set_priority", "priority": "urgent" }]
    })
    .to_string();

    // The dry run lists the complaint, keeps the draft, and saves nothing.
    let (status, html) = post_form(
        &app,
        &session,
        "/admin/rules",
        &[("json", &rule), ("position", ""), ("action", "dry_run")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("id=\"dry-run\"") && html.contains(&format!("#{number} 屏幕碎了")),
        "{html}"
    );
    assert!(html.contains("urgent"), "what it would change is shown: {html}");
    let (_, rules) = app.get("/api/v1/rules").await;
    assert_eq!(rules.as_array().expect("rules").len(), 0, "a dry run writes nothing");

    // Broken JSON and an invalid rule are refused with the reason.
    let (status, html) = post_form(&app, &session, "/admin/rules", &[("json", "{ \"name\": "), ("action", "save")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"rules-error\""), "{html}");
    let empty_actions = json!({ "name": "无动作", "trigger": "ticket_created", "actions": [] }).to_string();
    let (status, html) = post_form(&app, &session, "/admin/rules", &[("json", &empty_actions), ("action", "save")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("actions"), "{html}");

    let (status, _) = post_form(
        &app,
        &session,
        "/admin/rules",
        &[("json", &rule), ("position", ""), ("action", "save")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, rules) = app.get("/api/v1/rules").await;
    let id = rules[0]["id"].as_i64().expect("saved");
    let page = session.page(&app, "/admin/rules").await;
    assert!(
        page.contains("投诉升级 Escalate complaints") && page.contains(&format!("id=\"json-{id}\"")),
        "{page}"
    );

    // Switched off from its JSON, then deleted.
    let off = json!({
        "name": "投诉升级 Escalate complaints", "active": false, "trigger": "ticket_created",
        "conditions": { "kinds": ["complaint"] }, "actions": [{ "type": "set_priority", "priority": "urgent" }]
    })
    .to_string();
    let (status, _) = post_form(
        &app,
        &session,
        &format!("/admin/rules/{id}"),
        &[("json", &off), ("position", "5"), ("action", "save")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, rules) = app.get("/api/v1/rules").await;
    assert_eq!(
        (rules[0]["rule"]["active"].as_bool(), rules[0]["position"].as_i64()),
        (Some(false), Some(5))
    );
    let (status, _) = post_form(&app, &session, &format!("/admin/rules/{id}/delete"), &[]).await;
    assert_eq!(status, 303);
    let (_, rules) = app.get("/api/v1/rules").await;
    assert_eq!(rules.as_array().expect("rules").len(), 0);

    // Agents do not reach the page.
    let (status, _) = app.patch("/api/v1/agents/2", json!({ "role": "agent" })).await;
    assert_eq!(status, 200);
    let client = no_redirects();
    let (cookie, _) = signed_in(&app, &client).await;
    let refused = client
        .get(format!("{}/admin/rules", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(refused.status(), 403);
}

/// A ticket's `custom` object as the API shows it.
async fn ticket_custom(app: &TestApp, number: i64) -> Value {
    app.get(&format!("/api/v1/tickets/{number}")).await.1["custom"].clone()
}

async fn custom_fields_are_defined_by_admins_and_filled_on_tickets(backend: Backend) {
    let app = with_agent(backend).await;
    let session = FormSession::admin(&app).await;
    let product =
        json!({ "key": "product", "label_zh": "产品", "label_en": "Product", "kind": "select", "options": ["S3 手表", "扫地机器人"] });
    let (status, created) = app.post("/api/v1/custom-fields", product.clone()).await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = app.post("/api/v1/custom-fields", product).await;
    assert_eq!(status, 409);
    let (status, problem) = app
        .post(
            "/api/v1/custom-fields",
            json!({ "key": "size", "label_zh": "尺寸", "label_en": "Size", "kind": "select" }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let (_, token) = app.agent("li@example.com", "agent", &[]).await;
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/custom-fields",
            Some(&token),
            Some(json!({ "key": "x", "label_zh": "x", "label_en": "x", "kind": "text" })),
        )
        .await;
    assert_eq!(status, 403);
    for (key, zh, en, kind) in [
        ("order_no", "订单号", "Order number", "text"),
        ("bought_on", "购买日期", "Bought on", "date"),
        ("warranty", "在保", "Under warranty", "checkbox"),
    ] {
        let (status, html) = post_form(
            &app,
            &session,
            "/admin/fields",
            &[("key", key), ("label_zh", zh), ("label_en", en), ("kind", kind), ("options", "")],
        )
        .await;
        assert_eq!(status, 303, "{html}");
    }
    let (status, html) = post_form(
        &app,
        &session,
        "/admin/fields",
        &[("key", "Bad Key"), ("label_zh", "坏"), ("label_en", "Bad"), ("kind", "text")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"fields-error\""), "{html}");
    let page = session.page(&app, "/admin/fields").await;
    assert!(
        page.contains("id=\"field-order_no\"") && page.contains("S3 手表\n扫地机器人"),
        "{page}"
    );

    // Agents fill them on the ticket; a key set through the API stays.
    let (status, ticket) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "表带断了", "description": "刚买一周", "custom": { "crm_ref": "X-1" }, "customer": { "email": "gao@example.com" } }),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    let number = ticket["number"].as_i64().expect("number");
    let fields_path = format!("/tickets/{number}/fields");
    let (status, _) = post_form(
        &app,
        &session,
        &fields_path,
        &[
            ("f.product", "S3 手表"),
            ("f.order_no", "A-1001"),
            ("f.bought_on", "2026-11-30"),
            ("f.warranty", ""),
            ("f.warranty", "true"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let filled = json!({ "crm_ref": "X-1", "product": "S3 手表", "order_no": "A-1001", "bought_on": "2026-11-30", "warranty": true });
    assert_eq!(ticket_custom(&app, number).await, filled);
    let page = session.page(&app, &format!("/tickets/{number}")).await;
    assert!(page.contains("<option value=\"S3 手表\" selected>"), "{page}");
    assert!(
        page.contains("id=\"field-warranty\" name=\"f.warranty\" value=\"true\" checked"),
        "{page}"
    );

    // Only what an agent changed is sent: two agents' forms on one ticket both keep theirs.
    let (status, _) = post_form(
        &app,
        &session,
        &fields_path,
        &[
            ("o.product", "S3 手表"),
            ("f.product", "扫地机器人"),
            ("o.order_no", "A-1001"),
            ("f.order_no", "A-1001"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _) = post_form(
        &app,
        &session,
        &fields_path,
        &[
            ("o.product", "S3 手表"),
            ("f.product", "S3 手表"),
            ("o.order_no", "A-1001"),
            ("f.order_no", "C-3"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let custom = ticket_custom(&app, number).await;
    assert_eq!(
        (custom["product"].as_str(), custom["order_no"].as_str()),
        (Some("扫地机器人"), Some("C-3")),
        "{custom}"
    );
    let (status, _) = post_form(&app, &session, &fields_path, &[("f.product", "S3 手表"), ("f.order_no", "A-1001")]).await;
    assert_eq!(status, 303);

    // A value that does not fit its field is refused and changes nothing.
    for bad in [("f.product", "冰箱"), ("f.bought_on", "2026-13-01"), ("f.unknown", "x")] {
        let (status, _) = post_form(&app, &session, &fields_path, &[bad, ("f.order_no", "B-2")]).await;
        assert_eq!(status, 422, "{bad:?}");
    }
    assert_eq!(ticket_custom(&app, number).await, filled);
    // The form sends `false` for an unticked box: a yes/no field then says no.
    let page = session.page(&app, &format!("/tickets/{number}")).await;
    assert!(
        page.contains("name=\"o.warranty\" value=\"true\"") && page.contains("name=\"f.warranty\" value=\"false\""),
        "{page}"
    );
    let (status, _) = post_form(&app, &session, &fields_path, &[("o.warranty", "true"), ("f.warranty", "false")]).await;
    assert_eq!(status, 303);
    assert_eq!(ticket_custom(&app, number).await["warranty"], false);
    // Emptied, a field is cleared; others stay.
    let (status, _) = post_form(&app, &session, &fields_path, &[("f.order_no", ""), ("f.warranty", "")]).await;
    assert_eq!(status, 303);
    assert_eq!(
        ticket_custom(&app, number).await,
        json!({ "crm_ref": "X-1", "product": "S3 手表", "bought_on": "2026-11-30" })
    );

    // Retired, a field is no longer offered or accepted; its values stay.
    let (status, retired) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/custom-fields/product",
            Some(&app.token),
            Some(json!({ "label_zh": "产品", "label_en": "Product", "kind": "select", "options": ["S3 手表"], "active": false })),
        )
        .await;
    assert_eq!(status, 200, "{retired}");
    let page = session.page(&app, &format!("/tickets/{number}")).await;
    assert!(!page.contains("id=\"field-product\""), "{page}");
    let (status, _) = post_form(&app, &session, &fields_path, &[("f.product", "S3 手表")]).await;
    assert_eq!(status, 422);
    assert_eq!(ticket_custom(&app, number).await["product"], "S3 手表");
    let (_, log) = app.get("/api/v1/audit?limit=10").await;
    assert_eq!(log[0]["action"], "custom_field.update");
}

async fn sla_policies_are_switched_off_and_deleted_by_admins(backend: Backend) {
    let app = with_agent(backend).await;
    let (status, policy) = app
        .post(
            "/api/v1/sla-policies",
            json!({ "name": "投诉加急 Complaints", "conditions": { "kinds": ["complaint"] },
                    "targets": [{ "metric": "first_response", "seconds": 600, "business_hours": false }] }),
        )
        .await;
    assert_eq!(status, 201, "{policy}");
    let id = policy["id"].as_i64().expect("id");
    // Alice is a supervisor: she reads the page, but the buttons are not hers.
    let client = no_redirects();
    let (cookie, csrf) = signed_in(&app, &client).await;
    let page = app.page(&client, "/admin/sla-policies", Some(&cookie)).await;
    assert!(
        page.contains("投诉加急 Complaints") && !page.contains(&format!("id=\"toggle-policy-{id}\"")),
        "{page}"
    );
    let refused = client
        .post(format!("{}/admin/sla-policies/{id}/delete", app.base))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 403);

    let session = FormSession::admin(&app).await;
    let page = session.page(&app, "/admin/sla-policies").await;
    assert!(page.contains(&format!("id=\"toggle-policy-{id}\"")), "{page}");
    // Deleting takes a second step: the button that deletes is inside a closed disclosure.
    let delete = page.find(&format!("id=\"delete-policy-{id}\"")).expect("delete button");
    let disclosure = page[..delete]
        .rfind("<details class=\"confirm-delete\">")
        .expect("behind a disclosure");
    assert!(!page[disclosure..delete].contains("</details>"), "{page}");
    let (status, _) = post_form(&app, &session, &format!("/admin/sla-policies/{id}/active"), &[("active", "false")]).await;
    assert_eq!(status, 303);
    let (_, policies) = app.get("/api/v1/sla-policies").await;
    let stored = policies
        .as_array()
        .expect("policies")
        .iter()
        .find(|p| p["id"] == id)
        .expect("kept")
        .clone();
    assert_eq!(
        (stored["active"].as_bool(), stored["name"].as_str()),
        (Some(false), Some("投诉加急 Complaints"))
    );
    assert_eq!(stored["targets"], policy["targets"], "everything else kept");
    let (status, _) = post_form(&app, &session, &format!("/admin/sla-policies/{id}/delete"), &[]).await;
    assert_eq!(status, 303);
    let (_, policies) = app.get("/api/v1/sla-policies").await;
    assert!(!policies.as_array().expect("policies").iter().any(|p| p["id"] == id));
}

/// The ticket page keeps the department's lists between reads; a change through the API
/// must show on the next page all the same.
async fn list_changes_show_on_the_ticket_page_at_once(backend: Backend) {
    let app = with_agent(backend).await;
    let session = FormSession::admin(&app).await;
    let number = app.ticket("礼品卡无法使用 gift card", "lin@example.com").await;
    let (bob, _) = app.agent("bob@example.com", "agent", &[]).await;
    let (status, _) = app.post(&format!("/api/v1/tickets/{number}/assign"), json!({ "agent": bob })).await;
    assert_eq!(status, 200);
    // Read once, so every list is in the cache before it changes.
    let before = session.page(&app, &format!("/tickets/{number}")).await;
    assert!(!before.contains("王小波") && !before.contains("gift_cards"), "{before}");
    let changes = [
        ("PATCH", format!("/api/v1/agents/{bob}"), json!({ "name": "王小波 Bob" })),
        ("POST", "/api/v1/teams".into(), json!({ "name": "二线支持 Tier 2" })),
        (
            "POST",
            "/api/v1/macros".into(),
            json!({ "name": "退款进度 refund status", "body_zh": "您好", "body_en": "Hello" }),
        ),
        (
            "POST",
            "/api/v1/categories".into(),
            json!({ "key": "gift_cards", "name_zh": "礼品卡", "name_en": "Gift cards" }),
        ),
        (
            "POST",
            "/api/v1/custom-fields".into(),
            json!({ "key": "card_serial", "label_zh": "卡号", "label_en": "Card serial", "kind": "text" }),
        ),
    ];
    for (method, path, body) in changes {
        let (status, answer) = match method {
            "PATCH" => app.patch(&path, body).await,
            _ => app.post(&path, body).await,
        };
        assert!(status == 200 || status == 201, "{path}: {status} {answer}");
    }
    let after = session.page(&app, &format!("/tickets/{number}")).await;
    for shown in [
        "王小波 Bob",
        "二线支持 Tier 2",
        "退款进度 refund status",
        "value=\"gift_cards\"",
        "卡号",
    ] {
        assert!(after.contains(shown), "{shown} is missing: {after}");
    }
    // And gone again at once: the category retired is no longer offered.
    let (status, _) = app.patch("/api/v1/categories/gift_cards", json!({ "active": false })).await;
    assert_eq!(status, 200);
    let retired = session.page(&app, &format!("/tickets/{number}")).await;
    assert!(!retired.contains("value=\"gift_cards\""), "{retired}");
}

on_both!(
    calendars_are_typed_as_text_and_holidays_imported,
    rules_are_tried_before_they_are_saved,
    custom_fields_are_defined_by_admins_and_filled_on_tickets,
    sla_policies_are_switched_off_and_deleted_by_admins,
    list_changes_show_on_the_ticket_page_at_once
);
