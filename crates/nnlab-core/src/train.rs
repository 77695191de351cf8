//! The training loop: the notebook's `for epoch in range(EPOCHS)` cell, for any [`Engine`], task,
//! batch size and optimizer.
//!
//! Each epoch: the batches in their order (see [`crate::batches`]); for each, `forward_backward`
//! and the optimizer's update. Then the record: the loss is Σ_b loss_b·|b| / n over the batches'
//! forward passes (each before its update; for full batch, the one pass's loss), the test metrics
//! and the weight norms are measured after the epoch. The notebook's two sections differ in how
//! they measure the training accuracy, and [`TrainAccuracy`] says which to follow: its numpy loop
//! predicts the training rows again after the epoch; its PyTorch loop counts the hits of the
//! batches' own forward passes, made before their updates.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::batches::Batches;
use crate::engine::{Batch, Precision, Step};
use crate::optim::Optimizer;
use crate::task::fraction;
use crate::{CoreError, Engine, EpochRecord, History, Task, TrainConfig};

pub use crate::task::THRESHOLD;

/// The training and test rows, with one target per row (a class index as a float, or a real
/// value). Immutable once made, so that an engine may keep what it derived from the rows (see
/// [`Batch::source`]).
#[derive(Clone, Debug)]
pub struct TrainData {
    x_train: Array2<f64>,
    y_train: Array1<f64>,
    x_test: Array2<f64>,
    y_test: Array1<f64>,
    task: Task,
    /// Marks the training rows ([`Batch::source`]) and the test rows, which never change.
    id: u64,
    test_id: u64,
}

/// Tells every [`TrainData`] apart.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// `x` in row-major order: itself when it already is (as the scaler's output is), else a copy.
/// (`as_standard_layout().into_owned()` would copy row-major arrays too: 1.6 MB of fresh memory
/// for 100,000 rows.)
fn row_major(x: Array2<f64>) -> Array2<f64> {
    if x.is_standard_layout() {
        x
    } else {
        x.as_standard_layout().into_owned()
    }
}

impl TrainData {
    /// Pairs features with their labels, which must all be 0 or 1 (a binary task).
    pub fn new(
        x_train: Array2<f64>,
        labels_train: &[usize],
        x_test: Array2<f64>,
        labels_test: &[usize],
    ) -> Result<TrainData, CoreError> {
        if let Some(&label) = labels_train.iter().chain(labels_test).find(|&&l| l > 1) {
            return Err(CoreError::NotBinary { label });
        }
        let floats = |labels: &[usize]| labels.iter().map(|&l| l as f64).collect();
        TrainData::with_task(
            x_train,
            floats(labels_train),
            x_test,
            floats(labels_test),
            Task::Binary,
        )
    }

