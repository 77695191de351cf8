//! What a sweep writes, and reads back to merge shards: the rows of `runs.csv`, the per-setting
//! summary (`summary.csv`, the table printed), `sweep.png` and `run.json`.
//!
//! A whole sweep and a merge of its shards both write through [`write_whole`], from the same rows
//! in the same order, so their files are the same bytes. The rows print every number with `{:?}`
//! (the shortest text that reads back as the same `f64`), so a row read back is the row written.

use std::fmt::Write as _;
use std::path::Path;

use nnlab_app::files::write_atomically;
use nnlab_plot::{render, Format, Lang, SweepColumn, SweepFigure};
use serde_json::Value;

/// What one run ended with: a row of `runs.csv`.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub hidden: usize,
    pub lr: f64,
    pub seed: u32,
    pub epochs_run: usize,
    pub final_loss: f64,
    pub final_train_accuracy: f64,
    pub final_test_accuracy: f64,
    pub best_test_accuracy: f64,
    pub diverged: bool,
}

/// The header of `runs.csv`.
pub const RUNS_HEADER: &str = "hidden,lr,seed,epochs_run,final_loss,final_train_accuracy,final_test_accuracy,best_test_accuracy,diverged";

/// A sweep's grid as its files need it. Runs are listed seed by seed, and within a seed setting
/// by setting: every width, and for each width every rate (setting = width index × rates + rate
/// index).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub hidden: Vec<usize>,
    pub lr: Vec<f64>,
    pub seeds: Vec<u32>,
    /// The dataset's name, for the figure's title.
    pub dataset: String,
    pub epochs: usize,
}

impl Grid {
    /// Width × rate combinations.
    pub fn settings(&self) -> usize {
        self.hidden.len() * self.lr.len()
    }

    /// Every run of the whole sweep.
    pub fn runs(&self) -> usize {
        self.settings() * self.seeds.len()
    }

    /// The row of run (seed index, setting) in a whole sweep's `runs.csv` (0-based, no header).
    pub fn position(&self, seed: usize, setting: usize) -> usize {
        seed * self.settings() + setting
    }
}

