//! A fully connected layer: an affine map followed by an activation.
//!
//! Shapes: m samples, `n_in` inputs, `n_out` units.
//!
//! ```text
//! forward:   z = x·W + b              (m,n_in)x(n_in,n_out) + (n_out) -> (m,n_out)
//!            a = f(z)                 (m,n_out)
//! backward:  dz = da ⊙ f'(z)          (m,n_out)
//!            dW = (1/m)·xᵀ·dz         (n_in,m)x(m,n_out) -> (n_in,n_out)
//!            db = (1/m)·Σᵢ dzᵢ        (n_out)
//!            dx = dz·Wᵀ               (m,n_out)x(n_out,n_in) -> (m,n_in)
//! ```
//!
//! `da` and `dz` hold per-sample gradients ∂ℓᵢ/∂a; the loss is their mean, hence the `1/m` in dW
//! and db — the same place the notebook puts it.

use ndarray::{Array1, Array2, Axis};

use crate::Activation;

/// One layer's parameters and activation. `w` is stored (n_in, n_out) as in the notebook's `W1`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    /// W, shape (n_in, n_out).
    pub w: Array2<f64>,
    /// b, shape (n_out).
    pub b: Array1<f64>,
    /// f, applied to z.
    pub activation: Activation,
}

/// What the forward pass keeps for the backward pass.
#[derive(Clone, Debug)]
pub struct DenseCache {
    /// The layer's input x, (m, n_in).
    pub x: Array2<f64>,
    /// The pre-activation z, (m, n_out).
    pub z: Array2<f64>,
}

/// dL/dW and dL/db of one layer.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseGrads {
    /// dW, (n_in, n_out).
    pub dw: Array2<f64>,
    /// db, (n_out).
    pub db: Array1<f64>,
}

impl Dense {
    /// A layer with zero parameters of the given size.
    pub fn zeros(n_in: usize, n_out: usize, activation: Activation) -> Dense {
        Dense {
            w: Array2::zeros((n_in, n_out)),
            b: Array1::zeros(n_out),
            activation,
        }
    }

    /// a = f(x·W + b), keeping x and z for the backward pass.
    pub fn forward(&self, x: &Array2<f64>) -> (Array2<f64>, DenseCache) {
        let z = x.dot(&self.w) + &self.b; // z = x·W + b        (m,n_in)x(n_in,n_out) -> (m,n_out)
        let a = self.activation.apply(&z); // a = f(z)           (m,n_out)
        let cache = DenseCache { x: x.clone(), z };
        (a, cache)
    }

    /// From dL/da (per sample) to dL/dx and the layer's gradients.
    pub fn backward(&self, cache: &DenseCache, da: &Array2<f64>) -> (Array2<f64>, DenseGrads) {
        let dz = da * &self.activation.derivative_at(&cache.z); // dz = da ⊙ f'(z)   (m,n_out)
        self.backward_from_dz(cache, &dz)
    }

    /// The affine part of [`backward`](Self::backward), for a layer whose dz is known directly
    /// (the output layer under its loss: dz = a − y for a sigmoid under cross-entropy).
    pub fn backward_from_dz(
        &self,
        cache: &DenseCache,
        dz: &Array2<f64>,
    ) -> (Array2<f64>, DenseGrads) {
        let m = dz.nrows() as f64;
        let dw = (1.0 / m) * cache.x.t().dot(dz); // dW = (1/m)·xᵀ·dz   (n_in,m)x(m,n_out) -> (n_in,n_out)
        let db = (1.0 / m) * dz.sum_axis(Axis(0)); // db = (1/m)·Σ dz    (n_out)
        let dx = dz.dot(&self.w.t()); //            dx = dz·Wᵀ         (m,n_out)x(n_out,n_in) -> (m,n_in)
        (dx, DenseGrads { dw, db })
    }

    /// ‖W‖, the Frobenius norm of the weights: sqrt(Σ w²).
    pub fn weight_norm(&self) -> f64 {
        self.w.iter().map(|w| w * w).sum::<f64>().sqrt()
    }
}
