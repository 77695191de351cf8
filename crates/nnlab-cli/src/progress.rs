//! What a person sees while a run trains: the notebook's epoch lines, and — on a terminal, for runs
//! longer than about a second — a progress bar with the epoch, loss and accuracy. Ctrl-C asks the
//! run to stop after the current epoch.

use std::io::IsTerminal;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nnlab_core::EpochRecord;

/// Set by Ctrl-C, SIGTERM or SIGHUP; training checks it after every epoch.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// How many of those signals came.
static SIGNALS: AtomicUsize = AtomicUsize::new(0);

/// Makes Ctrl-C (SIGINT), SIGTERM (what `timeout`, docker and systemd send) and SIGHUP (a closed
/// terminal) stop training cleanly instead of killing the process: the first says so at once and
/// stops after the current epoch — or within it, where a full-batch step of the fast path can be
/// dropped before its update ([`nnlab_core::cancel`]) — and the run then writes its history,
/// model, figures and run.json;
/// a second is told that the run is still being finished and written; a third quits at once,
/// for a person who would rather lose the unfinished files than wait.
pub fn catch_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        nnlab_core::cancel::request();
        let message = match SIGNALS.fetch_add(1, Ordering::SeqCst) {
            0 => "stopping: after this epoch, or at once where the fast path can drop the epoch's step unfinished; the run is kept (a third signal quits at once, keeping what is written by then: history.csv and the model come first)",
            1 => "still stopping: finishing the epoch and writing the run folder (a third signal quits at once, and what is unwritten is lost)",
            _ => std::process::exit(130),
        };
        let _ = writeln!(std::io::stderr(), "\n{message}");
    });
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// How long a run goes before its progress bar appears.
const BAR_AFTER: Duration = Duration::from_secs(1);
/// How often the bar redraws itself between epochs.
const TICK: Duration = Duration::from_millis(200);

/// The bar's short form of the epoch's numbers: "loss 0.2705 · acc 0.878/0.877" (train/test), or
/// a regression's "loss 0.0397 · test 0.0565".
fn bar_metrics(record: &EpochRecord) -> String {
    match (
        record.train_accuracy,
        record.test_accuracy,
        record.test_loss,
    ) {
        (Some(train), Some(test), _) => {
            format!("loss {:.4} · acc {train:.3}/{test:.3}", record.loss)
        }
        (_, _, Some(test_loss)) => format!("loss {:.4} · test {test_loss:.4}", record.loss),
        _ => format!("loss {:.4}", record.loss),
    }
}

/// The epoch lines and the progress bar of one training run.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
    /// Draw a bar at all: stderr is a terminal and the run is not quiet.
    may_show: bool,
    quiet: bool,
}

impl Progress {
    /// A reporter for a run of `epochs` epochs.
    pub fn new(epochs: usize, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(epochs as u64), ProgressDrawTarget::hidden());
        // One line that fits an 80-column terminal: the bar takes what the rest leaves. The
        // spinner and the times move between epochs too (a steady tick), so a run of a few long
        // epochs does not look stuck.
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} epoch {pos}/{len} {wide_bar:.cyan/blue} {msg} {elapsed}, {eta} left",
            )
            .expect("the template is valid"),
        );
        Progress {
            bar,
            started: Instant::now(),
            shown: false,
            may_show: !quiet && std::io::stderr().is_terminal(),
            quiet,
        }
    }

    /// After each epoch: print `line` (if any) and move the bar.
    pub fn epoch(&mut self, record: &EpochRecord, line: Option<String>) {
        if !self.shown && self.may_show && self.started.elapsed() >= BAR_AFTER {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(TICK);
            self.shown = true;
        }
        if let Some(line) = line.filter(|_| !self.quiet) {
            self.bar.suspend(|| say!("{line}"));
        }
        self.bar.set_position(record.epoch as u64 + 1);
        if self.shown {
            self.bar.set_message(bar_metrics(record));
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// One run of the run library, reported as `nnlab train` does: the notebook's epoch line every
/// `log_every` epochs, a progress bar on a terminal for runs over a second, and Ctrl-C stopping
/// after the current epoch (the run then keeps and writes what it did).
pub fn run_reporting(
    settings: &nnlab_app::RunConfig,
    prepared: &nnlab_app::Prepared,
    out: &std::path::Path,
    output: &nnlab_app::Output,
    quiet: bool,
    log_every: usize,
    extras: &nnlab_app::learning::ExtraFigures,
) -> anyhow::Result<nnlab_app::Finished> {
    let mut progress = Progress::new(settings.epochs, quiet);
    let finished = nnlab_app::run_training_with(
        settings,
        prepared,
        out,
        output,
        extras,
        |record, _engine| {
            let line = (record.epoch % log_every == 0)
                .then(|| crate::report::epoch_line(settings.engine, record));
            progress.epoch(record, line);
            if interrupted() {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        },
    );
    progress.finish();
    Ok(finished?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The widest line the bar draws, with its bar left out (it takes the width that is left):
    /// under 80 columns with room for a bar of a few, so it never wraps on an 80-column terminal.
    /// (A run of 200 epochs reads "⠁ epoch 120/200 ▕bar▏ loss 0.3012 · acc 0.869/0.875 2s, 1s
    /// left": about 50 columns and the bar.)
    #[test]
    fn the_bar_line_fits_80_columns_without_its_bar() {
        let record = EpochRecord {
            epoch: 99_999_998,
            loss: 1234.5678,
            train_accuracy: Some(0.8781),
            test_accuracy: Some(0.8766),
            test_loss: None,
            weight_norms: vec![1.0, 2.0],
        };
        let msg = bar_metrics(&record);
        assert_eq!(msg, "loss 1234.5678 · acc 0.878/0.877");
        // "{spinner} epoch {pos}/{len} {wide_bar} {msg} {elapsed}, {eta} left" at its widest:
        // indicatif's {elapsed} and {eta} are like "59s", "59m", "23h" or "999d".
        let line = format!("⠁ epoch 99999999/100000000  {msg} 999d, 999d left");
        assert!(
            line.chars().count() <= 77,
            "{} columns",
            line.chars().count()
        );
    }
}
