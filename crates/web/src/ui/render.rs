//! Turning stored values into safe, readable HTML text: message bodies (Markdown, then
//! sanitised by ammonia, so neither a customer's HTML nor an agent's Markdown can run a
//! script), and instants in the server's time zone.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_domain::attachment::AttachmentInfo;
use kefu_domain::entities::Id;
use pulldown_cmark::{Options, Parser, html};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// A message body as sanitised HTML. Raw HTML inside the Markdown is passed to the
/// sanitiser, which keeps formatting tags and drops scripts, event handlers, styles and
/// dangerous URLs; links get `rel="noopener noreferrer nofollow"`.
pub fn message_html(body: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_TASKLISTS);
    let mut unsafe_html = String::with_capacity(body.len() + body.len() / 4);
    html::push_html(&mut unsafe_html, Parser::new_ext(body, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
}

/// Rendered bodies by message id, one cache per server (ids are its database's).
/// Messages never change once written, so a rendering stays right; sanitising is the
/// costliest part of a ticket page, and agents open the same tickets again and again.
/// Bounded: emptied when full.
#[derive(Default)]
pub struct RenderCache(Mutex<HashMap<Id, Arc<str>>>);

const RENDERED_CAPACITY: usize = 20_000;

impl RenderCache {
    /// [`message_html`] of a stored message, from the cache when it was rendered before.
    pub fn message(&self, id: Id, body: &str) -> Arc<str> {
        if let Some(html) = self.0.lock().ok().and_then(|cache| cache.get(&id).cloned()) {
            return html;
        }
        let html: Arc<str> = message_html(body).into();
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= RENDERED_CAPACITY {
                cache.clear();
            }
            cache.insert(id, html.clone());
        }
        html
    }
}

/// The zone instants are shown in: the server's own (an installation serves one
/// department; per-agent zones can come with agent preferences).
static DISPLAY_ZONE: LazyLock<TimeZone> = LazyLock::new(TimeZone::system);

/// `2026-11-25 09:30`, in the display zone.
pub fn when(at: Timestamp) -> String {
    at.to_zoned_datetime(DISPLAY_ZONE.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// A `datetime-local` form value (`2026-11-25T15:00`, no zone) read in the display zone,
/// as an RFC 3339 instant; the value itself when it does not parse (the use case then
/// names the field).
pub fn local_input_to_instant(value: &str) -> String {
    value
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|civil| civil.to_zoned_datetime(DISPLAY_ZONE.clone()).ok())
        .map(|zoned| zoned.timestamp().to_string())
        .unwrap_or_else(|| value.to_owned())
}

/// Words typed into one field (tags, skills, languages), separated by commas of either
/// width or by spaces; none of them holds a space.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A span of time left (or, negative, overdue) as an agent reads it at a glance:
/// `2 小时 05 分` / `2 h 05 min`, days and hours past a day, minutes and seconds under an
/// hour. `assets/app.js` formats the live countdown the same way.
pub fn remaining(ms: i64, zh: bool) -> String {
    let over = ms < 0;
    let total = ms.unsigned_abs() / 1000;
    let (days, hours, minutes, seconds) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60);
    let text = match (days, hours, zh) {
        (d, h, true) if d > 0 => format!("{d} 天 {h} 小时"),
        (d, h, false) if d > 0 => format!("{d} d {h} h"),
        (_, h, true) if h > 0 => format!("{h} 小时 {minutes:02} 分"),
        (_, h, false) if h > 0 => format!("{h} h {minutes:02} min"),
        (_, _, true) => format!("{minutes} 分 {seconds:02} 秒"),
        (_, _, false) => format!("{minutes} min {seconds:02} s"),
    };
    match (over, zh) {
        (true, true) => format!("已超 {text}"),
        (true, false) => format!("over by {text}"),
        (false, _) => text,
    }
}

/// An RFC 3339 instant for `<time datetime>` (and the scripts that count down).
pub fn iso(at: Timestamp) -> String {
    at.to_string()
}

/// A form's fields as a query string, the empty ones left out (so links and exports
/// repeat exactly what the reader chose).
pub fn query_string(fields: &[(&str, &String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (*k, v.as_str())))
        .finish()
}

/// A file under a message: where to fetch it, its name and size, and whether the page
/// may show it as a picture.
pub struct FileLink {
    pub href: String,
    pub name: String,
    pub size: String,
    pub picture: bool,
}

/// Links to `attachments` under `base` (`/tickets/7/attachments`, ...).
pub fn file_links(base: &str, attachments: &[AttachmentInfo]) -> Vec<FileLink> {
    attachments
        .iter()
        .map(|a| FileLink {
            href: format!("{base}/{}", a.id),
            name: a.file_name.clone(),
            size: file_size(a.size),
            picture: a.is_inline(),
        })
        .collect()
}

/// A size as people read it: 532 B, 14 KB, 2.4 MB.
pub fn file_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    match bytes {
        b if b < KB => format!("{b} B"),
        b if b < KB * KB => format!("{} KB", b.div_ceil(KB)),
        b => format!("{:.1} MB", b as f64 / (KB * KB) as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_at_a_glance_in_both_languages() {
        assert_eq!(remaining(2 * 3_600_000 + 5 * 60_000 + 30_000, true), "2 小时 05 分");
        assert_eq!(remaining(2 * 3_600_000 + 5 * 60_000, false), "2 h 05 min");
        assert_eq!(remaining(26 * 3_600_000, false), "1 d 2 h");
        assert_eq!(remaining(90_500, true), "1 分 30 秒");
        assert_eq!(remaining(-61_000, false), "over by 1 min 01 s");
        assert_eq!(remaining(-3 * 3_600_000, true), "已超 3 小时 00 分");
    }

    #[test]
    fn file_sizes_read_naturally() {
        assert_eq!(file_size(532), "532 B");
        assert_eq!(file_size(14 * 1024 - 5), "14 KB");
        assert_eq!(file_size(2_516_582), "2.4 MB");
    }

    #[test]
    fn markdown_renders_and_scripts_do_not() {
        let html = message_html("**bold** <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn chinese_text_passes_unchanged() {
        assert_eq!(message_html("您好，已为您退款。"), "<p>您好，已为您退款。</p>\n");
    }
}
