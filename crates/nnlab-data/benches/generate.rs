//! Making a dataset the way nnlab does before training (issue 14): `make_moons`, `make_circles`
//! or `make_blobs` with nnlab's defaults (`nnlab data` / `nnlab train`: noise 0.125, factor 0.8, 3
//! centers of 2 features with std 1 in (−10, 10), seed 42), then `train_test_split(test_size=0.2,
//! random_state=42)`, the rows of each split, and `StandardScaler` fitted on the training rows and
//! applied to both — the public functions `nnlab_app::data::{generate, split, scaled_train_data}`
//! call.
//!
//! `cargo bench -p nnlab-data --bench generate` (rayon's default thread count; set
//! `RAYON_NUM_THREADS=1` for one thread: the results are the same bits either way);
//! `bench/data_peers.py` runs the same in scikit-learn and prints the ratios.

use nnlab_data::{
    make_blobs, make_circles, make_moons, train_test_split, Centers, Dataset, StandardScaler,
    TestSize,
};

fn main() {
    divan::main();
}

const ROWS: [usize; 2] = [1_000_000, 100_000];
const SEED: u32 = 42;

fn moons(n: usize) -> Dataset {
    make_moons(n, Some(0.125), true, SEED).unwrap()
}

fn circles(n: usize) -> Dataset {
    make_circles(n, Some(0.125), 0.8, true, SEED).unwrap()
}

fn blobs(n: usize) -> Dataset {
    let centers = Centers::Random {
        count: 3,
        n_features: 2,
    };
    make_blobs(n, &centers, 1.0, (-10.0, 10.0), true, SEED).unwrap()
}

/// The whole pipeline, returning everything it made (so that nothing is optimised away, and the
/// arrays are freed outside the timing, as a Python caller's would be after its timer stops).
fn pipeline(make: fn(usize) -> Dataset, n: usize) -> impl Sized {
    let data = make(n);
    let split = train_test_split(n, TestSize::Fraction(0.2), true, SEED).unwrap();
    let (train, test) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train.features).unwrap();
    let x_test = scaler.transform(&test.features).unwrap();
    (data, split, train, test, x_train, x_test)
}

#[divan::bench(args = ROWS, sample_count = 15, sample_size = 1)]
fn moons_split_scale(bencher: divan::Bencher, n: usize) {
    bencher.bench(|| pipeline(moons, n));
}

#[divan::bench(args = ROWS, sample_count = 15, sample_size = 1)]
fn circles_split_scale(bencher: divan::Bencher, n: usize) {
    bencher.bench(|| pipeline(circles, n));
}

#[divan::bench(args = ROWS, sample_count = 15, sample_size = 1)]
fn blobs_split_scale(bencher: divan::Bencher, n: usize) {
    bencher.bench(|| pipeline(blobs, n));
}

/// The stages of the moons pipeline at 1,000,000 rows on their own, to see where the time goes.
mod stages {
    use super::*;

    const N: usize = 1_000_000;

    #[divan::bench(sample_count = 15, sample_size = 1)]
    fn make_moons_only() -> Dataset {
        moons(N)
    }

    #[divan::bench(sample_count = 15, sample_size = 1)]
    fn split_indices(bencher: divan::Bencher) {
        bencher.bench(|| train_test_split(N, TestSize::Fraction(0.2), true, SEED).unwrap());
    }

    #[divan::bench(sample_count = 15, sample_size = 1)]
    fn split_rows(bencher: divan::Bencher) {
        let data = moons(N);
        let split = train_test_split(N, TestSize::Fraction(0.2), true, SEED).unwrap();
        bencher.bench(|| data.split(&split));
    }

    #[divan::bench(sample_count = 15, sample_size = 1)]
    fn scaler_fit_transform(bencher: divan::Bencher) {
        let data = moons(N);
        let split = train_test_split(N, TestSize::Fraction(0.2), true, SEED).unwrap();
        let (train, test) = data.split(&split);
        bencher.bench(|| {
            let (scaler, x_train) = StandardScaler::fit_transform(&train.features).unwrap();
            (x_train, scaler.transform(&test.features).unwrap())
        });
    }
}
