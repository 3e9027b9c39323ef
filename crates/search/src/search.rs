//! Running a search: ranked hits with highlighted fragments, facet counts, and a
//! suggestion when nothing matched.

use crate::index::SearchIndex;
use crate::query::{self, Analyzed, Widening};
use crate::{DocKind, SearchRequest, SearchResult};
use serde::Serialize;
use std::collections::HashMap;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Order, Searcher, TantivyDocument};

/// Characters of a highlighted fragment.
const SNIPPET_CHARS: usize = 160;
/// Most hits one page may ask for.
pub const MAX_LIMIT: usize = 100;
/// Below this many matches of its words a query also matches on most of its characters
/// (the same for every page, so paging stays consistent).
const FEW_MATCHES: usize = 10;

/// What a query found, before it is rendered.
struct Found {
    top: Vec<(f32, tantivy::DocAddress)>,
    total: usize,
    facet_counts: tantivy::collector::FacetCounts,
}

/// How hits are ordered.
#[derive(Clone, Copy)]
enum Ranking {
    /// Best match first.
    Score,
    /// Newest first (no text to score by).
    Newest,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    pub id: i64,
    pub score: f32,
    pub title: String,
    /// The matching fragment as HTML: text escaped, matches in `<b>`.
    pub snippet: String,
    /// What the application stored for display (a ticket's number and status, an
    /// article's slug and locale, ...).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub meta: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacetCount {
    pub facet: String,
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Vec<FacetCount>,
    /// A spelling that would find something, when nothing matched.
    pub did_you_mean: Option<String>,
}

impl SearchIndex {
    /// Runs `request`. Blocking (a few milliseconds): call it off the async runtime under
    /// load.
    pub fn search(&self, request: &SearchRequest) -> SearchResult<SearchResults> {
        let searcher = self.reader.searcher();
        let analyzed = query::analyze(&request.text);
        // No words to match (an empty text, or only punctuation): the filters alone
        // choose, and the newest come first.
        if analyzed.chars.is_empty() {
            let text: Box<dyn Query> = Box::new(AllQuery);
            let found = self.collect(&searcher, request, &*text, Ranking::Newest)?;
            return self.render(&searcher, request, &analyzed, &*text, found);
        }
        let text = query::text_query(&searcher, &self.fields, request, &analyzed);
        let strict = text.strict();
        let found = self.collect(&searcher, request, &*strict, Ranking::Score)?;
        if found.total >= FEW_MATCHES {
            return self.render(&searcher, request, &analyzed, &*strict, found);
        }
        let Some(widened) = text.widened(Widening::Half) else {
            return self.render(&searcher, request, &analyzed, &*strict, found);
        };
        let found = self.collect(&searcher, request, &*widened, Ranking::Score)?;
        // Knowledge articles are thousands, not a million tickets: a question that still
        // finds too little may match on any two characters without scoring the index.
        if found.total < FEW_MATCHES
            && request.kind == Some(DocKind::Article)
            && let Some(wider) = text.widened(Widening::Two)
        {
            let found = self.collect(&searcher, request, &*wider, Ranking::Score)?;
            return self.render(&searcher, request, &analyzed, &*wider, found);
        }
        self.render(&searcher, request, &analyzed, &*widened, found)
    }

    /// The page of hits, the total and the facet counts of `text` under the request's
    /// filters.
    fn collect(&self, searcher: &Searcher, request: &SearchRequest, text: &dyn Query, ranking: Ranking) -> SearchResult<Found> {
        let mut clauses = query::filter_query(&self.fields, request);
        clauses.push((Occur::Must, text.box_clone()));
        let full = BooleanQuery::new(clauses);

        let limit = request.limit.clamp(1, MAX_LIMIT);
        let top = TopDocs::with_limit(limit).and_offset(request.offset);
        let mut facets = FacetCollector::for_field("facets");
        for name in &request.facets {
            facets.add_facet(format!("/{name}").as_str());
        }
        let (top, total, facet_counts) = match ranking {
            Ranking::Newest => {
                let newest = top.order_by_fast_field::<i64>("created", Order::Desc);
                let (newest, total, facet_counts) = searcher.search(&full, &(newest, Count, facets))?;
                let top: Vec<(f32, tantivy::DocAddress)> = newest.into_iter().map(|(_, address)| (0.0, address)).collect();
                (top, total, facet_counts)
            }
            Ranking::Score => searcher.search(&full, &(top.order_by_score(), Count, facets))?,
        };
        Ok(Found { top, total, facet_counts })
    }

