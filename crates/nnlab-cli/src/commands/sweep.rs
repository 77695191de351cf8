//! `nnlab sweep`: every combination of hidden width × learning rate, for every seed, in parallel.
//!
//! A seed sets the data, the split and the initial weights, exactly as `nnlab train --seed` does,
//! so any row of `runs.csv` can be rerun with `nnlab train`. Each seed's data is made once and
//! shared by its runs; seeds are spread over the threads, and each run trains on the fast path
//! of the hand-written engine with one thread.

use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nnlab_core::{train, Stop, TrainAccuracy};
use nnlab_plot::{render, Format, SweepColumn, SweepFigure};
use rayon::prelude::*;
use serde_json::json;

use nnlab_app::engines::{build_engine, initial_parameters};
use nnlab_app::files::write_atomically;
use nnlab_app::run_folder;

use super::train::existing;

use nnlab_app::RunConfig;

use crate::args::SweepArgs;
use crate::flags::{resolve_data, resolve_toolkit, DataFlags};
use crate::progress::interrupted;
use crate::usage::usage;

/// What one run ended with.
#[derive(Clone, Debug)]
struct Outcome {
    hidden: usize,
    lr: f64,
    seed: u32,
    epochs_run: usize,
    final_loss: f64,
    final_train_accuracy: f64,
    final_test_accuracy: f64,
    best_test_accuracy: f64,
    diverged: bool,
}

