//! Issue 13: a run is refused before it allocates when its estimated memory is over the limit
//! (`check_memory`), and an `--init-from` file holding NaN or infinite weights is refused up front
//! (`initial_parameters`), each as bad input (exit 2) that names the number or the tensor.

use nnlab_app::engines::{
    check_memory, default_memory_limit, initial_parameters, memory_estimate, DEFAULT_MAX_MEMORY,
};
use nnlab_app::model_file::safetensors_bytes;
use nnlab_app::options::{DtypeArg, EngineKind, InitKind};
use nnlab_app::{AppError, RunConfig};
use nnlab_core::{notebook_init, ModelSpec};

fn settings(change: impl FnOnce(&mut RunConfig)) -> RunConfig {
    let mut settings = RunConfig::notebook();
    change(&mut settings);
    settings
}

/// The check as `nnlab train` makes it, with figures; the refusal's message.
fn refusal(mut settings: RunConfig, max_memory_gb: Option<f64>) -> Option<String> {
    let prepared = settings.prepare().unwrap();
    let spec = settings
        .model_spec(prepared.dataset.n_features(), prepared.train.task())
        .unwrap();
    match check_memory(&settings, &spec, &prepared, true, max_memory_gb) {
        Ok(_) => None,
        Err(AppError::Usage(message)) => Some(message),
        Err(other) => panic!("not a usage error: {other}"),
    }
}

#[test]
fn the_widest_layer_is_refused_with_the_estimate_and_the_flag() {
    // `--hidden 1048576` aborted on a failed allocation (exit 134)
    let message = refusal(settings(|s| s.hidden = vec![1 << 20]), None).unwrap();
    assert!(message.contains("this run would need about"), "{message}");
    assert!(
        message.contains(" GB of memory, more than its limit of"),
        "{message}"
    );
    assert!(message.contains("--max-memory GB"), "{message}");
    assert!(
        message.contains("a smaller --hidden (now 1048576)"),
        "{message}"
    );
    assert!(
        message.contains("the fast path holds blocks of 256 rows"),
        "{message}"
    );
}

#[test]
fn a_million_rows_times_a_hundred_thousand_units_is_refused_for_the_engines_that_hold_them() {
    // `--readable` or `--engine autograd` with `--hidden 100000 --samples 1000000` aborted on a
    // 320 GB allocation; each is refused, and told about the fast path
    for (engine, readable, dtype) in [
        (EngineKind::Manual, true, DtypeArg::F64),
        (EngineKind::Autograd, false, DtypeArg::F32),
    ] {
        let message = refusal(
            settings(|s| {
                s.hidden = vec![100_000];
                s.samples = Some(1_000_000);
                (s.engine, s.readable, s.dtype) = (engine, readable, dtype);
            }),
            None,
        )
        .unwrap();
        assert!(message.contains("800000 rows × 100003 values"), "{message}");
        // no batch size helps: both predict all their test rows at once (and the hand-written
        // engine its training rows); its fast path fits, in blocks of 256 rows
        assert!(!message.contains("--batch-size"), "{message}");
        assert!(
            message.contains("(--engine manual without --readable)"),
            "{message}"
        );
        assert!(message.contains("or fewer rows"), "{message}");
        assert!(message.contains("--max-memory GB"), "{message}");
    }
}

#[test]
fn moderate_runs_pass_and_the_limit_is_the_flags() {
    assert_eq!(refusal(RunConfig::notebook(), None), None);
    let bigger = settings(|s| {
        s.hidden = vec![256, 256];
        s.samples = Some(20_000);
        s.engine = EngineKind::Autograd;
    });
    assert_eq!(refusal(bigger.clone(), None), None);
    // the same run under a limit of 0.5 GB is refused, naming that limit and what would fit
    let message = refusal(bigger, Some(0.5)).unwrap();
    assert!(
        message.contains("about 0.8 GB of memory, more than its limit of 0.5 GB (--max-memory)"),
        "{message}"
    );
    assert!(
        message.contains("Try --batch-size 8000 (this engine"),
        "{message}"
    );
    // and a limit must be a number above 0
    let message = refusal(RunConfig::notebook(), Some(0.0)).unwrap();
    assert!(message.starts_with("--max-memory 0:"), "{message}");
    // the default: 8 GB, or 3/4 of the machine's memory where that is less
    let (limit, how) = default_memory_limit();
    assert!(limit > 0 && limit <= DEFAULT_MAX_MEMORY, "{limit} ({how})");
}

/// The estimate is the sum of measured parts: checked here against the sizes measured with
/// `/usr/bin/time -v` (maximum resident set size) for a few runs, within a factor of 2.
#[test]
fn the_estimate_is_within_twice_the_measured_peak() {
    // (settings, train rows, test rows, figures, measured peak in bytes)
    let cases = [
        (
            settings(|s| {
                s.hidden = vec![2000];
                s.readable = true;
            }),
            16_000,
            4_000,
            false,
            1_258_756e3,
        ),
        (
            settings(|s| {
                s.hidden = vec![2000];
                (s.engine, s.dtype) = (EngineKind::Autograd, DtypeArg::F32);
            }),
            16_000,
            4_000,
            false,
            1_417_440e3,
        ),
        (
            settings(|s| {
                s.hidden = vec![5000];
                s.readable = true;
            }),
            800,
            200,
            true,
            1_932_872e3,
        ),
        (
            settings(|s| {
                s.hidden = vec![100_000];
                s.threads = Some(1);
            }),
            800,
            200,
            false,
            621_688e3,
        ),
    ];
    for (settings, train, test, figures, measured) in cases {
        let spec = settings.model_spec(2, nnlab_core::Task::Binary).unwrap();
        let estimate = memory_estimate(&settings, &spec, train, test, figures).total();
        let ratio = estimate / measured;
        assert!(
            (0.5..=2.0).contains(&ratio),
            "{:?}: estimate {estimate} vs {measured}",
            settings.hidden
        );
    }
}

#[test]
fn an_init_from_file_with_nan_weights_is_refused_naming_the_file_and_tensor() {
    let dir = tempfile::tempdir().unwrap();
    let spec = ModelSpec::default();
    let mut parameters = notebook_init(&spec, 42).parameters();
    let bias = parameters
        .iter_mut()
        .find(|p| p.name == "network.2.weight")
        .unwrap();
    bias.values[3] = f64::NAN;
    bias.values[5] = f64::INFINITY;
    let path = dir.path().join("nan.safetensors");
    std::fs::write(&path, safetensors_bytes(&parameters, false).unwrap()).unwrap();
    let settings = settings(|s| {
        s.init = InitKind::File;
        s.init_from = Some(path.clone());
    });
    let Err(AppError::Usage(message)) = initial_parameters(&settings, &spec) else {
        panic!("a file with NaN weights must be refused as bad input");
    };
    assert!(
        message.starts_with(&format!(
            "--init-from {}: tensor network.2.weight holds NaN at [0, 3] (2 of its 8 values",
            path.display()
        )),
        "{message}"
    );
    assert!(message.contains("--init notebook"), "{message}");
}
