//! `nnlab train`: the notebook's training cell from the command line, with its files.
//!
//! Order of work: resolve and check every setting, build the data (generate or read, split, scale),
//! then one run ([`run_reporting`]): train while printing the epoch lines, and write `history.csv`,
//! `model.safetensors`, `run.json` and the figures into the run folder.

use nnlab_app::figures::skipped_note;
use nnlab_app::{check_stop, run_folder, Existing, Output};

use crate::args::TrainArgs;
use crate::flags::{extra_figures, figure_options, run_config};
use crate::progress::run_reporting;
use crate::usage::usage;

/// A run.json being replayed: the keys its config holds, and the options typed on the command
/// line (which may stand in for a missing key).
pub struct Replay {
    pub name: String,
    pub keys: nnlab_app::config_file::Replay,
    pub typed: std::collections::BTreeSet<String>,
}

pub fn run(args: &TrainArgs, replay: Option<&Replay>) -> anyhow::Result<()> {
    if args.log_every == 0 {
        return Err(usage(
            "--log-every must be at least 1 (use --quiet to print no epoch lines)",
        ));
    }
    let mut settings = run_config(args)?;
    settings.train_config()?;
    settings.max_data_bytes = args.max_data_mb.map(|mb| mb.saturating_mul(1_000_000));
    settings.data_sha256 = args.data_sha256.clone();
    settings.max_memory_gb = args.max_memory;
    let prepared = settings.prepare()?;
    if let Some(replay) = replay {
        replay
            .keys
            .check_complete(&replay.name, &settings, |key| replay.typed.contains(key))?;
    }
    let spec = settings.model_spec(prepared.dataset.n_features(), prepared.train.task())?;
    let extras = extra_figures(&args.figures);
    if args.no_figures && extras != Default::default() {
        return Err(usage(
            "--animate and --hidden-space draw figures: leave out --no-figures to have them",
        ));
    }
    extras.check(&prepared, spec.hidden())?;
    let out = run_folder(args.out.as_deref(), None, existing(args.force))?;

    let output = Output {
        figures: (!args.no_figures).then(|| figure_options(&args.figures)),
        dataset_figure: true,
        command: "train",
    };
    let finished = run_reporting(
        &settings,
        &prepared,
        &out,
        &output,
        args.quiet,
        args.log_every,
        &extras,
    )?;
    check_stop(&finished, &out, settings.lr)?;
    if !args.quiet {
        if let Some(last) = finished.history.last() {
            let metrics = match (last.train_accuracy, last.test_accuracy, last.test_loss) {
                (Some(train), Some(test), _) => {
                    format!("train accuracy {train:.4}, test accuracy {test:.4}")
                }
                (_, _, Some(test_loss)) => format!("test loss {test_loss:.4}"),
                _ => String::new(),
            };
            let epochs = last.epoch + 1;
            eprintln!(
                "{} after {epochs} epoch{}: loss {:.4}, {metrics}",
                finished.spec.describe(),
                if epochs == 1 { "" } else { "s" },
                last.loss,
            );
        }
        eprintln!("Trained on the {}", finished.implementation);
        if let Some(note) = skipped_note(&prepared).filter(|_| !args.no_figures) {
            eprintln!("note: {note}");
        }
        if let Some(gif) = &finished.animation {
            eprintln!("{}", describe_animation(gif));
        }
        eprintln!("Wrote {}: {}", out.display(), finished.files.join(", "));
    }
    Ok(())
}

/// "boundary.gif: 20 frames (every epoch), 143 KB, drawn in 0.41 s".
pub fn describe_animation(gif: &nnlab_app::learning::AnimationSummary) -> String {
    let every = match gif.every {
        1 => "every epoch".to_string(),
        k => format!("every {k} epochs and the last"),
    };
    format!(
        "boundary.gif: {} frames ({every}), {} KB, drawn in {:.2} s",
        gif.frames,
        gif.bytes.div_ceil(1000),
        gif.time.as_secs_f64()
    )
}

/// `--force`: replace a run already in --out.
pub fn existing(force: bool) -> Existing {
    if force {
        Existing::Replace
    } else {
        Existing::Refuse
    }
}
