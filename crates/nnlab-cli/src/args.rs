//! The command line, as clap types. Parsing only: building datasets from these lives in `commands`.
// The doc comments below are the --help text, where `runs/<time>` is meant as written, not HTML.
#![allow(rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
pub use nnlab_app::{
    Betas, BoundaryView, DeviceArg, DtypeArg, EngineKind, FigureLang, Generator, InitKind, LrChange,
};
use nnlab_core::{Activation, RuleKind, TaskKind};
use serde::Serialize;

/// nnlab: a lab for small neural networks, built from an introductory notebook.
#[derive(Debug, Parser)]
#[command(name = "nnlab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a dataset as CSV: scikit-learn's make_moons, make_circles or make_blobs (bit for bit),
    /// or one of TensorFlow Playground's.
    #[command(after_help = DATA_EXAMPLES)]
    Data(DataArgs),

    /// Train an MLP (a classifier, or a regression on real-valued labels) and save its history,
    /// model, settings and figures.
    #[command(after_help = TRAIN_EXAMPLES)]
    Train(Box<TrainArgs>),

    /// Take one training step apart on a few rows: the forward pass, the backward pass line by
    /// line, a finite-difference check of every gradient, and the update.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(Box<ExplainArgs>),

    /// Run the whole lesson: data, the numpy section, the PyTorch section, and a summary.
    #[command(after_help = NOTEBOOK_EXAMPLES)]
    Notebook(NotebookArgs),

    /// Train a grid of settings × seeds in parallel and compare their final test accuracy.
    #[command(
        after_help = SWEEP_EXAMPLES,
        args_conflicts_with_subcommands = true,
        disable_help_subcommand = true
    )]
    Sweep(Box<SweepCommand>),

    /// Redraw a run's figures from its files, without training again.
    #[command(after_help = PLOT_EXAMPLES)]
    Plot(PlotArgs),

    /// Start the playground: a local web page that trains nnlab's engines live.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
}

const SERVE_EXAMPLES: &str = "\
Examples:
  nnlab serve                    # then open the address it prints, http://127.0.0.1:8080/
  nnlab serve --port 0 --open    # any free port, and open the page in the browser

The page trains in this process (one thread per session); Ctrl-C stops the server. It answers only
its own page: requests from other sites or other host names are refused.";

/// `nnlab serve`'s options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on (0: any free port).
    #[arg(long, allow_negative_numbers = true, default_value_t = 8080)]
    pub port: u16,

    /// The address to listen on. Other than 127.0.0.1 (or ::1), every machine that reaches
    /// this one can use the playground: nnlab prints a warning.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,

    /// Another name of this machine that pages may use (repeatable), e.g. with --host 0.0.0.0
    /// --allow-host lab.local: then only those names and localhost are answered, which keeps
    /// out web pages that rebind their own name to this machine (DNS rebinding).
    #[arg(long, value_name = "NAME", value_parser = parse_host_name)]
    pub allow_host: Vec<String>,

    /// Open the page in the default browser once the server is up.
    #[arg(long)]
    pub open: bool,
}

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  nnlab explain                                # the notebook's first step on training rows 0-3
  nnlab explain --rows 0,5,17 --activation tanh
  nnlab explain --optimizer adam --lr 0.01     # with Adam's moments after the step
  nnlab explain --dataset blobs --centers 3 --hidden 4   # softmax cross-entropy
  nnlab explain --config runs/x/run.json --format markdown -o step.md

It takes every data and network option of `nnlab train` (and --config); the step is computed by
the readable engine in f64 from the initial weights the run starts from. The gradients are the
mean over the chosen rows.";

/// `nnlab explain`'s options: `train`'s, and which rows, in which format, where.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The training rows to take the step on (0-based, after the split), 1 to 5 of them.
    #[arg(
        long,
        value_name = "I,...",
        value_delimiter = ',',
        default_value = "0,1,2,3"
    )]
    pub rows: Vec<usize>,

    /// text (for a terminal) or markdown (a document to hand out).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,

    /// Write the explanation to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub run: TrainArgs,
}

