//! One training run from resolved settings: build the engine, train while reporting, and write the
//! run folder (`history.csv`, `model.safetensors`, figures, `run.json`). `nnlab train` runs one;
//! `nnlab notebook` runs one per section of the notebook.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use nnlab_core::{train, History, ModelSpec, Stop};
use nnlab_data::StandardScaler;
use serde::Serialize;

use nnlab_core::{Engine, EpochRecord};

use crate::config::{Prepared, RunConfig};
use crate::engines::{build_engine, initial_parameters, train_accuracy};
use crate::figures::{
    render_dataset_figure, write_diverged_figures, write_figures_with, DatasetFigures, Written,
};
use crate::files::{sha256_hex, write_atomically};
use crate::learning::{render_hidden_figure, AnimationSummary, Animator, ExtraFigures};
use crate::model_file::safetensors_bytes;
use crate::options::{DtypeArg, FigureOptions};
use crate::{failed, AppError, Result};
use nnlab_plot::{BoundaryFigure, Lang, Projection, TrainingFigure};

/// Which files a run writes besides its history, model and run.json.
pub struct Output {
    /// The figures to draw, or `None` for none.
    pub figures: Option<FigureOptions>,
    /// Draw `dataset.png` too (the notebook draws it once, before both sections).
    pub dataset_figure: bool,
    /// The command, for `run.json`.
    pub command: &'static str,
}

/// What a finished (or stopped) run did.
pub struct Finished {
    pub spec: ModelSpec,
    pub history: History,
    pub stop: Option<Stop>,
    /// The files written into the run folder.
    pub files: Vec<String>,
    /// Wall time of the whole run: engine, training and files.
    pub elapsed: Duration,
    /// Which code trained it ([`Engine::implementation`]), as run.json records it.
    pub implementation: String,
    /// `boundary.gif`, if it was drawn.
    pub animation: Option<AnimationSummary>,
}

/// Trains as `settings` say on `prepared` data and writes the run folder `out`. `observe` sees
/// every epoch's record and the engine after it (progress, epoch lines, live figures); returning
/// `ControlFlow::Break` stops the run after that epoch, which keeps and writes what it did.
pub fn run_training(
    settings: &RunConfig,
    prepared: &Prepared,
    out: &Path,
    output: &Output,
    observe: impl FnMut(&EpochRecord, &dyn Engine) -> ControlFlow<()>,
) -> Result<Finished> {
    let extras = ExtraFigures::default();
    run_training_with(settings, prepared, out, output, &extras, observe)
}

