//! Satisfaction surveys (满意度调查): designs, their validation, and the answers to them.
//!
//! A design is a list of questions on one rating scale, its dimensions (each a weighted
//! part of the overall score, with the reasons a customer may give for a low rating), and
//! bands (very satisfied … very dissatisfied) that split the scale. Designs are versioned:
//! an edit is a new version, and an answer keeps the version it answered. The three
//! built-in designs (CSAT, NPS and the ten-point five-dimension service survey) are in
//! [`builtin`]; their wording and reasons come from DOMAIN.md.

pub mod builtin;
pub mod callback;
pub mod closing;
pub mod score;

use crate::entities::Id;
use crate::enums::text_enum;
use crate::error::{FieldError, FieldErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One version of a design as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Design {
    pub id: Id,
    pub key: String,
    pub version: i64,
    /// Only active designs are sent.
    pub active: bool,
    pub spec: DesignSpec,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

text_enum!(
    /// How a survey came to be sent.
    SendOrigin {
        /// After a ticket was resolved, by a trigger.
        Resolution = "resolution",
        /// By an agent from a ticket.
        Manual = "manual",
        /// Asked on the phone by an agent (回访), who enters the answers.
        Callback = "callback",
        /// Mailed to a segment of customers by a campaign (about the service as a whole).
        Campaign = "campaign",
    }
);

/// One survey sent to one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveySend {
    pub id: Id,
    pub design_id: Id,
    pub design_key: String,
    pub ticket_id: Option<Id>,
    pub customer_id: Id,
    pub origin: SendOrigin,
    pub created_by: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub opened_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub answered_at: Option<Timestamp>,
}

/// When a survey goes out by itself after a ticket is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyTrigger {
    #[serde(default)]
    pub id: Id,
    pub design_key: String,
    /// Minutes after resolution.
    pub delay_minutes: i64,
    /// Ticket channels it applies to; empty: all.
    #[serde(default)]
    pub channels: Vec<String>,
    /// At most one survey per customer in this many days.
    pub quiet_days: i64,
    /// A mailed survey still unanswered this many days later is recalled once; 0: never.
    /// Always set on a stored trigger; when saving, left out keeps a trigger's own (and
    /// gives a new one [`DEFAULT_REMINDER_DAYS`]).
    #[serde(default)]
    pub reminder_days: Option<i64>,
    pub enabled: bool,
}

/// Days after a mailed survey before its one reminder, unless a trigger or campaign says.
pub const DEFAULT_REMINDER_DAYS: i64 = 3;
/// The latest reminder: the link must still have a day to live when it arrives.
pub const MAX_REMINDER_DAYS: i64 = 28;

text_enum!(
    /// What a satisfaction report can be sliced by.
    Slice {
        Team = "team",
        Agent = "agent",
        Channel = "channel",
        TicketKind = "ticket_kind",
        CustomerType = "customer_type",
        Product = "product",
        Region = "region",
        BusinessLine = "business_line",
    }
);

/// The facts of an answer's ticket and customer when it was given, for slicing. Product,
/// region and business line come from the ticket's custom fields of those names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerFacts {
    pub team_id: Option<Id>,
    pub agent_id: Option<Id>,
    pub channel: Option<String>,
    pub ticket_kind: Option<String>,
    pub customer_type: Option<String>,
    pub product: Option<String>,
    pub region: Option<String>,
    pub business_line: Option<String>,
}

impl AnswerFacts {
    /// The answer's value for `slice` as reports filter and group by it: ids as text,
    /// `""` when the answer has none.
    pub fn value_of(&self, slice: Slice) -> String {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let id = |v: Option<Id>| v.map(|v| v.to_string()).unwrap_or_default();
        match slice {
            Slice::Team => id(self.team_id),
            Slice::Agent => id(self.agent_id),
            Slice::Channel => text(&self.channel),
            Slice::TicketKind => text(&self.ticket_kind),
            Slice::CustomerType => text(&self.customer_type),
            Slice::Product => text(&self.product),
            Slice::Region => text(&self.region),
            Slice::BusinessLine => text(&self.business_line),
        }
    }
}

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredAnswer {
    pub id: Id,
    pub send_id: Id,
    pub design_id: Id,
    pub design_key: String,
    pub ticket_id: Option<Id>,
    pub customer_id: Id,
    pub facts: AnswerFacts,
    pub answer: Answer,
    /// The agent who entered it on a callback.
    pub entered_by: Option<Id>,
    pub followup_ticket_id: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub submitted_at: Timestamp,
}

