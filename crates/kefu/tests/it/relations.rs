//! Work on several tickets at once, end to end: a duplicate merged into the ticket that
//! carries on (its conversation and files copied, the customer's later messages following
//! it), refusals that write nothing, links both tickets list (seen only by who may see
//! them), and bulk changes from the API and the inbox with their report.

use crate::on_both;
use crate::support::{Backend, TestApp, event_kinds, spawn};
use crate::ui::{no_redirects, signed_in, with_agent};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

async fn status_of(app: &TestApp, number: i64) -> String {
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
    ticket["status"].as_str().expect("status").to_owned()
}

async fn code_of(app: &TestApp, from: i64, into: Value) -> (u16, String) {
    let (status, problem) = app.post(&format!("/api/v1/tickets/{from}/merge"), json!({ "ticket": into })).await;
    (status, problem["code"].as_str().unwrap_or_default().to_owned())
}

async fn a_duplicate_merges_with_its_conversation_and_files_and_the_customer_follows(backend: Backend) {
    let app = spawn(backend).await;
    let target = app.ticket("洗碗机不出水 Dishwasher", "chen@example.com").await;
    let source = app.ticket("洗碗机又坏了 Dishwasher again", "chen@example.com").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{source}/messages"),
            json!({ "kind": "customer", "body": "型号 DW-300" }),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .message_with_files(source, "note", "保修卡 warranty card", vec![("保修卡.pdf".into(), PDF.to_vec())])
        .await;
    assert_eq!(status, 201);

    let (status, merged) = app
        .post(&format!("/api/v1/tickets/{source}/merge"), json!({ "ticket": target }))
        .await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["source"]["status"], "closed");
    assert_eq!(merged["target"]["number"], target);
    assert_eq!(status_of(&app, source).await, "closed");

    // The target holds the whole story in one internal note, with the file.
    let (_, detail) = app.get(&format!("/api/v1/tickets/{target}")).await;
    let note = detail["messages"].as_array().expect("messages").last().expect("the note").clone();
    assert_eq!(note["kind"], "note");
    let text = note["body"].as_str().expect("body");
    assert!(text.starts_with(&format!("合并自 #{source} / Merged from #{source}")), "{text}");
    for part in ["洗碗机又坏了", "型号 DW-300", "保修卡 warranty card"] {
        assert!(text.contains(part), "{part} in {text}");
    }
    assert_eq!(note["attachments"][0]["file_name"], "保修卡.pdf");
    let copied = note["attachments"][0]["id"].as_i64().expect("id");
    let file = app
        .client
        .get(format!("{}/api/v1/tickets/{target}/attachments/{copied}", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("get");
    assert_eq!(file.bytes().await.expect("bytes").as_ref(), PDF);

    assert!(
        event_kinds(&app, source)
            .await
            .ends_with(&["merged_into".to_owned(), "status_changed".to_owned()])
    );
    assert!(event_kinds(&app, target).await.contains(&"merged_from".to_owned()));
    let (_, links) = app.get(&format!("/api/v1/tickets/{source}/links")).await;
    assert_eq!(links["merged_into"], target);
    let (_, links) = app.get(&format!("/api/v1/tickets/{target}/links")).await;
    assert_eq!(links["merged_from"], json!([source]));

    // What the customer writes on the duplicate now lands where the work goes on.
    let (status, added) = app
        .post(
            &format!("/api/v1/tickets/{source}/messages"),
            json!({ "kind": "customer", "body": "还是不出水" }),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["ticket"]["number"], target);

    // Refusals write nothing.
    let before = (event_kinds(&app, source).await.len(), event_kinds(&app, target).await.len());
    assert_eq!(code_of(&app, source, json!(target)).await, (409, "ticket_closed".into()));
    assert_eq!(code_of(&app, target, json!(target)).await, (409, "same_ticket".into()));
    let stranger = app.ticket("别人的 Someone else's", "other@example.com").await;
    assert_eq!(code_of(&app, stranger, json!(target)).await, (409, "different_customers".into()));
    assert_eq!(code_of(&app, target, json!(999_999)).await, (404, "ticket_not_found".into()));
    let (status, problem) = app.post(&format!("/api/v1/tickets/{target}/merge"), json!({})).await;
    assert_eq!((status, problem["errors"][0]["code"].clone()), (422, json!("required")));
    assert_eq!(
        before,
        (event_kinds(&app, source).await.len(), event_kinds(&app, target).await.len())
    );
    assert_eq!(status_of(&app, stranger).await, "new");
}

async fn related_tickets_are_linked_both_ways_and_shown_only_to_who_may_see_them(backend: Backend) {
    let app = spawn(backend).await;
    let repairs = app.team("维修 Repairs").await;
    let (_, agent_token) = app.agent("liu@example.com", "agent", &[]).await;
    let outage_a = app.ticket("停电 Outage A", "a@example.com").await;
    let outage_b = app.ticket("停电 Outage B", "b@example.com").await;
    let internal = app.ticket("维修单 Repair order", "c@example.com").await;
    let (status, _) = app.patch(&format!("/api/v1/tickets/{internal}"), json!({ "team": repairs })).await;
    assert_eq!(status, 200);

    let (status, links) = app
        .post(&format!("/api/v1/tickets/{outage_a}/links"), json!({ "ticket": outage_b }))
        .await;
    assert_eq!(status, 200, "{links}");
    assert_eq!(links["linked"][0]["number"], outage_b);
    assert_eq!(links["linked"][0]["subject"], "停电 Outage B");
    let (status, again) = app
        .post(&format!("/api/v1/tickets/{outage_b}/links"), json!({ "ticket": outage_a }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["linked"][0]["number"], outage_a, "the other side lists it too");
    let linked_events = |kinds: Vec<String>| kinds.iter().filter(|k| *k == "linked").count();
    assert_eq!(linked_events(event_kinds(&app, outage_a).await), 1, "linking twice records it once");
    assert_eq!(linked_events(event_kinds(&app, outage_b).await), 1);
    let (status, _) = app
        .post(&format!("/api/v1/tickets/{outage_a}/links"), json!({ "ticket": internal }))
        .await;
    assert_eq!(status, 200);

    // An agent outside the repairs team sees the outage link, not the repair order's.
    let (status, seen) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/tickets/{outage_a}/links"),
            Some(&agent_token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{seen}");
    let numbers: Vec<i64> = seen["linked"]
        .as_array()
        .expect("linked")
        .iter()
        .map(|t| t["number"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(numbers, [outage_b]);
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/tickets/{outage_b}/links"),
            Some(&agent_token),
            Some(json!({ "ticket": internal })),
        )
        .await;
    assert_eq!(status, 403, "nor can they link it");

    let (status, problem) = app
        .post(&format!("/api/v1/tickets/{outage_a}/links"), json!({ "ticket": outage_a }))
        .await;
    assert_eq!((status, problem["errors"][0]["code"].clone()), (422, json!("same_ticket")));
    let response = app
        .client
        .delete(format!("{}/api/v1/tickets/{outage_a}/links/{outage_b}", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), 200);
    let (_, links) = app.get(&format!("/api/v1/tickets/{outage_b}/links")).await;
    assert_eq!(links["linked"], json!([]));
    assert!(event_kinds(&app, outage_b).await.contains(&"unlinked".to_owned()));
}

async fn the_portal_link_of_a_merged_request_forwards_replies_and_shows_nothing_else(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let mut links = Vec::new();
    for subject in ["空调漏水 AC leaks", "空调还在漏 AC still leaks"] {
        let response = client
            .post(format!("{}/portal", app.base))
            .form(&[
                ("name", "周 Zhou"),
                ("email", "zhou@example.com"),
                ("kind", "after_sales"),
                ("subject", subject),
                ("description", "客厅空调 living room"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        links.push(
            response.headers()[LOCATION]
                .to_str()
                .expect("ascii")
                .trim_end_matches("?new=1")
                .to_owned(),
        );
    }
    let (_, tickets) = app.get("/api/v1/tickets?sort=created").await;
    let first = tickets["items"][0]["number"].as_i64().expect("number");
    let second = tickets["items"][1]["number"].as_i64().expect("number");

    // The agent merges the second into the first in the workspace (confirming it).
    let (cookie, csrf) = signed_in(&app, &client).await;
    let merge = |confirm: &'static str| {
        client
            .post(format!("{}/tickets/{second}/merge", app.base))
            .header("cookie", &cookie)
            .form(&[("_csrf", csrf.as_str()), ("ticket", &format!("#{first}")), ("confirm", confirm)])
            .send()
    };
    assert_eq!(
        merge("").await.expect("post").status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "not without confirming"
    );
    assert_eq!(status_of(&app, second).await, "new");
    let merged = merge("yes").await.expect("post");
    assert_eq!(merged.status(), StatusCode::SEE_OTHER);
    assert_eq!(merged.headers()[LOCATION], format!("/tickets/{first}").as_str());

    // The second request's link says where it went, shows only its own conversation (the
    // same customer rests on an unverified address), and a reply there is added to the first.
    let page = client
        .get(format!("{}{}", app.base, links[1]))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(page.contains(&format!("已合并到 #{first}")), "{page}");
    assert!(
        page.contains("空调还在漏 AC still leaks") && !page.contains("空调漏水 AC leaks"),
        "{page}"
    );
    let replied = client
        .post(format!("{}{}/reply", app.base, links[1]))
        .form(&[("body", "师傅几点到？ When does the engineer come?")])
        .send()
        .await
        .expect("post");
    assert_eq!(replied.status(), StatusCode::SEE_OTHER);
    let (_, detail) = app.get(&format!("/api/v1/tickets/{first}")).await;
    let last = detail["messages"].as_array().expect("messages").last().expect("message").clone();
    assert_eq!(
        (last["kind"].as_str(), last["body"].as_str()),
        (Some("customer"), Some("师傅几点到？ When does the engineer come?"))
    );
    assert_eq!(status_of(&app, second).await, "closed", "the duplicate stays closed");

    // The workspace shows the relation on both pages.
    let first_page = app.page(&client, &format!("/tickets/{first}"), Some(&cookie)).await;
    assert!(first_page.contains("id=\"merged-from\""), "{first_page}");
    let second_page = app.page(&client, &format!("/tickets/{second}"), Some(&cookie)).await;
    assert!(second_page.contains("id=\"merged-into\"") && !second_page.contains("id=\"merge-form\""));
}

on_both!(
    a_duplicate_merges_with_its_conversation_and_files_and_the_customer_follows,
    related_tickets_are_linked_both_ways_and_shown_only_to_who_may_see_them,
    the_portal_link_of_a_merged_request_forwards_replies_and_shows_nothing_else,
    many_tickets_change_at_once_and_the_report_says_what_happened_to_each,
    the_inbox_bulk_bar_changes_the_checked_tickets,
);

async fn many_tickets_change_at_once_and_the_report_says_what_happened_to_each(backend: Backend) {
    let app = spawn(backend).await;
    let repairs = app.team("维修 Repairs").await;
    let (agent_id, agent_token) = app.agent("wu@example.com", "agent", &[]).await;
    let a = app.ticket("一 One", "one@example.com").await;
    let b = app.ticket("二 Two", "two@example.com").await;
    let hidden = app.ticket("三 Three", "three@example.com").await;
    let (status, _) = app
        .patch(&format!("/api/v1/tickets/{hidden}"), json!({ "team": repairs, "tags": ["old"] }))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.patch(&format!("/api/v1/tickets/{a}"), json!({ "tags": ["old", "keep"] })).await;
    assert_eq!(status, 200);

    let change = json!({ "tickets": [a, b, a], "assignee": agent_id, "status": "pending", "add_tags": ["电池"], "remove_tags": ["old"] });
    let (status, report) = app.post("/api/v1/tickets/bulk", change.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["changed"], json!([a, b]), "each ticket once");
    let (_, one) = app.get(&format!("/api/v1/tickets/{a}")).await;
    assert_eq!(
        (one["assignee_id"].as_i64(), one["status"].as_str()),
        (Some(agent_id), Some("pending"))
    );
    assert_eq!(one["tags"], json!(["keep", "电池"]));
    assert!(event_kinds(&app, b).await.contains(&"assigned".to_owned()));

    // The same change again: already so, nothing written.
    let events_before = event_kinds(&app, a).await.len();
    let (_, again) = app.post("/api/v1/tickets/bulk", change).await;
    assert_eq!((again["changed"].clone(), again["unchanged"].clone()), (json!([]), json!([a, b])));
    assert_eq!(event_kinds(&app, a).await.len(), events_before);

    // An agent outside the repairs team changes what they may and is told about the rest;
    // resolving without a reply is refused per ticket by the ticket's own rule.
    let (status, mixed) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/tickets/bulk",
            Some(&agent_token),
            Some(json!({ "tickets": [a, hidden], "priority": "high" })),
        )
        .await;
    assert_eq!(status, 200, "{mixed}");
    assert_eq!(mixed["changed"], json!([a]));
    assert_eq!(mixed["failed"][0]["number"], hidden);
    assert_eq!(mixed["failed"][0]["code"], "forbidden");
    let (_, third) = app.get(&format!("/api/v1/tickets/{hidden}")).await;
    assert_eq!(third["priority"], "normal", "a refused ticket is untouched");
    let (_, resolved) = app
        .post("/api/v1/tickets/bulk", json!({ "tickets": [b], "status": "resolved" }))
        .await;
    assert_eq!(resolved["failed"][0]["code"], "resolve_needs_reply", "{resolved}");

    // Bad requests name their field and change nothing.
    let too_many: Vec<i64> = (1..=101).collect();
    for (body, field) in [
        (json!({ "tickets": [], "status": "open" }), "tickets"),
        (json!({ "tickets": too_many, "status": "open" }), "tickets"),
        (json!({ "tickets": [a] }), "assignee"),
        (json!({ "tickets": [a], "status": "done" }), "status"),
    ] {
        let (status, problem) = app.post("/api/v1/tickets/bulk", body).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}

async fn the_inbox_bulk_bar_changes_the_checked_tickets(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (cookie, csrf) = signed_in(&app, &client).await;
    let a = app.ticket("甲 First", "f@example.com").await;
    let b = app.ticket("乙 Second", "s@example.com").await;
    let inbox = app.page(&client, "/inbox?view=all", Some(&cookie)).await;
    assert!(inbox.contains(&format!("id=\"pick-{a}\"")), "a checkbox per row");
    let send = |tickets: Vec<i64>| {
        let mut form: Vec<(String, String)> = vec![
            ("_csrf".into(), csrf.clone()),
            ("back".into(), "/inbox?view=all".into()),
            ("assignee".into(), "me".into()),
            ("status".into(), String::new()),
            ("add_tag".into(), "批量".into()),
        ];
        form.extend(tickets.into_iter().map(|n| ("tickets".to_owned(), n.to_string())));
        client
            .post(format!("{}/inbox/bulk", app.base))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    let none = send(vec![]).await.expect("post");
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = send(vec![a, b]).await.expect("post");
    assert_eq!(done.status(), StatusCode::OK);
    let page = done.text().await.expect("html");
    assert!(page.contains("已修改 2 个，0 个无需修改，0 个被拒绝。"), "{page}");
    assert!(page.contains("href=\"/inbox?view=all\""), "back to the same list");
    for number in [a, b] {
        let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
        assert_eq!(ticket["tags"], json!(["批量"]));
        assert!(ticket["assignee_id"].as_i64().is_some());
    }
}
