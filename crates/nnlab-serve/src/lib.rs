//! nnlab's playground: a local web server that trains nnlab's engines live in the browser.
//!
//! - [`settings`]: the page's settings → a run's config, checked as the CLI checks it;
//! - [`session`]: one run on a thread of its own, commanded by the page, publishing its records
//!   and maps;
//! - [`maps`]: the output map and the neurons' maps, as bytes;
//! - [`backprop`]: one neuron's numbers in a training step, beside the notebook's equations;
//! - [`api`]: the HTTP API (API.md beside this crate says it in full) and the event stream;
//! - [`guard`]: only this server's own page may use it (Host and Origin checks);
//! - [`assets`]: the page (HTML, CSS, JavaScript modules), embedded in the binary.
//!
//! Async code lives here alone: the engines stay synchronous, each session's on its own thread.

pub mod api;
pub mod assets;
pub mod backprop;
mod error;
pub mod guard;
pub mod maps;
pub mod session;
pub mod settings;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub use api::AppState;
pub use error::{ApiError, ApiResult};
pub use settings::Limits;

/// The server's routes over `state`, with the Host/Origin guard and the body limit.
pub fn router(state: Arc<AppState>) -> Router {
    let body_limit = state.limits.max_upload_bytes + (1 << 16); // the CSV and its JSON around it
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{name}", get(assets::file))
        .route("/api/options", get(api::options))
        .route("/api/sessions", post(api::create))
        .route("/api/sessions/{id}", get(api::show).delete(api::delete))
        .route("/api/sessions/{id}/play", post(api::play))
        .route("/api/sessions/{id}/pause", post(api::pause))
        .route("/api/sessions/{id}/step", post(api::step))
        .route("/api/sessions/{id}/reset", post(api::reset))
        .route("/api/sessions/{id}/lr", post(api::lr))
        .route("/api/sessions/{id}/events", get(api::events))
        .route("/api/sessions/{id}/backprop", get(api::backprop))
        .route("/api/sessions/{id}/timeline", get(api::timeline))
        .route("/api/sessions/{id}/files/{name}", get(api::file))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::same_site,
        ))
        .with_state(state)
}

/// A session that plays with no page watching is paused after this long (a closed tab) ...
pub const UNWATCHED: Duration = Duration::from_secs(30);
/// ... and freed after this long unused.
pub const IDLE: Duration = Duration::from_secs(600);

/// Serves on `listener` until `shutdown` completes, pausing unwatched sessions and freeing idle
/// ones. `allow_hosts` are further names of this machine that pages may use (`--allow-host`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    limits: Limits,
    allow_hosts: &[String],
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let address: SocketAddr = listener.local_addr()?;
    let hosts = guard::hosts_for(address, allow_hosts);
    let state = Arc::new(AppState::new(limits, hosts));
    let reaper = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(10));
            loop {
                every.tick().await;
                state.pause_unwatched(UNWATCHED);
                state.free_idle(IDLE);
            }
        })
    };
    // On shutdown every session closes, which ends its streams (a stream never ends by itself,
    // and a graceful shutdown waits for every response to end).
    let closing = state.clone();
    let shutdown = async move {
        shutdown.await;
        closing.close_all();
    };
    let result = axum::serve(listener, router(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await;
    reaper.abort();
    state.free_idle(Duration::ZERO);
    result
}
