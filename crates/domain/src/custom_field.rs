//! Custom ticket fields that admins define (a product, a region, an order number, ...):
//! a stable key in the ticket's `custom` object, labels in both languages, and a type
//! that decides what a value may be. Agents fill them on the ticket page; reports and
//! survey slices read the same keys (`product`, `region`, `business_line`).

use crate::enums::text_enum;
use crate::error::{FieldError, FieldErrors};
use serde::Serialize;
use serde_json::Value;

text_enum!(
    /// What a field holds and how it is typed in.
    FieldKind { Text = "text", Number = "number", Select = "select", Date = "date", Checkbox = "checkbox" }
);

/// The most fields a department defines, and options a select field offers.
pub const MAX_FIELDS: usize = 50;
pub const MAX_OPTIONS: usize = 100;

/// A field definition. Its key never changes once tickets carry it; a retired field
/// (`active == false`) is no longer shown for filling in but its values stay.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomField {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub kind: FieldKind,
    /// The choices of a `select` field (empty for other kinds).
    pub options: Vec<String>,
    pub active: bool,
}

fn bounded(field: &str, text: &str, max: usize, errors: &mut FieldErrors) -> String {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max {
        errors.push(FieldError::new(field, "invalid_length", format!("1 to {max} characters")));
    }
    text.to_owned()
}

