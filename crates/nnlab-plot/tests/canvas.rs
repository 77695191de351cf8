//! `render` draws PNGs on its own canvas, not on plotters' `BitMapBackend`: circles from stamps
//! recorded once, letters from a cache, and scatter marks that later marks hide left out. None
//! of that may change a pixel. Here every kind of figure (and a test figure of circles and text
//! at the image's edges) is drawn both ways, and the pixels must be the same to the bit; and
//! drawn again on a canvas made ahead (`prepare_canvases`), white, the same again.

use std::ops::ControlFlow;

use ndarray::Array1;
use nnlab_core::{
    notebook_init, train, Activation, FastEngine, History, ManualEngine, ModelSpec, Task,
    TrainAccuracy, TrainConfig, TrainData,
};
use nnlab_data::{make_blobs, make_moons, train_test_split, Centers, StandardScaler, TestSize};
use std::sync::atomic::AtomicBool;

use nnlab_plot::{
    prepare_canvases, render, BoundaryFigure, BoundaryMode, DatasetFigure, Figure, Format,
    PlotError, TrainingFigure,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The figure's pixels as `render` draws them (decoded from its PNG).
fn rendered(figure: &impl Figure) -> Vec<u8> {
    let png = render(figure, Format::Png).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut rgb = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut rgb).unwrap();
    rgb.truncate(info.buffer_size());
    rgb
}

/// The figure's pixels as plotters' `BitMapBackend` draws them.
fn plotters_own(figure: &impl Figure) -> Vec<u8> {
    let (width, height) = figure.size();
    let mut rgb = vec![0; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        figure.draw(&root).unwrap();
        root.present().unwrap();
    }
    rgb
}

fn assert_same(what: &str, figure: &impl Figure) {
    // (render first: it registers the font plotters draws with)
    let (ours, theirs) = (rendered(figure), plotters_own(figure));
    // On a canvas made ahead, white (the figure leaves its white background out), the same.
    prepare_canvases(&[figure.size()], &AtomicBool::new(false));
    assert!(
        rendered(figure) == ours,
        "{what}: other pixels on a canvas made ahead"
    );
    assert_eq!(ours.len(), theirs.len(), "{what}: sizes");
    let differ = ours
        .chunks(3)
        .zip(theirs.chunks(3))
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        differ, 0,
        "{what}: {differ} pixels differ from BitMapBackend's"
    );
}

