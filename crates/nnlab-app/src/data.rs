//! Turning dataset options into data: a generated dataset (`--dataset`, `--samples`, ...) or a CSV
//! file (`--data`), then the notebook's split and scaling for training.

use std::path::Path;

use nnlab_core::{Task, TrainData};
use nnlab_data::{
    csv_io, make_blobs, make_circles, make_gauss, make_moons, make_multi_gauss, make_plane,
    make_spiral, make_xor, train_test_split, Centers, Dataset, RegressionData, Split,
    StandardScaler, TestSize,
};

use crate::options::{DatasetOptions, Generator};
use crate::usage;
use crate::{failed, Result};

/// The notebook's noise for make_moons, used for circles too unless `--noise` says otherwise.
pub const DEFAULT_NOISE: f64 = 0.125;
/// scikit-learn's defaults for the other generators.
pub const DEFAULT_FACTOR: f64 = 0.8;
pub const DEFAULT_CENTERS: u64 = 3;
pub const DEFAULT_CLUSTER_STD: f64 = 1.0;
pub const DEFAULT_FEATURES: u64 = 2;
pub const CENTER_BOX: (f64, f64) = (-10.0, 10.0);

/// Refuses options that do not apply to the generator (`--factor` for moons, ...).
pub fn check_options(generator: Generator, opts: &DatasetOptions) -> Result<()> {
    let not_for = |flag: &str, given: bool, only: &str| -> Result<()> {
        if given {
            return Err(usage(format!(
                "{flag} does not apply to {}: it is for {only} only",
                generator.name()
            )));
        }
        Ok(())
    };
    let blob_flags = [
        ("--centers", opts.centers.is_some()),
        ("--cluster-std", opts.cluster_std.is_some()),
        ("--features", opts.features.is_some()),
    ];
    if generator != Generator::Spiral {
        not_for("--classes", opts.classes.is_some(), "spiral")?;
    }
    match generator {
        Generator::Moons => {
            not_for("--factor", opts.factor.is_some(), "circles")?;
            for (flag, given) in blob_flags {
                not_for(flag, given, "blobs")?;
            }
        }
        Generator::Circles => {
            for (flag, given) in blob_flags {
                not_for(flag, given, "blobs")?;
            }
        }
        Generator::Blobs => {
            not_for(
                "--noise",
                opts.noise.is_some(),
                "moons, circles and the Playground's datasets (blobs use --cluster-std)",
            )?;
            not_for("--factor", opts.factor.is_some(), "circles")?;
        }
        _ => {
            not_for("--factor", opts.factor.is_some(), "circles")?;
            for (flag, given) in blob_flags {
                not_for(flag, given, "blobs")?;
            }
        }
    }
    Ok(())
}

/// Builds the dataset the options describe, refusing options that do not apply to the generator.
pub fn generate(generator: Generator, opts: &DatasetOptions, seed: u32) -> Result<Dataset> {
    check_options(generator, opts)?;
    let n = opts.samples as usize;
    let shuffle = !opts.no_shuffle;
    let noise = Some(opts.noise.unwrap_or(DEFAULT_NOISE));
    let playground_noise = opts.noise.unwrap_or(0.0); // the Playground's slider starts at 0
    let regression = |made: std::result::Result<RegressionData, nnlab_data::DataError>| {
        made.and_then(|data| Dataset::regression(data.features, data.targets))
    };
    let made = match generator {
        Generator::Xor => make_xor(n, playground_noise, shuffle, seed),
        Generator::Gauss => make_gauss(n, playground_noise, shuffle, seed),
        Generator::Spiral => {
            let classes = opts.classes.unwrap_or(2) as usize;
            make_spiral(n, playground_noise, classes, shuffle, seed)
        }
        Generator::Plane => regression(make_plane(n, playground_noise, shuffle, seed)),
        Generator::MultiGauss => regression(make_multi_gauss(n, playground_noise, shuffle, seed)),
        Generator::Moons => make_moons(n, noise, shuffle, seed),
        Generator::Circles => {
            let factor = opts.factor.unwrap_or(DEFAULT_FACTOR);
            make_circles(n, noise, factor, shuffle, seed)
        }
        Generator::Blobs => {
            let centers = Centers::Random {
                count: opts.centers.unwrap_or(DEFAULT_CENTERS) as usize,
                n_features: opts.features.unwrap_or(DEFAULT_FEATURES) as usize,
            };
            let std = opts.cluster_std.unwrap_or(DEFAULT_CLUSTER_STD);
            make_blobs(n, &centers, std, CENTER_BOX, shuffle, seed)
        }
    };
    let made = made.map_err(|e| usage(e.to_string()))?;
    // A huge --noise or --cluster-std (1e308) draws points past the largest float.
    if made.features.iter().any(|v| !v.is_finite()) {
        let flag = match generator {
            Generator::Blobs => format!(
                "--cluster-std {:?}",
                opts.cluster_std.unwrap_or(DEFAULT_CLUSTER_STD)
            ),
            _ => format!("--noise {:?}", opts.noise.unwrap_or(DEFAULT_NOISE)),
        };
        return Err(usage(format!(
            "{flag}: the generated points overflow a float (some are infinite); give a smaller value"
        )));
    }
    Ok(made)
}

