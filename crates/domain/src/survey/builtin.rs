//! The designs every installation starts with: CSAT (1–5), NPS (0–10) and the ten-point
//! five-dimension service survey with DOMAIN.md's bands and low-score reasons. Admins
//! edit them like their own (each edit a new version).

use super::{Band, Choice, DesignSpec, Dimension, Headline, Question, QuestionKind, Reason, Scale, Wording};

/// The keys of the built-in designs.
pub const CSAT: &str = "csat";
pub const NPS: &str = "nps";
pub const SERVICE: &str = "service5";

fn w(zh: &str, en: &str) -> Wording {
    Wording::new(zh, en)
}

fn band(key: &str, zh: &str, en: &str, min: i32, max: i32) -> Band {
    Band {
        key: key.into(),
        name: w(zh, en),
        min,
        max,
    }
}

fn reasons(list: &[(&str, &str, &str)]) -> Vec<Reason> {
    list.iter()
        .map(|(key, zh, en)| Reason {
            key: (*key).into(),
            name: w(zh, en),
        })
        .collect()
}

fn rating(key: &str, dimension: &str, zh: &str, en: &str) -> Question {
    Question {
        key: key.into(),
        text: w(zh, en),
        kind: QuestionKind::Rating {
            dimension: dimension.into(),
        },
        required: true,
    }
}

/// The customer-satisfaction survey: one 1–5 rating.
pub fn csat() -> DesignSpec {
    DesignSpec {
        name: w("服务满意度（CSAT）", "Customer satisfaction (CSAT)"),
        intro: w(
            "感谢您联系我们。请为本次服务打分。",
            "Thank you for contacting us. Please rate the help you received.",
        ),
        headline: Headline::Csat,
        scale: Scale { min: 1, max: 5 },
        bands: vec![
            band("very_satisfied", "非常满意", "Very satisfied", 5, 5),
            band("satisfied", "满意", "Satisfied", 4, 4),
            band("neutral", "一般", "Neutral", 3, 3),
            band("dissatisfied", "不满意", "Dissatisfied", 2, 2),
            band("very_dissatisfied", "非常不满意", "Very dissatisfied", 1, 1),
        ],
        dimensions: vec![Dimension {
            key: "satisfaction".into(),
            name: w("满意度", "Satisfaction"),
            weight: 100,
            reasons: reasons(&[
                ("slow_reply", "回复太慢", "Slow replies"),
                ("not_resolved", "问题没有解决", "Problem not solved"),
                ("attitude", "服务态度不好", "Unfriendly service"),
                ("repeated_myself", "需要反复说明问题", "Had to repeat myself"),
                ("cumbersome_process", "流程繁琐", "Cumbersome process"),
            ]),
        }],
        questions: vec![rating(
            "satisfaction",
            "satisfaction",
            "您对本次服务满意吗？",
            "How satisfied are you with the help you received?",
        )],
        low_at_most: 2,
    }
}

/// The net-promoter survey: one 0–10 likelihood to recommend.
pub fn nps() -> DesignSpec {
    DesignSpec {
        name: w("净推荐值（NPS）", "Net promoter score (NPS)"),
        intro: w("您的意见帮助我们改进。", "Your opinion helps us improve."),
        headline: Headline::Nps,
        scale: Scale { min: 0, max: 10 },
        bands: vec![
            band("promoter", "推荐者", "Promoter", 9, 10),
            band("passive", "被动者", "Passive", 7, 8),
            band("detractor", "贬损者", "Detractor", 0, 6),
        ],
        dimensions: vec![Dimension {
            key: "recommend".into(),
            name: w("推荐意愿", "Likelihood to recommend"),
            weight: 100,
            reasons: reasons(&[
                ("product", "产品质量", "Product quality"),
                ("service", "服务体验", "Service experience"),
                ("price", "价格", "Price"),
                ("delivery", "交付与物流", "Delivery"),
            ]),
        }],
        questions: vec![rating(
            "recommend",
            "recommend",
            "您有多大可能向朋友或同事推荐我们？",
            "How likely are you to recommend us to a friend or colleague?",
        )],
        low_at_most: 6,
    }
}

