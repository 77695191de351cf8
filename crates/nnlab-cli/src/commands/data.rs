//! `nnlab data`: make a dataset and write it as CSV.

use nnlab_data::csv_io;

use crate::args::DataArgs;
use crate::dataset::{generate, split, test_size};
use crate::files::write_output;

pub fn run(args: &DataArgs) -> anyhow::Result<()> {
    let data = generate(args.generator, &args.dataset, args.seed)?;
    let split = match args.test_size {
        None => None,
        Some(size) => Some(split(&data, test_size(size), args.seed)?),
    };
    let mut bytes = Vec::new();
    csv_io::write_csv(&mut bytes, &data, split.as_ref())?;
    write_output(args.output.as_deref(), &bytes)
}
