//! `GET /api/sessions/{id}/events`: a session's frames as server-sent events, at most
//! `max_fps` a second, each with the records not sent yet and the newest maps when they changed.

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use nnlab_core::EpochRecord;
use serde::Serialize;

use super::Shared;
use crate::error::ApiResult;
use crate::maps::{Picture, NEURON_SIZE};
use crate::session::{Divergence, ParameterJson, Session, State as RunState};

/// One frame of the stream (see API.md).
#[derive(Serialize)]
struct Frame<'a> {
    epoch: usize,
    state: RunState,
    lr: f64,
    /// The records start over from epoch 0 (a reset, or the stream's first frame).
    reset: bool,
    records: &'a [EpochRecord],
    /// A classification's test loss after each of `records`' epochs (empty for a regression).
    test_losses: &'a [f64],
    #[serde(skip_serializing_if = "Option::is_none")]
    map: Option<&'a Picture>,
    #[serde(skip_serializing_if = "Option::is_none")]
    neurons: Option<&'a Vec<Vec<Picture>>>,
    neuron_size: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters: Option<&'a [ParameterJson]>,
    command: String,
    divergence: Option<&'a Divergence>,
}

/// A stream's position: what it has sent.
struct Cursor {
    session: Arc<Session>,
    changes: tokio::sync::watch::Receiver<u64>,
    generation: u64,
    sent_records: usize,
    sent_snapshot: Option<u64>,
    sent_state: Option<(RunState, f64, bool)>,
    first: bool,
    last_sent: tokio::time::Instant,
    interval: Duration,
}

impl Drop for Cursor {
    fn drop(&mut self) {
        self.session.streams.fetch_sub(1, Ordering::Relaxed);
        self.session.touch(); // unwatched from now on
    }
}

/// The most records one frame carries: a long history (a new stream's first frame) goes out over
/// several frames, so that no frame is huge and the status is never held for long.
pub const RECORDS_PER_FRAME: usize = 20_000;

impl Cursor {
    /// The next frame's JSON, if anything changed since the last. What it sends is copied under
    /// the status lock and serialized after it (the training thread waits for that lock).
    fn next_frame(&mut self) -> Option<String> {
        let status = self.session.status();
        let reset = self.first || status.generation != self.generation;
        if reset {
            self.generation = status.generation;
            self.sent_records = 0;
            self.sent_snapshot = None;
        }
        let snapshot = status.snapshot.clone();
        let version = snapshot.as_ref().map(|s| s.version);
        let new_snapshot = version.is_some() && version != self.sent_snapshot;
        let from = self.sent_records.min(status.records.len());
        let to = status.records.len().min(from + RECORDS_PER_FRAME);
        let state = (status.state, status.lr, status.divergence.is_some());
        if !reset && from == to && !new_snapshot && Some(state) == self.sent_state {
            return None;
        }
        let records = status.records[from..to].to_vec();
        let test_losses = status
            .test_losses
            .get(from..to)
            .unwrap_or_default()
            .to_vec();
        let (epoch, lr, run_state) = (status.epoch, status.lr, status.state);
        let divergence = status.divergence.clone();
        let command = self.session.replay(&status).train_command();
        drop(status);

        let snap = snapshot.as_deref().filter(|_| new_snapshot);
        let frame = Frame {
            epoch,
            state: run_state,
            lr,
            reset,
            records: &records,
            test_losses: &test_losses,
            map: snap.and_then(|s| s.map.as_ref()),
            neurons: snap.map(|s| &s.neurons).filter(|n| !n.is_empty()),
            neuron_size: snapshot.as_deref().map_or(NEURON_SIZE, |s| s.neuron_size),
            parameters: snap.map(|s| s.parameters.as_slice()),
            command,
            divergence: divergence.as_ref(),
        };
        let json = serde_json::to_string(&frame).ok();
        self.sent_records = to;
        self.sent_snapshot = version;
        self.sent_state = Some(state);
        self.first = false;
        json
    }
}

/// `GET /api/sessions/{id}/events`: the session's frames as server-sent events.
pub async fn events(
    State(app): State<Shared>,
    Path(id): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let session = app.get(&id)?;
    session.streams.fetch_add(1, Ordering::Relaxed);
    let interval = Duration::from_secs_f64(1.0 / f64::from(app.limits.max_fps.max(1)));
    let cursor = Cursor {
        changes: session.changes(),
        session,
        generation: 0,
        sent_records: 0,
        sent_snapshot: None,
        sent_state: None,
        first: true,
        last_sent: tokio::time::Instant::now(),
        interval,
    };
    let stream = futures_util::stream::unfold(cursor, |mut cursor| async move {
        loop {
            if !cursor.first {
                tokio::time::sleep_until(cursor.last_sent + cursor.interval).await;
            }
            cursor.changes.borrow_and_update();
            if let Some(json) = cursor.next_frame() {
                cursor.last_sent = tokio::time::Instant::now();
                cursor.session.want_maps();
                return Some((Ok(Event::default().event("frame").data(json)), cursor));
            }
            // Nothing new: wait for the worker (it ends the stream when the session closes).
            if cursor.changes.changed().await.is_err() {
                return None;
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("keep-alive"),
    ))
}
