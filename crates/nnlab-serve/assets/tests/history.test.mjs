import test from 'node:test';
import assert from 'node:assert/strict';
import { History } from '../history.js';
import { logLines } from '../format.js';

const rec = (epoch) => ({ epoch, loss: 1 / (epoch + 1), train_accuracy: 0.5, test_accuracy: 0.25, weight_norms: [1] });

test('records go in and come back out', () => {
  const h = new History();
  assert.equal(h.length, 0);
  assert.equal(h.next, 0);
  assert.equal(h.last(), null);
  for (let e = 0; e < 5; e++) h.push(rec(e));
  assert.equal(h.length, 5);
  assert.equal(h.next, 5);
  assert.deepEqual(h.last(), { epoch: 4, loss: 0.2, train_accuracy: 0.5, test_accuracy: 0.25 });
  h.push({ epoch: 5, loss: 0.1, test_loss: 0.2 });
  assert.deepEqual(h.last(), { epoch: 5, loss: 0.1, test_loss: 0.2 });
});

test('dropFrom forgets the later epochs (a reset, a replayed stream)', () => {
  const h = new History();
  for (let e = 0; e < 30; e++) h.push(rec(e));
  assert.equal(h.dropFrom(30), false);
  assert.equal(h.dropFrom(12), true);
  assert.equal(h.length, 12);
  assert.equal(h.next, 12);
  assert.equal(h.trainAcc.length, 12);
  assert.equal(h.dropFrom(0), true);
  assert.equal(h.length, 0);
});

test('the log lines equal format.js logLines over the same records', () => {
  const h = new History();
  const records = [];
  for (let e = 0; e < 2345; e++) {
    h.push(rec(e));
    records.push(rec(e));
  }
  assert.deepEqual(h.logLines('manual'), logLines(records, 'manual'));
  assert.deepEqual(h.logLines('autograd', 10, 3), logLines(records, 'autograd', 10, 3));
  assert.equal(h.logLines('manual')[0], logLines(records, 'manual')[0]);
});
