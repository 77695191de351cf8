//! A training run's settings, resolved: every default and seed filled in, named as the flags are.
//! `nnlab train` builds them from its flags and writes them into `run.json` ("config"); `nnlab plot`
//! reads them back to rebuild the same data and network.

use std::path::PathBuf;

use anyhow::Context;
use nnlab_core::{
    Activation, ModelSpec, OptimizerConfig, RuleKind, RuleSettings, Task, TaskKind, TrainConfig,
    TrainData,
};
use nnlab_data::{Dataset, Split, StandardScaler, TestSize};
use serde::{Deserialize, Serialize};

use crate::args::{
    Betas, DatasetArgs, DeviceArg, DtypeArg, EngineKind, Generator, InitKind, TrainArgs,
};
use crate::dataset::{
    self, DEFAULT_CENTERS, DEFAULT_CLUSTER_STD, DEFAULT_FACTOR, DEFAULT_FEATURES, DEFAULT_NOISE,
};

/// Every setting of a run; options that do not apply (e.g. `factor` for moons) are absent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<Generator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centers: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_std: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_shuffle: Option<bool>,
    /// The network's input features, computed from the columns before scaling (absent: the
    /// columns themselves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<String>>,
    /// A share (0.2) or a row count (200); absent when the data file's split column is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_size: Option<TestSizeValue>,
    pub seed: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_seed: Option<u32>,
    pub split_seed: u32,
    pub init_seed: u32,
    pub hidden: Vec<usize>,
    /// One name for every hidden layer, or one per layer ("relu,tanh").
    pub activation: String,
    pub lr: f64,
    pub epochs: usize,
    /// binary, multiclass or regression: `--task`, or what the labels say once the data is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskKind>,
    /// Rows per mini-batch; absent for full batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    /// The seed of the mini-batch order (only with `batch_size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle_seed: Option<u32>,
    #[serde(default)]
    pub optimizer: RuleKind,
    /// SGD's momentum (filled in for sgd).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub momentum: Option<f64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nesterov: bool,
    /// Adam's betas (filled in for adam and adamw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub betas: Option<Betas>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eps: Option<f64>,
    /// torch.optim's weight decay (filled in: PyTorch's default for the optimizer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_decay: Option<f64>,
    #[serde(default)]
    pub l1: f64,
    #[serde(default)]
    pub l2: f64,
    pub engine: EngineKind,
    pub init: InitKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_from: Option<PathBuf>,
    pub dtype: DtypeArg,
    pub device: DeviceArg,
    /// The hand-written engine's readable path instead of its fast path.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub readable: bool,
    /// Threads of the hand-written engine's fast path (results do not depend on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<u16>,
}

/// `--test-size` in a file: a whole number is a row count, anything else a share.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TestSizeValue {
    Count(usize),
    Fraction(f64),
}

impl From<TestSizeValue> for TestSize {
    fn from(value: TestSizeValue) -> TestSize {
        match value {
            TestSizeValue::Count(count) => TestSize::Count(count),
            TestSizeValue::Fraction(share) => TestSize::Fraction(share),
        }
    }
}

/// The data a run trains on, ready for the engines and the figures.
pub struct Prepared {
    pub dataset: Dataset,
    pub split: Split,
    pub scaler: StandardScaler,
    pub train: TrainData,
}

