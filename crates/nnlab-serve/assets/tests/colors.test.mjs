import test from 'node:test';
import assert from 'node:assert/strict';
import {
  rdbu, overWhite, classColor, binaryColor, multiclassColor, regressionColor, neuronColor, linkStyle, css,
  RDBU, MAP_ALPHA, REGION_ALPHA,
} from '../colors.js';

test('RdBu runs from dark red through near white to dark blue', () => {
  assert.deepEqual(rdbu(0), [103, 0, 31]);
  assert.deepEqual(rdbu(0.5), [247, 247, 247]);
  assert.deepEqual(rdbu(1), [5, 48, 97]);
  assert.deepEqual(rdbu(-3), rdbu(0));
  assert.deepEqual(rdbu(7), rdbu(1));
  assert.deepEqual(rdbu(NaN), rdbu(0.5));
  // halfway between the first two of the 11 colours
  assert.deepEqual(rdbu(0.05), [141, 12, 37]);
  for (let i = 0; i < RDBU.length; i++) assert.deepEqual(rdbu(i / 10), RDBU[i]);
});

test('class colours: the notebook red and blue, then tab10, cycling', () => {
  assert.deepEqual(classColor(0), [255, 0, 0]);
  assert.deepEqual(classColor(1), [0, 0, 255]);
  assert.deepEqual(classColor(2), [44, 160, 44]);
  assert.deepEqual(classColor(9), [23, 190, 207]);
  assert.deepEqual(classColor(10), classColor(2));
  assert.equal(css([1, 2, 3]), 'rgb(1, 2, 3)');
});

test('overWhite blends towards white', () => {
  assert.deepEqual(overWhite([0, 0, 0], 0), [255, 255, 255]);
  assert.deepEqual(overWhite([0, 100, 255], 1), [0, 100, 255]);
  assert.deepEqual(overWhite([55, 155, 255], 0.5), [155, 205, 255]);
});

test('binary maps: lightened RdBu over P(class 1); discrete shows the class', () => {
  assert.deepEqual(binaryColor(0.5), overWhite(rdbu(0.5), MAP_ALPHA));
  // the maps use RdBu from 0.07 to 0.93 (as the figures' class regions), over white
  assert.deepEqual(binaryColor(0), overWhite(rdbu(0.07), MAP_ALPHA));
  assert.deepEqual(binaryColor(1), overWhite(rdbu(0.93), MAP_ALPHA));
  assert.deepEqual(binaryColor(0.51, true), binaryColor(0.99, true));
  assert.deepEqual(binaryColor(0.49, true), binaryColor(0.01, true));
  const [r, , b] = binaryColor(0.51, true);
  assert.ok(b > r, 'class 1 is blue');
});

test('multi-class maps grow stronger with the winning probability', () => {
  const weak = multiclassColor(2, 1 / 3, 3);
  const strong = multiclassColor(2, 1, 3);
  assert.deepEqual(strong, overWhite(classColor(2), REGION_ALPHA));
  assert.ok(weak[0] > strong[0] && weak[2] > strong[2], 'a guess is nearer white');
  assert.deepEqual(multiclassColor(2, 0.4, 3, true), strong);
});

test('regression and neuron colours', () => {
  assert.deepEqual(regressionColor(-1, -1, 1), overWhite(rdbu(0.07), MAP_ALPHA));
  assert.deepEqual(regressionColor(1, -1, 1), overWhite(rdbu(0.93), MAP_ALPHA));
  assert.deepEqual(regressionColor(5, -1, 1), regressionColor(1, -1, 1), 'clamped to the range');
  assert.deepEqual(regressionColor(3, 3, 3), overWhite(rdbu(0.5), MAP_ALPHA));
  assert.deepEqual(regressionColor(0.01, 0, 1, 4), regressionColor(0.2, 0, 1, 4), 'bands step the scale');
  // centred at 0: white at 0 even when the range is lopsided
  assert.deepEqual(neuronColor(0, -1, 4), rdbu(0.5));
  assert.deepEqual(neuronColor(4, -1, 4), rdbu(1));
  assert.deepEqual(neuronColor(-1, -1, 4), rdbu(0.375));
  assert.deepEqual(neuronColor(0, 0, 0), rdbu(0.5));
});

test('links: width and opacity grow with |w|, colour by sign', () => {
  const big = linkStyle(-2, 2);
  const small = linkStyle(0.2, 2);
  assert.ok(big.width > small.width && big.opacity > small.opacity);
  assert.notEqual(big.color, small.color);
  assert.equal(linkStyle(1, 0).width, linkStyle(0, 1).width);
  assert.equal(linkStyle(5, 2).width, linkStyle(2, 2).width, 'capped at the largest');
});
