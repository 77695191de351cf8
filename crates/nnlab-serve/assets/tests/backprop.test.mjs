import test from 'node:test';
import assert from 'node:assert/strict';
import {
  num, splitEquation, traceTitle, incomingNames, traceSections, refreshDue,
} from '../backprop.js';

// The answer of GET /api/sessions/{id}/backprop?layer=0&unit=3 for the notebook's config at
// epoch 0 (nnlab serve, this commit), cut to its shape.
const trace = {
  epoch: 0, layer: 0, unit: 3, output_layer: false, rows: 800, activation: 'relu', loss: 1.3631690742618756,
  equations: {
    z: 'z1 = X·W1 + b1        (self.z1 = np.dot(X, self.W1) + self.b1)',
    a: 'a1 = relu(z1)        (self.a1 = self.relu(self.z1))',
    dz: "dz1 = (dz2·W2ᵀ) ⊙ relu'(z1)        (dz1 = np.dot(dz2, self.W2.T) * self.relu_derivative(self.z1))",
    dw: 'dW1 = (1/m)·Xᵀ·dz1        (dW1 = (1/m) * np.dot(X.T, dz1))',
    db: 'db1 = (1/m)·Σ dz1        (db1 = (1/m) * np.sum(dz1, axis=0, keepdims=True))',
    update: 'W1 ← W1 − lr·dW1        (self.W1 -= self.lr * dW1)',
  },
  forward: {
    w: [1.5230298564080254, -0.46572975357025687], b: 0,
    z: { first: [2.6770805126785686, -2.8925588550960852, -1.9110777459440793, -1.6667882985184572, 0.23520944922839823], mean: -1.0935696792557792e-16 },
    a: { first: [2.6770805126785686, 0, 0, 0, 0.23520944922839823], mean: 0.7662250122314538 },
  },
  backward: {
    dz: { first: [0.4645876557204735, -0, -0, -0, 0.3298959318813276], mean: 0.14865356707838603 },
    dw: [0.1519590912088569, -0.161078625732093], db: 0.14865356707838603,
  },
  update: {
    lr: 0.1, w_next: [1.5078339472871396, -0.4496218909970476], b_next: -0.014865356707838603, plain_sgd: true,
    note: "the next epoch's full-batch step, exactly as the notebook's update",
  },
};

test('numbers show 4 significant digits, small ones in e-notation', () => {
  assert.equal(num(1.5230298564080254), '1.523');
  assert.equal(num(-0.46572975357025687), '-0.4657');
  assert.equal(num(-1.0935696792557792e-16), '-1.094e-16');
  assert.equal(num(-0), '0');
  assert.equal(num(0.0005), '5e-4');
  assert.equal(num(123456), '1.235e5');
  assert.equal(num(NaN), 'NaN');
  assert.equal(num(undefined), '—');
});

test("an equation splits into its math and the notebook's numpy line", () => {
  assert.deepEqual(splitEquation(trace.equations.z), { math: 'z1 = X·W1 + b1', code: 'self.z1 = np.dot(X, self.W1) + self.b1' });
  assert.deepEqual(splitEquation('a2 = softmax(z2) across the classes'), { math: 'a2 = softmax(z2) across the classes', code: '' });
  assert.deepEqual(splitEquation(undefined), { math: '', code: '' });
});

test('titles and incoming names count as the drawing does', () => {
  assert.equal(traceTitle(0, 3, 2), 'Backprop for neuron 4 of layer 1');
  assert.equal(traceTitle(1, 0, 2), 'Backprop for neuron 1 of layer 2 (the output layer)');
  assert.deepEqual(incomingNames(0, 2, ['x0', 'x1']), ['x₀', 'x₁']);
  assert.deepEqual(incomingNames(1, 3, ['x0', 'x1']), ['a1[0]', 'a1[1]', 'a1[2]']);
});

