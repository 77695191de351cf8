//! Datasets for nnlab, reproducing scikit-learn and numpy **bit for bit** for the same seed.
//!
//! - [`RandomState`]: numpy's legacy generator (`np.random.seed` / `random_state=`).
//! - [`make_moons`], [`make_circles`], [`make_blobs`]: scikit-learn's toy generators.
//! - [`train_test_split`] and [`StandardScaler`]: scikit-learn's split and scaler.
//! - [`Dataset`]: features (n×d, f64) with integer labels, and its CSV form ([`csv_io`]).
//! - [`make_xor`], [`make_gauss`], [`make_spiral`], [`make_plane`], [`make_multi_gauss`]:
//!   TensorFlow Playground's datasets on the same generator, reproducible with numpy
//!   ([`RegressionData`] for the last two).
//! - [`InputFeature`] and [`inputs`]: the Playground's input features (`x0`, `x0^2`, `x0*x1`,
//!   `sin(x0)`, …) parsed from text and computed from a dataset's columns.
//!
//! At scale (a million rows) the generators, the split and the scaler draw and compute in bulk, on
//! all cores, and still give numpy's bits whatever the number of threads: see the `rng` and
//! `generators` modules for how, `tests/large_parity.rs` for the proof against scikit-learn, and
//! `benches/generate.rs` with `bench/data_peers.py` for the timings.
//!
//! The notebook's data cell is, in nnlab terms:
//!
//! ```
//! use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};
//! # fn main() -> Result<(), nnlab_data::DataError> {
//! let data = make_moons(1000, Some(0.125), true, 42)?;
//! let split = train_test_split(data.n_samples(), TestSize::Fraction(0.2), true, 42)?;
//! let (train, test) = data.split(&split);
//! let scaler = StandardScaler::fit(&train.features)?;
//! let x_train_scaled = scaler.transform(&train.features)?;
//! assert_eq!(x_train_scaled.dim(), (800, 2));
//! # let _ = test; Ok(()) }
//! ```

pub mod csv_io;
mod dataset;
mod error;
mod generators;
pub mod inputs;
mod memory;
mod numpy;
mod par;
mod playground;
mod rng;
mod scaler;
mod split;

pub use dataset::Dataset;
pub use error::{CsvProblem, DataError};
pub use generators::{make_blobs, make_circles, make_moons, Centers, MAX_SAMPLES};
pub use inputs::{parse_inputs, InputFeature};
pub use playground::{
    make_gauss, make_multi_gauss, make_plane, make_spiral, make_xor, RegressionData,
    MAX_PLAYGROUND_NOISE,
};
pub use rng::RandomState;
pub use scaler::StandardScaler;
pub use split::{train_test_split, Split, TestSize};
