//! The figures of learning: the boundary's GIF decodes to its frames, each the boundary figure
//! it was drawn from, and the hidden space maps the rows and the grid through the first layer.

use std::ops::ControlFlow;

use ndarray::{s, Array2};
use nnlab_core::{
    notebook_init, train, Engine, ManualEngine, ModelSpec, TrainAccuracy, TrainConfig, TrainData,
};
use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};
use nnlab_plot::{
    frame_title, render, Animation, BoundaryFigure, BoundaryMode, Format, FramePlan, HiddenFigure,
    Lang, PointColors, Projection, DELAY, FRAME_SIZE, LAST_DELAY,
};

fn moons() -> (TrainData, Vec<usize>, Vec<usize>) {
    let data = make_moons(1000, Some(0.125), true, 42).unwrap();
    let split = train_test_split(1000, TestSize::Fraction(0.2), true, 42).unwrap();
    let (train_rows, test_rows) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    let data = TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap();
    (data, train_rows.labels, test_rows.labels)
}

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut rgb = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut rgb).unwrap();
    rgb.truncate(info.buffer_size());
    (info.width, info.height, rgb)
}

/// Every frame of a GIF as the viewer shows it (RGB), with its delay.
fn play(gif: &[u8]) -> (u16, u16, Vec<(Vec<u8>, u16)>) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(std::io::Cursor::new(gif)).unwrap();
    let (w, h) = (decoder.width(), decoder.height());
    let mut screen = vec![255u8; w as usize * h as usize * 3];
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        for y in 0..frame.height as usize {
            for x in 0..frame.width as usize {
                let p = &frame.buffer[(y * frame.width as usize + x) * 4..][..4];
                if p[3] == 0 {
                    continue; // transparent: the frame before shows
                }
                let at = ((frame.top as usize + y) * w as usize + frame.left as usize + x) * 3;
                screen[at..at + 3].copy_from_slice(&p[..3]);
            }
        }
        frames.push((screen.clone(), frame.delay));
    }
    (w, h, frames)
}