    /// What was found, as results: stored fields, highlights, facets, a suggestion.
    fn render(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        analyzed: &Analyzed,
        text: &dyn Query,
        found: Found,
    ) -> SearchResult<SearchResults> {
        let Found { top, total, facet_counts } = found;
        let snippets = Snippets::new(searcher, text, &self.fields)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let title = stored_text(&doc, self.fields.title);
            let body = stored_text(&doc, self.fields.body);
            let private = request.include_private.then(|| stored_text(&doc, self.fields.private));
            hits.push(Hit {
                id: doc.get_first(self.fields.id).and_then(|v| v.as_i64()).unwrap_or_default(),
                score,
                snippet: snippets.best(&body, private.as_deref()),
                title,
                meta: serde_json::from_str(&stored_text(&doc, self.fields.meta)).unwrap_or_default(),
            });
        }
        let facets = request
            .facets
            .iter()
            .flat_map(|name| {
                facet_counts.get(format!("/{name}").as_str()).map(move |(facet, count)| FacetCount {
                    facet: name.clone(),
                    value: facet.to_path().last().map(|s| (*s).to_owned()).unwrap_or_default(),
                    count,
                })
            })
            .collect();
        let did_you_mean = if total == 0 { self.suggest(searcher, analyzed) } else { None };
        Ok(SearchResults {
            total,
            hits,
            facets,
            did_you_mean,
        })
    }

    /// The query with each word the index has never seen replaced by the most common
    /// indexed word within two edits, if any was replaced.
    fn suggest(&self, searcher: &Searcher, analyzed: &Analyzed) -> Option<String> {
        let mut changed = false;
        let words: Vec<String> = analyzed
            .chars
            .iter()
            .map(|token| {
                let known = [self.fields.title_chars, self.fields.body_chars]
                    .iter()
                    .any(|f| searcher.doc_freq(&tantivy::Term::from_field_text(*f, token)).unwrap_or(0) > 0);
                if known || token.len() < 3 || !token.chars().all(|c| c.is_ascii_alphabetic()) {
                    return token.clone();
                }
                match self.closest_term(searcher, token) {
                    Some(better) => {
                        changed = true;
                        better
                    }
                    None => token.clone(),
                }
            })
            .collect();
        // Han characters were split one per token; join them back without spaces.
        changed.then(|| join_tokens(&words))
    }

    fn closest_term(&self, searcher: &Searcher, word: &str) -> Option<String> {
        let max_distance = if word.len() >= 8 { 2 } else { 1 };
        let first = word.chars().next()?;
        let mut candidates: HashMap<String, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            for field in [self.fields.title_chars, self.fields.body_chars] {
                let Ok(inverted) = segment.inverted_index(field) else { continue };
                let terms = inverted.terms();
                let next = char::from_u32(first as u32 + 1).unwrap_or(first);
                let Ok(mut stream) = terms.range().ge(first.to_string()).lt(next.to_string()).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
                    if term.len().abs_diff(word.len()) > max_distance {
                        continue;
                    }
                    if strsim::damerau_levenshtein(term, word) <= max_distance {
                        *candidates.entry(term.to_owned()).or_default() += u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        candidates
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(term, _)| term)
    }
}

/// Tokens back into a query: Latin words separated by spaces, Han characters together.
fn join_tokens(tokens: &[String]) -> String {
    let mut out = String::new();
    let mut previous_han = false;
    for token in tokens {
        let han = token.chars().all(crate::analysis::is_han);
        if !(out.is_empty() || han && previous_han) {
            out.push(' ');
        }
        out.push_str(token);
        previous_han = han;
    }
    out
}

fn stored_text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
}

/// Highlighters for the words and the characters fields: a Chinese word found only
/// through its characters is highlighted character by character.
struct Snippets {
    body_words: SnippetGenerator,
    body_chars: SnippetGenerator,
    private_words: SnippetGenerator,
    private_chars: SnippetGenerator,
}

impl Snippets {
    fn new(searcher: &Searcher, query: &dyn Query, fields: &crate::schema::Fields) -> SearchResult<Snippets> {
        let generator = |field| -> SearchResult<SnippetGenerator> {
            let mut generator = SnippetGenerator::create(searcher, query, field)?;
            generator.set_max_num_chars(SNIPPET_CHARS);
            Ok(generator)
        };
        Ok(Snippets {
            body_words: generator(fields.body)?,
            body_chars: generator(fields.body_chars)?,
            private_words: generator(fields.private)?,
            private_chars: generator(fields.private_chars)?,
        })
    }

    fn best(&self, body: &str, private: Option<&str>) -> String {
        let mut candidates = vec![(&self.body_words, body), (&self.body_chars, body)];
        if let Some(private) = private.filter(|p| !p.is_empty()) {
            candidates.push((&self.private_words, private));
            candidates.push((&self.private_chars, private));
        }
        for (generator, text) in candidates {
            let snippet = generator.snippet(text);
            if !snippet.highlighted().is_empty() {
                return snippet.to_html();
            }
        }
        // Matched in the title only: the start of the body.
        let start: String = body.chars().take(SNIPPET_CHARS).collect();
        html_escape::encode_quoted_attribute(&start).into_owned()
    }
}
