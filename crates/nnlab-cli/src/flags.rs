//! From the command line's flags to the run library's types: `nnlab train`'s flags resolved into a
//! [`RunConfig`] (every default and seed filled in), the dataset and figure flags into their
//! options.

use nnlab_app::data::{
    DEFAULT_CENTERS, DEFAULT_CLUSTER_STD, DEFAULT_FACTOR, DEFAULT_FEATURES, DEFAULT_NOISE,
};
use nnlab_app::{
    DatasetOptions, DtypeArg, EngineKind, FigureOptions, Generator, InitKind, RunConfig,
    TestSizeValue,
};

use std::path::PathBuf;

use crate::args::{DatasetArgs, FigureArgs, TestSizeArg, ToolkitArgs, TrainArgs};
use crate::usage::usage;

/// Resolves the flags of `nnlab train`: [`RunConfig::notebook`] with every flag applied.
pub fn run_config(args: &TrainArgs) -> anyhow::Result<RunConfig> {
    let mut config = RunConfig::notebook();
    config.seed = args.seed;
    config.split_seed = args.split_seed.unwrap_or(args.seed);
    config.init_seed = args.init_seed.unwrap_or(args.seed);
    let data = DataFlags {
        dataset: args.dataset,
        generator: &args.generator,
        data: args.data.as_ref(),
        test_size: args.test_size,
        data_seed: args.data_seed,
        inputs: args.inputs.as_deref(),
    };
    resolve_data(&mut config, &data)?;
    config.hidden = args.hidden.clone();
    config.activation = args
        .activation
        .iter()
        .map(|a| a.name())
        .collect::<Vec<_>>()
        .join(",");
    config.lr = args.lr;
    config.lr_at = args.lr_at.clone();
    config.epochs = args.epochs;
    resolve_toolkit(&mut config, &args.toolkit);
    config.engine = args.engine;
    config.init = match (&args.init_from, args.init, args.engine) {
        (Some(_), _, _) => InitKind::File,
        (None, Some(InitKind::File), _) => {
            return Err(usage(
                "--init file needs --init-from FILE: give --init-from FILE alone (it implies --init file)",
            ));
        }
        (None, Some(init), _) => init,
        (None, None, EngineKind::Manual) => InitKind::Notebook,
        (None, None, EngineKind::Autograd) => InitKind::Torch,
    };
    config.init_from = args.init_from.clone();
    config.dtype = args.dtype.unwrap_or(match args.engine {
        EngineKind::Manual => DtypeArg::F64,
        EngineKind::Autograd => DtypeArg::F32,
    });
    config.device = args.device;
    config.readable = args.readable;
    config.threads = args.threads;
    if args.engine == EngineKind::Autograd {
        // Both choose among the hand-written engine's paths; candle has one, and its own threads.
        for (flag, given) in [
            ("--readable", args.readable),
            ("--threads", args.threads.is_some()),
        ] {
            if given {
                return Err(usage(format!(
                    "{flag} is an option of the hand-written engine (--engine manual); the autograd engine does not use it, so leave it out"
                )));
            }
        }
    }
    Ok(config)
}

/// The data flags that `train` and `sweep` share.
pub struct DataFlags<'a> {
    pub dataset: Generator,
    pub generator: &'a DatasetArgs,
    /// `--data FILE` (`train` only).
    pub data: Option<&'a PathBuf>,
    pub test_size: Option<TestSizeArg>,
    pub data_seed: Option<u32>,
    /// `--inputs` (`train` only).
    pub inputs: Option<&'a str>,
}

