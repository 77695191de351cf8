//! `nnlab explain`: one training step of a run's settings, taken apart on a few training rows.
//!
//! Every number comes from the readable engine itself ([`Mlp::forward`],
//! [`Mlp::backward_trace`], [`ManualEngine::update`] with the run's [`Optimizer`]), in f64, from
//! the initial weights the run would start from (the same seed gives the same W as `nnlab train`'s
//! epoch 0). On top of them, [`explain`] checks every gradient against central finite
//! differences of the same loss:
//!
//! ```text
//! fd = (L(θ + ε) − L(θ − ε)) / (2ε)         one parameter θ moved, ε = 1e-5
//! relative error = |g − fd| / max(|g|, |fd|, 1e-4 · max(1, |L|))
//! ```
//!
//! ε = 1e-5 balances the two errors of a central difference in f64: the curvature's, about
//! ε²·L‴/6, and rounding's, about 1e-16·L/ε; together some 1e-10 at most on the test grid
//! (with ε = 1e-6 rounding alone reached 1.4e-9). So a gradient is only known to about 1e-10 this
//! way, and the floor of 1e-4 keeps two gradients that are both nearly 0 from counting as far
//! apart: below it, the absolute difference (times 1e4) is what is measured. Rounding scales with
//! L, so past a loss of 1 the bound is about 1e-10·L and the floor 1e-4·L ([`fd_floor`]): on a
//! regression whose targets are in the thousands (L about 1e7) a finite difference is good only
//! to about 1e-4 to 1e-3.
//!
//! The loss and the gradients are the mean over the m chosen rows, as a batch of those m rows
//! would make them. [`render`](mod@render) writes the explanation as text or Markdown.

pub mod render;

use ndarray::{Array1, Array2, Axis};
use nnlab_core::layer::Dense;
use nnlab_core::mlp::{ForwardPass, LayerBackward};
use nnlab_core::optim::{Rule, TensorState};
use nnlab_core::{
    Batch, Engine, ManualEngine, Mlp, ModelSpec, Optimizer, OptimizerConfig, Parameter, Task,
};

use crate::config::{Prepared, RunConfig};
use crate::engines::initial_parameters;
use crate::options::{DtypeArg, EngineKind};
use crate::{usage, Result};

/// The rows `--rows` may choose: 1 to 5 (the default is the first 4 training rows).
pub const MAX_ROWS: usize = 5;

/// The rows explained when `--rows` is not given: the first four training rows.
pub const DEFAULT_ROWS: [usize; 4] = [0, 1, 2, 3];

/// ε of the central finite differences (see the module's docs for the choice).
pub const FD_EPSILON: f64 = 1e-5;

/// The smallest denominator of the relative error for a loss up to 1 (above it, [`fd_floor`]),
/// so that two gradients both within the finite difference's error (about 1e-10) of zero do not
/// count as far apart.
pub const FD_FLOOR: f64 = 1e-4;

/// The most parameters a net may have to be explained: every one is printed and checked.
pub const MAX_PARAMETERS: usize = 10_000;

/// One training step, every intermediate kept.
#[derive(Clone, Debug)]
pub struct Explanation {
    pub spec: ModelSpec,
    /// The chosen rows, as indices into the training rows (after the split).
    pub rows: Vec<usize>,
    /// The same rows' places in the data before the split (`nnlab data`'s line numbers, 0-based).
    pub data_rows: Vec<usize>,
    /// How many training rows there are.
    pub train_rows: usize,
    /// The names of the network's inputs (x0, x1, or the `--inputs` features).
    pub input_names: Vec<String>,
    /// X, the chosen rows as the network sees them (scaled), (m, n_in).
    pub x: Array2<f64>,
    /// Their targets: class indices, or values.
    pub y: Array1<f64>,
    /// The weights before the step.
    pub before: Mlp,
    /// The forward pass: z of every layer, its input, and the output layer.
    pub forward: ForwardPass,
    /// softmax(z_L) for a multi-class task.
    pub probabilities: Option<Array2<f64>>,
    /// ℓᵢ, each row's own loss, (m).
    pub row_losses: Array1<f64>,
    /// L, their mean.
    pub loss: f64,
    /// Every layer's dz, dW, db and dx, input side first.
    pub backward: Vec<LayerBackward>,
    /// The finite-difference check, one tensor per entry: W₁, b₁, W₂, b₂, …
    pub checks: Vec<TensorCheck>,
    /// The step: the learning rate, the rule, and every tensor before and after.
    pub update: Update,
    /// Lines that describe the run (network, optimizer, data, split and weights).
    pub settings: Vec<String>,
    /// What differs from `nnlab train`'s own first step, in words.
    pub notes: Vec<String>,
}