pub fn run(args: &SweepArgs) -> anyhow::Result<()> {
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
    for &hidden in &args.hidden {
        for &lr in &args.lr {
            let mut settings = first.clone();
            settings.hidden = vec![hidden];
            settings.lr = lr;
            settings.train_config()?;
            let spec = settings.model_spec(prepared.dataset.n_features(), prepared.train.task())?;
            nnlab_app::engines::check_memory(&settings, &spec, &prepared, false, None)?;
        }
    }
    let out = match &args.out {
        Some(_) => run_folder(args.out.as_deref(), None, existing(args.force))?,
        None => {
            let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string()
                .replace(':', "-");
            run_folder(None, Some(&format!("sweep-{stamp}")), existing(args.force))?
        }
    };

    let total = args.seeds.0.len() * args.hidden.len() * args.lr.len();
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
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
            .map(|&seed| runs_of_seed(args, seed, &bar))
            .collect()
    });
    bar.finish_and_clear();
    let mut outcomes = Vec::with_capacity(total);
    for result in per_seed {
        outcomes.extend(result?);
    }
    // Ctrl-C, SIGTERM or SIGHUP: the runs that finished are written, and the summaries of them.
    let stopped = interrupted();

    let mut files = vec!["runs.csv".to_string(), "summary.csv".into()];
    write_atomically(&out.join("runs.csv"), runs_csv(&outcomes).as_bytes())?;
    let summary = summarise(args, &outcomes);
    write_atomically(&out.join("summary.csv"), summary_csv(&summary).as_bytes())?;
    let figure = SweepFigure {
        columns: summary
            .iter()
            .map(|s| SweepColumn {
                label: format!("h={}, lr={}", s.hidden, s.lr),
                accuracies: s.accuracies.clone(),
            })
            .collect(),
        title: format!(
            "Final test accuracy over {} seeds ({}, {} epochs)",
            args.seeds.0.len(),
            args.dataset.name(),
            args.epochs
        ),
    };
    if summary.iter().any(|s| !s.accuracies.is_empty()) {
        write_atomically(&out.join("sweep.png"), &render(&figure, Format::Png)?)?;
        files.push("sweep.png".into());
    }
    let record = json!({
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
        "runs": outcomes.len(),
        "runs_planned": total,
        "interrupted": stopped,
        "seconds": started.elapsed().as_secs_f64(),
    });
    files.push("run.json".into());
    write_atomically(
        &out.join("run.json"),
        (serde_json::to_string_pretty(&record)? + "\n").as_bytes(),
    )?;

    if !args.quiet {
        say!("{}", summary_table(&summary));
        say!(
            "{} runs in {:.2} s; wrote {}: {}",
            outcomes.len(),
            started.elapsed().as_secs_f64(),
            out.display(),
            files.join(", ")
        );
    }
    if stopped {
        return Err(nnlab_app::AppError::Interrupted(format!(
            "interrupted after {} of {total} runs: {} has the runs that finished and their summary ({})",
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

/// Every (width, rate) for one seed, on that seed's data.
fn runs_of_seed(args: &SweepArgs, seed: u32, bar: &ProgressBar) -> anyhow::Result<Vec<Outcome>> {
    let mut settings = seed_config(args, seed)?;
    let prepared = settings.prepare()?;
    let mut outcomes = Vec::with_capacity(args.hidden.len() * args.lr.len());
    for &hidden in &args.hidden {
        for &lr in &args.lr {
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

fn runs_csv(outcomes: &[Outcome]) -> String {
    let mut text = String::from(
        "hidden,lr,seed,epochs_run,final_loss,final_train_accuracy,final_test_accuracy,best_test_accuracy,diverged\n",
    );
    for o in outcomes {
        let _ = writeln!(
            text,
            "{},{:?},{},{},{:?},{:?},{:?},{:?},{}",
            o.hidden,
            o.lr,
            o.seed,
            o.epochs_run,
            o.final_loss,
            o.final_train_accuracy,
            o.final_test_accuracy,
            o.best_test_accuracy,
            o.diverged
        );
    }
    text
}

/// One setting's results over the seeds (diverged runs counted apart).
struct SettingSummary {
    hidden: usize,
    lr: f64,
    runs: usize,
    diverged: usize,
    accuracies: Vec<f64>,
}

impl SettingSummary {
    fn mean(&self) -> f64 {
        self.accuracies.iter().sum::<f64>() / self.accuracies.len() as f64
    }

    /// The population standard deviation over the seeds.
    fn std(&self) -> f64 {
        let mean = self.mean();
        (self
            .accuracies
            .iter()
            .map(|a| (a - mean).powi(2))
            .sum::<f64>()
            / self.accuracies.len() as f64)
            .sqrt()
    }
}

fn summarise(args: &SweepArgs, outcomes: &[Outcome]) -> Vec<SettingSummary> {
    let mut summary = Vec::new();
    for &hidden in &args.hidden {
        for &lr in &args.lr {
            let runs: Vec<&Outcome> = outcomes
                .iter()
                .filter(|o| o.hidden == hidden && o.lr == lr)
                .collect();
            summary.push(SettingSummary {
                hidden,
                lr,
                runs: runs.len(),
                diverged: runs.iter().filter(|o| o.diverged).count(),
                accuracies: runs
                    .iter()
                    .filter(|o| !o.diverged)
                    .map(|o| o.final_test_accuracy)
                    .collect(),
            });
        }
    }
    summary
}

fn summary_csv(summary: &[SettingSummary]) -> String {
    let mut text = String::from(
        "hidden,lr,runs,diverged,test_accuracy_mean,test_accuracy_std,test_accuracy_min,test_accuracy_max\n",
    );
    for s in summary {
        let (min, max) = s
            .accuracies
            .iter()
            .fold((f64::NAN, f64::NAN), |(lo, hi), &a| (lo.min(a), hi.max(a)));
        let _ = writeln!(
            text,
            "{},{:?},{},{},{:?},{:?},{:?},{:?}",
            s.hidden,
            s.lr,
            s.runs,
            s.diverged,
            s.mean(),
            s.std(),
            min,
            max
        );
    }
    text
}

fn summary_table(summary: &[SettingSummary]) -> String {
    let mut rows: Vec<&SettingSummary> = summary.iter().collect();
    rows.sort_by(|a, b| b.mean().total_cmp(&a.mean()));
    let mut text = format!(
        "{:>7} {:>9} {:>6} {:>14} {:>9}\n",
        "hidden", "lr", "runs", "test acc", "diverged"
    );
    for s in rows {
        let accuracy = if s.accuracies.is_empty() {
            "-".to_string()
        } else {
            format!("{:.4} ± {:.4}", s.mean(), s.std())
        };
        let _ = writeln!(
            text,
            "{:>7} {:>9} {:>6} {:>14} {:>9}",
            s.hidden, s.lr, s.runs, accuracy, s.diverged
        );
    }
    text.trim_end().to_string()
}
