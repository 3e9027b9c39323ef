//! The knowledge base: categories, articles with their versions, feedback, and the
//! searches that found nothing.

use crate::backend::{Exec, exec, exec_built};
use crate::convert::{json_list, ms, opt_ts, to_json, ts, wire};
use crate::error::{StoreResult, corrupt};
use jiff::Timestamp;
use kefu_domain::entities::Id;
use kefu_domain::knowledge::{Article, ArticleStatus, ArticleVersion, KbCategory, Locale};
use sea_query::{Expr, ExprTrait, Order, Query};

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    parent_id: Option<i64>,
    path: String,
    name_zh: String,
    name_en: String,
    position: i64,
}

/// Adds the category at `path`, or renames it; returns its id.
pub async fn upsert_category(
    ex: Exec<'_>,
    path: &str,
    parent_id: Option<Id>,
    name_zh: &str,
    name_en: &str,
    position: i64,
) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO kb_categories (path, parent_id, name_zh, name_en, position) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (path) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, position = excluded.position \
         RETURNING id")
        .bind(path).bind(parent_id).bind(name_zh).bind(name_en).bind(position).fetch_one(e).await)?;
    Ok(id)
}

/// Every category, parents before children.
pub async fn categories(ex: Exec<'_>) -> StoreResult<Vec<KbCategory>> {
    let rows: Vec<CategoryRow> = exec!(ex, e => sqlx::query_as(
        "SELECT id, parent_id, path, name_zh, name_en, position FROM kb_categories ORDER BY path").fetch_all(e).await)?;
    Ok(rows
        .into_iter()
        .map(|r| KbCategory {
            id: r.id,
            parent_id: r.parent_id,
            path: r.path,
            name_zh: r.name_zh,
            name_en: r.name_en,
            position: r.position,
        })
        .collect())
}

const COLUMNS: &str = "id, slug, locale, COALESCE(translation_group, id) AS translation_group, category_id, title, body, tags, \
     product, status, internal, owner_id, review_on, version, views, helpful, not_helpful, uses, created_at, updated_at, published_at, change_no";

#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    slug: String,
    locale: String,
    translation_group: i64,
    category_id: Option<i64>,
    title: String,
    body: String,
    tags: String,
    product: Option<String>,
    status: String,
    internal: bool,
    owner_id: Option<i64>,
    review_on: Option<String>,
    version: i64,
    views: i64,
    helpful: i64,
    not_helpful: i64,
    uses: i64,
    created_at: i64,
    updated_at: i64,
    published_at: Option<i64>,
    /// The number of the article's last write (see [`articles_changed_since`]).
    change_no: i64,
}

impl ArticleRow {
    fn into_domain(self) -> StoreResult<Article> {
        let review_on = match self.review_on {
            Some(text) => Some(text.parse().map_err(|_| corrupt("date", &text))?),
            None => None,
        };
        Ok(Article {
            id: self.id,
            slug: self.slug,
            locale: wire(Locale::parse, "locale", &self.locale)?,
            translation_group: self.translation_group,
            category_id: self.category_id,
            title: self.title,
            body: self.body,
            tags: json_list(&self.tags)?,
            product: self.product,
            status: wire(ArticleStatus::parse, "article status", &self.status)?,
            internal: self.internal,
            owner_id: self.owner_id,
            review_on,
            version: self.version,
            views: self.views,
            helpful: self.helpful,
            not_helpful: self.not_helpful,
            uses: self.uses,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
            published_at: opt_ts(self.published_at)?,
        })
    }
}

/// Stores a new article (its `id` and counters are ignored) and returns the id; its
/// first version is kept with [`insert_version`]. A taken slug in the locale is a
/// conflict.
pub async fn insert_article(ex: Exec<'_>, article: &Article) -> StoreResult<Id> {
    let group = (article.translation_group != 0).then_some(article.translation_group);
    let change = next_change_no(&ex);
    let id: i64 = exec!(ex, e => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "INSERT INTO kb_articles (slug, locale, translation_group, category_id, title, body, tags, product, status, internal, \
         owner_id, review_on, version, created_at, updated_at, published_at, change_no) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13, $14, {change}) RETURNING id")))
        .bind(&article.slug)
        .bind(article.locale.as_str())
        .bind(group)
        .bind(article.category_id)
        .bind(&article.title)
        .bind(&article.body)
        .bind(to_json(&article.tags))
        .bind(article.product.as_deref())
        .bind(article.status.as_str())
        .bind(article.internal)
        .bind(article.owner_id)
        .bind(article.review_on.map(|d| d.to_string()))
        .bind(ms(article.created_at))
        .bind(article.published_at.map(ms))
        .fetch_one(e).await)?;
    Ok(id)
}

