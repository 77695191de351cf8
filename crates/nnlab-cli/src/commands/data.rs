//! `nnlab data`: make a dataset and write it as CSV.

use nnlab_data::{
    csv_io, make_blobs, make_circles, make_moons, train_test_split, Centers, Dataset, TestSize,
};

use crate::args::{DataArgs, DatasetArgs, Generator, TestSizeArg};
use crate::files::write_output;
use crate::usage::usage;

/// The notebook's noise for make_moons, used for circles too unless `--noise` says otherwise.
const DEFAULT_NOISE: f64 = 0.125;
/// scikit-learn's defaults for the other generators.
const DEFAULT_FACTOR: f64 = 0.8;
const DEFAULT_CENTERS: u64 = 3;
const DEFAULT_CLUSTER_STD: f64 = 1.0;
const DEFAULT_FEATURES: u64 = 2;
const CENTER_BOX: (f64, f64) = (-10.0, 10.0);

pub fn run(args: &DataArgs) -> anyhow::Result<()> {
    let data = generate(args.generator, &args.dataset)?;
    let split = match args.test_size {
        None => None,
        Some(size) => {
            let size = match size {
                TestSizeArg::Fraction(share) => TestSize::Fraction(share),
                TestSizeArg::Count(count) => TestSize::Count(count),
            };
            let split = train_test_split(data.n_samples(), size, true, args.dataset.seed)
                .map_err(|e| usage(format!("--test-size: {e}")))?;
            Some(split)
        }
    };
    let mut bytes = Vec::new();
    csv_io::write_csv(&mut bytes, &data, split.as_ref())?;
    write_output(args.output.as_deref(), &bytes)
}

/// Builds the dataset the options describe, refusing options that do not apply to the generator.
pub fn generate(generator: Generator, opts: &DatasetArgs) -> anyhow::Result<Dataset> {
    let not_for = |flag: &str, given: bool, only: &str| -> anyhow::Result<()> {
        if given {
            return Err(usage(format!(
                "{flag} does not apply to {}: it is for {only} only",
                generator_name(generator)
            )));
        }
        Ok(())
    };
    let blob_flags = [
        ("--centers", opts.centers.is_some()),
        ("--cluster-std", opts.cluster_std.is_some()),
        ("--features", opts.features.is_some()),
    ];
    let n = opts.samples as usize;
    let shuffle = !opts.no_shuffle;
    let noise = Some(opts.noise.unwrap_or(DEFAULT_NOISE));
    let made = match generator {
        Generator::Moons => {
            not_for("--factor", opts.factor.is_some(), "circles")?;
            for (flag, given) in blob_flags {
                not_for(flag, given, "blobs")?;
            }
            make_moons(n, noise, shuffle, opts.seed)
        }
        Generator::Circles => {
            for (flag, given) in blob_flags {
                not_for(flag, given, "blobs")?;
            }
            let factor = opts.factor.unwrap_or(DEFAULT_FACTOR);
            make_circles(n, noise, factor, shuffle, opts.seed)
        }
        Generator::Blobs => {
            not_for(
                "--noise",
                opts.noise.is_some(),
                "moons and circles (blobs use --cluster-std)",
            )?;
            not_for("--factor", opts.factor.is_some(), "circles")?;
            let centers = Centers::Random {
                count: opts.centers.unwrap_or(DEFAULT_CENTERS) as usize,
                n_features: opts.features.unwrap_or(DEFAULT_FEATURES) as usize,
            };
            let std = opts.cluster_std.unwrap_or(DEFAULT_CLUSTER_STD);
            make_blobs(n, &centers, std, CENTER_BOX, shuffle, opts.seed)
        }
    };
    made.map_err(|e| usage(e.to_string()))
}

fn generator_name(generator: Generator) -> &'static str {
    match generator {
        Generator::Moons => "moons",
        Generator::Circles => "circles",
        Generator::Blobs => "blobs",
    }
}
