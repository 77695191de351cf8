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
use serde_json::json;

use nnlab_app::figures::write_dataset_figure;
use nnlab_app::files::write_atomically;
use nnlab_app::{
    check_stop, run_folder, BoundaryView, Existing, FigureOptions, Finished, Output, RunConfig,
};

use crate::args::NotebookArgs;
use crate::progress::run_reporting;

/// One section of the notebook: its folder, its settings, its heading.
type Section = (&'static str, fn() -> RunConfig, &'static str);

/// The two sections; their settings are those of `nnlab train` and `nnlab train --engine autograd`.
const SECTIONS: [Section; 2] = [
    (
        "manual",
        RunConfig::notebook,
        "The numpy section: Linear_NN_numpy, backprop written by hand (f64)",
    ),
    (
        "autograd",
        RunConfig::notebook_torch,
        "The PyTorch section: Linear_NN_torch, autograd on candle (float32)",
    ),
];

pub fn run(args: &NotebookArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    if args.log_every == 0 {
        return Err(crate::usage::usage(
            "--log-every must be at least 1 (use --quiet to print no epoch lines)",
        ));
    }
    // Every setting is checked before anything is written.
    for (_, section, _) in SECTIONS {
        RunConfig {
            epochs: args.epochs,
            ..section()
        }
        .train_config()?;
    }
    // The lesson's folder is its own: each run replaces the last one's files (its sections' too).
    let out = run_folder(Some(&args.out), None, Existing::Replace)?;
    for (name, _, _) in SECTIONS {
        nnlab_app::folder::clear(&out.join(name))?;
    }
    let say = |text: String| {
        if !args.quiet {
            say!("{text}");
        }
    };
    let figures = FigureOptions {
        svg: args.svg,
        boundary: BoundaryView::Class,
        lang: args.lang,
    };

    // The data cell, shared by both sections (they use the same seeds).
    let mut data_settings = RunConfig::notebook();
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
    for (name, section, heading) in SECTIONS {
        say(format!("\n== {heading}, {} epochs", args.epochs));
        let mut settings = RunConfig {
            epochs: args.epochs,
            ..section()
        };
        // The lesson runs the code the README explains (layer.rs, mlp.rs); `--fast` the fused
        // kernels. The autograd section has one path.
        settings.readable = name == "manual" && !args.fast;
        settings.prepare()?; // resolves the settings exactly as `nnlab train` would record them
        let folder = out.join(name);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        let output = Output {
            figures: Some(figures),
            dataset_figure: false,
            command: "notebook",
        };
        let finished = run_reporting(
            &settings,
            &prepared,
            &folder,
            &output,
            args.quiet,
            args.log_every,
            &Default::default(),
        )?;
        check_stop(&finished, &folder, settings.lr)?;
        say(format!("   on the {}", finished.implementation));
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
                "implementation": f.implementation,
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
