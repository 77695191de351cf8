//! `nnlab plot DIR`: redraw a run's figures from `run.json`, `history.csv` and `model.safetensors`.

use nnlab_core::History;

use nnlab_app::config::read_run;
use nnlab_app::engines::build_engine;
use nnlab_app::figures::{skipped_note, write_figures};
use nnlab_app::files::{sha256_hex, write_atomically};
use nnlab_app::learning::{render_hidden_figure, replay_animation};
use nnlab_app::model_file::read_parameters;
use nnlab_app::DeviceArg;

use crate::args::PlotArgs;
use crate::flags::{extra_figures, figure_options};
use crate::usage::usage;

pub fn run(args: &PlotArgs) -> anyhow::Result<()> {
    let folder = &args.run;
    if !folder.is_dir() {
        return Err(usage(format!(
            "{} is not a folder: give a run folder written by nnlab train",
            folder.display()
        )));
    }
    let (mut settings, record) = read_run(&folder.join("run.json"))?;
    check_files(folder, &record)?;
    let history_path = folder.join("history.csv");
    let text = std::fs::read_to_string(&history_path)
        .map_err(|e| usage(format!("{}: cannot read it: {e}", history_path.display())))?;
    let history =
        History::from_csv(&text).map_err(|e| usage(format!("{}: {e}", history_path.display())))?;

    let prepared = settings.prepare()?;
    let spec = settings.model_spec(prepared.dataset.n_features(), prepared.train.task())?;
    let model_path = folder.join("model.safetensors");
    let parameters = read_parameters(&model_path)
        .map_err(|e| usage(format!("{}: {e}", model_path.display())))?;
    let options = figure_options(&args.figures);
    let summary = settings.describe(&spec, &prepared, options.lang.into());
    settings.device = DeviceArg::Cpu; // figures are drawn on the CPU, whatever trained the model
    let engine = build_engine(
        &settings,
        &spec,
        &parameters,
        &model_path.display().to_string(),
    )?;

    let extras = extra_figures(&args.figures);
    extras.check(&prepared, spec.hidden())?;
    let mut written = write_figures(
        folder,
        &prepared,
        engine.as_ref(),
        &history,
        summary,
        &options,
        true,
    )?;
    if let Some(projection) = extras.hidden {
        let bytes = render_hidden_figure(&prepared, engine.as_ref(), projection, options.lang)?;
        write_atomically(&folder.join("hidden.png"), &bytes)?;
        written.push("hidden.png".into());
    }
    if let Some(frames) = extras.frames {
        let (bytes, gif) = replay_animation(&settings, &prepared, &text, &options, frames)?;
        write_atomically(&folder.join("boundary.gif"), &bytes)?;
        written.push("boundary.gif".into());
        eprintln!("{}", crate::commands::train::describe_animation(&gif));
    }
    if history.records.is_empty() {
        eprintln!(
            "note: {} has no epochs, so there are no training curves to draw (no training.png)",
            history_path.display()
        );
    }
    if let Some(note) = skipped_note(&prepared) {
        eprintln!("note: {note}");
    }
    eprintln!("Wrote {}: {}", folder.display(), written.join(", "));
    Ok(())
}

/// Refuses a folder whose files are not the ones its run.json was written with (two runs mixed),
/// and a diverged run, which keeps no model to draw.
fn check_files(folder: &std::path::Path, record: &serde_json::Value) -> anyhow::Result<()> {
    let model = folder.join("model.safetensors");
    if let Some(stopped) = record["result"]["stopped"].as_str() {
        if stopped.starts_with("diverged") && !model.exists() {
            return Err(usage(format!(
                "{}: the run {stopped}, so it kept no model to draw (history.csv has the epochs before it); train again with a lower --lr",
                folder.display()
            )));
        }
    }
    let Some(checksums) = record["checksums"].as_object() else {
        return Err(usage(format!(
            "{}: run.json has no checksums of the run's files, so nothing says they belong to it; train the run again",
            folder.join("run.json").display()
        )));
    };
    for (name, recorded) in checksums {
        let path = folder.join(name);
        let bytes = std::fs::read(&path)
            .map_err(|e| usage(format!("{}: cannot read it: {e}", path.display())))?;
        if recorded.as_str() != Some(sha256_hex(&bytes).as_str()) {
            return Err(usage(format!(
                "{}: not the file that this folder's run.json was written with, so the folder mixes two runs; train into a fresh --out (or with --force, which replaces the whole run)",
                path.display()
            )));
        }
    }
    Ok(())
}
