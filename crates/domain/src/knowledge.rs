//! The knowledge base (知识库): articles in a category tree, their language versions,
//! their review workflow and their history.

use crate::entities::Id;
use crate::enums::text_enum;
use crate::error::FieldError;
use jiff::Timestamp;
use serde::Serialize;

text_enum!(
    /// Where an article is in its life. Only published articles reach customers (and,
    /// when internal, only agents).
    ArticleStatus {
        Draft = "draft",
        InReview = "in_review",
        Published = "published",
        Archived = "archived",
    }
);

text_enum!(
    /// The languages articles are written in.
    Locale {
        #[serde(rename = "zh-CN")]
        ZhCn = "zh-CN",
        En = "en",
    }
);

impl Locale {
    /// The language part, as tickets and the search index name it (`zh`, `en`).
    pub fn language(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh",
            Locale::En => "en",
        }
    }
}

/// Who may move an article from one status to another: `None` if nobody may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveBy {
    /// Any agent who may edit articles (authors).
    Author,
    /// A reviewer (supervisors and admins).
    Reviewer,
}

/// The review workflow: authors write and ask for review; reviewers publish, send back
/// and archive; an archived article can be drafted again.
pub fn status_move(from: ArticleStatus, to: ArticleStatus) -> Option<MoveBy> {
    use ArticleStatus::*;
    match (from, to) {
        (Draft, InReview) | (InReview, Draft) | (Archived, Draft) => Some(MoveBy::Author),
        (Draft | InReview, Published) | (Published, Draft | Archived) | (Draft | InReview, Archived) => Some(MoveBy::Reviewer),
        _ => None,
    }
}

/// A category of the tree, e.g. `after-sales/returns` under `after-sales`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbCategory {
    pub id: Id,
    pub parent_id: Option<Id>,
    /// The path of slugs from the root, e.g. `after-sales/returns`.
    pub path: String,
    pub name_zh: String,
    pub name_en: String,
    pub position: i64,
}

/// An article as stored (its current version).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Article {
    pub id: Id,
    /// The address part, unique per locale, e.g. `after-sales-return-window`.
    pub slug: String,
    pub locale: Locale,
    /// Articles that are language versions of each other share this id (the first's).
    pub translation_group: Id,
    pub category_id: Option<Id>,
    pub title: String,
    /// Markdown; rendered and sanitised where it is shown.
    pub body: String,
    pub tags: Vec<String>,
    pub product: Option<String>,
    pub status: ArticleStatus,
    /// Only agents see internal articles.
    pub internal: bool,
    pub owner_id: Option<Id>,
    /// When the owner should check the article is still right.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub review_on: Option<jiff::civil::Date>,
    pub version: i64,
    pub views: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    /// How often agents inserted it into a reply.
    pub uses: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub published_at: Option<Timestamp>,
}

impl Article {
    /// A new, empty draft in `locale` owned by `owner`, not yet stored (id 0).
    pub fn draft(locale: Locale, owner: Option<Id>, at: Timestamp) -> Article {
        Article {
            id: 0,
            slug: String::new(),
            locale,
            translation_group: 0,
            category_id: None,
            title: String::new(),
            body: String::new(),
            tags: Vec::new(),
            product: None,
            status: ArticleStatus::Draft,
            internal: false,
            owner_id: owner,
            review_on: None,
            version: 1,
            views: 0,
            helpful: 0,
            not_helpful: 0,
            uses: 0,
            created_at: at,
            updated_at: at,
            published_at: None,
        }
    }

    /// Whether customers may read it.
    pub fn is_public(&self) -> bool {
        self.status == ArticleStatus::Published && !self.internal
    }
}

/// One saved version of an article's text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleVersion {
    pub article_id: Id,
    pub version: i64,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub edited_by: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub edited_at: Timestamp,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 100_000;
const MAX_SLUG: usize = 120;

/// A slug: lower-case ASCII letters, digits and single dashes.
pub fn parse_slug(field: &str, value: &str) -> Result<String, FieldError> {
    let slug = value.trim();
    let valid = !slug.is_empty()
        && slug.len() <= MAX_SLUG
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if valid {
        Ok(slug.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "invalid_slug",
            format!("lower-case letters, digits and single dashes, at most {MAX_SLUG} characters"),
        ))
    }
}

/// A slug made from a title: Latin words kept, everything else dropped; empty when the
/// title has no Latin letters (the caller then numbers it).
pub fn slug_from_title(title: &str) -> String {
    let mut slug = String::new();
    for word in title.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if slug.len() + word.len() + 1 > MAX_SLUG {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviewers_publish_authors_propose() {
        use ArticleStatus::*;
        assert_eq!(status_move(Draft, InReview), Some(MoveBy::Author));
        assert_eq!(status_move(InReview, Published), Some(MoveBy::Reviewer));
        assert_eq!(status_move(Published, Archived), Some(MoveBy::Reviewer));
        assert_eq!(status_move(Archived, Published), None, "an archived article is drafted again first");
        assert_eq!(status_move(Draft, Draft), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(parse_slug("slug", " return-policy-2 ").unwrap(), "return-policy-2");
        assert!(parse_slug("slug", "Return").is_err());
        assert!(parse_slug("slug", "a--b").is_err());
        assert!(parse_slug("slug", "退货").is_err());
        assert_eq!(slug_from_title("How to reset the S3 watch?"), "how-to-reset-the-s3-watch");
        assert_eq!(slug_from_title("如何退货"), "");
    }
}
