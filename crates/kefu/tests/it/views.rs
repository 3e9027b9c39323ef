//! Saved personal views: a filter kept under a name, checked as the list checks it, shown
//! as a tab to its agent only.

use crate::on_both;
use crate::support::{Backend, spawn};
use crate::ui::{no_redirects, signed_in, with_agent};
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn views_are_saved_in_one_form_checked_and_private(backend: Backend) {
    let app = spawn(backend).await;
    let (_, other_token) = app.agent("zhang@example.com", "agent", &[]).await;
    let (status, view) = app
        .post(
            "/api/v1/views",
            json!({ "name": "我的 VIP", "query": "?sort=sla_due&cursor=abc&tag=vip&status=open,pending&unknown=1" }),
        )
        .await;
    assert_eq!(status, 201, "{view}");
    assert_eq!(
        view["query"], "status=open%2Cpending&tag=vip&sort=sla_due",
        "known parameters, one order"
    );
    let (_, listed) = app.get("/api/v1/views").await;
    assert_eq!(listed, json!([view.clone()]));

    for (body, code) in [
        (json!({ "name": "我的 VIP", "query": "status=open" }), "view_name_taken"),
        (json!({ "name": "坏", "query": "status=done" }), "validation_failed"),
        (json!({ "name": "空", "query": "cursor=abc" }), "validation_failed"),
        (json!({ "name": " ", "query": "status=open" }), "validation_failed"),
    ] {
        let (status, problem) = app.post("/api/v1/views", body.clone()).await;
        assert_eq!(problem["code"], code, "{body}: {problem}");
        assert!(status == 409 || status == 422);
    }
    let (_, problem) = app.post("/api/v1/views", json!({ "name": "坏", "query": "status=done" })).await;
    assert_eq!(problem["errors"][0]["field"], "query.status");

    // Another agent sees none of them and cannot delete them.
    let id = view["id"].as_i64().expect("id");
    let (_, theirs) = app.call(Method::GET, "/api/v1/views", Some(&other_token), None).await;
    assert_eq!(theirs, json!([]));
    let (status, _) = app
        .call(Method::DELETE, &format!("/api/v1/views/{id}"), Some(&other_token), None)
        .await;
    assert_eq!(status, 404);

    // At most 20 each.
    for i in 1..20 {
        let (status, _) = app
            .post("/api/v1/views", json!({ "name": format!("v{i}"), "query": "sort=created" }))
            .await;
        assert_eq!(status, 201);
    }
    let (status, problem) = app.post("/api/v1/views", json!({ "name": "v21", "query": "sort=created" })).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("too_many_views")));
    let (status, _) = app
        .call(Method::DELETE, &format!("/api/v1/views/{id}"), Some(&app.token), None)
        .await;
    assert_eq!(status, 204);
    let (_, listed) = app.get("/api/v1/views").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(19));
}

async fn an_agent_filters_the_list_and_keeps_it_as_a_tab(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (cookie, csrf) = signed_in(&app, &client).await;
    let vip = app.ticket("贵宾 VIP printer", "vip@example.com").await;
    let plain = app.ticket("普通 Plain", "plain@example.com").await;
    let (status, _) = app.patch(&format!("/api/v1/tickets/{vip}"), json!({ "tags": ["vip"] })).await;
    assert_eq!(status, 200);
    let get = |path: String| client.get(format!("{}{path}", app.base)).header("cookie", &cookie).send();

    let page = get("/inbox/filter?tag=vip&sort=-created".into())
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains(&format!("id=\"pick-{vip}\"")) && !page.contains(&format!("id=\"pick-{plain}\"")),
        "{page}"
    );
    assert!(
        page.contains("name=\"query\" value=\"tag=vip&#38;sort=-created\""),
        "the filter can be saved: {page}"
    );

    let saved = client
        .post(format!("{}/inbox/views", app.base))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf.as_str()), ("name", "贵宾"), ("query", "tag=vip&sort=-created")])
        .send()
        .await
        .expect("post");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let target = saved.headers()[LOCATION].to_str().expect("ascii").to_owned();
    assert!(target.starts_with("/inbox/filter?tag=vip&sort=-created&saved="), "{target}");
    let inbox = get("/inbox".into()).await.expect("get").text().await.expect("html");
    assert!(inbox.contains(">贵宾</a>"), "the view is a tab: {inbox}");

    let twice = client
        .post(format!("{}/inbox/views", app.base))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf.as_str()), ("name", "贵宾"), ("query", "tag=vip")])
        .send()
        .await
        .expect("post");
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    assert!(twice.text().await.expect("html").contains("id=\"filter-error\""));

    let refused = get("/inbox/filter?status=done".into())
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(refused.contains("id=\"filter-error\""), "a filter the list refuses is explained");
}

on_both!(
    views_are_saved_in_one_form_checked_and_private,
    an_agent_filters_the_list_and_keeps_it_as_a_tab,
);
