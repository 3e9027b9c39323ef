//! The web UI in a real browser (headless Chromium) against the real server.

use crate::browser_support::Browser;
use crate::support::{Backend, TestApp, spawn};
use kefu_app::people::NewAgentCommand;
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

/// A test server with an agent who can sign in, in a team with one unassigned ticket.
async fn workspace() -> (TestApp, i64, i64) {
    let app = spawn(Backend::Sqlite).await;
    let team = app.team("售后 After-sales").await;
    app.app
        .create_agent_as_operator(NewAgentCommand {
            email: "alice@example.com".into(),
            name: "李丽 Alice".into(),
            role: "agent".into(),
            teams: vec!["售后 After-sales".into()],
            password: Some(PASSWORD.into()),
        })
        .await
        .expect("create agent");
    let (status, ticket) = app
        .post(
            "/api/v1/tickets",
            json!({
                "subject": "扫地机器人无法回充 Robot will not dock",
                "description": "两个月后无法回充。It stopped docking.",
                "customer": { "name": "王芳", "email": "wang@example.com" },
                "team": team,
            }),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    (app, team, ticket["number"].as_i64().expect("number"))
}

async fn sign_in(browser: &Browser, base: &str, email: &str, password: &str) {
    browser.goto(&format!("{base}/inbox")).await;
    assert!(browser.path().await.starts_with("/login?next="), "{}", browser.path().await);
    browser.fill("#email", email).await;
    browser.fill("#password", password).await;
    browser.click("button[type=submit].primary").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_in_takes_a_ticket_from_the_queue_and_replies() {
    let Some(browser) = Browser::start("an_agent_signs_in_takes_a_ticket_from_the_queue_and_replies", "en").await else {
        return;
    };
    let (app, _team, number) = workspace().await;
    let base = &app.base;

    sign_in(&browser, base, "alice@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| t == "My open tickets").await;
    browser.screenshot("inbox-en").await;

    browser.click("a[href='/inbox?view=unassigned']").await;
    browser.wait_text("#ticket-list", |t| t.contains("Robot will not dock")).await;
    browser.click(&format!("a[href='/tickets/{number}']")).await;
    browser.wait_text("#subject", |t| t.contains("扫地机器人")).await;

    browser.click("#take").await;
    browser.wait_text("#assignee", |t| t == "李丽 Alice").await;

    browser.fill("#body", "您好，已收到 **your request**.").await;
    browser.click("#send").await;
    let timeline = browser.wait_text("#timeline", |t| t.contains("已收到")).await;
    assert!(timeline.contains("your request"), "{timeline}");
    let strong = browser.text("#timeline .message-reply .body strong").await;
    assert_eq!(strong, "your request", "Markdown renders as formatting");
    // Nothing sticks out sideways at desktop width either (side panels load after the page).
    browser.find("#ticket-surveys").await;
    let sticking_out = browser
        .eval("return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.tagName + '#' + e.id)")
        .await;
    assert_eq!(sticking_out, serde_json::json!([]), "elements wider than the window");
    browser.eval("window.scrollTo(0, 0); return null").await;
    browser.screenshot("ticket-en").await;

    // The reply went through the use case: the customer sees it, the clock stopped.
    let (status, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(status, 200);
    let messages = detail["messages"].as_array().expect("messages");
    let reply = messages.iter().find(|m| m["kind"] == "reply").expect("a reply");
    assert_eq!(reply["body"], "您好，已收到 **your request**.");
    assert_eq!(detail["assignee_id"], detail["owner_id"], "taking it made her the owner");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_on_a_stale_view_warns_and_keeps_the_draft() {
    let Some(browser) = Browser::start("a_reply_on_a_stale_view_warns_and_keeps_the_draft", "en").await else {
        return;
    };
    let (app, _team, number) = workspace().await;
    let base = &app.base;
    sign_in(&browser, base, "alice@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| !t.is_empty()).await;
    browser.goto(&format!("{base}/tickets/{number}")).await;
    browser.wait_text("#subject", |t| t.contains("Robot")).await;
    let seen_at_load = browser.eval("return document.querySelector('input[name=seen]').value").await;

    // Someone else writes on the ticket while the page is open.
    let (status, body) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            json!({ "kind": "note", "body": "客户来电催促" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // The live update shows it. A page whose live connection had dropped would not, and
    // would still carry the version it was loaded with: put that back to stand for one.
    browser.wait_text("#timeline", |t| t.contains("客户来电催促")).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await; // every refresh has landed
    browser
        .client
        .execute(
            "document.querySelector('input[name=seen]').value = arguments[0]",
            vec![seen_at_load],
        )
        .await
        .expect("script");

    browser.fill("#body", "我们会在今天处理。").await;
    browser.click("#send").await;
    let warning = browser.wait_text("#stale-warning", |t| !t.is_empty()).await;
    assert!(warning.contains("changed since you opened it"), "{warning}");
    let timeline = browser.text("#timeline").await;
    assert!(timeline.contains("客户来电催促"), "the new note is shown: {timeline}");
    let draft = browser.find("#body").await.prop("value").await.expect("value");
    assert_eq!(draft.as_deref(), Some("我们会在今天处理。"), "the draft is kept");
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert!(
        !detail["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .any(|m| m["kind"] == "reply"),
        "nothing was sent on the stale view"
    );

    // Sending again, having seen the change, goes through, with a photo attached.
    let photo_dir = tempfile::tempdir().expect("temp dir");
    let photo = photo_dir.path().join("维修单.png");
    // A real 1×1 picture, so the thumbnail must decode.
    std::fs::write(&photo, b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90\x77\x53\xde\x00\x00\x00\x0c\x49\x44\x41\x54\x78\x9c\x63\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82").expect("write");
    browser
        .find("#files")
        .await
        .send_keys(photo.to_str().expect("utf-8 path"))
        .await
        .expect("choose the file");
    browser.click("#send").await;
    browser
        .wait_text("#timeline", |t| t.contains("我们会在今天处理。") && t.contains("维修单.png"))
        .await;
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    let reply = detail["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["kind"] == "reply")
        .expect("the reply")
        .clone();
    assert_eq!(reply["attachments"][0]["file_name"], "维修单.png");
    assert_eq!(reply["attachments"][0]["content_type"], "image/png");
    // The thumbnail loads lazily, once scrolled into view, and decodes asynchronously.
    let mut thumbnail = serde_json::Value::Null;
    for _ in 0..50 {
        thumbnail = browser
            .eval(
                "const img = document.querySelector('.attachments img'); img.scrollIntoView(); return img.complete ? img.naturalWidth : -1",
            )
            .await;
        if thumbnail != -1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(thumbnail, 1, "the picture loads in the page: {thumbnail}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_and_sign_out() {
    let Some(browser) = Browser::start("the_language_switch_and_sign_out", "en").await else {
        return;
    };
    let (app, _team, number) = workspace().await;
    let base = &app.base;

    // A wrong password: one message that does not say whether the account exists.
    sign_in(&browser, base, "alice@example.com", "not her password").await;
    let error = browser.wait_text("#sign-in-error", |t| !t.is_empty()).await;
    assert_eq!(error, "Wrong e-mail or password.");

    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit].primary").await;
    browser.wait_text("h1", |t| t == "My open tickets").await;
    assert_eq!(browser.eval("return document.documentElement.lang").await, "en");

    browser.click("a.lang").await;
    browser.wait_text("h1", |t| t == "我的待办").await;
    assert_eq!(browser.eval("return document.documentElement.lang").await, "zh-CN");
    browser.screenshot("inbox-zh").await;
    browser.goto(&format!("{base}/tickets/{number}")).await;
    browser.wait_text("#timeline-title", |t| t == "处理记录").await;
    browser.screenshot("ticket-zh").await;

    browser.click("form[action='/logout'] button").await;
    browser.wait_text("h1", |t| t == "登录").await;
    browser.goto(&format!("{base}/inbox")).await;
    assert!(browser.path().await.starts_with("/login"), "signed out means signed out");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payloads_in_displayed_fields_do_not_execute() {
    let Some(browser) = Browser::start("payloads_in_displayed_fields_do_not_execute", "en").await else {
        return;
    };
    let (app, team, _) = workspace().await;
    let payloads = [
        "<script>window.__xss=1</script>",
        "<img src=x onerror=\"window.__xss=2\">",
        "<svg onload=\"window.__xss=3\"></svg>",
        "\"><script>window.__xss=4</script>",
        "[click](javascript:window.__xss=5)",
        "<a href=\"javascript:window.__xss=6\">x</a>",
        "<iframe srcdoc=\"<script>parent.__xss=7</script>\"></iframe>",
        "<details open ontoggle=\"window.__xss=8\">",
        "'><body onload=window.__xss=9>",
        "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=10>",
    ];
    let mut numbers = Vec::new();
    for (index, payload) in payloads.iter().enumerate() {
        // Names admins type are displayed too: a category (ticket header, the classify
        // form, the portal's topics) and a custom field's label and value.
        let (status, category) = app
            .post(
                "/api/v1/categories",
                json!({ "parent": "after_sales", "key": format!("x{index}"), "name_zh": payload, "name_en": payload }),
            )
            .await;
        assert_eq!(status, 201, "{category}");
        let (status, field) = app
            .post(
                "/api/v1/custom-fields",
                json!({ "key": format!("f{index}"), "label_zh": payload, "label_en": payload, "kind": "text" }),
            )
            .await;
        assert_eq!(status, 201, "{field}");
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                json!({
                    "subject": format!("{payload} {index}"),
                    "description": payload,
                    "customer": { "name": payload, "email": format!("x{index}@example.com") },
                    "team": team,
                    "tags": ["xss"],
                    "category": format!("after_sales.x{index}"),
                    "custom": { format!("f{index}"): payload },
                }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        let number = ticket["number"].as_i64().expect("number");
        let due = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24)).to_string();
        let (status, promise) = app
            .post(
                &format!("/api/v1/tickets/{number}/commitments"),
                json!({ "what": payload, "due_at": due }),
            )
            .await;
        assert_eq!(status, 201, "{promise}");
        for kind in ["customer", "note", "reply"] {
            let (status, body) = app
                .post(
                    &format!("/api/v1/tickets/{number}/messages"),
                    json!({ "kind": kind, "body": payload }),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }
        // A file's name is shown too (link text, download name, a picture's alt text).
        let files = vec![
            (format!("{payload}.txt"), b"plain text".to_vec()),
            (format!("{payload}.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
        ];
        let (status, body) = app.message_with_files(number, "reply", "files", files).await;
        assert_eq!(status, 201, "{body}");
        numbers.push(number);
    }
    sign_in(&browser, &app.base, "alice@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| !t.is_empty()).await;
    browser.goto(&format!("{}/inbox?view=unassigned", app.base)).await;
    browser.wait_text("#ticket-list", |t| t.contains("window.__xss=1")).await;
    for number in numbers {
        browser.goto(&format!("{}/tickets/{number}", app.base)).await;
        browser.find("#timeline").await;
        let fired = browser.eval("return window.__xss === undefined ? null : window.__xss").await;
        assert!(fired.is_null(), "payload {fired} executed on ticket {number}");
    }
    for page in ["/portal"] {
        browser.goto(&format!("{}{page}", app.base)).await;
        browser.find("h1").await;
        let fired = browser.eval("return window.__xss === undefined ? null : window.__xss").await;
        assert!(fired.is_null(), "payload {fired} executed on {page}");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_on_one_ticket_see_each_other_and_new_messages_live() {
    let Some(alice) = Browser::start("two_agents_on_one_ticket_see_each_other_and_new_messages_live", "en").await else {
        return;
    };
    let Some(bob) = Browser::start("two_agents_on_one_ticket_see_each_other_and_new_messages_live", "en").await else {
        return;
    };
    let (app, _team, number) = workspace().await;
    app.app
        .create_agent_as_operator(NewAgentCommand {
            email: "bob@example.com".into(),
            name: "Bob".into(),
            role: "agent".into(),
            teams: vec!["售后 After-sales".into()],
            password: Some(PASSWORD.into()),
        })
        .await
        .expect("create agent");
    let base = &app.base;
    let ticket = format!("{base}/tickets/{number}");
    sign_in(&alice, base, "alice@example.com", PASSWORD).await;
    alice.wait_text("h1", |t| !t.is_empty()).await;
    sign_in(&bob, base, "bob@example.com", PASSWORD).await;
    bob.wait_text("h1", |t| !t.is_empty()).await;

    alice.goto(&ticket).await;
    alice.find("#timeline").await;
    bob.goto(&ticket).await;
    bob.wait_text("#viewers", |t| t.contains("李丽 Alice")).await;
    alice.wait_text("#viewers", |t| t.contains("Bob")).await;

    // Alice starts a draft; the customer writes meanwhile: both pages show the message
    // without a reload, and the draft is untouched.
    alice.fill("#body", "正在核实 checking").await;
    let (status, body) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            json!({ "kind": "customer", "body": "补充：型号是 X200" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    alice.wait_text("#timeline", |t| t.contains("型号是 X200")).await;
    bob.wait_text("#timeline", |t| t.contains("型号是 X200")).await;
    let draft = alice.find("#body").await.prop("value").await.expect("value");
    assert_eq!(draft.as_deref(), Some("正在核实 checking"));

    // Having seen it live, her reply is not a stale one.
    alice.click("#send").await;
    alice.wait_text("#timeline", |t| t.contains("正在核实")).await;
    bob.wait_text("#timeline", |t| t.contains("正在核实")).await;

    // Bob leaves: Alice no longer sees him (the server notices the closed page on its
    // next keep-alive write).
    bob.goto(&format!("{base}/inbox")).await;
    alice.wait_text_for("#viewers", 20, |t| !t.contains("Bob")).await;
    alice.close().await;
    bob.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_needs_a_reason_and_the_owner_is_notified() {
    let Some(browser) = Browser::start("a_transfer_needs_a_reason_and_the_owner_is_notified", "zh-CN").await else {
        return;
    };
    let (app, _team, number) = workspace().await;
    let field = app.team("上门 Field").await;
    let (bob, _) = app.agent("bob@example.com", "agent", &[field]).await;
    let base = &app.base;
    sign_in(&browser, base, "alice@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| t == "我的待办").await;
    browser.goto(&format!("{base}/tickets/{number}")).await;
    browser.click("#take").await;
    browser.wait_text("#assignee", |t| t == "李丽 Alice").await;
    browser.fill("#body", "您好，我们会安排工程师上门。").await;
    browser.click("#send").await;
    browser.wait_text("#owner", |t| t == "李丽 Alice").await;

    // She hands it to Bob in the field team, saying why.
    browser.click(&format!("#transfer-team option[value='{field}']")).await;
    browser.click(&format!("#transfer-agent option[value='{bob}']")).await;
    browser.fill("#transfer-reason", "需要上门检修").await;
    browser.click("#transfer").await;
    browser.wait_text("#assignee", |t| t == "bob@example.com").await;
    let timeline = browser.text("#timeline").await;
    assert!(timeline.contains("转交了工单: 需要上门检修"), "{timeline}");
    assert_eq!(browser.text("#owner").await, "李丽 Alice", "首问负责: she stays the owner");

    // Someone else moves her ticket on: she, the owner, is told.
    let (status, body) = app
        .post(
            &format!("/api/v1/tickets/{number}/transfer"),
            json!({ "team": field, "reason": "改派 reassigned" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    browser.goto(&format!("{base}/inbox")).await;
    browser.wait_text("#notification-badge", |t| t == "1").await;
    browser.click("#notifications-link").await;
    let list = browser.wait_text("#notification-list", |t| !t.is_empty()).await;
    assert!(list.contains("您负责的工单被转交"), "{list}");
    assert!(list.contains(&format!("#{number}")), "{list}");
    browser.screenshot("notifications-zh").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_submits_on_the_portal_and_follows_up_through_the_tracking_link() {
    let Some(browser) = Browser::start("a_customer_submits_on_the_portal_and_follows_up_through_the_tracking_link", "zh-CN").await else {
        return;
    };
    let (app, _team, _) = workspace().await;
    let base = &app.base;
    browser.goto(&format!("{base}/portal")).await;
    browser.wait_text("h1", |t| t == "客服中心").await;
    browser.screenshot("portal-zh").await;
    browser.fill("#name", "张伟").await;
    browser.fill("#email", "zhang@example.com").await;
    browser.find("#kind option[value='after_sales']").await.click().await.expect("kind");
    browser.fill("#subject", "洗碗机漏水").await;
    browser.fill("#description", "洗碗机底部漏水，已经停用。").await;
    browser.click("#submit-request").await;
    let received = browser.wait_text("#received", |t| t.contains("我们已收到您的请求")).await;
    let link = browser
        .find("#tracking-link")
        .await
        .attr("href")
        .await
        .expect("href")
        .expect("link");
    assert!(
        link.starts_with("/portal/t/kefu_") && link.len() > 60,
        "an unguessable link: {link}"
    );
    let number: i64 = received
        .split('#')
        .nth(1)
        .and_then(|rest| rest.split('。').next())
        .and_then(|n| n.trim().parse().ok())
        .expect("number");

    // The ticket is a web ticket of that customer; an agent answers and notes internally.
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(detail["channel"], "web");
    assert_eq!(detail["kind"], "after_sales");
    for (kind, body) in [("reply", "请提供购买凭证 please send the receipt"), ("note", "内部：可能是密封圈")] {
        let (status, answer) = app
            .post(&format!("/api/v1/tickets/{number}/messages"), json!({ "kind": kind, "body": body }))
            .await;
        assert_eq!(status, 201, "{answer}");
    }

    // Days later the customer comes back through the link alone.
    let later = Browser::start("portal-second-visit", "zh-CN").await.expect("browser");
    later.goto(&format!("{base}{link}")).await;
    let conversation = later.wait_text("#portal-timeline", |t| t.contains("请提供购买凭证")).await;
    assert!(
        !conversation.contains("密封圈"),
        "internal notes never reach the customer: {conversation}"
    );
    later.fill("#body", "凭证已上传 receipt attached").await;
    later.click("#portal-send").await;
    later.wait_text("#portal-timeline", |t| t.contains("凭证已上传")).await;
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(detail["status"], "open", "the customer's answer resumes the pending ticket");

    later.click("#mark-solved").await;
    later.wait_text("#portal-notice", |t| t.contains("已标记为已解决")).await;
    assert_eq!(later.text("#portal-status").await, "已解决");
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    assert_eq!(detail["status"], "resolved");
    later.screenshot("portal-ticket-zh").await;
    later.close().await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_an_sla_policy_and_a_macro_and_an_agent_replies_with_it() {
    let Some(browser) = Browser::start("an_admin_creates_an_sla_policy_and_a_macro_and_an_agent_replies_with_it", "zh-CN").await else {
        return;
    };
    let (app, _team, number) = workspace().await;
    app.app
        .create_agent_as_operator(NewAgentCommand {
            email: "boss@example.com".into(),
            name: "主管 Boss".into(),
            role: "admin".into(),
            teams: vec![],
            password: Some(PASSWORD.into()),
        })
        .await
        .expect("create admin");
    let base = &app.base;
    sign_in(&browser, base, "boss@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| !t.is_empty()).await;
    browser.click("#admin-link").await;
    browser.wait_text("h1", |t| t == "SLA 策略").await;

    // Without a target the policy is refused, with a readable reason, and nothing is added.
    browser.fill("#policy-name", "紧急工单 Urgent").await;
    browser.click("#create-policy").await;
    browser.wait_text("#admin-error", |t| !t.is_empty()).await;
    browser.fill("#policy-name", "紧急工单 Urgent").await;
    browser.click("#priority-urgent").await;
    browser.fill("#first-response", "10").await;
    browser.fill("#resolution", "4").await;
    browser.click("#create-policy").await;
    browser.wait_text("#policy-list", |t| t.contains("紧急工单 Urgent")).await;
    browser.screenshot("admin-policies-zh").await;
    let (_, policies) = app.get("/api/v1/sla-policies").await;
    let created: Vec<&serde_json::Value> = policies
        .as_array()
        .expect("policies")
        .iter()
        .filter(|p| p["name"] == "紧急工单 Urgent")
        .collect();
    assert_eq!(created.len(), 1, "{policies}");
    assert_eq!(created[0]["conditions"]["priorities"], json!(["urgent"]));
    let targets = created[0]["targets"].as_array().expect("targets");
    assert!(
        targets.iter().any(|t| t["metric"] == "first_response" && t["seconds"] == 600),
        "{targets:?}"
    );
    assert!(
        targets.iter().any(|t| t["metric"] == "resolution" && t["seconds"] == 14_400),
        "{targets:?}"
    );

    browser.goto(&format!("{base}/admin/macros")).await;
    browser.fill("#macro-name", "加急 Expedite").await;
    browser
        .fill("#macro-zh", "{{ customer.name }}您好，工单 {{ ticket.number }} 已为您加急。")
        .await;
    browser
        .fill(
            "#macro-en",
            "Hello {{ customer.name }}, ticket {{ ticket.number }} is now expedited.",
        )
        .await;
    browser.click("#create-macro").await;
    browser.wait_text("#macro-list", |t| t.contains("加急 Expedite")).await;
    browser.click("form[action='/logout'] button").await;
    // The sign-out's redirect must land before the next navigation starts.
    browser.wait_text("h1", |t| t == "登录").await;

    // An agent answers with it: the variables are filled in, she sends it.
    sign_in(&browser, base, "alice@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| !t.is_empty()).await;
    browser.goto(&format!("{base}/tickets/{number}")).await;
    browser.click("#macro option:nth-child(2)").await;
    browser.click("#insert-macro").await;
    let expected = format!("王芳您好，工单 {number} 已为您加急。");
    // The editor is swapped for the filled one; until then (or while it is being swapped,
    // when the element just found may already be gone) it holds something else.
    let mut value = String::new();
    for _ in 0..50 {
        value = browser.find("#body").await.prop("value").await.ok().flatten().unwrap_or_default();
        if value == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(value, expected);
    browser.click("#send").await;
    browser.wait_text("#timeline", |t| t.contains(&expected)).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_fit_a_phone_375_pixels_wide() {
    let Some(browser) = Browser::start("the_pages_fit_a_phone_375_pixels_wide", "zh-CN").await else {
        return;
    };
    browser.client.set_window_size(375, 812).await.expect("resize");
    let (app, _team, number) = workspace().await;
    let base = &app.base;
    sign_in(&browser, base, "alice@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| !t.is_empty()).await;
    for path in [
        "/inbox?view=unassigned".to_owned(),
        format!("/tickets/{number}"),
        "/notifications".to_owned(),
        "/portal".to_owned(),
    ] {
        browser.goto(&format!("{base}{path}")).await;
        browser.find("main h1, main h2").await;
        let overflow = browser
            .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            .await;
        assert!(
            overflow.as_i64().unwrap_or(1) <= 0,
            "{path} scrolls sideways by {overflow} px at 375 px"
        );
    }
    browser.goto(&format!("{base}/tickets/{number}")).await;
    browser.screenshot("ticket-phone-zh").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_records_a_commitment_and_whether_it_was_kept() {
    let Some(browser) = Browser::start("an_agent_records_a_commitment_and_whether_it_was_kept", "en").await else {
        return;
    };
    let (app, _team, number) = workspace().await;
    let base = &app.base;
    sign_in(&browser, base, "alice@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| !t.is_empty()).await;
    browser.goto(&format!("{base}/tickets/{number}")).await;
    browser.click("#take").await;
    browser.wait_text("#assignee", |t| t == "李丽 Alice").await;
    browser.fill("#commitment-what", "明天上午回电 call back tomorrow").await;
    // A datetime-local field types differently per locale; set its value as a browser would.
    browser
        .eval("document.getElementById('commitment-due').value = '2031-03-01T10:00'; return null")
        .await;
    browser.click("#make-commitment").await;
    browser
        .wait_text("#commitments", |t| t.contains("call back tomorrow") && t.contains("Open"))
        .await;
    let (_, made) = app.get(&format!("/api/v1/tickets/{number}/commitments")).await;
    assert_eq!(made[0]["status"], "open", "{made}");
    browser.click("#commitments button[value='kept']").await;
    // The open commitment's buttons say "Kept" too: wait for its status to change.
    browser
        .wait_text("#commitments", |t| t.contains("Kept") && !t.contains("Open"))
        .await;
    let (_, kept) = app.get(&format!("/api/v1/tickets/{number}/commitments")).await;
    assert_eq!(kept[0]["status"], "kept", "{kept}");
    browser.close().await;
}

/// `/` jumps to the search box from anywhere in the workspace; the results highlight the
/// match. On the public help center, suggestions appear while the customer types, and an
/// article takes feedback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_searches_with_the_slash_key_and_a_customer_finds_an_article_as_they_type() {
    let Some(browser) = Browser::start(
        "an_agent_searches_with_the_slash_key_and_a_customer_finds_an_article_as_they_type",
        "zh-CN",
    )
    .await
    else {
        return;
    };
    let (app, _team, number) = workspace().await;
    let base = &app.base;
    let (status, article) = app
        .post(
            "/api/v1/articles",
            json!({ "slug": "robot-dock", "locale": "zh-CN", "title": "扫地机器人无法回充怎么办", "body": "请先清洁充电触点，再检查充电座的摆放位置。" }),
        )
        .await;
    assert_eq!(status, 201, "{article}");
    let id = article["id"].as_i64().expect("id");
    let (status, _) = app
        .post(&format!("/api/v1/articles/{id}/status"), json!({ "status": "published" }))
        .await;
    assert_eq!(status, 200);

    sign_in(&browser, base, "alice@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| !t.is_empty()).await;
    browser
        .eval("document.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true})); return null;")
        .await;
    let focused = browser.eval("return document.activeElement && document.activeElement.id;").await;
    assert_eq!(focused, json!("search-box"), "the / key focuses the search box");
    browser.fill("#search-box", "回充\u{E007}").await;
    browser.wait_text("#search-results", |t| t.contains(&format!("#{number}"))).await;
    let highlighted = browser
        .eval("return document.querySelector('#search-results .snippet b, #search-results .hit-title') !== null;")
        .await;
    assert_eq!(highlighted, json!(true));
    browser.screenshot("search-zh").await;

    browser.goto(&format!("{base}/help")).await;
    browser.fill("#help-q", "回充").await;
    browser
        .wait_text("#help-suggestions", |t| t.contains("扫地机器人无法回充怎么办"))
        .await;
    browser.screenshot("help-center-suggestions-zh").await;
    browser.click("#help-suggestions a.hit-title").await;
    browser.wait_text("#article-title", |t| t == "扫地机器人无法回充怎么办").await;
    browser.click("#helpful-yes").await;
    browser.wait_text("#article-feedback", |t| t.contains("感谢")).await;
    let (_, article) = app.get(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(article["helpful"], 1, "{article}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_answers_a_five_dimension_survey_and_the_supervisor_sees_the_low_score() {
    let Some(browser) = Browser::start(
        "a_customer_answers_a_five_dimension_survey_and_the_supervisor_sees_the_low_score",
        "zh-CN",
    )
    .await
    else {
        return;
    };
    let (app, team, number) = workspace().await;
    let base = &app.base;
    app.app
        .create_agent_as_operator(NewAgentCommand {
            email: "lead@example.com".into(),
            name: "主管 Lead".into(),
            role: "supervisor".into(),
            teams: vec!["售后 After-sales".into()],
            password: Some(PASSWORD.into()),
        })
        .await
        .expect("create supervisor");
    let (_, agents) = app.get("/api/v1/agents").await;
    let lead = agents
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "lead@example.com")
        .unwrap()["id"]
        .clone();
    let (status, _) = app.patch(&format!("/api/v1/teams/{team}"), json!({ "lead_agent_id": lead })).await;
    assert_eq!(status, 200);
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
    let (status, _) = app
        .patch(&format!("/api/v1/customers/{}", ticket["customer_id"]), json!({ "consent": true }))
        .await;
    assert_eq!(status, 200);
    let (status, sent) = app
        .post(&format!("/api/v1/tickets/{number}/surveys"), json!({ "design": "service5" }))
        .await;
    assert_eq!(status, 201, "{sent}");
    let link = format!("{base}/s/{}", sent["token"].as_str().unwrap());

    // A mail scanner follows the link several times: nothing is answered.
    for _ in 0..3 {
        let scanned = reqwest::get(&link).await.expect("scanner");
        assert_eq!(scanned.status(), 200);
    }

    // The customer clicked 9 in the e-mail: the first rating is chosen already.
    browser.goto(&format!("{link}?r=9")).await;
    browser.wait_text("h1", |t| t.contains("服务满意度回访")).await;
    let checked = browser
        .eval("return document.querySelector(\"input[name='rating.skill']:checked\").value")
        .await;
    assert_eq!(checked, "9");
    for (question, rating) in [("attitude", 8), ("timeliness", 2), ("parts", 9), ("overall", 7)] {
        browser.click(&format!("#q-{question} label.scale-point:nth-child({rating})")).await;
    }
    browser.click("#q-timeliness details summary").await;
    browser.click("#q-timeliness input[value='late_arrival']").await;
    browser.click("#q-timeliness input[value='engineer_busy']").await;
    browser.fill("#comment", "工程师第三天才到 The engineer came on day three").await;
    browser.screenshot("survey-zh").await;
    browser.click("#survey-submit").await;
    let thanks = browser.wait_text("#survey-thanks", |t| t.contains("跟进单 #")).await;
    let followup: i64 = thanks
        .split('#')
        .nth(1)
        .and_then(|rest| rest.split('，').next())
        .and_then(|n| n.trim().parse().ok())
        .expect("follow-up number");
    let (_, complaint) = app.get(&format!("/api/v1/tickets/{followup}")).await;
    assert_eq!(complaint["kind"], "complaint");
    assert_eq!(complaint["assignee_id"], lead);

    // The supervisor sees the low score, its reasons and the follow-up in the report.
    let supervisor = Browser::start("survey-report-supervisor", "zh-CN").await.expect("browser");
    sign_in(&supervisor, base, "lead@example.com", PASSWORD).await;
    supervisor.wait_text("h1", |t| !t.is_empty()).await;
    supervisor.click("#satisfaction-link").await;
    let dimensions = supervisor.wait_text("#report-dimensions", |t| t.contains("服务及时性")).await;
    assert!(dimensions.contains("20.0"), "timeliness scored 2 of 10: {dimensions}");
    let reasons = supervisor.text("#report-reasons").await;
    assert!(reasons.contains("到达现场晚") && reasons.contains("工程师太忙"), "{reasons}");
    let low = supervisor.text("#report-low").await;
    assert!(low.contains("工程师第三天才到") && low.contains(&format!("#{followup}")), "{low}");
    supervisor.screenshot("survey-report-zh").await;
    supervisor.click(&format!("#report-low a[href='/tickets/{followup}']")).await;
    supervisor.wait_text("h1", |t| t.contains("满意度低分回访")).await;
    supervisor.close().await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_watches_the_dashboard_change_live_and_reads_the_kpi_report() {
    let Some(browser) = Browser::start("a_supervisor_watches_the_dashboard_change_live_and_reads_the_kpi_report", "zh-CN").await else {
        return;
    };
    let (app, team, _number) = workspace().await;
    app.app
        .create_agent_as_operator(NewAgentCommand {
            email: "lead@example.com".into(),
            name: "周主管 Lead".into(),
            role: "supervisor".into(),
            teams: vec!["售后 After-sales".into()],
            password: Some(PASSWORD.into()),
        })
        .await
        .expect("create supervisor");
    let base = &app.base;
    sign_in(&browser, base, "lead@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| !t.is_empty()).await;
    browser.click("#dashboard-link").await;
    browser.wait_text("#tile-open .big", |t| t == "1").await;

    // A new ticket arrives: the open count and today's numbers change without a reload.
    let (status, ticket) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "空调漏水 AC leaking", "description": "室内机滴水", "customer": { "email": "li@example.com" }, "team": team }),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    browser.wait_text_for("#tile-open .big", 15, |t| t == "2").await;
    browser
        .wait_text_for("#dashboard-today [data-kpi=created]", 15, |t| t.contains('2'))
        .await;
    browser.screenshot("dashboard-zh").await;

    // The KPI report by channel, with definitions on hover.
    browser.goto(&format!("{base}/reports/kpis?group=channel")).await;
    let totals = browser.text("#kpi-totals").await;
    assert!(totals.contains("新建") && totals.contains("一次解决率"), "{totals}");
    let groups = browser.text("#kpi-groups").await;
    assert!(!groups.is_empty(), "{groups}");
    browser.goto(&format!("{base}/reports/kpis?group=day&metric=created")).await;
    let trend = browser.text("#kpi-trend").await;
    assert!(trend.contains("实线：本期"), "{trend}");
    browser.screenshot("kpi-trend-zh").await;

    // Six more leaks in a few minutes: 漏水 is a hot issue, reached from the dashboard.
    for i in 0..6 {
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                json!({ "subject": format!("空调漏水 {i}"), "description": "空调室内机漏水", "customer": { "email": format!("leak{i}@example.com") } }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
    }
    browser.goto(&format!("{base}/dashboard")).await;
    browser.click("#hot-link").await;
    for _ in 0..30 {
        if browser.text("main").await.contains("漏水") {
            break;
        }
        // The reactor counts topics within about a second; look again.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        browser.goto(&format!("{base}/reports/hot")).await;
    }
    let topics = browser.text("#hot-topics").await;
    assert!(topics.contains("漏水") && topics.contains("空调"), "{topics}");
    browser.screenshot("hot-issues-zh").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sla_countdown_ticks_in_the_page() {
    let Some(browser) = Browser::start("the_sla_countdown_ticks_in_the_page", "zh-CN").await else {
        return;
    };
    let (app, team, _) = workspace().await;
    // A chat waits at most 30 s for its first reply (seeded policy, elapsed time).
    let (status, chat) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "在线咨询 Chat", "description": "在吗？", "channel": "chat", "team": team,
                    "customer": { "name": "赵雷", "email": "zhao@example.com" } }),
        )
        .await;
    assert_eq!(status, 201, "{chat}");
    let number = chat["number"].as_i64().expect("number");
    sign_in(&browser, &app.base, "alice@example.com", PASSWORD).await;
    browser.wait_text("h1", |t| !t.is_empty()).await;
    browser.goto(&format!("{}/tickets/{number}", app.base)).await;
    let first = browser.text(".countdown").await;
    assert!(first.contains('分') && first.contains('秒'), "{first}");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let later = browser.text(".countdown").await;
    assert_ne!(first, later, "the countdown moves on its own");
    browser.close().await;
}
