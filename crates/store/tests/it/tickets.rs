//! Tickets one at a time: numbering, insert, read by number, update, references, and
//! the cursor values a list hands out.

use crate::support::{add_category, agent, at, customer, new_ticket, team, ticket, write_one};
use kefu_domain::entities::FIRST_TICKET_NUMBER;
use kefu_domain::enums::{Channel, Priority, TicketKind};
use kefu_domain::query::TicketSort;
use kefu_domain::status::Status;
use kefu_store::bulk::last_ticket_number;
use kefu_store::tickets::{NewTicket, cursor_of, insert_ticket, ticket_by_number, update_ticket};
use kefu_store::{Db, StoreError};
use serde_json::json;

backend_tests!(
    insert_round_trips_every_field,
    numbers_start_at_1001_and_count_up,
    update_writes_every_mutable_field_only,
    references_must_exist,
    cursor_carries_the_sort_keys,
);

async fn insert_round_trips_every_field(db: Db) {
    let cust = customer(&db, "Zhang", None).await;
    let t = team(&db, "Hardware", &[]).await;
    let first = ticket(&db, new_ticket(cust.id), at(0)).await;
    let new = NewTicket {
        subject: "发票抬头错误 — wrong invoice title".into(),
        description: "Line 1\nLine 2 with 'quotes' and \"double\" and \\ backslash".into(),
        kind: TicketKind::AfterSales,
        channel: Channel::Wechat,
        priority: Priority::Urgent,
        category: Some("consultation.billing".into()),
        tags: vec!["invoice".into(), "紧急".into()],
        customer_id: cust.id,
        team_id: Some(t),
        expected_resolution: Some("Reissue the invoice".into()),
        custom: json!({"order": "SO-1", "amount": 12.5, "lines": [1, 2]})
            .as_object()
            .unwrap()
            .clone(),
        follow_up_of: Some(first.number),
        language: None,
        required_skills: Vec::new(),
        sla: None,
    };
    let inserted = ticket(&db, new.clone(), at(1234)).await;

    assert_eq!(inserted.number, first.number + 1);
    assert_eq!(inserted.subject, new.subject);
    assert_eq!(inserted.description, new.description);
    assert_eq!(inserted.kind, TicketKind::AfterSales);
    assert_eq!(inserted.channel, Channel::Wechat);
    assert_eq!(inserted.priority, Priority::Urgent);
    assert_eq!(inserted.category, new.category);
    assert_eq!(inserted.tags, new.tags);
    assert_eq!(inserted.customer_id, cust.id);
    assert_eq!(inserted.team_id, Some(t));
    assert_eq!(inserted.expected_resolution, new.expected_resolution);
    assert_eq!(inserted.custom, new.custom);
    assert_eq!(inserted.follow_up_of, Some(first.number));
    // What the store decides: a new ticket, untouched.
    assert_eq!(inserted.status, Status::New);
    assert_eq!((inserted.assignee_id, inserted.owner_id), (None, None));
    assert_eq!((inserted.transfer_count, inserted.reopen_count), (0, 0));
    assert!(!inserted.has_public_reply);
    assert_eq!((inserted.created_at, inserted.updated_at), (at(1234), at(1234)));
    assert_eq!((inserted.first_reply_at, inserted.resolved_at), (None, None));

    assert_eq!(ticket_by_number(db.read(), inserted.number).await.unwrap(), Some(inserted.clone()));
    assert_eq!(ticket_by_number(db.read(), inserted.number + 1).await.unwrap(), None);
    assert_eq!(ticket_by_number(db.read(), 0).await.unwrap(), None);
}

async fn numbers_start_at_1001_and_count_up(db: Db) {
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), FIRST_TICKET_NUMBER - 1);
    let cust = customer(&db, "Numbered", None).await;
    // Several tickets in one command take consecutive numbers too.
    let numbers = write_one(&db, move |tx| {
        Box::pin(async move {
            let mut numbers = Vec::new();
            for i in 0..3 {
                numbers.push(insert_ticket(tx.exec(), &new_ticket(cust.id), at(i)).await?.number);
            }
            Ok(numbers)
        })
    })
    .await
    .unwrap();
    assert_eq!(numbers, vec![1001, 1002, 1003]);
    assert_eq!(ticket(&db, new_ticket(cust.id), at(9)).await.number, 1004);
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), 1004);
}

