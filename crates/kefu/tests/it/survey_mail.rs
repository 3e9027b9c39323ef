//! Surveys by mail over a real SMTP conversation: the link with one link per rating, a
//! scanner that opens them all answers nothing, one reminder for an unanswered survey and
//! none for an answered one, and the survey a resolution trigger sends is mailed too.

use crate::api_surveys::{answer, consented_ticket, resolve, send, sends_of};
use crate::mail_catcher::CaughtMail;
use crate::on_both;
use crate::portal_mail::with_mail;
use crate::support::{Backend, TestApp};
use crate::ui::{FormSession, add_alice, no_redirects};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

const SURVEY_LINKS: &str = "http://help.kefu.test/s/";

fn about(mails: &[CaughtMail], number: i64) -> Vec<&CaughtMail> {
    mails.iter().filter(|m| m.subject.starts_with(&format!("[#{number}]"))).collect()
}

/// Runs the scheduler as if `days` had passed.
async fn days_later(app: &TestApp, days: i64) {
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_hours(24 * days))
        .await
        .expect("due work");
}

async fn surveys_are_mailed_with_a_link_per_rating_and_reminded_once(backend: Backend) {
    let (app, catcher) = with_mail(backend).await;
    let client = no_redirects();

    let unanswered = consented_ticket(&app, "qian@example.com", None).await;
    let token = send(&app, unanswered, "csat").await;
    let mails = catcher.wait_for(1).await;
    let invitation = about(&mails, unanswered)[0].clone();
    assert_eq!(invitation.to, "qian@example.com");
    assert!(invitation.subject.contains("How did we do?"), "{}", invitation.subject);
    // Best rating first, each its own link; the plain form link too.
    assert_eq!(invitation.link(SURVEY_LINKS), Some(format!("{SURVEY_LINKS}{token}?r=5")));
    for rating in 1..=5 {
        assert!(
            invitation.body.contains(&format!("{SURVEY_LINKS}{token}?r={rating}\n")),
            "{}",
            invitation.body
        );
    }
    assert!(
        invitation.body.contains(&format!("或打开问卷：{SURVEY_LINKS}{token}\n")),
        "{}",
        invitation.body
    );

    // A mail scanner opening every link answers nothing; the rating clicked is chosen.
    for rating in 1..=5 {
        let page = client.get(format!("{}/s/{token}?r={rating}", app.base)).send().await.expect("get");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("html");
        assert!(html.contains(&format!("value=\"{rating}\" checked")), "{html}");
    }
    let sends = sends_of(&app, unanswered).await;
    assert!(sends[0]["answered_at"].is_null(), "{sends:?}");
    // The agent's panel says it went by mail (and still holds the link, should they ask).
    add_alice(&app).await;
    let session = FormSession::admin(&app).await;
    let panel = session.page(&app, &format!("/tickets/{unanswered}/surveys")).await;
    assert!(panel.contains("class=\"survey-mailed\"") && panel.contains(&token), "{panel}");

    // Another customer answers at once: no reminder for them.
    let answered = consented_ticket(&app, "sun@example.com", None).await;
    let answered_token = send(&app, answered, "csat").await;
    let (status, body) = answer(&app, &answered_token, json!({ "ratings": { "satisfaction": 5 } })).await;
    assert_eq!(status, 201, "{body}");
    catcher.wait_for(2).await;

    // Not yet after two days; after three the unanswered survey is recalled, once.
    days_later(&app, 2).await;
    days_later(&app, 4).await;
    let mails = catcher.wait_for(3).await;
    let reminder = about(&mails, unanswered)
        .into_iter()
        .find(|m| m.subject.contains("Reminder"))
        .expect("a reminder")
        .clone();
    assert_eq!(reminder.to, "qian@example.com");
    assert_eq!(reminder.link(SURVEY_LINKS), Some(format!("{SURVEY_LINKS}{token}?r=5")));
    assert!(reminder.body.contains("这是唯一一次提醒。"), "{}", reminder.body);
    days_later(&app, 20).await;

    // A resolution trigger's survey is mailed as well (and marks the sync point: every
    // mail queued before it has been sent by the time it arrives).
    let (status, trigger) = app
        .post(
            "/api/v1/survey-triggers",
            json!({ "design_key": "service5", "delay_minutes": 60, "channels": [], "quiet_days": 30, "enabled": true }),
        )
        .await;
    assert_eq!(status, 201, "{trigger}");
    let resolved = consented_ticket(&app, "li@example.com", None).await;
    resolve(&app, resolved).await;
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(61))
        .await
        .expect("due work");
    let mails = catcher.wait_for(4).await;
    let from_trigger = about(&mails, resolved);
    assert_eq!(from_trigger.len(), 1, "{mails:?}");
    assert!(
        !from_trigger[0].body.contains("?r="),
        "five questions: the form only: {}",
        from_trigger[0].body
    );
    assert!(from_trigger[0].link(SURVEY_LINKS).is_some(), "{}", from_trigger[0].body);

    assert_eq!(about(&mails, unanswered).len(), 2, "invitation and one reminder: {mails:?}");
    assert_eq!(about(&mails, answered).len(), 1, "answered: no reminder: {mails:?}");
    assert_eq!(mails.len(), 4, "{mails:?}");
}

on_both!(surveys_are_mailed_with_a_link_per_rating_and_reminded_once);
