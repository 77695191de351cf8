//! One playground session: a run's data and engine, trained on a thread of its own, epoch by
//! epoch, as the page commands (play, pause, step, reset, a new learning rate).
//!
//! ```text
//!   page ──POST──▶ handler ──Control (mutex + condvar)──▶ worker thread: engine, Trainer
//!   page ◀──SSE── stream task ◀──Status (mutex) + watch counter──────────┘
//! ```
//! The worker never waits for the page: it appends each epoch's record to the status and bumps a
//! counter; each stream wakes on the counter at most 30 times a second, sends the records it has
//! not sent and the newest maps, and asks the worker for fresh maps ("latest wins").

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use ndarray::Array2;
use nnlab_app::engines::{build_engine, initial_parameters, train_accuracy};
use nnlab_app::{LrChange, Prepared, RunConfig};
use nnlab_core::{Engine, EpochRecord, Task, Trainer};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::{oneshot, watch};

mod timeline;
mod worker;

pub use timeline::{Timeline, TIMELINE_FRAMES};
pub use worker::Worker;

use crate::error::{ApiError, ApiResult};
use crate::maps::{self, Picture, MAP_SIZE};
use crate::settings::{self, Limits};

/// Where a session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Paused,
    Playing,
    /// Paused by itself at the config's epochs (play goes on).
    Done,
    /// The loss or the weights became NaN or infinite; only reset goes on.
    Diverged,
}

/// A parameter as the page reads it.
#[derive(Clone, Debug, Serialize)]
pub struct ParameterJson {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Vec<f64>,
}

/// The newest maps and the parameters they were drawn with.
#[derive(Debug)]
pub struct Snapshot {
    /// Counts the snapshots of the session: a stream sends each one once.
    pub version: u64,
    pub epoch: usize,
    pub map: Option<Picture>,
    pub neurons: Vec<Vec<Picture>>,
    pub parameters: Vec<ParameterJson>,
    /// The side of each neuron's map.
    pub neuron_size: usize,
}

/// Why a run stopped by itself, in words.
#[derive(Clone, Debug, Serialize)]
pub struct Divergence {
    pub epoch: usize,
    pub message: String,
}

/// What the worker publishes, read by the streams and the handlers.
#[derive(Debug)]
pub struct Status {
    pub state: State,
    /// Epochs done.
    pub epoch: usize,
    /// The learning rate of the next epoch.
    pub lr: f64,
    /// Every epoch's record since the last reset.
    pub records: Vec<EpochRecord>,
    /// A classification's loss on the test rows after each epoch (beside `records`, which carry
    /// what `nnlab train` records; a regression's records have their own test loss).
    pub test_losses: Vec<f64>,
    /// Counts resets, so that a stream knows to start over.
    pub generation: u64,
    pub snapshot: Option<Arc<Snapshot>>,
    pub divergence: Option<Divergence>,
    /// The learning rate at epoch 0 and its changes since, for the replay command.
    pub first_lr: f64,
    pub lr_at: Vec<LrChange>,
}

/// A piece of work the worker runs between two epochs.
pub(super) type Job = Box<dyn FnOnce(&Worker) + Send>;

/// What the handlers ask of the worker.
#[derive(Default)]
pub(super) struct Control {
    pub(super) playing: bool,
    /// Counts play commands, so that reaching the config's epochs pauses only a play that
    /// came before that epoch (not one the page sent while it ran).
    pub(super) plays: u64,
    pub(super) steps: usize,
    pub(super) reset: bool,
    pub(super) lr: Option<f64>,
    /// Work for the worker between epochs, with the engine as it stands (downloads, traces).
    pub(super) jobs: Vec<Job>,
    /// Draw the maps now (the run was paused mid-play).
    pub(super) maps: bool,
    pub(super) quit: bool,
}

