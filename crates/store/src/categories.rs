//! The category tree: seeded from the domain's taxonomy, read by code.

use crate::backend::{Exec, exec};
use crate::error::StoreResult;
use crate::writer::Tx;
use kefu_domain::category::{SEED, parent_code};

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

/// A category as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CategoryRecord {
    pub code: String,
    pub parent_code: Option<String>,
    pub name_zh: String,
    pub name_en: String,
}

pub async fn category_exists(ex: Exec<'_>, code: &str) -> StoreResult<bool> {
    let found: Option<(String,)> =
        exec!(ex, e => sqlx::query_as("SELECT code FROM categories WHERE code = $1").bind(code).fetch_optional(e).await)?;
    Ok(found.is_some())
}

pub async fn list_categories(ex: Exec<'_>) -> StoreResult<Vec<CategoryRecord>> {
    Ok(exec!(ex, e => sqlx::query_as::<_, CategoryRecord>(
        "SELECT code, parent_code, name_zh, name_en FROM categories ORDER BY position, code").fetch_all(e).await)?)
}
