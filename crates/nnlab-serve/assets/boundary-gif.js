// The decision boundary's GIF: each kept map drawn as the page draws it (the map's colours, the
// data's dots on top, the epoch in a corner), straight into palette indices. The palette is
// made from the page's own colour maps (240 levels of the map's scale, the dots' colours), so
// no colour is guessed and none is lost to a quantiser. Pure: no DOM, tested with node --test.

import {
  binaryColor, multiclassColor, regressionColor, classColor, valueColor,
} from './colors.js';
import { mapBytes, byteValue, dataToPixel } from './maps.js';
import { encodeGif } from './gif.js';

/** Levels of the map's colour scale in the palette (binary and regression). */
export const LEVELS = 240;
/** Levels of a regression dot's colour. */
const DOT_LEVELS = 12;

const WHITE = [255, 255, 255];
const INK = [17, 24, 39]; // #111827: the test dots' rim and the label
const GREY = [176, 180, 187]; // a regression dot's rim: about rgba(55, 65, 81, 0.45) over the map

const clamp01 = (t) => (Number.isNaN(t) ? 0.5 : Math.min(1, Math.max(0, t)));

/**
 * The palette for a task: {colors, white, ink, grey, levels, base, dot(target), unused}. Map
 * colours are at base + level (multi-class: base + class·levels + level); `unused` is an index
 * no colour takes (at most 255 are used), which the GIF makes transparent.
 */
export function gifPalette(task, classes = 2, valueRange = null) {
  const colors = [WHITE, INK, GREY];
  const base = colors.length;
  let levels = LEVELS;
  let dot;
  if (task === 'multiclass') {
    const k = Math.max(2, classes);
    levels = Math.floor((255 - base - k) / k);
    const chance = 1 / k;
    for (let c = 0; c < k; c++) {
      for (let l = 0; l < levels; l++) colors.push(multiclassColor(c, chance + (l / (levels - 1)) * (1 - chance), k));
    }
    const first = colors.length;
    for (let c = 0; c < k; c++) colors.push(classColor(c));
    dot = (target) => first + Math.min(k - 1, Math.max(0, Math.round(target)));
  } else if (task === 'regression') {
    for (let l = 0; l < levels; l++) colors.push(regressionColor(l / (levels - 1), 0, 1));
    const first = colors.length;
    for (let l = 0; l < DOT_LEVELS; l++) colors.push(valueColor(l / (DOT_LEVELS - 1), 0, 1));
    const [lo, hi] = valueRange || [0, 1];
    dot = (target) => first + Math.round(clamp01(hi > lo ? (target - lo) / (hi - lo) : 0.5) * (DOT_LEVELS - 1));
  } else {
    for (let l = 0; l < levels; l++) colors.push(binaryColor(l / (levels - 1)));
    const first = colors.length;
    colors.push(classColor(0), classColor(1));
    dot = (target) => first + (target >= 1 ? 1 : 0);
  }
  return {
    colors, white: 0, ink: 1, grey: 2, base, levels, dot, unused: colors.length,
  };
}

/**
 * The palette index of each map value, as a function of the byte (fractional bytes come from
 * smoothing): what outputPixels shows, in palette levels.
 */
function levelOf(map, scene, palette) {
  const { lo, hi } = map;
  const { levels } = palette;
  const top = levels - 1;
  if (scene.task === 'regression') {
    const [vlo, vhi] = scene.valueRange || [lo, hi];
    return (b) => {
      let t = vhi > vlo ? clamp01((byteValue(b, lo, hi) - vlo) / (vhi - vlo)) : 0.5;
      if (scene.discrete) t = (Math.min(7, Math.floor(t * 8)) + 0.5) / 8;
      return Math.round(t * top);
    };
  }
  if (scene.task === 'multiclass') {
    const chance = 1 / Math.max(2, scene.classes);
    return (b) => (scene.discrete ? top : Math.round(clamp01((byteValue(b, lo, hi) - chance) / (1 - chance)) * top));
  }
  return (b) => {
    const p = byteValue(b, lo, hi);
    return Math.round((scene.discrete ? (p >= 0.5 ? 1 : 0) : clamp01(p)) * top);
  };
}

/** 5 × 7 glyphs for the label "epoch 123". */
const GLYPHS = {
  0: '01110100011001110101110011000101110', 1: '00100011000010000100001000010001110',
  2: '01110100010000100010001000100011111', 3: '11111000100010000010000011000101110',
  4: '00010001100101010010111110001000010', 5: '11111100001111000001000011000101110',
  6: '00110010001000011110100011000101110', 7: '11111000010001000100010000100001000',
  8: '01110100011000101110100011000101110', 9: '01110100011000101111000010001001100',
  e: '00000000000111010001111111000001110', p: '00000000001111010001111101000010000',
  o: '00000000000111010001100011000101110', c: '00000000000111010000100001000101110',
  h: '10000100001011011001100011000110001', ' ': '00000000000000000000000000000000000',
};

