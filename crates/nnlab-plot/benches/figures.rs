//! How long the three figures of a default run take to render (`cargo bench -p nnlab-plot`).
//! Goal (issue 4): all three PNGs together under 200 ms in release.

use std::ops::ControlFlow;

use nnlab_core::{
    notebook_init, train, Activation, ManualEngine, ModelSpec, Task, TrainAccuracy, TrainConfig,
    TrainData,
};
use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};
use nnlab_plot::{render, BoundaryFigure, BoundaryMode, DatasetFigure, Format, TrainingFigure};

fn main() {
    divan::main();
}

/// The notebook's default run: data, split, scaling and 20 epochs of the 2-8-1 net.
struct Run {
    data: TrainData,
    train_labels: Vec<usize>,
    test_labels: Vec<usize>,
    engine: ManualEngine,
    history: nnlab_core::History,
}

fn default_run() -> Run {
    let data = make_moons(1000, Some(0.125), true, 42).unwrap();
    let split = train_test_split(1000, TestSize::Fraction(0.2), true, 42).unwrap();
    let (train_rows, test_rows) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    let data = TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap();
    let spec = ModelSpec::default();
    let mut engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let outcome = train(
        &mut engine,
        &data,
        &TrainConfig::default(),
        TrainAccuracy::AfterUpdate,
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap();
    Run {
        data,
        train_labels: train_rows.labels,
        test_labels: test_rows.labels,
        engine,
        history: outcome.history,
    }
}

#[divan::bench]
fn all_three_png(bencher: divan::Bencher) {
    let run = default_run();
    bencher.bench_local(|| {
        let dataset = render(
            &DatasetFigure::new(run.data.x_train(), &run.train_labels),
            Format::Png,
        )
        .unwrap();
        let training = TrainingFigure {
            history: &run.history,
            settings: vec!["2-8-1".into()],
            diverged: None,
            lang: Default::default(),
        };
        let curves = render(&training, Format::Png).unwrap();
        let boundary = BoundaryFigure::new(
            &run.engine,
            run.data.x_test(),
            &run.test_labels,
            BoundaryMode::Class,
            "boundary",
        )
        .unwrap();
        let plane = render(&boundary, Format::Png).unwrap();
        (dataset, curves, plane)
    });
}

#[divan::bench(args = ["dataset", "training", "boundary"])]
fn one_png(bencher: divan::Bencher, figure: &str) {
    let run = default_run();
    bencher.bench_local(|| match figure {
        "dataset" => render(
            &DatasetFigure::new(run.data.x_train(), &run.train_labels),
            Format::Png,
        )
        .unwrap(),
        "training" => render(
            &TrainingFigure {
                history: &run.history,
                settings: vec![],
                diverged: None,
                lang: Default::default(),
            },
            Format::Png,
        )
        .unwrap(),
        _ => {
            let boundary = BoundaryFigure::new(
                &run.engine,
                run.data.x_test(),
                &run.test_labels,
                BoundaryMode::Class,
                "b",
            )
            .unwrap();
            render(&boundary, Format::Png).unwrap()
        }
    });
}

/// The boundary figure of the other tasks, PNG, on the default run's test points: a 2-16-3
/// multi-class net in both views, and a 2-16-1 regression's map (untrained nets: the figure's work
/// does not depend on the weights).
#[divan::bench(args = ["multiclass-class", "multiclass-probability", "regression"])]
fn other_tasks_png(bencher: divan::Bencher, figure: &str) {
    let run = default_run();
    let points = run.data.x_test();
    let task = match figure {
        "regression" => Task::Regression,
        _ => Task::Multiclass { classes: 3 },
    };
    let spec = ModelSpec::with_task(2, vec![16], vec![Activation::Relu], task).unwrap();
    let engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let labels: Vec<usize> = (0..points.nrows()).map(|i| i % 3).collect();
    let targets: Vec<f64> = points.column(0).to_vec();
    bencher.bench_local(|| {
        let boundary = match figure {
            "regression" => BoundaryFigure::regression(&engine, points, &targets, "map"),
            "multiclass-class" => {
                BoundaryFigure::new(&engine, points, &labels, BoundaryMode::Class, "b")
            }
            _ => BoundaryFigure::new(&engine, points, &labels, BoundaryMode::Probability, "b"),
        }
        .unwrap();
        render(&boundary, Format::Png).unwrap()
    });
}

/// The training curves of `nnlab train`'s default run, 1,000 epochs (issue 14's 1,000-row
/// command): four lines of 1,000 points each, of width 2.
#[divan::bench]
fn training_png_1000_epochs(bencher: divan::Bencher) {
    let run = default_run();
    let spec = ModelSpec::default();
    let mut engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let config = TrainConfig::new(0.1, 1000).unwrap();
    let history = train(
        &mut engine,
        &run.data,
        &config,
        TrainAccuracy::AfterUpdate,
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap()
    .history;
    let figure = TrainingFigure {
        history: &history,
        settings: vec!["2-8-1, relu".into()],
        diverged: None,
        lang: Default::default(),
    };
    bencher.bench_local(|| render(&figure, Format::Png).unwrap());
}
