//! `nnlab train`: the notebook's training cell from the command line, with its files.
//!
//! Order of work: resolve and check every setting, build the data (generate or read, split, scale),
//! build the engine, train while printing the epoch lines, then write `history.csv`,
//! `model.safetensors` and `run.json` into the run folder.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use nnlab_core::{
    notebook_init, train, CoreError, Engine, History, ManualEngine, ModelSpec, Stop, TrainAccuracy,
    TrainConfig,
};
use nnlab_data::{Dataset, Split, StandardScaler, TestSize};
use serde::Serialize;

use crate::args::{EngineKind, TrainArgs};
use crate::dataset::{self, DEFAULT_TEST_SIZE};
use crate::files::write_atomically;
use crate::model_file::safetensors_bytes;
use crate::report::numpy_epoch_line;
use crate::usage::usage;

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    let seeds = Seeds {
        data: args.data_seed.unwrap_or(args.seed),
        split: args.split_seed.unwrap_or(args.seed),
        init: args.init_seed.unwrap_or(args.seed),
    };
    if args.log_every == 0 {
        return Err(usage(
            "--log-every must be at least 1 (use --quiet to print no epoch lines)",
        ));
    }
    let config = TrainConfig::new(args.lr, args.epochs).map_err(flag_error)?;

    let (data, given_split) = load(args, seeds.data)?;
    let (test_size, split) = match (args.test_size, given_split) {
        (None, Some(split)) => (None, split),
        (size, _) => {
            let size = size.map_or(DEFAULT_TEST_SIZE, dataset::test_size);
            (Some(size), dataset::split(&data, size, seeds.split)?)
        }
    };
    let (train_data, scaler) = dataset::scaled_train_data(&data, &split)?;
    let spec = ModelSpec::new(data.n_features(), args.hidden.clone(), args.activation)
        .map_err(flag_error)?;
    let out = run_folder(args.out.as_deref())?;

    let mut engine = match args.engine {
        EngineKind::Manual => ManualEngine::new(spec.clone(), notebook_init(&spec, seeds.init))?,
    };
    let outcome = train(
        &mut engine,
        &train_data,
        &config,
        TrainAccuracy::AfterUpdate,
        |record| {
            if !args.quiet && record.epoch % args.log_every == 0 {
                println!("{}", numpy_epoch_line(record));
            }
            ControlFlow::Continue(())
        },
    )?;

    let history = &outcome.history;
    write_atomically(&out.join("history.csv"), history.to_csv().as_bytes())?;
    let diverged = matches!(outcome.stop, Some(Stop::Diverged { .. }));
    if !diverged {
        let metadata = [
            ("nnlab_spec", spec.describe()),
            ("activation", spec.activation().to_string()),
        ];
        write_atomically(
            &out.join("model.safetensors"),
            &safetensors_bytes(&engine.parameters(), &metadata)?,
        )?;
    }
    let record = RunRecord {
        nnlab_version: env!("CARGO_PKG_VERSION"),
        command: "train",
        config: settings(args, &seeds, test_size, &spec, &config),
        data: data_summary(&data, &split, &scaler),
        result: result(history, outcome.stop.as_ref(), diverged),
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
        eprintln!(
            "Wrote {}: history.csv, model.safetensors, run.json",
            out.display()
        );
    }
    Ok(())
}

