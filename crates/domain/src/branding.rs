//! The public pages' look, set by an admin: the department's name, a welcome text in
//! both languages, an accent colour and a logo.

use crate::error::{FieldError, FieldErrors};
use serde::Serialize;

/// The longest name and welcome text (characters).
pub const MAX_BRAND_NAME: usize = 60;
pub const MAX_WELCOME: usize = 500;
/// The largest logo.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// What the customer sees on the portal and help center; empty fields fall back to
/// Kefu's own texts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Branding {
    pub name_zh: String,
    pub name_en: String,
    pub welcome_zh: String,
    pub welcome_en: String,
    /// `#rrggbb`, or empty for Kefu's colour.
    pub accent: String,
    /// The logo's type when there is one (it is served at `/brand/logo`).
    pub logo_type: Option<String>,
    /// A version of the logo for cache-busting links (its hash).
    #[serde(skip)]
    pub logo_sha256: Option<String>,
}

impl Branding {
    /// The name in `lang` (`zh` or `en`), the other language's if that one is empty.
    pub fn name(&self, zh: bool) -> &str {
        pick(zh, &self.name_zh, &self.name_en)
    }

    /// The welcome text in `lang` only: a sentence in the other language would greet a
    /// customer in words they may not read (Kefu's own text in their language is used).
    pub fn welcome(&self, zh: bool) -> &str {
        if zh { &self.welcome_zh } else { &self.welcome_en }
    }
}

fn pick<'a>(zh: bool, chinese: &'a str, english: &'a str) -> &'a str {
    match (zh, chinese.is_empty(), english.is_empty()) {
        (true, false, _) | (false, false, true) => chinese,
        _ => english,
    }
}

/// Checks the texts and the colour of a branding change (trimmed in place).
pub fn check(branding: &mut Branding) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    for (field, value, max) in [
        ("name_zh", &mut branding.name_zh, MAX_BRAND_NAME),
        ("name_en", &mut branding.name_en, MAX_BRAND_NAME),
        ("welcome_zh", &mut branding.welcome_zh, MAX_WELCOME),
        ("welcome_en", &mut branding.welcome_en, MAX_WELCOME),
    ] {
        *value = value.trim().to_owned();
        if value.chars().count() > max {
            errors.push(FieldError::new(field, "too_long", format!("at most {max} characters")));
        }
        if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
            errors.push(FieldError::new(field, "invalid_text", "no control characters"));
        }
    }
    branding.accent = branding.accent.trim().to_ascii_lowercase();
    if !branding.accent.is_empty() && !is_hex_colour(&branding.accent) {
        errors.push(FieldError::new("accent", "invalid_colour", "a colour such as #1a73e8"));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// `#rrggbb`: the only form accepted, because it is written into a stylesheet.
fn is_hex_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// The stylesheet that gives the public pages the accent colour.
pub fn stylesheet(branding: &Branding) -> String {
    if is_hex_colour(&branding.accent) {
        format!(":root {{ --accent: {}; }}\n", branding.accent)
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fall_back_to_the_other_language() {
        let b = Branding {
            name_zh: "小米客服".into(),
            ..Branding::default()
        };
        assert_eq!((b.name(true), b.name(false)), ("小米客服", "小米客服"));
        let both = Branding {
            name_zh: "小米客服".into(),
            name_en: "Xiaomi Support".into(),
            ..Branding::default()
        };
        assert_eq!(both.name(false), "Xiaomi Support");
        assert_eq!(Branding::default().name(true), "");
    }

    #[test]
    fn only_plain_hex_colours_reach_the_stylesheet() {
        let mut b = Branding {
            accent: " #1A73E8 ".into(),
            ..Branding::default()
        };
        assert_eq!(check(&mut b), Ok(()));
        assert_eq!(stylesheet(&b), ":root { --accent: #1a73e8; }\n");
        for bad in ["red", "#12345", "#1a73e8; } body { display:none", "#gggggg"] {
            let mut b = Branding {
                accent: bad.into(),
                ..Branding::default()
            };
            let codes: Vec<_> = check(&mut b).unwrap_err().0.iter().map(|e| e.code).collect();
            assert_eq!(codes, ["invalid_colour"], "{bad}");
        }
        let mut long = Branding {
            welcome_en: "x".repeat(MAX_WELCOME + 1),
            ..Branding::default()
        };
        assert_eq!(check(&mut long).unwrap_err().0[0].field, "welcome_en");
    }
}
