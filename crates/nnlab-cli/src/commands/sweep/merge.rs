//! `nnlab sweep merge DIR...`: the shards of one sweep (`nnlab sweep --shard I/N`) put back
//! together into the files the whole sweep writes on one machine, byte for byte.
//!
//! Each shard's `run.json` records the whole grid and which shard it is; its `runs.csv` holds its
//! own rows. The merge checks that the folders are shards of one grid, every shard 1..N once and
//! complete, that every row is one of its shard's runs, and then writes the rows in the whole
//! sweep's order through the same code as the sweep ([`super::output::write_whole`]). `run.json`
//! is the whole sweep's, with `seconds` the shards' total.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

use nnlab_app::run_folder;

use super::output::{
    parse_row, summary_table, with_progress, write_whole, Grid, Outcome, PROGRESS_KEYS, RUNS_HEADER,
};
use super::shard;
use crate::args::{MergeArgs, Shard};
use crate::commands::train::existing;
use crate::usage::usage;

/// One shard's folder, its `run.json` read.
struct Part {
    dir: PathBuf,
    shard: Shard,
    /// `run.json` without its progress keys: the same in every shard of one sweep.
    grid: Value,
    runs: usize,
    seconds: f64,
    /// Which code trained its runs (a shard of an older nnlab has none recorded).
    implementation: String,
}

