//! From what a person typed to a tantivy query.
//!
//! Full analysis ORs these clauses, so a colloquial query still finds the article that
//! answers it while the best matches rank first:
//! - every word (jieba, stemmed) in the title, the body and, for readers allowed, the
//!   private text; title hits weigh more;
//! - every Han character of the query (stop words aside), weighted low: partial credit
//!   when neither segmentation nor a phrase matches (colloquial questions);
//! - every Chinese word of two or more characters as a near phrase of its characters in
//!   the characters fields (`退货` finds `退换货`), weighted below the word itself so a
//!   document with the exact word ranks first;
//! - the whole query as an exact phrase of characters and words, weighted most;
//! - an English word the index has never seen, matched within one or two edits
//!   (`recieve`, `warrenty`).

use crate::analysis::{self, is_han};
use crate::schema::Fields;
use crate::{Analysis, SearchRequest};
use std::collections::BTreeSet;
use std::ops::Bound;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

const TITLE_WEIGHT: f32 = 2.5;
const BODY_WEIGHT: f32 = 1.0;
const PRIVATE_WEIGHT: f32 = 0.8;
/// A Chinese word found only as a near phrase of its characters.
const CHAR_PHRASE_TITLE_WEIGHT: f32 = 1.2;
const CHAR_PHRASE_BODY_WEIGHT: f32 = 0.5;
/// The whole query as typed.
const EXACT_PHRASE_TITLE_WEIGHT: f32 = 3.0;
const EXACT_PHRASE_BODY_WEIGHT: f32 = 1.5;
const FUZZY_WEIGHT: f32 = 0.6;
/// A single Han character of the query, relative to the field's weight. Chosen between
/// values tried on the demo set (0.15, 0.3, 0.6 moved MRR@10 by under 0.015): the point
/// is that characters add evidence without outweighing words.
const CHAR_WEIGHT: f32 = 0.4;
/// How many other characters may sit inside a Chinese word's near phrase (`退货` in
/// `退换货`).
const CHAR_PHRASE_SLOP: u32 = 1;

/// The text fields a reader searches, with their characters twins.
struct TextField {
    words: Field,
    chars: Field,
    weight: f32,
    char_phrase_weight: f32,
    exact_weight: f32,
}

/// What the query text makes, before it is turned into a query: also used for
/// highlights and "did you mean".
#[derive(Debug, Default)]
pub struct Analyzed {
    /// Distinct word terms.
    pub words: Vec<String>,
    /// Chinese words of two or more characters, as their characters.
    pub han_words: Vec<Vec<String>>,
    /// Every characters-field token in order.
    pub chars: Vec<String>,
}

pub fn analyze(text: &str) -> Analyzed {
    let mut seen = BTreeSet::new();
    let words: Vec<String> = analysis::terms(&mut analysis::words_analyzer(), text)
        .into_iter()
        .map(|(_, w)| w)
        .filter(|w| seen.insert(w.clone()))
        .collect();
    let han_words = words
        .iter()
        .filter(|w| w.chars().count() >= 2 && w.chars().all(is_han))
        .map(|w| w.chars().map(String::from).collect())
        .collect();
    let chars = analysis::terms(&mut analysis::chars_analyzer(), text)
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    Analyzed { words, han_words, chars }
}

