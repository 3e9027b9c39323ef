//! `Db::write`: one writer, commands that arrive together share a transaction, each in
//! its own savepoint. What callers rely on: every acknowledged write is committed,
//! ticket numbers stay unique and gap-free under load, a failing command is undone alone,
//! database errors arrive as the right `StoreError`, and nobody is told "done" for a
//! change that did not commit.

use crate::support::{at, customer, exec_sql, new_ticket, scalar, write_one};
use kefu_domain::entities::TicketNumber;
use kefu_store::bulk::last_ticket_number;
use kefu_store::customers::{NewCustomer, insert_customer};
use kefu_store::people::insert_team;
use kefu_store::tickets::{NewTicket, insert_ticket, ticket_by_number};
use kefu_store::{Db, Exec, StoreError, Tx};
use std::time::Duration;
use tokio::sync::oneshot;

backend_tests!(
    concurrent_writes_all_commit_with_gap_free_numbers,
    a_command_returning_err_is_rolled_back_alone,
    database_errors_in_a_batch_are_mapped_and_spare_the_others,
    a_panicking_command_is_undone_and_the_writer_lives_on,
    a_failed_commit_fails_every_command_in_the_batch,
    uncommitted_changes_are_seen_inside_the_write_only,
);

/// A command's own error type: `Db::write` passes any `E: From<StoreError>` through.
#[derive(Debug)]
enum CommandError {
    Store(StoreError),
    Refused(usize),
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        CommandError::Store(error)
    }
}

/// Holds the writer inside one command until the returned sender fires, so that the
/// commands issued meanwhile queue up and are taken as one batch (up to its maximum).
async fn hold_writer(db: &Db) -> (oneshot::Sender<()>, tokio::task::JoinHandle<Result<(), StoreError>>) {
    let (started_tx, started) = oneshot::channel();
    let (release, gate) = oneshot::channel::<()>();
    let db = db.clone();
    let holder = tokio::spawn(async move {
        db.write(move |_tx| {
            Box::pin(async move {
                let _ = started_tx.send(());
                let _ = gate.await;
                Ok(())
            })
        })
        .await
    });
    started.await.expect("the holding command runs");
    (release, holder)
}

/// Lets spawned writes reach the writer's queue before it is released.
async fn let_them_queue() {
    tokio::time::sleep(Duration::from_millis(150)).await;
}

fn subject(i: usize) -> String {
    format!("command {i}")
}

/// The subjects of all stored tickets, as a sorted list of command indices.
async fn stored_commands(db: &Db) -> Vec<usize> {
    let last = last_ticket_number(db.read()).await.unwrap();
    let mut out = Vec::new();
    for number in 1001..=last {
        if let Some(t) = ticket_by_number(db.read(), number).await.unwrap() {
            out.push(
                t.subject
                    .strip_prefix("command ")
                    .and_then(|n| n.parse().ok())
                    .expect("a command's ticket"),
            );
        }
    }
    out.sort_unstable();
    out
}

async fn assert_numbers_gap_free(db: &Db, count: usize) {
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM tickets").await, count as i64);
    assert_eq!(scalar(db, "SELECT COALESCE(MIN(number), 1001) FROM tickets").await, 1001);
    assert_eq!(
        scalar(db, "SELECT COALESCE(MAX(number), 1000) FROM tickets").await,
        1000 + count as i64
    );
    assert_eq!(
        last_ticket_number(db.read()).await.unwrap(),
        1000 + count as i64,
        "the counter matches the rows"
    );
}

async fn concurrent_writes_all_commit_with_gap_free_numbers(db: Db) {
    let cust = customer(&db, "Load", None).await.id;
    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let new = NewTicket {
                    subject: subject(i),
                    ..new_ticket(cust)
                };
                write_one(&db, move |tx| {
                    Box::pin(async move { insert_ticket(tx.exec(), &new, at(i as i64)).await })
                })
                .await
            })
        })
        .collect();
    let mut numbers: Vec<TicketNumber> = Vec::new();
    for task in tasks {
        numbers.push(task.await.expect("task").expect("acknowledged write").number);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1001..=1500).collect::<Vec<_>>(), "unique and gap-free");
    assert_numbers_gap_free(&db, 500).await;
    // An acknowledged write is readable at once (it committed before the answer).
    assert_eq!(ticket_by_number(db.read(), 1500).await.unwrap().map(|t| t.number), Some(1500));
}

