//! The category tree tickets are filed under. Kefu seeds the complaint taxonomy of the
//! service survey (skill, attitude, timeliness, parts, overall, each with its reasons)
//! and a few consultation and after-sales branches; admins extend it.

use crate::FieldError;
use serde::Serialize;

/// A seeded category: a dotted code (its path in the tree) and its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedCategory {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

const fn c(code: &'static str, name_zh: &'static str, name_en: &'static str) -> SeedCategory {
    SeedCategory { code, name_zh, name_en }
}

/// The seeded tree, parents before children. A category's parent is its code without
/// the last segment.
pub const SEED: &[SeedCategory] = &[
    c("complaint", "投诉", "Complaint"),
    c("complaint.skill", "服务技能", "Service skill"),
    c(
        "complaint.skill.repeated_repair",
        "多次维修未修好",
        "Repeated repairs without a fix",
    ),
    c("complaint.skill.slow_diagnosis", "故障判断慢", "Slow to find the fault"),
    c("complaint.skill.long_repair", "维修时间长", "Long repair time"),
    c("complaint.attitude", "服务态度", "Service attitude"),
    c("complaint.attitude.unwilling", "服务不情愿", "Unwilling to help"),
    c("complaint.attitude.no_visit", "不上门", "Did not visit"),
    c("complaint.attitude.passive", "服务被动", "Passive service"),
    c("complaint.attitude.slow", "反应慢", "Slow to act"),
    c("complaint.attitude.pushing_sales", "推销配件", "Pushing parts sales"),
    c("complaint.attitude.promise_not_kept", "承诺未兑现", "Promise not kept"),
    c("complaint.timeliness", "服务及时性", "Timeliness"),
    c("complaint.timeliness.late_arrival", "到达晚", "Late arrival"),
    c("complaint.timeliness.understaffed", "车辆或人员不足", "Too few vehicles or people"),
    c("complaint.timeliness.far_site", "距离远", "Far site"),
    c(
        "complaint.timeliness.not_notified",
        "热线未通知工程师",
        "Hotline did not notify the engineer",
    ),
    c("complaint.timeliness.engineer_busy", "工程师忙", "Engineer busy"),
    c("complaint.parts", "配件供应", "Parts supply"),
    c("complaint.parts.slow_supply", "供应慢", "Slow supply"),
    c("complaint.parts.far_warehouse", "仓库远", "Far warehouse"),
    c("complaint.parts.long_shipping", "运输时间长", "Long shipping"),
    c("complaint.parts.out_of_stock", "缺货", "Out of stock"),
    c("complaint.parts.wrong_part", "配件错误", "Wrong part"),
    c("complaint.overall", "服务综合", "Overall service"),
    c("complaint.overall.image", "服务形象", "Image"),
    c("complaint.overall.cumbersome_process", "流程繁琐", "Cumbersome process"),
    c("complaint.overall.slow_head_office", "总部响应慢", "Slow head office"),
    c("consultation", "咨询", "Consultation"),
    c("consultation.product", "产品咨询", "Product question"),
    c("consultation.order", "订单查询", "Order status"),
    c("consultation.billing", "账单与发票", "Billing and invoices"),
    c("consultation.account", "账号问题", "Account"),
    c("after_sales", "售后", "After-sales"),
    c("after_sales.return", "退换货", "Return or exchange"),
    c("after_sales.refund", "退款", "Refund"),
    c("after_sales.repair", "维修", "Repair"),
    c("after_sales.warranty", "保修", "Warranty"),
    c("field_service", "上门服务", "Field service"),
    c("field_service.installation", "安装", "Installation"),
    c("field_service.maintenance", "保养", "Maintenance"),
    c("suggestion", "建议", "Suggestion"),
    c("suggestion.product", "产品建议", "Product suggestion"),
    c("suggestion.service", "服务建议", "Service suggestion"),
];

/// The parent code of a category code, `None` for a root.
pub fn parent_code(code: &str) -> Option<&str> {
    code.rsplit_once('.').map(|(parent, _)| parent)
}

/// How deep the tree may grow: department › area › reason › detail.
pub const MAX_DEPTH: usize = 4;

/// A category of the tree. Its code is its path (`complaint.attitude.slow`) and never
/// changes, since tickets, SLA conditions and reports keep it; names can. A retired
/// category (`active == false`) stays on the tickets filed under it but can no longer be
/// chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub code: String,
    pub parent_code: Option<String>,
    pub name_zh: String,
    pub name_en: String,
    pub active: bool,
}

impl Category {
    /// The name in Chinese or English.
    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.name_zh } else { &self.name_en }
    }

    /// 0 for a root, 1 for its children, ...
    pub fn depth(&self) -> usize {
        self.code.matches('.').count()
    }

    /// Whether `code` is this category or one below it.
    pub fn covers(&self, code: &str) -> bool {
        code == self.code || code.strip_prefix(self.code.as_str()).is_some_and(|rest| rest.starts_with('.'))
    }
}

