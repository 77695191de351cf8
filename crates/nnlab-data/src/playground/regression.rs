//! TensorFlow Playground's regression datasets: a point `(x, y)` uniform in [−6, 6)², and its target
//! computed at the noisy point `(x + nₓ, y + n_y)`, `nₓ, n_y = U(−6, 6)·noise` (the noise moves the
//! targets, not the points).
//!
//! - Plane (`regressPlane`): the target is d3's `[−10, 10] → [−1, 1]` at `(x + nₓ) + (y + n_y)`,
//!   not clamped, exactly as the Playground: |target| < 1.2 without noise, < 1.2·(1 + noise) with.
//! - Multi-Gauss (`regressGaussian`): six bumps at x ∈ {−4, 0, 4}, y ∈ {2.5, −2.5} with signs
//!   alternating (+ − + on top, − + − below); a bump's value is `sign·(1 − d/2)` for a distance
//!   d < 2 from its centre, else 0 (d3's `[0, 2] → [1, 0]`, clamped); the target is the value of
//!   largest magnitude, the first in that order on a tie, 0 if none: always in [−1, 1].

use ndarray::Array2;

use super::{check_noise, check_samples, d3_linear, rows};
use crate::{DataError, RandomState};

/// Points with real targets, one row per sample: the Playground's regression data.
#[derive(Clone, Debug, PartialEq)]
pub struct RegressionData {
    /// `X`, shape (n_samples, 2).
    pub features: Array2<f64>,
    /// `y`, one target per row (the Playground's label, roughly in [−1, 1]).
    pub targets: Vec<f64>,
}

impl RegressionData {
    /// n, the number of rows.
    pub fn n_samples(&self) -> usize {
        self.targets.len()
    }

    /// d, the number of feature columns.
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }
}

/// The Playground's regression square: coordinates are uniform in [−RADIUS, RADIUS).
const RADIUS: f64 = 6.0;

/// The multi-Gauss bumps `(cx, cy, sign)`, in the Playground's order.
const GAUSSIANS: [(f64, f64, f64); 6] = [
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
];

/// Playground `regressPlane(n_samples, noise)`: the target grows linearly with x0 + x1.
///
/// ```python
/// def make_plane(n_samples, noise, shuffle, seed):
///     rs = np.random.RandomState(seed)
///     X, y = [], []
///     for _ in range(n_samples):
///         x0 = rs.uniform(-6, 6)
///         x1 = rs.uniform(-6, 6)
///         noise0 = rs.uniform(-6, 6) * noise
///         noise1 = rs.uniform(-6, 6) * noise
///         X.append([x0, x1])
///         y.append(d3_linear((x0 + noise0) + (x1 + noise1), -10, 10, -1, 1))
///     return finish(rs, X, y, shuffle)
/// ```
pub fn make_plane(
    n_samples: usize,
    noise: f64,
    shuffle: bool,
    random_state: u32,
) -> Result<RegressionData, DataError> {
    regress(n_samples, noise, shuffle, random_state, |p0, p1| {
        d3_linear(p0 + p1, (-10.0, 10.0), (-1.0, 1.0), false)
    })
}

/// Playground `regressGaussian(n_samples, noise)`: six signed bumps, the strongest one wins.
///
/// ```python
/// GAUSSIANS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
///
/// def make_multi_gauss(n_samples, noise, shuffle, seed):
///     rs = np.random.RandomState(seed)
///     X, y = [], []
///     for _ in range(n_samples):
///         x0 = rs.uniform(-6, 6)
///         x1 = rs.uniform(-6, 6)
///         noise0 = rs.uniform(-6, 6) * noise
///         noise1 = rs.uniform(-6, 6) * noise
///         p0, p1 = x0 + noise0, x1 + noise1
///         target = 0.0
///         for cx, cy, sign in GAUSSIANS:
///             d = math.sqrt((p0 - cx) * (p0 - cx) + (p1 - cy) * (p1 - cy))
///             value = sign * d3_linear(d, 0, 2, 1, 0, clamp=True)
///             if abs(value) > abs(target):
///                 target = value
///         X.append([x0, x1])
///         y.append(target)
///     return finish(rs, X, y, shuffle)
/// ```
pub fn make_multi_gauss(
    n_samples: usize,
    noise: f64,
    shuffle: bool,
    random_state: u32,
) -> Result<RegressionData, DataError> {
    regress(n_samples, noise, shuffle, random_state, |p0, p1| {
        let mut target = 0.0_f64;
        for (cx, cy, sign) in GAUSSIANS {
            let (dx, dy) = (p0 - cx, p1 - cy);
            let value = sign * d3_linear((dx * dx + dy * dy).sqrt(), (0.0, 2.0), (1.0, 0.0), true);
            if value.abs() > target.abs() {
                target = value;
            }
        }
        target
    })
}

/// The regression generators' common loop: draws `x0, x1, noise0, noise1` per point, in that order,
/// and the target at the noisy point `(x0 + noise0, x1 + noise1)`.
fn regress(
    n_samples: usize,
    noise: f64,
    shuffle: bool,
    random_state: u32,
    target: impl Fn(f64, f64) -> f64,
) -> Result<RegressionData, DataError> {
    check_samples(n_samples, 1, "at least 1")?;
    check_noise(noise)?;
    let mut rng = RandomState::new(random_state);
    let mut points = Vec::with_capacity(n_samples);
    for _ in 0..n_samples {
        let x0 = rng.uniform(-RADIUS, RADIUS);
        let x1 = rng.uniform(-RADIUS, RADIUS);
        let noise0 = rng.uniform(-RADIUS, RADIUS) * noise;
        let noise1 = rng.uniform(-RADIUS, RADIUS) * noise;
        points.push(([x0, x1], target(x0 + noise0, x1 + noise1)));
    }
    let (features, targets) = rows(&points, shuffle, &mut rng);
    Ok(RegressionData { features, targets })
}
