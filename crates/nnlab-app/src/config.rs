//! A training run's settings, resolved: every default and seed filled in, named as the flags are.
//! `nnlab train` builds them from its flags and writes them into `run.json` ("config"); `nnlab plot`
//! reads them back to rebuild the same data and network; the playground builds them from its page.

use std::path::PathBuf;

use nnlab_core::{
    Activation, ModelSpec, OptimizerConfig, RuleKind, RuleSettings, Task, TaskKind, TrainConfig,
    TrainData,
};
use nnlab_data::{Dataset, Split, StandardScaler, TestSize};
use nnlab_plot::Lang;
use serde::{Deserialize, Serialize};

use crate::data;
use crate::options::{
    Betas, DatasetOptions, DeviceArg, DtypeArg, EngineKind, Generator, InitKind, LrChange,
};
use crate::{usage, Result};

/// Every setting of a run; options that do not apply (e.g. `factor` for moons) are absent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The data file, as an absolute path once [`prepare`](Self::prepare) has read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    /// The SHA-256 of the data file's bytes (hex), recorded when the file is first read; a
    /// replay whose file no longer has it is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_sha256: Option<String>,
    /// The most bytes a data file may have ([`data::DEFAULT_MAX_DATA_BYTES`] when absent);
    /// `--max-data-mb`. A limit of this machine's, not a setting of the run: not in run.json.
    #[serde(skip)]
    pub max_data_bytes: Option<u64>,
    /// The most memory a run may take, in GB (`--max-memory`; the default is
    /// [`crate::engines::check_memory`]'s). A limit of this machine's: not in run.json.
    #[serde(skip)]
    pub max_memory_gb: Option<f64>,
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
    /// Learning rates that take over at given epochs (the playground's changes while training).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lr_at: Vec<LrChange>,
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
    /// The data's own columns when input features took their place in `dataset`; `None` when
    /// `dataset` holds them itself (no copy of them is kept: 1.6 MB at 100,000 rows). See
    /// [`Prepared::columns`].
    own_columns: Option<ndarray::Array2<f64>>,
    /// The input features' names (`--inputs`), when they took the columns' place.
    input_names: Option<Vec<String>>,
    /// The data's own two columns, when input features took their place (`--inputs`).
    column_plane: Option<ColumnPlane>,
    /// The rows as the network sees them: the input features, if any, before scaling.
    pub dataset: Dataset,
    pub split: Split,
    pub scaler: StandardScaler,
    pub train: TrainData,
}

/// The plane of the data's own two columns, for a network fed input features of them
/// (`--inputs`): the decision boundary is drawn over it, as TensorFlow Playground draws it. Its
/// coordinates are the columns standardised as the network's inputs are (a scaler fitted on the
/// training rows), so a figure over it reads like one over the inputs.
pub struct ColumnPlane {
    /// The two columns' scaler, fitted on the training rows.
    scaler: StandardScaler,
    /// The test rows' two columns, scaled: the points drawn over the plane.
    test: ndarray::Array2<f64>,
    /// The input features the network computes from the columns.
    features: Vec<nnlab_data::InputFeature>,
}

impl ColumnPlane {
    /// The plane of `columns` (n × 2), split as `split`; `None` if the columns cannot be scaled.
    fn new(
        columns: &ndarray::Array2<f64>,
        split: &Split,
        features: Vec<nnlab_data::InputFeature>,
    ) -> Option<ColumnPlane> {
        let rows = |indices: &[usize]| columns.select(ndarray::Axis(0), indices);
        let scaler = StandardScaler::fit(&rows(&split.train)).ok()?;
        let test = scaler.transform(&rows(&split.test)).ok()?;
        // Columns near 1e300 can feed finite features (sin x0) yet overflow their own spread:
        // then there is no plane to draw over (the figures fall back to the inputs' plane).
        let finite = |values: &ndarray::Array1<f64>| values.iter().all(|v| v.is_finite());
        let test_finite = test.iter().all(|v| v.is_finite());
        if !(finite(&scaler.mean) && finite(&scaler.scale) && test_finite) {
            return None;
        }
        Some(ColumnPlane {
            scaler,
            test,
            features,
        })
    }

