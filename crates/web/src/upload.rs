//! Forms that may carry files: a `multipart/form-data` body is read into its text fields
//! and its files; an ordinary URL-encoded form (or JSON, for the API) has no files. The
//! files are not checked here (type, size, name): the use cases do that, so every front
//! end refuses the same files with the same codes.
//!
//! And the way back: an attachment is sent with the type its bytes showed when it was
//! accepted, as a download unless it is a picture, in a sandbox, so even a file that
//! slipped past the checks cannot run script in Kefu's origin.

use axum::body::Body;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::AppError;
use kefu_app::attachments::{AttachmentFile, unreadable_upload};
use kefu_domain::attachment::{MAX_TOTAL_BYTES, Upload, served_content_type};
use kefu_domain::{FieldError, FieldErrors};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The largest body a form with files may have: the files' limit plus room for the
/// text fields and the multipart framing.
pub const MAX_UPLOAD_BODY_BYTES: usize = MAX_TOTAL_BYTES + 1024 * 1024;

/// The body limit layer for routes that take files.
pub fn upload_body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_UPLOAD_BODY_BYTES)
}

/// A form's fields (deserialised into `T`) and the files sent with it.
pub struct FormWithFiles<T> {
    pub form: T,
    pub files: Vec<Upload>,
}

/// Why a form could not be read: an [`AppError`] for the front end to show.
pub struct UploadRejection(pub AppError);

impl IntoResponse for UploadRejection {
    fn into_response(self) -> Response {
        crate::problem::ApiError::from(self.0).into_response()
    }
}

fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormWithFiles<T> {
    type Rejection = UploadRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_multipart(&request) {
            let axum::Form(form) = axum::Form::<T>::from_request(request, state)
                .await
                .map_err(|rejection| UploadRejection(unreadable_upload(&rejection.body_text())))?;
            return Ok(FormWithFiles { form, files: Vec::new() });
        }
        let request = refuse_if_oversized(request).await?;
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|rejection| UploadRejection(unreadable_upload(&rejection.body_text())))?;
        let mut fields = Map::new();
        let mut files = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(read_error)? {
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let bytes = field.bytes().await.map_err(read_error)?;
                    // A file input left empty still sends a part without a name or bytes.
                    if !(file_name.is_empty() && bytes.is_empty()) {
                        files.push(Upload {
                            file_name,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let text = field.text().await.map_err(read_error)?;
                    fields.insert(name, Value::String(text));
                }
            }
        }
        let form = serde_json::from_value(Value::Object(fields)).map_err(|e| UploadRejection(unreadable_upload(&e.to_string())))?;
        Ok(FormWithFiles { form, files })
    }
}

/// An API body that is JSON, or `multipart/form-data` when files come with it (the same
/// fields as text parts, and one part per file).
pub struct JsonOrMultipart<T> {
    pub value: T,
    pub files: Vec<Upload>,
}

impl<T: DeserializeOwned> FromRequest<crate::state::AppState> for JsonOrMultipart<T> {
    type Rejection = crate::problem::ApiError;

    async fn from_request(request: Request, state: &crate::state::AppState) -> Result<Self, Self::Rejection> {
        if is_multipart(&request) {
            let FormWithFiles { form, files } = FormWithFiles::<T>::from_request(request, state)
                .await
                .map_err(|UploadRejection(error)| crate::problem::ApiError::from(error))?;
            Ok(JsonOrMultipart { value: form, files })
        } else {
            // The route's limit is sized for files; JSON keeps the API's usual one.
            if declared_length(&request).is_some_and(|length| length > crate::MAX_BODY_BYTES as u64) {
                return Err(crate::problem::ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the request body is larger than the limit",
                ));
            }
            let crate::extract::ApiJson(value) = crate::extract::ApiJson::<T>::from_request(request, state).await?;
            Ok(JsonOrMultipart { value, files: Vec::new() })
        }
    }
}

