//! Mail to customers over a real SMTP conversation (the test's own server): the tracking
//! link after a request, and a returning customer's one-time sign-in link, which lists
//! their requests and nobody else's.

use crate::mail_catcher::MailCatcher;
use crate::on_both;
use crate::support::{Backend, TestApp, spawn, spawn_with};
use crate::ui::no_redirects;
use kefu_app::AppConfig;
use kefu_app::mail::MailSettings;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::json;

pub(crate) async fn with_mail(backend: Backend) -> (TestApp, MailCatcher) {
    let catcher = MailCatcher::start().await;
    let settings = MailSettings::parse(&catcher.url(), "客服 <support@kefu.test>", "http://help.kefu.test").expect("settings");
    let config = AppConfig {
        mail: Some(settings),
        ..AppConfig::default()
    };
    (spawn_with(backend, config).await, catcher)
}

/// Submits the portal's form; the tracking page's path.
async fn submit(app: &TestApp, client: &Client, email: &str, subject: &str) -> String {
    let response = client
        .post(format!("{}/portal", app.base))
        .form(&[
            ("name", "周敏"),
            ("email", email),
            ("subject", subject),
            ("description", "请帮忙看一下"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()[LOCATION]
        .to_str()
        .expect("ascii")
        .trim_end_matches("?new=1")
        .to_owned()
}

async fn ask_for_link(app: &TestApp, client: &Client, email: &str) -> (StatusCode, String) {
    let response = client
        .post(format!("{}/portal/sign-in", app.base))
        .form(&[("email", email)])
        .send()
        .await
        .expect("post");
    (response.status(), response.text().await.expect("html"))
}

fn number_of(subject: &str) -> i64 {
    let start = subject.find("[#").expect("number in the subject") + 2;
    subject[start..].split(']').next().and_then(|n| n.parse().ok()).expect("number")
}

async fn customers_get_their_links_by_mail_and_see_only_their_requests(backend: Backend) {
    let (app, catcher) = with_mail(backend).await;
    let client = no_redirects();

    // A request's tracking link goes to the customer's inbox too.
    let tracking = submit(&app, &client, "zhou@example.com", "手表无法开机").await;
    let mails = catcher.wait_for(1).await;
    assert_eq!(mails[0].to, "zhou@example.com");
    assert!(
        mails[0].subject.starts_with("[#") && mails[0].subject.contains("客服 Kefu：已收到您的请求"),
        "{}",
        mails[0].subject
    );
    assert_eq!(
        mails[0].link("http://help.kefu.test/portal/t/").as_deref(),
        Some(format!("http://help.kefu.test{tracking}").as_str())
    );
    let first = number_of(&mails[0].subject);
    let second_tracking = submit(&app, &client, "zhou@example.com", "充电器坏了").await;
    submit(&app, &client, "other@example.com", "别人的请求").await;
    let mails = catcher.wait_for(3).await;
    let theirs = mails
        .iter()
        .find(|m| m.to == "other@example.com")
        .expect("the other customer's mail");
    let other = number_of(&theirs.subject);
    assert_ne!(second_tracking, tracking);

    // The sign-in form answers the same for a known and an unknown address.
    let (status, unknown) = ask_for_link(&app, &client, "nobody@example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert!(unknown.contains("id=\"link-sent\""), "{unknown}");
    let (status, known) = ask_for_link(&app, &client, "zhou@example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert!(known.contains("id=\"link-sent\""), "{known}");
    let mails = catcher.wait_for(4).await;
    assert_eq!(mails.len(), 4, "no mail for an unknown address: {mails:?}");
    let link = mails[3].link("http://help.kefu.test/portal/sign-in/").expect("a sign-in link");
    assert_eq!(mails[3].to, "zhou@example.com");
    let path = link.trim_start_matches("http://help.kefu.test");

    // Opening the link (a mail scanner does) signs nobody in; confirming does, once.
    for _ in 0..2 {
        let page = client.get(format!("{}{path}", app.base)).send().await.expect("get");
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.expect("html").contains("id=\"confirm-sign-in\""));
    }
    let signed_in = client.post(format!("{}{path}", app.base)).send().await.expect("post");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()[LOCATION], "/portal/my");
    let set_cookie = signed_in.headers()[SET_COOKIE].to_str().expect("ascii").to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().expect("cookie").to_owned();
    let again = client.post(format!("{}{path}", app.base)).send().await.expect("post");
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "a link works once");

    // Their requests, and only theirs.
    let my = client
        .get(format!("{}/portal/my", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(my.status(), StatusCode::OK);
    assert_eq!(my.headers()["cache-control"], "no-store");
    let my = my.text().await.expect("html");
    assert!(my.contains("手表无法开机") && my.contains("充电器坏了"), "{my}");
    assert!(
        !my.contains("别人的请求") && !my.contains(&format!("id=\"request-{other}\"")),
        "{my}"
    );
    let stranger = client
        .post(format!("{}/portal/my/{other}/open", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("post");
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
    let opened = client
        .post(format!("{}/portal/my/{first}/open", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("post");
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let fresh = opened.headers()[LOCATION].to_str().expect("ascii").to_owned();
    assert!(fresh.starts_with("/portal/t/") && fresh != tracking, "{fresh}");
    let page = client
        .get(format!("{}{fresh}", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(page.contains("手表无法开机"), "{page}");

    // Signed out (or never in), the list sends the customer to the sign-in form.
    let out = client
        .post(format!("{}/portal/sign-out", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("post");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = client
        .get(format!("{}/portal/my", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(
        (after.status(), after.headers()[LOCATION].to_str().ok()),
        (StatusCode::SEE_OTHER, Some("/portal/sign-in"))
    );

    // Bad input and floods are refused with a reason.
    let (status, html) = ask_for_link(&app, &client, "not an address").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"sign-in-error\""), "{html}");
    for _ in 0..2 {
        assert_eq!(ask_for_link(&app, &client, "zhou@example.com").await.0, StatusCode::OK);
    }
    let (status, html) = ask_for_link(&app, &client, "zhou@example.com").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "three links an hour per mailbox: {html}");
}

async fn without_mail_the_portal_says_so_and_keeps_links_on_screen(backend: Backend) {
    let app = spawn(backend).await;
    let client = no_redirects();
    let form = client
        .get(format!("{}/portal/sign-in", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        form.contains("id=\"no-mail\"") && !form.contains("id=\"customer-sign-in\""),
        "{form}"
    );
    let (status, html) = ask_for_link(&app, &client, "zhou@example.com").await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    let tracking = submit(&app, &client, "zhou@example.com", "手表无法开机").await;
    let page = client
        .get(format!("{}{tracking}?new=1", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(page.contains("id=\"tracking-link\""), "the link is shown on screen: {page}");
}

async fn a_signed_in_customer_sees_only_what_was_filed_with_their_address(backend: Backend) {
    let (app, catcher) = with_mail(backend).await;
    let client = no_redirects();
    // Someone files a request with their own address and somebody else's phone number...
    let response = client
        .post(format!("{}/portal", app.base))
        .form(&[
            ("name", "冒充者"),
            ("email", "mallory@example.com"),
            ("phone", "13800138000"),
            ("subject", "随便问问"),
            ("description", "你好"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // ...so a request the call centre files for that phone lands on the same record.
    let (status, by_phone) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "电话报修 phone repair", "description": "家里的空调坏了", "customer": { "phone": "13800138000" } }),
        )
        .await;
    assert_eq!(status, 201, "{by_phone}");
    let phone_number = by_phone["number"].as_i64().expect("number");
    catcher.wait_for(1).await;
    let (status, _) = ask_for_link(&app, &client, "mallory@example.com").await;
    assert_eq!(status, StatusCode::OK);
    let mails = catcher.wait_for(2).await;
    let path = mails[1]
        .link("http://help.kefu.test/portal/sign-in/")
        .expect("link")
        .replace("http://help.kefu.test", "");

    // Confirming from another site is refused and leaves the link usable.
    let cross_site = client
        .post(format!("{}{path}", app.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let signed_in = client.post(format!("{}{path}", app.base)).send().await.expect("post");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let cookie = signed_in.headers()[SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();
    let my = client
        .get(format!("{}/portal/my", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        my.contains("随便问问") && !my.contains("电话报修"),
        "only what was filed with the address: {my}"
    );
    let opened = client
        .post(format!("{}/portal/my/{phone_number}/open", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("post");
    assert_eq!(opened.status(), StatusCode::NOT_FOUND);

    // When the customer's address changes, sessions proven for the old one end.
    let customer = by_phone["customer_id"].as_i64().expect("customer");
    let (status, body) = app
        .patch(
            &format!("/api/v1/customers/{customer}"),
            json!({ "email": "mallory.new@example.com" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let after = client
        .get(format!("{}/portal/my", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
}

on_both!(
    customers_get_their_links_by_mail_and_see_only_their_requests,
    without_mail_the_portal_says_so_and_keeps_links_on_screen,
    a_signed_in_customer_sees_only_what_was_filed_with_their_address
);