    /// The test rows over the plane (n × 2, scaled).
    pub fn test(&self) -> &ndarray::Array2<f64> {
        &self.test
    }

    /// The network's inputs (n × its inputs) at `points` of the plane (n × 2): the columns
    /// unscaled, their input features, scaled by `inputs_scaler` (the one the network's inputs
    /// were scaled with).
    pub fn inputs(
        &self,
        points: &ndarray::Array2<f64>,
        inputs_scaler: &StandardScaler,
    ) -> std::result::Result<ndarray::Array2<f64>, nnlab_data::DataError> {
        let columns = self.scaler.inverse_transform(points)?;
        inputs_scaler.transform(&nnlab_data::inputs::apply(&self.features, &columns)?)
    }
}

impl Prepared {
    /// The data's own two columns as a plane to draw the boundary over, when input features
    /// feed the network (`--inputs`); `None` otherwise, when the data has not 2 columns, or when
    /// the columns cannot be scaled (values so large that their spread overflows).
    pub fn column_plane(&self) -> Option<&ColumnPlane> {
        self.column_plane.as_ref()
    }

    /// Whether there is a plane to draw the decision boundary over: the network's 2 inputs, or
    /// the data's 2 columns that its input features come from.
    pub fn has_plane(&self) -> bool {
        self.column_plane.is_some() || self.train.x_test().ncols() == 2
    }

    /// The data's own columns, before any input features (the plane the playground draws).
    pub fn columns(&self) -> &ndarray::Array2<f64> {
        self.own_columns.as_ref().unwrap_or(&self.dataset.features)
    }

    /// The input features' names (`--inputs`), when they feed the network instead of the columns.
    pub fn input_names(&self) -> Option<&[String]> {
        self.input_names.as_deref()
    }

    /// The names of the first two inputs the network sees, which the figures' axes carry: x0 and
    /// x1, or the first two input features (`--inputs x0*x1,sin(x0)`).
    pub fn axes(&self) -> [String; 2] {
        let name = |k: usize| match &self.input_names {
            Some(names) => names.get(k).cloned().unwrap_or_default(),
            None => format!("x{k}"),
        };
        [name(0), name(1)]
    }
}

impl RunConfig {
    /// The notebook's numpy section with every setting resolved: make_moons(1000, noise 0.125),
    /// test_size 0.2, SEED = 42 for the data, the split and the weights, a 2-8-1 ReLU net, LR 0.1,
    /// 20 epochs of full-batch plain SGD, the hand-written engine in f64 from the notebook's
    /// initialisation. Commands and the playground start from it and change what they need.
    pub fn notebook() -> RunConfig {
        RunConfig {
            data: None,
            data_sha256: None,
            max_data_bytes: None,
            max_memory_gb: None,
            dataset: Some(Generator::Moons),
            samples: Some(1000),
            noise: Some(data::DEFAULT_NOISE),
            factor: None,
            centers: None,
            cluster_std: None,
            features: None,
            classes: None,
            no_shuffle: Some(false),
            inputs: None,
            test_size: Some(TestSizeValue::Fraction(0.2)),
            seed: 42,
            data_seed: Some(42),
            split_seed: 42,
            init_seed: 42,
            hidden: vec![8],
            activation: "relu".into(),
            lr: 0.1,
            lr_at: Vec::new(),
            epochs: 20,
            task: None,
            batch_size: None,
            shuffle_seed: None,
            optimizer: RuleKind::Sgd,
            momentum: Some(0.0),
            nesterov: false,
            betas: None,
            eps: None,
            weight_decay: Some(0.0),
            l1: 0.0,
            l2: 0.0,
            engine: EngineKind::Manual,
            init: InitKind::Notebook,
            init_from: None,
            dtype: DtypeArg::F64,
            device: DeviceArg::Cpu,
            readable: false,
            threads: None,
        }
    }

    /// The notebook's PyTorch section: [`notebook`](Self::notebook) on the autograd engine, from
    /// `torch.manual_seed(42)`'s initial weights, in float32.
    pub fn notebook_torch() -> RunConfig {
        RunConfig {
            engine: EngineKind::Autograd,
            init: InitKind::Torch,
            dtype: DtypeArg::F32,
            ..RunConfig::notebook()
        }
    }

