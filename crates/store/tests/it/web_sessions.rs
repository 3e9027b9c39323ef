//! Web UI sessions: found by token hash while unexpired, listed per agent, touched,
//! ended one at a time, per agent, or when expired.

use crate::support::{agent, at, write_one};
use kefu_domain::entities::Id;
use kefu_store::Db;
use kefu_store::web_sessions::{
    NewWebSession, delete_expired_sessions, delete_session_by_token, delete_session_of, delete_sessions_of_agent, insert_session,
    session_by_token, sessions_of, touch_session,
};

backend_tests!(
    sessions_insert_find_touch_and_expire,
    sessions_end_one_by_one_or_all_but_one,
    token_hash_is_unique,
);

async fn open(db: &Db, hash: &'static str, agent_id: Id, created_ms: i64, expires_ms: i64) -> Id {
    write_one(db, move |tx| {
        Box::pin(async move {
            let new = NewWebSession {
                token_hash: hash,
                agent_id,
                csrf_token: "csrf-token",
                user_agent: "Firefox 浏览器",
                address: "127.0.0.1",
                expires_at: at(expires_ms),
            };
            insert_session(tx.exec(), &new, at(created_ms)).await
        })
    })
    .await
    .expect("insert session")
}

async fn sessions_insert_find_touch_and_expire(db: Db) {
    let alice = agent(&db, "alice@example.com").await;
    let id = open(&db, "hash-a", alice, 0, 10_000).await;

    let found = session_by_token(db.read(), "hash-a", at(5_000))
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(found.id, id);
    assert_eq!(found.agent_id, alice);
    assert_eq!(found.csrf_token, "csrf-token");
    assert_eq!(found.user_agent, "Firefox 浏览器");
    assert_eq!((found.created_at, found.last_seen_at, found.expires_at), (at(0), at(0), at(10_000)));
    assert!(session_by_token(db.read(), "hash-b", at(5_000)).await.unwrap().is_none());
    assert!(
        session_by_token(db.read(), "hash-a", at(10_000)).await.unwrap().is_none(),
        "expired at its end"
    );

    write_one(&db, move |tx| {
        Box::pin(async move { touch_session(tx.exec(), id, at(9_000), at(20_000)).await })
    })
    .await
    .unwrap();
    let touched = session_by_token(db.read(), "hash-a", at(15_000))
        .await
        .unwrap()
        .expect("moved forward");
    assert_eq!((touched.last_seen_at, touched.expires_at), (at(9_000), at(20_000)));

    open(&db, "hash-old", alice, 0, 1_000).await;
    let listed: Vec<Id> = sessions_of(db.read(), alice, at(5_000))
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, vec![id], "expired sessions are not listed");
    let purged = write_one(&db, |tx| {
        Box::pin(async move { delete_expired_sessions(tx.exec(), at(5_000)).await })
    })
    .await
    .unwrap();
    assert_eq!(purged, 1);
}

async fn sessions_end_one_by_one_or_all_but_one(db: Db) {
    let alice = agent(&db, "alice@example.com").await;
    let bob = agent(&db, "bob@example.com").await;
    let first = open(&db, "a1", alice, 0, 10_000).await;
    let second = open(&db, "a2", alice, 1, 10_000).await;
    let third = open(&db, "a3", alice, 2, 10_000).await;
    let bobs = open(&db, "b1", bob, 0, 10_000).await;
    let ids = |agent_id| {
        let db = db.clone();
        async move {
            sessions_of(db.read(), agent_id, at(0))
                .await
                .unwrap()
                .iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(alice).await, vec![third, second, first], "newest first");

    let ended = write_one(&db, move |tx| {
        Box::pin(async move { delete_session_of(tx.exec(), alice, bobs).await })
    })
    .await
    .unwrap();
    assert!(!ended, "nobody ends another agent's session");
    let ended = write_one(&db, move |tx| {
        Box::pin(async move { delete_session_of(tx.exec(), alice, second).await })
    })
    .await
    .unwrap();
    assert!(ended);
    let ended = write_one(&db, |tx| Box::pin(async move { delete_session_by_token(tx.exec(), "a3").await }))
        .await
        .unwrap();
    assert!(ended);
    assert_eq!(ids(alice).await, vec![first]);

    open(&db, "a4", alice, 3, 10_000).await;
    let removed = write_one(&db, move |tx| {
        Box::pin(async move { delete_sessions_of_agent(tx.exec(), alice, Some(first)).await })
    })
    .await
    .unwrap();
    assert_eq!(removed, 1);
    assert_eq!(ids(alice).await, vec![first]);
    assert_eq!(ids(bob).await, vec![bobs], "other agents keep theirs");
}

async fn token_hash_is_unique(db: Db) {
    let alice = agent(&db, "alice@example.com").await;
    open(&db, "same", alice, 0, 10_000).await;
    let again = write_one(&db, move |tx| {
        Box::pin(async move {
            let new = NewWebSession {
                token_hash: "same",
                agent_id: alice,
                csrf_token: "x",
                user_agent: "",
                address: "",
                expires_at: at(1),
            };
            insert_session(tx.exec(), &new, at(0)).await
        })
    })
    .await;
    assert!(matches!(again, Err(kefu_store::StoreError::Conflict(_))), "{again:?}");
}
