//! Satisfaction surveys over HTTP: signed links answered once (reading never answers),
//! the low-score follow-up, triggers after resolution through the durable scheduler,
//! designs and their versions, and reports that reproduce DOMAIN.md's worked example.

use crate::on_both;
use crate::search::encode;
use crate::support::{Backend, TestApp, event_kinds, spawn};
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

on_both!(
    a_customer_answers_once_and_a_low_score_opens_a_followup,
    surveys_need_consent_and_a_forged_link_opens_nothing,
    resolution_triggers_send_once_per_quiet_period,
    the_report_reproduces_the_worked_example,
    designs_are_validated_and_versioned,
    callback_campaigns_call_each_customer_once_and_record_every_attempt,
    praise_names_agents_and_actions_show_their_reason_before_and_after,
    comments_are_searched_within_the_reports_filters,
);

/// A ticket whose customer consented, in `team` when given; returns its number.
pub(crate) async fn consented_ticket(app: &TestApp, email: &str, team: Option<i64>) -> i64 {
    let mut body = json!({ "subject": "空调不制冷", "description": "室外机不转", "customer": { "email": email } });
    if let Some(team) = team {
        body["team"] = json!(team);
    }
    let (status, ticket) = app.post("/api/v1/tickets", body).await;
    assert_eq!(status, 201, "{ticket}");
    let customer = ticket["customer_id"].as_i64().unwrap();
    let (status, body) = app
        .patch(&format!("/api/v1/customers/{customer}"), json!({ "consent": true }))
        .await;
    assert_eq!(status, 200, "{body}");
    ticket["number"].as_i64().unwrap()
}

pub(crate) async fn send(app: &TestApp, number: i64, design: &str) -> String {
    let (status, link) = app
        .post(&format!("/api/v1/tickets/{number}/surveys"), json!({ "design": design }))
        .await;
    assert_eq!(status, 201, "{link}");
    // The answered send is the one stored, field by field.
    let stored = sends_of(app, number).await;
    let send = stored
        .iter()
        .find(|s| s["send"]["id"] == link["send"]["id"])
        .expect("the send is listed");
    assert_eq!(send["send"], link["send"], "{link} vs {stored:?}");
    link["token"].as_str().unwrap().to_owned()
}

pub(crate) async fn answer(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.call(Method::POST, &format!("/api/v1/surveys/{token}/answers"), None, Some(body))
        .await
}

fn five(ratings: [i64; 5]) -> Value {
    json!({ "ratings": { "skill": ratings[0], "attitude": ratings[1], "timeliness": ratings[2], "parts": ratings[3], "overall": ratings[4] } })
}

async fn report(app: &TestApp, design: &str, query: &str) -> Value {
    let (status, report) = app.get(&format!("/api/v1/survey-reports/{design}?{query}")).await;
    assert_eq!(status, 200, "{report}");
    report
}

