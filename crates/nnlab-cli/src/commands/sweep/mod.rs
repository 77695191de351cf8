//! `nnlab sweep`: every combination of hidden width × learning rate, for every seed, in parallel.
//!
//! A seed sets the data, the split and the initial weights, exactly as `nnlab train --seed` does,
//! so any row of `runs.csv` can be rerun with `nnlab train`. Each seed's data is made once and
//! shared by its runs; seeds are spread over the threads, and each run trains on the fast path
//! of the hand-written engine with one thread.
//!
//! `--shard I/N` runs only the I-th of N parts of the grid (see [`shard`]) and writes its rows
//! and the whole grid's record; `nnlab sweep merge` ([`merge`]) puts the parts back together.

mod merge;
mod output;
mod shard;

use std::ops::ControlFlow;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nnlab_core::{train, Stop, TrainAccuracy};
use rayon::prelude::*;
use serde_json::json;

use nnlab_app::engines::{build_engine, initial_parameters};
use nnlab_app::files::write_atomically;
use nnlab_app::run_folder;

use super::train::existing;

use nnlab_app::RunConfig;

use crate::args::{Shard, SweepAction, SweepArgs, SweepCommand};
use crate::flags::{resolve_data, resolve_toolkit, DataFlags};
use crate::progress::interrupted;
use crate::usage::usage;

use output::{runs_csv, summary_table, with_progress, write_record, write_whole, Grid, Outcome};

/// `nnlab sweep` (whole or one shard) or `nnlab sweep merge`.
pub fn run(command: &SweepCommand) -> anyhow::Result<()> {
    match &command.action {
        Some(SweepAction::Merge(args)) => merge::run(args),
        None => {
            crate::progress::catch_ctrl_c();
            sweep(&command.args)
        }
    }
}

