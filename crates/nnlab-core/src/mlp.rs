//! The multilayer perceptron: hidden [`Dense`] layers and the task's output layer (one sigmoid unit
//! for the notebook's binary classification; see [`crate::task`] for the others).
//!
//! For the notebook's 2-8-1 net (m samples):
//!
//! ```text
//! z1 = X·W1 + b1      (m,2)x(2,8) -> (m,8)        dz2 = a2 − y                  (m,1)
//! a1 = ReLU(z1)       (m,8)                       dW2 = (1/m)·a1ᵀ·dz2           (8,1)
//! z2 = a1·W2 + b2     (m,8)x(8,1) -> (m,1)        db2 = (1/m)·Σ dz2             (1)
//! a2 = σ(z2)          (m,1)                       dz1 = (dz2·W2ᵀ) ⊙ ReLU'(z1)   (m,8)
//!                                                 dW1 = (1/m)·Xᵀ·dz1            (2,8)
//!                                                 db1 = (1/m)·Σ dz1             (8)
//! ```
//!
//! Deeper nets repeat the hidden step: each layer's `dx` is the previous layer's `da`. Other tasks
//! change only the first line of the backward pass, dz_L (softmax(z) − Y, or 2·(ŷ − y)).

use ndarray::{Array1, Array2, ArrayView1};

use crate::engine::{find_parameter, parameter_name, Parameter};
use crate::layer::{Dense, DenseCache, DenseGrads};
use crate::{CoreError, ModelSpec, Task};

/// The network's layers, input side first; the last one is the task's output layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    pub layers: Vec<Dense>,
}

/// One layer's part of the backward pass: dz = ∂ℓᵢ/∂z for every row (m, n_out), the layer's
/// gradients dW and db computed from it, and dx = dz·Wᵀ (m, n_in), which the layer below takes
/// as its da.
#[derive(Clone, Debug)]
pub struct LayerBackward {
    pub dz: Array2<f64>,
    pub grads: DenseGrads,
    pub dx: Array2<f64>,
}

/// The result of a forward pass: the output layer and every layer's cache.
#[derive(Clone, Debug)]
pub struct ForwardPass {
    /// a_L, (m, K): ŷ for binary (K = 1), the logits for multi-class, the values for a regression.
    pub output: Array2<f64>,
    /// What each layer kept for backward, input side first.
    pub caches: Vec<DenseCache>,
}

impl Mlp {
    /// A net of the spec's shape with all parameters zero.
    pub fn zeros(spec: &ModelSpec) -> Mlp {
        let layers = spec
            .layer_sizes()
            .iter()
            .zip(spec.layer_activations())
            .map(|(&(n_in, n_out), activation)| Dense::zeros(n_in, n_out, activation))
            .collect();
        Mlp { layers }
    }

    /// Runs x (m, n_in) through every layer.
    pub fn forward(&self, x: &Array2<f64>) -> ForwardPass {
        let mut caches = Vec::with_capacity(self.layers.len());
        let mut a = x.clone();
        for layer in &self.layers {
            let (out, cache) = layer.forward(&a); // a_l = f(a_{l−1}·W_l + b_l)
            caches.push(cache);
            a = out;
        }
        ForwardPass { output: a, caches } // ŷ = a_L   (m,K)
    }

    /// a_L for every row of x, (m, K).
    pub fn outputs(&self, x: &Array2<f64>) -> Array2<f64> {
        self.forward(x).output
    }

    /// Every layer's a_l for the rows of x, input side first.
    pub fn activations(&self, x: &Array2<f64>) -> Vec<Array2<f64>> {
        let mut all = Vec::with_capacity(self.layers.len());
        let mut a = x.clone();
        for layer in &self.layers {
            a = layer.forward(&a).0;
            all.push(a.clone());
        }
        all
    }

    /// Gradients of the task's mean loss for targets y (m), one per layer, input side first.
    pub fn backward(&self, pass: &ForwardPass, y: ArrayView1<f64>, task: Task) -> Vec<DenseGrads> {
        self.backward_trace(pass, y, task)
            .into_iter()
            .map(|layer| layer.grads)
            .collect()
    }

    /// The backward pass with every layer's dz and dx kept beside its gradients, input side first:
    /// the numbers the playground's backprop view and `nnlab explain` show.
    pub fn backward_trace(
        &self,
        pass: &ForwardPass,
        y: ArrayView1<f64>,
        task: Task,
    ) -> Vec<LayerBackward> {
        let (output, hidden) = self.layers.split_last().expect("a net has an output layer");
        let (output_cache, hidden_caches) = pass.caches.split_last().expect("one cache per layer");
        let mut trace = Vec::with_capacity(self.layers.len());

        let dz = task.output_gradient(pass.output.view(), y); //    dz_L = ŷ − y   (m,K)
        let (dx, grads) = output.backward_from_dz(output_cache, &dz);
        trace.push(LayerBackward { dz, grads, dx });
        for (layer, cache) in hidden.iter().zip(hidden_caches).rev() {
            // da_l is the dx of the layer above, the last one traced: da_l = dz_{l+1}·W_{l+1}ᵀ
            let da = &trace.last().expect("the output layer's").dx;
            let dz = da * &layer.activation.derivative_at(&cache.z); // dz_l = da_l ⊙ f'(z_l)
            let (dx, grads) = layer.backward_from_dz(cache, &dz);
            trace.push(LayerBackward { dz, grads, dx });
        }
        trace.reverse();
        trace
    }

    /// ‖W_l‖ of every layer, input side first.
    pub fn weight_norms(&self) -> Vec<f64> {
        self.layers.iter().map(Dense::weight_norm).collect()
    }

    /// Every weight and bias in PyTorch's layout (see [`crate::engine`]), input side first.
    pub fn parameters(&self) -> Vec<Parameter> {
        let mut parameters = Vec::new();
        for (l, layer) in self.layers.iter().enumerate() {
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

    /// A net of the spec's shape holding `parameters` (named and shaped as [`parameters`](Self::parameters) gives them).
    pub fn from_parameters(spec: &ModelSpec, parameters: &[Parameter]) -> Result<Mlp, CoreError> {
        let mut mlp = Mlp::zeros(spec);
        for (l, layer) in mlp.layers.iter_mut().enumerate() {
            let (n_in, n_out) = layer.w.dim();
            let weight = find_parameter(parameters, &parameter_name(l, "weight"), &[n_out, n_in])?;
            let bias = find_parameter(parameters, &parameter_name(l, "bias"), &[n_out])?;
            let w_out_in = Array2::from_shape_vec((n_out, n_in), weight.values.clone())
                .expect("find_parameter checked the length");
            layer.w = w_out_in.reversed_axes().as_standard_layout().into_owned(); // (in,out)
            layer.b = Array1::from(bias.values.clone());
        }
        Ok(mlp)
    }
}