async fn a_customer_answers_once_and_a_low_score_opens_a_followup(backend: Backend) {
    let app = spawn(backend).await;
    let team = app.team("售后服务").await;
    let (lead, _) = app.agent("lead@example.com", "supervisor", &[team]).await;
    let (status, body) = app.patch(&format!("/api/v1/teams/{team}"), json!({ "lead_agent_id": lead })).await;
    assert_eq!(status, 200, "{body}");
    let number = consented_ticket(&app, "wang@example.com", Some(team)).await;
    let token = send(&app, number, "service5").await;

    // Reading the link, as a mail scanner does, shows the form and records nothing.
    for _ in 0..3 {
        let (status, form) = app.call(Method::GET, &format!("/api/v1/surveys/{token}"), None, None).await;
        assert_eq!(status, 200, "{form}");
        assert_eq!(form["state"], "open");
        assert_eq!(form["design"]["key"], "service5");
    }
    assert_eq!(report(&app, "service5", "").await["answers"], 0);

    // Bad answers are refused with every problem named, and change nothing.
    let mut bad = five([10, 11, 3, 9, 10]);
    bad["ratings"].as_object_mut().unwrap().remove("overall");
    bad["reasons"] = json!({ "timeliness": ["no_such_reason"] });
    let (status, problem) = answer(&app, &token, bad).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["attitude", "overall", "reasons.timeliness"] {
        assert!(fields.contains(&field), "{field} missing from {problem}");
    }
    assert_eq!(report(&app, "service5", "").await["answers"], 0);

    let mut low = five([9, 8, 3, 9, 7]);
    low["reasons"] = json!({ "timeliness": ["late_arrival", "engineer_busy"] });
    low["comment"] = json!("工程师晚到了两天");
    let (status, receipt) = answer(&app, &token, low.clone()).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["low"], true);
    assert!((receipt["score"].as_f64().unwrap() - 72.0).abs() < 1e-9, "{receipt}");
    let followup = receipt["followup"].as_i64().expect("a follow-up ticket");

    // Once: a second answer (or a replay) is refused and changes nothing.
    let (status, problem) = answer(&app, &token, five([10, 10, 10, 10, 10])).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "survey_answered");
    let (_, form) = app.call(Method::GET, &format!("/api/v1/surveys/{token}"), None, None).await;
    assert_eq!(form["state"], "answered");

    // The follow-up: a high-priority complaint for the team's lead, linked to the ticket,
    // carrying the answers, with an acknowledgement the customer sees.
    let (status, ticket) = app.get(&format!("/api/v1/tickets/{followup}")).await;
    assert_eq!(status, 200, "{ticket}");
    assert_eq!(ticket["kind"], "complaint");
    assert_eq!(ticket["priority"], "high");
    assert_eq!(ticket["follow_up_of"], number);
    assert_eq!(ticket["assignee_id"], lead);
    assert_eq!(ticket["team_id"], team);
    let description = ticket["description"].as_str().unwrap();
    assert!(
        description.contains("到达现场晚") && description.contains("工程师晚到了两天"),
        "{description}"
    );
    let messages = ticket["messages"].as_array().unwrap();
    assert!(messages.iter().any(|m| m["kind"] == "system"), "{ticket}");
    let kinds = event_kinds(&app, number).await;
    for kind in ["survey_sent", "survey_answered", "follow_up_created"] {
        assert!(kinds.contains(&kind.to_owned()), "{kind} missing from {kinds:?}");
    }

    // The agent sees the survey and its answer on the ticket; the link is gone.
    let (_, surveys) = app.get(&format!("/api/v1/tickets/{number}/surveys")).await;
    assert_eq!(surveys.as_array().unwrap().len(), 1, "{surveys}");
    assert!(surveys[0]["token"].is_null());
    assert_eq!(surveys[0]["answer"]["answer"]["comment"], "工程师晚到了两天");
    assert_eq!(surveys[0]["answer"]["facts"]["team_id"], team);

    // A high score opens nothing.
    let token = send(&app, number, "service5").await;
    let (status, receipt) = answer(&app, &token, five([10, 9, 9, 10, 10])).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["low"], false);
    assert!(receipt["followup"].is_null());
}

async fn surveys_need_consent_and_a_forged_link_opens_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let number = app.ticket("没有同意", "noconsent@example.com").await;
    let (status, problem) = app.post(&format!("/api/v1/tickets/{number}/surveys"), json!({})).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "no_consent");
    let (status, problem) = app
        .post(&format!("/api/v1/tickets/{number}/surveys"), json!({ "design": "nope" }))
        .await;
    assert_eq!(status, 422, "{problem}");

    let number = consented_ticket(&app, "li@example.com", None).await;
    let token = send(&app, number, "csat").await;
    let (id, mac) = token.split_once('-').unwrap();
    let next = id.parse::<i64>().unwrap() + 1;
    for forged in [
        format!("{next}-{mac}"),
        format!("{id}-{}", "0".repeat(32)),
        "1".into(),
        "x-y".into(),
    ] {
        let (status, problem) = app.call(Method::GET, &format!("/api/v1/surveys/{forged}"), None, None).await;
        assert_eq!(status, 404, "{forged}: {problem}");
        let (status, _) = answer(&app, &forged, json!({ "ratings": { "satisfaction": 5 } })).await;
        assert_eq!(status, 404, "{forged}");
    }
    // An agent without admin rights cannot change designs or triggers.
    let (_, agent_token) = app.agent("agent@example.com", "agent", &[]).await;
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/survey-designs/csat",
            Some(&agent_token),
            Some(json!({ "spec": {} })),
        )
        .await;
    assert!(status == 403 || status == 422, "{status}");
    let (status, _) = app.call(Method::GET, "/api/v1/survey-reports/csat", Some(&agent_token), None).await;
    assert_eq!(status, 403);
}

