//! The inbox counters: moved by deltas, read per agent, rebuilt from the tickets.

use crate::support::{agent, at, customer, new_ticket, team, ticket_with, write_one};
use kefu_domain::inbox::{CountKey, count_keys};
use kefu_domain::status::Status;
use kefu_store::Db;
use kefu_store::inbox_counts::{adjust_counts, all_counts, counts_for_agent, rebuild_inbox_counts};
use std::collections::BTreeMap;

backend_tests!(counters_move_by_deltas_and_read_per_agent, rebuild_counts_what_the_tickets_hold);

async fn adjust(db: &Db, deltas: Vec<(CountKey, i64)>) {
    write_one(db, move |tx| Box::pin(async move { adjust_counts(tx.exec(), &deltas).await }))
        .await
        .expect("adjust");
}

async fn counters_move_by_deltas_and_read_per_agent(db: Db) {
    adjust(
        &db,
        vec![
            (CountKey::Unfinished, 3),
            (CountKey::Assigned(1), 2),
            (CountKey::Unassigned(None), 1),
        ],
    )
    .await;
    adjust(
        &db,
        vec![
            (CountKey::Assigned(1), -1),
            (CountKey::Assigned(2), 1),
            (CountKey::Unassigned(Some(5)), 4),
        ],
    )
    .await;
    adjust(&db, vec![]).await;
    let mut mine = counts_for_agent(db.read(), 1).await.unwrap();
    mine.sort();
    assert_eq!(
        mine,
        vec![
            (CountKey::Unfinished, 3),
            (CountKey::Assigned(1), 1),
            (CountKey::Unassigned(None), 1),
            (CountKey::Unassigned(Some(5)), 4)
        ],
        "the agent's own counters and every queue, not other agents'"
    );
    assert_eq!(all_counts(db.read()).await.unwrap().len(), 5);
}

async fn rebuild_counts_what_the_tickets_hold(db: Db) {
    let alice = agent(&db, "alice@example.com").await;
    let bob = agent(&db, "bob@example.com").await;
    let queue = team(&db, "Support", &[alice]).await;
    let who = customer(&db, "王芳", Some("wang@example.com")).await;
    // (status, assignee, owner, team)
    type Shape = (Status, Option<i64>, Option<i64>, Option<i64>);
    let shapes: Vec<Shape> = vec![
        (Status::New, None, None, Some(queue)),
        (Status::New, None, None, None),
        (Status::Open, Some(alice), Some(alice), Some(queue)),
        (Status::Pending, Some(alice), Some(alice), None),
        (Status::Open, Some(bob), Some(alice), Some(queue)),
        (Status::OnHold, None, Some(bob), Some(queue)),
        (Status::Resolved, Some(alice), Some(alice), None),
        (Status::Closed, None, None, Some(queue)),
    ];
    let mut expected: BTreeMap<CountKey, i64> = BTreeMap::new();
    for (status, assignee, owner, team_id) in shapes {
        let mut new = new_ticket(who.id);
        new.team_id = team_id;
        let stored = ticket_with(&db, new, at(0), move |t| {
            t.status = status;
            t.assignee_id = assignee;
            t.owner_id = owner;
        })
        .await;
        for key in count_keys(&stored) {
            *expected.entry(key).or_default() += 1;
        }
    }
    write_one(&db, |tx| Box::pin(async move { rebuild_inbox_counts(tx.exec()).await }))
        .await
        .unwrap();
    let rebuilt: BTreeMap<CountKey, i64> = all_counts(db.read()).await.unwrap().into_iter().collect();
    assert_eq!(rebuilt, expected);
    assert_eq!(rebuilt[&CountKey::Unfinished], 6);
    assert_eq!(rebuilt[&CountKey::OwnedByOthers(alice)], 1);
}
