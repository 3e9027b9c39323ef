//! A ticket's timeline (messages and events) and the idempotency records of retried
//! creates.

use crate::support::{agent, at, customer, new_ticket, ticket, write_one};
use kefu_domain::entities::ActorRef;
use kefu_domain::enums::{ActorKind, MessageKind};
use kefu_domain::event::{EventKind, NewEvent};
use kefu_store::timeline::{events_of, idempotent_ticket, insert_event, insert_message, messages_of, remember_idempotent_ticket};
use kefu_store::{Db, StoreError};
use serde_json::json;

backend_tests!(
    messages_round_trip_in_order_and_notes_stay_internal,
    messages_and_events_need_their_ticket,
    events_round_trip_in_order,
    idempotency_records_are_per_agent_and_key,
);

async fn messages_round_trip_in_order_and_notes_stay_internal(db: Db) {
    let cust = customer(&db, "Msg", None).await;
    let agent_id = agent(&db, "writer@example.com").await;
    let t = ticket(&db, new_ticket(cust.id), at(0)).await;
    let other = ticket(&db, new_ticket(cust.id), at(0)).await;

    let posts = [
        (MessageKind::Customer, ActorRef::customer(cust.id), "打印机又坏了 <b>again</b>", 10),
        (MessageKind::Note, ActorRef::agent(agent_id), "internal: check warranty", 20),
        (MessageKind::Reply, ActorRef::agent(agent_id), "We'll send an engineer.\n— 客服", 30),
        (MessageKind::System, ActorRef::SYSTEM, "Auto-acknowledged", 40),
        (MessageKind::Bot, ActorRef::SYSTEM, "", 50),
    ];
    let mut written = Vec::new();
    for (kind, author, body, when) in posts {
        let message = write_one(&db, move |tx| {
            Box::pin(async move { insert_message(tx.exec(), t.id, kind, author, body, at(when)).await })
        })
        .await
        .unwrap();
        assert!(message.id > 0);
        assert_eq!(
            (message.kind, message.author_kind, message.author_id),
            (kind, author.kind, author.id)
        );
        assert_eq!((message.body.as_str(), message.created_at), (body, at(when)));
        written.push(message);
    }
    // Someone else's ticket does not leak into this timeline.
    write_one(&db, move |tx| {
        Box::pin(async move {
            insert_message(
                tx.exec(),
                other.id,
                MessageKind::Customer,
                ActorRef::customer(cust.id),
                "other",
                at(5),
            )
            .await
        })
    })
    .await
    .unwrap();

    assert_eq!(
        messages_of(db.read(), t.id, true).await.unwrap(),
        written,
        "all of them, oldest first, as written"
    );
    let public: Vec<_> = written.iter().filter(|m| m.kind.is_public()).cloned().collect();
    assert_eq!(
        messages_of(db.read(), t.id, false).await.unwrap(),
        public,
        "no internal notes for the customer"
    );
    assert_eq!(public.len(), 4);
    assert_eq!(messages_of(db.read(), other.id, true).await.unwrap().len(), 1);
    assert!(messages_of(db.read(), other.id + 1000, true).await.unwrap().is_empty());
}