pub(crate) async fn resolve(app: &TestApp, number: i64) {
    let (status, body) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            json!({ "kind": "reply", "body": "已为您处理" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .patch(&format!("/api/v1/tickets/{number}"), json!({ "status": "resolved" }))
        .await;
    assert_eq!(status, 200, "{body}");
}

pub(crate) async fn sends_of(app: &TestApp, number: i64) -> Vec<Value> {
    let (status, surveys) = app.get(&format!("/api/v1/tickets/{number}/surveys")).await;
    assert_eq!(status, 200, "{surveys}");
    surveys.as_array().unwrap().clone()
}

async fn resolution_triggers_send_once_per_quiet_period(backend: Backend) {
    let app = spawn(backend).await;
    let (status, trigger) = app
        .post(
            "/api/v1/survey-triggers",
            json!({ "design_key": "csat", "delay_minutes": 60, "channels": [], "quiet_days": 30, "enabled": true }),
        )
        .await;
    assert_eq!(status, 201, "{trigger}");
    let (status, problem) = app
        .post(
            "/api/v1/survey-triggers",
            json!({ "design_key": "nope", "delay_minutes": -1, "channels": ["fax"], "quiet_days": 30, "enabled": true }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 3, "{problem}");

    let first = consented_ticket(&app, "zhao@example.com", None).await;
    resolve(&app, first).await;
    // Not before the delay.
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(30))
        .await
        .unwrap();
    assert!(sends_of(&app, first).await.is_empty());
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(61))
        .await
        .unwrap();
    let sends = sends_of(&app, first).await;
    assert_eq!(sends.len(), 1, "{sends:?}");
    assert_eq!(sends[0]["send"]["origin"], "resolution");
    assert!(sends[0]["token"].is_string());

    // The same customer again within the quiet days: no second survey.
    let (status, second) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "又坏了", "description": "d", "customer": { "email": "zhao@example.com" } }),
        )
        .await;
    assert_eq!(status, 201);
    let second = second["number"].as_i64().unwrap();
    resolve(&app, second).await;
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(61))
        .await
        .unwrap();
    assert!(sends_of(&app, second).await.is_empty());

    // Reopened before the survey was due: none.
    let third = consented_ticket(&app, "qian@example.com", None).await;
    resolve(&app, third).await;
    let (status, body) = app.patch(&format!("/api/v1/tickets/{third}"), json!({ "status": "open" })).await;
    assert_eq!(status, 200, "{body}");
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(61))
        .await
        .unwrap();
    assert!(sends_of(&app, third).await.is_empty());

    // Without consent: none.
    let fourth = app.ticket("未同意", "sun@example.com").await;
    resolve(&app, fourth).await;
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(61))
        .await
        .unwrap();
    assert!(sends_of(&app, fourth).await.is_empty());

    // Due in the same pass: each customer's first survey, not one customer's second.
    let fifth = consented_ticket(&app, "zhou@example.com", None).await;
    let sixth = consented_ticket(&app, "wu@example.com", None).await;
    let (status, seventh) = app
        .post(
            "/api/v1/tickets",
            json!({ "subject": "还有一台", "description": "d", "customer": { "email": "zhou@example.com" } }),
        )
        .await;
    assert_eq!(status, 201, "{seventh}");
    let seventh = seventh["number"].as_i64().unwrap();
    for number in [fifth, sixth, seventh] {
        resolve(&app, number).await;
    }
    app.app
        .run_due_work(Timestamp::now() + SignedDuration::from_mins(61))
        .await
        .unwrap();
    let (fifth_sends, sixth_sends) = (sends_of(&app, fifth).await, sends_of(&app, sixth).await);
    assert_eq!((fifth_sends.len(), sixth_sends.len()), (1, 1), "{fifth_sends:?} {sixth_sends:?}");
    assert_ne!(fifth_sends[0]["send"]["customer_id"], sixth_sends[0]["send"]["customer_id"]);
    for number in [fifth, sixth] {
        let kinds = event_kinds(&app, number).await;
        assert_eq!(kinds.iter().filter(|k| *k == "survey_sent").count(), 1, "{kinds:?}");
    }
    assert!(sends_of(&app, seventh).await.is_empty());
    assert!(!event_kinds(&app, seventh).await.contains(&"survey_sent".to_owned()));
}