pub use nnlab_app::explain::render::Format as ExplainFormat;

/// `train`'s options that `explain` has no use for: hidden from its help and ignored (but
/// `--out`, which it refuses, pointing to `-o FILE`).
pub const TRAIN_ONLY: [&str; 14] = [
    "out",
    "force",
    "log_every",
    "quiet",
    "svg",
    "boundary",
    "lang",
    "animate",
    "frames",
    "hidden_space",
    "hidden_units",
    "no_figures",
    "max_memory",
    "epochs",
];

/// The command line's definition: the derived one, with `train`'s run-folder options hidden from
/// `explain`'s help.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().mut_subcommand("explain", |explain| {
        TRAIN_ONLY
            .iter()
            .fold(explain, |c, id| c.mut_arg(*id, |a| a.hide(true)))
    })
}

const NOTEBOOK_EXAMPLES: &str = "\
Examples:
  nnlab notebook                               # everything the notebook shows, into runs/notebook
  nnlab notebook --epochs 1000 --out runs/long # both sections trained for 1000 epochs

Each section's folder (manual/, autograd/) is a run folder: `nnlab plot runs/notebook/manual`
redraws it, and `nnlab train --config runs/notebook/manual/run.json` replays it.";

const SWEEP_EXAMPLES: &str = "\
Examples:
  nnlab sweep --hidden 4,8,16 --lr 0.01,0.1,1 --seeds 0..10
  nnlab sweep --seeds 0..1000                  # the notebook's setting, 1000 seeds
  nnlab sweep --dataset circles --factor 0.5 --hidden 2,4,8 --epochs 200

  # the same grid on 4 machines (or Slurm array tasks), then merged:
  nnlab sweep --hidden 4,8,16 --lr 0.01,0.1,1 --seeds 0..100 --shard 2/4 --out parts/2
  nnlab sweep merge parts/1 parts/2 parts/3 parts/4 --out sweep

Each seed sets the data, the split and the initial weights (as --seed does for train). Output (in
--out DIR, default runs/sweep-<time>): runs.csv (one row per run), summary.csv (per setting: mean,
spread and range of the final test accuracy over the seeds), sweep.png and run.json. A shard
(--shard I/N) writes only its runs.csv and run.json; `nnlab sweep merge` makes the rest, byte for
byte what one machine would have written.";

