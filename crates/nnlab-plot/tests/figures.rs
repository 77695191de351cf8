//! Tests that look at the figures: they decode, have the notebook's sizes, and show what they should
//! where they should.

use std::ops::ControlFlow;

use ndarray::Array2;
use nnlab_core::{
    notebook_init, train, Engine, EpochRecord, History, ManualEngine, ModelSpec, TrainAccuracy,
    TrainConfig, TrainData,
};
use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};
use nnlab_plot::{
    class_color, render, BoundaryFigure, BoundaryMode, DatasetFigure, Format, TrainingFigure,
};

/// An RGB image decoded from PNG bytes.
struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Image {
    fn decode(bytes: &[u8]) -> Image {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a valid PNG");
        let mut rgb = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut rgb).expect("one frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        rgb.truncate(info.buffer_size());
        Image {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    fn pixel(&self, x: i32, y: i32) -> (u8, u8, u8) {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// How many pixels in the rectangle are not white.
    fn ink(&self, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| self.pixel(x as i32, y as i32) != (255, 255, 255))
            .count()
    }
}

/// The notebook's data and a model trained the notebook's way for 300 epochs.
fn trained_moons() -> (TrainData, Vec<usize>, Vec<usize>, ManualEngine, History) {
    let data = make_moons(1000, Some(0.125), true, 42).unwrap();
    let split = train_test_split(1000, TestSize::Fraction(0.2), true, 42).unwrap();
    let (train_rows, test_rows) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    let train_data =
        TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap();
    let spec = ModelSpec::default();
    let mut engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let config = TrainConfig::new(0.5, 300).unwrap();
    let outcome = train(
        &mut engine,
        &train_data,
        &config,
        TrainAccuracy::AfterUpdate,
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap();
    (
        train_data,
        train_rows.labels,
        test_rows.labels,
        engine,
        outcome.history,
    )
}

#[test]
fn dataset_figure_is_a_640_by_480_png_with_red_and_blue_points() {
    let (data, train_labels, ..) = trained_moons();
    let image = Image::decode(
        &render(
            &DatasetFigure::new(data.x_train(), &train_labels),
            Format::Png,
        )
        .unwrap(),
    );
    assert_eq!((image.width, image.height), (640, 480));
    let count = |color| image.rgb.chunks(3).filter(|p| p == &color).count();
    // Each class's points are filled with matplotlib's 'red' and 'blue': hundreds of pixels each.
    assert!(count([255u8, 0, 0]) > 2000, "red points");
    assert!(count([0u8, 0, 255]) > 2000, "blue points");
}

#[test]
fn training_figure_has_curves_in_every_panel() {
    let (.., history) = trained_moons();
    let figure = TrainingFigure {
        history: &history,
        settings: vec!["network 2-8-1 (relu)".into()],
    };
    let image = Image::decode(&render(&figure, Format::Png).unwrap());
    assert_eq!((image.width, image.height), (1500, 1000));
    // The four panels are the quadrants (inside a 20 px margin); look well inside each.
    for (x0, y0) in [(0, 0), (750, 0), (0, 500), (750, 500)] {
        let ink = image.ink(x0 + 120, y0 + 80, x0 + 700, y0 + 420);
        assert!(
            ink > 3000,
            "panel at ({x0}, {y0}) has only {ink} drawn pixels"
        );
    }
    // The loss curve is matplotlib's blue, the accuracies green and red, ||W1|| purple.
    for color in [
        [0u8, 0, 255],
        [0, 128, 0],
        [255, 0, 0],
        [128, 0, 128],
        [255, 165, 0],
    ] {
        assert!(
            image.rgb.chunks(3).filter(|p| p == &color).count() > 200,
            "{color:?} curve"
        );
    }
}

#[test]
fn class_regions_have_their_colours_deep_inside() {
    let (data, _, test_labels, engine, _) = trained_moons();
    let figure = BoundaryFigure::new(
        &engine,
        data.x_test(),
        &test_labels,
        BoundaryMode::Class,
        "boundary",
    )
    .unwrap();
    let image = Image::decode(&render(&figure, Format::Png).unwrap());
    assert_eq!((image.width, image.height), (1000, 800));
    // Probe points far from the boundary and from every drawn test point: the model itself says
    // which class they are, with probability below 0.02 or above 0.98.
    let grid = figure.grid();
    let candidates: Vec<(f64, f64)> = grid
        .xs
        .iter()
        .step_by(10)
        .flat_map(|&x| {
            grid.ys
                .iter()
                .step_by(10)
                .map(move |&y| (x + 0.01, y + 0.01))
        })
        .filter(|&(x, y)| {
            data.x_test()
                .rows()
                .into_iter()
                .all(|p| (p[0] - x).hypot(p[1] - y) > 0.25)
        })
        .collect();
    let probe = Array2::from_shape_fn((candidates.len(), 2), |(i, j)| {
        if j == 0 {
            candidates[i].0
        } else {
            candidates[i].1
        }
    });
    let p = engine.probabilities(&probe).unwrap();
    let mut checked = [0, 0];
    for (&(x, y), &p) in candidates.iter().zip(&p) {
        let class = match p {
            p if p < 0.02 => 0,
            p if p > 0.98 => 1,
            _ => continue,
        };
        let (px, py) = figure.pixel_of(x, y);
        let want = class_color(class);
        assert_eq!(
            image.pixel(px, py),
            (want.0, want.1, want.2),
            "class {class} at ({x:.2}, {y:.2}), p = {p:.3}"
        );
        checked[class] += 1;
    }
    assert!(
        checked[0] > 20 && checked[1] > 20,
        "probed {checked:?} points per class"
    );
}

#[test]
fn probability_view_draws_the_half_contour_in_black() {
    let (data, _, test_labels, engine, _) = trained_moons();
    let figure = BoundaryFigure::new(
        &engine,
        data.x_test(),
        &test_labels,
        BoundaryMode::Probability,
        "p",
    )
    .unwrap();
    let image = Image::decode(&render(&figure, Format::Png).unwrap());
    // The plane is mostly coloured bands, and the contour adds dark pixels beyond the points' edges.
    let (x0, y0) = figure.pixel_of(figure.grid().xs[0], *figure.grid().ys.last().unwrap());
    let (x1, y1) = figure.pixel_of(*figure.grid().xs.last().unwrap(), figure.grid().ys[0]);
    let black = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| image.pixel(x, y) == (0, 0, 0))
        .count();
    assert!(black > 1500, "only {black} black pixels: no contour?");
}

/// Whether the SVG has a text element saying exactly `text` (plotters writes `>\ntext\n<`).
fn has_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n<")) || svg.contains(&format!(">{text}<"))
}

#[test]
fn svg_figures_carry_their_text() {
    let (data, train_labels, test_labels, engine, history) = trained_moons();
    let svg = String::from_utf8(
        render(
            &DatasetFigure::new(data.x_train(), &train_labels),
            Format::Svg,
        )
        .unwrap(),
    )
    .unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("width=\"640\"") && has_text(&svg, "Dataset"));
    let figure = TrainingFigure {
        history: &history,
        settings: vec![],
    };
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    for text in [
        "Loss", "Accuracy", "Weights", "Epoch", "Train", "Test", "||W1||",
    ] {
        assert!(has_text(&svg, text), "training.svg lacks {text}");
    }
    let boundary = BoundaryFigure::new(
        &engine,
        data.x_test(),
        &test_labels,
        BoundaryMode::Class,
        "Decision boundary",
    )
    .unwrap();
    let svg = String::from_utf8(render(&boundary, Format::Svg).unwrap()).unwrap();
    assert!(has_text(&svg, "Decision boundary") && has_text(&svg, "1.0"));
}

