//! `prepare_canvases` makes pixel buffers ahead of the figures that use them: a figure drawn on
//! one is the same to the byte as one drawn on fresh memory, the buffers wait for a figure of the
//! size they were made for, and a set stop flag makes none. (Its own test binary: the buffers wait in a process-wide list.)

use std::sync::atomic::AtomicBool;

use nnlab_data::make_moons;
use nnlab_plot::{canvases_ready, prepare_canvases, render, DatasetFigure, Figure, Format};

#[test]
fn a_figure_drawn_on_a_prepared_canvas_is_the_same() {
    let data = make_moons(500, Some(0.125), true, 42).unwrap();
    let figure = DatasetFigure::new(&data.features, &data.labels);
    let size = figure.size();
    assert_eq!(canvases_ready(), 0);
    let fresh = render(&figure, Format::Png).unwrap();

    // Stopped before it starts: nothing made.
    prepare_canvases(&[size], &AtomicBool::new(true));
    assert_eq!(canvases_ready(), 0);

    // At most two wait (a run's figures after training); the figure takes one.
    let go = AtomicBool::new(false);
    prepare_canvases(&[size, size, size], &go);
    assert_eq!(canvases_ready(), 2);
    let prepared = render(&figure, Format::Png).unwrap();
    assert_eq!(canvases_ready(), 1);
    assert!(prepared == fresh, "a prepared canvas drew other bytes");

    // A buffer made for another size is left for a figure of that size.
    let _ = render(&figure, Format::Png).unwrap();
    assert_eq!(canvases_ready(), 0);
    prepare_canvases(&[(size.0, size.1 / 2)], &go);
    let again = render(&figure, Format::Png).unwrap();
    assert_eq!(canvases_ready(), 1);
    assert!(again == fresh);
}
