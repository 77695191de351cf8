//! scikit-learn's toy dataset generators, draw for draw.
//!
//! - `make_moons`: n_out = n/2 points on the upper half circle `(cos t, sin t)`, t = linspace(0, π)
//!   (label 0), and n − n_out on the lower one shifted, `(1 − cos t, 1 − sin t − 0.5)` (label 1).
//! - `make_circles`: n_out points on the unit circle, t = linspace(0, 2π, endpoint=False) (label 0),
//!   and n − n_out on a circle of radius `factor` (label 1).
//! - `make_blobs`: per center a Gaussian cloud `center + cluster_std·z`, rows split as evenly as
//!   possible (the first `n % k` centers get one more); random centers are `uniform(center_box)`.
//!
//! Order of draws from one `RandomState(random_state)`, exactly as scikit-learn: (blobs) centers,
//! then each cloud row by row; then the row `permutation` if `shuffle`; then (moons, circles)
//! `normal(0, noise)` added to every value row by row.

use std::f64::consts::PI;

use ndarray::{Array2, Axis};

use crate::numpy::linspace;
use crate::{DataError, Dataset, RandomState};

/// The largest dataset the generators make (rows × features), to fail clearly rather than run out
/// of memory.
pub const MAX_SAMPLES: usize = 100_000_000;

/// `make_moons(n_samples, shuffle=shuffle, noise=noise, random_state=random_state)`.
pub fn make_moons(
    n_samples: usize,
    noise: Option<f64>,
    shuffle: bool,
    random_state: u32,
) -> Result<Dataset, DataError> {
    check_samples(n_samples, 2)?;
    check_noise(noise)?;
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let mut points = Vec::with_capacity(n_samples);
    for t in linspace(0.0, PI, n_out, true) {
        points.push(([t.cos(), t.sin()], 0));
    }
    for t in linspace(0.0, PI, n_in, true) {
        points.push(([1.0 - t.cos(), 1.0 - t.sin() - 0.5], 1));
    }
    Ok(finish(
        two_d(points),
        noise,
        shuffle,
        &mut RandomState::new(random_state),
    ))
}

/// `make_circles(n_samples, shuffle=shuffle, noise=noise, random_state=random_state, factor=factor)`.
pub fn make_circles(
    n_samples: usize,
    noise: Option<f64>,
    factor: f64,
    shuffle: bool,
    random_state: u32,
) -> Result<Dataset, DataError> {
    check_samples(n_samples, 2)?;
    check_noise(noise)?;
    if !(0.0..1.0).contains(&factor) {
        return Err(DataError::invalid(
            "factor",
            factor,
            "the inner circle's radius relative to the outer one must be in [0, 1), e.g. 0.5",
        ));
    }
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let mut points = Vec::with_capacity(n_samples);
    for t in linspace(0.0, 2.0 * PI, n_out, false) {
        points.push(([t.cos(), t.sin()], 0));
    }
    for t in linspace(0.0, 2.0 * PI, n_in, false) {
        points.push(([t.cos() * factor, t.sin() * factor], 1));
    }
    Ok(finish(
        two_d(points),
        noise,
        shuffle,
        &mut RandomState::new(random_state),
    ))
}

/// The centers of `make_blobs`: a count drawn uniformly from `center_box`, or given coordinates.
#[derive(Clone, Debug, PartialEq)]
pub enum Centers {
    /// `centers=count, n_features=n_features`: centers drawn from `uniform(center_box)`.
    Random { count: usize, n_features: usize },
    /// `centers=[[...], ...]`: one row per center.
    Fixed(Array2<f64>),
}

