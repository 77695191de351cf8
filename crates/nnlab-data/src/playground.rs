//! TensorFlow Playground's datasets (`src/dataset.ts` of tensorflow/playground), re-expressed on
//! numpy's [`RandomState`] instead of `Math.random`, so that a few lines of numpy give the very same
//! doubles for the same seed.
//!
//! - XOR (`classifyXORData`): `x = U(−5, 5)` padded by ±0.3 away from 0, the same for `y`; the label
//!   is `(x + nₓ)·(y + n_y) ≥ 0` with `nₓ, n_y = U(−5, 5)·noise`; the noise moves labels, not points.
//! - Gauss (`classifyTwoGaussData`): two clouds `N((2, 2), σ²)` (label 1) and `N((−2, −2), σ²)`
//!   (label 0), with the variance `σ² = 0.5 → 4` linear in noise `0 → 0.5`.
//! - Spiral (`classifySpiralData`): arm k of K has points `i = 0, 1, …` with `m = n/K` (a real),
//!   `r = i/m·5`, `t = 1.75·i/m·2π + 2πk/K`, at `(r sin t + U(−1, 1)·noise, r cos t + U(−1, 1)·noise)`.
//! - Plane and multi-Gauss (`regressPlane`, `regressGaussian`): in [`RegressionData`].
//!
//! Translation rules: the Playground's `randUniform(a, b)` is `rng.uniform(a, b)` (numpy's legacy
//! `low + (high − low)·u`), its `normalRandom(mean, variance)` is `rng.normal(mean, √variance)`, and
//! d3's `scale.linear().domain([d0, d1]).range([r0, r1])` is `r0·(1 − t) + r1·t` with
//! `t = (v − d0)/(d1 − d0)` (clamped to [0, 1] where the Playground clamps). `noise` is the
//! Playground's fraction, its slider / 100 (0 to 0.5 there). The Playground's labels −1 and +1 are
//! the classes 0 and 1 here. Points are made class by class in the Playground's order (its positive
//! class first, so the highest label first), each point's draws in its order; then, if `shuffle`,
//! the rows are permuted by `rng.permutation(n)` from the same generator, after all the points.
//!
//! The numpy transcription of each generator is in its doc; they share these helpers (the same code
//! is in `fixtures/make_playground.py`, which wrote `fixtures/playground.json`):
//!
//! ```python
//! import math
//! import numpy as np
//!
//! def d3_linear(v, d0, d1, r0, r1, clamp=False):
//!     """d3 v3's scale.linear().domain([d0, d1]).range([r0, r1]), clamped if asked."""
//!     t = (v - d0) / (d1 - d0)
//!     if clamp:
//!         t = max(0.0, min(1.0, t))
//!     return r0 * (1 - t) + r1 * t
//!
//! def finish(rs, X, y, shuffle):
//!     """The rows as made, then (if shuffle) permuted after all the points' draws."""
//!     X, y = np.array(X, dtype=np.float64).reshape(-1, 2), np.array(y)
//!     if shuffle:
//!         order = rs.permutation(len(y))
//!         X, y = X[order], y[order]
//!     return X, y
//! ```

use std::f64::consts::PI;

use ndarray::Array2;

use crate::{DataError, Dataset, RandomState, MAX_SAMPLES};

mod regression;

pub use regression::{make_multi_gauss, make_plane, RegressionData};

/// The largest `noise` the Playground generators take: far beyond the Playground's 0.5, and small
/// enough that every coordinate, variance and target stays finite.
pub const MAX_PLAYGROUND_NOISE: f64 = 1e6;

/// How far XOR points are pushed away from the axes (the Playground's `padding`).
const XOR_PADDING: f64 = 0.3;

