//! `nnlab train --config FILE`: every `train` option from a TOML or JSON file, flags overriding it.
//!
//! Keys are the flags' names with `_` for `-` (`lr = 0.3`, `hidden = [16, 16]`, `data_seed = 7`).
//! A run's `run.json` is a config too: its `"config"` section holds every setting of the run, so
//! `nnlab train --config runs/x/run.json` replays the run exactly. A replay is held to that: the
//! file must say which run.json format it is ([`RUN_FORMAT`]) and its config must hold every
//! setting the run had; a missing one is refused rather than filled in with a default.

use std::collections::BTreeSet;
use std::path::PathBuf;

use nnlab_core::{RuleKind, TaskKind};
use serde::Deserialize;

use crate::config::{RunConfig, TestSizeValue};
use crate::options::{
    Betas, BoundaryView, DeviceArg, DtypeArg, EngineKind, FigureLang, Generator, InitKind, LrChange,
};
use crate::{usage, Result};

/// The format of the `run.json` this nnlab writes; a replay refuses any other. Raise it whenever
/// a change would make an older nnlab read a newer run.json differently.
pub const RUN_FORMAT: u32 = 1;

/// The options a config file may set; all optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub data: Option<PathBuf>,
    /// The SHA-256 of the data file's bytes when the run read it (run.json's, for a replay).
    pub data_sha256: Option<String>,
    pub max_data_mb: Option<u64>,
    pub max_memory: Option<f64>,
    pub dataset: Option<Generator>,
    pub samples: Option<u64>,
    pub noise: Option<f64>,
    pub factor: Option<f64>,
    pub centers: Option<u64>,
    pub cluster_std: Option<f64>,
    pub features: Option<u64>,
    pub classes: Option<u64>,
    pub inputs: Option<Inputs>,
    pub no_shuffle: Option<bool>,
    pub test_size: Option<TestSizeValue>,
    pub seed: Option<u32>,
    pub data_seed: Option<u32>,
    pub split_seed: Option<u32>,
    pub init_seed: Option<u32>,
    pub hidden: Option<Vec<usize>>,
    pub activation: Option<String>,
    pub task: Option<TaskKind>,
    pub batch_size: Option<usize>,
    pub shuffle_seed: Option<u32>,
    pub optimizer: Option<RuleKind>,
    pub momentum: Option<f64>,
    pub nesterov: Option<bool>,
    pub betas: Option<Betas>,
    pub eps: Option<f64>,
    pub weight_decay: Option<f64>,
    pub l1: Option<f64>,
    pub l2: Option<f64>,
    pub lr: Option<f64>,
    pub lr_at: Option<Vec<LrChange>>,
    pub epochs: Option<usize>,
    pub engine: Option<EngineKind>,
    pub init: Option<InitKind>,
    pub init_from: Option<PathBuf>,
    pub dtype: Option<DtypeArg>,
    pub device: Option<DeviceArg>,
    pub readable: Option<bool>,
    pub threads: Option<u16>,
    pub log_every: Option<usize>,
    pub quiet: Option<bool>,
    pub out: Option<PathBuf>,
    pub force: Option<bool>,
    pub svg: Option<bool>,
    pub boundary: Option<BoundaryView>,
    pub lang: Option<FigureLang>,
    pub no_figures: Option<bool>,
}

/// `inputs` in a file: a list (`["x0", "x0^2"]`, as run.json has it) or one comma-separated string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Inputs {
    List(Vec<String>),
    Text(String),
}

/// A config file read: its options, and for a run's `run.json` what a replay must hold to.
#[derive(Debug)]
pub struct Loaded {
    pub file: ConfigFile,
    /// The keys the file set (for messages that name the file rather than a flag).
    pub keys: BTreeSet<String>,
    /// Set when the file is a run's `run.json`.
    pub replay: Option<Replay>,
}

/// A run.json's config: the keys it holds, which the replayed run's settings must not exceed
/// (see [`Replay::check_complete`]).
#[derive(Debug)]
pub struct Replay {
    pub keys: BTreeSet<String>,
}

impl Replay {
    /// Refuses a replay whose run.json lacks a setting the replayed run has (and the command line
    /// did not give): the run it describes cannot be told apart from one with the default.
    /// `typed(key)` says whether the command line gave that option.
    pub fn check_complete(
        &self,
        name: &str,
        resolved: &RunConfig,
        typed: impl Fn(&str) -> bool,
    ) -> Result<()> {
        let value = serde_json::to_value(resolved).expect("a RunConfig serialises");
        let missing: Vec<&String> = value
            .as_object()
            .expect("a RunConfig is an object")
            .keys()
            .filter(|key| !self.keys.contains(*key) && !typed(key))
            .collect();
        match missing.as_slice() {
            [] => Ok(()),
            keys => {
                let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                Err(usage(format!(
                    "{name}: the run's \"config\" has no {}: a replay needs every setting the run had, and a default may not be what it used. Put the value back, or give it as a flag (--{})",
                    keys.join(", "),
                    missing[0].replace('_', "-")
                )))
            }
        }
    }
}