/// Writes every editable field of `article` back; false when there is no such article.
/// A changed text is kept with [`insert_version`] in the same transaction.
pub async fn save_article(ex: Exec<'_>, article: &Article) -> StoreResult<bool> {
    let change = next_change_no(&ex);
    let changed = exec!(ex, e => sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE kb_articles SET slug = $2, translation_group = $3, category_id = $4, title = $5, body = $6, tags = $7, \
         product = $8, status = $9, internal = $10, owner_id = $11, review_on = $12, version = $13, updated_at = $14, \
         published_at = $15, change_no = {change} WHERE id = $1")))
        .bind(article.id)
        .bind(&article.slug)
        .bind((article.translation_group != article.id).then_some(article.translation_group))
        .bind(article.category_id)
        .bind(&article.title)
        .bind(&article.body)
        .bind(to_json(&article.tags))
        .bind(article.product.as_deref())
        .bind(article.status.as_str())
        .bind(article.internal)
        .bind(article.owner_id)
        .bind(article.review_on.map(|d| d.to_string()))
        .bind(article.version)
        .bind(ms(article.updated_at))
        .bind(article.published_at.map(ms))
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

/// Keeps `article`'s text as its version `version`.
pub async fn insert_version(ex: Exec<'_>, id: Id, version: i64, article: &Article, edited_by: Option<Id>) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO kb_article_versions (article_id, version, title, body, tags, edited_by, edited_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id).bind(version).bind(&article.title).bind(&article.body).bind(to_json(&article.tags)).bind(edited_by)
        .bind(ms(article.updated_at)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn article_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<Article>> {
    let row: Option<ArticleRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM kb_articles WHERE id = $1")))
        .bind(id).fetch_optional(e).await)?;
    row.map(ArticleRow::into_domain).transpose()
}

pub async fn article_by_slug(ex: Exec<'_>, locale: Locale, slug: &str) -> StoreResult<Option<Article>> {
    let row: Option<ArticleRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM kb_articles WHERE locale = $1 AND slug = $2")))
        .bind(locale.as_str()).bind(slug).fetch_optional(e).await)?;
    row.map(ArticleRow::into_domain).transpose()
}

/// Which articles a list shows; all filters optional.
#[derive(Debug, Clone, Default)]
pub struct ArticleQuery {
    pub status: Option<ArticleStatus>,
    pub locale: Option<Locale>,
    pub category_id: Option<Id>,
    pub owner_id: Option<Id>,
    /// Only those due for review on or before this date.
    pub review_due: Option<jiff::civil::Date>,
    pub translation_group: Option<Id>,
    pub public_only: bool,
    pub after_id: Option<Id>,
    pub limit: u64,
}

/// Articles by id.
pub async fn list_articles(ex: Exec<'_>, query: &ArticleQuery) -> StoreResult<Vec<Article>> {
    let mut select = Query::select();
    select.expr(Expr::cust(COLUMNS)).from("kb_articles");
    if let Some(status) = query.status {
        select.and_where(Expr::col("status").eq(status.as_str()));
    }
    if let Some(locale) = query.locale {
        select.and_where(Expr::col("locale").eq(locale.as_str()));
    }
    if let Some(category) = query.category_id {
        select.and_where(Expr::col("category_id").eq(category));
    }
    if let Some(owner) = query.owner_id {
        select.and_where(Expr::col("owner_id").eq(owner));
    }
    if let Some(date) = query.review_due {
        select.and_where(Expr::col("review_on").lte(date.to_string()));
    }
    if let Some(group) = query.translation_group {
        select.and_where(Expr::cust(format!("COALESCE(translation_group, id) = {group}")));
    }
    if query.public_only {
        select.and_where(Expr::col("status").eq(ArticleStatus::Published.as_str()));
        select.and_where(Expr::col("internal").eq(false));
    }
    if let Some(after) = query.after_id {
        select.and_where(Expr::col("id").gt(after));
    }
    select.order_by("id", Order::Asc).limit(query.limit);
    let rows: Vec<ArticleRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(ArticleRow::into_domain).collect()
}

/// Articles whose last write is numbered after `after_change`, with that number, in its
/// order: what the search index has not seen yet.
pub async fn articles_changed_since(ex: Exec<'_>, after_change: Id, limit: u32) -> StoreResult<Vec<(Id, Article)>> {
    let rows: Vec<ArticleRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM kb_articles WHERE change_no > $1 ORDER BY change_no LIMIT $2")))
        .bind(after_change).bind(i64::from(limit)).fetch_all(e).await)?;
    rows.into_iter().map(|row| Ok((row.change_no, row.into_domain()?))).collect()
}

/// The SQL of the next change number of an article, taken inside the writing
/// transaction: SQLite's single writer commits them in order; PostgreSQL's sequence is
/// followed like ticket events (a smaller number may commit after a larger one).
fn next_change_no(ex: &Exec<'_>) -> &'static str {
    if ex.is_postgres() {
        "nextval('kb_article_changes')"
    } else {
        "(SELECT COALESCE(MAX(change_no), 0) + 1 FROM kb_articles)"
    }
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    article_id: i64,
    version: i64,
    title: String,
    body: String,
    tags: String,
    edited_by: Option<i64>,
    edited_at: i64,
}

/// An article's versions, newest first.
pub async fn versions(ex: Exec<'_>, article_id: Id) -> StoreResult<Vec<ArticleVersion>> {
    let rows: Vec<VersionRow> = exec!(ex, e => sqlx::query_as(
        "SELECT article_id, version, title, body, tags, edited_by, edited_at FROM kb_article_versions \
         WHERE article_id = $1 ORDER BY version DESC").bind(article_id).fetch_all(e).await)?;
    rows.into_iter()
        .map(|r| {
            Ok(ArticleVersion {
                article_id: r.article_id,
                version: r.version,
                title: r.title,
                body: r.body,
                tags: json_list(&r.tags)?,
                edited_by: r.edited_by,
                edited_at: ts(r.edited_at)?,
            })
        })
        .collect()
}

/// Records a "did this help?" answer (the article's counter moves with [`count`]).
pub async fn insert_feedback(ex: Exec<'_>, article_id: Id, helpful: bool, reason: Option<&str>, now: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("INSERT INTO kb_feedback (article_id, helpful, reason, created_at) VALUES ($1, $2, $3, $4)")
        .bind(article_id).bind(helpful).bind(reason).bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves one of an article's counters by one; false when there is no such article.
pub async fn count(ex: Exec<'_>, article_id: Id, what: ArticleCounter) -> StoreResult<bool> {
    let column = match what {
        ArticleCounter::View => "views",
        ArticleCounter::Use => "uses",
        ArticleCounter::Helpful => "helpful",
        ArticleCounter::NotHelpful => "not_helpful",
    };
    let changed = exec!(ex, e => sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE kb_articles SET {column} = {column} + 1 WHERE id = $1"))).bind(article_id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

#[derive(Debug, Clone, Copy)]
pub enum ArticleCounter {
    /// Read in the help center or the workspace.
    View,
    /// Inserted into a reply.
    Use,
    Helpful,
    NotHelpful,
}

/// Remembers a search that found nothing (`scope`: who searched, e.g. `help`).
pub async fn record_search_miss(ex: Exec<'_>, scope: &str, query: &str, now: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO search_misses (scope, query, count, last_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (scope, query) DO UPDATE SET count = search_misses.count + 1, last_at = excluded.last_at")
        .bind(scope).bind(query).bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The most frequent searches that found nothing, with their counts and last time.
pub async fn search_misses(ex: Exec<'_>, scope: &str, limit: u32) -> StoreResult<Vec<(String, i64, Timestamp)>> {
    let rows: Vec<(String, i64, i64)> = exec!(ex, e => sqlx::query_as(
        "SELECT query, count, last_at FROM search_misses WHERE scope = $1 ORDER BY count DESC, last_at DESC LIMIT $2")
        .bind(scope).bind(i64::from(limit)).fetch_all(e).await)?;
    rows.into_iter().map(|(q, n, at)| Ok((q, n, ts(at)?))).collect()
}