/// Reads a dataset CSV, naming the file in every error.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<(csv_io::CsvDataset, String)> {
    use std::io::Read;
    let named = |message: String| usage(format!("--data {}: {message}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| named(format!("cannot open it: {e}")))?;
    if file.metadata().is_ok_and(|meta| meta.is_dir()) {
        return Err(named("it is a folder; give a CSV file".into()));
    }
    // Read at most one byte past the limit: enough to tell a file over it (or an endless one,
    // /dev/zero) without holding more.
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| named(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > max_bytes {
        return Err(named(format!(
            "it is larger than the limit of {} MB for a data file; give --max-data-mb to raise it",
            max_bytes / 1_000_000
        )));
    }
    let sha256 = crate::files::sha256_hex(&bytes);
    let dataset = csv_io::read_csv(bytes.as_slice()).map_err(|e| named(format!("{e}")))?;
    Ok((dataset, sha256))
}

/// The most bytes a `--data` file may have unless `--max-data-mb` says otherwise: 1 GB, some 40
/// million rows of two features, far past what the engines train in a session, and well within
/// memory.
pub const DEFAULT_MAX_DATA_BYTES: u64 = 1_000_000_000;

/// `train_test_split(X, y, test_size, random_state=seed)`, with the flag named in errors.
pub fn split(data: &Dataset, size: TestSize, seed: u32) -> Result<Split> {
    train_test_split(data.n_samples(), size, true, seed)
        .map_err(|e| usage(format!("--test-size: {e}")))
}

/// The notebook's data cell after the split: StandardScaler fitted on the training rows, applied
/// to both; the labels become the task's targets (class indices, or values for a regression).
pub fn scaled_train_data(
    data: &Dataset,
    split: &Split,
    task: Task,
) -> Result<(TrainData, StandardScaler)> {
    let (mut train, mut test) = data.split(split);
    // The split's rows are copies: they are scaled where they are.
    let scaler =
        StandardScaler::fit(&train.features).map_err(failed("scaling the training rows"))?;
    scaler
        .transform_in_place(&mut train.features)
        .map_err(failed("scaling the training rows"))?;
    scaler
        .transform_in_place(&mut test.features)
        .map_err(failed("scaling the test rows"))?;
    let x_train = std::mem::take(&mut train.features);
    let x_test = std::mem::take(&mut test.features);
    // Finite values whose spread overflows (1e308 beside -1e308) scale to inf, NaN or values
    // that no standardisation gives (a standardised training value is at most √(n−1) from 0):
    // say so here, rather than let the first epoch's blow-up be blamed on the learning rate.
    let bound = (x_train.nrows() as f64).sqrt() + 1.0;
    if let Some(column) = (0..scaler.mean.len()).find(|&j| {
        !(scaler.mean[j].is_finite() && scaler.scale[j].is_finite())
            || x_train
                .column(j)
                .iter()
                .any(|v| v.is_nan() || v.abs() > bound)
            || x_test.column(j).iter().any(|v| !v.is_finite())
    }) {
        return Err(usage(format!(
            "the network's input x{column} cannot be standardised: its values are so large that their mean, spread or scaled values overflow a float (mean {:?}, std {:?} over the training rows); divide that column by a power of ten first",
            scaler.mean[column], scaler.scale[column]
        )));
    }
    let data = TrainData::with_task(
        x_train,
        train.targets().into(),
        x_test,
        test.targets().into(),
        task,
    )
    .map_err(|e| usage(format!("the data does not fit the task: {e}")))?;
    Ok((data, scaler))
}
