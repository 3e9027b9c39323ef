//! Satisfaction reports: scores per dimension with their sample sizes, the overall and
//! headline figures, the change against the previous period with a 95 % interval, band
//! shares, "what it takes" to reach a target, the Pareto of low-score reasons, and
//! slices by team, agent, channel, kind, customer type, product, region or business line.
//! Everything is computed from rating histograms the store counts.

use crate::error::{AppError, AppResult};
use crate::search::answer_slice_key;
use crate::{Actor, App, now};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::entities::Id;
use kefu_domain::survey::score::{self, Change, Histogram, Lift, SMALL_SAMPLE};
use kefu_domain::survey::{Design, DesignSpec, Headline, Slice, StoredAnswer, Wording};
use kefu_domain::{FieldError, FieldErrors};
use kefu_search::{DocKind, SearchRequest};
use kefu_store::surveys::{self, AnswerFilter, RatingCount};
use kefu_store::{people, tickets};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// The default period of a report: the last 30 days.
const DEFAULT_PERIOD: SignedDuration = SignedDuration::from_hours(30 * 24);
/// At most this many answers in one page of the answer list.
pub const MAX_ANSWERS_PAGE: u64 = 200;
/// At most this many answers found by a comment search.
pub const MAX_SEARCHED_ANSWERS: u64 = 100;

/// What a report covers.
#[derive(Debug, Clone, Default)]
pub struct ReportParams {
    pub design: String,
    /// `[from, to)`; by default the 30 days up to now.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Only answers with these slice values.
    pub filters: Vec<(Slice, String)>,
    pub group_by: Option<Slice>,
    /// The score each dimension should reach, for "what it takes" (default 80).
    pub target: Option<f64>,
}

impl ReportParams {
    /// The period `[from, to)` the report covers: by default the 30 days up to now.
    pub fn period(&self) -> (Timestamp, Timestamp) {
        let to = self.to.unwrap_or_else(now);
        (self.from.unwrap_or(to - DEFAULT_PERIOD), to)
    }
}

/// A report's query string, as the API and the report page take it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// Start of the period: a date (`2026-11-01`, the server's time zone) or an RFC 3339
    /// instant. Default: 30 days before `to`.
    pub from: Option<String>,
    /// End of the period (exclusive; a date means the end of that day). Default: now.
    pub to: Option<String>,
    /// Slice the report: team, agent, channel, ticket_kind, customer_type, product,
    /// region, business_line.
    pub group_by: Option<String>,
    /// Target score for "what it takes" (default 80).
    pub target: Option<f64>,
    pub team: Option<String>,
    pub agent: Option<String>,
    pub channel: Option<String>,
    pub ticket_kind: Option<String>,
    pub customer_type: Option<String>,
    pub product: Option<String>,
    pub region: Option<String>,
    pub business_line: Option<String>,
}

fn parse_instant(field: &str, text: &str, end_of_day: bool) -> Result<Timestamp, FieldError> {
    let text = text.trim();
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    let date: jiff::civil::Date = text
        .parse()
        .map_err(|_| FieldError::new(field, "invalid_date", "a date (2026-11-01) or an RFC 3339 instant"))?;
    let date = if end_of_day { date.tomorrow().unwrap_or(date) } else { date };
    date.to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .map(|z| z.timestamp())
        .map_err(|_| FieldError::new(field, "invalid_date", "a date out of range"))
}

