//! The signed-in agent of a UI request, and the checks every state-changing form passes:
//! the session cookie must name a live session, the request must come from our own
//! origin, and it must carry the session's CSRF token (the `X-CSRF-Token` header that
//! htmx sends, or a `_csrf` form field).

use super::i18n::{Lang, cookie};
use super::pages::UiError;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::sign_in::{SESSION_IDLE_LIFETIME, SignedIn};
use std::sync::Arc;

/// The cookie that carries the session token.
pub const SESSION_COOKIE: &str = "kefu_session";
/// The form field that carries the CSRF token in forms sent without htmx.
pub const CSRF_FIELD: &str = "_csrf";
/// The largest form body read to find the CSRF field.
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The signed-in agent, put on the request by [`require_session`].
#[derive(Clone)]
pub struct Session(pub Arc<SignedIn>);

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Only routes behind `require_session` use this extractor; without it the route
        // was wired wrongly, which is a server error, not an anonymous request.
        parts.extensions.get::<Session>().cloned().ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Middleware for every page that needs a signed-in agent.
pub async fn require_session(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let lang = Lang::of_request(request.headers());
    let signed_in = match cookie(request.headers(), SESSION_COOKIE) {
        Some(token) => state.app.session(token).await,
        None => Err(AppError::Unauthorized),
    };
    let signed_in = match signed_in {
        Ok(signed_in) => signed_in,
        Err(AppError::Unauthorized) => return to_sign_in(&request),
        Err(other) => return UiError::from(other).page(lang),
    };
    let htmx = request.headers().contains_key("hx-request");
    let mut request = if request.method().is_safe() {
        request
    } else {
        if !same_origin(request.headers()) {
            return UiError::CrossOrigin.respond(lang, htmx);
        }
        // Too large to read for its token: refused as too large (which writes nothing).
        let request = match crate::upload::refuse_if_oversized(request).await {
            Ok(request) => request,
            Err(crate::upload::UploadRejection(error)) => return UiError::from(error).respond(lang, htmx),
        };
        match with_valid_csrf(request, &signed_in.session.csrf_token).await {
            Some(request) => request,
            None => return UiError::Csrf.respond(lang, htmx),
        }
    };
    request.extensions_mut().insert(Session(Arc::new(signed_in)));
    next.run(request).await
}

/// The request again if it carries the CSRF token (header, or the form field of a
/// URL-encoded or multipart body, which is read and put back).
async fn with_valid_csrf(request: Request, expected: &str) -> Option<Request> {
    if let Some(sent) = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return constant_time_eq(sent, expected).then_some(request);
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned()?;
    let content_type_text = content_type.to_str().ok()?;
    let (parts, body) = request.into_parts();
    let sent = if content_type_text.starts_with("application/x-www-form-urlencoded") {
        let bytes = to_bytes(body, MAX_FORM_BYTES).await.ok()?;
        let sent = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.into_owned());
        (sent, bytes)
    } else if content_type_text.starts_with("multipart/form-data") {
        // A form with files sent without htmx: the token is one of its fields.
        let bytes = to_bytes(body, crate::upload::MAX_UPLOAD_BODY_BYTES).await.ok()?;
        (
            crate::upload::multipart_text_field(&content_type, bytes.clone(), CSRF_FIELD).await,
            bytes,
        )
    } else {
        return None;
    };
    let (sent, bytes) = sent;
    constant_time_eq(&sent?, expected).then(|| Request::from_parts(parts, Body::from(bytes)))
}

/// Compares two secrets without stopping at the first difference.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a state-changing request comes from a page of ours. Browsers send `Origin` on
/// every cross-site POST (and `Sec-Fetch-Site` on all); a request without either (a
/// script, an old browser) still needs the CSRF token.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| !host.is_empty() && authority.eq_ignore_ascii_case(host))
}

/// Sends an anonymous visitor to the sign-in page and back here afterwards; htmx requests
/// are told to load the page instead of swapping it into a fragment.
fn to_sign_in(request: &Request) -> Response {
    let back = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|_| request.method().is_safe())
        .unwrap_or("/inbox");
    let target = format!(
        "/login?next={}",
        url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
    );
    if request.headers().contains_key("hx-request") {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(value) = HeaderValue::from_str(&target) {
            response.headers_mut().insert("hx-redirect", value);
        }
        return response;
    }
    Redirect::to(&target).into_response()
}

/// Whether the browser reached us over https (directly or through a proxy that says so),
/// so cookies get `Secure`.
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that stores a session token.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = SESSION_IDLE_LIFETIME.as_secs();
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// Where to go after signing in: a path on this site only (no `//host` or scheme), so the
/// parameter cannot send anyone elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") => path.to_owned(),
        _ => "/inbox".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/tickets/1001")), "/tickets/1001");
        assert_eq!(safe_next(Some("//evil.example")), "/inbox");
        assert_eq!(safe_next(Some("https://evil.example")), "/inbox");
        assert_eq!(safe_next(Some("/\\evil.example")), "/inbox");
        assert_eq!(safe_next(None), "/inbox");
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("kefu.example:8080"));
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://kefu.example:8080"));
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://kefu.example:8080"));
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&headers));
    }

    #[test]
    fn csrf_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
