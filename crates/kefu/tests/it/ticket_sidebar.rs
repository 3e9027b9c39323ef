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

on_both!(the_sidebar_shows_earlier_scores_and_open_promises,);