/// The scoring part of a request: what the text asks for.
pub fn text_query(searcher: &Searcher, fields: &Fields, request: &SearchRequest, analyzed: &Analyzed) -> Box<dyn Query> {
    let mut text_fields = vec![
        TextField {
            words: fields.title,
            chars: fields.title_chars,
            weight: TITLE_WEIGHT,
            char_phrase_weight: CHAR_PHRASE_TITLE_WEIGHT,
            exact_weight: EXACT_PHRASE_TITLE_WEIGHT,
        },
        TextField {
            words: fields.body,
            chars: fields.body_chars,
            weight: BODY_WEIGHT,
            char_phrase_weight: CHAR_PHRASE_BODY_WEIGHT,
            exact_weight: EXACT_PHRASE_BODY_WEIGHT,
        },
    ];
    if request.include_private {
        text_fields.push(TextField {
            words: fields.private,
            chars: fields.private_chars,
            weight: PRIVATE_WEIGHT,
            char_phrase_weight: CHAR_PHRASE_BODY_WEIGHT,
            exact_weight: EXACT_PHRASE_BODY_WEIGHT,
        });
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut should = |query: Box<dyn Query>, weight: f32| clauses.push((Occur::Should, Box::new(BoostQuery::new(query, weight))));
    match request.analysis {
        Analysis::Full | Analysis::WordsOnly => {
            for field in &text_fields {
                for word in &analyzed.words {
                    should(term_query(field.words, word), field.weight);
                }
            }
        }
        Analysis::CharsOnly => {
            for field in &text_fields {
                for token in analyzed.chars.iter().collect::<BTreeSet<_>>() {
                    should(term_query(field.chars, token), field.weight);
                }
            }
        }
    }
    if request.analysis == Analysis::Full {
        for field in &text_fields {
            // Single Han characters: partial credit when neither segmentation nor the
            // near phrases match (colloquial questions, unusual compounds).
            for token in analyzed
                .chars
                .iter()
                .filter(|t| t.chars().all(is_han) && !analysis::is_stop_word(t))
                .collect::<BTreeSet<_>>()
            {
                should(term_query(field.chars, token), field.weight * CHAR_WEIGHT);
            }
            for han_word in &analyzed.han_words {
                should(phrase_query(field.chars, han_word, CHAR_PHRASE_SLOP), field.char_phrase_weight);
            }
            if analyzed.chars.len() >= 2 {
                should(phrase_query(field.chars, &analyzed.chars, 0), field.exact_weight);
            }
        }
        for token in unknown_english_words(searcher, &text_fields, analyzed) {
            let distance = if token.chars().count() >= 8 { 2 } else { 1 };
            for field in &text_fields {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field.chars, &token), distance, true);
                should(Box::new(fuzzy), field.weight * FUZZY_WEIGHT);
            }
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Words of the query (as typed, lower-cased, unstemmed) that no characters field knows:
/// likely typos.
fn unknown_english_words(searcher: &Searcher, fields: &[TextField], analyzed: &Analyzed) -> Vec<String> {
    analyzed
        .chars
        .iter()
        .filter(|t| t.len() >= 4 && t.chars().all(|c| c.is_ascii_alphabetic()))
        .filter(|t| {
            fields
                .iter()
                .all(|f| searcher.doc_freq(&Term::from_field_text(f.chars, t)).unwrap_or(0) == 0)
        })
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The filters of a request: they decide what matches, not how it ranks.
pub fn filter_query(fields: &Fields, request: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(kind) = request.kind {
        clauses.push((Occur::Must, filter(term_query(fields.kind, kind.as_str()))));
    }
    for any_of in &request.all_of {
        let terms: Vec<(Occur, Box<dyn Query>)> = any_of.iter().map(|key| (Occur::Should, term_query(fields.keys, key))).collect();
        clauses.push((Occur::Must, filter(Box::new(BooleanQuery::new(terms)))));
    }
    for key in &request.none_of {
        clauses.push((Occur::MustNot, term_query(fields.keys, key)));
    }
    if request.created_from.is_some() || request.created_to.is_some() {
        let bound = |value: Option<i64>, inclusive: bool| match value {
            Some(v) if inclusive => Bound::Included(Term::from_field_i64(fields.created, v)),
            Some(v) => Bound::Excluded(Term::from_field_i64(fields.created, v)),
            None => Bound::Unbounded,
        };
        let range = RangeQuery::new(bound(request.created_from, true), bound(request.created_to, false));
        clauses.push((Occur::Must, filter(Box::new(range))));
    }
    clauses
}

fn filter(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

fn phrase_query(field: Field, tokens: &[String], slop: u32) -> Box<dyn Query> {
    if tokens.len() == 1 {
        return term_query(field, &tokens[0]);
    }
    let terms = tokens.iter().map(|t| Term::from_field_text(field, t)).collect();
    let mut phrase = PhraseQuery::new(terms);
    phrase.set_slop(slop);
    Box::new(phrase)
}
