//! Hot-issue topic counts: counts add up per hour and topic, windows sum them (with a
//! floor), old hours are pruned, an alert is recorded once in its quiet period, the
//! cursor locks (and a rebuild's restart is told from a cursor that came back to the same
//! event), and the last event before an instant is found by halving.

use crate::support::{at, customer, new_ticket, ticket, write_one};
use kefu_domain::entities::ActorRef;
use kefu_domain::event::{EventKind, NewEvent};
use kefu_domain::hot::Facet;
use kefu_store::Db;
use kefu_store::hot_issues::{
    HotAlert, TopicCount, add_counts, alerts_since, last_event_before, lock_position, position, prune, raise_alert, set_cursor,
    topics_in_window, window_counts,
};
use kefu_store::timeline::insert_event;

backend_tests!(
    topic_counts_add_up_and_windows_sum_them,
    an_alert_is_recorded_once_in_its_quiet_period,
    the_topic_cursor_moves_and_skips_to_a_horizon,
    a_rebuild_restarts_the_topic_cursor_distinctly,
);

fn count(hour: i64, facet: Facet, term: &str, tickets: i64) -> TopicCount {
    TopicCount {
        hour,
        facet,
        term: term.to_owned(),
        tickets,
    }
}

async fn add(db: &Db, counts: Vec<TopicCount>) {
    write_one(db, move |tx| Box::pin(async move { add_counts(tx, &counts).await }))
        .await
        .expect("add counts");
}

async fn topic_counts_add_up_and_windows_sum_them(db: Db) {
    add(
        &db,
        vec![
            count(100, Facet::Word, "退款", 2),
            count(101, Facet::Word, "退款", 3),
            count(101, Facet::Tag, "退款", 1),
            count(102, Facet::Category, "after_sales.refund", 4),
            count(110, Facet::Word, "退款", 9),
        ],
    )
    .await;
    // A second batch adds to the same hour and topic.
    add(&db, vec![count(101, Facet::Word, "退款", 1)]).await;
    let mut sums = window_counts(db.read(), 100, 102, 1).await.unwrap();
    sums.sort();
    assert_eq!(
        sums,
        vec![
            (Facet::Category, "after_sales.refund".to_owned(), 4),
            (Facet::Tag, "退款".to_owned(), 1),
            (Facet::Word, "退款".to_owned(), 6),
        ],
        "the same word as a tag is another topic; hour 110 is outside"
    );
    let mut busy = window_counts(db.read(), 100, 102, 4).await.unwrap();
    busy.sort();
    assert_eq!(busy.len(), 2, "topics under the floor are left out: {busy:?}");
    assert_eq!(topics_in_window(db.read(), 100, 102).await.unwrap(), 3);
    assert_eq!(topics_in_window(db.read(), 103, 109).await.unwrap(), 0);

    let pruned = write_one(&db, |tx| Box::pin(async move { prune(tx, 102).await })).await.unwrap();
    assert_eq!(pruned, 3, "hours 100 and 101 go");
    assert_eq!(window_counts(db.read(), 0, 200, 1).await.unwrap().len(), 2);
}

async fn an_alert_is_recorded_once_in_its_quiet_period(db: Db) {
    let alert = |raised_ms: i64| HotAlert {
        facet: Facet::Tag,
        term: "firmware_3_2".into(),
        raised_at: at(raised_ms),
        tickets: 30,
        usual: 6.5,
        surprise: 11.6,
    };
    let hour = 3_600_000;
    let raise = |db: &Db, a: HotAlert, quiet_ms: i64| {
        let db = db.clone();
        async move {
            write_one(&db, move |tx| Box::pin(async move { raise_alert(tx, &a, at(quiet_ms)).await }))
                .await
                .unwrap()
        }
    };
    assert!(raise(&db, alert(0), -24 * hour).await, "the first");
    assert!(!raise(&db, alert(hour), -23 * hour).await, "quiet for a day after it");
    assert!(raise(&db, alert(25 * hour), hour).await, "a day later, again");
    let listed = alerts_since(db.read(), at(0)).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], alert(25 * hour), "newest first, every field kept");
    assert_eq!(alerts_since(db.read(), at(hour)).await.unwrap().len(), 1);
}

async fn the_topic_cursor_moves_and_skips_to_a_horizon(db: Db) {
    assert_eq!(position(db.read()).await.unwrap().event_id, 0);
    assert_eq!(last_event_before(db.read(), at(0)).await.unwrap(), 0, "no events");
    let c = customer(&db, "王", Some("w@example.com")).await;
    let t = ticket(&db, new_ticket(c.id), at(0)).await;
    let mut ids = Vec::new();
    for minute in 0..20 {
        let id = write_one(&db, move |tx| {
            Box::pin(async move {
                let event = NewEvent::new(EventKind::StatusChanged, ActorRef::SYSTEM, serde_json::json!({}));
                insert_event(tx.exec(), t.id, &event, at(minute * 60_000)).await
            })
        })
        .await
        .unwrap();
        ids.push(id);
    }
    // Events at minutes 0..19: the last one before minute 7 is the one at minute 6.
    assert_eq!(last_event_before(db.read(), at(7 * 60_000)).await.unwrap(), ids[6]);
    assert_eq!(last_event_before(db.read(), at(7 * 60_000 + 1)).await.unwrap(), ids[7]);
    assert!(last_event_before(db.read(), at(0)).await.unwrap() < ids[0], "before everything");
    assert_eq!(
        last_event_before(db.read(), at(3_600_000)).await.unwrap(),
        *ids.last().unwrap(),
        "after everything"
    );

    let last = ids[4];
    let locked = write_one(&db, move |tx| {
        Box::pin(async move {
            let before = lock_position(tx).await?;
            set_cursor(tx, last).await?;
            Ok(before)
        })
    })
    .await
    .unwrap();
    assert_eq!(locked.map(|p| p.event_id), Some(0));
    assert_eq!(position(db.read()).await.unwrap().event_id, last);
}

/// A topic batch read the position, then a rebuild restarted the count and another batch
/// brought the cursor back to the same event: the first batch must see that it moved.
async fn a_rebuild_restarts_the_topic_cursor_distinctly(db: Db) {
    let c = customer(&db, "王", Some("w@example.com")).await;
    let t = ticket(&db, new_ticket(c.id), at(0)).await;
    let event = write_one(&db, move |tx| {
        Box::pin(async move {
            let event = NewEvent::new(EventKind::StatusChanged, ActorRef::SYSTEM, serde_json::json!({}));
            let id = insert_event(tx.exec(), t.id, &event, at(0)).await?;
            set_cursor(tx, id).await?;
            Ok(id)
        })
    })
    .await
    .unwrap();
    let read = position(db.read()).await.unwrap();
    assert_eq!(read.event_id, event);
    let mut seen = vec![read];
    // Two rebuilds at the same instant, each followed by a batch that gets back to `event`.
    for _ in 0..2 {
        let now = write_one(&db, move |tx| {
            Box::pin(async move {
                kefu_store::analytics::clear(tx, at(5_000)).await?;
                let restarted = lock_position(tx).await?;
                set_cursor(tx, event).await?;
                Ok((restarted, lock_position(tx).await?))
            })
        })
        .await
        .unwrap();
        assert_eq!(now.0.map(|p| p.event_id), Some(0), "restarted from the start");
        let now = now.1.expect("locked");
        assert_eq!(now.event_id, event);
        assert!(!seen.contains(&now), "{now:?} is told from {seen:?}");
        seen.push(now);
    }
}