/// Which tensor: layer l's (0-based) weights or bias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorId {
    pub layer: usize,
    pub is_weight: bool,
}

/// One gradient tensor against its finite differences.
#[derive(Clone, Debug)]
pub struct TensorCheck {
    pub tensor: TensorId,
    /// The engine's gradient, shaped as the parameter (a bias as one row).
    pub gradient: Array2<f64>,
    /// The central finite differences, the same shape.
    pub finite_difference: Array2<f64>,
    /// |g − fd| / max(|g|, |fd|, [`fd_floor`] of the loss), the same shape.
    pub relative_error: Array2<f64>,
}

impl TensorCheck {
    /// The largest relative error and where it is.
    pub fn worst(&self) -> (f64, (usize, usize)) {
        let mut worst = (0.0, (0, 0));
        for (index, &e) in self.relative_error.indexed_iter() {
            if e > worst.0 || e.is_nan() {
                worst = (e, index);
            }
        }
        worst
    }
}

/// The optimizer's step.
#[derive(Clone, Debug)]
pub struct Update {
    /// The learning rate of the first epoch.
    pub lr: f64,
    pub optimizer: OptimizerConfig,
    /// One per tensor, in the engine's order: W₁, b₁, W₂, b₂, …
    pub tensors: Vec<TensorUpdate>,
    /// L on the same rows with the weights after the step (penalties not included, as in L).
    pub loss_after: f64,
}

/// One tensor's step.
#[derive(Clone, Debug)]
pub struct TensorUpdate {
    pub tensor: TensorId,
    /// θ before.
    pub before: Array2<f64>,
    /// g, the gradient the rule takes: the data's, plus the penalties and the coupled weight
    /// decay that apply to this tensor.
    pub gradient: Array2<f64>,
    /// Whether `gradient` differs from the data's gradient (a penalty or decay applied).
    pub penalised: bool,
    /// The rule's state after the step (momentum buffer, or Adam's m and v), shaped as θ.
    pub first: Option<Array2<f64>>,
    pub second: Option<Array2<f64>>,
    /// θ after.
    pub after: Array2<f64>,
}

