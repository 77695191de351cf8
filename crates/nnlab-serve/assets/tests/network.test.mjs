import test from 'node:test';
import assert from 'node:assert/strict';
import { links, maxAbsWeight, neuronSide, plural } from '../network.js';

// A 2-3-1 network's parameters as the frame sends them (PyTorch's [out, in] weights, row-major).
const parameters = [
  { name: 'network.0.weight', shape: [3, 2], values: [1, 2, 3, 4, 5, 6] },
  { name: 'network.0.bias', shape: [3], values: [0, 0, 0] },
  { name: 'network.2.weight', shape: [1, 3], values: [-7, 8, -9] },
  { name: 'network.2.bias', shape: [1], values: [0] },
];

test('links read [out, in] weights: w[to][from]', () => {
  const list = links(parameters, [2, 3, 1]);
  assert.equal(list.length, 2 * 3 + 3 * 1);
  const w = (layer, from, to) => list.find((l) => l.layer === layer && l.from === from && l.to === to).w;
  assert.equal(w(0, 0, 0), 1);
  assert.equal(w(0, 1, 0), 2);
  assert.equal(w(0, 0, 2), 5);
  assert.equal(w(0, 1, 2), 6);
  assert.equal(w(1, 2, 0), -9);
  assert.equal(maxAbsWeight(list), 9);
});

test('links also read [in, out] weights, and nested values', () => {
  const list = links([{ name: 'w', shape: [2, 3], values: [[1, 2, 3], [4, 5, 6]] }], [2, 3]);
  const w = (from, to) => list.find((l) => l.from === from && l.to === to).w;
  assert.equal(w(0, 2), 3);
  assert.equal(w(1, 0), 4);
});

test('weights that do not fit the widths draw nothing', () => {
  assert.deepEqual(links([{ name: 'w', shape: [5, 5], values: new Array(25).fill(1) }], [2, 3]), []);
  assert.deepEqual(links(undefined, [2, 3]), []);
  assert.equal(maxAbsWeight([]), 0);
  assert.equal(maxAbsWeight([{ w: NaN }, { w: -2 }]), 2);
});

test('neurons shrink for tall columns, within bounds', () => {
  assert.equal(neuronSide(1), 40);
  assert.ok(neuronSide(8) < 40 && neuronSide(8) >= 14);
  assert.equal(neuronSide(100), 14);
  assert.equal(plural(1, 'hidden layer'), '1 hidden layer');
  assert.equal(plural(0, 'neuron'), '0 neurons');
});
