//! Hot issues (热点问题): the topics of new tickets counted per hour, the report of what
//! is rising against the same hours of the last four weeks, and the alerts that tell the
//! supervisors. The rules are in `kefu_domain::hot`.
//!
//! Topics are counted by the analytics reactor after the KPI fold, in their own batches
//! with their own cursor: segmenting subjects and descriptions is CPU work, done before
//! the write transaction, which then only adds counts (and is thrown away if another
//! node moved the cursor meanwhile). Counts older than any report compares with are
//! never folded and are pruned as the window moves.

use crate::analytics::SETTLE;
use crate::error::{AppError, AppResult};
use crate::search::SearchParams;
use crate::{Actor, App, now};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::analytics::{hour_of, hour_start};
use kefu_domain::entities::{Id, TicketNumber};
use kefu_domain::enums::Role;
use kefu_domain::event::EventKind;
use kefu_domain::hot::{Facet, RETENTION_HOURS, Rise, Thresholds, WEEKS, Windows, added_tags, category_and_ancestors, topics_of};
use kefu_domain::service::{NewNotification, NotificationKind};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::analytics::{FoldEvent, events_after};
use kefu_store::hot_issues::{self as store, HotAlert, TopicCount};
use kefu_store::{categories, notifications, people};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// Events whose topics one batch counts.
const BATCH: u32 = 2_000;
/// Tickets shown behind each topic.
const TICKETS_PER_TOPIC: usize = 5;
/// Topics a report lists by default, and at most.
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
/// The window reports and alerts use unless asked otherwise.
const DEFAULT_WINDOW_HOURS: i64 = 24;

/// A hot-issues report as the API and the page ask it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct HotParams {
    /// Hours in the current window, 1 to 72 (default 24).
    pub hours: Option<String>,
    /// Only `category`, `tag`, `product` or `word` topics.
    pub facet: Option<String>,
    /// Topics listed, 1 to 100 (default 20).
    pub limit: Option<String>,
}

