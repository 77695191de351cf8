//! Building the engine a run asks for: its initial weights (notebook, torch or a file) and the
//! hand-written or the autograd engine around them.

use nnlab_autograd::{torch_init, AutogradEngine, AutogradError, DeviceKind, FloatType};
use nnlab_core::{
    notebook_init, CoreError, Engine, FastEngine, ManualEngine, Mlp, ModelSpec, Parameter, Task,
    TrainAccuracy,
};

use crate::config::RunConfig;
use crate::model_file::read_parameters;
use crate::options::{DeviceArg, DtypeArg, EngineKind, InitKind};
use crate::usage;
use crate::Result;

/// The initial parameters the settings ask for, in PyTorch's layout.
pub fn initial_parameters(settings: &RunConfig, spec: &ModelSpec) -> Result<Vec<Parameter>> {
    match (settings.init, &settings.init_from) {
        (InitKind::Notebook, _) => Ok(notebook_init(spec, settings.init_seed).parameters()),
        (InitKind::Torch, _) => Ok(torch_init(spec, settings.init_seed)),
        (InitKind::File, Some(path)) => {
            let parameters = read_parameters(path)
                .map_err(|e| usage(format!("--init-from {}: {e}", path.display())))?;
            check_finite(&parameters).map_err(|problem| {
                usage(format!(
                    "--init-from {}: {problem}; training cannot start from it (every step would \
                     be NaN). Start from weights saved by a run that did not diverge, or from \
                     --init notebook or --init torch",
                    path.display()
                ))
            })?;
            Ok(parameters)
        }
        (InitKind::File, None) => Err(usage("--init file needs --init-from FILE")),
    }
}

