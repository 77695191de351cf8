//! `nn.BCELoss()`: the mean binary cross-entropy of probabilities, each log clamped at −100 as
//! PyTorch does, so that a prediction of exactly 0 or 1 costs 100 rather than infinity:
//!
//! ```text
//! L = −(1/m)·Σᵢ [ yᵢ·max(log ŷᵢ, −100) + (1 − yᵢ)·max(log(1 − ŷᵢ), −100) ]
//! ```
//!
//! Its gradient comes from candle's autograd, through the logs and the sigmoid.

use candle_core::{Result, Tensor};

/// PyTorch's floor for each log.
pub const LOG_FLOOR: f64 = -100.0;

/// `criterion(y_pred, y)` with `criterion = nn.BCELoss()`; both of shape (m, 1).
pub fn bce_loss(y_pred: &Tensor, y: &Tensor) -> Result<Tensor> {
    let log_p = y_pred.log()?.maximum(LOG_FLOOR)?; //                  max(log ŷ, −100)
    let log_not_p = y_pred.affine(-1.0, 1.0)?.log()?.maximum(LOG_FLOOR)?; // max(log(1 − ŷ), −100)
    let not_y = y.affine(-1.0, 1.0)?; //                                1 − y
    let per_row = ((y * log_p)? + (not_y * log_not_p)?)?;
    per_row.mean_all()?.neg()
}
