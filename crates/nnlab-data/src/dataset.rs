//! A labelled dataset: features `X` (n×d, f64) and integer class labels `y` (n).

use ndarray::{Array2, Axis};

use crate::{DataError, Split};

/// Features and labels, one row per sample, as scikit-learn's `X, y`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// `X`, shape (n_samples, n_features).
    pub features: Array2<f64>,
    /// `y`, one class label per row: 0, 1, 2, ...
    pub labels: Vec<usize>,
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
        Ok(Dataset { features, labels })
    }

    /// n, the number of rows.
    pub fn n_samples(&self) -> usize {
        self.labels.len()
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
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// `(train, test)` rows of a [`Split`] made for this dataset.
    pub fn split(&self, split: &Split) -> (Dataset, Dataset) {
        (self.select(&split.train), self.select(&split.test))
    }
}