impl CustomField {
    /// Checks a definition: key `a-z0-9_` starting with a letter (≤ 64), labels of 1 to
    /// 100 characters, and options only for `select` (1 to 100 distinct, ≤ 100 characters).
    pub fn parse(key: &str, label_zh: &str, label_en: &str, kind: &str, options: &[String], active: bool) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let key = key.trim();
        let valid_key = key.len() <= 64
            && key.starts_with(|c: char| c.is_ascii_lowercase())
            && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_key {
            errors.push(FieldError::new(
                "key",
                "invalid_key",
                "a letter, then lower-case letters, digits or _ (at most 64)",
            ));
        }
        let label_zh = bounded("label_zh", label_zh, 100, &mut errors);
        let label_en = bounded("label_en", label_en, 100, &mut errors);
        let kind = errors.take(FieldKind::parse("kind", kind));
        let options: Vec<String> = options.iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect();
        match kind {
            Some(FieldKind::Select) => {
                let mut seen = std::collections::HashSet::new();
                if options.is_empty() || options.len() > MAX_OPTIONS {
                    errors.push(FieldError::new("options", "invalid_options", format!("1 to {MAX_OPTIONS} choices")));
                }
                if options.iter().any(|o| o.chars().count() > 100 || !seen.insert(o.as_str())) {
                    errors.push(FieldError::new(
                        "options",
                        "invalid_options",
                        "choices are distinct and at most 100 characters",
                    ));
                }
            }
            Some(_) if !options.is_empty() => {
                errors.push(FieldError::new("options", "not_a_select", "only a select field has choices"));
            }
            _ => {}
        }
        match kind {
            Some(kind) if errors.0.is_empty() => Ok(CustomField {
                key: key.to_owned(),
                label_zh,
                label_en,
                kind,
                options,
                active,
            }),
            _ => Err(errors),
        }
    }

    pub fn label(&self, zh: bool) -> &str {
        if zh { &self.label_zh } else { &self.label_en }
    }

    /// A value as typed in a form: `None` clears the field (empty text, an unticked box).
    ///
    /// ```
    /// use kefu_domain::custom_field::CustomField;
    /// let size = CustomField::parse("size", "尺寸", "Size", "select", &["S".into(), "M".into()], true).unwrap();
    /// assert_eq!(size.parse_value("M").unwrap(), Some(serde_json::json!("M")));
    /// assert!(size.parse_value("XL").is_err());
    /// assert_eq!(size.parse_value(" ").unwrap(), None);
    /// ```
    pub fn parse_value(&self, text: &str) -> Result<Option<Value>, FieldError> {
        let text = text.trim();
        let field = format!("custom.{}", self.key);
        if text.is_empty() {
            return Ok(None);
        }
        let value = match self.kind {
            FieldKind::Text if text.chars().count() <= 1000 => Value::String(text.to_owned()),
            FieldKind::Text => return Err(FieldError::new(field, "too_long", "at most 1000 characters")),
            FieldKind::Number => match text.parse::<f64>().ok().filter(|n| n.is_finite()) {
                // Whole numbers stay whole (an order count, not 3.0).
                Some(n) if n.fract() == 0.0 && n.abs() < 9e15 => Value::from(n as i64),
                Some(n) => Value::from(n),
                None => return Err(FieldError::new(field, "not_a_number", "must be a number")),
            },
            FieldKind::Select if self.options.iter().any(|o| o == text) => Value::String(text.to_owned()),
            FieldKind::Select => {
                return Err(FieldError::new(
                    field,
                    "unknown_option",
                    format!("must be one of: {}", self.options.join(", ")),
                ));
            }
            FieldKind::Date => match text.parse::<jiff::civil::Date>() {
                Ok(date) => Value::String(date.to_string()),
                Err(_) => return Err(FieldError::new(field, "not_a_date", "must be a date, YYYY-MM-DD")),
            },
            FieldKind::Checkbox => Value::Bool(matches!(text, "true" | "on" | "1" | "yes")),
        };
        Ok(Some(value))
    }

    /// A stored value as a form shows it.
    pub fn value_text(value: &Value) -> String {
        match value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: &str, options: &[&str]) -> CustomField {
        let options: Vec<String> = options.iter().map(|o| o.to_string()).collect();
        CustomField::parse("order_no", "订单号", "Order number", kind, &options, true).unwrap()
    }

    #[test]
    fn definitions_are_checked_whole() {
        let errors = CustomField::parse("Order No", "", "x", "colour", &[], true).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["key", "label_zh", "kind"]);
        let errors = CustomField::parse("size", "尺寸", "Size", "select", &[], true).unwrap_err();
        assert_eq!(errors.0[0].code, "invalid_options");
        let errors = CustomField::parse("size", "尺寸", "Size", "select", &["S".into(), "S".into()], true).unwrap_err();
        assert_eq!(errors.0[0].code, "invalid_options");
        let errors = CustomField::parse("size", "尺寸", "Size", "text", &["S".into()], true).unwrap_err();
        assert_eq!(errors.0[0].code, "not_a_select");
        assert!(CustomField::parse("9lives", "a", "b", "text", &[], true).is_err());
    }

    #[test]
    fn values_are_typed_by_the_field() {
        assert_eq!(field("number", &[]).parse_value("42").unwrap(), Some(serde_json::json!(42)));
        assert_eq!(field("number", &[]).parse_value("2.5").unwrap(), Some(serde_json::json!(2.5)));
        assert_eq!(field("number", &[]).parse_value("NaN").unwrap_err().code, "not_a_number");
        assert_eq!(field("date", &[]).parse_value("2026-02-30").unwrap_err().code, "not_a_date");
        assert_eq!(
            field("date", &[]).parse_value("2026-12-06").unwrap(),
            Some(serde_json::json!("2026-12-06"))
        );
        assert_eq!(field("checkbox", &[]).parse_value("on").unwrap(), Some(Value::Bool(true)));
        assert_eq!(field("text", &[]).parse_value(&"字".repeat(1001)).unwrap_err().code, "too_long");
        let error = field("select", &["华东", "华南"]).parse_value("华北").unwrap_err();
        assert_eq!((error.field.as_str(), error.code), ("custom.order_no", "unknown_option"));
        assert_eq!(CustomField::value_text(&serde_json::json!(42)), "42");
        assert_eq!(CustomField::value_text(&serde_json::json!("华东")), "华东");
    }
}
