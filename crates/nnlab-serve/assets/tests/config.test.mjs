import test from 'node:test';
import assert from 'node:assert/strict';
import {
  applyChanges, sendable, setLayerActivation, configDiff, encodeState, decodeState, testShare, changeLayers, changeUnits, toggleInput,
} from '../config.js';

// The shape of a resolved config, as the server answers it (fields of run.json's "config").
const preset = {
  dataset: 'circles', samples: 500, noise: 0.1, factor: 0.5, test_size: 0.5, seed: 42, data_seed: 42,
  split_seed: 42, init_seed: 42, hidden: [4, 2], activation: 'tanh', lr: 0.03, epochs: 10000,
  optimizer: 'sgd', momentum: 0, weight_decay: 0, l1: 0, l2: 0, engine: 'manual', init: 'torch', dtype: 'f64',
};

test('a new seed clears the seeds that default to it', () => {
  const next = applyChanges(preset, { seed: 7 });
  assert.equal(next.seed, 7);
  assert.equal(next.data_seed, null);
  assert.equal(next.split_seed, null);
  assert.equal(next.init_seed, null);
  assert.equal(next.hidden, preset.hidden);
});

test('a seed set together with the seed is kept', () => {
  const next = applyChanges(preset, { seed: 7, init_seed: 3 });
  assert.equal(next.init_seed, 3);
  assert.equal(next.data_seed, null);
});

test("a new dataset clears the old dataset's own settings", () => {
  const next = applyChanges(preset, { dataset: 'xor' });
  assert.equal(next.dataset, 'xor');
  assert.equal(next.noise, null);
  assert.equal(next.factor, null);
  assert.equal(next.task, null);
  assert.equal(next.samples, 500);
});

test('a new optimizer clears the old one’s settings', () => {
  const next = applyChanges(preset, { optimizer: 'adam' });
  assert.equal(next.momentum, null);
  assert.equal(next.weight_decay, null);
});

test('one activation per layer falls back to one for all when the layer count changes', () => {
  const c = { ...preset, activation: 'relu,tanh' };
  assert.equal(applyChanges(c, { hidden: [4, 2, 2] }).activation, 'relu');
  assert.equal(applyChanges(c, { hidden: [8, 2] }).activation, 'relu,tanh');
});

test('applyChanges leaves its input alone', () => {
  const copy = JSON.parse(JSON.stringify(preset));
  applyChanges(preset, { seed: 1, dataset: 'moons' });
  assert.deepEqual(preset, copy);
});

test('configDiff lists changed, added and removed fields', () => {
  const d = configDiff({ a: 1, b: [1, 2], c: 3 }, { a: 1, b: [1, 3], d: 4 });
  assert.deepEqual(d, { b: [1, 3], c: null, d: 4 });
});

test('the URL holds only what differs from the preset', () => {
  assert.equal(encodeState(preset, preset), '');
  const c = { ...preset, lr: 0.1, hidden: [8], activation: 'relu' };
  assert.equal(encodeState(c, preset), '?hidden=8&activation=relu&lr=0.1');
  assert.equal(encodeState(c, preset, ['optimizer', 'features']), '?hidden=8&activation=relu&lr=0.1&hide=optimizer,features');
});

test('the URL leaves out what the server derives again', () => {
  // seeds equal to the seed, and fields a changed dataset clears anyway
  const c = { ...preset, seed: 7, data_seed: 7, split_seed: 7, init_seed: 7, dataset: 'moons', noise: 0.125 };
  delete c.factor;
  assert.equal(encodeState(c, preset), '?dataset=moons&noise=0.125&seed=7');
});

test('the URL round-trips through decodeState and applyChanges', () => {
  const cases = [
    { ...preset, lr: 0.003, hidden: [], inputs: ['x1', 'x2', 'x1^2', 'sin(x1)'] },
    { ...preset, seed: 9, data_seed: 9, split_seed: 9, init_seed: 9 },
    { ...preset, seed: 9, data_seed: 1, split_seed: 9, init_seed: 2, batch_size: 10 },
    { ...preset, seed: 9, data_seed: 42, split_seed: 9, init_seed: 9 },
    { ...preset, dataset: 'xor', noise: 0.1, factor: undefined },
    { ...preset, optimizer: 'adam', momentum: undefined, betas: [0.9, 0.999], eps: 1e-8, nesterov: true },
  ];
  for (const c of cases) {
    for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
    const { changes, hide, ignored } = decodeState(encodeState(c, preset, ['lr']));
    assert.deepEqual(hide, ['lr']);
    assert.deepEqual(ignored, []);
    const back = applyChanges(preset, changes);
    // What the server would fill in: nulls become the defaults (here: seeds default to the seed).
    for (const s of ['data_seed', 'split_seed', 'init_seed']) if (back[s] === null) back[s] = back.seed;
    for (const [k, v] of Object.entries(back)) if (v === null) delete back[k];
    assert.deepEqual(back, c);
  }
});