/// Reads a config file's text: TOML, or JSON when `json` (a run's `run.json` counts, through its
/// "config" section). `name` starts every message (`--config runs/x/run.json`).
pub fn parse(text: &str, json: bool, name: &str) -> Result<Loaded> {
    let named = |message: String| usage(format!("{name}: {message}"));
    if !json {
        let file = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |span| {
                text.get(..span.start)
                    .map_or(1, |before| before.matches('\n').count() + 1)
            });
            named(format!("line {line}: {}", e.message()))
        })?;
        let keys = toml::from_str::<toml::Table>(text)
            .map(|table| table.keys().cloned().collect())
            .unwrap_or_default();
        return Ok(Loaded {
            file,
            keys,
            replay: None,
        });
    }
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| named(format!("not valid JSON: {e}")))?;
    let replay = match value.get_mut("config") {
        None => None,
        Some(section) => {
            let section = section.take(); // a run.json
            check_format(&value, name)?;
            let keys = section
                .as_object()
                .map(|object| object.keys().cloned().collect())
                .unwrap_or_default();
            value = section;
            Some(Replay { keys })
        }
    };
    let keys = value
        .as_object()
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default();
    let file = serde_json::from_value(value).map_err(|e| named(format!("{e}")))?;
    Ok(Loaded { file, keys, replay })
}

/// Refuses a run.json of another format than this nnlab writes.
pub(crate) fn check_format(run: &serde_json::Value, name: &str) -> Result<()> {
    let written_by = match run.get("nnlab_version") {
        Some(serde_json::Value::String(version)) => format!(" (written by nnlab {version})"),
        _ => String::new(),
    };
    match run.get("run_format") {
        Some(format) if format.as_u64() == Some(u64::from(RUN_FORMAT)) => Ok(()),
        Some(format) => Err(usage(format!(
            "{name}: run_format {format}{written_by} is not one this nnlab reads (it reads run_format {RUN_FORMAT}, nnlab {}); replay it with the nnlab that wrote it",
            env!("CARGO_PKG_VERSION")
        ))),
        None => Err(usage(format!(
            "{name}: it has a \"config\" section but no run_format, so it is not a run.json this nnlab wrote{written_by}; to use it as a config, put the settings at the top level"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings every run has (RunConfig's fields without a default).
    const CONFIG: &str = r#"{"seed": 42, "split_seed": 42, "init_seed": 42, "hidden": [8],
        "activation": "relu", "lr": 0.1, "epochs": 20, "engine": "manual", "init": "notebook",
        "dtype": "f64", "device": "cpu"}"#;

    fn run_json(top: &str, config: &str) -> String {
        format!("{{{top} \"config\": {config}}}")
    }

    #[test]
    fn a_run_json_of_this_format_is_a_replay() {
        let loaded = parse(&run_json(r#""run_format": 1,"#, CONFIG), true, "r").unwrap();
        assert_eq!(loaded.file.epochs, Some(20));
        assert!(loaded.replay.unwrap().keys.contains("lr"));
    }

    #[test]
    fn another_format_or_none_is_refused() {
        for top in [
            r#""run_format": 7,"#,
            r#""run_format": "1","#,
            r#""nnlab_version": "99.0.0","#,
            "",
        ] {
            let error = parse(&run_json(top, CONFIG), true, "r").unwrap_err();
            assert!(error.to_string().contains("run_format"), "{top}: {error}");
        }
    }

    #[test]
    fn a_missing_setting_is_named_unless_typed() {
        let notebook = RunConfig::notebook();
        let mut config = serde_json::to_value(&notebook).unwrap();
        config.as_object_mut().unwrap().remove("epochs");
        let text = run_json(r#""run_format": 1,"#, &config.to_string());
        let replay = parse(&text, true, "r").unwrap().replay.unwrap();
        let error = replay
            .check_complete("r", &notebook, |_| false)
            .unwrap_err();
        assert!(error.to_string().contains("no `epochs`"), "{error}");
        assert!(error.to_string().contains("--epochs"), "{error}");
        replay
            .check_complete("r", &notebook, |key| key == "epochs")
            .unwrap();
    }

    #[test]
    fn a_toml_error_names_its_line() {
        let error = parse("lr = 0.1\nepochs = \"x\"\n", false, "c.toml").unwrap_err();
        assert!(error.to_string().starts_with("c.toml: line 2:"), "{error}");
    }
}