/// Explains one training step of `settings` on training rows `rows` of `prepared`.
pub fn explain(settings: &RunConfig, prepared: &Prepared, rows: &[usize]) -> Result<Explanation> {
    let train_rows = prepared.train.x_train().nrows();
    check_rows(rows, train_rows)?;
    let config = settings.train_config()?;
    let spec = settings.model_spec(prepared.dataset.n_features(), prepared.train.task())?;
    let count: usize = spec
        .layer_sizes()
        .iter()
        .map(|&(n_in, n_out)| n_in * n_out + n_out)
        .sum();
    if count > MAX_PARAMETERS {
        return Err(usage(format!(
            "a {} net has {count} parameters; explain prints and checks every one, so it takes nets of at most {MAX_PARAMETERS} (try --hidden 8)",
            spec.describe()
        )));
    }
    let parameters = initial_parameters(settings, &spec)?;
    let before = Mlp::from_parameters(&spec, &parameters)
        .map_err(|e| usage(format!("the initial weights: {e}")))?;
    let task = spec.task();

    let x = prepared.train.x_train().select(Axis(0), rows);
    let y = prepared.train.y_train().select(Axis(0), rows);
    let forward = before.forward(&x); //                          z_l, a_l of every layer
    let loss = task.loss(forward.output.view(), y.view()); //   L
    let row_losses = (0..rows.len())
        .map(|i| {
            let row = forward.output.select(Axis(0), &[i]);
            task.loss(row.view(), y.slice(ndarray::s![i..=i]))
        })
        .collect();
    let backward = before.backward_trace(&forward, y.view(), task); // dz, dW, db, dx
    let probabilities = match task {
        Task::Multiclass { .. } => Some(nnlab_core::softmax::softmax(forward.output.view())),
        Task::Binary | Task::Regression => None,
    };
    let checks = finite_differences(&before, &backward, &x, &y, task, fd_floor(loss));

    let lr = config
        .lr_changes()
        .first()
        .filter(|&&(epoch, _)| epoch == 0)
        .map_or(config.lr(), |&(_, lr)| lr);
    let update = step(&spec, &before, &x, &y, *config.optimizer(), lr)?;

    let described = settings.describe(&spec, prepared, nnlab_plot::Lang::En);
    let these = match rows.len() {
        1 => "the 1 row chosen here, so its numbers are that row's".to_string(),
        m => format!("the {m} rows chosen here, so its numbers are the mean over those {m} rows"),
    };
    let mut notes = vec![match config.batch_size() {
        Some(size) => format!(
            "nnlab train's first step takes a batch of {} shuffled rows; this one takes {these}.",
            size.min(train_rows),
        ),
        None => format!(
            "nnlab train's first step takes all {train_rows} training rows at once; this one takes {these}."
        ),
    }];
    if settings.engine == EngineKind::Autograd || settings.dtype == DtypeArg::F32 {
        let engine = match settings.engine {
            EngineKind::Manual => "the hand-written engine's fast path",
            EngineKind::Autograd => "the autograd engine",
        };
        let dtype = match settings.dtype {
            DtypeArg::F32 => "f32",
            DtypeArg::F64 => "f64",
        };
        notes.push(format!(
            "The run trains on {engine} in {dtype}; explain computes the same step on the readable engine in f64, from the same initial weights."
        ));
    }
    let input_names = match &settings.inputs {
        Some(names) => names.clone(),
        None => (0..spec.input_size()).map(|j| format!("x{j}")).collect(),
    };
    Ok(Explanation {
        rows: rows.to_vec(),
        data_rows: rows.iter().map(|&i| prepared.split.train[i]).collect(),
        train_rows,
        input_names,
        x,
        y,
        before,
        forward,
        probabilities,
        row_losses,
        loss,
        backward,
        checks,
        update,
        settings: vec![
            format!(
                "network {} ({} hidden, {}), readable engine in f64",
                spec.describe(),
                spec.describe_activations(),
                task_words(task)
            ),
            format!("optimizer {}, lr {lr}", config.optimizer().describe()),
            described.get(2).cloned().unwrap_or_default(),
            described.get(3).cloned().unwrap_or_default(),
        ],
        notes,
        spec,
    })
}

/// The task's output layer and loss, in words.
pub fn task_words(task: Task) -> String {
    match task {
        Task::Binary => "one sigmoid output, binary cross-entropy".into(),
        Task::Multiclass { classes } => {
            format!("{classes} logits, softmax cross-entropy")
        }
        Task::Regression => "one linear output, mean squared error".into(),
    }
}

/// Refuses an empty list, too many rows, a row past the training rows, or one given twice.
fn check_rows(rows: &[usize], train_rows: usize) -> Result<()> {
    let list: Vec<String> = rows.iter().map(usize::to_string).collect();
    let list = list.join(",");
    if rows.is_empty() || rows.len() > MAX_ROWS {
        return Err(usage(format!(
            "--rows {list}: give 1 to {MAX_ROWS} training rows, e.g. --rows 0,5,17 ({} given)",
            rows.len()
        )));
    }
    if let Some(&row) = rows.iter().find(|&&row| row >= train_rows) {
        return Err(usage(format!(
            "--rows {list}: there is no training row {row}; the training rows are 0 to {}",
            train_rows.saturating_sub(1)
        )));
    }
    for (i, row) in rows.iter().enumerate() {
        if rows[..i].contains(row) {
            return Err(usage(format!(
                "--rows {list}: row {row} is given twice; give each row once"
            )));
        }
    }
    Ok(())
}