/// A text in both languages; the other is shown when one is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wording {
    #[serde(default)]
    pub zh: String,
    #[serde(default)]
    pub en: String,
}

impl Wording {
    pub fn new(zh: &str, en: &str) -> Self {
        Wording {
            zh: zh.to_owned(),
            en: en.to_owned(),
        }
    }

    /// The text for a UI language (`zh-CN`, `en`, ...).
    pub fn get(&self, language: &str) -> &str {
        let (first, second) = if language.starts_with("zh") {
            (&self.zh, &self.en)
        } else {
            (&self.en, &self.zh)
        };
        if first.trim().is_empty() { second } else { first }
    }

    fn is_blank(&self) -> bool {
        self.zh.trim().is_empty() && self.en.trim().is_empty()
    }
}

/// The rating scale every rating question of a design uses, `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scale {
    pub min: i32,
    pub max: i32,
}

/// A named part of the scale, e.g. 9–10 "very satisfied".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Band {
    pub key: String,
    pub name: Wording,
    pub min: i32,
    pub max: i32,
}

/// Why a customer rated a dimension low.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub key: String,
    pub name: Wording,
}

/// A weighted part of the overall score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dimension {
    pub key: String,
    pub name: Wording,
    /// Percent; a design's weights add up to 100.
    pub weight: u32,
    #[serde(default)]
    pub reasons: Vec<Reason>,
}

/// An option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Choice {
    pub key: String,
    pub label: Wording,
}

/// What a question asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// A rating on the design's scale, counted towards a dimension.
    Rating {
        dimension: String,
    },
    Single {
        options: Vec<Choice>,
    },
    Multiple {
        options: Vec<Choice>,
    },
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    pub key: String,
    pub text: Wording,
    #[serde(flatten)]
    pub kind: QuestionKind,
    #[serde(default)]
    pub required: bool,
}

/// The figure a report leads with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Headline {
    /// Share of 4–5 on a 1–5 scale.
    Csat,
    /// % promoters − % detractors on a 0–10 scale.
    Nps,
    /// The weighted 0–100 score.
    Score,
}

/// Everything a design says; stored as JSON with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DesignSpec {
    pub name: Wording,
    #[serde(default)]
    pub intro: Wording,
    pub headline: Headline,
    pub scale: Scale,
    /// From the best band down; together they cover the scale once.
    pub bands: Vec<Band>,
    pub dimensions: Vec<Dimension>,
    pub questions: Vec<Question>,
    /// A rating at or below this is low: it asks for a reason and opens a follow-up.
    pub low_at_most: i32,
}

