//! Datasets for nnlab, reproducing scikit-learn and numpy **bit for bit** for the same seed.
//!
//! - [`RandomState`]: numpy's legacy generator (`np.random.seed` / `random_state=`).
//! - [`make_moons`], [`make_circles`], [`make_blobs`]: scikit-learn's toy generators.
//! - [`train_test_split`] and [`StandardScaler`]: scikit-learn's split and scaler.
//! - [`Dataset`]: features (n×d, f64) with integer labels, and its CSV form ([`csv_io`]).
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
mod numpy;
mod rng;
mod scaler;
mod split;

pub use dataset::Dataset;
pub use error::{CsvProblem, DataError};
pub use generators::{make_blobs, make_circles, make_moons, Centers, MAX_SAMPLES};
pub use rng::RandomState;
pub use scaler::StandardScaler;
pub use split::{train_test_split, Split, TestSize};
