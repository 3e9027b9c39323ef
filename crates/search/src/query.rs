//! From what a person typed to a tantivy query.
//!
//! Full analysis matches a document on any of these clauses, so a query phrased in other
//! words still finds its answer while the best matches rank first:
//! - every word (jieba, stemmed) in the title, the body and, for readers allowed, the
//!   private text; title hits weigh more;
//! - every Chinese word of two or more characters as its character pairs (`退货` finds
//!   `退换货`, whose pairs include `退货`), weighted below the word itself so a document
//!   with the exact word ranks first;
//! - the whole query as an exact phrase of characters and words, weighted most;
//! - an English word the index has never seen, matched within one or two edits
//!   (`recieve`, `warrenty`);
//! - the synonyms of what the query says (`退钱` → `退款`, `money back` → `refund`;
//!   [`crate::synonyms`]), weighted below the words themselves.
//!
//! Every Han character of the query (stop words aside) adds a little to the score of what
//! matched: partial credit for colloquial questions. When the clauses above find fewer
//! than ten documents, documents holding at least half of those characters match too
//! ([`TextQuery::widened`]).

use crate::analysis::{self, is_han};
use crate::schema::Fields;
use crate::synonyms::{self, Member};
use crate::{Analysis, SearchRequest};
use std::collections::BTreeSet;
use std::ops::Bound;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

const TITLE_WEIGHT: f32 = 2.5;
const BODY_WEIGHT: f32 = 1.0;
const PRIVATE_WEIGHT: f32 = 0.8;
/// A Chinese word found only through its character pairs.
const PAIRS_TITLE_WEIGHT: f32 = 1.2;
const PAIRS_BODY_WEIGHT: f32 = 0.5;
/// The whole query as typed.
const EXACT_PHRASE_TITLE_WEIGHT: f32 = 3.0;
const EXACT_PHRASE_BODY_WEIGHT: f32 = 1.5;
const FUZZY_WEIGHT: f32 = 0.6;
/// A word of the same meaning as one typed (`退钱` → `退款`), relative to the field's
/// weight: below the word itself, so the customer's own word ranks first.
const SYNONYM_WEIGHT: f32 = 0.6;
/// A single Han character of the query, relative to the field's weight. Chosen between
/// values tried on the demo set (0.15, 0.3, 0.6 moved MRR@10 by under 0.015): the point
/// is that characters add evidence without outweighing words.
const CHAR_WEIGHT: f32 = 0.4;

/// The text fields a reader searches, with their characters and pairs twins.
struct TextField {
    words: Field,
    chars: Field,
    pairs: Field,
    weight: f32,
    pair_weight: f32,
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

/// The text part of a request, in three groups of clauses.
///
/// Single Han characters are evidence, not a match: in a million tickets nearly every
/// one holds some character of `退货`, and counting, scoring and faceting those made a
/// broad Chinese query match a third of the index (and take 60 ms). So they only rank
/// what the other clauses found, and decide the match themselves only when that finds
/// too little ([`TextQuery::widened`]). That holds for a Chinese word of one character
/// too (`钱` in `钱什么时候退回来`): whether jieba left it alone in a document is chance.
/// How many of the query's distinct Han characters a widened match needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widening {
    /// At least half of them, and at least two.
    Half,
    /// Any two: a long question shares few characters with a short answer
    /// (`飞机晚了好几个钟头有没有赔钱的` against `航班延误补偿`).
    Two,
}

pub struct TextQuery {
    /// What decides the match, weighted: words (not single Han characters), character
    /// pairs of Chinese words, the whole query as a phrase, synonyms, English typos.
    matching: Vec<Box<dyn Query>>,
    /// What only ranks: the single Han characters, weighted low.
    ranking: Vec<Box<dyn Query>>,
    /// One clause per distinct Han character of the query (any text field), for a match
    /// on most of the characters when the words found too little.
    characters: Vec<Box<dyn Query>>,
}

impl TextQuery {
    /// Documents matching a clause of `matching`, ranked with the characters too.
    pub fn strict(&self) -> Box<dyn Query> {
        self.with_matching(Box::new(BooleanQuery::union(clone_all(&self.matching))))
    }

    /// Also the documents holding enough of the query's Han characters (a colloquial
    /// question phrased in other words than the answer: `钱什么时候退回来` against
    /// `退款到账时间`), or holding its only one (`锁` finds `门锁坏了`, whatever the
    /// segmentation); `None` when the query has no Han character. Their only score is the
    /// characters', so they usually rank below word matches.
    pub fn widened(&self, widening: Widening) -> Option<Box<dyn Query>> {
        let required = match (self.characters.len(), widening) {
            (0, _) => return None,
            (1, _) => 1,
            (n, Widening::Half) => n.div_ceil(2).max(2),
            (_, Widening::Two) => 2,
        };
        let most_characters = BooleanQuery::union_with_minimum_required_clauses(clone_all(&self.characters), required);
        let mut matching = clone_all(&self.matching);
        matching.push(Box::new(ConstScoreQuery::new(Box::new(most_characters), 0.0)));
        Some(self.with_matching(Box::new(BooleanQuery::union(matching))))
    }

    fn with_matching(&self, matching: Box<dyn Query>) -> Box<dyn Query> {
        if self.ranking.is_empty() {
            return matching;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, matching)];
        clauses.extend(clone_all(&self.ranking).into_iter().map(|q| (Occur::Should, q)));
        Box::new(BooleanQuery::new(clauses))
    }
}

