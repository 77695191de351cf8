//! Scatters of many points draw one mark per pixel position (`nnlab_plot::DENSE_SCATTER`): the
//! picture must look as if every point were drawn. Here 100,000 moons and a boundary over 60,000
//! test points are rendered both ways, and the two PNGs are compared pixel by pixel: a pixel
//! counts as different when a channel differs by more than 48 of 255 (a rim darkened by stacked
//! copies changes by less); fewer than 0.5% of the pixels may. (Its own test binary: the limit is
//! process-wide.)

use nnlab_core::{notebook_init, Activation, FastEngine, ModelSpec};
use nnlab_data::make_moons;
use nnlab_plot::{render, set_dense_scatter, BoundaryFigure, BoundaryMode, DatasetFigure, Format};

fn pixels(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// The share of pixels that differ visibly, and how many differ at all.
fn compare(a: &[u8], b: &[u8]) -> (f64, usize) {
    let (wa, ha, pa) = pixels(a);
    let (wb, hb, pb) = pixels(b);
    assert_eq!((wa, ha), (wb, hb));
    let channels = pa.len() / (wa * ha) as usize;
    let (mut visible, mut any) = (0, 0);
    for (p, q) in pa.chunks(channels).zip(pb.chunks(channels)) {
        let most = p.iter().zip(q).map(|(&x, &y)| x.abs_diff(y)).max().unwrap();
        visible += usize::from(most > 48);
        any += usize::from(most > 0);
    }
    (visible as f64 / (wa * ha) as f64, any)
}

fn both_ways(draw: impl Fn() -> Vec<u8>) -> (Vec<u8>, Vec<u8>) {
    set_dense_scatter(usize::MAX);
    let every_point = draw();
    set_dense_scatter(nnlab_plot::DENSE_SCATTER);
    (every_point, draw())
}

#[test]
fn dense_scatters_look_the_same() {
    let data = make_moons(100_000, Some(0.2), true, 3).unwrap();
    let (every_point, per_pixel) = both_ways(|| {
        render(
            &DatasetFigure::new(&data.features, &data.labels),
            Format::Png,
        )
        .unwrap()
    });
    let (share, any) = compare(&every_point, &per_pixel);
    assert!(
        share < 0.005,
        "dataset: {:.3}% of the pixels differ visibly",
        100.0 * share
    );
    assert!(any > 0, "the limit made no difference: was it applied?");

    let test = make_moons(60_000, Some(0.2), true, 4).unwrap();
    let spec = ModelSpec::new(2, vec![8], Activation::Relu).unwrap();
    let engine = FastEngine::<f64>::new(spec.clone(), &notebook_init(&spec, 42), Some(1)).unwrap();
    for mode in [BoundaryMode::Class, BoundaryMode::Probability] {
        let (every_point, per_pixel) = both_ways(|| {
            let figure =
                BoundaryFigure::new(&engine, &test.features, &test.labels, mode, "boundary")
                    .unwrap();
            render(&figure, Format::Png).unwrap()
        });
        let (share, any) = compare(&every_point, &per_pixel);
        assert!(
            share < 0.005,
            "boundary {mode:?}: {:.3}% differ visibly",
            100.0 * share
        );
        assert!(any > 0, "boundary {mode:?}: the limit made no difference");
    }
}