    /// Features and targets for `task`: class indices 0..K−1 (as floats) for a classification,
    /// finite values for a regression; at least one row in each set.
    pub fn with_task(
        x_train: Array2<f64>,
        y_train: Array1<f64>,
        x_test: Array2<f64>,
        y_test: Array1<f64>,
        task: Task,
    ) -> Result<TrainData, CoreError> {
        let check = |x: &Array2<f64>, y: &Array1<f64>, what: &str, at_least: usize| {
            if x.nrows() != y.len() || x.nrows() < at_least {
                return Err(CoreError::ShapeMismatch {
                    what: what.to_string(),
                    expected: format!(
                        "one target per row, at least {at_least} row(s) ({} rows)",
                        x.nrows()
                    ),
                    got: format!("{} targets", y.len()),
                });
            }
            for &value in y {
                let fits = match task.classes() {
                    // (`as i64` drops the fraction, in one instruction; `fract()` would call
                    // the C library's `trunc` once per row on the x86-64 baseline.)
                    Some(k) => value >= 0.0 && value < k as f64 && value == (value as i64) as f64,
                    None => value.is_finite(),
                };
                if !fits {
                    return Err(CoreError::BadTarget {
                        value,
                        expected: match task.classes() {
                            Some(k) => format!("a class index 0 to {} ({task:?})", k - 1),
                            None => "a finite number (regression)".into(),
                        },
                    });
                }
            }
            Ok(())
        };
        check(&x_train, &y_train, "training rows", 1)?;
        check(&x_test, &y_test, "test rows", 1)?;
        if x_train.ncols() != x_test.ncols() {
            return Err(CoreError::ShapeMismatch {
                what: "test features".into(),
                expected: format!("{} columns like the training rows", x_train.ncols()),
                got: format!("{} columns", x_test.ncols()),
            });
        }
        Ok(TrainData {
            x_train: row_major(x_train),
            y_train,
            x_test: row_major(x_test),
            y_test,
            task,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            test_id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The training features (n, d), row-major.
    pub fn x_train(&self) -> &Array2<f64> {
        &self.x_train
    }

    /// The training targets (n).
    pub fn y_train(&self) -> &Array1<f64> {
        &self.y_train
    }

    /// The test features, row-major.
    pub fn x_test(&self) -> &Array2<f64> {
        &self.x_test
    }

    /// The test targets.
    pub fn y_test(&self) -> &Array1<f64> {
        &self.y_test
    }

    /// What the targets are.
    pub fn task(&self) -> Task {
        self.task
    }

    /// All training rows as one batch, marked as this data's.
    pub fn full_batch(&self) -> Batch<'_> {
        Batch {
            x: self.x_train.view(),
            y: self.y_train.view(),
            source: Some(self.id),
            may_stop: true,
        }
    }
}

/// A mini-batch's rows, `X[b]` and `Y[b]`, copied into buffers that are kept from batch to batch.
///
/// `x.select(Axis(0), rows)` gives the same rows but allocates two arrays per batch and copies
/// them row by row through ndarray's general `append`: at 32 rows of 2 features that was a third
/// of the fast path's epoch (800 rows, batch 32, `cargo bench -p nnlab-core --bench step -- epoch`).
/// Here each batch copies its rows into the same two `Vec`s, which only grow.
#[derive(Clone, Debug, Default)]
pub struct BatchRows {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl BatchRows {
    /// The rows `rows` of x and y (in that order) as a batch, row-major; panics on a row out of
    /// range, as `select` does.
    pub fn gather<'a>(&'a mut self, x: &Array2<f64>, y: &Array1<f64>, rows: &[usize]) -> Batch<'a> {
        let cols = x.ncols();
        self.x.resize(rows.len() * cols, 0.0);
        match x.as_slice() {
            // Row-major x (TrainData's): each row read straight from the slice and copied value
            // by value. At 2 values per row this took about half the time of extending from an
            // ndarray row view, and 0.7× that of a `memcpy` call (`extend_from_slice`) per row.
            Some(all) => {
                for (to, &r) in self.x.chunks_exact_mut(cols).zip(rows) {
                    let from = &all[r * cols..(r + 1) * cols];
                    to.iter_mut().zip(from).for_each(|(to, &v)| *to = v);
                }
            }
            None => {
                for (to, &r) in self.x.chunks_exact_mut(cols).zip(rows) {
                    to.iter_mut().zip(x.row(r)).for_each(|(to, &v)| *to = v);
                }
            }
        }
        self.y.clear();
        self.y.extend(rows.iter().map(|&r| y[r]));
        let x = ArrayView2::from_shape((rows.len(), cols), &self.x)
            .expect("one row of x.ncols() values per index");
        Batch::new(x, ArrayView1::from(&self.y))
    }
}

/// Which predictions the training accuracy is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrainAccuracy {
    /// Predict the training rows again after the epoch (the notebook's numpy loop).
    AfterUpdate,
    /// Count the hits of the batches' forward passes, each before its update (the PyTorch loop).
    BeforeUpdate,
}

/// Why training ended before its last epoch.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// The epoch's record showed the run diverged, for the reason `why` (see [`DivergenceRule`]);
    /// the epoch is not in the history, which keeps the epochs before it.
    Diverged {
        epoch: usize,
        loss: f64,
        weight_norms: Vec<f64>,
        why: Why,
    },
    /// The caller asked to stop after this many epochs.
    Interrupted { epochs_done: usize },
}