    /// Fills in the optimizer's defaults that are absent: SGD's momentum 0; Adam's and AdamW's
    /// betas (0.9, 0.999) and eps 1e-8; torch.optim's weight decay for the rule. Values that do
    /// not apply to the rule are kept, for [`train_config`](Self::train_config) to refuse by name.
    pub fn fill_optimizer_defaults(&mut self) {
        match self.optimizer {
            RuleKind::Sgd => {
                self.momentum.get_or_insert(0.0);
            }
            _ => {
                self.betas.get_or_insert(Betas(0.9, 0.999));
                self.eps.get_or_insert(1e-8);
            }
        }
        self.weight_decay
            .get_or_insert(self.optimizer.default_weight_decay());
    }

    /// The generator's options, as `nnlab data` takes them.
    fn dataset_options(&self) -> DatasetOptions {
        DatasetOptions {
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
    pub fn prepare(&mut self) -> Result<Prepared> {
        let (dataset, file_split) = match &self.data {
            Some(path) => {
                let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                let limit = self.max_data_bytes.unwrap_or(data::DEFAULT_MAX_DATA_BYTES);
                let (file, sha256) = data::read_file(&path, limit)?;
                match &self.data_sha256 {
                    Some(recorded) if *recorded != sha256 => {
                        return Err(usage(format!(
                            "--data {}: the file changed since the run that recorded it (its SHA-256 is now {sha256}, the run's was {recorded}), so a replay would train on other data. Restore the file, or name it with --data on the command line to train on it as it is now",
                            path.display()
                        )))
                    }
                    _ => self.data_sha256 = Some(sha256),
                }
                self.check_classes(&file, &format!("--data {}", path.display()))?;
                self.data = Some(path);
                (file.dataset, file.split)
            }
            None => {
                let generator = self.dataset.unwrap_or(Generator::Moons);
                let seed = self.data_seed.unwrap_or(self.seed);
                (
                    data::generate(generator, &self.dataset_options(), seed)?,
                    None,
                )
            }
        };
        self.prepare_rows(dataset, file_split)
    }

    /// [`prepare`](Self::prepare) for rows already read (the playground's uploaded CSV, read as
    /// `--data` reads a file); `data` and `dataset` are left as they are.
    pub fn prepare_file(&mut self, file: nnlab_data::csv_io::CsvDataset) -> Result<Prepared> {
        self.check_classes(&file, "the data")?;
        self.prepare_rows(file.dataset, file.split)
    }

    /// Refuses whole-number labels that cannot be classes unless the task is a regression.
    fn check_classes(&self, file: &nnlab_data::csv_io::CsvDataset, name: &str) -> Result<()> {
        match (&file.not_classes, self.task) {
            (Some((line, problem)), task) if task != Some(TaskKind::Regression) => Err(usage(
                format!("{name}: line {line}: {problem}, or give --task regression"),
            )),
            _ => Ok(()),
        }
    }

    fn prepare_rows(
        &mut self,
        mut dataset: Dataset,
        file_split: Option<Split>,
    ) -> Result<Prepared> {
        let split = match (self.test_size, file_split) {
            (None, Some(split)) => {
                let empty = match (split.train.is_empty(), split.test.is_empty()) {
                    (true, _) => Some("train"),
                    (_, true) => Some("test"),
                    _ => None,
                };
                if let Some(part) = empty {
                    let file = match &self.data {
                        Some(path) => format!("--data {}", path.display()),
                        None => "the data".to_string(),
                    };
                    return Err(usage(format!(
                        "{file}: the split column marks no row as {part}; mark some rows {part}, or give --test-size to split the rows anew (the split column is then ignored)"
                    )));
                }
                split
            }
            (size, _) => {
                let size = size.unwrap_or(TestSizeValue::Fraction(0.2));
                self.test_size = Some(size);
                data::split(&dataset, size.into(), self.split_seed)?
            }
        };
        let (mut own_columns, mut input_features) = (None, None);
        if let Some(inputs) = &self.inputs {
            let features: Vec<nnlab_data::InputFeature> = inputs
                .iter()
                .map(|name| name.parse())
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| usage(format!("--inputs: {e}")))?;
            let inputs = nnlab_data::inputs::apply(&features, &dataset.features)
                .map_err(|e| usage(format!("--inputs {}: {e}", inputs.join(","))))?;
            own_columns = Some(std::mem::replace(&mut dataset.features, inputs));
            input_features = Some(features);
        }
        let task = resolve_task(self.task, &dataset)?;
        self.task = Some(task.kind());
        let (train, scaler) =
            data::scaled_train_data(&dataset, &split, task).map_err(|e| match (&self.data, e) {
                (Some(path), crate::AppError::Usage(message)) => {
                    usage(format!("--data {}: {message}", path.display()))
                }
                (_, e) => e,
            })?;
        let column_plane = match (&own_columns, input_features) {
            (Some(columns), Some(features)) if columns.ncols() == 2 => {
                ColumnPlane::new(columns, &split, features)
            }
            _ => None,
        };
        Ok(Prepared {
            input_names: own_columns.as_ref().and(self.inputs.clone()),
            column_plane,
            own_columns,
            dataset,
            split,
            scaler,
            train,
        })
    }

    /// The network's shape for `task` on data with `input_size` features.
    pub fn model_spec(&self, input_size: usize, task: Task) -> Result<ModelSpec> {
        let mut activations = self
            .activation
            .split(',')
            .map(|name| name.trim().parse::<Activation>())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| usage(format!("--activation: {e}")))?;
        if activations.len() == 1 {
            activations = vec![activations[0]; self.hidden.len()];
        }
        ModelSpec::with_task(input_size, self.hidden.clone(), activations, task)
            .map_err(crate::flag_error)
    }

