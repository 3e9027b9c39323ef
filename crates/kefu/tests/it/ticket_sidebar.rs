//! The ticket page's customer sidebar: how the customer likes to be served, consent, their
//! earlier tickets with the satisfaction they gave, and every open promise made to them.

use crate::api_surveys::{answer, consented_ticket, send};
use crate::on_both;
use crate::support::Backend;
use crate::ui::{FormSession, with_agent};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

async fn the_sidebar_shows_earlier_scores_and_open_promises(backend: Backend) {
    let app = with_agent(backend).await;
    let first = consented_ticket(&app, "sun@example.com", None).await;
    let token = send(&app, first, "csat").await;
    let (status, receipt) = answer(
        &app,
        &token,
        json!({ "ratings": { "satisfaction": 2 }, "reasons": { "satisfaction": ["slow_reply"] } }),
    )
    .await;
    assert_eq!(status, 201, "{receipt}");
    let due = Timestamp::now() + SignedDuration::from_hours(48);
    let (status, made) = app
        .post(
            &format!("/api/v1/tickets/{first}/commitments"),
            json!({ "what": "周五前寄出配件 parts by Friday", "due_at": due.to_string() }),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (status, second) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "配件还没到", "description": "还在等", "customer": { "email": "sun@example.com" } }),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    let second = second["number"].as_i64().expect("number");

    let session = FormSession::admin(&app).await;
    let page = session.page(&app, &format!("/tickets/{second}")).await;
    let sidebar = &page[page.find("id=\"side-customer\"").expect("sidebar")..];
    let past = &sidebar[sidebar.find("id=\"past-tickets\"").expect("past tickets")..];
    assert!(past.contains(&format!("#{first} 空调不制冷")), "{past}");
    assert!(
        past.contains("class=\"tag low-score\"") && past.contains("满意度 40"),
        "a CSAT of 2 of 5 is 40 and low: {past}"
    );
    let promises = &sidebar[sidebar.find("id=\"customer-promises\"").expect("promises")..];
    assert!(
        promises.contains(&format!("<a href=\"/tickets/{first}\">#{first}</a> 周五前寄出配件 parts by Friday")),
        "a promise made on another ticket shows: {promises}"
    );
    assert!(sidebar.contains("id=\"customer-consent\""), "{sidebar}");

    // Kept, it is no longer open.
    let id = made["id"].as_i64().expect("id");
    let (status, _) = app.patch(&format!("/api/v1/commitments/{id}"), json!({ "status": "kept" })).await;
    assert_eq!(status, 200);
    let page = session.page(&app, &format!("/tickets/{second}")).await;
    assert!(!page.contains("周五前寄出配件"), "{page}");
}

async fn my_commitments_are_a_tab_with_their_count(backend: Backend) {
    let app = with_agent(backend).await;
    let session = FormSession::admin(&app).await;
    let empty = session.page(&app, "/inbox/commitments").await;
    assert!(empty.contains("id=\"no-commitments\""), "{empty}");
    let number = app.ticket("回电 call back", "ma@example.com").await;
    let due = (Timestamp::now() + SignedDuration::from_hours(26))
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%dT%H:%M")
        .to_string();
    let made = session
        .post(
            &app,
            &format!("/tickets/{number}/commitments"),
            &[("what", "明天上午回电 call back"), ("due", &due)],
        )
        .await;
    assert_eq!(made.status(), 303);
    let inbox = session.page(&app, "/inbox").await;
    assert!(
        inbox.contains("<a href=\"/inbox/commitments\" id=\"view-commitments\">我的承诺 <span class=\"count\">1</span></a>"),
        "{inbox}"
    );
    let list = session.page(&app, "/inbox/commitments").await;
    assert!(
        list.contains(&format!("<a href=\"/tickets/{number}\">#{number}</a>")) && list.contains("明天上午回电 call back"),
        "{list}"
    );
    assert!(list.contains("id=\"view-commitments\" aria-current=\"page\""), "{list}");
    assert!(!list.contains("id=\"overdue-count\""), "nothing is overdue yet");
    let tabs = session.page(&app, "/inbox/tabs?view=commitments").await;
    assert!(
        tabs.contains("id=\"view-commitments\" aria-current=\"page\""),
        "the live tabs keep the tab current: {tabs}"
    );
}