/// The code of a new category: its parent's code and a key of lower-case ASCII letters,
/// digits and `_` (1 to 40 characters; the key is what stays stable in reports and rules,
/// the names are for people).
///
/// ```
/// use kefu_domain::category::child_code;
/// assert_eq!(child_code(Some("after_sales"), "spare_parts").unwrap(), "after_sales.spare_parts");
/// assert!(child_code(None, "Spare Parts").is_err());
/// ```
pub fn child_code(parent: Option<&str>, key: &str) -> Result<String, FieldError> {
    let key = key.trim();
    let valid = !key.is_empty() && key.len() <= 40 && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        return Err(FieldError::new("key", "invalid_key", "use 1 to 40 lower-case letters, digits or _"));
    }
    match parent {
        None => Ok(key.to_owned()),
        Some(parent) if parent.matches('.').count() + 1 >= MAX_DEPTH => Err(FieldError::new(
            "parent",
            "too_deep",
            format!("categories nest at most {MAX_DEPTH} levels"),
        )),
        Some(parent) => Ok(format!("{parent}.{key}")),
    }
}

/// The tree in reading order: every parent followed by its children, siblings in the order
/// given (the stored position). Categories whose parent is missing are left out.
pub fn tree_order(list: Vec<Category>) -> Vec<Category> {
    let mut children: std::collections::HashMap<Option<String>, Vec<Category>> = std::collections::HashMap::new();
    for category in list {
        children.entry(category.parent_code.clone()).or_default().push(category);
    }
    let mut ordered = Vec::new();
    let mut stack: Vec<Category> = children.remove(&None).unwrap_or_default().into_iter().rev().collect();
    while let Some(category) = stack.pop() {
        if let Some(kids) = children.remove(&Some(category.code.clone())) {
            stack.extend(kids.into_iter().rev());
        }
        ordered.push(category);
    }
    ordered
}

/// A category's names from the root down, e.g. `投诉 › 服务态度`; the code itself when the
/// tree does not know it.
pub fn path_name(all: &[Category], code: &str, zh: bool) -> String {
    let mut names = Vec::new();
    let mut at = Some(code);
    while let Some(code) = at {
        match all.iter().find(|c| c.code == code) {
            Some(category) => names.push(category.name(zh)),
            None => return code.to_owned(),
        }
        at = parent_code(code);
    }
    names.reverse();
    names.join(" › ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seeded_parent_comes_first_and_codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for cat in SEED {
            if let Some(parent) = parent_code(cat.code) {
                assert!(seen.contains(parent), "{} before its parent", cat.code);
            }
            assert!(seen.insert(cat.code), "duplicate {}", cat.code);
        }
    }

    fn category(code: &str) -> Category {
        Category {
            code: code.into(),
            parent_code: parent_code(code).map(str::to_owned),
            name_zh: format!("{code}中"),
            name_en: code.into(),
            active: true,
        }
    }

    #[test]
    fn new_codes_are_a_safe_key_under_a_parent_at_most_four_deep() {
        assert_eq!(child_code(None, " billing ").unwrap(), "billing");
        assert_eq!(child_code(Some("a.b.c"), "d").unwrap(), "a.b.c.d");
        assert_eq!(child_code(Some("a.b.c.d"), "e").unwrap_err().code, "too_deep");
        for bad in ["", "Refund", "re fund", "退款", "a.b", "a%", &"x".repeat(41)] {
            assert_eq!(child_code(None, bad).unwrap_err().code, "invalid_key", "{bad:?}");
        }
    }

    #[test]
    fn the_tree_reads_parents_before_their_children_in_stored_order() {
        let list = ["b", "a", "b.y", "a.z", "a.x", "a.z.q", "orphan.child"].map(category).to_vec();
        let codes: Vec<String> = tree_order(list).into_iter().map(|c| c.code).collect();
        assert_eq!(codes, ["b", "b.y", "a", "a.z", "a.z.q", "a.x"]);
    }

    #[test]
    fn a_path_is_named_from_the_root_and_covers_only_its_own_subtree() {
        let all = ["a", "a.z", "a.z.q"].map(category).to_vec();
        assert_eq!(path_name(&all, "a.z.q", false), "a › a.z › a.z.q");
        assert_eq!(path_name(&all, "a.z", true), "a中 › a.z中");
        assert_eq!(path_name(&all, "gone", true), "gone");
        assert!(all[0].covers("a.z.q") && all[0].covers("a"));
        assert!(!all[1].covers("a.zz") && !all[1].covers("a"));
    }
}
