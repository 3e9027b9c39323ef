//! The knowledge base's use cases: authors (any agent) write drafts and ask for review;
//! reviewers (supervisors and admins) publish, send back and archive. Every text change
//! is kept as a version that can be restored. Customers read only published, public
//! articles, and their feedback is counted.

use crate::error::{AppError, AppResult};
use crate::{Actor, App, now};
use kefu_domain::entities::Id;
use kefu_domain::knowledge::{
    self as kb, Article, ArticleStatus, ArticleVersion, KbCategory, Locale, MoveBy, parse_slug, slug_from_title, status_move,
};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::knowledge::{self as store, ArticleCounter, ArticleQuery};
use serde::Deserialize;
use utoipa::ToSchema;

const MAX_TAGS: usize = 20;
const MAX_TAG: usize = 40;
const MAX_REASON: usize = 500;

/// An article to create, or the fields to change (absent fields stay as they are).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ArticleInput {
    /// Address part, unique per locale; made from the title when absent.
    pub slug: Option<String>,
    /// `zh-CN` or `en` (required to create).
    pub locale: Option<String>,
    pub title: Option<String>,
    /// Markdown.
    pub body: Option<String>,
    /// Category path, e.g. `after-sales/returns`; empty for none.
    pub category: Option<String>,
    pub tags: Option<Vec<String>>,
    pub product: Option<String>,
    /// Only agents see internal articles.
    pub internal: Option<bool>,
    /// `YYYY-MM-DD`: when the owner should review it.
    pub review_on: Option<String>,
    /// The article this one is a language version of.
    pub translation_of: Option<Id>,
    pub owner_id: Option<Id>,
}

/// A category to create or rename.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CategoryInput {
    /// Slugs from the root, e.g. `after-sales/returns`; the parent must exist.
    pub path: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub position: i64,
}

/// Filters of the article list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ArticleListParams {
    pub status: Option<String>,
    pub locale: Option<String>,
    pub category: Option<String>,
    pub owner_id: Option<Id>,
    /// Only articles due for review by today.
    #[serde(default)]
    pub review_due: bool,
    pub after_id: Option<Id>,
    pub limit: Option<u64>,
}

fn article_not_found() -> AppError {
    AppError::NotFound {
        what: "article",
        code: "article_not_found",
    }
}

fn category_not_found(path: &str) -> AppError {
    AppError::field("category", "unknown_category", format!("no category {path}"))
}

impl App {
    pub async fn kb_categories(&self) -> AppResult<Vec<KbCategory>> {
        Ok(store::categories(self.db().read()).await?)
    }

