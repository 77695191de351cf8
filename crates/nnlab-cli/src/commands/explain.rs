//! `nnlab explain`: one training step of `train`'s settings, taken apart on a few rows (see
//! [`nnlab_app::explain`]), written as text or Markdown to standard output or `-o FILE`.

use nnlab_app::explain::{explain, render::render};
use nnlab_app::files::write_output;

use crate::args::ExplainArgs;
use crate::flags::run_config;
use crate::usage::usage;

pub fn run(args: &ExplainArgs, typed: &clap::ArgMatches) -> anyhow::Result<()> {
    if super::typed_here(typed, "out") {
        return Err(usage(
            "--out: explain writes no run folder; give -o FILE to write the explanation to a file",
        ));
    }
    let mut settings = run_config(&args.run)?;
    settings.train_config()?;
    settings.max_data_bytes = args.run.max_data_mb.map(|mb| mb.saturating_mul(1_000_000));
    settings.data_sha256 = args.run.data_sha256.clone();
    let prepared = settings.prepare()?;
    let explanation = explain(&settings, &prepared, &args.rows)?;
    let document = render(&explanation, args.format);
    write_output(args.output.as_deref(), document.as_bytes())?;
    Ok(())
}