pub fn run(args: &MergeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut parts = args
        .shards
        .iter()
        .map(|dir| read_part(dir))
        .collect::<anyhow::Result<Vec<Part>>>()?;
    parts.sort_by_key(|p| p.shard.index); // stable: duplicates keep the order given
    let first = &parts[0];
    let count = first.shard.count;
    for part in &parts[1..] {
        if part.shard.count != count {
            return Err(usage(format!(
                "{} is shard {}/{} but {} is shard {}/{count}: these are parts of different splits (all shards of one sweep have the same N)",
                part.dir.display(),
                part.shard.index,
                part.shard.count,
                first.dir.display(),
                first.shard.index,
            )));
        }
        if part.grid != first.grid {
            return Err(usage(format!(
                "{} is a shard of another grid than {}: {}; merge only the shards of one `nnlab sweep` command",
                part.dir.display(),
                first.dir.display(),
                differences(&first.grid, &part.grid, &first.dir, &part.dir)
            )));
        }
    }
    for pair in parts.windows(2) {
        if pair[0].shard.index == pair[1].shard.index {
            return Err(usage(format!(
                "shard {}/{count} is given twice: {} and {}; give each shard once",
                pair[0].shard.index,
                pair[0].dir.display(),
                pair[1].dir.display()
            )));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !parts.iter().any(|p| p.shard.index == *i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(usage(format!(
            "shard {} of this sweep {} missing (given: {}): run `nnlab sweep ... --shard {}` with the same options, and merge all {count} shards",
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" },
            parts
                .iter()
                .map(|p| format!("{} in {}", p.shard.index, p.dir.display()))
                .collect::<Vec<_>>()
                .join(", "),
            missing[0]
        )));
    }

    let grid = grid_of(&first.grid, &first.dir)?;
    let mut rows: Vec<Option<Outcome>> = vec![None; grid.runs()];
    for part in &parts {
        read_rows(part, &grid, &mut rows)?;
    }
    let outcomes: Vec<Outcome> = rows.into_iter().flatten().collect();
    debug_assert_eq!(
        outcomes.len(),
        grid.runs(),
        "every shard complete, none twice"
    );

    if let Some(out) = &args.out {
        for part in &parts {
            if same_folder(out, &part.dir) {
                return Err(usage(format!(
                    "--out {} is one of the shards: give another folder for the merged sweep",
                    out.display()
                )));
            }
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
    let seconds = parts.iter().map(|p| p.seconds).sum();
    let record = with_progress(
        &first.grid,
        outcomes.len(),
        grid.runs(),
        false,
        seconds,
        &implementations(&parts),
    );
    let (files, summary) = write_whole(&out, &grid, &outcomes, &record, args.lang.into())?;
    if !args.quiet {
        say!("{}", summary_table(&summary));
        say!(
            "{} runs from {count} shards merged in {:.2} s; wrote {}: {}",
            outcomes.len(),
            started.elapsed().as_secs_f64(),
            out.display(),
            files.join(", ")
        );
    }
    Ok(())
}

/// Reads `dir/run.json` as a shard's record, refusing anything else.
fn read_part(dir: &Path) -> anyhow::Result<Part> {
    let not_a_shard = |why: String| {
        usage(format!(
            "{} is not a shard of a sweep: {why} (a shard is the --out folder of `nnlab sweep --shard I/N`)",
            dir.display()
        ))
    };
    let path = dir.join("run.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if !dir.exists() => return Err(not_a_shard("there is no such folder".into())),
        Err(_) if !dir.is_dir() => return Err(not_a_shard("it is a file, not a folder".into())),
        Err(e) => {
            return Err(not_a_shard(format!(
                "cannot read its run.json ({e}); a shard still running has none yet"
            )))
        }
    };
    let mut record: Value = serde_json::from_str(&text)
        .map_err(|e| not_a_shard(format!("its run.json is not JSON ({e})")))?;
    if record["command"] != "sweep" {
        return Err(not_a_shard(format!(
            "its run.json is of `nnlab {}`",
            record["command"].as_str().unwrap_or("?")
        )));
    }
    if record["run_format"].as_u64() != Some(u64::from(nnlab_app::config_file::RUN_FORMAT)) {
        return Err(not_a_shard(format!(
            "its run.json has run_format {}, this nnlab reads {}",
            record["run_format"],
            nnlab_app::config_file::RUN_FORMAT
        )));
    }
    let Some(recorded) = record.get("shard").cloned() else {
        return Err(not_a_shard(
            "it holds a whole sweep (its run.json has no \"shard\")".into(),
        ));
    };
    let number = |v: &Value| v.as_u64().and_then(|n| usize::try_from(n).ok());
    let (Some(index), Some(count)) = (number(&recorded["index"]), number(&recorded["count"]))
    else {
        return Err(not_a_shard(format!(
            "its run.json's \"shard\" is {recorded}"
        )));
    };
    if index == 0 || index > count {
        return Err(not_a_shard(format!(
            "its run.json says shard {index}/{count}"
        )));
    }
    let runs = number(&record["runs"]);
    let planned = number(&record["runs_planned"]);
    let seconds = record["seconds"].as_f64();
    let interrupted = record["interrupted"] != false;
    let implementation = record["implementation"]
        .as_str()
        .unwrap_or("code not recorded")
        .to_string();
    let (Some(runs), Some(planned), Some(seconds)) = (runs, planned, seconds) else {
        return Err(not_a_shard(
            "its run.json lacks runs, runs_planned or seconds".into(),
        ));
    };
    if let Value::Object(map) = &mut record {
        for key in PROGRESS_KEYS {
            map.remove(*key);
        }
    }
    if recorded["grid_sha256"].as_str() != Some(shard::fingerprint(&record).as_str()) {
        return Err(not_a_shard(
            "its run.json's grid is not the one its \"grid_sha256\" was made from (the file was edited)".into(),
        ));
    }
    if runs != planned || interrupted {
        return Err(usage(format!(
            "{} (shard {index}/{count}) is incomplete: it was interrupted after {runs} of its {planned} runs; run that shard again (the same command, with --force) and merge again",
            dir.display()
        )));
    }
    Ok(Part {
        dir: dir.to_path_buf(),
        shard: Shard { index, count },
        grid: record,
        runs,
        seconds,
        implementation,
    })
}

/// Which code trained the shards' runs: one description if all of them ran on the same (as a
/// whole sweep on one machine records it), else each shard's.
fn implementations(parts: &[Part]) -> String {
    let first = &parts[0].implementation;
    if parts.iter().all(|p| &p.implementation == first) {
        return first.clone();
    }
    let each: Vec<String> = parts
        .iter()
        .map(|p| {
            format!(
                "shard {}/{}: {}",
                p.shard.index, p.shard.count, p.implementation
            )
        })
        .collect();
    each.join("; ")
}

/// The grid's lists from its record.
fn grid_of(record: &Value, dir: &Path) -> anyhow::Result<Grid> {
    fn list<T: serde::de::DeserializeOwned>(record: &Value, key: &str) -> Option<T> {
        serde_json::from_value(record.get(key)?.clone()).ok()
    }
    let grid = (|| {
        Some(Grid {
            hidden: list(record, "hidden")?,
            lr: list(record, "lr")?,
            seeds: list(record, "seeds")?,
            dataset: list(record, "dataset")?,
            epochs: list(record, "epochs")?,
        })
    })();
    grid.filter(|g| g.runs() > 0).ok_or_else(|| {
        usage(format!(
            "{}: its run.json does not hold a sweep's grid (hidden, lr, seeds, dataset, epochs)",
            dir.display()
        ))
    })
}

/// Puts a shard's rows into their places in the whole sweep's order.
fn read_rows(part: &Part, grid: &Grid, rows: &mut [Option<Outcome>]) -> anyhow::Result<()> {
    let path = part.dir.join("runs.csv");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| usage(format!("{}: cannot read it ({e})", path.display())))?;
    let mut lines = text.lines();
    if lines.next() != Some(RUNS_HEADER) {
        return Err(usage(format!(
            "{}: not a sweep's runs.csv (its first line is not {RUNS_HEADER})",
            path.display()
        )));
    }
    let seeds: HashMap<u32, usize> = grid
        .seeds
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, i))
        .collect();
    let mut count = 0;
    for (number, line) in lines.enumerate() {
        let at = |why: String| usage(format!("{} line {}: {why}", path.display(), number + 2));
        let outcome = parse_row(line).map_err(at)?;
        let h = grid.hidden.iter().position(|&h| h == outcome.hidden);
        let l = grid.lr.iter().position(|&lr| lr == outcome.lr);
        let s = seeds.get(&outcome.seed).copied();
        let (Some(h), Some(l), Some(s)) = (h, l, s) else {
            return Err(at(format!(
                "hidden {}, lr {:?}, seed {} is not a run of this sweep's grid",
                outcome.hidden, outcome.lr, outcome.seed
            )));
        };
        let setting = h * grid.lr.len() + l;
        let owner = shard::owner(setting, s, grid.seeds.len(), part.shard.count);
        if owner != part.shard.index {
            return Err(at(format!(
                "hidden {}, lr {:?}, seed {} is a run of shard {owner}/{}, not of shard {}/{}",
                outcome.hidden,
                outcome.lr,
                outcome.seed,
                part.shard.count,
                part.shard.index,
                part.shard.count
            )));
        }
        let slot = &mut rows[grid.position(s, setting)];
        if slot.is_some() {
            return Err(at(format!(
                "hidden {}, lr {:?}, seed {} is there twice",
                outcome.hidden, outcome.lr, outcome.seed
            )));
        }
        *slot = Some(outcome);
        count += 1;
    }
    let planned = shard::planned(grid.runs(), part.shard);
    if count != planned || count != part.runs {
        return Err(usage(format!(
            "{}: {count} runs where shard {}/{} has {planned} (its run.json says {}): run that shard again (with --force) and merge again",
            path.display(),
            part.shard.index,
            part.shard.count,
            part.runs
        )));
    }
    Ok(())
}

/// The keys in which two grids differ (a level into `config`), with both values.
fn differences(a: &Value, b: &Value, a_dir: &Path, b_dir: &Path) -> String {
    fn walk(prefix: &str, a: &Value, b: &Value, found: &mut Vec<(String, String, String)>) {
        let (Value::Object(x), Value::Object(y)) = (a, b) else {
            found.push((prefix.to_string(), brief(a), brief(b)));
            return;
        };
        let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
        for key in keys {
            let none = Value::Null;
            let (va, vb) = (x.get(key).unwrap_or(&none), y.get(key).unwrap_or(&none));
            if va != vb {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                if prefix.is_empty() && key == "config" {
                    walk(&name, va, vb, found);
                } else {
                    found.push((name, brief(va), brief(vb)));
                }
            }
        }
    }
    let mut found = Vec::new();
    walk("", a, b, &mut found);
    let shown: Vec<String> = found
        .iter()
        .take(4)
        .map(|(key, x, y)| {
            format!(
                "{key} is {x} in {}, {y} in {}",
                a_dir.display(),
                b_dir.display()
            )
        })
        .collect();
    let more = match found.len() {
        0..=4 => String::new(),
        n => format!(" (and {} more)", n - 4),
    };
    format!("{}{more}", shown.join("; "))
}

/// A value as JSON text, cut short if long (`seeds` of 1000 values).
fn brief(value: &Value) -> String {
    let text = match value {
        Value::Null => "absent".to_string(),
        v => v.to_string(),
    };
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

/// Whether two paths name one folder.
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