async fn a_command_returning_err_is_rolled_back_alone(db: Db) {
    let cust = customer(&db, "Batch", None).await.id;
    let (release, holder) = hold_writer(&db).await;
    // Every third command inserts its ticket and then refuses: its row and its ticket
    // number must vanish, the others in the same transaction must commit.
    let tasks: Vec<_> = (0..300usize)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(move |tx| {
                    Box::pin(async move {
                        let t = insert_ticket(
                            tx.exec(),
                            &NewTicket {
                                subject: subject(i),
                                ..new_ticket(cust)
                            },
                            at(0),
                        )
                        .await?;
                        if i % 3 == 0 { Err(CommandError::Refused(i)) } else { Ok(t.number) }
                    })
                })
                .await
            })
        })
        .collect();
    let_them_queue().await;
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();

    let mut committed = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(number) => {
                assert_ne!(i % 3, 0);
                committed.push(number);
            }
            Err(CommandError::Refused(j)) => assert_eq!((i % 3, j), (0, i), "a refusing command gets its own error back"),
            Err(other) => panic!("command {i}: unexpected {other:?}"),
        }
    }
    assert_eq!(committed.len(), 200);
    assert_eq!(stored_commands(&db).await, (0..300).filter(|i| i % 3 != 0).collect::<Vec<_>>());
    // Rolled-back commands gave their numbers back, so the committed ones have no gaps.
    committed.sort_unstable();
    assert_eq!(committed, (1001..=1200).collect::<Vec<_>>());
    assert_numbers_gap_free(&db, 200).await;
}

async fn database_errors_in_a_batch_are_mapped_and_spare_the_others(db: Db) {
    let cust = customer(&db, "Taken", Some("taken@example.com")).await.id;
    let (release, holder) = hold_writer(&db).await;
    // After inserting its ticket, command i % 3 == 1 hits a unique violation and
    // i % 3 == 2 a foreign-key violation. On PostgreSQL a failed statement poisons the
    // whole transaction until its savepoint is rolled back, so this is where a writer
    // that forgot the savepoint would fail every neighbour.
    let tasks: Vec<_> = (0..90usize)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                write_one(&db, move |tx| {
                    Box::pin(async move {
                        let t = insert_ticket(
                            tx.exec(),
                            &NewTicket {
                                subject: subject(i),
                                ..new_ticket(cust)
                            },
                            at(0),
                        )
                        .await?;
                        match i % 3 {
                            1 => {
                                let dup = NewCustomer::contact("Dup".into(), Some(crate::support::email("taken@example.com")), None);
                                insert_customer(tx.exec(), &dup, at(0)).await?;
                            }
                            2 => {
                                insert_ticket(
                                    tx.exec(),
                                    &NewTicket {
                                        customer_id: 987_654,
                                        ..new_ticket(cust)
                                    },
                                    at(0),
                                )
                                .await?;
                            }
                            _ => {}
                        }
                        Ok(t.number)
                    })
                })
                .await
            })
        })
        .collect();
    let_them_queue().await;
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();

    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.unwrap();
        match i % 3 {
            0 => assert!(result.is_ok(), "command {i}: {result:?}"),
            1 => assert!(matches!(result, Err(StoreError::Conflict(_))), "command {i}: {result:?}"),
            _ => assert!(matches!(result, Err(StoreError::MissingReference(_))), "command {i}: {result:?}"),
        }
    }
    assert_eq!(stored_commands(&db).await, (0..90).step_by(3).collect::<Vec<_>>());
    assert_numbers_gap_free(&db, 30).await;
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM customers").await, 1);
}

