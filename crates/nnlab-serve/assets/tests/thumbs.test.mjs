import test from 'node:test';
import assert from 'node:assert/strict';
import { thumbPoints, random } from '../thumbs.js';

test('dataset thumbnails are the same every time, and inside the square', () => {
  for (const name of ['moons', 'circles', 'blobs', 'xor', 'gauss', 'spiral', 'plane', 'multi-gauss']) {
    const a = thumbPoints(name);
    assert.deepEqual(a, thumbPoints(name));
    assert.equal(a.length, 80);
    for (const p of a) assert.ok(Math.abs(p.x) < 1.6 && Math.abs(p.y) < 1.6, `${name}: ${p.x}, ${p.y}`);
  }
  assert.deepEqual(new Set(thumbPoints('blobs').map((p) => p.c)), new Set([0, 1, 2]));
  const r = random(1);
  for (let i = 0; i < 100; i++) {
    const u = r();
    assert.ok(u >= 0 && u < 1);
  }
});