fn clone_all(queries: &[Box<dyn Query>]) -> Vec<Box<dyn Query>> {
    queries.iter().map(|q| q.box_clone()).collect()
}

/// What the text of `request` asks for.
pub fn text_query(searcher: &Searcher, fields: &Fields, request: &SearchRequest, analyzed: &Analyzed) -> TextQuery {
    let mut text_fields = vec![
        TextField {
            words: fields.title,
            chars: fields.title_chars,
            pairs: fields.title_pairs,
            weight: TITLE_WEIGHT,
            pair_weight: PAIRS_TITLE_WEIGHT,
            exact_weight: EXACT_PHRASE_TITLE_WEIGHT,
        },
        TextField {
            words: fields.body,
            chars: fields.body_chars,
            pairs: fields.body_pairs,
            weight: BODY_WEIGHT,
            pair_weight: PAIRS_BODY_WEIGHT,
            exact_weight: EXACT_PHRASE_BODY_WEIGHT,
        },
    ];
    if request.include_private {
        text_fields.push(TextField {
            words: fields.private,
            chars: fields.private_chars,
            pairs: fields.private_pairs,
            weight: PRIVATE_WEIGHT,
            pair_weight: PAIRS_BODY_WEIGHT,
            exact_weight: EXACT_PHRASE_BODY_WEIGHT,
        });
    }
    let boost = |query: Box<dyn Query>, weight: f32| -> Box<dyn Query> { Box::new(BoostQuery::new(query, weight)) };
    let mut query = TextQuery {
        matching: Vec::new(),
        ranking: Vec::new(),
        characters: Vec::new(),
    };
    match request.analysis {
        Analysis::Full | Analysis::FullWithoutSynonyms | Analysis::WordsOnly => {
            let single_han = |w: &String| request.analysis.combines_all_parts() && w.chars().count() == 1 && w.chars().all(is_han);
            for field in &text_fields {
                for word in analyzed.words.iter().filter(|w| !single_han(w)) {
                    query.matching.push(boost(term_query(field.words, word), field.weight));
                }
            }
        }
        Analysis::CharsOnly => {
            for field in &text_fields {
                for token in analyzed.chars.iter().collect::<BTreeSet<_>>() {
                    query.matching.push(boost(term_query(field.chars, token), field.weight));
                }
            }
        }
    }
    if request.analysis.combines_all_parts() {
        let han_characters: BTreeSet<&String> = analyzed
            .chars
            .iter()
            .filter(|t| t.chars().all(is_han) && !analysis::is_stop_word(t))
            .collect();
        // A query that is one Chinese word needs no exact phrase: its pairs find the same
        // documents without reading positions, and the word's own clause ranks the exact
        // hits first.
        let one_chinese_word = analyzed.han_words.len() == 1 && analyzed.han_words[0] == analyzed.chars;
        for field in &text_fields {
            for han_word in &analyzed.han_words {
                query.matching.push(boost(pairs_query(field.pairs, han_word), field.pair_weight));
            }
            if analyzed.chars.len() >= 2 && !one_chinese_word {
                query
                    .matching
                    .push(boost(exact_phrase_query(field.chars, &analyzed.chars), field.exact_weight));
            }
            for token in &han_characters {
                query
                    .ranking
                    .push(boost(term_query(field.chars, token), field.weight * CHAR_WEIGHT));
            }
        }
        for token in &han_characters {
            let anywhere = text_fields.iter().map(|field| term_query(field.chars, token)).collect();
            query.characters.push(Box::new(BooleanQuery::union(anywhere)));
        }
        let synonyms = if request.analysis == Analysis::Full {
            synonyms::synonyms_of(&request.text, &analyzed.words)
        } else {
            Vec::new()
        };
        for synonym in synonyms {
            for field in &text_fields {
                let clause = match &synonym {
                    Member::Han(characters) => pairs_query(field.pairs, characters),
                    Member::Words { stems, .. } if stems.len() == 1 => term_query(field.words, &stems[0]),
                    Member::Words { tokens, .. } => exact_phrase_query(field.chars, tokens),
                };
                query.matching.push(boost(clause, field.weight * SYNONYM_WEIGHT));
            }
        }
        for token in unknown_english_words(searcher, &text_fields, analyzed) {
            let distance = if token.chars().count() >= 8 { 2 } else { 1 };
            for field in &text_fields {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field.chars, &token), distance, true);
                query.matching.push(boost(Box::new(fuzzy), field.weight * FUZZY_WEIGHT));
            }
        }
    }
    query
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

/// Every adjacent pair of `characters` (a Chinese word of two or more) in `field`.
fn pairs_query(field: Field, characters: &[String]) -> Box<dyn Query> {
    all_of(
        analysis::adjacent_pairs(characters)
            .iter()
            .map(|pair| term_query(field, pair))
            .collect(),
    )
}

/// Documents matching every one of `queries` (at least one: tantivy's intersection of
/// nothing matches nothing).
fn all_of(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    debug_assert!(!queries.is_empty());
    if queries.len() == 1 {
        return queries.remove(0);
    }
    Box::new(BooleanQuery::intersection(queries))
}

fn exact_phrase_query(field: Field, tokens: &[String]) -> Box<dyn Query> {
    if tokens.len() == 1 {
        return term_query(field, &tokens[0]);
    }
    let terms = tokens.iter().map(|t| Term::from_field_text(field, t)).collect();
    Box::new(PhraseQuery::new(terms))
}
