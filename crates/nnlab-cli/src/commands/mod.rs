//! One module per subcommand; each turns parsed arguments into work and output.

mod data;
mod plot;
mod train;

use crate::args::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Data(args) => data::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Plot(args) => plot::run(&args),
    }
}
