//! Files attached to a request or a message: which are accepted, under what name, and how
//! they may be shown again.
//!
//! The type of a file is what its bytes say (magic numbers, via `infer`), never what the
//! sender's browser or file name claims: a page that says it is a PNG but is HTML would
//! otherwise run in the agent's session. Only types a service desk needs are accepted
//! (pictures, documents, archives, short videos and voice, plain text); HTML, SVG,
//! scripts and programs are refused. Pictures are shown inline; everything else is only
//! ever downloaded.

use crate::error::{FieldError, FieldErrors};
use serde::Serialize;

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most files on one message or request.
pub const MAX_FILES: usize = 10;
/// The most bytes of files on one message or request.
pub const MAX_TOTAL_BYTES: usize = 25 * 1024 * 1024;
/// The longest file name kept (characters); longer names keep their extension.
const MAX_NAME_CHARS: usize = 120;

/// A file as it arrived, not yet checked.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A file that passed the checks: a clean name, its real type and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// An attachment as stored (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentInfo {
    pub id: crate::entities::Id,
    /// The message it came with; `null` for a file sent with the request itself.
    pub message_id: Option<crate::entities::Id>,
    pub file_name: String,
    /// The type its bytes showed when it was accepted.
    pub content_type: String,
    pub size: u64,
}

impl AttachmentInfo {
    /// Whether a browser may show it in the page (pictures) rather than only download it.
    pub fn is_inline(&self) -> bool {
        shows_inline(&self.content_type)
    }
}

/// Hands each message its attachments; returns those that came with the request itself
/// (or with a message not in `messages`, such as an internal note the reader may not see,
/// which the store does not return in the first place).
pub fn distribute(messages: &mut [crate::entities::Message], attachments: Vec<AttachmentInfo>) -> Vec<AttachmentInfo> {
    let mut of_request = Vec::new();
    for attachment in attachments {
        match attachment.message_id.and_then(|id| messages.iter_mut().find(|m| m.id == id)) {
            Some(message) => message.attachments.push(attachment),
            None if attachment.message_id.is_none() => of_request.push(attachment),
            None => {}
        }
    }
    of_request
}

/// The types accepted when the bytes' magic number names them.
const SNIFFED: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/heif",
    "application/pdf",
    "application/zip",
    "application/x-7z-compressed",
    "application/vnd.rar",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "video/mp4",
    "video/quicktime",
    "audio/mpeg",
    "audio/x-m4a",
    "audio/ogg",
    "audio/x-wav",
];

/// Text files are accepted by extension, when their bytes are UTF-8 without control
/// characters other than tab and line breaks; they are always served as plain text.
const TEXT_EXTENSIONS: &[(&str, &str)] = &[
    ("txt", "text/plain; charset=utf-8"),
    ("log", "text/plain; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("json", "text/plain; charset=utf-8"),
];

/// Pictures every browser shows; everything else is sent as a download.
fn shows_inline(content_type: &str) -> bool {
    matches!(content_type, "image/png" | "image/jpeg" | "image/gif" | "image/webp")
}

/// The `Content-Type` to serve a stored type with: only types this module accepts, so a
/// row changed behind Kefu's back cannot make it serve HTML.
pub fn served_content_type(stored: &str) -> &'static str {
    SNIFFED
        .iter()
        .chain(TEXT_EXTENSIONS.iter().map(|(_, t)| t))
        .find(|t| **t == stored)
        .copied()
        .unwrap_or("application/octet-stream")
}

