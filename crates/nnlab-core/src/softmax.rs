//! Softmax cross-entropy for K classes, as `nn.CrossEntropyLoss` computes it on logits.
//!
//! Shapes: m rows, K classes; z (m,K) are the logits, yᵢ the class index of row i.
//!
//! ```text
//! softmax(z)ᵢₖ = e^(zᵢₖ − maxᵢ) / Σⱼ e^(zᵢⱼ − maxᵢ)               (m,K)   maxᵢ = maxⱼ zᵢⱼ, for stability
//! ℓᵢ = −log softmax(z)ᵢ,yᵢ = −(zᵢ,yᵢ − maxᵢ − log Σⱼ e^(zᵢⱼ − maxᵢ))  (m)    log_softmax, as PyTorch
//! L  = (1/m)·Σᵢ ℓᵢ
//! dz = softmax(z) − Y                                            (m,K)   Y = one-hot(y), per row
//! ```
//!
//! The gradient is taken through softmax and the log together, as with the sigmoid and binary
//! cross-entropy: ∂ℓᵢ/∂zᵢₖ = softmax(z)ᵢₖ − [k = yᵢ].

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};

/// softmax over each row of z (m,K).
pub fn softmax(z: ArrayView2<f64>) -> Array2<f64> {
    let mut p = z.to_owned();
    for mut row in p.rows_mut() {
        let max = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b)); // maxᵢ
        row.mapv_inplace(|z| (z - max).exp()); //                     e^(zᵢₖ − maxᵢ)
        let sum = row.sum(); //                                       Σⱼ e^(zᵢⱼ − maxᵢ)
        row.mapv_inplace(|e| e / sum);
    }
    p
}

/// L = −(1/m)·Σᵢ log softmax(z)ᵢ,yᵢ for logits z (m,K) and class indices y (m).
pub fn cross_entropy(z: ArrayView2<f64>, y: ArrayView1<f64>) -> f64 {
    let terms = z.axis_iter(Axis(0)).zip(y).map(|(row, &y)| {
        let max = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let log_sum = row.iter().map(|&z| (z - max).exp()).sum::<f64>().ln();
        -(row[y as usize] - max - log_sum) // ℓᵢ = −log_softmax(z)ᵢ,yᵢ
    });
    terms.sum::<f64>() / y.len() as f64
}

/// dz = softmax(z) − one-hot(y), per row, (m,K).
pub fn output_gradient(z: ArrayView2<f64>, y: ArrayView1<f64>) -> Array2<f64> {
    let mut dz = softmax(z); //                  (m,K)
    for (mut row, &y) in dz.rows_mut().into_iter().zip(y) {
        row[y as usize] -= 1.0; //               − Y
    }
    dz
}
