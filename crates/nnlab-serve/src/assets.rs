//! The page's files, embedded in the binary at build time (see `build.rs`): `index.html` at `/`,
//! every file at `/assets/<name>`.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The MIME type of a file name.
fn kind(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The embedded file `name`.
pub fn asset(name: &str) -> Option<&'static [u8]> {
    ASSETS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

fn serve(name: &str) -> Response {
    match asset(name) {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, kind(name)),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, format!("no file {name:?} here")).into_response(),
    }
}

/// `GET /`
pub async fn index() -> Response {
    serve("index.html")
}

/// `GET /assets/{name}`
pub async fn file(Path(name): Path<String>) -> Response {
    serve(&name)
}
