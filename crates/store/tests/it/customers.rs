//! Customers: insert and read back every field, find by e-mail and phone, update, list.

use crate::support::{at, customer, email, phone, write_one};
use kefu_domain::enums::{CustomerTier, CustomerType};
use kefu_store::customers::{
    CustomerQuery, NewCustomer, customer_by_email, customer_by_id, customer_by_phone, insert_customer, list_customers, update_customer,
};
use kefu_store::{Db, StoreError};
use serde_json::{Map, Value, json};

backend_tests!(
    insert_round_trips_every_field,
    lookups_by_id_email_and_phone,
    update_writes_every_editable_field,
    email_is_unique_but_missing_emails_and_phones_may_repeat,
    list_filters_and_pages_by_id,
);

fn map(value: Value) -> Map<String, Value> {
    value.as_object().expect("object").clone()
}

fn full_customer() -> NewCustomer {
    NewCustomer {
        name: "王小明".into(),
        email: Some(email("Wang.XM@Example.cn")),
        phone: Some(phone("+86 138-0013-8000")),
        organization: Some("上海某某科技有限公司".into()),
        tier: CustomerTier::KeyAccount,
        customer_type: Some(CustomerType::Cautious),
        external_ids: map(json!({"crm": "C-88", "erp": 12345})),
        tags: vec!["vip".into(), "华东".into()],
        consent_at: Some(at(-86_400_000)),
        custom: map(json!({"contract": {"ends": "2026-01-01", "seats": 40}, "note": "quote's \"fine\""})),
    }
}

async fn insert_round_trips_every_field(db: Db) {
    let new = full_customer();
    let inserted = {
        let new = new.clone();
        write_one(&db, move |tx| {
            Box::pin(async move { insert_customer(tx.exec(), &new, at(5)).await })
        })
        .await
        .unwrap()
    };
    assert!(inserted.id > 0);
    assert_eq!(inserted.name, new.name);
    assert_eq!(inserted.email.as_ref().map(|e| e.as_str()), Some("wang.xm@example.cn"));
    assert_eq!(inserted.phone.as_ref().map(|p| p.as_str()), Some("+8613800138000"));
    assert_eq!(inserted.organization, new.organization);
    assert_eq!(inserted.tier, CustomerTier::KeyAccount);
    assert_eq!(inserted.customer_type, Some(CustomerType::Cautious));
    assert_eq!(inserted.external_ids, new.external_ids);
    assert_eq!(inserted.tags, new.tags);
    assert_eq!(inserted.consent_at, new.consent_at);
    assert_eq!(inserted.custom, new.custom);
    assert_eq!((inserted.created_at, inserted.updated_at), (at(5), at(5)));

    // What RETURNING gave back is what a later read sees.
    let read = customer_by_id(db.read(), inserted.id).await.unwrap().expect("stored");
    assert_eq!(read, inserted);

    // The minimal customer: every optional field empty.
    let bare = NewCustomer::contact("Anon".into(), None, None);
    let bare = write_one(&db, move |tx| {
        Box::pin(async move { insert_customer(tx.exec(), &bare, at(6)).await })
    })
    .await
    .unwrap();
    let read = customer_by_id(db.read(), bare.id).await.unwrap().unwrap();
    assert_eq!(read, bare);
    assert_eq!(
        (read.email, read.phone, read.customer_type, read.consent_at),
        (None, None, None, None)
    );
    assert!(read.external_ids.is_empty() && read.custom.is_empty() && read.tags.is_empty());
    assert_eq!(read.tier, CustomerTier::Normal);
}

async fn lookups_by_id_email_and_phone(db: Db) {
    let shared_line = phone("010 8888 0000");
    let mut first = NewCustomer::contact("First".into(), Some(email("first@example.com")), Some(shared_line.clone()));
    first.tier = CustomerTier::Vip;
    let second = NewCustomer::contact("Second".into(), Some(email("second@example.com")), Some(shared_line.clone()));
    let (first, second) = write_one(&db, move |tx| {
        Box::pin(async move {
            let a = insert_customer(tx.exec(), &first, at(0)).await?;
            let b = insert_customer(tx.exec(), &second, at(0)).await?;
            Ok((a, b))
        })
    })
    .await
    .unwrap();

    assert_eq!(customer_by_id(db.read(), second.id).await.unwrap().unwrap().name, "Second");
    assert_eq!(customer_by_id(db.read(), second.id + 1000).await.unwrap(), None);

    // E-mails are stored lower-cased, so a differently cased address finds the same row.
    let found = customer_by_email(db.read(), &email("SECOND@example.COM")).await.unwrap().unwrap();
    assert_eq!(found.id, second.id);
    assert_eq!(customer_by_email(db.read(), &email("nobody@example.com")).await.unwrap(), None);

    // A shared company line: the oldest customer with the number wins.
    let found = customer_by_phone(db.read(), &phone("010-8888-0000")).await.unwrap().unwrap();
    assert_eq!(found.id, first.id);
    assert_eq!(found.tier, CustomerTier::Vip);
    assert_eq!(customer_by_phone(db.read(), &phone("12345")).await.unwrap(), None);
}

