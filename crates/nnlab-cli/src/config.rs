//! `nnlab train --config FILE`: every `train` option from a TOML or JSON file, flags overriding it.
//!
//! Keys are the flags' names with `_` for `-` (`lr = 0.3`, `hidden = [16, 16]`, `data_seed = 7`).
//! A run's `run.json` is a config too: its `"config"` section holds every setting of the run, so
//! `nnlab train --config runs/x/run.json` replays the run exactly.

use std::path::Path;

use clap::parser::ValueSource;
use clap::ArgMatches;

use crate::args::{InitKind, TestSizeArg, TrainArgs};
use crate::usage::usage;
use nnlab_app::config_file::{ConfigFile, Inputs, Loaded};
use nnlab_app::TestSizeValue;

/// Reads a config file: TOML, or JSON (a run's `run.json` counts, through its "config" section).
pub fn load(path: &Path) -> anyhow::Result<Loaded> {
    let name = format!("--config {}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| {
        usage(format!(
            "{name}: cannot read it: {e} (give a TOML file of settings, or a run's run.json)"
        ))
    })?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    Ok(nnlab_app::config_file::parse(&text, is_json, &name)?)
}

/// Sets every option of `args` that the file has and the command line did not give.
pub fn apply(file: ConfigFile, args: &mut TrainArgs, matches: &ArgMatches) -> anyhow::Result<()> {
    let from_file = |id: &str| matches.value_source(id) != Some(ValueSource::CommandLine);
    macro_rules! take {
        ($key:ident, $target:expr) => {
            if let Some(value) = file.$key {
                if from_file(stringify!($key)) {
                    $target = value;
                }
            }
        };
    }
    let check = |key: &str, value: f64| {
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(usage(format!(
                "--config: {key} = {value} is not allowed: give a finite number >= 0"
            )))
        }
    };
    take!(dataset, args.dataset);
    take!(samples, args.generator.samples);
    if let Some(noise) = file.noise.filter(|_| from_file("noise")) {
        args.generator.noise = Some(check("noise", noise)?);
    }
    if let Some(factor) = file.factor.filter(|_| from_file("factor")) {
        args.generator.factor = Some(check("factor", factor)?);
    }
    if let Some(std) = file.cluster_std.filter(|_| from_file("cluster_std")) {
        args.generator.cluster_std = Some(check("cluster_std", std)?);
    }
    if let Some(centers) = file.centers.filter(|_| from_file("centers")) {
        args.generator.centers = Some(centers);
    }
    if let Some(features) = file.features.filter(|_| from_file("features")) {
        args.generator.features = Some(features);
    }
    take!(no_shuffle, args.generator.no_shuffle);
    if let Some(classes) = file.classes.filter(|_| from_file("classes")) {
        args.generator.classes = Some(classes);
    }
    if let Some(inputs) = file.inputs.filter(|_| from_file("inputs")) {
        args.inputs = Some(match inputs {
            Inputs::List(names) => names.join(","),
            Inputs::Text(text) => text,
        });
    }
    if let Some(data) = file.data.filter(|_| from_file("data")) {
        args.data = Some(data);
        // The file's bytes as the run read them, to refuse a replay on changed data; not when
        // the command line names another file.
        args.data_sha256 = file.data_sha256;
    }
    if let Some(size) = file.test_size.filter(|_| from_file("test_size")) {
        args.test_size = Some(match size {
            TestSizeValue::Count(count) => TestSizeArg::Count(count),
            TestSizeValue::Fraction(share) if share > 0.0 && share < 1.0 => TestSizeArg::Fraction(share),
            TestSizeValue::Fraction(share) => {
                return Err(usage(format!("--config: test_size = {share} must lie strictly between 0 and 1, or be a row count")))
            }
        });
    }
    take!(seed, args.seed);
    for (key, value, target) in [
        ("data_seed", file.data_seed, &mut args.data_seed),
        ("split_seed", file.split_seed, &mut args.split_seed),
        ("init_seed", file.init_seed, &mut args.init_seed),
    ] {
        if value.is_some() && from_file(key) {
            *target = value;
        }
    }
    take!(hidden, args.hidden);
    if let Some(names) = file.activation.filter(|_| from_file("activation")) {
        args.activation = names
            .split(',')
            .map(|name| name.trim().parse())
            .collect::<Result<_, _>>()
            .map_err(|e| usage(format!("--config: activation: {e}")))?;
    }
    let t = &mut args.toolkit;
    for (key, value, target) in [
        ("momentum", file.momentum, &mut t.momentum),
        ("eps", file.eps, &mut t.eps),
        ("weight_decay", file.weight_decay, &mut t.weight_decay),
    ] {
        if value.is_some() && from_file(key) {
            *target = value;
        }
    }
    if file.task.is_some() && from_file("task") {
        t.task = file.task;
    }
    if file.batch_size.is_some() && from_file("batch_size") {
        t.batch_size = file.batch_size;
    }
    if file.shuffle_seed.is_some() && from_file("shuffle_seed") {
        t.shuffle_seed = file.shuffle_seed;
    }
    if file.betas.is_some() && from_file("betas") {
        t.betas = file.betas;
    }
    take!(optimizer, t.optimizer);
    take!(nesterov, t.nesterov);
    take!(l1, t.l1);
    take!(l2, t.l2);
    take!(lr, args.lr);
    take!(lr_at, args.lr_at);
    take!(epochs, args.epochs);
    take!(engine, args.engine);
    if let Some(init) = file
        .init
        .filter(|_| from_file("init") && from_file("init_from"))
    {
        args.init = Some(init);
    }
    if let Some(path) = file
        .init_from
        .filter(|_| from_file("init_from") && from_file("init"))
    {
        args.init_from = Some(path);
        if args.init == Some(InitKind::File) {
            args.init = None; // --init-from implies it
        }
    }
    if let Some(dtype) = file.dtype.filter(|_| from_file("dtype")) {
        args.dtype = Some(dtype);
    }
    take!(device, args.device);
    take!(readable, args.readable);
    if let Some(threads) = file.threads.filter(|_| from_file("threads")) {
        if threads == 0 {
            return Err(usage(
                "--config: threads = 0 is not allowed: give 1 to 1024, or leave it out for all cores",
            ));
        }
        args.threads = Some(threads);
    }
    take!(log_every, args.log_every);
    take!(quiet, args.quiet);
    if let Some(out) = file.out.filter(|_| from_file("out")) {
        args.out = Some(out);
    }
    take!(force, args.force);
    if let Some(gb) = file.max_memory.filter(|_| from_file("max_memory")) {
        args.max_memory = Some(gb); // checked with the flag's value, by the run
    }
    if let Some(mb) = file.max_data_mb.filter(|_| from_file("max_data_mb")) {
        if mb == 0 {
            return Err(usage(
                "--config: max_data_mb = 0 is not allowed: give 1 or more",
            ));
        }
        args.max_data_mb = Some(mb);
    }
    take!(svg, args.figures.svg);
    take!(boundary, args.figures.boundary);
    take!(lang, args.figures.lang);
    take!(no_figures, args.no_figures);
    Ok(())
}
