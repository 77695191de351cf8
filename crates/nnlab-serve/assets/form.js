// The controls: showing the live session's settings in them, and the dataset picker.
// Every control's change becomes a config change (app.js wires them).

import { $, state, actions, limits, show, showError } from './page.js';
import { lrChoices, percent, short } from './format.js';
import { applyChanges, testShare } from './config.js';
import { classColor, valueColor, css } from './colors.js';
import { thumbPoints } from './thumbs.js';
import { plural } from './network.js';
import { sharpContext } from './view-output.js';
import { renderOwnStatus, renderAddPicker } from './own.js';

const PENALTIES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

export function fillSelect(select, items, value) {
  select.replaceChildren();
  for (const item of items) {
    const [v, label] = Array.isArray(item) ? item : [item, item];
    const option = document.createElement('option');
    option.value = String(v);
    option.textContent = label;
    select.append(option);
  }
  select.value = String(value);
}

export function showLr(lr) {
  if (document.activeElement === $('lr')) return;
  fillSelect($('lr'), lrChoices(lr).map((v) => [v, String(v)]), lr);
}

/** Shows the live session's settings in every control. */
export function renderForm() {
  const c = state.config;
  const o = state.options;
  const s = state.session;
  if (!c || !o) return;
  showLr(c.lr);
  fillSelect($('optimizer'), names(o.optimizers), c.optimizer);
  const acts = names(o.activations);
  if (!acts.includes(c.activation)) acts.push(c.activation);
  fillSelect($('activation'), acts, c.activation);
  const pen = (v) => (PENALTIES.includes(v) ? PENALTIES : [...PENALTIES, v].sort((a, b) => a - b));
  fillSelect($('l1'), pen(c.l1 || 0), c.l1 || 0);
  fillSelect($('l2'), pen(c.l2 || 0), c.l2 || 0);
  $('batch').value = c.batch_size ?? '';
  $('batch').max = limits().max_samples || '';
  fillSelect($('task'), [
    ['auto', `auto (${s.task})`], ['binary', 'binary'], ['multiclass', 'multi-class'], ['regression', 'regression'],
  ], c.task && c.task !== s.task ? c.task : 'auto');
  const engineLabels = { manual: 'hand-written (numpy-like)', autograd: 'autograd (candle, PyTorch-like)' };
  fillSelect($('engine'), names(o.engines || ['manual', 'autograd']).map((e) => [e, engineLabels[e] || e]), c.engine);
  fillSelect($('init'), [['notebook', 'notebook: randn·√(2/fan_in)'], ['torch', "torch: nn.Linear's default"]], c.init);
  $('dtype').value = c.dtype;
  $('epochs').value = c.epochs;
  $('epochs').max = limits().max_epochs || '';
  $('momentum-field').hidden = c.optimizer !== 'sgd';
  $('momentum').value = c.momentum ?? 0;

  // Data.
  for (const button of $('datasets').querySelectorAll('button')) {
    button.classList.toggle('selected', !state.csv && button.dataset.name === c.dataset);
  }
  const own = Boolean(state.csv);
  $('own-status').hidden = !own;
  if (own) renderOwnStatus();
  const share = testShare(c);
  $('ratio').value = share === null ? 80 : Math.round((1 - share) * 100);
  $('ratio').disabled = own && c.test_size == null;
  $('ratio-value').textContent = share === null ? 'from the file’s split' : `${percent(1 - share)} train, ${percent(share)} test`;
  const noisy = c.noise !== undefined && c.noise !== null;
  show($('noise-field'), !own && noisy);
  $('noise').value = c.noise ?? 0;
  $('noise-value').textContent = noiseText(c);
  $('samples').value = c.samples ?? '';
  $('samples').max = limits().max_samples || '';
  show($('samples').closest('label'), !own);
  $('seed').value = c.seed;
  $('regenerate').hidden = own; // own data has no data seed
  for (const f of ['data_seed', 'split_seed', 'init_seed']) $(f).value = c[f] ?? c.seed;
  renderDatasetExtras();

  const hidden = c.hidden || [];
  $('layer-count').textContent = plural(hidden.length, 'hidden layer');
  $('layer-add').disabled = hidden.length >= (limits().max_layers ?? 6);
  $('layer-remove').disabled = hidden.length <= 1; // nnlab nets keep at least one hidden layer
  $('map-hint').textContent = mapHint();
  $('acc-row').hidden = s.task === 'regression';
  $('acc-chart').hidden = s.task === 'regression';
  renderAddPicker();
}