/// Moons split, scaled and trained for `epochs` with the fast engine (a few epochs: the figures
/// only need a boundary to draw).
fn moons(
    rows: usize,
    epochs: usize,
) -> (TrainData, Vec<usize>, Vec<usize>, FastEngine<f64>, History) {
    let data = make_moons(rows, Some(0.2), true, 7).unwrap();
    let split = train_test_split(rows, TestSize::Fraction(0.2), true, 7).unwrap();
    let (train_rows, test_rows) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    let data = TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap();
    let spec = ModelSpec::new(2, vec![8], Activation::Relu).unwrap();
    let mut engine =
        FastEngine::<f64>::new(spec.clone(), &notebook_init(&spec, 42), Some(1)).unwrap();
    let config = TrainConfig::new(0.5, epochs).unwrap();
    let outcome = train(
        &mut engine,
        &data,
        &config,
        TrainAccuracy::AfterUpdate,
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap();
    (
        data,
        train_rows.labels,
        test_rows.labels,
        engine,
        outcome.history,
    )
}

#[test]
fn the_binary_figures_are_plotters_own_pixels() {
    let (data, train_labels, test_labels, engine, history) = moons(1000, 30);
    assert_same(
        "dataset",
        &DatasetFigure::new(data.x_train(), &train_labels),
    );
    let settings = vec!["a summary line".to_string(), "0.123 and −4.5".into()];
    assert_same(
        "training",
        &TrainingFigure {
            history: &history,
            settings,
            diverged: None,
            lang: Default::default(),
        },
    );
    for mode in [BoundaryMode::Class, BoundaryMode::Probability] {
        let figure =
            BoundaryFigure::new(&engine, data.x_test(), &test_labels, mode, "boundary").unwrap();
        assert_same(&format!("boundary {mode:?}"), &figure);
    }
    let targets: Vec<f64> = data.x_train().column(0).iter().map(|x| x * 3.0).collect();
    assert_same(
        "dataset values",
        &DatasetFigure::values(data.x_train(), &targets),
    );
}

/// Thousands of overlapping marks: most are hidden and left out of the PNG, and the rest are
/// drawn on two threads, each into its half of the rows (the marks across the middle by both).
#[test]
fn crowded_scatters_are_plotters_own_pixels() {
    let (data, train_labels, test_labels, engine, _) = moons(60_000, 2);
    assert_same(
        "dense dataset",
        &DatasetFigure::new(data.x_train(), &train_labels),
    );
    let figure = BoundaryFigure::new(
        &engine,
        data.x_test(),
        &test_labels,
        BoundaryMode::Class,
        "boundary",
    )
    .unwrap();
    assert_same("boundary of 12,000 points", &figure);
}

#[test]
fn the_other_tasks_are_plotters_own_pixels() {
    let centers = Centers::Random {
        count: 3,
        n_features: 2,
    };
    let blobs = make_blobs(600, &centers, 1.5, (-10.0, 10.0), true, 3).unwrap();
    let (_, points) = StandardScaler::fit_transform(&blobs.features).unwrap();
    let task = Task::Multiclass { classes: 3 };
    let spec = ModelSpec::with_task(2, vec![16], vec![Activation::Relu], task).unwrap();
    let engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    for mode in [BoundaryMode::Class, BoundaryMode::Probability] {
        let figure = BoundaryFigure::new(&engine, &points, &blobs.labels, mode, "classes").unwrap();
        assert_same(&format!("multi-class {mode:?}"), &figure);
    }
    let spec = ModelSpec::with_task(2, vec![16], vec![Activation::Tanh], Task::Regression).unwrap();
    let engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let targets: Array1<f64> = points.column(0).mapv(|x| x.sin());
    let targets = targets.to_vec();
    let figure = BoundaryFigure::regression(&engine, &points, &targets, "map").unwrap();
    assert_same("regression", &figure);
}

/// Circles of every size and style the canvas stamps or hands back to plotters, alone and one
/// over another, near and across the image's edges, and text in every anchor and turn.
struct Edges;

impl Figure for Edges {
    fn size(&self) -> (u32, u32) {
        (120, 90)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&RGBColor(250, 240, 230))?;
        let centers = [
            (0, 0),
            (-3, 40),
            (2, 45),
            (60, -2),
            (60, 1),
            (118, 88),
            (121, 30),
            (60, 45),
            (61, 45),
            (30, 89),
            (-30, -30),
        ];
        let styles = [
            RED.filled(),
            BLUE.stroke_width(1),
            GREEN.mix(0.5).filled(),
            BLACK.mix(0.7).stroke_width(1),
            RGBColor(10, 200, 90).stroke_width(3),
        ];
        for (k, &(x, y)) in centers.iter().enumerate() {
            for radius in [0, 1, 2, 4, 5, 9, 40] {
                let style = styles[(k + radius as usize) % styles.len()];
                root.draw(&Circle::new((x, y), radius, style))?;
                // a mark: an outline right over a fill, at one centre
                root.draw(
                    &(EmptyElement::at((x + 7, y))
                        + Circle::new((0, 0), radius, RGBColor(200, 30, 60).filled())
                        + Circle::new((0, 0), radius, BLACK.stroke_width(1))),
                )?;
            }
        }
        let turns = [
            FontTransform::None,
            FontTransform::Rotate90,
            FontTransform::Rotate180,
            FontTransform::Rotate270,
        ];
        let anchors = [
            Pos::new(HPos::Left, VPos::Top),
            Pos::new(HPos::Center, VPos::Center),
            Pos::new(HPos::Right, VPos::Bottom),
        ];
        let colors = [BLACK.mix(1.0), BLUE.mix(0.6), RED.mix(1.0)];
        for (k, &(x, y)) in centers.iter().enumerate() {
            let font = ("sans-serif", 8 + 3 * (k % 4) as u32).into_font();
            let font = font.transform(turns[k % turns.len()].clone());
            let style = TextStyle::from(font)
                .pos(anchors[k % anchors.len()])
                .color(&colors[k % colors.len()]);
            root.draw(&Text::new("Ag 0.5 −1", (x, y), style))?;
        }
        // bold (which plotters draws in the regular font: left to plotters)
        let bold = TextStyle::from(("sans-serif", 14).into_font().style(FontStyle::Bold));
        root.draw(&Text::new("Run", (20, 20), bold))?;
        // several circles at one centre, one right after another
        for (radius, style) in [
            (6, RED.filled()),
            (6, BLACK.stroke_width(1)),
            (3, GREEN.filled()),
            (8, BLUE.stroke_width(1)),
            (8, BLUE.stroke_width(1)),
        ] {
            root.draw(&Circle::new((90, 20), radius, style))?;
        }
        Ok(())
    }
}

#[test]
fn circles_and_text_at_the_edges_are_plotters_own_pixels() {
    assert_same("edges", &Edges);
}

/// 1,500 marks (a fill and an outline each: 3,000 stamps, enough for two threads) on an image of
/// an odd number of rows, many of them on and around its middle row, some wholly outside it.
struct Crowd;

impl Figure for Crowd {
    fn size(&self) -> (u32, u32) {
        (301, 201)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let colors = [
            RGBColor(200, 30, 60),
            RGBColor(30, 90, 200),
            RGBColor(20, 160, 90),
        ];
        for k in 0..1_500i32 {
            // x sweeps the width and beyond it; y keeps near the middle row (100) for most marks
            let x = (k * 37) % 340 - 20;
            let y = match k % 4 {
                0 => (k * 53) % 240 - 20,
                _ => 100 + (k % 13) - 6,
            };
            let color = colors[k as usize % colors.len()];
            root.draw(
                &(EmptyElement::at((x, y))
                    + Circle::new((0, 0), 5, color.filled())
                    + Circle::new((0, 0), 5, BLACK.stroke_width(1))),
            )?;
        }
        Ok(())
    }
}

#[test]
fn stamps_drawn_on_two_threads_are_plotters_own_pixels() {
    assert_same("crowd", &Crowd);
}
