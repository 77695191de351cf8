// The backprop view's words and numbers: from the answer of GET /api/sessions/{id}/backprop to
// the panel's rows, and when to ask again. Pure: no DOM, tested with node --test.

import { featureLabel } from './maps.js';
import { fixed } from './format.js';

/** A number with 4 significant digits: 0.4967, -2.893, 1.235e-5, 0 (also for -0). */
export function num(x) {
  if (typeof x !== 'number') return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e4 || abs < 1e-3) return x.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

/**
 * An equation as the endpoint writes it, "z1 = X·W1 + b1        (self.z1 = np.dot(...) + ...)",
 * split into the math and the notebook's numpy line.
 */
export function splitEquation(text) {
  const m = /^(.*?)\s{2,}\((.*)\)\s*$/.exec(text || '');
  return m ? { math: m[1].trim(), code: m[2].trim() } : { math: (text || '').trim(), code: '' };
}

/**
 * The title: "Backprop for neuron 4 of layer 1", counting as the drawing does (from 1; layer
 * L is the output layer of an L-layer net).
 */
export function traceTitle(layer, unit, layers) {
  const output = layer === layers - 1;
  return `Backprop for neuron ${unit + 1} of layer ${layer + 1}${output ? ' (the output layer)' : ''}`;
}

/** What feeds each incoming weight: the input features for layer 0, else a{layer}[i]. */
export function incomingNames(layer, count, inputs = []) {
  return Array.from({ length: count }, (_, i) => (layer === 0 && inputs[i] ? featureLabel(inputs[i]) : `a${layer}[${i}]`));
}

/** Row values "2.677  −2.893  …" of a column's first rows. */
export function rowValues(first) {
  return (first || []).map(num);
}

const LOSS_NAMES = {
  binary: 'binary cross-entropy',
  multiclass: 'softmax cross-entropy',
  regression: 'mean squared error',
};

/**
 * The panel's content, stage by stage: [{stage, title, rows}], each row {key, label, eq:
 * {math, code} or null, and one of: rows (first rows) + mean, pairs ([{name, value}]), value,
 * table ({head, rows}), text}. `names`: what feeds each incoming weight; `shown`: how many
 * weights to list.
 */
export function traceSections(trace, { names = [], task = 'binary', shown = 8 } = {}) {
  const n = trace.layer + 1;
  const j = trace.unit;
  const eq = trace.equations || {};
  const f = trace.forward;
  const b = trace.backward;
  const u = trace.update;
  const count = f.w.length;
  const name = (i) => names[i] || `in ${i}`;
  const listed = Math.min(count, shown);
  const more = count - listed;
  const pairs = (values) => values.slice(0, listed).map((v, i) => ({ name: name(i), value: num(v) }));
  // (A multi-class output's a is the server's softmax across every class's z: its probability.)
  const aRow = { key: 'a', label: 'a', eq: splitEquation(eq.a), rows: rowValues(f.a.first), mean: num(f.a.mean) };
  const updates = f.w.slice(0, listed).map((w, i) => [name(i), num(w), num(b.dw[i]), num(u.w_next[i])]);
  updates.push(['bias', num(f.b), num(b.db), num(u.b_next)]);
  return [
    {
      stage: 'forward',
      title: 'Forward',
      rows: [
        { key: 'w', label: `W${n}[:, ${j}]`, eq: null, pairs: pairs(f.w), more, hint: 'the incoming weights' },
        { key: 'b', label: `b${n}[:, ${j}]`, eq: null, value: num(f.b), hint: 'the bias' },
        { key: 'z', label: 'z', eq: splitEquation(eq.z), rows: rowValues(f.z.first), mean: num(f.z.mean) },
        aRow,
      ],
    },
    {
      stage: 'loss',
      title: 'Loss',
      rows: [
        { key: 'loss', label: 'loss', eq: null, value: fixed(trace.loss), hint: `${LOSS_NAMES[task] || 'the loss'}, mean over the ${trace.rows} training rows` },
      ],
    },
    {
      stage: 'backward',
      title: 'Backward',
      rows: [
        { key: 'dz', label: 'dz', eq: splitEquation(eq.dz), rows: rowValues(b.dz.first), mean: num(b.dz.mean) },
        { key: 'dw', label: 'dW', eq: splitEquation(eq.dw), pairs: pairs(b.dw), more },
        { key: 'db', label: 'db', eq: splitEquation(eq.db), value: num(b.db) },
      ],
    },
    {
      stage: 'update',
      title: 'Update',
      rows: [
        {
          key: 'update',
          label: 'W',
          eq: splitEquation(eq.update),
          table: { head: ['from', 'w', 'dW', `w − ${num(u.lr)}·dW`], rows: updates },
          more,
        },
      ],
    },
  ];
}

/**
 * Whether to ask for the numbers again: when none are shown for this neuron (and this session
 * and learning rate), and when the epoch moved on — at once when the run is paused, every
 * `every` ms while it plays. Never while an answer is awaited or slow motion is showing.
 */
export function refreshDue({ key, epoch, run, now, fetched, busy, every = 500 }) {
  if (!key || busy) return false;
  if (!fetched || fetched.key !== key) return true;
  if (fetched.epoch === epoch) return false;
  if (run === 'playing') return now - fetched.at >= every;
  return true;
}