// A GIF of E epochs and at most N frames has the plan's frames, of FRAME_SIZE, each showing
// (nearly to the pixel) the boundary figure of its epoch, the last held longer.
#[test]
fn the_gif_decodes_to_the_planned_frames_each_its_epochs_figure() {
    let (data, _, test_labels) = moons();
    let spec = ModelSpec::default();
    let mut engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let (epochs, most) = (40, 8);
    let plan = FramePlan::new(epochs, most);
    assert_eq!(plan.epochs(), vec![0, 6, 12, 18, 24, 30, 36, 39]);
    let mut animation = Animation::new(FRAME_SIZE).unwrap();
    let mut expected = Vec::new();
    let config = TrainConfig::new(0.5, epochs).unwrap();
    train(
        &mut engine,
        &data,
        &config,
        TrainAccuracy::AfterUpdate,
        |record, engine| {
            if plan.contains(record.epoch) {
                let figure = BoundaryFigure::new(
                    engine,
                    data.x_test(),
                    &test_labels,
                    BoundaryMode::Class,
                    frame_title(record.epoch, record.loss, record.test_accuracy, Lang::En),
                )
                .unwrap()
                .sized(FRAME_SIZE);
                animation.push_figure(&figure).unwrap();
                expected.push(decode_png(&render(&figure, Format::Png).unwrap()).2);
            }
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    assert_eq!(animation.frames(), 8);
    let gif = animation.finish().unwrap();
    let (w, h, frames) = play(&gif);
    assert_eq!((u32::from(w), u32::from(h)), FRAME_SIZE);
    assert_eq!(frames.len(), plan.epochs().len());
    for (k, ((shown, delay), want)) in frames.iter().zip(&expected).enumerate() {
        let last = k + 1 == frames.len();
        assert_eq!(*delay, if last { LAST_DELAY } else { DELAY });
        // Exact but for anti-aliased pixels (the rims of the points and letters) beyond a
        // frame's 255 colours, which take the nearest colour of its palette (1% of the pixels,
        // off by 27 of 255 at most, when this was written; 44 since the colour bar got its
        // caption, whose letters bring more blends of black over white).
        let (mut differ, mut worst) = (0, 0);
        for (a, b) in shown.chunks(3).zip(want.chunks(3)) {
            if a != b {
                differ += 1;
                let d = (0..3).map(|c| a[c].abs_diff(b[c])).max().unwrap();
                worst = worst.max(d);
            }
        }
        assert!(
            differ * 50 < shown.len() / 3 && worst <= 48,
            "frame {k}: {differ} pixels differ, by at most {worst}"
        );
    }
    // The boundary moved while it learned: the first and last frames differ a lot.
    let moved = frames[0]
        .0
        .chunks(3)
        .zip(frames[7].0.chunks(3))
        .filter(|(a, b)| a != b)
        .count();
    assert!(moved > 2000, "{moved}");
}

#[test]
fn a_gif_refuses_no_frames_and_a_frame_of_another_size() {
    assert!(Animation::new(FRAME_SIZE).unwrap().finish().is_err());
    let mut animation = Animation::new((4, 3)).unwrap();
    assert!(animation.push(&[0; 4 * 3 * 3 - 1]).is_err());
    animation.push(&[0; 36]).unwrap();
    animation.push(&[0; 36]).unwrap(); // unchanged: still a frame
    let (_, _, frames) = play(&animation.finish().unwrap());
    assert_eq!(frames.len(), 2);
}

fn trained(epochs: usize) -> (TrainData, Vec<usize>, ManualEngine) {
    let (data, train_labels, _) = moons();
    let spec = ModelSpec::default();
    let mut engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let config = TrainConfig::new(0.5, epochs).unwrap();
    train(
        &mut engine,
        &data,
        &config,
        TrainAccuracy::AfterUpdate,
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap();
    (data, train_labels, engine)
}

// Hidden units 3 and 5 (counted from 0: 2 and 4): a point's coordinates are its activations of
// those units, as the engine computes them, and so are a grid line's.
#[test]
fn the_hidden_space_is_the_first_layers_activations() {
    let (data, labels, engine) = trained(100);
    let x = data.x_train();
    let figure = HiddenFigure::new(
        &engine,
        x,
        PointColors::Classes(&labels),
        Projection::Units(2, 4),
        Lang::En,
        "hidden",
    )
    .unwrap();
    let a1 = engine.activations(x).unwrap().swap_remove(0);
    assert_eq!(figure.hidden_points().column(0), a1.column(2));
    assert_eq!(figure.hidden_points().column(1), a1.column(4));
    let lines = nnlab_plot::grid_lines(x);
    let line_a1 = engine.activations(&lines[3]).unwrap().swap_remove(0);
    assert_eq!(figure.hidden_lines()[3].column(0), line_a1.column(2));
    // relu: no coordinate below 0
    assert!(figure.hidden_points().iter().all(|&v| v >= 0.0));
    let (w, h, _) = decode_png(&render(&figure, Format::Png).unwrap());
    assert_eq!((w, h), (1200, 600));
}

// The principal components' view: the points' coordinates are the centred activations along
// two orthonormal axes, the first with the most variance.
#[test]
fn the_pca_view_projects_on_orthonormal_axes_of_falling_variance() {
    let (data, labels, engine) = trained(100);
    let x = data.x_train();
    let figure = HiddenFigure::new(
        &engine,
        x,
        PointColors::Classes(&labels),
        Projection::Pca,
        Lang::En,
        "pca",
    )
    .unwrap();
    let a1 = engine.activations(x).unwrap().swap_remove(0);
    let pca = nnlab_plot::Pca::of(&a1);
    assert!((pca.axes[0].dot(&pca.axes[0]) - 1.0).abs() < 1e-9);
    assert!(pca.axes[0].dot(&pca.axes[1]).abs() < 1e-9);
    assert!(pca.shares[0] >= pca.shares[1] && pca.shares[0] + pca.shares[1] <= 1.0 + 1e-12);
    let p = figure.hidden_points();
    let variance = |j: usize| {
        let c = p.column(j);
        let mean = c.mean().unwrap();
        c.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / c.len() as f64
    };
    assert!(variance(0) >= variance(1));
    let centred = &a1.slice(s![0..1, ..]) - &pca.mean;
    assert!((p[[0, 0]] - centred.row(0).dot(&pca.axes[0])).abs() < 1e-12);
}

#[test]
fn the_hidden_space_refuses_other_inputs_and_units_it_does_not_have() {
    let (data, labels, engine) = trained(1);
    let x = data.x_train();
    let colors = || PointColors::Classes(&labels);
    for projection in [Projection::Units(0, 8), Projection::Units(3, 3)] {
        let error = HiddenFigure::new(&engine, x, colors(), projection, Lang::En, "t")
            .err()
            .unwrap();
        assert!(error.to_string().contains("from 1 to 8"), "{error}");
    }
    let three = Array2::<f64>::zeros((labels.len(), 3));
    assert!(HiddenFigure::new(&engine, &three, colors(), Projection::Pca, Lang::En, "t").is_err());
}

// `Lang::Ru`: the frames' captions and the hidden space's labels in Russian (README.ru.md's
// words); a count of units takes its Russian form (8 нейронов).
#[test]
fn frames_and_the_hidden_space_speak_russian() {
    assert_eq!(
        frame_title(5, 0.25, Some(0.9), Lang::Ru),
        "эпоха 5 · потери 0.2500 · точность (тест) 0.9000"
    );
    assert_eq!(
        frame_title(5, 0.25, None, Lang::Ru),
        "эпоха 5 · потери 0.2500"
    );
    assert_eq!(
        frame_title(5, 0.25, Some(0.9), Lang::En),
        "epoch 5 · loss 0.2500 · test accuracy 0.9000"
    );

    let (data, labels, engine) = trained(10);
    let x = data.x_train();
    let svg = |projection| {
        let colors = PointColors::Classes(&labels);
        let figure =
            HiddenFigure::new(&engine, x, colors, projection, Lang::Ru, "Скрытое").unwrap();
        String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap()
    };
    let units = svg(Projection::Units(2, 4));
    for text in [
        "x0 (после масштабирования)",
        "нейрон 3 скрытого слоя (relu)",
        "нейрон 5 скрытого слоя (relu)",
        "После скрытого слоя 1 (8 нейронов, relu): два его нейрона",
        "Плоскость входов: линии постоянного x0 (фиолетовые) и x1 (бирюзовые)",
    ] {
        assert!(units.contains(text), "hidden.svg lacks {text}");
    }
    let pca = svg(Projection::Pca);
    for text in [
        "ГК 1 (",
        "% дисперсии)",
        "его первые две главные компоненты",
    ] {
        assert!(pca.contains(text), "hidden.svg lacks {text}");
    }
    for english in ["hidden unit", "scaled", "PC 1", "variance", "Input plane"] {
        assert!(
            !units.contains(english) && !pca.contains(english),
            "{english} is left"
        );
    }
}
