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
//!
//! The draws happen in that order, but the arrays are not built in that order: each output row is
//! computed once, from the permutation and its own normals, with the work that needs no draw
//! (sin and cos, `ln` and `sqrt` of the normals, the rows themselves) done on all cores and, where
//! it can, while the generator is drawing (see `two_d` and `make_blobs`). Every output value is
//! computed from its own inputs only, so the bits never depend on the number of threads.

use std::f64::consts::PI;

use ndarray::Array2;

use crate::numpy::Linspace;
use crate::{memory, par, DataError, Dataset, RandomState};

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
    let angles = [
        Linspace::new(0.0, PI, n_out, true),
        Linspace::new(0.0, PI, n_samples - n_out, true),
    ];
    let place = |class, cos: f64, sin: f64| match class {
        0 => [cos, sin],
        _ => [1.0 - cos, 1.0 - sin - 0.5],
    };
    Ok(two_d(
        n_samples,
        angles,
        place,
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
    let angles = [
        Linspace::new(0.0, 2.0 * PI, n_out, false),
        Linspace::new(0.0, 2.0 * PI, n_samples - n_out, false),
    ];
    let place = |class, cos: f64, sin: f64| match class {
        0 => [cos, sin],
        _ => [cos * factor, sin * factor],
    };
    Ok(two_d(
        n_samples,
        angles,
        place,
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
    let (count, d) = centers.dim();
    let centers = centers.as_standard_layout();
    let centers = centers.as_slice().expect("standard layout is contiguous");
    // Before the shuffle, center k's rows are consecutive (n/count rows each, one more for the
    // first n % count centers), each value `normal(loc, cluster_std) = loc + cluster_std·z`, the
    // z's row by row from the one stream; the permutation's draws come after them.
    let label_of = BlobLabels::new(n_samples, count);
    let value = |label: usize, j: usize, z: f64| centers[label * d + j] + cluster_std * z;
    let rows_per_chunk = (par::CHUNK / d).max(1);
    let mut labels = memory::zeroed(n_samples);
    let mut z = memory::zeroed(n_samples * d);
    let normals = rng.draw_standard_normals(&mut z);
    if !shuffle {
        normals.finish();
        par::for_each_chunk2(
            &mut z,
            d,
            &mut labels,
            1,
            rows_per_chunk,
            |first, rows, labels| {
                for (row, (values, label)) in (first..).zip(rows.chunks_exact_mut(d).zip(labels)) {
                    *label = label_of.at(row);
                    for (j, value_j) in values.iter_mut().enumerate() {
                        *value_j = value(*label, j, *value_j);
                    }
                }
            },
        );
        return Ok(Dataset {
            features: Array2::from_shape_vec((n_samples, d), z).expect("d values per row"),
            labels,
            values: None,
        });
    }
    // The permutation is drawn while the normals are finished (their ln and sqrt) on another
    // core; then `X[order], y[order]` is built in one pass: row k is blob row order[k].
    let ((), order) = rayon::join(
        || normals.finish(),
        || rng.permutation_u32(sample_count(n_samples)),
    );
    let mut features = memory::zeroed(n_samples * d);
    par::for_each_chunk2(
        &mut features,
        d,
        &mut labels,
        1,
        rows_per_chunk,
        |first, rows, labels| {
            for (k, (row, label)) in (first..).zip(rows.chunks_exact_mut(d).zip(labels)) {
                if let Some(&ahead) = order.get(k + memory::PREFETCH_DISTANCE) {
                    memory::prefetch(&z, ahead as usize * d);
                }
                let src = order[k] as usize;
                *label = label_of.at(src);
                let z_row = &z[src * d..(src + 1) * d];
                for (j, (value_j, &z_j)) in row.iter_mut().zip(z_row).enumerate() {
                    *value_j = value(*label, j, z_j);
                }
            }
        },
    );
    Ok(Dataset {
        features: Array2::from_shape_vec((n_samples, d), features).expect("d values per row"),
        labels,
        values: None,
    })
}

/// The label of an unshuffled blob row: how many centers' rows end at or before it.
struct BlobLabels {
    /// The first row after each center's rows, but the last center's (that is n).
    ends: Vec<usize>,
}

impl BlobLabels {
    fn new(n_samples: usize, count: usize) -> Self {
        let ends = (0..count - 1)
            .scan(0, |end, k| {
                *end += n_samples / count + usize::from(k < n_samples % count);
                Some(*end)
            })
            .collect();
        BlobLabels { ends }
    }

    #[inline]
    fn at(&self, row: usize) -> usize {
        if self.ends.len() <= 8 {
            // Branch-free for the usual few centers: the rows are visited in random order.
            self.ends.iter().map(|&end| usize::from(end <= row)).sum()
        } else {
            self.ends.partition_point(|&end| end <= row)
        }
    }
}

/// The row count as the permutation's 32-bit index type (the checks cap it far below 2³²).
fn sample_count(n_samples: usize) -> u32 {
    u32::try_from(n_samples).expect("MAX_SAMPLES fits in 32 bits")
}

/// A two-feature generator's dataset: rows 0..n/2 of class 0 at the angles `angles[0]`, the rest
/// of class 1 at `angles[1]`, each row the point `place(class, cos t, sin t)`; shuffled by
/// `permutation(n)` if asked, then `normal(0, noise)` added to every value (row by row) if asked —
/// scikit-learn's order of draws.
///
/// Rather than building the points, permuting them, then adding the noise, each output row k is
/// computed once, on all cores, from the point `order[k]` and the k-th pair of normals. The draws
/// still happen in numpy's order (the permutation first, then the normals), and each row depends
/// only on its own inputs, so the result is the same bits for any number of threads.
fn two_d(
    n_samples: usize,
    angles: [Linspace; 2],
    place: impl Fn(usize, f64, f64) -> [f64; 2] + Sync,
    noise: Option<f64>,
    shuffle: bool,
    rng: &mut RandomState,
) -> Dataset {
    let n_out = n_samples / 2;
    let angle = |i: usize| match i.checked_sub(n_out) {
        None => angles[0].at(i),
        Some(i) => angles[1].at(i),
    };
    let mut features = memory::zeroed(2 * n_samples);
    // With a shuffle, the points are taken in random order: cos and sin of every angle are
    // worked out first, in order. (In random order the angles jump between the C library's
    // argument ranges and its sin and cos mispredict their branches; and with n even both classes
    // have the same angles, so half the work.) The table needs no random draw, so it is made on
    // another core while this one draws the permutation and the normals' attempts.
    let shared = angles[0] == angles[1];
    let slot = |i: usize| if shared && i >= n_out { i - n_out } else { i };
    let mut draw = |features: &mut [f64]| {
        let order = shuffle.then(|| rng.permutation_u32(sample_count(n_samples)));
        if noise.is_some() {
            rng.fill_standard_normal(features); // the normals, in place of the rows they go to
        }
        order
    };
    let make_table = || {
        let mut table = memory::zeroed::<[f64; 2]>(if shared { n_out } else { n_samples });
        par::for_each_chunk(&mut table, par::CHUNK / 2, |first, chunk| {
            for (i, entry) in (first..).zip(chunk) {
                let t = angle(i);
                *entry = [t.cos(), t.sin()];
            }
        });
        table
    };
    let (order, table) = if shuffle {
        let (order, table) = rayon::join(|| draw(&mut features), make_table);
        (order, Some(table))
    } else {
        (draw(&mut features), None)
    };
    // X += normal(0, noise): x + (0 + noise·z), rounded as numpy rounds it.
    let add_noise = |[x, y]: [f64; 2], [z0, z1]: [f64; 2]| match noise {
        Some(noise) => [x + (0.0 + noise * z0), y + (0.0 + noise * z1)],
        None => [x, y],
    };
    let mut labels = memory::zeroed(n_samples);
    par::for_each_chunk2(
        &mut features,
        2,
        &mut labels,
        1,
        par::CHUNK / 2,
        |first, features, labels| {
            let rows = features.as_chunks_mut::<2>().0.iter_mut().zip(labels);
            for (k, (row, label)) in (first..).zip(rows) {
                let (i, [cos, sin]) = match (&order, &table) {
                    (Some(order), Some(table)) => {
                        if let Some(&ahead) = order.get(k + memory::PREFETCH_DISTANCE) {
                            memory::prefetch(table, slot(ahead as usize));
                        }
                        let i = order[k] as usize;
                        (i, table[slot(i)])
                    }
                    _ => {
                        let t = angle(k);
                        (k, [t.cos(), t.sin()])
                    }
                };
                *label = usize::from(i >= n_out);
                *row = add_noise(place(*label, cos, sin), *row);
            }
        },
    );
    Dataset {
        features: Array2::from_shape_vec((n_samples, 2), features)
            .expect("two values were made per point"),
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
