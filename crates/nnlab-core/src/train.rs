//! The training loop: the notebook's `for epoch in range(EPOCHS)` cell, for any [`Engine`].
//!
//! Each epoch: one full-batch step (its loss comes from the forward pass before the update), then
//! the accuracies and weight norms. The notebook's two sections differ in one place, and
//! [`TrainAccuracy`] says which to follow: its numpy loop predicts the training rows again after
//! the update; its PyTorch loop reuses the step's own forward pass, made before the update.

use std::ops::ControlFlow;

use ndarray::{Array1, Array2};

use crate::engine::Precision;
use crate::{CoreError, Engine, EpochRecord, History, TrainConfig};

/// The class threshold of `predict`: ŷ > 0.5 means class 1.
pub const THRESHOLD: f64 = 0.5;

/// The training and test rows, with 0/1 targets as floats.
#[derive(Clone, Debug)]
pub struct TrainData {
    pub x_train: Array2<f64>,
    pub y_train: Array1<f64>,
    pub x_test: Array2<f64>,
    pub y_test: Array1<f64>,
}

impl TrainData {
    /// Pairs features with their labels, which must all be 0 or 1.
    pub fn new(
        x_train: Array2<f64>,
        labels_train: &[usize],
        x_test: Array2<f64>,
        labels_test: &[usize],
    ) -> Result<TrainData, CoreError> {
        let targets = |x: &Array2<f64>, labels: &[usize], what: &str| {
            if x.nrows() != labels.len() || x.nrows() == 0 {
                return Err(CoreError::ShapeMismatch {
                    what: what.to_string(),
                    expected: format!("one label per row, at least one row ({} rows)", x.nrows()),
                    got: format!("{} labels", labels.len()),
                });
            }
            match labels.iter().find(|&&label| label > 1) {
                Some(&label) => Err(CoreError::NotBinary { label }),
                None => Ok(labels
                    .iter()
                    .map(|&label| label as f64)
                    .collect::<Array1<f64>>()),
            }
        };
        let y_train = targets(&x_train, labels_train, "training rows")?;
        let y_test = targets(&x_test, labels_test, "test rows")?;
        if x_train.ncols() != x_test.ncols() {
            return Err(CoreError::ShapeMismatch {
                what: "test features".into(),
                expected: format!("{} columns like the training rows", x_train.ncols()),
                got: format!("{} columns", x_test.ncols()),
            });
        }
        Ok(TrainData {
            x_train,
            y_train,
            x_test,
            y_test,
        })
    }
}

/// Which predictions the training accuracy is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrainAccuracy {
    /// Predict the training rows again after the update (the notebook's numpy loop).
    AfterUpdate,
    /// Use the step's forward pass, made before the update (the notebook's PyTorch loop).
    BeforeUpdate,
}

/// Why training ended before its last epoch.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// The loss or a weight norm became NaN or infinite at this epoch; it is not in the history.
    Diverged {
        epoch: usize,
        loss: f64,
        weight_norms: Vec<f64>,
    },
    /// The caller asked to stop after this many epochs.
    Interrupted { epochs_done: usize },
}

/// The history of the epochs that ran, and why training stopped early, if it did.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainOutcome {
    pub history: History,
    pub stop: Option<Stop>,
}

/// The fraction of rows whose prediction (ŷ > 0.5) equals the target, computed in `precision`.
pub fn accuracy(probabilities: &Array1<f64>, y: &Array1<f64>, precision: Precision) -> f64 {
    let correct = probabilities
        .iter()
        .zip(y)
        .filter(|&(&p, &y)| f64::from(u8::from(p > THRESHOLD)) == y)
        .count();
    match precision {
        Precision::F64 => correct as f64 / y.len() as f64,
        Precision::F32 => f64::from(correct as f32 / y.len() as f32),
    }
}

/// Trains `engine` on `data` for `config.epochs()` epochs, calling `on_epoch` after each one
/// (return `ControlFlow::Break` to stop early).
pub fn train(
    engine: &mut dyn Engine,
    data: &TrainData,
    config: &TrainConfig,
    train_accuracy: TrainAccuracy,
    mut on_epoch: impl FnMut(&EpochRecord) -> ControlFlow<()>,
) -> Result<TrainOutcome, CoreError> {
    let mut history = History::default();
    for epoch in 0..config.epochs() {
        let step = engine.train_step(&data.x_train, &data.y_train, config.lr())?;
        let train_probabilities = match train_accuracy {
            TrainAccuracy::AfterUpdate => engine.probabilities(&data.x_train)?,
            TrainAccuracy::BeforeUpdate => step.probabilities,
        };
        let record = EpochRecord {
            epoch,
            loss: step.loss,
            train_accuracy: accuracy(&train_probabilities, &data.y_train, engine.precision()),
            test_accuracy: accuracy(
                &engine.probabilities(&data.x_test)?,
                &data.y_test,
                engine.precision(),
            ),
            weight_norms: engine.weight_norms(),
        };
        if !record.loss.is_finite() || record.weight_norms.iter().any(|n| !n.is_finite()) {
            let stop = Stop::Diverged {
                epoch,
                loss: record.loss,
                weight_norms: record.weight_norms,
            };
            return Ok(TrainOutcome {
                history,
                stop: Some(stop),
            });
        }
        let flow = on_epoch(&record);
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