/// Any layer's ‖W‖ (Frobenius) beyond this bound stops a run as diverged (for a regression, the
/// bound is this times the largest |target| where that is above 1: see [`DivergenceRule`]).
///
/// Healthy runs stay orders of magnitude below it: initial weights have ‖W‖ ≈ √(2·n_out) at most
/// (He's), under 1,500 even at the widest layer nnlab accepts ([`crate::MAX_WIDTH`]); the notebook
/// runs and the parity fixtures stay under 100, and of 60 runs measured for this bound (learning
/// rates 0.01 to 30, SGD and Adam, moons, circles and blobs, 8 to 64×64 units, 200 to 3,000
/// epochs) every one that ended better than chance stayed under 500; the norms of a classifier
/// that separates its data grow only as the log of the epochs. Weights past 1e6 come from updates
/// that overshoot, and each step throws them further out: none of those runs came back (at
/// `--lr 5 --hidden 64,64` they reached 3e34 and ended at the loss of a coin, 0.69), and at
/// `--lr 50` the notebook's net passes 1e6 at epoch 5 and sits at 2.7e9 by epoch 10, its hidden
/// units dead, its loss swinging.
pub const WEIGHT_BOUND: f64 = 1e6;

/// The share of the loss ceiling ([`Engine::loss_ceiling`]) at which a run whose weights stopped
/// moving counts as stuck at the clamp (see [`DivergenceRule`]).
pub const CLAMP_SHARE: f64 = 0.1;

/// Why a run counts as diverged.
#[derive(Clone, Debug, PartialEq)]
pub enum Why {
    /// The loss or a weight norm became NaN or infinite.
    NonFinite,
    /// The loss reached [`CLAMP_SHARE`] of `ceiling`, the most one row can cost in this engine,
    /// and the epoch's updates left every weight where it was: the output saturated on the wrong
    /// class, its gradients vanished, and training cannot leave that state.
    LossAtClamp { ceiling: f64 },
    /// Layer `layer`'s (0-based) ‖W‖ went past `bound`.
    WeightsBeyond { layer: usize, norm: f64, bound: f64 },
}

/// When a run counts as diverged: the one rule of both engines, the CLI and the playground
/// (through [`Trainer::divergence`]). An epoch's record diverged when, checked in this order,
///
/// 1. its loss or a weight norm is NaN or infinite ([`Why::NonFinite`]);
/// 2. its loss is at least [`CLAMP_SHARE`] (a tenth) of the engine's per-row ceiling — the clamp
///    of the log: 27.63 in the hand-written engine, 100 in autograd's `nn.BCELoss` — *and* the
///    epoch left every ‖W‖ exactly as it was ([`Why::LossAtClamp`]). A mean of a tenth of the
///    ceiling needs a tenth of the rows predicted wrong with certainty (ŷ at 1e-12 of the truth,
///    or e^−100), or all rows nearly so; with the weights frozen as well, the sigmoid saturated,
///    its slope ŷ(1 − ŷ) is exactly 0 in every row and SGD can never move again. That is what
///    `--engine autograd --lr 100000` does: after epoch 0 every ŷ is exactly 0 or 1 in f32, the
///    16 % of rows on the wrong side cost 100 each, and the loss sits at 16.0 for ever. A loss
///    that high alone is not enough: healthy runs at a high learning rate spike there for an
///    epoch or two and recover (at `--lr 3 --hidden 64,64 --seed 3` the loss reaches 11.8 in the
///    hand-written engine and 14.8 in autograd, and ends below 0.01), but their weights move. A
///    run whose weights froze at a low loss (converged, or a learning rate too small to change
///    them: the notebook's epoch 0 costs 1.36) stays below a tenth of the ceiling. Softmax
///    cross-entropy and mean squared error have no ceiling and no saturating slope (their dz is
///    softmax(z) − Y and 2·(ŷ − y)): diverging, their weights grow until rule 3 stops them.
/// 3. a layer's ‖W‖ is beyond [`WEIGHT_BOUND`] (1e6; for a regression 1e6 × the largest |target|
///    when that is above 1, as weights must scale with the targets) ([`Why::WeightsBeyond`]).
///
/// The hand-written engine's output gradient dz = ŷ − y does not vanish at saturation, so where
/// autograd freezes at the clamp (rule 2) the hand-written engine's weights keep growing and rule
/// 3 stops it at the same epoch: `--lr 100000` from the same initial weights stops both at epoch 1.
#[derive(Clone, Debug, PartialEq)]
pub struct DivergenceRule {
    /// The most one row's loss can be ([`Engine::loss_ceiling`]), if the loss has a ceiling.
    pub loss_ceiling: Option<f64>,
    /// The bound on every layer's ‖W‖.
    pub weight_bound: f64,
}

