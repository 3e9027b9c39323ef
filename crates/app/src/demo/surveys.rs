//! Demo satisfaction answers: about a third of the resolved demo tickets were surveyed
//! (CSAT, or the five-dimension survey for field service), most answered within two
//! days. Ratings lean good with a tail of low ones whose reasons follow a Pareto shape,
//! timeliness is the field engineers' weakest dimension, and some happy comments name
//! the agent (the praise wall). Answers are checked by the domain like real ones.

use super::corpus::Lang;
use fastrand::Rng;
use kefu_domain::entities::Id;
use kefu_domain::survey::closing::{is_praise, named_agents};
use kefu_domain::survey::{AnswerInput, Design, DesignSpec, QuestionKind, parse_answer};
use kefu_store::SimpleExpr;
use kefu_store::bulk::{Row, TableRows};
use std::collections::HashMap;

const HOUR: i64 = 3_600_000;

/// The facts of a resolved demo ticket a survey is about.
pub(super) struct Resolved {
    pub ticket: Id,
    pub customer: Id,
    pub team: Id,
    pub agent: Option<Id>,
    pub channel: &'static str,
    pub kind: &'static str,
    pub field_service: bool,
    pub resolved_at: i64,
    pub lang: Lang,
}

/// The designs demo answers answer, and the agents' names for praise.
pub(super) struct SurveyWorld {
    pub csat: Design,
    pub service: Design,
    pub agent_names: HashMap<Id, String>,
    pub now_ms: i64,
}

/// How many of the resolved tickets given were surveyed, and how many surveys answered
/// (percent).
#[derive(Debug, Clone, Copy)]
pub(super) struct Sampling {
    pub sent: u8,
    pub answered: u8,
}

/// The demo tickets: about a third surveyed, 60 % of those answered.
pub(super) const TICKET_SURVEYS: Sampling = Sampling { sent: 35, answered: 60 };
/// Benchmark history: every one surveyed and answered.
pub(super) const EVERY_ONE: Sampling = Sampling { sent: 100, answered: 100 };

/// `n` answered tickets over the last two years among the demo tickets `first..=last`
/// (their teams, agents, channels and kinds drawn anew: only the references must hold).
pub(super) fn history(rng: &mut Rng, world: &super::generate::World, n: usize, (first, last): (Id, Id)) -> Vec<Resolved> {
    const CHANNELS: [&str; 6] = ["web", "email", "chat", "phone", "wechat", "api"];
    (0..n)
        .map(|_| {
            let team = rng.usize(0..world.teams.len());
            let agents = &world.agents[team];
            let field_service = rng.u8(0..4) == 0;
            Resolved {
                ticket: rng.i64(first..=last),
                customer: world.first_customer + rng.i64(0..world.customers as i64),
                team: world.teams[team],
                agent: Some(agents[rng.usize(0..agents.len())]),
                channel: CHANNELS[rng.usize(0..CHANNELS.len())],
                kind: if field_service { "field_service" } else { "after_sales" },
                field_service,
                resolved_at: world.now_ms - rng.i64(50 * HOUR..730 * 24 * HOUR),
                lang: if rng.u8(0..10) < 7 { Lang::Zh } else { Lang::En },
            }
        })
        .collect()
}

/// The next free id of the survey tables.
pub(super) struct SurveyIds {
    pub send: i64,
    pub answer: i64,
}

fn s(text: impl Into<String>) -> SimpleExpr {
    SimpleExpr::from(text.into())
}

fn rating(rng: &mut Rng, spec: &DesignSpec, mood: u8, weak: bool) -> i32 {
    let (min, max) = (spec.scale.min, spec.scale.max);
    let span = max - min;
    // mood: 0 delighted, 1 content, 2 unhappy.
    let base = match mood {
        0 => max - rng.i32(0..=span / 5),
        1 => max - span / 5 - rng.i32(0..=span / 4),
        _ => min + rng.i32(0..=span * 2 / 5),
    };
    let drop = if weak && rng.u8(0..3) == 0 { 1 + span / 8 } else { 0 };
    (base - drop).clamp(min, max)
}

const LOW_COMMENTS: &[(&str, &str)] = &[
    ("等了很久才有人处理。", "It took far too long before anyone helped."),
    ("问题还是没有解决。", "The problem is still not solved."),
    ("工程师约好的时间没来。", "The engineer did not come at the agreed time."),
    ("要反复说明情况，很麻烦。", "I had to explain everything again and again."),
];

fn praise_comment(rng: &mut Rng, name: &str, lang: Lang) -> String {
    let zh = ["%服务很耐心，谢谢！", "感谢%，一次就解决了。", "%师傅很专业。"];
    let en = [
        "% was very patient, thank you!",
        "Thanks to % for fixing it at once.",
        "% was really helpful.",
    ];
    let list = if lang == Lang::En { &en } else { &zh };
    list[rng.usize(0..list.len())].replace('%', name)
}

