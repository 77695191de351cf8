//! One module per subcommand; each turns parsed arguments into work and output.

mod data;
mod notebook;
mod plot;
mod serve;
mod sweep;
mod train;

use crate::args::{Cli, Command};

/// Runs the parsed command line (`matches` tells which options were typed, for `--config`).
pub fn run(cli: Cli, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    match cli.command {
        Command::Data(args) => data::run(&args),
        Command::Train(mut args) => {
            if let Some(path) = args.config.clone() {
                let typed = matches
                    .subcommand_matches("train")
                    .expect("the train command was parsed");
                crate::config::apply(crate::config::load(&path)?, &mut args, typed)?;
            }
            crate::progress::catch_ctrl_c();
            train::run(&args)
        }
        Command::Notebook(args) => {
            crate::progress::catch_ctrl_c();
            notebook::run(&args)
        }
        Command::Plot(args) => plot::run(&args),
        Command::Sweep(args) => sweep::run(&args),
        Command::Serve(args) => serve::run(&args),
    }
}
