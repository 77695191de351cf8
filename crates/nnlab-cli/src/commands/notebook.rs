//! `nnlab notebook`: the lesson end to end, in the notebook's order.
//!
//! 1. the data cell: make_moons, train_test_split, StandardScaler, and the "Dataset" figure;
//! 2. the numpy section: `nnlab train` with the hand-written engine, its lines and figures;
//! 3. the PyTorch section: `nnlab train --engine autograd`, its lines and figures;
//! 4. a summary of both, with the time each took and where each file is.
//!
//! Each section is exactly what `nnlab train` does with the same flags, in its own run folder.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use serde_json::json;

use nnlab_app::figures::write_dataset_figure;
use nnlab_app::files::write_atomically;
use nnlab_app::{check_stop, run_folder, BoundaryView, FigureOptions, Finished, Output, RunConfig};

use crate::args::{Cli, Command, NotebookArgs, TrainArgs};
use crate::flags::run_config;
use crate::progress::run_reporting;

/// The two sections: folder, flags of `nnlab train`, heading.
const SECTIONS: [(&str, &[&str], &str); 2] = [
    (
        "manual",
        &["--engine", "manual"],
        "The numpy section: Linear_NN_numpy, backprop written by hand (f64)",
    ),
    (
        "autograd",
        &["--engine", "autograd"],
        "The PyTorch section: Linear_NN_torch, autograd on candle (float32)",
    ),
];

pub fn run(args: &NotebookArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let out = run_folder(Some(&args.out), None)?;
    let say = |text: String| {
        if !args.quiet {
            println!("{text}");
        }
    };
    let figures = FigureOptions {
        svg: args.svg,
        boundary: BoundaryView::Class,
    };

    // The data cell, shared by both sections (they use the same seeds).
    let mut data_settings = run_config(&section_args(SECTIONS[0].1, args.epochs)?)?;
    let prepared = data_settings.prepare()?;
    let dataset_files = write_dataset_figure(&out, &prepared, &figures)?;
    say(format!(
        "== Data: make_moons(n_samples=1000, noise=0.125, random_state=42), train_test_split(test_size=0.2, \
         random_state=42), StandardScaler\n   {} train / {} test rows -> {}",
        prepared.split.train.len(),
        prepared.split.test.len(),
        list(&out, &dataset_files)
    ));

    let mut results: Vec<(&str, RunConfig, Finished)> = Vec::new();
    for (name, flags, heading) in SECTIONS {
        say(format!("\n== {heading}, {} epochs", args.epochs));
        let mut settings = run_config(&section_args(flags, args.epochs)?)?;
        settings.prepare()?; // resolves the settings exactly as `nnlab train` would record them
        let folder = out.join(name);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        let output = Output {
            figures: Some(figures),
            dataset_figure: false,
            command: "notebook",
        };
        let finished = run_reporting(&settings, &prepared, &folder, &output, args.quiet, 10)?;
        check_stop(&finished, &folder, settings.lr)?;
        say(format!("   -> {}", list(&folder, &finished.files)));
        results.push((name, settings, finished));
    }

    say(summary_table(&results));
    let record = json!({
        "nnlab_version": env!("CARGO_PKG_VERSION"),
        "command": "notebook",
        "epochs": args.epochs,
        "files": dataset_files,
        "sections": results.iter().map(|(name, settings, f)| {
            let last = f.history.last();
            json!({
                "folder": name,
                "engine": settings.engine,
                "seconds": f.elapsed.as_secs_f64(),
                "final_loss": last.map(|r| r.loss),
                "final_train_accuracy": last.map(|r| r.train_accuracy),
                "final_test_accuracy": last.map(|r| r.test_accuracy),
            })
        }).collect::<Vec<_>>(),
        "seconds": started.elapsed().as_secs_f64(),
    });
    let text = serde_json::to_string_pretty(&record).context("encoding run.json")? + "\n";
    write_atomically(&out.join("run.json"), text.as_bytes())?;
    say(format!(
        "\nEverything is in {} (run.json lists it); total {:.0} ms.",
        out.display(),
        ms(started.elapsed())
    ));
    Ok(())
}

/// The flags of `nnlab train` for one section, parsed as the command line would be.
fn section_args(flags: &[&str], epochs: usize) -> anyhow::Result<TrainArgs> {
    let epochs = epochs.to_string();
    let argv = ["nnlab", "train", "--epochs", epochs.as_str()]
        .into_iter()
        .chain(flags.iter().copied());
    match Cli::try_parse_from(argv)?.command {
        Command::Train(args) => Ok(args),
        _ => unreachable!("the argv names the train command"),
    }
}

/// `folder: a, b, c` for messages.
fn list(folder: &Path, files: &[String]) -> String {
    format!("{}: {}", folder.display(), files.join(", "))
}

fn ms(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Final loss and accuracies of both sections, and the time each took.
fn summary_table(results: &[(&str, RunConfig, Finished)]) -> String {
    let mut text = String::from("\n== Summary\n");
    text += &format!(
        "{:<28} {:>10} {:>10} {:>10} {:>10}\n",
        "section", "final loss", "train acc", "test acc", "time"
    );
    for (name, _, finished) in results {
        let label = if *name == "manual" {
            "numpy (hand-written, f64)"
        } else {
            "PyTorch (autograd, f32)"
        };
        if let Some(last) = finished.history.last() {
            text += &format!(
                "{label:<28} {:>10.4} {:>10.4} {:>10.4} {:>7.1} ms\n",
                last.loss,
                last.train_accuracy.unwrap_or(f64::NAN),
                last.test_accuracy.unwrap_or(f64::NAN),
                ms(finished.elapsed)
            );
        }
    }
    text.trim_end().to_string()
}