const MERGE_EXAMPLES: &str = "\
Examples:
  nnlab sweep merge parts/* --out sweep
  nnlab sweep merge runs/a runs/b runs/c      # into runs/sweep-<time>

The folders may come in any order, but every shard 1..N of one grid must be there exactly once.
Output (in --out DIR): runs.csv, summary.csv, sweep.png and run.json, as `nnlab sweep` without
--shard writes them (run.json's `seconds` is the shards' total).";

const PLOT_EXAMPLES: &str = "\
Examples:
  nnlab plot runs/long                         # dataset.png, training.png, boundary.png again
  nnlab plot runs/long --boundary probability --svg
  nnlab plot runs/long --animate --hidden-space  # boundary.gif (trains the run again) and hidden.png";

const TRAIN_EXAMPLES: &str = "\
Examples:
  nnlab train                                  # the notebook's numpy section: 2-8-1, lr 0.1, 20 epochs
  nnlab train --epochs 1000 --out runs/long    # the same, longer, into runs/long
  nnlab train --hidden 16,16 --lr 0.3 --seed 7 # a deeper net on other data and weights
  nnlab train --dataset circles --factor 0.5 --noise 0.05
  nnlab train --data my.csv                    # your own CSV: x0,x1,...,label[,split]
  nnlab train --engine autograd                # the notebook's PyTorch section (candle, float32)
  nnlab train --engine autograd --init-from torch_model.safetensors
  nnlab train --batch-size 32 --optimizer adam --lr 0.01   # mini-batches and Adam
  nnlab train --dataset blobs --centers 4 --hidden 16      # 4 classes: softmax cross-entropy
  nnlab train --config run.toml --lr 0.5      # options from a file, --lr overridden
  nnlab train --config runs/x/run.json         # replay a run exactly
  nnlab train --epochs 300 --animate           # boundary.gif: the boundary as it learns
  nnlab train --hidden-space --hidden-units 3,5 # hidden.png: the plane after hidden layer 1

Output (in --out DIR, default runs/<time>): history.csv (loss, accuracies and ||W|| per epoch),
model.safetensors (PyTorch's layout: network.0.weight, network.0.bias, network.2.weight, ...),
run.json (every setting and seed, and the final metrics), and the figures dataset.png,
training.png and boundary.png (and boundary.gif with --animate, hidden.png with --hidden-space).";

const DATA_EXAMPLES: &str = "\
Examples:
  nnlab data --samples 5                       # the notebook's moons (noise 0.125, seed 42), 5 rows
  nnlab data circles --factor 0.5 -o circles.csv
  nnlab data blobs --centers 4 --cluster-std 0.7 --seed 1
  nnlab data --test-size 0.2 -o moons.csv      # adds a split column, as train_test_split(seed)
  nnlab data spiral --classes 3 --noise 0.1    # TensorFlow Playground's spiral, 3 arms
  nnlab data plane --noise 0.2 -o plane.csv    # the Playground's regression plane (real labels)";

#[derive(Debug, Args)]
pub struct DataArgs {
    /// Which dataset to make.
    #[arg(value_enum, default_value_t = Generator::Moons)]
    pub generator: Generator,

    #[command(flatten)]
    pub dataset: DatasetArgs,

    /// Seed of numpy's RandomState for the data and the split, 0 to 4294967295.
    #[arg(
        long,
        value_name = "S",
        allow_negative_numbers = true,
        default_value_t = 42
    )]
    pub seed: u32,

    /// Add a `split` column (train/test) as train_test_split(test_size, random_state=seed) would:
    /// a share in (0, 1) such as 0.2, or a row count such as 200.
    #[arg(long, value_name = "F", allow_negative_numbers = true, value_parser = parse_test_size)]
    pub test_size: Option<TestSizeArg>,

    /// Write the CSV to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options shared by every command that makes a dataset.
#[derive(Debug, Clone, Args)]
pub struct DatasetArgs {
    /// Number of rows.
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=nnlab_data::MAX_SAMPLES as u64))]
    pub samples: u64,

    /// Noise: for moons and circles the standard deviation of the Gaussian noise added [default:
    /// 0.125]; for the Playground's datasets its noise slider / 100, 0 to 0.5 there [default: 0].
    #[arg(long, value_name = "F", allow_negative_numbers = true, value_parser = parse_non_negative)]
    pub noise: Option<f64>,

    /// Circles only: radius of the inner circle relative to the outer one, in [0, 1) [default: 0.8].
    #[arg(long, value_name = "F", allow_negative_numbers = true, value_parser = parse_non_negative)]
    pub factor: Option<f64>,

    /// Blobs only: number of clusters [default: 3].
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub centers: Option<u64>,

    /// Blobs only: standard deviation of each cluster [default: 1.0].
    #[arg(long, value_name = "F", allow_negative_numbers = true, value_parser = parse_non_negative)]
    pub cluster_std: Option<f64>,

    /// Blobs only: number of features (columns) [default: 2].
    #[arg(long, value_name = "D", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub features: Option<u64>,

    /// Spiral only: number of arms, i.e. classes [default: 2].
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(2..=1000))]
    pub classes: Option<u64>,

    /// Keep the generator's row order (all of class 0, then class 1, ...).
    #[arg(long)]
    pub no_shuffle: bool,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Read options from a TOML or JSON file (keys as the flags, `_` for `-`; a run's run.json
    /// replays that run); flags given here override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The dataset to generate (see `nnlab data --help`); not with --data.
    #[arg(long, value_enum, default_value_t = Generator::Moons)]
    pub dataset: Generator,

    #[command(flatten)]
    pub generator: DatasetArgs,

    /// Train on a CSV file (header x0,x1,...,label and optionally split) instead.
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "dataset", "samples", "noise", "factor", "centers", "cluster_std", "features", "classes", "no_shuffle", "data_seed"])]
    pub data: Option<PathBuf>,

    /// Share (e.g. 0.2) or number (e.g. 200) of rows held out for testing [default: 0.2; with a
    /// --data file that has a split column, its split is used unless this is given].
    #[arg(long, allow_negative_numbers = true, value_name = "F", value_parser = parse_test_size)]
    pub test_size: Option<TestSizeArg>,

    /// The network's inputs, computed from the data's columns before scaling (TensorFlow
    /// Playground's features): any of x0, x1, x0^2, x1^2, x0*x1, sin(x0), sin(x1) (any column xi),
    /// comma-separated, in that order [default: the data's columns].
    #[arg(long, value_name = "F,...")]
    pub inputs: Option<String>,

    /// Seed for the data, the split and the initial weights alike (the notebook's SEED).
    #[arg(
        long,
        value_name = "S",
        allow_negative_numbers = true,
        default_value_t = 42
    )]
    pub seed: u32,

    /// Seed for the generated data only [default: --seed].
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub data_seed: Option<u32>,

    /// Seed for the train/test split only [default: --seed].
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub split_seed: Option<u32>,

    /// Seed for the initial weights only [default: --seed].
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub init_seed: Option<u32>,

    /// Widths of the hidden layers, comma-separated: 8 is the notebook's 2-8-1, 16,16 two layers.
    #[arg(
        long,
        value_name = "W,...",
        value_delimiter = ',',
        default_value = "8",
        allow_negative_numbers = true
    )]
    pub hidden: Vec<usize>,

    /// Hidden-layer activations: relu, leaky-relu, tanh, sigmoid or linear; one name for every
    /// hidden layer, or one per hidden layer (relu,tanh).
    #[arg(long, value_name = "NAME,...", value_delimiter = ',', default_value = "relu",
          value_parser = parse_activation)]
    pub activation: Vec<Activation>,

    /// Learning rate.
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.1,
        allow_negative_numbers = true
    )]
    pub lr: f64,

    /// Change the learning rate before an epoch (0-based), the optimizer keeping its state:
    /// 100=0.03 trains epochs 0-99 at --lr, then 0.03; several as 100=0.03,500=0.01.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "EPOCH=LR,...",
        value_delimiter = ','
    )]
    pub lr_at: Vec<LrChange>,

    /// Number of passes over the training rows.
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        default_value_t = 20
    )]
    pub epochs: usize,

    #[command(flatten)]
    pub toolkit: ToolkitArgs,

    /// Which engine trains: manual (hand-written backprop, the notebook's numpy section) or
    /// autograd (candle, the notebook's PyTorch section).
    #[arg(long, value_enum, default_value_t = EngineKind::Manual)]
    pub engine: EngineKind,

    /// Initial weights: notebook (np.random.seed + the numpy constructor) or torch
    /// (torch.manual_seed + Linear_NN_torch) [default: notebook for manual, torch for autograd].
    #[arg(long, value_enum, value_name = "FROM")]
    pub init: Option<InitKind>,

    /// Start from weights in a safetensors file (saved by nnlab, or by PyTorch with
    /// safetensors.torch.save_file(model.state_dict(), FILE)).
    #[arg(long, value_name = "FILE", conflicts_with = "init")]
    pub init_from: Option<PathBuf>,

    /// Float type: f64 or f32 [default: f64 for manual, f32 for autograd, as numpy and PyTorch;
    /// the manual engine's f32 runs on its fast path].
    #[arg(long, value_enum, value_name = "TYPE")]
    pub dtype: Option<DtypeArg>,

    /// Threads that share each training step of the hand-written engine [default: all cores].
    /// Results do not depend on it: the partial sums are added in a fixed order.
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Train the hand-written engine on its readable path (layer by layer, as the equations
    /// read) instead of its fused fast path; both agree to 1e-12.
    #[arg(long)]
    pub readable: bool,

    /// Where the autograd engine computes: cpu, or cuda (needs a build with --features cuda).
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,

    /// Print the notebook's epoch line every N epochs (0, N, 2N, ...).
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        default_value_t = 10
    )]
    pub log_every: usize,

    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,

    /// Folder for history.csv, model.safetensors, run.json and the figures [default: runs/<time>].
    /// A folder that holds another run is refused unless --force.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Replace the run in --out: its files (history, model, run.json, figures) are removed first,
    /// so nothing of the old run is left beside the new one.
    #[arg(long)]
    pub force: bool,

    /// The most megabytes a --data file may have [default: 1000]; a bigger file is refused
    /// before it fills memory.
    #[arg(long, allow_negative_numbers = true, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_data_mb: Option<u64>,

    /// The most memory the run may take, in gigabytes [default: 8, or 3/4 of this machine's
    /// memory if less]; a run estimated to need more is refused before it allocates.
    #[arg(long, allow_negative_numbers = true, value_name = "GB")]
    pub max_memory: Option<f64>,

    /// The SHA-256 a replayed run.json recorded for its --data file (config files only).
    #[arg(skip)]
    pub data_sha256: Option<String>,

    #[command(flatten)]
    pub figures: FigureArgs,

    /// Write no figures.
    #[arg(long)]
    pub no_figures: bool,
}

/// The training toolkit's options, shared by `train` and `sweep`: the task, the batches, the
/// optimizer and the penalties.
#[derive(Debug, Clone, Default, Args)]
pub struct ToolkitArgs {
    /// What to learn: binary, multiclass or regression (the labels as real values)
    /// [default: from the labels: 0/1 is binary, 0..K-1 with K > 2 multiclass].
    #[arg(long, value_name = "TASK", value_parser = parse_task)]
    pub task: Option<TaskKind>,

    /// Rows per mini-batch; the rows are shuffled every epoch [default: all rows in one batch,
    /// unshuffled, as the notebook].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub batch_size: Option<usize>,

    /// Seed of the mini-batch order (numpy RandomState permutation per epoch) [default: --seed].
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub shuffle_seed: Option<u32>,

    /// Update rule: sgd, adam or adamw (torch.optim's rules).
    #[arg(long, value_name = "NAME", default_value = "sgd", value_parser = parse_optimizer)]
    pub optimizer: RuleKind,

    /// SGD's momentum, in [0, 1) [default: 0].
    #[arg(long, value_name = "F", allow_negative_numbers = true)]
    pub momentum: Option<f64>,

    /// SGD with Nesterov momentum (needs --momentum).
    #[arg(long)]
    pub nesterov: bool,

    /// Adam's and AdamW's decay rates of the moments, each in [0, 1) [default: 0.9,0.999].
    #[arg(long, value_name = "B1,B2", allow_hyphen_values = true, value_parser = parse_betas)]
    pub betas: Option<Betas>,

    /// Adam's and AdamW's epsilon [default: 1e-8].
    #[arg(long, value_name = "F", allow_negative_numbers = true)]
    pub eps: Option<f64>,

    /// Weight decay as in torch.optim (every parameter; decoupled for adamw)
    /// [default: 0.01 for adamw, 0 otherwise].
    #[arg(long, value_name = "F", allow_negative_numbers = true)]
    pub weight_decay: Option<f64>,

    /// L1 penalty on the weights (not the biases): adds F·Σ|W| to the objective.
    #[arg(
        long,
        value_name = "F",
        allow_negative_numbers = true,
        default_value_t = 0.0
    )]
    pub l1: f64,

    /// L2 penalty on the weights (not the biases): adds (F/2)·ΣW² to the objective.
    #[arg(
        long,
        value_name = "F",
        allow_negative_numbers = true,
        default_value_t = 0.0
    )]
    pub l2: f64,
}

fn parse_betas(text: &str) -> Result<Betas, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<f64>()
            .map_err(|_| format!("{t:?} is not a number: give two numbers such as 0.9,0.999"))
    };
    match text.split_once(',') {
        Some((a, b)) => Ok(Betas(number(a)?, number(b)?)),
        None => Err(format!(
            "{text:?} is one number: give both betas, such as 0.9,0.999"
        )),
    }
}

fn parse_task(text: &str) -> Result<TaskKind, String> {
    text.parse()
}

fn parse_optimizer(text: &str) -> Result<RuleKind, String> {
    text.parse()
}

/// Options of the figures, for `train` and `plot`.
#[derive(Debug, Clone, Args)]
pub struct FigureArgs {
    /// Also write each figure as SVG.
    #[arg(long)]
    pub svg: bool,

    /// The decision boundary shows the predicted class (as the notebook) or the probability.
    #[arg(long, value_enum, value_name = "VIEW", default_value_t = BoundaryView::Class)]
    pub boundary: BoundaryView,

    /// The language of the figures' titles, axis labels and legends: en (English, as the
    /// notebook's figures) or ru (Russian, the lesson's language).
    #[arg(long, value_enum, value_name = "LANG", default_value_t = FigureLang::En)]
    pub lang: FigureLang,

    /// Also write boundary.gif: the decision boundary as it learns, a frame every few epochs
    /// with the epoch and the loss (`nnlab plot` trains the run again from run.json to draw it).
    #[arg(long)]
    pub animate: bool,

    /// The most frames of boundary.gif, 1 to 100 [default: 50]: every epoch if the run has no
    /// more, else every k-th epoch and the last. Implies --animate.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_frames)]
    pub frames: Option<usize>,

    /// Also write hidden.png: the training rows and a grid of the input plane mapped through the
    /// first hidden layer (2-input models).
    #[arg(long)]
    pub hidden_space: bool,

    /// The two units of the first hidden layer that hidden.png uses as axes, counted from 1
    /// (e.g. 3,5) [default: the first two principal components]. Implies --hidden-space.
    #[arg(long, value_name = "I,J", allow_negative_numbers = true, value_parser = parse_units)]
    pub hidden_units: Option<(usize, usize)>,
}

/// `--frames`: 1 to [`nnlab_plot::MAX_FRAMES`].
fn parse_frames(text: &str) -> Result<usize, String> {
    let most = nnlab_plot::MAX_FRAMES;
    match text.trim().parse::<i64>() {
        Ok(n) if n >= 1 && n <= most as i64 => Ok(n as usize),
        Ok(n) => Err(format!(
            "{n} frames: boundary.gif has 1 to {most} frames (--frames 1 shows the last epoch only)"
        )),
        Err(_) => Err(format!(
            "{text:?} is not a number: give the most frames of boundary.gif, 1 to {most}"
        )),
    }
}

/// `--hidden-units I,J`: two different units, counted from 1; kept counted from 0.
fn parse_units(text: &str) -> Result<(usize, usize), String> {
    let usage = || format!("{text:?}: give two different hidden units counted from 1, such as 3,5");
    let (a, b) = text.split_once(',').ok_or_else(usage)?;
    let unit = |t: &str| t.trim().parse::<usize>().ok().filter(|&u| u >= 1);
    match (unit(a), unit(b)) {
        (Some(i), Some(j)) if i != j => Ok((i - 1, j - 1)),
        _ => Err(usage()),
    }
}

#[derive(Debug, Args)]
pub struct NotebookArgs {
    /// Folder for everything the lesson makes; each run of the notebook replaces what the last
    /// one wrote there.
    #[arg(long, value_name = "DIR", default_value = "runs/notebook")]
    pub out: PathBuf,

    /// Epochs of each section (the notebook's EPOCHS).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 20,
        allow_negative_numbers = true
    )]
    pub epochs: usize,

    /// Print the numpy section's and the PyTorch section's line every N epochs (the notebook's
    /// `if epoch % 10 == 0`).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub log_every: usize,

    /// Run the numpy section on the hand-written engine's fast path (fused, vectorised kernels)
    /// instead of its readable path, the code in layer.rs and mlp.rs that the README explains.
    /// The numbers agree to about 1e-15.
    #[arg(long)]
    pub fast: bool,

    /// Also write each figure as SVG.
    #[arg(long)]
    pub svg: bool,

    /// The language of the figures' titles, axis labels and legends: en (English, as the
    /// notebook's figures) or ru (Russian, the lesson's language).
    #[arg(long, value_enum, value_name = "LANG", default_value_t = FigureLang::En)]
    pub lang: FigureLang,

    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// `nnlab sweep`: a sweep (or one shard of it) with its flags, or `nnlab sweep merge`.
#[derive(Debug, Args)]
pub struct SweepCommand {
    #[command(subcommand)]
    pub action: Option<SweepAction>,

    #[command(flatten)]
    pub args: SweepArgs,
}

#[derive(Debug, Subcommand)]
pub enum SweepAction {
    /// Put the shards of a sweep (--shard 1/N ... N/N) back together into the whole sweep's files.
    ///
    /// Reads the shards' folders, checks that they are all N shards of one grid, each once and
    /// complete, and writes the runs.csv, summary.csv, sweep.png and run.json that the whole sweep
    /// on one machine writes, byte for byte (but run.json's `seconds`, the shards' total).
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
}

/// `nnlab sweep merge`'s options.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' folders (their --out), in any order: every shard 1..N once.
    #[arg(value_name = "DIR", required = true)]
    pub shards: Vec<PathBuf>,

    /// Folder for runs.csv, summary.csv, sweep.png and run.json [default: runs/sweep-<time>].
    /// A folder that holds another sweep is refused unless --force.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Replace the sweep in --out: its files are removed first.
    #[arg(long)]
    pub force: bool,

    /// The language of sweep.png's title, axis labels and legend: en (English) or ru (Russian).
    #[arg(long, value_enum, value_name = "LANG", default_value_t = FigureLang::En)]
    pub lang: FigureLang,

    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The dataset to generate (see `nnlab data --help`).
    #[arg(long, value_enum, default_value_t = Generator::Moons)]
    pub dataset: Generator,

    #[command(flatten)]
    pub generator: DatasetArgs,

    /// Share (e.g. 0.2) or number (e.g. 200) of rows held out for testing [default: 0.2].
    #[arg(long, allow_negative_numbers = true, value_name = "F", value_parser = parse_test_size)]
    pub test_size: Option<TestSizeArg>,

    /// Widths of the (one) hidden layer to try, comma-separated.
    #[arg(
        long,
        value_name = "W,...",
        value_delimiter = ',',
        default_value = "8",
        allow_negative_numbers = true
    )]
    pub hidden: Vec<usize>,

    /// Learning rates to try, comma-separated.
    #[arg(
        long,
        value_name = "F,...",
        value_delimiter = ',',
        default_value = "0.1",
        allow_negative_numbers = true
    )]
    pub lr: Vec<f64>,

    /// Seeds: a range such as 0..10 (10 excluded) or a list such as 1,5,9.
    #[arg(long, allow_hyphen_values = true, value_name = "A..B", default_value = "0..10", value_parser = parse_seeds)]
    pub seeds: Seeds,

    /// Epochs of every run.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 20,
        allow_negative_numbers = true
    )]
    pub epochs: usize,

    /// Hidden-layer activation: relu, leaky-relu, tanh, sigmoid or linear.
    #[arg(long, value_name = "NAME", default_value = "relu", value_parser = parse_activation)]
    pub activation: Activation,

    #[command(flatten)]
    pub toolkit: ToolkitArgs,

    /// Threads running the sweep's runs in parallel [default: all cores].
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Run only shard I of N (1 <= I <= N, e.g. 2/4, or ${SLURM_ARRAY_TASK_ID}/4 with
    /// --array=1-4): the runs are dealt to the shards in turn, setting by setting and seed by seed,
    /// so the shards share every setting alike. Writes runs.csv and run.json; `nnlab sweep merge`
    /// puts the N shards together.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,

    /// Folder for runs.csv, summary.csv, sweep.png and run.json [default: runs/sweep-<time>].
    /// A folder that holds another sweep is refused unless --force.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Replace the sweep in --out: its files are removed first.
    #[arg(long)]
    pub force: bool,

    /// The language of sweep.png's title, axis labels and legend: en (English) or ru (Russian).
    #[arg(long, value_enum, value_name = "LANG", default_value_t = FigureLang::En)]
    pub lang: FigureLang,

    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// The seeds of a sweep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Seeds(pub Vec<u32>);

fn parse_seeds(text: &str) -> Result<Seeds, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| format!("{t:?} is not a seed (0 to 4294967295)"))
    };
    let seeds: Vec<u32> = match text.split_once("..") {
        Some((a, b)) => (number(a)?..number(b)?).collect(),
        None => text.split(',').map(number).collect::<Result<_, _>>()?,
    };
    if seeds.is_empty() {
        return Err(format!(
            "{text:?} holds no seed: give a range such as 0..10 or a list such as 1,2,3"
        ));
    }
    if seeds.len() > 1_000_000 {
        return Err(format!(
            "{text:?} holds {} seeds; at most 1000000",
            seeds.len()
        ));
    }
    Ok(Seeds(seeds))
}

/// `--shard I/N`: the I-th (1-based) of N parts of a sweep's grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// I, from 1 to `count`.
    pub index: usize,
    /// N, at least 1.
    pub count: usize,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    let hint = "give I/N with 1 <= I <= N, such as 1/4 ... 4/4";
    let Some((i, n)) = text.split_once('/') else {
        return Err(format!("not of the form I/N: {hint}"));
    };
    let number = |t: &str| {
        t.trim()
            .parse::<usize>()
            .map_err(|_| format!("{t:?} is not a whole number: {hint}"))
    };
    let (index, count) = (number(i)?, number(n)?);
    if count == 0 {
        return Err(format!("a grid cannot be split into 0 shards: {hint}"));
    }
    if index == 0 || index > count {
        return Err(format!(
            "there is no shard {index} of {count} (shards count from 1 to N): {hint}"
        ));
    }
    Ok(Shard { index, count })
}

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A run folder written by `nnlab train` (history.csv, model.safetensors, run.json).
    #[arg(value_name = "DIR")]
    pub run: PathBuf,

    #[command(flatten)]
    pub figures: FigureArgs,
}

fn parse_activation(text: &str) -> Result<Activation, String> {
    text.parse()
}

/// `--test-size` as typed: a share (has a `.` or exponent) or a row count (digits only).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TestSizeArg {
    Fraction(f64),
    Count(usize),
}

fn parse_test_size(text: &str) -> Result<TestSizeArg, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map(TestSizeArg::Count)
            .map_err(|_| format!("{text} is too large a row count"));
    }
    match text.parse::<f64>() {
        Ok(share) if share > 0.0 && share < 1.0 => Ok(TestSizeArg::Fraction(share)),
        Ok(_) => Err(format!(
            "{text} is not a share strictly between 0 and 1 (e.g. 0.2) nor a row count (e.g. 200)"
        )),
        Err(_) => Err(format!(
            "{text:?} is not a number: give a share such as 0.2 or a row count such as 200"
        )),
    }
}

fn parse_non_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        Ok(value) => Err(format!("{value} is not allowed: give a finite number >= 0")),
        Err(_) => Err(format!("{text:?} is not a number")),
    }
}

/// `--allow-host`: a host name as a page's `Host` header carries it (letters, digits, `-`, `.`,
/// `_`, `:` for a port or an IPv6 address, `[` `]`); an empty name or one with spaces could never
/// match a request.
fn parse_host_name(text: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._:[]".contains(c);
    if text.is_empty() || !text.chars().all(allowed) {
        return Err(format!(
            "{text:?} is not a host name: give a name such as lab.local (letters, digits, '-' and '.')"
        ));
    }
    Ok(text.to_string())
}
