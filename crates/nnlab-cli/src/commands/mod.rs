//! One module per subcommand; each turns parsed arguments into work and output.

mod data;
mod explain;
mod notebook;
mod plot;
mod serve;
mod sweep;
mod train;

use std::collections::BTreeSet;

use crate::args::{Cli, Command};

/// Runs the parsed command line (`matches` tells which options were typed, for `--config`).
pub fn run(cli: Cli, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    match cli.command {
        Command::Data(args) => data::run(&args),
        Command::Train(mut args) => {
            let typed = matches
                .subcommand_matches("train")
                .expect("the train command was parsed");
            let mut replay = None;
            let mut keys = BTreeSet::new();
            if let Some(path) = args.config.clone() {
                let loaded = crate::config::load(&path)?;
                keys = loaded.keys;
                crate::config::apply(loaded.file, &mut args, typed)
                    .map_err(|e| from_config(e, &path, &keys, typed))?;
                replay = loaded.replay.map(|replay| train::Replay {
                    name: format!("--config {}", path.display()),
                    typed: typed
                        .ids()
                        .map(|id| id.as_str())
                        .filter(|id| typed_here(typed, id))
                        .map(str::to_string)
                        .collect(),
                    keys: replay,
                });
            }
            crate::progress::catch_ctrl_c();
            let result = train::run(&args, replay.as_ref());
            match &args.config {
                Some(path) => result.map_err(|e| from_config(e, path, &keys, typed)),
                None => result,
            }
        }
        Command::Explain(mut args) => {
            let typed = matches
                .subcommand_matches("explain")
                .expect("the explain command was parsed");
            let Some(path) = args.run.config.clone() else {
                return explain::run(&args, typed);
            };
            let loaded = crate::config::load(&path)?;
            let keys = loaded.keys;
            crate::config::apply(loaded.file, &mut args.run, typed)
                .map_err(|e| from_config(e, &path, &keys, typed))?;
            explain::run(&args, typed).map_err(|e| from_config(e, &path, &keys, typed))
        }
        Command::Notebook(args) => {
            crate::progress::catch_ctrl_c();
            notebook::run(&args)
        }
        Command::Plot(args) => plot::run(&args),
        Command::Sweep(command) => sweep::run(&command),
        Command::Serve(args) => serve::run(&args),
    }
}

/// Whether the command line gave option `id` (not a default, not a config file).
fn typed_here(typed: &clap::ArgMatches, id: &str) -> bool {
    typed.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
}

/// A refusal about a value that the config file set (`--lr -0.5: ...`), said of the file and its
/// key: the person never typed that flag.
fn from_config(
    error: anyhow::Error,
    path: &std::path::Path,
    keys: &BTreeSet<String>,
    typed: &clap::ArgMatches,
) -> anyhow::Error {
    let message = error.to_string();
    let key = message
        .strip_prefix("--")
        .and_then(|rest| rest.split([' ', ':', '=']).next())
        .map(|flag| flag.replace('-', "_"));
    match key {
        Some(key)
            if crate::usage::exit_status(&error) == 2
                && keys.contains(&key)
                && !typed_here(typed, &key) =>
        {
            crate::usage::usage(format!(
                "--config {}: {key} in the file: {message}",
                path.display()
            ))
        }
        _ => error,
    }
}