test('the sections hold the forward numbers, the loss, the backward numbers and the update', () => {
  const sections = traceSections(trace, { names: ['x₀', 'x₁'], task: 'binary' });
  assert.deepEqual(sections.map((s) => s.stage), ['forward', 'loss', 'backward', 'update']);
  const row = (stage, key) => sections.find((s) => s.stage === stage).rows.find((r) => r.key === key);
  assert.equal(row('forward', 'w').label, 'W1[:, 3]');
  assert.deepEqual(row('forward', 'w').pairs, [{ name: 'x₀', value: '1.523' }, { name: 'x₁', value: '-0.4657' }]);
  assert.equal(row('forward', 'b').value, '0');
  assert.equal(row('forward', 'z').eq.math, 'z1 = X·W1 + b1');
  assert.deepEqual(row('forward', 'a').rows, ['2.677', '0', '0', '0', '0.2352']);
  assert.equal(row('forward', 'a').mean, '0.7662');
  assert.equal(row('loss', 'loss').value, '1.3632');
  assert.match(row('loss', 'loss').hint, /binary cross-entropy, mean over the 800 training rows/);
  assert.deepEqual(row('backward', 'dz').rows, ['0.4646', '0', '0', '0', '0.3299']);
  assert.deepEqual(row('backward', 'dw').pairs.map((p) => p.value), ['0.152', '-0.1611']);
  assert.equal(row('backward', 'db').value, '0.1487');
  const update = row('update', 'update');
  assert.equal(update.eq.code, 'self.W1 -= self.lr * dW1');
  assert.deepEqual(update.table.head, ['from', 'w', 'dW', 'w − 0.1·dW']);
  assert.deepEqual(update.table.rows, [
    ['x₀', '1.523', '0.152', '1.508'], ['x₁', '-0.4657', '-0.1611', '-0.4496'], ['bias', '0', '0.1487', '-0.01487'],
  ]);
  assert.equal(update.more, 0);
});

test('long weight lists are cut, saying how many more', () => {
  const wide = {
    ...trace,
    forward: { ...trace.forward, w: new Array(20).fill(0.5) },
    backward: { ...trace.backward, dw: new Array(20).fill(0.1) },
    update: { ...trace.update, w_next: new Array(20).fill(0.49) },
  };
  const sections = traceSections(wide, { shown: 8 });
  const w = sections[0].rows[0];
  assert.equal(w.pairs.length, 8);
  assert.equal(w.more, 12);
  assert.equal(sections[3].rows[0].table.rows.length, 9); // 8 weights and the bias
});

test('numbers are asked for again when due: paused at once, playing every 0.5 s', () => {
  const base = { key: 's:0:3:0.1', epoch: 5, run: 'paused', now: 1000, busy: false };
  assert.equal(refreshDue({ ...base, fetched: null }), true);
  assert.equal(refreshDue({ ...base, key: null, fetched: null }), false);
  assert.equal(refreshDue({ ...base, fetched: { key: 's:0:3:0.1', epoch: 5, at: 0 } }), false);
  assert.equal(refreshDue({ ...base, fetched: { key: 's:0:2:0.1', epoch: 5, at: 990 } }), true);
  assert.equal(refreshDue({ ...base, fetched: { key: 's:0:3:0.1', epoch: 4, at: 990 } }), true);
  const playing = { ...base, run: 'playing' };
  assert.equal(refreshDue({ ...playing, fetched: { key: 's:0:3:0.1', epoch: 4, at: 700 } }), false);
  assert.equal(refreshDue({ ...playing, fetched: { key: 's:0:3:0.1', epoch: 4, at: 500 } }), true);
  assert.equal(refreshDue({ ...base, busy: true, fetched: null }), false);
});

test("an output neuron's a is shown", () => {
  // Binary outputs (sigmoid of the one z) show their numbers.
  const binary = traceSections({ ...trace, layer: 1, output_layer: true }, { task: 'binary' })[0].rows.find((r) => r.key === 'a');
  assert.deepEqual(binary.rows, ['2.677', '0', '0', '0', '0.2352']);
});
