import test from 'node:test';
import assert from 'node:assert/strict';
import { decimate, yRange } from '../chart.js';

test('short series are drawn as they are', () => {
  const out = decimate([0, 1, 2], [3, 2, 1], 10);
  assert.deepEqual(out, { xs: [0, 1, 2], ys: [3, 2, 1] });
});

test('decimate keeps the shape: spikes, the lowest point and the last point', () => {
  const n = 100000;
  const xs = Array.from({ length: n }, (_, i) => i);
  const ys = xs.map((i) => 1 / (1 + i));
  ys[31337] = 50; // a spike
  const out = decimate(xs, ys, 600);
  assert.ok(out.xs.length <= 620, `${out.xs.length} points`);
  assert.ok(out.ys.includes(50), 'the spike stays');
  assert.equal(out.xs[out.xs.length - 1], n - 1);
  assert.equal(out.ys[0], 1);
  for (let i = 1; i < out.xs.length; i++) assert.ok(out.xs[i] > out.xs[i - 1], 'in epoch order');
});

test('the y range starts at 0 and skips what is not finite', () => {
  assert.deepEqual(yRange([{ ys: [0.9, 0.95] }], 'accuracy'), [0, 1]);
  const [lo, hi] = yRange([{ ys: [1.5, 0.5, NaN, Infinity] }, { ys: [2] }], 'loss');
  assert.equal(lo, 0);
  assert.ok(hi > 2 && hi < 2.2);
  assert.deepEqual(yRange([{ ys: [] }], 'loss'), [0, 1]);
  assert.deepEqual(yRange([{ ys: [-1, 1] }], 'loss').map((v) => Math.round(v * 100) / 100), [-1, 1.05]);
});