/// [`run_training`], with the figures drawn only on request (`boundary.gif`, drawn while the
/// run trains, and `hidden.png`) when `output` has figures at all.
pub fn run_training_with(
    settings: &RunConfig,
    prepared: &Prepared,
    out: &Path,
    output: &Output,
    extras: &ExtraFigures,
    mut observe: impl FnMut(&EpochRecord, &dyn Engine) -> ControlFlow<()>,
) -> Result<Finished> {
    let started = Instant::now();
    let config = settings.train_config()?;
    let spec = settings.model_spec(prepared.dataset.n_features(), prepared.train.task())?;
    // Refused before anything is allocated when it would not fit.
    crate::engines::check_memory(
        settings,
        &spec,
        prepared,
        output.figures.is_some(),
        settings.max_memory_gb,
    )?;
    let parameters = initial_parameters(settings, &spec)?;
    let source = match &settings.init_from {
        Some(path) => format!("--init-from {}", path.display()),
        None => "the initial weights".to_string(),
    };
    let mut engine = build_engine(settings, &spec, &parameters, &source)?;

    // The dataset figure shows only the data: it is drawn on a second thread while the run
    // trains, and written after, with the others, if the run ends with a model. A short run
    // can end before it is drawn: the other figures then start beside it rather than after it.
    // When a run trains for longer than the dataset figure takes, that thread then makes the
    // canvases of the figures drawn after training ([`nnlab_plot::prepare_canvases`]) until
    // `trained` is set.
    let trained = AtomicBool::new(false);
    let (outcome, files, animation) = std::thread::scope(|scope| {
        // Set when training ends, or when this closure returns or unwinds before it does.
        let stop_preparing = SetOnDrop(&trained);
        let early = match &output.figures {
            Some(options) if output.dataset_figure => {
                let trained = &trained;
                Some(scope.spawn(move || {
                    let dataset = render_dataset_figure(prepared, options);
                    let mut next = vec![TrainingFigure::SIZE];
                    if prepared.has_plane() {
                        next.push(BoundaryFigure::SIZE);
                    }
                    nnlab_plot::prepare_canvases(&next, trained);
                    dataset
                }))
            }
            _ => None,
        };
        let mut animator = match (&output.figures, extras.frames) {
            (Some(options), Some(frames)) => {
                Some(Animator::new(prepared, *options, settings.epochs, frames)?)
            }
            _ => None,
        };
        let outcome = train(
            engine.as_mut(),
            &prepared.train,
            &config,
            train_accuracy(settings.engine),
            |record, engine| {
                if let Some(animator) = animator.as_mut() {
                    animator.observe(record, engine);
                }
                observe(record, engine)
            },
        );
        drop(stop_preparing);
        let outcome = outcome?;
        let diverged = matches!(outcome.stop, Some(Stop::Diverged { .. }));
        let gif = animator
            .filter(|_| !diverged && !outcome.history.records.is_empty())
            .map(|animator| animator.finish(&outcome.history, engine.as_ref()));
        let summary = gif
            .as_ref()
            .and_then(|gif| gif.as_ref().ok())
            .map(|gif| gif.1);
        let extra = Extra {
            gif: gif.map(|gif| gif.map(|gif| gif.0)),
            hidden: extras.hidden,
        };
        let dataset = match early {
            Some(thread) => DatasetFigures::Drawing(thread),
            None => DatasetFigures::when(output.dataset_figure),
        };
        let run = EndOfRun {
            out,
            settings,
            prepared,
            engine: engine.as_ref(),
            history: &outcome.history,
            stop: outcome.stop.as_ref(),
            output,
        };
        let files = write_run_with(&run, dataset, extra)?;
        Ok::<_, AppError>((outcome, files, summary))
    })?;
    Ok(Finished {
        implementation: engine.implementation(),
        spec,
        history: outcome.history,
        stop: outcome.stop,
        files,
        elapsed: started.elapsed(),
        animation,
    })
}

/// Sets its flag when dropped.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Writes a run folder for `engine` as it stands after `history`: `history.csv` and (unless it
/// diverged) `model.safetensors` beside the figures, then `run.json`; returns the names written.
pub fn write_run(
    out: &Path,
    settings: &RunConfig,
    prepared: &Prepared,
    engine: &dyn Engine,
    history: &History,
    stop: Option<&Stop>,
    output: &Output,
) -> Result<Vec<String>> {
    let run = EndOfRun {
        out,
        settings,
        prepared,
        engine,
        history,
        stop,
        output,
    };
    let dataset = DatasetFigures::when(output.dataset_figure);
    write_run_with(&run, dataset, Extra::default())
}

/// The figures of [`ExtraFigures`], as [`write_run_with`] gets them.
#[derive(Default)]
struct Extra {
    /// `boundary.gif`, drawn while the run trained (or the error that stopped it).
    gif: Option<Result<Vec<u8>>>,
    /// `hidden.png`, to draw from the trained engine.
    hidden: Option<Projection>,
}

/// A run as it ends: what its files are written from.
#[derive(Clone, Copy)]
struct EndOfRun<'a> {
    /// The run folder.
    out: &'a Path,
    settings: &'a RunConfig,
    prepared: &'a Prepared,
    /// The engine as training left it.
    engine: &'a dyn Engine,
    history: &'a History,
    /// Why the run stopped early, if it did.
    stop: Option<&'a Stop>,
    output: &'a Output,
}