impl ReportQuery {
    /// The report parameters for `design`; every malformed field is reported.
    pub fn into_params(self, design: &str) -> AppResult<ReportParams> {
        let mut errors = FieldErrors::default();
        let from = self
            .from
            .filter(|t| !t.trim().is_empty())
            .and_then(|t| errors.take(parse_instant("from", &t, false)));
        let to = self
            .to
            .filter(|t| !t.trim().is_empty())
            .and_then(|t| errors.take(parse_instant("to", &t, true)));
        let group_by = self
            .group_by
            .filter(|g| !g.is_empty())
            .and_then(|g| errors.take(Slice::parse("group_by", &g)));
        let filters: Vec<(Slice, String)> = [
            (Slice::Team, self.team),
            (Slice::Agent, self.agent),
            (Slice::Channel, self.channel),
            (Slice::TicketKind, self.ticket_kind),
            (Slice::CustomerType, self.customer_type),
            (Slice::Product, self.product),
            (Slice::Region, self.region),
            (Slice::BusinessLine, self.business_line),
        ]
        .into_iter()
        .filter_map(|(slice, value)| value.filter(|v| !v.trim().is_empty()).map(|v| (slice, v.trim().to_owned())))
        .collect();
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(ReportParams {
            design: design.to_owned(),
            from,
            to,
            filters,
            group_by,
            target: self.target,
        })
    }
}

/// What a comment search found: how many answers match, and the best of them.
#[derive(Debug, Clone)]
pub struct AnswerSearch {
    pub total: usize,
    pub answers: Vec<AnswerView>,
}

/// Which of a design's answers to list, as the API asks.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct AnswersQuery {
    /// Only low scores.
    #[serde(default)]
    pub low: bool,
    /// Answers before this id (paging, newest first; not with `q`).
    pub before: Option<i64>,
    /// At most this many (default 50; 200 at most, 100 with `q`).
    pub limit: Option<u64>,
    /// Words to find in the comments and written answers, in Chinese or English.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyReport {
    pub design_key: String,
    pub design_name: Wording,
    pub headline_kind: Headline,
    pub scale_min: i32,
    pub scale_max: i32,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    /// The period of the same length just before, that changes are measured against.
    #[schema(value_type = String, format = DateTime)]
    pub previous_from: Option<Timestamp>,
    /// Answers in the period.
    pub answers: u64,
    /// The figure the design leads with: CSAT %, NPS or the overall score.
    pub headline: Figure,
    /// The weighted 0–100 score (mean of per-answer scores).
    pub overall: Figure,
    /// Best first.
    pub dimensions: Vec<DimensionReport>,
    pub target: f64,
    /// Per slice value when grouped, largest first.
    pub groups: Vec<GroupReport>,
}

/// A number with its sample size, its change against the previous period, and whether
/// the sample is small.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figure {
    pub value: Option<f64>,
    pub n: u64,
    pub small_sample: bool,
    pub change: Option<Change>,
}

