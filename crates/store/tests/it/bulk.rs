//! Bulk loading (demo data, benchmarks): rows with caller-given ids in one transaction,
//! the id and number high-water marks a loader starts from, and what the normal write
//! path does after a load.

use crate::support::{at, customer, new_ticket, scalar, ticket, write_one};
use kefu_domain::entities::ActorRef;
use kefu_domain::enums::{MessageKind, Priority, TicketKind};
use kefu_domain::event::{EventKind, NewEvent};
use kefu_domain::status::Status;
use kefu_store::bulk::{Row, TableRows, last_ticket_number, load, max_id};
use kefu_store::customers::{NewCustomer, insert_customer};
use kefu_store::tickets::{insert_ticket, ticket_by_number};
use kefu_store::timeline::{events_of, insert_event, insert_message, messages_of};
use kefu_store::{Db, SimpleExpr, StoreError};
use serde_json::json;

backend_tests!(
    high_water_marks_start_empty_and_follow_inserts,
    load_inserts_every_table_and_the_write_path_continues_after_it,
    load_never_moves_the_counter_back,
    a_failed_load_changes_nothing,
);

const TABLES: [&str; 4] = ["customers", "tickets", "messages", "ticket_events"];

fn s(text: &str) -> SimpleExpr {
    SimpleExpr::from(text.to_owned())
}

fn i(n: i64) -> SimpleExpr {
    SimpleExpr::from(n)
}

fn customers(ids: std::ops::RangeInclusive<i64>) -> TableRows {
    let rows: Vec<Row> = ids
        .map(|id| {
            vec![
                i(id),
                s(&format!("客户 {id}")),
                s(&format!("bulk{id}@example.com")),
                SimpleExpr::from(None::<String>),
                s("normal"),
                s("{}"),
                s("[]"),
                s("{}"),
                i(at(0).as_millisecond()),
                i(at(0).as_millisecond()),
            ]
        })
        .collect();
    TableRows {
        table: "customers",
        columns: &[
            "id",
            "name",
            "email",
            "phone",
            "tier",
            "external_ids",
            "tags",
            "custom",
            "created_at",
            "updated_at",
        ],
        rows,
    }
}

/// Tickets `ids` numbered `number_of(id)`, all for `customer_id`.
fn tickets(ids: std::ops::RangeInclusive<i64>, number_of: impl Fn(i64) -> i64, customer_id: i64) -> TableRows {
    let rows: Vec<Row> = ids
        .map(|id| {
            vec![
                i(id),
                i(number_of(id)),
                s(&format!("bulk ticket {id}")),
                s("generated"),
                s("complaint"),
                s("email"),
                s("open"),
                i(2),
                s("complaint.parts.out_of_stock"),
                s("[\"bulk\"]"),
                i(customer_id),
                s("{\"generated\":true}"),
                SimpleExpr::from(true),
                i(at(id).as_millisecond()),
                i(at(id + 1).as_millisecond()),
            ]
        })
        .collect();
    TableRows {
        table: "tickets",
        columns: &[
            "id",
            "number",
            "subject",
            "description",
            "kind",
            "channel",
            "status",
            "priority",
            "category",
            "tags",
            "customer_id",
            "custom",
            "has_public_reply",
            "created_at",
            "updated_at",
        ],
        rows,
    }
}

async fn high_water_marks_start_empty_and_follow_inserts(db: Db) {
    for table in TABLES {
        assert_eq!(max_id(db.read(), table).await.unwrap(), 0, "{table}");
    }
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), 1000);
    // Only the tables a loader fills are accepted (the name is spliced into SQL).
    for table in ["agents", "customers; DROP TABLE tickets", ""] {
        let result = max_id(db.read(), table).await;
        assert!(matches!(result, Err(StoreError::Corrupt(_))), "{table}: {result:?}");
    }

    let cust = customer(&db, "HW", None).await;
    let t = ticket(&db, new_ticket(cust.id), at(0)).await;
    let (message, event) = write_one(&db, move |tx| {
        Box::pin(async move {
            let m = insert_message(tx.exec(), t.id, MessageKind::Customer, ActorRef::customer(cust.id), "hi", at(0)).await?;
            let e = insert_event(
                tx.exec(),
                t.id,
                &NewEvent::new(EventKind::Created, ActorRef::SYSTEM, json!({})),
                at(0),
            )
            .await?;
            Ok((m.id, e))
        })
    })
    .await
    .unwrap();
    assert_eq!(max_id(db.read(), "customers").await.unwrap(), cust.id);
    assert_eq!(max_id(db.read(), "tickets").await.unwrap(), t.id);
    assert_eq!(max_id(db.read(), "messages").await.unwrap(), message);
    assert_eq!(max_id(db.read(), "ticket_events").await.unwrap(), event);
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), t.number);
}

