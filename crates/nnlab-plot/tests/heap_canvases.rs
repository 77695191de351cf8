//! `take_canvases_from_heap` (what `nnlab` calls when it has set up its heap in large pages):
//! figures then draw on buffers from the heap, painted white at once, made ahead or not, and
//! their bytes are the same as on freshly mapped ones. (Its own test binary: the setting is for
//! the whole process.)

use std::sync::atomic::AtomicBool;

use nnlab_data::make_moons;
use nnlab_plot::{
    canvases_ready, prepare_canvases, render, take_canvases_from_heap, DatasetFigure, Figure,
    Format,
};

#[test]
fn figures_on_heap_buffers_are_the_same() {
    let data = make_moons(500, Some(0.125), true, 42).unwrap();
    let figure = DatasetFigure::new(&data.features, &data.labels);
    let size = figure.size();
    // Freshly mapped (the setting is off until it is asked for).
    let mapped = render(&figure, Format::Png).unwrap();

    take_canvases_from_heap();
    // A new buffer from the heap.
    let from_heap = render(&figure, Format::Png).unwrap();
    assert!(from_heap == mapped, "a heap buffer drew other bytes");
    // Made ahead from the heap, white, then taken by the figure.
    prepare_canvases(&[size], &AtomicBool::new(false));
    assert_eq!(canvases_ready(), 1);
    let prepared = render(&figure, Format::Png).unwrap();
    assert_eq!(canvases_ready(), 0);
    assert!(
        prepared == mapped,
        "a prepared heap buffer drew other bytes"
    );
    // Stopped before it starts: none made.
    prepare_canvases(&[size], &AtomicBool::new(true));
    assert_eq!(canvases_ready(), 0);
}
