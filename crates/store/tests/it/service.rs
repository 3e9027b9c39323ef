//! The service engine's records: calendars, SLA policies, commitments, notifications and
//! automation rules.

use crate::support::{agent, at, customer, new_ticket, ticket, write_one};
use jiff::civil::date;
use kefu_domain::calendar_spec::{CalendarSpec, HolidaySpec};
use kefu_domain::conditions::Conditions;
use kefu_domain::entities::{Id, Ticket};
use kefu_domain::enums::{Channel, Priority};
use kefu_domain::service::{CommitmentStatus, NewNotification, NewSlaPolicy, NotificationKind};
use kefu_domain::sla::{Metric, Target};
use kefu_store::calendars::{calendar_by_id, calendars, delete_calendar, insert_calendar, update_calendar};
use kefu_store::commitments::{
    commitment_by_id, commitment_counts_by_agent, commitments_of_ticket, insert_commitment, mark_commitment_overdue,
    open_commitments_of_agent, update_commitment_status,
};
use kefu_store::notifications::{insert_notifications, mark_all_read, mark_read, notifications_of, unread_count};
use kefu_store::rules::{StoredRule, delete_rule, insert_rule, rule_by_id, rules, update_rule};
use kefu_store::sla_policies::{delete_policy, insert_policy, policies, policies_using_calendar, policy_by_id, update_policy};
use kefu_store::{Db, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

backend_tests!(
    seeded_calendar_and_policies_read_back,
    calendars_insert_update_list_delete,
    calendar_name_is_unique,
    calendar_in_use_is_not_deleted,
    policies_insert_update_rank_delete,
    policy_name_is_unique_and_calendar_must_exist,
    commitments_insert_read_resolve,
    commitment_needs_ticket_and_agent,
    commitment_overdue_is_marked_once,
    open_commitments_of_agent_by_due_time,
    commitment_counts_since,
    notifications_insert_and_read_newest_first,
    notifications_pages_by_id,
    mark_read_touches_only_own_unread,
    mark_all_read_and_unread_count,
    rules_insert_update_rank_delete,
    rule_name_is_unique_and_spec_must_parse,
);

// ---- seeds -----------------------------------------------------------------------------

/// Removes the calendar and policies migration 0002 seeds, for tests that list everything.
async fn without_seeds(db: &Db) {
    write_one(db, |tx| {
        Box::pin(async move {
            for p in policies(tx.exec()).await? {
                delete_policy(tx.exec(), p.id).await?;
            }
            for c in calendars(tx.exec()).await? {
                delete_calendar(tx.exec(), c.id).await?;
            }
            Ok(())
        })
    })
    .await
    .expect("remove the seeds");
    assert!(calendars(db.read()).await.unwrap().is_empty());
}

/// The seeds are written as SQL text: they must read back as domain values on both backends.
async fn seeded_calendar_and_policies_read_back(db: Db) {
    let seeded = calendars(db.read()).await.unwrap();
    assert_eq!(seeded.len(), 1);
    let office = &seeded[0];
    assert_eq!(office.spec, CalendarSpec::office_hours("Asia/Shanghai"));
    office.spec.to_calendar().expect("the seeded calendar is valid");

    let ranked = policies(db.read()).await.unwrap();
    assert_eq!(ranked.iter().map(|p| p.position).collect::<Vec<_>>(), vec![10, 20, 30, 40]);
    assert!(ranked.iter().all(|p| p.active && !p.targets.is_empty() && p.warn_percent == 80));
    assert_eq!(ranked[0].conditions.channels, vec![Channel::Chat]);
    assert_eq!(
        ranked.iter().map(|p| p.calendar_id).collect::<Vec<_>>(),
        vec![None, Some(office.id), None, Some(office.id)]
    );
    assert_eq!(policies_using_calendar(db.read(), office.id).await.unwrap(), 2);
    assert_eq!(policy_by_id(db.read(), ranked[1].id).await.unwrap().as_ref(), Some(&ranked[1]));
}

// ---- calendars ------------------------------------------------------------------------

fn china_office() -> CalendarSpec {
    let mut spec = CalendarSpec::office_hours("Asia/Shanghai");
    spec.holidays.push(HolidaySpec::whole_day(date(2026, 10, 1), "国庆节"));
    spec
}

async fn add_calendar(db: &Db, name: &str, spec: CalendarSpec) -> Id {
    let name = name.to_owned();
    write_one(db, move |tx| {
        Box::pin(async move { insert_calendar(tx.exec(), &name, &spec, at(0)).await })
    })
    .await
    .expect("insert calendar")
    .id
}

async fn calendars_insert_update_list_delete(db: Db) {
    without_seeds(&db).await;
    let spec = china_office();
    let write = spec.clone();
    let stored = write_one(&db, move |tx| {
        Box::pin(async move { insert_calendar(tx.exec(), "上海办公室", &write, at(5)).await })
    })
    .await
    .unwrap();
    assert_eq!(stored.name, "上海办公室");
    assert_eq!(stored.spec, spec, "the spec round-trips, holiday names included");
    assert_eq!((stored.created_at, stored.updated_at), (at(5), at(5)));
    assert_eq!(calendar_by_id(db.read(), stored.id).await.unwrap(), Some(stored.clone()));
    assert_eq!(calendar_by_id(db.read(), stored.id + 99).await.unwrap(), None);

    let around = add_calendar(&db, "24x7", CalendarSpec::twenty_four_seven("UTC")).await;
    let berlin = add_calendar(&db, "Berlin", CalendarSpec::office_hours("Europe/Berlin")).await;
    let names = |list: Vec<kefu_domain::service::Calendar>| list.into_iter().map(|c| (c.id, c.name)).collect::<Vec<_>>();
    assert_eq!(
        names(calendars(db.read()).await.unwrap()),
        vec![(around, "24x7".into()), (berlin, "Berlin".into()), (stored.id, "上海办公室".into())],
        "by name"
    );

    let id = stored.id;
    let updated = write_one(&db, move |tx| {
        Box::pin(async move { update_calendar(tx.exec(), id, "Shanghai", &CalendarSpec::twenty_four_seven("Asia/Shanghai"), at(9)).await })
    })
    .await
    .unwrap()
    .expect("the calendar exists");
    assert_eq!(updated.name, "Shanghai");
    assert_eq!(updated.spec, CalendarSpec::twenty_four_seven("Asia/Shanghai"));
    assert_eq!((updated.created_at, updated.updated_at), (at(5), at(9)));
    assert_eq!(calendar_by_id(db.read(), id).await.unwrap(), Some(updated));
    let missing = write_one(&db, move |tx| {
        Box::pin(async move { update_calendar(tx.exec(), id + 99, "x", &CalendarSpec::twenty_four_seven("UTC"), at(9)).await })
    })
    .await
    .unwrap();
    assert_eq!(missing, None);

    assert!(
        write_one(&db, move |tx| Box::pin(async move { delete_calendar(tx.exec(), berlin).await }))
            .await
            .unwrap()
    );
    assert!(
        !write_one(&db, move |tx| Box::pin(async move { delete_calendar(tx.exec(), berlin).await }))
            .await
            .unwrap()
    );
    assert_eq!(calendar_by_id(db.read(), berlin).await.unwrap(), None);
    assert_eq!(
        names(calendars(db.read()).await.unwrap()),
        vec![(around, "24x7".into()), (id, "Shanghai".into())]
    );
}

async fn calendar_name_is_unique(db: Db) {
    without_seeds(&db).await;
    add_calendar(&db, "Office", china_office()).await;
    let result = write_one(&db, |tx| {
        Box::pin(async move { insert_calendar(tx.exec(), "Office", &CalendarSpec::twenty_four_seven("UTC"), at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    let other = add_calendar(&db, "Night", CalendarSpec::twenty_four_seven("UTC")).await;
    let result = write_one(&db, move |tx| {
        Box::pin(async move { update_calendar(tx.exec(), other, "Office", &CalendarSpec::twenty_four_seven("UTC"), at(1)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert_eq!(calendar_by_id(db.read(), other).await.unwrap().unwrap().name, "Night");
    assert_eq!(calendars(db.read()).await.unwrap().len(), 2);
}

async fn calendar_in_use_is_not_deleted(db: Db) {
    let used = add_calendar(&db, "Office", china_office()).await;
    let unused = add_calendar(&db, "Night", CalendarSpec::twenty_four_seven("UTC")).await;
    let first = add_policy(&db, policy("VIP", 1, Some(used))).await;
    add_policy(&db, policy("Normal", 2, Some(used))).await;
    add_policy(&db, policy("24x7", 3, None)).await;
    assert_eq!(policies_using_calendar(db.read(), used).await.unwrap(), 2);
    assert_eq!(policies_using_calendar(db.read(), unused).await.unwrap(), 0);

    // The foreign key holds even if the app forgot to ask.
    let result = write_one(&db, move |tx| Box::pin(async move { delete_calendar(tx.exec(), used).await })).await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    assert!(calendar_by_id(db.read(), used).await.unwrap().is_some());

    // Moving the policies off the calendar frees it.
    let mut moved = policy("VIP", 1, Some(unused));
    moved.active = false;
    write_one(&db, move |tx| {
        Box::pin(async move { update_policy(tx.exec(), first, &moved, at(1)).await })
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(policies_using_calendar(db.read(), used).await.unwrap(), 1);
    assert_eq!(
        policies_using_calendar(db.read(), unused).await.unwrap(),
        1,
        "inactive policies count too"
    );
    let all = policies(db.read()).await.unwrap();
    for p in all.into_iter().filter(|p| p.calendar_id == Some(used)) {
        assert!(
            write_one(&db, move |tx| Box::pin(async move { delete_policy(tx.exec(), p.id).await }))
                .await
                .unwrap()
        );
    }
    assert_eq!(policies_using_calendar(db.read(), used).await.unwrap(), 0);
    assert!(
        write_one(&db, move |tx| Box::pin(async move { delete_calendar(tx.exec(), used).await }))
            .await
            .unwrap()
    );
}

// ---- SLA policies -----------------------------------------------------------------------

fn policy(name: &str, position: i64, calendar_id: Option<Id>) -> NewSlaPolicy {
    NewSlaPolicy {
        name: name.to_owned(),
        position,
        active: true,
        conditions: Conditions::default(),
        targets: vec![Target {
            metric: Metric::FirstResponse,
            seconds: 3600,
            business_hours: true,
        }],
        calendar_id,
        pause_on_hold: false,
        warn_percent: 80,
    }
}

async fn add_policy(db: &Db, new: NewSlaPolicy) -> Id {
    write_one(db, move |tx| Box::pin(async move { insert_policy(tx.exec(), &new, at(0)).await }))
        .await
        .expect("insert policy")
        .id
}

async fn policies_insert_update_rank_delete(db: Db) {
    without_seeds(&db).await;
    let calendar = add_calendar(&db, "Office", china_office()).await;
    let new = NewSlaPolicy {
        name: "VIP 投诉".into(),
        position: 10,
        active: true,
        conditions: Conditions {
            priorities: vec![Priority::High, Priority::Urgent],
            channels: vec![Channel::Phone],
            categories: vec!["complaint".into()],
            tags: vec!["vip".into()],
            ..Conditions::default()
        },
        targets: vec![
            Target {
                metric: Metric::FirstResponse,
                seconds: 900,
                business_hours: false,
            },
            Target {
                metric: Metric::Resolution,
                seconds: 8 * 3600,
                business_hours: true,
            },
        ],
        calendar_id: Some(calendar),
        pause_on_hold: true,
        warn_percent: 75,
    };
    let write = new.clone();
    let stored = write_one(&db, move |tx| {
        Box::pin(async move { insert_policy(tx.exec(), &write, at(3)).await })
    })
    .await
    .unwrap();
    assert_eq!(stored.name, new.name);
    assert_eq!(stored.position, 10);
    assert!(stored.active);
    assert_eq!(stored.conditions, new.conditions);
    assert_eq!(stored.targets, new.targets);
    assert_eq!(stored.calendar_id, Some(calendar));
    assert!(stored.pause_on_hold);
    assert_eq!(stored.warn_percent, 75);
    assert_eq!((stored.created_at, stored.updated_at), (at(3), at(3)));
    assert_eq!(policy_by_id(db.read(), stored.id).await.unwrap(), Some(stored.clone()));
    assert_eq!(policy_by_id(db.read(), stored.id + 99).await.unwrap(), None);

    // Rank: by position, then id (two at the same position keep their creation order).
    let low = add_policy(&db, policy("low", 30, None)).await;
    let top = add_policy(&db, policy("top", 1, None)).await;
    let tie = add_policy(&db, policy("tie", 10, None)).await;
    let order = |db: Db| async move { policies(db.read()).await.unwrap().into_iter().map(|p| p.id).collect::<Vec<_>>() };
    assert_eq!(order(db.clone()).await, vec![top, stored.id, tie, low]);

    let id = stored.id;
    let edit = NewSlaPolicy {
        name: "VIP".into(),
        position: 50,
        active: false,
        conditions: Conditions::default(),
        targets: Vec::new(),
        calendar_id: None,
        pause_on_hold: false,
        warn_percent: 100,
    };
    let write = edit.clone();
    let updated = write_one(&db, move |tx| {
        Box::pin(async move { update_policy(tx.exec(), id, &write, at(8)).await })
    })
    .await
    .unwrap()
    .expect("the policy exists");
    assert_eq!(
        (
            updated.name.as_str(),
            updated.position,
            updated.active,
            updated.calendar_id,
            updated.warn_percent
        ),
        ("VIP", 50, false, None, 100)
    );
    assert!(updated.targets.is_empty() && updated.conditions == Conditions::default() && !updated.pause_on_hold);
    assert_eq!((updated.created_at, updated.updated_at), (at(3), at(8)));
    assert_eq!(policy_by_id(db.read(), id).await.unwrap(), Some(updated));
    assert_eq!(order(db.clone()).await, vec![top, tie, low, id]);
    let missing = write_one(&db, move |tx| {
        Box::pin(async move { update_policy(tx.exec(), id + 99, &edit, at(8)).await })
    })
    .await
    .unwrap();
    assert_eq!(missing, None);

    assert!(
        write_one(&db, move |tx| Box::pin(async move { delete_policy(tx.exec(), tie).await }))
            .await
            .unwrap()
    );
    assert!(
        !write_one(&db, move |tx| Box::pin(async move { delete_policy(tx.exec(), tie).await }))
            .await
            .unwrap()
    );
    assert_eq!(order(db.clone()).await, vec![top, low, id]);
}

async fn policy_name_is_unique_and_calendar_must_exist(db: Db) {
    without_seeds(&db).await;
    add_policy(&db, policy("Default", 1, None)).await;
    let result = write_one(&db, |tx| {
        Box::pin(async move { insert_policy(tx.exec(), &policy("Default", 2, None), at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    let other = add_policy(&db, policy("Other", 2, None)).await;
    let result = write_one(&db, move |tx| {
        Box::pin(async move { update_policy(tx.exec(), other, &policy("Default", 2, None), at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    let result = write_one(&db, |tx| {
        Box::pin(async move { insert_policy(tx.exec(), &policy("Nowhere", 3, Some(4242)), at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    let result = write_one(&db, move |tx| {
        Box::pin(async move { update_policy(tx.exec(), other, &policy("Other", 2, Some(4242)), at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    assert_eq!(policies(db.read()).await.unwrap().len(), 2);
}

// ---- commitments -----------------------------------------------------------------------

/// A customer and `n` tickets of theirs.
async fn tickets(db: &Db, n: usize) -> Vec<Ticket> {
    let c = customer(db, "王芳", None).await;
    let mut out = Vec::new();
    for i in 0..n {
        out.push(ticket(db, new_ticket(c.id), at(i as i64)).await);
    }
    out
}

async fn add_commitment(db: &Db, ticket_id: Id, agent_id: Id, what: &str, due_ms: i64) -> Id {
    let what = what.to_owned();
    write_one(db, move |tx| {
        Box::pin(async move { insert_commitment(tx.exec(), ticket_id, agent_id, &what, at(due_ms), None, at(0)).await })
    })
    .await
    .expect("insert commitment")
    .id
}

async fn set_status(db: &Db, id: Id, status: CommitmentStatus, resolved_ms: Option<i64>) -> bool {
    write_one(db, move |tx| {
        Box::pin(async move { update_commitment_status(tx.exec(), id, status, resolved_ms.map(at)).await })
    })
    .await
    .expect("update commitment status")
}

async fn commitments_insert_read_resolve(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let ts = tickets(&db, 2).await;
    let (t1, t2) = (ts[0].clone(), ts[1].clone());
    let stored = write_one(&db, move |tx| {
        Box::pin(async move { insert_commitment(tx.exec(), t2.id, a, "明天下午回电 / call back", at(1000), Some(at(900)), at(10)).await })
    })
    .await
    .unwrap();
    assert_eq!(stored.ticket_id, t2.id);
    assert_eq!(stored.ticket_number, t2.number, "the ticket's number comes with it");
    assert_eq!(stored.agent_id, a);
    assert_eq!(stored.what, "明天下午回电 / call back");
    assert_eq!((stored.due_at, stored.remind_at), (at(1000), Some(at(900))));
    assert_eq!(stored.status, CommitmentStatus::Open);
    assert!(!stored.overdue);
    assert_eq!((stored.created_at, stored.resolved_at), (at(10), None));
    assert_eq!(commitment_by_id(db.read(), stored.id).await.unwrap(), Some(stored.clone()));
    assert_eq!(commitment_by_id(db.read(), stored.id + 99).await.unwrap(), None);

    let other = add_commitment(&db, t1.id, a, "send the manual", 500).await;
    let second = add_commitment(&db, t2.id, a, "check the invoice", 200).await;
    let of_ticket = commitments_of_ticket(db.read(), t2.id).await.unwrap();
    assert_eq!(
        of_ticket.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![stored.id, second],
        "in the order made"
    );
    assert_eq!(of_ticket[0], stored);
    assert_eq!(commitments_of_ticket(db.read(), t1.id).await.unwrap()[0].id, other);
    assert_eq!(commitments_of_ticket(db.read(), t1.id + 99).await.unwrap(), Vec::new());

    assert!(set_status(&db, stored.id, CommitmentStatus::Kept, Some(950)).await);
    let kept = commitment_by_id(db.read(), stored.id).await.unwrap().unwrap();
    assert_eq!((kept.status, kept.resolved_at), (CommitmentStatus::Kept, Some(at(950))));
    assert_eq!(
        commitment_by_id(db.read(), second).await.unwrap().unwrap().status,
        CommitmentStatus::Open
    );
    // Back to open (e.g. undone): the resolution goes with it.
    assert!(set_status(&db, stored.id, CommitmentStatus::Open, None).await);
    let reopened = commitment_by_id(db.read(), stored.id).await.unwrap().unwrap();
    assert_eq!((reopened.status, reopened.resolved_at), (CommitmentStatus::Open, None));
    assert!(!set_status(&db, stored.id + 99, CommitmentStatus::Cancelled, Some(1)).await);
}

async fn commitment_needs_ticket_and_agent(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let t = tickets(&db, 1).await.remove(0);
    let result = write_one(&db, move |tx| {
        Box::pin(async move { insert_commitment(tx.exec(), t.id + 99, a, "x", at(1), None, at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    let result = write_one(&db, move |tx| {
        Box::pin(async move { insert_commitment(tx.exec(), t.id, a + 99, "x", at(1), None, at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    assert_eq!(commitments_of_ticket(db.read(), t.id).await.unwrap(), Vec::new());
}

async fn commitment_overdue_is_marked_once(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let t = tickets(&db, 1).await.remove(0);
    let open = add_commitment(&db, t.id, a, "call back", 100).await;
    let kept = add_commitment(&db, t.id, a, "send quote", 100).await;
    assert!(set_status(&db, kept, CommitmentStatus::Kept, Some(50)).await);

    let mark = |id: Id| {
        let db = db.clone();
        async move {
            write_one(&db, move |tx| Box::pin(async move { mark_commitment_overdue(tx.exec(), id).await }))
                .await
                .unwrap()
        }
    };
    assert!(mark(open).await, "the first call marks it");
    assert!(!mark(open).await, "the second changes nothing");
    let stored = commitment_by_id(db.read(), open).await.unwrap().unwrap();
    assert!(stored.overdue);
    assert_eq!(stored.status, CommitmentStatus::Open, "overdue is a flag, not a status");

    assert!(!mark(kept).await, "a resolved commitment is never overdue");
    assert!(!commitment_by_id(db.read(), kept).await.unwrap().unwrap().overdue);
    assert!(!mark(open + 99).await);

    // Once broken, it keeps the flag; a status change does not clear it.
    assert!(set_status(&db, open, CommitmentStatus::Broken, Some(200)).await);
    assert!(commitment_by_id(db.read(), open).await.unwrap().unwrap().overdue);
    assert!(!mark(open).await);
}

async fn open_commitments_of_agent_by_due_time(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let b = agent(&db, "b@example.com").await;
    let ts = tickets(&db, 2).await;
    let later = add_commitment(&db, ts[0].id, a, "later", 3000).await;
    let soon = add_commitment(&db, ts[1].id, a, "soon", 1000).await;
    let tie = add_commitment(&db, ts[0].id, a, "same time as soon", 1000).await;
    let done = add_commitment(&db, ts[0].id, a, "done", 500).await;
    let cancelled = add_commitment(&db, ts[1].id, a, "cancelled", 600).await;
    let others = add_commitment(&db, ts[0].id, b, "b's", 100).await;
    assert!(set_status(&db, done, CommitmentStatus::Kept, Some(400)).await);
    assert!(set_status(&db, cancelled, CommitmentStatus::Cancelled, Some(400)).await);
    // Overdue ones are still open: they lead the list.
    let overdue = add_commitment(&db, ts[1].id, a, "overdue", 10).await;
    write_one(&db, move |tx| {
        Box::pin(async move { mark_commitment_overdue(tx.exec(), overdue).await })
    })
    .await
    .unwrap();

    let ids = |list: Vec<kefu_domain::service::Commitment>| list.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let all = open_commitments_of_agent(db.read(), a, 10).await.unwrap();
    assert_eq!(all[1].ticket_number, ts[1].number);
    assert_eq!(ids(all), vec![overdue, soon, tie, later]);
    assert_eq!(ids(open_commitments_of_agent(db.read(), a, 2).await.unwrap()), vec![overdue, soon]);
    assert_eq!(ids(open_commitments_of_agent(db.read(), b, 10).await.unwrap()), vec![others]);
    assert_eq!(open_commitments_of_agent(db.read(), b + 99, 10).await.unwrap(), Vec::new());
}

async fn commitment_counts_since(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let b = agent(&db, "b@example.com").await;
    let c = agent(&db, "c@example.com").await;
    let t = tickets(&db, 1).await.remove(0);
    // (agent, status, resolved at)
    let plan = [
        (a, CommitmentStatus::Kept, Some(1000)),
        (a, CommitmentStatus::Kept, Some(2000)),
        (a, CommitmentStatus::Broken, Some(1500)),
        (a, CommitmentStatus::Kept, Some(999)), // before `since`
        (a, CommitmentStatus::Cancelled, Some(1200)),
        (b, CommitmentStatus::Broken, Some(1000)), // exactly at `since`
        (b, CommitmentStatus::Open, None),
        (c, CommitmentStatus::Kept, Some(10)),
        (c, CommitmentStatus::Cancelled, Some(3000)),
    ];
    for (who, status, resolved) in plan {
        let id = add_commitment(&db, t.id, who, "promise", 100).await;
        if status != CommitmentStatus::Open {
            assert!(set_status(&db, id, status, resolved).await);
        }
    }
    assert_eq!(
        commitment_counts_by_agent(db.read(), at(1000), None).await.unwrap(),
        vec![(a, 2, 1), (b, 0, 1)]
    );
    assert_eq!(
        commitment_counts_by_agent(db.read(), at(0), None).await.unwrap(),
        vec![(a, 3, 1), (b, 0, 1), (c, 1, 0)]
    );
    assert_eq!(commitment_counts_by_agent(db.read(), at(5000), None).await.unwrap(), Vec::new());
    // `until` is exclusive: 2000 falls out, 1500 stays.
    assert_eq!(
        commitment_counts_by_agent(db.read(), at(1000), Some(at(2000))).await.unwrap(),
        vec![(a, 1, 1), (b, 0, 1)]
    );
}

// ---- notifications ---------------------------------------------------------------------

fn note(agent_id: Id, kind: NotificationKind, ticket_id: Option<Id>, n: i64) -> NewNotification {
    NewNotification {
        agent_id,
        kind,
        ticket_id,
        data: json!({ "n": n }),
    }
}

async fn notify(db: &Db, batch: Vec<NewNotification>, now_ms: i64) -> Vec<Id> {
    write_one(db, move |tx| {
        Box::pin(async move { insert_notifications(tx.exec(), &batch, at(now_ms)).await })
    })
    .await
    .expect("insert notifications")
}

async fn read_ids(db: &Db, agent_id: Id, unread_only: bool, before: Option<Id>, limit: usize) -> Vec<Id> {
    notifications_of(db.read(), agent_id, unread_only, before, limit)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.id)
        .collect()
}

async fn notifications_insert_and_read_newest_first(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let b = agent(&db, "b@example.com").await;
    let t = tickets(&db, 1).await.remove(0);
    assert_eq!(notify(&db, Vec::new(), 0).await, Vec::<Id>::new());

    let ids = notify(
        &db,
        vec![
            NewNotification {
                agent_id: a,
                kind: NotificationKind::OwnedTicketTransferred,
                ticket_id: Some(t.id),
                data: json!({ "from": "一线", "to": "二线", "by": b }),
            },
            note(b, NotificationKind::Assigned, Some(t.id), 1),
            NewNotification {
                agent_id: a,
                kind: NotificationKind::Reminder,
                ticket_id: None,
                data: json!({ "message": "周会 / weekly meeting" }),
            },
        ],
        7,
    )
    .await;
    assert_eq!(ids.len(), 3);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in the order given: {ids:?}");

    let mine = notifications_of(db.read(), a, false, None, 10).await.unwrap();
    assert_eq!(
        mine.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![ids[2], ids[0]],
        "newest first, only mine"
    );
    assert_eq!(mine[0].kind, NotificationKind::Reminder);
    assert_eq!(mine[0].ticket_number, None);
    assert_eq!(mine[0].data, json!({ "message": "周会 / weekly meeting" }));
    assert_eq!(mine[1].agent_id, a);
    assert_eq!(mine[1].kind, NotificationKind::OwnedTicketTransferred);
    assert_eq!(mine[1].ticket_number, Some(t.number), "the ticket's number is joined in");
    assert_eq!(mine[1].data, json!({ "from": "一线", "to": "二线", "by": b }));
    assert_eq!((mine[1].created_at, mine[1].read_at), (at(7), None));

    let theirs = notifications_of(db.read(), b, false, None, 10).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!((theirs[0].id, theirs[0].kind), (ids[1], NotificationKind::Assigned));

    // A batch past one statement's worth of parameters (SQLite: 32766) is split, in order.
    let many: Vec<_> = (0..7_000).map(|i| note(b, NotificationKind::Rule, None, i)).collect();
    let ids = notify(&db, many, 8).await;
    assert_eq!(ids.len(), 7_000);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let stored = notifications_of(db.read(), b, false, None, 10_000).await.unwrap();
    assert_eq!(stored.len(), 7_001);
    assert_eq!((stored[0].id, &stored[0].data), (ids[6_999], &json!({ "n": 6_999 })));
    assert_eq!((stored[6_999].id, &stored[6_999].data), (ids[0], &json!({ "n": 0 })));
    assert_eq!(unread_count(db.read(), b).await.unwrap(), 7_001);
}

async fn notifications_pages_by_id(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let b = agent(&db, "b@example.com").await;
    // Interleaved with another agent's, so pages must skip theirs.
    let mut batch = Vec::new();
    for i in 0..7 {
        batch.push(note(a, NotificationKind::Mentioned, None, i));
        batch.push(note(b, NotificationKind::Mentioned, None, i));
    }
    let ids = notify(&db, batch, 1).await;
    let mine: Vec<Id> = ids.iter().copied().step_by(2).collect();
    let newest_first: Vec<Id> = mine.iter().rev().copied().collect();

    let mut pages = Vec::new();
    let mut before = None;
    loop {
        let page = read_ids(&db, a, false, before, 3).await;
        if page.is_empty() {
            break;
        }
        before = page.last().copied();
        pages.push(page);
    }
    assert_eq!(
        pages,
        vec![newest_first[0..3].to_vec(), newest_first[3..6].to_vec(), newest_first[6..].to_vec()]
    );

    // Unread only: read ones drop out of the pages, the keyset still holds.
    let read = vec![mine[6], mine[4], mine[3]];
    write_one(&db, move |tx| Box::pin(async move { mark_read(tx.exec(), a, &read, at(2)).await }))
        .await
        .unwrap();
    let first = read_ids(&db, a, true, None, 2).await;
    assert_eq!(first, vec![mine[5], mine[2]]);
    let second = read_ids(&db, a, true, Some(mine[2]), 2).await;
    assert_eq!(second, vec![mine[1], mine[0]]);
    assert_eq!(read_ids(&db, a, true, Some(mine[0]), 2).await, Vec::<Id>::new());
    // A cursor needs not be one of the agent's own ids.
    assert_eq!(read_ids(&db, a, false, Some(ids[5]), 10).await, vec![mine[2], mine[1], mine[0]]);
    assert_eq!(read_ids(&db, a, false, None, 0).await, Vec::<Id>::new());
}

async fn mark_read_touches_only_own_unread(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let b = agent(&db, "b@example.com").await;
    let ids = notify(
        &db,
        vec![
            note(a, NotificationKind::SlaWarning, None, 0),
            note(a, NotificationKind::SlaBreached, None, 1),
            note(b, NotificationKind::SlaWarning, None, 2),
            note(a, NotificationKind::CommitmentDue, None, 3),
        ],
        0,
    )
    .await;
    let (a0, a1, b2, a3) = (ids[0], ids[1], ids[2], ids[3]);
    let read = |agent_id: Id, ids: Vec<Id>, now: i64| {
        let db = db.clone();
        async move {
            write_one(&db, move |tx| {
                Box::pin(async move { mark_read(tx.exec(), agent_id, &ids, at(now)).await })
            })
            .await
            .unwrap()
        }
    };
    let read_at = |agent_id: Id| {
        let db = db.clone();
        async move {
            let mut list: Vec<(Id, Option<jiff::Timestamp>)> = notifications_of(db.read(), agent_id, false, None, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|n| (n.id, n.read_at))
                .collect();
            list.reverse();
            list
        }
    };

    // b's notification and an unknown id in the list are ignored.
    assert_eq!(read(a, vec![a0, b2, a3 + 99], 10).await, 1);
    assert_eq!(read_at(a).await, vec![(a0, Some(at(10))), (a1, None), (a3, None)]);
    assert_eq!(read_at(b).await, vec![(b2, None)]);

    // Already read: not counted, and its read time stays the first one.
    assert_eq!(read(a, vec![a0, a1], 20).await, 1);
    assert_eq!(read_at(a).await, vec![(a0, Some(at(10))), (a1, Some(at(20))), (a3, None)]);
    assert_eq!(read(a, Vec::new(), 30).await, 0);
    assert_eq!(read(b, vec![a3], 30).await, 0, "not b's to read");
    assert_eq!(unread_count(db.read(), a).await.unwrap(), 1);
    assert_eq!(unread_count(db.read(), b).await.unwrap(), 1);
}

async fn mark_all_read_and_unread_count(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let b = agent(&db, "b@example.com").await;
    assert_eq!(unread_count(db.read(), a).await.unwrap(), 0);
    let ids = notify(
        &db,
        vec![
            note(a, NotificationKind::Assigned, None, 0),
            note(a, NotificationKind::TransferredToYou, None, 1),
            note(b, NotificationKind::Assigned, None, 2),
            note(a, NotificationKind::CommitmentOverdue, None, 3),
        ],
        0,
    )
    .await;
    assert_eq!(unread_count(db.read(), a).await.unwrap(), 3);
    assert_eq!(unread_count(db.read(), b).await.unwrap(), 1);
    let first = ids[0];
    write_one(&db, move |tx| {
        Box::pin(async move { mark_read(tx.exec(), a, &[first], at(5)).await })
    })
    .await
    .unwrap();
    assert_eq!(unread_count(db.read(), a).await.unwrap(), 2);

    let all = |agent_id: Id, now: i64| {
        let db = db.clone();
        async move {
            write_one(&db, move |tx| {
                Box::pin(async move { mark_all_read(tx.exec(), agent_id, at(now)).await })
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(all(a, 9).await, 2);
    assert_eq!(unread_count(db.read(), a).await.unwrap(), 0);
    assert_eq!(unread_count(db.read(), b).await.unwrap(), 1, "others' stay unread");
    let mine = notifications_of(db.read(), a, false, None, 10).await.unwrap();
    assert_eq!(
        mine.iter().map(|n| n.read_at).collect::<Vec<_>>(),
        vec![Some(at(9)), Some(at(9)), Some(at(5))],
        "the one read before keeps its time"
    );
    assert_eq!(all(a, 10).await, 0);
    assert_eq!(notifications_of(db.read(), a, true, None, 10).await.unwrap(), Vec::new());
}

// ---- automation rules ------------------------------------------------------------------

/// A stand-in for the app's rule type: the store only needs it to be serde.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Spec {
    trigger: String,
    tags: Vec<String>,
}

fn spec(trigger: &str) -> Spec {
    Spec {
        trigger: trigger.to_owned(),
        tags: vec!["自动".into()],
    }
}

async fn add_rule(db: &Db, name: &str, position: i64) -> Id {
    let name = name.to_owned();
    write_one(db, move |tx| {
        Box::pin(async move { insert_rule(tx.exec(), &name, position, true, &spec("ticket_created"), at(0)).await })
    })
    .await
    .expect("insert rule")
    .id
}

async fn rules_insert_update_rank_delete(db: Db) {
    let stored: StoredRule<Spec> = write_one(&db, |tx| {
        Box::pin(async move { insert_rule(tx.exec(), "VIP 升级", 5, false, &spec("customer_replied"), at(4)).await })
    })
    .await
    .unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.position, stored.active, &stored.spec),
        ("VIP 升级", 5, false, &spec("customer_replied"))
    );
    assert_eq!((stored.created_at, stored.updated_at), (at(4), at(4)));
    assert_eq!(rule_by_id::<Spec>(db.read(), stored.id).await.unwrap(), Some(stored.clone()));
    assert_eq!(rule_by_id::<Spec>(db.read(), stored.id + 99).await.unwrap(), None);

    let last = add_rule(&db, "last", 9).await;
    let first = add_rule(&db, "first", 1).await;
    let tie = add_rule(&db, "tie", 5).await;
    let order = |db: Db| async move {
        rules::<Spec>(db.read())
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(order(db.clone()).await, vec![first, stored.id, tie, last], "by position, then id");

    let id = stored.id;
    let updated = write_one(&db, move |tx| {
        Box::pin(async move { update_rule(tx.exec(), id, "VIP", 10, true, &spec("idle"), at(6)).await })
    })
    .await
    .unwrap()
    .expect("the rule exists");
    assert_eq!(
        (updated.name.as_str(), updated.position, updated.active, &updated.spec),
        ("VIP", 10, true, &spec("idle"))
    );
    assert_eq!((updated.created_at, updated.updated_at), (at(4), at(6)));
    assert_eq!(rule_by_id(db.read(), id).await.unwrap(), Some(updated));
    assert_eq!(order(db.clone()).await, vec![first, tie, last, id]);
    let missing = write_one(&db, move |tx| {
        Box::pin(async move { update_rule(tx.exec(), id + 99, "x", 1, true, &spec("idle"), at(6)).await })
    })
    .await
    .unwrap();
    assert_eq!(missing, None);

    assert!(
        write_one(&db, move |tx| Box::pin(async move { delete_rule(tx.exec(), tie).await }))
            .await
            .unwrap()
    );
    assert!(
        !write_one(&db, move |tx| Box::pin(async move { delete_rule(tx.exec(), tie).await }))
            .await
            .unwrap()
    );
    assert_eq!(order(db.clone()).await, vec![first, last, id]);
}

async fn rule_name_is_unique_and_spec_must_parse(db: Db) {
    add_rule(&db, "Taken", 1).await;
    let result = write_one(&db, |tx| {
        Box::pin(async move { insert_rule(tx.exec(), "Taken", 2, true, &spec("idle"), at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    let other = add_rule(&db, "Other", 2).await;
    let result = write_one(&db, move |tx| {
        Box::pin(async move { update_rule(tx.exec(), other, "Taken", 2, true, &spec("idle"), at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    // Read as a type it does not fit, a stored spec is reported as corrupt, not guessed at.
    let loose = write_one(&db, |tx| {
        Box::pin(async move { insert_rule(tx.exec(), "Loose", 3, true, &json!({ "trigger": 42 }), at(0)).await })
    })
    .await
    .unwrap();
    let result = rule_by_id::<Spec>(db.read(), loose.id).await;
    assert!(matches!(result, Err(StoreError::Corrupt(_))), "{result:?}");
    assert!(matches!(rules::<Spec>(db.read()).await, Err(StoreError::Corrupt(_))));
    assert_eq!(rules::<serde_json::Value>(db.read()).await.unwrap().len(), 3);
}