/// Sends, answers, ratings, reasons and praise for some of `resolved`.
pub(super) fn rows(rng: &mut Rng, ids: &mut SurveyIds, world: &SurveyWorld, resolved: &[Resolved], sampling: Sampling) -> Vec<TableRows> {
    let mut sends: Vec<Row> = Vec::new();
    let mut answers: Vec<Row> = Vec::new();
    let mut ratings: Vec<Row> = Vec::new();
    let mut reasons: Vec<Row> = Vec::new();
    let mut praise: Vec<Row> = Vec::new();
    let agents: Vec<(Id, String)> = world.agent_names.iter().map(|(id, n)| (*id, n.clone())).collect();
    for t in resolved {
        if rng.u8(0..100) >= sampling.sent {
            continue;
        }
        let design = if t.field_service { &world.service } else { &world.csat };
        let spec = &design.spec;
        let sent = t.resolved_at + HOUR;
        if sent >= world.now_ms {
            continue;
        }
        ids.send += 1;
        let answered = (rng.u8(0..100) < sampling.answered)
            .then(|| sent + rng.i64(HOUR / 6..48 * HOUR))
            .filter(|at| *at < world.now_ms);
        sends.push(vec![
            SimpleExpr::from(ids.send),
            SimpleExpr::from(design.id),
            SimpleExpr::from(t.ticket),
            SimpleExpr::from(t.customer),
            s("resolution"),
            SimpleExpr::from(sent),
            SimpleExpr::from(sent + 30 * 24 * HOUR),
            SimpleExpr::from(answered.map(|at| at - HOUR / 12)),
            SimpleExpr::from(answered),
        ]);
        let Some(at) = answered else { continue };
        let mood = match rng.u8(0..100) {
            0..60 => 0,
            60..88 => 1,
            _ => 2,
        };
        let mut input = AnswerInput::default();
        for q in &spec.questions {
            if let QuestionKind::Rating { dimension } = &q.kind {
                let weak = t.field_service && dimension == "timeliness";
                input.ratings.insert(q.key.clone(), rating(rng, spec, mood, weak));
            }
        }
        for d in &spec.dimensions {
            let low = spec
                .questions
                .iter()
                .filter(|q| matches!(&q.kind, QuestionKind::Rating { dimension } if *dimension == d.key))
                .any(|q| input.ratings.get(&q.key).is_some_and(|r| spec.is_low(*r)));
            if low && !d.reasons.is_empty() {
                // Pareto: the first reasons of the list are the common ones.
                let first = rng.usize(0..d.reasons.len()).min(rng.usize(0..d.reasons.len()));
                let mut picked = vec![d.reasons[first].key.clone()];
                if rng.u8(0..4) == 0 {
                    picked.push(d.reasons[rng.usize(0..d.reasons.len())].key.clone());
                }
                input.reasons.insert(d.key.clone(), picked);
            }
        }
        let name = t.agent.and_then(|a| world.agent_names.get(&a));
        input.comment = match (mood, name) {
            (2, _) if rng.u8(0..2) == 0 => {
                let (zh, en) = LOW_COMMENTS[rng.usize(0..LOW_COMMENTS.len())];
                Some(if t.lang == Lang::En { en } else { zh }.to_owned())
            }
            (0, Some(name)) if rng.u8(0..5) == 0 => Some(praise_comment(rng, name.split_whitespace().next().unwrap_or(name), t.lang)),
            _ => None,
        };
        // Generated answers go through the same checks as real ones.
        let Ok(answer) = parse_answer(spec, input) else { continue };
        ids.answer += 1;
        answers.push(vec![
            SimpleExpr::from(ids.answer),
            SimpleExpr::from(ids.send),
            SimpleExpr::from(design.id),
            s(design.key.clone()),
            SimpleExpr::from(t.ticket),
            SimpleExpr::from(t.customer),
            SimpleExpr::from(t.team),
            SimpleExpr::from(t.agent),
            s(t.channel),
            s(t.kind),
            SimpleExpr::from(answer.score),
            SimpleExpr::from(answer.low),
            SimpleExpr::from(answer.comment.clone()),
            s(serde_json::to_string(&answer).unwrap_or_default()),
            SimpleExpr::from(at),
        ]);
        for r in &answer.ratings {
            ratings.push(vec![
                SimpleExpr::from(ids.answer),
                s(r.question.clone()),
                s(r.dimension.clone()),
                SimpleExpr::from(i64::from(r.value)),
            ]);
        }
        for (dimension, reason) in &answer.reasons {
            reasons.push(vec![SimpleExpr::from(ids.answer), s(dimension.clone()), s(reason.clone())]);
        }
        if let Some(comment) = answer.comment.as_deref().filter(|_| is_praise(&answer)) {
            for agent in named_agents(comment, &agents) {
                praise.push(vec![
                    SimpleExpr::from(ids.answer),
                    SimpleExpr::from(agent),
                    SimpleExpr::from(t.team),
                    s(comment),
                    SimpleExpr::from(at),
                ]);
            }
        }
    }
    vec![
        TableRows {
            table: "survey_sends",
            columns: &[
                "id",
                "design_id",
                "ticket_id",
                "customer_id",
                "origin",
                "created_at",
                "expires_at",
                "opened_at",
                "answered_at",
            ],
            rows: sends,
        },
        TableRows {
            table: "survey_answers",
            columns: &[
                "id",
                "send_id",
                "design_id",
                "design_key",
                "ticket_id",
                "customer_id",
                "team_id",
                "agent_id",
                "channel",
                "ticket_kind",
                "score",
                "low",
                "comment",
                "answer",
                "submitted_at",
            ],
            rows: answers,
        },
        TableRows {
            table: "survey_ratings",
            columns: &["answer_id", "question", "dimension", "rating"],
            rows: ratings,
        },
        TableRows {
            table: "survey_reasons",
            columns: &["answer_id", "dimension", "reason"],
            rows: reasons,
        },
        TableRows {
            table: "survey_praise",
            columns: &["answer_id", "agent_id", "team_id", "comment", "submitted_at"],
            rows: praise,
        },
    ]
}