async fn a_panicking_command_is_undone_and_the_writer_lives_on(db: Db) {
    let cust = customer(&db, "Panic", None).await.id;
    let (release, holder) = hold_writer(&db).await;
    let tasks: Vec<_> = (0..6usize)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                write_one(&db, move |tx| {
                    Box::pin(async move {
                        let t = insert_ticket(
                            tx.exec(),
                            &NewTicket {
                                subject: subject(i),
                                ..new_ticket(cust)
                            },
                            at(0),
                        )
                        .await?;
                        assert_ne!(i, 3, "command 3 panics on purpose (this message is expected in the output)");
                        Ok(t.number)
                    })
                })
                .await
            })
        })
        .collect();
    let_them_queue().await;
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();

    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.unwrap();
        if i == 3 {
            // Its answer channel went down with it: the caller hears the write was not done.
            assert!(matches!(result, Err(StoreError::WriterGone)), "{result:?}");
        } else {
            assert!(result.is_ok(), "command {i}: {result:?}");
        }
    }
    assert_eq!(stored_commands(&db).await, vec![0, 1, 2, 4, 5]);
    // And the writer still takes work.
    let later = write_one(&db, move |tx| {
        Box::pin(async move {
            insert_ticket(
                tx.exec(),
                &NewTicket {
                    subject: subject(6),
                    ..new_ticket(cust)
                },
                at(0),
            )
            .await
        })
    })
    .await
    .unwrap();
    assert_eq!(later.number, 1006);
    assert_numbers_gap_free(&db, 6).await;
}

/// On PostgreSQL, makes a transaction that inserts a team named `poison` fail at COMMIT
/// (not at the statement) through a deferred constraint trigger. SQLite needs no set-up:
/// see `poison_commit`.
async fn arm_commit_failure(db: &Db) {
    if db.is_postgres() {
        exec_sql(
            db,
            "CREATE FUNCTION kefu_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$; \
             CREATE CONSTRAINT TRIGGER refuse_poison AFTER INSERT ON teams DEFERRABLE INITIALLY DEFERRED \
             FOR EACH ROW WHEN (NEW.name = 'poison') EXECUTE FUNCTION kefu_test_refuse();",
        )
        .await;
    }
}

/// Inside a command: a change that succeeds now and makes the COMMIT fail later.
async fn poison_commit(tx: &mut Tx) -> Result<(), StoreError> {
    insert_team(tx.exec(), "poison", "", None, at(0)).await?;
    match tx.exec() {
        // The deferred trigger armed above fires at COMMIT.
        Exec::PgConn(_) => Ok(()),
        // A foreign key checked only at COMMIT (the pragma lasts for this transaction).
        Exec::SqliteConn(c) => {
            sqlx::raw_sql("PRAGMA defer_foreign_keys = ON").execute(&mut *c).await?;
            sqlx::raw_sql("INSERT INTO team_members (team_id, agent_id) VALUES ((SELECT MAX(id) FROM teams), 424242)")
                .execute(&mut *c)
                .await?;
            Ok(())
        }
        _ => unreachable!("a write transaction runs on a connection"),
    }
}

async fn a_failed_commit_fails_every_command_in_the_batch(db: Db) {
    let cust = customer(&db, "Commit", None).await.id;
    arm_commit_failure(&db).await;
    let (release, holder) = hold_writer(&db).await;
    let tasks: Vec<_> = (0..9usize)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(move |tx| {
                    Box::pin(async move {
                        let t = insert_ticket(
                            tx.exec(),
                            &NewTicket {
                                subject: subject(i),
                                ..new_ticket(cust)
                            },
                            at(0),
                        )
                        .await?;
                        match i {
                            4 => poison_commit(tx).await?,
                            7 => return Err(CommandError::Refused(i)),
                            _ => {}
                        }
                        Ok(t.number)
                    })
                })
                .await
            })
        })
        .collect();
    let_them_queue().await;
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();

    for (i, task) in tasks.into_iter().enumerate() {
        match (i, task.await.unwrap()) {
            // Its own refusal, whatever became of the transaction.
            (7, result) => assert!(matches!(result, Err(CommandError::Refused(7))), "{result:?}"),
            // Everyone else ran fine but must not be told "done".
            (_, result) => assert!(
                matches!(result, Err(CommandError::Store(StoreError::TransactionFailed(_)))),
                "command {i}: {result:?}"
            ),
        }
    }
    assert_eq!(stored_commands(&db).await, Vec::<usize>::new());
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM teams").await, 0);
    // The writer recovers, and the lost batch gave its ticket numbers back.
    let next = write_one(&db, move |tx| {
        Box::pin(async move { insert_ticket(tx.exec(), &new_ticket(cust), at(0)).await })
    })
    .await
    .unwrap();
    assert_eq!(next.number, 1001);
    assert_numbers_gap_free(&db, 1).await;
}