async fn the_report_reproduces_the_worked_example(backend: Backend) {
    let app = spawn(backend).await;
    let north = app.team("华北").await;
    let south = app.team("华南").await;
    let north_ticket = consented_ticket(&app, "north@example.com", Some(north)).await;
    let south_ticket = consented_ticket(&app, "south@example.com", Some(south)).await;
    // DOMAIN.md: 38 answers on timeliness, one 6, two 7, thirty-four 8, one 9.
    let mut timeliness = vec![6, 7, 7, 9];
    timeliness.extend(std::iter::repeat_n(8, 34));
    for (i, rating) in timeliness.iter().enumerate() {
        let number = if i % 2 == 0 { north_ticket } else { south_ticket };
        let token = send(&app, number, "service5").await;
        let mut body = five([9, 9, *rating, 9, 9]);
        if *rating <= 7 {
            body["reasons"] = json!({ "timeliness": [if *rating == 6 { "late_arrival" } else { "engineer_busy" }] });
        }
        let (status, receipt) = answer(&app, &token, body).await;
        assert_eq!(status, 201, "{receipt}");
    }
    let report = report(&app, "service5", "target=80&group_by=team").await;
    assert_eq!(report["answers"], 38);
    let dimension = |key: &str| {
        report["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == key)
            .unwrap()
            .clone()
    };
    let timeliness = dimension("timeliness");
    assert_eq!(timeliness["score"]["n"], 38);
    assert_eq!(timeliness["score"]["small_sample"], false);
    let score = timeliness["score"]["value"].as_f64().unwrap();
    assert_eq!((score * 10.0).round() / 10.0, 79.2, "{timeliness}");
    assert_eq!(timeliness["what_it_takes"]["moves"], 3, "{timeliness}");
    assert_eq!(timeliness["what_it_takes"]["to_rating"], 9);
    // Ranked: every other dimension scores 90, timeliness last.
    assert_eq!(timeliness["rank"], 5);
    assert_eq!(dimension("skill")["score"]["value"], 90.0);
    // No low ratings (≤ 4), so no reasons were kept for 6 and 7.
    assert!(timeliness["reasons"].as_array().unwrap().is_empty(), "{timeliness}");
    let groups = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert!(
        groups.iter().all(|g| g["score"]["n"] == 19),
        "answers per team, not ratings: {groups:?}"
    );
    let labels: Vec<&str> = groups.iter().map(|g| g["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"华北") && labels.contains(&"华南"), "{labels:?}");
    // Filtered to one team.
    let north_only = crate::api_surveys::report(&app, "service5", &format!("team={north}")).await;
    assert_eq!(north_only["answers"], 19);

    // CSAT: 5, 5, 4, 2 → 75 %; the 2 is low and gives its reason.
    let csat_ticket = consented_ticket(&app, "csat@example.com", None).await;
    for rating in [5, 5, 4, 2] {
        let token = send(&app, csat_ticket, "csat").await;
        let mut body = json!({ "ratings": { "satisfaction": rating } });
        if rating == 2 {
            body["reasons"] = json!({ "satisfaction": ["slow_reply"] });
        }
        let (status, receipt) = answer(&app, &token, body).await;
        assert_eq!(status, 201, "{receipt}");
    }
    let csat = crate::api_surveys::report(&app, "csat", "").await;
    assert_eq!(csat["headline_kind"], "csat");
    assert_eq!(csat["headline"]["value"], 75.0);
    assert_eq!(csat["headline"]["small_sample"], true);
    let reasons = &csat["dimensions"][0]["reasons"];
    assert_eq!(reasons[0]["key"], "slow_reply");
    assert_eq!(reasons[0]["cumulative"], 100.0);
    let (status, low) = app.get("/api/v1/survey-reports/csat/answers?low=true").await;
    assert_eq!(status, 200, "{low}");
    assert_eq!(low.as_array().unwrap().len(), 1);
    // Nothing in a period before the answers; a bad period is refused.
    let empty = crate::api_surveys::report(&app, "csat", "from=2020-01-01&to=2020-02-01").await;
    assert_eq!(empty["answers"], 0);
    assert!(empty["headline"]["value"].is_null());
    let (status, problem) = app.get("/api/v1/survey-reports/csat?from=yesterday&group_by=planet").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");

    // Each group's score change against the same group in the previous period: 华北 went
    // from four 5s to three 2s and a 5 (CSAT 100 % → 25 %, score 100 → 55).
    let rate = |ratings: [i32; 4]| {
        let app = &app;
        async move {
            for rating in ratings {
                let token = send(app, north_ticket, "csat").await;
                let (status, receipt) = answer(app, &token, json!({ "ratings": { "satisfaction": rating } })).await;
                assert_eq!(status, 201, "{receipt}");
            }
        }
    };
    rate([5, 5, 5, 5]).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let split = Timestamp::now();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    rate([2, 2, 2, 5]).await;
    let until = split + SignedDuration::from_mins(10);
    let grouped = crate::api_surveys::report(&app, "csat", &format!("group_by=team&from={split}&to={until}")).await;
    let north_group = grouped["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["label"] == "华北")
        .expect("华北")
        .clone();
    assert_eq!(north_group["headline"], 25.0, "{north_group}");
    assert_eq!(north_group["score"]["n"], 4, "{north_group}");
    let score_delta = north_group["score"]["change"]["delta"].as_f64().expect("a score change");
    assert!((score_delta + 45.0).abs() < 1e-9, "{north_group}");
}

async fn designs_are_validated_and_versioned(backend: Backend) {
    let app = spawn(backend).await;
    let (status, designs) = app.get("/api/v1/survey-designs").await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = designs.as_array().unwrap().iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["csat", "nps", "service5"]);

    let mut spec = designs[0]["spec"].clone();
    spec["dimensions"][0]["weight"] = json!(90);
    let (status, problem) = app
        .call(
            Method::PUT,
            "/api/v1/survey-designs/csat",
            Some(&app.token),
            Some(json!({ "spec": spec })),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "weights_not_100");

    // An answer to version 1, then a new version: the answer keeps version 1.
    let number = consented_ticket(&app, "ver@example.com", None).await;
    let token = send(&app, number, "csat").await;
    let mut spec = designs[0]["spec"].clone();
    spec["questions"][0]["text"]["en"] = json!("Were we helpful?");
    let (status, v2) = app
        .call(
            Method::PUT,
            "/api/v1/survey-designs/csat",
            Some(&app.token),
            Some(json!({ "spec": spec })),
        )
        .await;
    assert_eq!(status, 200, "{v2}");
    assert_eq!(v2["version"], 2);
    let (_, form) = app.call(Method::GET, &format!("/api/v1/surveys/{token}"), None, None).await;
    assert_eq!(form["design"]["version"], 1);
    let (status, _) = answer(&app, &token, json!({ "ratings": { "satisfaction": 4 } })).await;
    assert_eq!(status, 201);
    let (_, versions) = app.get("/api/v1/survey-designs/csat").await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let new_token = send(&app, number, "csat").await;
    let (_, form) = app.call(Method::GET, &format!("/api/v1/surveys/{new_token}"), None, None).await;
    assert_eq!(form["design"]["version"], 2);
}

async fn callback_campaigns_call_each_customer_once_and_record_every_attempt(backend: Backend) {
    let app = spawn(backend).await;
    let team = app.team("回访组").await;
    let (first_agent, first) = app.agent("caller1@example.com", "agent", &[team]).await;
    let (second_agent, second) = app.agent("caller2@example.com", "agent", &[team]).await;
    // Two customers to call; one surveyed lately, one without consent, one with nothing
    // resolved lately are left out.
    let mut called = Vec::new();
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        let number = consented_ticket(&app, email, None).await;
        resolve(&app, number).await;
        called.push(number);
    }
    send(&app, called[2], "csat").await;
    let unconsented = app.ticket("未同意", "d@example.com").await;
    resolve(&app, unconsented).await;
    consented_ticket(&app, "e@example.com", None).await;

    let (status, problem) = app
        .post(
            "/api/v1/callback-campaigns",
            json!({ "name": "", "starts_on": "2026-12-31", "ends_on": "2026-12-01", "design": "nope", "tier": "gold", "team": 999 }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["name", "ends_on", "design", "tier", "team"] {
        assert!(fields.contains(&field), "{field} missing from {problem}");
    }
    let (_, agent_try) = app
        .call(
            Method::POST,
            "/api/v1/callback-campaigns",
            Some(&first),
            Some(json!({ "name": "x", "starts_on": "2026-12-01", "ends_on": "2026-12-31" })),
        )
        .await;
    assert_eq!(agent_try["status"], 403, "{agent_try}");

    let campaign = json!({ "name": "2026 Q4 回访", "design": "service5", "starts_on": "2026-12-01", "ends_on": "2026-12-31",
                           "resolved_within_days": 30, "team": team });
    let (status, created) = app.post("/api/v1/callback-campaigns", campaign.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["callbacks"], 2, "{created}");

    let mine = |token: String| {
        let app = &app;
        async move {
            let (status, list) = app.call(Method::GET, "/api/v1/callbacks?view=mine", Some(&token), None).await;
            assert_eq!(status, 200, "{list}");
            list.as_array().unwrap().clone()
        }
    };
    let first_calls = mine(first.clone()).await;
    let second_calls = mine(second.clone()).await;
    assert_eq!((first_calls.len(), second_calls.len()), (1, 1), "round robin");
    assert_eq!(first_calls[0]["agent_id"], first_agent);
    assert_eq!(second_calls[0]["agent_id"], second_agent);
    assert_eq!(first_calls[0]["due_on"], "2026-12-01");
    assert_eq!(second_calls[0]["due_on"], "2026-12-16");
    assert!(called.contains(&first_calls[0]["ticket_number"].as_i64().unwrap()));
    let first_id = first_calls[0]["id"].as_i64().unwrap();
    let second_id = second_calls[0]["id"].as_i64().unwrap();

    // Another agent's call is not mine to work on.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/callbacks/{second_id}/attempts"),
            Some(&first),
            Some(json!({ "outcome": "no_answer" })),
        )
        .await;
    assert_eq!(status, 403);

    // Nobody answers three times: given up, each attempt counted.
    for attempt in 1..=3 {
        let (status, callback) = app
            .call(
                Method::POST,
                &format!("/api/v1/callbacks/{first_id}/attempts"),
                Some(&first),
                Some(json!({ "outcome": "no_answer", "note": format!("第{attempt}次未接") })),
            )
            .await;
        assert_eq!(status, 200, "{callback}");
        assert_eq!(callback["attempts"], attempt);
        assert_eq!(callback["status"], if attempt < 3 { "pending" } else { "no_answer" });
    }
    assert!(mine(first.clone()).await.is_empty());

    // The second customer answers on the phone; the agent enters it.
    let bad = json!({ "answer": { "ratings": { "skill": 0 } } });
    let (status, problem) = app
        .call(
            Method::POST,
            &format!("/api/v1/callbacks/{second_id}/answers"),
            Some(&second),
            Some(bad),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let mut answer = five([8, 3, 9, 9, 8]);
    answer["reasons"] = json!({ "attitude": ["promise_not_kept"] });
    let body = json!({ "answer": answer, "note": "客户说上次承诺回电没有兑现" });
    let (status, receipt) = app
        .call(
            Method::POST,
            &format!("/api/v1/callbacks/{second_id}/answers"),
            Some(&second),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["low"], true);
    let (status, problem) = app
        .call(
            Method::POST,
            &format!("/api/v1/callbacks/{second_id}/answers"),
            Some(&second),
            Some(body),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "callback_closed");
    let (_, answers) = app.get("/api/v1/survey-reports/service5/answers").await;
    assert_eq!(answers[0]["entered_by"], second_agent, "{answers}");

    let (_, all) = app.get("/api/v1/callbacks?view=all").await;
    let statuses: Vec<&str> = all.as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&"answered") && statuses.contains(&"no_answer"), "{statuses:?}");
    let (status, _) = app.call(Method::GET, "/api/v1/callbacks?view=all", Some(&first), None).await;
    assert_eq!(status, 403);

    // The same campaign again finds nobody: everyone was surveyed this quarter.
    let (status, again) = app.post("/api/v1/callback-campaigns", campaign).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["callbacks"], 0);

    // The supervisor sees each campaign's reach, newest first: the second reached nobody;
    // the first made two calls, one answered and one never reached.
    let (status, campaigns) = app.get("/api/v1/callback-campaigns").await;
    assert_eq!(status, 200, "{campaigns}");
    let reach = |c: &Value| {
        ["sent", "opened", "answered", "calls_pending", "calls_no_answer", "calls_refused"].map(|field| c[field].as_i64().unwrap())
    };
    assert_eq!(campaigns[0]["id"], again["id"], "{campaigns}");
    assert_eq!(reach(&campaigns[0]), [0, 0, 0, 0, 0, 0], "{campaigns}");
    assert!(campaigns[0]["answer_rate"].is_null(), "{campaigns}");
    assert_eq!(campaigns[1]["id"], created["id"], "{campaigns}");
    assert_eq!(
        (campaigns[1]["channel"].as_str(), campaigns[1]["design_key"].as_str()),
        (Some("phone"), Some("service5"))
    );
    assert_eq!(reach(&campaigns[1]), [2, 0, 1, 0, 1, 0], "{campaigns}");
    assert_eq!(campaigns[1]["answer_rate"], 0.5, "{campaigns}");
    let (status, _) = app.call(Method::GET, "/api/v1/callback-campaigns", Some(&first), None).await;
    assert_eq!(status, 403);
}

async fn praise_names_agents_and_actions_show_their_reason_before_and_after(backend: Backend) {
    let app = spawn(backend).await;
    let team = app.team("华东").await;
    let (status, alice) = app
        .post(
            "/api/v1/agents",
            json!({ "email": "alice@example.com", "name": "李丽 Alice", "role": "agent", "teams": [team] }),
        )
        .await;
    assert_eq!(status, 201, "{alice}");
    let number = consented_ticket(&app, "fan@example.com", Some(team)).await;

    // Two late arrivals, then an action, then two good visits.
    for _ in 0..2 {
        let token = send(&app, number, "service5").await;
        let mut body = five([8, 8, 3, 8, 8]);
        body["reasons"] = json!({ "timeliness": ["late_arrival"] });
        assert_eq!(answer(&app, &token, body).await.0, 201);
    }
    let (status, problem) = app
        .post(
            "/api/v1/survey-actions",
            json!({ "design": "service5", "dimension": "timeliness", "reason": "nope", "what": "" }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");
    let (status, action) = app
        .post(
            "/api/v1/survey-actions",
            json!({ "design": "service5", "dimension": "timeliness", "reason": "late_arrival",
                    "what": "华东增派两名工程师", "owner_id": alice["id"], "due_on": "2026-12-31" }),
        )
        .await;
    assert_eq!(status, 201, "{action}");
    for comment in ["李丽很耐心，一次就修好了", "Alice was great"] {
        let token = send(&app, number, "service5").await;
        let mut body = five([10, 10, 9, 10, 10]);
        body["comment"] = json!(comment);
        assert_eq!(answer(&app, &token, body).await.0, 201);
    }
    // A low answer naming her is not praise.
    let token = send(&app, number, "service5").await;
    let mut body = five([2, 2, 2, 2, 2]);
    body["comment"] = json!("李丽没有来");
    assert_eq!(answer(&app, &token, body).await.0, 201);

    let (status, trends) = app.get("/api/v1/survey-actions?design=service5").await;
    assert_eq!(status, 200, "{trends}");
    let trend = &trends[0];
    assert_eq!(trend["before"]["answers"], 2, "{trend}");
    assert_eq!(trend["before"]["rate"], 100.0);
    assert_eq!(trend["after"]["answers"], 3);
    assert_eq!(trend["after"]["with_reason"], 0);
    let id = trend["action"]["id"].as_i64().unwrap();
    let (status, done) = app
        .post(&format!("/api/v1/survey-actions/{id}/done"), json!({ "done": true }))
        .await;
    assert_eq!(status, 200, "{done}");
    assert!(done["done_at"].is_string());

    let (status, praise) = app.get(&format!("/api/v1/praise?team={team}")).await;
    assert_eq!(status, 200, "{praise}");
    let comments: Vec<&str> = praise.as_array().unwrap().iter().map(|p| p["comment"].as_str().unwrap()).collect();
    assert_eq!(comments.len(), 2, "{praise}");
    assert!(praise.as_array().unwrap().iter().all(|p| p["agent_name"] == "李丽 Alice"));
    let (_, stars) = app.get("/api/v1/service-star").await;
    assert_eq!(stars[0]["agent_name"], "李丽 Alice", "{stars}");
    assert_eq!(stars[0]["praise"], 2);
    let (status, problem) = app.get("/api/v1/praise?month=13-2026").await;
    assert_eq!(status, 422, "{problem}");
}

/// The ticket numbers of a comment search's answers, in the order found, after waiting up
/// to five seconds for `expected` (the index is fed after each commit).
async fn comment_search(app: &TestApp, query: &str, expected: &[i64]) -> Vec<i64> {
    let started = std::time::Instant::now();
    loop {
        let (status, found) = app.get(&format!("/api/v1/survey-reports/service5/answers?{query}")).await;
        assert_eq!(status, 200, "{found}");
        let numbers: Vec<i64> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["ticket_number"].as_i64().unwrap())
            .collect();
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        if sorted == expected || started.elapsed() > std::time::Duration::from_secs(5) {
            for answer in found.as_array().unwrap() {
                assert!(answer["snippet"].as_str().unwrap().contains("<b>"), "the match is marked: {answer}");
            }
            return sorted;
        }
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
}

async fn comments_are_searched_within_the_reports_filters(backend: Backend) {
    let app = spawn(backend).await;
    let install = app.team("安装").await;
    let repair = app.team("维修").await;
    let late = consented_ticket(&app, "late@example.com", Some(install)).await;
    let patient = consented_ticket(&app, "patient@example.com", Some(install)).await;
    let quick = consented_ticket(&app, "quick@example.com", Some(repair)).await;
    let silent = consented_ticket(&app, "silent@example.com", Some(repair)).await;
    for (number, ratings, comment) in [
        (late, [3, 3, 2, 3, 3], Some("师傅上门晚了两天，配件也没带齐")),
        (patient, [10, 10, 9, 10, 10], Some("The engineer was very patient 工程师很耐心")),
        (quick, [9, 9, 10, 10, 9], Some("配件送得很快")),
        (silent, [9, 9, 9, 9, 9], None),
    ] {
        let token = send(&app, number, "service5").await;
        let mut body = five(ratings);
        if let Some(comment) = comment {
            body["comment"] = json!(comment);
        }
        let (status, receipt) = answer(&app, &token, body).await;
        assert_eq!(status, 201, "{receipt}");
    }

    // Words in either language, from any answer with a comment.
    let parts = format!("q={}", encode("配件"));
    assert_eq!(comment_search(&app, &parts, &[late, quick]).await, vec![late, quick]);
    assert_eq!(comment_search(&app, "q=patient", &[patient]).await, vec![patient]);
    assert_eq!(comment_search(&app, "q=Patient%20ENGINEER", &[patient]).await, vec![patient]);
    // The report's filters apply: a team, low scores only, the period.
    assert_eq!(comment_search(&app, &format!("{parts}&team={install}"), &[late]).await, vec![late]);
    // Team ids compare as numbers, as the answer list compares them.
    assert_eq!(comment_search(&app, &format!("{parts}&team=0{install}"), &[late]).await, vec![late]);
    assert_eq!(comment_search(&app, &format!("{parts}&team=abc"), &[]).await, Vec::<i64>::new());
    assert_eq!(comment_search(&app, &format!("{parts}&low=true"), &[late]).await, vec![late]);
    assert_eq!(
        comment_search(&app, &format!("{parts}&to=2020-01-01"), &[]).await,
        Vec::<i64>::new()
    );
    // Another design's answers are not this report's.
    let (status, found) = app.get(&format!("/api/v1/survey-reports/csat/answers?{parts}")).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found, json!([]));

    // Refused: a search with a paging cursor, an overlong search; agents see no answers.
    let (status, problem) = app.get(&format!("/api/v1/survey-reports/service5/answers?{parts}&before=99")).await;
    assert_eq!(
        (status, problem["errors"][0]["code"].as_str()),
        (422, Some("not_with_q")),
        "{problem}"
    );
    let long = "配".repeat(501);
    let (status, problem) = app
        .get(&format!("/api/v1/survey-reports/service5/answers?q={}", encode(&long)))
        .await;
    assert_eq!(
        (status, problem["errors"][0]["code"].as_str()),
        (422, Some("too_long")),
        "{problem}"
    );
    let (_, agent) = app.agent("agent@example.com", "agent", &[install]).await;
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/survey-reports/service5/answers?{parts}"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(status, 403);

    // The report page searches the same way and marks the words found.
    crate::ui::add_alice(&app).await;
    let client = crate::ui::no_redirects();
    let (cookie, _) = crate::ui::signed_in(&app, &client).await;
    let page = app
        .page(&client, &format!("/reports/satisfaction?design=service5&{parts}"), Some(&cookie))
        .await;
    let hits = comment_hits(&page);
    assert!(
        hits.contains(&format!("/tickets/{late}")) && hits.contains(&format!("/tickets/{quick}")),
        "{hits}"
    );
    assert!(!hits.contains(&format!("/tickets/{patient}")), "{hits}");
    assert!(hits.contains("<b>"), "{hits}");
    assert!(
        page.contains("2 answers found") || page.contains("找到 2 份答卷"),
        "the count is shown"
    );
    let page = app
        .page(
            &client,
            "/reports/satisfaction?design=service5&q=nothing%20like%20this",
            Some(&cookie),
        )
        .await;
    assert!(page.contains("id=\"comment-summary\""), "{page}");
    let hits = comment_hits(&page);
    assert!(!hits.contains("<li>"), "nothing listed as found: {hits}");
}

/// The list of answers a comment search found on the report page.
fn comment_hits(page: &str) -> &str {
    let list = page.split("id=\"comment-hits\"").nth(1).expect("the comment hits");
    list.split("</ul>").next().unwrap_or_default()
}