/// A calendar (and a policy on it for tickets tagged `tag`); its id.
async fn policy_on(app: &crate::support::TestApp, tag: &str, spec: serde_json::Value, position: i64) {
    let (status, calendar) = app.post("/api/v1/calendars", json!({ "name": tag, "spec": spec })).await;
    assert_eq!(status, 201, "{calendar}");
    let (status, policy) = app
        .post(
            "/api/v1/sla-policies",
            json!({ "name": tag, "position": position, "conditions": { "tags": [tag] }, "calendar_id": calendar["id"],
                    "targets": [{ "metric": "first_response", "seconds": 600, "business_hours": true }] }),
        )
        .await;
    assert_eq!(status, 201, "{policy}");
}

async fn business_hour_clocks_count_until_closing_or_stand_still(backend: Backend) {
    let app = with_agent(backend).await;
    let session = FormSession::admin(&app).await;
    // Open around the clock until a holiday the day after tomorrow; and closed until 2030.
    let holiday = (Timestamp::now() + SignedDuration::from_hours(48))
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let all_day = json!(["00:00-24:00"]);
    let week: serde_json::Map<String, serde_json::Value> = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        .iter()
        .map(|d| (d.to_string(), all_day.clone()))
        .collect();
    policy_on(
        &app,
        "open_now",
        json!({ "zone": "UTC", "weekly": week, "holidays": [{ "date": holiday.to_string(), "name": "假日" }] }),
        1,
    )
    .await;
    policy_on(
        &app,
        "closed_now",
        json!({ "zone": "UTC", "working_days": [{ "date": "2030-01-02", "name": "开工", "hours": ["09:00-18:00"] }] }),
        2,
    )
    .await;
    for (tag, open) in [("open_now", true), ("closed_now", false)] {
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                json!({ "subject": tag, "description": "请回电", "tags": [tag], "customer": { "email": "qin@example.com" } }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        let number = ticket["number"].as_i64().expect("number");
        let (_, sla) = app.get(&format!("/api/v1/tickets/{number}/sla")).await;
        assert_eq!(sla["open_now"], open, "{sla}");
        let page = session.page(&app, &format!("/tickets/{number}")).await;
        let countdown = &page[page.find("class=\"countdown\"").expect("a countdown")..];
        let countdown = &countdown[..countdown.find('>').expect("tag end")];
        if open {
            let closing = format!("{holiday}T00:00:00");
            assert!(sla["open_until"].as_str().is_some_and(|u| u.starts_with(&closing)), "{sla}");
            assert!(
                !countdown.contains("data-paused") && countdown.contains("data-until=\"20"),
                "ticks until the holiday: {countdown}"
            );
        } else {
            assert!(sla["open_until"].is_null(), "{sla}");
            assert!(countdown.contains("data-paused=\"1\""), "closed: stands still: {countdown}");
        }
    }
}

async fn promises_on_tickets_the_reader_may_not_see_stay_hidden(backend: Backend) {
    let app = with_agent(backend).await;
    let (installers, repairs) = (app.team("安装 Installation").await, app.team("维修 Repairs").await);
    app.app
        .create_agent_as_operator(kefu_app::people::NewAgentCommand {
            email: "bob@example.com".into(),
            name: "Bob".into(),
            role: "agent".into(),
            teams: vec!["维修 Repairs".into()],
            password: Some(crate::ui::PASSWORD.into()),
        })
        .await
        .expect("bob");
    let mut numbers = Vec::new();
    for (subject, team) in [("上门安装 install", installers), ("维修 repair", repairs)] {
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                json!({ "subject": subject, "description": "…", "team": team, "customer": { "email": "wu@example.com" } }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        let number = ticket["number"].as_i64().expect("number");
        let due = Timestamp::now() + SignedDuration::from_hours(48);
        let (status, made) = app
            .post(
                &format!("/api/v1/tickets/{number}/commitments"),
                json!({ "what": format!("承诺 {subject}"), "due_at": due.to_string() }),
            )
            .await;
        assert_eq!(status, 201, "{made}");
        numbers.push(number);
    }
    let client = crate::ui::no_redirects();
    let (cookie, _) = crate::ui::signed_in_as(&app, &client, "bob@example.com").await;
    let page = app.page(&client, &format!("/tickets/{}", numbers[1]), Some(&cookie)).await;
    let promises = &page[page.find("id=\"customer-promises\"").expect("promises")..];
    assert!(promises.contains("承诺 维修 repair"), "his team's promise: {promises}");
    assert!(!promises.contains("承诺 上门安装 install"), "not another team's: {promises}");
}

on_both!(
    the_sidebar_shows_earlier_scores_and_open_promises,
    my_commitments_are_a_tab_with_their_count,
    business_hour_clocks_count_until_closing_or_stand_still,
    promises_on_tickets_the_reader_may_not_see_stay_hidden
);