/** Writes `text` at (x, y) in `ink` on a white box, into a width-wide index image. */
export function drawLabel(indices, width, text, x, y, ink, white) {
  const chars = [...text].filter((ch) => GLYPHS[ch]);
  const w = chars.length * 6 + 3;
  const h = 11;
  const height = indices.length / width;
  for (let row = y; row < Math.min(height, y + h); row++) {
    for (let col = x; col < Math.min(width, x + w); col++) indices[row * width + col] = white;
  }
  chars.forEach((ch, i) => {
    const glyph = GLYPHS[ch];
    for (let gy = 0; gy < 7; gy++) {
      for (let gx = 0; gx < 5; gx++) {
        const px = x + 2 + i * 6 + gx;
        const py = y + 2 + gy;
        if (glyph[gy * 5 + gx] === '1' && px < width && py < height) indices[py * width + px] = ink;
      }
    }
  });
}

/**
 * The map alone, `size` × `size` palette indices, smoothed as the page smooths it (but discrete
 * and multi-class maps). With the `previous` frame's map, a pixel within one level (of 240) of
 * what it showed keeps it: the GIF then stores only what really moved.
 */
export function mapLayer(map, scene, palette, size = 200, previous = null) {
  const out = new Uint8Array(size * size);
  const n = map.size;
  const values = mapBytes(map.values);
  const winners = map.classes ? mapBytes(map.classes) : null;
  const level = levelOf(map, scene, palette);
  const multi = scene.task === 'multiclass' && winners;
  const smooth = !scene.discrete && !multi;
  // A table of levels over bytes in quarter steps: smoothing makes fractional bytes.
  const table = new Uint16Array(1021);
  for (let q = 0; q < table.length; q++) table[q] = level(q / 4);
  for (let y = 0; y < size; y++) {
    const my = Math.min(n - 1, Math.max(0, ((y + 0.5) / size) * n - 0.5));
    for (let x = 0; x < size; x++) {
      const mx = Math.min(n - 1, Math.max(0, ((x + 0.5) / size) * n - 0.5));
      let index;
      if (smooth) {
        const x0 = Math.floor(mx);
        const y0 = Math.floor(my);
        const x1 = Math.min(n - 1, x0 + 1);
        const y1 = Math.min(n - 1, y0 + 1);
        const fx = mx - x0;
        const fy = my - y0;
        const top = values[y0 * n + x0] * (1 - fx) + values[y0 * n + x1] * fx;
        const bottom = values[y1 * n + x0] * (1 - fx) + values[y1 * n + x1] * fx;
        index = palette.base + table[Math.round((top * (1 - fy) + bottom * fy) * 4)];
      } else {
        const i = Math.round(my) * n + Math.round(mx);
        index = palette.base + table[values[i] * 4] + (multi ? winners[i] * palette.levels : 0);
      }
      if (previous) {
        const before = previous[y * size + x];
        const same = Math.floor((before - palette.base) / palette.levels) === Math.floor((index - palette.base) / palette.levels);
        if (same && Math.abs(before - index) <= 1) index = before;
      }
      out[y * size + x] = index;
    }
  }
  return out;
}

/**
 * One frame, `size` × `size` palette indices: the map (see mapLayer; `layer`: it, made
 * already), the dots, and the label.
 * `scene`: {task, classes, discrete, valueRange, domain, points: [{x, y, target, rim}], label};
 * a dot's rim is 'white', 'ink' or 'grey'.
 */
export function boundaryFrame(map, scene, palette, size = 200, layer = null) {
  const out = (layer || mapLayer(map, scene, palette, size)).slice();
  const radius = (scene.radius ?? 1.6) * (size / 200);
  const rimWidth = size / 200;
  for (const p of scene.points || []) {
    const [px, py] = dataToPixel(p.x, p.y, scene.domain, size, size);
    const fill = palette.dot(p.target);
    const rim = palette[p.rim || 'white'];
    const r = (p.radius ?? radius) + rimWidth;
    for (let y = Math.max(0, Math.floor(py - r)); y <= Math.min(size - 1, Math.ceil(py + r)); y++) {
      for (let x = Math.max(0, Math.floor(px - r)); x <= Math.min(size - 1, Math.ceil(px + r)); x++) {
        const d = Math.hypot(x + 0.5 - px, y + 0.5 - py);
        if (d <= r - rimWidth) out[y * size + x] = fill;
        else if (d <= r) out[y * size + x] = rim;
      }
    }
  }
  if (scene.label) drawLabel(out, size, scene.label, 4, 4, palette.ink, palette.white);
  return out;
}

/**
 * The animated GIF of `items` ([{epoch, map}], oldest first): `fps` frames a second, the last
 * one held `hold` seconds, looping for ever. `scene` as for boundaryFrame (its label is made
 * from each item's epoch).
 */
export function boundaryGif(items, scene, { size = 200, fps = 10, hold = 1.5 } = {}) {
  const palette = gifPalette(scene.task, scene.classes, scene.valueRange);
  const delay = Math.round(100 / fps);
  let layer = null;
  const frames = items.map((item, i) => {
    layer = mapLayer(item.map, scene, palette, size, layer);
    return {
      indices: boundaryFrame(item.map, { ...scene, label: `epoch ${item.epoch}` }, palette, size, layer),
      delay: i === items.length - 1 ? Math.round(hold * 100) : delay,
    };
  });
  return encodeGif({
    width: size, height: size, palette: palette.colors, frames, loop: 0, transparent: palette.unused,
  });
}
