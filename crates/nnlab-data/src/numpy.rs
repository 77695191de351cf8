//! The few numpy routines whose exact floating-point order the generators and the scaler depend on.
//!
//! - `linspace(start, stop, num)`: `y[i] = i·step + start` with `step = (stop − start)/div`, and the
//!   last value set to `stop` exactly when the endpoint is included.
//! - `np.sum(X, axis=0)`: for a C-ordered n×d array with d ≥ 2 numpy adds the rows one after another
//!   (the reduced axis is not the fast one); for d = 1 the reduced axis is the fast one and numpy uses
//!   its pairwise summation (blocks of 8 accumulators below 128 values, halves above) over the
//!   whole column (numpy 2.4.6 does not cut it into 8192-value buffers: checked at 100,001 rows by
//!   `tests/large_parity.rs`).

/// `np.linspace(start, stop, num, endpoint)`, one value at a time: `at(i)` is `linspace(...)[i]`,
/// bit for bit, so a generator can compute just the points it needs, in any order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Linspace {
    start: f64,
    stop: f64,
    num: usize,
    endpoint: bool,
    div: usize,
    delta: f64,
    step: f64,
}

impl Linspace {
    pub(crate) fn new(start: f64, stop: f64, num: usize, endpoint: bool) -> Self {
        let div = if endpoint { num.saturating_sub(1) } else { num };
        let delta = stop - start;
        let step = if div == 0 {
            f64::NAN
        } else {
            delta / div as f64
        };
        Linspace {
            start,
            stop,
            num,
            endpoint,
            div,
            delta,
            step,
        }
    }

    /// The i-th value (`i < num`).
    #[inline]
    pub(crate) fn at(&self, i: usize) -> f64 {
        if self.endpoint && self.num > 1 && i == self.num - 1 {
            return self.stop; // numpy sets the last value to `stop` exactly
        }
        let x = i as f64;
        let y = if self.div == 0 {
            x * self.delta // numpy: step is NaN, so it multiplies by delta (only i = 0 gets here)
        } else if self.step == 0.0 {
            x / self.div as f64 * self.delta // numpy's path for denormal steps
        } else {
            x * self.step
        };
        y + self.start
    }
}

/// `np.linspace(start, stop, num, endpoint)`.
#[cfg(test)]
pub(crate) fn linspace(start: f64, stop: f64, num: usize, endpoint: bool) -> Vec<f64> {
    let space = Linspace::new(start, stop, num, endpoint);
    (0..num).map(|i| space.at(i)).collect()
}

/// `np.sum(x, axis=0)` with numpy's summation order (see the module docs), for a C-ordered n×d
/// array given as its `values` (n ≥ 1, d ≥ 1).
pub(crate) fn sum_axis0(values: &[f64], d: usize) -> Vec<f64> {
    match d {
        1 => vec![pairwise_sum(values, |v| v)],
        2 => sum_rows::<2>(values.as_chunks().0).to_vec(),
        3 => sum_rows::<3>(values.as_chunks().0).to_vec(),
        4 => sum_rows::<4>(values.as_chunks().0).to_vec(),
        _ => {
            let mut rows = values.chunks_exact(d);
            let mut sum = rows.next().expect("at least one row").to_vec();
            for row in rows {
                for (s, &v) in sum.iter_mut().zip(row) {
                    *s += v;
                }
            }
            sum
        }
    }
}

/// The scaler's second pass, `t = x − mean`, then `np.sum(t, axis=0)` and `np.sum(t**2, axis=0)`:
/// both sums in numpy's order, read in one pass over `values` (without storing `t`).
pub(crate) fn centred_sums(values: &[f64], d: usize, mean: &[f64]) -> (Vec<f64>, Vec<f64>) {
    match d {
        1 => {
            let m = mean[0];
            let sum = pairwise_sum(values, |v| v - m);
            let squares = pairwise_sum(values, |v| (v - m) * (v - m));
            (vec![sum], vec![squares])
        }
        2 => centred_rows::<2>(values.as_chunks().0, mean),
        3 => centred_rows::<3>(values.as_chunks().0, mean),
        4 => centred_rows::<4>(values.as_chunks().0, mean),
        _ => {
            let mut rows = values.chunks_exact(d);
            let first = rows.next().expect("at least one row");
            let mut sum: Vec<f64> = first.iter().zip(mean).map(|(v, m)| v - m).collect();
            let mut squares: Vec<f64> = sum.iter().map(|t| t * t).collect();
            for row in rows {
                for j in 0..d {
                    let t = row[j] - mean[j];
                    sum[j] += t;
                    squares[j] += t * t;
                }
            }
            (sum, squares)
        }
    }
}

