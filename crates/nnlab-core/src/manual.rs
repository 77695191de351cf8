//! The hand-written engine: the notebook's `Linear_NN_numpy`, grown to any depth, behind [`Engine`].
//!
//! One step is the notebook's loop body: `forward`, `binary_cross_entropy`, `backward` (which also
//! applies the update `W ← W − lr·dW`, `b ← b − lr·db`).

use ndarray::{Array1, Array2};

use crate::engine::{find_parameter, parameter_name, Parameter, Step};
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
        let mut parameters = Vec::new();
        for (l, layer) in self.mlp.layers.iter().enumerate() {
            let (n_in, n_out) = layer.w.dim();
            parameters.push(Parameter {
                name: parameter_name(l, "weight"),
                shape: vec![n_out, n_in],
                values: layer.w.t().iter().copied().collect(), // Wᵀ, row-major: PyTorch's (out,in)
            });
            parameters.push(Parameter {
                name: parameter_name(l, "bias"),
                shape: vec![n_out],
                values: layer.b.to_vec(),
            });
        }
        parameters
    }

    fn set_parameters(&mut self, parameters: &[Parameter]) -> Result<(), CoreError> {
        let mut mlp = self.mlp.clone();
        for (l, layer) in mlp.layers.iter_mut().enumerate() {
            let (n_in, n_out) = layer.w.dim();
            let weight = find_parameter(parameters, &parameter_name(l, "weight"), &[n_out, n_in])?;
            let bias = find_parameter(parameters, &parameter_name(l, "bias"), &[n_out])?;
            let w_out_in = Array2::from_shape_vec((n_out, n_in), weight.values.clone())
                .expect("find_parameter checked the length");
            layer.w = w_out_in.reversed_axes().as_standard_layout().into_owned(); // (in,out)
            layer.b = Array1::from(bias.values.clone());
        }
        self.mlp = mlp;
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
