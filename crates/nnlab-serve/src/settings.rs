//! From the page's settings to a run: the notebook's config with the page's fields laid over it,
//! tidied for the chosen dataset and optimizer, checked against the playground's bounds, then
//! prepared by the run library — which checks every value with the CLI's own messages.

use nnlab_app::data::{
    DEFAULT_CENTERS, DEFAULT_CLUSTER_STD, DEFAULT_FACTOR, DEFAULT_FEATURES, DEFAULT_NOISE,
};
use nnlab_app::{Generator, Prepared, RunConfig, TestSizeValue};
use nnlab_core::RuleKind;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

/// What one server lets a page ask for.
#[derive(Clone, Debug, Serialize)]
pub struct Limits {
    /// Rows of a generated or uploaded dataset.
    pub max_samples: u64,
    /// Columns of an uploaded dataset.
    pub max_columns: usize,
    /// Hidden layers.
    pub max_layers: usize,
    /// Units in one hidden layer.
    pub max_units: usize,
    /// Sessions alive at once (the least recently used idle one makes way for a new one).
    pub max_sessions: usize,
    /// Bytes of an uploaded CSV.
    pub max_upload_bytes: usize,
    /// Epochs of one session (its history is kept whole).
    pub max_epochs: usize,
    /// Frames per second of a stream.
    pub max_fps: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_samples: 20_000,
            max_columns: 64,
            max_layers: 8,
            max_units: 64,
            max_sessions: 8,
            max_upload_bytes: 10 << 20,
            max_epochs: 1_000_000,
            max_fps: 30,
        }
    }
}

/// The config fields a page may send (those of `run.json`'s "config" that make sense in a
/// browser: no paths on the server, no thread count, no learning-rate schedule — the session
/// makes that itself as the page changes the rate; `device` only as "cpu").
pub const FIELDS: &[&str] = &[
    "dataset",
    "samples",
    "noise",
    "factor",
    "centers",
    "cluster_std",
    "features",
    "classes",
    "no_shuffle",
    "inputs",
    "test_size",
    "seed",
    "data_seed",
    "split_seed",
    "init_seed",
    "hidden",
    "activation",
    "lr",
    "epochs",
    "task",
    "batch_size",
    "shuffle_seed",
    "optimizer",
    "momentum",
    "nesterov",
    "betas",
    "eps",
    "weight_decay",
    "l1",
    "l2",
    "engine",
    "init",
    "dtype",
    "readable",
    "device",
];

/// The page's config laid over the notebook's: every key must be a known field; `null` removes
/// the field (back to absent, which means "the default" for most).
pub fn merge(page: &Value) -> ApiResult<RunConfig> {
    let Value::Object(fields) = page else {
        return Err(ApiError::bad(
            "config: expected an object of settings, e.g. {\"lr\": 0.03}",
        ));
    };
    let mut config = match serde_json::to_value(RunConfig::notebook()) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for (key, value) in fields {
        if !FIELDS.contains(&key.as_str()) {
            let why = match key.as_str() {
                "data" | "init_from" => " (a path on the server: send own data as \"csv\")",
                "threads" => " (a session trains on one thread)",
                "lr_at" => " (change the rate while training: POST /api/sessions/{id}/lr)",
                _ => "",
            };
            return Err(ApiError::bad(format!(
                "config: unknown setting {key:?}{why}; the settings are {}",
                FIELDS.join(", ")
            )));
        }
        check_whole(key, value)?;
        if value.is_null() {
            config.remove(key);
        } else {
            config.insert(key.clone(), value.clone());
        }
    }
    serde_json::from_value(Value::Object(config)).map_err(|e| ApiError::bad(format!("config: {e}")))
}

/// Seeds and counts must be whole numbers in range: said with the flag's name (serde's own
/// message names no field).
fn check_whole(key: &str, value: &Value) -> ApiResult<()> {
    let flag = key.replace('_', "-");
    let seed = key.ends_with("seed");
    let count = matches!(
        key,
        "samples" | "epochs" | "batch_size" | "centers" | "features" | "classes"
    );
    if !(seed || count) || value.is_null() {
        return Ok(());
    }
    let fits = match value.as_u64() {
        Some(n) => !seed || n <= u64::from(u32::MAX),
        None => false,
    };
    if fits {
        return Ok(());
    }
    Err(ApiError::bad(if seed {
        format!("--{flag} {value}: a seed is a whole number from 0 to 4294967295")
    } else {
        format!("--{flag} {value}: give a whole number")
    }))
}