    /// Learning rate, epochs, batches and optimizer, checked.
    pub fn train_config(&self) -> Result<TrainConfig> {
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
        let optimizer = OptimizerConfig::new(rule, self.l1, self.l2).map_err(crate::flag_error)?;
        let shuffle_seed = self.shuffle_seed.unwrap_or(self.seed);
        let lr_changes = self.lr_at.iter().map(|c| (c.epoch, c.lr)).collect();
        TrainConfig::new(self.lr, self.epochs)
            .and_then(|config| config.with_lr_changes(lr_changes))
            .and_then(|config| config.with_batches(self.batch_size, shuffle_seed))
            .map(|config| config.with_optimizer(optimizer))
            .map_err(crate::flag_error)
    }

    /// Short lines describing the run, for the figures' summary panel, in `lang`.
    pub fn describe(&self, spec: &ModelSpec, prepared: &Prepared, lang: Lang) -> Vec<String> {
        let ru = lang == Lang::Ru;
        let seed_word = lang.pick("seed", "зерно");
        let data = match (&self.data, self.dataset) {
            (Some(path), _) => format!("{} {}", lang.pick("data", "данные"), path.display()),
            (None, Some(generator)) => {
                let rows = self.samples.unwrap_or(0);
                let mut text = match lang {
                    Lang::En => format!("data {} ({rows} rows", generator.name()),
                    Lang::Ru => {
                        let word =
                            nnlab_plot::russian_form(rows as usize, ["строка", "строки", "строк"]);
                        format!("данные {} ({rows} {word}", generator.name())
                    }
                };
                if let Some(noise) = self.noise {
                    text += &format!(", {} {noise}", lang.pick("noise", "шум"));
                }
                let seed = self.data_seed.unwrap_or(self.seed);
                text + &format!(", {seed_word} {seed})")
            }
            (None, None) => lang.pick("data generated", "данные сгенерированы").into(),
        };
        let dtype = format!("{:?}", self.dtype).to_lowercase();
        let engine = match self.engine {
            EngineKind::Manual if self.readable => match lang {
                Lang::En => "manual engine (readable path, f64)".to_string(),
                Lang::Ru => "ручной движок (читаемый путь, f64)".to_string(),
            },
            EngineKind::Manual if ru => format!("ручной движок ({dtype})"),
            EngineKind::Manual => format!("manual engine ({dtype})"),
            EngineKind::Autograd if ru => format!("движок autograd ({dtype})"),
            EngineKind::Autograd => format!("autograd engine ({dtype})"),
        };
        let init = match (self.init, &self.init_from) {
            (InitKind::File, Some(path)) => {
                format!(
                    "{} {}",
                    lang.pick("weights from", "веса из"),
                    path.display()
                )
            }
            (InitKind::Torch, _) => match lang {
                Lang::En => format!("torch weights seed {}", self.init_seed),
                Lang::Ru => format!("веса как в torch, зерно {}", self.init_seed),
            },
            _ => match lang {
                Lang::En => format!("weights seed {}", self.init_seed),
                Lang::Ru => format!("веса: зерно {}", self.init_seed),
            },
        };
        let batches = match (self.batch_size, lang) {
            (Some(size), Lang::En) => format!("batches of {size}"),
            (Some(size), Lang::Ru) => format!("мини-батчи по {size}"),
            (None, _) => lang.pick("full batch", "полный батч").into(),
        };
        let (train, test) = (prepared.split.train.len(), prepared.split.test.len());
        let split = match lang {
            Lang::En => format!("split {train} train / {test} test"),
            Lang::Ru => format!("разбиение: {train} обучающих / {test} тестовых"),
        };
        vec![
            format!(
                "{} {} ({}), {engine}",
                lang.pick("network", "сеть"),
                spec.describe(),
                spec.describe_activations()
            ),
            format!(
                "{}: lr {}, {}, {batches}",
                self.train_config()
                    .map(|c| c.optimizer().describe())
                    .unwrap_or_default(),
                self.lr,
                lang.epochs(self.epochs),
            ),
            data,
            format!("{split} ({seed_word} {}), {init}", self.split_seed),
        ]
    }
}