/// [`write_run`], with the dataset figure perhaps drawn already.
fn write_run_with(
    run: &EndOfRun<'_>,
    dataset: DatasetFigures<'_>,
    extra: Extra,
) -> Result<Vec<String>> {
    let EndOfRun {
        out,
        settings,
        prepared,
        engine,
        history,
        stop,
        output,
    } = *run;
    let diverged = matches!(stop, Some(Stop::Diverged { .. }));
    // The model's bytes are taken here (the engine stays on this thread). Writing them and
    // history.csv (a few hundred µs to a few ms: formatting the history, the checksums, the
    // files) falls to whichever of the two figure threads is done first, so that the two cores
    // stay busy to the end without a third thread taking turns with them; or comes before the
    // figures ([`data_files_first`]: no figure threads, or a stop was asked for).
    let model = match diverged {
        true => None,
        false => Some(safetensors_bytes(
            &engine.parameters(),
            settings.dtype == DtypeArg::F32,
        )?),
    };
    let data_files = Mutex::new(None);
    let write_data_files = || {
        let mut written = data_files.lock().unwrap_or_else(|e| e.into_inner());
        if written.is_none() {
            *written = Some(write_history_and_model(out, history, model.as_deref()));
        }
    };
    let Written {
        files: figures,
        error: figure_error,
    } = write_run_figures(run, dataset, extra, &write_data_files);
    write_data_files(); // (when no figure thread did)
    let checksums = (data_files.into_inner())
        .unwrap_or_else(|e| e.into_inner())
        .expect("written just above");
    let checksums = match checksums {
        Ok(checksums) => checksums,
        Err(error) => {
            // No history or model: the figures drawn beside them are no run's, and go.
            for name in &figures {
                let _ = std::fs::remove_file(out.join(name));
            }
            return Err(error);
        }
    };
    let mut files = vec!["history.csv".to_string()];
    if model.is_some() {
        files.push("model.safetensors".into());
    }
    files.extend(figures);
    // A figure that could not be drawn does not cost the run its run.json: it is written, and
    // the error reported after.
    files.push("run.json".into());
    let record = RunRecord {
        nnlab_version: env!("CARGO_PKG_VERSION"),
        run_format: crate::config_file::RUN_FORMAT,
        command: output.command,
        implementation: engine.implementation(),
        config: settings,
        data: data_summary(prepared, &prepared.scaler),
        result: result(history, stop, files.clone()),
        checksums,
    };
    let json = serde_json::to_string_pretty(&record).map_err(failed("encoding run.json"))? + "\n";
    write_atomically(&out.join("run.json"), json.as_bytes())?;
    match figure_error {
        Some(error) => Err(error),
        None => Ok(files),
    }
}

/// Writes history.csv and, unless the run diverged, model.safetensors (`model`); their
/// checksums, by name.
fn write_history_and_model(
    out: &Path,
    history: &History,
    model: Option<&[u8]>,
) -> Result<BTreeMap<&'static str, String>> {
    let history_csv = history.to_csv();
    write_atomically(&out.join("history.csv"), history_csv.as_bytes())?;
    // What `nnlab plot` checks: the files beside run.json are the ones this run wrote.
    let mut checksums = BTreeMap::from([("history.csv", sha256_hex(history_csv.as_bytes()))]);
    if let Some(bytes) = model {
        write_atomically(&out.join("model.safetensors"), bytes)?;
        checksums.insert("model.safetensors", sha256_hex(bytes));
    }
    Ok(checksums)
}

/// The figures of [`write_run_with`]: the files written, and the first error drawing them (the
/// run still gets its run.json, which names the files written). `then` (history.csv and the
/// model) is called by each of the two figure threads as it is done ([`write_figures_with`]),
/// or first where [`data_files_first`] says so.
fn write_run_figures(
    run: &EndOfRun<'_>,
    dataset: DatasetFigures<'_>,
    extra: Extra,
    then: &(dyn Fn() + Sync),
) -> Written {
    let (out, prepared, engine, history) = (run.out, run.prepared, run.engine, run.history);
    if data_files_first(run.stop, run.output, nnlab_core::cancel::requested()) {
        then();
    }
    let Some(figures) = &run.output.figures else {
        return Written::default();
    };
    let lang = figures.lang.into();
    let summary = run.settings.describe(engine.spec(), prepared, lang);
    match run.stop {
        Some(stop @ Stop::Diverged { .. }) => {
            // What there is to see of a run that diverged: its curves up to the epoch that failed.
            let why = describe_stop(stop, lang);
            write_diverged_figures(out, prepared, history, summary, figures, dataset, why)
        }
        _ => {
            let mut written = write_figures_with(
                out, prepared, engine, history, summary, figures, dataset, then,
            );
            let hidden = extra
                .hidden
                .map(|projection| render_hidden_figure(prepared, engine, projection, figures.lang));
            for (name, bytes) in [("boundary.gif", extra.gif), ("hidden.png", hidden)] {
                if let Some(bytes) = bytes {
                    written.write(out, name, bytes);
                }
            }
            written
        }
    }
}