/// A finite number ≥ 0, or the CLI's message for its flag.
fn non_negative(flag: &str, value: Option<f64>) -> ApiResult<()> {
    match value {
        Some(v) if !(v.is_finite() && v >= 0.0) => Err(ApiError::bad(format!(
            "--{flag}: {v} is not allowed: give a finite number >= 0"
        ))),
        _ => Ok(()),
    }
}

/// A count within bounds, or a message naming its flag.
fn within(flag: &str, value: Option<u64>, low: u64, high: u64, why: &str) -> ApiResult<()> {
    match value {
        Some(v) if v < low || v > high => Err(ApiError::bad(format!(
            "--{flag} {v}: give {low} to {high}{why}"
        ))),
        _ => Ok(()),
    }
}

/// Tidies a merged config as `nnlab train` resolves its flags: the dataset's options that do not
/// apply dropped and those it needs filled in (so a page can send its whole form), the
/// optimizer's likewise; `own_data` (an upload) replaces the generator. Then checks the values
/// the CLI checks while parsing, and the playground's bounds.
pub fn tidy(mut config: RunConfig, own_data: bool, limits: &Limits) -> ApiResult<RunConfig> {
    if config.device != nnlab_app::DeviceArg::Cpu {
        return Err(ApiError::bad(
            "--device cuda: the playground trains on the CPU (nnlab train --device cuda uses a GPU)",
        ));
    }
    if own_data {
        config.data = Some("data.csv".into()); // the replay command's file: the page's download
        config.dataset = None;
        config.samples = None;
        config.noise = None;
        config.factor = None;
        config.centers = None;
        config.cluster_std = None;
        config.features = None;
        config.classes = None;
        config.no_shuffle = None;
        config.data_seed = None;
    } else {
        let generator = config.dataset.unwrap_or(Generator::Moons);
        let is = |g: Generator| generator == g;
        config.dataset = Some(generator);
        config.samples = Some(config.samples.unwrap_or(1000));
        let noisy = is(Generator::Moons) || is(Generator::Circles) || generator.is_playground();
        let default_noise = if generator.is_playground() {
            0.0
        } else {
            DEFAULT_NOISE
        };
        config.noise = noisy.then(|| config.noise.unwrap_or(default_noise));
        config.factor = is(Generator::Circles).then(|| config.factor.unwrap_or(DEFAULT_FACTOR));
        config.centers = is(Generator::Blobs).then(|| config.centers.unwrap_or(DEFAULT_CENTERS));
        config.cluster_std =
            is(Generator::Blobs).then(|| config.cluster_std.unwrap_or(DEFAULT_CLUSTER_STD));
        config.features = is(Generator::Blobs).then(|| config.features.unwrap_or(DEFAULT_FEATURES));
        config.classes = is(Generator::Spiral).then(|| config.classes.unwrap_or(2));
        config.no_shuffle = Some(config.no_shuffle.unwrap_or(false));
        config.data_seed = Some(config.data_seed.unwrap_or(config.seed));
        let why = " (the playground's bound; nnlab train takes more)";
        within("samples", config.samples, 1, limits.max_samples, why)?;
        within(
            "features",
            config.features,
            1,
            limits.max_columns as u64,
            why,
        )?;
        // one output unit per class: as many as a layer may have
        let units = limits.max_units as u64;
        within("centers", config.centers, 1, units, why)?;
        within("classes", config.classes, 2, units, why)?;
    }
    if config.test_size.is_none() && !own_data {
        config.test_size = Some(TestSizeValue::Fraction(0.2));
    }
    for (flag, value) in [
        ("noise", config.noise),
        ("factor", config.factor),
        ("cluster-std", config.cluster_std),
    ] {
        non_negative(flag, value)?;
    }
    if let Some(inputs) = &config.inputs {
        if inputs.len() > limits.max_columns {
            return Err(ApiError::bad(format!(
                "--inputs: {} input features; the playground takes at most {}",
                inputs.len(),
                limits.max_columns
            )));
        }
    }
    if config.hidden.len() > limits.max_layers {
        return Err(ApiError::bad(format!(
            "--hidden: {} hidden layers; the playground takes at most {}",
            config.hidden.len(),
            limits.max_layers
        )));
    }
    if let Some(&units) = config.hidden.iter().find(|&&u| u > limits.max_units) {
        return Err(ApiError::bad(format!(
            "--hidden: a layer of {units} units; the playground takes at most {} per layer",
            limits.max_units
        )));
    }
    if config.epochs > limits.max_epochs {
        return Err(ApiError::bad(format!(
            "--epochs {}: the playground keeps at most {} epochs per session",
            config.epochs, limits.max_epochs
        )));
    }
    // The optimizer's settings that the chosen rule does not use are the form's leftovers.
    match config.optimizer {
        RuleKind::Sgd => {
            config.betas = None;
            config.eps = None;
        }
        RuleKind::Adam | RuleKind::AdamW => {
            config.momentum = None;
            config.nesterov = false;
        }
    }
    if config.optimizer != RuleKind::AdamW && config.weight_decay == Some(0.01) {
        config.weight_decay = None; // AdamW's default, left from the form
    }
    config.shuffle_seed = config
        .batch_size
        .map(|_| config.shuffle_seed.unwrap_or(config.seed));
    config.fill_optimizer_defaults();
    Ok(config)
}

