//! Kefu's search index: one embedded tantivy index for tickets, customers, knowledge
//! articles and survey comments, analysed for Chinese and English (see [`analysis`]). It
//! is derived data: the application feeds it after each commit and can rebuild it from the
//! store at any time, so nothing here is the only copy of anything. What a reader may see
//! is the caller's decision, passed in as filters; this crate knows no roles.

pub mod analysis;
mod index;
mod query;
mod schema;
mod search;
mod synonyms;

pub use index::SearchIndex;
pub use schema::SCHEMA_VERSION;
pub use search::{FacetCount, Hit, SearchResults};

use serde::Serialize;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Ticket,
    Customer,
    Article,
    /// A satisfaction survey answer with a comment or a written answer.
    Answer,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Ticket => "ticket",
            DocKind::Customer => "customer",
            DocKind::Article => "article",
            DocKind::Answer => "answer",
        }
    }
}

/// One document to index, as the application describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub kind: DocKind,
    pub id: i64,
    pub title: String,
    pub body: String,
    /// Text only readers allowed to see it search (a ticket's internal notes).
    pub private: String,
    /// Filter terms, e.g. `status:open`, `visible:team:3`.
    pub keys: Vec<String>,
    /// Facet values counted in results, e.g. `("status", "open")`.
    pub facets: Vec<(String, String)>,
    pub created_ms: i64,
    /// Display data returned with a hit.
    pub meta: serde_json::Value,
}

/// Which parts of the analysis a query uses. Only [`Analysis::Full`] serves users; the
/// others exist to measure what each part adds (BENCHMARKS.md, relevance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Analysis {
    #[default]
    Full,
    /// Everything but the synonyms of service vocabulary.
    FullWithoutSynonyms,
    /// Jieba words only.
    WordsOnly,
    /// Single characters and whole Latin words only (what a CJK-unaware engine does).
    CharsOnly,
}

impl Analysis {
    /// Words, characters, pairs, phrases and typos together.
    fn combines_all_parts(self) -> bool {
        matches!(self, Analysis::Full | Analysis::FullWithoutSynonyms)
    }
}

/// A search: text, what kind of document, and the filters that decide what the reader
/// may see and asked to see.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    pub kind: Option<DocKind>,
    /// Every inner list must match at least one of its keys.
    pub all_of: Vec<Vec<String>>,
    /// No key here may match.
    pub none_of: Vec<String>,
    /// Whether the private text is searched.
    pub include_private: bool,
    /// Created at or after (milliseconds).
    pub created_from: Option<i64>,
    /// Created before (milliseconds).
    pub created_to: Option<i64>,
    /// Facets to count, by name (`status`, `category`).
    pub facets: Vec<String>,
    pub offset: usize,
    pub limit: usize,
    pub analysis: Analysis,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index files: {0}")]
    Io(String),
}

pub type SearchResult<T> = Result<T, SearchError>;

#[cfg(test)]
mod tests;
