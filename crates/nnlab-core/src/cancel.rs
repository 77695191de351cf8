//! A request to stop training, from outside the training loop (the command's Ctrl-C handler).
//!
//! Training loops check it between epochs, and the fast path's step also between its chunks of
//! rows, so that a long step on a big network stops within a fraction of a second. A step that
//! stops this way returns [`crate::CoreError::Cancelled`] before it changes any weight, so the
//! network stays as the last whole epoch left it.
//!
//! The request is process-wide: once made, every run in the process stops (a sweep's too). The
//! playground's server never makes it; it pauses its sessions in its own way.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Asks every training loop of the process to stop.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}