impl Settings {
    /// Resolves the flags of `nnlab train`; refuses generator options that do not apply.
    pub fn from_args(args: &TrainArgs) -> anyhow::Result<Settings> {
        let generated = args.data.is_none();
        if generated {
            dataset::check_options(args.dataset, &args.generator)?;
        }
        let g = &args.generator;
        let t = &args.toolkit;
        let is = |wanted: Generator| generated && args.dataset == wanted;
        let noisy = is(Generator::Moons)
            || is(Generator::Circles)
            || (generated && args.dataset.is_playground());
        let inputs = match &args.inputs {
            Some(list) => Some(
                nnlab_data::parse_inputs(list)
                    .map_err(|e| crate::usage::usage(format!("--inputs {list}: {e}")))?
                    .iter()
                    .map(|f| f.to_string())
                    .collect(),
            ),
            None => None,
        };
        let test_size = match (args.test_size, &args.data) {
            (Some(size), _) => Some(size.into()),
            (None, None) => Some(TestSizeValue::Fraction(0.2)), // the notebook's test_size=0.2
            (None, Some(_)) => None, // decided once the file is read: its split column, or 0.2
        };
        Ok(Settings {
            data: args.data.clone(),
            dataset: generated.then_some(args.dataset),
            samples: generated.then_some(g.samples),
            noise: noisy.then(|| {
                let default = if args.dataset.is_playground() {
                    0.0 // the Playground's noise slider starts at 0
                } else {
                    DEFAULT_NOISE
                };
                g.noise.unwrap_or(default)
            }),
            classes: is(Generator::Spiral).then(|| g.classes.unwrap_or(2)),
            inputs,
            factor: is(Generator::Circles).then(|| g.factor.unwrap_or(DEFAULT_FACTOR)),
            centers: is(Generator::Blobs).then(|| g.centers.unwrap_or(DEFAULT_CENTERS)),
            cluster_std: is(Generator::Blobs).then(|| g.cluster_std.unwrap_or(DEFAULT_CLUSTER_STD)),
            features: is(Generator::Blobs).then(|| g.features.unwrap_or(DEFAULT_FEATURES)),
            no_shuffle: generated.then_some(g.no_shuffle),
            test_size,
            seed: args.seed,
            data_seed: generated.then_some(args.data_seed.unwrap_or(args.seed)),
            split_seed: args.split_seed.unwrap_or(args.seed),
            init_seed: args.init_seed.unwrap_or(args.seed),
            hidden: args.hidden.clone(),
            activation: args
                .activation
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(","),
            lr: args.lr,
            epochs: args.epochs,
            task: t.task,
            batch_size: t.batch_size,
            shuffle_seed: t.batch_size.map(|_| t.shuffle_seed.unwrap_or(args.seed)),
            optimizer: t.optimizer,
            momentum: match t.optimizer {
                RuleKind::Sgd => Some(t.momentum.unwrap_or(0.0)),
                _ => t.momentum, // refused by train_config, with its flag named
            },
            nesterov: t.nesterov,
            betas: match t.optimizer {
                RuleKind::Sgd => t.betas,
                _ => Some(t.betas.unwrap_or(Betas(0.9, 0.999))),
            },
            eps: match t.optimizer {
                RuleKind::Sgd => t.eps,
                _ => Some(t.eps.unwrap_or(1e-8)),
            },
            weight_decay: Some(t.weight_decay.unwrap_or(t.optimizer.default_weight_decay())),
            l1: t.l1,
            l2: t.l2,
            engine: args.engine,
            init: match (&args.init_from, args.init, args.engine) {
                (Some(_), _, _) => InitKind::File,
                (None, Some(InitKind::File), _) => {
                    return Err(crate::usage::usage("--init file needs --init-from FILE"));
                }
                (None, Some(init), _) => init,
                (None, None, EngineKind::Manual) => InitKind::Notebook,
                (None, None, EngineKind::Autograd) => InitKind::Torch,
            },
            init_from: args.init_from.clone(),
            dtype: args.dtype.unwrap_or(match args.engine {
                EngineKind::Manual => DtypeArg::F64,
                EngineKind::Autograd => DtypeArg::F32,
            }),
            device: args.device,
            readable: args.readable,
            threads: args.threads,
        })
    }

    /// The generator's options, as `nnlab data` takes them.
    fn dataset_args(&self) -> DatasetArgs {
        DatasetArgs {
            samples: self.samples.unwrap_or(1000),
            noise: self.noise,
            factor: self.factor,
            centers: self.centers,
            cluster_std: self.cluster_std,
            features: self.features,
            classes: self.classes,
            no_shuffle: self.no_shuffle.unwrap_or(false),
        }
    }

