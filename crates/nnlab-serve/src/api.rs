//! The HTTP API (see API.md): sessions, their commands, their stream and their files.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

mod stream;

pub use stream::events;

use crate::error::{ApiError, ApiResult};
use crate::session::{Session, State as RunState};
use crate::settings::Limits;

/// Everything the handlers share.
pub struct AppState {
    pub sessions: Mutex<HashMap<String, Arc<Session>>>,
    pub limits: Limits,
    /// `Host` values this server answers to (its own address and port).
    pub allowed_hosts: Vec<String>,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn new(limits: Limits, allowed_hosts: Vec<String>) -> AppState {
        AppState {
            sessions: Mutex::new(HashMap::new()),
            limits,
            allowed_hosts,
        }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Session>>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The session `id`, marked as used.
    pub fn get(&self, id: &str) -> ApiResult<Arc<Session>> {
        let session = self.sessions().get(id).cloned().ok_or_else(|| {
            ApiError::not_found(format!(
                "no session {id:?}: it was closed or freed after being idle; make a new one"
            ))
        })?;
        session.touch();
        Ok(session)
    }

    /// Adds a session, freeing the least recently used idle one when the server is full.
    fn insert(&self, session: Arc<Session>) -> ApiResult<()> {
        let mut sessions = self.sessions();
        if sessions.len() >= self.limits.max_sessions {
            let idle = sessions
                .values()
                .filter(|s| {
                    s.streams.load(Ordering::Relaxed) == 0 && s.status().state != RunState::Playing
                })
                .min_by_key(|s| s.last_used())
                .map(|s| s.id.clone());
            match idle {
                Some(id) => {
                    if let Some(freed) = sessions.remove(&id) {
                        freed.close();
                    }
                }
                None => {
                    return Err(ApiError::conflict(format!(
                        "{} sessions are open and all in use: close a playground tab first",
                        sessions.len()
                    )))
                }
            }
        }
        sessions.insert(session.id.clone(), session);
        Ok(())
    }

    /// Pauses the sessions that play with no page watching for `unwatched` (a closed tab); the
    /// number paused.
    pub fn pause_unwatched(&self, unwatched: Duration) -> usize {
        let sessions: Vec<Arc<Session>> = self.sessions().values().cloned().collect();
        let mut paused = 0;
        for session in sessions {
            let orphan = session.streams.load(Ordering::Relaxed) == 0
                && session.last_used().elapsed() >= unwatched
                && session.status().state == RunState::Playing;
            if orphan {
                session.pause();
                paused += 1;
            }
        }
        paused
    }

    /// Closes every session (their streams end).
    pub fn close_all(&self) {
        for (_, session) in self.sessions().drain() {
            session.close();
        }
    }

    /// Frees the sessions nobody has used for `idle` and that no page is watching.
    pub fn free_idle(&self, idle: Duration) -> usize {
        let mut sessions = self.sessions();
        let before = sessions.len();
        sessions.retain(|_, s| {
            let keep = s.streams.load(Ordering::Relaxed) > 0 || s.last_used().elapsed() < idle;
            if !keep {
                s.close();
            }
            keep
        });
        before - sessions.len()
    }
}

/// A JSON body, or the reason it is not one (400, 413 when too large, 415 without its type).
fn body<T>(json: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    json.map(|Json(value)| value).map_err(|rejection| ApiError {
        status: rejection.status(),
        message: format!("the request body: {}", rejection.body_text()),
    })
}

/// `GET /api/options`
pub async fn options(State(app): State<Shared>) -> Json<Value> {
    let datasets: Vec<Value> = [
        ("moons", "Moons", "binary"),
        ("circles", "Circles", "binary"),
        ("blobs", "Blobs", "multiclass"),
        ("xor", "Exclusive or", "binary"),
        ("gauss", "Gaussian", "binary"),
        ("spiral", "Spiral", "binary"),
        ("plane", "Plane", "regression"),
        ("multi-gauss", "Multi-Gaussian", "regression"),
    ]
    .iter()
    .map(|(name, label, task)| json!({"name": name, "label": label, "task": task}))
    .collect();
    let notebook = nnlab_app::RunConfig::notebook();
    let playground = nnlab_app::RunConfig {
        hidden: vec![4, 2],
        activation: "tanh".into(),
        lr: 0.03,
        epochs: 100_000,
        ..nnlab_app::RunConfig::notebook()
    };
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "datasets": datasets,
        "activations": ["relu", "tanh", "sigmoid", "linear", "leaky-relu"],
        "optimizers": ["sgd", "adam", "adamw"],
        "inputs": ["x0", "x1", "x0^2", "x1^2", "x0*x1", "sin(x0)", "sin(x1)"],
        "engines": ["manual", "autograd"],
        "tasks": ["binary", "multiclass", "regression"],
        "limits": app.limits,
        "presets": {"notebook": notebook, "playground": playground},
    }))
}

/// The body of `POST /api/sessions`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    #[serde(default)]
    config: Value,
    #[serde(default)]
    csv: Option<String>,
}

