//! The hand-written engine: the notebook's `Linear_NN_numpy`, grown to any depth, behind [`Engine`].
//!
//! One step is the notebook's loop body: `forward`, `binary_cross_entropy`, `backward` (which also
//! applies the update `W ← W − lr·dW`, `b ← b − lr·db`).

use ndarray::{Array1, Array2};

use crate::engine::{Parameter, Step};
use crate::loss::binary_cross_entropy;
use crate::{CoreError, Engine, Mlp, ModelSpec};

/// The hand-written MLP engine, in f64.
#[derive(Clone, Debug)]
pub struct ManualEngine {
    spec: ModelSpec,
    mlp: Mlp,
}

impl ManualEngine {
    /// An engine for `spec` starting from the weights of `mlp` (e.g. [`crate::notebook_init`]).
    pub fn new(spec: ModelSpec, mlp: Mlp) -> Result<ManualEngine, CoreError> {
        let expected = Mlp::zeros(&spec);
        if mlp.layers.len() != expected.layers.len() {
            return Err(CoreError::ShapeMismatch {
                what: "network".into(),
                expected: format!("{} layers", expected.layers.len()),
                got: format!("{} layers", mlp.layers.len()),
            });
        }
        for (i, (layer, want)) in mlp.layers.iter().zip(&expected.layers).enumerate() {
            if layer.w.dim() != want.w.dim() || layer.b.len() != want.b.len() {
                return Err(CoreError::ShapeMismatch {
                    what: format!("layer {i}"),
                    expected: format!("W {:?}, b {}", want.w.dim(), want.b.len()),
                    got: format!("W {:?}, b {}", layer.w.dim(), layer.b.len()),
                });
            }
        }
        Ok(ManualEngine { spec, mlp })
    }

    /// The network, to read its weights.
    pub fn mlp(&self) -> &Mlp {
        &self.mlp
    }
}

impl Engine for ManualEngine {
    fn name(&self) -> &'static str {
        "manual"
    }

    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn train_step(&mut self, x: &Array2<f64>, y: &Array1<f64>, lr: f64) -> Result<Step, CoreError> {
        check_rows(x, y.len(), self.spec.input_size())?;
        let pass = self.mlp.forward(x); //                 Y_pred = forward(X)
        let loss = binary_cross_entropy(y, &pass.output); // loss = BCE(Y, Y_pred)
        let grads = self.mlp.backward(&pass, y); //         dW, db of every layer
        self.mlp.sgd_step(&grads, lr); //                   W -= lr·dW;  b -= lr·db
        Ok(Step {
            loss,
            probabilities: pass.output,
        })
    }

    fn probabilities(&self, x: &Array2<f64>) -> Result<Array1<f64>, CoreError> {
        check_rows(x, x.nrows(), self.spec.input_size())?;
        Ok(self.mlp.probabilities(x))
    }

    fn parameters(&self) -> Vec<Parameter> {
        self.mlp.parameters()
    }

    fn set_parameters(&mut self, parameters: &[Parameter]) -> Result<(), CoreError> {
        self.mlp = Mlp::from_parameters(&self.spec, parameters)?;
        Ok(())
    }

    fn weight_norms(&self) -> Vec<f64> {
        self.mlp.weight_norms()
    }
}

fn check_rows(x: &Array2<f64>, n_targets: usize, n_inputs: usize) -> Result<(), CoreError> {
    if x.ncols() != n_inputs || x.nrows() != n_targets {
        return Err(CoreError::ShapeMismatch {
            what: "input".into(),
            expected: format!("({n_targets}, {n_inputs})"),
            got: format!("{:?}", x.dim()),
        });
    }
    Ok(())
}