/// A live session.
pub struct Session {
    pub id: String,
    /// The answer to `POST /api/sessions` (and `GET /api/sessions/{id}`).
    pub info: Value,
    config: RunConfig,
    status: Arc<Mutex<Status>>,
    control: Arc<(Mutex<Control>, Condvar)>,
    changed: watch::Receiver<u64>,
    want_maps: Arc<AtomicBool>,
    last_used: Mutex<Instant>,
    /// Streams open on it now.
    pub streams: AtomicUsize,
    max_epochs: usize,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Session {
    /// Resolves the page's settings (and upload), builds the data and the engine, and starts the
    /// worker, paused at epoch 0. Slow work: call it off the async threads.
    pub fn start(
        id: String,
        page: &Value,
        csv: Option<&str>,
        limits: &Limits,
    ) -> ApiResult<Session> {
        let config = settings::merge(page)?;
        let mut config = settings::tidy(config, csv.is_some(), limits)?;
        let upload = csv
            .map(|text| settings::read_upload(text, limits))
            .transpose()?;
        let prepared = settings::prepare(&mut config, upload)?;
        if let Some(classes) = prepared.train.task().classes() {
            if classes > limits.max_units {
                return Err(ApiError::bad(format!(
                    "the labels make {classes} classes, one output unit each; the playground takes at most {}",
                    limits.max_units
                )));
            }
        }
        let train_config = config.train_config()?;
        let spec = config.model_spec(prepared.dataset.n_features(), prepared.train.task())?;
        let initial = initial_parameters(&config, &spec)?;
        // One thread per session: other sessions and the server keep the other cores. Results
        // do not depend on the thread count.
        let one_thread = RunConfig {
            threads: Some(1),
            ..config.clone()
        };
        let engine = build_engine(&one_thread, &spec, &initial, "the initial weights")?;
        let trainer = Trainer::new(
            engine.as_ref(),
            &prepared.train,
            &train_config,
            train_accuracy(config.engine),
        )
        .map_err(|e| ApiError::bad(e.to_string()))?
        .keeping_test_outputs(); // for the test loss curve
        let grid = maps::network_grid(&prepared, config.inputs.as_deref());
        let value_range = prepared.dataset.values.as_ref().map(|values| {
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi)
        });
        let units: usize = spec.layer_sizes().iter().map(|&(_, out)| out).sum();
        let neuron_size = maps::neuron_size(units);
        let info = describe(
            &id,
            &config,
            &prepared,
            engine.as_ref(),
            grid.as_ref(),
            value_range,
            neuron_size,
        );

        let status = Arc::new(Mutex::new(Status {
            state: State::Paused,
            epoch: 0,
            lr: config.lr,
            records: Vec::new(),
            test_losses: Vec::new(),
            generation: 0,
            snapshot: None,
            divergence: None,
            first_lr: config.lr,
            lr_at: Vec::new(),
        }));
        let control = Arc::new((Mutex::new(Control::default()), Condvar::new()));
        let (sender, changed) = watch::channel(0);
        let want_maps = Arc::new(AtomicBool::new(false));
        let mut worker = Worker {
            engine,
            trainer,
            train_config,
            prepared: Arc::new(prepared),
            config: config.clone(),
            initial,
            grid: grid.map(|(_, g)| g),
            value_range,
            neuron_size,
            versions: std::sync::atomic::AtomicU64::new(0),
            timeline: Timeline::default(),
            stop: None,
            status: status.clone(),
            control: control.clone(),
            changed: sender,
            want_maps: want_maps.clone(),
            max_epochs: limits.max_epochs,
        };
        worker.publish_maps();
        worker.keep_map(0);
        let thread_status = status.clone();
        std::thread::Builder::new()
            .name(format!("session-{id}"))
            .spawn(move || {
                // A panic in an engine, a map or a job must not leave the session looking alive:
                // it is shown as the run's end, in words, and only a new session goes on.
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| worker.run()));
                if let Err(panic) = run {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    let mut status = lock(&thread_status);
                    status.divergence = Some(Divergence {
                        epoch: status.epoch,
                        message: format!(
                            "the training thread failed at epoch {} ({what}); make a new session (change any setting) to go on",
                            status.epoch
                        ),
                    });
                    status.state = State::Diverged;
                }
            })
            .map_err(|e| ApiError::internal(format!("cannot start the training thread: {e}")))?;
        Ok(Session {
            id,
            info,
            config,
            status,
            control,
            changed,
            want_maps,
            last_used: Mutex::new(Instant::now()),
            streams: AtomicUsize::new(0),
            max_epochs: limits.max_epochs,
        })
    }

    /// Marks the session as used now (idle sessions are freed first).
    pub fn touch(&self) {
        *lock(&self.last_used) = Instant::now();
    }

    /// When the session was last used.
    pub fn last_used(&self) -> Instant {
        *lock(&self.last_used)
    }

    /// The status, locked (keep it short: the worker waits for it every epoch).
    pub fn status(&self) -> MutexGuard<'_, Status> {
        lock(&self.status)
    }

    /// A receiver that sees every change of the status.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changed.clone()
    }

    /// Asks the worker for fresh maps after its current epoch.
    pub fn want_maps(&self) {
        self.want_maps.store(true, Ordering::Relaxed);
    }

    fn command(&self, apply: impl FnOnce(&mut Control)) {
        let (control, wake) = &*self.control;
        apply(&mut lock(control));
        wake.notify_one();
    }

    /// Trains until paused, diverged, or the config's epochs (then again until the limit).
    pub fn play(&self) -> ApiResult<()> {
        self.check_can_train()?;
        self.command(|c| {
            c.playing = true;
            c.plays += 1;
        });
        Ok(())
    }

    /// Stops after the current epoch.
    pub fn pause(&self) {
        self.command(|c| {
            c.playing = false;
            c.steps = 0;
            c.maps = true;
        });
    }

    /// Runs `epochs` epochs, then pauses.
    pub fn step(&self, epochs: usize) -> ApiResult<()> {
        self.check_can_train()?;
        self.command(|c| {
            c.playing = false;
            c.steps = c.steps.saturating_add(epochs);
        });
        Ok(())
    }

    /// Back to epoch 0, the same initial weights, a fresh optimizer.
    pub fn reset(&self) {
        self.command(|c| {
            c.playing = false;
            c.steps = 0;
            c.reset = true;
        });
    }

    /// A new learning rate from the next epoch on.
    pub fn set_lr(&self, lr: f64) -> ApiResult<()> {
        if !(lr > 0.0 && lr.is_finite()) {
            return Err(ApiError::bad(format!(
                "--lr {lr}: the learning rate must be a finite number > 0, e.g. 0.1"
            )));
        }
        self.command(|c| c.lr = Some(lr));
        Ok(())
    }

    /// Runs `job` on the training thread between two epochs, with the engine as it stands.
    async fn on_worker<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Worker) -> T + Send + 'static,
    ) -> ApiResult<T> {
        let (reply, answer) = oneshot::channel();
        self.command(|c| {
            c.jobs.push(Box::new(move |worker: &Worker| {
                let _ = reply.send(job(worker));
            }))
        });
        answer
            .await
            .map_err(|_| ApiError::internal("the session's training thread has stopped"))
    }

    /// Writes the run folder as it stands into a new temporary folder.
    pub async fn export(&self) -> ApiResult<tempfile::TempDir> {
        self.on_worker(Worker::export).await?
    }

    /// The kept output maps since epoch 0 (see [`Timeline`]).
    pub async fn timeline(&self) -> ApiResult<Value> {
        self.on_worker(|worker: &Worker| {
            let frames: Vec<Value> = worker
                .timeline
                .frames
                .iter()
                .map(|(epoch, map)| json!({"epoch": epoch, "map": map}))
                .collect();
            json!({"stride": worker.timeline.stride, "frames": frames})
        })
        .await
    }

    /// One neuron's forward and backward numbers on the training rows, with the weights as they
    /// stand (see [`crate::backprop`]).
    pub async fn trace(&self, layer: usize, unit: usize) -> ApiResult<Value> {
        self.on_worker(move |worker: &Worker| {
            let lr = lock(&worker.status).lr;
            let epoch = lock(&worker.status).epoch;
            crate::backprop::trace(
                worker.engine.as_ref(),
                &worker.prepared.train,
                &worker.config,
                epoch,
                lr,
                layer,
                unit,
            )
        })
        .await?
    }

    fn check_can_train(&self) -> ApiResult<()> {
        let status = self.status();
        match (&status.divergence, status.epoch) {
            (Some(d), _) => Err(ApiError::conflict(format!(
                "the run diverged at epoch {}: reset it (and lower the learning rate) to train again",
                d.epoch
            ))),
            (None, epoch) if epoch >= self.max_epochs => Err(ApiError::conflict(format!(
                "the session has run {epoch} epochs, the playground's limit: reset it, or go on with nnlab train"
            ))),
            _ => Ok(()),
        }
    }

    /// The command that reproduces the run as it stands: the config with the learning rates it
    /// had and the epochs it ran (the config's epochs before the first).
    pub fn replay(&self, status: &Status) -> RunConfig {
        replay_config(&self.config, status)
    }
}