/// The request again, unless its declared length is over every upload limit. Then the
/// body is read (up to a bound) and thrown away before the refusal is sent: a browser cut
/// off mid-upload shows "connection reset", not the explanation.
pub async fn refuse_if_oversized(request: Request) -> Result<Request, UploadRejection> {
    if declared_length(&request).is_some_and(|length| length > MAX_UPLOAD_BODY_BYTES as u64) {
        drain(request.into_body()).await;
        return Err(read_error_too_large());
    }
    Ok(request)
}

fn read_error(error: MultipartError) -> UploadRejection {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        read_error_too_large()
    } else {
        UploadRejection(unreadable_upload(&error.body_text()))
    }
}

fn read_error_too_large() -> UploadRejection {
    UploadRejection(AppError::Invalid(FieldErrors(vec![FieldError::new(
        "attachments",
        "attachments_too_large",
        format!("at most {} MB of files at a time", MAX_TOTAL_BYTES / (1024 * 1024)),
    )])))
}

/// The `Content-Length` the client declared (browsers always send one with a form).
fn declared_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// The most of an oversized body read and thrown away, and for how long, before the
/// connection is closed on the client anyway.
const MAX_DRAIN_BYTES: usize = 4 * MAX_UPLOAD_BODY_BYTES;
const MAX_DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(10);

async fn drain(body: Body) {
    use futures::StreamExt as _;
    let mut stream = body.into_data_stream();
    let mut read = 0usize;
    let _ = tokio::time::timeout(MAX_DRAIN_TIME, async {
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.len();
            if read > MAX_DRAIN_BYTES {
                break;
            }
        }
    })
    .await;
}

/// The value of one text field of a multipart body (the CSRF token of a form sent
/// without htmx), read from a copy of the body. The parser reads at most axum's default
/// 2 MB before giving up, so the field must come before the files: Kefu's forms put the
/// token first.
pub async fn multipart_text_field(content_type: &HeaderValue, body: axum::body::Bytes, wanted: &str) -> Option<String> {
    let probe = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .ok()?;
    let mut multipart = Multipart::from_request(probe, &()).await.ok()?;
    while let Some(field) = multipart.next_field().await.ok()? {
        if field.name() == Some(wanted) {
            return field.text().await.ok();
        }
    }
    None
}

/// What `filename*` may carry unencoded (RFC 5987 `attr-char`).
const ATTR_CHARS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// An attachment as an HTTP response.
pub fn attachment_response(file: AttachmentFile) -> Response {
    let content_type = served_content_type(&file.info.content_type);
    let disposition = if file.info.is_inline() { "inline" } else { "attachment" };
    // An ASCII name for old clients, the real one (UTF-8, percent-encoded) for the rest.
    let fallback: String = file
        .info
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(&file.info.file_name, ATTR_CHARS);
    let disposition = format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    let mut response = (StatusCode::OK, file.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_domain::attachment::AttachmentInfo;

    fn file(name: &str, content_type: &str) -> AttachmentFile {
        AttachmentFile {
            info: AttachmentInfo {
                id: 1,
                message_id: None,
                file_name: name.into(),
                content_type: content_type.into(),
                size: 3,
            },
            bytes: b"abc".to_vec(),
        }
    }

    #[test]
    fn names_are_sent_in_both_forms_and_only_pictures_inline() {
        let response = attachment_response(file("发票 \"2026\".pdf", "application/pdf"));
        let disposition = response.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert_eq!(
            disposition,
            "attachment; filename=\"__ _2026_.pdf\"; filename*=UTF-8''%E5%8F%91%E7%A5%A8%20%222026%22.pdf"
        );
        let picture = attachment_response(file("a.png", "image/png"));
        assert!(
            picture.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("inline;")
        );
        let tampered = attachment_response(file("x.html", "text/html"));
        assert_eq!(tampered.headers()[header::CONTENT_TYPE], "application/octet-stream");
        assert!(
            tampered.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
    }
}