/// Central finite differences of the mean loss for every parameter, beside the engine's
/// gradients, their relative errors with `floor` ([`fd_floor`] of the loss).
fn finite_differences(
    mlp: &Mlp,
    backward: &[LayerBackward],
    x: &Array2<f64>,
    y: &Array1<f64>,
    task: Task,
    floor: f64,
) -> Vec<TensorCheck> {
    let mut moved = mlp.clone();
    let mut loss_at = |layer: usize, is_weight: bool, index: (usize, usize), value: f64| {
        let dense: &mut Dense = &mut moved.layers[layer];
        let theta = if is_weight {
            &mut dense.w[index]
        } else {
            &mut dense.b[index.1]
        };
        let saved = *theta;
        *theta = value;
        let loss = task.loss(moved.forward(x).output.view(), y.view());
        let dense: &mut Dense = &mut moved.layers[layer];
        if is_weight {
            dense.w[index] = saved;
        } else {
            dense.b[index.1] = saved;
        }
        loss
    };
    let mut checks = Vec::new();
    for (layer, (dense, trace)) in mlp.layers.iter().zip(backward).enumerate() {
        for is_weight in [true, false] {
            let (theta, gradient) = if is_weight {
                (dense.w.clone(), trace.grads.dw.clone())
            } else {
                (
                    dense.b.clone().insert_axis(Axis(0)),
                    trace.grads.db.clone().insert_axis(Axis(0)),
                )
            };
            let mut fd = Array2::zeros(theta.dim());
            for (index, &value) in theta.indexed_iter() {
                let up = loss_at(layer, is_weight, index, value + FD_EPSILON);
                let down = loss_at(layer, is_weight, index, value - FD_EPSILON);
                fd[index] = (up - down) / (2.0 * FD_EPSILON);
            }
            let relative_error = ndarray::Zip::from(&gradient)
                .and(&fd)
                .map_collect(|&g, &fd| relative_error(g, fd, floor));
            checks.push(TensorCheck {
                tensor: TensorId { layer, is_weight },
                gradient,
                finite_difference: fd,
                relative_error,
            });
        }
    }
    checks
}

/// The relative error's floor for a loss of `loss`: [`FD_FLOOR`] × max(1, |L|). Each L comes out
/// of the forward pass rounded by a few times 1e-16·L, and the difference divides that by 2ε =
/// 2e-5: rounding alone leaves a finite difference good to some 1e-11·L, and 1e-10·L bounds it
/// with the curvature's error (as measured at L ≈ 1). On a loss of 2.6e7 (a regression on targets
/// in the thousands) that is 2.6e-3, so gradients below 1e-4·L are judged by their difference.
pub fn fd_floor(loss: f64) -> f64 {
    FD_FLOOR * loss.abs().max(1.0)
}

/// |g − fd| / max(|g|, |fd|, `floor`) (the floor from [`fd_floor`]).
pub fn relative_error(g: f64, fd: f64, floor: f64) -> f64 {
    (g - fd).abs() / g.abs().max(fd.abs()).max(floor)
}

