//! A labelled dataset: features `X` (n×d, f64) and, per row, an integer class label `y` (n) or,
//! for a regression, a real value.

use ndarray::{Array2, Axis};

use crate::{DataError, Split};

/// Features and labels, one row per sample, as scikit-learn's `X, y`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// `X`, shape (n_samples, n_features).
    pub features: Array2<f64>,
    /// `y`, one class label per row: 0, 1, 2, ... (empty for a regression's data).
    pub labels: Vec<usize>,
    /// `y` as real values, one per row, for a regression's data (`None` for classes).
    pub values: Option<Vec<f64>>,
}

impl Dataset {
    /// Pairs features with labels; the row counts must agree.
    pub fn new(features: Array2<f64>, labels: Vec<usize>) -> Result<Dataset, DataError> {
        if features.nrows() != labels.len() {
            return Err(DataError::ShapeMismatch {
                expected: format!("{} labels (one per feature row)", features.nrows()),
                got: format!("{} labels", labels.len()),
            });
        }
        Ok(Dataset {
            features,
            labels,
            values: None,
        })
    }

    /// Pairs features with real-valued targets (a regression's data); every value must be finite.
    pub fn regression(features: Array2<f64>, values: Vec<f64>) -> Result<Dataset, DataError> {
        if features.nrows() != values.len() {
            return Err(DataError::ShapeMismatch {
                expected: format!("{} targets (one per feature row)", features.nrows()),
                got: format!("{} targets", values.len()),
            });
        }
        if let Some(&value) = values.iter().find(|v| !v.is_finite()) {
            return Err(DataError::invalid(
                "target",
                value,
                "regression targets must be finite numbers",
            ));
        }
        Ok(Dataset {
            features,
            labels: Vec::new(),
            values: Some(values),
        })
    }

    /// n, the number of rows.
    pub fn n_samples(&self) -> usize {
        self.features.nrows()
    }

    /// Whether the targets are real values (a regression's data) rather than classes.
    pub fn is_regression(&self) -> bool {
        self.values.is_some()
    }

    /// The targets as floats: the class indices (0., 1., …), or the values.
    pub fn targets(&self) -> Vec<f64> {
        match &self.values {
            Some(values) => values.clone(),
            None => self.labels.iter().map(|&l| l as f64).collect(),
        }
    }

    /// d, the number of feature columns.
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// How many rows carry each label: `counts[k]` is the number of rows with label k.
    pub fn class_counts(&self) -> Vec<usize> {
        let n_classes = self.labels.iter().max().map_or(0, |&max| max + 1);
        let mut counts = vec![0; n_classes];
        for &label in &self.labels {
            counts[label] += 1;
        }
        counts
    }

    /// The rows at `indices`, in that order (numpy's `X[indices], y[indices]`).
    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            features: self.features.select(Axis(0), indices),
            labels: match self.values {
                Some(_) => Vec::new(),
                None => indices.iter().map(|&i| self.labels[i]).collect(),
            },
            values: self
                .values
                .as_ref()
                .map(|values| indices.iter().map(|&i| values[i]).collect()),
        }
    }

    /// `(train, test)` rows of a [`Split`] made for this dataset.
    pub fn split(&self, split: &Split) -> (Dataset, Dataset) {
        (self.select(&split.train), self.select(&split.test))
    }
}