/// A rising topic.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotTopic {
    pub facet: Facet,
    /// The category code, tag, product or word.
    pub term: String,
    /// The category's names (categories only).
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    #[serde(flatten)]
    pub rise: Rise,
    /// Whether it is past the alert thresholds too.
    pub alert: bool,
    /// Tickets about it the reader may see, created in the window (at most five): the
    /// newest for categories and tags, the best search matches for words and products
    /// (none while the search index is still being built).
    pub tickets: Vec<TopicTicket>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicTicket {
    pub number: TicketNumber,
    pub subject: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotReport {
    /// The current window: from the start of its first hour to now.
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    pub hours: i64,
    /// Earlier windows compared with (the same hours, 1 to 4 weeks back).
    pub weeks: i64,
    /// Topics with at least one ticket in the current window (how many were tested).
    pub topics_seen: usize,
    /// Rising topics, the least likely by chance first (then the steepest rise).
    pub topics: Vec<HotTopic>,
    /// Alerts raised in the last seven days, newest first.
    pub alerts: Vec<RaisedAlert>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RaisedAlert {
    pub facet: Facet,
    pub term: String,
    #[schema(value_type = String, format = DateTime)]
    pub raised_at: Timestamp,
    pub tickets: i64,
    pub usual: f64,
}

/// A rising topic before its tickets are looked up.
struct Candidate {
    facet: Facet,
    term: String,
    rise: Rise,
}

impl App {
    /// Counts the topics of events after the topic cursor, one batch; returns whether more
    /// are waiting (the batch was full, or skipped history too old to count).
    pub(crate) async fn fold_topics_batch(&self) -> AppResult<bool> {
        let started = store::position(self.db().read()).await?;
        let started_at = started.event_id;
        let at = now();
        let horizon = hour_of(at) - RETENTION_HOURS;
        // Years of history before the horizon would count nothing: skip them unread.
        let mut from = started_at;
        if let Some(first) = events_after(self.db().read(), from, 1, None).await?.events.first()
            && first.event.at < hour_start(horizon)
        {
            from = from.max(store::last_event_before(self.db().read(), hour_start(horizon)).await?);
        }
        let settled_before = self.db().is_postgres().then(|| at - SETTLE);
        let batch = events_after(self.db().read(), from, BATCH, settled_before).await?;
        let last = batch.last_id.unwrap_or(from);
        if last == started_at {
            return Ok(false);
        }
        let created: Vec<Id> = batch
            .events
            .iter()
            .filter(|e| e.event.kind == EventKind::Created)
            .map(|e| e.ticket_id)
            .collect();
        let descriptions: HashMap<Id, String> = store::descriptions(self.db().read(), &created).await?.into_iter().collect();
        let events = batch.events;
        let counts = tokio::task::spawn_blocking(move || count_topics(&events, &descriptions, horizon))
            .await
            .map_err(|e| AppError::Internal(format!("counting topics: {e}")))?;
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    // Another node (or a rebuild) moved the cursor since: its work stands.
                    // (After a rebuild the event id alone may have come back to the same
                    // value; the position tells the two apart.)
                    if store::lock_position(tx).await? != Some(started) {
                        return Ok::<_, AppError>(());
                    }
                    store::add_counts(tx, &counts).await?;
                    store::prune(tx, horizon).await?;
                    store::set_cursor(tx, last).await?;
                    Ok(())
                })
            })
            .await?;
        Ok(from != started_at || batch.scanned >= BATCH as usize)
    }

    /// Rising topics now. Supervisors and admins only.
    pub async fn hot_issues(&self, actor: &Actor, params: HotParams) -> AppResult<HotReport> {
        actor.require_supervisor("reports")?;
        let query = parse_params(&params)?;
        let at = now();
        let windows = Windows::ending_at(hour_of(at), query.hours);
        let (seen, candidates) = self.rising(&windows, &Thresholds::LIST, query.facet).await?;
        let names: HashMap<String, (String, String)> = categories::list_categories(self.db().read())
            .await?
            .into_iter()
            .map(|c| (c.code, (c.name_zh, c.name_en)))
            .collect();
        let from = hour_start(windows.current.0);
        let listed: Vec<Candidate> = candidates.into_iter().take(query.limit).collect();
        // The lookups are independent reads: run them side by side.
        let behind = futures::future::try_join_all(listed.iter().map(|c| self.tickets_about(actor, c.facet, &c.term, from))).await?;
        let topics = listed
            .into_iter()
            .zip(behind)
            .map(|(candidate, tickets)| {
                let (name_zh, name_en) = match (candidate.facet, names.get(&candidate.term)) {
                    (Facet::Category, Some((zh, en))) => (Some(zh.clone()), Some(en.clone())),
                    _ => (None, None),
                };
                HotTopic {
                    alert: candidate.rise.is_rising(&Thresholds::ALERT),
                    facet: candidate.facet,
                    term: candidate.term,
                    name_zh,
                    name_en,
                    rise: candidate.rise,
                    tickets,
                }
            })
            .collect();
        let alerts = store::alerts_since(self.db().read(), at - SignedDuration::from_hours(7 * 24))
            .await?
            .into_iter()
            .map(|a| RaisedAlert {
                facet: a.facet,
                term: a.term,
                raised_at: a.raised_at,
                tickets: a.tickets,
                usual: a.usual,
            })
            .collect();
        Ok(HotReport {
            from,
            to: at,
            hours: query.hours,
            weeks: WEEKS,
            topics_seen: seen,
            topics,
            alerts,
        })
    }

    /// Raises an alert for every topic past the alert thresholds over the last day that
    /// has had none in that day: a notification to each active supervisor and admin.
    /// Returns the topics alerted. The reactor calls it every few minutes.
    pub async fn check_hot_alerts(&self) -> AppResult<Vec<(Facet, String)>> {
        let at = now();
        let windows = Windows::ending_at(hour_of(at), DEFAULT_WINDOW_HOURS);
        let (_, candidates) = self.rising(&windows, &Thresholds::ALERT, None).await?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let quiet_since = at - SignedDuration::from_hours(DEFAULT_WINDOW_HOURS);
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let readers: Vec<Id> = people::list_agents(tx.exec())
                        .await?
                        .into_iter()
                        .filter(|a| a.active && matches!(a.role, Role::Supervisor | Role::Admin))
                        .map(|a| a.id)
                        .collect();
                    let mut raised = Vec::new();
                    let mut notes = Vec::new();
                    for c in candidates {
                        let alert = HotAlert {
                            facet: c.facet,
                            term: c.term.clone(),
                            raised_at: at,
                            tickets: i64::from(c.rise.now),
                            usual: c.rise.usual,
                            surprise: c.rise.surprise,
                        };
                        if !store::raise_alert(tx, &alert, quiet_since).await? {
                            continue;
                        }
                        let data = alert_data(&c);
                        notes.extend(readers.iter().map(|&agent_id| NewNotification {
                            agent_id,
                            kind: NotificationKind::HotIssue,
                            ticket_id: None,
                            data: data.clone(),
                        }));
                        raised.push((c.facet, c.term));
                    }
                    notifications::insert_notifications(tx.exec(), &notes, at).await?;
                    Ok::<_, AppError>(raised)
                })
            })
            .await
    }

    /// Topics past `thresholds` in `windows`, the least likely first; and how many topics
    /// the current window has.
    async fn rising(&self, windows: &Windows, thresholds: &Thresholds, facet: Option<Facet>) -> AppResult<(usize, Vec<Candidate>)> {
        // A topic with fewer tickets than the threshold now cannot rise: only the others
        // are read, and the five windows side by side.
        let min = i64::from(thresholds.min_tickets);
        let (from, to) = windows.current;
        let (seen, current, earlier_counts) = tokio::try_join!(
            store::topics_in_window(self.db().read(), from, to),
            store::window_counts(self.db().read(), from, to, min),
            futures::future::try_join_all(
                windows
                    .earlier
                    .iter()
                    .map(|&(from, to)| store::window_counts(self.db().read(), from, to, 1))
            ),
        )?;
        let mut earlier: HashMap<(Facet, String), [u32; WEEKS as usize]> = HashMap::new();
        for (week, counts) in earlier_counts.into_iter().enumerate() {
            for (f, term, n) in counts {
                earlier.entry((f, term)).or_default()[week] = count(n);
            }
        }
        let mut candidates: Vec<Candidate> = current
            .into_iter()
            .filter(|(f, _, _)| facet.is_none_or(|wanted| wanted == *f))
            .filter_map(|(f, term, n)| {
                let before = earlier.get(&(f, term.clone())).copied().unwrap_or_default();
                let rise = Rise::assess(count(n), before);
                rise.is_rising(thresholds).then_some(Candidate { facet: f, term, rise })
            })
            .collect();
        candidates.sort_by(|a, b| {
            b.rise
                .surprise
                .total_cmp(&a.rise.surprise)
                // Surprise is capped: among the certain ones, the steepest rise first
                // (a new fault before a busy category).
                .then(b.rise.ratio.total_cmp(&a.rise.ratio))
                .then(b.rise.now.cmp(&a.rise.now))
                .then_with(|| (a.facet, &a.term).cmp(&(b.facet, &b.term)))
        });
        Ok((seen, candidates))
    }

    /// Tickets about a topic that `actor` may see, created in the window, from the search
    /// index: the newest for a category or tag, the best matches for a word or product.
    async fn tickets_about(&self, actor: &Actor, facet: Facet, term: &str, from: Timestamp) -> AppResult<Vec<TopicTicket>> {
        if !self.search_is_running() {
            // `kefu` commands run without the index: the counts stand without tickets.
            return Ok(Vec::new());
        }
        let mut params = SearchParams {
            kind: Some("ticket".into()),
            from: Some(from.to_string()),
            limit: Some(TICKETS_PER_TOPIC),
            ..Default::default()
        };
        match facet {
            Facet::Category => params.category = Some(term.to_owned()),
            Facet::Tag => params.tag = Some(term.to_owned()),
            Facet::Product | Facet::Word => params.q = term.to_owned(),
        }
        Ok(self
            .search(actor, params)
            .await?
            .hits
            .into_iter()
            .filter_map(|hit| {
                Some(TopicTicket {
                    number: hit.meta.get("number")?.as_i64()?,
                    subject: hit.title,
                })
            })
            .collect())
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

fn alert_data(c: &Candidate) -> Value {
    json!({ "facet": c.facet, "term": c.term, "tickets": c.rise.now, "usual": c.rise.usual })
}

/// Tickets per topic per hour in these events, for hours from `horizon` on. A topic
/// counts once per ticket and hour, in the hour the ticket said it.
fn count_topics(events: &[FoldEvent], descriptions: &HashMap<Id, String>, horizon: i64) -> Vec<TopicCount> {
    let mut said: BTreeMap<(i64, Facet, String), std::collections::BTreeSet<Id>> = BTreeMap::new();
    for item in events {
        let event = &item.event;
        let hour = hour_of(event.at);
        if hour < horizon {
            continue;
        }
        let data = &event.data;
        let topics = match event.kind {
            EventKind::Created => {
                let subject = data.get("subject").and_then(Value::as_str).unwrap_or_default();
                let description = descriptions.get(&item.ticket_id).map_or("", String::as_str);
                let words = kefu_search::analysis::topic_words(&format!("{subject}\n{description}"));
                topics_of(
                    data.get("category").and_then(Value::as_str),
                    &strings(data.get("tags")),
                    data.get("product").and_then(Value::as_str),
                    &words,
                )
            }
            // A category given later counts the levels the old one did not have.
            EventKind::CategoryChanged => {
                let before = data.get("before").and_then(Value::as_str).unwrap_or_default();
                let old: Vec<&str> = category_and_ancestors(before).collect();
                data.get("after")
                    .and_then(Value::as_str)
                    .map(|after| {
                        category_and_ancestors(after)
                            .filter(|c| !old.contains(c))
                            .map(|c| (Facet::Category, c.to_owned()))
                            .collect()
                    })
                    .unwrap_or_default()
            }
            EventKind::TagsChanged => added_tags(&strings(data.get("before")), &strings(data.get("after")))
                .into_iter()
                .map(|t| (Facet::Tag, t))
                .collect(),
            _ => Vec::new(),
        };
        for (facet, term) in topics {
            said.entry((hour, facet, term)).or_default().insert(item.ticket_id);
        }
    }
    said.into_iter()
        .map(|((hour, facet, term), tickets)| TopicCount {
            hour,
            facet,
            term,
            tickets: tickets.len() as i64,
        })
        .collect()
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

struct HotQuery {
    hours: i64,
    facet: Option<Facet>,
    limit: usize,
}

fn parse_params(params: &HotParams) -> AppResult<HotQuery> {
    let mut errors = FieldErrors::default();
    let mut number = |field: &str, text: &Option<String>, default: i64, max: i64| -> i64 {
        let Some(text) = text.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            return default;
        };
        match text.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    field,
                    "out_of_range",
                    format!("must be a whole number from 1 to {max}"),
                ));
                default
            }
        }
    };
    let hours = number("hours", &params.hours, DEFAULT_WINDOW_HOURS, kefu_domain::hot::MAX_WINDOW_HOURS);
    let limit = number("limit", &params.limit, DEFAULT_LIMIT as i64, MAX_LIMIT as i64) as usize;
    let facet = params
        .facet
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .and_then(|f| Facet::parse("facet", f).map_err(|e| errors.push(e)).ok());
    errors.into_result()?;
    Ok(HotQuery { hours, facet, limit })
}