impl DivergenceRule {
    /// The rule for `engine` training on `data`.
    pub fn new(engine: &dyn Engine, data: &TrainData) -> DivergenceRule {
        let scale = match data.task() {
            Task::Regression => data
                .y_train
                .iter()
                .fold(1.0_f64, |largest, &y| largest.max(y.abs())),
            Task::Binary | Task::Multiclass { .. } => 1.0,
        };
        DivergenceRule {
            loss_ceiling: engine.loss_ceiling(),
            weight_bound: WEIGHT_BOUND * scale,
        }
    }

    /// Why `record` counts as diverged, if it does; `norms_before` are the ‖W‖ before its epoch.
    pub fn check(&self, record: &EpochRecord, norms_before: &[f64]) -> Option<Why> {
        if !record.is_finite() {
            return Some(Why::NonFinite);
        }
        if let Some(ceiling) = self.loss_ceiling {
            if record.loss >= CLAMP_SHARE * ceiling && record.weight_norms == norms_before {
                return Some(Why::LossAtClamp { ceiling });
            }
        }
        let (layer, &norm) = record
            .weight_norms
            .iter()
            .enumerate()
            .find(|&(_, &norm)| norm > self.weight_bound)?;
        Some(Why::WeightsBeyond {
            layer,
            norm,
            bound: self.weight_bound,
        })
    }
}

/// The history of the epochs that ran, and why training stopped early, if it did.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainOutcome {
    pub history: History,
    pub stop: Option<Stop>,
}

/// The fraction of rows whose prediction (ŷ > 0.5) equals the 0/1 target, computed in `precision`.
pub fn accuracy(probabilities: &Array1<f64>, y: &Array1<f64>, precision: Precision) -> f64 {
    let outputs = probabilities.view().insert_axis(Axis(1));
    fraction(Task::Binary.hits(outputs, y.view()), y.len(), precision)
}

/// Training one epoch at a time: the optimizer's state, the batch order's generator and the
/// gathered rows, kept between epochs. [`train`] runs it for a config's epochs; the playground
/// steps it by hand, pausing and changing the learning rate between epochs.
#[derive(Debug)]
pub struct Trainer {
    optimizer: Optimizer,
    batches: Batches,
    gathered: BatchRows,
    lr: f64,
    /// Scheduled learning rates, `(epoch, lr)`, rising; the ones not yet reached.
    lr_changes: Vec<(usize, f64)>,
    train_accuracy: TrainAccuracy,
    epoch: usize,
    /// The config's epochs: after the last, no step is run ahead.
    epochs: usize,
    /// The next epoch's full-batch forward pass and backward pass, already run (see
    /// [`Trainer::epoch`]): its gradients wait in the engine for that epoch's update.
    ahead: Option<Step>,
    /// The last epoch's record, whose buffers the next one reuses.
    record: EpochRecord,
    /// The outputs on the test rows after the last epoch, for a regression (its record is
    /// measured from them) or when [`Trainer::keeping_test_outputs`] asked for them; else empty,
    /// and a classification's test hits are counted by [`Engine::count_hits`] (on a GPU, one
    /// number brought back instead of every output).
    test_outputs: Array2<f64>,
    keep_test_outputs: bool,
    rule: DivergenceRule,
    /// ‖W‖ of every layer before the last epoch, and now.
    norms_before: Vec<f64>,
    norms: Vec<f64>,
}

