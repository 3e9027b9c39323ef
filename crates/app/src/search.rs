//! Search: the index is derived from the store and fed after each commit.
//!
//! The feeder reads what changed from the store, never from the bus alone: committed
//! ticket events after its checkpoint (so a crash, a lagging bus or another node's
//! writes are caught up), customers after the last id it indexed, articles by the number
//! of their last change. On PostgreSQL another node can commit a smaller event, customer,
//! answer or article change number after a larger one: those positions move only over
//! rows the feeder first saw two seconds ago, and the rows read after them are remembered
//! ([`SettlingCursor`]).
//! The bus and the article/customer commands only wake it early. Each batch is committed
//! to the index with the checkpoint it reached, so a restart resumes exactly there; an index that is new, of another schema, or without a readable
//! checkpoint is rebuilt from the store. Who may see what is decided here, as filters.

use crate::error::{AppError, AppResult};
use crate::settling_cursor::SettlingCursor;
use crate::{Actor, App};
use jiff::Timestamp;
use kefu_domain::entities::{Customer, Id, Message, Ticket};
use kefu_domain::enums::{ActorKind, MessageKind};
use kefu_domain::hot::category_and_ancestors;
use kefu_domain::knowledge::{Article, KbCategory};
use kefu_domain::survey::{Slice, StoredAnswer};
pub use kefu_search::Analysis;
use kefu_search::{Doc, DocKind, SearchIndex, SearchRequest, SearchResults};
use kefu_store::Db;
use kefu_store::timeline::Numbered;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long after the feeder first saw a row it gives up waiting for a smaller number to
/// commit (PostgreSQL; see [`SettlingCursor`]).
const SETTLE_ROWS: Duration = Duration::from_secs(2);
/// How far back a rebuild starts its positions on PostgreSQL, by the rows' own instants
/// (another node's clock may be off by some seconds): what was written since is read
/// again by the first catch-up, and a row still committing is not skipped.
const REBUILD_SETTLE: jiff::SignedDuration = jiff::SignedDuration::from_secs(30);
/// How many changes one feeder pass reads (and commits at once).
const BATCH: u32 = 2_000;
/// How many documents the feeder builds before handing them to the index writer.
const DOCS_PER_ADD: usize = 500;
/// Documents per commit while rebuilding.
const REBUILD_BATCH: u32 = 5_000;
/// How often the feeder looks even when nothing woke it (other nodes' writes).
const POLL: Duration = Duration::from_secs(1);
/// Collects the changes of a burst into one commit.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// The least time between two commits under a steady stream of changes. A commit writes
/// and syncs a new segment, and segments must be merged again later: at a few thousand
/// tickets a second, committing every batch cost more CPU than indexing them. Changes
/// still show within a second.
const MIN_COMMIT_INTERVAL: Duration = Duration::from_millis(300);

/// The index and what wakes its feeder. Empty until [`App::start_search`] opened it.
#[derive(Clone, Default)]
pub(crate) struct SearchHandle {
    index: Arc<Mutex<Option<Arc<SearchIndex>>>>,
    feeder: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    stopping: Arc<std::sync::atomic::AtomicBool>,
    wake: Arc<Notify>,
    /// Existing customers changed since the last pass (new ones are found by id).
    changed_customers: Arc<Mutex<BTreeSet<Id>>>,
}

/// Where the feeder got to; stored as the index's commit payload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Checkpoint {
    event_id: Id,
    customer_id: Id,
    /// The last article change number looked at. An index written before articles were
    /// numbered by change holds `article_at_ms` and `article_id` instead (ignored): its
    /// articles are then fed again from 0, a few thousand documents at most.
    #[serde(default)]
    article_change: Id,
    /// The last survey answer looked at (answers are never changed once given). Missing
    /// from an index written before answers were searchable: they are then fed from 0.
    #[serde(default)]
    answer_id: Id,
}

