//! The mail outbox (leased once, sent, retried, given up) and customers' sign-in links
//! and sessions (used once, until they expire).

use crate::support::{at, customer, write_one};
use kefu_store::Db;
use kefu_store::customer_sessions::{
    customer_of_session, delete_customer_session, insert_customer_session, insert_sign_in_link, purge_expired_customer_sessions,
    purge_expired_sign_in_links, sign_in_link_usable, use_sign_in_link,
};
use kefu_store::mail_outbox::{lease_due_mail, mark_mail_failed, mark_mail_sent, pending_mail, queue_mail};

backend_tests!(
    mail_is_leased_once_then_sent_retried_or_given_up,
    sign_in_links_work_once_and_sessions_until_they_expire,
);

async fn mail_is_leased_once_then_sent_retried_or_given_up(db: Db) {
    for (to, subject) in [("a@example.com", "一"), ("b@example.com", "二"), ("c@example.com", "三")] {
        write_one(&db, move |tx| {
            Box::pin(async move { queue_mail(tx.exec(), to, subject, "正文 body", at(0)).await })
        })
        .await
        .expect("queue");
    }
    assert_eq!(pending_mail(db.read()).await.unwrap(), 3);
    let lease = |now: i64, limit: i64| {
        let db = db.clone();
        async move {
            write_one(&db, move |tx| {
                Box::pin(async move { lease_due_mail(tx.exec(), at(now), at(now + 60_000), limit).await })
            })
            .await
            .expect("lease")
        }
    };
    let first = lease(1_000, 2).await;
    assert_eq!(first.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["一", "二"]);
    assert!(first.iter().all(|m| m.attempts == 1 && m.body == "正文 body"));
    // Leased mail is nobody else's until the lease runs out.
    let second = lease(2_000, 10).await;
    assert_eq!(second.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["三"]);
    assert!(lease(3_000, 10).await.is_empty());

    let (sent, retried, given_up) = (first[0].id, first[1].id, second[0].id);
    write_one(&db, move |tx| {
        Box::pin(async move {
            mark_mail_sent(tx.exec(), sent, at(4_000)).await?;
            mark_mail_failed(tx.exec(), retried, "421 busy", Some(at(100_000)), at(4_000)).await?;
            mark_mail_failed(tx.exec(), given_up, "550 no such user", None, at(4_000)).await
        })
    })
    .await
    .expect("outcomes");
    assert_eq!(pending_mail(db.read()).await.unwrap(), 1, "only the retry waits");
    assert!(lease(99_000, 10).await.is_empty(), "not before its next attempt");
    let again = lease(100_000, 10).await;
    assert_eq!((again.len(), again[0].id, again[0].attempts), (1, retried, 2));
    // A sender that died with a lease: the mail is leased again once the lease ran out.
    assert!(lease(159_999, 10).await.is_empty());
    let orphaned = lease(160_001, 10).await;
    assert_eq!((orphaned.len(), orphaned[0].id, orphaned[0].attempts), (1, retried, 3));
}

async fn sign_in_links_work_once_and_sessions_until_they_expire(db: Db) {
    let zhou = customer(&db, "周敏", Some("zhou@example.com")).await.id;
    write_one(&db, move |tx| {
        Box::pin(async move {
            insert_sign_in_link(tx.exec(), "link-a", zhou, "zhou@example.com", at(0), at(10_000)).await?;
            insert_sign_in_link(tx.exec(), "link-b", zhou, "zhou@example.com", at(0), at(10_000)).await
        })
    })
    .await
    .expect("links");
    assert!(sign_in_link_usable(db.read(), "link-a", at(5_000)).await.unwrap());
    assert!(!sign_in_link_usable(db.read(), "link-a", at(10_000)).await.unwrap(), "expired");
    let used = |hash: &'static str, when: i64| {
        let db = db.clone();
        async move {
            write_one(&db, move |tx| {
                Box::pin(async move { use_sign_in_link(tx.exec(), hash, at(when)).await })
            })
            .await
            .expect("use")
        }
    };
    assert_eq!(used("link-a", 5_000).await, Some((zhou, "zhou@example.com".to_owned())));
    assert_eq!(used("link-a", 6_000).await, None, "once");
    assert_eq!(used("link-b", 10_000).await, None, "not after it expired");
    assert_eq!(used("link-c", 1_000).await, None, "unknown");

    write_one(&db, move |tx| {
        Box::pin(async move { insert_customer_session(tx.exec(), "session-a", zhou, "zhou@example.com", at(0), at(20_000)).await })
    })
    .await
    .expect("session");
    assert_eq!(
        customer_of_session(db.read(), "session-a", at(19_999)).await.unwrap(),
        Some((zhou, "zhou@example.com".to_owned()))
    );
    assert_eq!(customer_of_session(db.read(), "session-a", at(20_000)).await.unwrap(), None);
    let purged = write_one(&db, move |tx| {
        Box::pin(async move {
            let sessions = purge_expired_customer_sessions(tx.exec(), at(15_000)).await?;
            let links = purge_expired_sign_in_links(tx.exec(), at(15_000)).await?;
            Ok((sessions, links))
        })
    })
    .await
    .expect("purge");
    assert_eq!(purged, (0, 2), "both links expired, the session has not");
    write_one(&db, move |tx| {
        Box::pin(async move { delete_customer_session(tx.exec(), "session-a").await })
    })
    .await
    .expect("end");
    assert_eq!(customer_of_session(db.read(), "session-a", at(1_000)).await.unwrap(), None);
}
