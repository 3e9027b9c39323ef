//! Which tickets something applies to: the conditions shared by SLA policies and
//! automation rules. Within a field the listed values are alternatives (any of them);
//! across fields all must hold. An empty list does not constrain.

use crate::entities::{Id, Ticket};
use crate::enums::{Channel, CustomerTier, Priority, TicketKind};
use crate::error::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priorities: Vec<Priority>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<TicketKind>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<CustomerTier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<Id>,
    /// Category codes; a code also matches its subcategories (`complaint` matches
    /// `complaint.attitude`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Any of these tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Any of these words in the subject or the latest message (case-insensitive).
    /// Automation rules only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_contains: Vec<String>,
    /// Whether the service calendar is open at the moment of evaluation. Automation
    /// rules only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_hours: Option<bool>,
}

/// What conditions are checked against: the ticket and the facts around it that are not
/// columns of the ticket.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub ticket: &'a Ticket,
    pub tier: CustomerTier,
    /// The text of the message that triggered an evaluation, if any.
    pub text: Option<&'a str>,
    /// Whether the calendar is open now (automation rules).
    pub open_now: bool,
}

impl Conditions {
    pub fn matches(&self, subject: &Subject<'_>) -> bool {
        let t = subject.ticket;
        any_or_empty(&self.priorities, |p| *p == t.priority)
            && any_or_empty(&self.kinds, |k| *k == t.kind)
            && any_or_empty(&self.channels, |c| *c == t.channel)
            && any_or_empty(&self.tiers, |c| *c == subject.tier)
            && any_or_empty(&self.teams, |id| t.team_id == Some(*id))
            && any_or_empty(&self.categories, |code| t.category.as_deref().is_some_and(|c| in_category(c, code)))
            && any_or_empty(&self.tags, |tag| t.tags.iter().any(|own| own == tag))
            && self.business_hours.is_none_or(|wanted| wanted == subject.open_now)
            && (self.text_contains.is_empty() || self.text_matches(t, subject.text))
    }

    /// Any of the words in the subject or the text, ignoring case. Runs for every rule on
    /// every new ticket, so the common words (ASCII, or without case like Chinese) are
    /// compared in place, without lower-casing copies.
    fn text_matches(&self, ticket: &Ticket, text: Option<&str>) -> bool {
        self.text_contains
            .iter()
            .any(|word| contains_ignoring_case(&ticket.subject, word) || text.is_some_and(|t| contains_ignoring_case(t, word)))
    }

    /// Conditions for an SLA policy: only fields a ticket carries, since a policy must
    /// give the same answer whenever it is asked.
    pub fn validate_for_policy(&self, field: &str, errors: &mut FieldErrors) {
        if !self.text_contains.is_empty() {
            errors.push(FieldError::new(
                format!("{field}.text_contains"),
                "not_allowed",
                "SLA policies match ticket fields only",
            ));
        }
        if self.business_hours.is_some() {
            errors.push(FieldError::new(
                format!("{field}.business_hours"),
                "not_allowed",
                "SLA policies match ticket fields only",
            ));
        }
        self.validate(field, errors);
    }

    pub fn validate(&self, field: &str, errors: &mut FieldErrors) {
        if self.text_contains.iter().any(|w| w.trim().is_empty()) {
            errors.push(FieldError::new(
                format!("{field}.text_contains"),
                "empty_value",
                "words must not be empty",
            ));
        }
        if self.categories.iter().any(|c| c.trim().is_empty()) {
            errors.push(FieldError::new(
                format!("{field}.categories"),
                "empty_value",
                "codes must not be empty",
            ));
        }
    }
}

fn any_or_empty<T>(values: &[T], test: impl Fn(&T) -> bool) -> bool {
    values.is_empty() || values.iter().any(test)
}

/// Whether `haystack` contains `needle`, ignoring case.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.is_ascii() {
        // ASCII bytes never occur inside a multi-byte UTF-8 sequence, so a byte window
        // compare is exact on any haystack.
        // Candidates are found by their first byte in either case (memchr scans many bytes
        // at a time: 50 rules' text conditions run on every new ticket).
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        let (lower, upper) = (n[0].to_ascii_lowercase(), n[0].to_ascii_uppercase());
        return memchr::memchr2_iter(lower, upper, h)
            .any(|at| h.get(at..at + n.len()).is_some_and(|window| window.eq_ignore_ascii_case(n)));
    }
    if !needle.chars().any(|c| c.is_lowercase() || c.is_uppercase()) {
        // No letter with a case (退款): plain search.
        return haystack.contains(needle);
    }
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn in_category(code: &str, wanted: &str) -> bool {
    code == wanted || code.strip_prefix(wanted).is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::tests_support::ticket;

    fn subject(ticket: &Ticket) -> Subject<'_> {
        Subject {
            ticket,
            tier: CustomerTier::Normal,
            text: None,
            open_now: true,
        }
    }

    #[test]
    fn empty_conditions_match_everything() {
        let t = ticket();
        assert!(Conditions::default().matches(&subject(&t)));
    }

    #[test]
    fn lists_are_alternatives_and_fields_must_all_hold() {
        let mut t = ticket();
        t.priority = Priority::High;
        t.category = Some("complaint.attitude".into());
        let c = Conditions {
            priorities: vec![Priority::High, Priority::Urgent],
            categories: vec!["complaint".into()],
            ..Conditions::default()
        };
        assert!(c.matches(&subject(&t)));
        t.category = Some("complaints".into());
        assert!(!c.matches(&subject(&t)), "a prefix that is not a parent does not match");
        t.category = Some("complaint".into());
        t.priority = Priority::Low;
        assert!(!c.matches(&subject(&t)));
    }

    #[test]
    fn text_contains_looks_at_subject_and_message_case_insensitively() {
        let t = ticket();
        let c = Conditions {
            text_contains: vec!["退款".into(), "REFUND".into()],
            ..Conditions::default()
        };
        assert!(!c.matches(&subject(&t)));
        let with_text = Subject {
            text: Some("I want a refund now"),
            ..subject(&t)
        };
        assert!(c.matches(&with_text));
        let zh = Subject {
            text: Some("我要退款"),
            ..subject(&t)
        };
        assert!(c.matches(&zh));
    }

    #[test]
    fn case_is_ignored_without_copies_where_possible() {
        assert!(contains_ignoring_case("Robot will not DOCK", "dock"));
        assert!(contains_ignoring_case("扫地机器人 Refund please", "REFUND"));
        assert!(contains_ignoring_case("我要退款", "退款"));
        assert!(contains_ignoring_case("GRÜN und Gelb", "grün"));
        assert!(!contains_ignoring_case("refun", "refund"));
        assert!(!contains_ignoring_case("", "x"));
    }

    proptest::proptest! {
        /// The in-place comparison agrees with lower-casing both sides.
        #[test]
        fn agrees_with_lowercasing(haystack in "[a-zA-Z退款 ]{0,30}", needle in "[a-zA-Z退款]{1,4}") {
            let expected = haystack.to_lowercase().contains(&needle.to_lowercase());
            proptest::prop_assert_eq!(contains_ignoring_case(&haystack, &needle), expected);
        }
    }

    #[test]
    fn policy_conditions_refuse_rule_only_fields() {
        let c = Conditions {
            business_hours: Some(true),
            ..Conditions::default()
        };
        let mut errors = FieldErrors::default();
        c.validate_for_policy("conditions", &mut errors);
        assert_eq!(errors.0[0].field, "conditions.business_hours");
    }
}
