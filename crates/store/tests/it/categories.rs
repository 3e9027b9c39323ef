//! The category tree: seeded on open from the domain's taxonomy, read back in order.

use crate::support::{add_category, scalar};
use kefu_domain::category::{SEED, parent_code};
use kefu_store::categories::{category_exists, list_categories};
use kefu_store::{Db, Location};

backend_tests!(
    seed_matches_the_domain_taxonomy_in_order,
    category_exists_knows_seeded_and_added_codes
);
backend_tests!(with_location: reopening_does_not_seed_twice_or_undo_edits);

async fn seed_matches_the_domain_taxonomy_in_order(db: Db) {
    let stored = list_categories(db.read()).await.unwrap();
    let codes: Vec<&str> = stored.iter().map(|c| c.code.as_str()).collect();
    let seeded: Vec<&str> = SEED.iter().map(|c| c.code).collect();
    // Listed by seed position, not alphabetically: the UI shows the tree as authored.
    assert_eq!(codes, seeded);
    for (record, seed) in stored.iter().zip(SEED) {
        assert_eq!(record.parent_code.as_deref(), parent_code(seed.code), "{}", seed.code);
        assert_eq!(record.name_zh, seed.name_zh);
        assert_eq!(record.name_en, seed.name_en);
    }
}

async fn category_exists_knows_seeded_and_added_codes(db: Db) {
    assert!(category_exists(db.read(), "complaint.attitude.promise_not_kept").await.unwrap());
    assert!(category_exists(db.read(), "complaint").await.unwrap());
    assert!(!category_exists(db.read(), "complaint.nonexistent").await.unwrap());
    // Exact match only: a prefix or a LIKE pattern is not a code.
    assert!(!category_exists(db.read(), "complain").await.unwrap());
    assert!(!category_exists(db.read(), "complaint%").await.unwrap());

    add_category(&db, "complaint.billing_error").await;
    assert!(category_exists(db.read(), "complaint.billing_error").await.unwrap());
    // Raw inserts take the default position 0, so where it sorts is not the point here.
    assert!(
        list_categories(db.read())
            .await
            .unwrap()
            .iter()
            .any(|c| c.code == "complaint.billing_error")
    );
}

async fn reopening_does_not_seed_twice_or_undo_edits(db: Db, location: Location) {
    crate::support::exec_sql(&db, "UPDATE categories SET name_en = 'Grievance' WHERE code = 'complaint'").await;
    db.close().await;

    let db = Db::open(&location).await.expect("reopen");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM categories").await, SEED.len() as i64);
    let root = list_categories(db.read())
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "complaint")
        .unwrap();
    assert_eq!(root.name_en, "Grievance", "seeding leaves edited categories alone");
    db.close().await;
}