    /// Generates or reads the data, splits it, and scales it as the notebook does. When a data
    /// file brings its own split and no test size was given, that split is used (and recorded by
    /// leaving `test_size` empty).
    pub fn prepare(&mut self) -> anyhow::Result<Prepared> {
        let (mut dataset, file_split) = match &self.data {
            Some(path) => {
                let file = dataset::read_file(path)?;
                (file.dataset, file.split)
            }
            None => {
                let generator = self.dataset.unwrap_or(Generator::Moons);
                let seed = self.data_seed.unwrap_or(self.seed);
                (
                    dataset::generate(generator, &self.dataset_args(), seed)?,
                    None,
                )
            }
        };
        let split = match (self.test_size, file_split) {
            (None, Some(split)) => split,
            (size, _) => {
                let size = size.unwrap_or(TestSizeValue::Fraction(0.2));
                self.test_size = Some(size);
                dataset::split(&dataset, size.into(), self.split_seed)?
            }
        };
        if let Some(inputs) = &self.inputs {
            let features: Vec<nnlab_data::InputFeature> = inputs
                .iter()
                .map(|name| name.parse())
                .collect::<Result<_, _>>()
                .map_err(|e| crate::usage::usage(format!("--inputs: {e}")))?;
            dataset.features = nnlab_data::inputs::apply(&features, &dataset.features)
                .map_err(|e| crate::usage::usage(format!("--inputs {}: {e}", inputs.join(","))))?;
        }
        let task = resolve_task(self.task, &dataset)?;
        self.task = Some(task.kind());
        let (train, scaler) = dataset::scaled_train_data(&dataset, &split, task)?;
        Ok(Prepared {
            dataset,
            split,
            scaler,
            train,
        })
    }

    /// The network's shape for `task` on data with `input_size` features.
    pub fn model_spec(&self, input_size: usize, task: Task) -> anyhow::Result<ModelSpec> {
        let mut activations = self
            .activation
            .split(',')
            .map(|name| name.trim().parse::<Activation>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| crate::usage::usage(format!("--activation: {e}")))?;
        if activations.len() == 1 {
            activations = vec![activations[0]; self.hidden.len()];
        }
        ModelSpec::with_task(input_size, self.hidden.clone(), activations, task)
            .map_err(crate::usage::flag_error)
    }

    /// Learning rate, epochs, batches and optimizer, checked.
    pub fn train_config(&self) -> anyhow::Result<TrainConfig> {
        let rule = RuleSettings {
            kind: self.optimizer,
            momentum: self
                .momentum
                .filter(|_| self.optimizer != RuleKind::Sgd || self.momentum != Some(0.0)),
            nesterov: self.nesterov,
            betas: self.betas.map(|Betas(b1, b2)| (b1, b2)),
            eps: self.eps,
            weight_decay: self.weight_decay,
        };
        let optimizer =
            OptimizerConfig::new(rule, self.l1, self.l2).map_err(crate::usage::flag_error)?;
        let shuffle_seed = self.shuffle_seed.unwrap_or(self.seed);
        TrainConfig::new(self.lr, self.epochs)
            .and_then(|config| config.with_batches(self.batch_size, shuffle_seed))
            .map(|config| config.with_optimizer(optimizer))
            .map_err(crate::usage::flag_error)
    }

