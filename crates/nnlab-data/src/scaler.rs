//! scikit-learn's `StandardScaler`: `x' = (x − mean) / scale`, fitted on the training rows.
//!
//! Fitting follows scikit-learn's corrected two-pass algorithm (Chan, Golub & LeVeque) in the same
//! floating-point order, so the fitted values are bit-identical:
//!
//! ```text
//! mean  = Σx / n                              (numpy's sum over axis 0)
//! t     = x − mean
//! var   = (Σt² − (Σt)² / n) / n               (population variance, ddof = 0)
//! scale = sqrt(var), or 1 where var ≤ n·ε·var + (n·mean·ε)²  (a constant feature)
//! ```

use ndarray::{Array1, Array2};

use crate::numpy::sum_axis0;
use crate::DataError;

/// A fitted standard scaler: per feature, the mean and the scale (standard deviation).
#[derive(Clone, Debug, PartialEq)]
pub struct StandardScaler {
    /// `mean_`, one value per feature.
    pub mean: Array1<f64>,
    /// `var_`, the population variance per feature.
    pub var: Array1<f64>,
    /// `scale_`: sqrt(var), or 1 for a constant feature.
    pub scale: Array1<f64>,
}

impl StandardScaler {
    /// `StandardScaler().fit(x)`; `x` needs at least one row of finite values.
    pub fn fit(x: &Array2<f64>) -> Result<StandardScaler, DataError> {
        let (n, d) = x.dim();
        if n == 0 || d == 0 {
            return Err(DataError::ShapeMismatch {
                expected: "at least one row and one column to fit the scaler on".into(),
                got: format!("{n}×{d}"),
            });
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(DataError::invalid(
                "scaler input",
                "a NaN or infinite value",
                "every feature value must be finite",
            ));
        }
        let count = n as f64;
        let sum = sum_axis0(x); //                       Σx           (d)
        let mean = &sum / count; //                      Σx / n       (d)
        let centred = x - &mean; //                      t = x − mean (n,d)
        let correction = sum_axis0(&centred); //         Σt           (d)
        let squares = centred.mapv(|t| t * t); //        t²           (n,d)
        let unnormalised = sum_axis0(&squares) - correction.mapv(|c| c * c / count);
        let var = unnormalised / count; //               (d)
        let eps = f64::EPSILON;
        let scale = ndarray::Zip::from(&var)
            .and(&mean)
            .map_collect(|&var, &mean| {
                let upper_bound = count * eps * var + (count * mean * eps).powi(2);
                if var <= upper_bound {
                    1.0
                } else {
                    var.sqrt()
                }
            });
        Ok(StandardScaler { mean, var, scale })
    }

    /// `(x − mean) / scale`.
    pub fn transform(&self, x: &Array2<f64>) -> Result<Array2<f64>, DataError> {
        self.check_width(x)?;
        Ok((x - &self.mean) / &self.scale)
    }

    /// `fit(x)` then `transform(x)`.
    pub fn fit_transform(x: &Array2<f64>) -> Result<(StandardScaler, Array2<f64>), DataError> {
        let scaler = StandardScaler::fit(x)?;
        let scaled = scaler.transform(x)?;
        Ok((scaler, scaled))
    }

    /// `x·scale + mean`, undoing [`transform`](Self::transform).
    pub fn inverse_transform(&self, x: &Array2<f64>) -> Result<Array2<f64>, DataError> {
        self.check_width(x)?;
        Ok(x * &self.scale + &self.mean)
    }

    fn check_width(&self, x: &Array2<f64>) -> Result<(), DataError> {
        if x.ncols() != self.mean.len() {
            return Err(DataError::ShapeMismatch {
                expected: format!("{} feature columns (as fitted)", self.mean.len()),
                got: format!("{} columns", x.ncols()),
            });
        }
        Ok(())
    }
}