/// The task of the data: `--task` if given (checked against the labels), else binary for labels
/// 0/1 and multi-class for 0..K−1. Every class 0..K−1 must have rows.
fn resolve_task(kind: Option<TaskKind>, dataset: &Dataset) -> Result<Task> {
    if dataset.is_regression() {
        return match kind {
            None | Some(TaskKind::Regression) => Ok(Task::Regression),
            Some(other) => Err(usage(format!(
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
        return Err(usage(format!(
            "the labels are {}: class {missing} has no rows. Labels must be 0, 1, ..., K-1 with every class present; renumber them",
            present.join(", ")
        )));
    }
    if classes < 2 && kind != Some(TaskKind::Regression) {
        return Err(usage(
            "every label is 0: a classifier needs rows of two classes or more (with --dataset blobs, --centers 2 or more; for real-valued targets, --task regression)",
        ));
    }
    match kind {
        None => Ok(Task::for_classes(classes)),
        Some(TaskKind::Binary) if classes <= 2 => Ok(Task::Binary),
        Some(TaskKind::Binary) => Err(usage(format!(
            "--task binary: the data has {classes} classes (labels 0 to {}); use --task multiclass, or data with labels 0 and 1",
            classes - 1
        ))),
        Some(TaskKind::Multiclass) if classes >= 3 => Ok(Task::Multiclass { classes }),
        Some(TaskKind::Multiclass) => Err(usage(format!(
            "--task multiclass: the data has {classes} classes; a multi-class task needs 3 or more (2 classes are --task binary)"
        ))),
        Some(TaskKind::Regression) => Ok(Task::Regression),
    }
}

/// Reads the settings back from a run's `run.json`.
pub fn read_run_config(path: &std::path::Path) -> Result<RunConfig> {
    read_run(path).map(|(config, _)| config)
}

/// Reads a run's `run.json`: its settings, and the whole record (its result and checksums). A
/// run.json of another format than this nnlab writes is refused.
pub fn read_run(path: &std::path::Path) -> Result<(RunConfig, serde_json::Value)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("{}: cannot read it: {e}", path.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("{}: not valid JSON: {e}", path.display())))?;
    crate::config_file::check_format(&json, &path.display().to_string())?;
    let config = serde_json::from_value(json["config"].clone()).map_err(|e| {
        usage(format!(
            "{}: the \"config\" section is not a run's settings: {e}",
            path.display()
        ))
    })?;
    Ok((config, json))
}
