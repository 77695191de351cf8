// node --test crates/nnlab-serve/assets/tests/
import test from 'node:test';
import assert from 'node:assert/strict';
import { fixed, epochLine, metricsText, logLines, short, lrChoices, percent } from '../format.js';

test('fixed rounds like Rust and Python: exact ties go to the even digit', () => {
  // Accuracies over 800 rows are k/800; 25/800 = 0.03125 is an exact binary tie.
  assert.equal(fixed(0.03125), '0.0312');
  assert.equal(fixed(0.09375), '0.0938');
  assert.equal(fixed(0.15625), '0.1562');
  assert.equal(fixed(0.84375), '0.8438');
  assert.equal(fixed(0.125, 2), '0.12');
  assert.equal(fixed(0.375, 2), '0.38');
  assert.equal(fixed(2.5, 0), '2');
  assert.equal(fixed(0.5, 0), '0');
  assert.equal(fixed(1.5, 0), '2');
});

test('fixed rounds non-ties to the nearest', () => {
  assert.equal(fixed(1.36321), '1.3632');
  assert.equal(fixed(0.18), '0.1800');
  assert.equal(fixed(0.20499999), '0.2050');
  assert.equal(fixed(0.00004), '0.0000');
  assert.equal(fixed(-0.46335), '-0.4633'); // not a tie: -0.46335 is stored a little nearer 0
  assert.equal(fixed(-0.46336), '-0.4634');
  assert.equal(fixed(12345.678912), '12345.6789');
});

test('fixed writes what is not a finite number as Rust does', () => {
  assert.equal(fixed(NaN), 'NaN');
  assert.equal(fixed(Infinity), 'inf');
  assert.equal(fixed(-Infinity), '-inf');
  assert.equal(fixed(null), '—');
  assert.equal(fixed(undefined), '—');
});

const first = { epoch: 0, loss: 1.36321, train_accuracy: 0.18, test_accuracy: 0.205 };

test("the numpy section's epoch line: the epoch 4 wide", () => {
  assert.equal(epochLine(first, 'manual'), 'Epoch    0, Loss: 1.3632, Train Acc: 0.1800, Test Acc: 0.2050');
  assert.equal(
    epochLine({ epoch: 10, loss: 0.54172, train_accuracy: 0.60375, test_accuracy: 0.66 }, 'manual'),
    'Epoch   10, Loss: 0.5417, Train Acc: 0.6038, Test Acc: 0.6600',
  );
  assert.equal(epochLine({ ...first, epoch: 12345 }), 'Epoch 12345, Loss: 1.3632, Train Acc: 0.1800, Test Acc: 0.2050');
});

test("the PyTorch section's epoch line: the epoch 3 wide", () => {
  const r = { epoch: 0, loss: 0.64653, train_accuracy: 0.54375, test_accuracy: 0.635 };
  // 0.54375 = 435/800 is a tie: PyTorch's (Python's) format rounds it to 0.5437, the even digit
  assert.equal(epochLine(r, 'autograd'), 'Epoch   0, Loss: 0.6465, Train Acc: 0.5437, Test Acc: 0.6350');
  assert.equal(epochLine({ ...r, epoch: 10 }, 'autograd').slice(0, 10), 'Epoch  10,');
});

test('a regression line shows the test loss', () => {
  assert.equal(metricsText({ epoch: 3, loss: 0.03971, test_loss: 0.05648 }), 'Loss: 0.0397, Test Loss: 0.0565');
  assert.equal(metricsText({ epoch: 3, loss: 0.5 }), 'Loss: 0.5000');
});

test('logLines keeps every 10th epoch, the last ones', () => {
  const records = Array.from({ length: 2500 }, (_, e) => ({ ...first, epoch: e }));
  const lines = logLines(records, 'manual', 10, 200);
  assert.equal(lines.length, 200);
  assert.ok(lines[0].startsWith('Epoch  500,'));
  assert.ok(lines[199].startsWith('Epoch 2490,'));
  assert.deepEqual(logLines(records.slice(0, 21), 'manual').map((l) => l.slice(0, 10)), ['Epoch    0', 'Epoch   10', 'Epoch   20']);
});

test('short numbers and choices', () => {
  assert.equal(short(0.03), '0.03');
  assert.equal(short(0), '0');
  assert.equal(short(1234.5678), '1230');
  assert.equal(short(0.00001), '1.0e-5');
  assert.equal(short(NaN), '—');
  assert.deepEqual(lrChoices(0.03).includes(0.03), true);
  const withOdd = lrChoices(0.05);
  assert.ok(withOdd.includes(0.05));
  assert.deepEqual(withOdd, [...withOdd].sort((a, b) => a - b));
  assert.equal(percent(0.8), '80%');
});
