//! A numpy-compatible random generator: `np.random.RandomState` (the legacy API) bit for bit.
//!
//! scikit-learn's `random_state=42` and the notebook's `np.random.seed(42)` both mean this generator:
//!
//! - the core is MT19937 seeded with `init_genrand(seed)` (a 32-bit seed);
//! - a double in [0, 1) takes two 32-bit draws `a`, `b`:  `((a >> 5)·2²⁶ + (b >> 6)) / 2⁵³`;
//! - a standard normal is the legacy polar (Marsaglia) method: draw `x1 = 2u − 1`, `x2 = 2u − 1` until
//!   `0 < r² = x1² + x2² < 1`, then `f = sqrt(−2·ln r² / r²)`; return `f·x2` and keep `f·x1` for the
//!   next call;
//! - `normal(loc, scale) = loc + scale·z`, `uniform(low, high) = low + (high − low)·u`;
//! - `shuffle` is backward Fisher–Yates: for `i = n−1 … 1` swap `i` with `random_interval(i)`, which
//!   masks a 32-bit draw to the smallest all-ones mask covering `i` and rejects values above `i`.
//!
//! Every method consumes the generator exactly as numpy does, so calls can be interleaved freely.

use ndarray::Array2;
use rand_mt::Mt;

/// numpy's legacy `RandomState`, reproduced draw for draw.
#[derive(Clone, Debug)]
pub struct RandomState {
    mt: Mt,
    /// The second value of the last polar-method pair, waiting to be returned (numpy's `gauss`).
    cached_normal: Option<f64>,
}

impl RandomState {
    /// `np.random.RandomState(seed)` / `np.random.seed(seed)`.
    pub fn new(seed: u32) -> Self {
        RandomState {
            mt: Mt::new(seed),
            cached_normal: None,
        }
    }

    /// One raw 32-bit output of MT19937.
    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// One 64-bit value from two 32-bit draws, the first one high (numpy's `next_uint64`).
    pub fn next_u64(&mut self) -> u64 {
        self.mt.next_u64()
    }

    /// `random_sample()`: a double in [0, 1) with 53 random bits.
    pub fn random_sample(&mut self) -> f64 {
        let a = self.next_u32() >> 5; // 27 bits
        let b = self.next_u32() >> 6; // 26 bits
        (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
    }

    /// `standard_normal()` in the legacy polar form, including the cached second value.
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(z) = self.cached_normal.take() {
            return z;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.cached_normal = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `normal(loc, scale)`: `loc + scale·z`.
    pub fn normal(&mut self, loc: f64, scale: f64) -> f64 {
        loc + scale * self.standard_normal()
    }

    /// `uniform(low, high)`: `low + (high − low)·u`, u in [0, 1).
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        let range = high - low;
        low + range * self.random_sample()
    }

    /// A uniform integer in `0..=max`, by masked rejection (numpy's `random_interval`).
    pub fn random_interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        // The smallest all-ones bit mask that covers `max`.
        let mask = u64::MAX >> max.leading_zeros();
        if max <= u64::from(u32::MAX) {
            loop {
                let value = u64::from(self.next_u32()) & mask;
                if value <= max {
                    return value;
                }
            }
        } else {
            loop {
                let value = self.next_u64() & mask;
                if value <= max {
                    return value;
                }
            }
        }
    }

    /// `shuffle(x)` for a 1-D array (or the rows of a 2-D one): backward Fisher–Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.random_interval(i as u64) as usize;
            items.swap(i, j);
        }
    }

    /// `permutation(n)`: `arange(n)` shuffled.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut indices: Vec<usize> = (0..n).collect();
        self.shuffle(&mut indices);
        indices
    }

    /// `randn(rows, cols)`: standard normals filled row by row.
    pub fn randn(&mut self, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || self.standard_normal())
    }

    /// `normal(loc, scale, size=(rows, cols))`, filled row by row.
    pub fn normal_array(&mut self, loc: f64, scale: f64, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || self.normal(loc, scale))
    }

    /// `uniform(low, high, size=(rows, cols))`, filled row by row.
    pub fn uniform_array(&mut self, low: f64, high: f64, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || self.uniform(low, high))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values in these tests were printed by numpy 2.4.6, e.g.
    //   np.random.RandomState(42).random_sample(3)
    #[test]
    fn random_sample_matches_numpy_seed_42() {
        let mut rs = RandomState::new(42);
        let got: Vec<f64> = (0..3).map(|_| rs.random_sample()).collect();
        assert_eq!(
            got,
            vec![0.3745401188473625, 0.9507143064099162, 0.7319939418114051]
        );
    }

    // np.random.RandomState(42).randn(4) -> [0.4967141530112327, -0.13826430117118466,
    // 0.6476885381006925, 1.5230298564080254]  (the pairs show the cached second value)
    #[test]
    fn standard_normal_matches_numpy_seed_42() {
        let mut rs = RandomState::new(42);
        let got: Vec<f64> = (0..4).map(|_| rs.standard_normal()).collect();
        assert_eq!(
            got,
            vec![
                0.4967141530112327,
                -0.13826430117118466,
                0.6476885381006925,
                1.5230298564080254
            ]
        );
    }

    // np.random.RandomState(0).permutation(10) -> [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]
    #[test]
    fn permutation_matches_numpy_seed_0() {
        let mut rs = RandomState::new(0);
        assert_eq!(rs.permutation(10), vec![2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    }

    // rs = np.random.RandomState(3)
    // rs.uniform(-10, 10) -> 1.0159580514915092; rs.normal(1.5, 2.0) -> -0.558942948010285;
    // rs.permutation(5) -> [4, 2, 3, 1, 0]   (one stream, calls interleaved)
    #[test]
    fn interleaved_calls_match_numpy_seed_3() {
        let mut rs = RandomState::new(3);
        assert_eq!(rs.uniform(-10.0, 10.0), 1.0159580514915092);
        assert_eq!(rs.normal(1.5, 2.0), -0.558942948010285);
        assert_eq!(rs.permutation(5), vec![4, 2, 3, 1, 0]);
    }

    #[test]
    fn random_interval_stays_in_range() {
        let mut rs = RandomState::new(7);
        for max in [
            0u64,
            1,
            2,
            3,
            7,
            8,
            1000,
            u64::from(u32::MAX),
            u64::from(u32::MAX) + 5,
        ] {
            for _ in 0..50 {
                assert!(rs.random_interval(max) <= max);
            }
        }
    }
}
