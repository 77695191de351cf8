//! Mean squared error for a regression's one linear output unit, as `nn.MSELoss`.
//!
//! ```text
//! L  = (1/m)·Σᵢ (ŷᵢ − yᵢ)²
//! dz = 2·(ŷ − y)        (m,1)  per row ∂ℓᵢ/∂ŷᵢ; the output is linear, so ∂ŷ/∂z = 1
//! ```

use ndarray::{Array2, ArrayView1, Axis};

/// L = (1/m)·Σ (ŷ − y)².
pub fn mean_squared_error(y_pred: ArrayView1<f64>, y: ArrayView1<f64>) -> f64 {
    let squares = ndarray::Zip::from(y_pred)
        .and(y)
        .map_collect(|&p, &y| (p - y) * (p - y));
    squares.sum() / y.len() as f64
}

/// dz = 2·(ŷ − y), as a column (m,1).
pub fn output_gradient(y_pred: ArrayView1<f64>, y: ArrayView1<f64>) -> Array2<f64> {
    let dz = 2.0 * (&y_pred - &y); // (m)
    dz.insert_axis(Axis(1)) //        (m,1)
}
