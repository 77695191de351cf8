//! The hand-written engine: the notebook's `Linear_NN_numpy`, grown to any depth and task, behind
//! [`Engine`].
//!
//! One step is the notebook's loop body, with the update handed to an optimizer:
//!
//! ```text
//! Y_pred = forward(X)              self.mlp.forward(x)
//! loss = BCE(Y, Y_pred)            task.loss(...)          (or cross-entropy, or MSE)
//! dW, db = backward(...)           self.mlp.backward(...)  kept in self.grads
//! W -= lr·dW;  b -= lr·db          optimizer.step(...)     (optim/sgd.rs; or momentum, Adam)
//! ```

use ndarray::Array2;

use crate::engine::{check_batch, check_inputs, parameter_name, Batch, Parameter, Step};
use crate::layer::DenseGrads;
use crate::optim::{Optimizer, Slot};
use crate::{CoreError, Engine, Mlp, ModelSpec};

/// The hand-written MLP engine, in f64.
#[derive(Clone, Debug)]
pub struct ManualEngine {
    spec: ModelSpec,
    mlp: Mlp,
    /// dW, db of every layer from the last forward_backward.
    grads: Vec<DenseGrads>,
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
        // The activations are the spec's, whatever `mlp` was built with.
        let mut mlp = mlp;
        for (layer, want) in mlp.layers.iter_mut().zip(&expected.layers) {
            layer.activation = want.activation;
        }
        let grads = expected
            .layers
            .iter()
            .map(|layer| DenseGrads {
                dw: layer.w.clone(),
                db: layer.b.clone(),
            })
            .collect();
        Ok(ManualEngine { spec, mlp, grads })
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

    fn implementation(&self) -> String {
        "hand-written engine, readable path (layer.rs, mlp.rs), f64".into()
    }

    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn forward_backward(&mut self, batch: &Batch<'_>) -> Result<Step, CoreError> {
        check_batch(batch, self.spec.input_size())?;
        let task = self.spec.task();
        let x = batch.x.to_owned();
        let pass = self.mlp.forward(&x); //                          Y_pred = forward(X)
        let loss = task.loss(pass.output.view(), batch.y); //        loss = BCE(Y, Y_pred)
        let hits = task.hits(pass.output.view(), batch.y);
        self.grads = self.mlp.backward(&pass, batch.y, task); //     dW, db of every layer
        Ok(Step { loss, hits })
    }

    fn update(&mut self, optimizer: &mut Optimizer, lr: f64) -> Result<(), CoreError> {
        let mut slots = Vec::with_capacity(2 * self.grads.len());
        for (layer, grads) in self.mlp.layers.iter_mut().zip(&mut self.grads) {
            slots.push(Slot {
                value: layer.w.as_slice_mut().expect("W is in standard layout"),
                grad: grads.dw.as_slice_mut().expect("dW is in standard layout"),
                is_weight: true,
            });
            slots.push(Slot {
                value: layer.b.as_slice_mut().expect("b is contiguous"),
                grad: grads.db.as_slice_mut().expect("db is contiguous"),
                is_weight: false,
            });
        }
        optimizer.step(&mut slots, lr); //                           W -= lr·dW;  b -= lr·db
        Ok(())
    }

    fn gradients(&self) -> Vec<Parameter> {
        let mut gradients = Vec::new();
        for (l, grads) in self.grads.iter().enumerate() {
            let (n_in, n_out) = grads.dw.dim();
            gradients.push(Parameter {
                name: parameter_name(l, "weight"),
                shape: vec![n_out, n_in],
                values: grads.dw.t().iter().copied().collect(),
            });
            gradients.push(Parameter {
                name: parameter_name(l, "bias"),
                shape: vec![n_out],
                values: grads.db.to_vec(),
            });
        }
        gradients
    }

    fn outputs(&self, x: &Array2<f64>) -> Result<Array2<f64>, CoreError> {
        check_inputs(x, self.spec.input_size())?;
        Ok(self.mlp.outputs(x))
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

    fn weight_norms_into(&self, norms: &mut Vec<f64>) {
        norms.clear();
        norms.extend(self.mlp.layers.iter().map(crate::layer::Dense::weight_norm));
    }
}
