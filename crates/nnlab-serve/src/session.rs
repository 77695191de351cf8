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
use nnlab_app::run::describe_stop;
use nnlab_app::{BoundaryView, FigureOptions, LrChange, Output, Prepared, RunConfig};
use nnlab_core::{Engine, EpochRecord, History, Parameter, Stop, Task, TrainConfig, Trainer};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::{oneshot, watch};

use crate::error::{ApiError, ApiResult};
use crate::maps::{self, Maps, Picture, MAP_SIZE};
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

/// The output map as training went: every epoch at first, then, whenever [`TIMELINE_FRAMES`]
/// are kept, every other one of them is dropped and the stride doubles — so it always covers the
/// whole run, from epoch 0, in at most that many maps, at a cost of one map per `stride` epochs.
#[derive(Debug)]
pub struct Timeline {
    pub frames: Vec<(usize, Picture)>,
    pub stride: usize,
}

/// The most maps a timeline keeps.
pub const TIMELINE_FRAMES: usize = 300;

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline {
            frames: Vec::new(),
            stride: 1,
        }
    }
}

impl Timeline {
    /// Whether the map after `epoch` epochs is to be kept.
    pub fn wants(&self, epoch: usize) -> bool {
        epoch.is_multiple_of(self.stride)
            && self.frames.last().is_none_or(|(last, _)| *last < epoch)
    }