impl Trainer {
    /// A trainer for `engine` on `data` as `config` says (its epochs are the caller's to count);
    /// the engine's task must be the data's.
    pub fn new(
        engine: &dyn Engine,
        data: &TrainData,
        config: &TrainConfig,
        train_accuracy: TrainAccuracy,
    ) -> Result<Trainer, CoreError> {
        let task = engine.spec().task();
        if task != data.task() {
            return Err(CoreError::ShapeMismatch {
                what: "task".into(),
                expected: format!("the data's {:?}", data.task()),
                got: format!("a network for {task:?}"),
            });
        }
        let n = data.y_train.len();
        let norms = engine.weight_norms();
        Ok(Trainer {
            optimizer: Optimizer::new(*config.optimizer()),
            batches: Batches::new(n, config.batch_size(), config.shuffle_seed()),
            gathered: BatchRows::default(),
            lr: config.lr(),
            lr_changes: config.lr_changes().to_vec(),
            train_accuracy,
            epoch: 0,
            epochs: config.epochs(),
            ahead: None,
            record: EpochRecord {
                epoch: 0,
                loss: f64::NAN,
                train_accuracy: None,
                test_accuracy: None,
                test_loss: None,
                weight_norms: Vec::with_capacity(norms.len()),
            },
            test_outputs: Array2::zeros((0, 0)),
            keep_test_outputs: false,
            rule: DivergenceRule::new(engine, data),
            norms_before: norms.clone(),
            norms,
        })
    }

    /// The rule that [`divergence`](Self::divergence) applies.
    pub fn rule(&self) -> &DivergenceRule {
        &self.rule
    }

    /// The stop, if the last epoch's `record` shows the run diverged ([`DivergenceRule`]: a NaN or
    /// infinite value, a loss stuck at the clamp, weights beyond the bound); `None` if it did not.
    pub fn divergence(&self, record: &EpochRecord) -> Option<Stop> {
        let why = self.rule.check(record, &self.norms_before)?;
        Some(Stop::Diverged {
            epoch: record.epoch,
            loss: record.loss,
            weight_norms: record.weight_norms.clone(),
            why,
        })
    }

