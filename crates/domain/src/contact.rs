//! How to reach a customer: e-mail addresses and phone numbers, normalised so that the
//! same person is found again whichever way they typed it.

use crate::error::FieldError;

/// An e-mail address, lower-cased. Checked for shape only (one `@`, a dotted domain);
/// deliverability is the mail system's business.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let text = value.trim().to_lowercase();
        let invalid = || FieldError::new(field, "invalid_email", "must be an e-mail address such as name@example.com");
        if text.len() > 254 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = text.split_once('@').ok_or_else(invalid)?;
        let domain_ok =
            domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains("..") && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        Ok(Email(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number kept as digits with an optional leading `+`: spaces, dashes, dots and
/// brackets are dropped, so "138-0013-8000" and "138 0013 8000" are the same customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let trimmed = value.trim();
        let mut out = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => out.push(c),
                '+' if i == 0 => out.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => {
                    return Err(FieldError::new(
                        field,
                        "invalid_phone",
                        "may contain only digits, spaces, dashes, brackets and a leading +",
                    ));
                }
            }
        }
        let digits = out.trim_start_matches('+').len();
        if !(5..=20).contains(&digits) {
            return Err(FieldError::new(field, "invalid_phone", "must have 5 to 20 digits"));
        }
        Ok(Phone(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_lower_cased_and_checked() {
        assert_eq!(
            Email::parse("email", " Li.Wei@Example.COM ").unwrap().as_str(),
            "li.wei@example.com"
        );
        for bad in ["", "no-at", "a@b", "@x.cn", "a@.cn", "a@x..cn", "a b@x.cn"] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_formats_collapse_to_one() {
        let a = Phone::parse("phone", "138-0013-8000").unwrap();
        let b = Phone::parse("phone", "138 0013 8000").unwrap();
        assert_eq!(a, b);
        assert_eq!(Phone::parse("phone", "+86 (10) 8888 0000").unwrap().as_str(), "+861088880000");
        assert!(Phone::parse("phone", "12ab").is_err());
    }

    proptest! {
        #[test]
        fn phone_parse_is_idempotent(s in "[+]?[0-9 ()-]{0,30}") {
            if let Ok(p) = Phone::parse("phone", &s) {
                prop_assert_eq!(Phone::parse("phone", p.as_str()).unwrap(), p);
            }
        }

        #[test]
        fn email_parse_is_idempotent(local in "[a-zA-Z0-9._]{1,20}", domain in "[a-z]{1,10}\\.[a-z]{2,5}") {
            let e = Email::parse("email", &format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(Email::parse("email", e.as_str()).unwrap(), e);
        }
    }
}
