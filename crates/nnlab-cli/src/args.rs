//! The command line, as clap types. Parsing only: building datasets from these lives in `commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// nnlab: a lab for small neural networks, built from an introductory notebook.
#[derive(Debug, Parser)]
#[command(name = "nnlab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a dataset (scikit-learn's make_moons, make_circles or make_blobs, bit for bit) as CSV.
    #[command(after_help = DATA_EXAMPLES)]
    Data(DataArgs),
}

const DATA_EXAMPLES: &str = "\
Examples:
  nnlab data --samples 5                       # the notebook's moons (noise 0.125, seed 42), 5 rows
  nnlab data circles --factor 0.5 -o circles.csv
  nnlab data blobs --centers 4 --cluster-std 0.7 --seed 1
  nnlab data --test-size 0.2 -o moons.csv      # adds a split column, as train_test_split(seed)";

/// The toy datasets nnlab can generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Generator {
    /// Two interleaving half circles (sklearn.datasets.make_moons).
    Moons,
    /// A small circle inside a large one (sklearn.datasets.make_circles).
    Circles,
    /// Gaussian clouds around centers (sklearn.datasets.make_blobs).
    Blobs,
}

#[derive(Debug, Args)]
pub struct DataArgs {
    /// Which dataset to make.
    #[arg(value_enum, default_value_t = Generator::Moons)]
    pub generator: Generator,

    #[command(flatten)]
    pub dataset: DatasetArgs,

    /// Add a `split` column (train/test) as train_test_split(test_size, random_state=seed) would:
    /// a share in (0, 1) such as 0.2, or a row count such as 200.
    #[arg(long, value_name = "F", allow_negative_numbers = true, value_parser = parse_test_size)]
    pub test_size: Option<TestSizeArg>,

    /// Write the CSV to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options shared by every command that makes a dataset.
#[derive(Debug, Args)]
pub struct DatasetArgs {
    /// Number of rows.
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=nnlab_data::MAX_SAMPLES as u64))]
    pub samples: u64,

    /// Standard deviation of the Gaussian noise added to moons and circles [default: 0.125].
    #[arg(long, value_name = "F", allow_negative_numbers = true, value_parser = parse_non_negative)]
    pub noise: Option<f64>,

    /// Seed of numpy's RandomState for the data (and the split), 0 to 4294967295.
    #[arg(
        long,
        value_name = "S",
        allow_negative_numbers = true,
        default_value_t = 42
    )]
    pub seed: u32,

    /// Circles only: radius of the inner circle relative to the outer one, in [0, 1) [default: 0.8].
    #[arg(long, value_name = "F", allow_negative_numbers = true, value_parser = parse_non_negative)]
    pub factor: Option<f64>,

    /// Blobs only: number of clusters [default: 3].
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub centers: Option<u64>,

    /// Blobs only: standard deviation of each cluster [default: 1.0].
    #[arg(long, value_name = "F", allow_negative_numbers = true, value_parser = parse_non_negative)]
    pub cluster_std: Option<f64>,

    /// Blobs only: number of features (columns) [default: 2].
    #[arg(long, value_name = "D", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub features: Option<u64>,

    /// Keep the generator's row order (all of class 0, then class 1, ...).
    #[arg(long)]
    pub no_shuffle: bool,
}

/// `--test-size` as typed: a share (has a `.` or exponent) or a row count (digits only).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TestSizeArg {
    Fraction(f64),
    Count(usize),
}

fn parse_test_size(text: &str) -> Result<TestSizeArg, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map(TestSizeArg::Count)
            .map_err(|_| format!("{text} is too large a row count"));
    }
    match text.parse::<f64>() {
        Ok(share) if share > 0.0 && share < 1.0 => Ok(TestSizeArg::Fraction(share)),
        Ok(_) => Err(format!(
            "{text} is not a share strictly between 0 and 1 (e.g. 0.2) nor a row count (e.g. 200)"
        )),
        Err(_) => Err(format!(
            "{text:?} is not a number: give a share such as 0.2 or a row count such as 200"
        )),
    }
}

fn parse_non_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        Ok(value) => Err(format!("{value} is not allowed: give a finite number >= 0")),
        Err(_) => Err(format!("{text:?} is not a number")),
    }
}