test('decodeState reads types, empty values and unknown names', () => {
  const { changes, hide, ignored } = decodeState('?lr=0.1&hidden=8,4&inputs=x1,x1%5E2&nesterov=true&noise=&hidden2=3&lr2&samples=abc#x');
  assert.deepEqual(changes, { lr: 0.1, hidden: [8, 4], inputs: ['x1', 'x1^2'], nesterov: true, noise: null });
  assert.deepEqual(hide, []);
  assert.deepEqual(ignored.sort(), ['hidden2', 'lr2', 'samples']);
  assert.deepEqual(decodeState('hidden=').changes, { hidden: [] });
  assert.deepEqual(decodeState('#dataset=xor&hide=optimizer, features').changes, { dataset: 'xor' });
  assert.deepEqual(decodeState('hide=optimizer,features,').hide, ['optimizer', 'features']);
  assert.deepEqual(decodeState('').changes, {});
});

test('testShare reads a share or a row count', () => {
  assert.equal(testShare({ test_size: 0.2 }), 0.2);
  assert.equal(testShare({ test_size: 200, samples: 1000 }), 0.2);
  assert.equal(testShare({}), null);
});

test('layers and units stay within the limits', () => {
  const limits = { max_layers: 3, max_units: 8 };
  assert.deepEqual(changeLayers([4, 2], +1, limits), [4, 2, 2]);
  assert.deepEqual(changeLayers([4, 2, 2], +1, limits), [4, 2, 2]);
  assert.deepEqual(changeLayers([], +1, limits), [4]);
  assert.deepEqual(changeLayers([4], -1, limits), [4]); // at least one hidden layer
  assert.deepEqual(changeLayers([], -1, limits), []);
  assert.deepEqual(changeUnits([4, 2], 0, +1, limits), [5, 2]);
  assert.deepEqual(changeUnits([8, 2], 0, +1, limits), [8, 2]);
  assert.deepEqual(changeUnits([4, 1], 1, -1, limits), [4, 1]);
});

test('features toggle in the offered order; the last one stays', () => {
  const order = ['x1', 'x2', 'x1^2', 'x2^2'];
  assert.deepEqual(toggleInput(['x1', 'x2'], 'x2^2', order), ['x1', 'x2', 'x2^2']);
  assert.deepEqual(toggleInput(['x2^2', 'x1'], 'x1^2', order), ['x1', 'x1^2', 'x2^2']);
  assert.deepEqual(toggleInput(['x1', 'x2'], 'x1', order), ['x2']);
  assert.deepEqual(toggleInput(['x2'], 'x2', order), ['x2']);
});

test('the page sends only the fields the server takes', () => {
  const resolved = { ...preset, device: 'cpu', data: 'data.csv', threads: 2, lr: 0.1, task: null };
  const sent = sendable(resolved);
  assert.equal(sent.device, undefined);
  assert.equal(sent.data, undefined);
  assert.equal(sent.threads, undefined);
  assert.equal(sent.lr, 0.1);
  assert.ok('task' in sent && sent.task === null, 'a null is sent: it removes the field');
});

test('one hidden layer\'s activation', () => {
  assert.equal(setLayerActivation('relu', 2, 1, 'tanh'), 'relu,tanh');
  assert.equal(setLayerActivation('relu,tanh', 2, 1, 'relu'), 'relu'); // all alike: one name
  assert.equal(setLayerActivation('tanh', 1, 0, 'sigmoid'), 'sigmoid');
  assert.equal(setLayerActivation('relu,tanh', 3, 2, 'linear'), 'relu,relu,linear'); // a list of another length: its first for all
});