function names(list) {
  return (list || []).map((x) => (typeof x === 'string' ? x : x.name));
}

export function noiseText(c) {
  const playground = !['moons', 'circles'].includes(c.dataset);
  if (playground) return `${Math.round((c.noise || 0) * 100)}`;
  return `σ = ${short(c.noise || 0)}`;
}

export function mapHint() {
  const s = state.session;
  if (!s.map) return 'The data has more than 2 columns, so there is no map to draw.';
  const dots = $('show-test').checked ? 'white-rimmed dots are training rows, dark-rimmed ones test rows' : 'dots are training rows';
  if (s.task === 'regression') return `Colours show the predicted value (red low, blue high); ${dots}.`;
  if (s.task === 'multiclass') return `Colours show the predicted class, stronger where the network is surer; ${dots}.`;
  return `Colours show the network's prediction (red class 0, blue class 1); ${dots}.`;
}

/** The controls only some datasets have: circles' factor, spiral's arms, blobs' centres. */
function renderDatasetExtras() {
  const c = state.config;
  const box = $('dataset-extra');
  box.replaceChildren();
  const add = (field, label, attrs) => {
    if (c[field] === undefined || c[field] === null || state.csv) return;
    const wrap = document.createElement('label');
    wrap.className = 'slider';
    const text = document.createElement('span');
    text.textContent = label;
    const input = document.createElement('input');
    Object.assign(input, { type: 'number', value: c[field], ...attrs });
    input.addEventListener('change', () => numberChange(field, input.value, attrs.step === 1));
    wrap.append(text, input);
    box.append(wrap);
  };
  add('factor', 'Inner circle radius (factor)', { min: 0, max: 0.99, step: 0.05 });
  add('classes', 'Spiral arms (classes)', { min: 2, max: 10, step: 1 });
  add('centers', 'Blobs (centers)', { min: 2, max: 10, step: 1 });
  add('cluster_std', 'Blob spread (cluster_std)', { min: 0.1, max: 10, step: 0.1 });
  add('features', 'Blob columns (features; a map needs 2)', { min: 1, max: limits().max_columns || 64, step: 1 });
}

/** A number field's change, as a config change (an empty field means the default). */
export function numberChange(field, text, integer = true) {
  if (text.trim() === '') return actions.change({ [field]: null });
  const v = Number(text);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    showError(`${field.replace('_', ' ')}: "${text}" is not a ${integer ? 'whole number' : 'number'}.`);
    renderForm();
    return null;
  }
  return actions.change({ [field]: v });
}

export function drawThumbs() {
  const box = $('datasets');
  box.replaceChildren();
  for (const d of state.options.datasets || []) {
    const button = document.createElement('button');
    button.className = 'dataset';
    button.dataset.name = d.name;
    button.title = `${d.label || d.name} (${d.task})`;
    const canvas = document.createElement('canvas');
    canvas.className = 'thumb';
    const label = document.createElement('span');
    label.textContent = d.label || d.name;
    button.append(canvas, label);
    button.addEventListener('click', () => {
      if (state.csv || state.config.dataset !== d.name) {
        actions.start(applyChanges(state.desired, { dataset: d.name }), null);
      }
    });
    box.append(button);
    requestAnimationFrame(() => drawThumb(canvas, d));
  }
}

function drawThumb(canvas, d) {
  const { ctx, width, height } = sharpContext(canvas);
  ctx.fillStyle = '#f7f7f7';
  ctx.fillRect(0, 0, width, height);
  for (const p of thumbPoints(d.name)) {
    const color = d.task === 'regression' ? valueColor(p.c, 0, 1) : classColor(p.c);
    ctx.fillStyle = css(color);
    ctx.beginPath();
    ctx.arc(((p.x + 1.1) / 2.2) * width, ((1.1 - p.y) / 2.2) * height, 1.6, 0, 2 * Math.PI);
    ctx.fill();
  }
}
