//! Surveys by mail over a real SMTP conversation: the link with one link per rating, a
//! scanner that opens them all answers nothing, one reminder for an unanswered survey and
//! none for an answered one (after the trigger's or campaign's days, or never), the
//! survey a resolution trigger sends is mailed too, and an e-mail campaign reaches its
//! segment once and reports how many answered.

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
    let callbacks = session.page(&app, "/callbacks").await;
    assert!(
        callbacks.contains("<option value=\"email\">"),
        "e-mail campaigns offered: {callbacks}"
    );

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
    // Two fall due in the same pass: each mail goes to its own customer, with its link.
    let resolved = consented_ticket(&app, "li@example.com", None).await;
    let also_resolved = consented_ticket(&app, "zhou@example.com", None).await;
    resolve(&app, resolved).await;
    resolve(&app, also_resolved).await;
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(61))
        .await
        .expect("due work");
    let mails = catcher.wait_for(5).await;
    for (number, to) in [(resolved, "li@example.com"), (also_resolved, "zhou@example.com")] {
        let from_trigger = about(&mails, number);
        assert_eq!(from_trigger.len(), 1, "{mails:?}");
        assert_eq!(from_trigger[0].to, to);
        assert!(
            !from_trigger[0].body.contains("?r="),
            "five questions: the form only: {}",
            from_trigger[0].body
        );
        let sends = sends_of(&app, number).await;
        let token = sends[0]["token"].as_str().expect("token");
        assert_eq!(
            from_trigger[0].link(SURVEY_LINKS),
            Some(format!("{SURVEY_LINKS}{token}")),
            "{}",
            from_trigger[0].body
        );
    }

    assert_eq!(about(&mails, unanswered).len(), 2, "invitation and one reminder: {mails:?}");
    assert_eq!(about(&mails, answered).len(), 1, "answered: no reminder: {mails:?}");
    assert_eq!(mails.len(), 5, "{mails:?}");
}

/// A customer of `tier` who consented; with `email` when given (else by phone only).
async fn consented_customer(app: &TestApp, name: &str, email: Option<&str>, tier: &str) -> i64 {
    let contact = match email {
        Some(email) => json!({ "name": name, "email": email }),
        None => json!({ "name": name, "phone": "+8613800000000" }),
    };
    let (status, ticket) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "咨询 question", "description": "…", "customer": contact }),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    let customer = ticket["customer_id"].as_i64().expect("customer");
    let (status, body) = app
        .patch(&format!("/api/v1/customers/{customer}"), json!({ "consent": true, "tier": tier }))
        .await;
    assert_eq!(status, 200, "{body}");
    customer
}

async fn an_email_campaign_mails_the_segment_once_and_reminds_once(backend: Backend) {
    let (app, catcher) = with_mail(backend).await;
    consented_customer(&app, "周大客户", Some("zhou@example.com"), "key_account").await;
    consented_customer(&app, "吴大客户", None, "key_account").await;
    consented_customer(&app, "郑普通", Some("zheng@example.com"), "normal").await;
    let campaign = json!({
        "name": "2026 Q4 大客户满意度", "design": "csat", "starts_on": "2026-12-01", "ends_on": "2026-12-31",
        "tier": "key_account", "channel": "email"
    });
    let (status, created) = app.post("/api/v1/callback-campaigns", campaign.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (
            created["channel"].as_str(),
            created["mailed"].as_u64(),
            created["without_address"].as_u64(),
            created["callbacks"].as_u64()
        ),
        (Some("email"), Some(1), Some(1), Some(0)),
        "{created}"
    );
    let mails = catcher.wait_for(1).await;
    assert_eq!(mails[0].to, "zhou@example.com");
    assert!(
        !mails[0].subject.contains('#') && mails[0].body.contains("整体感受"),
        "{:?}",
        mails[0]
    );
    let link = mails[0].link(SURVEY_LINKS).expect("a link");
    assert!(link.ends_with("?r=5"), "{link}");

    // Surveyed now: the same campaign again reaches nobody (quiet days); no calls made.
    let (status, again) = app.post("/api/v1/callback-campaigns", campaign).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["mailed"], 0, "{again}");
    let (_, calls) = app.get("/api/v1/callbacks?view=all").await;
    assert_eq!(calls.as_array().map(Vec::len), Some(0), "{calls}");

    // Unanswered: one reminder about the service, then nothing more.
    days_later(&app, 4).await;
    days_later(&app, 20).await;
    let mails = catcher.wait_for(2).await;
    assert!(
        mails[1].subject.contains("Reminder") && !mails[1].subject.contains('#'),
        "{:?}",
        mails[1]
    );
    assert_eq!(mails[1].link(SURVEY_LINKS).as_deref(), Some(link.as_str()));

    // The customer opens the link and answers: the campaign's figures say so.
    let token = link.trim_start_matches(SURVEY_LINKS).split('?').next().expect("token").to_owned();
    let page = no_redirects().get(format!("{}/s/{token}", app.base)).send().await.expect("get");
    assert_eq!(page.status(), 200);
    let (status, body) = answer(&app, &token, json!({ "ratings": { "satisfaction": 4 } })).await;
    assert_eq!(status, 201, "{body}");
    let (status, campaigns) = app.get("/api/v1/callback-campaigns").await;
    assert_eq!(status, 200, "{campaigns}");
    let first = &campaigns[1];
    assert_eq!(first["id"], created["id"], "{campaigns}");
    assert_eq!(
        (
            first["channel"].as_str(),
            first["sent"].as_i64(),
            first["opened"].as_i64(),
            first["answered"].as_i64(),
            first["answer_rate"].as_f64()
        ),
        (Some("email"), Some(1), Some(1), Some(1), Some(1.0)),
        "{campaigns}"
    );
    assert_eq!(first["reminder_days"], 3, "the default: {campaigns}");
    // The supervisor's page lists both campaigns.
    add_alice(&app).await;
    let session = FormSession::admin(&app).await;
    let page = session.page(&app, "/callbacks").await;
    assert!(
        page.contains("id=\"campaigns\"") && page.contains("2026 Q4 大客户满意度") && page.contains("100.0 %"),
        "{page}"
    );

    // A bad channel changes nothing; without mail settings an e-mail campaign is refused.
    let (status, problem) = app
        .post(
            "/api/v1/callback-campaigns",
            json!({ "name": "x", "starts_on": "2026-12-01", "ends_on": "2026-12-31", "channel": "fax" }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "invalid_channel", "{problem}");
    let without = crate::support::spawn(backend).await;
    let (status, problem) = without
        .post(
            "/api/v1/callback-campaigns",
            json!({ "name": "x", "starts_on": "2026-12-01", "ends_on": "2026-12-31", "channel": "email" }),
        )
        .await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("mail_not_configured")), "{problem}");
    assert_eq!(catcher.mails().len(), 2);
}