/// `POST /api/sessions`
pub async fn create(
    State(app): State<Shared>,
    request: Result<Json<NewSession>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let request = body(request)?;
    let config = match request.config {
        Value::Null => json!({}),
        config => config,
    };
    let limits = app.limits.clone();
    let id = new_id();
    let session = tokio::task::spawn_blocking(move || {
        Session::start(id, &config, request.csv.as_deref(), &limits)
    })
    .await
    .map_err(|e| ApiError::internal(format!("making the session failed: {e}")))??;
    let info = session.info.clone();
    app.insert(Arc::new(session))?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// A fresh session id: 64 random bits (std's hasher keys come from the OS's randomness).
fn new_id() -> String {
    use std::hash::BuildHasher;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{:016x}",
        std::collections::hash_map::RandomState::new().hash_one(nanos)
    )
}

/// `GET /api/sessions/{id}`
pub async fn show(State(app): State<Shared>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(app.get(&id)?.info.clone()))
}

/// `DELETE /api/sessions/{id}`
pub async fn delete(State(app): State<Shared>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let session = app.sessions().remove(&id);
    match session {
        Some(session) => {
            session.close();
            Ok(StatusCode::NO_CONTENT)
        }
        None => Err(ApiError::not_found(format!("no session {id:?}"))),
    }
}

/// What a command answers: the session's epoch and the state the command leads to (the stream
/// shows it once the training thread has taken the command).
fn state_of(session: &Session, state: Option<RunState>) -> Json<Value> {
    let status = session.status();
    Json(json!({"state": state.unwrap_or(status.state), "epoch": status.epoch}))
}

/// `POST /api/sessions/{id}/play`
pub async fn play(State(app): State<Shared>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let session = app.get(&id)?;
    session.play()?;
    Ok(state_of(&session, Some(RunState::Playing)))
}

/// `POST /api/sessions/{id}/pause`
pub async fn pause(State(app): State<Shared>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let session = app.get(&id)?;
    session.pause();
    Ok(state_of(&session, Some(RunState::Paused)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    epochs: Option<u64>,
}

/// `POST /api/sessions/{id}/step`, body optional: `{"epochs": n}`.
pub async fn step(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let session = app.get(&id)?;
    let request: StepRequest = if body.iter().all(u8::is_ascii_whitespace) {
        StepRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad(format!(
                "the request body: {e}; send {{\"epochs\": n}} or nothing"
            ))
        })?
    };
    let epochs = request.epochs.unwrap_or(1);
    if epochs == 0 || epochs > app.limits.max_epochs as u64 {
        return Err(ApiError::bad(format!(
            "epochs {epochs}: step 1 to {} epochs",
            app.limits.max_epochs
        )));
    }
    session.step(epochs as usize)?;
    Ok(state_of(&session, Some(RunState::Playing)))
}

/// `POST /api/sessions/{id}/reset`
pub async fn reset(State(app): State<Shared>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let session = app.get(&id)?;
    session.reset();
    Ok(state_of(&session, Some(RunState::Paused)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LrRequest {
    lr: f64,
}

/// `POST /api/sessions/{id}/lr`
pub async fn lr(
    State(app): State<Shared>,
    Path(id): Path<String>,
    request: Result<Json<LrRequest>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let session = app.get(&id)?;
    let request = body(request)?;
    session.set_lr(request.lr)?;
    Ok(state_of(&session, None))
}

/// `GET /api/sessions/{id}/timeline`: the output maps kept since epoch 0.
pub async fn timeline(State(app): State<Shared>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let session = app.get(&id)?;
    Ok(Json(session.timeline().await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceQuery {
    layer: usize,
    unit: usize,
}

/// `GET /api/sessions/{id}/backprop?layer=L&unit=J`: one neuron's step (see [`crate::backprop`]).
pub async fn backprop(
    State(app): State<Shared>,
    Path(id): Path<String>,
    query: Result<axum::extract::Query<TraceQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let axum::extract::Query(query) = query.map_err(|e| {
        ApiError::bad(format!(
            "{}: give ?layer=L&unit=J (0-based; the output layer is the last)",
            e.body_text()
        ))
    })?;
    let session = app.get(&id)?;
    Ok(Json(session.trace(query.layer, query.unit).await?))
}

/// The files a session offers, and their types.
const FILES: &[(&str, &str)] = &[
    ("model.safetensors", "application/octet-stream"),
    ("run.json", "application/json"),
    ("history.csv", "text/csv; charset=utf-8"),
    ("data.csv", "text/csv; charset=utf-8"),
    ("dataset.png", "image/png"),
    ("training.png", "image/png"),
    ("boundary.png", "image/png"),
];

/// `GET /api/sessions/{id}/files/{name}`
pub async fn file(
    State(app): State<Shared>,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult<Response> {
    let Some(&(_, kind)) = FILES.iter().find(|(file, _)| *file == name) else {
        let names: Vec<&str> = FILES.iter().map(|(file, _)| *file).collect();
        return Err(ApiError::not_found(format!(
            "no file {name:?}: a session offers {}",
            names.join(", ")
        )));
    };
    let session = app.get(&id)?;
    let folder = session.export().await?;
    let bytes = match std::fs::read(folder.path().join(&name)) {
        Ok(bytes) => bytes,
        Err(_) => {
            return Err(ApiError::conflict(format!(
                "{name} is not there for this run: {}",
                if name.ends_with(".png") {
                    "its figures need two columns of data and a run that has not diverged"
                } else {
                    "a diverged run has no model"
                }
            )))
        }
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