/// Whether history.csv and the model are written before the figures rather than by the figure
/// thread done first: when there are no figure threads (no figures, or a run that diverged),
/// and when the person has asked the run to stop (`stop_asked`, the Ctrl-C of `nnlab train`):
/// a third Ctrl-C quits at once, and what is written by then is what they keep.
fn data_files_first(stop: Option<&Stop>, output: &Output, stop_asked: bool) -> bool {
    output.figures.is_none()
        || stop_asked
        || matches!(stop, Some(Stop::Diverged { .. } | Stop::Interrupted { .. }))
}

/// A run that diverged or was interrupted, as the error to exit with (1 or 130); else `Ok`.
pub fn check_stop(finished: &Finished, out: &Path, lr: f64) -> Result<()> {
    match &finished.stop {
        None => Ok(()),
        Some(stop @ Stop::Diverged { epoch, why, .. }) => {
            let shown = if finished.files.iter().any(|f| f == "training.png") {
                " (training.png draws them)"
            } else {
                ""
            };
            let kept = match epoch {
                0 => "nothing was trained before it".to_string(),
                1 => format!(
                    "{} keeps the epoch before it{shown}",
                    out.join("history.csv").display()
                ),
                _ => format!(
                    "{} keeps the {epoch} epochs before it{shown}",
                    out.join("history.csv").display()
                ),
            };
            // Weights past the bound can also be held back by a penalty; a NaN or a loss stuck at
            // the clamp comes from steps too large.
            let more = match why {
                nnlab_core::train::Why::WeightsBeyond { .. } => {
                    ", or hold the weights back with --l2 or --weight-decay"
                }
                _ => "",
            };
            Err(AppError::Diverged(format!(
                "training diverged at epoch {epoch}: {}; {kept}. Try a lower --lr (now {lr:?}){more}.",
                describe_stop(stop, Lang::En),
            )))
        }
        Some(stop @ Stop::Interrupted { .. }) => Err(AppError::Interrupted(format!(
            "{}: {} has what was done ({})",
            describe_stop(stop, Lang::En),
            out.display(),
            finished.files.join(", ")
        ))),
    }
}

/// What went wrong when training stopped early, in `lang` (the terminal's is English; a
/// Russian figure says it in Russian).
pub fn describe_stop(stop: &Stop, lang: Lang) -> String {
    use nnlab_core::train::Why;
    let norms = |weight_norms: &[f64]| {
        let norms: Vec<String> = weight_norms.iter().map(|n| format!("{n:?}")).collect();
        norms.join(", ")
    };
    match stop {
        Stop::Diverged { loss, .. } if !loss.is_finite() => match lang {
            Lang::En => format!("the loss became {loss}"),
            Lang::Ru => format!("потери стали равны {loss}"),
        },
        Stop::Diverged {
            why: Why::NonFinite,
            weight_norms,
            ..
        } => match lang {
            Lang::En => format!("the weights blew up (||W|| = {})", norms(weight_norms)),
            Lang::Ru => format!(
                "веса ушли в бесконечность (||W|| = {})",
                norms(weight_norms)
            ),
        },
        Stop::Diverged {
            why: Why::LossAtClamp { ceiling },
            loss,
            weight_norms,
            ..
        } => {
            let (share, norms) = (100.0 * loss / ceiling, norms(weight_norms));
            match lang {
                Lang::En => format!(
                    "the loss is stuck at {loss:.4}, {share:.0}% of the {ceiling:.2} that one row \
                     costs at most (the clamp of its log): the output saturated, rows are \
                     predicted wrong with certainty, and the updates no longer move the weights \
                     (||W|| = {norms})"
                ),
                Lang::Ru => format!(
                    "потери застряли на {loss:.4}, это {share:.0}% от {ceiling:.2}, больше \
                     которых одна строка стоить не может (логарифм ограничен): выход насытился, \
                     строки предсказаны неверно с полной уверенностью, и обновления больше не \
                     меняют веса (||W|| = {norms})"
                ),
            }
        }
        Stop::Diverged {
            why: Why::WeightsBeyond { layer, norm, bound },
            ..
        } => {
            let layer = layer + 1;
            // 1e6, or for a regression 1e6 × its largest |target| to 4 digits (1.135e6)
            let bound = format!("{bound:.3e}").replace(".000e", "e");
            match lang {
                Lang::En => format!(
                    "the weights grew past the bound: ||W{layer}|| = {norm:.3e}, beyond {bound} \
                     (weights that large only come from updates that overshoot)"
                ),
                Lang::Ru => format!(
                    "веса вышли за границу: ||W{layer}|| = {norm:.3e}, больше {bound} (такие \
                     большие веса бывают только от шагов, которые проскакивают минимум)"
                ),
            }
        }
        Stop::Interrupted { epochs_done } => match lang {
            Lang::En => format!("interrupted after {epochs_done} epochs"),
            Lang::Ru => {
                // "после" takes the genitive: после 1 эпохи, после 5 эпох
                let epochs = nnlab_plot::russian_form(*epochs_done, ["эпохи", "эпох", "эпох"]);
                format!("прервано после {epochs_done} {epochs}")
            }
        },
    }
}

