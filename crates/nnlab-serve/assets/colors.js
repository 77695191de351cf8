// Colour maps, the same as nnlab's figures (crates/nnlab-plot/src/colors.rs). Pure functions:
// every colour is an [r, g, b] array of 0..255 integers.

/** ColorBrewer's RdBu (matplotlib's plt.cm.RdBu): 0 is dark red, 0.5 near white, 1 dark blue. */
export const RDBU = [
  [103, 0, 31], [178, 24, 43], [214, 96, 77], [244, 165, 130], [253, 219, 199], [247, 247, 247],
  [209, 229, 240], [146, 197, 222], [67, 147, 195], [33, 102, 172], [5, 48, 97],
];

/** Class k's colour: the notebook's red and blue, then matplotlib's tab10 for more classes. */
export const CLASS_COLORS = [
  [255, 0, 0], [0, 0, 255],
  [44, 160, 44], [255, 127, 14], [148, 103, 189], [140, 86, 75],
  [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];

/** How strongly the binary and regression maps lie over white: lighter, so the dots stand out. */
export const MAP_ALPHA = 0.6;
/** The part of RdBu the maps use: its two darkest ends are left to the dots. */
const MAP_LO = 0.07;
const MAP_HI = 0.93;
const mapT = (t) => MAP_LO + (MAP_HI - MAP_LO) * t;
/** The same for a multi-class map at full strength (its dots are the full class colours). */
export const REGION_ALPHA = 0.5;

export function classColor(k) {
  if (k < 2) return CLASS_COLORS[k];
  return CLASS_COLORS[2 + ((k - 2) % (CLASS_COLORS.length - 2))];
}

/** RdBu at t in [0, 1] (clamped; NaN is the middle), interpolated between its 11 colours. */
export function rdbu(t) {
  const x = Number.isNaN(t) ? 0.5 : Math.min(1, Math.max(0, t));
  const position = x * (RDBU.length - 1);
  const i = Math.min(Math.floor(position), RDBU.length - 2);
  const f = position - i;
  const a = RDBU[i];
  const b = RDBU[i + 1];
  return [
    Math.round(a[0] + f * (b[0] - a[0])),
    Math.round(a[1] + f * (b[1] - a[1])),
    Math.round(a[2] + f * (b[2] - a[2])),
  ];
}

/** `color` laid over white with opacity `alpha`. */
export function overWhite(color, alpha) {
  return [
    Math.round(255 + alpha * (color[0] - 255)),
    Math.round(255 + alpha * (color[1] - 255)),
    Math.round(255 + alpha * (color[2] - 255)),
  ];
}

/** CSS text of a colour: rgb(255, 0, 0). */
export function css(color) {
  return `rgb(${color[0]}, ${color[1]}, ${color[2]})`;
}

/** A binary map's colour at P(class 1) = p; `discrete` shows only the predicted class. */
export function binaryColor(p, discrete = false) {
  const t = discrete ? (p >= 0.5 ? 1 : 0) : p;
  return overWhite(rdbu(mapT(t)), MAP_ALPHA);
}

/**
 * A multi-class map's colour: the winning class's colour, as strong as the network is sure:
 * from white at p = 1/K (a guess) to REGION_ALPHA at p = 1. `discrete`: always full strength.
 */
export function multiclassColor(k, p, classes, discrete = false) {
  const chance = 1 / Math.max(2, classes);
  const strength = discrete ? 1 : Math.min(1, Math.max(0, (p - chance) / (1 - chance)));
  return overWhite(classColor(k), REGION_ALPHA * (0.15 + 0.85 * strength));
}

/** A regression's colour: RdBu over [lo, hi] (lo red, hi blue); `bands` > 0 steps it. */
export function regressionColor(v, lo, hi, bands = 0) {
  let t = hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0.5;
  if (bands > 0) t = (Math.min(bands - 1, Math.floor(t * bands)) + 0.5) / bands;
  return overWhite(rdbu(mapT(t)), MAP_ALPHA);
}

/** A regression target's dot colour: the full RdBu colour of its value. */
export function valueColor(v, lo, hi) {
  return rdbu(hi > lo ? (v - lo) / (hi - lo) : 0.5);
}

/** A neuron's colour: RdBu centred at 0 (negative red, positive blue), scaled by max |lo|, |hi|. */
export function neuronColor(v, lo, hi) {
  const m = Math.max(Math.abs(lo), Math.abs(hi));
  return rdbu(m > 0 ? 0.5 + (0.5 * v) / m : 0.5);
}

/** A link's look from its weight: blue when positive, red when negative, width ∝ |w|. */
export function linkStyle(w, maxAbs) {
  const share = maxAbs > 0 ? Math.min(1, Math.abs(w) / maxAbs) : 0;
  return {
    color: css(w >= 0 ? [33, 102, 172] : [178, 24, 43]),
    width: 0.4 + 5.6 * share,
    opacity: 0.25 + 0.7 * share,
  };
}