#[test]
fn rendering_is_deterministic_and_refuses_an_empty_history() {
    let (.., history) = trained_moons();
    let figure = TrainingFigure {
        history: &history,
        settings: vec![],
    };
    assert_eq!(
        render(&figure, Format::Png).unwrap(),
        render(&figure, Format::Png).unwrap()
    );
    let empty = History::default();
    assert!(render(
        &TrainingFigure {
            history: &empty,
            settings: vec![]
        },
        Format::Png
    )
    .is_err());
    let one = History {
        records: vec![EpochRecord {
            epoch: 0,
            loss: 0.7,
            train_accuracy: Some(0.5),
            test_accuracy: Some(0.5),
            test_loss: None,
            weight_norms: vec![1.0, 2.0],
        }],
    };
    assert!(
        render(
            &TrainingFigure {
                history: &one,
                settings: vec![]
            },
            Format::Png
        )
        .is_ok(),
        "one epoch still draws"
    );
}

#[test]
fn the_grid_is_the_notebooks_arange() {
    // x in [-1, 1], y in [0, 0.5]: numpy 2.4.6 gives len(np.arange(-1.5, 1.5, 0.02)) = 150 and
    // len(np.arange(-0.5, 1.0, 0.02)) = 75.
    let points = Array2::from_shape_vec((2, 2), vec![-1.0, 0.0, 1.0, 0.5]).unwrap();
    let grid = nnlab_plot::Grid::around(&points);
    assert_eq!(grid.xs.len(), 150);
    assert_eq!(grid.ys.len(), 75);
    assert_eq!(grid.xs[1], -1.5 + 0.02);
}
