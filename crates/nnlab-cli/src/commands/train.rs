//! `nnlab train`: the notebook's training cell from the command line, with its files.
//!
//! Order of work: resolve and check every setting, build the data (generate or read, split, scale),
//! build the engine, train while printing the epoch lines, then write `history.csv`,
//! `model.safetensors`, `run.json` and the figures into the run folder.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use nnlab_core::{train, History, Stop};
use nnlab_data::StandardScaler;
use serde::Serialize;

use crate::args::{DtypeArg, TrainArgs};
use crate::engines::{build_engine, epoch_line, initial_parameters, train_accuracy};
use crate::figures::{skipped_note, write_figures};
use crate::files::write_atomically;
use crate::model_file::safetensors_bytes;
use crate::settings::{Prepared, Settings};
use crate::usage::usage;

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    if args.log_every == 0 {
        return Err(usage(
            "--log-every must be at least 1 (use --quiet to print no epoch lines)",
        ));
    }
    let mut settings = Settings::from_args(args)?;
    let config = settings.train_config()?;
    let prepared = settings.prepare()?;
    let spec = settings.model_spec(prepared.dataset.n_features())?;
    let out = run_folder(args.out.as_deref())?;

    let parameters = initial_parameters(&settings, &spec)?;
    let source = match &settings.init_from {
        Some(path) => format!("--init-from {}", path.display()),
        None => "the initial weights".to_string(),
    };
    let mut engine = build_engine(&settings, &spec, &parameters, &source)?;
    let accuracy = train_accuracy(settings.engine);
    let outcome = train(
        engine.as_mut(),
        &prepared.train,
        &config,
        accuracy,
        |record| {
            if !args.quiet && record.epoch % args.log_every == 0 {
                println!("{}", epoch_line(settings.engine, record));
            }
            ControlFlow::Continue(())
        },
    )?;

    let history = &outcome.history;
    let mut files = vec!["history.csv".to_string()];
    write_atomically(&out.join("history.csv"), history.to_csv().as_bytes())?;
    let diverged = matches!(outcome.stop, Some(Stop::Diverged { .. }));
    if !diverged {
        let metadata = [
            ("nnlab_spec", spec.describe()),
            ("activation", spec.activation().to_string()),
        ];
        let f32 = settings.dtype == DtypeArg::F32;
        let bytes = safetensors_bytes(&engine.parameters(), f32, &metadata)?;
        write_atomically(&out.join("model.safetensors"), &bytes)?;
        files.push("model.safetensors".into());
        if !args.no_figures {
            let summary = settings.describe(&spec, &prepared);
            files.extend(write_figures(
                &out,
                &prepared,
                engine.as_ref(),
                history,
                summary,
                &args.figures,
            )?);
        }
    }
    files.push("run.json".into());
    let record = RunRecord {
        nnlab_version: env!("CARGO_PKG_VERSION"),
        command: "train",
        config: &settings,
        data: data_summary(&prepared, &prepared.scaler),
        result: result(history, outcome.stop.as_ref(), files.clone()),
    };
    let json = serde_json::to_string_pretty(&record).context("encoding run.json")? + "\n";
    write_atomically(&out.join("run.json"), json.as_bytes())?;

    if let Some(stop @ Stop::Diverged { epoch, .. }) = &outcome.stop {
        anyhow::bail!(
            "training diverged at epoch {epoch}: {}. {} keeps the {epoch} epochs before it. \
             Try a lower --lr (now {:?}).",
            describe_stop(stop),
            out.join("history.csv").display(),
            config.lr()
        );
    }
    if !args.quiet {
        if let Some(last) = history.last() {
            eprintln!(
                "{} after {} epochs: loss {:.4}, train accuracy {:.4}, test accuracy {:.4}",
                spec.describe(),
                last.epoch + 1,
                last.loss,
                last.train_accuracy,
                last.test_accuracy
            );
        }
        if let Some(note) = skipped_note(prepared.dataset.n_features()).filter(|_| !args.no_figures)
        {
            eprintln!("note: {note}");
        }
        eprintln!("Wrote {}: {}", out.display(), files.join(", "));
    }
    Ok(())
}

/// What went wrong when training stopped early.
fn describe_stop(stop: &Stop) -> String {
    match stop {
        Stop::Diverged { loss, .. } if !loss.is_finite() => format!("the loss became {loss}"),
        Stop::Diverged { weight_norms, .. } => {
            let norms: Vec<String> = weight_norms.iter().map(|n| format!("{n:?}")).collect();
            format!("the weights blew up (||W|| = {})", norms.join(", "))
        }
        Stop::Interrupted { epochs_done } => format!("interrupted after {epochs_done} epochs"),
    }
}

/// `--out`, or a new `runs/<UTC time>` folder; created if missing.
fn run_folder(out: Option<&Path>) -> anyhow::Result<PathBuf> {
    let folder = match out {
        Some(path) => path.to_path_buf(),
        None => {
            let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string()
                .replace(':', "-");
            let base = Path::new("runs").join(stamp);
            let mut folder = base.clone();
            let mut n = 2;
            while folder.exists() {
                folder = PathBuf::from(format!("{}-{n}", base.display()));
                n += 1;
            }
            folder
        }
    };
    std::fs::create_dir_all(&folder).map_err(|e| {
        usage(format!(
            "--out {}: cannot create the folder: {e}",
            folder.display()
        ))
    })?;
    Ok(folder)
}

/// Everything a run did, as written to `run.json`.
#[derive(Serialize)]
struct RunRecord<'a> {
    nnlab_version: &'static str,
    command: &'static str,
    config: &'a Settings,
    data: DataSummary,
    result: RunResult,
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
    final_weight_norms: Option<Vec<f64>>,
    files: Vec<String>,
}

fn result(history: &History, stop: Option<&Stop>, files: Vec<String>) -> RunResult {
    let last = history.last();
    RunResult {
        epochs_run: history.records.len(),
        stopped: stop.map(|stop| match stop {
            Stop::Diverged { epoch, .. } => {
                format!("diverged at epoch {epoch}: {}", describe_stop(stop))
            }
            Stop::Interrupted { .. } => describe_stop(stop),
        }),
        final_loss: last.map(|r| r.loss),
        final_train_accuracy: last.map(|r| r.train_accuracy),
        final_test_accuracy: last.map(|r| r.test_accuracy),
        final_weight_norms: last.map(|r| r.weight_norms.clone()),
        files,
    }
}
