//! Words that mean the same in customer service, so a query in one finds an answer written
//! in another (`退钱` finds `退款`, `money back` finds `refund`, `挖机` finds `挖掘机`).
//!
//! Expansion happens at query time only: the index holds what was written, and the list
//! can grow without a rebuild. Groups stay within one language (a Chinese query should
//! find the Chinese article, not its English translation). A synonym weighs less than the
//! word typed in the same field, so a document using the customer's own word usually
//! ranks first. A Chinese member is found in the query as a substring (segmentation does
//! not matter), so a member must not be a common part of unrelated words (`人工` is in
//! `人工智能`; `平板` in `平板车`).

use crate::analysis::{self, NormalizedText, is_han};
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// Groups of words used for the same thing: general service vocabulary (money, orders,
/// delivery, accounts, faults, visits) and the everyday names of the products a service
/// department supports. A word belongs to one group. Kept to words people really use for
/// one another; a looser list would find more and rank worse.
const GROUPS: &[&[&str]] = &[
    // Money
    &["退款", "退钱", "退费", "返款"],
    &["发票", "票据", "收据"],
    &["到账", "入账", "到款"],
    &["付款", "支付", "付钱", "缴费"],
    &["价格", "价钱", "报价"],
    &["优惠", "折扣", "打折", "优惠券"],
    &["续费", "续订", "续期"],
    &["订阅", "包年", "套餐"],
    &["refund", "reimburse", "reimbursement", "money back", "repay"],
    &["invoice", "receipt", "bill", "tax receipt"],
    &["pay", "payment"],
    &["price", "cost", "fee"],
    &["discount", "coupon", "voucher", "promo code"],
    &["subscription", "plan"],
    &["licence", "license", "seat"],
    // Orders and delivery
    &["取消订单", "撤单", "撤销订单"],
    &["快递", "物流", "配送", "送货"],
    &["发货", "出货", "寄出"],
    &["收货", "签收", "到货"],
    &["换货", "调换", "换新"],
    &["cancel", "call off"],
    &["delivery", "shipping", "shipment"],
    &["package", "parcel"],
    &["exchange", "swap", "replacement"],
    &["return", "send back"],
    // Accounts
    &["账号", "账户", "帐号", "帐户"],
    &["登录", "登陆", "登入"],
    &["注销", "销户", "删除账号"],
    &["密码", "口令"],
    &["找回", "重置"],
    &["password", "passcode", "passphrase"],
    &["login", "logon", "signin"],
    &["account", "profile"],
    &["delete", "remove"],
    &["privacy", "personal data"],
    // Faults and repairs
    &["维修", "修理", "报修"],
    &["保修", "质保", "保固", "三包"],
    &["故障", "坏了", "损坏", "失灵"],
    &["死机", "卡死", "无响应"],
    &["连不上", "无法连接", "连接失败"],
    &["升级", "更新"],
    &["repair", "fix", "mend"],
    &["warranty", "guarantee"],
    &["broken", "faulty", "defective", "damaged"],
    &["freeze", "frozen", "unresponsive"],
    &["update", "upgrade"],
    // People and visits
    &["客服", "人工客服", "客服人员"],
    &["工程师", "技术员", "师傅", "维修工"],
    &["上门", "到场", "现场"],
    &["预约", "预订"],
    &["投诉", "抱怨", "不满"],
    &["technician", "engineer", "repairman", "mechanic"],
    &["appointment", "booking", "visit"],
    &["agent", "representative", "human"],
    &["complaint", "complain"],
    // Products by their everyday names
    &["挖掘机", "挖机", "勾机"],
    &["装载机", "铲车"],
    &["起重机", "吊车"],
    &["叉车", "堆高机"],
    &["发电机", "发电机组"],
    &["压路机", "碾压机"],
    &["空调", "冷气"],
    &["智能锁", "门锁", "指纹锁", "电子锁"],
    &["扫地机器人", "扫地机"],
    &["excavator", "digger"],
    &["loader", "front loader", "wheel loader"],
    &["crane", "hoist"],
    &["forklift", "lift truck"],
    &["generator", "genset"],
    &["roller", "compactor"],
    &["air conditioner", "aircon"],
    &["tablet", "pad"],
    &["smart lock", "door lock"],
    &["robot vacuum", "robovac"],
    &["export", "download"],
];