impl Figure {
    fn new(value: Option<f64>, n: u64, change: Option<Change>) -> Self {
        Figure {
            value,
            n,
            small_sample: n < SMALL_SAMPLE,
            change,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DimensionReport {
    pub key: String,
    pub name: Wording,
    pub weight: u32,
    /// 1 = best score.
    pub rank: usize,
    pub mean: Option<f64>,
    pub score: Figure,
    /// Answers per rating, lowest rating first.
    pub histogram: Vec<u64>,
    pub bands: Vec<BandShare>,
    /// What it takes to reach the report's target.
    pub what_it_takes: Option<Lift>,
    /// Low-score reasons, most frequent first, with the cumulative share (Pareto).
    pub reasons: Vec<ReasonShare>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BandShare {
    pub key: String,
    pub name: Wording,
    pub count: u64,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonShare {
    pub key: String,
    pub name: Wording,
    pub count: u64,
    pub share: f64,
    pub cumulative: f64,
}

/// An answer with the numbers of its ticket and of the follow-up it opened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerView {
    #[serde(flatten)]
    pub answer: StoredAnswer,
    pub ticket_number: Option<i64>,
    pub followup_number: Option<i64>,
    /// For an answer found by a comment search: the matching fragment as HTML (text
    /// escaped, matches in `<b>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupReport {
    /// The slice value (a team or agent id as text).
    pub value: Option<String>,
    /// A readable name (the team's or agent's name, else the value).
    pub label: String,
    /// The group's 0–100 score (mean of its answers' scores), with its change against the
    /// same group in the previous period.
    pub score: Figure,
    /// The headline figure (CSAT %, NPS or score) within the group.
    pub headline: Option<f64>,
    pub dimensions: BTreeMap<String, Option<f64>>,
}

fn histograms(spec: &DesignSpec, counts: &[RatingCount]) -> BTreeMap<String, Histogram> {
    let mut out: BTreeMap<String, Histogram> = spec
        .dimensions
        .iter()
        .map(|d| (d.key.clone(), Histogram::new(spec.scale.min, spec.scale.max)))
        .collect();
    for count in counts {
        if let Some(h) = out.get_mut(&count.dimension) {
            h.add(
                i32::try_from(count.rating).unwrap_or(i32::MIN),
                u64::try_from(count.count).unwrap_or(0),
            );
        }
    }
    out
}

/// The headline of a design from its histograms: CSAT % or NPS from all ratings of the
/// design, else the weighted score.
fn headline_of(spec: &DesignSpec, hists: &BTreeMap<String, Histogram>) -> Option<f64> {
    let all = merged(spec, hists);
    match spec.headline {
        Headline::Csat => all.csat_percent(),
        Headline::Nps => all.nps(),
        Headline::Score => weighted(spec, hists),
    }
}

fn merged(spec: &DesignSpec, hists: &BTreeMap<String, Histogram>) -> Histogram {
    let mut all = Histogram::new(spec.scale.min, spec.scale.max);
    for h in hists.values() {
        all.merge(h);
    }
    all
}

fn weighted(spec: &DesignSpec, hists: &BTreeMap<String, Histogram>) -> Option<f64> {
    let parts: Vec<(u32, Option<f64>)> = spec
        .dimensions
        .iter()
        .map(|d| (d.weight, hists.get(&d.key).and_then(Histogram::score)))
        .collect();
    score::weighted_score(&parts)
}

impl App {
    /// Fills the pair-of-slices rollups of answers given before this version kept them
    /// (see [`kefu_store::survey_rollups::fill_pairs`]); reports filtered by two slices
    /// count the answers until it is done. Run once at start, beside serving.
    pub async fn fill_survey_pair_rollups(&self) {
        let started = std::time::Instant::now();
        match kefu_store::survey_rollups::fill_pairs(self.db()).await {
            Ok(0) => {}
            Ok(days) => tracing::info!(
                days,
                seconds = started.elapsed().as_secs_f64(),
                "filled the satisfaction rollups of slice pairs"
            ),
            Err(error) => tracing::warn!(
                %error,
                "filling the satisfaction rollups of slice pairs failed; two-slice reports count the answers until the next start"
            ),
        }
    }

    /// A satisfaction report. Supervisors and admins.
    pub async fn survey_report(&self, actor: &Actor, params: ReportParams) -> AppResult<SurveyReport> {
        actor.require_supervisor("see satisfaction reports")?;
        let design = self.report_design(&params.design).await?;
        let spec = &design.spec;
        let (from, to) = params.period();
        if from >= to {
            return Err(AppError::field("from", "invalid_period", "the period must start before it ends"));
        }
        let target = params.target.unwrap_or(80.0);
        if !(0.0..=100.0).contains(&target) {
            return Err(AppError::field("target", "out_of_range", "a target score is 0 to 100"));
        }
        let previous_from = from.checked_sub(to.duration_since(from)).ok();
        let filter = |from: Timestamp, to: Timestamp| AnswerFilter {
            design_key: design.key.clone(),
            from: Some(from),
            to: Some(to),
            slices: params.filters.clone(),
            low_only: false,
        };
        let current = filter(from, to);
        let before = previous_from.map(|previous_from| filter(previous_from, from));
        // The period, the previous period and the groups are independent: read them side
        // by side, each its reads one after another (at most three of the read pool's
        // connections, so other pages are not starved while a report runs).
        let read = || self.db().read();
        let current_parts = async { Ok::<_, AppError>(surveys::period_counts(read(), &current, true).await?) };
        let previous = async {
            match &before {
                Some(before) => Ok::<_, AppError>(Some(surveys::period_counts(read(), before, false).await?)),
                None => Ok(None),
            }
        };
        let groups = async {
            match params.group_by {
                Some(slice) => self.report_groups(&design, &current, before.as_ref(), slice).await,
                None => Ok(Vec::new()),
            }
        };
        let (now, before_counts, groups) = tokio::try_join!(current_parts, previous, groups)?;
        let now_hists = histograms(spec, &now.ratings);
        let now_totals = now.scores;
        let reasons = now.reasons;
        let before_hists = before_counts.as_ref().map(|b| histograms(spec, &b.ratings));
        let before_totals = before_counts.map(|b| b.scores);
        let overall = Figure::new(
            now_totals.mean(),
            now_totals.n,
            before_totals.and_then(|b| score::totals_change(&b, &now_totals)),
        );
        let headline = match spec.headline {
            Headline::Score => overall.clone(),
            Headline::Csat | Headline::Nps => {
                let all = merged(spec, &now_hists);
                let change = before_hists.as_ref().and_then(|b| {
                    let before = merged(spec, b);
                    match spec.headline {
                        Headline::Csat => score::share_change(&before, &all, 4, 5),
                        _ => score::nps_change(&before, &all),
                    }
                });
                Figure::new(headline_of(spec, &now_hists), all.n(), change)
            }
        };
        let top_min = spec.top_band_min();
        let mut dimensions: Vec<DimensionReport> = spec
            .dimensions
            .iter()
            .map(|d| {
                let h = &now_hists[&d.key];
                let change = before_hists.as_ref().and_then(|b| score::score_change(&b[&d.key], h));
                let mut dimension_reasons: Vec<(String, Wording, u64)> = reasons
                    .iter()
                    .filter(|r| r.dimension == d.key)
                    .map(|r| {
                        let name = d
                            .reasons
                            .iter()
                            .find(|known| known.key == r.reason)
                            .map_or_else(|| Wording::new(&r.reason, &r.reason), |known| known.name.clone());
                        (r.reason.clone(), name, u64::try_from(r.count).unwrap_or(0))
                    })
                    .collect();
                dimension_reasons.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
                let total: u64 = dimension_reasons.iter().map(|r| r.2).sum();
                let mut running = 0;
                let reasons = dimension_reasons
                    .into_iter()
                    .map(|(key, name, count)| {
                        running += count;
                        ReasonShare {
                            key,
                            name,
                            count,
                            share: count as f64 / total as f64 * 100.0,
                            cumulative: running as f64 / total as f64 * 100.0,
                        }
                    })
                    .collect();
                DimensionReport {
                    key: d.key.clone(),
                    name: d.name.clone(),
                    weight: d.weight,
                    rank: 0,
                    mean: h.mean(),
                    score: Figure::new(h.score(), h.n(), change),
                    histogram: h.iter().map(|(_, c)| c).collect(),
                    bands: spec
                        .bands
                        .iter()
                        .map(|b| BandShare {
                            key: b.key.clone(),
                            name: b.name.clone(),
                            count: h.count_between(b.min, b.max),
                            share: h.share(b.min, b.max),
                        })
                        .collect(),
                    what_it_takes: score::what_it_takes(h, target, top_min),
                    reasons,
                }
            })
            .collect();
        dimensions.sort_by(|a, b| {
            b.score
                .value
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.score.value.unwrap_or(f64::NEG_INFINITY))
        });
        for (i, d) in dimensions.iter_mut().enumerate() {
            d.rank = i + 1;
        }
        Ok(SurveyReport {
            design_key: design.key.clone(),
            design_name: spec.name.clone(),
            headline_kind: spec.headline,
            scale_min: spec.scale.min,
            scale_max: spec.scale.max,
            from,
            to,
            previous_from,
            answers: now_totals.n,
            headline,
            overall,
            dimensions,
            target,
            groups,
        })
    }

    async fn report_design(&self, key: &str) -> AppResult<Design> {
        surveys::latest_design(self.db().read(), key).await?.ok_or(AppError::NotFound {
            what: "survey design",
            code: "survey_design_not_found",
        })
    }

    /// The report's groups, each with its change against the same group in `before`.
    async fn report_groups(
        &self,
        design: &Design,
        filter: &AnswerFilter,
        before: Option<&AnswerFilter>,
        slice: Slice,
    ) -> AppResult<Vec<GroupReport>> {
        let spec = &design.spec;
        let read = || self.db().read();
        let by_group = |counts: Vec<RatingCount>| {
            let mut grouped: BTreeMap<Option<String>, Vec<RatingCount>> = BTreeMap::new();
            for count in counts {
                grouped.entry(count.group_value.clone()).or_default().push(count);
            }
            grouped
        };
        let keyed = |totals: Vec<surveys::GroupTotals>| -> BTreeMap<Option<String>, surveys::GroupTotals> {
            totals.into_iter().map(|t| (t.group_value.clone(), t)).collect()
        };
        let counts_now = surveys::rating_counts(read(), filter, Some(slice)).await?;
        let totals_now = surveys::group_totals(read(), filter, slice).await?;
        // The previous period needs only each group's score totals (one rollup row per
        // group and day): its histograms would double the report's cost for one column.
        let totals_before = match before {
            Some(before) => keyed(surveys::group_totals(read(), before, slice).await?),
            None => BTreeMap::new(),
        };
        let (by_group_now, totals_now) = (by_group(counts_now), keyed(totals_now));
        let names: BTreeMap<String, String> = match slice {
            Slice::Team => people::list_teams(self.db().read())
                .await?
                .into_iter()
                .map(|t| (t.id.to_string(), t.name))
                .collect(),
            Slice::Agent => people::list_agents(self.db().read())
                .await?
                .into_iter()
                .map(|a| (a.id.to_string(), a.name))
                .collect(),
            _ => BTreeMap::new(),
        };
        let mut groups: Vec<GroupReport> = by_group_now
            .into_iter()
            .map(|(value, counts)| {
                let hists = histograms(spec, &counts);
                let now = totals_now.get(&value).cloned().unwrap_or_default();
                let score_change = totals_before
                    .get(&value)
                    .and_then(|before| score::totals_change(&before.scores, &now.scores));
                let label = value
                    .as_ref()
                    .map(|v| names.get(v).cloned().unwrap_or_else(|| v.clone()))
                    .unwrap_or_else(|| "—".into());
                GroupReport {
                    label,
                    score: Figure::new(now.scores.mean(), u64::try_from(now.answers).unwrap_or(0), score_change),
                    headline: headline_of(spec, &hists),
                    dimensions: hists.iter().map(|(k, h)| (k.clone(), h.score())).collect(),
                    value,
                }
            })
            .collect();
        groups.sort_by(|a, b| b.score.n.cmp(&a.score.n).then_with(|| a.label.cmp(&b.label)));
        Ok(groups)
    }

    /// The answers a report lists: newest first, or with `q` the best matches of a
    /// comment search. Supervisors.
    pub async fn report_answers(&self, actor: &Actor, params: &ReportParams, query: AnswersQuery) -> AppResult<Vec<AnswerView>> {
        actor.require_supervisor("see survey answers")?;
        let limit = query.limit.unwrap_or(50);
        match query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            Some(_) if query.before.is_some() => Err(AppError::field(
                "before",
                "not_with_q",
                "a comment search lists its best matches (up to 100): add words or filters to narrow it",
            )),
            Some(text) => Ok(self.search_survey_answers(actor, params, text, query.low, limit).await?.answers),
            None => self.survey_answers(actor, params, query.low, query.before, limit).await,
        }
    }

    /// Answers of a design, newest first; `low_only` for the low scores. Supervisors.
    pub async fn survey_answers(
        &self,
        actor: &Actor,
        params: &ReportParams,
        low_only: bool,
        before: Option<Id>,
        limit: u64,
    ) -> AppResult<Vec<AnswerView>> {
        actor.require_supervisor("see survey answers")?;
        let design = self.report_design(&params.design).await?;
        let (from, to) = params.period();
        let filter = AnswerFilter {
            design_key: design.key,
            from: Some(from),
            to: Some(to),
            slices: params.filters.clone(),
            low_only,
        };
        let answers = surveys::answers(self.db().read(), &filter, before, limit.clamp(1, MAX_ANSWERS_PAGE)).await?;
        self.answer_views(answers.into_iter().map(|a| (a, None)).collect()).await
    }

    /// Answers of a design whose comment or written answers match `text` (Chinese or
    /// English, as the search index analyses it), best match first, each with the
    /// matching fragment; the report's period and filters apply. Supervisors.
    pub async fn search_survey_answers(
        &self,
        actor: &Actor,
        params: &ReportParams,
        text: &str,
        low_only: bool,
        limit: u64,
    ) -> AppResult<AnswerSearch> {
        actor.require_supervisor("see survey answers")?;
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::field("q", "required", "type something to search the comments for"));
        }
        if text.chars().count() > 500 {
            return Err(AppError::field("q", "too_long", "at most 500 characters"));
        }
        let design = self.report_design(&params.design).await?;
        let (from, to) = params.period();
        let mut all_of = vec![vec![format!("design:{}", design.key)]];
        all_of.extend(params.filters.iter().map(|(slice, value)| vec![answer_slice_key(*slice, value)]));
        if low_only {
            all_of.push(vec!["low:true".to_owned()]);
        }
        let request = SearchRequest {
            text: text.to_owned(),
            kind: Some(DocKind::Answer),
            all_of,
            created_from: Some(from.as_millisecond()),
            created_to: Some(to.as_millisecond()),
            limit: limit.clamp(1, MAX_SEARCHED_ANSWERS) as usize,
            ..SearchRequest::default()
        };
        let results = self.run_search(request).await?;
        let hits = results.hits;
        let ids: Vec<Id> = hits.iter().map(|hit| hit.id).collect();
        let mut answers: HashMap<Id, StoredAnswer> = surveys::answers_by_ids(self.db().read(), &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let found = hits
            .into_iter()
            .filter_map(|hit| answers.remove(&hit.id).map(|answer| (answer, Some(hit.snippet))))
            .collect();
        Ok(AnswerSearch {
            total: results.total,
            answers: self.answer_views(found).await?,
        })
    }

    /// The answers with the numbers of their tickets and follow-ups.
    async fn answer_views(&self, answers: Vec<(StoredAnswer, Option<String>)>) -> AppResult<Vec<AnswerView>> {
        let ids: Vec<Id> = answers
            .iter()
            .flat_map(|(a, _)| [a.ticket_id, a.followup_ticket_id])
            .flatten()
            .collect();
        let numbers: BTreeMap<Id, i64> = tickets::tickets_by_ids(self.db().read(), &ids)
            .await?
            .into_iter()
            .map(|t| (t.id, t.number))
            .collect();
        Ok(answers
            .into_iter()
            .map(|(answer, snippet)| AnswerView {
                ticket_number: answer.ticket_id.and_then(|id| numbers.get(&id).copied()),
                followup_number: answer.followup_ticket_id.and_then(|id| numbers.get(&id).copied()),
                answer,
                snippet,
            })
            .collect())
    }
}
