//! Opening and closing the database: where it lives, that it answers, that data and the
//! ticket counter survive a restart, and that closing lets queued writes finish.

use crate::support::{at, customer, new_ticket, ticket, write_one};
use kefu_store::bulk::last_ticket_number;
use kefu_store::tickets::{insert_ticket, ticket_by_number};
use kefu_store::{Db, Location, StoreError};
use std::path::PathBuf;

backend_tests!(with_location: ping_and_backend_match_the_location, data_and_counter_survive_a_restart);
backend_tests!(close_finishes_queued_writes_then_refuses_new_ones);

#[test]
fn location_from_url_accepts_both_backends_only() {
    assert_eq!(
        Location::from_url("postgres://u:p@h/db"),
        Ok(Location::Postgres("postgres://u:p@h/db".into()))
    );
    assert_eq!(
        Location::from_url("postgresql://h/db"),
        Ok(Location::Postgres("postgresql://h/db".into()))
    );
    assert_eq!(
        Location::from_url("sqlite:data/kefu.db"),
        Ok(Location::SqliteFile(PathBuf::from("data/kefu.db")))
    );
    assert_eq!(
        Location::from_url("sqlite:///var/lib/kefu.db"),
        Ok(Location::SqliteFile(PathBuf::from("/var/lib/kefu.db")))
    );
    assert!(Location::from_url("mysql://h/db").is_err());
    assert!(Location::from_url("kefu.db").is_err());
}

#[test]
fn redacted_location_hides_the_password_only() {
    let redacted = Location::Postgres("postgres://kefu:s3cret@db.internal:5432/kefu".into()).redacted();
    assert!(!redacted.contains("s3cret"), "{redacted}");
    assert!(redacted.contains("kefu:***@db.internal:5432/kefu"), "{redacted}");
    assert_eq!(
        Location::Postgres("postgres://db.internal/kefu".into()).redacted(),
        "postgres://db.internal/kefu"
    );
    assert_eq!(
        Location::SqliteFile(PathBuf::from("/data/kefu.db")).redacted(),
        "sqlite:/data/kefu.db"
    );
    assert!(!Location::Postgres("postgres://u:pw@[bad".into()).redacted().contains("pw"));
}

async fn ping_and_backend_match_the_location(db: Db, location: Location) {
    db.ping().await.expect("the database answers");
    assert_eq!(db.is_postgres(), matches!(location, Location::Postgres(_)));
}

async fn data_and_counter_survive_a_restart(db: Db, location: Location) {
    let cust = customer(&db, "Durable", Some("durable@example.com")).await;
    let first = ticket(&db, new_ticket(cust.id), at(0)).await;
    db.close().await;

    let db = Db::open(&location).await.expect("reopen");
    assert_eq!(ticket_by_number(db.read(), first.number).await.unwrap(), Some(first));
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), 1001);
    // Migrations are not run twice and numbering continues where it stopped.
    let second = write_one(&db, move |tx| {
        Box::pin(async move { insert_ticket(tx.exec(), &new_ticket(cust.id), at(1)).await })
    })
    .await
    .unwrap();
    assert_eq!(second.number, 1002);
    db.close().await;
}

async fn close_finishes_queued_writes_then_refuses_new_ones(db: Db) {
    let cust = customer(&db, "Closing", None).await.id;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                write_one(&db, move |tx| {
                    Box::pin(async move { insert_ticket(tx.exec(), &new_ticket(cust), at(i)).await })
                })
                .await
            })
        })
        .collect();
    // Give every spawned write time to be queued ahead of the close.
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    db.close().await;
    for task in tasks {
        task.await.unwrap().expect("a write queued before close is carried out");
    }
    let late = write_one(&db, move |tx| {
        Box::pin(async move { insert_ticket(tx.exec(), &new_ticket(cust), at(0)).await })
    })
    .await;
    assert!(matches!(late, Err(StoreError::WriterGone)), "{late:?}");
    // Closing twice is harmless (the harness closes again after the test).
    db.close().await;
}

/// A lost writer connection (PostgreSQL restarted, a proxy dropped it) is replaced: the
/// writes after it succeed again instead of failing until Kefu is restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_reconnects_after_losing_its_connection() {
    crate::support::on_postgres("db::the_writer_reconnects_after_losing_its_connection", |db, location| async move {
        let Location::Postgres(url) = &location else {
            unreachable!("a PostgreSQL test")
        };
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.expect("connect");
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .execute(&mut admin)
        .await
        .expect("terminate the other connections");
        let mut outcomes = Vec::new();
        for n in 0..5 {
            let result = write_one(&db, move |tx| {
                Box::pin(async move {
                    let new = kefu_store::customers::NewCustomer::contact(format!("after {n}"), None, None);
                    kefu_store::customers::insert_customer(tx.exec(), &new, at(n)).await
                })
            })
            .await;
            let ok = result.is_ok();
            outcomes.push(result.map(|_| ()).map_err(|e| e.to_string()));
            if ok {
                break;
            }
        }
        assert!(
            outcomes.last().is_some_and(Result::is_ok),
            "a write succeeds after the reconnect: {outcomes:?}"
        );
        assert!(
            outcomes.len() <= 2,
            "at most the first write is lost to the dead connection: {outcomes:?}"
        );
    })
    .await;
}
