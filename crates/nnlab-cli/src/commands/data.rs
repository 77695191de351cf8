//! `nnlab data`: make a dataset and write it as CSV.

use nnlab_data::csv_io;

use nnlab_app::data::{generate, split};
use nnlab_app::files::write_output;
use nnlab_app::TestSizeValue;

use crate::args::DataArgs;
use crate::flags::{dataset_options, test_size_value};

pub fn run(args: &DataArgs) -> anyhow::Result<()> {
    let data = generate(args.generator, &dataset_options(&args.dataset), args.seed)?;
    let split = match args.test_size.map(test_size_value) {
        None => None,
        Some(size) => Some(split(&data, TestSizeValue::into(size), args.seed)?),
    };
    let mut bytes = Vec::new();
    csv_io::write_csv(&mut bytes, &data, split.as_ref())?;
    write_output(args.output.as_deref(), &bytes)?;
    if let Some(path) = &args.output {
        // Standard output carries the data when there is no -o; with one, say where it went.
        let columns = match &split {
            Some(_) => "x0,x1,...,label,split",
            None => "x0,x1,...,label",
        };
        eprintln!(
            "Wrote {} rows ({columns}) to {}",
            data.n_samples(),
            path.display()
        );
    }
    Ok(())
}
