//! Closing the loop on what customers said: improvement actions (PDCA) against a
//! low-score reason, and praise that names an agent.

use super::Answer;
use crate::entities::Id;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// The score from which an answer with a comment naming an agent counts as praise.
pub const PRAISE_FROM_SCORE: f64 = 80.0;

/// An improvement action (PDCA): what will be done about a reason for low scores, by
/// whom, by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImprovementAction {
    pub id: Id,
    pub design_key: String,
    pub dimension: String,
    pub reason: String,
    pub what: String,
    pub owner_id: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub done_at: Option<Timestamp>,
    pub created_by: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// Whether an answer is praise: not low, scoring at least [`PRAISE_FROM_SCORE`], with a
/// comment.
pub fn is_praise(answer: &Answer) -> bool {
    !answer.low && answer.comment.is_some() && answer.score.is_some_and(|s| s >= PRAISE_FROM_SCORE)
}

/// The agents a comment names: by full name, or by a part of it (split at spaces) of at
/// least two characters for Chinese (李丽 in "李丽 Alice") or three letters for Latin
/// names, compared case-insensitively on word boundaries.
pub fn named_agents(comment: &str, agents: &[(Id, String)]) -> Vec<Id> {
    let text = comment.to_lowercase();
    agents
        .iter()
        .filter(|(_, name)| {
            let name = name.trim().to_lowercase();
            let mut parts: Vec<&str> = name.split_whitespace().collect();
            if parts.len() > 1 {
                parts.push(&name);
            }
            parts.iter().any(|part| names_in(&text, part))
        })
        .map(|(id, _)| *id)
        .collect()
}

fn names_in(text: &str, part: &str) -> bool {
    let han = part.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let long_enough = if han {
        part.chars().count() >= 2
    } else {
        part.chars().count() >= 3
    };
    if !long_enough {
        return false;
    }
    if han {
        return text.contains(part);
    }
    // Latin names must stand as words: "Ann" is not in "announce".
    text.match_indices(part).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + part.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_name_agents_by_their_names() {
        let agents = vec![
            (1, "李丽 Alice".to_owned()),
            (2, "Ann".to_owned()),
            (3, "王强".to_owned()),
            (4, "王".to_owned()),
        ];
        assert_eq!(named_agents("李丽非常耐心，谢谢！", &agents), vec![1]);
        assert_eq!(named_agents("Thanks to alice and Ann.", &agents), vec![1, 2]);
        assert_eq!(named_agents("An announcement", &agents), Vec::<Id>::new());
        assert_eq!(named_agents("王强师傅修得很快", &agents), vec![3]);
        assert_eq!(
            named_agents("王师傅不错", &agents),
            Vec::<Id>::new(),
            "a one-character name is too loose"
        );
    }
}
