//! The category tree tickets are filed under. Kefu seeds the complaint taxonomy of the
//! service survey (skill, attitude, timeliness, parts, overall, each with its reasons)
//! and a few consultation and after-sales branches; admins extend it.

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
}
