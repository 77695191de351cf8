import test from 'node:test';
import assert from 'node:assert/strict';
import { Timeline } from '../timeline.js';

test('maps are kept in order with their epochs', () => {
  const t = new Timeline(10);
  for (let e = 0; e < 5; e++) t.add(e, `map ${e}`);
  assert.equal(t.length, 5);
  assert.deepEqual(t.items.map((i) => i.epoch), [0, 1, 2, 3, 4]);
  assert.equal(t.last().map, 'map 4');
  // A newer map of the same epoch replaces it.
  t.add(4, 'map 4 again');
  assert.equal(t.length, 5);
  assert.equal(t.last().map, 'map 4 again');
});

test('when full, every other map goes and the timeline still covers the whole run', () => {
  const t = new Timeline(300);
  for (let e = 0; e <= 10000; e += 3) t.add(e, e);
  assert.ok(t.length <= 300 && t.length >= 100, `${t.length} kept`);
  assert.equal(t.at(0).epoch, 0);
  assert.equal(t.last().epoch, 9999); // the newest is always there
  // Evenly spread: no gap much larger than the average.
  const gaps = t.items.slice(1).map((it, i) => it.epoch - t.items[i].epoch);
  const mean = 9999 / (t.length - 1);
  assert.ok(Math.max(...gaps) <= 2.5 * mean, `largest gap ${Math.max(...gaps)}, mean ${mean}`);
  for (const g of gaps) assert.ok(g > 0);
});

test('an older epoch than the last starts over; clear forgets', () => {
  const t = new Timeline(10);
  t.add(0, 'a');
  t.add(5, 'b');
  t.add(0, 'c');
  assert.deepEqual(t.items.map((i) => i.map), ['c']);
  t.clear();
  assert.equal(t.length, 0);
  assert.equal(t.last(), null);
});

test('indexOf finds a kept map, or the nearest one to a map thinned out', () => {
  const t = new Timeline(8);
  const items = [];
  for (let e = 0; e < 8; e++) items.push(t.add(e * 10, e));
  assert.equal(t.indexOf(items[3]), 3);
  t.add(80, 8); // full: thinned
  const i = t.indexOf(items[3]);
  assert.ok(Math.abs(t.at(i).epoch - 30) <= 10);
  assert.equal(t.indexOf(null), -1);
});

test("the server's timeline replaces the maps kept; newer live maps stay after it", () => {
  const t = new Timeline(10);
  t.add(0, 'live 0');
  t.add(7, 'live 7');
  t.add(20, 'live 20');
  t.add(21, 'live 21');
  const fetched = [0, 4, 8, 12, 16, 20].map((epoch) => ({ epoch, map: `server ${epoch}` }));
  t.replace(fetched, 4);
  assert.deepEqual(t.items.map((i) => i.map), ['server 0', 'server 4', 'server 8', 'server 12', 'server 16', 'server 20', 'live 21']);
  assert.equal(t.spacing, 4);
  // Live maps go on from there.
  t.add(25, 'live 25');
  assert.equal(t.last().map, 'live 25');
  // Too many for `max`: thinned, the first and the newest kept.
  t.replace(Array.from({ length: 21 }, (_, epoch) => ({ epoch, map: epoch })), 1);
  assert.ok(t.length <= 10);
  assert.equal(t.at(0).epoch, 0);
  assert.equal(t.last().map, 'live 25');
  // An empty timeline (a session without maps) leaves the live maps.
  const u = new Timeline(10);
  u.add(3, 'live 3');
  u.replace([], 1);
  assert.deepEqual(u.items.map((i) => i.map), ['live 3']);
});
