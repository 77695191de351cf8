//! Colours: matplotlib's named colours the notebook uses, and its RdBu colormap.

use plotters::style::RGBColor;

/// matplotlib's 'b', 'g', 'r', 'purple', 'orange' and colours for further layers.
pub(crate) const BLUE: RGBColor = RGBColor(0, 0, 255);
pub(crate) const GREEN: RGBColor = RGBColor(0, 128, 0);
pub(crate) const RED: RGBColor = RGBColor(255, 0, 0);
/// The weight norms' colours, one per layer: ten, so that a net of up to ten layers draws no two
/// curves in one colour (it had six: ||W7|| was ||W1||'s purple).
pub(crate) const LAYER_COLORS: [RGBColor; 10] = [
    RGBColor(128, 0, 128), // purple: ||W1||
    RGBColor(255, 165, 0), // orange: ||W2||
    RGBColor(0, 128, 128), // teal
    RGBColor(165, 42, 42), // brown
    RGBColor(255, 20, 147),
    RGBColor(128, 128, 0),
    RGBColor(31, 119, 180), // tab10's blue, green, grey and cyan
    RGBColor(44, 160, 44),
    RGBColor(127, 127, 127),
    RGBColor(23, 190, 207),
];
pub(crate) const GRID: RGBColor = RGBColor(220, 220, 220);

/// Class k's colour: the notebook's red and blue for classes 0 and 1, then matplotlib's tab10
/// colours (green, orange, purple, ...) for the classes of a multi-class dataset.
pub(crate) fn class_color(k: usize) -> RGBColor {
    const MORE: [RGBColor; 8] = [
        RGBColor(44, 160, 44),
        RGBColor(255, 127, 14),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    match k {
        0 => RED,
        1 => BLUE,
        k => MORE[(k - 2) % MORE.len()],
    }
}

/// ColorBrewer's RdBu, as matplotlib's `plt.cm.RdBu`: 0 is dark red, 0.5 near white, 1 dark blue.
const RDBU: [(u8, u8, u8); 11] = [
    (103, 0, 31),
    (178, 24, 43),
    (214, 96, 77),
    (244, 165, 130),
    (253, 219, 199),
    (247, 247, 247),
    (209, 229, 240),
    (146, 197, 222),
    (67, 147, 195),
    (33, 102, 172),
    (5, 48, 97),
];

/// The RdBu colormap at `t` in [0, 1] (clamped), interpolated linearly between its 11 colours.
pub fn rdbu(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) };
    let position = t * (RDBU.len() - 1) as f64;
    let i = (position.floor() as usize).min(RDBU.len() - 2);
    let f = position - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + f * (f64::from(b) - f64::from(a))).round() as u8;
    let (a, b) = (RDBU[i], RDBU[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// `color` drawn with opacity `alpha` over white, as one opaque colour (contourf's alpha=0.8).
pub(crate) fn over_white(color: RGBColor, alpha: f64) -> RGBColor {
    let blend = |c: u8| (alpha * f64::from(c) + (1.0 - alpha) * 255.0).round() as u8;
    RGBColor(blend(color.0), blend(color.1), blend(color.2))
}
