//! The portal's look: set by an admin (API and page, logo included), shown on the public
//! pages, refused when it could break them.

use crate::on_both;
use crate::support::{Backend, spawn};
use crate::ui::{no_redirects, signed_in, with_agent};
use reqwest::header::LOCATION;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90\x77\x53\xde\x00\x00\x00\x0cIDAT\x78\x9c\x63\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xae\x42\x60\x82";

async fn an_admin_brands_the_portal_and_bad_values_change_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let (_, agent_token) = app.agent("qian@example.com", "agent", &[]).await;
    let (status, set) = app
        .call(
            Method::PUT,
            "/api/v1/branding",
            Some(&app.token),
            Some(json!({ "name_zh": "极光家电客服", "name_en": "Aurora Care", "welcome_zh": "您好！请描述问题。", "accent": "#C2185B" })),
        )
        .await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["accent"], "#c2185b");

    let client = no_redirects();
    let portal = |lang: &'static str| client.get(format!("{}/portal", app.base)).header("accept-language", lang).send();
    let zh = portal("zh-CN").await.expect("get").text().await.expect("html");
    assert!(zh.contains("极光家电客服") && zh.contains("您好！请描述问题。"), "{zh}");
    assert!(zh.contains("href=\"/brand.css?v=c2185b\""), "{zh}");
    let en = portal("en").await.expect("get").text().await.expect("html");
    assert!(en.contains("Aurora Care"), "{en}");
    assert!(en.contains("Tell us what happened"), "an empty English welcome keeps Kefu's: {en}");
    let css = client.get(format!("{}/brand.css", app.base)).send().await.expect("get");
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.text().await.expect("css"), ":root { --accent: #c2185b; }\n");

    for body in [
        json!({ "accent": "red; } body { display: none" }),
        json!({ "name_en": "x".repeat(61) }),
    ] {
        let (status, problem) = app.call(Method::PUT, "/api/v1/branding", Some(&app.token), Some(body)).await;
        assert_eq!(status, 422, "{problem}");
    }
    let (status, _) = app
        .call(Method::PUT, "/api/v1/branding", Some(&agent_token), Some(json!({ "name_zh": "x" })))
        .await;
    assert_eq!(status, 403);
    let (_, now) = app.get("/api/v1/branding").await;
    assert_eq!(
        (now["name_zh"].as_str(), now["accent"].as_str()),
        (Some("极光家电客服"), Some("#c2185b")),
        "refusals changed nothing"
    );
    let (_, log) = app.get("/api/v1/audit?limit=1").await;
    assert_eq!(log[0]["action"], "branding.update");
}

async fn the_admin_uploads_a_logo_that_the_public_pages_show(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (status, _) = app.patch("/api/v1/agents/2", json!({ "role": "admin" })).await;
    assert_eq!(status, 200);
    let (cookie, csrf) = signed_in(&app, &client).await;
    let upload = |name: &str, bytes: &[u8]| {
        let form = Form::new()
            .text("_csrf", csrf.clone())
            .text("name_zh", "极光")
            .text("name_en", "")
            .text("welcome_zh", "")
            .text("welcome_en", "")
            .text("accent", "")
            .part("logo", Part::bytes(bytes.to_vec()).file_name(name.to_owned()));
        client
            .post(format!("{}/admin/branding", app.base))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
    };
    let refused = upload("logo.svg", b"<svg onload=alert(1)></svg>").await.expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(client.get(format!("{}/brand/logo", app.base)).send().await.expect("get").status() == StatusCode::NOT_FOUND);
    let saved = upload("logo.png", PNG).await.expect("post");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved.headers()[LOCATION], "/admin/branding?saved=1");

    let logo = client.get(format!("{}/brand/logo", app.base)).send().await.expect("get");
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.expect("bytes").as_ref(), PNG);
    let help = app.page(&client, "/help", None).await;
    assert!(help.contains("src=\"/brand/logo?v=") && help.contains("极光"), "{help}");
    // The agents' own pages keep Kefu's look.
    let inbox = app.page(&client, "/inbox", Some(&cookie)).await;
    assert!(!inbox.contains("/brand/logo"));
}

on_both!(
    an_admin_brands_the_portal_and_bad_values_change_nothing,
    the_admin_uploads_a_logo_that_the_public_pages_show,
);
