//! Tests that look at the figures: they decode, have the notebook's sizes, and show what they should
//! where they should.

use std::ops::ControlFlow;

use ndarray::{Array1, Array2};
use nnlab_core::softmax::softmax;
use nnlab_core::{
    notebook_init, train, Activation, Engine, EpochRecord, History, ManualEngine, ModelSpec,
    OptimizerConfig, Parameter, RuleKind, RuleSettings, Task, TrainAccuracy, TrainConfig,
    TrainData,
};
use nnlab_data::{make_blobs, make_moons, train_test_split, Centers, StandardScaler, TestSize};
use nnlab_plot::{
    class_color, point_color, region_color, render, BoundaryFigure, BoundaryMode, DatasetFigure,
    Format, Lang, PlotError, SweepColumn, SweepFigure, TrainingFigure, ValueScale,
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

    /// The pixel of `figure` at (x, 0.5).
    fn pixel_rgb(&self, figure: &BoundaryFigure, x: f64) -> (u8, u8, u8) {
        let (px, py) = figure.pixel_of(x, 0.5);
        self.pixel(px, py)
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
        diverged: None,
        lang: Default::default(),
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
        diverged: None,
        lang: Default::default(),
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
    assert!(has_text(&svg, "x0 (scaled)") && has_text(&svg, "x1 (scaled)"));
}

/// With input features (`--inputs x0*x1,sin(x0)`) the plotted columns are those features, and
/// the axes say so instead of "x0" and "x1".
#[test]
fn the_axes_carry_the_input_features_names() {
    let (data, train_labels, test_labels, engine, _) = trained_moons();
    let axes = || ["x0*x1".to_string(), "sin(x0)".to_string()];
    let dataset = DatasetFigure::new(data.x_train(), &train_labels).with_axes(axes());
    let boundary = BoundaryFigure::new(
        &engine,
        data.x_test(),
        &test_labels,
        BoundaryMode::Class,
        "Decision boundary",
    )
    .unwrap()
    .with_axes(axes());
    for svg in [
        render(&dataset, Format::Svg).unwrap(),
        render(&boundary, Format::Svg).unwrap(),
    ] {
        let svg = String::from_utf8(svg).unwrap();
        assert!(has_text(&svg, "x0*x1 (scaled)"), "{svg}");
        assert!(has_text(&svg, "sin(x0) (scaled)"));
        assert!(!has_text(&svg, "x0 (scaled)") && !has_text(&svg, "x1 (scaled)"));
    }
}

#[test]
fn rendering_is_deterministic_and_refuses_an_empty_history() {
    let (.., history) = trained_moons();
    let figure = TrainingFigure {
        history: &history,
        settings: vec![],
        diverged: None,
        lang: Default::default(),
    };
    assert_eq!(
        render(&figure, Format::Png).unwrap(),
        render(&figure, Format::Png).unwrap()
    );
    let empty = History::default();
    assert!(render(
        &TrainingFigure {
            history: &empty,
            settings: vec![],
            diverged: None,
            lang: Default::default(),
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
                settings: vec![],
                diverged: None,
                lang: Default::default(),
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

/// Three blobs, scaled and split, and a 2-16-3 net trained on them with Adam: (test features, test
/// labels, engine).
fn trained_blobs() -> (Array2<f64>, Vec<usize>, ManualEngine) {
    let centers = Centers::Random {
        count: 3,
        n_features: 2,
    };
    let data = make_blobs(600, &centers, 1.5, (-10.0, 10.0), true, 3).unwrap();
    let split = train_test_split(600, TestSize::Fraction(0.2), true, 42).unwrap();
    let (train_rows, test_rows) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    let task = Task::Multiclass { classes: 3 };
    let floats = |labels: &[usize]| labels.iter().map(|&l| l as f64).collect::<Array1<f64>>();
    let train_data = TrainData::with_task(
        x_train,
        floats(&train_rows.labels),
        x_test.clone(),
        floats(&test_rows.labels),
        task,
    )
    .unwrap();
    let spec = ModelSpec::with_task(2, vec![16], vec![Activation::Relu], task).unwrap();
    let mut engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let adam = OptimizerConfig::new(
        RuleSettings {
            kind: RuleKind::Adam,
            ..RuleSettings::default()
        },
        0.0,
        0.0,
    )
    .unwrap();
    let config = TrainConfig::new(0.02, 100).unwrap().with_optimizer(adam);
    let outcome = train(
        &mut engine,
        &train_data,
        &config,
        TrainAccuracy::AfterUpdate,
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap();
    let accuracy = outcome.history.records.last().unwrap().test_accuracy;
    assert!(accuracy > Some(0.95), "the blobs are learnt: {accuracy:?}");
    (x_test, test_rows.labels, engine)
}

/// Grid points of `figure` every `every` cells, farther than 0.25 from every test point, with the
/// model's winning class and its softmax probability there.
fn probes(
    figure: &BoundaryFigure,
    points: &Array2<f64>,
    engine: &dyn Engine,
    every: usize,
) -> Vec<((f64, f64), usize, f64)> {
    let grid = figure.grid();
    let candidates: Vec<(f64, f64)> = grid
        .xs
        .iter()
        .step_by(every)
        .flat_map(|&x| {
            grid.ys
                .iter()
                .step_by(every)
                .map(move |&y| (x + 0.01, y + 0.01))
        })
        .filter(|&(x, y)| {
            points
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
    let p = softmax(engine.outputs(&probe).unwrap().view());
    candidates
        .into_iter()
        .zip(p.rows())
        .map(|(at, row)| {
            let class = nnlab_core::task::argmax(row);
            (at, class, row[class])
        })
        .collect()
}

/// Whether any pixel within `reach` of (x, y) is dark (a drawn line or a point's edge).
fn dark_near(image: &Image, (x, y): (i32, i32), reach: i32) -> bool {
    (-reach..=reach).any(|dy| {
        (-reach..=reach).any(|dx| {
            let (r, g, b) = image.pixel(x + dx, y + dy);
            u32::from(r) + u32::from(g) + u32::from(b) < 300
        })
    })
}

#[test]
fn multiclass_regions_have_their_class_colours_deep_inside() {
    let (x_test, labels, engine) = trained_blobs();
    for mode in [BoundaryMode::Class, BoundaryMode::Probability] {
        let figure = BoundaryFigure::new(&engine, &x_test, &labels, mode, "three blobs").unwrap();
        assert_eq!(figure.task(), Task::Multiclass { classes: 3 });
        let image = Image::decode(&render(&figure, Format::Png).unwrap());
        assert_eq!((image.width, image.height), (1000, 800));
        // Where the model is sure (p > 0.98), both views show the class's region colour.
        let mut checked = [0; 3];
        for ((x, y), class, p) in probes(&figure, &x_test, &engine, 10) {
            if p <= 0.98 {
                continue;
            }
            let (px, py) = figure.pixel_of(x, y);
            let want = region_color(class);
            assert_eq!(figure.class_region_color(class), Some(want));
            assert_eq!(
                image.pixel(px, py),
                (want.0, want.1, want.2),
                "{mode:?}: class {class} at ({x:.2}, {y:.2}), p = {p:.3}"
            );
            checked[class] += 1;
        }
        assert!(
            checked.iter().all(|&n| n > 10),
            "{mode:?}: probed {checked:?} points per class"
        );
        // The test points are drawn in their true class's full colour.
        // (the last one, drawn over any other)
        let last = x_test.nrows() - 1;
        let (px, py) = figure.pixel_of(x_test[[last, 0]], x_test[[last, 1]]);
        let want = point_color(labels[last]);
        assert_eq!(image.pixel(px, py), (want.0, want.1, want.2), "{mode:?}");
    }
}

#[test]
fn multiclass_probability_view_is_pale_where_the_net_is_unsure() {
    let (x_test, labels, engine) = trained_blobs();
    let figure =
        BoundaryFigure::new(&engine, &x_test, &labels, BoundaryMode::Probability, "p").unwrap();
    let image = Image::decode(&render(&figure, Format::Png).unwrap());
    // Below p = 0.6 of 3 classes, the colour is at most 0.4 of the way from white to the region
    // colour: every channel lighter than the region's, and far lighter than the class colour.
    let mut unsure = 0;
    for ((x, y), class, p) in probes(&figure, &x_test, &engine, 2) {
        let pixel = figure.pixel_of(x, y);
        if p >= 0.6 || dark_near(&image, pixel, 3) {
            continue;
        }
        let (r, g, b) = image.pixel(pixel.0, pixel.1);
        let full = region_color(class);
        assert!(
            r >= full.0 && g >= full.1 && b >= full.2 && (r, g, b) != (full.0, full.1, full.2),
            "class {class} at ({x:.2}, {y:.2}), p = {p:.3}: {:?} is not paler than {full:?}",
            (r, g, b)
        );
        unsure += 1;
    }
    assert!(unsure > 20, "only {unsure} unsure cells probed");
    // The lines where the predicted class changes are drawn in black.
    let (x0, y0) = figure.pixel_of(figure.grid().xs[0], *figure.grid().ys.last().unwrap());
    let (x1, y1) = figure.pixel_of(*figure.grid().xs.last().unwrap(), figure.grid().ys[0]);
    let black = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| image.pixel(x, y) == (0, 0, 0))
        .count();
    assert!(black > 1500, "only {black} black pixels: no class edges?");
}

#[test]
fn multiclass_svg_has_a_legend_of_the_classes() {
    let (x_test, labels, engine) = trained_blobs();
    for (mode, extra) in [
        (BoundaryMode::Class, None),
        (BoundaryMode::Probability, Some("p(winner)")),
    ] {
        let figure = BoundaryFigure::new(&engine, &x_test, &labels, mode, "Blobs").unwrap();
        let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("width=\"1000\""));
        for text in ["Blobs", "class 0", "class 1", "class 2"]
            .into_iter()
            .chain(extra)
        {
            assert!(has_text(&svg, text), "{mode:?}: the SVG lacks {text}");
        }
        assert_eq!(
            has_text(&svg, "0.33"),
            mode == BoundaryMode::Probability,
            "the strength scale starts at 1/K"
        );
        assert_eq!(
            render(&figure, Format::Png).unwrap(),
            render(&figure, Format::Png).unwrap()
        );
    }
}

/// A 2-h-1 ReLU net with the given parameters (layer 0's weight and bias, layer 1's).
fn hand_set(task: Task, w1: &[[f64; 2]], b1: &[f64], w2: &[f64], b2: f64) -> ManualEngine {
    let hidden = w1.len();
    let spec = ModelSpec::with_task(2, vec![hidden], vec![Activation::Relu], task).unwrap();
    let mut engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 0)).unwrap();
    let parameter = |name: &str, shape: Vec<usize>, values: Vec<f64>| Parameter {
        name: name.into(),
        shape,
        values,
    };
    engine
        .set_parameters(&[
            parameter("network.0.weight", vec![hidden, 2], w1.concat()),
            parameter("network.0.bias", vec![hidden], b1.to_vec()),
            parameter("network.2.weight", vec![1, hidden], w2.to_vec()),
            parameter("network.2.bias", vec![1], vec![b2]),
        ])
        .unwrap();
    engine
}

/// ŷ = relu(x0) − relu(−x0) = x0, and test points on a 5×5 lattice over [−2, 2]² with y = x0.
fn identity_regression() -> (ManualEngine, Array2<f64>, Vec<f64>) {
    let engine = hand_set(
        Task::Regression,
        &[[1.0, 0.0], [-1.0, 0.0]],
        &[0.0, 0.0],
        &[1.0, -1.0],
        0.0,
    );
    let points = Array2::from_shape_fn((25, 2), |(i, j)| {
        let k = if j == 0 { i % 5 } else { i / 5 };
        k as f64 - 2.0
    });
    let targets = points.column(0).to_vec();
    (engine, points, targets)
}

#[test]
fn regression_map_grows_from_blue_on_the_left_to_red_on_the_right() {
    let (engine, points, targets) = identity_regression();
    let figure = BoundaryFigure::regression(&engine, &points, &targets, "y = x0").unwrap();
    assert_eq!(figure.task(), Task::Regression);
    assert_eq!(figure.class_region_color(0), None);
    let scale = figure.value_scale().unwrap();
    assert_eq!(scale.range(), (-2.0, 2.0), "the targets' range");
    let image = Image::decode(&render(&figure, Format::Png).unwrap());
    assert_eq!((image.width, image.height), (1000, 800));
    // Read the value a map pixel shows: the nearest colour of the scale, laid at alpha 0.8 over
    // white as the map lays it.
    let shown = |x: f64| {
        let (px, py) = figure.pixel_of(x, 0.5); // between the lattice's rows
        let (r, g, b) = image.pixel(px, py);
        let distance = |v: f64| {
            let c = scale.color(v);
            let over = |c: u8| 0.8 * f64::from(c) + 0.2 * 255.0;
            (over(c.0) - f64::from(r)).powi(2)
                + (over(c.1) - f64::from(g)).powi(2)
                + (over(c.2) - f64::from(b)).powi(2)
        };
        (0..=400)
            .map(|k| -2.0 + 0.01 * f64::from(k))
            .min_by(|&a, &b| distance(a).total_cmp(&distance(b)))
            .unwrap()
    };
    // Left to right, the value shown never falls, and the two probes show their x0 (within the
    // width of one of the map's 20 bands, 0.2).
    let row: Vec<f64> = (0..=44).map(|k| shown(-2.2 + 0.1 * f64::from(k))).collect();
    assert!(
        row.windows(2).all(|w| w[0] <= w[1]),
        "values along the row: {row:?}"
    );
    for x in [-1.5, 1.5] {
        assert!((shown(x) - x).abs() <= 0.2, "{x}: {}", shown(x));
    }
    let (left, right) = (
        image.pixel_rgb(&figure, -1.5),
        image.pixel_rgb(&figure, 1.5),
    );
    assert!(
        left.2 > left.0 && right.0 > right.2,
        "blue on the left {left:?}, red on the right {right:?}"
    );
    // The test points carry their target's colour on the same scale.
    for (i, &target) in targets.iter().enumerate() {
        let (px, py) = figure.pixel_of(points[[i, 0]], points[[i, 1]]);
        let want = scale.color(target);
        assert_eq!(image.pixel(px, py), (want.0, want.1, want.2), "point {i}");
    }
    // A colour bar of the values, with round ticks.
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    for text in ["y = x0", "value", "-2.0", "0.0", "2.0"] {
        assert!(has_text(&svg, text), "the map's SVG lacks {text}");
    }
}

#[test]
fn the_figures_refuse_the_wrong_task_or_a_target_count() {
    let (regression, points, targets) = identity_regression();
    let labels = vec![0; points.nrows()];
    assert!(matches!(
        BoundaryFigure::new(&regression, &points, &labels, BoundaryMode::Class, "t"),
        Err(PlotError::Input(_))
    ));
    assert!(matches!(
        BoundaryFigure::regression(&regression, &points, &targets[1..], "t"),
        Err(PlotError::Input(_))
    ));
    let binary = hand_set(Task::Binary, &[[1.0, 0.0]], &[0.0], &[1.0], 0.0);
    assert!(matches!(
        BoundaryFigure::regression(&binary, &points, &targets, "t"),
        Err(PlotError::Input(_))
    ));
    assert!(render(&DatasetFigure::values(&points, &targets[1..]), Format::Png).is_err());
}

#[test]
fn dataset_values_are_coloured_on_a_scale_with_a_bar() {
    let (_, points, targets) = identity_regression();
    let figure = DatasetFigure::values(&points, &targets);
    let image = Image::decode(&render(&figure, Format::Png).unwrap());
    assert_eq!((image.width, image.height), (640, 480));
    let scale = ValueScale::for_values(targets.iter().copied());
    let count = |color: [u8; 3]| image.rgb.chunks(3).filter(|p| p == &color).count();
    // The lowest and highest points fill with the scale's ends (and the bar shows them too).
    let (low, high) = (scale.color(-2.0), scale.color(2.0));
    assert!(count([low.0, low.1, low.2]) > 100, "dark blue points");
    assert!(count([high.0, high.1, high.2]) > 100, "dark red points");
    // The bar, in the strip right of the plot: red at the top, blue at the bottom.
    let column: Vec<(u8, u8, u8)> = (0..480).map(|y| image.pixel(640 - 75 + 15, y)).collect();
    let coloured: Vec<&(u8, u8, u8)> = column.iter().filter(|p| p.0 != p.2).collect();
    assert!(coloured.len() > 300, "a tall colour bar");
    let (top, bottom) = (coloured[2], coloured[coloured.len() - 3]);
    assert!(
        top.0 > top.2 && bottom.2 > bottom.0,
        "{top:?} to {bottom:?}"
    );
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    for text in ["Dataset", "value", "-1.0", "1.0"] {
        assert!(has_text(&svg, text), "the dataset SVG lacks {text}");
    }
}

/// FNV-1a, 64 bits: a fingerprint of rendered bytes.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn the_binary_boundary_draws_the_same_bytes_as_before_multiclass() {
    // A hand-set binary net whose products are exact (weights are powers of two), so that every
    // machine predicts the same grid: ŷ = σ(4·relu(x0) − 4·relu(x1) + 2·relu(−x0 − x1) + 0.5).
    let engine = hand_set(
        Task::Binary,
        &[[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]],
        &[0.0, 0.0, 0.0],
        &[4.0, -4.0, 2.0],
        0.5,
    );
    let points = Array2::from_shape_vec(
        (6, 2),
        vec![
            -1.5, 1.0, -0.5, -1.0, 0.0, 0.25, 0.75, -0.5, 1.25, 1.5, 1.5, -1.25,
        ],
    )
    .unwrap();
    let labels = [1, 0, 0, 1, 0, 1];
    let mut fingerprints = Vec::new();
    for mode in [BoundaryMode::Class, BoundaryMode::Probability] {
        let figure = BoundaryFigure::new(&engine, &points, &labels, mode, "binary").unwrap();
        // A PNG by its pixels (the encoder's choices change its bytes, not the picture), an
        // SVG by its text.
        let png = Image::decode(&render(&figure, Format::Png).unwrap());
        fingerprints.push(fingerprint(&png.rgb));
        fingerprints.push(fingerprint(&render(&figure, Format::Svg).unwrap()));
    }
    // The fingerprints of the figures as drawn before multi-class and regression figures existed
    // (0xb86c_3e01_9bd4_0012, 0x9777_4495_711a_0b1b, 0x920d_71a4_36aa_04fe,
    // 0x9bf1_2f22_b764_7bf2), changed on purpose once since: issue 15 gave the colour bar its
    // caption ("class" with ends 0 and 1 in the class view, "P(class 1)" in the probability view).
    // Since issue 14's seventh session a PNG is fingerprinted by its pixels, not its bytes (the
    // PNGs' byte fingerprints were 0xae0f_d7b0_e0a1_98e1 and 0xd2ae_c0d2_2b05_4dd8; their pixels'
    // were taken from the same drawing code before the encoder's filter changed).
    assert_eq!(
        fingerprints,
        [
            0x18d8_5948_2eec_6938,
            0x752e_8e42_8f30_fbfc,
            0x1975_d896_c96c_8073,
            0x9f4b_5d68_9fd8_db89
        ],
        "{fingerprints:#x?}"
    );
}

// Issue 13: points that are not finite, or spread too wide for the grid (data whose scale
// overflowed), are an error to report, not a panic on an empty grid.
#[test]
fn a_plane_the_grid_cannot_cover_is_an_error() {
    let (_, _, labels, engine, _) = trained_moons();
    for bad in [f64::NAN, f64::INFINITY, 1e12] {
        let mut points = Array2::zeros((labels.len(), 2));
        points[[0, 0]] = bad;
        let figure = BoundaryFigure::new(&engine, &points, &labels, BoundaryMode::Class, "t");
        assert!(figure.is_err(), "{bad}");
    }
}

/// A run that diverged draws its curves up to the epoch that failed, marks it in every panel and
/// says why in the summary; the weights' axis of such a run (norms near 10⁶) is labelled in
/// scientific notation, which fits the label area, and the summary's headings are bold.
#[test]
fn a_diverged_run_marks_the_epoch_that_failed() {
    let record = |epoch: usize, w1: f64| EpochRecord {
        epoch,
        loss: 0.7 + epoch as f64,
        train_accuracy: Some(0.5),
        test_accuracy: Some(0.5),
        test_loss: None,
        weight_norms: vec![w1, 2.0],
    };
    let history = History {
        records: vec![record(0, 1.0), record(1, 3.0e5), record(2, 9.0e5)],
    };
    let why = "the weights grew past the bound: ||W1|| = 1.223e6, beyond 1e6 (weights that large \
               only come from updates that overshoot)";
    let figure = TrainingFigure {
        history: &history,
        settings: vec![],
        diverged: Some(why.into()),
        lang: Default::default(),
    };
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    // three panels of curves, each marked at epoch 3 (the one after the last recorded)
    assert_eq!(svg.matches("diverged at epoch 3").count(), 3, "{svg}");
    assert!(has_text(&svg, "Diverged at epoch 3"));
    assert!(has_text(
        &svg,
        "the weights grew past the bound: ||W1|| = 1.223e6, beyond 1e6"
    ));
    assert!(svg.contains("font-weight=\"bold\""), "bold headings");
    assert!(has_text(&svg, "8.0e5"), "scientific weight ticks");
    assert!(has_text(&svg, "3"), "the failed epoch is on the axis");
    // The same history, not diverged, has no mark.
    let plain = TrainingFigure {
        diverged: None,
        lang: Default::default(),
        ..figure
    };
    let svg = String::from_utf8(render(&plain, Format::Svg).unwrap()).unwrap();
    assert!(!svg.contains("iverged"));
}

/// A one-epoch run's axis has ticks between whole epochs: only whole epochs are labelled (it
/// read "-0", "-0", "0", "0", "0").
#[test]
fn a_one_epoch_run_labels_only_whole_epochs() {
    let history = History {
        records: vec![EpochRecord {
            epoch: 0,
            loss: 0.7,
            train_accuracy: Some(0.5),
            test_accuracy: Some(0.5),
            test_loss: None,
            weight_norms: vec![1.0, 2.0],
        }],
    };
    let figure = TrainingFigure {
        history: &history,
        settings: vec![],
        diverged: None,
        lang: Default::default(),
    };
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    assert!(!has_text(&svg, "-0"), "no '-0' tick");
}

/// The words of an SVG: the text of its `<text>` elements.
fn words(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|element| {
            let (_, rest) = element.split_once('>')?;
            let (text, _) = rest.split_once("</text>")?;
            Some(text.trim().to_string())
        })
        .collect()
}

/// Says which of `english` (figure words nnlab writes in English) some text of `svg` contains.
fn english_left(svg: &str, english: &[&str]) -> Vec<String> {
    words(svg)
        .into_iter()
        .filter(|text| english.iter().any(|word| text.contains(word)))
        .collect()
}

// `Lang::Ru`: every figure's titles, labels, legends and captions in Russian (README.ru.md's
// words), no English word of the English figure left; numbers and names (relu, ||W1||) as they
// are.
#[test]
fn russian_figures_have_no_english_words_left() {
    const ENGLISH: &[&str] = &[
        "Loss", "loss", "Accuracy", "accuracy", "Weights", "Epoch", "epoch", "Train", "Test",
        "scaled", "class", "value", "Run", "Result", "Diverged", "diverged", "winner", "test",
        "after", "best", "lowest", "seed", "setting", "mean", "highest",
    ];
    let (data, train_labels, test_labels, engine, history) = trained_moons();
    let svg = |figure: &dyn Fn(Format) -> Vec<u8>| String::from_utf8(figure(Format::Svg)).unwrap();
    let ru = Lang::Ru;

    let dataset = DatasetFigure::new(data.x_train(), &train_labels).in_lang(ru);
    let text = svg(&|format| render(&dataset, format).unwrap());
    for word in [
        "Набор данных",
        "x0 (после масштабирования)",
        "x1 (после масштабирования)",
    ] {
        assert!(
            has_text(&text, word),
            "dataset.svg lacks {word}: {:?}",
            words(&text)
        );
    }
    assert_eq!(english_left(&text, ENGLISH), Vec::<String>::new());

    for diverged in [None, Some("потери стали равны NaN".to_string())] {
        let figure = TrainingFigure {
            history: &history,
            settings: vec!["сеть 2-8-1 (relu)".into()],
            diverged: diverged.clone(),
            lang: ru,
        };
        let text = svg(&|format| render(&figure, format).unwrap());
        let (epochs, last) = (history.records.len(), history.records.last().unwrap());
        let lowest = history
            .records
            .iter()
            .map(|r| r.loss)
            .fold(f64::INFINITY, f64::min);
        // 300 epochs: "после" takes the genitive plural
        assert_eq!(epochs, 300);
        let result = format!(
            "после 300 эпох: потери {:.4} (наименьшие {lowest:.4})",
            last.loss
        );
        let mut expected = vec![
            "Функция потерь",
            "Точность",
            "Веса",
            "Эпоха",
            "Обучающая",
            "Тестовая",
            "Норма",
            "Запуск",
            "Результат",
            "сеть 2-8-1 (relu)",
            &result,
        ];
        if diverged.is_some() {
            expected.extend(["Расхождение на эпохе 300", "расхождение на эпохе 300"]);
        }
        for word in expected {
            assert!(
                has_text(&text, word),
                "training.svg lacks {word}: {:?}",
                words(&text)
            );
        }
        assert_eq!(english_left(&text, ENGLISH), Vec::<String>::new());
    }

    for mode in [BoundaryMode::Class, BoundaryMode::Probability] {
        let figure = BoundaryFigure::new(&engine, data.x_test(), &test_labels, mode, "Граница")
            .unwrap()
            .in_lang(ru);
        let text = svg(&|format| render(&figure, format).unwrap());
        let caption = match mode {
            BoundaryMode::Class => "класс",
            BoundaryMode::Probability => "P(класс 1)",
        };
        for word in ["x0 (после масштабирования)", caption] {
            assert!(
                has_text(&text, word),
                "boundary.svg lacks {word}: {:?}",
                words(&text)
            );
        }
        assert_eq!(english_left(&text, ENGLISH), Vec::<String>::new());
    }
    let (points, labels, blobs) = trained_blobs();
    let figure = BoundaryFigure::new(&blobs, &points, &labels, BoundaryMode::Probability, "К")
        .unwrap()
        .in_lang(ru);
    let text = svg(&|format| render(&figure, format).unwrap());
    for word in ["класс 0", "класс 2", "p(победителя)"] {
        assert!(
            has_text(&text, word),
            "boundary.svg lacks {word}: {:?}",
            words(&text)
        );
    }
    assert_eq!(english_left(&text, ENGLISH), Vec::<String>::new());
    let (regression, points, targets) = identity_regression();
    let figure = BoundaryFigure::regression(&regression, &points, &targets, "З")
        .unwrap()
        .in_lang(ru);
    let text = svg(&|format| render(&figure, format).unwrap());
    assert!(has_text(&text, "значение"), "{:?}", words(&text));
    assert_eq!(english_left(&text, ENGLISH), Vec::<String>::new());

    let sweep = SweepFigure {
        columns: vec![SweepColumn {
            label: "h=8, lr=0.1".into(),
            group: "lr 0.1".into(),
            accuracies: vec![0.85, 0.9],
        }],
        title: "Итог".into(),
        lang: ru,
    };
    let text = svg(&|format| render(&sweep, format).unwrap());
    for word in [
        "итоговая точность на тестовой выборке",
        "среднее по зёрнам",
        "от мин. до макс.",
    ] {
        assert!(
            has_text(&text, word),
            "sweep.svg lacks {word}: {:?}",
            words(&text)
        );
    }
    assert_eq!(english_left(&text, ENGLISH), Vec::<String>::new());
}

// A deep net's 12 weight norms: their legend has a strip of its own right of the plot (inside,
// 12 entries covered the curves), every label in one column; layers past the tenth reuse the
// colours, dashed.
#[test]
fn a_deep_nets_legend_stands_beside_its_curves() {
    let layers = 12;
    let history = History {
        records: (0..3)
            .map(|epoch| EpochRecord {
                epoch,
                loss: 0.7,
                train_accuracy: Some(0.5),
                test_accuracy: Some(0.5),
                test_loss: None,
                weight_norms: (0..layers).map(|l| 1.0 + l as f64 / 4.0).collect(),
            })
            .collect(),
    };
    let figure = TrainingFigure {
        history: &history,
        settings: vec![],
        diverged: None,
        lang: Lang::En,
    };
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    // the x of each label's <text> element
    let x_of = |label: &str| -> f64 {
        let end = svg
            .find(&format!(">\n{label}\n<"))
            .unwrap_or_else(|| panic!("{label}"));
        let start = svg[..end].rfind("<text x=\"").unwrap() + "<text x=\"".len();
        let value = &svg[start..];
        value[..value.find('"').unwrap()].parse().unwrap()
    };
    let xs: Vec<f64> = (1..=layers).map(|l| x_of(&format!("||W{l}||"))).collect();
    assert!(xs.iter().all(|&x| x == xs[0]), "{xs:?}");
    // The weights panel is the lower left quarter, 20 to 750 pixels across; the strip is its
    // right 100 pixels, and the plot (and its frame) ends where the strip begins.
    assert!((650.0..750.0).contains(&xs[0]), "{xs:?}");
    // Every polyline of a colour, as its points.
    let lines = |color: &str| -> Vec<Vec<(f64, f64)>> {
        svg.split("<polyline")
            .skip(1)
            .filter(|l| l.contains(&format!("stroke=\"{color}\"")))
            .map(|l| {
                let points = l
                    .split("points=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                points
                    .split_whitespace()
                    .map(|p| {
                        let (x, y) = p.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect()
            })
            .collect()
    };
    // the grid of the weights panel (its lower half, left of 760) ends before the strip
    let grid_right = lines("#DCDCDC")
        .iter()
        .flatten()
        .filter(|&&(x, y)| y > 500.0 && x < 760.0)
        .fold(0.0_f64, |most, &(x, _)| most.max(x));
    assert!(grid_right < xs[0] - 30.0, "the grid reaches {grid_right}");
    // ||W1|| and ||W11|| share purple: in the strip, W1's sample is one stroke, W11's two dashes
    let strip_samples = lines("#800080")
        .iter()
        .filter(|line| line[0].0 > xs[0] - 40.0 && line[0].1 > 500.0)
        .count();
    assert_eq!(strip_samples, 3);
}