    /// Adds or renames a category (reviewers).
    pub async fn save_kb_category(&self, actor: &Actor, input: CategoryInput) -> AppResult<KbCategory> {
        actor.require_supervisor("only supervisors and admins keep the category tree")?;
        let path = input.path.trim().trim_matches('/').to_owned();
        let mut errors = FieldErrors::default();
        for segment in path.split('/') {
            errors.take(parse_slug("path", segment));
        }
        for (field, name) in [("name_zh", &input.name_zh), ("name_en", &input.name_en)] {
            if name.trim().is_empty() || name.chars().count() > 100 {
                errors.push(FieldError::new(field, "required", "1 to 100 characters"));
            }
        }
        errors.into_result()?;
        let categories = store::categories(self.db().read()).await?;
        let parent_id = match path.rsplit_once('/') {
            Some((parent, _)) => Some(
                categories
                    .iter()
                    .find(|c| c.path == parent)
                    .map(|c| c.id)
                    .ok_or_else(|| category_not_found(parent))?,
            ),
            None => None,
        };
        let (zh, en, position) = (input.name_zh.trim().to_owned(), input.name_en.trim().to_owned(), input.position);
        let saved_path = path.clone();
        let id = self
            .db()
            .write(move |tx| {
                Box::pin(
                    async move { Ok::<_, AppError>(store::upsert_category(tx.exec(), &saved_path, parent_id, &zh, &en, position).await?) },
                )
            })
            .await?;
        store::categories(self.db().read())
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| category_not_found(&path))
    }

    /// Articles for agents (any status), by id.
    pub async fn articles(&self, _actor: &Actor, params: ArticleListParams) -> AppResult<Vec<Article>> {
        let mut errors = FieldErrors::default();
        let status = params
            .status
            .as_deref()
            .and_then(|s| errors.take(ArticleStatus::parse("status", s)));
        let locale = params.locale.as_deref().and_then(|s| errors.take(Locale::parse("locale", s)));
        errors.into_result()?;
        let category_id = match params.category.as_deref() {
            Some(path) => Some(self.category_id(path).await?),
            None => None,
        };
        let query = ArticleQuery {
            status,
            locale,
            category_id,
            owner_id: params.owner_id,
            review_due: params.review_due.then(|| jiff::tz::TimeZone::system().to_datetime(now()).date()),
            after_id: params.after_id,
            limit: params.limit.unwrap_or(50).clamp(1, 500),
            ..ArticleQuery::default()
        };
        Ok(store::list_articles(self.db().read(), &query).await?)
    }

    pub async fn article(&self, _actor: &Actor, id: Id) -> AppResult<Article> {
        store::article_by_id(self.db().read(), id).await?.ok_or_else(article_not_found)
    }

    /// A published, public article by address, for the help center; counts the reading.
    pub async fn public_article(&self, locale: Locale, slug: &str) -> AppResult<Article> {
        let article = store::article_by_slug(self.db().read(), locale, slug)
            .await?
            .filter(Article::is_public)
            .ok_or_else(article_not_found)?;
        let id = article.id;
        self.db()
            .write(move |tx| Box::pin(async move { Ok::<_, AppError>(store::count(tx.exec(), id, ArticleCounter::View).await?) }))
            .await?;
        Ok(article)
    }

    /// Published, public articles in `locale`, of one category (its own articles, not its
    /// subcategories') or of all, for the help center.
    pub async fn public_articles(&self, locale: Locale, category: Option<&str>) -> AppResult<Vec<Article>> {
        let category_id = match category {
            Some(path) => Some(self.category_id(path).await.map_err(|_| AppError::NotFound {
                what: "category",
                code: "category_not_found",
            })?),
            None => None,
        };
        let query = ArticleQuery {
            locale: Some(locale),
            category_id,
            public_only: true,
            limit: 5_000,
            ..ArticleQuery::default()
        };
        Ok(store::list_articles(self.db().read(), &query).await?)
    }

    /// The other language versions of an article that customers may read.
    pub async fn public_translations(&self, article: &Article) -> AppResult<Vec<Article>> {
        let query = ArticleQuery {
            translation_group: Some(article.translation_group),
            public_only: true,
            limit: 10,
            ..ArticleQuery::default()
        };
        let mut found = store::list_articles(self.db().read(), &query).await?;
        found.retain(|a| a.id != article.id);
        Ok(found)
    }

    /// Writes a new draft (any agent); its owner is the author unless another is named.
    pub async fn create_article(&self, actor: &Actor, input: ArticleInput) -> AppResult<Article> {
        let at = now();
        let mut article = Article::draft(Locale::ZhCn, Some(actor.id), at);
        let mut errors = FieldErrors::default();
        match input.locale.as_deref() {
            Some(locale) => {
                if let Some(locale) = errors.take(Locale::parse("locale", locale)) {
                    article.locale = locale;
                }
            }
            None => errors.push(FieldError::new("locale", "required", "zh-CN or en")),
        }
        for (field, present) in [("title", input.title.is_some()), ("body", input.body.is_some())] {
            if !present {
                errors.push(FieldError::new(field, "required", "must not be empty"));
            }
        }
        errors.into_result()?;
        if let Some(original) = input.translation_of {
            let original = store::article_by_id(self.db().read(), original)
                .await?
                .ok_or_else(|| AppError::field("translation_of", "article_not_found", "no such article"))?;
            if original.locale == article.locale {
                return Err(AppError::field(
                    "translation_of",
                    "same_locale",
                    "a language version must be in another language",
                ));
            }
            article.translation_group = original.translation_group;
        }
        self.apply_input(&mut article, input).await?;
        if article.slug.is_empty() {
            let made = slug_from_title(&article.title);
            article.slug = if made.is_empty() {
                format!("article-{}", at.as_millisecond())
            } else {
                made
            };
        }
        let editor = actor.id;
        let saved = article.clone();
        let id = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let id = store::insert_article(tx.exec(), &saved).await?;
                    store::insert_version(tx.exec(), id, 1, &saved, Some(editor)).await?;
                    Ok::<_, AppError>(id)
                })
            })
            .await
            .map_err(slug_taken)?;
        self.wake_search();
        self.article(actor, id).await
    }

    /// Changes an article; a changed title, body or tags is a new version. Published
    /// articles are changed by reviewers only.
    pub async fn update_article(&self, actor: &Actor, id: Id, input: ArticleInput) -> AppResult<Article> {
        let mut article = self.article(actor, id).await?;
        if article.status == ArticleStatus::Published && !actor.is_supervisor() {
            return Err(AppError::Forbidden(
                "a published article is changed by a reviewer; ask one, or draft a new article",
            ));
        }
        if input.locale.as_deref().is_some_and(|l| l != article.locale.as_str()) || input.translation_of.is_some() {
            return Err(AppError::field(
                "locale",
                "immutable",
                "an article's language and version group do not change",
            ));
        }
        let before = (article.title.clone(), article.body.clone(), article.tags.clone());
        self.apply_input(&mut article, input).await?;
        article.updated_at = now();
        let text_changed = before != (article.title.clone(), article.body.clone(), article.tags.clone());
        if text_changed {
            article.version += 1;
        }
        self.save_article(article, text_changed.then_some(actor.id)).await?;
        self.article(actor, id).await
    }

    /// Moves an article through the review workflow.
    pub async fn set_article_status(&self, actor: &Actor, id: Id, status: &str) -> AppResult<Article> {
        let to = ArticleStatus::parse("status", status).map_err(|e| AppError::Invalid(FieldErrors(vec![e])))?;
        let mut article = self.article(actor, id).await?;
        match status_move(article.status, to) {
            None => {
                return Err(AppError::Conflict {
                    code: "invalid_transition",
                    message: format!("an article cannot go from {} to {}", article.status, to),
                });
            }
            Some(MoveBy::Reviewer) if !actor.is_supervisor() => {
                return Err(AppError::Forbidden(
                    "only reviewers (supervisors and admins) publish and archive articles",
                ));
            }
            Some(_) => {}
        }
        let at = now();
        article.status = to;
        article.updated_at = at;
        if to == ArticleStatus::Published {
            article.published_at = Some(at);
        }
        self.save_article(article, None).await?;
        self.article(actor, id).await
    }

    pub async fn article_versions(&self, actor: &Actor, id: Id) -> AppResult<Vec<ArticleVersion>> {
        self.article(actor, id).await?;
        Ok(store::versions(self.db().read(), id).await?)
    }

    /// Makes an earlier version's text the current one (as a new version, so nothing is
    /// lost).
    pub async fn restore_article_version(&self, actor: &Actor, id: Id, version: i64) -> AppResult<Article> {
        let old = store::versions(self.db().read(), id)
            .await?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(AppError::NotFound {
                what: "article version",
                code: "version_not_found",
            })?;
        let input = ArticleInput {
            title: Some(old.title),
            body: Some(old.body),
            tags: Some(old.tags),
            ..ArticleInput::default()
        };
        self.update_article(actor, id, input).await
    }

    /// "Did this help?" from a reader of a public article.
    pub async fn article_feedback(&self, id: Id, helpful: bool, reason: Option<String>) -> AppResult<()> {
        let reason = reason
            .map(|r| r.trim().chars().take(MAX_REASON).collect::<String>())
            .filter(|r| !r.is_empty());
        let article = store::article_by_id(self.db().read(), id).await?.filter(Article::is_public);
        if article.is_none() {
            return Err(article_not_found());
        }
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let counter = if helpful {
                        ArticleCounter::Helpful
                    } else {
                        ArticleCounter::NotHelpful
                    };
                    store::count(tx.exec(), id, counter).await?;
                    store::insert_feedback(tx.exec(), id, helpful, reason.as_deref(), now()).await?;
                    Ok::<_, AppError>(())
                })
            })
            .await
    }

    /// What an agent inserts into a reply for a published article: a link to its
    /// help-center page (`site` is the address customers reach, e.g.
    /// `https://help.example.com`), or its text (the only choice for an internal
    /// article). Counts the use.
    pub async fn article_for_reply(&self, actor: &Actor, id: Id, as_link: bool, site: &str) -> AppResult<String> {
        let article = self.article(actor, id).await?;
        if article.status != ArticleStatus::Published {
            return Err(AppError::Conflict {
                code: "article_not_published",
                message: "only published articles go into replies".into(),
            });
        }
        let text = if as_link && article.is_public() {
            format!("[{}]({site}/help/{}/{})", article.title, article.locale.as_str(), article.slug)
        } else {
            format!("**{}**\n\n{}", article.title, article.body.trim())
        };
        self.count_article_use(actor, id).await?;
        Ok(text)
    }

    /// Turns an agent's public reply on a ticket into a draft article (title from the
    /// ticket's subject), to be edited and reviewed like any other.
    pub async fn draft_article_from_reply(
        &self,
        actor: &Actor,
        number: kefu_domain::entities::TicketNumber,
        message_id: Id,
        locale: Locale,
    ) -> AppResult<Article> {
        let ticket = crate::tickets::load_visible(self.db().read(), actor, number).await?;
        let messages = kefu_store::timeline::messages_of(self.db().read(), ticket.id, false).await?;
        let reply = messages
            .into_iter()
            .find(|m| m.id == message_id && m.kind == kefu_domain::enums::MessageKind::Reply)
            .ok_or(AppError::NotFound {
                what: "reply",
                code: "reply_not_found",
            })?;
        let input = ArticleInput {
            locale: Some(
                ticket
                    .language
                    .as_deref()
                    .map_or(locale, |l| if l.starts_with("en") { Locale::En } else { Locale::ZhCn })
                    .as_str()
                    .to_owned(),
            ),
            title: Some(ticket.subject.chars().take(kb::MAX_TITLE).collect()),
            body: Some(reply.body),
            slug: Some(format!("ticket-{}-reply-{message_id}", ticket.number)),
            ..ArticleInput::default()
        };
        self.create_article(actor, input).await
    }

    /// Counts an article inserted into a reply by an agent.
    pub async fn count_article_use(&self, _actor: &Actor, id: Id) -> AppResult<()> {
        let found = self
            .db()
            .write(move |tx| Box::pin(async move { Ok::<_, AppError>(store::count(tx.exec(), id, ArticleCounter::Use).await?) }))
            .await?;
        if found { Ok(()) } else { Err(article_not_found()) }
    }

    async fn save_article(&self, article: Article, new_version_by: Option<Id>) -> AppResult<()> {
        let saved = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    if !store::save_article(tx.exec(), &article).await? {
                        return Ok::<_, AppError>(false);
                    }
                    if let Some(editor) = new_version_by {
                        store::insert_version(tx.exec(), article.id, article.version, &article, Some(editor)).await?;
                    }
                    Ok(true)
                })
            })
            .await
            .map_err(slug_taken)?;
        if !saved {
            return Err(article_not_found());
        }
        self.wake_search();
        Ok(())
    }

    async fn category_id(&self, path: &str) -> AppResult<Id> {
        let path = path.trim().trim_matches('/');
        store::categories(self.db().read())
            .await?
            .into_iter()
            .find(|c| c.path == path)
            .map(|c| c.id)
            .ok_or_else(|| category_not_found(path))
    }

    /// Validates `input` and copies what it sets into `article`.
    async fn apply_input(&self, article: &mut Article, input: ArticleInput) -> AppResult<()> {
        let mut errors = FieldErrors::default();
        if let Some(slug) = input.slug.as_deref()
            && let Some(slug) = errors.take(parse_slug("slug", slug))
        {
            article.slug = slug;
        }
        if let Some(title) = input.title {
            let title = title.trim();
            if title.is_empty() || title.chars().count() > kb::MAX_TITLE {
                errors.push(FieldError::new(
                    "title",
                    "invalid_title",
                    format!("1 to {} characters", kb::MAX_TITLE),
                ));
            }
            article.title = title.to_owned();
        }
        if let Some(body) = input.body {
            if body.trim().is_empty() || body.chars().count() > kb::MAX_BODY {
                errors.push(FieldError::new("body", "invalid_body", format!("1 to {} characters", kb::MAX_BODY)));
            }
            article.body = body;
        }
        if let Some(tags) = input.tags {
            let mut clean: Vec<String> = tags.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
            clean.dedup();
            if clean.len() > MAX_TAGS || clean.iter().any(|t| t.chars().count() > MAX_TAG) {
                errors.push(FieldError::new(
                    "tags",
                    "invalid_tags",
                    format!("at most {MAX_TAGS} tags of {MAX_TAG} characters"),
                ));
            }
            article.tags = clean;
        }
        if let Some(product) = input.product {
            let product = product.trim();
            article.product = (!product.is_empty()).then(|| product.chars().take(100).collect());
        }
        if let Some(internal) = input.internal {
            article.internal = internal;
        }
        if let Some(review_on) = input.review_on {
            article.review_on = match review_on.trim() {
                "" => None,
                text => errors.take(
                    text.parse()
                        .map_err(|_| FieldError::new("review_on", "invalid_date", "a date as YYYY-MM-DD")),
                ),
            };
        }
        if let Some(owner) = input.owner_id {
            article.owner_id = Some(owner);
        }
        errors.into_result()?;
        if let Some(path) = input.category {
            article.category_id = if path.trim().is_empty() {
                None
            } else {
                Some(self.category_id(&path).await?)
            };
        }
        Ok(())
    }
}

/// A slug taken in the locale, as the conflict the client can act on.
fn slug_taken(error: AppError) -> AppError {
    match error {
        AppError::Conflict { code: "conflict", .. } => AppError::Conflict {
            code: "slug_taken",
            message: "another article in this language has this slug".into(),
        },
        other => other,
    }
}