impl Checkpoint {
    fn payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Where the feeder is: the checkpoint it stores, with the ticket events, customers,
/// article changes and answers after each settled position it has read already (on
/// PostgreSQL a smaller number can commit after a larger one; see [`SettlingCursor`]).
#[derive(Debug, Clone)]
struct Feed {
    checkpoint: Checkpoint,
    events: SettlingCursor,
    customers: SettlingCursor,
    articles: SettlingCursor,
    answers: SettlingCursor,
}

impl Feed {
    fn from(checkpoint: Checkpoint) -> Feed {
        Feed {
            checkpoint,
            events: SettlingCursor::at(checkpoint.event_id),
            customers: SettlingCursor::at(checkpoint.customer_id),
            articles: SettlingCursor::at(checkpoint.article_change),
            answers: SettlingCursor::at(checkpoint.answer_id),
        }
    }

    /// The checkpoint with the cursors' settled positions.
    fn settle(&mut self) {
        self.checkpoint.event_id = self.events.settled();
        self.checkpoint.customer_id = self.customers.settled();
        self.checkpoint.article_change = self.articles.settled();
        self.checkpoint.answer_id = self.answers.settled();
    }
}

/// What a reindex wrote, or what the index holds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ReindexSummary {
    pub tickets: u64,
    pub customers: u64,
    pub articles: u64,
    /// Survey answers with a comment or a written answer.
    pub answers: u64,
    pub seconds: f64,
}

/// A search as the API and the workspace ask it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// The text, in any mix of Chinese and English.
    #[serde(default)]
    pub q: String,
    /// `ticket` (default), `customer` or `article`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Tickets: status; articles: status.
    pub status: Option<String>,
    /// Tickets: team id, or `none`.
    pub team: Option<String>,
    /// Tickets: kind (`complaint`, ...).
    pub ticket_kind: Option<String>,
    pub tag: Option<String>,
    /// `zh` or `en`.
    pub lang: Option<String>,
    /// Tickets: category code; articles: category path (either includes what is below).
    pub category: Option<String>,
    /// Tickets: an agent who wrote in it (id).
    pub author: Option<Id>,
    /// Created at or after (RFC 3339).
    pub from: Option<String>,
    /// Created before (RFC 3339).
    pub to: Option<String>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

impl App {
    /// Opens the search index (in the configured directory, or in memory) and starts its
    /// feeder; an index that needs it is rebuilt in the background first. Call once, from
    /// `serve`.
    pub fn start_search(&self) -> AppResult<()> {
        let index = match self.config.search_dir.clone() {
            Some(dir) => SearchIndex::open(&dir),
            None => SearchIndex::in_memory(),
        }
        .map_err(|e| AppError::Internal(format!("{e} (is another Kefu using this data directory?)")))?;
        let index = Arc::new(index);
        let mut slot = self.search.index.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_some() {
            return Err(AppError::Internal("the search index was started twice".into()));
        }
        *slot = Some(index.clone());
        self.search.stopping.store(false, Ordering::SeqCst);
        let feeder = tokio::spawn(self.clone().feed_search(index));
        *self.search.feeder.lock().unwrap_or_else(PoisonError::into_inner) = Some(feeder);
        Ok(())
    }

    /// Stops the feeder and closes the index (its writer lock is released), so another
    /// server in this process, or `kefu reindex`, can open it.
    pub async fn stop_search(&self) {
        self.search.stopping.store(true, Ordering::SeqCst);
        self.search.wake.notify_one();
        let feeder = self.search.feeder.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(feeder) = feeder {
            let _ = feeder.await;
        }
        let index = self.search.index.lock().unwrap_or_else(PoisonError::into_inner).take();
        // The last reference closes the writer; that may wait for merges.
        if let Some(index) = index {
            let _ = tokio::task::spawn_blocking(move || drop(index)).await;
        }
    }

    /// Wakes the search feeder: something it indexes was just committed.
    pub(crate) fn wake_search(&self) {
        self.search.wake.notify_one();
    }

