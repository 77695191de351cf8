// The output column's pictures: the big heat map of the network's prediction with the data's
// rows on top, its axis ticks, and the loss and accuracy curves.

import { outputPixels, dataToPixel, ticks } from './maps.js';
import { classColor, valueColor, css } from './colors.js';
import { drawChart } from './chart.js';
import { short } from './format.js';

let layoutVersion = 0;

/** Says that the page's layout changed (a resize, a new session): canvases measure themselves again. */
export function layoutChanged() {
  layoutVersion += 1;
}

/**
 * Sizes a canvas's backing store for sharp drawing on high-density screens; returns its context
 * and CSS size. The size is measured only after a layout change: reading it on every frame would
 * make the browser lay the page out again each time.
 */
export function sharpContext(canvas) {
  if (canvas.measured !== layoutVersion) {
    canvas.measured = layoutVersion;
    canvas.cssWidth = canvas.clientWidth;
    canvas.cssHeight = canvas.clientHeight;
  }
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.cssWidth;
  const height = canvas.cssHeight;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, width, height };
}

export class OutputMap {
  /** `axes`: {x, y} elements for the tick labels (or null); `dotScale`: the dots' size. */
  constructor(canvas, axes, { dotScale = 1 } = {}) {
    this.canvas = canvas;
    this.axes = axes; // {x: element, y: element} for the tick labels
    this.dotScale = dotScale;
    this.image = document.createElement('canvas'); // the map at its own resolution
    this.dots = document.createElement('canvas'); // the rows, drawn once per session
    this.lastMap = null;
  }

  /** Tick labels along the bottom (x1) and the left (x2) for the data's domain (none: null). */
  setDomain(domain) {
    if (!this.axes) return;
    if (!domain) {
      this.axes.x.replaceChildren();
      this.axes.y.replaceChildren();
      return;
    }
    const [xmin, xmax, ymin, ymax] = domain;
    const place = (box, lo, hi, vertical) => {
      box.replaceChildren();
      for (const t of ticks(lo, hi, 5)) {
        const label = document.createElement('span');
        label.textContent = short(t);
        const share = ((t - lo) / (hi - lo)) * 100;
        if (vertical) label.style.top = `${100 - share}%`;
        else label.style.left = `${share}%`;
        box.append(label);
      }
    };
    place(this.axes.x, xmin, xmax, false);
    place(this.axes.y, ymin, ymax, true);
  }

  /**
   * Draws the map of `frame` (if any; its bytes base64 or decoded) and the rows of `session` on top.
   * `opts`: {discrete, showTest, pending: [[x1, x2, target]], badge: a word for the top left corner}.
   */
  draw(session, frame, opts) {
    const { ctx, width, height } = sharpContext(this.canvas);
    ctx.clearRect(0, 0, width, height);
    const map = frame && frame.map;
    if (map) {
      if (map !== this.lastMap || opts.discrete !== this.lastDiscrete) {
        const pixels = outputPixels(map, {
          task: session.task,
          classes: session.classes || 2,
          discrete: opts.discrete,
          valueRange: session.data.value_range,
        });
        // size × size pixels (the map's `size`, else the session's `map_size`, else from the bytes)
        const size = map.size || session.map_size || Math.round(Math.sqrt(pixels.length / 4));
        this.image.width = size;
        this.image.height = size;
        this.image.getContext('2d').putImageData(new ImageData(pixels, size, size), 0, 0);
        this.lastMap = map;
        this.lastDiscrete = opts.discrete;
      }
      ctx.imageSmoothingEnabled = !opts.discrete;
      ctx.drawImage(this.image, 0, 0, width, height);
    } else {
      ctx.fillStyle = '#f4f5f7';
      ctx.fillRect(0, 0, width, height);
    }
    if (!session.map) {
      ctx.fillStyle = '#6b7280';
      ctx.font = '13px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(`No map: the data has ${session.data.columns} columns, not 2.`, width / 2, height / 2);
      return;
    }
    // The dots change only with the session and the checkboxes: drawn once on their own canvas.
    const key = `${session.id}:${opts.showTest}:${(opts.pending || []).length}:${this.canvas.width}x${this.canvas.height}`;
    if (key !== this.dotsKey) {
      this.drawDots(session, opts);
      this.dotsKey = key;
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.dots, 0, 0);
    if (opts.badge) this.drawBadge(opts.badge);
  }

  /** A small label on a white tab in the top left corner (the epoch of a map from the past). */
  drawBadge(text) {
    const dpr = window.devicePixelRatio || 1;
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = '600 12px system-ui, sans-serif';
    const width = ctx.measureText(text).width + 14;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.92)';
    ctx.beginPath();
    ctx.roundRect(6, 6, width, 20, 4);
    ctx.fill();
    ctx.fillStyle = '#0f766e';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, 13, 16.5);
  }

  /** The data's rows as dots, on `this.dots` (the same size as the map's canvas). */
  drawDots(session, opts) {
    const dpr = window.devicePixelRatio || 1;
    this.dots.width = this.canvas.width;
    this.dots.height = this.canvas.height;
    const ctx = this.dots.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const width = this.canvas.width / dpr;
    const height = this.canvas.height / dpr;
    const { domain } = session.data;
    const dot = (row, stroke, radius) => {
      const [px, py] = dataToPixel(row[0], row[1], domain, width, height);
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      ctx.fillStyle = css(this.pointColor(session, row[row.length - 1]));
      ctx.fill();
      ctx.lineWidth = Math.min(1, radius / 2);
      ctx.strokeStyle = stroke;
      ctx.stroke();
    };
    const radius = (session.data.train.length > 1500 ? 2.2 : 3) * this.dotScale;
    // Training dots have a white rim; a regression's pale dots need a grey one to show on white.
    const rim = session.task === 'regression' ? 'rgba(55,65,81,0.45)' : 'rgba(255,255,255,0.9)';
    for (const row of session.data.train) dot(row, rim, radius);
    if (opts.showTest) for (const row of session.data.test) dot(row, '#111827', radius);
    for (const row of opts.pending || []) dot(row, '#111827', 5);
  }

  pointColor(session, target) {
    if (session.task === 'regression') {
      const [lo, hi] = session.data.value_range || [0, 1];
      return valueColor(target, lo, hi);
    }
    return classColor(target);
  }
}

/** Colours of the curves: training dark, test amber. */
const TRAIN = '#374151';
const TEST = '#d97706';

/** The loss curve (and the test loss for a regression) and the accuracy curves, from a History. */
export function drawCharts(lossCanvas, accCanvas, history, task) {
  const xs = history.epoch;
  const last = history.next;
  // Both losses, as TensorFlow Playground draws them (a classification's test loss comes from
  // the frames' test_losses).
  const loss = [{ label: 'train loss', color: TRAIN, xs, ys: history.loss }];
  if (history.testLoss.some((v) => v !== null)) {
    loss.push({ label: 'test loss', color: TEST, xs, ys: history.testLoss, dashed: true });
  }
  const l = sharpContext(lossCanvas);
  drawChart(l.ctx, l.width, l.height, loss, { kind: 'loss', lastEpoch: last });
  if (task !== 'regression') {
    const acc = [
      { label: 'train acc', color: TRAIN, xs, ys: history.trainAcc },
      { label: 'test acc', color: TEST, xs, ys: history.testAcc, dashed: true },
    ];
    const a = sharpContext(accCanvas);
    drawChart(a.ctx, a.width, a.height, acc, { kind: 'accuracy', lastEpoch: last });
  }
}
