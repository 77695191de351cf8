import test from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeBase64, byteValue, outputPixels, neuronPixels, featureValue, featurePixels, dataToPixel, pixelToData, ticks,
  parseFeature, featureBase, featureLabel, decodeMap, mapBytes,
} from '../maps.js';
import { binaryColor, multiclassColor, regressionColor, neuronColor } from '../colors.js';

const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const pixel = (rgba, i) => Array.from(rgba.slice(4 * i, 4 * i + 3));

test('base64 decodes to the bytes', () => {
  assert.deepEqual(Array.from(decodeBase64(b64([0, 1, 127, 255]))), [0, 1, 127, 255]);
  assert.equal(decodeBase64('').length, 0);
});

test('a byte stands for lo + (hi − lo)·b/255', () => {
  assert.equal(byteValue(0, -2, 3), -2);
  assert.equal(byteValue(255, -2, 3), 3);
  assert.equal(byteValue(51, 0, 1), 0.2);
});

test('binary output pixels follow P(class 1)', () => {
  const map = { size: 2, values: b64([0, 255, 128, 64]), lo: 0, hi: 1 };
  const rgba = outputPixels(map, { task: 'binary' });
  assert.equal(rgba.length, 16);
  assert.deepEqual(pixel(rgba, 0), binaryColor(0));
  assert.deepEqual(pixel(rgba, 1), binaryColor(1));
  assert.deepEqual(pixel(rgba, 2), binaryColor(128 / 255));
  assert.equal(rgba[3], 255);
  const discrete = outputPixels(map, { task: 'binary', discrete: true });
  assert.deepEqual(pixel(discrete, 2), binaryColor(1, true));
  assert.deepEqual(pixel(discrete, 3), binaryColor(0, true));
});

test('multi-class output pixels take the winning class and its probability', () => {
  const map = { size: 2, values: b64([0, 255, 255, 128]), lo: 1 / 3, hi: 1, classes: b64([0, 1, 2, 2]) };
  const rgba = outputPixels(map, { task: 'multiclass', classes: 3 });
  assert.deepEqual(pixel(rgba, 0), multiclassColor(0, 1 / 3, 3));
  assert.deepEqual(pixel(rgba, 1), multiclassColor(1, 1, 3));
  assert.deepEqual(pixel(rgba, 2), multiclassColor(2, 1, 3));
  assert.deepEqual(pixel(rgba, 3), multiclassColor(2, byteValue(128, 1 / 3, 1), 3));
});

test('regression output pixels use the data’s value range', () => {
  const map = { size: 1, values: b64([255]), lo: -1, hi: 1 };
  const rgba = outputPixels(map, { task: 'regression', valueRange: [-2, 2] });
  assert.deepEqual(pixel(rgba, 0), regressionColor(1, -2, 2));
});

test('neuron pixels are centred at 0', () => {
  const n = { lo: -1, hi: 3, values: b64([0, 255, 64]) };
  const rgba = neuronPixels(n);
  assert.deepEqual(pixel(rgba, 0), neuronColor(-1, -1, 3));
  assert.deepEqual(pixel(rgba, 1), neuronColor(3, -1, 3));
  assert.deepEqual(pixel(rgba, 2), neuronColor(byteValue(64, -1, 3), -1, 3));
});

test("input features, named from x1 (API.md) or from x0 (nnlab's CSV header)", () => {
  assert.equal(featureValue('x1', 2, 3), 2);
  assert.equal(featureValue('x2', 2, 3), 3);
  assert.equal(featureValue('x1^2', 2, 3), 4);
  assert.equal(featureValue('x2^2', 2, 3), 9);
  assert.equal(featureValue('x1*x2', 2, 3), 6);
  assert.equal(featureValue('sin(x1)', 2, 3), Math.sin(2));
  assert.equal(featureValue('sin(x2)', 2, 3), Math.sin(3));
  assert.equal(featureValue('x0', 2, 3, 0), 2);
  assert.equal(featureValue('x1', 2, 3, 0), 3);
  assert.equal(featureValue('x0*x1', 2, 3, 0), 6);
  assert.equal(featureValue('sin(x1)', 2, 3, 0), Math.sin(3));
  assert.equal(featureValue('cos(x1)', 2, 3), 0);
  assert.equal(featureBase(['x0', 'x1', 'x0^2']), 0);
  assert.equal(featureBase(['x1', 'x2', 'x10']), 1);
  assert.deepEqual(parseFeature('x0*x1'), { op: 'product', a: 0, b: 1 });
  assert.equal(parseFeature('y'), null);
  assert.equal(featureLabel('x0^2'), 'x₀²');
  assert.equal(featureLabel('x0*x1'), 'x₀x₁');
  assert.equal(featureLabel('sin(x12)'), 'sin(x₁₂)');
  // x1 over [-1, 1]: red on the left, blue on the right; row 0 is the top
  const rgba = featurePixels('x1', [-1, 1, -1, 1], 4);
  assert.equal(rgba.length, 64);
  assert.ok(rgba[0] > rgba[2], 'left is red');
  assert.ok(rgba[4 * 3 + 2] > rgba[4 * 3], 'right is blue');
  const x2 = featurePixels('x2', [-1, 1, -1, 1], 4);
  assert.ok(x2[2] > x2[0], 'the top row is the largest x2: blue');
});

test('data coordinates and canvas pixels', () => {
  const domain = [-2, 2, -1, 3];
  assert.deepEqual(dataToPixel(-2, 3, domain, 200, 100), [0, 0]);
  assert.deepEqual(dataToPixel(2, -1, domain, 200, 100), [200, 100]);
  assert.deepEqual(dataToPixel(0, 1, domain, 200, 100), [100, 50]);
  const [x, y] = pixelToData(...dataToPixel(0.3, 2.2, domain, 320, 320), domain, 320, 320);
  assert.ok(Math.abs(x - 0.3) < 1e-12 && Math.abs(y - 2.2) < 1e-12);
});

test('ticks are round numbers inside the range', () => {
  assert.deepEqual(ticks(-1.3, 2.4, 5), [-1, 0, 1, 2]);
  assert.deepEqual(ticks(-1.3, 2.4, 8), [-1, -0.5, 0, 0.5, 1, 1.5, 2]);
  assert.deepEqual(ticks(0, 1, 2), [0, 0.5, 1]);
  assert.deepEqual(ticks(-6.2, 6.2, 5), [-6, -4, -2, 0, 2, 4, 6]);
  assert.deepEqual(ticks(2, 2), [2]);
});

test('maps decode once; output pixels take base64 or bytes alike', () => {
  const frame = { size: 2, values: b64([0, 255, 128, 64]), lo: 0, hi: 1 };
  const decoded = decodeMap(frame);
  assert.equal(decoded.size, 2);
  assert.deepEqual(Array.from(decoded.values), [0, 255, 128, 64]);
  assert.equal(decoded.classes, null);
  assert.deepEqual(outputPixels(decoded, { task: 'binary' }), outputPixels(frame, { task: 'binary' }));
  assert.deepEqual(Array.from(mapBytes(b64([1, 2]))), [1, 2]);
  const multi = decodeMap({ values: b64([9, 9, 9, 9]), lo: 0.5, hi: 1, classes: b64([0, 1, 1, 0]) });
  assert.equal(multi.size, 2);
  assert.deepEqual(Array.from(multi.classes), [0, 1, 1, 0]);
});