/// Everything a run did, as written to `run.json`.
#[derive(Serialize)]
struct RunRecord<'a> {
    nnlab_version: &'static str,
    /// What a replay checks it can read ([`crate::config_file::RUN_FORMAT`]).
    run_format: u32,
    command: &'static str,
    /// Which code trained the run: engine, path, kernel, precision, threads or device.
    implementation: String,
    config: &'a RunConfig,
    data: DataSummary,
    result: RunResult,
    /// The SHA-256 of `history.csv` and `model.safetensors` as this run wrote them.
    checksums: BTreeMap<&'static str, String>,
}

/// What the data turned out to be.
#[derive(Serialize)]
struct DataSummary {
    features: usize,
    train_rows: usize,
    test_rows: usize,
    /// StandardScaler's mean_ and scale_, fitted on the training rows.
    scaler_mean: Vec<f64>,
    scaler_scale: Vec<f64>,
}

fn data_summary(prepared: &Prepared, scaler: &StandardScaler) -> DataSummary {
    DataSummary {
        features: prepared.dataset.n_features(),
        train_rows: prepared.split.train.len(),
        test_rows: prepared.split.test.len(),
        scaler_mean: scaler.mean.to_vec(),
        scaler_scale: scaler.scale.to_vec(),
    }
}

/// How training ended.
#[derive(Serialize)]
struct RunResult {
    epochs_run: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_loss: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_train_accuracy: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_test_accuracy: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_test_loss: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_weight_norms: Option<Vec<f64>>,
    files: Vec<String>,
}

fn result(history: &History, stop: Option<&Stop>, files: Vec<String>) -> RunResult {
    let last = history.last();
    RunResult {
        epochs_run: history.records.len(),
        stopped: stop.map(|stop| match stop {
            Stop::Diverged { epoch, .. } => {
                format!(
                    "diverged at epoch {epoch}: {}",
                    describe_stop(stop, Lang::En)
                )
            }
            Stop::Interrupted { .. } => describe_stop(stop, Lang::En),
        }),
        final_loss: last.map(|r| r.loss),
        final_train_accuracy: last.and_then(|r| r.train_accuracy),
        final_test_accuracy: last.and_then(|r| r.test_accuracy),
        final_test_loss: last.and_then(|r| r.test_loss),
        final_weight_norms: last.map(|r| r.weight_norms.clone()),
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{BoundaryView, FigureLang};

    #[test]
    fn the_data_files_go_first_when_no_figure_thread_runs_or_a_stop_was_asked() {
        let figures = FigureOptions {
            svg: false,
            boundary: BoundaryView::Class,
            lang: FigureLang::En,
        };
        let with = Output {
            figures: Some(figures),
            dataset_figure: true,
            command: "test",
        };
        let without = Output {
            figures: None,
            ..with
        };
        let interrupted = Stop::Interrupted { epochs_done: 3 };
        let diverged = Stop::Diverged {
            epoch: 3,
            loss: f64::NAN,
            weight_norms: vec![],
            why: nnlab_core::train::Why::NonFinite,
        };
        // A whole run with figures: the figure thread done first writes them.
        assert!(!data_files_first(None, &with, false));
        // No figure threads.
        assert!(data_files_first(None, &without, false));
        assert!(data_files_first(Some(&diverged), &with, false));
        // Ctrl-C: during training (the run stopped early) or after it.
        assert!(data_files_first(Some(&interrupted), &with, false));
        assert!(data_files_first(None, &with, true));
    }
}