/// Reminder mails for `number`.
fn reminders_about(mails: &[CaughtMail], number: i64) -> usize {
    about(mails, number).iter().filter(|m| m.subject.contains("Reminder")).count()
}

async fn a_trigger_or_campaign_says_when_the_reminder_comes_or_that_none_does(backend: Backend) {
    let (app, catcher) = with_mail(backend).await;
    // Out of range: refused, nothing saved.
    let trigger =
        json!({ "design_key": "csat", "delay_minutes": 60, "channels": [], "quiet_days": 0, "reminder_days": 29, "enabled": true });
    let (status, problem) = app.post("/api/v1/survey-triggers", trigger.clone()).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "reminder_days", "{problem}");
    let (_, triggers) = app.get("/api/v1/survey-triggers").await;
    assert_eq!(triggers.as_array().map(Vec::len), Some(0), "{triggers}");
    let (status, problem) = app
        .post(
            "/api/v1/callback-campaigns",
            json!({ "name": "x", "starts_on": "2026-12-01", "ends_on": "2026-12-31", "channel": "email", "reminder_days": -1 }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "reminder_days", "{problem}");

    // No reminder at all.
    let mut trigger = trigger;
    trigger["reminder_days"] = json!(0);
    let (status, saved) = app.post("/api/v1/survey-triggers", trigger.clone()).await;
    assert_eq!(status, 201, "{saved}");
    assert_eq!(saved["reminder_days"], 0, "{saved}");
    let never = consented_ticket(&app, "never@example.com", None).await;
    resolve(&app, never).await;
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(61))
        .await
        .expect("due work");
    catcher.wait_for(1).await;
    // A survey sent by hand with the trigger's design follows the trigger's days too.
    let by_hand = consented_ticket(&app, "byhand@example.com", None).await;
    send(&app, by_hand, "csat").await;
    catcher.wait_for(2).await;
    days_later(&app, 4).await;
    days_later(&app, 20).await;

    // A week: not after four days, after eight.
    trigger["reminder_days"] = json!(7);
    let id = saved["id"].as_i64().expect("id");
    let put = |body: serde_json::Value| {
        let app = &app;
        async move {
            app.call(
                reqwest::Method::PUT,
                &format!("/api/v1/survey-triggers/{id}"),
                Some(&app.token),
                Some(body),
            )
            .await
        }
    };
    let (status, saved) = put(trigger.clone()).await;
    assert_eq!(status, 200, "{saved}");
    // A change that leaves the field out keeps it.
    let mut without = trigger.clone();
    without.as_object_mut().expect("object").remove("reminder_days");
    let (status, saved) = put(without).await;
    assert_eq!((status, saved["reminder_days"].as_i64()), (200, Some(7)), "{saved}");
    let week = consented_ticket(&app, "week@example.com", None).await;
    resolve(&app, week).await;
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(61))
        .await
        .expect("due work");
    let mails = catcher.wait_for(3).await;
    assert_eq!(about(&mails, week).len(), 1, "{mails:?}");
    days_later(&app, 4).await;
    // A reminder queued by that pass would be on its way before this marker is queued
    // (the mailer is woken at once; mails of one batch may arrive in any order).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    send(&app, consented_ticket(&app, "marker@example.com", None).await, "csat").await;
    let mails = catcher.wait_for(4).await;
    assert_eq!(reminders_about(&mails, week), 0, "not after four days: {mails:?}");
    days_later(&app, 8).await;
    let mails = catcher.wait_for(5).await;
    assert_eq!(reminders_about(&mails, week), 1, "{mails:?}");
    assert_eq!(reminders_about(&mails, never), 0, "{mails:?}");
    assert_eq!(reminders_about(&mails, by_hand), 0, "{mails:?}");
}

on_both!(
    surveys_are_mailed_with_a_link_per_rating_and_reminded_once,
    an_email_campaign_mails_the_segment_once_and_reminds_once,
    a_trigger_or_campaign_says_when_the_reminder_comes_or_that_none_does
);