async fn messages_and_events_need_their_ticket(db: Db) {
    let result = write_one(&db, |tx| {
        Box::pin(async move { insert_message(tx.exec(), 999, MessageKind::Customer, ActorRef::SYSTEM, "orphan", at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    let event = NewEvent::new(EventKind::Created, ActorRef::SYSTEM, json!({}));
    let result = write_one(&db, move |tx| {
        Box::pin(async move { insert_event(tx.exec(), 999, &event, at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
}

async fn events_round_trip_in_order(db: Db) {
    let cust = customer(&db, "Evt", None).await;
    let agent_id = agent(&db, "actor@example.com").await;
    let t = ticket(&db, new_ticket(cust.id), at(0)).await;
    let events = vec![
        (
            NewEvent::new(EventKind::Created, ActorRef::customer(cust.id), json!({"channel": "web"})),
            1,
        ),
        (
            NewEvent::change(EventKind::StatusChanged, ActorRef::agent(agent_id), "new", "open"),
            2,
        ),
        (
            NewEvent::change(EventKind::TagsChanged, ActorRef::agent(agent_id), vec!["a"], vec!["a", "紧急"]),
            3,
        ),
        (
            NewEvent::new(
                EventKind::FieldChanged,
                ActorRef::SYSTEM,
                json!({"field": "custom", "nested": {"n": 1.5, "null": null}}),
            ),
            4,
        ),
        (NewEvent::new(EventKind::Reopened, ActorRef::SYSTEM, json!(null)), 5),
    ];
    let mut ids = Vec::new();
    for (event, when) in events.clone() {
        ids.push(
            write_one(&db, move |tx| {
                Box::pin(async move { insert_event(tx.exec(), t.id, &event, at(when)).await })
            })
            .await
            .unwrap(),
        );
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids rise with insertion");

    let stored = events_of(db.read(), t.id, t.number).await.unwrap();
    assert_eq!(stored.len(), events.len());
    for ((got, (want, when)), id) in stored.iter().zip(&events).zip(&ids) {
        assert_eq!(got.id, *id);
        assert_eq!(got.ticket_number, t.number);
        assert_eq!(got.kind, want.kind);
        assert_eq!(got.actor, want.actor);
        assert_eq!(got.data, want.data);
        assert_eq!(got.at, at(*when));
    }
    assert_eq!(
        stored[3].actor,
        ActorRef {
            kind: ActorKind::System,
            id: None
        }
    );
    assert!(events_of(db.read(), t.id + 1000, 1).await.unwrap().is_empty());
}

async fn idempotency_records_are_per_agent_and_key(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let b = agent(&db, "b@example.com").await;
    assert_eq!(idempotent_ticket(db.read(), a, "key-1").await.unwrap(), None);

    write_one(&db, move |tx| {
        Box::pin(async move { remember_idempotent_ticket(tx.exec(), a, "key-1", "hash-1", 1001, at(0)).await })
    })
    .await
    .unwrap();
    assert_eq!(
        idempotent_ticket(db.read(), a, "key-1").await.unwrap(),
        Some(("hash-1".to_owned(), 1001))
    );
    // Keys are per agent: another agent may use the same key for another ticket.
    assert_eq!(idempotent_ticket(db.read(), b, "key-1").await.unwrap(), None);
    write_one(&db, move |tx| {
        Box::pin(async move { remember_idempotent_ticket(tx.exec(), b, "key-1", "hash-2", 1002, at(0)).await })
    })
    .await
    .unwrap();
    assert_eq!(
        idempotent_ticket(db.read(), b, "key-1").await.unwrap(),
        Some(("hash-2".to_owned(), 1002))
    );
    assert_eq!(
        idempotent_ticket(db.read(), a, "KEY-1").await.unwrap(),
        None,
        "keys are compared exactly"
    );

    // The first answer is kept: remembering the same key again is a conflict.
    let result = write_one(&db, move |tx| {
        Box::pin(async move { remember_idempotent_ticket(tx.exec(), a, "key-1", "hash-3", 1003, at(1)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert_eq!(
        idempotent_ticket(db.read(), a, "key-1").await.unwrap(),
        Some(("hash-1".to_owned(), 1001))
    );

    // The check and the record belong in one command with the create: a read inside the
    // transaction sees the record written earlier in it.
    let seen = write_one(&db, move |tx| {
        Box::pin(async move {
            remember_idempotent_ticket(tx.exec(), a, "key-2", "hash-4", 1004, at(2)).await?;
            idempotent_ticket(tx.exec(), a, "key-2").await
        })
    })
    .await
    .unwrap();
    assert_eq!(seen, Some(("hash-4".to_owned(), 1004)));
}