/// Playground `classifyXORData(n_samples, noise)`: points uniform in the four padded quadrants, the
/// label telling whether the noisy point's coordinates have the same sign (1) or not (0).
///
/// ```python
/// def make_xor(n_samples, noise, shuffle, seed):
///     rs = np.random.RandomState(seed)
///     X, y = [], []
///     for _ in range(n_samples):
///         x0 = rs.uniform(-5, 5)
///         x0 += 0.3 if x0 > 0 else -0.3
///         x1 = rs.uniform(-5, 5)
///         x1 += 0.3 if x1 > 0 else -0.3
///         noise0 = rs.uniform(-5, 5) * noise
///         noise1 = rs.uniform(-5, 5) * noise
///         X.append([x0, x1])
///         y.append(1 if (x0 + noise0) * (x1 + noise1) >= 0 else 0)
///     return finish(rs, X, y, shuffle)
/// ```
pub fn make_xor(
    n_samples: usize,
    noise: f64,
    shuffle: bool,
    random_state: u32,
) -> Result<Dataset, DataError> {
    check_samples(n_samples, 1, "at least 1")?;
    check_noise(noise)?;
    let mut rng = RandomState::new(random_state);
    let pad = |v: f64| {
        if v > 0.0 {
            v + XOR_PADDING
        } else {
            v - XOR_PADDING
        }
    };
    let mut points = Vec::with_capacity(n_samples);
    for _ in 0..n_samples {
        let x0 = pad(rng.uniform(-5.0, 5.0));
        let x1 = pad(rng.uniform(-5.0, 5.0));
        let noise0 = rng.uniform(-5.0, 5.0) * noise;
        let noise1 = rng.uniform(-5.0, 5.0) * noise;
        let label = usize::from((x0 + noise0) * (x1 + noise1) >= 0.0);
        points.push(([x0, x1], label));
    }
    Ok(classified(&points, shuffle, &mut rng))
}

/// Playground `classifyTwoGaussData(n_samples, noise)`: the cloud around (2, 2) (label 1) first,
/// then the one around (−2, −2) (label 0); for odd `n_samples` the first gets the extra point.
///
/// ```python
/// def make_gauss(n_samples, noise, shuffle, seed):
///     rs = np.random.RandomState(seed)
///     std = math.sqrt(d3_linear(noise, 0, 0.5, 0.5, 4))
///     counts = [n_samples - n_samples // 2, n_samples // 2]
///     X, y = [], []
///     for (cx, cy, label), count in zip([(2, 2, 1), (-2, -2, 0)], counts):
///         for _ in range(count):
///             X.append([rs.normal(cx, std), rs.normal(cy, std)])
///             y.append(label)
///     return finish(rs, X, y, shuffle)
/// ```
pub fn make_gauss(
    n_samples: usize,
    noise: f64,
    shuffle: bool,
    random_state: u32,
) -> Result<Dataset, DataError> {
    check_samples(n_samples, 2, "at least 2 (one per class)")?;
    check_noise(noise)?;
    let mut rng = RandomState::new(random_state);
    let std = d3_linear(noise, (0.0, 0.5), (0.5, 4.0), false).sqrt();
    let counts = [n_samples - n_samples / 2, n_samples / 2];
    let mut points = Vec::with_capacity(n_samples);
    for ((center, label), count) in [(2.0, 1), (-2.0, 0)].into_iter().zip(counts) {
        for _ in 0..count {
            let x0 = rng.normal(center, std);
            let x1 = rng.normal(center, std);
            points.push(([x0, x1], label));
        }
    }
    Ok(classified(&points, shuffle, &mut rng))
}

