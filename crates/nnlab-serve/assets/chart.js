// Small line charts of the training history (loss, accuracy) on a canvas.
// `decimate` and `yRange` are pure and tested; `drawChart` only needs a 2-D context.

import { ticks } from './maps.js';
import { short } from './format.js';

/**
 * At most about `max` points of a long series, keeping its shape: per bucket of epochs the first,
 * the lowest and the highest point (a spike never disappears), and always the last point.
 */
export function decimate(xs, ys, max = 600) {
  const n = xs.length;
  if (n <= max) return { xs: xs.slice(), ys: ys.slice() };
  const bucket = Math.ceil(n / Math.floor(max / 3));
  const ox = [];
  const oy = [];
  for (let start = 0; start < n; start += bucket) {
    const end = Math.min(n, start + bucket);
    let lo = start;
    let hi = start;
    for (let i = start; i < end; i++) {
      if (ys[i] < ys[lo]) lo = i;
      if (ys[i] > ys[hi]) hi = i;
    }
    for (const i of [...new Set([start, lo, hi])].sort((a, b) => a - b)) {
      ox.push(xs[i]);
      oy.push(ys[i]);
    }
  }
  if (ox[ox.length - 1] !== xs[n - 1]) {
    ox.push(xs[n - 1]);
    oy.push(ys[n - 1]);
  }
  return { xs: ox, ys: oy };
}

/** The y range to show: [0, 1] for accuracies, else from 0 (or the lowest value) to the highest. */
export function yRange(seriesList, kind) {
  if (kind === 'accuracy') return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of seriesList) {
    for (const y of s.ys) {
      if (!Number.isFinite(y)) continue;
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  }
  if (!Number.isFinite(hi)) return [0, 1];
  lo = Math.min(0, lo);
  if (hi <= lo) hi = lo + 1;
  return [lo, hi * 1.05];
}

/**
 * Draws `series` ([{label, color, xs, ys}]) on `ctx` over a width × height area (CSS pixels).
 * `lastEpoch` sets the x axis's end, so that the chart grows from the left as epochs come.
 */
export function drawChart(ctx, width, height, series, { kind = 'loss', lastEpoch = 0 } = {}) {
  const pad = { left: 36, right: 8, top: 16, bottom: 16 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  ctx.clearRect(0, 0, width, height);
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';

  const shown = series.map((s) => ({ ...s, ...decimate(s.xs, s.ys, Math.max(60, w * 2)) }));
  const [ylo, yhi] = yRange(shown, kind);
  const xmax = Math.max(1, lastEpoch);
  const px = (x) => pad.left + (x / xmax) * w;
  const py = (y) => pad.top + h - ((y - ylo) / (yhi - ylo)) * h;

  // Grid lines and their values.
  ctx.strokeStyle = '#e6e8eb';
  ctx.fillStyle = '#6b7280';
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  for (const t of ticks(ylo, yhi, 3)) {
    const y = Math.round(py(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(pad.left, y);
    ctx.lineTo(pad.left + w, y);
    ctx.stroke();
    ctx.fillText(short(t), pad.left - 4, y);
  }
  ctx.textAlign = 'left';
  ctx.fillText('0', pad.left, height - 6);
  ctx.textAlign = 'right';
  ctx.fillText(`epoch ${lastEpoch}`, pad.left + w, height - 6);

  // The curves.
  ctx.lineWidth = 1.6;
  ctx.lineJoin = 'round';
  for (const s of shown) {
    ctx.strokeStyle = s.color;
    ctx.setLineDash(s.dashed ? [4, 3] : []);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < s.xs.length; i++) {
      const y = s.ys[i];
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      const cy = Math.max(pad.top - 4, Math.min(pad.top + h + 4, py(y)));
      if (pen) ctx.lineTo(px(s.xs[i]), cy);
      else ctx.moveTo(px(s.xs[i]), cy);
      pen = true;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);

  // The legend, top right.
  ctx.textAlign = 'right';
  let x = pad.left + w;
  for (const s of [...shown].reverse()) {
    ctx.fillStyle = s.color;
    ctx.fillText(s.label, x, 7);
    x -= ctx.measureText(s.label).width + 12;
  }
}
