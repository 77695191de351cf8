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
            0 => "stopping: after this epoch, or at once where the fast path can drop the epoch's step unfinished; the run is kept (a third signal quits without writing it)",
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
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30.cyan/blue} epoch {pos}/{len} {msg} [{elapsed}, {eta} left]",
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
            self.shown = true;
        }
        if let Some(line) = line.filter(|_| !self.quiet) {
            self.bar.suspend(|| say!("{line}"));
        }
        self.bar.set_position(record.epoch as u64 + 1);
        if self.shown {
            self.bar
                .set_message(crate::report::metrics(record).to_lowercase());
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
) -> anyhow::Result<nnlab_app::Finished> {
    let mut progress = Progress::new(settings.epochs, quiet);
    let finished = nnlab_app::run_training(settings, prepared, out, output, |record, _engine| {
        let line = (record.epoch % log_every == 0)
            .then(|| crate::report::epoch_line(settings.engine, record));
        progress.epoch(record, line);
        if interrupted() {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    });
    progress.finish();
    Ok(finished?)
}
