import test from 'node:test';
import assert from 'node:assert/strict';
import {
  otherEngine, compareConfig, engineLabel, lossGap, gapText,
} from '../compare.js';

test('the second session takes the other engine and keeps everything else', () => {
  assert.equal(otherEngine('manual'), 'autograd');
  assert.equal(otherEngine('autograd'), 'manual');
  const config = { engine: 'manual', init: 'notebook', dtype: 'f64', lr: 0.1, hidden: [8] };
  assert.deepEqual(compareConfig(config), { ...config, engine: 'autograd' });
  assert.equal(config.engine, 'manual');
  assert.equal(engineLabel('autograd'), 'autograd (candle)');
  assert.equal(engineLabel('manual'), 'hand-written (numpy)');
});

const history = (epochs, losses) => ({ epoch: epochs, loss: losses });

test('the loss gap compares the same epochs, and goes on from where it was', () => {
  const a = history([0, 1, 2, 3], [1.0, 0.8, 0.6, 0.5]);
  const b = history([0, 1], [1.0, 0.8 + 1e-16]);
  const first = lossGap(a, b);
  assert.equal(first.count, 2);
  assert.equal(first.next, 2);
  assert.ok(first.max > 0 && first.max < 1e-15);
  b.epoch.push(2, 3);
  b.loss.push(0.6, 0.55);
  const second = lossGap(a, b, first);
  assert.equal(second.count, 4);
  assert.equal(second.next, 4);
  assert.ok(Math.abs(second.max - 0.05) < 1e-12);
  // Nothing new: the same answer.
  assert.deepEqual(lossGap(a, b, second), second);
});

test('epochs missing on one side are skipped; NaN on one side is an infinite gap', () => {
  const a = history([0, 2, 3], [1, 2, NaN]);
  const b = history([0, 1, 2, 3], [1, 5, 2.5, NaN]);
  assert.deepEqual(lossGap(a, b), { max: 0.5, next: 4, count: 3 });
  assert.equal(lossGap(history([0], [NaN]), history([0], [1])).max, Infinity);
});

test('gaps are written rounded up, as they follow "≤"', () => {
  assert.equal(gapText(0), '0');
  assert.equal(gapText(2.2e-16), '3e-16');
  assert.equal(gapText(3e-16), '3e-16');
  assert.equal(gapText(9.5e-8), '1e-7');
  assert.equal(gapText(0.0123), '0.013');
  assert.equal(gapText(Infinity), 'inf');
});
