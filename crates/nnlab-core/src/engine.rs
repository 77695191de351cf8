//! The seam between the engines: everything the training loop, the CLI and the figures need from a
//! model, whether its gradients are written by hand or computed by autograd.
//!
//! An engine computes; it does not decide how to learn. One training step is
//!
//! ```text
//! engine.forward_backward(batch)        forward, the loss, backward: ∇θ kept in the engine
//! engine.update(optimizer, lr)          the optimizer turns ∇θ into the update (optim/)
//! ```
//!
//! Parameters travel in PyTorch's layout for the notebook's `nn.Sequential` module, so that a saved
//! model loads into `Linear_NN_torch` with `load_state_dict`: layer l (0-based) is
//! `network.{2l}.weight` with shape (n_out, n_in) and `network.{2l}.bias` with shape (n_out).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::optim::Optimizer;
use crate::{CoreError, Mlp, ModelSpec, Task};

/// One named tensor, row-major, in PyTorch's layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Vec<f64>,
}

/// The name of layer `layer`'s weight (`"weight"`) or bias (`"bias"`) in the notebook's module.
pub fn parameter_name(layer: usize, kind: &str) -> String {
    format!("network.{}.{kind}", 2 * layer)
}

/// The rows of one training step: features (m, n_in) and one target per row (a class index as a
/// float, or a real value).
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    pub x: ArrayView2<'a, f64>,
    pub y: ArrayView1<'a, f64>,
    /// `Some(id)` when these are all the rows of the [`crate::TrainData`] with that id, unchanged:
    /// an engine may then reuse what it derived from them last time (the f32 fast path's copy).
    pub source: Option<u64>,
    /// Whether a stop request ([`crate::cancel`]) may end the step before its update: true for
    /// a full batch, whose epoch has changed no weight yet; a mini-batch step runs to its end, so
    /// that an epoch is never left half applied.
    pub may_stop: bool,
}

impl<'a> Batch<'a> {
    /// Any rows (gathered for this step: nothing may be reused).
    pub fn new(x: ArrayView2<'a, f64>, y: ArrayView1<'a, f64>) -> Batch<'a> {
        Batch {
            x,
            y,
            source: None,
            may_stop: false,
        }
    }
}

/// What one forward pass reports: its loss (the mean over the batch's rows) and how many of those
/// rows it predicted right (0 for a regression), both before the update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub loss: f64,
    pub hits: usize,
}

/// The floating-point type an engine computes in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    F32,
    #[default]
    F64,
}

/// A trainable MLP. `Send`, so that a server can train it on a thread of its own.
pub trait Engine: Send {
    /// A short name for messages and files ("manual", "autograd").
    fn name(&self) -> &'static str;

    /// Which code computes: the engine, its path and kernel, the precision, the threads or the
    /// device, in words a person reads ("hand-written engine, fast path, AVX2 kernel, f64, 1
    /// thread"). Commands print it and run.json records it.
    fn implementation(&self) -> String;

    /// The network's shape and task.
    fn spec(&self) -> &ModelSpec;