fn sweep(args: &SweepArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    if args.hidden.is_empty() || args.lr.is_empty() {
        return Err(usage("--hidden and --lr need at least one value each"));
    }
    // A value given twice would make two rows of one setting, each claiming all the runs.
    let twice = |flag: &str, values: Vec<String>| -> anyhow::Result<()> {
        match values.iter().enumerate().find(|(i, v)| values[..*i].contains(v)) {
            Some((_, v)) => Err(usage(format!(
                "{flag}: {v} is given twice; give each value once (each is one setting of the sweep)"
            ))),
            None => Ok(()),
        }
    };
    twice(
        "--hidden",
        args.hidden.iter().map(usize::to_string).collect(),
    )?;
    twice("--lr", args.lr.iter().map(f64::to_string).collect())?;
    twice("--seeds", args.seeds.0.iter().map(u32::to_string).collect())?;
    let grid = Grid {
        hidden: args.hidden.clone(),
        lr: args.lr.clone(),
        seeds: args.seeds.0.clone(),
        dataset: args.dataset.name().to_string(),
        epochs: args.epochs,
    };
    let total = grid.runs();
    if let Some(shard) = args.shard {
        if shard.count > total {
            return Err(usage(format!(
                "--shard {}/{}: this grid has {total} runs ({} settings × {} seeds), so some of {} shards would have none: split it into at most {total} shards",
                shard.index,
                shard.count,
                grid.settings(),
                grid.seeds.len(),
                shard.count
            )));
        }
    }
    // Check every setting before any work: the first seed's settings and data with each width
    // and rate (the data says how many inputs and which task).
    let mut first = seed_config(args, args.seeds.0[0])?;
    first.train_config()?;
    let prepared = first.prepare()?;
    if prepared.train.task() == nnlab_core::Task::Regression {
        return Err(usage(
            "nnlab sweep compares test accuracies, and a regression has none: sweep a classification, or train the regression with nnlab train",
        ));
    }
    let mut implementation = String::new();
    for &hidden in &args.hidden {
        for &lr in &args.lr {
            let mut settings = first.clone();
            settings.hidden = vec![hidden];
            settings.lr = lr;
            settings.train_config()?;
            let spec = settings.model_spec(prepared.dataset.n_features(), prepared.train.task())?;
            nnlab_app::engines::check_memory(&settings, &spec, &prepared, false, None)?;
            if implementation.is_empty() {
                // which code the runs train on (every run: the same engine, kernel and thread)
                let weights = initial_parameters(&settings, &spec)?;
                let engine = build_engine(&settings, &spec, &weights, "the initial weights")?;
                implementation = engine.implementation();
            }
        }
    }
    let out = match &args.out {
        Some(_) => run_folder(args.out.as_deref(), None, existing(args.force))?,
        None => {
            let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string()
                .replace(':', "-");
            let name = match args.shard {
                Some(Shard { index, count }) => format!("sweep-{stamp}-shard-{index}-of-{count}"),
                None => format!("sweep-{stamp}"),
            };
            run_folder(None, Some(&name), existing(args.force))?
        }
    };

    let planned = args.shard.map_or(total, |s| shard::planned(total, s));
    let bar = ProgressBar::with_draw_target(Some(planned as u64), ProgressDrawTarget::hidden());
    if !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(ProgressDrawTarget::stderr());
    }
    bar.set_style(
        ProgressStyle::with_template("{bar:30.cyan/blue} run {pos}/{len} [{elapsed}, {eta} left]")
            .expect("valid"),
    );

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, usize::from))
        .build()
        .context("starting the sweep's threads")?;
    let per_seed: Vec<anyhow::Result<Vec<Outcome>>> = pool.install(|| {
        args.seeds
            .0
            .par_iter()
            .enumerate()
            .map(|(index, &seed)| runs_of_seed(args, index, seed, &bar))
            .collect()
    });
    bar.finish_and_clear();
    let mut outcomes = Vec::with_capacity(planned);
    for result in per_seed {
        outcomes.extend(result?);
    }
    // Ctrl-C, SIGTERM or SIGHUP: the runs that finished are written, and the summaries of them.
    let stopped = interrupted();

    let grid_record = json!({
        "nnlab_version": env!("CARGO_PKG_VERSION"),
        "run_format": nnlab_app::config_file::RUN_FORMAT,
        "command": "sweep",
        "dataset": args.dataset.name(),
        "samples": args.generator.samples,
        "hidden": args.hidden,
        "lr": args.lr,
        "seeds": args.seeds.0,
        "epochs": args.epochs,
        "activation": args.activation.to_string(),
        // every setting of the first seed's first run; the others differ in seed, width and rate
        "config": RunConfig {
            hidden: vec![args.hidden[0]],
            lr: args.lr[0],
            ..first
        },
    });
    let mut record = with_progress(
        &grid_record,
        outcomes.len(),
        planned,
        stopped,
        started.elapsed().as_secs_f64(),
        &implementation,
    );
    let (files, summary) = match args.shard {
        None => {
            let (files, summary) = write_whole(&out, &grid, &outcomes, &record, args.lang.into())?;
            (files, Some(summary))
        }
        Some(Shard { index, count }) => {
            // A shard's rows, and the whole grid's record with which part of it this is.
            write_atomically(&out.join("runs.csv"), runs_csv(&outcomes).as_bytes())?;
            record["shard"] = json!({
                "index": index,
                "count": count,
                "grid_sha256": shard::fingerprint(&grid_record),
            });
            write_record(&out, &record)?;
            (vec!["runs.csv".to_string(), "run.json".into()], None)
        }
    };

    if !args.quiet {
        match (&summary, args.shard) {
            (Some(summary), _) => say!("{}", summary_table(summary)),
            (None, Some(Shard { index, count })) => say!(
                "shard {index}/{count}: {} of the grid's {total} runs; merge the {count} shards with `nnlab sweep merge DIR...`",
                outcomes.len()
            ),
            (None, None) => {}
        }
        say!(
            "{} runs in {:.2} s on the {implementation}; wrote {}: {}",
            outcomes.len(),
            started.elapsed().as_secs_f64(),
            out.display(),
            files.join(", ")
        );
    }
    if stopped {
        let what = match summary {
            Some(_) => "the runs that finished and their summary",
            None => "the runs that finished (a shard that a merge refuses: run it again)",
        };
        return Err(nnlab_app::AppError::Interrupted(format!(
            "interrupted after {} of {planned} runs: {} has {what} ({})",
            outcomes.len(),
            out.display(),
            files.join(", ")
        ))
        .into());
    }
    Ok(())
}