/// Row after row: the first row, plus each next one (numpy's order when the summed axis is not the
/// contiguous one). Each column's sum is one chain of additions; the D chains run side by side.
fn sum_rows<const D: usize>(rows: &[[f64; D]]) -> [f64; D] {
    let (first, rest) = rows.split_first().expect("at least one row");
    let mut sum = *first;
    for row in rest {
        for j in 0..D {
            sum[j] += row[j];
        }
    }
    sum
}

/// [`centred_sums`] for D columns: 2·D chains of additions in one pass.
fn centred_rows<const D: usize>(rows: &[[f64; D]], mean: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mean: [f64; D] = mean.try_into().expect("one mean per column");
    let (first, rest) = rows.split_first().expect("at least one row");
    let mut sum = [0.0; D];
    let mut squares = [0.0; D];
    for j in 0..D {
        let t = first[j] - mean[j];
        sum[j] = t;
        squares[j] = t * t;
    }
    for row in rest {
        for j in 0..D {
            let t = row[j] - mean[j];
            sum[j] += t;
            squares[j] += t * t;
        }
    }
    (sum.to_vec(), squares.to_vec())
}

/// numpy's `pairwise_sum` of `term(a[i])` for contiguous doubles (the terms computed on the fly, as
/// if stored first): below 8 values a plain loop, up to 128 eight accumulators, above that the two
/// halves (the first one a multiple of 8 long) summed apart.
fn pairwise_sum(a: &[f64], term: impl Fn(f64) -> f64 + Copy) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &v in a {
            res += term(v);
        }
        res
    } else if n <= 128 {
        let (blocks, tail) = a.as_chunks::<8>();
        let mut r = blocks[0].map(term);
        for block in &blocks[1..] {
            for k in 0..8 {
                r[k] += term(block[k]);
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in tail {
            res += term(v);
        }
        res
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&a[..half], term) + pairwise_sum(&a[half..], term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // np.linspace(0, np.pi, 5) -> [0.0, 0.7853981633974483, 1.5707963267948966, 2.356194490192345,
    // 3.141592653589793]; np.linspace(0, 1, 1) -> [0.0]; np.linspace(0, 2*np.pi, 3, endpoint=False)
    // -> [0.0, 2.0943951023931953, 4.1887902047863905]
    #[test]
    #[allow(clippy::approx_constant)] // the literals are numpy's printed output, kept as printed
    fn linspace_matches_numpy() {
        use std::f64::consts::PI;
        assert_eq!(
            linspace(0.0, PI, 5, true),
            vec![
                0.0,
                0.7853981633974483,
                1.5707963267948966,
                2.356194490192345,
                PI
            ]
        );
        assert_eq!(linspace(0.0, 1.0, 1, true), vec![0.0]);
        assert_eq!(linspace(0.0, 1.0, 0, true), Vec::<f64>::new());
        assert_eq!(
            linspace(0.0, 2.0 * PI, 3, false),
            vec![0.0, 2.0943951023931953, 4.1887902047863905]
        );
    }

    // The pairwise result differs from a plain left-to-right sum for these values; numpy 2.4.6:
    //   a = np.array([1e16] + [1.0]*200 + [-1e16]); a.reshape(-1, 1).sum(axis=0) -> [188.]
    //   while the left-to-right sum (d >= 2 order) gives 0.0.
    #[test]
    fn pairwise_sum_matches_numpy_and_differs_from_sequential() {
        let mut a = vec![1e16];
        a.extend(std::iter::repeat_n(1.0, 200));
        a.push(-1e16);
        let sequential = a.iter().fold(0.0, |s, v| s + v);
        assert_eq!(sequential, 0.0);
        assert_eq!(sum_axis0(&a, 1)[0], 188.0);
        // Two columns are summed row after row: the same values beside themselves give 0.
        let both: Vec<f64> = a.iter().flat_map(|&v| [v, v]).collect();
        assert_eq!(sum_axis0(&both, 2), vec![0.0, 0.0]);
    }
}