/// The ten-point, five-dimension service survey of an equipment maker's service network
/// (DOMAIN.md): five bands, equal weights, the material's reasons for low scores.
pub fn service_survey() -> DesignSpec {
    DesignSpec {
        name: w("服务满意度回访（五维度）", "Service satisfaction (five dimensions)"),
        intro: w(
            "请按 1–10 分为我们的服务打分，10 分为非常满意。",
            "Please rate our service from 1 to 10, where 10 means very satisfied.",
        ),
        headline: Headline::Score,
        scale: Scale { min: 1, max: 10 },
        bands: vec![
            band("very_satisfied", "非常满意", "Very satisfied", 9, 10),
            band("satisfied", "满意", "Satisfied", 7, 8),
            band("neutral", "一般", "Neutral", 5, 6),
            band("dissatisfied", "不满意", "Dissatisfied", 3, 4),
            band("very_dissatisfied", "非常不满意", "Very dissatisfied", 1, 2),
        ],
        dimensions: vec![
            Dimension {
                key: "skill".into(),
                name: w("服务技能", "Service skill"),
                weight: 20,
                reasons: reasons(&[
                    ("repeat_repairs", "多次维修仍未修好", "Repeated repairs without a fix"),
                    ("slow_diagnosis", "故障判断慢", "Slow to find the fault"),
                    ("long_repair", "维修时间长", "Long repair time"),
                ]),
            },
            Dimension {
                key: "attitude".into(),
                name: w("服务态度", "Service attitude"),
                weight: 20,
                reasons: reasons(&[
                    ("unwilling", "不愿意服务", "Unwilling to help"),
                    ("no_visit", "不上门服务", "Would not come on site"),
                    ("passive", "服务被动", "Passive"),
                    ("slow", "办事拖拉", "Slow"),
                    ("pushing_parts", "推销配件", "Pushing parts sales"),
                    ("promise_not_kept", "承诺未兑现", "Promise not kept"),
                ]),
            },
            Dimension {
                key: "timeliness".into(),
                name: w("服务及时性", "Timeliness"),
                weight: 20,
                reasons: reasons(&[
                    ("late_arrival", "到达现场晚", "Late arrival"),
                    ("too_few_resources", "服务车辆或人员不足", "Too few vehicles or people"),
                    ("far_site", "服务网点距离远", "Site far away"),
                    ("not_notified", "热线未及时通知工程师", "Hotline did not notify the engineer"),
                    ("engineer_busy", "工程师太忙", "Engineer busy"),
                ]),
            },
            Dimension {
                key: "parts".into(),
                name: w("配件供应", "Parts supply"),
                weight: 20,
                reasons: reasons(&[
                    ("slow_supply", "配件供应慢", "Slow supply"),
                    ("far_warehouse", "配件库距离远", "Warehouse far away"),
                    ("long_shipping", "物流时间长", "Long shipping"),
                    ("out_of_stock", "配件缺货", "Out of stock"),
                    ("wrong_part", "配件发错", "Wrong part"),
                ]),
            },
            Dimension {
                key: "overall".into(),
                name: w("服务综合", "Overall service"),
                weight: 20,
                reasons: reasons(&[
                    ("image", "服务形象差", "Poor image"),
                    ("cumbersome_process", "服务流程繁琐", "Cumbersome process"),
                    ("slow_head_office", "总部响应慢", "Slow head office"),
                ]),
            },
        ],
        questions: vec![
            rating("skill", "skill", "工程师的服务技能", "The engineer's skill"),
            rating("attitude", "attitude", "服务态度", "The service attitude"),
            rating("timeliness", "timeliness", "服务及时性", "How quickly we came"),
            rating("parts", "parts", "配件供应", "Parts supply"),
            rating("overall", "overall", "对本次服务的综合评价", "The service as a whole"),
            Question {
                key: "contact_again".into(),
                text: w("我们可以就您的反馈联系您吗？", "May we contact you about your feedback?"),
                kind: QuestionKind::Single {
                    options: vec![
                        Choice {
                            key: "yes".into(),
                            label: w("可以", "Yes"),
                        },
                        Choice {
                            key: "no".into(),
                            label: w("不用了", "No"),
                        },
                    ],
                },
                required: false,
            },
        ],
        low_at_most: 4,
    }
}

/// Every built-in design with its key.
pub fn designs() -> Vec<(&'static str, DesignSpec)> {
    vec![(CSAT, csat()), (NPS, nps()), (SERVICE, service_survey())]
}
