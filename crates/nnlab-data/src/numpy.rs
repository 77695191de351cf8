//! The few numpy routines whose exact floating-point order the generators and the scaler depend on.
//!
//! - `linspace(start, stop, num)`: `y[i] = i·step + start` with `step = (stop − start)/div`, and the
//!   last value set to `stop` exactly when the endpoint is included.
//! - `np.sum(X, axis=0)`: for a C-ordered n×d array with d ≥ 2 numpy adds the rows one after another
//!   (the reduced axis is not the fast one); for d = 1 the reduced axis is the fast one and numpy uses
//!   its pairwise summation (blocks of 8 accumulators below 128 values, halves above).

use ndarray::{Array1, Array2, Axis};

/// `np.linspace(start, stop, num, endpoint)`.
pub(crate) fn linspace(start: f64, stop: f64, num: usize, endpoint: bool) -> Vec<f64> {
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let delta = stop - start;
    let mut y: Vec<f64> = (0..num)
        .map(|i| {
            let i = i as f64;
            if div == 0 {
                i * delta // numpy: step is NaN, so it multiplies by delta (only i = 0 gets here)
            } else {
                let step = delta / div as f64;
                if step == 0.0 {
                    i / div as f64 * delta
                } else {
                    i * step
                }
            }
        })
        .map(|v| v + start)
        .collect();
    if endpoint && num > 1 {
        y[num - 1] = stop;
    }
    y
}

/// `np.sum(x, axis=0)` with numpy's summation order (see the module docs).
pub(crate) fn sum_axis0(x: &Array2<f64>) -> Array1<f64> {
    if x.ncols() == 1 {
        let column: Vec<f64> = x.column(0).to_vec();
        return Array1::from_elem(1, pairwise_sum(&column));
    }
    let mut rows = x.axis_iter(Axis(0));
    let Some(first) = rows.next() else {
        return Array1::zeros(x.ncols());
    };
    let mut sum = first.to_owned();
    for row in rows {
        sum += &row;
    }
    sum
}

/// numpy's `pairwise_sum` for contiguous doubles.
fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]];
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for k in 0..8 {
                r[k] += a[i + k];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &a[whole..] {
            res += v;
        }
        res
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&a[..half]) + pairwise_sum(&a[half..])
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
        let column = Array2::from_shape_vec((a.len(), 1), a.clone()).unwrap();
        let sequential = a.iter().fold(0.0, |s, v| s + v);
        assert_eq!(sequential, 0.0);
        assert_eq!(sum_axis0(&column)[0], 188.0);
    }
}
