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
            let mut replay = None;
            if let Some(path) = args.config.clone() {
                let typed = matches
                    .subcommand_matches("train")
                    .expect("the train command was parsed");
                let loaded = crate::config::load(&path)?;
                crate::config::apply(loaded.file, &mut args, typed)?;
                replay = loaded.replay.map(|replay| train::Replay {
                    name: format!("--config {}", path.display()),
                    typed: typed
                        .ids()
                        .filter(|id| {
                            typed.value_source(id.as_str())
                                == Some(clap::parser::ValueSource::CommandLine)
                        })
                        .map(|id| id.as_str().to_string())
                        .collect(),
                    keys: replay,
                });
            }
            crate::progress::catch_ctrl_c();
            train::run(&args, replay.as_ref())
        }
        Command::Notebook(args) => {
            crate::progress::catch_ctrl_c();
            notebook::run(&args)
        }
        Command::Plot(args) => plot::run(&args),
        Command::Sweep(args) => {
            crate::progress::catch_ctrl_c();
            sweep::run(&args)
        }
        Command::Serve(args) => serve::run(&args),
    }
}
