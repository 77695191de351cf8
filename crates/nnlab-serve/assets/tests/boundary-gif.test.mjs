import test from 'node:test';
import assert from 'node:assert/strict';
import {
  gifPalette, boundaryFrame, boundaryGif, drawLabel, mapLayer, LEVELS,
} from '../boundary-gif.js';
import { binaryColor, classColor, multiclassColor, regressionColor } from '../colors.js';

const map = (size, fill, extra = {}) => ({ size, lo: 0, hi: 1, values: new Uint8Array(size * size).fill(fill), ...extra });
const domain = [-1, 1, -1, 1];

test("palettes come from the page's colour maps and fit in 256 colours", () => {
  const binary = gifPalette('binary');
  assert.equal(binary.levels, LEVELS);
  assert.ok(binary.colors.length <= 255);
  assert.equal(binary.unused, binary.colors.length);
  assert.deepEqual(binary.colors[binary.base], binaryColor(0));
  assert.deepEqual(binary.colors[binary.base + LEVELS - 1], binaryColor(1));
  assert.deepEqual(binary.colors[binary.dot(1)], classColor(1));
  assert.deepEqual(binary.colors[binary.dot(0)], classColor(0));
  for (const k of [2, 3, 10]) {
    const multi = gifPalette('multiclass', k);
    assert.ok(multi.colors.length <= 255, `${k} classes: ${multi.colors.length} colours`);
    assert.deepEqual(multi.colors[multi.base + (k - 1) * multi.levels + multi.levels - 1], multiclassColor(k - 1, 1, k));
    assert.deepEqual(multi.colors[multi.dot(k - 1)], classColor(k - 1));
  }
  const regression = gifPalette('regression', 2, [-1, 1]);
  assert.ok(regression.colors.length <= 255);
  assert.equal(regression.unused, 255);
  assert.deepEqual(regression.colors[regression.base], regressionColor(0, 0, 1));
});

test('a frame maps the values to palette levels and draws the dots on top', () => {
  const palette = gifPalette('binary');
  const scene = { task: 'binary', domain, points: [{ x: 0, y: 0, target: 1, rim: 'white' }] };
  const frame = boundaryFrame(map(4, 255), scene, palette, 200);
  assert.equal(frame.length, 200 * 200);
  assert.equal(frame[0], palette.base + LEVELS - 1); // P = 1 everywhere
  assert.equal(frame[100 * 200 + 100], palette.dot(1)); // the dot at the centre
  assert.equal(frame[100 * 200 + 102], palette.white); // its rim
  assert.equal(frame[100 * 200 + 104], palette.base + LEVELS - 1); // and the map beyond
  // Half the map at 0 and half at 1: smoothed, the middle passes through the levels between.
  const half = map(2, 0);
  half.values.set([0, 255, 0, 255]);
  const smooth = boundaryFrame(half, { task: 'binary', domain }, palette, 40)
    .slice(20 * 40, 21 * 40).map((i) => i - palette.base);
  assert.equal(smooth[0], 0);
  assert.equal(smooth[39], LEVELS - 1);
  assert.ok(smooth.some((l) => l > 50 && l < LEVELS - 50));
  const discrete = boundaryFrame(half, { task: 'binary', domain, discrete: true }, palette, 40)
    .slice(20 * 40, 21 * 40).map((i) => i - palette.base);
  assert.ok(discrete.every((l) => l === 0 || l === LEVELS - 1));
});

test('a pixel within one level of the frame before keeps what it showed', () => {
  const palette = gifPalette('binary');
  const scene = { task: 'binary', domain };
  const before = mapLayer(map(2, 100), scene, palette, 4);
  const near = mapLayer(map(2, 101), scene, palette, 4); // about 0.94 levels further
  assert.notDeepEqual(near, before);
  assert.deepEqual(mapLayer(map(2, 101), scene, palette, 4, before), before);
  const far = mapLayer(map(2, 110), scene, palette, 4, before);
  assert.deepEqual(far, mapLayer(map(2, 110), scene, palette, 4));
});

test('a multi-class frame takes each pixel from the winning class', () => {
  const palette = gifPalette('multiclass', 3);
  const m = map(2, 255, { classes: Uint8Array.of(0, 1, 2, 2), lo: 1 / 3, hi: 1 });
  const frame = boundaryFrame(m, { task: 'multiclass', classes: 3, domain }, palette, 4);
  const top = palette.levels - 1;
  assert.equal(frame[0], palette.base + top);
  assert.equal(frame[3], palette.base + palette.levels + top);
  assert.equal(frame[15], palette.base + 2 * palette.levels + top);
});

test('the label writes the epoch in ink on white', () => {
  const image = new Uint8Array(60 * 20).fill(7);
  drawLabel(image, 60, 'epoch 12', 1, 1, 1, 0);
  const row = (y) => Array.from(image.slice(y * 60, y * 60 + 60));
  assert.ok(row(4).includes(1), 'ink in the glyphs');
  assert.equal(image[1 * 60 + 1], 0, 'white around them');
  assert.equal(image[15 * 60 + 59], 7, 'the rest untouched');
});

test('the GIF holds a frame per map, 10 a second, the last held longer', () => {
  const items = [0, 64, 128, 255].map((v, i) => ({ epoch: i * 10, map: map(10, v) }));
  const bytes = boundaryGif(items, { task: 'binary', domain, points: [] }, { size: 50 });
  assert.equal(String.fromCharCode(...bytes.slice(0, 6)), 'GIF89a');
  assert.deepEqual([...bytes.slice(6, 10)], [50, 0, 50, 0]);
  // The graphic control blocks: 0x21 0xF9 4 packed delay(2) transparent 0.
  const delays = [];
  for (let i = 0; i + 7 < bytes.length; i++) {
    if (bytes[i] === 0x21 && bytes[i + 1] === 0xf9 && bytes[i + 2] === 4 && bytes[i + 7] === 0) delays.push(bytes[i + 4] | (bytes[i + 5] << 8));
  }
  assert.deepEqual(delays, [10, 10, 10, 150]);
});
