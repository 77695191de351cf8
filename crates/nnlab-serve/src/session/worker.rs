//! The training thread of a session: it waits for commands, runs epochs, and publishes their
//! records and maps (see the parent module's picture).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use ndarray::Array2;
use nnlab_app::engines::train_accuracy;
use nnlab_app::run::describe_stop;
use nnlab_app::{BoundaryView, FigureLang, FigureOptions, LrChange, Output, Prepared, RunConfig};
use nnlab_core::train::Why;
use nnlab_core::{Engine, History, Parameter, Stop, TrainConfig, Trainer};
use tokio::sync::watch;

use super::timeline::Timeline;
use super::{
    lock, replay_config, Control, Divergence, Job, ParameterJson, Snapshot, State, Status,
};
use crate::error::{ApiError, ApiResult};
use crate::maps::{self, Maps};

/// The training thread's side.
pub struct Worker {
    pub(super) engine: Box<dyn Engine>,
    pub(super) trainer: Trainer,
    pub(super) train_config: TrainConfig,
    pub(super) prepared: Arc<Prepared>,
    pub(super) config: RunConfig,
    pub(super) initial: Vec<Parameter>,
    pub(super) grid: Option<Array2<f64>>,
    pub(super) value_range: Option<(f64, f64)>,
    pub(super) neuron_size: usize,
    /// The last snapshot's version.
    pub(super) versions: std::sync::atomic::AtomicU64,
    /// The output map every `stride` epochs since epoch 0, for the page's timeline.
    pub(super) timeline: Timeline,
    pub(super) stop: Option<Stop>,
    pub(super) status: Arc<Mutex<Status>>,
    pub(super) control: Arc<(Mutex<Control>, Condvar)>,
    pub(super) changed: watch::Sender<u64>,
    pub(super) want_maps: Arc<AtomicBool>,
    pub(super) max_epochs: usize,
}

/// What the worker does next.
pub(super) struct Work {
    pub(super) reset: bool,
    pub(super) lr: Option<f64>,
    pub(super) jobs: Vec<Job>,
    pub(super) epoch: bool,
    /// The epoch is a step's last (pause after it).
    pub(super) last_step: bool,
    pub(super) maps: bool,
    /// The play commands so far (see `Control::plays`).
    pub(super) plays: u64,
}

impl Worker {
    pub(super) fn run(&mut self) {
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
                self.epoch(work.last_step, work.plays);
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
                    plays: c.plays,
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
    fn epoch(&mut self, last_step: bool, plays: u64) {
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
        // The one rule of every engine and of `nnlab train` (nnlab_core::train::DivergenceRule).
        let result = result.map(|record| {
            let stop = self.trainer.divergence(&record);
            (record, stop)
        });
        match result {
            Ok((record, None)) => {
                let epoch = done_before + 1;
                self.keep_map(epoch);
                let done = epoch == self.config.epochs;
                let finished = done || epoch >= self.max_epochs;
                if epoch >= self.max_epochs {
                    self.halt();
                } else if done {
                    // the auto-pause at the config's epochs, unless play was pressed since
                    let mut c = lock(&self.control.0);
                    if c.plays == plays {
                        c.playing = false;
                        c.steps = 0;
                    }
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
            Ok((record, Some(stop))) => {
                self.halt();
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
            .map(Trainer::keeping_test_outputs) // for the test loss curve
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
    pub(super) fn keep_map(&mut self, epoch: usize) {
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
    pub(super) fn publish_maps(&self) {
        let epoch = lock(&self.status).epoch;
        let snapshot = self.snapshot(epoch);
        lock(&self.status).snapshot = Some(snapshot);
    }

    pub(super) fn export(&self) -> ApiResult<tempfile::TempDir> {
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
                lang: FigureLang::En,
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
        rows.features = self.prepared.columns().clone();
        let mut csv = Vec::new();
        nnlab_data::csv_io::write_csv(&mut csv, &rows, Some(&self.prepared.split))
            .map_err(|e| ApiError::internal(format!("writing data.csv: {e}")))?;
        nnlab_app::files::write_atomically(&folder.path().join("data.csv"), &csv)?;
        Ok(folder)
    }
}

/// A divergence in words: where, what happened, what to try.
fn divergence_message(stop: &Stop, epoch: usize, lr: f64) -> String {
    let why = match stop {
        Stop::Diverged {
            why: Why::LossAtClamp { .. },
            ..
        } => format!(
            "The steps were too large for this network: the learning rate {lr} threw the output \
             into saturation, where its slope is zero and no update can bring it back."
        ),
        _ => format!(
            "The steps were too large for this network: the learning rate {lr} overshoots, each \
             update throwing the weights further out."
        ),
    };
    format!(
        "Training diverged at epoch {epoch}: {}. {why} Press reset and try a learning rate of {} \
         or lower, or the adam optimizer, or an L2 penalty. The {epoch} epochs before it are kept \
         in the history.",
        describe_stop(stop, nnlab_app::Lang::En),
        lr / 10.0
    )
}
