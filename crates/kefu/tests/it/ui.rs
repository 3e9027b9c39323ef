//! The web UI over plain HTTP: sessions, CSRF, security headers, the sign-in rate limit.
//! (What needs a browser is in `browser.rs`.)

use crate::on_both;
use crate::support::{Backend, TestApp, spawn};
use kefu_app::people::NewAgentCommand;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode, redirect};

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) async fn with_agent(backend: Backend) -> TestApp {
    let app = spawn(backend).await;
    add_alice(&app).await;
    app
}

/// Alice, a supervisor who signs in with [`PASSWORD`] (agent id 2 on a fresh server).
pub(crate) async fn add_alice(app: &TestApp) {
    app.app
        .create_agent_as_operator(NewAgentCommand {
            email: "alice@example.com".into(),
            name: "Alice".into(),
            role: "supervisor".into(),
            teams: vec![],
            password: Some(PASSWORD.into()),
        })
        .await
        .expect("create agent");
}

pub(crate) fn no_redirects() -> Client {
    Client::builder().redirect(redirect::Policy::none()).build().expect("client")
}

/// The `name=value` of the session cookie a response sets.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kefu_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

async fn sign_in(app: &TestApp, client: &Client, password: &str) -> reqwest::Response {
    sign_in_as(app, client, "alice@example.com", password).await
}

async fn sign_in_as(app: &TestApp, client: &Client, email: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{}/login", app.base))
        .form(&[("email", email), ("password", password), ("next", "/inbox")])
        .send()
        .await
        .expect("sign in")
}

/// Signs Alice in; the session cookie and the page's CSRF token.
pub(crate) async fn signed_in(app: &TestApp, client: &Client) -> (String, String) {
    signed_in_as(app, client, "alice@example.com").await
}