/// A group member, as a query is compared with it and as its synonyms are searched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Member {
    /// Han characters, normalised: found in the query as a substring, searched as
    /// character pairs (segmentation of either side does not matter).
    Han(Vec<String>),
    /// Latin words: found when the query has all their stems; searched by the stem when
    /// one word, as a phrase of the words when more (`money back`).
    Words { stems: Vec<String>, tokens: Vec<String> },
}

static MEMBERS: LazyLock<Vec<Vec<Member>>> = LazyLock::new(|| {
    let mut words = analysis::words_analyzer();
    let mut chars = analysis::chars_analyzer();
    GROUPS
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|member| {
                    let normalized = NormalizedText::of(member).as_str().to_lowercase();
                    if normalized.chars().all(is_han) {
                        Member::Han(normalized.chars().map(String::from).collect())
                    } else {
                        Member::Words {
                            stems: analysis::terms(&mut words, member).into_iter().map(|(_, t)| t).collect(),
                            tokens: analysis::terms(&mut chars, member).into_iter().map(|(_, t)| t).collect(),
                        }
                    }
                })
                .filter(|member| !matches!(member, Member::Words { stems, .. } if stems.is_empty()))
                // Variants that normalise alike (`帐号`, `账号`) are one member.
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        })
        .collect()
});

/// The synonyms of what `text` says, given the words the query analysed to: the other
/// members of every group one of whose members the query holds, without those it holds.
pub fn synonyms_of(text: &str, words: &[String]) -> Vec<Member> {
    let normalized = NormalizedText::of(text).as_str().to_lowercase();
    let words: BTreeSet<&str> = words.iter().map(String::as_str).collect();
    let present = |member: &Member| match member {
        Member::Han(characters) => normalized.contains(&characters.concat()),
        Member::Words { stems, .. } => stems.iter().all(|t| words.contains(t.as_str())),
    };
    let mut out = BTreeSet::new();
    for group in MEMBERS.iter() {
        if group.iter().any(present) {
            out.extend(group.iter().filter(|m| !present(m)).cloned());
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synonyms(text: &str) -> Vec<Member> {
        synonyms_of(text, &crate::query::analyze(text).words)
    }

    fn han(word: &str) -> Member {
        Member::Han(word.chars().map(String::from).collect())
    }

    #[test]
    fn a_chinese_word_brings_its_group_whatever_the_segmentation() {
        let found = synonyms("钱什么时候退回来，退钱要多久");
        assert!(found.contains(&han("退款")), "{found:?}");
        assert!(!found.contains(&han("退钱")), "not what the query already says: {found:?}");
        assert!(
            synonyms("我的挖機壞了").contains(&han("挖掘机")),
            "traditional characters fold first"
        );
    }

    #[test]
    fn english_members_match_on_their_stems_and_multi_word_members_on_all_words() {
        let stems = |found: &[Member]| -> Vec<Vec<String>> {
            found
                .iter()
                .filter_map(|m| match m {
                    Member::Words { stems, .. } => Some(stems.clone()),
                    Member::Han(_) => None,
                })
                .collect()
        };
        let found = synonyms("I want my money back");
        assert!(stems(&found).contains(&vec!["refund".to_owned()]), "{found:?}");
        let found = synonyms("refunds take how long");
        assert!(stems(&found).contains(&vec!["money".to_owned(), "back".to_owned()]), "{found:?}");
        assert!(synonyms("money").is_empty(), "one word of a two-word member is not the member");
    }

    #[test]
    fn every_member_analyses_to_something_and_no_word_is_in_two_groups_or_alone() {
        let mut seen = BTreeSet::new();
        let mut words = analysis::words_analyzer();
        for member in GROUPS.iter().flat_map(|g| g.iter()) {
            assert!(!analysis::terms(&mut words, member).is_empty(), "{member} analyses to nothing");
        }
        for members in MEMBERS.iter() {
            assert!(members.len() >= 2, "{members:?}");
            for member in members {
                if let Member::Han(characters) = member {
                    assert!(characters.len() >= 2, "a Han member is searched as pairs: {member:?}");
                }
                assert!(seen.insert(member.clone()), "{member:?} is in two groups");
            }
        }
    }
}