impl Session {
    /// Stops the worker; the session's streams end.
    pub fn close(&self) {
        self.command(|c| c.quit = true);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}

/// The config whose `nnlab train` gives this run: its learning rates, and the epochs it ran —
/// through the epoch that diverged, if it did (so that the command stops there too, with the
/// same files), or the config's before the first epoch.
pub(super) fn replay_config(config: &RunConfig, status: &Status) -> RunConfig {
    let epochs = match (&status.divergence, status.epoch) {
        (Some(divergence), _) => divergence.epoch + 1,
        (None, 0) => config.epochs,
        (None, done) => done,
    };
    RunConfig {
        lr: status.first_lr,
        lr_at: status.lr_at.clone(),
        epochs,
        ..config.clone()
    }
}

/// The session as the page first sees it (see API.md).
fn describe(
    id: &str,
    config: &RunConfig,
    prepared: &Prepared,
    engine: &dyn Engine,
    grid: Option<&(maps::Domain, Array2<f64>)>,
    value_range: Option<(f64, f64)>,
    neuron_size: usize,
) -> Value {
    let spec = engine.spec();
    let task = spec.task();
    let targets = prepared.dataset.targets();
    let rows = |indices: &[usize]| -> Vec<Vec<f64>> {
        indices
            .iter()
            .map(|&i| {
                let row = prepared.columns().row(i);
                let mut values: Vec<f64> = row.iter().take(2).copied().collect();
                values.push(targets[i]);
                values
            })
            .collect()
    };
    let mut widths = vec![spec.input_size()];
    widths.extend(spec.hidden());
    widths.push(spec.layer_sizes().last().map_or(1, |&(_, out)| out));
    let mut activations: Vec<&str> = spec.activations().iter().map(|a| a.name()).collect();
    activations.push(match task {
        Task::Binary => "sigmoid",
        Task::Multiclass { .. } => "softmax",
        Task::Regression => "linear",
    });
    let inputs: Vec<String> = match &config.inputs {
        Some(names) => names.clone(),
        None => (0..prepared.columns().ncols())
            .map(|j| format!("x{j}"))
            .collect(),
    };
    json!({
        "id": id,
        "config": config,
        "command": config.train_command(),
        "implementation": engine.implementation(),
        "task": task.kind().name(),
        "classes": task.classes(),
        "network": {"widths": widths, "inputs": inputs, "activations": activations},
        "data": {
            "columns": prepared.columns().ncols(),
            "domain": grid.map(|(d, _)| [d.x_min, d.x_max, d.y_min, d.y_max]),
            "train": rows(&prepared.split.train),
            "test": rows(&prepared.split.test),
            "value_range": value_range.map(|(lo, hi)| [lo, hi]),
        },
        "map": grid.is_some(),
        "map_size": MAP_SIZE,
        "neuron_size": neuron_size,
    })
}