/// Playground `classifySpiralData(n_samples, noise)` for `classes = 2`, generalised to K arms: arm
/// k (k = 0 … K−1, made in that order) turns by `2πk/K` and carries the label K−1−k (for K = 2: arm
/// 0 is the Playground's positive spiral, label 1, arm 1 its negative one turned by π, label 0). Arm
/// k has `n/K` points, the first `n % K` arms one more; every arm measures its radius and angle
/// against `m = n/K` as a real (the Playground's `numSamples / 2`), so all arms are the same curve.
///
/// ```python
/// def make_spiral(n_samples, noise, classes, shuffle, seed):
///     rs = np.random.RandomState(seed)
///     m = n_samples / classes
///     X, y = [], []
///     for k in range(classes):
///         delta_t = 2 * math.pi * k / classes
///         for i in range(n_samples // classes + (k < n_samples % classes)):
///             r = i / m * 5
///             t = 1.75 * i / m * 2 * math.pi + delta_t
///             x0 = r * math.sin(t) + rs.uniform(-1, 1) * noise
///             x1 = r * math.cos(t) + rs.uniform(-1, 1) * noise
///             X.append([x0, x1])
///             y.append(classes - 1 - k)
///     return finish(rs, X, y, shuffle)
/// ```
pub fn make_spiral(
    n_samples: usize,
    noise: f64,
    classes: usize,
    shuffle: bool,
    random_state: u32,
) -> Result<Dataset, DataError> {
    if classes < 2 {
        return Err(DataError::invalid(
            "classes",
            classes,
            "a spiral dataset needs at least 2 arms, one per class (the Playground's has 2)",
        ));
    }
    check_samples(
        n_samples,
        classes,
        &format!("at least {classes} (one per arm)"),
    )?;
    check_noise(noise)?;
    let mut rng = RandomState::new(random_state);
    let m = n_samples as f64 / classes as f64;
    let mut points = Vec::with_capacity(n_samples);
    for k in 0..classes {
        let delta_t = 2.0 * PI * k as f64 / classes as f64;
        for i in 0..n_samples / classes + usize::from(k < n_samples % classes) {
            let i = i as f64;
            let r = i / m * 5.0;
            let t = 1.75 * i / m * 2.0 * PI + delta_t;
            let x0 = r * t.sin() + rng.uniform(-1.0, 1.0) * noise;
            let x1 = r * t.cos() + rng.uniform(-1.0, 1.0) * noise;
            points.push(([x0, x1], classes - 1 - k));
        }
    }
    Ok(classified(&points, shuffle, &mut rng))
}

/// d3 v3's `scale.linear().domain([d0, d1]).range([r0, r1])` (`.clamp(true)` if `clamp`), with its
/// exact operations: `t = (v − d0)/(d1 − d0)`, then `r0·(1 − t) + r1·t`.
fn d3_linear(v: f64, (d0, d1): (f64, f64), (r0, r1): (f64, f64), clamp: bool) -> f64 {
    let t = (v - d0) / (d1 - d0);
    let t = if clamp { t.clamp(0.0, 1.0) } else { t };
    r0 * (1.0 - t) + r1 * t
}

/// The points as an n×2 array and their labels, rows permuted after all the draws if `shuffle`.
fn rows<T: Copy>(
    points: &[([f64; 2], T)],
    shuffle: bool,
    rng: &mut RandomState,
) -> (Array2<f64>, Vec<T>) {
    let order: Vec<usize> = if shuffle {
        rng.permutation(points.len())
    } else {
        (0..points.len()).collect()
    };
    let features = Array2::from_shape_fn((points.len(), 2), |(i, j)| points[order[i]].0[j]);
    let labels = order.iter().map(|&i| points[i].1).collect();
    (features, labels)
}

fn classified(points: &[([f64; 2], usize)], shuffle: bool, rng: &mut RandomState) -> Dataset {
    let (features, labels) = rows(points, shuffle, rng);
    Dataset {
        features,
        labels,
        values: None,
    }
}

/// At least `min` points (the classes' count), and the 2-column array within [`MAX_SAMPLES`].
fn check_samples(n_samples: usize, min: usize, at_least: &str) -> Result<(), DataError> {
    if n_samples < min || n_samples.saturating_mul(2) > MAX_SAMPLES {
        return Err(DataError::invalid(
            "samples",
            n_samples,
            format!(
                "the number of points must be {at_least} and at most {}",
                MAX_SAMPLES / 2
            ),
        ));
    }
    Ok(())
}

fn check_noise(noise: f64) -> Result<(), DataError> {
    if !(0.0..=MAX_PLAYGROUND_NOISE).contains(&noise) {
        return Err(DataError::invalid(
            "noise",
            noise,
            format!(
                "the Playground's noise is its slider / 100 (0 to 0.5 there): use a number from 0 \
                 to {MAX_PLAYGROUND_NOISE:e}, e.g. 0.1"
            ),
        ));
    }
    Ok(())
}
