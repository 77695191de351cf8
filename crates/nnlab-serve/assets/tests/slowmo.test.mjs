import test from 'node:test';
import assert from 'node:assert/strict';
import {
  slowMotionPlan, stepAt, planLength, STAGES, STAGE_MS,
} from '../slowmo.js';

test('four stages in order, about 0.8 s each', () => {
  const plan = slowMotionPlan([2, 4, 2, 1], 0);
  const stages = plan.map((s) => s.stage).filter((s, i, a) => a[i - 1] !== s);
  assert.deepEqual(stages, STAGES);
  assert.equal(planLength(plan), 4 * STAGE_MS);
  for (const stage of STAGES) {
    const steps = plan.filter((s) => s.stage === stage);
    const length = steps.reduce((sum, s) => sum + s.end - s.start, 0);
    assert.ok(Math.abs(length - STAGE_MS) < 1e-9, `${stage} lasts ${length} ms`);
  }
  // Steps follow each other without gaps.
  plan.slice(1).forEach((s, i) => assert.equal(s.start, plan[i].end));
});

test('forward lights the layers from the inputs on, backward from the output back', () => {
  const plan = slowMotionPlan([2, 4, 2, 1], 1, { stageMs: 300 });
  const forward = plan.filter((s) => s.stage === 'forward');
  assert.deepEqual(forward.map((s) => s.links), [[0], [0, 1], [0, 1, 2]]);
  assert.deepEqual(forward.map((s) => s.nodes), [[0, 1], [0, 1, 2], [0, 1, 2, 3]]);
  assert.ok(forward.every((s) => s.direction === 'forward'));
  const backward = plan.filter((s) => s.stage === 'backward');
  assert.deepEqual(backward.map((s) => s.links), [[2], [1, 2], [0, 1, 2]]);
  assert.deepEqual(backward.map((s) => s.nodes), [[3], [2, 3], [1, 2, 3]]);
  assert.ok(backward.every((s) => s.direction === 'backward'));
  const loss = plan.find((s) => s.stage === 'loss');
  assert.deepEqual(loss.nodes, [3]);
  const update = plan.find((s) => s.stage === 'update');
  assert.deepEqual([update.links, update.nodes, update.focus], [[1], [2], true]);
});

test("the neuron's numbers appear when the wave reaches its layer", () => {
  const plan = slowMotionPlan([2, 4, 2, 1], 1);
  const forward = plan.filter((s) => s.stage === 'forward');
  assert.deepEqual(forward.map((s) => s.reveal.includes('z')), [false, true, true]);
  assert.ok(forward[0].reveal.includes('w'));
  const backward = plan.filter((s) => s.stage === 'backward');
  assert.deepEqual(backward.map((s) => s.reveal.includes('dz')), [false, true, true]);
  assert.ok(!plan.find((s) => s.stage === 'loss').reveal.includes('dz'));
  assert.ok(plan.find((s) => s.stage === 'loss').reveal.includes('loss'));
  const update = plan.find((s) => s.stage === 'update');
  for (const key of ['w', 'b', 'z', 'a', 'loss', 'dz', 'dw', 'db', 'update']) assert.ok(update.reveal.includes(key), key);
  // The output neuron of a net without hidden layers: one link layer.
  const small = slowMotionPlan([2, 1], 0);
  assert.deepEqual(small.map((s) => s.stage), STAGES);
  assert.ok(small[0].reveal.includes('a') && small[2].reveal.includes('db'));
});

test('stepAt finds the step showing at a time, and null after the end', () => {
  const plan = slowMotionPlan([2, 8, 1], 1, { stageMs: 100 });
  assert.equal(stepAt(plan, 0).stage, 'forward');
  assert.deepEqual(stepAt(plan, 60).links, [0, 1]);
  assert.equal(stepAt(plan, 150).stage, 'loss');
  assert.equal(stepAt(plan, 250).stage, 'backward');
  assert.equal(stepAt(plan, 399).stage, 'update');
  assert.equal(stepAt(plan, 400), null);
  assert.equal(stepAt([], 0), null);
});
