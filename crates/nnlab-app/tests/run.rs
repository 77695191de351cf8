//! A run through the library, as the playground's server will drive it: a `RunConfig` from JSON,
//! an observer that sees each epoch and the engine and stops the run, and the run folder it keeps.

use std::ops::ControlFlow;

use nnlab_app::{check_stop, run_training, AppError, Output, RunConfig};
use nnlab_core::Stop;

fn config(json: &str) -> RunConfig {
    serde_json::from_str(json).unwrap()
}

const MOONS: &str = r#"{"dataset": "moons", "samples": 200, "noise": 0.1, "test_size": 0.2,
    "seed": 42, "split_seed": 42, "init_seed": 42, "hidden": [8], "activation": "relu",
    "lr": 0.1, "epochs": 10, "engine": "manual", "init": "notebook", "dtype": "f64",
    "device": "cpu", "optimizer": "adam", "batch_size": 16}"#;

#[test]
fn an_observer_sees_the_engine_and_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = config(MOONS);
    let prepared = settings.prepare().unwrap();
    let output = Output {
        figures: None,
        dataset_figure: false,
        command: "test",
    };
    let mut seen = Vec::new();
    let finished = run_training(
        &settings,
        &prepared,
        dir.path(),
        &output,
        |record, engine| {
            // what a live page asks for each epoch: the model's map over some points
            let p = engine.probabilities(prepared.train.x_test()).unwrap();
            seen.push((record.epoch, p.len()));
            if record.epoch == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    )
    .unwrap();
    assert_eq!(seen, vec![(0, 40), (1, 40), (2, 40)]);
    assert_eq!(finished.history.records.len(), 3);
    assert_eq!(finished.stop, Some(Stop::Interrupted { epochs_done: 3 }));
    for file in ["history.csv", "model.safetensors", "run.json"] {
        assert!(dir.path().join(file).is_file(), "{file}");
    }
    assert!(matches!(
        check_stop(&finished, dir.path(), settings.lr),
        Err(AppError::Interrupted(_))
    ));
    // The run records the resolved task and the optimizer's filled-in defaults.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(json["config"]["task"], "binary");
    assert_eq!(json["result"]["epochs_run"], 3);
}

#[test]
fn bad_settings_are_usage_errors() {
    let mut settings = config(MOONS);
    settings.batch_size = Some(0);
    assert!(
        matches!(settings.train_config(), Err(AppError::Usage(m)) if m.contains("--batch-size"))
    );
    let mut settings = config(MOONS);
    settings.activation = "relu,tanh".into();
    let prepared = settings.prepare().unwrap();
    let spec = settings.model_spec(2, prepared.train.task());
    assert!(matches!(spec, Err(AppError::Usage(m)) if m.contains("--activation")));
}

/// A figure that cannot be written (here `boundary.png` is a folder already) fails the run, but
/// the figures the other thread wrote beside it stay, and run.json names them with the rest: the
/// folder says what it holds.
#[test]
fn a_figure_that_fails_leaves_the_others_named_in_run_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("boundary.png")).unwrap();
    let mut settings = config(MOONS);
    let prepared = settings.prepare().unwrap();
    let output = Output {
        figures: Some(nnlab_app::FigureOptions {
            svg: false,
            boundary: nnlab_app::BoundaryView::Class,
            lang: nnlab_app::FigureLang::En,
        }),
        dataset_figure: true,
        command: "test",
    };
    let error = run_training(&settings, &prepared, dir.path(), &output, |_, _| {
        ControlFlow::Continue(())
    })
    .err()
    .expect("boundary.png cannot be written");
    assert!(error.to_string().contains("boundary.png"), "{error}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    let files: Vec<&str> = json["result"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for file in [
        "history.csv",
        "model.safetensors",
        "dataset.png",
        "training.png",
    ] {
        assert!(dir.path().join(file).is_file(), "{file}");
        assert!(files.contains(&file), "{file} not in {files:?}");
    }
    assert!(!files.contains(&"boundary.png"), "{files:?}");
}

/// The figures' axes name what the network sees: x0 and x1, or the first two input features.
#[test]
fn the_axes_are_the_networks_first_two_inputs() {
    let mut plain = config(MOONS);
    assert_eq!(plain.prepare().unwrap().axes(), ["x0", "x1"]);
    let mut crossed = config(MOONS);
    crossed.inputs = Some(vec!["x0*x1".into(), "sin(x0)".into(), "x1".into()]);
    let prepared = crossed.prepare().unwrap();
    assert_eq!(prepared.axes(), ["x0*x1", "sin(x0)"]);
    assert_eq!(prepared.dataset.n_features(), 3);
}

/// With input features of the data's two columns (`--inputs`), the boundary is drawn over those
/// columns: a point of that plane is unscaled, turned into the features and scaled as the
/// network's inputs were. At the test rows' own places in the plane, that gives back the rows
/// the network was tested on, so its predictions there are its test predictions (to rounding:
/// the columns are scaled and unscaled on the way).
#[test]
fn the_column_plane_gives_the_networks_own_inputs_back() {
    let mut settings = config(MOONS);
    settings.inputs = Some(vec!["x0*x1".into(), "sin(x0)".into(), "x1".into()]);
    let prepared = settings.prepare().unwrap();
    let plane = prepared.column_plane().expect("2 columns behind 3 inputs");
    assert_eq!(plane.test().dim(), (40, 2));
    let inputs = plane.inputs(plane.test(), &prepared.scaler).unwrap();
    let x_test = prepared.train.x_test();
    assert_eq!(inputs.dim(), x_test.dim());
    let worst = (&inputs - x_test)
        .iter()
        .fold(0.0f64, |m, d| m.max(d.abs()));
    assert!(worst < 1e-12, "{worst}");
    // Without input features there is no such plane: the figures use the network's inputs.
    let mut plain = config(MOONS);
    assert!(plain.prepare().unwrap().column_plane().is_none());
    // Three columns behind three inputs: no plane either.
    let mut blobs = config(MOONS);
    blobs.dataset = Some(nnlab_app::Generator::Blobs);
    blobs.features = Some(3);
    blobs.noise = None;
    blobs.inputs = Some(vec!["x0".into(), "x1".into(), "x2".into()]);
    let prepared = blobs.prepare().unwrap();
    assert!(prepared.column_plane().is_none() && !prepared.has_plane());
}
