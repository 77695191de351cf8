import test from 'node:test';
import assert from 'node:assert/strict';
import { rowsToCsv, addRow, hasSplitColumn, countRows, parseTarget } from '../owndata.js';

test('rows become CSV with a split column, training rows first', () => {
  const csv = rowsToCsv([[0.5, -1, 1], [2, 3.25, 0]], [[1e-7, 4, 1]]);
  assert.equal(csv, 'x1,x2,label,split\n0.5,-1,1,train\n2,3.25,0,train\n1e-7,4,1,test\n');
  assert.equal(countRows(csv), 3);
  assert.ok(hasSplitColumn(csv));
  assert.equal(rowsToCsv([[1, 2, 3, 0]], [], 3), 'x1,x2,x3,label,split\n1,2,3,0,train\n');
  assert.equal(rowsToCsv([], []), 'x1,x2,label,split\n');
  assert.equal(rowsToCsv([[1, 2, 0]], [], 2, 0), 'x0,x1,label,split\n1,2,0,train\n');
});

test('regression targets keep every digit', () => {
  const v = 0.1 + 0.2;
  const csv = rowsToCsv([[1, 2, v]], []);
  assert.equal(Number(csv.split('\n')[1].split(',')[2]), v);
});

test('addRow appends without changing the input', () => {
  const rows = [[1, 2, 0]];
  const next = addRow(rows, 3, 4, 1);
  assert.deepEqual(next, [[1, 2, 0], [3, 4, 1]]);
  assert.equal(rows.length, 1);
});

test('a split column is found in any case and with quotes', () => {
  assert.ok(hasSplitColumn('a,b,label,"Split"\r\n1,2,0,train'));
  assert.ok(!hasSplitColumn('x0,x1,label\n1,2,split'));
  assert.equal(countRows('x,y,label\n1,2,0\n\n3,4,1\n'), 2);
});

test('targets from the picker', () => {
  assert.equal(parseTarget('2', 'multiclass'), 2);
  assert.equal(parseTarget('1.5', 'binary'), null);
  assert.equal(parseTarget('-1', 'binary'), null);
  assert.equal(parseTarget('-0.25', 'regression'), -0.25);
  assert.equal(parseTarget('', 'regression'), null);
  assert.equal(parseTarget('x', 'regression'), null);
});
