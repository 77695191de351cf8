//! The seam between the engines: everything the training loop, the CLI and the figures need from a
//! model, whether its gradients are written by hand or computed by autograd.
//!
//! Parameters travel in PyTorch's layout for the notebook's `nn.Sequential` module, so that a saved
//! model loads into `Linear_NN_torch` with `load_state_dict`: layer l (0-based) is
//! `network.{2l}.weight` with shape (n_out, n_in) and `network.{2l}.bias` with shape (n_out).

use ndarray::{Array1, Array2};

use crate::{CoreError, ModelSpec};

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

/// What one training step reports: the forward pass it trained on, before the update.
#[derive(Clone, Debug)]
pub struct Step {
    /// The loss of that forward pass.
    pub loss: f64,
    /// ŷ of that forward pass, one per training row.
    pub probabilities: Array1<f64>,
}

/// The floating-point type an engine computes in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    F32,
    #[default]
    F64,
}

/// A trainable binary classifier.
pub trait Engine {
    /// A short name for messages and files ("manual", "autograd").
    fn name(&self) -> &'static str;

    /// The network's shape.
    fn spec(&self) -> &ModelSpec;

    /// One full-batch step: forward on x, loss against y (0/1 per row), backward, and the update
    /// `θ ← θ − lr·∇θ`.
    fn train_step(&mut self, x: &Array2<f64>, y: &Array1<f64>, lr: f64) -> Result<Step, CoreError>;

    /// ŷ = P(class 1) for every row of x.
    fn probabilities(&self, x: &Array2<f64>) -> Result<Array1<f64>, CoreError>;

    /// The class of every row: 1 where ŷ > threshold, else 0 (the notebook's `predict`).
    fn predict(&self, x: &Array2<f64>, threshold: f64) -> Result<Vec<usize>, CoreError> {
        let p = self.probabilities(x)?;
        Ok(p.iter().map(|&p| usize::from(p > threshold)).collect())
    }

    /// Every parameter, named as in PyTorch (see the module docs), input side first.
    fn parameters(&self) -> Vec<Parameter>;

    /// Replaces every parameter; names and shapes must be those of [`parameters`](Self::parameters).
    fn set_parameters(&mut self, parameters: &[Parameter]) -> Result<(), CoreError>;

    /// ‖W‖ (Frobenius) of every layer's weights, input side first.
    fn weight_norms(&self) -> Vec<f64>;

    /// The precision it computes in; accuracies are reported in it, as the framework would
    /// (PyTorch's float32 mean of 435 hits in 800 is 0.54374999, printed 0.5437, not 0.5438).
    fn precision(&self) -> Precision {
        Precision::F64
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
