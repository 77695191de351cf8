//! What the network learns: the task decides the output layer, the loss and its gradient, the
//! predictions and the metric.
//!
//! ```text
//! task        outputs (m,K)        loss L (mean over the m rows)             dz_L = ∂ℓᵢ/∂z_L   prediction
//! binary      ŷ = σ(z)     K = 1   binary cross-entropy (loss.rs)             ŷ − y             ŷ > 0.5
//! multiclass  z (logits)   K ≥ 3   softmax cross-entropy (softmax.rs)         softmax(z) − Y    argmax z
//! regression  ŷ = z        K = 1   mean squared error (mse.rs)                2·(ŷ − y)         ŷ
//! ```
//!
//! Targets travel as one float per row: the class index (0., 1., …) or the real value. Y is the
//! one-hot matrix of the class indices. Every dz is per row; the layers divide by m.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::{loss, mse, softmax, Activation, Precision};

/// The class threshold of the binary `predict`: ŷ > 0.5 means class 1.
pub const THRESHOLD: f64 = 0.5;

/// What the network is trained to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Task {
    /// Two classes: one sigmoid unit and binary cross-entropy (the notebook's).
    #[default]
    Binary,
    /// K ≥ 3 classes: K linear units (logits) and softmax cross-entropy (`nn.CrossEntropyLoss`).
    Multiclass { classes: usize },
    /// A real value: one linear unit and mean squared error (`nn.MSELoss`).
    Regression,
}

impl Task {
    /// The task for labels 0..K−1: binary for K ≤ 2, multi-class above.
    pub fn for_classes(classes: usize) -> Task {
        if classes <= 2 {
            Task::Binary
        } else {
            Task::Multiclass { classes }
        }
    }

    /// The output layer's width K.
    pub fn outputs(self) -> usize {
        match self {
            Task::Multiclass { classes } => classes,
            Task::Binary | Task::Regression => 1,
        }
    }

    /// The number of classes, or `None` for a regression.
    pub fn classes(self) -> Option<usize> {
        match self {
            Task::Binary => Some(2),
            Task::Multiclass { classes } => Some(classes),
            Task::Regression => None,
        }
    }

    /// Whether the task predicts classes (and so has an accuracy).
    pub fn is_classification(self) -> bool {
        self != Task::Regression
    }

    /// The output layer's activation: σ for binary, none (logits, values) otherwise.
    pub fn output_activation(self) -> Activation {
        match self {
            Task::Binary => Activation::Sigmoid,
            Task::Multiclass { .. } | Task::Regression => Activation::Linear,
        }
    }

    /// The kind's name, as `--task` takes it.
    pub fn kind(self) -> TaskKind {
        match self {
            Task::Binary => TaskKind::Binary,
            Task::Multiclass { .. } => TaskKind::Multiclass,
            Task::Regression => TaskKind::Regression,
        }
    }

    /// The mean loss of `outputs` (m,K) against `y` (m): the task's L.
    pub fn loss(self, outputs: ArrayView2<f64>, y: ArrayView1<f64>) -> f64 {
        match self {
            Task::Binary => loss::binary_cross_entropy(y, outputs.column(0)),
            Task::Multiclass { .. } => softmax::cross_entropy(outputs, y),
            Task::Regression => mse::mean_squared_error(outputs.column(0), y),
        }
    }

    /// dz_L, the per-row gradient of the loss at the output layer's pre-activation, (m,K).
    pub fn output_gradient(self, outputs: ArrayView2<f64>, y: ArrayView1<f64>) -> Array2<f64> {
        match self {
            Task::Binary => loss::output_gradient(y, outputs.column(0)),
            Task::Multiclass { .. } => softmax::output_gradient(outputs, y),
            Task::Regression => mse::output_gradient(outputs.column(0), y),
        }
    }

    /// The predicted class of every row (ŷ > 0.5; the first largest logit); empty for regression.
    pub fn predict(self, outputs: ArrayView2<f64>) -> Vec<usize> {
        match self {
            Task::Binary => outputs
                .column(0)
                .iter()
                .map(|&p| usize::from(p > THRESHOLD))
                .collect(),
            Task::Multiclass { .. } => outputs.rows().into_iter().map(argmax).collect(),
            Task::Regression => Vec::new(),
        }
    }

    /// How many rows are predicted right (0 for a regression), as [`predict`](Self::predict)
    /// predicts them (counted without making the list: the training loop calls this every epoch).
    pub fn hits(self, outputs: ArrayView2<f64>, y: ArrayView1<f64>) -> usize {
        let class_of = |row: ArrayView1<f64>| match self {
            Task::Binary => usize::from(row[0] > THRESHOLD),
            Task::Multiclass { .. } => argmax(row),
            Task::Regression => unreachable!("a regression has no classes"),
        };
        match self {
            Task::Regression => return 0,
            // one column: a plain loop over it (over slices where the arrays are contiguous),
            // counted without branches, so that it vectorises (the rows iterator below does
            // not), for the test rows of every epoch
            Task::Binary if outputs.ncols() == 1 => {
                let hit =
                    |(&p, &y): (&f64, &f64)| usize::from(f64::from(u8::from(p > THRESHOLD)) == y);
                return match (outputs.as_slice(), y.as_slice()) {
                    (Some(p), Some(y)) => p.iter().zip(y).map(hit).sum(),
                    _ => outputs.column(0).iter().zip(y).map(hit).sum(),
                };
            }
            _ => {}
        }
        outputs
            .rows()
            .into_iter()
            .zip(y)
            .filter(|&(row, &y)| class_of(row) as f64 == y)
            .count()
    }

    /// The probability the figures show for every row: P(class 1) for binary, the winning class's
    /// softmax probability for multi-class, the predicted value for a regression.
    pub fn scores(self, outputs: ArrayView2<f64>) -> Array1<f64> {
        match self {
            Task::Binary | Task::Regression => outputs.column(0).to_owned(),
            Task::Multiclass { .. } => softmax::softmax(outputs)
                .map_axis(Axis(1), |row| row.fold(f64::NEG_INFINITY, |a, &b| a.max(b))),
        }
    }
}

/// The index of the largest value, the first one on ties (`torch.argmax`, `np.argmax`).
pub fn argmax(row: ArrayView1<f64>) -> usize {
    let mut best = 0;
    for (j, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = j;
        }
    }
    best
}

/// The fraction of `hits` in `rows`, computed in `precision` (PyTorch's float32 mean of 435 hits
/// in 800 is 0.54374999, printed 0.5437, not 0.5438).
pub fn fraction(hits: usize, rows: usize, precision: Precision) -> f64 {
    match precision {
        Precision::F64 => hits as f64 / rows as f64,
        Precision::F32 => f64::from(hits as f32 / rows as f32),
    }
}

/// A task as `--task` names it, before the number of classes is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    Binary,
    Multiclass,
    Regression,
}

impl TaskKind {
    pub const ALL: [TaskKind; 3] = [TaskKind::Binary, TaskKind::Multiclass, TaskKind::Regression];

    pub fn name(self) -> &'static str {
        match self {
            TaskKind::Binary => "binary",
            TaskKind::Multiclass => "multiclass",
            TaskKind::Regression => "regression",
        }
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TaskKind {
    type Err = String;

    fn from_str(text: &str) -> Result<TaskKind, String> {
        TaskKind::ALL
            .into_iter()
            .find(|t| t.name() == text)
            .ok_or_else(|| {
                format!("unknown task {text:?}: choose binary, multiclass or regression")
            })
    }
}