    /// The learning rate of the next epochs.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Changes the learning rate from the next epoch on (the optimizer keeps its state, as when
    /// a PyTorch loop sets `param_group["lr"]`); scheduled changes still to come are dropped.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
        self.lr_changes.clear();
    }

    /// Keeps the network's outputs on the test rows after every epoch, for
    /// [`test_outputs`](Self::test_outputs): a classification's test hits are then counted from
    /// them. (A regression keeps them anyway.)
    pub fn keeping_test_outputs(mut self) -> Trainer {
        self.keep_test_outputs = true;
        self
    }

    /// The network's outputs on the test rows after the last epoch, as its record measured them,
    /// for metrics beyond the record such as the playground's test loss of a classification:
    /// empty before the first epoch, and for a classification unless the trainer is
    /// [`keeping_test_outputs`](Self::keeping_test_outputs).
    pub fn test_outputs(&self) -> &Array2<f64> {
        &self.test_outputs
    }

    /// How many epochs have run.
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }

    /// Runs the next epoch and returns its record; [`divergence`](Self::divergence) says whether
    /// it shows the run diverged.
    pub fn epoch(
        &mut self,
        engine: &mut dyn Engine,
        data: &TrainData,
    ) -> Result<EpochRecord, CoreError> {
        Ok(self.epoch_in_place(engine, data)?.clone())
    }

    /// [`epoch`](Self::epoch), its record kept in the trainer (until the next epoch) instead of
    /// copied out: with the fast path on one thread, an epoch then allocates nothing (the test
    /// `crates/nnlab-core/tests/allocations.rs` counts).
    ///
    /// With a full batch and [`TrainAccuracy::AfterUpdate`], the training accuracy after the
    /// update is the accuracy of the next epoch's forward pass: the same weights, the same rows.
    /// So the epoch runs the next epoch's step (forward and backward, not its update) at its end
    /// and counts that pass's hits, and the next epoch starts from it instead of predicting
    /// the training rows a second time: an epoch costs one step, not a step and a prediction.
    /// After the config's last epoch the accuracy comes from a forward pass alone. Between
    /// epochs, change the learning rate as you like, but give new parameters to the engine only
    /// with a new trainer: the step run ahead was computed from the old ones.
    pub fn epoch_in_place(
        &mut self,
        engine: &mut dyn Engine,
        data: &TrainData,
    ) -> Result<&EpochRecord, CoreError> {
        let n = data.y_train.len();
        while let Some(&(at, lr)) = self.lr_changes.first() {
            if at > self.epoch {
                break;
            }
            self.lr = lr;
            self.lr_changes.remove(0);
        }
        let (optimizer, lr) = (&mut self.optimizer, self.lr);
        let size = self.batches.size();
        let (loss, hits) = match self.batches.next_epoch() {
            None => {
                let step = match self.ahead.take() {
                    Some(step) => step, // run at the end of the last epoch
                    None => engine.forward_backward(&data.full_batch())?,
                };
                engine.update(optimizer, lr)?;
                (step.loss, step.hits)
            }
            Some(order) => {
                let (mut loss_sum, mut hits) = (0.0, 0);
                for rows in order.chunks(size) {
                    let batch = self.gathered.gather(&data.x_train, &data.y_train, rows); // X[b], Y[b]
                    let step = engine.train_step(&batch, optimizer, lr)?;
                    loss_sum += step.loss * rows.len() as f64; //   Σ_b loss_b·|b|
                    hits += step.hits;
                }
                (loss_sum / n as f64, hits)
            }
        };
        let train_hits = match self.train_accuracy {
            TrainAccuracy::BeforeUpdate => hits,
            TrainAccuracy::AfterUpdate if !data.task.is_classification() => 0,
            TrainAccuracy::AfterUpdate => self.hits_after_update(engine, data)?,
        };
        self.measure(engine, data, loss, train_hits)?;
        self.epoch += 1;
        Ok(&self.record)
    }

    /// The training rows' hits with the weights of the last update: from the next epoch's step,
    /// run now and kept, for a full batch before the config's last epoch; else from a forward
    /// pass.
    fn hits_after_update(
        &mut self,
        engine: &mut dyn Engine,
        data: &TrainData,
    ) -> Result<usize, CoreError> {
        if self.batches.is_full_batch() && self.epoch + 1 < self.epochs {
            match engine.forward_backward(&data.full_batch()) {
                Ok(step) => {
                    self.ahead = Some(step);
                    return Ok(step.hits);
                }
                // A stop request ([`crate::cancel`]) cut the step short: this epoch is whole, so
                // it is measured as usual, and the next one stops before its step.
                Err(CoreError::Cancelled) => {}
                Err(e) => return Err(e),
            }
        }
        engine.count_hits(&data.x_train, &data.y_train, Some(data.id))
    }

    /// Fills the record of the epoch whose batches gave `loss`: accuracies for a classification
    /// (the training rows' `train_hits`, the test rows' hits counted now), the test loss for a
    /// regression (from the test outputs, which are kept), and the weight norms.
    fn measure(
        &mut self,
        engine: &mut dyn Engine,
        data: &TrainData,
        loss: f64,
        train_hits: usize,
    ) -> Result<(), CoreError> {
        let task = data.task();
        let precision = engine.precision();
        let (x_test, y_test, test_id) = (&data.x_test, &data.y_test, Some(data.test_id));
        if self.keep_test_outputs || !task.is_classification() {
            engine.outputs_into(x_test, test_id, &mut self.test_outputs)?;
        }
        let record = &mut self.record;
        record.epoch = self.epoch;
        record.loss = loss;
        if task.is_classification() {
            let test_hits = if self.keep_test_outputs {
                task.hits(self.test_outputs.view(), y_test.view())
            } else {
                engine.count_hits(x_test, y_test, test_id)?
            };
            record.train_accuracy = Some(fraction(train_hits, data.y_train.len(), precision));
            record.test_accuracy = Some(fraction(test_hits, data.y_test.len(), precision));
            record.test_loss = None;
        } else {
            record.train_accuracy = None;
            record.test_accuracy = None;
            record.test_loss = Some(task.loss(self.test_outputs.view(), data.y_test.view()));
        }
        std::mem::swap(&mut self.norms_before, &mut self.norms);
        engine.weight_norms_into(&mut self.norms);
        record.weight_norms.clear();
        record.weight_norms.extend_from_slice(&self.norms);
        Ok(())
    }
}

