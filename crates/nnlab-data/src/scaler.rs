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

use crate::numpy::{centred_sums, sum_axis0};
use crate::{memory, par, DataError};

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
        let values = x.as_standard_layout(); //       C order, as numpy sums it
        let values = values.as_slice().expect("standard layout is contiguous");
        // (a fold rather than `any`: no early exit, so the check runs as vector code)
        if values.iter().fold(false, |bad, v| bad | !v.is_finite()) {
            return Err(DataError::invalid(
                "scaler input",
                "a NaN or infinite value",
                "every feature value must be finite",
            ));
        }
        let count = n as f64;
        let sum = Array1::from(sum_axis0(values, d)); // Σx           (d)
        let mean = &sum / count; //                      Σx / n       (d)
        let mean_values = mean.as_slice().expect("a new 1-D array is contiguous");
        // t = x − mean, Σt and Σt² (d), in one pass; t itself is never stored.
        let (correction, squares) = centred_sums(values, d, mean_values);
        let (correction, squares) = (Array1::from(correction), Array1::from(squares));
        let unnormalised = squares - correction.mapv(|c| c * c / count);
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
        let d = x.ncols();
        if d == 0 {
            return Ok(x.clone());
        }
        let values = x.as_standard_layout();
        let values = values.as_slice().expect("standard layout is contiguous");
        let mean = self.mean.to_vec();
        let scale = self.scale.to_vec();
        let mut out = memory::zeroed(values.len());
        // Each value on its own: (x − mean) / scale, the two roundings numpy makes (X -= mean_;
        // X /= scale_), on all cores for a large x.
        par::for_each_chunk(&mut out, (par::CHUNK / d).max(1) * d, |start, chunk| {
            let rows_in = values[start..start + chunk.len()].chunks_exact(d);
            for (row_out, row_in) in chunk.chunks_exact_mut(d).zip(rows_in) {
                for j in 0..d {
                    row_out[j] = (row_in[j] - mean[j]) / scale[j];
                }
            }
        });
        Ok(Array2::from_shape_vec(x.dim(), out).expect("as many values as x"))
    }

    /// [`transform`](Self::transform) written over `x` itself: the same values, with no new
    /// array when `x` is row-major (rows that are a copy already, as a split's are, need not be
    /// copied again: fresh memory costs more than the arithmetic).
    pub fn transform_in_place(&self, x: &mut Array2<f64>) -> Result<(), DataError> {
        self.check_width(x)?;
        let d = x.ncols();
        if d == 0 || !x.is_standard_layout() {
            *x = self.transform(x)?;
            return Ok(());
        }
        let values = x.as_slice_mut().expect("standard layout is contiguous");
        let mean = self.mean.to_vec();
        let scale = self.scale.to_vec();
        // As in `transform`: each value on its own, (x − mean) / scale.
        par::for_each_chunk(values, (par::CHUNK / d).max(1) * d, |_, chunk| {
            for row in chunk.chunks_exact_mut(d) {
                for j in 0..d {
                    row[j] = (row[j] - mean[j]) / scale[j];
                }
            }
        });
        Ok(())
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
