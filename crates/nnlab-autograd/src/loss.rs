//! `nn.BCELoss()` with PyTorch's forward *and* backward.
//!
//! Forward, the mean binary cross-entropy of probabilities, each log clamped at −100 so that a
//! prediction of exactly 0 or 1 costs 100 rather than infinity:
//!
//! ```text
//! L = −(1/m)·Σᵢ [ yᵢ·max(log ŷᵢ, −100) + (1 − yᵢ)·max(log(1 − ŷᵢ), −100) ]
//! ```
//!
//! Backward, PyTorch's own formula rather than the chain rule through the logs (which, at ŷ = 1
//! exactly, would multiply an infinite slope of log(1 − ŷ) by the clamp's zero and give NaN):
//!
//! ```text
//! ∂L/∂ŷᵢ = (ŷᵢ − yᵢ) / max((1 − ŷᵢ)·ŷᵢ, 1e-12) / m
//! ```
//!
//! candle gets exactly that gradient from a surrogate: `L = value + s − detach(s)` with
//! `s = Σᵢ ŷᵢ·gᵢ`, where `value` and `g` are computed from a detached ŷ. Then `s − detach(s)` is
//! exactly 0, so L equals the value, and ∂L/∂ŷ = g.

use candle_core::{Result, Tensor};
use nnlab_core::Task;

/// The task's criterion: `nn.BCELoss()` (binary, on ŷ (m,1) and y (m,1)), `nn.CrossEntropyLoss()`
/// (multi-class, on logits (m,K) and class indices (m) as u32), `nn.MSELoss()` (regression, on
/// (m,1) and (m,1)).
pub fn criterion(task: Task, outputs: &Tensor, targets: &Tensor) -> Result<Tensor> {
    match task {
        Task::Binary => bce_loss(outputs, targets),
        // log_softmax then the mean negative log-likelihood of the target class
        Task::Multiclass { .. } => candle_nn::loss::cross_entropy(outputs, targets),
        // mean((ŷ − y)²)
        Task::Regression => candle_nn::loss::mse(outputs, targets),
    }
}

/// PyTorch's floor for each log.
pub const LOG_FLOOR: f64 = -100.0;
/// PyTorch's floor for ŷ(1 − ŷ) in the gradient: its `EPSILON`, a float, so 1e-12 rounded to f32.
pub const GRAD_EPSILON: f64 = 1e-12_f32 as f64;

/// `criterion(y_pred, y)` with `criterion = nn.BCELoss()`; both of shape (m, 1).
pub fn bce_loss(y_pred: &Tensor, y: &Tensor) -> Result<Tensor> {
    let p = y_pred.detach();
    let not_y = y.affine(-1.0, 1.0)?; //                                  1 − y
    let not_p = p.affine(-1.0, 1.0)?; //                                  1 − ŷ

    // The value: −mean(y·max(log ŷ, −100) + (1 − y)·max(log(1 − ŷ), −100)).
    let log_p = p.log()?.maximum(LOG_FLOOR)?;
    let log_not_p = not_p.log()?.maximum(LOG_FLOOR)?;
    let value = ((y * log_p)? + (&not_y * log_not_p)?)?.mean_all()?.neg()?;

    // The gradient: (ŷ − y) / max((1 − ŷ)·ŷ, 1e-12) / m.
    let m = Tensor::new(p.elem_count() as f64, p.device())?.to_dtype(p.dtype())?;
    let slope = (&p - y)?
        .div(&(&not_p * &p)?.maximum(GRAD_EPSILON)?)?
        .broadcast_div(&m)?;

    let surrogate = (y_pred * slope)?.sum_all()?; // ∂/∂ŷ = slope
    value + (&surrogate - surrogate.detach())?
}

#[cfg(test)]
mod tests {
    use candle_core::{Device, Var};

    use super::*;

    // PyTorch 2.15.0:
    //   p = torch.tensor([[0.25], [1.0], [0.0], [0.9]], requires_grad=True, dtype=torch.float64)
    //   y = torch.tensor([[1.0], [0.0], [0.0], [1.0]], dtype=torch.float64)
    //   loss = nn.BCELoss()(p, y); loss.backward()
    //   loss -> 25.37291371919443  (= (log 4 + 100 + 0 − log 0.9) / 4)
    //   p.grad -> [-1.0, 250000000998.9507, 0.0, -0.2777777777777778]
    //   ((p − y) / max((1 − p)p, float32(1e-12)) / 4: the saturated row is finite, not NaN)
    #[test]
    fn value_and_gradient_are_pytorchs_even_at_saturation() {
        let p = Var::from_vec(vec![0.25f64, 1.0, 0.0, 0.9], (4, 1), &Device::Cpu).unwrap();
        let y = Tensor::from_vec(vec![1.0f64, 0.0, 0.0, 1.0], (4, 1), &Device::Cpu).unwrap();
        let loss = bce_loss(p.as_tensor(), &y).unwrap();
        let value = loss.to_scalar::<f64>().unwrap();
        let want = (4f64.ln() + 100.0 + 0.0 - 0.9f64.ln()) / 4.0;
        assert!((value - want).abs() < 1e-12, "{value} vs {want}");
        let grads = loss.backward().unwrap();
        let g: Vec<f64> = grads
            .get(&p)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let want = [-1.0, 250000000998.9507, 0.0, -0.2777777777777778];
        for (g, w) in g.iter().zip(want) {
            assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0), "{g} vs {w}");
        }
    }
}