/// The largest scale a rating question may have (0–100 would be a slider, not a rating).
const MAX_SCALE_SPAN: i32 = 20;
const MAX_QUESTIONS: usize = 50;
const MAX_TEXT: usize = 2000;

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 40
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl DesignSpec {
    /// Checks the whole design, reporting every problem at once.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut err = |field: String, code: &'static str, message: &str| errors.push(FieldError::new(field, code, message));
        if self.name.is_blank() {
            err("name".into(), "required", "a design needs a name");
        }
        let Scale { min, max } = self.scale;
        if min < 0 || max <= min || max - min > MAX_SCALE_SPAN {
            err(
                "scale".into(),
                "invalid_scale",
                "the scale must be min..max with 0 <= min < max and at most 20 steps",
            );
        }
        // Bands: keys unique, inside the scale, covering every rating exactly once.
        let mut covered = BTreeMap::new();
        let mut band_keys = BTreeSet::new();
        for (i, band) in self.bands.iter().enumerate() {
            if !valid_key(&band.key) || !band_keys.insert(&band.key) {
                err(format!("bands[{i}].key"), "invalid_key", "band keys are unique lower-case words");
            }
            if band.name.is_blank() {
                err(format!("bands[{i}].name"), "required", "a band needs a name");
            }
            if band.min > band.max || band.min < min || band.max > max {
                err(format!("bands[{i}]"), "invalid_band", "a band is a range inside the scale");
                continue;
            }
            for rating in band.min..=band.max {
                *covered.entry(rating).or_insert(0) += 1;
            }
        }
        if max > min && (min..=max).any(|r| covered.get(&r) != Some(&1)) {
            err(
                "bands".into(),
                "bands_not_covering",
                "the bands must cover every rating of the scale exactly once",
            );
        }
        // Dimensions: keys unique, weights add up to 100 %, reasons keyed.
        let mut dimension_keys = BTreeSet::new();
        let mut weights = 0u32;
        for (i, dimension) in self.dimensions.iter().enumerate() {
            if !valid_key(&dimension.key) || !dimension_keys.insert(dimension.key.as_str()) {
                err(
                    format!("dimensions[{i}].key"),
                    "invalid_key",
                    "dimension keys are unique lower-case words",
                );
            }
            if dimension.name.is_blank() {
                err(format!("dimensions[{i}].name"), "required", "a dimension needs a name");
            }
            weights = weights.saturating_add(dimension.weight);
            let mut reason_keys = BTreeSet::new();
            for (j, reason) in dimension.reasons.iter().enumerate() {
                if !valid_key(&reason.key) || !reason_keys.insert(&reason.key) || reason.name.is_blank() {
                    err(
                        format!("dimensions[{i}].reasons[{j}]"),
                        "invalid_reason",
                        "reasons need a unique key and a name",
                    );
                }
            }
        }
        if self.dimensions.is_empty() {
            err("dimensions".into(), "required", "a design needs at least one dimension");
        } else if weights != 100 {
            err(
                "dimensions".into(),
                "weights_not_100",
                "the dimensions' weights must add up to 100 %",
            );
        }
        // Questions.
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            err("questions".into(), "invalid_questions", "a design has 1 to 50 questions");
        }
        let mut question_keys = BTreeSet::new();
        let mut rated = BTreeSet::new();
        for (i, question) in self.questions.iter().enumerate() {
            if !valid_key(&question.key) || !question_keys.insert(&question.key) {
                err(
                    format!("questions[{i}].key"),
                    "invalid_key",
                    "question keys are unique lower-case words",
                );
            }
            if question.text.is_blank() {
                err(format!("questions[{i}].text"), "required", "a question needs its text");
            }
            match &question.kind {
                QuestionKind::Rating { dimension } => {
                    if !dimension_keys.contains(dimension.as_str()) {
                        err(
                            format!("questions[{i}].dimension"),
                            "unknown_dimension",
                            "a rating counts towards a dimension of the design",
                        );
                    }
                    rated.insert(dimension.as_str());
                }
                QuestionKind::Single { options } | QuestionKind::Multiple { options } => {
                    let mut keys = BTreeSet::new();
                    if options.is_empty()
                        || options
                            .iter()
                            .any(|o| !valid_key(&o.key) || !keys.insert(&o.key) || o.label.is_blank())
                    {
                        err(
                            format!("questions[{i}].options"),
                            "invalid_options",
                            "a choice needs options with unique keys and labels",
                        );
                    }
                }
                QuestionKind::Text => {}
            }
        }
        for dimension in &self.dimensions {
            if !rated.contains(dimension.key.as_str()) {
                err(
                    format!("dimensions.{}", dimension.key),
                    "dimension_unrated",
                    "every dimension needs a rating question",
                );
            }
        }
        if self.low_at_most < min || self.low_at_most >= max {
            err(
                "low_at_most".into(),
                "invalid_threshold",
                "the low-score threshold must be a rating below the best",
            );
        }
        if self.headline == Headline::Csat && self.scale != (Scale { min: 1, max: 5 }) {
            err("headline".into(), "headline_scale", "CSAT is measured on a 1-5 scale");
        }
        if self.headline == Headline::Nps && self.scale != (Scale { min: 0, max: 10 }) {
            err("headline".into(), "headline_scale", "NPS is measured on a 0-10 scale");
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    pub fn dimension(&self, key: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.key == key)
    }

    /// The lowest rating of the best band (the band that holds the scale's maximum).
    pub fn top_band_min(&self) -> i32 {
        self.bands
            .iter()
            .find(|b| b.max == self.scale.max)
            .map_or(self.scale.max, |b| b.min)
    }

    /// The band a rating falls in.
    pub fn band_of(&self, rating: i32) -> Option<&Band> {
        self.bands.iter().find(|b| (b.min..=b.max).contains(&rating))
    }

    /// Whether a rating asks for a reason and counts as a low score.
    pub fn is_low(&self, rating: i32) -> bool {
        rating <= self.low_at_most
    }
}