/// Reads an uploaded CSV as `--data` reads a file, within the playground's bounds.
pub fn read_upload(text: &str, limits: &Limits) -> ApiResult<nnlab_data::csv_io::CsvDataset> {
    if text.len() > limits.max_upload_bytes {
        return Err(ApiError::bad(format!(
            "csv: {} bytes; the playground takes files up to {} bytes",
            text.len(),
            limits.max_upload_bytes
        )));
    }
    let file = nnlab_data::csv_io::read_csv(text.as_bytes())
        .map_err(|e| ApiError::bad(format!("--data (the uploaded file): {e}")))?;
    let (rows, columns) = file.dataset.features.dim();
    if rows as u64 > limits.max_samples || columns > limits.max_columns {
        return Err(ApiError::bad(format!(
            "--data (the uploaded file): {rows} rows of {columns} columns; the playground takes at most {} rows of {} columns",
            limits.max_samples, limits.max_columns
        )));
    }
    Ok(file)
}

/// The data of a tidied config: generated, or the upload.
pub fn prepare(
    config: &mut RunConfig,
    upload: Option<nnlab_data::csv_io::CsvDataset>,
) -> ApiResult<Prepared> {
    Ok(match upload {
        Some(file) => config.prepare_file(file)?,
        None => config.prepare()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // An empty page config is the notebook's, tidied: nothing is added that the CLI's
    // `nnlab train` (no flags) would not have.
    #[test]
    fn nothing_sent_is_the_notebook() {
        let config = tidy(
            merge(&serde_json::json!({})).unwrap(),
            false,
            &Limits::default(),
        );
        assert_eq!(config.unwrap(), RunConfig::notebook());
    }

    #[test]
    fn the_forms_leftovers_are_dropped_and_defaults_filled() {
        let page = serde_json::json!({"dataset": "blobs", "noise": 0.3, "factor": 0.5,
            "optimizer": "adam", "momentum": 0.9, "batch_size": 10});
        let config = tidy(merge(&page).unwrap(), false, &Limits::default()).unwrap();
        assert_eq!(config.noise, None);
        assert_eq!(config.factor, None);
        assert_eq!(config.centers, Some(DEFAULT_CENTERS));
        assert_eq!(config.momentum, None);
        assert_eq!(config.eps, Some(1e-8));
        assert_eq!(config.shuffle_seed, Some(42));
    }

    #[test]
    fn bad_values_get_the_clis_words() {
        let limits = Limits::default();
        let bad = |page: Value| match merge(&page) {
            Err(e) => e.message,
            Ok(config) => tidy(config, false, &limits).unwrap_err().message,
        };
        assert_eq!(
            bad(serde_json::json!({"noise": -1.0})),
            "--noise: -1 is not allowed: give a finite number >= 0"
        );
        assert!(bad(serde_json::json!({"data": "/etc/passwd"})).contains("unknown setting"));
        assert!(bad(serde_json::json!({"samples": 1_000_000})).contains("--samples 1000000"));
        assert!(
            bad(serde_json::json!({"hidden": [8, 8, 8, 8, 8, 8, 8, 8, 8]})).contains("at most 8")
        );
        assert!(bad(serde_json::json!({"lr": "fast"})).starts_with("config: "));
        assert_eq!(
            bad(serde_json::json!({"seed": -1})),
            "--seed -1: a seed is a whole number from 0 to 4294967295"
        );
        assert_eq!(
            bad(serde_json::json!({"batch_size": 2.5})),
            "--batch-size 2.5: give a whole number"
        );
        assert!(bad(serde_json::json!([1, 2])).starts_with("config: expected an object"));
    }
}