/// A flag's value that the core refused, as a message naming the flag.
fn flag_error(error: CoreError) -> anyhow::Error {
    match error {
        CoreError::InvalidParameter {
            name,
            value,
            expected,
        } => usage(format!("--{name} {value}: {expected}")),
        other => usage(other.to_string()),
    }
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

/// The seeds of the three random steps, after `--seed` filled in the ones not given.
#[derive(Debug, Serialize)]
struct Seeds {
    data: u32,
    split: u32,
    init: u32,
}

/// The dataset, and the split its file brought, if any.
fn load(args: &TrainArgs, data_seed: u32) -> anyhow::Result<(Dataset, Option<Split>)> {
    match &args.data {
        Some(path) => {
            let file = dataset::read_file(path)?;
            Ok((file.dataset, file.split))
        }
        None => Ok((
            dataset::generate(args.dataset, &args.generator, data_seed)?,
            None,
        )),
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
struct RunRecord {
    nnlab_version: &'static str,
    command: &'static str,
    config: Settings,
    data: DataSummary,
    result: RunResult,
}

/// Every setting of the run, defaults filled in, in the flags' names.
#[derive(Serialize)]
struct Settings {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dataset: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    samples: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    noise: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    factor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    centers: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_std: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    features: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    no_shuffle: Option<bool>,
    /// A share (0.2) or a row count (200); absent when the data file's split column was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    test_size: Option<serde_json::Value>,
    seed: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_seed: Option<u32>,
    split_seed: u32,
    init_seed: u32,
    hidden: Vec<usize>,
    activation: String,
    lr: f64,
    epochs: usize,
    engine: &'static str,
    init: &'static str,
}

fn settings(
    args: &TrainArgs,
    seeds: &Seeds,
    test_size: Option<TestSize>,
    spec: &ModelSpec,
    config: &TrainConfig,
) -> Settings {
    use crate::args::Generator;
    use crate::dataset::{
        DEFAULT_CENTERS, DEFAULT_CLUSTER_STD, DEFAULT_FACTOR, DEFAULT_FEATURES, DEFAULT_NOISE,
    };
    let generated = args.data.is_none();
    let g = &args.generator;
    let is = |wanted: Generator| generated && args.dataset == wanted;
    Settings {
        data: args.data.clone(),
        dataset: generated.then(|| args.dataset.name()),
        samples: generated.then_some(g.samples),
        noise: (is(Generator::Moons) || is(Generator::Circles))
            .then(|| g.noise.unwrap_or(DEFAULT_NOISE)),
        factor: is(Generator::Circles).then(|| g.factor.unwrap_or(DEFAULT_FACTOR)),
        centers: is(Generator::Blobs).then(|| g.centers.unwrap_or(DEFAULT_CENTERS)),
        cluster_std: is(Generator::Blobs).then(|| g.cluster_std.unwrap_or(DEFAULT_CLUSTER_STD)),
        features: is(Generator::Blobs).then(|| g.features.unwrap_or(DEFAULT_FEATURES)),
        no_shuffle: generated.then_some(g.no_shuffle),
        test_size: test_size.map(|size| match size {
            TestSize::Fraction(share) => serde_json::json!(share),
            TestSize::Count(count) => serde_json::json!(count),
        }),
        seed: args.seed,
        data_seed: generated.then_some(seeds.data),
        split_seed: seeds.split,
        init_seed: seeds.init,
        hidden: spec.hidden().to_vec(),
        activation: spec.activation().to_string(),
        lr: config.lr(),
        epochs: config.epochs(),
        engine: "manual",
        init: "notebook",
    }
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

fn data_summary(data: &Dataset, split: &Split, scaler: &StandardScaler) -> DataSummary {
    DataSummary {
        features: data.n_features(),
        train_rows: split.train.len(),
        test_rows: split.test.len(),
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
    files: Vec<&'static str>,
}

fn result(history: &History, stop: Option<&Stop>, diverged: bool) -> RunResult {
    let last = history.last();
    let mut files = vec!["history.csv"];
    if !diverged {
        files.push("model.safetensors");
    }
    files.push("run.json");
    RunResult {
        epochs_run: history.records.len(),
        stopped: stop.map(|stop| match stop {
            Stop::Diverged { epoch, .. } => {
                format!("diverged at epoch {epoch}: {}", describe_stop(stop))
            }
            Stop::Interrupted { epochs_done } => format!("interrupted after {epochs_done} epochs"),
        }),
        final_loss: last.map(|r| r.loss),
        final_train_accuracy: last.map(|r| r.train_accuracy),
        final_test_accuracy: last.map(|r| r.test_accuracy),
        final_weight_norms: last.map(|r| r.weight_norms.clone()),
        files,
    }
}