    /// Short lines describing the run, for the figures' summary panel.
    pub fn describe(&self, spec: &ModelSpec, prepared: &Prepared) -> Vec<String> {
        let data = match (&self.data, self.dataset) {
            (Some(path), _) => format!("data {}", path.display()),
            (None, Some(generator)) => {
                let mut text = format!(
                    "data {} ({} rows",
                    generator.name(),
                    self.samples.unwrap_or(0)
                );
                if let Some(noise) = self.noise {
                    text += &format!(", noise {noise}");
                }
                text + &format!(", seed {})", self.data_seed.unwrap_or(self.seed))
            }
            (None, None) => "data generated".into(),
        };
        let engine = match self.engine {
            EngineKind::Manual if self.readable => "manual engine (readable path, f64)".to_string(),
            EngineKind::Manual => format!("manual engine ({:?})", self.dtype).to_lowercase(),
            EngineKind::Autograd => format!("autograd engine ({:?})", self.dtype).to_lowercase(),
        };
        let init = match (self.init, &self.init_from) {
            (InitKind::File, Some(path)) => format!("weights from {}", path.display()),
            (InitKind::Torch, _) => format!("torch weights seed {}", self.init_seed),
            _ => format!("weights seed {}", self.init_seed),
        };
        vec![
            format!(
                "network {} ({}), {engine}",
                spec.describe(),
                spec.describe_activations()
            ),
            format!(
                "{}: lr {}, {} epochs, {}",
                self.train_config()
                    .map(|c| c.optimizer().describe())
                    .unwrap_or_default(),
                self.lr,
                self.epochs,
                match self.batch_size {
                    Some(size) => format!("batches of {size}"),
                    None => "full batch".into(),
                }
            ),
            data,
            format!(
                "split {} train / {} test (seed {}), {init}",
                prepared.split.train.len(),
                prepared.split.test.len(),
                self.split_seed,
            ),
        ]
    }
}

impl From<crate::args::TestSizeArg> for TestSizeValue {
    fn from(arg: crate::args::TestSizeArg) -> TestSizeValue {
        match arg {
            crate::args::TestSizeArg::Fraction(share) => TestSizeValue::Fraction(share),
            crate::args::TestSizeArg::Count(count) => TestSizeValue::Count(count),
        }
    }
}

/// The task of the data: `--task` if given (checked against the labels), else binary for labels
/// 0/1 and multi-class for 0..K−1. Every class 0..K−1 must have rows.
fn resolve_task(kind: Option<TaskKind>, dataset: &Dataset) -> anyhow::Result<Task> {
    if dataset.is_regression() {
        return match kind {
            None | Some(TaskKind::Regression) => Ok(Task::Regression),
            Some(other) => Err(crate::usage::usage(format!(
                "--task {other}: the labels are real values, not classes; use --task regression"
            ))),
        };
    }
    let counts = dataset.class_counts();
    let classes = counts.len();
    if let Some(missing) = counts.iter().position(|&n| n == 0) {
        let present: Vec<String> = (0..classes)
            .filter(|&k| counts[k] > 0)
            .map(|k| k.to_string())
            .collect();
        return Err(crate::usage::usage(format!(
            "the labels are {}: class {missing} has no rows. Labels must be 0, 1, ..., K-1 with every class present; renumber them",
            present.join(", ")
        )));
    }
    match kind {
        None => Ok(Task::for_classes(classes)),
        Some(TaskKind::Binary) if classes <= 2 => Ok(Task::Binary),
        Some(TaskKind::Binary) => Err(crate::usage::usage(format!(
            "--task binary: the data has {classes} classes (labels 0 to {}); use --task multiclass, or data with labels 0 and 1",
            classes - 1
        ))),
        Some(TaskKind::Multiclass) if classes >= 3 => Ok(Task::Multiclass { classes }),
        Some(TaskKind::Multiclass) => Err(crate::usage::usage(format!(
            "--task multiclass: the data has {classes} classes; a multi-class task needs 3 or more (2 classes are --task binary)"
        ))),
        Some(TaskKind::Regression) => Ok(Task::Regression),
    }
}

/// Reads the settings back from a run's `run.json`.
pub fn read_run_settings(path: &std::path::Path) -> anyhow::Result<Settings> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| crate::usage::usage(format!("{}: cannot read it: {e}", path.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| crate::usage::usage(format!("{}: not valid JSON: {e}", path.display())))?;
    serde_json::from_value(json["config"].clone())
        .with_context(|| {
            format!(
                "{}: the \"config\" section is not a run's settings",
                path.display()
            )
        })
        .map_err(|e| crate::usage::usage(format!("{e:#}")))
}
