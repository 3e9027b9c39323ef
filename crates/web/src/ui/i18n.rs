//! The UI's two languages. The user's choice is a cookie; without one, the browser's
//! `Accept-Language` decides, and Chinese is the default (客服 first). Strings live in
//! `crates/web/locales/*.yml`, compiled in by rust-i18n; a test keeps the two files'
//! keys identical.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use std::convert::Infallible;

/// The cookie that holds the chosen language.
pub const LANG_COOKIE: &str = "kefu_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The locale name (file name, `lang` attribute, cookie value).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language (the header's switch offers it).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The cookie's choice, else the first supported language the browser lists.
    pub fn of_request(headers: &HeaderMap) -> Lang {
        if let Some(chosen) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
            return chosen;
        }
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(from_accept_language)
            .unwrap_or_default()
    }
}

/// The first language in an `Accept-Language` list we have, by the list's own order
/// (browsers send it sorted by preference; q-values are not re-sorted).
fn from_accept_language(value: &str) -> Option<Lang> {
    value.split(',').find_map(|part| {
        let tag = part.split(';').next()?.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    })
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of_request(&parts.headers))
    }
}

/// Translations in one language, as templates use them: `{{ tr.t("inbox.title") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t(&self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.0.code()).into_owned()
    }

    /// A string with one `%{name}` placeholder filled in.
    pub fn with(&self, key: &str, name: &str, value: &str) -> String {
        self.t(key).replace(&format!("%{{{name}}}"), value)
    }

    /// The label of a wire name in a vocabulary (`status`, `priority`, `event`, ...);
    /// the wire name itself when the vocabulary has no such entry.
    pub fn label(&self, vocabulary: &str, wire: &str) -> String {
        let key = format!("{vocabulary}.{wire}");
        let text = self.t(&key);
        if text == key { wire.to_owned() } else { text }
    }

    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_cookie_wins_then_the_browser_then_chinese() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::of_request(&headers), Lang::Zh);
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("de-DE,en-US;q=0.8,zh;q=0.5"));
        assert_eq!(Lang::of_request(&headers), Lang::En);
        headers.insert(header::COOKIE, HeaderValue::from_static("a=b; kefu_lang=zh-CN"));
        assert_eq!(Lang::of_request(&headers), Lang::Zh);
        headers.insert(header::COOKIE, HeaderValue::from_static("kefu_lang=fr"));
        assert_eq!(
            Lang::of_request(&headers),
            Lang::En,
            "an unknown cookie value falls back to the browser"
        );
    }

    #[test]
    fn both_locales_have_the_same_keys() {
        fn keys(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| keys(&format!("{prefix}{k}."), v, out)),
                _ => out.push(prefix.trim_end_matches('.').to_owned()),
            }
        }
        let load = |text: &str| -> Vec<String> {
            let value: serde_json::Value = serde_yaml_ng::from_str(text).expect("valid YAML");
            let mut out = Vec::new();
            keys("", &value, &mut out);
            out.sort();
            out
        };
        let en = load(include_str!("../../locales/en.yml"));
        let zh = load(include_str!("../../locales/zh-CN.yml"));
        assert_eq!(en, zh, "zh-CN.yml and en.yml must define the same keys");
        let tr = Tr(Lang::En);
        for key in &en {
            assert_ne!(tr.t(key), *key, "{key} is not compiled in");
        }
    }

    #[test]
    fn labels_fall_back_to_the_wire_name() {
        let tr = Tr(Lang::Zh);
        assert_eq!(tr.label("status", "pending"), "等待客户");
        assert_eq!(tr.label("status", "someday"), "someday");
        assert_eq!(
            Tr(Lang::En).with("sign_in.limited", "minutes", "15"),
            "Too many failed attempts. Try again in 15 minutes."
        );
    }
}