/// The step itself, by the engine and the run's optimizer: forward and backward on the rows,
/// then the update.
fn step(
    spec: &ModelSpec,
    before: &Mlp,
    x: &Array2<f64>,
    y: &Array1<f64>,
    config: OptimizerConfig,
    lr: f64,
) -> Result<Update> {
    let mut engine = ManualEngine::new(spec.clone(), before.clone())?;
    engine.forward_backward(&Batch::new(x.view(), y.view()))?;
    let gradients = engine.gradients();
    let mut optimizer = Optimizer::new(config);
    engine.update(&mut optimizer, lr)?;
    let after = engine.mlp();
    let loss_after = spec.task().loss(after.forward(x).output.view(), y.view());
    let (l1, l2) = config.penalties();
    let decay = match config.rule() {
        Rule::Sgd(sgd) => sgd.weight_decay,
        Rule::Adam(adam) if !adam.decoupled => adam.weight_decay,
        Rule::Adam(_) => 0.0, // AdamW decays θ itself, not the gradient
    };
    let mut tensors = Vec::new();
    for (layer, (dense, new)) in before.layers.iter().zip(&after.layers).enumerate() {
        for is_weight in [true, false] {
            let tensor = TensorId { layer, is_weight };
            let slot = tensors.len();
            let (theta, theta_after) = if is_weight {
                (dense.w.clone(), new.w.clone())
            } else {
                (
                    dense.b.clone().insert_axis(Axis(0)),
                    new.b.clone().insert_axis(Axis(0)),
                )
            };
            let gradient = engine_layout(&gradients[slot], theta.dim());
            let mut g = gradient.clone();
            if is_weight {
                g.zip_mut_with(&theta, |g, &w| {
                    if l1 > 0.0 {
                        *g += l1 * sign(w);
                    }
                    if l2 > 0.0 {
                        *g += l2 * w;
                    }
                });
            }
            if decay != 0.0 {
                g.zip_mut_with(&theta, |g, &w| *g += decay * w);
            }
            let state: &TensorState = &optimizer.state()[slot];
            let dim = theta.dim();
            let shaped = |values: &Vec<f64>| {
                (!values.is_empty()).then(|| {
                    Array2::from_shape_vec(dim, values.clone())
                        .expect("the state has one value per parameter")
                })
            };
            tensors.push(TensorUpdate {
                tensor,
                penalised: g != gradient,
                before: theta,
                gradient: g,
                first: shaped(&state.first),
                second: shaped(&state.second),
                after: theta_after,
            });
        }
    }
    Ok(Update {
        lr,
        optimizer: config,
        tensors,
        loss_after,
    })
}

/// sign(w), 0 at 0, as the L1 penalty takes it.
fn sign(w: f64) -> f64 {
    if w > 0.0 {
        1.0
    } else if w < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// A gradient from [`Engine::gradients`] (PyTorch's (out, in) layout) as the readable engine
/// holds it: W as (n_in, n_out), b as one row.
pub fn engine_layout(parameter: &Parameter, dim: (usize, usize)) -> Array2<f64> {
    match parameter.shape[..] {
        [n_out, n_in] => Array2::from_shape_vec((n_out, n_in), parameter.values.clone())
            .expect("the shape is the values'")
            .reversed_axes()
            .as_standard_layout()
            .into_owned(),
        _ => Array2::from_shape_vec(dim, parameter.values.clone()).expect("one row of biases"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_checked_with_the_flag_named() {
        let message = |rows: &[usize]| check_rows(rows, 800).unwrap_err().to_string();
        assert!(message(&[0, 800]).contains(
            "--rows 0,800: there is no training row 800; the training rows are 0 to 799"
        ));
        assert!(message(&[]).contains("--rows"));
        assert!(message(&[1, 2, 3, 4, 5, 6]).contains("1 to 5"));
        assert!(message(&[3, 3]).contains("row 3 is given twice"));
        assert!(check_rows(&[0, 5, 17], 800).is_ok());
    }

    #[test]
    fn the_relative_error_has_a_floor() {
        assert_eq!(relative_error(0.0, 0.0, FD_FLOOR), 0.0);
        assert_eq!(relative_error(1e-20, -1e-20, FD_FLOOR), 2e-20 / FD_FLOOR);
        assert_eq!(relative_error(2.0, 1.0, FD_FLOOR), 0.5);
        // the floor is 1e-4 up to a loss of 1, then 1e-4 of the loss (a NaN loss: 1e-4)
        assert_eq!(fd_floor(0.5), FD_FLOOR);
        assert_eq!(fd_floor(-3.0), 3.0 * FD_FLOOR);
        assert_eq!(fd_floor(f64::NAN), FD_FLOOR);
        assert_eq!(
            relative_error(10.0, 10.5, fd_floor(1e7)),
            0.5 / (FD_FLOOR * 1e7)
        );
    }
}
