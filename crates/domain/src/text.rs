//! Bounded text: subjects, bodies, names, tags, reasons. Each type trims surrounding
//! white space, refuses control characters (other than line breaks and tabs in long
//! text) and enforces a length in characters, not bytes, so Chinese and English get the
//! same limits.

use crate::error::FieldError;

/// Trims, then checks the length in characters and the character set.
fn bounded(field: &str, value: &str, min: usize, max: usize, multiline: bool) -> Result<String, FieldError> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(if len == 0 {
            FieldError::new(field, "required", "must not be empty")
        } else {
            FieldError::new(field, "too_short", format!("must be at least {min} characters"))
        });
    }
    if len > max {
        return Err(FieldError::new(field, "too_long", format!("must be at most {max} characters")));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if !trimmed.chars().all(allowed) {
        return Err(FieldError::new(field, "invalid_characters", "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// Declares a text newtype with its bounds.
macro_rules! bounded_text {
    ($(#[$meta:meta])* $name:ident, min = $min:expr, max = $max:expr, multiline = $ml:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
                bounded(field, value, $min, $max, $ml).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

bounded_text!(
    /// A ticket's one-line subject.
    TicketSubject, min = 1, max = 250, multiline = false
);
bounded_text!(
    /// A ticket's description or a message body (Markdown source).
    Body, min = 1, max = 100_000, multiline = true
);
bounded_text!(
    /// A person's or an organization's display name.
    Name, min = 1, max = 200, multiline = false
);
bounded_text!(
    /// Why a ticket was transferred or a sensitive change made; required, never blank.
    Reason, min = 2, max = 1_000, multiline = true
);
bounded_text!(
    /// What the customer expects as a resolution, in their words.
    Expectation, min = 1, max = 2_000, multiline = true
);

/// A label on a ticket or customer: lower-cased, no spaces or commas, at most 50 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct Tag(String);

impl Tag {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let text = bounded(field, value, 1, 50, false)?.to_lowercase();
        if text.chars().any(|c| c.is_whitespace() || c == ',') {
            return Err(FieldError::new(field, "invalid_characters", "must not contain spaces or commas"));
        }
        Ok(Tag(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// At most this many tags on one ticket or customer.
pub const MAX_TAGS: usize = 20;

/// Parses a tag list: de-duplicated and sorted, so the stored form is canonical.
pub fn parse_tags(field: &str, values: &[String]) -> Result<Vec<Tag>, FieldError> {
    if values.len() > MAX_TAGS {
        return Err(FieldError::new(field, "too_many", format!("at most {MAX_TAGS} tags")));
    }
    let mut tags = values
        .iter()
        .enumerate()
        .map(|(i, v)| Tag::parse(&format!("{field}[{i}]"), v))
        .collect::<Result<Vec<_>, _>>()?;
    tags.sort();
    tags.dedup();
    Ok(tags)
}

/// Free custom fields: a flat JSON object of at most 50 keys, each value a string, number,
/// boolean or null, and at most 8 KiB in all once serialised.
pub fn parse_custom_fields(field: &str, value: &serde_json::Value) -> Result<serde_json::Map<String, serde_json::Value>, FieldError> {
    let serde_json::Value::Object(map) = value else {
        return Err(FieldError::new(field, "invalid_type", "must be a JSON object"));
    };
    if map.len() > 50 {
        return Err(FieldError::new(field, "too_many", "at most 50 custom fields"));
    }
    for (key, v) in map {
        if key.is_empty() || key.chars().count() > 64 {
            return Err(FieldError::new(field, "invalid_key", "keys must be 1 to 64 characters"));
        }
        if v.is_object() || v.is_array() {
            return Err(FieldError::new(
                format!("{field}.{key}"),
                "invalid_type",
                "must be a string, number, boolean or null",
            ));
        }
    }
    if value.to_string().len() > 8 * 1024 {
        return Err(FieldError::new(field, "too_long", "custom fields must be at most 8 KiB"));
    }
    Ok(map.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn subject_is_trimmed_and_bounded_in_characters() {
        assert_eq!(TicketSubject::parse("subject", "  退货申请 ").unwrap().as_str(), "退货申请");
        assert_eq!(TicketSubject::parse("subject", "   ").unwrap_err().code, "required");
        let long = "退".repeat(251);
        assert_eq!(TicketSubject::parse("subject", &long).unwrap_err().code, "too_long");
        assert!(TicketSubject::parse("subject", &"退".repeat(250)).is_ok());
        assert_eq!(TicketSubject::parse("subject", "a\nb").unwrap_err().code, "invalid_characters");
        assert!(Body::parse("body", "line one\nline two").is_ok());
    }

    #[test]
    fn tags_are_canonical() {
        let tags = parse_tags("tags", &["VIP".into(), "退款".into(), "vip".into()]).unwrap();
        let names: Vec<_> = tags.iter().map(Tag::as_str).collect();
        assert_eq!(names, ["vip", "退款"]);
        assert!(parse_tags("tags", &["two words".into()]).is_err());
    }

    #[test]
    fn custom_fields_must_be_flat() {
        let ok = serde_json::json!({"order": "A-1", "amount": 12.5});
        assert!(parse_custom_fields("custom", &ok).is_ok());
        let nested = serde_json::json!({"a": {"b": 1}});
        assert_eq!(parse_custom_fields("custom", &nested).unwrap_err().code, "invalid_type");
    }

    proptest! {
        #[test]
        fn parsed_text_is_always_within_bounds(s in "\\PC{0,300}") {
            if let Ok(subject) = TicketSubject::parse("subject", &s) {
                let n = subject.as_str().chars().count();
                prop_assert!((1..=250).contains(&n));
                prop_assert_eq!(subject.as_str().trim(), subject.as_str());
            }
        }
    }
}
