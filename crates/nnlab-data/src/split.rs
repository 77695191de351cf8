//! scikit-learn's `train_test_split`, as index lists.
//!
//! With `shuffle`, the generator seeded with `random_state` draws one `permutation(n)`; the test rows
//! are its first `n_test` entries and the training rows the next `n_train`. Without it, the first
//! `n_train` rows train and the rest test. A fractional test size takes `ceil(fraction·n)` rows.

use crate::{memory, DataError, RandomState};

/// How many rows go to the test split: scikit-learn's float or integer `test_size`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TestSize {
    /// A share of the rows, strictly between 0 and 1; the test split gets `ceil(share·n)` rows.
    Fraction(f64),
    /// An exact number of test rows, at least 1 and less than n.
    Count(usize),
}

/// Row indices of the two splits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// `train_test_split(np.arange(n_samples), test_size=..., shuffle=..., random_state=...)`.
pub fn train_test_split(
    n_samples: usize,
    test_size: TestSize,
    shuffle: bool,
    random_state: u32,
) -> Result<Split, DataError> {
    let n_test = match test_size {
        TestSize::Fraction(share) => {
            if !(share > 0.0 && share < 1.0) {
                return Err(DataError::invalid(
                    "test size",
                    share,
                    "a share must lie strictly between 0 and 1 (e.g. 0.2), or give a row count",
                ));
            }
            (share * n_samples as f64).ceil() as usize
        }
        TestSize::Count(count) => {
            if count == 0 || count >= n_samples {
                return Err(DataError::invalid(
                    "test size",
                    count,
                    format!(
                        "a row count must be between 1 and {} (the dataset has {n_samples} rows)",
                        n_samples.saturating_sub(1)
                    ),
                ));
            }
            count
        }
    };
    let n_train = n_samples.saturating_sub(n_test);
    if n_train == 0 || n_test == 0 {
        return Err(DataError::invalid(
            "test size",
            match test_size {
                TestSize::Fraction(share) => share.to_string(),
                TestSize::Count(count) => count.to_string(),
            },
            format!("with {n_samples} rows it leaves {n_train} training and {n_test} test rows; both need at least one"),
        ));
    }
    if !shuffle {
        return Ok(Split {
            train: (0..n_train).collect(),
            test: (n_train..n_samples).collect(),
        });
    }
    let mut rng = RandomState::new(random_state);
    let Ok(n32) = u32::try_from(n_samples) else {
        let permutation = rng.permutation(n_samples);
        return Ok(Split {
            test: permutation[..n_test].to_vec(),
            train: permutation[n_test..n_test + n_train].to_vec(),
        });
    };
    // The same permutation on 4-byte indices (faster to shuffle), widened straight into the two
    // index lists.
    let permutation = rng.permutation_u32(n32);
    Ok(Split {
        test: widen(&permutation[..n_test]),
        train: widen(&permutation[n_test..n_test + n_train]),
    })
}

/// 32-bit indices as `usize`.
pub(crate) fn widen(indices: &[u32]) -> Vec<usize> {
    let mut out = memory::zeroed(indices.len());
    for (out, &i) in out.iter_mut().zip(indices) {
        *out = i as usize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // sklearn 1.9.1: train_test_split(np.arange(10), test_size=0.3, random_state=0)
    //   -> train [9, 1, 6, 7, 3, 0, 5], test [2, 8, 4]   (permutation(10) of seed 0 is
    //   [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]: test = first 3)
    #[test]
    fn shuffled_split_takes_test_rows_first() {
        let split = train_test_split(10, TestSize::Fraction(0.3), true, 0).unwrap();
        assert_eq!(split.test, vec![2, 8, 4]);
        assert_eq!(split.train, vec![9, 1, 6, 7, 3, 0, 5]);
    }

    #[test]
    fn fractions_round_the_test_share_up() {
        // ceil(0.25 * 101) = ceil(25.25) = 26
        let split = train_test_split(101, TestSize::Fraction(0.25), false, 0).unwrap();
        assert_eq!((split.train.len(), split.test.len()), (75, 26));
    }

    #[test]
    fn sizes_that_empty_a_split_are_rejected() {
        assert!(train_test_split(10, TestSize::Fraction(0.0), true, 0).is_err());
        assert!(train_test_split(10, TestSize::Fraction(1.0), true, 0).is_err());
        assert!(train_test_split(10, TestSize::Fraction(f64::NAN), true, 0).is_err());
        assert!(train_test_split(10, TestSize::Count(10), true, 0).is_err());
        assert!(train_test_split(10, TestSize::Count(0), true, 0).is_err());
        // ceil(0.5 * 1) = 1 test row leaves no training row
        assert!(train_test_split(1, TestSize::Fraction(0.5), true, 0).is_err());
    }
}