/// The settings every run of a seed starts from: the notebook's, with the sweep's data and
/// toolkit options and `--seed SEED` (its width and rate are set per run), on one thread.
fn seed_config(args: &SweepArgs, seed: u32) -> anyhow::Result<RunConfig> {
    let mut config = RunConfig::notebook();
    config.seed = seed;
    config.split_seed = seed;
    config.init_seed = seed;
    let data = DataFlags {
        dataset: args.dataset,
        generator: &args.generator,
        data: None,
        test_size: args.test_size,
        data_seed: None,
        inputs: None,
    };
    resolve_data(&mut config, &data)?;
    config.epochs = args.epochs;
    config.activation = args.activation.name().into();
    resolve_toolkit(&mut config, &args.toolkit);
    config.threads = Some(1);
    Ok(config)
}

/// Every (width, rate) for one seed (the seed at `index` in `--seeds`), on that seed's data; with
/// `--shard`, only the shard's own.
fn runs_of_seed(
    args: &SweepArgs,
    index: usize,
    seed: u32,
    bar: &ProgressBar,
) -> anyhow::Result<Vec<Outcome>> {
    let mine = |setting: usize| {
        args.shard
            .is_none_or(|s| shard::owner(setting, index, args.seeds.0.len(), s.count) == s.index)
    };
    let settings_count = args.hidden.len() * args.lr.len();
    if !(0..settings_count).any(mine) {
        return Ok(Vec::new()); // none of this seed's runs is this shard's: no data to make
    }
    let mut settings = seed_config(args, seed)?;
    let prepared = settings.prepare()?;
    let mut outcomes = Vec::with_capacity(settings_count);
    for (h, &hidden) in args.hidden.iter().enumerate() {
        for (l, &lr) in args.lr.iter().enumerate() {
            if !mine(h * args.lr.len() + l) {
                continue;
            }
            settings.hidden = vec![hidden];
            settings.lr = lr;
            let spec = settings.model_spec(prepared.dataset.n_features(), prepared.train.task())?;
            let config = settings.train_config()?;
            let mut engine = build_engine(
                &settings,
                &spec,
                &initial_parameters(&settings, &spec)?,
                "the initial weights",
            )?;
            if interrupted() {
                return Ok(outcomes); // Ctrl-C: the runs that finished are kept
            }
            let outcome = train(
                engine.as_mut(),
                &prepared.train,
                &config,
                TrainAccuracy::AfterUpdate,
                |_, _| {
                    if interrupted() {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                },
            )?;
            if matches!(outcome.stop, Some(Stop::Interrupted { .. })) {
                return Ok(outcomes); // a run cut short is not one of the sweep's
            }
            let records = &outcome.history.records;
            let last = records.last();
            outcomes.push(Outcome {
                hidden,
                lr,
                seed,
                epochs_run: records.len(),
                final_loss: last.map_or(f64::NAN, |r| r.loss),
                final_train_accuracy: last.and_then(|r| r.train_accuracy).unwrap_or(f64::NAN),
                final_test_accuracy: last.and_then(|r| r.test_accuracy).unwrap_or(f64::NAN),
                best_test_accuracy: records
                    .iter()
                    .filter_map(|r| r.test_accuracy)
                    .fold(f64::NAN, f64::max),
                diverged: matches!(outcome.stop, Some(Stop::Diverged { .. })),
            });
            bar.inc(1);
        }
    }
    Ok(outcomes)
}