async fn update_writes_every_mutable_field_only(db: Db) {
    let cust = customer(&db, "Upd", None).await;
    let a = agent(&db, "assignee@example.com").await;
    let o = agent(&db, "owner@example.com").await;
    let t = team(&db, "Team", &[a]).await;
    let original = ticket(&db, new_ticket(cust.id), at(0)).await;
    let bystander = ticket(&db, new_ticket(cust.id), at(0)).await;

    let mut edited = original.clone();
    edited.status = Status::Resolved;
    edited.priority = Priority::High;
    edited.category = Some("complaint.parts.wrong_part".into());
    edited.tags = vec!["parts".into()];
    edited.team_id = Some(t);
    edited.assignee_id = Some(a);
    edited.owner_id = Some(o);
    edited.expected_resolution = Some("Ship the right part".into());
    edited.custom = json!({"rma": "R-7"}).as_object().unwrap().clone();
    edited.transfer_count = 2;
    edited.reopen_count = 1;
    edited.has_public_reply = true;
    edited.updated_at = at(5_000);
    edited.first_reply_at = Some(at(1_000));
    edited.resolved_at = Some(at(5_000));
    // Fields a ticket never changes after creation: the update must ignore them.
    let mut attempt = edited.clone();
    attempt.subject = "changed subject".into();
    attempt.description = "changed description".into();
    attempt.kind = TicketKind::Complaint;
    attempt.channel = Channel::Phone;
    attempt.customer_id = cust.id + 1000;
    attempt.created_at = at(42);
    attempt.follow_up_of = Some(9999);
    write_one(&db, move |tx| Box::pin(async move { update_ticket(tx.exec(), &attempt).await }))
        .await
        .unwrap();

    assert_eq!(ticket_by_number(db.read(), original.number).await.unwrap(), Some(edited.clone()));
    assert_eq!(ticket_by_number(db.read(), bystander.number).await.unwrap(), Some(bystander));

    // And back to empty: optional fields can be cleared.
    let mut cleared = edited;
    cleared.status = Status::Open;
    cleared.category = None;
    cleared.team_id = None;
    cleared.assignee_id = None;
    cleared.owner_id = None;
    cleared.expected_resolution = None;
    cleared.first_reply_at = None;
    cleared.resolved_at = None;
    let write = cleared.clone();
    write_one(&db, move |tx| Box::pin(async move { update_ticket(tx.exec(), &write).await }))
        .await
        .unwrap();
    assert_eq!(ticket_by_number(db.read(), original.number).await.unwrap(), Some(cleared));
}

async fn references_must_exist(db: Db) {
    let cust = customer(&db, "Ref", None).await;
    let insert = |new: NewTicket| {
        let db = db.clone();
        async move { write_one(&db, move |tx| Box::pin(async move { insert_ticket(tx.exec(), &new, at(0)).await })).await }
    };
    let missing_customer = NewTicket {
        customer_id: cust.id + 1000,
        ..new_ticket(cust.id)
    };
    let result = insert(missing_customer).await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    let missing_category = NewTicket {
        category: Some("complaint.no_such_reason".into()),
        ..new_ticket(cust.id)
    };
    let result = insert(missing_category).await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    let missing_team = NewTicket {
        team_id: Some(777),
        ..new_ticket(cust.id)
    };
    let result = insert(missing_team).await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");

    // The failed inserts gave their numbers back.
    let ok = insert(new_ticket(cust.id)).await.unwrap();
    assert_eq!(ok.number, FIRST_TICKET_NUMBER);

    // An added category is a valid reference.
    add_category(&db, "consultation.order.tracking").await;
    let ok = insert(NewTicket {
        category: Some("consultation.order.tracking".into()),
        ..new_ticket(cust.id)
    })
    .await
    .unwrap();
    assert_eq!(ok.category.as_deref(), Some("consultation.order.tracking"));

    let mut bad = ok.clone();
    bad.assignee_id = Some(4242);
    let result = write_one(&db, move |tx| Box::pin(async move { update_ticket(tx.exec(), &bad).await })).await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    let mut bad = ok.clone();
    bad.owner_id = Some(4242);
    let result = write_one(&db, move |tx| Box::pin(async move { update_ticket(tx.exec(), &bad).await })).await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    assert_eq!(ticket_by_number(db.read(), ok.number).await.unwrap(), Some(ok));
}

async fn cursor_carries_the_sort_keys(db: Db) {
    let cust = customer(&db, "Cursor", None).await;
    let mut t = ticket(
        &db,
        NewTicket {
            priority: Priority::High,
            ..new_ticket(cust.id)
        },
        at(10),
    )
    .await;
    t.updated_at = at(20);
    let (created, updated) = (at(10).as_millisecond(), at(20).as_millisecond());
    assert_eq!(cursor_of(&t, TicketSort::Created), vec![created, t.id]);
    assert_eq!(cursor_of(&t, TicketSort::CreatedDesc), vec![created, t.id]);
    assert_eq!(cursor_of(&t, TicketSort::Updated), vec![updated, t.id]);
    assert_eq!(cursor_of(&t, TicketSort::UpdatedDesc), vec![updated, t.id]);
    assert_eq!(cursor_of(&t, TicketSort::Priority), vec![2, created, t.id]);
    for sort in [
        TicketSort::Created,
        TicketSort::CreatedDesc,
        TicketSort::Updated,
        TicketSort::UpdatedDesc,
        TicketSort::Priority,
    ] {
        assert_eq!(cursor_of(&t, sort).len(), sort.cursor_len(), "{sort:?}");
    }
}