async fn load_inserts_every_table_and_the_write_path_continues_after_it(db: Db) {
    // A request-path customer first, so the load continues from real high-water marks.
    let first = customer(&db, "Before the load", None).await;
    let start = max_id(db.read(), "customers").await.unwrap();
    // 3,000 customers x 10 columns is more bound values than one statement may carry,
    // so the loader must split them.
    let customer_rows = customers(start + 1..=start + 3000);
    let ticket_rows = tickets(1..=40, |id| 5000 + id, start + 1);
    let messages = TableRows {
        table: "messages",
        columns: &["id", "ticket_id", "kind", "author_kind", "author_id", "body", "created_at"],
        rows: (1..=40)
            .map(|id| {
                vec![
                    i(id),
                    i(id),
                    s("customer"),
                    s("customer"),
                    i(start + 1),
                    s("bulk body"),
                    i(at(id).as_millisecond()),
                ]
            })
            .collect(),
    };
    let events = TableRows {
        table: "ticket_events",
        columns: &["id", "ticket_id", "kind", "actor_kind", "actor_id", "data", "created_at"],
        rows: (1..=40)
            .map(|id| {
                vec![
                    i(id),
                    i(id),
                    s("created"),
                    s("system"),
                    SimpleExpr::from(None::<i64>),
                    s("{\"bulk\":1}"),
                    i(at(id).as_millisecond()),
                ]
            })
            .collect(),
    };
    load(&db, vec![customer_rows, ticket_rows, messages, events]).await.expect("load");

    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM customers").await, 3001);
    assert_eq!(max_id(db.read(), "customers").await.unwrap(), start + 3000);
    assert_eq!(max_id(db.read(), "tickets").await.unwrap(), 40);
    assert_eq!(max_id(db.read(), "messages").await.unwrap(), 40);
    assert_eq!(max_id(db.read(), "ticket_events").await.unwrap(), 40);
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), 5040);

    // Loaded rows read back like any other.
    let loaded = ticket_by_number(db.read(), 5007).await.unwrap().expect("loaded ticket");
    assert_eq!(loaded.id, 7);
    assert_eq!(
        (loaded.kind, loaded.status, loaded.priority),
        (TicketKind::Complaint, Status::Open, Priority::High)
    );
    assert_eq!(loaded.category.as_deref(), Some("complaint.parts.out_of_stock"));
    assert_eq!(loaded.tags, vec!["bulk"]);
    assert_eq!(loaded.custom.get("generated"), Some(&json!(true)));
    assert!(loaded.has_public_reply);
    assert_eq!((loaded.created_at, loaded.updated_at), (at(7), at(8)));
    assert_eq!(messages_of(db.read(), 7, false).await.unwrap().len(), 1);
    let events_loaded = events_of(db.read(), 7, 5007).await.unwrap();
    assert_eq!(events_loaded.len(), 1);
    assert_eq!(events_loaded[0].actor, ActorRef::SYSTEM);
    assert_eq!(events_loaded[0].data, json!({"bulk": 1}));

    // After the load, ordinary writes take fresh ids and the next number. (On PostgreSQL
    // this needs the identity sequences moved past the loaded ids.)
    let (cust, t, m, e) = write_one(&db, move |tx| {
        Box::pin(async move {
            let c = insert_customer(tx.exec(), &NewCustomer::contact("After".into(), None, None), at(0)).await?;
            let t = insert_ticket(tx.exec(), &new_ticket(c.id), at(0)).await?;
            let m = insert_message(tx.exec(), t.id, MessageKind::Customer, ActorRef::customer(c.id), "after", at(0)).await?;
            let e = insert_event(
                tx.exec(),
                t.id,
                &NewEvent::new(EventKind::Created, ActorRef::SYSTEM, json!({})),
                at(0),
            )
            .await?;
            Ok((c, t, m, e))
        })
    })
    .await
    .expect("ordinary writes after a load");
    assert!(cust.id > start + 3000 && cust.id > first.id);
    assert_eq!(t.number, 5041);
    assert!(t.id > 40);
    assert!(m.id > 40);
    assert!(e > 40);
}

async fn load_never_moves_the_counter_back(db: Db) {
    let cust = customer(&db, "Counter", None).await;
    for n in 0..3 {
        ticket(&db, new_ticket(cust.id), at(n)).await;
    }
    load(&db, vec![customers(100..=101)]).await.expect("load");
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), 1003);
    assert_eq!(ticket(&db, new_ticket(cust.id), at(9)).await.number, 1004);
    // Loading nothing at all is fine too.
    load(&db, Vec::new()).await.expect("empty load");
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), 1004);
}

async fn a_failed_load_changes_nothing(db: Db) {
    // The customers are fine; the tickets name a customer that is in neither the
    // database nor the load.
    let result = load(&db, vec![customers(1..=5), tickets(1..=3, |id| 2000 + id, 999)]).await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM customers").await,
        0,
        "one transaction: the customers went too"
    );
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), 1000);

    // A duplicate id is a conflict, likewise all or nothing.
    let result = load(&db, vec![customers(1..=3), customers(3..=4)]).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM customers").await, 0);
}