pub fn runs_csv(outcomes: &[Outcome]) -> String {
    let mut text = format!("{RUNS_HEADER}\n");
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

/// A row of `runs.csv` read back; `Err` says which field is wrong.
pub fn parse_row(line: &str) -> Result<Outcome, String> {
    let fields: Vec<&str> = line.split(',').collect();
    if fields.len() != 9 {
        return Err(format!("{} fields where runs.csv has 9", fields.len()));
    }
    fn field<T: std::str::FromStr>(fields: &[&str], i: usize) -> Result<T, String> {
        let name = RUNS_HEADER.split(',').nth(i).unwrap_or("?");
        fields[i]
            .parse()
            .map_err(|_| format!("{name} {:?} is not a valid value", fields[i]))
    }
    Ok(Outcome {
        hidden: field(&fields, 0)?,
        lr: field(&fields, 1)?,
        seed: field(&fields, 2)?,
        epochs_run: field(&fields, 3)?,
        final_loss: field(&fields, 4)?,
        final_train_accuracy: field(&fields, 5)?,
        final_test_accuracy: field(&fields, 6)?,
        best_test_accuracy: field(&fields, 7)?,
        diverged: field(&fields, 8)?,
    })
}

/// One setting's results over the seeds (diverged runs counted apart).
pub struct SettingSummary {
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

pub fn summarise(grid: &Grid, outcomes: &[Outcome]) -> Vec<SettingSummary> {
    let mut summary = Vec::new();
    for &hidden in &grid.hidden {
        for &lr in &grid.lr {
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

/// The settings from best to worst, as the sweep prints them.
pub fn summary_table(summary: &[SettingSummary]) -> String {
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

/// Writes a whole sweep's files into `out`: `runs.csv`, `summary.csv`, `sweep.png` (if any run
/// did not diverge, its words in `lang`) and `run.json` (`record`), in that order. Returns the
/// names written and the summary.
pub fn write_whole(
    out: &Path,
    grid: &Grid,
    outcomes: &[Outcome],
    record: &Value,
    lang: Lang,
) -> anyhow::Result<(Vec<String>, Vec<SettingSummary>)> {
    let mut files = vec!["runs.csv".to_string(), "summary.csv".into()];
    write_atomically(&out.join("runs.csv"), runs_csv(outcomes).as_bytes())?;
    let summary = summarise(grid, outcomes);
    write_atomically(&out.join("summary.csv"), summary_csv(&summary).as_bytes())?;
    let figure = SweepFigure {
        columns: summary
            .iter()
            .map(|s| SweepColumn {
                label: format!("h={}, lr={}", s.hidden, s.lr),
                group: format!("lr {}", s.lr),
                accuracies: s.accuracies.clone(),
            })
            .collect(),
        title: sweep_title(grid, lang),
        lang,
    };
    if summary.iter().any(|s| !s.accuracies.is_empty()) {
        write_atomically(&out.join("sweep.png"), &render(&figure, Format::Png)?)?;
        files.push("sweep.png".into());
    }
    write_record(out, record)?;
    files.push("run.json".into());
    Ok((files, summary))
}

/// sweep.png's title: "Final test accuracy over 10 seeds (moons, 20 epochs)".
fn sweep_title(grid: &Grid, lang: Lang) -> String {
    let (seeds, dataset, epochs) = (grid.seeds.len(), &grid.dataset, lang.epochs(grid.epochs));
    match lang {
        Lang::En => format!("Final test accuracy over {seeds} seeds ({dataset}, {epochs})"),
        Lang::Ru => {
            // "по" takes the dative: по 1 зерну, по 10 зёрнам
            let word = nnlab_plot::russian_form(seeds, ["зерну", "зёрнам", "зёрнам"]);
            format!("Итоговая точность на тестовой выборке по {seeds} {word} ({dataset}, {epochs})")
        }
    }
}

/// Writes `run.json`.
pub fn write_record(out: &Path, record: &Value) -> anyhow::Result<()> {
    write_atomically(
        &out.join("run.json"),
        (serde_json::to_string_pretty(record)? + "\n").as_bytes(),
    )?;
    Ok(())
}

/// The keys of a sweep's `run.json` that tell how far it got and on which code (and, for a
/// shard, which shard it is); every other key describes the grid, and is the same in every shard
/// of one sweep (shards may run on machines with different kernels).
pub const PROGRESS_KEYS: &[&str] = &[
    "runs",
    "runs_planned",
    "interrupted",
    "seconds",
    "implementation",
    "shard",
];

/// A grid's record (`run.json` without [`PROGRESS_KEYS`]) with how far the sweep got, and which
/// code trained its runs ([`nnlab_core::Engine::implementation`]).
pub fn with_progress(
    grid: &Value,
    runs: usize,
    planned: usize,
    interrupted: bool,
    seconds: f64,
    implementation: &str,
) -> Value {
    let mut record = grid.clone();
    if let Value::Object(map) = &mut record {
        map.insert("implementation".into(), implementation.into());
        map.insert("runs".into(), runs.into());
        map.insert("runs_planned".into(), planned.into());
        map.insert("interrupted".into(), interrupted.into());
        map.insert("seconds".into(), seconds.into());
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_reads_back_as_written() {
        let outcome = Outcome {
            hidden: 8,
            lr: 0.1,
            seed: 7,
            epochs_run: 3,
            final_loss: 0.123_456_789_012_345_67,
            final_train_accuracy: f64::NAN,
            final_test_accuracy: 1.0 / 3.0,
            best_test_accuracy: f64::INFINITY,
            diverged: true,
        };
        let text = runs_csv(std::slice::from_ref(&outcome));
        let row = text.lines().nth(1).unwrap();
        let back = parse_row(row).unwrap();
        assert_eq!(runs_csv(&[back]), text);
        assert!(parse_row("8,0.1,7").unwrap_err().contains("3 fields"));
        assert!(parse_row("8,x,7,3,0,0,0,0,false")
            .unwrap_err()
            .contains("lr \"x\""));
    }
}
