//! A labelled dataset: features `X` (n×d, f64) and, per row, an integer class label `y` (n) or,
//! for a regression, a real value.

use ndarray::{Array2, Axis};

use crate::{memory, par, DataError, Split};

/// `rows` rows of `d` values, row k a copy of row `source_row(k)` of the C-ordered `values`; on
/// all cores for many rows.
fn gather_rows(
    values: &[f64],
    d: usize,
    rows: usize,
    source_row: impl Fn(usize) -> usize + Sync + Send,
) -> Vec<f64> {
    let mut out = memory::zeroed(rows * d);
    // Rows of 1 to 4 values are copied as fixed-size arrays: a `copy_from_slice` of an unknown
    // length calls `memcpy` once per row, several times slower than the copy itself.
    match d {
        1 => gather_fixed::<1>(values, &mut out, rows, source_row),
        2 => gather_fixed::<2>(values, &mut out, rows, source_row),
        3 => gather_fixed::<3>(values, &mut out, rows, source_row),
        4 => gather_fixed::<4>(values, &mut out, rows, source_row),
        _ => par::for_each_chunk(&mut out, (par::CHUNK / d).max(1) * d, |start, chunk| {
            for (k, row) in chunk.chunks_exact_mut(d).enumerate() {
                let i = source_row(start / d + k);
                row.copy_from_slice(&values[i * d..(i + 1) * d]);
            }
        }),
    }
    out
}

fn gather_fixed<const D: usize>(
    values: &[f64],
    out: &mut [f64],
    rows: usize,
    source_row: impl Fn(usize) -> usize + Sync + Send,
) {
    let source = values.as_chunks::<D>().0;
    let out = out.as_chunks_mut::<D>().0;
    par::for_each_chunk(out, par::CHUNK / D, |start, chunk| {
        for (k, row) in (start..).zip(chunk) {
            // The rows are scattered over megabytes: ask for the row needed a few steps from now,
            // so that several trips to memory overlap.
            if k + memory::PREFETCH_DISTANCE < rows {
                memory::prefetch(source, source_row(k + memory::PREFETCH_DISTANCE));
            }
            *row = source[source_row(k)];
        }
    });
}

/// `source[indices]`, on all cores for many indices.
fn gather<T: Copy + Default + Send + Sync>(source: &[T], indices: &[usize]) -> Vec<T> {
    let mut out = memory::zeroed(indices.len());
    par::for_each_chunk(&mut out, par::CHUNK, |start, chunk| {
        for (k, out) in (start..).zip(chunk) {
            if let Some(&ahead) = indices.get(k + memory::PREFETCH_DISTANCE) {
                memory::prefetch(source, ahead);
            }
            *out = source[indices[k]];
        }
    });
    out
}

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
    ///
    /// (The plain way, `counts[label] += 1` per row, chains every row to the one before through
    /// the same counter in memory; with a few classes, one pass per class that adds up
    /// comparisons runs as vector code, several times faster at 100,000 rows.)
    pub fn class_counts(&self) -> Vec<usize> {
        let labels = &self.labels;
        // A fold, not `max()`: no comparison through references, so it vectorises too.
        let n_classes = if labels.is_empty() {
            0
        } else {
            labels.iter().fold(0, |max, &label| max.max(label)) + 1
        };
        if n_classes <= 8 {
            let count = |k| labels.iter().map(|&label| usize::from(label == k)).sum();
            return (0..n_classes).map(count).collect();
        }
        let mut counts = vec![0; n_classes];
        for &label in labels {
            counts[label] += 1;
        }
        counts
    }

    /// The rows at `indices`, in that order (numpy's `X[indices], y[indices]`).
    ///
    /// Panics if an index is not a row of the dataset.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let d = self.n_features();
        let features = match self.features.as_slice() {
            // C order (what the generators and the CSV reader make): copy rows of d values.
            Some(values) if d > 0 => {
                let out = gather_rows(values, d, indices.len(), |k| indices[k]);
                Array2::from_shape_vec((indices.len(), d), out).expect("d values per row")
            }
            _ => self.features.select(Axis(0), indices),
        };
        Dataset {
            features,
            labels: match self.values {
                Some(_) => Vec::new(),
                None => gather(&self.labels, indices),
            },
            values: self.values.as_ref().map(|values| gather(values, indices)),
        }
    }

    /// `(train, test)` rows of a [`Split`] made for this dataset.
    pub fn split(&self, split: &Split) -> (Dataset, Dataset) {
        (self.select(&split.train), self.select(&split.test))
    }
}