/// `make_blobs(n_samples, n_features, centers=..., cluster_std=..., center_box=..., shuffle=...,
/// random_state=...)`.
pub fn make_blobs(
    n_samples: usize,
    centers: &Centers,
    cluster_std: f64,
    center_box: (f64, f64),
    shuffle: bool,
    random_state: u32,
) -> Result<Dataset, DataError> {
    if !(cluster_std >= 0.0 && cluster_std.is_finite()) {
        return Err(DataError::invalid(
            "cluster std",
            cluster_std,
            "the spread of each blob must be a finite number >= 0, e.g. 1.0",
        ));
    }
    let mut rng = RandomState::new(random_state);
    let centers = match centers {
        Centers::Random { count, n_features } => {
            check_count("centers", *count, "at least 1 center")?;
            check_count("features", *n_features, "at least 1 feature")?;
            check_samples(n_samples, *n_features)?;
            check_samples(*count, *n_features)?;
            let (low, high) = center_box;
            if !(low.is_finite() && high.is_finite() && (high - low).is_finite()) {
                return Err(DataError::invalid(
                    "center box",
                    format!("({low}, {high})"),
                    "both bounds must be finite numbers, e.g. (-10, 10)",
                ));
            }
            rng.uniform_array(low, high, *count, *n_features)
        }
        Centers::Fixed(coordinates) => {
            let (count, n_features) = coordinates.dim();
            check_count("centers", count, "at least one center row")?;
            check_count("features", n_features, "at least one coordinate per center")?;
            check_samples(n_samples, n_features)?;
            if coordinates.iter().any(|v| !v.is_finite()) {
                return Err(DataError::invalid(
                    "centers",
                    format!("{coordinates:?}"),
                    "center coordinates must be finite numbers",
                ));
            }
            coordinates.clone()
        }
    };
    let (count, n_features) = centers.dim();
    let mut features = Array2::zeros((n_samples, n_features));
    let mut labels = Vec::with_capacity(n_samples);
    let mut row = 0;
    for (k, center) in centers.axis_iter(Axis(0)).enumerate() {
        let rows_here = n_samples / count + usize::from(k < n_samples % count);
        for _ in 0..rows_here {
            for (j, &loc) in center.iter().enumerate() {
                features[[row, j]] = rng.normal(loc, cluster_std);
            }
            labels.push(k);
            row += 1;
        }
    }
    Ok(finish(
        Dataset {
            features,
            labels,
            values: None,
        },
        None,
        shuffle,
        &mut rng,
    ))
}

/// Shuffle the rows (if asked), then add `normal(0, noise)` to every value (if asked).
fn finish(data: Dataset, noise: Option<f64>, shuffle: bool, rng: &mut RandomState) -> Dataset {
    let mut data = if shuffle {
        let order = rng.permutation(data.n_samples());
        data.select(&order)
    } else {
        data
    };
    if let Some(noise) = noise {
        for value in data.features.iter_mut() {
            *value += rng.normal(0.0, noise);
        }
    }
    data
}

fn two_d(points: Vec<([f64; 2], usize)>) -> Dataset {
    let labels = points.iter().map(|&(_, label)| label).collect();
    let values = points.iter().flat_map(|&(xy, _)| xy).collect();
    let features = Array2::from_shape_vec((points.len(), 2), values)
        .expect("two values were pushed per point");
    Dataset {
        features,
        labels,
        values: None,
    }
}

fn check_samples(n_samples: usize, n_features: usize) -> Result<(), DataError> {
    if n_samples == 0 || n_samples.saturating_mul(n_features) > MAX_SAMPLES {
        return Err(DataError::invalid(
            "samples",
            n_samples,
            format!(
                "the number of rows must be at least 1 and rows × features at most {MAX_SAMPLES}"
            ),
        ));
    }
    Ok(())
}

fn check_noise(noise: Option<f64>) -> Result<(), DataError> {
    match noise {
        Some(noise) if !(noise >= 0.0 && noise.is_finite()) => Err(DataError::invalid(
            "noise",
            noise,
            "the noise's standard deviation must be a finite number >= 0, e.g. 0.1",
        )),
        _ => Ok(()),
    }
}

fn check_count(name: &'static str, value: usize, expected: &str) -> Result<(), DataError> {
    if value == 0 {
        return Err(DataError::invalid(name, value, format!("need {expected}")));
    }
    Ok(())
}
