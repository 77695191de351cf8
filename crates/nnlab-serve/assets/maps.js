// Heat maps: from a frame's base64 bytes to RGBA pixels (what ImageData holds), and between the
// data's coordinates and a canvas's pixels. Pure functions: no DOM, tested with node --test.
//
// A map is size × size bytes, row 0 at the top (the largest x2), column 0 at xmin; byte b stands
// for the value lo + (hi − lo)·b/255. A frame sends them as base64; decodeMap keeps them as bytes.

import {
  binaryColor, multiclassColor, regressionColor, neuronColor,
} from './colors.js';

/** The bytes of a base64 text. */
export function decodeBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A map's bytes: base64 text as a frame sends it, or bytes already decoded (the timeline's). */
export function mapBytes(values) {
  return typeof values === 'string' ? decodeBase64(values) : values;
}

/** A frame's map with its bytes decoded once: {size, lo, hi, values, classes (or null)}. */
export function decodeMap(map) {
  const values = mapBytes(map.values);
  return {
    size: map.size || Math.round(Math.sqrt(values.length)),
    lo: map.lo,
    hi: map.hi,
    values,
    classes: map.classes ? mapBytes(map.classes) : null,
  };
}

/** The value byte b stands for on a map over [lo, hi]. */
export function byteValue(b, lo, hi) {
  return lo + ((hi - lo) * b) / 255;
}

/** The colours of the 256 byte values, flat: [r0, g0, b0, r1, g1, b1, ...]. */
function table(colorOf) {
  const lut = new Uint8Array(256 * 3);
  for (let b = 0; b < 256; b++) lut.set(colorOf(b), 3 * b);
  return lut;
}

/** Pixel `i` of `out` (RGBA) in the colour the table gives byte `b`. */
function put(out, i, lut, b) {
  const j = 4 * i;
  const k = 3 * b;
  out[j] = lut[k];
  out[j + 1] = lut[k + 1];
  out[j + 2] = lut[k + 2];
  out[j + 3] = 255;
}

/** RGBA pixels from bytes, each byte's colour from the table. */
function paint(bytes, lut, out = new Uint8ClampedArray(bytes.length * 4)) {
  for (let i = 0; i < bytes.length; i++) put(out, i, lut, bytes[i]);
  return out;
}

/**
 * The output map's pixels for the session's task.
 * - binary: RdBu over P(class 1), lightened; `discrete`: the predicted class only.
 * - multiclass: the winning class's colour, as strong as its probability.
 * - regression: RdBu over the data's value range (`valueRange`, else the map's lo..hi).
 */
export function outputPixels(map, { task, classes = 2, discrete = false, valueRange = null }) {
  const values = mapBytes(map.values);
  const { lo, hi } = map;
  if (task === 'multiclass' && map.classes) {
    const winners = mapBytes(map.classes);
    const tables = [];
    const out = new Uint8ClampedArray(values.length * 4);
    for (let i = 0; i < values.length; i++) {
      const k = winners[i]; // each class has its own table, made when first met
      if (!tables[k]) tables[k] = table((b) => multiclassColor(k, byteValue(b, lo, hi), classes, discrete));
      put(out, i, tables[k], values[i]);
    }
    return out;
  }
  if (task === 'regression') {
    const [vlo, vhi] = valueRange || [lo, hi];
    const lut = table((b) => regressionColor(byteValue(b, lo, hi), vlo, vhi, discrete ? 8 : 0));
    return paint(values, lut);
  }
  const lut = table((b) => binaryColor(byteValue(b, lo, hi), discrete));
  return paint(values, lut);
}

/** A neuron's map: RdBu centred at 0 over its [lo, hi] (negative red, positive blue). */
export function neuronPixels(neuron) {
  const { lo, hi } = neuron;
  const lut = table((b) => neuronColor(byteValue(b, lo, hi), lo, hi));
  return paint(decodeBase64(neuron.values), lut);
}

