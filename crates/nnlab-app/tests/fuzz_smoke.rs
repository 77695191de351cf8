//! The readers of outside bytes that a run goes through, fuzzed: a dataset CSV (`--data`) and the
//! preparing of its rows, a safetensors file (`--init-from`, `nnlab plot`) and the engines built
//! from it, `history.csv` (`nnlab plot`) and its figure, and a run's settings (`--config` TOML or
//! JSON, `run.json`). Every input must end in `Ok` or an error — no panic, no allocation over the
//! test's bound, no hang.
//!
//! The `pub fn`s are the readers' harnesses: this file's tests feed them mutated seeds
//! (`fuzz/seeds/<reader>/`) with nnlab-fixtures' mutator — a few thousand each in `cargo test`,
//! 100,000 each (or `NNLAB_FUZZ_RUNS`) with `--ignored` — and the libFuzzer targets in `fuzz/`
//! include this file to call the same functions (FUZZING.md says how to run both).

use std::sync::OnceLock;

use ndarray::Array2;
use nnlab_app::config_file;
use nnlab_app::engines::{build_engine, check_memory, initial_parameters};
use nnlab_app::model_file::parameters_from_bytes;
use nnlab_app::{DtypeArg, EngineKind, InitKind, Prepared, RunConfig, TestSizeValue};
use nnlab_core::{Activation, History, ModelSpec, Parameter, Task, TaskKind};

