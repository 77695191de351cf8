//! `nnlab plot DIR`: redraw a run's figures from `run.json`, `history.csv` and `model.safetensors`.

use nnlab_core::History;

use nnlab_app::engines::build_engine;
use nnlab_app::figures::{skipped_note, write_figures};
use nnlab_app::model_file::read_parameters;
use nnlab_app::{read_run_config, DeviceArg};

use crate::args::PlotArgs;
use crate::flags::figure_options;
use crate::usage::usage;

pub fn run(args: &PlotArgs) -> anyhow::Result<()> {
    let folder = &args.run;
    if !folder.is_dir() {
        return Err(usage(format!(
            "{} is not a folder: give a run folder written by nnlab train",
            folder.display()
        )));
    }
    let mut settings = read_run_config(&folder.join("run.json"))?;
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
    let summary = settings.describe(&spec, &prepared);
    settings.device = DeviceArg::Cpu; // figures are drawn on the CPU, whatever trained the model
    let engine = build_engine(
        &settings,
        &spec,
        &parameters,
        &model_path.display().to_string(),
    )?;

    let written = write_figures(
        folder,
        &prepared,
        engine.as_ref(),
        &history,
        summary,
        &figure_options(&args.figures),
        true,
    )?;
    if let Some(note) = skipped_note(prepared.dataset.n_features()) {
        eprintln!("note: {note}");
    }
    eprintln!("Wrote {}: {}", folder.display(), written.join(", "));
    Ok(())
}