async fn uncommitted_changes_are_seen_inside_the_write_only(db: Db) {
    let cust = customer(&db, "Iso", None).await.id;
    let (inserted_tx, inserted) = oneshot::channel();
    let (release, gate) = oneshot::channel::<()>();
    let writer = {
        let db = db.clone();
        tokio::spawn(async move {
            write_one(&db, move |tx| {
                Box::pin(async move {
                    let t = insert_ticket(tx.exec(), &new_ticket(cust), at(0)).await?;
                    // The command reads its own change through the transaction...
                    let seen = ticket_by_number(tx.exec(), t.number).await?;
                    let _ = inserted_tx.send(seen.map(|s| s.number));
                    let _ = gate.await;
                    Ok(t.number)
                })
            })
            .await
        })
    };
    let seen_inside = inserted.await.unwrap();
    assert_eq!(seen_inside, Some(1001));
    // ...while readers outside see only committed data.
    assert_eq!(ticket_by_number(db.read(), 1001).await.unwrap(), None);
    assert_eq!(last_ticket_number(db.read()).await.unwrap(), 1000);
    release.send(()).unwrap();
    assert_eq!(writer.await.unwrap().unwrap(), 1001);
    assert!(ticket_by_number(db.read(), 1001).await.unwrap().is_some());
}

backend_tests!(a_command_that_recovers_from_a_failed_statement_spares_its_batch);

/// A command may meet a `Conflict` and carry on ("insert, or keep the existing one").
/// On SQLite a failed statement leaves the transaction usable. On PostgreSQL it aborts
/// the transaction until a rollback to savepoint, so the writer's `RELEASE SAVEPOINT`
/// fails; the writer then rolls that command back alone and refuses it. The contract
/// checked here is the backend-neutral minimum: the neighbours commit, and the
/// recovering command is not told "done" unless its change is stored.
async fn a_command_that_recovers_from_a_failed_statement_spares_its_batch(db: Db) {
    let cust = customer(&db, "Taken", Some("taken@example.com")).await.id;
    let (release, holder) = hold_writer(&db).await;
    let tasks: Vec<_> = (0..6usize)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                write_one(&db, move |tx| {
                    Box::pin(async move {
                        let t = insert_ticket(
                            tx.exec(),
                            &NewTicket {
                                subject: subject(i),
                                ..new_ticket(cust)
                            },
                            at(0),
                        )
                        .await?;
                        if i == 2 {
                            let dup = NewCustomer::contact("Dup".into(), Some(crate::support::email("taken@example.com")), None);
                            let result = insert_customer(tx.exec(), &dup, at(0)).await;
                            assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
                            // Handled: the existing customer will do.
                        }
                        Ok(t.number)
                    })
                })
                .await
            })
        })
        .collect();
    let_them_queue().await;
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();

    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    let stored = stored_commands(&db).await;
    for (i, result) in results.iter().enumerate() {
        if i != 2 {
            assert!(result.is_ok(), "neighbour {i} of the recovering command: {result:?}");
        }
        assert_eq!(
            result.is_ok(),
            stored.contains(&i),
            "command {i}: answered {result:?}, stored {stored:?}"
        );
    }
}
