//! The UI's static files (our stylesheet and script, the vendored htmx), compiled into the
//! binary: nothing is fetched from a CDN and nothing needs a build step. URLs carry a
//! content fingerprint, so browsers may cache them for a year.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "assets/"]
struct Assets;

/// An asset's URL with a fingerprint of its content, so a new build's file is fetched
/// anew although every asset is cached as immutable.
pub fn url(name: &str) -> String {
    let hash = Assets::get(name).map(|f| hex_prefix(&f.metadata.sha256_hash())).unwrap_or_default();
    format!("/assets/{name}?v={hash}")
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

pub async fn asset(Path(path): Path<String>) -> Response {
    let Some(file) = Assets::get(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        file.data,
    )
        .into_response()
}
