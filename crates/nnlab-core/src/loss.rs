//! Binary cross-entropy on a sigmoid output, as the notebook defines it.
//!
//! ```text
//! p  = clip(ŷ, ε, 1 − ε),  ε = 1e-12
//! L  = −(1/m)·Σᵢ [ yᵢ·log(pᵢ) + (1 − yᵢ)·log(1 − pᵢ) ]
//! dz = ŷ − y               (m,1)  per-sample ∂ℓᵢ/∂z of the output layer, z being σ's input
//! ```
//!
//! The gradient is taken through sigmoid and cross-entropy together: ∂ℓ/∂ŷ · σ'(z) simplifies to
//! ŷ − y, which is exact and stable (the notebook's `dz2 = y_pred - y_true`). The clip only guards
//! the logarithms of the reported loss.

use ndarray::{Array2, ArrayView1};

/// The clip that keeps `log` finite, as in the notebook.
pub const EPSILON: f64 = 1e-12;

/// The mean binary cross-entropy of predictions `y_pred` (m) for targets `y` (m, each 0 or 1).
pub fn binary_cross_entropy(y: ArrayView1<f64>, y_pred: ArrayView1<f64>) -> f64 {
    let terms = ndarray::Zip::from(y)
        .and(y_pred)
        .map_collect(|&y, &y_pred| {
            let p = y_pred.clamp(EPSILON, 1.0 - EPSILON);
            y * p.ln() + (1.0 - y) * (1.0 - p).ln()
        });
    -terms.mean().unwrap_or(f64::NAN)
}

/// dz = ŷ − y for the sigmoid output layer, as a column (m,1).
pub fn output_gradient(y: ArrayView1<f64>, y_pred: ArrayView1<f64>) -> Array2<f64> {
    let dz = &y_pred - &y; //                  (m)
    dz.insert_axis(ndarray::Axis(1)) //      (m,1)
}