    /// Keeps it, thinning when full.
    pub fn keep(&mut self, epoch: usize, map: Picture) {
        self.frames.push((epoch, map));
        if self.frames.len() > TIMELINE_FRAMES {
            self.stride *= 2;
            let stride = self.stride;
            self.frames
                .retain(|(epoch, _)| epoch.is_multiple_of(stride));
        }
    }
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
type Job = Box<dyn FnOnce(&Worker) + Send>;

/// What the handlers ask of the worker.
#[derive(Default)]
struct Control {
    playing: bool,
    steps: usize,
    reset: bool,
    lr: Option<f64>,
    /// Work for the worker between epochs, with the engine as it stands (downloads, traces).
    jobs: Vec<Job>,
    /// Draw the maps now (the run was paused mid-play).
    maps: bool,
    quit: bool,
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

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
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
        .map_err(|e| ApiError::bad(e.to_string()))?;
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
        std::thread::Builder::new()
            .name(format!("session-{id}"))
            .spawn(move || worker.run())
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
        self.command(|c| c.playing = true);
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

fn replay_config(config: &RunConfig, status: &Status) -> RunConfig {
    RunConfig {
        lr: status.first_lr,
        lr_at: status.lr_at.clone(),
        epochs: if status.epoch == 0 {
            config.epochs
        } else {
            status.epoch
        },
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
                let row = prepared.columns.row(i);
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
        None => (0..prepared.columns.ncols())
            .map(|j| format!("x{j}"))
            .collect(),
    };
    json!({
        "id": id,
        "config": config,
        "command": config.train_command(),
        "task": task.kind().name(),
        "classes": task.classes(),
        "network": {"widths": widths, "inputs": inputs, "activations": activations},
        "data": {
            "columns": prepared.columns.ncols(),
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

/// The training thread's side.
pub struct Worker {
    engine: Box<dyn Engine>,
    trainer: Trainer,
    train_config: TrainConfig,
    prepared: Arc<Prepared>,
    config: RunConfig,
    initial: Vec<Parameter>,
    grid: Option<Array2<f64>>,
    value_range: Option<(f64, f64)>,
    neuron_size: usize,
    /// The last snapshot's version.
    versions: std::sync::atomic::AtomicU64,
    /// The output map every `stride` epochs since epoch 0, for the page's timeline.
    timeline: Timeline,
    stop: Option<Stop>,
    status: Arc<Mutex<Status>>,
    control: Arc<(Mutex<Control>, Condvar)>,
    changed: watch::Sender<u64>,
    want_maps: Arc<AtomicBool>,
    max_epochs: usize,
}

/// What the worker does next.
struct Work {
    reset: bool,
    lr: Option<f64>,
    jobs: Vec<Job>,
    epoch: bool,
    /// The epoch is a step's last (pause after it).
    last_step: bool,
    maps: bool,
}

impl Worker {
    fn run(&mut self) {
        while let Some(work) = self.next() {
            if work.reset {
                self.reset();
            }
            if let Some(lr) = work.lr {
                self.set_lr(lr);
            }
            for job in work.jobs {
                job(self);
            }
            if work.epoch {
                self.epoch(work.last_step);
            }
            if self.want_maps.swap(false, Ordering::Relaxed) || work.maps {
                self.publish_maps();
            }
            self.settle();
            self.changed.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Waits for work; `None` when the session is closed.
    fn next(&self) -> Option<Work> {
        let (control, wake) = &*self.control;
        let mut c = lock(control);
        loop {
            if c.quit {
                return None;
            }
            let epoch = c.playing || c.steps > 0;
            if epoch || c.reset || c.lr.is_some() || !c.jobs.is_empty() || c.maps {
                let last_step = !c.playing && c.steps == 1;
                if !c.playing && c.steps > 0 {
                    c.steps -= 1;
                }
                return Some(Work {
                    reset: std::mem::take(&mut c.reset),
                    lr: c.lr.take(),
                    jobs: std::mem::take(&mut c.jobs),
                    epoch,
                    last_step,
                    maps: std::mem::take(&mut c.maps),
                });
            }
            c = wake.wait(c).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Stops training: no more steps or play.
    fn halt(&self) {
        let mut c = lock(&self.control.0);
        c.playing = false;
        c.steps = 0;
    }

    /// Sets the state from what the worker does now: call it after each piece of work.
    fn settle(&self) {
        let (playing, steps) = {
            let c = lock(&self.control.0);
            (c.playing, c.steps)
        };
        let mut status = lock(&self.status);
        status.state = if status.divergence.is_some() {
            State::Diverged
        } else if playing || steps > 0 {
            State::Playing
        } else if status.epoch == self.config.epochs || status.epoch >= self.max_epochs {
            State::Done
        } else {
            State::Paused
        };
    }

    /// Runs one epoch and publishes its record; at the config's epochs (or a step's last) the
    /// maps come with it, in the same update, so no frame shows the epoch with older maps.
    fn epoch(&mut self, last_step: bool) {
        let done_before = {
            let status = lock(&self.status);
            (status.divergence.is_none() && status.epoch < self.max_epochs).then_some(status.epoch)
        };
        let Some(done_before) = done_before else {
            self.halt();
            return;
        };
        let result = self
            .trainer
            .epoch(self.engine.as_mut(), &self.prepared.train);
        match result {
            Ok(record) if record.is_finite() => {
                let epoch = done_before + 1;
                self.keep_map(epoch);
                let finished = epoch == self.config.epochs || epoch >= self.max_epochs;
                if finished {
                    self.halt();
                }
                let snapshot = (finished || last_step).then(|| self.snapshot(epoch));
                let test_loss = self.classification_test_loss();
                let mut status = lock(&self.status);
                status.records.push(record);
                status.test_losses.extend(test_loss);
                status.epoch = epoch;
                if snapshot.is_some() {
                    status.snapshot = snapshot;
                }
            }
            Ok(record) => {
                self.halt();
                let stop = Stop::Diverged {
                    epoch: record.epoch,
                    loss: record.loss,
                    weight_norms: record.weight_norms,
                };
                let mut status = lock(&self.status);
                status.divergence = Some(Divergence {
                    epoch: record.epoch,
                    message: divergence_message(&stop, record.epoch, status.lr),
                });
                self.stop = Some(stop);
            }
            Err(e) => {
                self.halt();
                let mut status = lock(&self.status);
                status.divergence = Some(Divergence {
                    epoch: done_before,
                    message: format!("training stopped at epoch {done_before}: {e}"),
                });
            }
        }
    }

    /// Back to the initial weights and a fresh optimizer at the current learning rate; the new
    /// maps are published with epoch 0.
    fn reset(&mut self) {
        let lr = lock(&self.status).lr;
        let c = &self.train_config;
        let result = self.engine.set_parameters(&self.initial).and_then(|()| {
            let config = TrainConfig::new(lr, c.epochs())
                .and_then(|config| config.with_batches(c.batch_size(), c.shuffle_seed()))
                .map(|config| config.with_optimizer(*c.optimizer()))?;
            Trainer::new(
                self.engine.as_ref(),
                &self.prepared.train,
                &config,
                train_accuracy(self.config.engine),
            )
        });
        match result {
            Ok(trainer) => {
                self.trainer = trainer;
                self.stop = None;
                self.timeline = Timeline::default();
                self.keep_map(0);
                let snapshot = self.snapshot(0);
                let mut status = lock(&self.status);
                status.records.clear();
                status.test_losses.clear();
                status.epoch = 0;
                status.generation += 1;
                status.divergence = None;
                status.first_lr = lr;
                status.lr_at.clear();
                status.snapshot = Some(snapshot);
            }
            Err(e) => {
                let mut status = lock(&self.status);
                status.divergence = Some(Divergence {
                    epoch: status.epoch,
                    message: format!("reset failed: {e}"),
                });
            }
        }
    }

    fn set_lr(&mut self, lr: f64) {
        self.trainer.set_lr(lr);
        let mut status = lock(&self.status);
        status.lr = lr;
        let epoch = status.epoch;
        if epoch == 0 {
            status.first_lr = lr;
        } else {
            status.lr_at.retain(|c| c.epoch != epoch);
            status.lr_at.push(LrChange { epoch, lr });
        }
    }

    /// The maps and parameters of the engine as it is, after `epoch` epochs.
    fn snapshot(&self, epoch: usize) -> Arc<Snapshot> {
        let drawn: Option<Maps> = match &self.grid {
            Some(grid) => maps::draw(
                self.engine.as_ref(),
                grid,
                self.value_range,
                self.neuron_size,
            )
            .ok(),
            None => None,
        };
        let parameters = self
            .engine
            .parameters()
            .into_iter()
            .map(|p| ParameterJson {
                name: p.name,
                shape: p.shape,
                values: p.values,
            })
            .collect();
        let (map, neurons) = match drawn {
            Some(maps) => (Some(maps.map), maps.neurons),
            None => (None, Vec::new()),
        };
        Arc::new(Snapshot {
            version: self.versions.fetch_add(1, Ordering::Relaxed) + 1,
            epoch,
            map,
            neurons,
            parameters,
            neuron_size: self.neuron_size,
        })
    }

    /// A classification's mean loss on the test rows now (for the page's test loss curve, as
    /// TensorFlow Playground draws it); `None` for a regression, whose record has it.
    fn classification_test_loss(&self) -> Option<f64> {
        let task = self.engine.spec().task();
        if !task.is_classification() {
            return None;
        }
        let outputs = self.trainer.test_outputs(); // the epoch's own, as its record measured
        let y = self.prepared.train.y_test();
        (outputs.nrows() == y.len()).then(|| task.loss(outputs.view(), y.view()))
    }

    /// Keeps the output map after `epoch` epochs if the timeline wants it.
    fn keep_map(&mut self, epoch: usize) {
        if !self.timeline.wants(epoch) {
            return;
        }
        if let Some(grid) = &self.grid {
            if let Ok(map) = maps::output_map(self.engine.as_ref(), grid, self.value_range) {
                self.timeline.keep(epoch, map);
            }
        }
    }

    /// Publishes fresh maps (only the worker changes the epoch, so it is read safely first).
    fn publish_maps(&self) {
        let epoch = lock(&self.status).epoch;
        let snapshot = self.snapshot(epoch);
        lock(&self.status).snapshot = Some(snapshot);
    }

    fn export(&self) -> ApiResult<tempfile::TempDir> {
        let folder = tempfile::Builder::new()
            .prefix("nnlab-serve-")
            .tempdir()
            .map_err(|e| ApiError::internal(format!("cannot make a temporary folder: {e}")))?;
        let (config, history) = {
            let status = lock(&self.status);
            let history = History {
                records: status.records.clone(),
            };
            (replay_config(&self.config, &status), history)
        };
        let output = Output {
            figures: Some(FigureOptions {
                svg: false,
                boundary: BoundaryView::Class,
            }),
            dataset_figure: true,
            command: "serve",
        };
        nnlab_app::write_run(
            folder.path(),
            &config,
            &self.prepared,
            self.engine.as_ref(),
            &history,
            self.stop.as_ref(),
            &output,
        )?;
        let mut rows = self.prepared.dataset.clone();
        rows.features = self.prepared.columns.clone();
        let mut csv = Vec::new();
        nnlab_data::csv_io::write_csv(&mut csv, &rows, Some(&self.prepared.split))
            .map_err(|e| ApiError::internal(format!("writing data.csv: {e}")))?;
        nnlab_app::files::write_atomically(&folder.path().join("data.csv"), &csv)?;
        Ok(folder)
    }
}

/// A divergence in words: where, what blew up, what to try.
fn divergence_message(stop: &Stop, epoch: usize, lr: f64) -> String {
    format!(
        "Training diverged at epoch {epoch}: {}. The steps were too large for this network: \
         the learning rate {lr} overshoots, each update throwing the weights further out. Press \
         reset and try a learning rate of {} or lower, or the adam optimizer, or an L2 penalty. \
         The {epoch} epochs before it are kept in the history.",
        describe_stop(stop),
        lr / 10.0
    )
}