async fn update_writes_every_editable_field(db: Db) {
    let mut stored = customer(&db, "Before", Some("before@example.com")).await;
    let untouched = customer(&db, "Bystander", Some("bystander@example.com")).await;

    stored.name = "After 之后".into();
    stored.email = Some(email("after@example.com"));
    stored.phone = Some(phone("13900001111"));
    stored.organization = Some("ACME".into());
    stored.tier = CustomerTier::Vip;
    stored.customer_type = Some(CustomerType::Emotional);
    stored.external_ids = map(json!({"crm": "X-1"}));
    stored.tags = vec!["loyal".into()];
    stored.consent_at = Some(at(10));
    stored.custom = map(json!({"k": [1, 2, 3]}));
    stored.updated_at = at(60_000);
    let edited = stored.clone();
    write_one(&db, move |tx| Box::pin(async move { update_customer(tx.exec(), &edited).await }))
        .await
        .unwrap();

    let read = customer_by_id(db.read(), stored.id).await.unwrap().unwrap();
    assert_eq!(read, stored, "every editable field is written; created_at is kept");
    assert_eq!(read.created_at, at(0));
    assert_eq!(customer_by_email(db.read(), &email("before@example.com")).await.unwrap(), None);
    assert_eq!(
        customer_by_id(db.read(), untouched.id).await.unwrap().unwrap(),
        untouched,
        "only the one row changes"
    );

    // Clearing optional fields clears them.
    let mut cleared = read.clone();
    cleared.email = None;
    cleared.phone = None;
    cleared.organization = None;
    cleared.customer_type = None;
    cleared.consent_at = None;
    let edited = cleared.clone();
    write_one(&db, move |tx| Box::pin(async move { update_customer(tx.exec(), &edited).await }))
        .await
        .unwrap();
    assert_eq!(customer_by_id(db.read(), cleared.id).await.unwrap().unwrap(), cleared);
}

async fn email_is_unique_but_missing_emails_and_phones_may_repeat(db: Db) {
    customer(&db, "A", Some("dup@example.com")).await;
    let duplicate = NewCustomer::contact("B".into(), Some(email("dup@example.com")), None);
    let result = write_one(&db, move |tx| {
        Box::pin(async move { insert_customer(tx.exec(), &duplicate, at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    // Moving another customer onto a taken address is the same conflict.
    let mut other = customer(&db, "C", Some("c@example.com")).await;
    other.email = Some(email("dup@example.com"));
    let result = write_one(&db, move |tx| Box::pin(async move { update_customer(tx.exec(), &other).await })).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    // The unique index is partial: any number of customers without an e-mail, and
    // phones are not unique at all.
    for name in ["D", "E", "F"] {
        let new = NewCustomer::contact(name.into(), None, Some(phone("555 0100")));
        write_one(&db, move |tx| {
            Box::pin(async move { insert_customer(tx.exec(), &new, at(0)).await })
        })
        .await
        .unwrap();
    }
    assert_eq!(crate::support::scalar(&db, "SELECT COUNT(*) FROM customers").await, 5);
}

async fn list_filters_and_pages_by_id(db: Db) {
    let mut ids = Vec::new();
    for i in 0..7 {
        let mail = format!("c{i}@example.com");
        let mut new = NewCustomer::contact(format!("C{i}"), Some(email(&mail)), None);
        new.phone = (i % 2 == 0).then(|| phone("555 0199"));
        ids.push(
            write_one(&db, move |tx| {
                Box::pin(async move { insert_customer(tx.exec(), &new, at(i)).await })
            })
            .await
            .unwrap()
            .id,
        );
    }
    let list = |query: CustomerQuery| {
        let db = db.clone();
        async move {
            list_customers(db.read(), &query)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        }
    };

    assert_eq!(
        list(CustomerQuery {
            limit: 100,
            ..Default::default()
        })
        .await,
        ids
    );
    assert_eq!(
        list(CustomerQuery {
            limit: 3,
            ..Default::default()
        })
        .await,
        ids[..3]
    );
    // Keyset paging by id: each page starts after the last id of the one before.
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = list(CustomerQuery {
            after_id: after,
            limit: 3,
            ..Default::default()
        })
        .await;
        if page.is_empty() {
            break;
        }
        after = page.last().copied();
        paged.extend(page);
    }
    assert_eq!(paged, ids);

    assert_eq!(
        list(CustomerQuery {
            email: Some(email("C3@example.com")),
            limit: 10,
            ..Default::default()
        })
        .await,
        vec![ids[3]]
    );
    let with_phone: Vec<_> = ids.iter().copied().step_by(2).collect();
    assert_eq!(
        list(CustomerQuery {
            phone: Some(phone("555-0199")),
            limit: 10,
            ..Default::default()
        })
        .await,
        with_phone
    );
    assert_eq!(
        list(CustomerQuery {
            phone: Some(phone("5550199")),
            after_id: Some(ids[2]),
            limit: 1,
            ..Default::default()
        })
        .await,
        vec![ids[4]]
    );
    // Both filters must hold.
    assert!(
        list(CustomerQuery {
            email: Some(email("c1@example.com")),
            phone: Some(phone("5550199")),
            limit: 10,
            ..Default::default()
        })
        .await
        .is_empty()
    );
}