/**
 * An input feature's name, read: 'x0' {op: 'x', a: 0}, 'x0^2' {op: 'square', a: 0},
 * 'x0*x1' {op: 'product', a: 0, b: 1}, 'sin(x1)' {op: 'sin', a: 1}; null for anything else.
 */
export function parseFeature(name) {
  let m = /^x(\d+)$/.exec(name);
  if (m) return { op: 'x', a: Number(m[1]) };
  m = /^x(\d+)\^2$/.exec(name);
  if (m) return { op: 'square', a: Number(m[1]) };
  m = /^x(\d+)\*x(\d+)$/.exec(name);
  if (m) return { op: 'product', a: Number(m[1]), b: Number(m[2]) };
  m = /^sin\(x(\d+)\)$/.exec(name);
  if (m) return { op: 'sin', a: Number(m[1]) };
  return null;
}

/** How feature names count columns: from 0 (x0, x1: nnlab's CSV header) or from 1 (x1, x2). */
export function featureBase(names) {
  return (names || []).some((n) => /x0(?!\d)/.test(n)) ? 0 : 1;
}

/** An input feature's value at the point whose first two columns are (a, b). */
export function featureValue(name, a, b, base = 1) {
  const f = parseFeature(name);
  if (!f) return 0;
  const column = (i) => [a, b][i - base] ?? 0;
  switch (f.op) {
    case 'x': return column(f.a);
    case 'square': return column(f.a) ** 2;
    case 'product': return column(f.a) * column(f.b);
    default: return Math.sin(column(f.a));
  }
}

/** How the page writes a feature: x0^2 as x₀², x0*x1 as x₀x₁. */
export function featureLabel(name) {
  const sub = '₀₁₂₃₄₅₆₇₈₉';
  return String(name)
    .replace(/x(\d+)/g, (_, d) => `x${[...d].map((c) => sub[Number(c)]).join('')}`)
    .replace('^2', '²')
    .replace('*', '');
}

/**
 * An input feature's picture over the domain, n × n, in the maps' orientation, coloured as a
 * neuron: these are the first column of the network drawing (the server sends none for them).
 */
export function featurePixels(name, domain, n, base = 1) {
  const [xmin, xmax, ymin, ymax] = domain;
  const values = new Float64Array(n * n);
  let lo = 0;
  let hi = 0;
  for (let row = 0; row < n; row++) {
    const x2 = ymax - ((row + 0.5) / n) * (ymax - ymin);
    for (let col = 0; col < n; col++) {
      const x1 = xmin + ((col + 0.5) / n) * (xmax - xmin);
      const v = featureValue(name, x1, x2, base);
      values[row * n + col] = v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const out = new Uint8ClampedArray(n * n * 4);
  for (let i = 0; i < values.length; i++) {
    const c = neuronColor(values[i], lo, hi);
    out.set([c[0], c[1], c[2], 255], 4 * i);
  }
  return out;
}

/** A data point's position on a width × height canvas showing `domain`. */
export function dataToPixel(x1, x2, domain, width, height) {
  const [xmin, xmax, ymin, ymax] = domain;
  return [((x1 - xmin) / (xmax - xmin)) * width, ((ymax - x2) / (ymax - ymin)) * height];
}

/** The data coordinates under a canvas pixel (the inverse of dataToPixel). */
export function pixelToData(px, py, domain, width, height) {
  const [xmin, xmax, ymin, ymax] = domain;
  return [xmin + (px / width) * (xmax - xmin), ymax - (py / height) * (ymax - ymin)];
}

/** Round tick values inside [lo, hi], about `count` of them: 1, 2 or 5 times a power of ten. */
export function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  // The round step whose number of ticks comes nearest to `count`.
  const steps = [1, 2, 5, 10].map((m) => m * power);
  const off = (s) => Math.abs((hi - lo) / s - count);
  const step = steps.reduce((best, s) => (off(s) < off(best) ? s : best));
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}