/// Signs an agent with [`PASSWORD`] in; the session cookie and the page's CSRF token.
pub(crate) async fn signed_in_as(app: &TestApp, client: &Client, email: &str) -> (String, String) {
    let response = sign_in_as(app, client, email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(response.headers()).expect("session cookie");
    let page = client
        .get(format!("{}/inbox", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("inbox")
        .text()
        .await
        .expect("html");
    let marker = "\"X-CSRF-Token\": \"";
    let start = page.find(marker).expect("csrf token in the page") + marker.len();
    let csrf = page[start..].split('"').next().expect("token").to_owned();
    (cookie, csrf)
}

/// Alice signed in with a browser's cookie and CSRF token, to post forms as a page does.
pub(crate) struct FormSession {
    pub client: Client,
    pub cookie: String,
    csrf: String,
}

impl FormSession {
    /// Alice, made admin first (she starts as a supervisor), signed in.
    pub async fn admin(app: &TestApp) -> Self {
        let (status, _) = app.patch("/api/v1/agents/2", serde_json::json!({ "role": "admin" })).await;
        assert_eq!(status, 200);
        let client = no_redirects();
        let (cookie, csrf) = signed_in(app, &client).await;
        FormSession { client, cookie, csrf }
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post(&self, app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut form = form.to_vec();
        form.push(("_csrf", &self.csrf));
        self.client
            .post(format!("{}{path}", app.base))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .expect("post")
    }

    /// The CSRF token, for a form the helpers do not build (files).
    pub fn csrf(&self) -> String {
        self.csrf.clone()
    }

    /// A page's HTML as this session sees it.
    pub async fn page(&self, app: &TestApp, path: &str) -> String {
        app.page(&self.client, path, Some(&self.cookie)).await
    }
}

async fn message_count(app: &TestApp, number: i64) -> usize {
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    detail["messages"].as_array().expect("messages").len()
}

async fn pages_need_a_session(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let response = client.get(format!("{}/inbox?view=all", app.base)).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/login?next=%2Finbox%3Fview%3Dall");
    let response = client
        .get(format!("{}/tickets/1001", app.base))
        .header("hx-request", "true")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["hx-redirect"], "/login?next=%2Ftickets%2F1001");
    let response = client
        .get(format!("{}/inbox", app.base))
        .header("cookie", "kefu_session=kefu_forged")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "an unknown token is no session");
}

async fn sign_in_sets_a_safe_cookie_and_every_form_needs_the_csrf_token(backend: Backend) {
    let app = with_agent(backend).await;
    let number = app.ticket("打印机卡纸 Paper jam", "c@example.com").await;
    let client = no_redirects();
    let response = sign_in(&app, &client, PASSWORD).await;
    let set_cookie = response.headers()[SET_COOKIE].to_str().expect("ascii").to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Secure"), "plain http on loopback: no Secure flag");
    let behind_https = client
        .post(format!("{}/login", app.base))
        .header("x-forwarded-proto", "https")
        .form(&[("email", "alice@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert!(behind_https.headers()[SET_COOKIE].to_str().expect("ascii").contains("; Secure"));

    let (cookie, csrf) = signed_in(&app, &client).await;
    let page = client
        .get(format!("{}/tickets/{number}", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("ticket page");
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert!(page.text().await.expect("html").contains("打印机卡纸 Paper jam"));

    let before = message_count(&app, number).await;
    let post = |form: Vec<(&'static str, String)>, origin: Option<&str>| {
        let mut request = client
            .post(format!("{}/tickets/{number}/messages", app.base))
            .header("cookie", &cookie)
            .form(&form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    let reply = |csrf: &str| {
        vec![
            ("kind", "reply".to_owned()),
            ("body", "已处理".to_owned()),
            ("_csrf", csrf.to_owned()),
        ]
    };

    let missing = post(vec![("kind", "reply".into()), ("body", "已处理".into())], None)
        .await
        .expect("post");
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    let wrong = post(reply("kefu_wrong"), None).await.expect("post");
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let cross_site = post(reply(&csrf), Some("https://evil.example")).await.expect("post");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(message_count(&app, number).await, before, "refused forms change nothing");

    let ok = post(reply(&csrf), Some(&app.base)).await.expect("post");
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(ok.headers()[LOCATION], format!("/tickets/{number}").as_str());
    assert_eq!(message_count(&app, number).await, before + 1);

    // The header form (htmx) works too, and answers with the page itself.
    let htmx = client
        .post(format!("{}/tickets/{number}/messages", app.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .header("hx-request", "true")
        .form(&[("kind", "note"), ("body", "内部备注 internal")])
        .send()
        .await
        .expect("post");
    assert_eq!(htmx.status(), StatusCode::OK);
    assert!(htmx.text().await.expect("html").contains("内部备注 internal"));

    // An empty body is refused with a readable message, and nothing is written.
    let empty = client
        .post(format!("{}/tickets/{number}/messages", app.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .header("hx-request", "true")
        .form(&[("kind", "reply"), ("body", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.headers()["hx-retarget"], "#flash");
    assert!(empty.text().await.expect("html").contains("class=\"alert\""));
    assert_eq!(message_count(&app, number).await, before + 2);
}

async fn sign_in_is_rate_limited_per_account(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    for _ in 0..5 {
        let response = sign_in(&app, &client, "wrong password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let html = response.text().await.expect("html");
        assert!(
            html.contains("邮箱或密码错误") || html.contains("Wrong e-mail or password"),
            "{html}"
        );
    }
    let limited = sign_in(&app, &client, PASSWORD).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(session_cookie(limited.headers()).is_none());
    let html = limited.text().await.expect("html");
    assert!(html.contains("15"), "says how long to wait: {html}");
}

async fn sessions_are_listed_and_can_be_ended(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (laptop, laptop_csrf) = signed_in(&app, &client).await;
    let (phone, _) = signed_in(&app, &client).await;
    let list = client
        .get(format!("{}/account/sessions", app.base))
        .header("cookie", &laptop)
        .send()
        .await
        .expect("sessions")
        .text()
        .await
        .expect("html");
    let ends: Vec<&str> = list.match_indices("/account/sessions/").map(|(i, _)| &list[i..]).collect();
    assert_eq!(ends.len(), 1, "one other session to end, not this one: {list}");
    let other_id: String = ends[0]["/account/sessions/".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let ended = client
        .post(format!("{}/account/sessions/{other_id}/end", app.base))
        .header("cookie", &laptop)
        .form(&[("_csrf", laptop_csrf.as_str())])
        .send()
        .await
        .expect("end");
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    let on_phone = client
        .get(format!("{}/inbox", app.base))
        .header("cookie", &phone)
        .send()
        .await
        .expect("get");
    assert_eq!(on_phone.status(), StatusCode::SEE_OTHER, "the ended session is signed out");
    let on_laptop = client
        .get(format!("{}/inbox", app.base))
        .header("cookie", &laptop)
        .send()
        .await
        .expect("get");
    assert_eq!(on_laptop.status(), StatusCode::OK);

    let forged_logout = client
        .post(format!("{}/logout", app.base))
        .header("cookie", &laptop)
        .send()
        .await
        .expect("logout");
    assert_eq!(
        forged_logout.status(),
        StatusCode::FORBIDDEN,
        "signing out is a form like the others"
    );
    let signed_out = client
        .post(format!("{}/logout", app.base))
        .header("cookie", &laptop)
        .form(&[("_csrf", laptop_csrf.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    let after = client
        .get(format!("{}/inbox", app.base))
        .header("cookie", &laptop)
        .send()
        .await
        .expect("get");
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "sign-out ends the session on the server");
}

on_both!(
    pages_need_a_session,
    sign_in_sets_a_safe_cookie_and_every_form_needs_the_csrf_token,
    sign_in_is_rate_limited_per_account,
    sessions_are_listed_and_can_be_ended,
    the_portal_refuses_bots_floods_and_strangers,
    passwords_change_and_links_set_them_once,
    the_customer_page_and_sidebar_list_their_other_tickets,
    the_search_page_shows_highlighted_hits_facets_and_suggestions,
    the_help_center_serves_published_articles_with_canonical_addresses,
    the_ticket_page_suggests_articles_and_a_reply_becomes_a_draft,
    articles_are_written_previewed_reviewed_and_restored_in_the_workspace,
    surveys_are_sent_from_the_ticket_answered_on_their_page_and_reported,
    a_supervisor_starts_a_callback_campaign_and_an_agent_enters_the_answers,
    an_admin_sets_survey_triggers_and_edits_a_design_as_a_new_version,
    the_dashboard_kpi_report_and_staffing_pages_show_the_numbers,
    the_hot_issues_page_shows_a_rising_topic_and_its_alert,
);

async fn tickets_total(app: &TestApp) -> usize {
    let (_, page) = app.get("/api/v1/tickets?limit=100").await;
    page["items"].as_array().expect("items").len()
}

fn request_form(email: &str, website: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "访客".into()),
        ("email", email.into()),
        ("phone", String::new()),
        ("kind", "consultation".into()),
        ("subject", "发票 invoice".into()),
        ("description", "需要开发票".into()),
        ("website", website.into()),
    ]
}

async fn the_portal_refuses_bots_floods_and_strangers(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let submit = |form: Vec<(&'static str, String)>| client.post(format!("{}/portal", app.base)).form(&form).send();

    let bot = submit(request_form("bot@example.com", "http://spam.example")).await.expect("post");
    assert_eq!(bot.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let no_contact = submit(request_form("", "")).await.expect("post");
    assert_eq!(no_contact.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = no_contact.text().await.expect("html");
    assert!(html.contains("发票 invoice"), "what the customer wrote is kept: {html}");
    assert_eq!(tickets_total(&app).await, 0, "refused requests write nothing");

    let ok = submit(request_form("guest@example.com", "")).await.expect("post");
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let receipt = ok.headers()[LOCATION].to_str().expect("ascii").to_owned();
    assert!(receipt.starts_with("/portal/t/kefu_") && receipt.ends_with("?new=1"), "{receipt}");
    let link = receipt.trim_end_matches("?new=1");
    let page = client.get(format!("{}{link}", app.base)).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let forged = client.get(format!("{}/portal/t/kefu_0000", app.base)).send().await.expect("get");
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    let forged_reply = client
        .post(format!("{}/portal/t/kefu_0000/reply", app.base))
        .form(&[("body", "hello")])
        .send()
        .await
        .expect("post");
    assert_eq!(forged_reply.status(), StatusCode::NOT_FOUND);
    let cross_site = client
        .post(format!("{}{link}/solved", app.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);

    // One address may not flood the queue: the bot's try and this one count, 8 more pass.
    for i in 0..8 {
        let response = submit(request_form(&format!("g{i}@example.com"), "")).await.expect("post");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "request {i}");
    }
    let flooded = submit(request_form("late@example.com", "")).await.expect("post");
    assert_eq!(flooded.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(tickets_total(&app).await, 9);
}

/// Pulls `<code id="password-link">URL</code>` out of the admin's page.
fn issued_link(html: &str) -> String {
    let start = html.find("id=\"password-link\">").expect("a link on the page") + "id=\"password-link\">".len();
    let url = &html[start..start + html[start..].find('<').expect("end")];
    url.split_once("/password/")
        .map(|(_, token)| format!("/password/{token}"))
        .expect("a password path")
}

async fn passwords_change_and_links_set_them_once(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (cookie, csrf) = signed_in(&app, &client).await;
    let (other_device, _) = signed_in(&app, &client).await;
    let change = |current: &str, new: &str, confirm: &str| {
        client
            .post(format!("{}/account/password", app.base))
            .header("cookie", &cookie)
            .form(&[
                ("_csrf", csrf.as_str()),
                ("current_password", current),
                ("new_password", new),
                ("confirm_password", confirm),
            ])
            .send()
    };
    assert_eq!(
        change("wrong one", "a new long password", "a new long password")
            .await
            .expect("post")
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        change(PASSWORD, "short", "short").await.expect("post").status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        change(PASSWORD, "a new long password", "another").await.expect("post").status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        change(PASSWORD, "a new long password", "a new long password")
            .await
            .expect("post")
            .status(),
        StatusCode::OK
    );
    let here = client
        .get(format!("{}/inbox", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(here.status(), StatusCode::OK, "this session stays");
    let there = client
        .get(format!("{}/inbox", app.base))
        .header("cookie", &other_device)
        .send()
        .await
        .expect("get");
    assert_eq!(there.status(), StatusCode::SEE_OTHER, "the other device is signed out");
    assert_eq!(sign_in(&app, &client, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in(&app, &client, "a new long password").await.status(), StatusCode::SEE_OTHER);

    // The admin (Alice is a supervisor, not an admin) invites Bob with a link.
    app.app
        .create_agent_as_operator(NewAgentCommand {
            email: "root@example.com".into(),
            name: "Root".into(),
            role: "admin".into(),
            teams: vec![],
            password: Some(PASSWORD.into()),
        })
        .await
        .expect("admin");
    let (admin_cookie, admin_csrf) = signed_in_as(&app, &client, "root@example.com").await;
    let supervisor_try = client
        .post(format!("{}/admin/agents", app.base))
        .header("cookie", &cookie)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "bob@example.com"),
            ("name", "Bob"),
            ("role", "agent"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(supervisor_try.status(), StatusCode::FORBIDDEN, "inviting is for admins");
    let invited = client
        .post(format!("{}/admin/agents", app.base))
        .header("cookie", &admin_cookie)
        .form(&[
            ("_csrf", admin_csrf.as_str()),
            ("email", "bob@example.com"),
            ("name", "Bob"),
            ("role", "agent"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(invited.status(), StatusCode::OK);
    let link = issued_link(&invited.text().await.expect("html"));
    let form_page = client.get(format!("{}{link}", app.base)).send().await.expect("get");
    assert_eq!(form_page.status(), StatusCode::OK);
    let set = |password: &'static str| {
        client
            .post(format!("{}{link}", app.base))
            .form(&[("new_password", password), ("confirm_password", password)])
            .send()
    };
    let done = set("bobs own password").await.expect("post");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()[LOCATION], "/login?done=password");
    let again = set("someone elses password").await.expect("post");
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "a link works once");
    let bob = sign_in_as(&app, &client, "bob@example.com", "bobs own password").await;
    assert_eq!(bob.status(), StatusCode::SEE_OTHER);
}

async fn the_customer_page_and_sidebar_list_their_other_tickets(backend: Backend) {
    let app = with_agent(backend).await;
    let first = app.ticket("第一次报修 First repair", "wang@example.com").await;
    let second = app.ticket("第二次报修 Second repair", "wang@example.com").await;
    app.ticket("别人的工单 Someone else", "li@example.com").await;
    let (_, detail) = app.get(&format!("/api/v1/tickets/{second}")).await;
    let customer = detail["customer_id"].as_i64().expect("customer");
    let client = no_redirects();
    let (cookie, _) = signed_in(&app, &client).await;
    let get = |path: String| client.get(format!("{}{path}", app.base)).header("cookie", &cookie).send();

    let page = get(format!("/customers/{customer}")).await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("First repair") && html.contains("Second repair"), "{html}");
    assert!(!html.contains("Someone else"), "only this customer's tickets");
    let missing = get("/customers/999999".into()).await.expect("get");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let ticket = get(format!("/tickets/{second}")).await.expect("get").text().await.expect("html");
    let sidebar = &ticket[ticket.find("id=\"past-tickets\"").expect("sidebar list")..];
    let sidebar = &sidebar[..sidebar.find("</ul>").expect("end")];
    assert!(sidebar.contains(&format!("/tickets/{first}")), "{sidebar}");
    assert!(!sidebar.contains(&format!("/tickets/{second}")), "not the ticket itself: {sidebar}");
}

/// Searches until the page shows `expected` (the index follows writes within a second).
async fn search_page(app: &TestApp, client: &Client, cookie: &str, query: &str, expected: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let html = client
            .get(format!("{}/search?{query}", app.base))
            .header("cookie", cookie)
            .send()
            .await
            .expect("search")
            .text()
            .await
            .expect("html");
        if html.contains(expected) || started.elapsed() > std::time::Duration::from_secs(5) {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn the_search_page_shows_highlighted_hits_facets_and_suggestions(backend: Backend) {
    let app = with_agent(backend).await;
    let number = app.ticket("扫地机器人无法回充 Robot will not dock", "wang@example.com").await;
    let client = no_redirects();
    let (cookie, _) = signed_in(&app, &client).await;
    let inbox = client
        .get(format!("{}/inbox", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("inbox");
    assert!(
        inbox.text().await.expect("html").contains("id=\"search-box\""),
        "the header has the search box"
    );

    let html = search_page(&app, &client, &cookie, "q=%E5%9B%9E%E5%85%85", &format!("/tickets/{number}")).await;
    assert!(html.contains(&format!("href=\"/tickets/{number}\"")), "{html}");
    assert!(html.contains("<b>回充</b>") || html.contains("Robot will not dock"), "{html}");
    assert!(html.contains("class=\"facets\""), "facets beside the hits");
    let html = search_page(&app, &client, &cookie, "q=dokc+robott&type=ticket&status=solved", "did-you-mean").await;
    assert!(html.contains("id=\"did-you-mean\""), "{html}");
    let html = search_page(&app, &client, &cookie, "q=x&type=order&from=bad", "alert").await;
    assert!(!html.contains("<ol class=\"hits\">\n  <li"), "a refused search shows no hits");
    let anonymous = client.get(format!("{}/search?q=x", app.base)).send().await.expect("search");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "the workspace search needs a session");
}

async fn the_help_center_serves_published_articles_with_canonical_addresses(backend: Backend) {
    let app = with_agent(backend).await;
    let (status, _) = app
        .post(
            "/api/v1/kb/categories",
            serde_json::json!({ "path": "after-sales", "name_zh": "售后服务", "name_en": "After-sales" }),
        )
        .await;
    assert_eq!(status, 200);
    let mut ids = Vec::new();
    for (slug, title, publish) in [("returns-7-days", "如何办理退换货", true), ("returns-draft", "退换货草稿", false)] {
        let (status, article) = app
            .post(
                "/api/v1/articles",
                serde_json::json!({ "slug": slug, "locale": "zh-CN", "title": title, "body": "## 条件\n收货 **7 天**内可申请。<script>alert(1)</script>", "category": "after-sales" }),
            )
            .await;
        assert_eq!(status, 201, "{article}");
        let id = article["id"].as_i64().expect("id");
        if publish {
            let (status, _) = app
                .post(
                    &format!("/api/v1/articles/{id}/status"),
                    serde_json::json!({ "status": "published" }),
                )
                .await;
            assert_eq!(status, 200);
        }
        ids.push(id);
    }
    let client = no_redirects();
    let get = |path: &str| client.get(format!("{}{path}", app.base)).header("accept-language", "zh-CN").send();
    let home = get("/help").await.expect("help").text().await.expect("html");
    assert!(home.contains("href=\"/help/c/after-sales\"") && home.contains("售后服务"), "{home}");
    let category = get("/help/c/after-sales").await.expect("category").text().await.expect("html");
    assert!(
        category.contains("/help/zh-CN/returns-7-days") && !category.contains("returns-draft"),
        "{category}"
    );

    let page = get("/help/zh-CN/returns-7-days").await.expect("article");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("<title>如何办理退换货"), "a proper title");
    assert!(
        html.contains("rel=\"canonical\" href=\"http://") && html.contains("/help/zh-CN/returns-7-days\""),
        "{html}"
    );
    assert!(
        html.contains("<strong>7 天</strong>") && !html.contains("<script>alert"),
        "Markdown rendered, scripts removed: {html}"
    );
    assert_eq!(
        get("/help/zh-CN/returns-draft").await.expect("draft").status(),
        StatusCode::NOT_FOUND
    );

    let sitemap = get("/sitemap.xml").await.expect("sitemap").text().await.expect("xml");
    assert!(
        sitemap.contains("/help/zh-CN/returns-7-days</loc>") && !sitemap.contains("returns-draft"),
        "{sitemap}"
    );

    let feedback = client
        .post(format!("{}/help/articles/{}/feedback", app.base, ids[0]))
        .header("origin", &app.base)
        .form(&[("helpful", "yes")])
        .send()
        .await
        .expect("feedback");
    assert_eq!(feedback.status(), StatusCode::OK);
    let foreign = client
        .post(format!("{}/help/articles/{}/feedback", app.base, ids[0]))
        .header("origin", "https://evil.example")
        .form(&[("helpful", "no")])
        .send()
        .await
        .expect("feedback");
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN, "no feedback from other sites");
    let (_, article) = app.get(&format!("/api/v1/articles/{}", ids[0])).await;
    assert_eq!(
        (
            article["helpful"].as_i64(),
            article["not_helpful"].as_i64(),
            article["views"].as_i64()
        ),
        (Some(1), Some(0), Some(1))
    );

    // Suggestions as the reader types: just the list.
    let started = std::time::Instant::now();
    loop {
        let fragment = client
            .get(format!("{}/help/search?q=%E9%80%80%E8%B4%A7", app.base))
            .header("hx-request", "true")
            .send()
            .await
            .expect("suggest")
            .text()
            .await
            .expect("html");
        if fragment.contains("/help/zh-CN/returns-7-days") {
            assert!(!fragment.contains("<html") && !fragment.contains("returns-draft"), "{fragment}");
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{fragment}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn the_ticket_page_suggests_articles_and_a_reply_becomes_a_draft(backend: Backend) {
    let app = with_agent(backend).await;
    let mut ids = Vec::new();
    for (slug, title, internal) in [
        ("robot-dock", "扫地机器人无法回充怎么办", false),
        ("robot-dock-internal", "回充故障内部排查", true),
    ] {
        let (status, article) = app
            .post(
                "/api/v1/articles",
                serde_json::json!({ "slug": slug, "locale": "zh-CN", "title": title, "body": "清洁充电触点。", "internal": internal }),
            )
            .await;
        assert_eq!(status, 201, "{article}");
        let id = article["id"].as_i64().expect("id");
        let (status, _) = app
            .post(
                &format!("/api/v1/articles/{id}/status"),
                serde_json::json!({ "status": "published" }),
            )
            .await;
        assert_eq!(status, 200);
        ids.push(id);
    }
    let number = app.ticket("扫地机器人 R7 无法回充", "wang@example.com").await;
    let client = no_redirects();
    let (cookie, csrf) = signed_in(&app, &client).await;
    let started = std::time::Instant::now();
    let fragment = loop {
        let fragment = client
            .get(format!("{}/tickets/{number}/articles", app.base))
            .header("cookie", &cookie)
            .header("hx-request", "true")
            .send()
            .await
            .expect("suggestions")
            .text()
            .await
            .expect("html");
        // Both articles, each indexed once its publication reaches the search feeder.
        let both = ids.iter().all(|id| fragment.contains(&format!("/kb/{id}")));
        if both || started.elapsed() > std::time::Duration::from_secs(5) {
            break fragment;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(fragment.contains(&format!("/kb/{}", ids[0])), "{fragment}");
    let internal = &fragment[fragment.find(&format!("/kb/{}", ids[1])).expect("the internal article too")..];
    let internal = &internal[..internal.find("</li>").expect("end")];
    assert!(
        !internal.contains("insert-article-link"),
        "an internal article goes in as text only: {internal}"
    );

    let insert = |id: i64, insert_as: &'static str| {
        client
            .post(format!("{}/tickets/{number}/articles/{id}/insert", app.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("origin", &app.base)
            .form(&[("as", insert_as), ("body", "您好，")])
            .send()
    };
    let html = insert(ids[0], "link").await.expect("insert").text().await.expect("html");
    assert!(html.contains("您好，") && html.contains("/help/zh-CN/robot-dock)"), "{html}");
    let html = insert(ids[1], "link").await.expect("insert").text().await.expect("html");
    assert!(
        html.contains("清洁充电触点") && !html.contains("/help/"),
        "internal: text, never a link: {html}"
    );
    let (_, article) = app.get(&format!("/api/v1/articles/{}", ids[0])).await;
    assert_eq!(article["uses"], 1, "{article}");

    let (status, reply) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            serde_json::json!({ "kind": "reply", "body": "请把机器放回充电座并清洁触点。" }),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    let message = detail["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["id"].as_i64())
        .expect("message id");
    let response = client
        .post(format!("{}/tickets/{number}/messages/{message}/article", app.base))
        .header("cookie", &cookie)
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("save as article");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().expect("location").to_owned();
    let id: i64 = location.trim_start_matches("/kb/").parse().expect("article id");
    let (_, draft) = app.get(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(
        (draft["status"].as_str(), draft["body"].as_str()),
        (Some("draft"), Some("请把机器放回充电座并清洁触点。")),
        "{draft}"
    );
}

async fn articles_are_written_previewed_reviewed_and_restored_in_the_workspace(backend: Backend) {
    let app = with_agent(backend).await;
    app.app
        .create_agent_as_operator(NewAgentCommand {
            email: "writer@example.com".into(),
            name: "Writer".into(),
            role: "agent".into(),
            teams: vec![],
            password: Some(PASSWORD.into()),
        })
        .await
        .expect("writer");
    let client = no_redirects();
    let (writer, writer_csrf) = signed_in_as(&app, &client, "writer@example.com").await;
    let post = |cookie: &str, csrf: &str, path: String, form: Vec<(&'static str, &'static str)>| {
        let mut form = form;
        form.push(("_csrf", ""));
        let mut fields: Vec<(String, String)> = form.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        fields.last_mut().expect("csrf").1 = csrf.to_owned();
        client
            .post(format!("{}{path}", app.base))
            .header("cookie", cookie)
            .header("origin", &app.base)
            .form(&fields)
            .send()
    };

    let preview = post(
        &writer,
        &writer_csrf,
        "/kb/preview".into(),
        vec![("body", "**粗体** <script>x</script>")],
    )
    .await
    .expect("preview");
    let html = preview.text().await.expect("html");
    assert!(html.contains("<strong>粗体</strong>") && !html.contains("<script>"), "{html}");

    let created = post(
        &writer,
        &writer_csrf,
        "/kb".into(),
        vec![
            ("locale", "zh-CN"),
            ("title", "如何重置密码"),
            ("slug", "reset-password"),
            ("tags", "密码，登录"),
            ("body", "第一版"),
        ],
    )
    .await
    .expect("create");
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()[LOCATION].to_str().expect("location").to_owned();
    let id: i64 = location.trim_start_matches("/kb/").parse().expect("id");
    let (_, article) = app.get(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(
        article["tags"],
        serde_json::json!(["密码", "登录"]),
        "full-width commas split tags too"
    );

    let taken = post(
        &writer,
        &writer_csrf,
        "/kb".into(),
        vec![("locale", "zh-CN"), ("title", "重复"), ("slug", "reset-password"), ("body", "x")],
    )
    .await
    .expect("create");
    let html = taken.text().await.expect("html");
    assert!(
        html.contains("id=\"kb-error\"") && html.contains("value=\"重复\""),
        "refused, the form kept: {html}"
    );

    let edited = post(
        &writer,
        &writer_csrf,
        format!("/kb/{id}/edit"),
        vec![("title", "如何重置密码"), ("slug", "reset-password"), ("body", "第二版")],
    )
    .await
    .expect("edit");
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let view = client
        .get(format!("{}/kb/{id}", app.base))
        .header("cookie", &writer)
        .send()
        .await
        .expect("view")
        .text()
        .await
        .expect("html");
    assert!(
        view.contains("id=\"move-in_review\"") && !view.contains("id=\"move-published\""),
        "an author asks for review, cannot publish: {view}"
    );

    let versions = client
        .get(format!("{}/kb/{id}/versions", app.base))
        .header("cookie", &writer)
        .send()
        .await
        .expect("versions")
        .text()
        .await
        .expect("html");
    assert!(
        versions.contains("diff-del") && versions.contains("第一版") && versions.contains("diff-add"),
        "{versions}"
    );
    let restored = post(&writer, &writer_csrf, format!("/kb/{id}/versions/1/restore"), vec![])
        .await
        .expect("restore");
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    let (_, article) = app.get(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(
        (article["body"].as_str(), article["version"].as_i64()),
        (Some("第一版"), Some(3)),
        "{article}"
    );

    let (supervisor, supervisor_csrf) = signed_in(&app, &client).await;
    let view = client
        .get(format!("{}/kb/{id}", app.base))
        .header("cookie", &supervisor)
        .send()
        .await
        .expect("view")
        .text()
        .await
        .expect("html");
    assert!(view.contains("id=\"move-published\""), "a reviewer publishes: {view}");
    let published = post(
        &supervisor,
        &supervisor_csrf,
        format!("/kb/{id}/status"),
        vec![("status", "published")],
    )
    .await
    .expect("publish");
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    let list = client
        .get(format!("{}/kb?status=published", app.base))
        .header("cookie", &writer)
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("html");
    assert!(list.contains(&format!("href=\"/kb/{id}\"")), "{list}");
}

/// The value of the first `class="survey-link"` input: the link to pass on.
fn survey_link(html: &str) -> String {
    let start = html.find("class=\"survey-link\"").expect("a survey link in the panel");
    let value = &html[start..];
    let value = &value[value.find("value=\"").expect("value") + 7..];
    value[..value.find('"').expect("end")].to_owned()
}

async fn surveys_are_sent_from_the_ticket_answered_on_their_page_and_reported(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (cookie, csrf) = signed_in(&app, &client).await;
    let number = app.ticket("售后回访", "huifang@example.com").await;
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
    let customer = ticket["customer_id"].as_i64().unwrap();
    let agent_get = |path: String| client.get(format!("{}{path}", app.base)).header("cookie", &cookie).send();

    // Without consent the panel says why nothing was sent.
    let refused = client
        .post(format!("{}/tickets/{number}/surveys", app.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .form(&[("design", "service5")])
        .send()
        .await
        .expect("post");
    let html = refused.text().await.expect("html");
    assert!(html.contains("id=\"survey-error\""), "{html}");
    let (status, _) = app
        .patch(&format!("/api/v1/customers/{customer}"), serde_json::json!({ "consent": true }))
        .await;
    assert_eq!(status, 200);

    let panel = agent_get(format!("/tickets/{number}/surveys"))
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(panel.contains("尚未发送满意度调查"), "{panel}");
    let sent = client
        .post(format!("{}/tickets/{number}/surveys", app.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .form(&[("design", "service5")])
        .send()
        .await
        .expect("post");
    assert_eq!(sent.status(), StatusCode::OK);
    let sent = sent.text().await.expect("html");
    assert!(!sent.contains("survey-mailed"), "no mail settings: the agent passes it on: {sent}");
    let link = survey_link(&sent);
    assert!(link.starts_with(&format!("{}/s/", app.base)), "{link}");

    // The customer opens it (the star clicked in the e-mail preselects): nothing recorded.
    let page = client.get(format!("{link}?r=3")).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.expect("html");
    assert!(html.contains("name=\"rating.skill\" value=\"3\" checked"), "{html}");
    assert!(html.contains("到达现场晚"), "reasons are offered: {html}");
    let (_, report) = app.get("/api/v1/survey-reports/service5").await;
    assert_eq!(report["answers"], 0);

    // Cross-site posts and incomplete answers are refused and change nothing.
    let cross = client
        .post(&link)
        .header("origin", "https://evil.example")
        .form(&[("rating.skill", "1")])
        .send()
        .await
        .expect("post");
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let partial = client
        .post(&link)
        .form(&[("rating.skill", "3"), ("comment", "还行")])
        .send()
        .await
        .expect("post");
    assert_eq!(partial.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = partial.text().await.expect("html");
    assert!(
        html.contains("请回答此问题") && html.contains("还行"),
        "errors shown, input kept: {html}"
    );
    let (_, report) = app.get("/api/v1/survey-reports/service5").await;
    assert_eq!(report["answers"], 0);

    let answer = [
        ("rating.skill", "9"),
        ("rating.attitude", "8"),
        ("rating.timeliness", "2"),
        ("reason.timeliness", "late_arrival"),
        ("reason.timeliness", "far_site"),
        ("rating.parts", "9"),
        ("rating.overall", "7"),
        ("choice.contact_again", "yes"),
        ("comment", "师傅第三天才到"),
    ];
    let done = client.post(&link).form(&answer).send().await.expect("post");
    assert_eq!(done.status(), StatusCode::OK);
    let html = done.text().await.expect("html");
    assert!(html.contains("id=\"survey-thanks\"") && html.contains("跟进单 #"), "{html}");
    let again = client.post(&link).form(&answer).send().await.expect("post");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let reopened = client.get(&link).send().await.expect("get").text().await.expect("html");
    assert!(reopened.contains("id=\"survey-answered\""), "{reopened}");

    // The agent sees the score, the comment and the follow-up on the ticket.
    let panel = agent_get(format!("/tickets/{number}/surveys"))
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(panel.contains("survey-score low") && panel.contains("师傅第三天才到"), "{panel}");
    assert!(panel.contains("class=\"survey-followup\""), "{panel}");

    // The supervisor's report and its CSV.
    let report = agent_get("/reports/satisfaction?design=service5&group_by=channel".into())
        .await
        .expect("get");
    assert_eq!(report.status(), StatusCode::OK);
    let html = report.text().await.expect("html");
    for expected in [
        "id=\"report-dimensions\"",
        "服务及时性",
        "到达现场晚",
        "远",
        "id=\"report-groups\"",
        "分数较上期",
        "师傅第三天才到",
    ] {
        assert!(html.contains(expected), "{expected} missing from the report");
    }
    let bad = agent_get("/reports/satisfaction?design=service5&from=someday".into())
        .await
        .expect("get");
    assert!(bad.text().await.expect("html").contains("id=\"report-error\""));
    let csv = agent_get("/reports/satisfaction/answers.csv?design=service5".into())
        .await
        .expect("get");
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.expect("csv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains("timeliness") && lines[1].contains("师傅第三天才到") && lines[1].contains("timeliness:late_arrival"),
        "{text}"
    );

    // An improvement action against the reason, from the report page.
    let post_form = |path: &str, form: Vec<(&str, &str)>| {
        client
            .post(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .form(&form)
            .send()
    };
    let refused = post_form(
        "/reports/satisfaction/actions",
        vec![("design", "service5"), ("reason", "timeliness:late_arrival"), ("what", "")],
    )
    .await
    .expect("post");
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let back = refused.headers()[LOCATION].to_str().expect("ascii").to_owned();
    let html = agent_get(back).await.expect("get").text().await.expect("html");
    assert!(html.contains("id=\"action-error\""), "{html}");
    let added = post_form(
        "/reports/satisfaction/actions",
        vec![
            ("design", "service5"),
            ("reason", "timeliness:late_arrival"),
            ("what", "增加夜班工程师"),
            ("due_on", "2026-12-31"),
        ],
    )
    .await
    .expect("post");
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let html = agent_get("/reports/satisfaction?design=service5".into())
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("增加夜班工程师") && html.contains("100.0% (1/1)"),
        "the action and its reason's rate before: {html}"
    );
    let praise = agent_get("/praise".into()).await.expect("get");
    assert_eq!(praise.status(), StatusCode::OK);
    let html = praise.text().await.expect("html");
    assert!(
        html.contains("<h1>表扬墙</h1>") && html.contains("本月还没有候选人"),
        "nobody was praised or handled the ticket: {html}"
    );
}

async fn a_supervisor_starts_a_callback_campaign_and_an_agent_enters_the_answers(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (cookie, csrf) = signed_in(&app, &client).await;
    for email in ["call1@example.com", "call2@example.com"] {
        let number = app.ticket("回访测试", email).await;
        let (_, ticket) = app.get(&format!("/api/v1/tickets/{number}")).await;
        let (status, _) = app
            .patch(
                &format!("/api/v1/customers/{}", ticket["customer_id"]),
                serde_json::json!({ "consent": true }),
            )
            .await;
        assert_eq!(status, 200);
    }
    let post = |path: &str, form: Vec<(&str, &str)>| {
        client
            .post(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .form(&form)
            .send()
    };
    let get = |path: &str| client.get(format!("{}{path}", app.base)).header("cookie", &cookie).send();

    let refused = post(
        "/callbacks/campaigns",
        vec![("name", "Q4"), ("starts_on", "2026-12-31"), ("ends_on", "2026-12-01")],
    )
    .await
    .expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.expect("html").contains("id=\"callback-error\""));
    let created = post(
        "/callbacks/campaigns",
        vec![
            ("name", "四季度回访"),
            ("design", "csat"),
            ("starts_on", "2026-12-01"),
            ("ends_on", "2026-12-31"),
            ("team", ""),
        ],
    )
    .await
    .expect("post");
    assert_eq!(created.status(), StatusCode::OK);
    let html = created.text().await.expect("html");
    assert!(html.contains("生成 2 个回访任务"), "{html}");
    assert!(!html.contains("<option value=\"email\">"), "no mail settings: phone only: {html}");
    let ids: Vec<i64> = html
        .split("href=\"/callbacks/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().and_then(|id| id.parse().ok()))
        .collect();
    assert_eq!(ids.len(), 2, "{html}");

    let call = get(&format!("/callbacks/{}", ids[0]))
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        call.contains("name=\"rating.satisfaction\"") && call.contains("四季度回访"),
        "{call}"
    );
    let partial = post(&format!("/callbacks/{}/answers", ids[0]), vec![("comment", "还行")])
        .await
        .expect("post");
    assert_eq!(partial.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(partial.text().await.expect("html").contains("请回答此问题"));
    let saved = post(
        &format!("/callbacks/{}/answers", ids[0]),
        vec![("rating.satisfaction", "5"), ("comment", "很满意"), ("note", "客户很客气")],
    )
    .await
    .expect("post");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let refused_call = post(
        &format!("/callbacks/{}/attempts", ids[1]),
        vec![("outcome", "refused"), ("note", "不需要")],
    )
    .await
    .expect("post");
    assert_eq!(refused_call.status(), StatusCode::SEE_OTHER);
    let done = get(&format!("/callbacks/{}", ids[1]))
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(done.contains("客户拒访") && !done.contains("callback-submit"), "{done}");
    let (_, report) = app.get("/api/v1/survey-reports/csat").await;
    assert_eq!(report["answers"], 1);
}

async fn an_admin_sets_survey_triggers_and_edits_a_design_as_a_new_version(backend: Backend) {
    let app = spawn(backend).await;
    app.app
        .create_agent_as_operator(NewAgentCommand {
            email: "root@example.com".into(),
            name: "Root".into(),
            role: "admin".into(),
            teams: vec![],
            password: Some(PASSWORD.into()),
        })
        .await
        .expect("create admin");
    let client = no_redirects();
    let (cookie, csrf) = signed_in_as(&app, &client, "root@example.com").await;
    let post = |path: &str, form: Vec<(&str, &str)>| {
        client
            .post(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .form(&form)
            .send()
    };
    let get = |path: &str| client.get(format!("{}{path}", app.base)).header("cookie", &cookie).send();

    let page = get("/admin/surveys").await.expect("get").text().await.expect("html");
    assert!(
        page.contains("id=\"survey-designs\"") && page.contains("<code>service5</code>"),
        "{page}"
    );
    let refused = post(
        "/admin/surveys/triggers",
        vec![("design", "csat"), ("delay_minutes", "-5"), ("quiet_days", "30"), ("enabled", "on")],
    )
    .await
    .expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let saved = post(
        "/admin/surveys/triggers",
        vec![
            ("design", "csat"),
            ("delay_minutes", "120"),
            ("quiet_days", "30"),
            ("reminder_days", "5"),
            ("channel", "email"),
            ("channel", "web"),
            ("enabled", "on"),
        ],
    )
    .await
    .expect("post");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, triggers) = app.get("/api/v1/survey-triggers").await;
    assert_eq!(triggers[0]["delay_minutes"], 120, "{triggers}");
    assert_eq!(triggers[0]["reminder_days"], 5, "{triggers}");
    let page = get("/admin/surveys").await.expect("get").text().await.expect("html");
    assert!(page.contains("name=\"reminder_days\" min=\"0\" max=\"28\" value=\"5\""), "{page}");
    assert_eq!(triggers[0]["channels"], serde_json::json!(["email", "web"]));

    let editor = get("/admin/surveys/designs/csat").await.expect("get").text().await.expect("html");
    assert!(
        editor.contains("id=\"design-json\"") && editor.contains("&#34;headline&#34;"),
        "{editor}"
    );
    let broken = post("/admin/surveys/designs/csat", vec![("json", "{ not json"), ("active", "on")])
        .await
        .expect("post");
    assert_eq!(broken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.text().await.expect("html").contains("{ not json"), "what was typed is kept");
    let (_, designs) = app.get("/api/v1/survey-designs/csat").await;
    let mut spec = designs[0]["spec"].clone();
    spec["dimensions"][0]["weight"] = serde_json::json!(50);
    let invalid = post("/admin/surveys/designs/csat", vec![("json", &spec.to_string()), ("active", "on")])
        .await
        .expect("post");
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.text().await.expect("html").contains("100"));
    spec["dimensions"][0]["weight"] = serde_json::json!(100);
    spec["intro"]["zh"] = serde_json::json!("请为本次服务打分（新版）");
    let ok = post("/admin/surveys/designs/csat", vec![("json", &spec.to_string()), ("active", "on")])
        .await
        .expect("post");
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let (_, versions) = app.get("/api/v1/survey-designs/csat").await;
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["spec"]["intro"]["zh"], "请为本次服务打分（新版）");
    let new = post("/admin/surveys/designs", vec![("key", "onsite")]).await.expect("post");
    assert_eq!(new.headers()[LOCATION], "/admin/surveys/designs/onsite");
    let draft = get("/admin/surveys/designs/onsite").await.expect("get").text().await.expect("html");
    assert!(draft.contains("timeliness"), "a new design starts from the five-dimension survey");
}

/// The text of the first `class="big">` after `marker` (a dashboard tile's number).
fn tile_value(html: &str, marker: &str) -> String {
    let after = &html[html.find(marker).unwrap_or_else(|| panic!("{marker} missing: {html}"))..];
    let marker_end = "class=\"big\">";
    let value = &after[after.find(marker_end).expect("a figure") + marker_end.len()..];
    value[..value.find('<').expect("end")].to_owned()
}

async fn the_dashboard_kpi_report_and_staffing_pages_show_the_numbers(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (cookie, _) = signed_in(&app, &client).await;
    for i in 0..2 {
        app.ticket(&format!("看板测试 {i}"), &format!("board{i}@example.com")).await;
    }
    if matches!(backend, Backend::Postgres) {
        // The reactor lets the newest two seconds of events settle on PostgreSQL.
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    }
    app.app.catch_up_analytics().await.expect("fold");
    let get = |path: String| {
        let request = client.get(format!("{}{path}", app.base)).header("cookie", &cookie);
        async move { request.send().await.expect("get") }
    };
    let page = |path: &'static str| {
        let response = get(path.to_owned());
        async move {
            let response = response.await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.text().await.expect("html")
        }
    };

    let board = page("/dashboard").await;
    assert!(
        board.contains("主管看板") && board.contains("sse-connect=\"/dashboard/live\""),
        "{board}"
    );
    assert_eq!(tile_value(&board, "id=\"tile-open\""), "2");
    assert!(
        board.contains("id=\"dashboard-today\"") && board.contains("data-kpi=\"created\""),
        "{board}"
    );
    assert!(board.contains("id=\"dashboard-link\""), "supervisors see the dashboard in the menu");
    assert!(board.contains("data-kpi=\"csat\"") && board.contains("满意度 (CSAT)"), "{board}");

    let report = page("/reports/kpis?group=channel").await;
    assert!(
        report.contains("id=\"kpi-totals\"") && report.contains("id=\"kpi-groups\""),
        "{report}"
    );
    assert!(
        report.contains("首次响应（中位数）") && report.contains("title=\"从建单到客服人员首次公开回复"),
        "definitions on hover: {report}"
    );
    let refused = page("/reports/kpis?from=2026-05-02&to=2026-05-01").await;
    assert!(refused.contains("id=\"kpi-error\""), "{refused}");

    // By day, a trend of the chosen KPI against the previous range: today has the two
    // tickets, and every day of the range is a point.
    assert!(!report.contains("id=\"kpi-trend\""), "no trend unless grouped by day");
    let by_day = page("/reports/kpis?group=day&metric=created").await;
    assert!(by_day.contains("id=\"kpi-trend\""), "{by_day}");
    let today = by_day
        .split("<span id=\"trend-last\">")
        .nth(1)
        .and_then(|rest| rest.split("</span>").next())
        .expect("the last day under the chart")
        .to_owned();
    assert!(
        by_day.contains(&format!("{today}: 2\"")),
        "today's two tickets in the chart's words: {by_day}"
    );
    let points = by_day
        .split("class=\"current\" points=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    assert_eq!(points.split(' ').count(), 7, "seven days, seven points: {points}");
    assert!(points.ends_with("100.00,2.00"), "today is the top right: {points}");
    let fcr = page("/reports/kpis?group=day&metric=fcr").await;
    assert!(
        fcr.contains("<option value=\"fcr\" selected>") && fcr.contains("趋势: 一次解决率"),
        "{fcr}"
    );

    let csv = get("/reports/kpis.csv?group=day".into()).await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("分组,新建,解决"), "{csv}");
    assert!(lines.last().is_some_and(|l| l.starts_with("合计,2,")), "{csv}");

    let staffing = page("/reports/staffing").await;
    assert!(staffing.contains("id=\"staffing-error\""), "no history, no forecast: {staffing}");
    let bad = page("/reports/staffing?aht=abc").await;
    assert!(bad.contains("必须是数字"), "{bad}");
    assert!(
        bad.contains("href=\"/reports/staffing.csv?aht=abc\""),
        "the export keeps the form: {bad}"
    );
    let bad_csv = get("/reports/staffing.csv?aht=abc".into()).await;
    assert_eq!(bad_csv.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_csv.text().await.unwrap().contains("必须是数字"));
    let no_history = get("/reports/staffing.csv".into()).await;
    assert_eq!(no_history.status(), StatusCode::CONFLICT, "no plan to export without history");
}

async fn the_hot_issues_page_shows_a_rising_topic_and_its_alert(backend: Backend) {
    let app = with_agent(backend).await;
    let client = no_redirects();
    let (cookie, _) = signed_in(&app, &client).await;
    for i in 0..10 {
        app.ticket(&format!("打印机卡纸 {i}"), &format!("jam{i}@example.com")).await;
    }
    if matches!(backend, Backend::Postgres) {
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    }
    app.app.catch_up_analytics().await.expect("fold");
    app.app.check_hot_alerts().await.expect("alerts");
    let page = |path: &'static str| {
        let request = client.get(format!("{}{path}", app.base)).header("cookie", &cookie);
        async move {
            let response = request.send().await.expect("get");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.text().await.expect("html")
        }
    };
    let hot = page("/reports/hot").await;
    assert!(hot.contains("热点问题") && hot.contains("id=\"hot-topics\""), "{hot}");
    assert!(
        hot.contains("<strong class=\"hot-term\">打印机</strong>"),
        "the word is listed: {hot}"
    );
    assert!(
        hot.contains("已提醒") && hot.contains("id=\"hot-alerts\""),
        "the alert shows: {hot}"
    );
    assert!(
        hot.contains("工单数，从四周前到当前：0, 0, 0, 0, 10"),
        "the weeks' chart is labelled: {hot}"
    );
    let words_only = page("/reports/hot?facet=tag").await;
    assert!(words_only.contains("id=\"hot-empty\""), "no tag is rising: {words_only}");
    let csv = client
        .get(format!("{}/reports/hot.csv", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.expect("csv text");
    assert!(
        csv.lines().next().is_some_and(|l| l.starts_with("类型,话题,原词,当前,一周前")),
        "{csv}"
    );
    assert!(csv.lines().any(|l| l.starts_with("词语,打印机,打印机,10,0,0,0,0,")), "{csv}");
    let refused = page("/reports/hot?hours=0").await;
    assert!(refused.contains("id=\"hot-error\""), "{refused}");
    let board = page("/dashboard").await;
    assert!(board.contains("href=\"/reports/hot\""), "the dashboard links to hot issues");
    let notes = page("/notifications").await;
    assert!(
        notes.contains("<a href=\"/reports/hot\">热点问题预警: 打印机"),
        "the alert leads to the report: {notes}"
    );
}
