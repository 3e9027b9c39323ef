//! Knowledge articles as the search feeder follows them: by the number of their last
//! write, in the order the writes committed, whatever instant each write was stamped with.

use crate::support::write_one;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::entities::Id;
use kefu_domain::knowledge::{Article, Locale};
use kefu_store::Db;
use kefu_store::knowledge::{article_by_id, articles_changed_since, insert_article, save_article};

backend_tests!(an_edit_stamped_earlier_but_committed_later_is_found_after_the_feeders_position);

async fn insert(db: &Db, slug: &str, at: Timestamp) -> Id {
    let article = Article {
        slug: slug.into(),
        title: slug.into(),
        body: "正文".into(),
        ..Article::draft(Locale::ZhCn, None, at)
    };
    write_one(db, move |tx| Box::pin(async move { insert_article(tx.exec(), &article).await }))
        .await
        .unwrap()
}

async fn save(db: &Db, id: Id, title: &str, at: Timestamp) {
    let mut article = article_by_id(db.read(), id).await.unwrap().unwrap();
    article.title = title.into();
    article.updated_at = at;
    assert!(
        write_one(db, move |tx| Box::pin(async move { save_article(tx.exec(), &article).await }))
            .await
            .unwrap()
    );
}

/// The changes after `after`, as (article id, title) in the order read.
async fn changed_after(db: &Db, after: Id) -> Vec<(Id, Id, String)> {
    articles_changed_since(db.read(), after, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|(change, a)| (change, a.id, a.title))
        .collect()
}

async fn an_edit_stamped_earlier_but_committed_later_is_found_after_the_feeders_position(db: Db) {
    let t = Timestamp::from_second(1_800_000_000).unwrap();
    let a = insert(&db, "a", t).await;
    let b = insert(&db, "b", t).await;
    let both = changed_after(&db, 0).await;
    assert_eq!(both.iter().map(|c| c.1).collect::<Vec<_>>(), [a, b], "in the order written");
    // Two editors: one's edit of `a` is stamped at t+5 s but waits for the writer while
    // the other's edit of `b`, stamped at t+10 s, commits first; the feeder reads then.
    save(&db, b, "b2", t + SignedDuration::from_secs(10)).await;
    let read = changed_after(&db, both[1].0).await;
    assert_eq!(read.iter().map(|c| (c.1, c.2.as_str())).collect::<Vec<_>>(), [(b, "b2")]);
    save(&db, a, "a2", t + SignedDuration::from_secs(5)).await;
    // From the position after `b2`, the later commit is still ahead (by the instants it
    // was stamped with, `a2` is behind `b2` and would have been skipped).
    let after_b2 = read[0].0;
    let read = changed_after(&db, after_b2).await;
    assert_eq!(read.iter().map(|c| (c.1, c.2.as_str())).collect::<Vec<_>>(), [(a, "a2")]);
    assert!(read[0].0 > after_b2);
    assert!(
        changed_after(&db, read[0].0).await.is_empty(),
        "each article once, at its last change"
    );
}
