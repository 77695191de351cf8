//! `nnlab`: a lab for small neural networks. This file only parses the command line, sets up the
//! heap ([`heap`]), runs the command and turns its error into a message and an exit status (2 for
//! bad input, 1 otherwise).

/// `println!` that never panics: when the reader of standard output has gone away (`nnlab train
/// | head -1`), the line is dropped and the work goes on — the run still keeps its files.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod args;
mod commands;
mod config;
mod flags;
mod heap;
mod progress;
mod report;
mod usage;

use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    let matches = args::command().get_matches();
    let cli = args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // Not for the server (it runs for hours and should give memory back) nor a sweep (its runs
    // allocate on every core at once): see heap.rs.
    if !matches!(
        cli.command,
        args::Command::Serve(_) | args::Command::Sweep(_)
    ) {
        // SAFETY: no thread has started yet (clap starts none; the commands start theirs).
        if unsafe { heap::use_large_pages() } {
            // The figures' pixels then reuse what the run freed before them.
            nnlab_plot::take_canvases_from_heap();
        }
    }
    match commands::run(cli, &matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if usage::is_broken_pipe(&error) {
                return ExitCode::SUCCESS; // the reader went away (`nnlab data | head`): not an error
            }
            // A run the person stopped (Ctrl-C) did what was asked of it: not an error.
            let label = if usage::exit_status(&error) == 130 {
                "stopped"
            } else {
                "error"
            };
            eprintln!("{label}: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(usage::exit_status(&error))
        }
    }
}