/// A dataset CSV read as `--data` reads it, then prepared as a run prepares it — split, input
/// features, task, scaling, the network's shape — with settings picked by the input's last byte.
pub fn csv(bytes: &[u8]) -> Result<(), String> {
    let file = nnlab_data::csv_io::read_csv(bytes).map_err(|e| e.to_string())?;
    let pick = bytes.last().copied().unwrap_or(0) as usize;
    let mut config = RunConfig::notebook();
    config.test_size = [
        Some(TestSizeValue::Fraction(0.2)),
        None,
        Some(TestSizeValue::Count(1)),
        Some(TestSizeValue::Fraction(0.5)),
    ][pick % 4];
    config.inputs = [
        None,
        Some(vec!["x0^2".into(), "sin(x1)".into(), "x0*x1".into()]),
        Some(vec!["x1".into()]),
    ][pick / 4 % 3]
        .clone();
    config.task = [
        None,
        Some(TaskKind::Binary),
        Some(TaskKind::Multiclass),
        Some(TaskKind::Regression),
    ][pick / 12 % 4];
    let prepared = config.prepare_file(file).map_err(|e| e.to_string())?;
    config
        .model_spec(prepared.dataset.n_features(), prepared.train.task())
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The layer widths a file's weights chain up to, input first, with a hidden layer at least (as
/// `--init-from` reads them).
fn widths(parameters: &[Parameter]) -> Option<Vec<usize>> {
    nnlab_app::engines::file_shape(parameters).filter(|widths| widths.len() >= 3)
}

/// A safetensors file read as `--init-from` and `nnlab plot` read it, then put into every engine
/// for the notebook's 2-8-1 net and for the net its weights describe, which then computes outputs.
pub fn safetensors(bytes: &[u8]) -> Result<(), String> {
    let parameters = parameters_from_bytes(bytes).map_err(|e| e.to_string())?;
    let mut specs = vec![ModelSpec::default()];
    if let Some(widths) = widths(&parameters) {
        // small nets only: the engines allocate what the spec asks (the spec is checked elsewhere)
        if widths.len() <= 6 && widths.iter().all(|&w| (1..=64).contains(&w)) {
            let hidden = widths[1..widths.len() - 1].to_vec();
            let task = match widths[widths.len() - 1] {
                1 if parameters.len() % 2 == 1 => Task::Regression,
                1 => Task::Binary,
                2 => Task::Binary,
                classes => Task::Multiclass { classes },
            };
            let activations = vec![Activation::Tanh; hidden.len()];
            if let Ok(spec) = ModelSpec::with_task(widths[0], hidden, activations, task) {
                specs.push(spec);
            }
        }
    }
    let mut built = false;
    for spec in &specs {
        for (engine, dtype, readable) in [
            (EngineKind::Manual, DtypeArg::F64, false),
            (EngineKind::Manual, DtypeArg::F64, true),
            (EngineKind::Manual, DtypeArg::F32, false),
            (EngineKind::Autograd, DtypeArg::F32, false),
        ] {
            let settings = RunConfig {
                engine,
                dtype,
                readable,
                init: InitKind::File,
                ..RunConfig::notebook()
            };
            let Ok(engine) = build_engine(&settings, spec, &parameters, "the file") else {
                continue;
            };
            built = true;
            let x = Array2::from_shape_fn((3, spec.input_size()), |(i, j)| i as f64 - j as f64);
            let _ = engine.outputs(&x);
            let _ = engine.weight_norms();
        }
    }
    match built {
        true => Ok(()),
        false => Err("no engine takes these parameters".into()),
    }
}

/// `history.csv` read as `nnlab plot` reads it, then drawn (as SVG) as `training.png` is.
pub fn history(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let history = History::from_csv(text).map_err(|e| e.to_string())?;
    if !history.records.is_empty() {
        let figure = nnlab_plot::TrainingFigure {
            history: &history,
            settings: vec!["fuzzed".into()],
            diverged: None,
            lang: Default::default(),
        };
        nnlab_plot::render(&figure, nnlab_plot::Format::Svg).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A config file as `nnlab train --config` reads it — TOML, or JSON (a flat config, or a run's
/// `run.json` with its "config" section) when the text starts with `{` — then its settings laid
/// over the notebook's (a run.json's "config" read as `nnlab plot` reads it) and checked as a run
/// checks them: the training settings, the network for two inputs and its first weights, the
/// command line that replays it, a replay's completeness.
pub fn config(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let json = text.trim_start().starts_with('{');
    let loaded = config_file::parse(text, json, "--config fuzzed").map_err(|e| e.to_string())?;
    let Some(replay) = loaded.replay else {
        return check_run(settings_of(loaded.file));
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let config: RunConfig =
        serde_json::from_value(value["config"].clone()).map_err(|e| e.to_string())?;
    replay
        .check_complete("fuzzed", &config, |_| false)
        .map_err(|e| e.to_string())?;
    check_run(config)
}

/// The notebook's settings with a config file's training settings laid over them (the command
/// line's flags, which `nnlab train` lays over them too, are the CLI's).
fn settings_of(file: config_file::ConfigFile) -> RunConfig {
    let mut config = RunConfig {
        momentum: None, // filled in for the file's optimizer, as `nnlab train` does
        weight_decay: None,
        ..RunConfig::notebook()
    };
    macro_rules! take {
        ($($key:ident),*) => {$(
            if let Some(value) = file.$key {
                config.$key = value;
            }
        )*};
    }
    macro_rules! take_option {
        ($($key:ident),*) => {$(
            if file.$key.is_some() {
                config.$key = file.$key;
            }
        )*};
    }
    take!(seed, hidden, activation, lr, lr_at, epochs, optimizer, nesterov, l1, l2);
    take!(engine, init, dtype, readable);
    take_option!(
        task,
        batch_size,
        shuffle_seed,
        momentum,
        betas,
        eps,
        weight_decay,
        threads
    );
    if let Some(seed) = file.init_seed {
        config.init_seed = seed;
    }
    config
}

/// The memory limit the config harness gives a run (`--max-memory`, in GB): under the test's
/// and libFuzzer's allocation bound (256 MiB).
pub const MEMORY_GB: f64 = 0.2;

/// What a run does with its settings before it trains (on the notebook's data here: a config's
/// data is a path or a generator's rows): fill in the optimizer's defaults, check the training
/// settings and the network (for two inputs), its memory, and make its first weights.
fn check_run(mut config: RunConfig) -> Result<(), String> {
    config.fill_optimizer_defaults();
    let _ = config.train_command();
    config.train_config().map_err(|e| e.to_string())?;
    let task = match config.task {
        Some(TaskKind::Multiclass) => Task::Multiclass { classes: 3 },
        Some(TaskKind::Regression) => Task::Regression,
        _ => Task::Binary,
    };
    let spec = config.model_spec(2, task).map_err(|e| e.to_string())?;
    // As `run_training` does before it allocates, with a limit under the harness's bound.
    static NOTEBOOK_DATA: OnceLock<Prepared> = OnceLock::new();
    let data = NOTEBOOK_DATA.get_or_init(|| {
        RunConfig::notebook()
            .prepare()
            .expect("the notebook's data")
    });
    check_memory(&config, &spec, data, false, Some(MEMORY_GB)).map_err(|e| e.to_string())?;
    if config.init == InitKind::File {
        config.init = InitKind::Notebook; // a path would be read from this machine's disk
    }
    initial_parameters(&config, &spec).map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use nnlab_fixtures::fuzz::{exercise, runs_from_env, seeds, CappedAlloc, Report};

    /// No reader may ask for more than this in one allocation (libFuzzer's -malloc_limit_mb too).
    #[global_allocator]
    static ALLOC: CappedAlloc = CappedAlloc { limit: 256 << 20 };

    const CSV_WORDS: &[&str] = &[
        "label", "split", "train", "test", "x0", "x1", "LABEL", "Split", "3", "0.0", "1.0",
    ];
    const SAFETENSORS_WORDS: &[&str] = &[
        "network.0.weight",
        "network.0.bias",
        "network.2.weight",
        "network.4.bias",
        "0.weight",
        "F32",
        "F64",
        "I64",
        "BF16",
        "dtype",
        "shape",
        "data_offsets",
        "__metadata__",
        "[0,0]",
        "[2,8]",
    ];
    const HISTORY_WORDS: &[&str] = &[
        "epoch",
        "loss",
        "train_accuracy",
        "test_accuracy",
        "test_loss",
        "w1_norm",
        "w2_norm",
        "w3_norm",
        ",w9_norm",
        "0.1",
    ];
    const CONFIG_WORDS: &[&str] = &[
        "\"config\"",
        "\"run_format\"",
        "1048576",
        "65536",
        "hidden = ",
        "lr_at = [{ epoch = 1, lr = 0.5 }]",
        "[lr_at]",
        "'''",
        "\"\"\"",
        "=",
        "\"hidden\"",
        "\"activation\"",
        "\"lr_at\"",
        "{\"epoch\":3,\"lr\":0.5}",
        "\"optimizer\"",
        "\"adamw\"",
        "\"betas\"",
        "\"batch_size\"",
        "\"test_size\"",
        "\"inputs\"",
        "\"relu,tanh\"",
        "\"leaky-relu\"",
        "\"epochs\"",
        "\"momentum\"",
        "\"nesterov\"",
        "\"threads\"",
        "\"dtype\"",
        "\"cuda\"",
    ];

    /// Debug builds are slow; a hang is seconds, not this.
    const SLOWEST: Duration = Duration::from_secs(5);

    fn check(report: Report, name: &str) {
        eprintln!("{name}: {report}");
        assert!(
            report.slowest.0 < SLOWEST,
            "{name}: an input took {:.2?}: b\"{}\"",
            report.slowest.0,
            report.slowest.1.escape_ascii()
        );
    }

    /// The seeds are inputs the readers take, so that mutations start from deep paths.
    #[test]
    fn every_seed_is_accepted() {
        type Reader = fn(&[u8]) -> Result<(), String>;
        let readers: [(&str, Reader); 4] = [
            ("csv", super::csv),
            ("safetensors", super::safetensors),
            ("history", super::history),
            ("config", super::config),
        ];
        for (name, reader) in readers {
            for (i, seed) in seeds(name).iter().enumerate() {
                assert_eq!(reader(seed), Ok(()), "{name} seed {i}");
            }
        }
    }

    // Found by fuzz_smoke_csv (issue 13): a class label past the row count made the run count
    // classes up to it — 9007199254740993 asked for 72 PB and aborted; 18446744073709551615
    // overflowed. The rows are a regression's now, and a classifier refuses them by line.
    #[test]
    fn a_class_label_past_the_row_count_is_refused_not_counted_up_to() {
        for huge in ["9007199254740993", "18446744073709551615"] {
            let text = format!("x0,label\n0.5,0\n0.1,{huge}\n0.2,1\n0.3,0\n0.4,1\n");
            let file = nnlab_data::csv_io::read_csv(text.as_bytes()).unwrap();
            let error = super::RunConfig::notebook()
                .prepare_file(file)
                .err()
                .unwrap();
            let error = error.to_string();
            assert!(
                error.contains(&format!("line 3: the label {huge}")),
                "{error}"
            );
            assert!(error.contains("--task regression"), "{error}");
        }
    }

    /// A config whose network would not fit is refused before its weights are allocated (as
    /// `run_training` refuses it): two layers of the widest width ask for 8 TiB.
    #[test]
    fn the_config_harness_refuses_what_would_not_fit() {
        let error = super::config(b"hidden = [1048576, 1048576]\n").unwrap_err();
        assert!(error.contains("--hidden"), "{error}");
        assert_eq!(super::config(b"hidden = [64, 64]\n"), Ok(()));
    }

    #[test]
    fn fuzz_smoke_csv() {
        let report = exercise("csv", &seeds("csv"), CSV_WORDS, 5000, 1, super::csv);
        check(report, "csv");
    }

    #[test]
    fn fuzz_smoke_safetensors() {
        let seeds = seeds("safetensors");
        let report = exercise(
            "safetensors",
            &seeds,
            SAFETENSORS_WORDS,
            3000,
            1,
            super::safetensors,
        );
        check(report, "safetensors");
    }

    #[test]
    fn fuzz_smoke_history() {
        let seeds = seeds("history");
        let report = exercise("history", &seeds, HISTORY_WORDS, 3000, 1, super::history);
        check(report, "history");
    }

    #[test]
    fn fuzz_smoke_config() {
        let report = exercise(
            "config",
            &seeds("config"),
            CONFIG_WORDS,
            5000,
            1,
            super::config,
        );
        check(report, "config");
    }

    /// The volume check without nightly: `cargo test --release -p nnlab-app --test fuzz_smoke --
    /// --ignored` (`NNLAB_FUZZ_RUNS` inputs per reader, 100,000 by default).
    #[test]
    #[ignore = "100,000 inputs per reader; run with --release -- --ignored"]
    fn fuzz_volume() {
        let runs = runs_from_env(100_000);
        let seed = 0x006e_6e6c_6162; // "nnlab"
        check(
            exercise("csv", &seeds("csv"), CSV_WORDS, runs, seed, super::csv),
            "csv",
        );
        check(
            exercise(
                "safetensors",
                &seeds("safetensors"),
                SAFETENSORS_WORDS,
                runs,
                seed,
                super::safetensors,
            ),
            "safetensors",
        );
        check(
            exercise(
                "history",
                &seeds("history"),
                HISTORY_WORDS,
                runs,
                seed,
                super::history,
            ),
            "history",
        );
        check(
            exercise(
                "config",
                &seeds("config"),
                CONFIG_WORDS,
                runs,
                seed,
                super::config,
            ),
            "config",
        );
    }
}