/// An answer as a form or the API sends it, keyed by question (and, for reasons, by
/// dimension).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerInput {
    #[serde(default)]
    pub ratings: BTreeMap<String, i32>,
    #[serde(default)]
    pub choices: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// Reasons for low ratings, by dimension.
    #[serde(default)]
    pub reasons: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// One rating of a valid answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    pub question: String,
    pub dimension: String,
    pub value: i32,
}

/// A valid answer to one version of a design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    pub ratings: Vec<Rating>,
    pub choices: BTreeMap<String, Vec<String>>,
    pub texts: BTreeMap<String, String>,
    /// `(dimension, reason)` pairs, only for dimensions rated low.
    pub reasons: Vec<(String, String)>,
    pub comment: Option<String>,
    /// The weighted 0–100 score of this answer's ratings.
    pub score: Option<f64>,
    /// Some rating is at or below the design's low-score threshold.
    pub low: bool,
}

impl Answer {
    /// A dimension's mean rating in this answer (a dimension may have several questions).
    pub fn dimension_rating(&self, dimension: &str) -> Option<f64> {
        let values: Vec<i32> = self.ratings.iter().filter(|r| r.dimension == dimension).map(|r| r.value).collect();
        (!values.is_empty()).then(|| f64::from(values.iter().sum::<i32>()) / values.len() as f64)
    }
}