/// Sets the data's settings from its flags (with `config.seed` already set); refuses generator
/// options that do not apply.
pub fn resolve_data(config: &mut RunConfig, flags: &DataFlags) -> anyhow::Result<()> {
    let generated = flags.data.is_none();
    if generated {
        nnlab_app::data::check_options(flags.dataset, &dataset_options(flags.generator))?;
    }
    let g = flags.generator;
    let is = |wanted: Generator| generated && flags.dataset == wanted;
    let noisy = is(Generator::Moons)
        || is(Generator::Circles)
        || (generated && flags.dataset.is_playground());
    config.inputs = match flags.inputs {
        Some(list) => Some(
            nnlab_data::parse_inputs(list)
                .map_err(|e| usage(format!("--inputs {list}: {e}")))?
                .iter()
                .map(|f| f.to_string())
                .collect(),
        ),
        None => None,
    };
    config.test_size = match (flags.test_size, flags.data) {
        (Some(size), _) => Some(test_size_value(size)),
        (None, None) => Some(TestSizeValue::Fraction(0.2)), // the notebook's test_size=0.2
        (None, Some(_)) => None, // decided once the file is read: its split column, or 0.2
    };
    config.data = flags.data.cloned();
    config.dataset = generated.then_some(flags.dataset);
    config.samples = generated.then_some(g.samples);
    config.noise = noisy.then(|| {
        let default = if flags.dataset.is_playground() {
            0.0 // the Playground's noise slider starts at 0
        } else {
            DEFAULT_NOISE
        };
        g.noise.unwrap_or(default)
    });
    config.classes = is(Generator::Spiral).then(|| g.classes.unwrap_or(2));
    config.factor = is(Generator::Circles).then(|| g.factor.unwrap_or(DEFAULT_FACTOR));
    config.centers = is(Generator::Blobs).then(|| g.centers.unwrap_or(DEFAULT_CENTERS));
    config.cluster_std = is(Generator::Blobs).then(|| g.cluster_std.unwrap_or(DEFAULT_CLUSTER_STD));
    config.features = is(Generator::Blobs).then(|| g.features.unwrap_or(DEFAULT_FEATURES));
    config.no_shuffle = generated.then_some(g.no_shuffle);
    config.data_seed = generated.then_some(flags.data_seed.unwrap_or(config.seed));
    Ok(())
}

/// Sets the toolkit's settings (task, batches, optimizer, penalties) from its flags, with the
/// optimizer's defaults filled in (with `config.seed` already set). Values are checked later, by
/// [`RunConfig::train_config`], which names the flag.
pub fn resolve_toolkit(config: &mut RunConfig, t: &ToolkitArgs) {
    config.task = t.task;
    config.batch_size = t.batch_size;
    config.shuffle_seed = t.batch_size.map(|_| t.shuffle_seed.unwrap_or(config.seed));
    config.optimizer = t.optimizer;
    config.momentum = t.momentum; // refused by train_config for adam, with its flag named
    config.nesterov = t.nesterov;
    config.betas = t.betas;
    config.eps = t.eps;
    config.weight_decay = t.weight_decay;
    config.fill_optimizer_defaults();
    config.l1 = t.l1;
    config.l2 = t.l2;
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
        lang: args.lang,
    }
}

/// The figures drawn only on request: `--animate`/`--frames`, `--hidden-space`/`--hidden-units`.
pub fn extra_figures(args: &FigureArgs) -> nnlab_app::learning::ExtraFigures {
    use nnlab_plot::{Projection, DEFAULT_FRAMES};
    nnlab_app::learning::ExtraFigures {
        frames: match (args.animate, args.frames) {
            (_, Some(frames)) => Some(frames),
            (true, None) => Some(DEFAULT_FRAMES),
            (false, None) => None,
        },
        hidden: match (args.hidden_space, args.hidden_units) {
            (_, Some((i, j))) => Some(Projection::Units(i, j)),
            (true, None) => Some(Projection::Pca),
            (false, None) => None,
        },
    }
}