    /// Tells the search feeder an existing customer changed (after the commit).
    pub(crate) fn customer_changed(&self, id: Id) {
        self.search
            .changed_customers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id);
        self.wake_search();
    }

    /// Whether this process has the search index open (`serve` does; most commands not).
    pub(crate) fn search_is_running(&self) -> bool {
        self.search.index.lock().unwrap_or_else(PoisonError::into_inner).is_some()
    }

    fn search_index(&self) -> AppResult<Arc<SearchIndex>> {
        self.search
            .index
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| AppError::Internal("search is not started".into()))
    }

    async fn feed_search(self, index: Arc<SearchIndex>) {
        let checkpoint = index
            .checkpoint()
            .ok()
            .flatten()
            .and_then(|payload| serde_json::from_str::<Checkpoint>(&payload).ok());
        let checkpoint = match checkpoint {
            Some(found) if !index.was_created() => found,
            _ => loop {
                if self.search.stopping.load(Ordering::SeqCst) {
                    return;
                }
                match rebuild(self.db(), &index).await {
                    Ok((checkpoint, summary)) => {
                        tracing::info!(?summary, "search index built from the store");
                        break checkpoint;
                    }
                    Err(error) => {
                        tracing::error!(%error, "building the search index failed; retrying in 5 s");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            },
        };
        let mut feed = Feed::from(checkpoint);
        let mut bus = self.subscribe();
        while !self.search.stopping.load(Ordering::SeqCst) {
            let pass_started = Instant::now();
            let changed_customers = std::mem::take(&mut *self.search.changed_customers.lock().unwrap_or_else(PoisonError::into_inner));
            match catch_up(self.db(), &index, &feed, changed_customers).await {
                Ok((next, full)) => {
                    feed = next;
                    if full {
                        continue;
                    }
                }
                Err(error) => tracing::warn!(%error, "search index update failed; retrying"),
            }
            tokio::select! {
                _ = bus.recv() => {}
                _ = self.search.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            let since_last = pass_started.elapsed();
            tokio::time::sleep(DEBOUNCE.max(MIN_COMMIT_INTERVAL.saturating_sub(since_last))).await;
            // Everything already queued is in the store; the next pass reads it.
            bus = bus.resubscribe();
        }
    }

    /// Rebuilds the search index from the store, for `kefu reindex` (no server may be
    /// running on the same data directory: the index has one writer).
    pub async fn reindex(&self) -> AppResult<ReindexSummary> {
        let index = match self.config.search_dir.clone() {
            Some(dir) => SearchIndex::open(&dir),
            None => SearchIndex::in_memory(),
        }
        .map_err(|e| AppError::Internal(format!("{e} (is a Kefu server running on this data directory?)")))?;
        Ok(rebuild(self.db(), &Arc::new(index)).await?.1)
    }

    /// Searches what `actor` may see.
    pub async fn search(&self, actor: &Actor, params: SearchParams) -> AppResult<SearchResults> {
        let mut request = parse_params(&params)?;
        match request.kind {
            Some(DocKind::Ticket) => {
                request.include_private = true;
                if !actor.is_supervisor() {
                    let mut visible = vec!["visible:team:none".to_owned(), format!("visible:agent:{}", actor.id)];
                    visible.extend(actor.teams.iter().map(|t| format!("visible:team:{t}")));
                    request.all_of.push(visible);
                }
                request.facets = ["status", "kind", "priority", "team", "channel"].map(String::from).to_vec();
            }
            Some(DocKind::Customer) => request.facets = vec!["tier".to_owned()],
            Some(DocKind::Article | DocKind::Answer) | None => request.facets = ["category", "lang", "status"].map(String::from).to_vec(),
        }
        self.run_search(request).await
    }

    /// Searches published, public articles: the help center, for anyone. A search that
    /// finds nothing is remembered for the knowledge-base team.
    pub async fn search_help_center(&self, q: &str, lang: Option<&str>, limit: usize) -> AppResult<SearchResults> {
        let results = self.public_articles_matching(q, lang, limit).await?;
        if results.total == 0 {
            let query: String = q.trim().to_lowercase().chars().take(200).collect();
            let at = crate::now();
            self.db()
                .write(move |tx| {
                    Box::pin(
                        async move { Ok::<_, AppError>(kefu_store::knowledge::record_search_miss(tx.exec(), "help", &query, at).await?) },
                    )
                })
                .await?;
        }
        Ok(results)
    }

    /// Published, public articles matching `q`, best first (nothing is recorded).
    pub(crate) async fn public_articles_matching(&self, q: &str, lang: Option<&str>, limit: usize) -> AppResult<SearchResults> {
        let params = SearchParams {
            q: q.to_owned(),
            kind: Some("article".to_owned()),
            lang: lang.map(str::to_owned),
            limit: Some(limit),
            ..SearchParams::default()
        };
        let mut request = parse_params(&params)?;
        request.all_of.push(vec!["audience:public".to_owned()]);
        request.facets = vec!["category".to_owned()];
        self.run_search(request).await
    }

    /// The help center's most frequent searches that found nothing (supervisors).
    pub async fn search_misses(&self, actor: &Actor) -> AppResult<Vec<(String, i64, Timestamp)>> {
        actor.require_supervisor("only supervisors see what customers searched")?;
        Ok(kefu_store::knowledge::search_misses(self.db().read(), "help", 100).await?)
    }

    /// Published articles that may answer a ticket, from its subject and description
    /// (for the ticket page's sidebar).
    pub async fn suggest_articles(
        &self,
        actor: &Actor,
        number: kefu_domain::entities::TicketNumber,
        limit: usize,
    ) -> AppResult<SearchResults> {
        let ticket = crate::tickets::load_visible(self.db().read(), actor, number).await?;
        // The subject says what it is about; the start of the description adds detail
        // without letting a long story drown it.
        let description: String = ticket.description.chars().take(300).collect();
        let request = SearchRequest {
            text: format!("{} {} {description}", ticket.subject, ticket.subject),
            kind: Some(DocKind::Article),
            all_of: vec![vec!["status:published".to_owned()]],
            limit,
            ..SearchRequest::default()
        };
        self.run_search(request).await
    }

    /// How many tickets, customers and articles are searchable now.
    pub fn indexed_counts(&self) -> AppResult<ReindexSummary> {
        let index = self.search_index()?;
        let count = |kind| index.count(kind).map_err(|e| AppError::Internal(e.to_string()));
        Ok(ReindexSummary {
            tickets: count(DocKind::Ticket)?,
            customers: count(DocKind::Customer)?,
            articles: count(DocKind::Article)?,
            answers: count(DocKind::Answer)?,
            seconds: 0.0,
        })
    }

    /// A search with the analysis chosen by the caller: for measuring relevance.
    pub async fn search_articles_with(&self, q: &str, analysis: Analysis, limit: usize) -> AppResult<SearchResults> {
        let request = SearchRequest {
            text: q.to_owned(),
            kind: Some(DocKind::Article),
            limit,
            analysis,
            ..SearchRequest::default()
        };
        self.run_search(request).await
    }

    pub(crate) async fn run_search(&self, request: SearchRequest) -> AppResult<SearchResults> {
        on_index(&self.search_index()?, move |index| index.search(&request)).await
    }
}

fn parse_params(params: &SearchParams) -> AppResult<SearchRequest> {
    let text = params.q.trim();
    if text.chars().count() > 500 {
        return Err(AppError::field("q", "too_long", "at most 500 characters"));
    }
    let kind = match params.kind.as_deref().unwrap_or("ticket") {
        "ticket" => DocKind::Ticket,
        "customer" => DocKind::Customer,
        "article" => DocKind::Article,
        _ => {
            return Err(AppError::field(
                "type",
                "unknown_value",
                "must be one of: ticket, customer, article",
            ));
        }
    };
    let mut all_of = Vec::new();
    let mut key = |name: &str, value: &Option<String>| {
        if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            all_of.push(vec![format!("{name}:{value}")]);
        }
    };
    key("status", &params.status);
    key("team", &params.team);
    key("kind", &params.ticket_kind);
    key("tag", &params.tag);
    key("lang", &params.lang);
    key("category", &params.category.as_ref().map(|c| c.trim_matches('/').to_owned()));
    if let Some(author) = params.author {
        all_of.push(vec![format!("author:{author}")]);
    }
    let instant = |field: &str, value: &Option<String>| -> AppResult<Option<i64>> {
        value
            .as_deref()
            .map(|v| {
                v.parse::<Timestamp>()
                    .map(|t| t.as_millisecond())
                    .map_err(|_| AppError::field(field, "invalid_datetime", "an RFC 3339 date-time, e.g. 2026-11-01T00:00:00Z"))
            })
            .transpose()
    };
    let created_from = instant("from", &params.from)?;
    let created_to = instant("to", &params.to)?;
    // Without text the filters list their documents, newest first; without either there
    // is nothing to ask.
    if text.is_empty() && all_of.is_empty() && created_from.is_none() && created_to.is_none() {
        return Err(AppError::field("q", "required", "type something to search for, or filter"));
    }
    Ok(SearchRequest {
        text: text.to_owned(),
        kind: Some(kind),
        all_of,
        created_from,
        created_to,
        offset: params.offset.unwrap_or(0).min(1_000),
        limit: params.limit.unwrap_or(20).clamp(1, 100),
        ..SearchRequest::default()
    })
}

/// Indexes everything written after `feed`'s positions; returns the feed moved on and
/// whether a batch was full (more is waiting). The feed given is left as it was if
/// indexing fails, so the next pass reads the same rows again.
async fn catch_up(db: &Db, index: &Arc<SearchIndex>, feed: &Feed, changed_customers: BTreeSet<Id>) -> AppResult<(Feed, bool)> {
    let mut next = feed.clone();
    // A single writer (SQLite) commits in number order: nothing to wait for.
    let settle = db.is_postgres().then_some(SETTLE_ROWS);
    let now = Instant::now();

    let limit = next.events.read_limit(BATCH);
    let changes = kefu_store::timeline::ticket_changes_after(db.read(), next.events.settled(), limit).await?;
    let mut full = changes.len() as u32 == limit;
    let ticket_ids: BTreeSet<Id> = next.events.take(changes, now, settle).into_iter().collect();

    let limit = next.customers.read_limit(BATCH);
    let query = kefu_store::customers::CustomerQuery {
        after_id: Some(next.customers.settled()),
        limit: limit as usize,
        ..Default::default()
    };
    let found = kefu_store::customers::list_customers(db.read(), &query).await?;
    full |= found.len() as u32 == limit;
    let mut customers = next.customers.take(found.into_iter().map(|c| (c.id, c)).collect(), now, settle);
    // A changed customer not read yet is indexed when it is.
    let changed: Vec<Id> = changed_customers.into_iter().filter(|id| next.customers.has_read(*id)).collect();
    customers.extend(kefu_store::customers::customers_by_ids(db.read(), &changed).await?);

    let limit = next.articles.read_limit(BATCH);
    let found = kefu_store::knowledge::articles_changed_since(db.read(), next.articles.settled(), limit).await?;
    full |= found.len() as u32 == limit;
    let articles = next.articles.take(found, now, settle);

    let limit = next.answers.read_limit(BATCH);
    let found = kefu_store::surveys::answers_after(db.read(), next.answers.settled(), limit).await?;
    full |= found.len() as u32 == limit;
    let answers = next.answers.take(found.into_iter().map(|a| (a.id, a)).collect(), now, settle);

    next.settle();
    if ticket_ids.is_empty() && customers.is_empty() && articles.is_empty() && answers.is_empty() {
        return Ok((next, full));
    }
    // The documents go to the index writer a part at a time (it buffers them until the
    // commit), so a full batch is never built in memory all at once: under a full create
    // load that was 30-45 MB of the server's peak (BENCHMARKS.md). If a part fails, the
    // next pass reads the same changes again; what was added already is replaced then
    // (each add deletes the document's older versions first).
    let ticket_ids: Vec<Id> = ticket_ids.into_iter().collect();
    for part in ticket_ids.chunks(DOCS_PER_ADD) {
        add(index, ticket_docs(db, part).await?).await?;
    }
    for part in customers.chunks(DOCS_PER_ADD) {
        add(index, part.iter().map(customer_doc).collect()).await?;
    }
    let categories = category_paths(db).await?;
    let mut docs: Vec<Doc> = articles.iter().map(|a| article_doc(a, &categories)).collect();
    docs.extend(answers.iter().filter_map(answer_doc));
    add(index, docs).await?;
    let checkpoint = next.checkpoint.payload();
    on_index(index, move |index| index.commit(&checkpoint)).await?;
    Ok((next, full))
}

/// Runs blocking index work (a commit, a search) off the async runtime.
async fn on_index<T: Send + 'static>(
    index: &Arc<SearchIndex>,
    work: impl FnOnce(&SearchIndex) -> kefu_search::SearchResult<T> + Send + 'static,
) -> AppResult<T> {
    let index = index.clone();
    tokio::task::spawn_blocking(move || work(&index))
        .await
        .map_err(|e| AppError::Internal(format!("index task: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Hands `docs` to the index writer, to be committed later.
async fn add(index: &Arc<SearchIndex>, docs: Vec<Doc>) -> AppResult<()> {
    on_index(index, move |index| index.add(&docs, &[])).await
}

/// Writes `docs` and commits with `checkpoint`; an empty checkpoint marks a rebuild
/// batch (a crash before the rebuild ends leaves no checkpoint, so it starts again).
async fn write(index: &Arc<SearchIndex>, docs: Vec<Doc>, checkpoint: Option<Checkpoint>) -> AppResult<()> {
    let payload = checkpoint.map(|c| c.payload()).unwrap_or_default();
    on_index(index, move |index| index.write(&docs, &[], &payload)).await
}

/// Empties the index and fills it from the store. The checkpoint is taken before
/// reading, so what is written meanwhile is indexed again by the next catch-up.
async fn rebuild(db: &Db, index: &Arc<SearchIndex>) -> AppResult<(Checkpoint, ReindexSummary)> {
    let started = Instant::now();
    // On PostgreSQL a row still committing below the newest numbers is read by the first
    // catch-up: the positions start before what was written in the last moments.
    let settled_before = db.is_postgres().then(|| crate::now() - REBUILD_SETTLE);
    let settled = |rows: Numbered| async move {
        match settled_before {
            Some(before) => kefu_store::timeline::last_number_written_before(db.read(), rows, before).await,
            None => Ok(Id::MAX),
        }
    };
    let checkpoint = Checkpoint {
        event_id: kefu_store::timeline::last_event_id(db.read())
            .await?
            .min(settled(Numbered::TicketEvents).await?),
        ..Checkpoint::default()
    };
    // An empty payload: a crash in the middle leaves no checkpoint, so the next start
    // rebuilds again.
    on_index(index, |index| index.clear("")).await?;
    let mut summary = ReindexSummary::default();
    let mut after = 0;
    loop {
        let ids = kefu_store::tickets::ticket_ids_after(db.read(), after, REBUILD_BATCH).await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        let docs = ticket_docs(db, &ids).await?;
        summary.tickets += docs.len() as u64;
        write(index, docs, None).await?;
    }
    let mut last_customer = 0;
    loop {
        let query = kefu_store::customers::CustomerQuery {
            after_id: Some(last_customer),
            limit: REBUILD_BATCH as usize,
            ..Default::default()
        };
        let customers = kefu_store::customers::list_customers(db.read(), &query).await?;
        let Some(last) = customers.last() else { break };
        last_customer = last.id;
        summary.customers += customers.len() as u64;
        write(index, customers.iter().map(customer_doc).collect(), None).await?;
    }
    let categories = category_paths(db).await?;
    let mut last_article_change = 0;
    loop {
        let articles = kefu_store::knowledge::articles_changed_since(db.read(), last_article_change, REBUILD_BATCH).await?;
        let Some(&(last, _)) = articles.last() else { break };
        last_article_change = last;
        summary.articles += articles.len() as u64;
        write(index, articles.iter().map(|(_, a)| article_doc(a, &categories)).collect(), None).await?;
    }
    let mut last_answer = 0;
    loop {
        let answers = kefu_store::surveys::answers_after(db.read(), last_answer, REBUILD_BATCH).await?;
        let Some(last) = answers.last() else { break };
        last_answer = last.id;
        let docs: Vec<Doc> = answers.iter().filter_map(answer_doc).collect();
        summary.answers += docs.len() as u64;
        write(index, docs, None).await?;
    }
    // Customers, articles and answers were read to their end after the event checkpoint;
    // resume them from there.
    let checkpoint = Checkpoint {
        customer_id: last_customer.min(settled(Numbered::Customers).await?),
        article_change: last_article_change.min(settled(Numbered::ArticleChanges).await?),
        answer_id: last_answer.min(settled(Numbered::SurveyAnswers).await?),
        ..checkpoint
    };
    write(index, Vec::new(), Some(checkpoint)).await?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok((checkpoint, summary))
}

async fn ticket_docs(db: &Db, ids: &[Id]) -> AppResult<Vec<Doc>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let tickets = kefu_store::tickets::tickets_by_ids(db.read(), ids).await?;
    let mut messages: HashMap<Id, Vec<Message>> = HashMap::new();
    for (ticket, message) in kefu_store::timeline::messages_of_tickets(db.read(), ids).await? {
        messages.entry(ticket).or_default().push(message);
    }
    Ok(tickets
        .iter()
        .map(|t| ticket_doc(t, messages.get(&t.id).map(Vec::as_slice).unwrap_or_default()))
        .collect())
}

fn ticket_doc(ticket: &Ticket, messages: &[Message]) -> Doc {
    let mut body = ticket.description.clone();
    let mut private = String::new();
    let mut authors = BTreeSet::new();
    for message in messages {
        let text = if message.kind == MessageKind::Note {
            &mut private
        } else {
            &mut body
        };
        text.push('\n');
        text.push_str(&message.body);
        if message.author_kind == ActorKind::Agent
            && let Some(id) = message.author_id
        {
            authors.insert(id);
        }
    }
    let team = ticket.team_id.map_or("none".to_owned(), |t| t.to_string());
    let mut keys = vec![
        format!("status:{}", ticket.status.as_str()),
        format!("kind:{}", ticket.kind.as_str()),
        format!("priority:{}", ticket.priority.as_str()),
        format!("channel:{}", ticket.channel.as_str()),
        format!("team:{team}"),
        format!("customer:{}", ticket.customer_id),
        format!("visible:team:{team}"),
    ];
    keys.extend(
        ticket
            .assignee_id
            .iter()
            .chain(&ticket.owner_id)
            .map(|a| format!("visible:agent:{a}")),
    );
    keys.extend(authors.iter().map(|a| format!("author:{a}")));
    keys.extend(ticket.tags.iter().map(|t| format!("tag:{t}")));
    keys.extend(ticket.language.iter().map(|l| format!("lang:{l}")));
    // A category filter includes what is below it, as the ticket list's does.
    if let Some(category) = &ticket.category {
        keys.extend(category_and_ancestors(category).map(|c| format!("category:{c}")));
    }
    let mut facets = vec![
        ("status".to_owned(), ticket.status.as_str().to_owned()),
        ("kind".to_owned(), ticket.kind.as_str().to_owned()),
        ("priority".to_owned(), ticket.priority.as_str().to_owned()),
        ("channel".to_owned(), ticket.channel.as_str().to_owned()),
        ("team".to_owned(), team),
    ];
    facets.extend(ticket.tags.iter().map(|t| ("tag".to_owned(), t.clone())));
    Doc {
        kind: DocKind::Ticket,
        id: ticket.id,
        title: ticket.subject.clone(),
        body,
        private,
        keys,
        facets,
        created_ms: ticket.created_at.as_millisecond(),
        meta: serde_json::json!({
            "number": ticket.number,
            "status": ticket.status,
            "kind": ticket.kind,
            "priority": ticket.priority,
            "customer_id": ticket.customer_id,
            "team_id": ticket.team_id,
            "assignee_id": ticket.assignee_id,
            "updated_at": ticket.updated_at,
        }),
    }
}

/// A survey answer as the satisfaction report searches it: its comment and written
/// answers, with the report's filters (design, low, every slice) as keys. `None` when
/// the customer wrote nothing.
fn answer_doc(answer: &StoredAnswer) -> Option<Doc> {
    let written = answer.answer.comment.iter().chain(answer.answer.texts.values());
    let body = written.map(|t| t.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n");
    if body.is_empty() {
        return None;
    }
    let mut keys = vec![format!("design:{}", answer.design_key), format!("low:{}", answer.answer.low)];
    keys.extend(
        Slice::ALL
            .iter()
            .map(|&slice| answer_slice_key(slice, &answer.facts.value_of(slice))),
    );
    Some(Doc {
        kind: DocKind::Answer,
        id: answer.id,
        title: String::new(),
        body,
        private: String::new(),
        keys,
        facets: Vec::new(),
        created_ms: answer.submitted_at.as_millisecond(),
        meta: serde_json::json!({ "design": answer.design_key, "score": answer.answer.score, "low": answer.answer.low }),
    })
}

/// The index key of an answer's slice value (what the report filters by). Team and agent
/// ids are compared as numbers, as the answer list compares them (`007` is team 7; a
/// value that is no number matches nothing).
pub(crate) fn answer_slice_key(slice: Slice, value: &str) -> String {
    let value = match slice {
        Slice::Team | Slice::Agent => value
            .trim()
            .parse::<Id>()
            .map_or_else(|_| "not-an-id".to_owned(), |id| id.to_string()),
        _ => value.to_owned(),
    };
    format!("{}:{value}", slice.as_str())
}

fn customer_doc(customer: &Customer) -> Doc {
    let email = customer.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default();
    let phone = customer.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let organization = customer.organization.clone().unwrap_or_default();
    // E-mail addresses also as words: `zhang.wei@example.com` is found by `zhang`.
    let body = [
        email.as_str(),
        &email.replace(['@', '.', '_', '-'], " "),
        phone.as_str(),
        organization.as_str(),
        &customer.tags.join(" "),
    ]
    .join("\n");
    Doc {
        kind: DocKind::Customer,
        id: customer.id,
        title: customer.name.clone(),
        body,
        private: String::new(),
        keys: vec![format!("tier:{}", customer.tier.as_str())],
        facets: vec![("tier".to_owned(), customer.tier.as_str().to_owned())],
        created_ms: customer.created_at.as_millisecond(),
        meta: serde_json::json!({
            "name": customer.name,
            "email": customer.email.as_ref().map(|e| e.as_str()),
            "phone": customer.phone.as_ref().map(|p| p.as_str()),
            "organization": customer.organization,
            "tier": customer.tier,
        }),
    }
}

async fn category_paths(db: &Db) -> AppResult<HashMap<Id, String>> {
    Ok(kefu_store::knowledge::categories(db.read())
        .await?
        .into_iter()
        .map(|KbCategory { id, path, .. }| (id, path))
        .collect())
}

fn article_doc(article: &Article, categories: &HashMap<Id, String>) -> Doc {
    let category = article.category_id.and_then(|id| categories.get(&id)).cloned();
    let audience = if article.is_public() {
        "public"
    } else if article.internal {
        "internal"
    } else {
        "unpublished"
    };
    let mut keys = vec![
        format!("status:{}", article.status.as_str()),
        format!("audience:{audience}"),
        format!("lang:{}", article.locale.language()),
    ];
    // A category filter includes its subcategories.
    if let Some(path) = &category {
        let mut prefix = String::new();
        for segment in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            keys.push(format!("category:{prefix}"));
        }
    }
    keys.extend(article.tags.iter().map(|t| format!("tag:{t}")));
    let mut facets = vec![
        ("lang".to_owned(), article.locale.language().to_owned()),
        ("status".to_owned(), article.status.as_str().to_owned()),
    ];
    facets.extend(category.iter().map(|c| ("category".to_owned(), c.clone())));
    // Tags and the product are words readers search by.
    let mut body = article.body.clone();
    for extra in article.tags.iter().chain(&article.product) {
        body.push('\n');
        body.push_str(extra);
    }
    Doc {
        kind: DocKind::Article,
        id: article.id,
        title: article.title.clone(),
        body,
        private: String::new(),
        keys,
        facets,
        created_ms: article.created_at.as_millisecond(),
        meta: serde_json::json!({
            "slug": article.slug,
            "locale": article.locale.as_str(),
            "status": article.status,
            "internal": article.internal,
            "category": category,
        }),
    }
}