/// The engine of the settings, holding `parameters` (which came from `source`, for messages).
pub fn build_engine(
    settings: &RunConfig,
    spec: &ModelSpec,
    parameters: &[Parameter],
    source: &str,
) -> Result<Box<dyn Engine>> {
    let mismatch = |e: CoreError| {
        let hint = match file_shape(parameters) {
            Some(widths) if widths.len() >= 3 => format!(
                "; the file holds a {} net (try --hidden {})",
                widths
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join("-"),
                widths[1..widths.len() - 1]
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => {
                let names: Vec<&str> = parameters.iter().map(|p| p.name.as_str()).collect();
                format!(
                    "; a {} net needs network.0.weight, network.0.bias, network.2.weight, ... (found: {})",
                    spec.describe(),
                    names.join(", ")
                )
            }
        };
        usage(format!("{source}: {e}{hint}"))
    };
    match settings.engine {
        EngineKind::Manual => {
            if settings.dtype == DtypeArg::F32 && settings.readable {
                return Err(usage("--dtype f32: the readable path computes in f64 (drop --readable for the fast path's f32)"));
            }
            if settings.device == DeviceArg::Cuda {
                return Err(usage("--device cuda: the hand-written engine runs on the CPU (use --engine autograd)"));
            }
            let mlp = Mlp::from_parameters(spec, parameters).map_err(mismatch)?;
            let threads = settings.threads.map(usize::from);
            // The fast path trains binary classifiers; the readable engine every task.
            let readable = settings.readable || spec.task() != Task::Binary;
            if readable && settings.dtype == DtypeArg::F32 {
                return Err(usage(format!(
                    "--dtype f32: the hand-written engine's f32 runs on its fast path, which trains binary classifiers only (this is {:?}); drop --dtype f32, or use --engine autograd",
                    spec.task()
                )));
            }
            Ok(match (readable, settings.dtype) {
                (true, _) => Box::new(ManualEngine::new(spec.clone(), mlp)?),
                (false, DtypeArg::F64) => {
                    Box::new(FastEngine::<f64>::new(spec.clone(), &mlp, threads)?)
                }
                (false, DtypeArg::F32) => {
                    Box::new(FastEngine::<f32>::new(spec.clone(), &mlp, threads)?)
                }
            })
        }
        EngineKind::Autograd => {
            let float = match settings.dtype {
                DtypeArg::F32 => FloatType::F32,
                DtypeArg::F64 => FloatType::F64,
            };
            let device = match settings.device {
                DeviceArg::Cpu => DeviceKind::Cpu,
                DeviceArg::Cuda => DeviceKind::Cuda,
            };
            // Check names and shapes first, for the same clear message as the manual engine.
            Mlp::from_parameters(spec, parameters).map_err(mismatch)?;
            match AutogradEngine::new(spec.clone(), parameters, float, device) {
                Ok(engine) => Ok(Box::new(engine)),
                Err(e @ AutogradError::NoCuda(_)) => Err(usage(format!("--device cuda: {e}"))),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// What each section of the notebook records as its training accuracy.
pub fn train_accuracy(engine: EngineKind) -> TrainAccuracy {
    match engine {
        EngineKind::Manual => TrainAccuracy::AfterUpdate,
        EngineKind::Autograd => TrainAccuracy::BeforeUpdate,
    }
}

/// The layer widths a set of parameters describes (input first), if its weights chain up.
pub fn file_shape(parameters: &[Parameter]) -> Option<Vec<usize>> {
    let mut widths = Vec::new();
    for l in 0.. {
        let name = nnlab_core::engine::parameter_name(l, "weight");
        let Some(weight) = parameters.iter().find(|p| p.name == name) else {
            break;
        };
        let [n_out, n_in] = weight.shape[..] else {
            return None;
        };
        if widths.is_empty() {
            widths.push(n_in);
        } else if widths.last() != Some(&n_in) {
            return None;
        }
        widths.push(n_out);
    }
    (widths.len() >= 2 && parameters.len() == 2 * (widths.len() - 1)).then_some(widths)
}

/// Refuses parameters holding NaN or an infinity, naming the first such tensor and value.
pub fn check_finite(parameters: &[Parameter]) -> std::result::Result<(), String> {
    for parameter in parameters {
        let bad = parameter.values.iter().filter(|v| !v.is_finite()).count();
        let Some(at) = parameter.values.iter().position(|v| !v.is_finite()) else {
            continue;
        };
        // the flat index as one index per axis, row-major
        let mut index = Vec::with_capacity(parameter.shape.len());
        let mut rest = at;
        for &size in parameter.shape.iter().rev() {
            index.push(rest % size.max(1));
            rest /= size.max(1);
        }
        index.reverse();
        let index: Vec<String> = index.iter().map(usize::to_string).collect();
        return Err(format!(
            "tensor {} holds {} at [{}] ({bad} of its {} values are NaN or infinite)",
            parameter.name,
            parameter.values[at],
            index.join(", "),
            parameter.values.len()
        ));
    }
    Ok(())
}

/// The most memory a run may take unless `--max-memory` says otherwise, in bytes: 8 GB, or
/// three quarters of the machine's memory (`MemTotal` in `/proc/meminfo`) where that is less.
/// A fixed ceiling keeps what a run may do the same from machine to machine; the share of the
/// machine keeps a small one from swapping or being killed part way.
pub const DEFAULT_MAX_MEMORY: u64 = 8_000_000_000;

/// Rows of the decision-boundary grid that the figures predict at once (`nnlab-plot`'s batch).
const FIGURE_ROWS: usize = 16_384;

/// The default limit on a run's memory, in bytes, and how it was chosen (for messages).
pub fn default_memory_limit() -> (u64, String) {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb.saturating_mul(1024))
        });
    match total {
        Some(total) if total / 4 * 3 < DEFAULT_MAX_MEMORY => (
            total / 4 * 3,
            format!(
                "the default: 3/4 of this machine's {}",
                gigabytes(total as f64)
            ),
        ),
        _ => (DEFAULT_MAX_MEMORY, "the default".to_string()),
    }
}

/// Bytes as gigabytes, for messages ("19.3 GB", "0.004 GB").
pub fn gigabytes(bytes: f64) -> String {
    let gb = bytes / 1e9;
    if gb >= 10.0 {
        format!("{gb:.0} GB")
    } else if gb >= 0.1 {
        format!("{gb:.1} GB")
    } else {
        format!("{gb:.3} GB")
    }
}

/// Where a run's memory would go, estimated from its settings before anything is allocated.
///
/// With P the network's parameters (Σ n_in·n_out + n_out over its layers), U its values per row
/// (the inputs and every layer's outputs: d + Σ n_l) and T the bytes of its float type:
///
/// ```text
/// parameters   8·P·(6 + s)            f64 copies: the initial weights, the engine's, gradients,
///                                     the optimizer's buffers, the saved model; s = 0 for plain
///                                     SGD, 1 with momentum, 2 for Adam and AdamW
///              + T·P·c                fast path: a gradient sum per chunk of 4,096 rows (c chunks)
///              + 3·T·P                autograd: candle's parameters and gradients
/// activations  readable  8·U·max(5·r, 3·q)      r rows per step (the batch, or every training
///              autograd  T·U·max(12·r, 4.5·q)   row), q rows predicted at once (the test rows,
///              fast      2·256·T·U·(w_r + w_q)  the hand-written engine's training rows, 16,384
///                        + 96·n_1·T·w_r + T·r   grid points for the figures); w_r and w_q
///                                               threads at work, one per chunk of 4,096 rows
/// data         8·(d + 1)·5 per row    the rows, their split, scaled and gathered copies
/// ```
///
/// The factors are measured peaks (`/usr/bin/time -v`, maximum resident set size): the readable
/// engine keeps z, a and its input per layer for the backward pass and makes two more while it
/// runs (5 matrices of r × U), 3 when it only predicts; candle keeps every node of the graph and
/// its gradient (12, and 4.5 when predicting); the fast path holds z and a of one 256-row block
/// per thread, never the whole batch.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryEstimate {
    /// Weights, gradients and optimizer state, in bytes.
    pub parameters: f64,
    /// The activations of the rows computed at once, in bytes.
    pub activations: f64,
    /// The data, in bytes.
    pub data: f64,
    /// What the activations are, in words.
    pub activations_detail: String,
}

impl MemoryEstimate {
    /// The whole estimate, in bytes.
    pub fn total(&self) -> f64 {
        self.parameters + self.activations + self.data
    }
}

/// Estimates the memory of a run of `settings` with network `spec` on `train_rows` and
/// `test_rows` rows, drawing the figures if `figures` (see [`MemoryEstimate`]).
pub fn memory_estimate(
    settings: &RunConfig,
    spec: &ModelSpec,
    train_rows: usize,
    test_rows: usize,
    figures: bool,
) -> MemoryEstimate {
    let layers = spec.layer_sizes();
    let params: f64 = layers
        .iter()
        .map(|&(n_in, n_out)| n_in as f64 * n_out as f64 + n_out as f64)
        .sum();
    let u = (spec.input_size() + layers.iter().map(|&(_, n_out)| n_out).sum::<usize>()) as f64;
    let float = match settings.dtype {
        DtypeArg::F32 => 4.0,
        DtypeArg::F64 => 8.0,
    };
    let slots = match (settings.optimizer, settings.momentum) {
        (nnlab_core::RuleKind::Adam | nnlab_core::RuleKind::AdamW, _) => 2.0,
        (nnlab_core::RuleKind::Sgd, Some(m)) if m != 0.0 => 1.0,
        (nnlab_core::RuleKind::Sgd, _) => 0.0,
    };
    let step_rows = settings
        .batch_size
        .map_or(train_rows, |b| b.min(train_rows))
        .max(1);
    let hand_written = settings.engine == EngineKind::Manual;
    let predict_rows = test_rows
        .max(if hand_written { train_rows } else { 0 })
        .max(if figures { FIGURE_ROWS } else { 0 })
        .max(1);
    let data = 8.0 * (spec.input_size() + 1) as f64 * 5.0 * (train_rows + test_rows) as f64;
    let mut parameters = 8.0 * params * (6.0 + slots);
    let matrices = |rows: usize| format!("matrices of {rows} rows × {u} values");
    let (activations, detail) = match settings.engine {
        EngineKind::Manual if settings.readable || spec.task() != Task::Binary => {
            let (train, predict) = (
                8.0 * u * 5.0 * step_rows as f64,
                8.0 * u * 3.0 * predict_rows as f64,
            );
            let rows = if train >= predict {
                step_rows
            } else {
                predict_rows
            };
            (
                train.max(predict),
                format!("the readable engine holds {}", matrices(rows)),
            )
        }
        EngineKind::Manual => {
            let threads = memory_threads(settings);
            let chunk = nnlab_core::fast::BLOCK * nnlab_core::fast::CHUNK_BLOCKS;
            let chunks = |rows: usize| rows.div_ceil(chunk).max(1);
            let workers = threads.min(chunks(step_rows)) + threads.min(chunks(predict_rows));
            parameters += float * params * chunks(step_rows) as f64;
            let block = 2.0 * nnlab_core::fast::BLOCK as f64 * float * u;
            let first = layers.first().map_or(0, |&(_, n_out)| n_out) as f64;
            (
                block * workers as f64
                    + 96.0 * first * float * threads.min(chunks(step_rows)) as f64
                    + float * step_rows as f64,
                format!(
                    "the fast path holds blocks of {} rows × {u} values ({} each) on {workers} \
                     threads at once",
                    nnlab_core::fast::BLOCK,
                    gigabytes(block)
                ),
            )
        }
        EngineKind::Autograd => {
            parameters += 3.0 * float * params;
            let (train, predict) = (
                float * u * 12.0 * step_rows as f64,
                float * u * 4.5 * predict_rows as f64,
            );
            let rows = if train >= predict {
                step_rows
            } else {
                predict_rows
            };
            (
                train.max(predict),
                format!(
                    "the autograd engine keeps every node of its graph, {}",
                    matrices(rows)
                ),
            )
        }
    };
    MemoryEstimate {
        parameters,
        activations,
        data,
        activations_detail: detail,
    }
}

/// The threads the fast path would run on: `--threads`, or every core (rayon's default).
fn memory_threads(settings: &RunConfig) -> usize {
    settings
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// Refuses a run whose [`memory_estimate`] is over the limit — `max_memory_gb` gigabytes
/// (`--max-memory`), or [`default_memory_limit`] — before anything is allocated, with the
/// estimate, the limit and what to try; else returns the estimate.
pub fn check_memory(
    settings: &RunConfig,
    spec: &ModelSpec,
    prepared: &crate::Prepared,
    figures: bool,
    max_memory_gb: Option<f64>,
) -> Result<MemoryEstimate> {
    let (limit, how) = match max_memory_gb {
        Some(gb) if gb > 0.0 && gb.is_finite() => (gb * 1e9, "--max-memory".to_string()),
        Some(gb) => {
            return Err(usage(format!(
                "--max-memory {gb}: give the most memory a run may take in gigabytes, a number above 0, e.g. 16"
            )))
        }
        None => {
            let (bytes, how) = default_memory_limit();
            (bytes as f64, how)
        }
    };
    let (train_rows, test_rows) = (prepared.split.train.len(), prepared.split.test.len());
    let fits = |settings: &RunConfig, figures: bool| {
        memory_estimate(settings, spec, train_rows, test_rows, figures).total() <= limit
    };
    let estimate = memory_estimate(settings, spec, train_rows, test_rows, figures);
    if estimate.total() <= limit {
        return Ok(estimate);
    }
    // What would fit, everything else kept.
    let mut tries = Vec::new();
    if figures && fits(settings, false) {
        tries.push("--no-figures (the boundary figure predicts 16,384 grid points at once)".into());
    }
    let step_rows = settings.batch_size.unwrap_or(train_rows).min(train_rows);
    let batch_that_fits = |figures: bool| {
        std::iter::successors(Some(step_rows / 2), |b| Some(b / 2))
            .take_while(|&b| b >= 1)
            .find(|&b| {
                let mut smaller = settings.clone();
                smaller.batch_size = Some(b);
                fits(&smaller, figures)
            })
    };
    let batch = match batch_that_fits(figures) {
        Some(batch) => Some((batch, "")),
        None if figures && !fits(settings, false) => {
            batch_that_fits(false).map(|batch| (batch, " with --no-figures"))
        }
        None => None,
    };
    if let Some((batch, with)) = batch {
        tries.push(format!(
            "--batch-size {batch}{with} (this engine holds every row of a batch at once)"
        ));
    }
    let mut fast = settings.clone();
    (fast.engine, fast.readable) = (EngineKind::Manual, false);
    let on_fast_path = settings.engine == EngineKind::Manual && !settings.readable;
    if spec.task() == Task::Binary && !on_fast_path && fits(&fast, figures) {
        tries.push(
            "the hand-written engine's fast path (--engine manual without --readable), which works in blocks of 256 rows"
                .into(),
        );
    }
    if on_fast_path {
        // the fast path's blocks are per thread: fewer threads, less memory
        let threads = memory_threads(settings);
        let fewer = (1..threads).rev().find(|&n| {
            let mut fewer = settings.clone();
            fewer.threads = u16::try_from(n).ok();
            fits(&fewer, figures)
        });
        if let Some(n) = fewer {
            tries.push(format!(
                "--threads {n} (the fast path holds blocks of rows per thread)"
            ));
        }
    }
    let hidden: Vec<String> = spec.hidden().iter().map(usize::to_string).collect();
    tries.push(format!("a smaller --hidden (now {})", hidden.join(",")));
    if batch.is_none() && !on_fast_path {
        tries.push("fewer rows".into());
    }
    tries.push("--max-memory GB to allow more, if this machine has the memory".into());
    Err(usage(format!(
        "this run would need about {} of memory, more than its limit of {} ({how}): {} ({}), \
         the weights, gradients and optimizer state {}, the data {}. Try {}",
        gigabytes(estimate.total()),
        gigabytes(limit),
        estimate.activations_detail,
        gigabytes(estimate.activations),
        gigabytes(estimate.parameters),
        gigabytes(estimate.data),
        tries.join(", or ")
    )))
}