/// Checks the files of one message or request, all or none: the errors name each file
/// that was refused and why.
pub fn check(uploads: Vec<Upload>) -> Result<Vec<CheckedFile>, FieldErrors> {
    let mut errors = FieldErrors::default();
    if uploads.len() > MAX_FILES {
        errors.push(FieldError::new(
            "attachments",
            "too_many_attachments",
            format!("at most {MAX_FILES} files at a time"),
        ));
    }
    let total: usize = uploads.iter().map(|u| u.bytes.len()).sum();
    if total > MAX_TOTAL_BYTES {
        errors.push(FieldError::new(
            "attachments",
            "attachments_too_large",
            format!("at most {} MB of files at a time", MAX_TOTAL_BYTES / (1024 * 1024)),
        ));
    }
    let mut checked = Vec::with_capacity(uploads.len());
    for upload in uploads {
        match check_one(upload) {
            Ok(file) => checked.push(file),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() { Ok(checked) } else { Err(errors) }
}

fn check_one(upload: Upload) -> Result<CheckedFile, FieldError> {
    let file_name = clean_name(&upload.file_name);
    let refuse = |code: &'static str, why: String| FieldError::new("attachments", code, format!("{file_name}: {why}"));
    if upload.bytes.is_empty() {
        return Err(refuse("empty_attachment", "the file is empty".into()));
    }
    if upload.bytes.len() > MAX_FILE_BYTES {
        return Err(refuse(
            "attachment_too_large",
            format!("larger than {} MB", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    let content_type = content_type_of(&file_name, &upload.bytes)
        .ok_or_else(|| refuse("attachment_type_not_allowed", "this type of file is not accepted".into()))?;
    Ok(CheckedFile {
        file_name: with_extension_of(file_name, content_type),
        content_type,
        bytes: upload.bytes,
    })
}

/// The extensions a type is saved under, the usual one first.
fn extensions_of(content_type: &str) -> &'static [&'static str] {
    match content_type {
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg", "jfif"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "image/heif" => &["heic", "heif"],
        "application/pdf" => &["pdf"],
        "application/zip" => &["zip"],
        "application/x-7z-compressed" => &["7z"],
        "application/vnd.rar" => &["rar"],
        "application/msword" => &["doc"],
        "application/vnd.ms-excel" => &["xls"],
        "application/vnd.ms-powerpoint" => &["ppt"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => &["pptx"],
        "application/vnd.oasis.opendocument.text" => &["odt"],
        "application/vnd.oasis.opendocument.spreadsheet" => &["ods"],
        "video/mp4" => &["mp4", "m4v"],
        "video/quicktime" => &["mov"],
        "audio/mpeg" => &["mp3"],
        "audio/x-m4a" => &["m4a"],
        "audio/ogg" => &["ogg", "oga", "opus"],
        "audio/x-wav" => &["wav"],
        "text/csv; charset=utf-8" => &["csv"],
        _ => &["txt", "log", "json"],
    }
}

/// `name` with an extension that matches what the file is: a PDF sent as `invoice.html`
/// would otherwise be saved by the downloader as a page that runs outside Kefu.
fn with_extension_of(name: String, content_type: &str) -> String {
    let allowed = extensions_of(content_type);
    let current = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if current.is_some_and(|e| allowed.contains(&e.as_str())) {
        name
    } else {
        format!("{name}.{}", allowed[0])
    }
}

/// What the bytes are, if it is a type we accept.
fn content_type_of(file_name: &str, bytes: &[u8]) -> Option<&'static str> {
    if let Some(kind) = infer::get(bytes) {
        return SNIFFED.iter().find(|t| **t == kind.mime_type()).copied();
    }
    let extension = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    let (_, content_type) = TEXT_EXTENSIONS.iter().find(|(e, _)| *e == extension)?;
    is_plain_text(bytes).then_some(*content_type)
}

fn is_plain_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| {
        // Text that a browser could still take for markup is refused as well.
        let head = text.trim_start().get(..64).unwrap_or(text.trim_start()).to_ascii_lowercase();
        let looks_like_markup = head.starts_with('<');
        !looks_like_markup && !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    })
}

/// Invisible formatting characters (bidirectional overrides, zero-width characters):
/// `photo\u{202E}gnp.exe` would show as `photoexe.png`.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// The name a file is kept under: its last path segment, without control characters,
/// at most [`MAX_NAME_CHARS`] long (the extension kept), never empty.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = last.chars().filter(|c| !c.is_control() && !is_invisible_format(*c)).collect();
    let name = name.trim().trim_start_matches('.').trim();
    if name.is_empty() {
        return "attachment".into();
    }
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| e.chars().count() <= 10)
        .unwrap_or_default();
    let keep = MAX_NAME_CHARS - extension.chars().count() - 1;
    let stem: String = name.chars().take(keep).collect();
    if extension.is_empty() {
        stem
    } else {
        format!("{stem}.{extension}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    fn upload(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            file_name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    fn codes(result: Result<Vec<CheckedFile>, FieldErrors>) -> Vec<&'static str> {
        result.unwrap_err().0.iter().map(|e| e.code).collect()
    }

    #[test]
    fn the_type_comes_from_the_bytes_not_the_name() {
        let files = check(vec![
            upload("photo.txt", PNG),
            upload("故障说明.txt", "开不了机\nwill not start".as_bytes()),
        ])
        .unwrap();
        assert_eq!(files[0].content_type, "image/png");
        assert_eq!(files[0].file_name, "photo.txt.png", "saved under what it is");
        assert_eq!(files[1].content_type, "text/plain; charset=utf-8");
        assert_eq!(files[1].file_name, "故障说明.txt");
    }

    #[test]
    fn markup_scripts_and_programs_are_refused() {
        for (name, bytes) in [
            ("page.html", b"<html><script>alert(1)</script></html>".as_slice()),
            (
                "logo.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            ),
            ("notes.txt", b"  <script>alert(1)</script>"),
            ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
            ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
            ("data.bin", b"\x00\x01\x02\x03"),
        ] {
            assert_eq!(codes(check(vec![upload(name, bytes)])), ["attachment_type_not_allowed"], "{name}");
        }
    }

    #[test]
    fn sizes_and_counts_are_limited() {
        assert_eq!(codes(check(vec![upload("a.txt", b"")])), ["empty_attachment"]);
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert_eq!(codes(check(vec![upload("a.txt", &big)])), ["attachment_too_large"]);
        let many: Vec<_> = (0..=MAX_FILES).map(|i| upload(&format!("{i}.txt"), b"x")).collect();
        assert_eq!(codes(check(many)), ["too_many_attachments"]);
        let heavy: Vec<_> = (0..3).map(|i| upload(&format!("{i}.txt"), &vec![b'a'; MAX_FILE_BYTES])).collect();
        assert_eq!(codes(check(heavy)), ["attachments_too_large"]);
        assert_eq!(check(vec![upload("a.txt", &vec![b'a'; MAX_FILE_BYTES])]).unwrap().len(), 1);
    }

    #[test]
    fn names_lose_paths_and_control_characters_and_keep_their_extension() {
        assert_eq!(clean_name("C:\\Users\\me\\截图 1.png"), "截图 1.png");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\r\n.txt"), "ab.txt");
        assert_eq!(clean_name("  "), "attachment");
        assert_eq!(clean_name(".hidden"), "hidden");
        assert_eq!(clean_name("photo\u{202E}gnp.exe"), "photognp.exe", "no bidirectional override");
        assert_eq!(with_extension_of("invoice.html".into(), "application/pdf"), "invoice.html.pdf");
        assert_eq!(with_extension_of("scan.JPEG".into(), "image/jpeg"), "scan.JPEG");
        assert_eq!(with_extension_of("说明".into(), "text/plain; charset=utf-8"), "说明.txt");
        let long = format!("{}.pdf", "长".repeat(300));
        let cleaned = clean_name(&long);
        assert_eq!(cleaned.chars().count(), MAX_NAME_CHARS);
        assert!(cleaned.ends_with(".pdf"));
    }

    #[test]
    fn only_pictures_show_inline_and_unknown_stored_types_are_served_as_bytes() {
        let info = |t: &str| AttachmentInfo {
            id: 1,
            message_id: None,
            file_name: "f".into(),
            content_type: t.into(),
            size: 1,
        };
        assert!(info("image/png").is_inline());
        assert!(!info("application/pdf").is_inline());
        assert!(!info("image/heif").is_inline());
        assert_eq!(served_content_type("text/html"), "application/octet-stream");
        assert_eq!(served_content_type("application/pdf"), "application/pdf");
    }
}
