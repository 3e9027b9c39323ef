//! The category tree: seeded from the domain's taxonomy, extended and renamed by admins.

use crate::backend::{Exec, exec};
use crate::error::StoreResult;
use crate::writer::Tx;
use kefu_domain::category::{Category, SEED, parent_code};

/// Inserts the seeded categories that are missing; leaves edited ones alone.
pub(crate) async fn seed(tx: &mut Tx) -> StoreResult<()> {
    for (position, cat) in SEED.iter().enumerate() {
        exec!(tx.exec(), e => sqlx::query(
            "INSERT INTO categories (code, parent_code, name_zh, name_en, position) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (code) DO NOTHING")
            .bind(cat.code)
            .bind(parent_code(cat.code))
            .bind(cat.name_zh)
            .bind(cat.name_en)
            .bind(position as i64)
            .execute(e).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CategoryRow {
    code: String,
    parent_code: Option<String>,
    name_zh: String,
    name_en: String,
    active: bool,
}

impl From<CategoryRow> for Category {
    fn from(row: CategoryRow) -> Self {
        Category {
            code: row.code,
            parent_code: row.parent_code,
            name_zh: row.name_zh,
            name_en: row.name_en,
            active: row.active,
        }
    }
}

/// Whether a ticket may be filed under `code`: it exists and is not retired.
pub async fn category_exists(ex: Exec<'_>, code: &str) -> StoreResult<bool> {
    let found: Option<(String,)> = exec!(ex, e => sqlx::query_as("SELECT code FROM categories WHERE code = $1 AND active")
        .bind(code).fetch_optional(e).await)?;
    Ok(found.is_some())
}

/// Every category, retired ones included, siblings in their stored order.
pub async fn list_categories(ex: Exec<'_>) -> StoreResult<Vec<Category>> {
    let rows = exec!(ex, e => sqlx::query_as::<_, CategoryRow>(
        "SELECT code, parent_code, name_zh, name_en, active FROM categories ORDER BY position, code").fetch_all(e).await)?;
    Ok(rows.into_iter().map(Category::from).collect())
}

pub async fn category_by_code(ex: Exec<'_>, code: &str) -> StoreResult<Option<Category>> {
    let row = exec!(ex, e => sqlx::query_as::<_, CategoryRow>(
        "SELECT code, parent_code, name_zh, name_en, active FROM categories WHERE code = $1").bind(code).fetch_optional(e).await)?;
    Ok(row.map(Category::from))
}

/// Adds a category after every other one (so it comes last among its siblings).
pub async fn insert_category(ex: Exec<'_>, category: &Category) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO categories (code, parent_code, name_zh, name_en, active, position) \
         VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(position), 0) + 1 FROM categories))")
        .bind(&category.code)
        .bind(&category.parent_code)
        .bind(&category.name_zh)
        .bind(&category.name_en)
        .bind(category.active)
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Renames a category and retires or restores it (its code stays).
pub async fn update_category(ex: Exec<'_>, category: &Category) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("UPDATE categories SET name_zh = $2, name_en = $3, active = $4 WHERE code = $1")
        .bind(&category.code)
        .bind(&category.name_zh)
        .bind(&category.name_en)
        .bind(category.active)
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Retires every category below `code` (a retired branch has no choosable leaves).
/// Compared by prefix with `substr`, not `LIKE`: `_` in a code is a LIKE wildcard.
pub async fn retire_below(ex: Exec<'_>, code: &str) -> StoreResult<u64> {
    let prefix = format!("{code}.");
    Ok(exec!(ex, e => sqlx::query(
        "UPDATE categories SET active = FALSE WHERE active AND substr(code, 1, length($1)) = $1")
        .bind(&prefix)
        .execute(e).await.map(|r| r.rows_affected()))?)
}