    /// Forward on the batch, the task's loss, backward: ∇θ of the mean loss for every parameter,
    /// kept for [`update`](Self::update) and [`gradients`](Self::gradients). Nothing is updated.
    fn forward_backward(&mut self, batch: &Batch<'_>) -> Result<Step, CoreError>;

    /// Hands every parameter and its gradient from the last `forward_backward` to `optimizer`.
    fn update(&mut self, optimizer: &mut Optimizer, lr: f64) -> Result<(), CoreError>;

    /// The gradients of the last `forward_backward`, named and shaped as the parameters.
    fn gradients(&self) -> Vec<Parameter>;

    /// The output layer for every row of x, (m, K): ŷ = P(class 1) for binary, the logits for
    /// multi-class, the predicted value for a regression.
    fn outputs(&self, x: &Array2<f64>) -> Result<Array2<f64>, CoreError>;

    /// [`outputs`](Self::outputs) written into `out`, which is reshaped only when its shape is
    /// not (m, K): the training loop measures a regression's test rows this way every epoch, and
    /// an engine that can predict without allocating overrides it (the fast path does). `source`
    /// marks rows that are the same every time, as [`Batch::source`] does, so that an engine may
    /// keep what it converted from them (the f32 fast path's copy of the rows).
    fn outputs_into(
        &mut self,
        x: &Array2<f64>,
        source: Option<u64>,
        out: &mut Array2<f64>,
    ) -> Result<(), CoreError> {
        let _ = source; // nothing kept: the outputs are computed afresh
        *out = self.outputs(x)?;
        Ok(())
    }

    /// How many rows of x the network predicts right (0 for a regression): the count behind the
    /// training accuracy after an update and behind the test accuracy of every epoch. An engine
    /// may count without bringing every output back (the autograd engine counts on its device).
    /// `source` as in [`outputs_into`](Self::outputs_into).
    fn count_hits(
        &mut self,
        x: &Array2<f64>,
        y: &Array1<f64>,
        source: Option<u64>,
    ) -> Result<usize, CoreError> {
        let _ = source;
        Ok(self.spec().task().hits(self.outputs(x)?.view(), y.view()))
    }

    /// Every parameter, named as in PyTorch (see the module docs), input side first.
    fn parameters(&self) -> Vec<Parameter>;

    /// Replaces every parameter; names and shapes must be those of [`parameters`](Self::parameters).
    /// The optimizer's state is not the engine's, so it is kept.
    fn set_parameters(&mut self, parameters: &[Parameter]) -> Result<(), CoreError>;

    /// ‖W‖ (Frobenius) of every layer's weights, input side first.
    fn weight_norms(&self) -> Vec<f64>;

    /// [`weight_norms`](Self::weight_norms) written into `norms` (its buffer reused where the
    /// engine overrides this).
    fn weight_norms_into(&self, norms: &mut Vec<f64>) {
        *norms = self.weight_norms();
    }

    /// The precision it computes in; accuracies are reported in it, as the framework would
    /// (PyTorch's float32 mean of 435 hits in 800 is 0.54374999, printed 0.5437, not 0.5438).
    fn precision(&self) -> Precision {
        Precision::F64
    }

    /// The most the task's loss can cost for one row in this engine — the clamp that keeps its
    /// log finite — or `None` where the loss has no such ceiling. A mean loss near it means rows
    /// predicted wrong with certainty (see [`crate::train::DivergenceRule`]).
    ///
    /// The hand-written engine's binary cross-entropy clips ŷ to [1e-12, 1 − 1e-12]
    /// ([`crate::loss::EPSILON`]), so one row costs at most −ln(1e-12) ≈ 27.63 (in f64 and in its
    /// f32 fast path alike). Its softmax cross-entropy (a log-sum-exp) and mean squared error have
    /// no ceiling.
    fn loss_ceiling(&self) -> Option<f64> {
        match self.spec().task() {
            Task::Binary => Some(-crate::loss::EPSILON.ln()),
            Task::Multiclass { .. } | Task::Regression => None,
        }
    }

    /// One whole step: `forward_backward`, then `update`.
    fn train_step(
        &mut self,
        batch: &Batch<'_>,
        optimizer: &mut Optimizer,
        lr: f64,
    ) -> Result<Step, CoreError> {
        let step = self.forward_backward(batch)?;
        self.update(optimizer, lr)?;
        Ok(step)
    }

    /// What the figures show for every row: P(class 1) for binary, the winning class's
    /// probability for multi-class, the predicted value for a regression.
    fn probabilities(&self, x: &Array2<f64>) -> Result<Array1<f64>, CoreError> {
        Ok(self.spec().task().scores(self.outputs(x)?.view()))
    }

    /// The class of every row: ŷ > 0.5 for binary (the notebook's `predict`), the first largest
    /// logit for multi-class; empty for a regression.
    fn predict(&self, x: &Array2<f64>) -> Result<Vec<usize>, CoreError> {
        Ok(self.spec().task().predict(self.outputs(x)?.view()))
    }

    /// Every layer's activations a_l for the rows of x, (m, n_l), input side first (the last is
    /// the output), computed in f64 by the readable network from the current parameters.
    fn activations(&self, x: &Array2<f64>) -> Result<Vec<Array2<f64>>, CoreError> {
        let mlp = Mlp::from_parameters(self.spec(), &self.parameters())?;
        Ok(mlp.activations(x))
    }
}

/// Finds `name` in `parameters` and checks its shape.
pub fn find_parameter<'a>(
    parameters: &'a [Parameter],
    name: &str,
    shape: &[usize],
) -> Result<&'a Parameter, CoreError> {
    let found =
        parameters
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| CoreError::MissingParameter {
                name: name.to_string(),
            })?;
    if found.shape != shape || found.values.len() != shape.iter().product::<usize>() {
        return Err(CoreError::ShapeMismatch {
            what: name.to_string(),
            expected: format!("{shape:?}"),
            got: format!("{:?} with {} values", found.shape, found.values.len()),
        });
    }
    Ok(found)
}

/// Checks that a batch has `n_inputs` columns and one target per row.
pub fn check_batch(batch: &Batch<'_>, n_inputs: usize) -> Result<(), CoreError> {
    if batch.x.ncols() != n_inputs || batch.x.nrows() != batch.y.len() || batch.y.is_empty() {
        return Err(CoreError::ShapeMismatch {
            what: "batch".into(),
            expected: format!("(m, {n_inputs}) rows with m ≥ 1 targets"),
            got: format!("{:?} rows, {} targets", batch.x.dim(), batch.y.len()),
        });
    }
    Ok(())
}

/// Checks that x has `n_inputs` columns.
pub fn check_inputs(x: &Array2<f64>, n_inputs: usize) -> Result<(), CoreError> {
    if x.ncols() != n_inputs {
        return Err(CoreError::ShapeMismatch {
            what: "input".into(),
            expected: format!("(m, {n_inputs})"),
            got: format!("{:?}", x.dim()),
        });
    }
    Ok(())
}