/// Trains `engine` on `data` as `config` says, calling `on_epoch` with each epoch's record and
/// the engine after it (return `ControlFlow::Break` to stop early).
pub fn train(
    engine: &mut dyn Engine,
    data: &TrainData,
    config: &TrainConfig,
    train_accuracy: TrainAccuracy,
    mut on_epoch: impl FnMut(&EpochRecord, &dyn Engine) -> ControlFlow<()>,
) -> Result<TrainOutcome, CoreError> {
    let mut trainer = Trainer::new(engine, data, config, train_accuracy)?;
    let mut history = History::default();
    for epoch in 0..config.epochs() {
        let record = match trainer.epoch(engine, data) {
            // A stop asked for during the step ([`crate::cancel`]): the step changed no weight,
            // so the network is as the last whole epoch left it.
            Err(CoreError::Cancelled) => {
                return Ok(TrainOutcome {
                    history,
                    stop: Some(Stop::Interrupted { epochs_done: epoch }),
                })
            }
            other => other?,
        };
        if let Some(stop) = trainer.divergence(&record) {
            return Ok(TrainOutcome {
                history,
                stop: Some(stop),
            });
        }
        let flow = on_epoch(&record, &*engine);
        history.records.push(record);
        if flow.is_break() {
            let stop = Stop::Interrupted {
                epochs_done: epoch + 1,
            };
            return Ok(TrainOutcome {
                history,
                stop: Some(stop),
            });
        }
    }
    Ok(TrainOutcome {
        history,
        stop: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::ShapeBuilder;

    // The gathered rows are select's, for a row-major x and a column-major one, batch after
    // batch in the same buffers (a shorter batch after a longer one included).
    #[test]
    fn gathered_rows_are_selects() {
        let x = Array2::from_shape_fn((7, 3), |(i, j)| (10 * i + j) as f64);
        let y = Array1::from_shape_fn(7, |i| i as f64);
        let mut x_columns = Array2::zeros((7, 3).f()); // the same values, column-major
        x_columns.assign(&x);
        assert!(x_columns.as_slice().is_none());
        let mut gathered = BatchRows::default();
        for rows in [&[6, 0, 3, 3][..], &[2], &[5, 1, 4]] {
            for x in [&x, &x_columns] {
                let batch = gathered.gather(x, &y, rows);
                assert_eq!(batch.x, x.select(Axis(0), rows));
                assert_eq!(batch.y, y.select(Axis(0), rows));
                assert!(batch.x.as_slice().is_some() && batch.source.is_none());
            }
        }
    }

    // A class target is a whole number from 0 to K−1; a regression's is any finite number.
    #[test]
    fn targets_must_fit_the_task() {
        let fits = |task, value: f64| {
            let x = Array2::zeros((2, 1));
            TrainData::with_task(
                x.clone(),
                Array1::from(vec![0.0, value]),
                x,
                Array1::zeros(2),
                task,
            )
            .is_ok()
        };
        let three = Task::Multiclass { classes: 3 };
        for value in [0.0, 1.0, 2.0] {
            assert!(fits(three, value), "{value}");
        }
        for value in [
            0.5,
            2.5,
            1.0 - 1e-16,
            2.0 + 4e-16,
            3.0,
            -1.0,
            -0.5,
            f64::NAN,
            f64::INFINITY,
            1e300,
        ] {
            assert!(!fits(three, value), "{value}");
        }
        assert!(fits(Task::Binary, 1.0) && !fits(Task::Binary, 2.0) && !fits(Task::Binary, 0.25));
        assert!(fits(Task::Regression, -0.25) && !fits(Task::Regression, f64::NAN));
    }
}
