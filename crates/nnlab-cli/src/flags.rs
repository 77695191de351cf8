//! From the command line's flags to the run library's types: `nnlab train`'s flags resolved into a
//! [`RunConfig`] (every default and seed filled in), the dataset and figure flags into their
//! options.

use nnlab_app::data::{
    DEFAULT_CENTERS, DEFAULT_CLUSTER_STD, DEFAULT_FACTOR, DEFAULT_FEATURES, DEFAULT_NOISE,
};
use nnlab_app::{
    Betas, DatasetOptions, DtypeArg, EngineKind, FigureOptions, Generator, InitKind, RunConfig,
    TestSizeValue,
};
use nnlab_core::RuleKind;

use crate::args::{DatasetArgs, FigureArgs, TestSizeArg, TrainArgs};
use crate::usage::usage;

/// Resolves the flags of `nnlab train`; refuses generator options that do not apply.
pub fn run_config(args: &TrainArgs) -> anyhow::Result<RunConfig> {
    let generated = args.data.is_none();
    if generated {
        nnlab_app::data::check_options(args.dataset, &dataset_options(&args.generator))?;
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
                .map_err(|e| usage(format!("--inputs {list}: {e}")))?
                .iter()
                .map(|f| f.to_string())
                .collect(),
        ),
        None => None,
    };
    let test_size = match (args.test_size, &args.data) {
        (Some(size), _) => Some(test_size_value(size)),
        (None, None) => Some(TestSizeValue::Fraction(0.2)), // the notebook's test_size=0.2
        (None, Some(_)) => None, // decided once the file is read: its split column, or 0.2
    };
    Ok(RunConfig {
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
                return Err(usage("--init file needs --init-from FILE"));
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

/// The generator flags as the run library takes them.
pub fn dataset_options(args: &DatasetArgs) -> DatasetOptions {
    DatasetOptions {
        samples: args.samples,
        noise: args.noise,
        factor: args.factor,
        centers: args.centers,
        cluster_std: args.cluster_std,
        features: args.features,
        classes: args.classes,
        no_shuffle: args.no_shuffle,
    }
}

/// The figure flags as the run library takes them.
pub fn figure_options(args: &FigureArgs) -> FigureOptions {
    FigureOptions {
        svg: args.svg,
        boundary: args.boundary,
    }
}

/// `--test-size` as typed, as the value a run records.
pub fn test_size_value(arg: TestSizeArg) -> TestSizeValue {
    match arg {
        TestSizeArg::Fraction(share) => TestSizeValue::Fraction(share),
        TestSizeArg::Count(count) => TestSizeValue::Count(count),
    }
}