/// `--test-size` as typed, as the value a run records.
pub fn test_size_value(arg: TestSizeArg) -> TestSizeValue {
    match arg {
        TestSizeArg::Fraction(share) => TestSizeValue::Fraction(share),
        TestSizeArg::Count(count) => TestSizeValue::Count(count),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::args::{Cli, Command};

    fn train(argv: &[&str]) -> RunConfig {
        let argv = ["nnlab", "train"].iter().chain(argv);
        let Command::Train(args) = Cli::try_parse_from(argv).unwrap().command else {
            unreachable!()
        };
        run_config(&args).unwrap()
    }

    /// The flags' defaults are the library's notebook settings: one source of truth each side,
    /// and this test keeps them equal.
    #[test]
    fn the_flags_defaults_are_the_notebooks_settings() {
        assert_eq!(train(&[]), RunConfig::notebook());
        assert_eq!(
            train(&["--engine", "autograd"]),
            RunConfig::notebook_torch()
        );
    }

    /// A config's command line (`RunConfig::train_args`, the playground's replay box) parses
    /// back to the same config, field for field, bit for bit.
    fn assert_replays(config: &RunConfig) {
        let args = config.train_args();
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(&train(&argv), config, "nnlab train {}", args.join(" "));
    }

    #[test]
    fn a_configs_command_line_gives_it_back() {
        for flags in [
            &[][..],
            &["--engine", "autograd"],
            &["--dataset", "circles", "--factor", "0.5", "--noise", "0.05"],
            &[
                "--dataset",
                "blobs",
                "--centers",
                "4",
                "--cluster-std",
                "0.7",
            ],
            &[
                "--dataset",
                "spiral",
                "--classes",
                "3",
                "--noise",
                "0.1",
                "--task",
                "multiclass",
            ],
            &[
                "--dataset",
                "plane",
                "--inputs",
                "x0,x1,x0^2,sin(x1)",
                "--test-size",
                "300",
            ],
            &[
                "--seed",
                "7",
                "--split-seed",
                "8",
                "--init-seed",
                "9",
                "--data-seed",
                "10",
            ],
            &[
                "--hidden",
                "4,3",
                "--activation",
                "tanh,relu",
                "--lr",
                "0.03",
                "--lr-at",
                "5=0.01,9=0.003",
            ],
            &[
                "--batch-size",
                "32",
                "--shuffle-seed",
                "3",
                "--optimizer",
                "adam",
                "--betas",
                "0.8,0.99",
                "--eps",
                "1e-7",
            ],
            &[
                "--optimizer",
                "adamw",
                "--weight-decay",
                "0.1",
                "--l1",
                "0.001",
                "--l2",
                "0.01",
            ],
            &[
                "--momentum",
                "0.9",
                "--nesterov",
                "--init",
                "torch",
                "--dtype",
                "f32",
                "--readable",
                "--threads",
                "2",
            ],
            &[
                "--engine", "autograd", "--init", "notebook", "--dtype", "f64",
            ],
            &["--data", "my data.csv", "--test-size", "0.2"],
            &["--data", "d.csv", "--init-from", "w.safetensors"],
        ] {
            assert_replays(&train(flags));
        }
    }

    proptest::proptest! {
        // Any numbers: Rust's shortest f64 text reads back to the same bits.
        #[test]
        fn any_numbers_replay(
            lr in 1e-9f64..10.0,
            noise in 0.0f64..2.0,
            l2 in 0.0f64..1.0,
            seed: u32,
            epochs in 1usize..100_000,
            change in 0usize..1000,
            later in 1e-9f64..1.0,
            batch in proptest::option::of(1usize..500),
            momentum in 0.0f64..0.99,
        ) {
            let flags = [
                "--lr".to_string(), lr.to_string(),
                "--noise".into(), noise.to_string(),
                "--l2".into(), l2.to_string(),
                "--seed".into(), seed.to_string(),
                "--epochs".into(), epochs.to_string(),
                "--lr-at".into(), format!("{change}={later}"),
                "--momentum".into(), momentum.to_string(),
            ];
            let mut flags: Vec<&str> = flags.iter().map(String::as_str).collect();
            let size = batch.map(|b| b.to_string());
            if let Some(size) = &size {
                flags.extend(["--batch-size", size]);
            }
            assert_replays(&train(&flags));
        }
    }
}