/// Checks an answer against its design: required questions answered, ratings on the
/// scale, known options, reasons only of a dimension rated low. Every problem at once.
pub fn parse_answer(spec: &DesignSpec, input: AnswerInput) -> Result<Answer, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut answer = Answer {
        ratings: Vec::new(),
        choices: BTreeMap::new(),
        texts: BTreeMap::new(),
        reasons: Vec::new(),
        comment: None,
        score: None,
        low: false,
    };
    let known: BTreeSet<&str> = spec.questions.iter().map(|q| q.key.as_str()).collect();
    for key in input.ratings.keys().chain(input.choices.keys()).chain(input.texts.keys()) {
        if !known.contains(key.as_str()) {
            errors.push(FieldError::new(key.clone(), "unknown_question", "not a question of this survey"));
        }
    }
    for question in &spec.questions {
        let key = question.key.as_str();
        let missing = |errors: &mut FieldErrors| {
            if question.required {
                errors.push(FieldError::new(key, "required", "please answer this question"));
            }
        };
        match &question.kind {
            QuestionKind::Rating { dimension } => match input.ratings.get(key) {
                Some(&value) if (spec.scale.min..=spec.scale.max).contains(&value) => answer.ratings.push(Rating {
                    question: key.to_owned(),
                    dimension: dimension.clone(),
                    value,
                }),
                Some(_) => errors.push(FieldError::new(key, "out_of_scale", "the rating is not on the scale")),
                None => missing(&mut errors),
            },
            QuestionKind::Single { options } | QuestionKind::Multiple { options } => {
                let picked = input.choices.get(key).cloned().unwrap_or_default();
                let single = matches!(question.kind, QuestionKind::Single { .. });
                if picked.is_empty() {
                    missing(&mut errors);
                } else if single && picked.len() > 1 {
                    errors.push(FieldError::new(key, "one_choice", "choose one option"));
                } else if picked.iter().any(|p| !options.iter().any(|o| &o.key == p)) {
                    errors.push(FieldError::new(key, "unknown_option", "not an option of this question"));
                } else {
                    let unique: BTreeSet<String> = picked.into_iter().collect();
                    answer.choices.insert(key.to_owned(), unique.into_iter().collect());
                }
            }
            QuestionKind::Text => {
                let text = input.texts.get(key).map(|t| t.trim()).unwrap_or_default();
                if text.is_empty() {
                    missing(&mut errors);
                } else if text.chars().count() > MAX_TEXT {
                    errors.push(FieldError::new(key, "too_long", "at most 2000 characters"));
                } else {
                    answer.texts.insert(key.to_owned(), text.to_owned());
                }
            }
        }
    }
    for (dimension, reasons) in &input.reasons {
        let Some(known_dimension) = spec.dimension(dimension) else {
            errors.push(FieldError::new(
                format!("reasons.{dimension}"),
                "unknown_dimension",
                "not a dimension of this survey",
            ));
            continue;
        };
        let rated_low = answer.ratings.iter().any(|r| &r.dimension == dimension && spec.is_low(r.value));
        let unique: BTreeSet<&String> = reasons.iter().collect();
        for reason in unique {
            if !known_dimension.reasons.iter().any(|r| &r.key == reason) {
                errors.push(FieldError::new(
                    format!("reasons.{dimension}"),
                    "unknown_reason",
                    "not a reason of this dimension",
                ));
            } else if rated_low {
                // A reason for a rating that is not low is dropped, not an error: the
                // form may have kept a reason ticked after the customer raised the score.
                answer.reasons.push((dimension.clone(), reason.clone()));
            }
        }
    }
    if let Some(comment) = input.comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()) {
        if comment.chars().count() > MAX_TEXT {
            errors.push(FieldError::new("comment", "too_long", "at most 2000 characters"));
        }
        answer.comment = Some(comment);
    }
    if answer.ratings.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("ratings", "required", "please give at least one rating"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let max = f64::from(spec.scale.max);
    let parts: Vec<(u32, Option<f64>)> = spec
        .dimensions
        .iter()
        .map(|d| (d.weight, answer.dimension_rating(&d.key).map(|r| r / max * 100.0)))
        .collect();
    answer.score = score::weighted_score(&parts);
    answer.low = answer.ratings.iter().any(|r| spec.is_low(r.value));
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_designs_are_valid() {
        for (key, spec) in builtin::designs() {
            assert!(spec.validate().is_ok(), "{key}: {:?}", spec.validate());
        }
    }

    #[test]
    fn a_design_reports_every_problem() {
        let mut spec = builtin::service_survey();
        spec.dimensions[0].weight = 30;
        spec.bands.pop();
        spec.questions[0].kind = QuestionKind::Rating { dimension: "nope".into() };
        spec.low_at_most = 10;
        let errors = spec.validate().unwrap_err();
        let codes: BTreeSet<&str> = errors.0.iter().map(|e| e.code).collect();
        for code in [
            "weights_not_100",
            "bands_not_covering",
            "unknown_dimension",
            "dimension_unrated",
            "invalid_threshold",
        ] {
            assert!(codes.contains(code), "{code} missing from {codes:?}");
        }
    }

    #[test]
    fn an_answer_is_checked_and_scored() {
        let spec = builtin::service_survey();
        let mut input = AnswerInput::default();
        for (question, rating) in [("skill", 10), ("attitude", 8), ("timeliness", 3), ("parts", 9), ("overall", 10)] {
            input.ratings.insert(question.into(), rating);
        }
        input.reasons.insert("timeliness".into(), vec!["late_arrival".into()]);
        input.reasons.insert("skill".into(), vec!["repeat_repairs".into()]);
        let answer = parse_answer(&spec, input.clone()).unwrap();
        assert!(answer.low);
        // (10 + 8 + 3 + 9 + 10) / 5 × 10 with equal weights.
        assert!((answer.score.unwrap() - 80.0).abs() < 1e-9);
        // The reason for skill (rated 10) is dropped; timeliness' is kept.
        assert_eq!(answer.reasons, vec![("timeliness".to_owned(), "late_arrival".to_owned())]);

        let mut bad = input;
        bad.ratings.insert("skill".into(), 11);
        bad.ratings.remove("overall");
        bad.ratings.insert("bogus".into(), 5);
        bad.reasons.insert("timeliness".into(), vec!["no_such".into()]);
        let errors = parse_answer(&spec, bad).unwrap_err();
        let codes: BTreeSet<&str> = errors.0.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            ["out_of_scale", "required", "unknown_question", "unknown_reason"]
                .into_iter()
                .collect()
        );
    }

    #[test]
    fn wording_falls_back_to_the_other_language() {
        let w = Wording::new("", "Hello");
        assert_eq!(w.get("zh-CN"), "Hello");
        assert_eq!(Wording::new("你好", "Hello").get("zh-CN"), "你好");
        assert_eq!(Wording::new("你好", "Hello").get("en"), "Hello");
    }
}
