//! The index's fields. One schema for every kind of document: what differs between a
//! ticket and an article is which fields are filled and which filter keys they carry.

use crate::analysis::{CHARS, PAIRS, WORDS};
use tantivy::schema::{FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};

/// Bumped whenever the schema, the analysis or what the application puts in a document
/// changes: an index written with another version is rebuilt from the store.
/// 2: tickets carry `category:` keys for their category and its parents.
/// 3: `*_pairs` fields (Han character pairs) replace near phrases of characters.
pub const SCHEMA_VERSION: u32 = 3;

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `ticket:42`: what an update or delete replaces.
    pub key: Field,
    /// `ticket`, `customer` or `article`.
    pub kind: Field,
    pub id: Field,
    pub title: Field,
    pub title_chars: Field,
    pub title_pairs: Field,
    pub body: Field,
    pub body_chars: Field,
    pub body_pairs: Field,
    /// Text only some readers may search (internal notes of a ticket).
    pub private: Field,
    pub private_chars: Field,
    pub private_pairs: Field,
    /// Filter terms such as `status:open`, `team:3`, `visible:agent:7`.
    pub keys: Field,
    /// Values counted for facets (`/status/open`, `/category/after-sales/returns`).
    pub facets: Field,
    /// Milliseconds since the epoch.
    pub created: Field,
    /// Display data returned with a hit (JSON), not searched.
    pub meta: Field,
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let words = |stored: bool| {
            let options = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS)
                    .set_index_option(IndexRecordOption::WithFreqs),
            );
            if stored { options.set_stored() } else { options }
        };
        // Positions: the characters fields answer phrase queries.
        let chars = || {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(CHARS)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        // Frequencies only: a pair is matched as a term, never as a phrase.
        let pairs = || {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(PAIRS)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
        };
        let fields = Fields {
            key: builder.add_text_field("key", STRING | STORED),
            kind: builder.add_text_field("kind", STRING | FAST),
            id: builder.add_i64_field("id", INDEXED | STORED | FAST),
            title: builder.add_text_field("title", words(true)),
            title_chars: builder.add_text_field("title_chars", chars()),
            title_pairs: builder.add_text_field("title_pairs", pairs()),
            body: builder.add_text_field("body", words(true)),
            body_chars: builder.add_text_field("body_chars", chars()),
            body_pairs: builder.add_text_field("body_pairs", pairs()),
            private: builder.add_text_field("private", words(true)),
            private_chars: builder.add_text_field("private_chars", chars()),
            private_pairs: builder.add_text_field("private_pairs", pairs()),
            keys: builder.add_text_field("keys", STRING),
            facets: builder.add_facet_field("facets", FacetOptions::default()),
            created: builder.add_i64_field("created", INDEXED | FAST),
            meta: builder.add_text_field("meta", STORED),
        };
        (builder.build(), fields)
    }
}
